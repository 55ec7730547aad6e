"""Where SPARQL runs: the embedded store (in-process, the default) or any SPARQL 1.1 Protocol endpoint.

Both backends have the same query API and return the same :class:`QueryResult`:

* :class:`Embedded` -- a pyoxigraph in-memory store loaded with the shipped ontology and data (see
  :mod:`dipontology.graph`), optionally with their OWL 2 RL closure (``inferred=True``, computed by the OWL 2 RL
  rules of :mod:`dipontology.inference`, which a test checks against owlrl);
* :class:`Remote` -- any SPARQL 1.1 Protocol endpoint (Oxigraph server, Fuseki, GraphDB, QLever, Virtuoso,
  Wikidata...), reached with ``urllib`` (``POST application/sparql-query``).

Results are normalised to **rdflib terms** (``URIRef``, ``Literal``, ``BNode``; ``None`` for an unbound variable),
with the exact lexical form the store returned, rows in the store's order. Graph results (``CONSTRUCT``,
``DESCRIBE``) are a list of rdflib triples.

Parameters (``bindings``) are RDF terms, never text: the embedded store hands them to pyoxigraph as
``substitutions`` (pyoxigraph substitutes only variables a ``SELECT`` projects; any other parameter gets the
remote treatment); for a remote endpoint they become a ``VALUES`` block at the start of the ``WHERE`` clause, built
from terms serialised (and escaped) by pyoxigraph's N-Triples serialiser.

Our own stores refuse ``SERVICE`` (unless ``allow_service``), ``FROM``/``FROM NAMED`` and every update
(``LOAD``, ``INSERT``, ``DROP``...). :func:`check_query` looks at the parsed query (rdflib's SPARQL parser), not at
its text, so an escaped keyword such as ``SERV\\u0049CE`` is caught too (ENGINE-NOTES). Parsing with rdflib costs
5-700 ms, more than most queries take, so :func:`vet_query` (what the stores call) first screens the text: a query
whose text has no ``\\u`` escape and, outside comments, strings, variables and the local part of prefixed names,
no ``service`` or ``from`` in any case (a *substring* test: pyoxigraph reads ``SERVICEex:g`` as ``SERVICE ex:g``)
cannot name a remote endpoint or another graph, and is parsed by pyoxigraph alone; any other query goes through
:func:`check_query`. Both answers are cached by query text.

Every query can be given a time limit (``timeout=`` seconds): the embedded store evaluates in a worker thread and
stops waiting after that time (:func:`time_limited`); a remote endpoint gets it as the HTTP timeout.

The embedded store's rows are converted to rdflib terms when first read (each distinct term once per result), so
``len(result)`` costs no conversion.

:func:`push` loads the graph into a store through the SPARQL 1.1 Graph Store Protocol.

>>> store = Embedded()
>>> r = store.query("SELECT ?label WHERE { dip:TrackTwo rdfs:label ?label FILTER(LANG(?label) = 'en') }")
>>> r.kind, r.columns, str(r.rows[0][0])
('select', ['label'], 'Track II diplomacy')
>>> store.query("ASK { dip:TrackTwo a dip:OfficialnessLevel }").boolean
True
>>> store.query("SELECT * WHERE { ?s ?p ?o }", timeout=30).kind
'select'
"""
from __future__ import annotations

import functools
import gc
import json
import os
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal as TypingLiteral, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import cache as _cache
from . import export as _export
from . import graph as _graph
from .errors import InputError
from .inference import close_store
from .namespaces import PREFIXES, bind_all, sparql_prologue
from .terms import RdflibTerms, plain_value, to_oxigraph, to_rdflib

__all__ = [
    "QueryResult", "QueryInfo", "QueryShape", "Backend", "Embedded", "Remote", "PushResult", "check_query",
    "vet_query", "plainly_local", "time_limited", "push", "open_store", "insert_values", "serialize_term",
    "DEFAULT_TIMEOUT",
]

DEFAULT_TIMEOUT = 60.0
_USER_AGENT = "dipontology (+https://w3id.org/dipontology)"
_PROLOGUE = sparql_prologue()
_PROLOGUE_LINES = _PROLOGUE.count("\n")

Kind = TypingLiteral["select", "ask", "graph"]


