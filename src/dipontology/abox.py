"""The data (ABox) half of ``dipontology reason``: HermiT's conclusions on individuals by rules, in linear time.

HermiT through owlready2 puts every individual into one tableau, which grows much faster than the data (13-50 s for
the shipped graph, no answer in 600 s at 100k triples). This module reaches the same answers another way:

1. **Split** the input into the ontology (TBox: class and property axioms, lists, restrictions; and the facts about
   the individuals the axioms name, such as ``dip:TrackOne``) and the data (ABox: class and property assertions).
2. **Compile** every class axiom into ``L SubClassOf R`` (``equivalentClass`` both ways, ``rdfs:domain D`` as
   ``(p some Thing) SubClassOf D``, ``rdfs:range R`` as ``(inverse p some Thing) SubClassOf R``, disjointness as
   ``(A and B) SubClassOf Nothing``) and every property axiom into role inclusions (sub-properties, inverses,
   symmetry, property chains; transitivity as the chain ``p o p``) and functionality.
3. **Materialise** (:class:`Materialiser`) the minimal model M of the part of the ontology that rules can apply
   (the OWL 2 RL part): the left-hand sides (intersections, unions, ``some``/``value`` restrictions, also over
   inverse properties, ``oneOf``) are recognised, the right-hand sides that are rules (named classes,
   intersections, ``value``, ``only``, ``not``, ``Nothing``) are applied, and functional properties merge their
   values (HermiT makes no unique-name assumption: two participants of one participation are the same actor, unless
   they are declared different or have disjoint types: then the data is inconsistent). One pass over the data plus
   work proportional to what is derived.
4. **Verify** (:meth:`Materialiser.verify`) that M satisfies *every* axiom, including those outside OWL 2 RL that the
   rules do not apply: ``some`` on the right-hand side (the defined classes' definitions read right to left),
   unions as superclass (the ``rdfs:domain``/``rdfs:range`` unions), cardinalities, ranges of datatype properties.

Why that gives HermiT's answers: every step of 3 is sound, so a clash in M means the input is inconsistent; and when
M satisfies every axiom it *is* a model of ontology + data, so what holds in every model holds in M, and what holds
in M was derived soundly: M's class memberships are exactly the entailed ones. Where M breaks an axiom, the caller
(:mod:`dipontology.reason`) goes on in two ways. An open union (an individual in a union's domain but in none of
its members) is decided by cases: :meth:`Materialiser.branch` adds one member and closes again; every model is in
one branch, so what every branch that is itself a model entails is entailed (unions in different connected
components of the data are decided apart). Anything else (an existential nobody witnesses, a merge of literals
whose values this module does not compare) sends the affected connected components of the data to HermiT.
Constructs this module does not implement at all (``owl:hasKey``, ``owl:hasSelf``, reflexive, irreflexive and
asymmetric properties, disjoint properties, negative property assertions, ``only``/``not``/cardinality on the
left-hand side, datatype restrictions) raise :class:`Unsupported`, and the whole graph goes to HermiT.

Which axioms of ``ontology/dipontology.ttl`` are outside OWL 2 RL, and how each is handled:

* the defined classes (``owl:equivalentClass`` of an intersection with ``some``/``value`` restrictions), read
  right to left (a member has a witness): ``some`` as superclass; checked in M. The data never asserts these
  classes, so the witnesses are there; an asserted member without one goes to HermiT;
* ``owl:oneOf`` inside ``some`` in those definitions (``dip:FacilitatorRole dip:MediatorRole``): left to right it is
  OWL 2 RL (recognised), right to left it is inside the ``some`` above;
* unions as ``rdfs:domain``/``rdfs:range`` (``dip:location``, ``dip:startDate``, ``dip:statedSubject`` ...):
  checked in M; open ones decided by cases;
* functional properties without a unique-name assumption: merges (declared-different or disjoint: a clash);
* ranges of datatype properties (``xsd:string``, ``xsd:integer``): checked value by value (unknown datatypes go to
  HermiT); dates outside the OWL 2 datatype map are left out, as HermiT needs.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''@prefix : <http://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
...   :A a owl:Class . :B a owl:Class ; rdfs:subClassOf :A . :x a :B .''', format="turtle")
>>> m = Materialiser(Split.of(g)).run()
>>> m.clash is None, sorted(m.named_types(m.find("http://example.org/x")))
(True, ['http://example.org/A', 'http://example.org/B'])
"""
from __future__ import annotations

from collections import deque
from decimal import Decimal, InvalidOperation
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

__all__ = ["Split", "Materialiser", "Unsupported", "literal_key"]

THING = str(OWL.Thing)
NOTHING = str(OWL.Nothing)
_TYPE = str(RDF.type)
_SAME = str(OWL.sameAs)
_DIFFERENT = str(OWL.differentFrom)
_IMPORTS = str(OWL.imports)
_NAMED_INDIVIDUAL = str(OWL.NamedIndividual)
_RDFS_LITERAL = str(RDFS.Literal)

#: rdf:type objects that declare vocabulary (schema triples, not class assertions)
DECLARATION_TYPES = frozenset({
    OWL.Class, OWL.Restriction, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
    OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty, OWL.SymmetricProperty,
    OWL.AsymmetricProperty, OWL.ReflexiveProperty, OWL.IrreflexiveProperty, OWL.Ontology, OWL.AllDifferent,
    OWL.AllDisjointClasses, OWL.AllDisjointProperties, RDFS.Datatype, RDFS.Class, RDF.Property,
    OWL.NamedIndividual, OWL.DeprecatedClass, OWL.DeprecatedProperty, OWL.OntologyProperty, OWL.Axiom,
    OWL.NegativePropertyAssertion, OWL.DataRange, RDF.List, OWL.Annotation,
})
#: predicates of the OWL/RDFS vocabulary that build axioms and class expressions
SCHEMA_PREDICATES = frozenset({
    RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith, OWL.complementOf, OWL.unionOf, OWL.intersectionOf,
    OWL.oneOf, OWL.onProperty, OWL.onProperties, OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.hasSelf,
    OWL.cardinality, OWL.minCardinality, OWL.maxCardinality, OWL.qualifiedCardinality,
    OWL.minQualifiedCardinality, OWL.maxQualifiedCardinality, OWL.onClass, OWL.onDataRange, RDFS.domain,
    RDFS.range, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf, OWL.propertyChainAxiom,
    OWL.propertyDisjointWith, OWL.disjointUnionOf, OWL.hasKey, OWL.distinctMembers, OWL.members, RDF.first,
    RDF.rest, OWL.withRestrictions, OWL.onDatatype, OWL.datatypeComplementOf, OWL.sourceIndividual,
    OWL.assertionProperty, OWL.targetIndividual, OWL.targetValue, OWL.annotatedSource, OWL.annotatedProperty,
    OWL.annotatedTarget, OWL.imports, OWL.versionIRI, OWL.priorVersion, OWL.backwardCompatibleWith,
    OWL.incompatibleWith,
})
#: owlready2 annotations that make it import Python modules (never honoured for our inputs)
OWLREADY_UNSAFE = ("http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_module",
                   "http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_name")
