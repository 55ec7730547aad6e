"""docs/contributing.md stays true: its generated tables are current and its worked example behaves as shown."""
from __future__ import annotations

import re
from pathlib import Path

from dipontology.cli import main
from dipontology.contribution.sheets import columns_markdown
from dipontology.validate import rules_markdown, validate

DOC = Path(__file__).resolve().parents[2] / "docs" / "contributing.md"
REGENERATE = ('regenerate the block with: python -c "from dipontology.validate import rules_markdown; '
              'from dipontology.contribution.sheets import columns_markdown; ..."')


def block(name: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    m = re.search(rf"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert m, f"no {name} block in {DOC}"
    return m.group(1)


def test_column_table_is_current():
    assert block("columns") == columns_markdown(), REGENERATE


def test_rule_tables_are_current():
    assert block("rules") == rules_markdown(), REGENERATE


def test_worked_example(tmp_path, capsys):
    blocks = re.findall(r"```turtle\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    first, prefix_fix, value_fix = blocks[0], blocks[1], blocks[2]
    f = tmp_path / "harbour.ttl"
    f.write_text(first, encoding="utf-8")
    # step 1: the syntax error, with its place and fix
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert "harbour.ttl:10:20: Turtle syntax error: undefined prefix source:" in err
    assert " ".join(prefix_fix.split()) in err
    # step 2: the findings shown
    lines = first.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("@prefix xsd:"))
    second = "\n".join(lines[: at + 1] + [prefix_fix.rstrip("\n")] + lines[at + 1:]) + "\n"
    f.write_text(second, encoding="utf-8")
    report = validate([f])
    assert {(x.level, x.rule, x.focus, x.line, x.path) for x in report.findings} == {
        # a value's finding is on the line of the value, a missing statement's on the line of its record
        ("Violation", "dipsh:EndNotBeforeStart", "case:harbour-talks", 13, "dip:endDate"),
        ("Violation", "dipsh:FactBackedByStatement", "case:harbour-talks", 12, "dip:startDate"),
        ("Violation", "dipsh:FactBackedByStatement", "case:harbour-talks", 13, "dip:endDate"),
        ("Violation", "contrib:unknown-term", "case:harbour-talks / dip:hasTrackClassification", 15, "dip:track"),
        ("Warning", "dipsh:StatementLocator", "case:harbour-talks / dip:hasTrackClassification", 8, "dip:locator")}
    shown = DOC.read_text(encoding="utf-8")
    for x in report.findings:
        assert f"      {x.message}\n" in shown and f"      fix: {x.fix}\n" in shown
    assert report.triples == 14
    # step 3: clean
    start = next(i for i, line in enumerate(second.splitlines()) if line.lstrip().startswith("dip:startDate"))
    third = "\n".join(second.splitlines()[:start]) + "\n" + value_fix
    f.write_text(third, encoding="utf-8")
    clean = validate([f])
    assert clean.findings == [] and clean.triples == 30
