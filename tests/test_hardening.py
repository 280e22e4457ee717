"""Hostile content reaches nothing; killed or concurrent builds lose nothing (on the fixture
project; how long the refusals take is measured by benchmarks/limits.py)."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import pypdf
import pytest
from helpers import (
    ROOT,
    copy_fixture,
    parse_html,
    pdf_pages,
    run_cli,
    squash,
    start_cli,
    write_files,
)

from policybrief.build.pipeline import Options, build
from policybrief.core.errors import BriefError, InputError


class _Server(http.server.ThreadingHTTPServer):
    requests: list[str]


@pytest.fixture(scope="module")
def server():
    """A local HTTP server that records every request it gets: none should arrive."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's API
            self.server.requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = _Server(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    assert httpd.requests == [], httpd.requests


def _url(server, name: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/{name}"


def _prose(project: Path, extra: str) -> None:
    """Add ``extra`` to the Lessons section; digits in it (ports, depths) are allowed."""
    path = project / "briefs/hexi/en.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("# lessons\n", f"# lessons\n\n{extra}\n\n", 1), encoding="utf-8")
    brief = project / "briefs/hexi/brief.yaml"
    tokens = sorted(set(re.findall(r"\S*\d\S*", extra)), key=len, reverse=True)
    settings = re.sub(
        r"allow_digits: \[(.*?)\]",  # the brief's own names and idioms, then these tokens
        lambda m: "allow_digits: " + json.dumps([*filter(None, [m.group(1)]), *tokens]),
        brief.read_text(encoding="utf-8"),
        count=1,
    )
    brief.write_text(settings, encoding="utf-8")


def _template(tmp_path: Path, block: str) -> Path:
    folder = tmp_path / "house"
    write_files(
        folder,
        {
            "full-report.html": '{% extends "base.html" %}\n'
            "{% block front %}" + block + "{% endblock %}\n"
        },
    )
    return folder


def _build(project: Path, tmp_path: Path, formats=("html",), templates=()):
    return build(
        Options(
            root=project,
            out=tmp_path / "out",
            briefs=("hexi",),
            langs=("en",),
            audiences=("full-report",),
            formats=formats,
            templates=tuple(templates),
        )
    )


def _html(tmp_path: Path) -> str:
    return (tmp_path / "out/hexi/full-report.en.html").read_text(encoding="utf-8")


PROSE_SHOWN_AS_TEXT = {
    "raw img tag": ('<img src="{url}">', "&lt;img src="),
    "script tag": ("<script>fetch('{url}')</script>", "&lt;script&gt;"),
    "link to a local file": ("[secret](../../secret)", "[secret](../../secret)"),
    "svg with external reference": ('<svg><image href="{url}"/></svg>', "&lt;svg&gt;"),
    "attachment link": ('<link rel="attachment" href="/etc/passwd">', "&lt;link rel="),
}


@pytest.mark.parametrize("case", sorted(PROSE_SHOWN_AS_TEXT))
def test_markup_in_prose_is_shown_as_text(server, tmp_path, case):
    """Each case alone, in the web page (the PDF: the next test)."""
    source, shown = PROSE_SHOWN_AS_TEXT[case]
    project = copy_fixture(tmp_path / "p")
    _prose(project, source.format(url=_url(server, case)))
    _build(project, tmp_path)
    html = _html(tmp_path)
    assert shown in html
    root = parse_html(tmp_path / "out/hexi/full-report.en.html")
    lessons = next(e for e in root.iter() if e.get("id") == "sec-lessons")
    tags = {e.tag.split("}")[1] for e in lessons.iter()}
    assert not tags & {"img", "script", "svg", "image", "link", "a"}, tags


def test_markup_in_prose_reaches_nothing_from_the_pdf(server, tmp_path):
    """Every case above in one brief, built to PDF too: WeasyPrint lays the page out with
    the markup as text, so nothing is fetched (the server records every request) and the
    PDF prints what the page shows. (One PDF for all cases: a PDF build of each case alone
    cost seconds apiece.)"""
    project = copy_fixture(tmp_path / "p")
    cases = sorted(PROSE_SHOWN_AS_TEXT.items())
    _prose(
        project, "\n\n".join(source.format(url=_url(server, case)) for case, (source, _) in cases)
    )
    _build(project, tmp_path, formats=("html", "pdf"))
    html = _html(tmp_path)
    for case, (_source, shown) in cases:
        assert shown in html, case
    assert server.requests == []
    printed = squash("".join(pdf_pages(tmp_path / "out/hexi/full-report.en.pdf")))
    assert squash("<script>fetch(") in printed and squash("<img src=") in printed
    assert not (tmp_path / "escape").exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Figure[x]: A chart\n\n![A chart]({url})", "image '{url}' is a URL"),
        (
            "Figure[x]: A file\n\n![A file](file:///etc/passwd)",
            "image 'file:///etc/passwd' is a URL",
        ),
        ("![A chart]({url})", "image without a caption"),
    ],
)
def test_an_image_in_prose_loads_nothing_from_elsewhere(server, tmp_path, source, message):
    """Images in prose come from the brief's folder only (tests/test_images.py has the rest);
    a URL is an error at its line, and nothing is requested."""
    project = copy_fixture(tmp_path / "p")
    url = _url(server, "prose.png")
    _prose(project, source.format(url=url))
    with pytest.raises(InputError) as caught:
        _build(project, tmp_path, formats=("html", "pdf"))
    assert any(
        p.path == "briefs/hexi/en.md" and message.format(url=url) in p.message
        for p in caught.value.problems
    ), caught.value.problems
    assert not (tmp_path / "out/hexi/full-report.en.html").exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed in prose"),
        ("{{ fact.__globals__ }}", "not allowed in prose"),
        ('{% include "/etc/passwd" %}', "not allowed in prose: include blocks"),
        ("{{ cycler.__init__.__globals__.os }}", "not allowed in prose"),
    ],
)
def test_template_injection_in_prose_fails_clearly(tmp_path, source, message):
    project = copy_fixture(tmp_path / "p")
    _prose(project, source)
    with pytest.raises(BriefError) as caught:
        _build(project, tmp_path)
    assert str(caught.value).startswith("briefs/hexi/en.md:")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ('<img src="{url}">', "refers to an outside resource 'http://127.0.0.1:"),
        ('<svg><image href="{url}"/></svg>', "refers to an outside resource 'http://127.0.0.1:"),
        ('<div style="background: url({url})">x</div>', "refers to an outside resource"),
        ("<style>@import url({url});</style>", "refers to an outside resource"),
        ('<script src="{url}"></script>', "refers to an outside resource"),
        ('<img src="file:///etc/passwd">', "refers to an outside resource 'file:///etc/passwd'"),
        ('<link rel="attachment" href="../../pyproject.toml">', "asks for a PDF attachment"),
        ('{% include "../../../../etc/passwd" %}', "template '../../../../etc/passwd' not found"),
    ],
)
def test_user_templates_cannot_reach_outside(server, tmp_path, block, message):
    project = copy_fixture(tmp_path / "p")
    folder = _template(tmp_path, block.replace("{url}", _url(server, "t.png")))
    with pytest.raises(BriefError) as caught:
        _build(project, tmp_path, templates=[folder])
    assert message in str(caught.value)
    assert not (tmp_path / "out/hexi/full-report.en.html").exists()


