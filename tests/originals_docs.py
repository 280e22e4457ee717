"""Original documents made for the tests and the extraction benchmark: PDFs typeset by
WeasyPrint (a page per item of ``pages``, a running head on each, one word hyphenated at a
line end), a saved web page with navigation around its article, and a PDF page that is
only a picture of text (a scan, without a text layer).

Run as a script, it writes them into a folder: ``python3 tests/originals_docs.py DIR``.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

PAGE_CSS = """
@page { size: A5; margin: 2cm 1.5cm; @top-center { content: "%s"; font-size: 8pt }
        @bottom-center { content: counter(page); font-size: 8pt } }
body { font-family: %s; font-size: 11pt; line-height: 1.5 }
section { break-after: page }
section:last-child { break-after: auto }
.narrow { width: 6.2em; hyphens: manual }
"""

EN_PAGES = [
    "Hexi New Town: a study of its green development. This report gathers what the town "
    "planned and what it built between 2015 and 2018.",
    "In 2017 the town planted 1,250 hectares of new forest along the river. The "
    "programme was paid for by the provincial government and by the town itself.",
    "The waste-water plant treated 86.5 percent of the town's sewage in 2018, against "
    "61 percent two years before. The plant's second line opened in March 2018, and the "
    "town expects it to serve every district by 2020.",
]
EN_HYPHENATED = "environmentally"  # typeset in a narrow box with a soft hyphen inside

ZH_PAGES = [
    "河西新城绿色发展报告。本报告记录新城在2015年至2018年间的规划与建设。",
    "2017年，新城沿河新造林1250公顷，资金由省财政和新城共同承担。",
    "2018年，污水处理厂处理了全城86.5%的生活污水，两年前这一比例为61%。"
    "处理厂二期于2018年3月投入使用，预计到2020年覆盖全部街区。",
]


def _page_html(pages: list[str], lang: str, head: str, narrow: str = "") -> str:
    font = "'Noto Serif CJK SC', serif" if lang.startswith("zh") else "'DejaVu Serif', serif"
    sections = "".join(f"<section><p>{html.escape(p)}</p></section>" for p in pages)
    if narrow:
        sections = sections.replace(
            "</section>", f'<p class="narrow">The plan is {narrow}.</p></section>', 1
        )
    css = PAGE_CSS % (head, font)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(head)}</title><style>{css}</style></head>"
        f"<body>{sections}</body></html>"
    )


def make_pdf(
    path: Path, pages: list[str], lang: str = "en", head: str = "Study report", **meta: str
) -> Path:
    """A PDF of ``pages`` (one section per page) with a running head and page numbers;
    ``meta`` goes into its document information (title, author, created: an ISO date)."""
    from weasyprint import HTML

    hyphenated = EN_HYPHENATED.replace("environ", "environ\u00ad") if lang == "en" else ""
    source = _page_html(pages, lang, head, hyphenated)
    if meta:
        tags = "".join(
            f'<meta name="{k if k != "created" else "dcterms.created"}" content="{html.escape(v)}">'
            for k, v in meta.items()
            if k != "title"
        )
        source = source.replace("</head>", tags + "</head>")
        if "title" in meta:
            source = source.replace(f"<title>{html.escape(head)}</title>", "")
            source = source.replace("<head>", f"<head><title>{html.escape(meta['title'])}</title>")
    HTML(string=source).write_pdf(path)
    return path


def make_scan(path: Path) -> Path:
    """A one-page PDF holding only a picture of a sentence: no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 300), "white")
    ImageDraw.Draw(image).text((40, 120), "In 2017 the town planted 1,250 hectares.", fill="black")
    image.save(path, "PDF", resolution=100.0)
    return path


WEB_PAGE = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>河西新城污水处理厂二期投入使用</title>
<meta name="author" content="河西新城管委会"><meta property="article:published_time"
content="2018-03-20"><script>var tracker = "2018年访问量12万次";</script>
<style>nav { color: gray }</style></head>
<body>
<header><a href="/">河西新城门户网站</a> 今日访问量35000次</header>
<nav role="navigation"><ul><li><a href="/news">新闻中心</a></li>
<li><a href="/hot">热点：2018年新城人口达到42万人</a></li></ul></nav>
<main><article><h1>河西新城污水处理厂二期投入使用</h1>
<p>2018年3月，污水处理厂二期正式投入使用，
日处理能力增加到每天6万吨。</p>
<p>管委会表示，预计到2020年，处理厂将覆盖全部街区。</p>
</article>
<aside>相关阅读：2016年新城绿化覆盖率达到38%</aside></main>
<div role="navigation">上一篇：2017年新城新造林1250公顷</div>
<footer>版权所有 2018 河西新城管委会</footer>
</body></html>
"""


def make_web_page(path: Path) -> Path:
    path.write_text(WEB_PAGE, encoding="utf-8")
    return path


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    make_pdf(out / "hexi-en.pdf", EN_PAGES, "en", "Hexi New Town study")
    make_pdf(out / "hexi-zh.pdf", ZH_PAGES, "zh", "河西新城研究报告")
    make_scan(out / "scan.pdf")
    make_web_page(out / "notice.html")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
