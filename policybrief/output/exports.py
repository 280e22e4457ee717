"""Each brief's sources for reference managers: CSL-JSON, BibTeX and RIS, written beside
its pages (``dist/<brief>/references.json``, ``.bib``, ``.ris``) from the same CSL-JSON
items the reference styles format (:func:`policybrief.render.references.csl_item`)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policybrief.render.references import CslDate, CslItem, CslPerson


def export_csl_json(items: list[CslItem]) -> bytes:
    return (json.dumps(items, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


BIBTEX_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "book": "book",
    "report": "techreport",
    "dataset": "misc",
    "webpage": "online",
}


def _bibtex_value(value: str) -> str:
    """A BibTeX field value in braces, on one line, TeX's special characters escaped.

    BibTeX counts braces without regard to backslashes (``\\}`` still closes the value), so
    a brace in the text is written as a command holding none: ``\\textbraceright{}``.
    Every brace this writes is balanced, whatever the text holds."""
    value = re.sub(r"([\\{}&%$#_~^])", lambda m: BIBTEX_ESCAPES[str(m.group(1))], value)
    return "{" + _one_line(value) + "}"


BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bibtex_names(names: list[CslPerson]) -> str:
    """``Family, Given and {Organisation}``: an organisation in braces stays one name."""
    shown = []
    for name in names:
        if "literal" in name:
            shown.append(_bibtex_value(name["literal"]))
        else:
            parts = (name["family"], name.get("given", ""))
            shown.append(", ".join(_bibtex_name_part(p) for p in parts if p))
    return "{" + " and ".join(shown) + "}"


def _bibtex_name_part(part: str) -> str:
    """A family or given name; braced when it holds what BibTeX splits names at (the word
    ``and``, a comma), so that it stays one part of one name."""
    value = _bibtex_value(part)
    return value if re.search(r"(?i)\band\b|,", part) else value[1:-1]


def _iso(parts: list[int]) -> str:
    return "-".join([str(parts[0]), *(f"{p:02d}" for p in parts[1:])])


def _parts(date: CslDate | None) -> list[int]:
    return list(date["date-parts"][0]) if date else []


def _texts(item: CslItem) -> dict[str, str]:
    """The item's text fields, by CSL name."""
    return {key: value for key, value in item.items() if isinstance(value, str)}


def export_bibtex(items: list[CslItem]) -> bytes:
    """BibTeX, with biblatex's names where BibTeX has none (date, urldate, langid)."""
    records = []
    for item in items:
        article = item["type"].startswith("article")
        fields: list[tuple[str, str]] = []
        if item.get("author"):
            fields.append(("author", _bibtex_names(item["author"])))
        plain = (
            ("title", "title"),
            ("journal" if article else "howpublished", "container-title"),
            ("institution" if item["type"] == "report" else "publisher", "publisher"),
            ("volume", "volume"),
            ("number", "issue" if article else "number"),
            ("pages", "page"),
            ("doi", "DOI"),
            ("url", "URL"),
            ("langid", "language"),
        )
        texts = _texts(item)
        for field, key in plain:
            if texts.get(key):
                value = texts[key].replace("-", "--") if field == "pages" else texts[key]
                fields.append((field, _bibtex_value(value)))
        issued, accessed = _parts(item.get("issued")), _parts(item.get("accessed"))
        if issued:
            fields += [("year", f"{{{issued[0]}}}"), ("date", f"{{{_iso(issued)}}}")]
        if accessed:
            fields.append(("urldate", f"{{{_iso(accessed)}}}"))
        kind = BIBTEX_TYPES.get(item["type"], "misc")
        body = ",\n".join(f"  {name} = {value}" for name, value in fields)
        records.append(f"@{kind}{{{item['id']},\n{body}\n}}\n")
    return "\n".join(records).encode("utf-8")


RIS_TYPES = {
    "article-journal": "JOUR",
    "article-magazine": "MGZN",
    "article-newspaper": "NEWS",
    "book": "BOOK",
    "report": "RPRT",
    "legislation": "STAT",
    "dataset": "DATA",
    "webpage": "ELEC",
    "speech": "SOUND",
}


def export_ris(items: list[CslItem]) -> bytes:
    """RIS, one record per source, each ending with ``ER  -``."""
    lines: list[str] = []
    for item in items:
        lines.append(f"TY  - {RIS_TYPES.get(item['type'], 'GEN')}")
        lines.append(f"ID  - {_one_line(item['id'])}")
        for name in item.get("author", []):
            shown = name.get("literal") or ", ".join(
                p for p in (name.get("family", ""), name.get("given", "")) if p
            )
            lines.append(f"AU  - {_one_line(shown)}")
        texts = _texts(item)
        for tag, key in (
            ("TI", "title"),
            ("T2", "container-title"),
            ("PB", "publisher"),
            ("VL", "volume"),
            ("IS", "issue"),
            ("M1", "number"),
            ("DO", "DOI"),
            ("UR", "URL"),
            ("LA", "language"),
        ):
            if texts.get(key):
                lines.append(f"{tag}  - {_one_line(texts[key])}")
        lines += _ris_pages_and_dates(item)
        lines.append("ER  - ")
        lines.append("")
    return ("\r\n".join(lines)).encode("utf-8")


def _one_line(value: str) -> str:
    """A value on one line: a line break (``\\n``, ``\\r``, U+2028...) in it would start a
    forged tag in RIS, so every run of white space becomes one space."""
    return " ".join(str(value).split())


def _ris_pages_and_dates(item: CslItem) -> list[str]:
    lines = []
    if item.get("page"):
        first, _, last = item["page"].partition("-")
        lines.append(f"SP  - {first}")
        if last:
            lines.append(f"EP  - {last}")
    issued, accessed = _parts(item.get("issued")), _parts(item.get("accessed"))
    if issued:
        lines.append(f"PY  - {issued[0]}")
        parts = [str(issued[0]), *(f"{p:02d}" for p in issued[1:])]
        lines.append("DA  - " + "/".join(parts + [""] * (4 - len(parts))))
    if accessed:
        lines.append("Y2  - " + _iso(accessed).replace("-", "/"))
    return lines


EXPORTS = {
    "references.json": export_csl_json,
    "references.bib": export_bibtex,
    "references.ris": export_ris,
}
