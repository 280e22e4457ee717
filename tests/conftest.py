"""Shared fixtures.

Engine tests build ``tests/fixture/`` (a small project of their own) so that editing or
adding briefs and facts in the shipped project never breaks them:

- ``fixture_project``: a throwaway copy of the fixture project that a test may change;
- ``fixture_dist``: the fixture built once per session, strictly, HTML and PDF.

The shipped project has two of its own, used by ``test_shipped.py`` (and kept for tests
that are about the shipped briefs):

- ``project``: a throwaway copy of the shipped project;
- ``dist``: the shipped project built once per session, strictly, HTML and PDF.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import ROOT, copy_fixture, copy_project  # noqa: E402

from policybrief.build import Options, build  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _shared_font_cache(tmp_path_factory):
    """One cache of subset faces for every build of the session, in-process or by
    subprocess (an environment variable: see fonts.py), instead of one per output folder:
    making them costs 1-3 s, and most tests build into a fresh folder. Tests about the
    per-folder cache itself remove the variable (``monkeypatch.delenv``)."""
    from policybrief.fonts import SHARED_CACHE

    folder = tmp_path_factory.mktemp("font-cache")
    previous = os.environ.get(SHARED_CACHE)
    os.environ[SHARED_CACHE] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(SHARED_CACHE, None)
    else:
        os.environ[SHARED_CACHE] = previous


@pytest.fixture(scope="session")
def fixture_dist(tmp_path_factory) -> Path:
    """The fixture project built once, strictly, HTML, PDF and Word, into a temporary folder."""
    root = copy_fixture(tmp_path_factory.mktemp("fixture") / "project")
    out = root / "dist"
    report = build(Options(root=root, out=out, strict=True))
    assert report.warnings == []
    return out


@pytest.fixture
def fixture_project(tmp_path) -> Path:
    """A throwaway copy of the fixture project that a test may break."""
    return copy_fixture(tmp_path / "project")


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """The shipped project built once, strictly, into a temporary folder."""
    out = tmp_path_factory.mktemp("dist")
    report = build(Options(root=ROOT, out=out, strict=True, formats=("html", "pdf")))
    assert report.warnings == []
    return out


@pytest.fixture
def project(tmp_path) -> Path:
    """A throwaway copy of the shipped project that a test may break."""
    return copy_project(tmp_path / "shipped")
