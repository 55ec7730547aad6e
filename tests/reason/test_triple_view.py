"""``reason`` over a :class:`dipontology.graph.TripleView` (what the build hands it: pyoxigraph triples, no rdflib
``Graph`` copy) gives exactly the answers it gives over an rdflib ``Graph`` of the same triples (what the build
handed it before), on both methods, for consistent and inconsistent inputs; and the view reads like the graph."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib.namespace import OWL, RDF, RDFS

from test_reason_equivalence import CASES, PREFIXES

from dipontology import resources
from dipontology.graph import TripleView, published_triples, triples_graph
from dipontology.reason import reason


def _answers(r) -> tuple:
    return (r.consistent, r.unsatisfiable, r.inferred, r.triples, r.dropped_literals, r.explanation)


def _triples(data: str) -> list[ox.Triple]:
    onto = ox.parse(path=str(resources.ontology_file()), format=ox.RdfFormat.TURTLE)
    return [q.triple for q in onto] + [q.triple for q in ox.parse(PREFIXES + data, format=ox.RdfFormat.TURTLE)]


def test_the_view_reads_as_the_graph_does():
    ts = list(published_triples())
    ts += ts[:50]  # a triple given twice counts once, as in a Graph
    g, v = triples_graph(ts), TripleView(ts)
    assert len(v) == len(g)
    assert set(v) == set(g)
    for p in (RDF.type, RDFS.label, RDFS.subClassOf):
        assert list(v.subject_objects(p)) == list(g.subject_objects(p))  # same order: the last label wins alike
    assert list(v.subjects(RDF.type, OWL.Class)) == list(g.subjects(RDF.type, OWL.Class))
    assert list(v.subjects(RDF.type, RDFS.label)) == []


@pytest.mark.slow
def test_reason_over_the_view_equals_reason_over_a_graph_on_the_shipped_graph():
    ts = list(published_triples())
    assert _answers(reason(TripleView(ts))) == _answers(reason(triples_graph(ts)))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["functional merge of disjoint actors", "union domain with a choice left (a "
                                  "statement with a date note)", "defined class asserted without a witness",
                                  "individual in an unsatisfiable class (disjoint superclasses)"])
@pytest.mark.parametrize("method", ["rules", "hermit"])
def test_reason_over_the_view_equals_reason_over_a_graph(name, method):
    ts = _triples(CASES[name][0])
    view = reason(TripleView(ts), cache=False, method=method)
    graph = reason(triples_graph(ts), cache=False, method=method)
    assert _answers(view) == _answers(graph)
    assert view.consistent is CASES[name][1]


_EXPLAIN = """
import sys
sys.path.insert(0, sys.argv[1])
from test_triple_view import _triples
from test_reason_equivalence import CASES
from dipontology.graph import triples_graph
from dipontology.reason import reason
for name in sys.argv[2:]:
    print(reason(triples_graph(_triples(CASES[name][0])), cache=False, method="rules").explanation)
"""


@pytest.mark.slow
def test_the_individual_a_clash_names_does_not_change_with_the_hash_seed():
    """Which of two merged individuals stands for both follows set order, which Python's hash seed changes from run
    to run; the one the report names must not (before the fix, seeds 2 and 5 named actor:b, the others actor:a)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    cases = ["functional merge of disjoint actors", "functional merge of actors declared different"]
    said = set()
    for seed in ("1", "2", "5"):
        out = subprocess.run([sys.executable, "-c", _EXPLAIN, str(Path(__file__).parent), *cases], check=True,
                             capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        said.add(out)
    assert len(said) == 1, said
    lines = said.pop().splitlines()
    assert lines[0].endswith("(https://w3id.org/dipontology/id/actor/a)")
    assert "actor/a and https://w3id.org/dipontology/id/actor/b are declared different" in lines[1]
