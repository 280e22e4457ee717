"""Write stage, PDF: WeasyPrint, kept warm and confined to the project's own files.

WeasyPrint is imported only when a PDF is actually built. The URL fetcher serves ``data:``
URIs and files under the allowed folders, nothing else: no network, no files elsewhere.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from policybrief.core.errors import Problem, RenderError
from policybrief.core.patches import page_box
from policybrief.output.embedded import compact_faces
from policybrief.render.notes import FOOTNOTE_END

if TYPE_CHECKING:
    from weasyprint import URLFetcherResponse  # WeasyPrint ships no types: Any to mypy
    from weasyprint.document import Document

    from policybrief.core.model import Audience, Brief, Project
    from policybrief.output.cmyk import Separator
    from policybrief.output.fonts import FontSet
    from policybrief.output.printshop import PrintSpec

log = logging.getLogger(__name__)
MAX_FOOTNOTE_PASSES = 6
_FOOTNOTE = re.compile(
    r'<span class="footnote" id="(note-\d+)" data-n="(\d+)" '
    r'role="doc-footnote">(.*?)' + re.escape(FOOTNOTE_END) + "</span>",
    re.S,
)
MAX_DATA_URI = 4 * 1024 * 1024  # an inline image larger than this is refused
PRINT_DPI = 300  # the most pixels an inch an image keeps in a PDF
ONE_PAGE_RULE = "body.one-page"  # a style that says how a one-page output differs


class BlockedResource(ValueError):
    pass


VARIANTS = ("pdf/a-3b", "pdf/ua-1", "pdf/x-4")


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    description: str
    date: datetime.datetime  # the brief's date: attachments must not carry the clock
    relationship: str = "Data"


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    warnings: tuple[str, ...]
    blocked: tuple[str, ...] = ()  # resources the fetcher refused
    demoted: tuple[str, ...] = ()  # footnotes moved to the end because they would not fit


def facts_attachment(project: Project, brief: Brief, lang: str) -> Attachment:
    """PDF/A-3 carries the facts the brief shows, as data, beside the printed page."""
    from policybrief.load import selection
    from policybrief.render import factcheck

    ids = list(selection.shows(project, brief, lang).items)
    data = json.dumps(
        factcheck.rows(project, ids, brief.slug), ensure_ascii=False, indent=1, sort_keys=True
    ).encode("utf-8")
    day = brief.date
    date = datetime.datetime(day.year, day.month or 1, day.day or 1, tzinfo=datetime.UTC)
    return Attachment(
        "facts.json", data, "The facts this brief shows, with sources and quotes", date
    )


def attachments(
    project: Project, brief: Brief, lang: str, variant: str | None
) -> tuple[Attachment, ...]:
    """The files a PDF of this variant embeds: the facts, for PDF/A-3; none otherwise."""
    return (facts_attachment(project, brief, lang),) if variant == "pdf/a-3b" else ()


def check_result(result: PdfResult, audience: Audience, where: str) -> None:
    """A PDF that tried to load from outside, or runs past its audience's page limit, is an
    error about its brief's text (``where``); nothing is written."""
    if result.blocked:
        loaded = ", ".join(repr(u[:80]) for u in result.blocked)
        raise RenderError(
            Problem(
                where,
                1,
                f"the {audience.name} PDF tried to load {loaded}; only data: "
                "URIs and files in the template folders may be loaded",
            )
        )
    if audience.max_pages and result.pages > audience.max_pages:
        raise RenderError(
            Problem(
                where,
                1,
                f"the {audience.name} PDF runs to {result.pages} pages; "
                f"its limit is {audience.max_pages}",
                "shorten the section leads, summary or recommendations",
            )
        )


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class PdfWriter:
    """One per process: reuses WeasyPrint's font configuration across documents.

    ``fonts``: subset faces (see :mod:`fonts`), served by ``@font-face`` to every document;
    their cache area also keeps the result of each footnote repair, so a print edition
    whose HTML, fonts and engine are unchanged is laid out once, not two or three times.
    ``temp``: the folder WeasyPrint's copies of the ``@font-face`` files go in (see
    :func:`policybrief.core.patches.keep_font_files_in`); None: the system's."""

    def __init__(
        self,
        allowed_roots: tuple[Path, ...],
        fonts: FontSet | None = None,
        temp: Path | None = None,
    ):
        from policybrief.core import patches

        weasyprint = patches.load_weasyprint()
        from weasyprint import URLFetcher
        from weasyprint.text.fonts import FontConfiguration

        patches.justify_chinese()
        patches.repair_tinyhtml5()  # WeasyPrint parses the page with tinyhtml5 too
        self._weasyprint = weasyprint
        self.font_config = FontConfiguration()
        patches.keep_font_files_in(self.font_config, temp)
        self.fonts = fonts
        roots = (*allowed_roots, fonts.folder) if fonts else allowed_roots
        self.allowed_roots = tuple(p.resolve() for p in roots)
        self.blocked: list[str] = []
        writer = self

        class Fetcher(URLFetcher):
            def fetch(  # noqa: D401 - WeasyPrint's API
                self, url: str, headers: dict[str, str] | None = None
            ) -> URLFetcherResponse:
                if url.startswith("data:"):
                    if len(url) > MAX_DATA_URI:
                        writer.blocked.append(
                            f"data: URI of {len(url) // 1024} KiB "
                            f"(limit {MAX_DATA_URI // 1024} KiB)"
                        )
                        raise BlockedResource("data: URI too large")
                    return super().fetch(url, headers)
                parsed = urlparse(url)
                if parsed.scheme == "file":
                    path = Path(unquote(parsed.path)).resolve()
                    if any(path.is_relative_to(root) for root in writer.allowed_roots):
                        return super().fetch(url, headers)
                writer.blocked.append(url)
                raise BlockedResource(f"blocked: {url}")

        self.fetcher = Fetcher(allowed_protocols=("data", "file"), allow_redirects=False)
        # Parsing the @font-face rules registers the faces with this font configuration.
        self.stylesheets = (
            [
                weasyprint.CSS(
                    string=fonts.css(), font_config=self.font_config, url_fetcher=self.fetcher
                )
            ]
            if fonts
            else []
        )

    def layout(
        self, html: str, base_url: Path, options: dict[str, object] | None = None
    ) -> tuple[Document, str, set[str]]:
        """Lay the page out; footnotes WeasyPrint would put on the wrong page (or lose) are
        moved to the late-notes list and the page laid out again, until none are.
        Returns (document, the HTML finally laid out, the moved note ids)."""
        demoted: set[str] = set()
        has_footnotes = _has_footnotes(html)
        remembered = self._footnote_memory(html, base_url, options) if has_footnotes else None
        known = remembered.read() if remembered else None
        if known:
            demoted = set(known)
            html = demote_footnotes(html, demoted)
        for _attempt in range(MAX_FOOTNOTE_PASSES):
            document = self._render(html, base_url, options)
            misplaced = misplaced_footnotes(document) if has_footnotes else set()
            if not misplaced:
                if demoted:
                    log.info("moved %d footnotes to the end: %s", len(demoted), sorted(demoted))
                if remembered and known is None and demoted:
                    remembered.write(sorted(demoted))
                return document, html, demoted
            demoted |= misplaced
            html = demote_footnotes(html, misplaced)
        raise RenderError(
            "footnotes could not be placed on the pages of their calls after "
            f"{MAX_FOOTNOTE_PASSES} passes"
        )

    def _render(self, html: str, base_url: Path, options: dict[str, object] | None) -> Document:
        return self._weasyprint.HTML(
            string=html,
            base_url=base_url.absolute().as_uri() + "/",
            url_fetcher=self.fetcher,
        ).render(font_config=self.font_config, stylesheets=self.stylesheets, **(options or {}))

    def one_page(
        self, document: Document, html: str, base_url: Path, options: dict[str, object] | None
    ) -> Document:
        """A page laid out on one page, laid out again with ``one-page`` on its body, when
        its style has rules for that (no "Page 1 of 1": templates/_partials/base.css)."""
        if len(document.pages) != 1 or not _has_one_page_style(html):
            return document
        again = self._render(_as_one_page(html), base_url, options)
        return again if len(again.pages) == 1 else document

    def laid_out(
        self, html: str, base_url: Path, options: dict[str, object], one_page: bool
    ) -> tuple[Document, set[str]]:
        """:meth:`layout`, then :meth:`one_page`: the document and the notes moved. An
        output meant to fit one page (``one_page``: its audience's limit) is laid out as
        one, once: the first layout of every one-page note used to serve only to count its
        pages before the layout it ships with. Where it does not fit, that layout is what
        the overflow report shows (build/overflow.py). A page with footnotes takes the long
        way (its repair is made on the page as first laid out)."""
        if one_page and _has_one_page_style(html) and not _has_footnotes(html):
            return self._render(_as_one_page(html), base_url, options), set()
        document, laid_out, demoted = self.layout(html, base_url, options)
        return self.one_page(document, laid_out, base_url, options), demoted

    def _footnote_memory(
        self, html: str, base_url: Path, options: dict[str, object] | None
    ) -> _Memory | None:
        if self.fonts is None or self.fonts.cache is None:
            return None
        from policybrief.core.digest import engine_digest

        key = hashlib.sha256(
            repr(
                (
                    html,
                    str(base_url),
                    sorted((options or {}).items()),
                    self.fonts.digest,
                    engine_digest(),
                )
            ).encode()
        ).hexdigest()
        return _Memory(self.fonts.cache / "footnotes" / f"{key[:32]}.json")

    def render(
        self,
        html: str,
        base_url: Path,
        variant: str | None = None,
        attachments: tuple[Attachment, ...] = (),
        printing: PrintSpec | None = None,
        one_page: bool = False,
    ) -> PdfResult:
        """One PDF. ``variant``: None, "pdf/a-3b", "pdf/ua-1" (tagged, for screen readers)
        or "pdf/x-4" (for the press: with ``printing``, colours in CMYK, crop marks and slug,
        see :mod:`printshop`); ``attachments`` are embedded files (the engine's own, never a
        template's); ``one_page``: the output is meant to fit one page (:meth:`laid_out`)."""
        capture = _Capture()
        wp_logger = logging.getLogger("weasyprint")
        wp_logger.addHandler(capture)
        self.blocked = []
        try:
            # dpi: a raster image is embedded at most at 300 pixels an inch of its printed
            # size (a larger photo is scaled down), which bounds what it adds to the PDF.
            options: dict[str, object] = {"pdf_identifier": b"policybrief", "dpi": PRINT_DPI}
            if variant:
                options["pdf_variant"] = variant
            separator = _separator(printing) if printing else None
            if separator:
                html = separator.page(html)
            files = [
                self._weasyprint.Attachment(
                    file_obj=io.BytesIO(a.data),
                    name=a.name,
                    description=a.description,
                    created=a.date,
                    modified=a.date,
                    relationship=a.relationship,
                )
                for a in attachments
            ]
            document, demoted = self.laid_out(html, base_url, options, one_page)
            buffer = io.BytesIO()
            document.write_pdf(buffer, attachments=files or None, finisher=compact_faces, **options)
            data, pages = buffer.getvalue(), len(document.pages)
            if printing and separator:
                data, pages = self._finish(data, printing, separator, options)
        finally:
            wp_logger.removeHandler(capture)
        return PdfResult(
            data,
            pages,
            tuple(capture.messages),
            tuple(self.blocked),
            tuple(sorted(demoted)),
        )

    def _finish(
        self, data: bytes, printing: PrintSpec, separator: Separator, options: dict[str, object]
    ) -> tuple[bytes, int]:
        """The print shop's file: pages padded, crop marks and slug laid over each page."""
        from policybrief.output.printshop import finish

        def overlay(html: str) -> bytes:
            document = self._render(separator.page(html), Path("."), options)
            return bytes(document.write_pdf(finisher=compact_faces, **options))

        return finish(data, printing, overlay)


