"""Property tests (hypothesis) for the contribution path and for query parameter binding (issue 9).

Contribution path: generated and mutated Turtle, JSON-LD and CSV go through the parser and through
``dipontology validate`` itself; the only acceptable outcomes are a report (exit 0 or 1) or an input error (exit 2):
never another exception, never exit 3, never a traceback. Parameter binding: any text bound to a query parameter is
either refused as an input error or matched literally -- it never widens or changes the query.

The coverage-guided run (atheris) is tests/fuzz/atheris_parsers.py, by hand; crashes it finds are kept as regression
inputs in tests/fuzz/regressions/ and replayed by test_regressions_replay below.
"""
from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dipontology.errors import InputError
from dipontology.load import FORMATS, load_bytes

HERE = Path(__file__).parent
FIXTURES = HERE.parent / "fixtures"
VALID = sorted(p for p in (FIXTURES / "valid").iterdir() if p.suffix in (".ttl", ".jsonld", ".csv", ".rdf", ".nt", ".trig"))
REGRESSIONS = HERE / "regressions"
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def mutate(data: bytes, seed: int, n: int) -> bytes:
    """``n`` random edits of ``data``: delete, duplicate or insert a span, flip a byte, splice a nasty token."""
    rng = random.Random(seed)
    tokens = [b"[", b"(", b"]", b")", b"\"", b"'''", b"\\u0000", b"\\U0010FFFF", b"@prefix", b"<", b">", b"{", b"}",
              b"\x00", b"\xff", b"\xc3", b"^^", b"@en", b"_:b", b";", b",", b".", b"\n", b"\"@context\"", b"\"@id\"",
              b"<!DOCTYPE r [<!ENTITY a \"x\">]>", b"&a;", b"=cmd|' /C calc'!A0", b"\r", "\u202e".encode()]
    out = bytearray(data)
    for _ in range(n):
        op = rng.randrange(5)
        i = rng.randrange(len(out) + 1)
        j = min(len(out), i + rng.randrange(1, 40))
        if op == 0:
            del out[i:j]
        elif op == 1:
            out[i:i] = out[i:j]
        elif op == 2:
            out[i:i] = rng.choice(tokens)
        elif op == 3 and out:
            out[min(i, len(out) - 1)] = rng.randrange(256)
        else:
            out[i:i] = bytes(rng.randrange(32, 127) for _ in range(rng.randrange(1, 8)))
    return bytes(out)


def _parse_outcome(data: bytes, fmt: str | None, name: str) -> str:
    try:
        load_bytes(data, format=fmt, name=name)
    except InputError as exc:
        assert exc.message and "Traceback" not in exc.message
        return "input-error"
    return "parsed"


# ----------------------------------------------------------------------------------------------- parser level
@FAST
@given(st.sampled_from(VALID), st.integers(0, 2**32), st.integers(1, 8))
def test_mutated_valid_files_parse_or_are_input_errors(path, seed, n):
    fmt = {".ttl": "turtle", ".jsonld": "jsonld", ".rdf": "rdfxml", ".nt": "ntriples", ".trig": "trig"}.get(path.suffix)
    if fmt is None:
        return
    _parse_outcome(mutate(path.read_bytes(), seed, n), fmt, path.name)


TURTLE_PIECES = st.sampled_from([
    "@prefix dip: <https://w3id.org/dipontology/ontology#> .\n", "@prefix case: <https://w3id.org/dipontology/id/case/> .\n",
    "@base <http://127.0.0.1:9/> .\n", "case:a", "dip:Initiative", "a", ";", ",", ".", "[", "]", "(", ")", "<x>",
    "<http://127.0.0.1:9/x>", "<file:///etc/passwd>", '"text"', '"x"@en', '"1"^^<http://www.w3.org/2001/XMLSchema#int>',
    '"""long\nline"""', "_:b1", "true", "12", "-1.5e3", "# comment\n", "{", "}", "<<", ">>", "\n", " ", "\\u0041",
    '"\\u202e"', "'", "GRAPH", "owl:imports",
])


@FAST
@given(st.lists(TURTLE_PIECES, max_size=40))
def test_generated_turtle_parses_or_is_an_input_error(pieces):
    _parse_outcome(" ".join(pieces).encode(), None, "gen.ttl")


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.sampled_from(["https://w3id.org/dipontology/id/case/a", "case:a", "dip:Initiative",
                                          "@id", "@type", "@vocab", "http://127.0.0.1:9/ctx", "file:///etc/passwd",
                                          "_:b0", "en", "", "\u202e"]), st.text(max_size=8))
JSON_KEYS = st.sampled_from(["@context", "@id", "@type", "@value", "@language", "@list", "@set", "@graph",
                             "@reverse", "@base", "@vocab", "@import", "@included", "@nest", "@index", "@json",
                             "case", "dip", "label", "http://www.w3.org/2000/01/rdf-schema#label", "x"])
JSON_DOCS = st.recursive(JSON_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                               st.dictionaries(JSON_KEYS, inner, max_size=5)),
                         max_leaves=25)


@FAST
@given(JSON_DOCS)
def test_generated_jsonld_parses_or_is_an_input_error(doc):
    _parse_outcome(json.dumps(doc).encode(), "jsonld", "gen.jsonld")


