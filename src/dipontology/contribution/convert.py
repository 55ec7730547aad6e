"""Converting filled-in CSV sheets (:mod:`dipontology.contribution.sheets`) to RDF.

:func:`convert` reads one or more sheets together (a case study and the sources, actors and places it needs), so a
row may name a record of another sheet; a reference (by slug, prefixed name, IRI or English label) that names
neither a record of the contribution nor a published one is a finding at its row and column, with a did-you-mean.
Every text is NFC-normalised. Every statement gets an IRI derived from its content (:func:`mint_statement_iris`), so
converting the same sheets twice gives the same IRIs, and the release shows converted statements like shipped ones.

>>> import tempfile, pathlib
>>> from dipontology.contribution.sheets import template
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "case.csv").write_text(template() + "oslo-channel,Oslo channel,Secret talks.,,1992,1993,"
...     "TrackTwo@1992/1993,,,,,,,,,,,,,,torgesen-2025,Oslo\\n")
>>> converted = convert_csv(d / "case.csv")
>>> converted.findings
[]
>>> "case:oslo-channel a dip:Initiative" in converted.turtle
True
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .. import provenance, resources
from ..errors import InputError
from ..export import serialize_triples
from ..load import TRUSTED, Limits, Loaded, _decode, load_file
from ..namespaces import DIP, ID_BASE, PREFIXES, RECORD_KINDS, SCHEMA, bind_all
from ..terms import curie
from ..findings import Finding
from .sheets import SHEETS, Sheet, sheet_for_header

__all__ = ["Converted", "convert", "convert_csv", "load_contribution", "mint_statement_iris", "Registry"]

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_DATE_FORMS = ((re.compile(r"^-?[0-9]{4,}$"), XSD.gYear), (re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])$"),
               XSD.gYearMonth), (re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"), XSD.date))
_LINKS = {  # case column -> (property, record kind)
    "conflicts": (DIP.addressesConflict, "conflict"), "places": (DIP.location, "place"),
    "countries": (DIP.involvesCountry, "place"), "part_of": (DIP.partOf, "case"),
    "followed_by": (DIP.followedBy, "case"), "led_to": (DIP.ledTo, "case"), "complements": (DIP.complements, "case"),
    "theories": (DIP.restsOnTheory, "theory"), "challenges": (DIP.facedChallenge, "challenge"),
}
#: the disagreement sheet's property names
_PROPERTY_NAMES = {"start": DIP.startDate, "end": DIP.endDate, "date": DIP.date, "founded": DIP.foundingDate,
                   "location": DIP.location, "country": DIP.involvesCountry, "track": DIP.hasTrack,
                   "type": RDF.type, "based-in": DIP.basedIn, "within": DIP.withinPlace}
_SHEET_ORDER = {s.kind: i for i, s in enumerate(SHEETS)}


@dataclass
class Converted:
    """Converted sheets: the graph, its Turtle, problems found while converting, and where each record is."""

    loaded: Loaded
    turtle: str
    findings: list[Finding] = field(default_factory=list)
    #: the sheets read, in the order given: (file, sheet kind)
    sheets: list[tuple[str, str]] = field(default_factory=list)
    #: every filled cell: (file, line of its row, 1-based column number, column name, text)
    cells: list[tuple[str, int, int, str, str]] = field(default_factory=list)

    @property
    def graph(self) -> Graph:
        return self.loaded.graph


# --------------------------------------------------------------------------------------------------------------
# ontology terms and records a cell may name


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFC", text).casefold())


@dataclass
class _Names:
    """Ontology terms a cell may name, by normalised name."""

    tracks: dict
    roles: dict
    capacities: dict
    methods: dict
    outcomes: dict
    initiatives: dict
    sources: dict
    actors: dict
    places: dict


def _names(onto: Graph) -> _Names:
    def individuals(cls, *drop_suffixes: str) -> dict:
        out: dict = {}
        for c in set(onto.transitive_subjects(RDFS.subClassOf, cls)):
            for ind in onto.subjects(RDF.type, c):
                if isinstance(ind, URIRef) and str(ind).startswith(str(DIP)):
                    _add_names(out, onto, ind, drop_suffixes)
        return out

    def subclasses(cls) -> dict:
        out: dict = {}
        for c in onto.transitive_subjects(RDFS.subClassOf, cls):
            if isinstance(c, URIRef) and str(c).startswith(str(DIP)):
                _add_names(out, onto, c, ())
        return out

    return _Names(individuals(DIP.DiplomacyTrack), individuals(DIP.Role, "role"),
                  individuals(DIP.Capacity, "capacity"), subclasses(DIP.Method), subclasses(DIP.Outcome),
                  subclasses(DIP.Initiative), subclasses(DIP.Source), subclasses(DIP.Actor), subclasses(DIP.Place))


def _add_names(out: dict, onto: Graph, term: URIRef, drop_suffixes: tuple[str, ...]) -> None:
    local = str(term)[len(str(DIP)):]
    names = {local, "dip:" + local}
    names |= {str(x) for x in onto.objects(term, RDFS.label)} | {str(x) for x in onto.objects(term, SKOS.altLabel)}
    for n in list(names):
        key = _norm(n)
        for suffix in drop_suffixes:
            if key.endswith(suffix) and len(key) > len(suffix):
                names.add(key[: -len(suffix)])
    for n in names:
        out.setdefault(_norm(n), term)


class Registry:
    """The records a cell may name: the published ones and those the contribution's sheets define, by kind.

    A reference is a full IRI, a prefixed name (``actor:fafo``), a slug (``fafo``) or an English label or other
    name (``Fafo institute``), compared without case, spaces or punctuation.
    """

    def __init__(self) -> None:
        self._iris: dict[str, set[URIRef]] = {}
        self._names: dict[str, dict[str, set[URIRef]]] = {}

    def add(self, iri: URIRef, *names: str) -> None:
        kind = _kind_of(iri)
        if kind is None:
            return
        self._iris.setdefault(kind, set()).add(iri)
        table = self._names.setdefault(kind, {})
        for n in names:
            key = _norm(n)
            if key:
                table.setdefault(key, set()).add(iri)

    def add_graph(self, g: Graph) -> None:
        for s in set(g.subjects(RDF.type, None)):
            if isinstance(s, URIRef) and str(s).startswith(ID_BASE):
                self.add(s, *(str(x) for x in g.objects(s, RDFS.label)),
                         *(str(x) for x in g.objects(s, SKOS.altLabel)))

    def resolve(self, text: str, kind: str) -> tuple[URIRef | None, str]:
        """The record ``text`` names, or None and a fix (did you mean ...?)."""
        text = text.strip()
        known = self._iris.get(kind, set())
        candidates: list[URIRef] = []
        if text.startswith(ID_BASE):
            candidates = [URIRef(text)]
        elif text.startswith(f"{kind}:"):
            candidates = [URIRef(PREFIXES[kind] + text[len(kind) + 1:])]
        elif _SLUG.match(text):
            candidates = [URIRef(PREFIXES[kind] + text)]
        for c in candidates:
            if c in known:
                return c, ""
        named = self._names.get(kind, {}).get(_norm(text), set())
        if len(named) == 1:
            return next(iter(named)), ""
        if len(named) > 1:
            return None, ("the name fits several records: " + ", ".join(sorted(_curie(x) for x in named))
                          + "; write the one you mean by its slug")
        pool = {_norm(str(i)[len(PREFIXES[kind]):]): i for i in known}
        pool.update({k: next(iter(v)) for k, v in self._names.get(kind, {}).items() if len(v) == 1})
        close = difflib.get_close_matches(_norm(text), list(pool), n=1, cutoff=0.6)
        if close:
            return None, f"did you mean {_curie(pool[close[0]])}?"
        return None, (f"name a published {kind} or one of a {kind} sheet of this contribution (look them up with "
                      f"`dipontology query` or in data/); a new {kind} is a row of the {kind} sheet"
                      if kind in ("source", "actor", "place", "case") else
                      f"name a published {kind} (look them up with `dipontology query` or in data/)")


def _kind_of(iri) -> str | None:
    if not isinstance(iri, URIRef) or not str(iri).startswith(ID_BASE):
        return None
    kind = str(iri)[len(ID_BASE):].split("/", 1)[0]
    return kind if kind in PREFIXES else None


def _curie(iri: URIRef) -> str:
    """A record's CURIE with its kind's prefix (``actor:fafo``), else ``<iri>`` (:func:`dipontology.terms.curie`)."""
    return curie(iri, _RECORD_PREFIXES, brackets=True)


_RECORD_PREFIXES = {k: PREFIXES[k] for k in RECORD_KINDS if k in PREFIXES}


_PUBLISHED: dict = {}


def _published_registry(data_dir: Path) -> tuple[Registry, Graph, Graph]:
    """The published records of ``data_dir`` (cached per folder and file modification times) and the ontology."""
    files = resources.data_files(data_dir)
    key = (str(data_dir), str(resources.ontology_file()),
           tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))
    cached = _PUBLISHED.get(key)
    if cached is None:
        _PUBLISHED.clear()
        registry = Registry()
        graph = Graph()
        for p in files:
            if p.stat().st_size:
                graph += load_file(p, limits=TRUSTED, lines=False, allow_empty=True).graph
        registry.add_graph(graph)
        onto = load_file(resources.ontology_file(), limits=TRUSTED, lines=False).graph
        cached = _PUBLISHED[key] = (registry, graph, onto)
    return cached[0], cached[1], cached[2]


# --------------------------------------------------------------------------------------------------------------
# reading a sheet


@dataclass
class _Read:
    file: str
    sheet: Sheet
    rows: list[tuple[int, dict[str, str]]]
    header: list[str]


def _read(path: str | os.PathLike[str], limits: Limits) -> _Read:
    name = str(path)
    p = Path(path)
    if p.is_symlink():
        raise InputError("the file is a symbolic link; contributions are read only from real files", file=name,
                         fix="give the file the link points to")
    try:
        if limits.max_bytes is not None and p.stat().st_size > limits.max_bytes:
            raise InputError(f"the file is more than the limit of {limits.max_bytes:,} bytes", file=name,
                             fix="split it into several smaller files")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=name, fix="check the path") from None
    except IsADirectoryError:
        raise InputError("this is a folder, not a CSV file", file=name, fix="name the CSV files in it") from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name) from None
    text = _decode(raw, name)
    if not text.strip():
        raise InputError("the file is empty", file=name, fix="start from: dipontology template case > case.csv")
    header_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [unicodedata.normalize("NFC", h).strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise InputError(f"the header row is not CSV: {exc}", file=name, line=1,
                         fix="write the header row as the template gives it") from None
    try:
        found = sheet_for_header(header)
    except InputError as exc:
        raise InputError(exc.message, file=name, line=1, fix=exc.fix) from None
    for i, h in enumerate(header):
        if h and h not in found.names:
            raise InputError(f"the column {h!r} is not a column of the {found.kind} sheet", file=name, line=1,
                             column=_col_of(header_line, delimiter, i),
                             fix="rename or remove it; the columns are: " + ", ".join(found.names))
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise InputError(f"the column(s) {', '.join(dupes)} appear more than once", file=name, line=1,
                         fix="keep one of each")
    rows: list[tuple[int, dict[str, str]]] = []
    row_start = 2
    try:
        for values in reader:
            line = row_start
            row_start = reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
                raise InputError(f"the row has {len(values)} cells but the header has {len(header)} columns",
                                 file=name, line=line,
                                 fix="quote cells that contain the separator, or remove the extra cells")
            if len(rows) + 1 > (limits.max_triples or 10**9) // 10:
                raise InputError("too many rows", file=name, line=line, fix="split the file")
            cells = {h: (unicodedata.normalize("NFC", values[i]).strip() if i < len(values) else "")
                     for i, h in enumerate(header) if h}
            rows.append((line, cells))
    except csv.Error as exc:
        unclosed = "end of data" in str(exc) or "EOF" in str(exc)
        raise InputError(("a quoted cell of the row that starts here is never closed: the rows after it would be "
                          "read as part of that cell") if unclosed else f"CSV syntax error: {exc}",
                         file=name, line=row_start, column=_open_quote(text, row_start) if unclosed else None,
                         fix="close every quoted cell with a \"; write a \" inside a quoted cell as \"\"") from None
    if not rows:
        noun = "case study" if found.kind == "case" else found.kind
        raise InputError(f"the file has a header row but no {noun} rows", file=name, line=2,
                         fix=f"fill in one row per {noun} under the header")
    return _Read(name, found, rows, header)


def _open_quote(text: str, line: int) -> int | None:
    """1-based column of the quote that opens the cell left open on ``line`` (the start of the unclosed cell)."""
    rows = text.splitlines()
    if line - 1 >= len(rows):
        return None
    inside, opened = False, None
    row = rows[line - 1]
    for i, ch in enumerate(row):
        if ch == '"':
            inside = not inside
            opened = i + 1 if inside else opened
    return opened if inside else None


def _col_of(line: str, delimiter: str, index: int) -> int:
    """1-based character column where header cell ``index`` starts (header cells are rarely quoted)."""
    col = 1
    for i, part in enumerate(line.split(delimiter)):
        if i == index:
            return col
        col += len(part) + 1
    return col


# --------------------------------------------------------------------------------------------------------------
# converting


def convert_csv(path: str | os.PathLike[str], *, limits: Limits | None = None,
                data_dir: str | os.PathLike[str] | None = None) -> Converted:
    """Convert one filled-in sheet; see :func:`convert`."""
    return convert([path], limits=limits, data_dir=data_dir)


def convert(paths: Sequence[str | os.PathLike[str]], *, limits: Limits | None = None,
            data_dir: str | os.PathLike[str] | None = None) -> Converted:
    """Convert filled-in sheets (any mix of kinds, each a CSV file) to one graph.

    :param paths: the CSV files (UTF-8; a byte-order mark is allowed; comma, semicolon or tab separated); a folder
        stands for the ``*.csv`` files in it.
    :param data_dir: the published data references are resolved against (default: :func:`resources.data_dir`).
    :return: the :class:`Converted` sheets; ``findings`` lists every cell that could not be used, with its row
        (``line``) and ``column``.
    :raises InputError: if a file is not a sheet, has a column no sheet has, or breaks CSV quoting.
    """
    limits = Limits.for_contributions() if limits is None else limits
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.is_symlink():
            found = sorted(p.glob("*.csv"))
            if not found:
                raise InputError("the folder holds no .csv files", file=str(p),
                                 fix="put the filled-in sheets (dipontology template KIND) in it")
            files += found
        else:
            files.append(p)
    reads = [_read(p, limits) for p in files]
    data = Path(data_dir) if data_dir is not None else resources.data_dir()
    registry, published, onto = _published_registry(data)
    names = _names(onto)
    own = Registry()
    own._iris = {k: set(v) for k, v in registry._iris.items()}
    own._names = {k: {n: set(s) for n, s in v.items()} for k, v in registry._names.items()}
    findings: list[Finding] = []
    defined: dict[URIRef, tuple[str, int]] = {}
    # first the records the sheets define, so that any row may name them
    for read in reads:
        key = "slug" if "slug" in read.sheet.names else None
        if key is None:
            continue
        for line, cells in read.rows:
            slug = _slug(cells.get("slug", ""), read.sheet.kind)
            if slug is None:
                continue
            iri = URIRef(PREFIXES[read.sheet.kind] + slug)
            if iri in defined:
                f, l = defined[iri]
                findings.append(Finding("Violation", "csv:duplicate-slug", _curie(iri), value=slug,
                                        message=f"the slug {slug!r} is already used at {f}:{l}",
                                        fix=f"give every {read.sheet.kind} its own slug", file=read.file,
                                        line=line, column="slug", col=read.header.index("slug") + 1))
                continue
            defined[iri] = (read.file, line)
            own.add(iri, *(cells.get(c, "") for c in ("label", "title") if cells.get(c)))
    g = bind_all(Graph())
    lines: dict = {}
    seen: set[URIRef] = set()
    for read in sorted(reads, key=lambda r: _SHEET_ORDER[r.sheet.kind]):
        for line, cells in read.rows:
            row = _Row(read.file, line, cells, read.sheet, findings, names, own, published, lines, read.header)
            _CONVERTERS[read.sheet.kind](row, seen)
            for iri in mint_statement_iris(row.g).values():
                lines[iri] = line
            for triple in row.g:
                g.add(triple)
    turtle = ("# Converted from " + ", ".join(Path(r.file).name for r in reads) + " by dipontology convert.\n"
              + serialize_triples(list(to_canonical_graph(g)), "ttl").decode("utf-8"))
    first = reads[0].file
    loaded = Loaded(graph=g, format="csv", lines=lines, file=first, prefixes=dict(PREFIXES))
    cells = [(r.file, line, r.header.index(name) + 1, name, text) for r in reads for line, row in r.rows
             for name, text in row.items() if text]
    return Converted(loaded, turtle, findings, [(r.file, r.sheet.kind) for r in reads], cells)


def load_contribution(path: str | os.PathLike[str], *, limits: Limits | None = None) -> tuple[Loaded, list[Finding]]:
    """Load a contribution in any supported format, CSV sheets included (with the conversion findings)."""
    if str(path).lower().endswith(".csv"):
        converted = convert_csv(path, limits=limits)
        return converted.loaded, converted.findings
    return load_file(path, limits=limits), []


class _Row:
    """One row being converted: its cells, where it is, and the graph it becomes."""

    def __init__(self, file, line, cells, sheet, findings, names, registry, published, lines, header):
        self.file, self.line, self.cells, self.sheet, self.header = file, line, cells, sheet, header
        self.findings, self.names, self.registry, self.published, self.lines = (findings, names, registry,
                                                                                published, lines)
        self.g = Graph()
        self.focus = f"row {line}"
        self.sources: list[URIRef] = []

    def problem(self, column: str, value: str | None, message: str, fix: str, rule: str = "csv:bad-cell") -> None:
        self.findings.append(Finding("Violation", rule, self.focus, focus_label=self.cells.get("label") or None,
                                     value=value, message=message, fix=fix, file=self.file, line=self.line,
                                     column=column, col=self.header.index(column) + 1 if column in self.header
                                     else None))

    def ref(self, column: str, text: str, kind: str) -> URIRef | None:
        iri, fix = self.registry.resolve(text, kind)
        if iri is None:
            self.problem(column, text, f"{text!r} names no {kind} of the contribution or of the published data",
                         fix, rule="csv:unknown-reference")
        return iri

    def term(self, column: str, text: str, table: dict, what: str, fallback: str) -> URIRef | None:
        found = table.get(_norm(text))
        if found is None:
            self.problem(column, text, f"{text!r} is not {what} of the ontology", _suggest(text, table) or fallback)
        return found

    def record(self, kind: str) -> URIRef | None:
        slug = _slug(self.cells.get("slug", ""), kind)
        if slug is None:
            self.problem("slug", self.cells.get("slug") or None,
                         "the slug is missing or not lowercase words joined by hyphens",
                         "write e.g. harbour-talks (letters a-z, digits, single hyphens)")
            return None
        iri = URIRef(PREFIXES[kind] + slug)
        self.focus = _curie(iri)
        self.lines[iri] = self.line
        return iri

    def text(self, subject, column: str, prop, required: bool, lang: str | None = "en") -> None:
        value = self.cells.get(column, "")
        if value:
            self.g.add((subject, prop, Literal(value, lang=lang)))
        elif required:
            self.problem(column, None, f"the {column} is empty", f"fill in the {column}")

    def date(self, subject, column: str, prop) -> None:
        value = self.cells.get(column, "")
        if value:
            lit = _date(value)
            if lit is None:
                self.problem(column, value, f"{value!r} is not a date in a form the project uses",
                             "write a year (1992), year and month (1992-01) or a date that exists (1992-01-20)")
            else:
                self.g.add((subject, prop, lit))

    def read_sources(self, subject=None) -> None:
        for item in _items(self.cells.get("sources", "")):
            s = self.ref("sources", item, "source")
            if s is not None:
                self.sources.append(s)
        if not self.sources and not _items(self.cells.get("sources", "")):
            self.problem("sources", None, "no source is given", "name at least one source by its slug")
        if subject is not None:
            for s in self.sources:
                self.g.add((subject, DCTERMS.source, s))

    def statement(self, kind: URIRef) -> BNode:
        """A qualified statement by the row's first source (it gets its IRI from its content afterwards)."""
        node = BNode()
        self.g.add((node, RDF.type, kind))
        if self.sources:
            self.g.add((node, DCTERMS.source, self.sources[0]))
        if self.cells.get("locator"):
            self.g.add((node, DIP.locator, Literal(self.cells["locator"])))
        if self.cells.get("quote"):
            self.g.add((node, DIP.quote, Literal(self.cells["quote"])))
        return node

    def back_facts(self) -> None:
        """Every fact of the row is stated by the row's first source, at its locator (DESIGN §4)."""
        for st in provenance.back_facts(self.g, self.sources[:1], self.cells.get("locator") or None,
                                        self.cells.get("quote") or None):
            self.lines.setdefault(st, self.line)



