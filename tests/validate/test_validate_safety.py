"""Safety: no input makes the tool connect anywhere or read a local file it names.

A socket server on 127.0.0.1 counts connections while contributions that name it (remote JSON-LD contexts,
@import, owl:imports, DTDs and external entities, IRIs of every kind) are validated and accepted; local files with a
secret marker are named by entities, contexts and imports, and the marker must not appear in any output.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from support.listener import Listener, wait_for

from dipontology import resources
from dipontology.cli import main

PREFIXES = """@prefix dip: <https://w3id.org/dipontology/ontology#> .
@prefix case: <https://w3id.org/dipontology/id/case/> .
@prefix source: <https://w3id.org/dipontology/id/source/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""
CASE = """case:test-safety a dip:Initiative ; rdfs:label "Safety (test)"@en ;
    dcterms:description "A fictional case."@en ; dcterms:source source:malek-chigas-2013 ;
    dip:hasTrackClassification [ a dip:TrackClassification ; dip:track dip:TrackTwo ;
        dcterms:source source:malek-chigas-2013 ; dip:locator "Citizen Diplomacy" ;
        dip:quote "A subset of such activities is sometimes called \\"track two\\" diplomacy." ] .
"""


@pytest.fixture(scope="module")
def listener():
    server = Listener(b"HTTP/1.0 200 OK\r\nContent-Type: application/ld+json\r\n\r\n{}")
    # the listener works: a deliberate connection is counted
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as s:
        s.recv(10)
    assert wait_for(lambda: server.connections == 1)
    server.connections = 0
    yield server
    server.close()





def network_inputs(d: Path, url: str) -> dict[str, str]:
    return {
        "remote-context.jsonld": f'{{"@context": "{url}context.jsonld", "@id": "https://w3id.org/dipontology/id/case/a",'
                                 ' "name": "x"}',
        "remote-context-list.jsonld": f'{{"@context": [{{"dip": "https://w3id.org/dipontology/ontology#"}}, "{url}c"], '
                                      '"@id": "https://w3id.org/dipontology/id/case/a"}',
        "import.jsonld": f'{{"@context": {{"@import": "{url}import.jsonld"}}, '
                         '"@id": "https://w3id.org/dipontology/id/case/a"}',
        "scoped-context.jsonld": '{"@context": {"knows": {"@id": "https://w3id.org/dipontology/ontology#knows", '
                                 f'"@context": "{url}scoped"}}}}, "@id": "https://w3id.org/dipontology/id/case/a", '
                                 '"knows": {"@id": "https://w3id.org/dipontology/id/case/b"}}',
        "vocab-and-base.jsonld": f'{{"@context": {{"@vocab": "{url}vocab#", "@base": "{url}base/"}}, "@id": "x", '
                                 '"label": "y"}',
        "imports.ttl": PREFIXES + f"case:test-safety owl:imports <{url}onto.ttl> .\n" + CASE,
        "ontology-imports.ttl": PREFIXES + f"<{url}onto> a owl:Ontology ; owl:imports <{url}onto.ttl> .\n" + CASE,
        "base.ttl": f"@base <{url}> .\n" + PREFIXES + "<relative> rdfs:seeAlso <other.ttl> .\n" + CASE,
        "dtd.rdf": f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{url}rdf.dtd">\n'
                   '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
        "entity.rdf": f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "{url}entity">]>\n'
                      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                      'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description '
                      'rdf:about="https://w3id.org/dipontology/id/case/a"><rdfs:label>&e;</rdfs:label>'
                      '</rdf:Description></rdf:RDF>\n',
        "xinclude.rdf": '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                        'xmlns:xi="http://www.w3.org/2001/XInclude" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
                        f'<rdf:Description rdf:about="{url}thing"><rdfs:seeAlso rdf:resource="{url}see"/>'
                        f'<xi:include href="{url}include.xml"/></rdf:Description></rdf:RDF>\n',
        "iris.nt": f'<{url}s> <{url}p> <{url}o> .\n<{url}s> <http://www.w3.org/2002/07/owl#sameAs> <{url}t> .\n',
        "service.trig": PREFIXES + f"<{url}g> {{ <{url}s> rdfs:seeAlso <{url}o> . }}\n",
        "sources.csv": "slug,label,description,tracks,sources,places\n"
                       f"test-net,Net (test),A fictional case.,TrackTwo,{url}source,{url}place\n",
    }


