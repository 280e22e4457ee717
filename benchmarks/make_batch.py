#!/usr/bin/env python3
"""Make a throwaway copy of the project whose `members` batch has N synthetic rows.

Used only by the benchmark: the rows' names and team sizes are generated, so the copy
does not verify quotes (no source texts) and must never be published.

    python3 benchmarks/make_batch.py 1000 /tmp/bench-project
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("facts", "briefs", "templates")


def make(rows: int, dest: Path, seed: int = 7) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    for part in PARTS:
        shutil.copytree(ROOT / part, dest / part)
    # No [tool.policybrief] source_texts: the synthetic quotes are not in any source text.
    (dest / "pyproject.toml").write_text("[project]\nname = 'bench'\n", encoding="utf-8")
    rng = random.Random(seed)
    lines = ["rows:"]
    for index in range(1, rows + 1):
        team = rng.choice([3, 5, 8, 10, 12, 20, 35, 60, 150, 400, 2000, 20000])
        lines += [
            f"  - slug: synthetic-{index:05d}",
            f"    name: {{zh: 合成成员{index:05d}, en: Synthetic member {index:05d}}}",
            "    kind: {zh: 用于性能测试的虚构成员, en: a fictitious member made for benchmarks}",
            f"    team: {{value: {team}, quote: 'a team of {team} people', source: jing-yunqi}}",
        ]
    (dest / "briefs/members/rows.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/policybrief-bench")
    print(make(count, target))
