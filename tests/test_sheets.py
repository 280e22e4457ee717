"""Spreadsheets in: facts proven by the cells of a dataset (.xlsx, .csv), facts files and
batch rows written as tables, the cell printed in the note, and the facts whose cells
changed since ``cells-stamp``. Every workbook is made here, with openpyxl."""

from __future__ import annotations

import csv
import datetime
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import find_all, parse_html, text_of, write_files

from policybrief.build.pipeline import Options, build, load_and_check
from policybrief.check.cells import STAMP, cells_stamp, check_cells
from policybrief.core.errors import InputError
from policybrief.load.project import load_project
from policybrief.load.sheets import SheetError, read_table

DATASET_SOURCE = """
  yearbook:
    file: yearbook.xlsx
    kind: dataset
    title: {zh: 测试统计年鉴, en: Test statistical yearbook, zh-Hant: 測試統計年鑑}
    author: {zh: 测试统计局, en: Test Statistics Bureau, zh-Hant: 測試統計局}
    publication: {zh: 为测试而做, en: Made for the tests, zh-Hant: 為測試而做}
    year: 2024
"""

CELL_FACTS = """\
facts:
  - id: region.gdp.zhejiang
    value: 8255320000000
    unit: cny
    date: "2023"
    label: {zh: 地区生产总值, en: regional GDP, zh-Hant: 地區生產總值}
    source: yearbook
    cell: {sheet: GDP, row: 浙江, column: 2023, scale: 亿, table: {zh: 表3, en: Table 3, zh-Hant: 表3}}

  - id: region.growth.zhejiang
    value: 6
    unit: percent
    date: "2023"
    label: {zh: 地区生产总值增速, en: GDP growth, zh-Hant: 地區生產總值增速}
    source: yearbook
    cell: {sheet: GDP, cell: D3}

  - id: region.people.zhejiang
    value: 66270000
    unit: person
    date: "2023"
    label: {zh: 常住人口, en: residents, zh-Hant: 常住人口}
    source: yearbook
    cell: {sheet: People, cell: B2, scale: 万}
"""


def make_workbook(path: Path, gdp_zhejiang: float = 82553.2, cached: bool = True) -> Path:
    """A yearbook: GDP by region (亿元) under a merged header, growth as a percentage
    cell, and a sheet whose population is a formula."""
    book = openpyxl.Workbook()
    gdp = book.active
    gdp.title = "GDP"
    gdp.append(["地区", "地区生产总值（亿元）", None, "增速"])
    gdp.merge_cells("B1:C1")
    gdp.append([None, 2022, 2023, None])
    gdp.append(["浙江", 77715.4, gdp_zhejiang, 0.06])
    gdp.append(["江苏", 122875.6, 128222.2, 0.058])
    gdp["D3"].number_format = "0.0%"
    gdp["D4"].number_format = "0.0%"
    gdp["C3"].number_format = "0"  # shown as 82553: the stored figure counts
    people = book.create_sheet("People")
    people.append(["地区", "常住人口（万人）"])
    people.append(["浙江", 6627])
    people.append(["合计", "=B2"])
    book.save(path)
    if not cached:
        return path
    return path


@pytest.fixture
def project(fixture_project: Path) -> Path:
    """The fixture project with a dataset source and three facts from its cells."""
    sources = fixture_project / "facts" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + DATASET_SOURCE, encoding="utf-8")
    write_files(fixture_project, {"facts/region.yaml": CELL_FACTS})
    make_workbook(fixture_project / "sources" / "yearbook.xlsx")
    return fixture_project


def cell_problems(root: Path) -> list[str]:
    loaded, problems = load_project(root, (), None)
    assert [str(p) for p in problems if p.severity == "error"] == []
    return [str(p) for p in check_cells(loaded)]


def test_facts_from_cells_are_proven(project: Path) -> None:
    assert cell_problems(project) == []


