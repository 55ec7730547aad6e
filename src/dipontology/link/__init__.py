"""Linking out: mapping sets, linksets (CSV, SSSOM, Turtle, VoID), code-validity checks, reconciliation against a
SPARQL endpoint, and federated named queries.

* :mod:`~dipontology.link.mappings` -- the mapping sets of ``data/mappings/`` as :class:`Mapping` records;
* :mod:`~dipontology.link.linksets` -- ``linkset(graph, target)``, ``to_csv``/``to_sssom``/``to_turtle``,
  ``parse_sssom`` and ``void_linksets(graph)``;
* :mod:`~dipontology.link.validity` -- ``code_validity(graph)``: COW/G-W codes used outside their validity window;
* :mod:`~dipontology.link.reconcile` -- ``reconcile(endpoint, ...)`` writes a review file, ``apply_review(...)``
  adds the accepted rows with their provenance;
* :mod:`~dipontology.link.federated` -- run ``federated-*`` named queries against another endpoint.

Nothing here reaches the network unless it is given an endpoint URL.
"""
from __future__ import annotations

from .linksets import (FORMATS, TARGETS, Link, Linkset, SSSOMDocument, linkset, parse_sssom, render, to_csv,
                       to_sssom, to_turtle, void_linksets)
from .mappings import (Mapping, MappingProblem, check_mappings, link_graph, load_mappings, mapping_files,
                       mapping_triples)

__all__ = [
    "FORMATS", "TARGETS", "Link", "Linkset", "SSSOMDocument", "linkset", "parse_sssom", "render", "to_csv",
    "to_sssom", "to_turtle", "void_linksets", "Mapping", "MappingProblem", "check_mappings", "link_graph",
    "load_mappings", "mapping_files", "mapping_triples",
]
