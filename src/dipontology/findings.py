"""One report type for every check: a :class:`Finding`, a :class:`Report` that holds them, one set of renderers.

The ontology quality rules (:mod:`dipontology.check`), SHACL validation and the contribution checks
(:mod:`dipontology.validate`, :mod:`dipontology.contribution.checks`) and the link checks
(:mod:`dipontology.link.validity`) all report :class:`Finding` objects: a level, the rule or shape that found it,
the record (``focus``) and its label, the property (``path``) and the offending value, what is wrong
(``message``), how to fix it (``fix``) and where (``file:line:column``). A :class:`Report` holds them with what
was checked, and renders as ``text``, ``json``, ``md``, ``tsv`` or ``ttl`` (:data:`FORMATS`).

Two report kinds keep the layouts their users rely on: :class:`ValidationReport` (levels Violation, Warning,
Info; grouped by file and record; JSON schema ``validation-report/1`` of ``docs/contributing.md``) and
:class:`CheckReport` (levels ERROR, WARN, INFO; grouped by rule, whose problem and fix are said once; the JSON layout
of ``docs/checks.md``). Both share the finding, the counting and failing logic, and the renderers below.

>>> f = Finding("Violation", "contrib:ill-typed-literal", "case:x", path="dip:startDate",
...             value='"2019-02-30"^^xsd:date', message="not a date", fix="write YYYY-MM-DD",
...             file="x.ttl", line=8, col=19)
>>> f.where()
'x.ttl:8:19'
>>> r = ValidationReport([f], files=["x.ttl"])
>>> r.exit_code(), r.counts()
(1, {'Violation': 1, 'Warning': 0, 'Info': 0})
>>> r.render("tsv").splitlines()[1].split(chr(9))[5:9]
['"2019-02-30"^^xsd:date', 'x.ttl', '8', '19']
"""
from __future__ import annotations

import builtins
import json
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Callable, ClassVar, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, SH

from . import __version__, terms
from .errors import InputError
from .export import serialize_triples
from .namespaces import DIPSH, bind_all

__all__ = [
    "Finding", "Report", "ValidationReport", "CheckReport", "FORMATS", "VALIDATION_LEVELS", "CHECK_LEVELS",
    "REPORT_SCHEMA", "CHECK_JSON_VERSION", "rank", "render", "visible", "curie", "short", "n3", "focus_text",
    "parse_level", "check_fail_on", "is_control", "BIDI", "ZERO_WIDTH", "findings_graph", "RENDERERS",
]

#: validation levels, most severe first (SHACL's severities)
VALIDATION_LEVELS = ("Violation", "Warning", "Info")
#: quality-check levels, most severe first (ROBOT's)
CHECK_LEVELS = ("ERROR", "WARN", "INFO")
_RANK = {"Violation": 3, "ERROR": 3, "Warning": 2, "WARN": 2, "Info": 1, "INFO": 1}
#: identifies the JSON layout of a validation report; bump on any incompatible change (docs/contributing.md)
REPORT_SCHEMA = "https://w3id.org/dipontology/validation-report/1"
#: version of the JSON layout of a check report (bumped only when a field changes meaning or disappears)
CHECK_JSON_VERSION = 1
#: the formats every report renders to
FORMATS = ("text", "json", "md", "tsv", "ttl")


def rank(level: str) -> int:
    """How severe a level is, comparable across report kinds: 3 Violation/ERROR, 2 Warning/WARN, 1 Info/INFO.

    >>> rank("Violation") == rank("ERROR") > rank("WARN") > rank("Info")
    True
    """
    return _RANK[level]


# ----------------------------------------------------------------------------------------------------- the finding

