"""Label hygiene (issue 9): hidden characters in contributed text are findings, reports never replay them to a
terminal, and the release's HTML pages escape everything they show.

The fixtures in tests/fixtures/security/ write the characters as Turtle ``\\uXXXX`` escapes so that the files
themselves are safe to open; the parser turns them into the real characters.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from dipontology.validate import CONTRIBUTION_RULES, text_hygiene, validate, visible

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "security"
CLI = [sys.executable, "-c", "import sys; from dipontology.cli import main; sys.exit(main())"]
HIDDEN = ["\x1b", "\x07", "\u202e", "\u202c", "\u2066", "\u2069", "\u200b", "\ufeff", "\u2060", "\x9b"]

# fixture -> {rule: level} it must produce (and no other hygiene rule)
EXPECTED = {
    "clean-label.ttl": {},
    "control-character.ttl": {"contrib:control-character": "Violation"},
    "terminal-escape.ttl": {"contrib:control-character": "Violation"},
    "bidi-override.ttl": {"contrib:bidi-control": "Violation"},
    "bidi-isolate.ttl": {"contrib:bidi-control": "Violation"},
    "zero-width.ttl": {"contrib:invisible-character": "Warning"},
    "zero-width-bom.ttl": {"contrib:invisible-character": "Warning"},
    "mixed-script.ttl": {"contrib:mixed-script": "Warning"},
    "mixed-script-greek.ttl": {"contrib:mixed-script": "Warning"},
}
HYGIENE_RULES = {"contrib:control-character", "contrib:bidi-control", "contrib:invisible-character",
                 "contrib:mixed-script"}


@pytest.fixture(scope="module")
def reports():
    return {name: validate([FIXTURES / name]) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hidden_character_kind_is_its_own_finding(reports, name):
    report = reports[name]
    hygiene = [f for f in report.findings if f.rule in HYGIENE_RULES]
    assert {f.rule: f.level for f in hygiene} == EXPECTED[name], [f.to_dict() for f in report.findings]
    for f in hygiene:
        assert Path(f.file).name == name and f.line == 8  # the line of the record
        assert f.fix and f.message and f.path in ("rdfs:label", "skos:altLabel", "dcterms:description",
                                                  "dcterms:title")
        assert CONTRIBUTION_RULES[f.rule][0] == f.level
        # the finding names the character by code point, and never carries it raw
        assert "U+" in f.message
        assert not any(ch in (f.value or "") + f.message for ch in HIDDEN)
    if name == "clean-label.ttl":  # Genève / Женева as separate words are fine
        assert report.exit_code() == 0, report.to_text()


def test_messages_name_the_exact_characters(reports):
    by = {name: next((f for f in reports[name].findings if f.rule in HYGIENE_RULES), None) for name in EXPECTED}
    assert "U+0007" in by["control-character.ttl"].message
    assert "terminal escape sequence (ESC)" in by["terminal-escape.ttl"].message
    assert "U+001B" in by["terminal-escape.ttl"].message
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in by["bidi-override.ttl"].message
    assert "U+202C POP DIRECTIONAL FORMATTING" in by["bidi-override.ttl"].message
    assert "U+2066 LEFT-TO-RIGHT ISOLATE" in by["bidi-isolate.ttl"].message
    assert "U+200B ZERO WIDTH SPACE" in by["zero-width.ttl"].message
    bom = [f for f in reports["zero-width-bom.ttl"].findings if f.rule == "contrib:invisible-character"]
    assert {f.path for f in bom} == {"rdfs:label", "dcterms:title"}
    assert "U+041E CYRILLIC CAPITAL LETTER O" in by["mixed-script.ttl"].message
    assert "Latin and Cyrillic" in by["mixed-script.ttl"].message
    assert "retype the word in Latin letters only" == by["mixed-script.ttl"].fix
    assert "U+03B1 GREEK SMALL LETTER ALPHA" in by["mixed-script-greek.ttl"].message


@pytest.mark.parametrize("fmt", ["text", "json", "md"])
def test_reports_never_replay_hidden_characters(reports, fmt):
    for name, report in reports.items():
        out = report.render(fmt)
        assert not any(ch in out for ch in HIDDEN), (name, fmt)
        if fmt == "json":
            doc = json.loads(out)  # still valid JSON
            assert doc["counts"] == report.counts()


def test_the_cli_output_has_no_escape_sequences():
    """The reviewer's terminal is safe: `validate` on the terminal-escape fixture prints no ESC byte."""
    for name, rule in (("terminal-escape.ttl", b"contrib:control-character"),
                       ("bidi-override.ttl", b"contrib:bidi-control")):
        proc = subprocess.run(CLI + ["validate", str(FIXTURES / name)], capture_output=True, timeout=120)
        assert proc.returncode == 1, proc.stderr
        assert rule in proc.stdout and b"\\u" in proc.stdout
        assert b"\x1b" not in proc.stdout + proc.stderr and "\u202e".encode() not in proc.stdout + proc.stderr
        assert b"Traceback" not in proc.stderr


@pytest.mark.parametrize("text,rules", [
    ("Oslo back channel", []),
    ("Track 1.5 dialogue\tsecond line\nthird", []),
    ("Camp David \u2014 \u00ab1978\u00bb", []),
    ("\u0627\u0644\u0642\u062f\u0633 Jerusalem", []),  # Arabic and Latin in separate words
    ("Caf\u00e9 Gen\u00e8ve", []),
    ("x\x00y", ["contrib:control-character"]),
    ("x\x7fy", ["contrib:control-character"]),
    ("x\x9b31my", ["contrib:control-character"]),  # the one-byte CSI of C1 terminals
    ("abc\u202ddef", ["contrib:bidi-control"]),
    ("abc\u200ddef", ["contrib:invisible-character"]),
    ("p\u0430ypal", ["contrib:mixed-script"]),  # Cyrillic a
])
def test_text_hygiene_rules(text, rules):
    assert [r for r, _m, _f in text_hygiene(text)] == rules


