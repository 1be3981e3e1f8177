"""Where in a source a quote is: the small grammar of a citation's ``locator``.

A locator is a list of parts separated by commas or semicolons, each part one of:

==============  ===========================================  ==========================
part            written (English, Polish or Hangul (ko) words)    example
==============  ===========================================  ==========================
page            p. / pp. / page(s) / s. / str. / 쪽          ``p. 4``, ``pp. 4–5``, ``4쪽``
paragraph       para. / paras / paragraph(s) / akap. / 문단  ``para. 2``, ``paras 1 and 2``
footnote        footnote / fn. / note / przypis / 각주       ``footnote 2``, ``(footnote [2])``
section         section / część / 절 + heading in quotes,    ``section 'Recommendations'``
                or a number                                  ``section 2``
article         Art. / art. / 제…조                           ``Art. 3(1)–(2)``
table, figure   table / tab. / 표, figure / fig. / rys. / 그림 ``table 2``
annex           annex / appendix / załącznik / 부록           ``annex 1``, ``appendix``
lead            lead (paragraph) / akapit wstępny / 요지      ``lead paragraph``
introduction    introduction / wprowadzenie / 서론            ``introduction, para. 2``
preamble        preamble / preambuła / 전문                   ``preamble``
words           any words in quotes, printed as written      ``'interview notes'``
address         a web address                                ``https://example.org/#a``
==============  ===========================================  ==========================

Numbers are single (``4``), ranges (``4–5``, ``4-5``) or pairs (``1 and 2``, ``1 i 2``, ``1·2``).
A section heading, and words in quotes, stay as the source writes them; every other part is
printed in the words of the edition's language (``briefing/view/locators.py``).  A locator
the grammar cannot read is an error at its ``file:line`` saying what to write instead: a
footnote half in English in a Polish brief is worse than a build that stops.

This module only reads locators (the dossier's schema uses it); it prints nothing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "page",
    "paragraph",
    "footnote",
    "section",
    "article",
    "table",
    "figure",
    "annex",
    "lead",
    "introduction",
    "preamble",
    "words",
    "address",
]


@dataclass(frozen=True)
class Part:
    """One part of a locator: its kind and its numbers ("4", "4–5"; ``pair``: "1 and 2"), or its
    words (a section's heading, words in quotes, an address, an article's sub-paragraphs)."""

    kind: Kind
    first: str = ""
    last: str = ""
    pair: bool = False
    words: str = ""

    @property
    def numbered(self) -> bool:
        return bool(self.first)


@dataclass(frozen=True)
class Locator:
    parts: tuple[Part, ...]

    def pages(self) -> tuple[int, int] | None:
        """The first and last page the locator names, if it names any."""
        for part in self.parts:
            if part.kind == "page" and part.first.isdigit():
                first = int(part.first)
                last = int(part.last) if part.last.isdigit() else first
                return (first, last) if last >= first else (last, first)
        return None


class LocatorError(ValueError):
    """A locator the grammar cannot read; the message says which words and what to write."""


_QUOTES = {"'": "'", '"': '"', "‘": "’", "“": "”", "„": "”", "«": "»", "‚": "’"}
_QUOTED = r"(?P<q>'[^']+'|\"[^\"]+\"|‘[^’]+’|“[^”]+”|„[^”]+”|«[^»]+»|‚[^’]+’)"
_NUMBER = r"\[?\d+[a-z]?\]?"
_DASH = r"\s*[-–—‒]\s*"
_AND = r"\s*(?:and|&|i|oraz|및|와|과|·|,)\s*"
# One number, a range, or a pair.
_NUMBERS = rf"(?P<first>{_NUMBER})(?:(?P<range>{_DASH})(?P<last>{_NUMBER})|(?P<pair>{_AND})(?P<second>{_NUMBER}))?"

# (kind, pattern) in the order tried; each pattern must match the whole part.
_GRAMMAR: tuple[tuple[Kind, str], ...] = (
    ("address", r"(?P<words>https?://\S+)"),
    ("words", _QUOTED),
    ("page", rf"(?:pp?\.?|pages?|s\.|str\.|strony|strona|stron)\s*{_NUMBERS}"),
    ("page", rf"{_NUMBERS}\s*(?:쪽|면|페이지)"),
    ("paragraph", rf"(?:paras?\.?|paragraphs?|¶¶?|akap\.|akapity?|akapitach|ust\.)\s*{_NUMBERS}"),
    ("paragraph", rf"{_NUMBERS}\s*(?:문단|단락)"),
    ("footnote", rf"\(?\s*(?:footnotes?|fn\.|notes?|przypisy?|przyp\.|각주)\s*{_NUMBERS}\s*\)?"),
    ("section", rf"(?:section|sec\.|§|część|cz\.|rozdział|rozdz\.|sekcja)\s*{_QUOTED}"),
    ("section", rf"{_QUOTED}\s*(?:절|장|부분)"),
    ("section", rf"(?:section|sec\.|§|część|cz\.|rozdział|rozdz\.|sekcja)\s*{_NUMBERS}"),
    ("section", rf"{_NUMBERS}\s*(?:절)"),
    ("article", r"(?:art\.|article|artykuł)\s*(?P<first>\d+[a-z]?)(?P<words>(?:\(\d+\))*(?:\s*[-–—]\s*\(\d+\))?)"),
    ("article", r"제\s*(?P<first>\d+)\s*조(?P<words>(?:\(\d+\))*(?:\s*[-–—]\s*\(\d+\))?)"),
    ("table", rf"(?:table|tab\.|tabela|표)\s*{_NUMBERS}"),
    ("figure", rf"(?:figure|fig\.|rys\.|rysunek|wykres|그림)\s*{_NUMBERS}"),
    ("annex", rf"(?:annex|appendix|załącznik|aneks|부록)(?:\s*{_NUMBERS})?"),
    ("lead", r"lead(?:\s+paragraph)?|akapit\s+wstępny|lead|요지(?:\s*문단)?|리드(?:\s*문단)?"),
    ("introduction", r"intro(?:duction)?|wprowadzenie|wstęp|서론|들어가며"),
    ("preamble", r"preamble|preambuła|전문"),
)
_COMPILED = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _GRAMMAR)

HELP = (
    'write its parts separated by commas, e.g. "p. 4", "pp. 4–5", "para. 2", "paras 1 and 2", '
    '"section \'Heading\', para. 2", "footnote 3", "lead paragraph", "introduction", "Art. 3(1)", '
    '"table 2", "annex 1", a web address, or words to print as the source has them in quotes '
    "(\"'interview notes'\")"
)


_ADDRESS = re.compile(r"https?://[^\s;]+")


def _bare(number: str | None) -> str:
    return (number or "").strip("[]")


def _split(locator: str) -> list[str]:
    """The parts of ``locator``: split at commas and semicolons outside quotes, and before a
    parenthesised part ("para. 3 (footnote [2])")."""
    parts: list[str] = []
    current: list[str] = []
    closing: str | None = None
    index = 0
    while index < len(locator):
        ch = locator[index]
        address = _ADDRESS.match(locator, index) if not "".join(current).strip() else None
        if address:  # a web address is one part, commas and all
            current.append(address.group())
            index = address.end()
            continue
        if closing is not None:
            current.append(ch)
            if ch == closing:
                closing = None
        elif ch in _QUOTES and (ch != "'" or not current or current[-1] in " ,;(‘“"):
            closing = _QUOTES[ch]
            current.append(ch)
        elif ch in ",;" and not _pair_comma(locator, index):
            parts.append("".join(current))
            current = []
        elif ch == "(" and current and current[-1] == " " and "".join(current).strip():
            parts.append("".join(current))
            current = [ch]
        else:
            current.append(ch)
        index += 1
    parts.append("".join(current))
    return [part.strip() for part in parts]


def _pair_comma(locator: str, index: int) -> bool:
    """Whether the comma at ``index`` joins two numbers of one part ("paras 2, 4"), which a
    paragraph or page list may do, rather than separating parts."""
    return (
        locator[index] == ","
        and bool(re.search(r"(?:paras|pp\.|pages|akap\.|akapity)\s*\d+\s*$", locator[:index], re.IGNORECASE))
        and bool(re.match(r"\s*\d+\b", locator[index + 1 :]))
    )


def _part(text: str) -> Part | None:
    for kind, pattern in _COMPILED:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        groups = match.groupdict()
        words = groups.get("words") or ""
        if groups.get("q"):
            words = groups["q"][1:-1].strip()
        last = _bare(groups.get("last")) or _bare(groups.get("second"))
        return Part(kind, _bare(groups.get("first")), last, bool(groups.get("pair")), words.strip())
    return None


@functools.lru_cache(maxsize=4096)
def parse_locator(locator: str) -> Locator:
    """``locator`` read by the grammar; raises ``LocatorError`` naming the words it cannot read."""
    parts: list[Part] = []
    unread: list[str] = []
    for text in _split(locator):
        if not text:
            unread.append("an empty part (two separators in a row, or one at the end)")
            continue
        part = _part(text)
        if part is None:
            unread.append(repr(text))
        else:
            parts.append(part)
    if unread:
        raise LocatorError(f"cannot read {', '.join(unread)} in the locator {locator!r}: {HELP}")
    return Locator(tuple(parts))


def locator_problem(locator: str) -> str | None:
    """Why ``locator`` cannot be read, or None if it can."""
    try:
        parse_locator(locator)
    except LocatorError as error:
        return str(error)
    return None
