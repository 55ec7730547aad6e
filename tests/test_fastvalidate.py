"""The fast SHACL engine (dipontology.fastvalidate) reports exactly what pySHACL reports.

Agreement is checked at two levels: the SHACL results (focus node, path, value, source shape, constraint component,
severity, messages, counted with multiplicity) and the findings a user sees (``validate(..., engine=...)``), on every
fixture contribution that parses, on the shipped data and on generated data with every kind of violation.
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from dipontology import validate as V
from dipontology.errors import InputError
from dipontology.fastvalidate import ShapesProgram, from_ox, store_from_graph, to_ox, validate_graph, validate_store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CONTRIBUTIONS = sorted(p for d in ("valid", "invalid") for p in (FIXTURES / d).iterdir()
                       if p.is_file() and not p.name.endswith(".expected.json"))


def _keys(g: Graph, anonymous: bool = False) -> Counter:
    """The results of a report graph, counted; ``anonymous``: blank nodes compared as equal (two parses of one
    contribution give its blank nodes different ids; the findings compared beside it name them by their record)."""
    out: Counter = Counter()

    def n(term):
        return "_:b" if anonymous and isinstance(term, BNode) else term

    for r in g.subjects(RDF.type, SH.ValidationResult):
        path = g.value(r, SH.resultPath)
        if isinstance(path, BNode):
            path = ("inverse", g.value(path, SH.inversePath))
        msgs = frozenset((str(m), m.language) for m in g.objects(r, SH.resultMessage))
        out[(n(g.value(r, SH.focusNode)), path, n(g.value(r, SH.value)), g.value(r, SH.sourceShape),
             g.value(r, SH.sourceConstraintComponent), g.value(r, SH.resultSeverity), msgs)] += 1
    return out


def _findings(report) -> list[str]:
    """The findings as sorted JSON texts, blank node ids blanked (each parse of a contribution gives new ones);
    sorted because validate's order does not break ties between findings that differ only in their message."""
    return sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", json.dumps(f.to_dict(), sort_keys=True)) for f in report.findings)


def _pyshacl(data: Graph) -> Graph:
    from pyshacl import validate as shacl_validate

    prepared = V._PreparedQueryGraph()
    prepared += data
    _c, results, _t = shacl_validate(prepared, shacl_graph=V.shapes_graph(), inference="none", advanced=False,
                                     allow_warnings=True, allow_infos=True)
    return results


def _generate(tmp: Path, triples: int, rate: float) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = mod
    spec.loader.exec_module(mod)
    return mod.generate(triples, tmp, violation_rate=rate, seed=3)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Graph, dict]:
    path = _generate(tmp_path_factory.mktemp("gen"), 10_000, 0.04)
    g = Graph()
    g += V._ontology().graph
    g.parse(path)
    return g, json.loads(path.with_suffix(".json").read_text())


def test_every_shape_is_handled_by_the_fast_engine():
    prog = ShapesProgram(V.shapes_graph())
    assert len(prog.top) >= 25
    assert {str(s.node).rsplit("#")[-1] for s in prog.top if s.sparql} == \
        {"EndNotBeforeStart", "KnownTrack", "TrackPeriodWithinInitiative", "CodeValidityShape"}
    assert [str(s.node) for s in prog.top if prog.unsupported(s)] == []


def test_generated_graph_same_results_as_pyshacl(generated):
    g, sidecar = generated
    expected = _keys(_pyshacl(g))
    report = validate_graph(g, V.shapes_graph())
    assert report.fallback_shapes == []
    assert _keys(report.graph()) == expected
    # every injected kind of violation is found, from the shape the generator names
    shapes = Counter(str(k[3]).rsplit("#")[-1] for k in expected.elements())
    for kind, v in sidecar["violations"].items():
        assert v["count"] > 0, kind
        assert shapes[v["shape"].split(":")[1]] >= 1, kind
    assert shapes["KnownTrack"] == sidecar["violations"]["unknown_track"]["count"]
    assert shapes["EndNotBeforeStart"] == sidecar["violations"]["end_before_start"]["count"]
    assert shapes["StatementSource"] == sidecar["violations"]["statement_without_source"]["count"]
    assert shapes["StatementLocator"] == sidecar["violations"]["statement_without_locator"]["count"]


def test_focus_mode_equals_whole_graph_mode_restricted(generated):
    """A contribution's nodes checked one by one give the whole-graph results about those nodes."""
    g, _ = generated
    shapes = V.shapes_graph()
    whole = _keys(validate_graph(g, shapes).graph())
    focus = {k[0] for k in whole.elements()}
    focus = set(sorted(focus, key=str)[::3]) | {URIRef("https://w3id.org/dipontology/id/case/initiative-1")}
    store = store_from_graph(g)
    part = _keys(validate_store(store, shapes, focus=focus).graph())
    assert part == Counter({k: n for k, n in whole.items() if k[0] in focus})
    assert part


def test_shipped_data_same_findings():
    fast = V.validate(engine="fast")
    ref = V.validate(engine="pyshacl")
    assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in ref.findings]
    assert _keys(fast.shacl_report) == _keys(ref.shacl_report)


@pytest.mark.parametrize("path", CONTRIBUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_same_findings(path: Path):
    try:
        ref = V.validate([path], engine="pyshacl")
    except InputError:
        with pytest.raises(InputError):
            V.validate([path], engine="fast")
        return
    fast = V.validate([path], engine="fast")
    assert _findings(fast) == _findings(ref)
    assert _keys(fast.shacl_report, anonymous=True) == _keys(ref.shacl_report, anonymous=True)


def test_enough_fixtures_reach_shacl():
    reached = 0
    for path in CONTRIBUTIONS:
        try:
            report = V.validate([path], engine="fast")
        except InputError:
            continue
        reached += any(report.shacl_report.subjects(RDF.type, SH.ValidationResult))
    assert reached >= 10


def test_unsupported_constraint_falls_back_to_pyshacl_never_skipped():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:hasValue ex:x ] .
        ex:T a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 2 ] .
        """, format="turtle")
    data = Graph().parse(data="@prefix ex: <http://example.org/> . ex:a a ex:C ; ex:p ex:y .", format="turtle")
    report = validate_graph(data, shapes)
    assert report.fallback_shapes == [URIRef("http://example.org/S")]
    got = {(str(g.value(r, SH.sourceConstraintComponent)).rsplit("#")[-1])
           for g in [report.graph()] for r in g.subjects(RDF.type, SH.ValidationResult)}
    assert got == {"HasValueConstraintComponent", "MinCountConstraintComponent"}
    assert not report.conforms


def test_terms_round_trip():
    for t in (URIRef("http://example.org/a"), BNode("b1"), Literal("x"), Literal("x", lang="en"),
              Literal("1993", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))):
        assert from_ox(to_ox(t)) == t
    assert isinstance(to_ox(Literal("x")), ox.Literal)


def test_cli_engine_option(tmp_path):
    from dipontology.cli import main

    bad = FIXTURES / "invalid" / "shapes-dates.ttl"
    reports = []
    for engine in ("fast", "pyshacl"):
        out = tmp_path / f"{engine}.json"
        assert main(["validate", str(bad), "--engine", engine, "--format", "json", "-o", str(out), "-q"]) == 1
        reports.append(json.loads(out.read_text())["findings"])
    assert reports[0] == reports[1] and reports[0]
