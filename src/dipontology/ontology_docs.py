"""Generate ``docs/ontology.md`` from the ontology file: the guide's tables and its diagram are never hand-drawn.

``python -m dipontology.ontology_docs --write`` regenerates the file; a test fails when it is out of date.

>>> text = render()
>>> "```mermaid" in text and "dip:Initiative" in text
True
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from . import resources
from .atomic import write_text
from .load import trusted_graph
from .namespaces import DIP
from .terms import curie

INTRO = """# The dipontology ontology: a guide

*Generated from `ontology/dipontology.ttl` by `python -m dipontology.ontology_docs --write`; do not edit by hand.*

The ontology (`https://w3id.org/dipontology/ontology`, prefix `dip:`) models diplomacy beyond governments. Its
design in five sentences:

1. **Two track axes, kept apart.** Tracks are named individuals of `dip:DiplomacyTrack`, each also a `skos:Concept`:
   the degree of officialness (`dip:OfficialnessLevel`: Track I, Track 1.5, Track II, citizen diplomacy, and
   multi-track diplomacy as the framework) and the nine sectors of multi-track diplomacy (`dip:MultiTrackSector`).
2. **Qualified statements.** Who took part in what role and capacity (`dip:Participation`), which track an
   initiative was on and when (`dip:TrackClassification`), and which outcome a source attributes to it
   (`dip:OutcomeAttribution`) are n-ary nodes, each naming its own source and passage. The short forms
   `dip:hasParticipant`, `dip:hasTrack` and `dip:hadOutcome` are derived from them by OWL property chains.
3. **Disagreement is data.** How sources relate tracks (`dip:TrackRelationClaim`), how they characterise them
   (`dip:TrackProfile`, `dip:TrackFeature`) and what they call things (`dip:NamingClaim`) are per-source
   statements; `dip:contradicts` links those that cannot both hold.
4. **Methods and outcomes are class hierarchies**; initiatives point to concrete activities and results typed by
   them, so the reasoner can classify initiatives into the defined classes listed below.
5. **Alignment without import.** Our terms are subclasses/subproperties of PROV-O, SKOS, schema.org, W3C ORG, FOAF,
   Dublin Core and SEM terms; Wikidata is linked only by `skos:*Match` annotations.

