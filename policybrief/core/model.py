"""Typed data passed between stages. Frozen: a stage never edits what an earlier one made."""

from __future__ import annotations

import datetime
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeAlias

if TYPE_CHECKING:
    from policybrief.core.languages import Language

SECTION_KEYS: tuple[str, ...] = ("background", "measures", "outcomes", "lessons")
QUALIFIERS: tuple[str, ...] = ("exact", "over", "nearly", "about", "more_than", "up_to")
# What kind of figure a fact is, for a reader of the fact-check appendix: as the source
# states it (``status:`` in a facts file); a derived fact is always "calculated".
STATUSES: tuple[str, ...] = ("official", "company", "projection", "target", "reported")
_FIGURE_PART_RE = re.compile(r"Figure\[[^\]\n]*\]:|!\[")  # a figure's caption or image line

# A value as read from a project file, before a loader has checked it. From YAML
# (load/yamlio.py): a mapping or a list with its lines (yamlio.YMap, yamlio.YList), a
# scalar, or what an explicit tag makes (!!timestamp a date, !!binary bytes, !!set a set,
# !!omap a list of pairs); from pyproject.toml: TOML's tables, arrays, scalars and times.
# Loaders narrow it with isinstance and report any shape they did not expect, with its line.
RawValue: TypeAlias = (
    "dict[Hashable, RawValue] | list[RawValue] | tuple[RawValue, ...] | set[Hashable] "
    "| str | int | float | bool | bytes | datetime.date | datetime.time | None"
)
# A reference style setting as stored (load/refstyles.normal_style): a CSL style name, or
# sorted (language, name) pairs; None: not set.
ReferenceStyle: TypeAlias = str | tuple[tuple[str, str], ...] | None


@dataclass(frozen=True)
class Loc:
    """Where something was written: a project-relative path and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Text:
    """A short text in several languages, e.g. a label ``{"zh": ..., "en": ...}``; loaded
    from a file, it knows where (``site``: the key's place and name, for the check that it
    holds each of the project's languages, load/languages.py)."""

    values: tuple[tuple[str, str], ...]
    # not part of what the text is: moving it in its file changes no page (nor cache key)
    site: TextSite | None = field(default=None, compare=False, repr=False)

    def get(self, lang: str) -> str:
        return dict(self.values).get(lang, "")

    def langs(self) -> set[str]:
        return {lang for lang, value in self.values if value}


@dataclass(frozen=True)
class TextSite:
    """Where a :class:`Text` was written: ``what`` ("fact 'x'") and ``key`` ("label") name
    it in messages, as the loader's other messages do."""

    loc: Loc
    what: str
    key: str


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)


@dataclass(frozen=True)
class Range:
    """A figure the source gives as a range (95.7%–96.2%)."""

    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Derivation:
    """How a derived fact's value follows from other facts; the engine computes it."""

    op: str  # sum | difference | ratio | share | growth | years_before
    inputs: tuple[str, ...]  # fact ids, in the order the operation takes them
    places: int  # decimal places the result is rounded to


