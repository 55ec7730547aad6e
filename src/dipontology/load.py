"""Parse RDF files safely, and remember on which line each record is defined.

Every RDF file the project reads -- the ontology, the shapes, the published data and contributed records -- goes
through :func:`load_file`. It parses Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML and TriG with pyoxigraph (strict
and fast), builds an rdflib graph from the result, and keeps a map from each subject to the first line where it is
the subject of a statement, so that later stages can say ``case.ttl:12`` instead of just an IRI.

Parsing is safe by construction:

* nothing is ever fetched or opened because the input named it: a JSON-LD ``@context`` or ``@import`` that is not
  written inline is refused (pyoxigraph is given no document loader), RDF/XML with a ``DOCTYPE`` or ``ENTITY``
  declaration is refused before any XML parser expands it, and ``owl:imports`` is just a triple;
* the input's size, triple count, literal length and nesting depth are bounded (:class:`Limits`);
* the file must be UTF-8 text: empty, binary, UTF-16 or Latin-1 files are refused with the offending byte's place;
* every problem is one :class:`~dipontology.errors.InputError` naming the file, line, column, the parser's message
  and how to fix it -- never a traceback.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "case.ttl").write_text(
...     "@prefix case: <https://w3id.org/dipontology/id/case/> .\\n"
...     "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\\n"
...     "\\n"
...     "case:oslo-back-channel rdfs:label \\"Oslo back channel\\"@en .\\n")
>>> loaded = load_file(d / "case.ttl")
>>> loaded.format, len(loaded.graph)
('turtle', 1)
>>> from rdflib import URIRef
>>> loaded.line_of(URIRef("https://w3id.org/dipontology/id/case/oslo-back-channel"))
4
>>> (d / "bad.ttl").write_text("case:x rdfs:label 'x' .\\n") and None
>>> try:
...     load_file(d / "bad.ttl")
... except InputError as e:
...     print(e.line, e.column, "case:" in e.message)
1 1 True
"""
from __future__ import annotations

import difflib
import errno
import json
import logging
import os
import re
import stat
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator
from urllib.parse import urljoin
from xml.parsers import expat

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from .errors import InputError
from .namespaces import PREFIXES

__all__ = ["Limits", "Loaded", "load_file", "load_bytes", "read_file", "trusted_triples", "trusted_graph", "bulk_load",
           "TRUSTED", "FORMATS", "format_for_path"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_FIRST = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
RDF_REST = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")

#: our format name -> (pyoxigraph format, human name, rdflib serializer name)
FORMATS: dict[str, tuple[ox.RdfFormat, str, str]] = {
    "turtle": (ox.RdfFormat.TURTLE, "Turtle", "turtle"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "N-Triples", "nt"),
    "nquads": (ox.RdfFormat.N_QUADS, "N-Quads", "nquads"),
    "trig": (ox.RdfFormat.TRIG, "TriG", "trig"),
    "jsonld": (ox.RdfFormat.JSON_LD, "JSON-LD", "json-ld"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "RDF/XML", "xml"),
}

#: file name ending -> format; anything else is sniffed from the content
_EXTENSIONS = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "ntriples", ".ntriples": "ntriples", ".nq": "nquads",
    ".nquads": "nquads", ".trig": "trig", ".jsonld": "jsonld", ".json-ld": "jsonld", ".json": "jsonld",
    ".rdf": "rdfxml", ".xml": "rdfxml", ".rdfxml": "rdfxml",
}

_SYNTAX_URL = {
    "turtle": "https://www.w3.org/TR/turtle/", "ntriples": "https://www.w3.org/TR/n-triples/",
    "nquads": "https://www.w3.org/TR/n-quads/", "trig": "https://www.w3.org/TR/trig/",
    "jsonld": "https://www.w3.org/TR/json-ld11/", "rdfxml": "https://www.w3.org/TR/rdf-syntax-grammar/",
}

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx/.odt document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "a Microsoft Office document"),
    (b"\x7fELF", "a program"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
)


@dataclass(frozen=True)
class Limits:
    """Bounds on what :func:`load_file` accepts; ``None`` switches a bound off.

    The defaults are far above any real contribution or the published data, and far below what makes the parsers
    slow or crash.

    >>> Limits().max_depth
    256
    >>> Limits(max_triples=10).max_triples
    10
    """

    #: largest file, in bytes
    max_bytes: int | None = 64 * 1024 * 1024
    #: most triples (or quads) in one file
    max_triples: int | None = 2_000_000
    #: longest literal, in characters
    max_literal_chars: int | None = 100_000
    #: deepest nesting of blank nodes, lists, JSON objects or XML elements
    max_depth: int | None = 256
    #: longest IRI, in characters
    max_iri_chars: int | None = 8_192

    #: environment variable -> field: how a person changes a limit without code (documented in docs/security.md)
    ENV = {"DIPONTOLOGY_MAX_BYTES": "max_bytes", "DIPONTOLOGY_MAX_TRIPLES": "max_triples",
           "DIPONTOLOGY_MAX_LITERAL_CHARS": "max_literal_chars", "DIPONTOLOGY_MAX_DEPTH": "max_depth",
           "DIPONTOLOGY_MAX_IRI_CHARS": "max_iri_chars"}

    @classmethod
    def variable(cls, name: str) -> str:
        """The environment variable that sets the limit ``name``.

        >>> Limits.variable("max_iri_chars")
        'DIPONTOLOGY_MAX_IRI_CHARS'
        """
        return next(var for var, field_name in cls.ENV.items() if field_name == name)

    @classmethod
    def raise_fix(cls, name: str, value: int, what: str) -> str:
        """A fix that says how to stay within the limit ``name`` or how to raise it.

        >>> Limits.raise_fix("max_triples", 10, "split the file")
        'split the file, or raise the limit: DIPONTOLOGY_MAX_TRIPLES=20 (or none)'
        """
        return f"{what}, or raise the limit: {cls.variable(name)}={2 * value} (or none)"

    @classmethod
    def from_env(cls, environ: "dict[str, str] | None" = None) -> "Limits":
        """The default limits, each overridden by its environment variable when set (``DIPONTOLOGY_MAX_BYTES``,
        ``DIPONTOLOGY_MAX_TRIPLES``, ``DIPONTOLOGY_MAX_LITERAL_CHARS``, ``DIPONTOLOGY_MAX_DEPTH``,
        ``DIPONTOLOGY_MAX_IRI_CHARS``): a positive whole number, or ``none`` to switch that bound off.

        >>> Limits.from_env({"DIPONTOLOGY_MAX_TRIPLES": "50", "DIPONTOLOGY_MAX_DEPTH": "none"})
        Limits(max_bytes=67108864, max_triples=50, max_literal_chars=100000, max_depth=None, max_iri_chars=8192)
        >>> try:
        ...     Limits.from_env({"DIPONTOLOGY_MAX_BYTES": "lots"})
        ... except InputError as e:
        ...     print(e.message)
        DIPONTOLOGY_MAX_BYTES='lots' is not a positive whole number or 'none'
        """
        env = os.environ if environ is None else environ
        values: dict[str, int | None] = {}
        for var, name in cls.ENV.items():
            raw = env.get(var)
            if raw is None or not raw.strip():
                continue
            text = raw.strip().replace("_", "").replace(",", "")
            if text.lower() in ("none", "off", "unlimited"):
                values[name] = None
            elif text.isdigit() and int(text) > 0:
                values[name] = int(text)
            else:
                raise InputError(f"{var}={raw!r} is not a positive whole number or 'none'",
                                 fix=f"set {var} to a number such as {getattr(cls(), name)}, or unset it")
        return cls(**values)

    #: a contribution's own bounds (validate, accept, convert), where they differ from the defaults: the size at
    #: which a contribution still validates in under a minute and 3 GB on a small machine (docs/performance.md)
    CONTRIBUTION = {"max_bytes": 32 * 1024 * 1024, "max_triples": 500_000}

    @classmethod
    def for_contributions(cls, environ: "dict[str, str] | None" = None) -> "Limits":
        """The limits of a contribution: 32 MiB and 500,000 statements per file (a contribution at these limits
        validates in under a minute), the other bounds as :meth:`from_env`; the same environment variables raise
        them.

        >>> Limits.for_contributions({}).max_triples, Limits.for_contributions({"DIPONTOLOGY_MAX_TRIPLES": "none"}).max_triples
        (500000, None)
        """
        env = os.environ if environ is None else environ
        limits = cls.from_env(env)
        named = {name for var, name in cls.ENV.items() if (env.get(var) or "").strip()}
        return replace(limits, **{k: v for k, v in cls.CONTRIBUTION.items() if k not in named})


