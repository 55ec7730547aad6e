"""The generated parts of ``docs/coverage.md``: every disagreement between sources, and the index of every record.

Both are written from the shipped data, so what they say is what the graph holds; ``tests/test_data.py`` fails when
they are stale. ``python -m dipontology.coverage_docs --write-docs`` rewrites them between their markers and leaves
the hand-written sections alone.
"""
from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS

from . import resources
from .load import trusted_graph
from .namespaces import DIP, ID_BASE, bind_all
from .terms import curie

DOC = Path(__file__).resolve().parents[2] / "docs" / "coverage.md"
MARKERS = {
    "disagreements": ("<!-- generated: disagreements -->", "<!-- end: disagreements -->"),
    "index": ("<!-- generated: index -->", "<!-- end: index -->"),
}


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _load() -> tuple[Graph, dict[str, Graph]]:
    whole = bind_all(Graph())
    per_file: dict[str, Graph] = {}
    root = resources.data_dir()
    for f in resources.data_files():
        g = trusted_graph(f)
        per_file[f.relative_to(root.parent).as_posix()] = g
        whole += g
    return whole, per_file


def _source_name(g: Graph, source) -> str:
    label = g.value(source, RDFS.label)
    return str(label) if label is not None else curie(source)


def disagreements_markdown(g: Graph) -> str:
    """A table of every pair of statements linked by ``dip:contradicts``, each side with its source and words."""
    pairs = set()
    for a, b in g.subject_objects(DIP.contradicts):
        pairs.add(tuple(sorted((a, b), key=str)))
    rows = ["| What the sources disagree on | One position (source) | The other position (source) |", "|---|---|---|"]

    def side(st) -> str:
        sources = "; ".join(sorted(_source_name(g, s) for s in g.objects(st, DCTERMS.source)))
        quote = g.value(st, DIP.quote)
        words = f": \"{_cell(quote)}\"" if quote is not None else ""
        return f"`{curie(st)}` ({_cell(sources)}){words}"

    def note(a, b) -> str:
        # a statement in several disagreements may carry a note for each: prefer the note both sides share
        na, nb = set(map(str, g.objects(a, DIP.disagreementNote))), set(map(str, g.objects(b, DIP.disagreementNote)))
        notes = (na & nb) or (na | nb)
        if notes:
            return _cell(min(notes))
        return _cell(g.value(a, RDFS.label) or curie(a))

    for a, b in sorted(pairs, key=lambda p: (note(*p).lower(), str(p[0]), str(p[1]))):
        rows.append(f"| {note(a, b)} | {side(a)} | {side(b)} |")
    head = (f"{len(pairs)} disagreements, each position recorded as its own source's statement and linked by "
            "`dip:contradicts` (symmetric, so either side finds the other). The named query `source-disagreements` "
            "lists them with their passages.\n\n")
    return head + "\n".join(rows) + "\n"


def index_markdown(per_file: dict[str, Graph]) -> str:
    """Every record of every data file (mapping sets aside), grouped by kind."""
    out = []
    for path in sorted(per_file, key=lambda p: (p.count("/"), p)):
        if path.startswith("data/mappings/"):
            continue
        g = per_file[path]
        recs = sorted({s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ID_BASE)}, key=str)
        out.append(f"### `{path}` ({len(recs)} records)\n")
        by_kind: dict[str, list[str]] = {}
        for r in recs:
            kind = str(r)[len(ID_BASE):].split("/", 1)[0]
            by_kind.setdefault(kind, []).append(f"`{curie(r)}`")
        for kind in sorted(by_kind):
            out.append(f"- {kind} ({len(by_kind[kind])}): {', '.join(by_kind[kind])}")
        out.append("")
    return "\n".join(out)


def generated_sections() -> dict[str, str]:
    whole, per_file = _load()
    return {"disagreements": disagreements_markdown(whole), "index": index_markdown(per_file)}


def render(text: str, sections: dict[str, str] | None = None) -> str:
    """``text`` with each generated section replaced by its current content."""
    sections = generated_sections() if sections is None else sections
    for key, (start, end) in MARKERS.items():
        if start not in text or end not in text:
            raise ValueError(f"docs/coverage.md lacks the markers {start} ... {end}")
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = f"{before}{start}\n{sections[key]}{end}{after}"
    return text


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if "--write-docs" in args:
        DOC.write_text(new, encoding="utf-8")
        print(f"wrote {DOC}")
        return 0
    print(new)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
