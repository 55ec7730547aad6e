"""What the release says about itself and how it is reached: the VoID/DCAT description, the w3id ``.htaccess``,
the client-side search index and the examples of the SPARQL editor (the named query library).

>>> "RewriteRule ^dataset$ https://h.example/d/void.ttl [R=303,L]" in htaccess("1.0", "https://h.example/d")
True
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import BASE, ID_BASE, ONTOLOGY_IRI, PREFIXES
from ..query import library
from ..store import insert_values
from .model import DCT, DIPNS, OWL, RDF_TYPE, XSD, compact

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
DATASET_IRI = BASE + "dataset"
MEDIA_TYPES = {
    "ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json", "trig": "application/trig", "csv": "text/csv", "html": "text/html",
    "json": "application/json", "txt": "text/plain", "js": "text/javascript", "css": "text/css",
    "svg": "image/svg+xml", "bib": "application/x-bibtex",
}


def _namespace(iri: str) -> str:
    return iri[:max(iri.rfind("#"), iri.rfind("/")) + 1]


def htaccess(version: str, site_url: str | None = None) -> str:
    """The w3id.org ``.htaccess``: content negotiation for the ontology and record IRIs (W3C Best Practice
    Recipes for Publishing RDF Vocabularies, recipe 3 for the hash ontology, extended to slash record IRIs),
    answered with 303 redirects to the files of the release, which is deployed at the same path.

    mod_rewrite cannot weigh ``q`` values, so the RDF media types are tested first (a browser's Accept header
    names none of them) and HTML is the default.

    :param site_url: where the release is hosted (e.g. ``https://example.github.io/dipontology/``): redirects
        then go there, which is what the w3id.org redirect folder needs. Without it, redirects are relative: the
        release itself is served by Apache at ``https://w3id.org/dipontology/``.

    >>> "RewriteRule ^dataset$ https://h.example/d/void.ttl [R=303,L]" in htaccess("1.0", "https://h.example/d")
    True
    """
    v = re.escape(version)
    to = (site_url.rstrip("/") + "/") if site_url else ""
    lines = [
        "# w3id.org/dipontology: content negotiation for the ontology and the record IRIs.",
        "# W3C 'Best Practice Recipes for Publishing RDF Vocabularies' (recipe 3, hash namespace), extended to the",
        "# slash record IRIs https://w3id.org/dipontology/id/<kind>/<slug>. RDF media types are tested first;",
        "# HTML is the default (browsers, unknown Accept headers).",
        "Options -MultiViews",
        "AddType text/turtle .ttl",
        "AddType application/rdf+xml .rdf",
        "AddType application/ld+json .jsonld",
        "AddType application/n-triples .nt",
        "AddType application/trig .trig",
        "AddType text/html .html",
        "AddCharset UTF-8 .ttl .nt .jsonld .trig .html",
        "<IfModule mod_headers.c>",
        "  Header append Vary Accept",
        "</IfModule>",
        "RewriteEngine on",
        "",
    ]
    negotiated = [("application/rdf\\+xml", "rdf"), ("text/turtle", "ttl"), ("application/x-turtle", "ttl"),
                  ("application/ld\\+json", "jsonld"), ("application/n-triples", "nt")]
    for label, pattern in (("ontology (latest)", "^ontology/?$"), (f"ontology version {version}", f"^ontology/{v}/?$")):
        lines.append(f"# {label}")
        for accept, ext in negotiated:
            lines.append(f"RewriteCond %{{HTTP_ACCEPT}} {accept}")
            lines.append(f"RewriteRule {pattern} {to}ontology/{version}/dipontology.{ext} [R=303,L]")
        lines.append(f"RewriteRule {pattern} {to}ontology/index.html [R=303,L]")
        lines.append("")
    rec = "^id/([a-z]+)/([A-Za-z0-9][A-Za-z0-9._-]*)$"
    lines.append("# records (a URL that already names a file, such as .../oslo-back-channel.ttl, is served as is)")
    for accept, ext in negotiated:
        lines.append("RewriteCond %{REQUEST_URI} !\\.(html|ttl|jsonld|nt|rdf)$")
        lines.append(f"RewriteCond %{{HTTP_ACCEPT}} {accept}")
        lines.append(f"RewriteRule {rec} {to}id/$1/$2.{ext} [R=303,L]")
    lines.append("RewriteCond %{REQUEST_URI} !\\.(html|ttl|jsonld|nt|rdf)$")
    lines.append(f"RewriteRule {rec} {to}id/$1/$2.html [R=303,L]")
    lines.append("")
    vrec = "^([0-9]+\\.[0-9]+\\.[0-9]+[A-Za-z0-9.+-]*)/id/([a-z]+)/([A-Za-z0-9][A-Za-z0-9._-]*)$"
    lines.append("# a record as published in one release (/<version>/id/<kind>/<slug>): that release's files, which the")
    lines.append("# site keeps under <version>/ (see docs/release.md)")
    for accept, ext in negotiated:
        lines.append("RewriteCond %{REQUEST_URI} !\\.(html|ttl|jsonld|nt|rdf)$")
        lines.append(f"RewriteCond %{{HTTP_ACCEPT}} {accept}")
        lines.append(f"RewriteRule {vrec} {to}$1/id/$2/$3.{ext} [R=303,L]")
    lines.append("RewriteCond %{REQUEST_URI} !\\.(html|ttl|jsonld|nt|rdf)$")
    lines.append(f"RewriteRule {vrec} {to}$1/id/$2/$3.html [R=303,L]")
    lines.append("")
    lines.append("# the dataset description")
    lines.append(f"RewriteRule ^dataset$ {to}void.ttl [R=303,L]")
    if to:
        lines.append("# everything else: the same path on the release site")
        lines.append(f"RewriteRule ^(.*)$ {to}$1 [R=302,L]")
    return "\n".join(lines) + "\n"


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, dt: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if dt:
        return ox.Literal(str(value), datatype=_nn(dt))
    return ox.Literal(str(value))


def void_triples(data: Sequence[ox.Triple], ontology: Sequence[ox.Triple], files: dict[str, bytes], version: str,
                 modified: str, sparql_endpoint: str | None = None) -> list[ox.Triple]:
    """The VoID + DCAT description of the dataset, with counts computed from ``data``."""
    ds = _nn(DATASET_IRI)
    T = []

    def add(s, p: str, o) -> None:
        T.append(ox.Triple(s, _nn(p), o))

    integer = XSD + "integer"
    subjects = {t.subject for t in data}
    objects = {t.object for t in data}
    entities = {s for s in subjects if isinstance(s, ox.NamedNode) and s.value.startswith(ID_BASE)}
    classes: dict[str, set] = defaultdict(set)
    props: dict[str, int] = defaultdict(int)
    namespaces: set[str] = set()
    for t in data:
        props[t.predicate.value] += 1
        namespaces.add(_namespace(t.predicate.value))
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            classes[t.object.value].add(t.subject)
            namespaces.add(_namespace(t.object.value))
    add(ds, RDF_TYPE, _nn(VOID + "Dataset"))
    add(ds, RDF_TYPE, _nn(DCAT + "Dataset"))
    add(ds, DCT + "title", _lit("dipontology: case studies of diplomacy beyond governments", lang="en"))
    add(ds, DCT + "description", _lit("Case studies of Track 1.5, Track II, citizen and multi-track diplomacy with "
                                      "their actors, tracks, methods, outcomes, conflicts, places and sources, "
                                      "described with the dipontology ontology.", lang="en"))
    add(ds, DCT + "license", _nn("https://creativecommons.org/licenses/by/4.0/"))
    add(ds, DCT + "modified", _lit(modified, XSD + "date"))
    add(ds, DCT + "conformsTo", _nn(ONTOLOGY_IRI))
    add(ds, DCAT + "version", _lit(version))
    add(ds, VOID + "uriSpace", _lit(ID_BASE))
    add(ds, VOID + "triples", _lit(len(data), integer))
    add(ds, VOID + "entities", _lit(len(entities), integer))
    add(ds, VOID + "classes", _lit(len(classes), integer))
    add(ds, VOID + "properties", _lit(len(props), integer))
    add(ds, VOID + "distinctSubjects", _lit(len(subjects), integer))
    add(ds, VOID + "distinctObjects", _lit(len(objects), integer))
    if sparql_endpoint:
        add(ds, VOID + "sparqlEndpoint", _nn(sparql_endpoint))
    example = sorted(e.value for e in entities if e.value.startswith(ID_BASE + "case/"))
    if example:
        add(ds, VOID + "exampleResource", _nn(example[0]))
    for ns in sorted(namespaces):
        add(ds, VOID + "vocabulary", _nn(ns))
    for cls in sorted(classes):
        part = _nn(f"{BASE}void#class-{_partition_name(cls)}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", _nn(cls))
        add(part, VOID + "entities", _lit(len(classes[cls]), integer))
    for p in sorted(props):
        part = _nn(f"{BASE}void#property-{_partition_name(p)}")
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", _nn(p))
        add(part, VOID + "triples", _lit(props[p], integer))
    links = props.get(DIPNS + "wikidata", 0)
    ls = _nn(BASE + "void#wikidata-links")
    add(ds, VOID + "subset", ls)
    add(ls, RDF_TYPE, _nn(VOID + "Linkset"))
    add(ls, DCT + "description", _lit("Records linked to Wikidata items by dip:wikidata (the QID as a string).",
                                      lang="en"))
    add(ls, VOID + "linkPredicate", _nn(DIPNS + "wikidata"))
    add(ls, VOID + "subjectsTarget", ds)
    add(ls, VOID + "objectsTarget", _nn("http://www.wikidata.org/entity/"))
    add(ls, VOID + "triples", _lit(links, integer))
    # the ontology as its own dataset
    onto = _nn(ONTOLOGY_IRI)
    add(ds, VOID + "vocabulary", onto)
    add(onto, RDF_TYPE, _nn(VOID + "Dataset"))
    add(onto, OWL + "versionIRI", _nn(f"{ONTOLOGY_IRI}/{version}"))
    add(onto, VOID + "triples", _lit(len(ontology), integer))
    for name in sorted(files):
        entry = files[name]
        size, digest = entry if isinstance(entry, tuple) else (len(entry), hashlib.sha256(entry).hexdigest())
        ext = name.rsplit(".", 1)[-1]
        dist = _nn(BASE + name)
        owner = onto if name.startswith("ontology/") else ds
        add(owner, DCAT + "distribution", dist)
        if name.endswith((".nt", ".ttl", ".rdf", ".jsonld", ".trig")):
            add(owner, VOID + "dataDump", dist)
        add(dist, RDF_TYPE, _nn(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", dist)
        add(dist, DCAT + "mediaType", _nn("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[ext]))
        add(dist, DCAT + "byteSize", _lit(size, XSD + "nonNegativeInteger"))
        ck = _nn(BASE + name + "#sha256")
        add(dist, SPDX + "checksum", ck)
        add(ck, RDF_TYPE, _nn(SPDX + "Checksum"))
        add(ck, SPDX + "algorithm", _nn(SPDX + "checksumAlgorithm_sha256"))
        add(ck, SPDX + "checksumValue", _lit(digest, XSD + "hexBinary"))
    return T


def _partition_name(iri: str) -> str:
    c = compact(iri)
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", c)




# --------------------------------------------------------------------------------------------- search index
def search_index(entries: list[dict[str, str]]) -> bytes:
    """The client-side search index: a JavaScript file that sets ``window.DIPONTOLOGY_INDEX`` to the entries
    (label, kind, url), sorted by label. JSON is valid JavaScript; ``</`` is written ``<\\/`` so the data can never
    close a script element."""
    entries = sorted(entries, key=lambda e: (e["label"].lower(), e["url"]))
    body = json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=0).replace("</", "<\\/")
    return f"window.DIPONTOLOGY_INDEX = {body};\n".encode("utf-8")


# ------------------------------------------------------------------------------------------ editor examples
def _used_prefixes(text: str) -> list[str]:
    body = re.sub(r'<[^>\s]*>|"(?:[^"\\]|\\.)*"|' + r"'(?:[^'\\]|\\.)*'|#[^\n]*", " ", text)
    used = set(re.findall(r"(?<![\w?$:])([A-Za-z][\w-]*):(?=[\w-])", body))
    return [p for p in PREFIXES if p in used]


def editor_examples(store) -> list[dict[str, str]]:
    """The named queries as examples for the SPARQL editor: name, title, description and a self-contained query
    (the ``PREFIX`` lines it needs, the header comments, defaults of its parameters bound with ``VALUES`` and its
    source filters resolved against ``store``); a query whose defaults the data cannot resolve keeps them unbound.
    """
    out = []
    for name, nq in sorted(library().items()):
        try:
            text, bindings = nq.prepare(store)
            text = insert_values(text, bindings)
        except InputError:
            text = nq.text
        prologue = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in _used_prefixes(text)
                           if not re.search(rf"(?im)^\s*PREFIX\s+{re.escape(p)}:", text))
        params = [f"{p.name} ({p.type})" for p in nq.parameters]
        out.append({"name": name, "title": nq.title or name, "description": " ".join(nq.description.split()),
                    "parameters": ", ".join(params), "query": prologue + text.strip() + "\n"})
    return out
