"""SHACL for validation: the two engines, what they refuse, the user's own shapes, and the findings they give.

:func:`shacl_report` validates a data graph against a shapes graph with pyshacl-turbo (the default) or pySHACL
(:data:`SHACL_ENGINES`), after :func:`check_shapes` has refused what would make either reach the network or validate
wrongly; :func:`run_shacl` turns the engine's report into :class:`~dipontology.findings.Finding` objects about the
records asked for. :func:`load_shapes` parses a user's shapes files with the safe loader and :func:`profile` says
which shapes one validation applies (the project's, the user's, or both: a :class:`Profile`). :func:`ontology_plus`
lends the ontology graph (parsed once per process) with extra triples for the length of a validation.

Used by :mod:`dipontology.validate` (the published data) and :mod:`dipontology.contribution.checks`
(contributions).

>>> shacl_engine("pyshacl"), shacl_engine(None) in SHACL_ENGINES
('pyshacl', True)
"""
from __future__ import annotations

import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH
from rdflib.plugins.sparql import prepareQuery

from . import resources
from .errors import InputError
from .export import serialize_triples
from .findings import VALIDATION_LEVELS, Finding, focus_text, n3, short
from .load import Limits, Loaded, _quiet_rdflib, load_file
from .namespaces import DIPSH
from .published import ontology, shapes_graph, stamp
from .store import check_query
from .terms import graph_closure

__all__ = [
    "SHACL_ENGINES", "ENGINE_TITLES", "ENGINE_LIMITS", "shacl_engine", "check_shapes", "load_shapes", "shacl_report",
    "run_shacl", "Profile", "profile", "ontology_plus", "PreparedQueryGraph", "locator", "english", "path_text",
    "NTriplesData", "turbo_data",
]

DIPSH_FIX = DIPSH.fix

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