_UNSUPPORTED_TYPES = {OWL.AsymmetricProperty: "asymmetric property", OWL.ReflexiveProperty: "reflexive property",
                      OWL.IrreflexiveProperty: "irreflexive property", OWL.AllDisjointProperties: "disjoint properties",
                      OWL.NegativePropertyAssertion: "negative property assertion"}
_UNSUPPORTED_PREDICATES = {OWL.hasKey: "owl:hasKey", OWL.hasSelf: "owl:hasSelf",
                           OWL.propertyDisjointWith: "disjoint properties", OWL.withRestrictions:
                           "datatype restriction", OWL.datatypeComplementOf: "datatype complement",
                           OWL.onProperties: "n-ary data restriction"}

_X = str(XSD)
_STRINGS = {_X + n for n in "string normalizedString token language Name NCName NMTOKEN".split()}
_INTEGERS = {_X + n for n in ("integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long "
                              "int short byte unsignedLong unsignedInt unsignedShort unsignedByte").split()}
_LANG = str(RDF.langString)
_PLAIN = str(RDF.PlainLiteral)
_DECLARATIONS = frozenset(map(str, DECLARATION_TYPES))
_SCHEMA = frozenset(map(str, SCHEMA_PREDICATES))


class Unsupported(Exception):
    """The input uses an OWL construct the rules do not implement: the caller runs HermiT on the whole graph."""


class Unknown(Exception):
    """M cannot tell (e.g. a literal whose value the module does not compare): treat the axiom as unsatisfied."""


def literal_key(lit: Literal) -> tuple:
    """A key equal for literals with the same OWL 2 value (``"01"^^xsd:int`` and ``"1"^^xsd:integer``); keys
    starting with ``"raw"`` are for literals whose value this module does not interpret."""
    dt, lex = lit.datatype, str(lit)
    if dt is not None:
        dt = str(dt)
    if dt is None:
        return ("l", lex, lit.language.lower()) if lit.language else ("s", lex)
    if dt in _STRINGS:
        # only xsd:string itself is certainly well formed; its subtypes share its value space
        return ("s", lex) if dt == _X + "string" else ("raw", dt, lex)
    if dt in _INTEGERS or dt == _X + "decimal":
        try:
            value = Decimal(lex.strip())
        except InvalidOperation:
            return ("raw", dt, lex)
        if dt in _INTEGERS and value != value.to_integral_value():
            return ("raw", dt, lex)
        if dt == _X + "decimal" or dt == _X + "integer":
            return ("n", value.normalize() if value else Decimal(0))
        return ("raw", dt, lex)  # the bounded integer types: ranges not checked here
    if dt == _X + "boolean" and lex in ("true", "false", "1", "0"):
        return ("b", lex in ("true", "1"))
    return ("raw", dt, lex)


def key(term):
    """The plain-string key of an RDF term: the IRI, ``_:id`` for a blank node; literals stay literals."""
    t = type(term)
    if t is URIRef:
        return str(term)
    if t is BNode:
        return "_:" + str(term)
    return term


def _plain(x):
    """A compiled structure with rdflib IRIs and blank nodes replaced by their plain-string keys."""
    if isinstance(x, tuple):
        return tuple(_plain(i) for i in x)
    if isinstance(x, (URIRef, BNode)):
        return key(x)
    return x


def _in_datatype(key: tuple, datatype: str) -> bool:
    """Whether a literal (by :func:`literal_key`) is in ``datatype``; raises :class:`Unknown` when not decidable."""
    if datatype == _RDFS_LITERAL:
        return True
    kind = key[0]
    if kind == "raw":
        raise Unknown(f"literal of datatype {key[1]}")
    if datatype == _X + "string":
        return kind == "s"
    if datatype == _PLAIN:
        return kind in ("s", "l")
    if datatype == _LANG:
        return kind == "l"
    if datatype in (_X + "decimal", str(OWL.rational), str(OWL.real)):
        return kind == "n"
    if datatype == _X + "integer":
        return kind == "n" and key[1] == key[1].to_integral_value()
    if datatype == _X + "boolean":
        return kind == "b"
    if kind in ("s", "l", "n", "b") and datatype in {_X + n for n in ("double float dateTime anyURI hexBinary "
                                                                      "base64Binary dateTimeStamp").split()}:
        return False  # disjoint value spaces
    raise Unknown(f"datatype {datatype}")


