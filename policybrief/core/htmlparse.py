"""HTML parsing with tinyhtml5, WeasyPrint's own parser, so that :mod:`pagecheck` sees a
page as WeasyPrint will when it lays out a PDF.

tinyhtml5 2.1.0 needs one repair (its pattern cache never hits), made process-wide by
:func:`policybrief.core.patches.repair_tinyhtml5`, where the reason is written.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

import tinyhtml5

from policybrief.core.patches import repair_tinyhtml5


def parse(html: str) -> Element:
    """The page's tree, as WeasyPrint and :mod:`pagecheck` see it."""
    repair_tinyhtml5()
    root: Element = tinyhtml5.parse(html)
    return root
