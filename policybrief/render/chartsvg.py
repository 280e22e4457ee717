"""Render stage, charts: each chart of a brief drawn as inline SVG (its data as CSV is
:mod:`policybrief.render.chartdata`'s).

Hand-written SVG rather than a plotting library (measured: see the README's "Charts"
paragraph and ``benchmarks/charts.py``): the charts are simple, the text must stay text in
the page's own fonts (CJK included) so that it is selectable and searchable in HTML and PDF,
every number is formatted by Babel exactly as in the prose, and the output must be
byte-identical from build to build.

The SVG's ``<title>`` holds the chart's title and every value it shows, as a sentence: it is
the accessible name in HTML and what WeasyPrint writes as the ``/Alt`` of the chart's
``Figure`` in a tagged (PDF/UA) PDF. The ``<desc>`` names the sources.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import NamedTuple

from markupsafe import Markup, escape

from policybrief.core.i18n import Language, format_fact
from policybrief.core.model import Chart, Fact, FactBase, Theme
from policybrief.render.prose import cite_mark
from policybrief.render.templatedata import ChartDrawing, ChartNote, ChartSource

WIDTH, HEIGHT = 560, 230
COLUMN_WIDTH = 300
# Printed size: one drawing unit is 0.6 pt, so the labels (15 units) print at 9 pt and the
# smaller text (13 units) at 7.8 pt whatever the chart's kind; print never scales a chart
# (templates/_partials/base.css), so every chart's text is the same size on the page.
POINTS_PER_UNIT = 0.6
APPROX_OPACITY = "0.45"  # an approximate value's bar: lighter, dashed outline
APPROX_NOTE = "Light or hollow: approximate value"  # core/languages.py ENGINE_MESSAGES
# The page's sans stack (base.css --sans, fonts.py): a Chinese chart's text in the CJK
# face; an English chart's in the Latin face, the CJK face only for Han it may hold.
FONTS_CJK = (
    "policybrief Noto Sans CJK SC, Noto Sans CJK SC, policybrief Noto Sans, Noto Sans, sans-serif"
)
FONTS_LATIN = (
    "policybrief Noto Sans, Noto Sans, policybrief Noto Sans CJK SC, Noto Sans CJK SC, sans-serif"
)


class Palette(NamedTuple):
    """The colours a chart is drawn in: the theme's (theme.yaml), or these defaults. A
    chart of several series draws them in ``accent``, ``warm``, then ``chart_3`` to
    ``chart_6``."""

    ink: str = "#1b1f24"
    accent: str = "#1d4e89"
    muted: str = "#5b6470"
    rule: str = "#c9ced6"
    warm: str = "#9a3b1f"
    chart_3: str = "#6b4c9a"  # no green beside the red-brown warm (colour-blind readers)
    chart_4: str = "#8a6a12"
    chart_5: str = "#2f6f7a"
    chart_6: str = "#5b6470"

    @classmethod
    def of(cls, theme: Theme | None) -> Palette:
        if theme is None:
            return cls()
        return cls(*(theme.color(name, default) for name, default in cls._field_defaults.items()))

    def series(self, index: int) -> str:
        return (self.accent, self.warm, self.chart_3, self.chart_4, self.chart_5, self.chart_6)[
            index % 6
        ]


class DrawnSeries(NamedTuple):
    """One series as drawn: its label, numbers and their printed forms, and which are
    approximate (a qualifier other than exact: drawn lighter, with a legend note)."""

    label: str
    values: list[float]
    texts: list[str]
    approx: list[bool]


class Plot(NamedTuple):
    """A chart resolved for one language: what the drawing functions need."""

    categories: list[str]
    rows: list[DrawnSeries]
    totals: list[str]  # stacked: each category's total as printed, or empty
    positions: list[float]  # line: each category's place on the time axis, 0 to 1
    palette: Palette
    separators: tuple[str, str, str]  # the language's (after a name, items, groups)
    words: tuple[str, str] = ("Total", "")  # the language's: a total; the approximate note


def _sep(lang: Language) -> tuple[str, str, str]:
    """(after a name, between items, between groups) in the language's punctuation (its
    catalog's ": ", ", " and "; ", as the templates print them)."""
    return (lang.word(": "), lang.word(", "), lang.word("; "))


def _category(chart: Chart, index: int, facts: FactBase, lang: Language) -> str:
    label = chart.labels[index]
    if label is not None:
        return label.get(lang.code)
    fact = facts.facts[chart.series[0].facts[index]]
    return lang.date(fact.date) if fact.date else fact.label.get(lang.code)


