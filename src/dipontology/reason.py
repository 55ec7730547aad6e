"""Reasoning: consistency, unsatisfiable classes and inferred class memberships, as HermiT finds them.

Two methods give the same three answers (a test runs both on the shipped graph, generated graphs and broken inputs):

* ``method="rules"`` (the default): HermiT judges the ontology alone (the TBox: classes, properties, axioms and the
  individuals the axioms name; a few seconds, cached by content), and the data is reasoned over by rules
  (:mod:`dipontology.abox`): the minimal model of the OWL 2 RL part of the ontology over the data, with the merges
  functional properties force, checked against every axiom, including those outside OWL 2 RL. When that model
  satisfies every axiom it is a model of ontology + data, so its class memberships are exactly HermiT's; a clash in
  it means the input is inconsistent. An open union (an individual in a union's domain, in none of its members)
  is decided by cases, each case closed by the rules again. Only what the rules cannot settle (an existential
  nobody witnesses, ...) makes HermiT see data: the connected components of the data where that happens. Linear in
  the data; ``ReasonResult.stages`` says which part ran where.
* ``method="hermit"``: everything (ontology and all data) through HermiT in one run, as before: 13-50 s for the
  shipped graph, no answer in 600 s at 100k triples. Also the fallback when the input uses a construct the rules do
  not implement (:class:`dipontology.abox.Unsupported`).

HermiT needs Java. Each run uses a fresh owlready2 ``World`` (owlready2 keeps global state otherwise), and the
graph handed to it is cleaned first (ENGINE-NOTES): ``owl:imports`` are removed so nothing is fetched, owlready2's
own annotations that import Python modules are removed, and literals whose datatype is outside the OWL 2 datatype
map (``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date``: the dates of the data) are left out, because HermiT refuses
them; the number left out is reported. Dates play no part in the ontology's axioms.

>>> r = reason()                                                    # doctest: +SKIP
>>> r.consistent, r.unsatisfiable                                   # doctest: +SKIP
(True, [])
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from . import resources
from .abox import OWLREADY_UNSAFE, Materialiser, Split, Unsupported, key
from .atomic import write_bytes, write_text
from .export import serialize_triples
from .load import trusted_graph
from .terms import to_oxigraph
from .errors import DependencyError, InputError

#: the datatypes HermiT accepts (the OWL 2 datatype map plus rdf:PlainLiteral / rdf:langString)
OWL2_DATATYPES = {
    str(XSD[n]) for n in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short "
        "byte unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token "
        "language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
    ).split()
} | {
    "http://www.w3.org/2002/07/owl#real", "http://www.w3.org/2002/07/owl#rational",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral", "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
    "http://www.w3.org/2000/01/rdf-schema#Literal", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
}



@dataclass
class InferredType:
    """A class membership of an individual that HermiT inferred and the input did not assert."""

    individual: str
    cls: str
    individual_label: str | None = None
    class_label: str | None = None


@dataclass
class ReasonResult:
    """What HermiT found.

    :param consistent: whether ontology + data is consistent.
    :param unsatisfiable: IRIs of unsatisfiable named classes (empty when inconsistent: nothing can be said).
    :param inferred: inferred class memberships of named individuals in our namespaces, not asserted in the input.
    :param dropped_literals: literals left out because HermiT does not support their datatype.
    :param triples: size of the graph handed to the reasoner.
    :param seconds: reasoning time.
    """

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred: list[InferredType] = field(default_factory=list)
    dropped_literals: int = 0
    triples: int = 0
    seconds: float = 0.0
    explanation: str | None = None
    #: which part ran where and how long (e.g. "TBox: HermiT 2.1 s; ABox: rules 0.4 s"); not part of equality
    stages: str = field(default="", compare=False)

    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable

    def members(self, cls: str) -> set[str]:
        """IRIs of the individuals inferred to belong to ``cls`` (an IRI)."""
        return {t.individual for t in self.inferred if t.cls == cls}

    def to_json(self) -> str:
        return json.dumps({"consistent": self.consistent, "unsatisfiable": self.unsatisfiable,
                           "inferred": [asdict(t) for t in self.inferred],
                           "dropped_literals": self.dropped_literals, "triples": self.triples,
                           "seconds": round(self.seconds, 3), "stages": self.stages}, indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        lines = [f"consistent: {'yes' if self.consistent else 'NO'}"]
        if self.explanation:
            lines.append(f"  {self.explanation}")
        lines.append(f"unsatisfiable classes: {len(self.unsatisfiable)}")
        lines += [f"  {c}" for c in self.unsatisfiable]
        lines.append(f"inferred class memberships: {len(self.inferred)}")
        for t in self.inferred:
            lines.append(f"  {t.individual_label or t.individual}  ->  {t.class_label or t.cls}")
        lines.append(f"({self.triples} triples reasoned over in {self.seconds:.1f} s; {self.dropped_literals} date "
                     "literals outside the OWL 2 datatype map left out" + (f"; {self.stages}" if self.stages else "")
                     + ")")
        return "\n".join(lines)


def default_graph(include_data: bool = True) -> Graph:
    """The shipped ontology, plus the shipped data when ``include_data``."""
    g = Graph()
    for f in [resources.ontology_file(), *(resources.data_files() if include_data else ())]:
        g += trusted_graph(f)  # through the one reader (dipontology.load), trusted: the project's own files
    return g


def prepare(graph: Graph) -> tuple[Graph, int]:
    """A copy of ``graph`` that is safe and acceptable for owlready2/HermiT, and the number of literals dropped."""
    out = Graph()
    dropped = 0
    for s, p, o in graph:
        if p == OWL.imports or str(p) in OWLREADY_UNSAFE:
            continue
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) not in OWL2_DATATYPES:
            dropped += 1
            continue
        out.add((s, p, o))
    # owlready2 hands HermiT only the individuals it knows: declare every IRI typed with a class as an individual
    classes = set(graph.subjects(RDF.type, OWL.Class))
    for ind, cls in graph.subject_objects(RDF.type):
        if isinstance(ind, URIRef) and cls in classes and ind not in classes:
            out.add((ind, RDF.type, OWL.NamedIndividual))
    return out, dropped


def _ancestors(graph: Graph):
    """``ancestors(cls)``: the class IRI and every class above it by asserted ``rdfs:subClassOf`` (memoised)."""
    supers: dict[str, set[str]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            supers.setdefault(str(sub), set()).add(str(sup))
    memo: dict[str, frozenset] = {}

    def ancestors(cls: str) -> frozenset:
        hit = memo.get(cls)
        if hit is None:
            seen, todo = {cls}, [cls]
            while todo:
                for sup in supers.get(todo.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
            hit = memo[cls] = frozenset(seen)
        return hit

    return ancestors


def _told_types(graph: Graph) -> set[tuple[str, str]]:
    """(individual, class) pairs that follow from asserted types through the asserted subclass hierarchy alone,
    so that the report lists only what needed the reasoner."""
    ancestors = _ancestors(graph)
    told: set[tuple[str, str]] = set()
    for ind, cls in graph.subject_objects(RDF.type):
        told.update((str(ind), a) for a in ancestors(str(cls)))
    return told


def require_java() -> None:
    if shutil.which("java") is None:
        raise DependencyError("the reasoner needs 'java' (HermiT runs on the JVM) and no 'java' is on PATH",
                              fix="install a Java runtime, e.g. 'apt-get install default-jre-headless'")


def cache_dir() -> Path:
    """Where reasoning results are cached: ``$DIPONTOLOGY_CACHE_DIR/reason`` or ``~/.cache/dipontology/reason``."""
    base = os.environ.get("DIPONTOLOGY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "dipontology")
    return Path(base) / "reason"


def _cache_key(graph: Graph, prefixes: tuple[str, ...]) -> str:
    """SHA-256 of the graph in canonical form (RDFC-1.0 blank-node labels, sorted lines) and the settings."""
    import owlready2  # optional dependency: importing owlready2 is slow and only HermiT runs need it

    dataset = ox.Dataset(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = sorted(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).splitlines())
    h = hashlib.sha256()
    h.update(f"owlready2 {owlready2.VERSION} hermit -c -O -D -I\n{prefixes!r}\n".encode())
    for line in lines:
        h.update(line + b"\n")
    return h.hexdigest()


def _from_cache(path: Path) -> ReasonResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["inferred"] = [InferredType(**t) for t in data["inferred"]]
        return ReasonResult(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _to_cache(path: Path, result: ReasonResult) -> None:
    try:
        write_text(path, json.dumps(asdict(result), ensure_ascii=False))
    except OSError:  # a read-only cache is no reason to fail
        pass


class _Progress:
    """Progress lines on stderr once reasoning has taken more than 2 seconds (``reason: ...``), and the summary of
    which part ran where."""

    def __init__(self, sink: Callable[[str], None] | None) -> None:
        self.started = time.perf_counter()
        self.sink = sink if sink is not None else (lambda m: print(f"reason: {m}", file=sys.stderr, flush=True))
        self.parts: list[str] = []

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def note(self, message: str, force: bool = False) -> None:
        if force or self.elapsed() > 2.0:
            self.sink(message)

    def part(self, text: str) -> None:
        self.parts.append(text)

    @contextmanager
    def stage(self, what: str):
        """Say ``what ...`` on the sink if the stage is still running after 2 seconds."""
        timer = threading.Timer(2.0, lambda: self.sink(f"{what} ..."))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def summary(self) -> str:
        return "; ".join(self.parts)


def reason(graph: Graph | None = None, *, include_data: bool = True,
           namespaces: Iterable[str] = ("https://w3id.org/dipontology/",), cache: bool = True,
           method: str = "rules", progress: Callable[[str], None] | None = None) -> ReasonResult:
    """Consistency, unsatisfiable classes and inferred class memberships of ``graph`` (default: the shipped ontology
    and data), as HermiT finds them.

    HermiT's answer depends only on its input, so each HermiT run is cached by the SHA-256 of the canonical
    N-Triples handed to it (see :func:`cache_dir`): with ``method="rules"`` that is the ontology part, with
    ``method="hermit"`` the whole graph. ``cache=False`` always runs HermiT.

    :param graph: the graph to reason over: an rdflib ``Graph``, or a :class:`dipontology.graph.TripleView` of
        pyoxigraph triples (the same answers, without a ``Graph``'s copy); ``None`` for the shipped ontology (+ data
        when ``include_data``).
    :param namespaces: report inferred types only for individuals (and classes) whose IRI starts with one of these.
    :param cache: reuse a cached HermiT result for identical input.
    :param method: ``"rules"`` (HermiT for the ontology, rules for the data, HermiT for the data only where the
        rules cannot settle an axiom) or ``"hermit"`` (everything through HermiT at once).
    :param progress: where progress lines go (default: stderr, and only once reasoning has taken over 2 s).
    :return: a :class:`ReasonResult` (``stages`` says which part ran where).
    :raises DependencyError: if ``java`` is missing.
    """
    require_java()
    if method not in ("rules", "hermit"):
        raise ValueError(f"unknown reasoning method {method!r}: use 'rules' or 'hermit'")
    if graph is None:
        graph = default_graph(include_data)
    prefixes = tuple(namespaces)
    prog = _Progress(progress)
    if method == "rules":
        try:
            return _reason_rules(graph, prefixes, cache, prog)
        except Unsupported as exc:
            prog.note(f"the input uses {exc}, which the rules do not implement: all of it goes to HermiT", force=True)
            prog.part(f"rules: {exc} not implemented")
    return _reason_whole(graph, prefixes, cache, prog)


def _reason_whole(graph: Graph, prefixes: tuple[str, ...], cache: bool, prog: _Progress) -> ReasonResult:
    """Everything through HermiT in one run (the ``"hermit"`` method, and the fallback of ``"rules"``)."""
    clean, dropped = prepare(graph)
    started = time.perf_counter()
    with prog.stage(f"HermiT over ontology + data ({len(clean)} triples)"):
        result = _hermit_cached(graph, clean, dropped, prefixes, cache)
    prog.part(f"ontology + data: HermiT {time.perf_counter() - started:.1f} s ({len(clean)} triples)")
    result.stages = prog.summary()
    if prog.elapsed() > 2.0:
        prog.note(result.stages)
    return result


def _hermit_cached(graph: Graph, clean: Graph, dropped: int, prefixes: tuple[str, ...],
                   cache: bool, short: bool = False) -> ReasonResult:
    cached_at = None
    if cache:
        cached_at = cache_dir() / f"{_cache_key(clean, prefixes)}.json"
        hit = _from_cache(cached_at) if cached_at.exists() else None
        if hit is not None:
            return hit
    with _short_jvm(short):
        result = _run_hermit(graph, clean, dropped, prefixes)
    if cached_at is not None:
        _to_cache(cached_at, result)
    return result


#: JVM options for a short HermiT run (the ontology alone, about a second of work): the quick (C1) compiler only.
#: The JVM's start and its optimising (C2) compiler's work on HermiT's code took about as long as the reasoning
#: itself (2.9-3.3 s for the shipped ontology's run with them, 1.2-1.7 s without, measured on a loaded 2-core
#: machine); long runs (the whole graph) keep the JVM's defaults, where C2 pays off.
SHORT_JVM_OPTIONS = "-XX:TieredStopAtLevel=1"
_jvm_lock = threading.Lock()


@contextmanager
def _short_jvm(short: bool):
    """``JAVA_TOOL_OPTIONS`` set to :data:`SHORT_JVM_OPTIONS` for the Java that owlready2 starts (no other way to
    pass it JVM options), when ``short`` and the user has not set it; restored afterwards."""
    if not short or "JAVA_TOOL_OPTIONS" in os.environ:
        yield
        return
    with _jvm_lock:
        os.environ["JAVA_TOOL_OPTIONS"] = SHORT_JVM_OPTIONS
        try:
            yield
        finally:
            os.environ.pop("JAVA_TOOL_OPTIONS", None)


@contextmanager
def _no_gc():
    """The cyclic garbage collector off while the rules build millions of small sets and dicts (its full passes
    scan the whole heap, the input graph included, and would make the rules grow faster than the data)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _reason_rules(graph: Graph, prefixes: tuple[str, ...], cache: bool, prog: _Progress) -> ReasonResult:
    with _no_gc():
        return _reason_rules_inner(graph, prefixes, cache, prog)


