"""The code checks the README's test command runs: lint, format and types, each as a test
that fails with the tool's own report."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from helpers import ROOT

PATHS = ["policybrief", "tests", "benchmarks", "scripts", "build.py"]


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", *PATHS),
        ("ruff", "format", "--check", *PATHS),
        ("mypy",),  # [tool.mypy] in pyproject.toml: the policybrief package
    ],
    ids=["lint", "format", "types"],
)
def test_code_checks_pass(command):
    if shutil.which(command[0]) is None and run(command[0], "--version").returncode != 0:
        pytest.fail(f"{command[0]} is not installed: run scripts/setup.sh --test")
    result = run(*command)
    assert result.returncode == 0, result.stdout + result.stderr


MAX_COMPLEXITY = 10
MAX_LINES = 60


def _has_reason(lines: list[str], node) -> bool:
    """A ``# long: <reason>`` comment on the def line or on the line just above it (above
    its decorators, if any)."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    candidates = {node.lineno, first - 1, node.lineno - 1}
    return any(0 < n <= len(lines) and "# long:" in lines[n - 1] for n in candidates)


def test_functions_are_short_and_simple_or_say_why():
    """No function in the package over 60 lines or with a cyclomatic complexity over 10
    (ruff's C901) without a ``# long: <reason>`` comment beside its def."""
    import ast
    import json

    result = run(
        "ruff",
        "check",
        "policybrief",
        "--select",
        "C901",
        "--config",
        f"lint.mccabe.max-complexity={MAX_COMPLEXITY}",
        "--output-format",
        "json",
        "--exit-zero",
        "--no-cache",
    )
    assert result.returncode == 0, result.stderr
    complex_at = {
        (str((ROOT / d["filename"]).resolve()), d["location"]["row"]): d["message"]
        for d in json.loads(result.stdout)
    }
    offenders = []
    for path in sorted((ROOT / "policybrief").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines), str(path))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            length = node.end_lineno - node.lineno + 1
            too_complex = complex_at.get((str(path.resolve()), node.lineno))
            if (length > MAX_LINES or too_complex) and not _has_reason(lines, node):
                long = f"{length} lines long (> {MAX_LINES})" if length > MAX_LINES else ""
                why = "; ".join(filter(None, [too_complex, long])) or ""
                why = why if too_complex else f"`{node.name}` is {long}"
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {why}")
    assert not offenders, (
        "split these functions, or write `# long: <reason>` beside the def:\n"
        + "\n".join(offenders)
    )


def _package_trees():
    import ast

    for path in sorted((ROOT / "policybrief").rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_types_say_what_the_data_is():
    """One name per class across the package, no class field typed ``object``, and no method
    named after a builtin (``format``, ``id``, ``type``...): each would hide what the data
    is from a reader, and ``object`` from mypy too."""
    import ast
    import builtins

    classes: dict[str, list[str]] = {}
    found = []
    for shown, tree in _package_trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            classes.setdefault(node.name, []).append(f"{shown}:{node.lineno}")
            for item in node.body:
                if (
                    isinstance(item, ast.AnnAssign)
                    and isinstance(item.annotation, ast.Name)
                    and item.annotation.id == "object"
                ):
                    found.append(f"{shown}:{item.lineno}: field typed object in {node.name}")
                named = item.name if isinstance(item, ast.FunctionDef) else "__"
                if not named.startswith("__") and hasattr(builtins, named):
                    found.append(f"{shown}:{item.lineno}: method {node.name}.{item.name}")
    found += [
        f"class {name} defined in {' and '.join(at)}" for name, at in classes.items() if len(at) > 1
    ]
    assert not found, "\n".join(found)
