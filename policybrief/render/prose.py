"""Render stage, part one: brief prose (Markdown with fact calls) to HTML fragments.

Prose runs through a *sandboxed* Jinja environment that exposes only ``fact``, ``when`` and
``claim``. Each call leaves the localized value plus a citation placeholder
(``CITE_OPEN id CITE_CLOSE``); :mod:`policybrief.render.page` later numbers the placeholders in
reading order and turns them into links to the endnotes. Raw HTML, links and images in
Markdown are not interpreted: they come out as text.
"""

from __future__ import annotations

import re
import traceback
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from types import CodeType

import markdown
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from policybrief.core.errors import Problem, RenderError
from policybrief.core.i18n import Language, format_fact
from policybrief.core.model import Chart, Fact, FactBase, LangText, Loc, Picture, Row
from policybrief.load.citations import blank_expressions
from policybrief.load.images import FIGURE_RE, IMAGE_RE
from policybrief.load.markup import validate
from policybrief.load.selection import EXHIBIT_RE, exhibit_numbers
from policybrief.render.templatedata import ExhibitEntry

CITE_OPEN, CITE_CLOSE = "\ue000", "\ue001"
_HOLE_OPEN, _HOLE_CLOSE = "\ue002", "\ue003"
CITE_RE = re.compile(f"{CITE_OPEN}([^{CITE_CLOSE}]+){CITE_CLOSE}")
_HOLE_RE = re.compile(f"{_HOLE_OPEN}(\\d+){_HOLE_CLOSE}")
_TEMPLATE_FILE = "<template>"

# Markdown features that could pull in other content or inject markup are switched off.
_OFF_INLINE = (
    "html",
    "link",
    "image_link",
    "image_reference",
    "reference",
    "short_reference",
    "short_image_ref",
    "autolink",
    "automail",
)


class _ShiftHeadings(markdown.treeprocessors.Treeprocessor):
    """Authors' ``##`` is a subheading inside a section, so it becomes ``<h3>``."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-5]", element.tag):
                element.tag = f"h{int(element.tag[1]) + 1}"


# A table's caption: "Table: text" (unnumbered) or "Table[id]: text" (numbered, and a target
# for ref("id")), on the line right before the table.


_TABLE_RE = re.compile(r'<div class="table-wrap">.*?</table>', re.S)


class _Tables(markdown.treeprocessors.Treeprocessor):
    """A paragraph ``Table[id]: caption`` (or ``Table: caption``) right before a pipe table
    becomes the table's caption, numbered 表1 / Table 1 when it has an id; every table is
    wrapped so it scrolls, never overflows, on a narrow screen."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        # table id -> (label, anchor), set before each conversion
        self.labels: dict[str, tuple[str, str]] = {}

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            children = list(parent)
            for index, child in enumerate(children):
                if child.tag != "table":
                    continue
                before = children[index - 1] if index else None
                if (
                    before is not None
                    and before.tag == "p"
                    and re.match(r"Table(\[[a-z0-9-]+\])?:", before.text or "")
                ):
                    self._caption(child, before)
                    parent.remove(before)
                wrap = etree.Element("div", {"class": "table-wrap"})
                parent.insert(list(parent).index(child), wrap)
                parent.remove(child)
                wrap.append(child)

    def _caption(self, table: etree.Element, paragraph: etree.Element) -> None:
        head = re.match(r"Table(?:\[([a-z0-9-]+)\])?:\s*", paragraph.text or "")
        assert head is not None  # run() only passes such paragraphs
        table_id = head.group(1) or ""
        paragraph.text = (paragraph.text or "")[head.end() :]
        caption = etree.Element("caption")
        label, anchor = self.labels.get(table_id, ("", ""))
        if label:
            span = etree.SubElement(caption, "span", {"class": "exhibit-label"})
            span.text = label
            span.tail = " " + paragraph.text
        else:
            caption.text = paragraph.text
        for inline in list(paragraph):
            caption.append(inline)
        table.insert(0, caption)
        if anchor:
            table.set("id", anchor)


