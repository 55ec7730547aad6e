"""The release pipeline: ``dipontology build`` writes a versioned, reproducible linked-data release into ``dist/``.

Stages, in order; the build stops at the first one that fails and leaves the previous ``dist/`` untouched:

1. **check** -- ontology quality rules (:func:`dipontology.check.check` over ontology + data); stops on ERROR;
2. **reason** -- HermiT (:func:`dipontology.reason.reason`); stops if inconsistent or a class is unsatisfiable;
3. **validate** -- SHACL (:func:`dipontology.validate.validate`); stops on violations;
4. **queries** -- every named query of the library, its results written as CSV;
5. **write** -- ontology and data in every RDF format (all through :mod:`dipontology.export`), VoID + DCAT, the
   ontology documentation, one page and four RDF files per record, the index with the timeline and search, the
   SPARQL editor, the w3id ``.htaccess`` and ``SHA256SUMS``.

Every file is written once into a fresh folder beside ``out_dir``; one ``syncfs`` puts them all on disk and the
folder is swapped in for ``out_dir`` at the end (:class:`_ReleaseFiles`).

At scale (a million triples) the work is spread so that no process holds two copies of the graph and both cores
work: the gates run in a child forked before the graph is parsed (their rdflib and SHACL copies go with it) while
this process writes the release into its fresh folder, which is swapped in only once the gates have passed (a gate
that fails stops the writing at the next step and nothing is swapped in); the named queries run in a forked child
over the store while this process writes the dumps, and the record files are rendered by this process and a
forked helper that share one in-memory view (:class:`~.model.Index`) of the graph. Where processes cannot be forked,
all of it runs in this process. Two builds from the same sources give byte-identical files: blank nodes get
canonical labels (RDFC-1.0), triples are written sorted, JSON is written with sorted keys, and the only date in the
output is the ontology's ``dcterms:modified``.

>>> import tempfile, pathlib
>>> result = build(pathlib.Path(tempfile.mkdtemp()) / "dist", quiet=True, stages=())   # doctest: +SKIP
>>> result.ok                                                                           # doctest: +SKIP
True
"""
from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import __version__, resources
from .. import validate as vmod
from ..atomic import replace_dir, sync_tree, write_new
from ..check import check, render
from ..errors import DependencyError, InputError
from ..export import serialize_formats, serialize_graphs, serialize_triples
from ..graph import TripleView, parse_files
from ..namespaces import ID_BASE, ONTOLOGY_IRI, PREFIXES
from ..published import published_files
from ..query import library
from ..reason import reason
from ..store import Embedded
from . import dataset
from .cite import Release
from .model import (DCT, DIPNS, FILES_BASE, OWL, RECORD_FORMATS, DataView, Index, Sources, closure,
                    load_sources, record_path)
from .site import Site, asset, assets

STAGES = ("check", "reason", "validate", "queries")
#: the release's RDF dumps: extension -> :mod:`dipontology.export` format
DUMP_FORMATS = RECORD_FORMATS


# ----------------------------------------------------------------------------------------------------- results
@dataclass
class Stage:
    """One line of the build log: a stage, its status (``ok``, ``failed`` or ``skipped``) and what it found."""

    name: str
    status: str
    detail: str = ""

    def line(self) -> str:
        return f"{self.name}: {self.status}" + (f": {self.detail}" if self.detail else "")


@dataclass
class BuildResult:
    """What :func:`build` did.

    :param out_dir: the release folder (only written when ``ok``).
    :param ok: whether every stage passed and the release was written.
    :param version: the ontology version (``owl:versionInfo``).
    :param stages: the build log, in order.
    :param files: the files of the release, relative to ``out_dir``, sorted.
    :param records: how many record pages were written.
    :param triples: how many triples the ontology and data hold (after de-duplication).
    """

    out_dir: Path
    ok: bool
    version: str = ""
    stages: list[Stage] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    records: int = 0
    triples: int = 0

    @property
    def failed_stage(self) -> Stage | None:
        return next((s for s in self.stages if s.status == "failed"), None)

    def to_text(self) -> str:
        lines = [s.line() for s in self.stages]
        if self.ok:
            lines.append(f"release {self.version} written to {self.out_dir}: {len(self.files)} files, "
                         f"{self.records} record pages, {self.triples} triples")
        else:
            lines.append(f"build stopped; {self.out_dir} left as it was")
        return "\n".join(lines) + "\n"


