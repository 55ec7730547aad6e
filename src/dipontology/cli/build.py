"""``dipontology build``: check, reason, validate and query, then write the release folder."""
from __future__ import annotations

import argparse
import sys

from ..release import STAGES, build
from ._common import add_quiet


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build", help="build the linked-data release (ontology, data, pages, pictures, VoID, checksums) into dist/",
        description="Run check (stops on ERROR), reason (stops if inconsistent), validate (stops on violations) and "
        "the named queries, then write the release into the output folder: the ontology and data in every RDF "
        "format, VoID/DCAT, HTML pages for the ontology and every record, SVG pictures, query results as CSV, "
        "reports, the w3id .htaccess and SHA256SUMS. The folder is replaced atomically; a failed build leaves it as "
        "it was. Two builds from the same sources are byte-identical.",
        epilog="Exit codes: 0 written, 1 a stage failed (the release was not written), 2 input error.")
    p.add_argument("-o", "--output", default="dist", metavar="DIR", help="the release folder (default: dist)")
    p.add_argument("--data", metavar="DIR", help="build from this data folder (*.ttl and cases/*.ttl) instead of the "
                   "shipped data")
    p.add_argument("--skip", action="append", default=[], choices=STAGES, metavar="STAGE",
                   help=f"skip a stage ({', '.join(STAGES)}); repeatable; the build log says it was skipped")
    p.add_argument("--sparql-endpoint", metavar="URL", help="the public SPARQL endpoint to name in void.ttl")
    p.add_argument("--site-url", metavar="URL", help="where the release will be hosted: the w3id .htaccess then "
                   "redirects there (default: relative redirects, for a release served at w3id.org/dipontology/ "
                   "itself)")
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = build(args.output, quiet=args.quiet, data_dir=args.data,
                   stages=[s for s in STAGES if s not in set(args.skip)], sparql_endpoint=args.sparql_endpoint,
                   site_url=args.site_url)
    if result.ok:
        if not args.quiet:
            print(f"release {result.version} written to {result.out_dir}: {len(result.files)} files, "
                  f"{result.records} record pages", file=sys.stderr)
        return 0
    failed = result.failed_stage
    print(f"dipontology build: {failed.line() if failed else 'failed'}; {result.out_dir} left as it was",
          file=sys.stderr)
    return 1
