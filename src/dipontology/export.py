"""Render query results and graphs in every format.

Result formats (``SELECT``/``ASK``): ``table`` (rich, for the terminal), ``csv`` (W3C SPARQL 1.1 CSV: plain
values), ``tsv`` (W3C SPARQL 1.1 TSV: RDF term syntax), ``json`` (W3C SPARQL 1.1 Query Results JSON), ``md``
(Markdown table), ``html`` (a standalone page). A graph result (``CONSTRUCT``/``DESCRIBE``) can also be shown in
these as a ``subject predicate object`` table.

Graph formats (``CONSTRUCT``/``DESCRIBE`` results and the whole graph): ``ttl``, ``nt``, ``rdfxml``, ``trig``
(pyoxigraph's serialisers, triples sorted so output is stable) and ``jsonld`` (rdflib, compacted with a context
of the project prefixes). Every graph format parses back to an isomorphic graph (tested).

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
import html
import io
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from . import graph as _graph
from .atomic import write_bytes
from .errors import InputError
from .namespaces import PREFIXES

__all__ = [
    "RESULT_FORMATS", "GRAPH_FORMATS", "FORMATS", "MEDIA_TYPES", "GraphExport", "render", "render_bytes",
    "write", "export_graph", "serialize_triples", "results_to_csv", "results_to_tsv", "results_to_json",
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
_NUMERIC = {str(XSD.integer), str(XSD.decimal), str(XSD.double), str(XSD.float), str(XSD.int), str(XSD.long),
            str(XSD.nonNegativeInteger), str(XSD.positiveInteger)}
# longest namespace first so that e.g. ``dipsh:`` wins over a shorter match
_PREFIX_ORDER = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


# -------------------------------------------------------------------------------------------------- term views
def plain_value(term: Node | None) -> Any:
    """A plain Python value: ``None``, ``str`` for IRIs, strings and dates, ``int``/``float``/``bool`` for numbers.

    >>> plain_value(Literal("42", datatype=XSD.integer)), plain_value(Literal("1993", datatype=XSD.gYear))
    (42, '1993')
    """
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = str(term.datatype) if term.datatype else ""
        if dt in _NUMERIC or dt == str(XSD.boolean):
            value = term.toPython()
            if isinstance(value, Decimal):
                return float(value)
            if isinstance(value, (int, float, bool)):
                return value
        return str(term)
    return str(term)


def display(term: Node | None) -> str:
    """A short human form: prefixed names for project IRIs, the bare value of literals, ``_:id`` for blank nodes.

    >>> display(URIRef("https://w3id.org/dipontology/ontology#TrackTwo"))
    'dip:TrackTwo'
    >>> display(Literal("Oslo", lang="en"))
    'Oslo'
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in _PREFIX_ORDER:
            if s.startswith(ns) and len(s) > len(ns):
                local = s[len(ns):]
                if all(ch.isalnum() or ch in "-_." for ch in local):
                    return f"{prefix}:{local}"
        return s
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def spreadsheet_safe_cell(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with a single quote.

    >>> spreadsheet_safe_cell("=HYPERLINK(1)"), spreadsheet_safe_cell("Oslo")
    ("'=HYPERLINK(1)", 'Oslo')
    """
    return "'" + text if text.startswith(_RISKY) else text


def _nt(term: Node | None) -> str:
    return "" if term is None else str(_graph.to_oxigraph(term))


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


def _html_cell(term: Node | None) -> str:
    text = html.escape(display(term))
    if isinstance(term, URIRef) and str(term).startswith(("http://", "https://")):
        return f'<a href="{html.escape(str(term), quote=True)}">{text}</a>'
    return text.replace("\n", "<br>")


def results_to_html(result, *, title: str = "dipontology query results") -> str:
    """A small standalone HTML page holding the results table (every value escaped; only http(s) links)."""
    columns, rows = _table_rows(result)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "\n".join("<tr>" + "".join(f"<td>{_html_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n"
        "<style>table{border-collapse:collapse;font-family:sans-serif}"
        "th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}"
        "th{background:#f3f3f3}</style>\n</head>\n<body>\n"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"
        f"<p>{len(rows)} row{'s' if len(rows) != 1 else ''}</p>\n</body>\n</html>\n"
    )


def results_to_table(result, *, width: int | None = None) -> str:
    """A rich text table for the terminal (no colour codes, so it can be piped)."""
    from rich.console import Console
    from rich.table import Table

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
        import pandas as pd
    except ImportError as exc:
        raise ImportError("to_dataframe() needs pandas: pip install 'dipontology[pandas]' (or pip install pandas)"
                          ) from exc
    columns, rows = _table_rows(result)
    return pd.DataFrame([[plain_value(v) for v in row] for row in rows], columns=columns)


# -------------------------------------------------------------------------------------------- graph formats
def _sort_key(t: ox.Triple) -> tuple:
    def k(term):
        if isinstance(term, ox.NamedNode):
            return (0, term.value, "")
        if isinstance(term, ox.BlankNode):
            return (1, term.value, "")
        return (2, term.value, term.language or term.datatype.value)
    rdf_type = t.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    return (k(t.subject), not rdf_type, k(t.predicate), k(t.object))


def _used_prefixes(triples: Sequence[ox.Triple]) -> dict[str, str]:
    used: set[str] = set()
    nss = list(PREFIXES.items())
    seen_ns: set[str] = set()
    for t in triples:
        dt = t.object.datatype if isinstance(t.object, ox.Literal) and not t.object.language else None
        for term in (t.subject, t.predicate, t.object, dt):
            if isinstance(term, ox.NamedNode):
                v = term.value
                cut = max(v.rfind("#"), v.rfind("/")) + 1
                seen_ns.add(v[:cut])
    for prefix, ns in nss:
        if ns in seen_ns:
            used.add(prefix)
    return {p: PREFIXES[p] for p in sorted(used)}


def _as_ox(triples: Iterable) -> list[ox.Triple]:
    out = []
    to = _graph.to_oxigraph
    for t in triples:
        if isinstance(t, ox.Triple):
            out.append(t)
        else:
            s, p, o = t
            out.append(ox.Triple(to(s), to(p), to(o)))
    return out


def serialize_triples(triples: Iterable, fmt: str) -> bytes:
    """Serialise triples (pyoxigraph ``Triple`` or rdflib 3-tuples) in a graph format, sorted for stable output.

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
    ts = sorted(_as_ox(triples), key=_sort_key)
    if fmt == "jsonld":
        g = Graph()
        for t in ts:
            g.add((_graph.to_rdflib(t.subject), _graph.to_rdflib(t.predicate), _graph.to_rdflib(t.object)))
        context = _used_prefixes(ts)
        text = g.serialize(format="json-ld", context=context, auto_compact=True, indent=2)
        return text.encode("utf-8") if isinstance(text, str) else text
    if fmt == "trig":
        dg = ox.DefaultGraph()
        data = ox.serialize((ox.Quad(t.subject, t.predicate, t.object, dg) for t in ts), format=_OX_FORMATS[fmt],
                            prefixes=_used_prefixes(ts))
    elif fmt == "nt":
        data = ox.serialize(ts, format=_OX_FORMATS[fmt])
    else:
        data = ox.serialize(ts, format=_OX_FORMATS[fmt], prefixes=_used_prefixes(ts))
    return _sort_prefix_lines(data) if fmt in ("ttl", "trig") else data


def _sort_prefix_lines(data: bytes) -> bytes:
    lines = data.split(b"\n")
    head = []
    i = 0
    while i < len(lines) and lines[i].startswith(b"@prefix "):
        head.append(lines[i])
        i += 1
    return b"\n".join(sorted(head) + lines[i:])


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
    ts = _as_ox(triples)
    data = serialize_triples(ts, fmt)
    path = Path(output) if output else None
    if path is not None:
        write_bytes(path, data)
    return GraphExport(format=fmt, media_type=MEDIA_TYPES[fmt], triples=len(ts), data=data, path=path)
