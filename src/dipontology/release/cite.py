"""How the release names its sources and how it asks to be cited.

A *source* (``dip:Source`` record) is shown by author, year and title, as a bibliography would: the author is the
first ``dcterms:creator`` (with "et al." after it when there are more), else the ``dcterms:publisher``; the year comes
from ``dcterms:issued`` or ``dcterms:modified`` ("n.d." when the page shows none). A *citation of the release* names
the creators, the year of release, what is cited, the release version and both the record IRI and its versioned IRI,
as text, BibTeX and CSL-JSON.

>>> cite = Citation(title="Oslo back channel", iri="https://w3id.org/dipontology/id/case/oslo-back-channel",
...                 release=Release("dipontology", "0.1.0", "2026-11-22", ["dipontology contributors"],
...                                 "https://creativecommons.org/licenses/by/4.0/"))
>>> print(cite.text())
dipontology contributors (2026). Oslo back channel. In dipontology, release 0.1.0. https://w3id.org/dipontology/id/case/oslo-back-channel (as of release 0.1.0: https://w3id.org/dipontology/0.1.0/id/case/oslo-back-channel)
>>> cite.bibtex().splitlines()[0]
'@misc{dipontology-0.1.0-case-oslo-back-channel,'
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import BASE, ID_BASE, ONTOLOGY_IRI
from .model import DCT, SCHEMA, Index, record_path

_YEAR = re.compile(r"^(-?\d{4})")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def human_date(value: str) -> str:
    """A date as people write it: ``1993`` -> ``1993``, ``1993-08`` -> ``August 1993``, ``1993-09-13`` ->
    ``13 September 1993``; anything else unchanged.

    >>> human_date("1993-09-13"), human_date("1993-08"), human_date("1970")
    ('13 September 1993', 'August 1993', '1970')
    """
    m = re.fullmatch(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        return value
    year, month, day = m.groups()
    if day:
        return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"
    if month:
        return f"{_MONTHS[int(month) - 1]} {year}"
    return year


def _family(name: str) -> str:
    """The family name of a personal name (its last word); an organisation's name (four words or more) whole.

    >>> _family("Cate Malek"), _family("United States Institute of Peace")
    ('Malek', 'United States Institute of Peace')
    """
    words = name.split()
    return words[-1] if 1 < len(words) <= 3 else name


@dataclass(frozen=True)
class SourceRef:
    """A source as the pages show it.

    :param iri: the source record's IRI.
    :param href: its page in the release (relative to the release root), or None.
    :param authors: creators, in order (may be empty).
    :param publisher: the publisher, or "".
    :param title: the title (the label when the record has no title).
    :param date: the date shown (issued, else last modified), human-readable, or "".
    :param year: the year for an author-year reference ("n.d." when there is no date).
    :param url: the web address of the work, or "".
    :param citation: the record's own bibliographic citation, or "".
    """

    iri: str
    href: str | None
    authors: tuple[str, ...]
    publisher: str
    title: str
    date: str
    year: str
    url: str
    citation: str
    date_kind: str = ""

    @property
    def short_author(self) -> str:
        """The first author's family name (the last word of a personal name; an organisation's whole name), with
        "and" the second's or "et al."; else the publisher; else the title."""
        if not self.authors:
            return self.publisher or self.title
        names = [_family(a) for a in self.authors]
        if len(names) == 1:
            return names[0]
        return f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al."

    @property
    def reference(self) -> str:
        """The short reference the pages cite inline: ``Malek 2013, “Citizen Diplomacy”``, or ``“Title”, n.d.`` for
        a work that names no author or publisher."""
        if self.authors or self.publisher:
            return f"{self.short_author} {self.year}, “{self.title}”"
        return f"“{self.title}”, {self.year}"

    @property
    def byline(self) -> str:
        """Authors as written, joined ("A, B and C"), or the publisher."""
        if not self.authors:
            return self.publisher
        if len(self.authors) == 1:
            return self.authors[0]
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]


def source_ref(ix: Index, node: ox.NamedNode, pages: set[str] | None = None) -> SourceRef:
    """The :class:`SourceRef` of a source record (or of any record cited as a source)."""
    authors = tuple(ix.texts(node, DCT + "creator"))
    publisher = ix.text(node, DCT + "publisher") or ""
    title = ix.text(node, DCT + "title") or ix.label(node)
    issued = ix.text(node, DCT + "issued")
    modified = ix.text(node, DCT + "modified")
    raw = issued or modified or ""
    m = _YEAR.match(raw)
    urls = sorted(o.value for o in ix.values(node, SCHEMA + "url") if isinstance(o, (ox.NamedNode, ox.Literal))
                  and o.value.startswith(("http://", "https://")))
    rp = record_path(node.value)
    href = f"id/{rp[0]}/{rp[1]}.html" if rp and (pages is None or node.value in pages) else None
    return SourceRef(iri=node.value, href=href, authors=authors, publisher=publisher, title=title,
                     date=human_date(raw) if raw else "", year=m.group(1) if m else "n.d.",
                     url=urls[0] if urls else "", citation=ix.text(node, DCT + "bibliographicCitation") or "",
                     date_kind="issued" if issued else "last updated" if modified else "")