@FAST
@given(st.binary(max_size=300), st.sampled_from(sorted(FORMATS)))
def test_arbitrary_bytes_in_every_format(data, fmt):
    _parse_outcome(data, fmt, "bytes")


# -------------------------------------------------------------------------------------- the whole command line
def _cli(tmp_path: Path, capsys, name: str, data: bytes) -> int:
    from dipontology.cli import main

    path = tmp_path / f"{next(_COUNTER)}-{name}"
    path.write_bytes(data)
    code = main(["validate", str(path), "-q", "--format", "json"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err, out.err
    if code in (0, 1):
        assert json.loads(out.out)["exit_code"] == code
    return code


_COUNTER = __import__("itertools").count()


@SLOW
@given(st.sampled_from(VALID), st.integers(0, 2**32), st.integers(1, 4))
def test_validate_on_mutated_contributions_never_exit_3(tmp_path, capsys, path, seed, n):
    code = _cli(tmp_path, capsys, path.name, mutate(path.read_bytes(), seed, n))
    assert code in (0, 1, 2)


CSV_CELLS = st.one_of(st.text(max_size=30), st.sampled_from(
    ["=1+1", "+SUM(A1)", "-2", "@cmd", "\t=x", "\r=x", "TrackTwo", "TrackOne;TrackTwo", "malek-chigas-2013",
     "https://w3id.org/dipontology/id/source/malek-chigas-2013", "1990", "19x5", "\"quoted\"", "a,b", "line\nbreak",
     "\u202eevil", "Gene\u200bva", "\x1b[2J"]))


@SLOW
@given(st.lists(st.lists(CSV_CELLS, min_size=1, max_size=8), min_size=1, max_size=4),
       st.sampled_from([",", ";", "\t"]))
def test_validate_on_generated_csv_never_exit_3(tmp_path, capsys, rows, delimiter):
    from dipontology.contribution.sheets import COLUMNS

    header = [c.name if hasattr(c, "name") else c for c in COLUMNS][:8]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    for i, row in enumerate(rows):
        writer.writerow([f"test-fuzz-{i}"] + row[1:])
    code = _cli(tmp_path, capsys, "case.csv", buf.getvalue().encode("utf-8"))
    assert code in (0, 1, 2)


# ------------------------------------------------------------------------------------ query parameter binding
@pytest.fixture(scope="module")
def store():
    from dipontology.store import open_store

    return open_store()


@pytest.fixture(scope="module")
def labels(store):
    rows = store.query("SELECT ?r ?l WHERE { ?r rdfs:label ?l }").rows
    return [(str(r), str(lab)) for r, lab in rows]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(min_size=1, max_size=12),
                 st.sampled_from([".*", "\\", "\")) || true || ((\"", "} UNION { ?s ?p ?o", "'", "%", "[a-z]",
                                  "peace", "TRACK", "(", "$", "?label", "\\u0061"])))
@example(".*")
@example("\" ) } SELECT * WHERE { ?s ?p ?o } #")
def test_search_text_matches_literally(store, labels, text):
    """search-labels returns exactly the records whose label contains the text (ignoring case): a pattern or a
    quote in the text never widens the answer."""
    from dipontology.query import get

    q = get("search-labels")
    try:
        result = q.run(store, {"text": text})
    except InputError:
        assert "\x00" in text
        return
    got = {str(row[0]) for row in result.rows}
    expected = {r for r, lab in labels if text.lower() in lab.lower()}
    assert got == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=30), st.sampled_from([
    "case:oslo-back-channel", "case:oslo-back-channel> . ?s ?p ?o . <x", "<https://example.org/a>",
    "https://w3id.org/dipontology/id/case/x> } UNION { ?s ?p ?o } #", "file:///etc/passwd",
    "http://127.0.0.1:9/", "javascript:alert(1)", "case:", "a b", "\"", "{", "}"])),
       st.sampled_from(["describe-case", "participants-of-case", "initiative-links"]))
def test_iri_parameters_never_change_the_query(store, value, name):
    """An IRI parameter is bound as one IRI term: either refused, or the rows only ever mention that IRI's
    record (a value that is not a case gives no rows)."""
    from dipontology.query import get

    q = get(name)
    try:
        term = q.parameters[0].bind(value)
    except InputError:
        return
    assert " " not in str(term) and ">" not in str(term) and "{" not in str(term)
    try:
        result = q.run(store, {q.parameters[0].name: value})
    except InputError:
        return
    known = {"https://w3id.org/dipontology/id/case/oslo-back-channel"}
    if str(term) not in known and not str(term).startswith("https://w3id.org/dipontology/id/case/"):
        assert len(result.rows) == 0, (value, result.rows[:3])


# ------------------------------------------------------------------------------------------ regression replay
@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*")) if REGRESSIONS.is_dir() else [],
                         ids=lambda p: p.name)
def test_regressions_replay(path):
    """Inputs that once crashed a parser (found by the atheris harness or by hypothesis): now input errors or
    parsed, never another exception."""
    import sys

    sys.path.insert(0, str(HERE))
    from atheris_parsers import run_one

    run_one(path.read_bytes())


def test_search_oracle_is_not_vacuous(store, labels):
    from dipontology.query import get

    rows = get("search-labels").run(store, {"text": "back channel"}).rows
    assert rows and {str(r[0]) for r in rows} == {r for r, lab in labels if "back channel" in lab.lower()}
    assert get("search-labels").run(store, {"text": ".*"}).rows == []