def _typed_record(row, g: Graph, column: str, parts: list[str], kind: str, slug: str, classes, what: str,
                  see: str) -> URIRef | None:
    """A record named in a ``slug|Class|label`` cell: a published record by its slug alone (``parts`` of one), or a
    new one typed, labelled and sourced from the row; None (the problem recorded at its cell) if it cannot be."""
    if len(parts) == 1:
        return row.ref(column, parts[0], kind)
    record = URIRef(PREFIXES[kind] + slug)
    cls = row.term(column, parts[1], classes, what, see)
    if cls is None:
        return None
    g.add((record, RDF.type, cls))
    g.add((record, RDFS.label, Literal(parts[2], lang="en")))
    for s in row.sources:
        g.add((record, DCTERMS.source, s))
    row.lines.setdefault(record, row.line)
    return record

def _convert_case(row: _Row, seen: set) -> None:
    case = row.record("case")
    if case is None or case in seen:
        return
    seen.add(case)
    cells, g, names = row.cells, row.g, row.names
    kind = cells.get("type") or "Initiative"
    cls = row.term("type", kind, names.initiatives, "a kind of case study", "use Initiative, Programme or PeaceProcess")
    g.add((case, RDF.type, cls or DIP.Initiative))
    row.text(case, "label", RDFS.label, True)
    row.text(case, "description", DCTERMS.description, True)
    row.date(case, "start", DIP.startDate)
    row.date(case, "end", DIP.endDate)
    row.read_sources(case)
    for item in _items(cells.get("tracks", "")):
        term, _, period = item.partition("@")
        track = row.term("tracks", term.strip(), names.tracks, "a track",
                         "use e.g. TrackOne, TrackOneAndAHalf, TrackTwo, CitizenDiplomacy")
        if track is None:
            continue
        node = row.statement(DIP.TrackClassification)
        g.add((case, DIP.hasTrackClassification, node))
        g.add((node, DIP.track, track))
        if period.strip():
            start, _, end = period.partition("/")
            for text, prop in ((start.strip(), DIP.startDate), (end.strip(), DIP.endDate)):
                if not text:
                    continue
                lit = _date(text)
                if lit is None:
                    row.problem("tracks", item, f"{text!r} in {item!r} is not a date",
                                "write the period as TrackTwo@1992/1993 (years, year-months or dates)")
                else:
                    g.add((node, prop, lit))
    for item in _items(cells.get("participants", "")):
        parts = [p.strip() for p in item.split("|")]
        if len(parts) < 2 or len(parts) > 3 or not parts[0]:
            row.problem("participants", item, f"{item!r} is not actor|role|capacity",
                        "write e.g. fafo|host|private (capacity may be left out)")
            continue
        _participation(row, case, "participants", parts[0], parts[1], parts[2] if len(parts) == 3 else "")
    for item in _items(cells.get("methods", "")):
        parts = [p.strip() for p in item.split("|")]
        slug_a = _slug(parts[0], "activity")
        if slug_a is None or len(parts) not in (1, 3):
            row.problem("methods", item, f"{item!r} is not activity-slug|MethodClass|label",
                        "write e.g. oslo-talks|BackChannelTalks|Oslo back-channel talks, or just a published "
                        "activity's slug")
            continue
        activity = _typed_record(row, g, "methods", parts, "activity", slug_a, names.methods, "a method class",
                                 "see the Methods section of docs/ontology.md")
        if activity is None:
            continue
        g.add((case, DIP.usesMethod, activity))
    for item in _items(cells.get("outcomes", "")):
        parts = [p.strip() for p in item.split("|")]
        slug_o = _slug(parts[0], "outcome")
        if slug_o is None or len(parts) not in (1, 3, 4):
            row.problem("outcomes", item, f"{item!r} is not outcome-slug|OutcomeClass|label|strength",
                        "write e.g. oslo-i-accord|PeaceAgreement|Oslo I Accord|paved the way")
            continue
        outcome = _typed_record(row, g, "outcomes", parts, "outcome", slug_o, names.outcomes, "an outcome class",
                                "see the Outcomes section of docs/ontology.md")
        if outcome is None:
            continue
        node = row.statement(DIP.OutcomeAttribution)
        g.add((case, DIP.hasOutcomeAttribution, node))
        g.add((node, DIP.outcome, outcome))
        if len(parts) == 4 and parts[3]:
            g.add((node, DIP.attributionStrength, Literal(parts[3])))
    for col, (prop, kind_) in _LINKS.items():
        for item in _items(cells.get(col, "")):
            target = row.ref(col, item, kind_)
            if target is not None:
                g.add((case, prop, target))
    if cells.get("wikipedia"):
        g.add((case, DIP.wikipediaTitle, Literal(cells["wikipedia"].replace(" ", "_"))))
    row.back_facts()


