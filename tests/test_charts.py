"""Charts from facts: vector SVG with localized text, a text alternative and a source line
(on the fixture project)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
import yaml
from helpers import ROOT, find_all, parse_html, pdf_pages, squash, text_of, write_files

from policybrief.build.pipeline import Options, build, load_and_check
from policybrief.core.errors import InputError

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
    title = text_of(svg.find(f"{SVG}title"))
    desc = text_of(svg.find(f"{SVG}desc"))
    caption = text_of(next(find_all(figures[0], "figcaption")))
    assert caption.startswith(("图1", "Figure 1"))
    # the accessible name: the title, then every value with its category
    assert title.startswith(caption.split(" ", 1)[1] if lang == "zh" else caption[9:])
    assert all(f"{label}{':' if lang == 'en' else '：'}" in title for label in labels)
    assert all(v in title for v in values)
    assert desc.startswith(("资料来源：", "Sources: "))
    texts = [text_of(t) for t in svg.iter(f"{SVG}text")]
    assert texts == [values[0], labels[0], values[1], labels[1]]
    notes = {li.get("id") for li in find_all(root, "li")}
    links = list(find_all(next(find_all(figures[0], "p", class_="chart-source")), "a"))
    assert [a.get("href") for a in links if not a.get("href").startswith("#")] == [
        f"enterprises.{lang}.csv"
    ]
    for link in links:
        if link.get("href").startswith("#"):
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
            "briefs/qiaotou/brief.yaml:NN: chart 'c': facts in different units (cny, enterprise) "
            "(a chart compares figures of one unit: 'qiaotou.enterprises.2015' is in enterprise, "
            "'qiaotou.output.2015' in cny)",
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


# -- line, stacked and small multiples (the fixture's hexi brief) ---------------------------

THEME = yaml.safe_load((ROOT / "templates" / "theme.yaml").read_text(encoding="utf-8"))["colors"]
HEXI = {
    "zh": {
        "residents": (["3.2万人", "4.5万人", "6万多人"], ["2015年", "2016年", "2017年"]),
        "firms": ["120家", "140家", "80家", "160家", "200家", "约300家"],
        "legend": ["制造企业", "服务企业"],
    },
    "en": {
        "residents": (
            ["32,000 people", "45,000 people", "more than 60,000 people"],
            ["2015", "2016", "2017"],
        ),
        "firms": [
            "120 enterprises",
            "140 enterprises",
            "80 enterprises",
            "160 enterprises",
            "200 enterprises",
            "about 300 enterprises",
        ],
        "legend": ["Manufacturing", "Services"],
    },
}


def hexi_figure(dist, lang: str, chart: str):
    root = parse_html(dist / "hexi" / f"full-report.{lang}.html")
    return next(e for e in root.iter() if e.get("id") == f"fig-{chart}")


def svg_texts(figure) -> list[str]:
    return [text_of(t) for t in figure.iter(f"{SVG}text")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_line_chart_draws_a_time_series(fixture_dist, lang):
    values, years = HEXI[lang]["residents"]
    figure = hexi_figure(fixture_dist, lang, "residents")
    assert "chart-line" in figure.get("class").split()
    lines = list(figure.iter(f"{SVG}polyline"))
    assert len(lines) == 1 and lines[0].get("stroke") == THEME["accent"]
    points = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    # a year apart each: equal steps; higher values are drawn higher (smaller y)
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)
    assert ys[0] > ys[1] > ys[2]
    texts = svg_texts(figure)
    assert texts[:3] == years and texts[3:6] == values  # labels, then values, as text
    # "more than 60,000" is not exact: its point is hollow and a legend note says so
    assert texts[6:] == [
        "浅色或空心：约数，非确数" if lang == "zh" else "Light or hollow: approximate value"
    ]
    dots = list(figure.iter(f"{SVG}circle"))
    assert [d.get("fill") == "#ffffff" for d in dots] == [False, False, True]
    title = text_of(next(figure.iter(f"{SVG}title")))
    assert all(v in title for v in values) and all(y in title for y in years)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_stacked_chart_stacks_series_in_the_theme_colours(fixture_dist, lang):
    figure = hexi_figure(fixture_dist, lang, "firms")
    assert "chart-stacked" in figure.get("class").split()
    rects = [r for r in figure.iter(f"{SVG}rect") if float(r.get("height")) > 20]
    fills = [r.get("fill") for r in rects]
    assert fills == [THEME["accent"], THEME["warm"]] * 2  # per year: manufacturing, services
    widths = [float(r.get("width")) for r in rects]
    # one scale: each segment's length is its value (120, 80; 140, 160)
    assert widths[0] / widths[2] == pytest.approx(120 / 140, rel=0.01)
    assert widths[1] / widths[3] == pytest.approx(80 / 160, rel=0.01)
    # segments meet: the second starts where the first ends
    assert float(rects[1].get("x")) == pytest.approx(float(rects[0].get("x")) + widths[0], 0.1)
    texts = " ".join(svg_texts(figure))
    assert all(label in texts for label in HEXI[lang]["legend"])
    assert all(value in texts for value in HEXI[lang]["firms"])
    title = text_of(next(figure.iter(f"{SVG}title")))
    assert all(value in title for value in HEXI[lang]["firms"])
    assert ("合计" if lang == "zh" else "Total") in title


def test_small_multiples_share_one_scale(fixture_dist):
    figure = hexi_figure(fixture_dist, "en", "firms-by-kind")
    panels = [g for g in figure.iter(f"{SVG}g") if g.get("class") == "panel"]
    assert [text_of(next(p.iter(f"{SVG}text"))) for p in panels] == ["Manufacturing", "Services"]
    heights = [[float(r.get("height")) for r in p.iter(f"{SVG}rect")] for p in panels]
    values = [[120, 140], [80, 160]]
    scale = heights[0][0] / values[0][0]
    for panel, numbers in zip(heights, values, strict=True):
        assert panel == pytest.approx([n * scale for n in numbers], abs=0.1)
    assert {r.get("fill") for p in panels for r in p.iter(f"{SVG}rect")} == {THEME["accent"]}


def test_new_chart_kinds_stay_text_in_the_pdf(fixture_dist):
    zh = squash("".join(pdf_pages(fixture_dist / "hexi" / "full-report.zh.pdf")))
    # 图1 is the brief's image in prose (test_images.py); the charts follow it
    for text in ("图2常住人口", "3.2万人", "6万多人", "2016年", "图3入驻企业", "制造企业"):
        assert text in zh, text
    for text in ("120家", "160家", "约300家", "图4各类企业"):
        assert text in zh, text
    en = squash("".join(pdf_pages(fixture_dist / "hexi" / "full-report.en.pdf")))
    for text in ("Figure2Residents", "morethan60,000people", "about300enterprises", "Services"):
        assert text in en, text


def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_chart_s_data_is_a_csv_beside_the_page(fixture_dist, lang):
    facts = {
        f["id"]: f
        for name in ("hexi", "qiaotou")
        for f in yaml.safe_load(
            (ROOT / "tests" / "fixture" / "facts" / f"{name}.yaml").read_text(encoding="utf-8")
        )["facts"]
    }
    root = parse_html(fixture_dist / "hexi" / f"full-report.{lang}.html")
    links = [a.get("href") for a in find_all(root, "a", class_="chart-data")]
    assert links == [f"residents.{lang}.csv", f"firms.{lang}.csv", f"firms-by-kind.{lang}.csv"]
    for link in links:
        rows = read_csv(fixture_dist / "hexi" / link)
        for row in rows:  # every value is the fact as stored, with its unit, date and quote
            fact = facts[row["fact"]]
            assert Decimal(row["value"]) == Decimal(str(fact["value"]))
            assert (row["unit"], row["qualifier"], row["date"]) == (
                fact["unit"],
                fact["qualifier"],
                str(fact["date"]),
            )
            assert row["quote"] == fact["quote"]
            assert row["source"].startswith("河西新城" if lang == "zh" else "Hexi New Town")
    firms = read_csv(fixture_dist / "hexi" / f"firms.{lang}.csv")
    assert [(r["series"], r["fact"]) for r in firms] == [
        (HEXI[lang]["legend"][0], "hexi.manufacturing.2016"),
        (HEXI[lang]["legend"][0], "hexi.manufacturing.2017"),
        (HEXI[lang]["legend"][1], "hexi.services.2016"),
        (HEXI[lang]["legend"][1], "hexi.services.2017"),
        ("合计" if lang == "zh" else "Total", "hexi.firms.2016"),
        ("合计" if lang == "zh" else "Total", "hexi.firms.2017"),
    ]
    assert [r["printed"] for r in firms] == HEXI[lang]["firms"][:1] + [
        HEXI[lang]["firms"][i] for i in (1, 2, 3, 4, 5)
    ]


def test_print_pages_link_no_csv(fixture_dist):
    """The CSV is beside the web page; the PDF has no link to a file it does not carry."""
    for text in pdf_pages(fixture_dist / "hexi" / "full-report.en.pdf"):
        assert "Data (CSV)" not in text


def test_rebuilds_are_identical_and_csvs_follow_their_facts(fixture_project, tmp_path):
    options = Options(root=fixture_project, out=tmp_path / "a", briefs=("hexi",), formats=("html",))
    build(options)
    build(Options(**{**options.__dict__, "out": tmp_path / "b"}))
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    files = [f for f in files if f.suffix in (".html", ".csv")]
    assert len([f for f in files if f.suffix == ".csv"]) == 9  # 3 charts, 3 languages
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    out = tmp_path / "a" / "hexi"
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")}
    build(options)  # nothing changed: no CSV is written again
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.csv")} == stamps
    facts = fixture_project / "facts" / "hexi.yaml"
    text = facts.read_text(encoding="utf-8")
    assert "en: service enterprises," in text
    facts.write_text(text.replace("en: service enterprises,", "en: firms in services,"), "utf-8")
    build(options)  # a label of the firms charts' facts changed: only their CSVs are written
    changed = {p.name for p in out.glob("*.csv") if p.stat().st_mtime_ns != stamps[p.name]}
    assert changed == {
        "firms.en.csv",
        "firms.zh.csv",
        "firms.zh-Hant.csv",
        "firms-by-kind.en.csv",
        "firms-by-kind.zh.csv",
        "firms-by-kind.zh-Hant.csv",
    }


SERIES = """charts:
  - id: c
    kind: KIND
    section: outcomes
    title: {zh: 图, en: Chart}
    series:
      - label: {zh: 甲, en: A}
        facts: [FIRST]
      - label: {zh: 乙, en: B}
        facts: [SECOND]