@dataclass
class Loaded:
    """One parsed file.

    :param graph: the triples (an rdflib ``Graph``), or for TriG and N-Quads the quads (an rdflib ``Dataset``).
    :param format: the format it was parsed as, a key of :data:`FORMATS`.
    :param lines: for each subject (IRI or blank node), the first line where it is the subject of a statement.
    :param file: the file name as given (for messages).
    :param prefixes: the prefixes the file declared (Turtle, TriG, JSON-LD terms, RDF/XML namespaces).
    :param warnings: ``(line, message)`` pairs about things the parser accepted but a person should know.
    """

    graph: Graph
    format: str
    lines: dict[Node, int]
    file: str
    prefixes: dict[str, str] = field(default_factory=dict)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)

    def line_of(self, node: Node) -> int | None:
        """The line where ``node`` is defined; for an anonymous blank node, the line of the record that holds it."""
        seen: set[Node] = set()
        current: Node | None = node
        while current is not None and current not in seen:
            seen.add(current)
            line = self.lines.get(current)
            if line is not None:
                return line
            if not isinstance(current, BNode):
                return None
            current = next(iter(self.triples_graph().subjects(None, current)), None)
        return None

    def triples_graph(self) -> Graph:
        """All triples as one graph (for a ``Dataset``, the union of its graphs, computed once)."""
        if not isinstance(self.graph, Dataset):
            return self.graph
        union = self.__dict__.get("_union")
        if union is None:
            union = Graph()
            for s, p, o, _g in self.graph.quads((None, None, None, None)):
                union.add((s, p, o))
            self.__dict__["_union"] = union
        return union

    def triples(self) -> list:
        """All triples as a list, made once (a pass over a large rdflib graph costs seconds; the checks of a
        contribution each need one). Made again if the graph has since changed size."""
        cached = self.__dict__.get("_triples")
        graph = self.triples_graph()
        if cached is None or len(cached) != len(graph):
            cached = self.__dict__["_triples"] = list(graph)
        return cached

    def __len__(self) -> int:
        return len(self.graph)


# --------------------------------------------------------------------------------------------------------------
# entry points


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    """The format named by a file's extension, or ``None`` when it must be sniffed.

    >>> format_for_path("case.jsonld"), format_for_path("x.owl")
    ('jsonld', None)
    """
    return _EXTENSIONS.get(Path(path).suffix.lower())


def read_file(path: str | os.PathLike[str], *, limits: Limits | None = None) -> bytes:
    """The bytes of one input file: the only place the package opens an RDF file to read it.

    A symbolic link is refused without being followed or read (``O_NOFOLLOW``), as is anything that is not a
    regular file; a file larger than ``limits.max_bytes`` is refused before it is read.

    :raises InputError: naming the file and the fix.
    """
    name = str(path)
    p = Path(path)
    limits = Limits.from_env() if limits is None else limits
    try:
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            raise InputError("the file is a symbolic link; links are never followed, so it was not read", file=name,
                             fix="give the file itself (copy it into place instead of linking to it)")
        if stat.S_ISDIR(st.st_mode):
            raise InputError("this is a folder, not a file", file=name, fix="give the path of an RDF file")
        if not stat.S_ISREG(st.st_mode):
            raise InputError("not a file", file=name, fix="give the path of an RDF file")
        if limits.max_bytes is not None and st.st_size > limits.max_bytes:
            raise InputError(f"the file is {st.st_size:,} bytes, more than the limit of {limits.max_bytes:,} bytes",
                             file=name, fix=Limits.raise_fix("max_bytes", limits.max_bytes,
                                                             "split the contribution into several smaller files"))
        with _open_nofollow(p) as fh:
            return fh.read(limits.max_bytes + 1 if limits.max_bytes is not None else -1)
    except FileNotFoundError:
        raise InputError("no such file", file=name, fix="check the path") from None
    except IsADirectoryError:
        raise InputError("this is a folder, not a file", file=name, fix="give the path of an RDF file") from None
    except PermissionError:
        raise InputError("cannot read the file: permission denied", file=name,
                         fix="check the file's permissions") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a link between the check and the open
            raise InputError("the file is a symbolic link; links are never followed, so it was not read",
                             file=name, fix="give the file itself (copy it into place instead of linking to it)"
                             ) from None
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name) from None


