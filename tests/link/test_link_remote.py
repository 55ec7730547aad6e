"""Reconciliation and federated queries against real local Oxigraph servers on 127.0.0.1.

A second server holds a small Wikidata-shaped sample written here (English labels, aliases, P31, P297 and English
Wikipedia sitelinks with ``http://schema.org/``, as Wikidata stores them; the QIDs are made up). Reconcile asks it
for candidates, a person's decisions are simulated in the review CSV, and apply writes only the accepted row.
Needs the ``oxigraph`` command (the ``oxigraph`` package of the ``test`` extra).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from support.oxigraph import OxigraphServer, free_port

from dipontology import resources
from dipontology.cli import main
from dipontology.errors import InputError
from dipontology.link import link_graph, linkset, load_mappings
from dipontology.link.federated import run_federated
from dipontology.link.mappings import SEMAPV, SSSOM
from dipontology.link.reconcile import apply_review, reconcile, unlinked_records
from dipontology.namespaces import PREFIXES
from dipontology.store import Remote, push

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "link"
OUTCOME, CASE, PLACE = PREFIXES["outcome"], PREFIXES["case"], PREFIXES["place"]
WD = "http://www.wikidata.org/entity/"

SAMPLE = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .

wd:Q90000001 rdfs:label "Oslo I Accord"@en, "Oslo I-avtalen"@nb ; skos:altLabel "Declaration of Principles"@en ;
    wdt:P31 wd:Q625298 .
<https://en.wikipedia.org/wiki/Oslo_I_Accord> schema:about wd:Q90000001 ;
    schema:isPartOf <https://en.wikipedia.org/> ; schema:name "Oslo I Accord"@en .
wd:Q90000002 rdfs:label "Oslo Accords"@en ; skos:altLabel "Oslo I Accord"@en ; wdt:P31 wd:Q131569 .
wd:Q90000003 rdfs:label "ping-pong diplomacy"@en ; wdt:P31 wd:Q90000099 .
wd:Q90000004 rdfs:label "Oslo"@en ; wdt:P31 wd:Q90000098 .
wd:Q90000005 rdfs:label "Bergen"@en .
wd:Q90000801 rdfs:label "Israel"@en ; wdt:P297 "IL" ; wdt:P31 wd:Q6256 .
wd:Q90000020 rdfs:label "Norway"@en ; wdt:P297 "NO" ; wdt:P31 wd:Q6256 .
wd:Q90000999 rdfs:label "Atlantis"@en ; wdt:P297 "XA" .
"""


@pytest.fixture(scope="module")
def wikidata(oxigraph_server) -> Iterator[OxigraphServer]:
    server = oxigraph_server("wikidata-sample")
    try:
        server.load(SAMPLE)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def ours(oxigraph_server) -> Iterator[OxigraphServer]:
    server = oxigraph_server("dipontology-graph")
    try:
        push(server.base)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def records() -> Graph:
    return link_graph(files=[resources.ontology_file(), FIXTURES / "records.ttl"])


# ------------------------------------------------------------------------------------------------ reconcile
def test_records_without_identifier(records: Graph) -> None:
    iris = [r.iri for r in unlinked_records(records)]
    assert iris == [CASE + "ping-pong-diplomacy", OUTCOME + "oslo-i-accord", PLACE + "oslo"]  # Israel has a QID


def test_reconcile_scores_candidates(wikidata: OxigraphServer, records: Graph) -> None:
    result = reconcile(wikidata.query_url, records)
    got = [(c.record.rsplit("/", 1)[1], c.candidate[len(WD):], c.score, c.matched_by, c.candidate_label)
           for c in result.candidates]
    assert got == [
        ("ping-pong-diplomacy", "Q90000003", 0.8, "fuzzy", "ping-pong diplomacy"),
        ("oslo-i-accord", "Q90000001", 1.0, "label+sitelink+alias+sitelink-name", "Oslo I Accord"),
        ("oslo-i-accord", "Q90000002", 0.9, "alias", "Oslo Accords"),
        ("oslo", "Q90000004", 1.0, "label", "Oslo"),
    ]
    first = next(c for c in result.candidates if c.candidate == WD + "Q90000001")
    assert first.candidate_types == WD + "Q625298" and first.endpoint == wikidata.query_url
    assert reconcile(wikidata.query_url, records, limit=1, records=[OUTCOME + "oslo-i-accord"]).candidates[0] \
        .candidate == WD + "Q90000001"


def _decide(review: Path, decisions: dict[str, tuple[str, str]]) -> None:
    rows = list(csv.DictReader(io.StringIO(review.read_text(encoding="utf-8"))))
    for row in rows:
        decision, reviewer = decisions.get(row["candidate"], ("", ""))
        row["decision"], row["reviewer"] = decision, reviewer
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    review.write_text(buf.getvalue(), encoding="utf-8")


