"""Contributions: the CSV template for case studies, its conversion to Turtle, and accepting a contribution.

A researcher who does not write RDF fills in one row per case study of the CSV template (:data:`COLUMNS`;
``dipontology template case``); :func:`convert_csv` turns it into Turtle (``dipontology convert``), reporting every
problem with its row and column; :func:`accept` adds a contribution that validates to the data folder, writing all
new file versions to temporary names first and renaming them into place only when every one is complete, so a
refused, failed or interrupted accept leaves the data folder as it was.

>>> import tempfile, pathlib
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
import io
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from . import resources
from .errors import InputError
from .load import Limits, Loaded, _decode, load_bytes, load_file
from .namespaces import DIP, PREFIXES, bind_all
from . import provenance
from .validate import (Finding, ValidationReport, _load_trusted, _stamp, novel_statements, published_files,
                       validate)

__all__ = ["Column", "COLUMNS", "template", "convert_csv", "Converted", "accept", "Accepted", "column_for_path",
           "columns_markdown"]


@dataclass(frozen=True)
class Column:
    """One column of the case-study CSV template.

    :param name: the header.
    :param required: whether every row must fill it.
    :param help: what goes in it, with an example.
    :param path: the property it becomes (to point validation findings back at the column).
    """

    name: str
    required: bool
    help: str
    path: str | None = None


#: the columns of the case-study template, in order (docs/contributing.md is written from this table)
COLUMNS: tuple[Column, ...] = (
    Column("slug", True, "the case study's identifier: lowercase words joined by hyphens; its IRI is case:<slug>. "
           "Example: oslo-back-channel"),
    Column("label", True, "its English name. Example: Oslo back channel", "rdfs:label"),
    Column("description", True, "one or two English sentences on what it was, from the source",
           "dcterms:description"),
    Column("type", False, "Initiative (default), Programme or PeaceProcess", "rdf:type"),
    Column("start", False, "when it began: a year (1992), year and month (1992-01) or date (1992-01-20)",
           "dip:startDate"),
    Column("end", False, "when it ended, in the same forms as start", "dip:endDate"),
    Column("tracks", False, "the tracks the source places it on, separated by ';'; a period after @ as start/end. "
           "Example: TrackTwo@1992/1993; TrackOne@1993. Leave it empty only if no source names a track",
           "dip:hasTrackClassification"),
    Column("participants", False, "who took part: actor-slug|role|capacity, separated by ';'. Roles: participant, "
           "facilitator, mediator, convenor, host, funder, signatory, witness; capacities: official, "
           "official-in-unofficial, retired-official, private. Example: fafo|host|private",
           "dip:hasParticipation"),
    Column("methods", False, "its activities: activity-slug|MethodClass|English label, separated by ';' (a "
           "published activity: just its slug). Example: oslo-talks|BackChannelTalks|Oslo back-channel talks",
           "dip:usesMethod"),
    Column("outcomes", False, "its outcomes: outcome-slug|OutcomeClass|English label|how firmly the source says "
           "so, separated by ';' (a published outcome: just its slug). Example: "
           "oslo-i-accord|PeaceAgreement|Oslo I Accord|paved the way", "dip:hasOutcomeAttribution"),
    Column("conflicts", False, "conflict slugs the case study addresses, separated by ';'", "dip:addressesConflict"),
    Column("places", False, "place slugs where it took place, separated by ';'", "dip:location"),
    Column("countries", False, "place slugs of the countries it involves, separated by ';'", "dip:involvesCountry"),
    Column("part_of", False, "case slugs of larger case studies it was part of", "dip:partOf"),
    Column("followed_by", False, "case slugs of case studies that followed it", "dip:followedBy"),
    Column("led_to", False, "case slugs of case studies it led to", "dip:ledTo"),
    Column("complements", False, "case slugs of case studies it complemented", "dip:complements"),
    Column("theories", False, "theory slugs it rests on, e.g. contact-hypothesis", "dip:restsOnTheory"),
    Column("challenges", False, "challenge slugs it faced", "dip:facedChallenge"),
    Column("wikipedia", False, "the English Wikipedia article title, with underscores: Oslo_Accords",
           "dip:wikipediaTitle"),
    Column("sources", True, "source slugs, separated by ';'; the first is the source of every statement of the row "
           "(its dates, places, links, tracks, participants and outcomes). Example: torgesen-2025", "dcterms:source"),
    Column("locator", False, "where in the first source: section heading or page", "dip:locator"),
    Column("quote", False, "the first source's own words that state the row's facts, verbatim (required when the "
           "source is one of the source articles or a reference page)", "dip:quote"),
)
_BY_NAME = {c.name: c for c in COLUMNS}
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_DATE_FORMS = ((re.compile(r"^-?[0-9]{4,}$"), XSD.gYear), (re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])$"),
               XSD.gYearMonth), (re.compile(r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"), XSD.date))
_LINKS = {  # column -> (property, record kind)
    "conflicts": (DIP.addressesConflict, "conflict"), "places": (DIP.location, "place"),
    "countries": (DIP.involvesCountry, "place"), "part_of": (DIP.partOf, "case"),
    "followed_by": (DIP.followedBy, "case"), "led_to": (DIP.ledTo, "case"), "complements": (DIP.complements, "case"),
    "theories": (DIP.restsOnTheory, "theory"), "challenges": (DIP.facedChallenge, "challenge"),
}


def template(kind: str = "case") -> str:
    """The empty CSV template: one header row.

    >>> template().split(",")[:4]
    ['slug', 'label', 'description', 'type']
    """
    if kind != "case":
        raise InputError(f"there is no template for {kind!r}", fix="use: dipontology template case")
    return ",".join(c.name for c in COLUMNS) + "\n"


def columns_markdown() -> str:
    """The template's columns as a Markdown table (embedded in ``docs/contributing.md``; a test keeps it current)."""
    rows = ["| column | required | what goes in it |", "|---|---|---|"]
    for c in COLUMNS:
        text = c.help.replace("|", "\\|")
        rows.append(f"| `{c.name}` | {'yes' if c.required else ''} | {text} |")
    return "\n".join(rows) + "\n"


