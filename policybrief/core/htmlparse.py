"""HTML parsing with tinyhtml5 (WeasyPrint's own parser), and the one repair it needs.

Every page is parsed at least twice: by :mod:`pagecheck`, which decides what the page may
load, and by WeasyPrint when it lays out a PDF. Both use tinyhtml5 2.1.0 (pinned in
pyproject.toml), whose tokenizer scans runs of text, tag names and attribute values with
compiled "characters until" patterns kept in a module-level cache. The cache never hits:
``chars_until`` stores with ``characters = cache[(characters, opposite)] = regex``, which
binds ``characters`` to the new pattern before the key is made, so each pattern is filed
under the pattern itself and looked for under the characters. Every scan builds its
pattern's source again (about a third of a page's parse time).

:func:`install` swaps that dict for one that builds a missing pattern itself, the same
pattern tinyhtml5 would build, so tinyhtml5's own store is never reached. The tree is the
same (``tests/test_pagecheck.py`` compares it on every fixture page); a page of the fixture
project parses in about half the time (``benchmarks/parse.py``). Drop this module when a
tinyhtml5 release files the pattern under the right key: the pin keeps it from meeting
another version unnoticed.
"""

from __future__ import annotations

import re
from typing import Any

import tinyhtml5
import tinyhtml5.inputstream


class _Patterns(dict):
    """``(characters, opposite)`` -> the compiled pattern ``chars_until`` matches with."""

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        listed = "".join(f"\\x{ord(character):02x}" for character in characters)
        pattern = re.compile(f"[{listed}]+" if opposite else f"[^{listed}]+")
        self[key] = pattern
        return pattern


def install() -> None:
    """Idempotent; called before anything here or in WeasyPrint parses a page."""
    if not isinstance(tinyhtml5.inputstream.characters_until_regex, _Patterns):
        tinyhtml5.inputstream.characters_until_regex = _Patterns()


def parse(html: str) -> Any:
    """The page's tree, as WeasyPrint and :mod:`pagecheck` see it."""
    install()
    return tinyhtml5.parse(html)
