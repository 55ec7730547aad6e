"""Reconciliation: propose external identifiers for records that have none, and add only those a person accepted.

:func:`reconcile` asks one SPARQL endpoint (Wikidata, or any store shaped like it) for candidate items of every
record without a verified external identifier, scores them and returns them for review; :func:`write_review` writes
them as a CSV file with an empty ``decision`` column. Nothing is linked by this step. A person then marks rows
``accepted`` (or ``rejected``) and :func:`apply_review` adds exactly the accepted rows to
``data/mappings/reconciled.ttl``, each as a reified mapping record with its provenance: who accepted it
(``sssom:reviewer_label``), when (``sssom:mapping_date``, ``dcterms:created``), how it was found
(``sssom:object_match_field``, ``sssom:confidence``, the endpoint) and the mapping triple ``skos:exactMatch`` itself.

Candidates are looked up the way Wikidata stores them: by English label (``rdfs:label``), by alias
(``skos:altLabel``) and by the English Wikipedia sitelink (``?article schema:about ?item ; schema:name ?title``,
with ``schema:`` = ``http://schema.org/`` as Wikidata uses it). Scores: the record's label exactly 1.0; a Wikipedia
sitelink to the record's verified ``dip:wikipediaTitle`` 0.95; an alias equal to the label, or the label equal to
one of the record's own alternative labels (or an alias equal to one), 0.9; a sitelink whose title equals the label 0.85; candidates found only
through a spelling variant (case, a leading "The") 0.8 times their ``difflib`` similarity.

The network is used only with the endpoint URL given; terms are sent as escaped RDF terms, never pasted text.
"""
from __future__ import annotations

import csv
import difflib
import io
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from .. import graph as _graph
from .. import resources
from ..atomic import write_text
from ..errors import InputError
from ..export import serialize_triples, spreadsheet_safe_cell
from ..namespaces import DIP, ID_BASE, RECORD_NAMESPACES, WD
from ..store import DEFAULT_TIMEOUT, Remote, serialize_term
from ..terms import to_rdflib
from .mappings import LINK_PREFIXES, MAPPING, SEMAPV, SSSOM, curie, link_graph, literal_text

__all__ = ["Candidate", "ReconcileResult", "ApplyResult", "REVIEW_COLUMNS", "unlinked_records", "candidate_query",
           "reconcile", "write_review", "read_review", "apply_review", "reconciled_file"]

SCHEMA_ORG = "http://schema.org/"  # Wikidata's sitelinks use http://schema.org/, not https
WIKIPEDIA_EN = "https://en.wikipedia.org/"
P31 = "http://www.wikidata.org/prop/direct/P31"
LINKABLE_CLASSES = (DIP.Place, DIP.Actor, DIP.Initiative, DIP.Conflict, DIP.Outcome)
REVIEW_COLUMNS = ("record", "record_label", "candidate", "candidate_label", "candidate_types", "score",
                  "matched_by", "endpoint", "decision", "reviewer", "note")
DECISIONS = ("accepted", "rejected", "unsure", "")
TOOL = "dipontology link reconcile"

#: how a candidate was found -> (score, the candidate's property that matched)
ROUTES = {
    "label": (1.0, str(RDFS.label)),
    "sitelink": (0.95, SCHEMA_ORG + "about"),
    "alias": (0.9, str(SKOS.altLabel)),
    "sitelink-name": (0.85, SCHEMA_ORG + "name"),
    "fuzzy": (0.8, str(RDFS.label)),
}


@dataclass
class Record:
    """A record to reconcile: its IRI, label, alternative labels and verified Wikipedia title."""

    iri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    wikipedia_title: str = ""


@dataclass
class Candidate:
    """A candidate identifier for a record, with its score and how it was found."""

    record: str
    record_label: str
    candidate: str
    candidate_label: str
    score: float
    matched_by: str
    candidate_types: str = ""
    endpoint: str = ""

    def row(self) -> dict[str, str]:
        return {"record": self.record, "record_label": self.record_label, "candidate": self.candidate,
                "candidate_label": self.candidate_label, "candidate_types": self.candidate_types,
                "score": f"{self.score:.3f}", "matched_by": self.matched_by, "endpoint": self.endpoint,
                "decision": "", "reviewer": "", "note": ""}


