"""The code checks the README's test command runs: lint, format and types, each as a test
that fails with the tool's own report."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from helpers import ROOT

PATHS = ["policybrief", "tests", "benchmarks", "build.py"]


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
