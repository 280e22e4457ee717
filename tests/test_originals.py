"""Sources kept as the original documents (load/originals.py, check/sources.py): quotes
proven against a PDF's text and a saved web page's main text, the page found and printed
in the notes (render/references.page_locator), the extraction cached by the file's digest,
a replaced file reported with the facts to prove again.

The documents are made here (tests/originals_docs.py): PDFs typeset by WeasyPrint, a web
page with navigation around its article, a PDF page that is only a picture."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from helpers import copy_fixture, find_all, parse_html, text_of
from originals_docs import EN_PAGES, ZH_PAGES, make_pdf, make_scan, make_web_page

from policybrief.build.pipeline import build
from policybrief.build.plan import Options
from policybrief.check.rules import check
from policybrief.cli.main import main
from policybrief.load import originals
from policybrief.load.originals import Extracted, ProofText, extract, main_text
from policybrief.load.project import load_project
from policybrief.render.references import page_locator


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("originals")
    make_pdf(folder / "en.pdf", EN_PAGES, "en", "Hexi New Town study")
    make_pdf(folder / "zh.pdf", ZH_PAGES, "zh", "河西新城研究报告")
    make_scan(folder / "scan.pdf")
    make_web_page(folder / "notice.html")
    return folder


def proof(path: Path) -> ProofText:
    return ProofText.of(extract(path))


def test_a_sentence_on_page_2_is_found_there_in_both_scripts(docs):
    assert proof(docs / "en.pdf").find("In 2017 the town planted 1,250 hectares") == ("2",)
    assert proof(docs / "zh.pdf").find("2017年，新城沿河新造林1250公顷") == ("2",)


def test_one_digit_changed_is_not_found(docs):
    assert proof(docs / "en.pdf").find("In 2017 the town planted 1,260 hectares") is None
    assert proof(docs / "zh.pdf").find("2017年，新城沿河新造林1260公顷") is None


def test_a_word_hyphenated_at_a_line_end_is_found_whole(docs):
    raw = "\f".join(extract(docs / "en.pdf").pages)
    assert re.search(r"environ[-\u2010\u00ad]\n", raw), "the premise: a hyphen ends a line"
    assert proof(docs / "en.pdf").find("The plan is environmentally.") == ("1",)
    # a hyphen the author wrote stays a hyphen
    assert proof(docs / "en.pdf").find("The waste-water plant treated 86.5 percent") == ("3",)


def test_a_quote_across_a_page_break_stands_on_both_pages(docs):
    """The running head ("Hexi New Town study") and folio between the pages are not part
    of the text, so the quote reads straight on."""
    en = "paid for by the provincial government and by the town itself. The waste-water plant"
    assert proof(docs / "en.pdf").find(en) == ("2", "3")
    assert proof(docs / "en.pdf").find("by the town itself. Hexi New Town study") is None
    assert proof(docs / "zh.pdf").find("资金由省财政和新城共同承担。2018年，污水处理厂") == (
        "2",
        "3",
    )


def test_the_page_as_each_language_prints_it():
    assert page_locator(("2",), "en") == "p. 2"
    assert page_locator(("2", "3"), "en") == "pp. 2–3"
    assert page_locator(("2",), "zh") == "第2页"
    assert page_locator(("2", "3"), "zh-Hant") == "第2–3頁"
    assert page_locator((), "en") == ""


def test_web_page_main_text_without_its_navigation(docs):
    text = proof(docs / "notice.html")
    assert text.find("2018年3月，污水处理厂二期正式投入使用，日处理能力增加到每天6万吨") == ()
    for elsewhere in (
        "热点：2018年新城人口达到42万人",  # <nav>
        "上一篇：2017年新城新造林1250公顷",  # role=navigation
        "相关阅读：2016年新城绿化覆盖率达到38%",  # <aside>
        "今日访问量35000次",  # <header>
        "版权所有 2018 河西新城管委会",  # <footer>
        "2018年访问量12万次",  # <script>
    ):
        assert text.find(elsewhere) is None, elsewhere


def test_main_text_without_a_main_element_is_the_body_without_its_parts():
    page = (
        "<html><body><nav>Home | News</nav><div><p>Output rose 5%.</p></div>"
        "<footer>Contact</footer></body></html>"
    )
    assert main_text(page) == "Output rose 5%."


def test_a_scanned_page_has_no_text(docs):
    assert extract(docs / "scan.pdf").blank == (1,)


def test_a_quote_missing_from_a_pdf_with_scanned_pages_names_them_and_ocr(docs, tmp_path):
    """A PDF of text pages and one scanned page: a quote not found says which page has no
    text and what to do."""
    from pypdf import PdfWriter

    from policybrief.check.sources import SourceTexts
    from policybrief.core.model import FactBase, Loc, Source, Text

    writer = PdfWriter()
    writer.append(str(docs / "en.pdf"))
    writer.append(str(docs / "scan.pdf"))
    writer.write(tmp_path / "mixed.pdf")
    source = Source("mixed", "mixed.pdf", Text(()), Text(()), Text(()), None, None, Loc("s", 3))
    facts = FactBase({"mixed": source}, {}, {}, {}, {})
    problems: list = []
    texts = SourceTexts(facts, (tmp_path,), problems)
    assert texts.missing("mixed", "In 2017 the town planted 1,250 hectares", "q") is None
    missing = texts.missing("mixed", "In 2017 the town planted 1,260 hectares", "q")
    assert missing is not None and "page(s) 4 of mixed.pdf have no text layer" in missing.hint
    assert "OCR" in missing.hint and problems == []


def test_the_page_printed_is_the_pdfs_own_page_label(docs, tmp_path):
    """A PDF whose front matter is numbered i, ii and whose body starts at 1: the quote on
    its third page is on page 1."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(str(docs / "en.pdf"))
    writer.append(str(docs / "en.pdf"))
    writer.set_page_label(0, 1, style="/r")
    writer.set_page_label(2, 5, style="/D")
    writer.write(tmp_path / "labelled.pdf")
    text = proof(tmp_path / "labelled.pdf")
    assert text.find("The waste-water plant treated 86.5 percent") == ("1",)  # its 3rd page
    assert text.find("In 2017 the town planted 1,250 hectares") == ("ii",)


