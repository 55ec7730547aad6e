"""Ontology quality checks: one SPARQL rule per ``.rq`` file, levels from a profile, run on pyoxigraph.

Each rule in ``src/dipontology/checks/`` is a ``SELECT ?entity ?property ?value`` query whose Markdown header
says what the problem is and how to fix it (the layout of ROBOT's report queries). ``checks/profile.tsv`` gives
every rule a level: ERROR, WARN or INFO. :func:`check` loads the ontology (and optionally data) into an in-memory
pyoxigraph store -- never rdflib's SPARQL engine, which silently misses some of these patterns -- runs every rule
and returns a :class:`CheckReport`; :func:`render` turns it into text, JSON, Markdown or TSV.

>>> import pyoxigraph
>>> store = pyoxigraph.Store()
>>> store.load(input=b'''@prefix owl: <http://www.w3.org/2002/07/owl#> .
...     <https://w3id.org/dipontology/ontology#Mediation> a owl:Class .''', format=pyoxigraph.RdfFormat.TURTLE)
>>> report = check(store, rules=["missing_label", "missing_definition"])
>>> [(f.rule, f.level, f.entity) for f in report.findings]  # doctest: +NORMALIZE_WHITESPACE
[('missing_definition', 'ERROR', 'https://w3id.org/dipontology/ontology#Mediation'),
 ('missing_label', 'ERROR', 'https://w3id.org/dipontology/ontology#Mediation')]
>>> report.exit_code(), report.exit_code("none")
(1, 0)
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pyoxigraph as ox
from rdflib import Graph, URIRef

from . import resources
from .atomic import write_text
from .errors import InputError
from .findings import CHECK_JSON_VERSION as JSON_SCHEMA_VERSION
from .findings import CHECK_LEVELS, RENDERERS, CheckReport, Finding, check_fail_on, curie, rank
from .load import bulk_load, format_for_path, load_file
from .terms import to_oxigraph

__all__ = [
    "Rule", "Finding", "CheckReport", "check", "render", "RENDERERS", "curie", "load_rules", "read_profile",
    "parse_header", "checks_markdown", "LEVELS", "IGNORE", "JSON_SCHEMA_VERSION",
]

#: finding levels, most severe first
LEVELS = CHECK_LEVELS
#: a profile level that switches a rule off
IGNORE = "IGNORE"

_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PLAIN_DATATYPES = {_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


# --------------------------------------------------------------------------------------------------------- rules

@dataclass(frozen=True)
class Rule:
    """One quality rule: a ``.rq`` file and the level the profile gives it.

    :param id: the rule id, the file name without ``.rq`` (``missing_label``).
    :param title: the first header line (``Missing label``).
    :param problem: the header's **Problem** paragraph (Markdown).
    :param solution: the header's **Solution** paragraph (Markdown).
    :param query: the whole file, header comments included (valid SPARQL).
    :param level: ERROR, WARN or INFO.
    """

    id: str
    title: str
    problem: str
    solution: str
    query: str
    level: str

    @property
    def body(self) -> str:
        """The query without its header comments."""
        lines = self.query.splitlines()
        while lines and (lines[0].startswith("#") or not lines[0].strip()):
            lines.pop(0)
        return "\n".join(lines).rstrip() + "\n"


def parse_header(text: str) -> dict[str, str]:
    """Read the Markdown header of a rule: title, problem and solution.

    :param text: the ``.rq`` file's text.
    :return: a dict with the keys ``title``, ``problem`` and ``solution`` (those present in the header).

    >>> parse_header("# # Missing label\\n#\\n# **Problem:** No\\n# label.\\n#\\n# **Solution:** Add one.\\nSELECT")
    {'title': 'Missing label', 'problem': 'No label.', 'solution': 'Add one.'}
    """
    comment: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment.append(line[2:] if line.startswith("# ") else line[1:])
    paragraphs: list[list[str]] = [[]]
    for line in comment:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    header: dict[str, str] = {}
    for para in filter(None, paragraphs):
        text_ = " ".join(para)
        if text_.startswith("# "):
            header["title"] = text_[2:].strip()
        for key in ("Problem", "Solution"):
            marker = f"**{key}:**"
            if text_.startswith(marker):
                header[key.lower()] = text_[len(marker):].strip()
    return header


def read_profile(path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Read a profile: one ``rule<TAB>level`` a line; ``#`` starts a comment.

    :param path: the profile file; the shipped ``checks/profile.tsv`` when omitted.
    :return: rule id -> level (ERROR, WARN, INFO or IGNORE).
    :raises InputError: if the file cannot be read or a line is not ``rule<TAB>level`` with a known level.

    >>> read_profile()["missing_label"]
    'ERROR'
    """
    path = Path(path) if path is not None else resources.checks_dir() / "profile.tsv"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the profile: {exc}", file=str(path),
                         fix="give a UTF-8 text file of `rule<TAB>level` lines") from None
    profile: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or parts[1].upper() not in (*LEVELS, IGNORE):
            raise InputError(f"expected `rule<TAB>level`, got {raw.strip()!r}", file=str(path), line=number,
                             fix=f"write a rule id, a tab and one of {', '.join((*LEVELS, IGNORE))}")
        profile[parts[0]] = parts[1].upper()
    return profile