def column_for_path(path: str | None) -> str | None:
    """The template column a property comes from (``dip:startDate`` -> ``start``)."""
    if path is None:
        return None
    for c in COLUMNS:
        if c.path == path:
            return c.name
    return None


# --------------------------------------------------------------------------------------------------------------
# convert


@dataclass
class Converted:
    """A converted CSV file: the graph, its Turtle, problems found while converting, and where each record is."""

    loaded: Loaded
    turtle: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def graph(self) -> Graph:
        return self.loaded.graph


@dataclass
class _Names:
    """Ontology terms a cell may name, by normalised name."""

    tracks: dict
    roles: dict
    capacities: dict
    methods: dict
    outcomes: dict
    initiatives: dict


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _names() -> _Names:
    onto = _load_trusted(_stamp([resources.ontology_file()]))[0].graph

    def individuals(cls, *drop_suffixes: str) -> dict:
        out: dict = {}
        classes = set(onto.transitive_subjects(RDFS.subClassOf, cls))
        for c in classes:
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
                  subclasses(DIP.Initiative))


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


def convert_csv(path: str | os.PathLike[str], *, limits: Limits | None = None) -> Converted:
    """Convert a filled-in case-study CSV (see :data:`COLUMNS`) to Turtle.

    :param path: the CSV file (UTF-8; a byte-order mark is allowed; comma, semicolon or tab separated).
    :return: the :class:`Converted` file; ``findings`` lists every cell that could not be used, with its row
        (``line``) and ``column``.
    :raises InputError: if the file is not a CSV file with the template's header row.
    """
    name = str(path)
    limits = Limits.from_env() if limits is None else limits
    try:
        if limits.max_bytes is not None and Path(path).stat().st_size > limits.max_bytes:
            raise InputError(f"the file is more than the limit of {limits.max_bytes:,} bytes", file=name,
                             fix="split it into several smaller files")
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=name, fix="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name) from None
    if limits.max_bytes is not None and len(raw) > limits.max_bytes:
        raise InputError(f"the file is more than the limit of {limits.max_bytes:,} bytes", file=name,
                         fix="split it into several smaller files")
    text = _decode(raw, name)
    if not text.strip():
        raise InputError("the file is empty", file=name, fix="start from: dipontology template case > case.csv")
    header_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise InputError(f"not a CSV file: {exc}", file=name, line=1) from None
    missing = [c.name for c in COLUMNS if c.required and c.name not in header]
    if missing:
        raise InputError(f"the header row lacks the column(s) {', '.join(missing)}", file=name, line=1,
                         fix="start from the template: dipontology template case > case.csv")
    unknown = [h for h in header if h and h not in _BY_NAME]
    names = _names()
    g = bind_all(Graph())
    lines: dict = {}
    findings: list[Finding] = []
    for h in unknown:
        findings.append(Finding("Warning", "csv:unknown-column", name, value=h,
                                message=f"the column {h!r} is not in the template and is ignored",
                                fix="rename it to one of: " + ", ".join(c.name for c in COLUMNS),
                                file=name, line=1, column=h))
    row_start = 2
    rows = 0
    slugs: dict[str, int] = {}
    try:
        for values in reader:
            line = row_start
            row_start = reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            rows += 1
            if rows > (limits.max_triples or 10**9) // 10:
                raise InputError("too many rows", file=name, line=line, fix="split the file")
            cells = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h}
            row = Graph()  # one row at a time, so that backing its facts never rescans earlier rows
            _convert_row(cells, row, lines, findings, names, name, line, slugs)
            for triple in row:
                g.add(triple)
    except csv.Error as exc:
        raise InputError(f"CSV syntax error: {exc}", file=name, line=reader.line_num,
                         fix="close every quoted cell; quote cells that contain the separator") from None
    if rows == 0:
        raise InputError("the file has a header row but no case study rows", file=name, line=2,
                         fix="fill in one row per case study under the header")
    turtle = (f"# Converted from {Path(name).name} by dipontology convert.\n"
              + g.serialize(format="turtle"))
    loaded = Loaded(graph=g, format="csv", lines=lines, file=name, prefixes=dict(PREFIXES))
    return Converted(loaded, turtle, findings)


