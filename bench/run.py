"""Time each stage of dipontology beside the plain-library baseline on the same generated files.

    python bench/generate.py --triples 10000 100000 1000000      # data under /tmp/dipontology-bench
    python bench/run.py --sizes 10000 100000 --runs 3 --write docs/performance.md

Every measurement runs in its own subprocess (so peak memory, ``ru_maxrss``, is that measurement's), repeats the
timed step ``--runs`` times and reports the median. A baseline that does not finish within its time box is killed
and recorded as ``> N s (stopped)``. Results are appended to ``<bench dir>/results.json`` (one record per size and
stage) and, with ``--write``, rendered into the tables of docs/performance.md (see :func:`render`).

Stages (ours / baseline):
  load       our cached store, cold (parse into the on-disk cache) and warm (open it) / rdflib ``Graph.parse``,
             and pyoxigraph's own in-memory ``bulk_load`` (the reference for our overhead)
  validate   the default SHACL engine (pyshacl-turbo) as validate calls it, on ontology + data / plain pySHACL,
             same shapes, inference none (rdflib's parse not timed for either); validate_api: the whole
             ``validate(data_dir=...)`` call, the published files parsed before timing
  contrib    ``validate([a 1,000-triple contribution], data_dir=...)``, the published graph parsed before timing / -
  query      every named query through our store API / rdflib's SPARQL engine, and the same text on plain pyoxigraph
             (the example's parameters; a ``source`` the generated graph lacks becomes ``source:src-0``)
  export     every graph format through dipontology.export / rdflib ``Graph.serialize``
  check      the ontology QC rules (dipontology.check) on ontology + data / -
  reason     dipontology.reason (HermiT for the ontology, rules for the data; cache off; and a cache hit) / the
             whole graph to HermiT (reason(method="hermit")), and plain owlready2 + HermiT on the same prepared input
  infer      the OWL 2 RL closure (dipontology.inference, SPARQL rules on pyoxigraph) / the owlrl package
  cli        ``dipontology query ... --load FILE`` as a command: cold store cache, warm, and --no-cache / -
  build      ``dipontology build --data DIR`` (every stage) on generated data without violations / -;
             memory: the largest process and the summed PSS of the build's process tree
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(os.environ.get("DIPONTOLOGY_BENCH_DIR", "/tmp/dipontology-bench"))
HERE = Path(__file__).resolve().parent


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


#: a step slower than this is not repeated (the record then shows fewer runs than asked)
SLOW = 60.0


def _median_times(fn, runs: int, setup=None) -> list[float]:
    out = []
    for _ in range(runs):
        if setup is not None:
            setup()  # untimed
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
        if out[-1] > SLOW:
            break
    return out


def _onto() -> Path:
    from dipontology import resources

    return Path(resources.ontology_file())


def _ox_store(path: Path):
    import pyoxigraph as ox

    st = ox.Store()
    st.bulk_load(path=str(_onto()), format=ox.RdfFormat.TURTLE)
    st.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return st


def _rdflib_graph(path: Path):
    from rdflib import Graph

    g = Graph()
    g.parse(_onto(), format="turtle")
    g.parse(path, format="turtle")
    return g


# --------------------------------------------------------------------------------------------------------------
# measurements (each runs in a child process: python bench/run.py --measure NAME FILE RUNS)


def m_load_rdflib(path: Path, runs: int) -> dict:
    return {"seconds": _median_times(lambda: _rdflib_graph(path), runs)}


def m_load_pyoxigraph(path: Path, runs: int) -> dict:
    return {"seconds": _median_times(lambda: _ox_store(path), runs)}


def m_load_pyoxigraph_disk(path: Path, runs: int) -> dict:
    """pyoxigraph's bulk load into an on-disk store (a fresh folder each run): what our cold cache does underneath,
    the like-for-like reference of its overhead (hashing the inputs, the safe reader, the atomic swap of the folder)."""
    import tempfile

    import pyoxigraph as ox

    def go():
        d = tempfile.mkdtemp(prefix="dipontology-bench-oxdisk-")
        st = ox.Store(path=d)
        st.bulk_load(path=str(_onto()), format=ox.RdfFormat.TURTLE)
        st.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        st.flush()
        del st
        shutil.rmtree(d, ignore_errors=True)

    return {"seconds": _median_times(go, runs)}


def m_load_ours_cold(path: Path, runs: int) -> dict:
    import tempfile

    from dipontology.cache import cached_store

    d = tempfile.mkdtemp(prefix="dipontology-bench-cache-")
    secs = _median_times(lambda: cached_store([_onto(), path], cache_dir=d, refresh=True), runs)
    return {"seconds": secs}


def m_load_ours_warm(path: Path, runs: int) -> dict:
    import tempfile

    from dipontology.cache import cached_store

    d = tempfile.mkdtemp(prefix="dipontology-bench-cache-")
    cached_store([_onto(), path], cache_dir=d)
    hits = []
    secs = _median_times(lambda: hits.append(len(cached_store([_onto(), path], cache_dir=d).store)), runs)
    return {"seconds": secs, "triples": hits[0]}


def _data_graph(path: Path):
    """Ontology + data as validate hands them to the SHACL engine: an rdflib graph with the literals as written
    (pyoxigraph's parser, as dipontology.load parses)."""
    import pyoxigraph as ox
    from rdflib import Graph

    from dipontology.graph import to_rdflib

    g = Graph()
    for p in (_onto(), path):
        g.addN((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object), g)
               for t in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE))
    return g


