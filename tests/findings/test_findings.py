"""One report type (dipontology.findings) for check, validate, the link checks and the contribution checks; value
errors at the line and column of the value; validate without the import circle.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from dipontology import findings
from dipontology.check import check
from dipontology.findings import FORMATS, CheckReport, Finding, Report, ValidationReport
from dipontology.link.validity import code_validity
from dipontology.validate import validate
from test_layering import import_graph

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

HEAD = """@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix source: <https://w3id.org/dipontology/id/source/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

case:test-value-case a dip:Initiative ;
    rdfs:label "test value case (test)"@en ;
    dcterms:description "A fictional case study for a validation test."@en ;
    dcterms:source source:malek-chigas-2013 ;
"""
#: one value error per kind: (name, the statement written on line 12, the value as a finding shows it, a rule that
#: must report it)
VALUE_CASES = [
    ("date", 'dip:startDate "2019-02-30"^^xsd:date', '"2019-02-30"^^xsd:date', "dipsh:StartDateValue"),
    ("year", 'dip:startDate "19x5"^^xsd:gYear', '"19x5"^^xsd:gYear', "dipsh:StartDateValue"),
    # no shape judges this property's values: the literal's own finding says the date is impossible
    ("date-unshaped", 'dcterms:date "2019-02-30"^^xsd:date', '"2019-02-30"^^xsd:date', "contrib:ill-typed-literal"),
    ("datatype", 'dip:startDate "1993"', '"1993"', "dipsh:StartDateValue"),
    ("iri", "dip:location <http://example.org/nowhere>", "<http://example.org/nowhere>", None),
    ("term", 'dip:startDat "1993"^^xsd:gYear', None, "contrib:unknown-term"),
]
VALUE_LINE = 12
RUNNER = r"""
import contextlib, io, json, os, sys, tempfile
from dipontology.cli import main
results = {}
for path in sys.argv[1:]:
    out = tempfile.mktemp(suffix=".json")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["validate", path, "--format", "json", "-o", out, "-q"])
    results[path] = {"exit": code, "report": json.load(open(out)) if os.path.exists(out) else None,
                     "stderr": err.getvalue()}
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def value_runs(tmp_path_factory) -> dict:
    """Every value case validated by the command line in one subprocess: exit codes, JSON reports, stderr."""
    folder = tmp_path_factory.mktemp("values")
    files = []
    for name, statement, _value, _rule in VALUE_CASES:
        path = folder / f"{name}.ttl"
        path.write_text(HEAD + f"    {statement} .\n", encoding="utf-8")
        files.append(str(path))
    csv = folder / "date.csv"
    header = ("slug,label,description,type,start,end,tracks,participants,methods,outcomes,conflicts,places,countries,"
              "part_of,followed_by,led_to,complements,theories,challenges,wikipedia,sources,locator,quote")
    csv.write_text(header + "\nnew-case,New case,A new case.,Initiative,2019-02-30,,TrackTwo,,,,,,,,,,,,,,"
                   "malek-chigas-2013,p. 1,quote\n", encoding="utf-8")
    files.append(str(csv))
    proc = subprocess.run([sys.executable, "-c", RUNNER, *files], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = json.loads(proc.stdout)
    assert "Traceback" not in proc.stderr
    return {Path(k).name: v for k, v in runs.items()}


@pytest.mark.parametrize("name,statement,value,rule", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_a_value_error_names_the_line_and_column_of_the_value(value_runs, name, statement, value, rule):
    run = value_runs[f"{name}.ttl"]
    assert run["exit"] == 1  # findings (DESIGN §5): the file is valid RDF, its value is wrong
    assert "Traceback" not in run["stderr"]
    line = (HEAD + f"    {statement} .\n").splitlines()[VALUE_LINE - 1]
    written = statement.split(" ", 1)[1] if value is not None else statement.split(" ", 1)[0]
    column = line.index(written) + 1
    prop = statement.split(" ", 1)[0]
    about = [f for f in run["report"]["findings"] if f["path"] == prop and f["value"] == value]
    assert about, run["report"]["findings"]
    if rule is not None:
        assert rule in {f["rule"] for f in about}
    for f in about:  # not the line where the record starts (8), and the column of the value itself
        assert (f["line"], f.get("col")) == (VALUE_LINE, column), f
        assert f["file"].endswith(f"{name}.ttl")


def test_the_same_value_error_in_every_format(tmp_path):
    path = tmp_path / "date.ttl"
    path.write_text(HEAD + '    dip:startDate "2019-02-30"^^xsd:date .\n', encoding="utf-8")
    report = validate([path])
    f = next(f for f in report.findings if f.rule == "dipsh:StartDateValue")
    assert f.where() == f"{path}:12:19"
    assert f"| {path}:12:19 |" in report.render("md")
    assert "  line 12, column 19: case:test-value-case" in report.render("text")
    row = next(r.split("\t") for r in report.render("tsv").splitlines() if "dipsh:StartDateValue" in r)
    assert row[7:9] == ["12", "19"]


def test_a_missing_statement_stays_at_the_line_of_its_record(tmp_path):
    path = tmp_path / "bare.ttl"
    path.write_text(HEAD.rsplit(" ;\n    rdfs:label", 1)[0] + " .\n", encoding="utf-8")
    report = validate([path])
    missing = [f for f in report.findings if f.value is None and f.path == "rdfs:label"]
    assert missing and all(f.line == 8 and f.col is None for f in missing)


def test_an_impossible_date_in_a_csv_prints_no_traceback(value_runs):
    run = value_runs["date.csv"]
    assert run["exit"] in (1, 2) and "Traceback" not in run["stderr"]


# ---------------------------------------------------------------------------------------------- one report type

def test_every_check_reports_the_one_finding_type(tmp_path):
    bad = FIXTURES / "checks" / "record_missing_source" / "fires.ttl"
    checked = check(bad)
    assert checked.findings and all(type(f) is Finding for f in checked.findings)
    validated = validate([FIXTURES / "invalid" / "shapes-dates.ttl"])
    assert validated.findings and all(type(f) is Finding for f in validated.findings)
    countries = Graph().parse(FIXTURES / "link" / "countries.ttl")
    linked = code_validity(countries)
    assert linked and all(isinstance(f, Finding) for f in linked)
    assert {f.rule for f in linked} == {"link:code-validity"} and {f.path for f in linked} == {"dip:hasCode"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_report_renders_every_format(fmt):
    countries = Graph().parse(FIXTURES / "link" / "countries.ttl")
    reports = [
        check(FIXTURES / "checks" / "record_missing_source" / "fires.ttl"),
        validate([FIXTURES / "invalid" / "shapes-dates.ttl"]),
        Report(list(code_validity(countries))),
    ]
    for report in reports:
        text = report.render(fmt)
        assert text.endswith("\n") and findings.render(report, fmt) == text
        if fmt == "json":
            json.loads(text)
        if fmt == "tsv":
            rows = text.splitlines()
            assert len(rows) == 1 + len(report.findings)
            assert len({r.count("\t") for r in rows}) == 1
        if fmt == "ttl":
            g = Graph().parse(data=text, format="turtle")
            results = set(g.subjects(RDF.type, SH.ValidationResult))
            if not isinstance(report, ValidationReport):  # a validation report is the engine's own
                assert len(results) == len(report.findings)


def test_link_findings_render_with_their_message_and_fix():
    countries = Graph().parse(FIXTURES / "link" / "countries.ttl")
    report = Report(list(code_validity(countries)))
    md = report.render("md")
    assert "Talks in 1930 (1930) is placed in Israel" in md and "link:code-validity" in md
    assert report.exit_code() == 0 and report.exit_code("Warning") == 1


def test_levels_are_comparable_across_report_kinds():
    v = ValidationReport([Finding("Warning", "dipsh:X", "case:a")])
    c = CheckReport(findings=[Finding("WARN", "missing_label", "https://w3id.org/dipontology/ontology#A")], rules=[])
    assert v.exit_code("Warning") == c.exit_code("WARN") == 1
    assert v.exit_code("Violation") == c.exit_code("ERROR") == 0
    assert c.counts == {"ERROR": 0, "WARN": 1, "INFO": 0} and v.counts() == {"Violation": 0, "Warning": 1, "Info": 0}


# ---------------------------------------------------------------------------------------------- no circle

def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        for m in graph[stack.pop()]:
            if m not in seen:
                seen.add(m)
                stack.append(m)
    return seen


def test_validate_calls_the_contribution_checks_which_never_import_validate():
    graph = import_graph()
    assert "dipontology.contribution.checks" in graph["dipontology.validate"]
    for low in ("dipontology.contribution.checks", "dipontology.published", "dipontology.shacl",
                "dipontology.findings"):
        assert "dipontology.validate" not in _reach(graph, low), low
    assert "dipontology.validate" not in _reach(graph, "dipontology.check")