def load_rules(profile: str | os.PathLike[str] | None = None,
               directory: str | os.PathLike[str] | None = None) -> list[Rule]:
    """Every rule of ``directory`` (the shipped rules by default) with its level, sorted by id.

    :param profile: a profile file whose lines override the shipped profile (level IGNORE drops a rule).
    :param directory: a folder of ``.rq`` rules and their ``profile.tsv``.
    :return: the rules, IGNOREd ones left out.
    :raises InputError: if ``profile`` cannot be read or names a rule that does not exist.

    >>> rules = load_rules()
    >>> next(r for r in rules if r.id == "missing_label").title
    'Missing label'
    """
    folder = Path(directory) if directory is not None else resources.checks_dir()
    levels = read_profile(folder / "profile.tsv")
    files = sorted(folder.glob("*.rq"))
    known = {p.stem for p in files}
    if profile is not None:
        override = read_profile(profile)
        unknown = sorted(set(override) - known)
        if unknown:
            text = Path(profile).read_text(encoding="utf-8").splitlines()
            line = next((i for i, raw in enumerate(text, 1) if raw.split() and raw.split()[0] == unknown[0]), None)
            raise InputError(f"unknown rule {unknown[0]!r} in the profile", file=str(profile), line=line,
                             fix="use a rule id listed by `dipontology check --list-rules`")
        levels.update(override)
    rules = []
    for path in files:
        level = levels.get(path.stem)
        if level is None:
            raise RuntimeError(f"rule {path.stem} has no level in {folder / 'profile.tsv'}")
        if level == IGNORE:
            continue
        text = path.read_text(encoding="utf-8")
        header = parse_header(text)
        rules.append(Rule(id=path.stem, title=header.get("title", path.stem), problem=header.get("problem", ""),
                          solution=header.get("solution", ""), query=text, level=level))
    return rules


# ------------------------------------------------------------------------------------------------------ findings
# The findings and the report are dipontology.findings' one report type: a check finding's ``focus`` is the
# entity's IRI (``entity`` reads the same), ``path`` the property, ``message`` and ``fix`` the rule's problem and
# solution; :class:`CheckReport` is that module's report kind for the quality rules.


# ------------------------------------------------------------------------------------------------------- loading

def _expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and format_for_path(p) is not None)
            if not found:
                raise InputError("no RDF files (.ttl, .nt, .jsonld, ...) in this folder", file=str(path),
                                 fix="give the ontology or data files themselves")
            files.extend(found)
        else:
            files.append(path)
    return files


def _shown(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when it is below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _add_graph(store: ox.Store, graph: Graph) -> None:
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)