def test_a_wrong_value_is_caught_with_its_line(project: Path) -> None:
    facts = project / "facts" / "region.yaml"
    facts.write_text(
        CELL_FACTS.replace("value: 8255320000000", "value: 8255330000000"), encoding="utf-8"
    )
    assert cell_problems(project) == [
        "facts/region.yaml:2: fact 'region.gdp.zhejiang': value 8255330000000 does not match "
        "cell GDP!C3 of yearbook.xlsx, which holds 82553.2 (times 100000000: 8255320000000) "
        "(the value is the cell's figure times cell: scale (rounded, with qualifier: about); "
        "copy it from the cell, or point cell: at the right one)"
    ]


def write_facts(root: Path, old: str, new: str) -> None:
    text = CELL_FACTS.replace(old, new)
    assert text != CELL_FACTS
    (root / "facts" / "region.yaml").write_text(text, encoding="utf-8")


def test_the_stored_figure_counts_not_the_displayed_one(project: Path) -> None:
    # C3 is formatted "0": a reader of the workbook sees 82553, the cell stores 82553.2.
    # The rounded figure is proven only as rounded (about), the full one as exact.
    write_facts(project, "value: 8255320000000", "value: 8255300000000")
    assert cell_problems(project) == [
        "facts/region.yaml:2: fact 'region.gdp.zhejiang': value 8255300000000 rounds the "
        "figure in cell GDP!C3 of yearbook.xlsx, 82553.2 (times 100000000: 8255320000000), "
        "but its qualifier is exact (use qualifier: about, or write the value in full)"
    ]
    write_facts(project, "value: 8255320000000", "value: 8255300000000\n    qualifier: about")
    assert cell_problems(project) == []


def test_a_percentage_cell_is_its_percentage(project: Path) -> None:
    # D3 stores 0.06, formatted as 6.0%: a percent fact of 6 is proven (above); a count
    # from it is not
    write_facts(project, "unit: percent", "unit: person")
    assert cell_problems(project) == [
        "facts/region.yaml:10: fact 'region.growth.zhejiang': cell GDP!D3 of yearbook.xlsx "
        "is a percentage (6%), but unit 'person' is not (use a percent unit)"
    ]


def test_a_formula_without_a_saved_value_says_to_save_the_workbook(project: Path) -> None:
    # openpyxl writes formulas without their results, as a script that makes a workbook does
    write_facts(
        project,
        "cell: {sheet: People, cell: B2, scale: 万}",
        "cell: {sheet: People, cell: B3, scale: 万}",
    )
    assert cell_problems(project) == [
        "facts/region.yaml:18: fact 'region.people.zhejiang': cell People!B3 of "
        "yearbook.xlsx: the cell holds the formula =B2 with no saved "
        "value (open the workbook in Excel or LibreOffice and save it, so it keeps the result)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "sheet: People, cell: B2",
            "sheet: Population, cell: B2",
            "facts/region.yaml:18: fact 'region.people.zhejiang': cell Population!B2 of "
            "yearbook.xlsx: no sheet 'Population' (sheets: 'GDP', 'People')",
        ),
        (
            "row: 浙江",
            "row: 浙江省",
            "facts/region.yaml:2: fact 'region.gdp.zhejiang': cell GDP!['浙江省', '2023'] of "
            "yearbook.xlsx: no row headed '浙江省' in sheet 'GDP' (copy the header from the "
            "table, character for character)",
        ),
        (
            "column: 2023",
            "column: 地区生产总值（亿元）",
            "facts/region.yaml:2: fact 'region.gdp.zhejiang': cell GDP!['浙江', "
            "'地区生产总值（亿元）'] of yearbook.xlsx: row '浙江' and column '地区生产总值（亿元）' "
            "meet in 2 cells (B3, C3) (name the header above or beside them too: "
            "column: [2023, Q1])",
        ),
        (
            "sheet: People, cell: B2",
            "sheet: People, cell: F9",
            "facts/region.yaml:18: fact 'region.people.zhejiang': cell People!F9 of "
            "yearbook.xlsx: the cell is empty",
        ),
    ],
)
def test_a_cell_not_there_is_a_clear_error(project: Path, old: str, new: str, message: str):
    write_facts(project, old, new)
    assert cell_problems(project) == [message]


def test_merged_headers_are_named_level_by_level(project: Path) -> None:
    # 地区生产总值（亿元） is merged over B1:C1; with the year under it, one cell is meant
    write_facts(project, "column: 2023", "column: [地区生产总值（亿元）, 2023]")
    assert cell_problems(project) == []


