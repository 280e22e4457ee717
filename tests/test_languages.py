"""Languages are data (issue 22): the fixture declares a third language, zh-Hant, and builds
it end to end with no engine change; parity runs across all three; a language the engine's
table does not name (de, fr) works from Babel's data and its catalog."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from helpers import ROOT, find_all, parse_html, pdf_pages, run_cli, squash, text_of, write_files

from policybrief.build.pipeline import Options, build, load_and_check
from policybrief.check.parity import sync_stamps
from policybrief.core.errors import InputError
from policybrief.core.i18n import format_number
from policybrief.core.languages import language
from policybrief.core.model import PartialDate, Unit
from policybrief.load.project import load_project

HANT = "zh-Hant"


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


def problems_of(root: Path) -> list[str]:
    try:
        _project, problems = load_and_check(Options(root=root))
    except InputError as exc:
        problems = exc.problems
    return [str(p) for p in problems]


# -- the third language, end to end ---------------------------------------------------------


def test_the_html_page_declares_the_language_and_prints_its_numbers(fixture_dist):
    root = parse_html(fixture_dist / "hexi" / f"full-report.{HANT}.html")
    assert root.get("lang") == HANT
    # without the word joiners that hold a digit to its unit (render/typography.py)
    figures = {
        s.get("data-fact"): text_of(s).replace("\u2060", "")
        for s in find_all(root, "span", class_="fact")
    }
    # Babel's zh_Hant words for large numbers (萬, 億), the engine's Chinese 多
    assert figures["hexi.investment"] == "35億元"
    assert figures["hexi.residents.2017"] == "6萬多人"
    assert figures["hexi.area"] == "近12平方公里"
    # the qualifier's words come from the zh_Hant catalog
    assert figures["hexi.firms.2017"] == "約300家"
    labels = [text_of(s) for s in find_all(root, "span", class_="exhibit-label")]
    assert labels[:2] == ["圖1", "圖2"]
    # the language switch names each of the brief's languages in itself
    zh = parse_html(fixture_dist / "hexi" / "full-report.zh.html")
    switch = next(find_all(zh, "span", class_="languages"))
    assert [text_of(e).strip() for e in switch if text_of(e).strip()] == [
        "中文",
        "English",
        "繁體中文",
    ]


def test_the_pdf_prints_the_number_as_the_locale_writes_it(fixture_dist):
    text = squash("".join(pdf_pages(fixture_dist / "hexi" / f"full-report.{HANT}.pdf")))
    assert "35億元" in text
    assert "河西新城：以綠地率為先的新城建設" in text
    assert "頁，共" in text  # the catalog's page footer (the cover has none)


def test_the_word_edition_is_tagged_with_the_language(fixture_dist):
    document = docx.Document(str(fixture_dist / "hexi" / f"full-report.{HANT}.docx"))
    defaults = document.styles.element.find(qn("w:docDefaults"))
    tag = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    # Babel's likely region for Traditional Chinese: Taiwan, as Word names it
    assert (tag.get(qn("w:val")), tag.get(qn("w:eastAsia"))) == ("zh-TW", "zh-TW")
    assert document.core_properties.language == "zh-TW"
    assert document.core_properties.subject == "研究報告"  # the audience's zh-Hant label
    text = "\n".join(p.text for p in document.paragraphs)
    assert "35億元" in text


def test_the_references_and_chart_data_exist_for_the_language(fixture_dist):
    exported = json.loads((fixture_dist / "hexi" / "references.json").read_text("utf-8"))
    assert [item["id"] for item in exported] == ["hexi-report"]
    root = parse_html(fixture_dist / "hexi" / f"full-report.{HANT}.html")
    listed = [
        text_of(li) for li in find_all(next(find_all(root, "section", id="references")), "li")
    ]
    assert len(listed) == 1 and "河西新城绿色发展报告" in listed[0]  # the title as published
    rows = (fixture_dist / "hexi" / f"firms.{HANT}.csv").read_text("utf-8-sig").splitlines()
    assert any(row.startswith("合計,") for row in rows)  # the catalog's "Total"
    index = parse_html(fixture_dist / "index.html")
    names = {text_of(td) for td in find_all(index, "td", lang=HANT)}
    assert "繁體中文" in names


# -- parity and staleness across three languages ------------------------------------------


def test_a_citation_missing_in_the_third_language_is_reported_at_its_file(fixture_project):
    text = fixture_project / "briefs" / "hexi" / f"{HANT}.md"
    text.write_text(
        text.read_text("utf-8").replace('規劃面積{{ fact("hexi.area") }}，', ""), "utf-8"
    )
    heading = line_of(text, "# background")
    zh_line = line_of(fixture_project / "briefs/hexi/zh.md", 'fact("hexi.area")')
    assert problems_of(fixture_project) == [
        f"briefs/hexi/{HANT}.md:{heading}: warning: section 'background' in {HANT} does not "
        f"cite 'hexi.area', which briefs/hexi/zh.md:{zh_line} cites in zh (cite it in "
        f"briefs/hexi/{HANT}.md too, or declare the difference under parity: in brief.yaml)"
    ]


def test_no_language_is_the_reference_a_gap_in_the_first_is_reported_once(fixture_project):
    text = fixture_project / "briefs" / "hexi" / "zh.md"
    text.write_text(
        text.read_text("utf-8").replace('规划面积{{ fact("hexi.area") }}，', ""), "utf-8"
    )
    heading = line_of(text, "# background")
    en_line = line_of(fixture_project / "briefs/hexi/en.md", 'fact("hexi.area")')
    assert problems_of(fixture_project) == [
        f"briefs/hexi/zh.md:{heading}: warning: section 'background' in zh does not cite "
        f"'hexi.area', which briefs/hexi/en.md:{en_line} cites in en (cite it in "
        "briefs/hexi/zh.md too, or declare the difference under parity: in brief.yaml)"
    ]


def test_an_edit_in_one_language_leaves_the_other_two_stale(fixture_project):
    _project, _ = load_and_check(Options(root=fixture_project))
    project, _problems = load_project(fixture_project)
    assert sync_stamps(fixture_project, project.briefs, ("hexi",)) == [("briefs/hexi/sync.yaml", 0)]
    stamp = (fixture_project / "briefs/hexi/sync.yaml").read_text("utf-8")
    assert f"    {HANT}: [" in stamp
    assert problems_of(fixture_project) == []
    text = fixture_project / "briefs" / "hexi" / f"{HANT}.md"
    text.write_text(text.read_text("utf-8").replace("投資回收也更慢", "投資回收也慢得多"), "utf-8")
    at = line_of(text, "投資回收也慢得多")
    expected = []
    for lang in ("en", "zh"):
        heading = line_of(fixture_project / f"briefs/hexi/{lang}.md", "# lessons")
        expected.append(
            f"briefs/hexi/{lang}.md:{heading}: warning: section 'lessons' in {lang} is stale: "
            f"briefs/hexi/{HANT}.md:{at} changed it in {HANT} since the three were last in "
            f"line (bring briefs/hexi/{lang}.md in line, then run python build.py sync-stamp "
            "--brief hexi)"
        )
    assert problems_of(fixture_project) == expected


# -- a missing translation is an error at its line ----------------------------------------


def test_a_text_without_a_declared_language_is_an_error_at_its_line(fixture_project):
    facts = fixture_project / "facts" / "hexi.yaml"
    facts.write_text(facts.read_text("utf-8").replace(", zh-Hant: 規劃面積}", "}"), "utf-8")
    units = fixture_project / "facts" / "units.yaml"
    units.write_text(units.read_text("utf-8").replace(", zh-Hant: 平方公里}", "}"), "utf-8")
    label = line_of(facts, "label: {zh: 规划面积")
    unit = line_of(units, "sqkm:")
    found = problems_of(fixture_project)
    assert (
        f"facts/hexi.yaml:{label}: fact 'hexi.area': no label in {HANT} (add label.{HANT})" in found
    )
    assert (
        f"facts/units.yaml:{unit}: unit 'sqkm': no name in {HANT} "
        f"(add {HANT}: [singular, plural] (or one word))"
    ) in found


def test_a_brief_text_needs_only_the_briefs_languages(fixture_project):
    # qiaotou is written in zh and en only: its authors and chart titles have no zh-Hant
    brief = (fixture_project / "briefs/qiaotou/brief.yaml").read_text("utf-8")
    assert "zh-Hant" not in brief
    assert problems_of(fixture_project) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            '["zh", "zh_Hant"]',
            "languages: 'zh_Hant' is not a language code (a BCP 47 tag such as zh, en, "
            "zh-Hant, fr; write it with hyphens: 'zh-Hant') (see README: languages)",
        ),
        (
            '["zh", "xx"]',
            "languages: 'xx' is not a language Babel knows (its locale data has no 'xx') "
            "(see README: languages)",
        ),
        ('["zh", "en", "zh"]', "languages: 'zh' is listed twice (list each language once)"),
    ],
)
def test_a_bad_language_setting_is_an_error_at_its_line(fixture_project, value, message):
    settings = fixture_project / "pyproject.toml"
    text = settings.read_text("utf-8").replace(
        'languages = ["zh", "en", "zh-Hant"]', f"languages = {value}"
    )
    settings.write_text(text, "utf-8")
    result = run_cli("check", "-q", "--project", str(fixture_project))
    assert result.returncode == 1
    line = line_of(settings, "languages = ")
    assert result.stderr.splitlines()[0] == f"pyproject.toml:{line}: {message}"


# -- a language the engine's table does not name --------------------------------------------


def test_french_works_from_babels_data_alone():
    fr = language("fr")
    assert (fr.tag, fr.region_tag, fr.name, fr.cjk, fr.rtl) == (
        "fr",
        "fr-FR",
        "français",
        False,
        False,
    )
    assert fr.reference_style == "chicago-author-date"
    person = Unit("person", "count", (("fr", ("personne", "personnes")),))
    cny = Unit("cny", "money", (), "CNY")
    percent = Unit("percent", "percent")
    # grouping with a narrow no-break space, a decimal comma, French plural rules and
    # Babel's long-scale words; the currency code after the amount, as fr writes ¤
    assert format_number(Decimal(40000), person, "exact", fr) == "40\u202f000 personnes"
    assert format_number(Decimal(1), person, "exact", fr) == "1 personne"
    assert format_number(Decimal("1500000"), person, "exact", fr) == "1,5 million personnes"
    assert format_number(Decimal(8_000_000_000), cny, "exact", fr) == "8 milliards CNY"
    assert format_number(Decimal(58), percent, "exact", fr) == "58\u00a0%"
    assert fr.date(PartialDate(2015, 4, 17)) == "17 avril 2015"
    # the engine's words are the catalog's: without a catalog they stay in English
    assert format_number(Decimal(40000), person, "over", fr) == "over 40\u202f000 personnes"
    worded = fr.with_words({"over %(figure)s": "plus de %(figure)s"})
    assert format_number(Decimal(40000), person, "over", worded) == "plus de 40\u202f000 personnes"


def test_traditional_chinese_takes_the_chinese_entry_and_babels_words():
    hant = language(HANT)
    assert (hant.tag, hant.region_tag, hant.name, hant.cjk) == (HANT, "zh-TW", "繁體中文", True)
    assert hant.reference_style == "gb-t-7714-2025-numeric"  # the table's zh entry
    cny = Unit("cny", "money", ((HANT, ("元", "元")),), "CNY")
    assert format_number(Decimal(6_300_000_000_000), cny, "exact", hant) == "6.3兆元"
    assert format_number(Decimal(8000), cny, "exact", hant) == "8000元"  # grouped from 10⁵
    assert format_number(Decimal(20000), cny, "more_than", hant) == "2萬多元"


GERMAN = {
    "pyproject.toml": '[tool.policybrief]\nsource_texts = "sources"\ntemplates = ["house"]\n'
    'languages = ["en", "de"]\n',
    "sources/report.txt": "In 2023 the fair drew nearly 40,000 people.\n",
    "facts/sources.yaml": """\
