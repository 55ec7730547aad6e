"""Render query results and graphs in every format.

Result formats (``SELECT``/``ASK``): ``table`` (rich, for the terminal), ``csv`` (W3C SPARQL 1.1 CSV: plain
values), ``tsv`` (W3C SPARQL 1.1 TSV: RDF term syntax), ``json`` (W3C SPARQL 1.1 Query Results JSON), ``md``
(Markdown table), ``html`` (a standalone page). A graph result (``CONSTRUCT``/``DESCRIBE``) can also be shown in
these as a ``subject predicate object`` table.

Graph formats (``CONSTRUCT``/``DESCRIBE`` results and the whole graph): ``ttl``, ``nt``, ``rdfxml``, ``trig``
(pyoxigraph's serialisers, triples sorted so output is stable) and ``jsonld`` (written here from the sorted
N-Triples: a flat ``@graph`` compacted with an inline context of the project prefixes). Every graph format
parses back to an isomorphic graph (tested).

CSV written to a file is *spreadsheet-safe* by default: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote so a spreadsheet does not run it as a formula (turn it off with
``spreadsheet_safe=False`` / ``--no-spreadsheet-safe``). TSV cells are RDF terms (strings are quoted), so they
need no such guard.

>>> from rdflib import Literal, URIRef
>>> from dipontology.store import QueryResult
>>> r = QueryResult("select", ["case", "label"],
...                 [(URIRef("https://w3id.org/dipontology/id/case/oslo"), Literal("Oslo back channel"))])
>>> print(render(r, "md"), end="")
| case | label |
|---|---|
| case:oslo | Oslo back channel |
>>> render(r, "tsv").splitlines()[1].split(chr(9))
['<https://w3id.org/dipontology/id/case/oslo>', '"Oslo back channel"']
"""
from __future__ import annotations

import csv
import functools
import io
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node
from rich.console import Console
from rich.table import Table

from . import graph as _graph
from .atomic import write_bytes
from .errors import InputError
from .namespaces import PREFIXES
from .terms import display, plain_value, to_oxigraph

__all__ = [
    "RESULT_FORMATS", "GRAPH_FORMATS", "FORMATS", "MEDIA_TYPES", "GraphExport", "render", "render_bytes",
    "write", "export_graph", "serialize_triples", "serialize_formats", "serialize_graphs", "results_to_csv", "results_to_tsv", "results_to_json",
    "results_to_markdown", "results_to_html", "results_to_table", "results_to_dataframe", "plain_value",
    "display", "spreadsheet_safe_cell",
]

RESULT_FORMATS = ("table", "csv", "tsv", "json", "md", "html")
GRAPH_FORMATS = ("ttl", "nt", "jsonld", "rdfxml", "trig")
FORMATS = RESULT_FORMATS + GRAPH_FORMATS

MEDIA_TYPES = {
    "table": "text/plain", "csv": "text/csv", "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json", "md": "text/markdown", "html": "text/html",
    "ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml", "trig": "application/trig",
}
EXTENSIONS = {"table": "txt", "csv": "csv", "tsv": "tsv", "json": "srj", "md": "md", "html": "html", "ttl": "ttl",
              "nt": "nt", "jsonld": "jsonld", "rdfxml": "rdf", "trig": "trig"}

_OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
               "trig": ox.RdfFormat.TRIG}
_RISKY = ("=", "+", "-", "@", "\t", "\r")


