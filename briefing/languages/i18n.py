"""Languages of a brief: message catalogues and locale-correct dates and numbers.

Every word the tool itself prints in a brief comes from a gettext catalogue
(``briefing/locale/<lang>/LC_MESSAGES/messages.po``, compiled to ``.mo``; managed with
``pybabel``, configured in ``babel.cfg``): the templates through Jinja2's i18n extension, the
Python code (charts, notes) through ``gettext`` here.  The English msgids are the English
wording, so English needs no catalogue.

Dates and numbers are formatted with Babel (CLDR data) in the language of the edition being
built: "22 listopada 2026", "2026년 11월 22일", "16,6", "10 000".  The language is held in a
context variable for the length of one edition's selection and render (``use_language``), so
code deep in the selection (a claim's "as of" date) formats for the right edition without
every function taking a language.  Babel is imported only when a language other than English
is formatted, so ``generate --help`` stays fast.
"""

from __future__ import annotations

import calendar
import functools
import gettext as _gettext
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from markupsafe import Markup

from briefing.errors import UnknownAudienceError
from briefing.languages.numbers import KNOWN_LANGUAGES, bound, qualifier_of, read_numbers
from briefing.package_data import locale_folder

LOCALE_DIR = locale_folder()
DOMAIN = "messages"
# The language the msgids are written in: it needs no catalogue.
SOURCE_LANGUAGE = "en"

_LANGUAGE: ContextVar[str] = ContextVar("briefing_language", default=SOURCE_LANGUAGE)


class UnknownLanguageError(UnknownAudienceError):
    """A ``--lang`` the dossier does not declare: a mistake in the command line (exit 2), like
    an unknown audience."""


# Languages whose nouns change with their role in the sentence: a spelt-out name dropped into
# the sentence in its dictionary form would break the grammar ("wobec Organizacja ..."), so the
# abbreviation keeps its place and the expansion follows in brackets: "NATO (Organizacja ...)".
INFLECTED = frozenset({"pl", "cs", "sk", "ru", "uk", "be", "bg", "hr", "sr", "sl", "lt", "lv", "et", "fi", "hu", "de"})


def abbreviation_first(language: str) -> bool:
    """Whether a first use is written "TERM (expansion)" rather than "expansion (TERM)"."""
    return base_language(language) in INFLECTED


def base_language(language: str) -> str:
    """ "pl-PL" -> "pl"."""
    return language.split("-")[0].split("_")[0].lower()


def babel_locale(language: str) -> str:
    """A BCP 47 tag as Babel names the locale: "pl-PL" -> "pl_PL"."""
    return language.replace("-", "_")


def catalogue_languages() -> list[str]:
    """Languages the tool can print its own words in: English and every compiled catalogue."""
    found = {SOURCE_LANGUAGE}
    if LOCALE_DIR.is_dir():
        found |= {path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return sorted(found)


def has_catalogue(language: str) -> bool:
    return base_language(language) == SOURCE_LANGUAGE or catalogue_file(language) is not None


def catalogue_file(language: str) -> Path | None:
    """The compiled catalogue for ``language`` ("pl-PL" falls back to "pl"), if there is one."""
    for name in dict.fromkeys((babel_locale(language), base_language(language))):
        path = LOCALE_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=16)
def translations(language: str) -> _gettext.NullTranslations:
    """The gettext translations for ``language``; English (the msgids) when there is no catalogue."""
    path = catalogue_file(language)
    if path is None or base_language(language) == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    with path.open("rb") as handle:
        return _gettext.GNUTranslations(handle)


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Format dates and numbers, and translate the tool's words, in ``language`` within the block."""
    token = _LANGUAGE.set(language)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def current_language() -> str:
    return _LANGUAGE.get()