def printed_value(fact: Fact, facts: FactBase, lang: Language) -> str:
    return format_fact(fact, facts.units[fact.unit], lang)


def _positions(chart: Chart, facts: FactBase) -> list[float]:
    """Places on a time axis from the first series' dates (evenly spaced if any is
    missing or they do not rise)."""
    count = len(chart.series[0].facts)
    dates = [facts.facts[fid].date for fid in chart.series[0].facts]
    even = [(i + 0.5) / count for i in range(count)] if count > 1 else [0.5]
    if count < 2 or any(d is None for d in dates):
        return even
    times = [d.year + ((d.month or 1) - 1) / 12 + ((d.day or 1) - 1) / 365 for d in dates if d]
    if any(b <= a for a, b in zip(times, times[1:], strict=False)):
        return even
    span = times[-1] - times[0]
    return [(t - times[0]) / span for t in times]


def plot(chart: Chart, facts: FactBase, lang: Language, theme: Theme | None) -> Plot:
    count = len(chart.series[0].facts)
    rows = []
    for series in chart.series:
        items = [facts.facts[fid] for fid in series.facts]
        rows.append(
            DrawnSeries(
                series.label.get(lang.code) if series.label else "",
                [float(f.value) for f in items if isinstance(f.value, Decimal)],
                [printed_value(f, facts, lang) for f in items],
                [f.qualifier != "exact" for f in items],
            )
        )
    return Plot(
        [_category(chart, i, facts, lang) for i in range(count)],
        rows,
        [printed_value(facts.facts[fid], facts, lang) for fid in chart.totals],
        _positions(chart, facts),
        Palette.of(theme),
        _sep(lang),
        (lang.word("Total"), lang.word(APPROX_NOTE)),
    )


def described(p: Plot, lang: Language) -> str:
    """Every value of the chart as a sentence (its text alternative)."""
    name, item, group = _sep(lang)
    if len(p.rows) == 1 and not p.rows[0].label:
        row = p.rows[0]
        return group.join(f"{c}{name}{t}" for c, t in zip(p.categories, row.texts, strict=True))
    parts = [
        row.label
        + name
        + item.join(f"{c} {t}" for c, t in zip(p.categories, row.texts, strict=True))
        for row in p.rows
    ]
    if p.totals:
        total = lang.word("Total")
        parts.append(
            total
            + name
            + item.join(f"{c} {t}" for c, t in zip(p.categories, p.totals, strict=True))
        )
    return group.join(parts)


def _source_name(fact_id: str, facts: FactBase, lang: Language) -> str:
    """Author and year of a fact's source; for a derived fact, of the sources of the facts
    it is computed from."""
    fact = facts.facts[fact_id]
    if fact.source in facts.sources:
        source = facts.sources[fact.source]
        return f"{source.author.get(lang.code)} {source.year or ''}".strip()
    inputs = fact.derived.inputs if fact.derived else ()
    return ", ".join(
        dict.fromkeys(_source_name(i, facts, lang) for i in inputs if i in facts.facts)
    )


def _sources(chart: Chart, facts: FactBase, lang: Language) -> list[ChartSource]:
    """One entry per source, in the order the chart first cites each, with the citation
    marks of all its facts (six facts from one report: the report once, six marks)."""
    grouped: dict[str, list[str]] = {}
    for fid in dict.fromkeys(chart.facts):
        grouped.setdefault(_source_name(fid, facts, lang), []).append(fid)
    between = Markup('<sup class="cite-sep">,</sup>')
    return [
        ChartSource(name=name, cite=between.join(Markup(cite_mark(fid)) for fid in fids))
        for name, fids in grouped.items()
    ]


def _note(chart: Chart, facts: FactBase, lang: Language) -> ChartNote | None:
    if not chart.note:
        return None
    fact = facts.facts[chart.note]
    return {
        "label": fact.label.get(lang.code),
        "value": Markup(
            f'<span class="fact" data-fact="{escape(fact.id)}">'
            f"{escape(printed_value(fact, facts, lang))}</span>{cite_mark(fact.id)}"
        ),
    }


