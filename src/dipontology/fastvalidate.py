"""A fast SHACL engine for our shapes: SHACL Core evaluated over a pyoxigraph store, SPARQL constraints run by
pyoxigraph's query engine, results written in pySHACL's report format.

pySHACL stays the reference: :func:`validate_store` gives the same results (focus node, path, value, source shape,
constraint component, severity, messages) as ``pyshacl.validate(data, shacl_graph=shapes, inference="none")``, and
``tests/test_fastvalidate.py`` checks that on every fixture, on the shipped data and on generated data. A shape that
uses anything this engine does not implement (see :data:`SUPPORTED`) is never skipped: it is validated by pySHACL
and listed in :attr:`FastReport.fallback_shapes`.

How it is fast: the targets and value nodes of every shape come from the store's indexes in bulk (one scan per
predicate, not one query per focus node), ``sh:class`` uses one map of node types and the ``rdfs:subClassOf``
closure, and each SPARQL constraint runs once over the whole store (``$this`` left free, results kept for the
shape's focus nodes) instead of once per focus node. With a set of focus nodes (a contribution), everything is
looked up node by node instead, so the cost follows the contribution, not the published graph.

>>> from rdflib import Graph
>>> shapes = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
... ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .''', format="turtle")
>>> data = Graph().parse(data='@prefix ex: <http://example.org/> . ex:a a ex:C . ex:b a ex:C ; ex:p 1 .',
...                      format="turtle")
>>> report = validate_graph(data, shapes)
>>> [str(f) for f in report.focus_nodes()]
['http://example.org/a']
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from .graph import copy_closure

__all__ = ["FastReport", "ShapesProgram", "validate_graph", "validate_store", "store_from_graph", "to_ox",
           "from_ox", "SUPPORTED"]

#: the constraint parameters this engine evaluates itself
SUPPORTED = frozenset({
    SH["class"], SH.datatype, SH.minCount, SH.maxCount, SH.pattern, SH.flags, SH["in"], SH.nodeKind,
    SH.languageIn, SH["or"], SH.sparql, SH.uniqueLang, SH.qualifiedValueShape, SH.qualifiedMinCount,
    SH.qualifiedMaxCount, SH.property, SH.node,
})
#: predicates of a shape that are not constraints
_NOT_CONSTRAINTS = frozenset({
    RDF.type, SH.path, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.severity,
    SH.message, SH.name, SH.description, SH.deactivated, SH.order, SH.group, SH.defaultValue,
})
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

_OX_TYPE = ox.NamedNode(str(RDF.type))
_OX_XSD_STRING = ox.NamedNode(str(XSD.string))
_OX_LANGSTRING = ox.NamedNode(str(RDF.langString))


# --------------------------------------------------------------------------------------------------------------
# term conversion


def to_ox(term):
    """An rdflib term as a pyoxigraph term (blank node ids kept)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(_bnode_id(str(term)))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


_BNODE_OK = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _bnode_id(text: str) -> str:
    return text if _BNODE_OK.match(text) and not text.endswith(".") else "x" + text.encode().hex()


_FROM_OX: dict = {}