def _open_nofollow(path: Path):
    """Open ``path`` for reading as binary without following a symbolic link in its last component."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    return os.fdopen(fd, "rb")


def load_file(path: str | os.PathLike[str], *, format: str | None = None, limits: Limits | None = None,
              lines: bool = True, allow_empty: bool = False, named_graphs: str = "refuse",
              base_iri: str | None = None) -> Loaded:
    """Parse one RDF file safely.

    :param path: the file; its extension picks the format (``.ttl .nt .nq .trig .jsonld .json .rdf .xml``),
        otherwise the format is sniffed from the content. A symbolic link is refused without being read.
    :param format: force a format (a key of :data:`FORMATS`).
    :param limits: size, length and depth bounds (default: :meth:`Limits.from_env`), enforced while parsing.
    :param lines: build the subject-to-line map (switch off to save time on very large trusted files).
    :param allow_empty: accept a file without statements (an empty graph) instead of raising.
    :param named_graphs: ``"refuse"`` (the default: a TriG or N-Quads statement in a named graph is an error at
        the graph name, since the project keeps every statement in one default graph and a name would be lost) or
        ``"keep"`` (return an rdflib ``Dataset`` with the graphs).
    :param base_iri: resolve relative IRIs against this (default: none, so a relative IRI is an error).
    :return: the parsed :class:`Loaded` file.
    :raises InputError: if the file is missing, a link, too large, not UTF-8 text, empty, ill-formed, beyond a
        limit, or asks for something the loader never does (remote context, external entity).
    """
    limits = Limits.from_env() if limits is None else limits
    data = read_file(path, limits=limits)
    return load_bytes(data, name=str(path), format=format or format_for_path(path), limits=limits, lines=lines,
                      allow_empty=allow_empty, named_graphs=named_graphs, base_iri=base_iri)


def load_bytes(data: bytes, *, name: str = "<input>", format: str | None = None, limits: Limits | None = None,
               lines: bool = True, allow_empty: bool = False, named_graphs: str = "refuse",
               base_iri: str | None = None) -> Loaded:
    """Parse RDF given as bytes; see :func:`load_file`.

    >>> load_bytes(b'<https://example.org/a> <https://example.org/p> "x" .', format="ntriples").format
    'ntriples'
    >>> try:
    ...     load_bytes(b"", name="empty.ttl")
    ... except InputError as e:
    ...     print(e.message)
    the file is empty
    """
    limits = Limits.from_env() if limits is None else limits
    if named_graphs not in ("refuse", "keep"):
        raise ValueError(f"named_graphs must be 'refuse' or 'keep', not {named_graphs!r}")
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown RDF format {format!r}", file=name,
                         fix="use one of: " + ", ".join(sorted(FORMATS)))
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise InputError(f"the input is more than the limit of {limits.max_bytes:,} bytes", file=name,
                         fix=Limits.raise_fix("max_bytes", limits.max_bytes,
                                              "split the contribution into several smaller files"))
    if allow_empty and not data.strip():
        return Loaded(graph=Graph(), format=format or format_for_path(name) or "turtle", lines={}, file=name)
    text = _decode(data, name)
    if not text.strip():
        raise InputError("the file is empty", file=name, fix="put at least one record in it")
    fmt = format or format_for_path(name) or _sniff(text)
    if fmt == "turtle" and _looks_like_trig(text):
        fmt = "trig"
    body = text.encode("utf-8")
    prefixes: dict[str, str] = {}
    warnings: list[tuple[int | None, str]] = []
    xml_lines: dict[str, int] = {}
    json_scan: _JsonScan | None = None
    if fmt == "rdfxml":
        xml_lines, prefixes = _prescan_xml(text, name, limits)
    elif fmt == "jsonld":
        json_scan = _prescan_json(text, name, limits)
        prefixes = dict(json_scan.terms)
        warnings.extend(json_scan.warnings)
    elif fmt in ("turtle", "trig") and limits.max_depth is not None:
        _check_turtle_depth(text, name, limits.max_depth)

    graph, bnodes, declared, parsed = _parse(body, fmt, name, text, limits, allow_empty, named_graphs, base_iri)
    prefixes = prefixes or declared

    line_map: dict[Node, int] = {}
    if lines:
        if fmt in ("turtle", "trig", "ntriples", "nquads"):
            scanned, declared = _scan_turtle_subjects(text)
            prefixes = declared
            for (kind, value), line in scanned.items():
                node: Node | None = URIRef(value) if kind == "iri" else bnodes.get(value)
                if node is not None and node not in line_map:
                    line_map[node] = line
        elif fmt == "rdfxml":
            for key, line in xml_lines.items():
                node = bnodes.get(key[2:]) if key.startswith("_:") else URIRef(key)
                if node is not None:
                    line_map.setdefault(node, line)
        elif json_scan is not None:
            for key, line in json_scan.ids.items():
                node = bnodes.get(key[2:]) if key.startswith("_:") else URIRef(key)
                if node is not None:
                    line_map.setdefault(node, line)
        if isinstance(graph, Dataset):
            subjects = {t[0] for t in graph.quads((None, None, None, None))}
            line_map = {k: v for k, v in line_map.items() if k in subjects}
        else:  # the subjects from the parser's list (no pass through the graph's store)
            subjects = {t[0] for t in parsed} if parsed is not None else set(graph.subjects())
            line_map = {k: v for k, v in line_map.items() if k in subjects}
    if limits.max_depth is not None and bnodes:  # no blank node, no nesting
        _check_graph_depth(graph, name, limits.max_depth, line_map)
    loaded = Loaded(graph=graph, format=fmt, lines=line_map, file=name, prefixes=prefixes, warnings=warnings)
    if parsed is not None:  # the triples as the parser gave them, each once (a file may state a triple twice)
        loaded.__dict__["_triples"] = parsed if len(parsed) == len(graph) else list(dict.fromkeys(parsed))
    return loaded


# --------------------------------------------------------------------------------------------------------------
# trusted files: the project's own ontology, shapes and data, and files a user loads into a store


def trusted_triples(path: str | os.PathLike[str], *, format: str | None = None, base_iri: str | None = None
                    ) -> list[ox.Triple]:
    """The triples of a trusted file (the shipped ontology, shapes and data) as pyoxigraph triples: parsed by
    pyoxigraph straight from the file, without the line map, the rdflib copy or the size limits, but read through
    :func:`read_file`'s rules (no symbolic link) and with the same error reporting as :func:`load_file`.

    :param format: a key of :data:`FORMATS` (default: from the extension, else Turtle).
    :param base_iri: resolve relative IRIs against this (default: none, so a relative IRI is an error).
    :raises InputError: naming file, line and column if the file cannot be read, is not valid, or puts statements
        in a named graph.

    >>> from dipontology import resources
    >>> len(trusted_triples(resources.ontology_file())) > 100
    True
    """
    name = str(path)
    fmt = format or format_for_path(path) or "turtle"
    data = read_file(path, limits=TRUSTED)
    out: list[ox.Triple] = []
    try:
        for quad in ox.parse(data, FORMATS[fmt][0], base_iri=base_iri):
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                raise _NamedGraph(quad.graph_name)
            out.append(quad.triple)
    except SyntaxError as exc:
        raise _syntax_error(exc, fmt, name, _text_or_none(data)) from None
    except _NamedGraph as named:
        raise _named_graph_error(named.graph, fmt, name, _text_or_none(data)) from None
    except MemoryError:
        raise _oversized_token(fmt, name, _text_or_none(data) or "", TRUSTED) from None
    except (ValueError, OSError) as exc:
        raise InputError(f"cannot parse the file as {FORMATS[fmt][1]}: {exc}", file=name,
                         fix=f"check the syntax ({_SYNTAX_URL[fmt]})") from None
    return out


def trusted_graph(path: str | os.PathLike[str], *, format: str | None = None) -> Graph:
    """A trusted file (see :func:`trusted_triples`) as an rdflib ``Graph``, literals kept as written and the
    prefixes the file declares bound (as rdflib's own parser binds them).

    >>> from dipontology import resources
    >>> g = trusted_graph(resources.ontology_file())
    >>> len(g) > 100, dict(g.namespaces())["dip"]
    (True, rdflib.term.URIRef('https://w3id.org/dipontology/ontology#'))
    """
    loaded = load_file(path, format=format, limits=TRUSTED, lines=False)
    graph = loaded.graph
    for prefix, namespace in loaded.prefixes.items():
        graph.bind(prefix, namespace)
    return graph


def bulk_load(store: ox.Store, paths: "list[str | os.PathLike[str]]", *,
              to_graph: ox.NamedNode | ox.DefaultGraph | None = None) -> ox.Store:
    """Load trusted files into ``store`` with pyoxigraph's bulk loader (the store cache and the server): each file
    read through :func:`read_file`'s rules (no symbolic link), its format from its extension (:data:`FORMATS`;
    ``.owl`` is RDF/XML), everything into ``to_graph`` (default: the default graph). A TriG or N-Quads file is
    read by :func:`trusted_triples`, so a statement in a named graph is refused rather than merged.

    :raises InputError: naming file, line and column if a file cannot be read or parsed.
    """
    graph = ox.DefaultGraph() if to_graph is None else to_graph
    for path in paths:
        name = str(path)
        fmt = _STORE_FORMATS.get(Path(path).suffix.lower())
        if fmt is None:
            raise InputError("a store is loaded from Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML files",
                             file=name, fix="give the file the extension of its format (.ttl .nt .nq .trig "
                             ".jsonld .rdf)")
        if fmt in ("trig", "nquads"):  # named graphs are refused, not merged into one graph without a word
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                              for t in trusted_triples(path, format=fmt))
            continue
        try:
            fh = _open_nofollow(Path(path))
        except OSError:
            read_file(path, limits=TRUSTED)  # raises the message every reader gives (missing, link, folder)
            raise
        with fh:
            try:
                store.bulk_load(fh, FORMATS[fmt][0], to_graph=graph)
            except SyntaxError as exc:
                raise _syntax_error(exc, fmt, name, _read_text_or_none(path)) from None
            except MemoryError:
                raise _oversized_token(fmt, name, _read_text_or_none(path) or "", TRUSTED) from None
    return store


#: no bound at all: for the project's own files and files a user loads into a store
TRUSTED = Limits(max_bytes=None, max_triples=None, max_literal_chars=None, max_depth=None, max_iri_chars=None)

_STORE_FORMATS = {**_EXTENSIONS, ".owl": "rdfxml"}


def _text_or_none(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _read_text_or_none(path: str | os.PathLike[str]) -> str | None:
    try:
        return _text_or_none(read_file(path, limits=TRUSTED))
    except InputError:
        return None


# --------------------------------------------------------------------------------------------------------------
# bytes -> text


def _decode(data: bytes, name: str) -> str:
    if not data:
        raise InputError("the file is empty", file=name, fix="put at least one record in it")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        raise InputError("the file is UTF-16 encoded; RDF files must be UTF-8", file=name, line=1,
                         fix="save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"this is not an RDF text file: it looks like {what}", file=name,
                             fix="give a Turtle, N-Triples, JSON-LD, RDF/XML or TriG text file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _line_col_bytes(data, nul)
        binary = data[:8192].count(b"\x00") > 1 or nul < 8192 and data[:nul].count(b"\n") == 0
        what = "this looks like a binary file, not RDF text: " if binary else ""
        raise InputError(f"{what}it contains a NUL byte (0x00) at line {line}, column {col}", file=name, line=line,
                         column=col, fix="RDF text cannot contain NUL bytes; give a UTF-8 text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col_bytes(data, exc.start)
        bad = data[exc.start:exc.end].hex(" ").upper()
        raise InputError(f"the file is not UTF-8: byte 0x{bad} at byte offset {exc.start} (line {line}, column "
                         f"{col}) is not valid UTF-8 (is it Latin-1 or Windows-1252?)", file=name, line=line,
                         column=col, fix="save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)"
                         ) from None


def _looks_utf16(data: bytes) -> bool:
    head = data[:200]
    return len(head) >= 4 and (head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4)


def _line_col_bytes(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, col


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _sniff(text: str) -> str:
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("<?xml") or head.startswith("<rdf:RDF") or re.match(r"<!--|<[A-Za-z_][\w.-]*:RDF\b", head):
        return "rdfxml"
    if head.startswith(("{", "[")) and not re.match(r"\[\s*\]|\[\s*[A-Za-z_]*:", head):
        return "jsonld"
    return "turtle"


def _looks_like_trig(text: str) -> bool:
    """A Turtle-looking file with a graph block ``{`` outside strings, IRIs and comments is TriG."""
    if "{" not in text:
        return False
    for kind, value, _line in _tokens(text):
        if kind == "punct" and value == "{":
            return True
    return False


# --------------------------------------------------------------------------------------------------------------
# parsing


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal (``"2020-13-45"^^xsd:date``); SHACL reports those."""
    logger = logging.getLogger("rdflib.term")
    old = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = old


def _parse(body: bytes, fmt: str, name: str, text: str, limits: Limits, allow_empty: bool = False,
           named_graphs: str = "refuse", base_iri: str | None = None
           ) -> tuple[Graph, dict[str, BNode], dict[str, str], list | None]:
    """Parse with pyoxigraph into an rdflib graph, enforcing the limits on each statement as it arrives; return the
    graph, the blank nodes by label, the prefixes the parser saw declared and (for a graph, not a dataset) the
    triples in the order they came, repeats included."""
    oxfmt = FORMATS[fmt][0]
    dataset = fmt in ("trig", "nquads")
    graph: Graph = Dataset() if dataset else Graph()
    bnodes: dict[str, BNode] = {}
    iris: dict[str, URIRef] = {}
    count = 0
    max_lit = limits.max_literal_chars
    max_iri = limits.max_iri_chars
    max_triples = limits.max_triples
    keep_graphs = named_graphs == "keep"
    parsed: list | None = None if dataset else []

    def term(t):  # pyoxigraph term -> rdflib term
        if isinstance(t, ox.NamedNode):
            v = t.value
            u = iris.get(v)
            if u is None:
                if max_iri is not None and len(v) > max_iri:
                    raise _Bad(f"an IRI is {len(v):,} characters long, more than the limit of {max_iri:,}",
                               "<" + v[:40], Limits.raise_fix("max_iri_chars", max_iri,
                                                              "shorten the IRI: use a short slug"))
                u = iris[v] = URIRef(v)
            return u
        if isinstance(t, ox.BlankNode):
            b = bnodes.get(t.value)
            if b is None:
                b = bnodes[t.value] = BNode()
            return b
        if isinstance(t, ox.Literal):
            value = t.value
            if "\x00" in value:
                raise _Bad("a literal contains a NUL character (\\u0000)", value[:40],
                           "remove the NUL character; literals cannot contain it")
            if max_lit is not None and len(value) > max_lit:
                raise _Bad(f"a literal is {len(value):,} characters long, more than the limit of {max_lit:,}",
                           value[:40], Limits.raise_fix("max_literal_chars", max_lit,
                                                        "shorten the text; put long texts in the source document"))
            if t.language:
                return Literal(value, lang=t.language)
            dt = t.datatype.value
            # the lexical form as written (rdflib would rewrite an ill-typed "none"^^xsd:boolean to "false")
            return Literal(value) if dt == XSD_STRING else Literal(value, datatype=URIRef(dt), normalize=False)
        if isinstance(t, ox.DefaultGraph):
            return None
        raise _Bad("RDF 1.2 triple terms (<<( ... )>>) are not supported", str(t)[:60],
                   "write the statement as an ordinary triple, or as a qualified statement node")

    too_many = (f"more than {max_triples:,} statements" if max_triples is not None else "",
                Limits.raise_fix("max_triples", max_triples or 1, "split the contribution into several smaller files"))
    try:
        with _quiet_rdflib():
            parser = ox.parse(body, oxfmt, base_iri=base_iri)
            add = graph.add
            keep = parsed.append if parsed is not None else None
            if dataset:
                for q in parser:
                    count += 1
                    if max_triples is not None and count > max_triples:
                        raise _Bad(too_many[0], None, too_many[1])
                    g = term(q.graph_name)
                    if g is not None and not keep_graphs:
                        raise _NamedGraph(q.graph_name)
                    add((term(q.subject), term(q.predicate), term(q.object),
                         g if g is not None else DATASET_DEFAULT_GRAPH_ID))
            else:
                for q in parser:
                    count += 1
                    if max_triples is not None and count > max_triples:
                        raise _Bad(too_many[0], None, too_many[1])
                    if not isinstance(q.graph_name, ox.DefaultGraph):
                        raise _NamedGraph(q.graph_name)
                    t = (term(q.subject), term(q.predicate), term(q.object))
                    add(t)
                    keep(t)
    except _Bad as bad:
        line, column = _find_position(text, bad.snippet) if bad.snippet else (None, None)
        raise InputError(bad.message, file=name, line=line, column=column, fix=bad.fix) from None
    except _NamedGraph as named:
        try:  # a syntax error further on is reported first, as for any other file
            for _q in parser:
                pass
        except SyntaxError as exc:
            raise _syntax_error(exc, fmt, name, text) from None
        except (ValueError, MemoryError):
            pass
        raise _named_graph_error(named.graph, fmt, name, text) from None
    except SyntaxError as exc:
        raise _syntax_error(exc, fmt, name, text) from None
    except MemoryError:
        raise _oversized_token(fmt, name, text, limits) from None
    except RecursionError:
        raise InputError("the input is nested too deeply", file=name,
                         fix="flatten nested blank nodes or lists") from None
    except (ValueError, OSError) as exc:
        raise InputError(f"cannot parse the file as {FORMATS[fmt][1]}: {exc}", file=name,
                         fix=f"check the syntax ({_SYNTAX_URL[fmt]})") from None
    if count == 0 and not allow_empty:
        raise InputError(f"the file contains no statements (parsed as {FORMATS[fmt][1]})", file=name,
                         fix="add at least one record; a file of only prefixes or comments adds nothing")
    return graph, bnodes, dict(getattr(parser, "prefixes", None) or {}), parsed


class _NamedGraph(Exception):
    def __init__(self, graph: ox.NamedNode | ox.BlankNode) -> None:
        super().__init__(str(graph))
        self.graph = graph


def _named_graph_error(graph, fmt: str, name: str, text: str | None) -> InputError:
    """A statement in a named graph, refused at the graph name's line and column."""
    line = column = None
    if text is not None:
        line, column = _graph_name_position(text, fmt)
    label = f"<{graph.value}>" if isinstance(graph, ox.NamedNode) else f"_:{graph.value}"
    return InputError(f"the file puts statements in the named graph {label[:200]}; the project keeps every "
                      "statement in one default graph, so the graph name would be lost", file=name, line=line,
                      column=column, fix="write the statements without a graph name (as Turtle, or in TriG inside "
                      "a plain { ... } block; in N-Quads drop the fourth term)")


def _graph_name_position(text: str, fmt: str) -> tuple[int | None, int | None]:
    """Line and column of the first graph name in TriG (a name before ``{``) or N-Quads (a fourth term)."""
    if fmt == "nquads":
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                quads = list(ox.parse(line.encode("utf-8"), ox.RdfFormat.N_QUADS))
            except (SyntaxError, ValueError):
                continue
            for q in quads:
                if not isinstance(q.graph_name, ox.DefaultGraph):
                    g = q.graph_name
                    written = f"<{g.value}>" if isinstance(g, ox.NamedNode) else f"_:{g.value}"
                    at = line.rfind(written)
                    return number, (at + 1 if at >= 0 else None)
        return None, None
    previous: re.Match | None = None
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "punct" and m.group() == "{":
            if previous is not None and previous.lastgroup in ("iri", "pname", "bnode"):
                return _line_col(text, previous.start())
        previous = m
    return None, None


def _oversized_token(fmt: str, name: str, text: str, limits: Limits) -> InputError:
    """pyoxigraph's parser stops at a token larger than its 16 MiB buffer (a MemoryError): an over-long literal or
    IRI, reported at its opening quote or bracket (found by the first long run without quotes or brackets)."""
    limit = min(x for x in (limits.max_literal_chars, limits.max_iri_chars, _PARSER_BUFFER) if x is not None)
    line = column = None
    opening = ""
    for m in re.finditer(r"[^\"'<>]{%d}" % (limit + 1), text):
        at = m.start() - 1
        if at >= 0 and text[at] in "\"'<>":
            opening = text[at]
            while at > 0 and opening in "\"'" and text[at - 1] == opening:  # a long string's three quotes
                at -= 1
            line, column = _line_col(text, at)
            break
    kind, what = ("max_iri_chars", "an IRI") if opening == "<" else ("max_literal_chars", "a literal")
    if not opening:
        what = "a literal or IRI"
    value = getattr(limits, kind)
    limit_text = (f"more than the limit of {value:,} characters ({Limits.variable(kind)})" if value is not None
                  else "the most the parser reads in one token")
    return InputError(f"{what} is longer than {_PARSER_BUFFER:,} bytes, {limit_text}", file=name, line=line,
                      column=column, fix="shorten it (put long texts in the source document and cite it); no limit "
                      f"setting lets a parser read one token over {_PARSER_BUFFER // (1024 * 1024)} MiB")


#: pyoxigraph's parsers refuse a single token larger than this (a MemoryError)
_PARSER_BUFFER = 16 * 1024 * 1024


class _Bad(Exception):
    def __init__(self, message: str, snippet: str | None, fix: str) -> None:
        super().__init__(message)
        self.message, self.snippet, self.fix = message, snippet, fix


def _find_line(text: str, snippet: str) -> int | None:
    return _find_position(text, snippet)[0]


def _find_position(text: str, snippet: str) -> tuple[int | None, int | None]:
    """Line and column of the first place ``snippet`` (as parsed) is written in ``text``."""
    i = text.find(snippet)
    if i < 0:
        i = text.find(snippet.replace("\x00", "\\u0000"))
    return _line_col(text, i) if i >= 0 else (None, None)


_POS = re.compile(r"^Parser error (?:at line \d+ (?:between columns \d+ and \d+|column \d+)|between line \d+ column "
                  r"\d+ and line \d+ column \d+): ")
_PREFIX_MSG = re.compile(r"The prefix ([^\s:]*): has not been declared")


def _syntax_error(exc: SyntaxError, fmt: str, name: str, text: str | None) -> InputError:
    message = str(exc.msg or exc)
    message = _POS.sub("", message)
    line, column = exc.lineno, exc.offset
    human = FORMATS[fmt][1]
    fix = f"correct the {human} syntax at that place (see {_SYNTAX_URL[fmt]})"
    m = _PREFIX_MSG.search(message)
    if m:
        prefix = m.group(1)
        if prefix in PREFIXES:
            fix = f"declare it at the top of the file: @prefix {prefix}: <{PREFIXES[prefix]}> ."
        else:
            close = difflib.get_close_matches(prefix, list(PREFIXES), n=1, cutoff=0.5)
            hint = f" did you mean {close[0]}: (<{PREFIXES[close[0]]}>)?" if close else ""
            fix = (f"declare the prefix with @prefix {prefix}: <...> . or use one of the project's prefixes;{hint}"
                   .rstrip(";"))
        message = f"undefined prefix {prefix}: ({message})"
    elif "No LoadDocumentCallback" in message:
        message = "the JSON-LD @context refers to another document, which is never fetched"
        fix = "write the @context inline (a JSON object), not as a URL or file name"
    elif "absolute IRI" in message or "relative IRI" in message.lower():
        fix = "write a full IRI (<https://...>) or a prefixed name such as case:my-case-slug"
    elif "Invalid IRI code point" in message:
        fix = "IRIs cannot contain spaces or the characters <>\"{}|^`\\; use a hyphenated slug"
    elif "dot is expected" in message or "must be followed by a dot" in message:
        fix = "end each statement with ' .' (look at the end of the previous statement too)"
    elif "Unexpected end" in message:
        fix = "the file ends in the middle of a statement: close any open string, [ or ( and end with ' .'"
    if line is None and fmt in ("rdfxml", "jsonld") and text:
        m2 = re.search(r"'([^']+)'", message)
        if m2:
            i = text.find(m2.group(1))
            if i >= 0:
                line, column = _line_col(text, i)
    return InputError(f"{human} syntax error: {message}", file=name, line=line, column=column, fix=fix)


# --------------------------------------------------------------------------------------------------------------
# Turtle family: a small tokenizer, enough to find statement subjects and nesting on input that already parsed


_TOKEN = re.compile(r'''
  (?P<ws>[ \t\r\n]+)
| (?P<comment>\#[^\r\n]*)
| (?P<lstring>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\')
| (?P<string>"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
| (?P<reif><<\(?|\)?>>)
| (?P<iri><(?:[^<>\\\s]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
| (?P<bnode>_:[^\s;,.\[\](){}"'<>#]+(?:\.+[^\s;,.\[\](){}"'<>#]+)*)
| (?P<pname>(?:[^\W\d_][\w.\-\u00B7]*(?<!\.))?:(?:(?:[\w:%\-\u00B7]|\\[^\s])(?:(?:[\w.:%\-\u00B7]|\\[^\s])*(?:[\w:%\-\u00B7]|\\[^\s]))?)?)
| (?P<at>@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?)
| (?P<dt>\^\^)
| (?P<number>[+-]?(?:\d*\.\d+(?:[eE][+-]?\d+)?|\d+\.\d*[eE][+-]?\d+|\d+[eE][+-]?\d+|\d+))
| (?P<word>[A-Za-z][\w-]*)
| (?P<punct>[.;,\[\](){}])
| (?P<other>.)
''', re.VERBOSE | re.DOTALL)

#: a run of the tokens of :data:`_TOKEN` that do not change what :func:`_scan_turtle_subjects` tracks (all but
#: brackets, braces, dots and reifiers), tokenised exactly as :data:`_TOKEN` does: the same alternatives in the
#: same order, so a dot inside a prefixed name, a number or a string is never taken for the end of a statement
_FILLER = re.compile("(?:" + _TOKEN.pattern
                     .replace("| (?P<reif><<\\(?|\\)?>>)\n", "")
                     .replace("| (?P<punct>[.;,\\[\\](){}])", "| (?P<punct>[;,])")
                     .replace("| (?P<other>.)", "| (?P<other>(?!<<|>>)[^.;,\\[\\](){}])") + ")+",
                     re.VERBOSE | re.DOTALL)

_UNESCAPE_LOCAL = re.compile(r"\\(.)")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    line = 1
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        value = m.group()
        if kind in ("ws", "lstring"):
            line += value.count("\n")
            continue
        if kind == "comment":
            continue
        yield kind, value, line


def _iri_value(token: str, base: str | None) -> str:
    value = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token[1:-1])
    if base and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        value = urljoin(base, value)
    return value


