"""Reference styles as settings: the CSL styles the engine ships (``policybrief/csl/``), the
default for each language, and the checks of a ``reference_style`` setting in
audiences.yaml or pyproject.toml. Formatting with them is the render stage's
(:mod:`policybrief.render.references`).
"""

from __future__ import annotations

from policybrief.core.digest import PACKAGE
from policybrief.core.errors import Problem, did_you_mean
from policybrief.core.languages import DEFAULT, alternatives, language
from policybrief.core.model import RawValue, ReferenceStyle

CSL_DIR = PACKAGE / "csl"
STYLES = {
    "gb-t-7714-2025-numeric": "china-national-standard-gb-t-7714-2025-numeric.csl",
    "chicago-author-date": "chicago-author-date.csl",
}


def style_for(lang: str, audience_style: ReferenceStyle, project_style: ReferenceStyle) -> str:
    """The style an output uses: the audience's, else the project's, else the default for
    its language (languages.TABLE: GB/T 7714 for Chinese, else Chicago author-date). Each
    setting is a style name or languages paired with names."""
    for setting in (audience_style, project_style):
        chosen = dict(setting).get(lang) if isinstance(setting, tuple) else setting
        if chosen:
            return str(chosen)
    return language(lang).reference_style


def normal_style(value: RawValue) -> ReferenceStyle:
    """A ``reference_style`` setting as stored: a name, or sorted (language, name) pairs
    (hashable, and the same repr in every cache key)."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), str(v)) for k, v in value.items()))
    return value if isinstance(value, str) else None


def reference_style_problems(
    value: RawValue, path: str, line: int, langs: tuple[str, ...] = DEFAULT
) -> list[Problem]:
    """What is wrong with a ``reference_style`` setting (audiences.yaml, pyproject.toml);
    ``langs``: the project's languages, which a table of styles may name."""
    if value is None:
        return []
    known = "known styles: " + ", ".join(STYLES)
    if isinstance(value, dict):
        problems = []
        for lang, name in value.items():
            if lang not in langs:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"reference_style: unknown language {lang!r}",
                        "use " + alternatives(langs),
                    )
                )
            else:
                problems += reference_style_problems(name, path, line, langs)
        return problems
    if not isinstance(value, str):
        return [Problem(path, line, f"reference_style must be a style name, not {value!r}", known)]
    if value not in STYLES:
        hint = did_you_mean(value, STYLES, known)
        return [Problem(path, line, f"unknown reference style {value!r}", hint)]
    return []
