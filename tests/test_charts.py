"""Charts from facts: vector SVG with localized text, a text alternative and a source line
(on the fixture project)."""

from __future__ import annotations

import pytest
from helpers import find_all, parse_html, pdf_pages, squash, text_of, write_files

from policybrief.build import Options, load_and_check
from policybrief.errors import InputError

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("lang", "values", "labels"),
    [
        ("zh", ["120家", "215家"], ["2015年", "2016年12月"]),
        ("en", ["120 enterprises", "215 enterprises"], ["2015", "December 2016"]),
    ],
)
def test_charts_are_svg_with_localized_text(fixture_dist, lang, values, labels):
    root = parse_html(fixture_dist / "qiaotou" / f"full-report.{lang}.html")
    outcomes = next(e for e in root.iter() if e.get("id") == "sec-outcomes")
    figures = list(find_all(outcomes, "figure", class_="chart"))
    assert len(figures) == 2
    svg = figures[0].find(f".//{SVG}svg")
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    caption = text_of(next(find_all(figures[0], "figcaption")))
    assert caption.endswith(text_of(title)) and caption.startswith(("图1", "Figure 1"))
    assert all(v in text_of(desc) for v in values)
    texts = [text_of(t) for t in svg.iter(f"{SVG}text")]
    assert texts == [values[0], labels[0], values[1], labels[1]]
    notes = {li.get("id") for li in find_all(root, "li")}
    for link in find_all(next(find_all(figures[0], "p", class_="chart-source")), "a"):
        assert link.get("href")[1:] in notes


def test_growth_note_under_the_output_chart(fixture_dist):
    root = parse_html(fixture_dist / "qiaotou" / "full-report.zh.html")
    figure = next(e for e in root.iter() if e.get("id", "") == "fig-output")
    assert "园区产值同比增长：67%" in text_of(figure).replace(" ", "")


def test_charts_stay_text_in_the_pdf(fixture_dist):
    flat = squash("".join(pdf_pages(fixture_dist / "qiaotou" / "full-report.zh.pdf")))
    for text in (
        "累计引进企业数",
        "园区产值",
        "120家",
        "215家",
        "12亿元",
        "超过20亿元",
        "2016年12月",
        "资料来源：",
    ):
        assert text in flat, text


def test_one_page_note_has_no_charts(fixture_dist):
    root = parse_html(fixture_dist / "qiaotou" / "decision-makers.zh.html")
    assert not list(find_all(root, "figure", class_="chart"))
    assert not list(root.iter(f"{SVG}svg")) or all(
        s.get("class") != "chart-svg" for s in root.iter(f"{SVG}svg")
    )


CHART = """charts:
  - id: c
    section: outcomes
    title: {zh: 图, en: Chart}
    facts: [FACTS]
"""


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            "qiaotou.enterprises.2015, qiaotou.nothing",
            "briefs/qiaotou/brief.yaml:NN: chart 'c': unknown fact 'qiaotou.nothing' (check the id in facts/*.yaml)",
        ),
        (
            "qiaotou.enterprises.2015, qiaotou.output.2015",
            "briefs/qiaotou/brief.yaml:NN: chart 'c': facts in different units (cny, enterprise) (a chart compares figures of one unit)",
        ),
        (
            "qiaotou.park.opened",
            "briefs/qiaotou/brief.yaml:NN: chart 'c': fact 'qiaotou.park.opened' is a date, not a quantity",
        ),
    ],
)
def test_bad_charts_are_reported(fixture_project, facts, expected):
    project = fixture_project
    path = project / "briefs/qiaotou/brief.yaml"
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("charts:")] + CHART.replace("FACTS", facts)
    write_files(project, {"briefs/qiaotou/brief.yaml": text})
    line = text.splitlines().index("    facts: [" + facts + "]") + 1
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=project))
    assert expected.replace("NN", str(line)) in [str(p) for p in caught.value.problems]