# -------------------------------------------------------------------------------------------------- term views
def spreadsheet_safe_cell(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with a single quote.

    >>> spreadsheet_safe_cell("=HYPERLINK(1)"), spreadsheet_safe_cell("Oslo")
    ("'=HYPERLINK(1)", 'Oslo')
    """
    return "'" + text if text.startswith(_RISKY) else text


def _nt(term: Node | None) -> str:
    return "" if term is None else str(to_oxigraph(term))


def _table_rows(result) -> tuple[list[str], list[tuple]]:
    if result.kind == "select":
        return result.columns, result.rows
    if result.kind == "ask":
        return ["boolean"], [(Literal(bool(result.boolean)),)]
    return ["subject", "predicate", "object"], [tuple(t) for t in result.triples]


# ------------------------------------------------------------------------------------------ result renderers
def results_to_csv(result, *, spreadsheet_safe: bool = False) -> str:
    """W3C SPARQL 1.1 CSV: a header of variable names, then plain values (CRLF line ends, RFC 4180 quoting)."""
    columns, rows = _table_rows(result)
    if result.kind == "ask":
        rows = [(Literal("true" if result.boolean else "false"),)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        cells = ["" if v is None else (f"_:{v}" if isinstance(v, BNode) else str(v)) for v in row]
        if spreadsheet_safe:
            cells = [spreadsheet_safe_cell(c) for c in cells]
        w.writerow(cells)
    return buf.getvalue()


def results_to_tsv(result) -> str:
    """W3C SPARQL 1.1 TSV: ``?var`` header, then each term in N-Triples syntax (empty when unbound)."""
    columns, rows = _table_rows(result)
    lines = ["\t".join("?" + c for c in columns)]
    if result.kind == "ask":
        rows = [(Literal("true" if result.boolean else "false", datatype=XSD.boolean),)]
    for row in rows:
        lines.append("\t".join(_nt(v) for v in row))
    return "\n".join(lines) + "\n"


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and str(term.datatype) != str(XSD.string):
        out["datatype"] = str(term.datatype)
    return out


def results_to_json(result, *, indent: int | None = 2) -> str:
    """W3C SPARQL 1.1 Query Results JSON (a graph result becomes ``subject``/``predicate``/``object`` bindings)."""
    if result.kind == "ask":
        doc: dict[str, Any] = {"head": {}, "boolean": bool(result.boolean)}
    else:
        columns, rows = _table_rows(result)
        doc = {"head": {"vars": list(columns)},
               "results": {"bindings": [{c: _json_term(v) for c, v in zip(columns, row) if v is not None}
                                        for row in rows]}}
    return json.dumps(doc, indent=indent, ensure_ascii=False) + "\n"


def _md_cell(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "<br>").strip()


def results_to_markdown(result) -> str:
    """A GitHub-flavoured Markdown table of :func:`display` values (pipes and newlines escaped)."""
    columns, rows = _table_rows(result)
    lines = ["| " + " | ".join(_md_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_md_cell(display(v)) for v in row) + " |")
    return "\n".join(lines) + "\n"


_RESULTS_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>table{border-collapse:collapse;font-family:sans-serif}th,td{border:1px solid #ccc;padding:.3em .5em;\
text-align:left;vertical-align:top}th{background:#f3f3f3}</style>
</head>
<body>
<table>
<thead><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr>{% for text, href in row %}<td>{% if href %}<a href="{{ href }}">{{ text }}</a>\
{% else %}{% for line in text.split("\\n") %}{% if not loop.first %}<br>{% endif %}{{ line }}{% endfor %}{% endif %}\
</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
<p>{{ rows|length }} row{{ "s" if rows|length != 1 }}</p>
</body>
</html>
"""


@functools.lru_cache(maxsize=1)
def _results_template():
    return jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(_RESULTS_HTML)


def results_to_html(result, *, title: str = "dipontology query results") -> str:
    """A small standalone HTML page holding the results table (a template with autoescaping; only http(s) links)."""
    columns, rows = _table_rows(result)
    cells = [[(display(v), str(v) if isinstance(v, URIRef) and str(v).startswith(("http://", "https://")) else None)
              for v in row] for row in rows]
    return _results_template().render(title=title, columns=columns, rows=cells)


def results_to_table(result, *, width: int | None = None) -> str:
    """A rich text table for the terminal (no colour codes, so it can be piped)."""
    columns, rows = _table_rows(result)
    table = Table(show_lines=False, header_style="bold")
    for c in columns:
        table.add_column(c, overflow="fold")
    for row in rows:
        table.add_row(*(display(v) for v in row))
    buf = io.StringIO()
    console = Console(file=buf, width=width or max(80, shutil.get_terminal_size((120, 24)).columns),
                      color_system=None, force_terminal=False, soft_wrap=False)
    console.print(table)
    console.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
    return buf.getvalue()


def results_to_dataframe(result):
    """A pandas ``DataFrame`` of the rows as plain values.

    :raises ImportError: if pandas is not installed (``pip install 'dipontology[pandas]'``).
    """
    try:
        import pandas as pd  # optional dependency: the [pandas] extra, only for results_to_dataframe
    except ImportError as exc:
        raise ImportError("to_dataframe() needs pandas: pip install 'dipontology[pandas]' (or pip install pandas)"
                          ) from exc
    columns, rows = _table_rows(result)
    return pd.DataFrame([[plain_value(v) for v in row] for row in rows], columns=columns)


# -------------------------------------------------------------------------------------------- graph formats
# Sorting: every triple is written once as canonical N-Triples by pyoxigraph (Rust), and the lines are sorted as
# bytes after a reversible byte mapping that makes plain byte order equal the order we want:
#   ``>`` (an IRI's closing bracket; inside literals it is mapped too, harmlessly) -> \x01, so ``<a>`` sorts before
#   ``<a#x>`` and ``<a-b>`` (subjects and predicates ordered by their IRI value, a prefix first);
#   ``"`` (a literal's quotes; quotes inside a value are escaped as ``\"``) -> \x03, so ``"ab"`` sorts before
#   ``"ab c"``;
#   the ``<`` of the predicate ``rdf:type`` -> \x02, so a subject's ``rdf:type`` triples come first.
# Canonical N-Triples escapes every control character (U+0000-U+001F, U+007F), so \x01-\x03 never occur in it and
# the mapping is undone exactly by one ``bytes.translate``. The resulting order: subjects by value, IRIs before
# blank nodes (``<`` < ``_``); ``rdf:type`` first; then predicates by IRI; then objects by their N-Triples text
# (literals, then IRIs, then blank nodes; literals by escaped value, then language tag / datatype).
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_TO_KEY = bytes.maketrans(b'>"', b"\x01\x03")
_FROM_KEY = bytes.maketrans(b"\x01\x02\x03", b'><"')
_TYPE_PRED = b" <" + _RDF_TYPE.encode() + b"\x01 "
_TYPE_PRED_KEY = b" \x02" + _RDF_TYPE.encode() + b"\x01 "


def _sort_key(line: bytes) -> bytes:
    """The sort key of one canonical N-Triples line (see above); ``bytes.translate(_FROM_KEY)`` undoes it.

    >>> lines = [b'<http://e/a#x> <http://e/p> "1" .', b'<http://e/a> <http://e/q> <http://e/b> .',
    ...          b'<http://e/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/C> .']
    >>> [line[:40] for line in sorted(lines, key=_sort_key)]  # doctest: +NORMALIZE_WHITESPACE
    [b'<http://e/a> <http://www.w3.org/1999/02/', b'<http://e/a> <http://e/q> <http://e/b> .',
     b'<http://e/a#x> <http://e/p> "1" .']
    """
    return line.translate(_TO_KEY).replace(_TYPE_PRED, _TYPE_PRED_KEY)


def _as_ox(triples: Iterable) -> list[ox.Triple]:
    out = []
    to = to_oxigraph
    for t in triples:
        if isinstance(t, ox.Triple):
            out.append(t)
        else:
            s, p, o = t
            out.append(ox.Triple(to(s), to(p), to(o)))
    return out


def _ntriples(triples: Iterable) -> tuple[list, bytes]:
    """The triples as a list of pyoxigraph ``Triple`` and as canonical N-Triples (one Rust call when they already
    are pyoxigraph triples; rdflib 3-tuples are converted first)."""
    ts = triples if isinstance(triples, list) else list(triples)
    try:
        return ts, ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES)
    except TypeError:  # rdflib terms (or a mix): convert, then serialise
        ts = _as_ox(ts)
        return ts, ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES)


