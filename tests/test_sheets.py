"""Spreadsheets in: facts proven by the cells of a dataset (.xlsx, .csv), facts files and
batch rows written as tables, the cell printed in the note, and the facts whose cells
changed since ``cells-stamp``. Every workbook is made here, with openpyxl."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest
from helpers import find_all, parse_html, run_cli, text_of, write_files

from policybrief.build.pipeline import Options, build, load_and_check
from policybrief.check.cells import STAMP, cells_stamp, check_cells
from policybrief.core.errors import InputError
from policybrief.load.project import load_project

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
        "(the value is the cell's figure times cell: scale, rounded to the places it is "
        "written to; copy it from the cell, or point cell: at the right one)"
    ]