@dataclass
class Finding:
    """One problem, in plain words, with where it is and how to fix it.

    :param level: ``Violation``, ``Warning`` or ``Info`` (validation, contribution and link checks); ``ERROR``,
        ``WARN`` or ``INFO`` (quality rules).
    :param rule: the SHACL shape (``dipsh:...``), contribution rule (``contrib:...``, ``csv:...``), quality rule
        (``missing_label``) or link check (``link:...``) that found it.
    :param focus: the record: a compact IRI such as ``case:oslo`` (for an anonymous node in a validation report,
        ``record / property``); in a check report the full IRI (the nearest one above a blank node, see ``via``).
    :param focus_label: the record's English label, if it has one.
    :param path: the property concerned (compact in a validation report, a full IRI in a check report), if any.
    :param value: the offending value (Turtle notation in a validation report; an IRI or a literal's text in a
        check report, see ``value_kind``), if any.
    :param message: what is wrong.
    :param fix: how to fix it.
    :param file: the file the record (or value) is written in.
    :param line: the 1-based line in ``file``: where the value is written for a value error, else where the record
        is defined (for a CSV file, the line where its row starts).
    :param column: for a CSV file, the column concerned (its header name).
    :param col: the 1-based column on ``line`` where the value (or record) starts, when known.
    :param value_kind: ``iri``, ``literal`` or ``blank`` (check reports; ``None`` when there is no value).
    :param value_lang: the value's language tag, for a literal that has one (check reports).
    :param value_datatype: the value's datatype, for a literal other than a plain or language-tagged string.
    :param via: predicates from ``focus`` down to the blank node a quality rule hit (empty when it hit ``focus``).
    """

    level: str
    rule: str
    focus: str
    focus_label: str | None = None
    path: str | None = None
    value: str | None = None
    message: str = ""
    fix: str | None = None
    file: str | None = None
    line: int | None = None
    column: str | None = None
    col: int | None = None
    value_kind: str | None = None
    value_lang: str | None = None
    value_datatype: str | None = None
    via: tuple[str, ...] = ()

    def where(self) -> str:
        """``file:line:col`` (or as much of it as is known), with ``column NAME`` for CSV files.

        >>> Finding("Info", "r", "x", file="a.csv", line=3, column="label").where()
        'a.csv:3 column label'
        """
        text = self.file or ""
        if self.file and self.line:
            text += f":{self.line}" + (f":{self.col}" if self.col else "")
        return f"{text} column {self.column}" if self.column else text

    # the names a check report's findings had before they were one type (read-only; the fields are the above)
    @property
    def entity(self) -> str:
        """The focus (check reports called it the entity)."""
        return self.focus

    @property
    def label(self) -> str | None:
        """The focus label."""
        return self.focus_label

    @property
    def problem(self) -> str:
        """The message (check reports called it the problem)."""
        return self.message

    @property
    def solution(self) -> str | None:
        """The fix (check reports called it the solution)."""
        return self.fix

    def to_dict(self) -> dict:
        """Every field (``via`` as a list)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["via"] = list(self.via)
        return data

    # last: the name shadows the built-in ``property`` in the class body
    property = builtins.property(lambda self: self.path, doc="The path (check reports called it the property).")


# ------------------------------------------------------------------------------------------------ shared helpers

#: bidirectional control characters: they reorder how text around them is displayed
BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C))
#: zero-width characters: invisible, they make two texts that look the same differ
ZERO_WIDTH = frozenset({"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"})


def is_control(ch: str) -> bool:
    """A C0 or C1 control character other than tab, newline and carriage return."""
    o = ord(ch)
    return (o < 0x20 and ch not in "\t\n\r") or 0x7F <= o <= 0x9F


def visible(text: str) -> str:
    """``text`` with control, bidirectional and zero-width characters written as ``\\uXXXX`` escapes, so that a
    report printed in a terminal or a page shows them instead of obeying them.

    >>> visible("Oslo\\u202e\\x1b[31m")
    'Oslo\\\\u202e\\\\u001b[31m'
    """
    if all(" " <= ch < "\x7f" for ch in text):
        return text
    return "".join(f"\\u{ord(ch):04x}" if (is_control(ch) and ch != "\n") or ch in BIDI or ch in ZERO_WIDTH
                   else ch for ch in text)


def curie(iri: str | None) -> str:
    """An IRI shortened with the project prefixes, or ``<iri>`` when none fits (``[]`` for a blank node).

    >>> curie("https://w3id.org/dipontology/ontology#TrackTwo"), curie("http://example.org/x")
    ('dip:TrackTwo', '<http://example.org/x>')
    """
    if iri is None:
        return ""
    if iri.startswith("_:"):
        return "[]"
    return terms.curie(iri, brackets=True)


def short(term) -> str:
    """An rdflib term as a validation finding names it: a compact IRI with the project's prefixes (``case:oslo``),
    else ``<iri>``; a blank node as ``_:id``.

    >>> short(URIRef("https://w3id.org/dipontology/id/case/oslo")), short(URIRef("http://e.org/x"))
    ('case:oslo', '<http://e.org/x>')
    """
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:" + str(term)
    if isinstance(term, URIRef):
        return terms.curie(term, brackets=True)
    text = str(term)
    return text if isinstance(term, Literal) else terms.curie(text)


def n3(term) -> str:
    """A value as a validation finding shows it: a literal in Turtle notation (``"1993"^^xsd:gYear``), else
    :func:`short`.

    >>> n3(Literal("Oslo", lang="en")), n3(Literal("1993", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear")))
    ('"Oslo"@en', '"1993"^^xsd:gYear')
    """
    if isinstance(term, Literal):
        text = json.dumps(str(term), ensure_ascii=False)
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{short(term.datatype)}"
        return text
    return short(term)


def focus_text(g: Graph, node) -> str:
    """``case:oslo`` for an IRI; for an anonymous node, the record that holds it and the property: ``case:oslo /
    dip:hasParticipation``."""
    if not isinstance(node, BNode):
        return short(node)
    chain: list[str] = []
    current, seen = node, set()
    while isinstance(current, BNode) and current not in seen:
        seen.add(current)
        parent = next(iter(g.subject_predicates(current)), None)
        if parent is None:
            break
        chain.append(short(parent[1]))
        current = parent[0]
    if isinstance(current, BNode) or not chain:
        return "[blank node]"
    return " / ".join([short(current)] + list(reversed(chain)))


def _plural(word: str, n: int) -> str:
    return word if n == 1 else word + "s"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _tsv_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _expand(text: str | None) -> URIRef | None:
    """A compact IRI (``case:oslo``), ``<iri>`` or full IRI as a URIRef; ``None`` when it is none of these."""
    if not text:
        return None
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    iri = terms.expand(text)
    if iri != text or "://" in text or text.startswith("urn:"):
        return URIRef(iri)
    return None


# ------------------------------------------------------------------------------------------------------ the report

@dataclass
class Report:
    """Findings of one run, with what was checked.

    :param findings: the findings, in the order they are shown.
    :param files: the files checked (empty when a graph was passed in).
    :param fail_on: the least severe level that makes :meth:`exit_code` return 1 (``None`` or ``"never"``: never).
    :param triples: how many triples were checked.
    :param seconds: how long the run took.
    """

    findings: list[Finding]
    files: list[str] = field(default_factory=list)
    fail_on: str | None = "Violation"
    triples: int = 0
    seconds: float = 0.0

    #: the levels of this kind of report, most severe first
    levels: ClassVar[tuple[str, ...]] = VALIDATION_LEVELS
    #: the title of a Markdown report
    title: ClassVar[str] = "Report"

    def _threshold(self, fail_on: str | None) -> str | None:
        level = self.fail_on if fail_on is None else fail_on
        return None if level is None or str(level).lower() in ("never", "none") else level

    def failing(self, fail_on: str | None = None) -> list[Finding]:
        """Findings at or above ``fail_on`` (default: the report's own)."""
        level = self._threshold(fail_on)
        if level is None:
            return []
        return [f for f in self.findings if rank(f.level) >= rank(level)]

    def exit_code(self, fail_on: str | None = None) -> int:
        """1 when some finding is at or above ``fail_on``, else 0 (DESIGN §5)."""
        return 1 if self.failing(fail_on) else 0

    def level_counts(self) -> dict[str, int]:
        """Number of findings per level, most severe first (every level present, zero included)."""
        c = Counter(f.level for f in self.findings)
        return {level: c.get(level, 0) for level in self.levels}

    def summary(self) -> str:
        c = self.level_counts()
        parts = ", ".join(f"{n} {level}" for level, n in c.items())
        return f"{parts} ({len(self.files)} {_plural('file', len(self.files))}; exit {self.exit_code()})"

    def to_dict(self) -> dict:
        return {"summary": {**self.level_counts(), "total": len(self.findings), "files": list(self.files),
                            "exit_code": self.exit_code()},
                "findings": [f.to_dict() for f in self.findings]}

    def to_graph(self) -> Graph:
        """The findings as a SHACL validation report graph (a rule is the result's ``sh:sourceShape`` when it is
        an IRI; the fix is ``dipsh:fix``)."""
        return findings_graph(self.findings)

    def render(self, fmt: str = "text") -> str:
        """The report as ``text``, ``json``, ``md``, ``tsv`` or ``ttl`` (:data:`FORMATS`)."""
        try:
            renderer = RENDERERS[fmt]
        except KeyError:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(RENDERERS)}") from None
        return renderer(self)


def findings_graph(findings: Sequence[Finding]) -> Graph:
    """A ``sh:ValidationReport`` graph with one ``sh:ValidationResult`` per finding."""
    g = Graph()
    report = BNode("report")
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(not any(rank(f.level) == 3 for f in findings))))
    severity = {3: SH.Violation, 2: SH.Warning, 1: SH.Info}
    for i, f in enumerate(findings):
        node = BNode(f"r{i}")
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.resultSeverity, severity[rank(f.level)]))
        focus = _expand(f.focus.split(" / ")[0])
        g.add((node, SH.focusNode, focus if focus is not None else Literal(f.focus)))
        rule = _expand(f.rule)
        g.add((node, SH.sourceShape, rule if rule is not None else Literal(f.rule)))
        path = _expand(f.path)
        if path is not None:
            g.add((node, SH.resultPath, path))
        if f.value is not None:  # a check finding knows its value's kind; others show it in Turtle notation
            g.add((node, SH.value, URIRef(f.value) if f.value_kind == "iri" else
                   Literal(f.value, lang=f.value_lang, datatype=URIRef(f.value_datatype) if f.value_datatype and
                           not f.value_lang else None)))
        if f.message:
            g.add((node, SH.resultMessage, Literal(f.message)))
        if f.fix:
            g.add((node, DIPSH.fix, Literal(f.fix)))
    return bind_all(g)