def test_extraction_is_cached_by_digest(docs, tmp_path, monkeypatch):
    copy = shutil.copy(docs / "en.pdf", tmp_path / "a.pdf")
    digest = originals.sha256_of(Path(copy))
    originals._MEMO.clear()
    first = extract(Path(copy), tmp_path)
    assert (tmp_path / originals.CACHE_DIR / f"{digest}.json").is_file()
    originals._MEMO.clear()
    monkeypatch.setattr(originals, "_extract_pdf", lambda path: pytest.fail("not cached"))
    assert extract(Path(copy), tmp_path) == first


def test_running_heads_and_folios_are_dropped():
    pages = tuple(f"Annual report 2018\n\nBody {n} text.\n\n{n}\n" for n in range(1, 5))
    text = ProofText.of(Extracted("pdf", pages, tuple(str(n) for n in range(1, 5))))
    assert text.find("Body 2 text.Body 3 text.") == ("2", "3")
    assert text.find("Annual report") is None


# -- a project whose source is the original PDF -------------------------------------------
HEXI_PAGES = [
    "《河西新城总体规划》于2014年9月发布，规划面积近12平方公里。2014年以来，截至2017年底，新城累计完成",
    "基础设施投资35亿元。2017年底，新城常住人口6万多人。2017年底，新城入驻企业约300家。"
    "2017年，新城绿地率达到40%，沿河建成了连续的滨水步道。新城沿河建成滨水步道8公里。"
    "2015年以来，新城累计植树12万株。本报告的数据统计截至2017年底。"
    "有评论称，河西新城是本省绿地率最高的新城。",
    "人口和企业是逐年到来的。2015年底，新城常住人口3.2万人。2016年底，新城常住人口4.5万人。"
    "2016年底，新城入驻企业200家。2016年底，新城制造企业120家。2016年底，新城服务企业80家。"
    "2017年底，新城制造企业140家。2017年底，新城服务企业160家。",
]


_MADE: dict[str, Path] = {}


def hexi_pdf(folder: Path) -> Path:
    """The Hexi report as a PDF, typeset once per test process."""
    if "hexi" not in _MADE:
        folder.mkdir(parents=True, exist_ok=True)
        _MADE["hexi"] = make_pdf(folder / "hexi.pdf", HEXI_PAGES, "zh", "河西新城绿色发展报告")
    return _MADE["hexi"]


def pdf_project(folder: Path) -> Path:
    """The fixture with the Hexi report as a PDF (its text over three pages, the sentence
    about investment broken across the first page break) instead of a plain text."""
    root = copy_fixture(folder)
    shutil.copy(hexi_pdf(folder.parent / "made"), root / "sources" / "hexi.pdf")
    (root / "sources" / "hexi.txt").unlink()
    sources = root / "facts" / "sources.yaml"
    text = sources.read_text(encoding="utf-8").replace("file: hexi.txt", "file: hexi.pdf")
    sources.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = pdf_project(tmp_path_factory.mktemp("pdfsource") / "p")
    report = build(
        Options(
            root=root,
            out=root / "dist",
            strict=True,
            briefs=("hexi",),
            audiences=("full-report",),
            langs=("zh", "en"),
            formats=("html", "docx"),
        )
    )
    assert report.written, report
    return root


