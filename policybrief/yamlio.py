"""YAML loading that keeps line numbers, so later checks can cite ``path:line``.

Mappings load as :class:`YMap` and sequences as :class:`YList`; both remember the line of
every key or item. Dates stay strings (the checker parses them), duplicate keys are
problems rather than silent overwrites, and a byte-order mark or CRLF line ends are fine.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import Problem


class YMap(dict):
    """A mapping from YAML with the line of the mapping and of each key."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YList(list):
    """A sequence from YAML with the line of the sequence and of each item."""

    line: int = 0

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# libyaml's parser when PyYAML was built with it (it is, in the PyPI wheels): 5-10x faster.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """SafeLoader that builds YMap/YList, records duplicate keys, and keeps dates as text."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[Any, int]] = []
        self.unhashable: list[int] = []


# Dates stay strings: "2016-12" and "2016-12-01" must be treated alike by the checker.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _Loader, node: yaml.MappingNode):
    result = YMap()
    result.line = node.start_mark.line + 1
    yield result
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            loader.unhashable.append(line)
            continue
        if key in result:
            loader.duplicates.append((key, line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line


def _construct_seq(loader: _Loader, node: yaml.SequenceNode):
    result = YList()
    result.line = node.start_mark.line + 1
    yield result
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.item_lines.append(item.start_mark.line + 1)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def decode(data: bytes, path: str, first_line: int = 1) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 bytes (BOM allowed); a bad byte is a problem with its line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = first_line + data[: exc.start].count(b"\n")
        return None, [
            Problem(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                    "save the file as UTF-8")
        ]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def parse(text: str, path: str, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """Parse YAML text; return (data, problems). Lines are offset by ``first_line - 1``."""
    offset = first_line - 1
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = offset + (mark.line + 1 if mark else 1)
        what = exc.problem or "invalid YAML"
        return None, [Problem(path, line, f"invalid YAML: {what}",
                              "check indentation, colons and quotes")]
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        return None, [Problem(path, first_line, f"invalid YAML: {exc}", "")]
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


def _shift(data: Any, offset: int) -> None:
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


def load(path_on_disk: str, shown_path: str) -> tuple[Any, list[Problem]]:
    """Read and parse one YAML file; ``shown_path`` is what messages print."""
    with open(path_on_disk, "rb") as handle:
        raw = handle.read()
    text, problems = decode(raw, shown_path)
    if text is None:
        return None, problems
    return parse(text, shown_path)
