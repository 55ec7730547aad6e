"""Exports: every graph format parses back to an isomorphic graph; result formats are correct and safe."""
from __future__ import annotations

import csv
import io
import json
import random
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
from dipontology.export import (GRAPH_FORMATS, RESULT_FORMATS, _sort_key, export_graph, render,
                                serialize_formats, serialize_triples, spreadsheet_safe_cell, write)
from dipontology.store import Embedded, QueryResult

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "query" / "fixture.ttl"
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


@pytest.mark.slow
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
@pytest.mark.slow
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


# ------------------------------------------------------------------------- graph-format edge cases (sort, JSON-LD)
_DIP = "https://w3id.org/dipontology/ontology#"
_CASE = "https://w3id.org/dipontology/id/case/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_NS = "http://www.w3.org/2001/XMLSchema#"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _t(s, p, o) -> ox.Triple:
    def term(x):
        if isinstance(x, (ox.NamedNode, ox.BlankNode, ox.Literal)):
            return x
        return ox.BlankNode(x[2:]) if x.startswith("_:") else ox.NamedNode(x)
    return ox.Triple(term(s), term(p), term(o))


# subjects whose IRI is a prefix of another one followed by a character below ">" ('#', '-', '.', '/', digits)
_PREFIX_SUBJECTS = [_DIP[:-1], _DIP + "X", _CASE + "a", _CASE + "a-b", _CASE + "a.b", _CASE + "a/b", _CASE + "a1",
                    _CASE + "a#b", _CASE[:-1], _CASE]


@pytest.fixture(scope="module")
def tricky_triples() -> list:
    lit = ox.Literal
    ts = []
    for i, s in enumerate(_PREFIX_SUBJECTS):
        ts.append(_t(s, _LABEL, lit(f"n{i}")))
        ts.append(_t(s, _RDF_TYPE, _DIP + "Case"))
        ts.append(_t(s, _DIP + "aPredicate", _CASE + "a"))
    ts += [
        _t(_CASE + "lit", _LABEL, lit('quotes " and \\ backslash, newline\nand\r\ttab, \x01\x1f\x7f ctl, é 𝄞 ✓')),
        _t(_CASE + "lit", _LABEL, lit("")),
        _t(_CASE + "lit", _LABEL, lit("ab")),
        _t(_CASE + "lit", _LABEL, lit("ab c")),
        _t(_CASE + "lit", _LABEL, lit('"@id": "_:x", "@type": ["dip:Evil"]} .\n> <a> .')),
        _t(_CASE + "lit", _LABEL, lit(" <" + _RDF_TYPE + "> ")),
        _t(_CASE + "lit", _LABEL, lit("see <http://www.wikidata.org/entity/Q1> and <http://www.w3.org/ns/dcat#x>")),
        _t(_CASE + "lit", _LABEL, lit("Oslo", language="en")),
        _t(_CASE + "lit", _LABEL, lit("Oslo", language="en-GB")),
        _t(_CASE + "lit", _LABEL, lit("Oslo", language="nb")),
        _t(_CASE + "lit", _DIP + "n", lit("7", datatype=ox.NamedNode(_XSD_NS + "integer"))),
        _t(_CASE + "lit", _DIP + "n", lit("1993", datatype=ox.NamedNode(_XSD_NS + "gYear"))),
        _t(_CASE + "lit", _DIP + "n", lit("x", datatype=ox.NamedNode("http://example.org/dt#custom"))),
        _t(_CASE + "lit", _DIP + "n", lit("true", datatype=ox.NamedNode(_XSD_NS + "boolean"))),
        _t(_CASE + "lit", _DIP + "n", lit('{"a": 1}', datatype=ox.NamedNode(_XSD_NS + "string"))),
        # IRIs not under any prefix, equal to a namespace, with ':' or '/' in the local part
        _t("http://example.org/x", "http://example.org/p", "http://example.org/y"),
        _t(_CASE + "iri", _DIP + "seeAlso", _CASE),
        _t(_CASE + "iri", _DIP + "seeAlso", _DIP),
        _t(_CASE + "iri", _DIP + "seeAlso", _DIP + "a:b"),
        _t(_CASE + "iri", _DIP + "seeAlso", _CASE + "a/b"),
        _t(_CASE + "iri", _DIP + "seeAlso", _CASE + "//x"),
        _t(_CASE + "iri", _DIP + "seeAlso", "urn:x:y"),
        # non-ASCII IRIs (written as they are in JSON, like json.dumps(..., ensure_ascii=False))
        _t(_CASE + "iri", _DIP + "seeAlso", _CASE + "s\u00e3o-tom\u00e9-\u2028-\U0001d11e"),
        _t(_CASE + "iri", _DIP + "seeAlso", "http://example.org/\u00e9/x\u00a0y"),
        _t(_CASE + "iri", _DIP + "p:q", _CASE + "x"),
        # rdf:type with a literal, a blank node and IRIs; rdf:type as an object
        _t(_CASE + "types", _RDF_TYPE, lit("a literal type")),
        _t(_CASE + "types", _RDF_TYPE, "_:typeNode"),
        _t(_CASE + "types", _RDF_TYPE, _DIP + "A"),
        _t(_CASE + "types", _RDF_TYPE, "http://example.org/B"),
        _t(_CASE + "types", _DIP + "onProperty", _RDF_TYPE),
        _t("_:typeNode", _LABEL, lit("a blank type")),
        _t(_CASE + "only-a-type", _RDF_TYPE, _DIP + "A"),
        # blank-node subjects and objects, a list
        _t("_:b1", _DIP + "next", "_:b2"),
        _t("_:b1", _RDF_TYPE, _DIP + "Node"),
        _t("_:b2", "http://www.w3.org/1999/02/22-rdf-syntax-ns#first", _DIP + "A"),
        _t("_:b2", "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest", "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"),
    ]
    return ts


