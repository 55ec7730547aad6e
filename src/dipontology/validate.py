"""SHACL validation of the published data and of contributions, with a report a person can act on.

:func:`validate` with no files checks the shipped data (ontology merged in, so ``sh:class`` sees
``rdfs:subClassOf``) against the project's own shapes (``shapes/*.ttl``, always passed explicitly to the engine,
never taken from the data), and against a user's own shapes (``shapes=[...]``) beside or instead of them. The SHACL
engine is pyshacl-turbo by default, pySHACL on request (:data:`SHACL_ENGINES`); both run the W3C SHACL test suite in
the tests, and :func:`check_shapes` refuses what would make either reach the network or validate wrongly. With files, it checks a contribution: the new records together with the published records
they mention, and reports findings about the contribution only, plus the contribution checks that SHACL cannot
express (:data:`CONTRIBUTION_RULES`): new records outside the project's namespaces, IRIs that already name a
published record of another type or label, misspelt ``dip:`` terms (with a suggestion), ontology or shape
statements smuggled into data, ``owl:imports``.

Each :class:`Finding` says what is wrong, where (file:line of the record, the record and its label, the property
and the offending value) and how to fix it. :class:`ValidationReport` renders as text, JSON (schema in
``docs/contributing.md``), Markdown or the raw SHACL report in Turtle.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "typo.ttl").write_text(
...     "@prefix dip: <https://w3id.org/dipontology/ontology#> .\\n"
...     "@prefix case: <https://w3id.org/dipontology/id/case/> .\\n"
...     "case:new-case a dip:Initiatve .\\n")
>>> report = validate([d / "typo.ttl"])
>>> f = next(f for f in report.findings if f.rule == "contrib:unknown-term")
>>> f.level, f.focus, f.value, f.line, f.fix
('Violation', 'case:new-case', 'dip:Initiatve', 3, 'did you mean dip:Initiative?')
>>> report.exit_code()
1
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, XSD
from rdflib.plugins.sparql import prepareQuery

from . import provenance, resources
from .errors import InputError
from .graph import copy_closure
from .load import Limits, Loaded, _quiet_rdflib, load_bytes
from .namespaces import DIP, DIPSH, ONTOLOGY_IRI, PREFIXES, RECORD_NAMESPACES, bind_all

__all__ = [
    "Finding", "ValidationReport", "validate", "validate_graph", "LEVELS", "CONTRIBUTION_RULES", "published_files",
    "parse_level", "REPORT_SCHEMA", "novel_statements", "rules_markdown", "SHACL_ENGINES", "ENGINE_LIMITS",
    "shacl_engine", "shacl_report", "check_shapes", "load_shapes", "ill_typed",
]

#: severity levels, least to most severe
LEVELS = ("Info", "Warning", "Violation")
_RANK = {level: i for i, level in enumerate(LEVELS)}
#: identifies the JSON report layout; bump on any incompatible change (documented in docs/contributing.md)
REPORT_SCHEMA = "https://w3id.org/dipontology/validation-report/1"

DIPSH_FIX = DIPSH.fix

#: contribution rules: id -> (level, what it checks). Messages and fixes are built in the checks below.
CONTRIBUTION_RULES: dict[str, tuple[str, str]] = {
    "contrib:outside-namespace": ("Violation", "a new record's IRI is outside the project's record namespaces"),
    "contrib:type-collision": ("Violation", "an IRI already names a published record of a different type"),
    "contrib:label-collision": ("Violation", "an IRI already names a published record with a different label"),
    "contrib:extends-published": ("Info", "the contribution adds statements to a published record"),
    "contrib:possible-duplicate": ("Warning", "a new record has the same label as a published record of its kind"),
    "contrib:unknown-term": ("Violation", "a dip: class or property that the ontology does not define"),
    "contrib:term-misuse": ("Violation", "a dip: property used as a class, or a class or individual as a property"),
    "contrib:unknown-vocabulary-term": ("Warning", "a term of RDF, RDFS, OWL, SKOS, Dublin Core, PROV, FOAF or XSD "
                                                   "that the vocabulary does not define"),
    "contrib:ill-typed-literal": ("Violation", "a literal whose text is not valid for its datatype"),
    "contrib:ontology-change": ("Violation", "statements about dip: or dipsh: terms (ontology or shapes) in data"),
    "contrib:shapes-ignored": ("Warning", "SHACL statements in data, removed before validation"),
    "contrib:imports-ignored": ("Warning", "owl:imports in data, removed: nothing is ever fetched"),
    "contrib:parser-warning": ("Warning", "something the parser accepted but dropped or changed"),
    "contrib:control-character": ("Violation", "text with control characters or terminal escape sequences (ESC)"),
    "contrib:bidi-control": ("Violation", "text with bidirectional override or isolate characters (U+202A-U+202E, "
                                          "U+2066-U+2069) that make it display differently from what it says"),
    "contrib:invisible-character": ("Warning", "text with zero-width characters (U+200B-U+200D, U+2060, U+FEFF)"),
    "contrib:mixed-script": ("Warning", "a word in a label mixing letters of different alphabets (Latin with "
                                        "Cyrillic or Greek look-alikes)"),
}

_KIND_FOR_CLASS = (  # most specific first: which record namespace a new record of this class belongs in
    (DIP.Initiative, "case"), (DIP.Actor, "actor"), (DIP.Conflict, "conflict"), (DIP.Place, "place"),
    (DIP.Source, "source"), (DIP.Statement, "statement"), (DIP.Method, "activity"), (DIP.Outcome, "outcome"),
    (DIP.Theory, "theory"), (DIP.Challenge, "challenge"), (DIP.Opportunity, "opportunity"),
    (DIP.CodeAssignment, "code"),
)
_CHECKED_VOCABULARIES = (RDF, RDFS, OWL, SKOS, DCTERMS, PROV, FOAF, XSD)
_VOCABULARY_NAMES = {str(RDF): "RDF", str(RDFS): "RDF Schema", str(OWL): "OWL", str(SKOS): "SKOS",
                     str(DCTERMS): "Dublin Core terms", str(PROV): "PROV-O", str(FOAF): "FOAF",
                     str(XSD): "XML Schema datatypes"}
_GENERIC_FIX = {
    SH.MinCountConstraintComponent: "add the missing {path} statement",
    SH.MaxCountConstraintComponent: "keep only one {path} value",
    SH.DatatypeConstraintComponent: "write the value with the expected datatype",
    SH.ClassConstraintComponent: "point {path} at a record of the expected type (or give that record its type)",
    SH.PatternConstraintComponent: "write the value in the expected format",
    SH.LanguageInConstraintComponent: 'tag the text as English, e.g. "..."@en',
    SH.UniqueLangConstraintComponent: "keep one value per language",
    SH.NodeKindConstraintComponent: "use an IRI (or literal) as the shape expects",
    SH.InConstraintComponent: "use one of the allowed values",
}


# --------------------------------------------------------------------------------------------------------------
# report model


def parse_level(text: str) -> str:
    """Normalise a level name (``violation``, ``WARNING``, ``info``; ``never`` disables failing).

    >>> parse_level("warning"), parse_level("never")
    ('Warning', 'never')
    """
    low = text.strip().lower()
    if low in ("never", "none"):
        return "never"
    for level in LEVELS:
        if level.lower() == low or (low == "warn" and level == "Warning"):
            return level
    raise InputError(f"unknown level {text!r}", fix="use violation, warning, info or never")


@dataclass
class Finding:
    """One problem, in plain words, with where it is and how to fix it.

    :param level: ``Violation``, ``Warning`` or ``Info``.
    :param rule: the SHACL shape (``dipsh:...``) or contribution rule (``contrib:...``) that found it.
    :param focus: the record (compact IRI such as ``case:oslo``; for an anonymous node, ``record / property``).
    :param focus_label: the record's English label, if it has one.
    :param path: the property concerned (compact), if any.
    :param value: the offending value (Turtle notation), if any.
    :param message: what is wrong.
    :param fix: how to fix it.
    :param file: the file the record is defined in.
    :param line: the line in ``file`` where the record is defined (for a CSV file, the line where its row starts).
    :param column: for a CSV file, the column concerned (its header name).
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

    def where(self) -> str:
        """``file:line`` (or as much of it as is known), with ``column`` for CSV files."""
        text = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "")
        return f"{text} column {self.column}" if self.column else text

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ValidationReport:
    """The findings of one validation run.

    >>> r = ValidationReport([Finding("Warning", "dipsh:X", "case:a", message="m")], files=["a.ttl"])
    >>> r.conforms, r.counts(), r.exit_code("Violation"), r.exit_code("Warning")
    (True, {'Violation': 0, 'Warning': 1, 'Info': 0}, 0, 1)
    """

    findings: list[Finding]
    files: list[str] = field(default_factory=list)
    fail_on: str = "Violation"
    shacl_report: Graph | None = None
    seconds: float = 0.0
    triples: int = 0

    @property
    def conforms(self) -> bool:
        """No finding at level Violation."""
        return not any(f.level == "Violation" for f in self.findings)

    def counts(self) -> dict[str, int]:
        c = Counter(f.level for f in self.findings)
        return {level: c.get(level, 0) for level in reversed(LEVELS)}

    def failing(self, fail_on: str | None = None) -> list[Finding]:
        """Findings at or above ``fail_on`` (default: the report's own)."""
        level = parse_level(fail_on or self.fail_on)
        if level == "never":
            return []
        return [f for f in self.findings if _RANK[f.level] >= _RANK[level]]

    def exit_code(self, fail_on: str | None = None) -> int:
        """1 when some finding is at or above ``fail_on``, else 0 (DESIGN §5)."""
        return 1 if self.failing(fail_on) else 0

    # ---- renderers

    def summary(self) -> str:
        c = self.counts()
        n = len(self.files)
        parts = ", ".join(f"{c[level]} {_plural(level.lower(), c[level])}" for level in reversed(LEVELS))
        verdict = "conforms" if self.conforms else "does not conform"
        fail = parse_level(self.fail_on)
        outcome = "exit 1" if self.exit_code() else "exit 0"
        return (f"{parts} in {n} {_plural('file', n)}: {verdict} (fail-on {fail}: {outcome}; "
                f"{self.triples:,} triples checked in {self.seconds:.1f} s)")

    def to_text(self) -> str:
        """Grouped by file, then record; ends with the summary line."""
        out: list[str] = []
        last_file: object = object()
        last_focus: tuple | None = None
        for f in self.findings:
            if f.file != last_file:
                out.append("" if out else "")
                out.append(f.file or "(no file)")
                last_file, last_focus = f.file, None
            key = (f.focus, f.line)
            if key != last_focus:
                label = f'  "{f.focus_label}"' if f.focus_label else ""
                out.append(f"  line {f.line if f.line else '?'}: {f.focus}{label}")
                last_focus = key
            what = " ".join(p for p in (f"[column {f.column}]" if f.column else None, f.path, f.value) if p)
            out.append(f"    {f.level:<9} {f.rule}" + (f"  {what}" if what else ""))
            out.append(f"      {f.message}")
            if f.fix:
                out.append(f"      fix: {f.fix}")
        if out:
            out.append("")
        out.append(self.summary())
        return visible("\n".join(line for i, line in enumerate(out) if i > 0 or line) + "\n")

    def to_json(self) -> str:
        """The stable JSON layout documented in ``docs/contributing.md`` (``schema`` names its version)."""
        doc = {
            "schema": REPORT_SCHEMA,
            "conforms": self.conforms,
            "fail_on": parse_level(self.fail_on),
            "exit_code": self.exit_code(),
            "counts": self.counts(),
            "files": list(self.files),
            "findings": [f.to_dict() for f in self.findings],
        }
        # control, bidirectional and zero-width characters as \\u escapes (still the same JSON strings)
        return visible(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"

    def to_markdown(self) -> str:
        lines = ["# Validation report", "", f"**{self.summary()}**", ""]
        if self.findings:
            lines += ["| level | where | record | rule | property | value | problem | fix |",
                      "|---|---|---|---|---|---|---|---|"]
            for f in self.findings:
                record = f.focus + (f' "{f.focus_label}"' if f.focus_label else "")
                cells = [f.level, f.where(), record, f.rule, f.path or "", f.value or "", f.message, f.fix or ""]
                lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
            lines.append("")
        return visible("\n".join(lines)) + "\n"

    def to_turtle(self) -> str:
        """The raw SHACL validation report (the pySHACL results about the reported records) in Turtle."""
        graph = self.shacl_report if self.shacl_report is not None else Graph()
        bind_all(graph)
        header = (f"# SHACL validation report from dipontology validate ({self.summary()})\n"
                  "# Contribution checks (contrib:*) are not SHACL results; see the text or JSON report.\n")
        return header + graph.serialize(format="turtle")

    def render(self, fmt: str) -> str:
        return {"text": self.to_text, "json": self.to_json, "md": self.to_markdown, "ttl": self.to_turtle}[fmt]()


def _plural(word: str, n: int) -> str:
    return word if n == 1 else word + "s"


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    """Markdown tables of every rule a finding can name: the SHACL shapes and the contribution checks.

    ``docs/contributing.md`` embeds this text between ``<!-- rules:begin -->`` and ``<!-- rules:end -->``; a test
    keeps it current.
    """
    shapes = shapes_graph()
    names = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    rows = []
    for s in sorted((n for n in names if isinstance(n, URIRef)), key=str):
        severity = shapes.value(s, SH.severity)
        level = str(severity).rsplit("#", 1)[-1] if severity else "Violation"
        path = shapes.value(s, SH.path)
        targets = [_short(t) for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
                   for t in shapes.objects(s, p)]
        if path is not None:
            where = f"property {_path_text(shapes, path)}"
        elif targets:
            where = "records: " + ", ".join(sorted(targets))
        else:
            where = "used by other shapes"
        description = _english(list(shapes.objects(s, SH.description))) or ""
        rows.append(f"| `{_short(s)}` | {level} | {_md_cell(where)} | {_md_cell(description)} |")
    out = ["| rule | level | applies to | what it checks |", "|---|---|---|---|", *rows, "",
           "| rule | level | what it checks |", "|---|---|---|"]
    out += [f"| `{rule}` | {level} | {_md_cell(text)} |" for rule, (level, text) in CONTRIBUTION_RULES.items()]
    out.append("| `csv:bad-cell`, `csv:unknown-column` | Violation, Warning | a cell of the CSV template that cannot be "
               "used, or a column the template does not have |")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------------
# inputs: ontology, shapes, published data (cached per process, keyed on file stamps)


def published_files(data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The published data files (see :func:`dipontology.resources.data_files`)."""
    try:
        return resources.data_files(data_dir)
    except FileNotFoundError:
        raise InputError("the data folder does not exist", file=str(data_dir),
                         fix="give the folder that holds the data") from None


def _stamp(paths: Iterable[Path]) -> tuple:
    out = []
    for p in paths:
        st = p.stat()
        out.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(out)


_TRUSTED = Limits(max_bytes=None, max_triples=None, max_literal_chars=None)


_PARSED: dict = {}


@lru_cache(maxsize=4)
def _load_trusted(stamp: tuple) -> tuple[Loaded, ...]:
    """Parse the project's own files; a file whose bytes were parsed before (a copy of the data folder) is reused."""
    out = []
    for p, _m, _s in stamp:
        data = Path(p).read_bytes()
        key = (hashlib.sha256(data).hexdigest(), Path(p).suffix)
        loaded = _PARSED.get(key)
        if loaded is None:
            if len(_PARSED) > 256:
                _PARSED.clear()
            loaded = _PARSED[key] = load_bytes(data, name=p, limits=_TRUSTED, allow_empty=True)
        out.append(replace(loaded, file=p))
    return tuple(out)


def _ontology() -> Loaded:
    return _load_trusted(_stamp([resources.ontology_file()]))[0]


@lru_cache(maxsize=2)
def _shapes_graph(stamp: tuple) -> Graph:
    g = Graph()
    for loaded in _load_trusted(stamp):
        g += loaded.graph
    return bind_all(g)


def shapes_graph() -> Graph:
    """All shapes in ``shapes/*.ttl`` as one graph."""
    files = resources.shapes_files()
    if not files:
        raise InputError("no SHACL shapes found", file=str(resources.root() / "shapes"),
                         fix="reinstall dipontology; shapes/*.ttl ship with it")
    return _shapes_graph(_stamp(files))


@dataclass
class _Published:
    loaded: tuple[Loaded, ...]
    graph: Graph                       # data only
    subjects: dict                     # subject -> Loaded that defines it first


@lru_cache(maxsize=4)
def _published(stamp: tuple) -> _Published:
    loaded = _load_trusted(stamp)
    g = Graph()
    subjects: dict = {}
    for item in loaded:
        g += item.graph
        for s in item.graph.subjects():
            subjects.setdefault(s, item)
    return _Published(loaded, g, subjects)


@dataclass
class _Vocabulary:
    """What the ontology defines: classes, properties, individuals, with their labels."""

    classes: frozenset
    properties: frozenset
    individuals: frozenset
    superclasses: dict  # class -> frozenset of itself and all superclasses

    @property
    def terms(self) -> frozenset:
        return self.classes | self.properties | self.individuals


@lru_cache(maxsize=2)
def _vocabulary(stamp: tuple) -> _Vocabulary:
    onto = _load_trusted(stamp)[0].graph
    dip = str(DIP)
    classes = {s for s in onto.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef) and str(s).startswith(dip)}
    props = {s for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
             for s in onto.subjects(RDF.type, t) if isinstance(s, URIRef) and str(s).startswith(dip)}
    individuals = {s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(dip)}
    individuals -= classes | props
    supers: dict = {}
    for c in {s for s in onto.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}:
        supers[c] = frozenset(onto.transitive_objects(c, RDFS.subClassOf))
    return _Vocabulary(frozenset(classes), frozenset(props), frozenset(individuals), supers)


# --------------------------------------------------------------------------------------------------------------
# the entry point


#: the report on the shipped data, per (data, shapes, ontology) file stamps: validating it again in the same process
#: (the query server, the test suite) reuses it
_SHIPPED_REPORTS: dict = {}


def validate(files: Sequence[str | os.PathLike[str]] | None = None, *, fail_on: str = "Violation",
             data_dir: str | os.PathLike[str] | None = None, limits: Limits | None = None,
             engine: str | None = None, shapes: Sequence[str | os.PathLike[str]] | None = None,
             builtin_shapes: bool = True) -> ValidationReport:
    """Validate the shipped data (no ``files``) or a contribution (``files``) against the project's shapes.

    :param files: contribution files (any RDF format :func:`~dipontology.load.load_file` reads). Without files,
        the published data is validated.
    :param fail_on: the least severe level that makes :meth:`ValidationReport.exit_code` return 1.
    :param data_dir: the published data folder (default: the shipped ``data/``).
    :param limits: bounds for parsing contributions and ``shapes`` files.
    :param engine: the SHACL engine, one of :data:`SHACL_ENGINES`: ``"turbo"`` (pyshacl-turbo, the default) or
        ``"pyshacl"`` (the reference; same findings, much slower). Default: ``$DIPONTOLOGY_SHACL_ENGINE``.
    :param shapes: SHACL files of the user's own (an application profile), parsed with the safe loader and
        checked by :func:`check_shapes`; validated beside the project's shapes.
    :param builtin_shapes: ``False`` validates against ``shapes`` alone: the project's shapes and the contribution
        rules (``contrib:*``) are not applied; what the parse finds (ill-typed literals, parser warnings, shapes or
        imports removed from data) still is.
    :return: the :class:`ValidationReport`.
    :raises InputError: if a file cannot be read or parsed, or a shapes file is refused (with file, line and a fix).
    """
    fail_on = parse_level(fail_on)
    engine = shacl_engine(engine)
    if not builtin_shapes and not shapes:
        raise InputError("no shapes to validate against", fix="give --shapes FILE, or keep the project's shapes")
    started = time.perf_counter()
    profile = _profile(shapes, builtin_shapes, limits, engine)
    data_paths = published_files(data_dir)
    published = _published(_stamp(data_paths))
    if not files:
        key = (_stamp(data_paths), _stamp(resources.shapes_files()), _stamp([resources.ontology_file()]), engine,
               profile.key)
        cached = _SHIPPED_REPORTS.get(key)
        if cached is None:
            cached = validate_graph(published.loaded, fail_on=fail_on, engine=engine, profile=profile)
            cached.seconds = time.perf_counter() - started
            _SHIPPED_REPORTS.clear()
            _SHIPPED_REPORTS[key] = cached
        # a fresh report object each time (callers may change it); the SHACL report graph is shared, read-only
        return ValidationReport([replace(f) for f in cached.findings], files=list(cached.files), fail_on=fail_on,
                                shacl_report=cached.shacl_report, seconds=cached.seconds, triples=cached.triples)
    from .contrib import column_for_path, load_contribution

    contributions: list[Loaded] = []
    conversion: list[Finding] = []
    for f in files:
        loaded, found = load_contribution(f, limits=limits)
        contributions.append(loaded)
        conversion += found
    report = _validate_contribution(contributions, published, fail_on, conversion, engine=engine, profile=profile)
    for finding in report.findings:
        if finding.column is None and finding.file and finding.file.lower().endswith(".csv"):
            chain = finding.focus.split(" / ")
            finding.column = column_for_path(chain[1] if len(chain) > 1 else finding.path) or \
                column_for_path(finding.path)
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _Profile:
    """The shapes one validation applies: the project's (``builtin``), a user's (``extra``), or both."""

    builtin: bool = True
    extra: Graph | None = None
    locate: object = None
    key: tuple = ()
    findings: list = field(default_factory=list)

    def graph(self) -> Graph:
        if self.extra is None:
            return shapes_graph()
        if not self.builtin:
            return self.extra
        return _merged_shapes(self.key)

    def locator(self):
        return self.locate if self.extra is not None else None


_MERGED: dict = {}


def _merged_shapes(key: tuple) -> Graph:
    cached = _MERGED.get(key)
    if cached is None:
        cached = Graph()
        cached += shapes_graph()
        cached += _USER_SHAPES[key][0]
        _MERGED.clear()
        _MERGED[key] = cached
    return cached


_USER_SHAPES: dict = {}


def _profile(paths: Sequence[str | os.PathLike[str]] | None, builtin: bool, limits: Limits | None,
             engine: str) -> _Profile:
    if not paths:
        return _Profile(builtin=True, key=("builtin",))
    stamp = _stamp([Path(p) for p in paths]) if all(Path(p).is_file() for p in paths) else None
    key = (builtin, engine, stamp) if stamp is not None else None
    if key is None or key not in _USER_SHAPES:
        loaded = load_shapes(paths, limits=limits)
        check_shapes(loaded[0], engine, loaded[1])
        if key is None:
            key = (builtin, tuple(map(str, paths)), time.time_ns())
        _USER_SHAPES.clear()
        _USER_SHAPES[key] = loaded
    graph, locate, findings = _USER_SHAPES[key]
    return _Profile(builtin=builtin, extra=graph, locate=locate, key=key, findings=findings)


def validate_graph(loaded: Sequence[Loaded], *, fail_on: str = "Violation", engine: str | None = None,
                   profile: _Profile | None = None) -> ValidationReport:
    """Validate already-loaded files as one data set (the no-files mode of :func:`validate`)."""
    profile = profile or _Profile()
    onto_stamp = _stamp([resources.ontology_file()])
    vocab = _vocabulary(onto_stamp)
    findings: list[Finding] = list(profile.findings)
    data = Graph()
    for item in loaded:
        cleaned, _removed = _clean(item, vocab, findings, contribution=False)
        data += cleaned
    subjects = _subjects_index(loaded)
    findings += _literal_checks(loaded, data)
    if profile.builtin:
        findings += _record_checks(loaded, data, vocab)
    with _ontology_plus(data) as full:
        shacl_findings, report_graph = _run_shacl(full, subjects, set(subjects), engine=engine,
                                                  shapes=profile.graph(), locate=profile.locator())
        findings += shacl_findings
        _describe(findings, full, subjects)
    return ValidationReport(_sorted(_dedupe(findings)), files=[_display(i.file) for i in loaded], fail_on=fail_on,
                            shacl_report=report_graph, triples=len(data))


def _validate_contribution(contributions: list[Loaded], published: _Published, fail_on: str,
                           extra: Sequence[Finding] = (), engine: str | None = None,
                           profile: _Profile | None = None) -> ValidationReport:
    profile = profile or _Profile()
    onto_stamp = _stamp([resources.ontology_file()])
    vocab = _vocabulary(onto_stamp)
    findings: list[Finding] = list(extra) + list(profile.findings)
    contrib = Graph()
    for item in contributions:
        cleaned, _removed = _clean(item, vocab, findings, contribution=profile.builtin)
        contrib += cleaned
    subjects = _subjects_index(contributions)
    own = set(contrib.subjects())
    findings += _literal_checks(contributions, contrib)
    if profile.builtin:
        findings += _record_checks(contributions, contrib, vocab, published=published)
        findings += _collision_checks(contrib, subjects, published, vocab)
        findings += text_hygiene_findings(contrib, subjects)

    # the graph SHACL sees: ontology + contribution + the published records the contribution mentions (what the
    # project's shapes look at); a user's shapes may look anywhere, so with them the whole published graph
    extra = Graph()
    extra += contrib
    extra += _context(contrib, own, published) if profile.extra is None else published.graph
    with _ontology_plus(extra) as full:
        shacl_findings, report_graph = _run_shacl(full, subjects, own, engine=engine, shapes=profile.graph(),
                                                  locate=profile.locator())
        findings += shacl_findings
        _describe(findings, full, subjects)
    return ValidationReport(_sorted(_dedupe(findings)), files=[c.file for c in contributions], fail_on=fail_on,
                            shacl_report=report_graph, triples=len(contrib))


#: links followed from a mentioned published record to bring more published records into view, for shapes that
#: look beyond the value node (the country codes of a place: dipsh:CodeValidityShape; the sourced statements a
#: published record links to, which back those links: dipsh:FactBackedByStatement)
CONTEXT_LINKS = (DIP.withinPlace, *sorted(provenance.STATEMENT_LINKS))
#: links followed backwards from the contribution's records to published records that point at them, for shapes
#: that look at what points at the focus node (the published statements backing a fact of a published record the
#: contribution extends: dipsh:FactBackedByStatement)
CONTEXT_BACKLINKS = (DIP.statedSubject,)


def _context(contrib: Graph, own: set, published: _Published) -> Graph:
    """Published triples a contribution's validation needs: the full description of every published record the
    contribution mentions or that points at the contribution's records by :data:`CONTEXT_BACKLINKS` (and of
    records reached from them by :data:`CONTEXT_LINKS`), and the types and labels of the records those
    descriptions point at (for ``sh:class``)."""
    pub = published.graph
    out = Graph()
    mentioned = {o for o in contrib.objects() if isinstance(o, URIRef)} | {s for s in own if isinstance(s, URIRef)}
    queue = [n for n in mentioned if n in published.subjects]
    queue += [s for o in own if isinstance(o, URIRef) for p in CONTEXT_BACKLINKS for s in pub.subjects(p, o)]
    seen: set = set()
    while queue:
        node = queue.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in pub.triples((node, None, None)):
            out.add(t)
            if isinstance(t[2], BNode):
                copy_closure(pub, t[2], out)
            elif t[1] in CONTEXT_LINKS and t[2] in published.subjects:
                queue.append(t[2])
    for o in set(out.objects()) | mentioned:
        if isinstance(o, URIRef) and o not in seen and o in published.subjects:
            for t in pub.triples((o, RDF.type, None)):
                out.add(t)
            for t in pub.triples((o, RDFS.label, None)):
                out.add(t)
    return out


_BASE: dict = {}


@contextmanager
def _ontology_plus(extra: Graph):
    """The ontology graph (built once per process) with ``extra`` added for the duration of the block."""
    key = _stamp([resources.ontology_file()])
    base = _BASE.get(key)
    if base is None:
        _BASE.clear()
        base = _BASE[key] = _PreparedQueryGraph()
        base += _ontology().graph
    added = [t for t in extra if t not in base]
    base.addN((s, p, o, base) for s, p, o in added)
    try:
        yield base
    finally:
        for t in added:
            base.remove(t)


def _subjects_index(loaded: Sequence[Loaded]) -> dict:
    index: dict = {}
    for item in loaded:
        for s in item.triples_graph().subjects():
            index.setdefault(s, item)
    return index


# --------------------------------------------------------------------------------------------------------------
# cleaning: what a data file may not say


def _clean(item: Loaded, vocab: _Vocabulary, findings: list[Finding], contribution: bool = True) -> tuple[Graph, int]:
    """The file's triples without shapes, imports and (in a contribution) ontology or shape statements; findings
    for what was removed. Published data may annotate ontology terms (mapping sets do), contributions may not."""
    g = item.triples_graph()
    sh_ns, dip_ns, dipsh_ns = str(SH), str(DIP), str(DIPSH)
    shape_subjects = {s for s, p, o in g if str(p).startswith(sh_ns) or (p == RDF.type and str(o).startswith(sh_ns))}
    # blank nodes hanging off shapes (property shapes, lists) go with them
    stack = list(shape_subjects)
    while stack:
        s = stack.pop()
        for o in g.objects(s, None):
            if isinstance(o, BNode) and o not in shape_subjects:
                shape_subjects.add(o)
                stack.append(o)
    out = Graph()
    removed_shapes = removed_imports = 0
    term_statements: dict = {}
    for s, p, o in g:
        if s in shape_subjects or str(p).startswith(sh_ns):
            removed_shapes += 1
            continue
        if p == OWL.imports:
            removed_imports += 1
            findings.append(Finding(
                "Warning", "contrib:imports-ignored", _short(s), path="owl:imports", value=_short(o),
                message=f"owl:imports <{o}> is ignored: dipontology never fetches or opens what data imports",
                fix="remove the owl:imports statement; put the records you need in the file itself",
                file=item.file, line=item.line_of(s)))
            continue
        if contribution and isinstance(s, URIRef) and (str(s).startswith(dip_ns) or str(s).startswith(dipsh_ns)
                                                       or str(s) == ONTOLOGY_IRI):
            term_statements.setdefault(s, 0)
            term_statements[s] += 1
            continue
        out.add((s, p, o))
    if removed_shapes:
        first = min((item.line_of(s) or 0 for s in shape_subjects if isinstance(s, URIRef)), default=0) or None
        findings.append(Finding(
            "Warning", "contrib:shapes-ignored", item.file, value=f"{removed_shapes} statements",
            message=f"{removed_shapes} SHACL statements (sh: terms) were removed: data cannot add, replace or switch "
                    "off the project's shapes",
            fix="remove the shapes from the file; propose shape changes in an issue instead",
            file=item.file, line=first))
    for term, n in term_statements.items():
        findings.append(Finding(
            "Violation", "contrib:ontology-change", _short(term), value=f"{n} statements",
            message=f"{n} statements about the ontology term {_short(term)} were ignored: data files cannot define "
                    "or change ontology terms or shapes",
            fix="remove them; propose new or changed terms in an issue against ontology/dipontology.ttl",
            file=item.file, line=item.line_of(term)))
    for line, text in item.warnings:
        findings.append(Finding("Warning", "contrib:parser-warning", item.file, message=text,
                                fix="define the key in the @context or remove it", file=item.file, line=line))
    return out, removed_shapes + removed_imports


# --------------------------------------------------------------------------------------------------------------
# record checks: namespaces, terms, literals (for the published data and contributions alike)


def _record_checks(loaded: Sequence[Loaded], g: Graph, vocab: _Vocabulary,
                   published: _Published | None = None) -> list[Finding]:
    findings: list[Finding] = []
    where = _subjects_index(loaded)
    dip_ns = str(DIP)

    def place(s):
        item = where.get(s)
        return (item.file, item.line_of(s)) if item else (None, None)

    # records outside our namespaces
    for s in set(g.subjects()):
        if not isinstance(s, URIRef) or str(s).startswith(RECORD_NAMESPACES + (dip_ns, str(DIPSH))):
            continue
        if published is not None and s in published.subjects:
            continue
        kind = _kind_for(g, s, vocab)
        slug = _slugify(str(s).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]) or "my-record"
        file, line = place(s)
        findings.append(Finding(
            "Violation", "contrib:outside-namespace", _short(s), value=f"<{s}>",
            message=f"the record <{s}> is outside the project's record namespaces "
                    "(https://w3id.org/dipontology/id/<kind>/<slug>), so it cannot be published",
            fix=f"mint it as {kind}:{slug} (<{PREFIXES[kind]}{slug}>): lowercase words joined by hyphens",
            file=file, line=line))

    # unknown or misused dip: terms, unknown terms of well-known vocabularies, ill-typed literals
    reported: set = set()
    for s, p, o in g:
        for term, role in ((p, "property"), (o, "class" if p == RDF.type else "value")):
            if not isinstance(term, URIRef):
                continue
            key = (s, term)
            if key in reported:
                continue
            finding = _term_finding(term, role, vocab)
            if finding is None:
                continue
            reported.add(key)
            level, rule, message, fix = finding
            file, line = place(s)
            findings.append(Finding(level, rule, _focus_text(g, s), path=_short(p),
                                    value=None if role == "property" else _short(term), message=message,
                                    fix=fix, file=file, line=line))
    return findings