sources:
  report:
    file: report.txt
    title: {en: The fair report, de: Der Messebericht}
    author: {en: Fair office, de: Messebüro}
    publication: {en: Report, de: Bericht}
    year: 2024
""",
    "facts/units.yaml": """\
units:
  person: {en: [person, people], de: [Person, Personen]}
""",
    "facts/fair.yaml": """\
facts:
  - id: fair.visitors
    value: 40000
    unit: person
    qualifier: nearly
    date: "2023"
    label: {en: visitors, de: Besucher}
    source: report
    quote: "In 2023 the fair drew nearly 40,000 people."
""",
    "briefs/fair/brief.yaml": """\
date: 2024-05-01
topic: fairs
authors:
  - {en: Fair team, de: Messeteam}
audiences: [card]
key_figures: [fair.visitors]
""",
    "house/audiences.yaml": """\
audiences:
  card:
    template: decision-makers.html
    label: {en: Card, de: Karte}
    section_text: lead
    endnotes: compact
    charts: false
""",
    # a tiny catalog: the engine's word for "nearly"; the templates' words stay English
    "house/locales/de/LC_MESSAGES/messages.po": """\
msgid ""
msgstr ""
"Language: de\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#, python-format
msgid "nearly %(figure)s"
msgstr "fast %(figure)s"
""",
}
TEXT = """\
---
title: {title}
summary: {summary} {{{{ fact("fair.visitors") }}}}.
recommendations:
  - {rec}
  - {rec}
  - {rec}
