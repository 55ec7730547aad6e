"""The published graph as the checks see it: the project's own files, parsed once per process and keyed on file stamps.

:func:`published_files` lists the data files, :func:`stamp` identifies a set of files by path, modification time and
size, :func:`load_trusted` parses them (with :data:`dipontology.load.TRUSTED`, without the limits a contribution gets;
a file whose bytes were parsed before is reused), :func:`published` merges the data into one graph indexed by subject, :func:`vocabulary` reads what
the ontology defines, :func:`shapes_graph` merges the project's SHACL shapes, and :func:`clean` removes from a data
file what data may not say (shapes, ``owl:imports`` and, in a contribution, ontology statements), with a finding for
each removal. Validation (:mod:`dipontology.validate`), the contribution checks
(:mod:`dipontology.contribution.checks`) and conversion and acceptance of contributions use them.

>>> vocab = vocabulary(stamp([resources.ontology_file()]))
>>> from dipontology.namespaces import DIP
>>> DIP.Initiative in vocab.classes, DIP.startDate in vocab.properties
(True, True)
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from . import resources
from .errors import InputError
from .findings import Finding, short
from .load import TRUSTED, Loaded, load_bytes, read_file
from .namespaces import DIP, DIPSH, ONTOLOGY_IRI, bind_all

__all__ = [
    "published_files", "stamp", "TRUSTED", "load_trusted", "ontology", "shapes_graph", "Published", "published",
    "Vocabulary", "vocabulary", "clean", "subjects_index",
]


def published_files(data_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The published data files (see :func:`dipontology.resources.data_files`).

    :raises InputError: if ``data_dir`` is not a folder.
    """
    try:
        return resources.data_files(data_dir)
    except FileNotFoundError:
        raise InputError("the data folder does not exist", file=str(data_dir),
                         fix="give the folder that holds the data") from None


def stamp(paths: Iterable[Path]) -> tuple:
    """``((path, mtime_ns, size), ...)``: the key under which parsed files are cached."""
    out = []
    for p in paths:
        st = os.lstat(p)  # a link is not followed here either: the reader refuses it by name
        out.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(out)


_PARSED: dict = {}


@lru_cache(maxsize=4)
def load_trusted(stamp: tuple) -> tuple[Loaded, ...]:
    """Parse the project's own files (a :func:`stamp`); a file whose bytes were parsed before (a copy of the data
    folder) is reused."""
    out = []
    for p, _m, _s in stamp:
        data = read_file(p, limits=TRUSTED)  # a linked file is refused unread
        key = (hashlib.sha256(data).hexdigest(), Path(p).suffix)
        loaded = _PARSED.get(key)
        if loaded is None:
            if len(_PARSED) > 256:
                _PARSED.clear()
            loaded = _PARSED[key] = load_bytes(data, name=p, limits=TRUSTED, allow_empty=True)
        fresh = replace(loaded, file=p)
        if "_triples" in loaded.__dict__:  # the parser's list of the triples, which replace() does not carry
            fresh.__dict__["_triples"] = loaded.__dict__["_triples"]
        out.append(fresh)
    return tuple(out)


def ontology() -> Loaded:
    """The shipped ontology, parsed."""
    return load_trusted(stamp([resources.ontology_file()]))[0]


@lru_cache(maxsize=2)
def _shapes_graph(files: tuple) -> Graph:
    g = Graph()
    for loaded in load_trusted(files):
        g += loaded.graph
    return bind_all(g)


def shapes_graph() -> Graph:
    """All shapes in ``shapes/*.ttl`` as one graph.

    :raises InputError: if no shapes ship with the package.
    """
    files = resources.shapes_files()
    if not files:
        raise InputError("no SHACL shapes found", file=str(resources.root() / "shapes"),
                         fix="reinstall dipontology; shapes/*.ttl ship with it")
    return _shapes_graph(stamp(files))


class Published:
    """The published data: its files, one merged graph (data only) and the file that defines each subject first.

    The merged graph and the subject index are made when first asked for: validating the published data as a
    whole reads the files' own graphs and needs neither (at a million triples the merged copy alone costs a
    gigabyte and half a minute)."""

    def __init__(self, loaded: tuple[Loaded, ...]) -> None:
        self.loaded = loaded

    @cached_property
    def graph(self) -> Graph:
        g = Graph()
        for item in self.loaded:
            g += item.graph
        return g

    @cached_property
    def subjects(self) -> dict:
        return subjects_index(self.loaded)


@lru_cache(maxsize=4)
def published(files: tuple) -> Published:
    """The published data of a :func:`stamp` of its files."""
    return Published(load_trusted(files))


