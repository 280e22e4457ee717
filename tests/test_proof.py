"""The proof step (``check --proof``): each kind of defect, planted in a copy of the
fixture where the typesetter cannot fix it, is reported on its output and page with the
input line that planted it; what the typesetter does fix is not reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policybrief.build.pipeline import load_and_check
from policybrief.build.plan import Options
from policybrief.build.proof import (
    KINDS,
    ProofFinding,
    Sources,
    _line_start_markers,
    inspect,
    proof,
)
from policybrief.output.readback import PdfLine, PdfPage, read_pdf
from tests.helpers import copy_fixture

TEXT_KINDS = {"stutter", "half-width-brackets", "straight-quotes", "curator-words"}
LAYOUT_KINDS = {"short-page", "running-head", "cover-folio", "page-1-of-1"}
COVER_RULE = re.compile(r"@page :first \{.*?\n\}", re.S)


def _insert(path: Path, before: str, new: str) -> int:
    """``new`` as a paragraph of its own before the line ``before``; its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index(before) - 1
    lines[at:at] = ["", new]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 2


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def plant(root: Path) -> dict[str, str]:
    """Plant every kind the fixture can show; returns what -> the planted ``file:line``."""
    brief = root / "briefs" / "hexi"
    # prose: the stutter and the curator's word stay as written; the straight quotes and
    # the half-width brackets are set right by the typesetter (render/typography.py)
    en = _insert(
        brief / "en.md",
        "# outcomes",
        'The the riverside "path" was finished first, TODO: its length.',
    )
    zh = _insert(brief / "zh.md", "# outcomes", "滨水步道(一期)先于住宅建成。")
    css = root / "templates" / "_partials"
    base = (css / "base.css").read_text(encoding="utf-8")
    base = base.replace("string(section, start)", "string(section)")  # the first on a page
    base = base.replace("@page single { @bottom-right { content: none; } }", "")  # 1 of 1
    (css / "base.css").write_text(base, encoding="utf-8")
    report = COVER_RULE.sub("", (css / "full-report.css").read_text(encoding="utf-8"))
    report += "@media print { .section-measures, .section-outcomes { break-before: page; } }\n"
    # a template's literal text that no typesetter reaches: CSS generated content
    report += '.cover .kicker::before { content: "the town\'s file: "; }\n'
    report += '.cover .kicker::after { content: " (附录)"; }\n'
    (css / "full-report.css").write_text(report, encoding="utf-8")
    # a note marker after a bare number inside a quotation, which the typesetter keeps as
    # it is (verbatim), in a template's literal text
    page = root / "templates" / "full-report.html"
    anchor = '  <div class="cover-summary">{{ brief.summary }}</div>\n'
    quote = '<p class="epigraph"><q>planned in full in 2016<sup class="cite">9</sup></q></p>\n'
    page.write_text(page.read_text("utf-8").replace(anchor, anchor + quote), "utf-8")
    report_css, base_css = "templates/_partials/full-report.css", "templates/_partials/base.css"
    layout = "templates/base.html"
    lines = {
        (report_css, "quote"): "the town's file",
        (report_css, "bracket"): "附录",
        ("templates/full-report.html", "marker"): "epigraph",
        (base_css, "head"): "string(section",
        (layout, "folio"): "@bottom-right",
        (layout, "pages"): "Page %(page)s",
        (layout, "title"): '_("Outcomes")',
    }
    where = {"en": f"briefs/hexi/en.md:{en}", "zh": f"briefs/hexi/zh.md:{zh}"}
    for (path, name), needle in lines.items():
        where[name] = f"{path}:{_line_of(root / path, needle)}"
    return where


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], list[ProofFinding]]:
    """The planted copy, proofed once (hexi's full report and one-page note, en and zh)
    for every test of this module."""
    root = copy_fixture(tmp_path_factory.mktemp("proof") / "project")
    where = plant(root)
    options = Options(
        root=root,
        briefs=("hexi",),
        audiences=("full-report", "decision-makers"),
        langs=("en", "zh"),
    )
    project, _problems = load_and_check(options)
    return where, proof(project, options)


def _at(found: list[ProofFinding], kind: str, output: str) -> list[ProofFinding]:
    return [f for f in found if f.kind == kind and f.output == f"hexi/{output}"]


@pytest.mark.parametrize(
    ("kind", "output", "planted_at", "page"),
    [
        ("stutter", "full-report.en.html", "en", 0),
        ("stutter", "full-report.en.pdf", "en", None),
        ("stutter", "full-report.en.docx", "en", 0),
        ("curator-words", "full-report.en.pdf", "en", None),
        ("curator-words", "full-report.en.docx", "en", 0),
        ("straight-quotes", "full-report.en.pdf", "quote", 1),
        ("half-width-brackets", "full-report.zh.pdf", "bracket", 1),
        ("note-after-number", "full-report.en.html", "marker", 0),
        ("running-head", "full-report.en.pdf", "head", None),
        ("cover-folio", "full-report.en.pdf", "folio", 1),
        ("page-1-of-1", "decision-makers.en.pdf", "pages", 1),
    ],
)
def test_each_kind_is_reported_at_the_planted_line(planted, kind, output, planted_at, page):
    where, found = planted
    at = _at(found, kind, output)
    assert any(f.source == where[planted_at] for f in at), (kind, output, at)
    if page is not None:
        assert any(f.page == page for f in at if f.source == where[planted_at])


