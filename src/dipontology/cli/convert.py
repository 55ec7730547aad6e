"""``dipontology convert case.csv [sources.csv ...] [-o contribution.ttl]``: turn filled-in CSV sheets into Turtle."""
from __future__ import annotations

import argparse
import sys

from ..contribution.convert import convert
from ..contribution.guard import refuse_hidden_cells
from ..findings import ValidationReport
from ._common import add_quiet, emit, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "convert", help="convert filled-in CSV sheets (case, source, actor, place, ...) to Turtle",
        description="Convert CSV sheets (see `dipontology template`) to one Turtle file; the sheets are read "
        "together, so a case may name an actor or source of another sheet. Every cell that cannot be used (an "
        "unknown reference, a bad date, a misspelt track) is reported with its row (line) and column, and nothing "
        "is written; otherwise the Turtle goes to standard output or -o FILE. Validate the result with "
        "`dipontology validate`.",
        epilog="Exit codes: 0 converted; 2 cells that cannot be used (listed), or a file that is not a sheet; "
        "3 internal error.")
    p.add_argument("files", nargs="+", metavar="FILE.csv", help="the filled-in sheets (or a folder of them)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the Turtle to FILE (atomically)")
    p.add_argument("--data-dir", metavar="DIR", help="resolve references against this data folder (default: the "
                   "workspace's or checkout's, else the shipped data)")
    p.add_argument("--format", choices=("text", "json", "md"), default="text",
                   help="format of the problem report when there are problems (default: text)")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    converted = convert(args.files, data_dir=args.data_dir)
    refuse_hidden_cells(converted)
    problems = [f for f in converted.findings if f.level == "Violation"]
    if problems:
        if args.format == "text":
            for f in problems:
                sys.stdout.write(f"{f.file}:{f.line}:{f.col or 1}: column {f.column}: {f.message} (fix: {f.fix})\n")
            print(f"{len(problems)} cell(s) cannot be used; nothing was written", file=sys.stderr)
        else:
            sys.stdout.write(ValidationReport(converted.findings, files=list(args.files)).render(args.format))
        return 2
    for warning in converted.findings:
        progress(args, f"{warning.where()}: {warning.level}: {warning.message} (fix: {warning.fix})")
    emit(converted.turtle, args.output)
    if args.output:
        progress(args, f"wrote {args.output} ({len(converted.graph)} triples)")
    return 0
