"""The case-study data (issue 3): every file parses, every record and statement is sourced and located, only
ontology terms and verified identifiers are used, dates have the precision types the project allows, the seed 000
comparison table can be rebuilt from the graph, docs/coverage.md and the data list the same records, and HermiT finds
ontology + data consistent and classifies the cases as intended.

The checks cover the files this issue owns: ``data/*.ttl`` and ``data/cases/*.ttl`` (the mapping sets in
``data/mappings/`` belong to issue 7). The reasoner runs once, over the whole shipped graph.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from dipontology import resources
from dipontology.namespaces import DIP, ID_BASE, PREFIXES, RECORD_KINDS

REPO = Path(__file__).resolve().parents[2]
COVERAGE = REPO / "docs" / "coverage.md"

C = {k: PREFIXES[k] for k in RECORD_KINDS}


def iri(prefixed: str) -> URIRef:
    kind, _, slug = prefixed.partition(":")
    return URIRef(C[kind] + slug)


# Wikidata QIDs of the project's reference country table (shared/reference/countries.csv, column "wikidata"): the
# only QIDs the case-study data may carry.
ALLOWED_QIDS = {
    "Q30", "Q148", "Q865", "Q801", "Q219060", "Q258", "Q241", "Q736", "Q419", "Q796", "Q20", "Q225", "Q224",
    "Q403", "Q183", "Q159", "Q145", "Q142", "Q79", "Q423", "Q884", "Q39", "Q846",
}
# Verified English Wikipedia titles and UCDP Peace Agreement names (reference notes, "Identifier systems researchers
# join on").
WIKIPEDIA_TITLES = {"Oslo_I_Accord", "Oslo_Accords", "Dayton_Agreement",
                    "Truth_and_Reconciliation_Commission_(South_Africa)", "Ping-pong_diplomacy"}
UCDP_NAMES = {"The Oslo Accord",
              "The General Framework Agreement for Peace in Bosnia and Herzegovina (the Dayton Agreement)"}

# The section headings of each source article (verbatim): the only locators of statements citing an article.
SEED_HEADINGS = {
    "torgesen-2025": {
        "Track II diplomacy vs Citizen diplomacy in Politics - What is The Difference?", "Table of Comparison",
        "Understanding Citizen Diplomacy: Definition and Scope", "Track II Diplomacy Explained: Origins and Evolution",
        "Key Differences Between Citizen and Track II Diplomacy", "Roles of Non-State Actors in Modern Diplomacy",
        "Main Objectives: Citizen Diplomats vs Track II Negotiators", "Tools and Methods Used in Both Diplomacy Forms",
        "Case Studies: Successful Citizen Diplomacy Initiatives", "Case Studies: Impactful Track II Diplomacy Efforts",
        "Challenges and Limitations in Citizen and Track II Diplomacy",
        "Future Trends: Integrating Citizen Diplomacy and Track II Approaches"},
    "malek-chigas-2013": {"Citizen Diplomacy", "Contributions of Unofficial Interventions",
                          "Limitations of Unofficial Intermediation"},
    "citizen-diplomacy-conflict-ridden-societies": {"Citizen Diplomacy in Conflict Ridden Societies"},
    "diplo-citizen-diplomacy": {"Citizen diplomacy", "Why is citizen diplomacy relevant?",
                                "Who are key actors in citizen diplomacy?", "How is citizen diplomacy conducted?",
                                "Examples of citizen diplomacy", "Challenges of opportunities of citizen diplomacy",
                                "Challenges", "Opportunities"},
    "johnson-multi-track-diplomacy": {"Multi-Track Diplomacy", "Video Transcription", "Terms to Know"},
}
# headings of the project's own notes and file names: never a locator of a published source
INTERNAL_LOCATORS = {"countries.csv", "case-facts.csv", "source-urls.csv", "Identifier systems researchers join on",
                      "Multi-track diplomacy (Diamond and McDonald)", "Track 1.5: two published definitions",
                      "Case-study facts with their sources"}

DATE_TYPES = {XSD.gYear, XSD.gYearMonth, XSD.date}
DATE_PATTERNS = {XSD.gYear: r"-?\d{4}", XSD.gYearMonth: r"-?\d{4}-(0[1-9]|1[0-2])", XSD.date: r"\d{4}-\d{2}-\d{2}"}
DATE_PROPERTIES = {DIP.startDate, DIP.endDate, DIP.date, DIP.decade, DIP.foundingDate, DIP.validFrom,
                   DIP.validUntil, DCTERMS.issued, DCTERMS.modified}
# Properties the reasoner derives from the qualified statements: never asserted in the data.
DERIVED = {DIP.hasParticipant, DIP.hasTrack, DIP.hadOutcome}


def own_files() -> list[Path]:
    d = resources.data_dir()
    return [p for p in resources.data_files() if p.parent == d or p.parent.name == "cases"]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(resources.ontology_file(), format="turtle")


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return {p.name if p.parent.name != "cases" else f"cases/{p.name}": Graph().parse(p, format="turtle")
            for p in own_files()}


@pytest.fixture(scope="module")
def data(graphs) -> Graph:
    g = Graph()
    for part in graphs.values():
        for t in part:
            g.add(t)
    return g


@pytest.fixture(scope="module")
def subclasses(ontology) -> dict[URIRef, set[URIRef]]:
    """Each ontology class with all its (reflexive, transitive) subclasses."""
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            direct.setdefault(sup, set()).add(sub)
    closure: dict[URIRef, set[URIRef]] = {}

    def down(c: URIRef) -> set[URIRef]:
        if c not in closure:
            closure[c] = {c}
            for s in direct.get(c, ()):
                closure[c] |= down(s)
        return closure[c]

    for c in set(ontology.subjects(RDF.type, OWL.Class)):
        down(c)
    return closure


@pytest.fixture(scope="module")
def statements(data, subclasses) -> set[URIRef]:
    kinds = subclasses[DIP.Statement]
    return {s for s, o in data.subject_objects(RDF.type) if o in kinds}


def records(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ID_BASE)}


def name(node) -> str:
    for k, ns in C.items():
        if str(node).startswith(ns):
            return f"{k}:{str(node)[len(ns):]}"
    return str(node)


# --------------------------------------------------------------------------------------------------- files, records

def test_every_file_parses_and_has_records(graphs):
    assert "sources.ttl" in graphs and "places.ttl" in graphs and "actors.ttl" in graphs
    assert "conflicts.ttl" in graphs and "concepts.ttl" in graphs
    cases = [k for k in graphs if k.startswith("cases/")]
    assert len(cases) >= 25
    for fname, g in graphs.items():
        assert len(records(g)) > 0, fname


def test_each_case_file_holds_exactly_one_initiative_named_after_it(graphs, subclasses):
    initiative_types = subclasses[DIP.Initiative]
    for fname, g in graphs.items():
        if not fname.startswith("cases/"):
            continue
        inits = {s for s, o in g.subject_objects(RDF.type) if o in initiative_types}
        assert len(inits) == 1, (fname, sorted(map(name, inits)))
        assert name(next(iter(inits))) == "case:" + Path(fname).stem, fname


def test_record_slugs_are_lowercase_hyphenated(data):
    for s in records(data):
        slug = str(s)[len(ID_BASE):].split("/", 1)[1]
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), s


def test_no_record_is_defined_twice(graphs):
    seen: dict[URIRef, str] = {}
    for fname, g in graphs.items():
        for s in set(g.subjects(RDF.type, None)):
            if isinstance(s, URIRef) and str(s).startswith(ID_BASE):
                assert s not in seen, f"{name(s)} typed in {seen.get(s)} and {fname}"
                seen[s] = fname


def test_every_record_has_type_label_description_and_source(data, subclasses):
    """Every record has a type and one English label; every record but a bibliographic one (which describes a work,
    whose page is at its URL) also has one English description and names its sources."""
    source_types = subclasses[DIP.Source]
    problems = []
    for s in records(data):
        types = set(data.objects(s, RDF.type))
        if not types:
            problems.append((name(s), "rdf:type"))
        labels = [o for o in data.objects(s, RDFS.label) if isinstance(o, Literal) and o.language == "en"]
        if len(labels) != 1:
            problems.append((name(s), "one rdfs:label @en"))
        if types & source_types:
            if types & {DIP.SourceArticle, DIP.ReferencePage} and data.value(s, DCTERMS.title) is None:
                problems.append((name(s), "dcterms:title"))
            continue
        descriptions = [o for o in data.objects(s, DCTERMS.description) if isinstance(o, Literal) and o.language == "en"]
        if len(descriptions) != 1:
            problems.append((name(s), "one dcterms:description @en"))
        sources = set(data.objects(s, DCTERMS.source))
        if not sources:
            problems.append((name(s), "dcterms:source"))
        if s in sources:
            problems.append((name(s), "source of itself"))
    assert problems == []


def test_every_source_named_is_a_source_record(data, subclasses):
    source_types = subclasses[DIP.Source]
    sources = {s for s, o in data.subject_objects(RDF.type) if o in source_types}
    articles = set(data.subjects(RDF.type, DIP.SourceArticle))
    pages = set(data.subjects(RDF.type, DIP.ReferencePage))
    assert len(articles) == 5 and len(pages) >= 90 and len(sources) >= len(articles) + len(pages)
    named = set(data.objects(None, DCTERMS.source))
    assert named - sources == set()
    # every reference page is cited by a statement: a page nothing rests on is not kept
    cited = {o for s, o in data.subject_objects(DCTERMS.source) if (s, RDF.type, None) in data
             and any(t in subclasses[DIP.Statement] for t in data.objects(s, RDF.type))}
    assert sorted(map(name, pages - cited)) == []


def test_sources_the_ontology_refers_to_all_exist(ontology, data):
    referenced = {o for o in ontology.objects(None, DCTERMS.source) if str(o).startswith(C["source"])}
    defined = set(data.subjects(RDF.type, None))
    assert referenced and referenced - defined == set()


def test_source_records_describe_works_not_our_notes(data, subclasses):
    """A source record describes a published work (title, URL); the project's own notes are no source, and the
    file names under which the project keeps its copies of the articles are not published."""
    source_types = subclasses[DIP.Source]
    sources = {s for s, o in data.subject_objects(RDF.type) if o in source_types}
    assert iri("source:dipontology-reference-notes") not in sources
    assert (None, None, iri("source:dipontology-reference-notes")) not in data
    assert (None, DIP.seedFile, None) not in data
    schema_url = URIRef("https://schema.org/url")
    for s in sources:
        assert data.value(s, RDFS.label) is not None, name(s)
        if (s, RDF.type, DIP.SourceArticle) in data or (s, RDF.type, DIP.ReferencePage) in data:
            assert data.value(s, schema_url) is not None, name(s)


# --------------------------------------------------------------------------------------------------- statements

def test_every_statement_has_source_and_a_known_locator(data, statements):
    """A statement citing one of the source articles names the article's own section heading; one citing another
    source names the part of it (a page's introduction or infobox, a table row), never a file or our notes."""
    assert len(statements) > 250
    problems = []
    for st in statements:
        sources = {str(o)[len(C["source"]):] for o in data.objects(st, DCTERMS.source)}
        locators = [str(o) for o in data.objects(st, DIP.locator)]
        if not sources or len(locators) != 1:
            problems.append((name(st), sources, locators))
            continue
        if all(k in SEED_HEADINGS for k in sources):
            allowed = set().union(*(SEED_HEADINGS[k] for k in sources))
            if locators[0] not in allowed:
                problems.append((name(st), locators[0]))
        elif locators[0] in INTERNAL_LOCATORS or not locators[0].strip():
            problems.append((name(st), locators[0]))
    assert problems == []


def test_statements_are_complete_for_their_kind(data, statements):
    def one(s, p):
        return len(list(data.objects(s, p))) == 1

    for st in statements:
        types = set(data.objects(st, RDF.type))
        if DIP.Participation in types:
            assert one(st, DIP.participant) and one(st, DIP.role), name(st)
            assert len(list(data.subjects(DIP.hasParticipation, st))) == 1, name(st)
        if DIP.TrackClassification in types:
            assert one(st, DIP.track) and len(list(data.subjects(DIP.hasTrackClassification, st))) == 1, name(st)
        if DIP.OutcomeAttribution in types:
            assert one(st, DIP.outcome) and one(st, DIP.attributionStrength), name(st)
            assert len(list(data.subjects(DIP.hasOutcomeAttribution, st))) == 1, name(st)
        if DIP.TrackRelationClaim in types:
            assert one(st, DIP.subjectTrack) and one(st, DIP.relationKind) and one(st, DIP.objectTrack), name(st)
        if DIP.TrackFeature in types:
            assert one(st, DIP.profiledTrack) and one(st, DIP.featureKind) and one(st, DIP.featureText), name(st)
        if DIP.NamingClaim in types:
            assert one(st, DIP.namedRecord) and one(st, DIP.nameUsed), name(st)


def test_contradictions_are_mutual_and_explained(data):
    pairs = set(data.subject_objects(DIP.contradicts))
    assert len(pairs) >= 14
    for a, b in pairs:
        assert (b, a) in pairs, (name(a), name(b))
        assert list(data.objects(a, DIP.disagreementNote)), name(a)


def test_track_relation_positions_of_the_seeds(data):
    def claims(kind, subj, obj):
        return {name(s) for s in data.subjects(DIP.relationKind, kind)
                if (s, DIP.subjectTrack, subj) in data and (s, DIP.objectTrack, obj) in data}

    assert claims(DIP.IsFormOf, DIP.CitizenDiplomacy, DIP.TrackTwo) == {"statement:claim-torgesen-cd-form-of-t2"}
    assert claims(DIP.IsFormOf, DIP.TrackTwo, DIP.CitizenDiplomacy) == {"statement:claim-malek-t2-form-of-cd"}
    assert claims(DIP.IsSameAs, DIP.CitizenDiplomacy, DIP.TrackTwo) == {"statement:claim-conflict-ridden-cd-same-as-t2"}
    assert claims(DIP.IsSameAs, DIP.MultiTrackDiplomacy, DIP.TrackTwo) == {"statement:claim-johnson-mtd-same-as-t2"}
    assert len(claims(DIP.IsNewerTermFor, DIP.MultiTrackDiplomacy, DIP.TrackTwo)) == 2
    assert claims(DIP.IsSameAs, DIP.TrackTwo, DIP.CitizenDiplomacy) == {"statement:claim-conflict-ridden-t2-same-as-cd"}
    assert claims(DIP.DiffersFrom, DIP.CitizenDiplomacy, DIP.TrackTwo) == {
        "statement:claim-torgesen-cd-differs-from-t2", "statement:claim-torgesen-cd-differs-from-t2-definition-and-scope"}
    # Diplo: "Citizen diplomacy is often seen as an alternative to traditional government-to-government diplomacy"
    assert claims(DIP.IsAlternativeTo, DIP.CitizenDiplomacy, DIP.TrackOne) == {"statement:claim-diplo-cd-alternative-to-t1"}
    assert (iri("statement:claim-diplo-cd-alternative-to-t1"), DIP.contradicts,
            iri("statement:claim-conflict-ridden-cd-complements-t1")) in data
    assert claims(DIP.SucceededBy, DIP.TrackTwo, DIP.MultiTrackDiplomacy) == {
        "statement:claim-mcdonald-t2-expanded-to-five-tracks", "statement:claim-mcdonald-t2-expanded-to-nine-tracks",
        "statement:claim-johnson-t2-expanded-into-mtd"}
    # McDonald (2003): five tracks in 1989, nine in 1991, as origin years of multi-track diplomacy
    years = {str(data.value(st, DIP.statedValue)) for st in data.subjects(DIP.statedProperty, DIP.originYear)
             if (st, DIP.statedSubject, DIP.MultiTrackDiplomacy) in data}
    assert years == {"1989", "1991"}
    assert (iri("statement:claim-torgesen-cd-form-of-t2"), DIP.contradicts,
            iri("statement:claim-malek-t2-form-of-cd")) in data
    assert (iri("statement:claim-johnson-mtd-same-as-t2"), DIP.contradicts,
            iri("statement:claim-mcdonald-t2-expanded-to-nine-tracks")) in data
    assert (iri("statement:profile-usip-track-one-and-a-half"), DIP.contradicts,
            iri("statement:profile-mapendere-track-one-and-a-half")) in data


def test_comparison_table_of_seed_000_rebuilds_exactly(data):
    rows = data.query("""
        PREFIX dip: <https://w3id.org/dipontology/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?track ?definition ?participants ?objective ?status ?impact ?examples WHERE {
          ?p a dip:TrackProfile ; dcterms:source <https://w3id.org/dipontology/id/source/torgesen-2025> ;
             dip:locator "Table of Comparison" ; dip:profiledTrack ?track ;
             dip:definitionText ?definition ; dip:keyParticipantsText ?participants ; dip:objectiveText ?objective ;
             dip:officialStatusText ?status ; dip:impactText ?impact ; dip:examplesText ?examples .
        }""")
    table = {r[0]: [str(x) for x in r[1:]] for r in rows}
    assert table == {
        DIP.CitizenDiplomacy: [
            "Informal interactions between ordinary citizens of different countries to foster mutual understanding.",
            "General public, community groups, cultural exchange participants.",
            "Build people-to-people relationships and reduce stereotypes.",
            "Unofficial, citizen-driven initiatives.",
            "Enhanced cultural understanding and grassroots goodwill.",
            "People-to-people tours, cultural exchanges, friendship committees."],
        DIP.TrackTwo: [
            "Unofficial dialogue and problem-solving activities involving non-state actors and experts to support "
            "official diplomacy.",
            "Academics, retired officials, NGOs, think tanks.",
            "Explore solutions to political conflicts and advise policymakers indirectly.",
            "Unofficial but often coordinated to complement formal diplomacy efforts.",
            "Influences policy formulation through backchannel communication.",
            "Conflict resolution workshops, informal negotiations among experts."],
    }


def test_track_features_name_classes_or_records_that_exist(data, ontology, statements):
    features = {s for s in statements if (s, RDF.type, DIP.TrackFeature) in data}
    assert len(features) > 150
    for f in features:
        for cls in data.objects(f, DIP.featureClass):
            assert (cls, RDF.type, OWL.Class) in ontology, (name(f), cls)
        for rec in data.objects(f, DIP.featureRecord):
            assert (rec, RDF.type, None) in data, (name(f), name(rec))
    kinds = {data.value(f, DIP.featureKind) for f in features}
    assert kinds == {DIP.KeyParticipantFeature, DIP.MethodFeature, DIP.OutcomeFeature, DIP.TheoryFeature,
                     DIP.ChallengeFeature, DIP.OpportunityFeature, DIP.ExampleFeature}


# --------------------------------------------------------------------------------------------------- vocabulary

def test_only_ontology_terms_are_used(data, ontology):
    defined = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(DIP))}
    used = {t for triple in data for t in triple if isinstance(t, URIRef) and str(t).startswith(str(DIP))}
    assert used and used - defined == set()


