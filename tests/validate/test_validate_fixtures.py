"""Data-driven: every contribution in tests/fixtures/{valid,invalid} gives exactly its expected findings.

All fixtures run in ONE subprocess (``dipontology.cli.main`` per file) under a time limit, so a hang or a crash
(exit 3) of any input fails the suite instead of stopping it. Each fixture's sidecar ``<name>.expected.json``
holds the exit code and either the findings (level, rule, focus record, line, and for CSV the column) or, for
input errors, a fragment of the error message and its line.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SIDECARS = sorted((FIXTURES / "invalid").glob("*.expected.json")) + sorted((FIXTURES / "valid").glob("*.expected.json"))
RUNNER = r"""
import contextlib, io, json, sys, tempfile, time, os
from dipontology.cli import main
results = {}
for path in sys.argv[1:]:
    out = tempfile.mktemp(suffix=".json")
    err = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(err):
        code = main(["validate", path, "--format", "json", "-o", out, "-q"])
    report = json.load(open(out)) if os.path.exists(out) else None
    results[path] = {"exit": code, "stderr": err.getvalue(), "report": report,
                     "seconds": round(time.perf_counter() - started, 2)}
print(json.dumps(results))
"""


def fixture_of(sidecar: Path) -> Path:
    return sidecar.with_name(sidecar.name[: -len(".expected.json")])


@pytest.fixture(scope="session")
def results() -> dict:
    files = [str(fixture_of(s).relative_to(Path.cwd())) if fixture_of(s).is_relative_to(Path.cwd())
             else str(fixture_of(s)) for s in SIDECARS]
    proc = subprocess.run([sys.executable, "-c", RUNNER, *files], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {Path(k).resolve(): v for k, v in json.loads(proc.stdout).items()}


def test_there_are_enough_broken_contributions_in_every_format():
    invalid = [fixture_of(s) for s in SIDECARS if s.parent.name == "invalid"]
    assert len(invalid) >= 40
    assert {p.suffix for p in invalid} >= {".ttl", ".nt", ".trig", ".jsonld", ".rdf", ".csv"}
    exits = {json.loads(s.read_text())["exit"] for s in SIDECARS if s.parent.name == "invalid"}
    assert exits == {0, 1, 2}


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda s: f"{s.parent.name}/{fixture_of(s).name}")
def test_fixture(sidecar: Path, results: dict):
    expected = json.loads(sidecar.read_text())
    got = results[fixture_of(sidecar).resolve()]
    assert got["exit"] != 3, got["stderr"]
    assert got["exit"] == expected["exit"], got["stderr"] or got["report"]
    assert "Traceback" not in got["stderr"]
    if expected["exit"] == 2:
        assert expected["error"] in got["stderr"], got["stderr"]
        if expected.get("line"):
            assert f"{fixture_of(sidecar).name}:{expected['line']}" in got["stderr"], got["stderr"]
        return
    report = got["report"]

    def key(f):
        return (f["level"], f["rule"], f["focus"], f["line"], f.get("column"))

    assert set(map(key, report["findings"])) == set(map(key, expected["findings"]))
    for f in report["findings"]:
        assert f["message"] and f["fix"], f
        assert f["file"] and Path(f["file"]).name == fixture_of(sidecar).name
        assert f["line"], f


def test_no_fixture_takes_long(results: dict):
    slow = {str(k): v["seconds"] for k, v in results.items() if v["seconds"] > 20}
    assert slow == {}