def test_a_cell_of_a_source_that_is_not_a_dataset(project: Path) -> None:
    write_facts(
        project,
        "source: yearbook\n    cell: {sheet: GDP, cell: D3}",
        "source: qiaotou-case\n    cell: {sheet: GDP, cell: D3}",
    )
    assert cell_problems(project) == [
        "facts/region.yaml:10: fact 'region.growth.zhejiang': 'cell' names a cell of source "
        "'qiaotou-case', which is not a dataset (a fact from a table cites a source of kind: "
        "dataset (a .csv or .xlsx file))"
    ]


def test_a_damaged_workbook_stops_check_with_exit_1(project: Path, capsys) -> None:
    from policybrief.cli.main import main

    (project / "sources" / "yearbook.xlsx").write_bytes(b"not a zip file at all")
    assert main(["check", "--fast", "--project", str(project)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    sources = (project / "facts" / "sources.yaml").read_text(encoding="utf-8").splitlines()
    line = sources.index("  yearbook:") + 1
    assert (
        f"facts/sources.yaml:{line}: source 'yearbook': yearbook.xlsx is not an Excel workbook "
        "(.xlsx) (open it and save it as .xlsx)"
    ) in captured.err.splitlines()


def test_a_changed_cell_is_reported_after_cells_stamp(project: Path) -> None:
    loaded, _ = load_project(project, (), None)
    assert cells_stamp(loaded) == (STAMP, 3, 0)
    stamp = (project / STAMP).read_text(encoding="utf-8")
    assert '"region.gdp.zhejiang": {source: "yearbook", at: "GDP!C3", figure: "82553.2"}' in stamp
    assert cell_problems(project) == []
    # the yearbook's next edition revises Zhejiang's GDP
    make_workbook(project / "sources" / "yearbook.xlsx", gdp_zhejiang=82631.0)
    assert cell_problems(project) == [
        "facts/region.yaml:2: fact 'region.gdp.zhejiang': value 8255320000000 does not match "
        "cell GDP!C3 of yearbook.xlsx, which holds 82631 (times 100000000: 8263100000000) "
        "(the value is the cell's figure times cell: scale (rounded, with qualifier: about); "
        "copy it from the cell, or point cell: at the right one)",
        "facts/region.yaml:2: warning: fact 'region.gdp.zhejiang': cell GDP!C3 of "
        "yearbook.xlsx changed since the last cells-stamp: it held 82553.2, now 82631 (check "
        "the fact against the new figure, then run python build.py cells-stamp)",
    ]
    # the office corrects the fact and stamps again: nothing left to report
    write_facts(project, "value: 8255320000000", "value: 8263100000000")
    loaded, _ = load_project(project, (), None)
    assert cells_stamp(loaded) == (STAMP, 3, 1)
    assert cell_problems(project) == []


def test_a_changed_cell_still_rounding_to_the_value_is_reported(project: Path) -> None:
    # the proof alone would pass (82553.4 is still about 82553): the stamp catches it
    write_facts(project, "value: 8255320000000", "value: 8255300000000\n    qualifier: about")
    loaded, _ = load_project(project, (), None)
    cells_stamp(loaded)
    make_workbook(project / "sources" / "yearbook.xlsx", gdp_zhejiang=82553.4)
    assert cell_problems(project) == [
        "facts/region.yaml:2: warning: fact 'region.gdp.zhejiang': cell GDP!C3 of "
        "yearbook.xlsx changed since the last cells-stamp: it held 82553.2, now 82553.4 "
        "(check the fact against the new figure, then run python build.py cells-stamp)"
    ]


def cite_in_qiaotou(root: Path) -> None:
    """The fixture brief cites the facts from the yearbook, in both languages."""
    lines = {
        "en": 'For scale, the province\'s GDP was {{ fact("region.gdp.zhejiang") }}, growing '
        '{{ fact("region.growth.zhejiang") }}, for {{ fact("region.people.zhejiang") }}.',
        "zh": '作为参照，全省地区生产总值{{ fact("region.gdp.zhejiang") }}，增长'
        '{{ fact("region.growth.zhejiang") }}，常住人口{{ fact("region.people.zhejiang") }}。',
    }
    for lang, line in lines.items():
        path = root / "briefs" / "qiaotou" / f"{lang}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\n# lessons", f"\n{line}\n\n# lessons"), encoding="utf-8")