TOTALS"""


@pytest.mark.parametrize(
    ("kind", "first", "second", "totals", "line", "expected"),
    [
        (
            "stacke",
            "hexi.services.2016",
            "hexi.services.2017",
            "",
            "kind",
            "chart 'c': unknown kind 'stacke' (did you mean stacked? use one of column, bar, "
            "line, stacked, multiples)",
        ),
        (
            "stacked",
            "hexi.services.2016, hexi.services.2017",
            "hexi.manufacturing.2016",
            "",
            "SECOND",
            "chart 'c': series 2 has 1 fact, the first 2 (every series gives one fact per "
            "category)",
        ),
        (
            "line",
            "hexi.services.2016",
            "hexi.service.2017",
            "",
            "SECOND",
            "chart 'c': unknown fact 'hexi.service.2017' (did you mean hexi.services.2017?)",
        ),
        (
            "multiples",
            "hexi.services.2016",
            "hexi.residents.2016",
            "",
            "SECOND",
            "chart 'c': facts in different units (enterprise, person) (a chart compares figures "
            "of one unit: 'hexi.services.2016' is in enterprise, 'hexi.residents.2016' in person)",
        ),
        (
            "stacked",
            "hexi.services.2016",
            "hexi.manufacturing.2017",
            "    totals: [hexi.firms.2016]\n",
            "totals",
            "chart 'c': total 'hexi.firms.2016' is 200, but its segments add up to 220 (a "
            "stacked bar shows its total as their sum)",
        ),
        (
            "line",
            "hexi.services.2016",
            "hexi.plan.published",
            "",
            "SECOND",
            "chart 'c': fact 'hexi.plan.published' is a date, not a quantity",
        ),
    ],
)
def test_bad_series_are_reported_at_their_line(
    fixture_project, kind, first, second, totals, line, expected
):
    path = fixture_project / "briefs/hexi/brief.yaml"
    text = path.read_text(encoding="utf-8")
    spec = (
        SERIES.replace("KIND", kind)
        .replace("FIRST", first)
        .replace("SECOND", second)
        .replace("TOTALS", totals)
    )
    text = text[: text.index("charts:")] + spec
    write_files(fixture_project, {"briefs/hexi/brief.yaml": text})
    lines = text.splitlines()
    marker = {"kind": "    kind:", "totals": "    totals:", "SECOND": f"        facts: [{second}]"}
    number = next(i for i, t in enumerate(lines, 1) if t.startswith(marker[line]))
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=fixture_project))
    problems = [str(p) for p in caught.value.problems]
    assert f"briefs/hexi/brief.yaml:{number}: {expected}" in problems, problems


def test_a_stacked_chart_needs_series_and_a_safe_id(fixture_project):
    path = fixture_project / "briefs/hexi/brief.yaml"
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("charts:")] + (
        "charts:\n  - id: ../c\n    kind: stacked\n    section: outcomes\n"
        "    title: {zh: 图, en: Chart}\n    facts: [hexi.services.2016]\n"
    )
    write_files(fixture_project, {"briefs/hexi/brief.yaml": text})
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=fixture_project))
    problems = [str(p) for p in caught.value.problems]
    at = len(text.splitlines())
    assert (
        f"briefs/hexi/brief.yaml:{at - 4}: chart '../c': the id must be lowercase letters, "
        "digits and hyphens (it names the chart's CSV file and its anchor, e.g. fiscal-revenue)"
    ) in problems
    assert re.search(
        r"brief.yaml:\d+: chart '../c': a stacked chart needs 'series'", "\n".join(problems)
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_source_is_named_once_under_a_chart_with_each_facts_mark(fixture_dist, lang):
    """hexi's charts draw several facts from one report: the source line names it once,
    followed by every fact's citation mark, each linking to its note."""
    root = parse_html(fixture_dist / "hexi" / f"full-report.{lang}.html")
    notes = {li.get("id") for li in find_all(root, "li")}
    name = "河西新城研究组" if lang == "zh" else "Hexi New Town Study Group"
    lines = [
        line
        for figure in find_all(root, "figure", class_="chart")
        for line in find_all(figure, "p", class_="chart-source")
    ]
    assert lines
    for line in lines:
        marks = [
            a.get("href")
            for sup in find_all(line, "sup", class_="cite")
            for a in find_all(sup, "a")
        ]
        assert text_of(line).count(name) == 1, text_of(line)
        assert len(marks) >= 2 and all(href[1:] in notes for href in marks), marks
        assert len(list(find_all(line, "sup", class_="cite-sep"))) == len(marks) - 1


