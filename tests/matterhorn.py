"""The machine-checkable failure conditions of the Matterhorn Protocol (PDF/UA-1) that the
pdfua package (tests/test_pdfua.py) does not check, or checks in a way that misreads
WeasyPrint's tables, read from the PDF's catalog, structure tree and fonts with pikepdf.

:func:`check` gives, for each failure condition below, the problems found (empty: passed)
and :func:`census` what was examined (so that a pass over nothing is visible). Each key is
the condition's Matterhorn index; docs/archive.md lists them and says what is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

import pikepdf

Problems = list[str]

# BCP 47, in short: a primary subtag and optional subtags (zh-Hans, en, zh-Hant-HK).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
HEADING = re.compile(r"^/H([1-6])$")


def elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every structure element, in the tree's reading order (depth first)."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    stack: list[object] = [root.get("/K")]
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue  # a marked-content id, an MCR or OBJR dictionary
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        yield node
        stack.append(node.get("/K"))


def _role(element: pikepdf.Dictionary, roles: dict[str, str]) -> str:
    """The element's standard type, through the role map."""
    kind = str(element.get("/S"))
    for _ in range(len(roles) + 1):
        if kind not in roles:
            break
        kind = roles[kind]
    return kind


def _roles(pdf: pikepdf.Pdf) -> dict[str, str]:
    root = pdf.Root.get("/StructTreeRoot")
    mapping = root.get("/RoleMap") if root is not None else None
    return {str(k): str(v) for k, v in mapping.items()} if mapping is not None else {}


def _xmp(pdf: pikepdf.Pdf) -> str:
    stream = pdf.Root.get("/Metadata")
    return stream.read_bytes().decode("utf-8", "replace") if stream is not None else ""


def tagged(pdf: pikepdf.Pdf) -> Problems:
    """01-005 in part: a structure tree and /MarkInfo /Marked true (whether every piece of
    page content is tagged or an artifact is pdfua's UA-01-003)."""
    problems = []
    if pdf.Root.get("/StructTreeRoot") is None:
        problems.append("no /StructTreeRoot")
    mark = pdf.Root.get("/MarkInfo")
    if mark is None or mark.get("/Marked") is not True:
        problems.append("/MarkInfo /Marked is not true")
    if mark is not None and mark.get("/Suspects") is True:
        problems.append("/MarkInfo /Suspects is true (01-007)")
    return problems


def metadata(pdf: pikepdf.Pdf) -> Problems:
    """06-001, 06-002, 06-003: an XMP stream that claims PDF/UA-1 and holds dc:title."""
    xmp = _xmp(pdf)
    if not xmp:
        return ["no XMP metadata stream (06-001)"]
    problems = []
    if not re.search(r"pdfuaid:part(?:>|=\")\s*1", xmp):
        problems.append("the XMP does not identify PDF/UA-1 (06-002)")
    if not re.search(r"<dc:title>.*?<rdf:li[^>]*>\s*\S", xmp, re.S):
        problems.append("the XMP holds no dc:title (06-003)")
    return problems


def title_shown(pdf: pikepdf.Pdf) -> Problems:
    """07-001, 07-002: the viewer shows the document's title, not its file name."""
    prefs = pdf.Root.get("/ViewerPreferences")
    if prefs is None or "/DisplayDocTitle" not in prefs:
        return ["no /ViewerPreferences /DisplayDocTitle (07-001)"]
    return [] if prefs.get("/DisplayDocTitle") is True else ["/DisplayDocTitle is false (07-002)"]


def language(pdf: pikepdf.Pdf) -> Problems:
    """11-006 and checkpoint 11: the catalog's /Lang, a well-formed language tag (the one
    from which every piece of text without its own /Lang takes its language)."""
    lang = pdf.Root.get("/Lang")
    if lang is None or not str(lang).strip():
        return ["the catalog has no /Lang"]
    return [] if LANGUAGE_TAG.match(str(lang)) else [f"/Lang {str(lang)!r} is not a language tag"]


def figures(pdf: pikepdf.Pdf) -> Problems:
    """13-004: every Figure has alternative text (/Alt, or /ActualText)."""
    roles = _roles(pdf)
    return [
        f"a Figure (#{n}) has no /Alt"
        for n, e in enumerate((e for e in elements(pdf) if _role(e, roles) == "/Figure"), 1)
        if not str(e.get("/Alt", "")).strip() and not str(e.get("/ActualText", "")).strip()
    ]


