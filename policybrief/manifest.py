"""The no-op fast path: if no input file has changed since the last successful build with
the same options into the same folder, the build has nothing to do.

"Changed" is judged by each file's size and modification time (as make does), over the
project's facts, briefs, template folders, source texts, settings and the engine's own
code, plus the font caches and ``SOURCE_DATE_EPOCH``; every output of that build must still
be there with its size. This module is imported before anything heavy, so a no-op build
costs a directory scan, not a load and check. Any doubt (no manifest, a changed file)
falls through to the full build, which has its own per-output cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

MANIFEST = ".policybrief-manifest.json"
ENGINE = Path(__file__).resolve().parent
FONT_CACHES = ("/var/cache/fontconfig", "~/.cache/fontconfig")


def _walk(folder: Path, entries: list) -> None:
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.startswith(".") or entry.name == "__pycache__":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    _walk(Path(entry.path), entries)
                elif entry.is_file():
                    stat = entry.stat()
                    entries.append((entry.path, stat.st_size, stat.st_mtime_ns))
    except OSError:
        entries.append((str(folder), -1, -1))


def inputs_digest(root: Path, folders: list[Path]) -> str:
    """Size and modification time of every file the build reads: facts, briefs (with their
    own template folders), ``folders`` (templates and source texts) and the engine."""
    entries: list = []
    for folder in (root / "facts", root / "briefs", *folders, ENGINE):
        _walk(folder, entries)
    for cache_dir in FONT_CACHES:
        _walk(Path(cache_dir).expanduser(), entries)
    for path in (root / "pyproject.toml",):
        try:
            stat = path.stat()
            entries.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            entries.append((str(path), -1, -1))
    entries.append(("SOURCE_DATE_EPOCH", os.environ.get("SOURCE_DATE_EPOCH", ""), 0))
    return hashlib.sha256(repr(sorted(entries)).encode("utf-8")).hexdigest()


def _load(out: Path) -> dict:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def unchanged(out: Path, key: str, digest: str) -> dict | None:
    """The last build report for these options if nothing changed since; else None."""
    entry = _load(out).get(key)
    if not entry or entry.get("inputs") != digest:
        return None
    report = entry.get("report", {})
    for item in report.get("written", []):
        try:
            if (out / item["path"]).stat().st_size != item["size"]:
                return None
        except OSError:
            return None
    return report


def record(out: Path, key: str, digest: str, report: dict) -> bytes:
    """The manifest's new contents (written by the caller, atomically)."""
    manifest = _load(out)
    manifest[key] = {"inputs": digest, "report": report}
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def key_and_digest(
    root: Path, selection: dict, templates: tuple[Path, ...], sources: tuple[Path, ...]
) -> tuple[str, str]:
    """The manifest key for these options and the digest of the inputs they read (the same
    folders the build reads: config.py resolves both)."""
    from .config import quiet_settings, source_folders, template_folders

    config = quiet_settings(root)
    dirs = [*template_folders(root, templates, config), root / "templates"]
    dirs += source_folders(root, sources, config)
    key = repr(sorted((k, repr(v)) for k, v in selection.items()))
    return key, inputs_digest(root, dirs)