class _Log:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.stages: list[Stage] = []

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"build: {message}", file=sys.stderr, flush=True)

    def stage(self, name: str, status: str, detail: str = "") -> Stage:
        st = Stage(name, status, detail)
        self.stages.append(st)
        self.say(st.line())
        return st


# ------------------------------------------------------------------------------------------------------ gates
def _ontology_meta(ontology: Sequence[ox.Triple]) -> tuple[str, str, str]:
    version = modified = title = ""
    for t in ontology:
        if t.subject == ox.NamedNode(ONTOLOGY_IRI):
            if t.predicate.value == OWL + "versionInfo":
                version = t.object.value
            elif t.predicate.value == DCT + "modified":
                modified = max(modified, t.object.value)
            elif t.predicate.value == DCT + "title" and (not title or getattr(t.object, "language", "") == "en"):
                title = t.object.value
    return version or __version__, modified or "unknown", title or "dipontology"


def _run_check(files: list[Path], log: _Log, reports: dict[str, bytes]) -> bool:
    report = check(files, trusted=True)
    reports["reports/check.txt"] = render(report, "text").encode("utf-8")
    reports["reports/check.json"] = _stable_json(json.loads(render(report, "json")))
    c = report.counts
    detail = f"{c.get('ERROR', 0)} ERROR, {c.get('WARN', 0)} WARN, {c.get('INFO', 0)} INFO"
    if c.get("ERROR", 0):
        first = next(f for f in report.findings if f.level == "ERROR")
        log.stage("check", "failed", f"{detail}; first: {first.rule} on {first.entity}"
                  + (f" ({first.file}:{first.line})" if first.file else "") + " -- see `dipontology check`")
        return False
    log.stage("check", "ok", detail)
    return True


def _run_reason(triples: Sequence[ox.Triple], log: _Log, reports: dict[str, bytes]) -> bool:
    try:
        result = reason(TripleView(triples), progress=lambda line: log.say(f"reason: {line}"))
    except DependencyError as exc:
        log.stage("reason", "skipped", f"reason not available ({exc})")
        return True
    doc = {"consistent": result.consistent, "unsatisfiable": result.unsatisfiable,
           "inferred": [{"individual": t.individual, "cls": t.cls, "individual_label": t.individual_label,
                         "class_label": t.class_label} for t in result.inferred],
           "dropped_literals": result.dropped_literals, "triples": result.triples}
    reports["reports/reason.json"] = _stable_json(doc)
    text = result.to_text().splitlines()
    text = [line for line in text if not line.startswith("(")]  # the timing line would break reproducibility
    text.append(f"({result.triples} triples reasoned over; {result.dropped_literals} date literals outside the OWL 2 "
                "datatype map left out)")
    reports["reports/reason.txt"] = ("\n".join(text) + "\n").encode("utf-8")
    if not result.ok():
        why = result.explanation or f"unsatisfiable classes: {', '.join(result.unsatisfiable)}"
        log.stage("reason", "failed", why + " -- see `dipontology reason`")
        return False
    log.stage("reason", "ok", f"consistent, 0 unsatisfiable classes, {len(result.inferred)} inferred types")
    return True


def _run_validate(data_dir: Path | None, log: _Log, reports: dict[str, bytes]) -> bool:
    if not resources.shapes_files():
        log.stage("validate", "skipped", "validate not available (no SHACL shapes in shapes/)")
        return True
    try:
        report = vmod.validate(data_dir=data_dir) if data_dir else vmod.validate()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a validator that crashes must not let an unvalidated release out
        log.stage("validate", "failed", f"the validator raised {type(exc).__name__}: {exc} (a bug; the release "
                  "was not written)")
        return False
    doc = json.loads(report.to_json())
    reports["reports/validate.json"] = _stable_json(doc)
    reports["reports/validate.txt"] = ("\n".join(report.to_text().splitlines()[:-1]) + "\n"
                                       + _counts_line(report.counts()) + "\n").encode("utf-8")
    c = report.counts()
    detail = ", ".join(f"{v} {k}" for k, v in c.items())
    if not report.conforms:
        first = next(f for f in report.findings if f.level == "Violation")
        log.stage("validate", "failed", f"{detail}; first: {first.focus} {first.message} -- see "
                  "`dipontology validate`")
        return False
    log.stage("validate", "ok", detail)
    return True