def _keys(nt: bytes) -> list[bytes]:
    """The sort keys of all lines of the canonical N-Triples ``nt``, in order (whole-buffer translate, replace and
    split: C speed)."""
    keys = nt.translate(_TO_KEY).replace(_TYPE_PRED, _TYPE_PRED_KEY).split(b"\n")
    keys.pop()  # the text ends with a newline
    return keys


def _sorted_keys(nt: bytes) -> list[bytes]:
    keys = _keys(nt)
    keys.sort()
    return keys


def _sorted_triples(ts: list, nt: bytes) -> list:
    """``ts`` (whose canonical N-Triples is ``nt``, line for line) sorted by the N-Triples sort keys: the keys are
    computed for the whole buffer at once and handed to ``sorted`` in order (``next`` on their iterator)."""
    keys = _keys(nt)
    if len(keys) != len(ts):  # cannot happen with canonical N-Triples (one line per triple); be safe anyway
        raise AssertionError("N-Triples lines do not match the triples")
    return sorted(ts, key=functools.partial(next, iter(keys)))


def _trie(words: list[bytes]) -> bytes:
    """A regex (source) matching exactly one of ``words``, as a trie, so a search tries all at once."""
    if b"" in words:
        rest = [w for w in words if w]
        return b"(?:" + _trie(rest) + b")?" if rest else b""
    groups: dict[bytes, list[bytes]] = {}
    for w in words:
        groups.setdefault(w[:1], []).append(w[1:])
    alts = [re.escape(c) + _trie(ws) for c, ws in sorted(groups.items())]
    return alts[0] if len(alts) == 1 else b"(?:" + b"|".join(alts) + b")"


