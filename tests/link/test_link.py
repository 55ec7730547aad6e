"""Linking out: mapping sets, linksets in CSV/SSSOM/Turtle, VoID, the code-validity check and its SHACL shape."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS

from dipontology import resources
from dipontology.errors import InputError
from dipontology.link import (TARGETS, check_mappings, link_graph, linkset, load_mappings, mapping_triples,
                              parse_sssom, render,
                              to_csv, to_sssom, to_turtle, void_linksets)
from dipontology.link.mappings import CODE, SEMAPV, SSSOM, curie
from dipontology.link.validity import code_validity
from dipontology.namespaces import DIP, PREFIXES, VOID, WD

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "link"
PLACE = PREFIXES["place"]
CASE = PREFIXES["case"]


@pytest.fixture(scope="module")
def g() -> Graph:
    return link_graph()


@pytest.fixture(scope="module")
def countries() -> Graph:
    return Graph().parse(FIXTURES / "countries.ttl")


# ------------------------------------------------------------------------------------------------ mapping sets
def test_every_mapping_is_justified_labelled_sourced_and_asserted(g: Graph) -> None:
    assert check_mappings(g) == []
    ms = load_mappings(g)
    assert len(ms) == 5
    for m in ms:
        assert m.justification == str(SEMAPV.ManualMappingCuration), m.record
        assert m.comment and m.source and m.object_label and m.subject_label, m.record
        assert m.predicate_id in {str(p) for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch,
                                                   SKOS.narrowMatch, SKOS.relatedMatch)}


def test_check_mappings_reports_a_record_without_justification_or_contradicted() -> None:
    bad = Graph().parse(data="""
        @prefix sssom: <https://w3id.org/sssom/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/dipontology/id/mapping/x> a sssom:Mapping ;
            sssom:subject_id <https://w3id.org/dipontology/ontology#Negotiation> ;
            sssom:predicate_id skos:closeMatch ; sssom:object_id <https://w3id.org/dipontology/id/code/cameo-046> .
        <https://w3id.org/dipontology/ontology#Negotiation> skos:exactMatch
            <https://w3id.org/dipontology/id/code/cameo-046> .
    """, format="turtle")
    messages = {p.message for p in check_mappings(bad)}
    assert "no mapping justification" in messages and "no dcterms:source" in messages
    assert "the record says skos:closeMatch but the graph asserts " \
           "<https://w3id.org/dipontology/ontology#Negotiation> skos:exactMatch " \
           "<https://w3id.org/dipontology/id/code/cameo-046>" in messages


def test_no_mapping_to_a_code_list_without_a_source(g: Graph) -> None:
    # CAMEO and transitional-justice mappings were dropped: their code books are not among the project's sources
    assert {m.mapping_set_id for m in load_mappings(g)} == {PREFIXES["mapping"] + "wikidata"}
    assert not [s for s in g.subjects() if str(s).startswith((str(CODE) + "cameo-", str(CODE) + "tj-"))]
    assert {str(s) for m in load_mappings(g) for s in m.source} == {PREFIXES["source"] + "wikidata"}


def test_wikidata_mappings_use_only_the_verified_items(g: Graph) -> None:
    objects = {m.object_id for m in load_mappings(g, "wikidata")}
    assert objects == {str(WD[q]) for q in ("Q625298", "Q131569", "Q180684", "Q6256", "Q198")}
    assert (DIP.Conflict, SKOS.narrowMatch, WD.Q198) in mapping_triples(g)
    # the ontology's own Wikidata matches agree with the records (check_mappings would report a contradiction)
    assert (DIP.PeaceAgreement, SKOS.closeMatch, WD.Q625298) in g


# ---------------------------------------------------------------------------------------------------- linksets
def test_wikidata_linkset(g: Graph) -> None:
    ls = linkset(g, "wikidata")
    got = {(curie(l.subject), curie(l.predicate), curie(l.object)) for l in ls.links}
    assert ("dip:Conflict", "skos:narrowMatch", "wd:Q198") in got
    assert ("dip:PeaceAgreement", "skos:closeMatch", "wd:Q625298") in got
    assert ("place:israel", "skos:exactMatch", "wd:Q801") in got
    assert len([l for l in ls.links if l.subject.startswith(str(DIP))]) == 5


def test_country_code_linksets_carry_validity(g: Graph) -> None:
    gw = {(l.subject_label, l.code): (l.valid_from, l.valid_until) for l in linkset(g, "gw").links}
    assert gw[("Serbia", "345")][1] == "2006-06-04" and gw[("Serbia", "340")][0] == "2006-06-05"
    assert gw[("Israel", "666")] == ("1948-05-14", "")
    iso = {(l.subject_label, l.code) for l in linkset(g, "iso").links}
    assert {("Israel", "IL"), ("Israel", "ISR"), ("Germany", "DEU")} <= iso
    cow = {(l.subject_label, l.code) for l in linkset(g, "cow").links}
    assert {("Serbia", "345"), ("Serbia", "YUG"), ("Germany", "255"), ("Germany", "GMY")} <= cow


def test_every_country_carries_its_reference_codes(g: Graph) -> None:
    countries = set(g.subjects(RDF.type, DIP.Country))
    with_iso = {URIRef(l.subject) for l in linkset(g, "iso").links}
    with_qid = {URIRef(l.subject) for l in linkset(g, "wikidata").links}
    # the reference table's 23 states all carry ISO codes and a QID
    assert len(with_iso) >= 23 and with_iso <= countries and with_iso <= with_qid


def test_csv_rows_join_on_the_code_column(g: Graph) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(linkset(g, "gw")))))
    israel = [r for r in rows if r["subject"] == PLACE + "israel"]
    assert israel == [{**israel[0], "code": "666", "code_system": "dip:GleditschWardNumber",
                       "valid_from": "1948-05-14"}]


@pytest.mark.parametrize("target", TARGETS)
def test_sssom_round_trip(g: Graph, target: str) -> None:
    ls = linkset(g, target)
    text = to_sssom(ls)
    assert text.startswith("#curie_map:\n")
    assert f"#mapping_set_id: \"{ls.iri}\"" in text
    doc = parse_sssom(text)
    assert doc.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert sorted(m.key() for m in doc.mappings) == sorted(l.key() for l in ls.links)
    want = sorted((m.subject_label, m.object_label, m.comment, tuple(m.source)) for m in
                  (l.to_mapping() for l in ls.links))
    assert sorted((m.subject_label, m.object_label, m.comment, tuple(m.source)) for m in doc.mappings) == want


def test_sssom_parse_errors_name_the_line() -> None:
    with pytest.raises(InputError) as err:
        parse_sssom("#curie_map:\n#  dip: https://w3id.org/dipontology/ontology#\n"
                    "subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
                    "dip:A\tskos:exactMatch\tdip:B\tsemapv:ManualMappingCuration\n", source="m.sssom.tsv")
    assert err.value.file == "m.sssom.tsv" and err.value.line == 4 and "prefix" in err.value.message


def test_turtle_linkset_parses_and_has_void(g: Graph) -> None:
    out = Graph().parse(data=to_turtle(linkset(g, "gw")), format="turtle")
    ls_iri = URIRef(PREFIXES["mapping"] + "linkset-gw")
    assert (ls_iri, RDF.type, VOID.Linkset) in out
    nodes = [n for n in out.objects(URIRef(PLACE + "serbia"), DIP.hasCode)]
    assert sorted(str(out.value(n, DIP.codeValue)) for n in nodes) == ["340", "345"]
    assert render(linkset(g, "wikidata"), "ttl").count("skos:") >= 10
    with pytest.raises(InputError):
        render(linkset(g, "wikidata"), "xlsx")


def test_void_linksets_counts_links(g: Graph) -> None:
    v = void_linksets(g)
    counts = {str(s).rsplit("-", 1)[-1]: int(o) for s, o in v.subject_objects(VOID.triples)}
    assert set(counts) == set(TARGETS)
    assert counts["wikidata"] == len(linkset(g, "wikidata")) and counts["gw"] == len(linkset(g, "gw"))
    assert (URIRef(PREFIXES["mapping"] + "linkset-wikidata"), VOID.linkPredicate, SKOS.exactMatch) in v
    dataset = URIRef("https://w3id.org/dipontology/dataset")
    assert set(v.objects(dataset, VOID.subset)) == set(v.subjects(RDF.type, VOID.Linkset))
    assert set(v.objects(None, VOID.subjectsTarget)) == {dataset}


def test_unknown_target_is_an_input_error(g: Graph) -> None:
    with pytest.raises(InputError, match="unknown link target"):
        linkset(g, "acled")
    with pytest.raises(InputError, match="unknown link target"):
        linkset(g, "cameo")


# ------------------------------------------------------------------------------------------ code validity
EXPECTED_FLAGS = [
    ("exchange-1947", "germany", "GleditschWardNumber", "255"),
    ("exchange-1947", "germany", "GleditschWardNumber", "260"),
    ("oslo-1900", "norway", "GleditschWardNumber", "385"),
    ("summit-1920", "israel", "GleditschWardNumber", "666"),
    ("talks-1930", "israel", "GleditschWardNumber", "666"),
]


def test_code_outside_its_validity_window_is_flagged(countries: Graph) -> None:
    found = [(f.focus.rsplit("/", 1)[1], f.country.rsplit("/", 1)[1], f.system.split("#")[1], f.code)
             for f in code_validity(countries)]
    assert found == EXPECTED_FLAGS
    msg = code_validity(countries)[-1].message
    assert msg == "Talks in 1930 (1930) is placed in Israel, whose Gleditsch-Ward state number 666 is valid only " \
                  "1948-05-14 to ..."


def test_shipped_data_has_no_code_used_outside_its_window(g: Graph) -> None:
    assert code_validity(g) == []


def test_shacl_shape_flags_the_same_codes(countries: Graph) -> None:
    import pyshacl

    shapes = Graph().parse(resources.root() / "shapes" / "code-validity.ttl")
    conforms, report, _ = pyshacl.validate(countries, shacl_graph=shapes)
    assert not conforms
    results = [(str(report.value(r, SH.focusNode)).rsplit("/", 1)[1], str(report.value(r, SH.value)).rsplit("/", 1)[1],
                str(report.value(r, SH.resultMessage)))
               for r in report.subjects(RDF.type, SH.ValidationResult)]
    got = sorted((f, c, next(code for *_, code in EXPECTED_FLAGS if f"code {code} " in m)) for f, c, m in results)
    assert got == sorted((f, c, code) for f, c, _, code in EXPECTED_FLAGS)
    assert all(report.value(r, SH.resultSeverity) == SH.Warning for r in report.subjects(RDF.type, SH.ValidationResult))


# ---------------------------------------------------------------------------------------------------- CLI
def test_cli_export_sssom_file_round_trips(tmp_path: Path, g: Graph) -> None:
    from dipontology.cli import main

    out = tmp_path / "wikidata.sssom.tsv"
    assert main(["link", "export", "--target", "wikidata", "--format", "sssom", "-o", str(out), "-q"]) == 0
    doc = parse_sssom(out.read_text(encoding="utf-8"), source=str(out))
    assert sorted(m.key() for m in doc.mappings) == sorted(l.key() for l in linkset(g, "wikidata").links)


def test_cli_export_csv_check_and_void(capsys: pytest.CaptureFixture[str]) -> None:
    from dipontology.cli import main

    assert main(["link", "export", "--target", "iso", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("subject,subject_label,predicate,object,object_label,code,")
    assert f"{PLACE}israel,Israel,dip:iso3166Alpha2,,IL,IL,dip:iso3166Alpha2" in "\n".join(lines)
    assert main(["link", "check"]) == 0
    assert capsys.readouterr().out.strip().endswith("0 mapping problem(s), 0 code(s) used outside their validity")
    assert main(["link", "void"]) == 0
    v = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert len(set(v.subjects(RDF.type, VOID.Linkset))) == len(TARGETS)
    with pytest.raises(SystemExit) as exc:  # argparse refuses an unknown target with exit code 2
        main(["link", "export", "--target", "nowhere"])
    assert exc.value.code == 2
    assert main(["link"]) == 2


# --------------------------------------------------------------------------------------- SSSOM: any text
from hypothesis import given, settings, strategies as st  # noqa: E402

from dipontology.link.linksets import Link, Linkset  # noqa: E402

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=60, deadline=None)
@given(label=_TEXT, comment=_TEXT, object_label=_TEXT, code=st.from_regex(r"[A-Z0-9]{1,4}", fullmatch=True))
def test_sssom_round_trip_keeps_any_text(label: str, comment: str, object_label: str, code: str) -> None:
    links = [
        Link(subject=PLACE + "x", predicate=str(SKOS.closeMatch), object=str(WD) + "Q" + code,
             object_label=object_label, subject_label=label, comment=comment,
             source=[PREFIXES["source"] + "wikidata"]),
        Link(subject=PLACE + "x", predicate=str(SKOS.notation), object="", code=code,
             code_system=str(DIP.GleditschWardNumber), subject_label=label),
    ]
    doc = parse_sssom(to_sssom(Linkset("wikidata", links)))
    assert [(m.subject_label, m.object_label, m.comment, m.object_id, m.object_type, m.source)
            for m in doc.mappings] == [
        (label, object_label, comment, str(WD) + "Q" + code, "", [PREFIXES["source"] + "wikidata"]),
        (label, code, "", "", "rdfs literal", [])]


def test_a_broken_mapping_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "mappings").mkdir()
    bad = tmp_path / "mappings" / "broken.ttl"
    bad.write_text("@prefix sssom: <https://w3id.org/sssom/> .\n<https://w3id.org/dipontology/id/mapping/x> a "
                   "sssom:Mapping ;\n  sssom:object_label \"unterminated .\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        link_graph(tmp_path)
    assert err.value.file == str(bad) and err.value.line == 3
