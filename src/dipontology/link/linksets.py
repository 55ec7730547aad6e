"""Linksets: the links from our graph to the identifiers researchers join on, as CSV, SSSOM TSV or Turtle.

Targets:

==========  ===============================================================================================
target      links
==========  ===============================================================================================
wikidata    records with a verified QID (``dip:wikidata``), class mappings and reviewed (reconciled) links
            whose object is a Wikidata item
iso         countries -> ISO 3166-1 alpha-2 and alpha-3 codes
cow         countries -> Correlates of War state numbers and abbreviations, with their validity
gw          countries -> Gleditsch-Ward state numbers, with their validity
==========  ===============================================================================================

>>> ls = linkset(link_graph(), "wikidata")
>>> ("https://w3id.org/dipontology/ontology#Conflict", "http://www.wikidata.org/entity/Q198") in [
...     (l.subject, l.object) for l in ls.links]
True
>>> back = parse_sssom(to_sssom(ls))
>>> sorted(m.key() for m in back.mappings) == sorted(l.key() for l in ls.links)
True
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from ..errors import InputError
from ..export import serialize_triples
from ..namespaces import DIP, VOID, WD, bind_all
from .mappings import (LINK_PREFIXES, MAPPING, SEMAPV, SSSOM, Mapping, curie, expand, link_graph, literal_text,
                       load_mappings)

__all__ = ["TARGETS", "FORMATS", "Link", "Linkset", "linkset", "to_csv", "to_sssom", "parse_sssom", "to_turtle",
           "render", "void_linksets", "SSSOMDocument", "link_graph"]

TARGETS = ("wikidata", "iso", "cow", "gw")
FORMATS = ("csv", "sssom", "ttl")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
#: our dataset's IRI (as the release's VoID names it): the linksets' ``void:subjectsTarget``
DATASET = "https://w3id.org/dipontology/dataset"

#: what each target links to: title, objects' IRI space (None for literal codes), source record, code systems
TARGET_INFO: dict[str, dict[str, Any]] = {
    "wikidata": {"title": "Wikidata", "uri_space": str(WD), "systems": ()},
    "iso": {"title": "ISO 3166-1 country codes", "uri_space": None, "systems": ()},
    "cow": {"title": "Correlates of War state system membership", "uri_space": None,
            "systems": (DIP.COWStateNumber, DIP.COWStateAbbreviation)},
    "gw": {"title": "Gleditsch-Ward list of independent states", "uri_space": None,
           "systems": (DIP.GleditschWardNumber,)},
}

CSV_COLUMNS = ("subject", "subject_label", "predicate", "object", "object_label", "code", "code_system",
               "valid_from", "valid_until", "validity_note", "justification", "comment", "source")


@dataclass
class Link:
    """One link from a subject of our graph to an external identifier (an IRI, or a literal code)."""

    subject: str
    predicate: str
    object: str
    object_label: str = ""
    subject_label: str = ""
    code: str = ""
    code_system: str = ""
    valid_from: str = ""
    valid_until: str = ""
    validity_note: str = ""
    justification: str = str(SEMAPV.ManualMappingCuration)
    comment: str = ""
    source: list[str] = field(default_factory=list)
    author_label: str = ""
    reviewer_label: str = ""
    mapping_date: str = ""
    confidence: str = ""
    object_match_field: str = ""
    mapping_tool: str = ""

    @property
    def literal(self) -> bool:
        """The link points to a code (a literal), not an IRI."""
        return not self.object

    def key(self) -> tuple[str, str, str, str]:
        return (self.subject, self.predicate, self.object or self.code, self.justification)

    def to_mapping(self) -> Mapping:
        comment = self.comment
        if self.literal and (self.valid_from or self.valid_until or self.validity_note):
            window = f"valid {self.valid_from or '(open)'} to {self.valid_until or '(open)'}"
            comment = "; ".join(x for x in (comment, window, self.validity_note) if x)
        return Mapping(subject_id=self.subject, predicate_id=self.predicate, object_id=self.object,
                       justification=self.justification, subject_label=self.subject_label,
                       object_label=self.object_label if not self.literal else self.code,
                       object_type="rdfs literal" if self.literal else "", comment=comment,
                       author_label=self.author_label, reviewer_label=self.reviewer_label,
                       mapping_date=self.mapping_date, confidence=self.confidence,
                       object_match_field=self.object_match_field, object_source=self.code_system,
                       mapping_tool=self.mapping_tool, source=list(self.source))


@dataclass
class Linkset:
    """The links of one target, with what the VoID and SSSOM metadata need."""

    target: str
    links: list[Link]

    @property
    def iri(self) -> str:
        return f"{MAPPING}linkset-{self.target}"

    @property
    def title(self) -> str:
        return f"dipontology to {TARGET_INFO[self.target]['title']}"

    def __len__(self) -> int:
        return len(self.links)


def _label(g: Graph, s: URIRef) -> str:
    return literal_text(g.objects(s, RDFS.label))


def _sources(g: Graph, s: URIRef) -> list[str]:
    return sorted(str(o) for o in g.objects(s, DCTERMS.source))


def _from_mapping(m: Mapping, uri_space: str) -> Link:
    return Link(subject=m.subject_id, predicate=m.predicate_id, object=m.object_id, object_label=m.object_label,
                subject_label=m.subject_label, code=m.object_id[len(uri_space):] if m.object_id.startswith(uri_space)
                else "", justification=m.justification, comment=m.comment, source=list(m.source),
                author_label=m.author_label, reviewer_label=m.reviewer_label, mapping_date=m.mapping_date,
                confidence=m.confidence, object_match_field=m.object_match_field, mapping_tool=m.mapping_tool)


def _codes(g: Graph, systems: tuple[URIRef, ...]) -> list[Link]:
    links = []
    for country, ca in g.subject_objects(DIP.hasCode):
        system = g.value(ca, DIP.codeSystem)
        if system not in systems:
            continue
        value = g.value(ca, DIP.codeValue)
        if value is None:
            continue
        links.append(Link(
            subject=str(country), subject_label=_label(g, country), predicate=str(SKOS.notation), object="",
            object_label=str(value), code=str(value), code_system=str(system),
            valid_from=str(g.value(ca, DIP.validFrom) or ""), valid_until=str(g.value(ca, DIP.validUntil) or ""),
            validity_note=str(g.value(ca, DIP.validityNote) or ""),
            comment=f"{_label(g, system) or curie(str(system))} {value}",
            source=_sources(g, ca) or _sources(g, country)))
    return links


def linkset(g: Graph, target: str) -> Linkset:
    """The links of ``target`` in the graph ``g`` (see :func:`link_graph`).

    :raises InputError: for an unknown target.
    """
    if target not in TARGETS:
        raise InputError(f"unknown link target {target!r}", fix=f"use one of {', '.join(TARGETS)}")
    info = TARGET_INFO[target]
    links: list[Link] = []
    if target == "wikidata":
        for rec, qid in g.subject_objects(DIP.wikidata):
            q = str(qid).strip()
            if not re.fullmatch(r"Q[1-9][0-9]*", q):
                continue
            links.append(Link(subject=str(rec), subject_label=_label(g, rec), predicate=str(SKOS.exactMatch),
                              object=str(WD[q]), code=q, comment="verified QID recorded on the record (dip:wikidata)",
                              source=_sources(g, rec)))
    elif target == "iso":
        for prop in (DIP.iso3166Alpha2, DIP.iso3166Alpha3):
            for country, code in g.subject_objects(prop):
                links.append(Link(subject=str(country), subject_label=_label(g, country), predicate=str(prop),
                                  object="", object_label=str(code), code=str(code), code_system=str(prop),
                                  comment=f"ISO 3166-1 {'alpha-2' if prop == DIP.iso3166Alpha2 else 'alpha-3'}",
                                  source=_sources(g, country)))
    elif target in ("cow", "gw"):
        links = _codes(g, info["systems"])
    if info["uri_space"]:
        space = info["uri_space"]
        links += [_from_mapping(m, space) for m in load_mappings(g) if m.object_id.startswith(space)]
    links.sort(key=lambda link: (link.subject, link.predicate, link.code_system, link.object or link.code,
                                 link.valid_from))
    return Linkset(target, links)


# -------------------------------------------------------------------------------------------------------- CSV
def to_csv(ls: Linkset) -> str:
    """The linkset as CSV, one row per link, codes in the ``code`` column (ready to join a country-year panel)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for link in ls.links:
        w.writerow([link.subject, link.subject_label, curie(link.predicate), link.object, link.object_label,
                    link.code, curie(link.code_system) if link.code_system else "", link.valid_from,
                    link.valid_until, link.validity_note, curie(link.justification), link.comment,
                    "|".join(link.source)])
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------------ SSSOM
SSSOM_COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label", "object_type",
                 "mapping_justification", "author_label", "reviewer_label", "mapping_date", "confidence",
                 "object_match_field", "object_source", "mapping_tool", "see_also", "comment")
