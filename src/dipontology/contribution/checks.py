"""What a contribution must satisfy beyond the shapes, and the validation of a contribution against the published data.

:func:`validate_contribution` (called by :func:`dipontology.validate.validate` with files) runs the contribution
rules of :data:`CONTRIBUTION_RULES` and SHACL on the contributed records together with the published records they
mention (:func:`context`), and reports findings about the contribution only:

* :func:`record_checks` -- new records outside the project's namespaces, misspelt or misused ``dip:`` terms (with
  a suggestion), unknown terms of well-known vocabularies (also run on the published data);
* :func:`literal_checks` -- literals whose text is not valid for their datatype (:func:`ill_typed`; also run on
  the published data);
* :func:`collision_checks` -- IRIs that already name a published record of another type or label, additions to
  published records (:func:`novel_statements`), likely duplicates;
* :func:`text_hygiene_findings` -- control, bidirectional and zero-width characters, mixed-script look-alikes.

:func:`finish` fills in labels, puts every value error at the line and column where its value is written
(:func:`locate_values`), drops duplicates and sorts. Built on :mod:`dipontology.published`,
:mod:`dipontology.shacl` and :mod:`dipontology.findings`; nothing here imports :mod:`dipontology.validate`.

>>> from rdflib import Graph
>>> g = Graph().parse(data='<https://e.org/a> <https://e.org/p> [ <https://e.org/q> 1 ], 2 .', format="turtle")
>>> len(novel_statements(g, g)), len(novel_statements(g, Graph()))
(0, 3)
"""
from __future__ import annotations

import difflib
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Iterable, Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from .. import provenance, resources
from ..findings import (BIDI, ZERO_WIDTH, Finding, ValidationReport, focus_text, is_control, n3, rank, short,
                        visible)
from ..load import Loaded
from ..namespaces import DIP, DIPSH, PREFIXES, RECORD_NAMESPACES
from ..published import Published, Vocabulary, clean, ontology, stamp, subjects_index, vocabulary
from ..shacl import Profile, english, ontology_plus, run_shacl, shacl_engine, turbo_data
from ..terms import copy_closure, expand

__all__ = [
    "CONTRIBUTION_RULES", "validate_contribution", "record_checks", "literal_checks", "ill_typed",
    "collision_checks", "novel_statements", "text_hygiene", "text_hygiene_findings", "LABEL_PROPERTIES", "context",
    "CONTEXT_LINKS", "CONTEXT_BACKLINKS", "finish", "locate_values", "display_path",
]

#: contribution rules: id -> (level, what it checks). Messages and fixes are built in the checks below.
CONTRIBUTION_RULES: dict[str, tuple[str, str]] = {
    "contrib:outside-namespace": ("Violation", "a new record's IRI is outside the project's record namespaces"),
    "contrib:extends-published": ("Info", "the contribution adds statements to a published record"),
    "contrib:possible-duplicate": ("Warning", "a new record has the same label as a published record of its kind"),
    "contrib:unknown-term": ("Violation", "a dip: class or property that the ontology does not define"),
    "contrib:term-misuse": ("Violation", "a dip: property used as a class, or a class or individual as a property"),
    "contrib:unknown-vocabulary-term": ("Warning", "a term of RDF, RDFS, OWL, SKOS, Dublin Core, PROV, FOAF or XSD "
                                                   "that the vocabulary does not define"),
    "contrib:ill-typed-literal": ("Violation", "a literal whose text is not valid for its datatype"),
    "contrib:ontology-change": ("Violation", "statements about dip: or dipsh: terms (ontology or shapes) in data"),
    "contrib:shapes-ignored": ("Warning", "SHACL statements in data, removed before validation"),
    "contrib:imports-ignored": ("Warning", "owl:imports in data, removed: nothing is ever fetched"),
    "contrib:parser-warning": ("Warning", "something the parser accepted but dropped or changed"),
    "contrib:control-character": ("Violation", "text with control characters or terminal escape sequences (ESC)"),
    "contrib:bidi-control": ("Violation", "text with bidirectional override or isolate characters (U+202A-U+202E, "
                                          "U+2066-U+2069) that make it display differently from what it says"),
    "contrib:invisible-character": ("Warning", "text with zero-width characters (U+200B-U+200D, U+2060, U+FEFF)"),
    "contrib:mixed-script": ("Warning", "a word in a label mixing letters of different alphabets (Latin with "
                                        "Cyrillic or Greek look-alikes)"),
}

