"""Fact-level provenance: which triples of the data are facts, and which sourced statement backs each one.

A *fact* is a triple whose subject is a data record (a case study, actor, place, conflict, activity, outcome,
theory, challenge or opportunity) and whose property is not one of the exempt ones below. Every fact must be
*backed* by a sourced statement:

- a :class:`dip:FactStatement` with the same ``dip:statedSubject``, ``dip:statedProperty`` and
  ``dip:statedValue`` and a ``dcterms:source``; or
- for a link from a record to a qualified statement (``dip:hasParticipation``, ``dip:hasTrackClassification``,
  ``dip:hasOutcomeAttribution``, ``dip:hasCode``, ...), the linked statement itself, which names its own source.

Exempt (not facts): labels and descriptions (``rdfs:label``, ``skos:prefLabel``, ``dcterms:description``,
``rdfs:comment``), editorial notes, the record's list of its sources (``dcterms:source``), deprecation,
``owl:imports`` (an instruction, warned about and never followed), the
provenance of a contribution (who added it, when, from which file), and ``rdf:type`` to the record's own kind
(``case:`` records are ``dip:Initiative`` and so on, see :data:`KIND_CLASSES`). Any more specific type, a date, a
place, another name (``skos:altLabel``), a participant, a method, an outcome, an identifier or a relation is a fact.

Records outside those kinds are not walked: statements are backed by their own source (the ``record_missing_source``
check), source records describe a work whose page is at their URL, mapping records (SSSOM) carry their own
justification and source.

The same rule is enforced three times, from this one table: by :func:`unbacked_facts` (tests and the
``dipontology check`` Python path), by the quality rule ``checks/unbacked_fact.rq`` and by the SHACL shape
``dipsh:FactBackedByStatement`` in ``shapes/provenance.ttl``; ``tests`` compare the three lists.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
... @prefix dip: <https://w3id.org/dipontology/ontology#> .
... @prefix case: <https://w3id.org/dipontology/id/case/> .
... @prefix statement: <https://w3id.org/dipontology/id/statement/> .
... @prefix source: <https://w3id.org/dipontology/id/source/> .
... @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
... case:x a dip:Initiative ; dip:startDate "1993"^^xsd:gYear ; dip:endDate "1994"^^xsd:gYear .
... statement:x-start a dip:FactStatement ; dip:statedSubject case:x ; dip:statedProperty dip:startDate ;
...     dip:statedValue "1993"^^xsd:gYear ; <http://purl.org/dc/terms/source> source:s .
... ''', format="turtle")
>>> [(str(p).split("#")[1], str(o)) for s, p, o in unbacked_facts(g)]
[('endDate', '1994')]
"""
from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from . import resources
from .errors import InputError
from .load import load_file
from .namespaces import DIP, ID_BASE, bind_all
from .terms import curie

#: the record kinds whose triples are walked, and the class every record of that kind has without a source
KIND_CLASSES: dict[str, URIRef] = {
    "case": DIP.Initiative,
    "actor": DIP.Actor,
    "place": DIP.Place,
    "conflict": DIP.Conflict,
    "activity": DIP.Method,
    "outcome": DIP.Outcome,
    "theory": DIP.Theory,
    "challenge": DIP.Challenge,
    "opportunity": DIP.Opportunity,
}

#: properties that are not facts: labels, descriptions, notes, the record's source list, bookkeeping
EXEMPT_PROPERTIES: frozenset[URIRef] = frozenset({
    RDFS.label, SKOS.prefLabel, DCTERMS.description, RDFS.comment,
    SKOS.editorialNote, SKOS.scopeNote, SKOS.note, SKOS.changeNote, SKOS.historyNote,
    DCTERMS.source, OWL.deprecated, DCTERMS.isReplacedBy,
    OWL.imports,  # not a fact but an instruction: the contribution checks warn about it, and it is never followed
    PROV.wasAttributedTo, PROV.generatedAtTime, PROV.wasGeneratedBy, PROV.wasDerivedFrom,
})

#: properties whose value is a qualified statement that names its own source (the link is backed by it)
STATEMENT_LINKS: frozenset[URIRef] = frozenset({
    DIP.hasParticipation, DIP.hasTrackClassification, DIP.hasOutcomeAttribution, DIP.hasCode,
})


def record_kind(node) -> str | None:
    """The record kind of ``node`` (``"case"``, ``"actor"``, ...) if it is a walked data record, else None.

    >>> record_kind(URIRef("https://w3id.org/dipontology/id/case/seeds-of-peace"))
    'case'
    >>> record_kind(URIRef("https://w3id.org/dipontology/id/statement/x")) is None
    True
    """
    if not isinstance(node, URIRef) or not str(node).startswith(ID_BASE):
        return None
    kind = str(node)[len(ID_BASE):].split("/", 1)[0]
    return kind if kind in KIND_CLASSES else None


def is_exempt(subject, predicate, obj) -> bool:
    """True when the triple is not a fact (see the module docstring)."""
    if predicate in EXEMPT_PROPERTIES or predicate in STATEMENT_LINKS:
        return True
    if predicate == RDF.type:
        kind = record_kind(subject)
        return kind is not None and obj == KIND_CLASSES[kind]
    return False


def backing_index(graph: Graph) -> set[tuple]:
    """Every (subject, property, value) that a sourced fact statement in ``graph`` states."""
    backed: set[tuple] = set()
    for st in graph.subjects(RDF.type, DIP.FactStatement):
        if (st, DCTERMS.source, None) not in graph:
            continue
        for s in graph.objects(st, DIP.statedSubject):
            for p in graph.objects(st, DIP.statedProperty):
                for o in graph.objects(st, DIP.statedValue):
                    backed.add((s, p, _key(o)))
    return backed


