"""No dereferencing, anywhere (issue 9): one module, every entry point.

A TCP listener on 127.0.0.1 counts connections, and files holding a secret marker sit beside the inputs. Inputs name
both -- RDF/XML DTDs and external entities, billion laughs, JSON-LD remote and file contexts, owl:imports,
owlready2's python_module annotation, SPARQL SERVICE / LOAD / FROM / FROM NAMED (also with the escaped keyword
SERV\\u0049CE), file: IRIs -- and are run through validate, accept, check, reason, query and serve. The listener must
count nothing, the marker must never appear in any output, no process may hang, print a traceback or exit 3.
(tests/test_validate_safety.py covers the same for every contribution format through validate and accept.)
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from support.listener import Listener

from dipontology.cli import main

CLI = [sys.executable, "-c", "import sys; from dipontology.cli import main; sys.exit(main())"]
SECRET = "SECRET-MARKER-b41d7e"
INVALID = Path(__file__).resolve().parents[1] / "fixtures" / "invalid"


@pytest.fixture(scope="module")
def listener():
    server = Listener(b"HTTP/1.0 200 OK\r\nContent-Type: text/turtle\r\n\r\n"
                      + f'<urn:x> <urn:y> "{SECRET}" .\n'.encode())
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as s:  # the counter works
        s.recv(10)
    deadline = time.monotonic() + 2
    while server.connections != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.connections == 1
    server.connections = 0
    yield server
    server.close()


@pytest.fixture(scope="module")
def secrets(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("secrets")
    files = {
        "txt": d / "secret.txt",
        "ttl": d / "secret.ttl",
        "rq": d / "secret.rq",
    }
    files["txt"].write_text(SECRET + "\n", encoding="utf-8")
    files["ttl"].write_text(f'<https://example.org/{SECRET}> a <http://www.w3.org/2002/07/owl#Class> ;\n'
                            f'  <http://www.w3.org/2000/01/rdf-schema#label> "{SECRET}" .\n', encoding="utf-8")
    files["rq"].write_text(f'SELECT ("{SECRET}" AS ?x) WHERE {{}}\n', encoding="utf-8")
    return files


def run_cli(*args: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    assert proc.returncode in (0, 1, 2), (args, proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# ----------------------------------------------------------------------------------------------- SPARQL, CLI
def sparql_attacks(url: str, secrets: dict[str, Path]) -> dict[str, str]:
    file_iri = secrets["ttl"].as_uri()
    return {
        "service": f"SELECT * WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}",
        "service-silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}sparql> {{ ?s ?p ?o }} }}",
        "escaped-service": f"SELECT * WHERE {{ SERV\\u0049CE <{url}sparql> {{ ?s ?p ?o }} }}",
        "lowercase-service": f"select * where {{ service <{url}sparql> {{ ?s ?p ?o }} }}",
        "service-in-optional": f"SELECT * WHERE {{ ?s a dip:Initiative OPTIONAL {{ SERVICE <{url}s> {{ ?s ?p ?o }} }} }}",
        "service-variable": f"SELECT * WHERE {{ VALUES ?e {{ <{url}sparql> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "from": f"SELECT * FROM <{url}g> WHERE {{ ?s ?p ?o }}",
        "from-named": f"SELECT * FROM NAMED <{url}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "from-file": f"SELECT * FROM <{file_iri}> WHERE {{ ?s ?p ?o }}",
        "service-file": f"SELECT * WHERE {{ SERVICE <{file_iri}> {{ ?s ?p ?o }} }}",
        "load": f"LOAD <{url}data.ttl>",
        "load-file": f"LOAD <{file_iri}> INTO GRAPH <urn:g>",
        "construct-from": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}g> WHERE {{ ?s ?p ?o }}",
        "describe-service": f"DESCRIBE ?s WHERE {{ SERVICE <{url}s> {{ ?s ?p ?o }} }}",
    }


def test_query_cli_refuses_every_dereferencing_query(listener, secrets, capsys):
    attacks = sparql_attacks(listener.url, secrets)
    for name, text in attacks.items():
        code = main(["query", "--sparql", text, "-q"])
        out = capsys.readouterr()
        assert code == 2, (name, code, out.out, out.err)
        assert SECRET not in out.out + out.err, name
        assert "Traceback" not in out.err
    # the same through --file
    q = secrets["txt"].parent / "service.rq"
    q.write_text(attacks["escaped-service"], encoding="utf-8")
    assert main(["query", "--file", str(q), "-q"]) == 2
    capsys.readouterr()
    assert listener.quiet_for(), listener.connections


def test_query_cli_in_a_subprocess_never_connects(listener, secrets):
    attacks = sparql_attacks(listener.url, secrets)
    for name in ("escaped-service", "from-file", "load"):
        proc = run_cli("query", "--sparql", attacks[name])
        assert proc.returncode == 2, (name, proc.stderr)
        assert "not allowed" in proc.stderr and SECRET not in proc.stdout + proc.stderr
    assert listener.quiet_for(), listener.connections


def test_query_parameters_are_terms_never_fetched(listener, secrets, capsys):
    """A parameter value that is a URL or a file: IRI is bound as a term; nothing reads it."""
    from dipontology.query import library

    lib = library()
    iri_params = [(q.name, p.name) for q in lib.values() for p in q.parameters if p.type in ("iri", "case", "actor")]
    tried = 0
    for qname, pname in iri_params[:3]:
        for value in (listener.url + "x", secrets["ttl"].as_uri()):
            code = main(["query", qname, "--param", f"{pname}={value}", "--format", "csv", "-q"])
            out = capsys.readouterr()
            assert code in (0, 2) and SECRET not in out.out + out.err
            tried += 1
    assert tried >= 2
    assert listener.quiet_for(), listener.connections


# ----------------------------------------------------------------------------------------------- SPARQL, serve
def test_serve_refuses_every_dereferencing_query(listener, secrets):
    from support.release import server
    from support.serve_process import request

    srv = server()
    attacks = sparql_attacks(listener.url, secrets)
    for name, text in attacks.items():
        get = request(srv.url + "/sparql?" + urllib.parse.urlencode({"query": text}))
        post = request(srv.url + "/sparql", None, "POST", text.encode(), "application/sparql-query")
        form = request(srv.url + "/sparql", None, "POST", urllib.parse.urlencode({"query": text}).encode(),
                       "application/x-www-form-urlencoded")
        for status, _h, body in (get, post, form):
            assert 400 <= status < 500, (name, status, body)
            assert SECRET.encode() not in body
    # protocol-level dataset parameters name graphs too
    status, _h, _b = request(srv.url + "/sparql?" + urllib.parse.urlencode(
        {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "named-graph-uri": listener.url + "g"}))
    assert status == 400
    assert listener.quiet_for(), listener.connections


# ------------------------------------------------------------------------------------------ check and reason
def _imports_graph(listener_url: str, secrets: dict[str, Path], module: str) -> str:
    onto = "https://w3id.org/dipontology/test/evil"
    return f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owlready: <http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#> .
<{onto}> a owl:Ontology ;
    owl:imports <{listener_url}onto.ttl> , <{secrets['ttl'].as_uri()}> ;
    owlready:python_module "{module}" .
<{onto}#Thing> a owl:Class ; rdfs:label "evil thing"@en ; owlready:python_module "{module}" ;
    rdfs:subClassOf <https://w3id.org/dipontology/ontology#Actor> .
"""


