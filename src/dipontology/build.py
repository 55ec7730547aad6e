"""The release: ``dipontology build`` writes a versioned, reproducible linked-data release into ``dist/``.

Stages, in order; the build stops at the first one that fails and leaves the previous ``dist/`` untouched:

1. **check** -- ontology quality rules (:func:`dipontology.check.check` over ontology + data); stops on ERROR;
2. **reason** -- HermiT (:func:`dipontology.reason.reason`); stops if inconsistent or a class is unsatisfiable;
3. **validate** -- SHACL (:func:`dipontology.validate.validate`); stops on violations;
4. **queries** -- every named query of the library, its results written as CSV;
5. **write** -- ontology (Turtle, RDF/XML, JSON-LD, N-Triples; versioned and latest), data (Turtle, N-Triples,
   JSON-LD, TriG with one named graph per source file), VoID + DCAT, HTML documentation of the ontology, one page
   (+ Turtle, JSON-LD, N-Triples, RDF/XML) per record, an index with client-side search, SVG pictures (a network per
   case study, a timeline of all case studies), the w3id ``.htaccess`` and ``SHA256SUMS``.

Everything is written into a temporary folder beside ``out_dir`` that is renamed onto it at the end. Two builds
from the same sources give byte-identical files: blank nodes get canonical labels (RDFC-1.0), triples are written
sorted, JSON is written with sorted keys, and the only date in the output is the ontology's ``dcterms:modified``.

>>> import tempfile, pathlib
>>> result = build(pathlib.Path(tempfile.mkdtemp()) / "dist", quiet=True, stages=())   # doctest: +SKIP
>>> result.ok                                                                           # doctest: +SKIP
True
"""
from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources as importlib_resources
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from . import resources
from .errors import InputError
from .namespaces import BASE, DIP, ID_BASE, ONTOLOGY_IRI, PREFIXES, RECORD_KINDS

__all__ = ["BuildResult", "Stage", "build", "STAGES", "RDF_FORMATS", "record_path", "load_sources", "Sources",
           "jsonld_bytes", "network_svg", "timeline_svg", "htaccess"]

STAGES = ("check", "reason", "validate", "queries")

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
FOAF = "http://xmlns.com/foaf/0.1/"
DIPNS = str(DIP)
RDF_TYPE = RDF + "type"

#: serialisation formats of the release: (extension, media type, pyoxigraph format or None for our JSON-LD writer)
RDF_FORMATS: dict[str, tuple[str, ox.RdfFormat | None]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "jsonld": ("application/ld+json", None),
}
TRIG = ("application/trig", ox.RdfFormat.TRIG)
MEDIA_TYPES = {
    "ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json", "trig": "application/trig", "csv": "text/csv", "html": "text/html",
    "json": "application/json", "txt": "text/plain", "js": "text/javascript", "css": "text/css",
    "svg": "image/svg+xml",
}
#: where the source files of the release are named (the TriG graph names)
FILES_BASE = BASE + "files/"
DATASET_IRI = BASE + "dataset"
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_YEAR = re.compile(r"^(-?\d{4})")


# ----------------------------------------------------------------------------------------------------- results
@dataclass
class Stage:
    """One line of the build log: a stage, its status (``ok``, ``failed`` or ``skipped``) and what it found."""

    name: str
    status: str
    detail: str = ""

    def line(self) -> str:
        return f"{self.name}: {self.status}" + (f": {self.detail}" if self.detail else "")


@dataclass
class BuildResult:
    """What :func:`build` did.

    :param out_dir: the release folder (only written when ``ok``).
    :param ok: whether every stage passed and the release was written.
    :param version: the ontology version (``owl:versionInfo``).
    :param stages: the build log, in order.
    :param files: the files of the release, relative to ``out_dir``, sorted.
    :param records: how many record pages were written.
    :param triples: how many triples the ontology and data hold (after de-duplication).
    """

    out_dir: Path
    ok: bool
    version: str = ""
    stages: list[Stage] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    records: int = 0
    triples: int = 0

    @property
    def failed_stage(self) -> Stage | None:
        return next((s for s in self.stages if s.status == "failed"), None)

    def to_text(self) -> str:
        lines = [s.line() for s in self.stages]
        if self.ok:
            lines.append(f"release {self.version} written to {self.out_dir}: {len(self.files)} files, "
                         f"{self.records} record pages, {self.triples} triples")
        else:
            lines.append(f"build stopped; {self.out_dir} left as it was")
        return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------- sources
@dataclass
class Sources:
    """The parsed ontology and data with canonical blank-node labels.

    :param ontology: the ontology's triples.
    :param data: per data file (its release-relative name, e.g. ``data/cases/oslo.ttl``), its triples.
    :param files: the source files, ontology first.
    """

    ontology: list[ox.Triple]
    data: dict[str, list[ox.Triple]]
    files: list[Path]

    def all_triples(self) -> list[ox.Triple]:
        seen: set[ox.Triple] = set(self.ontology)
        for ts in self.data.values():
            seen.update(ts)
        return sorted(seen, key=sort_key)

    def data_triples(self) -> list[ox.Triple]:
        seen: set[ox.Triple] = set()
        for ts in self.data.values():
            seen.update(ts)
        return sorted(seen, key=sort_key)


def _release_name(path: Path, data_root: Path) -> str:
    try:
        return "data/" + path.resolve().relative_to(data_root.resolve()).as_posix()
    except ValueError:
        return "data/" + path.name


def load_sources(ontology_file: Path | None = None, data_dir: Path | None = None) -> Sources:
    """Parse the ontology and the data files (trusted, shipped Turtle) and give blank nodes canonical labels.

    :raises InputError: if a file is not valid Turtle (file and line named).
    """
    from .graph import parse_files
    from .validate import published_files

    onto = Path(ontology_file) if ontology_file else resources.ontology_file()
    data_root = Path(data_dir) if data_dir else resources.data_dir()
    files = published_files(data_dir)
    ds = ox.Dataset()
    onto_graph = ox.NamedNode(FILES_BASE + "ontology/dipontology.ttl")
    for t in parse_files([onto]):
        ds.add(ox.Quad(t.subject, t.predicate, t.object, onto_graph))
    names: list[str] = []
    for f in files:
        name = _release_name(f, data_root)
        names.append(name)
        g = ox.NamedNode(FILES_BASE + name)
        for t in parse_files([f]):
            ds.add(ox.Quad(t.subject, t.predicate, t.object, g))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    ontology = sorted((q.triple for q in ds.quads_for_graph_name(onto_graph)), key=sort_key)
    data = {}
    for name in names:
        data[name] = sorted((q.triple for q in ds.quads_for_graph_name(ox.NamedNode(FILES_BASE + name))),
                            key=sort_key)
    return Sources(ontology=ontology, data=data, files=[onto, *files])


# ----------------------------------------------------------------------------------------------- serialisation
def _term_key(term) -> tuple:
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "")
    return (2, term.value, term.language or term.datatype.value)


def sort_key(t: ox.Triple) -> tuple:
    """Sort triples by subject, ``rdf:type`` first, then predicate and object."""
    return (_term_key(t.subject), t.predicate.value != RDF_TYPE, _term_key(t.predicate), _term_key(t.object))


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    return iri[:cut]


def used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """The project prefixes whose namespace some IRI (or datatype) of ``triples`` lives in, sorted by prefix."""
    seen: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                seen.add(_namespace(term.value))
            elif isinstance(term, ox.Literal) and not term.language:
                seen.add(_namespace(term.datatype.value))
    return {p: ns for p, ns in sorted(PREFIXES.items()) if ns in seen}


def _sort_prefix_lines(data: bytes) -> bytes:
    lines = data.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].startswith(b"@prefix "):
        i += 1
    return b"\n".join(sorted(lines[:i]) + lines[i:])


def serialize(triples: Iterable[ox.Triple], ext: str) -> bytes:
    """Triples as ``ttl``, ``nt``, ``rdf`` or ``jsonld`` bytes, sorted (subjects in sorted order).

    >>> t = ox.Triple(ox.NamedNode("https://w3id.org/dipontology/id/case/a"), ox.NamedNode(RDFS + "label"),
    ...               ox.Literal("A", language="en"))
    >>> print(serialize([t], "ttl").decode(), end="")
    @prefix case: <https://w3id.org/dipontology/id/case/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    case:a rdfs:label "A"@en .
    """
    ts = sorted(set(triples), key=sort_key)
    if ext == "jsonld":
        return jsonld_bytes(ts)
    fmt = RDF_FORMATS[ext][1]
    if ext == "nt":
        return ox.serialize(ts, format=fmt) if ts else b""
    data = ox.serialize(ts, format=fmt, prefixes=used_prefixes(ts)) if ts else b""
    return _sort_prefix_lines(data) if ext == "ttl" else data


