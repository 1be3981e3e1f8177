"""Reading the numbers a text states, with the rules of the text's own language.

One reader for every check that compares numbers: a figure's ``value`` against its ``text``
(``dossier/verify.py``), a translation against its original (``i18n.number_difference``), a
figure's qualifier kept in an edition (``i18n.figure_text``).  A text is read with the rules of
its language: Babel's CLDR symbols for the decimal sign and digit groups ("16,6" and
"1 234,5" in Polish, "16.6" and "1,234.5" in English), the language's scale words ("mld",
"mln", "tys.", "bln"; "billion", "bn"; ko 천/만/억/조 joined to the number), percent signs
and words, and the number words sources write ("three", "trzy", "dwa razy").

A number keeps what qualifies it: "Ponad 0,5 mld zł" states 0.5 billion with the qualifier
``over``; "około 700 kilometrów" and "ok. 800 km" are ``about``.  A qualifier is a family key
(``QUALIFIERS``) shared by every language, so "about 700 km" and "ok. 700 km" qualify alike.

Where a number reads differently under another language's rules ("1,234" is 1.234 in Polish
and 1234 in English), it is marked ``ambiguous``: a message then says what it found and how
it was read, and never proposes the other reading as the value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

# The qualifier families, in the order a message lists them.  "over" (more than), "about",
# "up to" (at most), "almost" (nearly, not quite), "under" (less than), "at least".
QUALIFIERS = ("over", "about", "up to", "almost", "under", "at least")

# The languages whose qualifiers and number words the reader knows (others are read with
# their CLDR symbols and English words).
KNOWN_LANGUAGES = ("en", "pl", "ko")

# Qualifiers that bound a number the same way, for comparing a text with its translation:
# "over 600" may be written "600 이상" (600 or more), "up to 40" "poniżej 40" in a looser style.
BOUNDS = {"over": "lower bound", "at least": "lower bound", "up to": "upper bound", "under": "upper bound"}


def bound(qualifier: str) -> str:
    """The class of ``qualifier`` a translation must keep ("over" and "at least" are both lower bounds)."""
    return BOUNDS.get(qualifier, qualifier)


# Words before a number that qualify it, per language.  Longest first within a family does not
# matter: the pattern below takes the longest match anywhere.
_BEFORE: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "over": ("over", "more than", "above", "in excess of", "exceeding", "exceeded", "upwards of"),
        "about": ("about", "around", "approximately", "approx.", "roughly", "some", "circa", "c.", "an estimated"),
        "up to": ("up to", "as many as", "as much as", "at most", "a maximum of", "no more than", "not more than"),
        "almost": ("almost", "nearly", "close to", "just under", "not quite"),
        "under": ("under", "less than", "fewer than", "below"),
        "at least": ("at least", "a minimum of", "no fewer than", "no less than", "not less than", "not fewer than"),
    },
    "pl": {
        "over": ("ponad", "przeszło", "powyżej", "więcej niż", "z górą", r"przekr[ao]\w*", r"przewyższ\w*"),
        "about": ("około", "ok.", "ok", "mniej więcej", "rzędu", "szacunkowo"),
        "up to": ("do", "aż do", "maksymalnie", "najwyżej", "nie więcej niż", "co najwyżej", "nawet", "nawet o"),
        "almost": ("prawie", "niemal", "niemal że", "niespełna", "nieco poniżej", "blisko"),
        "under": ("poniżej", "mniej niż", "mniej aniżeli"),
        "at least": ("co najmniej", "przynajmniej", "minimum", "nie mniej niż"),
    },
    "ko": {
        "about": ("약", "대략", "대략적으로", "추정"),
        "up to": ("최대",),
        "almost": ("거의", "근"),
        "under": ("미만",),
        "at least": ("최소", "적어도"),
    },
}
# Words after a number (and its unit) that qualify it: ko puts them last ("600대 이상").
_AFTER: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"over": ("or more", "-plus"), "about": ("or so",)},
    "pl": {"over": ("z okładem", "z hakiem")},
    "ko": {
        "over": (r"넘\w*", "여", "남짓", "초과"),
        "at least": ("이상",),
        "about": ("가량", "정도", "안팎", "내외", "쯤"),
        "up to": ("까지", "이하"),
        "almost": ("가까이", "가까운", "육박"),
        "under": ("미만", "못 미치는"),
    },
}

# Scale words after a number, per language, with the factor they multiply by.
_SCALES: dict[str, tuple[tuple[str, float], ...]] = {
    "en": (
        (r"trillions?\b|tn\b", 1e12),
        (r"billions?\b|bn\b|bln\b", 1e9),
        (r"millions?\b|mn\b|mln\b|m\b", 1e6),
        (r"thousands?\b|k\b", 1e3),
    ),
    "pl": (
        (r"bln\b|bilion\w*", 1e12),
        (r"mld\b|miliard\w*", 1e9),
        (r"mln\b|milion\w*", 1e6),
        (r"tys\.|tys\b|tysi[ąę]c\w*", 1e3),
    ),
}
_PERCENT = {
    "en": r"%|per ?cent\b|percent\b|percentage points?\b",
    "pl": r"%|proc\.|procent\w*|punkt\w* procentow\w*",
    "ko": r"%|퍼센트|프로",
}
# ko counts in myriads: the unit joins the number ("166억", "1만", "2조 5천억").
_KO_SMALL = {"십": 10.0, "백": 100.0, "천": 1000.0}
_KO_LARGE = {"만": 1e4, "억": 1e8, "조": 1e12}
_KO_NUMBER = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)*)([십백천]?[만억조]|[천])(?![가-힣]*[a-zA-Z])")

# Number words, per language, that sources write instead of digits.
_WORDS: dict[str, dict[str, float]] = {
    "en": {
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "thirty": 30, "hundred": 100,
        "thousand": 1000, "twice": 2, "double": 2, "half": 0.5, "once": 1, "thrice": 3,
    },
    "pl": {
        "jeden": 1, "jedna": 1, "jedno": 1, "jednego": 1, "dwa": 2, "dwie": 2, "dwóch": 2, "dwu": 2, "dwoma": 2,
        "trzy": 3, "trzech": 3, "trzema": 3, "cztery": 4, "czterech": 4, "pięć": 5, "pięciu": 5, "sześć": 6,
        "sześciu": 6, "siedem": 7, "siedmiu": 7, "osiem": 8, "ośmiu": 8, "dziewięć": 9, "dziewięciu": 9,
        "dziesięć": 10, "dziesięciu": 10, "jedenaście": 11, "dwanaście": 12, "dwadzieścia": 20,
        "trzydzieści": 30, "sto": 100, "tysiąc": 1000, "dwukrotnie": 2, "trzykrotnie": 3,
        "czterokrotnie": 4, "pół": 0.5, "połowa": 0.5, "połowę": 0.5,
    },
    "ko": {"두 배": 2, "세 배": 3, "네 배": 4, "절반": 0.5},
}  # fmt: skip


def base_language(language: str) -> str:
    """ "pl-PL" -> "pl"."""
    return language.split("-")[0].split("_")[0].lower()


@dataclass(frozen=True)
class Number:
    """One number a text states, as read in the text's language."""

    written: str  # the characters read: "0,5 mld", "166억", "trzy"
    value: float  # the number as written, before any scale: 0.5
    scaled: float | None  # with its scale word: 5e8; None where none follows
    percent: bool
    qualifier: str | None  # a key of QUALIFIERS, or None
    word: bool  # written as a word ("three"), not in digits
    # It reads as another number under the rules of a language with the other decimal sign.
    ambiguous: bool = False
    other_reading: float | None = None
    start: int = 0
    end: int = 0

    @property
    def values(self) -> tuple[float, ...]:
        """Every value the number may be given as: as written, scaled, a percent as a fraction."""
        found = [self.value]
        if self.scaled is not None:
            found.append(self.scaled)
        if self.percent:
            found.append(self.value / 100)
        return tuple(found)

    @property
    def amount(self) -> float:
        """The number it states: scaled where a scale word follows."""
        return self.scaled if self.scaled is not None else self.value

    def states(self, value: float) -> bool:
        return any(abs(found - value) <= 1e-9 * max(1.0, abs(value)) for found in self.values)


