"""Exports: every graph format parses back to an isomorphic graph; result formats are correct and safe."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from dipontology import graph as dgraph
from dipontology import resources
from dipontology.cli import main
from dipontology.errors import InputError
from dipontology.export import (GRAPH_FORMATS, RESULT_FORMATS, export_graph, render, serialize_triples,
                                spreadsheet_safe_cell, write)
from dipontology.store import Embedded, QueryResult

FIXTURE = Path(__file__).parent / "fixtures" / "query" / "fixture.ttl"
_OX = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
       "trig": ox.RdfFormat.TRIG}


def reparse(data: bytes, fmt: str) -> Graph:
    """Parse an export back into an rdflib graph (JSON-LD with rdflib; its context is inline)."""
    if fmt == "jsonld":
        return Graph().parse(data=data.decode("utf-8"), format="json-ld")
    return dgraph.triples_graph(q.triple for q in ox.parse(data, format=_OX[fmt]))


def canonical(g: Graph) -> set[str]:
    """The graph's triples after RDF canonicalisation (blank nodes relabelled canonically): two graphs are
    isomorphic exactly when these sets are equal. Fast (pyoxigraph), for the whole shipped graph."""
    ds = ox.Dataset(ox.Quad(dgraph.to_oxigraph(s), dgraph.to_oxigraph(p), dgraph.to_oxigraph(o))
                    for s, p, o in g)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


@pytest.fixture(scope="module")
def shipped() -> Graph:
    return dgraph.published_graph()


BNODES = b"""
@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
[] a owl:AllDifferent ; owl:distinctMembers ( dip:TrackOne dip:TrackTwo dip:CitizenDiplomacy ) .
dip:Example rdfs:subClassOf [ a owl:Restriction ; owl:onProperty dip:hasTrack ;
    owl:someValuesFrom [ owl:oneOf ( dip:TrackOne dip:TrackTwo ) ] ] .
"""


@pytest.fixture(scope="module")
def fixture_triples() -> list:
    """The query fixture plus a few blank-node structures (lists, nested restrictions) like the ontology's."""
    extra = [q.triple for q in ox.parse(BNODES, format=ox.RdfFormat.TURTLE)]
    return dgraph.parse_files([FIXTURE]) + extra


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_fixture_graph_round_trips_isomorphic(fmt: str, fixture_triples: list) -> None:
    source = dgraph.triples_graph(fixture_triples)
    data = serialize_triples(fixture_triples, fmt)
    back = reparse(data, fmt)
    assert len(back) == len(source)
    assert isomorphic(source, back)


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_shipped_graph_round_trips_in_every_format(fmt: str, shipped: Graph) -> None:
    export = export_graph(fmt)
    assert export.triples == len(shipped)
    back = reparse(export.data, fmt)
    assert len(back) == len(shipped)
    assert canonical(back) == canonical(shipped)


def test_shipped_turtle_round_trip_with_rdflib_isomorphic(shipped: Graph) -> None:
    assert isomorphic(reparse(export_graph("ttl").data, "ttl"), shipped)


def test_inferred_export_round_trips_and_has_no_literal_subjects() -> None:
    inferred = dgraph.inferred_triples()
    asserted = dgraph.published_triples()
    assert len(inferred) > len(asserted)
    assert not any(isinstance(t.subject, ox.Literal) for t in inferred)
    for fmt in ("nt", "ttl"):
        export = export_graph(fmt, inferred=True)
        back = reparse(export.data, fmt)
        assert len(back) == len(inferred)


def test_exports_are_stable_and_sorted() -> None:
    a = export_graph("ttl").data
    b = export_graph("ttl").data
    assert a == b
    subjects = [line.split(" ", 1)[0][1:-1] for line in export_graph("nt").data.decode().splitlines()
                if line.startswith("<")]
    assert subjects == sorted(subjects) and len(subjects) > 1000
    head = [line for line in a.decode().splitlines() if line.startswith("@prefix")]
    assert head == sorted(head) and "@prefix dip: <https://w3id.org/dipontology/ontology#> ." in head