# --------------------------------------------------------------------------------------------------------------
# literals: judged on the lexical form as written


#: XSD types whose lexical forms rdflib does not check (it gives them no value): pyoxigraph's casts do
_OX_CHECKED = frozenset(XSD[t] for t in ("gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay", "duration",
                                         "yearMonthDuration", "dayTimeDuration", "time"))


def ill_typed(literals: Iterable[Literal]) -> set[Literal]:
    """The literals whose text is not in the lexical space of their XSD datatype, judged on the text as written
    (the loader keeps it: rdflib alone would rewrite ``"none"^^xsd:boolean`` to ``"false"``).

    rdflib checks most types (numbers with the ranges of derived types such as ``xsd:byte``, booleans, dates);
    pyoxigraph's XSD casts check the calendar and duration types rdflib leaves unchecked (``xsd:gYear``). A valid
    literal of a derived type (``"3"^^xsd:int``) is well typed.

    >>> XSD_ = "http://www.w3.org/2001/XMLSchema#"
    >>> lits = [Literal(t, datatype=URIRef(XSD_ + d), normalize=False)
    ...         for t, d in [("none", "boolean"), ("19x5", "gYear"), ("1995", "gYear"), ("3", "int"), ("300", "byte")]]
    >>> sorted(str(x) for x in ill_typed(lits))
    ['19x5', '300', 'none']
    """
    bad: set[Literal] = set()
    by_type: dict = {}
    for lit in set(literals):
        if not isinstance(lit, Literal) or lit.datatype is None or not str(lit.datatype).startswith(str(XSD)):
            continue
        if lit.ill_typed:
            bad.add(lit)
        elif lit.ill_typed is None and lit.datatype in _OX_CHECKED:
            by_type.setdefault(lit.datatype, []).append(lit)
    if by_type:
        import pyoxigraph as ox

        store = ox.Store()
        for dt, lits in by_type.items():
            values = " ".join(json.dumps(str(x)) for x in lits)
            query = f"SELECT ?t WHERE {{ VALUES ?t {{ {values} }} FILTER(!COALESCE(isLiteral(<{dt}>(?t)), false)) }}"
            wrong = {row["t"].value for row in store.query(query)}
            bad.update(x for x in lits if str(x) in wrong)
    return bad