def _convert_row(cells: dict, g: Graph, lines: dict, findings: list[Finding], names: _Names, file: str,
                 line: int, slugs: dict) -> None:
    focus = [f"row {line}"]

    def problem(column: str, value: str | None, message: str, fix: str, level: str = "Violation",
                rule: str = "csv:bad-cell") -> None:
        findings.append(Finding(level, rule, focus[0], focus_label=cells.get("label") or None, value=value,
                                message=message, fix=fix, file=file, line=line, column=column))

    slug = _slug(cells.get("slug", ""), "case")
    if slug is None:
        problem("slug", cells.get("slug") or None, "the slug is missing or not lowercase words joined by hyphens",
                "write e.g. oslo-back-channel (letters a-z, digits, single hyphens)")
        return
    if slug in slugs:
        problem("slug", slug, f"the slug {slug!r} is already used on the row at line {slugs[slug]}",
                "give every case study its own slug")
        return
    slugs[slug] = line
    case = URIRef(PREFIXES["case"] + slug)
    focus[0] = f"case:{slug}"
    lines[case] = line
    kind = cells.get("type") or "Initiative"
    cls = names.initiatives.get(_norm(kind))
    if cls is None:
        problem("type", kind, f"{kind!r} is not a kind of case study", "use Initiative, Programme or PeaceProcess")
        cls = DIP.Initiative
    g.add((case, RDF.type, cls))
    for col, prop in (("label", RDFS.label), ("description", DCTERMS.description)):
        if cells.get(col):
            g.add((case, prop, Literal(cells[col], lang="en")))
        else:
            problem(col, None, f"the {col} is empty", f"fill in the case study's English {col}")
    for col, prop in (("start", DIP.startDate), ("end", DIP.endDate)):
        if cells.get(col):
            lit = _date(cells[col])
            if lit is None:
                problem(col, cells[col], f"{cells[col]!r} is not a date in a form the project uses",
                        "write a year (1992), year and month (1992-01) or date (1992-01-20)")
            else:
                g.add((case, prop, lit))
    sources = []
    for item in _items(cells.get("sources", "")):
        s = _slug(item, "source")
        if s is None:
            problem("sources", item, f"{item!r} is not a source slug", "write the slug of a source: record, "
                    "e.g. torgesen-2025")
        else:
            sources.append(URIRef(PREFIXES["source"] + s))
    if not sources:
        problem("sources", cells.get("sources") or None, "no source is given",
                "name at least one source record by its slug")
    for s in sources:
        g.add((case, DCTERMS.source, s))
    locator = cells.get("locator")
    quote = cells.get("quote")

    def statement(kind: URIRef, link: URIRef) -> BNode:
        node = BNode()
        g.add((case, link, node))
        g.add((node, RDF.type, kind))
        if sources:
            g.add((node, DCTERMS.source, sources[0]))
        if locator:
            g.add((node, DIP.locator, Literal(locator)))
        if quote:
            g.add((node, DIP.quote, Literal(quote)))
        return node

    for item in _items(cells.get("tracks", "")):
        term, _, period = item.partition("@")
        track = names.tracks.get(_norm(term))
        if track is None:
            problem("tracks", item, f"{term.strip()!r} is not a track of the ontology",
                    _suggest(term, names.tracks) or "use e.g. TrackOne, TrackOneAndAHalf, TrackTwo, CitizenDiplomacy")
            continue
        node = statement(DIP.TrackClassification, DIP.hasTrackClassification)
        g.add((node, DIP.track, track))
        if period.strip():
            start, _, end = period.partition("/")
            for text, prop in ((start.strip(), DIP.startDate), (end.strip(), DIP.endDate)):
                if not text:
                    continue
                lit = _date(text)
                if lit is None:
                    problem("tracks", item, f"{text!r} in {item!r} is not a date",
                            "write the period as TrackTwo@1992/1993 (years, year-months or dates)")
                else:
                    g.add((node, prop, lit))
    for item in _items(cells.get("participants", "")):
        parts = [p.strip() for p in item.split("|")]
        actor = _slug(parts[0], "actor")
        if actor is None or len(parts) < 2 or len(parts) > 3:
            problem("participants", item, f"{item!r} is not actor-slug|role|capacity",
                    "write e.g. fafo|host|private (capacity may be left out)")
            continue
        role = names.roles.get(_norm(parts[1]))
        if role is None:
            problem("participants", item, f"{parts[1]!r} is not a role of the ontology",
                    _suggest(parts[1], names.roles) or "use participant, facilitator, mediator, convenor, host, "
                    "funder, signatory or witness")
            continue
        capacity = None
        if len(parts) == 3 and parts[2]:
            capacity = names.capacities.get(_norm(parts[2]))
            if capacity is None:
                problem("participants", item, f"{parts[2]!r} is not a capacity of the ontology",
                        _suggest(parts[2], names.capacities) or "use official, official-in-unofficial, "
                        "retired-official or private")
                continue
        node = statement(DIP.Participation, DIP.hasParticipation)
        g.add((node, DIP.participant, URIRef(PREFIXES["actor"] + actor)))
        g.add((node, DIP.role, role))
        if capacity is not None:
            g.add((node, DIP.capacity, capacity))
    for item in _items(cells.get("methods", "")):
        parts = [p.strip() for p in item.split("|")]
        slug_a = _slug(parts[0], "activity")
        if slug_a is None or len(parts) not in (1, 3):
            problem("methods", item, f"{item!r} is not activity-slug|MethodClass|label",
                    "write e.g. oslo-talks|BackChannelTalks|Oslo back-channel talks, or just a published "
                    "activity's slug")
            continue
        activity = URIRef(PREFIXES["activity"] + slug_a)
        if len(parts) == 3:
            method = names.methods.get(_norm(parts[1]))
            if method is None:
                problem("methods", item, f"{parts[1]!r} is not a method class of the ontology",
                        _suggest(parts[1], names.methods) or "see the Methods section of docs/ontology.md")
                continue
            g.add((activity, RDF.type, method))
            g.add((activity, RDFS.label, Literal(parts[2], lang="en")))
            for s in sources:
                g.add((activity, DCTERMS.source, s))
            lines.setdefault(activity, line)
        g.add((case, DIP.usesMethod, activity))
    for item in _items(cells.get("outcomes", "")):
        parts = [p.strip() for p in item.split("|")]
        slug_o = _slug(parts[0], "outcome")
        if slug_o is None or len(parts) not in (1, 3, 4):
            problem("outcomes", item, f"{item!r} is not outcome-slug|OutcomeClass|label|strength",
                    "write e.g. oslo-i-accord|PeaceAgreement|Oslo I Accord|paved the way")
            continue
        outcome = URIRef(PREFIXES["outcome"] + slug_o)
        if len(parts) >= 3:
            cls_o = names.outcomes.get(_norm(parts[1]))
            if cls_o is None:
                problem("outcomes", item, f"{parts[1]!r} is not an outcome class of the ontology",
                        _suggest(parts[1], names.outcomes) or "see the Outcomes section of docs/ontology.md")
                continue
            g.add((outcome, RDF.type, cls_o))
            g.add((outcome, RDFS.label, Literal(parts[2], lang="en")))
            for s in sources:
                g.add((outcome, DCTERMS.source, s))
            lines.setdefault(outcome, line)
        node = statement(DIP.OutcomeAttribution, DIP.hasOutcomeAttribution)
        g.add((node, DIP.outcome, outcome))
        if len(parts) == 4 and parts[3]:
            g.add((node, DIP.attributionStrength, Literal(parts[3])))
    for col, (prop, kind_) in _LINKS.items():
        for item in _items(cells.get(col, "")):
            s = _slug(item, kind_)
            if s is None:
                problem(col, item, f"{item!r} is not a {kind_} slug",
                        f"write the slug of a {kind_}: record (lowercase words joined by hyphens)")
            else:
                g.add((case, prop, URIRef(PREFIXES[kind_] + s)))
    if cells.get("wikipedia"):
        g.add((case, DIP.wikipediaTitle, Literal(cells["wikipedia"].replace(" ", "_"))))
    # every fact of the row is stated by the row's sources, at its locator (fact-level provenance, DESIGN §4)
    for st in provenance.back_facts(g, sources[:1], locator, quote):
        lines.setdefault(st, line)


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
    import difflib

    close = difflib.get_close_matches(_norm(text), list(options), n=1, cutoff=0.6)
    if close:
        return f"did you mean {str(options[close[0]]).rsplit('#', 1)[-1]}?"
    return None


