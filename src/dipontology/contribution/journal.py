"""Writing several data files as one change: stage every new version beside the data folder, write a commit
journal, rename them into place; :func:`recover` finishes (or forgets) an accept that was killed half-way.

Each staged file and the journal are written with :mod:`dipontology.atomic` (complete and fsynced, or absent);
staged files get the permissions the user's umask gives, like any file they write.

>>> import tempfile, pathlib
>>> recover(pathlib.Path(tempfile.mkdtemp()) / "data")
[]
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from ..atomic import fsync_dir, write_text
from ..errors import InputError

__all__ = ["stage", "commit", "recover", "STAGING_PREFIX"]

#: the commit journal in a staging folder: once it exists, the staged files are to be renamed into place
JOURNAL = "COMMIT.json"
STAGING_PREFIX = ".dipontology-accept-"


def stage(versions: list[tuple[Path, str]], data: Path) -> tuple[Path, list[tuple[Path, Path]]]:
    """Write every new file version (target, text) into a staging folder beside the data folder (never inside it,
    so an interrupted accept leaves no trace in the data); return the folder and (staged, target) pairs."""
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data.resolve().parent))
    except OSError as exc:
        raise InputError(f"cannot create a staging folder beside the data folder: {exc.strerror or exc}",
                         file=str(data), fix="make the folder that holds the data folder writable") from None
    staged: list[tuple[Path, Path]] = []
    try:
        for i, (target, text) in enumerate(versions):
            tmp = staging / f"{i:03d}-{target.name}"
            write_text(tmp, text, sync_dir=False)
            if target.exists():  # a replaced data file keeps its mode; a new one gets the umask's (atomic.py)
                os.chmod(tmp, target.stat().st_mode & 0o777)
            staged.append((tmp, target))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, staged


def commit(staging: Path, staged: list[tuple[Path, Path]],
           before_commit: Callable[[list[tuple[Path, Path]]], None] | None = None) -> list[Path]:
    """Rename staged files into place; on failure put back what was there and remove what was new. The journal,
    written first, lets :func:`recover` finish the renames if the process is killed between them."""
    done: list[tuple[Path, Path | None]] = []
    journal: Path | None = None
    try:
        if before_commit is not None:
            before_commit(staged)
        backups: dict[int, Path] = {}
        for i, (_tmp, target) in enumerate(staged):
            if target.exists():
                backups[i] = staging / f"{i:03d}-{target.name}.backup"
                shutil.copy2(target, backups[i])
        journal = staging / JOURNAL
        write_text(journal, json.dumps({"files": [[str(t), str(target)] for t, target in staged]}))
        fsync_dir(staging)
        for i, (tmp, target) in enumerate(staged):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            done.append((target, backups.get(i)))
        for folder in sorted({target.parent for _tmp, target in staged}):
            fsync_dir(folder)
    except BaseException:
        if journal is not None:
            journal.unlink(missing_ok=True)  # rolling back: recover() must not roll forward
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target for _tmp, target in staged]


def recover(data_dir: str | os.PathLike[str], *, stale_after: float = 600.0) -> list[Path]:
    """Finish an ``accept`` that was killed while renaming its files into place (SIGKILL, power loss).

    If it died after the journal was written, this completes the renames (the staged files are complete), so the
    data folder ends in the accepted state; a staging folder without a journal (the accept died while staging, the
    data folder was never touched) is removed once it is older than ``stale_after`` seconds.

    :return: the data files that were completed.
    """
    data = Path(data_dir).resolve()
    completed: list[Path] = []
    if not data.parent.is_dir():
        return completed
    for staging in sorted(data.parent.glob(STAGING_PREFIX + "*")):
        if not staging.is_dir() or staging.is_symlink():
            continue
        journal = staging / JOURNAL
        if journal.is_file():
            try:
                doc = json.loads(journal.read_text(encoding="utf-8"))
                files = [(Path(a), Path(b)) for a, b in doc["files"]]
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not ours to judge: leave it for a person
            if not all(b.resolve().is_relative_to(data) and a.resolve().is_relative_to(staging.resolve())
                       for a, b in files):
                continue  # the journal of another data folder beside this one
            for tmp, target in files:
                if tmp.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(tmp, target)
                    completed.append(target)
            shutil.rmtree(staging, ignore_errors=True)
        elif time.time() - staging.stat().st_mtime > stale_after:
            shutil.rmtree(staging, ignore_errors=True)
    return completed