# --------------------------------------------------------------------------------------------------------- results
class QueryResult:
    """The answer of one query, the same whichever backend ran it.

    :param kind: ``"select"``, ``"ask"`` or ``"graph"`` (``CONSTRUCT``/``DESCRIBE``).
    :param columns: the projected variable names (without ``?``), in projection order (``select`` only).
    :param rows: one tuple per solution, aligned with ``columns``; rdflib terms, ``None`` where unbound.
    :param boolean: the answer of an ``ASK`` query.
    :param triples: the triples of a graph result (rdflib terms), in the order the store returned them.

    The embedded store hands over its solutions as pyoxigraph's SPARQL TSV (written without a Python object per
    solution) and its triples as they are: ``rows`` and ``triples`` are converted to rdflib terms when first read
    (each distinct term once), so ``len(result)`` costs no conversion.

    >>> from rdflib import Literal
    >>> r = QueryResult("select", ["n"], [(Literal(3),)])
    >>> r.records()
    [{'n': 3}]
    >>> r.to_csv().splitlines()
    ['n', '3']
    """

    def __init__(self, kind: Kind, columns: Sequence[str] | None = None,
                 rows: Iterable[tuple[Node | None, ...]] | None = None, boolean: bool | None = None,
                 triples: Iterable[tuple[Node, Node, Node]] | None = None) -> None:
        self.kind = kind
        self.columns: list[str] = list(columns or [])
        self.boolean = boolean
        self._rows: list[tuple[Node | None, ...]] = list(rows or [])
        self._triples: list[tuple[Node, Node, Node]] = list(triples or [])
        #: not converted yet: pyoxigraph triples (graph) or the solutions as SPARQL TSV bytes (select)
        self._raw: list | bytes | None = None
        self._count = 0  # the number of solutions in ``_raw`` (TSV)

    @classmethod
    def _from_oxigraph(cls, kind: Kind, columns: list[str], raw: list) -> QueryResult:
        result = cls(kind, columns)
        result._raw = raw
        return result

    @classmethod
    def _from_tsv(cls, columns: list[str], tsv: bytes) -> QueryResult:
        """A ``select`` result from pyoxigraph's SPARQL TSV serialisation of its solutions (one header line, then
        one line per solution, in order; every term in its exact N-Triples-like syntax, tabs and line breaks inside
        literals escaped, an empty cell where a variable is unbound)."""
        result = cls("select", columns)
        result._raw = tsv
        result._count = tsv.count(b"\n") - 1
        return result

    def _convert(self) -> None:
        raw, self._raw = self._raw, None
        if raw is None:
            return
        if isinstance(raw, bytes):
            self._rows = _tsv_rows(raw, len(self.columns))
            return
        get = RdflibTerms().__getitem__
        if self.kind == "select":
            # a solution iterates over its values in projection order, None where unbound
            self._rows = [tuple(map(get, sol)) for sol in raw]
        else:
            self._triples = [(get(t.subject), get(t.predicate), get(t.object)) for t in raw]

    @property
    def rows(self) -> list[tuple[Node | None, ...]]:
        """The solutions of a ``select`` result, as tuples of rdflib terms (``None`` where unbound)."""
        if self._raw is not None:
            self._convert()
        return self._rows

    @rows.setter
    def rows(self, value: Iterable[tuple[Node | None, ...]]) -> None:
        self._raw = None
        self._rows = list(value)

    @property
    def triples(self) -> list[tuple[Node, Node, Node]]:
        """The triples of a ``graph`` result, as rdflib terms."""
        if self._raw is not None:
            self._convert()
        return self._triples

    @triples.setter
    def triples(self, value: Iterable[tuple[Node, Node, Node]]) -> None:
        self._raw = None
        self._triples = list(value)

    def __len__(self) -> int:
        if self.kind == "ask":
            return 1
        if self._raw is not None:
            return self._count if isinstance(self._raw, bytes) else len(self._raw)
        return len(self._triples) if self.kind == "graph" else len(self._rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryResult):
            return NotImplemented
        return (self.kind, self.columns, self.rows, self.boolean, self.triples) == (
            other.kind, other.columns, other.rows, other.boolean, other.triples)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        return (f"QueryResult(kind={self.kind!r}, columns={self.columns!r}, rows={self.rows!r}, "
                f"boolean={self.boolean!r}, triples={self.triples!r})")

    def __getstate__(self) -> dict[str, Any]:
        self._convert()  # pyoxigraph terms do not pickle
        return self.__dict__.copy()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def column(self, name: str) -> list[Node | None]:
        """Every value of one column."""
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts of plain Python values (IRIs and strings as ``str``, numbers as numbers)."""
        return [{c: plain_value(v) for c, v in zip(self.columns, row)} for row in self.rows]

    def graph(self) -> Graph:
        """A graph result as an rdflib ``Graph`` with the project prefixes bound."""
        self._need("graph")
        g = bind_all(Graph())
        for t in self.triples:
            g.add(t)
        return g

    # the renderers are those of dipontology.export (which does not import this module)
    def to_csv(self, *, spreadsheet_safe: bool = False) -> str:
        """W3C SPARQL 1.1 CSV results (plain values); ``spreadsheet_safe`` defuses formula-like cells."""
        return _export.results_to_csv(self, spreadsheet_safe=spreadsheet_safe)

    def to_tsv(self) -> str:
        """W3C SPARQL 1.1 TSV results (RDF term syntax)."""
        return _export.results_to_tsv(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """W3C SPARQL 1.1 Query Results JSON."""
        return _export.results_to_json(self, indent=indent)

    def to_markdown(self) -> str:
        """A Markdown table (prefixed names, plain values)."""
        return _export.results_to_markdown(self)

    def to_html(self) -> str:
        """A standalone HTML page with the table."""
        return _export.results_to_html(self)

    def to_dataframe(self):
        """A pandas ``DataFrame`` of :meth:`records` (needs the optional ``pandas`` extra)."""
        return _export.results_to_dataframe(self)

    def serialize(self, format: str) -> str:  # noqa: A002 - same word as rdflib/pyoxigraph
        """Render in any result or graph format of :mod:`dipontology.export`."""
        return _export.render(self, format)

    def _need(self, kind: str) -> None:
        if self.kind != kind:
            raise InputError(f"this is a {self.kind} result, not a {kind} result",
                             fix="use a result format for this kind of query")


_TSV = ox.QueryResultsFormat.TSV


def _tsv_rows(tsv: bytes, width: int) -> list[tuple[Node | None, ...]]:
    """The rows of pyoxigraph's SPARQL TSV results ``tsv`` (``width`` columns) as rdflib terms.

    Every line after the header is one solution and every tab-separated cell one term (the writer escapes tabs and
    line breaks inside literals; an unbound variable is an empty cell). Each distinct cell is read once, by
    pyoxigraph's own TSV parser (all of them in one one-column document), and converted once to the equal rdflib
    term, so rows share their terms. The round trip gives back the very terms the store returned (lexical forms,
    datatypes, language tags, blank node labels): tests/query/test_query_results.py compares them.

    >>> [tuple(map(str, r)) for r in _tsv_rows(b'?a\\t?b\\n<http://e/x>\\t"y"@en\\n', 2)]
    [('http://e/x', 'y')]
    """
    lines = tsv.split(b"\n")
    del lines[0]   # the header
    lines.pop()    # after the last line break
    if width == 0:
        return [()] * len(lines)
    cells = [line.split(b"\t") for line in lines]
    terms: dict[bytes, Node | None] = {b"": None}
    fresh: set[bytes] = set()
    for row in cells:
        fresh.update(row)
    fresh.difference_update(terms)
    if fresh:
        order = list(fresh)
        parsed = ox.parse_query_results(b"?t\n" + b"\n".join(order) + b"\n", format=_TSV)
        for cell, solution in zip(order, parsed, strict=True):
            terms[cell] = to_rdflib(solution[0])
    get = terms.__getitem__
    return [tuple(map(get, row)) for row in cells]


# ----------------------------------------------------------------------------------------------- query checking
@dataclass(frozen=True)
class QueryInfo:
    """What :func:`check_query` learned from the parsed query."""

    kind: Kind
    form: str  # SelectQuery / AskQuery / ConstructQuery / DescribeQuery
    uses_service: bool
    #: the projected variables of a SELECT query, in order (empty for the other forms)
    variables: tuple[str, ...] = ()
    #: the query's own solutions are sorted (a top-level ORDER BY, not only a subquery's)
    ordered: bool = False


@dataclass(frozen=True)
class QueryShape:
    """What :func:`vet_query` learned: the kind of answer and, for ``SELECT``, the projected variables in order."""

    kind: Kind
    variables: tuple[str, ...] = ()


_FORMS: dict[str, Kind] = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph",
                           "DescribeQuery": "graph"}


def _walk(node: Any, seen: set[int] | None = None) -> Iterable[Any]:
    """Every node of an rdflib SPARQL parse tree or algebra (CompValue, ParseResults, lists, dicts)."""
    from pyparsing import ParseResults  # optional dependency: rdflib's SPARQL parser, only for check_query

    seen = set() if seen is None else seen
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, (list, tuple, ParseResults)):
            stack.extend(n)


class _Memo(OrderedDict):
    """A small least-recently-used cache (query text -> what was learned from it), safe across threads."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self.lock = threading.Lock()

    def get_(self, key: Any) -> Any:
        with self.lock:
            value = self.get(key)
            if value is not None:
                self.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> Any:
        with self.lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.size:
                self.popitem(last=False)
        return value