def gettext(message: str) -> str:
    """``message`` (an English msgid) in the current edition's language."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current_language()).ngettext(singular, plural, count)


def _english(language: str) -> bool:
    return base_language(language) == SOURCE_LANGUAGE


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def format_partial_date(date: str, language: str | None = None) -> str:
    """A date as precise as the source is, in the language's own form.

    "2024" -> "2024" / "2024년"; "2024-10" -> "October 2024" / "październik 2024" (the month alone is in the
    nominative) / "2024년 10월"; "2024-10-31" -> "31 October 2024" / "31 października 2024" /
    "2024년 10월 31일".
    """
    language = language or current_language()
    parts = date.split("-")
    if len(parts) == 1 and (_english(language) or not parts[0].isdigit()):
        return parts[0]
    year, month = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1
    if _english(language):
        # The briefs' own English form (day month year), not CLDR's American "October 31, 2024".
        name = calendar.month_name[month]
        return f"{name} {year}" if len(parts) == 2 else f"{int(parts[2])} {name} {year}"
    import datetime

    from babel.dates import format_date, format_skeleton

    locale = babel_locale(language)
    if len(parts) == 1:  # a year alone, as the language writes one: "2024년" in ko
        return format_skeleton("y", datetime.date(year, 1, 1), locale=locale)
    if len(parts) == 2:
        return format_skeleton("yMMMM", datetime.date(year, month, 1), locale=locale)
    return format_date(datetime.date(year, month, int(parts[2])), "long", locale=locale)


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


def decimals_of(value: float) -> int:
    """How many decimal places ``value`` is written with (16.6 -> 1, 7 -> 0): a figure keeps its precision."""
    if isinstance(value, int) or float(value).is_integer():
        return 0
    text = repr(float(value))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 2


# Languages whose CLDR data groups digits only from five digits up (minimumGroupingDigits 2).
_MIN_GROUPING = {"pl": 2, "es": 2, "pt": 2, "hr": 2, "lv": 2}


def format_number(value: float, language: str | None = None, decimals: int | None = None) -> str:
    """``value`` with the language's decimal sign and digit grouping: 16.6 -> "16,6" (pl), 10000 -> "10 000"."""
    language = language or current_language()
    places = decimals_of(value) if decimals is None else decimals
    if _english(language):
        return f"{value:,.{places}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * places if places else "")
    # CLDR's minimumGroupingDigits, which Babel does not apply: Polish writes "1000" but "10 000".
    grouped = abs(value) >= 10 ** (2 + _MIN_GROUPING.get(base_language(language), 1))
    return format_decimal(value, format=pattern, locale=babel_locale(language), group_separator=grouped)


def format_percent(value: float, language: str | None = None, decimals: int | None = None) -> str:
    """A percentage given in percent (55 -> "55%", 12.5 -> "12,5%" in Polish)."""
    language = language or current_language()
    places = decimals_of(value) if decimals is None else decimals
    if _english(language):
        return f"{value:,.{places}f}%"
    from babel.numbers import format_percent as babel_percent

    pattern = "#,##0" + ("." + "0" * places if places else "") + "%"
    return babel_percent(value / 100, format=pattern, locale=babel_locale(language))


# A unit's scale word and how much it multiplies by ("USD billion" is 10^9 US dollars).
# A translated figure's unit is written in its edition's words ("mld USD"): the amount converted
# into a second currency is made from it, so the Polish scale words count too ("62,7 mld zł").
_UNIT_SCALES = {
    "trillion": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "thousand": 1e3,
    "bln": 1e12,
    "mld": 1e9,
    "mln": 1e6,
    "tys.": 1e3,
}
_PERCENT_UNITS = ("percent", "per cent", "%")
CALENDAR_UNITS = frozenset({"year", "date"})

# A unit's written forms in one language: one string, or one per CLDR plural category.
UnitForms = str | Mapping[Any, str]


def _plural(forms: UnitForms, value: float, language: str) -> str:
    if isinstance(forms, str):
        return forms
    from babel import Locale

    category = Locale.parse(babel_locale(language)).plural_form(value)
    return forms.get(category) or forms.get("other") or next(iter(forms.values()))