def _participation(row: _Row, case: URIRef, column: str, actor_text: str, role_text: str, capacity_text: str,
                   columns: tuple[str, str, str] | None = None) -> None:
    actor_col, role_col, cap_col = columns or (column, column, column)
    actor = row.ref(actor_col, actor_text, "actor")
    role = row.term(role_col, role_text, row.names.roles, "a role",
                    "use participant, facilitator, mediator, convenor, host, funder, signatory or witness")
    capacity = None
    if capacity_text:
        capacity = row.term(cap_col, capacity_text, row.names.capacities, "a capacity",
                            "use official, official-in-unofficial, retired-official or private")
        if capacity is None:
            return
    if actor is None or role is None:
        return
    node = row.statement(DIP.Participation)
    row.g.add((case, DIP.hasParticipation, node))
    row.g.add((node, DIP.participant, actor))
    row.g.add((node, DIP.role, role))
    if capacity is not None:
        row.g.add((node, DIP.capacity, capacity))


def _convert_source(row: _Row, seen: set) -> None:
    src = row.record("source")
    if src is None or src in seen:
        return
    seen.add(src)
    cells, g = row.cells, row.g
    cls = row.term("type", cells.get("type", ""), row.names.sources, "a kind of source",
                   "use WebArticle, ScholarlyArticle, Book, ReferencePage or ReferenceWork")
    g.add((src, RDF.type, cls or DIP.Source))
    row.text(src, "title", DCTERMS.title, True)
    authors = _items(cells.get("author", ""))
    for a in authors:
        g.add((src, DCTERMS.creator, Literal(a)))
    row.date(src, "date", DCTERMS.issued)
    url = cells.get("url", "")
    if url:
        if re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
            g.add((src, SCHEMA.url, URIRef(url)))
        else:
            row.problem("url", url, f"{url!r} is not an http or https address", "write the full address, "
                        "starting with https://")
    if cells.get("publisher"):
        g.add((src, DCTERMS.publisher, Literal(cells["publisher"])))
    row.text(src, "description", DCTERMS.description, False)
    title = cells.get("title", "")
    year = cells.get("date", "")[:4]
    who = "; ".join(authors)
    label = f"{authors[0].split()[-1]} ({year}), {title}" if authors and year else title
    if label:
        g.add((src, RDFS.label, Literal(label, lang="en")))
    citation = ", ".join(x for x in (who, f'"{title}"' if title else "", cells.get("publisher", ""),
                                     cells.get("date", ""), url) if x)
    if citation:
        g.add((src, DCTERMS.bibliographicCitation, Literal(citation, lang="en")))


