"""Synthetic diplomacy data that follows dipontology's ontology and shapes, with counted violations.

Writes ``<out>/gen-<size>.ttl`` (Turtle, one triple per line after the prefixes) and ``<out>/gen-<size>.json``
(the sidecar: triples written, records of each kind, and how many violations of each kind were injected, with the
shape each should trigger). The default output folder is ``/tmp/dipontology-bench`` (never the repository).

    python bench/generate.py --triples 10000 100000 1000000
    python bench/generate.py --triples 10000 --violation-rate 0.05 --seed 7

The data is deterministic for a given size, rate and seed. Each initiative brings about 40 triples: the case record,
two or three participations (actor, role, capacity, source, locator), a dated track classification, an activity
typed by a method class, an outcome attribution, and shared actors, sources, conflicts and places. Every fact on a
record (a specific type, a date, a place, a conflict, a method) is backed by a fact statement naming the same
record, property and value with its source and locator, as the shipped data is (issue 13).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

DEFAULT_OUT = Path(os.environ.get("DIPONTOLOGY_BENCH_DIR", "/tmp/dipontology-bench"))

PREFIXES = """@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix actor: <https://w3id.org/dipontology/id/actor/> .
@prefix conflict: <https://w3id.org/dipontology/id/conflict/> .
@prefix place: <https://w3id.org/dipontology/id/place/> .
@prefix source: <https://w3id.org/dipontology/id/source/> .
@prefix statement: <https://w3id.org/dipontology/id/statement/> .
@prefix activity: <https://w3id.org/dipontology/id/activity/> .
@prefix outcome: <https://w3id.org/dipontology/id/outcome/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

METHODS = ["ProblemSolvingWorkshop", "Dialogue", "Exchange"]
OUTCOMES = ["PeaceAgreement", "AttitudeChange"]
ACTOR_KINDS = ["NGO", "AcademicInstitution"]
TRACKS = ["TrackOne", "TrackOneAndAHalf", "TrackTwo"]
ROLES = ["ParticipantRole", "FacilitatorRole"]
CAPACITIES = ["PrivateCapacity", "OfficialInUnofficialCapacity"]

#: kind of violation -> the shape (dipsh:) that reports it and its severity
VIOLATIONS = {
    "missing_label": ("EnglishLabel", "Violation"),            # an initiative without rdfs:label
    "bad_case_iri": ("InitiativeShape", "Violation"),          # case IRI with an upper-case slug
    "statement_without_source": ("StatementSource", "Violation"),
    "statement_without_locator": ("StatementLocator", "Warning"),
    "method_not_an_activity": ("InitiativeMethod", "Violation"),  # dip:usesMethod pointing at a source record
    "bad_year": ("StartDateValue", "Violation"),                # "19x5"^^xsd:gYear
    "end_before_start": ("EndNotBeforeStart", "Violation"),     # SPARQL constraint
    "unknown_track": ("KnownTrack", "Violation"),               # SPARQL constraint
    "two_participants": ("ParticipationParticipant", "Violation"),
    "unbacked_fact": ("FactBackedByStatement", "Violation"),    # an end date no fact statement backs
}

