"""The contributor's whole path (issue #16): ``init`` a workspace, fill the CSV sheets (a new case with a new
source and two new actors, one of them also in a published case), ``convert``, ``validate``, ``accept``, ``build``:
the case page, both actors' pages, the timeline and ``query`` show the new facts with their sources, and the
accepted records carry who added them, when, from which file and the validation report's digest."""
from __future__ import annotations

import csv
import html
import json
import os
import re
import stat
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, PROV

from dipontology import resources
from dipontology.cli import main
from dipontology.errors import InputError

pytestmark = pytest.mark.slow  # builds a release (left out of the fast profile)

SOURCE = """slug,type,title,author,date,url,publisher,description
harbour-report-2021,WebArticle,The Harbour Talks,Jane Smith,2021-05,https://example.org/harbour-talks,Harbour Review,\
A web article on unofficial talks between two port cities.
"""
ACTORS = """slug,label,type,description,based_in,member_of,founded,sources,locator,quote
harbour-trust,Harbour Trust,NGO,A civic trust that convened the harbour talks.,Oslo,,1990,harbour-report-2021,\
Introduction,
mira-dalen,Mira Dalen,Person,A retired diplomat who facilitated the harbour talks.,,,,harbour-report-2021,\
Introduction,
"""
PARTICIPATION = """case,actor,role,capacity,sources,locator,quote
oslo-back-channel,mira-dalen,participant,retired-official,harbour-report-2021,Background,
"""
CASE_ROW = ("harbour-talks,Harbour talks,Unofficial talks between two port cities.,,1994,1995,TrackTwo@1994/1995,"
            "harbour-trust|convenor|private;Mira Dalen|facilitator|retired-official,,,,oslo,norway,,,,,,,,"
            "harbour-report-2021,Introduction,\n")
ID = "https://w3id.org/dipontology/id/"


def text_of(page: Path) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def path(tmp_path_factory) -> dict:
    """Play the path once; the tests look at what it left."""
    root = tmp_path_factory.mktemp("contributor")
    previous, old_mask = Path.cwd(), os.umask(0o022)
    codes: dict[str, int] = {}
    try:
        os.chdir(root)
        codes["init"] = main(["init", "workspace", "-q"])
        os.chdir(root / "workspace")
        codes["template"] = main(["template", "all", "-o", "sheets"])
        sheets = Path("sheets")
        (sheets / "source.csv").write_text(SOURCE, encoding="utf-8")
        (sheets / "actor.csv").write_text(ACTORS, encoding="utf-8")
        (sheets / "participation.csv").write_text(PARTICIPATION, encoding="utf-8")
        case = sheets / "case.csv"
        case.write_text(case.read_text(encoding="utf-8") + CASE_ROW, encoding="utf-8")
        for empty in ("place.csv", "disagreement.csv"):  # sheets left empty are not handed in
            (sheets / empty).unlink()
        codes["convert"] = main(["convert", "sheets", "-o", "harbour.ttl", "-q"])
        codes["validate"] = main(["validate", "harbour.ttl"])
        codes["accept"] = main(["accept", "harbour.ttl", "--contributor", "Jane Contributor", "-q"])
        codes["build"] = main(["build", "-o", str(root / "release"), "-q"])
        codes["query"] = main(["query", "--format", "csv", "-o", str(root / "query.csv"), "-q", "--sparql",
                               "SELECT ?case ?source WHERE { ?case dip:hasParticipation ?p . "
                               "?p dip:participant actor:mira-dalen ; dcterms:source ?source } ORDER BY ?case"])
    finally:
        os.chdir(previous)
        os.umask(old_mask)
    return {"root": root, "ws": root / "workspace", "release": root / "release", "codes": codes}


def test_every_step_succeeds(path):
    assert path["codes"] == {"init": 0, "template": 0, "convert": 0, "validate": 0, "accept": 0, "build": 0,
                             "query": 0}


