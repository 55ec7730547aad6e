"""What a contribution may never do, refused before anything is validated or written (exit 2, ``file:line:column``).

A contribution only adds. It may not

* declare identity or equivalence involving a published record or an ontology term (``owl:sameAs``,
  ``owl:equivalentClass``, ``owl:equivalentProperty``, ``skos:exactMatch`` ...);
* give a published record another type or another label in a language it has a label in;
* bind a standard or project prefix (``rdfs:``, ``dip:``, ``case:`` ...) to another namespace;
* carry SHACL or OWL axioms (``sh:`` terms, ``owl:Class``, ``rdfs:subClassOf``, restrictions, ...);
* hide characters in its texts (control, bidirectional or zero-width characters, words mixing look-alike
  alphabets).

Labels are compared and stored NFC-normalised (:func:`nfc`). The hidden-character rule is the contribution checks'
(:func:`dipontology.contribution.checks.text_hygiene`), here made a refusal; :mod:`dipontology.contribution.accept`
and ``dipontology convert`` call this module before anything is validated or written.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS, XSD

from ..errors import InputError
from ..findings import short
from ..load import Loaded
from ..namespaces import DIP, DIPSH, PREFIXES
from ..published import Published, Vocabulary
from .checks import LABEL_PROPERTIES, text_hygiene
from .convert import Converted

__all__ = ["refuse_alterations", "refuse_hidden_text", "refuse_hidden_cells", "nfc", "IDENTITY", "LABELS",
           "NAMES"]

#: statements of identity or equivalence: never about a published record or an ontology term
IDENTITY = frozenset({OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, OWL.differentFrom,
                      OWL.propertyDisjointWith, OWL.disjointWith, SKOS.exactMatch, SKOS.closeMatch})
#: properties that name a record (their texts are checked for mixed-script words)
LABELS = LABEL_PROPERTIES
#: a record's one name per language: a contribution may not give a published record another (other names,
#: skos:altLabel, are facts a source may add)
NAMES = (RDFS.label, SKOS.prefLabel, DCTERMS.title, FOAF.name)
#: OWL terms data may use (owl:imports is warned about and never followed by validation)
_OWL_ALLOWED = frozenset({OWL.sameAs, OWL.imports, OWL.deprecated})
#: RDFS terms that are axioms, not data
_RDFS_AXIOMS = frozenset({RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range})
#: standard prefixes a contribution may not re-bind (besides the project's own)
_STANDARD = {p: ns for p, ns in PREFIXES.items()}


def nfc(g: Graph) -> Graph:
    """``g`` with every string literal NFC-normalised (the same text written with other code points reads the same
    and is stored once)."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and (o.datatype is None or o.datatype == XSD.string):
            text = unicodedata.normalize("NFC", str(o))
            if text != str(o):
                o = Literal(text, lang=o.language, datatype=o.datatype)
        out.add((s, p, o))
    return out


class _Locator:
    """Lines and columns of a contribution file's text, for messages."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        """The file's lines, read when a message first needs them."""
        if self._lines is None:
            try:
                self._lines = Path(self.loaded.file).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._lines = []
        return self._lines

    def forms(self, term: URIRef) -> list[str]:
        out = [f"<{term}>"]
        for prefix, ns in {**PREFIXES, **self.loaded.prefixes}.items():
            if str(term).startswith(ns) and str(term) != ns:
                out.append(f"{prefix}:{str(term)[len(ns):]}")
        if term == RDF.type:
            out.append(" a ")
        return out

    def find(self, start: int | None, *needles: str) -> tuple[int | None, int | None]:
        """The first line at or after ``start`` holding one of ``needles``, and its column."""
        begin = (start or 1) - 1
        for i in range(begin, len(self.lines)):
            hits = [self.lines[i].find(n) for n in needles if n and n in self.lines[i]]
            if hits:
                col = min(hits)
                return i + 1, col + 1 + (1 if self.lines[i][col:col + 3] == " a " else 0)
        return start, None

    def triple(self, s, p, o=None) -> tuple[int | None, int | None]:
        start = self.loaded.line_of(s)
        needles = self.forms(p) if isinstance(p, URIRef) else []
        if isinstance(o, URIRef) and p in (RDF.type, OWL.sameAs):
            needles = self.forms(o) if p == RDF.type else needles
        return self.find(start, *needles)


def _refuse(loc: _Locator, line, col, message: str, fix: str) -> None:
    raise InputError(message, file=loc.loaded.file, line=line, column=col, fix=fix)


