"""The named query machinery: headers, typed parameters, safe binding, the Python API and the command line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

import dipontology
from support.injection import EVIL_STRINGS

from dipontology import resources
from dipontology.cli import main
from dipontology.errors import InputError
from dipontology.namespaces import DIP, PREFIXES
from dipontology.export import display
from dipontology.query import Parameter, from_text, get, library, load_file, parse_header
from dipontology.store import Embedded

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "query" / "fixture.ttl"
CASE = PREFIXES["case"]


@pytest.fixture(scope="module")
def store() -> Embedded:
    return Embedded(files=[resources.ontology_file(), FIXTURE])


# ------------------------------------------------------------------------------------------------- headers
def test_header_keys_continuations_and_params() -> None:
    h = parse_header(
        "# title: A title\n"
        "# description: first part\n"
        "#   second part\n"
        "# param: track | track | TrackTwo | the track\n"
        "# param: since | year | (none) | from this year\n"
        "# param: who | iri | (required) | the actor\n"
        "# example: dipontology query x\n"
        "SELECT ?track ?since ?who WHERE { ?track ?since ?who }\n")
    assert h["title"] == "A title" and h["description"] == "first part second part"
    t, s, w = h["param"]
    assert (t.name, t.type, t.default, t.required, t.optional) == ("track", "track", "TrackTwo", False, False)
    assert (s.default, s.optional) == (None, True)
    assert (w.required, w.optional) == (True, False)


@pytest.mark.parametrize("header, message, line", [
    ("# title: x\n# colour: red\nSELECT * {}", "unknown header key", 2),
    ("# param: a | year | 1990\nSELECT ?a {}", "four fields", 1),
    ("# param: a | date | 1990 | x\nSELECT ?a {}", "unknown parameter type", 1),
    ("# param: store | iri | (none) | x\nSELECT ?store {}", "invalid parameter name", 1),
    ("# param: a-b | iri | (none) | x\nSELECT * {}", "invalid parameter name", 1),
    ("# title: x\n# title: y\nSELECT * {}", "given twice", 2),
])
def test_malformed_headers_name_the_line(header: str, message: str, line: int) -> None:
    with pytest.raises(InputError) as err:
        parse_header(header, source="q.rq")
    assert message in str(err.value) and err.value.line == line and err.value.file == "q.rq"


def test_declared_parameter_must_be_used() -> None:
    with pytest.raises(InputError, match=r"\?year is not used"):
        from_text("# param: year | year | 1990 | x\nSELECT ?s WHERE { ?s ?p ?o }")


def test_strict_needs_title_description_example() -> None:
    with pytest.raises(InputError, match="title"):
        from_text("SELECT * WHERE { ?s ?p ?o }", strict=True)


# ---------------------------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("typ, value, expected", [
    ("integer", "42", Literal("42", datatype=XSD.integer)),
    ("integer", " -3 ", Literal("-3", datatype=XSD.integer)),
    ("integer", 7, Literal("7", datatype=XSD.integer)),
    ("year", "1993", Literal("1993", datatype=XSD.integer)),
    ("year", 1971, Literal("1971", datatype=XSD.integer)),
    ("string", 'say "hi" } #', Literal('say "hi" } #')),
    ("lang", "pt-BR", Literal("pt-br")),
    ("iri", "case:oslo-back-channel", URIRef(CASE + "oslo-back-channel")),
    ("iri", "<https://example.org/x#y>", URIRef("https://example.org/x#y")),
    ("iri", "urn:isbn:0451450523", URIRef("urn:isbn:0451450523")),
    ("track", "TrackTwo", DIP.TrackTwo),
    ("track", "tracktwo", DIP.TrackTwo),
    ("track", "dip:CitizenDiplomacy", DIP.CitizenDiplomacy),
    ("track", "Track 1.5", DIP.TrackOneAndAHalf),
    ("track", "people-to-people diplomacy", DIP.CitizenDiplomacy),
    ("track", str(DIP.TrackOne), DIP.TrackOne),
    ("track", "ReligionSector", DIP.ReligionSector),
    ("class", "CulturalExchange", DIP.CulturalExchange),
    ("class", "dip:NegativeOutcome", DIP.NegativeOutcome),
])
def test_values_bind_to_typed_terms(typ: str, value, expected) -> None:
    term = Parameter("p", typ).bind(value)
    assert term == expected and str(term) == str(expected)


@pytest.mark.parametrize("typ, value", [
    ("integer", "4.5"), ("integer", "1; DROP ALL"), ("integer", True), ("integer", "1e3"),
    ("year", "93"), ("year", "1993-01"), ("year", "1993 } UNION {"), ("year", "１９９３"),
    ("string", ""), ("string", "nul\x00byte"),
    ("lang", "en us"), ("lang", 'en" } #'),
    ("iri", "not an iri"), ("iri", "http://example.org/a> } UNION { ?s ?p ?o"), ("iri", "http://a/b c"),
    ("iri", "case:a b"), ("iri", "nope:thing"), ("iri", "javascript:alert(1)"), ("iri", "file:///etc/passwd"),
    ("iri", 'http://example.org/"x'), ("iri", "http://example.org/{x}"),
    ("track", "TrackFive"), ("track", "dip:Initiative"), ("class", "NoSuchClass"), ("class", "TrackTwo"),
    ("string", 42),
])
def test_values_that_do_not_fit_their_type_are_input_errors(typ: str, value) -> None:
    with pytest.raises(InputError) as err:
        Parameter("p", typ).bind(value)
    assert "parameter p" in str(err.value) and err.value.fix


def test_unknown_track_suggests_close_names() -> None:
    with pytest.raises(InputError) as err:
        Parameter("track", "track").bind("TrackTow")
    assert "TrackTwo" in err.value.fix


def test_bindings_defaults_required_and_unknown() -> None:
    nq = from_text("# param: track | track | TrackTwo | t\n# param: who | iri | (required) | w\n"
                   "# param: since | year | (none) | s\nSELECT ?track ?who ?since WHERE { ?track ?who ?since }")
    assert nq.bindings({"who": "case:x"}) == {"track": DIP.TrackTwo, "who": URIRef(CASE + "x")}
    with pytest.raises(InputError, match="needs the parameter who"):
        nq.bindings({})
    with pytest.raises(InputError, match="no parameter 'colour'"):
        nq.bindings({"who": "case:x", "colour": "red"})


# ------------------------------------------------------------------------------- injection: embedded store


@pytest.mark.parametrize("evil", EVIL_STRINGS)
def test_string_parameters_cannot_change_a_named_query(store: Embedded, evil: str) -> None:
    r = get("search-labels").run(store, {"text": evil})
    assert r.rows == []


def test_string_parameter_with_quotes_and_braces_matches_literally(store: Embedded) -> None:
    r = get("search-labels").run(store, {"text": '"exchange" {'})
    assert [row[0] for row in r.rows] == [URIRef(CASE + "exchange")]
    r = get("search-labels").run(store, {"text": ".*"})
    assert r.rows == []


def test_track_parameter_selects_only_that_track(store: Embedded) -> None:
    r = get("cases-by-track").run(store, {"track": "Track I"})
    assert [(row[0], row[1]) for row in r.rows] == [(DIP.TrackOne, URIRef(CASE + "accord")),
                                                    (DIP.TrackOne, URIRef(CASE + "back-channel"))]
    r_all = get("cases-by-track").run(store)
    assert len(r_all.rows) == 4


# --------------------------------------------------------------------------------------------- Python API
def test_package_level_query_is_callable_and_a_module() -> None:
    r = dipontology.query("track-labels")
    assert DIP.TrackTwo in r.column("track")
    assert dipontology.query.library is library
    r2 = dipontology.query("cases-by-track", track="CitizenDiplomacy", store=Embedded(
        files=[resources.ontology_file(), FIXTURE]))
    assert r2.column("case") == [URIRef(CASE + "exchange")]
    assert json.loads(r2.to_json())["head"]["vars"] == r2.columns
    assert r2.to_csv().splitlines()[0] == ",".join(r2.columns)


def test_unknown_query_suggests_names() -> None:
    with pytest.raises(InputError) as err:
        get("compare-track")
    assert "compare-tracks" in err.value.fix


def test_every_library_query_loads_strictly() -> None:
    lib = library()
    assert lib and all(q.title and q.description and q.example for q in lib.values())


# --------------------------------------------------------------------------------------------------- CLI
def test_cli_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    assert "compare-tracks -- Compare two tracks" in out and "named queries" in out
    assert main(["query", "--list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [q["name"] for q in listed] == list(library())


def test_cli_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "cases-by-track", "--param", "track", "-q"]) == 2
    assert main(["query", "cases-by-track", "--param", "track=NoTrack", "-q"]) == 2
    assert main(["query", "cases-by-track", "--param", "colour=red", "-q"]) == 2
    assert main(["query", "no-such-query", "-q"]) == 2
    assert main(["query", "-q"]) == 2
    assert main(["query", "--sparql", "DROP ALL", "-q"]) == 2
    assert main(["query", "--file", "/nonexistent/q.rq", "-q"]) == 2
    err = capsys.readouterr().err
    assert "NoTrack" in err and "Traceback" not in err


def test_cli_file_with_header_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q = tmp_path / "labels.rq"
    q.write_text("# param: track | track | TrackTwo | the track\n"
                 "SELECT ?track ?label WHERE { ?track rdfs:label ?label }\n")
    assert main(["query", "--file", str(q), "--param", "track=CitizenDiplomacy", "--format", "csv", "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["track,label", f"{DIP.CitizenDiplomacy},citizen diplomacy"]
    nq = load_file(q)
    assert nq.name == "labels" and nq.parameters[0].default == "TrackTwo"


def test_cli_show_prints_the_query(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "compare-tracks", "--show"]) == 0
    assert capsys.readouterr().out == get("compare-tracks").text


@pytest.mark.slow
def test_inferred_store_answers_from_the_owl_rl_closure(capsys: pytest.CaptureFixture[str]) -> None:
    ask = "ASK { dip:TrackTwo a dip:DiplomacyTrack }"
    assert main(["query", "--sparql", ask, "--format", "json", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["boolean"] is False
    assert main(["query", "--sparql", ask, "--format", "json", "--inferred", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["boolean"] is True


def test_track_one_and_a_half_by_either_definition_on_the_fixture(store: Embedded) -> None:
    r = get("track-one-and-a-half").run(store)
    rows = {(display(c), d.split(":")[0], display(e), display(s)) for c, _, d, e, s in r.rows}
    # the PLO took part as officials in an unofficial capacity beside Fafo (USIP); the Israeli government took
    # part officially while Fafo, a non-state think tank, facilitated (Mapendere)
    assert rows == {("case:back-channel", "USIP", "actor:plo", "source:fixture-a"),
                    ("case:back-channel", "Mapendere", "actor:fafo", "source:fixture-a")}



# ------------------------------------------------------------------------------- sources: fact-level provenance
#: a small graph written for these tests: two source articles, a reference page, a book, thirteen more reference
#: pages (so that a kind names more sources than an IN list holds), a case with dated, placed and disputed facts,
#: and one statement of every other kind
REFERENCE_PAGES = "\n".join(f"source:page-{i:02d} a dip:ReferencePage ; rdfs:label \"Page {i}\"@en ."
                            for i in range(13))
PROVENANCE = """
@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix actor: <https://w3id.org/dipontology/id/actor/> .
@prefix place: <https://w3id.org/dipontology/id/place/> .
@prefix source: <https://w3id.org/dipontology/id/source/> .
@prefix statement: <https://w3id.org/dipontology/id/statement/> .
@prefix outcome: <https://w3id.org/dipontology/id/outcome/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

