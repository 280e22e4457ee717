"""Which PDF text extractor the engine uses for sources kept as original PDFs
(load/originals.py): poppler's pdftotext, pypdfium2, pdfplumber and pypdf, each measured on

- two PDFs typeset by WeasyPrint for this benchmark, one in Chinese and one in English
  (12 pages each, 8 sentences a page, justified, the English hyphenated automatically,
  a running head and a folio on every page): accuracy is the share of the 96 sentences
  that the engine's proving (load/originals.ProofText) finds, and on the right page;
- any real PDFs named on the command line (e.g. Debian's manuals in /usr/share/doc):
  time and memory only, since no one wrote down their text.

Time per page is the median of three runs over the whole document, in a fresh process;
memory is that process's peak resident set (ru_maxrss), so a Python library's figure
includes the interpreter (the "python baseline" row).

    python3 benchmarks/pdf_extractors.py [--keep DIR] [real.pdf ...]

pypdfium2 and pdfplumber are not dependencies of the engine: install them to measure them
(`pip install pypdfium2==5.15.2 pdfplumber==0.11.11`); a missing one is reported as such.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

PAGES, PER_PAGE = 12, 8
DISTRICTS = ["Hexi", "Qiaotou", "Nanwan", "Beishan", "Dongpo", "Xiling", "Yunqi", "Lantang"]
DISTRICTS_ZH = ["河西", "桥头", "南湾", "北山", "东坡", "西岭", "云栖", "蓝塘"]
ENDS = [
    "which fulfilled the administration's environmental programme",
    "as the municipal statistics bureau reported in its communiqué",
    "after two years of slower, though steady, growth",
    "the highest figure since the district was established",
    "according to the household registration authorities",
]
ENDS_ZH = [
    "完成年度计划",
    "据市统计局公报",
    "增速连续两年放缓后回升",
    "为建区以来最高",
    "据户籍管理部门统计",
]

# Each extractor as a child process: prints a JSON list of page texts.
CHILD = {
    "pdftotext": None,
    "pypdfium2": (
        "import sys,json,pypdfium2 as p\n"
        "d=p.PdfDocument(sys.argv[1])\n"
        "print(json.dumps([d[i].get_textpage().get_text_range() for i in range(len(d))]))"
    ),
    "pdfplumber": (
        "import sys,json,pdfplumber\n"
        "with pdfplumber.open(sys.argv[1]) as d:\n"
        " print(json.dumps([pg.extract_text() or '' for pg in d.pages]))"
    ),
    "pypdf": (
        "import sys,json\nfrom pypdf import PdfReader\n"
        "print(json.dumps([pg.extract_text() or '' for pg in PdfReader(sys.argv[1]).pages]))"
    ),
    "python baseline": "import sys,json\nprint(json.dumps([]))",
}
MEASURE = (
    "import resource,subprocess,sys,time\n"
    "t=time.perf_counter();r=subprocess.run(sys.argv[1:],capture_output=True)\n"
    "e=time.perf_counter()-t\n"
    "sys.stderr.write(f'{e} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
    "sys.stdout.buffer.write(r.stdout)\n"
)


def sentences(lang: str) -> list[list[str]]:
    pages = []
    for page in range(PAGES):
        said = []
        for k in range(PER_PAGE):
            n = page * PER_PAGE + k
            year, count = 2010 + n % 12, 1200 + 37 * n
            share = f"{3 + n % 9}.{n % 10}"
            if lang == "zh":
                name, end = DISTRICTS_ZH[n % 7], ENDS_ZH[n % 5]
                said.append(f"{year}年，{name}区新增城镇住户{count}户，同比增长{share}%，{end}。")
            else:
                name, end = DISTRICTS[n % 7], ENDS[n % 5]
                said.append(
                    f"In {year} the {name} district registered {count:,} new urban "
                    f"households, an increase of {share} percent on the preceding year, {end}."
                )
        pages.append(said)
    return pages


def make(folder: Path, lang: str) -> tuple[Path, list[list[str]]]:
    from weasyprint import HTML

    truth = sentences(lang)
    font = "'Noto Serif CJK SC'" if lang == "zh" else "'DejaVu Serif'"
    css = (
        "@page{size:A4;margin:2cm;@top-center{content:'Statistical communiqué';font-size:8pt}"
        "@bottom-center{content:counter(page)}}"
        f"body{{font-family:{font},serif;font-size:11pt;text-align:justify;hyphens:auto}}"
        "section{break-after:page}section:last-child{break-after:auto}"
    )
    body = "".join(f"<section><p>{' '.join(p)}</p></section>" for p in truth)
    html = f'<html lang="{lang}"><head><style>{css}</style></head><body>{body}</body></html>'
    path = folder / f"bench-{lang}.pdf"
    HTML(string=html).write_pdf(path)
    return path, truth


def run(name: str, pdf: Path) -> tuple[list[str], float, int]:
    """(pages, seconds, peak KiB) of one extraction in a fresh process."""
    if name == "pdftotext":
        command = ["pdftotext", "-enc", "UTF-8", "-q", str(pdf), "-"]
    else:
        command = [sys.executable, "-c", CHILD[name], str(pdf)]
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, check=True
    )
    seconds, peak = done.stderr.decode().split()[-2:]
    out = done.stdout.decode("utf-8", errors="replace")
    if name == "pdftotext":
        pages = out.split("\f")[:-1]
    else:
        pages = json.loads(out) if out.strip().startswith("[") else []
    return pages, float(seconds), int(peak)


def accuracy(pages: list[str], truth: list[list[str]]) -> tuple[int, int, int]:
    from policybrief.load.originals import Extracted, ProofText

    labels = tuple(str(n) for n in range(1, len(pages) + 1))
    text = ProofText.of(Extracted("pdf", tuple(pages), labels))
    found = right = 0
    for number, said in enumerate(truth, 1):
        for sentence in said:
            where = text.find(sentence)
            found += where is not None
            right += where == (str(number),)
    return found, right, sum(map(len, truth))


def available(name: str) -> bool:
    if CHILD[name] is None:
        return True
    module = CHILD[name].split("import ")[1].split()[0].split(",")[-1].split(".")[0]
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


def measure(name: str, pdf: Path) -> tuple[list[str], float, int]:
    runs = [run(name, pdf) for _ in range(3)]
    return runs[0][0], statistics.median(r[1] for r in runs), max(r[2] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("real", nargs="*", type=Path, help="real PDFs: time and memory only")
    ap.add_argument("--keep", type=Path, help="write the generated PDFs here")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    made = [make(folder, lang) for lang in ("zh", "en")]
    print("| extractor | PDF | pages | found | on the right page | ms/page | peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for name in CHILD:
        if not available(name):
            print(f"| {name} | (not installed) |||||")
            continue
        if name == "python baseline":
            _pages, seconds, peak = measure(name, made[0][0])
            print(f"| {name} | (none) | | | | {seconds * 1000:.0f} total | {peak / 1024:.1f} |")
            continue
        for pdf, truth in made:
            pages, seconds, peak = measure(name, pdf)
            found, right, total = accuracy(pages, truth)
            per_page = seconds * 1000 / max(1, len(pages))
            print(
                f"| {name} | {pdf.name} | {len(pages)} | {found}/{total} | {right}/{total} "
                f"| {per_page:.1f} | {peak / 1024:.1f} |"
            )
        for pdf in args.real:
            pages, seconds, peak = measure(name, pdf)
            per_page = seconds * 1000 / max(1, len(pages))
            print(f"| {name} | {pdf} | {len(pages)} | | | {per_page:.1f} | {peak / 1024:.1f} |")


if __name__ == "__main__":
    main()
