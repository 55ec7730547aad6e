"""How the release build holds up at scale (issue 18): the parts that save memory and time give the same release.

- only the quads holding a blank node go through RDFC-1.0, and the result is the canonicalisation of the whole
  dataset;
- the data's edges read through the one index of ontology + data (``DataView``) are those of an index of the data;
- the record files rendered by forked helpers are the files rendered in one process;
- the release files are written once each, with the right sizes, digests and modes, and a file written twice is a
  bug that stops the build.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pyoxigraph as ox
import pytest

from support.release import FIXTURE_DATA, shipped_release
from dipontology import resources
from dipontology.graph import parse_files
from dipontology.release import build, pipeline
from dipontology.release.model import FILES_BASE, DataView, Index, load_sources, sort_key

EX = "https://w3id.org/dipontology/id/"
DIP = "https://w3id.org/dipontology/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def _whole_dataset_canonical(onto: Path, files: list[Path], names: list[str]) -> dict[str, list[ox.Triple]]:
    """The reference: every quad of every file in one dataset, canonicalised as a whole (RDFC-1.0)."""
    ds = ox.Dataset()
    for name, f in [("ontology/dipontology.ttl", onto), *zip(names, files)]:
        g = ox.NamedNode(FILES_BASE + name)
        for t in parse_files([f]):
            ds.add(ox.Quad(t.subject, t.predicate, t.object, g))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {name: sorted((q.triple for q in ds.quads_for_graph_name(ox.NamedNode(FILES_BASE + name))), key=sort_key)
            for name in ["ontology/dipontology.ttl", *names]}


def test_blank_nodes_canonical_as_in_the_whole_dataset(tmp_path):
    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True)
    # blank nodes in two files that look alike, nested ones, a list, and a triple repeated in two files
    (data / "a.ttl").write_text(
        f"@prefix dip: <{DIP}> . @prefix rdfs: <{RDFS}> .\n"
        f"<{EX}case/a> rdfs:label \"A\"@en ; dip:note [ rdfs:label \"x\" ; dip:inner [ rdfs:label \"y\" ] ] ;\n"
        f"  dip:list ( <{EX}actor/p> [ rdfs:label \"z\" ] ) .\n"
        f"<{EX}actor/p> rdfs:label \"P\"@en .\n", encoding="utf-8")
    (data / "cases" / "b.ttl").write_text(
        f"@prefix dip: <{DIP}> . @prefix rdfs: <{RDFS}> .\n"
        f"<{EX}case/b> rdfs:label \"B\"@en ; dip:note [ rdfs:label \"x\" ] .\n"
        f"<{EX}actor/p> rdfs:label \"P\"@en .\n"
        f"_:shared dip:links <{EX}case/a> , <{EX}case/b> .\n", encoding="utf-8")
    src = load_sources(data_dir=data)
    names = list(src.data)
    expected = _whole_dataset_canonical(resources.ontology_file(), src.files[1:], names)
    assert src.ontology == expected["ontology/dipontology.ttl"]
    for name in names:
        assert src.data[name] == expected[name], name
    assert any(isinstance(t.subject, ox.BlankNode) for t in src.data["data/a.ttl"])
    # the merged views are the sorted unions without repeats
    every = [t for ts in [src.ontology, *src.data.values()] for t in ts]
    assert src.all_triples() == sorted(set(every), key=sort_key)
    assert src.data_triples() == sorted({t for ts in src.data.values() for t in ts}, key=sort_key)


def test_shipped_sources_canonical_as_in_the_whole_dataset():
    src = load_sources()
    names = list(src.data)
    expected = _whole_dataset_canonical(resources.ontology_file(), src.files[1:], names)
    assert src.ontology == expected["ontology/dipontology.ttl"]
    assert all(src.data[n] == expected[n] for n in names)


def test_data_view_has_the_edges_of_the_data_index():
    a, b, c = (ox.NamedNode(EX + x) for x in ("case/a", "case/b", "actor/c"))
    term = ox.NamedNode(DIP + "Thing")
    label = ox.NamedNode(RDFS + "label")
    bn = ox.BlankNode("n1")
    ontology = [ox.Triple(term, label, ox.Literal("thing", language="en")),
                ox.Triple(a, label, ox.Literal("A in the ontology"))]  # the ontology describes a record too
    data = [ox.Triple(a, label, ox.Literal("A")), ox.Triple(a, ox.NamedNode(DIP + "note"), bn),
            ox.Triple(bn, label, ox.Literal("note")), ox.Triple(b, ox.NamedNode(DIP + "with"), c),
            ox.Triple(term, ox.NamedNode(DIP + "usedBy"), b)]
    every = sorted(set(ontology) | set(data), key=sort_key)
    data = sorted(set(data), key=sort_key)
    view = DataView(Index(every), ontology, data)
    plain = Index(data)
    for s in (a, b, c, bn, term, ox.NamedNode(EX + "case/none")):
        assert list(view.out.get(s, ())) == list(plain.out.get(s, ())), s
        assert view.iris(s, DIP + "with") == plain.iris(s, DIP + "with")
    assert ("http://www.w3.org/2000/01/rdf-schema#label", ox.Literal("A in the ontology")) not in view.out.get(a)


def test_index_shares_predicate_strings_and_keeps_order():
    s = ox.NamedNode(EX + "case/a")
    triples = [ox.Triple(s, ox.NamedNode(RDFS + "label"), ox.Literal(x)) for x in ("1", "2", "3")]
    ix = Index(triples)
    preds = [p for p, _ in ix.out[s]]
    assert preds == [RDFS + "label"] * 3 and len({id(p) for p in preds}) == 1
    assert [o.value for _, o in ix.out[s]] == ["1", "2", "3"]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_record_files_from_helpers_are_those_of_one_process(tmp_path, monkeypatch):
    _, shipped = shipped_release()  # written with the helpers (it has more records than PAGES_APART_FROM)
    assert len(list((shipped / "id").rglob("*.html"))) >= pipeline.PAGES_APART_FROM
    monkeypatch.setattr(pipeline, "PAGE_PROCESSES", 1)
    result = build(tmp_path / "one", quiet=True, stages=())
    assert result.ok
    assert _files(tmp_path / "one") == _files(shipped)


def test_three_helpers_give_the_same_release(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "PAGES_APART_FROM", 1)
    monkeypatch.setattr(pipeline, "PAGE_PROCESSES", 3)
    assert build(tmp_path / "three", quiet=True, data_dir=FIXTURE_DATA, stages=()).ok
    monkeypatch.setattr(pipeline, "PAGE_PROCESSES", 1)
    assert build(tmp_path / "one", quiet=True, data_dir=FIXTURE_DATA, stages=()).ok
    assert _files(tmp_path / "three") == _files(tmp_path / "one")


def test_release_files_written_once_with_digests_and_modes(tmp_path):
    files = pipeline._ReleaseFiles(tmp_path / "dist")
    try:
        bodies = {f"id/case/r{i}.ttl": (b"x" * i) for i in range(200)}
        bodies["big/dump.nt"] = b"y" * (pipeline._ReleaseFiles.BATCH_BYTES + 1)
        for name, body in bodies.items():
            files[name] = body
        with pytest.raises(ValueError, match="written twice"):
            files["id/case/r1.ttl"] = b"again"
        for name, body in bodies.items():
            assert files.digest(name) == (len(body), hashlib.sha256(body).hexdigest())
        files.swap_in()
    except BaseException:
        files.discard()
        raise
    out = tmp_path / "dist"
    assert _files(out) == bodies
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in out.rglob("*") if p.is_file())
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o755 for p in [out, *out.rglob("*")] if p.is_dir())
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_gates_run_apart_and_report_like_in_process(tmp_path):
    """A failing gate in the child process stops the build with its line in the log, as in this process."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    (data / "cases" / "unsourced.ttl").write_text(
        f"@prefix rdfs: <{RDFS}> .\n@prefix dip: <{DIP}> .\n"
        f"<{EX}case/unsourced> a dip:Programme ; rdfs:label \"Unsourced\"@en .\n", encoding="utf-8")
    apart = build(tmp_path / "a", quiet=True, data_dir=data, stages=("validate",))
    log = pipeline._Log(quiet=True)
    here = pipeline._run_gates(data, ["check", "reason", "validate"], ["validate"], log, {})
    assert not apart.ok and not here
    assert [s.line() for s in apart.stages] == [s.line() for s in log.stages]
    assert not (tmp_path / "a").exists()


