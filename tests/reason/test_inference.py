"""The native OWL 2 RL rules give owlrl's closure (less its built-in vocabulary axioms and owl:sameAs), fast."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from dipontology import graph as dgraph
from dipontology.inference import owl_rl_closure
from dipontology.namespaces import DIP, PREFIXES

RULES = Path(__file__).resolve().parents[1] / "fixtures" / "inference" / "rules.ttl"
EX = "http://example.org/"
BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))


def test_native_rules_equal_owlrl_on_a_graph_exercising_every_rule() -> None:
    owlrl = set(dgraph.triples_graph(dgraph.inferred_triples([RULES], engine="owlrl")))
    native = set(dgraph.triples_graph(dgraph.inferred_triples([RULES])))
    # what owlrl adds beyond the rules: owl:sameAs for every resource (eq-ref) and declarations of the built-in
    # datatypes and annotation properties (axiomatic triples it emits even with axiomatic_triples=False)
    def comparable(t: tuple) -> bool:
        s, p, o = t
        builtin = isinstance(s, URIRef) and str(s).startswith(BUILTIN)
        return p != OWL.sameAs and not isinstance(s, Literal) and not (builtin and (p == RDF.type or s == o))

    assert {t for t in native if comparable(t)} == {t for t in owlrl if comparable(t)}
    assert all(comparable(t) or t[1] != OWL.sameAs for t in native)
    # and the closure really derives things: chains, restrictions, intersections, unions, inverses...
    for s, p, o in [("seeds", RDF.type, "YouthInitiative"), ("seeds", RDF.type, "TrackTwoInitiative"),
                    ("seeds", "hasParticipant", "camper"), ("seeds", "ledTo", "network"),
                    ("network", "precededBy", "alumni"), ("official", "complements", "seeds"),
                    ("seeds", "isPartOf", "peace"), ("trainee", RDF.type, "Youth"), ("fafo", RDF.type, "Agent"),
                    ("TrackOne", RDF.type, "TrackKind"), ("summit", RDF.type, "Happening"),
                    ("coach", "contact", "trainee"), ("coach", RDF.type, "Person"), ("seeds", RDF.type, "Event"),
                    ("official", RDF.type, "Connected"), ("p1", RDF.type, "Statement")]:
        term = (URIRef(EX + s), p if isinstance(p, URIRef) else URIRef(EX + p), URIRef(EX + o))
        assert term in native, term


def test_no_literal_subjects_and_asserted_triples_first() -> None:
    asserted = dgraph.parse_files([RULES])
    closure = owl_rl_closure(asserted)
    assert closure[: len(asserted)] == asserted
    assert len(set(closure)) == len(closure)
    assert not any(isinstance(t.subject, ox.Literal) for t in closure)


def test_shipped_graph_closure_derives_the_property_chains() -> None:
    # (its speed is measured in bench/, never in a timed unit test)
    closure = owl_rl_closure(dgraph.published_triples())
    g = dgraph.triples_graph(closure)
    oslo = URIRef(PREFIXES["case"] + "oslo-back-channel")
    secret = URIRef(PREFIXES["case"] + "oslo-secret-negotiation")
    assert (DIP.TrackTwo, RDF.type, DIP.DiplomacyTrack) in g
    assert (secret, DIP.hasParticipant, URIRef(PREFIXES["actor"] + "fafo")) in g
    assert (oslo, DIP.hasParticipant, URIRef(PREFIXES["actor"] + "norwegian-third-party-actors")) in g
    assert (oslo, DIP.hasTrack, DIP.CitizenDiplomacy) in g
    assert (oslo, RDF.type, DIP.ThirdPartyFacilitatedInitiative) in g
    assert (oslo, RDF.type, DIP.CitizenDiplomacyInitiative) in g
    assert not any(isinstance(s, Literal) for s in g.subjects())
