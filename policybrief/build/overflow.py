"""Build stage, a PDF past its page limit: the build still stops (``dist/`` keeps its last
good files), but the overflowing PDF is kept where a team can look at it, and the error
names the blocks on the pages past the limit.

Where: ``.policybrief/overflow/<brief>/<audience>.<lang>.pdf`` in the project folder.
Outside the output folder, because a failed build changes nothing there (a half-good
``dist/`` is what the staging rules exist to prevent); inside the project, because that
is where the team works and the only place a build may write besides its output
(``new project`` lists ``.policybrief/`` in the ``.gitignore``). Each overflow replaces
the last one of the same output.

Which blocks: the page's HTML is cut into the blocks a reader can shorten or move (the
summary, the key figures, each paragraph, list, table or chart of each section, each
recommendation, each note), and each block's first and last words are looked for in the
text of the pages past the limit, as pypdf extracts it."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from policybrief.core.errors import Problem
from policybrief.core.htmlparse import parse

DIAGNOSTICS = Path(".policybrief") / "overflow"
_KEY = 14  # characters of a block's start and end looked for on a page
_NOISE = re.compile(r"[\s\u00ad\u200b\u2060\ufeff]+")
_NAMED = ("summary", "key-figures", "recommendations")


@dataclass(frozen=True)
class Block:
    name: str  # e.g. "section “Lessons”, paragraph 2", "note 3"
    text: str  # its text, whitespace removed


def _tag(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _squash(text: str) -> str:
    return _NOISE.sub("", text)


def _text(element: Element) -> str:
    return _squash("".join(element.itertext()))


def page_blocks(html: str) -> list[Block]:
    """The page's blocks in reading order."""
    blocks: list[Block] = []
    for element in parse(html).iter():
        classes = (element.get("class") or "").split()
        ident = element.get("id") or ""
        if "brief-section" in classes:
            blocks += _section_blocks(element)
        elif "summary" in classes and _tag(element) == "p":
            blocks.append(Block("the summary", _text(element)))
        elif "key-figures" in classes:
            blocks.append(Block("the key figures", _text(element)))
        elif "recommendations" in classes and _tag(element) == "section":
            items = [li for li in element.iter() if _tag(li) == "li"]
            blocks += [Block(f"recommendation {n}", _text(li)) for n, li in enumerate(items, 1)]
        elif ident.startswith("note-") and _tag(element) == "li":
            blocks.append(Block(f"note {ident.removeprefix('note-')}", _text(element)))
    return [b for b in blocks if b.text]


def _section_blocks(section: Element) -> list[Block]:
    heading = next((e for e in section if _tag(e) == "h2"), None)
    title = "".join(heading.itertext()).strip() if heading is not None else ""
    blocks, counts = [], {}  # type: ignore[var-annotated]
    for child in section:
        tag = _tag(child)
        if tag == "h2":
            continue
        kind = {"p": "paragraph", "ul": "list", "ol": "list", "table": "table"}.get(tag)
        kind = kind or ("chart" if "charts" in (child.get("class") or "") else tag)
        counts[kind] = counts.get(kind, 0) + 1
        blocks.append(Block(f"section “{title}”, {kind} {counts[kind]}", _text(child)))
    return blocks


def blocks_past(blocks: list[Block], pages: list[str], limit: int) -> list[Block]:
    """The blocks that start, or end, on a page after ``limit`` (1-based). Each block's
    start is looked for after the previous block's, in reading order (a title may repeat a
    paragraph's first words earlier on), then anywhere."""
    texts = [_squash(page) for page in pages]
    full = "".join(texts)
    boundary = sum(len(t) for t in texts[:limit])  # where the pages past the limit begin
    past, cursor = [], 0
    for block in blocks:
        start, end = block.text[:_KEY], block.text[-_KEY:]
        at = full.find(start, cursor)
        at = full.find(start) if at < 0 else at
        if at >= 0:
            cursor = at + 1
        ends = full.find(end, max(at, 0))
        if at >= boundary:
            past.append(block)
        elif ends >= boundary:
            past.append(Block(f"the end of {block.name}", block.text))
    return past


def pdf_texts(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]


def keep(root: Path, staged: Path, name: str) -> str:
    """Copy the overflowing PDF (``name``: its path inside the output folder) into the
    project's diagnostics folder; the path shown, or "" when it cannot be written there
    (a link in the way, a read-only project)."""
    folder = (root / DIAGNOSTICS).resolve()
    target = folder / name
    if not target.parent.is_relative_to(root.resolve()) or any(
        p.is_symlink() for p in (root / ".policybrief", root / DIAGNOSTICS)
    ):
        return ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.parent.resolve() != target.parent or not target.parent.is_relative_to(folder):
            return ""
        shutil.copyfile(staged, target)
    except OSError:
        return ""
    return (DIAGNOSTICS / name).as_posix()


def overflow_problem(
    root: Path, html: str, staged: Path, name: str, audience: str, limit: int, where: str
) -> Problem:
    """The error for a PDF past its limit: the blocks on the pages past it, and where the
    PDF was kept."""
    pages = pdf_texts(staged)
    past = blocks_past(page_blocks(html), pages, limit)
    kept = keep(root, staged, name)
    extra = f"page {limit + 1}" if len(pages) == limit + 1 else f"pages {limit + 1}-{len(pages)}"
    message = f"the {audience} PDF runs to {len(pages)} pages; its limit is {limit}"
    if past:
        message += f"; {extra} hold: " + ", ".join(b.name for b in past)
        longest = sorted(past, key=lambda b: -len(b.text))[:2]
        hint = "the longest of them: " + " and ".join(
            f"{b.name} ({len(b.text):,} characters)" for b in longest
        )
    else:
        hint = "shorten the section leads, summary or recommendations"
    if kept:
        hint += f"; the PDF as it would be is in {kept}"
    return Problem(where, 1, message, hint)
