"""Refusals at the parser (issue #16 items 5-6): every limit is enforced while parsing, named graphs are never dropped,
symbolic links are never followed; each refusal is exit 2 from the command line with file:line:column, the limit's
environment variable where there is one, no traceback, and the data folder unchanged byte for byte."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dipontology import resources
from dipontology.cli import main
from dipontology.errors import InputError
from dipontology.load import bulk_load, load_file, read_file, trusted_triples

CASE = "https://w3id.org/dipontology/id/case/"
DIP = "https://w3id.org/dipontology/ontology#"
HEAD = f"@prefix case: <{CASE}> .\n@prefix dip: <{DIP}> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def data(tmp_path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(resources.data_dir(), d)
    return d


def _refused(path: Path, data: Path, capsys, *, where: tuple[int, int] | None, fragments: tuple[str, ...]) -> None:
    """``validate`` and ``accept`` both exit 2 with the message at ``file:line:column``; ``data`` is unchanged."""
    before = _snapshot(data)
    for command in (["validate", str(path), "--data-dir", str(data), "-q"],
                    ["accept", str(path), "--data-dir", str(data), "-q"]):
        code = main(command)
        err = capsys.readouterr().err
        assert code == 2, (command, err)
        assert "Traceback" not in err and "internal error" not in err
        location = f"{path}:{where[0]}:{where[1]}:" if where else f"{path}:"
        assert location in err, (location, err)
        for fragment in fragments:
            assert fragment in err, (fragment, err)
    assert _snapshot(data) == before


def test_a_literal_over_the_limit(tmp_path, data, capsys, monkeypatch):
    monkeypatch.setenv("DIPONTOLOGY_MAX_LITERAL_CHARS", "50")
    f = tmp_path / "long-literal.ttl"
    f.write_text(HEAD + "\n  case:x rdfs:label \"" + "a" * 60 + "\"@en .\n", encoding="utf-8")
    _refused(f, data, capsys, where=(5, 22), fragments=("more than the limit of 50", "DIPONTOLOGY_MAX_LITERAL_CHARS"))


def test_a_16_mb_literal_is_an_input_error_not_memory_error(tmp_path, data, capsys):
    f = tmp_path / "huge-literal.ttl"
    f.write_text(HEAD + 'case:x rdfs:label """' + "a" * (16 * 1024 * 1024 + 10) + '""" .\n', encoding="utf-8")
    _refused(f, data, capsys, where=(4, 19), fragments=("a literal is longer", "DIPONTOLOGY_MAX_LITERAL_CHARS"))


@pytest.mark.slow
def test_a_16_mb_literal_as_a_command_in_its_own_process(tmp_path, data):
    f = tmp_path / "huge-literal.nt"
    f.write_text(f'<{CASE}x> <http://www.w3.org/2000/01/rdf-schema#label> "' + "b" * (16 * 1024 * 1024 + 1) + '" .\n',
                 encoding="utf-8")
    before = _snapshot(data)
    proc = subprocess.run([sys.executable, "-c", "import sys; from dipontology.cli import main; sys.exit(main())",
                           "validate", str(f), "--data-dir", str(data), "-q"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert f"{f}:1:" in proc.stderr and "DIPONTOLOGY_MAX_LITERAL_CHARS" in proc.stderr
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert _snapshot(data) == before


def test_a_2_mib_iri_is_refused(tmp_path, data, capsys):
    f = tmp_path / "long-iri.ttl"
    f.write_text(HEAD + f"\n<{CASE}{'x' * (2 * 1024 * 1024)}> rdfs:label \"x\"@en .\n", encoding="utf-8")
    _refused(f, data, capsys, where=(5, 1), fragments=("an IRI is", "more than the limit of 8,192",
                                                       "DIPONTOLOGY_MAX_IRI_CHARS"))


def test_more_statements_than_the_limit(tmp_path, data, capsys, monkeypatch):
    monkeypatch.setenv("DIPONTOLOGY_MAX_TRIPLES", "2")
    f = tmp_path / "many.ttl"
    f.write_text(HEAD + "".join(f'case:x rdfs:label "x{i}"@en .\n' for i in range(3)), encoding="utf-8")
    _refused(f, data, capsys, where=None, fragments=("more than 2 statements", "DIPONTOLOGY_MAX_TRIPLES"))


def test_more_bytes_than_the_limit(tmp_path, data, capsys, monkeypatch):
    monkeypatch.setenv("DIPONTOLOGY_MAX_BYTES", "100")
    f = tmp_path / "big.ttl"
    f.write_text(HEAD + 'case:x rdfs:label "x"@en .\n', encoding="utf-8")
    _refused(f, data, capsys, where=None, fragments=("more than the limit of 100 bytes", "DIPONTOLOGY_MAX_BYTES"))


def test_a_named_graph_in_trig(tmp_path, data, capsys):
    f = tmp_path / "graphs.trig"
    f.write_text(HEAD + f"{{ case:x rdfs:label \"x\"@en . }}\n\n   GRAPH <{CASE}g> {{ case:y rdfs:label \"y\"@en . }}\n",
                 encoding="utf-8")
    _refused(f, data, capsys, where=(6, 10), fragments=(f"named graph <{CASE}g>", "default graph"))


def test_a_named_graph_in_nquads(tmp_path, data, capsys):
    f = tmp_path / "graphs.nq"
    line = f'<{CASE}y> <http://www.w3.org/2000/01/rdf-schema#label> "y"@en <{CASE}g> .'
    f.write_text(f'<{CASE}x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@en .\n{line}\n', encoding="utf-8")
    _refused(f, data, capsys, where=(2, line.index(f"<{CASE}g>") + 1), fragments=("named graph",))


def test_a_contribution_that_is_a_symbolic_link_is_not_read(tmp_path, data, capsys):
    secret = tmp_path / "elsewhere" / "secret.ttl"
    secret.parent.mkdir()
    secret.write_text("SECRET-TOKEN-5d1 is not Turtle\n", encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(secret)
    before = _snapshot(data)
    for command in (["validate", str(link), "--data-dir", str(data), "-q"],
                    ["accept", str(link), "--data-dir", str(data), "-q"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"{link}:" in err and "symbolic link" in err and "SECRET-TOKEN" not in err
    assert _snapshot(data) == before


def test_a_symbolic_link_in_the_data_folder_is_refused(tmp_path, data, capsys):
    secret = tmp_path / "secret.ttl"
    secret.write_text(HEAD + 'case:secret rdfs:label "SECRET-TOKEN-8e2"@en .\n', encoding="utf-8")
    (data / "cases" / "linked.ttl").symlink_to(secret)
    contribution = tmp_path / "ok.ttl"
    contribution.write_text(HEAD + 'case:x rdfs:label "x"@en .\n', encoding="utf-8")
    before = _snapshot(data)
    assert main(["validate", str(contribution), "--data-dir", str(data), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"{data / 'cases' / 'linked.ttl'}:" in err and "symbolic link" in err and "SECRET-TOKEN" not in err
    assert _snapshot(data) == before


# ---------------------------------------------------------------------------------------------- the Python API
def test_every_reader_refuses_a_link_without_reading_it(tmp_path):
    target = tmp_path / "real.ttl"
    target.write_text(f'<{CASE}a> <{DIP}p> "x" .\n', encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(target)
    import pyoxigraph as ox

    for read in (lambda: read_file(link), lambda: load_file(link), lambda: trusted_triples(link),
                 lambda: bulk_load(ox.Store(), [link])):
        with pytest.raises(InputError, match="symbolic link") as e:
            read()
        assert e.value.file == str(link)
    assert len(trusted_triples(target)) == 1 and len(bulk_load(ox.Store(), [target])) == 1


def test_trusted_readers_report_syntax_errors_with_line_and_column(tmp_path):
    f = tmp_path / "bad.ttl"
    f.write_text(HEAD + "case:a dip:p .\n", encoding="utf-8")
    import pyoxigraph as ox

    for read in (lambda: trusted_triples(f), lambda: bulk_load(ox.Store(), [f])):
        with pytest.raises(InputError, match="Turtle syntax error") as e:
            read()
        assert (e.value.file, e.value.line) == (str(f), 4) and e.value.column is not None


def test_trusted_readers_refuse_named_graphs(tmp_path):
    f = tmp_path / "g.trig"
    f.write_text(f"<{CASE}g> {{ <{CASE}a> <{DIP}p> \"x\" }}\n", encoding="utf-8")
    import pyoxigraph as ox

    for read in (lambda: trusted_triples(f), lambda: bulk_load(ox.Store(), [f])):
        with pytest.raises(InputError, match="named graph") as e:
            read()
        assert (e.value.file, e.value.line, e.value.column) == (str(f), 1, 1)
    plain = tmp_path / "plain.trig"
    plain.write_text(f"{{ <{CASE}a> <{DIP}p> \"x\" }}\n", encoding="utf-8")
    assert len(bulk_load(ox.Store(), [plain])) == 1


def test_limit_messages_name_their_variable():
    from dipontology.load import Limits

    assert set(Limits.ENV) == {"DIPONTOLOGY_MAX_BYTES", "DIPONTOLOGY_MAX_TRIPLES", "DIPONTOLOGY_MAX_LITERAL_CHARS",
                               "DIPONTOLOGY_MAX_DEPTH", "DIPONTOLOGY_MAX_IRI_CHARS"}
    assert Limits.from_env({"DIPONTOLOGY_MAX_IRI_CHARS": "none"}).max_iri_chars is None
    assert re.search(r"DIPONTOLOGY_MAX_IRI_CHARS=\d+", Limits.raise_fix("max_iri_chars", 10, "x"))