def test_a_killed_gate_process_stops_the_build_with_a_clear_error(tmp_path, monkeypatch):
    """The gates' process dying (as the kernel kills a process out of memory) stops the build; nothing is written."""
    def die(*_args):
        os._exit(9)

    monkeypatch.setattr(pipeline, "_run_gates", die)
    with pytest.raises(RuntimeError, match="ended without an answer"):
        build(tmp_path / "out", quiet=True, data_dir=FIXTURE_DATA, stages=("check",))
    assert list(tmp_path.iterdir()) == []


def _alive_children() -> set[int]:
    import multiprocessing

    return {p.pid for p in multiprocessing.active_children()}


@pytest.mark.slow
def test_gates_process_ends_once_it_has_answered_without_being_asked():
    """The gates' child holds the rdflib and SHACL copies of the graph: its answer is read as soon as it is sent (a
    thread), so it ends then, while the main process is still writing pages, not when the main process next asks."""
    log = pipeline._Log(quiet=True)
    gates = pipeline._GatesApart(None, ["check", "reason", "validate"], ["check", "reason", "validate"], log)
    assert gates.proc is not None, "fork is available on Linux: the gates run apart"
    assert gates._arrived.wait(timeout=240), "the gates answered"
    gates.proc.join(timeout=20)   # nothing here has asked for the answer yet
    assert gates.proc.exitcode == 0
    reports: dict = {}
    assert gates.finish(reports) is True
    assert {"reports/check.txt", "reports/reason.json", "reports/validate.json"} <= set(reports)
    assert [st.name for st in log.stages] == ["check", "reason", "validate"]


@pytest.mark.slow
def test_queries_worker_ends_once_it_has_answered():
    """The named queries' worker process ends when its answer is ready, not when the build collects it."""
    import time

    from dipontology.store import Embedded

    before = _alive_children()
    store = Embedded(triples=load_sources().all_triples())
    log = pipeline._Log(quiet=True)
    queries = pipeline._QueriesApart(store, True, log)
    try:
        assert queries.started
        queries.future.result(timeout=240)
        deadline = time.monotonic() + 20
        while _alive_children() - before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive_children() - before, "the worker still runs after answering"
        reports: dict = {}
        assert queries.finish(reports) is True
        assert any(k.startswith("queries/") for k in reports)
    finally:
        queries.close()
