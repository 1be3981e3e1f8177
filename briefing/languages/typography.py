"""Typography of an edition's language, applied by the tool to every text a brief prints.

A translator types plain text; the tool sets it as an editor of that language expects, in the
HTML, and so in the PDF and the Word file made from it.  The rules run over each run of text
between tags of the rendered brief, in the language of the element the text is in (an English
title inside a Polish brief keeps English rules), never in tags, attributes, styles or SVG.

Polish (pl)
    a no-break space after the one-letter words a, i, o, u, w, z (upper case too), so none ends
    a line; between a number and its unit, scale or currency ("16,6 mld USD", "180 czołgów",
    "2024 r."), between digit groups ("10 000") and after "nr", "s.", "art." … before a number;
    „…” quotation marks, «…» inside them; "r." after the year of a date ("22 listopada 2026 r.",
    "październik 2024 r."); an en dash in a range of numbers ("2026–2029") and between words,
    never at the start of a line.
ko (Hangul)
    no space before a parenthesis that glosses the word before it ("북대서양조약기구(NATO)");
    a no-break space between an amount and its currency or counter ("166억 달러").
English and other languages are left as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from briefing.languages.i18n import base_language, current_language

# Elements whose content is not running text.
_NOT_TEXT = frozenset({"head", "title", "style", "script", "svg", "math", "textarea", "option"})
_VOID = frozenset({"br", "img", "meta", "link", "hr", "input", "wbr", "col", "source", "area", "base", "embed"})
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)([^>]*)>")
_LANG = re.compile(r"""\blang\s*=\s*["']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)""")
NBSP = "\u00a0"

# ---------------------------------------------------------------------------
# Polish
# ---------------------------------------------------------------------------

# Month names in the genitive (full dates), nominative and locative (month and year).
_PL_MONTHS = (
    "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia|"
    "styczeń|luty|marzec|kwiecień|maj|czerwiec|lipiec|sierpień|wrzesień|październik|listopad|grudzień|"
    "styczniu|lutym|marcu|kwietniu|maju|czerwcu|lipcu|sierpniu|wrześniu|październiku|listopadzie|grudniu"
)
_SPACE = "[ \u00a0]"
# A one-letter word (not part of a longer word, an abbreviation "m.in." or a hyphenated "K-9").
_ONE_LETTER = re.compile(r"(?<![\w.\-\u00ad’'])([aiouwzAIOUWZ]) (?=\S|$)")
# A number and the word after it (unit, scale, currency, counted noun, "r."); digit groups.
_NUMBER_WORD = re.compile(r"(?<=\d) (?=[^\W\d_]|%)")
_GROUP = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_SCALE_UNIT = re.compile(r"\b(mld|mln|tys\.|bln) (?=[^\W\d_])")
# An abbreviation before the number it introduces: "nr 6", "s. 4", "art. 3", "ok. 700".
_BEFORE_NUMBER = re.compile(
    r"\b(nr|s\.|str\.|akap\.|art\.|ust\.|pkt|poz\.|rozdz\.|tab\.|rys\.|przypis|przyp\.|ok\.|ponad|około|do|godz\.|cz\.)"
    r" (?=\d)"
)
# The year of a date written with a month's name, not followed by "r." already.
_DATE_YEAR = re.compile(
    rf"(\b(?:\d{{1,2}}{_SPACE})?(?:{_PL_MONTHS}){_SPACE}\d{{4}})(?!\d)(?!{_SPACE}?r\.)(?!{_SPACE}?roku)(\.?)"
)
# A range of numbers: "2026-2029", "10-15" (not a date "2024-10-31", not "A4-PL").
_RANGE = re.compile(r"(?<![\w.,\-–])(\d+)-(\d+)(?![\w\-–]|[.,]\d)")
_WORD_DASH = re.compile(r" [-–] ")
_STRAIGHT_OR_CURLY = re.compile(r"[\"“”„«»]")


class _Quotes:
    """Quotation marks of one document, in order: a quote may open in one run of text and close
    in another (a quoted title with a link inside)."""

    def __init__(self) -> None:
        self.depth = 0

    def polish(self, text: str, before: str) -> str:
        out: list[str] = []
        previous = before
        for ch in text:
            if ch not in '"“”„«»':
                out.append(ch)
                previous = ch
                continue
            if ch in "„“«":
                opening = True
            elif ch in "”»":
                opening = False
            else:  # a straight quote opens after a space, a bracket or a dash, and closes elsewhere
                opening = previous == "" or previous.isspace() or previous in "([{–—/"
            if opening:
                out.append("„" if self.depth % 2 == 0 else "«")
                self.depth += 1
            else:
                self.depth = max(0, self.depth - 1)
                out.append("”" if self.depth % 2 == 0 else "»")
            previous = out[-1]
        return "".join(out)

    def curly(self, text: str, before: str) -> str:
        """Straight quotes as “…” and ‘…’ (ko, as English, uses them); an apostrophe as ’."""
        out: list[str] = []
        previous = before
        for ch in text:
            if ch in "\"'":
                opening = previous == "" or previous.isspace() or previous in "([{–—/"
                ch = ("“" if opening else "”") if ch == '"' else ("‘" if opening else "’")
            out.append(ch)
            previous = ch
        return "".join(out)


