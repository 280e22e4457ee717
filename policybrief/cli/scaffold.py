"""``build.py new``: skeletons a new team fills in. Each passes ``check`` as written, so the
first edit starts from a green build, and its comments say what goes where.

- ``new brief SLUG`` writes a self-contained ``briefs/SLUG/`` (load/ownparts.py):
  brief.yaml, one text per language the project declares (zh.md, en.md...), facts.yaml
  with a commented example fact, sources.yaml with a commented source entry (its text goes
  in ``sources/`` beside it) and units.yaml with a commented example unit. A language with
  no skeleton of its own here gets the English one, to translate.
- ``new audience NAME`` writes ``NAME.html`` and an ``audiences.yaml`` entry into a template
  folder (``--templates DIR``, default ``templates/``).

Nothing is overwritten: an existing file is a usage error that names it.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from policybrief.core.errors import UsageError
from policybrief.core.languages import DEFAULT

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

BRIEF_YAML = """\
# Front matter of the brief "{slug}" (docs/authoring.md explains every field).
date: {date}                   # the date printed on the brief; never the build time
topic: {slug}
authors:
  - {authors}
audiences: [full-report, decision-makers]   # templates/audiences.yaml lists them all
languages: [{languages}]
key_figures: []                # fact ids for the at-a-glance box, e.g. [{slug}.output.2024]
allow_digits: []               # names with digits that are not figures, e.g. [G20]
"""

AUTHORS = {"zh": "研究团队", "en": "Research team"}  # a language not listed: the English
TEXT = {
    "zh": """\
---
title: 简报标题
subtitle: 副标题（可删去）
summary: 用一两句话说明这份简报讲什么、结论是什么。
recommendations:
  - 第一条建议。引用事实的写法见 docs/authoring.md。
  - 第二条建议。
  - 第三条建议。
---
# background

第一段是导语：一页摘要只印每节的这一段。引用数字时写成事实调用，不要直接键入数字。

# measures

介绍采取了哪些措施。

# outcomes

介绍取得了哪些成效。每个数字都来自事实库，并附有出处和原文引语。

# lessons

总结经验与启示。
""",
    "en": """\
---
title: Title of the brief
subtitle: A subtitle (or delete this line)
summary: A sentence or so on what the brief is about and what it concludes.
recommendations:
  - A first recommendation. docs/authoring.md shows how prose cites a fact.
  - A second recommendation.
  - A third recommendation.
---
# background

The first paragraph is the lead: the one-page note prints only this paragraph of each
section. Figures are fact calls, never typed.

# measures

What was done.

# outcomes

What came of it. Every figure comes from the fact base, with its source and quote.

# lessons

