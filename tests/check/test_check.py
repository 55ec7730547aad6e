"""Tests of `dipontology check`: every rule fires on its fixture and stays silent on its near miss.

Data-driven over ``src/dipontology/checks/*.rq``: each rule has ``tests/fixtures/checks/<rule>/fires.ttl`` (whose
``# expect: <IRI>`` lines name the entities it must report) and ``silent.ttl`` (on which it must report nothing).
"""
from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pyoxigraph
import pytest

from dipontology import check as check_mod
from dipontology import resources
from dipontology.check import (CheckReport, Finding, check, checks_markdown, load_rules, parse_header, read_profile,
                               render)
from dipontology.cli import main as cli_main
from dipontology.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
RULE_FILES = sorted(resources.checks_dir().glob("*.rq"))
RULE_IDS = [p.stem for p in RULE_FILES]
EXPECT = re.compile(r"^# expect: <([^>]+)>\s*$", re.MULTILINE)
SHIPPED = Path(__file__).resolve().parents[2] / "ontology" / "dipontology.ttl"


def expected_entities(path: Path) -> set[str]:
    return set(EXPECT.findall(path.read_text(encoding="utf-8")))


# ------------------------------------------------------------------------------------------ the rules themselves

def test_there_are_rules_for_every_issue_item():
    required = {
        "missing_label", "duplicate_label", "missing_definition", "multiple_definitions", "label_whitespace",
        "label_formatting", "missing_ontology_title", "missing_ontology_description", "missing_ontology_license",
        "missing_ontology_version_iri", "deprecated_without_replacement", "class_hierarchy_cycle", "missing_domain",
        "missing_range", "multiple_domains", "multiple_ranges", "untyped_term", "punning", "missing_is_defined_by",
        "missing_source", "unconnected_class", "inverse_of_symmetric", "record_missing_source",
    }
    assert required <= set(RULE_IDS)


@pytest.mark.parametrize("path", RULE_FILES, ids=RULE_IDS)
def test_rule_header_and_shape(path: Path):
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    assert header.get("title"), "header needs a `# # Title` line"
    assert len(header.get("problem", "")) > 40, "header needs a **Problem:** paragraph"
    assert len(header.get("solution", "")) > 20, "header needs a **Solution:** paragraph"
    assert re.search(r"SELECT DISTINCT \?entity \?property \?value WHERE", text), "must SELECT ?entity ?property ?value"
    # the query parses (on an empty store) and returns exactly the three ROBOT columns
    results = pyoxigraph.Store().query(text)
    assert [v.value for v in results.variables] == ["entity", "property", "value"]


def test_profile_covers_exactly_the_rules():
    profile = read_profile()
    assert set(profile) == set(RULE_IDS)
    assert set(profile.values()) <= {"ERROR", "WARN", "INFO"}
    assert profile["missing_label"] == "ERROR" and profile["unconnected_class"] == "INFO"


@pytest.mark.parametrize("rule", RULE_IDS)
def test_every_rule_has_fixtures(rule: str):
    assert (FIXTURES / rule / "fires.ttl").is_file()
    assert (FIXTURES / rule / "silent.ttl").is_file()
    assert expected_entities(FIXTURES / rule / "fires.ttl"), "fires.ttl needs `# expect: <IRI>` lines"


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_fires(rule: str):
    fires = FIXTURES / rule / "fires.ttl"
    report = check(fires, rules=[rule])
    found = {f.entity for f in report.of_rule(rule)}
    assert found, f"{rule} found nothing in {fires}"
    # exactly the expected entities: a rule that also reports the fixture's clean terms is over-eager
    assert found == expected_entities(fires)


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_stays_silent(rule: str):
    report = check(FIXTURES / rule / "silent.ttl", rules=[rule])
    assert report.of_rule(rule) == [], [f"{f.entity} {f.property} {f.value}" for f in report.findings]


