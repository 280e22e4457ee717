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


# Where ``Any`` may stay: true boundaries, where the data has no type to give. Keyed by
# qualified name (a function keeps its entry when it moves to another module), each with
# why. A field, parameter, return, local or base class whose annotation holds ``Any``, or a
# field typed with a bare dict, list, tuple or set (items of any type), must be listed.
ANY_BOUNDARIES = {
    "YMap": "a YAML mapping's keys and values as the file has them; loaders check each",
    "YList": "a YAML sequence's items as the file has them; loaders check each",
    "PageTemplate.render": "Jinja's Template.render: the template's variables",
    "PageTemplate.render_fragment": "Jinja's Template.render: the template's variables",
    "Sandbox.__init__": "Jinja's Environment options, passed through",
    "Sandbox.get_template": "Jinja's get_template arguments, passed through",
    "Sandbox.call_binop": "the operands of a template's * ** +: any template value",
    "_fact_record": "the snapshot: JSON written to a build folder and read back",
    "snapshot": "the snapshot: JSON written to a build folder and read back",
    "read_build": "the snapshot: JSON written to a build folder and read back",
    "old_state": "the snapshot: JSON written to a build folder and read back",
    "Changes.to_dict": "dataclasses.asdict, for `changes --json`",
    "_libraries": "cffi's libraries: objects of classes cffi makes at run time",
}
BARE = {"dict", "list", "tuple", "set", "frozenset"}


def _mentions_any(annotation, strings: bool = True) -> bool:
    """Whether an annotation (or, with ``strings``, a string annotation) names Any."""
    import ast

    if annotation is None:
        return False
    if strings and isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        annotation = ast.parse(annotation.value, mode="eval").body
    return any(
        isinstance(n, ast.Name)
        and n.id == "Any"
        or isinstance(n, ast.Attribute)
        and n.attr == "Any"
        for n in ast.walk(annotation)
    )


def _bare(annotation) -> bool:
    import ast

    return isinstance(annotation, ast.Name) and annotation.id in BARE


