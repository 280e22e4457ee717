"""Chinese justification for WeasyPrint.

WeasyPrint's ``text-align: justify`` stretches only spaces (U+0020, U+00A0), and Chinese
text has none, so every full line of a Chinese paragraph stays ragged. Print readers
expect both margins straight. We keep the text itself untouched (it stays selectable and
searchable) and change only where glyphs sit: for text boxes in a CJK language (zh,
zh-Hant: ``Language.cjk``), every gap between characters becomes a justification
opportunity, and the extra width is added as letter spacing inside the box.

This is the one module that patches WeasyPrint, and it patches two functions of WeasyPrint
70 (pinned in pyproject.toml); `install()` is idempotent and is called by the PDF writer.
It also loads WeasyPrint (:func:`load_weasyprint`, see the end of this docstring).

1. ``layout.inline.count_expandable_spaces``: counts, for a Chinese text box, a
   justification opportunity between every two characters (WeasyPrint counts spaces only),
   and none in a ``nowrap``/``pre`` box, so figures are set solid.
2. ``text.line_break.Layout.set_text``: turns the extra width WeasyPrint gives each
   opportunity into letter spacing for Chinese runs (it would add it to spaces).

Upstream: WeasyPrint follows CSS Text 3 for ``text-justify: auto`` only where words are
spaced; it has no inter-character justification and no ``text-justify:
inter-character``. No WeasyPrint issue asks for it (Kozea/WeasyPrint's tracker searched on
2026-12-01: the nearest, #2893 and #2928, are about spaces in justified Latin text), so
none is cited; drop both patches when WeasyPrint implements inter-character justification.
A version other than 70 is refused by the pin, and ``tests/test_print.py`` measures the
ragged lines this module removes.

Loading. WeasyPrint's ``text/ffi.py`` opens Pango, HarfBuzz and fontconfig by trying, for
each, six names written for Linux, macOS and Windows in turn; cffi hands each name it cannot
open to ``ctypes.util.find_library``, which on Linux asks ``ldconfig`` and then runs the C
compiler and the linker to look (16 runs of gcc on Debian 12: 0.3 s of every process that
renders a PDF, a build's workers included, and temporary files left in TMPDIR when a build
is killed then). :func:`load_weasyprint` imports WeasyPrint with that lookup limited to
``ldconfig``'s cache; the names that end in ``.so.0`` are still opened directly by cffi
(``dlopen``, which honours ``LD_LIBRARY_PATH``), so every library WeasyPrint found before
is found the same. Measure it with ``python3 benchmarks/weasyprint_import.py``.
"""

from __future__ import annotations

import re
import sys
from types import ModuleType

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_installed = False


def _is_chinese(style) -> bool:
    """Whether the box's language is typeset as Chinese: a CJK language (languages.py)."""
    from policybrief.core.languages import tag_language

    lang = tag_language(style["lang"] or "") if style["lang"] else None
    return bool(lang and lang.cjk)


def install() -> None:
    global _installed
    if _installed:
        return
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    original_count = inline.count_expandable_spaces

    def count_expandable(box):
        if isinstance(box, boxes.TextBox) and box.style["white_space"] in ("nowrap", "pre"):
            return 0  # figures are set solid; the text around them takes the space
        if isinstance(box, boxes.TextBox) and _is_chinese(box.style) and CJK.search(box.text):
            # Pango adds letter spacing between the graphemes of a run, not at its ends.
            return max(len(box.text.rstrip(" ")) - 1, 0)
        if isinstance(box, boxes.LineBox | boxes.InlineBox):
            return sum(count_expandable(child) for child in box.children)
        return original_count(box)

    original_set_text = line_break.Layout.set_text

    def set_text(self, text, justify=False):
        spacing = self.justification_spacing
        if not (justify and spacing and _is_chinese(self.style) and CJK.search(text)):
            return original_set_text(self, text, justify)
        style = self.style
        stretched = style.copy()
        letter = style["letter_spacing"]
        stretched["letter_spacing"] = (0 if letter == "normal" else letter) + spacing
        self.style, self.justification_spacing = stretched, 0
        try:
            return original_set_text(self, text, justify)
        finally:
            self.style, self.justification_spacing = style, spacing

    inline.count_expandable_spaces = count_expandable
    line_break.Layout.set_text = set_text
    _installed = True


def load_weasyprint() -> ModuleType:
    """``import weasyprint``, without the C compiler looking for libraries (see above)."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint

        return weasyprint
    import ctypes.util

    original = ctypes.util.find_library
    ldconfig = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if ldconfig is not None:
        ctypes.util.find_library = ldconfig
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = original
    return weasyprint


def ragged_lines(document, tolerance: float = 1.0) -> tuple[int, int]:
    """(full lines, full lines ending more than ``tolerance`` px short of the right margin)
    in justified Chinese paragraphs and list items, last lines excluded."""
    from weasyprint.formatting_structure import boxes

    total = short = 0
    for page in document.pages:
        for block in page._page_box.descendants():
            if not isinstance(block, boxes.BlockContainerBox) or block.element is None:
                continue
            if block.element.tag not in ("p", "li") or block.style["text_align_all"] != "justify":
                continue
            if not _is_chinese(block.style):
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
