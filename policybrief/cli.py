"""Command line: parse arguments, set up logging, call the pipeline, map errors to exit codes.

Exit codes: 0 success, 1 input or render errors (each printed as ``path:line: message``),
2 usage errors. Only this module prints.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .errors import BriefError, InputError

DESCRIPTION = """Build policy briefs from facts, prose and templates into HTML and PDF.

commands:
  build   check the project, then render every selected output (the default)
  check   run every validation without rendering (fast); exit 1 on errors
  serve   build the HTML editions, serve them on localhost and rebuild on every edit"""

EPILOG = """examples:
  python build.py                               build everything into dist/
  python build.py --brief yunqi --lang en       one brief, English only
  python build.py --audience decision-makers --format pdf
  python build.py check --strict                validate; warnings count as errors"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", choices=("build", "check", "serve"), default="build",
                   help="what to do (default: build)")
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


def _main(argv: list[str] | None, default_root: Path | None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    root = (args.project or default_root or Path.cwd()).resolve()
    from .build import Options, build, load_and_check  # after argparse: --help stays instant

    options = Options(root=root, out=args.out, briefs=tuple(args.brief),
                      audiences=tuple(args.audience), langs=tuple(args.lang),
                      formats=tuple(args.format) or ("html", "pdf"), strict=args.strict,
                      templates=tuple(args.templates), source_texts=args.sources)
    try:
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
        report = build(options)
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
    if not args.quiet:
        print_report(report, options.out_dir)
    return 0


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


def print_report(report, out: Path) -> None:
    rows = [(str(w.path.relative_to(out)) if w.path.is_relative_to(out) else str(w.path),
             "" if w.pages is None else str(w.pages), f"{w.size / 1024:.0f} KiB",
             f"{w.seconds:.2f} s" if w.pages is not None else "") for w in report.written]
    width = max((len(r[0]) for r in rows), default=10)
    print(f"{'output':<{width}}  pages      size     time")
    for path, pages, size, seconds in rows:
        print(f"{path:<{width}}  {pages:>5}  {size:>8}  {seconds:>7}")
    print(f"built {len(rows)} files into {out} in {report.seconds:.1f} s")