class Split:
    """The input graph split into ontology and data, with its axioms compiled (steps 1 and 2 of the module doc).

    :ivar schema: the TBox triples (declarations, axioms, lists, restrictions).
    :ivar types: class assertions ``(individual, class)`` (``class`` an IRI or a class-expression blank node).
    :ivar edges: property assertions ``(s, p, o)`` of declared object and datatype properties.
    :ivar same, different: ``owl:sameAs`` pairs; ``owl:differentFrom``/``owl:AllDifferent`` pairs.
    :ivar axioms: ``(L, R)`` class inclusions over compiled expressions (tuples, or IRIs for named classes).
    :ivar dropped: literals left out because HermiT does not accept their datatype (as :func:`reason.prepare`).
    """

    def __init__(self) -> None:
        self.schema: list[tuple] = []
        self.types: list[tuple] = []
        self.edges: list[tuple] = []
        self.same: list[tuple] = []
        self.different: list[tuple] = []
        self.axioms: list[tuple] = []
        self.sub_roles: list[tuple] = []      # (r, s): r SubPropertyOf s (roles: ("P", p) or ("I", p))
        self.chains: list[tuple] = []         # (r1, r2, s): r1 o r2 SubPropertyOf s
        self.functional: set[tuple] = set()   # roles with at most one value
        self.object_properties: set = set()
        self.data_properties: set = set()
        self.ranges: list[tuple] = []         # (data property, datatype)
        self.classes: set = set()             # IRIs declared owl:Class
        self.declared_individuals: set = set()
        self.individual_declarations: list = []   # subjects of rdf:type owl:NamedIndividual (rdflib terms)
        self.nominals: set = set()            # individuals named by owl:hasValue / owl:oneOf / owl:AllDifferent
        self.dropped = 0
        self.kept = 0
        self.graph_view: Graph | None = None

    # ------------------------------------------------------------------------------------------- reading
    @classmethod
    def of(cls, graph: Graph, datatypes: frozenset | set | None = None) -> "Split":
        """Split ``graph`` (one pass) and compile its axioms. ``datatypes``: the datatypes HermiT accepts (literals
        of other datatypes are left out, as :func:`dipontology.reason.prepare` does); ``None`` keeps every literal.

        :raises Unsupported: for constructs the rules do not implement.
        """
        self = cls()
        schema_types: list[tuple] = []
        candidates_t: list[tuple] = []
        candidates_e: list[tuple] = []
        unsafe = OWLREADY_UNSAFE
        for s, p, o in graph:
            ps = str(p)
            if ps == _IMPORTS or ps in unsafe:
                continue
            if type(o) is Literal:
                if datatypes is not None and o.datatype is not None and str(o.datatype) not in datatypes:
                    self.dropped += 1
                    continue
            self.kept += 1
            if ps == _TYPE:
                if str(o) == _NAMED_INDIVIDUAL:
                    self.individual_declarations.append(s)
                elif str(o) in _DECLARATIONS and type(o) is URIRef:
                    schema_types.append((s, o))
                    self.schema.append((s, p, o))
                else:
                    candidates_t.append((key(s), o))
            elif ps in _SCHEMA:
                self.schema.append((s, p, o))
            elif ps == _SAME:
                self.same.append((key(s), key(o)))
            elif ps == _DIFFERENT:
                self.different.append((key(s), key(o)))
            else:
                candidates_e.append((key(s), ps, key(o)))
        self.declared_individuals.update(self.individual_declarations)
        for s, o in schema_types:
            if o in _UNSUPPORTED_TYPES:
                raise Unsupported(_UNSUPPORTED_TYPES[o])
            if o == OWL.Class and isinstance(s, URIRef):
                self.classes.add(s)
            elif o == OWL.NamedIndividual:
                self.declared_individuals.add(s)
            elif o in (OWL.ObjectProperty, OWL.TransitiveProperty, OWL.SymmetricProperty,
                       OWL.InverseFunctionalProperty):
                self.object_properties.add(s)
            elif o == OWL.DatatypeProperty:
                self.data_properties.add(s)
        for s, p, o in self.schema:
            if p in _UNSUPPORTED_PREDICATES:
                raise Unsupported(_UNSUPPORTED_PREDICATES[p])
        g = Graph()
        for t in self.schema:
            g.add(t)
        self.graph_view = g
        self._compile(g, schema_types)
        # from here on: plain strings (IRIs; "_:id" for blank nodes), far cheaper to hash than rdflib terms
        for name in ("axioms", "sub_roles", "chains"):
            setattr(self, name, [_plain(x) for x in getattr(self, name)])
        for name in ("functional", "object_properties", "data_properties", "classes", "declared_individuals",
                     "nominals"):
            setattr(self, name, {_plain(x) for x in getattr(self, name)})
        self.ranges = [_plain(x) for x in self.ranges]
        self.different = [(_plain(a), _plain(b)) for a, b in self.different]
        self.types = candidates_t
        # a property counts if declared, or if the ontology says something about it
        obj, dat = self.object_properties, self.data_properties
        edges = self.edges
        for s, p, o in candidates_e:
            if p in obj:
                if type(o) is Literal:
                    raise Unsupported(f"object property {p} with a literal value")
                edges.append((s, p, o))
            elif p in dat:
                if type(o) is not Literal:
                    raise Unsupported(f"datatype property {p} with a resource value")
                edges.append((s, p, o))
        return self

    def class_expr(self, node):
        """The compiled class expression of a blank node of the input (an asserted type)."""
        return _plain(self.expr(self.graph_view, BNode(node[2:]) if isinstance(node, str) and
                                node.startswith("_:") else node))

    def _list(self, g: Graph, head) -> list:
        try:
            return list(Collection(g, head))
        except Exception as exc:  # a malformed list
            raise Unsupported(f"malformed RDF list ({exc})") from None

    def _role(self, g: Graph, node) -> tuple:
        """A property expression as a role: ``("P", p)`` or ``("I", p)`` (the inverse of ``p``)."""
        if isinstance(node, URIRef):
            return ("P", node)
        inv = g.value(node, OWL.inverseOf)
        if isinstance(inv, URIRef):
            self.object_properties.add(inv)
            return ("I", inv)
        raise Unsupported("a property expression other than a property or its inverse")

    def expr(self, g: Graph, node):
        """A class expression as a hashable tuple (named classes stay IRIs)."""
        if isinstance(node, URIRef):
            return node
        if isinstance(node, Literal):
            raise Unsupported("a literal where a class was expected")
        for pred, kind in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
            lst = g.value(node, pred)
            if lst is not None:
                return (kind, tuple(sorted({self.expr(g, m) for m in self._list(g, lst)}, key=repr)))
        lst = g.value(node, OWL.oneOf)
        if lst is not None:
            members = self._list(g, lst)
            self.nominals.update(m for m in members if not isinstance(m, Literal))
            return ("one", tuple(sorted(set(members), key=repr)))
        comp = g.value(node, OWL.complementOf)
        if comp is not None:
            return ("not", self.expr(g, comp))
        prop = g.value(node, OWL.onProperty)
        if prop is not None:
            role = self._role(g, prop)
            if isinstance(prop, URIRef) and prop not in self.data_properties:
                self.object_properties.add(prop)
            v = g.value(node, OWL.hasValue)
            if v is not None:
                if not isinstance(v, Literal):
                    self.nominals.add(v)
                return ("value", role, v)
            for pred, kind in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "all")):
                filler = g.value(node, pred)
                if filler is not None:
                    return (kind, role, self._filler(g, filler))
            for pred, kind in ((OWL.cardinality, "=="), (OWL.minCardinality, ">="), (OWL.maxCardinality, "<="),
                               (OWL.qualifiedCardinality, "=="), (OWL.minQualifiedCardinality, ">="),
                               (OWL.maxQualifiedCardinality, "<=")):
                n = g.value(node, pred)
                if n is not None:
                    filler = g.value(node, OWL.onClass) or g.value(node, OWL.onDataRange) or OWL.Thing
                    return ("card", kind, int(n), role, self._filler(g, filler))
            raise Unsupported("a restriction of an unknown kind")
        raise Unsupported("a class expression of an unknown kind")

    def _filler(self, g: Graph, node):
        if _is_datatype(node):
            return ("dt", node)
        return self.expr(g, node)

    def _compile(self, g: Graph, schema_types: list[tuple]) -> None:
        ax = self.axioms
        for s, o in schema_types:
            if o == OWL.FunctionalProperty:
                self.functional.add(("P", s))
            elif o == OWL.InverseFunctionalProperty:
                self.functional.add(("I", s))
            elif o == OWL.TransitiveProperty:
                self.chains.append((("P", s), ("P", s), ("P", s)))
            elif o == OWL.SymmetricProperty:
                self.sub_roles.append((("P", s), ("I", s)))
            elif o == OWL.AllDifferent:
                for lst in g.objects(s, OWL.distinctMembers):
                    self._all_different(g, lst)
                for lst in g.objects(s, OWL.members):
                    self._all_different(g, lst)
            elif o == OWL.AllDisjointClasses:
                for lst in g.objects(s, OWL.members):
                    members = [self.expr(g, m) for m in self._list(g, lst)]
                    for i, a in enumerate(members):
                        for b in members[i + 1:]:
                            ax.append((("and", tuple(sorted({a, b}, key=repr))), OWL.Nothing))
        for s, p, o in self.schema:
            if p == RDFS.subClassOf:
                ax.append((self.expr(g, s), self.expr(g, o)))
            elif p == OWL.equivalentClass:
                a, b = self.expr(g, s), self.expr(g, o)
                ax += [(a, b), (b, a)]
            elif p == OWL.disjointWith:
                a, b = self.expr(g, s), self.expr(g, o)
                ax.append((("and", tuple(sorted({a, b}, key=repr))), OWL.Nothing))
            elif p == OWL.disjointUnionOf:
                members = [self.expr(g, m) for m in self._list(g, o)]
                a = self.expr(g, s)
                union = ("or", tuple(sorted(set(members), key=repr)))
                ax += [(a, union), (union, a)]
                for i, x in enumerate(members):
                    for y in members[i + 1:]:
                        ax.append((("and", tuple(sorted({x, y}, key=repr))), OWL.Nothing))
            elif p == RDFS.domain and isinstance(s, URIRef):
                ax.append((("some", ("P", s), OWL.Thing), self.expr(g, o)))
            elif p == RDFS.range and isinstance(s, URIRef):
                if s in self.data_properties or _is_datatype(o):
                    if not isinstance(o, URIRef):
                        raise Unsupported("a datatype range other than a named datatype")
                    self.data_properties.add(s)
                    self.ranges.append((s, o))
                else:
                    self.object_properties.add(s)
                    ax.append((("some", ("I", s), OWL.Thing), self.expr(g, o)))
            elif p == RDFS.subPropertyOf and isinstance(s, URIRef):
                self.sub_roles.append((self._role(g, s), self._role(g, o)))
            elif p == OWL.equivalentProperty:
                a, b = self._role(g, s), self._role(g, o)
                self.sub_roles += [(a, b), (b, a)]
            elif p == OWL.inverseOf and isinstance(s, URIRef) and isinstance(o, URIRef):
                self.object_properties.update((s, o))
                self.sub_roles += [(("P", s), ("I", o)), (("P", o), ("I", s))]
            elif p == OWL.propertyChainAxiom:
                chain = [self._role(g, r) for r in self._list(g, o)]
                target = self._role(g, s)
                if len(chain) == 1:
                    self.sub_roles.append((chain[0], target))
                    continue
                # r1 o r2 o ... o rn -> helper roles for the prefixes: (r1 o r2) -> h1, (h1 o r3) -> h2 ...
                left = chain[0]
                for i, r in enumerate(chain[1:], start=1):
                    out = target if i == len(chain) - 1 else ("P", URIRef(f"urn:dipontology:chain:{s}:{i}"))
                    self.chains.append((left, r, out))
                    left = out

    def _all_different(self, g: Graph, lst) -> None:
        members = self._list(g, lst)
        self.nominals.update(m for m in members if not isinstance(m, Literal))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                self.different.append((a, b))


