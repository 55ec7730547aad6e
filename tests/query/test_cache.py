"""The persistent store cache: hits, misses, invalidation by content, failed builds leave nothing, eviction."""
from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from dipontology import cache
from dipontology.errors import InputError

A = '<http://example.org/a> <http://example.org/p> "x" .\n'
B = '@prefix ex: <http://example.org/> . ex:b ex:p "y" ; ex:q ex:c .\n'


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    a, b = tmp_path / "a.nt", tmp_path / "b.ttl"
    a.write_text(A)
    b.write_text(B)
    return [a, b]


def _triples(store: ox.Store) -> set:
    return {(q.subject.value, q.predicate.value, q.object.value) for q in store}


def test_miss_then_hit_same_content(files, tmp_path):
    d = tmp_path / "cache"
    first = cache.cached_store(files, cache_dir=d)
    second = cache.cached_store(files, cache_dir=d)
    assert (first.hit, second.hit) == (False, True)
    assert first.key == second.key and second.path == d / "stores" / first.key
    assert _triples(second.store) == {("http://example.org/a", "http://example.org/p", "x"),
                                      ("http://example.org/b", "http://example.org/p", "y"),
                                      ("http://example.org/b", "http://example.org/q", "http://example.org/c")}
    assert cache.entries(d) == [second.path]


def test_any_changed_byte_is_a_miss(files, tmp_path):
    d = tmp_path / "cache"
    before = cache.cached_store(files, cache_dir=d)
    files[0].write_text(A.replace('"x"', '"z"'))
    after = cache.cached_store(files, cache_dir=d)
    assert not after.hit and after.key != before.key
    assert ("http://example.org/a", "http://example.org/p", "z") in _triples(after.store)
    assert ("http://example.org/a", "http://example.org/p", "x") not in _triples(after.store)
    # the order of the files is part of the key; a copy under another name and time is the same content
    assert cache.cache_key(files) != cache.cache_key(files[::-1])
    copy = tmp_path / "copy.nt"
    copy.write_text(files[0].read_text())
    os.utime(copy, (1, 1))
    assert cache.cache_key([copy, files[1]]) == after.key
    assert cache.cached_store([copy, files[1]], cache_dir=d).hit


def test_refresh_rebuilds(files, tmp_path):
    d = tmp_path / "cache"
    cache.cached_store(files, cache_dir=d)
    again = cache.cached_store(files, cache_dir=d, refresh=True)
    assert not again.hit and len(again.store) == 3


def test_a_broken_file_is_an_input_error_and_leaves_no_entry(files, tmp_path):
    d = tmp_path / "cache"
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:p .\n")
    with pytest.raises(InputError) as info:
        cache.cached_store([files[0], bad], cache_dir=d)
    assert info.value.file == str(bad)
    assert cache.entries(d) == []
    assert [p for p in (d / "stores").iterdir()] == []   # no half-built temporary folder either
    with pytest.raises(InputError):
        cache.cached_store([tmp_path / "missing.ttl"], cache_dir=d)
    with pytest.raises(InputError):
        cache.cache_key([tmp_path / "a.csv"])


def test_environment_variable_and_eviction(files, tmp_path, monkeypatch):
    d = tmp_path / "env-cache"
    monkeypatch.setenv("DIPONTOLOGY_CACHE_DIR", str(d))
    assert cache.cache_dir() == d
    keys = []
    for i in range(cache.KEEP + 2):
        files[0].write_text(A.replace('"x"', f'"{i}"'))
        keys.append(cache.cached_store(files).key)
    kept = [p.name for p in cache.entries()]
    assert len(kept) == cache.KEEP and set(kept) == set(keys[-cache.KEEP:])
    assert cache.clear() == cache.KEEP and cache.entries() == []


def test_shipped_files_round_trip(tmp_path):
    from dipontology import resources

    paths = [resources.ontology_file(), *resources.shapes_files()]
    got = cache.cached_store(paths, cache_dir=tmp_path)
    hit = cache.cached_store(paths, cache_dir=tmp_path)
    assert hit.hit and len(hit.store) == len(got.store) > 1000
    ask = "ASK { <https://w3id.org/dipontology/ontology#TrackTwo> a ?c }"
    assert hit.store.query(ask)


def test_embedded_store_queries_a_cached_store(tmp_path):
    from dipontology import resources
    from dipontology.store import Embedded

    paths = [resources.ontology_file(), *validate_files()]
    cache.cached_store(paths, cache_dir=tmp_path)
    hit = cache.cached_store(paths, cache_dir=tmp_path)
    assert hit.hit
    fresh, cached = Embedded(), Embedded(store=hit.store)
    q = "SELECT ?c ?l WHERE { ?c a dip:Initiative ; rdfs:label ?l } ORDER BY ?c"
    rows = cached.query(q).rows
    assert len(rows) > 10 and rows == fresh.query(q).rows


