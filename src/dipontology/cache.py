"""A persistent store cache: parse the ontology, shapes and data once, open the parsed store in later commands.

The cache key is the SHA-256 of the files' contents (in order, with their formats) and of the pyoxigraph version,
so any change to any byte of any file, or a new pyoxigraph, makes a new entry; file names and times do not matter.
An entry is a pyoxigraph on-disk store (RocksDB) under ``$DIPONTOLOGY_CACHE_DIR`` or ``~/.cache/dipontology``,
built in a temporary folder and moved into place when complete (:func:`dipontology.atomic.replace_dir`: rename,
then fsync of the folder), so an interrupted build leaves no entry; hits open it read-only, so several processes
can share it. Only the project's own files (and files a user names on the command line) go in, read by
:func:`dipontology.load.bulk_load` (pyoxigraph's bulk loader, symbolic links refused, errors with file, line and
column): this is not the checked parser for untrusted contributions (:func:`dipontology.load.load_file` is).

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


def cache_key(paths: Sequence[str | os.PathLike[str]]) -> str:
    """The SHA-256 of the files' bytes and formats, in order, and of the layout and pyoxigraph versions."""
    h = hashlib.sha256(f"dipontology-store-cache {LAYOUT} pyoxigraph {ox.__version__}\n".encode())
    for p in paths:
        p = Path(p)
        fmt = _format(p)
        digest = hashlib.sha256(read_file(p, limits=TRUSTED)).hexdigest()
        h.update(f"{fmt.file_extension} {digest}\n".encode())
    return h.hexdigest()


def cached_store(paths: Sequence[str | os.PathLike[str]], *, cache_dir: str | os.PathLike[str] | None = None,
                 refresh: bool = False) -> CachedStore:
    """The files ``paths`` loaded into one store (default graph), from the cache when their contents were loaded
    before; otherwise parsed, saved into the cache and returned.

    :param refresh: ignore (and replace) an existing entry.
    :raises InputError: if a file cannot be read or parsed (the entry is then not created).
    """
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    key = cache_key(paths)
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
