"""``dipontology link``: linksets, mapping and code-validity checks, reconciliation and federated queries."""
from __future__ import annotations

import argparse
import json
import sys

from ..atomic import write_bytes
from ..errors import InputError
from ..export import render_bytes, serialize_triples
from ..findings import Finding, Report
from ..link import check_mappings, link_graph, linkset, render, void_linksets
from ..link.linksets import FORMATS, TARGETS
from ..link.mappings import curie
from ..link.validity import code_validity
from ._common import add_quiet, emit, progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "link", help="link the graph to Wikidata, ISO/COW/G-W codes and CAMEO; reconcile; federated queries",
        description="Export linksets (CSV, SSSOM TSV, Turtle), check the mapping sets and the validity of time-bound "
        "country codes, reconcile records against a SPARQL endpoint into a review file, apply the rows a person "
        "accepted, and run federated queries. Only `reconcile` and `federated` reach the network, and only the "
        "endpoint URLs you give.",
        epilog="examples: dipontology link export --target gw --format csv -o gw.csv; "
        "dipontology link reconcile --endpoint https://query.wikidata.org/sparql -o review.csv; "
        "dipontology link apply review.csv --reviewer 'A. Person'")
    lsub = p.add_subparsers(dest="link_command", metavar="ACTION")

    e = lsub.add_parser("export", help="a linkset as CSV, SSSOM TSV or Turtle",
                        description="Links from the graph to one target: wikidata (verified QIDs, class mappings, "
                        "reviewed links), iso (ISO 3166-1 codes), cow / gw (Correlates of War and Gleditsch-Ward "
                        "codes with their validity).")
    e.add_argument("--target", required=True, choices=TARGETS)
    e.add_argument("--format", choices=FORMATS, default="csv", help="output format (default: csv)")
    e.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    add_quiet(e)
    e.set_defaults(func=run_export)

    v = lsub.add_parser("void", help="VoID descriptions of every linkset (Turtle)")
    v.add_argument("--dataset", default="https://w3id.org/dipontology/dataset", metavar="IRI",
                   help="our dataset's IRI, the linksets' void:subjectsTarget")
    v.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    add_quiet(v)
    v.set_defaults(func=run_void)

    c = lsub.add_parser("check", help="mapping records complete; country codes valid at the dates they are used",
                        description="Reports mapping records without label, source, justification, reason or "
                        "asserted triple, and COW / G-W codes of a country used by a dated initiative placed there "
                        "outside the code's validity window. Exit 1 when there is a finding.")
    c.add_argument("--format", choices=("text", "json", "md", "tsv", "ttl"), default="text",
                   help="text and json list the mapping problems and the codes apart (default: text); md, tsv and "
                   "ttl give both as findings of one report")
    c.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    add_quiet(c)
    c.set_defaults(func=run_check)

    r = lsub.add_parser("reconcile", help="propose identifiers from a SPARQL endpoint into a review CSV",
                        description="For every record without a verified external identifier, ask the endpoint for "
                        "candidates by English label, alias and English Wikipedia sitelink, score them (exact label "
                        "1.0, sitelink of the record's verified title 0.95, alias 0.9, sitelink title 0.85, spelling "
                        "variants 0.8 x difflib similarity) and write a review CSV with an empty decision column. "
                        "Nothing is linked: mark rows accepted and run `dipontology link apply`.")
    r.add_argument("--endpoint", required=True, metavar="URL", help="the SPARQL endpoint to ask (e.g. Wikidata)")
    r.add_argument("--limit", type=int, default=5, metavar="N", help="at most N candidates per record (default 5)")
    r.add_argument("--record", action="append", default=[], metavar="IRI",
                   help="only this record (repeatable; a prefixed name such as outcome:oslo-i-accord or an IRI)")
    r.add_argument("--min-score", type=float, default=0.0, metavar="S", help="drop candidates scoring below S")
    r.add_argument("--timeout", type=float, default=60.0, metavar="S", help="seconds to wait per request")
    r.add_argument("-o", "--output", metavar="REVIEW.csv", help="write the review CSV here (atomically)")
    add_quiet(r)
    r.set_defaults(func=run_reconcile)

    a = lsub.add_parser("apply", help="add the accepted rows of a review CSV, with provenance",
                        description="Adds every row of REVIEW.csv whose decision is 'accepted' to "
                        "data/mappings/reconciled.ttl as skos:exactMatch with a mapping record saying who accepted "
                        "it, when and how it was found. Rejected, unsure and undecided rows are never written. The "
                        "file is rewritten atomically; on any error nothing is written.")
    a.add_argument("review", metavar="REVIEW.csv")
    a.add_argument("--data-dir", metavar="DIR", help="the data folder to write into (default: the shipped data/)")
    a.add_argument("--reviewer", metavar="NAME", help="who reviewed the rows (used where the reviewer column is "
                   "empty)")
    add_quiet(a)
    a.set_defaults(func=run_apply)

    f = lsub.add_parser("federated", help="run a federated named query (SERVICE) against another endpoint",
                        description="Join our graph with another SPARQL endpoint through SERVICE. Needs "
                        "--allow-service. Our graph is the embedded store, or --endpoint URL where it was pushed.")
    f.add_argument("name", nargs="?", metavar="NAME", help="a federated named query (see --list)")
    f.add_argument("--list", action="store_true", help="list the federated queries")
    f.add_argument("--service", metavar="URL", help="the other endpoint (default: the query's, Wikidata)")
    f.add_argument("--allow-service", action="store_true", help="let the store contact the other endpoint")
    f.add_argument("--endpoint", metavar="URL", help="a SPARQL endpoint holding our graph (default: embedded)")
    f.add_argument("--format", choices=("table", "csv", "tsv", "json", "md", "html"), default="table")
    f.add_argument("--timeout", type=float, default=60.0, metavar="S", help="endpoint timeout in seconds")
    f.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    add_quiet(f)
    f.set_defaults(func=run_federated)

    p.set_defaults(func=lambda args: _usage(p))


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    return 2


