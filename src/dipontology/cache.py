"""A persistent store cache: parse the ontology, shapes and data once, open the parsed store in later commands.

The cache key is the SHA-256 of the files' contents (in order, with their formats) and of the pyoxigraph version,
so any change to any byte of any file, or a new pyoxigraph, makes a new entry; file names and times do not matter.
An entry is a pyoxigraph on-disk store (RocksDB) under ``$DIPONTOLOGY_CACHE_DIR`` or ``~/.cache/dipontology``,
built in a temporary folder and moved into place when complete (:func:`dipontology.atomic.replace_dir`: rename,
then fsync of the folder), so an interrupted build leaves no entry; hits open it read-only, so several processes
can share it. Only the project's own files (and files a user names on the command line) go in, read by
pyoxigraph's bulk loader: this is not the checked parser for untrusted contributions
(:func:`dipontology.load.load_file` is).

A build reads each file once (:func:`dipontology.load.read_file`: symbolic links refused), hashes those bytes for
the key and loads the same bytes, in **one** bulk load: the largest Turtle or N-Triples file as it is, after the
statements of the small files (parsed by pyoxigraph, each file's blank nodes given fresh labels, as the loader
gives each file its own, and written as N-Triples, which leave the Turtle parser's prefixes and base as a fresh
parse has them). Each bulk load of the on-disk store writes and syncs its own sorted files, so one load instead of
one per file is what makes a cold build of the shipped files plus an extract cheap. Should that load fail, the
store is built again file by file by :func:`dipontology.load.bulk_load`, whose errors name the file, line and
column.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> f = d / "a.ttl"
>>> _ = f.write_text('<http://example.org/a> <http://example.org/p> "x" .')
>>> first = cached_store([f], cache_dir=d / "cache")
>>> second = cached_store([f], cache_dir=d / "cache")
>>> (first.hit, second.hit, len(second.store), first.key == second.key)
(False, True, 1, True)
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox

from .atomic import replace_dir
from .errors import InputError
from .load import TRUSTED, bulk_load, read_file

__all__ = ["CachedStore", "cache_dir", "cache_key", "cached_store", "memory_store", "clear", "entries"]

#: bump when the layout of an entry changes
LAYOUT = "1"
#: entries kept; the least recently used beyond this are removed
KEEP = 4

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
            ".trig": ox.RdfFormat.TRIG, ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML}


@dataclass
class CachedStore:
    """An opened store and where it came from."""

    store: ox.Store
    key: str
    path: Path
    hit: bool          # opened from the cache (no parsing)
    seconds: float     # time to hash and open (hit) or hash, parse and save (miss)


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``override``, else ``$DIPONTOLOGY_CACHE_DIR``, else ``~/.cache/dipontology``."""
    if override is not None:
        return Path(override)
    env = os.environ.get("DIPONTOLOGY_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "dipontology"


def _format(path: Path) -> ox.RdfFormat:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError("the store cache reads Turtle, N-Triples, N-Quads, TriG or RDF/XML files", file=str(path),
                         fix="convert the file to Turtle first (dipontology convert)")
    return fmt


@dataclass
class _Input:
    """One file as read once for the key and the load."""

    path: Path
    format: ox.RdfFormat
    data: bytes


def _read(paths: Sequence[str | os.PathLike[str]]) -> list[_Input]:
    """Each file's format (from its extension) and bytes (:func:`dipontology.load.read_file`, no symbolic link)."""
    out = []
    for p in map(Path, paths):
        fmt = _format(p)
        out.append(_Input(p, fmt, read_file(p, limits=TRUSTED)))
    return out


def _key(inputs: Sequence[_Input]) -> str:
    h = hashlib.sha256(f"dipontology-store-cache {LAYOUT} pyoxigraph {ox.__version__}\n".encode())
    for f in inputs:
        h.update(f"{f.format.file_extension} {hashlib.sha256(f.data).hexdigest()}\n".encode())
    return h.hexdigest()


def cache_key(paths: Sequence[str | os.PathLike[str]]) -> str:
    """The SHA-256 of the files' bytes and formats, in order, and of the layout and pyoxigraph versions."""
    return _key(_read(paths))


def cached_store(paths: Sequence[str | os.PathLike[str]], *, cache_dir: str | os.PathLike[str] | None = None,
                 refresh: bool = False) -> CachedStore:
    """The files ``paths`` loaded into one store (default graph), from the cache when their contents were loaded
    before; otherwise parsed, saved into the cache and returned.

    :param refresh: ignore (and replace) an existing entry.
    :raises InputError: if a file cannot be read or parsed (the entry is then not created).
    """
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    inputs = _read(paths)   # read once: hashed here, loaded below on a miss (the entry holds what was hashed)
    key = _key(inputs)
    root = globals()["cache_dir"](cache_dir)
    final = root / "stores" / key
    if final.is_dir() and not refresh:
        try:
            store = ox.Store.read_only(str(final))
            os.utime(final)
            return CachedStore(store, key, final, True, time.perf_counter() - started)
        except OSError:
            shutil.rmtree(final, ignore_errors=True)   # a damaged entry: rebuild it
    (root / "stores").mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key[:16]}-", dir=root / "stores"))
    try:
        store = ox.Store(str(tmp))
        try:
            _load_once(store, inputs)
            once = True
        except _Refused:
            once = False
        del inputs
        if not once:   # file by file, from the files: the loader's errors name the file, line and column
            del store   # closed before its folder goes
            shutil.rmtree(tmp, ignore_errors=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{key[:16]}-", dir=root / "stores"))
            store = _load_into(ox.Store(str(tmp)), paths)
        store.flush()   # the bulk loader writes sorted files directly: no compaction (optimize) needed
        del store
        replace_dir(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _evict(root / "stores", keep=KEEP, current=final)
    store = ox.Store.read_only(str(final))
    return CachedStore(store, key, final, False, time.perf_counter() - started)


def memory_store(paths: Sequence[str | os.PathLike[str]]) -> ox.Store:
    """The files ``paths`` bulk-loaded into a fresh in-memory store (no cache): the fallback when the cache folder
    cannot be written, and the choice of ``--no-cache``.

    :raises InputError: if a file cannot be read or parsed (naming it).
    """
    try:
        return _load_into(ox.Store(), paths)
    except OSError as exc:   # no cache key was computed, so nothing has read the files yet
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=getattr(exc, "filename", None),
                         fix="check the path and its permissions") from None


def _load_into(store: ox.Store, paths: Sequence[str | os.PathLike[str]]) -> ox.Store:
    """Bulk-load every file into the default graph of ``store`` (:func:`dipontology.load.bulk_load`); a file that
    cannot be read or parsed is an InputError naming it (and the line and column)."""
    for p in map(Path, paths):
        _format(p)
    return bulk_load(store, list(paths))


#: a file up to this size is parsed in Python and its statements written before the host file's (a bulk load of its
#: own would cost more); a larger one gets a bulk load of its own
SMALL = 512 * 1024
#: the host of the single bulk load: a format whose parser carries nothing from N-Triples lines to what follows
_HOSTS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)