_CHECKED = _Memo(512)
_VETTED = _Memo(2048)


def check_query(text: str, *, allow_service: bool = False, source: str = "<query>",
                line_offset: int = 0) -> QueryInfo:
    """Parse ``text`` with rdflib's SPARQL parser and refuse what our own stores must not run.

    Refused: updates (``LOAD``, ``INSERT``, ``DELETE``, ``DROP``, ``CLEAR``...), ``FROM``/``FROM NAMED`` and
    ``SERVICE`` unless ``allow_service``. The check looks at the parse tree and the algebra, so escaped keywords do
    not slip past. The project prefixes (:data:`dipontology.namespaces.PREFIXES`) are predeclared.

    :param text: the query.
    :param allow_service: let ``SERVICE`` through (it makes the store fetch a URL).
    :param source: the name of the query in messages (a file name or ``<query>``).
    :param line_offset: added to line numbers in messages (lines of a header that precede ``text``).
    :return: what the parsed query is (answers are cached per text: parsing with rdflib costs 5-700 ms).
    :raises InputError: if the query does not parse or uses a refused feature.

    >>> check_query("SELECT * WHERE { ?s ?p ?o }").kind
    'select'
    >>> check_query(r"SELECT * WHERE { SERV\\u0049CE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    dipontology.errors.InputError: <query>: SERVICE (a federated query to another endpoint) is not allowed (fix: remove the SERVICE clause, or pass --allow-service to let the store contact http://example.org/sparql)
    """
    key = (text, allow_service)
    info = _CHECKED.get_(key)
    if info is None:
        with _PARSE_LOCK:
            info = _CHECKED.put(key, _check_query(text, allow_service=allow_service, source=source,
                                                  line_offset=line_offset))
    return info


#: rdflib's SPARQL parser (pyparsing) is not thread-safe on first use: concurrent first parses corrupt it
_PARSE_LOCK = threading.Lock()


