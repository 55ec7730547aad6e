"""The term toolkit: one place for what every stage does with single RDF terms.

* **CURIEs** -- :func:`curie` shortens an IRI with the project prefixes (:data:`dipontology.namespaces.PREFIXES`, or
  another prefix map such as the linking prefixes) through rdflib's ``NamespaceManager`` (the longest bound
  namespace wins), keeping only local names that any Turtle or SPARQL parser reads back (no trailing ``.``, no
  ``/``, ``#``, ``:`` or ``%``); :func:`expand` is the way back. :func:`display` is the short human form of any term
  (prefixed name, bare literal value, ``_:id``), :func:`plain_value` the plain Python value.
* **rdflib <-> pyoxigraph** -- :func:`to_rdflib` and :func:`to_oxigraph` convert single terms (lexical forms kept
  exactly; ``xsd:string`` literals are plain on both sides); :class:`RdflibTerms` converts many terms of one result,
  each distinct term once.
* **Blank-node closures** -- :func:`closure` walks from a node through the blank nodes it reaches (the concise
  description of a shape, path or record), over any source of triples; :func:`graph_closure` and
  :func:`copy_closure` are its rdflib forms.

>>> curie("https://w3id.org/dipontology/ontology#TrackTwo"), curie("http://example.org/x", brackets=True)
('dip:TrackTwo', '<http://example.org/x>')
>>> expand("case:oslo-back-channel")
'https://w3id.org/dipontology/id/case/oslo-back-channel'
>>> to_rdflib(to_oxigraph(Literal("Oslo", lang="en"))) == Literal("Oslo", lang="en")
True
"""
from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD, NamespaceManager
from rdflib.term import Node

from .namespaces import PREFIXES

__all__ = [
    "namespace_manager", "curie", "expand", "display", "plain_value", "to_rdflib", "to_oxigraph", "RdflibTerms",
    "is_blank", "closure", "graph_closure", "copy_closure",
]

# ----------------------------------------------------------------------------------------------------- CURIEs
#: a local name every Turtle and SPARQL parser reads back as written (a subset of PN_LOCAL: no escapes, no ``:`` or
#: ``%``, no trailing ``.``); the empty local name (the namespace itself) is allowed
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[\w.\-]*[\w\-])?|")
_XSD_STRING = str(XSD.string)
_NUMERIC = frozenset(str(x) for x in (XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long,
                                      XSD.nonNegativeInteger, XSD.positiveInteger))
_BOOLEAN = str(XSD.boolean)
#: rdflib's NamespaceManager caches every IRI it has compacted; start afresh after this many, so that compacting
#: every IRI of a large graph does not keep them all
_RESET_AFTER = 200_000


