"""The default SHACL engine (pyshacl-turbo) reports exactly what the reference (pySHACL) reports.

Compared at two levels: the SHACL results (focus node, path, value, source shape, constraint component, severity,
counted with multiplicity) and the findings a user sees (``validate(..., engine=...)``), on the shipped data, on
every fixture contribution and on a generated 10,000-triple graph with every kind of violation.
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH

from dipontology import validate as V
from dipontology.errors import InputError
from dipontology.findings import short

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CONTRIBUTIONS = sorted(p for d in ("valid", "invalid") for p in (FIXTURES / d).iterdir()
                       if p.is_file() and not p.name.endswith(".expected.json"))


def keys(g: Graph, anonymous: bool = False) -> Counter:
    """The results of a report graph, counted; ``anonymous``: blank nodes compared as equal (two parses of one
    contribution give its blank nodes different ids; the findings compared beside it name them by their record)."""
    out: Counter = Counter()

    def n(term):
        return "_:b" if anonymous and isinstance(term, BNode) else term

    for r in g.subjects(RDF.type, SH.ValidationResult):
        path = g.value(r, SH.resultPath)
        if isinstance(path, BNode):
            path = ("inverse", g.value(path, SH.inversePath))
        out[(n(g.value(r, SH.focusNode)), path, n(g.value(r, SH.value)), g.value(r, SH.sourceShape),
             g.value(r, SH.sourceConstraintComponent), g.value(r, SH.resultSeverity))] += 1
    return out


def findings(report) -> list[str]:
    """The findings as sorted JSON texts, blank node ids blanked (each parse of a contribution gives new ones)."""
    return sorted(re.sub(r"_:[A-Za-z0-9]+|\bN[0-9a-f]{32}\b", "_:b", json.dumps(f.to_dict(), sort_keys=True))
                  for f in report.findings)


def test_engines_are_offered_on_the_command_line_as_in_the_module():
    from dipontology.cli import validate as cli

    assert cli.SHACL_ENGINES == V.SHACL_ENGINES == ("turbo", "pyshacl")
    assert V.shacl_engine(None) == "turbo"


def test_shipped_data_same_findings():
    fast = V.validate(engine="turbo")
    ref = V.validate(engine="pyshacl")
    assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in ref.findings]
    assert keys(fast.shacl_report) == keys(ref.shacl_report)


@pytest.mark.parametrize("path", CONTRIBUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_same_findings(path: Path):
    try:
        ref = V.validate([path], engine="pyshacl")
    except InputError:
        with pytest.raises(InputError):
            V.validate([path], engine="turbo")
        return
    fast = V.validate([path], engine="turbo")
    assert findings(fast) == findings(ref)
    assert keys(fast.shacl_report, anonymous=True) == keys(ref.shacl_report, anonymous=True)


def test_enough_fixtures_reach_shacl():
    reached = 0
    for path in CONTRIBUTIONS:
        try:
            report = V.validate([path])
        except InputError:
            continue
        reached += any(report.shacl_report.subjects(RDF.type, SH.ValidationResult))
    assert reached >= 10


def _generate(tmp: Path, triples: int, rate: float) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = mod
    spec.loader.exec_module(mod)
    return mod.generate(triples, tmp, violation_rate=rate, seed=3)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("gen")
    path = _generate(folder, 10_000, 0.04)
    sidecar = json.loads(path.with_suffix(".json").read_text())
    path.with_suffix(".json").unlink()  # the data folder holds the data only
    return folder, sidecar


def test_generated_graph_same_findings_and_results(generated):
    folder, sidecar = generated
    fast = V.validate(data_dir=folder, engine="turbo")
    ref = V.validate(data_dir=folder, engine="pyshacl")
    assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in ref.findings]
    assert keys(fast.shacl_report) == keys(ref.shacl_report)
    # every injected kind of violation is found, from the shape the generator names
    shapes = Counter(short(k[3]) for k in keys(fast.shacl_report).elements())
    for kind, v in sidecar["violations"].items():
        assert v["count"] > 0, kind
        assert shapes[v["shape"]] >= 1, (kind, v["shape"])


def test_contribution_closure_gives_the_whole_graph_findings(generated, tmp_path):
    """A contribution validated against the published graph (its own nodes and the published records they
    mention) gets the SHACL findings that validating everything together gives about its nodes."""
    folder, _sidecar = generated
    data = next(folder.glob("*.ttl"))
    lines = data.read_text().splitlines()
    prefixes = [line for line in lines if line.startswith("@prefix")]
    body = [line for line in lines if not line.startswith("@prefix")]
    cases = sorted({m.group(1) for line in body for m in [re.match(r"(case:\S+) ", line)] if m})[:5]
    mine = [line for line in body if line.split(" ", 1)[0] in cases]
    published, contribution = tmp_path / "published", tmp_path / "contribution.ttl"
    published.mkdir()
    (published / "data.ttl").write_text("\n".join(prefixes + [x for x in body if x not in set(mine)]) + "\n")
    contribution.write_text("\n".join(prefixes + mine) + "\n")
    together = V.validate(data_dir=folder)
    alone = V.validate([contribution], data_dir=published)

    def shacl(report):
        return sorted((f.rule, f.focus, f.path or "", re.sub(r"_:\w+", "_:b", f.value or ""), f.level)
                      for f in report.findings if f.rule.startswith("dipsh:") and f.focus.split(" / ")[0] in cases)

    assert shacl(alone) == shacl(together)
    assert shacl(together)


# left out of the fast profile (pytest -m "not slow and not server and not browser"): both engines on the shipped data, every fixture and a 10k graph
pytestmark = pytest.mark.slow