# ----------------------------------------------------------------------------------------- validation reports

@dataclass
class ValidationReport(Report):
    """The findings of one validation (SHACL, contribution and link checks): levels Violation, Warning, Info.

    :param shacl_report: the SHACL engine's report graph (rendered as ``ttl``); without it, the findings as one.

    >>> r = ValidationReport([Finding("Warning", "dipsh:X", "case:a", message="m")], files=["a.ttl"])
    >>> r.conforms, r.counts(), r.exit_code("Violation"), r.exit_code("Warning")
    (True, {'Violation': 0, 'Warning': 1, 'Info': 0}, 0, 1)
    """

    fail_on: str | None = "Violation"
    shacl_report: Graph | None = None
    title: ClassVar[str] = "Validation report"

    @property
    def conforms(self) -> bool:
        """No finding at level Violation."""
        return not any(f.level == "Violation" for f in self.findings)

    def counts(self) -> dict[str, int]:
        """Number of findings per level, Violation first."""
        return self.level_counts()

    def _threshold(self, fail_on: str | None) -> str | None:
        level = parse_level(fail_on or self.fail_on or "never")
        return None if level == "never" else level

    def summary(self) -> str:
        c = self.counts()
        n = len(self.files)
        parts = ", ".join(f"{c[level]} {_plural(level.lower(), c[level])}" for level in self.levels)
        verdict = "conforms" if self.conforms else "does not conform"
        fail = parse_level(self.fail_on or "never")
        outcome = "exit 1" if self.exit_code() else "exit 0"
        return (f"{parts} in {n} {_plural('file', n)}: {verdict} (fail-on {fail}: {outcome}; "
                f"{self.triples:,} triples checked in {self.seconds:.1f} s)")

    def to_dict(self) -> dict:
        """The stable JSON layout documented in ``docs/contributing.md`` (``schema`` names its version)."""
        return {
            "schema": REPORT_SCHEMA,
            "conforms": self.conforms,
            "fail_on": parse_level(self.fail_on or "never"),
            "exit_code": self.exit_code(),
            "counts": self.counts(),
            "files": list(self.files),
            "findings": [_validation_finding(f) for f in self.findings],
        }

    def to_graph(self) -> Graph:
        """The SHACL engine's report graph (an empty graph when there was no SHACL run)."""
        return self.shacl_report if self.shacl_report is not None else Graph()

    # the renderers under the names callers use
    def to_text(self) -> str:
        return render_text(self)

    def to_json(self) -> str:
        return render_json(self)

    def to_markdown(self) -> str:
        return render_md(self)

    def to_tsv(self) -> str:
        return render_tsv(self)

    def to_turtle(self) -> str:
        return render_ttl(self)


