"""Fact-level provenance (issue 13): every fact of the shipped data is backed by a sourced statement.

The rule lives in three places that must agree: :mod:`dipontology.provenance` (the Python walk used here),
the quality rule ``checks/unbacked_fact.rq`` and the SHACL shape ``dipsh:FactBackedByStatement``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from dipontology import provenance, resources
from dipontology.check import check
from dipontology.namespaces import DIP, PREFIXES, bind_all

ROOT = Path(__file__).resolve().parents[2]
RULE = ROOT / "src" / "dipontology" / "checks" / "unbacked_fact.rq"
SHAPE = ROOT / "shapes" / "provenance.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "checks" / "unbacked_fact"


@lru_cache(maxsize=1)
def shipped() -> Graph:
    g = bind_all(Graph())
    for f in resources.data_files():
        g.parse(f, format="turtle")
    return g


def curie(term) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if str(term).startswith(ns):
            return f"{prefix}:{str(term)[len(ns):]}"
    return str(term)


# ------------------------------------------------------------------------------------------------ the shipped data

def test_every_fact_of_the_shipped_data_is_backed_by_a_sourced_statement():
    """Walks every triple of data/: a fact (see dipontology.provenance) without a sourced statement fails."""
    g = shipped()
    walked = sum(1 for s, p, o in g if provenance.record_kind(s) is not None)
    assert walked > 1000, "the walk found too few record triples: is the data there?"
    unbacked = [f"{curie(s)} {curie(p)} {o.n3(g.namespace_manager)}" for s, p, o in provenance.unbacked_facts(g)]
    assert unbacked == [], f"{len(unbacked)} facts no sourced statement backs:\n" + "\n".join(unbacked[:40])


def test_every_fact_statement_is_in_the_view_or_linked_to_its_disagreement():
    """A fact statement about a record either backs a direct triple or is one side of a recorded disagreement."""
    g = shipped()
    loose = [curie(st) for st, *_ in provenance.statements_without_fact(g)]
    assert loose == []


def test_fact_statements_name_one_source_that_exists():
    g = shipped()
    sources = set(g.subjects(RDF.type, None)) & set(g.subjects(RDFS.label, None))
    for st in g.subjects(RDF.type, DIP.FactStatement):
        cited = list(g.objects(st, DCTERMS.source))
        assert len(cited) == 1, f"{curie(st)} names {len(cited)} sources"
        assert cited[0] in sources, f"{curie(st)} cites {curie(cited[0])}, which has no record"


def test_every_disagreement_is_linked_and_attributed():
    """Each side of every dip:contradicts link is a statement that names its own source."""
    g = shipped()
    pairs = list(g.subject_objects(DIP.contradicts))
    assert len(pairs) >= 9
    for a, b in pairs:
        for side in (a, b):
            assert (side, DCTERMS.source, None) in g, f"{curie(side)} contradicts without a source"
        assert a != b


def test_record_source_lists_are_the_sources_of_their_statements():
    """A record's dcterms:source does not vouch for facts on its own: each source it names is the source of a
    statement about the record."""
    g = shipped()
    about: dict = {}
    for st in g.subjects(DCTERMS.source, None):
        targets = set(g.objects(st, DIP.statedSubject)) | set(g.subjects(DIP.hasParticipation, st)) \
            | set(g.subjects(DIP.hasTrackClassification, st)) | set(g.subjects(DIP.hasOutcomeAttribution, st)) \
            | set(g.subjects(DIP.hasCode, st)) | set(g.objects(st, DIP.namedRecord)) \
            | set(g.objects(st, DIP.participant)) | set(g.objects(st, DIP.outcome)) \
            | set(g.objects(st, DIP.featureRecord))
        for t in targets:
            about.setdefault(t, set()).update(g.objects(st, DCTERMS.source))
    problems = []
    for record in {s for s in g.subjects(DCTERMS.source, None) if provenance.record_kind(s)}:
        if record not in about:
            continue  # a record no statement is about states no fact: its source is the one that names it
        named = set(g.objects(record, DCTERMS.source))
        extra = named - about.get(record, set())
        if extra:
            problems.append(f"{curie(record)} names {sorted(curie(x) for x in extra)} but no statement about it does")
    assert problems == [], "\n".join(problems[:30])


# ------------------------------------------------------------------------------------------------ one rule, three places

def _in_list(text: str, anchor: str) -> set[str]:
    m = re.search(re.escape(anchor) + r"\s*\(([^)]*)\)", text)
    assert m, f"no list after {anchor!r}"
    return {t.strip() for t in m.group(1).split(",") if t.strip()}


def _curies(terms) -> set[str]:
    return {curie(t) for t in terms}


@pytest.mark.parametrize("path, exempt_anchor, link_anchor", [
    (RULE, "FILTER (?property NOT IN", "BIND (?property IN"),
    (SHAPE, "FILTER (?path NOT IN", "BIND (?path IN"),
])
def test_rule_and_shape_use_the_same_lists_as_the_python_walk(path: Path, exempt_anchor: str, link_anchor: str):
    text = path.read_text(encoding="utf-8")
    assert _in_list(text, exempt_anchor) == _curies(provenance.EXEMPT_PROPERTIES)
    assert _in_list(text, link_anchor) == _curies(provenance.STATEMENT_LINKS)
    for kind, cls in provenance.KIND_CLASSES.items():
        assert f'"{PREFIXES[kind]}"' in text and curie(cls) in text, (kind, cls)


def test_the_quality_rule_and_the_python_walk_agree_on_the_fixtures():
    for name in ("fires.ttl", "silent.ttl"):
        g = Graph().parse(FIXTURES / name, format="turtle")
        walk = {s for s, p, o in provenance.unbacked_facts(g)}
        rule = {URIRef(f.entity) for f in check(FIXTURES / name, rules=["unbacked_fact"]).findings}
        assert walk == rule, name


def test_the_quality_rule_is_silent_on_the_shipped_data():
    report = check(include_data=True, rules=["unbacked_fact"])
    assert [f"{f.entity} {f.property} {f.value}" for f in report.findings] == []


# ------------------------------------------------------------------------------------------------ the walk itself

TTL = """
@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix actor: <https://w3id.org/dipontology/id/actor/> .
@prefix statement: <https://w3id.org/dipontology/id/statement/> .
@prefix source: <https://w3id.org/dipontology/id/source/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
case:a a dip:Initiative, dip:Workshop ; skos:altLabel "A"@en ; dip:startDate "1993"^^xsd:gYear ;
    dip:hasParticipation statement:p ; dcterms:description "not a fact"@en .