def from_ox(term):
    """A pyoxigraph term as an rdflib term. ``xsd:string`` literals become plain literals (as rdflib parses them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype == _OX_XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def store_from_graph(graph: Graph, store: ox.Store | None = None) -> ox.Store:
    """Load an rdflib graph into a (new, in-memory) pyoxigraph store, in the default graph."""
    store = store if store is not None else ox.Store()
    dg = ox.DefaultGraph()
    store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), dg) for s, p, o in graph)
    return store


# --------------------------------------------------------------------------------------------------------------
# the compiled shapes


@dataclass
class _Shape:
    node: object                      # rdflib term in the shapes graph
    is_property: bool
    path: object = None               # rdflib path node (URIRef or BNode with sh:inversePath)
    pred: object = None               # ox.NamedNode of the predicate
    inverse: bool = False
    severity: object = SH.Violation
    messages: list = field(default_factory=list)
    params: dict = field(default_factory=dict)
    properties: list = field(default_factory=list)   # nested property shapes (_Shape)
    targets: list = field(default_factory=list)      # (kind, ox term)
    sparql: list = field(default_factory=list)       # (constraint node, query text, projected vars, messages)
    unsupported: list = field(default_factory=list)  # what this engine cannot do in this shape


class ShapesProgram:
    """The shapes graph compiled once: every shape, its parameters, targets and SPARQL texts."""

    def __init__(self, shapes: Graph):
        self.graph = shapes
        self._shapes: dict = {}
        top = set()
        for t in _TARGETS:
            top.update(shapes.subjects(t, None))
        self.top = [self.shape(n) for n in sorted(top, key=str)
                    if not _true(shapes.value(n, SH.deactivated))]

    def shape(self, node) -> _Shape:
        got = self._shapes.get(node)
        if got is not None:
            return got
        g = self.graph
        path = g.value(node, SH.path)
        s = _Shape(node, path is not None, path)
        self._shapes[node] = s
        if path is not None:
            if isinstance(path, URIRef):
                s.pred = ox.NamedNode(str(path))
            elif isinstance(path, BNode) and set(g.predicates(path, None)) == {SH.inversePath} and \
                    isinstance(g.value(path, SH.inversePath), URIRef):
                s.pred, s.inverse = ox.NamedNode(str(g.value(path, SH.inversePath))), True
            else:
                s.unsupported.append("a path other than a predicate or sh:inversePath")
        s.severity = g.value(node, SH.severity) or SH.Violation
        s.messages = list(g.objects(node, SH.message))
        for t in _TARGETS:
            for o in g.objects(node, t):
                s.targets.append((t, to_ox(o)))
        for p, o in g.predicate_objects(node):
            if p in _NOT_CONSTRAINTS:
                continue
            if not str(p).startswith(str(SH)):
                continue
            if p not in SUPPORTED:
                s.unsupported.append(str(p))
                continue
            s.params.setdefault(p, []).append(o)
        if SH.property in s.params:
            s.properties = [self.shape(o) for o in sorted(s.params.pop(SH.property), key=str)
                            if not _true(g.value(o, SH.deactivated))]
        if SH.node in s.params:
            s.unsupported.append(str(SH.node))   # not used by our shapes; pySHACL handles it
        if SH.qualifiedValueShape in s.params and _true(g.value(node, SH.qualifiedValueShapesDisjoint)):
            s.unsupported.append(str(SH.qualifiedValueShapesDisjoint))
        for c in s.params.pop(SH.sparql, []):
            if _true(g.value(c, SH.deactivated)):
                continue
            select = g.value(c, SH.select)
            if select is None or len(list(g.objects(c, SH.select))) != 1:
                s.unsupported.append("sh:sparql without exactly one sh:select")
                continue
            text = str(select)
            if "$PATH" in text or re.search(r"[?$]failure\b", text):
                s.unsupported.append("sh:sparql with $PATH or ?failure")
                continue
            prefixes = ""
            for decl_owner in g.objects(c, SH.prefixes):
                for d in g.objects(decl_owner, SH.declare):
                    prefixes += f"PREFIX {g.value(d, SH.prefix)}: <{g.value(d, SH.namespace)}>\n"
            text = prefixes + re.sub(r"\$(this|shapesGraph|currentShape)\b", r"?\1", text)
            try:
                parsed = ox.Store().query(text)
                variables = [v.value for v in parsed.variables]
            except (SyntaxError, ValueError) as e:  # pragma: no cover - our shapes' queries parse
                s.unsupported.append(f"sh:sparql that pyoxigraph cannot parse: {e}")
                continue
            if "shapesGraph" in variables or "currentShape" in variables:
                s.unsupported.append("sh:sparql using $shapesGraph or $currentShape")
                continue
            s.sparql.append((c, text, variables, list(g.objects(c, SH.message))))
        for p in list(s.params):
            if p in (SH["or"], SH.languageIn, SH["in"]):
                s.params[p] = [list(Collection(g, lst)) for lst in s.params[p]]
        for alts in s.params.get(SH["or"], []):
            for alt in alts:
                self.shape(alt)
        for q in s.params.get(SH.qualifiedValueShape, []):
            self.shape(q)
        return s

    def unsupported(self, shape: _Shape, seen=None) -> list:
        """Everything this engine cannot evaluate in ``shape`` and the shapes it uses."""
        seen = set() if seen is None else seen
        if shape.node in seen:
            return []
        seen.add(shape.node)
        out = list(shape.unsupported)
        nested = list(shape.properties)
        for alts in shape.params.get(SH["or"], []):
            nested += [self.shape(a) for a in alts]
        nested += [self.shape(q) for q in shape.params.get(SH.qualifiedValueShape, [])]
        for n in nested:
            out += self.unsupported(n, seen)
        return out


def _true(v) -> bool:
    return isinstance(v, Literal) and v.value is True


# --------------------------------------------------------------------------------------------------------------
# the data side


class _Data:
    """Lookups on the store: types, values by predicate, the subclass closure. Bulk when ``focus`` is None."""

    def __init__(self, store: ox.Store, bulk: bool):
        self.store = store
        self.bulk = bulk
        self.supers: dict = {}
        sub = ox.NamedNode(str(RDFS.subClassOf))
        direct: dict = {}
        for q in store.quads_for_pattern(None, sub, None):
            direct.setdefault(q.subject, set()).add(q.object)
        for c in direct:
            seen, stack = {c}, [c]
            while stack:
                for sup in direct.get(stack.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        stack.append(sup)
            self.supers[c] = seen
        self._types: dict | None = None
        if bulk:
            types: dict = {}
            for q in store.quads_for_pattern(None, _OX_TYPE, None):
                types.setdefault(q.subject, []).append(q.object)
            self._types = types
        self._cache_types: dict = {}
        self._by_pred: dict = {}

    def types(self, node) -> list:
        if self._types is not None:
            return self._types.get(node, [])
        got = self._cache_types.get(node)
        if got is None:
            if isinstance(node, ox.Literal):
                got = []
            else:
                got = [q.object for q in self.store.quads_for_pattern(node, _OX_TYPE, None)]
            self._cache_types[node] = got
        return got

    def is_instance(self, node, cls) -> bool:
        for t in self.types(node):
            if t == cls or cls in self.supers.get(t, ()):
                return True
        return False

    def values(self, node, pred, inverse: bool) -> list:
        if self.bulk:
            key = (pred, inverse)
            index = self._by_pred.get(key)
            if index is None:
                index = {}
                for q in self.store.quads_for_pattern(None, pred, None):
                    if inverse:
                        index.setdefault(q.object, []).append(q.subject)
                    else:
                        index.setdefault(q.subject, []).append(q.object)
                self._by_pred[key] = index
            return index.get(node, [])
        if inverse:
            if isinstance(node, ox.Literal):
                return [q.subject for q in self.store.quads_for_pattern(None, pred, node)]
            return [q.subject for q in self.store.quads_for_pattern(None, pred, node)]
        if isinstance(node, ox.Literal):
            return []
        return [q.object for q in self.store.quads_for_pattern(node, pred, None)]

    def targets(self, shape: _Shape, focus: set | None) -> list:
        out: dict = {}
        for kind, term in shape.targets:
            if focus is None:
                if kind == SH.targetClass:
                    for node, types in self._types.items():
                        if any(t == term or term in self.supers.get(t, ()) for t in types):
                            out[node] = None
                elif kind == SH.targetNode:
                    out[term] = None
                elif kind == SH.targetSubjectsOf:
                    for q in self.store.quads_for_pattern(None, term, None):
                        out[q.subject] = None
                else:
                    for q in self.store.quads_for_pattern(None, term, None):
                        out[q.object] = None
            else:
                for node in focus:
                    if kind == SH.targetClass:
                        hit = not isinstance(node, ox.Literal) and self.is_instance(node, term)
                    elif kind == SH.targetNode:
                        hit = node == term
                    elif kind == SH.targetSubjectsOf:
                        hit = not isinstance(node, ox.Literal) and \
                            next(iter(self.store.quads_for_pattern(node, term, None)), None) is not None
                    else:
                        hit = next(iter(self.store.quads_for_pattern(None, term, node)), None) is not None
                    if hit:
                        out[node] = None
        return list(out)


# --------------------------------------------------------------------------------------------------------------
# evaluation


@dataclass
class _Result:
    focus: object            # ox term
    shape: _Shape
    component: URIRef
    value: object = None     # ox term or None
    path: object = None      # rdflib path term or None (from the shape when None and the shape is a property shape)
    messages: list | None = None   # formatted messages (SPARQL); None: the shape's own messages


@dataclass
class FastReport:
    """The results of :func:`validate_store`, as pySHACL would write them (:meth:`graph`)."""

    results: list
    fallback_shapes: list          # shapes validated by pySHACL because this engine does not implement them
    fallback_graph: Graph | None = None
    shapes: Graph | None = None

    @property
    def conforms(self) -> bool:
        return not self.results and not (self.fallback_graph is not None and
                                         any(self.fallback_graph.subjects(RDF.type, SH.ValidationResult)))

    def focus_nodes(self) -> list:
        """The focus node of every result (rdflib terms), sorted."""
        g = self.graph()
        return sorted({g.value(r, SH.focusNode) for r in g.subjects(RDF.type, SH.ValidationResult)}, key=str)

    def graph(self) -> Graph:
        """A report graph in pySHACL's form: one ``sh:ValidationResult`` per result, with the shape's messages
        (formatted SPARQL messages first), its path copied from the shapes graph."""
        with _quiet():
            return self._graph()

    def _graph(self) -> Graph:
        g = Graph()
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        violation = False
        for r in self.results:
            s = r.shape
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.sourceConstraintComponent, r.component))
            g.add((node, SH.sourceShape, s.node))
            g.add((node, SH.resultSeverity, s.severity))
            g.add((node, SH.focusNode, from_ox(r.focus)))
            if r.value is not None:
                g.add((node, SH.value, from_ox(r.value)))
            path = r.path if r.path is not None else s.path
            if path is not None:
                g.add((node, SH.resultPath, path))
                if isinstance(path, BNode) and self.shapes is not None:
                    copy_closure(self.shapes, path, g)
            if r.messages is not None:
                for m in r.messages:
                    g.add((node, SH.resultMessage, m))
            else:
                for m in s.messages:
                    g.add((node, SH.resultMessage, m))
            if isinstance(s.node, BNode) and self.shapes is not None:
                copy_closure(self.shapes, s.node, g)
            violation = violation or s.severity == SH.Violation
        if self.fallback_graph is not None:
            for res in self.fallback_graph.subjects(RDF.type, SH.ValidationResult):
                g.add((report, SH.result, res))
                copy_closure(self.fallback_graph, res, g)
                violation = violation or self.fallback_graph.value(res, SH.resultSeverity) == SH.Violation
        g.add((report, SH.conforms, Literal(not violation)))
        return g


@contextmanager
def _quiet():
    """rdflib logs a traceback for each ill-typed literal it is given (``"2020-13-45"^^xsd:date``)."""
    logger = logging.getLogger("rdflib.term")
    old = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = old


_COMPONENT = {
    SH["class"]: SH.ClassConstraintComponent, SH.datatype: SH.DatatypeConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent, SH.maxCount: SH.MaxCountConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent, SH["in"]: SH.InConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent, SH.languageIn: SH.LanguageInConstraintComponent,
    SH["or"]: SH.OrConstraintComponent, SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
}


(_C_CLASS, _C_DATATYPE, _C_MIN, _C_MAX, _C_PATTERN, _C_IN, _C_NODEKIND, _C_LANGIN, _C_OR, _C_UNIQUELANG,
 _C_QUALIFIED) = range(11)
_CODES = {SH["class"]: _C_CLASS, SH.datatype: _C_DATATYPE, SH.minCount: _C_MIN, SH.maxCount: _C_MAX,
          SH.pattern: _C_PATTERN, SH["in"]: _C_IN, SH.nodeKind: _C_NODEKIND, SH.languageIn: _C_LANGIN,
          SH["or"]: _C_OR, SH.uniqueLang: _C_UNIQUELANG, SH.qualifiedValueShape: _C_QUALIFIED}
#: sh:nodeKind -> the pyoxigraph term types it allows
_NODE_KINDS = {
    SH.IRI: (ox.NamedNode,), SH.BlankNode: (ox.BlankNode,), SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.NamedNode, ox.BlankNode), SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}


class _Evaluator:
    def __init__(self, program: ShapesProgram, data: _Data):
        self.program = program
        self.data = data
        self._conforms: dict = {}
        self._regex: dict = {}
        self._lits: dict = {}
        self._compiled: dict = {}

    # values of a shape at a focus node
    def value_nodes(self, shape: _Shape, focus) -> list:
        if not shape.is_property:
            return [focus]
        return self.data.values(focus, shape.pred, shape.inverse)

    def conforms(self, node, shape: _Shape) -> bool:
        key = (node, shape.node)
        got = self._conforms.get(key)
        if got is None:
            got = self._conforms[key] = not any(True for _ in self.evaluate(shape, [node]))
        return got

    def _checks(self, shape: _Shape) -> list:
        """The shape's constraints compiled once: (code, prepared argument, component)."""
        got = self._compiled.get(shape.node)
        if got is not None:
            return got
        params = shape.params
        checks = []
        for p, args in params.items():
            code = _CODES.get(p)
            if code is None:
                continue   # sh:flags, sh:qualifiedMin/MaxCount: read with their main parameter
            comp = _COMPONENT.get(p)
            for arg in args:
                if code == _C_CLASS:
                    prep = to_ox(arg)
                elif code == _C_NODEKIND:
                    prep = _NODE_KINDS.get(arg, ())
                elif code == _C_PATTERN:
                    prep = self._compile(arg, params.get(SH.flags, [None])[0])
                elif code in (_C_MIN, _C_MAX):
                    prep = int(arg)
                elif code == _C_IN:
                    prep = {to_ox(a) for a in arg}
                elif code == _C_LANGIN:
                    prep = {str(a).lower() for a in arg}
                elif code == _C_UNIQUELANG:
                    if not _true(arg):
                        continue
                    prep = True
                elif code == _C_OR:
                    prep = [self.program.shape(a) for a in arg]
                elif code == _C_QUALIFIED:
                    prep = (self.program.shape(arg), [int(x) for x in params.get(SH.qualifiedMinCount, [])],
                            [int(x) for x in params.get(SH.qualifiedMaxCount, [])])
                else:  # datatype
                    prep = arg
                checks.append((code, prep, comp))
        self._compiled[shape.node] = checks
        return checks

    def evaluate(self, shape: _Shape, focus_nodes: Iterable):
        """Yield the core results of ``shape`` (and its property shapes) at each focus node."""
        checks = self._checks(shape)
        props = shape.properties
        is_instance = self.data.is_instance
        for f in focus_nodes:
            vs = self.value_nodes(shape, f)
            for code, arg, comp in checks:
                if code == _C_CLASS:
                    for v in vs:
                        if isinstance(v, ox.Literal) or not is_instance(v, arg):
                            yield _Result(f, shape, comp, v)
                elif code == _C_NODEKIND:
                    for v in vs:
                        if not isinstance(v, arg):
                            yield _Result(f, shape, comp, v)
                elif code == _C_PATTERN:
                    for v in vs:
                        if isinstance(v, ox.BlankNode) or not arg.search(v.value):
                            yield _Result(f, shape, comp, v)
                elif code == _C_MIN:
                    if len(vs) < arg:
                        yield _Result(f, shape, comp)
                elif code == _C_MAX:
                    if len(vs) > arg:
                        yield _Result(f, shape, comp)
                elif code == _C_DATATYPE:
                    for v in vs:
                        if not self._datatype_ok(v, arg):
                            yield _Result(f, shape, comp, v)
                elif code == _C_IN:
                    for v in vs:
                        if v not in arg:
                            yield _Result(f, shape, comp, v)
                elif code == _C_LANGIN:
                    for v in vs:
                        if not _lang_ok(v, arg):
                            yield _Result(f, shape, comp, v)
                elif code == _C_UNIQUELANG:
                    found, dup = set(), set()
                    for v in vs:
                        if isinstance(v, ox.Literal) and v.language:
                            low = v.language.lower()
                            (dup if low in found else found).add(low)
                    for _d in dup:
                        yield _Result(f, shape, comp)
                elif code == _C_OR:
                    for v in vs:
                        if not any(self.conforms(v, a) for a in arg):
                            yield _Result(f, shape, comp, v)
                elif code == _C_QUALIFIED:
                    q, lows, highs = arg
                    n = sum(1 for v in vs if self.conforms(v, q))
                    for lo in lows:
                        if n < lo:
                            yield _Result(f, shape, SH.QualifiedMinCountConstraintComponent)
                    for hi in highs:
                        if n > hi:
                            yield _Result(f, shape, SH.QualifiedMaxCountConstraintComponent)
            for ps in props:
                yield from self.evaluate(ps, vs)

    def _compile(self, pattern, flags):
        key = (str(pattern), str(flags) if flags is not None else None)
        rx = self._regex.get(key)
        if rx is None:
            fl = 0
            for ch in str(flags or ""):
                fl |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(ch, 0)
            rx = self._regex[key] = re.compile(str(pattern), fl)
        return rx

    def _datatype_ok(self, v, rule) -> bool:
        """pySHACL's DatatypeConstraintComponent on the rdflib form of the literal."""
        if not isinstance(v, ox.Literal):
            return False
        key = (v, rule)
        got = self._lits.get(key)
        if got is not None:
            return got
        lit = from_ox(v)
        datatype, lang = lit.datatype, lit.language
        if datatype == rule:
            ok = False if getattr(lit, "ill_typed", None) is True else _actual(lit, rule)
        elif rule == RDFS.Literal:
            ok = True
        elif rule == RDFS.Datatype and datatype:
            ok = True
        elif datatype is None and lang is None and rule == XSD.string:
            ok = _actual(lit, rule)
        elif rule == RDF.langString and lang:
            ok = _actual(lit, rule)
        else:
            ok = False
        self._lits[key] = ok
        return ok


