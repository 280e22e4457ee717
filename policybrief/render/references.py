"""Reference styles through a Citation Style Language processor, and the exports for
reference managers.

Each source becomes a CSL-JSON item (:func:`csl_item`); citeproc-py formats it with a style
file from the official CSL repository shipped in ``policybrief/csl/`` (see its README):
GB/T 7714-2025 numeric for Chinese, Chicago author-date (18th edition) for English by
default, selectable per audience (``reference_style`` in ``audiences.yaml``) and per project
(``reference_style`` in ``[tool.policybrief]``). Entries are formatted in the page's
locale, but an author list cut short ends in the source's own language (等 for a Chinese
source, "et al." for an English one): CSL has no per-item language, so a source in another
language is formatted by a copy of the style whose name-list terms come from that
language's CSL locale.

citeproc-py 0.11.1 implements CSL 1.0.1 with gaps that these two styles reach; each is
closed here by element classes given to our own parser (no library state is changed): a
macro that renders counts as a rendered variable in a ``cs:group`` (CSL 1.0.2's rule;
GB/T's [J], [R] and [EB/OL] markers vanish without it), a ``cs:label`` of an empty variable
renders nothing, ``initialize="false"`` keeps given names whole (Chicago), a substituted
macro's variables are not printed again (a title standing in for a missing author), a
Chinese, Japanese or Korean name is written family-then-given with no space and never
initialized (the CSL specification's rule for such names), and in a locale with
``punctuation-in-quote`` a period or comma after a closing quote moves inside it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape, unescape
from pathlib import Path
from typing import TYPE_CHECKING, Required, TypedDict, cast

from markupsafe import Markup

from policybrief.core.languages import code_problem, language, primary
from policybrief.load.refstyles import CSL_DIR, STYLES

if TYPE_CHECKING:
    # citeproc-py and lxml ship no types: to mypy these are Any, to a reader what they are.
    from citeproc import CitationItem, CitationStylesStyle
    from citeproc.model import CitationStylesElement, Locale
    from lxml.etree import XMLParser

    from policybrief.core.model import FactBase, PartialDate, Source

CSL_TYPES = {
    "journal article": "article-journal",
    "article": "article-journal",
    "magazine article": "article-magazine",
    "newspaper article": "article-newspaper",
    "web page": "webpage",
    "report": "report",
    "government document": "report",
    "statute": "legislation",
    "dataset": "dataset",
    "book": "book",
    "speech": "speech",
    "": "document",
}
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Reference:
    """One source formatted by one style: the entry (HTML and text) and, for numeric styles,
    its label in the reference list (``[1]``)."""

    source: str
    html: Markup
    text: str
    label: str = ""


# -- sources as CSL-JSON --------------------------------------------------------------------
class CslPerson(TypedDict, total=False):
    """A CSL-JSON name: a person's family and given names, or an organisation's literal."""

    family: str
    given: str
    literal: str


CslDate = TypedDict("CslDate", {"date-parts": list[list[int]]})
# A CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/) with the fields
# a source can state; every field but id and type is left out when the source has none.
CslItem = TypedDict(
    "CslItem",
    {
        "id": Required[str],
        "type": Required[str],
        "title": str,
        "author": list[CslPerson],
        "container-title": str,
        "publisher": str,
        "issued": CslDate,
        "accessed": CslDate,
        "volume": str,
        "issue": str,
        "page": str,
        "number": str,
        "URL": str,
        "DOI": str,
        "language": str,
    },
    total=False,
)


def _date(value: PartialDate | None) -> CslDate | None:
    if value is None:
        return None
    parts = [value.year, *(p for p in (value.month, value.day) if p)]
    return {"date-parts": [parts]}


def source_language(source: Source) -> str:
    """The language a source is written in: ``language``, else its authors' and title's
    script (CJK: zh), else en."""
    if source.language:
        return source.language.split("-")[0]
    names = [p.literal or p.family for p in source.authors] + [v for _, v in source.title.values]
    return "zh" if any(CJK_RE.search(n) for n in names[:1]) else "en"


def _title(source: Source, lang: str) -> str:
    """The title in the source's own language; in a brief of another language, followed by
    the brief's translation in brackets (Chicago's form for a translated title)."""
    own = source_language(source)
    original = source.title.get(own) or source.title.get(lang) or ""
    translated = source.title.get(lang)
    if primary(own) != primary(lang) and translated and translated != original:
        return f"{original} [{translated}]"
    return original


def csl_item(source: Source, lang: str) -> CslItem:
    """A source as CSL-JSON (https://citeproc-js.readthedocs.io/en/latest/csl-json/), for a
    brief in ``lang``; every field is one the source states, none is made up."""
    own = source_language(source)
    authors: list[CslPerson] = [
        {"literal": p.literal} if p.literal else {"family": p.family, "given": p.given}
        for p in source.authors
    ]
    romanised = source.author.get(lang)
    if own != lang and len(authors) == 1 and romanised and not CJK_RE.search(romanised):
        # a Chinese name in another language's brief: in that language, then in characters
        # ("Jia Zhencheng 贾振成"), so that a short citation (Jia 2017) finds its entry
        person = source.authors[0]
        name = person.literal or person.family + person.given
        if CJK_RE.search(name):
            authors = [{"literal": f"{romanised} {name}"}]
    item: dict[str, object] = {
        "id": source.id,
        "type": CSL_TYPES.get(source.kind, "document"),
        "title": _title(source, lang),
        "author": [{k: v for k, v in a.items() if v} for a in authors],
        "container-title": source.container,
        "publisher": source.publisher.get(own) if source.publisher else "",
        "issued": _date(source.issued) or (_date_year(source.year)),
        "accessed": _date(source.accessed),
        "volume": source.volume,
        "issue": source.issue,
        "page": source.pages,
        "number": source.number,
        "URL": source.url,
        "DOI": source.doi,
        "language": source.language or own,
    }
    # the fields above, typed as CslItem, with the empty ones left out (id and type never are)
    return cast(CslItem, {k: v for k, v in item.items() if v})


def _date_year(year: int | None) -> CslDate | None:
    return {"date-parts": [[year]]} if year else None


def _for_processor(item: CslItem, key: str) -> CslItem:
    """The item as handed to citeproc-py: a CJK name as one family name, family first with
    no space (citeproc-py would put a space between them and initialize the given name),
    and every text shielded (citeproc-py's HTML output does not escape variables)."""
    names: list[CslPerson] = []
    for name in item.get("author", []):
        if "family" in name and CJK_RE.search(name["family"] + name.get("given", "")):
            name = {"family": name["family"] + name.get("given", "")}
        names.append(
            cast(CslPerson, {k: _shield(v) for k, v in name.items() if isinstance(v, str)})
        )
    shielded = {k: _shield(v) if isinstance(v, str) else v for k, v in item.items()}
    # the same fields, each text shielded
    return cast(CslItem, {**shielded, "id": key, **({"author": names} if names else {})})


# <, > and & in a source's fields pass through citeproc-py as private-use characters, which
# no text-case rule touches, and come out escaped.
SHIELD = {"&": "\ue000", "<": "\ue001", ">": "\ue002"}
UNSHIELD = {"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"}


def _shield(value: str) -> str:
    value = re.sub("[\ue000-\ue002]", "", value)
    return re.sub("[&<>]", lambda m: SHIELD[m.group(0)], value)


def _unshield(html: str) -> str:
    return re.sub("[\ue000-\ue002]", lambda m: UNSHIELD[m.group(0)], html)


# -- the processor ----------------------------------------------------------------------------
@cache
def _element_classes() -> dict[str, type]:
    """citeproc-py's element classes, with the gaps named in the module docstring closed."""
    from citeproc import model

    class CslText(model.Text):
        def calls_variable(self) -> bool:
            return True if "macro" in self.attrib else super().calls_variable()

    class CslLabel(model.Label):
        def process(
            self,
            item: CitationItem,
            variable: str | None = None,
            plural: bool | None = None,
            context: CitationStylesElement | None = None,
            **kwargs: object,
        ) -> str | None:
            name = self.get("variable")
            if variable is None and name and name != "locator" and not _has(item, name):
                return None
            return super().process(item, variable, plural, context, **kwargs)

    class CslName(model.Name):
        def get_option(
            self,
            name: str,
            context: CitationStylesElement | None = None,
            sort_options: dict[str, str] | None = None,
        ) -> str | bool | int | None:
            if name == "initialize-with" and self.get("initialize") == "false":
                return None
            return super().get_option(name, context, sort_options)

    class CslSubstitute(model.Substitute):
        def add_to_repressed_list(
            self, child: CitationStylesElement, context: CitationStylesElement
        ) -> None:
            super().add_to_repressed_list(child, context)
            repressed = context.get_layout().repressed
            for element in _macro_variables(child, set()):
                repressed.setdefault(element.tag, []).append(element.get("variable"))

    return {"text": CslText, "label": CslLabel, "name": CslName, "substitute": CslSubstitute}


def _macro_variables(element: CitationStylesElement, seen: set[str]) -> list[CitationStylesElement]:
    """The elements that render a variable inside the macro ``element`` calls, and inside
    the macros those call: what a substitution has printed and must not print again."""
    name = element.get("macro")
    if not name or name in seen:
        return []
    seen.add(name)
    found = []
    for inner in element.get_macro(name).iter():
        if inner.get("variable") and inner.tag.endswith("}text"):
            found.append(inner)
        found += _macro_variables(inner, seen)
    return found


def _has(item: CitationItem, name: str) -> bool:
    try:
        return bool(item.reference[name.replace("-", "_")])
    except Exception:  # citeproc-py raises its own VariableError for a missing variable
        return False


@cache
def load_style(
    name: str, locale: str, names_from: str = ""
) -> tuple[CitationStylesStyle, CitationStylesElement | None]:
    """A CSL style in one locale, parsed with our element classes; with ``names_from`` (the
    CSL locale of a source's own language), name lists end as that language ends them:
    its "et al." term (等 for Chinese) comes first. A numeric style's label (its
    bibliography's first field, ``[1]``) is taken out of the layout: endnotes print the
    entry without it, the reference list prints it beside the entry."""
    from citeproc import CitationStylesStyle, model
    from lxml import etree

    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace("http://purl.org/net/xbiblio/csl")
    namespace[None] = model.CitationStylesElement
    classes = {
        cls.__name__.replace("_", "-").lower(): cls
        for cls in model.CitationStylesElement.__subclasses__()
    }
    namespace.update({**classes, **_element_classes()})
    parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
    parser.set_element_class_lookup(lookup)
    style = CitationStylesStyle.__new__(CitationStylesStyle)
    style.parser = parser
    style.xml = etree.parse(str(CSL_DIR / STYLES[name]), parser)
    style.root = style.xml.getroot()
    style.root.set_locale_list(locale, validate=False)
    if names_from and names_from != locale:
        terms = _name_terms(names_from, parser)
        style.root.append(terms)  # in the tree: its terms format through the style's root
        style.root.locales.insert(0, terms)
    layout = style.root.bibliography.find("{http://purl.org/net/xbiblio/csl}layout")
    label = None
    if style.root.bibliography.get("second-field-align") and len(layout):
        label = layout[0]
        layout.remove(label)
    return style, label


def _name_terms(locale: str, parser: XMLParser) -> Locale:
    """A CSL locale element holding only ``locale``'s terms that end a name list."""
    from citeproc.frontend import CitationStylesLocale
    from lxml import etree

    source = CitationStylesLocale(locale, validate=False).root
    terms = "".join(
        f'<term name="{name}">{escape(source.get_term(name).text or "")}</term>'
        for name in NAME_LIST_TERMS
    )
    return etree.fromstring(f'<locale xmlns="{CSL_NS}"><terms>{terms}</terms></locale>', parser)


CSL_NS = "http://purl.org/net/xbiblio/csl"
NAME_LIST_TERMS = ("et-al", "and others")


@cache
def _csl_locale(lang: str) -> str:
    """The CSL locale for a language: its language and region (zh-CN, zh-TW, fr-FR, from
    Babel's likely subtags), if citeproc-py has it; else one of the same language; else
    en-US."""
    if not lang:
        return ""
    import citeproc

    folder = Path(citeproc.__file__).parent / "data" / "locales"
    tag = language(lang).region_tag if code_problem(lang) is None else "en-US"
    if (folder / f"locales-{tag}.xml").is_file():
        return tag
    same = sorted(folder.glob(f"locales-{primary(tag)}-*.xml"))
    return same[0].stem.removeprefix("locales-") if same else "en-US"


def _label(label: CitationStylesElement | None, number: int) -> str:
    if label is None:
        return ""
    return f"{label.get('prefix', '')}{number}{label.get('suffix', '')}"


def _punctuation_in_quote(style: CitationStylesStyle) -> bool:
    try:
        return style.root.get_locale_option("punctuation-in-quote").lower() == "true"
    except Exception:  # a locale without style options
        return False


def _formatted(
    style_name: str, lang: str, items: dict[str, CslItem], sort: bool, names_from: str = ""
) -> dict[str, str]:
    """The entries (HTML) of ``items`` (by key) as the processor of the brief's language
    formats them (name lists ended in ``names_from``'s terms when given), in the style's
    order when ``sort`` (else in the order given)."""
    # The styles are the engine's own files, so the entries are a pure function of these
    # arguments; citeproc-py is slow, and a process that builds again (``serve``, a batch)
    # or formats one list for several pages formats it once.
    key = json.dumps([style_name, lang, items, sort, names_from], ensure_ascii=False)
    return dict(_formatted_once(key))


@lru_cache(maxsize=256)
def _formatted_once(key: str) -> tuple[tuple[str, str], ...]:
    style_name, lang, items, sort, names_from = json.loads(key)
    return tuple(_format(style_name, lang, items, sort, names_from).items())


def _format(
    style_name: str, lang: str, items: dict[str, CslItem], sort: bool, names_from: str
) -> dict[str, str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    style, _label_element = load_style(style_name, _csl_locale(lang), _csl_locale(names_from))
    source = CiteProcJSON([_for_processor(item, key) for key, item in items.items()])
    bibliography = CitationStylesBibliography(style, source, formatter.html)
    for key in items:
        bibliography.register(Citation([CitationItem(key)]))
    if sort:
        bibliography.sort()
    entries = [str(entry) for entry in bibliography.bibliography()]
    closing = style.root.get_term("close-quote").single if _punctuation_in_quote(style) else ""
    if closing:
        entries = [re.sub(f"{re.escape(closing)}([.,])", rf"\1{closing}", e) for e in entries]
    return dict(zip(bibliography.keys, entries, strict=True))


def format_references(
    facts: FactBase, source_ids: list[str], lang: str, style_name: str
) -> dict[str, Reference]:
    """The sources ``source_ids`` (in order of first citation) formatted by ``style_name``
    for a brief in ``lang``, in the style's order, each in its own language's locale: the
    processor of the brief's language orders them all (and formats its own language's),
    another language's processor formats only its own."""
    ids = [sid for sid in dict.fromkeys(source_ids) if sid in facts.sources]
    items = {f"ref{n}": csl_item(facts.sources[sid], lang) for n, sid in enumerate(ids)}
    keys = dict(zip(items, ids, strict=True))
    langs = {key: source_language(facts.sources[sid]) for key, sid in keys.items()}
    # a source in the brief's language in another script (zh in a zh-Hant brief) is its own
    langs = {key: lang if primary(code) == primary(lang) else code for key, code in langs.items()}
    entries = _formatted(style_name, lang, items, sort=True) if items else {}
    for code in sorted(set(langs.values()) - {lang}):
        own = {key: item for key, item in items.items() if langs[key] == code}
        entries.update(_formatted(style_name, lang, own, sort=False, names_from=code))
    order = list(_formatted_order(entries, items))
    _style, label = load_style(style_name, _csl_locale(lang))
    references = {}
    for key in order:
        sid = keys[key]
        entry = _unshield(entries[key])
        html = _linked(entry, facts.sources[sid])
        text = unescape(re.sub(r"<[^>]+>", "", entry))
        number = list(items).index(key) + 1
        references[sid] = Reference(sid, Markup(html), text, _label(label, number))
    return references


def format_item(item: CslItem, lang: str, style_name: str) -> Markup:
    """One item (the brief itself, for "cite this brief") formatted by ``style_name`` for a
    page in ``lang``, without a numeric style's label."""
    entry = _formatted(style_name, lang, {"ref0": item}, sort=False)["ref0"]
    return Markup(_unshield(entry))


# The pages a quote stands on, as a locator: CSL is handed the page as a citation's
# ``locator`` and formats it with its locale's term for "page" (short form: p./pp.; 页, 頁),
# before the number in English and most languages, in Chinese after it in 第…页.
LOCATOR_LAYOUTS = {
    "zh": '<text variable="locator" prefix="第"/><label variable="locator" form="short"/>',
    "": '<group delimiter=" "><label variable="locator" form="short"/>'
    '<text variable="locator"/></group>',
}


@cache
def _locator_style(locale: str, layout: str) -> CitationStylesStyle:
    from io import BytesIO

    from citeproc import CitationStylesStyle

    xml = (
        f'<?xml version="1.0" encoding="utf-8"?><style xmlns="{CSL_NS}" class="in-text" '
        f'version="1.0" default-locale="{locale}"><info><title>locator</title><id>locator</id>'
        "<updated>2026-01-01T00:00:00+00:00</updated></info>"
        f"<citation><layout>{layout}</layout></citation>"
        '<bibliography><layout><text variable="title"/></layout></bibliography></style>'
    )
    return CitationStylesStyle(BytesIO(xml.encode("utf-8")), locale=locale, validate=False)


@cache
def page_locator(pages: tuple[str, ...], lang: str) -> str:
    """The pages a quote stands on (one, or the first and last of a quote across a page
    break) as a note in ``lang`` prints them: "p. 2", "pp. 2–3", 第2页, 第2–3頁."""
    if not pages:
        return ""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator, formatter
    from citeproc.source.json import CiteProcJSON

    value = pages[0] if len(pages) == 1 else f"{pages[0]}–{pages[-1]}"
    layout = LOCATOR_LAYOUTS.get(primary(lang), LOCATOR_LAYOUTS[""])
    style = _locator_style(_csl_locale(lang) or "en-US", layout)
    source = CiteProcJSON([{"id": "quote", "type": "document", "title": value}])
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    citation = Citation([CitationItem("quote", locator=Locator("page", value))])
    bibliography.register(citation)
    return "".join(map(str, bibliography.cite(citation, lambda _item: None)))


def _formatted_order(entries: dict[str, str], items: dict[str, CslItem]) -> list[str]:
    """The keys in the order the first (sorting) processor gave them; citeproc-py lowercases
    keys, ours are lowercase already."""
    return [key for key in entries if key in items]


def _linked(entry: str, source: Source) -> str:
    """The entry with its URL and DOI as links (they are http(s) addresses and DOIs, checked
    when the source was loaded)."""
    for address in (source.url, f"https://doi.org/{source.doi}" if source.doi else ""):
        shown = escape(address, quote=False)
        if address and shown in entry:
            link = f'<a href="{escape(address)}">{shown}</a>'
            entry = entry.replace(shown, link, 1)
    return entry
