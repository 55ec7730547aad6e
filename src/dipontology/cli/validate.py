"""``dipontology validate [FILES...]``: SHACL validation with a report a contributor can act on."""
from __future__ import annotations

import argparse

from ._common import add_output_options, add_quiet, emit, progress

#: the engines of dipontology.validate.SHACL_ENGINES (not imported here: the command line starts without rdflib)
SHACL_ENGINES = ("turbo", "pyshacl")

FAIL_ON = ("violation", "warning", "info", "never")


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fail-on", choices=FAIL_ON, default="violation", type=str.lower,
                        help="exit 1 when a finding is at this level or above (default: violation)")


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR",
                        help="the published data folder to validate against (default: the shipped data/)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate", help="validate the shipped data, or a contribution, against the SHACL shapes",
        description="With no files, validate the shipped data against the project's SHACL shapes. With files "
        "(Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML), validate them as a contribution: merged with the "
        "published records they mention, reporting only findings about the contribution, plus contribution checks "
        "(record namespaces, collisions with published records, misspelt dip: terms). --shapes adds SHACL shapes of "
        "your own; --no-builtin-shapes applies them alone. Nothing is ever fetched.",
        epilog="Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 a file cannot be read "
        "or parsed (the message names file:line:column); 3 internal error. The JSON report's schema is documented "
        "in docs/contributing.md.")
    p.add_argument("files", nargs="*", metavar="FILE", help="contribution files to validate")
    add_fail_on(p)
    add_data_dir(p)
    p.add_argument("--shapes", action="append", metavar="FILE", default=None,
                   help="a SHACL shapes file of your own (an application profile), applied beside the project's "
                   "shapes; repeat for several files. Parsed like a contribution: nothing it imports is followed, "
                   "SERVICE is refused")
    p.add_argument("--no-builtin-shapes", action="store_true",
                   help="validate against the --shapes files alone: without the project's shapes and contribution "
                   "checks")
    p.add_argument("--engine", choices=SHACL_ENGINES, type=str.lower, default=None,
                   help="SHACL engine: turbo (pyshacl-turbo, the default) or pyshacl (the reference, much slower); "
                   "both give the same findings")
    add_output_options(p, ("text", "json", "md", "tsv", "ttl"), "text")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # the validation stack (SHACL engines, shapes, published graph) costs 0.4 s beyond what every command loads:
    # optional dependency, loaded only when this command runs
    from ..validate import validate

    what = f"{len(args.files)} file(s) as a contribution" if args.files else "the published data"
    progress(args, f"validating {what} ...")
    report = validate(args.files or None, fail_on=args.fail_on, data_dir=args.data_dir,
                      engine=getattr(args, "engine", None), shapes=args.shapes,
                      builtin_shapes=not args.no_builtin_shapes)
    emit(report.render(args.format), args.output)
    if args.output:
        progress(args, report.summary())
    return report.exit_code()
