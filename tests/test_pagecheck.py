"""The HTML parser's repair (policybrief/core/patches.py, section 3): same trees, and the
cache hits."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import tinyhtml5
import tinyhtml5.inputstream

from policybrief.core import htmlparse, patches


def _serialized(root) -> bytes:
    return ElementTree.tostring(root, encoding="utf-8")


def test_the_repaired_parser_builds_the_same_tree_on_every_page(fixture_dist, monkeypatch):
    pages = sorted(fixture_dist.rglob("*.html"))
    assert len(pages) >= 16
    texts = [p.read_text(encoding="utf-8") for p in pages]
    monkeypatch.setattr(tinyhtml5.inputstream, "characters_until_regex", {})  # as shipped
    stock = [_serialized(tinyhtml5.parse(text)) for text in texts]
    shipped_cache = tinyhtml5.inputstream.characters_until_regex
    # the defect the repair is for: tinyhtml5 files each pattern under the pattern itself
    assert shipped_cache and all(isinstance(key[0], re.Pattern) for key in shipped_cache)
    monkeypatch.undo()
    repaired = [_serialized(htmlparse.parse(text)) for text in texts]
    assert repaired == stock
    cache = tinyhtml5.inputstream.characters_until_regex
    assert isinstance(cache, patches._Patterns)
    assert cache and not any(isinstance(key[0], re.Pattern) for key in cache)


def test_a_missing_pattern_is_the_one_tinyhtml5_would_build():
    patterns = patches._Patterns()
    until = patterns[(("<", "&"), False)]
    assert until.match("ab<c").group() == "ab"
    run = patterns[(frozenset(" \t"), True)]
    assert run.match(" \t x").group() == " \t "
    assert patterns[(("<", "&"), False)] is until  # built once
