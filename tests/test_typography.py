"""Typography (issue 24): each script by its own rules, line breaking, the Latin faces.

Engine tests give ``render/typography.py`` small pages; the fixture's outputs are read as a
reader gets them (HTML parsed, PDF text extracted, pdffonts)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from helpers import NS, ROOT, find_all, parse_html, pdf_pages

from policybrief.core.languages import language
from policybrief.render.typography import NBSP, NNBSP, WJ, typeset

ZH, EN = language("zh"), language("en")
MARK = '<sup class="cite"><a href="#note-1">1</a></sup>'
HAN = "\u4e00-\u9fff"


def test_english_quotes_and_apostrophes_become_typographic():
    page = typeset("<p>The town's \"model\" ('a park') is Hangzhou's.</p>", EN)
    assert page == "<p>The town’s “model” (‘a park’) is Hangzhou’s.</p>"


def test_english_amounts_and_dates_hold_together():
    page = typeset("<p>USD 126 billion in March 2015, on 12 December.</p>", EN)
    assert f"USD{NBSP}126{NBSP}billion" in page
    assert f"March{NBSP}2015" in page and f"12{NBSP}December" in page


def test_chinese_marks_beside_han_become_full_width():
    page = typeset(
        "<p>出口总额 (2016年) 增长, 见表。 资料来源： 京钟雁, 2017 “说法” 和 「引语」。</p>", ZH
    )
    text = re.sub(r"<[^>]+>", "", page)
    assert text == f"出口总额（2016{WJ}年）增长，见表。资料来源：京钟雁，2017“说法”和“引语”。"


def test_traditional_chinese_keeps_its_corner_brackets():
    page = typeset('<p>他說 "好" 和 “引語”。</p>', language("zh-Hant"))
    assert page == "<p>他說「好」和「引語」。</p>"


def test_verbatim_quotes_and_formatted_references_are_kept():
    quote = '<q class="note-quote">原文 (保留) ,「是」</q>'
    reference = '<span class="csl-entry">京钟雁, <i>报告</i> (2017). It\'s</span>'
    assert quote in typeset(f"<p>见{quote}</p>", ZH)
    assert reference in typeset(f"<p>见{reference}</p>", ZH)
    assert "It's" in typeset(f"<p>See {reference}</p>", EN)


def test_a_marker_after_a_bare_number_moves_to_the_clause_end():
    zh = typeset(f'<p>全国共<span class="fact">12</span>{MARK}处，另有</p>', ZH)
    assert re.sub(r"<[^>]+>", "", zh) == f"全国共12处{WJ}1{WJ}，另有"
    en = typeset(f'<p>by <span class="fact">2035</span>{MARK} for <em>all</em> towns, and</p>', EN)
    assert re.sub(r"<[^>]+>", "", en) == f"by 2035 for all towns,{WJ}1 and"


def test_a_marker_that_cannot_move_is_kept_apart_from_its_number():
    page = typeset(f"<p>by 2035{MARK} jobs{MARK} grew</p>", EN)
    assert re.sub(r"<[^>]+>", "", page) == f"by 2035{NNBSP}1 jobs{WJ}1 grew"


def test_a_marker_is_joined_to_its_word_and_the_mark_after_it():
    page = typeset(f"<p>小镇{MARK}，另有</p>", ZH)
    assert f"小镇{WJ}{MARK}{WJ}，" in page


def test_a_digit_is_held_to_its_unit_and_han_latin_gaps_are_margins():
    page = typeset('<p>部署<span class="fact">3.36亿元</span>的 Yunqi 小镇</p>', ZH)
    assert f"3.36{WJ}亿元" in page
    assert '的<span class="hgap-l hgap-r">Yunqi</span>小镇' in page  # typed spaces gone


def test_headings_never_end_on_one_word_or_one_character():
    assert typeset("<h2>The Belt and Road</h2>", EN) == f"<h2>The Belt and{NBSP}Road</h2>"
    assert (
        typeset("<h1>云栖小镇的基本</h1>", ZH) == '<h1>云栖小镇的<span class="nb">基本</span></h1>'
    )


# -- the fixture's outputs ----------------------------------------------------------------


def _reader_text(path) -> str:
    """The page's body text without verbatim quotes and formatted references."""

    def walk(element) -> str:
        kept = element.tag in (NS + "q", NS + "style", NS + "script", NS + "code") or (
            "csl-entry" in element.get("class", "").split()
        )
        inner = "▯" if kept else (element.text or "") + "".join(walk(c) for c in element)
        return inner + (element.tail or "")

    return walk(next(find_all(parse_html(path), "body")))


def test_chinese_reader_text_has_no_half_width_marks_beside_han(fixture_dist):
    pages = sorted(fixture_dist.rglob("*.zh.html"))
    assert pages
    for path in pages:
        text = _reader_text(path)
        bad = re.findall(rf"[{HAN}] ?[(),;:!?]|[(] ?[{HAN}]|[，。：；] [{HAN}]", text)
        assert not bad, (path.name, bad[:5])


def test_markers_are_joined_in_the_html(fixture_dist):
    html = (fixture_dist / "qiaotou" / "full-report.en.html").read_text(encoding="utf-8")
    markers = re.findall(r'(.)<sup class="cite"', html)
    assert markers and all(c in (WJ, NNBSP, ">") for c in markers), set(markers)
    assert not re.search(r'\d(</span>)?<sup class="cite"', html)


