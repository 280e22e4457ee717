"""Live preview (``build.py serve``): build the HTML editions, serve the output folder on
localhost, rebuild on every edit and reload the open pages.

- The main thread polls the mtimes and sizes of every file a build reads five times a
  second: the folders and files :func:`config.input_paths` lists (``facts/``, ``briefs/``,
  the template and source folders of the settings and the command line, the built-in
  ``templates/``, the theme file, ``pyproject.toml``), the list the build's no-op check
  reads too. On a change it calls :func:`build.build` for the HTML only; the build itself
  skips outputs whose inputs did not change, so an edit to one fact rewrites only the pages
  that show it.
- A thread serves the output folder with the stdlib's ``http.server`` on 127.0.0.1. HTML
  responses get a small script that long-polls ``/__livereload``: the request returns when
  that page's file is rewritten or the build's errors change, and the page reloads. The
  script is added to the response only; the files in the output folder never contain it.
- A failed build keeps the last good files; each problem (``path:line: message``) is
  printed in the terminal and shown over every page in the browser, and the server keeps
  running. The next good build clears it.
- PDFs and Word files are built after the HTML, by a separate process
  (``build.py --format pdf --format docx --jobs 1``)
  that starts once the edits have paused for a moment and is stopped as soon as another
  edit arrives, so the HTML never waits for a PDF. A request for a PDF while one is due
  waits for it ("on demand").
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, quote, unquote, urlsplit

from policybrief.build.pipeline import Options, build
from policybrief.core.errors import BriefError, InputError, OutputError

Say = Callable[[str], None]  # where the preview's news goes (cli.py prints it)

POLL_SECONDS = 0.2  # how often the watcher looks at the files
SETTLE_SECONDS = 0.05  # after a change, wait this long for the editor to finish writing
PDF_DELAY_SECONDS = 1.5  # start the PDFs once the edits have paused this long
LONG_POLL_SECONDS = 25.0
PDF_WAIT_SECONDS = 180.0
RELOAD_PATH = "/__livereload"


class Preview:
    """What the server knows: the version of each page, the current errors, the PDF job."""

    def __init__(self, out: Path):
        self.out = out
        self.instance = f"{os.getpid()}-{time.time_ns()}"
        self.changed = threading.Condition()
        self.errors: list[str] = []
        self.pdf_errors: list[str] = []
        self.errors_version = 0
        self.page_mtimes: dict[str, int] = {}
        self.pdf_busy = False

    def token(self, page: str) -> str:
        """Changes when the page's file is rewritten or the errors shown over it change."""
        with self.changed:
            return f"{self.instance}.{self.page_mtimes.get(page, 0)}.{self.errors_version}"

    def after_build(
        self, errors: list[str] | None = None, pdf_errors: list[str] | None = None
    ) -> None:
        mtimes = {}
        for path in self.out.rglob("*.html"):
            relative = path.relative_to(self.out)
            if not any(part.startswith(".") for part in relative.parts):
                mtimes["/" + relative.as_posix()] = path.stat().st_mtime_ns
        with self.changed:
            self.page_mtimes = mtimes
            if errors is not None and errors != self.errors:
                self.errors = errors
                self.errors_version += 1
            if pdf_errors is not None and pdf_errors != self.pdf_errors:
                self.pdf_errors = pdf_errors
                self.errors_version += 1
            self.changed.notify_all()

    def wait_for_change(self, page: str, token: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.token(page) == token and time.monotonic() < deadline:
                self.changed.wait(min(1.0, deadline - time.monotonic()))
            return self.token(page)

    def set_pdf_busy(self, busy: bool) -> None:
        with self.changed:
            self.pdf_busy = busy
            self.changed.notify_all()

    def wait_for_pdfs(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.pdf_busy and time.monotonic() < deadline:
                self.changed.wait(min(1.0, deadline - time.monotonic()))

    def shown_errors(self) -> tuple[list[str], list[str]]:
        with self.changed:
            return list(self.errors), list(self.pdf_errors)


# -- what the browser gets ------------------------------------------------------------------

RELOAD_SCRIPT = """<script id="policybrief-livereload" nonce="%(nonce)s">
(function () {
  var page = %(page)s, token = %(token)s;
  var hide = document.getElementById("policybrief-preview-hide");
  if (hide) { hide.addEventListener("click", function () { hide.parentNode.remove(); }); }
  function poll() {
    fetch("%(endpoint)s?page=" + encodeURIComponent(page) + "&token=" + encodeURIComponent(token),
          {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { setTimeout(poll, 1000); }
        else if (d.token !== token) { location.reload(); }
        else { poll(); }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
}());
</script>
"""

OVERLAY_STYLE = (
    "position:fixed;z-index:2147483647;left:0;right:0;top:0;max-height:60vh;"
    "overflow:auto;margin:0;padding:0.8rem 1.2rem;background:#fff4f2;color:#1b1f24;"
    "border-bottom:4px solid #b3261e;font:14px/1.5 'Noto Sans',sans-serif;"
    "box-shadow:0 4px 16px rgba(0,0,0,.25)"
)


def overlay(errors: list[str], pdf_errors: list[str]) -> str:
    """The problems of the last build, shown over the page (the page is the last good one)."""
    if not errors and not pdf_errors:
        return ""
    parts = [
        f'<div id="policybrief-preview" role="alert" style="{OVERLAY_STYLE}">'
        '<button type="button" id="policybrief-preview-hide" style="float:right;'
        'font:inherit;margin:0 0 .4rem 1rem">Hide</button>'
    ]
    for title, items in (
        (
            "Build failed; this page is from the last good build. "
            "Fix the files below and save: the page reloads by itself.",
            errors,
        ),
        ("PDF build failed (the HTML is up to date):", pdf_errors),
    ):
        if items:
            parts.append(
                f'<p style="margin:0 0 .4rem;font-weight:700;color:#b3261e">'
                f"{html.escape(title)}</p>"
            )
            parts.append('<ul style="margin:0 0 .6rem;padding-left:1.2rem">')
            parts += [
                f'<li><code style="white-space:pre-wrap;font:13px/1.5 monospace">'
                f"{html.escape(item)}</code></li>"
                for item in items
            ]
            parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def js_string(text: str) -> str:
    """A JavaScript string literal that is safe inside a <script> element."""
    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e")


CSP_META = re.compile(
    r'(<meta http-equiv="Content-Security-Policy" id="policybrief-csp" '
    r'content=")([^"]*)(">)'
)


def allow_reload(page_html: str, nonce: str) -> str:
    """The served page's security policy also allows the reload script (by its nonce) and
    its requests to this server; the files in the output folder never do."""

    def widen(match: re.Match) -> str:
        policy = match.group(2).replace("script-src 'none'", "script-src")
        policy = policy.replace("script-src", f"script-src 'nonce-{nonce}'", 1)
        return f"{match.group(1)}{policy}; connect-src 'self'{match.group(3)}"

    return CSP_META.sub(widen, page_html, count=1)


def inject(page_html: str, page: str, token: str, errors: list[str], pdf_errors: list[str]) -> str:
    nonce = secrets.token_urlsafe(18)
    page_html = allow_reload(page_html, nonce)
    script = RELOAD_SCRIPT % {
        "page": js_string(page),
        "token": js_string(token),
        "endpoint": RELOAD_PATH,
        "nonce": nonce,
    }
    body = re.search(r"<body\b[^>]*>", page_html, re.I)
    shown = overlay(errors, pdf_errors)
    if body and shown:
        page_html = page_html[: body.end()] + "\n" + shown + page_html[body.end() :]
    end = page_html.lower().rfind("</body>")
    return page_html[:end] + script + page_html[end:] if end != -1 else page_html + script


def error_page(page: str) -> str:
    """Stands in for a page that no build has written yet; the errors go over it."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Build failed · {html.escape(page)}</title></head><body>"
        f'<main style="padding:40vh 1rem 1rem"><h1>{html.escape(page)}</h1>'
        "<p>This page has not been built yet.</p></main></body></html>"
    )


class Handler(SimpleHTTPRequestHandler):
    """Serves the output folder; HTML gets the reload script (and the errors, if any)."""

    preview: Preview  # set on the subclass made by :func:`make_server`
    server_version = "policybrief-preview"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        if not self.host_allowed():
            # DNS rebinding: a page of another site, its name now resolving to 127.0.0.1,
            # would read the preview (drafts included) as its own origin
            return self.send_error(
                HTTPStatus.MISDIRECTED_REQUEST, "the preview answers only to localhost"
            )
        url = urlsplit(self.path)
        path = unquote(url.path)  # decoded once, here; every later use re-quotes it
        self.path = quote(path)
        if path == RELOAD_PATH:
            return self.reload(parse_qs(url.query))
        if any(part.startswith(".") for part in path.split("/")):
            return self.send_error(HTTPStatus.NOT_FOUND)
        if path.endswith("/"):
            path += "index.html"
        if path.endswith(".html"):
            return self.page(path, head)
        if path.endswith((".pdf", ".docx")):
            self.preview.wait_for_pdfs(PDF_WAIT_SECONDS)
        return super().do_HEAD() if head else super().do_GET()

    def host_allowed(self) -> bool:
        """Whether the request names this server as the browser on this machine reaches
        it: ``localhost``, ``127.0.0.1`` or ``[::1]`` with the server's port."""
        address = self.server.server_address
        port = address[1] if isinstance(address, tuple) else 0
        host = (self.headers.get("Host") or "").strip().lower()
        names = ("localhost", "127.0.0.1", "[::1]")
        allowed = {f"{name}:{port}" for name in names}
        if port == 80:  # a browser leaves out the default port
            allowed.update(names)
        return host in allowed

    def page(self, path: str, head: bool) -> None:
        file = Path(self.translate_path(quote(path)))
        errors, pdf_errors = self.preview.shown_errors()
        token = self.preview.token(path)
        if file.is_file():
            status = HTTPStatus.OK
            text = file.read_text(encoding="utf-8", errors="replace")
        elif errors:
            status = HTTPStatus.SERVICE_UNAVAILABLE
            text = error_page(path)
        else:
            return self.send_error(HTTPStatus.NOT_FOUND)
        data = inject(text, path, token, errors, pdf_errors).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def reload(self, query: dict[str, list[str]]) -> None:
        page = query.get("page", ["/index.html"])[0]
        token = query.get("token", [""])[0]
        data = json.dumps(
            {"token": self.preview.wait_for_change(page, token, LONG_POLL_SECONDS)}
        ).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):  # the browser went away
            self.close_connection = True


def make_server(preview: Preview, port: int) -> ThreadingHTTPServer:
    handler = type("PreviewHandler", (Handler,), {"preview": preview})

    def factory(
        request: socket.socket, address: tuple[str, int], server: socketserver.BaseServer
    ) -> Handler:
        return handler(request, address, server, directory=str(preview.out))

    server = ThreadingHTTPServer(("127.0.0.1", port), factory)
    server.daemon_threads = True
    return server


# -- watching and building ------------------------------------------------------------------


def watched(options: Options) -> tuple[Path, ...]:
    """The folders and files a build with these options reads (the settings, read again
    each time: an edit to them may name another folder)."""
    from policybrief.load.config import input_paths, quiet_settings

    root = options.root
    return input_paths(root, options.templates, options.source_texts, quiet_settings(root))


def snapshot(options: Options) -> dict[str, tuple[int, int]]:
    """Every watched file's (mtime, size); editors' swap and backup files are left out."""
    seen = {}
    paths = watched(options)
    files = [path for path in paths if not path.is_dir()]
    for folder in (path for path in paths if path.is_dir()):
        for base, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            files += [
                Path(base) / n
                for n in names
                if not n.startswith((".", "#")) and not n.endswith(("~", ".swp", ".tmp"))
            ]
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        seen[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return seen


def _relative(path: Path, root: Path) -> str:
    return os.path.relpath(path, root) if path.is_relative_to(root) else str(path)


def problems_of(exc: BaseException) -> list[str]:
    if isinstance(exc, InputError):
        return [str(p) for p in exc.problems]
    if isinstance(exc, BriefError):
        return [str(exc)]
    return [f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"]


class BackgroundBuild:
    """The PDFs and Word files, built by a separate ``build.py --format pdf --format docx``
    process after the HTML (so the edition bar's PDF and Word links work in the preview)."""

    def __init__(self, options: Options, preview: Preview, say: Say):
        self.options = options
        self.preview = preview
        self.say = say
        self.process: subprocess.Popen | None = None
        self.log: IO[str] | None = None
        self.due: float | None = None
        self.started = 0.0

    def command(self) -> list[str]:
        o = self.options
        argv = [
            sys.executable,
            "-c",
            "import sys; from policybrief.cli.main import main; sys.exit(main(sys.argv[1:]))",
            "build",
            *(arg for fmt in ("pdf", "docx") if fmt in o.formats for arg in ("--format", fmt)),
            "--jobs",
            "1",
            "--quiet",
            "--project",
            str(o.root),
            "--out",
            str(o.out_dir),
        ]
        for flag, values in (
            ("--brief", o.briefs),
            ("--audience", o.audiences),
            ("--lang", o.langs),
            ("--templates", o.templates),
        ):
            for value in values:
                argv += [flag, str(value)]
        for folder in o.source_texts:
            argv += ["--sources", str(folder)]
        if o.page_size:
            argv += ["--page-size", o.page_size]
        if o.pdf_variant:
            argv += ["--pdf-variant", o.pdf_variant]
        if o.strict:
            argv.append("--strict")
        return argv

    def schedule(self, now: bool = False) -> None:
        self.due = time.monotonic() + (0 if now else PDF_DELAY_SECONDS)
        self.preview.set_pdf_busy(True)

    def cancel(self, why: str = "files changed; starts again after the HTML") -> None:
        """Stop the PDF process (an edit arrived, or the preview stops); its files are
        written atomically, so none is left half-written."""
        self.due = None
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.say(f"pdf: stopped ({why})")
        self._close()
        self.process = None
        self.preview.set_pdf_busy(False)

    def tick(self) -> None:
        if self.process is None and self.due is not None and time.monotonic() >= self.due:
            self.due = None
            self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
            env = dict(os.environ)
            package_parent = str(Path(__file__).resolve().parent.parent)
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [package_parent, env.get("PYTHONPATH")])
            )
            self.started = time.perf_counter()
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            self.say("pdf: building in the background")
            return
        if self.process is not None and self.process.poll() is not None:
            code = self.process.returncode
            assert self.log is not None  # opened with the process
            self.log.seek(0)
            lines = [line.rstrip() for line in self.log.read().splitlines() if line.strip()]
            self._close()
            self.process = None
            seconds = time.perf_counter() - self.started
            if code == 0:
                self.say(f"pdf: done in {seconds:.1f} s")
                for line in lines:
                    self.say(f"pdf: {line}")
                self.preview.after_build(pdf_errors=[])
            else:
                self.say(f"pdf: failed after {seconds:.1f} s")
                for line in lines:
                    self.say(f"pdf: {line}")
                shown = [line for line in lines if not line.startswith("Error: stopped with")]
                self.preview.after_build(pdf_errors=shown or [f"exit code {code}"])
            self.preview.set_pdf_busy(False)

    def _close(self) -> None:
        if self.log is not None:
            self.log.close()
            self.log = None


class Watcher:
    def __init__(self, options: Options, preview: Preview, say: Say, pdfs: BackgroundBuild | None):
        self.options = replace(options, formats=("html",))
        self.preview = preview
        self.say = say
        self.pdfs = pdfs

    def rebuild(self, reason: str) -> bool:
        if self.pdfs:
            self.pdfs.cancel()
        started = time.perf_counter()
        try:
            report = build(self.options)
        except Exception as exc:  # noqa: BLE001 - whatever happens, the preview goes on
            errors = problems_of(exc)
            if not isinstance(exc, BriefError):
                self.say(traceback.format_exc().rstrip())
            self.say(
                f"{reason}: build failed in {time.perf_counter() - started:.2f} s; "
                "serving the last good files"
            )
            for line in errors:
                self.say(f"  {line}")
            self.preview.after_build(errors=errors)
            return False
        built = [w.path for w in report.written if w.status == "built"]
        for warning in report.warnings:
            self.say(f"warning: {warning}")
        self.preview.after_build(errors=[])
        shown = ", ".join(built[:4]) + (f" and {len(built) - 4} more" if len(built) > 4 else "")
        self.say(
            f"{reason}: rebuilt {len(built)} page{'s' if len(built) != 1 else ''}"
            f"{' (' + shown + ')' if built else ''} in {time.perf_counter() - started:.2f} s"
        )
        if self.pdfs:
            self.pdfs.schedule()
        return True

    def run(self, stop: threading.Event) -> None:
        seen = snapshot(self.options)
        while not stop.wait(POLL_SECONDS):
            now = snapshot(self.options)
            if now != seen:
                time.sleep(SETTLE_SECONDS)
                now = snapshot(self.options)
                changed = sorted({*now, *seen} - {k for k in now if now.get(k) == seen.get(k)})
                seen = now
                names = [os.path.relpath(p, self.options.root) for p in changed]
                reason = ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")
                self.rebuild(reason or "change")
            if self.pdfs:
                self.pdfs.tick()


def serve(options: Options, say: Say, port: int = 8000) -> int:
    """Build the HTML, serve ``options.out_dir`` on 127.0.0.1:``port`` (0: any free port),
    rebuild on every edit until interrupted. Every line of news (what was rebuilt, the
    problems of a failed build, the address) goes to ``say``: the caller shows it (the
    library prints nothing). Returns the exit code; raises :class:`OutputError` if the port
    cannot be used."""
    out = options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    preview = Preview(out)
    try:
        server = make_server(preview, port)
    except (OSError, OverflowError) as exc:
        raise OutputError(
            f"cannot listen on 127.0.0.1:{port}: "
            f"{getattr(exc, 'strerror', None) or exc} "
            "(choose another port with --port)"
        ) from None
    wanted = {"pdf", "docx"} & set(options.formats)
    pdfs = BackgroundBuild(options, preview, say) if wanted else None
    watcher = Watcher(options, preview, say, pdfs)
    watcher.rebuild("start")
    thread = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    thread.start()
    shown = ", ".join(_relative(path, options.root) for path in watched(options))
    say(
        f"serving {out} at http://127.0.0.1:{server.server_address[1]}/ "
        f"(watching {shown}; Ctrl+C stops)"
    )
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        watcher.run(stop)
    except KeyboardInterrupt:
        pass
    finally:
        if pdfs:
            pdfs.cancel("the preview stops")
        server.shutdown()
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        say("stopped")
    return 0
