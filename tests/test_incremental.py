"""Incremental, parallel and sharded builds, judged by what was rebuilt and what came out."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers import run_cli

from policybrief.build import Options, build


def statuses(report) -> dict[str, str]:
    return {w.path: w.status for w in report.written}


def digests(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".")
            and ".reports" not in p.parts}


HTML = dict(formats=("html",))


def test_unchanged_outputs_are_skipped_and_force_rebuilds(project, tmp_path):
    out = tmp_path / "out"
    first = build(Options(root=project, out=out, **HTML))
    assert set(statuses(first).values()) == {"built"}
    second = build(Options(root=project, out=out, **HTML))
    assert set(statuses(second).values()) == {"skipped"}
    forced = build(Options(root=project, out=out, force=True, **HTML))
    assert set(statuses(forced).values()) == {"built"}


def test_changing_one_fact_rebuilds_only_what_shows_it(project, tmp_path):
    out = tmp_path / "out"
    build(Options(root=project, out=out, **HTML))
    facts = project / "facts/bri.yaml"
    text = facts.read_text(encoding="utf-8")
    # forest.area is cited by the Belt and Road brief only
    marker = "  - id: forest.area\n"
    assert marker in text
    start = text.index(marker)
    # A value must match its quote, so the edit is to what the figure is called.
    label_at = text.index("      zh: 森林城市规划面积", start)
    facts.write_text(text[:label_at] + "      zh: 森林城市规划总面积"
                     + text[label_at + len("      zh: 森林城市规划面积"):], encoding="utf-8")
    report = build(Options(root=project, out=out, **HTML))
    rebuilt = {path for path, status in statuses(report).items() if status == "built"}
    assert rebuilt and all(path.startswith("bri/") for path in rebuilt), rebuilt
    assert "森林城市规划总面积" in (out / "bri/full-report.zh.html").read_text(encoding="utf-8")


def test_moving_a_fact_within_its_file_rebuilds_nothing(project, tmp_path):
    out = tmp_path / "out"
    build(Options(root=project, out=out, **HTML))
    facts = project / "facts/bri.yaml"
    facts.write_text("# a comment that shifts every line\n" + facts.read_text(encoding="utf-8"),
                     encoding="utf-8")
    report = build(Options(root=project, out=out, **HTML))
    assert set(statuses(report).values()) == {"skipped"}


def test_deleting_the_cache_is_safe(project, tmp_path):
    out = tmp_path / "out"
    build(Options(root=project, out=out, **HTML))
    before = digests(out)
    (out / ".policybrief-cache.json").unlink()
    report = build(Options(root=project, out=out, **HTML))
    assert set(statuses(report).values()) == {"built"}
    assert digests(out) == before


def test_a_deleted_output_is_rebuilt(project, tmp_path):
    out = tmp_path / "out"
    build(Options(root=project, out=out, **HTML))
    (out / "yunqi/full-report.en.html").unlink()
    report = build(Options(root=project, out=out, **HTML))
    assert {p for p, s in statuses(report).items() if s == "built"} == {
        "yunqi/full-report.en.html"}


def test_two_workers_give_the_same_pdfs_as_one(tmp_path):
    from helpers import ROOT

    picks = dict(briefs=("bri",), audiences=("decision-makers",))
    one = build(Options(root=ROOT, out=tmp_path / "one", jobs=1, **picks))
    two = build(Options(root=ROOT, out=tmp_path / "two", jobs=2, **picks))
    assert digests(tmp_path / "one") == digests(tmp_path / "two")
    assert len([w for w in two.written if w.format == "pdf" and w.status == "built"]) == 2
    assert len([w for w in one.written if w.format == "pdf"]) == 2


def test_shards_cover_every_output_once_and_index_assembles_them(project, tmp_path):
    out = tmp_path / "out"
    names = []
    for index in (1, 2, 3):
        result = run_cli("--project", str(project), "--out", str(out), "--format", "html",
                         "--shard", f"{index}/3", "--json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["shard"] == f"{index}/3"
        names += [w["path"] for w in report["written"]]
    assert len(names) == len(set(names)) == 22  # 2 briefs x 4 audiences x 2 languages + 3 rows x 2
    assert not (out / "index.html").exists()
    result = run_cli("index", "--project", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "from 3 shard reports" in result.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in names:
        assert f'href="{name}"' in index
    assert (out / "facts.html").is_file()


def test_json_report_and_progress_lines(project, tmp_path):
    result = run_cli("--project", str(project), "--out", str(tmp_path / "out"), "--brief", "bri",
                     "--audience", "decision-makers", "--lang", "en", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    pdf = next(w for w in report["written"] if w["format"] == "pdf")
    assert pdf["pages"] == 1 and pdf["status"] == "built" and pdf["size"] > 10_000
    result = run_cli("--project", str(project), "--out", str(tmp_path / "out2"), "--brief",
                     "bri", "--audience", "decision-makers")
    assert "2/2 PDFs, ETA 0 s: bri/decision-makers." in result.stderr
    assert "built 6, skipped 0 of 6 files" in result.stdout  # html, pdf, docx x 2