@dataclass(frozen=True)
class Unit:
    id: str
    kind: str  # count | money | percent | area | length | duration | date | year
    # the unit's name in each language: (singular, plural); one word twice in Chinese (人)
    names: tuple[tuple[str, tuple[str, str]], ...] = ()
    currency: str = ""
    loc: Loc | None = field(default=None, compare=False, repr=False)  # as Text.site

    def name(self, lang: str, one: bool = False) -> str:
        """The unit in ``lang``: its singular with ``one``, else its plural; "" if none."""
        forms = dict(self.names).get(lang, ("", ""))
        return forms[0] if one else forms[1]


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    title: Text
    author: Text
    publication: Text
    year: int | None
    note: Text | None
    loc: Loc
    url: str = ""  # where a reader finds it (printed, not loaded)
    accessed: PartialDate | None = None  # when the url was read
    publisher: Text | None = None
    kind: str = ""  # journal article | web page | report | ... (SOURCE_KINDS in facts.py)
    language: str = ""  # the language the source is written in (BCP 47), e.g. zh
    # What a reference style needs (see policybrief/references.py), each as the document
    # gives it: persons and organisations, the journal/newspaper/site, the date of issue...
    authors: tuple[Person, ...] = ()
    container: str = ""  # the journal, newspaper, magazine or site it appeared in
    issued: PartialDate | None = None  # the date of issue; `year` when only that is known
    volume: str = ""
    issue: str = ""
    pages: str = ""
    number: str = ""  # a document number, e.g. 建村〔2016〕147号
    doi: str = ""
    sha256: str = ""  # the file's digest when it was recorded (source add): check compares
    size: int | None = None  # its size in bytes then

    def needs_translation(self, code: str) -> bool:
        """Whether an edition in language ``code`` quotes this source in translation: when
        the source is written in another language (zh-Hant reads zh; en-GB reads en)."""
        if not self.language:
            return False
        return self.language.split("-")[0] != code.replace("_", "-").split("-")[0]


@dataclass(frozen=True)
class Person:
    """An author: a person (family and given name) or an organisation (``literal``)."""

    family: str = ""
    given: str = ""
    literal: str = ""


@dataclass(frozen=True)
class Fact:
    """One figure (or date) stated by one source, with the quote that states it; or, with
    ``derived``, computed from other facts (then ``source`` and ``quote`` are empty)."""

    id: str
    value: Decimal | PartialDate | Range
    unit: str
    qualifier: str
    date: PartialDate | None  # None: the source gives no date ("date not given")
    label: Text
    source: str
    quote: str
    note: Text | None
    loc: Loc
    reference: bool = False  # kept for the record; not expected to be cited by a brief
    figure: str | int | None = None  # which figure of the quote the value is, if several
    derived: Derivation | None = None
    since: PartialDate | None = None  # the start of the period the figure covers (since 2013)
    date_source: str = ""  # a second source for the date, when the quote does not state it
    date_quote: str = ""  # its words that state the date
    # The office's working remark (how the figure was read, why a unit or qualifier was
    # chosen): kept with the fact, never printed. ``note`` is the caveat a reader needs.
    curator_note: Text | None = None
    # The office's translation of the quote, by language: (("en", "..."),)
    translation: tuple[tuple[str, str], ...] = ()
    status: str = "reported"  # one of STATUSES, or "calculated" for a derived fact
    cell: CellRef | None = None  # the dataset cell that states the value (instead of a quote)

    def translated(self, lang: str) -> str:
        return dict(self.translation).get(lang, "")


@dataclass(frozen=True)
class CellRef:
    """Where a fact's figure stands in a dataset (a source of ``kind: dataset``, a .csv or
    .xlsx file): a sheet and a cell (C7), or the headers of the cell's row and column,
    outermost first. ``check`` reads the cell (check/cells.py); the note prints it."""

    sheet: str  # "" for a CSV file
    cell: str = ""  # an A1 address, or "" when the headers name it
    row: tuple[str, ...] = ()
    column: tuple[str, ...] = ()
    scale: Decimal = Decimal(1)  # the cell's number times this is the value in the fact's unit
    table: Text | None = None  # the table's name as the dataset prints it (表3 / Table 3)

    def where(self) -> str:
        """The cell as messages name it: GDP!C7, or GDP!['Zhejiang', '2023']."""
        place = self.cell or repr([" / ".join(self.row), " / ".join(self.column)])
        return f"{self.sheet}!{place}" if self.sheet else place


@dataclass(frozen=True)
class Claim:
    """A ranking or uniqueness claim (首个, 最大, 唯一) with its source and quote."""

    id: str
    label: Text
    date: PartialDate | None
    source: str
    quote: str
    loc: Loc
    reference: bool = False
    curator_note: Text | None = None  # as Fact.curator_note
    translation: tuple[tuple[str, str], ...] = ()  # as Fact.translation

    def translated(self, lang: str) -> str:
        return dict(self.translation).get(lang, "")