def test_the_note_prints_the_table_and_cell_in_each_language(project: Path) -> None:
    cite_in_qiaotou(project)
    build(
        Options(
            root=project,
            briefs=("qiaotou",),
            audiences=("full-report",),
            formats=("html",),
        )
    )
    places = {}
    for lang in ("en", "zh"):
        page = parse_html(project / "dist" / "qiaotou" / f"full-report.{lang}.html")
        places[lang] = [text_of(span) for span in find_all(page, "span", **{"class": "note-cell"})]
    assert places["en"] == [
        "Table 3, sheet ‘GDP’, row ‘浙江’, column ‘2023’.",
        "Sheet ‘GDP’, cell D3.",
        "Sheet ‘People’, cell B2.",
    ]
    assert places["zh"] == [
        "表3，工作表“GDP”，“浙江”行“2023”列。",
        "工作表“GDP”，单元格D3。",
        "工作表“People”，单元格B2。",
    ]
    # the fact base page prints it under the source, and no empty quote
    facts_page = parse_html(project / "dist" / "facts.html")
    entry = next(e for e in find_all(facts_page, "article") if e.get("id") == "region.gdp.zhejiang")
    assert [text_of(s) for s in find_all(entry, "span", **{"class": "note-cell"})] == [
        "Table 3, sheet ‘GDP’, row ‘浙江’, column ‘2023’"
    ]
    assert "Quote" not in [text_of(dt) for dt in find_all(entry, "dt")]


# -- facts files and batch rows written as tables ----------------------------------------

TABLE_HEADER = [
    "id",
    "value",
    "unit",
    "qualifier",
    "date",
    "label.zh",
    "label.en",
    "label.zh-Hant",
    "source",
    "quote",
    "cell.sheet",
    "cell.row",
    "cell.column",
    "cell.scale",
    "derived.op",
    "derived.from",
]
JIANGSU = [
    "region.gdp.jiangsu",
    12822220000000,
    "cny",
    None,
    datetime.date(2023, 12, 31),
    "地区生产总值",
    "regional GDP",
    "地區生產總值",
    "yearbook",
    None,
    "GDP",
    "江苏",
    2023,
    "亿",
]
STAFF = [
    "qiaotou.staff.csv",
    8000,
    "person",
    "nearly",
    2016,
    "园区从业人员",
    "people working in the park",
    "園區從業人員",
    "qiaotou-case",
    "2016年，园区从业人员近8000人",
]


def test_a_facts_workbook_is_a_facts_file(project: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Facts"
    sheet.append(TABLE_HEADER)
    sheet.append(JIANGSU)
    sheet.append(STAFF)
    both = ["region.gdp.both", None, "cny", None, "2023", "两省合计", "the two provinces"]
    sheet.append([*both, "兩省合計", *[None] * 6, "sum", "region.gdp.jiangsu, region.gdp.zhejiang"])
    book.create_sheet("_notes").append(["Kept by the office; not read."])
    book.save(project / "facts" / "provinces.xlsx")
    loaded, problems = load_project(project, (), None)
    assert [str(p) for p in problems if p.severity == "error"] == []
    jiangsu = loaded.facts.facts["region.gdp.jiangsu"]
    assert (jiangsu.loc.path, jiangsu.loc.line) == ("facts/provinces.xlsx:Facts", 2)
    assert str(jiangsu.date) == "2023-12-31"
    assert jiangsu.cell is not None and jiangsu.cell.column == ("2023",)
    assert loaded.facts.facts["qiaotou.staff.csv"].qualifier == "nearly"
    assert loaded.facts.facts["region.gdp.both"].value == 12822220000000 + 8255320000000
    assert [str(p) for p in check_cells(loaded)] == []
    # a wrong figure is reported at the sheet and row that hold it
    sheet["B3"] = 9000
    book.save(project / "facts" / "provinces.xlsx")
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=project))
    errors = [str(p) for p in caught.value.problems if p.severity == "error"]
    assert errors == [
        "facts/provinces.xlsx:Facts:3: fact 'qiaotou.staff.csv': value 9000 does not match "
        "its quote, which says 近8000 (the value is in whole units; if the quote states the "
        "figure another way, write it as the quote does or give figure: the words that state it)"
    ]


