"""The fast query check (``store.vet_query`` and its text screen ``plainly_local``) against pyoxigraph itself.

The screen lets a query skip rdflib's parser when its text cannot name another endpoint or graph. These tests hold it
to what pyoxigraph actually runs: every spelling of ``SERVICE`` and ``FROM`` below is run on real pyoxigraph stores,
with a SPARQL endpoint listening on 127.0.0.1 as the SERVICE target (a request it receives proves that SERVICE ran)
and data in a named graph (a different answer from a store without that graph proves that FROM was obeyed).
Whenever the screen clears a text, pyoxigraph must show neither.
"""
from __future__ import annotations

import http.server
import itertools
import threading

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from dipontology.errors import InputError
from dipontology.namespaces import PREFIXES
from dipontology.query import library
from dipontology.store import Embedded, QueryResult, check_query, plainly_local, time_limited, vet_query

GRAPH = "urn:graph"
EMPTY_RESULTS = b'{"head": {"vars": ["s", "p", "o"]}, "results": {"bindings": []}}'


class _Endpoint(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint that answers every request with no solutions and counts the requests."""

    requests = 0

    def _answer(self) -> None:
        type(self).requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(EMPTY_RESULTS)))
        self.end_headers()
        self.wfile.write(EMPTY_RESULTS)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:  # noqa: D401 - quiet
        pass


@pytest.fixture(scope="module")
def endpoint():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def _store(named: bool) -> ox.Store:
    store = ox.Store()
    for s, p, o in [("urn:d", "urn:p", "default graph"), ("urn:a#", "urn:b'", "x"), ("urn:d", "urn:p", "x"),
                    ("urn:d", "urn:p", "a\n"), ("urn:d", "urn:p", "a")]:
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.Literal(o), ox.DefaultGraph()))
    if named:
        store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("named graph"),
                          ox.NamedNode(GRAPH)))
    return store


@pytest.fixture(scope="module")
def witness(endpoint):
    return endpoint, _store(True), _store(False)


def _answer(store: ox.Store, text: str):
    answer = store.query(text, prefixes={**PREFIXES, "ex": "http://127.0.0.1:9/"})
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    return sorted(str(x) for x in answer)


def _effects(witness, text: str) -> str | None:
    """What running ``text`` shows: ``"service"`` (the endpoint got a request), ``"from"`` (the named graph changed
    the answer) or None (also when pyoxigraph cannot parse it: nothing ran)."""
    url, with_graph, without_graph = witness
    text = text.replace("SVC", url)
    before = _Endpoint.requests
    try:
        a = _answer(with_graph, text)
        b = _answer(without_graph, text)
    except SyntaxError:
        return None
    except (OSError, RuntimeError) as exc:  # a SERVICE that failed, e.g. SERVICE ?var evaluated while unbound
        if _Endpoint.requests > before or "service" in str(exc).lower() or "port" in str(exc):
            return "service"
        raise
    if _Endpoint.requests > before:
        return "service"
    return "from" if a != b else None


KEYWORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "service\tsilent"]
PLACES = [
    "SELECT * WHERE {{ {kw} {iri} {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {kw}{iri}{{?s ?p ?o}} }}",
    "SELECT * WHERE {{ ?a ?b ?c . {kw} {iri} {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {kw} {iri} {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ FILTER(?x < 3){kw} {iri} {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ <urn:a#> <urn:b'> ?o . {kw} {iri} {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s <urn:p>?o . {kw} {iri} {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s <urn:p> 'x' . {kw} {iri} {{ ?s ?p ?o }} }} # 'x'",
    "SELECT * WHERE {{ ?s <urn:p> \"\"\"a\n\"\"\" . {kw} {iri} {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s <urn:p> \"\"\"a\"\"\" . {kw} {iri} {{ ?s ?p ?o }} }} # \"",
    "SELECT * WHERE {{ ?s <urn:p> \"a\" . {kw} {iri} {{ ?s ?p ?o }} }}",
    "ASK {{ FILTER EXISTS {{ {kw} {iri} {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {kw} {iri} {{ ?s ?p ?o }} }} }} }}",
    "DESCRIBE ?s WHERE {{ {kw} {iri} {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{\n# comment\n{kw} {iri} {{ ?s ?p ?o }} }}",
]
GLUED = [  # the keyword glued to what follows it: pyoxigraph still reads SERVICE
    "SELECT * WHERE { SERVICEex:x { ?s ?p ?o } }",
    "SELECT * WHERE { serviceex:x { ?s ?p ?o } }",
    "PREFIX : <SVC> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <SVC> } SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <SVC> } SERVICE?e{ ?s ?p ?o } }",
    "SELECT * WHERE {?s ?p ?o SERVICE<SVC>{}}",
]
#: texts pyoxigraph does not run (it reads no \u escape outside strings and IRIs; SERVICE after the WHERE group);
#: refused all the same
UNRUN = [
    r"SELECT * WHERE { SERV\u0049CE <SVC> { ?s ?p ?o } }",
    r"SELECT * FR\u004FM <urn:graph> WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o }SERVICE<SVC>{}",
    r"SELECT * WHERE { SERVICE <SVC\u0039> { ?s ?p ?o } }",
]
FROMS = [
    "SELECT * FROM <urn:graph> WHERE { ?s ?p ?o }",
    "SELECT * FROM<urn:graph> WHERE { ?s ?p ?o }",
    "SELECT*FROM<urn:graph>{?s ?p ?o}",
    "select * from <urn:graph> where { ?s ?p ?o }",
    "PREFIX u: <urn:> SELECT * FROM u:graph WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <urn:graph> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s (?x AS ?y) FROM <urn:graph> WHERE { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } FROM <urn:graph> WHERE { ?s ?p ?o }",
    "ASK FROM <urn:graph> { ?s ?p ?o }",
    "SELECT * # a comment\nFROM <urn:graph> WHERE { ?s ?p ?o }",
    "SELECT * FROM <urn:graph> WHERE { ?s ?p ?o } # from",
]


def _attacks() -> list[str]:
    out = [p.format(kw=kw, iri="<SVC>") for p, kw in itertools.product(PLACES, KEYWORDS)]
    return out + GLUED + FROMS


def test_the_witness_sees_every_attack(witness: ox.Store) -> None:
    """The attacks are real: pyoxigraph runs SERVICE or obeys FROM for every one it can parse."""
    effects = {text: _effects(witness, text) for text in _attacks()}
    assert [t for t, e in effects.items() if e is None] == []


def test_the_screen_never_clears_what_pyoxigraph_would_run(witness: ox.Store) -> None:
    for text in _attacks() + UNRUN:
        if plainly_local(text.replace("SVC", witness[0])):
            assert _effects(witness, text) is None, text


@pytest.mark.parametrize("text", _attacks() + UNRUN)
def test_vet_query_refuses_every_attack(witness: ox.Store, text: str) -> None:
    url = witness[0]
    with pytest.raises(InputError):
        vet_query(text.replace("SVC", url))


def test_the_screen_clears_the_named_library() -> None:
    """Every named query runs without rdflib's parser (their variables ?from, dip:validFrom and strings like
    "from " are not keywords)."""
    assert [name for name, q in library().items() if not plainly_local(q.text)] == []


@pytest.mark.parametrize("text", [
    "SELECT ?from WHERE { ?s dip:validFrom ?from }",
    'SELECT * WHERE { ?s rdfs:label "service from" }',
    "SELECT * WHERE { ?s ?p ?o } # from a service",
    "# from\nSELECT * WHERE { ?s ?p $service }",
])
def test_the_screen_clears_harmless_words(text: str) -> None:
    assert plainly_local(text)


@pytest.mark.parametrize("text", [
    "SELECT ?b ?a WHERE { ?a ?p ?b } ORDER BY ?a",
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DESCRIBE dip:TrackTwo",
    "SELECT ?x WHERE { { SELECT ?x ?y WHERE { ?x ?p ?y } } }",
])
def test_vet_query_agrees_with_check_query(text: str) -> None:
    """Same kind and projected variables (``SELECT *`` lists them in each parser's own order)."""
    shape, info = vet_query(text), check_query(text)
    assert (shape.kind, sorted(shape.variables)) == (info.kind, sorted(info.variables))
    if "*" not in text:
        assert shape.variables == info.variables


def test_vet_query_names_the_line_of_a_syntax_error() -> None:
    with pytest.raises(InputError) as err:
        vet_query("SELECT ?s\nWHERE {\n  ?s ?p \n}", source="q.rq", line_offset=4)
    assert err.value.file == "q.rq" and err.value.line is not None and err.value.line >= 5


def test_updates_are_refused_with_their_own_message() -> None:
    for text in ("CLEAR DEFAULT", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "LOAD <http://127.0.0.1:9/x.ttl>"):
        with pytest.raises(InputError, match="updates"):
            vet_query(text)


# ------------------------------------------------------------------------------------------- lazy rows, timeout
def test_rows_are_converted_when_read_and_equal_the_eager_form() -> None:
    store = Embedded(triples=[ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x", language="en")),
                              ox.Triple(ox.NamedNode("urn:b"), ox.NamedNode("urn:p"), ox.Literal("y"))])
    r = store.query("SELECT ?s ?o WHERE { ?s <urn:p> ?o } ORDER BY ?s")
    assert len(r) == 2 and r._raw is not None      # counted without converting
    assert r.rows == [(URIRef("urn:a"), Literal("x", lang="en")), (URIRef("urn:b"), Literal("y"))]
    assert r == QueryResult("select", ["s", "o"], r.rows)
    g = store.query("CONSTRUCT WHERE { ?s <urn:p> ?o }")
    assert len(g) == 2 and len(g.graph()) == 2


def test_time_limited_stops_waiting_and_passes_errors_on() -> None:
    import threading

    release = threading.Event()
    with pytest.raises(InputError, match="ran longer than --timeout 0.2 s"):
        time_limited(lambda: release.wait(30), 0.2)
    release.set()
    with pytest.raises(InputError, match="syntax"):
        time_limited(lambda: vet_query("SELECT * WHERE { ?s ?p }"), 10)
    assert time_limited(lambda: 7, 0) == 7


def test_the_api_query_takes_a_timeout() -> None:
    """``dipontology.query(..., timeout=)`` as ``dipontology query --timeout``: a slow query on a large store stops."""
    import dipontology

    fast = dipontology.query("track-labels", timeout=60)
    assert fast.kind == "select" and len(fast) > 0
    n = 150  # 150^3 joined rows: a few seconds of work, left to finish in the background
    big = Embedded(triples=[ox.Triple(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(str(i)))
                            for i in range(n)])
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?p ?y . ?c ?p ?z }"  # n^3 joins
    with pytest.raises(InputError, match="ran longer than"):
        big.query(slow, timeout=0.3)