@functools.lru_cache(maxsize=1024)
def _namespace_regex(namespaces: tuple[bytes, ...]) -> re.Pattern:
    """The compiled search for an IRI in one of ``namespaces`` (cached: a release serialises thousands of small
    graphs, each starting from the same namespaces)."""
    return re.compile(b"<(" + _trie(list(namespaces)) + b")[^/#>\n]*>")


def _used_prefixes(nt: bytes, prefixes: "dict[str, str] | None" = None) -> dict[str, str]:
    """The project prefixes whose namespace is the namespace (the IRI up to its last ``#`` or ``/``) of some IRI
    in the canonical N-Triples ``nt``: a subject, predicate, object or literal datatype, never text inside a
    literal. One regex (a trie of the namespaces not found yet) searched from the last hit on: about one C-speed
    pass over ``nt`` in all; a hit inside a literal's value is skipped."""
    remaining = {ns.encode(): prefix for prefix, ns in (PREFIXES if prefixes is None else prefixes).items()}
    used: dict[str, str] = {}
    pos = 0
    while remaining:
        m = _namespace_regex(tuple(sorted(remaining))).search(nt, pos)
        if m is None:
            break
        pos = m.start()
        if _is_iri_term(nt, pos):
            ns = m.group(1)
            used[remaining.pop(ns)] = ns.decode()
        else:
            pos += 1
    return dict(sorted(used.items()))


def _is_iri_term(nt: bytes, at: int) -> bool:
    """Whether the ``<`` at ``at`` in canonical N-Triples opens an IRI term (not text inside a literal)."""
    start = nt.rfind(b"\n", 0, at) + 1
    end = nt.find(b"\n", at)
    line = nt[start:end if end >= 0 else len(nt)]
    at -= start
    quote = line.find(b'"')  # a subject or predicate has no quote, so the first one opens the object literal
    if quote < 0 or at < quote:
        return True
    close = line.rfind(b'"')  # quotes inside the value are escaped; an IRI has none: this one closes the literal
    return line.startswith(b"^^<", close + 1) and at == close + 3


class _PrefixClash(Exception):
    """A full IRI's scheme is the name of a prefix already used to compact: write again without that prefix."""


