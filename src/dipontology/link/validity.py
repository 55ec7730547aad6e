"""Time-bound country codes: find Correlates of War and Gleditsch-Ward codes used outside their validity window.

A country carries code assignments (``dip:hasCode``) in the time-bound systems ``dip:COWStateNumber``,
``dip:COWStateAbbreviation`` and ``dip:GleditschWardNumber``, each valid from ``dip:validFrom`` until
``dip:validUntil`` (an ``xsd:date`` or an ``xsd:gYear``). An initiative placed in a country (``dip:location``, or a
place ``dip:withinPlace`` a country) or involving a country (``dip:involvesCountry``), and dated (``dip:startDate``/``dip:endDate``) uses that country's codes of a
system; if none of them is valid at any time during the initiative, each is flagged: joining the initiative to a
country-year panel by that code would match no row, or the wrong state (Germany 255 against 260, Serbia 345
against 340).

Dates are compared as calendar intervals: a year covers 1 January to 31 December, a year-month its whole month,
so ``1948`` overlaps a code valid from ``1948-05-14``. The same rule ships as a SHACL-SPARQL constraint in
``shapes/code-validity.ttl``; this function needs no SHACL engine.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
... @prefix dip: <https://w3id.org/dipontology/ontology#> .
... @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
... <http://ex/isr> a dip:Country ; dip:hasCode [ dip:codeSystem dip:GleditschWardNumber ; dip:codeValue "666" ;
...     dip:validFrom "1948-05-14"^^xsd:date ] .
... <http://ex/talks> dip:location <http://ex/isr> ; dip:startDate "1930"^^xsd:gYear .
... ''', format="turtle")
>>> [(f.code, f.system_label, f.event_start) for f in code_validity(g)]
[('666', 'Gleditsch-Ward state number', '1930')]
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from ..findings import Finding, curie
from ..namespaces import DIP
from .mappings import literal_text

#: the time-bound code systems whose validity is checked, with their labels
TIME_BOUND_SYSTEMS: dict[URIRef, str] = {
    DIP.COWStateNumber: "Correlates of War state number",
    DIP.COWStateAbbreviation: "Correlates of War state abbreviation",
    DIP.GleditschWardNumber: "Gleditsch-Ward state number",
}

_DATE = re.compile(r"^(-?[0-9]{4,})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def bounds(text: str) -> tuple[tuple[int, int, int], tuple[int, int, int]] | None:
    """The first and last day covered by an ``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date`` lexical form.

    >>> bounds("1948"), bounds("1948-02"), bounds("1948-05-14")
    (((1948, 1, 1), (1948, 12, 31)), ((1948, 2, 1), (1948, 2, 29)), ((1948, 5, 14), (1948, 5, 14)))
    >>> bounds("not a date") is None
    True
    """
    m = _DATE.match(text.strip())
    if not m:
        return None
    year = int(m.group(1))
    if m.group(3):
        day = (year, int(m.group(2)), int(m.group(3)))
        return day, day
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            return None
        last = calendar.monthrange(year, month)[1] if year > 0 else 31
        return (year, month, 1), (year, month, last)
    return (year, 1, 1), (year, 12, 31)


@dataclass(kw_only=True)
class CodeValidityFinding(Finding):
    """A time-bound code that is not valid at any time of an initiative placed in its country: a
    :class:`~dipontology.findings.Finding` (level Warning, as the shape ``dipsh:CodeValidityShape`` says it; rule
    ``link:code-validity``; ``focus`` the initiative's IRI, ``path`` ``dip:hasCode``, ``value`` the code) with the
    country, the code system, the code's validity window and the initiative's dates."""

    level: str = "Warning"
    rule: str = "link:code-validity"
    country: str
    country_label: str
    system: str
    system_label: str
    code: str
    valid_from: str
    valid_until: str
    event_start: str
    event_end: str

    def __post_init__(self) -> None:
        self.path = self.path or curie(str(DIP.hasCode))
        self.value = self.code if self.value is None else self.value
        window = f"{self.valid_from or '...'} to {self.valid_until or '...'}"
        period = self.event_start if self.event_end in ("", self.event_start) else \
            f"{self.event_start or '...'} to {self.event_end or '...'}"
        self.message = self.message or (
            f"{self.focus_label or self.focus} ({period}) is placed in {self.country_label or self.country}, whose "
            f"{self.system_label} {self.code} is valid only {window}")
        self.fix = self.fix or ("check the initiative's dates and place; if they are right, the country needs the "
                                "code valid at that time (or the code's validity dates are wrong)")

    def details(self) -> dict:
        """The fields of this check: the record, the country, the code and the two periods, with message and fix."""
        return {"focus": self.focus, "focus_label": self.focus_label, "country": self.country,
                "country_label": self.country_label, "system": self.system, "system_label": self.system_label,
                "code": self.code, "valid_from": self.valid_from, "valid_until": self.valid_until,
                "event_start": self.event_start, "event_end": self.event_end, "message": self.message,
                "fix": self.fix}


def _countries_of(g: Graph, place: URIRef) -> set[URIRef]:
    """The countries among ``place`` and the places it lies within (transitively)."""
    out: set[URIRef] = set()
    seen: set = set()
    stack = [place]
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        if (p, DIP.hasCode, None) in g:
            out.add(p)
        stack.extend(g.objects(p, DIP.withinPlace))
    return out


def code_validity(g: Graph) -> list[CodeValidityFinding]:
    """Every COW or G-W code of a country used by a dated record placed in or involving it outside the code's
    validity.

    :param g: the graph (data with countries, their code assignments and the initiatives).
    :return: findings sorted by focus, country, system and code; empty when every code fits.
    """
    findings: list[CodeValidityFinding] = []
    seen: set[tuple] = set()
    pairs = set(g.subject_objects(DIP.location)) | set(g.subject_objects(DIP.involvesCountry))
    for focus, place in sorted(pairs, key=lambda t: (str(t[0]), str(t[1]))):
        start = g.value(focus, DIP.startDate)
        end = g.value(focus, DIP.endDate)
        if start is None and end is None:
            continue
        s_b = bounds(str(start)) if start is not None else None
        e_b = bounds(str(end)) if end is not None else None
        lo = (s_b or e_b)[0] if (s_b or e_b) else None
        hi = (e_b or s_b)[1] if (e_b or s_b) else None
        if lo is None or hi is None:
            continue
        for country in sorted(_countries_of(g, place), key=str):
            by_system: dict[URIRef, list] = {}
            for ca in g.objects(country, DIP.hasCode):
                system = g.value(ca, DIP.codeSystem)
                if system in TIME_BOUND_SYSTEMS:
                    by_system.setdefault(system, []).append(ca)
            for system, assignments in sorted(by_system.items(), key=lambda kv: str(kv[0])):
                windows = []
                for ca in assignments:
                    vf, vu = g.value(ca, DIP.validFrom), g.value(ca, DIP.validUntil)
                    f_lo = bounds(str(vf))[0] if vf is not None and bounds(str(vf)) else None
                    u_hi = bounds(str(vu))[1] if vu is not None and bounds(str(vu)) else None
                    overlaps = (f_lo is None or hi >= f_lo) and (u_hi is None or lo <= u_hi)
                    windows.append((ca, overlaps, vf, vu))
                if any(ok for _, ok, _, _ in windows):
                    continue
                if (focus, country, system) in seen:
                    continue
                seen.add((focus, country, system))
                for ca, _, vf, vu in windows:
                    findings.append(CodeValidityFinding(
                        focus=str(focus), focus_label=literal_text(g.objects(focus, RDFS.label)),
                        country=str(country), country_label=literal_text(g.objects(country, RDFS.label)),
                        system=str(system), system_label=literal_text(g.objects(system, RDFS.label))
                        or TIME_BOUND_SYSTEMS[system], code=str(g.value(ca, DIP.codeValue) or ""),
                        valid_from=str(vf or ""), valid_until=str(vu or ""),
                        event_start=str(start or ""), event_end=str(end or "")))
    findings.sort(key=lambda f: (f.focus, f.country, f.system, f.code))
    return findings