def _scan_turtle_subjects(text: str) -> tuple[dict[tuple[str, str], int], dict[str, str]]:
    """``{(kind, value): first line}`` for subjects at statement starts, and the prefixes declared.

    ``kind`` is ``"iri"`` (value: the full IRI) or ``"bnode"`` (value: the label without ``_:``).

    Inside a statement only brackets, braces, the final dot and RDF 1.2 reifiers matter: the tokens between them
    are skipped in one regular-expression match (:data:`_FILLER`, the same tokens as :data:`_TOKEN`), so a file of
    a million statements is scanned in seconds.
    """
    prefixes: dict[str, str] = {}
    base: str | None = None
    found: dict[tuple[str, str], int] = {}
    depth = 0
    expect_subject = True
    pending: list[tuple[str, str, int]] = []
    pos = 0
    line = 1
    counted = 0  # newlines before this offset are in ``line``
    token_match, filler_match, count = _TOKEN.match, _FILLER.match, text.count

    def nxt():
        nonlocal pos, line, counted
        if pending:
            return pending.pop()
        while True:
            m = token_match(text, pos)
            if m is None:
                return None
            pos = m.end()
            kind = m.lastgroup
            if kind in ("ws", "comment", "lstring"):
                continue
            start = m.start()
            line += count("\n", counted, start)
            counted = start
            return kind, m.group(), line

    while True:
        if not pending and not (depth == 0 and expect_subject):
            m = filler_match(text, pos)
            if m is not None:
                pos = m.end()
        tok = nxt()
        if tok is None:
            break
        kind, value, line_no = tok
        if depth == 0 and expect_subject:
            low = value.lower()
            if (kind == "at" and low == "@prefix") or (kind == "word" and low == "prefix"):
                p, i = nxt(), nxt()
                if p is not None and i is not None and i[0] == "iri":
                    prefixes[p[1][:-1]] = _iri_value(i[1], base)
                continue
            if (kind == "at" and low == "@base") or (kind == "word" and low == "base"):
                i = nxt()
                if i is not None and i[0] == "iri":
                    base = _iri_value(i[1], base)
                continue
            if kind == "word" and low == "graph":
                nxt()
                continue
            if kind == "punct" and value in "{}":
                continue
            if kind in ("iri", "pname", "bnode"):
                after = nxt()
                if after is not None:
                    pending.append(after)
                if after is not None and after[0] == "punct" and after[1] == "{":
                    continue  # a TriG graph name
                subject: tuple[str, str] | None = None
                if kind == "iri":
                    subject = ("iri", _iri_value(value, base))
                elif kind == "bnode":
                    subject = ("bnode", value[2:])
                else:
                    prefix, _, local = value.partition(":")
                    if prefix in prefixes:
                        subject = ("iri", prefixes[prefix] + _UNESCAPE_LOCAL.sub(r"\1", local))
                if subject is not None and subject not in found:
                    found[subject] = line_no
                expect_subject = False
                continue
            expect_subject = False
        if kind == "punct":
            if value in "[(":
                depth += 1
            elif value in "])":
                depth = max(0, depth - 1)
            elif value == "." and depth == 0:
                expect_subject = True
            elif value in "{}":
                depth = 0
                expect_subject = True
        elif kind == "reif":
            depth += 1 if value.startswith("<<") else -1
            depth = max(0, depth)
    return found, prefixes