def _check_query(text: str, *, allow_service: bool = False, source: str = "<query>",
                 line_offset: int = 0) -> QueryInfo:
    """The uncached check (see :func:`check_query`)."""
    # rdflib's SPARQL parser takes 0.17 s to import and only the queries vet_query cannot clear need it:
    from pyparsing import ParseException  # optional dependency: rdflib's SPARQL parser (see above)
    from rdflib.plugins.sparql.algebra import translateQuery  # optional dependency: rdflib's SPARQL parser
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate  # optional dependency: rdflib's SPARQL parser
    from rdflib.plugins.sparql.parserutils import CompValue  # optional dependency: rdflib's SPARQL parser

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except Exception:  # noqa: BLE001 - not an update either: report the query error
            pass
        else:
            raise InputError("SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are not allowed here",
                             file=source, fix="send a query (SELECT, ASK, CONSTRUCT or DESCRIBE)") from None
        raise InputError(f"SPARQL syntax error: {exc.msg}", file=source, line=exc.lineno + line_offset,
                         column=exc.col, fix="correct the query") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises assorted errors on odd input
        raise InputError(f"SPARQL syntax error: {exc}", file=source, fix="correct the query") from None
    for node in _walk(parsed):
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern" and not allow_service:
                term = node.get("term")
                raise InputError("SERVICE (a federated query to another endpoint) is not allowed", file=source,
                                 fix="remove the SERVICE clause, or pass --allow-service to let the store "
                                 f"contact {term}")
            if node.name == "DatasetClause":
                raise InputError("FROM / FROM NAMED are not allowed: the graph is the store's default graph",
                                 file=source, fix="remove the FROM clause")
    try:
        algebra = translateQuery(parsed, initNs=PREFIXES).algebra
    except Exception as exc:  # noqa: BLE001 - e.g. an undeclared prefix
        raise InputError(f"SPARQL error: {exc}", file=source, fix="correct the query") from None
    uses_service = False
    for node in _walk(algebra):
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                uses_service = True
                if not allow_service:  # pragma: no cover - caught on the parse tree already
                    raise InputError("SERVICE is not allowed", file=source, fix="remove the SERVICE clause")
            if node.name == "DatasetClause" or (node.name in _FORMS and node.get("datasetClause")):
                raise InputError("FROM / FROM NAMED are not allowed", file=source,
                                 fix="remove the FROM clause")
    if algebra.name not in _FORMS:  # pragma: no cover - parseQuery only yields the four forms
        raise InputError(f"unsupported query form {algebra.name}", file=source)
    variables: tuple[str, ...] = ()
    if algebra.name == "SelectQuery":
        variables = tuple(str(v) for v in algebra.get("PV") or ())
    ordered = False
    node = algebra.get("p")
    while isinstance(node, CompValue):
        if node.name == "OrderBy":
            ordered = True
            break
        if node.name not in ("Project", "Distinct", "Reduced", "Slice"):
            break
        node = node.get("p")
    return QueryInfo(kind=_FORMS[algebra.name], form=algebra.name, uses_service=uses_service, variables=variables,
                     ordered=ordered)


# ------------------------------------------------------------------------------------------------- vetting
#: what the screen removes before it looks for ``service``/``from``: IRIs are kept (their text is still searched),
#: inline comments and single-line strings go; tried left to right, so a ``#`` or a quote inside an IRI stays put
_SCREEN_TOKENS = re.compile(r"""(<[^<>"{}|^`\\\x00-\x20]*>)|#[^\n\r]*|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'""")
#: a variable where only a variable can start (``?`` after a path element is a path modifier)
_SCREEN_VARIABLE = re.compile(r"(?:^|(?<=[\s({,!=<+*/|&-]))[?$][A-Za-z0-9_]+")
#: the local part of a prefixed name, in the characters pyoxigraph always reads as part of it
_SCREEN_LOCAL = re.compile(r":[A-Za-z0-9_][A-Za-z0-9_\-]*")
_SCREEN_REFUSED = re.compile(r"service|from", re.IGNORECASE)
_FULL_LINE_COMMENT = re.compile(r"^[ \t]*#.*$", re.MULTILINE)
_EMPTY_STORE = ox.Store()


def plainly_local(text: str) -> bool:
    """Whether ``text`` can be run without :func:`check_query`: it has no ``\\u``/``\\U`` escape and, once comments,
    strings, variables and the local parts of prefixed names are set aside, no ``service`` or ``from`` anywhere (as
    a substring, in any case: pyoxigraph reads ``SERVICEex:g`` as ``SERVICE ex:g``). IRIs are searched too. Such
    a text cannot name another endpoint or graph; updates do not run as queries at all. A ``False`` only means
    that the full check must decide.

    >>> plainly_local("SELECT ?from WHERE { ?s dip:validFrom ?from } # data from sources")
    True
    >>> plainly_local("SELECT * WHERE { SERVICEdip:x { ?s ?p ?o } }"), plainly_local("SELECT * FROM<urn:g> {}")
    (False, False)
    """
    if "\\u" in text or "\\U" in text:
        return False
    code = _FULL_LINE_COMMENT.sub("", text)
    if '"""' not in code and "\'\'\'" not in code:
        code = _SCREEN_TOKENS.sub(lambda m: m.group(1) or " ", code)
    code = _SCREEN_LOCAL.sub(" ", _SCREEN_VARIABLE.sub(" ", code))
    return _SCREEN_REFUSED.search(code) is None


