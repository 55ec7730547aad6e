"""Federated named queries: join our graph with another SPARQL endpoint through ``SERVICE``.

The queries live in ``queries/federated/federated-*.rq`` with the same header as the named query library (title,
description, param, example). Each one names its remote endpoint ``SERVICE ?service``; :func:`run_federated` puts
the endpoint you give in its place, as a validated IRI serialised by pyoxigraph (never pasted text), and runs the
query on our graph: the embedded store, or any endpoint holding it (``dipontology push``). Nothing runs unless
``allow_service`` is true: a federated query makes the store fetch from another server.

They are kept apart from the main library (``queries/*.rq``) because the library's consumers run every query
without ``SERVICE``.

>>> sorted(federated_queries())
['federated-country-items', 'federated-peace-treaties']
>>> run_federated("federated-country-items", "http://127.0.0.1:9/sparql")
Traceback (most recent call last):
...
dipontology.errors.InputError: federated-country-items joins with another endpoint (http://127.0.0.1:9/sparql) through SERVICE (fix: pass --allow-service (allow_service=True) to let the store contact it)
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import resources
from ..errors import InputError
from ..query import NamedQuery, Parameter, get, library
from ..store import DEFAULT_TIMEOUT, Backend, QueryResult, open_store, serialize_term

__all__ = ["federated_dir", "federated_queries", "federated_text", "run_federated"]

_SERVICE_VAR = re.compile(r"\bSERVICE\s+\?service\b", re.IGNORECASE)


def federated_dir() -> Path:
    """The folder of the federated named queries."""
    return resources.queries_dir() / "federated"


def federated_queries() -> dict[str, NamedQuery]:
    """Every federated named query, by name."""
    return library(federated_dir())


def federated_text(nq: NamedQuery, service: str) -> str:
    """The query text with ``SERVICE ?service`` replaced by the endpoint IRI.

    :raises InputError: if ``service`` is not an http(s) IRI or the query has no ``SERVICE ?service``.
    """
    iri = Parameter("service", "iri").bind(service)
    if not str(iri).startswith(("http://", "https://")):
        raise InputError(f"the service endpoint must be an http(s) URL, not {service!r}",
                         fix="give e.g. --service https://query.wikidata.org/sparql")
    if not _SERVICE_VAR.search(nq.text):
        raise InputError(f"{nq.name} has no 'SERVICE ?service' clause", file=nq.source,
                         fix="write the remote part as SERVICE ?service { ... }")
    term = serialize_term(iri)
    return _SERVICE_VAR.sub(lambda _m: f"SERVICE {term}", nq.text)


def run_federated(name: str, service: str | None = None, *, store: Backend | None = None,
                  endpoint: str | None = None, params: Mapping[str, Any] | None = None, allow_service: bool = False,
                  timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Run the federated named query ``name`` on our graph, joined with the endpoint ``service``.

    :param service: the other endpoint (default: the query's ``service`` parameter default, Wikidata).
    :param store: where our graph is (default: ``endpoint``, else the embedded store).
    :param endpoint: a SPARQL endpoint holding our graph, instead of the embedded store.
    :param params: the query's other parameters.
    :param allow_service: must be true: the store will contact ``service``.
    :raises InputError: without ``allow_service``, for an unknown query, a bad URL or a failed request.
    """
    nq = get(name, federated_dir())
    service = service or nq.param("service").default or ""
    if not allow_service:
        raise InputError(f"{name} joins with another endpoint ({service}) through SERVICE",
                         fix="pass --allow-service (allow_service=True) to let the store contact it")
    text = federated_text(nq, service)
    bound = NamedQuery(name=nq.name, text=text, title=nq.title, description=nq.description,
                       parameters=nq.parameters, example=nq.example, path=nq.path)
    backend = store or open_store(endpoint, timeout=timeout)
    return bound.run(backend, {**dict(params or {}), "service": service}, allow_service=True)
