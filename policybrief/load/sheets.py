"""Load stage, spreadsheets: CSV files and Excel workbooks (.xlsx, read with openpyxl).

Three uses: a dataset source's cells, which ``check`` reads to prove the facts that cite
them (:mod:`policybrief.check.cells`); a facts file written as a table (``facts/*.csv``,
``facts/*.xlsx``: one fact a row, the fact's fields as column headers); and a batch
brief's rows (those two through :mod:`records`). Every cell is read as stored, never as
displayed: a number keeps all its digits whatever the format shows, a formula gives the
value the workbook saved for it, and a cell formatted as a percentage (0.058 shown as
5.8%) counts as the percentage (5.8). Merged cells hold their top-left cell's value
throughout, as a reader sees them.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.core.model import CellRef, RawValue, Text
from policybrief.load.yamlio import Fields, YMap

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SUFFIXES = (".csv", ".xlsx", ".xlsm")
# A workbook is a zip of XML: bounded before openpyxl builds it (it holds every cell in
# memory, some hundred bytes each), so a small file cannot unpack into gigabytes.
MAX_FILE_BYTES = 10_000_000
MAX_UNPACKED_BYTES = 100_000_000
# Cells of one sheet's used rectangle: a workbook may declare a cell at XFD1048576, which
# would make seventeen billion empty ones; a yearbook's table holds some thousands.
MAX_CELLS = 2_000_000
CellValue = str | int | float | bool | datetime.datetime | datetime.date | datetime.time | None
_A1_RE = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")
_NUMBER_RE = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)$")
SCALES = {
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "千": 10**3,
    "万": 10**4,
    "百万": 10**6,
    "千万": 10**7,
    "亿": 10**8,
}


class SheetError(Exception):
    """A table that cannot be read, or a cell that is not there: a message and a hint."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class SheetCell:
    value: CellValue  # as stored; None for an empty cell
    percent: bool = False  # the cell's number format shows it as a percentage
    formula: str = ""  # a formula the workbook saved no value for


@dataclass(frozen=True)
class Sheet:
    name: str  # "" for a CSV file
    rows: tuple[tuple[SheetCell, ...], ...]

    def at(self, row: int, column: int) -> SheetCell:
        """The cell at a 1-based row and column (an empty one past the edges)."""
        if 0 < row <= len(self.rows) and 0 < column <= len(self.rows[row - 1]):
            return self.rows[row - 1][column - 1]
        return SheetCell(None)


@dataclass(frozen=True)
class Table:
    """A CSV file (one sheet named "") or a workbook, with the digest of its bytes."""

    sheets: dict[str, Sheet]
    sha256: str
    data: bytes = field(default=b"", repr=False, compare=False)  # a workbook's bytes
    # the formulas of the workbook's empty cells, read when first asked for
    formulas: dict[tuple[str, int, int], str] = field(default_factory=dict, compare=False)

    def formula(self, sheet: str, row: int, column: int) -> str:
        """The formula of an empty cell that the workbook saved no result for, or "". Read
        only when a cell a fact names is empty: reading a workbook twice doubles its time."""
        key = (sheet, row, column)
        if key not in self.formulas and self.data:
            self.formulas[key] = _formula(self.data, sheet, row, column)
        return self.formulas.get(key, "")


def _formula(data: bytes, sheet: str, row: int, column: int) -> str:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        cell = book[sheet].cell(row, column) if sheet in book.sheetnames else None
        written = getattr(cell, "value", None)
        book.close()
    except Exception:  # read once already: a failure here leaves the cell empty
        return ""
    return written if isinstance(written, str) and written[:1] == "=" else ""


