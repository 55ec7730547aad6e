"""`dipontology query --load FILE` and the persistent store cache the command opens by default.

The cache is keyed by the contents of every file (shipped and loaded), so the second command opens the saved
store instead of parsing; the answers must be the same with the cache, without it (--no-cache) and from memory.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dipontology import cache
from dipontology.cli import main
from dipontology.errors import InputError
from dipontology.store import open_store

EX = "http://example.org/extract/"
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}p> ?o }}"


def _extract(path: Path, n: int) -> Path:
    path.write_text("".join(f"<{EX}s{i}> <{EX}p> \"value {i}\"@en .\n" for i in range(n)), encoding="utf-8")
    return path


def _count(capsys, *args: str) -> tuple[int, str]:
    assert main(["query", "--sparql", COUNT, "--format", "json", *args]) == 0
    out, err = capsys.readouterr()
    return int(json.loads(out)["results"]["bindings"][0]["n"]["value"]), err


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("DIPONTOLOGY_CACHE_DIR", str(d))
    monkeypatch.delenv("DIPONTOLOGY_STORE_CACHE", raising=False)
    return d


def test_load_is_parsed_once_then_opened_from_the_cache(tmp_path, cache_dir, capsys) -> None:
    f = _extract(tmp_path / "extract.ttl", 25)
    n1, err1 = _count(capsys, "--load", str(f))
    n2, err2 = _count(capsys, "--load", str(f))
    n3, err3 = _count(capsys, "--load", str(f), "--no-cache")
    assert n1 == n2 == n3 == 25
    assert "saved to the store cache" in err1
    assert "opened from the store cache" in err2
    assert "store cache" not in err3
    assert len(cache.entries(cache_dir)) == 1


def test_a_changed_file_is_a_new_entry_with_new_answers(tmp_path, cache_dir, capsys) -> None:
    f = _extract(tmp_path / "extract.ttl", 3)
    assert _count(capsys, "--load", str(f))[0] == 3
    _extract(f, 7)
    n, err = _count(capsys, "--load", str(f))
    assert n == 7 and "saved to the store cache" in err
    assert len(cache.entries(cache_dir)) == 2


def test_other_formats_and_several_files(tmp_path, cache_dir, capsys) -> None:
    nt = _extract(tmp_path / "a.nt", 4)
    rdfxml = tmp_path / "b.rdf"
    rdfxml.write_text(f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">
  <rdf:Description rdf:about="{EX}x"><ex:p>from RDF/XML</ex:p></rdf:Description>
</rdf:RDF>
""", encoding="utf-8")
    assert _count(capsys, "--load", str(nt), "--load", str(rdfxml))[0] == 5


def test_the_shipped_graph_is_still_there(tmp_path, cache_dir, capsys) -> None:
    f = _extract(tmp_path / "extract.ttl", 2)
    assert main(["query", "cases-per-track", "--format", "csv", "-q", "--no-cache"]) == 0
    plain = capsys.readouterr().out
    assert main(["query", "cases-per-track", "--format", "csv", "-q", "--load", str(f)]) == 0
    assert capsys.readouterr().out == plain
    assert main(["query", "cases-per-track", "--format", "csv", "-q"]) == 0   # shipped files only, cached
    assert capsys.readouterr().out == plain


def test_inferred_covers_the_loaded_file(tmp_path, cache_dir, capsys) -> None:
    f = tmp_path / "extract.ttl"
    f.write_text(f"<{EX}A> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EX}B> .\n"
                 f"<{EX}x> a <{EX}A> .\n", encoding="utf-8")
    ask = f"ASK {{ <{EX}x> a <{EX}B> }}"
    for extra, expected in (([], False), (["--inferred"], True)):
        assert main(["query", "--sparql", ask, "--format", "json", "-q", "--load", str(f), *extra]) == 0
        assert json.loads(capsys.readouterr().out)["boolean"] is expected


def test_broken_or_missing_file_is_an_input_error_naming_it(tmp_path, cache_dir, capsys) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text(f"<{EX}s> <{EX}p> \"unterminated .\n", encoding="utf-8")
    assert main(["query", "--sparql", COUNT, "-q", "--load", str(bad)]) == 2
    assert "broken.ttl" in capsys.readouterr().err
    assert not cache.entries(cache_dir)            # a failed parse leaves no entry
    assert main(["query", "--sparql", COUNT, "-q", "--load", str(tmp_path / "nope.ttl")]) == 2
    assert "nope.ttl" in capsys.readouterr().err
    odd = tmp_path / "data.xlsx"
    odd.write_text("not RDF")
    assert main(["query", "--sparql", COUNT, "-q", "--load", str(odd)]) == 2
    assert "data.xlsx" in capsys.readouterr().err


def test_load_is_refused_with_an_endpoint(tmp_path) -> None:
    with pytest.raises(InputError, match="--load"):
        open_store("http://127.0.0.1:9/sparql", load=[str(tmp_path / "x.ttl")])


def test_an_unwritable_cache_folder_falls_back_to_memory(tmp_path, monkeypatch, capsys) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("DIPONTOLOGY_CACHE_DIR", str(blocker))
    f = _extract(tmp_path / "extract.ttl", 6)
    n, err = _count(capsys, "--load", str(f))
    assert n == 6 and "store cache" not in err
    assert blocker.read_text().startswith("a file")


def test_environment_turns_the_cache_off(tmp_path, cache_dir, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DIPONTOLOGY_STORE_CACHE", "0")
    f = _extract(tmp_path / "extract.ttl", 2)
    n, err = _count(capsys, "--load", str(f))
    assert n == 2 and "store cache" not in err
    assert not cache.entries(cache_dir)


def test_a_query_over_its_time_limit_is_stopped(tmp_path, cache_dir, capsys) -> None:
    f = _extract(tmp_path / "extract.ttl", 3000)
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{EX}p> ?x . ?b <{EX}p> ?y . ?c <{EX}p> ?z }}"
    assert main(["query", "--sparql", slow, "-q", "--load", str(f), "--timeout", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "--timeout 0.5" in err and "stopped" in err
    # a quick query under the same limit answers
    n, _err = _count(capsys, "--load", str(f), "--timeout", "30")
    assert n == 3000


# left out of the fast profile (pytest -m "not slow and not server and not browser"): stores built from files on disk
pytestmark = pytest.mark.slow