def render(
    chart: Chart, facts: FactBase, lang: Language, number: int, theme: Theme | None = None
) -> ChartDrawing:
    """What the chart partial needs: the SVG (with a text alternative), title, sources, the
    note figure and the name of the chart's CSV file."""
    p = plot(chart, facts, lang, theme)
    uid = f"chart-{chart.id}-{number}"
    title = chart.title.get(lang.code)
    text = described(p, lang)
    sources = _sources(chart, facts, lang)
    name, _item, group = _sep(lang)
    source_word = lang.word("Sources")
    desc = source_word + name + group.join(dict.fromkeys(s["name"] for s in sources))
    kind = "sorted" if chart.kind == "stacked" and len(p.categories) == 1 else chart.kind
    width, height, body = DRAW[kind](p)
    if any(a for row in p.rows for a in row.approx):
        body += _approx_note(p, height + 6)
        height += 26
    printed = f'width="{width * POINTS_PER_UNIT:g}pt" height="{height * POINTS_PER_UNIT:g}pt"'
    svg = (
        f'<svg class="chart-svg" viewBox="0 0 {width} {height}" {printed} role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="{FONTS_CJK if lang.cjk else FONTS_LATIN}" font-size="15">'
        f'<title id="{uid}-title">{escape(title + name + text)}</title>'
        f'<desc id="{uid}-desc">{escape(desc)}</desc>{body}</svg>'
    )
    return {
        "id": uid,
        "kind": "bar" if kind == "sorted" else chart.kind,
        "title": title,
        "svg": Markup(svg),
        "text": text,
        "sources": sources,
        "note": _note(chart, facts, lang),
        "csv": csv_name(chart, lang.code),
    }


def csv_name(chart: Chart, lang: str) -> str:
    """The CSV's file name, beside the brief's pages: ``<chart id>.<lang>.csv``."""
    return f"{chart.id}.{lang}.csv"


# -- drawing ---------------------------------------------------------------------------------


def _width(text: str, size: float) -> float:
    """A text's width, estimated: wide (CJK) characters one em, others about 0.58 em."""
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")
    return size * (wide + 0.58 * (len(text) - wide))


def _text(
    x: float, y: float, text: str, palette: Palette, anchor: str = "middle", css: str = "value"
) -> str:
    style = (
        f'fill="{palette.ink}" font-weight="700"' if css == "value" else f'fill="{palette.muted}"'
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{css}" {style}>'
        f"{escape(text)}</text>"
    )


def _paint(colour: str, approx: bool) -> str:
    """A bar's fill: solid for an exact value; lighter, with a dashed outline in the same
    colour, for an approximate one (the legend note says so)."""
    if not approx:
        return f'fill="{colour}"'
    return (
        f'fill="{colour}" fill-opacity="{APPROX_OPACITY}" stroke="{colour}" '
        'stroke-width="1.5" stroke-dasharray="4 2" class="approx"'
    )


def _approx_note(p: Plot, y: float) -> str:
    """The legend note under a chart that draws an approximate value."""
    colour = p.palette.accent
    words = p.words[1]
    return (
        f'<g class="legend approx-note"><rect x="12" y="{y + 4:.1f}" width="16" height="12" '
        f"{_paint(colour, True)}/>"
        f'<text x="34" y="{y + 15:.1f}" fill="{p.palette.muted}" font-size="13">'
        f"{escape(words)}</text></g>"
    )


def _legend(p: Plot, y: float, left: float = 12) -> str:
    """A swatch and the label of each series, in a row."""
    parts, x = [], left
    for index, row in enumerate(p.rows):
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 11:.1f}" width="12" height="12" '
            f'fill="{p.palette.series(index)}"/>'
        )
        parts.append(
            f'<text x="{x + 17:.1f}" y="{y:.1f}" class="legend" fill="{p.palette.ink}" '
            f'font-size="13">{escape(row.label)}</text>'
        )
        x += 17 + _width(row.label, 13) + 18
    return f'<g class="legend">{"".join(parts)}</g>'


def _columns(
    values: list[float],
    texts: list[str],
    labels: list[str],
    top: float,
    width: float,
    palette: Palette,
    head: float = 34,
    fill: str = "",
    approx: list[bool] | None = None,
) -> str:
    count = len(values)
    left, right, base = 12, width - 12, HEIGHT - 36
    slot = (right - left) / count
    bar = min(80.0, slot * 0.56)
    parts = [f'<line x1="{left}" y1="{base}" x2="{right:g}" y2="{base}" stroke="{palette.rule}"/>']
    rough = approx or [False] * count
    for index, (value, text, label) in enumerate(zip(values, texts, labels, strict=True)):
        height = (base - head) * value / top
        x = left + slot * index + (slot - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{base - height:.1f}" width="{bar:.1f}" '
            f'height="{height:.1f}" {_paint(fill or palette.accent, rough[index])}/>'
        )
        parts.append(_text(x + bar / 2, base - height - 8, text, palette))
        parts.append(_text(x + bar / 2, base + 22, label, palette, css="label"))
    return "".join(parts)


