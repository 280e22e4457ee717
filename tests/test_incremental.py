"""Incremental, parallel and sharded builds, judged by what was rebuilt and what came out
(on the fixture project)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from helpers import run_cli

from policybrief.build.pipeline import Options, build, replay

HTML = dict(formats=("html",))
# Every HTML output of the fixture: qiaotou in five audiences, hexi in two, two languages.
QIAOTOU = ("full-report", "decision-makers", "press", "print-edition", "field-card")
HEXI = ("full-report", "decision-makers")
ALL_HTML = {f"qiaotou/{a}.{lang}.html" for a in QIAOTOU for lang in ("zh", "en")} | {
    f"hexi/{a}.{lang}.html" for a in HEXI for lang in ("zh", "en")
}


def statuses(report) -> dict[str, str]:
    return {w.path: w.status for w in report.written}


def rebuilt(report) -> set[str]:
    return {path for path, status in statuses(report).items() if status == "built"}


def digests(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and ".reports" not in p.parts
    }


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_unchanged_outputs_are_skipped_and_force_rebuilds(fixture_project, tmp_path):
    out = tmp_path / "out"
    first = build(Options(root=fixture_project, out=out, **HTML))
    assert set(statuses(first)) == ALL_HTML and rebuilt(first) == ALL_HTML
    second = build(Options(root=fixture_project, out=out, **HTML))
    assert rebuilt(second) == set()
    forced = build(Options(root=fixture_project, out=out, force=True, **HTML))
    assert rebuilt(forced) == ALL_HTML


def test_changing_one_fact_rebuilds_exactly_the_outputs_that_show_it(fixture_project, tmp_path):
    """qiaotou.fund.cap is cited only in a paragraph after the lead of "measures": the
    full-text audiences show it; the one-page note, the press release and the field card,
    which print only each section's first paragraph, do not. Rebuilding any of those would
    fail this test, and so would missing one that shows it."""
    out = tmp_path / "out"
    build(Options(root=fixture_project, out=out, **HTML))
    before = digests(out)
    # A correction: the source now says 200万, and the fact follows it (value and quote).
    replace_in(fixture_project / "sources/qiaotou.txt", "最高可获得100万元", "最高可获得200万元")
    replace_in(
        fixture_project / "facts/qiaotou.yaml", "    value: 1000000\n", "    value: 2000000\n"
    )
    replace_in(fixture_project / "facts/qiaotou.yaml", "最高可获得100万元", "最高可获得200万元")
    report = build(Options(root=fixture_project, out=out, **HTML))
    after = digests(out)
    changed = {name for name in ALL_HTML if before[name] != after[name]}
    expected = {
        f"qiaotou/{a}.{lang}.html"
        for a in ("full-report", "print-edition")
        for lang in ("zh", "en")
    }
    assert rebuilt(report) == expected
    assert changed == expected
    for lang, figure in (("zh", "最高200万元"), ("en", "up to CNY 2 million")):
        assert figure in (out / f"qiaotou/full-report.{lang}.html").read_text(encoding="utf-8")


def test_editing_a_later_paragraph_rebuilds_only_the_full_text_of_that_language(
    fixture_project, tmp_path
):
    out = tmp_path / "out"
    build(Options(root=fixture_project, out=out, **HTML))
    replace_in(
        fixture_project / "briefs/qiaotou/en.md", "None of this is new;", "Nothing here is new;"
    )
    report = build(Options(root=fixture_project, out=out, **HTML))
    assert rebuilt(report) == {"qiaotou/full-report.en.html", "qiaotou/print-edition.en.html"}
    assert "Nothing here is new;" in (out / "qiaotou/full-report.en.html").read_text("utf-8")


def test_moving_a_fact_within_its_file_rebuilds_nothing(fixture_project, tmp_path):
    out = tmp_path / "out"
    build(Options(root=fixture_project, out=out, **HTML))
    facts = fixture_project / "facts/qiaotou.yaml"
    facts.write_text(
        "# a comment that shifts every line\n" + facts.read_text(encoding="utf-8"), encoding="utf-8"
    )
    report = build(Options(root=fixture_project, out=out, **HTML))
    assert rebuilt(report) == set()


def test_deleting_the_cache_is_safe(fixture_project, tmp_path):
    out = tmp_path / "out"
    build(Options(root=fixture_project, out=out, **HTML))
    before = digests(out)
    (out / ".policybrief-cache.json").unlink()
    report = build(Options(root=fixture_project, out=out, **HTML))
    assert rebuilt(report) == ALL_HTML
    assert digests(out) == before


def test_a_deleted_output_is_rebuilt(fixture_project, tmp_path):
    out = tmp_path / "out"
    build(Options(root=fixture_project, out=out, **HTML))
    (out / "qiaotou/full-report.en.html").unlink()
    report = build(Options(root=fixture_project, out=out, **HTML))
    assert rebuilt(report) == {"qiaotou/full-report.en.html"}


def test_two_workers_give_the_same_pdfs_as_one(fixture_project, tmp_path):
    picks = dict(briefs=("hexi",), audiences=("decision-makers",), formats=("pdf",))
    one = build(Options(root=fixture_project, out=tmp_path / "one", jobs=1, **picks))
    two = build(Options(root=fixture_project, out=tmp_path / "two", jobs=2, **picks))
    assert digests(tmp_path / "one") == digests(tmp_path / "two")
    expected = {f"hexi/decision-makers.{lang}.pdf" for lang in ("zh", "en")}
    assert rebuilt(one) == rebuilt(two) == expected


def test_shards_cover_every_output_once_and_index_assembles_them(fixture_project, tmp_path):
    out = tmp_path / "out"
    names = []
    for index in (1, 2, 3):
        result = run_cli(
            "--project",
            str(fixture_project),
            "--out",
            str(out),
            "--format",
            "html",
            "--shard",
            f"{index}/3",
            "--json",
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["shard"] == f"{index}/3"
        names += [w["path"] for w in report["written"]]
    assert sorted(names) == sorted(ALL_HTML)
    assert not (out / "index.html").exists()
    result = run_cli("index", "--project", str(fixture_project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "from 3 shard reports" in result.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in names:
        assert f'href="{name}"' in index
    assert (out / "facts.html").is_file()


@pytest.mark.parametrize(
    ("report", "line", "message"),
    [
        ('{"written": [\n  {"path": "a.html"\n', 3, "not a shard report: Expecting"),
        ('["a.html"]', 1, "not a shard report: no 'written' list"),
        ('{"written": [{"path": "../../secret.html"}]}', 1, "shard report names an output"),
    ],
    ids=["truncated", "wrong shape", "outside the folder"],
)
def test_index_refuses_a_broken_shard_report_and_writes_nothing(
    fixture_project, tmp_path, report, line, message
):
    out = tmp_path / "out"
    (out / ".reports").mkdir(parents=True)
    (out / ".reports" / "shard-1-of-2.json").write_text(report, encoding="utf-8")
    (tmp_path / "secret.html").write_text("<p>not the site's</p>", encoding="utf-8")
    result = run_cli("index", "--project", str(fixture_project), "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    shown = f"{out}/.reports/shard-1-of-2.json:{line}: {message}"
    assert shown in result.stderr, result.stderr
    assert "(build that shard again" in result.stderr
    assert not (out / "index.html").exists() and not (out / "facts.html").exists()


def test_after_sharded_builds_are_merged_the_next_build_redoes_nothing(fixture_project, tmp_path):
    """Each shard builds into its own folder (as on separate machines); the folders are
    gathered into one, `index` merges the shards' caches, and a full build there then skips
    every output."""
    merged = tmp_path / "merged"
    for index in (1, 2):
        shard_out = tmp_path / f"shard{index}"
        result = run_cli(
            "--project",
            str(fixture_project),
            "--out",
            str(shard_out),
            "--format",
            "html",
            "--shard",
            f"{index}/2",
            "--quiet",
        )
        assert result.returncode == 0, result.stderr
        gather(shard_out, merged)
    result = run_cli("index", "--project", str(fixture_project), "--out", str(merged))
    assert result.returncode == 0, result.stderr
    report = build(Options(root=fixture_project, out=merged, **HTML))
    assert set(statuses(report)) == ALL_HTML
    assert rebuilt(report) == set()


def gather(source: Path, dest: Path) -> None:
    """Copy a shard's folder into the merged one, as an artifact download would: later
    files of the same name (each shard's cache) replace earlier ones."""
    for path in source.rglob("*"):
        if path.is_file():
            target = dest / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())