class _Figures(markdown.blockprocessors.BlockProcessor):
    """A paragraph ``Figure[id]: caption`` with an image line ``![alt](file.png)`` right
    below it (or after a blank line) becomes ``<figure>``: the caption, numbered 图1 /
    Figure 1 with the charts, above the image, embedded as a ``data:`` URI. Only names
    :mod:`images` has read are drawn; ``check`` reports every other image line."""

    def __init__(self, parser: markdown.blockparser.BlockParser):
        super().__init__(parser)
        self.labels: dict[str, tuple[str, str]] = {}  # set before each conversion
        self.pictures: dict[str, Picture] = {}
        self.separator = " "  # between the label and the caption (Language.exhibit_separator)

    def test(self, parent: etree.Element, block: str) -> bool:
        return FIGURE_RE.match(block.split("\n", 1)[0]) is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> bool | None:
        head, _newline, rest = blocks[0].partition("\n")
        taken = 1
        if not rest.strip() and len(blocks) > 1:
            rest, taken = blocks[1], 2
        caption, image = FIGURE_RE.match(head), IMAGE_RE.match(rest.strip())
        if caption is None or (image is None and rest.strip()):
            return False  # not a figure: check has reported it; shown as a paragraph
        del blocks[:taken]
        picture = self.pictures.get(image.group(2).strip()) if image else None
        if picture is None:
            return None  # a section's lead cut before the image, or an image check refused
        label, anchor = self.labels.get(caption.group(1), ("", f"fig-{caption.group(1)}"))
        figure = etree.SubElement(parent, "figure", {"class": "picture", "id": anchor})
        title = etree.SubElement(figure, "figcaption")
        span = etree.SubElement(title, "span", {"class": "exhibit-label"})
        span.text = label
        span.tail = self.separator + caption.group(2)
        attributes = {
            "src": picture.data_uri(),
            "alt": image.group(1).strip(),  # type: ignore[union-attr]
            "width": str(picture.width),
            "height": str(picture.height),
        }
        etree.SubElement(figure, "img", attributes)
        return None


def new_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")
    md.preprocessors.deregister("html_block")
    for name in _OFF_INLINE:
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)
    md.treeprocessors.register(_ShiftHeadings(md), "shift_headings", 0)
    md.treeprocessors.register(_Tables(md), "numbered_tables", 1)
    md.parser.blockprocessors.register(_Figures(md.parser), "figures", 85)
    return md


def exhibits(
    text: LangText, charts: tuple[Chart, ...], lang: Language
) -> dict[str, tuple[str, str]]:
    """The label of every numbered exhibit of a brief in one language (numbered by
    :func:`~policybrief.load.selection.exhibit_numbers`), with its anchor in the page."""
    return exhibit_labels(exhibit_numbers(text, charts), lang)


def exhibit_labels(
    numbers: dict[str, tuple[str, int]], lang: Language
) -> dict[str, tuple[str, str]]:
    """Exhibit id -> (label, anchor): "图2" / "Figure 2", and an anchor prefixed (tbl-,
    fig-) so that an exhibit's id never clashes with the page's own."""
    return {
        exhibit_id: (lang.exhibit(kind, n), f"{'tbl' if kind == 'table' else 'fig'}-{exhibit_id}")
        for exhibit_id, (kind, n) in numbers.items()
    }


def exhibit_list(text: LangText, charts: tuple[Chart, ...], lang: Language) -> list[ExhibitEntry]:
    """The brief's tables and figures in reading order, for a list of exhibits: kind
    ("table" or "figure"), label ("Table 1"), anchor, title (a caption's words with any
    citation left out, or a chart's title) and whether it is a chart."""
    labels = exhibits(text, charts, lang)
    titles = {chart.id: chart.title.get(lang.code) for chart in charts}
    chart_ids = set(titles)
    for section in text.sections:
        for line in section.markdown.split("\n"):
            match = EXHIBIT_RE.match(line)
            if match:
                caption = blank_expressions(line[match.end() :])
                titles[match.group(2)] = " ".join(caption.replace("*", "").split())
    return [
        {
            "kind": "table" if anchor.startswith("tbl-") else "figure",
            "label": label,
            "anchor": anchor,
            "title": titles.get(exhibit_id, ""),
            "chart": exhibit_id in chart_ids,
        }
        for exhibit_id, (label, anchor) in labels.items()
    ]


def cite_mark(item_id: str) -> str:
    return f"{CITE_OPEN}{item_id}{CITE_CLOSE}"


@dataclass(frozen=True)
class RenderedSection:
    key: str
    html: Markup
    lead: Markup


@dataclass(frozen=True)
class RenderedText:
    """A brief's prose in one language, as HTML with citation placeholders."""

    lang: str
    title: str
    subtitle: str
    summary: Markup
    recommendations: tuple[Markup, ...]
    sections: tuple[RenderedSection, ...]