_SSSOM_IRI_COLUMNS = {"subject_id", "predicate_id", "object_id", "mapping_justification", "object_match_field",
                      "object_source"}


@dataclass
class SSSOMDocument:
    """A parsed SSSOM TSV file: its metadata block and its mappings (IRIs expanded)."""

    metadata: dict[str, Any]
    curie_map: dict[str, str]
    mappings: list[Mapping]


def _yaml_scalar(value: str) -> str:
    if value == "" or re.search(r"[:#\[\]{}&*!|>'\"%@`,]|^[-?\s]|\s$", value):
        return json.dumps(value, ensure_ascii=False)
    return value


def to_sssom(ls: Linkset, *, mapping_date: str | None = None) -> str:
    """The linkset as SSSOM TSV: a ``#``-prefixed YAML metadata block (``curie_map``, ``mapping_set_id``,
    ``license``...) followed by the mapping table with CURIEs."""
    rows = []
    used: set[str] = set()
    for link in ls.links:
        m = link.to_mapping()
        cells = {
            "subject_id": m.subject_id, "subject_label": m.subject_label, "predicate_id": m.predicate_id,
            "object_id": m.object_id, "object_label": m.object_label, "object_type": m.object_type,
            "mapping_justification": m.justification, "author_label": m.author_label,
            "reviewer_label": m.reviewer_label, "mapping_date": m.mapping_date, "confidence": m.confidence,
            "object_match_field": m.object_match_field, "object_source": m.object_source,
            "mapping_tool": m.mapping_tool, "see_also": "|".join(m.source), "comment": m.comment,
        }
        for col in _SSSOM_IRI_COLUMNS:
            if cells[col]:
                c = curie(cells[col])
                if c != cells[col]:
                    used.add(c.split(":", 1)[0])
                cells[col] = c
        if cells["see_also"]:
            parts = [curie(s) for s in m.source]
            used.update(p.split(":", 1)[0] for p in parts if ":" in p and "://" not in p)
            cells["see_also"] = "|".join(parts)
        rows.append(cells)
    used.update({"skos", "semapv"})
    lines = ["#curie_map:"]
    for p in sorted(used):
        if p in LINK_PREFIXES:
            lines.append(f"#  {p}: {_yaml_scalar(LINK_PREFIXES[p])}")
    meta = {"mapping_set_id": ls.iri, "mapping_set_title": ls.title, "license": LICENSE,
            "creator_label": "dipontology contributors",
            "mapping_set_description": f"Links from the dipontology graph to {TARGET_INFO[ls.target]['title']}."}
    if mapping_date:
        meta["mapping_date"] = mapping_date
    for k, v in meta.items():
        lines.append(f"#{k}: {_yaml_scalar(v)}")
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(SSSOM_COLUMNS)
    for cells in rows:
        w.writerow([_tsv_cell(cells[c]) for c in SSSOM_COLUMNS])
    return "\n".join(lines) + "\n" + buf.getvalue()


