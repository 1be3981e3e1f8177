"""The shape of a dossier and of an audience profile.

Every model forbids unknown fields and uses strict types, so YAML 1.1 surprises
(``NO`` read as False, ``1.10`` as 1.1, an unquoted date read as a date object)
are reported instead of silently accepted.  Cross-references between items
(a fact citing a source, a recommendation resting on a fact) are checked in
``validate.py``, which has the whole dossier in view.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from briefing.dossier.locators import locator_problem

# An identifier: lower-case words joined by hyphens, e.g. ``trade-2023``.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")]
# A date as precise as the source is: "2024", "2024-10" or "2024-10-31".
PartialDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")]

# ---------------------------------------------------------------------------
# Text from someone else's dossier
# ---------------------------------------------------------------------------
# Every text field is one of two kinds.  A ``Line`` (titles, names, markings, editions,
# units, locators...) ends up in running headers, e-mail headers, PDF metadata and the
# stamp on every page: it must be one line without any control character.  ``Text``
# (statements, quotes, rationales...) is prose: line breaks and tabs are allowed, other
# control characters are not.  Neither may hold a bidirectional override, which makes a
# text display in another order than it is stored (the "Trojan Source" trick), nor a
# lone surrogate, which cannot be written as UTF-8 at all.  The limits are far above
# anything a brief needs and far below what makes a render take minutes (a 1 MB
# statement took 33 s and 493 pages).

LINE_MAX = 300
TEXT_MAX = 10_000
QUOTE_MAX = 20_000  # a verbatim passage may run longer than our own prose
URL_MAX = 2_000

# Bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI).
# The plain marks LRM and RLM (U+200E, U+200F) stay allowed: they reorder nothing.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMES = {
    "\n": "line break",
    "\r": "carriage return",
    "\t": "tab",
    "\x00": "NUL",
    "\x07": "BEL",
    "\x08": "backspace",
    "\x1b": "ESC",
    "\x7f": "DEL",
    "\x85": "next-line (NEL)",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
}


def describe_char(ch: str) -> str:
    """A character as a message can show it: ``U+001B (ESC)``."""
    name = _NAMES.get(ch) or unicodedata.name(ch, "") or "control character"
    return f"U+{ord(ch):04X} ({name})"


# What each kind of field may not hold (C0 and C1 controls, DEL, surrogates, bidi controls,
# and for one line also the Unicode line separators).  One regular expression per kind: a
# large dossier is checked in milliseconds.
_NOT_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def text_problem(text: str, one_line: bool, limit: int) -> str | None:
    """What is wrong with ``text`` as a field of this kind, or None if nothing is."""
    if len(text) > limit:
        kind = "one-line field" if one_line else "field"
        return f"is {len(text):,} characters long; the limit for this {kind} is {limit:,} characters"
    found = (_NOT_IN_LINE if one_line else _NOT_IN_TEXT).search(text)
    if found is None:
        return None
    ch, position = found.group(), found.start() + 1
    if ch in BIDI_CONTROLS:
        return (
            f"contains the bidirectional control {describe_char(ch)} at character {position}, "
            "which makes text display in another order than it is written: remove it"
        )
    if ch in "\n\r\x85\u2028\u2029" and one_line:
        return f"must be one line: remove the {describe_char(ch)} at character {position}"
    allowed = "" if one_line else " (only line breaks and tabs are allowed)"
    return f"contains the control character {describe_char(ch)} at character {position}: remove it{allowed}"


def _checker(one_line: bool, limit: int) -> Callable[[str], str]:
    def check(text: str) -> str:
        problem = text_problem(text, one_line, limit)
        if problem:
            # The message is passed as a value, so braces in it are not read as placeholders.
            raise PydanticCustomError("text" if not one_line else "line", "{problem}", {"problem": problem})
        return text

    return check


_Stripped = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
# Prose: a statement, quote, rationale, purpose, introduction.
Text = Annotated[_Stripped, AfterValidator(_checker(one_line=False, limit=TEXT_MAX))]
Quote = Annotated[_Stripped, AfterValidator(_checker(one_line=False, limit=QUOTE_MAX))]
# One line: an id-like name, title, label, marking, edition, unit, locator.
Line = Annotated[_Stripped, AfterValidator(_checker(one_line=True, limit=LINE_MAX))]
Url = Annotated[_Stripped, AfterValidator(_checker(one_line=True, limit=URL_MAX))]

# A language as BCP 47 writes it: "pl", "ko", "en-GB".
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(?:-[A-Z]{2})?$")]

# Admiralty (NATO) system: source reliability A-F, information credibility 1-6.
Reliability = Literal["A", "B", "C", "D", "E", "F"]
Credibility = Literal[1, 2, 3, 4, 5, 6]
Priority = Literal["high", "medium", "low"]
# How likely a judgement holds, in the standard words of analytic tradecraft (ICD 203), and
# how much the analyst trusts the sourcing and reasoning behind it: stated apart, never mixed.
Likelihood = Literal[
    "almost no chance",
    "very unlikely",
    "unlikely",
    "roughly even chance",
    "likely",
    "very likely",
    "almost certain",
    "almost certainly",
]
Confidence = Literal["high", "moderate", "low"]

RELIABILITY_LABELS: dict[str, str] = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY_LABELS: dict[int, str] = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _readable_locator(locator: str) -> str:
    problem = locator_problem(locator)
    if problem:
        raise PydanticCustomError("locator", "{problem}", {"problem": problem})
    return locator


# Where in a source: parts such as "p. 4", "section 'Heading', para. 2", "footnote 3" (the
# grammar is in locators.py), printed in each edition's words.
Locator = Annotated[Line, AfterValidator(_readable_locator)]


class Citation(Model):
    """Where in a source a claim is found: a locator and the source's own words."""

    source: Slug
    locator: Locator = Field(
        description="Where in the source, in parts separated by commas: p. 4, pp. 4–5, para. 2, paras 1 and 2, "
        "section 'Heading as the source writes it', footnote 3, lead paragraph, introduction, Art. 3(1), "
        "table 2, annex 1, a web address, or words in quotes printed as written ('interview notes')."
    )
    quote: Quote