def parse_level(text: str) -> str:
    """Normalise a validation level name (``violation``, ``WARNING``, ``info``; ``never`` disables failing).

    >>> parse_level("warning"), parse_level("never")
    ('Warning', 'never')
    """
    low = text.strip().lower()
    if low in ("never", "none"):
        return "never"
    for level in VALIDATION_LEVELS:
        if level.lower() == low or (low == "warn" and level == "Warning"):
            return level
    raise InputError(f"unknown level {text!r}", fix="use violation, warning, info or never")


def _validation_finding(f: Finding) -> dict:
    data = {"level": f.level, "rule": f.rule, "focus": f.focus, "focus_label": f.focus_label, "path": f.path,
            "value": f.value, "message": f.message, "fix": f.fix, "file": f.file, "line": f.line,
            "column": f.column}
    if f.col is not None:  # the position of the value on its line, where it is known
        data["col"] = f.col
    return data


# ---------------------------------------------------------------------------------------------- check reports

@dataclass
class CheckReport(Report):
    """The result of the ontology quality rules (:func:`dipontology.check.check`): levels ERROR, WARN, INFO.

    :param rules: the rules that ran (:class:`dipontology.check.Rule`).
    :param inputs: the files checked (the same list as ``files``).
    """

    rules: list = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    fail_on: str | None = "ERROR"
    levels: ClassVar[tuple[str, ...]] = CHECK_LEVELS
    title: ClassVar[str] = "Ontology check report"

    def __post_init__(self) -> None:
        if self.inputs and not self.files:
            self.files = list(self.inputs)

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per level (every level present, zero included)."""
        return self.level_counts()

    def _threshold(self, fail_on: str | None) -> str | None:
        return check_fail_on(self.fail_on if fail_on in (None, "") else fail_on)

    def failed(self, fail_on: str | None = "") -> bool:
        """Whether there is a finding at or above ``fail_on`` (default: the report's own ``fail_on``)."""
        return bool(self.failing(fail_on))

    def exit_code(self, fail_on: str | None = "") -> int:
        """1 if there are findings at or above ``fail_on`` (ERROR, WARN, INFO or ``"none"``), else 0 (DESIGN §5)."""
        return 1 if self.failed(fail_on) else 0

    def failing(self, fail_on: str | None = "") -> list[Finding]:
        if fail_on is None:  # an explicit None: never fails
            return []
        return super().failing(fail_on)

    def of_rule(self, rule: str) -> list[Finding]:
        """The findings of one rule."""
        return [f for f in self.findings if f.rule == rule]

    def summary(self) -> str:
        counts = self.counts
        parts = ", ".join(f"{counts[level]} {level}" for level in self.levels)
        if self.fail_on is None:
            verdict = "no fail level"
        else:
            verdict = f"{'FAILED at' if self.failed() else 'passes'} --fail-on {self.fail_on}"
        return f"{parts} ({len(self.rules)} rules on {self.triples} triples; {verdict})"

    def to_dict(self) -> dict:
        """The stable JSON layout: ``{"version", "tool", "summary", "rules", "findings"}``."""
        return {
            "version": CHECK_JSON_VERSION,
            "tool": f"dipontology {__version__}",
            "summary": {
                **self.counts,
                "total": len(self.findings),
                "rules": len(self.rules),
                "triples": self.triples,
                "inputs": list(self.inputs),
                "fail_on": self.fail_on or "none",
                "failed": self.failed(),
            },
            "rules": [{"id": r.id, "level": r.level, "title": r.title, "count": len(self.of_rule(r.id))}
                      for r in self.rules],
            "findings": [_check_finding(f) for f in self.findings],
        }


def check_fail_on(fail_on: str | None) -> str | None:
    """A check report's fail level: ERROR, WARN or INFO, or ``None`` for ``None`` or ``"none"``.

    >>> check_fail_on("warn"), check_fail_on("none")
    ('WARN', None)
    """
    if fail_on is None or str(fail_on).lower() == "none":
        return None
    level = str(fail_on).upper()
    if level not in CHECK_LEVELS:
        raise ValueError(f"fail_on must be one of {', '.join(CHECK_LEVELS)} or none, not {fail_on!r}")
    return level


def _check_finding(f: Finding) -> dict:
    return {"rule": f.rule, "level": f.level, "entity": f.focus, "property": f.path, "value": f.value,
            "label": f.focus_label, "problem": f.message, "solution": f.fix, "value_kind": f.value_kind,
            "value_lang": f.value_lang, "value_datatype": f.value_datatype, "via": list(f.via), "file": f.file,
            "line": f.line}


def _shown_value(f: Finding) -> str:
    """A check finding's value in Turtle notation (its value is an IRI or a literal's text)."""
    if f.value is None:
        return ""
    if f.value_kind == "iri":
        return curie(f.value)
    if f.value_kind == "blank":
        return "[]"
    text = json.dumps(f.value, ensure_ascii=False)
    if f.value_lang:
        return f"{text}@{f.value_lang}"
    if f.value_datatype:
        return f"{text}^^{curie(f.value_datatype)}"
    return text


def _shown_entity(f: Finding) -> str:
    text = curie(f.focus)
    if f.via:
        text += " " + " / ".join(curie(p) for p in f.via) + " []"
    return text


def _check_where(f: Finding) -> str:
    if f.file is None:
        return ""
    return f"{f.file}:{f.line}" if f.line is not None else f.file


# ------------------------------------------------------------------------------------------------- renderers

def render_text(report: Report) -> str:
    """Findings for people. A check report: grouped by level and rule, each rule's problem and fix once, then one
    line a finding. Any other report: grouped by file, then record, each finding with its message and fix. Both
    end with the summary line."""
    if isinstance(report, CheckReport):
        return _check_text(report)
    out: list[str] = []
    last_file: object = object()
    last_focus: tuple | None = None
    for f in report.findings:
        if f.file != last_file:
            out.append("")
            out.append(f.file or "(no file)")
            last_file, last_focus = f.file, None
        key = (f.focus, f.line, f.col)
        if key != last_focus:
            label = f'  "{f.focus_label}"' if f.focus_label else ""
            at = f"{f.line if f.line else '?'}" + (f", column {f.col}" if f.col else "")
            out.append(f"  line {at}: {f.focus}{label}")
            last_focus = key
        what = " ".join(p for p in (f"[column {f.column}]" if f.column else None, f.path, f.value) if p)
        out.append(f"    {f.level:<9} {f.rule}" + (f"  {what}" if what else ""))
        out.append(f"      {f.message}")
        if f.fix:
            out.append(f"      fix: {f.fix}")
    if out:
        out.append("")
    out.append(report.summary())
    return visible("\n".join(line for i, line in enumerate(out) if i > 0 or line) + "\n")


def _check_text(report: CheckReport) -> str:
    out: list[str] = []
    for level in report.levels:
        rules = [r for r in report.rules if r.level == level and report.of_rule(r.id)]
        if not rules:
            continue
        out.append(f"{level} ({report.counts[level]})")
        for rule in sorted(rules, key=lambda r: r.id):
            found = report.of_rule(rule.id)
            out.append(f"  {rule.id}: {rule.title} ({len(found)})")
            out.append(f"    problem: {rule.problem}")
            out.append(f"    fix: {rule.solution}")
            for f in found:
                parts = [_shown_entity(f)]
                if f.focus_label:
                    parts.append(json.dumps(f.focus_label, ensure_ascii=False))
                if f.path:
                    parts.append(curie(f.path))
                if f.value is not None:
                    parts.append(_shown_value(f))
                where = _check_where(f)
                out.append("      - " + " ".join(parts) + (f"  [{where}]" if where else ""))
        out.append("")
    out.append(report.summary())
    return "\n".join(out) + "\n"


def render_json(report: Report) -> str:
    """The report's stable JSON layout (:meth:`Report.to_dict`), indented; in a validation report, control,
    bidirectional and zero-width characters as ``\\u`` escapes (still the same JSON strings)."""
    if isinstance(report, CheckReport):
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    return visible(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)) + "\n"


