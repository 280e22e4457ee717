"""Render stage, charts' data: each chart's values as CSV beside the brief's web pages,
one row per value with its unit, qualifier, date, fact, source and quote, in cells a
spreadsheet shows as text and never runs."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from policybrief.core.i18n import Language
from policybrief.core.model import Chart, Fact, FactBase
from policybrief.render.chartsvg import plot, printed_value

CSV_COLUMNS = (
    "series",
    "category",
    "value",
    "unit",
    "qualifier",
    "printed",
    "date",
    "fact",
    "source",
    "quote",
    "derived_from",
)


def csv_data(chart: Chart, facts: FactBase, lang: Language) -> bytes:
    """The chart's data, one row per value (series, category, the figure as stored and as
    printed, its unit, qualifier, date, fact id, source and quote); UTF-8 with a byte-order
    mark, so that spreadsheet programs read the Chinese right."""
    p = plot(chart, facts, lang, None)
    total = lang.word("Total")
    groups = [(row.label, s.facts) for row, s in zip(p.rows, chart.series, strict=True)]
    if chart.totals:
        groups.append((total, chart.totals))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for label, ids in groups:
        for category, fid in zip(p.categories, ids, strict=True):
            row = [label, category, *_csv_fact(facts.facts[fid], facts, lang)]
            writer.writerow([spreadsheet_safe(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: one starting with ``= + - @``,
    a tab or a carriage return gets a leading ``'`` (OWASP's CSV-injection rule). A plain
    negative number (``-12.5``: digits and one point, nothing else) stays as it is, so the
    column stays numeric: a spreadsheet reads it as a number whatever it holds, since a
    formula needs an operator, a name or a call after the sign, none of which it has."""
    if cell.startswith(FORMULA_START) and not PLAIN_NUMBER_RE.fullmatch(cell):
        return "'" + cell
    return cell


def _csv_fact(fact: Fact, facts: FactBase, lang: Language) -> list[str]:
    source = facts.sources.get(fact.source)
    named = ""
    if source is not None:
        named = ", ".join(
            part
            for part in (
                source.author.get(lang.code),
                source.title.get(lang.code),
                str(source.year or ""),
            )
            if part
        )
    assert isinstance(fact.value, Decimal)  # charts.load() accepts only plain figures
    return [
        format(fact.value, "f"),
        fact.unit,
        fact.qualifier,
        printed_value(fact, facts, lang),
        str(fact.date) if fact.date else "",
        fact.id,
        named,
        fact.quote,
        " ".join(fact.derived.inputs) if fact.derived else "",
    ]