def _tsv_cell(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _yaml_value(text: str, source: str, line: int) -> str:
    text = text.strip()
    if text.startswith('"'):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise InputError("malformed quoted value in the SSSOM metadata", file=source, line=line,
                             fix="use a double-quoted string with JSON escapes") from None
        if not isinstance(value, str):
            raise InputError("expected a string", file=source, line=line, fix="quote the value")
        return value
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    return text


def parse_sssom(text: str, *, source: str = "<sssom>") -> SSSOMDocument:
    """Read an SSSOM TSV file written by :func:`to_sssom` (or any SSSOM TSV with a simple metadata block).

    The metadata block may hold ``key: value`` lines and the ``curie_map`` mapping; CURIEs in the table are
    expanded with it.

    :raises InputError: a malformed metadata line, a missing required column, an unknown prefix, naming the line.
    """
    lines = text.splitlines()
    meta: dict[str, Any] = {}
    curie_map: dict[str, str] = {}
    i = 0
    in_map = False
    while i < len(lines) and lines[i].startswith("#"):
        body = lines[i][1:]
        lineno = i + 1
        i += 1
        if not body.strip():
            continue
        if body.startswith("  ") and in_map:
            k, sep, v = body.strip().partition(":")
            if not sep or not k:
                raise InputError("malformed curie_map entry", file=source, line=lineno, fix="write '#  prefix: IRI'")
            curie_map[k.strip()] = _yaml_value(v, source, lineno)
            continue
        k, sep, v = body.partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
            raise InputError("malformed SSSOM metadata line", file=source, line=lineno, fix="write '#key: value'")
        in_map = k == "curie_map" and not v.strip()
        if not in_map:
            meta[k] = _yaml_value(v, source, lineno)
    header_line = i + 1
    reader = csv.reader(lines[i:], delimiter="\t")
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("no mapping table after the metadata block", file=source, line=header_line,
                         fix="add the TSV header and rows") from None
    for col in ("subject_id", "predicate_id", "mapping_justification"):
        if col not in header:
            raise InputError(f"the mapping table has no {col} column", file=source, line=header_line,
                             fix="add the column")
    prefixes = {**curie_map}
    mappings = []
    for n, row in enumerate(reader, start=header_line + 1):
        if not any(row):
            continue
        if len(row) != len(header):
            raise InputError(f"row has {len(row)} cells, the header {len(header)}", file=source, line=n,
                             fix="one tab-separated cell per column")
        cells = dict(zip(header, row))
        for col in _SSSOM_IRI_COLUMNS:
            v = cells.get(col, "")
            if v:
                full = expand(v, prefixes)
                if full == v and "://" not in v and not v.startswith("urn:"):
                    raise InputError(f"{col} {v!r} uses a prefix that the curie_map does not declare", file=source,
                                     line=n, fix="add the prefix to #curie_map")
                cells[col] = full
        if not cells.get("object_id") and cells.get("object_type") != "rdfs literal":
            raise InputError("a mapping needs object_id unless object_type is 'rdfs literal'", file=source, line=n,
                             fix="fill object_id")
        see_also = [expand(s, prefixes) for s in cells.get("see_also", "").split("|") if s]
        mappings.append(Mapping(
            subject_id=cells["subject_id"], predicate_id=cells["predicate_id"], object_id=cells.get("object_id", ""),
            justification=cells["mapping_justification"], subject_label=cells.get("subject_label", ""),
            object_label=cells.get("object_label", ""), object_type=cells.get("object_type", ""),
            comment=cells.get("comment", ""), author_label=cells.get("author_label", ""),
            reviewer_label=cells.get("reviewer_label", ""), mapping_date=cells.get("mapping_date", ""),
            confidence=cells.get("confidence", ""), object_match_field=cells.get("object_match_field", ""),
            object_source=cells.get("object_source", ""), mapping_tool=cells.get("mapping_tool", ""),
            mapping_set_id=str(meta.get("mapping_set_id", "")), source=see_also))
    return SSSOMDocument(metadata=meta, curie_map=curie_map, mappings=mappings)


# ----------------------------------------------------------------------------------------------------- Turtle
def _literal(text: str) -> Literal:
    if re.fullmatch(r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return Literal(text, datatype=XSD.date)
    if re.fullmatch(r"-?[0-9]{4}", text):
        return Literal(text, datatype=XSD.gYear)
    return Literal(text)


def linkset_graph(ls: Linkset, *, dataset: str = DATASET) -> Graph:
    """The linkset as RDF: the link triples (codes on their code-assignment nodes) and its VoID description."""
    g = bind_all(Graph())
    g.bind("sssom", SSSOM)
    g.bind("semapv", SEMAPV)
    for link in ls.links:
        s = URIRef(link.subject)
        if not link.literal:
            g.add((s, URIRef(link.predicate), URIRef(link.object)))
        elif link.predicate != str(SKOS.notation):
            g.add((s, URIRef(link.predicate), Literal(link.code)))
        else:
            node = BNode()
            g.add((s, DIP.hasCode, node))
            g.add((node, RDF.type, DIP.CodeAssignment))
            g.add((node, DIP.codeSystem, URIRef(link.code_system)))
            g.add((node, DIP.codeValue, Literal(link.code)))
            if link.valid_from:
                g.add((node, DIP.validFrom, _literal(link.valid_from)))
            if link.valid_until:
                g.add((node, DIP.validUntil, _literal(link.valid_until)))
            if link.validity_note:
                g.add((node, DIP.validityNote, Literal(link.validity_note)))
    for t in _void_for(ls, dataset):
        g.add(t)
    return g


def to_turtle(ls: Linkset, *, dataset: str = DATASET) -> str:
    """The linkset as Turtle (see :func:`linkset_graph`), sorted for stable output."""
    return serialize_triples(list(linkset_graph(ls, dataset=dataset)), "ttl").decode("utf-8")


def render(ls: Linkset, fmt: str) -> str:
    """The linkset in ``csv``, ``sssom`` or ``ttl``.

    :raises InputError: for an unknown format.
    """
    if fmt == "csv":
        return to_csv(ls)
    if fmt == "sssom":
        return to_sssom(ls)
    if fmt == "ttl":
        return to_turtle(ls)
    raise InputError(f"unknown linkset format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")


# ------------------------------------------------------------------------------------------------------- VoID
def _void_for(ls: Linkset, dataset: str) -> list[tuple]:
    info = TARGET_INFO[ls.target]
    iri = URIRef(ls.iri)
    target = URIRef(f"{MAPPING}target-{ls.target}")
    out: list[tuple] = [
        (iri, RDF.type, VOID.Linkset),
        (iri, DCTERMS.title, Literal(ls.title, lang="en")),
        (iri, VOID.subjectsTarget, URIRef(dataset)),
        (URIRef(dataset), VOID.subset, iri),
        (iri, VOID.objectsTarget, target),
        (iri, VOID.triples, Literal(len(ls.links))),
        (iri, DCTERMS.license, URIRef(LICENSE)),
        (target, RDF.type, VOID.Dataset),
        (target, DCTERMS.title, Literal(info["title"], lang="en")),
    ]
    if info["uri_space"]:
        out.append((target, VOID.uriSpace, Literal(info["uri_space"])))
    for p in sorted({link.predicate for link in ls.links}):
        out.append((iri, VOID.linkPredicate, URIRef(p)))
    return out


def void_linksets(g: Graph | None = None, *, dataset: str = DATASET) -> Graph:
    """VoID ``void:Linkset`` descriptions of every non-empty linkset, for the release's VoID file.

    :param g: the graph to count links in (default: :func:`link_graph`).
    :param dataset: the IRI of our dataset (the linksets' ``void:subjectsTarget``; it gets ``void:subset`` links).
    :return: a new rdflib ``Graph``.

    >>> v = void_linksets()
    >>> from dipontology.namespaces import VOID
    >>> from rdflib import URIRef
    >>> int(v.value(URIRef("https://w3id.org/dipontology/id/mapping/linkset-wikidata"), VOID.triples)) >= 5
    True
    """
    g = g if g is not None else link_graph()
    out = bind_all(Graph())
    for target in TARGETS:
        ls = linkset(g, target)
        if ls.links:
            for t in _void_for(ls, dataset):
                out.add(t)
    return out
