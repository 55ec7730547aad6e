"""``dipontology reason``: consistency, unsatisfiable classes and inferred memberships, as HermiT finds them."""
from __future__ import annotations

import argparse

from rdflib import Graph

from ..load import load_file
from ..reason import default_graph, reason, require_java
from ._common import add_output_options, add_quiet, emit, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reason", help="reason as HermiT does: consistency, unsatisfiable classes, inferred class memberships",
        description="Reason over the shipped ontology and data, or over the given files added to the ontology, "
        "with HermiT's answers (needs Java). By default HermiT classifies the ontology and rules reason over the "
        "data, handing HermiT only what the rules cannot settle (linear in the data); --method hermit runs HermiT "
        "over everything at once. Exit 1 when inconsistent or a class is unsatisfiable.")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="RDF files (any format the loader reads) to reason over together with the ontology")
    p.add_argument("--ontology-only", action="store_true", help="reason over the ontology without the shipped data")
    p.add_argument("--no-cache", action="store_true",
                   help="always run HermiT (results are otherwise cached by the content hash of its input)")
    p.add_argument("--method", choices=("rules", "hermit"), default="rules",
                   help="rules: HermiT for the ontology, rules for the data (default); hermit: HermiT for all")
    add_output_options(p, ("text", "json"), "text")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    require_java()
    graph: Graph = default_graph(include_data=not args.ontology_only and not args.files)
    for f in args.files:
        # the safe loader: any RDF format, size/triple/depth limits, nothing fetched, file:line in errors
        graph += load_file(f).graph
    where = "HermiT" if args.method == "hermit" else "HermiT for the ontology, rules for the data"
    progress(args, f"reasoning over {len(graph)} triples ({where}) ...")
    result = reason(graph, cache=not args.no_cache, method=args.method,
                    progress=lambda message: progress(args, f"reason: {message}"))
    emit(result.to_json() if args.format == "json" else result.to_text(), args.output)
    return 0 if result.ok() else 1
