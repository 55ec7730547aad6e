"""``dipontology query``: run a named query, a query file or inline SPARQL on the embedded store or an endpoint."""
from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap

from .. import query as named
from ..atomic import write_bytes, write_text
from ..errors import InputError
from ..export import GRAPH_FORMATS, render_bytes
from ..store import open_store
from ._common import add_quiet, progress

FORMATS = ("table", "csv", "tsv", "json", "md", "html", "ttl", "nt", "jsonld", "rdfxml", "trig")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "query", help="run a named query (see --list), a .rq file or inline SPARQL",
        description="Run a query of the named library, a .rq file (--file) or inline SPARQL (--sparql) on the "
        "embedded store (the shipped ontology and data; --inferred adds their OWL 2 RL closure) or on a SPARQL 1.1 "
        "endpoint (--endpoint URL). Parameters are typed and bound as RDF terms. SERVICE, FROM and updates are "
        "refused on the embedded store (--allow-service lets SERVICE through).",
        epilog="examples: dipontology query --list; dipontology query compare-tracks; "
        "dipontology query cases-by-track --param track=CitizenDiplomacy --format csv -o cases.csv")
    p.add_argument("name", nargs="?", metavar="NAME", help="a named query (see --list)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--file", metavar="Q.rq", help="run the query in this file (a header with '# param:' lines "
                     "declares its parameters)")
    src.add_argument("--sparql", metavar="QUERY", help="run this SPARQL text (the project prefixes are predeclared)")
    src.add_argument("--list", action="store_true", help="list the named queries with their descriptions")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter of the query (repeatable)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: table for SELECT/ASK, ttl for CONSTRUCT/DESCRIBE)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    p.add_argument("--endpoint", metavar="URL", help="run on this SPARQL 1.1 Protocol endpoint instead")
    p.add_argument("--inferred", action="store_true", help="query the graph with its OWL 2 RL closure (embedded)")
    p.add_argument("--allow-service", action="store_true",
                   help="let SERVICE clauses reach other endpoints (off by default)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="stop a query that runs longer than S seconds, on the embedded store or an endpoint "
                   "(default 60; 0 for no limit on the embedded store)")
    p.add_argument("--load", action="append", default=[], metavar="FILE",
                   help="also load this RDF file (.ttl, .nt, .nq, .trig, .rdf) beside the shipped graph, e.g. a "
                   "Wikidata or PA-X extract (repeatable; embedded store only)")
    p.add_argument("--no-cache", dest="cache", action="store_false",
                   help="parse the files into memory instead of opening the persistent store cache "
                   "($DIPONTOLOGY_CACHE_DIR or ~/.cache/dipontology; DIPONTOLOGY_STORE_CACHE=0 also turns it off)")
    p.add_argument("--no-spreadsheet-safe", dest="spreadsheet_safe", action="store_false",
                   help="do not prefix formula-like CSV cells with ' when writing a file")
    p.add_argument("--show", action="store_true", help="print the query text instead of running it")
    add_quiet(p)
    p.set_defaults(func=run)


def _params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--param {pair!r} is not NAME=VALUE", fix="write e.g. --param track=TrackTwo")
        if name.strip() in out:
            raise InputError(f"--param {name.strip()} given twice", fix="give each parameter once")
        out[name.strip()] = value
    return out


def _list(args: argparse.Namespace) -> str:
    lib = named.library()
    if args.format == "json":
        return json.dumps([{"name": q.name, "title": q.title, "description": q.description,
                            "parameters": [{"name": p.name, "type": p.type, "default": p.default,
                                            "required": p.required, "description": p.description}
                                           for p in q.parameters],
                            "example": q.example} for q in lib.values()], indent=2, ensure_ascii=False)
    if args.format == "md":
        lines = ["| query | title | parameters |", "|---|---|---|"]
        for q in lib.values():
            lines.append(f"| `{q.name}` | {q.title} | {', '.join(p.name for p in q.parameters)} |")
        return "\n".join(lines)
    out = []
    for q in lib.values():
        out.append(f"{q.name} -- {q.title}")
        out.extend(textwrap.wrap(q.description, width=100, initial_indent="    ", subsequent_indent="    "))
        for p in q.parameters:
            dflt = "required" if p.required else ("unbound" if p.default is None else f"default {p.default}")
            out.append(f"    --param {p.name}=<{p.type}>  ({dflt}) {p.description}")
        out.append("")
    out.append(f"{len(lib)} named queries; run one with: dipontology query NAME [--param name=value ...]")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    if args.list:
        text = _list(args)
        if args.output:
            write_text(args.output, text + "\n")
        else:
            sys.stdout.write(text + "\n")
        return 0
    chosen = sum(bool(x) for x in (args.name, args.file, args.sparql))
    if chosen != 1:
        raise InputError("give exactly one of NAME, --file Q.rq or --sparql QUERY",
                         fix="see `dipontology query --list` for the named queries")
    params = _params(args.param)
    if args.name:
        nq = named.get(args.name)
    elif args.file:
        nq = named.load_file(args.file)
    else:
        nq = named.from_text(args.sparql, name="sparql")
        nq.path = None
    if args.show:
        sys.stdout.write(nq.text if nq.text.endswith("\n") else nq.text + "\n")
        return 0
    cache = args.cache and os.environ.get("DIPONTOLOGY_STORE_CACHE", "1").lower() not in ("0", "no", "off", "false")
    store = open_store(args.endpoint, inferred=args.inferred, timeout=args.timeout, load=args.load, cache=cache)
    progress(args, f"running {nq.name} on the {store.description} ...")
    result = nq.run(store, params, allow_service=args.allow_service, timeout=args.timeout)
    fmt = args.format or ("ttl" if result.kind == "graph" else "table")
    if fmt in GRAPH_FORMATS and result.kind != "graph":
        raise InputError(f"--format {fmt} is for CONSTRUCT/DESCRIBE queries; this is a {result.kind.upper()} query",
                         fix="use table, csv, tsv, json, md or html")
    if args.output:
        write_bytes(args.output, render_bytes(result, fmt, spreadsheet_safe=args.spreadsheet_safe))
        progress(args, f"wrote {len(result)} {'triples' if result.kind == 'graph' else 'rows'} to {args.output}")
    else:
        data = render_bytes(result, fmt, spreadsheet_safe=False)
        sys.stdout.buffer.write(data if data.endswith(b"\n") else data + b"\n")
        sys.stdout.flush()
    return 0