def _split_unit(unit: str) -> tuple[str | None, float, bool, str]:
    """(currency code, scale, is percent, the rest) of a unit such as "USD billion",
    "million cubic metres" or "percent of respondents"."""
    words = unit.split()
    currency = next((word for word in words if re.fullmatch(r"[A-Z]{3}", word)), None)
    scale = next((_UNIT_SCALES[word.lower()] for word in words if word.lower() in _UNIT_SCALES), 1.0)
    rest = " ".join(w for w in words if w != currency and w.lower() not in _UNIT_SCALES)
    percent = False
    for mark in _PERCENT_UNITS:
        if rest.lower() == mark or rest.lower().startswith(mark + " "):
            percent, rest = True, rest[len(mark) :].strip()
            break
    return currency, scale, percent, rest


def unit_parts(unit: str) -> tuple[str, ...]:
    """The words of ``unit`` a translation must give (the whole unit, or its rest after a currency,
    a scale or "percent"); none for what Babel formats by itself."""
    if unit.strip().lower() in CALENDAR_UNITS:
        return ()
    _, _, _, rest = _split_unit(unit)
    return (unit, rest) if rest and rest != unit else ((unit,) if rest else ())


def N_(message: str) -> str:
    """Marks an English msgid for extraction where it is translated later (a default wording)."""
    return message


# A qualified number in an edition's language (numbers.QUALIFIERS): "about 700 km", "ok. 700 km",
# "약 700 km".  The catalogue says where the qualifier goes (ko puts "이상" after the number).
QUALIFIED = {
    "over": N_("over %(number)s"),
    "about": N_("about %(number)s"),
    "up to": N_("up to %(number)s"),
    "almost": N_("almost %(number)s"),
    "under": N_("under %(number)s"),
    "at least": N_("at least %(number)s"),
}


def figure_text(
    value: float, unit: str, language: str, units: Mapping[str, UnitForms], qualifier: str | None = None
) -> tuple[str, bool]:
    """A figure's written form in ``language`` from its value and unit, and whether every word of it
    is in that language (False when the unit has no translation in ``units`` and stays as written).

    "USD billion" 16.6 -> "16,6 mld USD"; "million cubic metres" 2.5 -> "2,5 mln m³" (given
    ``units["cubic metres"]``); "percent" 55 -> "55%"; "year" 2026 -> "2026"; "tanks" 180 ->
    "180 czołgów" (given the plural forms of ``units["tanks"]``).  A ``qualifier`` (a key of
    ``numbers.QUALIFIERS``, read from the source's words with ``figure_qualifier``) is part of the
    figure's meaning and is kept: "about" 700 "km" -> "about 700 km", "ok. 700 km", "약 700 km".
    """
    text, translated = _figure_text(value, unit, language, units)
    if qualifier in QUALIFIED:
        text = translations(language).gettext(QUALIFIED[qualifier]) % {"number": text}
    return text, translated


def figure_qualifier(text: str, language: str) -> str | None:
    """The qualifier of a figure's source words ("około 700 kilometrów" -> "about"), read in
    ``language`` and, where that finds none, in the other languages the reader knows: a figure
    may be quoted from a source in another language than the dossier's."""
    for reading in dict.fromkeys((language, *KNOWN_LANGUAGES)):
        found = qualifier_of(text, reading)
        if found:
            return found
    return None


