"""How the engine finds a saved web page's own text (load/originals.main_text: the HTML
parser it already has, and a rule that drops nav/header/footer/aside, scripts and the ARIA
navigation roles), against trafilatura and readability-lxml, on pages shaped like those an
analyst saves: a government notice (semantic HTML5), a news article with related links in
an aside, a table of figures, an old page laid out with <div class="..."> and no semantic
elements, and a one-sentence notice.

For each page: how many of its own sentences each extractor keeps (all must be, or a quote
from them cannot be proven) and how many navigation, banner and footer lines it lets
through (none should, or a quote from them would pass).

    python3 benchmarks/web_main_text.py

trafilatura and readability-lxml are not dependencies: install them to measure them
(`pip install trafilatura==2.0.0 readability-lxml==0.8.4.1`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

NAV = [
    "网站首页 新闻中心 政务公开 办事服务",
    "版权所有 河西新城管委会 备案号12345",
    "热点：新城人口达到42万人",
]
NAV_EN = [
    "Home | News | About us | Contact",
    "Related: Hexi wins award for its parks",
    "© 2018 Hexi Daily",
]


def page(body: str, nav: list[str], semantic: bool, lang: str = "zh") -> str:
    if semantic:
        chrome = f"<header>{nav[0]}</header><nav><a href='/'>{nav[2]}</a></nav>"
        return (
            f"<html lang='{lang}'><head><title>t</title></head><body>{chrome}"
            f"<main><article>{body}</article><aside>{nav[2]}</aside></main>"
            f"<footer>{nav[1]}</footer></body></html>"
        )
    return (
        f"<html lang='{lang}'><head><title>t</title></head><body>"
        f"<div class='topnav'>{nav[0]}</div><div class='sidebar'>{nav[2]}</div>"
        f"<div class='content'>{body}</div><div class='footer'>{nav[1]}</div></body></html>"
    )


ZH_BODY = [
    "2018年3月，污水处理厂二期正式投入使用，日处理能力增加到每天6万吨。",
    "管委会表示，预计到2020年，处理厂将覆盖全部街区。",
    "二期工程总投资2.4亿元，其中省级补助资金8000万元。",
]
EN_BODY = [
    "The second line of the Hexi waste-water plant opened in March 2018.",
    "It treats 60,000 tonnes a day, the town's administration said on Tuesday.",
    "The line cost CNY 240 million, of which the province paid CNY 80 million.",
]
TABLE = (
    "<p>2017年各街区绿地率如下。</p><table><tr><th>街区</th><th>绿地率</th></tr>"
    "<tr><td>滨河街区</td><td>42%</td></tr><tr><td>北城街区</td><td>37%</td></tr></table>"
)

PAGES = {
    "zh notice (HTML5)": (page("".join(f"<p>{s}</p>" for s in ZH_BODY), NAV, True), ZH_BODY, NAV),
    "en news + aside": (
        page("".join(f"<p>{s}</p>" for s in EN_BODY), NAV_EN, True, "en"),
        EN_BODY,
        NAV_EN,
    ),
    "zh table of figures": (
        page(TABLE, NAV, True),
        ["2017年各街区绿地率如下。", "滨河街区42%", "北城街区37%"],
        NAV,
    ),
    "zh div layout": (
        page("".join(f"<p>{s}</p>" for s in ZH_BODY), NAV, False),
        ZH_BODY,
        NAV,
    ),
    "zh one-sentence notice": (page(f"<p>{ZH_BODY[0]}</p>", NAV, True), ZH_BODY[:1], NAV),
}


def ours(html: str) -> str:
    from policybrief.load.originals import main_text

    return main_text(html)


def trafilatura_text(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_tables=True) or ""


def readability_text(html: str) -> str:
    from readability import Document

    return re.sub(r"<[^>]+>", " ", Document(html).summary())


def main() -> None:
    from policybrief.load.originals import Extracted, ProofText

    extractors = {"policybrief rule": ours, "trafilatura": trafilatura_text}
    extractors["readability-lxml"] = readability_text
    print("| page | extractor | own sentences kept | navigation lines let through |")
    print("|---|---|---|---|")
    for name, (html, own, nav) in PAGES.items():
        for label, extract in extractors.items():
            try:
                text = extract(html)
            except ImportError:
                print(f"| {name} | {label} | (not installed) | |")
                continue
            proof = ProofText.of(Extracted("html", (text,), ("",)))
            kept = sum(proof.find(s) is not None for s in own)
            leaked = sum(proof.find(s) is not None for s in nav)
            print(f"| {name} | {label} | {kept}/{len(own)} | {leaked}/{len(nav)} |")


if __name__ == "__main__":
    main()