@dataclass
class Vocabulary:
    """What the ontology defines: classes, properties, individuals, with the superclasses of every class."""

    classes: frozenset
    properties: frozenset
    individuals: frozenset
    superclasses: dict  # class -> frozenset of itself and all superclasses

    @property
    def terms(self) -> frozenset:
        return self.classes | self.properties | self.individuals


@lru_cache(maxsize=2)
def vocabulary(files: tuple) -> Vocabulary:
    """The :class:`Vocabulary` of the ontology in a :func:`stamp` (its first file)."""
    onto = load_trusted(files)[0].graph
    dip = str(DIP)
    classes = {s for s in onto.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef) and str(s).startswith(dip)}
    props = {s for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
             for s in onto.subjects(RDF.type, t) if isinstance(s, URIRef) and str(s).startswith(dip)}
    individuals = {s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(dip)}
    individuals -= classes | props
    supers: dict = {}
    for c in {s for s in onto.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}:
        supers[c] = frozenset(onto.transitive_objects(c, RDFS.subClassOf))
    return Vocabulary(frozenset(classes), frozenset(props), frozenset(individuals), supers)


def subjects_index(loaded: Sequence[Loaded]) -> dict:
    """subject -> the loaded file that describes it first."""
    index: dict = {}
    for item in loaded:
        for s, _p, _o in item.triples():  # the file's list of its triples: no pass through rdflib's store
            index.setdefault(s, item)
    return index


def clean(item: Loaded, vocab: Vocabulary, findings: list[Finding], contribution: bool = True) -> tuple[Graph, int]:
    """The file's triples without shapes, imports and (in a contribution) ontology or shape statements; findings
    for what was removed are appended to ``findings``. Published data may annotate ontology terms (mapping sets
    do), contributions may not.

    :return: the cleaned graph and how many statements were removed (shapes and imports). When nothing is removed,
        the cleaned graph is the file's own graph (not a copy): read it, do not change it.
    """
    g = item.triples_graph()
    sh_ns, dip_ns, dipsh_ns = str(SH), str(DIP), str(DIPSH)
    # one pass over the triples, judging each distinct predicate, type and subject once (a contribution at the
    # limits has a million triples and a few hundred distinct terms in these positions)
    shacl_predicate: dict = {}
    shacl_type: dict = {}
    term_subject: dict = {}
    shape_subjects: set = set()
    imports: list = []
    terms: list = []
    for s, p, o in item.triples():
        sp = shacl_predicate.get(p)
        if sp is None:
            sp = shacl_predicate[p] = str(p).startswith(sh_ns)
        if sp:
            shape_subjects.add(s)
        elif p == RDF.type:
            st = shacl_type.get(o)
            if st is None:
                st = shacl_type[o] = str(o).startswith(sh_ns)
            if st:
                shape_subjects.add(s)
        if p == OWL.imports:
            imports.append((s, p, o))
        if contribution:
            ts = term_subject.get(s)
            if ts is None:
                ts = term_subject[s] = isinstance(s, URIRef) and (
                    str(s).startswith(dip_ns) or str(s).startswith(dipsh_ns) or str(s) == ONTOLOGY_IRI)
            if ts:
                terms.append((s, p, o))
    # blank nodes hanging off shapes (property shapes, lists) go with them
    stack = list(shape_subjects)
    while stack:
        s = stack.pop()
        for o in g.objects(s, None):
            if isinstance(o, BNode) and o not in shape_subjects:
                shape_subjects.add(o)
                stack.append(o)
    removed_shapes = removed_imports = 0
    term_statements: dict = {}
    if not shape_subjects and not imports and not terms:
        out = g  # nothing to remove: the file's own graph, not a copy (callers only read it)
    else:
        out = Graph()
        for s, p, o in item.triples():
            if s in shape_subjects or shacl_predicate[p]:
                removed_shapes += 1
                continue
            if p == OWL.imports:
                removed_imports += 1
                findings.append(Finding(
                    "Warning", "contrib:imports-ignored", short(s), path="owl:imports", value=short(o),
                    message=f"owl:imports <{o}> is ignored: dipontology never fetches or opens what data imports",
                    fix="remove the owl:imports statement; put the records you need in the file itself",
                    file=item.file, line=item.line_of(s)))
                continue
            if contribution and term_subject[s]:
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
            "Violation", "contrib:ontology-change", short(term), value=f"{n} statements",
            message=f"{n} statements about the ontology term {short(term)} were ignored: data files cannot define "
                    "or change ontology terms or shapes",
            fix="remove them; propose new or changed terms in an issue against ontology/dipontology.ttl",
            file=item.file, line=item.line_of(term)))
    for line, text in item.warnings:
        findings.append(Finding("Warning", "contrib:parser-warning", item.file, message=text,
                                fix="define the key in the @context or remove it", file=item.file, line=line))
    return out, removed_shapes + removed_imports
