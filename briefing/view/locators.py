"""A citation's locator in the words of the edition's language.

The dossier writes a locator in a small grammar (``briefing/dossier/locators.py``): "section
'Challenges in Strategic Perceptions', para. 2".  A brief prints each part in its own language
from the message catalogue: "część „Challenges in Strategic Perceptions”, akap. 2" in Polish,
"‘Challenges in Strategic Perceptions’ 절, 2문단" in ko.  The heading, and words written in
quotes, stay as the source writes them and carry the source's language (``Foreign``), so they
are hyphenated and read aloud in it.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from briefing.dossier.locators import LocatorError, Part, parse_locator
from briefing.languages.i18n import N_, Foreign, base_language, current_language, gettext, in_own_language

# How each part is printed: (one number, several numbers, no number).  English msgids; the
# catalogue gives each language's words and word order ("%(number)s쪽").
_WORDS: dict[str, tuple[str, str, str]] = {
    "page": (N_("p. %(number)s"), N_("pp. %(number)s"), ""),
    "paragraph": (N_("para. %(number)s"), N_("paras %(number)s"), ""),
    "footnote": (N_("footnote %(number)s"), N_("footnotes %(number)s"), ""),
    "section": (N_("section %(number)s"), N_("sections %(number)s"), N_("section %(heading)s")),
    "article": (N_("Art. %(number)s"), N_("Art. %(number)s"), ""),
    "table": (N_("table %(number)s"), N_("tables %(number)s"), ""),
    "figure": (N_("figure %(number)s"), N_("figures %(number)s"), ""),
    "annex": (N_("annex %(number)s"), N_("annexes %(number)s"), N_("annex")),
    "lead": ("", "", N_("lead paragraph")),
    "introduction": ("", "", N_("introduction")),
    "preamble": ("", "", N_("preamble")),
}
# Two numbers of one part: "paras 1 and 2".
_PAIR = N_("%(first)s and %(second)s")
# Quotation marks around a heading, per language (Polish „…”, ko ‘…’ as titles of parts are
# marked; English “…”).
_QUOTES = {"pl": ("„", "”"), "ko": ("‘", "’"), "de": ("„", "“"), "fr": ("« ", " »")}


def _numbers(part: Part) -> str:
    if not part.last:
        return part.first
    if part.pair:
        return gettext(_PAIR) % {"first": part.first, "second": part.last}
    return f"{part.first}–{part.last}"


def _quoted(words: str, source_language: str | None) -> Markup:
    """``words`` as the source writes them, in the edition's quotation marks, marked with the
    source's language when it is not the edition's."""
    opening, closing = _QUOTES.get(base_language(current_language()), ("“", "”"))
    return Markup(opening) + _own(words, source_language) + Markup(closing)


def _own(words: str, source_language: str | None) -> Markup:
    if source_language and base_language(source_language) != base_language(current_language()):
        return in_own_language(Foreign(words, source_language), escape(words))
    return escape(words)


def part_text(part: Part, source_language: str | None = None) -> Markup:
    """One part of a locator in the current edition's words."""
    if part.kind == "address":
        return escape(part.words)
    if part.kind == "words":
        return _own(part.words, source_language)
    one, several, bare = _WORDS[part.kind]
    if part.kind == "section" and part.words:
        # Placeholders filled with Markup keep the heading's language markers.
        return Markup(escape(gettext(bare))).replace("%(heading)s", _quoted(part.words, source_language))
    if not part.numbered:
        return escape(gettext(bare))
    pattern = gettext(several if part.last else one)
    # An article's sub-paragraphs follow it as the source numbers them: "Art. 3(1)–(2)", "제3조(1)–(2)".
    return escape(pattern % {"number": _numbers(part)} + (part.words if part.kind == "article" else ""))


def locator_text(locator: str, source_language: str | None = None) -> Markup:
    """``locator`` in the current edition's words, its parts joined by commas.  A locator the
    grammar cannot read (the schema refuses those; a model built in code may not) is printed as
    written, marked with the source's language."""
    try:
        parsed = parse_locator(locator)
    except LocatorError:
        return _own(locator, source_language)
    return Markup(", ").join(part_text(part, source_language) for part in parsed.parts)
