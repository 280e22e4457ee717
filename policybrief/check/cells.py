"""Check stage, cells: every fact that cites a dataset (a source of ``kind: dataset``, a
.csv or .xlsx file in the source folders) is proven by the cell its ``cell:`` names, as a
quote proves a figure (:mod:`policybrief.check.prove`).

The cell's figure as stored (:func:`policybrief.load.sheets.number`: every digit, a
formula's saved result, a percentage cell as the percentage), times the cell's ``scale``,
must equal the fact's value; a value that rounds it (to the places the value is written
to) needs a qualifier other than exact, as a derived figure that is rounded is "about".
Each disagreement is one problem at the fact's line.

``python build.py cells-stamp`` records each such fact's cell and figure in
``facts/cells-stamp.yaml`` (with each dataset's digest); ``check`` then reports, as warnings, the
facts whose cells hold another figure since: a new edition of the workbook.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from policybrief.core.errors import Problem
from policybrief.core.model import CellRef, Fact, FactBase, PartialDate, Project, Range, Source
from policybrief.load import yamlio
from policybrief.load.sheets import (
    SheetCell,
    SheetError,
    Table,
    address,
    locate,
    number,
    number_text,
    read_table,
    sheet_of,
)
from policybrief.load.yamlio import YMap, parse_date

STAMP = "facts/cells-stamp.yaml"
STAMP_HEADER = """\
# Written by `python build.py cells-stamp`: do not edit by hand; commit it with the facts.
# Each fact proven by a dataset cell, with the cell and its figure as they were when
# stamped, and each dataset's digest. `check` reports a fact whose cell holds another
# figure since (a new edition of the workbook) until it is checked and stamped again.
"""


@dataclass(frozen=True)
class CellReading:
    """A fact's cell as read now."""

    source: str
    at: str  # Sheet!C7, or C7 in a CSV file
    figure: str  # the figure as stored, in plain digits; a date as YYYY-MM-DD
    sha256: str  # the dataset's digest


class Datasets:
    """Each dataset source's table, read once from the first source folder that has its
    file; None when it is not there (a warning) or cannot be read (an error)."""

    def __init__(self, facts: FactBase, folders: tuple[Path, ...], problems: list[Problem]):
        self.facts, self.folders, self.problems = facts, folders, problems
        self.tables: dict[str, Table | None] = {}

    def get(self, source: Source) -> Table | None:
        if source.id not in self.tables:
            self.tables[source.id] = self._read(source)
        return self.tables[source.id]

    def _read(self, source: Source) -> Table | None:
        where = (source.loc.path, source.loc.line)
        for folder in self.folders:
            path = folder / source.file
            if not path.resolve().is_relative_to(folder.resolve()):
                message = f"dataset {source.file!r} resolves outside {folder}"
                self.problems.append(Problem(*where, message, "keep it inside the source folder"))
                return None
            if path.is_file():
                try:
                    return read_table(path)
                except SheetError as exc:
                    message = f"source {source.id!r}: {exc.message}"
                    self.problems.append(Problem(*where, message, exc.hint))
                    return None
        folders = ", ".join(map(str, self.folders))
        message = f"dataset {source.file!r} not found in {folders}"
        hint = "the facts from its cells cannot be verified"
        self.problems.append(Problem(*where, message, hint, "warning"))
        return None


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _date_figure(cell: SheetCell) -> PartialDate | None:
    value = cell.value
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return parse_date(value) if isinstance(value, int | str) else None


def _same_date(held: PartialDate, value: PartialDate) -> bool:
    """The cell's date agrees with the fact's to the fact's precision (2016-10 is
    2016-10-01 and 2016-10-31 alike)."""
    if held.year != value.year:
        return False
    return all(
        mine is None or mine == theirs
        for mine, theirs in ((value.month, held.month), (value.day, held.day))
    )