def _nt_subjects(data: bytes) -> list[str]:
    out = []
    for line in data.decode().split("\n")[:-1]:  # N-Triples lines end at "\\n" only (an IRI may hold U+2028)
        s = line.split(" ", 1)[0]
        out.append(s[1:-1] if s.startswith("<") else s)
    return out


def test_sort_orders_subjects_by_value_when_one_iri_is_a_prefix_of_another(tricky_triples: list) -> None:
    data = serialize_triples(tricky_triples, "nt")
    subjects = _nt_subjects(data)
    iris = [s for s in subjects if not s.startswith("_:")]
    assert iris == sorted(iris)  # as values: "<...ontology>" before "<...ontology#X>", "a" before "a-b"
    assert subjects.index(_DIP[:-1]) < subjects.index(_DIP + "X")
    assert subjects.index(_CASE + "a") < subjects.index(_CASE + "a-b") < subjects.index(_CASE + "a.b")
    assert all(s.startswith("_:") for s in subjects[len(iris):])  # blank nodes after IRIs
    lines = data.decode().split("\n")[:-1]
    for s in set(subjects):  # a subject's lines are together and its rdf:type triples come first
        own = [i for i, x in enumerate(subjects) if x == s]
        assert own == list(range(own[0], own[-1] + 1))
        preds = [lines[i].split(" ")[1] for i in own]
        n_type = preds.count(f"<{_RDF_TYPE}>")
        assert preds[:n_type] == [f"<{_RDF_TYPE}>"] * n_type
        assert preds[n_type:] == sorted(preds[n_type:], key=lambda p: p[1:-1])
    labels = [line for line in lines if line.startswith(f"<{_CASE}lit> <{_LABEL}> \"ab")]
    assert labels == [f'<{_CASE}lit> <{_LABEL}> "ab" .', f'<{_CASE}lit> <{_LABEL}> "ab c" .']


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_tricky_terms_round_trip_and_output_does_not_depend_on_input_order(fmt: str, tricky_triples: list) -> None:
    data = serialize_triples(tricky_triples, fmt)
    assert serialize_triples(list(reversed(tricky_triples)), fmt) == data
    source = dgraph.triples_graph(tricky_triples)
    back = reparse(data, fmt)
    assert len(back) == len(source)
    assert isomorphic(source, back)
    ox_format = ox.RdfFormat.JSON_LD if fmt == "jsonld" else _OX[fmt]
    ox_back = [q.triple for q in ox.parse(data, format=ox_format)]
    assert canonical(dgraph.triples_graph(ox_back)) == canonical(source)