def _literal_checks(loaded: Sequence[Loaded], g: Graph) -> list[Finding]:
    """A finding for every ill-typed literal (:func:`ill_typed`), at the line where the literal is written."""
    wrong = ill_typed(o for o in g.objects() if isinstance(o, Literal))
    if not wrong:
        return []
    where = _subjects_index(loaded)
    findings = []
    for s, p, o in g:
        if o not in wrong:
            continue
        item = where.get(s)
        line = item.line_of(s) if item else None
        findings.append(Finding(
            "Violation", "contrib:ill-typed-literal", _focus_text(g, s), path=_short(p), value=_n3(o),
            message=f"{_n3(o)} is not a valid {_short(o.datatype)} value",
            fix=_datatype_fix(o.datatype), file=item.file if item else None,
            line=_literal_line(item.file, line, str(o)) if item else None))
    return findings


def _literal_line(file: str | None, start: int | None, text: str) -> int | None:
    """The first line at or after ``start`` (the record's line) where ``"text"`` is written; else ``start``."""
    if not file or not start:
        return start
    try:
        lines = Path(file).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return start
    quoted = (json.dumps(text, ensure_ascii=False), f"'{text}'", f">{text}<")
    for i in range(start - 1, len(lines)):
        if any(q in lines[i] for q in quoted):
            return i + 1
    return start