def _compare(fact: Fact, kind: str, ref: CellRef, cell: SheetCell, at: str) -> tuple[str, str]:
    """(message, hint) when the cell does not state the fact's value, else ("", "")."""
    value = fact.value
    if isinstance(value, Range):
        return "a range cannot come from one cell", "give the low and the high as two facts"
    if isinstance(value, PartialDate):
        held = _date_figure(cell)
        if held is None or not _same_date(held, value):
            return f"value {value} does not match {at}, which holds {held or cell.value!r}", ""
        return "", ""
    figure = number(cell, at)
    written = number_text(cell.value) if isinstance(cell.value, str) else None
    if (cell.percent or (written and written[1])) and kind != "percent":
        return (
            f"{at} is a percentage ({_plain(figure)}%), but unit {fact.unit!r} is not",
            "use a percent unit",
        )
    expected = value / ref.scale
    if figure == expected:
        return "", ""
    exponent = expected.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    rounded = figure.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == expected
    if rounded and fact.qualifier != "exact":
        return "", ""
    scaled = f" (times {_plain(ref.scale)}: {_plain(figure * ref.scale)})" if ref.scale != 1 else ""
    if rounded:
        return (
            f"value {_plain(value)} rounds the figure in {at}, {_plain(figure)}{scaled}, "
            "but its qualifier is exact",
            "use qualifier: about, or write the value in full",
        )
    return (
        f"value {_plain(value)} does not match {at}, which holds {_plain(figure)}{scaled}",
        "the value is the cell's figure times cell: scale (rounded, with qualifier: about); "
        "copy it from the cell, or point cell: at the right one",
    )


def read_cell(fact: Fact, table: Table, file: str) -> tuple[CellReading, SheetCell]:
    """The cell a fact names, read; SheetError when it is not there."""
    assert fact.cell is not None
    sheet = sheet_of(table, fact.cell)
    row, column = locate(sheet, fact.cell)
    at = (f"{sheet.name}!" if sheet.name else "") + address(row, column)
    cell = sheet.at(row, column)
    if cell.value is None and sheet.name:  # a formula never calculated, or empty?
        cell = replace(cell, formula=table.formula(sheet.name, row, column))
    held = _date_figure(cell) if not isinstance(cell.value, int | float | str) else None
    figure = str(held) if held else _plain(number(cell, "the cell"))
    return CellReading(fact.source, at, figure, table.sha256), cell


def prove_cells(
    facts: FactBase, folders: tuple[Path, ...]
) -> tuple[list[Problem], dict[str, CellReading]]:
    """Every problem with the facts that cite datasets, and each cell read."""
    problems: list[Problem] = []
    readings: dict[str, CellReading] = {}
    datasets = Datasets(facts, folders, problems)
    for fact in facts.facts.values():
        source = facts.sources.get(fact.source)
        if source is None or fact.derived is not None:
            continue
        message, hint = _misplaced(fact, source)
        if not message and fact.cell is not None and folders:
            table = datasets.get(source)
            if table is not None:
                message, hint = _prove(fact, facts, table, source.file, readings)
        if message:
            where = (fact.loc.path, fact.loc.line)
            problems.append(Problem(*where, f"fact {fact.id!r}: {message}", hint))
    for claim in facts.claims.values():
        source = facts.sources.get(claim.source)
        if source is not None and source.kind == "dataset":
            message = (
                f"claim {claim.id!r}: source {source.id!r} is a dataset, which states no words"
            )
            hint = "a claim quotes a text; a figure from the dataset is a fact with cell:"
            problems.append(Problem(claim.loc.path, claim.loc.line, message, hint))
    return problems, readings


def _misplaced(fact: Fact, source: Source) -> tuple[str, str]:
    if fact.cell is not None and source.kind != "dataset":
        return (
            f"'cell' names a cell of source {source.id!r}, which is not a dataset",
            "a fact from a table cites a source of kind: dataset (a .csv or .xlsx file)",
        )
    if fact.cell is not None and fact.quote:
        return (
            "a fact from a cell has no quote: the cell states its value",
            "leave out quote (the note prints the table and cell)",
        )
    if fact.cell is None and source.kind == "dataset":
        return (
            f"source {source.id!r} is a dataset: name the cell that states the value",
            "e.g. cell: {sheet: GDP, cell: C7} or cell: {sheet: GDP, row: 浙江, column: 2023}",
        )
    return "", ""