statement:p a dip:Participation ; dip:participant actor:x ; dcterms:source source:s .
statement:t a dip:FactStatement ; dcterms:source source:s ;
    dip:statedSubject case:a ; dip:statedProperty <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ;
    dip:statedValue dip:Workshop .
statement:d a dip:FactStatement ; dcterms:source source:s ;
    dip:statedSubject case:a ; dip:statedProperty dip:startDate ; dip:statedValue "1993"^^xsd:gYear .
statement:n a dip:FactStatement ;
    dip:statedSubject case:a ; dip:statedProperty skos:altLabel ; dip:statedValue "A"@en .
"""


def test_walk_flags_only_what_no_sourced_statement_backs():
    g = Graph().parse(data=TTL, format="turtle")
    found = list(provenance.unbacked_facts(g))
    # the altLabel's statement names no source; type, date, link, description and own kind are fine
    assert found == [(URIRef(PREFIXES["case"] + "a"), SKOS.altLabel, Literal("A", lang="en"))]


def test_walk_compares_literals_by_lexical_form_and_datatype():
    g = Graph().parse(data=TTL.replace('dip:statedValue "1993"^^xsd:gYear', 'dip:statedValue "1993"'),
                      format="turtle")
    assert (URIRef(PREFIXES["case"] + "a"), DIP.startDate) in {(s, p) for s, p, o in provenance.unbacked_facts(g)}


def test_a_link_to_an_unsourced_statement_is_a_finding():
    g = Graph().parse(data=TTL.replace("dcterms:source source:s .\nstatement:t", ".\nstatement:t"), format="turtle")
    assert (URIRef(PREFIXES["case"] + "a"), DIP.hasParticipation) in {(s, p) for s, p, o in provenance.unbacked_facts(g)}


# ------------------------------------------------------------------------------------------------ published words

BOOKKEEPING = re.compile(r"\b[Ss]eeds? ?0\d\d\b|\b0\d\d_[0-9a-f]{16}\b|\bthe seeds\b(?! of peace)|\bseed (text|file|article)s?\b"
                         r"|reference notes", re.I)


def test_no_repository_bookkeeping_in_labels_descriptions_and_notes():
    """Published text names sources by author, title and date: never "Seed 001", a seed file name or our notes."""
    g = shipped()
    onto = Graph().parse(resources.ontology_file(), format="turtle")
    hits = []
    for graph in (g, onto):
        for s, p, o in graph:
            if isinstance(o, Literal) and BOOKKEEPING.search(str(o)):
                hits.append(f"{curie(s)} {curie(p)}: {str(o)[:90]}")
    assert hits == [], f"{len(hits)} literals use internal words:\n" + "\n".join(hits[:30])
    assert (None, DIP.seedFile, None) not in g


def test_source_records_carry_title_url_and_author_or_publisher():
    """The source articles and reference pages carry their title and URL; the articles, author or publisher and
    the date shown where the page shows them (reference: where each article is published)."""
    g = shipped()
    expected = {
        "torgesen-2025": ("Track II diplomacy vs Citizen diplomacy in Politics - What is The Difference?",
                          "http://libterm.com/politics/track-ii-diplomacy-vs-citizen-diplomacy-in-politics-what-is-"
                          "difference-in-politics", "JK Torgesen"),
        "malek-chigas-2013": ("Citizen Diplomacy", "http://www.beyondintractability.org/coreknowledge/citizen-diplomacy",
                              "Cate Malek"),
        "citizen-diplomacy-conflict-ridden-societies": (
            "Citizen Diplomacy in Conflict Ridden Societies",
            "https://www.hvy.com/abdul/citizen-diplomacy-in-conflict-ridden-societies", None),
        "diplo-citizen-diplomacy": ("Citizen diplomacy", "https://diplomacy.edu/topics/citizen-diplomacy", None),
        "johnson-multi-track-diplomacy": ("Multi-Track Diplomacy", "https://www.sophia.org/tutorials/multi-track-diplomacy--4",
                                          "marlene johnson"),
    }
    schema_url = URIRef("https://schema.org/url")
    for slug, (title, url, author) in expected.items():
        s = URIRef(PREFIXES["source"] + slug)
        assert (s, RDF.type, DIP.SourceArticle) in g
        assert str(g.value(s, DCTERMS.title)) == title
        assert g.value(s, schema_url) == URIRef(url)
        creators = {str(c) for c in g.objects(s, DCTERMS.creator)}
        assert creators == ({author} if author else set()), slug
    # "Last Updated Feb 2, 2025"; "Updated February 2013"
    assert str(g.value(URIRef(PREFIXES["source"] + "torgesen-2025"), DCTERMS.modified)) == "2025-02-02"
    assert str(g.value(URIRef(PREFIXES["source"] + "malek-chigas-2013"), DCTERMS.modified)) == "2013-02"
    pages = list(g.subjects(RDF.type, DIP.ReferencePage))
    assert len(pages) >= 90
    for p in pages:
        assert g.value(p, DCTERMS.title) is not None and g.value(p, schema_url) is not None, curie(p)


# ------------------------------------------------------------------------------------------------ what one source says

def _norm(text: str) -> str:
    return " ".join(str(text).replace("\u00a0", " ").replace("\u2019", "'").split())


def _facts(source: str, about: str | None = None) -> set[tuple[str, str, str]]:
    """(record, property, value) of every row of the named query facts-by-source, with locator and quote checked."""
    import dipontology

    params = {"source": source} | ({"about": about} if about else {})
    result = dipontology.query("facts-by-source", **params)
    cols = result.columns
    out = set()
    for row in result.rows:
        r = dict(zip(cols, row))
        assert str(r["source"]).endswith("/" + source.split(":")[-1]), r
        assert r["locator"] is not None and str(r["locator"]).strip(), r
        out.add((curie(r["record"]), curie(r["property"]), curie(r["value"]) if isinstance(r["value"], URIRef)
                 else str(r["value"])))
        _QUOTES.setdefault(source, []).append(None if r["quote"] is None else _norm(r["quote"]))
    return out


_QUOTES: dict[str, list] = {}

# English Wikipedia, "Seeds of Peace" (https://en.wikipedia.org/wiki/Seeds_of_Peace), the passages the verified
# reference material quotes from it:
WIKIPEDIA_SEEDS_OF_PEACE = _norm(
    "Seeds of Peace is a peacebuilding and leadership development non-profit organization headquartered in New York "
    "City. It was founded in 1993. ... From its start in 1993 through 2010, Seeds says that over 4,000 children have "
    "attended the camp. ... comprised the first session of the Seeds of Peace Camp, founded on the site of the former "
    "Camp Powhatan in Otisfield, Maine.")


def test_what_one_reference_page_says():
    """English Wikipedia's "Seeds of Peace" states: the organisation is a peacebuilding organisation founded in 1993;
    the camp started in 1993, in Otisfield, Maine; its own address. Nothing else is credited to it."""
    facts = _facts("source:wikipedia-seeds-of-peace")
    assert facts == {
        ("actor:seeds-of-peace", "rdf:type", "dip:PeacebuildingOrganisation"),   # "a peacebuilding ... organization"
        ("actor:seeds-of-peace", "dip:foundingDate", "1993"),                    # "It was founded in 1993."
        ("case:seeds-of-peace", "dip:startDate", "1993"),                        # "From its start in 1993"
        ("case:seeds-of-peace", "dip:location", "place:otisfield-maine"),         # "in Otisfield, Maine"
        ("place:otisfield-maine", "dip:withinPlace", "place:maine"),               # "Otisfield, Maine"
        ("case:seeds-of-peace", "schema:url", "https://en.wikipedia.org/wiki/Seeds_of_Peace"),
    }
    quotes = _QUOTES.pop("source:wikipedia-seeds-of-peace")
    assert quotes and all(q and q.rstrip(".") in WIKIPEDIA_SEEDS_OF_PEACE for q in quotes), quotes


# marlene johnson, "Multi-Track Diplomacy" (Sophia), video transcription, the passage on The Land Twice Promised:
JOHNSON_LAND_TWICE_PROMISED = _norm(
    "I also know of this happening over in Israel. A woman who does this program called The Land Twice Promised has "
    "brought Israeli and Palestinian youth together in dialogue, and has had a very successful program doing that. "
    "This is one example of a nonprofit effort coming out of multi-track diplomacy to cultivate relationships between "
    "countries that are in conflict.")


def test_what_one_article_says_about_one_case():
    """Johnson on The Land Twice Promised: a programme, run by a woman, bringing Israeli and Palestinian youth
    together in dialogue, over in Israel, an example of multi-track diplomacy."""
    facts = _facts("source:johnson-multi-track-diplomacy", about="case:the-land-twice-promised")
    assert facts == {
        ("case:the-land-twice-promised", "rdf:type", "dip:Programme"),                    # "this program"
        ("case:the-land-twice-promised", "dip:hasParticipant", "actor:land-twice-promised-founder"),  # "A woman who does"
        ("case:the-land-twice-promised", "dip:hasParticipant", "actor:israeli-and-palestinian-youth"),
        ("case:the-land-twice-promised", "dip:usesMethod", "activity:land-twice-promised-youth-dialogue"),  # "in dialogue"
        ("case:the-land-twice-promised", "dip:involvesCountry", "place:israel"),          # "Israeli ... youth"
        ("case:the-land-twice-promised", "dip:involvesCountry", "place:palestine"),       # "Palestinian youth"
        ("case:the-land-twice-promised", "dip:addressesConflict", "conflict:israeli-palestinian-conflict"),
        ("case:the-land-twice-promised", "dip:location", "place:israel"),                 # "over in Israel"
        ("case:the-land-twice-promised", "dip:hasTrack", "dip:MultiTrackDiplomacy"),      # "coming out of multi-track"
        ("dip:MultiTrackDiplomacy", "dip:ExampleFeature", "case:the-land-twice-promised"),  # "one example of"
    }
    quotes = _QUOTES.pop("source:johnson-multi-track-diplomacy")
    assert quotes and all(q and q.rstrip(".") in JOHNSON_LAND_TWICE_PROMISED for q in quotes), quotes


def test_a_source_kind_keeps_only_its_sources():
    import dipontology

    articles = dipontology.query("facts-by-source", source="articles")
    sources = {str(r[articles.columns.index("source")]) for r in articles.rows}
    assert sources == {PREFIXES["source"] + s for s in ("torgesen-2025", "malek-chigas-2013",
                                                        "citizen-diplomacy-conflict-ridden-societies",
                                                        "diplo-citizen-diplomacy", "johnson-multi-track-diplomacy")}