@dataclass
class ReconcileResult:
    """What :func:`reconcile` found: the records it asked about and every candidate, best first per record."""

    endpoint: str
    records: list[Record]
    candidates: list[Candidate]

    def to_csv(self) -> str:
        """The review file: one row per candidate, ``decision`` and ``reviewer`` left empty for a person."""
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=REVIEW_COLUMNS, lineterminator="\n")
        w.writeheader()
        for c in self.candidates:
            row = c.row()
            for k in ("record_label", "candidate_label", "note"):
                row[k] = spreadsheet_safe_cell(row[k])
            w.writerow(row)
        return buf.getvalue()


def _subclasses(g: Graph, classes: Sequence[URIRef]) -> set[URIRef]:
    out: set[URIRef] = set()
    for c in classes:
        out.update(x for x in g.transitive_subjects(RDFS.subClassOf, c) if isinstance(x, URIRef))
    return out


def _linked(g: Graph) -> set[str]:
    """Records that already carry a verified or reviewed external identifier."""
    done = {str(s) for s in g.subjects(DIP.wikidata, None)}
    for s, o in g.subject_objects(SKOS.exactMatch):
        if str(o).startswith(str(WD)):
            done.add(str(s))
    for rec in g.subjects(RDF.type, SSSOM.Mapping):
        subj = g.value(rec, SSSOM.subject_id)
        if subj is not None and str(g.value(rec, SSSOM.object_id) or "").startswith(str(WD)):
            done.add(str(subj))
    return done


def unlinked_records(g: Graph, *, only: Sequence[str] | None = None) -> list[Record]:
    """Records (places, actors, initiatives, conflicts, outcomes) with a label and no verified external identifier.

    :param only: restrict to these record IRIs.
    """
    classes = _subclasses(g, LINKABLE_CLASSES)
    linked = _linked(g)
    wanted = set(only) if only else None
    out: dict[str, Record] = {}
    for cls in classes:
        for s in g.subjects(RDF.type, cls):
            iri = str(s)
            if iri in out or iri in linked or not iri.startswith(RECORD_NAMESPACES):
                continue
            if wanted is not None and iri not in wanted:
                continue
            label = literal_text(g.objects(s, RDFS.label))
            if not label:
                continue
            alts = sorted({str(a) for a in g.objects(s, SKOS.altLabel)
                           if not isinstance(a, Literal) or a.language in (None, "en")} - {label})
            title = str(g.value(s, DIP.wikipediaTitle) or "")
            out[iri] = Record(iri=iri, label=label, alt_labels=alts, wikipedia_title=title)
    return [out[k] for k in sorted(out)]


def _variants(text: str) -> list[str]:
    v = [text]
    stripped = re.sub(r"^(the|The)\s+", "", text)
    v.append(stripped)
    v.append("The " + stripped)
    v.append(stripped[:1].upper() + stripped[1:])
    v.append(stripped[:1].lower() + stripped[1:])
    seen: list[str] = []
    for x in v:
        if x and x not in seen:
            seen.append(x)
    return seen


def article_iri(title: str) -> str:
    """The English Wikipedia article IRI of a title, as Wikidata writes sitelinks.

    >>> article_iri("Truth_and_Reconciliation_Commission_(South_Africa)")
    'https://en.wikipedia.org/wiki/Truth_and_Reconciliation_Commission_(South_Africa)'
    """
    return WIKIPEDIA_EN + "wiki/" + urllib.parse.quote(title.replace(" ", "_"), safe="()_,'!:-.*;@$&=+~")


def candidate_query(record: Record, *, limit: int = 50) -> str:
    """The SPARQL query that looks up candidates of one record by label, alias and sitelink.

    Every value is an RDF term serialised (and escaped) by pyoxigraph.

    >>> q = candidate_query(Record("https://w3id.org/dipontology/id/case/x", 'say "hi" } #'))
    >>> '"say \\\\"hi\\\\" } #"@en' in q
    True
    """
    texts = []
    for t in [record.label, *record.alt_labels]:
        for v in _variants(t):
            if v not in texts:
                texts.append(v)
    texts = texts[:24]
    lits = " ".join(serialize_term(Literal(t, lang="en")) for t in texts)
    names = list(texts)
    if record.wikipedia_title:
        name = record.wikipedia_title.replace("_", " ")
        if name not in names:
            names.append(name)
    name_lits = " ".join(serialize_term(Literal(t, lang="en")) for t in names)
    sitelink = ""
    if record.wikipedia_title:
        art = serialize_term(URIRef(article_iri(record.wikipedia_title)))
        sitelink = (f"  UNION {{ VALUES ?article {{ {art} }} ?article <{SCHEMA_ORG}about> ?item . "
                    f"BIND(STR(?article) AS ?text) BIND(\"sitelink\" AS ?route) }}\n")
    return (
        "SELECT ?item ?route ?text ?label (GROUP_CONCAT(DISTINCT STR(?type); separator=\" \") AS ?types)\n"
        "WHERE {\n"
        f"  {{ VALUES ?text {{ {lits} }} ?item <{RDFS.label}> ?text . BIND(\"label\" AS ?route) }}\n"
        f"  UNION {{ VALUES ?text {{ {lits} }} ?item <{SKOS.altLabel}> ?text . BIND(\"alias\" AS ?route) }}\n"
        f"{sitelink}"
        f"  UNION {{ VALUES ?text {{ {name_lits} }} ?article <{SCHEMA_ORG}name> ?text ; "
        f"<{SCHEMA_ORG}isPartOf> <{WIKIPEDIA_EN}> ; <{SCHEMA_ORG}about> ?item . BIND(\"sitelink-name\" AS ?route) }}\n"
        f"  OPTIONAL {{ ?item <{RDFS.label}> ?label FILTER(LANG(?label) = \"en\") }}\n"
        f"  OPTIONAL {{ ?item <{P31}> ?type }}\n"
        "}\n"
        "GROUP BY ?item ?route ?text ?label\n"
        f"LIMIT {int(limit)}\n"
    )


