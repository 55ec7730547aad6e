"""The CSV sheets: templates, convert, and CSV problems reported by row and column (exit 2, nothing written)."""
from __future__ import annotations

import json
import os
import stat

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from dipontology.cli import main
from dipontology.contribution.convert import convert, convert_csv
from dipontology.contribution.sheets import COLUMNS, SHEETS, template
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
    assert main(["convert", str(src), "-o", str(out), "--format", "json"]) == 2
    assert not out.exists()
    doc = json.loads(capsys.readouterr().out)
    assert sorted((f["column"], f["value"]) for f in doc["findings"]) == [
        ("methods", "Dialog"), ("outcomes", "Win"), ("participants", "fafo"), ("sources", None),
        ("tracks", "TrackFour"), ("type", "Workshop")]
    assert all(f["line"] == 2 and f["fix"] for f in doc["findings"])
    header = HEADER.strip().split(",")
    assert all(f["col"] == header.index(f["column"]) + 1 for f in doc["findings"])
    methods = next(f for f in doc["findings"] if f["column"] == "methods")
    assert methods["fix"] == "did you mean Dialogue?"


@pytest.mark.parametrize("text,fragment", [
    ("", "the file is empty"),
    ("slug,label\nx,y\n", r"lacks the column\(s\) description, sources of the case sheet"),
    (HEADER, "no case study rows"),
])
def test_unusable_csv_files(tmp_path, text, fragment):
    src = tmp_path / "x.csv"
    src.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment):
        convert_csv(src)


def test_unknown_columns_are_refused_with_the_known_list(tmp_path):
    src = tmp_path / "extra.csv"
    src.write_text(HEADER.rstrip("\n") + ",notes\n" + "test-extra,Extra (test),x,,,,TrackTwo,,,,,,,,,,,,,,"
                   "malek-chigas-2013,Intro,my notes\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        convert_csv(src)
    err = info.value
    assert (err.file, err.line, err.column) == (str(src), 1, len(HEADER.rstrip("\n")) + 2)
    assert "'notes' is not a column of the case sheet" in err.message
    assert err.fix.endswith(", ".join(c.name for c in COLUMNS))


def test_an_unclosed_quote_in_the_last_column_names_its_row(tmp_path, capsys):
    src = tmp_path / "quote.csv"
    good = "test-a,A (test),x,,,,TrackTwo,,,,,,,,,,,,,,malek-chigas-2013,Intro,"
    src.write_text(HEADER + good + "ok\n" + good.replace("test-a", "test-b") + '"never closed\n' + good.replace(
        "test-a", "test-c") + "lost\n", encoding="utf-8")
    out = tmp_path / "quote.ttl"
    assert main(["convert", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{src}:3:{len(good) + 1}: a quoted cell of the row that starts here is never closed" in err
    assert not out.exists()


def test_a_row_with_more_cells_than_columns_is_refused(tmp_path):
    src = tmp_path / "wide.csv"
    src.write_text(HEADER + "test-a,A (test),x,,,,TrackTwo,,,,,,,,,,,,,,malek-chigas-2013,Intro,q,extra\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match="the row has 24 cells but the header has 23 columns") as info:
        convert_csv(src)
    assert info.value.line == 2


def test_converting_twice_gives_the_same_statement_iris(tmp_path):
    src = tmp_path / "twice.csv"
    src.write_text(HEADER + "test-twice,Twice (test),x,,1992,,TrackTwo@1992,fafo|host|private,,,,oslo,,,,,,,,,"
                   "malek-chigas-2013,Intro,q\n", encoding="utf-8")
    first, second = convert_csv(src), convert_csv(src)
    assert first.turtle == second.turtle
    assert not any(isinstance(x, BNode) for t in first.graph for x in t)
    statements = set(first.graph.objects(CASE + "test-twice", DIP.hasParticipation))
    assert len(statements) == 1 and str(next(iter(statements))).startswith(
        "https://w3id.org/dipontology/id/statement/test-twice-participation-fafo-")


def test_an_unknown_reference_is_an_error_at_its_row_and_column(tmp_path, capsys):
    src = tmp_path / "ref.csv"
    src.write_text(HEADER + "test-ref,Ref (test),x,,,,TrackTwo,fafoo|host|private,,,,oslo,,,,,,,,,"
                   "malek-chigas-2031,Intro,q\n", encoding="utf-8")
    assert main(["convert", str(src)]) == 2
    out = capsys.readouterr().out
    header = HEADER.strip().split(",")
    assert (f"{src}:2:{header.index('participants') + 1}: column participants: 'fafoo' names no actor of the "
            "contribution or of the published data (fix: did you mean actor:fafo?)") in out
    assert f"{src}:2:{header.index('sources') + 1}: column sources: 'malek-chigas-2031' names no source" in out
    assert "did you mean source:malek-chigas-2013?" in out


def test_references_by_label_and_to_records_of_other_sheets(tmp_path):
    (tmp_path / "actor.csv").write_text(template("actor") + "test-new-actor,New Actor (test),Person,"
                                        "Someone.,oslo,,,malek-chigas-2013,Intro,q\n", encoding="utf-8")
    (tmp_path / "case.csv").write_text(HEADER + "test-label-ref,Label ref (test),x,,,,TrackTwo,Fafo institute|host;"
                                       "New Actor (test)|participant,,,,,,,,,,,,,malek-chigas-2013,Intro,q\n",
                                       encoding="utf-8")
    converted = convert([tmp_path])
    assert converted.findings == []
    participants = set(converted.graph.objects(None, DIP.participant))
    assert participants == {URIRef("https://w3id.org/dipontology/id/actor/fafo"),
                            URIRef("https://w3id.org/dipontology/id/actor/test-new-actor")}
    assert [kind for _f, kind in converted.sheets] == ["actor", "case"]


def test_hidden_characters_in_a_cell_are_refused_at_its_row_and_column(tmp_path, capsys):
    src = tmp_path / "hidden.csv"
    src.write_text(HEADER + "test-hidden,Hid\u200bden (test),x,,,,TrackTwo,,,,,,,,,,,,,,malek-chigas-2013,Intro,q\n",
                   encoding="utf-8")
    assert main(["convert", str(src)]) == 2
    assert f"{src}:2:2: the label cell: the text contains invisible zero-width characters" in capsys.readouterr().err


def test_every_sheet_has_a_template_and_every_column_is_explained(tmp_path, capsys):
    assert main(["template", "all", "-o", str(tmp_path / "sheets")]) == 0
    assert sorted(p.name for p in (tmp_path / "sheets").iterdir()) == sorted(f"{s.kind}.csv" for s in SHEETS)
    assert main(["template", "--explain"]) == 0
    explained = capsys.readouterr().out
    for s in SHEETS:
        assert f"{s.kind}.csv:" in explained
        for c in s.columns:
            assert any(line.startswith(c.name + " ") and c.help in line for line in explained.splitlines())


def test_written_files_get_the_umask_permissions(tmp_path):
    src = tmp_path / "perm.csv"
    src.write_text(HEADER + "test-perm,Perm (test),x,,,,TrackTwo,,,,,,,,,,,,,,malek-chigas-2013,Intro,q\n",
                   encoding="utf-8")
    previous = os.umask(0o022)
    try:
        assert main(["convert", str(src), "-o", str(tmp_path / "perm.ttl"), "-q"]) == 0
        assert main(["template", "case", "-o", str(tmp_path / "t.csv")]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "perm.ttl").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "t.csv").stat().st_mode) == 0o644
