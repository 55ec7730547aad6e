"""The store layer: refusing unsafe queries on the parsed query, result normalisation, VALUES binding."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from dipontology import graph as dgraph
from dipontology.errors import InputError
from dipontology.namespaces import DIP, PREFIXES
from dipontology.store import (Embedded, QueryResult, Remote, check_query, gsp_url, insert_values, open_store,
                               push, serialize_term)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "query" / "fixture.ttl"
CASE = PREFIXES["case"]


@pytest.fixture(scope="module")
def store() -> Embedded:
    from dipontology import resources

    return Embedded(files=[resources.ontology_file(), FIXTURE])


# ------------------------------------------------------------------------------------------ refused features
@pytest.mark.parametrize("text, message", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    (r"SELECT * WHERE { SERV\u0049CE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    (r"SELECT * WHERE { serv\u0069ce silent <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { { SELECT ?s WHERE { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://127.0.0.1:9/> { ?s ?q ?r } } }", "SERVICE"),
    ("ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }", "SERVICE"),
    ("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://127.0.0.1:9/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    (r"SELECT * FR\u004FM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "updates"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "updates"),
    ("DROP ALL", "updates"),
    ("DELETE WHERE { ?s ?p ?o }", "updates"),
    ("SELECT * WHERE { ?s ?p }", "syntax"),
    ("SELECT * WHERE { ?s nope:p ?o }", "nope"),
])
def test_refused_on_the_parsed_query(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        check_query(text)
    assert message in str(err.value)


def test_allow_service_lets_service_through_the_check() -> None:
    info = check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", allow_service=True)
    assert info.uses_service and info.kind == "select"


def test_embedded_store_refuses_before_running(store: Embedded) -> None:
    with pytest.raises(InputError, match="SERVICE"):
        store.query(r"SELECT * WHERE { SERV\u0049CE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(InputError, match="updates"):
        store.query("CLEAR DEFAULT")
    assert len(store) > 0


def test_query_kinds_and_projection() -> None:
    assert check_query("SELECT ?b ?a WHERE { ?a ?p ?b }").variables == ("b", "a")
    assert check_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").kind == "graph"
    assert check_query("DESCRIBE dip:TrackTwo").kind == "graph"
    assert check_query("ASK { ?s ?p ?o }").kind == "ask"


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(InputError) as err:
        check_query("SELECT ?s\nWHERE {\n  ?s ?p \n}", source="q.rq", line_offset=4)
    assert err.value.file == "q.rq" and err.value.line is not None and err.value.line >= 5


# ----------------------------------------------------------------------------------------------- results
def test_select_rows_are_rdflib_terms_in_order(store: Embedded) -> None:
    r = store.query("SELECT ?case ?start WHERE { ?case a/rdfs:subClassOf* dip:Initiative ; dip:startDate ?start } "
                    "ORDER BY ?case")
    assert r.kind == "select" and r.columns == ["case", "start"]
    assert r.rows == [
        (URIRef(CASE + "accord"), Literal("1993-09-13", datatype=XSD.date)),
        (URIRef(CASE + "back-channel"), Literal("1992", datatype=XSD.gYear)),
    ]


def test_unbound_is_none_and_plain_strings_have_no_datatype(store: Embedded) -> None:
    r = store.query('SELECT ?x ?s WHERE { BIND("plain" AS ?s) }')
    assert r.rows == [(None, Literal("plain"))]
    assert r.rows[0][1].datatype is None


def test_ask_and_graph_results(store: Embedded) -> None:
    assert store.query("ASK { case:exchange a dip:Programme }").boolean is True
    r = store.query("CONSTRUCT { ?c dip:hasTrack ?t } WHERE { ?c dip:hasTrackClassification/dip:track ?t }")
    assert r.kind == "graph"
    assert (URIRef(CASE + "exchange"), DIP.hasTrack, DIP.CitizenDiplomacy) in r.triples
    assert len(r.triples) == 4


def test_bindings_are_terms_on_the_embedded_store(store: Embedded) -> None:
    q = "SELECT ?case ?track WHERE { ?case dip:hasTrackClassification/dip:track ?track } ORDER BY ?case"
    r = store.query(q, bindings={"track": DIP.TrackOne})
    assert r.column("case") == [URIRef(CASE + "accord"), URIRef(CASE + "back-channel")]
    assert set(r.column("track")) == {DIP.TrackOne}


@pytest.mark.parametrize("evil", [
    '" } UNION { ?s ?p ?o } #',
    "'} UNION {?s ?p ?o}",
    'x") || true || ("',
    "> } UNION { ?s ?p ?o",
    "#",
    "line\nbreak } UNION { ?s ?p ?o }",
    "back\\slash\\\" } UNION { ?s ?p ?o } #",
    "Fixture \"exchange\" {programme}",
])
def test_string_values_cannot_change_the_query(store: Embedded, evil: str) -> None:
    q = "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?text) }"
    r = store.query(q, bindings={"text": Literal(evil)})
    expected = [(URIRef(CASE + "exchange"),)] if evil == 'Fixture "exchange" {programme}' else []
    assert r.rows == expected
    # the same through the VALUES form used for remote endpoints
    text = insert_values(q, {"text": Literal(evil)})
    r2 = store.query(text)
    assert r2.rows == expected


def test_a_blank_node_is_not_a_parameter(store: Embedded) -> None:
    with pytest.raises(InputError, match="blank node"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", bindings={"s": BNode()})


# ------------------------------------------------------------------------------------- VALUES insertion
@pytest.mark.parametrize("text, expected_prefix", [
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE {"),
    ("select ?x where{?x ?p ?o}", "select ?x where{"),
    ("ASK { ?x ?p ?o }", "ASK {"),
    ("SELECT * { ?x ?p ?o }", "SELECT * {"),
    ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "CONSTRUCT { ?x ?p ?o } WHERE {"),
    ("# WHERE { in a comment\nSELECT ?x WHERE { ?x ?p ?o }", "# WHERE { in a comment\nSELECT ?x WHERE {"),
    ("SELECT (\"WHERE {\" AS ?w) ?x WHERE { ?x ?p ?o }", "SELECT (\"WHERE {\" AS ?w) ?x WHERE {"),
    ("SELECT ?x WHERE { ?x ?p ?o FILTER(?o < 3) }", "SELECT ?x WHERE {"),
    ("PREFIX where: <http://example.org/where#>\nSELECT ?x WHERE { ?x where:p ?o }",
     "PREFIX where: <http://example.org/where#>\nSELECT ?x WHERE {"),
])
def test_values_go_first_into_the_where_clause(text: str, expected_prefix: str) -> None:
    out = insert_values(text, {"x": URIRef("http://example.org/a")})
    assert out.startswith(expected_prefix + " VALUES (?x) { (<http://example.org/a>) }\n")
    check_query(out)


def test_values_trail_a_construct_where_short_form() -> None:
    out = insert_values("CONSTRUCT WHERE { ?x ?p ?o }", {"x": URIRef("http://example.org/a")})
    assert out == "CONSTRUCT WHERE { ?x ?p ?o }\nVALUES (?x) { (<http://example.org/a>) }\n"
    check_query(out)


def test_serialize_term_escapes_and_validates() -> None:
    assert serialize_term(Literal('a"b\n}\\')) == '"a\\"b\\n}\\\\"'
    assert serialize_term(Literal("1993", datatype=XSD.integer)) == '"1993"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert serialize_term(Literal("x", lang="en")) == '"x"@en'
    with pytest.raises(InputError):
        serialize_term(URIRef("http://example.org/a> } UNION { ?s ?p ?o"))


# ------------------------------------------------------------------------------------------ misc helpers
def test_remote_rejects_non_http_urls() -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/", "127.0.0.1:7878", ""):
        with pytest.raises(InputError):
            Remote(url)


def test_unreachable_endpoint_is_an_input_error() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match="cannot reach"):
        Remote(f"http://127.0.0.1:{port}/query", timeout=2).query("ASK { ?s ?p ?o }")
    with pytest.raises(InputError, match="cannot reach"):
        push(f"http://127.0.0.1:{port}", triples=[(DIP.a, DIP.b, DIP.c)], timeout=2)


def test_gsp_url() -> None:
    assert gsp_url("http://127.0.0.1:7878") == "http://127.0.0.1:7878/store?default"
    assert gsp_url("http://127.0.0.1:7878/query") == "http://127.0.0.1:7878/store?default"
    assert gsp_url("http://127.0.0.1:7878/") == "http://127.0.0.1:7878/store?default"


def test_open_store_shares_the_embedded_store_and_refuses_inferred_remote() -> None:
    assert open_store() is open_store()
    with pytest.raises(InputError, match="inferred"):
        open_store("http://127.0.0.1:9/query", inferred=True)


def test_term_conversion_round_trips() -> None:
    terms = [URIRef("http://example.org/x"), Literal("x"), Literal("x", lang="en-GB"),
             Literal("1993-09", datatype=XSD.gYearMonth), Literal("01", datatype=XSD.integer)]
    for t in terms:
        back = dgraph.to_rdflib(dgraph.to_oxigraph(t))
        assert back == t and str(back) == str(t)
    assert isinstance(dgraph.to_oxigraph(Literal("x")), ox.Literal)


def test_query_result_views() -> None:
    r = QueryResult("select", ["a", "b"], [(Literal("1", datatype=XSD.integer), None)])
    assert r.records() == [{"a": 1, "b": None}]
    assert r.column("b") == [None]
    assert len(r) == 1
    with pytest.raises(InputError):
        r.graph()


def test_ordered_means_a_top_level_order_by() -> None:
    assert check_query("SELECT DISTINCT ?a WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 3").ordered
    assert not check_query("SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?a } }").ordered
    assert not check_query("SELECT ?a WHERE { ?a ?b ?c }").ordered


def test_an_endpoint_that_does_not_answer_times_out() -> None:
    import socket

    with socket.socket() as listener:  # accepts connections (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with pytest.raises(InputError, match="did not answer within 0.5 s"):
            Remote(f"http://127.0.0.1:{port}/query", timeout=0.5).query("ASK { ?s ?p ?o }")