def validate_files():
    from dipontology.validate import published_files

    return published_files()


# --------------------------------------------------------------------------- one bulk load, from the bytes read
def _canonical(store: ox.Store) -> set:
    """The store's statements with canonical blank node labels (RDFC-1.0), to compare two stores."""
    ds = ox.Dataset(store)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


def _file_by_file(paths: list[Path]) -> ox.Store:
    from dipontology.load import bulk_load

    return bulk_load(ox.Store(), paths)


def test_one_load_holds_what_loading_file_by_file_holds(tmp_path):
    """Blank node labels are the file's own (the same label in two files is two nodes), prefixes and base do not
    carry from one file to the next, RDF/XML and a triple term in a small file are loaded too."""
    d = tmp_path / "in"
    d.mkdir()
    small = d / "small.ttl"
    small.write_text('@prefix ex: <http://example.org/> .\n_:x ex:p "small" . ex:s ex:q [ ex:r _:x ] .\n'
                     '_:y ex:p ( 1 2 ) .\n', encoding="utf-8")
    nt = d / "other.nt"
    nt.write_text('_:x <http://example.org/p> "nt" .\n<http://example.org/s> <http://example.org/p> _:x .\n')
    xml = d / "x.rdf"
    xml.write_text('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                   'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
                   '<ex:p rdf:nodeID="x"/></rdf:Description></rdf:RDF>')
    star = d / "star.ttl"
    star.write_text('VERSION "1.2"\n@prefix ex: <http://example.org/> .\n_:x ex:says <<( ex:s ex:p "z" )>> .\n')
    host = d / "host.ttl"   # the largest Turtle file: loaded last, its prefixes its own
    host.write_bytes(("@prefix ex: <http://example.org/host#> .\n" + "".join(
        f'_:x ex:p "{i}" . ex:n{i} ex:p _:b{i % 7} .\n' for i in range(400))).encode())
    paths = [small, nt, xml, star, host]
    got = cache.cached_store(paths, cache_dir=tmp_path / "cache").store
    want = _file_by_file(paths)
    assert len(got) == len(want) and _canonical(got) == _canonical(want)
    # the host's _:x and each small file's _:x are different nodes
    x = "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b ?p ?v FILTER(isBlank(?b) && " \
        "?v IN (\"small\", \"nt\", \"0\")) }"
    assert int(next(iter(got.query(x)))["n"].value) == 3


def test_shipped_files_plus_an_extract_in_one_load(tmp_path):
    from dipontology import graph

    extract = tmp_path / "extract.ttl"
    extract.write_text("@prefix ex: <http://example.org/> .\n" + "".join(
        f"ex:s{i} ex:p [ ex:q {i} ] .\n" for i in range(2000)), encoding="utf-8")
    paths = [*graph.published_files(), extract]
    got = cache.cached_store(paths, cache_dir=tmp_path / "cache").store
    assert _canonical(got) == _canonical(_file_by_file(paths))


@pytest.mark.parametrize("text", [
    "ex:c ex:p ex:d .\n" * 50,   # a prefix only the earlier file declares
    "\ufeff<http://example.org/c> <http://example.org/p> 1 .\n" * 50,   # a byte order mark pyoxigraph refuses
])
def test_what_a_file_alone_may_not_hold_it_may_not_hold_after_another(files, tmp_path, text):
    """The last file's parse starts as a fresh one: what it refuses alone is refused, naming that file."""
    late = tmp_path / "late.ttl"
    late.write_text(text, encoding="utf-8")
    with pytest.raises(InputError):
        _file_by_file([late])
    with pytest.raises(InputError) as info:
        cache.cached_store([files[1], late], cache_dir=tmp_path / "cache")
    assert info.value.file == str(late)
    assert cache.entries(tmp_path / "cache") == []


def test_the_entry_holds_the_bytes_that_were_hashed(files, tmp_path, monkeypatch):
    """Each file is read once: changing it after it was read (and hashed) does not put other content in the entry."""
    from dipontology import load

    seen = []
    real = load.read_file

    def read_then_change(path, **kw):
        data = real(path, **kw)
        seen.append(Path(path))
        Path(path).write_text(A.replace('"x"', '"changed"') if Path(path) == files[0] else B)
        return data

    monkeypatch.setattr(cache, "read_file", read_then_change)
    got = cache.cached_store(files, cache_dir=tmp_path / "cache")
    assert seen == files
    assert ("http://example.org/a", "http://example.org/p", "x") in _triples(got.store)
    assert not any(o == "changed" for _s, _p, o in _triples(got.store))