def vet_query(text: str, *, allow_service: bool = False, source: str = "<query>",
              line_offset: int = 0) -> QueryShape:
    """The refusals of :func:`check_query` at the engine's speed, and the kind of answer ``text`` gives.

    A text that :func:`plainly_local` clears is parsed by pyoxigraph alone, on an empty store (about 0.1 ms); any
    other goes through :func:`check_query` (rdflib's parser), as does any text pyoxigraph cannot parse, so that
    the error names the line and column. The answer is cached per text.

    :raises InputError: as :func:`check_query`.

    >>> vet_query("SELECT ?b ?a WHERE { ?a ?p ?b }")
    QueryShape(kind='select', variables=('b', 'a'))
    >>> vet_query("SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
    ...
    dipontology.errors.InputError: <query>: FROM / FROM NAMED are not allowed: the graph is the store's default graph (fix: remove the FROM clause)
    """
    key = (text, allow_service)
    shape = _VETTED.get_(key)
    if shape is not None:
        return shape
    if plainly_local(text):
        try:
            answer = _EMPTY_STORE.query(text, prefixes=PREFIXES)
        except (SyntaxError, ValueError, OSError, RuntimeError):
            pass  # the full check names the error (or, if rdflib reads it, the store will)
        else:
            if isinstance(answer, ox.QueryBoolean):
                shape = QueryShape("ask")
            elif isinstance(answer, ox.QuerySolutions):
                shape = QueryShape("select", tuple(v.value for v in answer.variables))
            else:
                shape = QueryShape("graph")
            del answer  # the iterator is freed on the thread that made it
            return _VETTED.put(key, shape)
    info = check_query(text, allow_service=allow_service, source=source, line_offset=line_offset)
    return _VETTED.put(key, QueryShape(info.kind, info.variables))


T = TypeVar("T")


def time_limited(fn: Callable[[], T], seconds: float | None, *, what: str = "the query") -> T:
    """``fn()`` with a time limit of ``seconds`` (``None`` or 0: none).

    pyoxigraph evaluates without holding the GIL but cannot be interrupted, so ``fn`` runs in a daemon thread and
    the caller stops waiting after ``seconds``: the evaluation goes on in the background until it ends (or the
    process does), and its answer is dropped.

    :raises InputError: when the time is up (any exception of ``fn`` is raised as it is).

    >>> time_limited(lambda: 42, 5)
    42
    """
    if not seconds or seconds <= 0:
        return fn()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc
        finally:
            # pyoxigraph's result iterators must be freed on the thread that made them: collect any reference cycle
            # holding one here rather than later on the caller's thread
            gc.collect()

    worker = threading.Thread(target=work, name="dipontology-query", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise InputError(f"{what} ran longer than --timeout {seconds:g} s and was stopped",
                         fix="narrow the query (LIMIT, more specific patterns) or raise the timeout (--timeout S, "
                         "timeout=S; 0: no limit)")
    if "error" in box:
        raise box["error"]
    return box["result"]


# ------------------------------------------------------------------------------------------------ term handling
def serialize_term(term: Node) -> str:
    """An RDF term in N-Triples syntax, escaped by pyoxigraph's serialiser (IRIs are validated).

    >>> serialize_term(Literal('say "hi" } # >'))
    '"say \\\\"hi\\\\" } # >"'
    >>> serialize_term(URIRef("https://w3id.org/dipontology/ontology#TrackTwo"))
    '<https://w3id.org/dipontology/ontology#TrackTwo>'
    """
    if isinstance(term, BNode):
        raise InputError("a blank node cannot be a query parameter", fix="use an IRI or a literal")
    try:
        return str(to_oxigraph(term))
    except (ValueError, TypeError) as exc:
        raise InputError(f"cannot use {term!r} as a query parameter: {exc}", fix="give a valid IRI or value") from None


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_PNAME_OR_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.]*:?[A-Za-z0-9_\-.:%]*")


def _where_brace(text: str) -> tuple[int, bool]:
    """Index of the ``{`` that opens the query's WHERE clause, found with a small tokenizer that skips comments,
    strings and IRIs, and whether the query is the ``CONSTRUCT WHERE`` short form (whose group admits only triple
    patterns). The clause is the group after the top-level keyword ``WHERE``; without that keyword, the first
    top-level group (``ASK {...}``, ``SELECT * {...}``)."""
    i, n = 0, len(text)
    depth_brace = depth_paren = 0
    saw_where = short_construct = False
    previous_word = ""
    first_group = -1
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            triple = text[i:i + 3]
            if triple in ('"""', "'''"):
                j = i + 3
                while j < n and text[j:j + 3] != triple:
                    j += 2 if text[j] == "\\" else 1
                i = j + 3
            else:
                j = i + 1
                while j < n and text[j] != c:
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
            continue
        if c == "<":
            m = _IRIREF.match(text, i)
            if m:
                i = m.end()
                continue
            i += 1
            continue
        if c == "(":
            depth_paren += 1
        elif c == ")":
            depth_paren -= 1
        elif c == "{":
            previous_word = ""
            if depth_brace == 0 and depth_paren == 0:
                if saw_where:
                    return i, short_construct
                if first_group < 0:
                    first_group = i
            depth_brace += 1
        elif c == "}":
            depth_brace -= 1
        elif c.isalpha() or c == "_":
            m = _PNAME_OR_WORD.match(text, i)
            word = m.group(0)
            if depth_brace == 0 and depth_paren == 0 and word.upper() == "WHERE":
                saw_where = True
                short_construct = previous_word == "CONSTRUCT"
            previous_word = word.upper()
            i = m.end()
            continue
        elif c in "?$":
            m = re.compile(r"[?$][A-Za-z0-9_]+").match(text, i)
            if m:
                i = m.end()
                continue
        i += 1
    if first_group >= 0:
        return first_group, False
    raise InputError("cannot find the WHERE clause of the query", fix="write the query with an explicit WHERE { }")


