"""Figures proven by their quotes: the quote reader, and wrong figures planted into copies of
the fact base, each of which `check` must catch at the fact's own file and line."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

from policybrief.check.quotes import read_quote
from policybrief.check.rules import check_facts
from policybrief.core.errors import Problem
from policybrief.load.facts import load_factbase

FACTBASE = Path(__file__).resolve().parent / "factbase"  # fixed inputs: see its README
# the two source documents it quotes, where the shipped project reads them (its
# source_texts setting): the seeds never change, so they are fixed inputs too
SEEDS = (Path(__file__).resolve().parent.parent / ".." / "shared" / "seeds").resolve()

# -- the reader ------------------------------------------------------------------------------

FIGURES = [
    # quote, the figures read (value, hedge, percent)
    ("三部委共同认定", [(3, "exact", False)]),
    ("历时两年", [(2, "exact", False)]),
    ("八大产业", [(8, "exact", False)]),
    ("一千", [(1000, "exact", False)]),
    ("二十万", [(200000, "exact", False)]),
    ("三十多家", [(30, "more_than", False)]),
    ("近 30 个亿", [(3_000_000_000, "nearly", False)]),
    ("完成财政总收入 2.1 个亿", [(210_000_000, "exact", False)]),
    ("50亿规模", [(5_000_000_000, "exact", False)]),
    ("逾4万人", [(40000, "over", False)]),
    ("达到了700多万", [(7_000_000, "more_than", False)]),
    ("两万多平方米", [(20000, "more_than", False)]),
    ("百分之六十", [(60, "exact", True)]),
    ("同比增长58%", [(58, "exact", True)]),
    ("6.3万亿元", [(6_300_000_000_000, "exact", False)]),
    ("1000个左右", [(1000, "about", False)]),
    ("3万人以上", [(30000, "over", False)]),
    ("最高1000万元", [(10_000_000, "up_to", False)]),
    ("约百家", [(100, "about", False)]),
    ("近千套", [(1000, "nearly", False)]),
    ("1.8亿余元", [(180_000_000, "more_than", False)]),
    ("满意率达到９４.７％", [(Decimal("94.7"), "exact", True)]),
    ("1,000 firms", [(1000, "exact", False)]),
    ("output of 2.1 and 0.5", [(Decimal("2.1"), "exact", False), (Decimal("0.5"), "exact", False)]),
    ("1.2 million people", [(1_200_000, "exact", False)]),
    ("40 percent of firms", [(40, "exact", True)]),
    ("over 300 firms", [(300, "over", False)]),
    ("nearly twelve towns", [(12, "nearly", False)]),
    ("more than 60 members", [(60, "more_than", False)]),
    ("a team of 2000 people", [(2000, "exact", False)]),  # a figure, not the year 2000
    ("每家初创企业最高可获得100万元的支持", [(1_000_000, "up_to", False)]),
    ("约为3亿元", [(300_000_000, "about", False)]),
    # Issue 23: figures as real sources write them
    ("粮食产量保持在1.3万亿斤以上", [(1_300_000_000_000, "over", False)]),
    ("摘帽280个县左右", [(280, "about", False)]),
    ("8千多万人", [(80_000_000, "more_than", False)]),
    ("約一百八十三億元", [(18_300_000_000, "about", False)]),
    ("三千零七十四亿元", [(307_400_000_000, "exact", False)]),
    ("五亿二千九百万", [(529_000_000, "exact", False)]),
    ("百分之四点一", [(Decimal("4.1"), "exact", True)]),
    ("十一點五七萬", [(115_700, "exact", False)]),
    ("18萬8千", [(188_000, "exact", False)]),
    ("三分之一", [(Decimal(100) / 3, "exact", True)]),
    ("近一成", [(10, "nearly", True)]),
    ("2 188.04亿元", [(218_804_000_000, "exact", False)]),
    ("突破40万亿元", [(40_000_000_000_000, "over", False)]),
    ("失业率4.5%以内", [(Decimal("4.5"), "up_to", True)]),
    ("人均约合20533美元", [(20533, "about", False)]),
    ("nearly US$ 40 billion", [(40_000_000_000, "nearly", False)]),
    ("topped US$4.6 billion", [(4_600_000_000, "over", False)]),
    ("Fifty-nine percent of adults", [(59, "exact", True)]),
    ("four in five adults", [(80, "exact", True)]),
    ("three-quarters of firms", [(75, "exact", True)]),
    ("five-point-seven-billion dollars", [(5_700_000_000, "exact", False)]),
    ("$33B in investment", [(33_000_000_000, "exact", False)]),
    ("£3.2bn", [(3_200_000_000, "exact", False)]),
    ("Rs 11,41,575 crore", [(11_415_750_000_000, "exact", False)]),
    ("the 1 200 respondents", [(1200, "exact", False)]),
    ("approx. a third of GDP", [(Decimal(100) / 3, "about", True)]),
    ("H.R. 2055 passed", []),
]


@pytest.mark.parametrize(("quote", "expected"), FIGURES)
def test_reader_reads_each_form(quote, expected):
    figures = [(f.value, f.hedge, f.percent) for f in read_quote(quote).figures if f.high is None]
    assert figures == [(Decimal(v), h, p) for v, h, p in expected]


def test_a_third_is_a_share():
    (figure,) = read_quote("a third of the budget").figures
    assert figure.percent and round(figure.value, 2) == Decimal("33.33")


def test_ranges_are_read_as_ranges():
    ranges = [
        (f.value, f.high, f.percent)
        for f in read_quote("满意率在95.7%至96.2%之间").figures
        if f.high is not None
    ]
    assert ranges == [(Decimal("95.7"), Decimal("96.2"), True)]


DATES = [
    ("2016年7月，国家发展改革委发布", [(2016, 7, None, "")]),
    ("2015年4月17日,40余名专家到访", [(2015, 4, 17, "")]),
    ("2016年底，小镇已累计引进", [(2016, 12, None, "")]),
    ("今年10月，三部委公布", [(None, 10, None, "今年")]),
    ("在去年7月发布", [(None, 7, None, "去年")]),
    ("两年前，三部委联合发布", [(None, None, None, "两年前")]),
    ("当月即开工", [(None, None, None, "当月")]),
    ("published in July 2016", [(2016, 7, None, "")]),
    ("on 17 April 2015", [(2015, 4, 17, "")]),
    ("two years ago", [(None, None, None, "two years ago")]),
    ("in 2016 the town grew", [(2016, None, None, "")]),
]


@pytest.mark.parametrize(("quote", "expected"), DATES)
def test_reader_reads_dates(quote, expected):
    assert [(d.year, d.month, d.day, d.relative) for d in read_quote(quote).dates] == expected


BOUND = [
    # news leaves the year out of dates near its own: the nearest one to the source's date
    ("signed at a ceremony in Lagos on October 23.", "2019-10-30", (2019, 10, 23)),
    ("funding … until December 7.", "2018-09", (2018, 12, 7)),
    ("完成于12月28日", "2020-01-05", (2019, 12, 28)),
    # the end of a period is reported once it is over: the latest one not after the source
    ("一季度，全市完成投资", "2019-10", (2019, 3, None)),
    ("3月末，贷款余额", "2023-02-10", (2022, 3, None)),
]


@pytest.mark.parametrize(("quote", "issued", "expected"), BOUND)
def test_a_month_with_no_year_takes_it_from_the_sources_date(quote, issued, expected):
    from policybrief.core.model import PartialDate

    when = PartialDate(*map(int, issued.split("-")))
    dates = read_quote(quote, when).dates
    assert [(d.year, d.month, d.day) for d in dates] == [expected]
    assert all(d.year_from_source for d in dates)
    # a source dated only to its year binds nothing: January's "December" may be last year's
    assert read_quote(quote, PartialDate(when.year)).dates[0].year is None


def test_dates_and_durations_written_in_words_are_read():
    dates = read_quote(
        "Begun and held at the City of Washington on Thursday, the third day of January, "
        "two thousand and nineteen"
    ).dates
    assert [(d.year, d.month, d.day) for d in dates] == [(2019, 1, 3)]
    about = read_quote("take about a year or so to complete").figures
    assert [(f.value, f.hedge) for f in about] == [(Decimal(1), "about")]
    assert read_quote("$5 billion a year").figures[0].value == Decimal(5_000_000_000)
    assert len(read_quote("$5 billion a year").figures) == 1  # "a year" unhedged: per year


def test_years_are_not_figures():
    assert [f.value for f in read_quote("2016年，实现涉云产值超过80亿元").figures] == [
        Decimal(8_000_000_000)
    ]


# -- planted errors ----------------------------------------------------------------------------

RANGE_SOURCE = "range.txt"
RANGE_FACTS = """\
facts:
  - id: fixture.satisfaction
    reference: true
    value: [95.7, 96.2]
    unit: percent
    date: "2020"
    label: {zh: 办事群众满意率, en: satisfaction of people served}
    source: range-source
    quote: "2020年，办事群众满意率在95.7%至96.2%之间"
  - id: fixture.towns
    reference: true
    value: [30, 40]
    unit: town
    qualifier: about
    date: "2021"
    label: {zh: 试点小镇, en: pilot towns}
    source: range-source
    quote: "2021年将建设约30至40个试点小镇"