class Figure(Model):
    """One number as the source states it.

    ``text`` is the figure in the source's own words ("$16.6 billion", "over 600");
    ``value`` is the same number for tables and charts; ``measure`` names the
    quantity so that two claims about the same quantity can be compared.
    """

    measure: Slug
    value: int | float
    unit: Line
    text: Line
    # Required, but may be written ``null`` where an undated source gives no date.
    as_of: PartialDate | None
    # False for a number that cannot go out of date: a deadline, a distance, the value
    # of a deal signed on a given day.  Only figures that change are checked for staleness.
    changes_over_time: bool = True
    # A year or date by which something is due: the "What to watch" section lists it, and a
    # brief dated after it marks it as passed.
    deadline: bool = False


class Fact(Model):
    id: Slug
    statement: Text
    # A short form of the statement for the bottom line (a dozen words), which links to the full,
    # cited statement in the body.  It may add no number, date or name the item does not state.
    headline: Line | None = None
    figures: list[Figure] = []
    tags: list[Slug] = Field(min_length=1)
    credibility: Credibility
    cites: list[Citation] = Field(min_length=1)
    conflicts_with: list[Slug] = []
    note: Text | None = None
    # A state of affairs true at the source's date (who holds an office, what is "still being
    # negotiated", an election called upcoming): dated like a figure and flagged when stale.
    time_bound: bool = False
    # When it was true, if not the date of its newest source; implies time_bound.
    as_of: PartialDate | None = None


class Source(Model):
    id: Slug
    # The source document inside the dossier folder; quotes are verified against it.  Written
    # ``null`` only for a source that has no document (an interview), with no_file_reason.
    file: Line | None
    no_file_reason: Text | None = None
    title: Line
    kind: Line
    author: Line | None = None
    publisher: Line | None = None
    series: Line | None = None
    editors: list[Line] = []
    date: PartialDate | None = None
    date_note: Text | None = None
    reliability: Reliability
    reliability_reason: Text
    url: Url | None = None
    # The language the source is written in, where it is not the dossier's: its quotes and the
    # figures taken from them are read with that language's rules ("16,6" or "16.6"), and the
    # headings its locators name, and its title, are printed in it (marked with its lang).
    language: LanguageCode | None = None
    # The terms the file may be copied under: an SPDX identifier (CC-BY-4.0, CC0-1.0) or words
    # ("permission of the publisher, 3 March 2031").  A published PDF embeds the file itself only
    # under an open licence, or with ``embed: true``; otherwise only its SHA-256 and address.
    licence: Line | None = None
    embed: bool | None = None
    # The source has no title of its own: ``title`` is the unit's description of it ("News report
    # on the Yoon–Duda meeting"), printed without title styling and never called the original title.
    untitled: bool = False


class Programme(Model):
    """A row of the programmes table; its numbers are figures whose measure is ``<id>.<field>``,
    its columns are declared under ``dossier.programme_table``."""

    id: Slug
    name: Line
    system: Line
    category: Line
    # Words shown under the row's name, keyed by a detail declared in programme_table.details.
    details: dict[Slug, Line] = {}


class ThreatPerception(Model):
    id: Slug
    holder: Line
    threat: Line
    # One of the levels declared under ``dossier.threat_levels`` (any slug if none are declared).
    level: Slug
    statement: Text
    # A short form of the statement for the bottom line (a dozen words), which links to the full,
    # cited statement in the body.  It may add no number, date or name the item does not state.
    headline: Line | None = None
    tags: list[Slug] = Field(min_length=1)
    cites: list[Citation] = Field(min_length=1)
    time_bound: bool = False
    as_of: PartialDate | None = None