def test_pdf_fetcher_serves_only_the_template_folders(server, tmp_path):
    """Independent of the page check: WeasyPrint itself cannot fetch outside."""
    from policybrief.output.pdf import PdfWriter

    writer = PdfWriter((ROOT / "templates",))
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    html = (
        f'<img src="{_url(server, "w.png")}"><img src="{secret.as_uri()}">'
        '<img src="../../../../etc/passwd"><link rel="attachment" href="/etc/hostname">'
    )
    result = writer.render(html, ROOT / "templates")
    assert len(result.blocked) >= 3
    assert any("secret.png" in url for url in result.blocked)


def test_huge_inline_image_is_refused(tmp_path):
    project = copy_fixture(tmp_path / "p")
    data = "A" * (5 * 1024 * 1024)
    folder = _template(tmp_path, f'<img alt="" src="data:image/png;base64,{data}">')
    with pytest.raises(BriefError) as caught:
        _build(project, tmp_path, formats=("pdf",), templates=[folder])
    assert "data: URI of 5120 KiB (limit 4096 KiB)" in str(caught.value)


def test_fact_labels_are_escaped_not_evaluated(tmp_path):
    project = copy_fixture(tmp_path / "p")
    facts = project / "facts/hexi.yaml"
    text = facts.read_text(encoding="utf-8")
    text = text.replace("en: residents,", 'en: "<script>x</script> {{ config.items() }}",', 1)
    assert "<script>" in text
    facts.write_text(text, encoding="utf-8")
    _build(project, tmp_path)
    html = _html(tmp_path)
    assert "&lt;script&gt;x&lt;/script&gt; {{ config.items() }}" in html
    assert "<script>x" not in html


def test_deeply_nested_markdown_is_refused(tmp_path):
    project = copy_fixture(tmp_path / "p")
    _prose(project, "".join("  " * i + "- x\n" for i in range(2000)))
    with pytest.raises(InputError) as caught:
        _build(project, tmp_path)
    assert any(p.message == "nested too deeply" for p in caught.value.problems)


