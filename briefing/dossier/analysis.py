"""The unit's own analysis (assessments, options, lines to take) may add no fact of its own.

ICD 203 and 206 ask that an analyst's judgements be told apart from the information they rest on,
and that they rest on it.  The words of an assessment, option or line to take are the unit's; every
number, date and proper name in them must come from the items it rests on (their statements,
quotes, figures, titles and addressees, and what those rest on in turn).  A name or number found
nowhere there is an error with ``file:line``: the analysis would be stating a fact no source does.

What cannot be judged is said, not skipped: a language without capital letters (Hangul, Han) has no
cheap way to tell a proper name from another word, so names are checked only where the language
capitalises them, and ``check`` notes the rest.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from briefing.dossier.schema import Assessment, Dossier, LineToTake, Option
from briefing.dossier.yamlload import DataPath, Origins
from briefing.errors import Problem
from briefing.languages.i18n import base_language, stated_numbers

# Languages whose proper names start with a capital letter (checked); others are noted.
_CAPITALISED = frozenset({"en", "pl", "de", "fr", "es", "it", "cs", "sk", "uk", "ru", "lt", "lv", "et", "hu", "ro"})
# A word starting with a capital letter (Latin, Cyrillic or Greek), with inner hyphens ("Homar-K").
_CAPITAL_WORD = re.compile(r"(?<![\w’'])([A-ZÀ-ÖØ-ÞĀ-ſА-ЯΑ-Ω][\w’'-]*)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\n(„“\"«]\s*)$")
# Pronouns and words that open the unit's own sentences: capitalised by position, not names.
_NOT_NAMES = frozenset({"We", "I", "Our", "My", "Nasz", "Nasza", "Nasze", "Naszym"})

UNIT_ANALYSIS = ("assessments", "options", "lines")
# Fields of an item that are not its words; a headline is the unit's short form of its item, not a ground.
_NOT_WORDS = frozenset(
    {"id", "rests_on", "audiences", "tags", "conflicts_with", "same_as", "source", "measure", "headline"}
)
Analysis = Assessment | Option | LineToTake


def analysis_items(dossier: Dossier) -> Iterator[tuple[str, int, Analysis]]:
    """Every assessment, option and line to take, with the list it is in and its index."""
    for key in UNIT_ANALYSIS:
        for index, item in enumerate(getattr(dossier, key)):
            yield key, index, item


def analysis_texts(item: Analysis) -> Iterator[tuple[DataPath, str]]:
    """The unit's words in an item, each with its place relative to the item."""
    if isinstance(item, Assessment):
        yield ("assessment",), item.assessment
        yield ("confidence_basis",), item.confidence_basis
    elif isinstance(item, Option):
        yield ("title",), item.title
        yield ("involves",), item.involves
        for index, text in enumerate(item.advantages):
            yield ("advantages", index), text
        for index, text in enumerate(item.drawbacks):
            yield ("drawbacks", index), text
        if item.lead:
            yield ("lead",), item.lead
    else:
        yield ("line",), item.line


def _words_of(value: Any) -> Iterator[str]:
    """Every text in a dossier item (statements, quotes, figures' texts, titles, addressees...)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key not in _NOT_WORDS:
                yield from _words_of(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _words_of(inner)


def grounds(dossier: Dossier, refs: Iterable[str], depth: int = 2) -> list[str]:
    """The texts of the items ``refs`` name, and of what they rest on (``depth`` levels)."""
    items: dict[str, Any] = {}
    for key in ("facts", "threats", "divergences", "recommendations", "timeline", "questions", "judgements"):
        for item in getattr(dossier, key):
            items[item.id] = item
    for key in UNIT_ANALYSIS:
        for item in getattr(dossier, key):
            items[item.id] = item
    sources = {source.id: source for source in dossier.sources}
    texts: list[str] = []
    seen: set[str] = set()
    frontier = list(refs)
    for _ in range(depth):
        following: list[str] = []
        for ref in frontier:
            if ref in seen or ref not in items:
                continue
            seen.add(ref)
            item = items[ref]
            if isinstance(item, Assessment | Option | LineToTake):
                texts.extend(text for _, text in analysis_texts(item))
            else:
                texts.extend(_words_of(item.model_dump()))
            # The sources an item cites may be named ("the institute's paper"): their titles, series and authors.
            for cite in getattr(item, "cites", []):
                source = sources.get(cite.source)
                if source is not None:
                    texts.extend(t for t in (source.title, source.series, source.publisher, source.author) if t)
            following.extend(getattr(item, "rests_on", []))
        frontier = following
    return texts


def _stem(word: str) -> str:
    """A name's stem, so that inflected forms match ("Warszawy", "Warszawie" ~ "Warszawa"; "Europe's" ~ "Europe")."""
    word = re.sub(r"[’']s$", "", word).strip("-’'")
    return word[: max(4, len(word) - 3)].lower()


