"""The named query library as a whole: every file is documented and deterministic, and docs/queries.md is current."""
from __future__ import annotations

import re
import shlex

import pytest
from dipontology.query import PARAM_TYPES, _main, docs_path, get, library
from dipontology.store import check_query

LIBRARY = library()
NAMES = sorted(LIBRARY)


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


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
        assert info.ordered, f"{name}: SELECT without a top-level ORDER BY is not deterministic"
    # the slow form ENGINE-NOTES warns about: OPTIONAL + FILTER NOT EXISTS (use MINUS)
    assert "NOT EXISTS" not in _body(nq.text).upper()


def test_docs_cover_every_query_with_a_sample() -> None:
    text = docs_path().read_text(encoding="utf-8")
    for name, nq in LIBRARY.items():
        section = text.split(f"\n### {name}\n", 1)[1].split("\n### ", 1)[0]
        assert nq.description in section
        assert "Output on the shipped data" in section
        for p in nq.parameters:
            assert f"`{p.name}`" in section


def test_docs_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/queries.md equals what the .rq headers and the shipped data give (python -m dipontology.query
    --check-docs); after changing a query or the data, regenerate it with --write-docs."""
    assert docs_path().exists(), "run: python -m dipontology.query --write-docs"
    assert _main(["--check-docs"]) == 0, "docs/queries.md is out of date: python -m dipontology.query --write-docs"
    assert "up to date" in capsys.readouterr().out


def test_example_calls_use_only_declared_parameters() -> None:
    for nq in LIBRARY.values():
        for declared in re.findall(r"--param (\w+)=", nq.example):
            assert declared in {p.name for p in nq.parameters}, (nq.name, declared)