def locator(loaded: Sequence[Loaded]):
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
    engine = shacl_engine(engine)
    locate = locate or (lambda node: (None, None))

    def refuse(node, message: str, fix: str):
        file, line = locate(_owner(shapes, node))
        raise InputError(message, file=file, line=line, fix=fix)

    for p in _ADVANCED_PREDICATES:
        for s in shapes.subjects(p, None):
            refuse(s, f"{short(p)} is a SHACL Advanced Features or SHACL-JS construct, which validate does not run",
                   "express the constraint in SHACL Core or a SPARQL-based constraint (sh:sparql)")
    for c in _ADVANCED_CLASSES:
        for s in shapes.subjects(RDF.type, c):
            refuse(s, f"{short(c)} is a SHACL Advanced Features or SHACL-JS construct, which validate does not run",
                   "express the constraint in SHACL Core or a SPARQL-based constraint (sh:sparql)")
    header = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in _declared_prefixes(shapes))
    limits = {name for name, _why in ENGINE_LIMITS[engine]}
    for p in _SPARQL_TEXTS:
        for s, text in shapes.subject_objects(p):
            source = short(s) if isinstance(s, URIRef) else "a SPARQL constraint"
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
    loaded = [load_file(p, limits=limits) for p in paths]
    g = Graph()
    findings = []
    for item in loaded:
        for s, o in item.triples_graph().subject_objects(OWL.imports):
            findings.append(Finding(
                "Warning", "contrib:imports-ignored", short(s), path="owl:imports", value=short(o),
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
    return g, locator(loaded), findings


_PREPARED: dict = {}


class PreparedQueryGraph(Graph):
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
    # optional dependency: each engine is imported only when it runs (pySHACL alone takes 0.2 s to import)
    from pyshacl_turbo import compile_shapes

    key = id(shapes)
    cached = _TURBO_PROGRAMS.get(key)
    if cached is not None and cached[0] is shapes and cached[1] == len(shapes):
        return cached[2]
    program = compile_shapes(serialize_triples(list(shapes), "nt"), shacl_graph_format="nt")
    if len(_TURBO_PROGRAMS) > 8:
        _TURBO_PROGRAMS.clear()
    _TURBO_PROGRAMS[key] = (shapes, len(shapes), program)
    return program


@dataclass
class NTriplesData:
    """A data graph for pyshacl-turbo given as N-Triples text (blank nodes labelled with their rdflib ids, so the
    report names the same nodes): handed a graph, the engine would copy it triple by triple in Python."""

    text: str


def _nt_term(term, cache: dict) -> str:
    """A term as N-Triples writes it (pyoxigraph's writing; blank nodes keep their rdflib ids), once per term."""
    text = cache.get(term)
    if text is None:
        if isinstance(term, URIRef):
            node = ox.NamedNode(str(term))
        elif isinstance(term, BNode):
            node = ox.BlankNode(str(term))
        elif isinstance(term, Literal):
            if term.language:
                node = ox.Literal(str(term), language=term.language)
            elif term.datatype is not None:
                node = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            else:
                node = ox.Literal(str(term))
        else:
            raise ValueError(f"not an RDF term: {term!r}")
        text = cache[term] = str(node)
    return text


def _ntriples(graph: Graph | Sequence) -> bytes:
    cache: dict = {}
    get = cache.get
    out = []
    append = out.append
    for s, p, o in graph:
        a, b, c = get(s), get(p), get(o)
        append(f"{a or _nt_term(s, cache)} {b or _nt_term(p, cache)} {c or _nt_term(o, cache)} .\n")
    return "".join(out).encode("utf-8")


_ONTOLOGY_NT: dict = {}


def turbo_data(graphs: Sequence) -> NTriplesData | None:
    """The ontology with ``graphs`` (graphs or lists of triples) as one N-Triples data graph for pyshacl-turbo (the
    ontology's text is made once per process), or ``None`` if a term cannot be written as N-Triples (the caller then hands over a graph)."""
    key = stamp([resources.ontology_file()])
    try:
        onto = _ONTOLOGY_NT.get(key)
        if onto is None:
            _ONTOLOGY_NT.clear()
            onto = _ONTOLOGY_NT[key] = _ntriples(ontology().graph)
        parts = [onto] + [_ntriples(g) for g in graphs]
    except (ValueError, TypeError):
        return None
    return NTriplesData(b"".join(parts).decode("utf-8"))


def shacl_report(data: Graph | NTriplesData, shapes: Graph, engine: str | None = None,
                 locate=None) -> tuple[bool, Graph]:
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
            # optional dependency: each engine is imported only when it runs (pySHACL alone takes 0.2 s to import)
            import pyshacl_turbo

            try:
                if isinstance(data, NTriplesData):
                    # optional dependency: pyshacl-turbo's input type for data already written as text
                    from pyshacl_turbo.rdf import Input

                    data = Input(data.text, "nt", None, {}, {}, preserve_ids=True)
                with _quiet_rdflib():  # the report's ill-typed values, made rdflib literals again
                    conforms, results, _text = _turbo_program(shapes).validate(data)
            except pyshacl_turbo.ValidationFailure as failure:
                results = str(failure)
        else:
            # optional dependency: each engine is imported only when it runs (pySHACL alone takes 0.2 s to import)
            from pyshacl import validate as shacl_validate

            if not isinstance(data, PreparedQueryGraph):
                prepared = PreparedQueryGraph()
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
    logger = logging.getLogger("pyshacl")
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(old)


@dataclass
class Profile:
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


def profile(paths: Sequence[str | os.PathLike[str]] | None, builtin: bool, limits: Limits | None,
            engine: str) -> Profile:
    """The :class:`Profile` of a validation: the project's shapes alone (no ``paths``), or the user's shapes files
    (parsed by :func:`load_shapes`, checked by :func:`check_shapes`, cached on their stamps) with or without them."""
    if not paths:
        return Profile(builtin=True, key=("builtin",))
    files = stamp([Path(p) for p in paths]) if all(Path(p).is_file() for p in paths) else None
    key = (builtin, engine, files) if files is not None else None
    if key is None or key not in _USER_SHAPES:
        loaded = load_shapes(paths, limits=limits)
        check_shapes(loaded[0], engine, loaded[1])
        if key is None:
            key = (builtin, tuple(map(str, paths)), time.time_ns())
        _USER_SHAPES.clear()
        _USER_SHAPES[key] = loaded
    graph, locate, findings = _USER_SHAPES[key]
    return Profile(builtin=builtin, extra=graph, locate=locate, key=key, findings=findings)


def run_shacl(data: Graph | NTriplesData, where: dict, focus: set, engine: str | None = None,
              shapes: Graph | None = None, locate=None, view: Graph | None = None) -> tuple[list[Finding], Graph]:
    """Validate ``data`` and turn the results about the ``focus`` nodes into findings (``where``: node -> the
    loaded file that describes it); also the SHACL report graph holding only those results. ``view``: the same
    triples as a graph, for naming blank nodes (``data`` itself when it is a graph)."""
    view = view if view is not None else data
    shapes = shapes if shapes is not None else shapes_graph()
    _conforms, results = shacl_report(data, shapes, engine, locate)
    findings: list[Finding] = []
    kept = Graph()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        node = results.value(result, SH.focusNode)
        if node not in focus:
            continue
        for t in graph_closure(results, result):
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
        message = english([m for m in messages if str(m) not in general] or messages) or \
            english(list(shapes.objects(shape, SH.message))) or f"fails {short(component)}"
        message = _IRI_IN_TEXT.sub(lambda m: short(URIRef(m.group())), message)
        fix = english(list(shapes.objects(shape, DIPSH_FIX)))
        if not fix and component in _GENERIC_FIX:
            fix = _GENERIC_FIX[component].format(path=path_text(results, path) or "the")
        level = str(severity).rsplit("#", 1)[-1] if severity else "Violation"
        item = where.get(node)
        findings.append(Finding(
            level if level in VALIDATION_LEVELS else "Violation",
            short(shape) if isinstance(shape, URIRef) else "(anonymous shape)",
            focus_text(view, node), path=path_text(results, path), value=n3(value) if value is not None else None,
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




def english(values: list) -> str | None:
    lits = [v for v in values if isinstance(v, Literal)]
    for v in lits:
        if v.language in ("en", None):
            return str(v)
    return str(lits[0]) if lits else None


def path_text(g: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return short(path)
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + (path_text(g, inverse) or "?")
    return "(complex path)"

_BASE: dict = {}


@contextmanager
def ontology_plus(extra: Graph):
    """The ontology graph (built once per process) with ``extra`` added for the duration of the block."""
    key = stamp([resources.ontology_file()])
    base = _BASE.get(key)
    if base is None:
        _BASE.clear()
        base = _BASE[key] = PreparedQueryGraph()
        base += ontology().graph
    added = [t for t in extra if t not in base]
    base.addN((s, p, o, base) for s, p, o in added)
    try:
        yield base
    finally:
        for t in added:
            base.remove(t)