def _shipped_ontology() -> Path:
    try:
        path = resources.ontology_file()
    except FileNotFoundError as exc:
        raise InputError(str(exc), fix="name the ontology file to check") from None
    if not path.is_file():
        raise InputError("the shipped ontology is missing", file=str(path), fix="name the ontology file to check")
    return path


#: where each IRI is first a subject: (file as shown, line)
_Lines = dict[str, tuple[str, int]]


def _store_from(source: object, include_data: bool) -> tuple[ox.Store, list[str], _Lines]:
    """Load what is to be checked into a fresh in-memory store (or use a given store as is)."""
    if isinstance(source, ox.Store):
        if include_data:
            raise ValueError("include_data=True needs file input, not a pyoxigraph Store")
        return source, [], {}
    store = ox.Store()
    lines: _Lines = {}
    if isinstance(source, Graph):
        _add_graph(store, source)
        files: list[Path] = []
    else:
        if source is None:
            paths: Sequence[str | os.PathLike[str]] = [_shipped_ontology()]
        elif isinstance(source, (str, os.PathLike)):
            paths = [source]
        else:
            paths = list(source)  # type: ignore[call-overload]
        files = _expand(paths)
    if include_data:
        files += [p for p in resources.data_files() if p not in files]
    for path in files:
        shown = _shown(path)
        # load_file parses with pyoxigraph, fetches nothing (owl:imports is just a triple), bounds size and depth,
        # and raises one InputError with file, line, column and fix
        loaded = load_file(shown)
        _add_graph(store, loaded.triples_graph())
        for node, line in loaded.lines.items():
            if isinstance(node, URIRef):
                lines.setdefault(str(node), (shown, line))
    return store, [_shown(p) for p in files], lines


# ------------------------------------------------------------------------------------------ anchors and labels

def _anchor(store: ox.Store, node: ox.BlankNode, max_depth: int = 6) -> tuple[object, tuple[str, ...]]:
    """The nearest IRI above a blank node, and the predicates leading down from it to the node."""
    seen = {node}
    queue: deque[tuple[object, tuple[str, ...]]] = deque([(node, ())])
    while queue:
        current, path = queue.popleft()
        if len(path) >= max_depth:
            continue
        for quad in store.quads_for_pattern(None, None, current):
            subject = quad.subject
            step = (quad.predicate.value, *path)
            if isinstance(subject, ox.NamedNode):
                return subject, step
            if subject not in seen:
                seen.add(subject)
                queue.append((subject, step))
    return node, ()


def _label(store: ox.Store, node: object) -> str | None:
    """The node's ``rdfs:label``, English first."""
    labels = [q.object for q in store.quads_for_pattern(node, _RDFS_LABEL, None) if isinstance(q.object, ox.Literal)]
    if not labels:
        return None
    labels.sort(key=lambda lit: (not (lit.language or "").lower().startswith("en"), lit.value))
    return labels[0].value


def _term_value(term: object) -> tuple[str | None, str | None, str | None, str | None]:
    """(value, kind, language, datatype) of a query result term."""
    if term is None:
        return None, None, None, None
    if isinstance(term, ox.NamedNode):
        return term.value, "iri", None, None
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value, "blank", None, None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype.value not in _PLAIN_DATATYPES else None
        return term.value, "literal", term.language, datatype
    return str(term), None, None, None  # pragma: no cover - SELECT results hold only these three kinds


# --------------------------------------------------------------------------------------------------------- check

