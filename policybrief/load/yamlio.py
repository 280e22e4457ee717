"""YAML loading that keeps line numbers, so later checks can cite ``path:line``.

Mappings load as :class:`YMap` and sequences as :class:`YList`; both remember the line of
every key or item. Dates stay strings (the checker parses them), duplicate keys are
problems rather than silent overwrites, and a byte-order mark or CRLF line ends are fine.

Project files are untrusted input, so time and memory are bounded before anything is built:
a file may be at most ``MAX_FILE_BYTES``, may not use anchors or aliases (``&a``/``*a``: an
alias bomb expands a few lines into billions of nodes), may nest collections at most
``MAX_DEPTH`` levels (libyaml's time grows with the square of flow nesting, and building
the data recurses) and may not write an integer longer than ``MAX_NUMBER_CHARS``.
"""

from __future__ import annotations

import copy
import datetime
import errno
import os
import re
import stat
from collections.abc import Callable, Hashable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from policybrief.core import xmlsafe
from policybrief.core.errors import Problem, did_you_mean
from policybrief.core.model import Loc, PartialDate, RawValue, Text, TextSite

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

MAX_FILE_BYTES = 5_000_000  # any YAML or Markdown file of the project
MAX_DEPTH = 100  # nested mappings and lists; project files use at most five or six
MAX_NUMBER_CHARS = 100  # an integer's text; facts stop at 10**18 anyway


# A YAML mapping's keys and values and a sequence's items are what the file says (a
# RawValue each). They are typed Any: the loaders check values with isinstance, often over
# a whole list at once (``all(isinstance(i, str) for i in ids)``), which a type checker
# cannot follow, and most of them take a key for text (YAML also allows numbers as keys).


class YMap(dict[Any, Any]):
    """A mapping from YAML with the line of the mapping and of each key."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Hashable, int] = {}

    def line_of(self, key: Hashable) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A sequence from YAML with the line of the sequence and of each item."""

    line: int = 0

    def __init__(self, items: Iterable[RawValue] = ()) -> None:
        super().__init__(items)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# libyaml's parser when PyYAML was built with it (it is, in the PyPI wheels): 5-10x faster.
if TYPE_CHECKING:
    _Base = yaml.SafeLoader
else:
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# Line breaks for YAML (and libyaml's line numbers) but not for editors or for the briefs'
# own line count, which split on "\n" alone.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
_ALL_BREAKS = re.compile("[\n\x85\u2028\u2029]")


