"""The ontology file itself: header, version, annotations, sources, generated guide."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

import dipontology
from dipontology import ontology_docs, resources
from dipontology.namespaces import DIP, ONTOLOGY_IRI

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(resources.ontology_file(), format="turtle")


def dip_terms(g: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)
    return {s for k in kinds for s in g.subjects(RDF.type, k) if isinstance(s, URIRef) and str(s).startswith(str(DIP))}


def test_version_is_single_sourced(onto):
    o = URIRef(ONTOLOGY_IRI)
    assert str(onto.value(o, OWL.versionInfo)) == dipontology.__version__
    assert str(onto.value(o, OWL.versionIRI)) == f"{ONTOLOGY_IRI}/{dipontology.__version__}"


def test_header_has_licence_and_citation(onto):
    o = URIRef(ONTOLOGY_IRI)
    assert onto.value(o, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.created, DCTERMS.modified,
              DCTERMS.bibliographicCitation):
        assert onto.value(o, p) is not None, p


def test_every_term_is_annotated(onto):
    terms = dip_terms(onto)
    assert len(terms) > 150
    for t in terms:
        labels = [l for l in onto.objects(t, RDFS.label) if getattr(l, "language", None) == "en"]
        assert len(labels) == 1, f"{t}: one English label"
        assert len(list(onto.objects(t, SKOS.definition))) == 1, f"{t}: one definition"
        assert onto.value(t, RDFS.isDefinedBy) == URIRef(ONTOLOGY_IRI), t
        assert list(onto.objects(t, DCTERMS.source)), f"{t}: a source"


def test_every_cited_source_is_a_source_record(onto):
    data = Graph()
    for f in resources.data_files():
        data.parse(f, format="turtle")
    sources = set(data.subjects(RDF.type, None))
    cited = set(onto.objects(None, DCTERMS.source))
    missing = {str(s) for s in cited if s not in sources}
    assert not missing, f"ontology cites sources with no record in data/: {sorted(missing)}"


def test_no_imports_and_no_punning(onto):
    assert not list(onto.objects(None, OWL.imports))
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for t in dip_terms(onto):
        declared = {k for k in kinds if (t, RDF.type, k) in onto}
        if (t, RDF.type, OWL.NamedIndividual) in onto:
            declared.add(OWL.NamedIndividual)
        assert len(declared) == 1, f"{t} is declared as {declared}"


def test_tracks_two_axes(onto):
    officialness = set(onto.subjects(RDF.type, DIP.OfficialnessLevel))
    sectors = set(onto.subjects(RDF.type, DIP.MultiTrackSector))
    assert {DIP.TrackOne, DIP.TrackOneAndAHalf, DIP.TrackTwo, DIP.CitizenDiplomacy, DIP.MultiTrackDiplomacy} <= officialness
    assert len(sectors) == 9
    assert sorted(int(onto.value(s, SKOS.notation)) for s in sectors) == list(range(1, 10))
    alt = {str(a) for t in officialness for a in onto.objects(t, SKOS.altLabel)}
    assert {"track two", "Track-II", "people-to-people diplomacy", "formal diplomacy"} <= alt


def test_guide_is_up_to_date():
    current = (ROOT / "docs" / "ontology.md").read_text(encoding="utf-8")
    assert current == ontology_docs.render(), "docs/ontology.md is stale: run python -m dipontology.ontology_docs --write"