def _jsonld(keys: list[bytes]) -> bytes:
    """A JSON-LD 1.1 document (inline ``@context``, a flat ``@graph`` of node objects) from the sorted N-Triples
    sort keys (see :func:`_sort_key`; written from the keys as they are, the output mapped back with one
    ``translate``).

    A canonical N-Triples string literal (``"..."`` with ``\\"``, ``\\\\``, ``\\n``, ``\\r``, ``\\t``, ``\\b``,
    ``\\f`` and ``\\uXXXX`` escapes) is also a JSON string with the same value, so literal values are copied as
    they are. All literals keep their lexical form (``@value`` strings, never JSON numbers); ``rdf:type`` with an
    IRI object becomes ``@type``. An IRI is compacted to ``prefix:local`` with a project prefix when its namespace
    (up to the last ``/`` or ``#``) is that prefix's and the local part is not empty; the context holds exactly the
    prefixes so used. A prefix whose name is the scheme of some IRI (``dip:x`` written in full would expand
    through the context) is not used.
    """
    banned: set[str] = set()
    while True:
        try:
            return _jsonld_once(keys, banned)
        except _PrefixClash as clash:
            banned.add(str(clash))


#: IRI (its text in key space) -> (its JSON string in a document that uses the project prefixes as they are, the
#: prefix that compacts it or b""): the same IRIs come back in every record's document of a release; bounded
_COMPACTED: dict[bytes, tuple[bytes, bytes]] = {}
_COMPACTED_MAX = 1 << 16
#: the bytes json.dumps escapes (with ensure_ascii=False): a quote, a backslash, control characters
_JSON_ESCAPED = re.compile(rb'["\\\x00-\x1f]')


def _jsonld_once(keys: list[bytes], banned: set[str]) -> bytes:
    # The document is written in *key space* (the bytes of the sort keys: ``>`` as \x01, ``"`` as \x03, the ``<`` of
    # an ``rdf:type`` IRI term as \x02; see above ``_sort_key``) and mapped back by one ``translate`` of the whole
    # output at the end: the JSON written here (structure, compacted IRIs from ``json.dumps``, which escapes every
    # control character) holds no \x01-\x03, so only the copied literal values and blank-node labels change back.
    by_ns = {ns.encode(): p.encode() + b":" for p, ns in PREFIXES.items() if p not in banned}
    by_name = {p.encode(): ns.encode() for p, ns in PREFIXES.items() if p not in banned}
    used: set[bytes] = set()
    dumps = json.dumps
    json_escaped = _JSON_ESCAPED.search
    from_key = _FROM_KEY

    # the compact forms made for earlier documents are reused while this one leaves every project prefix in use
    shared = _COMPACTED if not banned else None

    class Compact(dict):  # IRI text in key space (between its < and >) -> JSON string of its compact form
        def __missing__(self, key: bytes) -> bytes:
            nonlocal shared
            if shared is not None:
                hit = shared.get(key)
                if hit is not None:
                    out, prefix = hit
                    if prefix:
                        used.add(prefix)
                    self[key] = out
                    return out
            iri = key.translate(from_key)
            scheme = iri[:iri.find(b":")]
            if scheme in by_name:
                if scheme in used:
                    raise _PrefixClash(scheme.decode())
                for ns in [ns for ns, pre in by_ns.items() if pre == scheme + b":"]:
                    del by_ns[ns]
                del by_name[scheme]
                shared = None  # a prefix set aside: the shared forms may use it
            cut = max(iri.rfind(b"#"), iri.rfind(b"/")) + 1
            pre = by_ns.get(iri[:cut]) if cut < len(iri) else None
            if pre is not None:
                used.add(pre[:-1])
            text = iri if pre is None else pre + iri[cut:]
            # json.dumps(text, ensure_ascii=False) is the text in quotes unless it holds a quote, a backslash or a
            # control character (which IRIs do not)
            out = self[key] = (dumps(text.decode("utf-8"), ensure_ascii=False).encode("utf-8")
                               if json_escaped(text) else b'"' + text + b'"')
            if shared is not None:
                if len(shared) >= _COMPACTED_MAX:
                    shared.clear()
                shared[key] = (out, b"" if pre is None else pre[:-1])
            return out

    class Node(dict):  # an IRI or blank-node object (with the line's " .") -> its JSON-LD node reference
        def __missing__(self, t: bytes) -> bytes:
            if t.startswith(b"<<"):
                raise TypeError("unsupported RDF term (RDF-star triple terms are not used here): "
                                + t[:-2].translate(from_key).decode())
            out = self[t] = (literal(t) if t[0] == 3 else b'{"@id": "' + t[:-2] + b'"}' if t[0] == 95
                             else b'{"@id": ' + compact[t[1:-3]] + b"}")
            return out

    class Entry(dict):  # predicate (key space) -> the text opening its entry, after the entry before or the @id
        def __init__(self, before: bytes) -> None:
            self.before = before

        def __missing__(self, p: bytes) -> bytes:
            out = self[p] = self.before + compact[p[1:-1]] + b": ["
            return out

    compact, node = Compact(), Node()
    next_entry, first_entry = Entry(b"],\n    "), Entry(b",\n    ")

    def literal(o: bytes) -> bytes:  # o: a literal with the line's " ." (key space: its quotes are \x03)
        close = o.rfind(b"\x03")
        if close == len(o) - 3:
            return o[:-2]
        if o[close + 1] == 64:
            return b'{"@value": ' + o[:close + 1] + b', "@language": "' + o[close + 2:-2] + b'"}'
        return b'{"@value": ' + o[:close + 1] + b', "@type": ' + compact[o[close + 4:-3]] + b"}"

    rdf_type = _TYPE_PRED_KEY[1:-1]  # the predicate rdf:type in key space
    out: list[bytes] = []
    add = out.append
    subject = predicate = None
    types: list[bytes] = []  # the subject's rdf:type IRIs (-> "@type"); its lines come first
    other_types: list[bytes] = []  # rdf:type with a literal or blank-node object (-> an "rdf:type" entry)

    def flush_types() -> None:
        if types:
            add(b',\n    "@type": [' + b", ".join(types) + b"]")
            types.clear()
        if other_types:
            add(b",\n    " + compact[rdf_type[1:-1]] + b": [" + b", ".join(other_types) + b"]")
            other_types.clear()

    for key in keys:
        s, p, o = key.split(b" ", 2)  # o ends with " ."
        if s == subject:
            if p == predicate:  # the most common case: one more value of the same entry
                add(b", ")
                add(node[o])
                continue
        else:
            if types or other_types:
                flush_types()
            add((b"]\n  },\n" if predicate is not None else b"\n  },\n" if subject is not None else b"")
                + b'  {\n    "@id": ' + (compact[s[1:-1]] if s[0] == 60 else b'"' + s + b'"'))
            subject, predicate = s, None
        if p == rdf_type:
            if o[0] == 3 or o[0] == 95:  # a literal or a blank node
                other_types.append(node[o])
            else:
                types.append(compact[o[1:-3]])
            continue
        if types or other_types:
            flush_types()
        add(next_entry[p] if predicate is not None else first_entry[p])
        predicate = p
        add(node[o])
    if types or other_types:
        flush_types()
    if subject is not None:
        add(b"]\n  }\n" if predicate is not None else b"\n  }\n")
    return _jsonld_document(b"".join(out).translate(from_key), used, by_name)