class _Loader(_Base):
    """SafeLoader that builds YMap/YList, records duplicate keys, and keeps dates as text."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[Hashable, int]] = []
        self.unhashable: list[int] = []
        # libyaml counts NEL, LS and PS as line breaks: map its lines to "\n" lines.
        self.real_lines: list[int] | None = None
        if _ODD_BREAKS.search(stream):
            self.real_lines = [1]
            for match in _ALL_BREAKS.finditer(stream):
                self.real_lines.append(self.real_lines[-1] + (match.group() == "\n"))

    def line(self, mark: Mark) -> int:
        """The 1-based line of a mark, counting line feeds only."""
        if self.real_lines is None:
            return mark.line + 1
        return self.real_lines[min(mark.line, len(self.real_lines) - 1)]


# Dates stay strings: "2016-12" and "2016-12-01" must be treated alike by the checker.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Mark(Protocol):
    """Where the parser is: a ``yaml.Mark``, or the mark of libyaml's C parser (another
    class with the same fields)."""

    @property
    def line(self) -> int: ...  # 0-based


class _Refused(Exception):
    """YAML that is valid but not accepted in a project file."""

    def __init__(self, mark: Mark | None, message: str, hint: str):
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


def _expect(node: yaml.Node, kind: type, what: str) -> None:
    """An explicit tag can put a scalar where a collection belongs (``!!map text``)."""
    if not isinstance(node, kind):
        raise ConstructorError(
            None, None, f"expected {what}, but found {getattr(node, 'id', '?')}", node.start_mark
        )


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[YMap]:
    _expect(node, yaml.MappingNode, "a mapping")
    result = YMap()
    result.line = loader.line(node.start_mark)
    yield result
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = loader.line(key_node.start_mark)
        try:
            hash(key)
        except TypeError:
            loader.unhashable.append(line)
            continue
        if key in result:
            loader.duplicates.append((key, line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[YList]:
    _expect(node, yaml.SequenceNode, "a sequence")
    result = YList()
    result.line = loader.line(node.start_mark)
    yield result
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.item_lines.append(loader.line(item.start_mark))


# YAML 1.1 reads some plain text as something else: 0100 as octal 64, 1_000 as 1000, 0x10
# as 16, 1:30 as 90, no/on/yes as booleans, .inf as infinity. Project files must mean what
# they show, so only these plain forms are read as numbers and booleans.
_AS_WRITTEN = {
    "integer": re.compile(r"[-+]?(?:0|[1-9][0-9]*)"),
    "number": re.compile(r"[-+]?(?:0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?"),
    "boolean": re.compile(r"true|false|True|False"),
}


def _reinterpreted(kind: str, node: yaml.ScalarNode, value: RawValue) -> str | None:
    """Why a plain scalar does not mean what it shows, or None."""
    pattern = _AS_WRITTEN.get(kind)
    plain = node.style in (None, "")  # libyaml gives "" for a plain scalar, PyYAML None
    if pattern is None or not plain or node.tag != f"tag:yaml.org,2002:{_TAGS[kind]}":
        return None
    if pattern.fullmatch(node.value):
        return None
    return f"{node.value!r} would be read as {value!r}"


_TAGS = {"integer": "int", "number": "float", "boolean": "bool"}
# A PyYAML constructor of one kind of scalar (SafeConstructor.construct_yaml_int, ...), and
# what the loader calls for a node of that tag.
Constructor = Callable[[SafeConstructor, yaml.ScalarNode], RawValue]
NodeConstructor = Callable[[_Loader, yaml.Node], RawValue]


def _scalar(kind: str, construct: Constructor) -> NodeConstructor:
    """Wrap a scalar constructor so that text it cannot read (``!!int x``, ``!!bool maybe``,
    an integer too long to print) is a YAML error with its line, not an exception; and so
    that plain text YAML would silently reinterpret (0100, no, 1_000) is refused."""

    def wrapped(loader: _Loader, node: yaml.Node) -> RawValue:
        if not isinstance(node, yaml.ScalarNode):
            return construct(loader, node)  # type: ignore[arg-type]  # raises "expected a scalar node"
        if kind == "integer" and len(node.value) > MAX_NUMBER_CHARS:
            raise _Refused(
                node.start_mark,
                f"a number may be at most {MAX_NUMBER_CHARS} characters long",
                "quote it if it is text",
            )
        try:
            value = construct(loader, node)
        except (ValueError, LookupError, AttributeError, TypeError):
            text = node.value if len(node.value) <= 40 else node.value[:40] + "…"
            raise _Refused(
                node.start_mark,
                f"invalid YAML: {text!r} is not a valid {kind}",
                "quote it if it is text",
            ) from None
        why = _reinterpreted(kind, node, value)
        if why:
            plainly = {"integer": "e.g. 100", "number": "e.g. 2.5", "boolean": "true or false"}
            raise _Refused(
                node.start_mark,
                f"{why}, not as written",
                f'quote it ("{node.value}") if it is text, or write the {kind} '
                f"plainly ({plainly[kind]})",
            )
        return value

    return wrapped


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
for _tag, _kind, _construct in (
    ("bool", "boolean", SafeConstructor.construct_yaml_bool),
    ("int", "integer", SafeConstructor.construct_yaml_int),
    ("float", "number", SafeConstructor.construct_yaml_float),
    ("timestamp", "date", SafeConstructor.construct_yaml_timestamp),
):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _scalar(_kind, _construct))


def read(path_on_disk: str, shown_path: str) -> tuple[bytes | None, list[Problem]]:
    """Read a project file of at most ``MAX_FILE_BYTES``; anything else is a problem."""
    try:
        # O_NONBLOCK: a named pipe must not block the build; it is refused below.
        handle = os.open(path_on_disk, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, [Problem(shown_path, 0, "the file is a symlink loop")]
        return None, [Problem(shown_path, 0, f"cannot read the file: {exc.strerror or exc}")]
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        if stat.S_ISDIR(mode):
            return None, [Problem(shown_path, 0, "cannot read the file: Is a directory")]
        return None, [
            Problem(
                shown_path,
                0,
                "not a regular file (a named pipe, device or socket)",
                "project files must be ordinary files",
            )
        ]
    with os.fdopen(handle, "rb") as file:
        try:
            raw = file.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            return None, [Problem(shown_path, 0, f"cannot read the file: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Problem(
                shown_path,
                0,
                f"file is larger than "
                f"{MAX_FILE_BYTES / 1_000_000:g} MB, the limit for project files",
                "split it into smaller files",
            )
        ]
    return raw, []


def decode(data: bytes, path: str, first_line: int = 1) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 bytes (BOM allowed); a bad byte is a problem with its line."""
    data = data.removeprefix(b"\xef\xbb\xbf")  # so that the error's offset counts from here
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = first_line + before.count(b"\n")
        return None, [
            Problem(
                path,
                line,
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                "save the file as UTF-8",
            )
        ]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = xmlsafe.INVALID_RE.search(text)
    if bad:
        return None, [
            Problem(
                path,
                first_line + text.count("\n", 0, bad.start()),
                f"holds the control character {xmlsafe.shown(bad.group(0))}, which no "
                "page or Word file can hold",
                "delete it: often a stray byte from a copy and paste",
            )
        ]
    return text, []