def _convert_actor(row: _Row, seen: set) -> None:
    actor = row.record("actor")
    if actor is None or actor in seen:
        return
    seen.add(actor)
    cells, g = row.cells, row.g
    cls = row.term("type", cells.get("type", ""), row.names.actors, "a kind of actor",
                   "use e.g. Person, NGO, AcademicInstitution or ThinkTank (see docs/ontology.md)")
    g.add((actor, RDF.type, cls or DIP.Actor))
    row.text(actor, "label", RDFS.label, True)
    row.text(actor, "description", DCTERMS.description, True)
    row.read_sources(actor)
    for item in _items(cells.get("based_in", "")):
        place = row.ref("based_in", item, "place")
        if place is not None:
            g.add((actor, DIP.basedIn, place))
    for item in _items(cells.get("member_of", "")):
        other = row.ref("member_of", item, "actor")
        if other is not None:
            g.add((actor, DIP.memberOf, other))
    row.date(actor, "founded", DIP.foundingDate)
    row.back_facts()


def _convert_place(row: _Row, seen: set) -> None:
    place = row.record("place")
    if place is None or place in seen:
        return
    seen.add(place)
    cells, g = row.cells, row.g
    cls = row.term("type", cells.get("type", ""), row.names.places, "a kind of place",
                   "use City, Country or Region")
    g.add((place, RDF.type, cls or DIP.Place))
    row.text(place, "label", RDFS.label, True)
    row.text(place, "description", DCTERMS.description, True)
    row.read_sources(place)
    for item in _items(cells.get("within", "")):
        outer = row.ref("within", item, "place")
        if outer is not None:
            g.add((place, DIP.withinPlace, outer))
    row.back_facts()