def refuse_alterations(loaded: Loaded, published: Published, vocab: Vocabulary) -> None:
    """Raise :class:`InputError` at the first statement of ``loaded`` that would alter a published record, re-bind
    a prefix or carry an axiom (see the module docstring)."""
    loc = _Locator(loaded)
    for prefix, ns in sorted(loaded.prefixes.items()):
        if prefix in _STANDARD and ns != _STANDARD[prefix]:
            line, col = loc.find(1, f"@prefix {prefix}:", f"PREFIX {prefix}:", f"prefix {prefix}:",
                                 f'"{prefix}"', f"xmlns:{prefix}=")
            _refuse(loc, line, col, f"the prefix {prefix}: is bound to <{ns}>, but {prefix}: is <{_STANDARD[prefix]}>",
                    f"remove the declaration or write @prefix {prefix}: <{_STANDARD[prefix]}> .")
    g = loaded.triples_graph()
    pub = published.graph
    ontology_ns = (str(DIP), str(DIPSH), str(SH), str(OWL), str(RDFS), str(RDF))

    def guarded(node) -> bool:
        return isinstance(node, URIRef) and (node in published.subjects or str(node).startswith(ontology_ns))

    # the statements that may be refused, found in one pass (each distinct predicate and type judged once), then
    # taken in the order of the file: the first one refused is the one reported
    sh_ns, owl_ns = str(SH), str(OWL)
    suspect_predicate: dict = {}
    suspect_type: dict = {}
    subjects = published.subjects

    def suspect(s, p, o) -> bool:
        sp = suspect_predicate.get(p)
        if sp is None:
            sp = suspect_predicate[p] = (str(p).startswith(sh_ns) or p in IDENTITY or p in NAMES or p in _RDFS_AXIOMS
                                         or str(p).startswith(owl_ns))
        if sp:
            return True
        if p == RDF.type:
            st = suspect_type.get(o)
            if st is None:
                st = suspect_type[o] = isinstance(o, URIRef) and (str(o).startswith((sh_ns, owl_ns))
                                                                  or o in (RDFS.Class, RDF.Property))
            return st or s in subjects
        return False

    candidates = [t for t in loaded.triples() if suspect(*t)]
    for s, p, o in sorted(candidates, key=lambda t: (loaded.line_of(t[0]) or 0, str(t[1]), str(t[2]))):
        if str(p).startswith(str(SH)) or (p == RDF.type and str(o).startswith(str(SH))):
            line, col = loc.triple(s, p, o)
            what = f"{short(p)} {short(o)}" if p == RDF.type else short(p)
            _refuse(loc, line, col, f"{short(s)} {what} is a SHACL statement: data cannot add, replace or switch off "
                    "the project's shapes",
                    "remove it; propose shape changes in an issue, or apply your own shapes with validate --shapes")
        if p in IDENTITY and (guarded(s) or guarded(o)):
            line, col = loc.triple(s, p, o)
            _refuse(loc, line, col, f"{short(s)} {short(p)} {short(o)} would merge or equate "
                    + ("published records" if guarded(s) and guarded(o) else "a published record or ontology term")
                    + ": published records are never altered by a contribution",
                    "remove the statement; if two published records are the same, say so in an issue")
        if (str(p).startswith(str(OWL)) and p not in _OWL_ALLOWED and p not in IDENTITY) or p in _RDFS_AXIOMS \
                or (p == RDF.type and isinstance(o, URIRef) and str(o).startswith(str(OWL))) \
                or (p == RDF.type and o in (RDFS.Class, RDF.Property)):
            line, col = loc.triple(s, p, o)
            _refuse(loc, line, col, f"{short(s)} {short(p)} {short(o)} is an OWL or RDFS axiom: data cannot define "
                    "classes, properties or restrictions",
                    "remove it; propose new or changed terms in an issue against ontology/dipontology.ttl")
        if isinstance(s, BNode) or s not in published.subjects:
            continue
        if p == RDF.type:
            pub_types = set(pub.objects(s, RDF.type))
            closure = set().union(*(vocab.superclasses.get(t, {t}) for t in pub_types)) if pub_types else set()
            if pub_types and o not in closure:
                line, col = loc.triple(s, p, o)
                _refuse(loc, line, col, f"{short(s)} is a published {', '.join(sorted(short(t) for t in pub_types))};"
                        f" this file re-types it as {short(o)}: published records are never altered",
                        f"give your record a new slug, or refer to {short(s)} without typing it")
        if p in NAMES and isinstance(o, Literal):
            same_lang = [x for x in pub.objects(s, p) if isinstance(x, Literal) and x.language == o.language]
            if same_lang and unicodedata.normalize("NFC", str(o)) not in {str(x) for x in same_lang}:
                line, col = loc.triple(s, p, o)
                _refuse(loc, line, col, f"{short(s)} is published as {same_lang[0].n3()}; this file re-labels it "
                        f"{o.n3()}: published records are never altered",
                        "drop the label (refer to the record by its IRI), or propose the new label in an issue")


def refuse_hidden_text(loaded: Loaded) -> None:
    """Raise :class:`InputError` at the first literal of ``loaded`` hiding characters (:func:`text_hygiene`)."""
    loc = _Locator(loaded)
    g = loaded.triples_graph()
    for s, p, o in sorted(g, key=lambda t: (loaded.line_of(t[0]) or 0, str(t[1]), str(t[2]))):
        if not isinstance(o, Literal):
            continue
        problems = text_hygiene(str(o), label=p in LABELS)
        if problems:
            _rule, message, fix = problems[0]
            clean = re.split(r"[^\w ,.'-]", str(o))[0][:40]
            line, col = loc.find(loaded.line_of(s), f'"{clean}') if len(clean) >= 3 else (None, None)
            if col is None:  # the text starts with the hidden character: point at the property
                line, col = loc.find(loaded.line_of(s), *loc.forms(p))
            _refuse(loc, line, col, f"{short(p)} of {short(s)}: {message}", fix)


def refuse_hidden_cells(converted: Converted) -> None:
    """Raise :class:`InputError` at the first cell of converted sheets hiding characters, at its row and column."""
    for file, line, col, name, text in converted.cells:
        problems = text_hygiene(text, label=name in ("label", "title"))
        if problems:
            _rule, message, fix = problems[0]
            raise InputError(f"the {name} cell: {message}", file=file, line=line, column=col, fix=fix)