# --------------------------------------------------------------------------------------------------------------
# accept


@dataclass
class Accepted:
    """The outcome of :func:`accept`: the validation report and the data files written (empty when refused)."""

    report: ValidationReport
    written: list[Path]
    refused: bool

    def summary(self) -> str:
        if self.refused:
            return ("refused: the contribution has findings at or above the fail-on level; nothing in the data "
                    "folder was changed")
        if not self.written:
            return "nothing to add: every statement of the contribution is already published"
        return "accepted: " + ", ".join(str(p) for p in self.written)


#: record class -> shared data file its new records are appended to (other new records go with their case study)
SHARED_FILES = ((DIP.Actor, "actors.ttl"), (DIP.Conflict, "conflicts.ttl"), (DIP.Place, "places.ttl"),
                (DIP.Source, "sources.ttl"), (DIP.Theory, "theories.ttl"), (DIP.Challenge, "challenges.ttl"),
                (DIP.Opportunity, "opportunities.ttl"))


def load_contribution(path: str | os.PathLike[str], *, limits: Limits | None = None) -> tuple[Loaded, list[Finding]]:
    """Load a contribution in any supported format, CSV included (with the conversion findings)."""
    if str(path).lower().endswith(".csv"):
        converted = convert_csv(path, limits=limits)
        return converted.loaded, converted.findings
    return load_file(path, limits=limits), []