def _actual(lit: Literal, rule) -> bool:
    from datetime import date, datetime, time
    from decimal import Decimal

    value = lit.value
    if rule in (XSD.string, RDF.langString):
        return isinstance(value, (str, bytes))
    checks = {XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date,
              XSD.time: time, XSD.dateTime: datetime}
    kind = checks.get(rule)
    return True if kind is None else isinstance(value, kind)


def _lang_ok(v, need: set) -> bool:
    if not isinstance(v, ox.Literal) or not v.language:
        return False
    if "*" in need:
        return True
    lang = v.language.lower()
    return lang in need or lang.split("-")[0] in need


def _sparql_results(store: ox.Store, shape: _Shape, targets: list, bulk: bool) -> list:
    """Run each SPARQL constraint of ``shape``: once over the store (bulk) or once per focus node."""
    out = []
    tset = set(targets)
    for c, text, variables, messages in shape.sparql:
        rows: list = []
        if bulk:
            for sol in store.query(text):
                this = sol["this"]
                if this in tset:
                    rows.append((this, sol))
        else:
            var = ox.Variable("this")
            for f in targets:
                for sol in store.query(text, substitutions={var: f}):
                    rows.append((f, sol))
        seen = set()
        for f, sol in rows:
            bound = {v: sol[v] for v in variables if sol[v] is not None}
            t, p, val = bound.pop("this", None), bound.pop("path", None), bound.pop("value", None)
            key = (f, t, p, val, tuple(sorted(bound.items(), key=lambda kv: kv[0])))
            if key in seen:
                continue
            seen.add(key)
            focus = t or f
            if val is None and not shape.is_property:
                val = f
            fvars = {k: from_ox(x) for k, x in bound.items()}
            if t is not None:
                fvars["this"] = from_ox(t)
            if p is not None:
                fvars["path"] = from_ox(p)
            if val is not None:
                fvars["value"] = from_ox(val)
            msgs = []
            for m in messages:
                if m in shape.messages:
                    continue
                msgs.append(Literal(_format(str(m.value), fvars)) if isinstance(m, Literal) else m)
            for m in shape.messages:
                msgs.append(Literal(_format(str(m.value), fvars)) if isinstance(m, Literal) else m)
            out.append(_Result(focus, shape, SH.SPARQLConstraintComponent, val,
                               path=from_ox(p) if p is not None else None, messages=msgs))
    return out


