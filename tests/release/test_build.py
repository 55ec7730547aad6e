"""``dipontology build``: the release of the fixture data set (tests/fixtures/release), built once per session, and
of the shipped data (pages only) for the checks that must hold on every page."""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import venv  # noqa: F401 - the wheel test needs the venv module
from pathlib import Path

import pyoxigraph as ox
import pytest

from support.release import FIXTURE_DATA, release, shipped_release
from dipontology.release import DATASET_IRI, FILES_BASE, build, record_path
from dipontology.cli import main
from dipontology.errors import InputError

DIP = "https://w3id.org/dipontology/ontology#"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
DCAT = "http://www.w3.org/ns/dcat#"
CASE = "https://w3id.org/dipontology/id/case/"


def parse(path: Path, fmt: ox.RdfFormat) -> set:
    return {q.triple for q in ox.parse(path.read_bytes(), format=fmt)}


def ground(triples) -> set:
    return {t for t in triples if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}


def fixture_triples() -> set:
    out = set()
    for f in sorted(FIXTURE_DATA.rglob("*.ttl")):
        out |= parse(f, ox.RdfFormat.TURTLE)
    return out


@pytest.fixture(scope="module")
def dist() -> Path:
    return release()[1]


def test_stages_ran_and_passed():
    result, dist = release()
    assert [(s.name, s.status) for s in result.stages] == [
        ("check", "ok"), ("reason", "ok"), ("validate", "ok"), ("queries", "ok"), ("pages", "ok")]
    assert result.version == "0.1.0"
    assert result.records == len({t.subject for t in fixture_triples() if isinstance(t.subject, ox.NamedNode)})
    log = (dist / "reports" / "build-log.txt").read_text()
    assert "validate: ok: 0 Violation" in log


def test_ontology_in_four_formats_versioned_and_latest(dist):
    onto = parse(Path(__file__).resolve().parents[2] / "ontology" / "dipontology.ttl", ox.RdfFormat.TURTLE)
    for ext, fmt in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("rdf", ox.RdfFormat.RDF_XML),
                     ("jsonld", ox.RdfFormat.JSON_LD)):
        versioned = dist / "ontology" / "0.1.0" / f"dipontology.{ext}"
        latest = dist / "ontology" / f"dipontology.{ext}"
        assert versioned.read_bytes() == latest.read_bytes()
        got = parse(versioned, fmt)
        assert len(got) == len(onto), ext
        assert ground(got) == ground(onto), ext


def test_data_dumps_and_trig_provenance(dist):
    expected = fixture_triples()
    for ext, fmt in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                     ("jsonld", ox.RdfFormat.JSON_LD), ("rdf", ox.RdfFormat.RDF_XML)):
        assert parse(dist / "data" / f"dipontology-data.{ext}", fmt) == expected, ext
    quads = list(ox.parse((dist / "data" / "dipontology-data.trig").read_bytes(), format=ox.RdfFormat.TRIG))
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {FILES_BASE + "data/" + f.relative_to(FIXTURE_DATA).as_posix()
                      for f in FIXTURE_DATA.rglob("*.ttl")}
    # each triple sits in the graph of the file it came from
    youth_file = FILES_BASE + "data/cases/fixture-youth-exchange.ttl"
    label = [q for q in quads if q.subject.value == CASE + "fixture-youth-exchange" and q.predicate.value.endswith(
        "#label")]
    assert [q.graph_name.value for q in label] == [youth_file]
    assert {q.triple for q in quads} == expected


def test_turtle_subjects_sorted(dist):
    text = (dist / "data" / "dipontology-data.nt").read_text()
    lines = [line for line in text.splitlines() if line]
    subjects = [line.split(" ", 1)[0].strip("<>") for line in lines]
    assert subjects == sorted(subjects)  # by IRI value (export's order)