@dataclass(frozen=True)
class Conflict:
    """Two or more facts that state the same thing differently."""

    id: str
    facts: tuple[str, ...]
    note: Text
    loc: Loc
    curator_note: Text | None = None  # as Fact.curator_note


@dataclass(frozen=True)
class FactBase:
    sources: dict[str, Source]
    units: dict[str, Unit]
    facts: dict[str, Fact]
    claims: dict[str, Claim]
    conflicts: dict[str, Conflict]
    complete: bool = True  # False when a facts file could not be parsed at all
    # the pages each quote stands on in an original PDF (load/originals.py), by item id
    pages: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def conflicts_of(self, item_id: str) -> list[Conflict]:
        return [c for c in self.conflicts.values() if item_id in c.facts]


@dataclass(frozen=True)
class Section:
    key: str
    markdown: str  # the section's body, without its opening heading
    loc: Loc  # line of the first body line

    @property
    def lead(self) -> str:
        """The first paragraph: what short audiences print. A figure (an image and its
        caption line) that opens the section is passed over for the text after it."""
        paragraphs = self.markdown.strip().split("\n\n")
        for paragraph in paragraphs:
            if paragraph.strip() and not _FIGURE_PART_RE.match(paragraph.strip()):
                return paragraph
        return paragraphs[0]


@dataclass(frozen=True)
class LangText:
    """A brief's text in one language: front matter strings and the four sections."""

    lang: str
    path: str
    title: str
    subtitle: str
    summary: str
    summary_loc: Loc
    recommendations: tuple[tuple[str, Loc], ...]
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Brief:
    slug: str
    folder: str
    date: PartialDate
    topic: str
    authors: tuple[Text, ...]
    audiences: tuple[str, ...]
    languages: tuple[str, ...]
    key_figures: tuple[str, ...]
    allow_digits: tuple[str, ...]
    texts: dict[str, LangText]
    loc: Loc
    batch: RawValue = None  # a batch template's raw `batch:` spec; expanded by batch.py
    row: Row | None = None  # set on each brief expanded from a batch table
    chart_spec: RawValue = None  # the raw `charts:` of brief.yaml; charts.load() parses it
    charts: tuple[Chart, ...] = ()  # the parsed charts
    lines: tuple[tuple[str, int], ...] = ()  # brief.yaml lines: "audiences", "audiences/press"
    parity: RawValue = None  # raw `parity:` spec (deliberate differences); read by parity.py
    status: str = "final"  # final | draft (drafts carry a watermark, never get published)
    status_line: int = 0  # line of `status:` in brief.yaml
    revision: Revision | None = None  # this edition's revision note (changes.py)
    templates: str = ""  # brief.yaml `templates:`: its own template folder (project-relative)
    pictures: dict[str, Picture] = field(default_factory=dict)  # images prose shows, by name
    release: Release | None = None  # brief.yaml `release:` (press releases)
    spokesperson: Spokesperson | None = None  # brief.yaml `spokesperson:` (press releases)

    def line_of(self, key: str) -> int:
        """The brief.yaml line of a field or list item ("key_figures/some.id")."""
        for name, line in self.lines:
            if name == key:
                return line
        field = key.split("/", 1)[0]
        return next((line for name, line in self.lines if name == field), self.loc.line)


@dataclass(frozen=True)
class Release:
    """``release:`` in brief.yaml: the day a press release is issued, and an embargo (not
    to be published before): ISO 8601 with its UTC offset, "2026-10-16T10:00+08:00"."""

    date: PartialDate | None = None
    embargo: str = ""


@dataclass(frozen=True)
class Spokesperson:
    """``spokesperson:`` in brief.yaml: who a press release quotes, and what they say."""

    name: Text
    quote: Text
    role: Text | None = None


@dataclass(frozen=True)
class Revision:
    """``revision:`` in brief.yaml: this edition's date, the git revision (tag or commit) of
    the edition it revises, and a note; the list of changes is computed (changes.py)."""

    date: PartialDate
    since: str
    note: Text | None
    loc: Loc


