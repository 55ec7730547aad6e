"""The ontology documentation: one block per term, in the order and with the fields of pyLODE's pages (IRI, label,
definition, examples, scope note, source, super- and subclasses or -properties, domain, range, inverse,
equivalents, disjoints, individuals, matches, how many records use it, what sources say about it), grouped into
classes, object, datatype and annotation properties and individuals, with a table of contents.

Which fields a block shows, and in which order, is the table :data:`FIELDS`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import ONTOLOGY_IRI
from .account import Accounts, Value
from .model import DCT, DIPNS, OWL, RDF, RDF_TYPE, RDFS, SKOS, Index, term_key

#: the groups of the documentation: (anchor, heading, OWL type)
GROUPS = (
    ("classes", "Classes", OWL + "Class"),
    ("object-properties", "Object properties", OWL + "ObjectProperty"),
    ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
    ("annotation-properties", "Annotation properties", OWL + "AnnotationProperty"),
    ("individuals", "Named individuals", OWL + "NamedIndividual"),
)
#: the fields of a term's block, in order: (heading, property or computed name, direction)
FIELDS = (
    ("Type", RDF_TYPE, "out"),
    ("Superclasses", RDFS + "subClassOf", "out"),
    ("Subclasses", RDFS + "subClassOf", "in"),
    ("Superproperties", RDFS + "subPropertyOf", "out"),
    ("Subproperties", RDFS + "subPropertyOf", "in"),
    ("Domain", RDFS + "domain", "out"),
    ("Range", RDFS + "range", "out"),
    ("Inverse of", OWL + "inverseOf", "out"),
    ("Equivalent to", OWL + "equivalentClass", "out"),
    ("Disjoint with", OWL + "disjointWith", "out"),
    ("Property chain", OWL + "propertyChainAxiom", "out"),
    ("Individuals", RDF_TYPE, "in"),
    ("In scheme", SKOS + "inScheme", "out"),
    ("Broader", SKOS + "broader", "out"),
    ("Narrower", SKOS + "broader", "in"),
    ("Matches", SKOS + "exactMatch", "out"),
    ("Close matches", SKOS + "closeMatch", "out"),
    ("Used as domain of", RDFS + "domain", "in"),
    ("Used as range of", RDFS + "range", "in"),
)
_HIDDEN_TYPES = {OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                 OWL + "NamedIndividual"}


@dataclass
class Row:
    heading: str
    values: list[list[Value]]


@dataclass
class Term:
    local: str
    iri: str
    label: str
    definition: str = ""
    comment: str = ""
    examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[Value] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    used: int = 0
    statements: list[Value] = field(default_factory=list)
    deprecated: bool = False


@dataclass
class Group:
    id: str
    title: str
    terms: list[Term]


def expression(acc: Accounts, node, depth: int = 0) -> list[Value]:
    """A class expression (a named class, a restriction, a union or intersection, a list) as words and links,
    in the style of the Manchester syntax."""
    ix = acc.ix
    if isinstance(node, ox.NamedNode) or depth > 4:
        return [acc.value(node)]
    items = _list(ix, node)
    if items is not None:
        return _joined([expression(acc, i, depth + 1) for i in items], ", ")
    for op, word in ((OWL + "unionOf", " or "), (OWL + "intersectionOf", " and ")):
        for lst in ix.values(node, op):
            members = _list(ix, lst) or []
            return [Value("(")] + _joined([expression(acc, m, depth + 1) for m in members], word) + [Value(")")]
    for lst in ix.values(node, OWL + "oneOf"):
        return [Value("one of {")] + _joined([expression(acc, m, depth + 1) for m in _list(ix, lst) or []], ", ") \
            + [Value("}")]
    for comp in ix.values(node, OWL + "complementOf"):
        return [Value("not ")] + expression(acc, comp, depth + 1)
    props = ix.values(node, OWL + "onProperty")
    if props:
        head = expression(acc, props[0], depth + 1)
        for p, word in ((OWL + "someValuesFrom", " some "), (OWL + "allValuesFrom", " only "),
                        (OWL + "hasValue", " value ")):
            for v in ix.values(node, p):
                return head + [Value(word)] + expression(acc, v, depth + 1)
        for p, word in ((OWL + "qualifiedCardinality", " exactly "), (OWL + "cardinality", " exactly "),
                        (OWL + "minQualifiedCardinality", " min "), (OWL + "minCardinality", " min "),
                        (OWL + "maxQualifiedCardinality", " max "), (OWL + "maxCardinality", " max ")):
            for v in ix.values(node, p):
                tail = [Value(word + v.value)]
                for c in ix.values(node, OWL + "onClass"):
                    tail += [Value(" ")] + expression(acc, c, depth + 1)
                return head + tail
    return [Value("(an anonymous class)")]


def _list(ix: Index, node) -> list | None:
    items, seen = [], set()
    while isinstance(node, ox.BlankNode) and node not in seen:
        seen.add(node)
        first, rest = ix.values(node, RDF + "first"), ix.values(node, RDF + "rest")
        if not first or not rest:
            return None
        items.append(first[0])
        node = rest[0]
    return items if isinstance(node, ox.NamedNode) and node.value == RDF + "nil" else None


def _joined(parts: list[list[Value]], sep: str) -> list[Value]:
    out: list[Value] = []
    for i, p in enumerate(parts):
        if i:
            out.append(Value(sep))
        out += p
    return out


def documentation(acc: Accounts, usage: dict[str, int], statements: dict[str, list]) -> list[Group]:
    """The groups of term blocks of the ``dip:`` namespace.

    :param usage: per IRI, how many records use it.
    :param statements: per term IRI, the statements of sources about it (their IRIs).
    """
    ix = acc.ix
    placed: set = set()
    members: dict[str, list] = defaultdict(list)
    for gid, _title, cls in GROUPS:
        for s, p in ix.inc.get(ox.NamedNode(cls), ()):
            if p == RDF_TYPE and isinstance(s, ox.NamedNode) and s.value.startswith(DIPNS) and s not in placed:
                members[gid].append(s)
                placed.add(s)
    for s in list(ix.out):
        if isinstance(s, ox.NamedNode) and s.value.startswith(DIPNS) and s not in placed and ix.types(s):
            members["individuals"].append(s)
            placed.add(s)
    groups = []
    for gid, title, _cls in GROUPS:
        terms = [term_block(acc, t, usage.get(t.value, 0), statements.get(t.value, []))
                 for t in sorted(members[gid], key=lambda n: n.value)]
        groups.append(Group(gid, title, sorted(terms, key=lambda t: (t.label.lower(), t.local))))
    return groups


def term_block(acc: Accounts, term: ox.NamedNode, used: int, about: list) -> Term:
    ix = acc.ix
    local = term.value[len(DIPNS):]
    t = Term(local=local, iri=term.value, label=ix.label(term),
             definition=ix.text(term, SKOS + "definition") or "",
             examples=ix.texts(term, SKOS + "example"), notes=ix.texts(term, SKOS + "scopeNote"),
             used=used, deprecated=any(o.value == "true" for o in ix.values(term, OWL + "deprecated")))
    comment = ix.text(term, RDFS + "comment") or ""
    t.comment = comment if comment != t.definition else ""
    t.sources = [acc.value(s) for s in ix.iris(term, DCT + "source")]
    for heading, prop, direction in FIELDS:
        if direction == "out":
            vals = [o for o in ix.values(term, prop)]
            if prop == RDF_TYPE:
                vals = [o for o in vals if o.value not in _HIDDEN_TYPES]
        else:
            vals = [s for s, p in ix.inc.get(term, ()) if p == prop and isinstance(s, ox.NamedNode)]
            if heading == "Individuals":
                vals = [s for s in vals if s.value.startswith(DIPNS)]
        if not vals:
            continue
        shown = [expression(acc, v) for v in sorted(set(vals), key=term_key)]
        t.rows.append(Row(heading, shown))
    t.statements = [acc.value(st) for st in sorted(about, key=term_key)]
    return t


def ontology_header(ix: Index) -> dict[str, object]:
    """The ontology's own metadata: title, description, creators, publisher, licence, rights, dates, version,
    version IRI, preferred prefix and namespace, citation."""
    onto = ox.NamedNode(ONTOLOGY_IRI)
    licences = [o.value for o in ix.values(onto, DCT + "license") if isinstance(o, ox.NamedNode)]
    versions = [o.value for o in ix.values(onto, OWL + "versionIRI") if isinstance(o, ox.NamedNode)]
    return {
        "title": ix.text(onto, DCT + "title") or "dipontology",
        "description": ix.text(onto, DCT + "description") or "",
        "creators": ix.texts(onto, DCT + "creator"),
        "contributors": ix.texts(onto, DCT + "contributor"),
        "publisher": ix.text(onto, DCT + "publisher") or "",
        "license": licences[0] if licences else "",
        "rights": ix.text(onto, DCT + "rights") or "",
        "created": ix.text(onto, DCT + "created") or "",
        "modified": ix.text(onto, DCT + "modified") or "",
        "version": ix.text(onto, OWL + "versionInfo") or "",
        "version_iri": versions[0] if versions else "",
        "prefix": ix.text(onto, "http://purl.org/vocab/vann/preferredNamespacePrefix") or "dip",
        "namespace": ix.text(onto, "http://purl.org/vocab/vann/preferredNamespaceUri") or DIPNS,
        "citation": ix.text(onto, DCT + "bibliographicCitation") or "",
    }
