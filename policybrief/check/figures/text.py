"""The text a quote is read as: one script of digits, Simplified forms of the characters
that write figures, hedges and dates, and whitespace that never joins or splits a figure."""

from __future__ import annotations

import re
import unicodedata

# Traditional characters of figures, hedges and dates, mapped one to one to Simplified ones,
# so one grammar reads both (萬→万, 億→亿, 點→点, 個→个, 兩→两, 餘→余, 約→约, 過→过 …).
_TRADITIONAL = str.maketrans(
    "國萬億點個兩餘約過將達數幾來當現後內於與較為實際計間週歲號圓門幣鎊蘭盧臺歐區戶輛噸畝縣項條筆億╱／",
    "国万亿点个两余约过将达数几来当现后内于与较为实际计间周岁号圆门币镑兰卢台欧区户辆吨亩县项条笔亿//",
)
_SPACE = re.compile(r"\s+")
_DIGIT_SPACE = re.compile(r"(?<=\d)\s+(?=\d)")


# A Latin O written for 〇 beside Chinese numerals (二OO七/O八年度), as some governments type it.
_CN_DIGIT = "〇○零一二三四五六七八九"
_LATIN_ZERO = re.compile(rf"(?<=[{_CN_DIGIT}O])O|O(?=O*[{_CN_DIGIT}])")


def to_simplified(text: str) -> str:
    """The Traditional characters of figures, hedges and dates as Simplified ones, and a
    Latin O among Chinese numerals as 〇, one for one (so every offset stays where it was)."""
    return _LATIN_ZERO.sub("〇", text.translate(_TRADITIONAL))


def squash(text: str) -> str:
    """The text with its whitespace taken out, except between two digits, where any run
    of whitespace (a space, a thin or no-break space, a line break) becomes one space: a
    quote "4 14" is then not found in a source that says 414, nor "414" in one that says
    "4 14"."""
    return _SPACE.sub("", _DIGIT_SPACE.sub("\x00", text)).replace("\x00", " ")


def normalize(quote: str) -> tuple[str, bool]:
    """Full-width and other-script digits to ASCII, Traditional figure characters to
    Simplified; whitespace dropped inside Chinese text (source texts break lines mid-word
    and pad numbers: 近 30 个亿, 2 188.04亿元) and runs of it made one space elsewhere."""
    text, _shown, chinese = read_text(quote)
    return text, chinese


def read_text(quote: str) -> tuple[str, str, bool]:
    """(the text as read, the same text in the quote's own characters, whether it is
    Chinese): the two differ only where a Traditional character is read as its Simplified
    form, one for one, so an offset into one is the same place in the other and a message
    can quote 約3億 as the source writes it."""
    chars = []
    for ch in unicodedata.normalize("NFKC", quote):
        digit = unicodedata.decimal(ch, None)
        chars.append(str(digit) if digit is not None and not ch.isascii() else ch)
    shown = "".join(chars)
    chinese = bool(re.search(r"[\u4e00-\u9fff]", shown))
    if not chinese:
        shown = _SPACE.sub(" ", shown)
        return shown, shown, False
    shown = _SPACE.sub("", shown)
    return to_simplified(shown), shown, True


_SIMPLIFIED_TO_TRADITIONAL = {v: k for k, v in _TRADITIONAL.items()}


def as_written(words: str, shown: str) -> str:
    """Words read in Simplified characters (a hedge: 约, 余) as the quote ``shown`` writes
    them: a character whose Traditional form the quote uses, and not its Simplified one,
    is given back in that form."""
    out = []
    for ch in words:
        trad = _SIMPLIFIED_TO_TRADITIONAL.get(ord(ch))
        use = trad is not None and chr(trad) in shown and ch not in shown
        out.append(chr(trad) if use and trad is not None else ch)
    return "".join(out)
