"""Load stage, records written as tables: a facts file that is a CSV file or a workbook
(``facts/*.csv``, ``facts/*.xlsx``: one fact a row) and a batch brief's rows. Each sheet
becomes what the YAML loader would give (:mod:`yamlio`'s YMap and YList, each row at its
number), so the facts and batch loaders read them as they read YAML; the tables themselves
are read by :mod:`sheets`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from policybrief.core.errors import Problem
from policybrief.core.model import RawValue
from policybrief.load import yamlio
from policybrief.load.sheets import (
    SUFFIXES,
    Sheet,
    SheetCell,
    SheetError,
    header_text,
    number,
    number_text,
    read_table,
)
from policybrief.load.yamlio import YList, YMap

NUMBER_FIELDS = ("value", "cell.scale", "derived.places")


def table_rows(path: Path, shown: str, first_sheet: bool = False) -> list[tuple[str, YList]]:
    """Each sheet of a table of records (a facts file, a batch's rows) as YAML would give
    it: one mapping a row, keyed by the header row's names, a dotted name (label.zh) making
    a nested mapping, empty cells left out. Shown as ``path:Sheet`` (a workbook; sheets
    whose names start with "_" are left out) or ``path`` (CSV), each row at its number.
    SheetError if the file cannot be read."""
    table = read_table(path)
    found = []
    for name, sheet in table.sheets.items():
        if name.startswith("_"):
            continue
        where = f"{shown}:{name}" if name else shown
        found.append((where, _records(sheet)))
        if first_sheet:
            break
    return found


def _records(sheet: Sheet) -> YList:
    records = YList()
    rows = sheet.rows
    start = next((i for i, row in enumerate(rows) if any(c.value is not None for c in row)), None)
    if start is None:
        return records
    names = [header_text(cell.value) for cell in rows[start]]
    records.line = start + 1
    for index in range(start + 1, len(rows)):
        record = YMap()
        record.line = index + 1
        for name, cell in zip(names, rows[index], strict=False):
            if name and cell.value is not None:
                _put(record, name.split("."), _field_value(name, cell), index + 1)
        if record:
            records.append(record)
            records.item_lines.append(index + 1)
    return records


def _put(record: YMap, keys: list[str], value: RawValue, line: int) -> None:
    """Set a dotted field (label.zh) in nested mappings, all at the row's line."""
    for key in keys[:-1]:
        inner = record.get(key)
        if not isinstance(inner, YMap):
            inner = YMap()
            inner.line = line
            record[key] = inner
            record.key_lines[key] = line
        record = inner
    record[keys[-1]] = value
    record.key_lines[keys[-1]] = line


def _field_value(name: str, cell: SheetCell) -> RawValue:
    """A cell as the field it fills takes it: a figure for value (as stored), a list for
    derived.from, true/false for reference, text for the rest (2023 as "2023")."""
    value = cell.value
    if name in NUMBER_FIELDS or name.endswith(".value"):
        if isinstance(value, str):
            read = number_text(value)
            return _plain(read[0]) if read else value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _plain(number(cell, name))
    if name == "reference" or name.endswith(".reference"):
        text = header_text(value).lower()
        if isinstance(value, bool) or text not in ("true", "false"):
            return value if isinstance(value, bool) else text
        return text == "true"
    if name == "derived.from":
        return [part for part in re.split(r"[,\s]+", header_text(value)) if part]
    if name == "figure" and isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return header_text(value) if value is not None else None


def _plain(value: Decimal) -> int | float:
    """A figure as YAML would give it: a whole number as an int, else a float (whose
    shortest form is the figure's own digits)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def fact_files(
    folder: Path, root: Path, reserved: tuple[str, ...]
) -> Iterator[tuple[str, RawValue, list[Problem]]]:
    """Each facts file of a folder, in name order, as (shown path, data, problems): a YAML
    file as written; a table (.csv, .xlsx) as ``{facts: [...]}``, one entry a sheet."""
    if not folder.is_dir():
        return
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", *SUFFIXES))
    for path in paths:
        if path.name in reserved or path.name.startswith((".", "~$")):
            continue
        shown = path.relative_to(root).as_posix()
        if path.suffix.lower() == ".yaml":
            yield (shown, *yamlio.load(str(path), shown))
            continue
        try:
            sheets = table_rows(path, shown)
        except SheetError as exc:
            yield shown, None, [Problem(shown, 1, exc.message, exc.hint)]
            continue
        for where, records in sheets:
            data = YMap()
            data["facts"], data.line = records, 1
            yield where, data, []
