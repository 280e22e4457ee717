"""``policybrief new project DIR``: a standalone project a team starts from, away from this
repository, copied from the engine's ``policybrief/skeleton/`` (package data). It holds
its settings (``[tool.policybrief]`` in a pyproject.toml), one example brief in Chinese
and English whose folder holds its own source text, sources, units and facts, a
``.gitignore`` and a CI workflow (``.github/workflows/brief.yml``) that checks strictly
and builds. The built-in templates come from the installed engine, so the project passes
``check --strict`` and builds HTML, PDF and Word as written.

The example's figures and quotes are from a real document, the Yunqi Town case
(《管理创新案例汇编》, 2016); its source text is an excerpt of that document.
"""

from __future__ import annotations

from pathlib import Path

from policybrief.core.digest import PACKAGE
from policybrief.core.errors import UsageError

SKELETON = PACKAGE / "skeleton"
# Files whose real names start with a dot are stored without it (package data globs, and
# some archive tools, leave dotfiles out).
DOTTED = {"gitignore": ".gitignore", "github": ".github"}


def skeleton_files() -> dict[str, Path]:
    """Each file of a new project by its path inside the project, and where it comes from."""
    files = {}
    for path in sorted(SKELETON.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts = list(path.relative_to(SKELETON).parts)
            parts[0] = DOTTED.get(parts[0], parts[0])
            files["/".join(parts)] = path
    return files


def new_project(folder: Path, requirement: str = "policybrief") -> list[Path]:
    """Write a new project into ``folder`` (missing or empty); return the files written.
    ``requirement`` is what the CI workflow installs (pip's requirement syntax)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} exists and is not an empty folder; nothing was written")
    written = []
    for name, source in skeleton_files().items():
        text = source.read_text(encoding="utf-8")
        if name.endswith(".yml"):
            text = text.replace("{requirement}", requirement)
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
