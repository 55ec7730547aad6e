"""The graph the release is made from: the parsed sources with canonical blank-node labels, and an in-memory view of
their triples (outgoing and incoming edges, labels, types) that the pages, pictures and dataset description read.

>>> record_path("https://w3id.org/dipontology/id/case/oslo-back-channel")
('case', 'oslo-back-channel')
>>> record_path("https://w3id.org/dipontology/ontology#TrackTwo") is None
True
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import resources
from ..namespaces import BASE, DIP, ID_BASE, PREFIXES, RECORD_KINDS

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
DIPNS = str(DIP)
RDF_TYPE = RDF + "type"

#: where the source files of the release are named (the TriG graph names)
FILES_BASE = BASE + "files/"
#: the extensions of a record's files beside its page (release extension -> export format)
RECORD_FORMATS = {"ttl": "ttl", "jsonld": "jsonld", "nt": "nt", "rdf": "rdfxml"}
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def record_path(iri: str) -> tuple[str, str] | None:
    """``(kind, slug)`` of a record IRI, or ``None`` if ``iri`` is not a record IRI with a file-safe slug."""
    if not iri.startswith(ID_BASE):
        return None
    parts = iri[len(ID_BASE):].split("/")
    if len(parts) != 2 or parts[0] not in RECORD_KINDS or not _SLUG.match(parts[1]) or parts[1].endswith(
            tuple("." + e for e in (*RECORD_FORMATS, "html"))):
        return None
    return parts[0], parts[1]


# ------------------------------------------------------------------------------------------------- ordering
def term_key(term) -> tuple:
    """A total order on RDF terms: IRIs, then blank nodes, then literals, each by value."""
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "")
    return (2, term.value, term.language or term.datatype.value)


def sort_key(t: ox.Triple) -> tuple:
    """Sort triples by subject, ``rdf:type`` first, then predicate and object."""
    return (term_key(t.subject), t.predicate.value != RDF_TYPE, term_key(t.predicate), term_key(t.object))


def compact(iri: str) -> str:
    """``prefix:local`` for an IRI in a project namespace, else the IRI."""
    best = None
    for p, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns) and (best is None or len(ns) > len(PREFIXES[best])):
            best = p
    if best is None:
        return iri
    local = iri[len(PREFIXES[best]):]
    return f"{best}:{local}" if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*", local) else iri


# -------------------------------------------------------------------------------------------------- sources
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
    from ..graph import parse_files
    from ..validate import published_files

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
    data = {name: sorted((q.triple for q in ds.quads_for_graph_name(ox.NamedNode(FILES_BASE + name))), key=sort_key)
            for name in names}
    return Sources(ontology=ontology, data=data, files=[onto, *files])


# ------------------------------------------------------------------------------------------------ the view
#: labels for the few external terms the pages show, when the graph does not label them
COMMON_LABELS = {
    RDF_TYPE: "type", RDFS + "label": "label", RDFS + "comment": "comment", RDFS + "seeAlso": "see also",
    RDFS + "subClassOf": "subclass of", RDFS + "subPropertyOf": "subproperty of", RDFS + "domain": "domain",
    RDFS + "range": "range", RDFS + "isDefinedBy": "defined by", RDFS + "Literal": "literal",
    DCT + "source": "source", DCT + "title": "title", DCT + "description": "description", DCT + "creator": "creator",
    DCT + "issued": "issued", DCT + "modified": "modified", DCT + "bibliographicCitation": "citation",
    DCT + "identifier": "identifier", DCT + "publisher": "publisher", DCT + "isPartOf": "is part of",
    DCT + "isReplacedBy": "is replaced by", SKOS + "definition": "definition", SKOS + "prefLabel": "preferred label",
    SKOS + "altLabel": "other name", SKOS + "inScheme": "in scheme", SKOS + "exactMatch": "exact match",
    SKOS + "closeMatch": "close match", SKOS + "broader": "broader", SKOS + "narrower": "narrower",
    SKOS + "note": "note", SKOS + "Concept": "concept", SKOS + "ConceptScheme": "concept scheme",
    OWL + "sameAs": "same as", OWL + "deprecated": "deprecated", OWL + "Thing": "thing", OWL + "Class": "class",
    FOAF + "name": "name", FOAF + "page": "page", SCHEMA + "url": "web address",
    XSD + "gYear": "year", XSD + "gYearMonth": "year and month", XSD + "date": "date", XSD + "string": "text",
}


class Index:
    """An in-memory view of the triples: outgoing and incoming edges, labels, types."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
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
        return sorted((o for o in self.values(s, p) if isinstance(o, ox.NamedNode)), key=lambda n: n.value)

    def subjects(self, p: str, o) -> list:
        return sorted((s for s, pp in self.inc.get(o, ()) if pp == p), key=term_key)

    def types(self, s) -> list[str]:
        return [o.value for o in self.iris(s, RDF_TYPE)]

    def text(self, s, *props: str) -> str | None:
        """The English (or untagged, or any) literal of the first property of ``props`` that has one."""
        for p in props:
            lits = [o for o in self.values(s, p) if isinstance(o, ox.Literal)]
            for pick in (lambda o: o.language == "en", lambda o: not o.language, lambda o: True):
                chosen = sorted(o.value for o in lits if pick(o))
                if chosen:
                    return chosen[0]
        return None

    def texts(self, s, p: str) -> list[str]:
        return sorted({o.value for o in self.values(s, p) if isinstance(o, ox.Literal)})

    def label(self, term) -> str:
        """A human label: ``rdfs:label`` (English first), ``skos:prefLabel``, ``dcterms:title``, a known label, or the
        local name."""
        if isinstance(term, ox.Literal):
            return term.value
        if term in self._labels:
            return self._labels[term]
        text = self.text(term, RDFS + "label", SKOS + "prefLabel", DCT + "title", FOAF + "name")
        if text is None and isinstance(term, ox.NamedNode):
            text = COMMON_LABELS.get(term.value)
        if text is None:
            if isinstance(term, ox.NamedNode):
                text = compact(term.value)
                if text == term.value:
                    text = term.value.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or term.value
            else:
                text = "(unnamed node)"
        self._labels[term] = text
        return text

    def is_a(self, s, cls: str) -> bool:
        return any(o.value == cls for o in self.iris(s, RDF_TYPE))


def closure(ix: Index, node) -> list[ox.Triple]:
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


def usage(data: Sequence[ox.Triple]) -> dict[str, int]:
    """For each IRI: how many distinct records use it (as type, property or value)."""
    users: dict[str, set] = defaultdict(set)
    for t in data:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        users[t.predicate.value].add(t.subject)
        if isinstance(t.object, ox.NamedNode):
            users[t.object.value].add(t.subject)
    return {k: len(v) for k, v in users.items()}
