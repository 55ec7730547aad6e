"""A record as an account a researcher can read: every fact a sentence, with the sources that state it.

The facts of a record are its sourced statements (see :mod:`dipontology.provenance`): fact statements about it
(``dip:statedSubject``), the qualified statements it links to (participations, track classifications, outcome
attributions, code assignments) and the naming claims about it. Statements that state the same fact are one
sentence with several citations; statements linked by ``dip:contradicts`` are shown side by side under
"Disagreements between sources" with their notes. A fact of the record that no statement backs (possible only in a
build that skipped the check) is still shown, marked as unsourced.

How a fact is said is declared in ``phrases.tsv`` (one row per property: section, sentence, relation); the sections
come in a fixed order (:data:`SECTIONS`).
"""
from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources as importlib_resources

import pyoxigraph as ox
from rdflib import URIRef

from .. import provenance
from ..namespaces import ONTOLOGY_IRI, PREFIXES
from ..terms import to_rdflib
from .cite import SourceRef, human_date, source_ref
from .model import DCT, DIPNS, FOAF, RDF_TYPE, RDFS, XSD, Index, record_path, term_key

PROV = "http://www.w3.org/ns/prov#"

#: the sections of a record page, in order: (id, heading)
SECTIONS = (
    ("what", "What it is"),
    ("who", "Who took part"),
    ("how", "How: methods and activities"),
    ("outcome", "What came of it"),
    ("where", "Where and when"),
    ("related", "Related initiatives"),
)
DATE_TYPES = {XSD + "gYear", XSD + "gYearMonth", XSD + "date", XSD + "dateTime"}


# ----------------------------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Phrase:
    """How one property is said (a row of ``phrases.tsv``)."""

    section: str
    sentence: str
    relation: str = ""
    link: str = ""


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


@functools.lru_cache(maxsize=1)
def phrases() -> dict[str, Phrase]:
    """The sentence table, by property IRI."""
    text = importlib_resources.files("dipontology.release").joinpath("phrases.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    out = {}
    for row in rows:
        out[_expand(row["property"])] = Phrase(row["section"], row["sentence"], row.get("relation") or "",
                                               row.get("link") or "")
    return out


def _fallback(ix: Index, prop: str) -> Phrase:
    return Phrase("what", "{s}: " + ix.label(ox.NamedNode(prop)) + " {v}.", ix.label(ox.NamedNode(prop)))


# ------------------------------------------------------------------------------------------- what is shown
@dataclass(frozen=True)
class Value:
    """A piece of a sentence: plain text, or a name with a link (``href`` relative to the release root when
    ``internal``, else an absolute web address)."""

    text: str
    href: str | None = None
    internal: bool = True
    iri: str = ""
    quoted: bool = False


@dataclass(frozen=True)
class Cite:
    """One source of a fact: the source, where in it, its words, and the statement that records them."""

    source: SourceRef
    locator: str = ""
    quote: str = ""
    as_given: str = ""
    statement: str = ""
    statement_href: str | None = None


@dataclass
class Fact:
    """One sentence and the sources that state it."""

    parts: list[Value]
    cites: list[Cite] = field(default_factory=list)
    disputed: bool = False
    key: tuple = ()
    section: str = "what"
    note: str = ""

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts)


@dataclass
class Disagreement:
    """Statements that cannot all hold, with the notes that explain how they differ."""

    notes: list[str]
    sides: list[Fact]


@dataclass
class Section:
    id: str
    title: str
    facts: list[Fact]


@dataclass
class Appearance:
    """A record that points to this one, and how (e.g. "facilitator, private capacity")."""

    record: Value
    kind: str
    relations: list[str]
    cites: list[Cite] = field(default_factory=list)


@dataclass
class Contribution:
    """How a record came in through ``dipontology accept`` (its PROV): who, when, from which files, and the digest of
    the validation report it passed."""

    who: str
    when: str
    files: list[str]
    digest: str


