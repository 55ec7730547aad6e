"""``dipontology serve``: the built release over HTTP, content negotiation and a bounded SPARQL endpoint."""
from __future__ import annotations

import argparse
import sys

from ..errors import InputError
from ..serve import ReleaseServer
from ._common import add_quiet

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve", help="serve the built release: pages, content negotiation, a read-only SPARQL endpoint",
        description="Serve the release folder written by `dipontology build`. Record and ontology IRIs answer by "
        "content negotiation (HTML, Turtle, JSON-LD, RDF/XML, N-Triples); /sparql is a read-only SPARQL 1.1 "
        "Protocol endpoint with a time limit and a row cap that refuses updates, LOAD and SERVICE; /sparql/ is the "
        "release's SPARQL editor (YASGUI) with the named queries as examples.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--dist", default="dist", metavar="DIR", help="the release folder (default: dist)")
    p.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS",
                   help="stop a SPARQL query after this many seconds (default: 10)")
    p.add_argument("--row-cap", type=int, default=10000, metavar="N",
                   help="return at most N result rows (default: 10000)")
    p.add_argument("--workers", type=int, default=2, metavar="N", help="SPARQL worker processes (default: 2)")
    p.add_argument("--allow-service", action="store_true",
                   help="let SERVICE clauses through (the server then contacts the endpoints they name)")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.time_limit <= 0 or args.row_cap <= 0 or args.workers <= 0:
        raise InputError("--time-limit, --row-cap and --workers must be positive", fix="give positive numbers")
    if args.host not in _LOOPBACK:
        print(f"dipontology serve: warning: listening on {args.host}, reachable from other machines",
              file=sys.stderr)
    server = ReleaseServer(args.dist, args.host, args.port, time_limit=args.time_limit, row_cap=args.row_cap,
                           allow_service=args.allow_service, workers=args.workers, quiet=args.quiet)
    print(f"serving {args.dist} at {server.url}/ (SPARQL endpoint: {server.url}/sparql, editor: {server.url}/sparql/); "
          "Ctrl-C stops", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
