"""Existing libraries for parts of the quote reader, measured on the figure corpus
(tests/corpus/figures/) against the hand-written grammar (policybrief.check.figures):

- Chinese numerals: ``cn2an`` (its ``transform`` turns the numerals of a sentence into
  digits, which the reader then reads) on the Chinese items whose figure is written with
  numerals (kind ``number-words`` or ``traditional-chars``);
- English number words: ``word2number`` (``w2n.word_to_num`` on the figure's words) and
  ``number-parser`` (``parse`` on the sentence, then the reader) on the English
  ``number-words`` items;
- dates: ``dateparser`` (``search.search_dates`` on the sentence) on every item whose fact
  has a date: does it find the fact's date (its year, and its month when the fact has one)?

For each, how many of the items give the fact's value (or date), and the time per item.
None of these libraries is a dependency: install them somewhere of their own,

    pip install --target /tmp/libeval cn2an word2number number-parser dateparser
    PYTHONPATH=/tmp/libeval python3 benchmarks/reader_libraries.py

A library that is not installed is left out.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "corpus" / "figures"))

from policybrief.check.quotes import read_quote  # noqa: E402

evaluate = importlib.import_module("evaluate")

Item = dict[str, Any]


def _value(item: Item) -> Decimal | None:
    value = item["fact"]["value"]
    if isinstance(value, list | str):
        return None
    return Decimal(str(value))


def _reads(text: str, value: Decimal) -> bool:
    return any(f.value == value or round(f.value, 1) == value for f in read_quote(text).figures)


def _measure(name: str, items: list[Item], found: Callable[[Item], bool]) -> None:
    start = time.perf_counter()
    hits = 0
    for item in items:
        try:
            hits += bool(found(item))
        except Exception:  # noqa: BLE001 - a library that fails on a sentence reads nothing
            pass
    per_item = (time.perf_counter() - start) / max(len(items), 1) * 1000
    print(
        f"  {name:<34} {hits:>4}/{len(items):<4} {100 * hits / max(len(items), 1):5.1f} %"
        f"  {per_item:6.2f} ms/item"
    )


def chinese(items: list[Item]) -> None:
    chosen = [
        i
        for i in items
        if i["lang"] != "en"
        and {"number-words", "traditional-chars"} & set(i["kinds"])
        and _value(i) is not None
    ]
    print(f"Chinese numerals ({len(chosen)} items):")
    _measure("hand-written grammar", chosen, lambda i: _reads(i["quote"], _value(i)))
    try:
        cn2an = importlib.import_module("cn2an")
    except ImportError:
        return
    _measure(
        "cn2an.transform + the grammar",
        chosen,
        lambda i: _reads(cn2an.transform(i["quote"], "cn2an"), _value(i)),
    )


def english(items: list[Item]) -> None:
    chosen = [
        i
        for i in items
        if i["lang"] == "en" and "number-words" in i["kinds"] and _value(i) is not None
    ]
    print(f"English number words ({len(chosen)} items):")
    _measure("hand-written grammar", chosen, lambda i: _reads(i["quote"], _value(i)))
    try:
        w2n = importlib.import_module("word2number.w2n")

        def by_w2n(item: Item) -> bool:
            words = str(item["fact"].get("figure") or item["quote"])
            return Decimal(str(w2n.word_to_num(words))) == _value(item)

        _measure("word2number (figure's words)", chosen, by_w2n)
    except ImportError:
        pass
    try:
        parser = importlib.import_module("number_parser")
        _measure(
            "number-parser.parse + the grammar",
            chosen,
            lambda i: _reads(parser.parse(i["quote"]), _value(i)),
        )
    except ImportError:
        pass


def _date_of(item: Item) -> tuple[int, int | None] | None:
    fact = item["fact"]
    text = str(fact["value"] if fact["unit"] == "date" else fact.get("date") or "")
    if len(text) < 4 or not text[:4].isdigit():
        return None
    return int(text[:4]), int(text[5:7]) if len(text) >= 7 else None


def _ours_dates(item: Item) -> bool:
    year, month = _date_of(item) or (0, None)
    return any(
        d.year == year and (month is None or d.month == month)
        for d in read_quote(item["quote"]).dates
    )


def dates(items: list[Item]) -> None:
    chosen = [i for i in items if _date_of(i) is not None and "note" not in i["fact"]]
    print(f"Dates stated in the sentence ({len(chosen)} items with a date and no note):")
    _measure("hand-written grammar", chosen, _ours_dates)
    try:
        search = importlib.import_module("dateparser.search")
    except ImportError:
        return

    def by_dateparser(item: Item) -> bool:
        year, month = _date_of(item) or (0, None)
        lang = "zh" if item["lang"] != "en" else "en"
        found = search.search_dates(item["quote"], languages=[lang]) or []
        return any(d.year == year and (month is None or d.month == month) for _, d in found)

    _measure("dateparser.search.search_dates", chosen, by_dateparser)


def main() -> int:
    items = evaluate.load_corpus()
    try:
        chinese(items)
        english(items)
        dates(items)
    except InvalidOperation as error:  # pragma: no cover - a corpus value that is no number
        print(error)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
