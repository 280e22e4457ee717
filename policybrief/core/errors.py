"""One exception hierarchy; each class says which stage raises it.

Every problem about an input file carries its path and line so that it prints as
``path:line: message (hint)``. Library code raises; only the CLI prints and exits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, found by the loaders or the checker."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        """The one place a problem is formatted: ``path:line: message (hint)``, without the
        line when it is 0 and without the path when there is no file to point at."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"warning: {self.message}" if self.severity == "warning" else self.message
        text = f"{where}: {text}" if where else text
        return f"{text} ({self.hint})" if self.hint else text


class BriefError(Exception):
    """Base class for every error the engine reports to a user."""

    exit_code = 1


class InputError(BriefError):
    """Raised by the load and check stages: the project's files have problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line))
        errors = sum(p.severity == "error" for p in self.problems)
        warnings = len(self.problems) - errors
        parts = [f"{errors} error{'s' if errors != 1 else ''}"]
        if warnings:
            parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
        self.summary = ", ".join(parts)
        super().__init__("\n".join(map(str, self.problems)))


class RenderError(BriefError):
    """Raised by the render and write stages: a template or prose failed to render, or a
    PDF or Word edition could not be made. Carries one structured problem (a plain string
    is a problem with no file to point at), printed as every other problem is."""

    def __init__(self, problem: Problem | str):
        self.problem = problem if isinstance(problem, Problem) else Problem("", 0, problem)
        super().__init__(str(self.problem))


class OutputError(BriefError):
    """Raised by the write stage: an output could not be written."""


class UsageError(BriefError):
    """Raised for bad command-line arguments (unknown brief, audience, ...)."""

    exit_code = 2


def did_you_mean(name: object, known: object, fallback: str = "") -> str:
    """A hint naming the known name nearest to a misspelled one, or ``fallback``."""
    import difflib

    if not isinstance(name, str):
        return fallback
    names = [k for k in known if isinstance(k, str)]  # type: ignore[attr-defined]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return f"did you mean {close[0]}?" if close else fallback