def insert_values(text: str, bindings: Mapping[str, Node]) -> str:
    """Bind ``bindings`` with a ``VALUES`` block placed first inside the query's WHERE clause.

    The terms are serialised by :func:`serialize_term`, so a value can never change the query around it.

    >>> print(insert_values("SELECT ?x WHERE { ?x ?p ?track }", {"track": URIRef("http://example.org/t")}))
    SELECT ?x WHERE { VALUES (?track) { (<http://example.org/t>) }
     ?x ?p ?track }
    """
    if not bindings:
        return text
    return _insert_values(text, tuple(bindings.items()))


_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=512)
def _insert_values(text: str, items: tuple[tuple[str, Node], ...]) -> str:
    """:func:`insert_values`, cached by the text and the bound terms (a named query runs again and again with the
    same parameters; rdflib terms compare and hash by kind, lexical form, datatype and language)."""
    bindings = dict(items)
    names = list(bindings)
    for name in names:
        if not _VARIABLE_NAME.fullmatch(name):
            raise InputError(f"invalid parameter name {name!r}", fix="use letters, digits and _")
    row = " ".join(serialize_term(bindings[n]) for n in names)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}\n"
    at, short_construct = _where_brace(text)
    if short_construct:  # CONSTRUCT WHERE { triples only }: bind with a trailing VALUES clause instead
        return text.rstrip() + "\n" + block
    return text[:at + 1] + " " + block + text[at + 1:]


# --------------------------------------------------------------------------------------------------- backends
class Backend:
    """The query interface every store offers."""

    #: a short human description of where the queries run
    description: str = ""

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None, allow_service: bool = False,
              source: str = "<query>", line_offset: int = 0, timeout: float | None = None) -> QueryResult:
        """Run one SPARQL query.

        :param sparql: the query text; the project prefixes are predeclared.
        :param bindings: variable name (without ``?``) -> rdflib term, bound as RDF terms.
        :param allow_service: let ``SERVICE`` through (embedded store only; a remote endpoint decides itself).
        :param source: the name of the query in messages.
        :param line_offset: added to line numbers in messages.
        :param timeout: stop waiting after this many seconds (embedded: ``None`` or 0 for no limit, the default;
            remote: the HTTP timeout, by default the one the endpoint was opened with).
        :raises InputError: bad query, refused feature, time up, unreachable endpoint or HTTP error.
        """
        raise NotImplementedError

    def triples(self) -> list[tuple[Node, Node, Node]]:
        """Every triple of the store's default graph, as rdflib terms."""
        return self.query("CONSTRUCT WHERE { ?s ?p ?o }").triples