def test_json_report_and_progress_lines(fixture_project, tmp_path):
    result = run_cli(
        "--project",
        str(fixture_project),
        "--out",
        str(tmp_path / "out"),
        "--brief",
        "hexi",
        "--audience",
        "decision-makers",
        "--lang",
        "en",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    pdf = next(w for w in report["written"] if w["format"] == "pdf")
    assert pdf["pages"] == 1 and pdf["status"] == "built" and pdf["size"] > 10_000
    result = run_cli(
        "--project",
        str(fixture_project),
        "--out",
        str(tmp_path / "out2"),
        "--brief",
        "hexi",
        "--audience",
        "decision-makers",
        "--lang",
        "zh",
    )
    assert "1/1 PDFs, ETA 0 s: hexi/decision-makers.zh.pdf" in result.stderr.splitlines()
    assert "built 3, skipped 0 of 3 files" in result.stdout  # html, pdf and docx


def test_source_date_epoch_is_not_an_input(fixture_project, tmp_path, monkeypatch):
    """No output prints the clock or SOURCE_DATE_EPOCH (tests/test_print.py), so setting it
    leaves a finished build finished: the no-op check replays it."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    options = Options(root=fixture_project, out=tmp_path / "out", **HTML)
    build(options)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    assert replay(options) is not None
