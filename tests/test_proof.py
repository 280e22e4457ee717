"""The proof step (``check --proof``): each kind of defect, planted in a copy of the
fixture, is reported on its output and page with the input line that made it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policybrief.build.proof import KINDS, ProofFinding, Sources, _line_start_markers
from policybrief.cli.main import main
from policybrief.output.readback import PdfLine, PdfPage

FINDING = re.compile(r"^(?P<output>\S+?)(?::(?P<page>\d+))?: (?P<kind>[a-z0-9-]+): (?P<seen>.*)$")


def plant(root: Path) -> dict[str, int]:
    """Plant every kind the fixture can show; returns the planted prose lines."""
    en = root / "briefs" / "hexi" / "en.md"
    lines = en.read_text(encoding="utf-8").splitlines()
    at = lines.index("# outcomes") - 1  # a paragraph of its own at the end of measures
    lines[at:at] = ["", 'The the riverside "path" was finished first, TODO: its length.']
    en.write_text("\n".join(lines) + "\n", encoding="utf-8")
    zh = root / "briefs" / "hexi" / "zh.md"
    zh_lines = zh.read_text(encoding="utf-8").splitlines()
    zh_at = zh_lines.index("# outcomes") - 1
    zh_lines[zh_at:zh_at] = ["", "滨水步道(一期)先于住宅建成。"]
    zh.write_text("\n".join(zh_lines) + "\n", encoding="utf-8")
    css = root / "templates" / "_partials"
    base = (css / "base.css").read_text(encoding="utf-8")
    base = base.replace("string(section, start)", "string(section)")  # the first on a page
    base = base.replace("@page single { @bottom-right { content: none; } }", "")  # 1 of 1
    (css / "base.css").write_text(base, encoding="utf-8")
    report = (css / "full-report.css").read_text(encoding="utf-8")
    report = re.sub(r"@page :first \{.*?\n\}", "", report, flags=re.S)  # a folio on the cover
    report += "@media print { .section-measures, .section-outcomes { break-before: page; } }\n"
    (css / "full-report.css").write_text(report, encoding="utf-8")
    return {"en": at + 2, "zh": zh_at + 2}


def run_proof(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, str]]]:
    code = main(
        [
            "check",
            "--proof",
            "--brief",
            "hexi",
            "--audience",
            "full-report",
            "--audience",
            "decision-makers",
            "--quiet",
        ],
        default_root=root,
    )
    out = capsys.readouterr().out.splitlines()
    found = [m.groupdict() for line in out if (m := FINDING.match(line))]
    return code, found


def test_each_planted_kind_is_reported_at_its_line(fixture_project, capsys):
    planted = plant(fixture_project)
    code, found = run_proof(fixture_project, capsys)
    assert code == 1

    def where(kind: str, output: str) -> set[str]:
        return {f["seen"] for f in found if f["kind"] == kind and f["output"] == output}

    en_line = f"(briefs/hexi/en.md:{planted['en']})"
    zh_line = f"(briefs/hexi/zh.md:{planted['zh']})"
    for output in (
        "hexi/full-report.en.html",
        "hexi/full-report.en.pdf",
        "hexi/full-report.en.docx",
    ):
        assert any(s.endswith(en_line) and "The the" in s for s in where("stutter", output)), output
        # the planted "path" is set as “path” by the typesetter (render/typography.py), so
        # the proof has no straight quotes to report at that line
        assert not any(s.endswith(en_line) for s in where("straight-quotes", output)), output
    for output in ("hexi/full-report.en.pdf", "hexi/full-report.en.docx"):
        assert any(s.endswith(en_line) for s in where("curator-words", output)), output
    assert not where("curator-words", "hexi/full-report.en.html")  # screen text: not printed
    for output in ("hexi/full-report.zh.html", "hexi/full-report.zh.pdf"):
        # the typesetter sets the planted half-width brackets full-width beside Han
        assert not any(s.endswith(zh_line) for s in where("half-width-brackets", output)), output
    # "in September 2014" then its note marker: the typesetter moves the marker past the
    # clause, so the proof finds no marker on a bare number there
    assert not any(
        s.endswith("(briefs/hexi/en.md:12)")
        for s in where("note-after-number", "hexi/full-report.en.html")
    )
    pdf = [f for f in found if f["output"] == "hexi/full-report.en.pdf"]
    layout = {(f["kind"], f["page"]) for f in pdf}
    assert ("cover-folio", "1") in layout
    assert any(f["kind"] == "running-head" and "_partials/base.css:" in f["seen"] for f in pdf)
    short = [f for f in pdf if f["kind"] == "short-page"]
    assert any("before 'Outcomes'" in f["seen"] for f in short)
    assert any(
        f["kind"] == "page-1-of-1" and f["page"] == "1" and "(templates/base.html:" in f["seen"]
        for f in found
        if f["output"] == "hexi/decision-makers.en.pdf"
    )


def test_the_fixture_as_shipped_has_no_layout_findings(fixture_project, capsys):
    """What the templates fix (heads, covers, one-pagers, short pages) is not reported."""
    _code, found = run_proof(fixture_project, capsys)
    layout = {"short-page", "running-head", "cover-folio", "page-1-of-1"}
    assert [f for f in found if f["kind"] in layout] == []


def test_a_note_marker_at_a_line_start_is_reported(fixture_project):
    from policybrief.build.pipeline import load_and_check
    from policybrief.build.plan import Options

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


def test_every_kind_is_documented():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "proof.md").read_text("utf-8")
    for kind in KINDS:
        assert f"`{kind}`" in docs, kind
    assert str(ProofFinding("a/b.pdf", 2, "stutter", "'x x'", "f.md:3")) == (
        "a/b.pdf:2: stutter: 'x x' (f.md:3)"
    )