@functools.lru_cache(maxsize=32)
def _symbols(language: str) -> tuple[str, str]:
    """The decimal sign and group separator of ``language`` (CLDR, through Babel)."""
    if base_language(language) == "en":
        return ".", ","
    from babel.numbers import get_decimal_symbol, get_group_symbol

    try:
        return get_decimal_symbol(language.replace("-", "_")), get_group_symbol(language.replace("-", "_"))
    except Exception:  # an unknown locale: English rules, and the reader says so where it matters
        return ".", ","


_SPACES = " \u00a0\u202f\u2009"


def _alternation(words: tuple[str, ...]) -> str:
    """One pattern for ``words``; an entry written as a pattern (it has a backslash) is kept as it is."""
    written = (word if "\\" in word else re.escape(word).replace(r"\ ", r"\s+") for word in words)
    return "|".join(sorted(written, key=len, reverse=True))


@functools.lru_cache(maxsize=32)
def _digits_pattern(language: str) -> re.Pattern[str]:
    decimal, group = _symbols(language)
    groups = f"[{_SPACES}]" if group in _SPACES else re.escape(group)
    dec = re.escape(decimal)
    scales = _SCALES.get(base_language(language), ())
    scale = "|".join(f"(?P<s{index}>{words})" for index, (words, _) in enumerate(scales))
    percent = _PERCENT.get(base_language(language), _PERCENT["en"])
    follow = f"(?:[{_SPACES}]?(?:(?P<percent>{percent})" + (f"|{scale}" if scale else "") + "))?"
    # Digits grouped the language's way ("1 234,5" in Polish), or digits with any separators
    # ("16.6" quoted from an English source into a Polish text): ``_interpret`` reads those.
    # Digits after a letter count ("Q3", "X12"), alike in every language; a minus sign only
    # where a number starts ("-5%", not the hyphen of "F-16").
    return re.compile(
        rf"(?<![\d.,])(?:(?<![^\s(\[])(?P<sign>[-\u2212])(?=\d))?"
        rf"(?P<number>\d{{1,3}}(?:{groups}\d{{3}})+(?:{dec}\d+)?(?![.,]\d)|\d+(?:[.,]\d+)*)(?!\d){follow}",
        re.IGNORECASE,
    )