def render_md(report: Report) -> str:
    """A Markdown report: the summary, then a table of findings (in a check report, one section per rule with its
    problem and fix)."""
    if isinstance(report, CheckReport):
        return _check_md(report)
    lines = [f"# {report.title}", "", f"**{report.summary()}**", ""]
    if report.findings:
        lines += ["| level | where | record | rule | property | value | problem | fix |",
                  "|---|---|---|---|---|---|---|---|"]
        for f in report.findings:
            record = f.focus + (f' "{f.focus_label}"' if f.focus_label else "")
            cells = [f.level, f.where(), record, f.rule, f.path or "", f.value or "", f.message, f.fix or ""]
            lines.append("| " + " | ".join(_validation_md_cell(c) for c in cells) + " |")
        lines.append("")
    return visible("\n".join(lines)) + "\n"


def _validation_md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _check_md(report: CheckReport) -> str:
    out = [f"# {report.title}", "", report.summary(), ""]
    if report.inputs:
        out += ["Checked: " + ", ".join(f"`{i}`" for i in report.inputs), ""]
    for level in report.levels:
        for rule in sorted((r for r in report.rules if r.level == level), key=lambda r: r.id):
            found = report.of_rule(rule.id)
            if not found:
                continue
            out += [f"## {rule.id} ({level}, {len(found)})", "", f"**Problem:** {rule.problem}", "",
                    f"**Solution:** {rule.solution}", "",
                    "| Entity | Label | Property | Value | Where |", "|---|---|---|---|---|"]
            for f in found:
                cells = [_shown_entity(f), f.focus_label or "", curie(f.path) if f.path else "", _shown_value(f),
                         _check_where(f)]
                out.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


