"""Mapping sets: our classes and records linked to other vocabularies, each link a justified SSSOM-style record.

The mapping sets live in ``data/mappings/*.ttl``. Each mapping is a record ``mapping:<slug> a sssom:Mapping`` with
the SSSOM slots as properties (``sssom:subject_id``, ``sssom:predicate_id``, ``sssom:object_id``,
``sssom:object_label``, ``sssom:mapping_justification``, ``sssom:author_label``, ``sssom:mapping_date``...), a
plain-language reason in ``dcterms:description`` (SSSOM ``comment``), its ``dcterms:source`` and the mapping set it
belongs to (``dcterms:isPartOf``). The mapping triple (``dip:Conflict skos:narrowMatch wd:Q198``) is derived from
the record by :func:`mapping_triples`: data files make no statements about ontology terms.

>>> ms = load_mappings(link_graph())
>>> m = next(m for m in ms if m.object_id.endswith("/Q198"))
>>> m.subject_id.split("#")[1], m.predicate_id.split("#")[1], m.object_label, m.justification.split("/")[-1]
('Conflict', 'narrowMatch', 'war', 'ManualMappingCuration')
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from .. import graph as _graph
from .. import resources, terms
from ..namespaces import DIP, ID_BASE, PREFIXES, WD

SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
MAPPING = Namespace(ID_BASE + "mapping/")
CODE = Namespace(ID_BASE + "code/")

#: the SKOS mapping properties a mapping may use
MATCH_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)

#: prefixes for CURIEs in SSSOM files and Turtle output: the project's plus SSSOM's own
LINK_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "sssom": str(SSSOM),
    "semapv": str(SEMAPV),
    "pav": "http://purl.org/pav/",
}


def mapping_files(data_dir: str | Path | None = None) -> list[Path]:
    """The mapping-set files, ``<data>/mappings/*.ttl``, sorted."""
    d = Path(data_dir) if data_dir is not None else resources.data_dir()
    return sorted((d / "mappings").glob("*.ttl"))


def link_graph(data_dir: str | Path | None = None, *, files: Sequence[Path] | None = None) -> Graph:
    """The graph the linking functions read: the published ontology and data plus the mapping sets (those of
    ``data_dir`` that are not published files already).

    :param data_dir: a data folder whose ``mappings/`` to add (default: the shipped one).
    :param files: published files to use instead of the shipped ontology and data (tests, fixtures).
    :return: a new rdflib ``Graph`` (project prefixes bound).
    :raises InputError: if a file is not valid Turtle.
    """
    published = list(files) if files is not None else _graph.published_files()
    base = list(_graph.published_triples(published))
    already = {Path(f).resolve() for f in published}
    extra = _graph.parse_files([f for f in mapping_files(data_dir) if f.resolve() not in already])
    g = _graph.triples_graph([*base, *extra])
    g.bind("sssom", SSSOM)
    g.bind("semapv", SEMAPV)
    return g


@dataclass
class Mapping:
    """One mapping, with the SSSOM slots we use.

    ``subject_id``, ``predicate_id``, ``object_id`` and ``justification`` are IRIs; ``object_id`` is empty for a
    mapping to a literal code (then ``object_label`` holds the code and ``object_type`` is ``"rdfs literal"``).
    """

    subject_id: str
    predicate_id: str
    object_id: str
    justification: str
    subject_label: str = ""
    object_label: str = ""
    object_type: str = ""
    comment: str = ""
    author_label: str = ""
    reviewer_label: str = ""
    mapping_date: str = ""
    mapping_tool: str = ""
    confidence: str = ""
    object_match_field: str = ""
    object_source: str = ""
    mapping_set_id: str = ""
    source: list[str] = field(default_factory=list)
    record: str = ""

    def key(self) -> tuple[str, str, str, str]:
        """What identifies a mapping in a round trip: subject, predicate, object (or literal), justification."""
        return (self.subject_id, self.predicate_id, self.object_id or self.object_label, self.justification)


def _one(g: Graph, s: Node, p: URIRef) -> str:
    values = sorted(str(o) for o in g.objects(s, p))
    return values[0] if values else ""


def load_mappings(g: Graph, mapping_set: str | None = None) -> list[Mapping]:
    """Every ``sssom:Mapping`` record of ``g`` (optionally only those of one mapping set), sorted.

    :param mapping_set: a mapping-set IRI or its local name (``wikidata``).
    """
    want = None
    if mapping_set:
        want = mapping_set if "://" in mapping_set else str(MAPPING) + mapping_set
    out: list[Mapping] = []
    for rec in set(g.subjects(RDF.type, SSSOM.Mapping)):
        set_id = _one(g, rec, DCTERMS.isPartOf)
        if want and set_id != want:
            continue
        out.append(Mapping(
            subject_id=_one(g, rec, SSSOM.subject_id), predicate_id=_one(g, rec, SSSOM.predicate_id),
            object_id=_one(g, rec, SSSOM.object_id), justification=_one(g, rec, SSSOM.mapping_justification),
            subject_label=_one(g, rec, SSSOM.subject_label), object_label=_one(g, rec, SSSOM.object_label),
            comment=_one(g, rec, DCTERMS.description), author_label=_one(g, rec, SSSOM.author_label),
            reviewer_label=_one(g, rec, SSSOM.reviewer_label), mapping_date=_one(g, rec, SSSOM.mapping_date),
            mapping_tool=_one(g, rec, SSSOM.mapping_tool), confidence=_one(g, rec, SSSOM.confidence),
            object_match_field=_one(g, rec, SSSOM.object_match_field),
            object_source=_one(g, rec, SSSOM.object_source) or _one(g, URIRef(set_id), SSSOM.object_source)
            if set_id else _one(g, rec, SSSOM.object_source),
            mapping_set_id=set_id, source=sorted(str(o) for o in g.objects(rec, DCTERMS.source)), record=str(rec)))
    out.sort(key=lambda m: (m.mapping_set_id, m.subject_id, m.predicate_id, m.object_id, m.record))
    return out


@dataclass
class MappingProblem:
    """A mapping record that lacks something every mapping must have."""

    record: str
    message: str
    fix: str


def check_mappings(g: Graph) -> list[MappingProblem]:
    """What is wrong with the mapping records of ``g``: a missing label, source, justification, reason or mapping
    set, a predicate that is not a SKOS mapping property, or a record that contradicts a mapping triple the graph
    asserts (the ontology says ``closeMatch`` where the record says ``narrowMatch``).

    >>> check_mappings(link_graph())
    []
    """
    problems: list[MappingProblem] = []
    for rec in sorted(set(g.subjects(RDF.type, SSSOM.Mapping)), key=str):
        def need(p: URIRef, what: str, fix: str) -> None:
            if (rec, p, None) not in g:
                problems.append(MappingProblem(str(rec), f"no {what}", fix))
        need(RDFS.label, "rdfs:label", "add rdfs:label \"...\"@en")
        need(DCTERMS.source, "dcterms:source", "name the source that supports the mapping")
        need(SSSOM.mapping_justification, "mapping justification",
             "add sssom:mapping_justification semapv:ManualMappingCuration (or how it was made)")
        need(DCTERMS.description, "plain-language reason (dcterms:description)", "say why the mapping holds")
        need(DCTERMS.isPartOf, "mapping set (dcterms:isPartOf)", "add dcterms:isPartOf mapping:<set>")
        subj = next(iter(g.objects(rec, SSSOM.subject_id)), None)
        pred = next(iter(g.objects(rec, SSSOM.predicate_id)), None)
        obj = next(iter(g.objects(rec, SSSOM.object_id)), None)
        if subj is None or pred is None or obj is None:
            problems.append(MappingProblem(str(rec), "subject, predicate or object missing",
                                           "give sssom:subject_id, sssom:predicate_id and sssom:object_id"))
            continue
        if pred not in MATCH_PREDICATES:
            problems.append(MappingProblem(str(rec), f"predicate {pred} is not a SKOS mapping property",
                                           "use skos:exactMatch, closeMatch, broadMatch, narrowMatch or relatedMatch"))
            continue
        for other in MATCH_PREDICATES:
            if other != pred and (subj, other, obj) in g:
                problems.append(MappingProblem(
                    str(rec), f"the record says {curie(str(pred))} but the graph asserts <{subj}> {curie(str(other))} "
                    f"<{obj}>", "make the record and the asserted triple agree"))
    return problems


def mapping_triples(g: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    """The mapping triples the records of ``g`` stand for (``dip:Conflict skos:narrowMatch wd:Q198``), sorted.

    The mapping files do not state them (data files make no statements about ontology terms); the linkset exports
    and the release add them.

    >>> from rdflib.namespace import SKOS
    >>> (DIP.Conflict, SKOS.narrowMatch, WD.Q198) in mapping_triples(link_graph())
    True
    """
    out = set()
    for m in load_mappings(g):
        if m.object_id and URIRef(m.predicate_id) in MATCH_PREDICATES:
            out.add((URIRef(m.subject_id), URIRef(m.predicate_id), URIRef(m.object_id)))
    return sorted(out)


def mapping_sets(g: Graph) -> list[str]:
    """The IRIs of the mapping sets in ``g``, sorted."""
    return sorted(str(s) for s in set(g.subjects(RDF.type, SSSOM.MappingSet)))


def curie(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """The CURIE for ``iri`` under ``prefixes`` (default :data:`LINK_PREFIXES`; the longest namespace wins), else the
    IRI itself: :func:`dipontology.terms.curie` with the linking prefixes.

    >>> curie("https://w3id.org/dipontology/id/code/cow-666-israel"), curie("http://www.wikidata.org/entity/Q801")
    ('code:cow-666-israel', 'wd:Q801')
    """
    return terms.curie(iri, prefixes or LINK_PREFIXES)


def expand(text: str, prefixes: dict[str, str]) -> str:
    """The IRI for a CURIE (or the text itself when it is already an IRI or has no known prefix):
    :func:`dipontology.terms.expand`."""
    return terms.expand(text, prefixes)


def wikidata_iri(qid: str) -> URIRef:
    """The entity IRI of a QID."""
    return WD[qid.strip()]


def literal_text(values: Iterable[Node]) -> str:
    """The English (or only) text among ``values``."""
    vals = list(values)
    for v in vals:
        if isinstance(v, Literal) and v.language == "en":
            return str(v)
    return str(vals[0]) if vals else ""
