"""What a contribution may never do (issue #16, items 4-5): each refusal exits 2 with the message's
``file:line:column``, and the data folder stays byte for byte as it was (no staging folder left either)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dipontology import resources
from dipontology.cli import main

REFUSALS = Path(__file__).resolve().parents[1] / "fixtures" / "refusals"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("refusals") / "data"
    shutil.copytree(resources.data_dir(), target)
    return target


@pytest.mark.parametrize("fixture,where,fragment", [
    ("same-as-published.ttl", "11:12", "place:oslo owl:sameAs place:norway would merge or equate published records"),
    ("equivalent-class.ttl", "11:12", "actor:fafo owl:equivalentClass dip:Person would merge or equate"),
    ("retype-published.ttl", "11:14", "actor:fafo is a published dip:AcademicInstitution; this file re-types it as "
                                      "dip:Person"),
    ("relabel-published.ttl", "11:12", 'place:oslo is published as "Oslo"@en; this file re-labels it '
                                       '"Kristiania"@en'),
    ("rebind-standard-prefix.ttl", "1:1", "the prefix rdfs: is bound to <https://example.org/not-rdfs#>"),
    ("rebind-project-prefix.ttl", "1:1", "the prefix dip: is bound to <https://example.org/not-dip#>"),
    ("shacl-in-data.ttl", "12:22", "case:shape-in-data rdf:type sh:NodeShape is a SHACL statement"),
    ("owl-axiom.ttl", "11:16", "actor:new-kind rdfs:subClassOf dip:Actor is an OWL or RDFS axiom"),
    ("zero-width-label.ttl", "12:16", "the text contains invisible zero-width characters (U+200B ZERO WIDTH SPACE)"),
    ("bidi-label.ttl", "12:16", "bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ("mixed-script-label.ttl", "12:16", "mixes Latin and Cyrillic letters (U+041E CYRILLIC CAPITAL LETTER O)"),
    ("hidden-cell.csv", "2:2", "the label cell: the text contains invisible zero-width characters"),
    ("unclosed-quote.csv", "2:93", "a quoted cell of the row that starts here is never closed"),
    ("unknown-column.csv", "1:194", "the column 'notes' is not a column of the case sheet"),
])
def test_refused_with_exit_2_at_file_line_column_and_nothing_changed(data, fixture, where, fragment, capsys):
    before = snapshot(data)
    path = REFUSALS / fixture
    assert main(["accept", str(path), "--data-dir", str(data), "-q", "--contributor", "Test Contributor"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{where}: " in err and fragment in err, err
    assert "(fix: " in err
    assert snapshot(data) == before
    assert [p.name for p in data.parent.iterdir()] == ["data"]


def test_validation_is_not_reached_by_a_refused_contribution(data, capsys):
    """The refusal comes before validation: no report is printed, only the one error line."""
    assert main(["accept", str(REFUSALS / "same-as-published.ttl"), "--data-dir", str(data),
                 "--contributor", "Test Contributor"]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert [line for line in out.err.splitlines() if not line.startswith("validating ")] == [
        line for line in out.err.splitlines() if line.startswith("dipontology accept: error: ")]


def test_an_unknown_column_names_the_known_ones(capsys):
    assert main(["convert", str(REFUSALS / "unknown-column.csv")]) == 2
    err = capsys.readouterr().err
    assert "the columns are: slug, label, description, type, start, end, tracks" in err
