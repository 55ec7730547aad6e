"""Coverage-guided fuzzing (atheris/libFuzzer) of the parsers' entry points, with a fixed time budget. By hand:

    pip install atheris                      # a manylinux wheel exists for CPython 3.11 on x86-64
    python tests/fuzz/atheris_parsers.py -max_total_time=300          # corpus in $TMPDIR/dipontology-fuzz-corpus
    python tests/fuzz/atheris_parsers.py tests/fuzz/regressions/<file>     # replay one input

The first byte of each input picks the entry point: ``load_bytes`` in each RDF format (and sniffed), the CSV
converter, the SPARQL check (``store.check_query``) and query parameter binding. The only acceptable outcomes are a
result or :class:`~dipontology.errors.InputError`; anything else is a crash, which libFuzzer saves as
``crash-<sha1>`` (put it in tests/fuzz/regressions/: tests/fuzz/test_fuzz_properties.py replays every file there).
The seed corpus is built from tests/fixtures/valid and tests/fixtures/invalid on first run.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = ("turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml", None, "csv", "sparql", "param")
_TMP = Path(tempfile.mkdtemp(prefix="dipontology-fuzz-"))


def run_one(data: bytes) -> None:
    """Feed one input to the entry point its first byte selects; raise only on a real crash."""
    from dipontology.errors import InputError

    if not data:
        return
    target = TARGETS[data[0] % len(TARGETS)]
    body = data[1:]
    try:
        if target == "csv":
            from dipontology.contribution.convert import convert_csv

            path = _TMP / "input.csv"
            path.write_bytes(body)
            convert_csv(path)
        elif target == "sparql":
            from dipontology.store import check_query

            check_query(body.decode("utf-8", "replace"))
        elif target == "param":
            from dipontology.query import Parameter

            text = body.decode("utf-8", "replace")
            for kind in ("string", "iri", "year", "integer", "track", "class"):
                try:
                    Parameter("p", kind).bind(text)
                except InputError:
                    pass
        else:
            from dipontology.load import load_bytes

            load_bytes(body, format=target, name="fuzz")
    except InputError:
        pass


def seed_corpus(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        return
    fixtures = HERE.parent / "fixtures"
    by_suffix = {".ttl": 0, ".nt": 1, ".nq": 2, ".trig": 3, ".jsonld": 4, ".rdf": 5, ".csv": 7}
    for sub in ("valid", "invalid"):
        for p in sorted((fixtures / sub).glob("*")):
            if p.suffix in by_suffix and p.stat().st_size < 100_000:
                (folder / f"{sub}-{p.name}").write_bytes(bytes([by_suffix[p.suffix]]) + p.read_bytes())
    for i, q in enumerate(sorted((HERE.parent.parent / "src" / "dipontology" / "queries").glob("*.rq"))):
        (folder / f"query-{i}").write_bytes(bytes([8]) + q.read_bytes())


def main() -> None:
    import atheris

    with atheris.instrument_imports(include=["dipontology"]):
        import dipontology.contribution.convert  # noqa: F401
        import dipontology.load  # noqa: F401
        import dipontology.query  # noqa: F401
        import dipontology.store  # noqa: F401
    args = list(sys.argv)
    if not any(a.startswith("-max_total_time") for a in args):
        args.append("-max_total_time=60")
    if not any(a.startswith("-artifact_prefix") for a in args):
        regressions = HERE / "regressions"
        regressions.mkdir(exist_ok=True)
        args.append(f"-artifact_prefix={regressions}{os.sep}")
    corpus = [a for a in args[1:] if not a.startswith("-")]
    if not corpus:
        default = Path(tempfile.gettempdir()) / "dipontology-fuzz-corpus"
        seed_corpus(default)
        args.append(str(default))
    atheris.Setup(args, run_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
