"""``dipontology serve``: the built release over HTTP, with content negotiation and a bounded SPARQL endpoint.

* Record IRIs ``/id/<kind>/<slug>``, the ontology ``/ontology`` (term IRIs ``/ontology#Term`` reach the server as
  ``/ontology``) and its version IRI ``/ontology/<version>`` answer by content negotiation on ``Accept``
  (``text/html``, ``text/turtle``, ``application/ld+json``, ``application/rdf+xml``, ``application/n-triples``):
  a direct ``200`` with ``Vary: Accept`` and ``Content-Location`` naming the file served; ``406`` when nothing fits.
* ``/sparql`` is a read-only SPARQL 1.1 Protocol endpoint (``GET ?query=``, ``POST`` form or
  ``application/sparql-query``; results as SPARQL JSON, XML, CSV or TSV, graphs as Turtle, N-Triples, RDF/XML or
  JSON-LD, chosen by ``Accept``). Queries are checked on their parsed form first
  (:func:`dipontology.store.vet_query`): updates, ``LOAD``, ``FROM`` and ``SERVICE`` (unless ``allow_service``) get
  ``400``. They run in worker processes, each holding the release (ontology + data) in an in-memory pyoxigraph
  store loaded once at start: the worker iterates the results itself and stops at the row cap and the time limit,
  and a worker that does not answer within the limit (a query stuck inside one step, such as a ``COUNT`` over a
  cartesian product) is killed and replaced, so the server goes on answering.
* ``/sparql`` without a query (a browser) is sent to ``/sparql/``, the release's SPARQL editor (YASGUI), whose
  queries come back to ``/sparql`` with the same limits.
* ``/<version>/...`` (a record as cited in one release) is this release when the version is its own, else 404.
* ``/dataset`` (the dataset IRI) gives the VoID/DCAT description with this server's ``void:sparqlEndpoint``.
* Everything else is the static release (``index.html`` at ``/``), byte for byte as built.

Only ``127.0.0.1`` is served unless another host is asked for.

>>> negotiate("text/turtle;q=0.9, text/html;q=0.5", ["text/html", "text/turtle"])
'text/turtle'
>>> negotiate("image/png", ["text/html", "text/turtle"]) is None
True
"""
from __future__ import annotations

import json
import multiprocessing
import os
import queue
import re
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox

from .errors import InputError
from .export import serialize_triples
from .load import bulk_load
from .namespaces import PREFIXES
from .store import vet_query

__all__ = ["ReleaseServer", "QueryPool", "negotiate", "RDF_OFFERS", "DEFAULT_TIME_LIMIT", "DEFAULT_ROW_CAP"]

DEFAULT_TIME_LIMIT = 10.0
DEFAULT_ROW_CAP = 10_000
MAX_QUERY_BYTES = 1_000_000

#: media type -> file extension of the release files, in order of preference (HTML first: browsers and unknowns)
RDF_OFFERS = {"text/html": "html", "text/turtle": "ttl", "application/ld+json": "jsonld",
              "application/rdf+xml": "rdf", "application/n-triples": "nt"}
_ALIASES = {"application/xhtml+xml": "text/html", "application/x-turtle": "text/turtle",
            "text/plain": "application/n-triples", "application/json": "application/ld+json"}
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
    ".ttl": "text/turtle; charset=utf-8", ".nt": "application/n-triples", ".rdf": "application/rdf+xml",
    ".jsonld": "application/ld+json", ".trig": "application/trig", ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".png": "image/png", "": "text/plain; charset=utf-8",
}
RESULT_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                "application/sparql-results+xml": "xml", "application/xml": "xml", "text/csv": "csv",
                "text/tab-separated-values": "tsv"}
GRAPH_TYPES = {"text/turtle": "ttl", "application/n-triples": "nt", "application/rdf+xml": "rdf",
               "application/ld+json": "jsonld", "text/plain": "nt"}
FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle", "turtle": "text/turtle",
                "nt": "application/n-triples", "rdfxml": "application/rdf+xml", "jsonld": "application/ld+json"}