def notes_of(page: Path) -> dict[str, str]:
    tree = parse_html(page)
    notes = {}
    for item in find_all(tree, "li"):
        if (item.get("id") or "").startswith("note-"):
            link = next((a for a in find_all(item, "a") if "fact-link" in a.get("class", "")), None)
            key = (link.get("href") or "#").split("#")[1] if link is not None else item.get("id")
            notes[key] = text_of(item).replace("\u2060", "")  # the typesetter's joiners
    return notes


def test_notes_print_the_page_of_each_quote(built):
    en = notes_of(built / "dist" / "hexi" / "full-report.en.html")
    zh = notes_of(built / "dist" / "hexi" / "full-report.zh.html")
    assert "p. 2" in en["hexi.residents.2017"]
    assert "第2页" in zh["hexi.residents.2017"]
    assert "pp. 1–2" in en["hexi.investment"]  # across the first page break
    assert "第1–2页" in zh["hexi.investment"]
    assert "p. 1." in en["hexi.plan.published"]


def test_word_notes_and_the_fact_base_print_the_page(built):
    with zipfile.ZipFile(built / "dist" / "hexi" / "full-report.en.docx") as docx:
        notes = docx.read("word/endnotes.xml").decode("utf-8")
    assert "p. 2" in re.sub(r"<[^>]+>", "", notes)
    facts = text_of(parse_html(built / "dist" / "facts.html")).replace("\u2060", "")
    assert "(p. 2)" in facts and "(pp. 1–2)" in facts


def test_a_changed_digit_fails_check_at_the_facts_line(tmp_path):
    root = pdf_project(tmp_path / "p")
    path = root / "facts" / "hexi.yaml"
    text = path.read_text(encoding="utf-8")
    assert "新城常住人口6万多人" in text
    path.write_text(text.replace("新城常住人口6万多人", "新城常住人口7万多人"), encoding="utf-8")
    project, _ = load_project(root)
    found = [str(p) for p in check(project) if "not found in hexi.pdf" in p.message]
    line = text.splitlines().index("  - id: hexi.residents.2017") + 1
    assert found == [
        f"facts/hexi.yaml:{line}: fact 'hexi.residents.2017': quote not found in hexi.pdf "
        "(copy the quote from the source character for character)"
    ]


def test_a_replaced_file_is_reported_with_the_facts_that_quote_it(tmp_path):
    root = pdf_project(tmp_path / "p")
    sources = root / "facts" / "sources.yaml"
    digest = originals.sha256_of(root / "sources" / "hexi.pdf")
    text = sources.read_text(encoding="utf-8")
    text = text.replace("file: hexi.pdf", f"file: hexi.pdf\n    sha256: {digest}")
    sources.write_text(text, encoding="utf-8")
    project, _ = load_project(root)
    assert not [p for p in check(project) if "has changed" in p.message]
    make_pdf(root / "sources" / "hexi.pdf", [*HEXI_PAGES, "附表"], "zh", "河西新城绿色发展报告")
    project, _ = load_project(root)
    changed = [p for p in check(project) if "has changed" in p.message]
    assert len(changed) == 1
    line = text.splitlines().index("  hexi-report:") + 1
    assert (changed[0].path, changed[0].line) == ("facts/sources.yaml", line)
    assert "fact hexi.residents.2017" in changed[0].message
    assert "claim " in changed[0].message
    assert "sha256: " in changed[0].hint


def test_a_scanned_pdf_names_ocr(tmp_path):
    root = copy_fixture(tmp_path / "p")
    make_scan(root / "sources" / "hexi.pdf")
    sources = root / "facts" / "sources.yaml"
    text = sources.read_text(encoding="utf-8").replace("file: hexi.txt", "file: hexi.pdf")
    sources.write_text(text, encoding="utf-8")
    project, _ = load_project(root)
    found = [p for p in check(project) if "no text layer" in p.message]
    assert found and "OCR" in found[0].hint and found[0].path == "facts/sources.yaml"


# -- source add and the reference import ----------------------------------------------------
def sources_of(root: Path) -> dict:
    from policybrief.load.sources import load_sources

    problems: list = []
    return load_sources(root / "facts" / "sources.yaml", "facts/sources.yaml", problems)