def m_validate_ours(path: Path, runs: int) -> dict:
    """The default engine (pyshacl-turbo) through dipontology.validate.shacl_report, the call validate makes, with
    the shapes as committed."""
    from rdflib.namespace import RDF, SH

    from dipontology import published as P
    from dipontology import shacl as S
    from dipontology import validate as V

    g = _data_graph(path)
    shapes = P.shapes_graph()
    found = []

    def go():
        _conforms, report = S.shacl_report(g, shapes, "turbo")
        found.append(len(set(report.subjects(RDF.type, SH.ValidationResult))))

    return {"seconds": _median_times(go, runs), "results": found[0], "engine": "turbo"}


def _published_dir(path: Path) -> Path:
    """A data folder holding only ``path`` (a hard link, or a copy across file systems: a data folder may not hold
    symbolic links), for dipontology.validate's data_dir."""
    d = BENCH_DIR / f"published-{path.stem}"
    d.mkdir(parents=True, exist_ok=True)
    link = d / "data.ttl"
    if link.is_symlink():
        link.unlink()
    if not link.exists():
        try:
            os.link(path, link)
        except OSError:
            shutil.copyfile(path, link)
    return d


def m_validate_api(path: Path, runs: int) -> dict:
    """``dipontology.validate.validate(data_dir=...)``, the whole public call (record checks, literal checks,
    ontology merge, engine, findings), with the published files already parsed (the parse is not timed)."""
    from dipontology import published as P
    from dipontology import shacl as S
    from dipontology import validate as V

    d = _published_dir(path)
    P.published(P.stamp(P.published_files(d)))  # parse once, untimed (cached by file stamps)
    found = []

    def go():
        V._SHIPPED_REPORTS.clear()
        found.append(len(V.validate(data_dir=d).findings))

    return {"seconds": _median_times(go, runs), "findings": found[0]}


def m_validate_pyshacl(path: Path, runs: int) -> dict:
    from pyshacl import validate as shacl_validate

    from dipontology import published as P
    from dipontology import shacl as S
    from dipontology import validate as V

    # the time box of the validation alone (parsing the graph with rdflib is not counted), so that a run at 1M
    # triples gives a lower bound instead of nothing
    box = float(os.environ.get("DIPONTOLOGY_BENCH_SHACL_BOX", "0")) or None
    g = _rdflib_graph(path)
    shapes = P.shapes_graph()
    found = []

    def go():
        _c, results, _t = shacl_validate(g, shacl_graph=shapes, inference="none", advanced=False,
                                         allow_warnings=True, allow_infos=True)
        from rdflib.namespace import RDF, SH

        found.append(len(set(results.subjects(RDF.type, SH.ValidationResult))))

    if box is None:
        return {"seconds": _median_times(go, runs), "results": found[0]}

    class Stop(BaseException):  # not Exception: pySHACL must not swallow it
        pass

    def alarm(_s, _f):
        raise Stop

    signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, box)
    try:
        secs = _median_times(go, runs)
    except Stop:
        return {"seconds": [box], "stopped": round(box), "note": f"> {box:.0f} s (stopped)"}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"seconds": secs, "results": found[0]}