_CHECK_TSV = ("level", "rule", "entity", "label", "property", "value", "file", "line")
_TSV = ("level", "rule", "focus", "label", "path", "value", "file", "line", "col", "message", "fix")


def render_tsv(report: Report) -> str:
    """One finding a row under a header line (a check report: entity, property and value as CURIEs, like ROBOT's
    TSV report)."""
    if isinstance(report, CheckReport):
        rows = ["\t".join(_CHECK_TSV)]
        for f in report.findings:
            cells = [f.level, f.rule, _shown_entity(f), f.focus_label or "", curie(f.path) if f.path else "",
                     _shown_value(f), f.file or "", "" if f.line is None else str(f.line)]
            rows.append("\t".join(_tsv_cell(c) for c in cells))
        return "\n".join(rows) + "\n"
    rows = ["\t".join(_TSV)]
    for f in report.findings:
        cells = [f.level, f.rule, f.focus, f.focus_label or "", f.path or "", f.value or "", f.file or "",
                 "" if f.line is None else str(f.line), "" if f.col is None else str(f.col), f.message, f.fix or ""]
        rows.append("\t".join(_tsv_cell(c) for c in cells))
    return visible("\n".join(rows)) + "\n"


def render_ttl(report: Report) -> str:
    """The report as a SHACL validation report in Turtle: a validation report's is the engine's own (the results
    about the reported records); any other is made from the findings."""
    graph = report.to_graph()
    if isinstance(report, ValidationReport):
        header = (f"# SHACL validation report from dipontology validate ({report.summary()})\n"
                  "# Contribution checks (contrib:*) are not SHACL results; see the text or JSON report.\n")
    else:
        header = f"# {report.title} from dipontology ({report.summary()})\n"
    # the one graph writer (sorted, the project prefixes it uses); blank nodes labelled canonically, so the same
    # report gives the same text
    return header + serialize_triples(list(to_canonical_graph(graph)), "ttl").decode("utf-8")


#: format name -> renderer, for every kind of report
RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text, "json": render_json, "md": render_md, "tsv": render_tsv, "ttl": render_ttl}


def render(report: Report, fmt: str = "text") -> str:
    """Render any report as ``text``, ``json``, ``md``, ``tsv`` or ``ttl``.

    >>> render(CheckReport(findings=[], rules=[]), "tsv").split()
    ['level', 'rule', 'entity', 'label', 'property', 'value', 'file', 'line']
    """
    return report.render(fmt)