def _is_datatype(node) -> bool:
    return isinstance(node, URIRef) and (str(node).startswith(_X) or str(node) in (_RDFS_LITERAL, _PLAIN, _LANG))


def _inv(role: tuple) -> tuple:
    return ("I" if role[0] == "P" else "P", role[1])


def _by_value(node) -> tuple:
    """A node's place in a stable order (its kind, then its text): the same in every run, unlike set order."""
    return type(node).__name__, str(node)


class _Layer(dict):
    """A dict of a branch over the (unchanged) dict of its base model: reads fall through to the base, the first
    write access to an entry (``[]``, ``setdefault``) copies it from the base with ``copy``, ``pop`` hides it. So a
    branch costs what it changes, not a copy of the whole model. ``get`` is a read: its value must not be changed.
    """

    __slots__ = ("base", "copy", "gone")

    def __init__(self, base: dict, copy) -> None:
        super().__init__()
        self.base, self.copy, self.gone = base, copy, set()

    def get(self, k, default=None):
        if dict.__contains__(self, k):
            return dict.__getitem__(self, k)
        if k in self.gone:
            return default
        return self.base.get(k, default)

    def __contains__(self, k) -> bool:
        return dict.__contains__(self, k) or (k not in self.gone and k in self.base)

    def __getitem__(self, k):
        if dict.__contains__(self, k):
            return dict.__getitem__(self, k)
        if k in self.gone or k not in self.base:
            raise KeyError(k)
        v = self.copy(self.base[k])
        dict.__setitem__(self, k, v)
        return v

    def __setitem__(self, k, v) -> None:
        self.gone.discard(k)
        dict.__setitem__(self, k, v)

    def setdefault(self, k, default=None):
        if k in self:
            return self[k]
        self[k] = default
        return default

    def pop(self, k, *default):
        if dict.__contains__(self, k):
            v = dict.pop(self, k)
            if k in self.base:
                self.gone.add(k)
            return v
        if k not in self.gone and k in self.base:
            self.gone.add(k)
            return self.base[k]  # the base's own value: read only
        if default:
            return default[0]
        raise KeyError(k)

    def own_keys(self) -> set:
        """The keys written in the branch (new, or copied from the base)."""
        return set(dict.keys(self))

    def __iter__(self):
        for k in self.base:
            if k not in self.gone and not dict.__contains__(self, k):
                yield k
        yield from dict.keys(self)

    def keys(self):
        return list(iter(self))

    def items(self):
        return [(k, self.get(k)) for k in self]

    def values(self):
        return [self.get(k) for k in self]

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return dict.__len__(self) > 0 or any(True for _ in self)


def _same(v):
    return v


def _copy_index(d: dict) -> dict:
    return {p: set(ys) for p, ys in d.items()}