class Embedded(Backend):
    """The in-process store: pyoxigraph in memory, loaded with the shipped ontology and data.

    :param inferred: add the OWL 2 RL closure (:mod:`dipontology.inference`; computed once per process and cached).
    :param files: Turtle files to load instead of the shipped ones (tests, fixtures).
    :param triples: pyoxigraph triples to load instead of files.
    :param store: an already loaded pyoxigraph store to query as it is, e.g. one opened from the persistent cache
        (:func:`dipontology.cache.cached_store`), so that a command does not parse again.
    """

    def __init__(self, *, inferred: bool = False, files: Sequence[Path] | None = None,
                 triples: Iterable[ox.Triple] | None = None, store: ox.Store | None = None) -> None:
        self.inferred = inferred
        if store is not None:
            self.store = store
            self.description = "embedded store (given store)"
        elif triples is not None:
            self.store = _graph.triples_store(triples)
            self.description = "embedded store (given triples)"
        else:
            self.store = _graph.published_store(inferred=inferred, files=files)
            what = "shipped ontology and data" if files is None else f"{len(files)} file(s)"
            self.description = f"embedded store ({what}{', OWL RL closure' if inferred else ''})"

    def __len__(self) -> int:
        return len(self.store)

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None, allow_service: bool = False,
              source: str = "<query>", line_offset: int = 0, timeout: float | None = None) -> QueryResult:
        shape = vet_query(sparql, allow_service=allow_service, source=source, line_offset=line_offset)
        subs = None
        text = sparql
        if bindings:
            subs = {}
            rest: dict[str, Node] = {}
            for name, term in bindings.items():
                if isinstance(term, BNode):
                    raise InputError("a blank node cannot be a query parameter", fix="use an IRI or a literal")
                if shape.kind == "select" and name not in shape.variables:
                    # pyoxigraph substitutes projected variables only; bind the others with VALUES (escaped terms)
                    rest[name] = term
                    continue
                try:
                    subs[ox.Variable(name)] = to_oxigraph(term)
                except (ValueError, TypeError) as exc:
                    raise InputError(f"invalid value for ?{name}: {exc}", fix="give a valid IRI or value") from None
            text = insert_values(sparql, rest)
        return time_limited(lambda: self._run(text, subs, source), timeout)

    def _run(self, text: str, subs: dict | None, source: str) -> QueryResult:
        """Evaluate on pyoxigraph and take every solution (evaluation happens while they are taken)."""
        try:
            answer = self.store.query(text, prefixes=PREFIXES, substitutions=subs or None)
            if isinstance(answer, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                # taken by pyoxigraph's TSV writer, without a Python object per solution (see _tsv_rows)
                columns = [v.value for v in answer.variables]
                return QueryResult._from_tsv(columns, answer.serialize(format=_TSV))
            return QueryResult._from_oxigraph("graph", [], list(answer))
        except SyntaxError as exc:
            raise InputError(f"SPARQL syntax error: {exc}", file=source, fix="correct the query") from None
        except (OSError, RuntimeError) as exc:
            raise InputError(f"query failed: {exc}", file=source, fix="correct the query") from None

    def triples(self) -> list[tuple[Node, Node, Node]]:
        return [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in
                self.store.quads_for_pattern(None, None, None, ox.DefaultGraph())]


_DEFAULT_EMBEDDED: dict[bool, tuple[tuple, Embedded]] = {}
_EMBEDDED_LOCK = threading.Lock()


def open_store(endpoint: str | None = None, *, inferred: bool = False, timeout: float = DEFAULT_TIMEOUT,
               load: Sequence[str | os.PathLike[str]] = (), cache: bool = False) -> Backend:
    """The store to query: ``Remote(endpoint)`` when an endpoint URL is given, else the shared embedded store.

    The embedded stores (asserted, inferred) are built once per process and shared; do not update them.

    :param load: more RDF files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, by extension) to query beside the
        shipped ontology and data, e.g. a Wikidata or PA-X extract; read because the caller named them.
    :param cache: open the persistent store cache (:func:`dipontology.cache.cached_store`, keyed by the content of
        every file) instead of parsing: the first command parses and saves, later ones open the saved store. The
        cached store is on disk and read-only; if the cache folder cannot be written the files are parsed into
        memory instead. Not used with ``inferred`` (the closure is computed in memory).
    :raises InputError: ``inferred`` or ``load`` with an endpoint, or a ``load`` file that cannot be parsed.
    """
    if endpoint:
        if inferred:
            raise InputError("--inferred applies to the embedded store only",
                             fix="push the inferred graph with `dipontology push --inferred` and query it without "
                             "--inferred")
        if load:
            raise InputError("--load applies to the embedded store only",
                             fix="load the file into the endpoint instead, or drop --endpoint")
        return Remote(endpoint, timeout=timeout)
    if load or (cache and not inferred):
        return _file_store(list(load), inferred=inferred, cache=cache)
    triples = _graph.inferred_triples() if inferred else _graph.published_triples()
    with _EMBEDDED_LOCK:
        cached = _DEFAULT_EMBEDDED.get(inferred)
        if cached is None or cached[0] is not triples:
            store = Embedded(triples=triples)
            store.inferred = inferred
            store.description = ("embedded store (shipped ontology and data"
                                 f"{', OWL RL closure' if inferred else ''})")
            cached = _DEFAULT_EMBEDDED[inferred] = (triples, store)
        return cached[1]


def _file_store(load: list, *, inferred: bool, cache: bool) -> Embedded:
    """The shipped files plus ``load`` in one embedded store (see :func:`open_store`)."""
    for f in map(Path, load):
        if not f.is_file():
            raise InputError("no such file", file=str(f), fix="give the path of an RDF file to --load")
    files = [*_graph.published_files(), *map(Path, load)]
    what = "shipped ontology and data" + (f" + {len(load)} loaded file(s)" if load else "")
    store = None
    if cache and not inferred:
        try:
            entry = _cache.cached_store(files)
            store = entry.store
            what += f"; {'opened from' if entry.hit else 'saved to'} the store cache"
        except OSError:   # the cache folder cannot be written: parse into memory instead
            pass
    if store is None:
        store = _cache.memory_store(files)
    if inferred:
        close_store(store)     # in place: one copy of the graph, not three
        what += ", OWL RL closure"
    emb = Embedded(store=store, inferred=inferred)
    emb.description = f"embedded store ({what})"
    return emb


def _check_url(url: str, what: str = "endpoint") -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"not an http(s) URL: {url!r}", fix=f"give the {what} as http://host:port/path")
    return url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401, ANN001
        raise InputError(f"{req.full_url} redirected ({code}) to {newurl}", fix="use the URL it redirects to")


_OPENER = urllib.request.build_opener(_NoRedirect())


def _http(method: str, url: str, *, data: bytes | None, headers: Mapping[str, str], timeout: float
          ) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"User-Agent": _USER_AGENT, **headers})
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        body = b""
        try:
            body = exc.read()[:600]
        except Exception:  # noqa: BLE001
            pass
        detail = body.decode("utf-8", "replace").strip().replace("\n", " ")
        raise InputError(f"{url} answered HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else ""),
                         fix="check the URL, the query and that the server accepts this request") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise InputError(f"{url} did not answer within {timeout:g} s", fix="raise --timeout or check the server") \
                from None
        raise InputError(f"cannot reach {url}: {reason}", fix="check the URL and that the server is running") \
            from None
    except (socket.timeout, TimeoutError):
        raise InputError(f"{url} did not answer within {timeout:g} s", fix="raise --timeout or check the server") \
            from None
    except (ConnectionError, OSError) as exc:
        raise InputError(f"cannot reach {url}: {exc}", fix="check the URL and that the server is running") from None


