"""The release: a reproducible linked-data site built from the ontology and data (``dipontology build``).

- :mod:`.pipeline` -- the gates (check, reason, validate, queries) and the atomic writing of ``dist/``;
- :mod:`.site` -- the pages (Jinja2 templates in ``templates/``), with :mod:`.account` (a record as sourced
  sentences), :mod:`.cite` (sources and cite-as), :mod:`.terms` (the ontology documentation);
- :mod:`.pictures` -- the network and timeline SVGs;
- :mod:`.dataset` -- VoID/DCAT, the w3id ``.htaccess``, the search index and the SPARQL editor's examples.

Every RDF file of the release is written by :mod:`dipontology.export`, every file through
:func:`dipontology.atomic.write_bytes`.
"""
from __future__ import annotations

from .dataset import DATASET_IRI, htaccess, void_triples
from .model import FILES_BASE, Index, load_sources, record_path
from .pictures import NO_TRACK, timeline_entries
from .pipeline import STAGES, BuildResult, Stage, build
from .site import Site

__all__ = ["build", "BuildResult", "Stage", "STAGES", "record_path", "htaccess", "void_triples", "DATASET_IRI",
           "FILES_BASE", "Index", "Site", "load_sources", "NO_TRACK", "timeline_entries"]