# --------------------------------------------------------------------------------------------------------------
# text hygiene: what a contributed text may not hide


#: properties whose text is shown as a name (checked for mixed-script words as well)
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, DCTERMS.title, FOAF.name)
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"}
#: alphabets whose letters look alike; a word mixing two of them is a likely spoof
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")


def _is_control(ch: str) -> bool:
    o = ord(ch)
    return (o < 0x20 and ch not in "\t\n\r") or 0x7F <= o <= 0x9F


def _char_name(ch: str) -> str:
    import unicodedata

    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character' if _is_control(ch) else 'unnamed')}"


def visible(text: str) -> str:
    """``text`` with control, bidirectional and zero-width characters written as ``\\uXXXX`` escapes, so that a
    report printed in a terminal or a page shows them instead of obeying them.

    >>> visible("Oslo\\u202e\\x1b[31m")
    'Oslo\\\\u202e\\\\u001b[31m'
    """
    if all(" " <= ch < "\x7f" for ch in text):
        return text
    return "".join(f"\\u{ord(ch):04x}" if (_is_control(ch) and ch != "\n") or ch in _BIDI or ch in _ZERO_WIDTH
                   else ch for ch in text)


def _scripts_of(word: str) -> dict[str, list[str]]:
    import unicodedata

    scripts: dict[str, list[str]] = {}
    for ch in word:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        script = next((sc for sc in _CONFUSABLE_SCRIPTS if name.startswith(sc + " ")), None)
        if script is not None:
            scripts.setdefault(script, []).append(ch)
    return scripts


