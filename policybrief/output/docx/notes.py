"""A note's parts, each a paragraph of its own in the Word note: the citation (value,
label, source), the quote (a translation with its original beneath), the remark, and each
disagreement between sources. The page's notes partial marks them by class."""

from __future__ import annotations

from lxml.html import HtmlElement

from policybrief.output.docx.walk import Inline, classes, local

# the class that starts a part -> the part (a translation and its original are one quote)
PARTS = {
    "note-translation": "quote",
    "note-quote": "quote",
    "note-remark": "remark",
    "note-conflict": "conflict",
}


def note_parts(item: HtmlElement) -> list[list[Inline]]:
    """The note's list item as parts, each a list of text and inline elements in order;
    a line break at the start or end of a part goes (the paragraph ends there)."""
    parts: list[list[Inline]] = [[]]
    kinds = ["citation"]
    if item.text:
        parts[0].append(item.text)
    for child in item:
        if isinstance(child.tag, str):
            kind = next((PARTS[c] for c in sorted(classes(child)) if c in PARTS), None)
            if kind and (kind != kinds[-1] or kind == "conflict") and _shows(parts[-1]):
                parts.append([])
                kinds.append(kind)
            parts[-1].append(child)
        if child.tail:
            parts[-1].append(child.tail)
    return [trimmed for trimmed in (_trim(part) for part in parts) if _shows(trimmed)]


def _is_break(item: Inline) -> bool:
    return not isinstance(item, str) and local(item) == "br"


def _blank(item: Inline) -> bool:
    return isinstance(item, str) and not item.strip()


def _trim(part: list[Inline]) -> list[Inline]:
    while part and (_is_break(part[0]) or _blank(part[0])):
        part = part[1:]
    while part and (_is_break(part[-1]) or _blank(part[-1])):
        part = part[:-1]
    return part


def _shows(part: list[Inline]) -> bool:
    return any(
        (item.strip() if isinstance(item, str) else "".join(item.itertext()).strip())
        for item in part
    )