def _shuffle_extra() -> list:
    """More order traps for the shuffle test: the same literal and IRI objects under several subjects and predicates
    (JSON-LD caches their text), ``>`` and quotes inside values, ``rdf:type`` IRIs mixed with literal and blank-node
    types on one subject, and blank nodes that sort between each other."""
    lit = ox.Literal
    ts = []
    for s in (_CASE + "x", _CASE + "x#y", _CASE + "x/y", _CASE + "x-y", "_:s1", "_:s10", "_:s2"):
        ts += [_t(s, _LABEL, lit("shared")), _t(s, _LABEL, lit('a > b "c"', language="en")),
               _t(s, _DIP + "v", lit("1", datatype=ox.NamedNode(_XSD_NS + "integer"))),
               _t(s, _DIP + "v", lit("1", datatype=ox.NamedNode(_XSD_NS + "int"))), _t(s, _DIP + "v", lit("1")),
               _t(s, _DIP + "p", _CASE + "x"), _t(s, _DIP + "p", _CASE + "x#y"), _t(s, _DIP + "p", "_:s1"),
               _t(s, _DIP + "p", _RDF_TYPE), _t(s, _RDF_TYPE, _DIP + "A"), _t(s, _RDF_TYPE, _DIP + "A-B")]
    ts += [_t(_CASE + "x", _RDF_TYPE, lit("shared")), _t(_CASE + "x", _RDF_TYPE, "_:s2"),
           _t(_CASE + "x", _CASE + "p", lit("p")), _t(_CASE + "x", _CASE + "p#q", lit("x\ny")),
           _t(_CASE + "x", _CASE + "p/q", lit("é 𝄞")), _t(_CASE + "x", _CASE + "pq", lit("pq")),
           _t(_CASE + "x", _CASE + "p-q", lit("p-q"))]
    return ts


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_output_does_not_depend_on_input_order_under_shuffles(fmt: str, tricky_triples: list) -> None:
    """Any permutation of the input (not only the reversed list) gives the same bytes, and N-Triples is exactly the
    canonical lines sorted by the documented key."""
    ts = tricky_triples + _shuffle_extra()
    data = serialize_triples(ts, fmt)
    for seed in range(5):
        shuffled = list(ts)
        random.Random(seed).shuffle(shuffled)
        assert serialize_triples(shuffled, fmt) == data
        assert serialize_triples(iter(shuffled), fmt) == data  # any iterable, not only a list
    if fmt == "nt":
        lines = ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True)
        assert data == b"".join(sorted(lines, key=_sort_key))
    back = reparse(data, fmt)
    assert isomorphic(back, dgraph.triples_graph(ts))


def test_prefixes_are_exactly_the_used_namespaces(tricky_triples: list) -> None:
    head = [line for line in serialize_triples(tricky_triples, "ttl").decode().splitlines()
            if line.startswith("@prefix")]
    names = [line.split()[1] for line in head]
    assert names == ["case:", "dip:", "rdf:", "rdfs:", "xsd:"]  # xsd from a datatype only
    # wd: and dcat: IRIs occur only inside a literal: not declared
    rdfxml = serialize_triples(tricky_triples, "rdfxml").decode()
    assert "wikidata.org/entity/\"" not in rdfxml and "xmlns:wd=" not in rdfxml


def test_jsonld_is_compact_with_an_inline_context_and_safe_compact_iris(tricky_triples: list) -> None:
    doc = json.loads(serialize_triples(tricky_triples, "jsonld"))
    assert set(doc) == {"@context", "@graph"}
    assert doc["@context"] == {"case": _CASE, "dip": _DIP, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                               "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": _XSD_NS}
    nodes = {n["@id"]: n for n in doc["@graph"]}
    assert nodes["case:a"]["@type"] == ["dip:Case"]
    # compacted only when the local part is not empty and has no "/" or "#"; "dip:a:b" expands to dip: + "a:b"
    assert {v["@id"] for v in nodes["case:iri"]["dip:seeAlso"]} == {
        _CASE + "a/b", _CASE + "//x", _CASE, _DIP, "dip:a:b", "urn:x:y", "case:s\u00e3o-tom\u00e9-\u2028-\U0001d11e",
        "http://example.org/\u00e9/x\u00a0y"}
    assert nodes["case:iri"]["dip:p:q"] == [{"@id": "case:x"}]
    assert {"@value": "1993", "@type": "xsd:gYear"} in nodes["case:lit"]["dip:n"]
    en_gb = ox.Literal("x", language="en-GB").language  # pyoxigraph keeps language tags in lower case
    assert {"@value": "Oslo", "@language": en_gb} in nodes["case:lit"]["rdfs:label"]
    assert "" in nodes["case:lit"]["rdfs:label"]
    types = nodes["case:types"]
    assert sorted(types["@type"]) == ["dip:A", "http://example.org/B"]
    assert sorted(map(json.dumps, types["rdf:type"])) == ['"a literal type"', '{"@id": "_:typeNode"}']
    assert nodes["case:types"]["dip:onProperty"] == [{"@id": "rdf:type"}]


