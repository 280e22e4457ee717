"""The language prose is written in, as far as every stage must know it: the calls prose
and notes may make (``fact``, ``when``, ``claim``, ``row``, ``ref``), checked without
running them, a note's calls replaced by the values they print, and the exhibits
(tables, figures, charts) a text defines for ``ref()``.

Loading, checking, the editions and rendering all read prose this way; turning it into
HTML is :mod:`policybrief.render.prose`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from policybrief.core.i18n import Language, format_fact
from policybrief.core.model import Chart, FactBase, LangText, Text
from policybrief.load.images import TABLE_CAPTION_RE, figure_ids

PROSE_FUNCTIONS = ("fact", "when", "claim", "row", "ref")
NOTE_FUNCTIONS = ("fact", "when")
_PARSER = SandboxedEnvironment()


_WHAT = {
    "BinOp": "arithmetic",
    "Add": "arithmetic",
    "Sub": "arithmetic",
    "Mul": "arithmetic",
    "Div": "arithmetic",
    "FloorDiv": "arithmetic",
    "Mod": "arithmetic",
    "Pow": "arithmetic",
    "Neg": "arithmetic",
    "Pos": "arithmetic",
    "Const": "a literal value",
    "Filter": "a filter",
    "Test": "a test",
    "Getattr": "attribute access",
    "Getitem": "indexing",
    "Name": "a variable",
    "Concat": "concatenation",
    "CondExpr": "a condition",
    "Compare": "a comparison",
    "List": "a list",
    "Tuple": "a tuple",
    "Dict": "a mapping",
    "And": "a condition",
    "Or": "a condition",
    "Not": "a condition",
    "Call": "a call",
}


def _call_problem(node: nodes.Node, allowed: tuple[str, ...]) -> str | None:
    """Why one ``{{ ... }}`` expression is not a plain call with literal arguments."""
    if not isinstance(node, nodes.Call) or not isinstance(node.node, nodes.Name):
        what = _WHAT.get(type(node).__name__, "an expression")
        return f'{what} cannot make a figure; write {allowed[0]}("id") to print a fact'
    name = node.node.name
    if name not in allowed:
        return f"unknown function {name!r}; allowed: " + ", ".join(allowed)
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        return f"{name}() takes literal arguments only"
    if (
        len(node.args) != 1
        or not isinstance(node.args[0], nodes.Const)
        or not isinstance(node.args[0].value, str)
    ):
        return f'{name}() takes one id written in quotes, e.g. {name}("some.id")'
    for keyword in node.kwargs:
        if (
            name != "fact"
            or keyword.key != "unit"
            or not isinstance(keyword.value, nodes.Const)
            or not isinstance(keyword.value.value, bool)
        ):
            return (
                f"{name}() takes no {keyword.key}= argument"
                if name != "fact" or keyword.key != "unit"
                else "unit= is true or false"
            )
    return None


_PLAIN_CALL_RE = re.compile(
    r"\{\{-?[ \t]*(\w+)\([ \t]*\"[^\"\\\n{}]{1,200}\"[ \t]*"
    r"(?:,[ \t]*unit[ \t]*=[ \t]*(?:true|false)[ \t]*)?\)[ \t]*-?\}\}"
)
_TAG_RE = re.compile(r"\{[{%#]")


def _only_allowed(allowed: tuple[str, ...]) -> Callable[[re.Match[str]], str]:
    """Blank a plain call of an allowed function; leave anything else for the parser."""
    return lambda m: "" if m.group(1) in allowed else m.group(0)


def validate(source: str, allowed: tuple[str, ...] = PROSE_FUNCTIONS) -> list[tuple[int, str]]:
    """(line, message) for everything in prose that is not text or a call of an allowed
    function with literal arguments: arithmetic, filters, loops, conditions and other
    expressions cannot make a figure. Parsed, never compiled or run."""
    if "{" not in source:
        return []
    # Fast path: when every tag is a plain call (the usual case), nothing needs parsing.
    if not _TAG_RE.search(_PLAIN_CALL_RE.sub(_only_allowed(allowed), source)):
        return []
    try:
        tree = _PARSER.parse(source)
    except TemplateSyntaxError as exc:
        return [(exc.lineno or 1, f"template syntax error: {exc.message}")]
    found: list[tuple[int, str]] = []
    for node in tree.body:
        if not isinstance(node, nodes.Output):
            found.append(
                (node.lineno, f"{type(node).__name__.lower()} blocks ({{% … %}}) are not allowed")
            )
            continue
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                continue
            why = _call_problem(child, allowed)
            if why:
                found.append((child.lineno, why))
    return found


_NOTE_CALL = re.compile(
    r"\{\{-?\s*(fact|when)\(\s*([\"'])([^\"'\n]{1,200})\2\s*"
    r"(?:,\s*unit\s*=\s*(true|false|True|False)\s*)?\)\s*-?\}\}"
)


def note_text(facts: FactBase, text: Text | None, lang: Language) -> str:
    """A note (of a fact or a conflict) in one language, each ``fact("id")`` and
    ``when("id")`` replaced by the value or date as printed; no citation marks (a note is
    already beside the sources). ``check`` has validated the calls and ids."""
    if text is None:
        return ""

    def value(match: re.Match[str]) -> str:
        fact = facts.facts.get(match.group(3))
        if fact is None:
            return match.group(3)
        if match.group(1) == "when":
            return lang.date(fact.date) if fact.date else ""
        with_unit = (match.group(4) or "true").lower() == "true"
        return format_fact(fact, facts.units[fact.unit], lang, with_unit=with_unit)

    return _NOTE_CALL.sub(value, text.get(lang.code))


def exhibit_ids(text: LangText, charts: tuple[Chart, ...]) -> set[str]:
    """The ids ``ref()`` may name in one language's text: captioned tables, figures (images)
    and charts."""
    ids = {chart.id for chart in charts}
    for section in text.sections:
        ids |= {m.group(1) for m in TABLE_CAPTION_RE.finditer(section.markdown) if m.group(1)}
        ids |= set(figure_ids(section.markdown))
    return ids
