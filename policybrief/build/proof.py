"""Build stage, the proof: build every selected output into a temporary folder, read each
back as a reader meets it (:mod:`policybrief.output.readback`) and report what an editor
would send back, one finding a line: the output, its page, the kind, what was seen, and
the input line that made it.

``python3 build.py check --proof`` runs it; any finding exits 1. The kinds are in
``KINDS``; docs/proof.md says what each means and how it is found.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.output.readback import (
    CELL,
    Heading,
    PdfPage,
    docx_note_calls,
    read_docx,
    read_html,
    read_pdf,
)

if TYPE_CHECKING:
    from policybrief.build.plan import Options
    from policybrief.core.model import Project

KINDS = {
    "short-page": "a page more than a third empty before a block that could have filled it",
    "running-head": "a running head naming a section not in force at the top of the page",
    "cover-folio": "a folio or running head on a cover",
    "page-1-of-1": "'Page 1 of 1' on a one-page output",
    "stutter": "a word repeated back to back",
    "half-width-brackets": "half-width brackets around Han text",
    "note-after-number": "a note marker right after a bare number (HTML, Word)",
    "note-at-line-start": "a note marker at the start of a line",
    "straight-quotes": "straight quotes in English reader text",
    "curator-words": "a curator's word (TODO, check, 待核…) in printed text",
}
SHORT = 1 / 3  # a page this much empty (of its body) before a block that could fill it
HAN = "\u3400-\u9fff\uf900-\ufaff"
STUTTER = re.compile(rf"\b([A-Za-z]{{2,}})\s+\1\b|([{HAN}]{{2,}})\2", re.I)
BRACKETS = re.compile(rf"\([^()]*[{HAN}][^()]*\)")
STRAIGHT = re.compile(r"[A-Za-z][\"'][A-Za-z]|\"[A-Za-z]|[A-Za-z.,]\"")
CURATOR = re.compile(r"\b(TODO|FIXME|XXX|TBD|check this|to check|verify)\b|待核|待查|待确认|核实中")
FOLIO = re.compile(r"Page\s*1\s*of\s*1\b|第\s*1\s*[页頁]\W*共\s*1\s*[页頁]")
MARKER_AFTER_NUMBER = re.compile(r"\d(?:</span>)*<sup class=\"cite[^\"]*\"")
MARKER_AT_START = re.compile(r"^\d{1,3}(?:[,，]\d{1,3})*(?=[^\d.]|$)")  # not a list's "11."
RUN_BREAK = re.compile(r"[\d.,，。:：;；()（）\n…]+")  # what no input line holds as printed
SMALL = 0.75  # a line's first piece smaller than this share of the line's size: a marker


@dataclass(frozen=True, order=True)
class ProofFinding:
    """One defect in one output: ``output:page: kind: seen (input:line)``."""

    output: str
    page: int  # 0: the output has no pages (HTML, Word)
    kind: str
    seen: str
    source: str = ""  # "path:line" of the input that made it, when found

    def __str__(self) -> str:
        where = f"{self.output}:{self.page}" if self.page else self.output
        text = f"{where}: {self.kind}: {self.seen}"
        return f"{text} ({self.source})" if self.source else text


class Sources:
    """The input files an output is made from, line by line, to say which line made what
    a reader sees: the brief's own files first, then the facts, the templates and their
    catalogs."""

    def __init__(self, project: Project, slug: str, lang: str):
        brief = project.briefs[slug]
        root = project.root
        files = [root / brief.texts[lang].path] if lang in brief.texts else []
        files += [root / brief.folder / "brief.yaml", *sorted((root / "facts").glob("*.yaml"))]
        for folder in project.templates(slug).dirs:
            files += sorted(folder.rglob("*.html")) + sorted(folder.rglob("*.css"))
            files += sorted(folder.rglob(f"locales/{lang.replace('-', '_')}/**/*.po"))
        self.root = root
        self.lines: list[tuple[Path, int, str]] = []
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            self.lines += [(path, n, _plain(line)) for n, line in enumerate(text.splitlines(), 1)]

    def find(self, *needles: str) -> str:
        """``path:line`` of the first input line holding one of ``needles`` (tried in
        order, each also without its markup-breaking spaces), or ""."""
        for needle in needles:
            needle = _plain(needle).strip()
            if len(needle) < 2:
                continue
            for path, number, line in self.lines:
                if needle in line:
                    return f"{self._name(path)}:{number}"
        return ""

    def find_text(self, text: str, first: str = "") -> str:
        """The input line of a piece of reader text: as a template string (a heading the
        templates print), whole, then its longest runs between figures and punctuation (a
        fact's figure or a citation number in print is not in the input). ``first``: a run
        to try before the others (the one that holds what was seen)."""
        text = text.strip()
        runs = [w.strip() for w in RUN_BREAK.split(text)]
        runs = sorted((w for w in runs if len(w) >= 2), key=len, reverse=True)[:6]
        if len(first.strip()) >= 2:
            runs.insert(0, first.strip())
        return self.find(f'_("{text}")', f'msgstr "{text}"', text, *_shorter(runs))

    def find_at(self, block: str, start: int, end: int) -> str:
        """The input line of what was seen at ``block[start:end]``: the run of words from
        there to the next figure or punctuation tried first (from the run's start when
        that is short), then the text to the end of its line, whole and in runs (a PDF's
        next line may come from another input, so it is not used)."""
        after = RUN_BREAK.search(block, end)
        stop = after.start() if after else len(block)
        own = block[start:stop]
        if len(own.strip()) < 8:
            breaks = [m.end() for m in RUN_BREAK.finditer(block, 0, start)]
            own = block[breaks[-1] if breaks else 0 : stop]
        line_end = block.find("\n", end)
        line = block[start : line_end if line_end >= 0 else len(block)]
        return self.find_text(line[:60], own)

    def _name(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


# What the typesetting changes between an input line and the page (render/typography.py):
# curly quotes and full-width marks for typed ones, joiners and no-break spaces.
_PLAIN = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "（": "(",
        "）": ")",
        "：": ":",
        "，": ",",
        "；": ";",
        "！": "!",
        "？": "?",
        "\u2060": None,
        "\u202f": " ",
        "\u00a0": " ",
    }
)


def _plain(text: str) -> str:
    """``text`` with the typesetter's replacements undone, so that page text and input
    lines compare."""
    return text.translate(_PLAIN).replace("''", "'")  # YAML's doubled quote in '…'


def _shorter(runs: list[str]) -> Iterator[str]:
    """Each run, then the run less its last words, while three words (or four Han
    characters) are left: a fact's words in print ("September") are not in the input."""
    for run in runs:
        yield run
        words = run.split()
        while len(words) > 3:
            words.pop()
            yield " ".join(words)
        if len(words) <= 1 and len(run) > 4:
            yield from (run[:n] for n in range(len(run) - 1, 3, -1))


def proof(project: Project, options: Options) -> list[ProofFinding]:
    """Build the selected outputs into a temporary folder and read every one back."""
    from policybrief.build.pipeline import build

    with tempfile.TemporaryDirectory(prefix="policybrief-proof-") as temp:
        out = Path(temp)
        build(replace(options, out=out, force=True, strict=False))
        return sorted(inspect(project, out))


def inspect(project: Project, out: Path) -> list[ProofFinding]:
    """Every finding in the outputs under ``out`` (``<brief>/<audience>.<lang>.<fmt>``)."""
    findings: list[ProofFinding] = []
    for slug in sorted(project.briefs):
        for path in sorted((out / slug).glob("*.*.*")):
            audience, lang, fmt = path.name.split(".", 2)
            if fmt not in ("pdf", "html", "docx") or audience not in project.audiences:
                continue
            sources = Sources(project, slug, lang)
            name = f"{slug}/{path.name}"
            data = path.read_bytes()
            if fmt == "pdf":
                cover = project.audience(slug, audience).cover
                findings += pdf_findings(name, data, lang, cover, sources)
            elif fmt == "html":
                findings += html_findings(name, data, lang, sources)
            else:
                findings += text_findings(name, 0, read_docx(data), lang, sources, printed=True)
                findings += docx_markers(name, data, sources)
    return findings


def text_findings(
    output: str, page: int, blocks: Iterable[str], lang: str, sources: Sources, printed: bool
) -> Iterator[ProofFinding]:
    """The kinds a reader sees in running text, in any output."""
    for block in blocks:
        for kind, pattern in _text_kinds(lang, printed):
            for match in pattern.finditer(block):
                if kind == "stutter" and _across_cells(block, match.start(), match.end()):
                    continue
                seen = _around(block, match.start(), match.end())
                start = match.start()
                if kind == "stutter":  # the second of the pair begins a string of its own
                    start = match.end() - len(match.group(match.lastindex or 1))
                source = sources.find_at(block, start, match.end())
                yield ProofFinding(output, page, kind, seen, source)


def _across_cells(block: str, start: int, end: int) -> bool:
    """Whether a match runs from one line to the next where either is a row of table
    cells (readback.CELL between them): the next line's first cell does not follow the
    last cell of the line before."""
    if "\n" not in block[start:end]:
        return False
    first = block.rfind("\n", 0, start) + 1
    last = block.find("\n", end)
    return CELL in block[first : last if last >= 0 else len(block)]


def _text_kinds(lang: str, printed: bool) -> list[tuple[str, re.Pattern[str]]]:
    kinds = [("stutter", STUTTER)]
    if lang.startswith("zh"):
        kinds.append(("half-width-brackets", BRACKETS))
    if lang == "en":
        kinds.append(("straight-quotes", STRAIGHT))
    if printed:
        kinds.append(("curator-words", CURATOR))
    return kinds


def _around(text: str, start: int, end: int, width: int = 18) -> str:
    """What was seen, with a little of the text either side, quoted."""
    left, right = max(0, start - width), min(len(text), end + width)
    return repr(("…" if left else "") + text[left:right] + ("…" if right < len(text) else ""))


def html_findings(output: str, data: bytes, lang: str, sources: Sources) -> list[ProofFinding]:
    found = list(text_findings(output, 0, read_html(data), lang, sources, printed=False))
    html = data.decode("utf-8")
    for match in MARKER_AFTER_NUMBER.finditer(html):
        text = re.sub(r"<[^>]+>", "", html[max(0, match.start() - 300) : match.start() + 1])
        text = re.sub(r"^[^<]*>|\s+", " ", text).strip()  # a tag cut at the start; spaces
        seen = repr("…" + text[-24:].lstrip())
        found.append(
            ProofFinding(output, 0, "note-after-number", seen, sources.find_text(text[-40:]))
        )
    return found


def docx_markers(output: str, data: bytes, sources: Sources) -> Iterator[ProofFinding]:
    """A Word edition's note reference right after a digit."""
    for before in docx_note_calls(data):
        if before[-1:].isdigit():
            seen = repr("…" + before[-24:].lstrip())
            yield ProofFinding(output, 0, "note-after-number", seen, sources.find_text(before))


def pdf_findings(
    output: str, data: bytes, lang: str, cover: bool, sources: Sources
) -> list[ProofFinding]:
    pages, headings = read_pdf(data)
    found: list[ProofFinding] = []
    for page in pages:
        found += text_findings(output, page.number, [page.text], lang, sources, printed=True)
        found += _line_start_markers(output, page, sources)
    found += short_pages(output, pages, headings, cover, sources)
    found += running_heads(output, pages, headings, cover, sources)
    found += folios(output, pages, cover, sources)
    return found


def _line_start_markers(output: str, page: PdfPage, sources: Sources) -> Iterator[ProofFinding]:
    for line in page.lines:
        match = MARKER_AT_START.match(line.text)
        if match and line.first_size < line.size * SMALL:
            seen = repr(line.text[:30])
            yield ProofFinding(
                output,
                page.number,
                "note-at-line-start",
                seen,
                sources.find_text(line.text[match.end() :][:20]),
            )


def _parts(headings: list[Heading]) -> list[Heading]:
    """The document's parts: its bookmarks one level under the title."""
    return [h for h in headings if h.level == 1]


def short_pages(
    output: str, pages: list[PdfPage], headings: list[Heading], cover: bool, sources: Sources
) -> Iterator[ProofFinding]:
    """Pages more than a third empty, where the next page's first block could have
    started: the space it needs with the notes it calls is not more than the space left.
    Not: a cover and the contents page after it, the page before the document's final
    part (a back cover, an appendix), the last page."""
    parts = _parts(headings)
    front = parts[0].page + 1 if cover and parts else 1
    final = parts[-1].page if parts else len(pages) + 1
    for page, following in zip(pages, pages[1:], strict=False):
        if page.number < front or following.number >= final or not following.lines:
            continue
        empty = _empty_share(page)
        if empty > SHORT and empty > _first_block_share(following):
            first = following.lines[0].text
            seen = f"{empty:.0%} of the page empty before {first[:30]!r} (page {following.number})"
            yield ProofFinding(output, page.number, "short-page", seen, sources.find_text(first))


def _empty_share(page: PdfPage) -> float:
    """The share of the body left empty at the foot of the flow: the widest gap between
    lines (or under the last), when what follows it is only notes (smaller text)."""
    from policybrief.output.readback import MARGIN_BAND

    top, bottom = page.height - MARGIN_BAND, MARGIN_BAND
    if not page.lines:
        return 1.0
    body = max(line.size for line in page.lines)
    ys = [top] + [line.y for line in page.lines] + [bottom]
    gaps = [(a - b, i) for i, (a, b) in enumerate(zip(ys, ys[1:], strict=False))]
    gap, at = max(gaps)
    below = page.lines[at:]
    if below and any(line.size >= body * 0.9 for line in below):
        return (page.lines[-1].y - bottom) / (top - bottom)
    return gap / (top - bottom)


NOTE_ENTRY = re.compile(r"(\d+)\.\s")  # a foot note's first line: "28. …"


def _first_block_share(page: PdfPage) -> float:
    """The share of the body the page's first block takes, with the foot notes it calls
    (WeasyPrint sets a note on the page of its call, so a block moves with its notes):
    its lines from the top to the first gap wider than 2.4 lines after a line that is not
    a heading, and the notes from the top of the foot notes to the first it does not call."""
    from policybrief.output.readback import MARGIN_BAND

    top, bottom = page.height - MARGIN_BAND, MARGIN_BAND
    body = max((line.size for line in page.lines if len(line.text) > 40), default=0.0)
    small = [line for line in page.lines if line.size < body * 0.8]
    notes = [line for line in small if NOTE_ENTRY.match(line.text)]
    below = [line for line in small if notes and line.y <= notes[0].y]
    flow = [line for line in page.lines if line.size >= body * 0.68 and line not in below]
    if not flow:
        return 0.0
    end = previous = flow[0]
    for line in flow[1:]:
        heading = previous is flow[0] or previous.size > body * 1.02
        if previous.y - line.y > 2.4 * previous.size and not heading:
            break
        end = previous = line
    markers = [line for line in page.lines if line.size < body * 0.68 and line.y >= end.y]
    called = {n for line in markers for n in re.findall(r"\d+", line.text)}
    called |= {"".join(line.text.split()) for line in markers}  # "3031": 30 and 31
    needed = top - end.y + end.size
    numbers = [(m.group(1), line) for line in notes if (m := NOTE_ENTRY.match(line.text))]
    if numbers and any(numbers[0][0] in c for c in called):
        rest = [line.y for n, line in numbers if not any(n in c for c in called)]
        needed += below[0].y - (rest[0] if rest else below[-1].y - below[-1].size)
    return needed / (top - bottom)


def running_heads(
    output: str, pages: list[PdfPage], headings: list[Heading], cover: bool, sources: Sources
) -> Iterator[ProofFinding]:
    """The head on the outer (right) side must name the part in force at the top of the
    page: the last part begun on an earlier page, or one that begins this page."""
    parts = _parts(headings)
    names = {h.title for h in parts}
    for page in pages[1 if cover else 0 :]:
        heads = [t for x, t in page.head if x > page.width / 2 and t in names]
        if not heads:
            continue
        expected = _in_force(page, parts)
        if expected and heads[0] != expected:
            seen = f"head {heads[0]!r}, but {expected!r} is in force at the top"
            yield ProofFinding(
                output, page.number, "running-head", seen, sources.find("string(section")
            )


def _in_force(page: PdfPage, parts: list[Heading]) -> str:
    earlier = [h.title for h in parts if h.page < page.number]
    starting = [h.title for h in parts if h.page == page.number]
    if starting and page.lines and page.lines[0].text.startswith(starting[0]):
        return starting[0]
    return earlier[-1] if earlier else ""


def folios(
    output: str, pages: list[PdfPage], cover: bool, sources: Sources
) -> Iterator[ProofFinding]:
    if cover and pages and (pages[0].head or pages[0].foot):
        seen = " · ".join(t for _x, t in pages[0].head + pages[0].foot)
        yield ProofFinding(output, 1, "cover-folio", repr(seen[:60]), sources.find("@bottom-right"))
    if len(pages) == 1:
        for _x, text in pages[0].foot:
            if FOLIO.search(text):
                where = sources.find("Page %(page)s of %(pages)s")
                yield ProofFinding(output, 1, "page-1-of-1", repr(text), where)