def any_annotations(tree) -> list[tuple[str, int, str]]:
    """(qualified name, line, what) for each annotation that holds ``Any`` (fields,
    parameters, returns, locals and base classes, by the class or function they belong to),
    and each field typed with a bare collection."""
    import ast

    found = []

    def visit(node, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                name = f"{scope}{child.name}"
                found.extend((name, child.lineno, "base") for b in child.bases if _mentions_any(b))
                for item in child.body:
                    if isinstance(item, ast.AnnAssign) and (
                        _mentions_any(item.annotation) or _bare(item.annotation)
                    ):
                        found.append((name, item.lineno, f"field {ast.unparse(item.target)}"))
                visit(child, name + ".")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{scope}{child.name}"
                a = child.args
                params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
                for arg in filter(None, params):
                    if _mentions_any(arg.annotation):
                        found.append((name, child.lineno, f"parameter {arg.arg}"))
                if _mentions_any(child.returns):
                    found.append((name, child.lineno, "return"))
                for item in ast.walk(child):
                    if isinstance(item, ast.AnnAssign) and _mentions_any(item.annotation):
                        found.append((name, item.lineno, "local"))
                visit(child, name + ".")
            elif scope:  # a class's fields are above, a function's locals too
                continue
            elif isinstance(child, ast.AnnAssign) and _mentions_any(child.annotation):
                found.append((ast.unparse(child.target), child.lineno, "alias"))
            elif isinstance(child, ast.Assign) and _mentions_any(child.value, strings=False):
                found.extend((ast.unparse(t), child.lineno, "alias") for t in child.targets)

    visit(tree, "")
    return found


def test_types_say_what_the_data_is():
    """One name per class across the package, no class field typed ``object``, no method
    named after a builtin (``format``, ``id``, ``type``...), and ``Any`` only at the
    boundaries listed above (a field typed with a bare dict or list counts: its items are
    Any): each would hide what the data is from a reader, and ``object`` and ``Any`` from
    mypy too."""
    import ast
    import builtins

    classes: dict[str, list[str]] = {}
    found = []
    seen = set()
    for shown, tree in _package_trees():
        for qualname, line, what in any_annotations(tree):
            seen.add(qualname)
            if qualname not in ANY_BOUNDARIES:
                found.append(f"{shown}:{line}: {what} of {qualname} is Any")
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
    found += [
        f"ANY_BOUNDARIES lists {name}, which has no Any" for name in ANY_BOUNDARIES.keys() - seen
    ]
    assert not found, (
        "give these a real type (a dataclass, a TypedDict, a Protocol, the library's own class), "
        "or list a true boundary in ANY_BOUNDARIES with why:\n" + "\n".join(found)
    )


def test_the_any_check_finds_each_form():
    import ast

    source = (
        "from typing import Any\n"
        "Loose = Any\n"
        "class Box(dict[str, Any]):\n"
        "    data: dict[str, Any]\n"
        "    items: list\n"
        "    fine: list[int]\n"
        "    def put(self, value: Any, *rest: int) -> 'Any':\n"
        "        kept: Any = value\n"
        "def plain(x: int) -> int:\n"
        "    return x\n"
    )
    found = sorted((name, what) for name, _line, what in any_annotations(ast.parse(source)))
    assert found == [
        ("Box", "base"),
        ("Box", "field data"),
        ("Box", "field items"),
        ("Box.put", "local"),
        ("Box.put", "parameter value"),
        ("Box.put", "return"),
        ("Loose", "alias"),
    ]


# The one module that reads each library's private attributes, and the names it reads: a
# library's internals change without notice, so each is reached in one place only.
PRIVATE_READERS = {
    "policybrief/core/patches.py": {"_findSoname_ldconfig", "_page_box", "_folder"},
    "policybrief/load/catalogs.py": {"_catalog"},
    "policybrief/output/docx/ooxml.py": {
        "_p",
        "_tr",
        "_Row",
        "_inline",
        "_sectPr",
        "_element",
        "_Header",
        "_Footer",
    },
}
# Documented names that only look private.
PUBLIC_UNDERSCORED = {("os", "_exit")}


def private_reads(tree) -> list[tuple[int, str, str]]:
    """(line, what, name) for each private name of another object a module reads:
    ``x._name`` where x is not ``self`` or ``cls``, ``getattr(x, "_name")``, and
    ``from library import _name`` (the package's own modules excepted)."""
    import ast

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            owner = node.value.id if isinstance(node.value, ast.Name) else ""
            if node.attr.startswith("__") or owner in ("self", "cls"):
                continue
            if (owner, node.attr) not in PUBLIC_UNDERSCORED:
                found.append((node.lineno, ast.unparse(node), node.attr))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and str(node.args[1].value).startswith("_")
            and not str(node.args[1].value).startswith("__")
        ):
            found.append((node.lineno, ast.unparse(node), node.args[1].value))
        elif isinstance(node, ast.ImportFrom) and not node.level:
            if (node.module or "").split(".")[0] == "policybrief":
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append((node.lineno, f"from {node.module} import", alias.name))
    return found


def test_other_libraries_private_attributes_are_read_in_one_place_each():
    """A private attribute of another library's object (``paragraph._p``,
    ``catalog._catalog``, ``page._page_box``) is read only in the module that owns that
    library's use, through a small accessor there (``ooxml.paragraph_xml``): when the
    library changes, one function breaks, with a name that says what it reached for."""
    found = []
    owners: dict[str, set[str]] = {}
    for shown, tree in _package_trees():
        allowed = PRIVATE_READERS.get(shown, set())
        for line, what, name in private_reads(tree):
            owners.setdefault(name, set()).add(shown)
            if name not in allowed:
                found.append(f"{shown}:{line}: {what} ({name})")
    assert not found, (
        "read other objects' private attributes through an accessor in "
        + ", ".join(PRIVATE_READERS)
        + ":\n"
        + "\n".join(found)
    )
    twice = {name: sorted(at) for name, at in owners.items() if len(at) > 1}
    assert not twice, f"each private attribute is read in one module: {twice}"


def test_the_private_attribute_check_finds_each_form():
    import ast

    source = (
        "import os\n"
        "from docx.table import _Row\n"
        "from policybrief.core import _own\n"
        "def f(self, paragraph, cls):\n"
        "    self._mine, cls._ours, paragraph.__class__, os._exit\n"
        "    paragraph._p\n"
        "    self.toc_after._p\n"
        "    getattr(paragraph, '_element')\n"
    )
    found = [(line, name) for line, _what, name in private_reads(ast.parse(source))]
    assert sorted(found) == [(2, "_Row"), (6, "_p"), (7, "_p"), (8, "_element")]