def _year_r(match: re.Match[str]) -> str:
    # "… 2026." ends a sentence: the abbreviation's full stop is the sentence's.
    return f"{match.group(1)}{NBSP}r."


def polish_text(text: str, before: str = " ", quotes: _Quotes | None = None) -> str:
    """``text`` set by the rules of Polish typography; ``before`` is the character printed just
    before it (the end of the previous run of text), so a word split by a tag is not mistaken
    for a one-letter word."""
    if quotes is not None and _STRAIGHT_OR_CURLY.search(text):
        text = quotes.polish(text, before[-1:])
    text = _RANGE.sub(r"\1–\2", text)
    text = _WORD_DASH.sub(f"{NBSP}– ", text)
    text = _DATE_YEAR.sub(_year_r, text)
    text = _GROUP.sub(NBSP, text)
    text = _NUMBER_WORD.sub(NBSP, text)
    text = _SCALE_UNIT.sub(rf"\1{NBSP}", text)
    text = _BEFORE_NUMBER.sub(rf"\1{NBSP}", text)
    # Twice: "i w Polsce" has two one-letter words in a row, sharing the space between them.
    joined = before[-1:] + text
    for _ in range(2):
        joined = _ONE_LETTER.sub(rf"\1{NBSP}", joined)
    return joined[len(before[-1:]) :]


# ---------------------------------------------------------------------------
# ko (Hangul)
# ---------------------------------------------------------------------------

_HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
# A gloss in brackets right after the word it explains: "북대서양조약기구 (NATO)", "천무 (X12)".
_GLOSS = re.compile(rf"(?<=[{_HANGUL}A-Za-z0-9]) \((?=[^)\s]|$)")
# An amount and its currency or counter: "166억 달러", "180 대".
# A currency word may take a particle ("달러로"); a one-syllable counter only a particle, so
# "3 대한민국" is not read as "3 대".
_CURRENCIES = "달러|유로|즈워티|km|톤|%"
_COUNTERS = "원|명|대|척|문|기|개|건"
_PARTICLE = "이가을를은는의로에와과도만"
_AMOUNT = re.compile(
    rf"(?:(?<=\d)|(?<=\d[억만조천])) (?=(?:{_CURRENCIES})|(?:{_COUNTERS})(?:[{_PARTICLE}]|[^{_HANGUL}]|$))"
)


def hangul_text(text: str, before: str = " ", quotes: _Quotes | None = None) -> str:
    """``text`` set by the rules of ko (Hangul) typography."""
    if quotes is not None and ('"' in text or "'" in text):
        text = quotes.curly(text, before[-1:])
    text = _GLOSS.sub("(", text)
    return _AMOUNT.sub(NBSP, text)


_RULES: dict[str, Callable[[str, str, _Quotes | None], str]] = {"pl": polish_text, "ko": hangul_text}


def has_rules(language: str) -> bool:
    return base_language(language) in _RULES


def typeset(text: str, language: str | None = None) -> str:
    """A plain text (no markup) set by the typography of ``language`` (default: the edition's)."""
    rule = _RULES.get(base_language(language or current_language()))
    return rule(text, " ", _Quotes()) if rule else text


@functools.lru_cache(maxsize=64)
def _lang_of(attributes: str) -> str | None:
    found = _LANG.search(attributes)
    return found.group(1) if found else None


def typeset_html(html: str, language: str) -> str:
    """``html`` (a brief as rendered) with each run of text set by the typography of the language
    it is in: ``language`` for the document, or the ``lang`` of the element around it."""
    if not any(has_rules(lang) for lang in {language, *(_LANG.findall(html))}):
        return html
    pieces = re.split(r"(<[^>]*>)", html)
    stack: list[tuple[str, str]] = [("", language)]  # (element, its language)
    skipping: str | None = None
    quotes = {lang: _Quotes() for lang in _RULES}
    before = " "
    for index, piece in enumerate(pieces):
        tag = _TAG.fullmatch(piece) if piece.startswith("<") else None
        if tag:
            closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
            if skipping is not None:
                if closing and name == skipping:
                    skipping = None
                continue
            if closing:
                for depth in range(len(stack) - 1, 0, -1):
                    if stack[depth][0] == name:
                        del stack[depth:]
                        break
            elif name in _NOT_TEXT and not attributes.rstrip().endswith("/"):
                skipping = name
            elif name not in _VOID and not attributes.rstrip().endswith("/"):
                stack.append((name, _lang_of(attributes) or stack[-1][1]))
            if name in {"p", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "div", "br", "tr", "caption"}:
                before = " "  # a new block: nothing before its first word
            continue
        if skipping is not None or not piece or piece.startswith("<"):
            continue
        current = base_language(stack[-1][1])
        rule = _RULES.get(current)
        if rule is not None:
            pieces[index] = rule(piece, before, quotes[current])
        before = pieces[index][-1:] or before
    return "".join(pieces)
