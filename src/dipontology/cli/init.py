"""``dipontology init DIR``: make a workspace (data, shapes, dipontology.toml) to contribute in."""
from __future__ import annotations

import argparse

from ..contribution.workspace import init
from ._common import add_quiet, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init", help="make a workspace: a copy of the data and shapes that accept adds contributions to",
        description="Create DIR with a copy of the published data and shapes and a dipontology.toml. Inside DIR, "
        "validate, accept, build and query work on the workspace's data instead of the installed package's "
        "(which is read-only).",
        epilog="Exit codes: 0 created; 2 DIR exists and is not empty, or cannot be written.")
    p.add_argument("dir", metavar="DIR", help="the new workspace folder")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    folder = init(args.dir)
    progress(args, f"workspace created in {folder}: cd {folder}, then `dipontology template case > case.csv`")
    return 0