def _score(record: Record, route: str, text: str, cand_label: str) -> tuple[float, str]:
    if route == "sitelink":
        return ROUTES["sitelink"][0], "sitelink"
    if route == "label" and text == record.label:
        return 1.0, "label"
    if route == "alias" and (text == record.label or text in record.alt_labels):
        return 0.9, "alias"
    if route == "label" and text in record.alt_labels:
        return 0.9, "alias"
    if route == "sitelink-name" and text in (record.label, record.wikipedia_title.replace("_", " ")):
        return 0.85, "sitelink-name"
    ratio = difflib.SequenceMatcher(None, record.label.casefold(), (cand_label or text).casefold()).ratio()
    return round(0.8 * ratio, 3), "fuzzy"


def reconcile(endpoint: str, g: Graph | None = None, *, limit: int = 5, records: Sequence[str] | None = None,
              timeout: float = DEFAULT_TIMEOUT, min_score: float = 0.0) -> ReconcileResult:
    """Ask ``endpoint`` for candidates of every record without a verified external identifier.

    :param endpoint: the SPARQL endpoint URL (the only place the network is used).
    :param g: the graph whose records to reconcile (default: :func:`~dipontology.link.link_graph`).
    :param limit: at most this many candidates per record, best first.
    :param records: only these record IRIs.
    :param min_score: drop candidates scoring below this.
    :raises InputError: a bad URL, an unreachable endpoint or an HTTP error.
    """
    if limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}", fix="give a positive number")
    g = g if g is not None else link_graph()
    recs = unlinked_records(g, only=records)
    if records:
        missing = sorted(set(records) - {r.iri for r in recs})
        if missing:
            raise InputError(f"{missing[0]} is not a record without a verified identifier",
                             fix="give the full IRI of a place, actor, initiative, conflict or outcome that has no "
                             "dip:wikidata and no reviewed link yet")
    store = Remote(endpoint, timeout=timeout)
    out: list[Candidate] = []
    for rec in recs:
        result = store.query(candidate_query(rec), source=f"<reconcile {rec.iri}>")
        best: dict[str, Candidate] = {}
        for row in result.records():
            item = str(row.get("item") or "")
            if not item.startswith(("http://", "https://")):
                continue
            label = str(row.get("label") or "")
            score, how = _score(rec, str(row.get("route")), str(row.get("text") or ""), label)
            if score < min_score:
                continue
            types = " ".join(sorted(set(str(row.get("types") or "").split())))
            prev = best.get(item)
            if prev is None:
                best[item] = Candidate(rec.iri, rec.label, item, label, score, how, types, endpoint)
            else:
                routes = sorted(set(prev.matched_by.split("+")) | {how}, key=lambda r: -ROUTES[r][0])
                prev.matched_by = "+".join(routes)
                prev.score = max(prev.score, score)
                prev.candidate_label = prev.candidate_label or label
                prev.candidate_types = " ".join(sorted(set(prev.candidate_types.split()) | set(types.split())))
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.candidate))[:limit]
        out.extend(ranked)
    return ReconcileResult(endpoint=endpoint, records=recs, candidates=out)


def write_review(result: ReconcileResult, path: str | Path) -> Path:
    """Write the review CSV atomically."""
    write_text(path, result.to_csv())
    return Path(path)