def _figure_text(value: float, unit: str, language: str, units: Mapping[str, UnitForms]) -> tuple[str, bool]:
    if unit.strip().lower() in CALENDAR_UNITS:
        return str(int(value)) if float(value).is_integer() else format_number(value, language), True
    if unit in units:
        return f"{format_number(value, language)} {_plural(units[unit], value, language)}", True
    currency, scale, percent, rest = _split_unit(unit)
    places = decimals_of(value)
    translated = True
    noun = ""
    if rest:
        if rest in units:
            noun = _plural(units[rest], value, language)
        else:
            noun, translated = rest, _english(language)
    if percent:
        number = format_percent(value, language)
    elif scale != 1.0 and not _english(language):
        from babel.numbers import format_compact_currency, format_compact_decimal

        locale = babel_locale(language)
        amount = value * scale
        if currency:
            number = format_compact_currency(amount, currency, locale=locale, fraction_digits=places)
        else:
            number = format_compact_decimal(amount, locale=locale, fraction_digits=places)
    elif scale != 1.0:
        word = next(w for w in unit.split() if w.lower() in _UNIT_SCALES)
        number = f"{format_number(value, language)} {word}" + (f" {currency}" if currency else "")
    else:
        number = format_number(value, language) + (f" {currency}" if currency else "")
    return (f"{number} {noun}".strip() if noun else number), translated


def unit_label(unit: str, language: str, units: Mapping[str, UnitForms]) -> tuple[str, bool]:
    """A unit as an axis label in ``language`` (the plural "other" form), and whether it is translated."""
    if unit in units:
        return _plural(units[unit], 5, language), True
    if _english(language) or unit.strip().lower() in CALENDAR_UNITS:
        return unit, True
    currency, scale, percent, rest = _split_unit(unit)
    if rest and rest not in units:
        return unit, False
    # A currency as the translation writes it ("USD": "달러"), so the axis reads as the bars do.
    currency_word = units.get(currency, currency) if currency else ""
    words = [
        _scale_word(scale, language) if scale != 1.0 else "",
        currency_word if isinstance(currency_word, str) else currency or "",
        "%" if percent else "",
        _plural(units[rest], 5, language) if rest else "",
    ]
    return " ".join(word for word in words if word), True


def _scale_word(scale: float, language: str) -> str:
    """The short word for a scale in ``language``: 10^9 -> "mld" (pl); ko counts in 10^4 and
    10^8, so 10^9 stays "10억"."""
    from babel.numbers import format_compact_decimal

    text = format_compact_decimal(scale, locale=babel_locale(language))
    return re.sub(r"^1(?!\d)[\s\u00a0\u202f]*", "", text)


# ---------------------------------------------------------------------------
# The numbers a text states, in its own language
# ---------------------------------------------------------------------------

# Polish months in the locative ("w październiku 2024"), which CLDR does not list.
_EXTRA_MONTHS = {
    "pl": "styczniu lutym marcu kwietniu maju czerwcu lipcu sierpniu wrześniu październiku listopadzie grudniu",
}
# Dates written in digits: 22.11.2026, 2026-11-22, 2026. 11. 22.
_DIGIT_DATES = re.compile(r"\b(\d{1,4})([./-])\s?(\d{1,2})\2\s?(\d{1,4})\b\.?")


