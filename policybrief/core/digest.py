"""Digests: the one hash every cache key is made with, and the engine's own fingerprint
(its code, its CSL styles and the versions of the libraries that shape its output), which
is part of every key."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the policybrief package folder
LIBRARIES = (
    "weasyprint",
    "jinja2",
    "babel",
    "markdown",
    "pyyaml",
    "pydyf",
    "tinycss2",
    "pillow",  # reads images in prose; WeasyPrint re-encodes them with it
    "citeproc-py",
)


def digest(*parts: object) -> str:
    """SHA-256 of ``parts`` in order: bytes as they are, anything else by its ``repr``."""
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        sha.update(b"\0")
    return sha.hexdigest()


@cache
def engine_digest() -> str:
    """The engine's own code and the versions of the libraries that shape its output."""
    from importlib import metadata

    # the code, and the CSL styles it formats references with (policybrief/csl/)
    files = sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.csl")])
    sources = [(p.relative_to(PACKAGE).as_posix(), p.read_bytes()) for p in files]
    versions: list[tuple[str, str | None]] = []
    for name in LIBRARIES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, None))
    return digest(sources, versions)
