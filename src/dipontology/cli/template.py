"""``dipontology template case``: print the empty CSV template for case studies."""
from __future__ import annotations

import argparse

from ._common import emit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "template", help="print an empty CSV template (one header row) for contributing case studies",
        description="Print the CSV template for contributing case studies: one header row; fill in one row per "
        "case study, then run `dipontology convert FILE.csv` or `dipontology validate FILE.csv`. The columns are "
        "explained in docs/contributing.md and by --explain.")
    p.add_argument("kind", choices=("case",), help="what the template is for (case studies)")
    p.add_argument("--explain", action="store_true", help="list the columns and what goes in each instead")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..contrib import COLUMNS, template

    if args.explain:
        width = max(len(c.name) for c in COLUMNS)
        text = "\n".join(f"{c.name:<{width}}  {'required' if c.required else 'optional'}  {c.help}"
                         for c in COLUMNS)
    else:
        text = template(args.kind)
    emit(text, args.output)
    return 0