@functools.lru_cache(maxsize=16)
def _month_names(language: str) -> dict[str, int]:
    names: dict[str, int] = {}
    if _english(language):
        names |= {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
        names |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
        return names
    from babel import Locale

    locale = Locale.parse(babel_locale(language))
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in locale.months[context][width].items():
                word = name.lower().rstrip(".")
                if not any(ch.isdigit() for ch in word):  # ko "11월" is read as a number already
                    names[word] = number
    for number, word in enumerate(_EXTRA_MONTHS.get(base_language(language), "").split(), start=1):
        names[word] = number
    return names


def stated_numbers(text: str, language: str) -> Counter[float]:
    """Every number ``text`` states, as read in ``language`` ("16,6 mld" is 16.6e9 in Polish,
    "166억" 1.66e10 in ko; ``briefing/languages/numbers.py``), with the month of a date written
    with a month name counted as its number ("November 2026" has 11 and 2026, like "2026년 11월").
    Numbers written as words are not counted: a translation may write "two" as "dwa" or "2"."""
    return Counter(float(f"{value:.10g}") for value, _ in _numbers_and_qualifiers(text, language))


def _numbers_and_qualifiers(text: str, language: str) -> list[tuple[float, str | None]]:
    found: list[tuple[float, str | None]] = []

    def digit_date(match: re.Match[str]) -> str:
        for group in (1, 3, 4):
            found.append((float(match.group(group)), None))
        return " " * len(match.group())

    text = _DIGIT_DATES.sub(digit_date, text)
    found += [(number.amount, number.qualifier) for number in read_numbers(text, language, words=False)]
    months = _month_names(language)
    for word in re.finditer(r"[^\W\d_]+\.?", text):
        number = months.get(word.group().lower().rstrip("."))
        if number is None:
            continue
        # Only next to a number: English "may" is a verb, "May 2024" a month.
        before = text[max(0, word.start() - 6) : word.start()]
        after = text[word.end() : word.end() + 6]
        if re.search(r"\d\s*$", before) or re.match(r"\s*\d", after):
            found.append((float(number), None))
    return found


def describe_numbers(numbers: Counter[float]) -> str:
    def shown(value: float) -> str:
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.10g}"

    return ", ".join(shown(value) + (f" (×{count})" if count > 1 else "") for value, count in sorted(numbers.items()))


def _qualified(text: str, language: str) -> Counter[tuple[float, str]]:
    """The qualified numbers of ``text``: (0.5e9, "lower bound") for "ponad 0,5 mld" ("over" and
    "at least" are one class, as are "up to" and "under": languages draw those lines differently)."""
    return Counter(
        (float(f"{value:.10g}"), bound(qualifier))
        for value, qualifier in _numbers_and_qualifiers(text, language)
        if qualifier
    )


def _describe_qualified(numbers: Counter[tuple[float, str]]) -> str:
    return ", ".join(f"{qualifier!r} {describe_numbers(Counter([value]))}" for value, qualifier in sorted(numbers))


def number_difference(original: str, original_language: str, translated: str, language: str) -> str | None:
    """Why ``translated`` does not state the numbers ``original`` states, or their qualifiers
    ("około 700" is not a bare "700"), or None if it does."""
    before = stated_numbers(original, original_language)
    after = stated_numbers(translated, language)
    if before == after:
        qualified_before, qualified_after = _qualified(original, original_language), _qualified(translated, language)
        if qualified_before == qualified_after:
            return None
        dropped, added = qualified_before - qualified_after, qualified_after - qualified_before
        parts = []
        if dropped:
            parts.append(f"the original qualifies {_describe_qualified(dropped)}")
        if added:
            parts.append(f"the translation qualifies {_describe_qualified(added)}")
        return (
            "the qualifiers of its numbers differ from the original's (about, almost, a lower or an upper bound): "
            + "; ".join(parts)
        )
    missing, extra = before - after, after - before
    parts = []
    if missing:
        parts.append(f"the original has {describe_numbers(missing)}")
    if extra:
        parts.append(f"the translation has {describe_numbers(extra)}")
    return "its numbers differ from the original's: " + " where ".join(parts)


def check_language(language: str) -> str | None:
    """Why ``language`` cannot be an edition's language, or None if it can."""
    if not has_catalogue(language):
        available = ", ".join(catalogue_languages())
        return (
            f"the tool has no message catalogue for {language!r}, so it cannot print its own words in it "
            f"(languages with a catalogue: {available}; docs/languages.md says how to add one)"
        )
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(babel_locale(language))
    except (ValueError, UnknownLocaleError):
        return f"{language!r} is not a language Babel knows"
    return None