def _key(term):
    # a literal is compared by its lexical form, datatype and language, never by its value ("1993" vs "01993")
    if isinstance(term, Literal):
        return ("L", str(term), term.datatype, term.language)
    return term


def unbacked_facts(graph: Graph) -> Iterator[tuple]:
    """Yield every fact (triple) of ``graph`` that no sourced statement backs, sorted for stable output."""
    backed = backing_index(graph)
    linked_ok = {st for st in graph.subjects(DCTERMS.source, None)}
    out = []
    for s, p, o in graph:
        if record_kind(s) is None or is_exempt(s, p, o):
            if p in STATEMENT_LINKS and record_kind(s) is not None and o not in linked_ok:
                out.append((s, p, o))
            continue
        if (s, p, _key(o)) not in backed:
            out.append((s, p, o))
    yield from sorted(out, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))


def statements_without_fact(graph: Graph) -> Iterator[tuple]:
    """Yield (statement, subject, property, value) for fact statements whose fact is not in the direct view.

    Not an error by itself: where sources disagree, the view holds the value the verified sources give (or none,
    when no side is verified), and the other statements are linked by ``dip:contradicts``; a date given more or
    less precisely than the view's (1956-09-11 for 1956) agrees with it. This yields the statements that are
    neither in the view, nor a date of another precision, nor linked to a disagreement.
    """
    for st in sorted(graph.subjects(RDF.type, DIP.FactStatement), key=str):
        if (st, DIP.contradicts, None) in graph or (None, DIP.contradicts, st) in graph:
            continue
        for s in graph.objects(st, DIP.statedSubject):
            if record_kind(s) is None:
                continue  # statements about ontology terms (a track's origin) have no direct view
            for p in graph.objects(st, DIP.statedProperty):
                for o in graph.objects(st, DIP.statedValue):
                    if (s, p, o) in graph or _same_date_other_precision(graph, s, p, o):
                        continue
                    yield st, s, p, o


def fact_statement_iri(subject, predicate, obj, source) -> URIRef:
    """A stable IRI for the statement by ``source`` of the fact (subject, predicate, obj), derived from its content:
    converting the same contribution twice gives the same IRIs.

    >>> from dipontology.namespaces import DIP
    >>> s = URIRef("https://w3id.org/dipontology/id/case/x")
    >>> a = fact_statement_iri(s, DIP.startDate, Literal("1993"), URIRef("https://w3id.org/dipontology/id/source/y"))
    >>> a == fact_statement_iri(s, DIP.startDate, Literal("1993"), URIRef("https://w3id.org/dipontology/id/source/y"))
    True
    >>> str(a).startswith("https://w3id.org/dipontology/id/statement/x-start-date-")
    True
    """
    key = "\x1f".join(t.n3() for t in (subject, predicate, obj, source))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    local = str(predicate).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    prop = re.sub(r"(?<!^)(?=[A-Z])", "-", local).lower()
    prop = re.sub(r"[^a-z0-9]+", "-", prop).strip("-") or "fact"
    slug = str(subject).rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "record"
    return URIRef(f"{ID_BASE}statement/{slug}-{prop}-{digest}")


def back_facts(graph: Graph, sources, locator: str | None = None, quote: str | None = None) -> list[URIRef]:
    """Add, for every fact of ``graph`` that no sourced statement backs, one :class:`dip:FactStatement` per source
    in ``sources`` (with ``locator`` and ``quote`` when given); return the statements added. Used where the contributor's form
    says which sources support a row (a converted CSV row), never on hand-written data, whose statements carry
    their own quotes.
    """
    added: list[URIRef] = []
    facts = [t for t in unbacked_facts(graph) if t[1] not in STATEMENT_LINKS]
    for s, p, o in facts:
        for source in sources:
            st = fact_statement_iri(s, p, o, source)
            graph.add((st, RDF.type, DIP.FactStatement))
            graph.add((st, DIP.statedSubject, s))
            graph.add((st, DIP.statedProperty, p))
            graph.add((st, DIP.statedValue, o))
            graph.add((st, DCTERMS.source, source))
            if locator:
                graph.add((st, DIP.locator, Literal(locator)))
            if quote:
                graph.add((st, DIP.quote, Literal(quote)))
            added.append(st)
    return added


#: date properties: a statement giving a date more or less precisely than the view (1956-09-11 for 1956) agrees
DATE_PROPERTIES = frozenset({DIP.startDate, DIP.endDate, DIP.date, DIP.foundingDate})


def _same_date_other_precision(graph: Graph, s, p, o) -> bool:
    if p not in DATE_PROPERTIES or not isinstance(o, Literal):
        return False
    return any(isinstance(v, Literal) and (str(o).startswith(str(v)) or str(v).startswith(str(o)))
               for v in graph.objects(s, p))


def main(argv: list[str] | None = None) -> int:
    """List the unbacked facts of the shipped data (or of the Turtle files given), one per line."""
    args = sys.argv[1:] if argv is None else argv
    g = bind_all(Graph())
    files = args or [str(f) for f in resources.data_files()]
    for f in files:
        try:
            g += load_file(f).graph
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    n = 0
    for s, p, o in unbacked_facts(g):
        n += 1
        print(f"unbacked: {curie(s, brackets=True)} {curie(p, brackets=True)} {o.n3(g.namespace_manager)}")
    for st, s, p, o in statements_without_fact(g):
        print(f"not in view and not contradicted: {curie(st, brackets=True)}")
    print(f"{n} unbacked facts", file=sys.stderr)
    return 1 if n else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