def test_check_never_follows_imports(listener, secrets, tmp_path):
    path = tmp_path / "imports.ttl"
    path.write_text(_imports_graph(listener.url, secrets, "os"), encoding="utf-8")
    for fmt in ("text", "json"):
        proc = run_cli("check", str(path), "--format", fmt, "--fail-on", "none")
        assert proc.returncode == 0, proc.stderr
        assert SECRET not in proc.stdout + proc.stderr
    assert "owl_import" in proc.stdout  # the rule reports the import instead of following it
    assert listener.quiet_for(), listener.connections


def test_reason_prepare_strips_imports_and_owlready_annotations(listener, secrets):
    from dipontology.reason import OWLREADY_UNSAFE, prepare

    g = Graph()
    g.parse(data=_imports_graph(listener.url, secrets, "marker_module"), format="turtle")
    clean, _dropped = prepare(g)
    assert not list(clean.triples((None, OWL.imports, None)))
    assert not any(str(p) in OWLREADY_UNSAFE for p in clean.predicates())
    assert (URIRef("https://w3id.org/dipontology/test/evil#Thing"), RDFS.label, Literal("evil thing", lang="en")) \
        in clean and (URIRef("https://w3id.org/dipontology/test/evil#Thing"), RDF.type, OWL.Class) in clean