"""


def _fact_base(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the fixed fact base (tests/factbase: the shipped one, frozen) plus a small
    range fixture; its own source folder."""
    root = tmp_path / "project"
    shutil.copytree(FACTBASE / "facts", root / "facts")
    sources = tmp_path / "sources"
    sources.mkdir()
    for text in SEEDS.glob("*.txt"):
        shutil.copy2(text, sources / text.name)
    (sources / RANGE_SOURCE).write_text(
        "2020年，办事群众满意率在95.7%至96.2%之间。2021年将建设约30至40个试点小镇。",
        encoding="utf-8",
    )
    with (root / "facts" / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "  range-source:\n    file: range.txt\n"
            "    title: {zh: 测试来源, en: Test source}\n"
            "    author: {zh: 测试, en: Test}\n"
            "    publication: {zh: 测试, en: Test}\n    year: 2021\n"
        )
    (root / "facts" / "zz-ranges.yaml").write_text(RANGE_FACTS, encoding="utf-8")
    return root, sources


def _errors(root: Path, sources: Path) -> list[Problem]:
    problems: list[Problem] = []
    facts = load_factbase(root, problems)
    problems += check_facts(facts, (sources,))
    return [p for p in problems if p.severity == "error"]


def test_a_quote_that_splits_a_figure_is_not_found(tmp_path):
    """Issue 23's security case: the source says 414; a quote "4 14" with value 14 must
    fail (spaces never make two figures of one), and so must "414" where it says "4 14"."""
    root, sources = _fact_base(tmp_path)
    (sources / RANGE_SOURCE).write_text("共有414家企业，另有4 14个项目。", encoding="utf-8")
    facts = root / "facts" / "zz-ranges.yaml"
    facts.write_text(
        RANGE_FACTS.split("  - id: fixture.satisfaction")[0]
        + "  - {id: fixture.split, value: 14, unit: enterprise, label: {zh: 企业, en: firms}, "
        'source: range-source, quote: "共有4 14家"}\n'
        + "  - {id: fixture.joined, value: 414, unit: project, label: {zh: 项目, en: projects}, "
        'source: range-source, quote: "另有414个"}\n',
        encoding="utf-8",
    )
    found = [p.message for p in _errors(root, sources)]
    assert "fact 'fixture.split': quote not found in range.txt" in found
    assert "fact 'fixture.joined': quote not found in range.txt" in found