def test_void_counts_distributions_checksums(dist):
    g = parse(dist / "void.ttl", ox.RdfFormat.TURTLE)
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in g)

    def one(q: str):
        rows = list(store.query(q))
        assert len(rows) == 1, q
        return rows[0]

    data = fixture_triples()
    ds = f"<{DATASET_IRI}>"
    assert int(one(f"SELECT ?n WHERE {{ {ds} <{VOID}triples> ?n }}")["n"].value) == len(data)
    subjects = {t.subject for t in data}
    assert int(one(f"SELECT ?n WHERE {{ {ds} <{VOID}distinctSubjects> ?n }}")["n"].value) == len(subjects)
    assert int(one(f"SELECT ?n WHERE {{ {ds} <{VOID}properties> ?n }}")["n"].value) == len({t.predicate for t in data})
    row = one(f"SELECT ?n WHERE {{ {ds} <{VOID}classPartition> ?p . ?p <{VOID}class> <{DIP}Programme> ; "
              f"<{VOID}entities> ?n }}")
    assert row["n"].value == "2"
    row = one(f"SELECT ?n WHERE {{ ?l a <{VOID}Linkset> ; <{VOID}linkPredicate> <{DIP}wikidata> ; <{VOID}triples> ?n }}")
    assert row["n"].value == "1"
    vocabularies = {r["v"].value for r in store.query(f"SELECT ?v WHERE {{ {ds} <{VOID}vocabulary> ?v }}")}
    assert DIP in vocabularies and "http://purl.org/dc/terms/" in vocabularies
    dists = list(store.query(f"SELECT ?d ?size ?sum ?type WHERE {{ ?d a <{DCAT}Distribution> ; <{DCAT}byteSize> ?size ; "
                             f"<{DCAT}mediaType> ?type ; <{SPDX}checksum>/<{SPDX}checksumValue> ?sum }}"))
    names = {r["d"].value.split("https://w3id.org/dipontology/", 1)[1] for r in dists}
    assert {"data/dipontology-data.ttl", "data/dipontology-data.trig", "ontology/0.1.0/dipontology.rdf",
            "reports/check.json"} <= names
    for r in dists:
        name = r["d"].value.split("https://w3id.org/dipontology/", 1)[1]
        body = (dist / name).read_bytes()
        assert int(r["size"].value) == len(body)
        assert r["sum"].value == hashlib.sha256(body).hexdigest()
    ttl = [r for r in dists if r["d"].value.endswith("data/dipontology-data.ttl")][0]
    assert ttl["type"].value == "https://www.iana.org/assignments/media-types/text/turtle"


