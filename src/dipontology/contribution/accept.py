"""Accepting a contribution into a data folder the user owns, with who, when, from which file and the validation
report's digest recorded as PROV on every accepted record.

:func:`accept` refuses what :mod:`dipontology.contribution.guard` refuses (exit 2, nothing written), validates the
contribution against the published data (refused with the report when a finding is at or above ``fail_on``), gives
blank-node statements their content-derived IRIs, and adds the new statements to the data folder through
:mod:`dipontology.contribution.journal`, so a refused, failed or interrupted accept leaves the folder as it was. It
sits above :mod:`dipontology.validate`, which it runs.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from .. import resources
from ..errors import InputError
from ..export import serialize_triples
from ..load import TRUSTED, Limits, Loaded, load_bytes, load_file
from ..namespaces import DIP, ID_BASE, PREFIXES
from ..terms import copy_closure
from ..published import clean, published, published_files, stamp, vocabulary
from ..findings import ValidationReport
from ..validate import validate
from . import guard, journal
from .checks import novel_statements
from .convert import convert, mint_statement_iris

__all__ = ["accept", "Accepted", "SHARED_FILES", "contributor_name", "report_digest", "recover"]

recover = journal.recover

#: record class -> shared data file its new records are appended to (other new records go with their case study)
SHARED_FILES = ((DIP.Actor, "actors.ttl"), (DIP.Conflict, "conflicts.ttl"), (DIP.Place, "places.ttl"),
                (DIP.Source, "sources.ttl"), (DIP.Theory, "theories.ttl"), (DIP.Challenge, "challenges.ttl"),
                (DIP.Opportunity, "opportunities.ttl"))


@dataclass
class Accepted:
    """The outcome of :func:`accept`: the validation report and the data files written (empty when refused)."""

    report: ValidationReport
    written: list[Path]
    refused: bool
    data_dir: Path | None = None

    def summary(self) -> str:
        if self.refused:
            return ("refused: the contribution has findings at or above the fail-on level; nothing in the data "
                    "folder was changed")
        if not self.written:
            return "nothing to add: every statement of the contribution is already published"
        return "accepted: " + ", ".join(str(p) for p in self.written)


def report_digest(report: ValidationReport) -> str:
    """SHA-256 of the validation report's findings as JSON (sorted keys; without the time it took), so the same
    contribution against the same data always has the same digest."""
    doc = [f.to_dict() for f in report.findings]
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def contributor_name(explicit: str | None, folder: Path) -> str:
    """Who contributes: ``explicit`` (``--contributor``), else git's configured ``user.name``.

    :raises InputError: when neither names anyone.
    """
    if explicit is not None and explicit.strip():
        return explicit.strip()
    git = shutil.which("git")
    if git is not None:
        try:
            out = subprocess.run([git, "config", "user.name"], cwd=folder, capture_output=True, text=True,
                                 timeout=10, check=False)
            if out.returncode == 0 and out.stdout.strip():
                return out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    raise InputError("accept records who added the contribution, and no name is known",
                     fix="pass --contributor \"Your Name\", or set it once with: git config --global user.name "
                         "\"Your Name\"")


def _load(file: Path, limits: Limits | None) -> Loaded:
    """The contribution: one RDF file, or one CSV sheet converted (its cells checked for hidden characters)."""
    limits = Limits.for_contributions() if limits is None else limits
    if file.suffix.lower() == ".csv":
        converted = convert([file], limits=limits)
        guard.refuse_hidden_cells(converted)
        return converted.loaded
    return load_file(file, limits=limits)


def accept(file: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None,
           fail_on: str = "Violation", limits: Limits | None = None, contributor: str | None = None,
           when: datetime | None = None,
           _before_commit: Callable[[list[tuple[Path, Path]]], None] | None = None) -> Accepted:
    """Validate a contribution against the data folder and, if it passes, add it to the folder atomically.

    New case studies go to ``cases/<slug>.ttl`` (a new file); new shared records (actors, conflicts, places,
    sources, theories, challenges, opportunities) are appended to the shared file of their kind; additions to a
    published record go to the file that defines it; everything else goes with the case study that uses it.

    :param file: the contribution: one RDF file or one CSV sheet (convert several sheets to one Turtle file first).
    :param data_dir: the data folder (default: :func:`resources.writable_data_dir`: the workspace or checkout).
    :param fail_on: refuse when a finding is at this level or above.
    :param contributor: who contributes (default: git's ``user.name``).
    :param when: the time recorded (default: now, UTC, to the second).
    :return: :class:`Accepted`; ``refused`` is true when validation failed (nothing written).
    :raises InputError: if the file cannot be read, alters published records, or would overwrite a file.
    """
    files = [Path(file)]
    data = resources.writable_data_dir(data_dir)
    journal.recover(data)
    who = contributor_name(contributor, data)
    loaded = _load(files[0], limits)
    onto = stamp([resources.ontology_file()])
    vocab = vocabulary(onto)
    pub = published(stamp(published_files(data)))
    guard.refuse_alterations(loaded, pub, vocab)
    guard.refuse_hidden_text(loaded)
    report = validate([str(files[0])], fail_on=fail_on, data_dir=data, limits=limits)
    if report.failing(fail_on):
        return Accepted(report, [], True, data)
    cleaned, _ = clean(loaded, vocab, [], contribution=True)
    cleaned = guard.nfc(cleaned)
    mint_statement_iris(cleaned)
    graph = novel_statements(cleaned, pub.graph)
    if len(graph) == 0:
        return Accepted(report, [], False, data)
    digest = report_digest(report)
    stamp_time = (when or datetime.now(timezone.utc)).replace(microsecond=0)
    defined_in = {s: Path(item.file).resolve() for s, item in pub.subjects.items()}
    plan = _plan(graph, vocab, defined_in, data, files[0])
    _record_provenance(plan, graph, set(defined_in), who, stamp_time, [f.name for f in files], digest)
    versions = _versions(plan, files[0], set(defined_in.values()), stamp_time)
    try:
        staging, staged = journal.stage(versions, data)
    except OSError as exc:
        raise InputError(f"could not stage the new files beside the data folder ({exc.strerror or exc}); nothing "
                         "in it was changed", file=str(data),
                         fix="check free space and permissions, then run accept again") from None
    try:
        for tmp, target in staged:  # what was staged must parse and hold at least the planned statements
            check = load_bytes(tmp.read_bytes(), name=str(target), format="turtle", limits=TRUSTED)
            if len(check.graph) < len(plan[target]):
                raise InputError(f"the staged version of {target} lost statements; nothing was changed",
                                 file=str(target), fix="report this as a bug")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        written = journal.commit(staging, staged, _before_commit)
    except OSError as exc:
        raise InputError(f"could not write the data folder ({exc.strerror or exc}); nothing in it was changed",
                         file=str(data), fix="check free space and permissions, then run accept again") from None
    return Accepted(report, written, False, data)


def _record_provenance(plan: dict[Path, Graph], graph: Graph, published_subjects: set, who: str, when: datetime,
                       files: list[str], digest: str) -> None:
    """PROV on every new record and statement of each file's part: generated by one accept (a blank activity per
    file: when, by whom, from which files, the report's digest)."""
    new = sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s not in published_subjects
                  and str(s).startswith(ID_BASE)}, key=str)
    for target, sub in plan.items():
        mine = [s for s in new if (s, None, None) in sub]
        if not mine:
            continue
        activity, agent = BNode(), BNode()
        sub.add((activity, RDF.type, PROV.Activity))
        sub.add((activity, RDFS.label, Literal("dipontology accept", lang="en")))
        sub.add((activity, PROV.endedAtTime, Literal(when.isoformat().replace("+00:00", "Z"),
                                                     datatype=XSD.dateTime)))
        sub.add((activity, PROV.wasAssociatedWith, agent))
        sub.add((agent, RDF.type, PROV.Agent))
        sub.add((agent, FOAF.name, Literal(who)))
        for name in files:
            sub.add((activity, PROV.used, Literal(name)))
        sub.add((activity, DCTERMS.identifier, Literal(f"validation-report-sha256:{digest}")))
        for s in mine:
            sub.add((s, PROV.wasGeneratedBy, activity))