def test_source_add_records_a_pdf_with_its_digest_and_metadata(tmp_path, capsys):
    root = copy_fixture(tmp_path / "p")
    pdf = make_pdf(
        tmp_path / "Green report.pdf",
        EN_PAGES,
        "en",
        title="Green development in Hexi",
        author="Hexi Study Group",
        created="2018-05-04",
    )
    before = (root / "facts" / "sources.yaml").read_text(encoding="utf-8")
    code = main(["source", "add", str(pdf), "--project", str(root), "--accessed", "2026-12-01"])
    said = capsys.readouterr()
    assert code == 0, said.err
    assert "added source 'Green-report'" in said.out
    after = (root / "facts" / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # the entries before, comments and all, kept
    source = sources_of(root)["Green-report"]
    assert (root / "sources" / "Green report.pdf").read_bytes() == pdf.read_bytes()
    assert source.file == "Green report.pdf"
    assert source.sha256 == originals.sha256_of(pdf) and source.size == pdf.stat().st_size
    assert source.title.get("en") == "Green development in Hexi"
    assert [p.literal for p in source.authors] == ["Hexi Study Group"]
    assert (source.issued.year, source.issued.month, source.issued.day) == (2018, 5, 4)
    assert (source.accessed.year, source.accessed.month, source.accessed.day) == (2026, 12, 1)
    assert source.language == "en"


def test_source_add_records_a_saved_web_page_with_its_address(tmp_path, capsys):
    root = copy_fixture(tmp_path / "p")
    page = make_web_page(tmp_path / "notice.html")
    url = "https://hexi.example.org/news/2018-03"
    assert main(["source", "add", str(page), "--project", str(root), "--url", url]) == 0
    capsys.readouterr()
    source = sources_of(root)["notice"]
    assert source.url == url and source.kind == "web page" and source.language == "zh"
    assert source.title.get("zh") == "河西新城污水处理厂二期投入使用"
    assert source.issued is not None and source.issued.month == 3
    # a second file of the same name is refused, the sources left as they were
    other = tmp_path / "other" / "notice.html"
    other.parent.mkdir()
    other.write_text("<p>another</p>", encoding="utf-8")
    before = (root / "facts" / "sources.yaml").read_text(encoding="utf-8")
    assert main(["source", "add", str(other), "--project", str(root)]) == 1
    assert "exists and is another file" in capsys.readouterr().err
    assert (root / "facts" / "sources.yaml").read_text(encoding="utf-8") == before


def test_source_add_with_a_brief_that_has_no_sources_file_is_a_usage_error(tmp_path, capsys):
    root = copy_fixture(tmp_path / "p")
    page = make_web_page(tmp_path / "notice.html")
    assert main(["source", "add", str(page), "--project", str(root), "--brief", "hexi"]) == 2
    assert "briefs/hexi/sources.yaml does not exist" in capsys.readouterr().err


ZOTERO_CSL_JSON = """[
  {"id": "http://zotero.org/users/1/items/ABCD1234", "type": "article-journal",
   "title": "Green space and land value in new towns", "container-title": "Urban Studies",
   "page": "112-130", "volume": "57", "issue": "3", "DOI": "10.1177/0042098019830925",
   "language": "en", "author": [{"family": "Lin", "given": "Xiaohe"},
   {"family": "Smith", "given": "Jane"}], "issued": {"date-parts": [["2020", 2]]},
   "accessed": {"date-parts": [["2026", 11, 3]]}}
]"""
ZOTERO_BIBTEX = r"""
@techreport{hexi_green_2018,
	address = {Hexi},
	type = {Study report},
	title = {{Green} development in {Hexi} {New} {Town} \& its riverside},
	url = {https://hexi.example.org/report.pdf},
	number = {HX-2018-07},
	urldate = {2026-11-03},
	institution = {Hexi New Town Institute},
	author = {{Hexi New Town Study Group} and Lin, Xiaohe},
	month = mar,
	year = {2018},
	file = {Full Text:files/12/hexi-report.pdf:application/pdf},
}
"""
ZOTERO_RIS = (
    """TY  - NEWS
TI  - 河西新城污水处理厂二期投入使用
AU  - 京, 钟雁
T2  - 河西日报
DA  - 2018/03/20/
PY  - 2018
SP  - 2
UR  - https://hexi.example.org/news/2018-03
Y2  - 2026/11/03/
LA  - zh
L1  - files/7/notice.html
"""
    + "ER  - \n\n"
)  # (Zotero ends a record with a space after the dash)


@pytest.mark.parametrize(
    ("name", "text", "sid"),
    [
        ("refs.json", ZOTERO_CSL_JSON, "ABCD1234"),
        ("refs.bib", ZOTERO_BIBTEX, "hexi_green_2018"),
        ("refs.ris", ZOTERO_RIS, "ris-1"),
    ],
)
def test_reference_import_as_zotero_writes_it(tmp_path, capsys, name, text, sid):
    root = copy_fixture(tmp_path / "p")
    export = tmp_path / name
    export.write_text(text, encoding="utf-8")
    assert main(["source", "import", str(export), "--project", str(root)]) == 0, capsys.readouterr()
    source = sources_of(root)[sid]
    if name.endswith(".json"):
        assert source.kind == "journal article" and source.container == "Urban Studies"
        assert [(p.family, p.given) for p in source.authors] == [
            ("Lin", "Xiaohe"),
            ("Smith", "Jane"),
        ]
        assert (source.volume, source.issue, source.pages) == ("57", "3", "112-130")
        assert source.doi == "10.1177/0042098019830925" and source.issued.month == 2
        assert source.accessed.day == 3
    elif name.endswith(".bib"):
        assert source.title.get("en") == "Green development in Hexi New Town & its riverside"
        assert source.kind == "report" and source.number == "HX-2018-07"
        assert source.authors[0].literal == "Hexi New Town Study Group"
        assert (source.authors[1].family, source.authors[1].given) == ("Lin", "Xiaohe")
        assert (source.issued.year, source.issued.month) == (2018, 3)
        assert source.file == "hexi-report.pdf"
        assert source.publisher.get("en") == "Hexi New Town Institute"
    else:
        assert source.kind == "newspaper article" and source.language == "zh"
        assert source.title.get("zh") == "河西新城污水处理厂二期投入使用"
        assert (source.authors[0].family, source.authors[0].given) == ("京", "钟雁")
        assert source.container == "河西日报" and source.file == "notice.html"
        assert source.issued.day == 20 and source.accessed.year == 2026


def test_a_broken_export_is_an_error_and_changes_nothing(tmp_path, capsys):
    root = copy_fixture(tmp_path / "p")
    export = tmp_path / "refs.bib"
    export.write_text("this is not BibTeX", encoding="utf-8")
    before = (root / "facts" / "sources.yaml").read_text(encoding="utf-8")
    assert main(["source", "import", str(export), "--project", str(root)]) == 1
    assert "no BibTeX entries" in capsys.readouterr().err
    assert (root / "facts" / "sources.yaml").read_text(encoding="utf-8") == before


# -- the example in docs/authoring.md ---------------------------------------------------------
DOC = Path(__file__).resolve().parent.parent / "docs" / "authoring.md"
MARK = "<!-- run by: tests/test_originals.py -->"


def sh_blocks() -> list[str]:
    """The blocks of docs/authoring.md this file runs (marked ``run by`` it)."""
    text = DOC.read_text(encoding="utf-8")
    return re.findall(re.escape(MARK) + r"\n```sh\n(.*?)\n```", text, re.S)


def test_the_documented_example_runs_on_the_fixture(tmp_path):
    """The blocks run in order in a copy of the fixture (its source folder is sources/):
    both documents added, both quotes proven by check."""
    import os
    import subprocess
    import sys

    root = copy_fixture(tmp_path / "p")
    repo = Path(__file__).resolve().parent.parent
    shutil.copy2(repo / "build.py", root / "build.py")
    (root / "policybrief").symlink_to(repo / "policybrief", target_is_directory=True)
    blocks = sh_blocks()
    assert len(blocks) == 2
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for body in blocks:
        done = subprocess.run(
            ["sh", "-e", "-c", body], cwd=root, capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    entries = sources_of(root)
    assert entries["hexi-annual-2018"].sha256 and entries["hexi-notice"].url
    project, _ = load_project(root)
    assert project.facts.pages["hexi.firms.2018"] == ("2",)
    # the navigation's words are not the page's
    text = (root / "facts" / "hexi-2018.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "2018年3月，污水处理厂二期投入使用，新增工作人员120人", "热点：新城人口达到42万人"
    )
    text = text.replace(
        'quote: "2018年底，新城入驻企业达到350家"', 'quote: "2018年底，新城入驻企业达到360家"'
    )
    (root / "facts" / "hexi-2018.yaml").write_text(text, encoding="utf-8")
    project, _ = load_project(root)
    found = [str(p) for p in check(project) if "not found in" in p.message]
    assert found == [
        "facts/hexi-2018.yaml:2: fact 'hexi.firms.2018': quote not found in annual-2018.pdf "
        "(copy the quote from the source character for character)",
        "facts/hexi-2018.yaml:13: fact 'hexi.sewage.staff': quote not found in notice.html "
        "(copy the quote from the source character for character)",
    ]