def test_a_facts_csv_is_a_facts_file(project: Path) -> None:
    # as Excel writes it: a byte-order mark, CRLF, a figure with a thousands separator
    bad = ["qiaotou.staff.bad", "8,000", "person", "almost", *STAFF[4:]]
    with (project / "facts" / "more.csv").open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([TABLE_HEADER, STAFF, bad])
    loaded, problems = load_project(project, (), None)
    assert [str(p) for p in problems if p.severity == "error"] == [
        "facts/more.csv:3: fact 'qiaotou.staff.bad': unknown qualifier 'almost' (allowed: "
        "exact, over, nearly, about, more_than, up_to)"
    ]
    assert loaded.facts.facts["qiaotou.staff.csv"].value == 8000
    assert loaded.facts.facts["qiaotou.staff.bad"].value == 8000


def test_batch_rows_from_a_workbook_with_figures_from_cells(project: Path) -> None:
    from test_batch import BATCH

    files = dict(BATCH)
    files["briefs/members/brief.yaml"] = BATCH["briefs/members/brief.yaml"].replace(
        "rows: rows.yaml", "rows: rows.xlsx"
    )
    del files["briefs/members/rows.yaml"]
    write_files(project, files)
    book = openpyxl.Workbook()
    rows = book.active
    rows.title = "Rows"
    rows.append(
        ["slug", "name.zh", "name.en", "kind.zh", "kind.en", "team", "team.value"]
        + ["team.source", "team.cell.sheet", "team.cell.cell", "team.cell.scale"]
    )
    rows.append(
        ["park", "桥头镇数字产业园", "The Qiaotou park", "一个数字产业园", "a digital park"]
    )
    rows["F2"] = "qiaotou.staff.2016"
    rows.append(["zhejiang", "浙江", "Zhejiang", "一个省", "a province", None, 66270000])
    rows["H3"], rows["I3"], rows["J3"], rows["K3"] = "yearbook", "People", "B2", "万"
    book.save(project / "briefs" / "members" / "rows.xlsx")
    loaded, _problems = load_and_check(Options(root=project))
    made = loaded.facts.facts["members.zhejiang.team"]
    assert made.cell is not None and made.cell.where() == "People!B2"
    assert loaded.briefs["members-zhejiang"].row.figures["team"] == "members.zhejiang.team"  # type: ignore[union-attr]
    # the cell proves the row's figure as it proves any fact's
    rows["G3"] = 66280000
    book.save(project / "briefs" / "members" / "rows.xlsx")
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=project))
    assert [str(p) for p in caught.value.problems if p.severity == "error"] == [
        "briefs/members/rows.xlsx:Rows:3: fact 'members.zhejiang.team': value 66280000 does "
        "not match cell People!B2 of yearbook.xlsx, which holds 6627 (times 10000: 66270000) "
        "(the value is the cell's figure times cell: scale (rounded, with qualifier: about); "
        "copy it from the cell, or point cell: at the right one)"
    ]


def test_a_csv_dataset_as_excel_writes_it_on_a_chinese_windows(project: Path) -> None:
    # GB 18030, a figure with its thousands separator (as displayed), a blank row, no sheets
    table = '地区,2022,2023\r\n\r\n浙江,"77,715.4",82553.2\r\n江苏,"122,875.6",128222.2\r\n'
    (project / "sources" / "yearbook.csv").write_bytes(table.encode("gb18030"))
    sources = project / "facts" / "sources.yaml"
    text = sources.read_text(encoding="utf-8").replace("yearbook.xlsx", "yearbook.csv")
    sources.write_text(text, encoding="utf-8")
    facts = """\
facts:
  - id: region.gdp.zhejiang.2022
    value: 7771540000000
    unit: cny
    date: "2022"
    label: {zh: 地区生产总值, en: regional GDP, zh-Hant: 地區生產總值}
    source: yearbook
    cell: {row: 浙江, column: 2022, scale: 亿}
  - id: region.gdp.jiangsu.2023
    value: 12822220000000
    unit: cny
    date: "2023"
    label: {zh: 地区生产总值, en: regional GDP, zh-Hant: 地區生產總值}
    source: yearbook
    cell: {cell: C4, scale: 100000000}
"""
    (project / "facts" / "region.yaml").write_text(facts, encoding="utf-8")
    assert cell_problems(project) == []
    (project / "facts" / "region.yaml").write_text(facts.replace("C4", "C5"), encoding="utf-8")
    assert cell_problems(project) == [
        "facts/region.yaml:9: fact 'region.gdp.jiangsu.2023': cell C5 of yearbook.csv: the "
        "cell is empty"
    ]


