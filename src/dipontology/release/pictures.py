"""The pictures of the release, as SVG drawn from the graph: a network around each case study and a timeline of the
case studies by track.

Labels are laid out, never left to chance: every text is measured with :func:`text_width` (advance widths of DejaVu
Sans, the font the pictures ask for first, rounded up), wrapped to the room it has, and boxes are stacked so that no
two texts overlap and none leaves the picture (``tests/test_build.py`` measures every text of every SVG of a release
with :func:`text_boxes` and checks; the browser test checks the same with the browser's own measurements).

A picture is a :class:`Scene` of shapes that a Jinja2 template writes out (``picture.svg``), so every label is
escaped by the template.

>>> round(text_width("Track II diplomacy", 12), 1)
111.1
>>> wrap("Israeli and Palestinian citizen diplomats", 150, 12)
['Israeli and Palestinian', 'citizen diplomats']
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import BASE
from .model import DIPNS, Index, term_key
from .templating import environment

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
# advance widths in em of DejaVu Sans (Book), rounded up; other characters count as 0.7 em, wide ones as 1 em
_WIDTHS = {
    " ": .32, "!": .40, '"': .46, "#": .84, "$": .64, "%": .95, "&": .78, "'": .28, "(": .39, ")": .39, "*": .50,
    "+": .84, ",": .32, "-": .37, ".": .32, "/": .34, ":": .34, ";": .34, "<": .84, "=": .84, ">": .84, "?": .54,
    "@": 1.0, "[": .39, "]": .39, "_": .50, "\u2013": .50, "\u2014": 1.0, "\u2018": .32, "\u2019": .32,
    "\u201c": .52, "\u201d": .52, "\u2026": 1.0,
    **{c: .64 for c in "0123456789"},
    **dict(zip("abcdefghijklmnopqrstuvwxyz", (.62, .64, .56, .64, .62, .36, .64, .64, .28, .28, .58, .28, .98,
                                              .64, .62, .64, .64, .42, .53, .40, .64, .60, .82, .60, .60, .53))),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (.69, .69, .70, .78, .64, .58, .78, .76, .30, .30, .66, .56, .87,
                                              .75, .79, .61, .79, .70, .64, .62, .74, .69, .99, .69, .62, .69))),
}
LINE = 1.25  # line height in em


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at font size ``size`` (px), a little more than the browser will draw."""
    return sum(_WIDTHS.get(c, 1.0 if ord(c) > 0x2e80 else .7) for c in text) * size


