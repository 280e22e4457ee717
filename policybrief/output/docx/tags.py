"""What each element and class of the rendered page becomes in Word: skipped, a block, a
paragraph style, a heading level or a run style (read by :mod:`.convert`)."""

from __future__ import annotations

SKIP_TAGS = {
    "script",
    "style",
    "template",
    "noscript",
    "head",
    "title",
    "meta",
    "link",
    "button",
    "input",
    "select",
    "textarea",
    "hr",
}
SKIP_CLASSES = {"skip-link", "backref", "fact-link", "visually-hidden", "cite-popover"}
BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "header",
    "footer",
    "main",
    "article",
    "aside",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "blockquote",
    "nav",
    "svg",
    "pre",
    "address",
    "img",
    "body",
}
# Paragraph styles by the class of a paragraph or of the block that holds loose text.
CLASS_STYLES = {
    "subtitle": "Subtitle",
    "kicker": "Kicker",
    "byline": "Byline",
    "cover-date": "Byline",
    "colophon": "Byline",
    "summary": "Summary",
    "standfirst": "Summary",
    "cover-summary": "Summary",
    "chart-source": "Caption",
    "chart-title": "Caption",
    "attribution": "Caption",
    "source-list": "Body Text",
}
HEADINGS = {
    "h2": "Heading 1",
    "h3": "Heading 2",
    "h4": "Heading 3",
    "h5": "Heading 3",
    "h6": "Heading 3",
}
# Elements that make one paragraph of their text (besides the headings).
TEXT_BLOCKS = ("p", "figcaption", "dt", "dd", "address", "pre")
# Character styles by inline element.
INLINE_STYLES = {
    "strong": "Strong",
    "b": "Strong",
    "em": "Emphasis",
    "i": "Emphasis",
    "cite": "Emphasis",
    "dfn": "Emphasis",
    "code": "Code",
    "kbd": "Code",
    "samp": "Code",
}


def class_style(cls: set[str]) -> str | None:
    """The paragraph style a block's classes name (the first in alphabetical order)."""
    return next((CLASS_STYLES[c] for c in sorted(cls) if c in CLASS_STYLES), None)
