"""Atomic writes: a file (or folder) is either the old one or the complete new one, never half-written.

The one scheme every writer uses (exports, the store cache, the release, accepted contributions): write a temporary
file beside the target, flush and ``fsync`` it, rename it onto the target (``os.replace``: atomic on POSIX), then
``fsync`` the folder so that the rename itself survives a crash. A new file gets the normal permissions (``0o666``
less the umask), like any file the user's programs create, not the ``0o600`` of a temporary file; a replaced file
keeps its mode.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text(d / "a.txt", "hello")
>>> (d / "a.txt").read_text()
'hello'
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

__all__ = ["open_atomic", "write_text", "write_bytes", "replace_dir", "fsync_dir", "umask_mode"]


def umask_mode(base: int = 0o666) -> int:
    """``base`` less the process's umask: the mode a plain ``open()`` would give a new file.

    >>> old = os.umask(0o022); m = umask_mode(); _ = os.umask(old); oct(m)
    '0o644'
    """
    mask = os.umask(0)
    os.umask(mask)
    return base & ~mask


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """``fsync`` a folder, so that a rename or a new entry in it is on disk (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def open_atomic(path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8", *,
                sync_dir: bool = True) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success flush, fsync and rename it onto ``path``, then fsync the
    folder (``sync_dir=False`` leaves that to the caller: a writer of many files in one fresh folder that is itself
    moved into place with :func:`replace_dir` syncs the folder once).

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    binary = "b" in mode
    try:
        try:
            old = os.stat(target).st_mode
            os.fchmod(fd, stat.S_IMODE(old))
        except FileNotFoundError:
            os.fchmod(fd, umask_mode())
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else encoding,
                       newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if sync_dir:
        fsync_dir(target.parent)


def write_text(path: str | os.PathLike[str], text: str, *, sync_dir: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`open_atomic`)."""
    with open_atomic(path, "w", sync_dir=sync_dir) as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, sync_dir: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`open_atomic`)."""
    with open_atomic(path, "wb", sync_dir=sync_dir) as fh:
        fh.write(data)


def replace_dir(tmp: str | os.PathLike[str], final: str | os.PathLike[str]) -> None:
    """Move the complete folder ``tmp`` to ``final`` (same file system), replacing any folder there, and fsync the
    parent folder. The folder's own files must already be on disk (a store flushed, files written with
    :func:`open_atomic`).

    An existing ``final`` is first renamed aside and removed after the move, so ``final`` is at every moment
    either the old folder, missing, or the new one -- never a mix.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "new").mkdir(); write_text(d / "new" / "x", "2")
    >>> (d / "old").mkdir(); write_text(d / "old" / "x", "1")
    >>> replace_dir(d / "new", d / "old"); (d / "old" / "x").read_text(), (d / "new").exists()
    ('2', False)
    """
    tmp, final = Path(tmp), Path(final)
    aside = None
    if final.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        os.replace(final, aside / final.name)
    os.replace(tmp, final)
    fsync_dir(final.parent)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