def read_table(path: Path) -> Table:
    """Every sheet of a .csv or .xlsx file; SheetError if it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = "save an .xls or .ods file as .xlsx" if suffix in (".xls", ".ods") else ""
        raise SheetError(f"{path.name} is not a .csv or .xlsx file", hint)
    data = _read_bytes(path)
    if suffix == ".csv":
        return Table(_csv(data), hashlib.sha256(data).hexdigest())
    return Table(_workbook(data, path.name), hashlib.sha256(data).hexdigest(), data)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes: an ordinary file (a named pipe must not hang the check) of at most
    ``MAX_FILE_BYTES``."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # none on Windows
    except OSError as exc:
        raise SheetError(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    with os.fdopen(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise SheetError(f"{path.name} is not an ordinary file")
        try:
            data = file.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise SheetError(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SheetError(
            f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB, the limit for a "
            "spreadsheet",
            "keep only the sheets the facts cite",
        )
    return data


def _csv(data: bytes) -> dict[str, Sheet]:
    """A CSV file as UTF-8 (with or without Excel's byte-order mark), else GB 18030 (what
    Excel writes on a Chinese Windows); every cell is text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise SheetError(
                "the CSV file is neither UTF-8 nor GB 18030", "save it as UTF-8"
            ) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SheetError(f"the CSV file cannot be read: {exc}") from None
    if sum(map(len, rows)) > MAX_CELLS:
        raise SheetError(f"the CSV file has over {MAX_CELLS:,} cells, the limit")
    cells = tuple(tuple(SheetCell(value.strip() or None) for value in row) for row in rows)
    return {"": Sheet("", cells)}


