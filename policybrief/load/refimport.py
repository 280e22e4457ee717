"""Load stage for what becomes a new source entry: a reference manager's export (CSL-JSON,
BibTeX, RIS, as Zotero writes them) read into entries of ``facts/sources.yaml``, and a
document's own metadata (a PDF's document information, a web page's ``<title>`` and
``<meta>``) for ``source add``.

An entry is a plain mapping in the shape sources.yaml takes (title and author as
``{language: text}``, authors as ``[{family, given} | {literal}]``, dates as ISO text), with
only the fields the export states; ``cli/sources.py`` writes it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypedDict

# A source entry as sources.yaml holds it: texts, a year or size, {language: text}, people.
EntryValue = str | int | dict[str, str] | list[dict[str, str]]
Entry = dict[str, EntryValue]
Person = dict[str, str]  # {family, given} or {literal}


class Found(TypedDict, total=False):
    """What an export or a document states of one source, before it is an entry."""

    title: str
    authors: list[Person]
    container: str
    publisher: str
    issued: str
    accessed: str
    kind: str
    volume: str
    issue: str
    pages: str
    number: str
    doi: str
    url: str
    file: str


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ID_CHARS = re.compile(r"[^A-Za-z0-9_:.-]+")

CSL_KINDS = {
    "article-journal": "journal article",
    "article-magazine": "magazine article",
    "article-newspaper": "newspaper article",
    "webpage": "web page",
    "post-weblog": "web page",
    "report": "report",
    "legislation": "statute",
    "bill": "statute",
    "dataset": "dataset",
    "book": "book",
    "speech": "speech",
}
BIBTEX_KINDS = {
    "article": "journal article",
    "book": "book",
    "techreport": "report",
    "report": "report",
    "online": "web page",
    "dataset": "dataset",
}
RIS_KINDS = {
    "JOUR": "journal article",
    "MGZN": "magazine article",
    "NEWS": "newspaper article",
    "ELEC": "web page",
    "RPRT": "report",
    "GOVDOC": "government document",
    "STAT": "statute",
    "BILL": "statute",
    "DATA": "dataset",
    "BOOK": "book",
}
MONTHS = {m: n for n, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


class ImportError_(ValueError):
    """An export that cannot be read; the message says where."""


def language_of(text: str, given: str = "") -> str:
    """A source's language: the one its export states (zh-CN → zh), else zh where its text
    is mostly Chinese characters, else en."""
    if given:
        return given.split("-")[0].split("_")[0].lower()
    letters = [ch for ch in text if ch.isalpha()]
    return "zh" if letters and len(CJK.findall(text)) * 3 >= len(letters) else "en"


def source_id(raw: str, taken: set[str]) -> str:
    """An id sources.yaml accepts, made from ``raw`` (a citation key, a file name), not one
    of ``taken``."""
    raw = raw.rstrip("/").rsplit("/", 1)[-1]  # Zotero's CSL-JSON ids are item addresses
    base = ID_CHARS.sub("-", raw).strip("-._:")[:90] or "source"
    if not base[0].isalnum():
        base = "s" + base
    made, n = base, 2
    while made in taken:
        made, n = f"{base}-{n}", n + 1
    taken.add(made)
    return made


def _iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if not 1000 <= year <= 9999:
        return ""
    if month and 1 <= month <= 12:
        return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day and 1 <= day <= 31 else "")
    return f"{year:04d}"


def iso_date(text: str) -> str:
    """2018, 2018-03, 2018/03/20/, 2018-03-20T10:00 as an ISO date (or "")."""
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]]
    return _iso(*parts) if parts else ""


def _name_text(people: list[Person], lang: str) -> str:
    names = [
        p.get("literal")
        or (
            p["family"] + p.get("given", "")
            if lang == "zh"
            else " ".join(x for x in (p.get("given"), p.get("family")) if x)
        )
        for p in people
    ]
    return ("、" if lang == "zh" else ", ").join(n for n in names if n)


def finish(fields: Found, lang_hint: str = "") -> Entry:
    """A source entry from what an export or a document states: title, author and
    publisher in the source's language, empty fields left out."""
    title = fields.get("title", "").strip()
    lang = language_of(title, lang_hint)
    people = fields.get("authors") or []
    entry: Entry = {"file": fields.get("file", "")}
    if title:
        entry["title"] = {lang: title}
    author = _name_text(people, lang) or fields.get("publisher", "")
    if author:
        entry["author"] = {lang: author}
    entry["authors"] = people
    publication = fields.get("container") or fields.get("publisher")
    if publication:
        entry["publication"] = {lang: publication}
    if fields.get("publisher"):
        entry["publisher"] = {lang: fields.get("publisher", "")}
    for key in ("kind", "container", "volume", "issue", "pages", "number", "doi", "url"):
        entry[key] = str(fields.get(key, ""))
    issued = fields.get("issued", "")
    entry.update(issued=issued, year=int(issued[:4]) if issued else 0)
    entry["accessed"] = fields.get("accessed", "")
    entry["language"] = lang
    return {key: value for key, value in entry.items() if value}