def _prove(
    fact: Fact, facts: FactBase, table: Table, file: str, readings: dict[str, CellReading]
) -> tuple[str, str]:
    unit, ref = facts.units.get(fact.unit), fact.cell
    assert ref is not None
    try:
        reading, cell = read_cell(fact, table, file)
        readings[fact.id] = reading
        if unit is None:
            return "", ""  # the unknown unit is reported by the rules
        return _compare(fact, unit.kind, ref, cell, f"cell {reading.at} of {file}")
    except SheetError as exc:
        return f"cell {ref.where()} of {file}: {exc.message}", exc.hint


# -- what changed since the last cells-stamp -----------------------------------------------


def read_stamp(root: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """{fact id: {source, at, figure}} from facts/cells-stamp.yaml; {} when there is none. A
    broken one is a warning: cells-stamp writes it again."""
    path = root / STAMP
    if not path.is_file():
        return {}
    data, found = yamlio.load(str(path), STAMP)
    hint = "run python build.py cells-stamp to write it again"
    problems += [Problem(p.path, p.line, p.message, hint, "warning") for p in found]
    cells = data.get("cells") if isinstance(data, YMap) else None
    if not isinstance(cells, YMap):
        if data is not None:
            problems.append(Problem(STAMP, 1, "expected a mapping 'cells:'", hint, "warning"))
        return {}
    return {
        str(fid): {str(k): str(v) for k, v in record.items()}
        for fid, record in cells.items()
        if isinstance(record, dict)
    }


def changed_cells(
    facts: FactBase, readings: dict[str, CellReading], stamp: dict[str, dict[str, str]]
) -> list[Problem]:
    """A warning for each fact whose cell holds another figure than when stamped."""
    problems = []
    for fid, reading in readings.items():
        record = stamp.get(fid)
        if not record or record.get("source") != reading.source:
            continue
        if record.get("figure") != reading.figure:
            fact = facts.facts[fid]
            file = facts.sources[reading.source].file
            was = record.get("at", "")
            moved = f" (then {was})" if was and was != reading.at else ""
            problems.append(
                Problem(
                    fact.loc.path,
                    fact.loc.line,
                    f"fact {fid!r}: cell {reading.at} of {file} changed since the last "
                    f"cells-stamp{moved}: it held {record.get('figure')}, now {reading.figure}",
                    "check the fact against the new figure, then run python build.py cells-stamp",
                    "warning",
                )
            )
    return problems


def check_cells(project: Project) -> list[Problem]:
    """Every fact from a cell proven, and the cells changed since the last cells-stamp."""
    problems, readings = prove_cells(project.facts, project.source_texts)
    if readings:
        problems += changed_cells(project.facts, readings, read_stamp(project.root, problems))
    return problems


def stamp_text(facts: FactBase, readings: dict[str, CellReading], digests: dict[str, str]) -> str:
    lines = [STAMP_HEADER, "datasets:"]
    for sid in sorted(digests):
        file = facts.sources[sid].file
        lines.append(f"  {_q(sid)}: {{file: {_q(file)}, sha256: {_q(digests[sid])}}}")
    lines.append("cells:" if readings else "cells: {}")
    for fid in sorted(readings):
        r = readings[fid]
        record = f"source: {_q(r.source)}, at: {_q(r.at)}, figure: {_q(r.figure)}"
        lines.append(f"  {_q(fid)}: {{{record}}}")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """A YAML double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cells_stamp(project: Project) -> tuple[str, int, int]:
    """Record every dataset fact's cell as it is now (``cells-stamp``): (the stamp's path,
    cells recorded, cells that had changed since the previous stamp)."""
    from policybrief.core.files import atomic_write

    _problems, readings = prove_cells(project.facts, project.source_texts)
    before = changed_cells(project.facts, readings, read_stamp(project.root, []))
    digests = {r.source: r.sha256 for r in readings.values()}
    text = stamp_text(project.facts, readings, digests)
    atomic_write(project.root / STAMP, text.encode("utf-8"))
    return STAMP, len(readings), len(before)
