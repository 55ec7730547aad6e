"""What keeps a contribution at the limits cheap to validate gives the same answers as the plain way.

The speed itself is measured in bench/ (m_contrib_limits) and docs/performance.md, never asserted here: these
tests pin that each shortcut is exact. The subject scan skips the inside of statements in one match and must
find the same subjects on the same lines as a token-by-token scan; pyshacl-turbo gets the data as N-Triples text
and must report the same results (blank nodes included) as when handed the graph; a file with nothing to clean
is read in place, and one with something to clean is not changed.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH

from dipontology.load import _TOKEN, _iri_value, _scan_turtle_subjects, load_bytes, load_file
from dipontology.published import clean, ontology, shapes_graph, stamp, vocabulary
from dipontology import resources
from dipontology.shacl import NTriplesData, run_shacl, shacl_report, turbo_data
from dipontology.validate import validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DATA = resources.data_dir()

TRICKY = [
    # a dot inside a prefixed name, a number, a string; a statement ending without a space before the next
    '@prefix ex: <http://e/> . ex:a ex:b ex:c.ex:d ex:e ex:f. ex:g ex:h 1.5 . ex:i ex:j "a.b" .\n'
    'ex:k ex:l [ ex:m ex:n ] .\nex:o ex:p ( 1 2 ) .',
    # a long string over lines, RDF 1.2 reifiers, a number ending a statement
    '@prefix ex: <http://e/> .\nex:a ex:b """x\n.\ny""" .\nex:c ex:d <<ex:a ex:b ex:c>> .\n'
    '<< ex:x ex:y ex:z >> ex:q ex:r .\nex:s ex:t 1. ex:u ex:v ex:w .',
    # TriG graphs, blank node labels with dots
    'PREFIX ex: <http://e/>\nGRAPH ex:g { ex:a ex:b ex:c . ex:d ex:e ex:f }\nex:h { ex:i ex:j ex:k }\n'
    '_:b1 ex:p _:b2 .\n_:b2.x ex:p "q" .',
    # comments with dots, blank-node and collection subjects, triple terms
    '@prefix ex: <http://e/> .\nex:a ex:b ex:c ; # comment . ex:z\n ex:d "x" .\n[ ex:p ex:q ] ex:r ex:s .\n'
    '( ex:a ) ex:t ex:u .\nex:v ex:w <<( ex:a ex:b ex:c )>> .\nex:y ex:z 1 .',
    # escapes, a base, single-quoted strings with dots and brackets, a language tag
    "@base <http://b/> .\n@prefix ex: <http://e/> .\n<s1> ex:p 'a. [b' , \"c) .\"@en-GB .\n"
    "ex:x\\.y ex:p ex:q .\nex:n ex:p -1.5e3 .\nex:m ex:p ex:o .",
]


def _token_by_token(text: str) -> dict:
    """The subjects at statement starts, found token by token (the scan without its shortcut)."""
    prefixes: dict = {}
    base = None
    found: dict = {}
    depth, expect = 0, True
    line = 1
    toks = []
    for m in _TOKEN.finditer(text):
        if m.lastgroup in ("ws", "lstring"):
            line += m.group().count("\n")
            continue
        if m.lastgroup != "comment":
            toks.append((m.lastgroup, m.group(), line))
    i = 0
    while i < len(toks):
        kind, value, at = toks[i]
        i += 1
        if depth == 0 and expect:
            low = value.lower()
            if low in ("@prefix", "prefix") and kind in ("at", "word"):
                if i + 1 < len(toks) and toks[i + 1][0] == "iri":
                    prefixes[toks[i][1][:-1]] = _iri_value(toks[i + 1][1], base)
                i += 2
                continue
            if low in ("@base", "base") and kind in ("at", "word"):
                if i < len(toks) and toks[i][0] == "iri":
                    base = _iri_value(toks[i][1], base)
                i += 1
                continue
            if kind == "word" and low == "graph":
                i += 1
                continue
            if kind == "punct" and value in "{}":
                continue
            if kind in ("iri", "pname", "bnode"):
                if i < len(toks) and toks[i][:2] == ("punct", "{"):
                    continue
                subject = None
                if kind == "iri":
                    subject = ("iri", _iri_value(value, base))
                elif kind == "bnode":
                    subject = ("bnode", value[2:])
                else:
                    prefix, _, local = value.partition(":")
                    if prefix in prefixes:
                        subject = ("iri", prefixes[prefix] + re.sub(r"\\(.)", r"\1", local))
                if subject is not None:
                    found.setdefault(subject, at)
                expect = False
                continue
            expect = False
        if kind == "punct":
            if value in "[(":
                depth += 1
            elif value in "])":
                depth = max(0, depth - 1)
            elif value == "." and depth == 0:
                expect = True
            elif value in "{}":
                depth, expect = 0, True
        elif kind == "reif":
            depth = max(0, depth + (1 if value.startswith("<<") else -1))
    return found


@pytest.mark.parametrize("text", TRICKY)
def test_subject_scan_matches_token_by_token(text):
    assert _scan_turtle_subjects(text)[0] == _token_by_token(text)


def _utf8_files():
    out = []
    for p in sorted(list((FIXTURES / "invalid").glob("*.ttl")) + list((FIXTURES / "invalid").glob("*.trig"))
                    + list(DATA.rglob("*.ttl"))):
        try:
            out.append(p.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return out


def test_subject_scan_matches_on_the_fixtures_and_the_shipped_data():
    texts = _utf8_files()
    assert len(texts) > 20
    for text in texts:
        assert _scan_turtle_subjects(text)[0] == _token_by_token(text)


def _results(report: Graph) -> set:
    return {tuple(report.value(r, p) for p in (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape,
                                               SH.sourceConstraintComponent))
            for r in report.subjects(RDF.type, SH.ValidationResult)}


@pytest.mark.parametrize("name", ["shapes-initiative.ttl", "shapes-code-validity.ttl", "outside-namespace.ttl",
                                  "shapes-statements.ttl"])
def test_turbo_gets_the_same_results_from_text_as_from_the_graph(name):
    loaded = load_file(FIXTURES / "invalid" / name)
    g = loaded.graph
    full = Graph()
    full += ontology().graph
    full += g
    _c1, from_graph = shacl_report(full, shapes_graph(), "turbo")
    data = turbo_data([g])
    assert isinstance(data, NTriplesData)
    _c2, from_text = shacl_report(data, shapes_graph(), "turbo")
    assert _results(from_graph) and _results(from_graph) == _results(from_text)
    own = set(g.subjects())
    where = dict.fromkeys(own, loaded)
    findings, _report = run_shacl(data, where, own, engine="turbo", view=full)
    findings_graph, _ = run_shacl(full, where, own, engine="turbo")
    key = lambda f: (f.rule, f.focus, f.path, f.value, f.message, f.line)  # noqa: E731
    assert sorted(map(key, findings)) == sorted(map(key, findings_graph))


def test_blank_nodes_keep_their_names_through_the_text():
    """A result about a blank node of the contribution names that node, so its record can be found."""
    loaded = load_file(FIXTURES / "invalid" / "outside-namespace.ttl")
    own = set(loaded.graph.subjects())
    _c, report = shacl_report(turbo_data([loaded.graph]), shapes_graph(), "turbo")
    blank = {r[0] for r in _results(report) if isinstance(r[0], BNode)}
    assert blank and blank <= own


def test_clean_reads_a_clean_file_in_place_and_copies_only_to_remove():
    vocab = vocabulary(stamp([resources.ontology_file()]))
    tidy = load_bytes(b"@prefix case: <https://w3id.org/dipontology/id/case/> .\n"
                      b"@prefix dip: <https://w3id.org/dipontology/ontology#> .\n"
                      b"case:a a dip:Initiative .\n", name="tidy.ttl")
    findings: list = []
    out, removed = clean(tidy, vocab, findings)
    assert out is tidy.graph and removed == 0 and findings == []
    messy = load_file(FIXTURES / "invalid" / "owl-imports.ttl")
    before = set(messy.graph)
    out, removed = clean(messy, vocab, findings)
    assert out is not messy.graph and removed >= 1 and set(messy.graph) == before
    assert [f.rule for f in findings].count("contrib:imports-ignored") == removed


def test_a_large_contribution_gives_the_findings_of_a_small_one(tmp_path):
    """Many clean records around a few wrong ones: the wrong ones are found where they are, nothing else."""
    head = ("@prefix dip: <https://w3id.org/dipontology/ontology#> .\n"
            "@prefix case: <https://w3id.org/dipontology/id/case/> .\n")
    wrong = 'case:typo a dip:Initiatve .\n'
    small = tmp_path / "small.ttl"
    small.write_text(head + wrong, encoding="utf-8")
    big = tmp_path / "big.ttl"
    filler = "".join(f"case:typo-{i} a dip:Initiatve .\n" for i in range(300))
    big.write_text(head + filler + wrong, encoding="utf-8")
    one = [f for f in validate([small]).findings if f.focus == "case:typo"]
    many = [f for f in validate([big]).findings if f.focus == "case:typo"]
    assert [(f.rule, f.path, f.value, f.col) for f in one] == [(f.rule, f.path, f.value, f.col) for f in many]
    assert {f.line for f in one} == {3} and {f.line for f in many} == {303}


def test_the_parsed_triples_are_the_graph_each_once():
    loaded = load_bytes(b"@prefix ex: <https://example.org/> .\n"
                        b"ex:a ex:p ex:b , ex:b ; ex:q [ ex:r 1 ] .\nex:a ex:p ex:b .\n", name="repeats.ttl")
    assert len(loaded.triples()) == len(loaded.graph) == 3
    assert set(loaded.triples()) == set(loaded.graph)
    loaded.graph.add((loaded.triples()[0][0], loaded.triples()[0][1], loaded.triples()[0][0]))
    assert set(loaded.triples()) == set(loaded.graph)  # made again after the graph changed
