"""What the page templates receive, typed: the page context (:class:`PageContext`) and each
dict in it, from a source in a note to a row of the fact-check table.

Dicts, not dataclasses, because templates and house styles index them (``note.source.id``
and ``note["source"]["id"]`` alike) and a partial may receive one alone; TypedDicts, so
that the code that builds them and the code that reads them (the Word converter, the
reference list) agree on their keys. Everything here is made in Python; templates only
read it.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from markupsafe import Markup

from policybrief.editions.revisions import RevisionBox


class SourceEntry(TypedDict):
    """A source as a note prints it; a derived figure's (empty id) has none of its own."""

    id: str
    title: str
    author: str
    publication: str
    year: int | str  # "" when unknown
    file: str
    url: str
    accessed: str
    publisher: str
    kind: str
    language: str
    note: str
    container: str
    reference: str  # the entry in the page's reference style, set by Renderer.references
    short: str  # the short citation after the first: Jia (2017), 贾振成（2017）


class DerivedInput(TypedDict):
    id: str
    value: str
    label: str
    source: SourceEntry


class DerivedEntry(TypedDict):
    """What a derived figure is calculated from."""

    op: str
    inputs: list[DerivedInput]


class ConflictingFigure(TypedDict):
    """The other side of a conflict, in the note of a figure it conflicts with."""

    id: str
    value: str
    source: SourceEntry
    quote: str
    translation: str  # the office's translation of the quote into the page's language


class ConflictEntry(TypedDict):
    id: str
    note: str
    others: list[ConflictingFigure]


class Note(TypedDict):
    """An endnote (or footnote) for one cited fact or claim."""

    number: int
    id: str
    kind: str  # fact | claim
    value: str
    label: str
    quote: str
    translation: str  # the office's translation of the quote, where the page needs one
    cell: str  # where a figure from a dataset stands: table, sheet, row and column (or cell)
    note: str
    date: str
    undated: bool
    derived: DerivedEntry | None
    source: SourceEntry
    locator: str  # the pages the quote stands on in an original PDF: "p. 2", 第2页 (or "")
    conflicts: list[ConflictEntry]
    source_first: NotRequired[bool]  # the first note citing its source (set after the first pass)
    # where the date comes from (render/dating.py): the part of it no source states
    # ("date", "month", "day" or ""), or the second source that states it, and its words
    unstated: NotRequired[str]
    date_source: NotRequired[SourceEntry | None]
    date_quote: NotRequired[str]


class ReferenceEntry(TypedDict):
    """One entry of the page's reference list."""

    id: str
    label: str  # [1] in a numeric style, else ""
    html: Markup
    text: str


class KeyFigure(TypedDict):
    id: str
    value: Markup  # the figure with its citation placeholder
    text: str
    label: str
    source: SourceEntry
    date: str


class ChartSource(TypedDict):
    """A source under a chart, with the citation marks of every figure taken from it."""

    name: str
    cite: Markup


class ChartNote(TypedDict):
    """The figure printed under a chart (its ``note:``, e.g. growth)."""

    label: str
    value: Markup  # with its citation placeholder


class ChartDrawing(TypedDict):
    """What the chart partial needs (:func:`chartsvg.render`)."""

    id: str
    kind: str
    title: str
    svg: Markup
    text: str
    sources: list[ChartSource]
    note: ChartNote | None
    csv: str


class PlacedChart(ChartDrawing):
    """A chart where a section prints it, with its figure number."""

    label: str  # 图2 / Figure 2
    anchor: str


class SectionEntry(TypedDict):
    key: str
    id: str
    html: Markup
    charts: list[PlacedChart]


class ExhibitEntry(TypedDict):
    """A table or figure in the list of exhibits."""

    kind: str  # table | figure
    label: str
    anchor: str
    title: str
    chart: bool


class Alternate(TypedDict):
    """This page in another of the brief's languages, for the language switch."""

    code: str
    tag: str
    name: str
    href: str
    current: bool


class LanguageEntry(TypedDict):
    code: str
    tag: str
    name: str


class PageLanguage(LanguageEntry):
    """The page's own language: what its templates switch on (core/languages.py)."""

    dir: str  # ltr | rtl
    cjk: bool  # Chinese or Japanese: body class cjk (justified), else spaced
    exhibit_separator: str  # between an exhibit's label and its caption
    quotes: list[str]  # opening and closing quotation marks


