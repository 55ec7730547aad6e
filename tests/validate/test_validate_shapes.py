"""Users' own shapes (``validate --shapes FILE``, ``--no-builtin-shapes``; ``validate(..., shapes=[...])``), what is
refused in a shapes file (with file:line and exit 2), that nothing is ever fetched, and literals judged on the text
as written."""
from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from dipontology.cli import main
from dipontology.errors import InputError
from dipontology.validate import SHACL_ENGINES, ill_typed, validate
from support.listener import Listener, wait_for  # a TCP listener on 127.0.0.1 that counts connections

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALID = FIXTURES / "valid" / "complete-case.ttl"
SH = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/profile#> .
"""
#: an application profile: every initiative needs a dip:wikidata identifier and at most one label
PROFILE = SH + """
ex:InitiativeProfile a sh:NodeShape ;
    sh:targetClass dip:Initiative ;
    sh:property [ sh:path dip:wikidata ; sh:minCount 1 ; sh:message "an initiative needs a Wikidata identifier" ] .
"""


def _run(args: list[str], tmp: Path) -> tuple[int, dict | None]:
    out = tmp / "report.json"
    if out.exists():
        out.unlink()
    code = main(["validate", *args, "--format", "json", "-o", str(out), "-q"])
    return code, json.loads(out.read_text()) if out.exists() else None


@pytest.fixture()
def profile(tmp_path) -> Path:
    p = tmp_path / "profile.ttl"
    p.write_text(PROFILE)
    return p


def test_user_shapes_add_to_ours_and_can_stand_alone(profile):
    ours = validate([VALID])
    both = validate([VALID], shapes=[profile])
    alone = validate([VALID], shapes=[profile], builtin_shapes=False)
    mine = [f for f in both.findings if f.rule == "(anonymous shape)"]
    assert mine and {f.message for f in mine} == {"an initiative needs a Wikidata identifier"}
    assert all(f.file.endswith("complete-case.ttl") and f.line for f in mine)
    # with ours: every finding of ours is still there
    assert {(f.rule, f.focus, f.value) for f in ours.findings} <= {(f.rule, f.focus, f.value) for f in both.findings}
    # alone: the user's shape only (no dipsh: shape, no contribution rule)
    assert [(f.rule, f.focus) for f in alone.findings] == [(f.rule, f.focus) for f in mine]
    assert not any(f.rule.startswith(("dipsh:", "contrib:")) for f in alone.findings)
    # the reference engine agrees
    ref = validate([VALID], engine="pyshacl", shapes=[profile], builtin_shapes=False)
    assert [f.to_dict() for f in ref.findings] == [f.to_dict() for f in alone.findings]


def test_cli_shapes_flags(profile, tmp_path):
    code, report = _run([str(VALID), "--shapes", str(profile), "--no-builtin-shapes"], tmp_path)
    assert code == 1
    assert {f["rule"] for f in report["findings"]} == {"(anonymous shape)"}
    second = tmp_path / "second.ttl"
    second.write_text(SH + "ex:Labels a sh:NodeShape ; sh:targetClass dip:Initiative ; "
                           "sh:property [ sh:path dip:nonexistent ; sh:minCount 1 ] .\n")
    code, report = _run([str(VALID), "--shapes", str(profile), "--shapes", str(second), "--no-builtin-shapes"],
                        tmp_path)
    assert code == 1 and len(report["findings"]) == 2 * len([f for f in report["findings"]
                                                              if "Wikidata" in f["message"]])
    # the shipped data against the profile alone (no files): the published initiatives are checked
    code, report = _run(["--shapes", str(profile), "--no-builtin-shapes", "--fail-on", "never"], tmp_path)
    assert code == 0 and report["findings"] is not None
    assert main(["validate", str(VALID), "--no-builtin-shapes", "-q"]) == 2  # nothing to validate against


@pytest.mark.parametrize("text, message, line", [
    # SERVICE in a SPARQL constraint, also with the keyword escaped (judged on the parsed query)
    ("ex:S a sh:NodeShape ; sh:targetClass dip:Initiative ;\n  sh:sparql ex:Q .\nex:Q sh:select "
     '"SELECT $this WHERE { SERVICE <http://127.0.0.1:9/sparql> { $this ?p ?o } }" .', "SERVICE", 7),
    ("ex:S a sh:NodeShape ; sh:targetClass dip:Initiative ;\n  sh:sparql ex:Q .\nex:Q sh:select "
     '"SELECT $this WHERE { SERV\\\\u0049CE <http://127.0.0.1:9/sparql> { $this ?p ?o } }" .', "SERVICE", 7),
    # SHACL Advanced Features are refused, not silently skipped
    ("ex:S a sh:NodeShape ; sh:targetClass dip:Initiative ;\n  sh:rule [ a sh:TripleRule ] .", "sh:rule", 5),
    ("ex:T a sh:SPARQLTarget ; sh:select \"SELECT ?this WHERE { ?this ?p ?o }\" .\n"
     "ex:S a sh:NodeShape ; sh:target ex:T ; sh:class dip:Initiative .", "sh:target", 6),
    # a SPARQL text that does not parse
    ("ex:S a sh:NodeShape ; sh:targetClass dip:Initiative ;\n  sh:sparql ex:Q .\nex:Q sh:select \"SELEC nothing\" .",
     "SPARQL", 7),
])
@pytest.mark.parametrize("engine", SHACL_ENGINES)
def test_refused_shapes_exit_2_with_file_and_line(tmp_path, capsys, text, message, line, engine):
    bad = tmp_path / "bad-shapes.ttl"
    bad.write_text(SH + text + "\n")
    before = bad.read_bytes()
    assert main(["validate", str(VALID), "--shapes", str(bad), "--engine", engine, "-q"]) == 2
    err = capsys.readouterr().err
    assert message in err and f"bad-shapes.ttl:{line}" in err and "fix:" in err, err
    assert "Traceback" not in err
    assert bad.read_bytes() == before
    with pytest.raises(InputError):
        validate([VALID], shapes=[bad], engine=engine)


def test_shapes_files_go_through_the_safe_loader(tmp_path, capsys):
    syntax = tmp_path / "syntax.ttl"
    syntax.write_text(SH + "ex:S a sh:NodeShape ;\n  sh:targetClass dip:Initiative\n  sh:minCount 1 .\n")
    assert main(["validate", str(VALID), "--shapes", str(syntax), "-q"]) == 2
    err = capsys.readouterr().err
    assert "syntax.ttl:7" in err and "fix:" in err, err
    entity = tmp_path / "entity.rdf"
    entity.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    assert main(["validate", str(VALID), "--shapes", str(entity), "-q"]) == 2
    assert "entity.rdf" in capsys.readouterr().err
    none = tmp_path / "no-shapes.ttl"
    none.write_text('<https://example.org/a> <https://example.org/p> "x" .\n')
    assert main(["validate", str(VALID), "--shapes", str(none), "-q"]) == 2
    assert "no SHACL shapes" in capsys.readouterr().err
    big = tmp_path / "big.ttl"
    big.write_text(PROFILE + "#" * 2000 + "\n")
    import os

    os.environ["DIPONTOLOGY_MAX_BYTES"] = "1000"
    try:
        assert main(["validate", str(VALID), "--shapes", str(big), "-q"]) == 2
    finally:
        del os.environ["DIPONTOLOGY_MAX_BYTES"]
    assert "limit" in capsys.readouterr().err


@pytest.mark.parametrize("engine", SHACL_ENGINES)
def test_a_shapes_graph_never_makes_a_connection(tmp_path, engine):
    server = Listener()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as s:
            s.recv(10)
        assert wait_for(lambda: server.connections == 1)  # the listener counts
        server.connections = 0
        url = f"http://127.0.0.1:{server.port}"
        imports = tmp_path / "imports.ttl"
        imports.write_text(SH + f"<{url}/profile> a <http://www.w3.org/2002/07/owl#Ontology> ;\n"
                                f"  <http://www.w3.org/2002/07/owl#imports> <{url}/more-shapes.ttl> .\n" + PROFILE)
        report = validate([VALID], shapes=[imports], engine=engine, builtin_shapes=False)
        warning = [f for f in report.findings if f.rule == "contrib:imports-ignored"]
        assert warning and warning[0].file.endswith("imports.ttl") and warning[0].line == 5
        service = tmp_path / "service.ttl"
        service.write_text(SH + "ex:S a sh:NodeShape ; sh:targetClass dip:Initiative ; sh:sparql ex:Q .\n"
                                f'ex:Q sh:select "SELECT $this WHERE {{ SERVICE <{url}/sparql> {{ $this ?p ?o }} }}" .\n')
        with pytest.raises(InputError):
            validate([VALID], shapes=[service], engine=engine)
        # the data may not name a shapes graph either: its sh: statements are removed, its imports ignored
        data = tmp_path / "data.ttl"
        data.write_text(VALID.read_text() + f"\n<{url}/x> <http://www.w3.org/2002/07/owl#imports> <{url}/y> .\n")
        validate([data], engine=engine)
        time.sleep(0.3)
        assert server.connections == 0
    finally:
        server.close()


# --------------------------------------------------------------------------------------------------------------
# literals as written


def test_ill_typed_judged_on_the_lexical_form():
    from rdflib import Literal, URIRef

    xsd = "http://www.w3.org/2001/XMLSchema#"
    lit = {t: Literal(t.split("^")[0], datatype=URIRef(xsd + t.split("^")[1]), normalize=False) for t in
           ("none^boolean", "1^boolean", "19x5^gYear", "1995^gYear", "1993-13^gYearMonth", "3^int", "300^byte",
            "-1^nonNegativeInteger", "2020-02-30^date", "P1Y^duration", "P1X^duration")}
    assert {k for k, v in lit.items() if v in ill_typed(lit.values())} == {
        "none^boolean", "19x5^gYear", "1993-13^gYearMonth", "300^byte", "-1^nonNegativeInteger", "2020-02-30^date",
        "P1X^duration"}


@pytest.mark.parametrize("engine", SHACL_ENGINES)
def test_ill_typed_literals_are_findings_at_their_line(tmp_path, engine):
    contribution = tmp_path / "literals.ttl"
    text = VALID.read_text().rstrip() + """

