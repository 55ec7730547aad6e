"""Where contributions go (issue #16, item 1) and what a contribution can bring (item 2): workspaces and checkouts
found from the current directory, the refusal when there is no data folder of one's own, a source's disagreement
with a published claim, and a new participation in a published case accepted with its PROV."""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV, XSD

from dipontology import resources
from dipontology.cli import main
from dipontology.contribution.accept import accept
from dipontology.contribution.convert import convert
from dipontology.contribution.sheets import template
from dipontology.errors import InputError
from dipontology.namespaces import DIP

ID = "https://w3id.org/dipontology/id/"
SOURCE_ROW = ("test-other-account-2020,WebArticle,Another account (test),Ann Other,2020,https://example.org/other,,"
              "A web article that dates the first invitation differently.\n")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_makes_a_workspace_the_commands_pick_up(tmp_path, monkeypatch):
    previous = os.umask(0o022)
    try:
        assert main(["init", str(tmp_path / "ws"), "-q"]) == 0
    finally:
        os.umask(previous)
    ws = tmp_path / "ws"
    assert (ws / resources.CONFIG_NAME).is_file()
    assert snapshot(ws / "data") == snapshot(resources.root() / "data")
    assert sorted(p.name for p in (ws / "shapes").iterdir()) == sorted(p.name for p in resources.shapes_files())
    assert stat.S_IMODE((ws / "data" / "actors.ttl").stat().st_mode) == 0o644
    (ws / "notes").mkdir()
    monkeypatch.chdir(ws / "notes")  # anywhere inside the workspace
    assert resources.data_dir() == (ws / "data").resolve()
    assert resources.writable_data_dir() == (ws / "data").resolve()
    assert resources.shapes_files()[0].parent == (ws / "shapes").resolve()
    assert [p.name for p in tmp_path.iterdir()] == ["ws"]  # nothing left beside it


