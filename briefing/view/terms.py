"""Abbreviations spelt out, or marked and listed, where a brief first uses them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from markupsafe import Markup, escape

from briefing.dossier.schema import Term
from briefing.languages.i18n import in_own_language


class TermExpander:
    """Spells out each abbreviation the first time a rendered text uses it: "Expansion (TERM)".

    In a language whose nouns inflect (``i18n.abbreviation_first``) an expansion written in the
    middle of a sentence would stand in the wrong case ("z funduszy UE (Unia Europejska)"): there
    the first use is only marked (``<abbr title>``) and the brief lists the abbreviations it used,
    each with its expansion in the nominative, in a list of its own (``used``), as Polish official
    documents do ("Wykaz skrótów").

    Stateful, so one is made per render (``brief.term_expander()``); templates pass every text
    of the reading order through ``expand``.  A text that already spells the term out (as a
    source's own words often do) counts as its first use.
    """

    def __init__(self, terms: Sequence[Term], glossary: bool = False) -> None:
        self._terms = {term.term: term.expansion for term in terms}
        self._glossary = glossary
        self._done: set[str] = set()
        # The abbreviations the render used, in the order of their first use (for the list).
        self.used: list[Term] = []
        alternatives = "|".join(re.escape(term) for term in sorted(self._terms, key=len, reverse=True))
        # Not inside a longer word or a compound ("NATO-IP4" is its own name).
        self._pattern = re.compile(rf"(?<![\w/&-])(?:{alternatives})(?![\w/&-])") if self._terms else None

    @property
    def listed(self) -> list[Term]:
        """The abbreviations used, in alphabetical order, as the list prints them."""
        return sorted(self.used, key=lambda term: alphabetical_key(term.term))

    def expand(self, text: str) -> Markup:
        if self._pattern is None or len(self._done) == len(self._terms):
            return in_own_language(text, escape(text))
        lowered = text.lower()
        out: list[str] = []
        position = 0
        for match in self._pattern.finditer(text):
            term = match.group()
            if term in self._done:
                continue
            self._done.add(term)
            expansion = self._terms[term]
            if expansion.lower() in lowered:
                continue  # the text spells it out itself
            abbreviation = f'<abbr title="{escape(expansion)}">{escape(term)}</abbr>'
            if self._glossary:
                self.used.append(Term(term=term, expansion=expansion))
                spelt = abbreviation
            else:
                spelt = f"{escape(expansion)} ({abbreviation})"
            out += [escape(text[position : match.start()]), spelt]
            position = match.end()
        out.append(escape(text[position:]))
        return in_own_language(text, Markup("".join(out)))


# Letters that Unicode does not decompose into a base letter and a mark.
_OWN_LETTERS = {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d"}


def alphabetical_key(text: str) -> tuple[tuple[str, int], ...]:
    """A sort key that puts a letter with a diacritic right after its base letter, as Polish and
    most Latin alphabets order them (A, Ą, B, C, Ć ... L, Ł ... S, Ś ... Z, Ź, Ż), case aside."""
    key = []
    for char in text:
        base = _OWN_LETTERS.get(char) or unicodedata.normalize("NFD", char)[0]
        key.append((base.casefold(), 0 if base == char else ord(char.upper())))
    return tuple(key)
