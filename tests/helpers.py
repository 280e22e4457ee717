"""Helpers for tests: the fixture project, and built HTML and PDFs parsed the way a reader
would see them (each file parsed once per session: the results are cached by path, size and
modification time, and must not be changed by a test)."""

from __future__ import annotations

import atexit
import functools
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixture"
SEEDS = (ROOT / ".." / "shared" / "seeds").resolve()
NS = "{http://www.w3.org/1999/xhtml}"
PROJECT_PARTS = ("facts", "templates", "pyproject.toml")

# The briefs this repository ships: the one list of them. A copy of the project as it ships
# (copy_project: what tests/test_docs.py runs the docs' commands on) holds these and no
# other, and the counts the docs print of the shipped project (briefs, facts, editions,
# font characters: scripts/docs_numbers.py) are counted on that copy. A brief a user adds
# to their checkout, as docs/authoring.md's walkthrough adds `water-reform`, changes no
# documented count and fails no docs test. A brief the repository comes to ship is added
# here (scripts/docs_numbers.py names every folder of briefs/ this list leaves out).
SHIPPED_BRIEFS = ("bri", "members", "yunqi")


def copy_project(dest: Path, root: Path = ROOT) -> Path:
    """A throwaway copy of the project (of this repository, or of another ``root`` laid out
    like it) as this repository ships it: facts, templates, settings and the briefs of
    ``SHIPPED_BRIEFS`` (a brief a user added is left out)."""
    for part in PROJECT_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, dest / part)
        else:
            shutil.copy2(source, dest / part)
    for slug in SHIPPED_BRIEFS:
        if not (root / "briefs" / slug).is_dir():
            raise FileNotFoundError(f"SHIPPED_BRIEFS (tests/helpers.py) names briefs/{slug}/: none")
        shutil.copytree(root / "briefs" / slug, dest / "briefs" / slug)
    # Template folders the project names in its settings come along.
    import tomllib

    with (root / "pyproject.toml").open("rb") as handle:
        config = tomllib.load(handle).get("tool", {}).get("policybrief", {})
    for folder in config.get("templates", []):
        if (root / folder).is_dir() and not Path(folder).is_absolute():
            shutil.copytree(root / folder, dest / folder)
    # The copy lives elsewhere, so point it at the seed texts by absolute path.
    settings = (dest / "pyproject.toml").read_text(encoding="utf-8")
    settings = settings.replace('source_texts = "../shared/seeds"', f'source_texts = "{SEEDS}"')
    (dest / "pyproject.toml").write_text(settings, encoding="utf-8")
    return dest


def copy_fixture(dest: Path) -> Path:
    """A throwaway copy of the fixture project, with the built-in templates beside it (the
    fixture's own template folder, ``house/``, layers over them)."""
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("dist", ".*"))
    shutil.copytree(ROOT / "templates", dest / "templates")
    return dest