def check(graph_or_paths: object = None, *, include_data: bool = False, fail_on: str | None = "ERROR",
          profile: str | os.PathLike[str] | None = None, rules: Iterable[str] | None = None,
          trusted: bool = False) -> CheckReport:
    """Run the quality rules on the ontology (and optionally data) and collect the findings.

    :param graph_or_paths: what to check: an RDF file or folder, a list of them, an rdflib ``Graph`` or a
        pyoxigraph ``Store`` (queried as is). Default: the shipped ontology. Files are parsed by
        :func:`dipontology.load.load_file`: read from disk only, nothing fetched, ``owl:imports`` not followed.
    :param include_data: also load the shipped data files (``data/**/*.ttl``), so that the rules about records
        run on them.
    :param fail_on: the level at or above which the report counts as failed (ERROR, WARN, INFO or ``"none"``).
    :param profile: a profile file overriding the shipped rule levels.
    :param rules: run only these rule ids.
    :param trusted: the files are the project's own (the build's data folder): they are read with pyoxigraph's
        bulk loader (:func:`~dipontology.load.bulk_load`: no limits, the same syntax errors) and the rules run on
        that store; only if a rule finds something are the files read again the detailed way, for the file and
        line of each finding. The report is the same either way; at a million triples the clean case takes a
        fraction of the time.
    :return: the :class:`CheckReport`.
    :raises InputError: if a file is missing, unreadable or not valid RDF (with its line and column), or a rule
        id or the profile is unknown or malformed.

    >>> import tempfile, pathlib
    >>> ttl = pathlib.Path(tempfile.mkdtemp()) / "o.ttl"
    >>> _ = ttl.write_text('@prefix owl: <http://www.w3.org/2002/07/owl#> .\\n'
    ...                    '<https://w3id.org/dipontology/ontology> a owl:Ontology .\\n')
    >>> report = check(ttl, rules=["missing_ontology_title", "missing_ontology_license"])
    >>> [(f.rule, f.line) for f in report.findings]
    [('missing_ontology_license', 2), ('missing_ontology_title', 2)]
    """
    threshold = check_fail_on(fail_on)
    selected = load_rules(profile)
    if rules is not None:
        wanted = list(rules)
        known = {r.id for r in selected} | {p.stem for p in resources.checks_dir().glob("*.rq")}
        unknown = [r for r in wanted if r not in known]
        if unknown:
            raise InputError(f"unknown rule {unknown[0]!r}", fix="use a rule id listed by `dipontology check "
                             "--list-rules`")
        selected = [r for r in selected if r.id in set(wanted)]
    if trusted and isinstance(graph_or_paths, (list, tuple)) and not include_data:
        files = _expand(graph_or_paths)
        quick = _findings(selected, bulk_load(ox.Store(), files), {})
        if not quick[0]:
            return CheckReport(findings=[], rules=selected, inputs=[_shown(p) for p in files], triples=quick[1],
                               fail_on=threshold)
    store, inputs, lines = _store_from(graph_or_paths, include_data)
    findings, triples = _findings(selected, store, lines)
    return CheckReport(findings=findings, rules=selected, inputs=inputs, triples=triples, fail_on=threshold)


def _findings(selected: Sequence[Rule], store: ox.Store, lines: _Lines) -> tuple[list[Finding], int]:
    """The findings of the rules on the store (sorted), and the number of triples in it."""
    findings: list[Finding] = []
    for rule in selected:
        for solution in store.query(rule.query):
            entity = solution["entity"]
            if entity is None:
                continue
            via: tuple[str, ...] = ()
            if isinstance(entity, ox.BlankNode):
                entity, via = _anchor(store, entity)
            entity_value, _, _, _ = _term_value(entity)
            prop, _, _, _ = _term_value(solution["property"])
            value, kind, lang, datatype = _term_value(solution["value"])
            file, line = lines.get(entity.value, (None, None)) if isinstance(entity, ox.NamedNode) else (None, None)
            findings.append(Finding(
                rule.level, rule.id, entity_value or "", focus_label=_label(store, entity), path=prop, value=value,
                message=rule.problem, fix=rule.solution, file=file, line=line, value_kind=kind, value_lang=lang,
                value_datatype=datatype, via=via))
    findings.sort(key=lambda f: (-rank(f.level), f.rule, f.focus, f.via, f.path or "", f.value or ""))
    return findings, len(store)


# ----------------------------------------------------------------------------------------------------- rendering

