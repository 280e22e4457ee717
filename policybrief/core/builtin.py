"""Where the engine's built-in templates are (the base layout, the built-in audiences, the
catalogs under ``locales/``, the house theme).

Installed from a wheel they are package data, ``policybrief/templates/``: the wheel build
copies the repository's top-level ``templates/`` there (setup.py). Run from a source
checkout (``build.py``, an editable install) the package has no such folder and the
checkout's ``templates/`` beside it is the one. Every project's template folders layer
over this one, which comes last."""

from __future__ import annotations

from pathlib import Path

from policybrief.core.digest import PACKAGE


def builtin_templates() -> Path:
    """The built-in template folder: inside the package when installed, else the source
    checkout's ``templates/``."""
    inside = PACKAGE / "templates"
    return inside if inside.is_dir() else PACKAGE.parent / "templates"


BUILTIN = builtin_templates()


def folder_name(folder: Path, shown: str) -> str:
    """How a message names a template folder: "the built-in templates" for the engine's,
    else ``shown`` (its path as the project sees it)."""
    return "the built-in templates" if folder.resolve() == BUILTIN.resolve() else shown