_KIND_FOR_CLASS = (  # most specific first: which record namespace a new record of this class belongs in
    (DIP.Initiative, "case"), (DIP.Actor, "actor"), (DIP.Conflict, "conflict"), (DIP.Place, "place"),
    (DIP.Source, "source"), (DIP.Statement, "statement"), (DIP.Method, "activity"), (DIP.Outcome, "outcome"),
    (DIP.Theory, "theory"), (DIP.Challenge, "challenge"), (DIP.Opportunity, "opportunity"),
    (DIP.CodeAssignment, "code"),
)
_CHECKED_VOCABULARIES = (RDF, RDFS, OWL, SKOS, DCTERMS, PROV, FOAF, XSD)
_VOCABULARY_NAMES = {str(RDF): "RDF", str(RDFS): "RDF Schema", str(OWL): "OWL", str(SKOS): "SKOS",
                     str(DCTERMS): "Dublin Core terms", str(PROV): "PROV-O", str(FOAF): "FOAF",
                     str(XSD): "XML Schema datatypes"}




# --------------------------------------------------------------------------------------------------------------
# record checks: namespaces, terms, literals (for the published data and contributions alike)


def record_checks(loaded: Sequence[Loaded], g: Graph, vocab: Vocabulary,
                   published: Published | None = None, *, where: dict | None = None,
                   triples: Sequence | None = None) -> list[Finding]:
    """Records outside the project's namespaces, misspelt or misused ``dip:`` terms, unknown terms of well-known
    vocabularies. ``where`` (:func:`~dipontology.published.subjects_index` of ``loaded``) and ``triples`` (the
    triples of ``g`` as a list) save a pass over a large graph when the caller has them."""
    findings: list[Finding] = []
    where = subjects_index(loaded) if where is None else where
    triples = g if triples is None else triples
    dip_ns = str(DIP)

    def place(s):
        item = where.get(s)
        return (item.file, item.line_of(s)) if item else (None, None)

    # records outside our namespaces
    for s in {t[0] for t in triples}:
        if not isinstance(s, URIRef) or str(s).startswith(RECORD_NAMESPACES + (dip_ns, str(DIPSH))):
            continue
        if published is not None and s in published.subjects:
            continue
        kind = _kind_for(g, s, vocab)
        slug = _slugify(str(s).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]) or "my-record"
        file, line = place(s)
        findings.append(Finding(
            "Violation", "contrib:outside-namespace", short(s), value=f"<{s}>",
            message=f"the record <{s}> is outside the project's record namespaces "
                    "(https://w3id.org/dipontology/id/<kind>/<slug>), so it cannot be published",
            fix=f"mint it as {kind}:{slug} (<{PREFIXES[kind]}{slug}>): lowercase words joined by hyphens",
            file=file, line=line))

    # unknown or misused dip: terms, unknown terms of well-known vocabularies, ill-typed literals
    reported: set = set()
    judged: dict = {}  # (term, role) -> its finding or None: each distinct term is judged once
    for s, p, o in triples:
        for term, role in ((p, "property"), (o, "class" if p == RDF.type else "value")):
            if not isinstance(term, URIRef):
                continue
            finding = judged.get((term, role), judged)
            if finding is judged:
                finding = judged[(term, role)] = _term_finding(term, role, vocab)
            if finding is None:
                continue
            key = (s, term)
            if key in reported:
                continue
            reported.add(key)
            level, rule, message, fix = finding
            file, line = place(s)
            findings.append(Finding(level, rule, focus_text(g, s), path=short(p),
                                    value=None if role == "property" else short(term), message=message,
                                    fix=fix, file=file, line=line))
    return findings


# --------------------------------------------------------------------------------------------------------------
# literals: judged on the lexical form as written


#: XSD types whose lexical forms rdflib does not check (it gives them no value): pyoxigraph's casts do
_OX_CHECKED = frozenset(XSD[t] for t in ("gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay", "duration",
                                         "yearMonthDuration", "dayTimeDuration", "time"))


def ill_typed(literals: Iterable[Literal]) -> set[Literal]:
    """The literals whose text is not in the lexical space of their XSD datatype, judged on the text as written
    (the loader keeps it: rdflib alone would rewrite ``"none"^^xsd:boolean`` to ``"false"``).

    rdflib checks most types (numbers with the ranges of derived types such as ``xsd:byte``, booleans, dates);
    pyoxigraph's XSD casts check the calendar and duration types rdflib leaves unchecked (``xsd:gYear``). A valid
    literal of a derived type (``"3"^^xsd:int``) is well typed.

    >>> XSD_ = "http://www.w3.org/2001/XMLSchema#"
    >>> lits = [Literal(t, datatype=URIRef(XSD_ + d), normalize=False)
    ...         for t, d in [("none", "boolean"), ("19x5", "gYear"), ("1995", "gYear"), ("3", "int"), ("300", "byte")]]
    >>> sorted(str(x) for x in ill_typed(lits))
    ['19x5', '300', 'none']
    """
    bad: set[Literal] = set()
    by_type: dict = {}
    for lit in set(literals):
        if not isinstance(lit, Literal) or lit.datatype is None or not str(lit.datatype).startswith(str(XSD)):
            continue
        if lit.ill_typed:
            bad.add(lit)
        elif lit.ill_typed is None and lit.datatype in _OX_CHECKED:
            by_type.setdefault(lit.datatype, []).append(lit)
    if by_type:
        store = ox.Store()
        for dt, lits in by_type.items():
            values = " ".join(json.dumps(str(x)) for x in lits)
            query = f"SELECT ?t WHERE {{ VALUES ?t {{ {values} }} FILTER(!COALESCE(isLiteral(<{dt}>(?t)), false)) }}"
            wrong = {row["t"].value for row in store.query(query)}
            bad.update(x for x in lits if str(x) in wrong)
    return bad


