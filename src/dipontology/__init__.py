"""dipontology: a knowledge graph of diplomacy beyond governments.

The package turns three hand-edited sources of truth (the OWL ontology, the SHACL shapes and the Turtle case-study
data) into answers: ontology checks, reasoning, validation, SPARQL queries, exports and a release.

>>> import dipontology
>>> dipontology.__version__.count(".") >= 2
True
"""
from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("dipontology")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
    __version__ = "0.0.0+unknown"


def __getattr__(name: str):  # PEP 562: import the query stack on first use of ``dipontology.query``
    """``dipontology.query("name", **params)`` runs a named query (the module :mod:`dipontology.query` is callable)."""
    if name == "query":
        return importlib.import_module(f"{__name__}.query")
    raise AttributeError(f"module 'dipontology' has no attribute {name!r}")


__all__ = ["__version__"]