# -- CSL-JSON ----------------------------------------------------------------------------------
def _csl_date(value: object) -> str:
    if isinstance(value, dict):
        parts = value.get("date-parts") or [[]]
        if parts and parts[0]:
            try:
                return _iso(*(int(p) for p in parts[0][:3]))
            except (TypeError, ValueError):
                return ""
        return iso_date(str(value.get("raw", "")))
    return ""


def read_csl_json(text: str) -> list[tuple[str, Entry]]:
    try:
        items = json.loads(text)
    except ValueError as error:
        raise ImportError_(f"not CSL-JSON: {error}") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise ImportError_("CSL-JSON holds a list of items")
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        people = [
            {k: str(v) for k, v in p.items() if k in ("family", "given", "literal") and v}
            for p in item.get("author", [])
            if isinstance(p, dict)
        ]
        fields: Found = {
            "title": str(item.get("title", "")),
            "authors": [p for p in people if p.get("family") or p.get("literal")],
            "container": str(item.get("container-title") or ""),
            "publisher": str(item.get("publisher") or ""),
            "issued": _csl_date(item.get("issued")),
            "accessed": _csl_date(item.get("accessed")),
            "kind": CSL_KINDS.get(str(item.get("type", "")), ""),
            "volume": str(item.get("volume") or ""),
            "issue": str(item.get("issue") or ""),
            "pages": str(item.get("page") or ""),
            "number": str(item.get("number") or ""),
            "doi": str(item.get("DOI") or ""),
            "url": str(item.get("URL") or ""),
        }
        found.append((str(item.get("id", "")), finish(fields, str(item.get("language", "")))))
    return found


# -- BibTeX ------------------------------------------------------------------------------------
_LATEX = [
    (r"\&", "&"),
    (r"\%", "%"),
    (r"\_", "_"),
    (r"\$", "$"),
    (r"\#", "#"),
    ("{\\textbackslash}", "\\"),
    ("--", "–"),
]


def _unlatex(value: str) -> str:
    for written, meant in _LATEX:
        value = value.replace(written, meant)
    value = re.sub(r"\\[`'^\"~=.]\{?([A-Za-z])\}?", r"\1", value)  # accents: the letter
    return re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()


