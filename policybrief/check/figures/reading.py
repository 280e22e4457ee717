"""What reading a quote finds: figures, dates and the reading itself."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class QuotedFigure:
    """One figure stated in a quote."""

    value: Decimal
    percent: bool  # written as a percentage (58%, 百分之六十, 40 percent)
    hedge: str  # the qualifier its hedge words express; "exact" when there are none
    hedge_word: str  # the hedge as written ("近", "多", "over"), or ""
    text: str  # the figure as written, hedges included
    start: int
    end: int
    high: Decimal | None = None  # the upper end of a range (95.7%–96.2%)
    currencies: tuple[str, ...] = ()  # what it may be money in (美元: USD); () unsaid

    def shown(self) -> str:
        return self.text


@dataclass(frozen=True)
class DateMention:
    """A date the quote states, absolute (2016年7月) or relative (今年10月, two years ago)."""

    year: int | None
    month: int | None
    day: int | None
    relative: str  # the relative word (今年, 去年, 两年前, 目前, last year), or ""
    text: str
    start: int
    end: int = 0
    end_of_year: bool = False  # 年底 / 年末 / "end of": December by convention
    base: bool = False  # the base of a comparison (比2016年末, "up from … in 2006")
    attributive: bool = False  # dates only the figure right after it (2012年末的9899万人)
    period: bool = False  # the end of a period (一季度, 上半年, 3月末, first quarter): past
    year_from_source: bool = False  # a year the quote leaves out, bound to its source's date


@dataclass(frozen=True)
class Reading:
    """Everything read from one quote."""

    text: str  # the quote as read (whitespace inside Chinese text removed)
    figures: tuple[QuotedFigure, ...]
    dates: tuple[DateMention, ...]
    chinese: bool
    vague: tuple[str, ...] = ()  # amounts no value can state exactly: 十几, 数百, 上千
    shown: str = ""  # ``text`` in the quote's own characters (Traditional ones kept)
