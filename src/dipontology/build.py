"""``dipontology.build``: kept so that ``from dipontology.build import build`` goes on working; the release lives in
the package :mod:`dipontology.release`."""
from __future__ import annotations

from .release import (DATASET_IRI, FILES_BASE, NO_TRACK, STAGES, BuildResult, Index, Site, Stage, build, htaccess,
                      load_sources, record_path, timeline_entries, void_triples)

__all__ = ["build", "BuildResult", "Stage", "STAGES", "record_path", "htaccess", "void_triples", "DATASET_IRI",
           "FILES_BASE", "Index", "Site", "load_sources", "NO_TRACK", "timeline_entries"]