def headings(pdf: pikepdf.Pdf) -> Problems:
    """14-002, 14-003: numbered headings start at H1 and never skip a level going down."""
    roles = _roles(pdf)
    levels = [int(m.group(1)) for e in elements(pdf) if (m := HEADING.match(_role(e, roles)))]
    problems = []
    if levels and levels[0] != 1:
        problems.append(f"the first heading is H{levels[0]}, not H1 (14-002)")
    problems += [f"H{a} is followed by H{b} (14-003)" for a, b in pairwise(levels) if b > a + 1]
    return problems


def tables(pdf: pikepdf.Pdf) -> Problems:
    """15-003 and checkpoint 15: every table has header cells (TH), and each header reaches
    its data cells, by /Scope on the TH or by the TD's /Headers naming TH /IDs."""
    roles = _roles(pdf)
    problems = []
    for n, table in enumerate((e for e in elements(pdf) if _role(e, roles) == "/Table"), 1):
        cells = [e for e in _subtree(table) if _role(e, roles) in ("/TH", "/TD")]
        heads = [c for c in cells if _role(c, roles) == "/TH"]
        ids = {str(c.get("/ID")) for c in heads if "/ID" in c}
        if not heads:
            problems.append(f"table #{n} has no TH")
            continue
        if all(_attribute(h, "/Scope") is not None for h in heads):
            continue
        for cell in (c for c in cells if _role(c, roles) == "/TD"):
            named = _attribute(cell, "/Headers")
            if named is None or not {str(i) for i in named} <= ids or not len(named):
                problems.append(f"table #{n}: a TD names no TH by /Headers, and no TH has /Scope")
                break
    return problems


def _subtree(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    stack: list[object] = [element.get("/K")]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
            stack.append(node.get("/K"))


def _attribute(element: pikepdf.Dictionary, key: str) -> object:
    """An attribute of the Table owner, from the element's /A (a dictionary or an array)."""
    owners = element.get("/A")
    if owners is None:
        return None
    for owner in owners if isinstance(owners, pikepdf.Array) else [owners]:
        if isinstance(owner, pikepdf.Dictionary) and key in owner:
            return owner[key]
    return None


def fonts(pdf: pikepdf.Pdf) -> Problems:
    """31-009: every font used on a page has its font program embedded (Type 3 fonts are
    their own glyph procedures)."""
    problems = []
    for name, font in _fonts(pdf).items():
        if font.get("/Subtype") == "/Type3":
            continue
        described = font["/DescendantFonts"][0] if "/DescendantFonts" in font else font
        descriptor = described.get("/FontDescriptor")
        if descriptor is None or not any(
            k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            problems.append(f"font {name} is not embedded")
    return problems


def _fonts(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Dictionary]:
    """Every font of every page and of the forms it draws, by base font name."""
    found: dict[str, pikepdf.Dictionary] = {}
    stack = [page.obj.get("/Resources") for page in pdf.pages]
    seen: set[tuple[int, int]] = set()
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        for font in (resources.get("/Font") or {}).values():
            found[str(font.get("/BaseFont", font.objgen))] = font
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form":
                stack.append(xobject.get("/Resources"))
    return found


CHECKS: dict[str, Callable[[pikepdf.Pdf], Problems]] = {
    "tagged (01-005, 01-007)": tagged,
    "XMP: PDF/UA id, dc:title (06-001..003)": metadata,
    "title displayed (07-001, 07-002)": title_shown,
    "document language (11)": language,
    "figures have Alt (13-004)": figures,
    "headings nest (14-002, 14-003)": headings,
    "tables have TH, headers reach cells (15-003)": tables,
    "fonts embedded (31-009)": fonts,
}


def check(path: Path) -> dict[str, Problems]:
    """Each check's problems in the PDF at ``path`` (an empty list: it passed)."""
    with pikepdf.open(path) as pdf:
        return {name: run(pdf) for name, run in CHECKS.items()}


def census(path: Path) -> dict[str, int]:
    """How many figures, tables, headings and fonts the checks examined."""
    with pikepdf.open(path) as pdf:
        roles = _roles(pdf)
        kinds = [_role(e, roles) for e in elements(pdf)]
        return {
            "figures": kinds.count("/Figure"),
            "tables": kinds.count("/Table"),
            "headings": sum(1 for k in kinds if HEADING.match(k)),
            "fonts": len(_fonts(pdf)),
        }