def choose_languages(declared: list[str], names: tuple[str, ...] | list[str]) -> list[str]:
    """The languages named (``all`` for every declared one; none named: the original), in declared order."""
    if not names:
        return declared[:1]
    if "all" in names:
        return list(declared)
    unknown = [name for name in names if name not in declared]
    if unknown:
        raise UnknownLanguageError(
            f"unknown language {unknown[0]!r}; the dossier's languages (dossier.languages): "
            f"{', '.join([*declared, 'all'])}"
        )
    return [language for language in declared if language in names]


def install(env: Any, language: str) -> None:
    """Make ``_``, ``gettext`` and ``ngettext`` in templates speak ``language``."""
    env.install_gettext_translations(translations(language), newstyle=True)


# A text in another language than its edition's is printed between these markers (Unicode
# noncharacters); ``render_html.mark_languages`` turns them into ``<span lang="…">`` where the
# text is HTML text, and removes them in attributes, where a span cannot be.
OPEN, OPENED, CLOSE = "\ufdd0", "\ufdd1", "\ufdd2"


def in_own_language(text: str, html: Markup) -> Markup:
    """``html`` (the escaped ``text``, as Markup) between language markers if ``text`` is ``Foreign``."""
    if isinstance(text, Foreign):
        return Markup(f"{OPEN}{text.lang}{OPENED}") + html + Markup(CLOSE)
    return html


class Foreign(str):
    """A text printed in another language than its edition's: an untranslated item, shown in the
    original.  Templates print it wrapped in ``<span lang="…">`` (``render_html``), so it is
    hyphenated and read aloud in its own language."""

    __slots__ = ("lang",)
    lang: str

    def __new__(cls, text: str, lang: str) -> Foreign:
        made = super().__new__(cls, text)
        made.lang = lang
        return made

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        # Pickled for the parallel renderers.
        return (str(self), self.lang)


class Translated(str):
    """A translated text that is shown with its original (a source's title): ``original`` is the
    original as a ``Foreign`` text, which templates print in its own language."""

    __slots__ = ("original",)
    original: Foreign

    def __new__(cls, text: str, original: Foreign) -> Translated:
        made = super().__new__(cls, text)
        made.original = original
        return made

    def __getnewargs__(self) -> tuple[str, Foreign]:  # type: ignore[override]
        return (str(self), self.original)


# Words the tool prints from the data's fixed vocabularies (schema.py): grade words, priorities,
# ICD 203 likelihoods and confidence levels.  Marked here so that ``pybabel extract`` puts them in
# the catalogue; templates print them with ``_(value)`` or the ``reliability``/``credibility`` filters.
VOCABULARY = (
    N_("completely reliable"),
    N_("usually reliable"),
    N_("fairly reliable"),
    N_("not usually reliable"),
    N_("unreliable"),
    N_("reliability cannot be judged"),
    N_("confirmed by other sources"),
    N_("probably true"),
    N_("possibly true"),
    N_("doubtful"),
    N_("improbable"),
    N_("truth cannot be judged"),
    N_("almost no chance"),
    N_("very unlikely"),
    N_("unlikely"),
    N_("roughly even chance"),
    N_("likely"),
    N_("very likely"),
    N_("almost certain"),
    N_("almost certainly"),
    N_("high"),
    N_("medium"),
    N_("low"),
    N_("high priority"),
    N_("medium priority"),
    N_("low priority"),
    N_("high confidence"),
    N_("moderate confidence"),
    N_("low confidence"),
    N_("moderate"),
    # What changed since an earlier edition (changes.py).
    N_("Figure changed"),
    N_("New"),
    N_("Revised"),
    N_("Withdrawn"),
    N_("New recommendation"),
    N_("Priority changed"),
    N_("Recommendation withdrawn"),
    N_("Source re-graded"),
    N_("Now out of date"),
    N_("raised"),
    N_("lowered"),
)


def split_unit(unit: str) -> tuple[str | None, float, bool, str]:
    """(currency code, scale, is percent, the rest) of a unit: "USD billion" -> ("USD", 1e9, False, "")."""
    return _split_unit(unit)