def text_hygiene(text: str, label: bool = True) -> list[tuple[str, str, str]]:
    """Problems hidden in one text: ``(rule, message, fix)`` for control characters and terminal escapes,
    bidirectional overrides, zero-width characters and (for labels) words mixing look-alike alphabets.

    >>> [r for r, _m, _f in text_hygiene("Oslo\\u202eback channel")]
    ['contrib:bidi-control']
    >>> [r for r, _m, _f in text_hygiene("\\u041eslo back channel")]  # Cyrillic O + Latin slo
    ['contrib:mixed-script']
    >>> text_hygiene("Ginebra, Genève, Женева") == []
    True
    """
    found: list[tuple[str, str, str]] = []
    controls = sorted({ch for ch in text if _is_control(ch)})
    if controls:
        esc = "\x1b" in text or "\x9b" in text
        what = "a terminal escape sequence (ESC)" if esc else "control characters"
        found.append(("contrib:control-character",
                      f"the text contains {what}: " + ", ".join(_char_name(c) for c in controls)
                      + "; printed in a terminal or shown on a page it can hide or change what is displayed",
                      "retype the text without them (only tab, newline and carriage return are allowed)"))
    bidi = sorted({ch for ch in text if ch in _BIDI})
    if bidi:
        found.append(("contrib:bidi-control",
                      "the text contains bidirectional control characters (" + ", ".join(_char_name(c) for c in bidi)
                      + ") that reorder how it is displayed, so readers see something other than what it says",
                      "remove them; right-to-left scripts display correctly without them"))
    zero = sorted({ch for ch in text if ch in _ZERO_WIDTH})
    if zero:
        found.append(("contrib:invisible-character",
                      "the text contains invisible zero-width characters (" + ", ".join(_char_name(c) for c in zero)
                      + "): two texts that look the same then differ, which defeats search and duplicate checks",
                      "delete them (retype the word where they sit)"))
    if label:
        for word in re.findall(r"\w+", text):
            scripts = _scripts_of(word)
            if len(scripts) > 1:
                names = " and ".join(sc.title() for sc in sorted(scripts, key=lambda sc: -len(scripts[sc]))[:2])
                main = max(scripts, key=lambda sc: len(scripts[sc]))
                odd = sorted({c for sc, cs in scripts.items() if sc != main for c in cs})
                found.append(("contrib:mixed-script",
                              f"the word {visible(word)!r} mixes {names} letters ("
                              + ", ".join(_char_name(c) for c in odd) + "): it looks like a "
                              f"{main.title()} word but is spelt differently, so it cannot be found or matched",
                              f"retype the word in {main.title()} letters only"))
                break
    return found


def text_hygiene_findings(g: Graph, where: dict) -> list[Finding]:
    """Findings for every string literal of ``g`` with hidden characters (:func:`text_hygiene`)."""
    findings: list[Finding] = []
    for s, p, o in g:
        if not isinstance(o, Literal):
            continue
        problems = text_hygiene(str(o), label=p in LABEL_PROPERTIES)
        if not problems:
            continue
        item = where.get(s)
        for rule, message, fix in problems:
            findings.append(Finding(CONTRIBUTION_RULES[rule][0], rule, _focus_text(g, s), path=_short(p),
                                    value=visible(_n3(o)), message=message, fix=fix,
                                    file=item.file if item else None, line=item.line_of(s) if item else None))
    return findings


def _term_finding(term: URIRef, role: str, vocab: _Vocabulary) -> tuple[str, str, str, str] | None:
    text = str(term)
    if text.startswith(str(DIP)):
        if term not in vocab.terms:
            pool = {"property": vocab.properties, "class": vocab.classes}.get(role, vocab.individuals)
            return ("Violation", "contrib:unknown-term", f"{_short(term)} is not a term of the dipontology ontology",
                    _did_you_mean(term, pool, vocab.terms))
        if role == "property" and term not in vocab.properties:
            what = "a class" if term in vocab.classes else "an individual"
            fix = _did_you_mean(term, vocab.properties, vocab.properties, always=True)
            if not fix.startswith("did you mean"):
                fix = (f"a class goes after 'a' (rdf:type {_short(term)}); here use a dip: property"
                       if term in vocab.classes else f"use {_short(term)} as a value, after a dip: property")
            return ("Violation", "contrib:term-misuse", f"{_short(term)} is {what}, used here as a property", fix)
        if role == "class" and term not in vocab.classes:
            what = "a property" if term in vocab.properties else "an individual, not a class"
            return ("Violation", "contrib:term-misuse", f"{_short(term)} is {what}, used here as a class (rdf:type)",
                    _did_you_mean(term, vocab.classes, vocab.classes, always=True))
        return None
    for ns in _CHECKED_VOCABULARIES:
        if text.startswith(str(ns)):
            local = text[len(str(ns)):]
            if not local or term in ns or (ns is RDF and re.fullmatch(r"_[1-9][0-9]*", local)):
                return None
            names = [str(ns) + n for n in getattr(ns, "__annotations__", {})]
            close = difflib.get_close_matches(text, names, n=1, cutoff=0.75) or \
                difflib.get_close_matches(text.lower(), names, n=1, cutoff=0.75)
            fix = f"did you mean {_short(URIRef(close[0]))}?" if close else \
                f"use a term that {ns} defines, or a dip: term"
            return ("Warning", "contrib:unknown-vocabulary-term",
                    f"{_short(term)} is not a term of {_VOCABULARY_NAMES.get(str(ns), str(ns))}", fix)
    return None


