"""The published graph: the shipped ontology and data, parsed once, in the default graph.

The shipped files (``ontology/dipontology.ttl`` and ``data/**/*.ttl``) are trusted Turtle that the project itself
maintains and validates, so they are parsed by :func:`dipontology.load.trusted_triples` (pyoxigraph's fast parser,
the loader's error reporting, without the limits and the line map that :func:`dipontology.load.load_file` applies
to contributions). Everything goes into **one default graph** (no named graphs): the
named queries then read the same triples whether they run in-process or on a remote store that the graph was pushed
to with ``dipontology push`` (which writes the default graph, ``/store?default``).

The parsed triples are cached per process and re-read when a file changes (its size or modification time).

* :func:`published_files` -- the files, ontology first;
* :func:`published_triples` -- the asserted triples (pyoxigraph terms);
* :func:`inferred_triples` -- the asserted triples plus their OWL 2 RL closure: computed by
  :mod:`dipontology.inference` (the OWL 2 RL rules run to a fixpoint on pyoxigraph; fast), or with
  ``engine="owlrl"`` by owlrl on an rdflib copy (the reference implementation, 20-30 s on this graph), without the
  triples with a literal subject that owlrl emits (they are not RDF);
* :func:`published_store` -- a fresh in-memory pyoxigraph ``Store`` holding either;
* :func:`published_graph` -- the same as an rdflib ``Graph`` with the project prefixes bound;
* :func:`to_rdflib` / :func:`to_oxigraph` -- term conversion between the two libraries.

>>> g = published_graph()
>>> len(g) > 100
True
>>> from dipontology.namespaces import DIP
>>> (DIP.TrackTwo, None, None) in g
True
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from . import resources
from .inference import owl_rl_closure
from .load import trusted_triples
from .namespaces import bind_all
from .terms import copy_closure, to_oxigraph, to_rdflib  # noqa: F401 - the term toolkit, re-exported here

__all__ = [
    "published_files", "published_triples", "inferred_triples", "published_store", "published_graph",
    "triples_store", "triples_graph", "TripleView", "to_rdflib", "to_oxigraph", "parse_files",
]

_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = str(RDF.langString)
_lock = threading.Lock()
_cache: dict[tuple, tuple] = {}


def published_files() -> list[Path]:
    """The shipped Turtle files: the ontology first, then the data files (shared records, then cases)."""
    return [resources.ontology_file(), *resources.data_files()]


def _signature(files: Sequence[Path]) -> tuple:
    sig = []
    for f in files:
        st = Path(f).stat()
        sig.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(sig)


def parse_files(files: Iterable[Path]) -> list[ox.Triple]:
    """Parse trusted files (:func:`dipontology.load.trusted_triples`: pyoxigraph's parser, no limits, symbolic links
    refused) and return their triples, blank nodes kept apart per file; relative IRIs resolve against the file.

    :raises InputError: if a file is not valid (naming the file, line and column).
    """
    triples: list[ox.Triple] = []
    for f in files:
        path = Path(f)
        triples += trusted_triples(path, base_iri=path.resolve().as_uri())
    return triples


def _cached(kind: str, files: Sequence[Path]) -> tuple:
    """``kind``: ``asserted``, ``inferred`` (native OWL RL) or ``owlrl``."""
    key = (kind, _signature(files))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            return hit
    if kind == "asserted":
        value = tuple(parse_files(files))
    elif kind == "owlrl":
        value = tuple(_owlrl_closure(_cached("asserted", files)))
    else:
        value = tuple(owl_rl_closure(_cached("asserted", files)))
    with _lock:
        # drop stale entries of the same kind (a file changed)
        for k in [k for k in _cache if k[0] == kind]:
            del _cache[k]
        _cache[key] = value
    return value


def published_triples(files: Sequence[Path] | None = None) -> tuple[ox.Triple, ...]:
    """The asserted triples of ``files`` (default: the shipped ontology and data), cached per process."""
    return _cached("asserted", list(files) if files is not None else published_files())


def inferred_triples(files: Sequence[Path] | None = None, *, engine: str = "native") -> tuple[ox.Triple, ...]:
    """The asserted triples plus their OWL 2 RL closure, cached per process.

    :param engine: ``"native"`` (:func:`dipontology.inference.owl_rl_closure`, the default) or ``"owlrl"`` (the
        owlrl package on an rdflib copy: slow, kept as the reference the native rules are tested against).

    Triples with a literal subject (which owlrl emits but RDF does not allow) are never included, so every export
    of the inferred graph parses back.
    """
    if engine not in ("native", "owlrl"):
        raise ValueError(f"unknown inference engine {engine!r}")
    return _cached("inferred" if engine == "native" else "owlrl",
                   list(files) if files is not None else published_files())


def _owlrl_closure(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    import owlrl  # optional dependency: the slow reference engine, imported only when asked for

    g = triples_graph(triples)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    out: list[ox.Triple] = []
    for s, p, o in g:
        if isinstance(s, Literal) or not isinstance(p, URIRef):
            continue
        out.append(ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)))
    return out


def triples_store(triples: Iterable[ox.Triple]) -> ox.Store:
    """A fresh in-memory pyoxigraph store with ``triples`` in its default graph."""
    store = ox.Store()
    dg = ox.DefaultGraph()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, dg) for t in triples)
    return store


def published_store(*, inferred: bool = False, files: Sequence[Path] | None = None) -> ox.Store:
    """A fresh in-memory pyoxigraph store holding the published graph (with its OWL RL closure if ``inferred``).

    >>> store = published_store()
    >>> bool(store.query("ASK { ?s ?p ?o }"))
    True
    """
    return triples_store(inferred_triples(files) if inferred else published_triples(files))


def triples_graph(triples: Iterable[ox.Triple]) -> Graph:
    """An rdflib ``Graph`` (project prefixes bound) holding ``triples``."""
    g = bind_all(Graph())
    add = g.add
    for t in triples:
        add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


class TripleView:
    """Triples (pyoxigraph ``Triple`` objects) as rdflib terms, read-only: each distinct triple once (``len``,
    iteration) and the lookups by predicate (:meth:`subjects`, :meth:`subject_objects`), in the order an rdflib
    ``Graph`` filled with the same triples in the same order gives them (its ``pos`` index: objects in the order of
    their first triple, then subjects). What :func:`dipontology.reason.reason` reads of a graph, without a ``Graph``'s
    three indexes: at a million triples the copy into a ``Graph`` took 30-45 s and about 1 GB.

    Each term is converted once (a term used by many triples is one rdflib object), and a predicate's index is made
    on its first lookup.

    >>> from dipontology.namespaces import DIP
    >>> a, t = ox.NamedNode(DIP + "a"), ox.NamedNode(str(RDF.type))
    >>> v = TripleView([ox.Triple(a, t, ox.NamedNode(DIP + "C")), ox.Triple(a, t, ox.NamedNode(DIP + "C"))])
    >>> len(v), [str(o) for _s, o in v.subject_objects(RDF.type)]
    (1, ['https://w3id.org/dipontology/ontology#C'])
    """

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        memo: dict = {}

        def term(t):
            r = memo.get(t)
            if r is None:
                r = memo[t] = to_rdflib(t)
            return r

        self._triples = list(dict.fromkeys((term(t.subject), term(t.predicate), term(t.object)) for t in triples))
        self._pos: dict = {}

    def __iter__(self):
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def _index(self, predicate) -> dict:
        index = self._pos.get(predicate)
        if index is None:
            index = self._pos[predicate] = {}
            for s, p, o in self._triples:
                if p == predicate:
                    index.setdefault(o, {})[s] = None
        return index

    def subjects(self, predicate, object):  # noqa: A002 - rdflib's name
        """The subjects of the triples ``(?, predicate, object)``."""
        return iter(list(self._index(predicate).get(object, ())))

    def subject_objects(self, predicate):
        """``(subject, object)`` of the triples ``(?, predicate, ?)``."""
        for o, subjects in self._index(predicate).items():
            for s in subjects:
                yield s, o


def published_graph(*, inferred: bool = False, files: Sequence[Path] | None = None) -> Graph:
    """The published graph (or its OWL RL closure) as a new rdflib ``Graph`` with the project prefixes bound."""
    return triples_graph(inferred_triples(files) if inferred else published_triples(files))