def test_review_accept_apply_round(wikidata: OxigraphServer, records: Graph, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    from dipontology.link.reconcile import write_review

    write_review(reconcile(wikidata.query_url, records), review)
    header = review.read_text(encoding="utf-8").splitlines()[0]
    assert header == "record,record_label,candidate,candidate_label,candidate_types,score,matched_by,endpoint," \
                     "decision,reviewer,note"
    assert all(row["decision"] == "" for row in csv.DictReader(review.open(encoding="utf-8")))
    _decide(review, {WD + "Q90000001": ("accepted", ""), WD + "Q90000002": ("rejected", "Ada Reviewer"),
                     WD + "Q90000004": ("unsure", "")})
    data_dir = tmp_path / "data"
    when = datetime(2026, 11, 22, 5, 0, tzinfo=timezone.utc)
    result = apply_review(review, data_dir=data_dir, reviewer="Ada Reviewer", now=when)
    assert result.added == [OUTCOME + "oslo-i-accord"]
    assert (result.rejected, result.undecided, result.already_present) == (1, 2, 0)
    out = Graph().parse(data_dir / "mappings" / "reconciled.ttl")
    acc, q1, q2 = URIRef(OUTCOME + "oslo-i-accord"), URIRef(WD + "Q90000001"), URIRef(WD + "Q90000002")
    assert (acc, SKOS.exactMatch, q1) in out
    assert (None, None, q2) not in out and (None, None, URIRef(WD + "Q90000004")) not in out
    assert (None, None, URIRef(WD + "Q90000003")) not in out
    rec = out.value(predicate=SSSOM.object_id, object=q1)
    assert rec == URIRef(PREFIXES["mapping"] + "reconciled-outcome-oslo-i-accord-q90000001")
    assert out.value(rec, SSSOM.reviewer_label) == Literal("Ada Reviewer")
    assert out.value(rec, SSSOM.mapping_date) == Literal("2026-11-22", datatype=XSD.date)
    assert out.value(rec, DCTERMS.created) == Literal("2026-11-22T05:00:00Z", datatype=XSD.dateTime)
    assert out.value(rec, SSSOM.mapping_justification) == SEMAPV.LexicalMatching
    assert set(out.objects(rec, SSSOM.object_match_field)) == {
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"), URIRef("http://schema.org/about"),
        URIRef("http://www.w3.org/2004/02/skos/core#altLabel"), URIRef("http://schema.org/name")}
    assert out.value(rec, SSSOM.confidence) == Literal("1.000", datatype=XSD.double)
    assert out.value(rec, DCTERMS.source) == URIRef(wikidata.query_url)
    assert "accepted by Ada Reviewer on 2026-11-22" in str(out.value(rec, DCTERMS.description))
    # the reviewed link now counts: the record is no longer offered, and the wikidata linkset carries it
    g = link_graph(data_dir, files=[resources.ontology_file(), FIXTURES / "records.ttl"])
    assert OUTCOME + "oslo-i-accord" not in [r.iri for r in unlinked_records(g)]
    assert (OUTCOME + "oslo-i-accord", WD + "Q90000001") in [(l.subject, l.object) for l in
                                                             linkset(g, "wikidata").links]
    assert [m.reviewer_label for m in load_mappings(g, "reconciled")] == ["Ada Reviewer"]
    # applying again adds nothing and leaves the file as it was
    before = (data_dir / "mappings" / "reconciled.ttl").read_bytes()
    again = apply_review(review, data_dir=data_dir, reviewer="Ada Reviewer", now=when)
    assert again.added == [] and again.already_present == 1
    assert (data_dir / "mappings" / "reconciled.ttl").read_bytes() == before


def test_cli_reconcile_and_apply(wikidata: OxigraphServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    review = tmp_path / "review.csv"
    assert main(["link", "reconcile", "--endpoint", wikidata.query_url, "--record", "outcome:oslo-i-accord",
                 "--limit", "1", "-o", str(review), "-q"]) == 0
    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    assert [(r["candidate"], r["score"], r["decision"]) for r in rows] == [(WD + "Q90000001", "1.000", "")]
    data_dir = tmp_path / "data"
    # nothing accepted: nothing written
    assert main(["link", "apply", str(review), "--data-dir", str(data_dir), "-q"]) == 0
    assert not (data_dir / "mappings" / "reconciled.ttl").exists()
    _decide(review, {WD + "Q90000001": ("accepted", "")})
    assert main(["link", "apply", str(review), "--data-dir", str(data_dir), "-q"]) == 2
    assert "names no reviewer" in capsys.readouterr().err
    assert main(["link", "apply", str(review), "--data-dir", str(data_dir), "--reviewer", "B. Person", "-q"]) == 0
    out = Graph().parse(data_dir / "mappings" / "reconciled.ttl")
    assert (URIRef(OUTCOME + "oslo-i-accord"), SKOS.exactMatch, URIRef(WD + "Q90000001")) in out
    assert main(["link", "reconcile", "--endpoint", "ftp://127.0.0.1/x", "-q"]) == 2


def test_unreachable_endpoint_is_an_input_error(records: Graph) -> None:
    with pytest.raises(InputError, match="cannot reach"):
        reconcile(f"http://127.0.0.1:{free_port()}/query", records, timeout=2)


# -------------------------------------------------------------------------------------------- apply: bad input
def _review(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    cols = ["record", "record_label", "candidate", "candidate_label", "score", "matched_by", "endpoint", "decision",
            "reviewer"]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in cols})
    p = tmp_path / "review.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    return p


@pytest.mark.parametrize("row, message, line", [
    ({"record": OUTCOME + "x", "candidate": WD + "Q1", "decision": "acepted", "reviewer": "A"},
     "unknown decision", 2),
    ({"record": "http://example.org/x", "candidate": WD + "Q1", "decision": "accepted", "reviewer": "A"},
     "not a dipontology record", 2),
    ({"record": OUTCOME + "x", "candidate": "Q1", "decision": "accepted", "reviewer": "A"},
     "not an http(s) IRI", 2),
    ({"record": OUTCOME + "x", "candidate": WD + "Q1", "decision": "accepted"}, "names no reviewer", 2),
])
def test_apply_refuses_bad_rows_and_writes_nothing(tmp_path: Path, row: dict, message: str, line: int) -> None:
    review = _review(tmp_path, [row])
    with pytest.raises(InputError) as err:
        apply_review(review, data_dir=tmp_path / "data")
    assert message in err.value.message and err.value.line == line and err.value.file == str(review)
    assert not (tmp_path / "data").exists()


def test_apply_refuses_two_accepted_candidates_for_one_record(tmp_path: Path) -> None:
    review = _review(tmp_path, [
        {"record": OUTCOME + "x", "candidate": WD + "Q1", "decision": "accepted", "reviewer": "A"},
        {"record": OUTCOME + "x", "candidate": WD + "Q2", "decision": "Accepted ", "reviewer": "A"}])
    with pytest.raises(InputError, match="two candidates accepted"):
        apply_review(review, data_dir=tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_apply_suggests_the_decision_word(tmp_path: Path) -> None:
    review = _review(tmp_path, [{"record": OUTCOME + "x", "candidate": WD + "Q1", "decision": "acepted"}])
    with pytest.raises(InputError) as err:
        apply_review(review, data_dir=tmp_path / "data")
    assert err.value.fix.startswith("did you mean accepted?")


# ------------------------------------------------------------------------------------------------- federated
def test_federated_query_joins_two_servers(ours: OxigraphServer, wikidata: OxigraphServer) -> None:
    result = run_federated("federated-country-items", wikidata.query_url, store=Remote(ours.query_url),
                           allow_service=True)
    rows = [(r["label"], r["iso2"], r["qid"], r["item"][len(WD):], r["itemLabel"], r["agrees"], r["service"])
            for r in result.records()]
    assert rows == [("Israel", "IL", "Q801", "Q90000801", "Israel", False, wikidata.query_url),
                    ("Norway", "NO", "Q20", "Q90000020", "Norway", False, wikidata.query_url)]


def test_federated_peace_treaties_on_the_embedded_store(wikidata: OxigraphServer) -> None:
    result = run_federated("federated-peace-treaties", wikidata.query_url, allow_service=True)
    assert [(r["agreement"], r["item"]) for r in result.records()] == [(OUTCOME + "oslo-i-accord",
                                                                         WD + "Q90000001")]


def test_federated_needs_allow_service(wikidata: OxigraphServer, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="SERVICE"):
        run_federated("federated-country-items", wikidata.query_url)
    assert main(["link", "federated", "federated-country-items", "--service", wikidata.query_url, "-q"]) == 2
    assert main(["link", "federated", "federated-country-items", "--service", wikidata.query_url,
                 "--allow-service", "--format", "csv", "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "country,label,iso2,qid,item,itemLabel,agrees,service"
    assert out[1].startswith(PLACE + "israel,Israel,IL,Q801," + WD + "Q90000801,Israel,false,")


# left out of the fast profile (pytest -m "not slow and not server and not browser"): a real Oxigraph server as a remote endpoint
pytestmark = pytest.mark.server