def _contribution(path: Path) -> Path:
    """1,000 triples of new initiatives that reference the published actors, sources, places and conflicts."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    out = BENCH_DIR / "contrib"
    p = generate(1000, out, violation_rate=0.05, seed=99)
    text = p.read_text().replace("initiative-", "contributed-initiative-")
    q = out / "contribution-1000.ttl"
    q.write_text(text)
    return q


def m_contrib_ours(path: Path, runs: int) -> dict:
    """``dipontology.validate.validate([contribution], data_dir=...)``: a 1,000-triple contribution against the
    published graph (parsed before timing, as a process that validates contributions keeps it): its own nodes and
    the published records they mention, with every contribution check."""
    from dipontology import published as P
    from dipontology import shacl as S
    from dipontology import validate as V

    d = _published_dir(path)
    P.published(P.stamp(P.published_files(d)))  # parse once, untimed
    contribution = _contribution(path)
    found = []

    def go():
        found.append(len(V.validate([contribution], data_dir=d).findings))

    go()  # warm: shapes compiled, ontology graph built
    return {"seconds": _median_times(go, runs), "findings": found[-1], "contribution_triples": 1000}


#: the contribution "at the limits" (issue #16): as many statements as a contribution may hold
#: (dipontology.load.Limits.CONTRIBUTION, raised by DIPONTOLOGY_MAX_TRIPLES / DIPONTOLOGY_MAX_BYTES)
LIMITS_TRIPLES = int(os.environ.get("DIPONTOLOGY_BENCH_CONTRIB_TRIPLES", "500000"))
#: the issue's case: 1.2 million statements (37 MB in the issue; ~60 MB as the generator writes them), now over the
#: contribution limits: measured as what a contributor meets (the refusal), and with the limits raised
OVER_LIMITS_TRIPLES = 1_200_000


def _big_contribution(triples: int = LIMITS_TRIPLES) -> Path:
    """A contribution of ``triples`` triples that brings everything it needs: its own sources, places, conflicts,
    actors, initiatives, activities, outcomes and their statements (the generator's records, renamed so that none
    is a published record), written as compact Turtle (subjects grouped) as a researcher's tool would write it."""
    import pyoxigraph as ox

    sys.path.insert(0, str(HERE))
    from generate import PREFIXES, generate

    out = BENCH_DIR / "contrib-limits"
    q = out / f"contribution-{triples}.ttl"
    if q.exists():
        return q
    p = generate(triples, out, violation_rate=0.0, seed=11)
    text = p.read_text(encoding="utf-8")
    for slug in ("src-", "place-", "conflict-", "actor-", "initiative-", "fact-"):
        text = text.replace(f":{slug}", f":contributed-{slug}")
    prefixes = dict(re.findall(r"@prefix (\w*): <([^>]+)>", PREFIXES))
    triples_ = [t.triple for t in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)]
    tmp = q.with_suffix(".tmp")
    tmp.write_bytes(ox.serialize(triples_, format=ox.RdfFormat.TURTLE, prefixes=prefixes))
    os.replace(tmp, q)
    p.unlink()
    return q


def _published_with_shipped(path: Path) -> Path:
    from dipontology import resources

    d = BENCH_DIR / f"published-with-shipped-{path.stem}"
    if not d.exists():
        tmp = d.with_name(d.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(resources.data_dir(), tmp)
        try:
            os.link(path, tmp / "cases" / "generated.ttl")
        except OSError:
            shutil.copyfile(path, tmp / "cases" / "generated.ttl")
        os.replace(tmp, d)
    return d


def _validate_command(contribution: Path, data: Path, env: dict | None = None) -> dict:
    cmd = [str(Path(sys.executable).with_name("dipontology")), "validate", str(contribution), "--data-dir", str(data),
           "--fail-on", "never", "--format", "json"]
    out = {}

    def go():
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})})
        if proc.returncode not in (0, 1, 2):
            raise RuntimeError((proc.stderr or proc.stdout).strip()[-400:])
        out["exit"] = proc.returncode
        out["findings"] = proc.stdout.count('"level"')
        out["message"] = proc.stderr.strip()[-300:] if proc.returncode == 2 else None

    return {"go": go, "out": out}


def m_contrib_over_limits(path: Path, runs: int) -> dict:
    """The issue's 1.2-million-statement contribution as a contributor meets it: ``dipontology validate`` refuses it
    at the contribution limits (exit 2, naming the limit and its variable); peak memory is the command's."""
    contribution = _big_contribution(OVER_LIMITS_TRIPLES)
    run = _validate_command(contribution, _published_with_shipped(path))
    secs = _median_times(run["go"], runs)
    return {"seconds": secs, "contribution_triples": OVER_LIMITS_TRIPLES,
            "contribution_bytes": contribution.stat().st_size, **run["out"]}


def m_contrib_over_limits_raised(path: Path, runs: int) -> dict:
    """The same 1.2-million-statement contribution validated with the limits switched off
    (``DIPONTOLOGY_MAX_TRIPLES=none DIPONTOLOGY_MAX_BYTES=none``): what a larger contribution costs."""
    contribution = _big_contribution(OVER_LIMITS_TRIPLES)
    run = _validate_command(contribution, _published_with_shipped(path),
                            {"DIPONTOLOGY_MAX_TRIPLES": "none", "DIPONTOLOGY_MAX_BYTES": "none"})
    secs = _median_times(run["go"], 1)
    return {"seconds": secs, "contribution_triples": OVER_LIMITS_TRIPLES,
            "contribution_bytes": contribution.stat().st_size, **run["out"]}


def m_contrib_limits(path: Path, runs: int) -> dict:
    """``dipontology validate CONTRIBUTION --data-dir DIR`` as a command, the whole call (parse of the published
    graph and of the contribution, every check, the shapes): a contribution at the limits (LIMITS_TRIPLES triples)
    against the published graph of this size (the generated graph beside the shipped records and cases). Peak
    memory is the command's."""
    contribution = _big_contribution()
    d = _published_with_shipped(path)
    run = _validate_command(contribution, d)
    secs = _median_times(run["go"], runs)
    out = run["out"]
    published = sum(1 for _ in open(path, encoding="utf-8")) - 1
    return {"seconds": secs, "contribution_triples": LIMITS_TRIPLES, "contribution_bytes": contribution.stat().st_size,
            "findings": out.get("findings"), "published_files": sum(1 for _ in d.rglob("*.ttl")),
            "published_lines": published}


