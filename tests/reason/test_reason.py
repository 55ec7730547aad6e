"""HermiT over the ontology: consistency, and each defined class classifying test individuals as intended."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph

from dipontology import reason as reason_module
from dipontology import resources
from dipontology.cli import main
from dipontology.namespaces import DIP
from dipontology.reason import prepare, reason

T = "https://w3id.org/dipontology/id/case/"

# Test individuals: for each defined class one that must be classified into it and one that must not.
INDIVIDUALS = """
@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix actor: <https://w3id.org/dipontology/id/actor/> .
@prefix statement: <https://w3id.org/dipontology/id/statement/> .
@prefix outcome: <https://w3id.org/dipontology/id/outcome/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

actor:youth a dip:Group, dip:Youth .
actor:scholars a dip:Group, dip:Academic .
actor:ngo a dip:NGO .
actor:minister a dip:GovernmentOfficial .

# an unofficial meeting series that led to official talks that produced an agreement
case:secret-meetings a dip:Initiative ; dip:ledTo case:back-channel ; dip:startDate "1992"^^xsd:gYear .
case:back-channel a dip:Initiative ; dip:ledTo case:official-talks .
case:official-talks a dip:Initiative ;
    dip:hasTrackClassification statement:c1 ;
    dip:hasOutcomeAttribution statement:o1 .
statement:c1 a dip:TrackClassification ; dip:track dip:TrackOne .
statement:o1 a dip:OutcomeAttribution ; dip:outcome outcome:accord .
outcome:accord a dip:PeaceAgreement ; dip:date "1993-09-13"^^xsd:date .

# led to Track I talks that produced no agreement: not a precursor of an agreement
case:talks-nowhere a dip:Initiative ; dip:ledTo case:official-no-deal .
case:official-no-deal a dip:Initiative ; dip:hasTrackClassification statement:c2 .
statement:c2 a dip:TrackClassification ; dip:track dip:TrackOne .

# youth camp vs academic workshop
case:camp a dip:Initiative ; dip:hasParticipation statement:p1 .
statement:p1 a dip:Participation ; dip:participant actor:youth ; dip:role dip:ParticipantRole .
case:workshop a dip:Initiative ;
    dip:hasParticipation statement:p2, statement:p3, statement:p4 .
statement:p2 a dip:Participation ; dip:participant actor:scholars ; dip:role dip:ParticipantRole ;
    dip:capacity dip:PrivateCapacity .
statement:p3 a dip:Participation ; dip:participant actor:ngo ; dip:role dip:FacilitatorRole .
statement:p4 a dip:Participation ; dip:participant actor:minister ; dip:role dip:ParticipantRole ;
    dip:capacity dip:OfficialInUnofficialCapacity .

# official talks mediated by an NGO (Mapendere's Track 1.5)
case:mediated-talks a dip:Initiative ; dip:hasParticipation statement:p5, statement:p6 .
statement:p5 a dip:Participation ; dip:participant actor:minister ; dip:role dip:ParticipantRole ;
    dip:capacity dip:OfficialCapacity .
statement:p6 a dip:Participation ; dip:participant actor:ngo ; dip:role dip:MediatorRole .

# negative outcome, and a disputed track classification
case:failed a dip:Initiative ; dip:hasOutcomeAttribution statement:o2 ;
    dip:hasTrackClassification statement:c3, statement:c4 .
statement:o2 a dip:OutcomeAttribution ; dip:outcome outcome:collapse .
outcome:collapse a dip:AgreementCollapse .
statement:c3 a dip:TrackClassification ; dip:track dip:TrackTwo ; dip:contradicts statement:c4 .
statement:c4 a dip:TrackClassification ; dip:track dip:CitizenDiplomacy .
"""

EXPECTED = {
    "PrecursorOfTrackOneAgreement": ({"secret-meetings", "back-channel"}, {"talks-nowhere", "official-talks"}),
    "TrackOneInitiative": ({"official-talks", "official-no-deal"}, {"back-channel"}),
    "AgreementProducingInitiative": ({"official-talks"}, {"official-no-deal"}),
    "YouthInitiative": ({"camp"}, {"workshop"}),
    "ThirdPartyFacilitatedInitiative": ({"workshop", "mediated-talks"}, {"camp"}),
    "TrackOneAndAHalfByCapacity": ({"workshop"}, {"mediated-talks", "camp"}),
    "TrackOneAndAHalfByThirdParty": ({"mediated-talks"}, {"workshop"}),
    "InitiativeWithNegativeOutcome": ({"failed"}, {"official-talks"}),
    "TrackTwoInitiative": ({"failed"}, {"official-talks"}),
    "CitizenDiplomacyInitiative": ({"failed"}, {"camp"}),
    "DisputedTrackInitiative": ({"failed"}, {"official-talks"}),
}


@pytest.fixture(scope="module")
def classified():
    g = Graph().parse(resources.ontology_file(), format="turtle")
    g.parse(data=INDIVIDUALS, format="turtle")
    return reason(g)


def test_ontology_alone_is_consistent_and_satisfiable():
    r = reason(include_data=False)
    assert r.consistent
    assert r.unsatisfiable == []


def test_test_individuals_are_consistent(classified):
    assert classified.consistent and classified.unsatisfiable == []
    # the gYear and date literals are left out for HermiT, and counted
    assert classified.dropped_literals >= 2


@pytest.mark.parametrize("cls", sorted(EXPECTED))
def test_defined_class_classifies_as_intended(classified, cls):
    members = {iri[len(T):] for iri in classified.members(str(DIP[cls])) if iri.startswith(T)}
    inside, outside = EXPECTED[cls]
    assert inside <= members, f"{cls} should contain {inside - members}"
    assert not (outside & members), f"{cls} should not contain {outside & members}"


def test_third_party_facilitator_actor(classified):
    members = classified.members(str(DIP.ThirdPartyFacilitator))
    assert "https://w3id.org/dipontology/id/actor/ngo" in members
    assert "https://w3id.org/dipontology/id/actor/youth" not in members


def test_disjointness_makes_inconsistent():
    g = Graph().parse(resources.ontology_file(), format="turtle")
    g.parse(data="""@prefix dip: <https://w3id.org/dipontology/ontology#> .
        <https://w3id.org/dipontology/id/actor/x> a dip:StateActor, dip:NonStateActor .""", format="turtle")
    r = reason(g)
    assert r.consistent is False
    assert not r.ok()