def _unpacked(data: bytes, name: str) -> None:
    """Refuse a workbook that would unpack into too much, or whose merged ranges cover too
    many cells (openpyxl makes an object for every cell of a merged range)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(item.file_size for item in archive.infolist())
            if size > MAX_UNPACKED_BYTES:
                raise SheetError(
                    f"{name} unpacks to {size:,} bytes; the limit is {MAX_UNPACKED_BYTES:,}",
                    "keep only the sheets the facts cite",
                )
            merged = sum(
                _merged_area(archive.read(item))
                for item in archive.namelist()
                if item.startswith("xl/worksheets/") and item.endswith(".xml")
            )
    except (zipfile.BadZipFile, ValueError, KeyError):
        raise SheetError(
            f"{name} is not an Excel workbook (.xlsx)", "open it and save it as .xlsx"
        ) from None
    if merged > MAX_CELLS:
        raise SheetError(
            f"{name}: its merged cells cover {merged:,} cells; the limit is {MAX_CELLS:,}",
            "unmerge what lies beyond the table",
        )


_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\"")


def _merged_area(xml: bytes) -> int:
    if b"mergeCell" not in xml:
        return 0
    area = 0
    for match in _MERGE_RE.finditer(xml):
        first, top, last, bottom = (part.decode("ascii") for part in match.groups())
        rows = int(bottom) - int(top) + 1
        columns = _column_index(last) - _column_index(first) + 1
        area += max(rows, 1) * max(columns, 1)
    return area


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


def _workbook(data: bytes, name: str) -> dict[str, Sheet]:
    """Every sheet, with the values the workbook saved (a formula's last result)."""
    import openpyxl

    _unpacked(data, name)
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        return {ws.title: _sheet(ws) for ws in values.worksheets}
    except SheetError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise SheetError(
            f"{name} cannot be read as a workbook: {exc}", "open it and save it as .xlsx"
        ) from None


def _sheet(ws: Worksheet) -> Sheet:
    if ws.max_row * ws.max_column > MAX_CELLS:
        raise SheetError(
            f"sheet {ws.title!r} spans {ws.max_row:,} rows and {ws.max_column:,} columns; "
            f"the limit is {MAX_CELLS:,} cells",
            "delete what lies beyond the table (a stray cell far right or far down)",
        )
    grid = []
    for row in ws.iter_rows():
        cells = []
        for cell in row:
            percent = cell.value is not None and "%" in str(cell.number_format or "")
            cells.append(SheetCell(cell.value, percent))
        grid.append(cells)
    for merged in ws.merged_cells.ranges:  # (clipped: a range may run past the cells)
        if merged.min_row > len(grid) or merged.min_col > len(grid[merged.min_row - 1]):
            continue
        top = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            for c in range(merged.min_col, min(merged.max_col, len(grid[r - 1])) + 1):
                grid[r - 1][c - 1] = top
    return Sheet(ws.title, tuple(tuple(row) for row in grid))


# -- finding a cell ----------------------------------------------------------------------


def header_text(value: CellValue) -> str:
    """A cell as a header is matched: its text with spaces collapsed; a whole number
    without ".0"; a date as YYYY-MM-DD."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split())


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def address(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"


def sheet_of(table: Table, ref: CellRef) -> Sheet:
    if "" in table.sheets:
        return table.sheets[""]
    if ref.sheet not in table.sheets:
        raise SheetError(
            f"no sheet {ref.sheet!r}" if ref.sheet else "no sheet named",
            "sheets: " + ", ".join(repr(name) for name in table.sheets),
        )
    return table.sheets[ref.sheet]


def locate(sheet: Sheet, ref: CellRef) -> tuple[int, int]:
    """The 1-based (row, column) of the cell ``ref`` names; SheetError if none or several."""
    if ref.cell:
        match = _A1_RE.match(ref.cell.upper())
        if not match:
            raise SheetError(f"{ref.cell!r} is not a cell address", "write it as C7")
        letters, digits = match.groups()
        return int(digits), _column_index(letters)
    columns = _headed(sheet, ref.column, across=False)
    rows = _headed(sheet, ref.row, across=True)
    found = [(r, c) for r, after_c in rows for c, after_r in columns if r > after_r and c > after_c]
    if len(found) == 1:
        return found[0]
    where = ", ".join(address(r, c) for r, c in found[:4])
    raise SheetError(
        f"row {_levels(ref.row)} and column {_levels(ref.column)} meet in {len(found)} cells "
        f"({where})",
        "name the header above or beside them too: column: [2023, Q1]",
    )


def _levels(levels: tuple[str, ...]) -> str:
    return " / ".join(map(repr, levels))


def _headed(sheet: Sheet, levels: tuple[str, ...], across: bool) -> list[tuple[int, int]]:
    """Each row (``across``: the headers run left to right in it) or column holding the
    header levels in order, with where its last level stands: [(index, last level's
    index)]. SheetError if none does."""
    width = max((len(row) for row in sheet.rows), default=0)
    count = len(sheet.rows) if across else width
    found = []
    for index in range(1, count + 1):
        cells = (
            sheet.rows[index - 1]
            if across
            else tuple(sheet.at(r, index) for r in range(1, len(sheet.rows) + 1))
        )
        level, last = 0, 0
        for position, cell in enumerate(cells, 1):
            if level < len(levels) and header_text(cell.value) == levels[level]:
                level, last = level + 1, position
        if level == len(levels):
            found.append((index, last))
    if not found:
        kind = "row" if across else "column"
        raise SheetError(
            f"no {kind} headed {_levels(levels)}"
            + (f" in sheet {sheet.name!r}" if sheet.name else ""),
            "copy the header from the table, character for character",
        )
    return found


def number(cell: SheetCell, where: str) -> Decimal:
    """The figure a cell stores, as a percentage when it is formatted as one (0.058 is
    5.8); text is read when it is a plain figure (1,234.5 or 5.8%), as CSV files hold."""
    value = cell.value
    if value is None and cell.formula:
        raise SheetError(
            f"{where} holds the formula {cell.formula} with no saved value",
            "open the workbook in Excel or LibreOffice and save it, so it keeps the result",
        )
    if value is None:
        raise SheetError(f"{where} is empty")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SheetError(f"{where} holds {header_text(value)!r}, not a figure")
    if isinstance(value, str):
        read = number_text(value)
        if read is None:
            raise SheetError(f"{where} holds the text {value!r}, not a figure")
        return read[0]
    # a float to the 15 digits it holds exactly: 0.1 + 0.2 stored as 0.30000000000000004 is 0.3
    stored = Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
    return stored * 100 if cell.percent else stored


def number_text(text: str) -> tuple[Decimal, bool] | None:
    """A figure written as text (1,234.5, -3, 5.8%): its value and whether it is a
    percentage; None if the text is not one figure."""
    match = _NUMBER_RE.match("".join(text.split()))
    if not match:
        return None
    sign, whole, fraction, percent = match.groups()
    try:
        return Decimal(sign + whole.replace(",", "") + (fraction or "")), bool(percent)
    except InvalidOperation:
        return None


# -- a fact's `cell:` --------------------------------------------------------------------

CELL_FIELDS = ("sheet", "cell", "row", "column", "scale", "table")
CELL_HINT = "e.g. cell: {sheet: GDP, cell: C7} or cell: {sheet: GDP, row: 浙江, column: 2023}"


def parse_cell(raw: RawValue, f: Fields) -> CellRef | None:
    """A fact's ``cell:``: ``{sheet, cell}`` or ``{sheet, row, column}``, with ``scale``
    (the cell's number times it is the value) and ``table`` (its name in the dataset)."""
    if not isinstance(raw, YMap):
        f.bad("cell", f"{f.what}: 'cell' must be a mapping", CELL_HINT)
        return None
    c = Fields(raw, f.path, f.problems, f"{f.what}: cell")
    c.unknown(CELL_FIELDS)
    sheet = _header(raw.get("sheet"))
    cell = c.string("cell", required=False)
    row, column = _header_levels(raw, "row", c), _header_levels(raw, "column", c)
    if bool(cell) == bool(row or column) or bool(row) != bool(column):
        c.bad(None, f"{f.what}: 'cell' names a cell (C7) or a row and a column", CELL_HINT)
        return None
    if cell and not _A1_RE.match(cell.upper()):
        c.bad("cell", f"{f.what}: {cell!r} is not a cell address", "write it as C7")
        return None
    scale = _scale(raw.get("scale", 1), c)
    if scale is None:
        return None
    return CellRef(sheet, cell.upper(), row, column, scale, _table(raw, c))


def _table(raw: YMap, c: Fields) -> Text | None:
    """``table:``, the table's name as the dataset prints it: one text, or one a language."""
    value = raw.get("table")
    if isinstance(value, str) and value.strip():
        return Text((("", value.strip()),))
    return c.text("table", required=False)


def _header(value: RawValue) -> str:
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return header_text(value)
    return ""


def _header_levels(raw: YMap, key: str, c: Fields) -> tuple[str, ...]:
    value = raw.get(key)
    items = value if isinstance(value, list) else [] if value is None else [value]
    levels = tuple(_header(item) for item in items)
    if not all(levels):
        c.bad(key, f"{c.what}: {key!r} must be a header's text, or a list of them")
        return ()
    return levels


def _scale(value: RawValue, c: Fields) -> Decimal | None:
    if isinstance(value, str) and value.strip() in SCALES:
        return Decimal(SCALES[value.strip()])
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    c.bad(
        "scale",
        f"{c.what}: 'scale' must be a positive number or one of " + ", ".join(SCALES),
        "the cell's figure times the scale is the value: scale: 亿 for a table in 亿元",
    )
    return None


def cell_text(ref: CellRef, lang: str, zh: bool) -> str:
    """Where a reader finds the cell: "Table 3, sheet ‘GDP’, row ‘Zhejiang’, column
    ‘2023’" (or cell C7); in Chinese 表3，工作表“GDP”，“浙江”行“2023”列 (in Traditional
    characters 列 is a row and 欄 a column: “浙江”列“2023”欄)."""
    table = (ref.table.get(lang) or ref.table.get("")) if ref.table else ""
    parts = [table] if table else []
    row, column = " / ".join(ref.row), " / ".join(ref.column)
    if zh:
        hant = lang.lower().startswith(("zh-hant", "zh-tw", "zh-hk", "zh_hant"))
        parts += [f"工作表“{ref.sheet}”"] if ref.sheet else []
        if ref.cell:
            parts.append(("儲存格" if hant else "单元格") + ref.cell)
        else:
            parts.append(f"“{row}”列“{column}”欄" if hant else f"“{row}”行“{column}”列")
        return "，".join(parts)
    parts += [f"sheet ‘{ref.sheet}’"] if ref.sheet else []
    parts.append(f"cell {ref.cell}" if ref.cell else f"row ‘{row}’, column ‘{column}’")
    return ", ".join(parts)