def _named_queries():
    from dipontology import query as Q

    out = []
    for name, q in sorted(Q.library().items()):
        params = _example_params(q)
        try:
            q.bindings(params)
        except Exception:  # noqa: BLE001 - a query whose example does not bind: skipped and reported
            out.append((name, q, None))
            continue
        out.append((name, q, params))
    return out


def _example_params(q) -> dict:
    return {m.group(1): m.group(2) for m in re.finditer(r"--param\s+(\w+)=(\S+)", q.example or "")}


#: the source a ``source`` parameter names when its example's source is not in the generated graph
GENERATED_SOURCE = "source:src-0"


def _source_in_graph(q, params: dict, store) -> dict:
    """``params``, with each ``source`` parameter whose example value is not a source of ``store`` (the example
    names a shipped source, the generated graph has its own) set to :data:`GENERATED_SOURCE`; ``{"error": ...}``
    if the query still cannot be prepared."""
    from dipontology.errors import InputError
    from dipontology.query import SourceIndex

    params = dict(params)
    for p in q.parameters:
        if p.type == "source" and p.name in params:
            try:
                p.bind(params[p.name]).resolve(SourceIndex.of(store))
            except InputError:
                params[p.name] = GENERATED_SOURCE
    try:
        q.prepare(store, params)
    except Exception as exc:  # noqa: BLE001 - recorded, the other queries still run
        return {"error": f"error: {type(exc).__name__}: {exc}"[:120]}
    return params


def _embedded(st):
    from dipontology.store import Embedded

    return Embedded(store=st)


def m_query_ours(path: Path, runs: int) -> dict:
    import pyoxigraph as ox

    from dipontology import graph as G
    from dipontology.namespaces import PREFIXES
    from dipontology.store import check_query, insert_values

    st = _ox_store(path)
    ours = _embedded(st)
    per: dict = {}
    # queries too slow to run at this size (a query plan that grows faster than linearly), named by the caller
    skip = {n.strip() for n in os.environ.get("DIPONTOLOGY_BENCH_SKIP_QUERIES", "").split(",") if n.strip()}
    for name, q, params in _named_queries():
        if params is None:
            per[name] = {"skipped": "needs a parameter its example does not give"}
            continue
        if name in skip:
            per[name] = {"skipped": "not run at this size (DIPONTOLOGY_BENCH_SKIP_QUERIES): see the text"}
            continue
        params = _source_in_graph(q, params, ours)
        if "error" in params:
            per[name] = {"skipped": params["error"]}
            continue
        # NamedQuery.prepare (as NamedQuery.run calls it): the parameters typed and a `source` parameter looked
        # up in the store and turned into a filter of IRIs in the text; timed apart ("prepare"), as the bindings
        # were before the source parameters existed
        t_prep = _median_times(lambda: q.prepare(ours, params), runs)
        prepared, b = q.prepare(ours, params)
        rows = []

        def mine():  # ours: the prepared text through our store API (the rest of NamedQuery.run); every solution
            # is taken from the engine, as plain() iterates them; their terms are converted when a caller reads them
            rows.append(len(ours.query(prepared, bindings=b, source=q.source)))
        # plain pyoxigraph: the same prepared text, the other parameters as substitutions where the query selects
        # them, else a VALUES block
        info = check_query(prepared)
        subs, rest = {}, {}
        for k, v in b.items():
            if info.kind == "select" and k in info.variables:
                subs[ox.Variable(k)] = G.to_oxigraph(v)
            else:
                rest[k] = v
        text = insert_values(prepared, rest)

        def plain():
            r = st.query(text, prefixes=PREFIXES, substitutions=subs or None)
            if hasattr(r, "__iter__"):
                for _ in r:
                    pass

        # side by side in the same process: each run times both, alternating which goes first, after a garbage
        # collection, so that the machine's load falls on both alike
        t_ours, t_plain = [], []
        for i in range(max(runs, 3)):
            pair = ((mine, t_ours), (plain, t_plain)) if i % 2 == 0 else ((plain, t_plain), (mine, t_ours))
            for fn, times in pair:
                gc.collect()
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
        per[name] = {"ours": statistics.median(t_ours), "pyoxigraph": statistics.median(t_plain), "rows": rows[0],
                     "prepare": statistics.median(t_prep)}
        if params != _example_params(q):
            per[name]["params"] = params  # not the example's
        partial = os.environ.get("DIPONTOLOGY_BENCH_PARTIAL")
        if partial:  # so that a measurement stopped by its time box still reports the queries it finished
            Path(partial).write_text(json.dumps(per))
    return {"seconds": [sum(v["ours"] for v in per.values() if "ours" in v)], "queries": per}


