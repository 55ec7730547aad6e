"""The rules method of ``reason`` gives full HermiT's answers: verdict, unsatisfiable classes, inferred memberships.

Every test here runs real HermiT twice (``method="hermit"``: ontology and all data in one run, the old path; and
``method="rules"``: HermiT on the ontology, rules on the data) and compares everything the release writes. The inputs
cover the shipped graph, generated graphs (bench/generate.py, with its injected violations: two participants of one
participation make HermiT merge actors), and broken inputs: disjointness, functional-property clashes on objects and
literals, merges of individuals declared different, individuals in unsatisfiable classes (an RL and a non-RL reason),
unions that decide, that leave a choice, and that leave no choice, a datatype range, unwitnessed existentials.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rdflib import Graph

from dipontology import resources
from dipontology.reason import default_graph, reason

BENCH = Path(__file__).resolve().parents[2] / "bench" / "generate.py"

PREFIXES = """@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix actor: <https://w3id.org/dipontology/id/actor/> .
@prefix place: <https://w3id.org/dipontology/id/place/> .
@prefix statement: <https://w3id.org/dipontology/id/statement/> .
@prefix outcome: <https://w3id.org/dipontology/id/outcome/> .
@prefix ex: <https://w3id.org/dipontology/id/test/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: name -> (data added to the ontology, whether full HermiT finds it consistent)
CASES = {
    "disjoint classes": ("actor:x a dip:StateActor, dip:NonStateActor .", False),
    "functional object property, values declared different":
        ("statement:c a dip:TrackClassification ; dip:track dip:TrackOne, dip:TrackTwo .", False),
    "functional datatype property, two strings":
        ("statement:o a dip:OutcomeAttribution ; dip:attributionStrength \"strong\", \"weak\" .", False),
    "functional datatype property, one value twice":
        ("statement:o a dip:OutcomeAttribution ; dip:attributionStrength \"strong\", \"strong\"^^xsd:string .",
         True),
    "functional merge of compatible actors": (
        "statement:p a dip:Participation ; dip:participant actor:a, actor:b ; dip:role dip:FacilitatorRole .\n"
        "actor:a a dip:NGO ; rdfs:label \"A\"@en . actor:b a dip:Youth .\n"
        "case:i a dip:Initiative ; dip:hasParticipation statement:p .", True),
    "functional merge of disjoint actors": (
        "statement:p a dip:Participation ; dip:participant actor:a, actor:b .\n"
        "actor:a a dip:NGO . actor:b a dip:Person .", False),
    "functional merge of actors declared different": (
        "statement:p a dip:Participation ; dip:participant actor:a, actor:b .\n"
        "actor:a a dip:NGO ; owl:differentFrom actor:b . actor:b a dip:NGO .", False),
    "individual in an unsatisfiable class (disjoint superclasses)": (
        "ex:Bad a owl:Class ; rdfs:subClassOf dip:Person, dip:Organisation .\nactor:x a ex:Bad .", False),
    "unsatisfiable class without members": (
        "ex:Bad a owl:Class ; rdfs:subClassOf dip:Person, dip:Organisation .\nactor:x a dip:Person .", True),
    "individual in a class unsatisfiable through an existential": (
        "ex:Bad a owl:Class ; rdfs:subClassOf dip:Person, dip:Organisation .\n"
        "ex:Worse a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty dip:memberOf ; "
        "owl:someValuesFrom ex:Bad ] .\nactor:y a ex:Worse .", False),
    "union domain with no member left (a place involving a country)":
        ("place:p a dip:Place ; dip:involvesCountry place:q .", False),
    "union domain with a choice left (a statement with a date note)":
        ("statement:c a dip:TrackClassification ; dip:datePrecisionNote \"about\" .", True),
    "open unions in many components (each decided apart)": ("\n".join(
        f'statement:c{i} a dip:TrackClassification ; dip:datePrecisionNote "about" .' for i in range(8))
        + "\nstatement:c0 dip:contradicts statement:c1 .", True),
    "union range whose members share a superclass": (
        "ex:thing a owl:NamedIndividual ; dip:profiledTrack dip:TrackTwo .", True),
    "datatype range broken": (
        "statement:f a dip:FactStatement ; dip:sequencePosition \"first\" .", False),
    "defined class asserted without a witness": ("case:y a dip:YouthInitiative .", True),
    "defined class without a witness beside open unions elsewhere": (
        "case:y a dip:YouthInitiative ; dip:hasParticipation statement:p .\n"
        "statement:p dip:participant actor:z ; dip:role dip:FacilitatorRole . actor:z a dip:NGO .\n"
        "statement:c a dip:TrackClassification ; dip:datePrecisionNote \"about\" .", True),
    "defined classes by participation and track": (
        "case:i a dip:Initiative ; dip:hasParticipation statement:p ; dip:hasTrackClassification statement:c ;\n"
        "    dip:ledTo case:j .\n"
        "case:j a dip:Initiative ; dip:hasTrackClassification statement:d ; dip:hasOutcomeAttribution statement:o .\n"
        "statement:d a dip:TrackClassification ; dip:track dip:TrackOne .\n"
        "statement:o a dip:OutcomeAttribution ; dip:outcome outcome:a .\noutcome:a a dip:PeaceAgreement .\n"
        "statement:p a dip:Participation ; dip:participant actor:y ; dip:role dip:MediatorRole ;\n"
        "    dip:capacity dip:OfficialInUnofficialCapacity .\nactor:y a dip:Youth .\n"
        "statement:c a dip:TrackClassification ; dip:track dip:TrackTwo ; dip:contradicts statement:e .\n"
        "statement:e a dip:TrackClassification ; dip:track dip:CitizenDiplomacy .", True),
}