def _counts_line(counts: dict[str, int]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in counts.items())


def _run_queries(store, log: _Log, reports: dict[str, bytes]) -> bool:
    """Run every named query (its parameters at their defaults) and keep the results as CSV (Turtle for a graph).
    A query whose defaults name something this data does not hold (a source of the shipped data, in a release of
    other data) is not run, and the log says so; any other failure stops the build."""
    done, skipped = 0, []
    for name, nq in sorted(library().items()):
        required = [p.name for p in nq.parameters if p.required and p.default is None]
        if required:
            skipped.append(f"{name} (needs {', '.join(required)})")
            continue
        try:
            nq.prepare(store)
        except InputError as exc:
            skipped.append(f"{name} (its default parameters do not fit this data: {exc.message})")
            continue
        try:
            result = nq.run(store)
        except InputError as exc:
            log.stage("queries", "failed", f"named query {name} failed: {exc}")
            return False
        if result.kind == "graph":
            reports[f"queries/{name}.ttl"] = serialize_triples(result.triples, "ttl")
        else:
            reports[f"queries/{name}.csv"] = result.to_csv(spreadsheet_safe=True).encode("utf-8")
        done += 1
    log.stage("queries", "ok", f"{done} named queries run" + (f"; not run: {'; '.join(skipped)}" if skipped else ""))
    return True


def _stable_json(doc: object) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _run_gates(data_dir: Path | None, gates: list[str], wanted: list[str], log: _Log,
               reports: dict[str, bytes]) -> bool:
    """Run the gates (check, reason, validate) in order, each reading the sources itself; False at the first that
    fails (its line in the log says why)."""
    for stage in gates:
        if stage not in wanted:
            log.stage(stage, "skipped", "not requested")
            continue
        log.say(f"running {stage} ...")
        started = time.monotonic()
        if stage == "check":
            ok = _run_check([resources.ontology_file(), *published_files(data_dir)], log, reports)
        elif stage == "reason":
            ok = _run_reason(load_sources(data_dir=data_dir).all_triples(), log, reports)
        else:
            ok = _run_validate(data_dir, log, reports)
        log.say(f"({stage} took {time.monotonic() - started:.1f} s)")
        if not ok:
            return False
    return True