def m_query_rdflib(path: Path, runs: int) -> dict:
    from dipontology.namespaces import PREFIXES

    box = float(os.environ.get("DIPONTOLOGY_BENCH_QUERY_BOX", "60"))  # time box of one query

    g = _rdflib_graph(path)
    per: dict = {}
    ours = None  # a store to resolve `source` parameters in (NamedQuery.prepare), loaded only if a query needs it

    class Stop(Exception):
        pass

    def alarm(_s, _f):
        raise Stop

    signal.signal(signal.SIGALRM, alarm)
    for name, q, params in _named_queries():
        if params is None:
            per[name] = {"skipped": "needs a parameter its example does not give"}
            continue
        text, b = q.text, q.bindings(params)
        if any(not hasattr(v, "n3") for v in b.values()):  # a source choice: the text with its filter of IRIs
            ours = ours or _embedded(_ox_store(path))
            params = _source_in_graph(q, params, ours)
            if "error" in params:
                per[name] = {"rdflib_error": params["error"]}
                continue
            text, b = q.prepare(ours, params)
        times = []
        try:
            for _ in range(runs):
                signal.setitimer(signal.ITIMER_REAL, box)
                t = time.perf_counter()
                list(g.query(text, initNs=PREFIXES, initBindings=b))
                times.append(time.perf_counter() - t)
                signal.setitimer(signal.ITIMER_REAL, 0)
                if times[-1] > box / 3:
                    break
            per[name] = {"rdflib": statistics.median(times)}
        except Stop:
            per[name] = {"rdflib_stopped": box}
        except Exception as exc:  # noqa: BLE001 - rdflib's engine fails on some of our queries: recorded
            per[name] = {"rdflib_error": f"{type(exc).__name__}: {exc}"[:120]}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return {"seconds": [sum(v.get("rdflib", 0) for v in per.values())], "queries": per}


def m_export_ours(path: Path, runs: int) -> dict:
    import pyoxigraph as ox

    from dipontology.export import GRAPH_FORMATS, serialize_triples

    st = _ox_store(path)
    triples = [q.triple for q in st]
    per = {}
    for fmt in GRAPH_FORMATS:
        per[fmt] = statistics.median(_median_times(lambda: serialize_triples(triples, fmt), runs))
    # the ceiling of any export written through pyoxigraph: its own writer on the same triples, unsorted, without
    # prefixes (JSON-LD: its expanded form, where ours is compacted); not a baseline to beat, the floor under ours
    floor = {}
    for fmt in GRAPH_FORMATS:
        ox_fmt = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                  "rdfxml": ox.RdfFormat.RDF_XML, "trig": ox.RdfFormat.TRIG}[fmt]
        floor[fmt] = statistics.median(_median_times(lambda: ox.serialize(triples, format=ox_fmt), runs))
    return {"seconds": [sum(per.values())], "formats": per, "pyoxigraph_unsorted": floor}


def m_export_rdflib(path: Path, runs: int) -> dict:
    box = float(os.environ.get("DIPONTOLOGY_BENCH_EXPORT_BOX", "120"))  # time box of one format
    g = _rdflib_graph(path)
    names = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml", "trig": "trig"}
    per = {}

    class Stop(Exception):
        pass

    def alarm(_s, _f):
        raise Stop

    signal.signal(signal.SIGALRM, alarm)
    for fmt, rf in names.items():
        try:
            signal.setitimer(signal.ITIMER_REAL, box)
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                g.serialize(format=rf)
                times.append(time.perf_counter() - t)
                if times[-1] > box / 3:
                    break
            per[fmt] = statistics.median(times)
        except Stop:
            per[fmt] = f"> {box:.0f} s (stopped)"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return {"seconds": [sum(v for v in per.values() if isinstance(v, float))], "formats": per}


def m_check_ours(path: Path, runs: int) -> dict:
    """``dipontology check`` of a user's files (ontology + the generated graph, each through the safe loader). The
    1M file (70 MB) is over the loader's 64 MiB limit for one file, so this measurement's process lifts the limits,
    as a user checking such a file would (``DIPONTOLOGY_MAX_BYTES=none``)."""
    os.environ["DIPONTOLOGY_MAX_BYTES"] = "none"
    os.environ["DIPONTOLOGY_MAX_TRIPLES"] = "none"
    from dipontology.check import check

    found = []
    secs = _median_times(lambda: found.append(len(check([_onto(), path], fail_on="none").findings)), runs)
    return {"seconds": secs, "findings": found[0]}


def m_reason_ours(path: Path, runs: int) -> dict:
    from dipontology.reason import reason

    g = _rdflib_graph(path)
    out = []
    secs = _median_times(lambda: out.append(reason(g, cache=False)), runs)
    r = out[0]
    return {"seconds": secs, "consistent": r.consistent, "inferred": len(r.inferred), "stages": r.stages}


