"""The engine leaves this repository: a wheel built from it, installed into a fresh virtual
environment, gives the ``policybrief`` command; ``policybrief new project office`` in an
empty folder elsewhere, then ``policybrief check --strict`` and ``policybrief`` there,
build HTML, PDF and Word with no file of this repository beside them.

The virtual environment is made with ``--system-site-packages`` so that it reuses the
pinned dependencies scripts/setup.sh installed (WeasyPrint and the rest; installing them
again would fetch them from the network for every run). What it must not see is this
repository: the wheel is installed into the environment's own site-packages, which come
before the system's on sys.path, the commands run with no PYTHONPATH from a folder
outside the repository, and the test asserts where ``policybrief`` was imported from.
One build, the project's whole default build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from helpers import ROOT, parse_html, pdf_pages, squash, text_of

# What a wheel is built from: the package, its built-in templates and the build files.
PARTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "policybrief", "templates")


def _run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def _wheel(tmp_path: Path, env: dict[str, str]) -> Path:
    """Build the wheel from a copy of the repository's package files (pip builds in the
    source tree; the copy keeps build/ and egg-info out of the repository)."""
    source = tmp_path / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.egg-info")
    for part in PARTS:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, source / part, ignore=ignore)
        else:
            shutil.copy2(ROOT / part, source / part)
    wheels = tmp_path / "wheels"
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check")
    _run(*pip, "wheel", "--no-deps", "-q", str(source), "-w", wheels, cwd=tmp_path, env=env)
    (wheel,) = wheels.glob("policybrief-*.whl")
    return wheel


def test_wheel_installs_a_command_that_makes_and_builds_a_project(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    wheel = _wheel(tmp_path, env)
    names = zipfile.ZipFile(wheel).namelist()
    for inside in (
        "policybrief/templates/base.html",
        "policybrief/templates/audiences.yaml",
        "policybrief/templates/locales/zh/LC_MESSAGES/messages.po",
        "policybrief/templates/_partials/base.css",
        "policybrief/csl/chicago-author-date.csl",
        "policybrief/skeleton/briefs/characteristic-towns/sources/yunqi-case.txt",
    ):
        assert inside in names, inside
    assert not any(n.startswith(("briefs/", "facts/", "tests/")) for n in names)

    venv = tmp_path / "venv"
    # No pip of its own (ensurepip took 4 s); this one's pip installs into it (--python).
    _run(
        sys.executable,
        "-m",
        "venv",
        "--system-site-packages",
        "--without-pip",
        venv,
        cwd=tmp_path,
        env=env,
    )
    binary = venv / ("Scripts" if os.name == "nt" else "bin")
    python = binary / "python"
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python)
    _run(*pip, "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp_path, env=env)
    where = _run(
        python, "-c", "import policybrief; print(policybrief.__file__)", cwd=tmp_path, env=env
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    work = tmp_path / "elsewhere"
    work.mkdir()
    command = binary / "policybrief"
    made = _run(command, "new", "project", "office", cwd=work, env=env)
    office = work / "office"
    assert "policybrief check --strict" in made.stdout
    for name in (".gitignore", ".github/workflows/brief.yml", "pyproject.toml"):
        assert (office / name).is_file(), name
    assert "policybrief check --strict" in (office / ".github/workflows/brief.yml").read_text()
    checked = _run(command, "check", "--strict", cwd=office, env=env)
    assert "0 warnings" in checked.stdout
    _run(command, "-q", cwd=office, env=env)

    dist = office / "dist" / "characteristic-towns"
    for lang in ("zh", "en"):
        for audience in ("full-report", "decision-makers"):
            for fmt in ("html", "pdf", "docx"):
                assert (dist / f"{audience}.{lang}.{fmt}").is_file(), f"{audience}.{lang}.{fmt}"
    # What a reader sees: the figure proven from the brief's own source, in each format.
    html = text_of(parse_html(dist / "full-report.en.html"))
    assert "1,000 towns" in html
    assert "约1000个" in squash(" ".join(pdf_pages(dist / "full-report.zh.pdf")))
    with zipfile.ZipFile(dist / "full-report.en.docx") as docx:
        assert "1,000 towns" in docx.read("word/document.xml").decode("utf-8")