def test_no_derived_property_or_defined_class_is_asserted(data, ontology):
    defined_classes = set(ontology.subjects(OWL.equivalentClass, None))
    assert len(defined_classes) >= 10
    assert {p for _, p, _ in data if p in DERIVED} == set()
    assert {o for o in data.objects(None, RDF.type) if o in defined_classes} == set()
    assert list(data.triples((None, OWL.sameAs, None))) == []


def test_blank_nodes_are_not_used(data):
    assert [t for t in data if any(isinstance(x, BNode) for x in t)] == []


# --------------------------------------------------------------------------------------------------- dates, identifiers

def test_dates_use_only_year_yearmonth_or_date(data):
    checked = 0
    for s, p, o in data:
        if p in DATE_PROPERTIES:
            assert isinstance(o, Literal) and o.datatype in DATE_TYPES, (name(s), p, o)
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype).startswith(str(XSD)):
            local = str(o.datatype)[len(str(XSD)):]
            if local in {"dateTime", "time", "gDay", "gMonth", "gMonthDay", "dateTimeStamp"}:
                pytest.fail(f"{name(s)} {p} uses xsd:{local}")
            if o.datatype in DATE_TYPES:
                assert re.fullmatch(DATE_PATTERNS[o.datatype], str(o)), (name(s), o)
                if o.datatype == XSD.date:
                    dt.date.fromisoformat(str(o))
                checked += 1
    assert checked >= 50