@dataclass(frozen=True)
class Row:
    """One row of a batch table: the brief made from it cites ``row.<column>``."""

    slug: str
    texts: dict[str, Text]  # text columns, e.g. name
    figures: dict[str, str]  # figure column -> fact id
    record: str  # the row as written, for cache keys

    def resolve(self, item_id: str) -> str:
        """``row.sales`` -> the id of this row's sales fact; other ids unchanged."""
        if item_id.startswith("row."):
            return self.figures.get(item_id[4:], item_id)
        return item_id


@dataclass(frozen=True)
class Series:
    """One named row of figures in a chart (a line, a stacked segment, a panel)."""

    label: Text | None  # None: the single series of a column or bar chart
    facts: tuple[str, ...]  # one fact per category, in order


@dataclass(frozen=True)
class Chart:
    """A chart declared in brief.yaml over facts of one unit."""

    id: str
    kind: str  # column | bar | line | stacked | multiples (see charts.KINDS)
    section: str
    title: Text
    facts: tuple[str, ...]  # every fact the chart shows: its series' in order, then totals
    labels: tuple[Text | None, ...]  # per category; None: the first series' fact's date
    note: str | None  # a fact shown under the chart, e.g. growth
    loc: Loc
    series: tuple[Series, ...] = ()  # column and bar: one series without a label
    totals: tuple[str, ...] = ()  # stacked: one fact per category, the sum of its segments


@dataclass(frozen=True)
class Picture:
    """An image file from a brief's own folder, read and checked by :mod:`images`."""

    name: str  # as prose names it, relative to the brief's folder: "maps/park.png"
    mime: str  # image/png | image/jpeg
    data: bytes
    width: int  # pixels
    height: int
    sha256: str

    def data_uri(self) -> str:
        import base64

        return f"data:{self.mime};base64," + base64.b64encode(self.data).decode("ascii")


@dataclass(frozen=True)
class Audience:
    """How one audience presents a brief; read from templates/audiences.yaml."""

    name: str
    template: str
    label: Text
    section_text: str = "full"  # full | lead
    max_pages: int | None = None
    page_size: str = "A4"
    toc: bool = False
    cover: bool = False
    endnotes: str = "full"  # full | compact
    key_figures: bool = True
    recommendations: bool = True
    fact_appendix: bool = False  # a fact-check table of every cited fact, in both languages
    charts: bool = True  # the brief's charts, at the end of their sections
    pdf_variant: str | None = None  # pdf/a-3b (archival, facts attached) | pdf/ua-1 (tagged)
    citations: str = "links"  # links (to the endnotes) | footnotes (at the foot of the page)
    # a CSL style name, or {zh: name, en: name}; None: the project's, else the default
    reference_style: ReferenceStyle = None


@dataclass(frozen=True)
class Theme:
    """A house style (templates' theme.yaml), read alike by HTML, PDF and charts."""

    colors: dict[str, str] = field(default_factory=dict)  # ink, accent, ...: "#1d4e89"
    fonts: dict[str, str] = field(default_factory=dict)  # serif, sans: a family name
    logo: str = ""  # a data: URI, or ""
    organisation: Text | None = None
    running_header: Text | None = None
    # the Word edition's faces, by role and script (serif, sans, mono: Latin text;
    # serif_hans, sans_hans, serif_hant, sans_hant: Chinese): fonts Word has (output/docx)
    word_fonts: dict[str, str] = field(default_factory=dict)
    # the colours for print, in CMYK (0-1 each): ink -> (c, m, y, k); the print edition's
    # PDF writer uses them for these colours (output/cmyk.py)
    print_colors: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)

    def print_table(self) -> tuple[tuple[str, tuple[float, float, float, float]], ...]:
        """Each theme colour that has a print colour: (#rrggbb, its CMYK)."""
        return tuple(
            (self.colors[name].lower(), cmyk)
            for name, cmyk in sorted(self.print_colors.items())
            if name in self.colors
        )

    def color(self, name: str, default: str) -> str:
        return self.colors.get(name, default)

    def css(self) -> str:
        """The theme as CSS custom properties, to follow base.css."""
        lines = [
            f"  --{name.replace('_', '-')}: {value};" for name, value in sorted(self.colors.items())
        ]
        for name, family in sorted(self.fonts.items()):
            # The house face first; then the subset Noto face the PDFs embed (fonts.py) and
            # the system one, for the characters the house face lacks (Chinese, mostly).
            noto = f"Noto {name.title()} CJK SC"
            fallback = "serif" if name == "serif" else "sans-serif"
            lines.append(f'  --{name}: "{family}", "policybrief {noto}", "{noto}", {fallback};')
        return ":root {\n" + "\n".join(lines) + "\n}" if lines else ""


