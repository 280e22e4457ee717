"""Charts from facts: declared in brief.yaml, drawn as inline SVG.

Hand-written SVG rather than a plotting library: the charts are simple (a few columns or
bars), the text must stay text in the page's own fonts (CJK included) so that it is
selectable and searchable in HTML and PDF, every number is formatted by Babel exactly as
in the prose, and the output must be byte-identical from build to build. A plotting
library would add a heavy import and either outline the glyphs or bring its own fonts.

    charts:
      - id: enterprises
        kind: column              # column | bar
        section: outcomes         # drawn at the end of this section
        title: {zh: 累计引进企业, en: Enterprises attracted}
        facts: [yunqi.enterprises.2015, yunqi.enterprises.2016]
        labels: [{zh: 2015年, en: "2015"}, ...]   # optional; default: each fact's date
        note: yunqi.fiscal-revenue.growth.2016     # optional fact printed under the chart
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import NamedTuple

from markupsafe import Markup, escape

from .errors import Problem
from .facts import LANGS, Fields
from .i18n import Language, format_fact
from .model import SECTION_KEYS, Brief, Chart, FactBase, Loc, Text, Theme
from .prose import cite_mark
from .yamlio import YList, YMap

KINDS = ("column", "bar")
FIELDS = ("id", "kind", "section", "title", "facts", "labels", "note")


def load(brief: Brief, facts: FactBase, problems: list[Problem]) -> Brief:
    """Parse the brief's ``charts:`` into Chart objects, checking them against the facts."""
    raw = brief.chart_spec
    if raw is None:
        return replace(brief, charts=())
    shown = brief.loc.path
    if not isinstance(raw, YList):
        problems.append(Problem(shown, getattr(raw, "line", 1), "brief: 'charts' must be a list"))
        return replace(brief, charts=())
    charts = []
    for index, spec in enumerate(raw):
        if not isinstance(spec, YMap):
            problems.append(Problem(shown, raw.line_of(index), "each chart must be a mapping"))
            continue
        chart = _chart(spec, shown, brief, facts, problems)
        if chart:
            charts.append(chart)
    return replace(brief, charts=tuple(charts))


def _chart(
    spec: YMap, shown: str, brief: Brief, facts: FactBase, problems: list[Problem]
) -> Chart | None:
    f = Fields(spec, shown, problems, f"chart {spec.get('id')!r}")
    f.unknown(FIELDS)
    count = len(problems)
    chart_id, kind, section = f.string("id"), spec.get("kind", "column"), f.string("section")
    if kind not in KINDS:
        f.bad("kind", f"chart {chart_id!r}: unknown kind {kind!r}", "use column or bar")
    if section and section not in SECTION_KEYS:
        f.bad(
            "section",
            f"chart {chart_id!r}: unknown section {section!r}",
            "one of " + ", ".join(SECTION_KEYS),
        )
    title = f.text("title")
    ids = spec.get("facts")
    resolve = brief.row.resolve if brief.row else (lambda i: i)
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        f.bad(
            "facts" if "facts" in spec else None, f"chart {chart_id!r}: 'facts' must list fact ids"
        )
        return None
    ids = [resolve(i) for i in ids]
    units = set()
    for fid in ids:
        fact = facts.facts.get(fid)
        if fact is None:
            if facts.complete:
                f.bad(
                    "facts",
                    f"chart {chart_id!r}: unknown fact {fid!r}",
                    "check the id in facts/*.yaml",
                )
        elif not isinstance(fact.value, Decimal):
            f.bad("facts", f"chart {chart_id!r}: fact {fid!r} is a date, not a quantity")
        else:
            units.add(fact.unit)
    if len(units) > 1:
        f.bad(
            "facts",
            f"chart {chart_id!r}: facts in different units ({', '.join(sorted(units))})",
            "a chart compares figures of one unit",
        )
    labels: list[Text | None] = [None] * len(ids)
    raw_labels = spec.get("labels")
    if raw_labels is not None:
        if not isinstance(raw_labels, YList) or len(raw_labels) != len(ids):
            f.bad("labels", f"chart {chart_id!r}: 'labels' must give one label per fact")
        else:
            for index, label in enumerate(raw_labels):
                if isinstance(label, YMap) and set(label) == set(LANGS):
                    labels[index] = Text(tuple(sorted((k, str(v)) for k, v in label.items())))
                else:
                    f.bad("labels", f"chart {chart_id!r}: each label is {{zh: ..., en: ...}}")
    note = spec.get("note")
    if note is not None:
        note = resolve(str(note))
        if note not in facts.facts and facts.complete:
            f.bad("note", f"chart {chart_id!r}: unknown fact {note!r}")
    if len(problems) > count or not title:
        return None
    return Chart(
        chart_id, kind, section, title, tuple(ids), tuple(labels), note, Loc(shown, spec.line)
    )


# -- drawing --------------------------------------------------------------------------------

WIDTH, HEIGHT = 560, 230
COLUMN_WIDTH = 300
FONTS = "policybrief Noto Sans CJK SC, Noto Sans CJK SC, Noto Sans, sans-serif"  # see fonts.py


