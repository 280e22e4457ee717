"""Editions (#16): translations in step, what changed since an earlier state, revision
boxes, drafts and publication folders. Each test writes a small throwaway project."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, find_all, parse_html, pdf_pages, squash, text_of, write_files

from policybrief.build.pipeline import Options, build, load_and_check
from policybrief.cli.main import main
from policybrief.core.errors import InputError

FACTS = """\
facts:
  - id: t.enterprises
    value: 480
    unit: enterprise
    qualifier: exact
    date: "2016-12"
    label: {zh: 累计引进企业, en: enterprises attracted}
    source: jing-yunqi
    quote: "2016年底，小镇已累计引进各类企业480家"
    translation: {en: "By the end of 2016 the town had attracted 480 enterprises of all kinds"}
  - id: t.output
    value: 8000000000
    unit: cny
    qualifier: over
    date: "2016"
    label: {zh: 涉云产值, en: cloud-related output}
    source: jing-yunqi
    quote: "2016年，实现涉云产值超过80亿元"
    translation: {en: "In 2016 cloud-related output exceeded CNY 8 billion"}
  - id: t.revenue
    value: 336000000
    unit: cny
    qualifier: exact
    date: "2016"
    label: {zh: 财政总收入, en: total fiscal revenue}
    source: jing-yunqi
    quote: "2016年，实现涉云产值超过80亿元，财政总收入3.36亿元"
    translation: {en: "In 2016 total fiscal revenue reached CNY 336 million"}
  - id: t.revenue-alt
    value: 340000000
    unit: cny
    qualifier: about
    date: "2016"
    label: {zh: 财政总收入, en: total fiscal revenue}
    source: yunqi-case
    quote: "财政总收入约3.4亿元"
    translation: {en: "total fiscal revenue of about CNY 340 million"}
conflicts:
  - id: t.revenue-2016
    facts: [t.revenue, t.revenue-alt]
    note: {zh: 两个来源的数字不同。, en: The two sources differ.}
"""

BRIEF = """\
date: 2026-11-20
topic: test
authors:
  - {zh: 研究室, en: Research office}
audiences: [full-report]
languages: [zh, en]
key_figures: [t.enterprises]
"""

ZH = """\
---
title: 测试简报
summary: 小镇引进企业{{ fact("t.enterprises") }}。
recommendations:
  - 第一条。
  - 第二条。
  - 第三条。
---
# background

小镇累计引进企业{{ fact("t.enterprises") }}。

# measures

区里负责规划，企业负责运营。

# outcomes

涉云产值{{ fact("t.output") }}，财政总收入{{ fact("t.revenue") }}。

# lessons

经验难以复制。
"""

EN = """\
---
title: A test brief
summary: The town attracted {{ fact("t.enterprises") }}.
recommendations:
  - One.
  - Second.
  - Third.
---
# background

The town attracted {{ fact("t.enterprises") }} in all.

# measures

The district planned; the firms ran things.

# outcomes

Output reached {{ fact("t.output") }} and revenue {{ fact("t.revenue") }}.

# lessons