def wrap(text: str, width: float, size: float, max_lines: int = 4) -> list[str]:
    """Break ``text`` into lines no wider than ``width``; a word longer than a line is cut with a hyphen; past
    ``max_lines`` the last line ends in an ellipsis."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while text_width(word, size) > width:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut] + "-", size) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut] + "-")
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "\u2026", size) > width:
            last = last[:-1].rstrip()
        lines = lines[:max_lines - 1] + [last + "\u2026"]
    return lines


# ----------------------------------------------------------------------------------------------- the scene
@dataclass
class Shape:
    """One element of a picture (``kind``: rect, line, circle, text), its attributes and, for text, its lines."""

    kind: str
    attrs: dict[str, str]
    lines: list[str] = field(default_factory=list)
    size: float = 12


@dataclass
class Group:
    """Shapes drawn together, as a link (``href``) or a plain group, with a tooltip (``title``)."""

    shapes: list[Shape]
    href: str | None = None
    title: str = ""
    cls: str = ""


@dataclass
class Scene:
    width: int
    height: int
    label: str
    cls: str
    groups: list[Group]
    font: str = FONT


def _f(x: float) -> str:
    s = f"{x:.1f}"
    return "0.0" if s == "-0.0" else s


def rect(x: float, y: float, w: float, h: float, **attrs: str) -> Shape:
    return Shape("rect", {"x": _f(x), "y": _f(y), "width": _f(w), "height": _f(h), **attrs})


def line(x1: float, y1: float, x2: float, y2: float, **attrs: str) -> Shape:
    return Shape("line", {"x1": _f(x1), "y1": _f(y1), "x2": _f(x2), "y2": _f(y2), **attrs})


def circle(cx: float, cy: float, r: float, **attrs: str) -> Shape:
    return Shape("circle", {"cx": _f(cx), "cy": _f(cy), "r": _f(r), **attrs})


def text(x: float, y: float, lines: list[str], size: float = 12, anchor: str = "start", **attrs: str) -> Shape:
    """Text whose first baseline is at ``y``; further lines follow at :data:`LINE` em."""
    return Shape("text", {"x": _f(x), "y": _f(y), "font-size": _f(size), "text-anchor": anchor, **attrs}, lines,
                 size)


# ------------------------------------------------------------------------------------------ measuring SVGs
@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    def overlaps(self, other: "Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


def text_boxes(svg: str) -> tuple[tuple[float, float, float, float], list[Box]]:
    """The viewBox of an SVG written by :func:`render` and the box of every line of its texts, measured with
    :func:`text_width` (ascent 0.95 em above the baseline, descent 0.25 em below)."""
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    vb = tuple(float(v) for v in root.get("viewBox", "0 0 0 0").split())
    boxes = []
    for t in root.iter(ns + "text"):
        size = float(t.get("font-size", "12"))
        anchor = t.get("text-anchor", "start")
        x = float(t.get("x", "0"))
        y = float(t.get("y", "0"))
        spans = t.findall(ns + "tspan") or [t]
        for i, span in enumerate(spans):
            content = "".join(span.itertext())
            w = text_width(content, size)
            x0 = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
            base = y + i * LINE * size
            boxes.append(Box(x0, base - 0.95 * size, x0 + w, base + 0.25 * size, content))
    return vb, boxes  # type: ignore[return-value]


def layout_problems(svg: str) -> list[str]:
    """Texts that overlap each other or leave the picture (an empty list for a readable picture)."""
    (vx, vy, vw, vh), boxes = text_boxes(svg)
    out = []
    for b in boxes:
        if b.x0 < vx - 0.5 or b.y0 < vy - 0.5 or b.x1 > vx + vw + 0.5 or b.y1 > vy + vh + 0.5:
            out.append(f"outside the picture: {b.text!r}")
    ordered = sorted(boxes, key=lambda b: b.y0)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.y0 >= a.y1:
                break
            if a.overlaps(b):
                out.append(f"overlap: {a.text!r} and {b.text!r}")
    return out


# ------------------------------------------------------------------------------------------------ network
GROUP_COLOURS = {
    "actor": "#1f5f99", "track": "#b02020", "method": "#237a23", "outcome": "#6b3fa0", "conflict": "#7a4a3a",
    "place": "#a0306e", "theory": "#555555", "challenge": "#7a7a10", "initiative": "#0f6f78",
}
GROUP_NAMES = {"actor": "Who took part", "track": "Tracks", "method": "Methods", "outcome": "Outcomes",
               "conflict": "Conflict", "place": "Places", "theory": "Theories", "challenge": "Challenges",
               "initiative": "Related initiatives"}


#: the case's links drawn in its network picture, in drawing order: (kind of neighbour, property)
_CASE_LINKS = (("method", "usesMethod"), ("outcome", "hasOutcomeAttribution"), ("outcome", "hadOutcome"),
               ("conflict", "addressesConflict"), ("place", "location"), ("theory", "restsOnTheory"),
               ("challenge", "facedChallenge"))


def case_neighbours(ix: Index, case: ox.NamedNode) -> list[tuple[str, ox.NamedNode, str]]:
    """``(group, node, how)`` around a case study, merged per node, sorted by group then label."""
    found: dict[tuple[str, ox.NamedNode], set[str]] = defaultdict(set)

    def add(group: str, node, how: str = "") -> None:
        if isinstance(node, ox.NamedNode):
            found[(group, node)]
            if how:
                found[(group, node)].add(how)

    strip = re.compile(r"\s*\([^()]*\)$")
    for st in ix.iris(case, DIPNS + "hasParticipation"):
        roles = [strip.sub("", ix.label(r)) for r in ix.iris(st, DIPNS + "role")]
        caps = [ix.label(c) for c in ix.iris(st, DIPNS + "capacity")]
        for actor in ix.iris(st, DIPNS + "participant"):
            add("actor", actor, " and ".join(roles) + (f", {', '.join(caps)}" if caps else ""))
    for actor in ix.iris(case, DIPNS + "hasParticipant"):
        add("actor", actor)
    for st in ix.iris(case, DIPNS + "hasTrackClassification"):
        years = span(ix, st)
        for tr in ix.iris(st, DIPNS + "track"):
            add("track", tr, years)
    for tr in ix.iris(case, DIPNS + "hasTrack"):
        add("track", tr)
    for kind, prop in _CASE_LINKS:
        if prop == "hasOutcomeAttribution":  # the outcomes of the case's outcome attributions
            nodes = [o for st in ix.iris(case, DIPNS + prop) for o in ix.iris(st, DIPNS + "outcome")]
        else:
            nodes = ix.iris(case, DIPNS + prop)
        for node in nodes:
            add(kind, node)
    for prop, word in (("partOf", "part of"), ("followedBy", "followed by"), ("ledTo", "led to"),
                       ("complements", "complements"), ("hasPart", "has part"), ("precededBy", "preceded by")):
        for other in ix.iris(case, DIPNS + prop):
            add("initiative", other, word)
    order = list(GROUP_COLOURS)
    items = [(g, n, "; ".join(sorted(e))) for (g, n), e in found.items()]
    items.sort(key=lambda x: (order.index(x[0]), ix.label(x[1]).lower(), x[1].value))
    return items


_YEAR = re.compile(r"^(-?\d{4})")


def year(ix: Index, node, prop: str) -> int | None:
    for lit in sorted((o for o in ix.values(node, prop) if isinstance(o, ox.Literal)), key=lambda o: o.value):
        m = _YEAR.match(lit.value)
        if m:
            return int(m.group(1))
    return None


def span(ix: Index, node) -> str:
    start = year(ix, node, DIPNS + "startDate")
    end = year(ix, node, DIPNS + "endDate")
    if start is None and end is None:
        return ""
    if start == end or end is None:
        return f"{start}" + ("\u2013" if end is None and start is not None else "")
    return f"{start if start is not None else '?'}\u2013{end}"


def network(ix: Index, case: ox.NamedNode, href) -> Scene:
    """The network around a case study: the case in the middle, the records around it in two columns of labelled
    boxes grouped by kind (who took part and how, tracks and when, methods, outcomes, conflict, places, theories,
    challenges, related initiatives), a line from the case to each."""
    items = case_neighbours(ix, case)
    width, col_w, pad, size, small = 960, 300, 8, 12.5, 11
    left_x, right_x = 16, width - 16 - col_w
    inner = col_w - 2 * pad
    by_group: dict[str, list] = defaultdict(list)
    for g, n, how in items:
        by_group[g].append((n, how))
    columns: list[list] = [[], []]
    heights = [40.0, 40.0]
    blocks = []
    for g in GROUP_COLOURS:
        if g not in by_group:
            continue
        boxes = []
        for n, how in by_group[g]:
            name = wrap(ix.label(n), inner, size, 3)
            detail = wrap(how, inner, small, 2) if how else []
            h = pad * 2 + len(name) * LINE * size + len(detail) * LINE * small
            boxes.append((n, how, name, detail, h))
        block_h = 24 + sum(b[4] + 8 for b in boxes)
        blocks.append((g, boxes, block_h))
    for g, boxes, block_h in blocks:
        col = 0 if heights[0] <= heights[1] else 1
        columns[col].append((g, boxes, heights[col]))
        heights[col] += block_h + 10
    height = int(max(heights + [200.0]) + 10)
    label = ix.label(case)
    centre_lines = wrap(label, 260, 15, 4)
    cw = max(text_width(t, 15) for t in centre_lines) + 28
    ch = 20 + len(centre_lines) * LINE * 15
    cx, cy = width / 2, height / 2
    groups: list[Group] = []
    edges: list[Shape] = []
    for col, entries in enumerate(columns):
        x = left_x if col == 0 else right_x
        for g, boxes, top in entries:
            colour = GROUP_COLOURS[g]
            groups.append(Group([text(x, top + 14, [GROUP_NAMES[g]], 12, **{"font-weight": "bold",
                                                                            "fill": colour})]))
            y = top + 24
            for n, how, name, detail, h in boxes:
                shapes = [rect(x, y, col_w, h, rx="6", fill="#ffffff", stroke=colour, **{"stroke-width": "2"}),
                          text(x + pad, y + pad + 0.95 * size, name, size, fill="#111111")]
                if detail:
                    shapes.append(text(x + pad, y + pad + len(name) * LINE * size + 0.95 * small, detail, small,
                                       fill="#444444"))
                groups.append(Group(shapes, href(n), f"{ix.label(n)}" + (f" ({how})" if how else ""),
                                    f"node {g}"))
                ex = x + col_w if col == 0 else x
                edges.append(line(cx - cw / 2 if col == 0 else cx + cw / 2, cy, ex, y + h / 2, stroke=colour,
                                  **{"stroke-opacity": "0.6", "stroke-width": "1.5"}))
                y += h + 8
    centre = [rect(cx - cw / 2, cy - ch / 2, cw, ch, rx="8", fill=GROUP_COLOURS["initiative"], stroke="#08434a",
                   **{"stroke-width": "2"}),
              text(cx, cy - ch / 2 + 10 + 0.95 * 15, centre_lines, 15, "middle", fill="#ffffff",
                   **{"font-weight": "bold"})]
    if not items:
        centre.append(text(cx, cy + ch / 2 + 24, ["No actors, tracks, methods or outcomes recorded yet."], 12,
                           "middle"))
    return Scene(width, height, f"Network of {label}", "network-svg",
                 [Group(edges)] + groups + [Group(centre, title=label)])


# ----------------------------------------------------------------------------------------------- timeline
#: the timeline lane of dated case studies that no source classifies by track
NO_TRACK = ox.NamedNode(BASE + "void#no-track")


def _event_years(ix: Index, case) -> list[int]:
    """Years of the dated activities and outcomes of a case study (``dip:date``, start and end dates)."""
    nodes = list(ix.iris(case, DIPNS + "usesMethod")) + list(ix.iris(case, DIPNS + "hadOutcome"))
    for st in ix.iris(case, DIPNS + "hasOutcomeAttribution"):
        nodes += ix.iris(st, DIPNS + "outcome")
    years = set()
    for n in nodes:
        for prop in ("date", "startDate", "endDate"):
            y = year(ix, n, DIPNS + prop)
            if y is not None:
                years.add(y)
    return sorted(years)


def _stated_years(ix: Index, case) -> list[int]:
    """Years some source states for the case (its start, end or date) where the record holds none of its own
    because the sources disagree."""
    years = set()
    for st in ix.subjects(DIPNS + "statedSubject", case):
        props = {p.value for p in ix.iris(st, DIPNS + "statedProperty")}
        if props & {DIPNS + "startDate", DIPNS + "endDate", DIPNS + "date"}:
            for v in ix.values(st, DIPNS + "statedValue"):
                m = _YEAR.match(v.value) if isinstance(v, ox.Literal) else None
                if m:
                    years.add(int(m.group(1)))
    return sorted(years)


def timeline_entries(ix: Index, cases: list[ox.NamedNode]) -> tuple[dict[ox.NamedNode, list], list]:
    """Per track, bars ``(start, end, case, how, points)``; and the cases with no date at all.

    A case study is dated by its own start and end dates (or those of its track classification), else by the years
    its sources state where they disagree (``how`` = ``"disputed"``), else by the dated activities and outcomes it
    points to (``"events"``, drawn as points joined by a thin line), else by the decade its source gives
    (``"decade"``).
    """
    lanes: dict[ox.NamedNode, list] = defaultdict(list)
    undated = []
    for case in cases:
        cstart = year(ix, case, DIPNS + "startDate")
        cend = year(ix, case, DIPNS + "endDate")
        how, points = "dates", []
        if cstart is None and cend is None:
            stated = _stated_years(ix, case)
            events = _event_years(ix, case)
            dec = year(ix, case, DIPNS + "decade")
            if stated:
                cstart, cend, how, points = stated[0], stated[-1], "disputed", stated
            elif events:
                cstart, cend, how, points = events[0], events[-1], "events", events
            elif dec is not None:
                cstart, cend, how = dec, dec + 9, "decade"
        dated = False
        tracks = set()
        for st in ix.iris(case, DIPNS + "hasTrackClassification"):
            s, e = year(ix, st, DIPNS + "startDate"), year(ix, st, DIPNS + "endDate")
            kind, pts = "dates", []
            if s is None and e is None:
                s, e, kind, pts = cstart, cend, how, points
            for tr in ix.iris(st, DIPNS + "track"):
                if tr in tracks:
                    continue
                tracks.add(tr)
                if s is not None or e is not None:
                    lanes[tr].append((s if s is not None else e, e if e is not None else s, case, kind, pts))
                    dated = True
        for tr in ix.iris(case, DIPNS + "hasTrack"):
            if tr not in tracks and (cstart is not None or cend is not None):
                tracks.add(tr)
                lanes[tr].append((cstart if cstart is not None else cend, cend if cend is not None else cstart, case,
                                  how, points))
                dated = True
        if not dated and (cstart is not None or cend is not None):
            lanes[NO_TRACK].append((cstart if cstart is not None else cend, cend if cend is not None else cstart, case,
                                    how, points))
            dated = True
        if not dated:
            undated.append(case)
    return lanes, undated


_NOTES = {"dates": "", "decade": " (the decade its source gives)", "disputed": " (the sources disagree on the dates)",
          "events": " (dated by its activities and outcomes)"}
_TRACK_ORDER = ("TrackOne", "TrackOneAndAHalf", "TrackTwo", "CitizenDiplomacy", "TrackThree", "MultiTrackDiplomacy")


def timeline(ix: Index, cases: list[ox.NamedNode], href) -> tuple[Scene, list[ox.NamedNode]]:
    """The timeline (one lane per track, a bar per case study and classification, every name in full) and the
    cases left out for lack of a date."""
    lanes, undated = timeline_entries(ix, cases)
    width, left, right, size, lane_size = 960, 200.0, 16.0, 11.0, 12.0
    if not lanes:
        return Scene(width, 60, "Timeline", "timeline-svg",
                     [Group([text(width / 2, 35, ["No dated case studies yet."], 13, "middle")])]), undated
    years = [y for bars in lanes.values() for s, e, *_ in bars for y in (s, e)]
    y0 = (min(years) // 10) * 10
    y1 = (max(years) // 10 + 1) * 10
    span_years = max(y1 - y0, 1)

    def x(yr: float) -> float:
        return left + (width - left - right) * (yr - y0) / span_years

    order = {DIPNS + n: i for i, n in enumerate(_TRACK_ORDER)}
    track_list = sorted(lanes, key=lambda t: (order.get(t.value, 100 if t == NO_TRACK else 99), ix.label(t).lower(),
                                              t.value))
    groups: list[Group] = []
    backgrounds: list[Shape] = []
    y = 40.0
    row_h = LINE * size + 9
    for ti, tr in enumerate(track_list):
        bars = sorted(lanes[tr], key=lambda b: (b[0], b[1], ix.label(b[2]).lower(), b[2].value))
        rows: list[list[tuple[float, float]]] = []
        placed = []
        for s, e, case, how, points in bars:
            xs = x(s)
            xe = max(x(e + 1) if e >= s else xs + 6, xs + 6)
            name = ix.label(case)
            w = text_width(name, size)
            if xe + 6 + w <= width - 4:
                side, lines, extent = "right", [name], (xs, xe + 6 + w)
            elif xs - 6 - w >= left:
                side, lines, extent = "left", [name], (xs - 6 - w, xe)
            else:
                room = max(width - 4 - xe - 6, xs - 6 - left)
                side = "right" if width - 4 - xe - 6 >= xs - 6 - left else "left"
                lines = wrap(name, room, size, 3)
                lw = max(text_width(t, size) for t in lines)
                extent = (xs, xe + 6 + lw) if side == "right" else (xs - 6 - lw, xe)
            nrows = len(lines)
            r = 0
            while not all(r + k >= len(rows) or not any(a < extent[1] + 8 and extent[0] < b + 8 for a, b in rows[r + k])
                          for k in range(nrows)):
                r += 1
            while len(rows) < r + nrows:
                rows.append([])
            for k in range(nrows):
                rows[r + k].append(extent)
            placed.append((r, xs, xe, s, e, case, how, points, side, lines))
        lane_h = max(1, len(rows)) * row_h + 12
        lane_label = "No track in the sources" if tr == NO_TRACK else ix.label(tr)
        lane_lines = wrap(lane_label, left - 20, lane_size, 3)
        lane_h = max(lane_h, 14 + len(lane_lines) * LINE * lane_size)
        backgrounds.append(rect(0, y, width, lane_h, fill="#f3f5f8" if ti % 2 == 0 else "#ffffff"))
        groups.append(Group([text(10, y + 16, lane_lines, lane_size, **{"font-weight": "bold"})],
                            href(tr) if tr != NO_TRACK else None, lane_label, "lane"))
        for r, xs, xe, s, e, case, how, points, side, lines in placed:
            by = y + 6 + r * row_h
            when = f"{s}" if s == e else f"{s}\u2013{e}"
            if how in ("events", "disputed"):
                shapes = [line(xs + 3, by + 7, max(xe - 3, xs + 3), by + 7, stroke="#b02020",
                               **{"stroke-width": "2", "stroke-opacity": "0.6"})]
                shapes += [circle((x(p) + x(p + 1)) / 2, by + 7, 5, fill="#b02020") for p in points]
            elif how == "decade":
                shapes = [rect(xs, by, xe - xs, 14, rx="3", fill="#b02020", stroke="#b02020",
                               **{"stroke-dasharray": "3,2", "fill-opacity": "0.3"})]
            else:
                shapes = [rect(xs, by, xe - xs, 14, rx="3", fill="#b02020", **{"fill-opacity": "0.8"})]
            tx = xe + 6 if side == "right" else xs - 6
            shapes.append(text(tx, by + 11, lines, size, "start" if side == "right" else "end", fill="#111111"))
            groups.append(Group(shapes, href(case), f"{ix.label(case)}, {lane_label}, {when}{_NOTES[how]}", "bar"))
        y += lane_h
    height = int(y + 10)
    axis = [line(left, 30, width - right, 30, stroke="#333333")]
    step = 10 if span_years <= 120 else 50
    ticks = []
    for yr in range(y0, y1 + 1, step):
        axis.append(line(x(yr), 26, x(yr), height - 10, stroke="#c8c8c8", **{"stroke-dasharray": "2,3"}))
        anchor = "end" if yr == y1 and x(yr) + text_width(str(yr), 11) / 2 > width else "middle"
        ticks.append(text(x(yr), 20, [str(yr)], 11, anchor))
    return Scene(width, height, "Timeline of the case studies by track", "timeline-svg",
                 [Group(backgrounds), Group(axis), Group(ticks)] + groups), undated


def render(scene: Scene) -> str:
    """The SVG text of a scene (through the ``picture.svg`` template: every label escaped)."""
    return environment().get_template("picture.svg").render(scene=scene).strip()


__all__ = ["Scene", "Group", "Shape", "network", "timeline", "timeline_entries", "render", "text_boxes",
           "layout_problems", "text_width", "wrap", "case_neighbours", "NO_TRACK", "term_key"]
