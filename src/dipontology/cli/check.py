"""``dipontology check``: the ontology quality gate (rules in ``src/dipontology/checks/``)."""
from __future__ import annotations

import argparse
import sys

from ..check import LEVELS, RENDERERS, _shipped_ontology, check, load_rules, render
from ._common import add_output_options, add_quiet, emit, progress


def _fail_on(value: str) -> str:
    level = value.upper()
    if level == "NONE":
        return "none"
    if level not in LEVELS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(LEVELS)} or none, not {value!r}")
    return level


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="run the ontology quality rules (labels, definitions, header, hierarchy, sources, ...)",
        description="Run the ontology quality rules (one SPARQL file each, levels ERROR/WARN/INFO from a profile) "
        "on the shipped ontology, or on FILES. With --data, the data is checked together with the shipped "
        "ontology: the shipped data files, or FILES when given. Files may be Turtle, N-Triples, N-Quads, TriG, "
        "JSON-LD or RDF/XML; a folder means every RDF file below it; nothing is fetched and owl:imports is not "
        "followed.",
        epilog="Exit codes: 0 no finding at or above --fail-on; 1 there is one; 2 unreadable or invalid input "
        "(file:line:column); 3 internal error. The rules are documented in docs/checks.md.",
    )
    parser.add_argument("files", nargs="*", metavar="FILES", help="ontology files or folders to check "
                        "(default: the shipped ontology)")
    parser.add_argument("--data", action="store_true",
                        help="check data with the shipped ontology: FILES if given, else the shipped data files")
    parser.add_argument("--fail-on", type=_fail_on, default="ERROR", metavar="{ERROR,WARN,INFO,none}",
                        help="exit 1 when a finding is at or above this level (default: ERROR)")
    add_output_options(parser, tuple(RENDERERS), "text")
    parser.add_argument("--profile", metavar="FILE",
                        help="`rule<TAB>level` lines overriding the shipped levels (level IGNORE turns a rule off)")
    parser.add_argument("--rule", action="append", metavar="RULE", help="run only this rule (repeatable)")
    parser.add_argument("--list-rules", action="store_true", help="list the rules with their levels and exit")
    add_quiet(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        rules = load_rules(args.profile)
        width = max(len(r.id) for r in rules)
        emit("\n".join(f"{r.id:<{width}}  {r.level:<5}  {r.title}" for r in rules), args.output)
        return 0
    if args.data:
        source: object = [_shipped_ontology(), *args.files] if args.files else None
        include_data = not args.files
    else:
        source = args.files or None
        include_data = False
    progress(args, "dipontology check: loading and running the rules ...")
    report = check(source, include_data=include_data, fail_on=args.fail_on, profile=args.profile, rules=args.rule)
    emit(render(report, args.format), args.output)
    if args.output and not args.quiet:
        print(render(report, "text").strip().splitlines()[-1], file=sys.stderr)
    return report.exit_code()