def test_a_broken_workspace_configuration_is_an_input_error(tmp_path, monkeypatch):
    (tmp_path / resources.CONFIG_NAME).write_text("[workspace\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="cannot read the workspace configuration") as info:
        resources.data_dir()
    assert info.value.file == str(tmp_path / resources.CONFIG_NAME)
    (tmp_path / resources.CONFIG_NAME).write_text('[workspace]\ndata = "../elsewhere"\n', encoding="utf-8")
    with pytest.raises(InputError, match="outside the workspace"):
        resources.data_dir()


def test_inside_a_clone_accept_writes_into_its_data(tmp_path, monkeypatch):
    clone = tmp_path / "clone"
    (clone / "ontology").mkdir(parents=True)
    shutil.copy(resources.ontology_file(), clone / "ontology" / "dipontology.ttl")
    shutil.copytree(resources.root() / "data", clone / "data")
    (clone / "pyproject.toml").write_text('[project]\nname = "dipontology"\n', encoding="utf-8")
    monkeypatch.chdir(clone / "data" / "cases")
    assert resources.writable_data_dir() == (clone / "data").resolve()
    (clone / "pyproject.toml").write_text('[project]\nname = "something-else"\n', encoding="utf-8")
    assert resources.checkout() is None


def test_without_a_data_folder_of_ones_own_accept_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(resources, "bundled", lambda: True)  # as an installed wheel is
    assert main(["accept", str(tmp_path / "x.ttl"), "--contributor", "T"]) == 2
    err = capsys.readouterr().err
    assert "the installed package's data is read-only" in err
    assert "dipontology init DIR" in err and "--data-dir DIR" in err
    assert main(["accept", str(tmp_path / "x.ttl"), "--data-dir", str(tmp_path / "nope"), "--contributor", "T"]) == 2
    assert "the data folder does not exist" in capsys.readouterr().err


def test_a_source_that_disagrees_with_a_published_date(tmp_path):
    (tmp_path / "source.csv").write_text(template("source") + SOURCE_ROW, encoding="utf-8")
    (tmp_path / "disagreement.csv").write_text(
        template("disagreement") + "Belt and Road Initiative,start,2013-10,It dates the start to the Jakarta speech.,"
        "test-other-account-2020,Paragraph 2,\n", encoding="utf-8")
    converted = convert([tmp_path])
    assert converted.findings == []
    g = converted.graph
    st = next(g.subjects(DIP.statedValue, Literal("2013-10", datatype=XSD.gYearMonth)))
    assert g.value(st, DIP.statedSubject) == URIRef(ID + "case/belt-and-road-initiative")
    assert URIRef(ID + "statement/belt-and-road-initiative-start-eaber") in set(g.objects(st, DIP.contradicts))
    assert str(g.value(st, DIP.disagreementNote)) == "It dates the start to the Jakarta speech."
    # the same value as published is no disagreement
    (tmp_path / "disagreement.csv").write_text(
        template("disagreement") + "belt-and-road-initiative,start,2013-09-07,,test-other-account-2020,,\n",
        encoding="utf-8")
    converted = convert([tmp_path])
    assert [(f.column, f.rule) for f in converted.findings] == [("property", "csv:bad-cell")]


def test_a_new_participation_in_a_published_case_is_accepted_with_its_provenance(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(resources.data_dir(), data)
    sheet = tmp_path / "participation.csv"
    sheet.write_text(template("participation") + "oslo-back-channel,Fafo institute,host,private,malek-chigas-2013,"
                     "Introduction,Citizen diplomacy refers to unofficial contacts between people of different "
                     "nations\n", encoding="utf-8")
    before = snapshot(data)
    result = accept(sheet, data_dir=data, contributor="Test Contributor")
    assert not result.refused and [p.name for p in result.written] == ["oslo-back-channel.ttl"]
    after = snapshot(data)
    assert after["cases/oslo-back-channel.ttl"].startswith(before["cases/oslo-back-channel.ttl"])
    g = Graph().parse(data / "cases" / "oslo-back-channel.ttl")
    case = URIRef(ID + "case/oslo-back-channel")
    new = [st for st in g.objects(case, DIP.hasParticipation) if (st, PROV.wasGeneratedBy, None) in g]
    assert len(new) == 1 and str(new[0]).startswith(ID + "statement/oslo-back-channel-participation-fafo-")
    activity = g.value(new[0], PROV.wasGeneratedBy)
    assert str(g.value(g.value(activity, PROV.wasAssociatedWith), FOAF.name)) == "Test Contributor"
    assert str(g.value(activity, PROV.used)) == "participation.csv"
    assert (case, PROV.wasGeneratedBy, None) not in g  # the published record itself is not claimed
    # the same sheet again: the statement has the same IRI, so nothing is added
    again = accept(sheet, data_dir=data, contributor="Test Contributor")
    assert again.written == [] and snapshot(data) == after


def test_accept_without_a_name_asks_for_one(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "empty-gitconfig"))
    monkeypatch.setenv("HOME", str(tmp_path))
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="no name is known") as info:
        accept(tmp_path / "x.ttl", data_dir=data)
    assert "--contributor" in info.value.fix


def test_labels_are_stored_nfc_normalised(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(resources.data_dir(), data)
    decomposed = "Gene\u0301ve harbour trust (test)"  # e + combining acute accent
    contribution = tmp_path / "nfc.ttl"
    contribution.write_text(f"""@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix actor: <https://w3id.org/dipontology/id/actor/> .
@prefix source: <https://w3id.org/dipontology/id/source/> .
@prefix statement: <https://w3id.org/dipontology/id/statement/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
actor:test-nfc-trust a dip:NGO ;
    rdfs:label "{decomposed}"@en ;
    dcterms:description "A trust (test)."@en ;
    dcterms:source source:malek-chigas-2013 .
statement:test-nfc-trust-type a dip:FactStatement ; dip:statedSubject actor:test-nfc-trust ;
    dip:statedProperty <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ; dip:statedValue dip:NGO ;
    dcterms:source source:malek-chigas-2013 ; dip:locator "Introduction" ;
    dip:quote "Citizen diplomacy refers to unofficial contacts between people of different nations" .
""", encoding="utf-8")
    result = accept(contribution, data_dir=data, contributor="Test Contributor")
    assert not result.refused, result.report.render("text")
    text = (data / "actors.ttl").read_text(encoding="utf-8")
    assert "Gen\u00e9ve harbour trust (test)" in text  # e + U+0301 stored as the one code point U+00E9
    assert "e\u0301" not in text



def test_a_csv_sheet_that_is_a_symbolic_link_is_refused(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text(template("case"), encoding="utf-8")
    link = tmp_path / "case.csv"
    link.symlink_to(real)
    with pytest.raises(InputError, match="symbolic link") as info:
        convert([link])
    assert info.value.file == str(link)
