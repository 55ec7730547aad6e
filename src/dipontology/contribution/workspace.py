"""``dipontology init DIR``: a workspace the user owns, with a copy of the published data and shapes and a
``dipontology.toml`` the other commands pick up when run inside it (:func:`dipontology.resources.workspace`).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .. import resources
from ..atomic import replace_dir, umask_mode, write_bytes, write_text
from ..errors import InputError

__all__ = ["init", "CONFIG"]

#: the configuration ``init`` writes
CONFIG = """# A dipontology workspace: `dipontology validate`, `accept`, `build` and `query` run inside this
# folder work on the data and shapes named here instead of the installed package's (which are read-only).
[workspace]
data = "data"
shapes = "shapes"
"""


def init(folder: str | os.PathLike[str]) -> Path:
    """Make a workspace in ``folder`` (new, or an empty folder): ``data/`` and ``shapes/`` copied from the
    package, and ``dipontology.toml``. Built beside ``folder`` and renamed into place, so it is complete or absent.

    :return: the workspace folder.
    :raises InputError: if ``folder`` exists and is not an empty folder.
    """
    target = Path(folder)
    if target.exists() and (not target.is_dir() or target.is_symlink() or any(target.iterdir())):
        raise InputError("the folder exists and is not empty", file=str(target),
                         fix="name a new folder: dipontology init my-workspace")
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise InputError(f"cannot create the workspace: {exc.strerror or exc}", file=str(target),
                         fix="choose a folder you can write to") from None
    try:
        mode = umask_mode(0o777)
        os.chmod(staging, mode)
        source = resources.root()
        for name in ("data", "shapes"):
            for path in sorted((source / name).rglob("*")):
                if path.is_file() and not any(p.startswith(".") for p in path.relative_to(source).parts):
                    dest = staging / path.relative_to(source)
                    write_bytes(dest, path.read_bytes(), sync_dir=False)
        write_text(staging / resources.CONFIG_NAME, CONFIG)
        for d in sorted(p for p in staging.rglob("*") if p.is_dir()):
            os.chmod(d, mode)
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target