# ---------------------------------------------------------------------------------------------------- apply
@dataclass
class ReviewRow:
    line: int
    record: str
    record_label: str
    candidate: str
    candidate_label: str
    score: str
    matched_by: str
    endpoint: str
    decision: str
    reviewer: str


def _undefuse(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


def read_review(path: str | Path) -> list[ReviewRow]:
    """Read a review CSV; every decision must be ``accepted``, ``rejected``, ``unsure`` or empty.

    :raises InputError: a missing column or an unknown decision, naming the line.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such review file", file=str(p), fix="give the CSV written by dipontology link reconcile") \
            from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the review file: {exc}", file=str(p), fix="give a UTF-8 CSV file") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for col in ("record", "candidate", "decision"):
        if col not in header:
            raise InputError(f"the review file has no {col!r} column", file=str(p), line=1,
                             fix="keep the header written by dipontology link reconcile")
    rows = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise InputError("a row has more cells than the header", file=str(p), line=line,
                             fix="quote cells that contain commas")
        decision = (row.get("decision") or "").strip().lower()
        if decision not in DECISIONS:
            close = difflib.get_close_matches(decision, [d for d in DECISIONS if d], n=1)
            raise InputError(f"unknown decision {row.get('decision')!r}", file=str(p), line=line,
                             fix=(f"did you mean {close[0]}? " if close else "") +
                             "write accepted, rejected, unsure or leave it empty")
        rows.append(ReviewRow(
            line=line, record=(row.get("record") or "").strip(), record_label=_undefuse(row.get("record_label") or ""),
            candidate=(row.get("candidate") or "").strip(), candidate_label=_undefuse(row.get("candidate_label") or ""),
            score=(row.get("score") or "").strip(), matched_by=(row.get("matched_by") or "").strip(),
            endpoint=(row.get("endpoint") or "").strip(), decision=decision,
            reviewer=(row.get("reviewer") or "").strip()))
    return rows


@dataclass
class ApplyResult:
    """What :func:`apply_review` did."""

    file: Path
    added: list[str]
    already_present: int
    rejected: int
    undecided: int


def reconciled_file(data_dir: str | Path | None = None) -> Path:
    """``<data>/mappings/reconciled.ttl``."""
    d = Path(data_dir) if data_dir is not None else resources.data_dir()
    return d / "mappings" / "reconciled.ttl"


def _valid_iri(text: str, what: str, path: str, line: int) -> URIRef:
    if not re.fullmatch(r"https?://[^\s<>\"{}|^`\\]+", text):
        raise InputError(f"{what} {text!r} is not an http(s) IRI", file=path, line=line, fix=f"give the {what}'s IRI")
    try:
        ox.NamedNode(text)
    except ValueError as exc:
        raise InputError(f"{what} {text!r} is not a valid IRI: {exc}", file=path, line=line,
                         fix=f"correct the {what}") from None
    return URIRef(text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


_HEADER = """# Reviewed links from reconciliation (dipontology link reconcile / link apply).
#
# Every link here was proposed by `dipontology link reconcile` from a SPARQL endpoint and accepted by the person
# named in sssom:reviewer_label; `dipontology link apply` wrote it. Do not add links by hand without a reviewer.

"""


def _turtle(g: Graph) -> str:
    """Sorted Turtle with the project's and SSSOM's prefixes (stable output for review in version control)."""
    return serialize_triples(list(g), "ttl", prefixes=LINK_PREFIXES).decode("utf-8")


def apply_review(review: str | Path, *, data_dir: str | Path | None = None, reviewer: str | None = None,
                 now: datetime | None = None) -> ApplyResult:
    """Add the rows of a review file that a person marked ``accepted`` to ``<data>/mappings/reconciled.ttl``.

    Each accepted row becomes the triple ``<record> skos:exactMatch <candidate>`` and a mapping record with who
    accepted it (the row's ``reviewer`` cell, else ``reviewer``), when, and how the candidate was found. Rows that
    are rejected, unsure or undecided are never written. The file is rewritten atomically; links already in it are
    kept and not duplicated.

    :raises InputError: an unknown decision, an accepted row without a reviewer, a record outside our namespaces,
        a malformed IRI, or two accepted candidates for one record (naming the lines); nothing is written then.
    """
    path = str(review)
    rows = read_review(review)
    now = now or datetime.now(timezone.utc)
    accepted = [r for r in rows if r.decision == "accepted"]
    by_record: dict[str, ReviewRow] = {}
    for r in accepted:
        if not r.record.startswith(ID_BASE):
            _valid_iri(r.record, "record", path, r.line)
            raise InputError(f"record {r.record!r} is not a dipontology record", file=path, line=r.line,
                             fix=f"records are IRIs under {ID_BASE}")
        _valid_iri(r.record, "record", path, r.line)
        _valid_iri(r.candidate, "candidate", path, r.line)
        if not (r.reviewer or reviewer):
            raise InputError("an accepted row names no reviewer", file=path, line=r.line,
                             fix="fill the reviewer column or pass --reviewer NAME")
        if r.record in by_record and by_record[r.record].candidate != r.candidate:
            raise InputError(f"two candidates accepted for {r.record} (lines {by_record[r.record].line} and {r.line})",
                             file=path, line=r.line, fix="accept at most one candidate per record")
        by_record[r.record] = r
    target = reconciled_file(data_dir)
    g = Graph()
    if target.exists():
        for t in _graph.parse_files([target]):
            g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    set_iri = MAPPING["reconciled"]
    if (set_iri, RDF.type, SSSOM.MappingSet) not in g:
        g.add((set_iri, RDF.type, SSSOM.MappingSet))
        g.add((set_iri, RDFS.label, Literal("reviewed links from reconciliation", lang="en")))
        g.add((set_iri, DCTERMS.description, Literal(
            "Links from records to external items, proposed by dipontology link reconcile from a SPARQL endpoint "
            "and accepted one by one by a named reviewer.", lang="en")))
        g.add((set_iri, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    added: list[str] = []
    already = 0
    date = now.date().isoformat()
    stamp = now.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    for rec_iri, r in sorted(by_record.items()):
        s, o = URIRef(rec_iri), URIRef(r.candidate)
        if (s, SKOS.exactMatch, o) in g:
            already += 1
            continue
        who = r.reviewer or reviewer or ""
        local = _slug(r.candidate.rstrip("/").rsplit("/", 1)[-1])
        node = MAPPING[f"reconciled-{_slug(rec_iri[len(ID_BASE):])}-{local}"]
        routes = [m for m in r.matched_by.split("+") if m in ROUTES]
        label = r.record_label or rec_iri
        g.add((s, SKOS.exactMatch, o))
        g.add((node, RDF.type, SSSOM.Mapping))
        g.add((node, DCTERMS.isPartOf, set_iri))
        shown = f"{r.candidate_label} ({curie(r.candidate)})" if r.candidate_label else curie(r.candidate)
        g.add((node, RDFS.label, Literal(f"{label}: exact match {shown}", lang="en")))
        g.add((node, SSSOM.subject_id, s))
        if r.record_label:
            g.add((node, SSSOM.subject_label, Literal(r.record_label)))
        g.add((node, SSSOM.predicate_id, SKOS.exactMatch))
        g.add((node, SSSOM.object_id, o))
        if r.candidate_label:
            g.add((node, SSSOM.object_label, Literal(r.candidate_label)))
        g.add((node, SSSOM.mapping_justification, SEMAPV.LexicalMatching))
        for m in routes:
            g.add((node, SSSOM.object_match_field, URIRef(ROUTES[m][1])))
        if re.fullmatch(r"[01](\.[0-9]+)?", r.score):
            g.add((node, SSSOM.confidence, Literal(r.score, datatype=XSD.double)))
        g.add((node, SSSOM.reviewer_label, Literal(who)))
        g.add((node, SSSOM.mapping_date, Literal(date, datatype=XSD.date)))
        g.add((node, DCTERMS.created, Literal(stamp, datatype=XSD.dateTime)))
        g.add((node, SSSOM.mapping_tool, Literal(TOOL)))
        how = " and ".join(routes) or "an unrecorded route"
        where = f" on {r.endpoint}" if r.endpoint else ""
        g.add((node, DCTERMS.description, Literal(
            f"Candidate found{where} by {how} match (score {r.score or 'unknown'}); reviewed and accepted by {who} "
            f"on {date}.", lang="en")))
        if r.endpoint.startswith(("http://", "https://")):
            try:
                ox.NamedNode(r.endpoint)
                g.add((node, SSSOM.mapping_provider, URIRef(r.endpoint)))
                g.add((node, DCTERMS.source, URIRef(r.endpoint)))
            except ValueError:
                pass
        if (node, DCTERMS.source, None) not in g:
            g.add((node, DCTERMS.source, o))
        added.append(rec_iri)
    if added:
        write_text(target, _HEADER + _turtle(g))
    return ApplyResult(file=target, added=added, already_present=already,
                       rejected=sum(r.decision == "rejected" for r in rows),
                       undecided=sum(r.decision in ("", "unsure") for r in rows))
