"""The CSV sheets a contributor fills in: one sheet (one CSV file) per kind of record, each column documented.

A contribution is one or more sheets: ``case`` (one row per case study), ``source`` (new sources), ``actor`` (new
actors), ``place`` (new places), ``participation`` (who took part in a case, published or new) and ``disagreement``
(a source that says something else than a published claim). ``dipontology template KIND`` prints a sheet's header
row, ``dipontology template --explain`` documents every column of every sheet, and :func:`sheet_for_header` tells
which sheet a file is from its header row.

>>> [s.kind for s in SHEETS]
['case', 'source', 'actor', 'place', 'participation', 'disagreement']
>>> template("actor").split(",")[:3]
['slug', 'label', 'type']
>>> sheet_for_header(["slug", "label", "type", "description", "based_in", "sources"]).kind
'actor'
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError

__all__ = ["Column", "Sheet", "SHEETS", "COLUMNS", "sheet", "template", "explain", "columns_markdown",
           "sheets_markdown", "column_for_path", "sheet_for_header"]


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    :param name: the header.
    :param required: whether every row must fill it.
    :param help: what goes in it, with an example.
    :param path: the property it becomes (to point validation findings back at the column).
    """

    name: str
    required: bool
    help: str
    path: str | None = None


@dataclass(frozen=True)
class Sheet:
    """One kind of CSV sheet: its name, what a row is, and its columns in order."""

    kind: str
    row: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


_REF = "by slug (fafo), prefixed name (actor:fafo), full IRI or English label; a record of another sheet of the " \
       "same contribution or a published one"
_SOURCE_COLS = (
    Column("sources", True, "source slugs, separated by ';'; the first is the source of every statement of the row. "
           "A new source is a row of the source sheet. Example: torgesen-2025", "dcterms:source"),
    Column("locator", False, "where in the first source: section heading or page", "dip:locator"),
    Column("quote", False, "the first source's own words that state the row's facts, verbatim (required when the "
           "source is one of the source articles or a reference page)", "dip:quote"),
)

#: the columns of the case-study sheet, in order (docs/contributing.md is written from these tables)
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
    Column("participants", False, "who took part: actor|role|capacity, separated by ';'; the actor " + _REF + ". "
           "Roles: participant, facilitator, mediator, convenor, host, funder, signatory, witness; capacities: "
           "official, official-in-unofficial, retired-official, private. Example: fafo|host|private",
           "dip:hasParticipation"),
    Column("methods", False, "its activities: activity-slug|MethodClass|English label, separated by ';' (a "
           "published activity: just its slug). Example: oslo-talks|BackChannelTalks|Oslo back-channel talks",
           "dip:usesMethod"),
    Column("outcomes", False, "its outcomes: outcome-slug|OutcomeClass|English label|how firmly the source says "
           "so, separated by ';' (a published outcome: just its slug). Example: "
           "oslo-i-accord|PeaceAgreement|Oslo I Accord|paved the way", "dip:hasOutcomeAttribution"),
    Column("conflicts", False, "conflicts the case study addresses, separated by ';'", "dip:addressesConflict"),
    Column("places", False, "places where it took place, separated by ';'", "dip:location"),
    Column("countries", False, "the countries it involves (places), separated by ';'", "dip:involvesCountry"),
    Column("part_of", False, "larger case studies it was part of", "dip:partOf"),
    Column("followed_by", False, "case studies that followed it", "dip:followedBy"),
    Column("led_to", False, "case studies it led to", "dip:ledTo"),
    Column("complements", False, "case studies it complemented", "dip:complements"),
    Column("theories", False, "theories it rests on, e.g. contact-hypothesis", "dip:restsOnTheory"),
    Column("challenges", False, "challenges it faced", "dip:facedChallenge"),
    Column("wikipedia", False, "the English Wikipedia article title, with underscores: Oslo_Accords",
           "dip:wikipediaTitle"),
    Column("sources", True, "source slugs, separated by ';'; the first is the source of every statement of the row "
           "(its dates, places, links, tracks, participants and outcomes). Example: torgesen-2025", "dcterms:source"),
    _SOURCE_COLS[1],
    _SOURCE_COLS[2],
)