def test_jsonld_uses_the_project_prefixes_as_context() -> None:
    doc = json.loads(export_graph("jsonld").data)
    assert doc["@context"]["dip"] == "https://w3id.org/dipontology/ontology#"
    assert "dip:TrackTwo" in json.dumps(doc)


def test_export_writes_atomically(tmp_path: Path) -> None:
    target = tmp_path / "graph.nt"
    target.write_text("old")
    e = export_graph("nt", output=target)
    assert target.read_bytes() == e.data
    assert [p.name for p in tmp_path.iterdir()] == ["graph.nt"]


def test_unknown_graph_format() -> None:
    with pytest.raises(InputError):
        serialize_triples([], "xlsx")


# ----------------------------------------------------------------------------------------- result formats
EX = "https://w3id.org/dipontology/id/case/"
RESULT = QueryResult("select", ["case", "label", "n", "note"], [
    (URIRef(EX + "oslo"), Literal("Oslo, \"secret\" | talks", lang="en"), Literal("3", datatype=XSD.integer), None),
    (URIRef(EX + "x"), Literal("=HYPERLINK(\"http://evil\")"), Literal("-2", datatype=XSD.integer, normalize=False),
     Literal("line1\nline2 <b>")),
    (BNode("b0"), Literal("@SUM(1)"), Literal("+1", datatype=XSD.integer, normalize=False), Literal("\ttab")),
])