def _shipped_graph():
    """The shipped ontology and data as one rdflib graph (what ``dipontology reason`` reasons over)."""
    from rdflib import Graph

    from dipontology import resources
    from dipontology.load import trusted_graph

    g = Graph()
    for f in [resources.ontology_file(), *resources.data_files()]:
        g += trusted_graph(f)
    return g


def m_reason_shipped(path: Path, runs: int) -> dict:
    """``reason()`` on the shipped graph (ontology + shipped data, whatever the size), cold: HermiT runs every time
    (``cache=False``), in a fresh process (the JVM started by it). Measured beside every size for the record."""
    from dipontology.reason import reason

    g = _shipped_graph()
    out = []
    secs = _median_times(lambda: out.append(reason(g, cache=False)), runs)
    return {"seconds": secs, "consistent": out[0].consistent, "inferred": len(out[0].inferred),
            "unsatisfiable": len(out[0].unsatisfiable), "triples": len(g)}


def m_reason_shipped_hermit(path: Path, runs: int) -> dict:
    """The shipped graph whole to HermiT (``method="hermit"``), the judge of :func:`m_reason_shipped`."""
    from dipontology.reason import reason

    g = _shipped_graph()
    out = []
    secs = _median_times(lambda: out.append(reason(g, cache=False, method="hermit")), runs)
    return {"seconds": secs, "consistent": out[0].consistent, "inferred": len(out[0].inferred),
            "unsatisfiable": len(out[0].unsatisfiable)}


def m_reason_hermit(path: Path, runs: int) -> dict:
    """The whole graph to HermiT (``reason(method="hermit")``: the ontology and every assertion in one owlready2
    world), the judge the default method is compared with."""
    from dipontology.reason import reason

    g = _rdflib_graph(path)
    out = []
    secs = _median_times(lambda: out.append(reason(g, cache=False, method="hermit")), runs)
    return {"seconds": secs, "consistent": out[0].consistent, "inferred": len(out[0].inferred)}


def m_reason_warm(path: Path, runs: int) -> dict:
    import tempfile

    from dipontology.reason import reason

    os.environ["DIPONTOLOGY_CACHE_DIR"] = tempfile.mkdtemp(prefix="dipontology-bench-reason-")
    g = _rdflib_graph(path)
    reason(g)   # fills the cache
    return {"seconds": _median_times(lambda: reason(g), runs)}


def m_reason_owlready2(path: Path, runs: int) -> dict:
    """Plain owlready2 + HermiT on the same input (our preparation applied first, as HermiT rejects xsd:gYear)."""
    import tempfile

    import owlready2

    from dipontology.reason import prepare

    clean, _dropped = prepare(_rdflib_graph(path))
    nt = Path(tempfile.mkdtemp(prefix="dipontology-bench-hermit-")) / "input.nt"
    clean.serialize(nt, format="nt", encoding="utf-8")

    def go():
        world = owlready2.World()
        onto = world.get_ontology(nt.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            pass
        world.close()

    return {"seconds": _median_times(go, runs)}


def m_infer_ours(path: Path, runs: int) -> dict:
    import pyoxigraph as ox

    from dipontology.inference import close_store

    # what `dipontology query --inferred --load FILE` does: close the loaded store in place
    out = []

    def go():
        st = _ox_store(path)
        t = time.perf_counter()
        close_store(st)
        out.append((len(st), time.perf_counter() - t))

    _median_times(go, runs)
    return {"seconds": [o[1] for o in out], "closure_triples": out[0][0], "ox": ox.__version__}


def m_infer_owlrl(path: Path, runs: int) -> dict:
    import owlrl

    def go():
        g = _rdflib_graph(path)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)

    return {"seconds": _median_times(go, runs), "note_parse": "includes the rdflib parse of the input"}


def m_cli_ours(path: Path, runs: int) -> dict:
    """The whole command, as a user runs it: ``dipontology query track-labels --load FILE`` (a small query, so the
    time is the start: hash, then parse or open), first with an empty store cache (parse and save), then again
    (open the saved store), and with ``--no-cache`` (parse into memory every time)."""
    import shutil
    import tempfile

    exe = str(Path(sys.executable).with_name("dipontology"))
    d = tempfile.mkdtemp(prefix="dipontology-bench-cli-")
    env = {**os.environ, "DIPONTOLOGY_CACHE_DIR": d}
    cmd = [exe, "query", "track-labels", "--format", "csv", "-q", "--load", str(path)]

    def go(*extra):
        proc = subprocess.run(cmd + list(extra), capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip()[-400:])

    t = time.perf_counter()
    go()
    cold = time.perf_counter() - t
    warm = _median_times(go, runs)
    nocache = _median_times(lambda: go("--no-cache"), runs)
    shutil.rmtree(d, ignore_errors=True)
    return {"seconds": warm, "cold": round(cold, 4), "no_cache": round(statistics.median(nocache), 4)}