PERIOD_FACTS = """\
facts:
  - id: fixture.since
    value: 47
    unit: town
    since: "2019"
    date: "2021"
    label: {zh: 小镇, en: towns}
    source: range-source
    quote: "2019年以来共建成47个小镇"
  - id: fixture.dated-elsewhere
    value: 47
    unit: town
    date: "2022-12"
    date_source: range-source
    date_quote: "统计截至2022年12月"
    label: {zh: 小镇, en: towns}
    source: range-source
    quote: "共建成47个小镇"
"""


def _period_errors(tmp_path: Path, facts: str) -> list[str]:
    root, sources = _fact_base(tmp_path)
    (sources / RANGE_SOURCE).write_text(
        "2019年以来共建成47个小镇。统计截至2022年12月。", encoding="utf-8"
    )
    (root / "facts" / "zz-ranges.yaml").write_text(facts, encoding="utf-8")
    return [str(p) for p in _errors(root, sources)]


def test_a_fact_says_the_period_it_covers_and_a_second_source_for_its_date(tmp_path):
    assert _period_errors(tmp_path, PERIOD_FACTS) == []


def test_since_and_a_second_sources_date_are_proven(tmp_path):
    wrong = PERIOD_FACTS.replace('since: "2019"', 'since: "2018"').replace(
        'date: "2022-12"', 'date: "2022-11"'
    )
    assert _period_errors(tmp_path, wrong) == [
        "facts/zz-ranges.yaml:2: fact 'fixture.since': since 2018 is not stated by its quote "
        "(dates found: 2019年) (quote the words that say when the period starts, or leave "
        "since out)",
        "facts/zz-ranges.yaml:10: fact 'fixture.dated-elsewhere': date 2022-11 is not what its "
        "date_quote states (2022年12月) (quote the words of the second source that state the "
        "date)",
    ]


def test_the_clean_fact_base_passes(tmp_path):
    root, sources = _fact_base(tmp_path)
    assert _errors(root, sources) == []


FLIP = {
    "exact": "about",
    "about": "exact",
    "nearly": "over",
    "over": "nearly",
    "more_than": "exact",
    "up_to": "exact",
}
HEDGE_WORDS = {"about": ("约", "左右", "上下"), "nearly": ("近",), "over": ("超", "逾", "以上")}


