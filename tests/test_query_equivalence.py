"""Rewritten named queries give exactly the rows their reference (pre-rewrite) texts gave.

Some named queries were rewritten for pyoxigraph's planner (see ``tests/fixtures/queries-reference/README.md``). For
each of them the reference text and the shipped text run on the same stores with the same parameters:

* the shipped ontology and data (``Embedded()``);
* the shipped data plus a small graph written by ``bench/generate.py`` (about 3,000 triples, with violations),
  which has many more cases, actors and participations than the shipped data.

Rows must be the same multiset of RDF terms (lexical forms, datatypes and languages compared exactly). For a query
with a top-level ``ORDER BY``, the sequence of rows must be the same on every variable the ``ORDER BY`` clause
reads; rows that tie on all of them (e.g. two participations of one actor in one case that differ only in their
capacity) may come in either order, which SPARQL leaves unspecified.
"""
from __future__ import annotations

import importlib.util
import re
import shlex
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from dipontology import graph as G
from dipontology.query import library, load_file
from dipontology.store import Embedded, QueryResult

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "tests" / "fixtures" / "queries-reference"
REFERENCES = sorted(p.stem for p in REFERENCE_DIR.glob("*.rq"))

#: parameter sets run besides each query's documented example: the defaults (no parameter) and a few more
EXTRA_PARAMS: dict[str, list[dict[str, str]]] = {
    "sources-of-record": [{"record": "dip:TrackTwo"}, {"record": "case:initiative-1"}, {"record": "actor:actor-1"},
                          {"record": "dip:ProblemSolvingWorkshop"}],
    "actors": [{"kind": "ThinkTank"}, {"kind": "StateActor"}],
    "cases-by-actor-kind": [{"kind": "NGO"}, {"kind": "NonStateActor"}],
    "cases-by-outcome": [{"outcome": "PeaceAgreement"}, {"outcome": "NegativeOutcome"}],
    "cases-by-method": [{"method": "ProblemSolvingWorkshop"}, {"method": "Exchange"}],
}


def _generate(tmp: Path) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate_equivalence", ROOT / "bench" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate_equivalence"] = mod
    spec.loader.exec_module(mod)
    return mod.generate(3000, tmp, violation_rate=0.05, seed=11)


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Embedded]:
    path = _generate(tmp_path_factory.mktemp("gen-equivalence"))
    store = G.published_store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return {"shipped": Embedded(), "shipped+generated": Embedded(store=store)}


def _param_sets(name: str) -> list[dict[str, str]]:
    nq = library()[name]
    words = shlex.split(nq.example)
    example = dict(w.split("=", 1) for w in words[words.index("--param") + 1::2]) if "--param" in words else {}
    sets = [example, {}] + EXTRA_PARAMS.get(name, [])
    out: list[dict[str, str]] = []
    for s in sets:
        if s not in out:
            out.append(s)
    return out


def _key(result: QueryResult) -> list[tuple]:
    return [tuple(None if v is None else (type(v).__name__, v.n3()) for v in row) for row in result.rows]


def _order_variables(text: str) -> list[str]:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    clauses = re.findall(r"ORDER\s+BY\s+([^{}]*?)\s*(?:LIMIT|OFFSET|$)", body, flags=re.I | re.S)
    return re.findall(r"\?(\w+)", clauses[-1]) if clauses else []


def test_every_reference_has_a_shipped_query() -> None:
    assert REFERENCES, "no reference texts"
    lib = library()
    for name in REFERENCES:
        assert name in lib, name
        reference = load_file(REFERENCE_DIR / f"{name}.rq", strict=True)
        shipped = lib[name]
        # the header (title, description, parameters, example) is the same: only the query changed
        assert (reference.title, reference.description, reference.example) == \
            (shipped.title, shipped.description, shipped.example)
        assert [(p.name, p.type, p.default) for p in reference.parameters] == \
            [(p.name, p.type, p.default) for p in shipped.parameters]
        assert reference.text != shipped.text, f"{name}: reference identical to the shipped text; remove it"


@pytest.mark.parametrize("name", REFERENCES)
@pytest.mark.parametrize("where", ["shipped", "shipped+generated"])
def test_rewritten_query_gives_the_reference_rows(name: str, where: str, stores) -> None:
    store = stores[where]
    shipped = library()[name]
    reference = load_file(REFERENCE_DIR / f"{name}.rq", strict=True)
    ordered = shipped.info().ordered
    assert ordered == reference.info().ordered
    total = 0
    for params in _param_sets(name):
        bindings = shipped.bindings(params)
        old = reference.run(store, params)
        new = store.query(shipped.text, bindings=bindings, source=shipped.source)
        assert new.kind == old.kind and new.columns == old.columns, (name, params)
        old_rows, new_rows = _key(old), _key(new)
        assert Counter(new_rows) == Counter(old_rows), (name, where, params)
        if ordered:
            order_vars = _order_variables(reference.text)
            if order_vars and all(v in old.columns for v in order_vars):
                idx = [old.columns.index(v) for v in order_vars]
                assert [tuple(r[i] for i in idx) for r in new_rows] == [tuple(r[i] for i in idx) for r in old_rows], \
                    (name, where, params)
            else:
                assert new_rows == old_rows, (name, where, params)
        total += len(old_rows)
    if where == "shipped+generated":
        # the comparison has something to compare: the generated graph gives every rewritten query some rows
        assert total > 0, name