class _Manager:
    """A NamespaceManager with one prefix map bound, and a bound on its cache (see :data:`_RESET_AFTER`)."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.manager = NamespaceManager(Graph(), bind_namespaces="none")
        for prefix, ns in prefixes.items():
            self.manager.bind(prefix, ns, override=True, replace=True)
        self.prefixes = dict(prefixes)
        self.calls = 0
        self.lock = threading.Lock()

    def curie(self, iri: str) -> str | None:
        with self.lock:
            self.calls += 1
            if self.calls > _RESET_AFTER:
                self.manager.reset()
                self.calls = 0
            try:
                text = self.manager.curie(URIRef(iri), generate=False)
            except (KeyError, ValueError):  # no bound namespace fits
                return None
        if not _LOCAL.fullmatch(text.partition(":")[2]):
            return None
        return text


@functools.lru_cache(maxsize=16)
def _manager(items: tuple[tuple[str, str], ...]) -> _Manager:
    return _Manager(dict(items))


def _for(prefixes: Mapping[str, str] | None) -> _Manager:
    return _manager(tuple((prefixes or PREFIXES).items()))


def namespace_manager(prefixes: Mapping[str, str] | None = None) -> NamespaceManager:
    """The shared rdflib ``NamespaceManager`` with ``prefixes`` (default: the project prefixes) bound, and nothing
    else (rdflib's default bindings are left out). Do not bind more prefixes on it.

    >>> namespace_manager().expand_curie("dip:TrackTwo")
    rdflib.term.URIRef('https://w3id.org/dipontology/ontology#TrackTwo')
    """
    return _for(prefixes).manager


def curie(iri: str | URIRef | ox.NamedNode | BNode | None, prefixes: Mapping[str, str] | None = None, *,
          brackets: bool = False) -> str:
    """``prefix:local`` for an IRI in one of the namespaces of ``prefixes`` (default: the project prefixes; the
    longest namespace wins), else the IRI itself (``<iri>`` with ``brackets``, as Turtle and SPARQL write it).
    A blank node gives ``_:id``; ``None`` gives ``""``.

    >>> curie("https://w3id.org/dipontology/id/case/2020-accord")
    'case:2020-accord'
    >>> curie(URIRef("https://w3id.org/dipontology/id/source/a."))   # a trailing dot would not read back
    'https://w3id.org/dipontology/id/source/a.'
    >>> curie("http://purl.org/pav/createdBy", {"pav": "http://purl.org/pav/"})
    'pav:createdBy'
    >>> curie(BNode("b0")), curie(None)
    ('_:b0', '')
    """
    if iri is None:
        return ""
    if isinstance(iri, (BNode, ox.BlankNode)):
        return f"_:{iri}" if isinstance(iri, BNode) else str(iri)
    text = iri.value if isinstance(iri, ox.NamedNode) else str(iri)
    found = _curie(text, tuple((prefixes or PREFIXES).items()))
    if found is not None:
        return found
    return f"<{text}>" if brackets else text


@functools.lru_cache(maxsize=65_536)
def _curie(iri: str, items: tuple[tuple[str, str], ...]) -> str | None:
    return _manager(items).curie(iri)


def expand(text: str, prefixes: Mapping[str, str] | None = None) -> str:
    """The IRI a CURIE stands for under ``prefixes`` (default: the project prefixes); any other text (an IRI, a
    CURIE with an unknown prefix) is returned as it is.

    >>> expand("wd:Q801"), expand("http://example.org/x"), expand("nope:x")
    ('http://www.wikidata.org/entity/Q801', 'http://example.org/x', 'nope:x')
    """
    if "://" in text or text.startswith("urn:"):
        return text
    prefix, sep, local = text.partition(":")
    table = PREFIXES if prefixes is None else prefixes
    if sep and prefix in table:
        return table[prefix] + local
    return text


def display(term: Node | ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A short human form: a prefixed name for an IRI in a project namespace (else the IRI), the bare value of a
    literal, ``_:id`` for a blank node, ``""`` for ``None``.

    >>> display(URIRef("https://w3id.org/dipontology/ontology#TrackTwo")), display(Literal("Oslo", lang="en"))
    ('dip:TrackTwo', 'Oslo')
    """
    if term is None:
        return ""
    if isinstance(term, (URIRef, ox.NamedNode, BNode, ox.BlankNode)):
        return curie(term)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def plain_value(term: Node | None) -> Any:
    """A plain Python value: ``None``, ``str`` for IRIs, strings and dates, ``int``/``float``/``bool`` for numbers
    and booleans.

    >>> plain_value(Literal("42", datatype=XSD.integer)), plain_value(Literal("1993", datatype=XSD.gYear))
    (42, '1993')
    """
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = str(term.datatype) if term.datatype else ""
        if dt in _NUMERIC or dt == _BOOLEAN:
            value = term.toPython()
            if isinstance(value, Decimal):
                return float(value)
            if isinstance(value, (int, float, bool)):
                return value
        return str(term)
    return str(term)


# ------------------------------------------------------------------------------------------ rdflib <-> pyoxigraph
def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | None):
    """Convert a pyoxigraph term to the equal rdflib term (lexical forms kept exactly; ``xsd:string`` -> plain).

    >>> to_rdflib(ox.Literal("1926", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")))
    rdflib.term.Literal('1926', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gYear'))
    >>> to_rdflib(ox.Literal("Oslo", language="en"))
    rdflib.term.Literal('Oslo', lang='en')
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(dt), normalize=False)
    raise TypeError(f"unsupported RDF term (RDF-star triple terms are not used here): {term!r}")


def to_oxigraph(term):
    """Convert an rdflib term to the equal pyoxigraph term.

    :raises ValueError: an invalid IRI or language tag (pyoxigraph validates them).
    :raises TypeError: not an RDF term.

    >>> to_oxigraph(Literal("Oslo", lang="en"))
    <Literal value=Oslo language=en>
    """
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None or str(term.datatype) == _XSD_STRING:
            return ox.Literal(str(term))
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    raise TypeError(f"unsupported RDF term: {term!r}")


class RdflibTerms(dict):
    """pyoxigraph term -> the equal rdflib term, each distinct term converted once (``None`` -> ``None``).

    Query results repeat terms (the same IRIs, years, labels on many rows) and building an rdflib ``Literal`` costs
    about 12 us, so one converter per result shares each (immutable) rdflib term between rows. ``terms[t]`` stays
    in C for a term already seen.

    >>> conv = RdflibTerms()
    >>> a = conv[ox.NamedNode("http://example.org/a")]
    >>> a is conv[ox.NamedNode("http://example.org/a")], conv[None]
    (True, None)
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        self[None] = None

    def __missing__(self, term: Any) -> Node:
        value = self[term] = to_rdflib(term)
        return value


# ------------------------------------------------------------------------------------------------- closures
def is_blank(term: Any) -> bool:
    """Whether ``term`` is a blank node (rdflib or pyoxigraph)."""
    return isinstance(term, (BNode, ox.BlankNode))


def closure(node: Any, triples_of: Callable[[Any], Iterable[tuple]]) -> Iterator[tuple]:
    """The triples about ``node`` and, recursively, about the blank nodes they lead to, each node visited once.

    :param triples_of: the triples whose subject is a given node, ``(s, p, o)`` tuples or pyoxigraph triples.

    The walk is depth first: the triples of one node in the order ``triples_of`` gives them, then those of the
    blank node objects met, the last one first.

    >>> g = Graph()
    >>> _ = g.parse(data="<http://e/s> <http://e/p> [ <http://e/q> [ <http://e/r> 1 ] ] .", format="turtle")
    >>> len(list(closure(URIRef("http://e/s"), lambda n: g.triples((n, None, None)))))
    3
    """
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        for t in triples_of(n):
            yield t
            o = t[2] if isinstance(t, tuple) else t.object
            if isinstance(o, (BNode, ox.BlankNode)):
                stack.append(o)


def graph_closure(g: Graph, node: Any) -> list[tuple[Node, Node, Node]]:
    """The triples of the rdflib graph ``g`` about ``node`` and the blank nodes it reaches (see :func:`closure`)."""
    return list(closure(node, lambda n: g.triples((n, None, None))))


def copy_closure(src: Graph, node: Any, dst: Graph) -> None:
    """Copy into ``dst`` the triples of ``src`` about ``node`` and, recursively, about the blank nodes they lead
    to (the concise description of a shape, path or record)."""
    add = dst.add
    for t in closure(node, lambda n: src.triples((n, None, None))):
        add(t)
