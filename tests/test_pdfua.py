"""PDF/UA-1 validation of the tagged PDFs: the fixture's field card is built as PDF/UA-1
(tests/fixture/house/audiences.yaml), so the session build already holds two, en and zh.

Two checkers, neither of them a full validator (veraPDF, the one that is, needs a Java
runtime and is not installable here; docs/archive.md gives the evaluation): the pdfua
package (12 rules of the PDF/UA-1 profile, on pikepdf) and tests/matterhorn.py, the
Matterhorn Protocol's machine-checkable conditions on the catalog, the structure tree and
the fonts. The checks are also run on small documents built to fail them, so that a pass
means something.
"""

from __future__ import annotations

from pathlib import Path

import matterhorn
import pikepdf
import pytest
from pdfua import validate
from weasyprint import HTML

UA_PAGES = ("qiaotou/field-card.en.pdf", "qiaotou/field-card.zh.pdf")

# pdfua's rules that do not apply as it reads them here, each with why:
# UA-14-001 (empty headings) raises inside pdfua 0.1.3 on a heading whose /K is an array,
# as every WeasyPrint heading is, and is reported as skipped; matterhorn.headings checks
# the heading levels instead. UA-15-003 looks for /Scope or /Headers on the header cells
# only, while WeasyPrint (like PDF/UA's Headers/IDs method) writes /IDs on each TH and
# /Headers on each TD; matterhorn.tables checks that method.
PDFUA_NOT_APPLICABLE = {"UA-14-001", "UA-15-003"}


@pytest.mark.parametrize("name", UA_PAGES)
def test_the_tagged_pdfs_pass_pdfua(fixture_dist, name):
    report = validate(str(fixture_dist / name))
    found = [f"{f.rule_id}: {f.message}" for f in report.findings]
    assert found == [], found
    skipped = {s.rule_id for s in report.skipped}
    assert skipped <= PDFUA_NOT_APPLICABLE, skipped


@pytest.mark.parametrize("name", UA_PAGES)
def test_the_tagged_pdfs_pass_qpdfs_syntax_check(fixture_dist, name):
    """qpdf's own check (``qpdf --check``, through pikepdf): the file's objects, streams
    and cross-reference table are sound, under the structure the other checks read."""
    with pikepdf.open(fixture_dist / name) as pdf:
        assert pdf.check_pdf_syntax() == []


@pytest.mark.parametrize("name", UA_PAGES)
def test_the_tagged_pdfs_pass_the_matterhorn_checks(fixture_dist, name):
    path = fixture_dist / name
    results = matterhorn.check(path)
    assert {check: problems for check, problems in results.items() if problems} == {}
    seen = matterhorn.census(path)
    assert seen["headings"] >= 5 and seen["fonts"] >= 2, seen


def test_a_plain_pdf_fails_the_checks_that_pdf_ua_needs(fixture_dist):
    """The same checks on an untagged PDF of the same build: they can fail."""
    path = fixture_dist / "qiaotou" / "full-report.en.pdf"
    results = matterhorn.check(path)
    failed = {check for check, problems in results.items() if problems}
    assert {"tagged (01-005, 01-007)", "title displayed (07-001, 07-002)"} <= failed
    assert "UA-01-005" in {f.rule_id for f in validate(str(path)).findings}


GOOD = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Parks first</title>
<style>body {{ font-family: "Noto Sans" }}</style></head><body>
<h1>Parks first</h1><h2>Outcomes</h2><p>Residents arrived late.</p>
<img src="data:image/png;base64,{png}" {alt} width="20" height="20">
<{level}>Figures</{level}>
<table><thead><tr><{head}>Year</{head}><{head}>Residents</{head}></tr></thead>
<tbody><tr><td>2016</td><td>8,000</td></tr><tr><td>2017</td><td>11,000</td></tr></tbody>
</table></body></html>"""
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJ"
    "RU5ErkJggg=="
)


def _tagged(tmp_path: Path, **changes: str) -> Path:
    parts = {"png": PNG, "alt": 'alt="A green square"', "level": "h3", "head": "th"}
    html = GOOD.format(**{**parts, **changes})
    path = tmp_path / "page.pdf"
    HTML(string=html).write_pdf(path, pdf_variant="pdf/ua-1")
    return path


@pytest.mark.parametrize(
    ("changes", "check", "problem"),
    [
        ({"alt": ""}, "figures have Alt (13-004)", "a Figure (#1) has no /Alt"),
        ({"level": "h4"}, "headings nest (14-002, 14-003)", "H2 is followed by H4 (14-003)"),
        ({"head": "td"}, "tables have TH, headers reach cells (15-003)", "table #1 has no TH"),
    ],
)
def test_each_structure_check_fails_on_a_page_built_to_fail_it(tmp_path, changes, check, problem):
    good = matterhorn.check(_tagged(tmp_path))
    assert all(problems == [] for problems in good.values()), good
    assert matterhorn.census(tmp_path / "page.pdf")["figures"] == 1
    bad = matterhorn.check(_tagged(tmp_path, **changes))
    assert bad[check] == [problem]