def run_export(args: argparse.Namespace) -> int:
    ls = linkset(link_graph(), args.target)
    emit(render(ls, args.format), args.output)
    if args.output:
        progress(args, f"wrote {len(ls)} {args.target} links to {args.output}")
    return 0


def run_void(args: argparse.Namespace) -> int:
    emit(serialize_triples(list(void_linksets(dataset=args.dataset)), "ttl").decode("utf-8"), args.output)
    return 0


def run_check(args: argparse.Namespace) -> int:
    g = link_graph()
    problems = check_mappings(g)
    findings = code_validity(g)
    if args.format == "json":
        text = json.dumps({"mappings": [p.__dict__ for p in problems],
                           "code_validity": [f.details() for f in findings]}, indent=2, ensure_ascii=False)
    elif args.format == "text":
        lines = [f"{curie(p.record)}: {p.message} (fix: {p.fix})" for p in problems]
        lines += [f"{curie(f.focus)}: {f.message} (fix: {f.fix})" for f in findings]
        lines.append(f"{len(problems)} mapping problem(s), {len(findings)} code(s) used outside their validity")
        text = "\n".join(lines)
    else:
        report = Report([Finding("Violation", "link:mapping-record", p.record, message=p.message, fix=p.fix)
                         for p in problems] + list(findings), fail_on="Info")
        text = report.render(args.format)
    emit(text, args.output)
    return 1 if problems or findings else 0


def _expand_record(text: str) -> str:
    # optional dependency: the query stack (0.15 s) loads only for reconcile, which names records as parameters do
    from ..query import Parameter

    return str(Parameter("record", "iri").bind(text))


def run_reconcile(args: argparse.Namespace) -> int:
    # optional dependency: the endpoint client loads only when a command reaches the network
    from ..link.reconcile import reconcile, write_review

    records = [_expand_record(r) for r in args.record] or None
    progress(args, f"asking {args.endpoint} for candidates ...")
    result = reconcile(args.endpoint, limit=args.limit, records=records, timeout=args.timeout,
                       min_score=args.min_score)
    if args.output:
        write_review(result, args.output)
        progress(args, f"wrote {len(result.candidates)} candidates for {len(result.records)} records to "
                 f"{args.output}; mark rows accepted and run dipontology link apply {args.output}")
    else:
        sys.stdout.write(result.to_csv())
    return 0


def run_apply(args: argparse.Namespace) -> int:
    # optional dependency: the endpoint client's module (0.12 s) loads only for the review commands
    from ..link.reconcile import apply_review

    result = apply_review(args.review, data_dir=args.data_dir, reviewer=args.reviewer)
    progress(args, f"added {len(result.added)} link(s) to {result.file} ({result.already_present} already there, "
             f"{result.rejected} rejected, {result.undecided} undecided rows not written)")
    return 0


def run_federated(args: argparse.Namespace) -> int:
    # optional dependency: the federated query stack (0.26 s) loads only when a command reaches the network
    from ..link.federated import federated_queries, run_federated as run

    if args.list:
        lines = []
        for q in federated_queries().values():
            lines += [f"{q.name} -- {q.title}", f"    {q.description}", f"    example: {q.example}", ""]
        emit("\n".join(lines).rstrip(), args.output)
        return 0
    if not args.name:
        raise InputError("no federated query named", fix="see dipontology link federated --list")
    result = run(args.name, args.service, endpoint=args.endpoint, allow_service=args.allow_service,
                 timeout=args.timeout)
    data = render_bytes(result, args.format, spreadsheet_safe=bool(args.output))
    if args.output:
        write_bytes(args.output, data)
        progress(args, f"wrote {len(result)} rows to {args.output}")
    else:
        sys.stdout.buffer.write(data if data.endswith(b"\n") else data + b"\n")
        sys.stdout.flush()
    return 0