def test_dates_recorded_with_the_sources_precision(data):
    assert data.value(iri("case:ping-pong-diplomacy"), DIP.decade) == Literal("1970", datatype=XSD.gYear)
    assert data.value(iri("activity:us-table-tennis-team-visit-to-china"), DIP.startDate) == \
        Literal("1971-04-10", datatype=XSD.date)
    assert data.value(iri("outcome:oslo-i-accord"), DIP.date) == Literal("1993-09-13", datatype=XSD.date)
    assert data.value(iri("case:oslo-secret-negotiation"), DIP.endDate) == Literal("1993-08-20", datatype=XSD.date)
    assert data.value(iri("case:seeds-of-peace"), DIP.startDate) == Literal("1993", datatype=XSD.gYear)
    assert data.value(iri("case:fulbright-program"), DIP.startDate) == Literal("1946-08-01", datatype=XSD.date)
    assert data.value(iri("outcome:oslo-agreement-collapse"), DIP.date) == Literal("2000", datatype=XSD.gYear)
    assert data.value(iri("actor:conflict-management-group"), DIP.foundingDate) == Literal("1984", datatype=XSD.gYear)
    # no source dates these: they must stay undated
    for undated in ("outcome:second-intifada", "outcome:ecuador-peru-border-agreements", "outcome:dayton-agreement",
                    "case:ecuador-peru-facilitated-joint-brainstorming", "case:oslo-back-channel"):
        assert not set(data.predicate_objects(iri(undated))) & {(p, o) for p in DATE_PROPERTIES
                                                                   for o in data.objects(iri(undated), p)}, undated