def accept(file: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None,
           fail_on: str = "Violation", limits: Limits | None = None, _before_commit=None) -> Accepted:
    """Validate ``file`` against the published data and, if it passes, add it to the data folder atomically.

    New case studies go to ``cases/<slug>.ttl`` (a new file); new shared records (actors, conflicts, places,
    sources, theories, challenges, opportunities) are appended to the shared file of their kind; everything else
    (activities, outcomes, statements) goes with the case study that uses it. Every new file version is written
    to a staging folder beside the data folder first; only when all are written and re-read are they renamed
    into place. On any failure the already renamed files are restored, so the data folder is unchanged.

    :param file: the contribution (any RDF format, or the CSV template).
    :param data_dir: the data folder (default: the shipped ``data/``).
    :param fail_on: refuse when a finding is at this level or above.
    :return: :class:`Accepted`; ``refused`` is true when validation failed (nothing written).
    :raises InputError: if the file cannot be read, or would overwrite a file that exists.
    """
    data = (Path(data_dir) if data_dir is not None else resources.data_dir()).resolve()
    recover(data)
    report = validate([file], fail_on=fail_on, data_dir=data, limits=limits)
    if report.failing(fail_on):
        return Accepted(report, [], True)
    loaded, _ = load_contribution(file, limits=limits)
    from .validate import _clean, _vocabulary

    vocab = _vocabulary(_stamp([resources.ontology_file()]))
    cleaned, _ = _clean(loaded, vocab, [], contribution=True)
    published = _load_trusted(_stamp(published_files(data)))
    defined_in: dict = {}
    published_graph = Graph()
    for item in published:
        published_graph += item.graph
        for s in item.graph.subjects():
            defined_in.setdefault(s, Path(item.file).resolve())
    graph = novel_statements(cleaned, published_graph)
    if len(graph) == 0:
        return Accepted(report, [], False)
    plan = _plan(graph, vocab, defined_in, data, Path(file))
    staging, staged = _stage(plan, data, Path(file), appendable=set(defined_in.values()))
    try:
        written = _commit(staging, staged, _before_commit)
    except OSError as exc:
        raise InputError(f"could not write the data folder ({exc.strerror or exc}); nothing in it was changed",
                         file=str(data), fix="check free space and permissions, then run accept again") from None
    return Accepted(report, written, False)