def _with_ontology(data: str) -> Graph:
    g = Graph().parse(resources.ontology_file(), format="turtle")
    g.parse(data=PREFIXES + data, format="turtle")
    return g


def _assert_same(graph: Graph) -> tuple:
    rules = reason(graph, cache=False, method="rules")
    hermit = reason(graph, cache=False, method="hermit")
    assert rules.consistent == hermit.consistent, (rules.explanation, hermit.explanation)
    assert rules.unsatisfiable == hermit.unsatisfiable
    assert rules.inferred == hermit.inferred       # individual, class and both labels, in the same order
    assert (rules.triples, rules.dropped_literals) == (hermit.triples, hermit.dropped_literals)
    return rules, hermit


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_rules_equal_hermit_on_small_inputs(name):
    data, consistent = CASES[name]
    rules, _hermit = _assert_same(_with_ontology(data))
    assert rules.consistent is consistent, rules.explanation
    assert rules.stages  # says which part ran where


@pytest.mark.slow
def test_rules_equal_hermit_on_the_shipped_graph():
    rules, hermit = _assert_same(default_graph(include_data=True))
    assert rules.consistent and rules.inferred
    # the shipped data never needed HermiT for its data
    assert "data to HermiT" not in rules.stages


def _generate(tmp_path: Path, triples: int, rate: float, seed: int) -> Graph:
    spec = importlib.util.spec_from_file_location("dipontology_bench_generate", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = module.generate(triples, tmp_path, violation_rate=rate, seed=seed)
    g = Graph().parse(path, format="turtle")
    g.parse(resources.ontology_file(), format="turtle")
    return g


@pytest.mark.slow
def test_rules_equal_hermit_on_a_generated_10k_graph(tmp_path):
    rules, _hermit = _assert_same(_generate(tmp_path, 10_000, 0.02, 1))
    assert "data to HermiT" not in rules.stages


@pytest.mark.slow
def test_rules_equal_hermit_on_a_generated_graph_with_many_violations(tmp_path):
    # a violation rate of 20 %: many merged participants, tracks outside the ontology, methods that are sources
    _assert_same(_generate(tmp_path, 2_000, 0.2, 7))