def test_only_reference_qids_appear(data):
    found = set()
    for s, p, o in data:
        for term in (s, p, o):
            text = str(term)
            if "wikidata.org" in text:
                pytest.fail(f"Wikidata IRI in the case-study data: {text}")
            if isinstance(term, Literal):
                found |= set(re.findall(r"\bQ\d+\b", text))
    assert found and found <= ALLOWED_QIDS, found - ALLOWED_QIDS
    assert {str(o) for o in data.objects(None, DIP.wikidata)} == ALLOWED_QIDS


def test_only_verified_titles_and_agreement_names(data):
    assert {str(o) for o in data.objects(None, DIP.wikipediaTitle)} == WIKIPEDIA_TITLES
    assert {str(o) for o in data.objects(None, DIP.ucdpAgreementName)} == UCDP_NAMES


def test_countries_carry_codes_with_system_and_validity(data):
    def codes(country: str) -> set[tuple]:
        out = set()
        for a in data.objects(iri(f"place:{country}"), DIP.hasCode):
            out.add((data.value(a, DIP.codeSystem), str(data.value(a, DIP.codeValue)),
                     data.value(a, DIP.validFrom), data.value(a, DIP.validUntil)))
        return out

    israel = iri("place:israel")
    assert (str(data.value(israel, DIP.iso3166Alpha2)), str(data.value(israel, DIP.iso3166Alpha3)),
            str(data.value(israel, DIP.wikidata))) == ("IL", "ISR", "Q801")
    assert codes("israel") == {(DIP.COWStateNumber, "666", None, None), (DIP.COWStateAbbreviation, "ISR", None, None),
                               (DIP.GleditschWardNumber, "666", Literal("1948-05-14", datatype=XSD.date), None)}
    serbia_gw = {c for c in codes("serbia") if c[0] == DIP.GleditschWardNumber}
    assert serbia_gw == {
        (DIP.GleditschWardNumber, "345", Literal("1918-12-01", datatype=XSD.date), Literal("2006-06-04", datatype=XSD.date)),
        (DIP.GleditschWardNumber, "340", Literal("2006-06-05", datatype=XSD.date), None)}
    germany = codes("germany")
    assert {c[1] for c in germany if c[0] == DIP.COWStateNumber} == {"255", "260", "265"}
    assert len([c for c in germany if c[0] == DIP.COWStateNumber]) == 4          # 255 twice: to 1945 and from 1990
    assert (DIP.COWStateNumber, "260", Literal("1955", datatype=XSD.gYear), Literal("1990-10-02", datatype=XSD.date)) \
        in germany
    assert {c[1] for c in germany if c[0] == DIP.GleditschWardNumber} == {"255", "260", "265"}
    assert codes("palestine") == set()
    # every code assignment keeps the reference's note verbatim where the table has one
    note = data.value(iri("code:gw-345-serbia"), DIP.validityNote)
    assert str(note) == "345 (Yugoslavia) 1918-12-01 to 2006-06-04; 340 (Serbia) from 2006-06-05"


