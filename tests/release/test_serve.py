"""``dipontology serve`` over the fixture release: content negotiation, the SPARQL endpoint and its limits."""
from __future__ import annotations

import gc
import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from support.serve_process import request as get  # the one HTTP client of the server tests
from support.release import FIXTURE_DATA, release, server, shipped_release
from dipontology.release import record_path
from dipontology.store import Embedded, Remote

CASE = "https://w3id.org/dipontology/id/case/"


def fixture_triples() -> set:
    out = set()
    for f in sorted(FIXTURE_DATA.rglob("*.ttl")):
        out |= {q.triple for q in ox.parse(f.read_bytes(), format=ox.RdfFormat.TURTLE)}
    return out


def sparql_get(query: str, accept: str | None = None, **params):
    qs = urllib.parse.urlencode({"query": query, **params})
    return get(f"{server().url}/sparql?{qs}", accept)


@pytest.fixture(scope="module")
def base() -> str:
    return server().url


def test_every_record_iri_resolves_to_html_and_turtle(base):
    triples = fixture_triples()
    records = sorted({t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)})
    assert len(records) == release()[0].records
    for iri in records:
        kind, slug = record_path(iri)
        url = f"{base}/id/{kind}/{slug}"
        status, headers, body = get(url, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        assert status == 200 and headers["Content-Type"].startswith("text/html"), iri
        assert headers["Vary"] == "Accept"
        assert b"<h1>" in body
        status, headers, body = get(url, "text/turtle")
        assert status == 200 and headers["Content-Type"].split(";")[0] == "text/turtle", iri
        assert headers["Content-Location"] == f"/id/{kind}/{slug}.ttl"
        got = {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)}
        assert {t for t in got if t.subject.value == iri} == {t for t in triples if t.subject.value == iri}, iri
        assert got <= triples, iri  # the record with its statements and their sources, nothing else