def test_prepare_strips_imports_and_owlready_modules():
    g = Graph().parse(data="""@prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <http://ex.org/o> a owl:Ontology ; owl:imports <http://127.0.0.1:9/evil.owl> ;
          <http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_module> "os" .
        <http://ex.org/a> <http://ex.org/p> "1990"^^xsd:gYear , "7"^^xsd:integer .""", format="turtle")
    clean, dropped = prepare(g)
    assert dropped == 1
    assert len(clean) == 2  # the ontology type and the integer literal


def test_cli_json(capsys):
    assert main(["reason", "--ontology-only", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["consistent"] is True and out["unsatisfiable"] == []


def test_cli_without_java_is_input_error(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["reason", "--ontology-only"]) == 2
    err = capsys.readouterr().err
    assert "java" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix dip: <https://w3id.org/dipontology/ontology#> .\ndip:x dip:y .\n")
    assert main(["reason", str(bad)]) == 2
    assert "bad.ttl" in capsys.readouterr().err


@pytest.mark.slow
def test_cache_reuses_identical_input_and_misses_on_change(tmp_path, monkeypatch):
    monkeypatch.setenv("DIPONTOLOGY_CACHE_DIR", str(tmp_path))
    g = Graph().parse(resources.ontology_file(), format="turtle")
    first = reason(g, method="hermit")
    files = list((tmp_path / "reason").glob("*.json"))
    assert len(files) == 1
    # a re-parse has new blank-node labels but the same canonical content: a hit, and HermiT is not run
    monkeypatch.setattr(reason_module, "_run_hermit", lambda *a: pytest.fail("HermiT ran on a cache hit"))
    again = reason(Graph().parse(resources.ontology_file(), format="turtle"), method="hermit")
    assert again == first
    # any change is a new key
    g.parse(data="<https://w3id.org/dipontology/id/actor/x> a <https://w3id.org/dipontology/ontology#NGO> .",
            format="turtle")
    monkeypatch.undo()
    monkeypatch.setenv("DIPONTOLOGY_CACHE_DIR", str(tmp_path))
    changed = reason(g, method="hermit")
    assert changed.consistent
    assert len(list((tmp_path / "reason").glob("*.json"))) == 2


@pytest.mark.slow
def test_rules_method_caches_the_ontology_run_only(tmp_path, monkeypatch):
    """With the rules method HermiT sees the ontology; new data about ordinary individuals reuses its result."""
    monkeypatch.setenv("DIPONTOLOGY_CACHE_DIR", str(tmp_path))
    g = Graph().parse(resources.ontology_file(), format="turtle")
    first = reason(g)
    assert len(list((tmp_path / "reason").glob("*.json"))) == 1
    monkeypatch.setattr(reason_module, "_run_hermit", lambda *a: pytest.fail("HermiT ran for the ontology again"))
    g.parse(data="""@prefix dip: <https://w3id.org/dipontology/ontology#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <https://w3id.org/dipontology/id/statement/p> a owl:NamedIndividual ;
            dip:participant <https://w3id.org/dipontology/id/actor/x> .""", format="turtle")
    changed = reason(g)
    assert first.consistent and changed.consistent
    members = {(t.individual.rsplit("/", 1)[-1], t.cls.rsplit("#", 1)[-1]) for t in changed.inferred}
    assert {("p", "Participation"), ("p", "Statement")} <= members   # from dip:participant's domain
    assert "TBox: HermiT" in changed.stages and "ABox: rules" in changed.stages


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        reason(include_data=False, method="tableau")


@pytest.mark.slow
def test_progress_lines_name_where_each_part_ran(monkeypatch):
    """Progress goes to the given sink once reasoning has taken over 2 s (here: a clock that says so)."""
    lines: list[str] = []
    monkeypatch.setattr(reason_module._Progress, "elapsed", lambda self: 10.0)
    result = reason(include_data=False, cache=False, progress=lines.append)
    assert result.consistent
    assert any(line.startswith("TBox: HermiT") and "ABox: rules" in line for line in lines), lines
