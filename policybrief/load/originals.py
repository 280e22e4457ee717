"""Load stage for sources kept as the original documents: a PDF or a saved web page.

The text of an original is extracted with its page boundaries (:func:`extract`): a PDF's by
poppler's ``pdftotext`` (docs/authoring.md, "Sources from the original documents", gives
the measurements behind the choice), a web page's main text by the HTML parser the engine
already has (tinyhtml5) with the rule in :func:`main_text`. An extraction is cached in
``<project>/.policybrief-cache/originals/``, keyed by the file's SHA-256 and the extractor,
so a PDF is read once whatever the number of builds and checks.

A quote is proven against a :class:`ProofText`: the pages without their running heads and
folios, folded as quotes are (NFKC, no whitespace but one space between two digits) and
joined across line ends where a word was hyphenated; :meth:`ProofText.find` says where it
stands: the pages (one, or two for a quote across a page break) or None.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree.ElementTree import Element

from policybrief.core.model import Claim, Fact, FactBase

ORIGINAL_SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html"}
CACHE_DIR = Path(".policybrief-cache") / "originals"
# Part of each cache key: an extraction made by another rule is made again.
EXTRACTOR = "pdftotext-raw-1+html-main-2"
PDFTOTEXT_TIMEOUT = 120  # seconds per document
OCR_HINT = (
    "the page is a picture of text (a scan): run OCR on the PDF, e.g. "
    "`ocrmypdf -l chi_sim+eng in.pdf out.pdf` (Debian package ocrmypdf, with "
    "tesseract-ocr-chi-sim for Chinese), check the text it gives, and cite that PDF"
)


class ExtractionError(Exception):
    """An original whose text cannot be read; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Extracted:
    """An original's text: one string per page (a web page is one page), and the pages
    (1-based) that hold no text at all."""

    kind: str  # pdf | html
    pages: tuple[str, ...]
    labels: tuple[str, ...]  # each page's printed number (the PDF's page labels)

    @property
    def blank(self) -> tuple[int, ...]:
        return tuple(n for n, text in enumerate(self.pages, 1) if not text.strip())


def is_original(name: str) -> bool:
    return Path(name).suffix.lower() in ORIGINAL_SUFFIXES


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_MEMO: dict[tuple[str, str], Extracted] = {}


def extract(path: Path, cache_root: Path | None = None, digest: str = "") -> Extracted:
    """The text of the original at ``path`` by page, from the cache under ``cache_root``
    (the project folder) when it holds this file's extraction; raises ExtractionError."""
    digest = digest or sha256_of(path)
    kind = ORIGINAL_SUFFIXES[path.suffix.lower()]
    key = (digest, kind)
    if key in _MEMO:
        return _MEMO[key]
    cached = cache_root / CACHE_DIR / f"{digest}.json" if cache_root else None
    found = _read_cache(cached)
    if found is None:
        found = _extract_pdf(path) if kind == "pdf" else _extract_html(path)
        _write_cache(cached, found)
    _MEMO[key] = found
    return found


