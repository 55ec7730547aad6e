"""``dipontology export``: the whole graph (ontology + data) in one RDF format."""
from __future__ import annotations

import argparse
import sys

from ..export import GRAPH_FORMATS, export_graph
from ._common import add_quiet, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="write the whole graph (ontology + data) as Turtle, N-Triples, JSON-LD, RDF/XML or TriG",
        description="Serialise the shipped ontology and data, or with --inferred their OWL 2 RL closure (the rules "
        "of dipontology.inference, checked against owlrl), in one RDF format. Output is sorted, so it is stable.")
    p.add_argument("--format", choices=GRAPH_FORMATS, default="ttl", help="RDF format (default: ttl)")
    p.add_argument("--inferred", action="store_true", help="export the OWL 2 RL closure instead of the asserted graph")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.inferred:
        progress(args, "computing the OWL 2 RL closure ...")
    result = export_graph(args.format, inferred=args.inferred, output=args.output)
    if args.output:
        progress(args, f"wrote {result.triples} triples to {args.output}")
    else:
        sys.stdout.buffer.write(result.data)
        sys.stdout.flush()
    return 0