class Materialiser:
    """The minimal model M of the rule part of a :class:`Split` (step 3) and its check against every axiom (step 4).

    :ivar clash: why M is inconsistent (a string), or ``None``.
    """

    def __init__(self, split: Split) -> None:
        self.split = split
        self.parent: dict = {}
        self.types: dict = {}
        self.out: dict = {}
        self.inn: dict = {}
        self.members: dict = {}
        self.literals: dict = {}
        self.diff: dict = {}
        self.clash: str | None = None
        self.clash_at = None
        self.undecided: list = []    # equalities M cannot decide (literals this module does not compare)
        self.touched: set | None = None  # in a branch: the nodes whose types or edges changed
        self.merged: dict = {}       # representative -> the individuals merged into it
        self.queue: deque = deque()
        self.base: Materialiser | None = None   # in a branch: the model it was made from
        self.verified: list | None = None      # what verify() found last
        self._index()

    # ------------------------------------------------------------------------------------------ compile rules
    def _index(self) -> None:
        sp = self.split
        self.heads: dict = {}        # L -> [R] for rule heads
        self.checks: list = []       # (L, R) every axiom, for verify
        self.parents: dict = {}      # T -> [and/or expressions T is a direct operand of]
        self.some_by_role: dict = {}  # role -> [(expr, filler)]
        self.some_by_filler: dict = {}  # filler -> [(expr, role)]
        self.value_by_role: dict = {}  # role -> [(expr, value)]
        self.all_by_role: dict = {}   # role -> [(expr, filler)] (head ``only`` restrictions)
        self.ones: list = []
        self.sub: dict = {}          # role -> [super roles]
        self.chain_first: dict = {}  # r1 -> [(r2, s)]
        self.chain_second: dict = {}  # r2 -> [(r1, s)]
        self.body_seen: set = set()
        for left, right in sp.axioms:
            self._body(left)
            self.heads.setdefault(left, []).append(right)
            self.checks.append((left, right))
            self._head(right)
        for r, s in sp.sub_roles:
            self.sub.setdefault(r, []).append(s)
            self.sub.setdefault(_inv(r), []).append(_inv(s))
        for r1, r2, s in sp.chains:
            self.chain_first.setdefault(r1, []).append((r2, s))
            self.chain_second.setdefault(r2, []).append((r1, s))
            # the inverse chain: inv(r2) o inv(r1) -> inv(s)
            self.chain_first.setdefault(_inv(r2), []).append((_inv(r1), _inv(s)))
            self.chain_second.setdefault(_inv(r1), []).append((_inv(r2), _inv(s)))

    def _body(self, e) -> None:
        """Register a left-hand side so that its members are recognised (materialised as a type)."""
        if e in self.body_seen or _named(e):
            return
        self.body_seen.add(e)
        kind = e[0]
        if kind in ("and", "or"):
            for m in e[1]:
                self._body(m)
                self.parents.setdefault(m, []).append(e)
        elif kind == "some":
            filler = e[2]
            if isinstance(filler, tuple) and filler[0] == "dt":
                if filler[1] != _RDFS_LITERAL:
                    raise Unsupported("a datatype restriction on the left-hand side")
                filler = THING
            self._body(filler)
            self.some_by_role.setdefault(e[1], []).append((e, filler))
            if filler != THING:  # (some p Thing) is recognised on the edge alone
                self.some_by_filler.setdefault(filler, []).append((e, e[1]))
        elif kind == "value":
            self.value_by_role.setdefault(e[1], []).append((e, e[2]))
        elif kind == "one":
            self.ones.append(e)
        elif kind == "dt":
            raise Unsupported("a datatype where a class was expected")
        else:
            raise Unsupported(f"'{kind}' on the left-hand side of an axiom (outside OWL 2 RL)")

    def _head(self, e) -> None:
        """Prepare what a right-hand side needs when it is applied as a rule."""
        if _named(e):
            return
        kind = e[0]
        if kind == "and":
            for m in e[1]:
                self._head(m)
        elif kind == "all":
            self.all_by_role.setdefault(e[1], []).append((e, e[2]))
            if not (isinstance(e[2], tuple) and e[2][0] == "dt"):
                self._head(e[2])
        elif kind == "not":
            self._body(e[1])
            self.heads.setdefault(e[1], []).append(("clash-with", e))

    # ------------------------------------------------------------------------------------------------ state
    def find(self, x):
        p = self.parent.get(x)
        if p is None:
            return x
        root = x
        while root in self.parent:
            root = self.parent[root]
        while x != root:
            nxt = self.parent[x]
            self.parent[x] = root
            x = nxt
        return root

    def node(self, term):
        """The node of an RDF term (literals by value, individuals through their merges)."""
        if isinstance(term, Literal):
            key = literal_key(term)
            n = ("lit", key)
            self.literals.setdefault(n, term)
            return n
        return self.find(term)

    @staticmethod
    def is_literal(n) -> bool:
        return isinstance(n, tuple) and n[0] == "lit"

    def succ(self, role, x) -> set:
        if role[0] == "P":
            return self.out.get(x, {}).get(role[1], set())
        return self.inn.get(x, {}).get(role[1], set())

    def add_type(self, x, t) -> None:
        ts = self.types.get(x)
        if ts is None:
            ts = self.types[x] = set()
        if t in ts:
            return
        if self.touched is not None:  # a branch: its sets are copies of the base's, made on first write
            ts = self.types.setdefault(x, ts)
        ts.add(t)
        if self.touched is not None:
            self.touched.add(x)
        self.members.setdefault(t, set()).add(x)
        self.queue.append((0, x, t))

    def add_role(self, role, x, y) -> None:
        if role[0] == "P":
            self.add_edge(x, role[1], y)
        elif not self.is_literal(y):
            self.add_edge(y, role[1], x)

    def add_edge(self, x, p, y) -> None:
        d = self.out.setdefault(x, {}).setdefault(p, set())
        if y in d:
            return
        d.add(y)
        if self.touched is not None:
            self.touched.update((x, y))
        self.inn.setdefault(y, {}).setdefault(p, set()).add(x)
        self.queue.append((1, x, p, y))

    def _clash(self, why: str, at) -> None:
        if self.clash is None:
            self.clash, self.clash_at = why, self.witness(at)

    def witness(self, x):
        """Of the individuals merged with ``x`` (a functional property or ``owl:sameAs``), the one first by value:
        which of them stands for the others depends on the order the input was read in (set order, which changes
        with Python's hash seed from run to run); the one a report names does not."""
        if x is None or self.is_literal(x):
            return x
        root = self.find(x)
        return min((root, *self.merged.get(root, ())), key=_by_value)

    # ------------------------------------------------------------------------------------------------- rules
    def run(self) -> "Materialiser":
        sp = self.split
        asserted_exprs = []
        for s, o in sp.types:
            if type(o) is BNode:
                e = sp.class_expr(o)
                self._head(e)
                asserted_exprs.append((s, e))
        self.asserted_exprs = asserted_exprs
        for s, o in sp.types:
            if isinstance(o, Literal):
                raise Unsupported(f"rdf:type with a literal ({o})")
            x = self.node(s)
            self.types.setdefault(x, set())
            if type(o) is URIRef:
                self.add_type(x, str(o))
            if len(self.queue) > 4096:
                self._drain()
        for s, e in asserted_exprs:
            self.apply_head(e, self.node(s))
        self._drain()
        for s, p, o in sp.edges:
            x, y = self.node(s), self.node(o)
            self.types.setdefault(x, set())
            if not self.is_literal(y):
                self.types.setdefault(y, set())
            self.add_edge(x, p, y)
            if len(self.queue) > 4096:
                self._drain()
        self._drain()
        for e in self.ones:
            for v in e[1]:
                if not isinstance(v, Literal):
                    x = self.node(v)
                    self.types.setdefault(x, set())
                    self.add_type(x, e)
        for a, b in sp.different:
            if isinstance(a, Literal) or isinstance(b, Literal):
                continue
            self.diff.setdefault(a, set()).add(b)
            self.diff.setdefault(b, set()).add(a)
            for n in (a, b):
                self.types.setdefault(self.node(n), set())
            if self.find(a) == self.find(b):
                self._clash(f"{a} and {b} are declared different but must be the same", a)
        self._drain()
        for a, b in sp.same:
            if isinstance(a, Literal) or isinstance(b, Literal):
                raise Unsupported("owl:sameAs with a literal")
            self.types.setdefault(self.node(a), set())
            self.types.setdefault(self.node(b), set())
            self.merge(self.node(a), self.node(b))
            self._drain()
        # every individual is an owl:Thing (heads of Thing apply to all)
        if THING in self.heads or THING in self.parents:
            for x in list(self.types):
                self.add_type(self.find(x), THING)
            self._drain()
        return self

    def _drain(self) -> None:
        q = self.queue
        while q:
            item = q.popleft()
            if item[0] == 0:
                self._on_type(item[1], item[2])
            else:
                self._on_edge(item[1], item[2], item[3])

    def _on_type(self, x, t) -> None:
        if self.find(x) != x:
            self.add_type(self.find(x), t)
            return
        if t == NOTHING:
            self._clash("an individual belongs to owl:Nothing (disjoint or unsatisfiable classes)", x)
            return
        for r in self.heads.get(t, ()):
            self.apply_head(r, x)
        for parent in self.parents.get(t, ()):
            if parent[0] == "or" or all(m in self.types.get(x, ()) for m in parent[1]):
                self.add_type(x, parent)
        for e, role in self.some_by_filler.get(t, ()):
            for w in list(self.succ(_inv(role), x)):
                self.add_type(w, e)
        if isinstance(t, tuple) and t[0] == "all":
            for y in list(self.succ(t[1], x)):
                self._apply_filler(t[2], y, x)

    def apply_head(self, r, x) -> None:
        if _named(r):
            self.add_type(x, r)
            return
        kind = r[0]
        if kind == "and":
            for m in r[1]:
                self.apply_head(m, x)
        elif kind == "value":
            self.add_role(r[1], x, self.node(r[2]))
            if not self.is_literal(self.node(r[2])):
                self.types.setdefault(self.node(r[2]), set())
        elif kind in ("all", "not"):
            self.add_type(x, r)
        elif kind == "clash-with":
            if r[1] in self.types.get(x, ()):
                self._clash("an individual belongs to a class and its complement", x)
        # some / or / one / card: outside the rules; verify() checks M satisfies them

    def _apply_filler(self, filler, y, x) -> None:
        if isinstance(filler, tuple) and filler[0] == "dt":
            if self.is_literal(y):
                try:
                    if not _in_datatype(y[1], filler[1]):
                        self._clash(f"a value outside {filler[1]}", x)
                except Unknown:
                    pass  # verify() reports it
            return
        if self.is_literal(y):
            return
        self.apply_head(filler, y)

    def _on_edge(self, x, p, y) -> None:
        fx, fy = self.find(x), (y if self.is_literal(y) else self.find(y))
        if fx != x or fy != y:
            self.add_edge(fx, p, fy)
            return
        self._on_role(("P", p), x, y)
        if not self.is_literal(y):
            self._on_role(("I", p), y, x)

    def _on_role(self, role, x, y) -> None:
        for s in self.sub.get(role, ()):
            self.add_role(s, x, y)
        for r2, s in self.chain_first.get(role, ()):
            if self.is_literal(y):
                continue
            for z in list(self.succ(r2, y)):
                self.add_role(s, x, z)
        for r1, s in self.chain_second.get(role, ()):
            for w in list(self.succ(_inv(r1), x)):
                self.add_role(s, w, y)
        for e, filler in self.some_by_role.get(role, ()):
            if filler == THING or (not self.is_literal(y) and filler in self.types.get(y, ())):
                self.add_type(x, e)
        for e, v in self.value_by_role.get(role, ()):
            if self.node(v) == y:
                self.add_type(x, e)
        tx = self.types.get(x, ())
        for e, filler in self.all_by_role.get(role, ()):
            if e in tx:
                self._apply_filler(filler, y, x)
        if role in self.split.functional:
            ys = self.succ(role, x)
            if len(ys) > 1:
                first = next(iter(ys))
                for other in list(ys):
                    if other != first:
                        self.merge(first, other)

    def merge(self, a, b) -> None:
        """``a`` and ``b`` are the same individual (a functional property or owl:sameAs says so)."""
        a = a if self.is_literal(a) else self.find(a)
        b = b if self.is_literal(b) else self.find(b)
        if a == b:
            return
        if self.touched is not None:
            self.touched.update((a, b))
        if self.is_literal(a) or self.is_literal(b):
            if self.is_literal(a) and self.is_literal(b) and a[1][0] != "raw" and b[1][0] != "raw":
                self._clash(f"a functional property has two values: {self.literals.get(a)} and "
                            f"{self.literals.get(b)}", a)
            else:
                self.undecided.append(("literals", a, b))
            return
        if sum(map(len, self.out.get(a, {}).values())) + sum(map(len, self.inn.get(a, {}).values())) < \
                sum(map(len, self.out.get(b, {}).values())) + sum(map(len, self.inn.get(b, {}).values())):
            a, b = b, a
        da = {self.find(d) for d in self.diff.get(a, ())}
        if b in da or any(self.find(d) == a for d in self.diff.get(b, ())):
            a, b = sorted((self.witness(a), self.witness(b)), key=_by_value)
            self._clash(f"{a} and {b} are declared different but a functional property makes them the same", a)
            return
        self.parent[b] = a
        self.merged.setdefault(a, set()).add(b)
        self.merged[a] |= self.merged.pop(b, set())
        if b in self.diff:
            self.diff.setdefault(a, set()).update(self.diff.pop(b))
        for t in self.types.pop(b, set()):
            if t in self.members:
                self.members.setdefault(t, set()).discard(b)
            self.add_type(a, t)
        for p, ys in self.out.pop(b, {}).items():
            for y in ys:
                if p in self.inn.get(y, {}):
                    self.inn.setdefault(y, {}).setdefault(p, set()).discard(b)
                self.add_edge(a, p, y if self.is_literal(y) else self.find(y))
        for p, ws in self.inn.pop(b, {}).items():
            for w in ws:
                if p in self.out.get(w, {}):
                    self.out.setdefault(w, {}).setdefault(p, set()).discard(b)
                self.add_edge(self.find(w), p, a)

    # ------------------------------------------------------------------------------------------------ verify
    def holds(self, e, x) -> bool:
        """Whether ``x`` belongs to class expression ``e`` in M (exact: M is finite). Raises :class:`Unknown`."""
        if _named(e):
            if e == THING:
                return True
            return e in self.types.get(x, ())
        kind = e[0]
        if kind == "and":
            return all(self.holds(m, x) for m in e[1])
        if kind == "or":
            return any(self.holds(m, x) for m in e[1])
        if kind == "not":
            return not self.holds(e[1], x)
        if kind == "one":
            return any(not isinstance(v, Literal) and self.find(v) == x for v in e[1])
        if kind == "dt":
            return self.is_literal(x) and _in_datatype(x[1], e[1])
        if kind == "value":
            return self.node(e[2]) in self.succ(e[1], x)
        ys = self.succ(e[1], x)
        if kind == "some":
            return any(self._holds_value(e[2], y) for y in ys)
        if kind == "all":
            return all(self._holds_value(e[2], y) for y in ys)
        if kind == "card":
            n = sum(1 for y in ys if self._holds_value(e[4], y))
            if any(self.is_literal(y) and y[1][0] == "raw" for y in ys):
                raise Unknown("a count over literals this module does not compare")
            return {"==": n == e[2], ">=": n >= e[2], "<=": n <= e[2]}[e[1]]
        raise Unknown(f"expression {kind}")

    def _holds_value(self, e, y) -> bool:
        if self.is_literal(y):
            if e == THING:
                return False
            if isinstance(e, tuple) and e[0] == "dt":
                return _in_datatype(y[1], e[1])
            return False
        if isinstance(e, tuple) and e[0] == "dt":
            return False
        return self.holds(e, y)

    def verify(self) -> list[tuple]:
        """Every place where M breaks an axiom: ``(node, why)``, or ``(node, why, right-hand side)`` for a class
        axiom. Empty: M is a model of ontology + data. In a branch, only what the branch changed is checked again
        (:meth:`_verify_changes`)."""
        if self.base is not None and self.base.verified is not None and self.touched is not None:
            self.verified = self._verify_changes()
        else:
            self.verified = self._verify_all()
        return self.verified

    def _read_paths(self) -> set:
        """The property paths (tuples of roles, the empty path included) along which :meth:`holds` reads from an
        individual for some expression :meth:`verify` checks: it reads the individual's own state and that of
        the nodes at the end of these paths."""
        exprs = [r for _l, r in self.checks] + [l for l, _r in self.checks] + list(self.body_seen) + \
            [e for _s, e in self.asserted_exprs]
        out: set = {()}
        for e in exprs:
            out |= _paths(e)
        return out

    def _verify_changes(self) -> list[tuple]:
        """:meth:`verify` of a branch (equal to a full one): the base's verdicts on the nodes whose verdict the
        branch cannot have changed, and a fresh check of the others."""
        # the nodes whose verdict can differ from the base's: those that read a node the branch changed along a
        # read path (in the branch's state: a read path of the base that the branch cut runs through a changed
        # node), and those with a property value the property axioms look at from there
        values = [x for x in self.touched if self.is_literal(x)]
        changed_nodes = [x for x in self.touched if not self.is_literal(x)]
        near: set = set(changed_nodes)
        for path in self._read_paths():
            if not path:
                continue
            frontier = set(changed_nodes)
            for role in reversed(path):
                step: set = set()
                back = _inv(role)
                for y in frontier:
                    step.update(self.succ(back, y))
                frontier = {w for w in step if not self.is_literal(w)}
                near |= frontier
                if not frontier:
                    break
        for y in self.touched:
            for p, ws in self.inn.get(y, {}).items():
                if self.sub.get(("P", p)) or self.chain_first.get(("P", p)):
                    near.update(ws)
        find = self.find
        here = [x for x in near if x in self.types and find(x) == x]
        changed = near.union(values)
        bad: list[tuple] = [b for b in self.base.verified if b[1] != _UNDECIDED and b[0] not in changed]
        bad += [(u[1], _UNDECIDED) for u in self.undecided]
        by_left: dict = {}
        for left, right in self.checks:
            if not _applied(left, right):
                by_left.setdefault(left, []).append(right)
        for x in here:
            for t in set(self.types.get(x, ())) | {THING}:
                for right in by_left.get(t, ()):
                    try:
                        if not self.holds(right, x):
                            bad.append((x, f"{_show(t)} SubClassOf {_show(right)}", right))
                    except Unknown as exc:
                        bad.append((x, str(exc)))
        for s, e in self.asserted_exprs:
            x = find(self.node(s))
            if x in near:
                try:
                    if not self.holds(e, x):
                        bad.append((x, "asserted class expression"))
                except Unknown as exc:
                    bad.append((x, str(exc)))
        for x in here:
            tx = self.types.get(x, ())
            for e in self.body_seen:
                if e not in tx and self._is_candidate(e, x):
                    try:
                        if self.holds(e, x):
                            bad.append((x, f"rules missed {_show(e)}"))
                    except Unknown as exc:
                        bad.append((x, str(exc)))
        self._check_values(here, here + values, bad)
        return bad

    def _is_candidate(self, e, x) -> bool:
        """Whether :meth:`_candidates` of ``e`` holds ``x`` (a representative)."""
        if _named(e):
            return False
        kind = e[0]
        tx = self.types.get(x, ())
        if kind == "and":
            first = e[1][0]
            return True if _named(first) and first == THING else first in tx
        if kind == "or":
            return any(m in tx for m in e[1])
        if kind in ("some", "value"):
            return bool(self.succ(e[1], x))
        if kind == "one":
            return any(not isinstance(v, Literal) and self.find(v) == x for v in e[1])
        return False

    def _verify_all(self) -> list[tuple]:
        self._by_role = None
        bad: list[tuple] = [(u[1], _UNDECIDED) for u in self.undecided]
        everyone = [x for x in self.types if self.find(x) == x]
        for left, right in self.checks:
            if _applied(left, right):
                continue
            xs = everyone if left == THING else list(self.members.get(left, ()))
            if left == THING and THING not in self.members:
                xs = everyone
            for x in xs:
                if self.find(x) != x:
                    continue
                try:
                    if not self.holds(right, x):
                        bad.append((x, f"{_show(left)} SubClassOf {_show(right)}", right))
                except Unknown as exc:
                    bad.append((x, str(exc)))
        for s, e in self.asserted_exprs:
            x = self.find(self.node(s))
            try:
                if not self.holds(e, x):
                    bad.append((x, "asserted class expression"))
            except Unknown as exc:
                bad.append((x, str(exc)))
        # the recognised (materialised) members of each left-hand side are all its members in M
        for e in self.body_seen:
            for x in self._candidates(e):
                if self.find(x) == x and e not in self.types.get(x, ()):
                    try:
                        if self.holds(e, x):
                            bad.append((x, f"rules missed {_show(e)}"))
                    except Unknown as exc:
                        bad.append((x, str(exc)))
        self._check_values([x for x in self.out if self.find(x) == x], [x for x in self.inn if self.find(x) == x],
                           bad)
        return bad

    def _check_values(self, nodes, targets, bad: list) -> None:
        """The property axioms at ``nodes`` (representatives): functionality, datatype ranges, sub-properties,
        property chains; inverse functionality at ``targets``."""
        ranges: dict = {}
        for p, dt in self.split.ranges:
            ranges.setdefault(p, []).append(dt)
        functional = self.split.functional
        for x in nodes:
            d = self.out.get(x)
            if not d:
                continue
            for p, ys in d.items():
                role = ("P", p)
                if role in functional and len(ys) > 1:
                    bad.append((x, f"functional {p} with {len(ys)} values"))
                for dt in ranges.get(p, ()):
                    for y in ys:
                        try:
                            if self.is_literal(y) and not _in_datatype(y[1], dt):
                                self._clash(f"a value of {p} outside its range {dt}", x)
                        except Unknown as exc:
                            bad.append((x, str(exc)))
                for y in ys:
                    for s in self.sub.get(role, ()):
                        if s[0] == "P" and y not in self.succ(s, x):
                            bad.append((x, f"sub-property {p} -> {s[1]}"))
                        elif s[0] == "I" and not self.is_literal(y) and x not in self.succ(("P", s[1]), y):
                            bad.append((x, f"sub-property {p} -> inverse {s[1]}"))
                    if self.is_literal(y):
                        continue
                    for r2, s in self.chain_first.get(role, ()):
                        for z in self.succ(r2, y):
                            if z not in self.succ(s, x):
                                bad.append((x, f"property chain {p} o {r2[1]} -> {s[1]}"))
        for x in targets:
            d = self.inn.get(x)
            if not d:
                continue
            for p, ws in d.items():
                if ("I", p) in functional and len(ws) > 1:
                    bad.append((x, f"inverse functional {p} with {len(ws)} subjects"))

    def _candidates(self, e) -> Iterable:
        if _named(e):
            return ()
        kind = e[0]
        if kind == "and":
            first = e[1][0]
            return list(self.members.get(first, ())) if not _named(first) or first != THING else \
                [x for x in self.types]
        if kind == "or":
            out: set = set()
            for m in e[1]:
                out |= self.members.get(m, set())
            return out
        if kind in ("some", "value"):
            if self._by_role is None:
                self._by_role = {}
                for tag, index in (("P", self.out), ("I", self.inn)):
                    for x, d in index.items():
                        for p, ys in d.items():
                            if ys:
                                self._by_role.setdefault((tag, p), []).append(x)
            return self._by_role.get(e[1], ())
        if kind == "one":
            return [self.find(v) for v in e[1] if not isinstance(v, Literal)]
        return ()

    def clone(self) -> "Materialiser":
        """A copy of M (for trying one branch of a disjunction) that shares M's state until it changes it (M must
        not change while the copy is in use)."""
        c = object.__new__(Materialiser)
        c.__dict__.update(self.__dict__)
        c.parent = _Layer(self.parent, _same)
        c.types = _Layer(self.types, set)
        c.out = _Layer(self.out, _copy_index)
        c.inn = _Layer(self.inn, _copy_index)
        c.members = _Layer(self.members, set)
        c.literals = _Layer(self.literals, _same)
        c.diff = _Layer(self.diff, set)
        c.merged = _Layer(self.merged, set)
        c.undecided = list(self.undecided)
        c.queue = deque()
        c.base = self
        return c

    def branch(self, choices: Iterable[tuple]) -> "Materialiser":
        """A copy of M with ``x`` put into class expression ``e`` for each ``(x, e)`` of ``choices``, closed again."""
        c = self.clone()
        c.touched = set()
        for x, e in choices:
            c._head(e)
            c.apply_head(e, c.find(x))
            c._drain()
        return c

    def confined_to(self, x, base: "Materialiser") -> bool:
        """Whether this branch of ``base`` changed nothing but the types of ``x``, none of which a ``some``
        restriction looks for (so no other individual can notice the difference)."""
        if self.touched is None or not self.touched <= {x}:
            return False
        new = self.types.get(x, set()) - base.types.get(x, set())
        return not any(t in self.some_by_filler for t in new)

    def named_types(self, x) -> set:
        return {t for t in self.types.get(self.find(x), ()) if _named(t)}