def _interpret(written: str, language: str) -> tuple[float, float | None]:
    """The value of digits as ``language`` writes them, and the value they would have under the
    other decimal sign if that differs ("1,234": 1.234 in Polish, 1234 in English)."""
    decimal, _ = _symbols(language)
    digits = "".join(ch for ch in written if ch not in _SPACES)
    separators = [ch for ch in digits if ch in ".,"]
    if not separators:
        return float(digits), None
    if len(set(separators)) > 1:  # "1,234.5" or "1.234,5": the last one is the decimal sign
        last = separators[-1]
        head, _, tail = digits.rpartition(last)
        return float(re.sub(r"[.,]", "", head) + "." + tail), None
    mark = separators[0]
    if len(separators) > 1:  # "1,000,000": only grouping repeats
        return float(digits.replace(mark, "")), None
    head, _, tail = digits.partition(mark)
    as_decimal, as_group = float(f"{head}.{tail}"), float(head + tail)
    if len(tail) != 3:
        return as_decimal, None  # "16,6" or "16.6" can only be a decimal
    if mark == decimal:
        return as_decimal, as_group
    return as_group, as_decimal


@functools.lru_cache(maxsize=32)
def _qualifier_patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Qualifiers written just before a number (then at most a currency sign), and just after it
    (then its unit, for ko)."""
    table_before = _BEFORE.get(base_language(language), _BEFORE["en"])
    table_after = _AFTER.get(base_language(language), {})
    before = "|".join(
        f"(?P<b{index}>{_alternation(table_before[key])})"
        for index, key in enumerate(QUALIFIERS)
        if key in table_before
    )
    after = "|".join(
        f"(?P<a{index}>{_alternation(table_after[key])})" for index, key in enumerate(QUALIFIERS) if key in table_after
    )
    # Before: the qualifier, then white space and at most a currency or sign word ("over $11",
    # "ponad 0,5"); the match must end where the number starts.
    before_pattern = re.compile(rf"(?<![\w.])(?:{before})\s*(?:[$€£¥₩]|US\$|USD\s|EUR\s|PLN\s)?\s*$", re.IGNORECASE)
    # After: a unit word or two may stand between ("600 tanks or more", "600대 이상").
    # ko particles join the qualifier ("이상이", "넘었고"): no word boundary after it there.
    end = "" if base_language(language) == "ko" else r"(?![\w])"
    after_pattern = re.compile(
        rf"^(?P<unit>(?:\s*[^\s\d.,;:()]{{0,12}}){{0,2}}?)\s*(?:{after}){end}" if after else r"(?!)", re.IGNORECASE
    )
    return before_pattern, after_pattern


def _group_key(match: re.Match[str], prefix: str) -> str | None:
    for index, key in enumerate(QUALIFIERS):
        if match.groupdict().get(f"{prefix}{index}"):
            return key
    return None


# A year in running text ("do 2026 r.", "do 2026."): "do" then means "until", not "up to"; and
# "od 10 do 15 lat" is a range, not "up to 15".
_YEAR_AFTER = re.compile(r"^\s*(?:r\.|roku|rok\b|년|[.,;:)]|$)")
# A Polish ordinal is written with a full stop: "3. kwartału" (the third quarter).
_ORDINAL_AFTER = re.compile(r"^\.\s+[a-ząćęłńóśźż]")
_TIME_UNIT = re.compile(r"^\s*(?:년|월|일|분기|시|주|r\.|roku)")
_RANGE_BEFORE = re.compile(r"\b(?:od|from|between|między)\s+\S+(?:\s+\S+)?\s*$", re.IGNORECASE)


def _qualifier(text: str, start: int, end: int, language: str, value: float) -> str | None:
    before, after = _qualifier_patterns(language)
    head = text[max(0, start - 40) : start]
    found = before.search(head)
    if found is not None:
        key = _group_key(found, "b")
        year = 1000 <= value <= 2200 and float(value).is_integer()
        if key == "up to" and ((year and _YEAR_AFTER.match(text[end:])) or _ORDINAL_AFTER.match(text[end:])):
            return None  # "do 2026 r." is a date, "do 3. kwartału" an ordinal: "by", not "up to"
        if key == "up to" and _RANGE_BEFORE.search(head[: found.start()]):
            return None
        return key
    found = after.search(text[end : end + 40])
    if found is None or _TIME_UNIT.match(found["unit"]):
        return None  # "2025년까지", "10월까지": until a date, not "up to" a number
    return _group_key(found, "a")


def qualifier_words(text: str, number: Number, language: str) -> str:
    """The words that qualify ``number`` in ``text``, as written ("około", "Ponad", "이상"); the
    qualifier's key if they cannot be found again."""
    before, after = _qualifier_patterns(language)
    found = before.search(text[max(0, number.start - 40) : number.start])
    if found is not None:
        key = next((found[name] for name in found.groupdict() if name.startswith("b") and found[name]), None)
        if key:
            return " ".join(key.split())
    found = after.search(text[number.end : number.end + 40])
    if found is not None:
        key = next((found[name] for name in found.groupdict() if name.startswith("a") and found[name]), None)
        if key:
            return key
    return number.qualifier or ""