def _reason_rules_inner(graph: Graph, prefixes: tuple[str, ...], cache: bool, prog: _Progress) -> ReasonResult:
    t0 = time.perf_counter()
    with prog.stage(f"ABox: rules over the data ({len(graph)} triples)"):
        split = Split.of(graph, OWL2_DATATYPES)
        materialised = Materialiser(split).run()
    t_rules = time.perf_counter() - t0
    prog.note(f"ABox: rules over {len(split.types) + len(split.edges)} assertions: {t_rules:.1f} s")

    # the ontology (and what the data says about the individuals the axioms name) to HermiT
    tbox = _tbox_graph(split, materialised)
    t1 = time.perf_counter()
    tclean, _ = prepare(tbox)
    with prog.stage(f"TBox: HermiT over the ontology ({len(tclean)} triples)"):
        tres = _hermit_cached(tbox, tclean, 0, prefixes, cache, short=True)
    t_tbox = time.perf_counter() - t1
    prog.part(f"TBox: HermiT {t_tbox:.1f} s ({len(tclean)} triples)")

    t2 = time.perf_counter()
    labels = {str(s): str(o) for s, o in graph.subject_objects(RDFS.label)}
    memberships = _membership_reader(graph, split, prefixes, labels)
    unsat = list(tres.unsatisfiable)
    explanation, bad = (("HermiT found the ontology inconsistent", []) if not tres.consistent
                        else _assess(materialised, unsat))
    inferred: list[InferredType] = []
    branches = ""
    routed = "0 components to HermiT"
    if explanation is None and bad:
        # the rules leave disjunctions open (a union as superclass, e.g. an rdfs:domain union, for an individual in
        # none of its members): every model puts the individual into one member, so the answers are what holds in
        # every branch; each branch is closed by the rules and must itself be a model of everything
        others = [b for b in bad if not _is_union(b)]
        settled = None if others else _settle_unions(split, materialised, bad, unsat, memberships)
        if settled is None:
            where = ", ".join(sorted({f"{_name(b[0])}: {b[1]}" for b in (others or bad)[:3]}))
            prog.note(f"the rules cannot settle {len(others or bad)} axiom instance(s) (e.g. {where}): their "
                      "connected components go to HermiT", force=True)
            # unions outside those components are still decided by cases
            _nominals, find = _components(split, materialised)
            routed_roots = {find(b[0]) for b in (others or bad) if not materialised.is_literal(b[0])}
            rest = [b for b in bad if _is_union(b) and find(b[0]) not in routed_roots] if others else []
            to_hermit, base = bad, None
            if rest:
                to_hermit = [b for b in bad if b not in rest]
                decided = _settle_unions(split, materialised, rest, unsat, memberships, also_open=to_hermit)
                if decided is None:
                    to_hermit = bad
                elif decided[0] is not None:
                    explanation = decided[0]
                else:
                    base, n = decided[1], decided[2]
                    branches = f", {n} branches for {len(rest)} open union(s)"
            if explanation is None:
                settled = _components_to_hermit(memberships, split, materialised, to_hermit, prefixes, labels,
                                                cache, prog, base)
                if settled is None:
                    prog.part(f"ABox: rules {time.perf_counter() - t0 - t_tbox:.1f} s left {len(bad)} open axiom "
                              "instance(s) HermiT could not isolate: all data to HermiT")
                    return _reason_whole(graph, prefixes, cache, prog)
                explanation, inferred, routed = settled
        else:
            explanation, inferred, n = settled
            branches = f", {n} branches for {len(bad)} open union(s)"
    elif explanation is None:
        inferred = memberships(materialised)
    t_check = time.perf_counter() - t2
    prog.part(f"ABox: rules {t_rules + t_check:.1f} s ({len(split.types) + len(split.edges)} assertions"
              f"{branches}); {routed}")

    triples = split.kept + memberships.declarations_added  # type: ignore[attr-defined]
    seconds = time.perf_counter() - t0
    if explanation is not None:
        result = ReasonResult(consistent=False, dropped_literals=split.dropped, triples=triples, seconds=seconds,
                              explanation=explanation, stages=prog.summary())
    else:
        result = ReasonResult(consistent=True, unsatisfiable=list(tres.unsatisfiable), inferred=inferred,
                              dropped_literals=split.dropped, triples=triples, seconds=seconds,
                              stages=prog.summary())
    if prog.elapsed() > 2.0:
        prog.note(result.stages)
    return result


