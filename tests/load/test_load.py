"""Safe parsing: formats, line maps, and every kind of bad input ends in one InputError with a place and a fix."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import BNode, Dataset, Literal, URIRef

from dipontology.errors import InputError
from dipontology.load import Limits, load_bytes, load_file

CASE = "https://w3id.org/dipontology/id/case/"
DIP = "https://w3id.org/dipontology/ontology#"
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")

TURTLE = f"""@prefix case: <{CASE}> .
@prefix dip: <{DIP}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

# a comment with a "quote" and a [ bracket
case:oslo a dip:Initiative ;
    rdfs:label "Oslo back channel"@en ;
    dip:note \"\"\"a long
string with . and [ inside\"\"\" ;
    dip:hasParticipation [ dip:role dip:FacilitatorRole ] .

<{CASE}dayton> rdfs:label "Dayton" .
_:n1 rdfs:label "a labelled blank node" .
case:oslo dip:decade "1990"^^<http://www.w3.org/2001/XMLSchema#gYear> .
"""


def oslo(slug: str = "oslo") -> URIRef:
    return URIRef(CASE + slug)


def test_turtle_graph_and_lines():
    loaded = load_bytes(TURTLE.encode(), name="case.ttl")
    assert loaded.format == "turtle"
    assert len(loaded.graph) == 8
    assert loaded.line_of(oslo()) == 6
    assert loaded.line_of(oslo("dayton")) == 12
    labelled = [s for s in loaded.graph.subjects(RDFS_LABEL, Literal("a labelled blank node"))][0]
    assert isinstance(labelled, BNode) and loaded.line_of(labelled) == 13
    # an anonymous blank node falls back to the record that holds it
    participation = loaded.graph.value(oslo(), URIRef(DIP + "hasParticipation"))
    assert loaded.line_of(participation) == 6
    assert loaded.prefixes["case"] == CASE
    assert (oslo(), RDFS_LABEL, Literal("Oslo back channel", lang="en")) in loaded.graph


def test_xsd_string_becomes_plain_literal():
    loaded = load_bytes(b'<https://e.org/a> <https://e.org/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .',
                        name="a.nt")
    assert list(loaded.graph.objects()) == [Literal("x")]


def test_ntriples_and_extension(tmp_path):
    f = tmp_path / "x.nt"
    f.write_text(f'<{CASE}a> <{DIP}p> "x" .\n<{CASE}b> <{DIP}p> _:x .\n_:x <{DIP}p> "y" .\n')
    loaded = load_file(f)
    assert loaded.format == "ntriples" and len(loaded.graph) == 3
    assert loaded.line_of(oslo("a")) == 1 and loaded.line_of(oslo("b")) == 2
    assert loaded.file == str(f)


def test_trig_is_a_dataset_with_lines():
    data = f"@prefix case: <{CASE}> .\n@prefix dip: <{DIP}> .\ncase:g {{ case:a dip:p \"x\" .\n case:b dip:p \"y\" }}\n" \
           f"GRAPH case:h {{ case:c dip:p \"z\" }}\n"
    loaded = load_bytes(data.encode(), name="x.trig", named_graphs="keep")
    assert loaded.format == "trig" and isinstance(loaded.graph, Dataset)
    assert len(loaded.triples_graph()) == 3
    assert loaded.line_of(oslo("a")) == 3 and loaded.line_of(oslo("b")) == 4 and loaded.line_of(oslo("c")) == 5
    assert loaded.line_of(oslo("g")) is None  # a graph name is not a subject


def test_named_graphs_are_refused_at_the_graph_name_by_default():
    data = f"@prefix case: <{CASE}> .\n@prefix dip: <{DIP}> .\n{{ case:a dip:p \"x\" }}\n  GRAPH case:h {{ case:c dip:p \"z\" }}\n"
    with pytest.raises(InputError, match="named graph <https://w3id.org/dipontology/id/case/h>") as e:
        load_bytes(data.encode(), name="x.trig")
    assert (e.value.line, e.value.column) == (4, 9)
    nq = f'<{CASE}a> <{DIP}p> "x" .\n\n<{CASE}a> <{DIP}p> "y" <{CASE}g> .\n'
    with pytest.raises(InputError, match="named graph") as e:
        load_bytes(nq.encode(), name="x.nq")
    assert (e.value.line, e.value.column) == (3, nq.splitlines()[2].index(f"<{CASE}g>") + 1)
    # a TriG file whose blocks have no name is the default graph: accepted
    assert len(load_bytes(f"{{ <{CASE}a> <{DIP}p> \"x\" }}".encode(), name="d.trig").triples_graph()) == 1


def test_turtle_with_graph_block_is_sniffed_as_trig():
    data = f"<{CASE}g> {{ <{CASE}a> <{DIP}p> \"x\" }}\n"
    assert load_bytes(data.encode(), name="x.ttl", named_graphs="keep").format == "trig"


def test_jsonld_lines_and_dropped_key_warning():
    data = ('{"@context": {"case": "%s", "label": "http://www.w3.org/2000/01/rdf-schema#label"},\n'
            ' "@graph": [\n  {"@id": "case:a",\n   "label": "A", "x": 1},\n  {"@id": "case:b", "label": "B"},\n'
            '  {"@id": "case:c"}]}' % CASE)
    loaded = load_bytes(data.encode(), name="x.jsonld")
    assert loaded.format == "jsonld" and len(loaded.graph) == 2
    assert loaded.line_of(oslo("a")) == 3 and loaded.line_of(oslo("b")) == 5
    assert loaded.warnings == [(4, "the JSON-LD key 'x' is not defined in the @context, so it is dropped")]


def test_rdfxml_lines():
    data = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            f'xmlns:d="{DIP}">\n<rdf:Description rdf:about="{CASE}a">\n'
            f'<d:p><rdf:Description rdf:about="{CASE}b"><d:q>x</d:q></rdf:Description></d:p>\n'
            f'</rdf:Description>\n<d:Initiative rdf:about="{CASE}c"/></rdf:RDF>')
    loaded = load_bytes(data.encode(), name="x.rdf")
    assert loaded.format == "rdfxml" and len(loaded.graph) == 3
    assert [loaded.line_of(oslo(s)) for s in "abc"] == [3, 4, 6]


@pytest.mark.parametrize("data,human", [
    (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "RDF/XML"),
    (b'{"@id": "https://e.org/a"}', "JSON-LD"),
    (b'@prefix e: <https://e.org/> .', "Turtle"),
])
def test_sniffing_without_extension(data, human):
    with pytest.raises(InputError, match=f"no statements \\(parsed as {human}\\)"):
        load_bytes(data, name="noext")


@pytest.mark.parametrize("name,data,fragment,line,column", [
    ("empty.ttl", b"", "the file is empty", None, None),
    ("blank.ttl", b"  \n\n ", "the file is empty", None, None),
    ("prefixes-only.ttl", b"@prefix e: <http://e.org/> .\n# nothing\n", "contains no statements", None, None),
    ("latin1.ttl", '<http://e.org/a> <http://e.org/p> "caf\xe9" .'.encode("latin-1"),
     "byte 0xE9 at byte offset 38", 1, 39),
    ("utf16.ttl", '<http://e.org/a> <http://e.org/p> "x" .'.encode("utf-16"), "UTF-16", 1, None),
    ("zip.ttl", b"PK\x03\x04\x14\x00\x00\x00", "ZIP archive", None, None),
    ("binary.ttl", b"\x00\x01\x02\x03garbage\x00", "binary", 1, 1),
    ("nul-escape.ttl", b'<http://e.org/a> <http://e.org/p> "a\\u0000b" .\n', "NUL character", 1, None),
    ("undefined-prefix.ttl", f"@prefix case: <{CASE}> .\ncase:a dipp:label \"x\" .\n".encode(),
     "undefined prefix dipp:", 2, 8),
    ("missing-dot.ttl", f"<{CASE}a> <{DIP}p> \"x\"\n<{CASE}b> <{DIP}p> \"y\" .\n".encode(),
     "A dot is expected", 2, 1),
    ("open-string.ttl", f"<{CASE}a> <{DIP}p> \"x ;\n".encode(), "Unexpected end of file", 1, None),
    ("space-iri.nt", f"<{CASE}a b> <{DIP}p> \"x\" .\n".encode(), "Invalid IRI code point", 1, None),
    ("relative.ttl", f"<a> <{DIP}p> \"x\" .\n".encode(), "No scheme found", 1, 1),
    ("bad.trig", f"<{CASE}g> {{ <{CASE}a> <{DIP}p> \"x\" .".encode(), "TriG syntax error", 1, None),
    ("bad.jsonld", b'{"@id": "https://e.org/a",\n "https://e.org/p": "x",}', "JSON-LD syntax error", 2, None),
    ("remote.jsonld", b'{"@context": "https://example.org/ctx.jsonld",\n "@id": "https://e.org/a"}',
     "'https://example.org/ctx.jsonld' names another document", 1, 14),
    ("file-context.jsonld", b'{"@context": ["file:///etc/passwd"], "@id": "https://e.org/a"}',
     "'file:///etc/passwd' names another document", 1, None),
    ("import.jsonld", b'{"@context": {"@import": "https://example.org/c"}, "@id": "https://e.org/a"}',
     "@import", 1, None),
    ("relative-id.jsonld", b'{"@context": {"e": "https://e.org/"},\n "@id": "rel", "e:p": "x"}',
     "not a full IRI", 2, None),
    ("doctype.rdf", b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
     b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "DOCTYPE", 2, None),
    ("latin1-decl.rdf", b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<rdf:RDF/>', "ISO-8859-1", 1, None),
    ("unclosed.rdf", b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
     b'<rdf:Description rdf:about="https://e.org/a">\n</rdf:RDF>', "mismatched tag", 4, 3),
    ("bad-iri.rdf", b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
     b'<rdf:Description rdf:about="a b"/>\n</rdf:RDF>', "Invalid IRI code point", 3, None),
    ("named-graph.nt", f"<{CASE}a> <{DIP}p> \"x\" <{CASE}g> .\n".encode(), "N-Triples syntax error", 1, None),
])
def test_bad_input_is_one_input_error(name, data, fragment, line, column):
    with pytest.raises(InputError) as info:
        load_bytes(data, name=name)
    err = info.value
    assert fragment in err.message
    assert err.file == name
    assert err.line == line
    if column is not None:
        assert err.column == column
    assert err.fix


def test_undefined_project_prefix_suggests_the_declaration():
    with pytest.raises(InputError) as info:
        load_bytes(b'actor:x <http://www.w3.org/2000/01/rdf-schema#label> "x" .', name="a.ttl")
    assert info.value.fix == "declare it at the top of the file: @prefix actor: " \
                             "<https://w3id.org/dipontology/id/actor/> ."


@pytest.mark.parametrize("limits,data,fragment", [
    (Limits(max_bytes=10), b'<http://e.org/a> <http://e.org/p> "x" .', "more than the limit of 10 bytes"),
    (Limits(max_triples=2), b'<http://e.org/a> <http://e.org/p> "x", "y", "z" .', "more than 2 statements"),
    (Limits(max_literal_chars=5), b'<http://e.org/a> <http://e.org/p> "abcdef" .', "6 characters long"),
    (Limits(max_depth=3), b'<http://e.org/a> <http://e.org/p> [ <http://e.org/p> [ <http://e.org/p> '
                          b'[ <http://e.org/p> [ ] ] ] ] .', "nested more than 3 deep"),
    (Limits(max_depth=3), b'<http://e.org/a> <http://e.org/p> ((((1)))) .', "nested more than 3 deep"),
])
def test_limits(limits, data, fragment):
    with pytest.raises(InputError, match=fragment):
        load_bytes(data, name="x.ttl", limits=limits)


def test_long_flat_list_is_not_deep():
    items = " ".join(str(i) for i in range(1000))
    loaded = load_bytes(f"<http://e.org/a> <http://e.org/p> ({items}) .".encode(), name="x.ttl")
    assert len(loaded.graph) == 2001


def test_default_limits_stop_pathological_nesting_fast():
    deep = 100_000
    cases = {
        "deep.ttl": ("<http://e.org/a> <http://e.org/p> " + "[ <http://e.org/p> " * deep + '"x"' + " ]" * deep
                     + " ."),
        "deep.jsonld": '{"@id":"http://e.org/a",' + '"http://e.org/p": {' * deep + '"http://e.org/q":"x"'
                       + "}" * deep + "}",
        "deep.rdf": ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                     'xmlns:e="http://e.org/"><rdf:Description rdf:about="http://e.org/a">'
                     + "<e:p><rdf:Description>" * deep + "<e:q>x</e:q>" + "</rdf:Description></e:p>" * deep
                     + "</rdf:Description></rdf:RDF>"),
    }
    for name, text in cases.items():
        with pytest.raises(InputError, match="nested"):
            load_bytes(text.encode(), name=name)


def test_billion_laughs_is_refused_before_expansion():
    lol = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
                     for i in range(1, 10))
           + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e.org/">'
           '<rdf:Description rdf:about="http://e.org/a"><e:p>&lol9;</e:p></rdf:Description></rdf:RDF>')
    with pytest.raises(InputError, match="DOCTYPE"):
        load_bytes(lol.encode(), name="lol.rdf")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_file(tmp_path / "nope.ttl")
    with pytest.raises(InputError, match="folder|not a file"):
        load_file(tmp_path)


def test_unknown_format_name():
    with pytest.raises(InputError, match="unknown RDF format 'n3'"):
        load_bytes(b"x", name="x", format="n3")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300), ext=st.sampled_from([".ttl", ".nt", ".trig", ".jsonld", ".rdf", ".nq", ""]))
def test_arbitrary_bytes_never_escape_as_anything_but_input_error(data, ext):
    try:
        load_bytes(data, name="fuzz" + ext)
    except InputError as exc:
        assert exc.file == "fuzz" + ext


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(list('<>"\'[](){}.;,:@^_#\\ \n\tabcxyz019')
                                       + ["case:", "<http://e.org/a>", '"""', "PREFIX", "@prefix", "_:b"]),
                       max_size=40))
def test_arbitrary_turtle_like_text_never_crashes(pieces):
    text = "".join(pieces)
    try:
        loaded = load_bytes(text.encode(), name="fuzz.ttl")
    except InputError:
        return
    assert len(loaded.graph) > 0
