"""Shared fixtures.

Engine tests build ``tests/fixture/`` (a small project of their own) so that editing or
adding briefs and facts in the shipped project never breaks them:

- ``fixture_project``: a throwaway copy of the fixture project that a test may change;
- ``fixture_dist``: the fixture built once per session, strictly, HTML, PDF and Word.

The shipped project has two of its own, used by ``test_shipped.py`` (and kept for tests
that are about the shipped briefs):

- ``project``: a throwaway copy of the shipped project;
- ``dist``: the shipped project built once per session, strictly, HTML and PDF.

The suite runs in two pytest-xdist workers (``addopts`` in pyproject.toml); each session
build above is made once for both (``_once``), and every build of the run shares one cache
of subset fonts (``_shared_font_cache``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

# Temporary folders in memory where the machine has a tmpfs at /dev/shm (Linux), unless
# TMPDIR says otherwise: the tests copy a project and build into a fresh folder thousands
# of times, and the engine syncs every file it writes to disk. On the 2-core machine's
# ext4 a temporary project took 21 ms to make and remove against 1.7 ms on /dev/shm, and
# test_hostile.py with test_inputs.py ran in 41 s instead of 57 s. Set before pytest makes
# its temporary folder (this file is loaded first); subprocesses and workers inherit it.
if "TMPDIR" not in os.environ and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    os.environ["TMPDIR"] = "/dev/shm"
    tempfile.tempdir = None  # gettempdir() looks again

# Compiled modules kept, where the environment says not to write them
# (PYTHONDONTWRITEBYTECODE, as in some CI images and this machine's): otherwise each of the
# suite's ~200 `python3 build.py` subprocesses and each worker compiles the engine from
# source again, about 0.2 CPU-s a build. They go to a folder of their own in tests/.cache
# (ignored by git), never beside the sources nor into TMPDIR, where tests look for leftovers.
if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
    _prefix = Path(__file__).resolve().parent / ".cache" / "pycache"
    os.environ.pop("PYTHONDONTWRITEBYTECODE")
    os.environ["PYTHONPYCACHEPREFIX"] = str(_prefix)
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(_prefix)

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import ROOT, copy_fixture, copy_project  # noqa: E402

from policybrief.build.pipeline import Options, build  # noqa: E402
from policybrief.build.staging import file_lock  # noqa: E402

# The heaviest test files first. pytest-xdist gives each worker one whole file at a time
# (``--dist loadfile``, with ``--no-loadscope-reorder`` so that this order is kept instead
# of xdist's own, by number of tests, which put these few-but-long files last): a long
# file that starts last keeps one worker busy while the other has nothing left to do.
# Ranked by the seconds each file took on the 2-core machine (the session builds counted in
# the file that first asks for them). The first file builds the fixture (``fixture_dist``);
# the files after it that need no fixture build come before those that do, so that the
# other worker is not left waiting for it (the browser tests did, for about 30 s). A file
# not listed runs after these, in the usual order. A wrong order only costs time.
HEAVY_FIRST = (
    "test_fonts.py",  # the first to ask for fixture_dist: it builds it
    "test_install.py",  # builds a wheel, installs it into a venv, builds a new project
    "test_shipped.py",  # builds the shipped project (the session's ``dist``)
    "test_hostile.py",
    "test_browser.py",
    "test_hardening.py",
    "test_docs.py",  # runs every sh block of the README and the guides
    "test_incremental.py",
    "test_print.py",
    "test_proof.py",  # proofs a planted copy of one brief once; reads the fixture build back
    "test_serve.py",
    "test_code.py",  # mypy from a cold cache on a fresh checkout (CI): 13 s, not in the tail
    "test_properties.py",
    "test_cli.py",
    "test_docx.py",
    "test_inputs.py",
    "test_config.py",
    "test_theme.py",
    "test_walkthrough.py",
    "test_overflow.py",
    "test_figures.py",
    "test_editions.py",
    "test_images.py",
    "test_portable.py",  # PDF and font workers started by spawn
    "test_languages.py",
    "test_typography.py",
    "test_notes.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: files stay whole


def _once(tmp_path_factory, name: str, make) -> Path:
    """``make(folder)`` once for the whole run: in this process, or, when pytest-xdist runs
    the tests in several worker processes, in whichever worker asks first, while the
    others wait for it and then use the same folder (read-only, like every session
    fixture's). A build that failed is tried again by the next worker that asks."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, above each worker's
    folder, done = shared / name, shared / f"{name}.done"
    with file_lock(shared / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session", autouse=True)
def _shared_font_cache(tmp_path_factory):
    """One cache of subset faces for every build of the session, in-process or by
    subprocess (an environment variable: see fonts.py), instead of one per output folder:
    making them costs 1-3 s, and most tests build into a fresh folder. Tests about the
    per-folder cache itself remove the variable (``monkeypatch.delenv``)."""
    from policybrief.output.fonts import SHARED_CACHE

    folder = _once(tmp_path_factory, "font-cache", lambda folder: None)
    previous = os.environ.get(SHARED_CACHE)
    os.environ[SHARED_CACHE] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(SHARED_CACHE, None)
    else:
        os.environ[SHARED_CACHE] = previous


def _build_fixture(folder: Path) -> None:
    root = copy_fixture(folder / "project")
    report = build(Options(root=root, out=root / "dist", strict=True))
    assert report.warnings == []


@pytest.fixture(scope="session")
def fixture_dist(tmp_path_factory) -> Path:
    """The fixture project built once, strictly, HTML, PDF and Word, into a temporary folder."""
    return _once(tmp_path_factory, "fixture", _build_fixture) / "project" / "dist"


@pytest.fixture
def fixture_project(tmp_path) -> Path:
    """A throwaway copy of the fixture project that a test may break."""
    return copy_fixture(tmp_path / "project")


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Path:
    """The shipped project built once, strictly, into a temporary folder."""

    def make(out: Path) -> None:
        report = build(Options(root=ROOT, out=out, strict=True, formats=("html", "pdf")))
        assert report.warnings == []

    return _once(tmp_path_factory, "dist", make)


@pytest.fixture
def project(tmp_path) -> Path:
    """A throwaway copy of the shipped project that a test may break."""
    return copy_project(tmp_path / "shipped")