def test_sha256sums_cover_every_file(dist):
    listed = {}
    for line in (dist / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    on_disk = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest


def test_record_files_and_page(dist):
    records = sorted({t.subject.value for t in fixture_triples() if isinstance(t.subject, ox.NamedNode)})
    every = fixture_triples()
    for iri in records:
        kind, slug = record_path(iri)
        for ext in ("html", "ttl", "jsonld", "nt", "rdf"):
            assert (dist / "id" / kind / f"{slug}.{ext}").is_file(), (iri, ext)
        got = parse(dist / "id" / kind / f"{slug}.ttl", ox.RdfFormat.TURTLE)
        assert {t for t in got if t.subject.value == iri} == {t for t in every if t.subject.value == iri}
        assert got <= every
        assert parse(dist / "id" / kind / f"{slug}.jsonld", ox.RdfFormat.JSON_LD) == got
    # a record's files carry its statements and their sources: what a researcher needs to reuse it
    case = parse(dist / "id" / "case" / "fixture-back-channel.ttl", ox.RdfFormat.TURTLE)
    subjects = {t.subject.value.rsplit("/", 1)[-1] for t in case}
    assert {"fixture-back-channel-start-a", "fixture-back-channel-start-b", "fixture-back-channel-institute",
            "fixture-back-channel-name-b", "fixture-a", "fixture-b"} <= subjects
    page = (dist / "id" / "case" / "fixture-back-channel.html").read_text()
    assert '<link rel="alternate" type="text/turtle" href="fixture-back-channel.ttl">' in page
    assert '<link rel="alternate" type="application/ld+json" href="fixture-back-channel.jsonld">' in page
    # sections in their order, each fact a sentence with its source inline
    order = [page.index(f'<section id="{s}">') for s in ("what", "who", "how", "outcome", "where", "related",
                                                          "disagreements", "sources", "downloads")]
    assert order == sorted(order) and page.index('<section id="downloads">') < page.index('id="cite"')
    text = re.sub(r"<[^>]+>", "", page)
    assert "It was Track II diplomacy from 1992 to 1993. (Fixture 2020, “Fixture source A”, Origins)" in text
    assert "Fixture Institute took part as facilitator, in a private capacity." in text
    assert "It ended in August 1993." in text and "It took place in Fixton." in text
    assert "It is called “the Fixton channel”. (Example Wiki 2021, “Fixture source B”, History)" in text
    assert "(role)" not in text
    assert '<blockquote cite="https://example.org/fixture-source-a">facilitated by the Fixture Institute</blockquote>' \
        in page
    assert 'href="../../id/actor/fixture-institute.html"' in page
    assert '>Track II diplomacy</a>' in page and 'href="../../ontology/index.html#TrackTwo"' in page
    # the disagreement, with both sides and the note
    dis = page.split('<section id="disagreements">', 1)[1].split("</section>", 1)[0]
    assert "source A says 1992, source B says 1991" in dis and "It began in 1991." in dis and "It began in 1992." in dis
    # the sources by author, title, date and URL
    sources = page.split('<section id="sources">', 1)[1].split("</section>", 1)[0]
    assert "Ada Fixture (March 2020). <cite><a href=\"../../id/source/fixture-a.html\">Fixture source A</a></cite>. " \
           "Example Press." in sources
    assert 'href="https://example.org/wiki/Fixture_source_B"' in sources
    # cite as: text, BibTeX and CSL-JSON, with the release version and the record IRI
    cite = page.split('id="cite"', 1)[1]
    assert "dipontology contributors (2026). Fixture back channel. In dipontology, release 0.1.0. " \
           "https://w3id.org/dipontology/id/case/fixture-back-channel" in cite
    assert "@misc{dipontology-0.1.0-case-fixture-back-channel," in cite
    csl = json.loads(html.unescape(re.search(r"CSL-JSON</summary><pre><code>(.*?)</code>", cite, re.S).group(1)))
    assert csl[0]["URL"] == "https://w3id.org/dipontology/0.1.0/id/case/fixture-back-channel"
    assert csl[0]["version"] == "0.1.0"
    # everything escaped
    assert "Track I &amp; ended in an &lt;accord&gt;." in page
    assert "<accord>" not in page
    youth = (dist / "id" / "case" / "fixture-youth-exchange.html").read_text()
    assert "Fixture &#34;youth&#34; exchange" in youth or "Fixture &quot;youth&quot; exchange" in youth
    # an actor page names the cases it appears in, with its role, not statement nodes
    actor = (dist / "id" / "actor" / "fixture-institute.html").read_text()
    appears = actor.split('<section id="appears-in">', 1)[1].split("</section>", 1)[0]
    assert 'href="../../id/case/fixture-back-channel.html"' in appears and "facilitator (private capacity)" in appears
    assert "id/statement/" not in appears
    # a source page: the work, with its address, and what it is cited for
    source = (dist / "id" / "source" / "fixture-b.html").read_text()
    assert 'href="https://example.org/wiki/Fixture_source_B"' in source and "Example Wiki" in source
    assert 'href="../../id/case/fixture-back-channel.html"' in source.split('id="appears-in"', 1)[1]
    # a statement page reads as the fact, its source and quote
    st = re.sub(r"<[^>]+>", "", (dist / "id" / "statement" / "fixture-back-channel-start-b.html").read_text())
    assert "first contacts in 1991" in st and "source A says 1992, source B says 1991" in st


def _case_pages(dist: Path) -> list[Path]:
    return sorted(p for p in (dist / "id" / "case").glob("*.html") if p.name != "index.html")


@pytest.mark.parametrize("which", ["fixture", "shipped"])
def test_every_page_cites_its_sources_and_how_to_cite_it(which):
    """Every page of a case names every source it cites, with author (or publisher), title and URL where the source
    record has them; every page of the release has a cite-as line naming the release version."""
    _, dist = release() if which == "fixture" else shipped_release()
    import rdflib

    g = rdflib.Graph()
    g.parse(dist / "data" / "dipontology-data.nt", format="nt")
    dct, schema = rdflib.Namespace("http://purl.org/dc/terms/"), rdflib.Namespace("https://schema.org/")
    problems = []
    for page in _case_pages(dist):
        text = page.read_text(encoding="utf-8")
        sources = html.unescape(text.split('<section id="sources">', 1)[1].split("</section>", 1)[0]) if \
            '<section id="sources">' in text else ""
        cited = set(re.findall(r'href="\.\./\.\./id/source/([^"]+)\.html"', text))
        for slug in cited:
            src = rdflib.URIRef("https://w3id.org/dipontology/id/source/" + slug)
            if f'href="../../id/source/{slug}.html"' not in sources.replace("&", "&amp;"):
                problems.append(f"{page.name}: {slug} not in its sources")
            for prop in (dct.title, schema.url):
                for v in g.objects(src, prop):
                    if str(v) not in sources:
                        problems.append(f"{page.name}: {slug}: {prop} {v} missing")
            names = list(g.objects(src, dct.creator)) or list(g.objects(src, dct.publisher))
            for v in names:
                if str(v) not in sources:
                    problems.append(f"{page.name}: {slug}: author/publisher {v} missing")
    assert problems == []
    for page in dist.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert '<section id="cite"' in text and "release 0.1.0" in text.split('<section id="cite"', 1)[1], page


@pytest.mark.parametrize("which", ["fixture", "shipped"])
def test_pictures_have_no_overlapping_or_clipped_labels(which):
    from dipontology.release.pictures import layout_problems

    _, dist = release() if which == "fixture" else shipped_release()
    svgs = []
    for page in [dist / "index.html", *_case_pages(dist)]:
        svgs += [(page.name, s) for s in re.findall(r"<svg.*?</svg>", page.read_text(encoding="utf-8"), re.S)]
    assert len(svgs) == len(_case_pages(dist)) + 1
    problems = [(name, p) for name, svg in svgs for p in layout_problems(svg)]
    assert problems == []


def test_layout_check_catches_overlaps():
    from dipontology.release.pictures import layout_problems

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50"><text x="10" y="20" font-size="12">'
           'Track II diplomacy</text><text x="60" y="22" font-size="12">overlap</text>'
           '<text x="190" y="40" font-size="12">clipped</text></svg>')
    found = layout_problems(svg)
    assert any("overlap" in f for f in found) and any("outside" in f and "clipped" in f for f in found)