CONTENT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
                 "ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples", "rdf": "application/rdf+xml",
                 "jsonld": "application/ld+json"}


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    out = []
    for part in accept.split(","):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(b[2:])))
                except ValueError:
                    q = 0.0
        out.append((_ALIASES.get(media, media), q))
    return out


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the ``Accept`` header prefers (the first offer when there is no header), ``None`` if none fits.

    An exact media type beats ``type/*``, which beats ``*/*``; among equal ``q`` the earlier offer wins.
    """
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = _parse_accept(accept)
    best, best_q = None, 0.0
    for offer in offers:
        main = offer.split("/")[0]
        q, spec = None, -1
        for media, mq in ranges:
            s = 2 if media == offer else 1 if media == f"{main}/*" else 0 if media == "*/*" else -1
            if s > spec:
                q, spec = mq, s
        if q is not None and q > best_q:
            best, best_q = offer, q
    return best


# ------------------------------------------------------------------------------------------- query workers
def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    d = {"type": "literal", "value": term.value}
    if term.language:
        d["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        d["datatype"] = term.datatype.value
    return d


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    if term.language:
        return f'<literal xml:lang="{xml_escape(term.language)}">{xml_escape(term.value)}</literal>'
    if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f'<literal datatype="{xml_escape(term.datatype.value)}">{xml_escape(term.value)}</literal>'
    return f"<literal>{xml_escape(term.value)}</literal>"


def _csv_cell(term) -> str:
    if term is None:
        return ""
    text = ("_:" + term.value) if isinstance(term, ox.BlankNode) else term.value
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _select_bytes(variables: list[str], rows: list[tuple], fmt: str) -> bytes:
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f'<variable name="{xml_escape(v)}"/>' for v in variables]
        out.append("</head>\n<results>")
        for row in rows:
            out.append("<result>" + "".join(f'<binding name="{xml_escape(v)}">{_xml_term(t)}</binding>'
                                            for v, t in zip(variables, row) if t is not None) + "</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt == "csv":
        lines = [",".join(variables)] + [",".join(_csv_cell(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    doc = {"head": {"vars": variables},
           "results": {"bindings": [{v: _json_term(t) for v, t in zip(variables, row) if t is not None}
                                    for row in rows]}}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _ask_bytes(value: bool, fmt: str) -> bytes:
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head/>\n'
                f"<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n").encode("utf-8")
    return json.dumps({"head": {}, "boolean": bool(value)}).encode("utf-8")


class _TimeUp(Exception):
    pass


def _execute(store: ox.Store, text: str, kind: str, fmt: str, time_limit: float, row_cap: int,
             prefixes: dict[str, str]) -> tuple:
    """Run one query in the worker: ``("ok", content_type, body, truncated)`` or ``("error", status, message)``."""
    deadline = time.monotonic() + time_limit
    try:
        answer = store.query(text, prefixes=prefixes)
        truncated = False
        if isinstance(answer, ox.QueryBoolean):
            fmt = fmt if fmt in ("json", "xml") else "json"
            return ("ok", CONTENT_TYPES[fmt], _ask_bytes(bool(answer), fmt), False)
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = []
            for sol in answer:
                if time.monotonic() > deadline:
                    raise _TimeUp
                if len(rows) >= row_cap:
                    truncated = True
                    break
                rows.append(tuple(sol[i] for i in range(len(variables))))
            if time.monotonic() > deadline:
                raise _TimeUp
            return ("ok", CONTENT_TYPES[fmt], _select_bytes(variables, rows, fmt), truncated)
        triples = []
        for t in answer:
            if time.monotonic() > deadline:
                raise _TimeUp
            if len(triples) >= row_cap:
                truncated = True
                break
            triples.append(t)
        if time.monotonic() > deadline:
            raise _TimeUp
        return ("ok", CONTENT_TYPES[fmt], serialize_triples(triples, "rdfxml" if fmt == "rdf" else fmt), truncated)
    except _TimeUp:
        return ("error", 408, f"the query ran longer than the time limit of {time_limit:g} s and was stopped")
    except SyntaxError as exc:
        return ("error", 400, f"SPARQL syntax error: {exc}")
    except (OSError, RuntimeError, ValueError) as exc:
        return ("error", 400, f"the query failed: {exc}")


def _worker_main(conn, files: list[str], time_limit: float, row_cap: int, prefixes: dict[str, str]) -> None:
    """A query worker process: load the release once, then answer queries sent over ``conn`` until ``None``."""
    try:
        store = bulk_load(ox.Store(), files)
    except InputError as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", len(store)))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        text, kind, fmt = msg
        try:
            conn.send(_execute(store, text, kind, fmt, time_limit, row_cap, prefixes))
        except Exception as exc:  # noqa: BLE001 - report, keep the worker alive
            conn.send(("error", 500, f"internal error: {type(exc).__name__}: {exc}"))


class QueryPool:
    """Worker processes that run SPARQL queries over the release with a time limit and a row cap.

    :param files: N-Triples files to load (the release's ontology and data).
    :param workers: how many queries may run at once.
    :param time_limit: seconds a query may run; a worker that does not answer by then (plus a second of grace) is
        killed and replaced.
    :param row_cap: at most this many result rows (or triples) are returned.
    """

    def __init__(self, files: list[Path], *, workers: int = 2, time_limit: float = DEFAULT_TIME_LIMIT,
                 row_cap: int = DEFAULT_ROW_CAP) -> None:
        self.files = [str(f) for f in files]
        self.time_limit = time_limit
        self.row_cap = row_cap
        self.prefixes = dict(PREFIXES)
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue = queue.Queue()
        self._all: set = set()
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0
        for _ in range(max(1, workers)):
            self._spawn()

    def _spawn(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, name="dipontology-sparql-worker",
                                 args=(child, self.files, self.time_limit, self.row_cap, self.prefixes), daemon=True)
        proc.start()
        child.close()
        if not parent.poll(120):
            proc.kill()
            raise RuntimeError("a SPARQL worker did not start within 120 s")
        msg = parent.recv()
        if msg[0] == "failed":
            proc.join(5)
            raise InputError(f"a SPARQL worker could not load the release: {msg[1]}",
                             fix="rebuild the release (dipontology build)")
        if msg[0] != "ready":  # pragma: no cover - the worker sends nothing else first
            raise RuntimeError(f"a SPARQL worker failed to start: {msg}")
        with self._lock:
            if self._closed:
                proc.kill()
                return
            self._all.add((proc, parent))
        self._idle.put((proc, parent))

    def _replace(self, worker) -> None:
        proc, conn = worker
        with self._lock:
            self._all.discard(worker)
        try:
            proc.kill()
            proc.join(5)
        finally:
            conn.close()
        if not self._closed:
            threading.Thread(target=self._spawn, name="dipontology-respawn", daemon=True).start()

    def run(self, text: str, kind: str, fmt: str) -> tuple:
        """Run a checked query; ``("ok", content_type, body, truncated)`` or ``("error", status, message)``."""
        try:
            worker = self._idle.get(timeout=self.time_limit + 5)
        except queue.Empty:
            return ("error", 503, "every query worker is busy; try again shortly")
        proc, conn = worker
        try:
            conn.send((text, kind, fmt))
            if conn.poll(self.time_limit + 1.0):
                answer = conn.recv()
                self._idle.put(worker)
                return answer
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            return ("error", 500, "the query worker stopped unexpectedly; it has been restarted")
        self.killed += 1
        self._replace(worker)
        return ("error", 408, f"the query ran longer than the time limit of {self.time_limit:g} s and was stopped")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for proc, conn in workers:
            try:
                conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            proc.join(2)
            if proc.is_alive():
                proc.kill()
                proc.join(2)
            conn.close()


# ----------------------------------------------------------------------------------------------------- server
@dataclass
class _Config:
    dist: Path
    version: str
    pool: QueryPool
    allow_service: bool
    quiet: bool
    endpoint: str = ""


def _release_version(dist: Path) -> str:
    versions = sorted(p.name for p in (dist / "ontology").iterdir() if p.is_dir() and
                      (p / "dipontology.ttl").is_file()) if (dist / "ontology").is_dir() else []
    if not versions:
        raise InputError("this folder is not a dipontology release (no ontology/<version>/dipontology.ttl)",
                         file=str(dist), fix="run `dipontology build` first, or give --dist the release folder")
    return versions[-1]


class _Handler(BaseHTTPRequestHandler):
    server_version = "dipontology"
    protocol_version = "HTTP/1.1"
    #: seconds a client may stay silent (while sending headers or a body) before it gets 408 and is dropped
    timeout = 30
    config: _Config  # set on the subclass made per server

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if not self.config.quiet:
            sys.stderr.write("serve: %s - %s\n" % (self.address_string(), format % args))

    # -- responses
    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, (message.rstrip() + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers)

    def _file(self, path: Path, ctype: str | None = None, headers: dict[str, str] | None = None) -> None:
        data = path.read_bytes()
        if ctype is None:
            ctype = STATIC_TYPES.get(path.suffix, "application/octet-stream")
        self._send(200, data, ctype, headers)

    def _dataset(self) -> None:
        """The dataset IRI: the release's VoID/DCAT description plus this server's SPARQL endpoint (the file
        ``/void.ttl`` itself is served unchanged, so that it matches SHA256SUMS)."""
        data = (self.config.dist / "void.ttl").read_bytes()
        data += (f"\n<https://w3id.org/dipontology/dataset> <http://rdfs.org/ns/void#sparqlEndpoint> "
                 f"<{self.config.endpoint}> .\n").encode("utf-8")
        self._send(200, data, "text/turtle; charset=utf-8", {"Content-Location": "/void.ttl"})

    def _negotiated(self, files: dict[str, Path]) -> None:
        """200 with the file the Accept header prefers among ``files`` (media type -> path), Vary: Accept."""
        offers = [m for m in RDF_OFFERS if m in files]
        choice = negotiate(self.headers.get("Accept"), offers)
        if choice is None:
            self._error(406, "none of the available formats is acceptable: " + ", ".join(offers),
                        {"Vary": "Accept"})
            return
        path = files[choice]
        rel = "/" + path.relative_to(self.config.dist).as_posix()
        ctype = STATIC_TYPES.get(path.suffix, choice)
        self._file(path, ctype, {"Vary": "Accept", "Content-Location": rel,
                                 "Link": ", ".join(f'<{"/" + files[m].relative_to(self.config.dist).as_posix()}>; '
                                                   f'rel="alternate"; type="{m}"' for m in offers if m != choice)})

    # -- routing
    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        try:
            self._route_get()
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - answer 500 rather than drop the connection
            self._internal(exc)

    def _drain(self, length: int, bound: int = 8 * 1024 * 1024) -> None:
        """Read and discard up to ``bound`` bytes of a refused body, so that a client still sending it reads our
        answer instead of a broken pipe; a larger or stalled body is cut off (the connection is closed after)."""
        left = min(length, bound)
        try:
            while left > 0:
                chunk = self.rfile.read1(min(left, 65536)) if hasattr(self.rfile, "read1") else self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        except (TimeoutError, OSError):
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A method we do not implement is a client error (405 with Allow), not 501."""
        if code == 501:
            self.close_connection = True
            self._error(405, f"method {self.command!r} is not allowed", {"Allow": "GET, HEAD, POST"})
            return
        super().send_error(code, message, explain)

    def _internal(self, exc: Exception) -> None:
        if not self.config.quiet:
            sys.stderr.write(f"serve: internal error: {type(exc).__name__}: {exc}\n")
        try:
            self._error(500, f"internal error: {type(exc).__name__} (a bug in dipontology serve)")
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    def do_POST(self) -> None:  # noqa: N802
        try:
            path = urllib.parse.urlsplit(self.path).path
            if path != "/sparql":
                self._error(405, "only /sparql accepts POST", {"Allow": "GET, HEAD"})
                return
            raw_length = (self.headers.get("Content-Length") or "0").strip()
            if not raw_length.isdigit():
                self.close_connection = True
                self._error(400, f"Content-Length must be a non-negative whole number, not {raw_length[:40]!r}")
                return
            length = int(raw_length)
            if length > MAX_QUERY_BYTES:
                self._drain(length)
                self.close_connection = True
                self._error(413, f"the request body is larger than {MAX_QUERY_BYTES} bytes")
                return
            try:
                raw_body = self.rfile.read(length)
            except TimeoutError:
                self.close_connection = True
                self._error(408, f"the request body did not arrive within {self.timeout:g} s")
                return
            body = raw_body.decode("utf-8", "replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-query":
                self._sparql(body, {})
            elif ctype == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(body, keep_blank_values=True)
                if "update" in form:
                    self._error(400, "SPARQL updates are not accepted: this endpoint is read-only")
                    return
                self._sparql((form.get("query") or [""])[0], form)
            elif ctype == "application/sparql-update":
                self._error(400, "SPARQL updates are not accepted: this endpoint is read-only")
            else:
                self._error(415, "send the query as application/sparql-query or as an "
                            "application/x-www-form-urlencoded form with query=")
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001
            self._internal(exc)

    def _route_get(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(parts.path)
        dist = self.config.dist
        if path == "/sparql":
            params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            if "update" in params:
                self._error(400, "SPARQL updates are not accepted: this endpoint is read-only")
                return
            if "query" not in params:
                if (dist / "sparql" / "index.html").is_file():  # a browser: the release's SPARQL editor
                    self._send(303, b"the SPARQL editor: /sparql/\n", "text/plain; charset=utf-8",
                               {"Location": "/sparql/"})
                else:
                    self._error(400, "give a query: /sparql?query=... (SPARQL 1.1 Protocol)")
                return
            self._sparql(params["query"][0], params)
            return
        v = self.config.version
        if path.startswith(f"/{v}/"):  # the release as cited by version (/<version>/id/...): this release
            path = path[len(v) + 1:]
        elif re.match(r"/[0-9]+\.[0-9]+\.[0-9]+[^/]*/", path):
            self._error(404, f"this server serves release {v} only: {path}")
            return
        m = re.fullmatch(r"/id/([a-z]+)/([A-Za-z0-9][A-Za-z0-9._-]*)", path)
        if m and not (dist / "id" / m.group(1) / m.group(2)).is_file():
            base = dist / "id" / m.group(1) / m.group(2)
            files = {media: base.with_name(base.name + "." + ext) for media, ext in RDF_OFFERS.items()}
            files = {k: v for k, v in files.items() if v.is_file()}
            if files:
                self._negotiated(files)
                return
            self._error(404, f"no record {path}")
            return
        if path in ("/ontology", "/ontology/", f"/ontology/{v}", f"/ontology/{v}/"):
            files = {"text/html": dist / "ontology" / "index.html"}
            files.update({media: dist / "ontology" / v / f"dipontology.{ext}" for media, ext in RDF_OFFERS.items()
                          if ext != "html"})
            self._negotiated({k: p for k, p in files.items() if p.is_file()})
            return
        if path == "/dataset":
            self._dataset()
            return
        target = self._static_path(path)
        if target is None:
            self._error(404, f"not found: {path}")
            return
        self._file(target)

    def _static_path(self, path: str) -> Path | None:
        dist = self.config.dist
        rel = path.lstrip("/")
        if "\x00" in rel:
            return None
        candidate = (dist / rel).resolve()
        try:
            candidate.relative_to(dist)
        except ValueError:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    # -- SPARQL
    def _sparql(self, text: str, params: dict) -> None:
        if not text.strip():
            self._error(400, "empty query: give query=...")
            return
        if "default-graph-uri" in params or "named-graph-uri" in params:
            self._error(400, "default-graph-uri / named-graph-uri are not supported: the release is one default graph")
            return
        try:
            info = vet_query(text, allow_service=self.config.allow_service, source="query")
        except InputError as exc:
            self._error(400, str(exc))
            return
        fmt_param = (params.get("format") or [None])[0]
        accept = FORMAT_PARAM.get(fmt_param, None) if fmt_param else self.headers.get("Accept")
        if info.kind == "graph":
            choice = negotiate(accept, ["text/turtle", "application/n-triples", "application/rdf+xml",
                                        "application/ld+json", "text/plain"])
            fmt = GRAPH_TYPES.get(choice or "", None)
        else:
            choice = negotiate(accept, ["application/sparql-results+json", "application/sparql-results+xml",
                                        "text/csv", "text/tab-separated-values", "application/json",
                                        "application/xml"])
            fmt = RESULT_TYPES.get(choice or "", None)
            if info.kind == "ask" and fmt in ("csv", "tsv"):
                fmt = "json"
        if fmt is None:
            self._error(406, "no result format fits the Accept header", {"Vary": "Accept"})
            return
        answer = self.config.pool.run(text, info.kind, fmt)
        if answer[0] == "ok":
            _, ctype, body, truncated = answer
            headers = {"Vary": "Accept"}
            if truncated:
                headers["X-Dipontology-Truncated"] = f"row cap {self.config.pool.row_cap}"
            self._send(200, body, ctype, headers)
        else:
            _, status, message = answer
            self._error(status, message)




class ReleaseServer:
    """Serve a built release folder.

    :param dist: the release folder written by :func:`dipontology.release.build`.
    :param host: the address to listen on (``127.0.0.1`` by default: only this machine).
    :param port: the port (0: any free port; see :attr:`url`).
    :param time_limit: seconds a SPARQL query may run.
    :param row_cap: most result rows (or triples) a SPARQL query returns.
    :param allow_service: let ``SERVICE`` clauses through (the store then contacts other endpoints).
    :param workers: SPARQL worker processes.
    :param quiet: no request log on stderr.
    :raises InputError: if ``dist`` is not a release folder.
    """

    def __init__(self, dist: str | os.PathLike[str] = "dist", host: str = "127.0.0.1", port: int = 8000, *,
                 time_limit: float = DEFAULT_TIME_LIMIT, row_cap: int = DEFAULT_ROW_CAP, allow_service: bool = False,
                 workers: int = 2, quiet: bool = False) -> None:
        root = Path(dist).resolve()
        if not root.is_dir():
            raise InputError("no such release folder", file=str(dist), fix="run `dipontology build` first")
        version = _release_version(root)
        dumps = [root / "ontology" / version / "dipontology.nt", root / "data" / "dipontology-data.nt"]
        for d in dumps:
            if not d.is_file():
                raise InputError("the release has no N-Triples dump to load", file=str(d),
                                 fix="rebuild the release with `dipontology build`")
        config = _Config(dist=root, version=version, pool=None, allow_service=allow_service,  # type: ignore[arg-type]
                         quiet=quiet)
        handler = type("Handler", (_Handler,), {"config": config})
        try:
            self.httpd = ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                             fix="choose another --port or stop the program using it") from None
        try:
            self.pool = QueryPool(dumps, workers=workers, time_limit=time_limit, row_cap=row_cap)
        except BaseException:
            self.httpd.server_close()
            raise
        config.pool = self.pool
        self.httpd.daemon_threads = True
        h, p = self.httpd.server_address[:2]
        shown = f"[{h}]" if ":" in str(h) else h
        self.url = f"http://{shown}:{p}"
        config.endpoint = self.url + "/sparql"
        self._thread: threading.Thread | None = None

    def start(self) -> "ReleaseServer":
        """Serve in a background thread; returns self."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="dipontology-serve", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        try:
            self.httpd.serve_forever()
        finally:
            self.close()

    def close(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self.httpd.server_close()
        self.pool.close()

    def __enter__(self) -> "ReleaseServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
