"""SHACL shapes and the validation report: the shipped data conforms, the shapes are well formed and documented,
every shape has a conforming and a violating fixture, and the report renders in every format."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from dipontology import resources
from dipontology.cli import main
from dipontology.errors import InputError
from dipontology.namespaces import DIP, DIPSH
from dipontology.validate import (REPORT_SCHEMA, Finding, ValidationReport, parse_level, shapes_graph,
                                  validate)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DIPSH_FIX = DIPSH.fix

#: shapes that never report under their own name: what reports their violations instead
REPORTED_AS = {
    "dipsh:EnglishText": "dipsh:EnglishLabel",           # the qualified value shape of labels and descriptions
    "dipsh:YearLiteral": "dipsh:StartDateValue",          # members of the sh:or of every date property
    "dipsh:YearMonthLiteral": "dipsh:EndDateValue",
    "dipsh:DayLiteral": "dipsh:DateValue",
    "dipsh:StateActorType": "dipsh:ActorKindShape",       # members of the actor kind's sh:or
    "dipsh:NonStateActorType": "dipsh:ActorKindShape",
    "dipsh:AnonymousNode": "dipsh:StatementShape",        # members of the statement's sh:or
    "dipsh:StatementIRI": "dipsh:StatementShape",
    "dipsh:DatedShape": "dipsh:StartDateValue",           # node shapes whose only constraints are property shapes
    "dipsh:FactStatementShape": "dipsh:FactStatementValue",
    "dipsh:WikidataShape": "dipsh:WikidataValue",
    "dipsh:WikipediaTitleShape": "dipsh:WikipediaTitleValue",
    "dipsh:CountryShape": "dipsh:CountryAlpha2",
    "dipsh:CodeAssignmentShape": "dipsh:CodeAssignmentSystem",
    "dipsh:TrackRelationClaimShape": "dipsh:ClaimSubjectTrack",
    "dipsh:TrackProfileShape": "dipsh:ProfiledTrack",
    "dipsh:TrackFeatureShape": "dipsh:FeatureKindValue",
    "dipsh:NamingClaimShape": "dipsh:NamedRecord",
}


def short(iri) -> str:
    return "dipsh:" + str(iri)[len(str(DIPSH)):]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return shapes_graph()


@pytest.fixture(scope="module")
def shape_iris(shapes) -> list[URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    found |= set(shapes.subjects(SH.path, None)) | set(shapes.subjects(SH.targetClass, None))
    return sorted(found, key=str)


@pytest.fixture(scope="module")
def shipped():
    return validate()


def test_shipped_data_conforms(shipped):
    violations = [f for f in shipped.findings if f.level == "Violation"]
    assert violations == [], "\n".join(f"{f.where()} {f.focus} {f.rule}: {f.message}" for f in violations)
    assert shipped.conforms and shipped.exit_code() == 0
    assert shipped.triples > 1000
    assert len(shipped.files) == len(resources.data_files())


def test_shipped_findings_point_at_their_file_and_line(shipped):
    for f in shipped.findings:
        assert f.file and f.file.endswith(".ttl") and f.line, f
        text = Path(f.file).read_text(encoding="utf-8").splitlines()[f.line - 1]
        # the line starts the record named in the finding (compact IRI as written in the data)
        assert text.startswith(f.focus.split(" / ")[0]), (f.focus, text)


def test_shapes_graph_conforms_to_shacl_shacl(shapes):
    from pyshacl.entrypoints import meta_validate

    conforms, _graph, text = meta_validate(shapes)
    assert conforms, text


def test_meta_validation_catches_a_broken_shape(shapes):
    from pyshacl.entrypoints import meta_validate

    # the same check on one of our shapes, first as written, then with a cardinality that is not a number
    one = Graph()
    for t in shapes.triples((DIPSH.EnglishDescription, None, None)):
        one.add(t)
    one.add((DIPSH.EnglishDescription, SH.qualifiedValueShape, DIPSH.EnglishText))
    assert meta_validate(one)[0]
    one.set((DIPSH.EnglishDescription, SH.qualifiedMinCount, URIRef("https://example.org/not-a-number")))
    conforms, _graph, text = meta_validate(one)
    assert not conforms and "qualifiedMinCount" in text


def test_every_shape_is_named_described_with_message_severity_and_fix(shapes, shape_iris):
    assert len(shape_iris) > 60
    for s in shape_iris:
        assert isinstance(s, URIRef) and str(s).startswith(str(DIPSH)), f"shape without a dipsh: IRI: {s}"
        for prop in (SH.name, SH.description, SH.message, DIPSH_FIX):
            values = [v for v in shapes.objects(s, prop) if getattr(v, "language", None) == "en"]
            assert values, f"{short(s)} has no English {prop}"
        assert shapes.value(s, SH.severity) in (SH.Violation, SH.Warning, SH.Info), f"{short(s)} has no severity"


def test_sparql_constraints_carry_their_own_message(shapes):
    for constraint in shapes.objects(None, SH.sparql):
        assert isinstance(constraint, URIRef) and shapes.value(constraint, SH.message), constraint
        text = str(shapes.value(constraint, SH.select))
        assert "SERVICE" not in text.upper() and "lessThanOrEquals" not in text


def test_no_shape_is_closed(shapes):
    assert list(shapes.subject_objects(SH.closed)) == []


def test_every_class_instantiated_in_the_data_has_a_node_shape(shapes):
    onto = Graph().parse(resources.ontology_file())
    data = Graph()
    for f in resources.data_files():
        if f.stat().st_size:
            data.parse(f)
    targeted = set(shapes.objects(None, SH.targetClass))
    instantiated = {o for o in data.objects(None, RDF.type) if str(o).startswith(str(DIP))}
    assert len(instantiated) > 20
    for cls in instantiated:
        supers = set(onto.transitive_objects(cls, RDFS.subClassOf))
        assert supers & targeted, f"no node shape targets {cls} or a superclass"


# ----------------------------------------------------------------------------------------------------------------
# one conforming and one violating fixture per shape


def _expected_rules() -> dict[str, set[str]]:
    rules: dict[str, set[str]] = {}
    for sidecar in (FIXTURES / "invalid").glob("*.expected.json"):
        for f in json.loads(sidecar.read_text()).get("findings", []):
            rules.setdefault(f["rule"], set()).add(sidecar.name[: -len(".expected.json")])
    return rules


def test_every_shape_has_a_violating_fixture(shape_iris):
    rules = _expected_rules()
    for s in shape_iris:
        name = short(s)
        reported = REPORTED_AS.get(name, name)
        assert reported in rules, f"no invalid fixture expects a finding from {name}"


def _targets(shapes: Graph, shape, data: Graph, onto: Graph) -> set:
    nodes: set = set()
    for cls in shapes.objects(shape, SH.targetClass):
        for sub in onto.transitive_subjects(RDFS.subClassOf, cls):
            nodes |= set(data.subjects(RDF.type, sub))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        nodes |= set(data.subjects(p, None))
    for p in shapes.objects(shape, SH.targetObjectsOf):
        nodes |= set(data.objects(None, p))
    return nodes


def test_the_complete_valid_fixture_exercises_every_shape_and_conforms(shapes, shape_iris):
    fixture = FIXTURES / "valid" / "complete-case.ttl"
    report = validate([fixture])
    assert report.findings == []
    onto = Graph().parse(resources.ontology_file())
    data = Graph().parse(fixture)
    merged = Graph()
    merged += onto
    merged += data
    node_shapes = {s for s in shape_iris if shapes.value(s, SH.path) is None}
    exercised = set()
    for s in node_shapes:
        targets = _targets(shapes, s, merged, onto) & set(data.all_nodes())
        if targets:
            exercised.add(s)
            for ps in shapes.objects(s, SH.property):
                path = shapes.value(ps, SH.path)
                if isinstance(path, URIRef) and any(data.objects(t, path) for t in targets):
                    exercised.add(ps)
                elif isinstance(path, BNode):  # an inverse path: some target has the incoming link
                    inverse = shapes.value(path, SH.inversePath)
                    if any(data.subjects(inverse, t) for t in targets):
                        exercised.add(ps)
    missing = [short(s) for s in shape_iris if s not in exercised and short(s) not in REPORTED_AS
               and not any(shapes.triples((None, SH.qualifiedValueShape, s)))]
    assert missing == [], f"shapes the complete valid fixture does not exercise: {missing}"


# ----------------------------------------------------------------------------------------------------------------
# the report model and its renderings


@pytest.fixture(scope="module")
def report() -> ValidationReport:
    return validate([FIXTURES / "invalid" / "shapes-dates.ttl"])


def test_findings_have_messages_fixes_and_places(report):
    # 11 from the shapes; 3 ill-typed literals repeated as the stated values of the statements that back them
    assert report.counts()["Violation"] == 14
    for f in report.findings:
        assert f.message and f.fix and f.file.endswith("shapes-dates.ttl") and f.line
        assert not f.message.startswith("fails ")


def test_json_report_schema(report):
    doc = json.loads(report.to_json())
    assert doc["schema"] == REPORT_SCHEMA
    assert set(doc) == {"schema", "conforms", "fail_on", "exit_code", "counts", "files", "findings"}
    assert doc["conforms"] is False and doc["exit_code"] == 1 and doc["fail_on"] == "Violation"
    assert doc["counts"] == {"Violation": 14, "Warning": 0, "Info": 0}
    keys = {"level", "rule", "focus", "focus_label", "path", "value", "message", "fix", "file", "line", "column"}
    # "col" (the column of the value on its line) where it is known: every finding here is about a value
    assert all(set(f) - {"col"} == keys for f in doc["findings"])
    gyear = next(f for f in doc["findings"] if f["focus"] == "case:test-gyear-with-a-letter")
    assert gyear == {
        "level": "Violation", "rule": "dipsh:StartDateValue", "focus": "case:test-gyear-with-a-letter",
        "focus_label": "test gyear with a letter (test)", "path": "dip:startDate", "value": '"19x5"^^xsd:gYear',
        "message": gyear["message"], "fix": gyear["fix"], "file": gyear["file"], "line": 25, "column": None,
        "col": 19}
    assert "1993" in gyear["message"] and "xsd:gYear" in gyear["fix"]


def test_text_report_is_grouped_with_a_summary_line(report):
    text = report.to_text()
    lines = text.rstrip("\n").splitlines()
    assert lines[0].endswith("shapes-dates.ttl")
    assert lines[1] == '  line 25, column 19: case:test-gyear-with-a-letter  "test gyear with a letter (test)"'
    assert lines[-1].startswith("14 violations, 0 warnings, 0 infos in 1 file: does not conform (fail-on Violation: "
                                "exit 1;")
    assert text.count("fix: ") == 14


def test_markdown_report_is_a_table(report):
    md = report.to_markdown()
    rows = [line for line in md.splitlines() if line.startswith("| Violation")]
    assert len(rows) == 14 and all(line.count(" | ") == 7 for line in rows)


def test_turtle_report_is_the_raw_shacl_report(report):
    g = Graph().parse(data=report.to_turtle(), format="turtle")
    results = list(g.subjects(RDF.type, SH.ValidationResult))
    shacl_findings = [f for f in report.findings if f.rule.startswith("dipsh:")]
    assert len(results) >= len(shacl_findings) == 11
    assert (None, SH.conforms, None) in g
    assert {short(s) for s in g.objects(None, SH.sourceShape)} == {f.rule for f in shacl_findings}


def test_exit_codes_follow_fail_on():
    r = ValidationReport([Finding("Warning", "dipsh:X", "case:a", message="m"),
                          Finding("Info", "dipsh:Y", "case:a", message="m")])
    assert [r.exit_code(level) for level in ("violation", "warning", "info", "never")] == [0, 1, 1, 0]
    assert parse_level("WARN") == "Warning"
    with pytest.raises(InputError, match="unknown level"):
        parse_level("fatal")


# ----------------------------------------------------------------------------------------------------------------
# the command line


def test_cli_validate_shipped_data(capsys):
    assert main(["validate", "-q"]) == 0
    out = capsys.readouterr().out
    assert "0 violations" in out.splitlines()[-1]


def test_cli_fail_on_warning_and_output_file(tmp_path, capsys):
    fixture = FIXTURES / "invalid" / "possible-duplicate.ttl"
    assert main(["validate", str(fixture), "-q"]) == 0
    assert main(["validate", str(fixture), "-q", "--fail-on", "warning", "--format", "json",
                 "-o", str(tmp_path / "r.json")]) == 1
    doc = json.loads((tmp_path / "r.json").read_text())
    assert [f["rule"] for f in doc["findings"]] == ["contrib:possible-duplicate"]
    assert doc["findings"][0]["fix"] == "if they are the same, refer to case:oslo-back-channel instead of minting a " \
                                        "new record"


def test_cli_input_error_is_exit_2_with_place(capsys):
    assert main(["validate", str(FIXTURES / "invalid" / "syntax-undefined-prefix.ttl")]) == 2
    err = capsys.readouterr().err
    assert "syntax-undefined-prefix.ttl:3:13: Turtle syntax error: undefined prefix dipp:" in err
    assert "did you mean dip:" in err and "Traceback" not in err


def test_cli_data_dir_must_exist(tmp_path, capsys):
    assert main(["validate", "--data-dir", str(tmp_path / "nope")]) == 2
    assert "the data folder does not exist" in capsys.readouterr().err


def test_validate_an_empty_data_dir(tmp_path):
    report = validate(data_dir=tmp_path)
    assert report.findings == [] and report.files == []
