"""Command line: parse arguments, set up logging, call the pipeline, map errors to exit codes.

Exit codes: 0 success, 1 input or render errors (each printed as ``path:line: message``),
2 usage errors. Only this module prints.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from policybrief.cli import interrupts
from policybrief.core.errors import BriefError, InputError

if TYPE_CHECKING:  # imported where they are used, so that --help stays instant
    from policybrief.build.pipeline import BuildReport
    from policybrief.build.plan import Options
    from policybrief.core.model import Project

# The name --help and the hints use: build.py in this repository, policybrief installed.
PROG = "policybrief" if sys.argv and Path(sys.argv[0]).stem == "policybrief" else "build.py"

DESCRIPTION = """Build policy briefs from facts, prose and templates into HTML, PDF and Word.

commands:
  build   check the project, then render every selected output (the default)
  check   run every validation and render the HTML in memory (--fast: no rendering;
          --proof: build, read every output back and report what an editor would)
  serve   build the HTML editions, serve them on localhost and rebuild on every edit
  index   after sharded builds (--shard) into one folder: write index.html and facts.html
  new     new brief SLUG: a skeleton brief, facts file and source entry that pass check;
          new audience NAME: a template and audiences.yaml entry (in --templates DIR);
          new project DIR: a standalone project with an example brief and CI
  sync-stamp  record that each brief's zh and en sections are in line (briefs/<slug>/sync.yaml)
  cells-stamp  record the dataset cells the facts cite, as they are now (facts/cells-stamp.yaml)
  changes OLD  what changed since OLD (a git revision, or an earlier build's folder)
  source  source add FILE: record a document (PDF, saved web page, text) as a new source
          with its SHA-256; source import FILE: a reference manager's CSL-JSON, BibTeX or
          RIS export as new sources (see `build.py source --help`)"""

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


# long: one declarative add_argument call per option, in the order --help prints them
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "command",
        nargs="?",
        choices=("build", "check", "serve", "index", "new", "sync-stamp", "cells-stamp", "changes"),
        default="build",
        help="what to do (default: build)",
    )
    p.add_argument(
        "target",
        nargs="*",
        metavar="ARG",
        help="new: what to make (brief or audience) and its name; "
        "changes: OLD, a git revision or the folder of an earlier build",
    )
    p.add_argument("--markdown", action="store_true", help="changes: print Markdown")
    p.add_argument(
        "--draft", action="store_true", help="mark every built brief as a draft (watermark, banner)"
    )
    p.add_argument(
        "--publish",
        action="store_true",
        help="mark the output folder for publication (.publish): drafts refused",
    )
    p.add_argument(
        "--brief",
        action="append",
        default=[],
        metavar="SLUG",
        help="build only this brief (a folder name under briefs/); repeatable",
    )
    p.add_argument(
        "--audience",
        action="append",
        default=[],
        metavar="NAME",
        help="build only this audience (see templates/audiences.yaml); repeatable",
    )
    p.add_argument(
        "--lang",
        action="append",
        default=[],
        metavar="CODE",
        help="build only this language (its code, e.g. zh); repeatable",
    )
    p.add_argument(
        "--format",
        action="append",
        default=[],
        choices=("html", "pdf", "docx"),
        help="build only this format; repeatable (default: html, pdf and docx)",
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: dist/)")
    p.add_argument(
        "--templates",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="a template folder that overrides the built-in one; repeatable",
    )
    p.add_argument(
        "--sources",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="a folder of source texts to verify quotes against, searched before those of "
        "[tool.policybrief] source_texts in pyproject.toml; repeatable",
    )
    p.add_argument(
        "--project",
        type=Path,
        metavar="DIR",
        help="project folder (default: the folder of build.py)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="rebuild every selected output, even if its inputs did not change",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=0,
        metavar="N",
        help="PDF worker processes (default: one per core)",
    )
    p.add_argument(
        "--shard",
        type=shard,
        metavar="I/N",
        help="build only the I-th of N deterministic slices of the outputs",
    )
    p.add_argument(
        "--page-size",
        choices=("A4", "A5", "letter"),
        help="page size for every audience (default: each audience's own, A4)",
    )
    p.add_argument(
        "--pdf-variant",
        choices=("pdf/a-3b", "pdf/ua-1"),
        help="archival PDF/A-3b (the brief's facts attached) or tagged PDF/UA-1",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print a machine-readable build report (JSON) instead of the table",
    )
    p.add_argument(
        "--port",
        type=int,
        default=8000,
        metavar="N",
        help="serve: the localhost port (default 8000)",
    )
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument(
        "--fast",
        action="store_true",
        help="check: skip rendering the outputs' HTML (facts, briefs and quotes only)",
    )
    p.add_argument(
        "--proof",
        action="store_true",
        help="check: build into a temporary folder, read every output back and report what "
        "an editor would (a short page, a wrong running head, a label stutter...); 1 if any",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    return p


def new(args: argparse.Namespace, root: Path) -> int:
    """``new brief SLUG`` / ``new audience NAME``: write a skeleton, list what was written."""
    from policybrief.cli import scaffold
    from policybrief.load.config import settings
    from policybrief.load.languages import declared

    if len(args.target) != 2 or args.target[0] not in ("brief", "audience", "project"):
        print(
            "Error: write `new brief SLUG`, `new audience NAME` or `new project DIR`",
            file=sys.stderr,
        )
        return 2
    what, name = args.target
    if what == "project":
        return new_project(Path(name), args.quiet)
    langs = declared(settings(root))  # the skeletons are written in the project's languages
    if what == "brief":
        written = scaffold.new_brief(root, name, langs=langs)
    else:
        folder = args.templates[-1] if args.templates else root / "templates"
        written = scaffold.new_audience(folder.resolve(), name, langs=langs)
    if not args.quiet:
        for path in written:
            print(f"wrote {path}")
        command = "python3 build.py" if PROG == "build.py" else PROG
        print(
            f"next: {command} check"
            if what == "brief"
            else scaffold.next_after_audience(root, folder)
        )
    return 0


def new_project(folder: Path, quiet: bool) -> int:
    """``new project DIR``: a standalone project (cli/newproject.py)."""
    from policybrief.cli.newproject import new_project as write

    written = write(folder)
    if not quiet:
        for path in written:
            print(f"wrote {path}")
        # (the installed command: a new project has no build.py of its own)
        print(f"next: cd {folder} && policybrief check --strict && policybrief")
    return 0


def run() -> None:
    """The ``policybrief`` console command (an installed engine): the project is the
    current folder, or ``--project DIR``."""
    sys.exit(main())


def main(argv: list[str] | None = None, default_root: Path | None = None) -> int:
    sys.unraisablehook = interrupts.quiet
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["source"]:  # its own arguments: policybrief/cli/sources.py
        from policybrief.cli.sources import run

        code, said, errors = run(given[1:], default_root)
        print("\n".join(said), end="\n" if said else "")
        print("\n".join(errors), end="\n" if errors else "", file=sys.stderr)
        return code
    try:
        return _main(argv, default_root)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # Ctrl+C: the write stage swaps files in all or none
        print(interrupts.unchanged(argv), file=sys.stderr)
        return 130


def _command(args: argparse.Namespace, options: Options, argv: list[str] | None) -> int:
    """Run the command. Ctrl+C after a build has committed says the folder holds it (its
    manifest is swapped in with every other file); before that, main() says unchanged."""
    before = interrupts.manifest_stamp(options.out_dir)
    try:
        return COMMANDS.get(args.command, build_command)(args, options)
    except KeyboardInterrupt:
        if interrupts.manifest_stamp(options.out_dir) == before:
            raise
        print(interrupts.written(argv), file=sys.stderr)
        return 130


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
    for folder in args.sources:  # (else every quote would silently go unverified)
        if not folder.is_dir():
            return f"--sources {folder}: " + (
                "not a folder" if folder.exists() else "no such folder"
            )
    return None


def _main(argv: list[str] | None, default_root: Path | None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    root = (args.project or default_root or Path.cwd()).resolve()
    problem = usage_problems(args, root) or _target_problem(args)
    if problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 2
    try:
        options = _options(args, root)
    except InputError as exc:  # the settings: no build was started
        return _input_errors(exc, stopped=False)
    try:
        if args.command not in ("check", "new", "sync-stamp", "cells-stamp", "changes"):
            from policybrief.build.staging import check_output_folder

            check_output_folder(options.out_dir, root, output_inputs(options, root))
        return _command(args, options, argv)
    except InputError as exc:
        return _input_errors(exc, stopped=True)
    except BriefError as exc:
        if args.debug:
            raise
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG or args.debug:
            raise
        # (each name an author writes is checked at its line; this is for one that is not)
        print(f"Error: {exc.filename}: file name too long", file=sys.stderr)
        return 1


def _input_errors(exc: InputError, stopped: bool) -> int:
    for reported in exc.problems:
        print(reported, file=sys.stderr)
    if stopped:
        print(f"Error: stopped with {exc.summary}; nothing was written.", file=sys.stderr)
    return exc.exit_code


def _target_problem(args: argparse.Namespace) -> str:
    """The positional arguments that do not fit the command, as a usage error."""
    args.old = args.target[0] if args.command == "changes" and len(args.target) == 1 else None
    if args.command == "changes" and args.old is None:
        return "changes needs OLD: a git revision or an earlier build's folder"
    if args.target and args.command not in ("new", "changes"):
        return f"unexpected argument {args.target[0]!r} (see --help)"
    return ""


def _options(args: argparse.Namespace, root: Path) -> Options:
    """The build options: the command line over the project's settings."""
    from policybrief.build.plan import FORMATS, Options  # after argparse: --help stays instant
    from policybrief.load.config import settings

    configured = settings(root).get("out")  # [tool.policybrief] out; --out overrides it
    return Options(
        root=root,
        out=args.out or (root / configured if configured else None),
        briefs=tuple(args.brief),
        audiences=tuple(args.audience),
        langs=tuple(args.lang),
        formats=tuple(dict.fromkeys(args.format)) or FORMATS,
        strict=args.strict,
        templates=tuple(args.templates),
        source_texts=tuple(args.sources),
        force=args.force,
        jobs=args.jobs,
        shard=args.shard,
        page_size=args.page_size,
        pdf_variant=args.pdf_variant,
        draft=args.draft,
        publish=args.publish,
    )


def serve_command(args: argparse.Namespace, options: Options) -> int:
    from policybrief.cli.serve import serve

    def say(line: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)

    return serve(options, say, port=args.port)


def check_command(args: argparse.Namespace, options: Options) -> int:
    """``check``: load, check and (unless --fast) render every selected page in memory."""
    from policybrief.build.pipeline import load_and_check

    project, problems = load_and_check(options)
    if args.proof:
        return proof_command(project, options, args.quiet)
    if not args.fast:
        from policybrief.build.verify import render_problems

        rendered = render_problems(project, options)
        if rendered:
            raise InputError(problems + rendered)
    for found in problems:
        print(found, file=sys.stderr)
    facts = project.facts
    if not args.quiet:
        print_inventory(project)
        print(
            f"ok: {len(facts.facts)} facts, {len(facts.claims)} claims, "
            f"{len(facts.conflicts)} conflicts, {len(project.briefs)} briefs; "
            f"{len(problems)} warning{'s' if len(problems) != 1 else ''}"
        )
    return 0


def proof_command(project: Project, options: Options, quiet: bool) -> int:
    """``check --proof``: every finding on a line of its own, a count a kind, 1 if any."""
    from collections import Counter

    from policybrief.build.proof import proof

    findings = proof(project, options)
    for finding in findings:
        print(finding)
    if not quiet or findings:
        counts = Counter(f.kind for f in findings)
        each = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
        print(
            f"proof: {len(findings)} finding{'s' if len(findings) != 1 else ''}"
            + (f" ({each})" if each else "")
        )
    return 1 if findings else 0


def index_command(args: argparse.Namespace, options: Options) -> int:
    from policybrief.build.pipeline import assemble_index

    reports = assemble_index(options)
    if not args.quiet:
        print(
            f"wrote index.html and facts.html in {options.out_dir} from "
            f"{len(reports)} shard report{'s' if len(reports) != 1 else ''}"
        )
    return 0


def build_command(args: argparse.Namespace, options: Options) -> int:
    """The default command: build (or replay an unchanged build) and report."""
    from policybrief.build.pipeline import build, replay
    from policybrief.cli.progress import Progress

    show = not (args.quiet or args.json)
    report = None if args.force else replay(options)
    if report is None:
        report = build(options, progress=Progress(sys.stderr) if show else None)
    for warning in report.warnings:
        print(warning if ": warning: " in warning else f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(report.to_json())
    elif not args.quiet:
        print_report(report)
    return 0


def output_inputs(options: Options, root: Path) -> list[Path]:
    """The folders and files a build reads, which its output folder must stay clear of."""
    from policybrief.load.config import input_paths, settings

    return list(input_paths(root, options.templates, options.source_texts, settings(root)))


def print_inventory(project: Project) -> None:
    from policybrief.check.rules import inventory
    from policybrief.core.i18n import format_fact
    from policybrief.core.languages import SOURCE

    facts = project.facts
    for kind, rows in inventory(facts).items():
        print(f"{kind:<14} {'facts':>6} {'claims':>7} {'conflicts':>10}")
        for key, row in sorted(rows.items()):
            print(f"  {key:<12} {row['facts']:>6} {row['claims']:>7} {row['conflicts']:>10}")
    en = project.language(SOURCE)  # the command line speaks English
    for conflict in facts.conflicts.values():
        sides = [
            f"{format_fact(facts.facts[f], facts.units[facts.facts[f].unit], en)} "
            f"[{facts.facts[f].label.get(SOURCE)}, {facts.facts[f].source}]"
            for f in conflict.facts
            if f in facts.facts
        ]
        print(f"conflict {conflict.id}: {' vs '.join(sides)}")


def print_report(report: BuildReport) -> None:
    rows = [
        (
            w.path,
            w.status,
            "" if w.pages is None else str(w.pages),
            f"{w.size / 1024:.0f} KiB",
            f"{w.seconds:.2f} s" if w.status == "built" and w.format in ("pdf", "docx") else "",
        )
        for w in report.written
    ]
    width = max((len(r[0]) for r in rows), default=10)
    print(f"{'output':<{width}}  {'status':<7}  pages      size     time")
    for path, status, pages, size, seconds in rows:
        print(f"{path:<{width}}  {status:<7}  {pages:>5}  {size:>8}  {seconds:>7}")
    built = sum(r[1] == "built" for r in rows)
    print(
        f"built {built}, skipped {len(rows) - built} of {len(rows)} files in "
        f"{report.out} in {report.seconds:.1f} s"
    )
    for w in report.written:
        if w.late_notes:
            count = len(w.late_notes)
            print(
                f"{w.path}: {count} footnote{'s' if count != 1 else ''} did not fit on the "
                f"page of {'their' if count != 1 else 'its'} call and moved to the Further "
                f"notes list at the end ({', '.join(w.late_notes)})"
            )


def editions_command(args: argparse.Namespace, options: Options) -> int:
    """``sync-stamp`` and ``changes OLD`` (see README, "Editions")."""
    from policybrief.check.parity import sync_stamps
    from policybrief.editions.changes import (
        changes_since,
        json_report,
        markdown_report,
        text_report,
    )
    from policybrief.load.project import load_project

    project, problems = load_project(options.root, options.templates, options.source_texts)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        from policybrief.core.errors import InputError

        raise InputError(errors)
    if args.command == "sync-stamp":
        for path, stale in sync_stamps(project.root, project.briefs, options.briefs):
            if not args.quiet:
                print(
                    f"{path}: in line"
                    + (
                        f" ({stale} section{'s' if stale != 1 else ''} had been out of step)"
                        if stale
                        else ""
                    )
                )
        return 0
    changes, old_problems = changes_since(project, args.old)
    for problem in old_problems:
        if problem.severity == "error":
            print(f"warning: the old state: {problem}", file=sys.stderr)
    report = json_report if args.json else markdown_report if args.markdown else text_report
    print(report(changes, options.briefs))
    return 0


def cells_stamp_command(args: argparse.Namespace, options: Options) -> int:
    """``cells-stamp``: record each dataset fact's cell (docs/authoring.md, "Figures from
    spreadsheets")."""
    from policybrief.check.cells import cells_stamp
    from policybrief.load.project import load_project

    project, problems = load_project(options.root, options.templates, options.source_texts)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    path, count, changed = cells_stamp(project)
    if not args.quiet:
        since = f" ({changed} had changed since the last stamp)" if changed else ""
        print(f"{path}: {count} cell{'s' if count != 1 else ''} recorded{since}")
    return 0


COMMANDS = {
    "new": lambda args, options: new(args, options.root),
    "cells-stamp": cells_stamp_command,
    "sync-stamp": editions_command,
    "changes": editions_command,
    "serve": serve_command,
    "check": check_command,
    "index": index_command,
}
