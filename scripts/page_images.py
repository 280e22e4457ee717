"""Before-and-after page images for docs/images/ (issue 24's pages and exhibits).

    python3 scripts/page_images.py BEFORE_DIST AFTER_DIST docs/images

    python3 scripts/page_images.py BEFORE_DIST AFTER_DIST docs/images NAME...

BEFORE_DIST and AFTER_DIST are two builds' output folders (``python3 build.py --out DIR``
on the two commits). Each image is one page at 60 dpi (``pdftoppm -r 60``; 90 dpi for a
Word edition's small note text), cut to the part that shows the change with Pillow. A Word
edition is first drawn as LibreOffice draws it (``soffice --headless --convert-to pdf``).
The pages are listed in ``SHOTS``; NAME... makes only those.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

# name, PDF, page before, page after, (top, bottom) of the page kept, as fractions
SHOTS = (
    ("pages-cover", "yunqi/full-report.zh.pdf", 1, 1, (0.0, 1.0)),
    ("pages-notes", "yunqi/full-report.zh.pdf", 6, 6, (0.0, 1.0)),
    ("pages-running-head", "bri/print-edition.zh.pdf", 5, 5, (0.0, 0.3)),
    ("pages-one-pager", "bri/decision-makers.en.pdf", 1, 1, (0.85, 1.0)),
    ("exhibits-chart-text", "yunqi/full-report.zh.pdf", 5, 5, (0.05, 0.6)),
    ("exhibits-sorted-bars", "bri/full-report.en.pdf", 5, 6, (0.0, 1.0)),
    ("exhibits-table-source", "yunqi/full-report.en.pdf", 5, 5, (0.0, 0.7)),
    ("notes-further", "yunqi/print-edition.en.pdf", 10, 9, (0.0, 1.0)),
    # issue 24, last round: Word's notes, markers and the one-page note's citations
    ("word-notes-zh", "yunqi/full-report.zh.docx", 10, 10, (0.12, 0.36)),
    ("word-notes-en", "yunqi/full-report.en.docx", 13, 13, (0.0, 0.5)),
    ("word-marker-en", "yunqi/full-report.en.docx", 3, 3, (0.2, 0.4)),
    ("notes-one-pager-citations", "bri/decision-makers.en.pdf", 1, 1, (0.68, 0.9)),
    ("exhibits-chart-face-en", "yunqi/full-report.en.pdf", 6, 6, (0.0, 0.6)),
)


def shot(pdf: Path, page: int, keep: tuple[float, float], dest: Path) -> None:
    with tempfile.TemporaryDirectory() as temp:
        stem = Path(temp) / "p"
        dpi = "60"
        if pdf.suffix == ".docx":
            subprocess.run(
                ["soffice", "--headless", "--convert-to", "pdf", "--outdir", temp, str(pdf)],
                check=True,
                capture_output=True,
            )
            pdf, dpi = Path(temp) / f"{pdf.stem}.pdf", "90"
        subprocess.run(
            ["pdftoppm", "-r", dpi, "-png", "-f", str(page), "-l", str(page), "-singlefile"]
            + [str(pdf), str(stem)],
            check=True,
        )
        image = Image.open(f"{stem}.png")
        width, height = image.size
        image.crop((0, int(keep[0] * height), width, int(keep[1] * height))).save(dest)


def main(before: Path, after: Path, out: Path, names: list[str]) -> None:
    for name, pdf, page_before, page_after, keep in SHOTS:
        if names and name not in names:
            continue
        shot(before / pdf, page_before, keep, out / f"{name}-before.png")
        shot(after / pdf, page_after, keep, out / f"{name}-after.png")


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:4]), sys.argv[4:])
