"""The data half of the rules method (dipontology.abox) on its own: no Java needed.

What these tests pin down is what the equivalence tests (tests/test_reason_equivalence.py, real HermiT) rely on:
the compiled ontology, the rules' derivations (domain/range, chains, transitivity, inverse properties, defined
classes), merges by functional properties, clashes, and the check that reports every axiom the model breaks.
"""
from __future__ import annotations

import os
from decimal import Decimal

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import XSD

from dipontology import reason as reason_module
from dipontology import resources
from dipontology.abox import Materialiser, Split, Unsupported, literal_key
from dipontology.reason import OWL2_DATATYPES

DIP = "https://w3id.org/dipontology/ontology#"
ID = "https://w3id.org/dipontology/id/"
PREFIXES = """@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix actor: <https://w3id.org/dipontology/id/actor/> .
@prefix place: <https://w3id.org/dipontology/id/place/> .
@prefix statement: <https://w3id.org/dipontology/id/statement/> .
@prefix outcome: <https://w3id.org/dipontology/id/outcome/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(resources.ontology_file(), format="turtle")


def _model(ontology: Graph, data: str) -> Materialiser:
    g = Graph()
    for t in ontology:
        g.add(t)
    g.parse(data=PREFIXES + data, format="turtle")
    return Materialiser(Split.of(g, OWL2_DATATYPES)).run()


def _types(m: Materialiser, iri: str) -> set[str]:
    return {t.rsplit("#", 1)[-1] for t in m.named_types(iri) if t.startswith(DIP)}


def test_literal_values_compare_as_owl_does():
    assert literal_key(Literal("01", datatype=XSD.integer)) == literal_key(Literal("1.0", datatype=XSD.decimal))
    assert literal_key(Literal("a")) == literal_key(Literal("a", datatype=XSD.string))
    assert literal_key(Literal("a", lang="en")) != literal_key(Literal("a"))
    assert literal_key(Literal("7", datatype=XSD.integer)) == ("n", Decimal(7))
    assert literal_key(Literal("x", datatype=XSD.integer))[0] == "raw"   # ill-typed: not compared


def test_the_shipped_ontology_compiles_and_its_individuals_are_consistent(ontology):
    m = _model(ontology, "")
    assert m.clash is None
    assert m.verify() == []
    assert f"{DIP}TrackOne" in m.split.nominals and f"{DIP}FacilitatorRole" in m.split.nominals


def test_defined_classes_are_recognised_through_chains_inverses_and_transitivity(ontology):
    m = _model(ontology, """
        case:a a dip:Initiative ; dip:ledTo case:b . case:b dip:ledTo case:c .
        case:c dip:hasTrackClassification statement:t ; dip:hasOutcomeAttribution statement:o ;
            dip:hasParticipation statement:p .
        statement:t dip:track dip:TrackOne . statement:o dip:outcome outcome:x . outcome:x a dip:PeaceAgreement .
        statement:p dip:participant actor:n ; dip:role dip:MediatorRole . actor:n a dip:NGO .""")
    assert m.clash is None and m.verify() == []
    assert {"TrackOneInitiative", "AgreementProducingInitiative", "ThirdPartyFacilitatedInitiative"} <= \
        _types(m, f"{ID}case/c")
    # ledTo is transitive: a reaches c, which is a Track I initiative that produced an agreement
    assert "PrecursorOfTrackOneAgreement" in _types(m, f"{ID}case/a")
    assert "PrecursorOfTrackOneAgreement" in _types(m, f"{ID}case/b")
    # the inverse of dip:participant inside ThirdPartyFacilitator's definition
    assert "ThirdPartyFacilitator" in _types(m, f"{ID}actor/n")
    # domains and ranges
    assert "Initiative" in _types(m, f"{ID}case/b") and "Participation" in _types(m, f"{ID}statement/p")
    # the value dip:hasTrack gets from its chain
    assert f"{DIP}TrackOne" in m.succ(("P", f"{DIP}hasTrack"), f"{ID}case/c")


def test_a_functional_property_merges_its_values(ontology):
    m = _model(ontology, """statement:p a dip:Participation ; dip:participant actor:a, actor:b .
        actor:a a dip:NGO . actor:b a dip:Youth .""")
    assert m.clash is None and m.verify() == []
    assert m.find(f"{ID}actor/a") == m.find(f"{ID}actor/b")
    assert {"NGO", "Youth"} <= _types(m, f"{ID}actor/a")


@pytest.mark.parametrize("data, why", [
    ("actor:x a dip:StateActor, dip:NonStateActor .", "Nothing"),
    ("statement:c dip:track dip:TrackOne, dip:TrackTwo .", "declared different"),
    ('statement:o dip:attributionStrength "strong", "weak" .', "two values"),
    ("statement:p dip:participant actor:a, actor:b . actor:a a dip:NGO . actor:b a dip:Person .", "Nothing"),
])
def test_clashes(ontology, data, why):
    m = _model(ontology, data)
    assert m.clash is not None and why in m.clash


def test_a_range_outside_the_datatype_is_a_clash_found_by_the_check(ontology):
    m = _model(ontology, 'statement:f a dip:FactStatement ; dip:sequencePosition "first" .')
    assert m.clash is None
    m.verify()
    assert m.clash is not None and "range" in m.clash


def test_the_check_reports_what_the_rules_leave_open(ontology):
    # a track classification with a date note: dip:datePrecisionNote's domain is a union the statement is in
    # none of; and a defined class asserted without the participant its definition requires
    m = _model(ontology, """statement:c a dip:TrackClassification ; dip:datePrecisionNote "about" .
        case:y a dip:YouthInitiative .""")
    assert m.clash is None
    open_ = m.verify()
    assert {x.rsplit("/", 1)[-1] for x, *_ in open_} == {"c", "y"}
    kinds = {rest[1][0] for x, *rest in open_ if len(rest) > 1}
    assert kinds == {"or", "and"}


def test_a_branch_is_an_independent_copy(ontology):
    m = _model(ontology, 'statement:c a dip:TrackClassification ; dip:datePrecisionNote "about" .')
    b = m.branch([(f"{ID}statement/c", f"{DIP}Initiative")])
    assert b.clash is not None                       # a statement is never an initiative
    assert m.clash is None and "Initiative" not in _types(m, f"{ID}statement/c")
    c = m.branch([(f"{ID}statement/c", f"{DIP}Method")])
    assert c.clash is None and c.verify() == [] and "Method" in _types(c, f"{ID}statement/c")


def test_constructs_the_rules_do_not_implement_are_refused(ontology):
    g = Graph().parse(data=PREFIXES + "dip:Actor owl:hasKey ( dip:basedIn ) .", format="turtle")
    with pytest.raises(Unsupported, match="hasKey"):
        Split.of(g)
    g = Graph().parse(data=PREFIXES + "dip:ledTo a owl:IrreflexiveProperty .", format="turtle")
    with pytest.raises(Unsupported, match="irreflexive"):
        Split.of(g)


def test_dates_are_left_out_as_for_hermit(ontology):
    base = _model(ontology, "").split.dropped         # the ontology's own dates (annotations)
    m = _model(ontology, 'case:a a dip:Initiative ; dip:startDate "1990"^^xsd:gYear, "1991"^^xsd:gYear .')
    assert m.split.dropped == base + 2
    assert m.clash is None and m.verify() == []


def test_open_unions_in_separate_components_are_decided_apart(ontology, monkeypatch):
    """Nine open unions (2 choices each, 512 combinations together) stay within a branch limit of 4: they are in
    eight components (c0 and c1 are linked), and each is decided apart (18 branches)."""
    data = "\n".join(f'statement:c{i} a dip:TrackClassification ; dip:datePrecisionNote "about" .' for i in range(9))
    g = Graph()
    for t in ontology:
        g.add(t)
    g.parse(data=PREFIXES + data + "\nstatement:c0 dip:contradicts statement:c1 .", format="turtle")
    split = Split.of(g, OWL2_DATATYPES)
    m = Materialiser(split).run()
    bad = m.verify()
    assert len(bad) == 9
    read = reason_module._membership_reader(g, split, ("https://w3id.org/dipontology/",), {})
    monkeypatch.setattr(reason_module, "MAX_BRANCHES", 4)
    explanation, inferred, tried = reason_module._settle_unions(split, m, bad, [], read)
    assert explanation is None
    assert tried == 4 + 7 * 2
    # nothing new is entailed: each statement is a Method or a Conflict, and neither is certain
    assert inferred == read(m)


def test_open_unions_that_only_touch_their_own_individual_are_decided_alone(ontology, monkeypatch):
    """Nine open unions in one component (linked by dip:contradicts): each branch only adds types to its own
    statement that nothing looks for, so each union is decided on its own (2 branches each), not 512 together."""
    data = "\n".join(f'statement:c{i} a dip:TrackClassification ; dip:datePrecisionNote "about" ; '
                     f'dip:contradicts statement:c{i + 1} .' for i in range(9))
    g = Graph()
    for t in ontology:
        g.add(t)
    g.parse(data=PREFIXES + data, format="turtle")
    split = Split.of(g, OWL2_DATATYPES)
    m = Materialiser(split).run()
    bad = m.verify()
    assert len(bad) == 9
    read = reason_module._membership_reader(g, split, ("https://w3id.org/dipontology/",), {})
    monkeypatch.setattr(reason_module, "MAX_BRANCHES", 2)
    explanation, inferred, tried = reason_module._settle_unions(split, m, bad, [], read)
    assert explanation is None and tried == 9 * 2
    assert inferred == read(m)
    # a branch that puts the statement into dip:Method changes only that statement
    b = m.branch([(f"{ID}statement/c0", f"{DIP}Method")])
    assert b.confined_to(f"{ID}statement/c0", m)


BRANCH_DATA = (
    "statement:c a dip:TrackClassification ; dip:datePrecisionNote \"about\" ; dip:contradicts statement:e .\n"
    "statement:e a dip:TrackClassification ; dip:track dip:CitizenDiplomacy .\n"
    "case:i a dip:Initiative ; dip:hasParticipation statement:p, statement:q ; dip:hasTrackClassification statement:c ;\n"
    "    dip:ledTo case:j .\n"
    "case:j a dip:Initiative ; dip:hasOutcomeAttribution statement:o .\n"
    "statement:o a dip:OutcomeAttribution ; dip:outcome outcome:a .\n"
    "statement:p a dip:Participation ; dip:participant actor:y ; dip:role dip:MediatorRole .\n"
    "statement:q a dip:Participation ; dip:participant actor:z, actor:w .\n"
    "actor:z a dip:NGO . place:p a dip:Place ; dip:involvesCountry place:q .\n"
    "ex:thing a owl:NamedIndividual ; dip:profiledTrack dip:TrackTwo .\n"
    # defined classes asserted with a witness that lacks its type: a branch that types the witness (one and two
    # property steps away) changes the verdict on an individual it did not touch
    "case:y a dip:YouthInitiative ; dip:hasParticipation statement:r . statement:r dip:participant actor:v .\n"
    "case:t a dip:ThirdPartyFacilitatedInitiative ; dip:hasParticipation statement:s .\n"
    "statement:s dip:participant actor:u ; dip:role dip:FacilitatorRole .\n"
).replace("ex:thing", "<https://w3id.org/dipontology/id/test/thing>")


def test_a_branch_checks_only_what_it_changed_and_finds_what_a_full_check_finds(ontology):
    """A branch (a copy of the model sharing its state) re-checks only the nodes whose verdict it can change and
    re-reads only the memberships it can change; both must equal a full check and a full read, whichever class
    an individual is put into (merges, defined classes, clashes included)."""
    from collections import Counter

    g = Graph()
    for t in ontology:
        g.add(t)
    g.parse(data=PREFIXES + BRANCH_DATA, format="turtle")
    split = Split.of(g, OWL2_DATATYPES)
    m = Materialiser(split).run()
    assert m.clash is None
    base_bad = m.verify()
    assert any(len(b) > 2 and b[2][0] == "or" for b in base_bad)   # open unions to branch on
    read = reason_module._membership_reader(g, split, ("https://w3id.org/dipontology/",), {})
    classes = sorted(c for c in split.classes if c.startswith(DIP))
    people = sorted(x for x in m.types if isinstance(x, str) and x.startswith(ID))
    options = [(x, e) for x, _why, e in (b for b in base_bad if len(b) > 2)] + \
        [(x, c) for x in people for c in classes]
    compared = 0
    for x, e in options:
        b = m.branch([(x, e)])
        if b.clash is not None:
            continue
        quick = b.verify()
        assert b.base is m and b.touched is not None
        full = b._verify_all()
        assert Counter(map(repr, quick)) == Counter(map(repr, full)), (x, e)
        assert read(b) == _read_fresh(read, b), (x, e)
        compared += bool(b.touched)
    assert m.verify() == base_bad        # the base is untouched by its branches
    assert compared > 100


def _read_fresh(read, b):
    fresh, b.base = b.base, None
    try:
        return read(b)
    finally:
        b.base = fresh


def test_a_branch_rechecks_the_individuals_that_read_what_it_changed():
    """Existentials only on the right-hand side are never materialised on their subject: a branch that types the
    witness (one or two property steps away, through a shared individual too) changes the verdict on individuals
    it did not touch, and its check must see that."""
    from collections import Counter

    ex = "http://example.org/"
    g = Graph().parse(data=f"""@prefix : <{ex}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        :A a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] .
        :C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom
            [ a owl:Restriction ; owl:onProperty :q ; owl:someValuesFrom :B ] ] .
        :B a owl:Class . :D a owl:Class . :p a owl:ObjectProperty . :q a owl:ObjectProperty .
        :E a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :q ; owl:hasValue :n ] .
        :a1 a :A ; :p :b1 . :c1 a :C ; :p :m1 . :m1 :q :b1 . :a2 a :A ; :p :n . :b1 a :D . :n a :D .""",
                      format="turtle")
    m = Materialiser(Split.of(g)).run()
    base_bad = m.verify()
    assert {b[0] for b in base_bad} == {ex + "a1", ex + "c1", ex + "a2"}
    for who in ("b1", "n", "m1"):
        for cls in ("B", "D", "E"):
            b = m.branch([(ex + who, ex + cls)])
            assert Counter(map(repr, b.verify())) == Counter(map(repr, b._verify_all())), (who, cls)
    b = m.branch([(ex + "b1", ex + "B")])
    assert {x[0] for x in b.verify()} == {ex + "a2"} and not {ex + "a1", ex + "c1"} & b.touched


def test_the_short_jvm_options_apply_to_short_runs_only_and_leave_a_users_setting_alone(monkeypatch):
    monkeypatch.delenv("JAVA_TOOL_OPTIONS", raising=False)
    with reason_module._short_jvm(True):
        assert os.environ["JAVA_TOOL_OPTIONS"] == reason_module.SHORT_JVM_OPTIONS
    assert "JAVA_TOOL_OPTIONS" not in os.environ
    with reason_module._short_jvm(False):
        assert "JAVA_TOOL_OPTIONS" not in os.environ
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-Xss4m")
    with reason_module._short_jvm(True):
        assert os.environ["JAVA_TOOL_OPTIONS"] == "-Xss4m"
    assert os.environ["JAVA_TOOL_OPTIONS"] == "-Xss4m"