# ---------------------------------------------------------------------------------------------- cite-as
@dataclass(frozen=True)
class Release:
    """What every citation of this release names."""

    title: str
    version: str
    date: str
    creators: list[str] = field(default_factory=list)
    license: str = ""
    publisher: str = ""

    @property
    def year(self) -> str:
        m = _YEAR.match(self.date)
        return m.group(1) if m else "n.d."

    @property
    def license_name(self) -> str:
        return {"https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0"}.get(self.license, self.license)

    @property
    def creator_text(self) -> str:
        return ", ".join(self.creators) if self.creators else self.title


def versioned_iri(iri: str, version: str) -> str:
    """The IRI of a record as published in one release (``https://w3id.org/dipontology/<version>/id/...``), of the
    ontology's version, or of the release itself.

    >>> versioned_iri("https://w3id.org/dipontology/id/case/x", "0.1.0")
    'https://w3id.org/dipontology/0.1.0/id/case/x'
    >>> versioned_iri("https://w3id.org/dipontology/ontology", "0.1.0")
    'https://w3id.org/dipontology/ontology/0.1.0'
    """
    if iri.startswith(ID_BASE):
        return f"{BASE}{version}/{iri[len(BASE):]}"
    if iri == ONTOLOGY_IRI:
        return f"{ONTOLOGY_IRI}/{version}"
    if iri == BASE:
        return f"{BASE}{version}/"
    return iri


@dataclass(frozen=True)
class Citation:
    """How to cite one page: a record, the ontology, or the release as a whole."""

    title: str
    iri: str
    release: Release
    kind: str = "dataset"

    @property
    def versioned(self) -> str:
        return versioned_iri(self.iri, self.release.version)

    @property
    def key(self) -> str:
        rp = record_path(self.iri)
        tail = f"{rp[0]}-{rp[1]}" if rp else re.sub(r"[^A-Za-z0-9]+", "-", self.iri[len(BASE):]).strip("-") or "release"
        return f"dipontology-{self.release.version}-{tail}"

    def is_whole_release(self) -> bool:
        return self.title == self.release.title

    def text(self) -> str:
        r = self.release
        where = f"{r.title}, release {r.version}" if not self.is_whole_release() else f"release {r.version}"
        head = f"{r.creator_text} ({r.year}). {self.title}. "
        head += f"In {where}. " if not self.is_whole_release() else f"{where.capitalize()}. "
        tail = self.iri
        if self.versioned != self.iri:
            tail += f" (as of release {r.version}: {self.versioned})"
        return head + tail

    def bibtex(self) -> str:
        r = self.release

        def braced(text: str) -> str:
            return "{" + re.sub(r"([{}\\%&#$_^~])", r"\\\1", text) + "}"

        fields = [("author", braced(" and ".join(r.creators) or r.title)), ("title", braced(self.title)),
                  ("year", r.year), ("version", braced(r.version)), ("url", braced(self.versioned)),
                  ("howpublished", braced(self.iri))]
        if not self.is_whole_release():
            fields.insert(2, ("organization", braced(r.title)))
        if r.license:
            fields.append(("note", braced(f"Licence: {r.license}")))
        body = ",\n".join(f"  {k} = {v}" for k, v in fields)
        return f"@misc{{{self.key},\n{body}\n}}"

    def csl(self) -> dict:
        r = self.release
        doc = {"id": self.key, "type": self.kind, "title": self.title, "version": r.version, "URL": self.versioned,
               "author": [{"literal": c} for c in r.creators] or [{"literal": r.title}],
               "issued": {"date-parts": [[int(p) for p in r.date.split("-") if p.isdigit()]]} if r.year != "n.d."
               else {"literal": "n.d."}}
        if not self.is_whole_release():
            doc["container-title"] = r.title
        if r.publisher:
            doc["publisher"] = r.publisher
        if r.license:
            doc["license"] = r.license
        return doc

    def csl_json(self) -> str:
        return json.dumps([self.csl()], indent=2, ensure_ascii=False, sort_keys=True)
