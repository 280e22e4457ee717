"""The printed edition, read back from the PDF files (the fixture project, built once)."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT, pdf_pages, pdf_reader, squash

OUTPUTS = [
    (b, a, lang)
    for b in ("qiaotou", "hexi")
    for a in ("full-report", "decision-makers")
    for lang in ("zh", "en")
]
TITLES = {
    "zh": ["背景", "举措", "成效", "启示"],
    "en": ["Background", "Measures", "Outcomes", "Lessons"],
}
FOOTER = {"zh": "第{page}页，共{pages}页", "en": "Page{page}of{pages}"}
DOC_TITLE = {
    "qiaotou": {"zh": "桥头镇", "en": "Qiaotou"},
    "hexi": {"zh": "河西新城", "en": "Hexi New Town"},
}
CLOSING = "，。、；：？！）》」』”’〉】"


@pytest.mark.parametrize(("brief", "audience", "lang"), OUTPUTS)
def test_every_page_has_header_and_page_x_of_y(fixture_dist, brief, audience, lang):
    """Every page but a cover has the running head and "Page x of y"; a cover has neither
    (its title is its own), a one-page PDF no "Page 1 of 1" (issue 24)."""
    pages = pdf_pages(fixture_dist / brief / f"{audience}.{lang}.pdf")
    cover = audience == "full-report"
    for number, text in enumerate(pages, 1):
        flat = squash(text)
        folio = FOOTER[lang].format(page=number, pages=len(pages))
        if (cover and number == 1) or len(pages) == 1:
            assert folio not in flat, (number, flat[-80:])
        else:
            assert folio in flat, (number, flat[-80:])
        assert squash(DOC_TITLE[brief][lang]) in flat


@pytest.mark.parametrize(("brief", "audience", "lang"), OUTPUTS)
def test_sections_appear_in_order(fixture_dist, brief, audience, lang):
    """The four section headings, found through the bookmarks, on non-decreasing pages,
    each heading printed on the page its bookmark points to."""
    path = fixture_dist / brief / f"{audience}.{lang}.pdf"
    reader, pages = pdf_reader(path), [squash(p) for p in pdf_pages(path)]
    marks = [
        (item.title, reader.get_destination_page_number(item))
        for item in _flatten(reader.outline)
        if item.title in TITLES[lang]
    ]
    assert [title for title, _ in marks] == TITLES[lang]
    assert [page for _, page in marks] == sorted(page for _, page in marks)
    for title, page in marks:
        assert squash(title) in pages[page]


def _flatten(outline) -> list:
    found = []
    for item in outline:
        found += _flatten(item) if isinstance(item, list) else [item]
    return found


@pytest.mark.parametrize(
    ("brief", "lang"), [(b, lang) for b in ("qiaotou", "hexi") for lang in ("zh", "en")]
)
def test_note_for_decision_makers_is_one_page(fixture_dist, brief, lang):
    assert len(pdf_reader(fixture_dist / brief / f"decision-makers.{lang}.pdf").pages) == 1


@pytest.mark.parametrize(("brief", "audience", "lang"), OUTPUTS)
def test_fonts_are_embedded_and_subset(fixture_dist, brief, audience, lang):
    reader = pdf_reader(fixture_dist / brief / f"{audience}.{lang}.pdf")
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    assert fonts and all(fonts.values())
    # only the faces subset by policybrief/output/fonts.py, never a whole system face
    assert all(
        re.match(r"^/?[A-Z]{6}\+policybrief-Noto-(Serif|Sans|Sans-Mono)(-CJK-SC)?\b", name)
        for name in fonts
    ), fonts


@pytest.mark.parametrize(("brief", "audience", "lang"), OUTPUTS)
def test_metadata_and_bookmarks(fixture_dist, brief, audience, lang):
    reader = pdf_reader(fixture_dist / brief / f"{audience}.{lang}.pdf")
    info = reader.metadata
    assert DOC_TITLE[brief][lang] in info.title
    assert info.author == {"zh": "测试研究组", "en": "Test Research Group"}[lang]
    assert str(reader.trailer["/Root"]["/Lang"]) == {"zh": "zh-Hans", "en": "en"}[lang]
    outline = [item.title for item in _flatten(reader.outline)]
    assert DOC_TITLE[brief][lang] in outline[0]
    for title in TITLES[lang]:
        assert title in outline


@pytest.mark.parametrize("brief", ["qiaotou", "hexi"])
def test_no_chinese_line_starts_with_closing_punctuation(fixture_dist, brief):
    for audience in ("full-report", "decision-makers"):
        for text in pdf_pages(fixture_dist / brief / f"{audience}.zh.pdf"):
            for line in text.splitlines():
                assert not (line.strip() and line.strip()[0] in CLOSING), line


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_key_figures_printed(fixture_dist, lang):
    flat = squash("\n".join(pdf_pages(fixture_dist / "qiaotou" / f"full-report.{lang}.pdf")))
    figures = {
        "zh": ["215家", "超过20亿元", "近8000人", "5000万元"],
        "en": ["215 enterprises", "over CNY 2 billion", "nearly 8,000 people", "CNY 50 million"],
    }[lang]
    for figure in figures:
        assert squash(figure) in flat


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_contents_page_numbers_match_the_pages(fixture_dist, lang):
    pages = [squash(p) for p in pdf_pages(fixture_dist / "qiaotou" / f"full-report.{lang}.pdf")]
    contents = pages[1]
    for title in TITLES[lang]:
        match = re.search(re.escape(title) + r"\.*(\d+)", contents)
        assert match, (title, contents[:200])
        listed = int(match.group(1))
        first = next(n for n, text in enumerate(pages[2:], 3) if title in text)
        assert listed == first, (title, listed, first)


def test_every_character_has_a_glyph_in_the_fonts_used(fixture_dist):
    """No tofu: every character a reader sees is drawn by the Noto CJK faces we embed."""
    import subprocess

    from fontTools.ttLib import TTFont

    covered = set()
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}", family],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
        font = TTFont(found[0], fontNumber=int(found[1]), lazy=True)
        covered |= set(font.getBestCmap())
    for path in sorted(fixture_dist.rglob("*.pdf")):
        text = "".join(pdf_pages(path))
        missing = {c for c in text if ord(c) not in covered and not c.isspace()}
        assert not missing, (path.name, sorted(missing))


def test_loading_weasyprint_runs_no_compiler(tmp_path):
    """patches.load_weasyprint: the libraries are found without gcc (16 runs of it on
    Debian 12 with a plain import), and the PDF still renders with them."""
    import os
    import shutil
    import subprocess
    import sys

    gcc = shutil.which("gcc") or "/bin/false"
    log = tmp_path / "gcc.log"
    (tmp_path / "gcc").write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {gcc} "$@"\n')
    (tmp_path / "gcc").chmod(0o755)
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from policybrief.core.patches import load_weasyprint\n"
        "weasyprint = load_weasyprint()\n"
        "pdf = weasyprint.HTML(string='<p>Qiaotou 桥头</p>').write_pdf()\n"
        "print(len(pdf))\n"
    )
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 1000
    assert not log.exists(), log.read_text()


def test_a_one_page_note_is_laid_out_once_as_one_page(fixture_project, monkeypatch):
    """A note whose audience allows one page is laid out once, with the one-page style (no
    "Page 1 of 1"), not first without it only to count its pages (output/pdf.py)."""
    from policybrief.build.pipeline import Options, build
    from policybrief.output.pdf import PdfWriter

    laid_out = []
    render = PdfWriter._render

    def counted(self, html, base_url, options):
        laid_out.append('<body class="one-page ' in html)
        return render(self, html, base_url, options)

    monkeypatch.setattr(PdfWriter, "_render", counted)
    out = fixture_project / "dist"
    only = dict(briefs=("qiaotou",), audiences=("decision-makers",), langs=("en",))
    build(Options(root=fixture_project, out=out, formats=("pdf",), jobs=1, **only))
    assert laid_out == [True]
    pages = pdf_pages(out / "qiaotou/decision-makers.en.pdf")
    assert len(pages) == 1 and "Page 1 of 1" not in pages[0] and "of 1" not in pages[0]
