"""The pages of the release, rendered from Jinja2 templates (``dipontology/release/templates``, autoescaping on:
no page is built from strings by hand). One template per kind of page, all extending ``base.html`` (the same
header, navigation and footer, and the "cite as" block).

>>> env = environment()
>>> env.from_string("{{ x }}").render(x="<b>&</b>")
'&lt;b&gt;&amp;&lt;/b&gt;'
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from importlib import resources as importlib_resources

import pyoxigraph as ox
from markupsafe import Markup

from ..namespaces import BASE, ONTOLOGY_IRI
from . import pictures
from .account import Accounts, Disagreement, Value
from .cite import Citation, Release, source_ref
from .model import DCT, DIPNS, RDFS, SKOS, Index, record_path
from .templating import environment
from .terms import documentation, ontology_header

#: the vendored YASGUI of the SPARQL editor (``dipontology/site/vendor/yasgui/<version>/``)
YASGUI_VERSION = "4.6.2"
#: how the pages name each kind of record
KIND_NAMES = {
    "case": "Case study", "actor": "Actor", "conflict": "Conflict", "place": "Place", "source": "Source",
    "statement": "Statement", "activity": "Activity", "outcome": "Outcome", "theory": "Theory",
    "challenge": "Challenge", "opportunity": "Opportunity", "code": "Code assignment", "mapping": "Mapping",
}
KIND_PLURALS = {
    "case": "Case studies", "actor": "Actors", "conflict": "Conflicts", "place": "Places", "source": "Sources",
    "statement": "Statements", "activity": "Activities", "outcome": "Outcomes", "theory": "Theories",
    "challenge": "Challenges", "opportunity": "Opportunities", "code": "Code assignments", "mapping": "Mappings",
}
#: the heading of the list of records that point to a record, by its kind
APPEARS_TITLES = {"actor": "Case studies and records it appears in", "place": "Case studies and records set here",
                  "source": "What this source is cited for", "conflict": "Case studies that addressed it"}


@dataclass(frozen=True)
class Format:
    ext: str
    media: str
    name: str


FORMATS = (Format("ttl", "text/turtle", "Turtle"), Format("jsonld", "application/ld+json", "JSON-LD"),
           Format("nt", "application/n-triples", "N-Triples"), Format("rdf", "application/rdf+xml", "RDF/XML"))


def asset(name: str) -> bytes:
    """A static file of the site (``dipontology/site/<name>``)."""
    node = importlib_resources.files("dipontology.site")
    for part in name.split("/"):
        node = node.joinpath(part)
    return node.read_bytes()


def assets() -> list[str]:
    """Every static file the release copies into ``assets/`` (CSS, scripts, the vendored YASGUI and its licence)."""
    out = ["style.css", "search.js", "editor.js", "favicon.svg"]
    vendor = importlib_resources.files("dipontology.site").joinpath("vendor", "yasgui", YASGUI_VERSION)
    out += [f"vendor/yasgui/{YASGUI_VERSION}/{p.name}" for p in sorted(vendor.iterdir(), key=lambda p: p.name)
            if p.is_file()]
    return out


class Site:
    """Renders the pages and pictures of a release.

    :param ix: the view of ontology + data.
    :param release: version, date, creators and licence (what a citation names).
    :param pages: the record IRIs that get a page.
    """

    def __init__(self, ix: Index, release: Release, pages: set[str]) -> None:
        self.ix = ix
        self.release = release
        self.pages = pages
        self.accounts = Accounts(ix, pages)
        self.env = environment()

    # -- helpers
    def render(self, template: str, root: str, **context) -> bytes:
        whole = Citation(self.release.title, BASE, self.release)
        context.setdefault("citation", whole)
        context.setdefault("description", "")
        html = self.env.get_template(template).render(root=root, release=self.release, **context)
        return html.encode("utf-8")

    def href(self, root: str):
        """A function giving the link (with ``root``) of a term, or None, for the pictures."""
        def link(term) -> str | None:
            h, internal = self.accounts.href(term)
            return (root + h if internal else h) if h else None
        return link

    def picture(self, scene: pictures.Scene) -> Markup:
        return Markup(pictures.render(scene))  # rendered by the autoescaping picture.svg template

    def value(self, term) -> Value:
        return self.accounts.value(term)

    # -- pages
    def record_page(self, node: ox.NamedNode, kind: str, slug: str) -> bytes:
        ix = self.ix
        root = "../../"
        label = ix.label(node)
        desc = ix.text(node, DCT + "description", SKOS + "definition", RDFS + "comment") or ""
        citation = Citation(label, node.value, self.release)
        common = dict(kind=kind, kind_name=KIND_NAMES.get(kind, kind), label=label, iri=node.value, slug=slug,
                      formats=FORMATS, title=label, description=desc, citation=citation)
        if kind == "statement":
            acc = self.accounts
            fact = acc.statement_fact(node, (acc.owners(node) or [node])[0])
            about = acc.statement_owner_values(node)
            disagreements = []
            others = ix.iris(node, DIPNS + "contradicts") + [s for s in ix.subjects(DIPNS + "contradicts", node)
                                                             if isinstance(s, ox.NamedNode)]
            for other in sorted(set(others), key=lambda n: n.value):
                side = acc.statement_fact(other, (acc.owners(node) or [node])[0])
                notes = sorted({n for s in (node, other) for n in ix.texts(s, DIPNS + "disagreementNote")})
                if fact is not None and side is not None:
                    disagreements.append(Disagreement(notes, [fact, side]))
            sources = [acc.source(s) for s in ix.iris(node, DCT + "source")]
            return self.render("statement.html", root, fact=fact, about=about, disagreements=disagreements,
                               sources=sources, contributions=acc.contributions(node), **common)
        account = self.accounts.account(node)
        network = self.picture(pictures.network(ix, node, self.href(root))) if kind == "case" else None
        source = source_ref(ix, node, self.pages) if kind == "source" else None
        return self.render("record.html", root, account=account, network=network, source=source,
                           appears_title=APPEARS_TITLES.get(kind, "Case studies and records that refer to it"),
                           kind_names=KIND_NAMES, **common)

    def kind_page(self, kind: str, items: list[ox.NamedNode]) -> bytes:
        values = sorted((self.value(n) for n in items), key=lambda v: (v.text.lower(), v.iri))
        title = f"{KIND_PLURALS.get(kind, kind)} ({len(values)})"
        return self.render("kind.html", "../../", title=title, items=values)

    def ontology_page(self, usage: dict[str, int], about: dict[str, list]) -> bytes:
        onto = ontology_header(self.ix)
        v = self.release.version
        downloads = [{"href": f"../ontology/{v}/dipontology.{f.ext}", "name": f.name} for f in FORMATS]
        groups = documentation(self.accounts, usage, about)
        citation = Citation(onto["title"], ONTOLOGY_IRI, self.release)
        return self.render("ontology.html", "../", title=onto["title"], description=onto["description"], onto=onto,
                           iri=ONTOLOGY_IRI, downloads=downloads, groups=groups, overview=None, citation=citation)

    def index_page(self, heading: str, description: str, rights: str, records: list[tuple[ox.NamedNode, str, str]],
                   cases: list[ox.NamedNode], stats: list[tuple[str, int]], queries: list[dict]) -> bytes:
        timeline, undated = pictures.timeline(self.ix, cases, self.href(""))
        counts: dict[str, int] = defaultdict(int)
        for _node, kind, _slug in records:
            counts[kind] += 1
        kinds = [{"kind": k, "name": KIND_PLURALS.get(k, k), "count": counts[k]} for k in sorted(counts)]
        shown = [{"value": self.value(c), "description": self.ix.text(c, DCT + "description") or ""} for c in cases]
        return self.render("index.html", "", title=heading, heading=heading, description=description, rights=rights,
                           stats=stats, timeline=self.picture(timeline), undated=[self.value(c) for c in undated],
                           cases=shown, kinds=kinds, queries=queries)

    def sparql_page(self, examples: list[dict], endpoint: str | None, prefixes: dict[str, str]) -> bytes:
        config = {"endpoint": endpoint or "../sparql", "prefixes": "../assets/prefixes.json",
                  "first": examples[0]["name"] if examples else "", "prefixMap": prefixes,
                  "examples": [{"name": e["name"], "title": e["title"], "query": e["query"]} for e in examples]}
        return self.render("sparql.html", "../", title="SPARQL editor", examples=examples, config=config,
                           endpoint_text=endpoint or "/sparql", endpoint_given=bool(endpoint),
                           yasgui_version=YASGUI_VERSION,
                           description="Query the release with SPARQL; the named queries are ready as examples.")