def test_places_outside_the_reference_table_have_no_identifiers(data):
    for slug in ("cyprus", "sri-lanka", "rwanda", "zimbabwe", "somalia", "congo", "sudan", "afghanistan", "japan",
                 "kashmir", "tibet"):
        p = iri(f"place:{slug}")
        assert (p, RDF.type, None) in data, slug
        for prop in (DIP.iso3166Alpha2, DIP.iso3166Alpha3, DIP.wikidata, DIP.hasCode):
            assert data.value(p, prop) is None, (slug, prop)
        assert data.value(p, SKOS.editorialNote) is not None, slug


# --------------------------------------------------------------------------------------------------- modelling

def test_claims_stay_attributed_as_made(data):
    trc = iri("case:truth-and-reconciliation-commission-south-africa")
    assert str(data.value(trc, RDFS.label)) == "Truth and Reconciliation Commission (South Africa)"
    names = {str(data.value(s, DIP.nameUsed)): s for s in data.subjects(DIP.namedRecord, trc)}
    assert set(names) == {"Truth and Reconciliation Council", "Truth and Reconciliation Commission (South Africa)"}
    assert (names["Truth and Reconciliation Council"], DCTERMS.source, iri("source:johnson-multi-track-diplomacy")) in data
    # seed 000 classifies Oslo and Dayton as Track II, as its own statements
    for case in ("case:oslo-peace-process", "case:dayton-peace-talks"):
        torgesen = [s for s in data.objects(iri(case), DIP.hasTrackClassification)
                    if (s, DCTERMS.source, iri("source:torgesen-2025")) in data]
        assert [data.value(s, DIP.track) for s in torgesen] == [DIP.TrackTwo], case