def test_timeline_shows_every_dated_case_of_the_shipped_data():
    _, dist = shipped_release()
    import rdflib

    g = rdflib.Graph()
    g.parse(dist / "data" / "dipontology-data.nt", format="nt")
    dip = rdflib.Namespace("https://w3id.org/dipontology/ontology#")
    index = (dist / "index.html").read_text(encoding="utf-8")
    svg = re.search(r'<svg[^>]*class="timeline-svg".*?</svg>', index, re.S).group(0)
    dated = {s for p in (dip.startDate, dip.endDate, dip.date, dip.decade) for s in g.subjects(p, None)}
    dated |= {s for st in g.subjects(dip.statedProperty, dip.startDate) for s in g.objects(st, dip.statedSubject)}
    cases = [c for c in dated if str(c).startswith("https://w3id.org/dipontology/id/case/")]
    assert cases
    for case in cases:
        assert str(g.value(case, rdflib.RDFS.label)) in _svg_texts(svg), case


def test_no_hand_written_html_and_one_serialiser():
    """Pages come from templates (no escaping by hand, no HTML strings in the code); RDF from export's serialiser;
    files written once into the fresh release folder (dipontology.atomic.write_new), made durable together before the
    swap."""
    pkg = Path(__file__).resolve().parents[2] / "src" / "dipontology" / "release"
    code = {p.name: p.read_text(encoding="utf-8") for p in pkg.glob("*.py")}
    for name, text in code.items():
        assert "html.escape" not in text and "esc(" not in text, name
        assert "ox.serialize(" not in text, name
        assert not re.search(r"open\([^)]*[\"']w", text), name
        assert not re.search(r"[\"']<(?:a|p|li|div|span|section|table|tr|td|h[1-6]) ", text), name
    assert not (pkg.parent / "build.py").exists()  # one module per stage: the release is this package alone
    assert len((pkg / "templates" / "base.html").read_text().split("<header")) == 2


def test_citation_cff_names_this_version():
    repo = Path(__file__).resolve().parents[2]
    cff = (repo / "CITATION.cff").read_text(encoding="utf-8")
    version = re.search(r'(?m)^version = "([^"]+)"', (repo / "pyproject.toml").read_text()).group(1)
    assert f'version: "{version}"' in cff and "cff-version: 1.2.0" in cff
    assert "https://w3id.org/dipontology" in cff


def _svg_texts(svg: str) -> str:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    return "\n".join(" ".join("".join(t.itertext()).split()) for t in root.iter("{http://www.w3.org/2000/svg}text"))


def test_network_picture(dist):
    page = (dist / "id" / "case" / "fixture-back-channel.html").read_text()
    svg = re.search(r"<svg[^>]*class=\"network-svg\".*?</svg>", page, re.S).group(0)
    texts = _svg_texts(svg)
    for label in ("Fixture Institute", "Government of Fixland", "Track I diplomacy", "Track II diplomacy",
                  "Fixture back-channel talks", "Fixture accord", "Fixture conflict", "Fixton",
                  "facilitator, private capacity", "1992\u20131993", "Fixture undated dialogue"):
        assert label in texts, label


