"""A real Oxigraph server on 127.0.0.1: ``dipontology push`` loads the graph, and every named query gives the same
answer there as on the embedded store. Parameters stay terms on the remote path too (VALUES of escaped terms).

Needs the ``oxigraph`` command (the ``oxigraph`` package of the ``test`` extra).
"""
from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

from support.injection import EVIL_STRINGS
from support.oxigraph import OxigraphServer

from dipontology import resources
from dipontology.cli import main
from dipontology.errors import InputError
from dipontology.graph import parse_files, triples_graph
from dipontology.namespaces import PREFIXES
from dipontology.query import NamedQuery, get, library
from dipontology.store import Embedded, QueryResult, Remote, open_store, push

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "query" / "fixture.ttl"
CASE = PREFIXES["case"]


@pytest.fixture(scope="module")
def server(oxigraph_server) -> Iterator[OxigraphServer]:
    """A server holding the shipped graph, pushed with ``dipontology push``."""
    srv = oxigraph_server("oxigraph-shipped")
    try:
        assert main(["push", "--endpoint", srv.base, "-q"]) == 0
        yield srv
    finally:
        srv.stop()
    assert srv.proc.poll() is not None


@pytest.fixture(scope="module")
def fixture_server(oxigraph_server) -> Iterator[OxigraphServer]:
    """A second server holding the small query fixture (labels with quotes and braces)."""
    srv = oxigraph_server("oxigraph-fixture")
    try:
        triples = triples_graph(parse_files([resources.ontology_file(), FIXTURE]))
        push(srv.base, list(triples))
        yield srv
    finally:
        srv.stop()


def _same(a: QueryResult, b: QueryResult) -> None:
    assert a.kind == b.kind
    if a.kind == "graph":
        assert sorted(a.triples) == sorted(b.triples)
        return
    assert a.boolean == b.boolean
    assert a.columns == b.columns
    assert a.rows == b.rows


def _example_params(nq: NamedQuery) -> dict[str, str]:
    """The ``--param`` values of the query's documented example call."""
    words = shlex.split(nq.example)
    params = {}
    for i, w in enumerate(words):
        if w in ("--param", "-p") and i + 1 < len(words):
            k, _, v = words[i + 1].partition("=")
            params[k] = v
    return params


def test_push_loaded_every_triple(server: OxigraphServer) -> None:
    remote = Remote(server.query_url)
    n = remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
    assert int(n) == len(open_store())


@pytest.mark.parametrize("name", sorted(library()))
def test_named_query_gives_identical_results_remote_and_embedded(server: OxigraphServer, name: str) -> None:
    nq = get(name)
    remote = Remote(server.query_url)
    embedded = open_store()
    _same(nq.run(remote), nq.run(embedded))
    example = _example_params(nq)
    if example:
        on_remote, on_embedded = nq.run(remote, example), nq.run(embedded, example)
        _same(on_remote, on_embedded)


def test_cli_query_on_the_endpoint_matches_the_embedded_output(server: OxigraphServer,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "compare-tracks", "--format", "json", "-q"]) == 0
    local = capsys.readouterr().out
    assert main(["query", "compare-tracks", "--format", "json", "--endpoint", server.query_url, "-q"]) == 0
    assert capsys.readouterr().out == local


EVIL = EVIL_STRINGS


@pytest.mark.parametrize("evil", EVIL)
def test_string_parameters_cannot_change_the_query_on_a_remote_endpoint(fixture_server: OxigraphServer,
                                                                         evil: str) -> None:
    remote = Remote(fixture_server.query_url)
    assert get("search-labels").run(remote, {"text": evil}).rows == []


def test_remote_parameters_match_literally_and_by_type(fixture_server: OxigraphServer) -> None:
    remote = Remote(fixture_server.query_url)
    embedded = Embedded(files=[resources.ontology_file(), FIXTURE])
    nq = get("search-labels")
    r = nq.run(remote, {"text": '"exchange" {'})
    assert [row[0] for row in r.rows] == [URIRef(CASE + "exchange")]
    _same(r, nq.run(embedded, {"text": '"exchange" {'}))
    tracks = get("cases-by-track")
    for track in ("TrackOne", "TrackTwo", "CitizenDiplomacy", "TrackOneAndAHalf"):
        _same(tracks.run(remote, {"track": track}), tracks.run(embedded, {"track": track}))
    with pytest.raises(InputError):
        tracks.run(remote, {"track": "dip:TrackTwo> } UNION {"})


def test_http_errors_are_input_errors(fixture_server: OxigraphServer) -> None:
    with pytest.raises(InputError, match="HTTP 404"):
        Remote(fixture_server.base + "/no-such-endpoint").query("ASK { ?s ?p ?o }")
    assert main(["push", "--gsp", fixture_server.base + "/no-such-store", "-q"]) == 2
    assert main(["push", "-q"]) == 2


def test_push_append_adds_and_put_replaces(tmp_path: Path) -> None:
    srv = OxigraphServer(tmp_path / "db")
    try:
        remote = Remote(srv.query_url)
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        one = [(URIRef(CASE + "a"), URIRef(CASE + "p"), URIRef(CASE + "b"))]
        two = [(URIRef(CASE + "c"), URIRef(CASE + "p"), URIRef(CASE + "d"))]
        assert push(srv.base, one).method == "PUT"
        assert push(srv.base + "/query", two, replace=False).method == "POST"
        assert int(remote.query(count).rows[0][0]) == 2
        push(srv.base, one)
        assert int(remote.query(count).rows[0][0]) == 1
    finally:
        srv.stop()
    assert srv.proc.returncode is not None


def test_push_inferred_graph(tmp_path: Path) -> None:
    srv = OxigraphServer(tmp_path / "db")
    try:
        remote = Remote(srv.query_url)
        ask = "ASK { dip:TrackTwo a dip:DiplomacyTrack }"
        assert main(["push", "--endpoint", srv.query_url, "-q"]) == 0
        assert remote.query(ask).boolean is False
        assert main(["push", "--endpoint", srv.query_url, "--inferred", "-q"]) == 0
        assert remote.query(ask).boolean is True
        assert main(["query", "--sparql", ask, "--endpoint", srv.query_url, "--inferred", "-q"]) == 2
    finally:
        srv.stop()


# left out of the fast profile (pytest -m "not slow and not server and not browser"): a real Oxigraph server
pytestmark = pytest.mark.server
