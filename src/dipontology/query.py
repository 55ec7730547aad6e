"""The named query library: documented SPARQL files with typed parameters, run on any store.

Each ``queries/<name>.rq`` starts with a header of comment lines, one ``key: value`` per line (a value continues on
following comment lines indented by two or more spaces)::

    # title: Case studies by track
    # description: Every case study that some source places on a track, with the source and the period.
    # param: track | track | TrackTwo | the track (a dip:DiplomacyTrack local name, label or IRI)
    # example: dipontology query cases-by-track --param track=CitizenDiplomacy

``param`` is ``name | type | default | description``; the default is a value, ``(none)`` (left unbound: the query
then covers every value) or ``(required)``. Types:

=========  ==========================================================================================  ===============
type       accepts                                                                                     bound as
=========  ==========================================================================================  ===============
iri        a prefixed name (``case:oslo-back-channel``) or an absolute ``http(s)``/``urn`` IRI          IRI
class      an ontology class: local name (``CulturalExchange``), ``dip:`` name or IRI                  IRI
track      a diplomacy track: local name (``TrackTwo``), label (``Track II diplomacy``), alt label, IRI IRI
string     any non-empty text                                                                          ``xsd:string``
integer    a whole number                                                                              ``xsd:integer``
year       a year, four digits                                                                         ``xsd:integer``
lang       a BCP 47 language tag (``en``, ``pt-BR``)                                                   ``xsd:string``
source     a source (``source:malek-chigas-2013``, a slug), an author or publisher (``Malek``,          a set of IRIs
           ``Diplo``), or a kind: ``articles``, ``reference``, ``literature``
=========  ==========================================================================================  ===============

A parameter ``?name`` is bound as an RDF term, never pasted into the query text: the embedded store substitutes the
variable (pyoxigraph ``substitutions``); a remote endpoint gets a ``VALUES`` block of escaped terms at the start of
the WHERE clause. A value that does not fit its type is an :class:`~dipontology.errors.InputError`.

A ``source`` parameter names a *set* of sources, looked up in the store the query runs on (:class:`SourceChoice`):
a source IRI or prefixed name (``source:malek-chigas-2013``) or its slug (``malek-chigas-2013``); an author,
publisher or contributor, matched as whole words, ignoring case, in ``dcterms:creator``, ``dcterms:publisher`` and
``dcterms:contributor`` (``Malek``, ``Diplo``, ``McDonald``); or a kind of source: ``articles`` (the source
articles, ``dip:SourceArticle``), ``reference`` (reference pages and works, ``dip:ReferenceWork`` and its
subclasses) or ``literature`` (every other ``dip:Source``). The set is found by a fixed query (the value never
enters SPARQL) and the named query keeps only the rows whose ``?source`` is one of those IRIs: a
``FILTER(?source IN (<iri>, ...))`` of IRIs taken from the store and serialised as escaped terms (for more than a
dozen, a test of membership in one string literal that lists them: :func:`source_condition`), placed first in the
WHERE clause, so that it works the same on the embedded store and on any endpoint. A query can instead place the
restriction itself, on any variable and in any group, with a directive comment line ``#@source ?var`` (several
allowed): each becomes ``FILTER(?var IN (...))`` where it stands, and stays a comment when the parameter is not
given. An unknown source, author or kind is an :class:`~dipontology.errors.InputError` that names the known ones.

>>> r = query("track-labels")
>>> "dip:TrackTwo" in [display(row[0]) for row in r.rows]
True

Regenerate ``docs/queries.md`` with ``python -m dipontology.query --write-docs``.
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
import threading
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

import pyoxigraph as ox

from . import graph as _graph
from . import resources
from .atomic import write_text
from .errors import InputError
from .namespaces import DIP, PREFIXES
from .store import (DEFAULT_TIMEOUT, Backend, Embedded, QueryInfo, QueryResult, _where_brace, check_query, open_store,
                    serialize_term, time_limited)
from .terms import display

__all__ = [
    "PARAM_TYPES", "Parameter", "SourceChoice", "SourceIndex", "SOURCE_KINDS", "source_condition",
    "restrict_sources", "NamedQuery", "library", "get", "query", "run", "parse_header", "docs_markdown",
    "write_docs", "docs_path", "display",
]

PARAM_TYPES = ("iri", "class", "track", "string", "integer", "year", "lang", "source")
#: names that ``query()`` takes itself, so a parameter cannot use them
RESERVED = {"name", "store", "endpoint", "inferred", "allow_service", "timeout", "params"}
_HEADER_KEYS = {"title", "description", "param", "example"}
_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ABS_IRI = re.compile(r"^(?:https?://|urn:)[^\s<>\"{}|^`\\]+$")
_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


# ---------------------------------------------------------------------------------------------- vocabularies
_vocab_lock = threading.Lock()
_vocab_cache: dict[str, Any] = {}


def _vocabulary() -> dict[str, dict[str, str]]:
    """Tracks and classes of the shipped ontology: lookup key (lower case) -> IRI."""
    triples = _graph.parse_files([resources.ontology_file()]) if "ontology" not in _vocab_cache else None
    with _vocab_lock:
        if "ontology" not in _vocab_cache:
            g = _graph.triples_graph(triples or [])
            track_classes = {DIP.DiplomacyTrack, DIP.OfficialnessLevel, DIP.MultiTrackSector}
            tracks: dict[str, str] = {}
            for cls in track_classes:
                for s in g.subjects(RDF.type, cls):
                    if not isinstance(s, URIRef):
                        continue
                    local = str(s).split("#")[-1]
                    tracks.setdefault(local.lower(), str(s))
                    for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
                        for lab in g.objects(s, p):
                            key = str(lab).strip().lower()
                            tracks.setdefault(key, str(s))
                            if key.endswith(" diplomacy"):  # "Track II diplomacy" -> also "track ii"
                                tracks.setdefault(key[: -len(" diplomacy")], str(s))
            classes: dict[str, str] = {}
            for s in g.subjects(RDF.type, OWL.Class):
                if isinstance(s, URIRef) and str(s).startswith(str(DIP)):
                    classes[str(s)[len(str(DIP)):].lower()] = str(s)
            _vocab_cache["ontology"] = {"tracks": tracks, "classes": classes}
        return _vocab_cache["ontology"]


# ------------------------------------------------------------------------------------------------ parameters
@dataclass(frozen=True)
class Parameter:
    """A typed parameter of a named query (bound to the variable ``?name``).

    >>> p = Parameter("year", "year", "1990", "from this year on")
    >>> p.bind("1993")
    rdflib.term.Literal('1993', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    >>> p.bind("1993 } UNION { ?s ?p ?o")
    Traceback (most recent call last):
    ...
    dipontology.errors.InputError: parameter year: '1993 } UNION { ?s ?p ?o' is not a year (fix: give four digits, e.g. 1993)
    """

    name: str
    type: str
    default: str | None = None
    description: str = ""
    required: bool = False

    @property
    def optional(self) -> bool:
        """Left unbound when no value is given."""
        return self.default is None and not self.required

    def bind(self, value: Any) -> Node | SourceChoice:
        """The RDF term for ``value`` (a string from the command line, or a Python value); for a ``source``
        parameter, the :class:`SourceChoice` it names (looked up in the store when the query runs).

        :raises InputError: if the value does not fit the parameter's type.
        """
        name, t = self.name, self.type
        if isinstance(value, (URIRef, Literal)) and t in ("iri", "class", "track", "source"):
            value = str(value)
        if t == "integer":
            if isinstance(value, bool):
                raise InputError(f"parameter {name}: {value!r} is not an integer", fix="give a whole number")
            if isinstance(value, int):
                return Literal(str(value), datatype=XSD.integer)
            text = str(value).strip()
            if not re.fullmatch(r"[+-]?[0-9]{1,18}", text):
                raise InputError(f"parameter {name}: {value!r} is not an integer", fix="give a whole number, e.g. 2")
            return Literal(str(int(text)), datatype=XSD.integer)
        if t == "year":
            text = str(value).strip() if not isinstance(value, bool) else "x"
            if not re.fullmatch(r"[0-9]{4}", text):
                raise InputError(f"parameter {name}: {value!r} is not a year", fix="give four digits, e.g. 1993")
            return Literal(str(int(text)), datatype=XSD.integer)
        if not isinstance(value, str):
            raise InputError(f"parameter {name}: expected text, got {type(value).__name__}",
                             fix=f"give a {t} as a string")
        if t == "string":
            if value == "":
                raise InputError(f"parameter {name}: empty text", fix="give some text")
            if "\x00" in value:
                raise InputError(f"parameter {name}: text contains a NUL character", fix="remove it")
            return Literal(value)
        if t == "lang":
            if not _LANG_RE.fullmatch(value):
                raise InputError(f"parameter {name}: {value!r} is not a language tag", fix="give e.g. en or pt-BR")
            return Literal(value.lower())
        if t == "iri":
            return URIRef(_expand_iri(name, value))
        if t == "source":
            return SourceChoice.parse(name, value)
        if t in ("track", "class"):
            vocab = _vocabulary()["tracks" if t == "track" else "classes"]
            key = value.strip()
            if key.startswith("<") and key.endswith(">"):
                key = key[1:-1]
            if key.startswith(str(DIP)):
                key = key[len(str(DIP)):]
            elif key.lower().startswith("dip:"):
                key = key[4:]
            iri = vocab.get(key.lower())
            if iri is None:
                names = sorted({v[len(str(DIP)):] for v in vocab.values()})
                close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
                hint = f"did you mean {', '.join(close)}?" if close else f"one of {', '.join(names[:12])}" + (
                    ", ..." if len(names) > 12 else "")
                what = "diplomacy track" if t == "track" else "ontology class"
                raise InputError(f"parameter {name}: {value!r} is not a {what} of the ontology", fix=hint)
            return URIRef(iri)
        raise InputError(f"parameter {name}: unknown type {t!r}", fix=f"use one of {', '.join(PARAM_TYPES)}")


def _expand_iri(name: str, value: str) -> str:
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        if not re.fullmatch(r"[A-Za-z0-9_\-.%]*", local):
            raise InputError(f"parameter {name}: {value!r} is not a valid prefixed name",
                             fix="use letters, digits, -, _ and . after the prefix")
        text = PREFIXES[prefix] + local
    if not _ABS_IRI.fullmatch(text):
        raise InputError(f"parameter {name}: {value!r} is not an IRI",
                         fix="give a prefixed name such as case:oslo-back-channel or an http(s) IRI")
    try:
        ox.NamedNode(text)
    except ValueError as exc:
        raise InputError(f"parameter {name}: {value!r} is not a valid IRI: {exc}", fix="correct the IRI") from None
    return text


# ------------------------------------------------------------------------------------------------- sources
#: the kinds of source a ``source`` parameter accepts (and their other spellings) -> what they cover
SOURCE_KINDS = {
    "articles": "the source articles (dip:SourceArticle)",
    "reference": "reference pages and works (dip:ReferenceWork and its subclasses)",
    "literature": "every other source (books, scholarly and web articles)",
}
_KIND_ALIASES = {
    "articles": "articles", "article": "articles", "source-articles": "articles", "source articles": "articles",
    "reference": "reference", "references": "reference", "reference-pages": "reference",
    "reference pages": "reference", "reference-works": "reference",
    "literature": "literature",
}
_SOURCE_NS = PREFIXES["source"]
_WORDS = re.compile(r"\w+")
_DIRECTIVE = re.compile(r"^([ \t]*)#@([A-Za-z_][A-Za-z0-9_]*)[ \t]+\?([A-Za-z_][A-Za-z0-9_]*)[ \t]*$", re.M)

#: the one query that reads the sources of a store: no parameter, no user input
SOURCE_INDEX_QUERY = """SELECT DISTINCT ?source ?kind ?name
WHERE {
  { SELECT ?class WHERE { ?class rdfs:subClassOf* dip:Source } }
  ?source a ?class .
  OPTIONAL {
    VALUES (?top ?kind) { (dip:SourceArticle "articles") (dip:ReferenceWork "reference") }
    ?class rdfs:subClassOf* ?top .
  }
  OPTIONAL {
    VALUES ?agentProperty { dcterms:creator dcterms:publisher dcterms:contributor }
    ?source ?agentProperty ?name .
  }
}"""


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.casefold())


def _contains_words(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def _hint(given: str, candidates: list[str], what: str, listing: str) -> str:
    """``did you mean ...?`` with the closest candidates (ignoring case), else the first known ones."""
    lowered: dict[str, str] = {}
    for c in candidates:
        lowered.setdefault(c.casefold(), c)
    close = [lowered[c] for c in difflib.get_close_matches(given.casefold(), list(lowered), n=3, cutoff=0.6)]
    if close:
        return f"did you mean {', '.join(close)}? ({listing} lists every one)"
    shown = ", ".join(candidates[:12]) + (", ..." if len(candidates) > 12 else "")
    return f"known {what}: {shown}"


@dataclass(frozen=True)
class SourceIndex:
    """The sources of one store: IRI -> (kind, author/publisher/contributor names), read by
    :data:`SOURCE_INDEX_QUERY`."""

    kinds: dict[URIRef, str]
    names: dict[URIRef, tuple[str, ...]]

    @classmethod
    def of(cls, store: Backend) -> SourceIndex:
        """Read the sources of ``store`` (one fixed query, the same on every backend)."""
        result = store.query(SOURCE_INDEX_QUERY, source="<source index>")
        found: dict[URIRef, set[str]] = {}
        names: dict[URIRef, set[str]] = {}
        for src, kind, name in result.rows:
            if not isinstance(src, URIRef):
                continue
            found.setdefault(src, set())
            names.setdefault(src, set())
            if kind is not None:
                found[src].add(str(kind))
            if name is not None and str(name).strip():
                names[src].add(str(name).strip())
        kinds = {s: ("articles" if "articles" in k else "reference" if "reference" in k else "literature")
                 for s, k in found.items()}
        return cls(kinds=kinds, names={s: tuple(sorted(n)) for s, n in names.items()})

    def display_names(self) -> list[str]:
        """Every author, publisher and contributor name, then the words of four letters or more in them."""
        names = sorted({n for ns in self.names.values() for n in ns}, key=str.casefold)
        words = sorted({w for n in names for w in _WORDS.findall(n) if len(w) >= 4} - set(names), key=str.casefold)
        return names + words

    def short_names(self) -> list[str]:
        return sorted(display(s) for s in self.kinds)


@dataclass(frozen=True)
class SourceChoice:
    """The value of a ``source`` parameter: which sources to keep. :meth:`parse` checks its form; :meth:`resolve`
    looks it up in a store's :class:`SourceIndex` and gives the IRIs of the sources it names.

    >>> SourceChoice.parse("source", "Articles").kind, SourceChoice.parse("source", "source:torgesen-2025").iri
    ('articles', 'https://w3id.org/dipontology/id/source/torgesen-2025')
    >>> SourceChoice.parse("source", 'Malek" } UNION { ?s ?p ?o').name  # a name is only ever compared in Python
    'Malek" } UNION { ?s ?p ?o'
    """

    param: str
    given: str
    kind: str | None = None
    iri: str | None = None
    name: str | None = None

    @classmethod
    def parse(cls, param: str, value: Any) -> SourceChoice:
        if not isinstance(value, str):
            raise InputError(f"parameter {param}: expected text, got {type(value).__name__}",
                             fix="give a source IRI, an author or publisher, or articles, reference or literature")
        text = value.strip()
        if not text or "\x00" in text or len(text) > 500:
            raise InputError(f"parameter {param}: {value!r} is not a source",
                             fix="give a source IRI, an author or publisher, or articles, reference or literature")
        kind = _KIND_ALIASES.get(" ".join(text.casefold().split()))
        if kind:
            return cls(param, text, kind=kind)
        prefix, sep, _ = text.partition(":")
        if text.startswith("<") or (sep and prefix in PREFIXES) or re.match(r"^(?:https?|urn):", text, re.I):
            return cls(param, text, iri=_expand_iri(param, text))
        if not _words(text):
            raise InputError(f"parameter {param}: {value!r} is not a source",
                             fix="give a source IRI, an author or publisher, or articles, reference or literature")
        return cls(param, text, name=text)

    def resolve(self, index: SourceIndex) -> list[URIRef]:
        """The IRIs of the sources this value names, sorted.

        :raises InputError: an IRI that is no source of the store, or a name no source has (with the known ones).
        """
        p = self.param
        if self.kind:
            return sorted(s for s, k in index.kinds.items() if k == self.kind)
        if self.iri:
            iri = URIRef(self.iri)
            if iri in index.kinds:
                return [iri]
            raise InputError(f"parameter {p}: {self.given!r} is not a source of the graph",
                             fix=_hint(display(iri), index.short_names(), "sources", "`dipontology query sources`"))
        assert self.name is not None
        if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", self.name) and URIRef(_SOURCE_NS + self.name) in index.kinds:
            return [URIRef(_SOURCE_NS + self.name)]
        wanted = _words(self.name)
        hits = sorted(s for s, names in index.names.items() if any(_contains_words(_words(n), wanted) for n in names))
        if hits:
            return hits
        kinds = ", ".join(SOURCE_KINDS)
        raise InputError(
            f"parameter {p}: no source has {self.given!r} as (part of) its author, publisher or contributor",
            fix=_hint(self.name, list(SOURCE_KINDS) + index.display_names(), "authors and publishers",
                      "`dipontology query sources`")
            + f"; or give a kind ({kinds}) or a source such as source:malek-chigas-2013")


#: above this many sources, the filter tests membership in one string literal instead of listing IRIs with IN:
#: rdflib's parser (which checks every query) takes about 3 ms per listed term
_IN_LIMIT = 12


def source_condition(var: str, iris: list[URIRef]) -> str:
    """The filter that keeps a row when ``?var`` is one of ``iris`` (each serialised and escaped as an N-Triples
    term): ``FILTER(?var IN (<iri>, ...))``, or for a long list one string literal of the IRIs, each between ``<``
    and ``>`` (which no IRI contains), with ``?var`` found in it; no IRI keeps no row.

    >>> source_condition("source", [URIRef("https://w3id.org/dipontology/id/source/a")])
    'FILTER(?source IN (<https://w3id.org/dipontology/id/source/a>))'
    >>> source_condition("s", [])
    'FILTER(false)'
    """
    if not _VAR_RE.fullmatch(var):
        raise InputError(f"invalid variable name {var!r}", fix="use letters, digits and _")
    terms = [serialize_term(URIRef(i)) for i in iris]
    if not terms:
        return "FILTER(false)"
    if len(terms) <= _IN_LIMIT:
        return f"FILTER(?{var} IN ({', '.join(terms)}))"
    listing = serialize_term(Literal(" " + " ".join(terms) + " "))
    return f'FILTER(isIRI(?{var}) && CONTAINS({listing}, CONCAT(" <", STR(?{var}), "> ")))'


def restrict_sources(text: str, sources: Mapping[str, list[URIRef]]) -> str:
    """``text`` with each ``source`` parameter bound to its set of sources: every directive line ``#@name ?var``
    becomes the filter :func:`source_condition` gives for ``?var``; a parameter with no directive restricts
    ``?name`` with a filter placed first in the WHERE clause (whose scope is the whole clause).

    >>> print(restrict_sources("SELECT ?source WHERE {\\n  ?x dcterms:source ?source\\n  #@source ?other\\n}",
    ...                        {"source": [URIRef("https://w3id.org/dipontology/id/source/a")]}))
    SELECT ?source WHERE {
      ?x dcterms:source ?source
      FILTER(?other IN (<https://w3id.org/dipontology/id/source/a>))
    }
    """
    placed: set[str] = set()

    def replace(m: re.Match) -> str:
        indent, name, var = m.groups()
        if name not in sources:
            return m.group(0)
        placed.add(name)
        return indent + source_condition(var, sources[name])

    out = _DIRECTIVE.sub(replace, text)
    rest = [n for n in sources if n not in placed]
    if rest:
        at, short_construct = _where_brace(out)
        if short_construct:
            raise InputError("a source parameter cannot restrict a CONSTRUCT WHERE { } short form",
                             fix="write CONSTRUCT { ... } WHERE { ... }")
        block = " ".join(source_condition(n, sources[n]) for n in rest)
        out = out[:at + 1] + " " + block + "\n" + out[at + 1:]
    return out


# ---------------------------------------------------------------------------------------------- named queries
@dataclass
class NamedQuery:
    """One documented query of the library (or a user's ``.rq`` file)."""

    name: str
    text: str
    title: str = ""
    description: str = ""
    parameters: list[Parameter] = field(default_factory=list)
    example: str = ""
    path: Path | None = None

    @property
    def source(self) -> str:
        return str(self.path) if self.path else f"<query {self.name}>"

    def info(self) -> QueryInfo:
        """The parsed query's kind (refuses SERVICE, FROM, updates)."""
        return check_query(self.text, source=self.source)

    def param(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise InputError(f"query {self.name} has no parameter {name!r}", fix=f"its parameters: {known}")

    def bindings(self, params: Mapping[str, Any] | None = None) -> dict[str, Node | SourceChoice]:
        """Typed RDF terms for ``params`` plus the defaults of the parameters not given (a ``source`` parameter
        gives its :class:`SourceChoice`, resolved by :meth:`prepare`).

        :raises InputError: an unknown parameter, a missing required one, or a value of the wrong type.
        """
        params = dict(params or {})
        out: dict[str, Node] = {}
        for name in params:
            self.param(name)
        for p in self.parameters:
            if p.name in params and params[p.name] is not None:
                out[p.name] = p.bind(params[p.name])
            elif p.required:
                raise InputError(f"query {self.name} needs the parameter {p.name} ({p.type}: {p.description})",
                                 fix=f"add --param {p.name}=VALUE")
            elif p.default is not None:
                out[p.name] = p.bind(p.default)
        return out

    def prepare(self, store: Backend, params: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Node]]:
        """The query text to run on ``store`` and the RDF terms to bind: ``source`` parameters are looked up in the
        store (:class:`SourceIndex`) and become filters of IRIs in the text (:func:`restrict_sources`); the other
        parameters stay bindings.

        :raises InputError: as :meth:`bindings`, or a source that the store does not know.
        """
        bindings = self.bindings(params)
        terms = {k: v for k, v in bindings.items() if not isinstance(v, SourceChoice)}
        choices = {k: v for k, v in bindings.items() if isinstance(v, SourceChoice)}
        if not choices:
            return self.text, terms
        index = SourceIndex.of(store)
        return restrict_sources(self.text, {k: c.resolve(index) for k, c in choices.items()}), terms

    def run(self, store: Backend | None = None, params: Mapping[str, Any] | None = None, *,
            allow_service: bool = False, timeout: float | None = None) -> QueryResult:
        """Run on ``store`` (default: the shared embedded store) with typed ``params``.

        :param timeout: stop waiting after this many seconds (see :meth:`dipontology.store.Backend.query`); it
            bounds the lookup of a ``source`` parameter and the query together.
        """
        store = store or open_store()

        def go() -> QueryResult:
            text, bindings = self.prepare(store, params)
            return store.query(text, bindings=bindings, allow_service=allow_service, source=self.source)

        if isinstance(store, Embedded):
            return time_limited(go, timeout)
        text, bindings = self.prepare(store, params)
        return store.query(text, bindings=bindings, allow_service=allow_service, source=self.source, timeout=timeout)


def parse_header(text: str, *, source: str = "<query>") -> dict[str, Any]:
    """Read the leading comment header of a ``.rq`` file.

    :return: ``{"title": str, "description": str, "example": str, "param": [Parameter, ...]}`` (missing keys absent)
    :raises InputError: on a malformed ``param`` line or an unknown key.

    >>> h = parse_header("# title: T\\n# description: one\\n#   two\\n# param: y | year | 1990 | from\\nSELECT * {}")
    >>> h["description"], h["param"][0].default
    ('one two', '1990')
    """
    entries: list[tuple[str, str, int]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        body = stripped[1:]
        m = re.match(r"^ ?([a-z]+):\s?(.*)$", body)
        if m and not body.startswith("  ") and m.group(1) in _HEADER_KEYS:
            entries.append((m.group(1), m.group(2).strip(), lineno))
        elif body.startswith("  ") and entries:
            key, value, ln = entries[-1]
            entries[-1] = (key, (value + " " + body.strip()).strip(), ln)
        elif m and not body.startswith("  "):
            raise InputError(f"unknown header key {m.group(1)!r}", file=source, line=lineno,
                             fix=f"use one of {', '.join(sorted(_HEADER_KEYS))}")
        # other comment lines are free text and ignored
    out: dict[str, Any] = {"param": []}
    for key, value, ln in entries:
        if key == "param":
            out["param"].append(_parse_param(value, source, ln))
        elif key in out:
            raise InputError(f"header key {key!r} given twice", file=source, line=ln, fix="keep one")
        else:
            out[key] = value
    names = [p.name for p in out["param"]]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise InputError(f"parameter {sorted(dupes)[0]!r} declared twice", file=source, fix="keep one")
    return out


def _parse_param(value: str, source: str, line: int) -> Parameter:
    parts = [p.strip() for p in value.split("|")]
    if len(parts) != 4:
        raise InputError("a param line needs four fields: name | type | default | description", file=source,
                         line=line, fix="e.g. # param: track | track | TrackTwo | the track")
    name, typ, default, desc = parts
    if not _VAR_RE.fullmatch(name) or name in RESERVED:
        raise InputError(f"invalid parameter name {name!r}", file=source, line=line,
                         fix="letters, digits and _, not one of " + ", ".join(sorted(RESERVED)))
    if typ not in PARAM_TYPES:
        raise InputError(f"unknown parameter type {typ!r}", file=source, line=line,
                         fix=f"use one of {', '.join(PARAM_TYPES)}")
    required = default == "(required)"
    dflt = None if default in ("(none)", "(required)") else default
    if default == "":
        raise InputError("empty default", file=source, line=line, fix="give a value, (none) or (required)")
    return Parameter(name=name, type=typ, default=dflt, description=desc, required=required)


def from_text(text: str, *, name: str = "query", path: Path | None = None, strict: bool = False) -> NamedQuery:
    """A :class:`NamedQuery` from ``.rq`` text; ``strict`` requires title, description and example."""
    source = str(path) if path else f"<query {name}>"
    header = parse_header(text, source=source)
    if strict:
        for key in ("title", "description", "example"):
            if not header.get(key):
                raise InputError(f"the header has no {key!r}", file=source, line=1, fix=f"add '# {key}: ...'")
    nq = NamedQuery(name=name, text=text, title=header.get("title", ""), description=header.get("description", ""),
                    parameters=header["param"], example=header.get("example", ""), path=path)
    body_vars = set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", _strip_comments(text)))
    types = {p.name: p.type for p in nq.parameters}
    directed: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#@") and not _DIRECTIVE.fullmatch(line):
            raise InputError("malformed directive: write '#@name ?variable' alone on its line", file=source,
                             line=lineno, fix="e.g. #@source ?source")
    for m in _DIRECTIVE.finditer(text):
        _, pname, var = m.groups()
        line = text.count("\n", 0, m.start()) + 1
        if types.get(pname) != "source":
            raise InputError(f"directive #@{pname} names no source parameter", file=source, line=line,
                             fix=f"declare '# param: {pname} | source | (none) | ...' or remove the line")
        if var not in body_vars:
            raise InputError(f"directive #@{pname} restricts ?{var}, which the query does not use", file=source,
                             line=line, fix="name a variable the query binds")
        directed.add(pname)
    for p in nq.parameters:
        if p.name not in body_vars and p.name not in directed:
            raise InputError(f"parameter {p.name} is declared but ?{p.name} is not used in the query",
                             file=source, fix=f"use ?{p.name} in the query or remove the param line")
    return nq


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def load_file(path: str | Path, *, strict: bool = False) -> NamedQuery:
    """Read a ``.rq`` file (header optional unless ``strict``).

    :raises InputError: if the file cannot be read or its header is malformed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such query file", file=str(p), fix="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read query file: {exc}", file=str(p), fix="give a UTF-8 text file") from None
    name = p.stem
    return from_text(text, name=name, path=p, strict=strict)


_library_cache: dict[tuple, dict[str, NamedQuery]] = {}


def library(directory: str | Path | None = None) -> dict[str, NamedQuery]:
    """Every named query, by name (sorted), read from ``directory`` (default: the packaged ``queries/``).

    >>> "compare-tracks" in library()
    True
    """
    d = Path(directory) if directory else resources.queries_dir()
    files = sorted(d.glob("*.rq"))
    key = (str(d), tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files))
    cached = _library_cache.get(key)
    if cached is not None:
        return cached
    out: dict[str, NamedQuery] = {}
    for f in files:
        if not _NAME_RE.fullmatch(f.stem):
            raise InputError("query file names are lowercase words joined by hyphens", file=str(f),
                             fix="rename the file")
        out[f.stem] = load_file(f, strict=True)
    _library_cache.clear()
    _library_cache[key] = out
    return out


def get(name: str, directory: str | Path | None = None) -> NamedQuery:
    """The named query ``name``.

    :raises InputError: if there is no such query (with the closest names as a hint).
    """
    lib = library(directory)
    if name in lib:
        return lib[name]
    close = difflib.get_close_matches(name, list(lib), n=3, cutoff=0.4)
    raise InputError(f"no named query {name!r}",
                     fix=(f"did you mean {', '.join(close)}? " if close else "") + "see `dipontology query --list`")


def run(name: str, params: Mapping[str, Any] | None = None, *, store: Backend | None = None,
        endpoint: str | None = None, inferred: bool = False, allow_service: bool = False,
        timeout: float | None = None) -> QueryResult:
    """Run the named query ``name`` with ``params`` on ``store`` (or ``endpoint``, or the embedded store)."""
    nq = get(name)
    if store is None:
        store = open_store(endpoint, inferred=inferred,
                           timeout=timeout if timeout is not None and timeout > 0 else DEFAULT_TIMEOUT)
    return nq.run(store, params, allow_service=allow_service, timeout=timeout)


def query(name: str, *, store: Backend | None = None, endpoint: str | None = None, inferred: bool = False,
          timeout: float | None = None, **params: Any) -> QueryResult:
    """Run a named query from the library: ``dipontology.query("cases-by-track", track="CitizenDiplomacy")``.

    :param name: the query's name (see ``dipontology query --list``).
    :param store: a :class:`~dipontology.store.Backend` to run on (default: the embedded store).
    :param endpoint: a SPARQL endpoint URL to run on instead.
    :param inferred: use the embedded store with the OWL 2 RL closure.
    :param timeout: stop waiting after this many seconds, as ``dipontology query --timeout`` does: on the embedded
        store the query runs in a worker thread that is left behind when the time is up (pyoxigraph cannot be
        interrupted); on an endpoint it is the HTTP timeout. ``None`` (the default) or 0: no limit on the embedded
        store, the store's own timeout on an endpoint.
    :param params: the query's parameters, as strings or Python values; checked against their types.
    :return: a :class:`~dipontology.store.QueryResult` with ``.rows``, ``.columns``, ``.to_csv()``,
        ``.to_json()``, ``.to_dataframe()``.
    :raises InputError: unknown query or parameter, a value that does not fit its type, or the time is up.

    >>> import dipontology
    >>> r = dipontology.query("cases-by-track", track="CitizenDiplomacy", timeout=30)
    >>> r.columns[:3]
    ['track', 'case', 'label']
    """
    return run(name, params, store=store, endpoint=endpoint, inferred=inferred, timeout=timeout)


# ------------------------------------------------------------------------------------------------------ docs
def docs_path() -> Path:
    """``docs/queries.md`` of the source checkout."""
    return Path(__file__).resolve().parent.parent.parent / "docs" / "queries.md"


SAMPLE_ROWS = 5
#: the worked example of docs/queries.md: what one article says about Track II
WORKED_EXAMPLE_PARAMS = {"source": "source:malek-chigas-2013", "about": "dip:TrackTwo"}
WORKED_EXAMPLE = ("dipontology query facts-by-source --param source=source:malek-chigas-2013 "
                  "--param about=dip:TrackTwo --format md")


def docs_markdown(directory: str | Path | None = None, store: Backend | None = None) -> str:
    """The query cookbook: every named query with its description, parameters, example, text and a sample of its
    output on the shipped data (default parameters)."""
    lib = library(directory)
    store = store or open_store()
    out = [
        "# Named queries",
        "",
        "<!-- Generated from the headers of src/dipontology/queries/*.rq by "
        "`python -m dipontology.query --write-docs`; do not edit by hand. -->",
        "",
        "Run any of them with `dipontology query NAME [--param name=value ...]`, or from Python with "
        "`dipontology.query(\"NAME\", name=value)`. Add `--endpoint URL` to run them on a SPARQL endpoint that holds "
        "the graph (load it there with `dipontology push --endpoint URL`), `--inferred` to run them on the graph "
        "with its OWL 2 RL closure, and `--format csv|tsv|json|md|html` (or `ttl|nt|jsonld` for graph results) to "
        "choose the output. Parameters are typed and bound as RDF terms, never pasted into the query text.",
        "",
        "Parameter types: `iri` (a prefixed name such as `case:oslo-back-channel` or an IRI), `class` (an ontology "
        "class: `CulturalExchange`), `track` (a diplomacy track: `TrackTwo`, `CitizenDiplomacy`, or a label), "
        "`string`, `integer`, `year` (four digits), `lang` (a language tag), `source` (which sources to keep: see "
        "[Filtering by source](#filtering-by-source)). A default of *(none)* leaves the parameter unbound, so the "
        "query covers every value.",
        "",
        "## Filtering by source",
        "",
        "Every fact in the graph rests on a statement of one source, with a locator (where in the source) and, where "
        "the source's words are recorded, a quote: a fact statement (`dip:FactStatement`: stated subject, property "
        "and value) or a participation, track classification, outcome attribution, naming claim, code assignment, "
        "track relation claim, track profile or track feature. Every named query that returns facts gives their "
        "source (a `source` column, or `sources` where rows are counted) and takes an optional `source` parameter "
        "that keeps only what those sources state. Its value is one of:",
        "",
        "* a source: its IRI, prefixed name or slug (`source:malek-chigas-2013`, `malek-chigas-2013`); "
        "`dipontology query sources` lists them all;",
        "* an author, publisher or contributor, matched as whole words and ignoring case in `dcterms:creator`, "
        "`dcterms:publisher` and `dcterms:contributor` (`Malek`, `Diplo`, `McDonald` gives both of McDonald's "
        "works);",
        "* a kind of source: `articles` (the source articles, `dip:SourceArticle`), `reference` (reference pages and "
        "works, `dip:ReferenceWork` and its subclasses) or `literature` (every other `dip:Source`: books, scholarly "
        "and web articles).",
        "",
        "The value is looked up in the store the query runs on by a fixed query (the text never enters SPARQL), and "
        "the named query gets a filter of the IRIs it names, serialised as escaped terms, so the same works on the "
        "embedded store and on a SPARQL endpoint. A source, author or kind that the graph does not have is an error "
        "that suggests the closest known ones. Where a query shows a fact held as a direct triple (a date, a place, "
        "a link), its source is that of the fact statement that backs the triple; a fact no statement backs shows "
        "no source, and no source filter keeps it. `facts-by-source` lists what a source says fact by fact, "
        "`facts-of-record` every fact about one record with its sources and the statements that contradict it.",
        "",
        "@@WORKED_EXAMPLE@@",
        "## Writing a named query",
        "",
        "A named query is a file `src/dipontology/queries/<name>.rq` whose header is comment lines "
        "`# key: value` (a value continues on comment lines indented by two spaces): `title`, `description`, "
        "one `param` line per parameter (`name | type | default | description`; the default is a value, `(none)` "
        "to leave it unbound or `(required)`), and an `example` command. The project prefixes are predeclared. "
        "A parameter `name` binds the variable `?name`. On the embedded store a parameter the `SELECT` clause "
        "projects is substituted as an RDF term (pyoxigraph `substitutions`); any other parameter, and every "
        "parameter on a remote endpoint, is bound by a `VALUES` block of escaped terms placed first in the "
        "`WHERE` clause. So that both give the same answer, use a projected parameter only as a term in triple "
        "patterns, and test an unprojected one in top-level `FILTER`s (`FILTER(!BOUND(?track) || ...)`), "
        "`HAVING` or `GROUP BY`; a `SELECT` needs an `ORDER BY` that makes its order total, and `MINUS` is the "
        "fast way to say \"has no\". A `source` parameter keeps the rows whose `?source` is one of the sources it "
        "names, with a filter placed first in the `WHERE` clause; to restrict other variables, or inside an "
        "`OPTIONAL` or a sub-select, write a comment line `#@source ?var` where the filter belongs (it stays a "
        "comment when the parameter is not given). Bind `?source` from the statement that backs each fact "
        "(`dcterms:source` of the statement; for a direct triple, of the `dip:FactStatement` with the same subject, "
        "property and value). The test suite runs every query on both backends and compares the results.",
        "",
        "## The queries",
        "",
        "| query | title |",
        "|---|---|",
    ]
    for nq in lib.values():
        out.append(f"| [`{nq.name}`](#{nq.name}) | {nq.title} |")
    out.append("")
    at = out.index("@@WORKED_EXAMPLE@@")
    out[at:at + 1] = _worked_example(lib, store)
    for nq in lib.values():
        out += [f"### {nq.name}", "", f"**{nq.title}**", "", nq.description, ""]
        if nq.parameters:
            out += ["| parameter | type | default | description |", "|---|---|---|---|"]
            for p in nq.parameters:
                dflt = "*(required)*" if p.required else ("*(none)*" if p.default is None else f"`{p.default}`")
                out.append(f"| `{p.name}` | {p.type} | {dflt} | {p.description} |")
            out.append("")
        out += ["Example:", "", "```sh", nq.example, "```", ""]
        body = "\n".join(line for line in nq.text.splitlines()
                         if not (line.startswith("#") and line.split(":")[0].lstrip("# ") in _HEADER_KEYS)
                         and not line.startswith("#  ")).strip()
        out += ["<details><summary>SPARQL</summary>", "", "```sparql", body, "```", "", "</details>", ""]
        result = nq.run(store)
        if result.kind == "select":
            n = len(result.rows)
            sample = QueryResult("select", result.columns, result.rows[:SAMPLE_ROWS])
            out += [f"Output on the shipped data ({n} row{'s' if n != 1 else ''}"
                    f"{f', first {SAMPLE_ROWS} shown' if n > SAMPLE_ROWS else ''}):", "",
                    sample.to_markdown().rstrip(), ""]
        elif result.kind == "ask":
            out += [f"Output on the shipped data: `{str(result.boolean).lower()}`", ""]
        else:
            out += [f"Output on the shipped data: a graph of {len(result.triples)} triples.", ""]
    return "\n".join(out).rstrip() + "\n"


def _worked_example(lib: Mapping[str, NamedQuery], store: Backend) -> list[str]:
    """The worked example of the cookbook (facts-by-source for one article and Track II), with its real output."""
    if "facts-by-source" not in lib:  # a query directory without it
        return []
    result = lib["facts-by-source"].run(store, WORKED_EXAMPLE_PARAMS)
    return [
        "### Worked example: what does this one article say about Track II?",
        "",
        "Malek (2013), the Beyond Intractability essay on citizen diplomacy, fact by fact, keeping the facts about "
        "Track II or with Track II as their value:",
        "",
        "```sh",
        WORKED_EXAMPLE,
        "```",
        "",
        "Output on the shipped data:",
        "",
        result.to_markdown().rstrip(),
        "",
        "`--param source=Malek` names the same article by its author, "
        "`--param source=articles` adds what the other source articles say about Track II, and "
        "`dipontology query facts-of-record --param record=dip:TrackTwo` gives every source's facts about the track, "
        "with the statements that contradict them.",
        "",
    ]


def write_docs(path: str | Path | None = None) -> Path:
    """Regenerate ``docs/queries.md`` (atomically)."""
    target = Path(path) if path else docs_path()
    write_text(target, docs_markdown())
    return target


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dipontology.query",
                                     description="Maintain the generated query cookbook (docs/queries.md).")
    parser.add_argument("--write-docs", action="store_true", help="regenerate docs/queries.md")
    parser.add_argument("--check-docs", action="store_true", help="exit 1 if docs/queries.md is out of date")
    parser.add_argument("--output", help="write the docs here instead of docs/queries.md")
    args = parser.parse_args(argv)
    try:
        if args.write_docs:
            print(f"wrote {write_docs(args.output)}")
            return 0
        if args.check_docs:
            target = Path(args.output) if args.output else docs_path()
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != docs_markdown():
                print(f"{target} is out of date: run python -m dipontology.query --write-docs", file=sys.stderr)
                return 1
            print(f"{target} is up to date")
            return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parser.print_help()
    return 2


class _CallableModule(types.ModuleType):
    """Makes ``dipontology.query`` both this module and the :func:`query` function: ``dipontology.query("name")``
    runs a named query while ``from dipontology.query import library`` keeps working."""

    def __call__(self, name: str, **kwargs: Any) -> QueryResult:
        return query(name, **kwargs)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main())
else:
    sys.modules[__name__].__class__ = _CallableModule
