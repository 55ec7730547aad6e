"""``dipontology accept FILE``: add a contribution that validates to the data folder, atomically."""
from __future__ import annotations

import argparse
import signal
import sys

from ..contribution.accept import accept
from ._common import add_quiet, progress
from .validate import add_fail_on


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "accept", help="validate a contribution and, if it passes, add it to the data folder atomically",
        description="Validate FILE (any RDF format or one CSV sheet) against the published data and, when no "
        "finding is at or above --fail-on, add it to the data folder you own (--data-dir, or the workspace or "
        "checkout the command runs in), recording who (--contributor), when, from which file and the validation "
        "report's digest as PROV: new case studies as data/cases/<slug>.ttl, "
        "new actors, conflicts, places and sources appended to their shared files. All new file versions are "
        "written beside the data folder first and renamed into place only when complete; a refused, failed or "
        "interrupted accept leaves the data folder unchanged. Published records are never overwritten.",
        epilog="Exit codes: 0 accepted; 1 refused (the report is printed); 2 the file cannot be read, would alter a "
        "published record (identity, re-typing, re-labelling, re-bound prefixes, axioms, hidden characters) or "
        "overwrite an existing case file, or there is no data folder of yours; 3 internal error.")
    p.add_argument("file", metavar="FILE", help="the contribution")
    add_fail_on(p)
    p.add_argument("--data-dir", metavar="DIR", help="the data folder to add to (default: that of the workspace or "
                   "checkout the command runs in; the installed package's data is read-only)")
    p.add_argument("--contributor", metavar="NAME", help="who contributes, recorded as PROV on the accepted records "
                   "(default: git config user.name)")
    p.add_argument("--format", choices=("text", "json", "md"), default="text",
                   help="format of the validation report (default: text)")
    add_quiet(p)
    p.set_defaults(func=run)


def _terminate(signum, _frame):  # pragma: no cover - exercised in a subprocess test
    raise KeyboardInterrupt(f"signal {signum}")


def run(args: argparse.Namespace) -> int:
    previous = signal.signal(signal.SIGTERM, _terminate)  # clean up staged files on `kill`, as on Ctrl-C
    try:
        progress(args, f"validating {args.file} against the published data ...")
        result = accept(args.file, data_dir=args.data_dir, fail_on=args.fail_on,
                        contributor=args.contributor)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if result.refused or result.report.findings:
        sys.stdout.write(result.report.render(args.format))
    print(result.summary(), file=sys.stderr if args.format != "text" else sys.stdout)
    return 1 if result.refused else 0