---
# background

{summary} {{{{ fact("fair.visitors") }}}}.

# measures

{rec}

# outcomes

{rec}

# lessons

{rec}
"""


def test_an_engine_unknown_language_loads_with_defaults(tmp_path):
    """German is in no table of the engine: a code in the settings, a (tiny) catalog, a
    text per brief and the facts' German texts are all it takes."""
    import shutil

    root = write_files(tmp_path / "project", GERMAN)
    shutil.copytree(ROOT / "templates", root / "templates")
    write_files(
        root,
        {
            "briefs/fair/en.md": TEXT.format(title="The fair", summary="It drew", rec="Go."),
            "briefs/fair/de.md": TEXT.format(title="Die Messe", summary="Sie zog", rec="Hin."),
        },
    )
    project, problems = load_and_check(Options(root=root))
    # only warnings: the templates' words that the tiny catalog does not translate
    assert problems and all(p.severity == "warning" for p in problems)
    assert all("no de translation for" in p.message for p in problems)
    de = project.language("de")
    assert (de.tag, de.region_tag, de.name, de.cjk) == ("de", "de-DE", "Deutsch", False)
    out = tmp_path / "out"
    build(Options(root=root, out=out, formats=("html",)))
    page = parse_html(out / "fair" / "card.de.html")
    assert page.get("lang") == "de"
    figures = [text_of(s) for s in find_all(page, "span", class_="fact")]
    assert "fast 40.000 Personen" in figures  # the catalog's word, Babel's German digits
    english = parse_html(out / "fair" / "card.en.html")
    assert "nearly 40,000 people" in [text_of(s) for s in find_all(english, "span", class_="fact")]