class Palette(NamedTuple):
    """The colours a chart is drawn in: the theme's (theme.yaml), or these defaults."""

    ink: str = "#1b1f24"
    accent: str = "#1d4e89"
    muted: str = "#5b6470"
    rule: str = "#c9ced6"

    @classmethod
    def of(cls, theme: Theme | None) -> Palette:
        if theme is None:
            return cls()
        return cls(*(theme.color(name, default) for name, default in cls._field_defaults.items()))


def _label(chart: Chart, index: int, facts: FactBase, lang: Language) -> str:
    label = chart.labels[index]
    if label is not None:
        return label.get(lang.code)
    fact = facts.facts[chart.facts[index]]
    return lang.date(fact.date) if fact.date else fact.label.get(lang.code)


def render(
    chart: Chart, facts: FactBase, lang: Language, number: int, theme: Theme | None = None
) -> dict:
    """What the chart partial needs: the SVG (with a text alternative), title, sources."""
    items = [facts.facts[fid] for fid in chart.facts]
    values = [
        float(fact.value) for fact in items if isinstance(fact.value, Decimal)
    ]  # load() accepts only plain figures
    texts = [format_fact(fact, facts.units[fact.unit], lang) for fact in items]
    labels = [_label(chart, i, facts, lang) for i in range(len(items))]
    top = max(values) or 1.0
    uid = f"chart-{chart.id}-{number}"
    title = chart.title.get(lang.code)
    described = "; ".join(f"{label}: {text}" for label, text in zip(labels, texts, strict=True))
    width = WIDTH if chart.kind == "bar" else COLUMN_WIDTH
    draw = _columns if chart.kind == "column" else _bars
    palette = Palette.of(theme)
    svg = (
        f'<svg class="chart-svg" viewBox="0 0 {width} {HEIGHT}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="{FONTS}" font-size="15">'
        f'<title id="{uid}-title">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(described)}</desc>'
        f"{draw(values, texts, labels, top, width, palette)}</svg>"
    )
    sources = []
    for fid in dict.fromkeys(chart.facts):
        fact = facts.facts[fid]
        source = facts.sources.get(fact.source)
        if source is None:  # a derived fact: name the sources of the facts it is computed from
            inputs = fact.derived.inputs if fact.derived else ()
            names = dict.fromkeys(
                f"{facts.sources[facts.facts[i].source].author.get(lang.code)} "
                f"{facts.sources[facts.facts[i].source].year or ''}".strip()
                for i in inputs
                if facts.facts[i].source in facts.sources
            )
            sources.append({"name": ", ".join(names), "cite": Markup(cite_mark(fid))})
            continue
        sources.append(
            {
                "name": f"{source.author.get(lang.code)} {source.year or ''}".strip(),
                "cite": Markup(cite_mark(fid)),
            }
        )
    note = None
    if chart.note:
        fact = facts.facts[chart.note]
        note = {
            "label": fact.label.get(lang.code),
            "value": Markup(
                f'<span class="fact" data-fact="{escape(fact.id)}">'
                f"{escape(format_fact(fact, facts.units[fact.unit], lang))}"
                f"</span>{cite_mark(fact.id)}"
            ),
        }
    return {
        "id": uid,
        "kind": chart.kind,
        "title": title,
        "svg": Markup(svg),
        "text": described,
        "sources": sources,
        "note": note,
    }


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


def _columns(
    values: list[float],
    texts: list[str],
    labels: list[str],
    top: float,
    width: int,
    palette: Palette,
) -> str:
    count = len(values)
    left, right, base, head = 12, width - 12, HEIGHT - 36, 34
    slot = (right - left) / count
    bar = min(80.0, slot * 0.56)
    parts = [f'<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{palette.rule}"/>']
    for index, (value, text, label) in enumerate(zip(values, texts, labels, strict=True)):
        height = (base - head) * value / top
        x = left + slot * index + (slot - bar) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{base - height:.1f}" width="{bar:.1f}" '
            f'height="{height:.1f}" fill="{palette.accent}"/>'
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
) -> str:
    count = len(values)
    left, right, head = 150, width - 150, 12
    slot = (HEIGHT - 2 * head) / count
    bar = min(36.0, slot * 0.6)
    parts = [
        f'<line x1="{left}" y1="{head}" x2="{left}" y2="{HEIGHT - head}" stroke="{palette.rule}"/>'
    ]
    for index, (value, text, label) in enumerate(zip(values, texts, labels, strict=True)):
        length = (right - left) * value / top
        y = head + slot * index + (slot - bar) / 2
        parts.append(
            f'<rect x="{left}" y="{y:.1f}" width="{length:.1f}" height="{bar:.1f}" '
            f'fill="{palette.accent}"/>'
        )
        parts.append(_text(left - 8, y + bar / 2 + 5, label, palette, anchor="end", css="label"))
        parts.append(_text(left + length + 8, y + bar / 2 + 5, text, palette, anchor="start"))
    return "".join(parts)