source:article-a a dip:SourceArticle ; rdfs:label "Author (2020), An article"@en ; dcterms:creator "Ann Author" ;
    dcterms:publisher "Peace Press" .
source:article-b a dip:SourceArticle ; rdfs:label "Bee (n.d.), Another article"@en ;
    dcterms:publisher "Bee Foundation" .
source:page-w a dip:ReferencePage ; rdfs:label "A reference page"@en .
source:book-c a dip:Book ; rdfs:label "Coauthor, A book"@en ; dcterms:creator "Carl Coauthor", "Ann Other" ;
    dcterms:contributor "Quentin \\"Quote\\" O'Brien } #" .
""" + REFERENCE_PAGES + """

place:norway a dip:Country ; rdfs:label "Norway"@en .
actor:fafo a dip:ThinkTank ; rdfs:label "Fafo"@en .
outcome:accord a dip:PeaceAgreement ; rdfs:label "The accord"@en ; dip:date "1993-09-13"^^xsd:date .

case:talks a dip:PeaceProcess ;
    rdfs:label "Secret talks"@en ;
    dip:startDate "1992"^^xsd:gYear ;
    dip:involvesCountry place:norway ;
    dip:hasParticipation statement:talks-fafo ;
    dip:hasTrackClassification statement:talks-track-two ;
    dip:hasOutcomeAttribution statement:talks-accord .

