"""Whether OCR could stand in for a scanned PDF's missing text layer: Debian's tesseract
(with tesseract-ocr-chi-sim for Chinese) on the pages of the benchmark PDFs of
benchmarks/pdf_extractors.py rendered as pictures (pdftoppm, grey, at a scanner's
resolution), each sentence looked for by the engine's proving (load/originals.ProofText).

A sentence counts only when found whole, digits and all: a quote is proven character for
character, so an OCR text with one digit wrong is as good as none for it.

    python3 benchmarks/ocr_scans.py [--dpi 300]

Needs `apt-get install tesseract-ocr tesseract-ocr-chi-sim` (not installed by
scripts/setup.sh: the engine does not run OCR).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    from pdf_extractors import make

    from policybrief.load.originals import Extracted, ProofText

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dpi", type=int, default=300)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    print("| PDF | tesseract languages | dpi | sentences found whole | s/page |")
    print("|---|---|---|---|---|")
    for lang, ocr in (("zh", "chi_sim"), ("en", "eng")):
        pdf, truth = make(folder, lang)
        subprocess.run(
            ["pdftoppm", "-r", str(args.dpi), "-gray", "-png", str(pdf), str(folder / lang)],
            check=True,
        )
        pages, seconds = [], 0.0
        for image in sorted(folder.glob(f"{lang}-*.png")):
            start = time.perf_counter()
            done = subprocess.run(
                ["tesseract", str(image), "-", "-l", ocr], capture_output=True, check=True
            )
            seconds += time.perf_counter() - start
            pages.append(done.stdout.decode("utf-8", errors="replace"))
        labels = tuple(str(n) for n in range(1, len(pages) + 1))
        text = ProofText.of(Extracted("pdf", tuple(pages), labels))
        found = sum(text.find(s) == (str(n),) for n, said in enumerate(truth, 1) for s in said)
        total = sum(map(len, truth))
        print(
            f"| {pdf.name} | {ocr} | {args.dpi} | {found}/{total} | "
            f"{seconds / max(1, len(pages)):.1f} |"
        )


if __name__ == "__main__":
    main()