def _drop_fs_caches() -> bool:
    """Drop the kernel's dentry and inode caches (``/proc/sys/vm/drop_caches``: root only; False when not allowed),
    before each build. A build creates a file per record and format (about 860,000 at 1M); the dentries and inodes
    that earlier builds and their deletions leave behind made creating a file several times slower on this machine
    (100,000 files: 15.9 s of system time, 4.6 s after dropping them), so each build starts from the same state."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("2\n")
        return True
    except OSError:
        return False


#: seconds between two samples of the build's process tree: reading ``smaps_rollup`` walks a process's page tables
#: (about 50 ms for each process of 1-1.5 GB, measured here), so sampling every 0.2 s took most of a core of the
#: two the build itself uses; memory changes over seconds in a build of minutes
PSS_EVERY = 2.0


def _tree_pss_kb(root: int) -> int:
    """The summed proportional set size (``Pss`` of ``/proc/PID/smaps_rollup``) of a process and all its
    descendants: the memory the tree really holds, pages shared after a fork counted once."""
    tree, i = [root], 0
    while i < len(tree):
        try:
            for tid in os.listdir(f"/proc/{tree[i]}/task"):
                with open(f"/proc/{tree[i]}/task/{tid}/children") as f:
                    tree += [int(x) for x in f.read().split()]
        except OSError:
            pass
        i += 1
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next((int(ln.split()[1]) for ln in f if ln.startswith("Pss:")), 0)
        except OSError:
            pass
    return total


def m_build_ours(path: Path, runs: int) -> dict:
    """`dipontology build --data DIR` (every stage: check, reason, validate, queries, pages) of a release from
    generated data without violations, as one command.

    The data folder holds the generated initiatives (``violation_rate=0``, same size as ``path``) beside the shipped
    shared records, so the build's gates pass and it writes the whole release. Memory is measured two ways: the
    largest single process (``ru_maxrss`` of the children, in ``rss_mb``) and the peak of the summed PSS of the
    whole process tree (the build runs its gates, queries and page helpers in forked processes at the same time),
    sampled every 0.2 s.
    """
    import shutil
    import tempfile
    import threading

    from dipontology import resources

    sys.path.insert(0, str(HERE))
    from generate import generate

    size = int(path.stem.split("-")[-1])
    work = Path(tempfile.mkdtemp(prefix="dipontology-bench-build-"))
    data = work / "data"
    (data / "cases").mkdir(parents=True)
    for f in resources.data_files():
        rel = Path(f).relative_to(resources.data_dir())
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, data / rel)
    gen = generate(size, work, violation_rate=0.0, seed=3)
    # one case file per 50,000 lines, as contributions arrive (and under the loader's 64 MiB limit per file)
    lines = gen.read_text(encoding="utf-8").splitlines(keepends=True)
    head = [ln for ln in lines if ln.startswith("@prefix")]
    body = [ln for ln in lines if not ln.startswith("@prefix")]
    for i in range(0, len(body), 50_000):
        (data / "cases" / f"generated-{i // 50_000:04d}.ttl").write_text("".join(head + body[i:i + 50_000]),
                                                                       encoding="utf-8")
    del lines, head, body
    cmd = [str(Path(sys.executable).with_name("dipontology")), "build", "--data", str(data), "-o", str(work / "dist"),
           "-q"]
    tree_peaks: list[int] = []

    def go():
        peak = [0]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], _tree_pss_kb(proc.pid))
                stop.wait(PSS_EVERY)

        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        out, err = proc.communicate()
        stop.set()
        watcher.join()
        tree_peaks.append(peak[0])
        if proc.returncode != 0:
            raise RuntimeError((err or out).strip()[-400:])

    dropped: list[bool] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs = _median_times(go, runs, setup=lambda: dropped.append(_drop_fs_caches()))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    files = sum(1 for p in (work / "dist").rglob("*") if p.is_file())
    shutil.rmtree(work, ignore_errors=True)
    return {"seconds": secs, "release_files": files, "tree_pss_mb": round(max(tree_peaks) / 1024, 1),
            "fs_caches_dropped": all(dropped),
            # CPU time of the build's processes per run: user (our code) and system (the kernel: files, page faults)
            "cpu_user": round((after.ru_utime - before.ru_utime) / len(secs), 1),
            "cpu_sys": round((after.ru_stime - before.ru_stime) / len(secs), 1)}


MEASURES = {k[2:]: v for k, v in globals().items() if k.startswith("m_")}
#: the stages that measure a plain library (the baselines), boxed by ``--box``; every other stage is dipontology's
BASELINES = frozenset({"load_rdflib", "load_pyoxigraph", "load_pyoxigraph_disk", "validate_pyshacl", "query_rdflib",
                       "export_rdflib", "reason_shipped_hermit", "reason_hermit", "reason_owlready2", "infer_owlrl"})


# --------------------------------------------------------------------------------------------------------------
# the driver


def measure(name: str, path: Path, runs: int, box: float) -> dict:
    """Run one measurement in a child process under a time box; record median, runs and peak memory."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", name, str(path), str(runs)]
    started = time.perf_counter()
    # a session of its own, so that a stopped measurement takes its children (HermiT's JVM) with it
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                             env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        stdout, stderr = child.communicate(timeout=box)
        proc = subprocess.CompletedProcess(cmd, child.returncode, stdout, stderr)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        child.communicate()
        out = {"stage": name, "stopped": round(box), "note": f"> {box:.0f} s (stopped)"}
        partial = os.environ.get("DIPONTOLOGY_BENCH_PARTIAL")
        if partial and Path(partial).exists():
            out["queries"] = json.loads(Path(partial).read_text())
            out["seconds"] = [sum(v["ours"] for v in out["queries"].values() if "ours" in v)]
        return out
    if proc.returncode != 0:
        return {"stage": name, "error": proc.stderr.strip().splitlines()[-1:] or ["exit %d" % proc.returncode]}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["stage"] = name
    out["median"] = statistics.median(out["seconds"])
    out["wall"] = round(time.perf_counter() - started, 2)
    return out