def test_timeline_and_undated(dist):
    index = (dist / "index.html").read_text()
    svg = re.search(r"<svg[^>]*class=\"timeline-svg\".*?</svg>", index, re.S).group(0)
    texts = _svg_texts(svg)
    assert "1970" in texts and "2000" in texts
    for lane in ("Track I diplomacy", "Track II diplomacy"):
        assert lane in texts
    assert "Fixture back channel" in texts and 'Fixture "youth" exchange' in texts
    undated = index.split("No date in the sources", 1)[1].split("</ul>", 1)[0]
    assert "Fixture undated dialogue" in undated
    assert "Fixture undated dialogue" not in texts


def test_ontology_documentation(dist):
    page = (dist / "ontology" / "index.html").read_text()
    text = re.sub(r"<[^>]+>", "", page)
    # the ontology's own metadata
    assert "dipontology contributors" in text and "CC BY 4.0" in text and "https://w3id.org/dipontology/ontology/0.1.0" \
        in text
    assert 'id="toc"' in page and 'href="#Initiative"' in page
    block = page.split('<div class="term" id="Participation">', 1)[1].split('<div class="term"', 1)[0]
    assert "Definition" in block and "Superclasses" in block and "Used by</th><td>2 records" in block
    track = page.split('<div class="term" id="TrackTwo">', 1)[1].split('<div class="term"', 1)[0]
    assert "Used by</th><td>2 records" in track   # two case studies are placed on Track II
    role = page.split('<div class="term" id="Role">', 1)[1].split('<div class="term"', 1)[0]
    assert 'href="../ontology/index.html#FacilitatorRole"' in role and "Individuals" in role
    prop = page.split('<div class="term" id="hasParticipation">', 1)[1].split('<div class="term"', 1)[0]
    assert "Domain" in prop and "Range" in prop
    initiative = page.split('<div class="term" id="Initiative">', 1)[1].split('<div class="term"', 1)[0]
    assert "Example" in initiative and "Source" in initiative and "Subclasses" in initiative


def test_search_index_and_assets(dist):
    js = (dist / "search-index.js").read_text()
    entries = json.loads(js.split("=", 1)[1].rstrip().rstrip(";"))
    labels = {e["label"]: e["url"] for e in entries}
    assert labels["Fixture back channel"] == "id/case/fixture-back-channel.html"
    assert labels["Track II diplomacy"] == "ontology/index.html#TrackTwo"
    assert (dist / "assets" / "search.js").read_text().count("fetch(") == 0
    index = (dist / "index.html").read_text()
    assert "http://" not in re.sub(r'(href|title)="[^"]*"', "", index).split("<main")[0]  # no CDN in the head


def test_query_results_and_reports(dist):
    from dipontology.query import library

    for name, nq in library().items():
        if any(p.required and p.default is None for p in nq.parameters):
            continue
        assert (dist / "queries" / f"{name}.csv").is_file() or (dist / "queries" / f"{name}.ttl").is_file(), name
    csv = (dist / "queries" / "cases.csv").read_text() if (dist / "queries" / "cases.csv").is_file() else ""
    if csv:
        assert "Fixture back channel" in csv
    for report in ("check.txt", "check.json", "reason.txt", "reason.json", "validate.txt", "validate.json"):
        assert (dist / "reports" / report).is_file(), report
        text = (dist / "reports" / report).read_text()
        assert "fixtures" not in text and str(Path.cwd()) not in text, report  # release names, not local paths
    assert json.loads((dist / "reports" / "reason.json").read_text())["consistent"] is True


def rewrite(htaccess: str, path: str, accept: str) -> str | None:
    """A small mod_rewrite for the rules our .htaccess uses: the target of ``path`` (relative to the folder) for
    an ``Accept`` header, or None when no rule applies."""
    conds: list[tuple[str, str, bool]] = []
    for line in htaccess.splitlines():
        if line.startswith("RewriteCond "):
            _, var, pattern = line.split(" ", 2)
            negate = pattern.startswith("!")
            conds.append((var, pattern.lstrip("!").split(" [")[0], negate))
        elif line.startswith("RewriteRule "):
            _, pattern, target, _flags = line.split(" ")
            m = re.match(pattern, path)
            values = {"%{HTTP_ACCEPT}": accept, "%{REQUEST_URI}": "/dipontology/" + path}
            ok = m is not None and all(bool(re.search(p, values[v])) != neg for v, p, neg in conds)
            conds = []
            if ok:
                return m.expand(target.replace("$", "\\"))
    return None