def _bars(
    values: list[float],
    texts: list[str],
    labels: list[str],
    top: float,
    width: int,
    palette: Palette,
    approx: list[bool] | None = None,
    height: float = HEIGHT,
) -> str:
    count = len(values)
    # room on the left for the longest label (up to 40 % of the chart; a longer one is
    # broken in two lines there), never less than the 150 the short labels have
    left = min(width * 0.4, max(150.0, max(_width(t, 15) for t in labels) + 20))
    right, head = width - 150, 12
    slot = (height - 2 * head) / count
    rough = approx or [False] * count
    bar = min(36.0, slot * 0.6)
    parts = [
        f'<line x1="{left}" y1="{head}" x2="{left}" y2="{height - head}" stroke="{palette.rule}"/>'
    ]
    for index, (value, text, label) in enumerate(zip(values, texts, labels, strict=True)):
        length = (right - left) * value / top
        y = head + slot * index + (slot - bar) / 2
        parts.append(
            f'<rect x="{left}" y="{y:.1f}" width="{length:.1f}" height="{bar:.1f}" '
            f"{_paint(palette.accent, rough[index])}/>"
        )
        parts.append(_label(left - 8, y + bar / 2 + 5, label, left - 12, palette))
        parts.append(_text(left + length + 8, y + bar / 2 + 5, text, palette, anchor="start"))
    return "".join(parts)


def _label(x: float, y: float, label: str, room: float, palette: Palette) -> str:
    """A bar's label, right-aligned at ``x``; one wider than ``room`` in two lines (split at
    the space nearest its middle, or in the middle of a text without spaces), so that no
    label runs off the chart's left edge."""
    if _width(label, 15) <= room:
        return _text(x, y, label, palette, anchor="end", css="label")
    spaces = [i for i, c in enumerate(label) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2)) if spaces else len(label) // 2
    lines = (label[:cut].rstrip(), label[cut:].lstrip())
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{dy}">{escape(line)}</tspan>'
        for line, dy in zip(lines, ("-0.55em", "1.1em"), strict=True)
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="end" class="label" '
        f'fill="{palette.muted}">{spans}</text>'
    )


def _top(p: Plot) -> float:
    return max(v for row in p.rows for v in row.values) or 1.0


def draw_column(p: Plot) -> tuple[int, int, str]:
    row = p.rows[0]
    body = _columns(
        row.values, row.texts, p.categories, _top(p), COLUMN_WIDTH, p.palette, approx=row.approx
    )
    return COLUMN_WIDTH, HEIGHT, body


def draw_bar(p: Plot) -> tuple[int, int, str]:
    row = p.rows[0]
    body = _bars(row.values, row.texts, p.categories, _top(p), WIDTH, p.palette, row.approx)
    return WIDTH, HEIGHT, body


