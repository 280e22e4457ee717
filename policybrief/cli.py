"""Command line: parse arguments, set up logging, call the pipeline, map errors to exit codes.

Exit codes: 0 success, 1 input or render errors (each printed as ``path:line: message``),
2 usage errors. Only this module prints.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from .errors import BriefError, InputError

DESCRIPTION = """Build policy briefs from facts, prose and templates into HTML and PDF.

commands:
  build   check the project, then render every selected output (the default)
  check   run every validation without rendering (fast); exit 1 on errors
  serve   build the HTML editions, serve them on localhost and rebuild on every edit
  index   after sharded builds (--shard) into one folder: write index.html and facts.html"""

EPILOG = """examples:
  python build.py                               build everything into dist/
  python build.py --brief yunqi --lang en       one brief, English only
  python build.py --audience decision-makers --format pdf
  python build.py check --strict                validate; warnings count as errors"""


def shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not I/N, e.g. 1/4") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"{text!r}: I must be between 1 and N")
    return index, count


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", choices=("build", "check", "serve", "index"),
                   default="build", help="what to do (default: build)")
    p.add_argument("--brief", action="append", default=[], metavar="SLUG",
                   help="build only this brief (a folder name under briefs/); repeatable")
    p.add_argument("--audience", action="append", default=[], metavar="NAME",
                   help="build only this audience (see templates/audiences.yaml); repeatable")
    p.add_argument("--lang", action="append", default=[], metavar="CODE",
                   help="build only this language (zh or en); repeatable")
    p.add_argument("--format", action="append", default=[], choices=("html", "pdf"),
                   help="build only this format; repeatable (default: html and pdf)")
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: dist/)")
    p.add_argument("--templates", action="append", default=[], type=Path, metavar="DIR",
                   help="a template folder that overrides the built-in one; repeatable")
    p.add_argument("--sources", type=Path, metavar="DIR",
                   help="folder of source texts to verify quotes against "
                        "(default: [tool.policybrief] source_texts in pyproject.toml)")
    p.add_argument("--project", type=Path, metavar="DIR",
                   help="project folder (default: the folder of build.py)")
    p.add_argument("--force", action="store_true",
                   help="rebuild every selected output, even if its inputs did not change")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                   help="PDF worker processes (default: one per core)")
    p.add_argument("--shard", type=shard, metavar="I/N",
                   help="build only the I-th of N deterministic slices of the outputs")
    p.add_argument("--page-size", choices=("A4", "A5", "letter"),
                   help="page size for every audience (default: each audience's own, A4)")
    p.add_argument("--pdf-variant", choices=("pdf/a-3b", "pdf/ua-1"),
                   help="archival PDF/A-3b (the brief's facts attached) or tagged PDF/UA-1")
    p.add_argument("--json", action="store_true",
                   help="print a machine-readable build report (JSON) instead of the table")
    p.add_argument("--port", type=int, default=8000, metavar="N",
                   help="serve: the localhost port (default 8000)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    return p


def main(argv: list[str] | None = None, default_root: Path | None = None) -> int:
    try:
        return _main(argv, default_root)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # Ctrl+C: the write stage swaps files in all or none
        out = _out_shown(argv)
        print(f"Error: interrupted; {out} unchanged", file=sys.stderr)
        return 130


def _out_shown(argv: list[str] | None) -> str:
    args = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args):
        if arg == "--out" and i + 1 < len(args):
            return args[i + 1].rstrip("/") + "/"
        if arg.startswith("--out="):
            return arg[len("--out="):].rstrip("/") + "/"
    return "dist/"


def usage_problems(args: argparse.Namespace, root: Path) -> str | None:
    """Command-line values that argparse's types cannot judge alone."""
    if not root.is_dir():
        return f"--project {args.project or root}: no such folder"
    if not 0 <= args.port <= 65535:
        return f"--port {args.port}: a port is a number from 0 to 65535"
    if args.jobs < 0:
        return "--jobs must be 0 (one per core) or more"
    for folder in args.templates:
        if folder.exists() and not folder.is_dir():
            return f"--templates {folder}: not a folder"
    return None