def test_oslo_signing_participants(data):
    talks = iri("case:oslo-official-talks")
    roles = {(name(data.value(p, DIP.participant)), data.value(p, DIP.role)) for p in data.objects(talks, DIP.hasParticipation)}
    assert {("actor:mahmoud-abbas", DIP.SignatoryRole), ("actor:shimon-peres", DIP.SignatoryRole),
            ("actor:warren-christopher", DIP.WitnessRole), ("actor:andrei-kozyrev", DIP.WitnessRole)} <= roles
    # the Fafo institute hosted the secret PLO-Israel negotiation (English Wikipedia, Oslo I Accord), not the
    # citizen diplomats' talks the articles describe
    host = {name(data.value(p, DIP.participant)) for p in data.objects(iri("case:oslo-secret-negotiation"), DIP.hasParticipation)
            if data.value(p, DIP.role) == DIP.HostRole}
    assert host == {"actor:fafo"}
    assert not [p for p in data.objects(iri("case:oslo-back-channel"), DIP.hasParticipation)
                if data.value(p, DIP.role) == DIP.HostRole]


def test_the_back_channel_and_the_secret_negotiation_are_two_records(data):
    """The articles' citizen talks carry no date, place or host that no article gives; the secret negotiation the
    reference pages describe carries them, with its own sources."""
    back, secret = iri("case:oslo-back-channel"), iri("case:oslo-secret-negotiation")
    for p in DATE_PROPERTIES | {DIP.location}:
        assert data.value(back, p) is None, p
    assert data.value(secret, DIP.endDate) == Literal("1993-08-20", datatype=XSD.date)
    assert (back, DIP.ledTo, secret) in data
    articles = set(data.subjects(RDF.type, DIP.SourceArticle))
    back_sources = set(data.objects(back, DCTERMS.source))
    assert back_sources and back_sources <= articles


