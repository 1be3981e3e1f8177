"""Abbreviations spelt out, or marked and listed, where a brief first uses them."""

from __future__ import annotations

import re
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