def _did_you_mean(term: URIRef, pool: Iterable[URIRef], everything: Iterable[URIRef], always: bool = False) -> str:
    local = str(term)[len(str(DIP)):]
    names = {str(t)[len(str(DIP)):]: t for t in pool}
    lowered = {n.lower(): n for n in names}
    close = [lowered[c] for c in difflib.get_close_matches(local.lower(), list(lowered), n=3, cutoff=0.6)]
    if not close and not always:
        names_all = {str(t)[len(str(DIP)):]: t for t in everything}
        low_all = {n.lower(): n for n in names_all}
        close = [low_all[c] for c in difflib.get_close_matches(local.lower(), list(low_all), n=3, cutoff=0.6)]
    if close:
        ratios = [difflib.SequenceMatcher(None, local.lower(), c.lower()).ratio() for c in close]
        keep = [c for c, r in zip(close, ratios) if r >= max(ratios) - 0.05][:2]
        options = " or ".join(f"dip:{c}" for c in keep)
        return f"did you mean {options}?"
    return "use a term defined in the ontology (see docs/ontology.md); propose new terms in an issue"


def _kind_for(g: Graph, s: URIRef, vocab: _Vocabulary) -> str:
    types = set(g.objects(s, RDF.type))
    for cls, kind in _KIND_FOR_CLASS:
        for t in types:
            if cls in vocab.superclasses.get(t, {t}) or t == cls:
                return kind
    return "case"


def _slugify(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _datatype_fix(dt: URIRef | None) -> str:
    if dt == XSD.date:
        return 'write a real calendar date as YYYY-MM-DD, e.g. "1993-08-20"^^xsd:date'
    if dt == XSD.gYear:
        return 'write the year with four digits, e.g. "1993"^^xsd:gYear'
    if dt == XSD.gYearMonth:
        return 'write year and month as YYYY-MM, e.g. "1993-08"^^xsd:gYearMonth'
    if dt in (XSD.integer, XSD.int, XSD.decimal, XSD.nonNegativeInteger):
        return "write a number without quotes or units"
    return f"write the value in the lexical form of {_short(dt) if dt else 'its datatype'}"


# --------------------------------------------------------------------------------------------------------------
# collisions with published records


def _collision_checks(contrib: Graph, where: dict, published: _Published, vocab: _Vocabulary) -> list[Finding]:
    findings: list[Finding] = []
    pub = published.graph
    published_labels: dict = {}
    for s, label in pub.subject_objects(RDFS.label):
        if isinstance(s, URIRef) and isinstance(label, Literal):
            published_labels.setdefault(_norm(label), []).append(s)
    novel = novel_statements(contrib, pub)
    for s in sorted({s for s in contrib.subjects() if isinstance(s, URIRef)}, key=str):
        item = where.get(s)
        file, line = (item.file, item.line_of(s)) if item else (None, None)
        if s in published.subjects:
            pub_types = set(pub.objects(s, RDF.type))
            pub_closure = set().union(*(vocab.superclasses.get(t, {t}) for t in pub_types)) if pub_types else set()
            new_types = set(contrib.objects(s, RDF.type)) - pub_closure
            collided = False
            if new_types and pub_types:
                collided = True
                findings.append(Finding(
                    "Violation", "contrib:type-collision", _short(s), path="rdf:type",
                    value=", ".join(sorted(_short(t) for t in new_types)),
                    message=f"{_short(s)} already names a published record of type "
                            f"{', '.join(sorted(_short(t) for t in pub_types))}; this file says it is a "
                            f"{', '.join(sorted(_short(t) for t in new_types))}. Published records are never "
                            "overwritten",
                    fix=f"give your record a new IRI (a new slug), or refer to {_short(s)} without redefining it",
                    file=file, line=line))
            for label in contrib.objects(s, RDFS.label):
                if not isinstance(label, Literal):
                    continue
                same_lang = [p for p in pub.objects(s, RDFS.label)
                             if isinstance(p, Literal) and p.language == label.language]
                if same_lang and label not in same_lang:
                    collided = True
                    findings.append(Finding(
                        "Violation", "contrib:label-collision", _short(s), path="rdfs:label", value=_n3(label),
                        message=f"{_short(s)} already names the published record {_n3(same_lang[0])}; this file "
                                f"labels it {_n3(label)}. Published records are never overwritten",
                        fix=f"if you mean a different record, give it a new IRI; if you mean {_n3(same_lang[0])}, "
                            "drop your label (or propose the new label in an issue)",
                        file=file, line=line))
            if not collided:
                n = len(list(novel.triples((s, None, None))))
                if n:
                    findings.append(Finding(
                        "Info", "contrib:extends-published", _short(s), value=f"{n} statements",
                        message=f"the contribution adds {n} statements to the published record {_short(s)}",
                        fix="no change needed; a maintainer reviews additions to published records",
                        file=file, line=line))
            continue
        for label in contrib.objects(s, RDFS.label):
            if not isinstance(label, Literal):
                continue
            for other in published_labels.get(_norm(label), []):
                if other != s and _same_kind(contrib, s, pub, other, vocab):
                    findings.append(Finding(
                        "Warning", "contrib:possible-duplicate", _short(s), path="rdfs:label", value=_n3(label),
                        message=f"the new record {_short(s)} has the same label as the published record "
                                f"{_short(other)}",
                        fix=f"if they are the same, refer to {_short(other)} instead of minting a new record",
                        file=file, line=line))
                    break
    return findings


def novel_statements(contrib: Graph, published: Graph) -> Graph:
    """The part of ``contrib`` the published graph does not already say.

    A ground triple is new if the published graph lacks it; a blank-node statement (a participation, a track
    classification written inline) is new unless the same subject and property already lead to a blank node with
    the same description.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='<https://e.org/a> <https://e.org/p> [ <https://e.org/q> 1 ], 2 .', format="turtle")
    >>> len(novel_statements(g, g)), len(novel_statements(g, Graph()))
    (0, 3)
    """
    out = Graph()
    for s, p, o in contrib:
        if isinstance(s, BNode):
            continue
        if isinstance(o, BNode):
            signature = _bnode_signature(contrib, o)
            if any(isinstance(x, BNode) and _bnode_signature(published, x) == signature
                   for x in published.objects(s, p)):
                continue
            out.add((s, p, o))
            copy_closure(contrib, o, out)
        elif (s, p, o) not in published:
            out.add((s, p, o))
    return out


def _bnode_signature(g: Graph, node: BNode, depth: int = 0) -> frozenset:
    if depth > 8:
        return frozenset()
    return frozenset((p, _bnode_signature(g, o, depth + 1) if isinstance(o, BNode) else o)
                     for p, o in g.predicate_objects(node))


def _norm(label: Literal) -> str:
    return re.sub(r"\s+", " ", str(label)).strip().casefold()


def _same_kind(g1: Graph, s1, g2: Graph, s2, vocab: _Vocabulary) -> bool:
    return _kind_for(g1, s1, vocab) == _kind_for(g2, s2, vocab)


# --------------------------------------------------------------------------------------------------------------
# SHACL: the engines, what they refuse, and the findings they give


#: the SHACL engines :func:`validate` offers, the default first: ``turbo`` is pyshacl-turbo (a maintained Rust
#: engine with pySHACL's interface), ``pyshacl`` is pySHACL (the reference; much slower on SPARQL constraints).
#: Both pass the W3C SHACL test suite (core and SPARQL) but for the limits in :data:`ENGINE_LIMITS`
#: (tests/test_validate_w3c.py).
SHACL_ENGINES = ("turbo", "pyshacl")
ENGINE_TITLES = {"turbo": "pyshacl-turbo", "pyshacl": "pySHACL"}

#: what an engine cannot run, declared: a shapes graph that needs it is refused with an error (exit 2) before the
#: engine sees it, never validated wrongly. engine -> (what, why) pairs; :func:`check_shapes` tests each.
ENGINE_LIMITS: dict[str, tuple[tuple[str, str], ...]] = {
    "turbo": (),
    "pyshacl": (
        ("shapes-graph", "$shapesGraph in a SPARQL constraint: pySHACL 0.40 does not support it"),
        ("numeric-boolean", 'sh:uniqueLang written other than "true" or "false" (such as "1"^^xsd:boolean): '
                            "pySHACL reads it as true, SHACL applies the constraint only on true"),
    ),
}

#: SHACL Advanced Features and SHACL-JavaScript: neither engine runs them here (``advanced`` is off, rules would
#: change the data), so a shapes graph that uses them is refused instead of silently validated without them
_ADVANCED_PREDICATES = (SH.rule, SH.target, SH.js, SH.jsFunctionName, SH.jsLibrary, SH.condition)
_ADVANCED_CLASSES = (SH.SPARQLTarget, SH.SPARQLTargetType, SH.JSTarget, SH.JSTargetType, SH.JSConstraint,
                     SH.JSConstraintComponent, SH.SPARQLFunction, SH.JSFunction, SH.SPARQLRule, SH.TripleRule,
                     SH.JSRule, SH.Function)
_SPARQL_TEXTS = (SH.select, SH.ask, SH.construct, SH.update)


def shacl_engine(engine: str | None = None) -> str:
    """The SHACL engine to use: ``engine``, else ``$DIPONTOLOGY_SHACL_ENGINE``, else ``"turbo"``.

    >>> shacl_engine("pyshacl"), shacl_engine(None) in SHACL_ENGINES
    ('pyshacl', True)
    """
    engine = (engine or os.environ.get("DIPONTOLOGY_SHACL_ENGINE") or SHACL_ENGINES[0]).strip().lower()
    if engine not in SHACL_ENGINES:
        raise InputError(f"unknown SHACL engine {engine!r}",
                         fix="use " + " or ".join(f"--engine {e}" for e in SHACL_ENGINES))
    return engine


def _locator(loaded: Sequence[Loaded]):
    """node -> (file, line) over the files a shapes graph came from."""
    def locate(node) -> tuple[str | None, int | None]:
        if node is None:
            return ", ".join(item.file for item in loaded) or None, None
        for item in loaded:
            line = item.line_of(node)
            if line is not None:
                return item.file, line
        return (loaded[0].file, None) if len(loaded) == 1 else (None, None)
    return locate


def check_shapes(shapes: Graph, engine: str | None = None, locate=None) -> None:
    """Refuse a shapes graph that would make an engine reach the network or validate wrongly.

    Refused for every engine: ``SERVICE`` (and ``FROM``, updates) in a SPARQL text, judged on the parsed query so
    an escaped keyword does not slip past; SHACL Advanced Features and SHACL-JavaScript. Refused for one engine:
    what :data:`ENGINE_LIMITS` declares. (``owl:imports`` is never followed by either engine: see
    :func:`load_shapes`.)

    :param locate: ``node -> (file, line)`` for the messages (see :func:`load_shapes`).
    :raises InputError: naming the file and line of the offending shape and the fix.

    >>> g = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ... ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select
    ...   "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/> { $this ?p ?o } }" ] .''', format="turtle")
    >>> try:
    ...     check_shapes(g)
    ... except InputError as e:
    ...     print(e.message)
    SERVICE (a federated query to another endpoint) is not allowed in a SHACL shape: nothing is ever fetched
    """
    from .store import check_query

    engine = shacl_engine(engine)
    locate = locate or (lambda node: (None, None))

    def refuse(node, message: str, fix: str):
        file, line = locate(_owner(shapes, node))
        raise InputError(message, file=file, line=line, fix=fix)

    for p in _ADVANCED_PREDICATES:
        for s in shapes.subjects(p, None):
            refuse(s, f"{_short(p)} is a SHACL Advanced Features or SHACL-JS construct, which validate does not run",
                   "express the constraint in SHACL Core or a SPARQL-based constraint (sh:sparql)")
    for c in _ADVANCED_CLASSES:
        for s in shapes.subjects(RDF.type, c):
            refuse(s, f"{_short(c)} is a SHACL Advanced Features or SHACL-JS construct, which validate does not run",
                   "express the constraint in SHACL Core or a SPARQL-based constraint (sh:sparql)")
    header = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in _declared_prefixes(shapes))
    limits = {name for name, _why in ENGINE_LIMITS[engine]}
    for p in _SPARQL_TEXTS:
        for s, text in shapes.subject_objects(p):
            source = _short(s) if isinstance(s, URIRef) else "a SPARQL constraint"
            try:
                if p == SH.update:
                    raise InputError("SPARQL updates in shapes are not run")
                check_query(header + str(text), source=source)
            except InputError as exc:
                message, fix = exc.message, exc.fix or "correct the SPARQL text of the constraint"
                if "SERVICE" in message:
                    message = "SERVICE (a federated query to another endpoint) is not allowed in a SHACL shape: " \
                              "nothing is ever fetched"
                    fix = "remove the SERVICE clause: the constraint can only look at the data being validated"
                refuse(s, message, fix)
            if "shapes-graph" in limits and re.search(r"[?$]shapesGraph\b", str(text)):
                refuse(s, f"{ENGINE_TITLES[engine]} cannot run this shape: {_limit_text(engine, 'shapes-graph')}",
                       "use --engine turbo")
    if "numeric-boolean" in limits:
        for s, p, o in shapes:
            if p == SH.uniqueLang and isinstance(o, Literal) and str(o) not in ("true", "false"):
                refuse(s, f"{ENGINE_TITLES[engine]} cannot run this shape: {_limit_text(engine, 'numeric-boolean')}",
                       'write "true" or "false" (or use --engine turbo)')