statement:talks-kind-a a dip:FactStatement ; dip:statedSubject case:talks ; dip:statedProperty rdf:type ;
    dip:statedValue dip:PeaceProcess ; dcterms:source source:article-a ; dip:locator "Origins" ;
    dip:quote "a peace process" .
statement:talks-start-a a dip:FactStatement ; dip:statedSubject case:talks ; dip:statedProperty dip:startDate ;
    dip:statedValue "1992"^^xsd:gYear ; dcterms:source source:article-a ; dip:locator "Origins" ;
    dip:quote "talks began in 1992" .
statement:talks-start-w a dip:FactStatement ; dip:statedSubject case:talks ; dip:statedProperty dip:startDate ;
    dip:statedValue "1992"^^xsd:gYear ; dcterms:source source:page-w ; dip:locator "article introduction" ;
    dip:quote "In 1992 the talks started." .
statement:talks-country-w a dip:FactStatement ; dip:statedSubject case:talks ; dip:statedProperty dip:involvesCountry ;
    dip:statedValue place:norway ; dcterms:source source:page-w ; dip:locator "article introduction" ;
    dip:valueAsGiven "Oslo, Norway" .
statement:talks-end-a a dip:FactStatement ; dip:statedSubject case:talks ; dip:statedProperty dip:endDate ;
    dip:statedValue "1993"^^xsd:gYear ; dcterms:source source:article-a ; dip:locator "Origins" ;
    dip:quote "ended in 1993" ; dip:contradicts statement:talks-end-w ;
    dip:disagreementNote "the year the talks ended"@en .
