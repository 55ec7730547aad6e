"""Where the packaged ontology, shapes, data, queries and checks live.

In a source checkout (an editable install) they are the repository's own ``ontology/``, ``shapes/`` and ``data/``
folders; in an installed wheel they are bundled inside the package under ``_bundled/``.

>>> ontology_file().name
'dipontology.ttl'
>>> sorted(p.name for p in data_files())[:1] != []
True
"""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


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


def shapes_files() -> list[Path]:
    """Every SHACL shapes file, sorted."""
    return sorted((root() / "shapes").glob("*.ttl"))


def data_dir() -> Path:
    """The data folder (``data/``)."""
    return root() / "data"


def data_files(folder: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every Turtle file of the published data (or of ``folder``, another data folder laid out the same way), sorted: shared
    records first, then each subfolder (``cases/``, ``mappings/``, ...) in name order. Hidden files (staging and
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
