"""``dipontology accept FILE``: add a contribution that validates to the data folder, atomically."""
from __future__ import annotations

import argparse
import signal
import sys

from ._common import add_quiet, progress
from .validate import add_data_dir, add_fail_on


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "accept", help="validate a contribution and, if it passes, add it to the data folder atomically",
        description="Validate FILE (any RDF format or the CSV template) against the published data and, when no "
        "finding is at or above --fail-on, add it to the data folder: new case studies as data/cases/<slug>.ttl, "
        "new actors, conflicts, places and sources appended to their shared files. All new file versions are "
        "written beside the data folder first and renamed into place only when complete; a refused, failed or "
        "interrupted accept leaves the data folder unchanged. Published records are never overwritten.",
        epilog="Exit codes: 0 accepted; 1 refused (the report is printed); 2 the file cannot be read or would "
        "overwrite an existing case file; 3 internal error.")
    p.add_argument("file", metavar="FILE", help="the contribution")
    add_fail_on(p)
    add_data_dir(p)
    p.add_argument("--format", choices=("text", "json", "md"), default="text",
                   help="format of the validation report (default: text)")
    add_quiet(p)
    p.set_defaults(func=run)


def _terminate(signum, _frame):  # pragma: no cover - exercised in a subprocess test
    raise KeyboardInterrupt(f"signal {signum}")


def run(args: argparse.Namespace) -> int:
    from ..contrib import accept

    previous = signal.signal(signal.SIGTERM, _terminate)  # clean up staged files on `kill`, as on Ctrl-C
    try:
        progress(args, f"validating {args.file} against the published data ...")
        result = accept(args.file, data_dir=args.data_dir, fail_on=args.fail_on)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if result.refused or result.report.findings:
        sys.stdout.write(result.report.render(args.format))
    print(result.summary(), file=sys.stderr if args.format != "text" else sys.stdout)
    return 1 if result.refused else 0