def literal_checks(loaded: Sequence[Loaded], g: Graph, *, where: dict | None = None,
                   triples: Sequence | None = None) -> list[Finding]:
    """A finding for every ill-typed literal (:func:`ill_typed`), at the line where the literal is written
    (``where`` and ``triples`` as for :func:`record_checks`)."""
    triples = g if triples is None else triples
    wrong = ill_typed(o for _s, _p, o in triples if isinstance(o, Literal))
    if not wrong:
        return []
    where = subjects_index(loaded) if where is None else where
    findings = []
    for s, p, o in triples:
        if o not in wrong:
            continue
        item = where.get(s)
        line = item.line_of(s) if item else None
        findings.append(Finding(
            "Violation", "contrib:ill-typed-literal", focus_text(g, s), path=short(p), value=n3(o),
            message=f"{n3(o)} is not a valid {short(o.datatype)} value",
            fix=_datatype_fix(o.datatype), file=item.file if item else None,
            line=line))
    return findings


# --------------------------------------------------------------------------------------------------------------
# text hygiene: what a contributed text may not hide


#: properties whose text is shown as a name (checked for mixed-script words as well)
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, DCTERMS.title, FOAF.name)
#: alphabets whose letters look alike; a word mixing two of them is a likely spoof
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")






def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character' if is_control(ch) else 'unnamed')}"




def _scripts_of(word: str) -> dict[str, list[str]]:
    scripts: dict[str, list[str]] = {}
    for ch in word:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        script = next((sc for sc in _CONFUSABLE_SCRIPTS if name.startswith(sc + " ")), None)
        if script is not None:
            scripts.setdefault(script, []).append(ch)
    return scripts


def text_hygiene(text: str, label: bool = True) -> list[tuple[str, str, str]]:
    """Problems hidden in one text: ``(rule, message, fix)`` for control characters and terminal escapes,
    bidirectional overrides, zero-width characters and (for labels) words mixing look-alike alphabets.

    >>> [r for r, _m, _f in text_hygiene("Oslo\\u202eback channel")]
    ['contrib:bidi-control']
    >>> [r for r, _m, _f in text_hygiene("\\u041eslo back channel")]  # Cyrillic O + Latin slo
    ['contrib:mixed-script']
    >>> text_hygiene("Ginebra, Genève, Женева") == []
    True
    """
    found: list[tuple[str, str, str]] = []
    controls = sorted({ch for ch in text if is_control(ch)})
    if controls:
        esc = "\x1b" in text or "\x9b" in text
        what = "a terminal escape sequence (ESC)" if esc else "control characters"
        found.append(("contrib:control-character",
                      f"the text contains {what}: " + ", ".join(_char_name(c) for c in controls)
                      + "; printed in a terminal or shown on a page it can hide or change what is displayed",
                      "retype the text without them (only tab, newline and carriage return are allowed)"))
    bidi = sorted({ch for ch in text if ch in BIDI})
    if bidi:
        found.append(("contrib:bidi-control",
                      "the text contains bidirectional control characters (" + ", ".join(_char_name(c) for c in bidi)
                      + ") that reorder how it is displayed, so readers see something other than what it says",
                      "remove them; right-to-left scripts display correctly without them"))
    zero = sorted({ch for ch in text if ch in ZERO_WIDTH})
    if zero:
        found.append(("contrib:invisible-character",
                      "the text contains invisible zero-width characters (" + ", ".join(_char_name(c) for c in zero)
                      + "): two texts that look the same then differ, which defeats search and duplicate checks",
                      "delete them (retype the word where they sit)"))
    if label:
        for word in re.findall(r"\w+", text):
            scripts = _scripts_of(word)
            if len(scripts) > 1:
                names = " and ".join(sc.title() for sc in sorted(scripts, key=lambda sc: -len(scripts[sc]))[:2])
                main = max(scripts, key=lambda sc: len(scripts[sc]))
                odd = sorted({c for sc, cs in scripts.items() if sc != main for c in cs})
                found.append(("contrib:mixed-script",
                              f"the word {visible(word)!r} mixes {names} letters ("
                              + ", ".join(_char_name(c) for c in odd) + "): it looks like a "
                              f"{main.title()} word but is spelt differently, so it cannot be found or matched",
                              f"retype the word in {main.title()} letters only"))
                break
    return found


