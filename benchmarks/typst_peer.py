"""A peer for the benchmark: the same brief typeset by Typst (``pip install typst``).

The engine's print HTML is turned into Typst markup with the same text, fonts (Noto CJK),
page size and running footer: headings, paragraphs, lists, quotes and tables as rows of
text; charts are left out (Typst gets no SVG here). It is a like-for-like amount of text to
lay out and embed, not a copy of the templates' design.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIP = {"style", "script", "svg", "head", "nav", "title"}
BLOCKS = {
    "p": "",
    "li": "- ",
    "dt": "",
    "dd": "",
    "blockquote": "",
    "figcaption": "",
    "tr": "",
    "caption": "",
}
HEADINGS = {"h1": "= ", "h2": "== ", "h3": "=== ", "h4": "==== "}
SPECIAL = re.compile(r"([\\#$*_`<>@\[\]~/=+\-])")

PREAMBLE = """#set page(paper: "a4", margin: (x: 20mm, top: 22mm, bottom: 22mm),
  footer: context align(right, text(size: 8pt, font: "{sans}")[
    #counter(page).display() / #counter(page).final().first()]))
#set text(font: "{serif}", size: 10.5pt, lang: "{lang}")
#set par(justify: true, leading: 0.9em)
#show heading: set text(font: "{sans}")
#show super: set text(font: "{sans}")
"""


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.line = ""
        self.prefix = ""
        self.superscript = False

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skipping += 1
        elif tag in HEADINGS or tag in BLOCKS:
            self._flush()
            self.prefix = HEADINGS.get(tag, BLOCKS.get(tag, ""))
        elif tag == "sup":
            self.line += "#super["
            self.superscript = True
        elif tag == "br":
            self.line += " \\ "
        elif tag in ("td", "th"):
            self.line += " · "

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in HEADINGS or tag in BLOCKS:
            self._flush()
        elif tag == "sup" and self.superscript:
            self.line += "]"
            self.superscript = False

    def handle_data(self, data):
        if not self.skipping:
            self.line += SPECIAL.sub(r"\\\1", " ".join(data.split()) if data.strip() else " ")

    def _flush(self) -> None:
        text = self.line.strip(" ·")
        if text:
            self.out.append(self.prefix + text)
        self.line, self.prefix = "", ""

    def result(self) -> str:
        self._flush()
        return "\n\n".join(self.out) + "\n"


def typst_source(html: str, lang: str) -> str:
    body = html[html.find("<body") :] if "<body" in html else html
    converter = _Converter()
    converter.feed(body)
    return (
        PREAMBLE.format(serif="Noto Serif CJK SC", sans="Noto Sans CJK SC", lang=lang)
        + converter.result()
    )