@pytest.mark.parametrize("accept,media,fmt", [
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("text/turtle;q=0.5, application/n-triples;q=0.9", "application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_record_negotiation_formats(base, accept, media, fmt):
    status, headers, body = get(f"{base}/id/case/fixture-back-channel", accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == media
    got = {q.triple for q in ox.parse(body, format=fmt)}
    assert ox.Triple(ox.NamedNode(CASE + "fixture-back-channel"),
                     ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Fixture back channel", language="en")) in got


def test_no_accept_gives_html_and_unacceptable_gives_406(base):
    status, headers, _ = get(f"{base}/id/case/fixture-back-channel")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    status, headers, _ = get(f"{base}/id/case/fixture-back-channel", "image/png")
    assert status == 406
    assert get(f"{base}/id/case/no-such-record", "text/turtle")[0] == 404


def test_ontology_iri_negotiation(base):
    _, dist = release()
    status, headers, body = get(f"{base}/ontology", "text/turtle")
    assert status == 200 and headers["Content-Location"] == "/ontology/0.1.0/dipontology.ttl"
    assert body == (dist / "ontology" / "0.1.0" / "dipontology.ttl").read_bytes()
    status, headers, body = get(f"{base}/ontology/0.1.0", "application/rdf+xml")
    assert status == 200 and headers["Content-Type"] == "application/rdf+xml"
    status, headers, body = get(f"{base}/ontology", "text/html")
    assert status == 200 and b'id="TrackTwo"' in body  # /ontology#TrackTwo lands on the term's anchor


def test_static_files_and_no_escape(base):
    status, headers, body = get(f"{base}/")
    assert status == 200 and b"search-index.js" in body
    status, headers, _ = get(f"{base}/assets/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/../../../etc/passwd"):
        assert get(base + path)[0] == 404, path


def test_dataset_iri_names_the_endpoint_and_files_match_checksums(base):
    _, dist = release()
    status, _, body = get(f"{base}/dataset")
    g = {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)}
    assert ox.Triple(ox.NamedNode("https://w3id.org/dipontology/dataset"),
                     ox.NamedNode("http://rdfs.org/ns/void#sparqlEndpoint"), ox.NamedNode(base + "/sparql")) in g
    for line in (dist / "SHA256SUMS").read_text().splitlines()[:400]:
        digest, name = line.split("  ", 1)
        status, _, served = get(f"{base}/{name}")
        assert status == 200 and hashlib.sha256(served).hexdigest() == digest, name


def test_every_record_of_the_shipped_data_resolves():
    """The same over the shipped data (the release written without re-running the gates, which test_build covers)."""
    from dipontology.serve import ReleaseServer

    result, dist = shipped_release()
    dump = [q.triple for q in ox.parse((dist / "data" / "dipontology-data.nt").read_bytes(),
                                       format=ox.RdfFormat.N_TRIPLES)]
    own = {}
    for t in dump:
        if isinstance(t.subject, ox.NamedNode) and not isinstance(t.object, ox.BlankNode):
            own.setdefault(t.subject.value, set()).add(t)
    records = sorted(iri for iri in own if record_path(iri))
    assert len(records) == result.records > 0
    with ReleaseServer(dist, "127.0.0.1", 0, workers=1, quiet=True) as srv:
        for iri in records:
            kind, slug = record_path(iri)
            status, headers, body = get(f"{srv.url}/id/{kind}/{slug}", "text/html")
            assert status == 200 and headers["Content-Type"].startswith("text/html"), iri
            status, headers, body = get(f"{srv.url}/id/{kind}/{slug}", "text/turtle")
            assert status == 200 and headers["Content-Type"].startswith("text/turtle"), iri
            got = {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)}
            assert {t for t in got if t.subject.value == iri and not isinstance(t.object, ox.BlankNode)} \
                == own[iri], iri


def test_sparql_client_gets_correct_results(base):
    _, dist = release()
    local = Embedded(files=[dist / "ontology" / "dipontology.ttl", dist / "data" / "dipontology-data.ttl"])
    remote = Remote(base + "/sparql")
    q = ("SELECT ?case ?label WHERE { ?case dip:hasTrackClassification/dip:track dip:TrackTwo ; rdfs:label ?label } "
         "ORDER BY ?case")
    got = remote.query(q)
    assert got.columns == ["case", "label"]
    assert got.rows == [(URIRef(CASE + "fixture-back-channel"), Literal("Fixture back channel", lang="en")),
                        (URIRef(CASE + "fixture-undated-dialogue"), Literal("Fixture undated dialogue", lang="en"))]
    assert got.rows == local.query(q).rows
    del local
    gc.collect()  # pyoxigraph results must be freed on the thread that made them, not by a later collection elsewhere
    assert remote.query("ASK { case:fixture-youth-exchange dip:decade ?d }").boolean is True
    assert remote.query("ASK { case:fixture-youth-exchange dip:startDate ?d }").boolean is False
    graph = remote.query("CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a dip:Programme ; rdfs:label ?l }")
    assert sorted(str(t[2]) for t in graph.triples) == ["Fixture \"youth\" exchange", "Fixture undated dialogue"]
    # POST as a form too
    body = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a dip:Participation }"}).encode()
    status, headers, out = get(base + "/sparql", "application/sparql-results+json", "POST", body,
                               "application/x-www-form-urlencoded")
    assert status == 200 and json.loads(out)["results"]["bindings"][0]["n"]["value"] == "3"


def test_the_sparql_editor_and_its_examples(base):
    """A browser asking /sparql is sent to the editor; every example of the editor, sent as YASGUI sends it (a POST
    form, its Accept header), is answered within the server's limits."""
    import re

    status, headers, page = get(base + "/sparql", "text/html,application/xhtml+xml,*/*;q=0.8")  # 303 followed
    assert status == 200 and b'id="yasgui"' in page
    status, headers, page = get(base + "/sparql/", "text/html")
    assert status == 200 and b'id="yasgui"' in page
    config = json.loads(re.search(rb'<script id="dipontology-editor-config" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))
    assert config["endpoint"] == "../sparql" and len(config["examples"]) >= 40
    srv = server()
    for example in config["examples"]:
        started = time.monotonic()
        body = urllib.parse.urlencode({"query": example["query"]}).encode()
        status, headers, out = get(base + "/sparql", "application/sparql-results+json,*/*;q=0.9", "POST", body,
                                   "application/x-www-form-urlencoded")
        assert status == 200, (example["name"], out[:300])
        assert time.monotonic() - started < srv.pool.time_limit + 2, example["name"]
    prefixes = json.loads(get(base + "/assets/prefixes.json")[2])
    assert prefixes["dip"] == "https://w3id.org/dipontology/ontology#"


def test_versioned_record_links(base):
    status, headers, body = get(base + "/0.1.0/id/case/fixture-back-channel", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert get(base + "/0.1.0/id/case/fixture-back-channel.html")[0] == 200
    assert get(base + "/9.9.9/id/case/fixture-back-channel", "text/html")[0] == 404


def test_sparql_result_formats():
    q = "SELECT ?l WHERE { case:fixture-youth-exchange rdfs:label ?l }"
    status, headers, body = sparql_get(q, "text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode() == 'l\r\n"Fixture ""youth"" exchange"\r\n'
    status, headers, body = sparql_get(q, "text/tab-separated-values")
    assert body.decode() == '?l\n"Fixture \\"youth\\" exchange"@en\n'
    status, headers, body = sparql_get(q, "application/sparql-results+xml")
    assert headers["Content-Type"] == "application/sparql-results+xml"
    assert '<literal xml:lang="en">Fixture "youth" exchange</literal>' in body.decode()
    status, headers, body = sparql_get(q, format="json")
    assert json.loads(body)["results"]["bindings"][0]["l"] == {"type": "literal", "value": 'Fixture "youth" exchange',
                                                                 "xml:lang": "en"}
    status, headers, body = sparql_get("CONSTRUCT WHERE { case:fixture-youth-exchange rdfs:label ?l }",
                                       "application/n-triples")
    assert headers["Content-Type"] == "application/n-triples" and body.decode().count(" .\n") == 1


@pytest.mark.parametrize("how", ["update-form", "update-type", "insert-as-query", "load", "service", "escaped-service",
                                 "from", "default-graph-uri"])
def test_updates_load_service_refused(base, how):
    url = base + "/sparql"
    if how == "update-form":
        r = get(url, None, "POST", b"update=DROP%20ALL", "application/x-www-form-urlencoded")
    elif how == "update-type":
        r = get(url, None, "POST", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update")
    elif how == "insert-as-query":
        r = get(url, None, "POST", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-query")
    elif how == "load":
        r = sparql_get("LOAD <http://127.0.0.1:9/data.ttl>")
    elif how == "service":
        r = sparql_get("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    elif how == "escaped-service":
        r = sparql_get("SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    elif how == "from":
        r = sparql_get("SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }")
    else:
        r = sparql_get("SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": "http://127.0.0.1:9/g"})
    assert 400 <= r[0] < 500, (how, r)
    # nothing was changed
    status, _, body = sparql_get("ASK { <urn:a> <urn:b> <urn:c> }", "application/sparql-results+json")
    assert json.loads(body)["boolean"] is False


def test_row_cap():
    status, headers, body = sparql_get("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "application/sparql-results+json")
    assert status == 200 and headers.get("X-Dipontology-Truncated") == "row cap 500"
    assert len(json.loads(body)["results"]["bindings"]) == 500


def test_runaway_query_is_stopped_and_server_goes_on(base):
    srv = server()
    killed_before = srv.pool.killed
    answers = {}

    def other_requests():
        # while the runaway query runs, the server keeps answering pages and queries
        time.sleep(0.3)
        t0 = time.monotonic()
        answers["page"] = get(base + "/id/case/fixture-back-channel", "text/turtle")[0]
        answers["ask"] = sparql_get("ASK { ?s ?p ?o }")[0]
        answers["seconds"] = time.monotonic() - t0

    side = threading.Thread(target=other_requests)
    started = time.monotonic()
    side.start()
    status, _, body = sparql_get("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    elapsed = time.monotonic() - started
    side.join(30)
    assert status == 408 and b"time limit of 2 s" in body
    assert elapsed < 10
    assert srv.pool.killed == killed_before + 1
    assert answers["page"] == 200 and answers["ask"] == 200 and answers["seconds"] < 5
    # and afterwards (the killed worker is replaced)
    for _ in range(3):
        status, _, body = sparql_get("SELECT ?l WHERE { case:fixture-back-channel rdfs:label ?l }", "text/csv")
        assert status == 200 and "Fixture back channel" in body.decode()


def test_missing_release_is_an_input_error(tmp_path):
    from dipontology.cli import main

    assert main(["serve", "--dist", str(tmp_path / "nothing"), "--port", "0", "-q"]) == 2


@pytest.mark.parametrize("iri_path", ["/ontology", "/ontology/0.1.0", "/id/case/fixture-back-channel", "/"])
def test_links_resolve_from_negotiated_urls(base, iri_path):
    """Pages answered at an IRI (no .html in the URL) still have working relative links and assets."""
    import html as html_mod
    import re

    status, _, body = get(base + iri_path, "text/html")
    assert status == 200
    refs = {html_mod.unescape(r).partition("#")[0] for r in re.findall(r'(?:href|src)="([^"]+)"', body.decode())}
    refs = sorted(r for r in refs if r and not r.startswith(("http://", "https://")))
    assert refs
    for ref in refs[:60]:
        assert get(urllib.parse.urljoin(base + iri_path, ref))[0] == 200, ref


def test_allow_service_lets_service_through_the_check():
    """With --allow-service the query is no longer refused by the check: the store itself runs it (here against a
    closed local port, so it fails with a different message, or returns nothing)."""
    from dipontology.serve import ReleaseServer

    _, dist = release()
    q = "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with ReleaseServer(dist, "127.0.0.1", 0, workers=1, quiet=True, allow_service=True, time_limit=5) as srv:
        status, _, body = get(f"{srv.url}/sparql?" + urllib.parse.urlencode({"query": q}))
    assert b"SERVICE (a federated query to another endpoint) is not allowed" not in body
    assert status in (200, 400, 503)
    status, _, body = sparql_get(q)
    assert status == 400 and b"SERVICE (a federated query to another endpoint) is not allowed" in body


def test_port_in_use_is_an_input_error():
    from dipontology.errors import InputError
    from dipontology.serve import ReleaseServer

    _, dist = release()
    port = int(server().url.rsplit(":", 1)[1])
    with pytest.raises(InputError) as exc:
        ReleaseServer(dist, "127.0.0.1", port, quiet=True)
    assert "cannot listen on 127.0.0.1" in str(exc.value) and "--port" in str(exc.value)


# left out of the fast profile (pytest -m "not slow and not server and not browser"): a real release server
pytestmark = pytest.mark.server