def _assess(m: Materialiser, unsat: list) -> tuple[str | None, list]:
    """(why M is inconsistent or None, the axiom instances M breaks)."""
    if m.clash is not None:
        return f"the data is inconsistent: {m.clash} ({_name(m.clash_at)})", []
    for cls in unsat:
        inside = m.members.get(cls)
        if inside:
            who = _name(sorted(inside, key=str)[0])
            return f"the data is inconsistent: {who} belongs to the unsatisfiable class {cls}", []
    bad = m.verify()
    if m.clash is not None:
        return f"the data is inconsistent: {m.clash} ({_name(m.clash_at)})", []
    return None, bad


def _components(split: Split, m: Materialiser):
    """(the shared individuals, the component root of a node): components of the data connected by property
    assertions between individuals, not through the individuals the ontology names."""
    nominals = {m.find(n) for n in split.nominals}
    parent: dict = {}

    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for x, d in m.out.items():
        if m.find(x) != x or x in nominals:
            continue
        for ys in d.values():
            for y in ys:
                if not m.is_literal(y) and y not in nominals:
                    a, b = find(x), find(y)
                    if a != b:
                        parent[a] = b
    return nominals, find


def _components_to_hermit(memberships: Callable, split: Split, m: Materialiser, bad: list, prefixes: tuple[str, ...],
                          labels: dict[str, str], cache: bool, prog: _Progress,
                          base: list[InferredType] | None = None) -> tuple | None:
    """HermiT over the connected components of the data that hold an axiom instance the rules left open.

    Components are connected by property assertions between individuals, not through the individuals the ontology
    names (``dip:TrackOne``, the roles ...): what the data says about those is part of the ontology run and of
    every component run. HermiT sees the ontology, those individuals' facts and the component's assertions; the
    rest keeps the rules' answers. Returns ``(explanation or None, inferred, summary)``, or None when HermiT
    concludes something new about a shared individual (then the components are not independent: all to HermiT).
    """
    started = time.perf_counter()
    nominals, find = _components(split, m)
    roots = {find(b[0]) for b in bad if not m.is_literal(b[0])}
    if not roots or any(b[0] in nominals for b in bad):
        return None
    inside = {k for k in m.types if find(m.find(k)) in roots}
    for members in m.merged.values():
        inside |= {k for k in members if find(m.find(k)) in roots}
    g = _tbox_graph(split, m)
    for s, o in split.types:
        if s in inside:
            g.add((_term(s), RDF.type, o))
    for s, p, o in split.edges:
        if s in inside:
            g.add((_term(s), URIRef(p), _term(o)))
    for a, b in split.same:
        if a in inside or b in inside:
            g.add((_term(a), OWL.sameAs, _term(b)))
    for a, b in split.different:
        if a in inside or b in inside:
            g.add((_term(a), OWL.differentFrom, _term(b)))
    for ind in split.individual_declarations:
        if key(ind) in inside:
            g.add((ind, RDF.type, OWL.NamedIndividual))
    clean, _dropped = prepare(g)
    with prog.stage(f"ABox: HermiT over {len(roots)} component(s) ({len(inside)} individuals, {len(clean)} "
                    "triples)"):
        result = _hermit_cached(g, clean, 0, prefixes, cache)
    summary = (f"{len(roots)} component(s) to HermiT {time.perf_counter() - started:.1f} s "
               f"({len(inside)} individuals)")
    if not result.consistent:
        return "HermiT found a component of the data inconsistent", [], summary
    thing = str(OWL.Thing)
    for t in result.inferred:
        if t.individual not in inside:
            # a shared individual: HermiT must not know more about it than the rules did
            if t.cls not in m.named_types(t.individual) and t.cls != thing:
                return None
    outside = [t for t in (memberships(m) if base is None else base) if t.individual not in inside]
    within = [InferredType(t.individual, t.cls, labels.get(t.individual), labels.get(t.cls))
              for t in result.inferred if t.individual in inside]
    return None, sorted(outside + within, key=lambda t: (t.cls, t.individual)), summary


