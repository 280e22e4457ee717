"""Characters XML 1.0 cannot hold, and so no Word file, whatever escaping is used: C0
control characters other than tab and line breaks, lone surrogates, U+FFFE and U+FFFF.

Loading refuses them where an author writes them (:func:`policybrief.load.yamlio.decode`
for raw characters in any file, the YAML screen for escapes such as ``"\\v"``, the prose
check for character references such as ``&#xb;``), each at its file and line; the Word
writer passes every text through :func:`xml_safe` once more, so that a page template's
output cannot stop it either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

INVALID_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# a numeric character reference, as HTML reads one (the ';' may be left out)
CHARREF_RE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def shown(char: str) -> str:
    """A character as U+XXXX."""
    return f"U+{ord(char):04X}"


def _refers_to(match: re.Match[str]) -> int:
    return int(match.group(1), 16) if match.group(1) else int(match.group(2))


def invalid_code(code: int) -> bool:
    if code > 0x10FFFF:
        return True
    return bool(INVALID_RE.match(chr(code)))


def invalid_references(text: str) -> Iterator[tuple[int, str]]:
    """Each character reference to a character XML cannot hold: (offset, as written)."""
    for match in CHARREF_RE.finditer(text):
        if invalid_code(_refers_to(match)):
            yield match.start(), match.group(0)


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot hold, raw or as character references."""

    def keep(match: re.Match[str]) -> str:
        return "" if invalid_code(_refers_to(match)) else match.group(0)

    return INVALID_RE.sub("", CHARREF_RE.sub(keep, text))