SHEETS: tuple[Sheet, ...] = (
    Sheet("case", "a case study", COLUMNS),
    Sheet("source", "a new source: a work a reader can find", (
        Column("slug", True, "the source's identifier; its IRI is source:<slug>. Example: smith-2020"),
        Column("type", True, "WebArticle, ScholarlyArticle, Book, ReferencePage or ReferenceWork (a kind of "
               "dip:Source)", "rdf:type"),
        Column("title", True, "the work's title as the work gives it", "dcterms:title"),
        Column("author", False, "its authors, separated by ';'. Example: Jane Smith; Ali Khan", "dcterms:creator"),
        Column("date", False, "when it was published: 2020, 2020-05 or 2020-05-17", "dcterms:issued"),
        Column("url", False, "where a reader finds it (http or https)", "schema:url"),
        Column("publisher", False, "who published it", "dcterms:publisher"),
        Column("description", False, "one English sentence on what it is", "dcterms:description"),
    )),
    Sheet("actor", "a new actor: a person, organisation or group", (
        Column("slug", True, "the actor's identifier; its IRI is actor:<slug>. Example: harbour-trust"),
        Column("label", True, "its English name", "rdfs:label"),
        Column("type", True, "Person, NGO, AcademicInstitution, ThinkTank, Government, ... (a kind of dip:Actor: the "
               "Actors section of docs/ontology.md lists them)",
               "rdf:type"),
        Column("description", True, "one or two English sentences on who it is, from the source",
               "dcterms:description"),
        Column("based_in", False, "places it is based in, separated by ';' (" + _REF + ")", "dip:basedIn"),
        Column("member_of", False, "actors it is a member of, separated by ';'", "dip:memberOf"),
        Column("founded", False, "when it was founded: a year, year and month or date", "dip:foundingDate"),
        *_SOURCE_COLS,
    )),
    Sheet("place", "a new place", (
        Column("slug", True, "the place's identifier; its IRI is place:<slug>. Example: larnaca"),
        Column("label", True, "its English name", "rdfs:label"),
        Column("type", True, "City, Country or Region (a kind of dip:Place)", "rdf:type"),
        Column("description", True, "one English sentence on what it is", "dcterms:description"),
        Column("within", False, "the places it lies within, separated by ';'", "dip:withinPlace"),
        *_SOURCE_COLS,
    )),
    Sheet("participation", "who took part in a case study: a published one or one of the case sheet", (
        Column("case", True, "the case study (" + _REF + ")", "dip:hasParticipation"),
        Column("actor", True, "who took part (" + _REF + ")", "dip:participant"),
        Column("role", True, "participant, facilitator, mediator, convenor, host, funder, signatory or witness",
               "dip:role"),
        Column("capacity", False, "official, official-in-unofficial, retired-official or private", "dip:capacity"),
        *_SOURCE_COLS,
    )),
    Sheet("disagreement", "a source that says something other than a published claim about a record", (
        Column("record", True, "the record the claim is about (" + _REF + ")", "dip:statedSubject"),
        Column("property", True, "what the claim is about: start, end, date, founded, location, country, track, "
               "type or a dip: property", "dip:statedProperty"),
        Column("value", True, "what this source says instead: a date, or a record (" + _REF + "), or a track or "
               "class of the ontology", "dip:statedValue"),
        Column("note", False, "one English sentence on the disagreement", "dip:disagreementNote"),
        *_SOURCE_COLS,
    )),
)
_BY_KIND = {s.kind: s for s in SHEETS}


def sheet(kind: str) -> Sheet:
    """The sheet of ``kind``.

    :raises InputError: naming the kinds there are.
    """
    found = _BY_KIND.get(kind)
    if found is None:
        raise InputError(f"there is no sheet for {kind!r}",
                         fix="use one of: " + ", ".join(s.kind for s in SHEETS))
    return found


def template(kind: str = "case") -> str:
    """The empty CSV sheet of ``kind``: one header row.

    >>> template().split(",")[:4]
    ['slug', 'label', 'description', 'type']
    """
    return ",".join(sheet(kind).names) + "\n"


def explain(kind: str | None = None) -> str:
    """Every column of every sheet (or of one), with whether it is required and what goes in it."""
    out: list[str] = []
    for s in (SHEETS if kind is None else (sheet(kind),)):
        width = max(len(c.name) for c in s.columns)
        if kind is None:
            out.append(f"{s.kind}.csv: one row per {s.row.split(':')[0].removeprefix('a ').removeprefix('who ')}"
                       if s.kind != "participation" else f"{s.kind}.csv: one row per participation ({s.row})")
        out += [f"{c.name:<{width}}  {'required' if c.required else 'optional'}  {c.help}" for c in s.columns]
        if kind is None:
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def columns_markdown(kind: str = "case") -> str:
    """A sheet's columns as a Markdown table (embedded in ``docs/contributing.md``; a test keeps it current)."""
    rows = ["| column | required | what goes in it |", "|---|---|---|"]
    for c in sheet(kind).columns:
        text = c.help.replace("|", "\\|")
        rows.append(f"| `{c.name}` | {'yes' if c.required else ''} | {text} |")
    return "\n".join(rows) + "\n"


def sheets_markdown() -> str:
    """The columns of every sheet but the case sheet, one Markdown table each (embedded in ``docs/contributing.md``;
    a test keeps it current)."""
    parts = []
    for s in SHEETS:
        if s.kind != "case":
            parts.append(f"**{s.kind}.csv**: one row per {s.row.removeprefix('a ')}.\n\n" + columns_markdown(s.kind))
    return "\n".join(parts)


def column_for_path(path: str | None, kind: str = "case") -> str | None:
    """The column of a sheet a property comes from (``dip:startDate`` -> ``start``)."""
    if path is None:
        return None
    for c in sheet(kind).columns:
        if c.path == path:
            return c.name
    return None


def sheet_for_header(header: list[str]) -> Sheet:
    """The sheet whose columns a header row names: the one that has every required column and most of the header.

    :raises InputError: when no sheet has the header's required columns (the message names the closest sheet's
        missing columns; the caller adds the file and line).
    """
    names = {h for h in header if h}

    def score(s: Sheet) -> tuple[int, int, int]:
        return (len(names & set(s.names)), -len(set(s.required) - names), -len(set(s.names) - names))

    best = max(SHEETS, key=score)
    complete = [s for s in SHEETS if set(s.required) <= names]
    if complete:
        return max(complete, key=score)
    missing = [c for c in best.required if c not in names]
    raise InputError(f"the header row lacks the column(s) {', '.join(missing)} of the {best.kind} sheet",
                     fix=f"start from the template: dipontology template {best.kind} > {best.kind}.csv")