def _check_turtle_depth(text: str, name: str, limit: int) -> None:
    """Refuse ``[`` / ``(`` nesting deeper than ``limit`` before handing the text to any parser."""
    if text.count("[") + text.count("(") <= limit:
        return
    depth = 0
    for kind, value, line in _tokens(text):
        if kind == "punct":
            if value in "[(":
                depth += 1
                if depth > limit:
                    raise InputError(f"blank nodes or lists are nested more than {limit} deep", file=name,
                                     line=line, fix=Limits.raise_fix("max_depth", limit, "flatten the nesting: "
                                                                     "give deep nodes their own IRIs"))
            elif value in "])":
                depth -= 1


def _check_graph_depth(graph: Graph, name: str, limit: int, lines: dict[Node, int]) -> None:
    """Refuse chains of blank nodes nested deeper than ``limit`` (list ``rdf:rest`` links do not nest)."""
    children: dict[BNode, list[BNode]] = {}
    parents: set[BNode] = set()
    triples = graph.quads((None, None, None, None)) if isinstance(graph, Dataset) else graph
    for s, p, o, *_ in triples:
        if isinstance(s, BNode) and isinstance(o, BNode) and p != RDF_REST:
            children.setdefault(s, []).append(o)
            parents.add(o)
    if not children:
        return
    depth: dict[BNode, int] = {}
    roots = [n for n in children if n not in parents] or list(children)
    for root in roots:
        stack: list[tuple[BNode, int]] = [(root, 1)]
        while stack:
            node, d = stack.pop()
            if depth.get(node, 0) >= d:
                continue
            depth[node] = d
            if d > limit:
                raise InputError(f"blank nodes are nested more than {limit} deep", file=name,
                                 fix=Limits.raise_fix("max_depth", limit, "flatten the nesting: give deep nodes "
                                                      "their own IRIs"))
            for child in children.get(node, ()):
                stack.append((child, d + 1))