def _plan(graph: Graph, vocab, defined_in: dict, data: Path, source_file: Path) -> dict[Path, Graph]:
    """Which triples go to which file: statements about a published record go to the file that defines it."""
    published_subjects = set(defined_in)
    def kind_file(s) -> str | None:
        types = set(graph.objects(s, RDF.type))
        for cls, fname in SHARED_FILES:
            if any(cls in vocab.superclasses.get(t, {t}) or t == cls for t in types):
                return fname
        return None

    cases = sorted((s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)
                    and str(s).startswith(PREFIXES["case"]) and s not in published_subjects
                    and any(DIP.Initiative in vocab.superclasses.get(t, {t}) for t in graph.objects(s, RDF.type))),
                   key=str)
    default_case = cases[0] if cases else None
    plan: dict[Path, Graph] = {}

    def target_for(s) -> Path:
        if s in defined_in:
            return defined_in[s]
        if s in cases:
            return data / "cases" / (str(s)[len(PREFIXES["case"]):] + ".ttl")
        fname = kind_file(s)
        if fname is not None:
            return data / fname
        owner = next((c for c in cases if (c, None, s) in graph or any(graph.triples((c, None, s)))), None)
        if owner is None:
            owner = default_case
        if owner is not None:
            return data / "cases" / (str(owner)[len(PREFIXES["case"]):] + ".ttl")
        stem = re.sub(r"[^a-z0-9]+", "-", source_file.stem.lower()).strip("-") or "contribution"
        return data / "cases" / f"{stem}.ttl"

    roots: dict = {}
    for s in graph.subjects():
        if isinstance(s, BNode):
            continue
        roots.setdefault(s, target_for(s))
    for s, p, o in graph:
        if isinstance(s, BNode):
            continue
        path = roots[s]
        sub = plan.setdefault(path, Graph())
        sub.add((s, p, o))
        if isinstance(o, BNode):
            stack, seen = [o], set()
            while stack:
                n = stack.pop()
                if n in seen:
                    continue
                seen.add(n)
                for t in graph.triples((n, None, None)):
                    sub.add(t)
                    if isinstance(t[2], BNode):
                        stack.append(t[2])
    return plan


def _canonical(g: Graph) -> Graph:
    """``g`` with blank nodes relabelled canonically, so that the Turtle written for it is the same bytes on every
    run (rdflib orders inlined blank nodes by their random labels)."""
    from rdflib.compare import to_canonical_graph

    out = Graph()
    for t in to_canonical_graph(g):
        out.add(t)
    return out