def _jsonld_document(body: bytes, used: set[bytes], by_name: dict[bytes, bytes]) -> bytes:
    context = {p.decode(): by_name[p].decode() for p in sorted(used)}
    head = json.dumps(context, indent=4, ensure_ascii=False).replace("\n}", "\n  }")
    return b'{\n  "@context": ' + head.encode("utf-8") + b',\n  "@graph": [\n' + body + b"  ]\n}\n"


def serialize_triples(triples: Iterable, fmt: str, *, prefixes: "dict[str, str] | None" = None) -> bytes:
    """Serialise triples (pyoxigraph ``Triple`` or rdflib 3-tuples) in a graph format, sorted for stable output.

    Subjects come in order of their value (IRIs, then blank nodes), a subject's ``rdf:type`` triples first, then
    the other predicates in IRI order, then objects by their N-Triples text (see the notes above ``_sort_key``):
    the same bytes for the same triples in any input order. Turtle, TriG and RDF/XML declare exactly the project
    prefixes (or those of ``prefixes``) whose namespace some IRI has; JSON-LD's inline ``@context`` holds the prefixes it compacts with.

    >>> from rdflib import URIRef, Literal
    >>> t = [(URIRef("https://w3id.org/dipontology/id/case/oslo"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    ...       Literal("Oslo", lang="en"))]
    >>> print(serialize_triples(t, "ttl").decode(), end="")
    @prefix case: <https://w3id.org/dipontology/id/case/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    case:oslo rdfs:label "Oslo"@en .
    """
    if fmt not in GRAPH_FORMATS:
        raise InputError(f"unknown graph format {fmt!r}", fix=f"use one of {', '.join(GRAPH_FORMATS)}")
    ts, nt = _ntriples(triples)
    if fmt == "nt":
        keys = _sorted_keys(nt)
        del nt
        keys.append(b"")  # so that the text ends with a newline
        return b"\n".join(keys).translate(_FROM_KEY) if len(keys) > 1 else b""
    if fmt == "jsonld":
        keys = _sorted_keys(nt)
        del nt
        return _jsonld(keys)
    prefixes = _used_prefixes(nt, prefixes)
    ts = _sorted_triples(ts, nt)
    del nt
    data = ox.serialize(ts, format=_OX_FORMATS[fmt], prefixes=prefixes)
    return _sort_prefix_lines(data) if fmt in ("ttl", "trig") else data