def test_links_between_initiatives(data):
    assert (iri("case:oslo-back-channel"), DIP.ledTo, iri("case:oslo-official-talks")) in data
    assert (iri("case:iraq-federalism-track-two-process"), DIP.ledTo, iri("case:iraq-constitution-drafting")) in data
    assert (iri("case:oslo-peace-process"), DIP.hasPart, iri("case:oslo-official-talks")) in data
    # no source says these: Malek's citizen meetings "have been meeting for years"; the Ecuador-Peru participants
    # "drew on their experience in these sessions", recorded as an outcome of the sessions
    assert (iri("case:israeli-palestinian-citizen-meetings"), DIP.ledTo, iri("case:oslo-official-talks")) not in data
    assert (iri("case:ecuador-peru-facilitated-joint-brainstorming"), DIP.ledTo,
            iri("case:ecuador-peru-peace-negotiations")) not in data


# --------------------------------------------------------------------------------------------------- coverage.md

def coverage_iris() -> set[URIRef]:
    text = COVERAGE.read_text(encoding="utf-8")
    out = set()
    kinds = "|".join(RECORD_KINDS)
    for token in re.findall(r"`([^`\s]+)`", text):
        m = re.fullmatch(rf"({kinds}):(.*)", token)
        if m and m.group(2):                                   # a bare prefix ("`case:`") names no record
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", m.group(2)), f"malformed IRI in coverage.md: {token}"
            out.add(iri(token))
    return out


