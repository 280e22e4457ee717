"""Load stage, batch briefs: a brief whose ``brief.yaml`` has ``batch:`` is a template
instantiated once per row of a table. Each row becomes an ordinary brief named
``<brief>-<row slug>``; its figures become facts (validated like any other) that its prose
cites as ``row.<column>``, and its text columns are available as ``row("<column>")``.

A figure in a row is either the id of a fact in the fact base (its unit must match the
column's) or an inline record ``{value, quote, source, qualifier, date, translation}``
(``cell`` instead of ``quote`` for a figure from a dataset). The table is YAML (``rows:``)
or a CSV file or workbook (its first sheet), one row a row, dotted headers for the inner
fields (``name.zh``, ``team.value``, ``team.cell.cell``) as in a facts table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict

from policybrief.core.errors import Problem
from policybrief.core.files import long_name
from policybrief.core.model import QUALIFIERS, Brief, Fact, FactBase, Loc, RawValue, Row, Text
from policybrief.load import yamlio
from policybrief.load.briefs import SLUG_RE
from policybrief.load.facts import Fields, parse_date, parse_number, translations
from policybrief.load.records import table_rows
from policybrief.load.sheets import SUFFIXES, SheetError, parse_cell
from policybrief.load.yamlio import YList, YMap

SPEC_FIELDS = ("rows", "source", "text", "figures")
# Rows of one batch table, each a brief of its own: 1,000 is the size benchmarks/ measures
# (docs/performance.md); `check` of a batch grows faster than its rows (about 95 s for 1,000
# on a busy 2-core machine), so far more would not finish.
MAX_ROWS = 1_000


def expand(
    briefs: dict[str, Brief], facts: FactBase, root: Path, problems: list[Problem]
) -> tuple[dict[str, Brief], FactBase]:
    """Replace every batch template by one brief per row. Returns the briefs and a new fact
    base: the given one (left as it was) with the rows' inline facts added."""
    result: dict[str, Brief] = {}
    inline: dict[str, Fact] = {}
    for slug, brief in briefs.items():
        if brief.batch is None:
            result[slug] = brief
            continue
        for row_brief in _expand_one(brief, facts, inline, root, problems):
            if row_brief.slug in briefs or row_brief.slug in result:
                problems.append(
                    Problem(
                        brief.loc.path,
                        brief.loc.line,
                        f"batch row makes brief {row_brief.slug!r}, which already exists",
                        "rename the row's slug",
                    )
                )
                continue
            result[row_brief.slug] = row_brief
    return result, replace(facts, facts={**facts.facts, **inline}) if inline else facts


class _Column(TypedDict):
    """A figure column of a batch table, as ``batch: figures:`` declares it."""

    unit: str
    label: Text
    qualifier: RawValue  # the default for the column's inline figures, checked with each


@dataclass(frozen=True)
class _Spec:
    """A batch brief's ``batch:`` mapping, read."""

    fields: Fields
    rows: str  # the table's file name, beside brief.yaml
    source: str  # the default source of inline figures
    text: list[str]  # text columns
    columns: dict[str, _Column]  # figure columns


def _expand_one(
    brief: Brief, facts: FactBase, inline: dict[str, Fact], root: Path, problems: list[Problem]
) -> Iterator[Brief]:
    spec = _read_spec(brief, facts, problems)
    if spec is None:
        return
    read = _read_rows(root / brief.folder, spec, f"{brief.folder}/{spec.rows}", problems)
    if read is None:
        return
    rows, rows_shown = read
    seen: set[str] = set()
    for index, row in enumerate(rows):
        line = rows.line_of(index)
        if not isinstance(row, YMap):
            problems.append(Problem(rows_shown, line, "each row must be a mapping"))
            continue
        made = _row(row, rows_shown, brief, spec, facts, inline, problems)
        if made is None:
            continue
        if made.slug in seen:
            problems.append(Problem(rows_shown, line, f"duplicate row slug {made.slug!r}"))
            continue
        seen.add(made.slug)
        yield replace(brief, slug=f"{brief.slug}-{made.slug}", batch=None, row=made)