def _read_myriads(text: str) -> Iterator[Number]:
    """Numbers joined to a myriad unit: "166억" = 1.66e10, "1만" = 1e4, "2조 5천억" = 2.5e12."""
    matches = list(_KO_NUMBER.finditer(text))
    index = 0
    while index < len(matches):
        match = matches[index]
        total = _ko_value(match)
        start, end, written = match.start(), match.end(), match.group()
        # "2조 5천억": a larger unit followed by a smaller one is one number.
        while index + 1 < len(matches):
            following = matches[index + 1]
            gap = text[end : following.start()]
            if gap.strip() or _ko_unit(following) >= _ko_unit(match):
                break
            total += _ko_value(following)
            end, written = following.end(), text[start : following.end()]
            index, match = index + 1, following
        # A compound ("2조 5천억") has no one number as written: its value is the whole amount.
        number = float(match.group(1).replace(",", "")) if written == match.group() else total
        yield Number(written, number, total, False, None, False, start=start, end=end)
        index += 1


def _ko_unit(match: re.Match[str]) -> float:
    unit = match.group(2)
    factor = _KO_LARGE.get(unit[-1], 1.0)
    return factor * _KO_SMALL.get(unit[0], 1.0) if unit[-1] in _KO_LARGE else _KO_SMALL[unit]


