"""The social card: the 1200x630 PNG that link previews show for a brief's web pages (its
``og:image``), drawn with Pillow from the brief's title, its publisher and date and the
theme's colours, in the Noto faces the PDFs are set in (found as fonts.py finds them).

Pillow writes no time or tool name into a PNG, so the same inputs give the same bytes: the
build cache keeps a card until its title, date, publisher or theme change
(build/derived.py). Drawing one costs about 0.1 s (docs/archive.md).
"""

from __future__ import annotations

import io
import re
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from policybrief.output.fonts import system_faces

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
TITLE_SIZES = (68, 60, 52, 46, 40)  # px: the largest at which the title fits
MAX_LINES = 4
LINE_HEIGHT = 1.3
# A unit the title breaks between: a Latin word with what follows it up to the next word,
# or one CJK character with the punctuation that may not start a line after it.
WIDE = "\u3000-\u9fff\uff00-\uffef"  # CJK characters and punctuation, full-width forms
UNITS = re.compile(f"[^\\s{WIDE}]+\\s*|[{WIDE}][，。：；、）」』》！？]*\\s*|\\s+")


@cache
def _face_path(cjk: bool, weight: int) -> tuple[str, int]:
    """The font file (and index in a collection) for a card's text."""
    family = "Noto Sans CJK SC" if cjk else "Noto Sans"
    faces = [f for f in system_faces() if f.family == family and f.style == "normal"]
    faces = faces or [f for f in system_faces() if f.family == "Noto Sans CJK SC"]
    if not faces:
        raise OSError("no Noto Sans face found (run scripts/setup.sh)")
    face = min(faces, key=lambda f: abs(f.weight - weight))
    return face.path, face.index


def _font(cjk: bool, weight: int, size: int) -> ImageFont.FreeTypeFont:
    path, index = _face_path(cjk, weight)
    return ImageFont.truetype(path, size, index=index)


def _lines(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (a unit wider than a line is
    a line of its own)."""
    lines: list[str] = []
    line = ""
    for unit in UNITS.findall(" ".join(text.split())):
        if line and font.getlength((line + unit).rstrip()) > width:
            lines.append(line.rstrip())
            line = unit.lstrip()
        else:
            line += unit
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fitted(title: str, cjk: bool) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest title size at which it fits in MAX_LINES; at the smallest, the lines
    past MAX_LINES are cut and the last ends in an ellipsis."""
    width = WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        font = _font(cjk, 700, size)
        lines = _lines(title, font, width)
        if len(lines) <= MAX_LINES:
            return font, lines
    lines = lines[:MAX_LINES]
    while lines[-1] and font.getlength(lines[-1] + "…") > width:
        lines[-1] = lines[-1][:-1]
    lines[-1] += "…"
    return font, lines


def social_card(title: str, byline: str, cjk: bool, colors: dict[str, str]) -> bytes:
    """The card as PNG bytes: the title large on the theme's accent colour, the byline
    (publisher and date) below a rule."""
    # Drawn once per process for the same words and colours: encoding the PNG is most of a
    # small build's time after the HTML, and ``serve`` rebuilds with the same card.
    return _card(title, byline, cjk, tuple(sorted(colors.items())))


@lru_cache(maxsize=64)
def _card(title: str, byline: str, cjk: bool, palette: tuple[tuple[str, str], ...]) -> bytes:
    colors = dict(palette)
    accent = colors.get("accent", "#1d4e89")
    soft = colors.get("accent_soft", "#eef3f9")
    image = Image.new("RGB", (WIDTH, HEIGHT), accent)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, HEIGHT), fill=colors.get("warm", "#9a3b1f"))
    font, lines = _fitted(title, cjk)
    size = font.size
    y = MARGIN
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill="#ffffff")
        y += round(size * LINE_HEIGHT)
    small = _font(cjk, 400, 30)
    bottom = HEIGHT - MARGIN
    draw.line((MARGIN, bottom - 56, WIDTH - MARGIN, bottom - 56), fill=soft, width=2)
    shown = byline
    while shown and small.getlength(shown) > WIDTH - 2 * MARGIN:
        shown = shown[:-2] + "…"
    draw.text((MARGIN, bottom - 36), shown, font=small, fill=soft)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
