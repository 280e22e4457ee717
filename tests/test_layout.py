"""The package's layout is its pipeline: one folder a stage, imports only down the stages,
no circles, no module too long to read. Read from the package's syntax trees (nothing is
imported), so a new module is held to it the moment it exists."""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import ROOT

PACKAGE = ROOT / "policybrief"
# From the bottom up; a module may import its own stage and those below it.
STAGES = ("core", "load", "check", "editions", "render", "output", "build", "cli")
MAX_MODULE_LINES = 600


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of the package that ``name`` imports, wherever the import stands (top,
    inside a function, under TYPE_CHECKING)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([base] if base else [])])
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def stage_of(name: str) -> int:
    parts = name.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 else 0


def test_the_folders_are_the_stages():
    found = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert found == sorted(STAGES)
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"every module belongs to a stage folder: {loose}"


def test_imports_run_only_down_the_stages():
    upward = [
        f"{name} ({STAGES[stage_of(name)]}) imports {target} ({STAGES[stage_of(target)]})"
        for name, targets in graph().items()
        for target in sorted(targets)
        if stage_of(target) > stage_of(name)
    ]
    assert not upward, "\n".join(upward)


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles():
    assert _circles(graph()) == []


def test_the_circle_finder_finds_a_circle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(edges) == [["a", "b", "c"]]


def test_no_module_is_too_long_to_read():
    long = {
        path.relative_to(ROOT).as_posix(): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these modules (at most {MAX_MODULE_LINES} lines each)"


def test_the_internals_guide_draws_these_stages():
    """docs/internals.md names every stage folder, and every module path it names exists:
    the guide moves with the code."""
    import re

    guide = (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
    missing = [stage for stage in STAGES if f"{stage}/" not in guide]
    assert missing == [], f"docs/internals.md does not name the stages {missing}"
    stages = "|".join(STAGES)
    named = set(re.findall(rf"`((?:{stages})/[a-z_/]+\.py)`", guide))
    gone = sorted(p for p in named if not (PACKAGE / p).is_file())
    assert named and gone == [], f"docs/internals.md names modules that do not exist: {gone}"
