"""Load stage, the office and its printer: ``[tool.policybrief.office]`` and
``[tool.policybrief.print]`` in pyproject.toml.

``office`` is what a press release and the print edition's back cover say about the
office behind the briefs: its name, a paragraph "about the office" in each language, and
the press office's contact (an e-mail address, a telephone number, a web address). Every
key may be left out; a page shows a slot only when it is set, so nothing is invented.

``print`` is what the print shop needs: ``pages`` (the page count is padded to a multiple
of 2, or of 4 for a saddle-stitched booklet), ``profile`` (the printer's CMYK ICC profile,
a file in the project; default Ghostscript's SWOP profile) and ``colophon`` (true: the back
cover says when and with what the edition was printed).
"""

from __future__ import annotations

import re
from pathlib import Path

from policybrief.core.errors import Problem, did_you_mean
from policybrief.core.model import Office, Printing, Text

OFFICE_KEYS = ("name", "about", "email", "phone", "web")
PRINT_KEYS = ("pages", "profile", "colophon")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{4,30}")
_WEB = re.compile(r"https://[^\s<>\"]+")
_CHECKS = {
    "email": (_EMAIL, 'an e-mail address, e.g. "press@example.org"'),
    "phone": (_PHONE, 'a telephone number, e.g. "+86 10 1234 5678"'),
    "web": (_WEB, 'an https:// address, e.g. "https://example.org/press"'),
}


def _unknown(table: dict, keys: tuple[str, ...], name: str, line: int) -> list[Problem]:
    return [
        Problem(
            "pyproject.toml",
            line,
            f"[tool.policybrief.{name}]: unknown key {key!r}",
            did_you_mean(key, keys, "known: " + ", ".join(keys)),
        )
        for key in table
        if key not in keys
    ]


def _text(value: object, key: str, langs: tuple[str, ...], line: int) -> Text | Problem:
    if isinstance(value, str) and value.strip():
        return Text(tuple((lang, value.strip()) for lang in langs))
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items())
    ):
        return Text(tuple((k, v.strip()) for k, v in value.items()))
    return Problem(
        "pyproject.toml",
        line,
        f"[tool.policybrief.office]: {key} must be a text in each language, not {value!r}",
        f'write {key} = {{zh = "…", en = "…"}}',
    )


def office(value: object, line: int, langs: tuple[str, ...]) -> tuple[Office, list[Problem]]:
    """``[tool.policybrief.office]``, checked; ``line``: the table's line."""
    if value is None:
        return Office(), []
    if not isinstance(value, dict):
        hint = 'write [tool.policybrief.office] with email = "press@example.org", …'
        return Office(), [Problem("pyproject.toml", line, "office must be a table", hint)]
    problems = _unknown(value, OFFICE_KEYS, "office", line)
    texts: dict[str, Text | None] = {}
    for key in ("name", "about"):
        made = _text(value[key], key, langs, line) if key in value else None
        texts[key] = made if not isinstance(made, Problem) else None
        problems += [made] if isinstance(made, Problem) else []
    contact = {}
    for key, (pattern, example) in _CHECKS.items():
        given = value.get(key, "")
        if given and not (isinstance(given, str) and pattern.fullmatch(given)):
            problems.append(
                Problem(
                    "pyproject.toml",
                    line,
                    f"[tool.policybrief.office]: {key} is not {example.split(',')[0]}: {given!r}",
                    f"write {key} = {example.split('e.g. ')[1]}",
                )
            )
        elif given:
            contact[key] = given
    return Office(texts["name"], texts["about"], **contact), problems


def printing(value: object, line: int, root: Path) -> tuple[Printing, list[Problem]]:
    """``[tool.policybrief.print]``, checked; a profile is a file inside the project."""
    if value is None:
        return Printing(), []
    if not isinstance(value, dict):
        hint = "write [tool.policybrief.print] with pages = 4"
        return Printing(), [Problem("pyproject.toml", line, "print must be a table", hint)]
    problems = _unknown(value, PRINT_KEYS, "print", line)
    pages = value.get("pages", 2)
    if pages not in (2, 4) or isinstance(pages, bool):
        problems.append(
            Problem(
                "pyproject.toml",
                line,
                f"[tool.policybrief.print]: pages must be 2 or 4, not {pages!r}",
                "pages = 4 pads the print edition to a multiple of four (a booklet)",
            )
        )
        pages = 2
    colophon = value.get("colophon", False)
    if not isinstance(colophon, bool):
        problems.append(
            Problem(
                "pyproject.toml",
                line,
                f"[tool.policybrief.print]: colophon must be true or false, not {colophon!r}",
            )
        )
        colophon = False
    profile = None
    if "profile" in value:
        given = value["profile"]
        path = (root / given).resolve() if isinstance(given, str) and given else None
        if path is None or not path.is_relative_to(root.resolve()) or not path.is_file():
            problems.append(
                Problem(
                    "pyproject.toml",
                    line,
                    f"[tool.policybrief.print]: profile {given!r} is not a file in the project",
                    'name the printer\'s CMYK ICC profile, e.g. profile = "print/coated.icc"',
                )
            )
        else:
            profile = path
    return Printing(pages=pages, colophon=colophon, profile=profile), problems