def _format(msg: str, fvars: dict) -> str:
    for var, val in fvars.items():
        msg = re.sub("{{[?$]{}}}".format(var), str(val), msg)
    return msg


# --------------------------------------------------------------------------------------------------------------
# entry points


_PROGRAMS: dict = {}


def _program(shapes: Graph) -> ShapesProgram:
    key = id(shapes), len(shapes)
    prog = _PROGRAMS.get(key)
    if prog is None or prog.graph is not shapes:
        if len(_PROGRAMS) > 8:
            _PROGRAMS.clear()
        prog = _PROGRAMS[key] = ShapesProgram(shapes)
    return prog


def validate_store(store: ox.Store, shapes: Graph, *, focus: Iterable | None = None,
                   data_graph: Graph | None = None) -> FastReport:
    """Validate the default graph of ``store`` (ontology and data together) against ``shapes``.

    :param focus: only report on these nodes (rdflib or pyoxigraph terms): a contribution's own nodes. Lookups are
        then made node by node, so the cost follows the size of ``focus``, not of the store.
    :param data_graph: the same data as an rdflib graph, used only for shapes that fall back to pySHACL (built from
        the store when needed).
    """
    with _quiet():
        return _validate_store(store, shapes, focus, data_graph)


def _validate_store(store: ox.Store, shapes: Graph, focus: Iterable | None,
                    data_graph: Graph | None) -> FastReport:
    prog = _program(shapes)
    fset = None if focus is None else {t if isinstance(t, (ox.NamedNode, ox.BlankNode, ox.Literal)) else to_ox(t)
                                       for t in focus}
    bulk = fset is None
    data = _Data(store, bulk)
    ev = _Evaluator(prog, data)
    results: list = []
    fallback: list = []
    for shape in prog.top:
        if prog.unsupported(shape):
            fallback.append(shape.node)
            continue
        targets = data.targets(shape, fset)
        if not targets:
            continue
        results.extend(ev.evaluate(shape, targets))
        if shape.sparql:
            results.extend(_sparql_results(store, shape, targets, bulk))
    fb_graph = None
    if fallback:
        fb_graph = _fallback(store, shapes, fallback, data_graph, fset)
    return FastReport(results, fallback, fb_graph, shapes)