def render(report: CheckReport, fmt: str = "text") -> str:
    """Render a report as ``text``, ``json``, ``md``, ``tsv`` or ``ttl`` (the renderers of
    :mod:`dipontology.findings`).

    >>> render(CheckReport(findings=[], rules=[]), "tsv").split()
    ['level', 'rule', 'entity', 'label', 'property', 'value', 'file', 'line']
    """
    return report.render(fmt)


# ---------------------------------------------------------------------------------------------------------- docs

def checks_markdown() -> str:
    """``docs/checks.md``: every rule, its level, problem, solution and query, generated from the ``.rq`` files.

    >>> "## missing_label" in checks_markdown()
    True
    """
    rules = sorted(load_rules(), key=lambda r: (-rank(r.level), r.id))
    out = [
        "# Ontology checks",
        "",
        "<!-- Generated from the headers of src/dipontology/checks/*.rq and checks/profile.tsv by",
        "     `python -m dipontology.check --write-docs`. Do not edit by hand: a test fails when it is stale. -->",
        "",
        "`dipontology check` runs these rules on the ontology (`ontology/dipontology.ttl` by default; add `--data`",
        "to check the data files with it, or name files to check). Each rule is one SPARQL query in",
        "`src/dipontology/checks/` returning `?entity ?property ?value`, run on an in-memory pyoxigraph store; the",
        "level comes from `checks/profile.tsv` and can be changed with `--profile FILE` (lines `rule<TAB>level`;",
        "level `IGNORE` switches a rule off).",
        "",
        "```",
        "dipontology check [FILES...] [--data] [--fail-on ERROR|WARN|INFO|none] [--format text|json|md|tsv]",
        "                  [-o FILE] [--profile FILE] [--rule RULE] [--list-rules]",
        "```",
        "",
        "Exit codes: 0 no finding at or above `--fail-on` (default ERROR); 1 there is one; 2 an input file is",
        "missing, unreadable or not valid RDF (the message names file:line:column and the fix); 3 an internal error.",
        "",
        "Files are parsed by `dipontology.load` (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML): nothing is",
        "fetched, `owl:imports` is not followed, and each finding names the file and line where its entity is",
        "described. A finding on a blank node (a qualified statement written as `[ ... ]`) is reported on the",
        "nearest record above it, with the path of properties leading down to it.",
        "",
        "A *term* is an IRI of the `dip:` namespace (`https://w3id.org/dipontology/ontology#`) declared as",
        "`owl:Class`, `owl:ObjectProperty`, `owl:DatatypeProperty`, `owl:AnnotationProperty` or",
        "`owl:NamedIndividual`; a *record* is an IRI under `https://w3id.org/dipontology/id/`.",
        "",
        "| Rule | Level | Title |",
        "|---|---|---|",
    ]
    out += [f"| [{r.id}](#{r.id}) | {r.level} | {r.title} |" for r in rules]
    out.append("")
    for r in rules:
        out += [f"## {r.id}", "", f"**{r.title}** — level **{r.level}**", "", f"**Problem:** {r.problem}", "",
                f"**Solution:** {r.solution}", "", "```sparql", r.body.rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"


def docs_path() -> Path:
    """Where ``docs/checks.md`` lives in a source checkout."""
    return Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def main(argv: list[str] | None = None) -> int:
    """``python -m dipontology.check --write-docs [PATH]``: regenerate ``docs/checks.md``."""
    parser = argparse.ArgumentParser(prog="python -m dipontology.check", description=main.__doc__)
    parser.add_argument("--write-docs", nargs="?", const=str(docs_path()), metavar="PATH",
                        help=f"write the rules' documentation (default: {docs_path()})")
    args = parser.parse_args(argv)
    if not args.write_docs:
        parser.print_help(sys.stderr)
        return 2
    if args.write_docs == str(docs_path()) and not (docs_path().parents[1] / "pyproject.toml").is_file():
        print("not in a source checkout: give the path to write, --write-docs PATH", file=sys.stderr)
        return 2
    write_text(args.write_docs, checks_markdown())
    print(f"wrote {args.write_docs}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