@pytest.mark.slow
def test_reason_never_fetches_imports_or_imports_python_modules(listener, secrets, tmp_path):
    """HermiT through owlready2 would follow owl:imports and import the python_module; `reason` must do neither."""
    module_dir = tmp_path / "modules"
    module_dir.mkdir()
    marker = tmp_path / "module-was-imported"
    (module_dir / "dipontology_marker_module.py").write_text(
        f"open({str(marker)!r}, 'w').write('imported')\n", encoding="utf-8")
    path = tmp_path / "evil.ttl"
    path.write_text(_imports_graph(listener.url, secrets, "dipontology_marker_module"), encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(module_dir), os.environ.get("PYTHONPATH", "")]),
           "DIPONTOLOGY_CACHE_DIR": str(tmp_path / "cache")}
    proc = run_cli("reason", str(path), "--no-cache", "--format", "json", timeout=240, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    json.loads(proc.stdout)
    assert not marker.exists()
    assert SECRET not in proc.stdout + proc.stderr
    assert listener.quiet_for(), listener.connections


# --------------------------------------------------------------------- XML entities, billion laughs, contexts
BILLION_LAUGHS_QUADRATIC = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "' + "x" * 50_000 + '">]>\n'
                            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                            'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description '
                            'rdf:about="https://w3id.org/dipontology/id/case/a"><rdfs:label>'
                            + "&a;" * 50_000 + "</rdfs:label></rdf:Description></rdf:RDF>\n")


@pytest.mark.parametrize("command", ["validate", "accept", "check"])
def test_entity_expansion_never_hangs(command, tmp_path):
    """Billion laughs (exponential) and quadratic blow-up: refused in seconds, before any expansion."""
    quadratic = tmp_path / "quadratic.rdf"
    quadratic.write_text(BILLION_LAUGHS_QUADRATIC, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    for path in (INVALID / "billion-laughs.rdf", quadratic):
        if command == "accept":
            from dipontology import resources
            import shutil

            if not any(data.iterdir()):
                data.rmdir()
                shutil.copytree(resources.data_dir(), data)
            args = ["accept", str(path), "--data-dir", str(data)]
        elif command == "check":
            args = ["check", str(path), "-o", str(tmp_path / "out.ttl")]
        else:
            args = ["validate", str(path)]
        started = time.monotonic()
        proc = run_cli(*args, timeout=60)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "DOCTYPE" in proc.stderr or "ENTITY" in proc.stderr, proc.stderr
        assert time.monotonic() - started < 30
        assert not (tmp_path / "out.ttl").exists()


def test_file_and_remote_contexts_and_entities_in_one_run(listener, secrets, tmp_path, capsys):
    """Every format's way of naming another document, pointing at the listener and at the secret file."""
    secret_uri = secrets["txt"].as_uri()
    inputs = {
        "xxe-file.rdf": f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{secret_uri}">]>\n'
                        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description '
                        'rdf:about="https://w3id.org/dipontology/id/case/a"><rdfs:label>&x;</rdfs:label>'
                        '</rdf:Description></rdf:RDF>\n',
        "xxe-remote.rdf": f'<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "{listener.url}x.dtd">\n'
                          '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
        "context-file.jsonld": json.dumps({"@context": secret_uri, "@id": "https://w3id.org/dipontology/id/case/a"}),
        "context-remote.jsonld": json.dumps({"@context": [listener.url + "c.jsonld"],
                                             "@id": "https://w3id.org/dipontology/id/case/a"}),
        "context-import.jsonld": json.dumps({"@context": {"@import": secret_uri},
                                             "@id": "https://w3id.org/dipontology/id/case/a"}),
        "file-iris.nt": f'<{secret_uri}> <{secret_uri}> <{secrets["ttl"].as_uri()}> .\n',
        "imports.ttl": f'<https://w3id.org/dipontology/id/case/a> <http://www.w3.org/2002/07/owl#imports> '
                       f'<{secrets["ttl"].as_uri()}> , <{listener.url}o.ttl> .\n',
    }
    codes = {}
    for name, text in inputs.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        codes[name] = main(["validate", str(path), "--format", "json"])
        out = capsys.readouterr()
        assert SECRET not in out.out + out.err, name
    assert {k for k, v in codes.items() if v == 2} == {"xxe-file.rdf", "xxe-remote.rdf", "context-file.jsonld",
                                                       "context-remote.jsonld", "context-import.jsonld"}, codes
    assert listener.quiet_for(), listener.connections


# left out of the fast profile (pytest -m "not slow and not server and not browser"): every command in subprocesses against a local listener
pytestmark = pytest.mark.slow
