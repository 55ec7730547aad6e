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

Each :class:`~dipontology.findings.Finding` says what is wrong, where (file:line of the record, or file:line:column
of the offending value; the record and its label, the property and the value) and how to fix it.
:class:`~dipontology.findings.ValidationReport` renders as text, JSON (schema in ``docs/contributing.md``),
Markdown, TSV or the raw SHACL report in Turtle.

The layers: this module is the entry point; the contribution checks live in
:mod:`dipontology.contribution.checks`, the SHACL engines in :mod:`dipontology.shacl`, the published graph in
:mod:`dipontology.published` and the report type in :mod:`dipontology.findings`.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "typo.ttl").write_text(
...     "@prefix dip: <https://w3id.org/dipontology/ontology#> .\\n"
...     "@prefix case: <https://w3id.org/dipontology/id/case/> .\\n"
...     "case:new-case a dip:Initiatve .\\n")
>>> report = validate([d / "typo.ttl"])
>>> f = next(f for f in report.findings if f.rule == "contrib:unknown-term")
>>> f.level, f.focus, f.value, f.where(), f.fix  # doctest: +ELLIPSIS
('Violation', 'case:new-case', 'dip:Initiatve', '.../typo.ttl:3:17', 'did you mean dip:Initiative?')
>>> report.exit_code()
1
"""
from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Sequence

from rdflib import Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, SH

from . import resources
from .contribution import checks, guard
from .contribution.checks import (CONTEXT_BACKLINKS, CONTEXT_LINKS, CONTRIBUTION_RULES, LABEL_PROPERTIES, ill_typed,
                                  novel_statements, text_hygiene, text_hygiene_findings)
from .contribution.convert import load_contribution
from .contribution.sheets import column_for_path
from .errors import InputError
from .findings import REPORT_SCHEMA, Finding, ValidationReport, parse_level, short, visible
from .load import Limits, Loaded, _quiet_rdflib
from .published import clean, ontology, published, published_files, shapes_graph, stamp, subjects_index, vocabulary
from .shacl import (ENGINE_LIMITS, ENGINE_TITLES, SHACL_ENGINES, Profile, check_shapes, english, load_shapes,
                    ontology_plus, path_text, run_shacl, shacl_engine, shacl_report, turbo_data)
from .shacl import profile as shapes_profile

__all__ = [
    "Finding", "ValidationReport", "validate", "validate_graph", "LEVELS", "CONTRIBUTION_RULES", "published_files",
    "parse_level", "REPORT_SCHEMA", "novel_statements", "rules_markdown", "SHACL_ENGINES", "ENGINE_LIMITS",
    "shacl_engine", "shacl_report", "check_shapes", "load_shapes", "ill_typed",
    # re-exported from the modules that hold them (their names here predate those modules)
    "CONTEXT_LINKS", "CONTEXT_BACKLINKS", "LABEL_PROPERTIES", "text_hygiene", "text_hygiene_findings", "visible",
    "ENGINE_TITLES", "shapes_graph",
]

#: severity levels, least to most severe
LEVELS = ("Info", "Warning", "Violation")


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
        targets = [short(t) for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
                   for t in shapes.objects(s, p)]
        if path is not None:
            where = f"property {path_text(shapes, path)}"
        elif targets:
            where = "records: " + ", ".join(sorted(targets))
        else:
            where = "used by other shapes"
        description = english(list(shapes.objects(s, SH.description))) or ""
        rows.append(f"| `{short(s)}` | {level} | {_md_cell(where)} | {_md_cell(description)} |")
    out = ["| rule | level | applies to | what it checks |", "|---|---|---|---|", *rows, "",
           "| rule | level | what it checks |", "|---|---|---|"]
    out += [f"| `{rule}` | {level} | {_md_cell(text)} |" for rule, (level, text) in CONTRIBUTION_RULES.items()]
    out.append("| `csv:bad-cell`, `csv:unknown-column` | Violation, Warning | a cell of the CSV template that cannot be "
               "used, or a column the template does not have |")
    return "\n".join(out) + "\n"


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
    :param shapes: paths of SHACL files of the user's own (an application profile; the command line's
        ``--shapes FILE``), parsed with the safe loader and checked by :func:`check_shapes`; validated beside the
        project's shapes.
    :param builtin_shapes: ``False`` (the command line's ``--no-builtin-shapes``) validates against ``shapes`` alone: the project's shapes and the contribution
        rules (``contrib:*``) are not applied; what the parse finds (ill-typed literals, parser warnings, shapes or
        imports removed from data) still is.
    :return: the :class:`ValidationReport`.
    :raises InputError: if a file cannot be read or parsed, or a shapes file is refused (with file, line and a fix).

    A contribution checked against an application profile of one's own as well as the project's shapes: the
    profile asks every case study for a ``dip:endDate``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "profile.ttl").write_text(
    ...     "@prefix sh: <http://www.w3.org/ns/shacl#> .\\n"
    ...     "@prefix dip: <https://w3id.org/dipontology/ontology#> .\\n"
    ...     "<https://example.org/shapes#EndDate> a sh:PropertyShape ; sh:targetClass dip:Initiative ;\\n"
    ...     "    sh:path dip:endDate ; sh:minCount 1 ; sh:message \\"a case needs an end date\\" .\\n")
    >>> _ = (d / "case.ttl").write_text(
    ...     "@prefix dip: <https://w3id.org/dipontology/ontology#> .\\n"
    ...     "@prefix case: <https://w3id.org/dipontology/id/case/> .\\n"
    ...     "case:new-case a dip:Initiative .\\n")
    >>> report = validate([d / "case.ttl"], shapes=[d / "profile.ttl"])
    >>> [(f.rule, f.message) for f in report.findings if f.rule.startswith("<https://example.org")]
    [('<https://example.org/shapes#EndDate>', 'a case needs an end date')]
    >>> len(report.findings) > 1  # the project's shapes as well: a case needs a label, a source, ...
    True
    >>> report = validate([d / "case.ttl"], shapes=[d / "profile.ttl"], builtin_shapes=False)
    >>> [(f.rule, f.path, f.line) for f in report.findings]
    [('<https://example.org/shapes#EndDate>', 'dip:endDate', 3)]
    """
    fail_on = parse_level(fail_on)
    engine = shacl_engine(engine)
    if not builtin_shapes and not shapes:
        raise InputError("no shapes to validate against", fix="give --shapes FILE, or keep the project's shapes")
    started = time.perf_counter()
    profile = shapes_profile(shapes, builtin_shapes, limits, engine)
    data_paths = published_files(data_dir)
    data = published(stamp(data_paths))
    if not files:
        key = (stamp(data_paths), stamp(resources.shapes_files()), stamp([resources.ontology_file()]), engine,
               profile.key)
        cached = _SHIPPED_REPORTS.get(key)
        if cached is None:
            cached = validate_graph(data.loaded, fail_on=fail_on, engine=engine, profile=profile)
            cached.seconds = time.perf_counter() - started
            _SHIPPED_REPORTS.clear()
            _SHIPPED_REPORTS[key] = cached
        # a fresh report object each time (callers may change it); the SHACL report graph is shared, read-only
        return ValidationReport([replace(f) for f in cached.findings], files=list(cached.files), fail_on=fail_on,
                                shacl_report=cached.shacl_report, seconds=cached.seconds, triples=cached.triples)
    contributions: list[Loaded] = []
    conversion: list[Finding] = []
    vocab = vocabulary(stamp([resources.ontology_file()]))
    for f in files:
        with _quiet_rdflib():  # rdflib logs a traceback for a literal it cannot convert ("2019-02-30"^^xsd:date)
            loaded, found = load_contribution(f, limits=Limits.for_contributions() if limits is None else limits)
        # what accept refuses outright (altering a published record, identity between published records, a
        # re-bound prefix, axioms or shapes in data) validate refuses the same way; hidden characters stay findings
        # here (each kind named, so the contributor sees them all), and accept refuses them
        guard.refuse_alterations(loaded, data, vocab)
        contributions.append(loaded)
        conversion += found
    report = checks.validate_contribution(contributions, data, fail_on, conversion, engine=engine, profile=profile)
    for finding in report.findings:
        if finding.column is None and finding.file and finding.file.lower().endswith(".csv"):
            chain = finding.focus.split(" / ")
            finding.column = column_for_path(chain[1] if len(chain) > 1 else finding.path) or \
                column_for_path(finding.path)
    report.seconds = time.perf_counter() - started
    return report


