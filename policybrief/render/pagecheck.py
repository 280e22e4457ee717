"""What a rendered page may load, decided by parsing it the way a browser and WeasyPrint do.

The page is parsed with tinyhtml5 (WeasyPrint's own HTML parser, an HTML5 tree builder, so
entities, odd quoting and ``<svg>`` attributes come out as a browser sees them; see
:mod:`htmlparse`) and every style sheet and ``style``/presentation attribute with tinycss2
(WeasyPrint's CSS tokenizer, which resolves CSS escapes). A page may load only ``data:``
URIs and relative files of the output folder; it may not set a ``<base>``, refresh to
elsewhere, or ask for an attachment.

Every page also gets a Content-Security-Policy ``<meta>`` as the first element of its head,
so that a browser itself refuses anything from outside: only inline styles, ``data:``
images and fonts, and the page's own inline scripts (by hash) are allowed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import unquote
from xml.etree.ElementTree import Element

import tinycss2

from policybrief.core.htmlparse import parse

if TYPE_CHECKING:
    from tinycss2.ast import Node  # tinycss2 ships no types: Any to mypy

# Attributes whose value is a URL the browser (or WeasyPrint) fetches, or submits/pings to.
_LOADING = {
    "src",
    "href",
    "data",
    "poster",
    "background",
    "action",
    "formaction",
    "ping",
    "manifest",
    "codebase",
    "archive",
    "lowsrc",
    "dynsrc",
    "longdesc",
    "icon",
    "profile",
    "classid",
    "usemap",
}
_SETS = {"srcset", "imagesrcset"}
_FILES = {"src", "poster", "data", "background", "lowsrc", "dynsrc"}  # attributes that load
_LINK_LOADS = {"stylesheet", "icon", "preload", "prefetch", "manifest", "apple-touch-icon"}
_NAVIGATION = {"a", "area"}  # href there is a link the reader follows, not a load
_CSS_URL_FUNCTIONS = {"url", "src"}
_CSS_SET_FUNCTIONS = {"image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade"}
_TAB_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_PREFIX = re.compile(  # doctype, <html ...>, <head ...> and comments before them
    r"(?:\s|<!--.*?-->)*(?:<!doctype[^>]*>)?(?:\s|<!--.*?-->)*"
    r"(?:<html(?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*\s*/?>)?"
    r"(?:\s|<!--.*?-->)*"
    r"(?:<head(?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*\s*/?>)?",
    re.I | re.S,
)

POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "script-src {scripts}; base-uri 'none'; form-action 'none'"
)
CSP_ID = "policybrief-csp"


def outside_url(url: str) -> str | None:
    """``url`` if it points outside the page's folder tree (a scheme other than data:, a
    host, an absolute path, or ``..``), else None. Parsed as a browser does: surrounding
    spaces and control characters dropped, tabs and newlines removed, backslashes as
    slashes."""
    cleaned = _TAB_NEWLINE.sub(
        "",
        url.strip(
            "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
            "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15"
            "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
        ),
    )
    scheme = _SCHEME.match(cleaned)
    if scheme:
        return None if scheme.group().lower() == "data:" else url
    path = cleaned.replace("\\", "/").split("#", 1)[0].split("?", 1)[0]
    if path.startswith("/") or ".." in path.split("/"):
        return url
    return None


def srcset_urls(value: str) -> list[str]:
    """The URL of every candidate in a ``srcset`` (HTML's parsing algorithm, in short: a
    URL runs to whitespace, a trailing comma ends a candidate, descriptors run to a comma
    outside parentheses)."""
    urls, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if not url:
            break
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        depth = 0
        while i < n and (depth or value[i] != ","):
            depth += {"(": 1, ")": -1}.get(value[i], 0)
            i += 1
    return urls


def css_urls(css: str) -> list[str]:
    """Every URL a piece of CSS (a style sheet or a declaration list) refers to."""
    return list(_css_urls(css))


@lru_cache(maxsize=128)
def _css_urls(css: str) -> tuple[str, ...]:
    """(Cached by the text: every page of a build inlines the same style sheet, and
    tokenizing it was a third of the page check.)"""
    found: list[str] = []

    def walk(tokens: Iterable[Node]) -> None:
        after_import = False
        for token in tokens:
            kind = token.type
            if kind in ("whitespace", "comment"):
                continue
            if after_import and kind in ("string", "url"):
                found.append(token.value)
            after_import = kind == "at-keyword" and token.lower_value == "import"
            if kind == "url":
                found.append(token.value)
            elif kind == "function":
                args = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
                if token.lower_name in _CSS_URL_FUNCTIONS and args and args[0].type == "string":
                    found.append(args[0].value)
                elif token.lower_name in _CSS_SET_FUNCTIONS:
                    found.extend(t.value for t in args if t.type == "string")
                walk(token.arguments)
            elif kind in ("() block", "[] block", "{} block"):
                walk(token.content)

    walk(tinycss2.parse_component_value_list(css))
    return tuple(found)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


class Finding(str):
    """A problem found in a page; ``needle`` is the text that may find its template line,
    ``hint`` what to do (empty: the caller's general advice)."""

    needle: str = ""
    hint: str = ""

    @classmethod
    def of(cls, message: str, needle: str = "", hint: str = "") -> Finding:
        finding = cls(message)
        finding.needle, finding.hint = needle, hint
        return finding


def check_tree(root: Element) -> list[Finding]:
    """Problems with one parsed document: what it would load from outside, and more."""
    problems: list[Finding] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        attrs = {_local(k): v for k, v in element.attrib.items()}
        problems += _element_problems(tag, attrs)
        for name, value in attrs.items():
            problems += _attribute_problems(tag, name, value)
        if tag == "style":
            problems += _outside(css_urls("".join(element.itertext())))
    return list(dict.fromkeys(problems))


def _outside(urls: list[str]) -> list[Finding]:
    return [
        Finding.of(f"refers to an outside resource {url[:80]!r}", url)
        for url in urls
        if outside_url(url) is not None
    ]


def _element_problems(tag: str, attrs: dict[str, str]) -> list[Finding]:
    """An element that redirects the page or asks for an attachment, whatever it loads."""
    problems = []
    if tag == "base":
        problems.append(
            Finding.of("sets a <base> URL (a page may not change where its links point)", "<base")
        )
    if tag == "meta" and attrs.get("http-equiv", "").strip().lower() == "refresh":
        problems.append(
            Finding.of(
                "has a <meta http-equiv=refresh> (a page may not send the reader elsewhere)",
                "refresh",
            )
        )
    if "attachment" in attrs.get("rel", "").lower().split():
        problems.append(Finding.of("asks for a PDF attachment (rel=attachment)"))
    return problems


def _attribute_problems(tag: str, name: str, value: str) -> list[Finding]:
    """What one attribute would load from outside (a script URL, for a link)."""
    if name in _SETS:
        return _outside(srcset_urls(value))
    if name in _LOADING:
        if name == "href" and tag in _NAVIGATION:
            scheme = _TAB_NEWLINE.sub("", value).strip().lower()
            if scheme.startswith(("javascript:", "vbscript:")):
                return [Finding.of(f"links to a script URL {value[:80]!r}", value)]
            return []
        return _outside([value])
    if name == "srcdoc":
        return check_tree(parse(value))
    if name == "style" or "(" in value:
        return _outside(css_urls(value))
    return []


def local_loads(root: Element) -> list[Finding]:
    """Files the page would load from beside itself (``<img src="seal.png">``, ``url(a.woff2)``
    in its CSS): the output folder holds no such file and the page's policy allows only data:
    URIs, so each is a problem, with the ``asset()`` call that embeds the file instead."""
    found: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        rel = set(element.attrib.get("rel", "").lower().split())
        for name, value in ((_local(k), v) for k, v in element.attrib.items()):
            if name in _FILES or (name == "href" and tag == "link" and rel & _LINK_LOADS):
                found.append(value)
            elif name in _SETS:
                found += srcset_urls(value)
            elif name == "style":
                found += css_urls(value)
        if tag == "style":
            found += css_urls("".join(element.itertext()))
    return [
        Finding.of(
            f"loads {url[:80]!r} from beside the page, where it is not "
            f"(embed the file with {{{{ asset({url.strip()[:80]!r}) }}}})",
            url,
        )
        for url in dict.fromkeys(found)
        if _is_local_file(url)
    ]


def dangling_links(root: Element) -> list[Finding]:
    """In-page links (``href="#x"``) to an id the page does not have: a dead link in print,
    a click that goes nowhere on screen. A citation mark's ``#note-N`` is the usual one: a
    template that leaves out the notes partial leaves every mark pointing at nothing, and
    the reader without the quote that proves the figure. (Cross-references to an exhibit
    an edition does not print are made text before this check: see
    ``render.unlink_absent_exhibits``.)"""
    ids, targets = set(), []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        attrs = {_local(k): v for k, v in element.attrib.items()}
        ids.add(attrs.get("id"))
        if tag == "a" and attrs.get("name"):
            ids.add(attrs["name"])
        href = attrs.get("href", "").strip()
        if tag in _NAVIGATION and href.startswith("#"):
            targets.append(unquote(href[1:]))
    found = []
    for target in dict.fromkeys(targets):
        if target in ids or target in ("", "top"):  # "#" and "#top": the top of the page
            continue
        hint = (
            "citation marks link to their notes: include the notes partial "
            '({% include "_partials/notes.html" %}) in the audience\'s template'
            if target.startswith("note-")
            else f'give the target an id="{target}", or remove the link'
        )
        message = f"links to #{target}, which is not on the page"
        found.append(Finding.of(message, f'"#{target}"', hint))  # the needle finds its line
    return found


def _is_local_file(url: str) -> bool:
    """A relative URL that names a file (not data:, not ``#fragment``, not outside)."""
    cleaned = _TAB_NEWLINE.sub("", url).strip()
    return (
        bool(cleaned)
        and not cleaned.startswith("#")
        and outside_url(cleaned) is None
        and not (_SCHEME.match(cleaned))
    )


def _hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def secure(html: str, links: bool = True) -> tuple[str, list[Finding]]:
    """The page with its Content-Security-Policy inserted first in its head, and the problems
    found in it (empty if it loads nothing from outside and, with ``links``, has no in-page
    link to an id it lacks)."""
    # A pure function of its arguments, and the HTML5 parse is most of a small build's
    # time: a process that builds again (``serve``, a batch) checks an unchanged page once.
    secured, problems = _secure(html, links)
    return secured, list(problems)


@lru_cache(maxsize=32)
def _secure(html: str, links: bool) -> tuple[str, tuple[Finding, ...]]:
    root = parse(html)
    problems = check_tree(root)
    problems += [p for p in local_loads(root) if p not in problems]
    if links:
        problems += dangling_links(root)
    scripts = sorted(
        {
            _hash("".join(e.itertext()))
            for e in root.iter()
            if isinstance(e.tag, str) and _local(e.tag) == "script" and "src" not in e.attrib
        }
    )
    policy = POLICY.format(scripts=" ".join(scripts) or "'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" id="{CSP_ID}" content="{policy}">'
    prefix = _PREFIX.match(html)
    cut = prefix.end() if prefix else 0
    return html[:cut] + ("\n" if cut else "") + meta + html[cut:], tuple(problems)
