"""The graph the release is made from: the parsed sources with canonical blank-node labels, and an in-memory view of
their triples (outgoing and incoming edges, labels, types) that the pages, pictures and dataset description read.

>>> record_path("https://w3id.org/dipontology/id/case/oslo-back-channel")
('case', 'oslo-back-channel')
>>> record_path("https://w3id.org/dipontology/ontology#TrackTwo") is None
True
"""
from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import resources
from ..graph import parse_files
from ..published import published_files
from ..namespaces import BASE, DIP, ID_BASE, RECORD_KINDS
from ..terms import closure as terms_closure
from ..terms import curie

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
    """``prefix:local`` for an IRI in a project namespace, else the IRI (:func:`dipontology.terms.curie`)."""
    return curie(iri)


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
        return _merged([self.ontology, *self.data.values()])

    def data_triples(self) -> list[ox.Triple]:
        return _merged(list(self.data.values()))


def _merged(runs: list[list[ox.Triple]]) -> list[ox.Triple]:
    """The union of lists each sorted by :func:`sort_key`, sorted, without repeats (a merge: no sort keys of the
    whole graph in memory at once)."""
    out: list[ox.Triple] = []
    last = None
    for t in heapq.merge(*runs, key=sort_key):
        if t != last:
            out.append(t)
            last = t
    return out


def _sorted_unique(triples: list[ox.Triple]) -> list[ox.Triple]:
    return _merged([sorted(triples, key=sort_key)])


def _has_blank(t: ox.Triple) -> bool:
    return not isinstance(t.subject, ox.NamedNode) or isinstance(t.object, (ox.BlankNode, ox.Triple))


def _release_name(path: Path, data_root: Path) -> str:
    try:
        return "data/" + path.resolve().relative_to(data_root.resolve()).as_posix()
    except ValueError:
        return "data/" + path.name


def load_sources(ontology_file: Path | None = None, data_dir: Path | None = None) -> Sources:
    """Parse the ontology and the data files (trusted, shipped Turtle) and give blank nodes canonical labels.

    :raises InputError: if a file is not valid Turtle (file and line named).
    """
    onto = Path(ontology_file) if ontology_file else resources.ontology_file()
    data_root = Path(data_dir) if data_dir else resources.data_dir()
    files = published_files(data_dir)
    # canonical blank-node labels (RDFC-1.0) depend only on the quads that hold a blank node: only those go through
    # the canonicalisation; the others (nearly all) stay as parsed
    blank = ox.Dataset()
    plain: dict[str, list[ox.Triple]] = {}
    names: list[str] = []
    for name, f in [("ontology/dipontology.ttl", onto), *((_release_name(f, data_root), f) for f in files)]:
        names.append(name)
        g = ox.NamedNode(FILES_BASE + name)
        kept = plain.setdefault(name, [])
        for t in parse_files([f]):
            if _has_blank(t):
                blank.add(ox.Quad(t.subject, t.predicate, t.object, g))
            else:
                kept.append(t)
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    for name in names:
        plain[name] += (q.triple for q in blank.quads_for_graph_name(ox.NamedNode(FILES_BASE + name)))
        plain[name] = _sorted_unique(plain[name])
    ontology = plain.pop(names[0])
    data = {name: plain[name] for name in names[1:]}
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
        # one string per predicate and one object per subject run, shared by every edge that names them: a Python
        # object costs ~100 bytes and a release graph has a million triples
        predicates: dict[str, str] = {}
        subject = None
        for t in triples:
            s = t.subject
            if s != subject:
                subject = s
            p = t.predicate.value
            p = predicates.setdefault(p, p)
            o = t.object
            self.out[subject].append((p, o))
            if not isinstance(o, ox.Literal):
                self.inc[o].append((subject, p))
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


class _Edges:
    """The outgoing edges of :class:`DataView`: the whole view's, except for the few subjects the ontology also
    describes, whose data edges are kept apart."""

    def __init__(self, whole: dict, own: dict) -> None:
        self.whole, self.own = whole, own

    def get(self, s, default=()):
        if s in self.own:
            return self.own[s]
        return self.whole.get(s, default)


class DataView(Index):
    """The data's outgoing edges read through the :class:`Index` of ontology + data, without a second copy: a subject
    the ontology does not describe has the same edges in both (in the same order); the data edges of those it does
    are indexed apart. Only the outgoing edges (``out``: :meth:`values`, :meth:`iris`, :func:`closure`) are kept.

    :param ix: the index of ontology + data.
    :param ontology: the ontology's triples.
    :param data: the data's triples, in the order ``ix`` was built in.
    """

    def __init__(self, ix: Index, ontology: Iterable[ox.Triple], data: Iterable[ox.Triple]) -> None:
        described = {t.subject for t in ontology}
        own = Index(t for t in data if t.subject in described)
        self.out = _Edges(ix.out, {s: own.out.get(s, []) for s in described})  # type: ignore[assignment]
        self.inc = {}
        self._labels = {}


def closure(ix: Index, node) -> list[ox.Triple]:
    """The triples of ``node`` plus those of the blank nodes it reaches (:func:`dipontology.terms.closure` over the
    index)."""
    return list(terms_closure(node, lambda s: (ox.Triple(s, ox.NamedNode(p), o) for p, o in ix.out.get(s, ()))))


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
