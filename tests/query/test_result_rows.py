"""The embedded store hands its solutions over as pyoxigraph's SPARQL TSV (store._tsv_rows): the rows read back
must be exactly the terms the store returned, term for term (kind, lexical form, datatype, language, blank node
label), whatever the literal holds."""
from __future__ import annotations

import pickle

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from dipontology.store import Embedded, QueryResult
from dipontology.terms import to_rdflib

#: literals and IRIs that test the writer's escaping and its bare numbers (Turtle syntax: ``1``, ``1.5``, ``true``)
DATA = r'''@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p "tab\there\nnew line\\ back \"quoted\" \r cr \u0001 \u007f del # not a comment",
    "+1"^^xsd:integer, "01"^^xsd:integer, "-0"^^xsd:integer, "1e0"^^xsd:double, "1E+3"^^xsd:double,
    "INF"^^xsd:double, "NaN"^^xsd:double, "1.50"^^xsd:decimal, ".5"^^xsd:decimal, "1."^^xsd:decimal,
    "true"^^xsd:boolean, "TRUE"^^xsd:boolean, "1"^^xsd:boolean, " 1"^^xsd:integer, "abc"^^xsd:integer,
    "abc"@en-GB, "a\tb"@en, "\u00e9\U0001D11E"@fr, "x"^^ex:dt, "x"^^xsd:string, "", "1993"^^xsd:gYear,
    "ab\u0009c", _:b1, <http://example.org/x%20y>, <http://example.org/caf\u00e9?q=1&r#f> .
_:b1 ex:q _:b2 , [ ex:r "in a list" ] .
ex:c ex:p "shared" . ex:d ex:p "shared" .
'''

QUERIES = [
    "SELECT ?s ?p ?o ?x WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?x } } ORDER BY ?s ?p ?o ?x",
    "SELECT * WHERE { }",
    "SELECT ?z WHERE { }",
    "SELECT ?o WHERE { ?s ?p ?o } LIMIT 0",
    "SELECT ?a ?b WHERE { VALUES (?a ?b) { (UNDEF UNDEF) (1 UNDEF) (UNDEF 'x') } }",
    'SELECT ?t WHERE { VALUES ?t { "a"@en--ltr "b"@ar--rtl } }',
    "SELECT (COUNT(*) AS ?n) (SAMPLE(?o) AS ?any) WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(isBlank(?s)) }",
]


@pytest.fixture(scope="module")
def store() -> Embedded:
    st = ox.Store()
    st.load(DATA.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return Embedded(store=st)


def _signature(term) -> tuple:
    if term is None:
        return (None,)
    if isinstance(term, Literal):
        return (type(term), str(term), term.datatype, term.language)
    return (type(term), str(term))


@pytest.mark.parametrize("text", QUERIES)
def test_rows_are_the_terms_the_store_returned(store: Embedded, text: str) -> None:
    answer = store.store.query(text, prefixes={"ex": "http://example.org/"})
    expected = [tuple(to_rdflib(t) for t in solution) for solution in answer]
    result = store.query(text)
    assert len(result) == len(expected)
    assert result.rows == expected
    assert [tuple(map(_signature, r)) for r in result.rows] == [tuple(map(_signature, r)) for r in expected]


def test_each_row_is_as_wide_as_the_projection(store: Embedded) -> None:
    r = store.query("SELECT ?s ?p ?o ?x WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?x } }")
    assert r.columns == ["s", "p", "o", "x"] and len(r) > 25
    assert {len(row) for row in r.rows} == {4}
    assert store.query("SELECT * WHERE { }").rows == [()]
    assert store.query("SELECT ?z WHERE { }").rows == [(None,)]


def test_literals_with_tabs_and_line_breaks_stay_in_their_cell(store: Embedded) -> None:
    r = store.query("SELECT ?o ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'tab')) }")
    assert len(r) == 1
    (o, s), = r.rows
    assert str(o).startswith("tab\there\nnew line\\ back \"quoted\" \r cr \x01 \x7f del")
    assert s == URIRef("http://example.org/a")


def test_blank_nodes_keep_their_label_and_equal_terms_are_shared(store: Embedded) -> None:
    text = "SELECT ?s ?x WHERE { ?s ?q ?x FILTER(isBlank(?s)) } ORDER BY ?x"
    r = store.query(text)
    labels = {t.subject.value for t in store.store.quads_for_pattern(None, None, None) if
              isinstance(t.subject, ox.BlankNode)}
    assert r.rows and all(isinstance(s, BNode) and str(s) in labels for s, _x in r.rows)
    shared = store.query("SELECT ?s ?o WHERE { ?s ?p ?o FILTER(?o = 'shared') }").rows
    assert len(shared) == 2 and shared[0][1] is shared[1][1]


def test_a_result_pickles_and_compares_after_the_round_trip(store: Embedded) -> None:
    # (rdflib normalises some lexical forms, e.g. "TRUE"^^xsd:boolean, when it unpickles a literal: strings only)
    r = store.query("SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isIRI(?o) || DATATYPE(?o) = xsd:string) } ORDER BY ?s ?o")
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back.rows == r.rows and len(back) == len(r)
    assert isinstance(r, QueryResult) and r.records()


def test_rows_read_on_another_thread_under_a_time_limit(store: Embedded) -> None:
    r = store.query(QUERIES[0], timeout=30)
    assert r.rows == store.query(QUERIES[0]).rows