def draw_sorted(p: Plot) -> tuple[int, int, str]:
    """A stacked chart of one category (one bar split five ways, which no reader can
    compare): one horizontal bar a series instead, longest first, and the total under."""
    order = sorted(range(len(p.rows)), key=lambda i: (-p.rows[i].values[0], i))
    rows = [p.rows[i] for i in order]
    height = max(HEIGHT // 2, 34 * len(rows) + 24)
    top = max(r.values[0] for r in rows) or 1.0
    body = _bars(
        [r.values[0] for r in rows],
        [r.texts[0] for r in rows],
        [r.label for r in rows],
        top,
        WIDTH,
        p.palette,
        [r.approx[0] for r in rows],
        height,
    )
    if p.totals:
        name = p.separators[0]
        total = p.words[0] + name + p.totals[0]
        body += _text(142, height + 14, total, p.palette, anchor="end", css="label")
        height += 24
    return WIDTH, height, body


def draw_line(p: Plot) -> tuple[int, int, str]:
    """A time series: one line per series, the value at each point, a legend if named."""
    named = any(row.label for row in p.rows)
    left, right, head, base = 64, WIDTH - 64, 58 if named else 34, HEIGHT - 36
    xs = [left + (right - left) * t for t in p.positions]
    top = _top(p)
    parts = [
        f'<line x1="{left - 24}" y1="{base}" x2="{right + 24}" y2="{base}" '
        f'stroke="{p.palette.rule}"/>'
    ]
    if named:
        parts.append(_legend(p, 16))
    for x, label in zip(xs, p.categories, strict=True):
        half = _width(label, 15) / 2 + 4
        parts.append(
            _text(min(max(x, half), WIDTH - half), base + 22, label, p.palette, css="label")
        )
    for index, row in enumerate(p.rows):
        colour = p.palette.series(index)
        ys = [base - (base - head) * v / top for v in row.values]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            dot = (
                f'fill="#ffffff" stroke="{colour}" stroke-width="2"'
                if row.approx[i]
                else f'fill="{colour}"'
            )
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {dot}/>')
            highest = max(r.values[i] for r in p.rows) == row.values[i]
            offset = -10 if highest else 21
            half = _width(row.texts[i], 16) / 2 + 4  # bold text is a little wider
            parts.append(
                _text(min(max(x, half), WIDTH - half), y + offset, row.texts[i], p.palette)
            )
    return WIDTH, HEIGHT, "".join(parts)


def draw_stacked(p: Plot) -> tuple[int, int, str]:
    """One horizontal bar per category, its series stacked left to right, each segment's
    value inside it (or, when it does not fit, in a line under the bar), the total after."""
    name, _item, group = p.separators
    left = min(200.0, max(60.0, max(_width(c, 15) for c in p.categories) + 20))
    right = WIDTH - (max((_width(t, 16) for t in p.totals), default=0.0) + 16)
    bar = 28
    top = max(sum(row.values[i] for row in p.rows) for i in range(len(p.categories))) or 1.0
    parts, y = [_legend(p, 16)], 34.0
    for i, category in enumerate(p.categories):
        parts.append(_text(left - 8, y + bar / 2 + 5, category, p.palette, "end", "label"))
        x, narrow = float(left), []
        for index, row in enumerate(p.rows):
            length = (right - left) * row.values[i] / top
            paint = _paint(p.palette.series(index), row.approx[i])
            if not row.approx[i]:
                paint += ' stroke="#ffffff" stroke-width="1"'
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar}" {paint}/>'
            )
            if _width(row.texts[i], 13) + 8 <= length:
                parts.append(
                    f'<text x="{x + length / 2:.1f}" y="{y + bar / 2 + 5:.1f}" '
                    f'text-anchor="middle" class="value" fill="#ffffff" font-size="13">'
                    f"{escape(row.texts[i])}</text>"
                )
            else:
                narrow.append(f"{row.label}{name}{row.texts[i]}")
            x += length
        if p.totals:
            parts.append(_text(x + 8, y + bar / 2 + 5, p.totals[i], p.palette, anchor="start"))
        y += bar
        if narrow:
            parts.append(
                f'<text x="{left}" y="{y + 17:.1f}" class="label" fill="{p.palette.muted}" '
                f'font-size="13">{escape(group.join(narrow))}</text>'
            )
            y += 20
        y += 14
    parts.insert(
        1, f'<line x1="{left}" y1="28" x2="{left}" y2="{y - 8:.1f}" stroke="{p.palette.rule}"/>'
    )
    return WIDTH, int(y + 4), "".join(parts)


def draw_multiples(p: Plot) -> tuple[int, int, str]:
    """One small column chart per series, side by side, all on the same scale."""
    panel = max(180, WIDTH // len(p.rows))
    top = _top(p)
    parts = []
    for index, row in enumerate(p.rows):
        x = panel * index
        parts.append(
            f'<g class="panel" transform="translate({x},0)" font-size="13">'
            f'<text x="{panel / 2:.1f}" y="18" text-anchor="middle" class="panel-title" '
            f'fill="{p.palette.ink}" font-weight="700" font-size="14">{escape(row.label)}</text>'
            + _columns(
                row.values, row.texts, p.categories, top, panel, p.palette, 52, "", row.approx
            )
            + "</g>"
        )
    return panel * len(p.rows), HEIGHT, "".join(parts)


DRAW = {
    "column": draw_column,
    "bar": draw_bar,
    "line": draw_line,
    "stacked": draw_stacked,
    "multiples": draw_multiples,
    "sorted": draw_sorted,
}