def proper_names(text: str) -> list[str]:
    """Capitalised words that are not at the start of a sentence: the names a text uses."""
    names = []
    for match in _CAPITAL_WORD.finditer(text):
        before = text[: match.start()]
        if _SENTENCE_START.search(before) or match.group(1) in _NOT_NAMES:
            continue
        names.append(match.group(1))
    return names


def added_specifics(text: str, ground_texts: list[str], language: str) -> tuple[str, ...]:
    """What ``text`` states that no ground states: numbers (dates and years among them) and names."""
    found: list[str] = []
    stated = stated_numbers(text, language)
    known = stated_numbers("\n".join(ground_texts), language)
    extra = Counter({value: count for value, count in stated.items() if value not in known})
    if extra:
        # As written in a dossier, without grouping: "2023" is a year more often than a quantity.
        shown = ", ".join(f"{value:.10g}" for value in sorted(extra))
        found.append(f"the number(s) {shown}")
    if base_language(language) in _CAPITALISED:
        stems = {_stem(word) for ground in ground_texts for word in re.findall(r"[\w’'-]+", ground)}
        names = [name for name in proper_names(text) if _stem(name) not in stems]
        if names:
            found.append("the name(s) " + ", ".join(dict.fromkeys(names)))
    return tuple(found)


def analysis_problems(dossier: Dossier, origins: Origins) -> list[Problem]:
    """An error for each text of the unit's analysis that states what its grounds do not."""
    problems: list[Problem] = []
    language = dossier.dossier.language
    for key, index, item in analysis_items(dossier):
        ground_texts = grounds(dossier, item.rests_on)
        for where, text in analysis_texts(item):
            added = added_specifics(text, ground_texts, language)
            if added:
                path: DataPath = (key, index, *where)
                problems.append(
                    origins.problem(
                        path,
                        f"states {' and '.join(added)}, found in nothing it rests on: the unit's analysis adds "
                        "no number, date or name of its own (add the item that states it to rests_on, "
                        "or leave it out)",
                    )
                )
    return problems + headline_problems(dossier, origins)


# Items that may carry a ``headline`` for the bottom line, by the dossier list they are in.
HEADLINED = ("facts", "threats", "divergences", "recommendations")


def headline_problems(dossier: Dossier, origins: Origins) -> list[Problem]:
    """An error for each headline that states a number, date or name its own item does not: a
    headline is the unit's short form of a sourced statement and adds nothing to it."""
    problems: list[Problem] = []
    language = dossier.dossier.language
    for key in HEADLINED:
        for index, item in enumerate(getattr(dossier, key)):
            if item.headline is None:
                continue
            added = added_specifics(item.headline, grounds(dossier, [item.id], depth=1), language)
            if added:
                problems.append(
                    origins.problem(
                        (key, index, "headline"),
                        f"states {' and '.join(added)}, not in the {key[:-1]}'s own statement: a headline "
                        "shortens its item and adds no number, date or name of its own (reword it, or leave it out)",
                    )
                )
    return problems


def unjudged_names_note(dossier: Dossier) -> str | None:
    """Why names in the unit's analysis were not checked, if they were not (a language without capitals)."""
    language = base_language(dossier.dossier.language)
    if language in _CAPITALISED or not any(True for _ in analysis_items(dossier)):
        return None
    return (
        f"proper names in assessments, options and lines to take are not checked in '{language}' "
        "(the language does not capitalise them); numbers and dates are"
    )