class Position(Model):
    holder: Line
    position: Text


class Divergence(Model):
    id: Slug
    topic: Line
    # A short form of the statement for the bottom line (a dozen words), which links to the full,
    # cited statement in the body.  It may add no number, date or name the item does not state.
    headline: Line | None = None
    positions: list[Position] = Field(min_length=2)
    consequence: Text | None = None
    tags: list[Slug] = Field(min_length=1)
    cites: list[Citation] = Field(min_length=1)
    time_bound: bool = False
    as_of: PartialDate | None = None


class Recommendation(Model):
    id: Slug
    title: Line
    # As a fact's: a short form for the bottom line, in other words than the title, which the body
    # prints as the recommendation's heading.  It may add no number, date or name the item lacks.
    headline: Line | None = None
    text: Text
    addressee: Line
    horizon: Line
    priority: Priority
    priority_basis: Text
    rationale: Text
    rests_on: list[Slug] = Field(min_length=1)
    audiences: list[Slug] = Field(min_length=1)
    cites: list[Citation] = Field(min_length=1)
    time_bound: bool = False
    as_of: PartialDate | None = None
    # When the horizon falls due, where the source gives one ("before the 2027 elections": "2027"):
    # the watch section lists it, and a brief dated after it marks the horizon as passed.
    due: PartialDate | None = None


class Judgement(Model):
    """A key judgement: what a source concludes, with the analyst's confidence in it.

    ``judgement`` says whose judgement it is ("The institute judges that ..."); ``likelihood`` is given
    only where the judgement states one, in ICD 203 words; ``confidence`` rates the sourcing and
    reasoning behind it, and ``confidence_basis`` says why in a few words.
    """

    id: Slug
    judgement: Text
    likelihood: Likelihood | None = None
    confidence: Confidence
    confidence_basis: Line | None = None
    rests_on: list[Slug] = Field(min_length=1)
    audiences: list[Slug] = Field(min_length=1)
    cites: list[Citation] = Field(min_length=1)
    time_bound: bool = False
    as_of: PartialDate | None = None


class Assessment(Model):
    """The unit's own judgement ("We assess that ..."), kept apart from what sources say (ICD 203/206).

    It rests on cited items and may add no number, date or proper name that they do not state
    (``check`` fails it otherwise); ``likelihood`` in ICD 203 words, ``confidence`` with its basis.
    """

    id: Slug
    assessment: Text
    likelihood: Likelihood | None = None
    confidence: Confidence
    confidence_basis: Line
    rests_on: list[Slug] = Field(min_length=1)
    audiences: list[Slug] = Field(min_length=1)


class Cost(Model):
    """What an option needs, as a figure a fact states (the fact and the figure's measure)."""

    fact: Slug
    measure: Slug


class Option(Model):
    """A course of action the unit sets out for a reader who must decide (section kind ``options``).

    Its words are the unit's; what it involves, its advantages and drawbacks rest on cited items and,
    like an assessment, add no number, date or name they lack.  ``cost`` points at a sourced figure;
    without one the brief says the sources state none.  ``lead`` is the institution that would lead,
    as the items it rests on name it (a recommendation's addressee, say).
    """

    id: Slug
    title: Line
    involves: Text
    advantages: list[Text] = Field(min_length=1)
    drawbacks: list[Text] = Field(min_length=1)
    cost: Cost | None = None
    lead: Line | None = None
    rests_on: list[Slug] = Field(min_length=1)
    audiences: list[Slug] = Field(min_length=1)


class LineToTake(Model):
    """A line to take in a meeting or hearing (section kind ``lines``): the unit's wording of what the
    reader may say, resting on facts or recommendations, adding nothing they lack."""

    id: Slug
    line: Text
    rests_on: list[Slug] = Field(min_length=1)
    audiences: list[Slug] = Field(min_length=1)


class Term(Model):
    """An abbreviation and what it stands for; the brief spells it out where it first appears."""

    term: Line
    expansion: Line


class Event(Model):
    id: Slug
    date: PartialDate
    event: Text
    tags: list[Slug] = Field(min_length=1)
    cites: list[Citation] = Field(min_length=1)
    date_note: Text | None = None
    # Another entry describing the same event: the brief shows the two as one, with both citations.
    same_as: Slug | None = None


class Question(Model):
    """A question an audience may put; it asserts nothing, the facts it rests on do."""

    id: Slug
    question: Text
    rests_on: list[Slug] = Field(min_length=1)
    audiences: list[Slug] = Field(min_length=1)


class TableColumn(Model):
    """A column of the programmes table, or a detail shown under a row's name."""

    field: Slug
    label: Line


