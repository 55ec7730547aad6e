"""The named query library as a whole: every file is documented and deterministic, and docs/queries.md is current."""
from __future__ import annotations

import re
import shlex

import pytest
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from dipontology.namespaces import PREFIXES
from dipontology.query import PARAM_TYPES, _main, docs_markdown, docs_path, get, library
from dipontology.store import check_query

LIBRARY = library()
NAMES = sorted(LIBRARY)


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _top_level_order_by(text: str) -> bool:
    """True when the query's own solution sequence is ordered (not only a subquery's)."""
    node = translateQuery(parseQuery(text), initNs=PREFIXES).algebra["p"]
    while isinstance(node, CompValue):
        if node.name == "OrderBy":
            return True
        if node.name not in ("Project", "Distinct", "Reduced", "Slice", "ToMultiSet"):
            return False
        node = node.get("p")
    return False


def test_the_library_has_at_least_thirty_queries() -> None:
    assert len(LIBRARY) >= 30


@pytest.mark.parametrize("name", NAMES)
def test_query_is_documented_and_deterministic(name: str) -> None:
    nq = get(name)
    assert nq.title and nq.title[0].isupper() and not nq.title.endswith(".")
    assert len(nq.description) > 40 and nq.description.endswith(".")
    words = shlex.split(nq.example)
    assert words[:3] == ["dipontology", "query", name], nq.example
    # the example's parameters are valid values of declared parameters
    example = {w.split("=", 1)[0]: w.split("=", 1)[1] for i, w in enumerate(words) if i and words[i - 1] == "--param"}
    nq.bindings(example)
    for p in nq.parameters:
        assert p.type in PARAM_TYPES and p.description
        if p.default is not None:
            p.bind(p.default)
    info = check_query(nq.text, source=name)
    if info.kind == "select":
        assert _top_level_order_by(nq.text), f"{name}: SELECT without a top-level ORDER BY is not deterministic"
    # the slow form ENGINE-NOTES warns about: OPTIONAL + FILTER NOT EXISTS (use MINUS)
    assert "NOT EXISTS" not in _body(nq.text).upper()


def test_docs_are_up_to_date() -> None:
    path = docs_path()
    assert path.exists(), "run: python -m dipontology.query --write-docs"
    assert path.read_text(encoding="utf-8") == docs_markdown(), "run: python -m dipontology.query --write-docs"


def test_docs_cover_every_query_with_a_sample() -> None:
    text = docs_path().read_text(encoding="utf-8")
    for name, nq in LIBRARY.items():
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        assert nq.description in section
        assert "Output on the shipped data" in section
        for p in nq.parameters:
            assert f"`{p.name}`" in section


def test_check_docs_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert _main(["--check-docs"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_example_calls_use_only_declared_parameters() -> None:
    for nq in LIBRARY.values():
        for declared in re.findall(r"--param (\w+)=", nq.example):
            assert declared in {p.name for p in nq.parameters}, (nq.name, declared)