class Fact:
    """One fact's lines in a facts file, as text."""

    def __init__(self, path: str, line: int, lines: list[str]):
        self.path, self.line, self.lines = path, line, lines
        self.fields = {}
        for offset, text in enumerate(lines):
            match = re.match(r"    (value|qualifier|date|unit|quote|derived|note): ?(.*)$", text)
            if match:
                self.fields[match.group(1)] = (offset, match.group(2).strip().strip('"'))

    def get(self, key: str) -> str | None:
        return self.fields[key][1] if key in self.fields else None


def _facts_in(path: Path, shown: str) -> list[Fact]:
    lines = path.read_text(encoding="utf-8").split("\n")
    starts = [i for i, text in enumerate(lines) if text.startswith("  - id: ")]
    ends = [*starts[1:], len(lines)]
    return [
        Fact(shown, start + 1, lines[start:end]) for start, end in zip(starts, ends, strict=True)
    ]


def _plain(number: Decimal) -> str:
    """A number as a YAML value is written: 4810, 2.5 (no exponent, no trailing zeros)."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _bump_last_digit(text: str) -> str:
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    i = digits[-1]
    return text[:i] + str((int(text[i]) + 1) % 10 if text[i] != "9" else 8) + text[i + 1 :]


def mutations(fact: Fact) -> list[tuple[str, str, str]]:
    """(kind, field, new text) for each wrong figure that may be planted in this fact."""
    value, quote, unit = fact.get("value"), fact.get("quote") or "", fact.get("unit")
    if value is None or fact.get("derived") is not None:
        return []
    squashed = re.sub(r"\s", "", quote)
    found: list[tuple[str, str, str]] = []
    qualifier = fact.get("qualifier") or "exact"
    if value.startswith("["):  # a range: narrow it from below
        low, high = (Decimal(v) for v in value.strip("[]").split(","))
        found.append(
            (
                "range narrowed",
                "value",
                f"[{low + 1 if low == low.to_integral() else low + Decimal('0.1')}, {high}]",
            )
        )
        return found
    if re.fullmatch(r"\d{4}(-\d{2}){0,2}", value):  # a date fact
        year = int(value[:4])
        if f"{year}年" in squashed:
            found.append(("year shifted", "value", f'"{year - 1}{value[4:]}"'))
        month = value[5:7]
        if month and re.search(rf"(?<!\d){int(month)}月", squashed):
            shifted = int(month) % 12 + 1
            found.append(("month shifted", "value", f'"{value[:5]}{shifted:02d}{value[7:]}"'))
        return found
    number = Decimal(value)
    for kind, factor, units in (
        ("times 10", 10, None),
        ("times 万", 10**4, ("cny", "usd", "person", "sqm", "viewer")),
        ("times 亿", 10**8, ("cny", "usd")),
    ):
        if units is not None and unit not in units:
            continue
        wrong = _plain(number * factor)
        if re.search(rf"(?<![\d.]){re.escape(wrong)}(?![\d.])", squashed) is None:
            found.append((kind, "value", wrong))
    if any(ch.isdigit() for ch in value):
        bumped = _bump_last_digit(value)
        if bumped not in squashed and Decimal(bumped) != number:
            found.append(("last digit changed", "value", bumped))
    flipped = FLIP[qualifier]
    if not any(word in squashed for word in HEDGE_WORDS.get(flipped, ())):
        found.append(("qualifier flipped", "qualifier", flipped))
    date = fact.get("date")
    if date and f"{date[:4]}年" in squashed:
        found.append(("year shifted", "date", f'"{int(date[:4]) + 1}{date[4:]}"'))
        if len(date) >= 7 and re.search(rf"(?<!\d){int(date[5:7])}月", squashed):
            found.append(("month shifted", "date", f'"{date[:5]}{int(date[5:7]) % 12 + 1:02d}"'))
    return found


def _plant(fact: Fact, field: str, text: str) -> list[str]:
    lines = list(fact.lines)
    if field in fact.fields:
        offset = fact.fields[field][0]
        lines[offset] = f"    {field}: {text}"
    else:  # qualifier left out means exact: add the line
        lines.insert(1, f"    {field}: {text}")
    return lines


def test_planted_wrong_figures_are_all_caught(tmp_path):
    root, sources = _fact_base(tmp_path)
    files = sorted(
        p for p in (root / "facts").glob("*.yaml") if p.name not in ("sources.yaml", "units.yaml")
    )
    by_file = {p: _facts_in(p, f"facts/{p.name}") for p in files}
    planted = [
        (path, fact, kind, field, text)
        for path, facts in by_file.items()
        for fact in facts
        for kind, field, text in mutations(fact)
    ]
    kinds = Counter(kind for *_, kind, _field, _text in planted)
    assert len(planted) >= 60, kinds
    assert set(kinds) == {
        "times 10",
        "times 万",
        "times 亿",
        "last digit changed",
        "qualifier flipped",
        "year shifted",
        "month shifted",
        "range narrowed",
    }
    # Plant in rounds, each fact at most once a round, and read every error back.
    missed, rounds = [], 0
    while planted:
        rounds += 1
        this_round, later, used = [], [], set()
        for item in planted:
            (later if id(item[1]) in used else this_round).append(item)
            used.add(id(item[1]))
        planted = later
        originals = {path: path.read_text(encoding="utf-8") for path in files}
        for path in files:
            out, facts = [], by_file[path]
            header = originals[path].split("\n")[: facts[0].line - 1] if facts else []
            out += header
            for fact in facts:
                change = next(
                    ((field, text) for p, f, _k, field, text in this_round if f is fact), None
                )
                out += _plant(fact, *change) if change else fact.lines
            path.write_text("\n".join(out), encoding="utf-8")
        errors = {(p.path, p.line) for p in _errors(root, sources)}
        for _path, fact, kind, field, text in this_round:
            lines = range(fact.line, fact.line + len(fact.lines))  # the fact's own lines
            if not any((fact.path, line) in errors for line in lines):
                missed.append(f"{fact.path}:{fact.line} {kind}: {field} {text}")
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
    assert missed == [], f"{len(missed)} of {sum(kinds.values())} planted errors missed"


def test_messages_name_file_line_and_what_the_quote_says(tmp_path):
    root, sources = _fact_base(tmp_path)
    path = root / "facts" / "zz-ranges.yaml"
    path.write_text(
        RANGE_FACTS.replace("[95.7, 96.2]", "[95.7, 96.3]").replace(
            "qualifier: about", "qualifier: exact"
        ),
        encoding="utf-8",
    )
    assert [str(p) for p in _errors(root, sources)] == [
        "facts/zz-ranges.yaml:2: fact 'fixture.satisfaction': value 95.7–96.3% does not match "
        "its quote, which says 95.7%至96.2% (the value is in whole units, e.g. 58 for 58%; if the "
        "quote states the figure another way, write it as the quote does or give figure: the "
        "words that state it)",
        "facts/zz-ranges.yaml:10: fact 'fixture.towns': qualifier exact, but its quote says '约' "
        "(约30至40), which is about (use qualifier: about)",
    ]


# -- prose cannot make a figure ------------------------------------------------------------------

PROSE_CASES = {
    "arithmetic": (
        "It grew by {{ 400 + 81 }} firms.",
        "not allowed in prose: arithmetic cannot make a figure",
    ),
    "a power that never ends": (
        "{{ 9**(9**9) }}",
        "not allowed in prose: arithmetic cannot make a figure",
    ),
    "a filter": (
        '{{ fact("qiaotou.enterprises.2016")|upper }}',
        "not allowed in prose: a filter cannot make a figure",
    ),
    "a loop": (
        "{% for i in range(3) %}x{% endfor %}",
        "not allowed in prose: for blocks ({% … %}) are not allowed",
    ),
    "an id built by an expression": (
        '{{ fact("qiaotou." ~ "output.2016") }}',
        "not allowed in prose: fact() takes one id written in quotes",
    ),
    "full-width digits": ("Output rose to ８０ billion.", "figure '８０' typed into prose"),
    "Arabic-Indic digits": ("Output rose to ٨٠ billion.", "figure '٨٠' typed into prose"),
    "superscript digits": ("Output rose to ¹² billion.", "figure '¹²' typed into prose"),
    "circled digits": ("Output rose in ① towns.", "figure '①' typed into prose"),
    "number words": ("Output rose by three hundred firms.", "number word 'three hundred'"),
    "a fraction": ("Two-thirds of the firms stayed.", "number word 'Two-thirds'"),
    "half": ("About half of them are graduates.", "number word 'half'"),
}


@pytest.mark.parametrize("case", sorted(PROSE_CASES))
def test_prose_cannot_make_a_figure(fixture_project, case):
    project = fixture_project
    text, expected = PROSE_CASES[case]
    path = project / "briefs" / "qiaotou" / "en.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index("# outcomes") + 2  # the first line of the outcomes section's body
    lines.insert(at - 1, text + "\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli("check", "-q", "--project", str(project))
    assert result.returncode == 1
    assert any(
        line.startswith(f"briefs/qiaotou/en.md:{at}: {expected}")
        for line in result.stderr.splitlines()
    ), result.stderr
    assert "Traceback" not in result.stderr


def test_ranges_and_undated_figures_print_in_each_language(tmp_path):
    from policybrief.core.i18n import format_fact
    from policybrief.load.languages import project_languages

    root, sources = _fact_base(tmp_path)
    problems: list[Problem] = []
    facts = load_factbase(root, problems)
    satisfaction, towns = facts.facts["fixture.satisfaction"], facts.facts["fixture.towns"]
    shown = {
        code: (
            format_fact(satisfaction, facts.units["percent"], lang),
            format_fact(towns, facts.units["town"], lang),
        )
        for code, lang in project_languages(("zh", "en"), (ROOT / "templates",)).items()
    }
    assert shown == {
        "zh": ("95.7%至96.2%", "约30至40个"),
        "en": ("95.7%–96.2%", "about 30–40 towns"),
    }


PINNED = """\
facts:
  - id: fixture.jobs
    reference: true
    value: {value}
    unit: job
    date: "2016"
    figure: "18万个"
    label: {{zh: 就业岗位, en: jobs}}
    source: jia-bri
    quote: "为东道国创造了近11亿美元的税收和18万个就业岗位"
    note: {{zh: 测试。, en: A test.}}
