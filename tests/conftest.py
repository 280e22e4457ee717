from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import ROOT, copy_project  # noqa: E402

from policybrief.build import Options, build  # noqa: E402


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """The whole project built once, strictly, into a temporary folder."""
    out = tmp_path_factory.mktemp("dist")
    report = build(Options(root=ROOT, out=out, strict=True))
    assert report.warnings == []
    return out


@pytest.fixture
def project(tmp_path) -> Path:
    """A throwaway copy of the project that a test may break."""
    return copy_project(tmp_path / "project")