Dates (`xsd:gYear`, `xsd:gYearMonth`, `xsd:date`) are outside the OWL 2 datatype map, so date properties have the
range `rdfs:Literal` and the SHACL shapes enforce their datatypes; the reasoner leaves date literals out.
"""


def _label(g: Graph, node) -> str:
    for lab in g.objects(node, RDFS.label):
        return str(lab)
    return curie(node, brackets=True) if isinstance(node, URIRef) else "?"


def _curie(g: Graph, node) -> str:
    return curie(node, brackets=True) if isinstance(node, URIRef) else "(anonymous)"


def _dip_terms(g: Graph, rdf_type) -> list[URIRef]:
    return sorted((s for s in g.subjects(RDF.type, rdf_type) if isinstance(s, URIRef) and str(s).startswith(str(DIP))),
                  key=str)


def _named(g: Graph, node) -> list[URIRef]:
    """Named classes behind a class expression: the class itself, or the members of a union."""
    if isinstance(node, URIRef):
        return [node]
    union = g.value(node, OWL.unionOf)
    if union is not None:
        return [m for m in Collection(g, union) if isinstance(m, URIRef)]
    return []


def mermaid(g: Graph) -> str:
    """A Mermaid flowchart of the core classes: subclass edges between top-level dip: classes and one edge per
    object property with a dip: domain and range."""
    classes = set(_dip_terms(g, OWL.Class))
    parents = {c: [p for p in g.objects(c, RDFS.subClassOf) if p in classes] for c in classes}
    defined = {c for c in classes if any(isinstance(e, BNode) for e in g.objects(c, OWL.equivalentClass))}
    # core: top-level classes and their direct subclasses that carry properties, plus statement kinds
    used = set()
    edges = []
    for p in _dip_terms(g, OWL.ObjectProperty):
        for d in _named(g, g.value(p, RDFS.domain)):
            for r in _named(g, g.value(p, RDFS.range)):
                if d in classes and r in classes:
                    edges.append((d, _curie(g, p), r, "-->"))
                    used.update((d, r))
    core = {c for c in classes if not parents[c] and c not in defined} | used
    for c in sorted(core, key=str):
        for p in parents[c]:
            if p in core:
                edges.append((c, "subClassOf", p, "-.->"))
    ids = {c: "c" + str(i) for i, c in enumerate(sorted(core, key=str))}
    lines = ["```mermaid", "flowchart LR"]
    for c, i in ids.items():
        lines.append(f'    {i}["{_curie(g, c)}"]')
    for s, label, o, arrow in sorted(edges, key=lambda e: (str(e[0]), e[1], str(e[2]))):
        lines.append(f"    {ids[s]} {arrow}|{label}| {ids[o]}")
    lines.append("```")
    return "\n".join(lines)


def _hierarchy(g: Graph, root: URIRef, depth: int = 0) -> list[str]:
    out = [f"{'  ' * depth}- **{_label(g, root)}** (`{_curie(g, root)}`): {g.value(root, SKOS.definition) or ''}"]
    subs = sorted((s for s in g.subjects(RDFS.subClassOf, root) if isinstance(s, URIRef)), key=lambda s: _label(g, s))
    for s in subs:
        out += _hierarchy(g, s, depth + 1)
    return out


def render(graph: Graph | None = None) -> str:
    """The whole guide as Markdown."""
    g = graph or trusted_graph(resources.ontology_file())
    parts = [INTRO, "## Diagram of the core classes", "",
             "Solid arrows are object properties (domain to range); dotted arrows are subclass axioms.", "",
             mermaid(g), ""]
    parts += ["## Tracks", "", "| track | scheme | also called | definition |", "|---|---|---|---|"]
    for t in _dip_terms(g, OWL.NamedIndividual):
        if (t, RDF.type, DIP.OfficialnessLevel) in g or (t, RDF.type, DIP.MultiTrackSector) in g:
            alts = ", ".join(sorted(str(a) for a in g.objects(t, SKOS.altLabel)))
            scheme = _label(g, g.value(t, SKOS.inScheme))
            parts.append(f"| {_label(g, t)} (`{_curie(g, t)}`) | {scheme} | {alts} | {g.value(t, SKOS.definition)} |")
    for title, root in (("Actors", DIP.Actor), ("Methods", DIP.Method), ("Outcomes", DIP.Outcome),
                        ("Initiatives", DIP.Initiative), ("Qualified statements", DIP.Statement),
                        ("Places", DIP.Place), ("Sources", DIP.Source)):
        parts += ["", f"## {title}", ""] + _hierarchy(g, root)
    parts += ["", "## Defined classes (classified by the reasoner)", ""]
    for c in _dip_terms(g, OWL.Class):
        if any(isinstance(e, BNode) for e in g.objects(c, OWL.equivalentClass)):
            parts.append(f"- **{_label(g, c)}** (`{_curie(g, c)}`): {g.value(c, SKOS.definition)}")
    parts += ["", "## Properties", "", "| property | kind | domain | range | definition |", "|---|---|---|---|---|"]
    for kind, t in (("object", OWL.ObjectProperty), ("datatype", OWL.DatatypeProperty),
                    ("annotation", OWL.AnnotationProperty)):
        for p in _dip_terms(g, t):
            dom = ", ".join(_curie(g, d) for d in _named(g, g.value(p, RDFS.domain))) or "-"
            rng = ", ".join(_curie(g, r) for r in _named(g, g.value(p, RDFS.range))) or "-"
            parts.append(f"| `{_curie(g, p)}` | {kind} | {dom} | {rng} | {g.value(p, SKOS.definition)} |")
    counts = {k: len(_dip_terms(g, t)) for k, t in (("classes", OWL.Class), ("object properties", OWL.ObjectProperty),
                                                   ("datatype properties", OWL.DatatypeProperty),
                                                   ("named individuals", OWL.NamedIndividual))}
    parts += ["", "## Size", "", ", ".join(f"{v} {k}" for k, v in counts.items()) + f"; {len(g)} triples.", ""]
    return "\n".join(parts)


def docs_path() -> Path:
    return resources.root() / "docs" / "ontology.md"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write docs/ontology.md (default: print)")
    args = ap.parse_args(argv)
    text = render()
    if args.write:
        write_text(Path("docs") / "ontology.md", text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