def _json_term(b: Mapping[str, Any]) -> Node:
    t = b.get("type")
    v = b.get("value", "")
    if t == "uri":
        return URIRef(v)
    if t == "bnode":
        return BNode(v)
    if t in ("literal", "typed-literal"):
        lang = b.get("xml:lang")
        if lang:
            return Literal(v, lang=lang, normalize=False)
        dt = b.get("datatype")
        if dt and dt != "http://www.w3.org/2001/XMLSchema#string":
            return Literal(v, datatype=URIRef(dt), normalize=False)
        return Literal(v, normalize=False)
    raise InputError(f"unsupported term in SPARQL JSON results: {b!r}", fix="use an endpoint that speaks SPARQL 1.1")


_GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


class Remote(Backend):
    """Any SPARQL 1.1 Protocol endpoint.

    :param url: the query endpoint, e.g. ``http://127.0.0.1:7878/query`` (Oxigraph) or
        ``http://localhost:3030/ds/sparql`` (Fuseki).
    :param timeout: seconds to wait for an answer.
    :raises InputError: if ``url`` is not an http(s) URL.

    Nothing is sent until :meth:`query` is called.
    """

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = _check_url(url)
        self.timeout = timeout
        self.description = f"SPARQL endpoint {url}"

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None, allow_service: bool = False,
              source: str = "<query>", line_offset: int = 0, timeout: float | None = None) -> QueryResult:
        info = vet_query(sparql, allow_service=True, source=source, line_offset=line_offset)
        text = insert_values(sparql, bindings or {})
        text = _PROLOGUE + text
        accept = ("application/sparql-results+json" if info.kind != "graph"
                  else "application/n-triples, text/turtle;q=0.9")
        wait = timeout if timeout is not None and timeout > 0 else self.timeout
        status, ctype, body = _http("POST", self.url, data=text.encode("utf-8"), timeout=wait,
                                    headers={"Content-Type": "application/sparql-query; charset=utf-8",
                                             "Accept": accept})
        mime = ctype.split(";")[0].strip().lower()
        if info.kind == "graph":
            fmt = _GRAPH_TYPES.get(mime)
            if fmt is None:
                raise InputError(f"{self.url} answered a graph query with unsupported type {ctype!r}",
                                 fix="use an endpoint that returns N-Triples or Turtle")
            try:
                quads = list(ox.parse(body, format=fmt))
            except SyntaxError as exc:
                raise InputError(f"{self.url} returned invalid RDF: {exc}") from None
            return QueryResult._from_oxigraph("graph", [], [q.triple for q in quads])
        if mime not in ("application/sparql-results+json", "application/json"):
            raise InputError(f"{self.url} answered with {ctype!r} instead of SPARQL JSON results",
                             fix="check that the URL is a SPARQL query endpoint")
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{self.url} returned invalid JSON: {exc}") from None
        if "boolean" in doc:
            return QueryResult("ask", boolean=bool(doc["boolean"]))
        columns = list(doc.get("head", {}).get("vars", []))
        rows = []
        for b in doc.get("results", {}).get("bindings", []):
            rows.append(tuple(_json_term(b[c]) if c in b else None for c in columns))
        return QueryResult("select", columns=columns, rows=rows)


# ------------------------------------------------------------------------------------------------------- push
@dataclass
class PushResult:
    """What :func:`push` did."""

    url: str
    method: str
    triples: int
    status: int


def gsp_url(endpoint: str) -> str:
    """The Graph Store Protocol URL of the default graph for a server URL.

    ``http://host:7878`` and ``http://host:7878/query`` (Oxigraph's query endpoint) both give
    ``http://host:7878/store?default``.

    >>> gsp_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/store?default'
    """
    _check_url(endpoint)
    base = endpoint.rstrip("/")
    for suffix in ("/query", "/sparql", "/update"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return base + "/store?default"


def push(endpoint: str | None = None, triples: Iterable[tuple[Node, Node, Node]] | None = None, *,
         gsp: str | None = None, inferred: bool = False, replace: bool = True,
         timeout: float = DEFAULT_TIMEOUT) -> PushResult:
    """Load the graph into a store's default graph through the SPARQL 1.1 Graph Store Protocol.

    :param endpoint: the server (``http://host:port``; ``.../query`` is accepted): writes to ``<server>/store?default``
        (Oxigraph's layout).
    :param triples: what to push (rdflib triples); default: the published graph (its OWL RL closure if ``inferred``).
    :param gsp: the exact Graph Store Protocol URL instead (e.g. Fuseki ``http://host:3030/ds/data?default``).
    :param replace: ``PUT`` (replace the graph) rather than ``POST`` (add to it).
    :raises InputError: on a bad URL, an unreachable server or an HTTP error.
    """
    if not (endpoint or gsp):
        raise InputError("no store to push to", fix="give --endpoint URL or --gsp URL")
    url = _check_url(gsp, "Graph Store Protocol URL") if gsp else gsp_url(endpoint or "")
    if triples is None:
        ox_triples = _graph.inferred_triples() if inferred else _graph.published_triples()
    else:
        to = to_oxigraph
        ox_triples = [ox.Triple(to(s), to(p), to(o)) for s, p, o in triples]
    body = _export.serialize_triples(ox_triples, "nt")
    method = "PUT" if replace else "POST"
    status, _ctype, _body = _http(method, url, data=body, timeout=timeout,
                                  headers={"Content-Type": "application/n-triples"})
    return PushResult(url=url, method=method, triples=len(ox_triples), status=status)