def test_htaccess_negotiates(dist):
    text = (dist / ".htaccess").read_text()
    assert "RewriteEngine on" in text
    chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    cases = [
        ("ontology", chrome, "ontology/index.html"),
        ("ontology", "", "ontology/index.html"),
        ("ontology", "text/turtle", "ontology/0.1.0/dipontology.ttl"),
        ("ontology/", "application/rdf+xml", "ontology/0.1.0/dipontology.rdf"),
        ("ontology/0.1.0", "application/ld+json", "ontology/0.1.0/dipontology.jsonld"),
        ("ontology", "application/n-triples", "ontology/0.1.0/dipontology.nt"),
        ("id/case/fixture-back-channel", chrome, "id/case/fixture-back-channel.html"),
        ("id/case/fixture-back-channel", "text/turtle;q=0.9, */*;q=0.1", "id/case/fixture-back-channel.ttl"),
        ("id/actor/fixture-institute", "application/ld+json", "id/actor/fixture-institute.jsonld"),
        ("id/actor/fixture-institute", "application/rdf+xml", "id/actor/fixture-institute.rdf"),
        ("id/actor/fixture-institute", "application/n-triples", "id/actor/fixture-institute.nt"),
        ("id/case/fixture-back-channel.ttl", "text/turtle", None),
        ("0.1.0/id/case/fixture-back-channel", chrome, "0.1.0/id/case/fixture-back-channel.html"),
        ("0.1.0/id/case/fixture-back-channel", "text/turtle", "0.1.0/id/case/fixture-back-channel.ttl"),
        ("dataset", "", "void.ttl"),
    ]
    for path, accept, expected in cases:
        got = rewrite(text, path, accept)
        assert got == expected, (path, accept, got)
        if got:
            assert (dist / got.removeprefix("0.1.0/")).is_file(), got  # the site keeps each release under <version>/
    from dipontology.release import htaccess

    hosted = htaccess("0.1.0", "https://dip.example.org/release/")
    assert rewrite(hosted, "id/case/x", "text/turtle") == "https://dip.example.org/release/id/case/x.ttl"
    assert rewrite(hosted, "index.html", chrome) == "https://dip.example.org/release/index.html"


def test_two_builds_identical_and_atomic_replace(tmp_path, monkeypatch):
    _, first = release()
    monkeypatch.chdir(tmp_path)  # another working directory: the reports must not depend on it
    second = tmp_path / "dist"
    second.mkdir()
    (second / "SHA256SUMS").write_text("old\n")
    (second / "stale.txt").write_text("from an older release")
    result = build(second, quiet=True, data_dir=FIXTURE_DATA)
    assert result.ok
    a = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    b = sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    assert a == b  # the stale file went with the old release
    differ = [name for name in a if (first / name).read_bytes() != (second / name).read_bytes()]
    assert differ == []
    assert (second / "SHA256SUMS").read_bytes() == (first / "SHA256SUMS").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")]


def _bad_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    # a case study without any source: SHACL violation
    (data / "cases" / "unsourced.ttl").write_text(
        "@prefix dip: <https://w3id.org/dipontology/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/dipontology/id/case/unsourced> a dip:Programme ; rdfs:label \"Unsourced\"@en .\n")
    return data