def test_a_chart_prints_at_its_own_size_so_its_text_is_one_size(fixture_dist):
    """The SVG says its printed size (0.6 pt a drawing unit) and print never scales it:
    labels at 9 pt in a narrow column chart and a wide bar chart alike (issue 24)."""
    from policybrief.render.chartsvg import POINTS_PER_UNIT

    root = parse_html(fixture_dist / "hexi" / "full-report.en.html")
    svgs = list(root.iter(f"{SVG}svg"))
    assert len(svgs) >= 3
    for svg in svgs:
        _x, _y, width, height = map(float, svg.get("viewBox").split())
        assert svg.get("width") == f"{width * POINTS_PER_UNIT:g}pt"
        assert svg.get("height") == f"{height * POINTS_PER_UNIT:g}pt"


def test_one_category_split_several_ways_is_drawn_as_sorted_bars():
    """A stacked bar of five regions cannot be compared by eye: one bar a region, the
    longest first; an approximate value drawn light and dashed."""
    from policybrief.render.chartsvg import DrawnSeries, Palette, Plot, draw_sorted

    rows = [
        DrawnSeries("Asia", [5.0], ["5"], [False]),
        DrawnSeries("Europe", [11.0], ["11"], [False]),
        DrawnSeries("Oceania", [1.0], ["about 1"], [True]),
    ]
    plot = Plot(["2016"], rows, ["17"], [0.5], Palette(), (": ", ", ", "; "))
    _width, _height, body = draw_sorted(plot)
    labels = re.findall(r'class="label"[^>]*>([^<]+)<', body)
    assert labels == ["Europe", "Asia", "Oceania", "Total: 17"]
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', body)]
    assert widths == sorted(widths, reverse=True)
    assert body.count('class="approx"') == 1