def test_clean_fixture_has_no_findings_at_all():
    report = check(FIXTURES / "clean.ttl")
    assert [(f.rule, f.entity) for f in report.findings] == []
    assert report.exit_code("INFO") == 0
    assert len(report.rules) == len(RULE_IDS)


def test_robot_style_missing_licence_query_works_on_our_engine():
    """ROBOT's VALUES + OPTIONAL + !BOUND shape, which rdflib's SPARQL engine answers with nothing, finds the
    missing licence when run the way check runs it (pyoxigraph)."""
    query = (resources.checks_dir() / "missing_ontology_license.rq").read_text(encoding="utf-8")
    assert re.search(r"OPTIONAL \{ \?entity \?property \?value \. \}\s+FILTER \(!BOUND\(\?value\)\)", query)
    report = check(FIXTURES / "missing_ontology_license" / "fires.ttl", rules=["missing_ontology_license"])
    assert [(f.entity, f.property) for f in report.findings] == [
        ("https://w3id.org/dipontology/ontology", "http://purl.org/dc/terms/license")]


# ---------------------------------------------------------------------------------------- findings in detail

def test_finding_fields_and_location():
    path = FIXTURES / "missing_label" / "fires.ttl"
    report = check(path, rules=["missing_label", "missing_source"])
    (mediation,) = [f for f in report.findings if f.entity.endswith("#Mediation")]
    assert mediation.rule == "missing_label" and mediation.level == "ERROR"
    assert mediation.property == "http://www.w3.org/2000/01/rdf-schema#label"
    assert mediation.value is None and mediation.label is None
    assert mediation.problem.startswith("A term of the `dip:` namespace has no English label")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert mediation.file.endswith("fires.ttl")
    assert lines[mediation.line - 1].startswith("dip:Mediation a owl:Class")
    (dialogue,) = [f for f in report.findings if f.entity.endswith("#Dialogue")]
    assert dialogue.label == "dialogue"  # the untagged label is still shown


def test_blank_node_findings_are_anchored_to_their_record():
    report = check(FIXTURES / "record_missing_source" / "fires.ttl", rules=["record_missing_source"])
    rows = {(f.entity, f.via) for f in report.findings}
    assert rows == {
        ("https://w3id.org/dipontology/id/case/oslo", ()),
        ("https://w3id.org/dipontology/id/case/dartmouth",
         ("https://w3id.org/dipontology/ontology#hasTrackClassification",)),
        ("https://w3id.org/dipontology/id/statement/dartmouth-host", ()),
    }
    text = render(report, "text")
    assert "case:dartmouth dip:hasTrackClassification []" in text


def test_literal_values_keep_language_and_datatype():
    report = check(FIXTURES / "deprecated_not_boolean" / "fires.ttl", rules=["deprecated_not_boolean"])
    (finding,) = report.findings
    assert (finding.value, finding.value_kind, finding.value_datatype) == ("true", "literal", None)
    report = check(FIXTURES / "label_whitespace" / "fires.ttl", rules=["label_whitespace"])
    oslo = next(f for f in report.findings if f.entity.endswith("/oslo"))
    assert (oslo.value, oslo.value_lang) == ("Oslo back channel ", "en")
    assert '"Oslo back channel "@en' in render(report, "text")


def test_findings_are_sorted_by_severity_then_rule():
    report = check(FIXTURES / "unconnected_class" / "fires.ttl")
    ranks = [("ERROR", "WARN", "INFO").index(f.level) for f in report.findings]
    assert ranks == sorted(ranks)
    assert [f.rule for f in report.findings if f.level == "INFO"] == ["unconnected_class", "unconnected_class"]