def test_no_input_makes_the_tool_connect(listener, tmp_path, capsys):
    url = f"http://127.0.0.1:{listener.port}/"
    files = network_inputs(tmp_path, url)
    codes = {}
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        codes[name] = main(["validate", str(path), "-q"])
        for fmt in ("json", "ttl"):
            assert main(["validate", str(path), "-q", "--format", fmt]) == codes[name]
    capsys.readouterr()
    # accept too (into a copy of the data), for the inputs that validate
    data = tmp_path / "data"
    shutil.copytree(resources.data_dir(), data)
    assert main(["accept", str(tmp_path / "imports.ttl"), "--data-dir", str(data), "-q"]) == 0
    assert (data / "cases" / "test-safety.ttl").exists()
    assert "owl:imports" not in (data / "cases" / "test-safety.ttl").read_text()
    assert codes["remote-context.jsonld"] == 2 and codes["dtd.rdf"] == 2 and codes["entity.rdf"] == 2
    assert codes["imports.ttl"] == 0  # owl:imports is only a warning, and is never followed
    assert not wait_for(lambda: listener.connections > 0, 0.5)
    assert listener.connections == 0


def test_the_command_line_does_not_connect_either(listener, tmp_path):
    url = f"http://127.0.0.1:{listener.port}/"
    path = tmp_path / "imports.ttl"
    path.write_text(network_inputs(tmp_path, url)["imports.ttl"], encoding="utf-8")
    command = [sys.executable, "-c", "import sys; from dipontology.cli import main; sys.exit(main())",
               "validate", str(path), "--format", "json"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert '"contrib:imports-ignored"' in proc.stdout
    assert listener.connections == 0


SECRET = "SECRET-MARKER-7f3a9c"


def secret_inputs(d: Path) -> dict[str, str]:
    (d / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (d / "secret.jsonld").write_text(f'{{"@context": {{"{SECRET}": "https://example.org/{SECRET}"}}}}',
                                     encoding="utf-8")
    (d / "secret.ttl").write_text(f'<https://example.org/{SECRET}> <https://example.org/p> "{SECRET}" .\n',
                                  encoding="utf-8")
    (d / "secret.dtd").write_text(f'<!ENTITY leak "{SECRET}">\n', encoding="utf-8")
    uri = (d / "secret.txt").as_uri()
    return {
        "xxe.rdf": f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "{uri}">]>\n'
                   '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                   'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><rdf:Description '
                   'rdf:about="https://w3id.org/dipontology/id/case/a"><rdfs:label>&xxe;</rdfs:label>'
                   '</rdf:Description></rdf:RDF>\n',
        "parameter-entity.rdf": f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % p SYSTEM "{(d / "secret.dtd").as_uri()}">'
                                ' %p;]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
        "file-context.jsonld": f'{{"@context": "{(d / "secret.jsonld").as_uri()}", '
                               f'"@id": "https://w3id.org/dipontology/id/case/a", "{SECRET}": "x"}}',
        "relative-context.jsonld": '{"@context": "secret.jsonld", "@id": "https://w3id.org/dipontology/id/case/a"}',
        "file-imports.ttl": PREFIXES + f"case:test-safety owl:imports <{(d / 'secret.ttl').as_uri()}> .\n" + CASE,
        "file-base.ttl": f"@base <{(d / 'secret.ttl').as_uri()}> .\n" + PREFIXES + CASE,
    }


def test_no_local_file_content_appears_in_any_output(tmp_path, capsys):
    inputs = secret_inputs(tmp_path)
    seen = []
    for name, text in inputs.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        for fmt in ("text", "json", "md", "ttl"):
            code = main(["validate", str(path), "--format", fmt])
            out = capsys.readouterr()
            assert code in (0, 1, 2)
            seen.append(code)
            assert SECRET not in out.out and SECRET not in out.err, (name, fmt)
    assert seen.count(2) >= 12  # the entity and context inputs are refused outright