def _is_union(item: tuple) -> bool:
    """An axiom instance M breaks whose right-hand side is a union (decidable by cases)."""
    return len(item) > 2 and isinstance(item[2], tuple) and item[2][0] == "or"


def _clash_free(m: Materialiser, unsat: list) -> bool:
    return m.clash is None and not any(m.members.get(c) for c in unsat)


#: at most this many combinations of branches are tried before HermiT decides
MAX_BRANCHES = 64


def _settle_unions(split: Split, m: Materialiser, bad: list, unsat: list, memberships,
                   also_open: list | None = None) -> tuple | None:
    """Decide open unions by cases: ``(explanation or None, inferred, branches tried)``, or None when a branch is
    not settled by the rules either, or a component has too many combinations.

    Every model puts the individual of an open union into one of its members, so what is entailed is what holds in
    every branch (a branch: M plus one member per open union, closed by the rules, and itself a model of
    everything). Unions in different components of the data are decided apart: a branch of one component must
    not change anything outside it (the shared individuals' types, merges elsewhere), which is checked; at the end
    one branch per component is combined and must be a model of everything (but for ``also_open``: the axiom
    instances whose components HermiT decides).
    """
    if any(r[0] == "I" for r in split.functional):
        return None  # an inverse-functional property could merge across components: not decided apart
    opened: dict = {}
    for item in bad:
        if not _is_union(item) or m.is_literal(item[0]):
            return None
        opened[(item[0], item[2])] = item[2][1]
    alone: set = set()
    for where, options in opened.items():
        # a member the individual cannot be in on its own (a disjointness, ...) is no branch
        kept, confined = [], True
        for o in options:
            b = m.branch([(where[0], o)])
            if _clash_free(b, unsat):
                kept.append(o)
                confined = confined and b.confined_to(where[0], m)
        opened[where] = kept
        if confined:
            alone.add(where[0])
    nominals, find = _components(split, m)
    shared_types = {n: m.named_types(n) for n in nominals}
    groups: dict = {}
    for (x, right), options in sorted(opened.items(), key=lambda kv: str(kv[0][0])):
        # a union whose every branch changes only the individual's own types, in a way no other individual can
        # notice, is decided on its own; the others together with their component
        groups.setdefault(("alone", x) if x in alone and sum(1 for k in opened if k[0] == x) == 1
                          else find(x), []).append((x, options))
    allowed = {(item[0], item[1]) for item in also_open or ()}
    original = {(item[0], item[1]) for item in bad} | allowed
    base = memberships(m)
    base_keys = {(t.individual, t.cls) for t in base}
    by_key = {(t.individual, t.cls): t for t in base}
    entailed = set(base_keys)
    first_choices: list = []
    tried = 0
    for root, items in groups.items():
        combos: list = [[]]
        for x, options in items:
            combos = [c + [(x, o)] for c in combos for o in options]
            if len(combos) > MAX_BRANCHES:
                return None
        common: set | None = None
        for combo in combos:
            tried += 1
            b = m.branch(combo)
            why, still = _assess(b, unsat)
            if why is not None:
                continue  # this branch has no model
            mine = {x for x, _o in combo}
            if any(st[0] in mine or (st[0], st[1]) not in original for st in still):
                return None  # the rules do not settle this branch either (only other unions may stay open)
            if any(b.named_types(n) != t for n, t in shared_types.items()):
                return None  # the branch reaches the shared individuals: not independent
            if any(find(m.find(k)) != find(x) for k in b.parent.own_keys() if k not in m.parent for x in mine):
                return None  # a merge outside the component
            found = memberships(b)
            for t in found:
                by_key.setdefault((t.individual, t.cls), t)
            keys = {(t.individual, t.cls) for t in found}
            common = keys if common is None else common & keys
            if common is keys:
                first_choices += combo
        if common is None:
            return ("the data is inconsistent: every choice an open union allows leads to a contradiction",
                    [], tried)
        entailed |= common
    # one branch per component together is a model of everything (so the data is consistent)
    combined = m.branch(first_choices)
    why, still = _assess(combined, unsat)
    if why is not None or any((st[0], st[1]) not in allowed for st in still):
        return None
    inferred = sorted((by_key[k] for k in entailed), key=lambda t: (t.cls, t.individual))
    return None, inferred, tried