What others can learn from it.
""",
}

FACTS_YAML = """\
# Facts of the brief "{slug}". Each fact is one figure stated by one source, with the quote
# that states it; `check` proves the value, qualifier and date against the quote.
# Uncomment and edit the example, then cite it in the prose as {{{{ fact("{slug}.example") }}}}.
facts: []
#  - id: {slug}.example
#    value: 481                      # the figure in whole units (80亿元 is 8000000000)
#    unit: enterprise                # a unit of units.yaml here or of facts/units.yaml
#    qualifier: exact                # exact | over | nearly | about | more_than | up_to
#    date: "2016-12"                 # when the figure holds; leave out if the source gives none
#    label: {{zh: 累计引进企业, en: enterprises attracted}}
#    source: {slug}-source           # a source of sources.yaml here or of facts/sources.yaml
#    quote: "2016年底，小镇已累计引进……各类企业481家"   # copied from the source text
"""

SOURCES_YAML = """\
# The sources of the brief "{slug}": uncomment the example, put the source's plain text in
# sources/ beside this file and name it under file:. Ids are unique across the project.
sources: {{}}
#  {slug}-source:
#    file: {slug}.txt
#    title: {{zh: 来源标题, en: Title of the source}}
#    author: {{zh: 作者, en: Author}}
#    publication: {{zh: 刊物, en: Publication}}
#    year: 2024
#    url: https://example.org/article     # optional
#    accessed: "2024-05-01"               # optional: when the url was read
#    kind: journal article                # web page | report | government document | ...
#    authors: [{{family: 姓, given: 名}}]     # optional; an organisation: {{literal: 名称}}
#    container: 期刊名                      # optional: the journal, newspaper or site
#    language: zh                         # the language the source is written in
#    (docs/authoring.md, "Sources", lists every field: issued, volume, issue, pages, doi...)
"""

UNITS_YAML = """\
# Units of the brief "{slug}" beside the project's facts/units.yaml (docs/authoring.md,
# "Units"): a name, then how each language writes it. Names are unique across the project.
units: {{}}
#  household: {{zh: 户, en: [household, households]}}
"""

AUDIENCE_HTML = """\
{{#- The "{name}" audience. It extends the base, which fixes the four sections and their
    order; fill the blocks you need (docs/templates.md lists every block and variable). -#}}
{{% extends "base.html" %}}
{{% block front %}}
<p class="summary">{{{{ brief.summary }}}}</p>
{{% include "_partials/key-figures.html" %}}
{{% endblock %}}
{{% block back %}}
{{% include "_partials/recommendations.html" %}}
{{% include "_partials/notes.html" %}}
{{% endblock %}}
"""

AUDIENCE_ENTRY = """\
  {name}:
    template: {name}.html
    label: {{{labels}}}
    section_text: full        # full | lead (the first paragraph of each section)
    endnotes: full            # full | compact | none
    charts: true
    page_size: A4             # A4 | A5 | letter
"""


def _write_new(path: Path, text: str, written: list[Path]) -> None:
    if path.exists():
        raise UsageError(f"{path} already exists; nothing was written (choose another name)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    written.append(path)


def _each(langs: tuple[str, ...], words: dict[str, str], default: str) -> str:
    """``zh: 研究团队, en: Research team``: a text in each language, for a YAML mapping."""
    return ", ".join(f"{lang}: {words.get(lang, default)}" for lang in langs)


def new_brief(
    root: Path, slug: str, today: datetime.date | None = None, langs: tuple[str, ...] = DEFAULT
) -> list[Path]:
    """Write the skeleton of a brief in the project's languages ``langs``; return the files
    written (or changed)."""
    if not SLUG_RE.match(slug):
        raise UsageError(f"brief name {slug!r} must be a lowercase slug, e.g. water-reform")
    folder = root / "briefs" / slug
    if folder.exists():
        raise UsageError(f"{folder} already exists; nothing was written (choose another name)")
    written: list[Path] = []
    day = (today or datetime.date.today()).isoformat()
    authors = "{" + _each(langs, AUTHORS, AUTHORS["en"]) + "}"
    yaml = BRIEF_YAML.format(slug=slug, date=day, authors=authors, languages=", ".join(langs))
    _write_new(folder / "brief.yaml", yaml, written)
    for lang in langs:
        _write_new(folder / f"{lang}.md", TEXT.get(lang, TEXT["en"]), written)
    _write_new(folder / "facts.yaml", FACTS_YAML.format(slug=slug), written)
    _write_new(folder / "sources.yaml", SOURCES_YAML.format(slug=slug), written)
    _write_new(folder / "units.yaml", UNITS_YAML.format(slug=slug), written)
    return written


def new_audience(folder: Path, name: str, langs: tuple[str, ...] = DEFAULT) -> list[Path]:
    """Write a template and an audiences.yaml entry for a new audience into ``folder``, its
    label in each of the project's languages ``langs``."""
    if not SLUG_RE.match(name):
        raise UsageError(f"audience name {name!r} must be a lowercase slug, e.g. board-memo")
    registry = folder / "audiences.yaml"
    existing = registry.read_text("utf-8") if registry.is_file() else "audiences:\n"
    if re.search(rf"^  {re.escape(name)}:", existing, re.M):
        raise UsageError(f"{registry} already defines {name!r}; nothing was written")
    if not re.search(r"^audiences:", existing, re.M):
        raise UsageError(f"{registry} has no 'audiences:' mapping to add {name!r} to")
    written: list[Path] = []
    _write_new(folder / f"{name}.html", AUDIENCE_HTML.format(name=name), written)
    title = name.replace("-", " ").capitalize()
    labels = _each(langs, {"zh": f"（待命名：{name}）"}, title)  # zh: "(to be named: NAME)"
    entry = AUDIENCE_ENTRY.format(name=name, labels=labels)
    registry.write_text(existing.rstrip("\n") + "\n" + entry, encoding="utf-8")
    written.append(registry)
    return written


def next_after_audience(root: Path, folder: Path) -> str:
    """What to do after ``new audience``: a folder inside a brief's folder is that brief's
    own (``templates:`` in its brief.yaml); any other is named with ``--templates``."""
    folder = folder.resolve()
    briefs = (root / "briefs").resolve()
    if folder.is_relative_to(briefs) and len(folder.relative_to(briefs).parts) > 1:
        slug, *rest = folder.relative_to(briefs).parts
        return (
            f"next: in briefs/{slug}/brief.yaml write `templates: {'/'.join(rest)}` and list "
            "the audience under audiences:"
        )
    return (
        "next: list the audience under audiences: in a brief.yaml and build with "
        f"--templates {folder} (or name the folder in templates = [...] in pyproject.toml)"
    )