def test_audience_names_cannot_leave_the_output_folder(tmp_path):
    project = copy_fixture(tmp_path / "p")
    audiences = project / "templates/audiences.yaml"
    audiences.write_text(
        audiences.read_text(encoding="utf-8").replace("  decision-makers:", '  "../../escape":', 1),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        _build(project, tmp_path)
    assert "audience name '../../escape' is not valid" in str(caught.value)
    assert not (tmp_path / "escape").exists()


def test_brief_selection_cannot_name_a_path(tmp_path):
    project = copy_fixture(tmp_path / "p")
    result = run_cli("--project", str(project), "--brief", "../../etc")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: unknown brief '../../etc'")


# -- nothing lost -------------------------------------------------------------------------------

# HTML and PDF, the outputs _valid() reads back (a Word file is written the same way).
SMALL = ["--brief", "hexi", "--audience", "decision-makers", "--lang", "en"]
SMALL += ["--format", "html", "--format", "pdf"]


def _outputs(out: Path, pattern: str) -> list[Path]:
    """The outputs a reader sees (not a killed build's private staging folder)."""
    return [
        p
        for p in out.rglob(pattern)
        if not any(part.startswith(".") for part in p.relative_to(out).parts)
    ]


def _valid(out: Path) -> int:
    count = 0
    for pdf in _outputs(out, "*.pdf"):
        reader = pypdf.PdfReader(str(pdf))
        assert len(reader.pages) == 1 and reader.pages[0].extract_text()
        count += 1
    for html in _outputs(out, "*.html"):
        assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")
        count += 1
    return count


def _own_temp(tmp_path: Path) -> dict[str, str]:
    """The environment for a build whose system temporary folder is the test's own, empty."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    return {**os.environ, "TMPDIR": str(temp)}


def _font_folders(*folders: Path) -> list[Path]:
    """WeasyPrint's temporary folders of @font-face fonts, anywhere under ``folders``."""
    return [p for folder in folders for p in folder.rglob("weasyprint-*") if p.is_dir()]


def test_killed_builds_leave_old_or_new_files_never_half(tmp_path):
    """Every run is forced, so each one killed was rewriting the files (an unforced run
    would skip them all and be killed with nothing to lose)."""
    project = copy_fixture(tmp_path / "p")
    out = tmp_path / "out"
    env = _own_temp(tmp_path)
    command = ["--project", str(project), *SMALL, "--out", str(out), "--quiet", "--force"]
    started = time.perf_counter()
    assert run_cli(*command, env=env).returncode == 0
    duration = time.perf_counter() - started
    assert _valid(out) == 4
    # Kill at moments spread over the run, most near its end where files are written.
    for fraction in (0.5, 0.85, 0.95, 0.99, 1.02):
        process = start_cli(*command, env=env, logs=tmp_path / f"logs-{fraction}")
        time.sleep(duration * fraction)
        with contextlib.suppress(ProcessLookupError):  # (1.02: it may have ended)
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert _valid(out) == 4
    assert run_cli(*command, env=env).returncode == 0
    assert not list(out.rglob(".*.tmp")), "stale temporary files are cleaned up"
    assert not list((out / ".staging").glob("*/*.*ml")), "killed builds' staging is cleaned up"
    assert not _font_folders(Path(env["TMPDIR"]), out)


@pytest.mark.parametrize(
    ("langs", "whole_group"),
    [(["en"], True), (["en", "zh"], True), (["en", "zh"], False)],
    ids=["in-process", "two-workers", "build-process-only"],
)
def test_builds_killed_while_rendering_pdfs_leave_no_temporary_files(tmp_path, langs, whole_group):
    """WeasyPrint copies every @font-face font into a ``weasyprint-*`` folder that it
    removes only when its process ends normally. A build killed while it renders PDFs
    leaves that folder in its own staging folder, which the next build removes, and none in
    the system's temporary folder. One PDF renders in the build's process, two in workers;
    the out-of-memory killer may kill the build's process alone: its workers go with it."""
    project = copy_fixture(tmp_path / "p")
    out = tmp_path / "out"
    env = _own_temp(tmp_path)
    temp = Path(env["TMPDIR"])
    command = ["--project", str(project), "--quiet"]
    command += ["--brief", "hexi", "--audience", "decision-makers", "--format", "pdf"]
    command += [*(f"--lang={lang}" for lang in langs), "--jobs=2", "--out", str(out)]
    process = start_cli(*command, env=env, logs=tmp_path / "logs")
    try:
        deadline = time.monotonic() + 120
        while not _font_folders(temp, out):
            assert process.poll() is None, "the build ended before a PDF started rendering"
            assert time.monotonic() < deadline, "no PDF started rendering"
            time.sleep(0.01)
        (os.killpg if whole_group else os.kill)(process.pid, signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL, "killed while rendering, not after"
        assert not _outputs(out, "*.pdf")
        assert run_cli(*command, env=env).returncode == 0
    finally:  # whatever outlived the killed build
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert len(_outputs(out, "*.pdf")) == len(langs)
    assert not _font_folders(temp, out), "no font folder is left, here or in TMPDIR"
    assert not list((out / ".staging").iterdir()), "the killed build's staging folder is gone"
    assert not list(temp.iterdir()), "nothing at all is left in TMPDIR"


def test_concurrent_builds_do_not_corrupt_each_other(tmp_path):
    project = copy_fixture(tmp_path / "p")
    out = tmp_path / "out"
    command = ["--project", str(project), *SMALL, "--out", str(out), "--quiet"]
    processes = [start_cli(*command, logs=tmp_path / f"logs-{n}") for n in range(3)]
    assert [p.wait() for p in processes] == [0, 0, 0]
    assert _valid(out) == 4
