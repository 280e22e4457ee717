"""Output stage, print colour: a page's colours in CMYK for a PDF/X-4 print file.

A print shop's press prints four inks; a colour given in RGB is separated by whatever
software touches the file last, and greys become four-ink mixtures that blur small text.
So a print edition states its colours in CMYK itself:

- the theme's colours as the house gave them for print (``print_colors`` in ``theme.yaml``),
  each a CSS ``device-cmyk()``, which WeasyPrint 70 writes as DeviceCMYK;
- a neutral colour (a grey, black, white) as black ink alone, so text and rules print in
  one ink and register sharply;
- any other colour (a house style's own CSS, an SVG logo) separated through the output
  intent's ICC profile (relative colorimetric, the intent for matching colours on paper);
- raster images (PNG, JPEG) converted to CMYK JPEG through the same profile.

The profile travels in the page as a ``data:`` URI, declared by ``@color-profile
device-cmyk``: WeasyPrint then writes it as the PDF/X output intent.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from policybrief.core.errors import OutputError

# Ghostscript's CMYK profile for coated paper on a web-offset press (SWOP), from Debian's
# libgs-common: free (AGPL, with Ghostscript), on every machine scripts/setup.sh prepares,
# and a press characterisation rather than a naive formula. A project names its printer's
# own profile with ``print = {profile = "..."}`` (docs/print.md).
DEFAULT_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
MAX_PROFILE_BYTES = 4 * 1024 * 1024
NEUTRAL = 6  # channels within this many steps of 255 of each other print in black ink alone
CMYK = tuple[float, float, float, float]

_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})(?![\w-])")
_NAMED = re.compile(r"(?<![\w#.-])(white|black)(?![\w-])")
_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
_ATTRIBUTE = re.compile(r'\b(fill|stroke|stop-color|color|style)="([^"]*)"')
_SVG = re.compile(r"<svg\b([^>]*)>")
_IMAGE = re.compile(r"data:image/(png|jpeg|svg\+xml);base64,([A-Za-z0-9+/=]+)")


def profile_bytes(path: Path | None) -> bytes:
    """The output intent's ICC profile: ``path``, or Ghostscript's SWOP profile. An
    OutputError says how to install it when it is missing, or why it cannot serve."""
    chosen = path or DEFAULT_PROFILE
    try:
        data = chosen.read_bytes()
    except OSError:
        hint = (
            "install Debian's libgs-common (scripts/setup.sh does)"
            if path is None
            else "check the print profile setting in pyproject.toml"
        )
        raise OutputError(
            f"the CMYK profile for the print edition's output intent is missing: {chosen} ({hint})"
        ) from None
    if len(data) > MAX_PROFILE_BYTES or data[16:20] != b"CMYK":
        raise OutputError(f"{chosen} is not a CMYK ICC profile (a print output intent needs one)")
    return data


def profile_rule(profile: bytes) -> str:
    """The CSS that makes ``profile`` the PDF/X output intent of a WeasyPrint document."""
    uri = "data:application/vnd.iccprofile;base64," + base64.b64encode(profile).decode("ascii")
    return f"@color-profile device-cmyk {{ src: url({uri}); components: c, m, y, k; }}"


def css(cmyk: CMYK) -> str:
    return "device-cmyk(" + " ".join(f"{round(c * 100, 1):g}%" for c in cmyk) + ")"


@functools.lru_cache(maxsize=4)
def _transform(profile: bytes) -> Callable[[tuple[int, int, int]], CMYK]:
    from PIL import Image, ImageCms

    target = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    srgb = ImageCms.createProfile("sRGB")
    transform = ImageCms.buildTransform(
        srgb, target, "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC
    )

    def separate(rgb: tuple[int, int, int]) -> CMYK:
        pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), transform)
        assert pixel is not None
        channels = pixel.getpixel((0, 0))
        assert isinstance(channels, tuple)
        return (channels[0] / 255, channels[1] / 255, channels[2] / 255, channels[3] / 255)

    return separate


def separate(rgb: tuple[int, int, int], profile: bytes) -> CMYK:
    """One sRGB colour in CMYK: black ink alone for a neutral one, else through the profile."""
    if max(rgb) - min(rgb) <= NEUTRAL:
        grey = sum(rgb) / 3
        return (0.0, 0.0, 0.0, round(1 - grey / 255, 3))
    return _transform(profile)(rgb)


def _rgb(hex_digits: str) -> tuple[int, int, int]:
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    value = int(hex_digits, 16)
    return (value >> 16, (value >> 8) & 255, value & 255)


class Separator:
    """Rewrites a page's colours in CMYK: the theme's print colours where a colour is one
    of the theme's, else :func:`separate`."""

    def __init__(self, profile: bytes, given: Mapping[str, CMYK]):
        self.profile = profile
        self.given = {key.lower(): value for key, value in given.items()}

    def color(self, hex_digits: str) -> str:
        rgb = _rgb(hex_digits)
        key = "#{:02x}{:02x}{:02x}".format(*rgb)
        return css(self.given.get(key) or separate(rgb, self.profile))

    def text(self, text: str) -> str:
        """CSS or SVG text with each ``#rgb``/``#rrggbb`` (and ``white``, ``black``) in CMYK."""
        text = _HEX.sub(lambda m: self.color(m.group(1)), text)
        return _NAMED.sub(lambda m: self.color("fff" if m.group(1) == "white" else "000"), text)

    def page(self, html: str) -> str:
        """The whole page: style sheets, SVG colour attributes, embedded images; the
        profile's ``@color-profile`` rule first in the first style sheet."""
        html = _STYLE.sub(lambda m: m.group(1) + self.text(m.group(2)) + m.group(3), html)
        html = _ATTRIBUTE.sub(lambda m: f'{m.group(1)}="{self.text(m.group(2))}"', html)
        html = _IMAGE.sub(self._image, html)
        html = _SVG.sub(self._svg, html)
        # first in the first style sheet, so the page's own rules win: the profile, and text
        # in black ink where the page sets no colour (CSS's initial colour is RGB black)
        black = f"html {{ color: {css((0.0, 0.0, 0.0, 1.0))}; }}"
        return html.replace("<style>", f"<style>\n{profile_rule(self.profile)}\n{black}\n", 1)

    def _svg(self, match: re.Match[str]) -> str:
        """An SVG's default fill is black in RGB (WeasyPrint): make it black ink."""
        attributes = match.group(1)
        if re.search(r"\sfill=", attributes):
            return match.group(0)
        return f'<svg fill="{css((0.0, 0.0, 0.0, 1.0))}"{attributes}>'

    def _image(self, match: re.Match[str]) -> str:
        kind, data = match.group(1), base64.b64decode(match.group(2))
        if kind == "svg+xml":
            svg = _SVG.sub(self._svg, self.text(data.decode("utf-8", "replace")))
            encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            return f"data:image/svg+xml;base64,{encoded}"
        return "data:image/jpeg;base64," + base64.b64encode(self.raster(data)).decode("ascii")

    def raster(self, data: bytes) -> bytes:
        """A PNG or JPEG as a CMYK JPEG (transparency flattened onto white paper)."""
        from PIL import Image, ImageCms

        with Image.open(io.BytesIO(data)) as image:
            rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgb = Image.alpha_composite(paper, rgba).convert("RGB")
        target = ImageCms.ImageCmsProfile(io.BytesIO(self.profile))
        converted = ImageCms.profileToProfile(
            rgb,
            ImageCms.createProfile("sRGB"),
            target,
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            outputMode="CMYK",
        )
        assert converted is not None
        out = io.BytesIO()
        converted.save(out, "JPEG", quality=92)  # the output intent carries the profile
        return out.getvalue()