statement:talks-end-w a dip:FactStatement ; dip:statedSubject case:talks ; dip:statedProperty dip:endDate ;
    dip:statedValue "1994"^^xsd:gYear ; dcterms:source source:page-w ; dip:locator "article introduction" ;
    dip:quote "until 1994" .
statement:accord-date-w a dip:FactStatement ; dip:statedSubject outcome:accord ; dip:statedProperty dip:date ;
    dip:statedValue "1993-09-13"^^xsd:date ; dcterms:source source:page-w ; dip:locator "article introduction" .
statement:talks-fafo a dip:Participation ; dip:participant actor:fafo ; dip:role dip:FacilitatorRole ;
    dip:capacity dip:PrivateCapacity ; dcterms:source source:article-a ; dip:locator "Origins" ;
    dip:quote "Fafo facilitated" .
statement:talks-track-two a dip:TrackClassification ; dip:track dip:TrackTwo ; dip:startDate "1992"^^xsd:gYear ;
    dcterms:source source:article-b ; dip:locator "Track two" ; dip:quote "a track two process" .
statement:talks-accord a dip:OutcomeAttribution ; dip:outcome outcome:accord ;
    dip:attributionStrength "paved the way" ; dcterms:source source:article-a ; dip:locator "Outcomes" ;
    dip:quote "paved the way for the accord" .
statement:talks-name-b a dip:NamingClaim ; dip:namedRecord case:talks ; dip:nameUsed "the Norwegian channel"@en ;
    dcterms:source source:article-b ; dip:locator "Track two" .
statement:claim-b-two-form-of-citizen a dip:TrackRelationClaim ; dip:subjectTrack dip:TrackTwo ;
    dip:relationKind dip:IsFormOf ; dip:objectTrack dip:CitizenDiplomacy ; dcterms:source source:article-b ;
    dip:locator "Forms" ; dip:quote "track two is a form of citizen diplomacy" .