"""


def test_figure_pins_which_figure_of_the_quote_the_fact_takes(tmp_path):
    root, sources = _fact_base(tmp_path)
    path = root / "facts" / "zz-pinned.yaml"
    path.write_text(PINNED.format(value=180000), encoding="utf-8")
    assert _errors(root, sources) == []
    # 1100000000 is a figure of the quote, but not the one pinned (and not in this unit).
    path.write_text(
        PINNED.format(value=1100000000).replace("unit: job", "unit: usd"), encoding="utf-8"
    )
    assert [str(p) for p in _errors(root, sources)] == [
        "facts/zz-pinned.yaml:2: fact 'fixture.jobs': value 1100000000 does not match its "
        "quote, which says 18万 (the value is in whole units, e.g. 8000000000 for 80亿美元; if "
        "the quote states the figure another way, write it as the quote does or give figure: "
        "the words that state it)"
    ]


UNDATED = """
  - id: qiaotou.fund.startups
    value: 40
    unit: enterprise
    qualifier: exact
    label: {zh: 获资金支持的初创企业, en: start-ups the fund backed, zh-Hant: 獲資金支持的新創企業}
    source: qiaotou-case
    quote: "园区的创业引导资金共支持初创企业40家"
    translation: {en: "The park's start-up guidance fund has backed 40 start-ups in all"}