def test_accept_wrote_into_the_workspace_not_the_package(path):
    ws = path["ws"]
    assert (ws / "data" / "cases" / "harbour-talks.ttl").is_file()
    assert "actor:mira-dalen" in (ws / "data" / "actors.ttl").read_text(encoding="utf-8")
    assert not (resources.data_dir() / "cases" / "harbour-talks.ttl").exists()
    mode = stat.S_IMODE((ws / "data" / "cases" / "harbour-talks.ttl").stat().st_mode)
    assert mode == 0o644


def test_accepted_records_carry_their_provenance(path):
    g = Graph().parse(path["ws"] / "data" / "cases" / "harbour-talks.ttl")
    case = URIRef(ID + "case/harbour-talks")
    activity = g.value(case, PROV.wasGeneratedBy)
    assert activity is not None
    assert str(g.value(g.value(activity, PROV.wasAssociatedWith), FOAF.name)) == "Jane Contributor"
    assert str(g.value(activity, PROV.used)) == "harbour.ttl"
    assert g.value(activity, PROV.endedAtTime) is not None
    assert re.fullmatch(r"validation-report-sha256:[0-9a-f]{64}",
                        str(g.value(activity, URIRef("http://purl.org/dc/terms/identifier"))))


def test_the_case_page_shows_the_new_facts_with_their_source(path):
    page = text_of(path["release"] / "id" / "case" / "harbour-talks.html")
    assert "Harbour Trust took part as convenor" in page
    assert "Mira Dalen took part as facilitator" in page
    assert "It began in 1994." in page and "Smith 2021, “The Harbour Talks” , Introduction" in page
    assert "Jane Contributor" in page  # who added it


def test_both_actors_pages_show_their_cases(path):
    mira = text_of(path["release"] / "id" / "actor" / "mira-dalen.html")
    assert "Harbour talks facilitator" in mira and "Oslo back channel participant" in mira
    assert "Smith 2021, “The Harbour Talks”" in mira
    trust = text_of(path["release"] / "id" / "actor" / "harbour-trust.html")
    assert "Harbour talks convenor" in trust


def test_the_published_case_page_shows_the_new_participation(path):
    page = text_of(path["release"] / "id" / "case" / "oslo-back-channel.html")
    assert "Mira Dalen" in page


def test_the_timeline_shows_the_new_case_with_its_source(path):
    rows = list(csv.reader((path["release"] / "queries" / "timeline.csv").read_text(encoding="utf-8").splitlines()))
    mine = [r for r in rows if ID + "case/harbour-talks" in r]
    assert {r[2] for r in mine} >= {"case study begins", "case study ends"}
    assert all(ID + "source/harbour-report-2021" in r for r in mine)


def test_query_shows_the_new_participations_with_their_source(path):
    rows = list(csv.reader((path["root"] / "query.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[1:] == [[ID + "case/harbour-talks", ID + "source/harbour-report-2021"],
                        [ID + "case/oslo-back-channel", ID + "source/harbour-report-2021"]]


def test_the_statements_have_iris_in_the_release(path):
    data = (path["release"] / "data" / "dipontology-data.nt").read_text(encoding="utf-8")
    assert "<https://w3id.org/dipontology/id/statement/harbour-talks-participation-mira-dalen-" in data
    assert (path["release"] / "id" / "statement").is_dir()


def test_accept_outside_any_data_folder_of_ones_own_says_what_to_do(tmp_path, monkeypatch):
    """Only an installed (bundled) package lacks a data folder of the user's: then accept names init/--data-dir."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(resources, "bundled", lambda: True)
    with pytest.raises(InputError) as info:
        resources.writable_data_dir()
    assert "read-only" in info.value.message and "dipontology init DIR" in info.value.fix


def test_init_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path / "taken")]) == 2
    assert "the folder exists and is not empty" in capsys.readouterr().err
    assert json.dumps(sorted(p.name for p in tmp_path.iterdir())) == '["taken"]'