def _limit_text(engine: str, name: str) -> str:
    return dict(ENGINE_LIMITS[engine])[name]


def _owner(g: Graph, node):
    """The named node a blank node hangs from (the shape that holds an anonymous constraint), else ``node``."""
    seen = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parent = next(iter(g.subjects(None, node)), None)
        if parent is None:
            break
        node = parent
    return node


def _declared_prefixes(shapes: Graph) -> list[tuple[str, str]]:
    out = []
    for decl in shapes.objects(None, SH.declare):
        prefix, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
        if prefix is not None and ns is not None and re.fullmatch(r"[A-Za-z][\w.-]*|", str(prefix)) \
                and not re.search(r"[<>\s]", str(ns)):
            out.append((str(prefix), str(ns)))
    return sorted(set(out))


def load_shapes(paths: Sequence[str | os.PathLike[str]], *,
                limits: Limits | None = None) -> tuple[Graph, object, list[Finding]]:
    """Parse a user's shapes files with the safe loader (size limits, no remote contexts or entities) into one
    graph, with the prefixes they declare bound. ``owl:imports`` is never followed (by the loader or the engines):
    each one gives a Warning finding naming its file and line.

    :return: the graph, a ``node -> (file, line)`` function for messages, and the findings.
    :raises InputError: if a file cannot be read or parsed, or has no shapes.
    """
    from .load import load_file

    loaded = [load_file(p, limits=limits) for p in paths]
    g = Graph()
    findings = []
    for item in loaded:
        for s, o in item.triples_graph().subject_objects(OWL.imports):
            findings.append(Finding(
                "Warning", "contrib:imports-ignored", _short(s), path="owl:imports", value=_short(o),
                message=f"owl:imports <{o}> in a shapes file is not followed: dipontology never fetches or opens "
                        "what shapes import, so only the shapes in the files given are applied",
                fix="give the imported shapes file as one more --shapes FILE (and drop the owl:imports)",
                file=item.file, line=item.line_of(s)))
        g += item.triples_graph()
        for prefix, ns in item.prefixes.items():
            if prefix and ns:
                g.bind(prefix, ns, override=False)
        if not any(str(p).startswith(str(SH)) or (p == RDF.type and str(o).startswith(str(SH)))
                   for _s, p, o in item.triples_graph()):
            raise InputError("the file has no SHACL shapes (no sh: statements)", file=item.file,
                             fix="give a SHACL shapes file (Turtle with sh:NodeShape / sh:PropertyShape)")
    return g, _locator(loaded), findings


_PREPARED: dict = {}


class _PreparedQueryGraph(Graph):
    """An rdflib graph that parses each SPARQL text once.

    pySHACL sends the text of a SPARQL-based constraint to the data graph once per focus node, and parsing it is
    over 90 % of the run time (ENGINE-NOTES); the texts come only from shapes that passed :func:`check_shapes`, so
    each is parsed once per process and the prepared query is reused with the focus node as an initial binding.
    """

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        if isinstance(query_object, str) and processor == "sparql":
            if initNs is None:  # as rdflib's Graph.query: the graph's own prefixes
                initNs = dict(self.namespaces())
            key = (query_object, tuple(sorted((initNs or {}).items())))
            prepared = _PREPARED.get(key)
            if prepared is None:
                prepared = _PREPARED[key] = prepareQuery(query_object, initNs=dict(initNs or {}))
            query_object = prepared
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


_TURBO_PROGRAMS: dict = {}


def _turbo_program(shapes: Graph):
    """pyshacl-turbo's compiled shapes for ``shapes`` (kept while the graph object and its size are unchanged).

    The shapes go in as N-Triples bytes, not as an rdflib graph: handed a graph, pyshacl-turbo copies pySHACL's
    reading of ``"1"^^xsd:boolean`` as true (W3C test core/property/uniqueLang-002); handed text, it follows SHACL.
    """
    from pyshacl_turbo import compile_shapes

    key = id(shapes)
    cached = _TURBO_PROGRAMS.get(key)
    if cached is not None and cached[0] is shapes and cached[1] == len(shapes):
        return cached[2]
    program = compile_shapes(shapes.serialize(format="nt", encoding="utf-8"), shacl_graph_format="nt")
    if len(_TURBO_PROGRAMS) > 8:
        _TURBO_PROGRAMS.clear()
    _TURBO_PROGRAMS[key] = (shapes, len(shapes), program)
    return program