def test_english_pdf_text_has_curly_quotes_in_the_latin_face(fixture_dist):
    path = fixture_dist / "qiaotou" / "full-report.en.pdf"
    text = "".join(pdf_pages(path))
    assert "’" in text and "'" not in text.replace("’", "")
    pdffonts = shutil.which("pdffonts")
    if pdffonts is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    fonts = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in fonts.stdout.splitlines()[2:]]
    assert any(name.endswith("+policybrief-Noto-Serif") for name in names), names


# -- house options ------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["en-GB", "en-US"])
def test_the_house_english_variant_sets_dates_html_and_word_language(
    fixture_project, tmp_path, variant
):
    import datetime
    import zipfile

    from babel.dates import format_date

    from policybrief.build.pipeline import build
    from policybrief.build.plan import Options
    from policybrief.core.model import PartialDate
    from policybrief.load.project import load_project

    settings = fixture_project / "pyproject.toml"
    text = settings.read_text(encoding="utf-8")
    extra = f'english = "{variant}"\nnumbers_as_words = "under-ten"\n'
    settings.write_text(text.replace("[tool.policybrief]\n", "[tool.policybrief]\n" + extra))
    options = Options(
        root=fixture_project,
        out=tmp_path,
        briefs=("qiaotou",),
        audiences=("full-report",),
        langs=("en",),
        formats=("html", "docx"),
        strict=True,
    )
    assert build(options).warnings == []
    page = (tmp_path / "qiaotou" / "full-report.en.html").read_text(encoding="utf-8")
    assert f'<html lang="{variant}"' in page
    project, _ = load_project(fixture_project)
    day = format_date(datetime.date(2026, 10, 15), "long", locale=variant.replace("-", "_"))
    assert project.language("en").date(PartialDate(2026, 10, 15)) == day
    assert day == ("15 October 2026" if variant == "en-GB" else "October 15, 2026")
    with zipfile.ZipFile(tmp_path / "qiaotou" / "full-report.en.docx") as word:
        styles = word.read("word/styles.xml").decode()
    assert f'w:val="{variant}"' in styles
    other = "en-US" if variant == "en-GB" else "en-GB"
    assert f'w:val="{other}"' not in styles


def test_numbers_under_ten_as_words_is_a_house_option():
    import dataclasses

    en = dataclasses.replace(EN, numbers_as_words=True)
    page = (
        '<p>Only <span class="fact">5 cities</span>. 3 towns in Figure 3, 5 million, 12 areas</p>'
    )
    assert typeset(page, en) == (
        '<p>Only <span class="fact">five cities</span>. Three towns in Figure 3, '
        f"5{NBSP}million, 12 areas</p>"
    )
    assert "5 cities" in typeset(page, EN)


# -- charts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "first"), [("en", "policybrief Noto Sans,"), ("zh", "policybrief Noto Sans CJK SC,")]
)
def test_chart_text_names_the_pages_own_face_first(fixture_dist, lang, first):
    """An English chart's text is set in the Latin face (the CJK face only for Han), a
    Chinese chart's in the CJK face."""
    page = parse_html(fixture_dist / "qiaotou" / f"full-report.{lang}.html")
    svgs = [s for s in page.iter() if str(s.tag).endswith("svg") and s.get("class") == "chart-svg"]
    assert svgs
    assert all(s.get("font-family", "").startswith(first) for s in svgs)


def test_screen_charts_keep_their_text_size_whatever_the_box(fixture_dist, tmp_path):
    """On screen a chart is drawn at its own size, as in print (0.6 pt a unit), in any
    box wide enough for it: never stretched to the box, so its text is one size."""
    from weasyprint import HTML

    html = (fixture_dist / "hexi" / "full-report.en.html").read_text(encoding="utf-8")
    svg = re.search(r'<svg class="chart-svg".*?</svg>', html, re.S)
    assert svg
    css = (ROOT / "templates" / "_partials" / "base.css").read_text(encoding="utf-8")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    heights = []
    for box in ("30rem", "60rem"):  # the drawing is 560 units, 448 px (28rem)
        page = (
            f"<style>{css} @page {{ size: 80rem 60rem; margin: 0 }}</style>"
            f'<div style="width: {box}"><div class="charts"><figure class="chart chart-bar">'
            f"{svg.group(0)}</figure></div></div>"
        )
        path = tmp_path / f"chart-{box}.pdf"
        HTML(string=page, media_type="screen").write_pdf(path)
        words = subprocess.run(
            [pdftotext, "-bbox", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', words)
        heights.append(max(round(float(b) - float(a), 1) for a, b in boxes))
    # stretched to 30rem and 60rem, its words were 14 and 15.8 pt high; now 13 in both
    assert heights[0] == heights[1], heights


def test_a_chinese_sentence_ends_with_a_full_width_stop():
    """The notes template's "." after a note's parts (Word's notes too) is 。 in Chinese;
    a decimal point is not."""
    page = typeset("<p>京钟雁（2017）. 另一说法： 2.1亿元 (财政总收入).</p>", ZH, joins=False)
    assert page == "<p>京钟雁（2017）。另一说法：2.1亿元（财政总收入）。</p>"


def test_no_space_after_a_full_width_mark_across_the_templates_line_breaks():
    """A compact note's "贾振成（2017）：" then its quote on the template's next line: no
    space between them (whitespace between elements shows as one)."""
    page = typeset("<li><span>贾振成（2017）:</span>\n  <q>到2035年</q></li>", ZH)
    assert "：</span><q>" in page