# --------------------------------------------------------------------------------------------------------------
# RDF/XML: refuse DTDs and entities, bound depth, map rdf:about / rdf:ID / rdf:nodeID to lines


_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML_NS = "http://www.w3.org/XML/1998/namespace"


class _XmlRefused(Exception):
    def __init__(self, message: str, fix: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.fix, self.line, self.column = message, fix, line, column


def _prescan_xml(text: str, name: str, limits: Limits) -> tuple[dict[str, int], dict[str, str]]:
    decl = re.match(r"\s*<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)[\"']", text)
    if decl and decl.group(1).lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        raise InputError(f"the XML declaration says encoding=\"{decl.group(1)}\"; RDF files must be UTF-8",
                         file=name, line=1, fix='save the file as UTF-8 and write encoding="UTF-8"')
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    lines: dict[str, int] = {}
    namespaces: dict[str, str] = {}
    bases: list[str | None] = [None]
    depth = [0]
    max_depth = limits.max_depth

    def refuse_doctype(*_args):
        raise _XmlRefused("the RDF/XML file has a DOCTYPE declaration; DTDs and entities are never processed",
                          "remove the <!DOCTYPE ...> declaration and write entity values out in full",
                          parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    def refuse_entity(*_args):
        raise _XmlRefused("the RDF/XML file declares an ENTITY; entities are never expanded or fetched",
                          "remove the <!ENTITY ...> declaration and write its value out in full",
                          parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    def start(tag, attrs):
        depth[0] += 1
        if max_depth is not None and depth[0] > 2 * max_depth + 4:
            raise _XmlRefused(f"XML elements are nested more than {2 * max_depth + 4} deep",
                              Limits.raise_fix("max_depth", max_depth, "flatten the nesting: give deep nodes their "
                                               "own IRIs"),
                              parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        base = attrs.get(f"{_XML_NS} base")
        current = urljoin(bases[-1], base) if (base and bases[-1]) else (base or bases[-1])
        bases.append(current)
        about = attrs.get(f"{_RDF_NS} about")
        node_id = attrs.get(f"{_RDF_NS} nodeID")
        rdf_id = attrs.get(f"{_RDF_NS} ID")
        line = parser.CurrentLineNumber
        key = None
        if about is not None:
            key = urljoin(current, about) if current else about
        elif rdf_id is not None and current:
            key = urljoin(current, "#" + rdf_id)
        elif node_id is not None and f"{_RDF_NS} resource" not in attrs and not _is_property_level(depth[0]):
            key = "_:" + node_id
        if key is not None and key not in lines:
            lines[key] = line

    def end(_tag):
        depth[0] -= 1
        bases.pop()

    def ns_start(prefix, uri):
        namespaces.setdefault(prefix or "", uri)

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = lambda *a: refuse_entity()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartNamespaceDeclHandler = ns_start
    try:
        parser.Parse(text.encode("utf-8"), True)
    except _XmlRefused as exc:
        raise InputError(exc.message, file=name, line=exc.line, column=exc.column, fix=exc.fix) from None
    except expat.ExpatError as exc:
        raise InputError(f"RDF/XML syntax error: {expat.ErrorString(exc.code)}", file=name, line=exc.lineno,
                         column=exc.offset + 1, fix="make the XML well-formed: every tag closed, attributes quoted"
                         ) from None
    except RecursionError:  # pragma: no cover - expat is not recursive, kept for safety
        raise InputError("the input is nested too deeply", file=name) from None
    return lines, namespaces


def _is_property_level(depth: int) -> bool:
    # <rdf:RDF> is depth 1, node elements 2, property elements 3, nested node elements 4 ...
    return depth % 2 == 1


# --------------------------------------------------------------------------------------------------------------
# JSON-LD: refuse non-inline contexts, bound depth, map "@id" of node objects to lines


@dataclass
class _JsonScan:
    ids: dict[str, int]
    terms: dict[str, str]
    warnings: list[tuple[int | None, str]]


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+|\s+', re.DOTALL)
_KEYWORDS_DROP_SAFE = {"@context", "@id", "@type", "@graph", "@value", "@language", "@list", "@set", "@reverse",
                       "@index", "@nest", "@included", "@direction", "@base", "@vocab", "@version", "@json",
                       "@none", "@protected", "@import", "@propagate", "@container", "@prefix"}


def _prescan_json(text: str, name: str, limits: Limits) -> _JsonScan:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON-LD syntax error: {exc.msg}", file=name, line=exc.lineno, column=exc.colno,
                         fix="make the file valid JSON: quoted keys, commas between entries, no trailing commas"
                         ) from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply", file=name,
                         fix="flatten nested objects: give deep nodes their own @id") from None
    if not isinstance(doc, (dict, list)):
        raise InputError("a JSON-LD document must be a JSON object or array", file=name, line=1,
                         fix="wrap the records in { ... } or [ ... ]")
    # depth, and every @context (refuse anything that is not inline)
    terms: dict[str, str] = {}
    id_aliases = {"@id"}
    vocab = False
    has_base = False
    stack: list[tuple[object, int]] = [(doc, 1)]
    while stack:
        value, d = stack.pop()
        if limits.max_depth is not None and d > limits.max_depth:
            raise InputError(f"JSON objects or arrays are nested more than {limits.max_depth} deep", file=name,
                             fix=Limits.raise_fix("max_depth", limits.max_depth, "flatten nested objects: give "
                                                  "deep nodes their own @id"))
        if isinstance(value, dict):
            if "@context" in value:
                vocab |= _check_contexts(value["@context"], text, name, terms, id_aliases)
                has_base |= any(isinstance(c, dict) and isinstance(c.get("@base"), str)
                                for c in (value["@context"] if isinstance(value["@context"], list)
                                          else [value["@context"]]))
            for k, v in value.items():
                if k != "@context":
                    stack.append((v, d + 1))
        elif isinstance(value, list):
            stack.extend((v, d + 1) for v in value)
    # token walk for lines of node objects' @id
    ids: dict[str, int] = {}
    warnings: list[tuple[int | None, str]] = []
    line = 1
    # frames: [is_object, current key, id value, id line, n keys, in_context]
    frames: list[list] = []
    expect_key = False
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok[0] in " \t\r\n":
            line += tok.count("\n")
            continue
        top = frames[-1] if frames else None
        if tok == "{":
            in_ctx = bool(top and (top[5] or top[1] == "@context"))
            frames.append([True, None, None, None, 0, in_ctx])
            expect_key = True
        elif tok == "[":
            in_ctx = bool(top and (top[5] or top[1] == "@context"))
            frames.append([False, top[1] if top else None, None, None, 0, in_ctx])
        elif tok in "}]":
            frame = frames.pop()
            if frame[0] and frame[2] is not None and frame[4] > 1 and not frame[5]:
                iri = _expand_compact(frame[2], terms)
                if iri is not None and iri not in ids:
                    ids[iri] = frame[3]
            expect_key = False
        elif tok == ",":
            if top and top[0]:
                expect_key = True
        elif tok == ":":
            expect_key = False
        elif top and top[0] and expect_key:
            key = json.loads(tok) if tok.startswith('"') else tok
            top[1] = key
            top[4] += 1
            if (not top[5] and isinstance(key, str) and not key.startswith("@") and ":" not in key
                    and key not in terms and key not in id_aliases and not vocab):
                warnings.append((line, f"the JSON-LD key {key!r} is not defined in the @context, so it is dropped"))
        elif top is not None and tok.startswith('"'):
            key = top[1] if top[0] else None
            if top[0] and key in id_aliases and not top[5]:
                value = json.loads(tok)
                top[2], top[3] = value, line
                if _expand_compact(value, terms) is None and not has_base:
                    raise InputError(f"the @id {value!r} is not a full IRI and the document has no @base, so "
                                     "JSON-LD would drop this node", file=name, line=line,
                                     fix="write a full IRI (https://...) or a compact IRI with a prefix defined "
                                     "in the @context, such as case:my-case-slug")
    return _JsonScan(ids=ids, terms=terms, warnings=warnings)


def _check_contexts(ctx: object, text: str, name: str, terms: dict[str, str], id_aliases: set[str]) -> bool:
    """Refuse remote or file contexts; collect inline term definitions; return whether a ``@vocab`` is set."""
    vocab = False
    items = ctx if isinstance(ctx, list) else [ctx]
    for item in items:
        if item is None:
            continue
        if isinstance(item, str):
            raise _remote_context(item, text, name)
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("@import"), str):
            raise _remote_context(item["@import"], text, name, key="@import")
        if "@vocab" in item:
            vocab = True
        for term, definition in item.items():
            if term.startswith("@"):
                continue
            if isinstance(definition, str):
                if definition == "@id":
                    id_aliases.add(term)
                else:
                    terms.setdefault(term, definition)
            elif isinstance(definition, dict):
                if isinstance(definition.get("@id"), str):
                    terms.setdefault(term, definition["@id"])
                if "@context" in definition:
                    vocab |= _check_contexts(definition["@context"], text, name, terms, id_aliases)
    return vocab


def _remote_context(ref: str, text: str, name: str, key: str = "@context") -> InputError:
    i = text.find(json.dumps(ref))
    line, col = _line_col(text, i) if i >= 0 else (None, None)
    return InputError(f"the JSON-LD {key} {ref!r} names another document; contexts are never fetched or read "
                      "from files", file=name, line=line, column=col,
                      fix="write the context inline as a JSON object with the prefixes you use, e.g. "
                      '"@context": {"dip": "https://w3id.org/dipontology/ontology#", ...}')


def _expand_compact(value: str, terms: dict[str, str]) -> str | None:
    if value.startswith("_:"):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in terms and not local.startswith("//"):
        return terms[prefix] + local
    if sep and re.match(r"[A-Za-z][A-Za-z0-9+.-]*$", prefix):
        return value
    return None