The model is hard to copy.
"""


@pytest.fixture
def small(tmp_path) -> Path:
    """A throwaway project: one brief in zh and en, four facts, one conflict."""
    root = tmp_path / "small"
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "facts").mkdir()
    for name in ("units.yaml", "sources.yaml"):
        # (from the frozen fact base: fixed inputs, see tests/factbase/README.md)
        shutil.copy2(ROOT / "tests" / "factbase" / "facts" / name, root / "facts" / name)
    write_files(
        root,
        {
            "facts/t.yaml": FACTS,
            "briefs/t/brief.yaml": BRIEF,
            "briefs/t/zh.md": ZH,
            "briefs/t/en.md": EN,
        },
    )
    return root


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, name: str, needle: str) -> int:
    lines = (root / name).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def warnings(root: Path) -> list[str]:
    _project, problems = load_and_check(Options(root=root))
    return [str(p) for p in problems]


def cli(root: Path, *args: str, capsys) -> tuple[int, str, str]:
    code = main([*args, "--project", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


# -- translations in step ---------------------------------------------------------------


def test_the_small_project_is_clean_and_unstamped_projects_report_nothing_stale(small):
    load_and_check(Options(root=small, strict=True))
    edit(small, "briefs/t/zh.md", "区里负责规划", "区里负责规划和招商")
    assert warnings(small) == []  # no sync.yaml yet: nothing to be stale against


def test_editing_one_zh_section_leaves_en_stale_and_sync_stamp_clears_it(small, capsys):
    code, out, _err = cli(small, "sync-stamp", capsys=capsys)
    assert code == 0 and out == "briefs/t/sync.yaml: in line\n"
    stamp = (small / "briefs/t/sync.yaml").read_text(encoding="utf-8")
    assert stamp.startswith("# Written by `python build.py sync-stamp`")
    load_and_check(Options(root=small, strict=True))

    edit(
        small,
        "briefs/t/zh.md",
        "区里负责规划，企业负责运营。",
        "区里负责规划和招商，企业负责运营。",
    )
    zh_line = line_of(small, "briefs/t/zh.md", "区里负责规划和招商")
    en_heading = line_of(small, "briefs/t/en.md", "# measures")
    assert warnings(small) == [
        f"briefs/t/en.md:{en_heading}: warning: section 'measures' in en is stale: "
        f"briefs/t/zh.md:{zh_line} changed it in zh since the two were last in line (bring "
        "briefs/t/en.md in line, then run python build.py sync-stamp --brief t)"
    ]
    with pytest.raises(InputError):
        load_and_check(Options(root=small, strict=True))

    # The translator brings en in line: both changed since the stamp, so check asks for
    # the confirmation, the way gettext keeps a string fuzzy until it is reviewed.
    edit(small, "briefs/t/en.md", "The district planned;", "The district planned and recruited;")
    en_line = line_of(small, "briefs/t/en.md", "planned and recruited")
    assert warnings(small) == [
        f"briefs/t/en.md:{en_heading}: warning: section 'measures' changed in both languages "
        f"since the last sync-stamp (briefs/t/zh.md:{zh_line}, briefs/t/en.md:{en_line}) "
        "(once they say the same, run python build.py sync-stamp --brief t)"
    ]
    code, out, _err = cli(small, "sync-stamp", "--brief", "t", capsys=capsys)
    assert code == 0 and out == "briefs/t/sync.yaml: in line (1 section had been out of step)\n"
    load_and_check(Options(root=small, strict=True))
    assert stamp != (small / "briefs/t/sync.yaml").read_text(encoding="utf-8")


def test_a_stale_front_matter_and_an_unknown_brief_for_sync_stamp(small, capsys):
    cli(small, "sync-stamp", capsys=capsys)
    edit(small, "briefs/t/en.md", "  - Second.", "  - Second, said differently.")
    assert warnings(small) == [
        "briefs/t/zh.md:2: warning: front matter in zh is stale: briefs/t/en.md:2 changed it "
        "in en since the two were last in line (bring briefs/t/zh.md in line, then run python "
        "build.py sync-stamp --brief t)"
    ]
    code, _out, err = cli(small, "sync-stamp", "--brief", "nope", capsys=capsys)
    assert code == 2
    assert (
        err == "Error: unknown brief 'nope', or not written in two languages or more (known: t)\n"
    )


def test_removing_one_citation_from_en_is_reported_with_both_lines(small):
    edit(small, "briefs/t/en.md", 'and revenue {{ fact("t.revenue") }}', "and revenue rose")
    zh_line = line_of(small, "briefs/t/zh.md", "t.revenue")
    en_heading = line_of(small, "briefs/t/en.md", "# outcomes")
    assert warnings(small) == [
        f"briefs/t/en.md:{en_heading}: warning: section 'outcomes' in en does not cite "
        f"'t.revenue', which briefs/t/zh.md:{zh_line} cites in zh (cite it in briefs/t/en.md "
        "too, or declare the difference under parity: in brief.yaml)"
    ]

    # Declared deliberate: no warning; a declaration that matches nothing is reported.
    edit(
        small,
        "briefs/t/brief.yaml",
        "key_figures:",
        "parity: {sections: {outcomes: [t.revenue]}, ignore: [t.output]}\nkey_figures:",
    )
    assert warnings(small) == [
        "briefs/t/brief.yaml:1: warning: parity.ignore lists 't.output', but both languages "
        "cite it alike there (remove it from the list)"
    ]


def test_different_numbers_of_recommendations(small):
    edit(small, "briefs/t/zh.md", "  - 第三条。\n", "  - 第三条。\n  - 第四条。\n")
    assert warnings(small) == [
        "briefs/t/en.md:4: warning: 3 recommendations in en, but 4 in briefs/t/zh.md:4 (make "
        "the lists match, or set parity: {recommendations: false} in brief.yaml)"
    ]
    edit(
        small,
        "briefs/t/brief.yaml",
        "key_figures:",
        "parity: {recommendations: false}\nkey_figures:",
    )
    assert warnings(small) == []


# -- what changed ------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def commit_all(root: Path, message: str, tag: str | None = None) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    if tag:
        git(root, "tag", tag)


def plant_changes(root: Path) -> None:
    """A corrected figure, a changed date, a figure added in en and removed in zh, a
    rewritten zh paragraph, a conflict resolved and another opened."""
    edit(root, "facts/t.yaml", "    value: 480\n", "    value: 481\n")
    edit(root, "facts/t.yaml", "企业480家", "企业481家")
    edit(
        root,
        "facts/t.yaml",
        '    date: "2016"\n    label: {zh: 涉云产值',
        '    date: "2016-12"\n    label: {zh: 涉云产值',
    )
    edit(
        root,
        "facts/t.yaml",
        "  - id: t.revenue-2016\n    facts: [t.revenue, t.revenue-alt]\n"
        "    note: {zh: 两个来源的数字不同。, en: The two sources differ.}\n",
        "  - id: t.output-2016\n    facts: [t.output, t.revenue-alt]\n"
        "    note: {zh: 说法不同。, en: They differ.}\n",
    )
    edit(
        root,
        "briefs/t/en.md",
        "The model is hard to copy.",
        'The model, with {{ fact("t.revenue-alt") }} by another count, is hard to copy.',
    )
    edit(root, "briefs/t/zh.md", '，财政总收入{{ fact("t.revenue") }}', "")
    edit(root, "briefs/t/zh.md", "经验难以复制。", "这一模式的条件难以在别处复制。")


def test_changes_against_a_git_revision_lists_exactly_the_planted_changes(small, capsys):
    git(small, "init", "-q")
    commit_all(small, "first edition", tag="v1")
    revenue_line = line_of(small, "briefs/t/zh.md", "t.revenue")
    plant_changes(small)
    commit_all(small, "second edition")

    code, out, _err = cli(small, "changes", "v1", "--json", capsys=capsys)
    assert code == 0
    data = json.loads(out)
    by_lang = {item["lang"]: item for item in data["briefs"]}
    assert set(by_lang) == {"zh", "en"}
    zh, en = by_lang["zh"], by_lang["en"]
    for item in (zh, en):
        facts = {f["id"]: f for f in item["facts"]}
        assert sorted(facts) == ["t.enterprises", "t.output"]
        assert facts["t.enterprises"]["fields"] == ["value"]
        assert facts["t.output"]["fields"] == ["date"]
        assert facts["t.output"]["old_record"]["date"] == "2016"
        assert facts["t.output"]["new_record"]["date"] == "2016-12"
        assert facts["t.enterprises"]["outputs"] == [
            f"t/full-report.{item['lang']}.html",
            f"t/full-report.{item['lang']}.pdf",
        ]
        assert [c["id"] for c in item["opened"]] == ["t.output-2016"]
        assert [c["id"] for c in item["resolved"]] == ["t.revenue-2016"]
    assert (zh["facts"][0]["old"], zh["facts"][0]["new"]) == ("480家", "481家")
    assert (en["facts"][0]["old"], en["facts"][0]["new"]) == ("480 enterprises", "481 enterprises")
    assert [f["id"] for f in en["added"]] == ["t.revenue-alt"] and en["removed"] == []
    assert [f["id"] for f in zh["removed"]] == ["t.revenue"] and zh["added"] == []
    assert [s["section"] for s in zh["sections"]] == ["outcomes", "lessons"]
    assert [s["section"] for s in en["sections"]] == ["lessons"]
    assert data["unshown"] == []

    code, out, _err = cli(small, "changes", "v1", capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    commit = git(small, "rev-parse", "v1").strip()[:12]
    assert lines[0] == f"changes since v1 ({commit})"
    assert "  changed  t.enterprises  累计引进企业: 480家 → 481家  (value)" in lines
    assert (
        "  changed  t.enterprises  enterprises attracted: 480 enterprises → 481 enterprises"
        "  (value)" in lines
    )
    assert (
        "  changed  t.output  cloud-related output: over CNY 8 billion → over CNY 8 billion"
        "  (date 2016 → 2016-12)" in lines
    )
    en_line = line_of(small, "briefs/t/en.md", "t.revenue-alt")
    assert (
        f"  added    t.revenue-alt  total fiscal revenue: about CNY 340 million  (lessons, "
        f"briefs/t/en.md:{en_line})"
    ) in lines
    assert (
        "  removed  t.revenue  财政总收入: 3.36亿元  (outcomes, was at "
        f"briefs/t/zh.md:{revenue_line})"
    ) in lines
    assert sum(line.startswith("  changed  ") for line in lines) == 4
    assert sum(line.startswith("  rewritten  ") for line in lines) == 3
    assert sum(line.startswith("  conflict opened    t.output-2016") for line in lines) == 2
    assert sum(line.startswith("  conflict resolved  t.revenue-2016") for line in lines) == 2

    code, out, _err = cli(small, "changes", "v1", "--markdown", capsys=capsys)
    assert (
        "| `t.enterprises` enterprises attracted | 480 enterprises | 481 enterprises | value" in out
    )


def test_changes_against_an_earlier_build_folder(small, capsys, tmp_path):
    out = tmp_path / "out"
    build(Options(root=small, out=out, formats=("html",)))
    assert (out / ".policybrief-snapshot.json").is_file()
    edit(small, "facts/t.yaml", "    value: 480\n", "    value: 481\n")
    edit(small, "facts/t.yaml", "企业480家", "企业481家")
    code, text, _err = cli(small, "changes", str(out), "--json", capsys=capsys)
    assert code == 0
    data = json.loads(text)
    assert data["old"] == f"the build in {out}"
    assert [[f["id"] for f in b["facts"]] for b in data["briefs"]] == [["t.enterprises"]] * 2
    code, _text, err = cli(small, "changes", str(tmp_path), capsys=capsys)
    assert code == 2 and "no .policybrief-snapshot.json in this folder" in err
    code, _text, err = cli(small, "changes", "no-such-rev", capsys=capsys)
    assert code == 2 and err.startswith("Error: 'no-such-rev': ")


# -- revision box, fact history, drafts -------------------------------------------------

REVISION = """\
revision:
  date: 2026-12-01
  since: v1
  note: {zh: 本版更正了企业数。, en: This edition corrects the number of enterprises.}