def serialize_formats(triples: Iterable, fmts: Iterable[str]) -> dict[str, bytes]:
    """The same triples in several graph formats: ``{fmt: serialize_triples(triples, fmt)}``, byte for byte, with
    the N-Triples text, the sort and the prefixes worked out once for all of them (a release writes each record in
    four formats).

    >>> from rdflib import URIRef, Literal
    >>> t = [(URIRef("https://w3id.org/dipontology/id/case/oslo"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    ...       Literal("Oslo", lang="en"))]
    >>> all(serialize_formats(t, GRAPH_FORMATS)[f] == serialize_triples(t, f) for f in GRAPH_FORMATS)
    True
    """
    fmts = list(fmts)
    for fmt in fmts:
        if fmt not in GRAPH_FORMATS:
            raise InputError(f"unknown graph format {fmt!r}", fix=f"use one of {', '.join(GRAPH_FORMATS)}")
    ts, nt = _ntriples(triples)
    keys = _keys(nt)
    if len(keys) != len(ts):  # cannot happen with canonical N-Triples (one line per triple); be safe anyway
        raise AssertionError("N-Triples lines do not match the triples")
    order = sorted(range(len(keys)), key=keys.__getitem__)
    keys = [keys[i] for i in order]
    out: dict[str, bytes] = {}
    prefixes = sorted_ts = None
    for fmt in fmts:
        if fmt == "nt":
            out[fmt] = b"\n".join([*keys, b""]).translate(_FROM_KEY) if keys else b""
        elif fmt == "jsonld":
            out[fmt] = _jsonld(keys)
        else:
            if sorted_ts is None:
                prefixes, sorted_ts = _used_prefixes(nt), [ts[i] for i in order]
            data = ox.serialize(sorted_ts, format=_OX_FORMATS[fmt], prefixes=prefixes)
            out[fmt] = _sort_prefix_lines(data) if fmt in ("ttl", "trig") else data
    return out


def serialize_graphs(graphs, fmt: str = "trig") -> bytes:
    """Serialise named graphs (a mapping of graph name IRI to its triples) as TriG: graphs in name order, each graph's
    triples in the order of :func:`serialize_triples`, the project prefixes any IRI uses declared once.

    >>> from rdflib import URIRef, Literal
    >>> g = {"https://w3id.org/dipontology/files/a.ttl": [(URIRef("https://w3id.org/dipontology/id/case/oslo"),
    ...      URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Oslo", lang="en"))]}
    >>> [line.strip() for line in serialize_graphs(g).decode().splitlines()][2:]
    ['<https://w3id.org/dipontology/files/a.ttl> {', 'case:oslo rdfs:label "Oslo"@en .', '}']
    """
    if fmt != "trig":
        raise InputError(f"named graphs are written as TriG, not {fmt!r}", fix="use trig")
    quads: list = []
    prefixes: dict[str, str] = {}
    for name in sorted(graphs):
        ts, nt = _ntriples(list(graphs[name]))
        if not ts:
            continue
        prefixes.update(_used_prefixes(nt))
        g = ox.NamedNode(name)
        quads += [ox.Quad(t.subject, t.predicate, t.object, g) for t in _sorted_triples(ts, nt)]
    if not quads:
        return b""
    return _sort_prefix_lines(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=dict(sorted(prefixes.items()))))


