"""Command line, ``source``: new entries in the sources.

``source add FILE`` records a document (a PDF, a saved web page, a plain text) as a new
source: its SHA-256 and size (``check`` compares them with the file from then on), the date
it was added (as ``accessed``), and the title, author, date and address its own metadata
states; the file is copied into the first source folder unless it is in one already.
``source import FILE`` reads a reference manager's export (CSL-JSON ``.json``, BibTeX
``.bib``, RIS ``.ris``, as Zotero writes them) into one entry per reference.

Entries are appended to ``facts/sources.yaml`` (or, with ``--brief``, to the brief's own
``briefs/<slug>/sources.yaml`` where it has one); comments and order are kept. What the
document does not say (a title in the project's other languages, ``publication``) ``check``
then asks for.
"""

from __future__ import annotations

import argparse
import datetime
import shutil
from pathlib import Path

import yaml

from policybrief.core.errors import InputError
from policybrief.load import originals, refimport
from policybrief.load.config import settings, source_folders
from policybrief.load.refimport import Entry
from policybrief.load.sources import load_sources

USAGE = "build.py source {add,import} FILE [options]"
HELP = """add FILE: record a document (PDF, saved web page, text) as a new source: its SHA-256
and size (check reports the file if it changes), the date added (accessed), and the title,
author, date and address its metadata states; the file is copied into the first source
folder. import FILE: a reference manager's CSL-JSON (.json), BibTeX (.bib) or RIS (.ris)
export, one new source per reference. Entries are appended to facts/sources.yaml."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py source", usage=USAGE, description=HELP)
    p.add_argument("action", choices=("add", "import"))
    p.add_argument("file", type=Path, help="the document (add) or the export (import)")
    p.add_argument("--project", type=Path, help="the project folder (default: here)")
    p.add_argument("--brief", metavar="SLUG", help="write to the brief's own sources file")
    p.add_argument("--id", dest="sid", help="add: the new source's id (default: the file name)")
    p.add_argument("--url", default="", help="add: the address the document was saved from")
    p.add_argument("--accessed", help="add: the date it was saved (default: today)")
    return p


Said = tuple[int, list[str], list[str]]  # exit code, lines for stdout, lines for stderr


def run(argv: list[str], default_root: Path | None = None) -> Said:
    """The command's exit code and what it says (cli/main.py prints it)."""
    args = parser().parse_args(argv)
    root = (args.project or default_root or Path.cwd()).resolve()
    target = _target(root, args.brief)
    problem = _usage_problem(args, root, target)
    if problem:
        return 2, [], [f"Error: {problem}"]
    try:
        if args.action == "add":
            entries = [_document_entry(args, root, _taken(target))]
        else:
            entries = _imported(args.file, _taken(target))
    except (refimport.ImportError_, originals.ExtractionError, OSError) as error:
        return 1, [], [f"Error: {args.file}: {error}"]
    try:
        todo = _append(target, root, entries)
    except InputError as error:
        return 1, [], [*map(str, error.problems), f"Error: {target.relative_to(root)} unchanged"]
    shown = target.relative_to(root)
    said = [
        f"{shown}: added source {sid!r}" + (f" ({entry['file']})" if "file" in entry else "")
        for sid, entry in entries
    ]
    return 0, [*said, *todo, "next: `build.py check` says what else each entry needs"], []


def _target(root: Path, brief: str | None) -> Path:
    return root / "briefs" / brief / "sources.yaml" if brief else root / "facts" / "sources.yaml"


def _usage_problem(args: argparse.Namespace, root: Path, target: Path) -> str:
    if not root.is_dir():
        return f"--project {root}: no such folder"
    if not args.file.is_file():
        return f"{args.file}: no such file"
    if args.brief and not target.is_file():
        return (
            f"--brief {args.brief}: {target.relative_to(root)} does not exist "
            "(this project keeps its sources in facts/sources.yaml)"
        )
    if not target.is_file():
        return f"{target.relative_to(root)} does not exist: is {root} a project?"
    if args.accessed and not refimport.iso_date(args.accessed):
        return f"--accessed {args.accessed}: write YYYY-MM-DD"
    return ""


def _taken(target: Path) -> set[str]:
    try:
        data = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        raise OSError(f"{target.name} does not parse: `build.py check` says where") from None
    table = data.get("sources") if isinstance(data, dict) else None
    return set(table) if isinstance(table, dict) else set()


def _in_folder(path: Path, root: Path) -> tuple[str, Path]:
    """The file's name inside a source folder, copying it into the first one if it is in
    none; a different file of that name already there is an error."""
    folders = source_folders(root, (), settings(root))
    if not folders:
        raise OSError("the project names no source folder (source_texts in pyproject.toml)")
    resolved = path.resolve()
    for folder in folders:
        if resolved.is_relative_to(folder):
            return resolved.relative_to(folder).as_posix(), resolved
    copy = folders[0] / path.name
    if copy.exists() and originals.sha256_of(copy) != originals.sha256_of(path):
        raise OSError(f"{copy} exists and is another file: rename one of them")
    folders[0].mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, copy)
    return path.name, copy


def _document_entry(args: argparse.Namespace, root: Path, taken: set[str]) -> tuple[str, Entry]:
    name, path = _in_folder(args.file, root)
    suffix = path.suffix.lower()
    text, meta = "", dict[str, str]()
    if suffix == ".pdf":
        meta = refimport.pdf_metadata(path)
        text = "".join(originals.extract(path, root).pages)
    elif originals.is_original(name):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        meta, text = refimport.html_metadata(raw), "".join(originals.extract(path, root).pages)
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
        meta = {"title": next((line.strip() for line in text.splitlines() if line.strip()), "")}
    fields: refimport.Found = {
        "file": name,
        "title": meta.get("title", ""),
        "authors": [{"literal": meta["author"]}] if meta.get("author") else [],
        "issued": meta.get("issued", ""),
        "url": args.url or meta.get("url", ""),
        "kind": "web page" if suffix in (".html", ".htm", ".xhtml") else "",
        "accessed": refimport.iso_date(args.accessed or datetime.date.today().isoformat()),
    }
    entry = refimport.finish(fields, refimport.language_of(text))
    entry["sha256"] = originals.sha256_of(path)
    entry["size"] = path.stat().st_size
    return refimport.source_id(args.sid or Path(name).stem, taken), entry


def _imported(path: Path, taken: set[str]) -> list[tuple[str, Entry]]:
    return [
        (refimport.source_id(key, taken), entry) for key, entry in refimport.read_references(path)
    ]


def _append(target: Path, root: Path, entries: list[tuple[str, Entry]]) -> list[str]:
    """Append the entries under ``sources:`` and return what each still needs (the problems
    loading them finds: a field the document does not state); keep the file as it was if
    they would not load as written (an error with its lines)."""
    before = target.read_text(encoding="utf-8")
    block = "".join(
        "\n" + _indent(yaml.safe_dump({sid: entry}, allow_unicode=True, sort_keys=False, width=88))
        for sid, entry in entries
    )
    target.write_text(before.rstrip("\n") + "\n" + block, encoding="utf-8")
    problems: list = []
    loaded = load_sources(target, str(target.relative_to(root)), problems)
    new = [p for p in problems if p.line > len(before.splitlines())]
    if any(sid not in loaded for sid, _ in entries):
        target.write_text(before, encoding="utf-8")
        raise InputError(new or problems)
    return [f"to do: {p}" for p in new]


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" if line else "\n" for line in text.splitlines())
