"""Every named query's answer on the shipped data.

Two kinds of expectations: facts the seed texts state (the comparison table of Torgesen 2025, Oslo's move from
Track II to Track I, who facilitated the Ecuador-Peru brainstorming ...), written out here; and, for whole row sets,
the same answer computed independently in Python over the rdflib graph, so a query that drops or duplicates rows
fails.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from dipontology.export import display
from dipontology.graph import published_graph
from dipontology.namespaces import DIP, PREFIXES
from dipontology.query import get
from dipontology.store import QueryResult, open_store

CASE, ACTOR, SOURCE = PREFIXES["case"], PREFIXES["actor"], PREFIXES["source"]


@pytest.fixture(scope="module")
def g() -> Graph:
    return published_graph()


def run(name: str, **params) -> QueryResult:
    return get(name).run(open_store(), params)


def table(result: QueryResult, *columns: str) -> list[tuple[str, ...]]:
    """Rows as short strings (prefixed names, literal values) of the given columns."""
    idx = [result.columns.index(c) for c in columns]
    return [tuple(display(row[i]) for i in idx) for row in result.rows]


def subclasses(g: Graph, cls: URIRef) -> set:
    return set(g.transitive_subjects(RDFS.subClassOf, cls))


def instances(g: Graph, cls: URIRef) -> set:
    return {s for k in subclasses(g, cls) for s in g.subjects(RDF.type, k)}


def en(g: Graph, s) -> str | None:
    for o in g.objects(s, RDFS.label):
        if isinstance(o, Literal) and o.language == "en":
            return str(o)
    return None


def short(term) -> str:
    return display(term)


# --------------------------------------------------------------------------------------------------- tracks
SEED_TABLE = [  # seed 000 (Torgesen 2025), "Table of Comparison": aspect, citizen diplomacy, Track II diplomacy
    ("Definition",
     "Informal interactions between ordinary citizens of different countries to foster mutual understanding.",
     "Unofficial dialogue and problem-solving activities involving non-state actors and experts to support "
     "official diplomacy."),
    ("Key Participants", "General public, community groups, cultural exchange participants.",
     "Academics, retired officials, NGOs, think tanks."),
    ("Objective", "Build people-to-people relationships and reduce stereotypes.",
     "Explore solutions to political conflicts and advise policymakers indirectly."),
    ("Official Status", "Unofficial, citizen-driven initiatives.",
     "Unofficial but often coordinated to complement formal diplomacy efforts."),
    ("Impact", "Enhanced cultural understanding and grassroots goodwill.",
     "Influences policy formulation through backchannel communication."),
    ("Examples", "People-to-people tours, cultural exchanges, friendship committees.",
     "Conflict resolution workshops, informal negotiations among experts."),
]


def test_compare_tracks_reproduces_the_seed_comparison_table() -> None:
    r = run("compare-tracks", a="CitizenDiplomacy", b="TrackTwo", source="source:torgesen-2025")
    assert table(r, "aspect", "aText", "bText") == SEED_TABLE
    assert set(table(r, "a", "b", "source", "locator")) == {
        ("dip:CitizenDiplomacy", "dip:TrackTwo", "source:torgesen-2025", "Table of Comparison")}


def test_compare_tracks_by_default_gives_every_source_that_profiles_both() -> None:
    r = run("compare-tracks")
    by_source = defaultdict(list)
    for aspect, source in table(r, "aspect", "source"):
        by_source[source].append(aspect)
    assert by_source["source:torgesen-2025"] == [a for a, _, _ in SEED_TABLE]
    # Malek defines both tracks (and nothing else of the table): one row
    assert by_source["source:malek-chigas-2013"] == ["Definition"]
    swapped = run("compare-tracks", a="TrackTwo", b="CitizenDiplomacy", source="source:torgesen-2025")
    assert table(swapped, "aspect", "bText", "aText") == SEED_TABLE


def test_track_labels_lists_both_axes_in_order() -> None:
    r = run("track-labels")
    assert table(r, "track", "axis") == [
        ("dip:TrackOne", "degree of officialness"), ("dip:TrackOneAndAHalf", "degree of officialness"),
        ("dip:TrackTwo", "degree of officialness"), ("dip:CitizenDiplomacy", "degree of officialness"),
        ("dip:MultiTrackDiplomacy", "degree of officialness"),
        ("dip:GovernmentSector", "multi-track sector"),
        ("dip:ProfessionalConflictResolutionSector", "multi-track sector"),
        ("dip:BusinessSector", "multi-track sector"), ("dip:PrivateCitizenSector", "multi-track sector"),
        ("dip:ResearchTrainingEducationSector", "multi-track sector"), ("dip:ActivismSector", "multi-track sector"),
        ("dip:ReligionSector", "multi-track sector"), ("dip:FundingSector", "multi-track sector"),
        ("dip:CommunicationsMediaSector", "multi-track sector"),
    ]
    assert table(r, "notation")[5:] == [(str(n),) for n in range(1, 10)]
    assert ("Track II diplomacy",) in table(r, "label")


def test_track_profiles(g: Graph) -> None:
    r = run("track-profiles")
    expected = {(short(t), short(s)) for p in g.subjects(RDF.type, DIP.TrackProfile)
                for t in g.objects(p, DIP.profiledTrack) for s in g.objects(p, DCTERMS.source)}
    assert set(table(r, "track", "source")) == expected
    torgesen_t2 = [row for row in table(r, "track", "source", "keyParticipants", "impact")
                   if row[:2] == ("dip:TrackTwo", "source:torgesen-2025")]
    assert torgesen_t2 == [("dip:TrackTwo", "source:torgesen-2025", "Academics, retired officials, NGOs, think tanks.",
                            "Influences policy formulation through backchannel communication.")]
    only = run("track-profiles", track="TrackOneAndAHalf")
    assert {t for (t,) in table(only, "track")} == {"dip:TrackOneAndAHalf"}
    assert {"source:usip-track-1-5", "source:mapendere-2005"} <= {s for (s,) in table(only, "source")}


def test_track_relation_claims_record_each_sources_position(g: Graph) -> None:
    r = run("track-relation-claims")
    rows = set(table(r, "subjectTrack", "relation", "objectTrack", "source"))
    # the sources disagree on how citizen diplomacy and Track II relate
    assert ("dip:CitizenDiplomacy", "is a form of", "dip:TrackTwo", "source:torgesen-2025") in rows
    assert ("dip:TrackTwo", "is a form of", "dip:CitizenDiplomacy", "source:malek-chigas-2013") in rows
    assert ("dip:CitizenDiplomacy", "is the same as", "dip:TrackTwo",
            "source:citizen-diplomacy-conflict-ridden-societies") in rows
    assert ("dip:MultiTrackDiplomacy", "is the same as", "dip:TrackTwo", "source:johnson-multi-track-diplomacy") in rows
    claims = {c for c in g.subjects(RDF.type, DIP.TrackRelationClaim)}
    assert {row[-1] for row in r.rows} == claims
    cd = run("track-relation-claims", track="CitizenDiplomacy")
    assert all("dip:CitizenDiplomacy" in (s, o) for s, o in table(cd, "subjectTrack", "objectTrack"))
    assert len(cd.rows) == sum(1 for c in claims if DIP.CitizenDiplomacy in
                               (g.value(c, DIP.subjectTrack), g.value(c, DIP.objectTrack))
                               for _ in g.objects(c, DCTERMS.source))


def test_cases_per_track(g: Graph) -> None:
    r = run("cases-per-track")
    counts = {t: (int(n), int(k)) for t, n, k in table(r, "track", "cases", "classifications")}
    assert len(counts) == 14
    for track in (DIP.CitizenDiplomacy, DIP.TrackTwo, DIP.TrackOne, DIP.TrackOneAndAHalf, DIP.ReligionSector):
        tcs = set(g.subjects(DIP.track, track))
        cases = {c for tc in tcs for c in g.subjects(DIP.hasTrackClassification, tc)}
        assert counts[short(track)] == (len(cases), len(tcs))
    assert counts["dip:CitizenDiplomacy"][0] >= 10
    assert [int(n) for (n,) in table(r, "cases")] == sorted((int(n) for (n,) in table(r, "cases")), reverse=True)


def test_track_features(g: Graph) -> None:
    r = run("track-features")
    per_track = Counter(t for (t,) in table(r, "track"))
    expected = Counter(short(t) for f in g.subjects(RDF.type, DIP.TrackFeature) for t in g.objects(f, DIP.profiledTrack)
                       for _ in g.objects(f, DCTERMS.source)
                       for _ in (list(g.objects(f, DIP.featureClass)) + list(g.objects(f, DIP.featureRecord)) or [1]))
    assert per_track == expected
    methods = run("track-features", track="CitizenDiplomacy", aspect="dip:MethodFeature")
    assert set(table(methods, "track", "aspect")) == {("dip:CitizenDiplomacy", "dip:MethodFeature")}
    assert ("dip:CulturalExchange",) in table(methods, "names")


def test_track_challenges(g: Graph) -> None:
    r = run("track-challenges", track="CitizenDiplomacy")
    rows = set(table(r, "challenge", "source"))
    # seed 000: "Citizen diplomacy faces challenges such as lack of formal authority and limited access to official
    # channels"
    assert ("challenge:lack-of-formal-authority", "source:torgesen-2025") in rows
    assert ("challenge:limited-access-to-official-channels", "source:torgesen-2025") in rows
    assert {t for (t,) in table(r, "track")} == {"dip:CitizenDiplomacy"}
    stated = {(short(f)) for f in g.subjects(DIP.featureKind, DIP.ChallengeFeature)
              if (f, DIP.profiledTrack, DIP.CitizenDiplomacy) in g}
    assert {v for how, v in table(r, "how", "via") if how == "stated for the track"} == stated
    t2 = run("track-challenges", track="TrackTwo")
    assert any("legitimacy" in label for (label,) in table(t2, "challengeLabel"))


def test_opportunities() -> None:
    r = run("opportunities")
    rows = set(table(r, "track", "opportunity", "source"))
    assert ("dip:CitizenDiplomacy", "opportunity:technological-advancements", "source:diplo-citizen-diplomacy") in rows
    assert ("dip:TrackTwo", "opportunity:integration-of-citizen-and-track-two-diplomacy",
            "source:torgesen-2025") in rows


def test_theories() -> None:
    r = run("theories")
    rows = set(table(r, "theory", "via", "how", "source"))
    # seed 002: the field "is premised on Gordon Allport's Contact Hypothesis" and on social network theory
    assert ("theory:contact-hypothesis", "dip:CitizenDiplomacy", "track premised on it",
            "source:citizen-diplomacy-conflict-ridden-societies") in rows
    assert ("theory:social-network-theory", "dip:CitizenDiplomacy", "track premised on it",
            "source:citizen-diplomacy-conflict-ridden-societies") in rows


# ---------------------------------------------------------------------------------------------- case studies
def test_cases(g: Graph) -> None:
    r = run("cases")
    assert {c for (c,) in table(r, "case")} == {short(c) for c in instances(g, DIP.Initiative)}
    assert len(r.rows) == len({row[0] for row in r.rows})
    rows = {row[0]: row for row in table(r, "case", "kind", "decade")}
    assert rows["case:ping-pong-diplomacy"] == ("case:ping-pong-diplomacy", "initiative", "1970")
    assert rows["case:seeds-of-peace"][1] == "programme"
    assert rows["case:oslo-peace-process"][1] == "peace process"


def test_cases_by_track(g: Graph) -> None:
    r = run("cases-by-track")
    expected = {(short(g.value(tc, DIP.track)), short(c), short(s))
                for c, tc in g.subject_objects(DIP.hasTrackClassification) for s in g.objects(tc, DCTERMS.source)}
    assert set(table(r, "track", "case", "source")) == expected
    cd = run("cases-by-track", track="CitizenDiplomacy")
    rows = set(table(cd, "track", "case", "source"))
    assert ("dip:CitizenDiplomacy", "case:oslo-back-channel",
            "source:citizen-diplomacy-conflict-ridden-societies") in rows
    assert ("dip:CitizenDiplomacy", "case:ping-pong-diplomacy", "source:torgesen-2025") in rows
    assert ("dip:CitizenDiplomacy", "case:seeds-of-peace", "source:torgesen-2025") in rows
    assert {t for t, _, _ in rows} == {"dip:CitizenDiplomacy"}


def test_cases_by_method(g: Graph) -> None:
    r = run("cases-by-method", method="Exchange")
    exchange = subclasses(g, DIP.Exchange)
    expected = {(short(c), short(a)) for c, a in g.subject_objects(DIP.usesMethod)
                if any(k in exchange for k in g.objects(a, RDF.type))}
    assert set(table(r, "case", "activity")) == expected
    assert ("case:erasmus-plus", "dip:StudentExchange") in set(table(r, "case", "methodClass"))
    everything = run("cases-by-method")
    assert ("case:oslo-secret-negotiation", "dip:BackChannelTalks") in set(table(everything, "case", "methodClass"))
    methods = subclasses(g, DIP.Method) - {DIP.Method}
    # one row per activity class and per source that says the case uses the activity (or one without a source)
    assert len(everything.rows) == sum(max(1, sum(1 for st in g.subjects(DIP.statedSubject, c)
                                                  if (st, DIP.statedProperty, DIP.usesMethod) in g
                                                  and (st, DIP.statedValue, a) in g
                                                  for _ in g.objects(st, DCTERMS.source)))
                                       for c, a in g.subject_objects(DIP.usesMethod)
                                       for k in g.objects(a, RDF.type) if k in methods)


def test_cases_by_outcome(g: Graph) -> None:
    r = run("cases-by-outcome", outcome="Agreement")
    rows = set(table(r, "case", "result", "source"))
    assert ("case:oslo-official-talks", "outcome:oslo-i-accord", "source:wikipedia-oslo-i-accord") in rows
    assert ("case:ecuador-peru-peace-negotiations", "outcome:ecuador-peru-border-agreements",
            "source:malek-chigas-2013") in rows
    assert ("case:dayton-peace-talks", "outcome:dayton-agreement", "source:torgesen-2025") in rows
    agreements = subclasses(g, DIP.Agreement)
    expected = {(short(c), short(g.value(at, DIP.outcome)), short(s))
                for c, at in g.subject_objects(DIP.hasOutcomeAttribution)
                if any(k in agreements for k in g.objects(g.value(at, DIP.outcome), RDF.type))
                for s in g.objects(at, DCTERMS.source)}
    assert rows == expected
    accord = [row for row in table(r, "result", "date") if row[0] == "outcome:oslo-i-accord"]
    assert accord and set(accord) == {("outcome:oslo-i-accord", "1993-09-13")}


def test_cases_by_actor_kind(g: Graph) -> None:
    r = run("cases-by-actor-kind", kind="Youth")
    assert set(table(r, "actor", "case")) == {
        ("actor:israeli-and-palestinian-youth", "case:the-land-twice-promised"),
        ("actor:seeds-of-peace-youth", "case:seeds-of-peace"),
        ("actor:youth-from-nations-in-conflict", "case:youth-summer-camps"),
    }
    everything = run("cases-by-actor-kind")
    participations = {(short(g.value(p, DIP.participant)), short(c))
                      for c, p in g.subject_objects(DIP.hasParticipation)}
    assert {(a, c) for a, c in table(everything, "actor", "case")} == {
        (a, c) for a, c in participations if any(k in subclasses(g, DIP.Actor) and k != DIP.Actor
                                                 for k in g.objects(URIRef(a.replace("actor:", ACTOR)), RDF.type))}


def test_cases_by_country(g: Graph) -> None:
    r = run("cases-by-country", country="place:norway")
    rows = set(table(r, "case", "link"))
    # the reference pages place the secret Israel-PLO negotiation in Norway; the articles' citizen talks (the Oslo
    # back channel) involve Norway through its third parties
    assert ("case:oslo-secret-negotiation", "takes place in") in rows
    assert ("case:oslo-back-channel", "involves") in rows
    assert {c for (c,) in table(r, "country")} == {"place:norway"}
    initiatives = instances(g, DIP.Initiative)
    involves = {(short(c), short(k)) for c, k in g.subject_objects(DIP.involvesCountry)
                if (k, RDF.type, DIP.Country) in g and c in initiatives}
    everything = run("cases-by-country")
    assert {(c, k) for c, k, link in table(everything, "case", "country", "link") if link == "involves"} == involves


def test_cases_by_conflict(g: Graph) -> None:
    r = run("cases-by-conflict", conflict="conflict:israeli-palestinian-conflict")
    rows = {c: t for c, t in table(r, "case", "tracks")}
    assert rows["case:oslo-back-channel"] == "CitizenDiplomacy"
    assert rows["case:oslo-official-talks"] == "TrackOne"
    assert rows["case:oslo-peace-process"] == "TrackOne, TrackTwo"
    everything = run("cases-by-conflict")
    assert set(table(everything, "conflict", "case")) == {
        (short(k), short(c)) for c, k in g.subject_objects(DIP.addressesConflict) if en(g, k) and en(g, c)}


def test_cases_by_decade() -> None:
    r = run("cases-by-decade")
    rows = set(table(r, "decadeStart", "case", "datedBy"))
    # seed 000: Ping-Pong Diplomacy "in the 1970s"
    assert ("1970", "case:ping-pong-diplomacy", "decade given by the source") in rows
    # the reference pages date the secret Oslo negotiation from January 1993
    assert ("1990", "case:oslo-secret-negotiation", "start date") in rows
    nineties = run("cases-by-decade", decade="1990")
    assert {d for (d,) in table(nineties, "decadeStart")} == {"1990"}
    assert nineties.rows == [row for row in r.rows if str(row[0]) == "1990"]


def test_timeline() -> None:
    r = run("timeline")
    rows = table(r, "year", "date", "event", "record", "case")
    assert ("1971", "1971-04-17", "activity ends", "activity:us-table-tennis-team-visit-to-china",
            "case:ping-pong-diplomacy") in rows
    assert ("1993", "1993-09-13", "outcome", "outcome:oslo-i-accord", "case:oslo-official-talks") in rows
    # seed 001: the attitudes did not change enough, "causing the Oslo agreement to fall apart in 2000"
    assert ("2000", "2000", "outcome", "outcome:oslo-agreement-collapse", "case:oslo-back-channel") in rows
    years = [int(y) for y, *_ in rows]
    assert years == sorted(years)
    assert len(r.rows) == len(set(r.rows))
    nineties = run("timeline", **{"from": "1990", "until": "1999"})
    assert nineties.rows and all(1990 <= int(y) <= 1999 for (y,) in table(nineties, "year"))
    assert len(nineties.rows) == sum(1 for y in years if 1990 <= y <= 1999)


def test_track_transitions_show_oslo_moving_from_track_two_to_track_one() -> None:
    r = run("track-transitions")
    oslo = [row for row in table(r, "case", "track", "note", "source") if row[0] == "case:oslo-peace-process"]
    assert ("case:oslo-peace-process", "dip:TrackTwo", "began as", "source:usip-track-1-5") in oslo
    assert ("case:oslo-peace-process", "dip:TrackOne", "moved to", "source:usip-track-1-5") in oslo
    began = oslo.index(("case:oslo-peace-process", "dip:TrackTwo", "began as", "source:usip-track-1-5"))
    moved = oslo.index(("case:oslo-peace-process", "dip:TrackOne", "moved to", "source:usip-track-1-5"))
    assert began < moved
    # only cases placed on more than one track
    tracks = defaultdict(set)
    for case, track in table(r, "case", "track"):
        tracks[case].add(track)
    assert tracks and all(len(t) > 1 for t in tracks.values())
    assert "case:oslo-back-channel" not in tracks


def test_precursors_of_agreements() -> None:
    r = run("precursors-of-agreements")
    rows = set(table(r, "precursor", "official", "agreement", "gapYears"))
    # the articles' Oslo citizen talks led to the official talks, which the sources credit with the Oslo I Accord;
    # the articles do not date the citizen talks
    assert ("case:oslo-back-channel", "case:oslo-official-talks", "outcome:oslo-i-accord", "not stated") in rows
    for precursor, date, agreement_date, gap in table(r, "precursor", "precursorDate", "agreementDate", "gapYears"):
        if date and agreement_date:
            assert gap == str(int(agreement_date[:4]) - int(date[:4]))
        else:
            assert gap == "not stated"


def test_initiative_links(g: Graph) -> None:
    r = run("initiative-links")
    names = {DIP.partOf: "part of", DIP.followedBy: "followed by", DIP.ledTo: "led to", DIP.complements: "complements"}
    expected = {(short(s), names[p], short(o)) for p in names for s, o in g.subject_objects(p)}
    assert set(table(r, "from", "relation", "to")) == expected
    assert ("case:oslo-back-channel", "led to", "case:oslo-official-talks") in expected
    only = run("initiative-links", case="case:oslo-back-channel")
    assert only.rows and all("case:oslo-back-channel" in (f, t) for f, t in table(only, "from", "to"))


def test_cases_without_outcome(g: Graph) -> None:
    r = run("cases-without-outcome")
    with_outcome = set(g.subjects(DIP.hasOutcomeAttribution, None))
    direct = {s for k in (DIP.Initiative, DIP.Programme, DIP.PeaceProcess) for s in g.subjects(RDF.type, k)}
    assert {c for (c,) in table(r, "case")} == {short(c) for c in direct - with_outcome}
    assert ("case:oslo-back-channel",) not in table(r, "case")


def test_negative_outcomes() -> None:
    r = run("negative-outcomes")
    rows = set(table(r, "case", "result", "outcomeClass", "source"))
    # seed 001: the attitudes did not change enough, "causing the Oslo agreement to fall apart in 2000 and the Second
    # Intifada to begin"
    assert ("case:oslo-back-channel", "outcome:oslo-agreement-collapse", "dip:AgreementCollapse",
            "source:malek-chigas-2013") in rows
    assert ("case:oslo-back-channel", "outcome:second-intifada", "dip:RelapseIntoViolence",
            "source:malek-chigas-2013") in rows
    assert ("case:oslo-back-channel", "outcome:oslo-attitudes-of-citizenry-unchanged", "dip:DissipatedAttitudeChange",
            "source:malek-chigas-2013") in rows
    assert all(c.startswith("dip:") and c in {"dip:AgreementCollapse", "dip:RelapseIntoViolence",
                                              "dip:DissipatedAttitudeChange", "dip:StalledProcess",
                                              "dip:NegativeOutcome"} for _, _, c, _ in rows)


# ------------------------------------------------------------------------------------------------- actors
def test_facilitators_and_mediators(g: Graph) -> None:
    r = run("facilitators-and-mediators")
    rows = set(table(r, "actor", "role", "case"))
    # seed 001: Harvard led the Ecuador-Peru brainstorming; seed 002: Norwegian third-party actors
    assert ("actor:harvard", "dip:FacilitatorRole", "case:ecuador-peru-facilitated-joint-brainstorming") in rows
    assert ("actor:norwegian-third-party-actors", "dip:FacilitatorRole", "case:oslo-back-channel") in rows
    expected = {(short(g.value(p, DIP.participant)), short(role), short(c))
                for c, p in g.subject_objects(DIP.hasParticipation) for role in g.objects(p, DIP.role)
                if role in (DIP.FacilitatorRole, DIP.MediatorRole)}
    assert rows == expected
    mediators = run("facilitators-and-mediators", role="dip:MediatorRole")
    assert {r for (r,) in table(mediators, "role")} <= {"dip:MediatorRole"}


def test_actors_in_several_cases(g: Graph) -> None:
    cases_of = defaultdict(set)
    for c, p in g.subject_objects(DIP.hasParticipation):
        cases_of[g.value(p, DIP.participant)].add(c)
    for minimum in (2, 3):
        r = run("actors-in-several-cases", min=minimum)
        assert {(a, int(n)) for a, n in table(r, "actor", "cases")} == {
            (short(a), len(cs)) for a, cs in cases_of.items() if len(cs) >= minimum}
    r = run("actors-in-several-cases")
    rows = {a: lst for a, lst in table(r, "actor", "caseList")}
    assert rows["actor:israeli-citizen-diplomats"] == "israeli-palestinian-citizen-meetings, oslo-back-channel"


def test_actors(g: Graph) -> None:
    r = run("actors")
    assert {a for (a,) in table(r, "actor")} == {short(a) for a in instances(g, DIP.Actor) if en(g, a)}
    rows = {a: (s, k, b) for a, s, k, b in table(r, "actor", "sphere", "kinds", "basedIn")}
    assert rows["actor:andrei-kozyrev"] == ("not stated", "Person", "russia")
    assert rows["actor:israeli-citizen-diplomats"][1] == "Group, PrivateCitizen"
    non_state = run("actors", kind="NonStateActor")
    assert {s for (s,) in table(non_state, "sphere")} == {"non-state"}
    assert {a for (a,) in table(non_state, "actor")} == {short(a) for a in instances(g, DIP.NonStateActor)}


def test_participants_of_case() -> None:
    r = run("participants-of-case")
    assert table(r, "actor", "role", "capacity", "source") == [
        ("actor:israeli-citizen-diplomats", "dip:ParticipantRole", "dip:PrivateCapacity",
         "source:citizen-diplomacy-conflict-ridden-societies"),
        ("actor:norwegian-third-party-actors", "dip:FacilitatorRole", "",
         "source:citizen-diplomacy-conflict-ridden-societies"),
        ("actor:palestinian-citizen-diplomats", "dip:ParticipantRole", "dip:PrivateCapacity",
         "source:citizen-diplomacy-conflict-ridden-societies"),
    ]
    official = run("participants-of-case", case="case:oslo-official-talks")
    assert ("actor:shimon-peres", "dip:OfficialCapacity") in set(table(official, "actor", "capacity"))
    secret = run("participants-of-case", case="case:oslo-secret-negotiation")
    assert ("actor:fafo", "dip:HostRole", "source:wikipedia-oslo-i-accord") in set(
        table(secret, "actor", "role", "source"))


def test_track_one_and_a_half_finds_nothing_in_the_shipped_data(g: Graph) -> None:
    """No shipped case mixes officials in an unofficial capacity with non-state participants (USIP), or officials
    with a non-state facilitator (Mapendere), and no source classifies a case as Track 1.5: the seeds name Track 1.5
    only in definitions. (tests/test_query.py checks the positive case on the fixture.)"""
    assert run("track-one-and-a-half").rows == []
    assert not list(g.subjects(DIP.capacity, DIP.OfficialInUnofficialCapacity))
    assert not list(g.subjects(DIP.track, DIP.TrackOneAndAHalf))


# ---------------------------------------------------------------------------------------------- provenance
def test_sources(g: Graph) -> None:
    r = run("sources")
    assert {s for (s,) in table(r, "source")} == {short(s) for s in instances(g, DIP.Source)}
    rows = {s: row for s, *row in table(r, "source", "title", "creators", "date", "type", "statements")}
    assert rows["source:torgesen-2025"] == [
        "Track II diplomacy vs Citizen diplomacy in Politics - What is The Difference?", "JK Torgesen", "2025-02-02",
        "dip:SourceArticle", str(len({st for st in g.subjects(DCTERMS.source, URIRef(SOURCE + "torgesen-2025"))
                                    if any(k in subclasses(g, DIP.Statement) for k in g.objects(st, RDF.type))}))]
    assert rows["source:diamond-mcdonald-1996"][1] == "John McDonald; Louise Diamond"


def test_statements_by_source(g: Graph) -> None:
    statement_kinds = {k for k in g.subjects(RDFS.subClassOf, DIP.Statement)}
    for source in ("torgesen-2025", "malek-chigas-2013"):
        r = run("statements-by-source", source=f"source:{source}")
        expected = {st for st in g.subjects(DCTERMS.source, URIRef(SOURCE + source))
                    if any(k in statement_kinds for k in g.objects(st, RDF.type))}
        assert {row[r.columns.index("statement")] for row in r.rows} == expected
    r = run("statements-by-source")
    assert ("statement:claim-torgesen-cd-form-of-t2", "dip:CitizenDiplomacy") in set(table(r, "statement", "about"))


def test_sources_of_record() -> None:
    r = run("sources-of-record", record="case:oslo-back-channel")
    rows = set(table(r, "statement", "statementKind", "source"))
    assert ("", "the record itself", "source:malek-chigas-2013") in rows
    assert ("statement:oslo-back-channel-track-conflict-ridden-citizen-diplomacy", "track classification",
            "source:citizen-diplomacy-conflict-ridden-societies") in rows
    secret = set(table(run("sources-of-record", record="case:oslo-secret-negotiation"),
                       "statementKind", "source"))
    # the end date of the secret negotiation, from the fact statements that back it
    assert ("fact statement", "source:wikipedia-oslo-i-accord") in secret
    assert not {s for _, s in secret} & {"source:dipontology-reference-notes"}
    track = run("sources-of-record")
    kinds = {k for (k,) in table(track, "statementKind")}
    assert {"track profile", "track relation claim", "track feature statement"} <= kinds
    assert ("statement:claim-malek-t2-form-of-cd", "source:malek-chigas-2013") in set(
        table(track, "statement", "source"))


def test_source_disagreements(g: Graph) -> None:
    r = run("source-disagreements")
    pairs = {(a, b) for a, b in table(r, "statementA", "statementB")}
    expected = {tuple(sorted((short(a), short(b)), key=lambda x: str(URIRef(x.replace("statement:",
                PREFIXES["statement"]))))) for a, b in g.subject_objects(DIP.contradicts)}
    assert pairs == expected
    rows = {(a, b): note for a, b, note in table(r, "statementA", "statementB", "disagreement")}
    assert rows[("statement:claim-malek-t2-form-of-cd", "statement:claim-torgesen-cd-form-of-t2")] == (
        "Torgesen makes citizen diplomacy a form of Track II; Malek makes track two a subset of citizen diplomacy: the "
        "inclusion runs in opposite directions.")
    assert all(note for note in rows.values())


def test_disputed_track_classifications() -> None:
    r = run("disputed-track-classifications")
    rows = set(table(r, "case", "track", "source", "otherSource"))
    # USIP: Oslo began on track 2 and moved to track 1; seed 000 counts the Oslo Accords as Track II
    assert ("case:oslo-peace-process", "dip:TrackOne", "source:usip-track-1-5", "source:torgesen-2025") in rows
    assert ("case:oslo-peace-process", "dip:TrackTwo", "source:torgesen-2025", "source:usip-track-1-5") in rows
    assert all(note for (note,) in table(r, "disagreement"))


def test_classification_support(g: Graph) -> None:
    r = run("classification-support")
    support = defaultdict(set)
    for c, tc in g.subject_objects(DIP.hasTrackClassification):
        for s in g.objects(tc, DCTERMS.source):
            support[(short(c), short(g.value(tc, DIP.track)))].add(s)
    assert {(c, t, int(n)) for c, t, n in table(r, "case", "track", "sources")} == {
        (c, t, len(s)) for (c, t), s in support.items()}
    rows = {(c, t): lst for c, t, lst in table(r, "case", "track", "sourceList")}
    assert rows[("case:seeds-of-peace", "dip:CitizenDiplomacy")] == "diplo-citizen-diplomacy, torgesen-2025"


def test_naming_claims() -> None:
    r = run("naming-claims")
    rows = set(table(r, "record", "nameUsed", "source"))
    # seed 004 calls South Africa's commission the "Truth and Reconciliation Council"
    assert ("case:truth-and-reconciliation-commission-south-africa", "Truth and Reconciliation Council",
            "source:johnson-multi-track-diplomacy") in rows
    assert ("outcome:oslo-i-accord", "Middle East Peace Accord",
            "source:citizen-diplomacy-conflict-ridden-societies") in rows


def test_search_labels(g: Graph) -> None:
    r = run("search-labels", text="exchange")
    expected = {(short(s), str(o)) for s, o in g.subject_objects(RDFS.label) if "exchange" in str(o).lower()}
    assert set(table(r, "record", "label")) == expected
    assert ("case:us-cuba-grassroots-exchanges", "US-Cuba grassroots community exchanges") in expected
    assert run("search-labels", text="no such label anywhere").rows == []


# ------------------------------------------------------------------------------------------------ places
def test_countries(g: Graph) -> None:
    r = run("countries")
    assert {c for (c,) in table(r, "country")} == {short(c) for c in g.subjects(RDF.type, DIP.Country)}
    rows = {c: row for c, *row in table(r, "country", "iso2", "iso3", "wikidata")}
    assert rows["place:norway"] == ["NO", "NOR", "Q20"]
    counts = dict(table(r, "country", "cases"))
    assert int(counts["place:norway"]) >= 1


def test_country_codes() -> None:
    r = run("country-codes", country="place:norway")
    assert set(table(r, "system", "value", "validFrom")) == {
        ("dip:COWStateAbbreviation", "NOR", ""), ("dip:COWStateNumber", "385", ""),
        ("dip:GleditschWardNumber", "385", "1905-08-26")}
    everything = run("country-codes")
    assert len({c for (c,) in table(everything, "country")}) > 10


# ----------------------------------------------------------------------------------------------- coverage
def test_coverage_statistics(g: Graph) -> None:
    r = run("coverage-statistics")
    stats = {m: int(n) for m, n in table(r, "metric", "count")}
    assert [m for (m,) in table(r, "metric")][:10] == [
        "triples", "case studies (initiatives)", "actors", "conflicts", "places", "countries", "sources", "outcomes",
        "activities (method instances)", "qualified statements"]
    assert stats["triples"] == len(g)
    assert stats["case studies (initiatives)"] == len(instances(g, DIP.Initiative))
    assert stats["actors"] == len(instances(g, DIP.Actor))
    assert stats["countries"] == len(set(g.subjects(RDF.type, DIP.Country)))
    assert stats["sources"] == len(instances(g, DIP.Source))
    assert stats["qualified statements"] == len(instances(g, DIP.Statement))
    assert stats["statements: track profile"] == len(set(g.subjects(RDF.type, DIP.TrackProfile)))
    assert stats["contradicting statement pairs"] == len({frozenset(p) for p in g.subject_objects(DIP.contradicts)})
    assert stats["ontology classes"] == len({c for c in g.subjects(RDF.type, OWL.Class)
                                             if isinstance(c, URIRef) and str(c).startswith(str(DIP))})


def test_describe_case_is_the_case_with_its_statements(g: Graph) -> None:
    r = run("describe-case")
    assert r.kind == "graph"
    triples = set(r.triples)
    oslo = URIRef(CASE + "oslo-back-channel")
    participations = set(g.objects(oslo, DIP.hasParticipation))
    assert participations
    for participation in participations:
        assert (oslo, DIP.hasParticipation, participation) in triples
        actor = g.value(participation, DIP.participant)
        assert (participation, DIP.participant, actor) in triples
        assert (actor, RDFS.label, g.value(actor, RDFS.label)) in triples
    # seed 002: Norwegian third-party actors facilitated the citizen talks
    assert URIRef(ACTOR + "norwegian-third-party-actors") in {g.value(p, DIP.participant) for p in participations}
    # the fact statements about the case come with it, with their sources
    facts = set(g.subjects(DIP.statedSubject, oslo))
    assert facts and all((st, DCTERMS.source, g.value(st, DCTERMS.source)) in triples for st in facts)
    subjects = {s for s, _, _ in triples}
    assert oslo in subjects and all(str(s).startswith("https://w3id.org/dipontology/id/") for s in subjects)
    ttl = r.serialize("ttl")
    assert "case:oslo-back-channel" in ttl


# --------------------------------------------------------------------------------- filtering by source (issue 13)
#: queries with one row per fact and source (a `source` column): filtered by source, they give exactly the rows of
#: the unfiltered answer whose source is one of those named, in the same order
ROW_PER_SOURCE = [
    ("cases-by-actor-kind", {}), ("cases-by-outcome", {}), ("cases-by-track", {}), ("compare-tracks", {}),
    ("cases-by-country", {}), ("cases-by-method", {}), ("facilitators-and-mediators", {}), ("naming-claims", {}),
    ("negative-outcomes", {}), ("opportunities", {}), ("participants-of-case", {}), ("track-features", {}),
    ("track-profiles", {}), ("track-relation-claims", {}), ("country-codes", {}), ("initiative-links", {}),
    ("theories", {}), ("track-challenges", {}), ("timeline", {}), ("facts-by-source", {}),
    ("facts-of-record", {"record": "dip:TrackTwo"}), ("facts-of-record", {"record": "case:seeds-of-peace"}),
    ("precursors-of-agreements", {}), ("disputed-track-classifications", {}), ("sources", {}),
    ("sources-of-record", {"record": "dip:TrackTwo"}),
]
SOURCE_VALUES = ["articles", "reference", "literature", "Malek", "source:torgesen-2025"]


def named_sources(value: str) -> set[str]:
    from dipontology.query import SourceChoice, SourceIndex

    return {short(s) for s in SourceChoice.parse("source", value).resolve(SourceIndex.of(open_store()))}


@pytest.mark.parametrize("name, params", ROW_PER_SOURCE)
def test_a_source_filter_keeps_exactly_the_rows_of_those_sources(name: str, params: dict) -> None:
    everything = run(name, **params)
    i = everything.columns.index("source")
    for value in SOURCE_VALUES:
        keep = named_sources(value)
        filtered = run(name, **params, source=value)
        assert filtered.columns == everything.columns
        assert filtered.rows == [row for row in everything.rows if short(row[i]) in keep], (name, value)


def test_source_kinds_partition_the_sources(g: Graph) -> None:
    articles, reference, literature = (named_sources(k) for k in ("articles", "reference", "literature"))
    assert not (articles & reference or articles & literature or reference & literature)
    assert articles | reference | literature == {short(s) for s in instances(g, DIP.Source)}
    # the five source articles; reference pages are reference works
    assert articles == {short(s) for s in g.subjects(RDF.type, DIP.SourceArticle)}
    assert len(articles) == 5 and {short(s) for s in g.subjects(RDF.type, DIP.ReferencePage)} <= reference
    assert named_sources("Malek") == {"source:malek-chigas-2013"}
    assert named_sources("Diplo") == {"source:diplo-citizen-diplomacy"}


def _backed(g: Graph, record, prop, value, source) -> bool:
    return any((st, DIP.statedProperty, prop) in g and (st, DIP.statedValue, value) in g
               and (st, DCTERMS.source, source) in g for st in g.subjects(DIP.statedSubject, record))


def test_timeline_dates_come_with_the_source_that_gives_them(g: Graph) -> None:
    """Every dated case, activity or outcome in the timeline names a source that states that very date; with
    source=articles no date is left that only a reference page gives."""
    r = run("timeline")
    events = {"case study begins": DIP.startDate, "case study ends": DIP.endDate,
              "case study active in the decade": DIP.decade, "activity begins": DIP.startDate,
              "activity ends": DIP.endDate, "activity": DIP.date, "outcome": DIP.date}
    for year, date, event, record, label, case, source in r.rows:
        if str(event) in events and source is not None:
            assert _backed(g, record, events[str(event)], date, source), (record, event, date, source)
        elif source is not None:  # a dated track classification: its own source
            assert (record, DCTERMS.source, source) in g
    articles = named_sources("articles")
    for row in run("timeline", source="articles").rows:
        assert short(row[-1]) in articles


def test_facts_by_source_covers_every_fact_statement(g: Graph) -> None:
    r = run("facts-by-source")
    by_statement = defaultdict(set)
    for record, prop, value, _, _, source, _, _, statement in r.rows:
        by_statement[statement].add((record, prop, value, source))
    for st in g.subjects(RDF.type, DIP.FactStatement):
        assert by_statement[st] == {(g.value(st, DIP.statedSubject), g.value(st, DIP.statedProperty),
                                     g.value(st, DIP.statedValue), g.value(st, DCTERMS.source))}, st
    kinds = {DIP.Participation, DIP.TrackClassification, DIP.OutcomeAttribution, DIP.NamingClaim,
             DIP.TrackRelationClaim, DIP.TrackProfile, DIP.TrackFeature, DIP.CodeAssignment}
    for kind in kinds:
        for st in g.subjects(RDF.type, kind):
            assert st in by_statement, (kind, st)


def test_what_malek_says_about_track_two() -> None:
    """The worked example of docs/queries.md. Seed 001 (Malek 2013), "Citizen Diplomacy": "A subset of such
    activities is sometimes called "track two" diplomacy." and "This is unofficial discussion by non-governmental
    actors about topics usually discussed by officials in formal diplomatic negotiations." """
    r = run("facts-by-source", source="source:malek-chigas-2013", about="dip:TrackTwo")
    rows = table(r, "record", "property", "value", "source", "locator", "quote")
    assert rows and {row[3] for row in rows} == {"source:malek-chigas-2013"}
    assert all("dip:TrackTwo" in (row[0], row[2]) for row in rows)
    assert ("dip:TrackTwo", "dip:IsFormOf", "dip:CitizenDiplomacy", "source:malek-chigas-2013", "Citizen Diplomacy",
            'A subset of such activities is sometimes called "track two" diplomacy.') in rows
    definition = [row for row in rows if row[1] == "dip:definitionText"]
    assert definition and definition[0][2] == ("This is unofficial discussion by non-governmental actors about topics "
                                               "usually discussed by officials in formal diplomatic negotiations.")
    assert table(run("facts-by-source", source="Malek", about="dip:TrackTwo"), "statement") == table(r, "statement")