def _has_footnotes(html: str) -> bool:
    return 'class="footnote"' in html


def _has_one_page_style(html: str) -> bool:
    return ONE_PAGE_RULE in html and '<body class="' in html


def _as_one_page(html: str) -> str:
    return html.replace('<body class="', '<body class="one-page ', 1)


def _separator(printing: PrintSpec) -> Separator:
    from policybrief.output.cmyk import Separator, profile_bytes

    return Separator(profile_bytes(printing.profile), dict(printing.colors))


class _Memory:
    """One remembered footnote repair: the notes moved to the end for one exact input."""

    def __init__(self, path: Path):
        self.path = path

    def read(self) -> list[str] | None:
        try:
            notes = json.loads(self.path.read_text(encoding="utf-8"))["demoted"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return [n for n in notes if isinstance(n, str)] if isinstance(notes, list) else None

    def write(self, notes: list[str]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            staging = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            staging.write_text(json.dumps({"demoted": notes}), encoding="utf-8")
            os.replace(staging, self.path)
        except OSError as error:  # a cache: the next build repairs again
            log.debug("footnote repair not remembered: %s", error)


def misplaced_footnotes(document: Document) -> set[str]:
    """Footnotes that WeasyPrint did not put on the page of their call (or lost): its
    footnote layout sometimes defers a footnote to a later page or drops it when several
    meet at the foot of a page. Reads WeasyPrint 70's page boxes (the version is pinned)."""
    calls: dict[str, int] = {}
    placed: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        # the body, then the footnote area, note area and margin boxes: whichever exist
        # (a page without footnotes or margin boxes, like a bare cover, has the body alone)
        body, *others = page_box(page).children
        for box in body.descendants():
            footnote = getattr(box, "footnote", None)
            if footnote is not None and footnote.element is not None:
                calls.setdefault(footnote.element.get("id"), number)
        for box in (box for other in others for box in other.descendants()):
            element = getattr(box, "element", None)
            note_id = element.get("id") if element is not None else None
            if note_id and note_id.startswith("note-"):
                placed.setdefault(note_id, number)
    return {note for note, page in calls.items() if placed.get(note) != page}


def demote_footnotes(html: str, notes: set[str]) -> str:
    """Turn these footnotes into numbered notes in the page's late-notes list."""
    items = []

    def demote(match: re.Match[str]) -> str:
        note_id, number, body = match.groups()
        if note_id not in notes:
            return match.group(0)
        number_mark = f'<span class="late-number">{number}.</span> '
        items.append(f'<li id="{note_id}" value="{number}">{number_mark}{body}</li>')
        return f'<sup class="cite cite-late">{number}</sup>'

    html = _FOOTNOTE.sub(demote, html)
    marker = "<!--late-notes-->"
    if marker not in html:
        raise RenderError(
            "the template has footnotes but no late-notes list (include _partials/late-notes.html)"
        )
    html = html.replace(" data-late-notes hidden", " data-late-notes", 1)
    html = html.replace(" data-late-notes-toc hidden", " data-late-notes-toc", 1)  # contents
    return html.replace(marker, "".join(items) + marker, 1)