def test_a_percentage_written_as_text_is_one(project: Path) -> None:
    (project / "sources" / "yearbook.csv").write_text("地区,增速\n浙江,6%\n", encoding="utf-8")
    sources = project / "facts" / "sources.yaml"
    text = sources.read_text(encoding="utf-8").replace("yearbook.xlsx", "yearbook.csv")
    sources.write_text(text, encoding="utf-8")
    growth = """\
facts:
  - id: region.growth.zhejiang
    value: 6
    unit: percent
    label: {zh: 增速, en: growth, zh-Hant: 增速}
    source: yearbook
    cell: {row: 浙江, column: 增速}
"""
    write_files(project, {"facts/region.yaml": growth})
    assert cell_problems(project) == []
    write_files(project, {"facts/region.yaml": growth.replace("unit: percent", "unit: person")})
    assert cell_problems(project) == [
        "facts/region.yaml:2: fact 'region.growth.zhejiang': cell B2 of yearbook.csv is a "
        "percentage (6%), but unit 'person' is not (use a percent unit)"
    ]


def test_a_claim_cannot_cite_a_dataset(project: Path) -> None:
    claims = "claims:\n  - id: region.first\n    label: {zh: 首个, en: the first, zh-Hant: 首個}\n"
    claims += '    source: yearbook\n    quote: "全省首个"\n'
    write_files(project, {"facts/claims.yaml": claims})
    assert cell_problems(project) == [
        "facts/claims.yaml:2: claim 'region.first': source 'yearbook' is a dataset, which "
        "states no words (a claim quotes a text; a figure from the dataset is a fact with cell:)"
    ]


def test_a_fact_from_a_cell_quotes_nothing(project: Path) -> None:
    write_facts(
        project, "cell: {sheet: GDP, cell: D3}", 'quote: "增速6%"\n    cell: {sheet: GDP, cell: D3}'
    )
    assert cell_problems(project) == [
        "facts/region.yaml:10: fact 'region.growth.zhejiang': a fact from a cell has no "
        "quote: the cell states its value (leave out quote (the note prints the table and cell))"
    ]


def spread_merge(path: Path) -> None:
    """Merge F1:ZZ100000 in the XML itself (openpyxl would make each merged cell to save it)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (
        parts["xl/worksheets/sheet1.xml"]
        .replace(
            b'<mergeCell ref="B1:C1"/>', b'<mergeCell ref="B1:C1"/><mergeCell ref="F1:ZZ100000"/>'
        )
        .replace(b'mergeCells count="1"', b'mergeCells count="2"')
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def stray_cell(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    book["GDP"]["XFD1048576"] = 1
    book.save(path)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (
            stray_cell,
            "sheet 'GDP' spans 1,048,576 rows and 16,384 columns; the limit is 2,000,000 "
            "cells (delete what lies beyond the table (a stray cell far right or far down))",
        ),
        (
            spread_merge,
            "yearbook.xlsx: its merged cells cover 69,700,002 cells; the limit is 2,000,000 "
            "(unmerge what lies beyond the table)",
        ),
    ],
    ids=["stray cell", "merged range"],
)
def test_a_workbook_that_would_fill_the_memory_is_refused(project: Path, spoil, message):
    """A small file that declares billions of cells is refused before they are made."""
    path = project / "sources" / "yearbook.xlsx"
    spoil(path)
    with pytest.raises(SheetError) as caught:
        read_table(path)
    assert f"{caught.value.message} ({caught.value.hint})" == message