_UNDECIDED = "undecided equality of literals"


def _applied(left, right) -> bool:
    """Whether the rules make every member of ``left`` a member of ``right``, so that the axiom holds in M without
    a check: ``right`` a named class (the rules add it to each individual that gets ``left``; but for owl:Thing
    as ``left``, whose members are all individuals, and owl:Nothing as ``right``, a clash)."""
    return _named(right) and right != NOTHING and left != THING


def _paths(e) -> set:
    """The property paths along which :meth:`Materialiser.holds` reads for ``e`` (with the empty path: the
    individual itself)."""
    if _named(e):
        return {()}
    kind = e[0]
    if kind in ("and", "or"):
        out: set = {()}
        for m in e[1]:
            out |= _paths(m)
        return out
    if kind == "not":
        return _paths(e[1])
    if kind in ("some", "all", "card", "value"):
        role = e[1]
        filler = e[4] if kind == "card" else e[2] if kind != "value" else THING
        inner = {()} if isinstance(filler, Literal) or (isinstance(filler, tuple) and filler[0] == "dt") \
            else _paths(filler)
        return {()} | {(role,) + p for p in inner}
    return {()}  # one, dt


def _named(e) -> bool:
    """A named class (a plain-string IRI), not a compiled expression (a tuple)."""
    return type(e) is str


def _show(e) -> str:
    if _named(e):
        return str(e).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return e[0] + "(...)"
