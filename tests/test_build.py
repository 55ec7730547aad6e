"""``dipontology build``: the release of the fixture data set (tests/fixtures/release), built once per session."""
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

from _release import FIXTURE_DATA, release
from dipontology.build import DATASET_IRI, FILES_BASE, build, record_path
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
    assert result.records == 22
    log = (dist / "reports" / "build-log.txt").read_text()
    assert "validate: ok: 0 Violation" in log


def test_ontology_in_four_formats_versioned_and_latest(dist):
    onto = parse(Path(__file__).resolve().parent.parent / "ontology" / "dipontology.ttl", ox.RdfFormat.TURTLE)
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
    subjects = [line.split(" ", 1)[0] for line in lines]
    assert subjects == sorted(subjects)


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
    assert len(records) == 22
    for iri in records:
        kind, slug = record_path(iri)
        for ext in ("html", "ttl", "jsonld", "nt", "rdf"):
            assert (dist / "id" / kind / f"{slug}.{ext}").is_file(), (iri, ext)
        own = {t for t in parse(dist / "id" / kind / f"{slug}.ttl", ox.RdfFormat.TURTLE)}
        assert own == {t for t in fixture_triples() if t.subject.value == iri}
        assert parse(dist / "id" / kind / f"{slug}.jsonld", ox.RdfFormat.JSON_LD) == own
    page = (dist / "id" / "case" / "fixture-back-channel.html").read_text()
    assert '<link rel="alternate" type="text/turtle" href="fixture-back-channel.ttl">' in page
    assert '<link rel="alternate" type="application/ld+json" href="fixture-back-channel.jsonld">' in page
    # labels, not raw IRIs, with links to related records and terms
    assert '>Fixture Institute</a>' in page
    assert 'href="../../id/actor/fixture-institute.html"' in page
    assert '>Track II diplomacy</a>' in page and 'href="../../ontology/index.html#TrackTwo"' in page
    assert '>Fixture source A</a>' in page and "Fixture, A. (2020). Fixture source A. Example Press." in page
    # everything escaped
    assert "Track I &amp; ended in an &lt;accord&gt;." in page
    assert "<accord>" not in page
    youth = (dist / "id" / "case" / "fixture-youth-exchange.html").read_text()
    assert "Fixture &quot;youth&quot; exchange" in youth
    # incoming links
    actor = (dist / "id" / "actor" / "fixture-institute.html").read_text()
    assert "Referenced by" in actor and 'href="../../id/statement/fixture-back-channel-institute.html"' in actor


def test_network_picture(dist):
    page = (dist / "id" / "case" / "fixture-back-channel.html").read_text()
    svg = re.search(r"<svg[^>]*class=\"network-svg\".*?</svg>", page, re.S).group(0)
    for label in ("Fixture Institute", "Government of Fixland", "Track I diplomacy", "Track II diplomacy",
                  "Fixture back-channel talks", "Fixture accord", "Fixture conflict", "Fixton"):
        assert f">{label}</text>" in svg, label
    assert "facilitator" in svg and "1992\u20131993" in svg
    # the picture is well-formed XML
    import xml.etree.ElementTree as ET

    ET.fromstring(svg)


def test_timeline_and_undated(dist):
    index = (dist / "index.html").read_text()
    svg = re.search(r"<svg[^>]*class=\"timeline-svg\".*?</svg>", index, re.S).group(0)
    import xml.etree.ElementTree as ET

    ET.fromstring(svg)
    assert ">1970</text>" in svg and ">2000</text>" in svg
    for lane in ("Track I diplomacy", "Track II diplomacy"):
        assert f">{lane}</text>" in svg
    assert "Fixture back channel" in svg and "Fixture &quot;youth&quot; exchange" in svg
    undated = index.split("No date in the sources", 1)[1].split("</ul>", 1)[0]
    assert "Fixture undated dialogue" in undated
    assert "Fixture undated dialogue" not in svg


def test_ontology_documentation(dist):
    page = (dist / "ontology" / "index.html").read_text()
    assert '<div class="term" id="Initiative">' in page
    block = page.split('<div class="term" id="Participation">', 1)[1].split('<div class="term"', 1)[0]
    assert "Used by</th><td>3 records" in block   # three participation statements in the fixture
    track = page.split('<div class="term" id="TrackTwo">', 1)[1].split('<div class="term"', 1)[0]
    assert "Used by</th><td>2 records" in track
    assert 'id="hasParticipation"' in page and "Domain" in page and "Range" in page


def test_search_index_and_assets(dist):
    js = (dist / "search-index.js").read_text()
    entries = json.loads(js.split("=", 1)[1].rstrip().rstrip(";"))
    labels = {e["label"]: e["url"] for e in entries}
    assert labels["Fixture back channel"] == "id/case/fixture-back-channel.html"
    assert labels["Track II diplomacy"] == "ontology/index.html#TrackTwo"
    assert (dist / "assets" / "search.js").read_text().count("fetch(") == 0
    index = (dist / "index.html").read_text()
    assert "http://" not in re.sub(r'(href|title)="[^"]*"', "", index).split("<main>")[0]  # no CDN in the head


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
        ("dataset", "", "void.ttl"),
    ]
    for path, accept, expected in cases:
        got = rewrite(text, path, accept)
        assert got == expected, (path, accept, got)
        if got:
            assert (dist / got).is_file(), got
    from dipontology.build import htaccess

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
    repo = Path(__file__).resolve().parent.parent
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
    from dipontology.build import NO_TRACK, Index, Site, timeline_entries

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
    site = Site(Index(triples), "0", "0", "t")
    cases = [ox.NamedNode(CASE + c) for c in "ednu"]
    lanes, undated = timeline_entries(site, cases)
    two = ox.NamedNode(DIP + "TrackTwo")
    assert [(s, e, c.value[len(CASE):], how, pts) for s, e, c, how, pts in lanes[two]] == [
        (1971, 1975, "e", "events", [1971, 1975]), (1980, 1989, "d", "decade", [])]
    assert [(s, e, c.value[len(CASE):]) for s, e, c, *_ in lanes[NO_TRACK]] == [(1995, 1995, "n")]
    assert ox.NamedNode(DIP + "TrackOne") not in lanes
    assert undated == [ox.NamedNode(CASE + "u")]


def test_internal_links_resolve(dist):
    """Every relative link and asset of every page points to a file of the release (and every #anchor of the
    ontology page exists)."""
    import html as html_mod
    import urllib.parse

    onto_ids = set(re.findall(r' id="([^"]+)"', (dist / "ontology" / "index.html").read_text()))
    broken = []
    for page in dist.rglob("*.html"):
        text = page.read_text()
        for ref in re.findall(r'(?:href|src)="([^"]+)"', text):
            ref = html_mod.unescape(ref)
            if ref.startswith(("http://", "https://")):
                continue
            path, _, frag = ref.partition("#")
            target = (page.parent / urllib.parse.unquote(path)).resolve() if path else page
            if not target.is_file():
                broken.append((page.relative_to(dist).as_posix(), ref))
            elif frag and target == dist / "ontology" / "index.html" and frag not in onto_ids:
                broken.append((page.relative_to(dist).as_posix(), ref))
    assert broken == []


def test_an_error_while_writing_pages_leaves_the_previous_release_and_no_partial_folder(tmp_path, monkeypatch):
    """The release is written file by file into a folder beside the output (not held in memory): an error half way
    removes that folder and leaves the previous release as it was."""
    from dipontology import build as B

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