def _read_spec(brief: Brief, facts: FactBase, problems: list[Problem]) -> _Spec | None:
    shown = brief.loc.path
    spec = brief.batch
    if not isinstance(spec, YMap):
        problems.append(
            Problem(
                shown,
                brief.loc.line,
                "brief: 'batch' must be a mapping",
                "see docs/authoring.md, Batch briefs",
            )
        )
        return None
    f = Fields(spec, shown, problems, "batch")
    f.unknown(SPEC_FIELDS)
    rows_name = f.string("rows")
    default_source = f.string("source", required=False)
    text_columns = spec.get("text", [])
    if not isinstance(text_columns, list) or not all(isinstance(c, str) for c in text_columns):
        f.bad("text", "batch: 'text' must list the names of text columns")
        text_columns = []
    columns = _columns(spec.get("figures"), f, facts)
    if not rows_name or columns is None:
        return None
    return _Spec(f, rows_name, default_source, text_columns, columns)


LARGE_TABLE = 256 * 1024  # bytes: a table this large may be past MAX_ROWS; count first


def _too_long(path: Path, rows_shown: str, problems: list[Problem]) -> bool:
    """Whether a YAML table holds more than MAX_ROWS rows, counted without loading them
    (20,000 rows took 4 s to load only to be refused)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False  # (the full read says why)
    found = yamlio.list_length(text, "rows", MAX_ROWS)
    if found is None or found[0] <= MAX_ROWS:
        return False
    problems.append(_too_many(rows_shown, found[0], found[1]))
    return True


def _too_many(rows_shown: str, count: int, line: int) -> Problem:
    return Problem(
        rows_shown,
        line,
        f"the table has {count:,} rows; the limit is {MAX_ROWS:,}",
        "split it into several batch briefs, each with its own table",
    )


def _read_rows(
    folder: Path, spec: _Spec, rows_shown: str, problems: list[Problem]
) -> tuple[YList, str] | None:
    """The table's rows and the path its problems name (a workbook's: path:Sheet)."""
    path = folder / spec.rows
    too_long = long_name(spec.rows)
    if too_long:
        spec.fields.bad("rows", f"batch: table: {too_long}", "rename the file")
        return None
    if not path.is_file() or not path.resolve().is_relative_to(folder.resolve()):
        spec.fields.bad(
            "rows", f"batch: table {rows_shown} not found", "put the table beside brief.yaml"
        )
        return None
    if path.suffix.lower() in SUFFIXES:  # a CSV file or a workbook's first sheet
        read = _table(path, rows_shown, problems)
        if read is None:
            return None
        rows_shown, rows = read
    else:
        if path.stat().st_size > LARGE_TABLE and _too_long(path, rows_shown, problems):
            return None
        data, found = yamlio.load(str(path), rows_shown)
        problems += found
        listed = data.get("rows") if isinstance(data, YMap) else None
        if not isinstance(listed, YList):
            if data is not None:
                problems.append(Problem(rows_shown, 1, "expected a list 'rows:'"))
            return None
        rows = listed
    if len(rows) > MAX_ROWS:
        problems.append(_too_many(rows_shown, len(rows), rows.line_of(MAX_ROWS)))
        return None
    return rows, rows_shown


def _table(path: Path, shown: str, problems: list[Problem]) -> tuple[str, YList] | None:
    try:
        sheets = table_rows(path, shown, first_sheet=True)
    except SheetError as exc:
        problems.append(Problem(shown, 1, exc.message, exc.hint))
        return None
    if not sheets:
        problems.append(Problem(shown, 1, "the workbook has no sheet of rows"))
        return None
    return sheets[0]


def _columns(raw: RawValue, f: Fields, facts: FactBase) -> dict[str, _Column] | None:
    if not isinstance(raw, YMap) or not raw:
        f.bad(
            "figures" if "figures" in f.data else None,
            "batch: 'figures' must map column names to {unit, label}",
        )
        return None
    columns: dict[str, _Column] = {}
    for name, spec in raw.items():
        if not isinstance(spec, YMap):
            f.bad("figures", f"batch: figure column {name!r} must be a mapping")
            continue
        cf = Fields(spec, f.path, f.problems, f"batch column {name!r}")
        cf.unknown(("unit", "label", "qualifier"))
        unit = cf.string("unit")
        if unit and unit not in facts.units:
            cf.bad(
                "unit",
                f"batch column {name!r}: unknown unit {unit!r}",
                "use a unit from facts/units.yaml",
            )
        columns[name] = {
            "unit": unit,
            "label": cf.text("label") or Text(()),
            "qualifier": spec.get("qualifier", "exact"),
        }
    return columns


def _row(
    row: YMap,
    shown: str,
    brief: Brief,
    spec: _Spec,
    facts: FactBase,
    inline: dict[str, Fact],
    problems: list[Problem],
) -> Row | None:
    f = Fields(row, shown, problems, "row")
    f.unknown(("slug", *spec.text, *spec.columns))
    slug = f.string("slug")
    if slug and not SLUG_RE.match(slug):
        f.bad(
            "slug", f"row slug {slug!r} is not valid", "use lowercase letters, digits and hyphens"
        )
        return None
    texts = {}
    for column in spec.text:
        texts[column] = f.text(column) or Text(())
    figures = {}
    count = len(problems)
    for column in spec.columns:
        value = row.get(column)
        if isinstance(value, str) and value not in facts.facts and not facts.complete:
            return None  # a facts file did not parse: its error is the one to report
        fact_id = _figure(f, column, slug, brief, spec, facts, inline)
        if fact_id is not None:
            figures[column] = fact_id
    if not slug or len(problems) > count:
        return None
    return Row(slug, texts, figures, repr(dict(row)))


def _figure(
    f: Fields,
    column: str,
    slug: str,
    brief: Brief,
    spec: _Spec,
    facts: FactBase,
    inline: dict[str, Fact],
) -> str | None:
    """One figure cell of a row: the id of a fact in the fact base (its unit checked), or
    an inline fact (put in ``inline``); None, with a problem, if it is neither."""
    row, shown, problems = f.data, f.path, f.problems
    value, line, unit = row.get(column), row.line_of(column), spec.columns[column]["unit"]
    if value is None:
        f.bad(None, f"row {slug!r}: missing figure {column!r}")
    elif isinstance(value, str):
        fact = facts.facts.get(value)
        if fact is None:
            problems.append(
                Problem(
                    shown,
                    line,
                    f"row {slug!r}: unknown fact {value!r}",
                    "check the id in facts/*.yaml",
                )
            )
        elif fact.unit != unit:
            problems.append(
                Problem(
                    shown,
                    line,
                    f"row {slug!r}: fact {value!r} is in "
                    f"{fact.unit!r}, the column {column!r} in "
                    f"{unit!r}",
                )
            )
        else:
            return value
    elif isinstance(value, YMap):
        made = _inline(
            value,
            shown,
            f"{brief.slug}.{slug}.{column}",
            spec.columns[column],
            spec.source,
            f"row {slug!r}, {column}",
            problems,
        )
        if made is not None:
            inline[made.id] = made
            return made.id
    else:
        problems.append(
            Problem(
                shown,
                line,
                f"row {slug!r}: figure {column!r} must be a fact id or {{value, quote, source}}",
            )
        )
    return None


def _inline(
    data: YMap,
    shown: str,
    fact_id: str,
    spec: _Column,
    default_source: str,
    what: str,
    problems: list[Problem],
) -> Fact | None:
    f = Fields(data, shown, problems, what)
    f.unknown(("value", "quote", "source", "qualifier", "date", "note", "translation", "cell"))
    value = parse_number(data.get("value"))
    if value is None:
        f.bad(
            "value" if "value" in data else None,
            f"{what}: value {data.get('value')!r} is not a finite number",
        )
    qualifier = data.get("qualifier", spec["qualifier"])
    if qualifier not in QUALIFIERS:
        f.bad(
            "qualifier",
            f"{what}: unknown qualifier {qualifier!r}",
            "allowed: " + ", ".join(QUALIFIERS),
        )
        qualifier = "exact"
    date = parse_date(data["date"]) if "date" in data else None
    if "date" in data and date is None:
        f.bad(
            "date",
            f"{what}: not a valid date: {data['date']!r}",
            'write "YYYY", "YYYY-MM" or "YYYY-MM-DD"',
        )
    source = f.string("source", required=not default_source) or default_source
    cell = parse_cell(data["cell"], f) if "cell" in data else None  # a dataset's cell
    quote = f.string("quote", required="cell" not in data)
    if value is None or not (quote or cell):
        return None
    return Fact(
        fact_id,
        value,
        spec["unit"],
        qualifier,
        date,
        spec["label"],
        source,
        quote,
        f.text("note", required=False),
        Loc(shown, data.line),
        translation=translations(data, f),
        cell=cell,
    )