#: the ASCII characters :func:`text_hygiene` reports (C0 controls but tab, newline and carriage return; DEL)
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_hygiene_findings(g: Graph, where: dict, *, triples: Sequence | None = None) -> list[Finding]:
    """Findings for every string literal of ``g`` with hidden characters (:func:`text_hygiene`); ``triples``: the
    triples of ``g`` as a list, if the caller has it."""
    findings: list[Finding] = []
    for s, p, o in (g if triples is None else triples):
        if not isinstance(o, Literal):
            continue
        text = str(o)
        if text.isascii() and not _ASCII_CONTROL.search(text):
            continue  # plain ASCII without control characters hides nothing (no bidi, zero-width or look-alikes)
        problems = text_hygiene(text, label=p in LABEL_PROPERTIES)
        if not problems:
            continue
        item = where.get(s)
        for rule, message, fix in problems:
            findings.append(Finding(CONTRIBUTION_RULES[rule][0], rule, focus_text(g, s), path=short(p),
                                    value=visible(n3(o)), message=message, fix=fix,
                                    file=item.file if item else None, line=item.line_of(s) if item else None))
    return findings


def _term_finding(term: URIRef, role: str, vocab: Vocabulary) -> tuple[str, str, str, str] | None:
    text = str(term)
    if text.startswith(str(DIP)):
        if term not in vocab.terms:
            pool = {"property": vocab.properties, "class": vocab.classes}.get(role, vocab.individuals)
            return ("Violation", "contrib:unknown-term", f"{short(term)} is not a term of the dipontology ontology",
                    _did_you_mean(term, pool, vocab.terms))
        if role == "property" and term not in vocab.properties:
            what = "a class" if term in vocab.classes else "an individual"
            fix = _did_you_mean(term, vocab.properties, vocab.properties, always=True)
            if not fix.startswith("did you mean"):
                fix = (f"a class goes after 'a' (rdf:type {short(term)}); here use a dip: property"
                       if term in vocab.classes else f"use {short(term)} as a value, after a dip: property")
            return ("Violation", "contrib:term-misuse", f"{short(term)} is {what}, used here as a property", fix)
        if role == "class" and term not in vocab.classes:
            what = "a property" if term in vocab.properties else "an individual, not a class"
            return ("Violation", "contrib:term-misuse", f"{short(term)} is {what}, used here as a class (rdf:type)",
                    _did_you_mean(term, vocab.classes, vocab.classes, always=True))
        return None
    for ns in _CHECKED_VOCABULARIES:
        if text.startswith(str(ns)):
            local = text[len(str(ns)):]
            if not local or term in ns or (ns is RDF and re.fullmatch(r"_[1-9][0-9]*", local)):
                return None
            names = [str(ns) + n for n in getattr(ns, "__annotations__", {})]
            close = difflib.get_close_matches(text, names, n=1, cutoff=0.75) or \
                difflib.get_close_matches(text.lower(), names, n=1, cutoff=0.75)
            fix = f"did you mean {short(URIRef(close[0]))}?" if close else \
                f"use a term that {ns} defines, or a dip: term"
            return ("Warning", "contrib:unknown-vocabulary-term",
                    f"{short(term)} is not a term of {_VOCABULARY_NAMES.get(str(ns), str(ns))}", fix)
    return None


def _did_you_mean(term: URIRef, pool: Iterable[URIRef], everything: Iterable[URIRef], always: bool = False) -> str:
    local = str(term)[len(str(DIP)):]
    names = {str(t)[len(str(DIP)):]: t for t in pool}
    lowered = {n.lower(): n for n in names}
    close = [lowered[c] for c in difflib.get_close_matches(local.lower(), list(lowered), n=3, cutoff=0.6)]
    if not close and not always:
        names_all = {str(t)[len(str(DIP)):]: t for t in everything}
        low_all = {n.lower(): n for n in names_all}
        close = [low_all[c] for c in difflib.get_close_matches(local.lower(), list(low_all), n=3, cutoff=0.6)]
    if close:
        ratios = [difflib.SequenceMatcher(None, local.lower(), c.lower()).ratio() for c in close]
        keep = [c for c, r in zip(close, ratios) if r >= max(ratios) - 0.05][:2]
        options = " or ".join(f"dip:{c}" for c in keep)
        return f"did you mean {options}?"
    return "use a term defined in the ontology (see docs/ontology.md); propose new terms in an issue"