def shacl_report(data: Graph, shapes: Graph, engine: str | None = None, locate=None) -> tuple[bool, Graph]:
    """Validate ``data`` against ``shapes`` with one engine: ``(conforms, SHACL validation report graph)``.

    The shapes graph is always the one given (never taken from the data), checked first by :func:`check_shapes`;
    no inference, no SHACL Advanced Features, nothing fetched. ``conforms`` is SHACL's (any result, whatever its
    severity, makes it false).

    :raises InputError: if the shapes are refused (by :func:`check_shapes` or by the engine itself), naming the
        file and line where ``locate`` knows them.
    """
    engine = shacl_engine(engine)
    check_shapes(shapes, engine, locate)
    conforms, results = False, None
    try:
        if engine == "turbo":
            import pyshacl_turbo

            try:
                with _quiet_rdflib():  # the report's ill-typed values, made rdflib literals again
                    conforms, results, _text = _turbo_program(shapes).validate(data)
            except pyshacl_turbo.ValidationFailure as failure:
                results = str(failure)
        else:
            from pyshacl import validate as shacl_validate

            if not isinstance(data, _PreparedQueryGraph):
                prepared = _PreparedQueryGraph()
                prepared += data
                for prefix, ns in data.namespaces():
                    prepared.bind(prefix, ns, override=True)
                data = prepared
            with _quiet_rdflib(), _quiet_pyshacl():
                conforms, results, _text = shacl_validate(data, shacl_graph=shapes, inference="none",
                                                          advanced=False, inplace=True)
    except (ValueError, TypeError, KeyError, RuntimeError, NotImplementedError, SyntaxError) as exc:
        results = f"{type(exc).__name__}: {exc}"
    if not isinstance(results, Graph):  # the engine refused: a broken shape, a forbidden SPARQL form
        raise InputError(f"{ENGINE_TITLES[engine]} refused the shapes: {results}",
                         file=locate(None)[0] if locate else None, fix="correct the shape the message names")
    return bool(conforms), results


@contextmanager
def _quiet_pyshacl():
    """pySHACL logs every constraint it ignores or cannot load as a warning; the report says what matters."""
    import logging

    logger = logging.getLogger("pyshacl")
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(old)


def _run_shacl(data: Graph, where: dict, focus: set, engine: str | None = None, shapes: Graph | None = None,
               locate=None) -> tuple[list[Finding], Graph]:
    shapes = shapes if shapes is not None else shapes_graph()
    _conforms, results = shacl_report(data, shapes, engine, locate)
    findings: list[Finding] = []
    kept = Graph()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        node = results.value(result, SH.focusNode)
        if node not in focus:
            continue
        for t in _closure(results, result):
            kept.add(t)
        shape = results.value(result, SH.sourceShape)
        component = results.value(result, SH.sourceConstraintComponent)
        severity = results.value(result, SH.resultSeverity)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        # an engine may give the shape's sh:message beside the constraint's own (pyshacl-turbo does for SPARQL
        # constraints): the constraint's, more specific, is the one shown, as pySHACL shows it
        general = {str(m) for m in shapes.objects(shape, SH.message)}
        messages = list(results.objects(result, SH.resultMessage))
        message = _english([m for m in messages if str(m) not in general] or messages) or \
            _english(list(shapes.objects(shape, SH.message))) or f"fails {_short(component)}"
        message = _IRI_IN_TEXT.sub(lambda m: _short(URIRef(m.group())), message)
        fix = _english(list(shapes.objects(shape, DIPSH_FIX)))
        if not fix and component in _GENERIC_FIX:
            fix = _GENERIC_FIX[component].format(path=_path_text(results, path) or "the")
        level = str(severity).rsplit("#", 1)[-1] if severity else "Violation"
        item = where.get(node)
        findings.append(Finding(
            level if level in _RANK else "Violation",
            _short(shape) if isinstance(shape, URIRef) else "(anonymous shape)",
            _focus_text(data, node), path=_path_text(results, path), value=_n3(value) if value is not None else None,
            message=message, fix=fix, file=item.file if item else None, line=item.line_of(node) if item else None))
    # a report graph holding only the kept results
    report = Graph()
    report.add((BNode("report"), RDF.type, SH.ValidationReport))
    has_violation = False
    for result in kept.subjects(RDF.type, SH.ValidationResult):
        report.add((BNode("report"), SH.result, result))
        if kept.value(result, SH.resultSeverity) == SH.Violation:
            has_violation = True
    report += kept
    report.add((BNode("report"), SH.conforms, Literal(not has_violation)))
    return findings, report


_IRI_IN_TEXT = re.compile(r"https?://[^\s<>\"'{}|\\^`()]+[^\s<>\"'{}|\\^`().,;:]")


def _closure(g: Graph, node) -> list:
    out, stack, seen = [], [node], set()
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        for t in g.triples((n, None, None)):
            out.append(t)
            if isinstance(t[2], BNode):
                stack.append(t[2])
    return out


def _english(values: list) -> str | None:
    lits = [v for v in values if isinstance(v, Literal)]
    for v in lits:
        if v.language in ("en", None):
            return str(v)
    return str(lits[0]) if lits else None


def _path_text(g: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _short(path)
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + (_path_text(g, inverse) or "?")
    return "(complex path)"


# --------------------------------------------------------------------------------------------------------------
# rendering terms, labels, ordering


_NS = sorted(((iri, prefix) for prefix, iri in PREFIXES.items()), key=lambda x: -len(x[0]))


def _short(term) -> str:
    """Compact IRI with the project's prefixes (``case:oslo``), or ``<iri>``; blank nodes as ``_:id``."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:" + str(term)
    text = str(term)
    for iri, prefix in _NS:
        if text.startswith(iri):
            local = text[len(iri):]
            if re.fullmatch(r"[A-Za-z0-9_][\w.\-]*", local or "x") and not local.endswith("."):
                return f"{prefix}:{local}"
    return f"<{text}>" if isinstance(term, URIRef) else text


def _n3(term) -> str:
    if isinstance(term, Literal):
        text = json.dumps(str(term), ensure_ascii=False)
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{_short(term.datatype)}"
        return text
    return _short(term)


def _focus_text(g: Graph, node) -> str:
    """``case:oslo`` for an IRI; for an anonymous node, the record that holds it and the property: ``case:oslo /
    dip:hasParticipation``."""
    if not isinstance(node, BNode):
        return _short(node)
    chain: list[str] = []
    current, seen = node, set()
    while isinstance(current, BNode) and current not in seen:
        seen.add(current)
        parent = next(iter(g.subject_predicates(current)), None)
        if parent is None:
            break
        chain.append(_short(parent[1]))
        current = parent[0]
    if isinstance(current, BNode) or not chain:
        return "[blank node]"
    return " / ".join([_short(current)] + list(reversed(chain)))


def _describe(findings: list[Finding], g: Graph, where: dict) -> None:
    """Fill in focus labels (English ``rdfs:label`` of the record, or of the record holding a blank node)."""
    cache: dict = {}
    for f in findings:
        if f.focus_label is not None:
            continue
        if f.focus not in cache:
            node = _expand(f.focus.split(" / ")[0])
            label = None
            if node is not None:
                label = _english(list(g.objects(node, RDFS.label)))
            cache[f.focus] = label
        f.focus_label = cache[f.focus]


def _expand(text: str) -> URIRef | None:
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return URIRef(PREFIXES[prefix] + local)
    return None


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set = set()
    out = []
    # a SHACL IRI-format finding duplicates contrib:outside-namespace for the same record
    outside = {f.focus for f in findings if f.rule == "contrib:outside-namespace"}
    shacl_keys = {(f.focus, f.path, f.value) for f in findings if not f.rule.startswith(("contrib:", "csv:"))}
    unknown = {(f.focus, f.path, f.value) for f in findings if f.rule == "contrib:unknown-term"}
    # an ill-typed literal that a shape reports too: the shape's finding stands for it, at the literal's line
    literal_lines = {(f.focus, f.path, f.value): f.line for f in findings if f.rule == "contrib:ill-typed-literal"}
    for f in findings:
        if not f.rule.startswith(("contrib:", "csv:")) and literal_lines.get((f.focus, f.path, f.value)):
            f.line = literal_lines[(f.focus, f.path, f.value)]
    for f in findings:
        if f.rule.startswith("dipsh:") and f.focus in outside and f.path is None:
            continue
        if f.rule.startswith("dipsh:") and (f.focus, f.path, f.value) in unknown:
            continue  # the unknown-term finding says the same with a "did you mean"
        if f.rule == "contrib:ill-typed-literal" and (f.focus, f.path, f.value) in shacl_keys:
            continue
        key = (f.level, f.rule, f.focus, f.path, f.value, f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def _display(file: str | None) -> str | None:
    """A published file's name relative to the working folder when it lies inside it."""
    if not file or not os.path.isabs(file):
        return file
    try:
        rel = os.path.relpath(file)
    except ValueError:  # pragma: no cover - another drive on Windows
        return file
    return file if rel.startswith("..") else rel


def _sorted(findings: list[Finding]) -> list[Finding]:
    for f in findings:
        f.file = _display(f.file)
    return sorted(findings, key=lambda f: (f.file or "~", f.line or 0, f.focus, -_RANK[f.level], f.rule,
                                           f.path or "", f.value or ""))
