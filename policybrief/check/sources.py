"""Check stage, source texts: each source's text found in the source folders, read once,
and each quote looked for in it.

A plain text is read whole, without spaces (``squash``); an original PDF or saved web page
is read through :mod:`policybrief.load.originals`, which also says on which pages a quote
stands. A source whose ``sha256`` (recorded by ``source add``) no longer matches its file
is reported with every fact and claim that quotes it: they are to be proven again.
"""

from __future__ import annotations

from pathlib import Path

from policybrief.check.figures.text import squash
from policybrief.core.errors import Problem
from policybrief.core.model import FactBase, Source
from policybrief.load import originals
from policybrief.load.originals import ExtractionError, ProofText

NOT_FOUND_HINT = "copy the quote from the source character for character"


class SourceTexts:
    """Each source's text from the first source folder that has it; None when it is not
    there (a warning), would be read from outside its folder (an error) or cannot be
    extracted (an error)."""

    def __init__(
        self,
        facts: FactBase,
        folders: tuple[Path, ...],
        problems: list[Problem],
        cache_root: Path | None = None,
    ):
        self.facts, self.folders, self.problems = facts, folders, problems
        self.cache_root = cache_root
        self.texts: dict[str, str | ProofText | None] = {}

    def get(self, source_id: str) -> str | ProofText | None:
        if source_id not in self.texts:
            self.texts[source_id] = self._read(self.facts.sources[source_id])
        return self.texts[source_id]

    def missing(self, source_id: str, quote: str, what: str) -> Problem | None:
        """A problem at nothing (its caller places it) when ``quote`` is not in the source's
        text; None when it is there or the text cannot be read (reported once already)."""
        text = self.get(source_id)
        if text is None:
            return None
        found = text.find(quote) is not None if isinstance(text, ProofText) else None
        if found or (found is None and squash(quote) in str(text)):
            return None
        file = self.facts.sources[source_id].file
        hint = NOT_FOUND_HINT
        if isinstance(text, ProofText) and text.blank:
            pages = ", ".join(map(str, text.blank))
            hint = f"page(s) {pages} of {file} have no text layer: {originals.OCR_HINT}"
        return Problem("", 0, f"{what} not found in {file}", hint)

    def _path(self, source: Source) -> Path | None:
        where = source.loc
        for folder in self.folders:
            path = folder / source.file
            if not path.resolve().is_relative_to(folder.resolve()):
                message = f"source text {source.file!r} resolves outside {folder}"
                hint = "keep source texts inside the source folder (no links out of it)"
                self.problems.append(Problem(where.path, where.line, message, hint))
                return None
            if path.is_file():
                return path
        folders = ", ".join(map(str, self.folders))
        message = f"source text {source.file!r} not found in {folders}"
        hint = "quotes from it cannot be verified"
        self.problems.append(Problem(where.path, where.line, message, hint, "warning"))
        return None

    def _read(self, source: Source) -> str | ProofText | None:
        """The text of ``source.file`` from the first folder that has it. A name that leads
        out of its folder (through a link) is never read: an error; none found: a warning."""
        if not source.file:
            return None
        path = self._path(source)
        if path is None:
            return None
        digest = originals.sha256_of(path)
        if source.sha256 and digest != source.sha256:
            self.problems.append(self._changed(source, digest))
        if not originals.is_original(source.file):
            return squash(path.read_bytes().decode("utf-8", errors="replace"))
        try:
            extracted = originals.extract(path, self.cache_root, digest)
        except ExtractionError as error:
            self.problems.append(
                Problem(source.loc.path, source.loc.line, error.message, error.hint)
            )
            return None
        if extracted.kind == "pdf" and len(extracted.blank) == len(extracted.pages):
            message = f"{source.file} has no text layer: nothing in it can be quoted"
            self.problems.append(
                Problem(source.loc.path, source.loc.line, message, originals.OCR_HINT)
            )
            return None
        return ProofText.of(extracted)

    def _changed(self, source: Source, digest: str) -> Problem:
        """The source file is not the one recorded: every item quoting it is to be proven
        again."""
        facts = self.facts
        citing = [
            f"fact {f.id}"
            for f in facts.facts.values()
            if source.id in (f.source, f.date_source) and f.derived is None
        ] + [f"claim {c.id}" for c in facts.claims.values() if c.source == source.id]
        listed = "prove again: " + ", ".join(citing) if citing else "no fact or claim quotes it"
        return Problem(
            source.loc.path,
            source.loc.line,
            f"source {source.id!r}: {source.file} has changed since it was recorded "
            f"(sha256 {source.sha256[:12]}…, now {digest[:12]}…); {listed}",
            f"check each quote against the new file, then record it: sha256: {digest}",
        )
