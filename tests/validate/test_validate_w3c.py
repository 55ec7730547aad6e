"""The W3C SHACL test suite (core and SPARQL, in tests/w3c_shacl/, see its ORIGIN.md) against every engine that
``dipontology validate --engine`` offers, through the function validate uses (:func:`dipontology.validate.
shacl_report`, with its refusals).

Compared as ORIGIN.md says: ``sh:conforms`` must match, and the results as a multiset on focus node, result path
(blank-node paths by structure), constraint component and severity, plus ``sh:value`` wherever the expected report
gives one; a test that expects ``sht:Failure`` passes only when the engine refuses the shapes with an error.

A test fails unless it passes, with one exception: a limitation an engine declares in
:data:`dipontology.validate.ENGINE_LIMITS`, for which the engine must refuse the shapes graph with an error that
names the limitation (never a silent pass). Those are listed in :data:`DECLARED` with the reason.
"""
from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from dipontology.errors import InputError
from dipontology.graph import to_rdflib
from dipontology.load import _quiet_rdflib
from dipontology.validate import ENGINE_LIMITS, SHACL_ENGINES, shacl_report

SUITE = Path(__file__).resolve().parents[1] / "w3c_shacl"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"

#: (engine, test) -> the declared limitation (a key of ENGINE_LIMITS[engine]) under which the engine refuses it
DECLARED = {
    # pySHACL 0.40 raises NotImplementedError on $shapesGraph
    ("pyshacl", "sparql/pre-binding/shapesGraph-001"): "shapes-graph",
    # pySHACL reads sh:uniqueLang "1"^^xsd:boolean as true and reports a violation where SHACL has none
    ("pyshacl", "core/property/uniqueLang-002"): "numeric-boolean",
}

_PARSED: dict = {}


def parse(path: Path) -> Graph:
    """A test file as the loader parses data: pyoxigraph's parser, lexical forms kept, prefixes bound (the tests
    use relative IRIs, so the file's own URL is the base)."""
    path = path.resolve()
    if path not in _PARSED:
        g = Graph()
        parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())
        with _quiet_rdflib(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdflib on ill-typed literals the tests hold on purpose
            for t in parser:
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        for prefix, ns in parser.prefixes.items():
            g.bind(prefix, ns, override=True)
        _PARSED[path] = g
    return _PARSED[path]


def _file(iri) -> Path:
    text = str(iri)
    assert text.startswith("file://"), text
    return Path(text[len("file://"):])


def entries(manifest: Path = SUITE / "manifest.ttl"):
    g = parse(manifest)
    for included in g.objects(None, URIRef(MF + "include")):
        yield from entries(_file(included))
    for lst in g.objects(None, URIRef(MF + "entries")):
        for entry in Collection(g, lst):
            if (entry, RDF.type, URIRef(SHT + "Validate")) in g:
                name = str(_file(entry).relative_to(SUITE.resolve()).with_suffix("")).replace(".ttl", "")
                yield name, g, entry


TESTS = {name: (g, entry) for name, g, entry in entries()}


def test_the_suite_is_complete():
    assert len(TESTS) == 120
    assert (SUITE / "ORIGIN.md").read_text().count("ff9edb9c85375498b49391fb65ef3ff6525ebe08") == 1
    assert sum(1 for g, e in TESTS.values() if g.value(e, URIRef(MF + "result")) == URIRef(SHT + "Failure")) >= 7


def _path(g: Graph, p):
    """A result path as a comparable structure (blank-node paths compared by what they say)."""
    if p is None or isinstance(p, URIRef):
        return p
    if g.value(p, RDF.first) is not None:
        return ("sequence",) + tuple(_path(g, x) for x in Collection(g, p))
    for kind in ("inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
        inner = g.value(p, SH[kind])
        if inner is not None:
            if kind == "alternativePath":
                return (kind,) + tuple(_path(g, x) for x in Collection(g, inner))
            return (kind, _path(g, inner))
    return ("unknown path", p)


def _results(g: Graph, report) -> list[dict]:
    return [{"focus": g.value(r, SH.focusNode), "path": _path(g, g.value(r, SH.resultPath)),
             "component": g.value(r, SH.sourceConstraintComponent), "severity": g.value(r, SH.resultSeverity),
             "value": g.value(r, SH.value)} for r in g.objects(report, SH.result)]


def _mismatch(expected: list[dict], got: list[dict]) -> str | None:
    """None when the two multisets of results match (``value`` compared where the expected result gives one)."""
    got = list(got)
    for e in sorted(expected, key=lambda r: r["value"] is None):
        for i, a in enumerate(got):
            if all(e[k] == a[k] for k in ("focus", "path", "component", "severity")) and \
                    (e["value"] is None or e["value"] == a["value"]):
                del got[i]
                break
        else:
            return f"expected result not reported: {e}"
    return f"results not expected: {got}" if got else None


def outcome(engine: str, name: str) -> tuple[str, str]:
    """``("pass" | "refused" | "fail" | "silent", detail)`` of one test on one engine; ``silent`` is a report that
    conforms where the test expects results or a refusal."""
    g, entry = TESTS[name]
    action, expected = g.value(entry, URIRef(MF + "action")), g.value(entry, URIRef(MF + "result"))
    data = parse(_file(g.value(action, URIRef(SHT + "dataGraph"))))
    shapes = parse(_file(g.value(action, URIRef(SHT + "shapesGraph"))))
    try:
        conforms, report = shacl_report(data, shapes, engine)
    except InputError as exc:
        return ("pass" if expected == URIRef(SHT + "Failure") else "refused"), exc.message
    if expected == URIRef(SHT + "Failure"):
        return ("silent" if conforms else "fail"), "the engine validated shapes it must refuse"
    want = g.value(expected, SH.conforms).toPython()
    if conforms != want:
        return ("silent" if conforms else "fail"), f"sh:conforms {conforms}, expected {want}"
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    problem = _mismatch(_results(g, expected), _results(report, node))
    return ("fail", problem) if problem else ("pass", "")


@pytest.mark.parametrize("engine", SHACL_ENGINES)
@pytest.mark.parametrize("name", sorted(TESTS))
def test_w3c(engine: str, name: str):
    got, detail = outcome(engine, name)
    limit = DECLARED.get((engine, name))
    if limit is None:
        assert got == "pass", f"{engine} {name}: {got}: {detail}"
    else:
        why = dict(ENGINE_LIMITS[engine])[limit]
        assert got == "refused" and why in detail, f"{engine} {name}: {got}: {detail}"


@pytest.mark.parametrize("engine", SHACL_ENGINES)
def test_pass_counts(engine: str):
    """The acceptance figures: the default engine passes at least 118 of 120 and no engine ever says "conforms"
    where the suite expects results or a refusal."""
    counts = Counter(outcome(engine, name)[0] for name in TESTS)
    assert counts["silent"] == 0 and counts["fail"] == 0, counts
    assert counts["refused"] == sum(1 for e, _n in DECLARED if e == engine)
    assert counts["pass"] >= 118, counts
    if engine == SHACL_ENGINES[0]:
        assert counts["pass"] == 120


def test_every_declared_limitation_is_used():
    """A limitation no test needs any more (the engine was fixed) is removed, so the engine runs those shapes."""
    declared = {(engine, name) for engine, limits in ENGINE_LIMITS.items() for name, _why in limits}
    assert declared == {(engine, limit) for (engine, _test), limit in DECLARED.items()}