def test_failed_build_leaves_previous_release(tmp_path):
    _, good = release()
    out = tmp_path / "dist"
    shutil.copytree(good, out)
    before = (out / "SHA256SUMS").read_bytes()
    result = build(out, quiet=True, data_dir=_bad_data(tmp_path), stages=("validate",))
    assert not result.ok
    assert result.failed_stage.name == "validate" and "Violation" in result.failed_stage.detail
    assert (out / "SHA256SUMS").read_bytes() == before
    assert not (out / "id" / "case" / "unsourced.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_exit_codes(tmp_path, capsys):
    bad = _bad_data(tmp_path)
    assert main(["build", "-o", str(tmp_path / "out"), "--data", str(bad), "--skip", "reason", "--skip", "check",
                 "--skip", "queries", "-q"]) == 1
    err = capsys.readouterr().err
    assert "validate: failed" in err and "left as it was" in err
    assert not (tmp_path / "out").exists()
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    assert main(["build", "-o", str(afile), "-q"]) == 2
    assert "not a dipontology release" in capsys.readouterr().err


def test_bad_turtle_names_file_and_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "broken.ttl").write_text("@prefix dip: <https://w3id.org/dipontology/ontology#> .\n\n"
                                     "<https://w3id.org/dipontology/id/case/x> dip:label \"open string .\n")
    with pytest.raises(InputError) as exc:
        build(tmp_path / "out", quiet=True, data_dir=data)
    assert exc.value.file.endswith("broken.ttl") and exc.value.line == 3
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_wheel_installs_and_builds_from_empty_directory(tmp_path):
    """DESIGN §2: the wheel carries ontology, shapes, data, queries and the site assets; `dipontology build` works
    from an empty directory in a fresh venv (system site packages give the dependencies: no download)."""
    repo = Path(__file__).resolve().parents[2]
    wheels = tmp_path / "wheels"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(repo), "-w", str(wheels)]
    try:
        import hatchling  # noqa: F401

        cmd.insert(4, "--no-build-isolation")
    except ImportError:
        pass
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("dipontology-*.whl"))
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(env_dir)], check=True, timeout=120)
    py = env_dir / "bin" / "python"
    # when this test itself runs in a venv (.ci/run), "system site packages" are the base interpreter's, not this
    # environment's: point the new venv at this environment's site-packages too (its own come first)
    import site
    import sysconfig

    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    parents = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                             *site.getsitepackages()])
    Path(purelib, "_dipontology_test_parent_env.pth").write_text("\n".join(parents) + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--force-reinstall",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    where = subprocess.run([str(py), "-c", "import dipontology.resources as r, dipontology.site as s; "
                            "print(r.root()); print(s.__file__); print(len(r.data_files()), len(r.shapes_files()))"],
                           check=True, capture_output=True, text=True, cwd=tmp_path, timeout=120).stdout.split("\n")
    assert where[0].endswith("_bundled") and str(env_dir) in where[0]
    assert str(env_dir) in where[1]
    n_data, n_shapes = map(int, where[2].split())
    assert n_data >= 1 and n_shapes >= 1
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # reason (HermiT on the JVM) and the query library are skipped to keep this test under a minute: they read
    # nothing from the package that the other stages do not (queries/*.rq live in the package itself)
    run = subprocess.run([str(env_dir / "bin" / "dipontology"), "build", "-q", "--skip", "reason", "--skip",
                          "queries"], cwd=empty, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr
    dist = empty / "dist"
    assert (dist / "index.html").is_file() and (dist / "SHA256SUMS").is_file()
    assert (dist / "assets" / "search.js").is_file()
    # the pages of the shipped data speak of sources by author, title and date, never by our bookkeeping words
    bookkeeping = re.compile(r"\b[Ss]eeds? ?0\d\d\b|\b0\d\d_[0-9a-f]{16}\b|\bthe seeds\b(?! of peace)|seedFile|reference notes", re.I)
    pages = sorted(dist.rglob("*.html"))
    assert len(pages) > 300
    hits = [f"{p.relative_to(dist)}: {m.group(0)}" for p in pages
            for m in [bookkeeping.search(p.read_text(encoding="utf-8"))] if m]
    assert hits == [], f"{len(hits)} of {len(pages)} pages use internal words: {hits[:10]}"
    # every case with a date in the sources is on the timeline
    index = (dist / "index.html").read_text(encoding="utf-8")
    undated = index.split("No date in the sources", 1)[1].split("</ul>", 1)[0] if "No date in the sources" in index else ""
    import rdflib

    g = rdflib.Graph()
    for f in Path(where[0], "data").rglob("*.ttl"):
        g.parse(f, format="turtle")
    dip = rdflib.Namespace("https://w3id.org/dipontology/ontology#")
    for case in set(g.subjects(dip.startDate, None)) | set(g.subjects(dip.date, None)):
        if str(case).startswith("https://w3id.org/dipontology/id/case/"):
            label = str(g.value(case, rdflib.RDFS.label))
            assert html.escape(label) not in undated, f"{label} has a date but is listed as undated"


def test_timeline_dates_from_events_decades_and_no_track():
    """A case without dates of its own is placed by its dated activities and outcomes; one with only a decade gets
    a decade bar; a dated case no source classifies by track gets its own lane; an undated one is listed apart."""
    from dipontology.release import NO_TRACK, Index, timeline_entries

    ttl = """
    @prefix dip: <https://w3id.org/dipontology/ontology#> . @prefix case: <https://w3id.org/dipontology/id/case/> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix st: <https://w3id.org/dipontology/id/statement/> . @prefix o: <https://w3id.org/dipontology/id/outcome/> .
    @prefix a: <https://w3id.org/dipontology/id/activity/> .
    case:e dip:hasTrackClassification st:e ; dip:usesMethod a:e ; dip:hasOutcomeAttribution st:eo .
    st:e dip:track dip:TrackTwo . a:e dip:date "1971-04-10"^^xsd:date . st:eo dip:outcome o:e .
    o:e dip:date "1975"^^xsd:gYear .
    case:d dip:hasTrackClassification st:d ; dip:decade "1980"^^xsd:gYear . st:d dip:track dip:TrackTwo .
    case:n dip:hadOutcome o:n . o:n dip:date "1995"^^xsd:gYear .
    case:u dip:hasTrackClassification st:u . st:u dip:track dip:TrackOne .
    """
    triples = [q.triple for q in ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE)]
    cases = [ox.NamedNode(CASE + c) for c in "ednu"]
    lanes, undated = timeline_entries(Index(triples), cases)
    two = ox.NamedNode(DIP + "TrackTwo")
    assert [(s, e, c.value[len(CASE):], how, pts) for s, e, c, how, pts in lanes[two]] == [
        (1971, 1975, "e", "events", [1971, 1975]), (1980, 1989, "d", "decade", [])]
    assert [(s, e, c.value[len(CASE):]) for s, e, c, *_ in lanes[NO_TRACK]] == [(1995, 1995, "n")]
    assert ox.NamedNode(DIP + "TrackOne") not in lanes
    assert undated == [ox.NamedNode(CASE + "u")]