def _fallback(store: ox.Store, shapes: Graph, nodes: list, data_graph: Graph | None, fset) -> Graph:
    """Validate the shapes ``nodes`` with pySHACL (never skip a shape this engine does not implement)."""
    from pyshacl import validate as shacl_validate

    sub = Graph()
    for n in nodes:
        copy_closure(shapes, n, sub)
        for p, o in shapes.predicate_objects(n):
            if isinstance(o, (URIRef, BNode)) and (o, None, None) in shapes:
                copy_closure(shapes, o, sub)
    keep = set(nodes)
    for t in _TARGETS:
        for s, o in list(sub.subject_objects(t)):
            if s not in keep:
                sub.remove((s, t, o))
    for s, p, o in shapes.triples((None, SH.declare, None)):
        sub.add((s, p, o))
        copy_closure(shapes, o, sub)
    if data_graph is None:
        data_graph = Graph()
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            data_graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    _c, results, _t = shacl_validate(data_graph, shacl_graph=sub, inference="none", advanced=False,
                                     allow_warnings=True, allow_infos=True)
    if fset is not None:
        keepf = {from_ox(f) for f in fset}
        for r in list(results.subjects(RDF.type, SH.ValidationResult)):
            if results.value(r, SH.focusNode) not in keepf:
                for t in list(results.triples((r, None, None))):
                    results.remove(t)
    return results


def validate_graph(data: Graph, shapes: Graph, *, focus: Iterable | None = None) -> FastReport:
    """Validate an rdflib graph (ontology and data together) against ``shapes``: see :func:`validate_store`."""
    return validate_store(store_from_graph(data), shapes, focus=focus, data_graph=data)