def _answer(future: Future, what: str):
    """The result of a forked process; a clear error if the process died (killed, e.g. for lack of memory)."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise RuntimeError(f"the process that ran {what} ended without an answer (killed? out of memory?); the "
                           "release was not written") from exc


def _gates_child(data_dir: Path | None, gates: list[str], wanted: list[str], quiet: bool) -> tuple:
    """The gates in the child process: ``("ok", passed, stages, reports)`` or ``("input", fields)`` for bad
    input (an :class:`InputError` does not survive pickling with its fields)."""
    log = _Log(quiet)
    reports: dict[str, bytes] = {}
    try:
        passed = _run_gates(data_dir, gates, wanted, log, reports)
    except InputError as exc:
        return ("input", (exc.message, exc.file, exc.line, exc.column, exc.fix))
    return ("ok", passed, [(st.name, st.status, st.detail) for st in log.stages], reports)


def _gates_process(conn, data_dir: Path | None, gates: list[str], wanted: list[str], quiet: bool) -> None:
    """The forked gates process: its answer (:func:`_gates_child`, or ``("error", text)``) goes up the pipe."""
    try:
        answer = _gates_child(data_dir, gates, wanted, quiet)
    except BaseException as exc:  # noqa: BLE001 - reported to the build, which stops with it
        answer = ("error", f"{type(exc).__name__}: {exc}")
    conn.send(answer)
    conn.close()


class _GateFailed(Exception):
    """Raised inside :func:`build` to stop writing once the gates have answered that one failed."""


class _GatesApart:
    """The gates (check, reason, validate), run by a child process forked before this one holds any of the graph,
    while this one writes the release into its fresh folder: the release is swapped in only after
    :meth:`finish` has their verdict, so a failed gate still leaves the previous release as it was, and the
    gates' copies of the graph (rdflib graphs, SHACL data) go with the child. :meth:`failed` asks without
    waiting, so that the writing stops early when a gate has failed. Where processes cannot be forked, or no gate
    is wanted, the gates run here, at once."""

    def __init__(self, data_dir: Path | None, gates: list[str], wanted: list[str], log: _Log) -> None:
        self.log = log
        self.proc = self.conn = None
        self.answer: tuple | None = None
        if not any(s in wanted for s in gates) or "fork" not in multiprocessing.get_all_start_methods():
            self.answer = _gates_child(data_dir, gates, wanted, log.quiet)  # the same answer, made here
            return
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_gates_process, args=(child, data_dir, gates, wanted, log.quiet),
                                name="dipontology-gates")
        self.proc.start()
        child.close()
        # the answer is read as soon as it is sent, so that the child (and the graphs it holds) ends then, not when
        # this process next asks
        self._arrived = threading.Event()
        self._got: object = None
        self._reader = threading.Thread(target=self._read, name="dipontology-gates-answer", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            self._got = self.conn.recv()
        except (EOFError, OSError) as exc:
            self._got = exc
        self._arrived.set()

    def _receive(self, wait: bool) -> tuple | None:
        if self.answer is None and self.proc is not None and (wait or self._arrived.is_set()):
            self._arrived.wait()
            got = self._got
            self.close()
            if isinstance(got, BaseException):
                raise RuntimeError("the process that ran the gates (check, reason, validate) ended without an answer "
                                   "(killed? out of memory?); the release was not written")
            self.answer = got
        return self.answer

    def failed(self) -> bool:
        """True if the gates have already answered and did not pass (without waiting for them)."""
        answer = self._receive(wait=False)
        return answer is not None and not (answer[0] == "ok" and answer[1])

    def finish(self, reports: dict[str, bytes]) -> bool:
        """Wait for the gates; put their log lines first in the log and add their reports. False if one failed
        (the log then holds the gates' lines alone, as when they ran before everything else).

        :raises InputError: for input a gate refused (file, line, fix).
        :raises RuntimeError: if the gates' process died or failed.
        """
        answer = self._receive(wait=True)
        if answer[0] == "input":
            message, file, line, column, fix = answer[1]
            raise InputError(message, file=file, line=line, column=column, fix=fix)
        if answer[0] == "error":
            raise RuntimeError(f"the gates (check, reason, validate) failed: {answer[1]}")
        _, passed, stages, got = answer
        gate_stages = [Stage(*st) for st in stages]
        if passed:
            self.log.stages[0:0] = gate_stages
        else:
            self.log.stages[:] = gate_stages
        reports.update(got)
        return passed

    def close(self) -> None:
        """Stop the child if it still runs (the build stopped for another reason) and release the pipe."""
        if self.proc is not None:
            if self.proc.is_alive() and not self._arrived.is_set():
                self.proc.terminate()
            self.proc.join()
            self.proc = None
            self._reader.join()  # the child is gone: its end of the pipe is closed, the read has returned
        if self.conn is not None:
            self.conn.close()
            self.conn = None


#: the store the forked queries process reads; set only while it runs
_QUERY_STORE = None


def _queries_child(quiet: bool) -> tuple:
    log = _Log(quiet)
    reports: dict[str, bytes] = {}
    log.say("running queries ...")
    started = time.monotonic()
    ok = _run_queries(_QUERY_STORE, log, reports)
    log.say(f"(queries took {time.monotonic() - started:.1f} s)")
    return ok, [(st.name, st.status, st.detail) for st in log.stages], reports


class _QueriesApart:
    """The queries stage, run by a forked process over the store this one built (the store is read, never written,
    so its pages stay shared) while this one writes the dumps and pages; :meth:`finish` waits for it and adds its
    log line and reports. Where processes cannot be forked it runs here, in :meth:`finish`; when not wanted it is
    logged as skipped at once."""

    def __init__(self, store, wanted: bool, log: _Log) -> None:
        global _QUERY_STORE
        self.store, self.log = store, log
        self.pool: ProcessPoolExecutor | None = None
        self.future: Future | None = None
        self.wanted = wanted
        if not wanted:
            log.stage("queries", "skipped", "not requested")
        elif "fork" in multiprocessing.get_all_start_methods():
            _QUERY_STORE = store
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
            self.future = self.pool.submit(_queries_child, log.quiet)
            # the worker ends once it has answered (its memory freed while the pages are written); the answer waits
            self.pool.shutdown(wait=False)

    @property
    def started(self) -> bool:
        return self.future is not None

    def finish(self, reports: dict[str, bytes]) -> bool:
        """Add the queries' reports; False if the stage failed (its line in the log says why)."""
        if not self.wanted:
            return True
        if self.future is None:
            self.log.say("running queries ...")
            started = time.monotonic()
            ok = _run_queries(self.store, self.log, reports)
            self.log.say(f"(queries took {time.monotonic() - started:.1f} s)")
            return ok
        try:
            ok, stages, got = _answer(self.future, "the named queries")
        finally:
            self.close()
        self.log.stages.extend(Stage(*st) for st in stages)
        reports.update(got)
        return ok

    def close(self) -> None:
        global _QUERY_STORE
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        _QUERY_STORE = None


# ----------------------------------------------------------------------------------------------------- files
class _ReleaseFiles:
    """The files of a release being written: each one goes to disk in a fresh folder beside ``out`` as soon as it is
    made (only its size and SHA-256 stay in memory); :meth:`swap_in` makes the whole folder durable and puts it in
    place of ``out`` in one step, :meth:`discard` removes it.

    The folder is new and nobody reads it before the swap, so a file in it need not be replaced atomically one by one
    (a temporary file, ``fsync`` and a rename per file, as :func:`dipontology.atomic.write_bytes` does for a file
    others may be reading): each file is created once (``O_EXCL``) and written, and before the swap one ``syncfs``
    puts the folder's files and entries on disk together (then ``fsync`` of every file where ``syncfs`` does not
    exist). A crash before the swap leaves the old release in place; after it, the new release is complete. Writes
    run on a few threads, a batch of files per task (the system calls release the GIL)."""

    #: files and bytes per write task (a dump of the whole data goes at once, not held back); writer threads
    BATCH, BATCH_BYTES, THREADS = 64, 4 << 20, 4

    def __init__(self, out: Path, tmp: Path | None = None) -> None:
        self.out = out
        if tmp is None:
            parent = out.resolve().parent
            parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
        self.tmp = tmp
        self._digests: dict[str, tuple[int, str] | None] = {}
        self._dirs: set[str] = {""}
        self._batch: list[tuple[str, bytes]] = []
        self._batch_bytes = 0
        self._pool = ThreadPoolExecutor(max_workers=self.THREADS, thread_name_prefix="dipontology-write")
        self._pending: deque[Future] = deque()

    def __setitem__(self, name: str, data: bytes) -> None:
        if name in self._digests:
            raise ValueError(f"release file {name} written twice")  # a bug: each file is made once
        self._digests[name] = None  # the writer fills in size and SHA-256 (hashing releases the GIL)
        folder = name.rpartition("/")[0]
        if folder not in self._dirs:  # folders are made here, in order, so that the writers only create files
            (self.tmp / folder).mkdir(parents=True, exist_ok=True)
            while folder not in self._dirs:
                self._dirs.add(folder)
                folder = folder.rpartition("/")[0]
        self._batch.append((name, data))
        self._batch_bytes += len(data)
        if len(self._batch) >= self.BATCH or self._batch_bytes >= self.BATCH_BYTES:
            self._submit()

    def _submit(self) -> None:
        if self._batch:
            self._pending.append(self._pool.submit(self._write, str(self.tmp), self._batch, self._digests))
            self._batch, self._batch_bytes = [], 0
        while len(self._pending) > 4 * self.THREADS:  # bounded: the pages made wait for the disk, not memory
            self._pending.popleft().result()

    @staticmethod
    def _write(root: str, batch: list[tuple[str, bytes]], digests: dict) -> None:
        for name, data in batch:
            digests[name] = (len(data), hashlib.sha256(data).hexdigest())
            write_new(os.path.join(root, name), data)

    def wait(self) -> None:
        """Wait until every file given so far is written; raise the first error of a write."""
        if self._batch:
            self._pending.append(self._pool.submit(self._write, str(self.tmp), self._batch, self._digests))
            self._batch, self._batch_bytes = [], 0
        while self._pending:
            self._pending.popleft().result()

    def __contains__(self, name: object) -> bool:
        return name in self._digests

    def __iter__(self):
        return iter(list(self._digests))

    def __len__(self) -> int:
        return len(self._digests)

    def digest(self, name: str) -> tuple[int, str]:
        """``(size in bytes, SHA-256 hex)`` of a written file."""
        if self._digests[name] is None:
            self.wait()
        return self._digests[name]

    def adopt(self, digests: dict[str, tuple[int, str] | None], dirs: set[str]) -> None:
        """Take in files another process wrote into this folder (with their sizes and SHA-256)."""
        for name in digests:
            if name in self._digests:
                raise ValueError(f"release file {name} written twice")
        self._digests.update(digests)
        self._dirs |= dirs

    def swap_in(self) -> None:
        self.wait()
        self._pool.shutdown()
        for d in sorted(self._dirs):
            os.chmod(self.tmp / d, 0o755)
        sync_tree(self.tmp, [self.tmp / n for n in self._digests], [self.tmp / d for d in self._dirs])
        replace_dir(self.tmp, self.out)

    def discard(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------------------ build
def _rename_paths(text: str, renames: dict[str, str]) -> str:
    for old_name in sorted(renames, key=len, reverse=True):
        text = text.replace(old_name, renames[old_name])
    return text


def _release_info(ix: Index, version: str, modified: str) -> Release:
    onto = ox.NamedNode(ONTOLOGY_IRI)
    licences = sorted(o.value for o in ix.values(onto, DCT + "license") if isinstance(o, ox.NamedNode))
    return Release(title="dipontology", version=version, date=modified, creators=ix.texts(onto, DCT + "creator"),
                   license=licences[0] if licences else "", publisher=ix.text(onto, DCT + "publisher") or "")


def record_triples(site: Site, data_ix: Index, node: ox.NamedNode) -> list[ox.Triple]:
    """What a record's RDF files hold: its own triples, the statements about it (and those they contradict), and
    the source records they cite: what a researcher needs to reuse the record with its provenance."""
    out = closure(data_ix, node)
    sources = set(data_ix.iris(node, DCT + "source"))
    for st in site.accounts.statements_about(node):
        out += closure(data_ix, st)
        sources.update(data_ix.iris(st, DCT + "source"))
    for src in sorted(sources, key=lambda n: n.value):
        if src != node:
            out += closure(data_ix, src)
    return out


#: processes that render the record pages and files (this one and forked helpers), where processes can be forked
PAGE_PROCESSES = min(2, os.cpu_count() or 1)
#: fewer records than this are rendered here alone
PAGES_APART_FROM = 256
#: what the forked helpers render: (site, data view, records, release folder); set only while they run
_PAGES: tuple | None = None


def _record_files(files: _ReleaseFiles, site: Site, data_ix: Index, records: Sequence[tuple]) -> None:
    """The page and the four RDF files of each record."""
    for node, kind, slug in records:
        base = f"id/{kind}/{slug}"
        files[base + ".html"] = site.record_page(node, kind, slug)
        bodies = serialize_formats(record_triples(site, data_ix, node), RECORD_FORMATS.values())
        for ext, fmt in RECORD_FORMATS.items():
            files[f"{base}.{ext}"] = bodies[fmt]


def _records_helper(part: int, parts: int) -> tuple[dict, set]:
    """In a forked helper: write every ``parts``-th record from ``part`` on; their digests and folders."""
    assert _PAGES is not None
    site, data_ix, records, tmp = _PAGES
    files = _ReleaseFiles(tmp, tmp)
    try:
        _record_files(files, site, data_ix, records[part::parts])
        files.wait()
    finally:
        files._pool.shutdown()
    return files._digests, files._dirs


def _write_records(files: _ReleaseFiles, site: Site, data_ix: Index, records: Sequence[tuple]) -> None:
    """Write the records' files, shared with forked helpers (each a CPU of its own; the graph's view is inherited,
    not copied: ``gc.freeze`` keeps the collector from touching its pages) where there are enough records."""
    global _PAGES
    parts = PAGE_PROCESSES if len(records) >= PAGES_APART_FROM else 1
    if parts == 1 or "fork" not in multiprocessing.get_all_start_methods():
        _record_files(files, site, data_ix, records)
        return
    files.wait()  # no write of this process in flight while it forks
    _PAGES = (site, data_ix, records, files.tmp)
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=parts - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            helpers = [pool.submit(_records_helper, i, parts) for i in range(1, parts)]
            _record_files(files, site, data_ix, records[0::parts])
            for h in helpers:
                files.adopt(*_answer(h, "the record pages"))
    finally:
        _PAGES = None
        gc.unfreeze()


def build(out_dir: str | os.PathLike[str] = "dist", *, quiet: bool = False, data_dir: str | os.PathLike[str] | None
          = None, stages: Iterable[str] = STAGES, sparql_endpoint: str | None = None,
          site_url: str | None = None) -> BuildResult:
    """Run the stages and write the release into ``out_dir`` (atomically: a temporary folder swapped in for it).

    :param out_dir: the release folder; replaced as a whole when the build succeeds, untouched when it fails.
    :param quiet: no progress on stderr.
    :param data_dir: build from this data folder (``*.ttl`` and ``cases/*.ttl``) instead of the shipped data.
    :param stages: which of :data:`STAGES` to run before writing (all by default).
    :param sparql_endpoint: the public SPARQL endpoint: named in the VoID description and used by the release's
        SPARQL editor (default: ``/sparql`` of the server that serves the release, as ``dipontology serve`` does).
    :param site_url: where the release will be hosted, for the w3id ``.htaccess`` redirects.
    :return: a :class:`BuildResult`; ``ok`` is False when a stage failed (its line in ``stages`` says why).
    :raises InputError: if a source file cannot be parsed, or ``out_dir`` exists and is not a release folder.
    """
    out = Path(out_dir)
    wanted = list(stages)
    unknown = [s for s in wanted if s not in STAGES]
    if unknown:
        raise InputError(f"unknown build stage {unknown[0]!r}", fix=f"use some of {', '.join(STAGES)}")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "SHA256SUMS").exists())):
        raise InputError("the output folder exists and is not a dipontology release (no SHA256SUMS in it)",
                         file=str(out), fix="give an empty or new folder, or a previous release folder")
    log = _Log(quiet)
    ddir = Path(data_dir) if data_dir is not None else None
    reports: dict[str, bytes] = {}
    version, modified, title = _ontology_meta(parse_files([resources.ontology_file()]))
    result = BuildResult(out_dir=out, ok=False, version=version, stages=log.stages)
    gates = _GatesApart(ddir, [s for s in STAGES if s != "queries"], wanted, log)
    queries = None
    files = None
    try:
        if gates.failed():
            gates.finish(reports)
            return result
        log.say("parsing the ontology and data ...")
        src: Sources = load_sources(data_dir=ddir)
        every = src.all_triples()
        data = src.data_triples()
        log.say(f"{len(src.ontology)} ontology triples, {len(data)} data triples in {len(src.data)} files")
        result.triples = len(every)
        store = Embedded(triples=every)
        queries = _QueriesApart(store, "queries" in wanted, log)
        query_reports: dict[str, bytes] = {}
        if not queries.started and not queries.finish(query_reports):
            gates.finish(reports)
            return result
        # reports name the source files as the release does (data/cases/x.ttl), wherever the checkout and the
        # working directory are, so that the release does not depend on them
        names = {str(src.files[0].resolve()): "ontology/dipontology.ttl",
                 **{str(f.resolve()): n for f, n in zip(src.files[1:], src.data)}}
        renames: dict[str, str] = {}
        for path, name in names.items():
            renames[path] = name
            for start in (os.getcwd(), str(resources.root())):  # the reports show paths relative to either
                rel = os.path.relpath(path, start)
                if not rel.startswith(".."):
                    renames[rel] = name
        files = _ReleaseFiles(out)
        log.say("writing the ontology and data dumps ...")
        for ext, fmt in DUMP_FORMATS.items():
            body = serialize_triples(src.ontology, fmt)
            files[f"ontology/{version}/dipontology.{ext}"] = body
            files[f"ontology/dipontology.{ext}"] = body
            files[f"data/dipontology-data.{ext}"] = serialize_triples(data, fmt)
        files["data/dipontology-data.trig"] = serialize_graphs({FILES_BASE + n: ts for n, ts in src.data.items()})

        log.say("writing the pages ...")
        ix = Index(every)
        records: list[tuple[ox.NamedNode, str, str]] = []
        skipped_iris = []
        for s in sorted({t.subject for t in data if isinstance(t.subject, ox.NamedNode)}, key=lambda n: n.value):
            rp = record_path(s.value)
            if rp:
                records.append((s, rp[0], rp[1]))
            elif s.value.startswith(ID_BASE):
                skipped_iris.append(s.value)
        site = Site(ix, _release_info(ix, version, modified), pages={n.value for n, _, _ in records})
        data_ix = DataView(ix, src.ontology, data)
        if gates.failed():  # no pages for a release that will not be written
            raise _GateFailed
        _write_records(files, site, data_ix, records)
        if queries.started and not queries.finish(query_reports):
            files.discard()
            gates.finish(reports)
            return result
        for key, body in query_reports.items():
            files[key] = _rename_paths(body.decode("utf-8"), renames).encode("utf-8")
        by_kind: dict[str, list] = defaultdict(list)
        for node, kind, _slug in records:
            by_kind[kind].append(node)
        for kind, items in sorted(by_kind.items()):
            files[f"id/{kind}/index.html"] = site.kind_page(kind, items)
        files["ontology/index.html"] = site.ontology_page(site.accounts.usage(data), site.accounts.statements_on_terms())
        cases = sorted((n for n, k, _ in records if k == "case"), key=lambda n: (ix.label(n).lower(), n.value))
        examples = dataset.editor_examples(store)
        for e in examples:
            for ext in ("csv", "ttl"):
                if f"queries/{e['name']}.{ext}" in files:
                    e["file"] = f"queries/{e['name']}.{ext}"
            e.setdefault("file", "")
        stats = [("case studies", len(cases)), ("records", len(records)), ("data triples", len(data)),
                 ("ontology terms", sum(1 for s in {t.subject for t in src.ontology}
                                        if isinstance(s, ox.NamedNode) and s.value.startswith(DIPNS)))]
        onto = ox.NamedNode(ONTOLOGY_IRI)
        files["index.html"] = site.index_page(title, ix.text(onto, DCT + "description") or "",
                                              ix.text(onto, DCT + "rights") or "", records, cases, stats, examples)
        files["sparql/index.html"] = site.sparql_page(examples, sparql_endpoint, dict(PREFIXES))
        entries = [{"label": ix.label(node), "kind": kind, "url": f"id/{kind}/{slug}.html"}
                   for node, kind, slug in records if kind != "statement"]
        entries += [{"label": ix.label(s), "kind": "term", "url": f"ontology/index.html#{s.value[len(DIPNS):]}"}
                    for s in sorted({t.subject for t in src.ontology if isinstance(t.subject, ox.NamedNode)
                                     and t.subject.value.startswith(DIPNS)}, key=lambda n: n.value)]
        files["search-index.js"] = dataset.search_index(entries)
        for name in assets():
            files[f"assets/{name}"] = asset(name)
        files["assets/prefixes.json"] = (json.dumps(PREFIXES, indent=1, sort_keys=True) + "\n").encode("utf-8")
        files[".htaccess"] = dataset.htaccess(version, site_url).encode("utf-8")
        if skipped_iris:
            log.stage("pages", "ok", f"{len(records)} record pages; no page for {len(skipped_iris)} IRIs that are not "
                      f"<kind>/<slug> records, e.g. {skipped_iris[0]}")
        else:
            log.stage("pages", "ok", f"{len(records)} record pages, {len(cases)} case studies")
        if not gates.finish(reports):  # the verdict of the gates, before anything is swapped in
            files.discard()
            return result
        for key, body in reports.items():
            files[key] = _rename_paths(body.decode("utf-8"), renames).encode("utf-8")
        files["reports/build-log.txt"] = ("\n".join(s.line() for s in log.stages) + "\n").encode("utf-8")
        described = {k: files.digest(k) for k in files if k.startswith(("ontology/", "data/", "queries/", "reports/"))
                     and not k.endswith(".html")}
        files["void.ttl"] = serialize_triples(dataset.void_triples(data, src.ontology, described, version, modified,
                                                                   sparql_endpoint), "ttl")
        files["SHA256SUMS"] = "".join(f"{files.digest(k)[1]}  {k}\n" for k in sorted(files)).encode("utf-8")
        log.say(f"swapping in the {len(files)} files ...")
        files.swap_in()
        result.ok = True
        result.files = sorted(files)
        result.records = len(records)
    except _GateFailed:
        files.discard()
        gates.finish(reports)
        return result
    except BaseException:
        if files is not None:
            files.discard()
        raise
    finally:
        if queries is not None:
            queries.close()
        gates.close()
    log.say(f"release {version} written to {out}")
    return result