#: the class every record of a kind has without a statement (dipontology.provenance.KIND_CLASSES)
KIND_CLASSES = {"case": "dip:Initiative", "actor": "dip:Actor", "place": "dip:Place", "conflict": "dip:Conflict",
                "activity": "dip:Method", "outcome": "dip:Outcome"}


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(triples: int, out: Path = DEFAULT_OUT, *, violation_rate: float = 0.02, seed: int = 1) -> Path:
    """Write ``gen-<triples>.ttl`` and its sidecar JSON under ``out``; return the Turtle path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"gen-{triples}.ttl"
    rng = random.Random(seed)
    counts = {k: 0 for k in VIOLATIONS}
    records = {"initiative": 0, "actor": 0, "source": 0, "conflict": 0, "place": 0, "participation": 0,
               "track_classification": 0, "activity": 0, "outcome": 0, "fact_statement": 0}
    lines: list[str] = []
    n = 0

    def t(s: str, p: str, o: str) -> None:
        nonlocal n
        lines.append(f"{s} {p} {o} .\n")
        n += 1

    def bad(kind: str) -> bool:
        if rng.random() < violation_rate:
            counts[kind] += 1
            return True
        return False

    facts = 0

    def fact(s: str, p: str, o: str, src: str, backed: bool = True) -> None:
        """The direct triple and, unless ``backed`` is False, the fact statement that backs it."""
        nonlocal facts
        t(s, p, o)
        if not backed:
            return
        st = f"statement:fact-{facts}"
        facts += 1
        t(st, "a", "dip:FactStatement")
        t(st, "dip:statedSubject", s)
        t(st, "dip:statedProperty", "rdf:type" if p == "a" else p)
        t(st, "dip:statedValue", o)
        t(st, "dcterms:source", src)
        t(st, "dip:locator", _lit(f"p. {rng.randrange(1, 300)}"))
        records["fact_statement"] += 1

    def record(s: str, cls: str, label: str, src: str, desc: bool = True) -> None:
        kind = s.split(":", 1)[0]
        if cls == KIND_CLASSES.get(kind):
            t(s, "a", cls)
        else:
            fact(s, "a", cls, src)
        t(s, "rdfs:label", _lit(label) + "@en")
        if desc:
            t(s, "dcterms:description", _lit(f"Synthetic {label.lower()}.") + "@en")
        t(s, "dcterms:source", src)

    n_shared = max(4, triples // 2000)
    for i in range(n_shared):
        s = f"source:src-{i}"
        t(s, "a", "dip:Source")
        t(s, "rdfs:label", _lit(f"Source {i}") + "@en")
        t(s, "dcterms:title", _lit(f"Source {i}"))
        t(s, "dcterms:bibliographicCitation", _lit(f"Author {i} ({1950 + i % 70}). Source {i}."))
        t(s, "dcterms:issued", f'"{1950 + i % 70}"^^xsd:gYear')
        records["source"] += 1
        record(f"place:place-{i}", "dip:Country", f"Country {i}", s, desc=False)
        records["place"] += 1
        record(f"conflict:conflict-{i}", "dip:Conflict", f"Conflict {i}", s)
        records["conflict"] += 1
    actors = max(8, triples // 400)
    for i in range(actors):
        src = f"source:src-{i % n_shared}"
        record(f"actor:actor-{i}", f"dip:{ACTOR_KINDS[i % 2]}", f"Actor {i}", src)
        fact(f"actor:actor-{i}", "dip:basedIn", f"place:place-{i % n_shared}", src)
        records["actor"] += 1

    i = 0
    while n < triples:
        src = f"source:src-{rng.randrange(n_shared)}"
        slug = f"initiative-{i}"
        case = f"case:{slug}" if not bad("bad_case_iri") else f"case:Initiative-{i}"
        t(case, "a", "dip:Initiative")
        if not bad("missing_label"):
            t(case, "rdfs:label", _lit(f"Initiative {i}") + "@en")
        t(case, "dcterms:description", _lit(f"Synthetic initiative {i}.") + "@en")
        t(case, "dcterms:source", src)
        start = 1950 + rng.randrange(60)
        bad_start = bad("bad_year")
        fact(case, "dip:startDate", f'"{start}"^^xsd:gYear' if not bad_start else '"19x5"^^xsd:gYear', src)
        # an ill-formed start year cannot be compared, so it never also counts as an end before the start
        end = start - 3 if not bad_start and bad("end_before_start") else start + rng.randrange(1, 10)
        fact(case, "dip:endDate", f'"{end}"^^xsd:gYear', src, backed=not bad("unbacked_fact"))
        fact(case, "dip:addressesConflict", f"conflict:conflict-{rng.randrange(n_shared)}", src)
        fact(case, "dip:location", f"place:place-{rng.randrange(n_shared)}", src)
        # track classification
        tc = f"statement:{slug}-track"
        t(case, "dip:hasTrackClassification", tc)
        t(tc, "a", "dip:TrackClassification")
        t(tc, "dip:track", f"dip:{rng.choice(TRACKS)}" if not bad("unknown_track") else "dip:TrackNine")
        t(tc, "dcterms:source", src)
        t(tc, "dip:locator", _lit(f"p. {rng.randrange(1, 300)}"))
        t(tc, "dip:startDate", f'"{start}"^^xsd:gYear')
        records["track_classification"] += 1
        # participations
        for k in range(rng.randrange(2, 4)):
            p = f"statement:{slug}-participation-{k}"
            t(case, "dip:hasParticipation", p)
            t(p, "a", "dip:Participation")
            t(p, "dip:participant", f"actor:actor-{rng.randrange(actors)}")
            if bad("two_participants"):
                t(p, "dip:participant", f"actor:actor-{rng.randrange(actors)}")
            t(p, "dip:role", f"dip:{rng.choice(ROLES)}")
            t(p, "dip:capacity", f"dip:{rng.choice(CAPACITIES)}")
            if not bad("statement_without_source"):
                t(p, "dcterms:source", src)
            if not bad("statement_without_locator"):
                t(p, "dip:locator", _lit(f"p. {rng.randrange(1, 300)}"))
            records["participation"] += 1
        # method (an activity typed by a method class) and outcome
        act = f"activity:{slug}-activity"
        fact(case, "dip:usesMethod", act if not bad("method_not_an_activity") else src, src)
        record(act, f"dip:{rng.choice(METHODS)}", f"Activity of initiative {i}", src, desc=False)
        records["activity"] += 1
        oc = f"outcome:{slug}-outcome"
        record(oc, f"dip:{rng.choice(OUTCOMES)}", f"Outcome of initiative {i}", src, desc=False)
        records["outcome"] += 1
        oa = f"statement:{slug}-outcome-attribution"
        t(case, "dip:hasOutcomeAttribution", oa)
        t(oa, "a", "dip:OutcomeAttribution")
        t(oa, "dip:outcome", oc)
        t(oa, "dcterms:source", src)
        t(oa, "dip:locator", _lit("conclusion"))
        records["initiative"] += 1
        i += 1

    tmp = path.with_suffix(".ttl.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(PREFIXES)
        fh.writelines(lines)
    os.replace(tmp, path)
    sidecar = {
        "file": path.name, "triples": n, "seed": seed, "violation_rate": violation_rate, "records": records,
        "violations": {k: {"count": v, "shape": f"dipsh:{VIOLATIONS[k][0]}", "severity": VIOLATIONS[k][1]}
                       for k, v in counts.items()},
    }
    side = path.with_suffix(".json")
    side_tmp = side.with_suffix(".json.tmp")
    side_tmp.write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
    os.replace(side_tmp, side)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--violation-rate", type=float, default=0.02,
                    help="probability that each chance of each kind of violation is taken (default 0.02)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    for size in args.triples:
        p = generate(size, args.out, violation_rate=args.violation_rate, seed=args.seed)
        print(p, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