def trig_bytes(graphs: dict[str, list[ox.Triple]]) -> bytes:
    """One named graph per source file (graph name ``<https://w3id.org/dipontology/files/<path>>``)."""
    quads = []
    every = []
    for name in sorted(graphs):
        g = ox.NamedNode(FILES_BASE + name)
        ts = sorted(set(graphs[name]), key=sort_key)
        every.extend(ts)
        quads.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in ts)
    prefixes = used_prefixes(every)
    if not quads:
        return b""
    return _sort_prefix_lines(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes))


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    best = None
    for p, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(prefixes[best])):
            best = p
    if best is None:
        return iri
    local = iri[len(prefixes[best]):]
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*", local):
        return iri
    return f"{best}:{local}"


def jsonld_bytes(triples: Iterable[ox.Triple]) -> bytes:
    """Deterministic JSON-LD (a ``@context`` of the prefixes used and a ``@graph`` of node objects sorted by id).

    >>> t = ox.Triple(ox.NamedNode("https://w3id.org/dipontology/id/case/a"), ox.NamedNode(RDFS + "label"),
    ...               ox.Literal("A", language="en"))
    >>> json.loads(jsonld_bytes([t]))["@graph"]
    [{'@id': 'case:a', 'rdfs:label': [{'@language': 'en', '@value': 'A'}]}]
    """
    ts = sorted(set(triples), key=sort_key)
    prefixes = used_prefixes(ts)

    def ident(term) -> str:
        if isinstance(term, ox.BlankNode):
            return "_:" + term.value
        return _compact(term.value, prefixes)

    nodes: dict[tuple, dict] = {}
    for t in ts:
        key = _term_key(t.subject)
        node = nodes.setdefault(key, {"@id": ident(t.subject)})
        o = t.object
        if t.predicate.value == RDF_TYPE and isinstance(o, ox.NamedNode):
            node.setdefault("@type", []).append(ident(o))
            continue
        if isinstance(o, (ox.NamedNode, ox.BlankNode)):
            value = {"@id": ident(o)}
        elif o.language:
            value = {"@value": o.value, "@language": o.language}
        elif o.datatype.value == XSD + "string":
            value = {"@value": o.value}
        else:
            value = {"@value": o.value, "@type": _compact(o.datatype.value, prefixes)}
        node.setdefault(_compact(t.predicate.value, prefixes), []).append(value)
    doc = {"@context": prefixes, "@graph": [nodes[k] for k in sorted(nodes)]}
    return (json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


# -------------------------------------------------------------------------------------------------- the graph
class Index:
    """An in-memory view of the triples for page generation: outgoing and incoming edges, labels, types."""

    def __init__(self, triples: Sequence[ox.Triple]) -> None:
        self.out: dict[object, list[tuple[str, object]]] = defaultdict(list)
        self.inc: dict[object, list[tuple[object, str]]] = defaultdict(list)
        for t in triples:
            self.out[t.subject].append((t.predicate.value, t.object))
            if not isinstance(t.object, ox.Literal):
                self.inc[t.object].append((t.subject, t.predicate.value))
        self._labels: dict[object, str] = {}

    def values(self, s, p: str) -> list:
        return [o for pp, o in self.out.get(s, ()) if pp == p]

    def iris(self, s, p: str) -> list[ox.NamedNode]:
        return [o for o in self.values(s, p) if isinstance(o, ox.NamedNode)]

    def types(self, s) -> list[str]:
        return sorted(o.value for o in self.iris(s, RDF_TYPE))

    def text(self, s, *props: str) -> str | None:
        """The English (or untagged, or any) literal of the first property of ``props`` that has one."""
        for p in props:
            lits = [o for o in self.values(s, p) if isinstance(o, ox.Literal)]
            for pick in (lambda o: o.language == "en", lambda o: not o.language, lambda o: True):
                chosen = sorted(o.value for o in lits if pick(o))
                if chosen:
                    return chosen[0]
        return None

    def label(self, term) -> str:
        if isinstance(term, ox.Literal):
            return term.value
        if term in self._labels:
            return self._labels[term]
        text = self.text(term, RDFS + "label", SKOS + "prefLabel", DCT + "title", FOAF + "name")
        if text is None and isinstance(term, ox.NamedNode):
            text = COMMON_LABELS.get(term.value)
        if text is None:
            if isinstance(term, ox.NamedNode):
                text = _compact(term.value, PREFIXES)
                if text == term.value:
                    text = term.value.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or term.value
            else:
                text = "(unnamed node)"
        self._labels[term] = text
        return text


#: labels for the few external terms the pages show, when the graph does not label them
COMMON_LABELS = {
    RDF_TYPE: "type", RDFS + "label": "label", RDFS + "comment": "comment", RDFS + "seeAlso": "see also",
    RDFS + "subClassOf": "subclass of", RDFS + "subPropertyOf": "subproperty of", RDFS + "domain": "domain",
    RDFS + "range": "range", RDFS + "isDefinedBy": "defined by", DCT + "source": "source", DCT + "title": "title",
    DCT + "description": "description", DCT + "creator": "creator", DCT + "issued": "issued",
    DCT + "bibliographicCitation": "citation", DCT + "identifier": "identifier", DCT + "publisher": "publisher",
    DCT + "isPartOf": "is part of", DCT + "isReplacedBy": "is replaced by", SKOS + "definition": "definition",
    SKOS + "prefLabel": "preferred label", SKOS + "altLabel": "alternative label", SKOS + "inScheme": "in scheme",
    SKOS + "exactMatch": "exact match", SKOS + "closeMatch": "close match", SKOS + "broader": "broader",
    SKOS + "narrower": "narrower", SKOS + "note": "note", OWL + "sameAs": "same as", OWL + "deprecated": "deprecated",
    FOAF + "name": "name", FOAF + "page": "page",
}


def record_path(iri: str) -> tuple[str, str] | None:
    """``(kind, slug)`` of a record IRI, or ``None`` if ``iri`` is not a record IRI with a file-safe slug.

    >>> record_path("https://w3id.org/dipontology/id/case/oslo-back-channel")
    ('case', 'oslo-back-channel')
    >>> record_path("https://w3id.org/dipontology/ontology#TrackTwo") is None
    True
    """
    if not iri.startswith(ID_BASE):
        return None
    rest = iri[len(ID_BASE):]
    parts = rest.split("/")
    if len(parts) != 2 or parts[0] not in RECORD_KINDS or not _SLUG.match(parts[1]) or parts[1].endswith(
            tuple("." + e for e in (*RDF_FORMATS, "html"))):
        return None
    return parts[0], parts[1]


# ----------------------------------------------------------------------------------------------------- HTML
def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _site_asset(name: str) -> bytes:
    return importlib_resources.files("dipontology.site").joinpath(name).read_bytes()


class Site:
    """Renders the HTML pages and pictures of a release."""

    def __init__(self, index: Index, version: str, modified: str, title: str,
                 pages: set[str] | None = None) -> None:
        self.ix = index
        self.version = version
        self.modified = modified
        self.title = title
        #: the record IRIs that get a page (links to other record IRIs are shown as text); None: every record
        self.pages = pages

    # -- links
    def href(self, term, root: str) -> str | None:
        if not isinstance(term, ox.NamedNode):
            return None
        v = term.value
        rp = record_path(v)
        if rp:
            if self.pages is not None and v not in self.pages:
                return None
            return f"{root}id/{rp[0]}/{rp[1]}.html"
        if v.startswith(DIPNS):
            return f"{root}ontology/index.html#{v[len(DIPNS):]}"
        if v == ONTOLOGY_IRI:
            return f"{root}ontology/index.html"
        if v.startswith(("http://", "https://")):
            return v
        return None

    def link(self, term, root: str) -> str:
        if isinstance(term, ox.Literal):
            text = esc(term.value)
            if term.language and term.language != "en":
                text += f' <span class="lang">@{esc(term.language)}</span>'
            elif not term.language and term.datatype.value not in (XSD + "string",):
                text += f' <span class="dt">{esc(_compact(term.datatype.value, PREFIXES))}</span>'
            return text
        if isinstance(term, ox.BlankNode):
            return self.inline(term, root)
        label = self.ix.label(term)
        h = self.href(term, root)
        title = esc(term.value)
        if h is None:
            return f'<span title="{title}">{esc(label)}</span>'
        return f'<a href="{esc(h)}" title="{title}">{esc(label)}</a>'

    def inline(self, node, root: str, depth: int = 0) -> str:
        """A blank node (an OWL restriction, a list) or a qualified statement shown inline."""
        if depth > 3:
            return "&hellip;"
        if isinstance(node, ox.BlankNode):
            items = self._list_items(node)
            if items is not None:
                return ", ".join(self.link(i, root) for i in items)
        parts = []
        for p, o in sorted(self.ix.out.get(node, ()), key=lambda po: (po[0] != RDF_TYPE, po[0], _term_key(po[1]))):
            if p in (RDFS + "label",):
                continue
            if isinstance(o, ox.BlankNode):
                shown = self.inline(o, root, depth + 1)
            else:
                shown = self.link(o, root)
            parts.append(f'<span class="pv"><span class="p">{esc(self.prop_label(p))}</span> {shown}</span>')
        return '<span class="inline">' + "; ".join(parts) + "</span>"

    def _list_items(self, node) -> list | None:
        items = []
        seen = set()
        while isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            first = self.ix.values(node, RDF + "first")
            rest = self.ix.values(node, RDF + "rest")
            if not first or not rest:
                return None
            items.append(first[0])
            node = rest[0]
        if isinstance(node, ox.NamedNode) and node.value == RDF + "nil":
            return items
        return None

    def prop_label(self, p: str) -> str:
        return self.ix.label(ox.NamedNode(p))

    # -- page frame
    def page(self, title: str, body: str, root: str, *, head: str = "", description: str = "") -> bytes:
        desc = f'<meta name="description" content="{esc(description[:300])}">\n' if description else ""
        doc = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} &middot; dipontology</title>
{desc}<link rel="stylesheet" href="{root}assets/style.css">
{head}</head>
<body>
<header class="site"><a class="brand" href="{root}index.html">dipontology</a>
<nav><a href="{root}index.html#cases">Case studies</a> <a href="{root}ontology/index.html">Ontology</a>
<a href="{root}index.html#timeline">Timeline</a> <a href="{root}void.ttl">VoID</a></nav></header>
<main>
{body}
</main>
<footer>dipontology {esc(self.version)} &middot; modified {esc(self.modified)} &middot; ontology and data CC BY 4.0
&middot; <a href="{root}SHA256SUMS">checksums</a></footer>
</body>
</html>
"""
        return doc.encode("utf-8")

    # -- record pages
    def record_page(self, node: ox.NamedNode, kind: str, slug: str) -> bytes:
        ix = self.ix
        root = "../../"
        label = ix.label(node)
        desc = ix.text(node, DCT + "description", SKOS + "definition", RDFS + "comment") or ""
        types = ix.iris(node, RDF_TYPE)
        head = (f'<link rel="alternate" type="text/turtle" href="{esc(slug)}.ttl">\n'
                f'<link rel="alternate" type="application/ld+json" href="{esc(slug)}.jsonld">\n'
                f'<link rel="alternate" type="application/n-triples" href="{esc(slug)}.nt">\n'
                f'<link rel="alternate" type="application/rdf+xml" href="{esc(slug)}.rdf">\n')
        out = [f'<article class="record" data-kind="{esc(kind)}">',
               f'<p class="kind">{esc(kind)}</p>',
               f"<h1>{esc(label)}</h1>",
               f'<p class="iri"><code>{esc(node.value)}</code> &middot; '
               f'<a href="{esc(slug)}.ttl">Turtle</a> <a href="{esc(slug)}.jsonld">JSON-LD</a> '
               f'<a href="{esc(slug)}.nt">N-Triples</a> <a href="{esc(slug)}.rdf">RDF/XML</a></p>']
        if types:
            out.append('<p class="types">' + ", ".join(self.link(t, root) for t in sorted(types, key=_term_key))
                       + "</p>")
        if desc:
            out.append(f'<p class="description">{esc(desc)}</p>')
        if self.is_case(node):
            out.append('<figure class="network">' + network_svg(self, node, root) +
                       "<figcaption>Who took part and how, the tracks, methods and outcomes of this case study, "
                       "drawn from the graph.</figcaption></figure>")
        skip = {RDF_TYPE, RDFS + "label", DCT + "description", DCT + "source"}
        rows = defaultdict(list)
        for p, o in ix.out.get(node, ()):
            if p not in skip:
                rows[p].append(o)
        out.append('<h2>Statements</h2>\n<table class="statements"><tbody>')
        for p in sorted(rows, key=lambda p: (self.prop_label(p).lower(), p)):
            vals = sorted(rows[p], key=_term_key)
            cells = []
            for o in vals:
                rp = record_path(o.value) if isinstance(o, ox.NamedNode) else None
                if rp and rp[0] == "statement":
                    cells.append(f'<li>{self.link(o, root)}: {self.inline(o, root)}</li>')
                else:
                    cells.append(f"<li>{self.link(o, root)}</li>")
            out.append(f'<tr><th><a href="{esc(self.href(ox.NamedNode(p), root) or p)}" title="{esc(p)}">'
                       f'{esc(self.prop_label(p))}</a></th><td><ul>{"".join(cells)}</ul></td></tr>')
        out.append("</tbody></table>")
        sources = sorted(ix.iris(node, DCT + "source"), key=_term_key)
        if sources:
            out.append('<h2>Sources</h2>\n<ul class="sources">')
            for s in sources:
                cite = ix.text(s, DCT + "bibliographicCitation")
                out.append(f"<li>{self.link(s, root)}" + (f' <span class="cite">{esc(cite)}</span>' if cite else "")
                           + "</li>")
            out.append("</ul>")
        refs = sorted({(s, p) for s, p in ix.inc.get(node, ()) if isinstance(s, ox.NamedNode)},
                      key=lambda sp: (self.ix.label(sp[0]).lower(), sp[0].value, sp[1]))
        if refs:
            out.append('<h2>Referenced by</h2>\n<ul class="refs">')
            for s, p in refs:
                out.append(f'<li>{self.link(s, root)} <span class="p">{esc(self.prop_label(p))}</span></li>')
            out.append("</ul>")
        out.append("</article>")
        return self.page(label, "\n".join(out), root, head=head, description=desc)

    def is_case(self, node) -> bool:
        rp = record_path(node.value) if isinstance(node, ox.NamedNode) else None
        return bool(rp and rp[0] == "case")

    # -- ontology documentation
    def ontology_page(self, usage: dict[str, int]) -> bytes:
        ix = self.ix
        root = "../"
        onto = ox.NamedNode(ONTOLOGY_IRI)
        title = ix.text(onto, DCT + "title") or "dipontology"
        desc = ix.text(onto, DCT + "description") or ""
        groups = [("Classes", OWL + "Class"), ("Object properties", OWL + "ObjectProperty"),
                  ("Datatype properties", OWL + "DatatypeProperty"),
                  ("Annotation properties", OWL + "AnnotationProperty"), ("Individuals", OWL + "NamedIndividual")]
        terms: dict[str, list[ox.NamedNode]] = {g: [] for g, _ in groups}
        placed = set()
        for gname, cls in groups:
            for s, p in ix.inc.get(ox.NamedNode(cls), ()):
                if p == RDF_TYPE and isinstance(s, ox.NamedNode) and s.value.startswith(DIPNS) and s not in placed:
                    terms[gname].append(s)
                    placed.add(s)
        # individuals typed only by a dip: class
        for s in list(ix.out):
            if isinstance(s, ox.NamedNode) and s.value.startswith(DIPNS) and s not in placed and ix.types(s):
                terms["Individuals"].append(s)
                placed.add(s)
        out = [f"<h1>{esc(title)}</h1>", f'<p class="iri"><code>{esc(ONTOLOGY_IRI)}</code> &middot; version '
               f'<code>{esc(ONTOLOGY_IRI)}/{esc(self.version)}</code> &middot; '
               f'<a href="{root}ontology/{esc(self.version)}/dipontology.ttl">Turtle</a> '
               f'<a href="{root}ontology/{esc(self.version)}/dipontology.rdf">RDF/XML</a> '
               f'<a href="{root}ontology/{esc(self.version)}/dipontology.jsonld">JSON-LD</a> '
               f'<a href="{root}ontology/{esc(self.version)}/dipontology.nt">N-Triples</a></p>',
               f'<p class="description">{esc(desc)}</p>', '<nav class="toc"><ul>']
        for gname, _ in groups:
            out.append(f'<li><a href="#{esc(_anchor(gname))}">{esc(gname)}</a> ({len(terms[gname])})</li>')
        out.append("</ul></nav>")
        for gname, _ in groups:
            out.append(f'<section id="{esc(_anchor(gname))}"><h2>{esc(gname)}</h2>')
            for term in sorted(terms[gname], key=lambda t: t.value):
                out.append(self._term_block(term, usage.get(term.value, 0), root))
            out.append("</section>")
        return self.page(title, "\n".join(out), root, description=desc)

    def _term_block(self, term: ox.NamedNode, used: int, root: str) -> str:
        ix = self.ix
        local = term.value[len(DIPNS):]
        rows = []

        def row(name: str, values: Iterable) -> None:
            vals = list(values)
            if vals:
                rows.append(f"<tr><th>{esc(name)}</th><td>" + ", ".join(self.link(v, root) for v in vals)
                            + "</td></tr>")

        definition = ix.text(term, SKOS + "definition")
        comment = ix.text(term, RDFS + "comment")
        supers = [o for o in ix.values(term, RDFS + "subClassOf")] + ix.values(term, RDFS + "subPropertyOf")
        subs = sorted({s for s, p in ix.inc.get(term, ()) if p in (RDFS + "subClassOf", RDFS + "subPropertyOf")
                       and isinstance(s, ox.NamedNode)}, key=lambda t: t.value)
        types = [t for t in ix.iris(term, RDF_TYPE) if not t.value.startswith(OWL)]
        row("IRI", [ox.Literal(term.value)])
        row("Type", sorted(types, key=_term_key))
        row("Super-classes" if ix.values(term, RDFS + "subClassOf") else "Super-properties",
            sorted(supers, key=_term_key))
        if subs:
            row("Sub-classes" if ix.values(subs[0], RDFS + "subClassOf") else "Sub-properties", subs)
        row("Domain", sorted(ix.values(term, RDFS + "domain"), key=_term_key))
        row("Range", sorted(ix.values(term, RDFS + "range"), key=_term_key))
        row("Inverse of", sorted(ix.values(term, OWL + "inverseOf"), key=_term_key))
        row("Equivalent to", sorted(ix.values(term, OWL + "equivalentClass"), key=_term_key))
        row("Disjoint with", sorted(ix.values(term, OWL + "disjointWith"), key=_term_key))
        row("Source", sorted(ix.values(term, DCT + "source"), key=_term_key))
        row("Matches", sorted(ix.values(term, SKOS + "exactMatch") + ix.values(term, SKOS + "closeMatch"),
                              key=_term_key))
        rows.append(f"<tr><th>Used by</th><td>{used} record{'s' if used != 1 else ''}</td></tr>")
        return (f'<div class="term" id="{esc(local)}"><h3>{esc(ix.label(term))} <code>dip:{esc(local)}</code></h3>'
                + (f'<p class="definition">{esc(definition)}</p>' if definition else "")
                + (f'<p class="comment">{esc(comment)}</p>' if comment and comment != definition else "")
                + '<table class="term-table"><tbody>' + "".join(rows) + "</tbody></table></div>")

    # -- index
    def index_page(self, records: list[tuple[ox.NamedNode, str, str]], cases: list[ox.NamedNode],
                   stats: dict[str, int], timeline: str, undated: list[ox.NamedNode]) -> bytes:
        ix = self.ix
        root = ""
        onto = ox.NamedNode(ONTOLOGY_IRI)
        desc = ix.text(onto, DCT + "description") or ""
        out = [f"<h1>{esc(self.title)}</h1>", f'<p class="description">{esc(desc)}</p>',
               '<section class="search"><label for="q">Search records and terms</label> '
               '<input id="q" type="search" autocomplete="off" placeholder="e.g. Oslo, Track II, youth">'
               '<ol id="results" aria-live="polite"></ol></section>',
               '<section class="stats"><h2>In this release</h2><ul>']
        for k in sorted(stats):
            out.append(f"<li><strong>{stats[k]}</strong> {esc(k)}</li>")
        out.append("</ul><p>Downloads: "
                   '<a href="ontology/dipontology.ttl">ontology (Turtle)</a>, '
                   '<a href="data/dipontology-data.ttl">data (Turtle)</a>, '
                   '<a href="data/dipontology-data.trig">data with provenance (TriG)</a>, '
                   '<a href="void.ttl">VoID/DCAT description</a>, <a href="SHA256SUMS">checksums</a>, '
                   '<a href="reports/build-log.txt">build log</a>.</p></section>')
        out.append('<section id="timeline"><h2>Timeline of the case studies by track</h2>'
                   f'<figure class="timeline">{timeline}<figcaption>One lane per track. Bars: the dates of the track '
                   'classification or of the case study; dashed bars: only the decade is known; dots: the years of '
                   'the dated activities and outcomes of a case study that has no dates of its own.</figcaption>'
                   '</figure>')
        if undated:
            out.append('<h3>No date in the sources</h3><ul class="undated">')
            for c in undated:
                out.append(f"<li>{self.link(c, root)}</li>")
            out.append("</ul>")
        out.append("</section>")
        out.append(f'<section id="cases"><h2>Case studies ({len(cases)})</h2><ul class="cases">')
        for c in cases:
            d = ix.text(c, DCT + "description") or ""
            out.append(f"<li>{self.link(c, root)}" + (f" &mdash; {esc(_short(d, 200))}" if d else "") + "</li>")
        out.append("</ul></section>")
        by_kind = defaultdict(list)
        for node, kind, slug in records:
            by_kind[kind].append((node, slug))
        out.append('<section id="records"><h2>All records</h2><ul class="kinds">')
        for kind in sorted(by_kind):
            out.append(f'<li><a href="id/{esc(kind)}/index.html">{esc(kind)}</a> ({len(by_kind[kind])})</li>')
        out.append("</ul></section>")
        head = '<script src="search-index.js" defer></script>\n<script src="assets/search.js" defer></script>\n'
        return self.page(self.title, "\n".join(out), root, head=head, description=desc)

    def kind_page(self, kind: str, items: list[tuple[ox.NamedNode, str]]) -> bytes:
        root = "../../"
        out = [f"<h1>{esc(kind)} records ({len(items)})</h1>", '<ul class="records">']
        for node, _slug in sorted(items, key=lambda ns: (self.ix.label(ns[0]).lower(), ns[0].value)):
            out.append(f"<li>{self.link(node, root)}</li>")
        out.append("</ul>")
        return self.page(f"{kind} records", "\n".join(out), root)


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


# ---------------------------------------------------------------------------------------------------- pictures
GROUP_COLOURS = {
    "actor": "#1f77b4", "track": "#d62728", "method": "#2ca02c", "outcome": "#9467bd", "conflict": "#8c564b",
    "place": "#e377c2", "theory": "#7f7f7f", "challenge": "#bcbd22", "initiative": "#17becf",
}
GROUP_NAMES = {"actor": "actors (role)", "track": "tracks", "method": "methods", "outcome": "outcomes",
               "conflict": "conflict", "place": "places", "theory": "theories", "challenge": "challenges",
               "initiative": "linked initiatives"}


def case_neighbours(site: Site, case: ox.NamedNode) -> list[tuple[str, ox.NamedNode, str]]:
    """``(group, node, edge label)`` around a case study, merged per node, sorted by group then label."""
    ix = site.ix
    found: dict[tuple[str, ox.NamedNode], set[str]] = defaultdict(set)

    def add(group: str, node, edge: str = "") -> None:
        if isinstance(node, ox.NamedNode):
            found[(group, node)]
            if edge:
                found[(group, node)].add(edge)

    for st in ix.iris(case, DIPNS + "hasParticipation"):
        roles = [ix.label(r) for r in ix.iris(st, DIPNS + "role")]
        caps = [ix.label(c) for c in ix.iris(st, DIPNS + "capacity")]
        for actor in ix.iris(st, DIPNS + "participant"):
            for r in roles or [""]:
                add("actor", actor, r + (f" ({', '.join(caps)})" if caps and r else ""))
    for actor in ix.iris(case, DIPNS + "hasParticipant"):
        add("actor", actor)
    for st in ix.iris(case, DIPNS + "hasTrackClassification"):
        years = _span(ix, st)
        for tr in ix.iris(st, DIPNS + "track"):
            add("track", tr, years)
    for tr in ix.iris(case, DIPNS + "hasTrack"):
        add("track", tr)
    for m in ix.iris(case, DIPNS + "usesMethod"):
        add("method", m)
    for st in ix.iris(case, DIPNS + "hasOutcomeAttribution"):
        for o in ix.iris(st, DIPNS + "outcome"):
            add("outcome", o)
    for o in ix.iris(case, DIPNS + "hadOutcome"):
        add("outcome", o)
    for c in ix.iris(case, DIPNS + "addressesConflict"):
        add("conflict", c)
    for p in ix.iris(case, DIPNS + "location"):
        add("place", p)
    for t in ix.iris(case, DIPNS + "restsOnTheory"):
        add("theory", t)
    for c in ix.iris(case, DIPNS + "facedChallenge"):
        add("challenge", c)
    for prop, word in (("partOf", "part of"), ("followedBy", "followed by"), ("ledTo", "led to"),
                       ("complements", "complements"), ("hasPart", "has part"), ("precededBy", "preceded by")):
        for other in ix.iris(case, DIPNS + prop):
            add("initiative", other, word)
    order = list(GROUP_COLOURS)
    items = [(g, n, "; ".join(sorted(e))) for (g, n), e in found.items()]
    items.sort(key=lambda x: (order.index(x[0]), ix.label(x[1]).lower(), x[1].value))
    return items


def _span(ix: Index, node) -> str:
    start = _year(ix, node, DIPNS + "startDate")
    end = _year(ix, node, DIPNS + "endDate")
    if start is None and end is None:
        return ""
    if start == end or end is None:
        return f"{start}" + ("\u2013" if end is None and start is not None else "")
    return f"{start if start is not None else '?'}\u2013{end}"


def _year(ix: Index, node, prop: str) -> int | None:
    for lit in sorted((o for o in ix.values(node, prop) if isinstance(o, ox.Literal)), key=lambda o: o.value):
        m = _YEAR.match(lit.value)
        if m:
            return int(m.group(1))
    return None


def _f(x: float) -> str:
    s = f"{x:.1f}"
    return "0.0" if s == "-0.0" else s


def _svg_text(x: float, y: float, text: str, *, anchor: str = "middle", cls: str = "", size: int = 12) -> str:
    c = f' class="{cls}"' if cls else ""
    return (f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{size}"{c}>'
            f"{esc(text)}</text>")


def network_svg(site: Site, case: ox.NamedNode, root: str) -> str:
    """A radial network around the case study: the initiative in the middle, its neighbours on an ellipse
    (grouped, in a fixed order), an edge per relation labelled with the role or the dates."""
    ix = site.ix
    items = case_neighbours(site, case)
    n = len(items)
    width = 960
    rx, ry = 360.0, 190.0 + 8 * max(0, n - 10)
    height = int(2 * ry + 180)
    cx, cy = width / 2, height / 2 + 10
    label = ix.label(case)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="network-svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{esc("Network of " + label)}">',
             f"<title>{esc('Network of ' + label)}</title>"]
    nodes = []
    for i, (group, node, edge) in enumerate(items):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        k = 0.78 if n > 8 and i % 2 else 1.0  # stagger neighbours so that long labels do not collide
        x, y = cx + k * rx * math.cos(angle), cy + k * ry * math.sin(angle)
        nodes.append((group, node, edge, x, y))
        parts.append(f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}" stroke="{GROUP_COLOURS[group]}" '
                     'stroke-opacity="0.55" stroke-width="1.5"/>')
        if edge:
            f = 0.62 if i % 2 == 0 else 0.45
            mx, my = cx + (x - cx) * f, cy + (y - cy) * f
            parts.append(_svg_text(mx, my - 3, _short(edge, 38), cls="edge", size=10))
    for group, node, edge, x, y in nodes:
        text = _short(ix.label(node), 30)
        h = site.href(node, root)
        w = 16 + 6.6 * len(text)
        shape = (f'<rect x="{_f(x - w / 2)}" y="{_f(y - 13)}" width="{_f(w)}" height="26" rx="13" '
                 f'fill="#fff" stroke="{GROUP_COLOURS[group]}" stroke-width="2"/>'
                 + _svg_text(x, y + 4, text, size=12) + f"<title>{esc(ix.label(node))} ({esc(group)})</title>")
        parts.append(f'<a href="{esc(h)}" class="node {group}">{shape}</a>' if h else f'<g class="node">{shape}</g>')
    ctext = _short(label, 40)
    cw = 30 + 8 * len(ctext)
    parts.append(f'<rect x="{_f(cx - cw / 2)}" y="{_f(cy - 20)}" width="{_f(cw)}" height="40" rx="8" '
                 f'fill="{GROUP_COLOURS["initiative"]}" stroke="#0b5d66" stroke-width="2"/>')
    parts.append(_svg_text(cx, cy + 5, ctext, cls="centre", size=15))
    # legend
    present = [g for g in GROUP_COLOURS if any(it[0] == g for it in items)]
    lx = 12.0
    for g in present:
        parts.append(f'<rect x="{_f(lx)}" y="10" width="12" height="12" fill="{GROUP_COLOURS[g]}"/>')
        parts.append(_svg_text(lx + 16, 20, GROUP_NAMES[g], anchor="start", size=11))
        lx += 30 + 6.2 * len(GROUP_NAMES[g])
    if not items:
        parts.append(_svg_text(cx, cy + 50, "no actors, tracks, methods or outcomes recorded yet", size=12))
    parts.append("</svg>")
    return "".join(parts)


#: the timeline lane of dated case studies that no source classifies by track
NO_TRACK = ox.NamedNode(BASE + "void#no-track")


def _event_years(ix: Index, case) -> list[int]:
    """Years of the dated activities and outcomes of a case study (``dip:date``, start and end dates)."""
    nodes = list(ix.iris(case, DIPNS + "usesMethod")) + list(ix.iris(case, DIPNS + "hadOutcome"))
    for st in ix.iris(case, DIPNS + "hasOutcomeAttribution"):
        nodes += ix.iris(st, DIPNS + "outcome")
    years = set()
    for n in nodes:
        for prop in ("date", "startDate", "endDate"):
            y = _year(ix, n, DIPNS + prop)
            if y is not None:
                years.add(y)
    return sorted(years)


def timeline_entries(site: Site, cases: list[ox.NamedNode]) -> tuple[dict[ox.NamedNode, list], list]:
    """Per track, bars ``(start, end, case, how, points)``; and the cases with no date at all.

    A case study is dated by its own start and end dates (or those of its track classification), else by the dated
    activities and outcomes it points to (``how`` = ``"events"``, drawn as points joined by a thin line), else by
    the decade its source gives (``how`` = ``"decade"``).
    """
    ix = site.ix
    lanes: dict[ox.NamedNode, list] = defaultdict(list)
    undated = []
    for case in cases:
        cstart = _year(ix, case, DIPNS + "startDate")
        cend = _year(ix, case, DIPNS + "endDate")
        how, points = "dates", []
        if cstart is None and cend is None:
            events = _event_years(ix, case)
            dec = _year(ix, case, DIPNS + "decade")
            if events:
                cstart, cend, how, points = events[0], events[-1], "events", events
            elif dec is not None:
                cstart, cend, how = dec, dec + 9, "decade"
        dated = False
        tracks = set()
        for st in ix.iris(case, DIPNS + "hasTrackClassification"):
            s, e = _year(ix, st, DIPNS + "startDate"), _year(ix, st, DIPNS + "endDate")
            kind, pts = "dates", []
            if s is None and e is None:
                s, e, kind, pts = cstart, cend, how, points
            for tr in ix.iris(st, DIPNS + "track"):
                if tr in tracks:
                    continue
                tracks.add(tr)
                if s is not None or e is not None:
                    lanes[tr].append((s if s is not None else e, e if e is not None else s, case, kind, pts))
                    dated = True
        for tr in ix.iris(case, DIPNS + "hasTrack"):
            if tr not in tracks and (cstart is not None or cend is not None):
                tracks.add(tr)
                lanes[tr].append((cstart if cstart is not None else cend, cend if cend is not None else cstart, case,
                                  how, points))
                dated = True
        if not tracks and (cstart is not None or cend is not None):
            lanes[NO_TRACK].append((cstart if cstart is not None else cend, cend if cend is not None else cstart, case,
                                    how, points))
            dated = True
        if not dated:
            undated.append(case)
    return lanes, undated


def timeline_svg(site: Site, cases: list[ox.NamedNode], root: str = "") -> tuple[str, list[ox.NamedNode]]:
    """The timeline picture (SVG) and the cases left out for lack of a date."""
    ix = site.ix
    lanes, undated = timeline_entries(site, cases)
    width = 960
    left, right = 190.0, 20.0
    if not lanes:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" viewBox="0 0 {width} 60" '
                'width="100%" role="img" aria-label="Timeline"><title>Timeline</title>'
                + _svg_text(width / 2, 35, "no dated case studies yet", size=13) + "</svg>"), undated
    years = [y for bars in lanes.values() for s, e, *_ in bars for y in (s, e)]
    y0 = (min(years) // 10) * 10
    y1 = (max(years) // 10 + 1) * 10
    span = max(y1 - y0, 1)

    def x(year: float) -> float:
        return left + (width - left - right) * (year - y0) / span

    order = {t: i for i, t in enumerate(
        DIPNS + n for n in ("TrackOne", "TrackOneAndAHalf", "TrackTwo", "CitizenDiplomacy", "TrackThree",
                         "MultiTrackDiplomacy"))}
    track_list = sorted(lanes, key=lambda t: (order.get(t.value, 100 if t == NO_TRACK else 99), ix.label(t).lower(), t.value))
    rows_svg = []
    y = 40.0
    row_h = 22.0
    for ti, tr in enumerate(track_list):
        bars = sorted(lanes[tr], key=lambda b: (b[0], b[1], ix.label(b[2]).lower(), b[2].value))
        rows_end: list[float] = []
        placed = []
        for s, e, case, how, points in bars:
            xs = x(s)
            xe = max(x(e + 1) if e >= s else xs + 6, xs + 6)
            text_end = xe + 6 + 6.2 * len(_short(ix.label(case), 40))
            for r, end in enumerate(rows_end):
                if xs > end + 4:
                    rows_end[r] = text_end
                    break
            else:
                r = len(rows_end)
                rows_end.append(text_end)
            placed.append((r, xs, xe, s, e, case, how, points))
        lane_h = max(1, len(rows_end)) * row_h + 12
        fill = "#f5f7fa" if ti % 2 == 0 else "#ffffff"
        rows_svg.append(f'<rect x="0" y="{_f(y)}" width="{width}" height="{_f(lane_h)}" fill="{fill}"/>')
        h = site.href(tr, root) if tr != NO_TRACK else None
        lane_label = "no track in the sources" if tr == NO_TRACK else ix.label(tr)
        lab = _svg_text(10, y + 17, _short(lane_label, 28), anchor="start", cls="lane", size=12)
        rows_svg.append(f'<a href="{esc(h)}">{lab}</a>' if h else lab)
        for r, xs, xe, s, e, case, how, points in placed:
            by = y + 6 + r * row_h
            ch = site.href(case, root)
            when = f"{s}" if s == e else f"{s}\u2013{e}"
            note = {"dates": "", "decade": " (the decade its source gives)",
                    "events": " (dated by its activities and outcomes: " + ", ".join(map(str, points)) + ")"}[how]
            if how == "events":
                shape = (f'<line x1="{_f(xs + 3)}" y1="{_f(by + 7)}" x2="{_f(max(xe - 3, xs + 3))}" y2="{_f(by + 7)}" '
                         'stroke="#d62728" stroke-width="2" stroke-opacity="0.6"/>'
                         + "".join(f'<circle cx="{_f((x(p) + x(p + 1)) / 2)}" cy="{_f(by + 7)}" r="5" fill="#d62728"/>'
                                   for p in points))
            else:
                dash = ' stroke="#d62728" stroke-dasharray="3,2" fill-opacity="0.35"' if how == "decade" else \
                    ' fill-opacity="0.75"'
                shape = (f'<rect x="{_f(xs)}" y="{_f(by)}" width="{_f(xe - xs)}" height="14" rx="3" fill="#d62728"'
                         f'{dash}/>')
            bar = (shape + _svg_text(xe + 6, by + 11, _short(ix.label(case), 40), anchor="start", size=11)
                   + f"<title>{esc(ix.label(case))}, {esc(lane_label)}, {esc(when)}{esc(note)}</title>")
            rows_svg.append(f'<a href="{esc(ch)}" class="bar">{bar}</a>' if ch else f"<g>{bar}</g>")
        y += lane_h
    height = int(y + 30)
    axis = [f'<line x1="{_f(left)}" y1="30" x2="{_f(width - right)}" y2="30" stroke="#333"/>']
    step = 10 if span <= 120 else 50
    for yr in range(y0, y1 + 1, step):
        axis.append(f'<line x1="{_f(x(yr))}" y1="26" x2="{_f(x(yr))}" y2="{height - 24}" stroke="#ccc" '
                    'stroke-dasharray="2,3"/>')
        axis.append(_svg_text(x(yr), 20, str(yr), size=11))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-svg" viewBox="0 0 {width} {height}" '
           f'width="100%" role="img" aria-label="Timeline of the case studies by track">'
           "<title>Timeline of the case studies by track</title>" + "".join(rows_svg) + "".join(axis) + "</svg>")
    return svg, undated


# ---------------------------------------------------------------------------------------------------- .htaccess
def htaccess(version: str, site_url: str | None = None) -> str:
    """The w3id.org ``.htaccess``: content negotiation for the ontology and record IRIs (W3C Best Practice
    Recipes for Publishing RDF Vocabularies, recipe 3 for the hash ontology, extended to slash record IRIs),
    answered with 303 redirects to the files of the release, which is deployed at the same path.

    mod_rewrite cannot weigh ``q`` values, so the RDF media types are tested first (a browser's Accept header
    names none of them) and HTML is the default.

    :param site_url: where the release is hosted (e.g. ``https://example.github.io/dipontology/``): redirects
        then go there, which is what the w3id.org redirect folder needs. Without it, redirects are relative: the
        release itself is served by Apache at ``https://w3id.org/dipontology/``.

    >>> "RewriteRule ^dataset$ https://h.example/d/void.ttl [R=303,L]" in htaccess("1.0", "https://h.example/d")
    True
    """
    v = re.escape(version)
    to = (site_url.rstrip("/") + "/") if site_url else ""
    lines = [
        "# w3id.org/dipontology: content negotiation for the ontology and the record IRIs.",
        "# W3C 'Best Practice Recipes for Publishing RDF Vocabularies' (recipe 3, hash namespace), extended to the",
        "# slash record IRIs https://w3id.org/dipontology/id/<kind>/<slug>. RDF media types are tested first;",
        "# HTML is the default (browsers, unknown Accept headers).",
        "Options -MultiViews",
        "AddType text/turtle .ttl",
        "AddType application/rdf+xml .rdf",
        "AddType application/ld+json .jsonld",
        "AddType application/n-triples .nt",
        "AddType application/trig .trig",
        "AddType text/html .html",
        "AddCharset UTF-8 .ttl .nt .jsonld .trig .html",
        "<IfModule mod_headers.c>",
        "  Header append Vary Accept",
        "</IfModule>",
        "RewriteEngine on",
        "",
    ]
    negotiated = [("application/rdf\\+xml", "rdf"), ("text/turtle", "ttl"), ("application/x-turtle", "ttl"),
                  ("application/ld\\+json", "jsonld"), ("application/n-triples", "nt")]
    for label, pattern in (("ontology (latest)", "^ontology/?$"), (f"ontology version {version}", f"^ontology/{v}/?$")):
        lines.append(f"# {label}")
        for accept, ext in negotiated:
            lines.append(f"RewriteCond %{{HTTP_ACCEPT}} {accept}")
            lines.append(f"RewriteRule {pattern} {to}ontology/{version}/dipontology.{ext} [R=303,L]")
        lines.append(f"RewriteRule {pattern} {to}ontology/index.html [R=303,L]")
        lines.append("")
    rec = "^id/([a-z]+)/([A-Za-z0-9][A-Za-z0-9._-]*)$"
    lines.append("# records (a URL that already names a file, such as .../oslo-back-channel.ttl, is served as is)")
    for accept, ext in negotiated:
        lines.append("RewriteCond %{REQUEST_URI} !\\.(html|ttl|jsonld|nt|rdf)$")
        lines.append(f"RewriteCond %{{HTTP_ACCEPT}} {accept}")
        lines.append(f"RewriteRule {rec} {to}id/$1/$2.{ext} [R=303,L]")
    lines.append("RewriteCond %{REQUEST_URI} !\\.(html|ttl|jsonld|nt|rdf)$")
    lines.append(f"RewriteRule {rec} {to}id/$1/$2.html [R=303,L]")
    lines.append("")
    lines.append("# the dataset description")
    lines.append(f"RewriteRule ^dataset$ {to}void.ttl [R=303,L]")
    if to:
        lines.append("# everything else: the same path on the release site")
        lines.append(f"RewriteRule ^(.*)$ {to}$1 [R=302,L]")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------- VoID
def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, dt: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if dt:
        return ox.Literal(str(value), datatype=_nn(dt))
    return ox.Literal(str(value))


def void_triples(data: Sequence[ox.Triple], ontology: Sequence[ox.Triple], files: dict[str, bytes], version: str,
                 modified: str, sparql_endpoint: str | None = None) -> list[ox.Triple]:
    """The VoID + DCAT description of the dataset, with counts computed from ``data``."""
    ds = _nn(DATASET_IRI)
    T = []

    def add(s, p: str, o) -> None:
        T.append(ox.Triple(s, _nn(p), o))

    integer = XSD + "integer"
    subjects = {t.subject for t in data}
    objects = {t.object for t in data}
    entities = {s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(ID_BASE)}
    classes: dict[str, set] = defaultdict(set)
    props: dict[str, int] = defaultdict(int)
    namespaces: set[str] = set()
    for t in data:
        props[t.predicate.value] += 1
        namespaces.add(_namespace(t.predicate.value))
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            classes[t.object.value].add(t.subject)
            namespaces.add(_namespace(t.object.value))
    add(ds, RDF_TYPE, _nn(VOID + "Dataset"))
    add(ds, RDF_TYPE, _nn(DCAT + "Dataset"))
    add(ds, DCT + "title", _lit("dipontology: case studies of diplomacy beyond governments", lang="en"))
    add(ds, DCT + "description", _lit("Case studies of Track 1.5, Track II, citizen and multi-track diplomacy with "
                                      "their actors, tracks, methods, outcomes, conflicts, places and sources, "
                                      "described with the dipontology ontology.", lang="en"))
    add(ds, DCT + "license", _nn("https://creativecommons.org/licenses/by/4.0/"))
    add(ds, DCT + "modified", _lit(modified, XSD + "date"))
    add(ds, DCT + "conformsTo", _nn(ONTOLOGY_IRI))
    add(ds, DCAT + "version", _lit(version))
    add(ds, VOID + "uriSpace", _lit(ID_BASE))
    add(ds, VOID + "triples", _lit(len(data), integer))
    add(ds, VOID + "entities", _lit(len(entities), integer))
    add(ds, VOID + "classes", _lit(len(classes), integer))
    add(ds, VOID + "properties", _lit(len(props), integer))
    add(ds, VOID + "distinctSubjects", _lit(len(subjects), integer))
    add(ds, VOID + "distinctObjects", _lit(len(objects), integer))
    if sparql_endpoint:
        add(ds, VOID + "sparqlEndpoint", _nn(sparql_endpoint))
    example = sorted(e.value for e in entities if e.value.startswith(ID_BASE + "case/"))
    if example:
        add(ds, VOID + "exampleResource", _nn(example[0]))
    for ns in sorted(namespaces):
        add(ds, VOID + "vocabulary", _nn(ns))
    for cls in sorted(classes):
        part = _nn(f"{BASE}void#class-{_partition_name(cls)}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", _nn(cls))
        add(part, VOID + "entities", _lit(len(classes[cls]), integer))
    for p in sorted(props):
        part = _nn(f"{BASE}void#property-{_partition_name(p)}")
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", _nn(p))
        add(part, VOID + "triples", _lit(props[p], integer))
    links = props.get(DIPNS + "wikidata", 0)
    ls = _nn(BASE + "void#wikidata-links")
    add(ds, VOID + "subset", ls)
    add(ls, RDF_TYPE, _nn(VOID + "Linkset"))
    add(ls, DCT + "description", _lit("Records linked to Wikidata items by dip:wikidata (the QID as a string).",
                                      lang="en"))
    add(ls, VOID + "linkPredicate", _nn(DIPNS + "wikidata"))
    add(ls, VOID + "subjectsTarget", ds)
    add(ls, VOID + "objectsTarget", _nn("http://www.wikidata.org/entity/"))
    add(ls, VOID + "triples", _lit(links, integer))
    # the ontology as its own dataset
    onto = _nn(ONTOLOGY_IRI)
    add(ds, VOID + "vocabulary", onto)
    add(onto, RDF_TYPE, _nn(VOID + "Dataset"))
    add(onto, OWL + "versionIRI", _nn(f"{ONTOLOGY_IRI}/{version}"))
    add(onto, VOID + "triples", _lit(len(ontology), integer))
    for name in sorted(files):
        entry = files[name]
        size, digest = entry if isinstance(entry, tuple) else (len(entry), hashlib.sha256(entry).hexdigest())
        ext = name.rsplit(".", 1)[-1]
        dist = _nn(BASE + name)
        owner = onto if name.startswith("ontology/") else ds
        add(owner, DCAT + "distribution", dist)
        if name.endswith((".nt", ".ttl", ".rdf", ".jsonld", ".trig")):
            add(owner, VOID + "dataDump", dist)
        add(dist, RDF_TYPE, _nn(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", dist)
        add(dist, DCAT + "mediaType", _nn("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[ext]))
        add(dist, DCAT + "byteSize", _lit(size, XSD + "nonNegativeInteger"))
        ck = _nn(BASE + name + "#sha256")
        add(dist, SPDX + "checksum", ck)
        add(ck, RDF_TYPE, _nn(SPDX + "Checksum"))
        add(ck, SPDX + "algorithm", _nn(SPDX + "checksumAlgorithm_sha256"))
        add(ck, SPDX + "checksumValue", _lit(digest, XSD + "hexBinary"))
    return T


def _partition_name(iri: str) -> str:
    c = _compact(iri, PREFIXES)
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", c)


# ------------------------------------------------------------------------------------------------------ build
class _Log:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.stages: list[Stage] = []

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"build: {message}", file=sys.stderr, flush=True)

    def stage(self, name: str, status: str, detail: str = "") -> Stage:
        st = Stage(name, status, detail)
        self.stages.append(st)
        self.say(st.line())
        return st


def _ontology_meta(ontology: Sequence[ox.Triple]) -> tuple[str, str, str]:
    version = modified = title = ""
    for t in ontology:
        if t.subject == ox.NamedNode(ONTOLOGY_IRI):
            if t.predicate.value == OWL + "versionInfo":
                version = t.object.value
            elif t.predicate.value == DCT + "modified":
                modified = max(modified, t.object.value)
            elif t.predicate.value == DCT + "title" and (not title or getattr(t.object, "language", "") == "en"):
                title = t.object.value
    return version or __version__, modified or "unknown", title or "dipontology"


def _run_check(files: list[Path], log: _Log, reports: dict[str, bytes]) -> bool:
    from .check import check, render

    report = check(files)
    reports["reports/check.txt"] = render(report, "text").encode("utf-8")
    reports["reports/check.json"] = _stable_json(json.loads(render(report, "json")))
    c = report.counts
    detail = f"{c.get('ERROR', 0)} ERROR, {c.get('WARN', 0)} WARN, {c.get('INFO', 0)} INFO"
    if c.get("ERROR", 0):
        first = next(f for f in report.findings if f.level == "ERROR")
        log.stage("check", "failed", f"{detail}; first: {first.rule} on {first.entity}"
                  + (f" ({first.file}:{first.line})" if first.file else "") + " -- see `dipontology check`")
        return False
    log.stage("check", "ok", detail)
    return True


def _run_reason(triples: Sequence[ox.Triple], log: _Log, reports: dict[str, bytes]) -> bool:
    from .errors import DependencyError
    from .graph import triples_graph
    from .reason import reason

    try:
        result = reason(triples_graph(triples))
    except DependencyError as exc:
        log.stage("reason", "skipped", f"reason not available ({exc})")
        return True
    doc = {"consistent": result.consistent, "unsatisfiable": result.unsatisfiable,
           "inferred": [{"individual": t.individual, "cls": t.cls, "individual_label": t.individual_label,
                         "class_label": t.class_label} for t in result.inferred],
           "dropped_literals": result.dropped_literals, "triples": result.triples}
    reports["reports/reason.json"] = _stable_json(doc)
    text = result.to_text().splitlines()
    text = [line for line in text if not line.startswith("(")]  # the timing line would break reproducibility
    text.append(f"({result.triples} triples reasoned over; {result.dropped_literals} date literals outside the OWL 2 "
                "datatype map left out)")
    reports["reports/reason.txt"] = ("\n".join(text) + "\n").encode("utf-8")
    if not result.ok():
        why = result.explanation or f"unsatisfiable classes: {', '.join(result.unsatisfiable)}"
        log.stage("reason", "failed", why + " -- see `dipontology reason`")
        return False
    log.stage("reason", "ok", f"consistent, 0 unsatisfiable classes, {len(result.inferred)} inferred types")
    return True


def _run_validate(data_dir: Path | None, log: _Log, reports: dict[str, bytes]) -> bool:
    try:
        from . import validate as vmod
    except ImportError as exc:
        log.stage("validate", "skipped", f"validate not available ({exc})")
        return True
    if not resources.shapes_files():
        log.stage("validate", "skipped", "validate not available (no SHACL shapes in shapes/)")
        return True
    try:
        report = vmod.validate(data_dir=data_dir) if data_dir else vmod.validate()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a validator that crashes must not let an unvalidated release out
        log.stage("validate", "failed", f"the validator raised {type(exc).__name__}: {exc} (a bug; the release "
                  "was not written)")
        return False
    doc = json.loads(report.to_json())
    reports["reports/validate.json"] = _stable_json(doc)
    reports["reports/validate.txt"] = ("\n".join(report.to_text().splitlines()[:-1]) + "\n"
                                       + _counts_line(report.counts()) + "\n").encode("utf-8")
    c = report.counts()
    detail = ", ".join(f"{v} {k}" for k, v in c.items())
    if not report.conforms:
        first = next(f for f in report.findings if f.level == "Violation")
        log.stage("validate", "failed", f"{detail}; first: {first.focus} {first.message} -- see "
                  "`dipontology validate`")
        return False
    log.stage("validate", "ok", detail)
    return True


def _counts_line(counts: dict[str, int]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in counts.items())


def _run_queries(triples: Sequence[ox.Triple], log: _Log, reports: dict[str, bytes]) -> bool:
    from .query import library
    from .store import Embedded

    store = Embedded(triples=triples)
    done, skipped = 0, []
    for name, nq in sorted(library().items()):
        required = [p.name for p in nq.parameters if p.required and p.default is None]
        if required:
            skipped.append(f"{name} (needs {', '.join(required)})")
            continue
        try:
            result = nq.run(store)
        except InputError as exc:
            log.stage("queries", "failed", f"named query {name} failed: {exc}")
            return False
        if result.kind == "graph":
            reports[f"queries/{name}.ttl"] = serialize([ox.Triple(*(_to_ox(x) for x in t)) for t in result.triples],
                                                       "ttl")
        else:
            reports[f"queries/{name}.csv"] = result.to_csv(spreadsheet_safe=True).encode("utf-8")
        done += 1
    log.stage("queries", "ok", f"{done} named queries run" + (f"; not run: {', '.join(skipped)}" if skipped else ""))
    return True


def _to_ox(term):
    from .graph import to_oxigraph

    return to_oxigraph(term)


def _stable_json(doc: object) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _closure(ix: Index, node) -> list[ox.Triple]:
    """The triples of ``node`` plus those of the blank nodes it reaches."""
    out = []
    stack, seen = [node], set()
    while stack:
        s = stack.pop()
        if s in seen:
            continue
        seen.add(s)
        for p, o in ix.out.get(s, ()):
            out.append(ox.Triple(s, ox.NamedNode(p), o))
            if isinstance(o, ox.BlankNode):
                stack.append(o)
    return out


def build(out_dir: str | os.PathLike[str] = "dist", *, quiet: bool = False, data_dir: str | os.PathLike[str] | None
          = None, stages: Iterable[str] = STAGES, sparql_endpoint: str | None = None,
          site_url: str | None = None) -> BuildResult:
    """Run the stages and write the release into ``out_dir`` (atomically: a temporary folder renamed onto it).

    :param out_dir: the release folder; replaced as a whole when the build succeeds, untouched when it fails.
    :param quiet: no progress on stderr.
    :param data_dir: build from this data folder (``*.ttl`` and ``cases/*.ttl``) instead of the shipped data.
    :param stages: which of :data:`STAGES` to run before writing (all by default).
    :param sparql_endpoint: the public SPARQL endpoint to name in the VoID description.
    :param site_url: where the release will be hosted, for the w3id ``.htaccess`` redirects (see :func:`htaccess`).
    :return: a :class:`BuildResult`; ``ok`` is False when a stage failed (its line in ``stages`` says why).
    :raises InputError: if a source file cannot be parsed, or ``out_dir`` exists and is not a release folder.
    """
    out = Path(out_dir)
    wanted = list(stages)
    unknown = [s for s in wanted if s not in STAGES]
    if unknown:
        raise InputError(f"unknown build stage {unknown[0]!r}", fix=f"use some of {', '.join(STAGES)}")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "SHA256SUMS").exists())):
        raise InputError("the output folder exists and is not a dipontology release (no SHA256SUMS in it)",
                         file=str(out), fix="give an empty or new folder, or a previous release folder")
    log = _Log(quiet)
    ddir = Path(data_dir) if data_dir is not None else None
    log.say("parsing the ontology and data ...")
    src = load_sources(data_dir=ddir)
    every = src.all_triples()
    data = src.data_triples()
    version, modified, title = _ontology_meta(src.ontology)
    log.say(f"{len(src.ontology)} ontology triples, {len(data)} data triples in {len(src.data)} files")
    result = BuildResult(out_dir=out, ok=False, version=version, stages=log.stages, triples=len(every))
    reports: dict[str, bytes] = {}
    for stage in STAGES:
        if stage not in wanted:
            log.stage(stage, "skipped", "not requested")
            continue
        log.say(f"running {stage} ...")
        started = time.monotonic()
        if stage == "check":
            ok = _run_check(src.files, log, reports)
        elif stage == "reason":
            ok = _run_reason(every, log, reports)
        elif stage == "validate":
            ok = _run_validate(ddir, log, reports)
        else:
            ok = _run_queries(every, log, reports)
        log.say(f"({stage} took {time.monotonic() - started:.1f} s)")
        if not ok:
            return result
    # reports name the source files as the release does (data/cases/x.ttl), wherever the checkout and the working
    # directory are, so that the release does not depend on them
    names = {str(src.files[0].resolve()): "ontology/dipontology.ttl",
             **{str(f.resolve()): n for f, n in zip(src.files[1:], src.data)}}
    renames: dict[str, str] = {}
    for path, name in names.items():
        renames[path] = name
        for start in (os.getcwd(), str(resources.root())):  # the reports show paths relative to either
            rel = os.path.relpath(path, start)
            if not rel.startswith(".."):
                renames[rel] = name
    # every file goes straight into a fresh folder beside ``out`` (not into memory: a release of a large graph has
    # hundreds of thousands of pages), which is swapped in at the end and removed if anything fails before
    files = _ReleaseFiles(out)
    try:
        for key, body in reports.items():
            text = body.decode("utf-8")
            for old_name in sorted(renames, key=len, reverse=True):
                text = text.replace(old_name, renames[old_name])
            files[key] = text.encode("utf-8")

        log.say("writing the ontology and data dumps ...")
        for ext in RDF_FORMATS:
            body = serialize(src.ontology, ext)
            files[f"ontology/{version}/dipontology.{ext}"] = body
            files[f"ontology/dipontology.{ext}"] = body
            files[f"data/dipontology-data.{ext}"] = serialize(data, ext)
        files["data/dipontology-data.trig"] = trig_bytes(src.data)

        log.say("writing the pages ...")
        ix = Index(every)
        records: list[tuple[ox.NamedNode, str, str]] = []
        skipped_iris = []
        for s in sorted({t.subject for t in data if isinstance(t.subject, ox.NamedNode)}, key=lambda n: n.value):
            rp = record_path(s.value)
            if rp:
                records.append((s, rp[0], rp[1]))
            elif s.value.startswith(ID_BASE):
                skipped_iris.append(s.value)
        site = Site(ix, version, modified, title, pages={n.value for n, _, _ in records})
        data_index = Index(data)
        for node, kind, slug in records:
            own = _closure(data_index, node)
            base = f"id/{kind}/{slug}"
            files[base + ".html"] = site.record_page(node, kind, slug)
            for ext in RDF_FORMATS:
                files[f"{base}.{ext}"] = serialize(own, ext)
        by_kind: dict[str, list] = defaultdict(list)
        for node, kind, slug in records:
            by_kind[kind].append((node, slug))
        for kind, items in sorted(by_kind.items()):
            files[f"id/{kind}/index.html"] = site.kind_page(kind, items)
        usage = _usage(data)
        files["ontology/index.html"] = site.ontology_page(usage)
        cases = sorted((n for n, k, _ in records if k == "case"), key=lambda n: (ix.label(n).lower(), n.value))
        timeline, undated = timeline_svg(site, cases)
        stats = {"case studies": len(cases), "records": len(records), "data triples": len(data),
                 "ontology terms": sum(1 for s in {t.subject for t in src.ontology}
                                       if isinstance(s, ox.NamedNode) and s.value.startswith(DIPNS))}
        files["index.html"] = site.index_page(records, cases, stats, timeline, undated)
        files["search-index.js"] = _search_index(site, records, src.ontology)
        for asset in ("style.css", "search.js"):
            files[f"assets/{asset}"] = _site_asset(asset)
        files[".htaccess"] = htaccess(version, site_url).encode("utf-8")
        if skipped_iris:
            log.stage("pages", "ok", f"{len(records)} record pages; no page for {len(skipped_iris)} IRIs that are not "
                      f"<kind>/<slug> records, e.g. {skipped_iris[0]}")
        else:
            log.stage("pages", "ok", f"{len(records)} record pages, {len(cases)} case studies")
        files["reports/build-log.txt"] = ("\n".join(s.line() for s in log.stages) + "\n").encode("utf-8")
        described = {k: files.digest(k) for k in files if k.startswith(("ontology/", "data/", "queries/", "reports/"))
                     and not k.endswith(".html")}
        files["void.ttl"] = serialize(void_triples(data, src.ontology, described, version, modified, sparql_endpoint),
                                      "ttl")
        sums = "".join(f"{files.digest(k)[1]}  {k}\n" for k in sorted(files))
        files["SHA256SUMS"] = sums.encode("utf-8")
        log.say(f"swapping in the {len(files)} files ...")
        files.swap_in()
        result.ok = True
        result.files = sorted(files)
        result.records = len(records)
    except BaseException:
        files.discard()
        raise
    log.say(f"release {version} written to {out}")
    return result


def _usage(data: Sequence[ox.Triple]) -> dict[str, int]:
    """For each IRI: how many distinct records use it (as type, property or value)."""
    users: dict[str, set] = defaultdict(set)
    for t in data:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        users[t.predicate.value].add(t.subject)
        if isinstance(t.object, ox.NamedNode):
            users[t.object.value].add(t.subject)
    return {k: len(v) for k, v in users.items()}


def _search_index(site: Site, records: list[tuple[ox.NamedNode, str, str]], ontology: Sequence[ox.Triple]) -> bytes:
    entries = []
    for node, kind, slug in records:
        entries.append({"label": site.ix.label(node), "kind": kind, "url": f"id/{kind}/{slug}.html"})
    for s in sorted({t.subject for t in ontology if isinstance(t.subject, ox.NamedNode)
                     and t.subject.value.startswith(DIPNS)}, key=lambda n: n.value):
        local = s.value[len(DIPNS):]
        entries.append({"label": site.ix.label(s), "kind": "term", "url": f"ontology/index.html#{local}"})
    entries.sort(key=lambda e: (e["label"].lower(), e["url"]))
    body = json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=0)
    # JSON is valid JavaScript; "</" is escaped so the data can never close a script element
    body = body.replace("</", "<\\/")
    return f"window.DIPONTOLOGY_INDEX = {body};\n".encode("utf-8")


class _ReleaseFiles:
    """The files of a release being written: each one goes to disk in a fresh folder beside ``out`` as soon as it is
    made (only its size and SHA-256 stay in memory); :meth:`swap_in` puts the folder in place of ``out`` in one
    step, :meth:`discard` removes it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        parent = out.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
        self._digests: dict[str, tuple[int, str]] = {}

    def __setitem__(self, name: str, data: bytes) -> None:
        p = self.tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "wb") as fh:
            fh.write(data)
        os.chmod(p, 0o644)
        self._digests[name] = (len(data), hashlib.sha256(data).hexdigest())

    def __contains__(self, name: object) -> bool:
        return name in self._digests

    def __iter__(self):
        return iter(list(self._digests))

    def __len__(self) -> int:
        return len(self._digests)

    def digest(self, name: str) -> tuple[int, str]:
        """``(size in bytes, SHA-256 hex)`` of a written file."""
        return self._digests[name]

    def swap_in(self) -> None:
        for d in sorted({p for p in self.tmp.rglob("*") if p.is_dir()} | {self.tmp}):
            os.chmod(d, 0o755)
        _swap(self.tmp, self.out)

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished folder ``tmp`` in place of ``out`` (the old release is removed after); on failure ``tmp``
    is removed and ``out`` is left as it was."""
    parent = out.resolve().parent
    try:
        if out.exists() and _exchange(tmp, out):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous release
            return
        old = None
        if out.exists():  # no atomic exchange on this system: two renames, the old release kept until the second
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
            os.rmdir(old)
            os.rename(out, old)
        os.rename(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``): whoever looks sees the old release or the
    new one, never none, even if the process is killed. Returns False where the call is not available."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0