def validate_graph(loaded: Sequence[Loaded], *, fail_on: str = "Violation", engine: str | None = None,
                   profile: Profile | None = None) -> ValidationReport:
    """Validate already-loaded files as one data set (the no-files mode of :func:`validate`).

    The files' own graphs are read where they are (through one read-only view with the ontology), not merged
    into a copy: pyshacl-turbo gets ontology and data as N-Triples text; pySHACL, which needs one graph, gets the
    merged copy."""
    profile = profile or Profile()
    engine = shacl_engine(engine)
    vocab = vocabulary(stamp([resources.ontology_file()]))
    findings: list[Finding] = list(profile.findings)
    cleaned = [clean(item, vocab, findings, contribution=False)[0] for item in loaded]
    data = ReadOnlyGraphAggregate(cleaned) if len(cleaned) > 1 else cleaned[0] if cleaned else Graph()
    # the triples once each (as a merged graph holds them), as one list the checks below go through
    # (a file's own list where its cleaned graph is its own graph: no pass through rdflib's store)
    own = [item.triples() if g is item.triples_graph() else g for item, g in zip(loaded, cleaned)]
    triples = own[0] if len(own) == 1 and isinstance(own[0], list) else list(dict.fromkeys(t for g in own for t in g))
    subjects = subjects_index(loaded)
    findings += checks.literal_checks(loaded, data, where=subjects, triples=triples)
    if profile.builtin:
        findings += checks.record_checks(loaded, data, vocab, where=subjects, triples=triples)
    count = len(triples)
    text = turbo_data([triples]) if engine == "turbo" else None
    del triples
    if text is not None:
        view = ReadOnlyGraphAggregate([ontology().graph, *cleaned])
        shacl_findings, report_graph = run_shacl(text, subjects, set(subjects), engine=engine,
                                                 shapes=profile.graph(), locate=profile.locator(), view=view)
        del text
        findings += shacl_findings
        findings = checks.finish(findings, view, subjects, loaded)
    else:
        merged = Graph()
        for g in cleaned:
            merged += g
        with ontology_plus(merged) as full:
            shacl_findings, report_graph = run_shacl(full, subjects, set(subjects), engine=engine,
                                                     shapes=profile.graph(), locate=profile.locator())
            findings += shacl_findings
            findings = checks.finish(findings, full, subjects, loaded)
    return ValidationReport(findings, files=[checks.display_path(i.file) for i in loaded], fail_on=fail_on,
                            shacl_report=report_graph, triples=count)