def _ko_value(match: re.Match[str]) -> float:
    return float(match.group(1).replace(",", "")) * _ko_unit(match)


@functools.lru_cache(maxsize=8192)
def read_numbers(text: str, language: str, words: bool = True) -> tuple[Number, ...]:
    """Every number ``text`` states, read with the rules of ``language``, in order.

    With ``words``, numbers written as words count too ("three", "trzy", "dwa razy").
    """
    lang = base_language(language)
    found: list[Number] = []
    taken: list[tuple[int, int]] = []
    if lang == "ko":
        for number in _read_myriads(text):
            qualifier = _qualifier(text, number.start, number.end, language, number.amount)
            found.append(_with(number, qualifier))
            taken.append((number.start, number.end))
    scales = _SCALES.get(lang, ())
    for match in _digits_pattern(language).finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        written = match["number"]
        value, other = _interpret(written, language)
        if match["sign"]:
            value = -value
        scaled = None
        for index, (_, factor) in enumerate(scales):
            if match[f"s{index}"]:
                scaled = value * factor
                break
        qualifier = _qualifier(text, match.start(), match.end(), language, value)
        found.append(
            Number(
                match.group().strip(),
                value,
                scaled,
                bool(match["percent"]),
                qualifier,
                False,
                ambiguous=other is not None,
                other_reading=other,
                start=match.start(),
                end=match.end(),
            )
        )
    if words:
        table = _WORDS.get(lang, {})
        pattern = _word_pattern(lang)
        for match in pattern.finditer(text) if table else ():
            value = table[" ".join(match.group().lower().split())]
            qualifier = _qualifier(text, match.start(), match.end(), language, value)
            start, end = match.start(), match.end()
            found.append(Number(match.group(), value, None, False, qualifier, True, start=start, end=end))
    found.sort(key=lambda number: number.start)
    return tuple(found)


def _with(number: Number, qualifier: str | None) -> Number:
    return Number(
        number.written, number.value, number.scaled, number.percent, qualifier, number.word,
        start=number.start, end=number.end,
    )  # fmt: skip


@functools.lru_cache(maxsize=8)
def _word_pattern(language: str) -> re.Pattern[str]:
    words = tuple(_WORDS.get(language, {}))
    return re.compile(rf"(?<![\w]){_alternation(words)}(?![\w])", re.IGNORECASE) if words else re.compile(r"(?!)")


def states_value(text: str, value: float, language: str) -> bool:
    """Whether ``text``, read in ``language``, states ``value`` (as written, scaled, or as a fraction of a percent)."""
    return any(number.states(value) for number in read_numbers(text, language))


def qualifier_of(text: str, language: str) -> str | None:
    """The qualifier of the first number ``text`` states ("około 700 kilometrów" -> "about")."""
    numbers = read_numbers(text, language)
    return numbers[0].qualifier if numbers else None


def _shown(value: float) -> str:
    if float(value).is_integer():
        return f"{value:.0f}" if abs(value) < 10_000 else f"{value:,.0f}"
    return f"{value:,.10g}"


def describe(number: Number, language: str) -> str:
    """What the reader found, for a message: "'0,5 mld' = 0.5 (500,000,000 with its scale), qualified 'over'"."""
    parts = [f"{number.written!r} = {_shown(number.value)}"]
    if number.scaled is not None:
        parts.append(f"({_shown(number.scaled)} with its scale)")
    if number.percent:
        parts.append("(percent)")
    if number.qualifier:
        parts.append(f"qualified {number.qualifier!r}")
    if number.ambiguous and number.other_reading is not None:
        other = _shown(number.other_reading)
        parts.append(f"[read with the rules of {language!r}; with the other decimal sign it would be {other}]")
    return " ".join(parts)