def _name(node) -> str:
    if isinstance(node, tuple):
        return "a literal"
    return str(node)


def _term(k):
    """The rdflib term of a key of :mod:`dipontology.abox` (an IRI string, ``_:id``, or a literal)."""
    if isinstance(k, Literal):
        return k
    return BNode(k[2:]) if k.startswith("_:") else URIRef(k)


def _tbox_graph(split: Split, m: Materialiser) -> Graph:
    """The ontology part for HermiT: the schema triples, and for each individual an axiom or owl:AllDifferent names,
    its asserted and derived types and its property values (with the derived types of those values)."""
    g = Graph()
    for t in split.schema:
        g.add(t)
    named = split.nominals
    for s, o in split.types:
        if s in named:
            g.add((_term(s), RDF.type, o))
    targets = set()
    for s, p, o in split.edges:
        if s in named:
            g.add((_term(s), URIRef(p), _term(o)))
            if not isinstance(o, Literal):
                targets.add(o)
    for a, b in split.same:
        if a in named or b in named:
            g.add((_term(a), OWL.sameAs, _term(b)))
    for ind in split.individual_declarations:
        if key(ind) in named:
            g.add((ind, RDF.type, OWL.NamedIndividual))
    for ind in named | targets:
        if not isinstance(ind, Literal):
            for cls in m.named_types(ind):
                if cls != str(OWL.Thing):
                    g.add((_term(ind), RDF.type, URIRef(cls)))
    return g