def test_what_the_typesetter_fixes_is_not_reported(planted):
    """The straight quotes and half-width brackets planted in prose, and every note marker
    the prose puts after a number, come out right, so the proof finds none there."""
    where, found = planted
    for output in ("full-report.en.html", "full-report.en.pdf", "full-report.en.docx"):
        assert not any(f.source == where["en"] for f in _at(found, "straight-quotes", output))
    for output in ("full-report.zh.html", "full-report.zh.pdf", "full-report.zh.docx"):
        assert not any(f.source == where["zh"] for f in _at(found, "half-width-brackets", output))
    markers = _at(found, "note-after-number", "full-report.en.html")
    assert [f.source for f in markers] == [where["marker"]]  # only the verbatim one
    assert not _at(found, "curator-words", "full-report.en.html")  # screen text: not printed


def test_a_page_left_short_by_a_forced_break_is_reported(planted):
    """A short page names the input of the block that could have filled it: here the
    section title the templates print."""
    where, found = planted
    short = _at(found, "short-page", "full-report.en.pdf")
    assert [f.source for f in short if "before 'Outcomes'" in f.seen] == [where["title"]]


def test_the_fixture_as_built_has_no_findings(fixture_dist):
    """The session's build of the fixture, read back (no build of its own): no layout
    kind, and no text kind in any Word edition, whose notes the engine composes."""
    project, _problems = load_and_check(Options(root=fixture_dist.parent))
    found = inspect(project, fixture_dist)
    assert [f for f in found if f.kind in LAYOUT_KINDS] == []
    word = [f for f in found if f.output.endswith(".docx")]
    assert word == []
    # the print edition's HTML sets each footnote inline in its paragraph (the PDF floats
    # it to the foot), so a claim's label runs into the note that repeats it: reported
    inline = [f for f in found if ".html" in f.output and "print-edition" in f.output]
    assert {f.kind for f in inline} <= {"stutter"}
    assert [f for f in found if f.kind in TEXT_KINDS and f not in inline] == []


def test_a_note_marker_at_a_line_start_is_reported(fixture_project):
    project, _problems = load_and_check(Options(root=fixture_project))
    sources = Sources(project, "hexi", "en")
    page = PdfPage(3, 842.0, width=595.0)
    page.lines = [
        PdfLine(500.0, 10.5, "riverside path, finished before the", 10.5),
        PdfLine(485.0, 10.5, "4 neighbouring housing land was sold", 6.8),
    ]
    found = list(_line_start_markers("hexi/full-report.en.pdf", page, sources))
    assert [(f.kind, f.page, f.source) for f in found] == [
        ("note-at-line-start", 3, "briefs/hexi/en.md:28")
    ]


def test_the_input_line_is_the_seen_lines_not_the_next(fixture_project):
    """A finding's input line comes from the text at the finding, not from a longer run
    of words on the PDF's next line, which another input made."""
    project, _problems = load_and_check(Options(root=fixture_project))
    sources = Sources(project, "hexi", "en")
    block = (
        "The town's record in brief\n"
        "A continuous riverside path was finished before the neighbouring housing land"
    )
    start = block.index("n's")
    assert sources.find_at(block, start, start + 3) == ""  # no input holds the first line
    css = project.root / "templates" / "_partials" / "full-report.css"
    css.write_text(css.read_text("utf-8") + "/* the town's record in brief */\n", "utf-8")
    sources = Sources(project, "hexi", "en")
    line = css.read_text("utf-8").count("\n")
    assert sources.find_at(block, start, start + 3) == f"templates/_partials/full-report.css:{line}"


def test_a_page_in_two_columns_is_read_a_column_at_a_time(fixture_dist):
    """The one-page note sets its notes in two columns: its lines are read down the first
    column, then the second, not across (which made "Jia\\nZhencheng" a stutter)."""
    pages, _headings = read_pdf((fixture_dist / "hexi" / "decision-makers.en.pdf").read_bytes())
    columns = [line.column for line in pages[0].lines]
    assert 1 in columns
    text = pages[0].text
    notes = text[text.index("Sources") :]
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", notes, re.M)]
    assert numbers == sorted(numbers) and len(numbers) >= 2


def test_every_kind_is_documented():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "proof.md").read_text("utf-8")
    for kind in KINDS:
        assert f"`{kind}`" in docs, kind
    assert str(ProofFinding("a/b.pdf", 2, "stutter", "'x x'", "f.md:3")) == (
        "a/b.pdf:2: stutter: 'x x' (f.md:3)"
    )