def _kind_for(g: Graph, s: URIRef, vocab: Vocabulary) -> str:
    types = set(g.objects(s, RDF.type))
    for cls, kind in _KIND_FOR_CLASS:
        for t in types:
            if cls in vocab.superclasses.get(t, {t}) or t == cls:
                return kind
    return "case"


def _slugify(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _datatype_fix(dt: URIRef | None) -> str:
    if dt == XSD.date:
        return 'write a real calendar date as YYYY-MM-DD, e.g. "1993-08-20"^^xsd:date'
    if dt == XSD.gYear:
        return 'write the year with four digits, e.g. "1993"^^xsd:gYear'
    if dt == XSD.gYearMonth:
        return 'write year and month as YYYY-MM, e.g. "1993-08"^^xsd:gYearMonth'
    if dt in (XSD.integer, XSD.int, XSD.decimal, XSD.nonNegativeInteger):
        return "write a number without quotes or units"
    return f"write the value in the lexical form of {short(dt) if dt else 'its datatype'}"


# --------------------------------------------------------------------------------------------------------------
# collisions with published records


def collision_checks(contrib: Graph, where: dict, published: Published, vocab: Vocabulary, *,
                     subjects: Iterable | None = None) -> list[Finding]:
    """Additions to published records (Info) and new records with the label of a published record of their kind
    (Warning). ``subjects``: the subjects of ``contrib``, if the caller has them."""
    findings: list[Finding] = []
    pub = published.graph
    published_labels: dict = {}
    for s, label in pub.subject_objects(RDFS.label):
        if isinstance(s, URIRef) and isinstance(label, Literal):
            published_labels.setdefault(_norm(label), []).append(s)
    subjects = contrib.subjects() if subjects is None else subjects
    for s in sorted({s for s in subjects if isinstance(s, URIRef)}, key=str):
        item = where.get(s)

        def place(s=s, item=item):
            return (item.file, item.line_of(s)) if item else (None, None)

        if s in published.subjects:
            # re-typing or re-labelling a published record never reaches these checks: contribution.guard refuses
            # it first (validate and accept alike), at the line and column of the statement
            n = _novel_count(contrib, pub, s)
            if n:
                file, line = place()
                findings.append(Finding(
                    "Info", "contrib:extends-published", short(s), value=f"{n} statements",
                    message=f"the contribution adds {n} statements to the published record {short(s)}",
                    fix="no change needed; a maintainer reviews additions to published records",
                    file=file, line=line))
            continue
        for label in contrib.objects(s, RDFS.label):
            if not isinstance(label, Literal):
                continue
            for other in published_labels.get(_norm(label), []):
                if other != s and _same_kind(contrib, s, pub, other, vocab):
                    file, line = place()
                    findings.append(Finding(
                        "Warning", "contrib:possible-duplicate", short(s), path="rdfs:label", value=n3(label),
                        message=f"the new record {short(s)} has the same label as the published record "
                                f"{short(other)}",
                        fix=f"if they are the same, refer to {short(other)} instead of minting a new record",
                        file=file, line=line))
                    break
    return findings


def novel_statements(contrib: Graph, published: Graph) -> Graph:
    """The part of ``contrib`` the published graph does not already say.

    A ground triple is new if the published graph lacks it; a blank-node statement (a participation, a track
    classification written inline) is new unless the same subject and property already lead to a blank node with
    the same description.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='<https://e.org/a> <https://e.org/p> [ <https://e.org/q> 1 ], 2 .', format="turtle")
    >>> len(novel_statements(g, g)), len(novel_statements(g, Graph()))
    (0, 3)
    """
    out = Graph()
    for s, p, o in contrib:
        if isinstance(s, BNode):
            continue
        if isinstance(o, BNode):
            signature = _bnode_signature(contrib, o)
            if any(isinstance(x, BNode) and _bnode_signature(published, x) == signature
                   for x in published.objects(s, p)):
                continue
            out.add((s, p, o))
            copy_closure(contrib, o, out)
        elif (s, p, o) not in published:
            out.add((s, p, o))
    return out


def _novel_count(contrib: Graph, published: Graph, s) -> int:
    """How many statements of ``contrib`` about ``s`` the published graph does not already say (as
    :func:`novel_statements` finds them: a blank node is new unless the same subject and property already lead to
    a blank node with the same description)."""
    n = 0
    for _s, p, o in contrib.triples((s, None, None)):
        if isinstance(o, BNode):
            signature = _bnode_signature(contrib, o)
            if any(isinstance(x, BNode) and _bnode_signature(published, x) == signature
                   for x in published.objects(s, p)):
                continue
            n += 1
        elif (s, p, o) not in published:
            n += 1
    return n


def _bnode_signature(g: Graph, node: BNode, depth: int = 0) -> frozenset:
    if depth > 8:
        return frozenset()
    return frozenset((p, _bnode_signature(g, o, depth + 1) if isinstance(o, BNode) else o)
                     for p, o in g.predicate_objects(node))


def _norm(label: Literal) -> str:
    return re.sub(r"\s+", " ", str(label)).strip().casefold()


def _same_kind(g1: Graph, s1, g2: Graph, s2, vocab: Vocabulary) -> bool:
    return _kind_for(g1, s1, vocab) == _kind_for(g2, s2, vocab)




def validate_contribution(contributions: list[Loaded], published: Published, fail_on: str,
                           extra: Sequence[Finding] = (), engine: str | None = None,
                           profile: Profile | None = None) -> ValidationReport:
    """Validate contributed files against the published data: what the parse found (``extra``: conversion
    findings of a CSV file), the contribution rules (:data:`CONTRIBUTION_RULES`, unless the profile leaves the
    project's shapes out) and SHACL on the contribution with the published records it needs (:func:`context`).
    Only findings about the contribution are reported, each value error at the line and column of the value."""
    profile = profile or Profile()
    onto_stamp = stamp([resources.ontology_file()])
    vocab = vocabulary(onto_stamp)
    findings: list[Finding] = list(extra) + list(profile.findings)
    cleaned = [clean(item, vocab, findings, contribution=profile.builtin)[0] for item in contributions]
    if len(cleaned) == 1:
        contrib = cleaned[0]  # read only below: no copy of a contribution that may hold a million triples
    else:
        contrib = Graph()
        for part in cleaned:
            contrib += part
    # the triples as one list (made by the parser; for several files or a cleaned copy, one pass over the
    # store): the checks below go through the list, not the store
    single = len(contributions) == 1 and cleaned[0] is contributions[0].triples_graph()
    triples = contributions[0].triples() if single else list(contrib)
    own = {t[0] for t in triples}
    if single:
        subjects = dict.fromkeys(own, contributions[0])  # what subjects_index gives for one file, without a pass
    else:
        subjects = subjects_index(contributions)
    findings += literal_checks(contributions, contrib, where=subjects, triples=triples)
    if profile.builtin:
        findings += record_checks(contributions, contrib, vocab, published=published, where=subjects,
                                  triples=triples)
        findings += collision_checks(contrib, subjects, published, vocab, subjects=own)
        findings += text_hygiene_findings(contrib, subjects, triples=triples)

    # the graph SHACL sees: ontology + contribution + the published records the contribution mentions (what the
    # project's shapes look at); a user's shapes may look anywhere, so with them the whole published graph.
    # pyshacl-turbo gets it as N-Triples text, the checks below read the parts through one read-only view
    engine = shacl_engine(engine)
    data = None
    if engine == "turbo" and profile.extra is None:
        mentioned = context(contrib, own, published, triples=triples)
        data = turbo_data([triples, mentioned])
    if data is not None:
        view = ReadOnlyGraphAggregate([contrib, mentioned, ontology().graph])
        shacl_findings, report_graph = run_shacl(data, subjects, own, engine=engine, shapes=profile.graph(),
                                                  locate=profile.locator(), view=view)
        findings += shacl_findings
        findings = finish(findings, view, subjects, contributions)
    else:
        everything = Graph()
        everything += contrib
        everything += context(contrib, own, published, triples=triples) if profile.extra is None \
            else published.graph
        with ontology_plus(everything) as full:
            shacl_findings, report_graph = run_shacl(full, subjects, own, engine=engine, shapes=profile.graph(),
                                                      locate=profile.locator())
            findings += shacl_findings
            findings = finish(findings, full, subjects, contributions)
    return ValidationReport(findings, files=[c.file for c in contributions], fail_on=fail_on,
                            shacl_report=report_graph, triples=len(contrib))


#: links followed from a mentioned published record to bring more published records into view, for shapes that
#: look beyond the value node (the country codes of a place: dipsh:CodeValidityShape; the sourced statements a
#: published record links to, which back those links: dipsh:FactBackedByStatement)
CONTEXT_LINKS = (DIP.withinPlace, *sorted(provenance.STATEMENT_LINKS))
#: links followed backwards from the contribution's records to published records that point at them, for shapes
#: that look at what points at the focus node (the published statements backing a fact of a published record the
#: contribution extends: dipsh:FactBackedByStatement)
CONTEXT_BACKLINKS = (DIP.statedSubject,)


def context(contrib: Graph, own: set, published: Published, *, triples: Sequence | None = None) -> Graph:
    """Published triples a contribution's validation needs: the full description of every published record the
    contribution mentions or that points at the contribution's records by :data:`CONTEXT_BACKLINKS` (and of
    records reached from them by :data:`CONTEXT_LINKS`), and the types and labels of the records those
    descriptions point at (for ``sh:class``)."""
    pub = published.graph
    out = Graph()
    objects = contrib.objects() if triples is None else (t[2] for t in triples)
    mentioned = {o for o in objects if isinstance(o, URIRef)} | {s for s in own if isinstance(s, URIRef)}
    queue = [n for n in mentioned if n in published.subjects]
    queue += [s for o in own if isinstance(o, URIRef) for p in CONTEXT_BACKLINKS for s in pub.subjects(p, o)]
    seen: set = set()
    while queue:
        node = queue.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in pub.triples((node, None, None)):
            out.add(t)
            if isinstance(t[2], BNode):
                copy_closure(pub, t[2], out)
            elif t[1] in CONTEXT_LINKS and t[2] in published.subjects:
                queue.append(t[2])
    for o in set(out.objects()) | mentioned:
        if isinstance(o, URIRef) and o not in seen and o in published.subjects:
            for t in pub.triples((o, RDF.type, None)):
                out.add(t)
            for t in pub.triples((o, RDFS.label, None)):
                out.add(t)
    return out




def finish(findings: list[Finding], g: Graph, where: dict, loaded: Sequence[Loaded]) -> list[Finding]:
    """The findings as a report shows them: with focus labels (from ``g``), each value error at the line and column
    of its value in ``loaded``, duplicates dropped, sorted by file, line and record."""
    _describe(findings, g, where)
    locate_values(findings, loaded)
    return _sorted(_dedupe(findings))


def _describe(findings: list[Finding], g: Graph, where: dict) -> None:
    """Fill in focus labels (English ``rdfs:label`` of the record, or of the record holding a blank node)."""
    cache: dict = {}
    for f in findings:
        if f.focus_label is not None:
            continue
        if f.focus not in cache:
            node = _record(f.focus.split(" / ")[0])
            label = None
            if node is not None:
                label = english(list(g.objects(node, RDFS.label)))
            cache[f.focus] = label
        f.focus_label = cache[f.focus]


def _record(text: str) -> URIRef | None:
    """The IRI of a finding's focus (``case:oslo`` or ``<iri>``), if it is one."""
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    iri = expand(text)
    return URIRef(iri) if iri != text else None


#: shapes whose findings about a value are not about the value's form
_NOT_ABOUT_FORM = frozenset({"dipsh:FactBackedByStatement"})


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set = set()
    out = []
    # a SHACL IRI-format finding duplicates contrib:outside-namespace for the same record
    outside = {f.focus for f in findings if f.rule == "contrib:outside-namespace"}
    # an ill-typed literal a shape reports as such stands as the shape's finding; one that only a shape about
    # something else meets (no statement backs it) keeps its own finding, or nothing would say its text is wrong
    shacl_keys = {(f.focus, f.path, f.value) for f in findings
                  if not f.rule.startswith(("contrib:", "csv:")) and f.rule not in _NOT_ABOUT_FORM}
    unknown = {(f.focus, f.path, f.value) for f in findings if f.rule == "contrib:unknown-term"}
    for f in findings:
        if f.rule.startswith("dipsh:") and f.focus in outside and f.path is None:
            continue
        if f.rule.startswith("dipsh:") and (f.focus, f.path, f.value) in unknown:
            continue  # the unknown-term finding says the same with a "did you mean"
        if f.rule == "contrib:ill-typed-literal" and (f.focus, f.path, f.value) in shacl_keys:
            continue
        key = (f.level, f.rule, f.focus, f.path, f.value, f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def display_path(file: str | None) -> str | None:
    """A published file's name relative to the working folder when it lies inside it."""
    if not file or not os.path.isabs(file):
        return file
    try:
        rel = os.path.relpath(file)
    except ValueError:  # pragma: no cover - another drive on Windows
        return file
    return file if rel.startswith("..") else rel


def _sorted(findings: list[Finding]) -> list[Finding]:
    for f in findings:
        f.file = display_path(f.file)
    return sorted(findings, key=lambda f: (f.file or "~", f.line or 0, f.col or 0, f.focus, -rank(f.level), f.rule,
                                           f.path or "", f.value or ""))


# --------------------------------------------------------------------------------------------------------------
# where a value is written


#: rules whose finding is about a term used as a property (reported in ``path``, with no value) when it has no value
_TERM_RULES = frozenset({"contrib:unknown-term", "contrib:term-misuse", "contrib:unknown-vocabulary-term"})
#: findings about hidden characters in a text stay at the line of their record (tests/test_security_hygiene.py)
_TEXT_RULES = frozenset({"contrib:control-character", "contrib:bidi-control", "contrib:invisible-character",
                         "contrib:mixed-script"})
_NAME_CHAR = re.compile(r"[\w:%-]")


def _forms(f: Finding, prefixes: dict[str, str]) -> list[tuple[str, int, bool]]:
    """How the value of ``f`` may be written in a file: ``(text, offset of the value in it, needs word bounds)``."""
    if f.rule in _TEXT_RULES:
        return []
    text = f.value if f.value is not None else (f.path if f.rule in _TERM_RULES else None)
    if not text or text == f.focus or f.path is None and f.rule not in _TERM_RULES:
        return []
    if text.startswith('"'):
        try:
            lexical, _end = json.JSONDecoder().raw_decode(text)
        except ValueError:
            return []
        quoted = {json.dumps(lexical, ensure_ascii=False), json.dumps(lexical)}
        return [(q, 0, False) for q in sorted(quoted)] + [(f"'{lexical}'", 0, False), (f">{lexical}<", 1, False)]
    if text.endswith(" statements") or " " in text:
        return []
    iri = text[1:-1] if text.startswith("<") and text.endswith(">") else expand(text)
    if iri == text and not ("://" in text or text.startswith("urn:")):
        return []
    forms = [(f"<{iri}>", 0, False), (f'"{iri}"', 1, False)]
    for prefix, ns in sorted(prefixes.items()):
        if ns and iri.startswith(ns) and len(iri) > len(ns):
            forms.append((f"{prefix}:{iri[len(ns):]}", 0, True))
            forms.append((f'"{prefix}:{iri[len(ns):]}"', 1, False))  # JSON-LD compact IRIs
    return forms


def _find(lines: list[str], start: int, forms: list[tuple[str, int, bool]],
          predicate: bool = False) -> tuple[int, int] | None:
    """The first ``(line, column)``, 1-based, at or after line ``start`` where one of ``forms`` is written (a
    prefixed name only as a whole name: ``dip:startDate`` is not in ``dip:startDateX``). With ``predicate``, the
    first place where it is written as a property (after the subject, a ``;`` or nothing on its line, or as a
    JSON-LD key), else the first place at all."""
    first = None
    for number in range(max(start, 1) - 1, len(lines)):
        line = lines[number]
        hits: list[tuple[int, bool]] = []
        for text, offset, bounded in forms:
            at = line.find(text)
            while at >= 0:
                if not bounded or _whole_name(line, at, at + len(text)):
                    hits.append((at + offset, not predicate or _as_predicate(line, at, text)))
                at = line.find(text, at + 1)
        if hits:
            good = [column for column, ok in hits if ok]
            if good:
                return number + 1, min(good) + 1
            if first is None:
                first = (number + 1, min(column for column, _ok in hits) + 1)
    return first


def _as_predicate(line: str, at: int, text: str) -> bool:
    before = line[:at].strip()
    return (not before or before.endswith(";") or len(before.split()) == 1 and not before.endswith(("a", ","))
            or line[at + len(text):].startswith('":'))


def _whole_name(line: str, start: int, end: int) -> bool:
    if start > 0 and _NAME_CHAR.match(line[start - 1]):
        return False
    after = line[end:end + 2]
    if after[:1] == ".":  # a name does not end with a dot: the statement does
        return not (len(after) > 1 and _NAME_CHAR.match(after[1]))
    return not (after and _NAME_CHAR.match(after[0]))


def _text_lines(file: str) -> list[str]:
    try:
        data = Path(file).read_bytes()
    except OSError:
        return []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace").splitlines()


def locate_values(findings: Sequence[Finding], loaded: Sequence[Loaded]) -> None:
    """Put every value error at the line and column where its value is written: a finding with a property and a
    value (an ill-typed literal, a value a shape refuses, a misspelt term) is searched for from the line of its
    record on, in the record's file (as a quoted literal, an ``<IRI>``, a prefixed name the file declares, or a
    JSON-LD string). A CSV file keeps its row and column name; a value not found keeps the record's line."""
    by_file = {item.file: item for item in loaded}
    texts: dict[str, list[str]] = {}
    for f in findings:
        item = by_file.get(f.file) if f.file else None
        if item is None or f.column is not None or f.file.lower().endswith(".csv"):
            continue
        forms = _forms(f, item.prefixes)
        if not forms:
            continue
        if f.file not in texts:
            texts[f.file] = _text_lines(f.file)
        found = _find(texts[f.file], f.line or 1, forms, predicate=f.value is None)
        if found is not None:
            f.line, f.col = found