"""


def colour_mask(image, colour: tuple[int, int, int], tolerance: int = 3):
    """A black-and-white image: white where the pixel is ``colour`` (± tolerance)."""
    from PIL import ImageChops

    bands = [
        band.point(lambda v, c=c: 255 if abs(v - c) <= tolerance else 0)
        for band, c in zip(image.convert("RGB").split(), colour, strict=True)
    ]
    return ImageChops.multiply(ImageChops.multiply(bands[0], bands[1]), bands[2])


def watermark(png: Path) -> tuple[int, float, float]:
    """Pixels of the watermark's colour (rgba(200, 30, 30, 0.17) over white: 246, 217, 217)
    and how much of the page's width and height they span (a diagonal spans both)."""
    from PIL import Image

    with Image.open(png) as image:
        mask = colour_mask(image, (246, 217, 217))
        box = mask.getbbox()
        if box is None:
            return 0, 0.0, 0.0
        return (
            mask.histogram()[255],
            (box[2] - box[0]) / image.width,
            (box[3] - box[1]) / image.height,
        )


def page_images(pdf: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def test_revision_box_and_draft_watermark_in_the_pdf_text_and_image(small, tmp_path):
    git(small, "init", "-q")
    commit_all(small, "first edition", tag="v1")
    edit(small, "facts/t.yaml", "    value: 480\n", "    value: 481\n")
    edit(small, "facts/t.yaml", "企业480家", "企业481家")
    edit(small, "briefs/t/zh.md", "经验难以复制。", "这一模式的条件难以在别处复制。")
    edit(small, "briefs/t/brief.yaml", "key_figures:", REVISION + "status: draft\nkey_figures:")
    out = tmp_path / "draft"
    build(Options(root=small, out=out, formats=("pdf",), langs=("en",), strict=True))
    pdf = out / "t" / "full-report.en.pdf"
    pages = pdf_pages(pdf)
    assert all("DRAFT" in page for page in pages), "the watermark is on every page"
    box = next(squash(page) for page in pages if "Changesinthisedition" in squash(page))
    assert squash("Revised December 1, 2026") in box
    assert squash("This edition corrects the number of enterprises.") in box
    assert squash("enterprises attracted: was 480 enterprises, now 481 enterprises") in box
    images = page_images(pdf, tmp_path)
    assert len(images) == len(pages)
    artifacts = ROOT / "tests" / ".artifacts" / "editions"  # git-ignored; for a human look
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy2(images[0], artifacts / "test-draft-cover.en.png")
    for png in images:
        count, across, down = watermark(png)
        assert count > 300 and across > 0.4 and down > 0.3, (png.name, count, across, down)

    # The same brief, final: no watermark in the text or on the pages.
    edit(small, "briefs/t/brief.yaml", "status: draft\n", "")
    final = tmp_path / "final"
    build(Options(root=small, out=final, formats=("pdf",), langs=("en",)))
    pdf = final / "t" / "full-report.en.pdf"
    assert not any("DRAFT" in page for page in pdf_pages(pdf))
    (tmp_path / "final-png").mkdir()
    assert all(watermark(png)[0] < 20 for png in page_images(pdf, tmp_path / "final-png"))

    # The revision box's own page image: its warm background is there.
    box_page = next(i for i, page in enumerate(pdf_pages(pdf)) if "Changes in this" in page)
    from PIL import Image

    box_png = sorted((tmp_path / "final-png").glob("page-*.png"))[box_page]
    shutil.copy2(box_png, artifacts / "test-revision-box.en.png")
    with Image.open(box_png) as image:
        cream = colour_mask(image, (255, 248, 243), 0).histogram()[255]
    assert cream > 1000


def test_revision_box_and_fact_history_on_the_web_pages(small, tmp_path):
    git(small, "init", "-q")
    commit_all(small, "first edition", tag="v1")
    edit(small, "facts/t.yaml", "    value: 480\n", "    value: 481\n")
    edit(small, "facts/t.yaml", "企业480家", "企业481家")
    edit(small, "briefs/t/zh.md", "经验难以复制。", "这一模式的条件难以在别处复制。")
    edit(small, "briefs/t/brief.yaml", "key_figures:", REVISION + "key_figures:")
    out = tmp_path / "out"
    build(Options(root=small, out=out, formats=("html",), strict=True))
    page = parse_html(out / "t" / "full-report.zh.html")
    box = next(find_all(page, "section", id="revision"))
    text = text_of(box).replace("\u2060", "")  # the typesetter's digit-unit joins
    assert "本版修订说明" in text and "修订于2026年12月1日" in text
    assert "累计引进企业：原为480家，现为481家" in squash(text)
    assert "改写的部分：启示" in squash(text)
    assert not list(find_all(page, "p", class_="draft-banner"))
    facts = parse_html(out / "facts.html")
    card = next(find_all(facts, "article", id="t.enterprises"))
    assert (
        "December 1, 2026 edition: was 480 enterprises, now 481 enterprises (value) · v1"
        in " ".join(text_of(card).split())
    )

    # A bad `since` is an error at the revision's line.
    edit(small, "briefs/t/brief.yaml", "since: v1", "since: v9")
    with pytest.raises(InputError) as caught:
        load_and_check(Options(root=small))
    assert [str(p) for p in caught.value.problems] == [
        "briefs/t/brief.yaml:9: revision.since: 'v9': no such revision in this repository "
        "(fetch tags and history: git fetch --tags --unshallow)"
    ]

    # A copy outside git builds, without the box, and says why.
    shutil.rmtree(small / ".git")
    edit(small, "briefs/t/brief.yaml", "since: v9", "since: v1")
    _project, problems = load_and_check(Options(root=small))
    assert [str(p) for p in problems] == [
        f"briefs/t/brief.yaml:9: warning: revision.since: 'v1': {small} is not in a git "
        "repository; the 'Changes in this edition' box is left out (build from a git checkout "
        "that has the revision)"
    ]


def test_draft_banner_and_a_house_style_word(small, tmp_path):
    out = tmp_path / "out"
    build(Options(root=small, out=out, formats=("html",), draft=True))
    banner = next(
        find_all(parse_html(out / "t" / "full-report.zh.html"), "p", class_="draft-banner")
    )
    assert text_of(banner).strip() == "草稿 未定稿，请勿发布或引用。"
    house = tmp_path / "house"
    write_files(
        house,
        {
            "locales/zh/LC_MESSAGES/messages.po": 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            'msgid "DRAFT"\nmsgstr "征求意见稿"\n'
        },
    )
    build(Options(root=small, out=out, formats=("html",), draft=True, templates=(house,)))
    banner = next(
        find_all(parse_html(out / "t" / "full-report.zh.html"), "p", class_="draft-banner")
    )
    assert text_of(banner).strip().startswith("征求意见稿")


def test_draft_flag_rebuilds_and_the_next_build_drops_the_banner_and_index_mark(
    small, tmp_path, capsys
):
    """Through the command line, so the no-op fast path is in play too."""
    out = tmp_path / "out"
    page = out / "t" / "full-report.en.html"
    args = ("--out", str(out), "--format", "html", "-q")

    def banners() -> int:
        """The page's draft banner, and the index's draft mark on the brief (they agree)."""
        count = len(list(find_all(parse_html(page), "p", class_="draft-banner")))
        brief = next(find_all(parse_html(out / "index.html"), "article", id="t"))
        marks = [text_of(m) for m in find_all(brief, "strong", class_="draft-mark")]
        assert marks == ["DRAFT"] * count, marks
        return count

    assert cli(small, *args, capsys=capsys)[0] == 0 and banners() == 0
    assert cli(small, *args, "--draft", capsys=capsys)[0] == 0 and banners() == 1
    assert cli(small, *args, "--draft", capsys=capsys)[0] == 0 and banners() == 1
    assert cli(small, *args, capsys=capsys)[0] == 0 and banners() == 0


def test_a_publication_folder_refuses_drafts(small, tmp_path, capsys):
    out = tmp_path / "site"
    args = ("--out", str(out), "--format", "html", "-q")
    code, _o, _e = cli(small, *args, "--publish", capsys=capsys)
    assert code == 0 and (out / ".publish").is_file()
    before = (out / "t" / "full-report.en.html").read_bytes()
    edit(small, "briefs/t/brief.yaml", "topic: test\n", "topic: test\nstatus: draft\n")
    code, _o, err = cli(small, *args, capsys=capsys)
    assert code == 1
    assert err.splitlines() == [
        f"briefs/t/brief.yaml:3: brief 't' is a draft (status: draft) and {out} is marked for "
        "publication (.publish) (remove `status: draft` from brief.yaml when it is ready, or "
        "build the draft into another folder with --out)",
        "Error: stopped with 1 error; nothing was written.",
    ]
    assert (out / "t" / "full-report.en.html").read_bytes() == before
    edit(small, "briefs/t/brief.yaml", "status: draft\n", "")
    code, _o, err = cli(small, *args, "--draft", capsys=capsys)
    assert code == 1 and err.startswith(f"--draft: drafts cannot be built into {out}")
    code, _o, err = cli(small, *args, capsys=capsys)
    assert code == 0, err
