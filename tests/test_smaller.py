"""Issue 26's smaller items: a source dated by ``issued`` alone has its year in the short
attribution; a long bar label is never cut off at the chart's left edge; a memo header
written as docs/templates.md's ``<dl>`` stays a header in Word; a scaffolded audience's
Chinese label reads as a placeholder."""

from __future__ import annotations

import re
import zipfile

from helpers import find_all, parse_html, text_of, write_files

from policybrief.build.pipeline import Options, build
from policybrief.cli.scaffold import new_audience
from policybrief.load.project import load_project
from policybrief.render import chartsvg


def test_issued_alone_gives_the_short_attribution_its_year(fixture_project, tmp_path):
    path = fixture_project / "facts" / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    # qiaotou-case states issued: 2017-06-12 and year: 2017; leave only issued
    assert "    year: 2017\n" in text and "issued: 2017-06-12" in text
    path.write_text(text.replace("    year: 2017\n", ""), encoding="utf-8")
    project, problems = load_project(fixture_project)
    assert project.facts.sources["qiaotou-case"].year == 2017
    out = tmp_path / "out"
    build(
        Options(
            root=fixture_project,
            out=out,
            briefs=("qiaotou",),
            audiences=("decision-makers",),
            langs=("en",),
            formats=("html",),
        )
    )
    page = parse_html(out / "qiaotou" / "decision-makers.en.html")
    sources = [text_of(s) for s in find_all(page, "span", class_="note-source")]
    assert sources and all("Park Management Committee (2017)" in s for s in sources), sources


def test_a_long_chinese_bar_label_stays_inside_the_chart():
    palette = chartsvg.Palette.of(None)
    long = "浙江省各地市级政务服务中心办事群众满意率"  # 20 characters: wider than 150 px
    svg = chartsvg._bars([3.0, 5.0], ["3", "5"], [long, "杭州"], 5.0, chartsvg.WIDTH, palette)
    labels = re.findall(r'<text x="([\d.]+)"[^>]*class="label"[^>]*>(.*?)</text>', svg)
    assert len(labels) == 2
    for x, inner in labels:
        lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", inner) or [inner]
        assert "".join(lines) in (long, "杭州")
        for line in lines:  # right-aligned at x: its left end must not pass 0
            assert float(x) - chartsvg._width(line, 15) >= 0, (x, line)
    # the bars start right of the labels
    bars = [float(v) for v in re.findall(r'<rect x="([\d.]+)"', svg)]
    assert all(b >= float(labels[0][0]) for b in bars)


MEMO = """\
{% extends "base.html" %}
{% block masthead %}
<header class="masthead memo-head">
  <p class="kicker">{{ audience.label }}</p>
  <h1 class="doc-title">{{ brief.title }}</h1>
  <dl>
    <dt>To</dt><dd>The Board</dd>
    <dt>Date</dt><dd><time datetime="{{ brief.date_iso }}">{{ brief.date }}</time></dd>
  </dl>
</header>
{% endblock %}
{% block front %}
<p class="summary">{{ brief.summary }}</p>
{% include "_partials/key-figures.html" %}
{% endblock %}
"""
AUDIENCE = """\
  board-memo:
    template: board-memo.html
    label: {zh: 董事会备忘录, en: Board memo, zh-Hant: 董事會備忘錄}
    section_text: lead
    endnotes: compact
"""


def test_a_memo_header_list_is_not_a_key_figure_in_word(fixture_project, tmp_path):
    write_files(fixture_project, {"house/board-memo.html": MEMO})
    with (fixture_project / "house" / "audiences.yaml").open("a", encoding="utf-8") as handle:
        handle.write(AUDIENCE)
    brief = fixture_project / "briefs" / "qiaotou" / "brief.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("field-card]", "field-card, board-memo]"), encoding="utf-8")
    out = tmp_path / "out"
    options = Options(
        root=fixture_project,
        out=out,
        briefs=("qiaotou",),
        audiences=("board-memo",),
        langs=("en",),
        formats=("docx",),
    )
    build(options)
    with zipfile.ZipFile(out / "qiaotou" / "board-memo.en.docx") as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    head = next(p for p in paragraphs if ">To<" in p)
    assert "The Board" in head and "KeyFigure" not in head and "<w:b/>" in head
    # the brief's key figures are still key figures
    figures = [p for p in paragraphs if 'w:val="KeyFigure"' in p]
    assert figures and not any("The Board" in p for p in figures)


def test_a_scaffolded_audience_label_reads_as_a_placeholder(tmp_path):
    new_audience(tmp_path, "board-memo", langs=("zh", "en"))
    entry = (tmp_path / "audiences.yaml").read_text(encoding="utf-8")
    assert "zh: （待命名：board-memo）" in entry and "新读者" not in entry