def test_mixed_script_only_in_labels():
    assert text_hygiene("p\u0430ypal", label=False) == []


def test_visible_is_reversible_for_json_strings():
    text = "a\u202eb\x1bc\u200bd"
    assert json.loads('"' + visible(text) + '"') == text


# ------------------------------------------------------------------------------------------------ HTML pages
EVIL_LABEL = '<script>alert("label")</script>'
EVIL_DESC = '"><img src=x onerror=alert(1)> & </p><script>alert(2)</script>'


def _site():
    from dipontology.release import Index, Site
    from dipontology.release.cite import Release

    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    case = ox.NamedNode("https://w3id.org/dipontology/id/case/test-evil")
    actor = ox.NamedNode("https://w3id.org/dipontology/id/actor/test-evil-actor")
    triples = [
        ox.Triple(case, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode("https://w3id.org/dipontology/ontology#Initiative")),
        ox.Triple(case, ox.NamedNode(rdfs + "label"), ox.Literal(EVIL_LABEL, language="en")),
        ox.Triple(case, ox.NamedNode("http://purl.org/dc/terms/description"), ox.Literal(EVIL_DESC, language="en")),
        ox.Triple(case, ox.NamedNode(rdfs + "seeAlso"), ox.NamedNode("javascript:alert(3)")),
        ox.Triple(case, ox.NamedNode(rdfs + "comment"), ox.Literal("<b>bold</b>", language="x-evil")),
        ox.Triple(case, ox.NamedNode("https://w3id.org/dipontology/ontology#hasParticipant"), actor),
        ox.Triple(actor, ox.NamedNode(rdfs + "label"), ox.Literal("</text><script>alert(4)</script>", language="en")),
    ]
    return Site(Index(triples), Release("test", "0.0.0-test", "2026-01-01"), {case.value, actor.value}), case


def test_record_pages_escape_everything_they_show():
    site, case = _site()
    page = site.record_page(case, "case", "test-evil").decode("utf-8")
    assert "<script" not in page.lower()
    assert "<img" not in page and "onerror=alert(1)>" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert(&#34;label&#34;)&lt;/script&gt;" in page  # Jinja2 writes " as &#34;
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>bold</b>" not in page


def test_page_frame_escapes_titles_and_descriptions():
    site, _case = _site()
    page = site.kind_page(EVIL_LABEL, []).decode("utf-8")
    assert "<script" not in page.lower() and "<img" not in page
    assert "&lt;script&gt;" in page


# ------------------------------------------------------------------------- a hostile record through a real build
HOSTILE_CASE = """@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix source: <https://w3id.org/dipontology/id/source/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
case:test-hostile a dip:PeaceProcess ;
    rdfs:label "=HYPERLINK(\\"http://127.0.0.1:9/x\\",\\"click\\")"@en ;
    dcterms:description "</script><script>alert(1)</script> <img src=x onerror=alert(2)> @SUM(1+1)"@en ;
    rdfs:seeAlso <javascript:alert(3)> ;
    dcterms:source source:fixture-a .
"""


@pytest.fixture(scope="module")
def hostile_release(tmp_path_factory):
    """The fixture release plus one record with formula-like, script-like and javascript: values (check, reason
    and validate skipped: this is about what the pages and files show)."""
    import shutil

    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "release", data)
    (data / "cases" / "test-hostile.ttl").write_text(HOSTILE_CASE, encoding="utf-8")
    proc = subprocess.run(CLI + ["build", "-o", str(root / "dist"), "--data", str(data), "-q", "--skip", "check",
                                 "--skip", "reason", "--skip", "validate"], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return root / "dist"


def test_built_pages_escape_a_hostile_record(hostile_release):
    page = (hostile_release / "id" / "case" / "test-hostile.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img" not in page and 'href="javascript:' not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for html in hostile_release.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "onerror=alert(2)>" not in text, html
    # the search index is JavaScript: the description cannot close its script element
    for js in hostile_release.rglob("*.js"):
        assert "</script" not in js.read_text(encoding="utf-8").lower(), js


def test_release_csv_files_are_spreadsheet_safe(hostile_release):
    import csv as _csv
    import io as _io

    cells = [cell for f in sorted((hostile_release / "queries").glob("*.csv"))
             for row in _csv.reader(_io.StringIO(f.read_text(encoding="utf-8"))) for cell in row]
    assert any("HYPERLINK" in c for c in cells)  # the record is in the published tables
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not c[1:2].isdigit())]


def test_error_messages_never_replay_hidden_characters(tmp_path):
    """A parse error quotes the offending input: ESC and bidi characters in it are escaped before they reach the
    terminal."""
    bad = tmp_path / "esc.nt"
    bad.write_bytes(b'<https://e.org/a> <https://e.org/p> "x" \x1b[31mRED\xe2\x80\xae .\n')
    proc = subprocess.run(CLI + ["validate", str(bad)], capture_output=True, timeout=120)
    assert proc.returncode == 2
    assert b"\\u001b" in proc.stderr and b"\x1b" not in proc.stderr + proc.stdout
    assert "\u202e".encode() not in proc.stderr + proc.stdout