def _convert_participation(row: _Row, seen: set) -> None:
    case = row.ref("case", row.cells.get("case", ""), "case") if row.cells.get("case") else None
    if not row.cells.get("case"):
        row.problem("case", None, "the case is empty", "name the case study the actor took part in")
    for col in ("actor", "role"):
        if not row.cells.get(col):
            row.problem(col, None, f"the {col} is empty", f"fill in the {col}")
    row.read_sources()
    if case is None or not row.cells.get("actor") or not row.cells.get("role"):
        return
    row.focus = _curie(case)
    _participation(row, case, "", row.cells["actor"], row.cells["role"], row.cells.get("capacity", ""),
                   columns=("actor", "role", "capacity"))


def _convert_disagreement(row: _Row, seen: set) -> None:
    cells = row.cells
    for col in ("record", "property", "value"):
        if not cells.get(col):
            row.problem(col, None, f"the {col} is empty", f"fill in the {col}")
    row.read_sources()
    if not all(cells.get(c) for c in ("record", "property", "value")):
        return
    record = None
    text = cells["record"]
    kinds = [k for k in provenance.KIND_CLASSES if text.startswith(f"{k}:") or text.startswith(PREFIXES[k])]
    for kind in kinds or list(provenance.KIND_CLASSES):
        record, _fix = row.registry.resolve(text, kind)
        if record is not None:
            break
    if record is None:
        _iri, fix = row.registry.resolve(text, kinds[0] if kinds else "case")
        row.problem("record", text, f"{text!r} names no published record", fix, rule="csv:unknown-reference")
        return
    row.focus = _curie(record)
    prop_text = cells["property"].strip()
    prop = _PROPERTY_NAMES.get(prop_text.lower().replace("_", "-"))
    if prop is None and prop_text.startswith("dip:"):
        prop = DIP[prop_text[4:]]
    if prop is None:
        row.problem("property", prop_text, f"{prop_text!r} is not a property a disagreement can be about",
                    "use one of: " + ", ".join(_PROPERTY_NAMES) + ", or dip:<property>")
        return
    value_text = cells["value"].strip()
    value = None
    if prop in (DIP.startDate, DIP.endDate, DIP.date, DIP.foundingDate):
        value = _date(value_text)
        if value is None:
            row.problem("value", value_text, f"{value_text!r} is not a date in a form the project uses",
                        "write a year (1992), year and month (1992-01) or a date that exists (1992-01-20)")
            return
    elif prop == DIP.hasTrack:
        value = row.term("value", value_text, row.names.tracks, "a track", "use e.g. TrackOne or TrackTwo")
    elif prop == RDF.type:
        table = {**row.names.initiatives, **row.names.actors, **row.names.places}
        value = row.term("value", value_text, table, "a class", "name a class of the ontology, e.g. City")
    elif prop in (DIP.location, DIP.involvesCountry, DIP.basedIn, DIP.withinPlace):
        value = row.ref("value", value_text, "place")
    else:
        value = Literal(value_text)
    if value is None:
        return
    published = row.published
    claims = [st for st in published.subjects(DIP.statedSubject, record)
              if (st, DIP.statedProperty, prop) in published
              and (st, DIP.statedValue, value) not in published]
    if prop == DIP.hasTrack:  # a track is claimed by a track classification of the case
        claims += [st for st in published.objects(record, DIP.hasTrackClassification)
                   if (st, DIP.track, value) not in published]
    if not claims:
        row.problem("property", prop_text, f"no published statement about {_curie(record)} gives another "
                    f"{prop_text} for this source to disagree with",
                    "check the record and property; to add a new fact, use the record's own sheet")
        return
    node = row.statement(DIP.FactStatement)
    row.g.add((node, DIP.statedSubject, record))
    row.g.add((node, DIP.statedProperty, prop))
    row.g.add((node, DIP.statedValue, value))
    label = f"{_curie(row.sources[0]) if row.sources else 'a source'}: {_curie(record)} {prop_text} {value_text}"
    row.g.add((node, RDFS.label, Literal(label, lang="en")))
    if cells.get("note"):
        row.g.add((node, DIP.disagreementNote, Literal(cells["note"], lang="en")))
    for claim in sorted(claims, key=str):
        row.g.add((node, DIP.contradicts, claim))