@dataclass
class Account:
    sections: list[Section]
    disagreements: list[Disagreement]
    sources: list[SourceRef]
    appearances: list[Appearance]
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def facts(self) -> list[Fact]:
        return [f for s in self.sections for f in s.facts]


# ------------------------------------------------------------------------------------------------ builder
_QUALIFIED = {
    "Participation": "participant", "TrackClassification": "track", "OutcomeAttribution": "outcome",
    "CodeAssignment": "codeSystem", "NamingClaim": "namedRecord", "TrackRelationClaim": "subjectTrack",
    "TrackProfile": "profiledTrack", "TrackFeature": "profiledTrack",
}
_LINKS = sorted(str(p) for p in provenance.STATEMENT_LINKS)
_TRAILING_QUALIFIER = re.compile(r"\s*\([^()]*\)$")


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


class Accounts:
    """Builds the :class:`Account` of every record of a release from one :class:`~.model.Index`.

    :param ix: the view of ontology + data.
    :param pages: the record IRIs that have a page (links to others are plain text).
    """

    def __init__(self, ix: Index, pages: set[str]) -> None:
        self.ix = ix
        self.pages = pages
        self._owner: dict[object, list[ox.NamedNode]] = defaultdict(list)
        self._about: dict[object, list[object]] = defaultdict(list)
        self._mentions: dict[object, list[tuple[ox.NamedNode, str, object]]] = defaultdict(list)
        self._sources: dict[str, SourceRef] = {}
        self._index_statements()

    # -- links and words
    def value(self, term, *, sentence: bool = False) -> Value:
        """A term as a named link (records, ontology terms, web addresses) or as text (literals)."""
        ix = self.ix
        if isinstance(term, ox.Literal):
            text = human_date(term.value) if term.datatype.value in DATE_TYPES else term.value
            return Value(text)
        if isinstance(term, ox.BlankNode):
            return Value(ix.label(term))
        label = ix.label(term)
        if sentence:
            label = _TRAILING_QUALIFIER.sub("", label) or label
        return Value(label, *self.href(term), iri=term.value)

    def href(self, term) -> tuple[str | None, bool]:
        if not isinstance(term, ox.NamedNode):
            return None, True
        v = term.value
        rp = record_path(v)
        if rp:
            return (f"id/{rp[0]}/{rp[1]}.html", True) if v in self.pages else (None, True)
        if v.startswith(DIPNS):
            return f"ontology/index.html#{v[len(DIPNS):]}", True
        if v == ONTOLOGY_IRI:
            return "ontology/index.html", True
        if v.startswith(("http://", "https://")):
            return v, False
        return None, True

    def source(self, node) -> SourceRef:
        if node.value not in self._sources:
            self._sources[node.value] = source_ref(self.ix, node, self.pages)
        return self._sources[node.value]

    def cites(self, st) -> list[Cite]:
        ix = self.ix
        href, _ = self.href(st)
        return [Cite(self.source(src), ix.text(st, DIPNS + "locator") or "", ix.text(st, DIPNS + "quote") or "",
                     ix.text(st, DIPNS + "valueAsGiven") or "", st.value if isinstance(st, ox.NamedNode) else "",
                     href)
                for src in ix.iris(st, DCT + "source")]

    def _kind(self, st) -> str | None:
        for t in self.ix.types(st):
            if t.startswith(DIPNS) and t[len(DIPNS):] in (*_QUALIFIED, "FactStatement"):
                return t[len(DIPNS):]
        return None

    # -- the statement index
    def _index_statements(self) -> None:
        ix = self.ix
        for s, outs in list(ix.out.items()):
            kind = self._kind(s)
            if kind is None:
                continue
            owners = []
            if kind == "FactStatement":
                owners = ix.iris(s, DIPNS + "statedSubject")
            elif kind in ("NamingClaim", "TrackRelationClaim", "TrackProfile", "TrackFeature"):
                owners = ix.iris(s, DIPNS + _QUALIFIED[kind])
            owners += [r for r, p in ix.inc.get(s, ()) if p in _LINKS and isinstance(r, ox.NamedNode)]
            owners = sorted(set(owners), key=term_key)
            self._owner[s] = owners
            for o in owners:
                self._about[o].append(s)
            for owner in owners:
                for value, relation in self._mentioned(s, kind):
                    self._mentions[value].append((owner, relation, s))
                for src in ix.iris(s, DCT + "source"):
                    self._mentions[src].append((owner, "source: " + self._topic(s, kind), s))

    def _mentioned(self, st, kind: str) -> list[tuple[object, str]]:
        ix = self.ix
        if kind == "FactStatement":
            out = []
            for p in ix.iris(st, DIPNS + "statedProperty"):
                ph = phrases().get(p.value) or _fallback(ix, p.value)
                for v in ix.iris(st, DIPNS + "statedValue"):
                    if p.value != RDF_TYPE:
                        out.append((v, ph.relation or ix.label(p)))
            return out
        if kind == "Participation":
            return [(a, self._role_words(st)) for a in ix.iris(st, DIPNS + "participant")]
        if kind == "OutcomeAttribution":
            return [(o, "led to this") for o in ix.iris(st, DIPNS + "outcome")]
        return []

    def _topic(self, st, kind: str) -> str:
        ix = self.ix
        if kind == "FactStatement":
            return ", ".join(ix.label(p) for p in ix.iris(st, DIPNS + "statedProperty")) or "a fact"
        return {"Participation": "who took part", "TrackClassification": "track", "OutcomeAttribution": "outcome",
                "CodeAssignment": "code", "NamingClaim": "name", "TrackRelationClaim": "how tracks relate",
                "TrackProfile": "track profile", "TrackFeature": "track feature"}.get(kind, "a fact")

    def _role_words(self, st) -> str:
        ix = self.ix
        roles = [_TRAILING_QUALIFIER.sub("", ix.label(r)) for r in ix.iris(st, DIPNS + "role")]
        caps = [ix.label(c) for c in ix.iris(st, DIPNS + "capacity")]
        return " and ".join(roles or ["took part"]) + (f" ({', '.join(caps)})" if caps else "")

    def owners(self, st) -> list[ox.NamedNode]:
        """The records (or ontology terms) a statement is about."""
        return self._owner.get(st, [])

    def statements_about(self, node) -> list:
        """The statements about ``node`` and the statements they contradict."""
        ix = self.ix
        found = set(self._about.get(node, ()))
        for st in list(found):
            found.update(ix.iris(st, DIPNS + "contradicts"))
            found.update(s for s in ix.subjects(DIPNS + "contradicts", st) if isinstance(s, ox.NamedNode))
        return sorted(found, key=term_key)

    def statements_on_terms(self) -> dict[str, list]:
        """Per ontology term, the statements of sources about it (how sources define and relate the tracks)."""
        return {k.value: sorted(v, key=term_key) for k, v in self._about.items()
                if isinstance(k, ox.NamedNode) and k.value.startswith(DIPNS)}

    def usage(self, data) -> dict[str, int]:
        """Per IRI, how many records use it: as a type, property or value of the record or of a statement about
        the record."""
        users: dict[str, set] = defaultdict(set)
        for t in data:
            s = t.subject
            owners = self._owner.get(s) if s in self._owner else (
                [s] if isinstance(s, ox.NamedNode) and record_path(s.value) else [])
            for o in owners or ():
                users[t.predicate.value].add(o)
                if isinstance(t.object, ox.NamedNode):
                    users[t.object.value].add(o)
        return {k: len(v) for k, v in users.items()}

    # -- sentences
    def _subject(self, subject, own) -> list[Value]:
        return [Value("It")] if subject == own else [self.value(subject)]

    def _say(self, template: str, subject, own, slots: dict[str, list[Value]]) -> list[Value]:
        parts: list[Value] = []
        for piece in re.split(r"(\{[a-z]+\})", template):
            if not piece:
                continue
            if piece == "{s}":
                parts += self._subject(subject, own) if parts else self._subject(subject, own)
                if len(parts) > 1 and parts[-1].text == "It" and subject == own:
                    parts[-1] = Value("it")
            elif piece[1:-1] in slots:
                parts += slots[piece[1:-1]]
            else:
                parts.append(Value(piece))
        if parts and parts[0].href is None and parts[0].text[:1].islower():
            parts[0] = Value(parts[0].text[:1].upper() + parts[0].text[1:])
        return parts

    def fact_sentence(self, subject, prop: str, value, own) -> tuple[str, list[Value]]:
        """The section and sentence of the fact (subject, prop, value) on the page of ``own``."""
        ph = phrases().get(prop) or _fallback(self.ix, prop)
        v = self.value(value, sentence=True)
        if ph.link and isinstance(value, ox.Literal) and re.fullmatch(r"[A-Za-z0-9_().,'-]+", value.value):
            v = Value(value.value, ph.link.format(v=value.value.replace(" ", "_")), internal=False)
        if prop == RDF_TYPE and isinstance(value, ox.NamedNode):
            v = Value(v.text, v.href, v.internal, v.iri)
        when = [Value(_when(value.value))] if isinstance(value, ox.Literal) else [v]
        return ph.section, self._say(ph.sentence, subject, own, {"v": [v], "when": when})

    def statement_fact(self, st, own) -> Fact | None:
        """The sentence of one statement on the page of ``own`` (the record it is about, or another one)."""
        ix = self.ix
        kind = self._kind(st)
        owners = self.owners(st)
        subject = own if own in owners or not owners else owners[0]
        cites = self.cites(st)
        if kind == "FactStatement":
            facts = [(p, v) for p in ix.iris(st, DIPNS + "statedProperty") for v in ix.values(st, DIPNS + "statedValue")]
            if not facts:
                return None
            subj = (ix.iris(st, DIPNS + "statedSubject") or [subject])[0]
            p, v = facts[0]
            section, parts = self.fact_sentence(subj, p.value, v, own)
            return Fact(parts, cites, key=("fact", subj, p.value, term_key(v)), section=section)
        if kind == "Participation":
            actors = [self.value(a) for a in ix.iris(st, DIPNS + "participant")]
            roles = [self.value(r, sentence=True) for r in ix.iris(st, DIPNS + "role")]
            caps = ix.iris(st, DIPNS + "capacity")
            parts = _join(actors) + [Value(" took part")]
            if subject != own:
                parts += [Value(" in ")] + [self.value(subject)]
            if roles:
                parts += [Value(" as ")] + _join(roles)
            for c in caps:
                label = ix.label(c)
                word = "as " if " in " in label else "in "
                parts += [Value(", " + word + ("an " if label[:1] in "aeiou" else "a ")), self.value(c)]
            parts.append(Value("."))
            key = ("participation", subject, tuple(a.iri for a in actors), tuple(r.iri for r in roles),
                   tuple(c.value for c in caps))
            return Fact(parts, cites, key=key, section="who")
        if kind == "TrackClassification":
            tracks = [self.value(t) for t in ix.iris(st, DIPNS + "track")]
            period = _period(ix.text(st, DIPNS + "startDate"), ix.text(st, DIPNS + "endDate"))
            parts = self._subject(subject, own) + [Value(" was ")] + _join(tracks) + [Value(period + ".")]
            return Fact(parts, cites, key=("track", subject, tuple(t.iri for t in tracks), period), section="what")
        if kind == "OutcomeAttribution":
            outcomes = [self.value(o) for o in ix.iris(st, DIPNS + "outcome")]
            strength = ix.text(st, DIPNS + "attributionStrength")
            parts = self._subject(subject, own) + [Value(" led to ")] + _join(outcomes)
            if strength and strength.strip().lower() != "led to":
                parts.append(Value(f" (in the source’s words: “{strength}”)"))
            parts.append(Value("."))
            return Fact(parts, cites, key=("outcome", subject, tuple(o.iri for o in outcomes), strength or ""),
                        section="outcome")
        if kind == "CodeAssignment":
            systems = [self.value(c, sentence=True) for c in ix.iris(st, DIPNS + "codeSystem")]
            code = ix.text(st, DIPNS + "codeValue") or ""
            period = _period(ix.text(st, DIPNS + "validFrom"), ix.text(st, DIPNS + "validUntil"), "valid ")
            parts = self._subject(subject, own) + [Value(" has the ")] + _join(systems) + [Value(f" {code}{period}.")]
            return Fact(parts, cites, key=("code", subject, code, period), section="what")
        if kind == "NamingClaim":
            name = ix.text(st, DIPNS + "nameUsed") or ""
            parts = self._subject(subject, own) + [Value(f" is called “{name}”.")]
            return Fact(parts, cites, key=("name", subject, name), section="what")
        label = ix.text(st, RDFS + "label") or ix.label(st)
        return Fact([Value(label + ("" if label.endswith(".") else "."))], cites, key=("other", st.value),
                    section="what")

    # -- the account
    def account(self, node: ox.NamedNode) -> Account:
        """The account of one record: sections of facts, disagreements, the sources cited, where it appears."""
        ix = self.ix
        facts: dict[tuple, Fact] = {}
        by_statement: dict[object, Fact] = {}
        stated: set[tuple] = set()
        for st in sorted(self._about.get(node, ()), key=term_key):
            fact = self.statement_fact(st, node)
            if fact is None:
                continue
            if fact.key[0] == "fact":
                stated.add((fact.key[2], fact.key[3]))
            merged = facts.setdefault(fact.key, fact)
            if merged is not fact:
                merged.cites += [c for c in fact.cites if c not in merged.cites]
            by_statement[st] = merged
        # facts of the record that no statement states (a build that skipped the check)
        rec = URIRef(node.value)
        for p, o in ix.out.get(node, ()):
            if p in _LINKS or (p, term_key(o)) in stated or provenance.is_exempt(rec, URIRef(p), to_rdflib(o)):
                continue
            if provenance.record_kind(rec) is None and p in (RDF_TYPE,):
                continue
            section, parts = self.fact_sentence(node, p, o, node)
            facts.setdefault(("fact", node, p, term_key(o)), Fact(parts, [], key=("unsourced", p), section=section))
        # disagreements
        disagreements: list[Disagreement] = []
        seen_pairs: set[frozenset] = set()
        for st, fact in sorted(by_statement.items(), key=lambda kv: term_key(kv[0])):
            others = ix.iris(st, DIPNS + "contradicts") + [s for s in ix.subjects(DIPNS + "contradicts", st)
                                                          if isinstance(s, ox.NamedNode)]
            for other in sorted(set(others), key=term_key):
                pair = frozenset((st, other))
                if pair in seen_pairs:
                    continue
                seen_pairs.add(pair)
                fact.disputed = True
                side = by_statement.get(other) or self.statement_fact(other, node)
                if side is None:
                    continue
                if other in by_statement:
                    by_statement[other].disputed = True
                notes = sorted({n for s in (st, other) for n in ix.texts(s, DIPNS + "disagreementNote")})
                own_side = Fact(fact.parts, [c for c in fact.cites if c.statement == st.value] or fact.cites,
                                key=fact.key, section=fact.section)
                other_side = Fact(side.parts, [c for c in side.cites if c.statement == other.value] or side.cites,
                                  key=side.key, section=side.section)
                disagreements.append(Disagreement(notes, [own_side, other_side]))
        sections = []
        order = {sid: i for i, (sid, _) in enumerate(SECTIONS)}
        grouped: dict[str, list[Fact]] = defaultdict(list)
        for f in facts.values():
            grouped[f.section if f.section in order else "what"].append(f)
        for sid, title in SECTIONS:
            fs = sorted(grouped.get(sid, []), key=_fact_order)
            if fs:
                sections.append(Section(sid, title, fs))
        cited: dict[str, SourceRef] = {}
        for f in facts.values():
            for c in f.cites:
                cited.setdefault(c.source.iri, c.source)
        for d in disagreements:
            for f in d.sides:
                for c in f.cites:
                    cited.setdefault(c.source.iri, c.source)
        for src in ix.iris(node, DCT + "source"):
            cited.setdefault(src.value, self.source(src))
        appearances = self.appearances(node)
        for a in appearances:
            for c in a.cites:
                cited.setdefault(c.source.iri, c.source)
        sources = sorted(cited.values(), key=lambda s: (s.short_author.lower(), s.year, s.title.lower(), s.iri))
        return Account(sections, disagreements, sources, appearances, self.contributions(node))

    def contributions(self, node) -> list[Contribution]:
        """The accepts a record came in by (``prov:wasGeneratedBy`` an activity with its agent, time, files used
        and the validation report's digest); none for the shipped records."""
        ix = self.ix
        out: list[Contribution] = []
        for activity in ix.values(node, PROV + "wasGeneratedBy"):
            agents = [ix.text(a, FOAF + "name") or ix.label(a) for a in ix.values(activity, PROV + "wasAssociatedWith")]
            ended = ix.texts(activity, PROV + "endedAtTime")
            digest = next((d.split(":", 1)[1] for d in ix.texts(activity, DCT + "identifier")
                           if d.startswith("validation-report-sha256:")), "")
            out.append(Contribution(", ".join(sorted(a for a in agents if a)) or "unknown",
                                    ended[0].replace("T", " ").replace("Z", " UTC") if ended else "",
                                    ix.texts(activity, PROV + "used"), digest))
        return sorted(out, key=lambda c: (c.when, c.who, c.files, c.digest))

    def appearances(self, node) -> list[Appearance]:
        """The records that point to ``node`` through their statements (or directly), with how: case studies
        first, then other records, each by name."""
        ix = self.ix
        rel: dict[object, list[str]] = defaultdict(list)
        cites: dict[object, list[Cite]] = defaultdict(list)
        for owner, relation, st in self._mentions.get(node, ()):
            if owner == node:
                continue
            if relation not in rel[owner]:
                rel[owner].append(relation)
            for c in self.cites(st):
                if c.source.iri != getattr(node, "value", "") and c not in cites[owner]:
                    cites[owner].append(c)
        for s, p in ix.inc.get(node, ()):
            if not isinstance(s, ox.NamedNode) or s == node or p in _LINKS or self._kind(s) is not None:
                continue
            if record_path(s.value) is None:
                continue
            ph = phrases().get(p)
            word = (ph.relation if ph and ph.relation else ix.label(ox.NamedNode(p)))
            if p == DCT + "source":
                word = "lists it as a source"
            if p == RDF_TYPE:
                continue
            if not any(w == word or w.startswith("source: ") and word == "lists it as a source" for w in rel[s]):
                rel[s].append(word)
        out = []
        for owner, relations in rel.items():
            rp = record_path(owner.value) if isinstance(owner, ox.NamedNode) else None
            kind = rp[0] if rp else "term"
            out.append(Appearance(self.value(owner), kind, sorted(relations), cites.get(owner, [])))
        out.sort(key=lambda a: (a.kind != "case", a.kind, a.record.text.lower(), a.record.iri))
        return out

    def statement_owner_values(self, st) -> list[Value]:
        return [self.value(o) for o in self.owners(st)]


def _join(values: list[Value]) -> list[Value]:
    out: list[Value] = []
    for i, v in enumerate(values):
        if i:
            out.append(Value(" and " if i == len(values) - 1 else ", "))
        out.append(v)
    return out


def _when(value: str) -> str:
    text = human_date(value)
    return ("on " if re.fullmatch(r"-?\d{4}-\d{2}-\d{2}", value) else "in ") + text


def _period(start: str | None, end: str | None, lead: str = "") -> str:
    if start and end:
        return f" {lead}from {human_date(start)} to {human_date(end)}"
    if start:
        return f" {lead}from {human_date(start)}"
    if end:
        return f" {lead}until {human_date(end)}"
    return ""


def _fact_order(f: Fact) -> tuple:
    kind_order = {"track": 0, "name": 1, "fact": 2, "code": 3, "participation": 4, "outcome": 5}
    return (kind_order.get(f.key[0] if f.key else "", 9), f.text.lower())