def _membership_reader(graph: Graph, split: Split, prefixes: tuple[str, ...],
                       labels: dict[str, str]) -> Callable[[Materialiser], list[InferredType]]:
    """A function from a model to the class memberships HermiT (through owlready2) reports: of individuals
    owlready2 knows (declared owl:NamedIndividual, or typed with a declared class), in classes declared owl:Class,
    under ``prefixes``, not following from the asserted types and the asserted subclass hierarchy. What depends on
    the graph alone is read once."""
    classes = set(graph.subjects(RDF.type, OWL.Class))
    known: set = set(split.declared_individuals)
    typed: set = set()
    asserted: dict = {}
    for ind, cls in graph.subject_objects(RDF.type):
        if isinstance(ind, URIRef):
            asserted.setdefault(str(ind), set()).add(cls)
            if cls in classes and ind not in classes:
                typed.add(str(ind))
    known |= typed
    ancestors = _ancestors(graph)

    reported: list[tuple[str, frozenset]] = []
    for ind in sorted(known):
        if ind.startswith("_:") or not ind.startswith(prefixes):
            continue
        told: set = set()
        for cls in asserted.get(ind, ()):
            told |= ancestors(str(cls))
        reported.append((ind, frozenset(told)))
    thing = str(OWL.Thing)
    classes_ok = {c for c in split.classes if c.startswith(prefixes) and c != thing}

    def of(m: Materialiser, which) -> list[InferredType]:
        out: list[InferredType] = []
        for ind, told in which:
            for iri in m.named_types(ind):
                if iri in classes_ok and iri not in told:
                    out.append(InferredType(ind, iri, labels.get(ind), labels.get(iri)))
        return out

    last: list = [None, None]  # the last model read without a base, and what was read
    told_of = dict(reported)

    def read(m: Materialiser) -> list[InferredType]:
        base = m.base
        if base is not None and m.touched is not None:
            # a branch: only the individuals whose node (in the base) the branch changed can read differently
            if last[0] is not base:
                last[:] = [base, of(base, reported)]
            changed = {base.find(n) for n in m.touched if not m.is_literal(n)}
            out = [t for t in last[1] if base.find(t.individual) not in changed]
            again = set()
            for node in changed:
                again.update(i for i in (node, *base.merged.get(node, ())) if i in told_of)
            out += of(m, [(ind, told_of[ind]) for ind in sorted(again)])
        else:
            out = of(m, reported)
        out.sort(key=lambda t: (t.cls, t.individual))
        return out

    # how many owl:NamedIndividual declarations prepare() adds (for the triple count)
    read.declarations_added = len(typed - {str(d) for d in split.individual_declarations})  # type: ignore

    return read


