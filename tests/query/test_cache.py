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
