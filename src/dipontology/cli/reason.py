"""``dipontology reason``: HermiT consistency, unsatisfiable classes and inferred memberships."""
from __future__ import annotations

import argparse

from rdflib import Graph

from ..errors import InputError
from ._common import add_output_options, add_quiet, emit, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reason", help="run the HermiT reasoner: consistency, unsatisfiable classes, inferred class memberships",
        description="Run HermiT (through owlready2; needs Java) over the shipped ontology and data, or over the "
        "given Turtle files added to the ontology. Exit 1 when inconsistent or a class is unsatisfiable.")
    p.add_argument("files", nargs="*", metavar="FILE", help="RDF files (any format the loader reads) to reason over together with the ontology")
    p.add_argument("--ontology-only", action="store_true", help="reason over the ontology without the shipped data")
    p.add_argument("--no-cache", action="store_true",
                   help="always run HermiT (results are otherwise cached by the content hash of the input)")
    add_output_options(p, ("text", "json"), "text")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..load import load_file
    from ..reason import default_graph, reason, require_java

    require_java()
    graph: Graph = default_graph(include_data=not args.ontology_only and not args.files)
    for f in args.files:
        # the safe loader: any RDF format, size/triple/depth limits, nothing fetched, file:line in errors
        graph += load_file(f).graph
    progress(args, f"reasoning over {len(graph)} triples with HermiT ...")
    result = reason(graph, cache=not args.no_cache)
    emit(result.to_json() if args.format == "json" else result.to_text(), args.output)
    return 0 if result.ok() else 1