def _plan(graph: Graph, vocab, defined_in: dict, data: Path, source_file: Path) -> dict[Path, Graph]:
    """Which triples go to which file: statements about a published record go to the file that defines it."""
    def kind_file(s) -> str | None:
        types = set(graph.objects(s, RDF.type))
        for cls, fname in SHARED_FILES:
            if any(cls in vocab.superclasses.get(t, {t}) or t == cls for t in types):
                return fname
        return None

    cases = sorted((s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)
                    and str(s).startswith(PREFIXES["case"]) and s not in defined_in
                    and any(DIP.Initiative in vocab.superclasses.get(t, {t}) for t in graph.objects(s, RDF.type))),
                   key=str)
    default_case = cases[0] if cases else None

    def case_file(c) -> Path:
        return data / "cases" / (str(c)[len(PREFIXES["case"]):] + ".ttl")

    def target_for(s) -> Path:
        if s in defined_in:
            return defined_in[s]
        if s in cases:
            return case_file(s)
        fname = kind_file(s)
        if fname is not None:
            return data / fname
        owners = sorted(o for o in graph.subjects(None, s) if isinstance(o, URIRef) and o != s)
        owners += sorted(o for o in graph.objects(s, DIP.statedSubject) if isinstance(o, URIRef))
        for o in owners:
            if o in defined_in and (o, None, None) in graph and o != s:
                return defined_in[o]
            if o in cases:
                return case_file(o)
            if o in defined_in:
                return defined_in[o]
        if default_case is not None:
            return case_file(default_case)
        stem = re.sub(r"[^a-z0-9]+", "-", source_file.stem.lower()).strip("-") or "contribution"
        return data / "cases" / f"{stem}.ttl"

    plan: dict[Path, Graph] = {}
    roots = {s: target_for(s) for s in set(graph.subjects()) if not isinstance(s, BNode)}
    for s, p, o in graph:
        if isinstance(s, BNode):
            continue
        sub = plan.setdefault(roots[s], Graph())
        sub.add((s, p, o))
        if isinstance(o, BNode):
            copy_closure(graph, o, sub)
    return plan


def _versions(plan: dict[Path, Graph], source_file: Path, appendable: set[Path],
              when: datetime) -> list[tuple[Path, str]]:
    """The new text of every file of the plan: appended to a shared or published file, or a new file."""
    out: list[tuple[Path, str]] = []
    day = when.date().isoformat()
    for target, sub in sorted(plan.items()):
        # blank nodes labelled canonically, triples sorted (dipontology.export): the same bytes on every run
        body = serialize_triples(list(to_canonical_graph(sub)), "ttl").decode("utf-8")
        if target.exists():
            if target.parent.name == "cases" and target.resolve() not in appendable:
                raise InputError(f"{target} already exists", file=str(source_file),
                                 fix="give the new case study a slug that is not taken")
            old = target.read_text(encoding="utf-8")
            text = old + ("" if old.endswith("\n") else "\n") + \
                f"\n## Added by dipontology accept from {source_file.name} on {day} " + "#" * 20 + "\n\n" + body
        else:
            text = f"# Added by dipontology accept from {source_file.name} on {day}.\n\n" + body
        out.append((target, text))
    return out