class _Refused(Exception):
    """The bytes read could not be loaded (a parse error, or named graphs): build file by file from the files, with
    :func:`dipontology.load.bulk_load`'s messages."""


def _load_once(store: ox.Store, inputs: Sequence[_Input]) -> ox.Store:
    """Load the bytes of ``inputs`` into the default graph of ``store`` in one bulk load (see the module text); a
    large file that is not the host, a small one with an RDF 1.2 triple term, or every file when none is Turtle or
    N-Triples, gets a bulk load of its own (from the bytes read).

    :raises _Refused: on any parse error, or a TriG or N-Quads file (the loader refuses their named graphs).
    """
    hosts = [f for f in inputs if f.format in _HOSTS]
    host = max(hosts, key=lambda f: len(f.data)) if hosts else None
    try:
        before: list[ox.Triple] = []
        own = []
        for f in inputs:
            if f is host:
                continue
            if f.format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
                raise _Refused
            triples = _fresh_triples(f) if host is not None and len(f.data) <= SMALL else None
            if triples is None:
                own.append(f)
            else:
                before += triples
        if host is not None:
            head = ox.serialize(before, format=ox.RdfFormat.N_TRIPLES) if before else b""
            store.bulk_load(_Chain(head, host.data), format=host.format)
        for f in own:
            store.bulk_load(f.data, format=f.format)
    except (SyntaxError, ValueError, MemoryError):
        raise _Refused from None
    return store


def _fresh_triples(f: _Input) -> list[ox.Triple] | None:
    """The statements of one small file, its blank nodes relabelled with fresh (random) labels: the bulk loader
    gives each file's blank nodes their own, and in one load a label is shared by every file. ``None`` if the file
    holds an RDF 1.2 triple term (not relabelled here: the file gets a load of its own).

    :raises SyntaxError: as pyoxigraph's parser.
    """
    fresh: dict[ox.BlankNode, ox.BlankNode] = {}
    out = []
    for q in ox.parse(f.data, format=f.format):
        s, o = q.subject, q.object
        if isinstance(o, ox.Triple):
            return None
        if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
            if isinstance(s, ox.BlankNode):
                s = fresh.setdefault(s, ox.BlankNode())
            if isinstance(o, ox.BlankNode):
                o = fresh.setdefault(o, ox.BlankNode())
            out.append(ox.Triple(s, q.predicate, o))
        else:
            out.append(q.triple)
    return out


class _Chain(io.RawIOBase):
    """Two byte strings read one after the other, without joining them into a third."""

    def __init__(self, *parts: bytes) -> None:
        super().__init__()
        self._parts = [memoryview(p) for p in parts if p]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        while self._parts:
            part = self._parts[0]
            if part:
                n = min(len(buffer), len(part))
                buffer[:n] = part[:n]
                self._parts[0] = part[n:]
                return n
            self._parts.pop(0)
        return 0


def entries(cache_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The complete cache entries, most recently used first."""
    d = globals()["cache_dir"](cache_dir) / "stores"
    if not d.is_dir():
        return []
    return sorted((p for p in d.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime, reverse=True)


def _evict(stores: Path, keep: int, current: Path) -> None:
    for p in [p for p in entries(stores.parent) if p != current][max(0, keep - 1):]:
        shutil.rmtree(p, ignore_errors=True)


def clear(cache_dir: str | os.PathLike[str] | None = None) -> int:
    """Remove every entry; return how many there were."""
    found = entries(cache_dir)
    for p in found:
        shutil.rmtree(p, ignore_errors=True)
    return len(found)