def _read_cache(path: Path | None) -> Extracted | None:
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("extractor") != EXTRACTOR:
            return None
        return Extracted(data["kind"], tuple(data["pages"]), tuple(data["labels"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged cache file is made again


def _write_cache(path: Path | None, found: Extracted) -> None:
    """Write the extraction beside the others, atomically; a project folder that cannot be
    written to only means the next run extracts again."""
    if path is None:
        return
    data = {"extractor": EXTRACTOR, "kind": found.kind, "pages": found.pages}
    data["labels"] = found.labels
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        part.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(part, path)
    except OSError:
        pass


def _extract_pdf(path: Path) -> Extracted:
    """pdftotext in reading order (no -layout: columns come out one after the other), pages
    separated by form feeds; the printed page numbers from the PDF's page labels."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise ExtractionError(
            "cannot read PDF sources: pdftotext is not installed",
            "install poppler-utils (scripts/setup.sh does)",
        )
    try:
        run = subprocess.run(
            [tool, "-enc", "UTF-8", "-eol", "unix", "-q", str(path), "-"],
            capture_output=True,
            timeout=PDFTOTEXT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ExtractionError(
            f"reading the text of {path.name} took over {PDFTOTEXT_TIMEOUT} s", "is it a PDF?"
        ) from None
    if run.returncode != 0:
        raise ExtractionError(
            f"{path.name} could not be read as a PDF (pdftotext exit {run.returncode})",
            "is it damaged or encrypted? save it again from the publisher's site",
        )
    pages = run.stdout.decode("utf-8", errors="replace").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # the form feed after the last page
    return Extracted("pdf", tuple(pages), _page_labels(path, len(pages)))


def _page_labels(path: Path, count: int) -> tuple[str, ...]:
    """The number printed on each page when the PDF says (its /PageLabels: roman front
    matter, say), else its position."""
    plain = tuple(str(n) for n in range(1, count + 1))
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if "/PageLabels" not in reader.root_object:
            return plain
        labels = tuple(reader.page_labels)
    except Exception:  # pypdf raises many kinds for a damaged file; pdftotext read it
        return plain
    return labels if len(labels) == count else plain


# -- web pages --------------------------------------------------------------------------------
# What is not a page's own text: scripts and styles, and the parts HTML names as navigation,
# banner, footer or aside, by element, by ARIA role or by class or id; a <main> (or
# role=main), else the first <article>, is the text when there is one.
DROPPED_TAGS = frozenset(
    "script style noscript template nav header footer aside form button select "
    "svg math iframe object canvas dialog".split()
)
DROPPED_ROLES = frozenset("navigation banner contentinfo complementary search menu menubar".split())
# A page laid out with <div>s and no such elements names its parts in class and id.
DROPPED_NAMES = re.compile(
    r"nav|menu|breadcrumb|header|footer|sidebar|banner|copyright|related|share|toolbar",
    re.IGNORECASE,
)
BLOCK_TAGS = frozenset(
    "p div section article main h1 h2 h3 h4 h5 h6 li ul ol table tr td th blockquote "
    "pre figure figcaption dd dt dl br hr".split()
)
HTML_NS = "{http://www.w3.org/1999/xhtml}"


def _extract_html(path: Path) -> Extracted:
    raw = path.read_bytes()
    text = main_text(raw.decode(_charset(raw), errors="replace"))
    return Extracted("html", (text,), ("",))


def _charset(raw: bytes) -> str:
    found = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", raw[:4096], re.I)
    name = found.group(1).decode("ascii").lower() if found else "utf-8"
    try:
        "".encode(name)
    except LookupError:
        return "utf-8"
    return name


def _local(element: Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.removeprefix(HTML_NS).lower()


def _dropped(element: Element) -> bool:
    roles = set((element.get("role") or "").lower().split())
    return (
        _local(element) in DROPPED_TAGS
        or bool(roles & DROPPED_ROLES)
        or bool(DROPPED_NAMES.search(f"{element.get('class') or ''} {element.get('id') or ''}"))
        or element.get("aria-hidden") == "true"
        or element.get("hidden") is not None
    )


def main_text(html: str) -> str:
    """A saved web page's own text: its ``<main>`` (or ``role=main``), else its first
    ``<article>``, else its ``<body>``, without what :data:`DROPPED_TAGS` and
    :data:`DROPPED_ROLES` name; blocks end in a line break."""
    from policybrief.core.htmlparse import parse

    root = parse(html)
    body = next((e for e in root.iter() if _local(e) == "body"), root)
    main = next(
        (e for e in body.iter() if _local(e) == "main" or e.get("role") == "main"), None
    ) or next((e for e in body.iter() if _local(e) == "article"), body)
    parts: list[str] = []
    _walk(main, parts)
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(element: Element, parts: list[str]) -> None:
    if _dropped(element):
        return
    block = _local(element) in BLOCK_TAGS
    if block:
        parts.append("\n")
    parts.append(element.text or "")
    for child in element:
        _walk(child, parts)
        parts.append(child.tail or "")
    if block:
        parts.append("\n")


# -- proving quotes -----------------------------------------------------------------------------
_FOLIO = re.compile(
    r"(?:[-–—]\s*)?(?:page\s+|p\.\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?(?:\s*[-–—])?"
    r"|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?|[ivxlcdm]{1,6}",
    re.IGNORECASE,
)
_EDGE = 2  # lines at the top and bottom of a page that may be a running head or folio
_RUNNING_MAX = 60  # characters: a running head is a short line


def _running_lines(pages: tuple[str, ...]) -> set[str]:
    """The short lines that stand first or last on most pages (digits aside): running
    heads and feet."""
    if len(pages) < 3:
        return set()
    seen: dict[str, int] = {}
    for page in pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        for line in set(lines[:1] + lines[-1:]):
            if len(line) > _RUNNING_MAX:
                continue
            key = re.sub(r"\d+", "#", line)
            seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count >= max(2, len(pages) // 2 + 1)}


def _body(page: str, running: set[str]) -> str:
    """A page without its running head and foot and its folio."""
    lines = page.splitlines()
    edges = [i for i, line in enumerate(lines) if line.strip()]
    drop = set()
    for i in edges[:_EDGE] + edges[-_EDGE:]:
        line = lines[i].strip()
        if _FOLIO.fullmatch(line):
            drop.add(i)
    for i in edges[:1] + edges[-1:]:
        if re.sub(r"\d+", "#", lines[i].strip()) in running:
            drop.add(i)
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def fold(text: str) -> str:
    """A quote as it is looked for: NFKC (full-width forms, ligatures), no soft hyphens,
    no whitespace but one space between two digits."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = re.sub(r"(?<=\d)\s+(?=\d)", "\x00", text)
    return re.sub(r"\s+", "", text).replace("\x00", " ")


_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010\u00ad]\s*\n\s*(?=[a-zà-ÿ])")


@dataclass(frozen=True)
class ProofText:
    """An original's text as quotes are looked for in it, in two readings (a hyphen at a
    line end taken as a broken word, and kept as written), each with the page of every
    character."""

    readings: tuple[tuple[str, tuple[int, ...]], ...]
    labels: tuple[str, ...]
    blank: tuple[int, ...]

    @classmethod
    def of(cls, extracted: Extracted) -> ProofText:
        running = _running_lines(extracted.pages)
        bodies = [_body(page, running) for page in extracted.pages]
        joined = "\n\f\n".join(bodies)
        readings = tuple(_folded(t) for t in (_LINE_END_HYPHEN.sub("", _unbreak(joined)), joined))
        return cls(readings, extracted.labels, extracted.blank)

    def find(self, quote: str) -> tuple[str, ...] | None:
        """The pages (their printed numbers) the quote stands on, () for a text without
        pages, or None where it is not found."""
        wanted = fold(quote)
        if not wanted:
            return None
        for text, pages in self.readings:
            at = text.find(wanted)
            if at >= 0:
                spanned = sorted(set(pages[at : at + len(wanted)]))
                return tuple(self.labels[p - 1] for p in spanned if self.labels[p - 1])
        return None


def _unbreak(text: str) -> str:
    """A hyphen that ends the last line of a page and the next page's first word joined as
    one line break (so the hyphen rule sees it)."""
    return re.sub(r"([-\u2010\u00ad])\s*\n\f\n\s*", "\\1\n", text)


def _folded(text: str) -> tuple[str, tuple[int, ...]]:
    """:func:`fold` of the whole text, with the page (1-based) each character comes from."""
    chars: list[str] = []
    pages: list[int] = []
    page = 1
    for match in re.finditer(r"\s+|\S+", text):
        piece = match.group(0)
        if piece.isspace():
            page += piece.count("\f")
            if chars and chars[-1].isdigit() and text[match.end() : match.end() + 1].isdigit():
                chars.append(" ")
                pages.append(page)
            continue
        for ch in unicodedata.normalize("NFKC", piece).replace("\u00ad", ""):
            chars.append(ch)
            pages.append(page)
    return "".join(chars), tuple(pages)


def _source_path(file: str, folders: tuple[Path, ...]) -> Path | None:
    """The original in the first folder that has it, inside that folder (else None: check
    reports why)."""
    for folder in folders:
        path = folder / file
        if path.resolve().is_relative_to(folder.resolve()) and path.is_file():
            return path
    return None


def quote_pages(facts: FactBase, folders: tuple[Path, ...], root: Path) -> FactBase:
    """The fact base with the pages each fact's and claim's quote stands on, for the
    sources that are original PDFs (check reports the quotes not found and the files that
    cannot be read; here they have no pages)."""
    texts: dict[str, ProofText | None] = {}
    for sid, source in facts.sources.items():
        if source.file and Path(source.file).suffix.lower() == ".pdf":
            path = _source_path(source.file, folders)
            try:
                texts[sid] = ProofText.of(extract(path, root)) if path else None
            except (ExtractionError, OSError):  # check reports it
                texts[sid] = None
    if not texts:
        return facts
    pages: dict[str, tuple[str, ...]] = {}
    items: list[Fact | Claim] = [*facts.facts.values(), *facts.claims.values()]
    for item in items:
        text = texts.get(item.source)
        found = text.find(item.quote) if text is not None and item.quote else None
        if found:
            pages[item.id] = found
    return replace(facts, pages=pages)
