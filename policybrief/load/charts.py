"""Load stage, charts: the ``charts:`` of brief.yaml read into Chart objects and checked
against the facts. Drawing is :mod:`chartsvg`'s (render stage).

    charts:
      - id: enterprises
        kind: column              # column | bar | line | stacked | multiples
        section: outcomes         # drawn at the end of this section
        title: {zh: 累计引进企业, en: Enterprises attracted}
        facts: [yunqi.enterprises.2015, yunqi.enterprises.2016]     # column, bar, line
        labels: [{zh: 2015年, en: "2015"}, ...]   # optional; default: each fact's date
        note: yunqi.fiscal-revenue.growth.2016     # optional fact printed under the chart

    A chart of several series (line, stacked, multiples) lists them instead of ``facts``:

        series:
          - label: {zh: 涉云企业, en: Cloud-related}
            facts: [yunqi.cloud-enterprises.2015, yunqi.cloud-enterprises.2016]
          - label: {zh: 其他企业, en: Other}
            facts: [yunqi.other-enterprises.2015, yunqi.other-enterprises.2016]
        totals: [yunqi.enterprises.2015, yunqi.enterprises.2016]   # stacked, optional

Every value is a fact (so it is cited and proven by its quote), all of one unit; a stacked
chart's totals must equal the sum of their segments, since the chart shows them as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from policybrief.core.errors import Problem, did_you_mean
from policybrief.core.model import SECTION_KEYS, Brief, Chart, FactBase, Loc, Range, Series, Text
from policybrief.load.yamlio import Fields, YList, YMap

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
KINDS = ("column", "bar", "line", "stacked", "multiples")
SINGLE = ("column", "bar")  # one series, given as `facts`
MULTI = ("stacked", "multiples")  # several series, given as `series`
FIELDS = ("id", "kind", "section", "title", "facts", "series", "labels", "totals", "note")
SERIES_FIELDS = ("label", "facts")
MAX_SERIES = 6  # the theme's six series colours (chartsvg.Palette)


def load(brief: Brief, facts: FactBase, problems: list[Problem]) -> Brief:
    """Parse the brief's ``charts:`` into Chart objects, checking them against the facts."""
    raw = brief.chart_spec
    if raw is None:
        return replace(brief, charts=())
    shown = brief.loc.path
    if not isinstance(raw, YList):
        problems.append(Problem(shown, getattr(raw, "line", 1), "brief: 'charts' must be a list"))
        return replace(brief, charts=())
    charts: list[Chart] = []
    for index, spec in enumerate(raw):
        if not isinstance(spec, YMap):
            problems.append(Problem(shown, raw.line_of(index), "each chart must be a mapping"))
            continue
        chart = _Reader(spec, shown, brief, facts, problems).chart()
        if chart and any(c.id == chart.id for c in charts):
            problems.append(
                Problem(
                    shown,
                    spec.line_of("id"),
                    f"chart {chart.id!r}: declared twice",
                    "give each chart of a brief its own id",
                )
            )
        elif chart:
            charts.append(chart)
    return replace(brief, charts=tuple(charts))