def _stage(plan: dict[Path, Graph], data: Path, source_file: Path,
           appendable: set[Path] = frozenset()) -> tuple[Path, list[tuple[Path, Path]]]:
    """Write every new file version into a staging folder beside the data folder (never inside it, so an
    interrupted accept leaves no trace in the data); return the folder and (staged, target) pairs."""
    try:
        staging = Path(tempfile.mkdtemp(prefix=".dipontology-accept-", dir=data.resolve().parent))
    except OSError as exc:
        raise InputError(f"cannot create a staging folder beside the data folder: {exc.strerror or exc}",
                         file=str(data), fix="make the folder that holds the data folder writable") from None
    staged: list[tuple[Path, Path]] = []
    stamp = date.today().isoformat()
    try:
        for i, (target, sub) in enumerate(sorted(plan.items())):
            sub = _canonical(sub)
            bind_all(sub)
            body = sub.serialize(format="turtle")
            appending = target.resolve() in appendable
            if target.exists():
                if target.parent.name == "cases" and not appending:
                    raise InputError(f"{target} already exists", file=str(source_file),
                                     fix="give the new case study a slug that is not taken")
                old = target.read_text(encoding="utf-8")
                text = old + ("" if old.endswith("\n") else "\n") + \
                    f"\n## Added by dipontology accept from {source_file.name} on {stamp} " + "#" * 20 + "\n\n" + body
            else:
                text = f"# Added by dipontology accept from {source_file.name} on {stamp}.\n\n" + body
            tmp = staging / f"{i:03d}-{target.name}"
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            staged.append((tmp, target))
            # re-read what was staged: it must parse and hold at least the planned statements
            check = load_bytes(tmp.read_bytes(), name=str(target), format="turtle",
                               limits=Limits(max_bytes=None, max_triples=None, max_literal_chars=None))
            if len(check.graph) < len(sub):
                raise RuntimeError(f"the staged version of {target} lost statements")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, staged


#: the commit journal in a staging folder: once it exists, the staged files are to be renamed into place
_JOURNAL = "COMMIT.json"
_STAGING_PREFIX = ".dipontology-accept-"


def _write_journal(staging: Path, staged: list[tuple[Path, Path]]) -> Path:
    journal = staging / _JOURNAL
    tmp = staging / (_JOURNAL + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"data": str(staged[0][1].parent if staged else staging.parent),
                   "files": [[str(t), str(target)] for t, target in staged]}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, journal)
    try:  # make the rename durable before any target is touched
        fd = os.open(staging, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # pragma: no cover - directories cannot be fsynced on some systems
        pass
    return journal


def recover(data_dir: str | os.PathLike[str] | None = None, *, stale_after: float = 600.0) -> list[Path]:
    """Finish an ``accept`` that was killed while renaming its files into place (SIGKILL, power loss).

    An accept writes every new file version into a staging folder beside the data folder, then a commit journal,
    then renames the files into place. If it dies after the journal was written, this completes the renames (the
    staged files are complete and were re-read before the journal was written), so the data folder ends in the
    accepted state; a staging folder without a journal (the accept died while staging, the data folder was never
    touched) is removed once it is older than ``stale_after`` seconds. :func:`accept` calls this first.

    :return: the data files that were completed.

    >>> import tempfile, pathlib
    >>> recover(pathlib.Path(tempfile.mkdtemp()) / "data")
    []
    """
    data = (Path(data_dir) if data_dir is not None else resources.data_dir()).resolve()
    completed: list[Path] = []
    if not data.parent.is_dir():
        return completed
    for staging in sorted(data.parent.glob(_STAGING_PREFIX + "*")):
        if not staging.is_dir():
            continue
        journal = staging / _JOURNAL
        if journal.is_file():
            try:
                doc = json.loads(journal.read_text(encoding="utf-8"))
                files = [(Path(a), Path(b)) for a, b in doc["files"]]
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not ours to judge: leave it for a person
            if not all(b.resolve().is_relative_to(data) for _a, b in files):
                continue  # the journal of another data folder beside this one
            for tmp, target in files:
                if tmp.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(tmp, target)
                    completed.append(target)
            shutil.rmtree(staging, ignore_errors=True)
        elif time.time() - staging.stat().st_mtime > stale_after:
            shutil.rmtree(staging, ignore_errors=True)
    return completed


def _commit(staging: Path, staged: list[tuple[Path, Path]], before_commit=None) -> list[Path]:
    """Rename staged files into place; on failure put back what was there and remove what was new. A commit
    journal written first lets :func:`recover` finish the renames if the process is killed between them."""
    done: list[tuple[Path, Path | None]] = []
    journal: Path | None = None
    try:
        if before_commit is not None:
            before_commit(staged)
        backups: dict[int, Path] = {}
        for i, (_tmp, target) in enumerate(staged):
            if target.exists():
                backups[i] = staging / f"{i:03d}-{target.name}.backup"
                shutil.copy2(target, backups[i])
        journal = _write_journal(staging, staged)
        for i, (tmp, target) in enumerate(staged):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            done.append((target, backups.get(i)))
    except BaseException:
        if journal is not None:
            journal.unlink(missing_ok=True)  # rolling back: recover() must not roll forward
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target for _tmp, target in staged]