@dataclass(frozen=True)
class Office:
    """The office behind the briefs (``[tool.policybrief.office]``, load/house.py): what a
    press release and the print edition's back cover say about it; each part optional."""

    name: Text | None = None
    about: Text | None = None
    email: str = ""  # the press office's address
    phone: str = ""
    web: str = ""


@dataclass(frozen=True)
class Printing:
    """The print shop's settings (``[tool.policybrief.print]``, load/house.py)."""

    profile: Path | None = None  # the CMYK ICC profile of the output intent; None: default
    pages: int = 2  # the print edition's page count is a multiple of this (2 or 4)
    colophon: bool = False  # the back cover says when and with what it was printed


@dataclass(frozen=True)
class TemplateSet:
    """What one brief is rendered with: its template folders (most important first, the
    built-in ``templates/`` last), and the audiences and theme those folders define."""

    dirs: tuple[Path, ...]
    audiences: dict[str, Audience]
    theme: Theme


class EditionRecord(Protocol):
    """A revised brief's edition as the project carries it: what every stage may read of
    ``editions.revisions.Edition``, which also holds the changes in each language (that
    module reads them, narrowing to its own class: core may not import it)."""

    @property
    def date(self) -> PartialDate: ...

    @property
    def since(self) -> str: ...  # the git revision it revises

    @property
    def commit(self) -> str: ...

    @property
    def note(self) -> Text | None: ...


@dataclass(frozen=True)
class Project:
    root: Path
    facts: FactBase
    briefs: dict[str, Brief]
    audiences: dict[str, Audience]  # the project's (every brief's unless it has its own)
    source_texts: tuple[Path, ...] = ()  # source folders, searched in order
    template_dirs: tuple[Path, ...] = field(default=())  # the project's template folders
    theme: Theme = field(default_factory=Theme)  # the house style (theme.yaml)
    editions: Mapping[str, EditionRecord] = field(default_factory=dict)  # slug -> its edition
    own: dict[str, TemplateSet] = field(default_factory=dict)  # slug -> a brief's own set
    reference_style: ReferenceStyle = None  # [tool.policybrief] reference_style
    # the languages the project writes in, as declared ([tool.policybrief] languages), in
    # order, each with its catalog's words (load/languages.py); empty: the default ones
    languages: dict[str, Language] = field(default_factory=dict)
    office: Office = field(default_factory=Office)  # [tool.policybrief.office]
    printing: Printing = field(default_factory=Printing)  # [tool.policybrief.print]

    def language(self, code: str) -> Language:
        """A declared language; any other valid code (the English of the engine's own pages,
        say) is derived from Babel and the engine's table, without catalog words."""
        from policybrief.core.languages import language

        return self.languages.get(code) or language(code)

    @property
    def codes(self) -> tuple[str, ...]:
        """The project's language codes, in the order declared."""
        from policybrief.core.languages import DEFAULT

        return tuple(self.languages) or DEFAULT

    def templates(self, slug: str) -> TemplateSet:
        """The template set brief ``slug`` is rendered with: its own folder over the
        project's, or the project's."""
        return self.own.get(slug) or TemplateSet(self.template_dirs, self.audiences, self.theme)

    def audience(self, slug: str, name: str) -> Audience:
        return self.templates(slug).audiences[name]
