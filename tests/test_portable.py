"""Portable: nothing Linux-only without a fallback. The PDF and font workers run under the
``spawn`` start method (Windows' only one, macOS's default), locks come from filelock, and
a template render is bounded in time where there is no SIGALRM."""

from __future__ import annotations

import time

import pytest
from helpers import pdf_pages, squash

from policybrief.build.pipeline import Options, build
from policybrief.core import patches
from policybrief.core.starts import START_METHOD, start_context
from policybrief.output import fonts


def test_pdf_workers_run_under_spawn(fixture_project, tmp_path, monkeypatch):
    monkeypatch.setenv(START_METHOD, "spawn")
    assert start_context().get_start_method() == "spawn"
    out = tmp_path / "out"
    build(
        Options(
            root=fixture_project,
            out=out,
            briefs=("qiaotou",),
            audiences=("decision-makers",),
            formats=("pdf",),
            jobs=2,
        )
    )
    for lang, words in (("en", "Qiaotou"), ("zh", "桥头")):
        text = squash(" ".join(pdf_pages(out / "qiaotou" / f"decision-makers.{lang}.pdf")))
        assert words in text


def test_font_workers_run_under_spawn(tmp_path, monkeypatch):
    monkeypatch.setenv(START_METHOD, "spawn")
    monkeypatch.delenv(fonts.SHARED_CACHE)  # make the faces here, in two spawned workers
    two = fonts.system_faces()[:2]
    made = fonts.prepare(tmp_path / "out", "桥头Qiaotou", two)
    assert all((made.folder / face.file).stat().st_size > 0 for face in made.faces)


def test_a_render_is_bounded_in_time_without_sigalrm():
    started = time.perf_counter()
    with pytest.raises(patches.TooSlow, match="longer than 0.3 s"):
        with patches._watchdog(0.3, "rendering took longer than 0.3 s"):
            while True:
                pass
    assert time.perf_counter() - started < 5
    with patches._watchdog(5, "never"):  # a render that ends in time is left alone
        sum(range(1000))


def test_bounded_keeps_time_alone_where_memory_cannot_be_limited(monkeypatch):
    monkeypatch.setattr(patches, "resource", None)
    with pytest.raises(patches.TooSlow):
        with patches.bounded(0.3, 10**6):
            while True:
                pass