case:test-harbour-dialogue
    owl:deprecated "none"^^xsd:boolean ;
    dip:decade "19x5"^^xsd:gYear .
"""
    for prefix in ("owl: <http://www.w3.org/2002/07/owl#>", "xsd: <http://www.w3.org/2001/XMLSchema#>"):
        if f"@prefix {prefix.split(':')[0]}:" not in text:
            text = f"@prefix {prefix} .\n" + text
    contribution.write_text(text)
    lines = contribution.read_text().splitlines()
    report = validate([contribution], engine=engine)
    for literal in ('"none"', '"19x5"'):
        found = [f for f in report.findings if f.value and f.value.startswith(literal)]
        assert found, (literal, [f.to_dict() for f in report.findings][:3])
        assert all(literal in lines[f.line - 1] for f in found), [(f.rule, f.line) for f in found]
        assert any(f.level == "Violation" for f in found)


@pytest.mark.parametrize("engine", SHACL_ENGINES)
def test_datatypes_follow_shacl(tmp_path, engine):
    """``"3"^^xsd:int`` is well typed (no ill-typed finding) and satisfies ``sh:datatype xsd:int``; against
    ``sh:datatype xsd:integer`` SHACL reports it (sh:datatype compares the datatype IRI; xsd:int is derived from
    xsd:integer but is not it), and both engines do."""
    data = tmp_path / "numbers.ttl"
    data.write_text("@prefix ex: <https://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                    'ex:a a ex:Thing ;\n  ex:count "3"^^xsd:int ;\n  ex:flag "none"^^xsd:boolean .\n')
    for datatype, expected in (("xsd:int", set()), ("xsd:integer", {"ex:count"})):
        shapes = tmp_path / f"shapes-{datatype[4:]}.ttl"
        shapes.write_text(SH + "@prefix e: <https://example.org/> .\ne:S a sh:NodeShape ; sh:targetClass e:Thing ;\n"
                          f"  sh:property [ sh:path e:count ; sh:datatype {datatype} ] ;\n"
                          "  sh:property [ sh:path e:flag ; sh:datatype xsd:boolean ] .\n")
        report = validate([data], shapes=[shapes], builtin_shapes=False, engine=engine)
        shacl = {f.path.replace("<https://example.org/", "ex:").rstrip(">") for f in report.findings
                 if f.rule == "(anonymous shape)" and "count" in (f.path or "")}
        assert shacl == expected, [f.to_dict() for f in report.findings]
        flag = [f for f in report.findings if f.value and f.value.startswith('"none"')]
        assert flag and all(f.line == 4 for f in flag)
        assert not any(f.rule == "contrib:ill-typed-literal" and f.value.startswith('"3"') for f in report.findings)


# left out of the fast profile (pytest -m "not slow and not server and not browser"): users' shapes on both engines and a local listener
pytestmark = pytest.mark.slow