class ProseRenderer:
    """Renders prose for one language; keeps one sandbox and one Markdown converter."""

    def __init__(self, facts: FactBase, lang: Language):
        self.facts, self.lang = facts, lang
        self.env = SandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
        )
        self.env.globals.clear()
        self.env.globals.update(
            fact=self.fact, when=self.when, claim=self.claim, row=self.row, ref=self.ref
        )
        self.env.filters.clear()
        self.env.tests.clear()
        self.md = new_markdown()
        self._holes: list[str] = []
        self._row: Row | None = None
        self._exhibits: dict[str, tuple[str, str]] = {}
        self._pictures: dict[str, Picture] = {}

    # -- the functions prose may call ------------------------------------------------------
    def _hole(self, html: str) -> str:
        self._holes.append(html)
        return f"{_HOLE_OPEN}{len(self._holes) - 1}{_HOLE_CLOSE}"

    def _lookup(self, fact_id: object) -> Fact:
        if isinstance(fact_id, str) and self._row is not None:
            fact_id = self._row.resolve(fact_id)
        if not isinstance(fact_id, str) or fact_id not in self.facts.facts:
            raise _UnknownFact(fact_id)
        return self.facts.facts[fact_id]

    def row(self, column: str) -> str:
        """A batch row's text column, e.g. ``{{ row("name") }}``."""
        if self._row is None or column not in self._row.texts:
            raise _UnknownFact(
                column,
                "is not a text column of this brief's batch row",
                "the text columns are listed under batch: text: in brief.yaml",
            )
        return str(escape(self._row.texts[column].get(self.lang.code)))

    def fact(self, fact_id: str, unit: bool = True) -> str:
        fact = self._lookup(fact_id)
        text = format_fact(fact, self.facts.units[fact.unit], self.lang, with_unit=bool(unit))
        return self._hole(figure_html(fact.id, text))

    def when(self, fact_id: str) -> str:
        fact = self._lookup(fact_id)
        if fact.date is None:
            raise _UnknownFact(fact_id, "has no date")
        return self._hole(figure_html(fact.id, self.lang.date(fact.date)))

    def ref(self, exhibit_id: str) -> str:
        """A cross-reference to a numbered table, figure or chart: 图2 / Figure 2, linked."""
        found = self._exhibits.get(exhibit_id) if isinstance(exhibit_id, str) else None
        if found is None:
            raise _UnknownFact(
                exhibit_id,
                "is not a numbered table, figure or chart of this brief",
                "a table needs a caption line 'Table[id]: …' before it, an image "
                "'Figure[id]: …'; a chart an id in brief.yaml",
            )
        label, anchor = found
        return self._hole(f'<a class="xref" href="#{escape(anchor)}">{escape(label)}</a>')

    def claim(self, claim_id: str) -> str:
        if not isinstance(claim_id, str) or claim_id not in self.facts.claims:
            raise _UnknownFact(claim_id, "is not a known claim")
        label = self.facts.claims[claim_id].label.get(self.lang.code)
        return self._hole(f'<span class="claim">{escape(label)}</span>{cite_mark(claim_id)}')

    # -- rendering -----------------------------------------------------------------------------
    def _expand(self, source: str, loc: Loc) -> str:
        for line, why in validate(source):
            raise RenderError(
                Problem(
                    loc.path,
                    loc.line + line - 1,
                    f"not allowed in prose: {why}",
                    "prose may only call fact, when and claim, with the id in quotes",
                )
            )
        try:
            code = _compiled(self.env, source)
            globals_ = self.env.make_globals(None)
            return self.env.template_class.from_code(self.env, code, globals_).render()
        except TemplateSyntaxError as exc:
            raise RenderError(
                Problem(
                    loc.path,
                    loc.line + (exc.lineno or 1) - 1,
                    f"template syntax error in prose: {exc.message}",
                    'fact calls look like {{ fact("some.id") }}',
                )
            ) from None
        except _UnknownFact as exc:
            line = _template_line(exc, loc)
            raise RenderError(Problem(loc.path, line, str(exc))) from None
        except SecurityError as exc:
            line = _template_line(exc, loc)
            raise RenderError(
                Problem(
                    loc.path,
                    line,
                    f"not allowed in prose: {exc}",
                    "prose may only call fact, when and claim",
                )
            ) from None
        except (TemplateError, TypeError, ValueError) as exc:
            line = _template_line(exc, loc)
            raise RenderError(
                Problem(
                    loc.path,
                    line,
                    f"error in prose: {exc}",
                    "prose may only call fact, when and claim",
                )
            ) from None

    def _fill(self, html: str) -> Markup:
        html = _HOLE_RE.sub(lambda m: self._holes[int(m.group(1))], html)
        return Markup(_TABLE_RE.sub(self._table_source, html))

    def _table_source(self, match: re.Match[str]) -> str:
        """A table's source line under it, in the charts' house form ("Source: A 2017; B
        2018"), naming the sources of the facts it prints (issue 24: tables had none)."""
        ids = dict.fromkeys(re.findall(r'data-fact="([^"]+)"', match.group(0)))
        names = dict.fromkeys(n for fid in ids for n in self._source_names(fid) if n)
        if not names:
            return match.group(0)
        word = self.lang.word("Source:")  # 资料来源： takes no space after it
        line = word + (" " if word[-1:].isascii() else "") + self.lang.word("; ").join(names)
        return f'{match.group(0)}<p class="table-source">{escape(line)}</p>'

    def _source_names(self, fact_id: str) -> list[str]:
        fact = self.facts.facts.get(fact_id)
        if fact is None:
            return []
        source = self.facts.sources.get(fact.source)
        if source is not None:
            return [f"{source.author.get(self.lang.code)} {source.year or ''}".strip()]
        inputs = fact.derived.inputs if fact.derived else ()
        return [name for i in inputs for name in self._source_names(i)]

    def block(self, source: str, loc: Loc) -> Markup:
        """Markdown paragraphs, lists, tables and subheadings."""
        expanded = self._expand(source, loc)
        self.md.reset()
        tables = self.md.treeprocessors["numbered_tables"]
        assert isinstance(tables, _Tables)
        tables.labels = self._exhibits
        figures = self.md.parser.blockprocessors["figures"]
        assert isinstance(figures, _Figures)
        figures.labels, figures.pictures = self._exhibits, self._pictures
        figures.separator = self.lang.exhibit_separator
        return self._fill(self.md.convert(expanded))

    def inline(self, source: str, loc: Loc) -> Markup:
        """One paragraph's worth of Markdown, without the ``<p>`` around it."""
        html = str(self.block(source, loc)).strip()
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Markup(html)

    def plain(self, source: str, loc: Loc) -> str:
        """A one-line text (a title) with ``row(...)`` filled in; no markup, no citations."""
        if "{" not in source:
            return source
        html = CITE_RE.sub("", str(self._fill(self._expand(source, loc))))
        return html_text(html)

    def headline(self, text: LangText, row: Row | None = None) -> tuple[str, Markup]:
        """Just the title and summary (what the index shows), without the sections."""
        self._holes, self._row = [], row
        return (
            self.plain(text.title, text.summary_loc),
            self.inline(text.summary, text.summary_loc),
        )

    def render(
        self,
        text: LangText,
        row: Row | None = None,
        charts: tuple[Chart, ...] = (),
        pictures: dict[str, Picture] | None = None,
    ) -> RenderedText:
        """The text's prose; ``pictures``: the brief's images (:func:`images.load`)."""
        self._holes = []
        self._row = row
        self._exhibits = exhibits(text, charts, self.lang)
        self._pictures = pictures or {}
        sections = tuple(
            RenderedSection(s.key, self.block(s.markdown, s.loc), self.block(s.lead, s.loc))
            for s in text.sections
        )
        return RenderedText(
            lang=text.lang,
            title=self.plain(text.title, text.summary_loc),
            subtitle=self.plain(text.subtitle, text.summary_loc),
            summary=self.inline(text.summary, text.summary_loc),
            recommendations=tuple(self.inline(r, loc) for r, loc in text.recommendations),
            sections=sections,
        )


