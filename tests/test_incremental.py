"""Incremental, parallel and sharded builds, judged by what was rebuilt and what came out
(on the fixture project)."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import copy_fixture, run_cli

from policybrief.build.pipeline import Options, build, replay

HTML = dict(formats=("html",))
# Every HTML output of the fixture: qiaotou in five audiences and two languages, hexi in
# two audiences and three languages.
QIAOTOU = ("full-report", "decision-makers", "press", "print-edition", "field-card")
HEXI = ("full-report", "decision-makers")
ALL_HTML = {f"qiaotou/{a}.{lang}.html" for a in QIAOTOU for lang in ("zh", "en")} | {
    f"hexi/{a}.{lang}.html" for a in HEXI for lang in ("zh", "en", "zh-Hant")
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
    expected = {f"hexi/decision-makers.{lang}.pdf" for lang in ("zh", "en", "zh-Hant")}
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


# -- Rebuild precision: each kind of input, edited, rebuilds exactly the outputs showing it --

HEXI_HTML = {name for name in ALL_HTML if name.startswith("hexi/")}
# One PDF beside them, where it is cheap: the one-page note of hexi in English.
ONE_PDF = dict(briefs=("hexi",), audiences=("decision-makers",), langs=("en",), formats=("pdf",))
PDF = "hexi/decision-makers.en.pdf"


BRIEF_LANGS = {"qiaotou": ("zh", "en"), "hexi": ("zh", "en", "zh-Hant")}


def each(name: str) -> set[str]:
    """The HTML of one brief's audience in each of its languages ("hexi/full-report")."""
    return {f"{name}.{lang}.html" for lang in BRIEF_LANGS[name.split("/")[0]]}


FULL_TEXT = each("qiaotou/full-report") | each("qiaotou/print-edition")
THEME = "style/house.yaml"  # named in [tool.policybrief], outside every template folder


def _facts_file(root: Path, fact: str) -> Path:
    return next(
        p for p in (root / "facts").glob("*.yaml") if f"- id: {fact}\n" in p.read_text("utf-8")
    )


def _fact_field(fact: str, line: str) -> Callable[[Path], None]:
    """An edit that adds ``line`` (a field, indented) right after the fact's id line."""
    return lambda root: replace_in(
        _facts_file(root, fact), f"- id: {fact}\n", f"- id: {fact}\n    {line}\n"
    )


def _relabel(fact: str) -> Callable[[Path], None]:
    """A new English label for ``fact`` (its value would need its quote and source too)."""

    def edit(root: Path) -> None:
        path = _facts_file(root, fact)
        text = path.read_text(encoding="utf-8")
        start = text.index(f"- id: {fact}\n")
        at = text.index("en: ", text.index("label:", start)) + len("en: ")
        path.write_text(text[:at] + "(edited) " + text[at:], encoding="utf-8")

    return edit


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda root: replace_in(root / name, old, new)


def _repaint(root: Path) -> None:
    """The image in hexi's prose, one pixel changed (same name, same size)."""
    from PIL import Image

    path = root / "briefs/hexi/riverside-plan.png"
    with Image.open(path) as image:
        image.load()
        changed = image.copy()
    changed.putpixel((0, 0), (changed.getpixel((0, 0)) + 1) % 256)
    changed.save(path)


# (the edit, the outputs that show what it edits)
EDITS = {
    # cited in the first paragraph of hexi's background: every hexi output prints it
    "fact in a lead": (_relabel("hexi.plan.published"), HEXI_HTML | {PDF}),
    # cited after the lead of qiaotou's measures: only the full-text audiences print it
    "fact after the lead": (_relabel("qiaotou.fund.cap"), FULL_TEXT),
    # drawn in hexi's residents chart only: the note for decision-makers draws no chart
    "chart's fact": (_relabel("hexi.residents.2015"), each("hexi/full-report")),
    "fact's note": (
        # (the zh-Hant words are ones the project has: a new character changes the subset
        # faces, and so every PDF)
        _fact_field(
            "qiaotou.fund.cap",
            "note: {zh: 以股权投资为主, en: mostly as equity, zh-Hant: 以投資為主}",
        ),
        FULL_TEXT,
    ),
    # every hexi fact comes from it
    "source": (
        _replace("facts/sources.yaml", "number: HX-2018-07", "number: HX-2018-08"),
        HEXI_HTML | {PDF},
    ),
    # hexi.area, a key figure of every hexi output, is the only fact in square kilometres
    "unit": (
        _replace("facts/units.yaml", "en: [square kilometre, square kilometres]", "en: [km², km²]"),
        HEXI_HTML | {PDF},
    ),
    # the press release's own template
    "template": (
        _replace(
            "templates/press.html",
            '{% extends "base.html" %}',
            '{% extends "base.html" %}{# edited #}',
        ),
        each("qiaotou/press"),
    ),
    "theme named in settings": (
        _replace(THEME, 'accent: "#1d4e89"', 'accent: "#7a1f1f"'),
        ALL_HTML | {PDF},
    ),
    # the Chinese catalog: every Chinese page, no English one
    "catalog": (
        _replace(
            "templates/locales/zh/LC_MESSAGES/messages.po", 'msgstr "资料来源"', 'msgstr "来源"'
        ),
        {name for name in ALL_HTML if name.endswith(".zh.html")},
    ),
    # in a later paragraph of hexi's background: only the full report prints it
    "image in prose": (_repaint, each("hexi/full-report")),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture project with a theme file named in its settings, built: every HTML
    output and one PDF."""
    folder = tmp_path_factory.mktemp("precision")
    root = copy_fixture(folder / "project")
    (root / THEME).parent.mkdir()
    (root / THEME).write_text('colors: {accent: "#1d4e89"}\n', encoding="utf-8")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as settings:
        settings.write(f'theme = "{THEME}"\n')
    out = folder / "out"
    assert rebuilt(build(Options(root=root, out=out, **HTML))) == ALL_HTML
    assert rebuilt(build(Options(root=root, out=out, **ONE_PDF))) == {PDF}
    return root, out


@pytest.mark.parametrize("kind", list(EDITS))
def test_an_edit_rebuilds_exactly_the_outputs_that_show_it(built, tmp_path, kind):
    """Edit one input of one kind; exactly the outputs that show it are built again and
    every other is skipped, and the no-op check (which skips even loading) sees the edit."""
    edit, expected = EDITS[kind]
    root = shutil.copytree(built[0], tmp_path / "project")
    out = shutil.copytree(built[1], tmp_path / "out")
    runs = [Options(root=root, out=out, **HTML), Options(root=root, out=out, **ONE_PDF)]
    for options in runs:  # in the copy, nothing to do: no key holds where the project is
        assert rebuilt(build(options)) == set()
        assert replay(options) is not None
    edit(root)
    assert [replay(options) for options in runs] == [None, None], "the no-op check missed it"
    reports = [build(options) for options in runs]
    assert set(statuses(reports[0])) == ALL_HTML and set(statuses(reports[1])) == {PDF}
    assert rebuilt(reports[0]) | rebuilt(reports[1]) == expected