def _screen_scalar(event: yaml.ScalarEvent) -> None:
    """Refuse a scalar holding a character XML cannot hold (written as an escape such as
    ``"\\v"`` or ``"\\uFFFE"``: raw ones stop :func:`decode` already)."""
    bad = xmlsafe.INVALID_RE.search(event.value)
    if bad:
        raise _Refused(
            event.start_mark,
            f"text holds the control character {xmlsafe.shown(bad.group(0))}, "
            "which no page or Word file can hold",
            "delete the escape that writes it",
        )


def _screen(text: str) -> None:
    """Walk the parser's events (cheap, and libyaml's parser does not recurse) and refuse
    anchors, aliases and deep nesting before any data is built. Stops at the first one, so
    a deeply nested file costs no more than one nested ``MAX_DEPTH`` levels."""
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _Refused(
                    event.start_mark,
                    "anchors and aliases (&name, *name) are not allowed",
                    "write each value out in full",
                )
            if isinstance(event, yaml.ScalarEvent):
                _screen_scalar(event)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused(
                        event.start_mark,
                        f"lists and mappings nest more than {MAX_DEPTH} levels deep",
                        "flatten the structure",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def list_length(text: str, key: str, nth: int) -> tuple[int, int] | None:
    """How many items the list under the top-level ``key`` holds, and the line of item
    ``nth`` (counted from 0; 0 when there are fewer), by walking the parser's events
    without building anything: a table far over its limit is refused in a fraction of
    the time its rows take to load. None when the text holds no such list or does not
    parse (the full parse then says why)."""
    loader = _Loader(text)
    depth, count, line, inside, last_key = 0, 0, 0, False, None
    try:
        while loader.check_event():
            event = loader.get_event()
            if inside and depth == 2 and isinstance(event, yaml.NodeEvent):
                if count == nth and event.start_mark is not None:
                    line = loader.line(event.start_mark)
                count += 1
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                inside = inside or (depth == 2 and last_key == key)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                if inside and depth == 1:
                    return count, line
                if depth == 1:
                    last_key = None  # (that value is done: the next scalar is a key)
            elif depth == 1 and isinstance(event, yaml.ScalarEvent):
                last_key = event.value if last_key is None else None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def parse(text: str, path: str, first_line: int = 1) -> tuple[RawValue, list[Problem]]:
    """Parse YAML text; return (data, problems). Lines are offset by ``first_line - 1``.
    A process that loads the same text again (``serve``, a batch, ``check`` then build)
    gets a copy of what it parsed the first time: building the data is most of a small
    build's loading, and copying it a fifth of that."""
    data, problems = _parsed(text, path, first_line)
    return copy.deepcopy(data), list(problems)


@lru_cache(maxsize=256)
def _parsed(text: str, path: str, first_line: int) -> tuple[RawValue, tuple[Problem, ...]]:
    data, problems = _parse(text, path, first_line)
    return data, tuple(problems)


def _parse(text: str, path: str, first_line: int) -> tuple[RawValue, list[Problem]]:
    offset = first_line - 1
    loader = _Loader(text)
    try:
        _screen(text)
        data = loader.get_single_data()
    except _Refused as exc:
        line = offset + (loader.line(exc.mark) if exc.mark else 1)
        return None, [Problem(path, line, exc.message, exc.hint)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = offset + (loader.line(mark) if mark else 1)
        what = exc.problem or "invalid YAML"
        return None, [
            Problem(path, line, f"invalid YAML: {what}", "check indentation, colons and quotes")
        ]
    except yaml.reader.ReaderError as exc:  # a control character; position counts UTF-8 bytes
        if not isinstance(exc.character, int):
            raise
        line = first_line + text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n")
        return None, [
            Problem(
                path,
                line,
                f"invalid YAML: unacceptable character #x{exc.character:04x}: {exc.reason}",
                "remove the character",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(path, first_line, f"invalid YAML: {str(exc).splitlines()[0]}", "")]
    finally:
        loader.dispose()
    problems = [
        Problem(path, offset + line, f"duplicate key {key!r}", "each key may appear once")
        for key, line in loader.duplicates
    ]
    problems += [
        Problem(path, offset + line, "a mapping key must be a plain value", "")
        for line in loader.unhashable
    ]
    if offset:
        _shift(data, offset)
    return data, problems


def _shift(data: RawValue, offset: int) -> None:
    if isinstance(data, YMap):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
        for value in data.values():
            _shift(value, offset)
    elif isinstance(data, YList):
        data.line += offset
        data.item_lines = [v + offset for v in data.item_lines]
        for value in data:
            _shift(value, offset)


def load(path_on_disk: str, shown_path: str) -> tuple[RawValue, list[Problem]]:
    """Read and parse one YAML file; ``shown_path`` is what messages print."""
    raw, problems = read(path_on_disk, shown_path)
    if raw is None:
        return None, problems
    text, problems = decode(raw, shown_path)
    if text is None:
        return None, problems
    return parse(text, shown_path)


# -- reading typed fields ----------------------------------------------------------------------
class Fields:
    """Reads typed fields from one YAML mapping, recording a problem for each bad one."""

    def __init__(self, data: YMap, path: str, problems: list[Problem], what: str):
        self.data, self.path, self.problems, self.what = data, path, problems, what

    def loc(self, key: str | None = None) -> Loc:
        return Loc(self.path, self.data.line_of(key) if key else self.data.line)

    def bad(self, key: str | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, self.loc(key).line, message, hint))

    def unknown(self, allowed: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in allowed:
                nearest = did_you_mean(key, allowed)
                self.bad(
                    key,
                    f"{self.what}: unknown field {key!r}",
                    (nearest + " " if nearest else "") + "allowed: " + ", ".join(allowed),
                )

    def string(self, key: str, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(None, f"{self.what}: missing field {key!r}")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.bad(
                key, f"{self.what}: {key!r} must be a non-empty text", f"got {type(value).__name__}"
            )
            return ""
        return value.strip()

    def text(self, key: str, required: bool = True) -> Text | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(
                    None,
                    f"{self.what}: missing field {key!r}",
                    "give it in each language: {zh: ..., en: ...}",
                )
            return None
        if not isinstance(value, dict):
            self.bad(
                key, f"{self.what}: {key!r} must map languages to texts", "write {zh: ..., en: ...}"
            )
            return None
        pairs = []
        for lang, item in value.items():
            # Which languages it must and may hold is checked once the project's are known
            # (load/languages.py), at this key's line.
            if not isinstance(lang, str):
                self.bad(key, f"{self.what}: {key!r} has unknown language {lang!r}")
            elif not isinstance(item, str) or not item.strip():
                self.bad(key, f"{self.what}: {key}.{lang} must be a non-empty text")
            else:
                pairs.append((lang, item.strip()))
        return Text(tuple(sorted(pairs)), TextSite(self.loc(key), self.what, key))

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.bad(key, f"{self.what}: {key!r} must be true or false")
            return False
        return value

    def date(self, key: str, required: bool = True) -> PartialDate | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.bad(None, f"{self.what}: missing field {key!r}")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.bad(
                key,
                f"{self.what}: {key!r} is not a valid date: {value!r}",
                'write "YYYY", "YYYY-MM" or "YYYY-MM-DD"',
            )
        return parsed


def parse_date(value: RawValue) -> PartialDate | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    match = DATE_RE.match(value.strip())
    if not match:
        return None
    year = int(match.group(1))
    month, day = (int(g) if g else None for g in match.groups()[1:])
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return PartialDate(year, month, day)


Collection = TypeVar("Collection", YMap, YList)


def top(
    data: RawValue, path: str, problems: list[Problem], key: str, kind: type[Collection]
) -> Collection | None:
    """``data[key]`` if ``data`` is a mapping and the value has the right kind (a YMap or
    YList), else None, with a problem recorded for a wrong shape (not for a missing key)."""
    if not isinstance(data, YMap):
        problems.append(
            Problem(path, 1, f"expected a mapping with {key!r} at the top", "see docs/authoring.md")
        )
        return None
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, kind):
        what = "a list" if kind is YList else "a mapping"
        problems.append(Problem(path, data.line_of(key), f"{key!r} must be {what}"))
        return None
    return value