def test_input_forms_agree():
    """A path, an rdflib Graph and a pyoxigraph Store give the same findings."""
    import rdflib

    path = FIXTURES / "duplicate_label" / "fires.ttl"
    by_path = check(path, rules=["duplicate_label"])
    graph = rdflib.Graph().parse(path, format="turtle")
    by_graph = check(graph, rules=["duplicate_label"])
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    by_store = check(store, rules=["duplicate_label"])
    key = lambda r: sorted((f.entity, f.value) for f in r.findings)  # noqa: E731
    assert key(by_path) == key(by_graph) == key(by_store) != []
    assert by_graph.inputs == [] and by_path.inputs[0].endswith("fires.ttl")


@pytest.mark.parametrize("fmt,suffix", [("nt", ".nt"), ("json-ld", ".jsonld"), ("xml", ".rdf")])
def test_other_rdf_formats_give_the_same_findings(tmp_path: Path, fmt: str, suffix: str):
    import rdflib

    fires = FIXTURES / "missing_label" / "fires.ttl"
    converted = tmp_path / f"fires{suffix}"
    rdflib.Graph().parse(fires, format="turtle").serialize(converted, format=fmt, encoding="utf-8")
    assert {f.entity for f in check(converted, rules=["missing_label"]).findings} == expected_entities(fires)


def test_several_files_and_a_folder_are_one_graph(tmp_path: Path):
    # the class is declared in one file and labelled in another: together it is not missing a label
    (tmp_path / "a.ttl").write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                                    "<https://w3id.org/dipontology/ontology#Mediation> a owl:Class .\n")
    (tmp_path / "b.ttl").write_text('<https://w3id.org/dipontology/ontology#Mediation> '
                                    '<http://www.w3.org/2000/01/rdf-schema#label> "mediation"@en .\n')
    assert check(tmp_path / "a.ttl", rules=["missing_label"]).findings
    assert check([tmp_path / "a.ttl", tmp_path / "b.ttl"], rules=["missing_label"]).findings == []
    report = check(tmp_path, rules=["missing_label"])
    assert report.findings == [] and len(report.inputs) == 2


# -------------------------------------------------------------------------------------------- bad input

