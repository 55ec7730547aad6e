"""``dipontology template KIND``: print an empty CSV sheet (or write every sheet into a folder)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..contribution.sheets import SHEETS, explain, template
from ..errors import InputError
from ._common import emit

KINDS = tuple(s.kind for s in SHEETS)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "template", help="print an empty CSV sheet (one header row) for contributing case studies and records",
        description="Print the CSV sheet of KIND: one header row; fill in one row per record, then run "
        "`dipontology convert FILE.csv ...` (several sheets together) or `dipontology validate FILE.csv`. The sheets: "
        + ", ".join(f"{s.kind} ({s.row})" for s in SHEETS) + ". `all -o DIR` writes every sheet into DIR. The "
        "columns are explained in docs/contributing.md and by --explain.")
    p.add_argument("kind", choices=(*KINDS, "all"), nargs="?",
                   help="which sheet (default: case; with --explain: every sheet); all: every sheet, into the folder "
                   "-o names")
    p.add_argument("--explain", action="store_true", help="list the columns and what goes in each instead")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output "
                   "(with all: the folder to write KIND.csv files into)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.explain:
        emit(explain(None if args.kind in (None, "all") else args.kind), args.output)
        return 0
    if args.kind == "all":
        if not args.output:
            raise InputError("template all writes one file per sheet", fix="name a folder: template all -o sheets")
        folder = Path(args.output)
        for s in SHEETS:
            emit(template(s.kind), str(folder / f"{s.kind}.csv"))
        return 0
    emit(template(args.kind or "case"), args.output)
    return 0