def test_coverage_lists_exactly_the_records(data):
    listed = coverage_iris()
    present = records(data)
    assert sorted(map(name, listed - present)) == []          # listed but not in the data
    assert sorted(map(name, present - listed)) == []          # in the data but not listed


def test_coverage_says_why_things_are_not_modelled():
    text = COVERAGE.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("|") and "not modelled" in line]
    assert len(rows) >= 10
    for row in rows:
        assert re.search(r"not modelled[^|]*:", row), row     # every "not modelled" gives its reason


# --------------------------------------------------------------------------------------------------- reasoning

@pytest.fixture(scope="module")
def reasoned():
    from dipontology.reason import reason

    return reason()


def test_ontology_and_data_are_consistent(reasoned):
    assert reasoned.consistent, reasoned.explanation
    assert reasoned.unsatisfiable == []


@pytest.mark.parametrize("cls, expected", [
    # Malek: the secret meetings "apparently helped make those negotiations possible" (the back channel led to the
    # official talks, which produced the accord); the Ecuador-Peru sessions are credited with the agreements
    # themselves (an outcome), not with leading to the negotiations, which two pages date before them
    ("PrecursorOfTrackOneAgreement", {"case:oslo-back-channel"}),
    ("YouthInitiative", {"case:seeds-of-peace", "case:the-land-twice-promised", "case:youth-summer-camps"}),
    ("ThirdPartyFacilitatedInitiative", {"case:oslo-back-channel", "case:ecuador-peru-facilitated-joint-brainstorming"}),
    ("ThirdPartyFacilitator", {"actor:harvard", "actor:norwegian-third-party-actors"}),
    # Malek ties the collapse of the agreement and the Second Intifada to the meetings' failure to change attitudes
    ("InitiativeWithNegativeOutcome", {"case:oslo-peace-process", "case:oslo-back-channel"}),
    ("DisputedTrackInitiative", {"case:oslo-peace-process", "case:oslo-official-talks"}),
    ("AgreementProducingInitiative", {"case:oslo-official-talks", "case:oslo-secret-negotiation",
                                      "case:ecuador-peru-peace-negotiations",
                                      "case:ecuador-peru-facilitated-joint-brainstorming", "case:dayton-peace-talks"}),
    ("TrackOneInitiative", {"case:oslo-official-talks", "case:oslo-peace-process"}),
])
def test_defined_classes_classify_the_cases(reasoned, cls, expected):
    members = {name(m) for m in reasoned.members(str(DIP[cls])) if m.startswith(ID_BASE)}
    assert members == expected


def test_track_classes_follow_the_sources(reasoned):
    two = {name(m) for m in reasoned.members(str(DIP.TrackTwoInitiative))}
    citizen = {name(m) for m in reasoned.members(str(DIP.CitizenDiplomacyInitiative))}
    assert {"case:oslo-peace-process", "case:dayton-peace-talks", "case:iraq-federalism-track-two-process",
            "case:afghanistan-track-two-efforts", "case:ngo-and-church-track-two-efforts"} <= two
    assert {"case:ping-pong-diplomacy", "case:seeds-of-peace", "case:us-cuba-grassroots-exchanges",
            "case:oslo-back-channel", "case:erasmus-plus"} <= citizen
    assert "case:oslo-official-talks" not in two | citizen
    # no source supports a Track 1.5 reading of any case
    assert reasoned.members(str(DIP.TrackOneAndAHalfByCapacity)) == set()
    assert reasoned.members(str(DIP.TrackOneAndAHalfByThirdParty)) == set()


def test_coverage_generated_sections_are_current():
    """The disagreements and the index in docs/coverage.md are written from the data (so every claim they make is
    the graph's): they must match it."""
    from dipontology import coverage_docs

    text = COVERAGE.read_text(encoding="utf-8")
    assert text == coverage_docs.render(text), "docs/coverage.md is stale: python -m dipontology.coverage_docs --write-docs"


def test_coverage_lists_every_disagreement_with_both_positions(data):
    text = COVERAGE.read_text(encoding="utf-8")
    section = text.split("<!-- generated: disagreements -->", 1)[1].split("<!-- end: disagreements -->", 1)[0]
    for a, b in data.subject_objects(DIP.contradicts):
        assert f"`{name(a)}`" in section and f"`{name(b)}`" in section, (name(a), name(b))
