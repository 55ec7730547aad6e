"""``dipontology convert case.csv [-o case.ttl]``: turn a filled-in CSV template into Turtle."""
from __future__ import annotations

import argparse
import sys

from ._common import add_quiet, emit, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "convert", help="convert a filled-in case-study CSV template to Turtle",
        description="Convert a case-study CSV (see `dipontology template case`) to Turtle. Every cell that cannot "
        "be used is reported with its row (line) and column, and nothing is written; otherwise the Turtle goes to "
        "standard output or -o FILE. Validate the result with `dipontology validate`.",
        epilog="Exit codes: 0 converted; 1 cells that cannot be used (listed); 2 not a CSV template; 3 internal "
        "error.")
    p.add_argument("file", metavar="FILE.csv", help="the filled-in template")
    p.add_argument("-o", "--output", metavar="FILE", help="write the Turtle to FILE (atomically)")
    p.add_argument("--format", choices=("text", "json", "md"), default="text",
                   help="format of the problem report when there are problems (default: text)")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..contrib import convert_csv
    from ..validate import ValidationReport

    converted = convert_csv(args.file)
    problems = [f for f in converted.findings if f.level == "Violation"]
    if problems:
        report = ValidationReport(converted.findings, files=[args.file])
        sys.stdout.write(report.render(args.format))
        return 1
    for warning in converted.findings:
        progress(args, f"{warning.where()}: {warning.level}: {warning.message} (fix: {warning.fix})")
    emit(converted.turtle, args.output)
    if args.output:
        progress(args, f"wrote {args.output} ({len(converted.graph)} triples)")
    return 0