def test_csv_is_w3c_plain_values() -> None:
    text = render(RESULT, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["case", "label", "n", "note"]
    assert rows[1] == [EX + "oslo", 'Oslo, "secret" | talks', "3", ""]
    assert rows[2][3] == "line1\nline2 <b>"
    assert rows[3][0] == "_:b0"
    assert text.endswith("\r\n")


def test_csv_spreadsheet_safety() -> None:
    rows = list(csv.reader(io.StringIO(render(RESULT, "csv", spreadsheet_safe=True))))
    assert rows[2][1] == "'=HYPERLINK(\"http://evil\")" and rows[2][2] == "'-2"
    assert rows[3][1] == "'@SUM(1)" and rows[3][2] == "'+1" and rows[3][3] == "'\ttab"
    assert rows[1][1] == 'Oslo, "secret" | talks'
    assert spreadsheet_safe_cell("\rX") == "'\rX"


def test_write_makes_csv_spreadsheet_safe_by_default(tmp_path: Path) -> None:
    write(RESULT, "csv", tmp_path / "a.csv")
    write(RESULT, "csv", tmp_path / "b.csv", spreadsheet_safe=False)
    assert "'=HYPERLINK" in (tmp_path / "a.csv").read_text()
    assert "'=HYPERLINK" not in (tmp_path / "b.csv").read_text()


def test_tsv_uses_rdf_term_syntax() -> None:
    lines = render(RESULT, "tsv").splitlines()
    assert lines[0] == "?case\t?label\t?n\t?note"
    cells = lines[1].split("\t")
    assert cells == [f"<{EX}oslo>", '"Oslo, \\"secret\\" | talks"@en',
                     '"3"^^<http://www.w3.org/2001/XMLSchema#integer>', ""]
    assert lines[2].split("\t")[3] == '"line1\\nline2 <b>"'
    assert len(lines) == 4  # newlines inside values are escaped


def test_json_is_w3c_sparql_results() -> None:
    doc = json.loads(render(RESULT, "json"))
    assert doc["head"]["vars"] == ["case", "label", "n", "note"]
    first = doc["results"]["bindings"][0]
    assert first["case"] == {"type": "uri", "value": EX + "oslo"}
    assert first["label"] == {"type": "literal", "value": 'Oslo, "secret" | talks', "xml:lang": "en"}
    assert first["n"] == {"type": "literal", "value": "3", "datatype": str(XSD.integer)}
    assert "note" not in first
    assert doc["results"]["bindings"][2]["case"] == {"type": "bnode", "value": "b0"}
    ask = json.loads(render(QueryResult("ask", boolean=True), "json"))
    assert ask == {"head": {}, "boolean": True}


def test_markdown_escapes_pipes_and_newlines() -> None:
    lines = render(RESULT, "md").splitlines()
    assert lines[0] == "| case | label | n | note |"
    assert lines[2] == '| case:oslo | Oslo, "secret" \\| talks | 3 |  |'
    assert "line1<br>line2 <b>" in lines[3]
    assert len(lines) == 5


def test_html_escapes_everything() -> None:
    page = render(RESULT, "html")
    assert "<b>" not in page.replace("<body>", "")
    assert "line1<br>line2 &lt;b&gt;" in page
    assert f'<a href="{EX}oslo">case:oslo</a>' in page
    assert page.startswith("<!DOCTYPE html>") and "3 rows" in page


def test_table_shows_prefixed_names() -> None:
    text = render(RESULT, "table")
    assert "case:oslo" in text and "3 rows" in text


def test_graph_result_in_result_formats_and_select_in_graph_formats() -> None:
    g = QueryResult("graph", triples=[(URIRef(EX + "a"), URIRef(EX + "p"), Literal("x"))])
    assert render(g, "csv").splitlines()[0] == "subject,predicate,object"
    assert "case:a" in render(g, "ttl")
    with pytest.raises(InputError, match="CONSTRUCT"):
        render(RESULT, "ttl")


@pytest.mark.parametrize("fmt", RESULT_FORMATS)
def test_every_result_format_renders_ask(fmt: str) -> None:
    assert "true" in render(QueryResult("ask", boolean=True), fmt).lower()


def test_to_dataframe_or_a_clear_import_error() -> None:
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install"):
            RESULT.to_dataframe()
    else:
        df = RESULT.to_dataframe()
        assert list(df.columns) == ["case", "label", "n", "note"]
        assert df["n"].tolist() == [3, -2, 1]


# -------------------------------------------------------------------------------------------------- CLI
def test_cli_export_and_query_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.ttl"
    assert main(["export", "--format", "ttl", "-o", str(out), "-q"]) == 0
    assert len(reparse(out.read_bytes(), "ttl")) == len(dgraph.published_graph())
    q = 'SELECT ?x WHERE { BIND("=1+1" AS ?x) }'
    assert main(["query", "--sparql", q, "--format", "csv", "-o", str(tmp_path / "a.csv"), "-q"]) == 0
    assert (tmp_path / "a.csv").read_text().splitlines()[1] == "'=1+1"
    assert main(["query", "--sparql", q, "--format", "csv", "--no-spreadsheet-safe", "-o",
                 str(tmp_path / "b.csv"), "-q"]) == 0
    assert (tmp_path / "b.csv").read_text().splitlines()[1] == "=1+1"
    capsys.readouterr()
    assert main(["query", "--sparql", "CONSTRUCT WHERE { dip:TrackTwo rdfs:label ?l }", "-q"]) == 0
    assert 'dip:TrackTwo rdfs:label "Track II diplomacy"@en .' in capsys.readouterr().out
    assert main(["query", "--sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "ttl", "-q"]) == 2
    assert main(["query", "--sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "json", "-q"]) == 0
    assert sorted(json.loads(capsys.readouterr().out)["head"]["vars"]) == ["o", "p", "s"]


def test_embedded_query_on_the_fixture_in_every_result_format() -> None:
    store = Embedded(files=[resources.ontology_file(), FIXTURE])
    r = store.query("SELECT ?case ?label WHERE { ?case a dip:Programme ; rdfs:label ?label }")
    for fmt in RESULT_FORMATS:
        assert "exchange" in render(r, fmt)
