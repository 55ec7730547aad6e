"""The CSV template for case studies: template, convert, and CSV problems reported by row and column."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from dipontology.cli import main
from dipontology.contrib import COLUMNS, convert_csv, template
from dipontology.errors import InputError
from dipontology.namespaces import DIP

HEADER = template()
CASE = URIRef("https://w3id.org/dipontology/id/case/")


def test_template_is_one_header_row(capsys):
    assert main(["template", "case"]) == 0
    out = capsys.readouterr().out
    assert out == HEADER and out.count("\n") == 1
    assert out.strip().split(",") == [c.name for c in COLUMNS]
    assert main(["template", "case", "--explain"]) == 0
    explained = capsys.readouterr().out.splitlines()
    assert len(explained) == len(COLUMNS) and explained[0].startswith("slug")


def test_convert_writes_turtle(tmp_path, capsys):
    src = tmp_path / "harbour.csv"
    src.write_text(HEADER + 'test-harbour,Harbour (test),"A fictional case, with a comma.",PeaceProcess,1991-03,'
                   '1994,TrackTwo@1991/1993; track one@1993,fafo|facilitator|private-capacity,,,,,,,,,,,,'
                   'Harbour talks,malek-chigas-2013,Introduction\n', encoding="utf-8")
    out = tmp_path / "harbour.ttl"
    assert main(["convert", str(src), "-o", str(out), "-q"]) == 0
    g = Graph().parse(out)
    case = URIRef(str(CASE) + "test-harbour")
    assert (case, RDF.type, DIP.PeaceProcess) in g
    assert (case, DIP.startDate, Literal("1991-03", datatype=XSD.gYearMonth)) in g
    assert (case, DIP.wikipediaTitle, Literal("Harbour_talks")) in g
    tracks = {g.value(tc, DIP.track) for tc in g.objects(case, DIP.hasTrackClassification)}
    assert tracks == {DIP.TrackTwo, DIP.TrackOne}
    participation = g.value(case, DIP.hasParticipation)
    assert g.value(participation, DIP.role) == DIP.FacilitatorRole
    assert g.value(participation, DIP.capacity) == DIP.PrivateCapacity
    assert str(g.value(participation, DIP.locator)) == "Introduction"


def test_semicolon_separated_with_bom_and_multiline_cells(tmp_path):
    src = tmp_path / "excel.csv"
    header = HEADER.replace(",", ";")
    row1 = 'test-one;One (test);"Two\nlines";;;;TrackTwo;;;;;;;;;;;;;;malek-chigas-2013;Intro\n'
    row2 = 'test-two;Two (test);x;;19x5;;TrackTwo;;;;;;;;;;;;;;malek-chigas-2013;Intro\n'
    src.write_bytes(b"\xef\xbb\xbf" + (header + row1 + row2).encode("utf-8"))
    converted = convert_csv(src)
    assert [(f.line, f.column, f.value) for f in converted.findings] == [(4, "start", "19x5")]
    assert converted.loaded.lines[URIRef(str(CASE) + "test-one")] == 2
    assert converted.loaded.lines[URIRef(str(CASE) + "test-two")] == 4


def test_convert_reports_every_bad_cell_and_writes_nothing(tmp_path, capsys):
    src = tmp_path / "bad.csv"
    src.write_text(HEADER + "test-bad,Bad (test),x,Workshop,,,TrackFour,fafo,x|Dialog|y,o|Win|w,,,,,,,,,,,,\n",
                   encoding="utf-8")
    out = tmp_path / "bad.ttl"
    assert main(["convert", str(src), "-o", str(out), "--format", "json"]) == 1
    assert not out.exists()
    doc = json.loads(capsys.readouterr().out)
    assert sorted((f["column"], f["value"]) for f in doc["findings"]) == [
        ("methods", "x|Dialog|y"), ("outcomes", "o|Win|w"), ("participants", "fafo"), ("sources", None),
        ("tracks", "TrackFour"), ("type", "Workshop")]
    assert all(f["line"] == 2 and f["fix"] for f in doc["findings"])
    methods = next(f for f in doc["findings"] if f["column"] == "methods")
    assert methods["fix"] == "did you mean Dialogue?"


@pytest.mark.parametrize("text,fragment", [
    ("", "the file is empty"),
    ("slug,label\nx,y\n", r"lacks the column\(s\) description, sources"),
    (HEADER, "no case study rows"),
])
def test_unusable_csv_files(tmp_path, text, fragment):
    src = tmp_path / "x.csv"
    src.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment):
        convert_csv(src)


def test_unknown_columns_are_warned_about(tmp_path):
    src = tmp_path / "extra.csv"
    src.write_text(HEADER.rstrip("\n") + ",notes\n" + "test-extra,Extra (test),x,,,,TrackTwo,,,,,,,,,,,,,,"
                   "malek-chigas-2013,Intro,my notes\n", encoding="utf-8")
    converted = convert_csv(src)
    assert [(f.level, f.rule, f.column) for f in converted.findings] == [("Warning", "csv:unknown-column", "notes")]