class ReleaseEntry(TypedDict):
    """A press release's date line (brief.yaml ``release:``), formatted for the page."""

    date: str  # the day it is issued (the brief's date unless release.date says)
    embargo_date: str  # "" when there is no embargo
    embargo_time: str  # "10:00 (UTC+08:00)"


class SpokespersonEntry(TypedDict):
    name: str
    role: str
    quote: str


class BriefEntry(TypedDict):
    slug: str
    title: str
    subtitle: str
    summary: Markup
    topic: str
    summary_text: str
    date: str
    date_iso: str
    authors: list[str]
    release: ReleaseEntry
    spokesperson: SpokespersonEntry | None


class ExportLinks(TypedDict):
    json: str
    bib: str
    ris: str


class Links(TypedDict):
    html: str
    pdf: str
    docx: str
    index: str
    references: ExportLinks


class ThemeEntry(TypedDict):
    css: Markup
    logo: str
    organisation: str
    running_header: str


class OfficeEntry(TypedDict):
    """The office (``[tool.policybrief.office]``) in the page's language; "" where unset."""

    name: str
    about: str
    email: str
    phone: str
    web: str
    contact: str  # email, phone and web joined, as a line to print


class PrintingEntry(TypedDict):
    pages: int  # the print edition's page count is a multiple of this
    colophon: bool  # the back cover says when and with what it was printed


class CitedIn(TypedDict):
    """Where a fact is cited, for the fact-check table."""

    brief: str
    lang: str
    section: str
    href: str
    where: str
    anchor: str  # the section's id on the page ("": the summary, at the top)


class FactSource(TypedDict):
    """A source in the fact-check table, in every language."""

    id: str
    file: str
    author: dict[str, str]
    title: dict[str, str]
    year: int | str
    url: str
    note: str


class FactConflict(TypedDict):
    id: str
    note: dict[str, str]  # language -> text
    others: list[str]


class FactRow(TypedDict):
    """A fact or claim in the fact-check table: what the fact base states, in every
    language, where it is cited and its corrections."""

    id: str
    kind: str  # fact | claim
    value: dict[str, str]  # language -> the figure as printed
    labels: dict[str, str]
    date: dict[str, str]
    derived: list[str]
    qualifier: str
    source: FactSource
    quote: str
    cell: str  # a figure from a dataset: where it stands (table, sheet, row, column), in English
    locator: str  # the pages the quote stands on in an original PDF ("p. 2"), or ""
    translation: str  # the office's English translation of the quote
    note: dict[str, str]
    reference: bool
    status: dict[str, str]  # language -> what kind of figure it is, in words
    curator_note: dict[str, str]  # the office's working note (the fact base page shows it)
    conflicts: list[FactConflict]
    cited_by: list[CitedIn]
    defined_at: str
    history: list[dict[str, str]]  # editions.revisions.fact_history
    number: NotRequired[int]  # in a brief's appendix: the row's number


class ArchiveEntry(TypedDict):
    """What the page says about the brief itself (render/archive.py): schema.org JSON-LD,
    the Open Graph card, and the "cite this brief" block with its files."""

    json_ld: Markup  # JSON, escaped to stand inside <script type="application/ld+json">
    image: str  # the social card beside the page
    image_alt: str
    locale: str  # Open Graph's zh_CN, en_US
    locale_alternates: list[str]
    cite: Markup  # the brief's entry in the page's reference style
    cite_files: dict[str, str]  # json, bib, ris -> file beside the page
    site_name: str


class PageContext(TypedDict):
    """Everything a page template receives."""

    lang: PageLanguage
    brief: BriefEntry
    audience: dict[str, object]  # the Audience's fields, its label in the page's language
    sections: list[SectionEntry]
    exhibits: list[ExhibitEntry]
    key_figures: list[KeyFigure]
    recommendations: list[Markup]
    notes: list[Note]
    references: list[ReferenceEntry]
    fact_check: list[FactRow]
    alternates: list[Alternate]
    languages: list[LanguageEntry]
    links: Links
    theme: ThemeEntry
    office: OfficeEntry
    printing: PrintingEntry
    generator: str
    build_date: str
    draft: bool
    revision: RevisionBox | None
    archive: ArchiveEntry
    medium: NotRequired[str]  # screen | print, set for each rendering