def html_text(html: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded."""
    import html as html_lib

    return html_lib.unescape(re.sub(r"<[^>]*>", "", html))


def figure_html(item_id: str, text: str) -> str:
    return (
        f'<span class="fact" data-fact="{escape(item_id)}">{escape(text)}</span>'
        f"{cite_mark(item_id)}"
    )


class _UnknownFact(Exception):
    def __init__(
        self,
        fact_id: object,
        why: str = "is not a known fact",
        hint: str = "check the id in facts/*.yaml",
    ):
        super().__init__(f"{fact_id!r} {why} ({hint})")


def _template_line(exc: BaseException, loc: Loc) -> int:
    """The prose line that raised ``exc``: Jinja rewrites frames to template lines."""
    lines = [
        f.lineno
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename == _TEMPLATE_FILE and f.lineno
    ]
    return loc.line + (lines[-1] if lines else 1) - 1


@lru_cache(maxsize=2048)
def _source_code(source: str) -> CodeType:
    return _COMPILER.compile(source)


def _compiled(env: SandboxedEnvironment, source: str) -> CodeType:
    """A paragraph's template code, compiled once per process as Jinja's bytecode cache
    would keep it: every prose environment is made alike (sandboxed, strict, no
    autoescape), so the code one compiles serves them all, bound to each at render time
    (``serve`` and batches render the same paragraphs again)."""
    if env.autoescape or env.undefined is not StrictUndefined or not env.keep_trailing_newline:
        return env.compile(source)  # (not one of ours: compile it for itself)
    return _source_code(source)


_COMPILER = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)