def test_internal_links_resolve(dist):
    """Every relative link and asset of every page points to a file of the release, and every #anchor exists."""
    import html as html_mod
    import urllib.parse

    ids: dict[Path, set[str]] = {}

    def anchors(p: Path) -> set[str]:
        if p not in ids:
            ids[p] = set(re.findall(r' id="([^"]+)"', p.read_text(encoding="utf-8")))
        return ids[p]

    broken = []
    pages = sorted(dist.rglob("*.html"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for ref in re.findall(r'(?:href|src)="([^"]+)"', text):
            ref = html_mod.unescape(ref)
            if ref.startswith(("http://", "https://")):
                continue
            path, _, frag = ref.partition("#")
            target = (page.parent / urllib.parse.unquote(path)).resolve() if path else page
            if not target.is_file():
                broken.append((page.relative_to(dist).as_posix(), ref))
            elif frag and target.suffix == ".html" and frag not in anchors(target):
                broken.append((page.relative_to(dist).as_posix(), ref))
    assert len(pages) > 40 and broken == []


def test_an_error_while_writing_pages_leaves_the_previous_release_and_no_partial_folder(tmp_path, monkeypatch):
    """The release is written file by file into a folder beside the output (not held in memory): an error half way
    removes that folder and leaves the previous release as it was."""
    from dipontology import release as B

    _, good = release()
    out = tmp_path / "dist"
    shutil.copytree(good, out)
    before = (out / "SHA256SUMS").read_bytes()
    calls = []

    def failing_page(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return original(self, *args, **kwargs)

    original = B.Site.record_page
    monkeypatch.setattr(B.Site, "record_page", failing_page)
    with pytest.raises(OSError, match="No space"):
        build(out, quiet=True, data_dir=FIXTURE_DATA, stages=())
    assert len(calls) == 3
    assert (out / "SHA256SUMS").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_release_files_are_checksummed_as_written(tmp_path):
    result = build(tmp_path / "dist", quiet=True, data_dir=FIXTURE_DATA, stages=())
    assert result.ok
    sums = dict(line.split("  ")[::-1] for line in (tmp_path / "dist" / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == sorted(n for n in result.files if n != "SHA256SUMS")
    for name, digest in sums.items():
        assert hashlib.sha256((tmp_path / "dist" / name).read_bytes()).hexdigest() == digest


# left out of the fast profile (pytest -m "not slow and not server and not browser"): releases built, a wheel installed in a fresh venv
pytestmark = pytest.mark.slow