class _Reader:
    """Reads one chart's mapping; every problem goes to ``problems`` at its line."""

    def __init__(
        self, spec: YMap, shown: str, brief: Brief, facts: FactBase, problems: list[Problem]
    ):
        self.spec, self.shown, self.facts, self.problems = spec, shown, facts, problems
        self.languages = brief.languages
        self.name = f"chart {spec.get('id')!r}"
        self.f = Fields(spec, shown, problems, self.name)
        self.resolve: Callable[[str], str] = brief.row.resolve if brief.row else (lambda i: i)
        self.lines: dict[str, int] = {}  # the line where each fact id is written

    def bad_at(self, fid: str, message: str, hint: str = "") -> None:
        line = self.lines.get(fid, self.spec.line)
        self.problems.append(Problem(self.shown, line, f"{self.name}: {message}", hint))

    def chart(self) -> Chart | None:
        f, spec = self.f, self.spec
        f.unknown(FIELDS)
        count = len(self.problems)
        chart_id, kind, section = f.string("id"), self._kind(), self._section()
        if chart_id and not ID_RE.fullmatch(chart_id):
            f.bad(
                "id",
                f"{self.name}: the id must be lowercase letters, digits and hyphens",
                "it names the chart's CSV file and its anchor, e.g. fiscal-revenue",
            )
        title = f.text("title")
        series = self._series(kind)
        if series is None:
            return None
        categories = len(series[0].facts)
        totals = self._ids(spec, "totals", f) if "totals" in spec else []
        if totals and kind != "stacked":
            f.bad("totals", f"{self.name}: only a stacked chart has 'totals'")
        elif totals and len(totals) != categories:
            f.bad("totals", f"{self.name}: 'totals' must give one fact per category")
        ids = [fid for s in series for fid in s.facts] + (totals or [])
        if not self._quantities(ids):
            return None
        labels = self._labels(categories)
        if totals and len(self.problems) == count:
            self._check_totals(series, totals)
        note = self._note()
        if len(self.problems) > count or not title:
            return None
        return Chart(
            chart_id,
            kind,
            section,
            title,
            tuple(ids),
            labels,
            note,
            Loc(self.shown, spec.line),
            tuple(series),
            tuple(totals or ()),
        )

    def _kind(self) -> str:
        kind = self.spec.get("kind", "column")
        if kind not in KINDS:
            nearest = did_you_mean(kind, KINDS)
            self.f.bad(
                "kind",
                f"{self.name}: unknown kind {kind!r}",
                (nearest + " " if nearest else "") + "use one of " + ", ".join(KINDS),
            )
            return "column"
        return str(kind)

    def _section(self) -> str:
        section = self.f.string("section")
        if section and section not in SECTION_KEYS:
            nearest = did_you_mean(section, SECTION_KEYS)
            self.f.bad(
                "section",
                f"{self.name}: unknown section {section!r}",
                (nearest + " " if nearest else "") + "one of " + ", ".join(SECTION_KEYS),
            )
        return section

    def _ids(self, data: YMap, key: str, f: Fields) -> list[str] | None:
        """A list of fact ids (``row.x`` resolved), or None after reporting it."""
        ids = data.get(key)
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            f.bad(key if key in data else None, f"{self.name}: {key!r} must list fact ids")
            return None
        for index, fid in enumerate(ids):
            line = ids.line_of(index) if isinstance(ids, YList) else data.line_of(key)
            self.lines.setdefault(self.resolve(fid), line)
        return [self.resolve(i) for i in ids]

    def _series(self, kind: str) -> list[Series] | None:
        """The chart's series: ``facts`` (one, unnamed) or ``series`` (named, equal length)."""
        f, spec = self.f, self.spec
        if kind in MULTI and "series" not in spec:
            f.bad(
                "facts" if "facts" in spec else None,
                f"{self.name}: a {kind} chart needs 'series'",
                "series: [{label: {zh: ..., en: ...}, facts: [...]}, ...]",
            )
            return None
        if "series" not in spec:
            ids = self._ids(spec, "facts", f)
            return [Series(None, tuple(ids))] if ids else None
        if kind in SINGLE or "facts" in spec:
            f.bad(
                "series",
                f"{self.name}: give either 'facts' (one series) or 'series'",
                "column and bar charts take 'facts'; line, stacked and multiples 'series'",
            )
            return None
        return self._named_series(spec["series"], kind)

    def _named_series(self, raw: object, kind: str) -> list[Series] | None:
        least = 2 if kind in MULTI else 1
        if not isinstance(raw, YList) or not least <= len(raw) <= MAX_SERIES:
            self.f.bad(
                "series",
                f"{self.name}: 'series' must list {least} to {MAX_SERIES} series",
                "each {label: {zh: ..., en: ...}, facts: [...]}",
            )
            return None
        found: list[Series] = []
        for index, item in enumerate(raw):
            if not isinstance(item, YMap):
                self.problems.append(
                    Problem(
                        self.shown,
                        raw.line_of(index),
                        f"{self.name}: each series is a mapping",
                        "{label: {zh: ..., en: ...}, facts: [...]}",
                    )
                )
                continue
            f = Fields(item, self.shown, self.problems, f"{self.name}, series {index + 1}")
            f.unknown(SERIES_FIELDS)
            label, ids = f.text("label"), self._ids(item, "facts", f)
            if ids and found and len(ids) != len(found[0].facts):
                f.bad(
                    "facts",
                    f"{self.name}: series {index + 1} has {len(ids)} "
                    f"fact{'s' * (len(ids) != 1)}, the first {len(found[0].facts)}",
                    "every series gives one fact per category",
                )
            elif ids and label:
                found.append(Series(label, tuple(ids)))
        return found if len(found) == len(raw) else None

    def _quantities(self, ids: list[str]) -> bool:
        """Every id a known fact with a plain figure, all in one unit."""
        units: dict[str, str] = {}  # unit -> the first fact in it
        ok = True
        for fid in ids:
            fact = self.facts.facts.get(fid)
            if fact is None:
                if self.facts.complete:
                    hint = did_you_mean(fid, self.facts.facts, "check the id in facts/*.yaml")
                    self.bad_at(fid, f"unknown fact {fid!r}", hint)
                ok = False
            elif isinstance(fact.value, Range):
                self.bad_at(fid, f"fact {fid!r} is a range, not a single figure")
                ok = False
            elif not isinstance(fact.value, Decimal):
                self.bad_at(fid, f"fact {fid!r} is a date, not a quantity")
                ok = False
            elif fact.value < 0:
                self.bad_at(fid, f"fact {fid!r} is negative", "charts draw figures from zero up")
                ok = False
            elif units and fact.unit not in units:
                self.bad_at(
                    fid,
                    f"facts in different units ({', '.join(sorted({*units, fact.unit}))})",
                    f"a chart compares figures of one unit: {units[next(iter(units))]!r} is "
                    f"in {next(iter(units))}, {fid!r} in {fact.unit}",
                )
                return False
            else:
                units.setdefault(fact.unit, fid)
        return ok

    def _labels(self, count: int) -> tuple[Text | None, ...]:
        raw = self.spec.get("labels")
        if raw is None:
            return (None,) * count
        if not isinstance(raw, YList) or len(raw) != count:
            self.f.bad("labels", f"{self.name}: 'labels' must give one label per category")
            return (None,) * count
        labels: list[Text | None] = []
        for label in raw:
            if isinstance(label, YMap) and set(label) == set(self.languages):
                labels.append(Text(tuple(sorted((k, str(v)) for k, v in label.items()))))
            else:
                example = ", ".join(f"{lang}: ..." for lang in self.languages)
                self.f.bad("labels", f"{self.name}: each label is {{{example}}}")
                labels.append(None)
        return tuple(labels)

    def _check_totals(self, series: list[Series], totals: list[str]) -> None:
        for index, fid in enumerate(totals):
            parts = [self.facts.facts[s.facts[index]].value for s in series]
            added = sum((v for v in parts if isinstance(v, Decimal)), Decimal(0))
            total = self.facts.facts[fid].value
            if total != added:
                self.f.bad(
                    "totals",
                    f"{self.name}: total {fid!r} is {total}, but its segments add up to {added}",
                    "a stacked bar shows its total as their sum",
                )

    def _note(self) -> str | None:
        note = self.spec.get("note")
        if note is None:
            return None
        note = self.resolve(str(note))
        if note not in self.facts.facts and self.facts.complete:
            self.f.bad(
                "note",
                f"{self.name}: unknown fact {note!r}",
                did_you_mean(note, self.facts.facts, "check the id in facts/*.yaml"),
            )
        return note
