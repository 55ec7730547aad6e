"""``dipontology push``: load the graph into a triple store through the SPARQL 1.1 Graph Store Protocol."""
from __future__ import annotations

import argparse

from ..errors import InputError
from ..store import push
from ._common import add_quiet, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "push", help="load the graph into a triple store (SPARQL 1.1 Graph Store Protocol)",
        description="Send the shipped ontology and data (or their OWL 2 RL closure) to the default graph of a "
        "triple store with the SPARQL 1.1 Graph Store Protocol. --endpoint http://host:port writes to "
        "http://host:port/store?default (Oxigraph's layout; a trailing /query is accepted); for other stores give "
        "the exact URL with --gsp (Fuseki: http://host:3030/DATASET/data?default). By default the graph is replaced "
        "(PUT); --append adds to it (POST).",
        epilog="example: oxigraph serve --location db --bind 127.0.0.1:7878 & "
        "dipontology push --endpoint http://127.0.0.1:7878 && "
        "dipontology query compare-tracks --endpoint http://127.0.0.1:7878/query")
    p.add_argument("--endpoint", metavar="URL", help="the store's base URL (or its /query endpoint)")
    p.add_argument("--gsp", metavar="URL", help="the exact Graph Store Protocol URL of the target graph")
    p.add_argument("--inferred", action="store_true", help="push the OWL 2 RL closure instead of the asserted graph")
    p.add_argument("--append", action="store_true", help="add to the graph (POST) instead of replacing it (PUT)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S", help="seconds to wait (default 300)")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (args.endpoint or args.gsp):
        raise InputError("no store to push to", fix="give --endpoint URL or --gsp URL")
    if args.inferred:
        progress(args, "computing the OWL 2 RL closure ...")
    result = push(args.endpoint, gsp=args.gsp, inferred=args.inferred, replace=not args.append,
                  timeout=args.timeout)
    progress(args, f"{result.method} {result.triples} triples to {result.url}: HTTP {result.status}")
    return 0