statement:profile-c-two a dip:TrackProfile ; dip:profiledTrack dip:TrackTwo ;
    dip:definitionText "Unofficial dialogue."@en ; dcterms:source source:book-c ; dip:locator "chapter 2" .
statement:feature-b-two a dip:TrackFeature ; dip:profiledTrack dip:TrackTwo ; dip:featureKind dip:MethodFeature ;
    dip:featureClass dip:ProblemSolvingWorkshop ; dip:featureText "workshops" ; dcterms:source source:article-b ;
    dip:locator "Methods" .
statement:norway-cow a dip:CodeAssignment ; dip:codeSystem dip:COWStateNumber ; dip:codeValue "385" ;
    dcterms:source source:page-00 .
place:norway dip:hasCode statement:norway-cow .
"""
A, B, W, C = "source:article-a", "source:article-b", "source:page-w", "source:book-c"
PAGES = [f"source:page-{i:02d}" for i in range(13)]


def provenance_triples() -> list:
    """The ontology and PROVENANCE, as pyoxigraph triples."""
    import pyoxigraph as ox
    from dipontology.graph import parse_files

    fixture = [q.triple for q in ox.parse(PROVENANCE.encode(), format=ox.RdfFormat.TURTLE)]
    return list(parse_files([resources.ontology_file()])) + fixture


@pytest.fixture(scope="module")
def prov() -> Embedded:
    return Embedded(triples=provenance_triples())


def rows_of(result, *columns: str) -> list[tuple[str, ...]]:
    idx = [result.columns.index(c) for c in columns]
    return [tuple(display(row[i]) for i in idx) for row in result.rows]


def resolve(store: Embedded, value: str) -> list[str]:
    from dipontology.query import SourceIndex

    return [display(s) for s in Parameter("source", "source").bind(value).resolve(SourceIndex.of(store))]


@pytest.mark.parametrize("value, expected", [
    ("source:article-a", [A]),
    ("<https://w3id.org/dipontology/id/source/article-b>", [B]),
    ("https://w3id.org/dipontology/id/source/book-c", [C]),
    ("page-w", [W]),                       # a slug
    ("Ann", [A, C]),                       # a whole word of a creator: Ann Author, Ann Other
    ("ann author", [A]),                   # ignoring case
    ("Peace Press", [A]),                  # a publisher
    ("bee", [B]),
    ("O'Brien", [C]),                      # a contributor, punctuation ignored
    ("articles", [A, B]),
    ("Articles", [A, B]),
    ("source articles", [A, B]),
    ("reference", sorted(PAGES + [W])),
    ("literature", [C]),
])
def test_source_parameter_names_a_set_of_sources(prov: Embedded, value: str, expected: list[str]) -> None:
    assert resolve(prov, value) == sorted(expected)


@pytest.mark.parametrize("value, fix", [
    ("source:article-c", "source:article-a"),                # an IRI the graph has no source for: did you mean
    ("source:no-such-thing-at-all", "known sources"),
    ("Auth", "Author"),                                        # part of a word is not a word: did you mean
    ("artciles", "did you mean articles"),
    ("Zed Nobody", "known authors and publishers"),
    ('Ann" } UNION { ?s ?p ?o } #', ""),                       # text is compared in Python, never queried
    ("case:talks", "known sources"),                           # a record, not a source
])
def test_unknown_sources_are_input_errors_with_the_known_ones(prov: Embedded, value: str, fix: str) -> None:
    with pytest.raises(InputError) as err:
        resolve(prov, value)
    assert "parameter source" in str(err.value) and err.value.fix and fix in err.value.fix


@pytest.mark.parametrize("value", ["", "   ", "nul\x00byte", 42, None, "source:a b",
                                   "http://example.org/a> } UNION { ?s ?p ?o", "!!!", "x" * 600])
def test_source_values_of_the_wrong_form_are_input_errors(value) -> None:
    with pytest.raises(InputError):
        Parameter("source", "source").bind(value)


@pytest.mark.parametrize("evil", EVIL_STRINGS + ['Ann"))) } #', "Ann\\u0022 } UNION {", "Ann' || true || '"])
def test_source_parameters_cannot_change_a_named_query(prov: Embedded, evil: str) -> None:
    """A name is only ever compared in Python: an injection attempt finds no source, or (when its words are those
    of a source) the same rows as the plain name."""
    nq = get("facts-by-source")
    try:
        text, _ = nq.prepare(prov, {"source": evil})
    except InputError:
        return
    assert evil not in text
    words = " ".join(__import__("re").findall(r"\w+", evil))
    assert nq.run(prov, {"source": evil}).rows == nq.run(prov, {"source": words}).rows


def test_source_filters_are_escaped_terms(prov: Embedded) -> None:
    from dipontology.query import SourceIndex, restrict_sources, source_condition
    from dipontology.store import check_query

    few = source_condition("source", [URIRef(PREFIXES["source"] + "article-a")])
    assert few == f"FILTER(?source IN (<{PREFIXES['source']}article-a>))"
    many = source_condition("s", [URIRef(PREFIXES["source"] + p.split(":")[1]) for p in PAGES])
    assert many.startswith('FILTER(isIRI(?s) && CONTAINS(" <') and many.count("<https://") == 13
    assert source_condition("x", []) == "FILTER(false)"
    with pytest.raises(InputError):
        source_condition("x } UNION { ?s", [])
    # a directive becomes the filter where it stands; no directive: the filter comes first in WHERE
    text = restrict_sources("SELECT ?source WHERE {\n  ?s dcterms:source ?source\n}", {"source": []})
    assert text.startswith("SELECT ?source WHERE { FILTER(false)\n")
    check_query(text)
    index = SourceIndex.of(prov)
    assert len(index.kinds) == 17 and index.kinds[URIRef(PREFIXES["source"] + "book-c")] == "literature"


def test_directives_must_name_a_source_parameter_and_a_used_variable() -> None:
    with pytest.raises(InputError, match="names no source parameter"):
        from_text("# param: track | track | (none) | t\nSELECT ?track WHERE {\n  ?track ?p ?o\n  #@track ?o\n}")
    with pytest.raises(InputError, match="does not use"):
        from_text("# param: source | source | (none) | s\nSELECT ?source WHERE {\n  ?x ?p ?source\n  #@source ?nope\n}")
    with pytest.raises(InputError, match="malformed directive"):
        from_text("# param: source | source | (none) | s\nSELECT ?source WHERE {\n  ?x ?p ?source  #@source ?source\n"
                  "  #@source ?source ?x\n}")
    # a source parameter used only through directives is used
    nq = from_text("# param: source | source | (none) | s\nSELECT ?x WHERE {\n  ?x dcterms:source ?s\n  #@source ?s\n}")
    assert nq.parameters[0].type == "source"


FACTS = [  # facts-by-source on the provenance fixture: record, property, value, valueLabel, detail, source, locator,
           # quote, statement; sorted by source, record, property, value
    ("case:talks", "rdf:type", "dip:PeaceProcess", "peace process", "", A, "Origins", "a peace process",
     "statement:talks-kind-a"),
    ("case:talks", "dip:endDate", "1993", "", "", A, "Origins", "ended in 1993", "statement:talks-end-a"),
    ("case:talks", "dip:hadOutcome", "outcome:accord", "The accord", "strength: paved the way", A, "Outcomes",
     "paved the way for the accord", "statement:talks-accord"),
    ("case:talks", "dip:hasParticipant", "actor:fafo", "Fafo", "role: facilitator; capacity: private capacity", A,
     "Origins", "Fafo facilitated", "statement:talks-fafo"),
    ("case:talks", "dip:startDate", "1992", "", "", A, "Origins", "talks began in 1992", "statement:talks-start-a"),
    ("case:talks", "dip:hasTrack", "dip:TrackTwo", "Track II diplomacy", "from 1992", B, "Track two",
     "a track two process", "statement:talks-track-two"),
    ("case:talks", "dip:nameUsed", "the Norwegian channel", "", "", B, "Track two", "", "statement:talks-name-b"),
    ("dip:TrackTwo", "dip:IsFormOf", "dip:CitizenDiplomacy", "citizen diplomacy", "", B, "Forms",
     "track two is a form of citizen diplomacy", "statement:claim-b-two-form-of-citizen"),
    ("dip:TrackTwo", "dip:MethodFeature", "dip:ProblemSolvingWorkshop", "problem-solving workshop",
     "as given: workshops", B, "Methods", "", "statement:feature-b-two"),
    ("dip:TrackTwo", "dip:definitionText", "Unofficial dialogue.", "", "", C, "chapter 2", "",
     "statement:profile-c-two"),
    ("place:norway", "dip:hasCode", "385", "", "Correlates of War state number", "source:page-00", "", "",
     "statement:norway-cow"),
    ("case:talks", "dip:endDate", "1994", "", "", W, "article introduction", "until 1994", "statement:talks-end-w"),
    ("case:talks", "dip:involvesCountry", "place:norway", "Norway", "as given: Oslo, Norway", W,
     "article introduction", "", "statement:talks-country-w"),
    ("case:talks", "dip:startDate", "1992", "", "", W, "article introduction", "In 1992 the talks started.",
     "statement:talks-start-w"),
    ("outcome:accord", "dip:date", "1993-09-13", "", "", W, "article introduction", "", "statement:accord-date-w"),
]
FACT_COLUMNS = ("record", "property", "value", "valueLabel", "detail", "source", "locator", "quote", "statement")


def test_facts_by_source_lists_every_fact_with_source_locator_and_quote(prov: Embedded) -> None:
    r = get("facts-by-source").run(prov)
    assert r.columns == list(FACT_COLUMNS)
    assert rows_of(r, *FACT_COLUMNS) == FACTS


@pytest.mark.parametrize("params, sources", [
    ({"source": "source:article-a"}, {A}),
    ({"source": "Ann"}, {A, C}),
    ({"source": "articles"}, {A, B}),
    ({"source": "reference"}, {W, "source:page-00"}),
    ({"source": "literature"}, {C}),
])
def test_facts_by_source_keeps_only_the_facts_a_source_states(prov: Embedded, params, sources) -> None:
    r = get("facts-by-source").run(prov, params)
    assert rows_of(r, *FACT_COLUMNS) == [f for f in FACTS if f[5] in sources]


def test_facts_by_source_about_one_record(prov: Embedded) -> None:
    """What does article B say about Track II? Its classification of the talks onto Track II, its relation claim and
    the feature it gives (article A's facts and the book's profile are left out)."""
    r = get("facts-by-source").run(prov, {"source": "Bee", "about": "dip:TrackTwo"})
    assert [row[8] for row in rows_of(r, *FACT_COLUMNS)] == [
        "statement:talks-track-two", "statement:claim-b-two-form-of-citizen", "statement:feature-b-two"]


def test_facts_of_record_with_contradictions(prov: Embedded) -> None:
    r = get("facts-of-record").run(prov, {"record": "case:talks"})
    rows = rows_of(r, "subject", "property", "value", "source", "statement", "contradictedBy")
    assert ("case:talks", "dip:endDate", "1993", A, "statement:talks-end-a", "statement:talks-end-w") in rows
    assert ("case:talks", "dip:endDate", "1994", W, "statement:talks-end-w", "statement:talks-end-a") in rows
    assert ("case:talks", "dip:startDate", "1992", W, "statement:talks-start-w", "") in rows
    assert {row[4] for row in rows} == {f[8] for f in FACTS if f[0] == "case:talks"}
    only_a = get("facts-of-record").run(prov, {"record": "case:talks", "source": "source:article-a"})
    assert {row[3] for row in rows_of(only_a, "subject", "property", "value", "source")} == {A}
    # the record as the value of a fact: the track of a classification, the actor of a participation
    fafo = get("facts-of-record").run(prov, {"record": "actor:fafo"})
    assert rows_of(fafo, "subject", "property", "value", "statement") == [
        ("case:talks", "dip:hasParticipant", "actor:fafo", "statement:talks-fafo")]


def test_direct_facts_take_the_source_of_their_fact_statement(prov: Embedded) -> None:
    """A date two sources give appears once per source; filtered to the articles, a date only a reference page
    gives is gone (the outcome's date), and the disputed end date, not a direct triple, never appears."""
    timeline = get("timeline")
    everything = rows_of(timeline.run(prov), "date", "event", "record", "source")
    assert ("1992", "case study begins", "case:talks", A) in everything
    assert ("1992", "case study begins", "case:talks", W) in everything
    assert ("1993-09-13", "outcome", "outcome:accord", W) in everything
    assert not any(e == "case study ends" for _, e, _, _ in everything)
    articles = rows_of(timeline.run(prov, {"source": "articles"}), "date", "event", "record", "source")
    assert articles == [("1992", "case study begins", "case:talks", A),
                        ("1992", "on Track II diplomacy from", "statement:talks-track-two", B)]
    country = get("cases-by-country")
    assert rows_of(country.run(prov), "country", "case", "link", "source") == [
        ("place:norway", "case:talks", "involves", W)]
    assert country.run(prov, {"source": "articles"}).rows == []
    decade = rows_of(get("cases-by-decade").run(prov, {"source": "Ann"}), "decadeStart", "case", "datedBy", "source")
    assert decade == [("1990", "case:talks", "start date", A)]


@pytest.mark.slow
def test_every_query_that_returns_facts_takes_a_source_parameter() -> None:
    without = {"cases-without-outcome", "coverage-statistics", "describe-case", "search-labels", "track-labels"}
    for name, nq in library().items():
        if name in without:
            continue
        param = [p for p in nq.parameters if p.name == "source"]
        assert param and param[0].type == "source", name
        info = nq.info()
        assert any(v in info.variables for v in ("source", "sources", "sourceA", "sourceList")), name


def test_cli_source_parameter(prov: Embedded, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "facts-by-source", "--param", "source=Nobody Atall", "-q"]) == 2
    err = capsys.readouterr().err
    assert "no source has 'Nobody Atall'" in err and "Traceback" not in err
    assert main(["query", "facts-by-source", "--param", "source=articles", "--format", "csv", "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ",".join(FACT_COLUMNS)
    assert all(",https://w3id.org/dipontology/id/source/" in line for line in out[1:])



@pytest.fixture(scope="module")
def prov_server(oxigraph_server):
    """A real Oxigraph server on 127.0.0.1 holding the ontology and PROVENANCE."""
    from dipontology.graph import to_rdflib
    from dipontology.store import push

    srv = oxigraph_server("oxigraph-provenance")
    try:
        push(srv.base, [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                        for t in provenance_triples()])
        yield srv
    finally:
        srv.stop()


@pytest.mark.parametrize("params", [
    {}, {"source": "source:article-a"}, {"source": "Ann"}, {"source": "articles"}, {"source": "reference"},
    {"source": "literature"}, {"source": "Bee", "about": "dip:TrackTwo"},
])
def test_facts_by_source_on_an_oxigraph_server_gives_the_same_rows(prov: Embedded, prov_server, params) -> None:
    from dipontology.store import Remote

    remote = Remote(prov_server.query_url)
    nq = get("facts-by-source")
    on_remote = nq.run(remote, params)
    assert on_remote.columns == list(FACT_COLUMNS)
    assert on_remote.rows == nq.run(prov, params).rows
    expected = get("facts-by-source").run(prov, params)
    assert rows_of(on_remote, *FACT_COLUMNS) == rows_of(expected, *FACT_COLUMNS)
    if not params:
        assert rows_of(on_remote, *FACT_COLUMNS) == FACTS


@pytest.mark.parametrize("name", ["timeline", "cases-by-country", "cases-by-decade", "facts-of-record", "actors",
                                  "cases", "statements-by-source", "source-disagreements", "sources"])
def test_source_filters_give_the_same_rows_on_an_oxigraph_server(prov: Embedded, prov_server, name: str) -> None:
    from dipontology.store import Remote

    remote = Remote(prov_server.query_url)
    nq = get(name)
    extra = {"record": "case:talks"} if name == "facts-of-record" else {}
    for value in ("articles", "reference", "Ann", "source:page-w"):
        params = {**extra, "source": value}
        assert nq.run(remote, params).rows == nq.run(prov, params).rows, (name, value)
    with pytest.raises(InputError):
        nq.run(remote, {**extra, "source": "Nobody Atall"})
    with pytest.raises(InputError):
        nq.run(remote, {**extra, "source": "source:x> } UNION { ?s ?p ?o"})