def _sort_prefix_lines(data: bytes) -> bytes:
    r"""Sort the ``@prefix`` lines at the head of Turtle/TriG (only the head is looked at).

    >>> _sort_prefix_lines(b"@prefix b: <http://b/> .\n@prefix a: <http://a/> .\na:x b:y a:z .\n")
    b'@prefix a: <http://a/> .\n@prefix b: <http://b/> .\na:x b:y a:z .\n'
    """
    end = 0
    while data.startswith(b"@prefix ", end):
        nl = data.find(b"\n", end)
        end = len(data) if nl < 0 else nl + 1
    if end == 0:
        return data
    head = data[:end]
    lines = sorted(head.rstrip(b"\n").split(b"\n"))
    return b"\n".join(lines) + (b"\n" if head.endswith(b"\n") else b"") + data[end:]


# --------------------------------------------------------------------------------------------------- dispatch
def render_bytes(result, fmt: str, *, spreadsheet_safe: bool = False) -> bytes:
    """Render a :class:`~dipontology.store.QueryResult` in ``fmt`` as bytes (UTF-8 for text formats).

    :raises InputError: if ``fmt`` does not fit the result (a ``SELECT`` result cannot be Turtle).
    """
    if fmt in GRAPH_FORMATS:
        if result.kind != "graph":
            raise InputError(f"--format {fmt} is for CONSTRUCT/DESCRIBE results; this query is a {result.kind} query",
                             fix=f"use one of {', '.join(RESULT_FORMATS)}")
        return serialize_triples(result.triples, fmt)
    if fmt == "csv":
        return results_to_csv(result, spreadsheet_safe=spreadsheet_safe).encode("utf-8")
    renderers = {"tsv": results_to_tsv, "json": results_to_json, "md": results_to_markdown,
                 "html": results_to_html, "table": results_to_table}
    if fmt not in renderers:
        raise InputError(f"unknown format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    return renderers[fmt](result).encode("utf-8")


def render(result, fmt: str, *, spreadsheet_safe: bool = False) -> str:
    """Like :func:`render_bytes`, decoded."""
    return render_bytes(result, fmt, spreadsheet_safe=spreadsheet_safe).decode("utf-8")


def write(result, fmt: str, path: str | Path, *, spreadsheet_safe: bool = True) -> None:
    """Write a result atomically to ``path``; CSV is spreadsheet-safe unless ``spreadsheet_safe=False``."""
    write_bytes(path, render_bytes(result, fmt, spreadsheet_safe=spreadsheet_safe))


@dataclass
class GraphExport:
    """The whole graph in one format."""

    format: str
    media_type: str
    triples: int
    data: bytes
    path: Path | None = None


def export_graph(fmt: str = "ttl", *, inferred: bool = False, output: str | Path | None = None,
                 triples: Iterable | None = None) -> GraphExport:
    """The published graph (ontology + data, or its OWL RL closure) in a graph format, optionally written to a file.

    :param fmt: one of :data:`GRAPH_FORMATS`.
    :param inferred: export the OWL 2 RL closure (:mod:`dipontology.inference`) instead of the asserted triples.
    :param output: write the result atomically to this path.
    :param triples: export these triples instead of the published graph.

    >>> e = export_graph("nt")
    >>> e.media_type, e.triples > 100
    ('application/n-triples', True)
    """
    if triples is None:
        triples = _graph.inferred_triples() if inferred else _graph.published_triples()
    ts = triples if isinstance(triples, list) else list(triples)
    data = serialize_triples(ts, fmt)
    path = Path(output) if output else None
    if path is not None:
        write_bytes(path, data)
    return GraphExport(format=fmt, media_type=MEDIA_TYPES[fmt], triples=len(ts), data=data, path=path)
