"""Atomic writes: a file (or folder) is either the old one or the complete new one, never half-written.

The one scheme every writer uses (exports, the store cache, the release, accepted contributions): write a temporary
file beside the target, flush and ``fsync`` it, rename it onto the target (``os.replace``: atomic on POSIX), then
``fsync`` the folder so that the rename itself survives a crash. Many files at once (the release, the store cache)
are written into a fresh folder nobody reads yet (:func:`write_new`, each file created once), put on disk together
(:func:`sync_tree`) and swapped in for the old folder in one step (:func:`replace_dir`). A new file gets the normal permissions (``0o666``
less the umask), like any file the user's programs create, not the ``0o600`` of a temporary file; a replaced file
keeps its mode.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_text(d / "a.txt", "hello")
>>> (d / "a.txt").read_text()
'hello'
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

__all__ = ["open_atomic", "write_text", "write_bytes", "write_new", "sync_tree", "replace_dir", "fsync_dir",
           "umask_mode"]

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


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


def write_new(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o644) -> None:
    """Create ``path`` (it must not exist: ``O_EXCL``) and write ``data``, with ``mode`` whatever the umask: for a file
    in a fresh folder that nobody reads before :func:`sync_tree` and :func:`replace_dir` put the whole folder in place,
    so the file need not be replaced atomically on its own.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_new(d / "a", b"x"); (d / "a").read_bytes(), oct((d / "a").stat().st_mode & 0o777)
    (b'x', '0o644')
    >>> write_new(d / "a", b"y")
    Traceback (most recent call last):
    FileExistsError: [Errno 17] File exists: ...
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, mode)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def sync_tree(root: str | os.PathLike[str], files: "list[Path]", dirs: "list[Path]") -> None:
    """Put ``files`` and ``dirs`` (below ``root``) on disk: one ``syncfs`` of the file system holding ``root`` (Linux),
    else ``fsync`` of every file and folder."""
    if _syncfs(Path(root)):
        return
    for path in files:
        fd = os.open(path, os.O_RDONLY | _CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    for d in dirs:
        fsync_dir(d)


def _libc_call(name: str):
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True), name)
    except (OSError, AttributeError):
        return None


def _syncfs(path: Path) -> bool:
    """``syncfs(2)`` on the file system holding ``path``; False where the call does not exist or fails."""
    syncfs = _libc_call("syncfs")
    if syncfs is None:
        return False
    syncfs.argtypes = [ctypes.c_int]
    fd = os.open(path, os.O_RDONLY | _CLOEXEC)
    try:
        return syncfs(fd) == 0
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``): whoever looks sees the old folder or the
    new one, never none, even if the process is killed. Returns False where the call is not available."""
    renameat2 = _libc_call("renameat2")
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def replace_dir(tmp: str | os.PathLike[str], final: str | os.PathLike[str]) -> None:
    """Put the complete folder ``tmp`` in place of ``final`` (same file system) and fsync the parent folder. The
    folder's own files must already be on disk (a store flushed, files written with :func:`open_atomic`, or
    :func:`write_new` then :func:`sync_tree`).

    Where the system can (Linux), the two folders are exchanged in one step, so ``final`` is at every moment the old
    folder or the new one; elsewhere the old folder is renamed aside first, so ``final`` is the old folder, missing
    for an instant, or the new one -- never a mix. The old folder is removed after; on failure ``tmp`` is removed and
    ``final`` is left as it was.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "new").mkdir(); write_text(d / "new" / "x", "2")
    >>> (d / "old").mkdir(); write_text(d / "old" / "x", "1")
    >>> replace_dir(d / "new", d / "old"); (d / "old" / "x").read_text(), (d / "new").exists()
    ('2', False)
    """
    tmp, final = Path(tmp), Path(final)
    parent = final.resolve().parent
    try:
        if final.exists() and _exchange(tmp, final):
            fsync_dir(parent)
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous folder
            return
        aside = None
        if final.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=parent))
            os.rmdir(aside)
            os.rename(final, aside)
        os.rename(tmp, final)
        fsync_dir(parent)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
