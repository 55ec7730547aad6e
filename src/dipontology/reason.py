"""Reasoning: HermiT through owlready2 (consistency, unsatisfiable classes, inferred types) and OWL RL closure.

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

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from . import resources
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

#: owlready2 annotations that make it import Python modules (never honoured for our inputs)
OWLREADY_UNSAFE = ("http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_module",
                   "http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_name")


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

    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable

    def members(self, cls: str) -> set[str]:
        """IRIs of the individuals inferred to belong to ``cls`` (an IRI)."""
        return {t.individual for t in self.inferred if t.cls == cls}

    def to_json(self) -> str:
        return json.dumps({"consistent": self.consistent, "unsatisfiable": self.unsatisfiable,
                           "inferred": [asdict(t) for t in self.inferred],
                           "dropped_literals": self.dropped_literals, "triples": self.triples,
                           "seconds": round(self.seconds, 3)}, indent=2, ensure_ascii=False)

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
                     "literals outside the OWL 2 datatype map left out)")
        return "\n".join(lines)


def default_graph(include_data: bool = True) -> Graph:
    """The shipped ontology, plus the shipped data when ``include_data``."""
    g = Graph()
    g.parse(resources.ontology_file(), format="turtle")
    if include_data:
        for f in resources.data_files():
            g.parse(f, format="turtle")
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


def _told_types(graph: Graph) -> set[tuple[str, str]]:
    """(individual, class) pairs that follow from asserted types through the asserted subclass hierarchy alone,
    so that the report lists only what needed the reasoner."""
    supers: dict[str, set[str]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            supers.setdefault(str(sub), set()).add(str(sup))

    def ancestors(cls: str) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for sup in supers.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

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
    import owlready2
    import pyoxigraph as ox

    dataset = ox.Dataset(ox.parse(graph.serialize(format="nt").encode("utf-8"), ox.RdfFormat.N_TRIPLES))
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
    from .atomic import write_text

    try:
        write_text(path, json.dumps(asdict(result), ensure_ascii=False))
    except OSError:  # a read-only cache is no reason to fail
        pass


def reason(graph: Graph | None = None, *, include_data: bool = True,
           namespaces: Iterable[str] = ("https://w3id.org/dipontology/",), cache: bool = True) -> ReasonResult:
    """Run HermiT over ``graph`` (default: the shipped ontology and data).

    HermiT's answer depends only on its input, so results are cached by the SHA-256 of the canonical N-Triples
    handed to it (see :func:`cache_dir`): a changed ontology or data file is a new key. ``cache=False`` always
    runs HermiT.

    :param graph: the graph to reason over; ``None`` for the shipped ontology (+ data when ``include_data``).
    :param namespaces: report inferred types only for individuals whose IRI starts with one of these.
    :param cache: reuse a cached result for identical input.
    :return: a :class:`ReasonResult`.
    :raises DependencyError: if ``java`` is missing.
    """
    require_java()
    if graph is None:
        graph = default_graph(include_data)
    clean, dropped = prepare(graph)
    prefixes = tuple(namespaces)
    cached_at = None
    if cache:
        cached_at = cache_dir() / f"{_cache_key(clean, prefixes)}.json"
        hit = _from_cache(cached_at) if cached_at.exists() else None
        if hit is not None:
            return hit
    result = _run_hermit(graph, clean, dropped, prefixes)
    if cached_at is not None:
        _to_cache(cached_at, result)
    return result


def _run_hermit(graph: Graph, clean: Graph, dropped: int, prefixes: tuple[str, ...]) -> ReasonResult:
    import owlready2  # imported late: importing it is slow and it is only needed here

    labels = {str(s): str(o) for s, o in graph.subject_objects(RDFS.label)}
    asserted = _told_types(graph)
    with tempfile.TemporaryDirectory(prefix="dipontology-reason-") as tmp:
        nt = Path(tmp) / "input.nt"
        clean.serialize(nt, format="nt", encoding="utf-8")
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
