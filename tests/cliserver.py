"""A server that runs ``python build.py ARGS`` for the tests (``helpers.run_cli``) without
starting Python and importing the engine and WeasyPrint every time, which took about a
second of each run.

It imports them once, then for each request (one JSON line on stdin: argv, working folder,
environment, files for stdout and stderr) forks a child that becomes the command: the
request's environment and folder, its own descriptors 0-2, no logging set up, ``sys.argv``
as ``build.py`` sees it; it runs ``main`` as build.py does, exits as the interpreter would
(a traceback and 1 for an uncaught exception; exit handlers run), and the server answers
with its exit code (negative: the signal that ended it), as ``subprocess`` reports it.
The server runs no thread, so forking it is safe; the child is an ordinary process, not a
``multiprocessing`` one (the engine tells its own workers apart by that).

A request with ``detach`` is answered at once with the child's pid; the child leads a
session of its own (as ``Popen(start_new_session=True)`` makes it), so that a test can
kill its process group, and ``wait`` or ``poll`` requests give its exit code later
(``helpers.start_cli``: the tests that kill builds, or run several at once).

It also listens on a Unix socket (its path in the environment as ``POLICYBRIEF_CLISERVER``
of the process that starts it, when set), for commands a shell runs: the docs' ``sh``
blocks call ``python3 build.py ...`` through ``tests/cliclient.py``, which hands over its
own descriptors 0-2 (so pipes and redirections hold as they would), argv, folder,
environment and the ``build.py`` it names, and exits with the child's code.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import select
import socket
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

# What a build imports (the rest is imported by the child, as needed).
import weasyprint  # noqa: E402, F401

import policybrief.build.derived  # noqa: E402, F401
import policybrief.build.pipeline  # noqa: E402, F401
import policybrief.check.rules  # noqa: E402, F401
import policybrief.cli.main  # noqa: E402
import policybrief.output.docx  # noqa: E402, F401
import policybrief.output.pdf  # noqa: E402, F401


def become(request: dict) -> int:
    """In the child: the command's process, from its start to its exit code."""
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # TMPDIR as the request's environment says
    os.chdir(request["cwd"])
    if "fds" in request:  # a shell's command: its own descriptors
        for fd, given in enumerate(request["fds"]):
            os.dup2(given, fd)
            os.close(given)
    else:
        for fd, path, flags in (
            (0, os.devnull, os.O_RDONLY),
            (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        ):
            opened = os.open(path, flags, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    for handler in logging.root.handlers[:]:  # (the warm-up's) as in a new process: none
        logging.root.removeHandler(handler)
    logging.root.setLevel(logging.WARNING)
    script = Path(request.get("script", ROOT / "build.py"))
    sys.argv = [str(script), *request["argv"]]
    try:
        code = policybrief.cli.main.main(request["argv"], default_root=script.resolve().parent)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    except BaseException:  # as the interpreter: the traceback, and 1
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def warm() -> None:
    """Check and build (HTML) a copy of the fixture once, in the server, so that each child
    starts with what any process has after its first build: the built-in templates compiled
    (kept by name and source, whatever the copy), Babel's and citeproc's data read. Every
    such cache is keyed by its inputs, so a child sees what a fresh process would."""
    import shutil

    from helpers import copy_fixture

    with tempfile.TemporaryDirectory(prefix="cliserver-") as folder:
        project = copy_fixture(Path(folder) / "project")
        out = Path(folder) / "out"
        for argv in (["check"], ["--format", "html"]):
            code = policybrief.cli.main.main(
                [*argv, "--project", str(project), "--out", str(out), "-q"], default_root=ROOT
            )
            assert code == 0, f"cliserver: warming up: {argv} exits {code}"
        shutil.rmtree(project)


def start(request: dict, close: tuple[socket.socket, ...] = ()) -> int:
    """Fork a child that becomes the command; its process id. ``close``: the server's own
    sockets, which are not the command's. ``detach``: the child leads a session of its
    own, as ``subprocess.Popen(start_new_session=True)`` makes it (a test kills its group)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            for held in close:
                held.close()
            if request.get("detach"):
                os.setsid()
            code = become(request)
        finally:
            os._exit(code)
    for given in request.get("fds", ()):
        os.close(given)
    return pid


def finished(pid: int, block: bool = True) -> int | None:
    """A child's exit code as ``subprocess`` gives it (negative: the signal that ended it);
    None if it runs on and ``block`` is false."""
    done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
    return os.waitstatus_to_exitcode(status) if done else None


def run(request: dict, close: tuple[socket.socket, ...] = ()) -> int:
    """The command, to its end; its exit code."""
    code = finished(start(request, close))
    assert code is not None
    return code


def reply(request: dict, close: tuple[socket.socket, ...]) -> dict:
    """A line on stdin from ``helpers``: a command to run to its end (its code), to start
    (``detach``: its pid), or a started one's code (``wait``, or ``poll`` without waiting)."""
    if "wait" in request:
        return {"code": finished(request["wait"])}
    if "poll" in request:
        return {"code": finished(request["poll"], block=False)}
    if request.get("detach"):
        return {"pid": start(request, close)}
    return {"code": run(request, close)}


def answer(listener: socket.socket) -> None:
    """One shell command from ``cliclient.py``: a byte with its descriptors 0-2, then the
    request as JSON up to the end of its writing; the exit code goes back as a line."""
    connection, _ = listener.accept()
    with connection:
        _, fds, _, _ = socket.recv_fds(connection, 1, 3)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
        request = json.loads(b"".join(chunks))
        code = run(request | {"fds": fds}, (listener, connection))
        connection.sendall(f"{code}\n".encode())


def serve() -> None:
    listener = None
    if path := os.environ.get("POLICYBRIEF_CLISERVER"):  # listening before the warm-up:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # a shell may wait
        listener.bind(path)
        listener.listen()
    warm()
    stdin = sys.stdin.buffer
    while True:
        ready, _, _ = select.select([stdin, *([listener] if listener else [])], [], [])
        if listener in ready:
            answer(listener)
        if stdin in ready:
            line = stdin.readline()
            if not line:
                break
            answered = reply(json.loads(line), (listener,) if listener else ())
            os.write(1, (json.dumps(answered) + "\n").encode())


if __name__ == "__main__":
    serve()