"""


def test_an_undated_figure_says_so_instead_of_inventing_a_date(fixture_project, tmp_path):
    from helpers import find_all, parse_html, text_of

    from policybrief.build.pipeline import Options, build

    project = fixture_project
    # a figure whose source states no date, cited in the outcomes of each language
    with (project / "sources" / "qiaotou.txt").open("a", encoding="utf-8") as handle:
        handle.write("\n园区的创业引导资金共支持初创企业40家。\n")
    facts = project / "facts" / "qiaotou.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("\nconflicts:\n", UNDATED + "\nconflicts:\n", 1), "utf-8")
    for lang, cite in (("zh", "资金支持了{}。"), ("en", "The fund backed {}.")):
        path = project / "briefs" / "qiaotou" / f"{lang}.md"
        text = path.read_text(encoding="utf-8")
        call = '{{ fact("qiaotou.fund.startups") }}'
        path.write_text(text.replace("\n# lessons", f"\n{cite.format(call)}\n\n# lessons"), "utf-8")
    out = tmp_path / "out"
    build(
        Options(
            root=project,
            out=out,
            briefs=("qiaotou",),
            audiences=("full-report",),
            formats=("html",),
        )
    )
    for lang, words in (("en", "date not given"), ("zh", "日期未注明")):
        page = parse_html(out / "qiaotou" / f"full-report.{lang}.html")
        notes = [
            text_of(li)
            for li in find_all(page, "li")
            if "qiaotou.fund.startups" in "".join(a.get("href", "") for a in li.iter())
        ]
        assert notes and all(words in note for note in notes), notes


@pytest.mark.parametrize(
    ("quote", "vague"),
    [
        ("已有十几家企业入驻", "十几"),
        ("吸引了数百家企业", "数百"),
        ("上千人参加", "上千"),
        ("几十个项目", "几十"),
    ],
)
def test_vague_amounts_are_not_figures(quote, vague):
    reading = read_quote(quote)
    assert [f for f in reading.figures if f.high is None] == [] and reading.vague == (vague,)


@pytest.mark.parametrize(
    ("prose", "found"),
    [
        ("三分之一的企业留了下来", ["三分之一"]),
        ("其中一半以上是本科生", ["一半"]),
        ("半数企业", ["半数"]),
        ("兩份材料，三萬個崗位", ["兩", "三萬"]),  # Traditional, quoted as written
        ("two-thirds of the towns and a third of the firms", ["two-thirds", "a third of"]),
        ("half the towns", ["half"]),
        # idioms and periods, not figures (docs/authoring.md lists them)
        ("a third term, a third party, the first half of the year", []),
        ("half-hearted, on behalf of the town, 一成不变, 第三方, 一带一路", []),
    ],
)
def test_fractions_and_half_in_prose_are_figures(prose, found):
    from policybrief.check.figures.numbers import prose_number_words

    assert [words for _, words in prose_number_words(prose)] == found


def test_half_in_a_quote_is_fifty_percent():
    for quote in ("其中大学本科以上学历的约占一半", "about half of the firms"):
        (figure,) = read_quote(quote).figures
        assert (figure.value, figure.percent, figure.hedge) == (Decimal(50), True, "about")


def test_an_unreadable_quote_names_the_words_it_could_not_read():
    from policybrief.check.quotes import unread_words

    assert unread_words(read_quote("H.R. 2055 passed the House")) == ["2055"]
    assert unread_words(read_quote("the G20 summit")) == ["G20"]


DATING = {  # what each language's notes say of the fixture's three dated running totals
    "zh": ("累计基础设施投资（2014年至2017年）", "来源未注明日期。", "日期出自"),
    "en": (
        "cumulative infrastructure investment (2014–2017)",
        "Date not stated in the source.",
        "Date from Hexi New Town Study Group (2018):",
    ),
    "zh-Hant": ("累計基礎設施投資（2014年至2017年）", "來源未註明日期。", "日期出自"),
}


def _note_text(page, fact_id: str) -> str:
    from helpers import find_all, text_of

    notes = [
        text_of(li)
        for li in find_all(page, "li")
        if li.get("id", "").startswith("note-")
        and any(a.get("href", "").endswith(f"#{fact_id}") for a in find_all(li, "a"))
    ]
    assert len(notes) == 1, (fact_id, notes)
    return notes[0].replace("\u2060", "")


@pytest.mark.parametrize("lang", sorted(DATING))
def test_notes_say_the_period_and_where_a_date_comes_from(fixture_dist, lang):
    """Issue 23: a fact's ``since`` prints as the period it covers; a date from a second
    source prints with that source and its words; a date no quote states says so."""
    from helpers import parse_html

    period, unstated, second = DATING[lang]
    page = parse_html(fixture_dist / "hexi" / f"full-report.{lang}.html")
    assert period in _note_text(page, "hexi.investment")
    walkway = _note_text(page, "hexi.walkway")  # dated by the report's year alone
    assert unstated in walkway and "日期出自" not in walkway and "Date from" not in walkway
    trees = _note_text(page, "hexi.trees")
    assert second in trees and "本报告的数据统计截至2017年底" in trees
    assert unstated not in trees
    for stated in ("hexi.investment", "hexi.residents.2017"):  # the quote states the date
        assert unstated not in _note_text(page, stated)


def test_pdf_and_word_notes_say_where_a_date_comes_from(fixture_dist):
    import zipfile

    from helpers import pdf_pages, squash

    pdf = squash("".join(pdf_pages(fixture_dist / "hexi" / "full-report.zh.pdf")))
    assert "来源未注明日期" in pdf and "日期出自" in pdf
    with zipfile.ZipFile(fixture_dist / "hexi" / "full-report.en.docx") as docx:
        xml = "".join(docx.read(n).decode() for n in docx.namelist() if n.endswith(".xml"))
    words = re.sub(r"<[^>]+>", "", xml)
    assert "Date not stated in the source." in words
    assert "Date from Hexi New Town Study Group (2018):" in words


def test_only_the_part_of_a_date_no_quote_states_is_unstated(tmp_path):
    from policybrief.check.dating import unstated_part

    root, _sources = _fact_base(tmp_path)
    facts = load_factbase(root, [])
    # "两年前" with a note: the year is resolved, the month (03) is the note's, not the quote's
    assert unstated_part(facts.facts["bri.vision.published"], facts) == "month"
    assert unstated_part(facts.facts["fixture.satisfaction"], facts) == ""


def test_messages_quote_traditional_characters_as_the_source_writes_them(tmp_path):
    """Issue 23: the reader reads 萬, 億, 約 as 万, 亿, 约, but a message quotes the source in
    its own characters, never the Simplified reading."""
    root, sources = _fact_base(tmp_path)
    (sources / RANGE_SOURCE).write_text("2022年底，全港約有3億多元儲備，較2021年末減少。", "utf-8")
    (root / "facts" / "zz-ranges.yaml").write_text(
        "facts:\n"
        "  - {id: fixture.hant, value: 400000000, unit: cny, qualifier: more_than, "
        'date: "2022", label: {zh: 储备, en: reserves}, source: range-source, '
        'quote: "2022年底，全港約有3億多元儲備，較2021年末減少"}\n'
        "  - {id: fixture.hant-hedge, value: 300000000, unit: cny, qualifier: nearly, "
        'date: "2022", label: {zh: 储备, en: reserves}, source: range-source, '
        'quote: "2022年底，全港約有3億多元儲備"}\n',
        encoding="utf-8",
    )
    found = [p.message for p in _errors(root, sources)]
    assert found == [
        "fact 'fixture.hant': value 400000000 does not match its quote, which says 約有3億多",
        "fact 'fixture.hant-hedge': qualifier nearly, but its quote says '約有…多' (約有3億多), "
        "which is about",
    ]


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("政府支出由二OO七/O八年度的二千三百多亿元", [(2008, None)]),  # a Latin O for 〇
        ("基于《县域数字乡村指数(2020)》对全国1781个县域", [(2020, None)]),
        ("interviewed between July and September 2007", [(2007, 9)]),  # a span: its last month
        ("sales in January-March 2021 rose", [(2021, 3)]),
        ("預計至今年4月1日", [(None, 4)]),  # 至今年 is 今年, not 至今 (so far)
    ],
)
def test_more_date_forms_are_read(quote, expected):
    assert [(d.year, d.month) for d in read_quote(quote).dates] == expected


SEVERAL = """\
facts:
  - id: fixture.signed
    value: "{value}"
    unit: date
    label: {{zh: 挂牌, en: launch}}
    source: range-source
    quote: "2016年8月31日决定设立，并于2017年4月1日正式挂牌"
{figure}"""


def test_a_date_fact_among_several_dates_says_which(tmp_path):
    """Any of a quote's dates would pass as a date fact's value: with several, the fact
    names its own with figure:, and then no other date passes."""
    root, sources = _fact_base(tmp_path)
    (sources / RANGE_SOURCE).write_text(
        "2016年8月31日决定设立，并于2017年4月1日正式挂牌。", "utf-8"
    )
    path = root / "facts" / "zz-ranges.yaml"

    def errors(value: str, figure: str = "") -> list[str]:
        text = SEVERAL.format(value=value, figure=f'    figure: "{figure}"\n' if figure else "")
        path.write_text(text, encoding="utf-8")
        return [p.message for p in _errors(root, sources)]

    assert errors("2017-04-01") == [
        "fact 'fixture.signed': value 2017-04-01: its quote states several dates "
        "(2016年8月31日, 2017年4月1日)"
    ]
    assert errors("2017-04-01", "2017年4月1日") == []
    assert errors("2016-08-31", "2017年4月1日") != []


def test_the_sources_own_time_and_its_month(tmp_path):
    """目前 / currently is the source's date; a month no quote states, and not the
    source's, needs a note."""
    root, sources = _fact_base(tmp_path)
    (sources / RANGE_SOURCE).write_text("目前共有47个小镇。共建成30个园区。", "utf-8")
    with (root / "facts" / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write("    issued: 2021-09-20\n")
    path = root / "facts" / "zz-ranges.yaml"
    fact = (
        'facts:\n  - {{id: fixture.now, value: {v}, unit: town, date: "{d}", '
        'label: {{zh: 小镇, en: towns}}, source: range-source, quote: "{q}"}}\n'
    )
    path.write_text(fact.format(v=47, d="2021-09", q="目前共有47个小镇"), encoding="utf-8")
    assert _errors(root, sources) == []
    path.write_text(fact.format(v=47, d="2021-12", q="目前共有47个小镇"), encoding="utf-8")
    assert [p.message for p in _errors(root, sources)] == [
        "fact 'fixture.now': date 2021-12: its quote dates the figure '目前', the time of "
        "its source (2021-09-20)"
    ]
    path.write_text(fact.format(v=30, d="2021-03", q="共建成30个园区"), encoding="utf-8")
    assert [p.message for p in _errors(root, sources)] == [
        "fact 'fixture.now': date 2021-03: its quote states no date for the figure, and none "
        "of its dates is 2021-03"
    ]


@pytest.mark.parametrize(
    ("quote", "value", "percent"),
    [
        ("3月份政府收入約238億6,840萬元", Decimal(23_868_400_000), False),  # 亿 then 万
        ("佔政府經常性開支的兩成二", Decimal(22), True),  # two tenths and two hundredths
        ("Nearly 1 in 3 residents", Decimal(100) / 3, True),
    ],
)
def test_figures_the_grown_corpus_found(quote, value, percent):
    (figure,) = [f for f in read_quote(quote).figures if f.high is None]
    assert (figure.value, figure.percent) == (value, percent)


def test_an_events_date_and_a_spans_base_date_no_figure():
    quote = "it is only half the level set in the weeks after the attacks in 2001."
    assert [d.base for d in read_quote(quote).dates] == [True]
    quote = "新一年度的预算案财政开支,较二零零七至二零零八年度增加约两成"
    assert [d.base for d in read_quote(quote).dates] == [True]