def _run_hermit(graph: Graph, clean: Graph, dropped: int, prefixes: tuple[str, ...]) -> ReasonResult:
    import owlready2  # optional dependency: importing owlready2 is slow and only HermiT runs need it

    labels = {str(s): str(o) for s, o in graph.subject_objects(RDFS.label)}
    asserted = _told_types(graph)
    with tempfile.TemporaryDirectory(prefix="dipontology-reason-") as tmp:
        nt = Path(tmp) / "input.nt"
        write_bytes(nt, serialize_triples(clean, "nt"), sync_dir=False)  # a scratch file: no folder sync
        world = owlready2.World()
        onto = world.get_ontology(nt.as_uri()).load()
        started = time.perf_counter()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasonResult(consistent=False, dropped_literals=dropped, triples=len(clean),
                                seconds=time.perf_counter() - started,
                                explanation="HermiT found the ontology and data inconsistent: some individual "
                                            "belongs to disjoint classes or breaks a functional property")
        except owlready2.OwlReadyJavaError as exc:
            message = str(exc).strip().splitlines()
            detail = next((m for m in message if "Exception" in m), message[-1] if message else "")
            raise InputError(f"HermiT could not process the input: {detail}",
                             fix="check the input for constructs outside OWL 2 DL") from None
        seconds = time.perf_counter() - started
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c.iri != str(OWL.Nothing))
        inferred: list[InferredType] = []
        for ind in world.individuals():
            if not ind.iri.startswith(prefixes):
                continue
            for cls in ind.INDIRECT_is_a:
                iri = getattr(cls, "iri", None)
                if not iri or iri == str(OWL.Thing) or (ind.iri, iri) in asserted:
                    continue
                if not iri.startswith(prefixes):
                    continue
                inferred.append(InferredType(ind.iri, iri, labels.get(ind.iri), labels.get(iri)))
        world.close()
    inferred.sort(key=lambda t: (t.cls, t.individual))
    return ReasonResult(consistent=True, unsatisfiable=unsat, inferred=inferred, dropped_literals=dropped,
                        triples=len(clean), seconds=seconds)
