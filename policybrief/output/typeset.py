"""Chinese justification in the PDFs, measured.

WeasyPrint justifies by stretching spaces only, which Chinese text has none of;
:func:`policybrief.core.patches.justify_chinese` (where the reason and the upstream status
are written) makes every gap between Chinese characters stretch instead. This module
measures the result: :func:`ragged_lines` counts the full lines of justified Chinese
paragraphs that still end short of the margin (``tests/test_print.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policybrief.core.patches import is_chinese, page_box

if TYPE_CHECKING:
    from weasyprint.document import Document  # untyped: Any to mypy


def ragged_lines(document: Document, tolerance: float = 1.0) -> tuple[int, int]:
    """(full lines, full lines ending more than ``tolerance`` px short of the right margin)
    in justified Chinese paragraphs and list items, last lines excluded."""
    from weasyprint.formatting_structure import boxes

    total = short = 0
    for page in document.pages:
        for block in page_box(page).descendants():
            if not isinstance(block, boxes.BlockContainerBox) or block.element is None:
                continue
            if block.element.tag not in ("p", "li") or block.style["text_align_all"] != "justify":
                continue
            if not is_chinese(block.style):
                continue
            lines = [child for child in block.children if isinstance(child, boxes.LineBox)]
            right = block.content_box_x() + block.width
            for line in lines[:-1]:
                ends = [
                    d.position_x + d.margin_width()
                    for d in line.descendants()
                    if isinstance(d, boxes.TextBox) and d.text.strip()
                ]
                if not ends:
                    continue
                total += 1
                if right - max(ends) > tolerance:
                    short += 1
    return total, short