def test_jsonld_keeps_lexical_forms() -> None:
    """Typed literals stay strings with their exact lexical form (no JSON numbers, no normalisation)."""
    odd = [ox.Literal(" 01", datatype=ox.NamedNode(_XSD_NS + "integer")),
           ox.Literal("1.0E0", datatype=ox.NamedNode(_XSD_NS + "double")),
           ox.Literal("TRUE", datatype=ox.NamedNode(_XSD_NS + "boolean"))]
    ts = [_t(_CASE + "x", _DIP + "n", o) for o in odd]
    data = serialize_triples(ts, "jsonld")
    assert [v["@value"] for v in json.loads(data)["@graph"][0]["dip:n"]] == [" 01", "1.0E0", "TRUE"]
    back = {q.triple.object for q in ox.parse(data, format=ox.RdfFormat.JSON_LD)}
    assert back == set(odd)


def test_jsonld_drops_a_prefix_that_is_also_an_iri_scheme() -> None:
    ts = [_t(_CASE + "x", _LABEL, ox.Literal("x")), _t(_CASE + "x", _DIP + "p", "case:not-the-namespace")]
    data = serialize_triples(ts, "jsonld")
    assert "case" not in json.loads(data)["@context"]
    back = [q.triple for q in ox.parse(data, format=ox.RdfFormat.JSON_LD)]
    assert canonical(dgraph.triples_graph(back)) == canonical(dgraph.triples_graph(ts))


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_empty_graph_in_every_format(fmt: str) -> None:
    data = serialize_triples([], fmt)
    assert len(reparse(data, fmt)) == 0


def test_serialize_formats_gives_each_format_byte_for_byte(tricky_triples: list) -> None:
    """``serialize_formats`` (the release's four formats per record, the work shared) writes exactly what
    ``serialize_triples`` writes for each format, for tricky terms, an empty graph and a prefix clash."""
    clash = [_t(_CASE + "x", _LABEL, ox.Literal("x")), _t(_CASE + "x", _DIP + "p", "case:not-the-namespace")]
    for ts in (tricky_triples + _shuffle_extra(), [], clash, tricky_triples[:7]):
        both = serialize_formats(ts, GRAPH_FORMATS)
        assert list(both) == list(GRAPH_FORMATS)
        for fmt in GRAPH_FORMATS:
            assert both[fmt] == serialize_triples(ts, fmt), fmt
    with pytest.raises(InputError):
        serialize_formats(clash, ["ttl", "n3"])


def test_jsonld_compact_forms_shared_between_documents_change_nothing(tricky_triples: list) -> None:
    """The compact IRIs one document made are reused by the next (a release writes 170,000 of them at a million
    triples): in any order of documents, with and without a prefix clash, each document is what it is alone."""
    from dipontology import export as ex

    clash = [_t(_CASE + "x", _LABEL, ox.Literal("x")), _t(_CASE + "x", _DIP + "p", "case:not-the-namespace"),
             _t(_CASE + "x", _DIP + "q", _CASE + "y")]
    # the clashing IRI first (a subject sorts before https: IRIs): its prefix is set aside before any use of it
    first = [_t("case:not-the-namespace", _LABEL, ox.Literal("a")), _t(_CASE + "y", _LABEL, ox.Literal("y"))]
    docs = [tricky_triples + _shuffle_extra(), clash, tricky_triples[:9], first, clash[1:], _shuffle_extra()]
    alone = []
    for ts in docs:
        ex._COMPACTED.clear()
        alone.append(serialize_triples(ts, "jsonld"))
    for seed in range(4):
        order = list(range(len(docs)))
        random.Random(seed).shuffle(order)
        ex._COMPACTED.clear()
        for i in order + order:
            assert serialize_triples(docs[i], "jsonld") == alone[i], i
    assert ex._COMPACTED  # the forms were shared