def write_files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run ``python build.py ...`` as a user would: a process of its own, with its own exit
    code, descriptors, environment (this one's, as it is now), working folder, logging and
    exit handlers. The process is forked from a server that has imported the engine and
    WeasyPrint once (tests/cliserver.py, one per test worker), not started from nothing,
    which saves each run about a second; tests of starting itself run ``sys.executable``."""
    argv = [str(a) for a in args]
    with tempfile.TemporaryDirectory(prefix="run-cli-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        request = {
            "argv": argv,
            "cwd": str(cwd or ROOT),
            "env": dict(os.environ if env is None else env),
            "stdout": str(out),
            "stderr": str(err),
        }
        code = _ask(request)["code"]
        stdout = out.read_text(encoding="utf-8", errors="replace") if out.exists() else ""
        stderr = err.read_text(encoding="utf-8", errors="replace") if err.exists() else ""
    return subprocess.CompletedProcess(["build.py", *argv], code, stdout, stderr)


_server: list[subprocess.Popen] = []
_socket_folder = Path(tempfile.mkdtemp(prefix="cli-"))  # short: a socket path has 108 bytes
atexit.register(shutil.rmtree, _socket_folder, True)
CLI_SOCKET = _socket_folder / "server"


@atexit.register
def _stop_server() -> None:
    """End the server with this process and wait for it, so that its CPU time (and its
    children's) is counted in this process's, as a build run directly would be."""
    for server in _server:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _started() -> subprocess.Popen:
    """This process's server (tests/cliserver.py), started when first needed: it answers
    on its stdin and on ``CLI_SOCKET``."""
    if not _server or _server[0].poll() is not None:
        CLI_SOCKET.unlink(missing_ok=True)
        _server[:] = [
            subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("cliserver.py"))],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "POLICYBRIEF_CLISERVER": str(CLI_SOCKET)},
            )
        ]
    return _server[0]


def _ask(request: dict, timeout: float = 600) -> dict:
    server = _started()
    assert server.stdin and server.stdout
    server.stdin.write((json.dumps(request) + "\n").encode())
    server.stdin.flush()
    ready, _, _ = select.select([server.stdout], [], [], timeout)
    if not ready:
        server.kill()
        raise subprocess.TimeoutExpired(["build.py", *request.get("argv", ())], timeout)
    return json.loads(server.stdout.readline())


class CliProcess:
    """``python build.py ...`` started and left running, as ``subprocess.Popen(...,
    start_new_session=True)`` would leave it: ``pid`` leads a process group of its own
    (``os.killpg`` ends it and its PDF workers), ``poll`` and ``wait`` give its exit code
    (negative: the signal that ended it). Its output goes to the files ``stdout`` and
    ``stderr``. Made by :func:`start_cli`."""

    def __init__(self, pid: int, stdout: Path, stderr: Path):
        self.pid, self.stdout, self.stderr = pid, stdout, stderr
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = _ask({"poll": self.pid})["code"]
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = int(_ask({"wait": self.pid})["code"])
        return self.returncode


def start_cli(*args: str, logs: Path, env: dict[str, str] | None = None) -> CliProcess:
    """Start ``python build.py ...`` (forked, as :func:`run_cli` is) and return at once:
    for tests that kill a build, or run several at the same time. Its output goes to a new
    folder ``logs`` (which must not exist yet)."""
    logs.mkdir(parents=True)
    request = {
        "argv": [str(a) for a in args],
        "cwd": str(ROOT),
        "env": dict(os.environ if env is None else env),
        "stdout": str(logs / "stdout"),
        "stderr": str(logs / "stderr"),
        "detach": True,
    }
    return CliProcess(int(_ask(request)["pid"]), logs / "stdout", logs / "stderr")


def shell_bin(folder: Path) -> dict[str, str]:
    """What a shell's environment needs so that ``python3`` is this interpreter and
    ``python3 build.py ...`` (this repository's build.py) runs through this process's
    server, as run_cli does (tests/cliclient.py): ``folder/python3``, a script first on
    ``PATH``, and the server's socket. Anything else ``python3`` is given runs as it is."""
    folder.mkdir(parents=True, exist_ok=True)
    server = _started()
    waited = time.monotonic() + 120
    while not CLI_SOCKET.exists():  # the server binds it once it has imported the engine
        if server.poll() is not None or time.monotonic() > waited:
            raise RuntimeError(f"tests/cliserver.py did not listen on {CLI_SOCKET}")
        time.sleep(0.05)
    wrapper = folder / "python3"
    if not wrapper.exists():
        client = Path(__file__).with_name("cliclient.py")
        wrapper.write_text(
            "#!/bin/sh\n"
            f'if [ "$1" = build.py ]; then exec "{sys.executable}" -S "{client}" "$@"; fi\n'
            f'exec "{sys.executable}" "$@"\n',
            encoding="utf-8",
        )
        wrapper.chmod(0o755)
    return {
        "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
        "POLICYBRIEF_CLISERVER": str(CLI_SOCKET),
    }


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = Path(path).stat()
    return str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns


def parse_html(path: Path):
    """The parsed page (shared between tests: do not change it)."""
    return _parse_html(_stamp(path))


@functools.lru_cache(maxsize=256)
def _parse_html(stamp: tuple[str, int, int]):
    from policybrief.core.htmlparse import parse

    return parse(Path(stamp[0]).read_text(encoding="utf-8"))


def find_all(root, tag: str, **attrs):
    for element in root.iter(NS + tag):
        if all(attr_has(element, k.rstrip("_"), v) for k, v in attrs.items()):
            yield element


def attr_has(element, name: str, value: str) -> bool:
    got = element.get(name, "")
    return value in got.split() if name == "class" else got == value


def text_of(element) -> str:
    return "".join(element.itertext())


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, as extracted once per file."""
    return list(_pdf_pages(_stamp(path)))


@functools.lru_cache(maxsize=128)
def _pdf_pages(stamp: tuple[str, int, int]) -> tuple[str, ...]:
    reader = pypdf.PdfReader(stamp[0])
    return tuple(page.extract_text() or "" for page in reader.pages)


def pdf_reader(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(str(path))


def squash(text: str) -> str:
    """Text with all whitespace removed: PDF extraction breaks lines anywhere."""
    return "".join(text.split())