def machine() -> dict:
    import pyoxigraph
    import pyshacl
    import rdflib

    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "rdflib": rdflib.__version__, "pyshacl": pyshacl.__version__,
            "pyoxigraph": pyoxigraph.__version__}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--measure", nargs=3, metavar=("NAME", "FILE", "RUNS"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--stages", nargs="+", default=list(MEASURES))
    ap.add_argument("--box", type=float, default=600.0, help="time box of one baseline measurement, seconds")
    ap.add_argument("--box-ours", type=float, default=1800.0,
                    help="time box of one measurement of dipontology's own code, seconds (a stopped one is a failure "
                         "to report, not a lower bound)")
    ap.add_argument("--box-stage", action="append", default=[], metavar="STAGE=SECONDS",
                    help="the time box of one stage, instead of --box or --box-ours (repeatable); e.g. "
                         "export_rdflib=400 at 1M, where rdflib's parse alone takes about 40 s of the box")
    ap.add_argument("--results", type=Path, default=BENCH_DIR / "results.json")
    args = ap.parse_args(argv)
    boxes: dict[str, float] = {}
    for item in args.box_stage:
        stage, _, secs = item.partition("=")
        if stage not in MEASURES or not secs:
            ap.error(f"--box-stage {item!r}: give STAGE=SECONDS with a stage of {', '.join(MEASURES)}")
        boxes[stage] = float(secs)
    if args.measure:
        name, file, runs = args.measure
        out = MEASURES[name](Path(file), int(runs))
        # a stage that runs the command in a child process (build) reports the child's peak too
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        out["rss_mb"] = max(_rss_mb(), round(children, 1))
        out["seconds"] = [round(s, 4) for s in out["seconds"]]
        print(json.dumps(out, default=str))
        return 0
    records = json.loads(args.results.read_text()) if args.results.exists() else {"machine": machine(), "runs": []}
    records["machine"] = machine()
    for size in args.sizes:
        path = BENCH_DIR / f"gen-{size}.ttl"
        if not path.exists():
            print(f"missing {path}: run bench/generate.py --triples {size}", file=sys.stderr)
            return 2
        # one invocation per size: when it ran, how loaded the machine was before and after, which stages
        invocation = {"size": size, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                      "load_before": [round(x, 2) for x in os.getloadavg()], "stages": list(args.stages),
                      "runs": args.runs, "box": args.box, "box_ours": args.box_ours, "box_stage": boxes, "command": " ".join(["bench/run.py", *(argv or sys.argv[1:])])}
        t_size = time.perf_counter()
        for stage in args.stages:
            print(f"{size} {stage} ...", file=sys.stderr, flush=True)
            box = boxes.get(stage, args.box if stage in BASELINES else args.box_ours)
            r = measure(stage, path, args.runs, box)
            r["size"] = size
            r["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            records["runs"] = [x for x in records["runs"] if not (x["size"] == size and x["stage"] == stage)]
            records["runs"].append(r)
            args.results.parent.mkdir(parents=True, exist_ok=True)
            tmp = args.results.with_suffix(".tmp")
            tmp.write_text(json.dumps(records, indent=1, default=str))
            os.replace(tmp, args.results)
            print(f"  {r.get('median', r.get('note', r.get('error')))} s, {r.get('rss_mb')} MB", file=sys.stderr,
                  flush=True)
        invocation.update(finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                          load_after=[round(x, 2) for x in os.getloadavg()],
                          wall_seconds=round(time.perf_counter() - t_size, 1))
        records["invocations"] = [x for x in records.get("invocations", []) if x["size"] != size] + [invocation]
        tmp = args.results.with_suffix(".tmp")
        tmp.write_text(json.dumps(records, indent=1, default=str))
        os.replace(tmp, args.results)
        print(f"{size}: every stage in {invocation['wall_seconds']:.0f} s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