_CONVERTERS = {"case": _convert_case, "source": _convert_source, "actor": _convert_actor, "place": _convert_place,
               "participation": _convert_participation, "disagreement": _convert_disagreement}


# --------------------------------------------------------------------------------------------------------------
# statement IRIs


def mint_statement_iris(g: Graph) -> dict[BNode, URIRef]:
    """Give every blank-node statement of ``g`` (a participation, track classification, outcome attribution or fact
    statement written without an IRI) an IRI derived from its content: the record that links to it, the link and
    every property and value of the statement. The same statement always gets the same IRI; ``g`` is changed in
    place; returns the blank nodes renamed.

    >>> g = Graph().parse(data='''@prefix dip: <https://w3id.org/dipontology/ontology#> .
    ... <https://w3id.org/dipontology/id/case/x> dip:hasParticipation [ a dip:Participation ;
    ...     dip:participant <https://w3id.org/dipontology/id/actor/y> ] .''', format="turtle")
    >>> renamed = mint_statement_iris(g)
    >>> str(next(iter(renamed.values())))
    'https://w3id.org/dipontology/id/statement/x-participation-y-93656c75c68f'
    """
    renamed: dict[BNode, URIRef] = {}
    statements = sorted({o for s, p, o in g if isinstance(o, BNode) and p in provenance.STATEMENT_LINKS}
                        | {s for s in g.subjects(RDF.type, None) if isinstance(s, BNode)
                           and (s, RDF.type, DIP.FactStatement) in g}, key=lambda n: _content(g, n))
    for node in statements:
        owners = sorted(str(s) for s in g.subjects(None, node) if isinstance(s, URIRef))
        owner = owners[0] if owners else next((str(o) for o in g.objects(node, DIP.statedSubject)), "statement")
        digest = hashlib.sha256((owner + "\x1e" + _content(g, node)).encode("utf-8")).hexdigest()[:12]
        kind = next((str(t).rsplit("#", 1)[-1] for t in sorted(g.objects(node, RDF.type))), "Statement")
        kind = re.sub(r"(?<!^)(?=[A-Z])", "-", kind).lower()
        who = next((o for p in (DIP.participant, DIP.track, DIP.outcome) for o in g.objects(node, p)), None)
        slug = owner.rstrip("/").rsplit("/", 1)[-1]
        tail = f"-{str(who).rstrip('/').rsplit('/', 1)[-1].rsplit('#', 1)[-1]}" if who is not None else ""
        local = re.sub(r"[^a-z0-9]+", "-", f"{slug}-{kind}{tail}".lower()).strip("-")
        renamed[node] = URIRef(f"{ID_BASE}statement/{local}-{digest}")
    for old, new in renamed.items():
        for s, p, o in list(g.triples((old, None, None))):
            g.remove((s, p, o))
            g.add((new, p, renamed.get(o, o)))
        for s, p, o in list(g.triples((None, None, old))):
            g.remove((s, p, o))
            g.add((renamed.get(s, s), p, new))
    return renamed


def _content(g: Graph, node, depth: int = 0) -> str:
    """A canonical text of what a blank node says (nested blank nodes included)."""
    if depth > 8:
        return ""
    parts = sorted(f"{p.n3()} {('[' + _content(g, o, depth + 1) + ']') if isinstance(o, BNode) else o.n3()}"
                   for p, o in g.predicate_objects(node))
    return " ; ".join(parts)


# --------------------------------------------------------------------------------------------------------------
# cells


def _items(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


def _slug(text: str, kind: str) -> str | None:
    text = text.strip()
    for prefix in (f"{kind}:", PREFIXES[kind]):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text if _SLUG.match(text) else None


def _date(text: str) -> Literal | None:
    for pattern, dt in _DATE_FORMS:
        if pattern.match(text):
            lit = Literal(text, datatype=dt)
            return None if lit.ill_typed else lit
    return None


def _suggest(text: str, options: dict) -> str | None:
    close = difflib.get_close_matches(_norm(text), list(options), n=1, cutoff=0.6)
    if close:
        return f"did you mean {str(options[close[0]]).rsplit('#', 1)[-1]}?"
    return None