def _main(argv: list[str] | None, default_root: Path | None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    root = (args.project or default_root or Path.cwd()).resolve()
    from .build import (  # after argparse: --help stays instant
        Options,
        assemble_index,
        build,
        load_and_check,
        replay,
    )

    problem = usage_problems(args, root)
    if problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 2
    options = Options(root=root, out=args.out, briefs=tuple(args.brief),
                      audiences=tuple(args.audience), langs=tuple(args.lang),
                      formats=tuple(dict.fromkeys(args.format)) or ("html", "pdf"),
                      strict=args.strict, templates=tuple(args.templates),
                      source_texts=args.sources, force=args.force, jobs=args.jobs,
                      shard=args.shard, page_size=args.page_size,
                      pdf_variant=args.pdf_variant)
    try:
        if args.command != "check":
            from .write import check_output_folder

            check_output_folder(options.out_dir, root, output_inputs(options, root))
        if args.command == "serve":
            from .serve import serve

            return serve(options, port=args.port)
        if args.command == "check":
            project, problems = load_and_check(options)
            for problem in problems:
                print(problem, file=sys.stderr)
            facts = project.facts
            if not args.quiet:
                print_inventory(project)
                print(f"ok: {len(facts.facts)} facts, {len(facts.claims)} claims, "
                      f"{len(facts.conflicts)} conflicts, {len(project.briefs)} briefs; "
                      f"{len(problems)} warning{'s' if len(problems) != 1 else ''}")
            return 0
        if args.command == "index":
            reports = assemble_index(options)
            if not args.quiet:
                print(f"wrote index.html and facts.html in {options.out_dir} from "
                      f"{len(reports)} shard report{'s' if len(reports) != 1 else ''}")
            return 0
        show = not (args.quiet or args.json)
        report = None if args.force else replay(options)
        if report is None:
            report = build(options, progress=Progress(sys.stderr) if show else None)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"Error: stopped with {exc.summary}; nothing was written.", file=sys.stderr)
        return exc.exit_code
    except BriefError as exc:
        if args.debug:
            raise
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(report.to_json())
    elif not args.quiet:
        print_report(report)
    return 0


def output_inputs(options, root: Path) -> list[Path]:
    """The folders a build reads, which its output folder must stay clear of."""
    from .project import settings

    config = settings(root)
    folders = [root / "facts", root / "briefs", root / "templates", *options.templates,
               *(root / d for d in config.get("templates", []))]
    sources = options.source_texts or (root / config["source_texts"]
                                       if config.get("source_texts") else None)
    return [*folders, *([sources] if sources else [])]


def print_inventory(project) -> None:
    from .check import inventory
    from .i18n import LANGUAGES, format_fact

    facts = project.facts
    for kind, rows in inventory(facts).items():
        print(f"{kind:<14} {'facts':>6} {'claims':>7} {'conflicts':>10}")
        for key, row in sorted(rows.items()):
            print(f"  {key:<12} {row['facts']:>6} {row['claims']:>7} {row['conflicts']:>10}")
    en = LANGUAGES["en"]
    for conflict in facts.conflicts.values():
        sides = [f"{format_fact(facts.facts[f], facts.units[facts.facts[f].unit], en)} "
                 f"[{facts.facts[f].label.get('en')}, {facts.facts[f].source}]"
                 for f in conflict.facts if f in facts.facts]
        print(f"conflict {conflict.id}: {' vs '.join(sides)}")


def print_report(report) -> None:
    rows = [(w.path, w.status, "" if w.pages is None else str(w.pages),
             f"{w.size / 1024:.0f} KiB", f"{w.seconds:.2f} s" if w.status == "built" and
             w.format == "pdf" else "") for w in report.written]
    width = max((len(r[0]) for r in rows), default=10)
    print(f"{'output':<{width}}  {'status':<7}  pages      size     time")
    for path, status, pages, size, seconds in rows:
        print(f"{path:<{width}}  {status:<7}  {pages:>5}  {size:>8}  {seconds:>7}")
    built = sum(r[1] == "built" for r in rows)
    print(f"built {built}, skipped {len(rows) - built} of {len(rows)} files in "
          f"{report.out} in {report.seconds:.1f} s")


class Progress:
    """Done / total, the latest item and an ETA: a bar on a terminal, lines elsewhere."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int, latest: str) -> None:
        elapsed = time.perf_counter() - self.started
        eta = f"ETA {elapsed / done * (total - done):.0f} s" if done else "ETA ?"
        if self.tty:
            bar = "#" * int(24 * done / max(total, 1))
            line = f"\r[{bar:<24}] {done}/{total} PDFs  {eta}  {latest}"
            self.stream.write(line[:110].ljust(110) + ("\n" if done == total else ""))
        else:
            self.stream.write(f"{done}/{total} PDFs, {eta}" + (f": {latest}" if latest else "")
                              + "\n")
        self.stream.flush()