class ProgressChart(Model):
    """What the progress chart (section kind ``deliveries``) draws for each programme:
    ``done`` out of ``total``, with ``deadline`` written beside the bar; each names a column."""

    done: Slug
    total: Slug
    deadline: Slug | None = None
    axis_label: Line = "Share done (%)"
    # The chart's caption (before its sources); a profile may override it with the label
    # ``deliveries-caption``.
    caption: Line | None = None


class ProgrammeTable(Model):
    """The programmes table and chart, declared by the dossier rather than built into the code."""

    columns: list[TableColumn] = Field(min_length=1)
    details: list[TableColumn] = []
    progress: ProgressChart | None = None


class DossierInfo(Model):
    # Output files are named <id>-<audience>.html / .pdf.
    id: Slug
    title: Line
    short_title: Line
    subtitle: Line | None = None
    publisher: Line
    author: Line
    series: Line | None = None
    date: PartialDate
    edition: Line
    language: LanguageCode
    # The languages the brief is published in, the original (``language``) first; the others
    # are translated in ``translations/<lang>.yaml`` (``briefing/translate.py``).  Default: [language].
    languages: list[LanguageCode] = []
    keywords: list[Line] = []
    tags: dict[Slug, Line] = {}
    # Threat levels a threat perception may have, id -> the words the brief prints.
    threat_levels: dict[Slug, Line] = {}
    programme_table: ProgrammeTable | None = None
    # Template override folders, relative to the dossier folder, searched before the
    # shipped templates (after any given with --templates).
    templates: list[Line] = []

    @property
    def editions(self) -> list[str]:
        """The languages of the brief, the original first."""
        return list(self.languages) or [self.language]


class Section(Model):
    """One section of a brief: which section template draws it, and what it shows."""

    kind: Slug
    id: Slug
    title: Line
    intro: Text | None = None
    tags: list[Slug] = []
    # Facts chosen by hand, in this order; used instead of ``tags`` when given.
    facts: list[Slug] = []
    # For chart and comparison sections: the measures whose figures they show.
    measures: list[Slug] = []


class Core(Model):
    """The sections that make a brief's core (after the summary) and the pages it must fit in."""

    pages: int = Field(ge=1, le=100)
    sections: list[Slug] = Field(min_length=1)


class Audience(Model):
    id: Slug
    name: Line
    prepared_for: Line
    purpose: Text
    marking: Line
    page_budget: int = Field(ge=1, le=100)
    template: Line = "brief.html"
    min_reliability: Reliability = "F"
    below_min_reliability: Literal["omit", "mark"] = "mark"
    conflicts: Literal["show-both", "prefer-better-graded"] = "show-both"
    # A figure true more than this many months before the brief's date is flagged as stale.
    stale_after_months: int | None = Field(default=None, ge=1)
    priorities: list[Priority] = ["high", "medium", "low"]
    # Only recommendations addressed to one of these (their ``addressee``, as written); all if empty.
    addressees: list[Line] = []
    # What the key judgements mean for this reader, in a sentence: the analyst's framing, which
    # states no fact of its own.  Printed in the bottom line after the judgements.
    so_what: Text | None = None
    key_points: list[Slug] = Field(min_length=3, max_length=5)
    sections: list[Section] = Field(min_length=1)
    labels: dict[Slug, Line] = {}
    # Whether the brief lists "What has changed since edition M" once an earlier edition is
    # published (``generate publish``); the label ``changes`` renames that heading.
    show_changes: bool = True
    # How far ahead "What to watch" looks from the brief's date: what falls due within this many
    # months is listed, whatever the date of the source that announced it.
    look_ahead_months: int = Field(default=12, ge=0, le=120)
    # Amounts in another currency are also shown in this one (ISO 4217, e.g. "PLN"), converted at a
    # rate the dossier states as a sourced figure (measure ``fx.<from>.<to>``, e.g. ``fx.usd.pln``).
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    # A self-contained core for a reader with minutes to spare: page 1's summary and these sections,
    # within ``pages`` pages; every other section follows in an annex with its own heading.
    core: Core | None = None


class Dossier(Model):
    dossier: DossierInfo
    sources: list[Source] = Field(min_length=1)
    facts: list[Fact] = Field(min_length=1)
    programmes: list[Programme] = []
    threats: list[ThreatPerception] = []
    divergences: list[Divergence] = []
    recommendations: list[Recommendation] = []
    timeline: list[Event] = []
    questions: list[Question] = []
    judgements: list[Judgement] = []
    # The unit's own analysis, labelled as such wherever it is printed.
    assessments: list[Assessment] = []
    options: list[Option] = []
    lines: list[LineToTake] = []
    terms: list[Term] = []
    audiences: list[Audience] = Field(min_length=1)