def _bib_value(text: str, at: int) -> tuple[str, int]:
    """The value starting at ``at`` ({...}, "..." or a bare word) and where it ends."""
    if text[at] in '{"':
        close, depth, i = "}" if text[at] == "{" else '"', 0, at
        while i < len(text):
            ch = text[i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if (close == "}" and depth == 0) or (
                close == '"' and ch == '"' and i > at and depth == 0
            ):
                return text[at + 1 : i], i + 1
            i += 1
        raise ImportError_("a BibTeX value is not closed")
    match = re.compile(r"[^,}\s]+").match(text, at)
    return (match.group(0), match.end()) if match else ("", at)


def _bib_fields(text: str, at: int) -> tuple[dict[str, str], int]:
    fields: dict[str, str] = {}
    field = re.compile(r"\s*,?\s*([A-Za-z][\w-]*)\s*=\s*")
    while True:
        match = field.match(text, at)
        if not match:
            end = text.find("}", at)
            return fields, (end + 1 if end >= 0 else len(text))
        value, at = _bib_value(text, match.end())
        fields[match.group(1).lower()] = value


def _bib_people(value: str) -> list[Person]:
    people = []
    for name in re.split(r"\s+and\s+", value.strip()):
        if name.startswith("{") and name.endswith("}"):
            people.append({"literal": _unlatex(name)})
        elif "," in name:
            family, given = name.split(",", 1)
            people.append({"family": _unlatex(family), "given": _unlatex(given)})
        elif name.strip():
            people.append({"literal": _unlatex(name)} if CJK.search(name) else _split(name))
    return people


def _split(name: str) -> Person:
    words = _unlatex(name).split()
    return (
        {"family": words[-1], "given": " ".join(words[:-1])}
        if len(words) > 1
        else {"literal": words[0]}
    )


def _bib_file(value: str) -> str:
    """Zotero's ``file = {Full Text:files/3/report.pdf:application/pdf}``: the file name."""
    parts = value.split(";")[0].split(":")
    return Path(parts[1] if len(parts) >= 3 else parts[0]).name if value else ""


def read_bibtex(text: str) -> list[tuple[str, Entry]]:
    found = []
    for match in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        kind = match.group(1).lower()
        if kind in ("comment", "string", "preamble"):
            continue
        fields, _end = _bib_fields(text, match.end())
        f = {k: _unlatex(v) for k, v in fields.items() if k not in ("author", "editor", "file")}
        month = MONTHS.get(f.get("month", "")[:3].lower()) or (
            int(f["month"]) if f.get("month", "").isdigit() else None
        )
        issued = (
            iso_date(f["date"])
            if f.get("date")
            else _iso(int(f["year"]) if f.get("year", "").isdigit() else 0, month)
        )
        entry: Found = {
            "title": f.get("title", ""),
            "authors": _bib_people(fields.get("author", "")),
            "container": f.get("journal") or f.get("journaltitle") or f.get("booktitle", ""),
            "publisher": f.get("publisher") or f.get("institution", ""),
            "issued": issued,
            "accessed": iso_date(f.get("urldate", "")),
            "kind": BIBTEX_KINDS.get(kind, "web page" if kind == "misc" and f.get("url") else ""),
            "volume": f.get("volume", ""),
            "issue": f.get("number", "") if kind == "article" else "",
            "number": f.get("number", "") if kind != "article" else "",
            "pages": f.get("pages", ""),
            "doi": f.get("doi", ""),
            "url": f.get("url", ""),
            "file": _bib_file(fields.get("file", "")),
        }
        found.append((match.group(2), finish(entry, f.get("langid") or f.get("language", ""))))
    if not found:
        raise ImportError_("no BibTeX entries (@type{key, ...}) found")
    return found


# -- RIS ---------------------------------------------------------------------------------------
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def _ris_records(text: str) -> list[dict[str, list[str]]]:
    records: list[dict[str, list[str]]] = []
    record: dict[str, list[str]] = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        match = _RIS_LINE.match(line.lstrip("\ufeff"))
        if not match:
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "ER":
            records.append(record)
            record = {}
        else:
            record.setdefault(tag, []).append(value)
    if not records:
        raise ImportError_("no RIS records (TY  - ... ER  -) found")
    return records


def read_ris(text: str) -> list[tuple[str, Entry]]:
    found = []
    for n, r in enumerate(_ris_records(text), 1):

        def first(*tags: str, record: dict[str, list[str]] = r) -> str:
            return next((record[t][0] for t in tags if record.get(t)), "")

        people = [
            _bib_people("{" + a + "}")[0]
            if "," not in a
            else {"family": a.split(",", 1)[0].strip(), "given": a.split(",", 1)[1].strip()}
            for a in r.get("AU", []) + r.get("A1", [])
        ]
        pages = "–".join(p for p in (first("SP"), first("EP")) if p)
        files = [v for v in r.get("L1", []) + r.get("L4", []) if v]
        entry: Found = {
            "title": first("TI", "T1"),
            "authors": people,
            "container": first("T2", "JO", "JF", "JA"),
            "publisher": first("PB"),
            "issued": iso_date(first("DA", "PY", "Y1")),
            "accessed": iso_date(first("Y2")),
            "kind": RIS_KINDS.get(first("TY"), ""),
            "volume": first("VL"),
            "issue": first("IS"),
            "pages": pages,
            "number": first("M1", "SN") if first("TY") in ("RPRT", "GOVDOC", "STAT") else "",
            "doi": first("DO"),
            "url": first("UR"),
            "file": Path(files[0].removeprefix("file://")).name if files else "",
        }
        found.append((first("ID") or f"ris-{n}", finish(entry, first("LA"))))
    return found


READERS = {".json": read_csl_json, ".bib": read_bibtex, ".ris": read_ris}


def read_references(path: Path) -> list[tuple[str, Entry]]:
    """(suggested id, entry) for each reference of a CSL-JSON, BibTeX or RIS export."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ImportError_(f"{path.name}: not a .json (CSL-JSON), .bib or .ris export")
    return reader(path.read_bytes().decode("utf-8-sig", errors="replace"))


# -- a document's own metadata -----------------------------------------------------------------
def pdf_metadata(path: Path) -> dict[str, str]:
    from pypdf import PdfReader

    try:
        info = PdfReader(str(path)).metadata
    except Exception:  # pypdf raises many kinds for a damaged file
        return {}
    if info is None:
        return {}
    created = info.creation_date if "/CreationDate" in info else None
    return {
        "title": str(info.title or "").strip(),
        "author": str(info.author or "").strip(),
        "issued": created.date().isoformat() if created else "",
    }


def html_metadata(text: str) -> dict[str, str]:
    """A saved page's title, author, date and address (its canonical link, og:url, or the
    ``saved from url`` mark a browser writes)."""

    def meta(*names: str) -> str:
        for name in names:
            pattern = (
                rf"<meta\s[^>]*(?:name|property)=[\"']{re.escape(name)}[\"'][^>]*"
                r"content=[\"']([^\"']*)[\"']"
            )
            found = re.search(pattern, text, re.I)
            if found:
                return found.group(1).strip()
        return ""

    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    canonical = re.search(
        r"<link\s[^>]*rel=[\"']canonical[\"'][^>]*href=[\"']([^\"']+)", text, re.I
    )
    saved = re.search(r"saved from url=\(\d+\)(\S+?)\s*-->", text)
    url = (
        (canonical.group(1) if canonical else "")
        or meta("og:url")
        or (saved.group(1) if saved else "")
    )
    from html import unescape

    return {
        "title": unescape(re.sub(r"\s+", " ", title.group(1)).strip()) if title else "",
        "author": unescape(meta("author", "dc.creator", "article:author")),
        "issued": iso_date(meta("article:published_time", "dcterms.created", "date", "dc.date")),
        "url": url if re.match(r"^https?://", url) else "",
    }
