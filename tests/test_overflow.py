"""A PDF past its audience's page limit: the build stops and ``dist/`` keeps its last good
files, but the PDF is kept in ``.policybrief/overflow/`` and the error names the blocks
on the pages past the limit (build/overflow.py)."""

from __future__ import annotations

import pytest
from helpers import pdf_pages, squash

from policybrief.build.overflow import Block, blocks_past
from policybrief.build.pipeline import Options, build
from policybrief.core.errors import BriefError

LONG = (
    "The lessons run on: the park grew because the town kept its promises to firms, year "
    "after year, and because the anchor firms opened their channels to the small ones. "
)


def test_an_overflowing_note_is_kept_and_its_extra_page_named(fixture_project):
    path = fixture_project / "briefs" / "qiaotou" / "en.md"
    text = path.read_text(encoding="utf-8")
    head, lessons = text.split("# lessons\n", 1)
    # 18 repeats: three pages. (At 14 the paragraph ends part-way down the first page's
    # second column, and WeasyPrint's column balancing lays the page out again and again,
    # a pixel higher each time: 8 s instead of 0.5 s for the same report.)
    path.write_text(head + "# lessons\n\n" + LONG * 18 + "\n" + lessons, encoding="utf-8")
    out = fixture_project / "dist"
    options = Options(
        root=fixture_project,
        out=out,
        briefs=("qiaotou",),
        audiences=("decision-makers",),
        langs=("en",),
        formats=("pdf",),
    )
    with pytest.raises(BriefError) as caught:
        build(options)
    message = str(caught.value)
    kept = fixture_project / ".policybrief/overflow/qiaotou/decision-makers.en.pdf"
    assert not (out / "qiaotou/decision-makers.en.pdf").exists()  # dist/ unchanged
    pages = pdf_pages(kept)
    assert len(pages) >= 2
    assert "the decision-makers PDF runs to" in message and "its limit is 1" in message
    assert ".policybrief/overflow/qiaotou/decision-makers.en.pdf" in message
    # what is named is what the second page shows, the recommendations and notes among it
    past = message.split("page 2 hold:" if len(pages) == 2 else "pages 2-", 1)[1]
    assert "recommendation 1" in past and "note 1" in past
    extra = squash(" ".join(pages[1:]))
    assert "Recommendations" in extra and "Sources" in extra
    assert "the summary" not in past and "the key figures" not in past
    # the hint names the longest block past the limit: the paragraph that ran on
    assert "the longest of them: section “Lessons”, paragraph 1" in message


def test_blocks_are_named_by_the_page_they_start_or_end_on():
    blocks = [
        Block("the summary", "Asummaryofthebrief"),
        Block("section “Lessons”, paragraph 1", "Thelessonsrunonandonuntilthenextpage"),
        Block("note 1", "Anoteonthesecondpage"),
    ]
    pages = [
        "A summary of the brief. The lessons run on and on",
        "until the next page. A note on the second page",
    ]
    names = [b.name for b in blocks_past(blocks, pages, 1)]
    assert names == ["the end of section “Lessons”, paragraph 1", "note 1"]
    assert blocks_past(blocks, pages, 2) == []