def test_syntax_error_names_file_line_and_column(tmp_path: Path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix dip: <https://w3id.org/dipontology/ontology#> .\n\ndip:A dip:b "unterminated .\n')
    with pytest.raises(InputError) as err:
        check(bad)
    assert err.value.file.endswith("bad.ttl") and (err.value.line, err.value.column) == (3, 13)
    assert "Turtle syntax error" in err.value.message and err.value.fix


@pytest.mark.parametrize("name,content,words", [
    ("missing.ttl", None, "no such file"),
    ("empty.ttl", "", "empty"),
    ("relative.ttl", "<a> <b> <c> .\n", "relative.ttl:1:1: Turtle syntax error"),
    ("latin1.ttl", b'<http://e/a> <http://e/b> "caf\xe9" .\n', "latin1.ttl:1:31: the file is not UTF-8"),
    ("entities.rdf", '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<rdf:RDF xmlns:rdf='
                     '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n', "DOCTYPE"),
])
def test_unusable_input_is_an_input_error(tmp_path: Path, name, content, words):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(InputError) as err:
        check(path)
    assert words in str(err.value)


def test_owl_imports_are_not_followed(tmp_path: Path):
    # a local file named by owl:imports must not be read: if it were, its class would be checked too
    other = tmp_path / "other.ttl"
    other.write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                     "<https://w3id.org/dipontology/ontology#Hidden> a owl:Class .\n")
    main = tmp_path / "main.ttl"
    main.write_text(f"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                    f"<https://w3id.org/dipontology/ontology> a owl:Ontology ; owl:imports <{other.as_uri()}> .\n")
    report = check(main, rules=["missing_label", "owl_import"])
    assert [f.rule for f in report.findings] == ["owl_import"]


def test_missing_profile_file_is_an_input_error(capsys, tmp_path: Path):
    code, _, err = run_cli([str(FIXTURES / "clean.ttl"), "--profile", str(tmp_path / "none.tsv")], capsys)
    assert code == 2 and "none.tsv" in err and "cannot read the profile" in err


def test_unknown_rule_and_bad_profile(tmp_path: Path):
    with pytest.raises(InputError, match="unknown rule 'no_such_rule'"):
        check(FIXTURES / "clean.ttl", rules=["no_such_rule"])
    profile = tmp_path / "profile.tsv"
    profile.write_text("missing_label\tERROR\nmissing_source\tSEVERE\n")
    with pytest.raises(InputError) as err:
        check(FIXTURES / "clean.ttl", profile=profile)
    assert err.value.line == 2
    profile.write_text("# comment\nmissing_labels\tWARN\n")
    with pytest.raises(InputError) as err:
        check(FIXTURES / "clean.ttl", profile=profile)
    assert err.value.line == 2 and "missing_labels" in err.value.message


def test_profile_overrides_levels_and_ignores(tmp_path: Path):
    profile = tmp_path / "profile.tsv"
    profile.write_text("missing_label\tINFO\nmissing_definition\tIGNORE\n")
    report = check(FIXTURES / "missing_label" / "fires.ttl", profile=profile)
    assert {f.level for f in report.of_rule("missing_label")} == {"INFO"}
    assert "missing_definition" not in {r.id for r in report.rules}
    assert len(report.rules) == len(RULE_IDS) - 1


# ------------------------------------------------------------------------------------------- exit codes

def test_exit_code_thresholds():
    report = check(FIXTURES / "unconnected_class" / "fires.ttl", rules=["unconnected_class"])
    assert report.counts == {"ERROR": 0, "WARN": 0, "INFO": 2}
    assert (report.exit_code("ERROR"), report.exit_code("WARN"), report.exit_code("INFO"),
            report.exit_code("none")) == (0, 0, 1, 0)
    with pytest.raises(ValueError):
        report.exit_code("FATAL")


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = cli_main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes(capsys, tmp_path: Path):
    assert run_cli([str(FIXTURES / "clean.ttl"), "-q"], capsys)[0] == 0
    code, out, _ = run_cli([str(FIXTURES / "missing_label" / "fires.ttl")], capsys)
    assert code == 1 and "missing_label" in out and "ERROR" in out
    # only INFO findings: passes at the default ERROR, fails at --fail-on INFO
    info_only = str(FIXTURES / "unconnected_class" / "fires.ttl")
    assert run_cli([info_only, "--rule", "unconnected_class"], capsys)[0] == 0
    assert run_cli([info_only, "--rule", "unconnected_class", "--fail-on", "INFO"], capsys)[0] == 1
    assert run_cli([str(FIXTURES / "missing_label" / "fires.ttl"), "--fail-on", "none"], capsys)[0] == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/a> <http://e/b> .\n")
    code, out, err = run_cli([str(bad)], capsys)
    assert code == 2 and out == "" and "bad.ttl:1:" in err and "Traceback" not in err
    code, _, err = run_cli([str(tmp_path / "nope.ttl")], capsys)
    assert code == 2 and "nope.ttl: no such file" in err
    assert run_cli([str(FIXTURES / "clean.ttl"), "--rule", "nonsense"], capsys)[0] == 2


def test_cli_formats(capsys, tmp_path: Path):
    fires = str(FIXTURES / "record_missing_source" / "fires.ttl")
    code, out, _ = run_cli([fires, "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["version"] == 1
    assert set(data) == {"version", "tool", "summary", "rules", "findings"}
    assert data["summary"]["ERROR"] == len([f for f in data["findings"] if f["level"] == "ERROR"]) >= 3
    assert data["summary"]["failed"] is True and data["summary"]["fail_on"] == "ERROR"
    assert set(data["findings"][0]) == {
        "rule", "level", "entity", "property", "value", "label", "problem", "solution", "value_kind", "value_lang",
        "value_datatype", "via", "file", "line"}

    _, out, _ = run_cli([fires, "--format", "tsv"], capsys)
    rows = list(csv.reader(io.StringIO(out), delimiter="\t"))
    assert rows[0] == ["level", "rule", "entity", "label", "property", "value", "file", "line"]
    assert ["ERROR", "record_missing_source", "case:oslo", "Oslo back channel", "dcterms:source", ""] == rows[1][:6] \
        or any(r[:6] == ["ERROR", "record_missing_source", "case:oslo", "Oslo back channel", "dcterms:source", ""]
               for r in rows)
    assert all(len(r) == 8 for r in rows)

    _, out, _ = run_cli([fires, "--format", "md"], capsys)
    assert out.startswith("# Ontology check report") and "## record_missing_source (ERROR, 3)" in out
    assert "| Entity | Label | Property | Value | Where |" in out

    target = tmp_path / "out" / "report.json"
    code, out, err = run_cli([fires, "--format", "json", "-o", str(target)], capsys)
    assert code == 1 and out == "" and json.loads(target.read_text())["summary"]["total"] >= 3
    assert "ERROR" in err  # the summary line goes to stderr when the report goes to a file


def test_cli_list_rules(capsys):
    code, out, _ = run_cli(["--list-rules"], capsys)
    assert code == 0
    assert len(out.strip().splitlines()) == len(RULE_IDS)
    assert re.search(r"^missing_label\s+ERROR\s+Missing label$", out, re.MULTILINE)


def test_text_summary_line():
    report = check(FIXTURES / "clean.ttl")
    last = render(report, "text").strip().splitlines()[-1]
    assert last.startswith("0 ERROR, 0 WARN, 0 INFO (") and "passes --fail-on ERROR" in last
    assert f"{len(RULE_IDS)} rules on {report.triples} triples" in last


def test_render_rejects_unknown_format():
    with pytest.raises(ValueError):
        render(CheckReport(findings=[], rules=[]), "xml")


def test_md_and_tsv_escape_cells():
    finding = Finding("ERROR", "label_formatting", "https://w3id.org/dipontology/ontology#A",
                      path="http://www.w3.org/2000/01/rdf-schema#label", value="a|b\tc\nd", focus_label="a|b\tc\nd",
                      message="p", fix="s", value_kind="literal")
    rule = next(r for r in load_rules() if r.id == "label_formatting")
    report = CheckReport(findings=[finding], rules=[rule])
    tsv = render(report, "tsv").splitlines()
    assert len(tsv) == 2 and tsv[1].count("\t") == 7 and "a|b\\tc\\nd" in tsv[1]
    md_row = [line for line in render(report, "md").splitlines() if line.startswith("| dip:A")][0]
    assert "a\\|b" in md_row


# ------------------------------------------------------------------------------------------------ docs

def test_docs_checks_md_is_up_to_date():
    docs = Path(__file__).resolve().parents[2] / "docs" / "checks.md"
    assert docs.is_file(), "run `python -m dipontology.check --write-docs`"
    assert docs.read_text(encoding="utf-8") == checks_markdown(), \
        "docs/checks.md is stale: run `python -m dipontology.check --write-docs`"


def test_write_docs(tmp_path: Path):
    target = tmp_path / "checks.md"
    assert check_mod.main(["--write-docs", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text == checks_markdown()
    for rule in RULE_IDS:
        assert f"\n## {rule}\n" in text


# ---------------------------------------------------------------------------------------- the shipped ontology

@pytest.fixture(scope="module")
def shipped_report():
    if not SHIPPED.is_file():
        pytest.skip("ontology/dipontology.ttl does not exist yet")
    return check()


def test_shipped_ontology_has_no_errors(shipped_report):
    errors = [f"{f.rule} {f.entity} {f.property or ''} {f.value or ''} [{f.where()}]"
              for f in shipped_report.findings if f.level == "ERROR"]
    assert errors == []


def test_every_dip_term_has_label_definition_is_defined_by_and_source(shipped_report):
    proving = {"missing_label", "missing_definition", "missing_is_defined_by", "wrong_is_defined_by",
               "missing_source", "untyped_term"}
    assert proving <= {r.id for r in shipped_report.rules}
    assert [f for f in shipped_report.findings if f.rule in proving] == []
    # and the rules did look at terms: the ontology has dip: terms
    store = pyoxigraph.Store()
    store.load(path=str(SHIPPED), format=pyoxigraph.RdfFormat.TURTLE)
    terms = list(store.query("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a ?k . "
                             "FILTER STRSTARTS(STR(?t), 'https://w3id.org/dipontology/ontology#') }"))
    assert int(terms[0]["n"].value) > 20


DATA_CASE = """@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

case:unsourced-workshop a dip:Initiative ;
    rdfs:label "an unsourced workshop"@en ;
    dip:hasParticipation [ a dip:Participation ] .
"""


def test_cli_data_mode_checks_files_with_the_shipped_ontology(capsys, tmp_path: Path):
    if not SHIPPED.is_file():
        pytest.skip("ontology/dipontology.ttl does not exist yet")
    case = tmp_path / "case.ttl"
    case.write_text(DATA_CASE)
    code, out, _ = run_cli(["--data", str(case), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1
    assert data["summary"]["inputs"][0].endswith("ontology/dipontology.ttl") and len(data["summary"]["inputs"]) == 2
    found = {(f["rule"], f["entity"], tuple(f["via"])) for f in data["findings"]}
    case_iri = "https://w3id.org/dipontology/id/case/unsourced-workshop"
    # the link to an unsourced participation is also a fact that no sourced statement backs
    assert found == {("record_missing_source", case_iri, ()),
                     ("record_missing_source", case_iri, ("https://w3id.org/dipontology/ontology#hasParticipation",)),
                     ("unbacked_fact", case_iri, ())}
    record = next(f for f in data["findings"] if not f["via"] and f["rule"] == "record_missing_source")
    assert record["file"].endswith("case.ttl") and record["line"] == 5 and record["label"] == "an unsourced workshop"
    # the same file alone is not an ontology: the header rule says so
    code, out, _ = run_cli([str(case), "--format", "json"], capsys)
    assert "missing_ontology_header" in {f["rule"] for f in json.loads(out)["findings"]}


def test_shipped_data_records_and_statements_name_sources():
    if not SHIPPED.is_file() or not resources.data_files():
        pytest.skip("the shipped ontology or data does not exist yet")
    report = check(include_data=True, rules=["record_missing_source", "untyped_term"])
    assert [f"{f.rule} {f.entity} {' / '.join(f.via)} [{f.where()}]" for f in report.findings] == []


def test_check_is_fast_on_the_shipped_ontology():
    if not SHIPPED.is_file():
        pytest.skip("ontology/dipontology.ttl does not exist yet")
    start = time.perf_counter()
    check()
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("rule", RULE_IDS[:6])
def test_trusted_check_gives_the_same_report(rule: str):
    """check(files, trusted=True) (the build's: pyoxigraph's bulk loader first, the detailed reading only when a
    rule finds something) renders the same report as the detailed check."""
    files = [SHIPPED, FIXTURES / rule / "fires.ttl"]
    detailed, quick = check(files), check(files, trusted=True)
    assert quick.of_rule(rule)
    for fmt in ("text", "json", "tsv"):
        assert render(quick, fmt) == render(detailed, fmt)


def test_trusted_check_of_clean_files_is_the_detailed_report():
    """The shipped ontology and data: no finding, and the same report (files, triples) as the detailed check."""
    files = [SHIPPED, *resources.data_files()]
    detailed, quick = check(files), check(files, trusted=True)
    assert not detailed.findings and quick.triples == detailed.triples > 10_000
    assert [render(quick, f) for f in ("text", "json", "md")] == [render(detailed, f) for f in ("text", "json", "md")]
