"""Where the packaged ontology, shapes, data, queries and checks live, and which data folder a command works on.

In a source checkout (an editable install) they are the repository's own ``ontology/``, ``shapes/`` and ``data/``
folders; in an installed wheel they are bundled inside the package under ``_bundled/`` (read-only).

The data and shapes a command works on are, in this order: those of a *workspace* (a folder with a
``dipontology.toml`` made by ``dipontology init DIR``) that holds the current directory; those of a dipontology
*checkout* that holds the current directory; otherwise the packaged ones. :func:`writable_data_dir` is where
``accept`` may write: the same, except that the packaged data is never written.

>>> ontology_file().name
'dipontology.ttl'
>>> sorted(p.name for p in data_files())[:1] != []
True
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

_PACKAGE = Path(__file__).resolve().parent

#: the workspace configuration file ``dipontology init`` writes
CONFIG_NAME = "dipontology.toml"


@dataclass(frozen=True)
class Workspace:
    """A folder the user owns with its own data and shapes (``dipontology init DIR``).

    :param root: the folder holding ``dipontology.toml``.
    :param data: its data folder.
    :param shapes: its shapes folder.
    """

    root: Path
    data: Path
    shapes: Path


def workspace(start: str | os.PathLike[str] | None = None) -> Workspace | None:
    """The workspace holding ``start`` (default: the current directory), or None.

    :raises InputError: if a ``dipontology.toml`` is found but cannot be used.
    """
    here = Path(start) if start is not None else Path.cwd()
    for folder in (here, *here.parents):
        config = folder / CONFIG_NAME
        if not config.is_file():
            continue
        try:
            doc = tomllib.loads(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"cannot read the workspace configuration: {exc}", file=str(config),
                             fix="repair it, or make a new workspace with: dipontology init DIR") from None
        section = doc.get("workspace")
        if not isinstance(section, dict) or not all(isinstance(section.get(k, ""), str) for k in ("data", "shapes")):
            raise InputError("the file has no [workspace] table with data and shapes folders", file=str(config),
                             fix='write [workspace] with data = "data" and shapes = "shapes"')
        data = (folder / section.get("data", "data")).resolve()
        shapes = (folder / section.get("shapes", "shapes")).resolve()
        for path in (data, shapes):
            if not path.is_relative_to(folder.resolve()):
                raise InputError(f"the folder {path} is outside the workspace", file=str(config),
                                 fix="name folders inside the workspace, relative to dipontology.toml")
        return Workspace(folder.resolve(), data, shapes)
    return None


def checkout(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The dipontology source checkout holding ``start`` (default: the current directory), or None: a folder with
    ``ontology/dipontology.ttl``, ``data/`` and a ``pyproject.toml`` of the project ``dipontology``."""
    here = Path(start) if start is not None else Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "ontology" / "dipontology.ttl").is_file() and (folder / "data").is_dir():
            try:
                project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8")).get("project", {})
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if isinstance(project, dict) and project.get("name") == "dipontology":
                return folder.resolve()
    return None


def bundled() -> bool:
    """True when the package's own ontology, shapes and data are the read-only copies inside the package."""
    return root() == _PACKAGE / "_bundled"


def root() -> Path:
    """The folder holding ``ontology/``, ``shapes/`` and ``data/``."""
    bundled = _PACKAGE / "_bundled"
    if (bundled / "ontology").is_dir():
        return bundled
    checkout = _PACKAGE.parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError(
        "cannot find the dipontology ontology: neither a bundled copy in the package nor a source checkout"
    )


def ontology_file() -> Path:
    """The ontology, ``ontology/dipontology.ttl``."""
    return root() / "ontology" / "dipontology.ttl"


def shapes_dir() -> Path:
    """The shapes folder: the workspace's or checkout's holding the current directory, else the packaged one."""
    ws = workspace()
    if ws is not None:
        return ws.shapes
    co = checkout()
    return co / "shapes" if co is not None else root() / "shapes"


def shapes_files() -> list[Path]:
    """Every SHACL shapes file, sorted."""
    return sorted(shapes_dir().glob("*.ttl"))


def data_dir() -> Path:
    """The data folder: the workspace's or checkout's holding the current directory, else the packaged ``data/``."""
    ws = workspace()
    if ws is not None:
        return ws.data
    co = checkout()
    return co / "data" if co is not None else root() / "data"


def writable_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data folder ``accept`` writes into: ``explicit`` (``--data-dir``), else the workspace or checkout holding
    the current directory, else the data of an editable install (a checkout). The packaged, installed data is never
    written.

    :raises InputError: when there is no data folder the user owns, naming what to do.
    """
    if explicit is not None:
        folder = Path(explicit)
        if not folder.is_dir():
            raise InputError("the data folder does not exist", file=str(folder),
                             fix="name an existing data folder, or make a workspace with: dipontology init DIR")
        return folder.resolve()
    ws = workspace()
    if ws is not None:
        if not ws.data.is_dir():
            raise InputError("the workspace's data folder does not exist", file=str(ws.data),
                             fix=f"create it, or correct the data folder in {ws.root / CONFIG_NAME}")
        return ws.data
    co = checkout()
    if co is not None:
        return co / "data"
    if not bundled():
        return root() / "data"
    raise InputError("there is no data folder of yours to add the contribution to: the installed package's data is "
                     "read-only",
                     fix="make a workspace with `dipontology init DIR` and run accept inside DIR, run it inside a "
                         "clone of the dipontology repository, or name a data folder with --data-dir DIR")


def data_files(folder: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every Turtle file of the published data (or of ``folder``, another data folder laid out the same way), sorted:
    shared records first, then each subfolder (``cases/``, ``mappings/``, ...) in name order. Hidden files (staging and
    temporary files start with a dot) are left out.

    :raises FileNotFoundError: if ``folder`` is not a folder.
    """
    d = Path(folder) if folder is not None else data_dir()
    if not d.is_dir():
        raise FileNotFoundError(f"the data folder does not exist: {d}")

    def visible(p: Path) -> bool:
        return not any(part.startswith(".") for part in p.relative_to(d).parts)

    nested = sorted((p for p in d.rglob("*.ttl") if p.parent != d and visible(p)),
                    key=lambda p: p.relative_to(d).parts)
    return sorted(p for p in d.glob("*.ttl") if visible(p)) + nested


def queries_dir() -> Path:
    """The named SPARQL query library (``.rq`` files)."""
    return _PACKAGE / "queries"


def checks_dir() -> Path:
    """The ontology quality rules (one ``.rq`` file per rule) and their profile."""
    return _PACKAGE / "checks"
