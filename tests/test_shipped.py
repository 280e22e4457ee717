"""The shipped briefs themselves (briefs/, facts/ of the project): the strict check passes
and every output builds. The engine's own tests run on tests/fixture/ and do not depend on
what the shipped briefs say; these are the tests an analyst's edit may rightly fail."""

from __future__ import annotations

import subprocess

import pytest
from helpers import NS, ROOT, find_all, parse_html, pdf_pages, pdf_reader, text_of

from policybrief.build.pipeline import Options, load_and_check
from policybrief.load.project import load_project

SECTIONS = ["sec-background", "sec-measures", "sec-outcomes", "sec-lessons"]


def expected_outputs() -> set[str]:
    project, _ = load_project(ROOT)
    return {
        f"{brief.slug}/{audience}.{lang}.{fmt}"
        for brief in project.briefs.values()
        for audience in brief.audiences
        for lang in brief.languages
        for fmt in ("html", "pdf")
    }


def test_the_strict_check_passes():
    _project, problems = load_and_check(Options(root=ROOT, strict=True))
    assert [str(p) for p in problems] == []


def test_every_output_builds_and_is_listed(dist):
    """`dist` is the shipped project built strictly (no warning), HTML and PDF: a page
    limit overrun, an untranslated string or a WeasyPrint warning would have failed it."""
    expected = expected_outputs()
    built = {p.relative_to(dist).as_posix() for p in dist.glob("*/*.*")}
    exports = {  # each brief's sources for reference managers, beside its pages
        f"{name.split('/')[0]}/references.{ext}"
        for name in expected
        for ext in ("json", "bib", "ris")
    }
    assert {name for name in built if not name.endswith(".csv")} == expected | exports
    project, _problems = load_and_check(Options(root=ROOT))
    charts = {
        f"{brief.slug}/{chart.id}.{lang}.csv"  # each chart's data beside the web pages
        for brief in project.briefs.values()
        for chart in brief.charts
        for lang in brief.languages
    }
    assert {name for name in built if name.endswith(".csv")} == charts
    assert {"yunqi/enterprises.zh.csv", "bri/culture-centres.en.csv"} <= charts
    index = parse_html(dist / "index.html")
    assert expected <= {a.get("href") for a in find_all(index, "a")}


def test_every_page_has_its_four_sections_and_every_pdf_its_pages(dist):
    for name in sorted(expected_outputs()):
        if name.endswith(".html"):
            root = parse_html(dist / name)
            sections = list(find_all(root, "section", class_="brief-section"))
            assert [s.get("id") for s in sections] == SECTIONS, name
            assert all(text_of(s.find(NS + "h2")).strip() for s in sections), name
        else:
            assert len(pdf_reader(dist / name).pages) >= 1, name


def test_every_character_has_a_glyph_in_the_fonts_used(dist):
    """No tofu: every character of the shipped pages is in the Noto faces the PDFs embed,
    CJK and Latin (the PDFs print the same text; the fixture's PDFs are read back in
    test_pdf). The word joiner needs no glyph: it is invisible and zero-width."""
    from fontTools.ttLib import TTFont

    covered = {0x2060}
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif", "Noto Sans"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}", family],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
        font = TTFont(found[0], fontNumber=int(found[1]), lazy=True)
        covered |= set(font.getBestCmap())
    for name in sorted(n for n in expected_outputs() if n.endswith(".html")):
        body = next(find_all(parse_html(dist / name), "body"))
        text = "".join(
            t
            for e in body.iter()
            if not str(e.tag).endswith(("style", "script"))
            for t in (e.text, e.tail)
            if t
        )
        missing = {c for c in text if ord(c) not in covered and not c.isspace()}
        assert not missing, (name, sorted(missing))


@pytest.mark.parametrize(
    ("lang", "caption", "first_row"),
    [
        ("en", "Table 1 The town’s main indicators", "Enterprises attracted"),
        ("zh", "表1 小镇主要指标", "累计引进企业"),
    ],
)
def test_a_tables_caption_stays_on_the_page_of_its_first_row(dist, lang, caption, first_row):
    """The Yunqi table's caption once ended page 4 while its rows began page 5."""
    pages = pdf_pages(dist / "yunqi" / f"full-report.{lang}.pdf")
    page = next(p for p in pages if caption in p)
    assert first_row in page.split(caption, 1)[1]
