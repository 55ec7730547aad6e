"""Every namespace and prefix the project uses, defined once.

>>> str(DIP.Initiative)
'https://w3id.org/dipontology/ontology#Initiative'
>>> PREFIXES["case"]
'https://w3id.org/dipontology/id/case/'
"""
from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

BASE = "https://w3id.org/dipontology/"
ONTOLOGY_IRI = BASE + "ontology"
ID_BASE = BASE + "id/"

DIP = Namespace(ONTOLOGY_IRI + "#")
DIPSH = Namespace(BASE + "shapes#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
VANN = Namespace("http://purl.org/vocab/vann/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
WD = Namespace("http://www.wikidata.org/entity/")

#: record kinds: each gets a slash namespace ``https://w3id.org/dipontology/id/<kind>/`` and a prefix of that name
RECORD_KINDS = (
    "case", "actor", "conflict", "place", "source", "statement", "activity", "outcome",
    "theory", "challenge", "opportunity", "code", "mapping",
)

PREFIXES: dict[str, str] = {
    "dip": str(DIP),
    "dipsh": str(DIPSH),
    **{kind: f"{ID_BASE}{kind}/" for kind in RECORD_KINDS},
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "sem": str(SEM),
    "vann": str(VANN),
    "sh": str(SH),
    "void": str(VOID),
    "dcat": str(DCAT),
    "wd": str(WD),
}

#: namespaces in which contributions may mint new records
RECORD_NAMESPACES = tuple(f"{ID_BASE}{kind}/" for kind in RECORD_KINDS)


def bind_all(graph: Graph) -> Graph:
    """Bind every project prefix on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """``PREFIX`` lines for every project prefix, to put in front of a query that omits them."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
