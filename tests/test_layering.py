"""The package's layering, read from its source: no import cycle between its modules, and no import hidden inside a
function unless it is an optional heavy dependency that says so.

The import graph is built with :mod:`ast` from the files under ``src/dipontology`` (module-level imports, including
those under ``try``/``if`` at module level, but not those under ``if TYPE_CHECKING:``, which never run). An import of
``dipontology.a.b`` also runs ``dipontology/a/__init__.py``, so it adds an edge to every package on the way that is not
already an ancestor of the importer. A cycle is reported with the modules on it, in order.

An import inside a function body is allowed only with the comment ``# optional dependency: <why>`` on its own line
or on the line just above: it is how a heavy or optional library (owlready2, Java's HermiT, Jinja2, pyshacl's
engines, ...) stays out of the commands that do not need it. Anything else is a backward arrow hidden from the graph.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "dipontology"
MARK = "optional dependency"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.lru_cache(maxsize=1)
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def _resolve(importer: str, node: ast.ImportFrom | ast.Import, modules: dict[str, Path]) -> list[str]:
    """The package modules an import statement runs (the most specific module each name denotes)."""
    targets: list[str] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            name = alias.name
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                targets.append(name)
        return targets
    if node.level:
        base = importer if _is_package(importer, modules) else importer.rpartition(".")[0]
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        base = f"{base}.{node.module}" if node.module else base
    else:
        base = node.module or ""
    if base not in modules:
        probe = base
        while probe and probe not in modules:
            probe = probe.rpartition(".")[0]
        return [probe] if probe else []
    targets.append(base)
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        if sub in modules:
            targets.append(sub)
    return targets


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def walk(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                found.append(stmt)
            elif isinstance(stmt, ast.If):
                if not _is_type_checking(stmt):
                    walk(stmt.body)
                walk(stmt.orelse)
            elif isinstance(stmt, ast.Try):
                walk(stmt.body)
                for h in stmt.handlers:
                    walk(h.body)
                walk(stmt.orelse)
                walk(stmt.finalbody)
            elif isinstance(stmt, (ast.With,)):
                walk(stmt.body)
            elif isinstance(stmt, ast.ClassDef):
                walk(stmt.body)

    walk(tree.body)
    return found


def _function_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found = []
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    found.append(node)
    return list({id(n): n for n in found}.values())


@functools.lru_cache(maxsize=1)
def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules its module-level imports run."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _module_level_imports(tree):
            for target in _resolve(name, node, modules):
                if target == name or name.startswith(target + "."):
                    continue  # a package the importer is part of: already being imported
                graph[name].add(target)
                # importing a.b.c runs a/__init__ and a/b/__init__ first (unless the importer is inside them)
                parent = target.rpartition(".")[0]
                while parent and parent != "dipontology":
                    if not (name == parent or name.startswith(parent + ".")):
                        graph[name].add(parent)
                    parent = parent.rpartition(".")[0]
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n: WHITE for n in graph}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        colour[n] = GREY
        stack.append(n)
        for m in sorted(graph[n]):
            if colour.get(m) == GREY:
                return stack[stack.index(m):] + [m]
            if colour.get(m) == WHITE:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        colour[n] = BLACK
        return None

    for n in sorted(graph):
        if colour[n] == WHITE:
            found = visit(n)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_reads_relative_and_absolute_imports() -> None:
    graph = import_graph()
    assert "dipontology.errors" in graph["dipontology.load"]
    assert any(t.startswith("dipontology.") for t in graph["dipontology.cli"])


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _unmarked_function_imports() -> list[str]:
    bad = []
    for name, path in _modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines), filename=str(path))
        for node in _function_imports(tree):
            here = lines[node.lineno - 1]
            above = lines[node.lineno - 2] if node.lineno > 1 else ""
            if MARK not in here and MARK not in above:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {here.strip()}")
    return bad


def test_function_level_imports_are_marked_optional_dependencies() -> None:
    bad = _unmarked_function_imports()
    assert not bad, (f"{len(bad)} import(s) inside functions without '# {MARK}: <why>' (move them to the top of "
                     "the module, or say why they must wait):\n" + "\n".join(bad))


@pytest.mark.parametrize("stage", ["load", "validate", "check", "reason", "export", "query", "release",
                                   "contribution", "link", "findings", "terms", "atomic"])
def test_each_stage_of_the_pipe_is_one_module_or_package(stage: str) -> None:
    modules = _modules()
    assert f"dipontology.{stage}" in modules, f"no module or package dipontology.{stage}"
