"""The shape of a dossier and of an audience profile.

Every model forbids unknown fields and uses strict types, so YAML 1.1 surprises
(``NO`` read as False, ``1.10`` as 1.1, an unquoted date read as a date object)
are reported instead of silently accepted.  Cross-references between items
(a fact citing a source, a recommendation resting on a fact) are checked in
``validate.py``, which has the whole dossier in view.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# An identifier: lower-case words joined by hyphens, e.g. ``k2-delivered``.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")]
# A date as precise as the source is: "2024", "2024-10" or "2024-10-31".
PartialDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

# Admiralty (NATO) system: source reliability A-F, information credibility 1-6.
Reliability = Literal["A", "B", "C", "D", "E", "F"]
Credibility = Literal[1, 2, 3, 4, 5, 6]
Priority = Literal["high", "medium", "low"]

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


class Citation(Model):
    """Where in a source a claim is found: a locator and the source's own words."""

    source: Slug
    locator: Text
    quote: Text


class Figure(Model):
    """One number as the source states it.

    ``text`` is the figure in the source's own words ("$16.6 billion", "over 600");
    ``value`` is the same number for tables and charts; ``measure`` names the
    quantity so that two claims about the same quantity can be compared.
    """

    measure: Slug
    value: int | float
    unit: Text
    text: Text
    # Required, but may be written ``null`` where an undated source gives no date.
    as_of: PartialDate | None
    # False for a number that cannot go out of date: a deadline, a distance, the value
    # of a deal signed on a given day.  Only figures that change are checked for staleness.
    changes_over_time: bool = True


class Fact(Model):
    id: Slug
    statement: Text
    figures: list[Figure] = []
    tags: list[Slug] = Field(min_length=1)
    credibility: Credibility
    cites: list[Citation] = Field(min_length=1)
    conflicts_with: list[Slug] = []
    note: Text | None = None


class Source(Model):
    id: Slug
    file: Text
    title: Text
    kind: Text
    author: Text | None = None
    publisher: Text | None = None
    series: Text | None = None
    editors: list[Text] = []
    date: PartialDate | None = None
    date_note: Text | None = None
    reliability: Reliability
    reliability_reason: Text
    url: Text | None = None


class Programme(Model):
    """An acquisition programme; its numbers are figures whose measure is ``<id>.<field>``."""

    id: Slug
    name: Text
    system: Text
    category: Text
    polish_designation: Text | None = None


class ThreatPerception(Model):
    id: Slug
    holder: Text
    threat: Text
    level: Literal["primary", "concern", "avoid-tension"]
    statement: Text
    tags: list[Slug] = Field(min_length=1)
    cites: list[Citation] = Field(min_length=1)


class Position(Model):
    holder: Text
    position: Text


class Divergence(Model):
    id: Slug
    topic: Text
    positions: list[Position] = Field(min_length=2)
    consequence: Text | None = None
    tags: list[Slug] = Field(min_length=1)
    cites: list[Citation] = Field(min_length=1)


class Recommendation(Model):
    id: Slug
    title: Text
    text: Text
    addressee: Text
    horizon: Text
    priority: Priority
    priority_basis: Text
    rationale: Text
    rests_on: list[Slug] = Field(min_length=1)
    audiences: list[Slug] = Field(min_length=1)
    cites: list[Citation] = Field(min_length=1)


class Event(Model):
    id: Slug
    date: PartialDate
    event: Text
    tags: list[Slug] = Field(min_length=1)
    cites: list[Citation] = Field(min_length=1)
    date_note: Text | None = None


class Question(Model):
    """A question an audience may put; it asserts nothing, the facts it rests on do."""

    id: Slug
    question: Text
    rests_on: list[Slug] = Field(min_length=1)
    audiences: list[Slug] = Field(min_length=1)


class DossierInfo(Model):
    # Output files are named <id>-<audience>.html / .pdf.
    id: Slug
    title: Text
    short_title: Text
    subtitle: Text | None = None
    publisher: Text
    author: Text
    series: Text | None = None
    date: PartialDate
    edition: Text
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(?:-[A-Z]{2})?$")]
    keywords: list[Text] = []
    tags: dict[Slug, Text] = {}
    # Template override folders, relative to the dossier folder, searched before the
    # shipped templates (after any given with --templates).
    templates: list[Text] = []


class Section(Model):
    """One section of a brief: which section template draws it, and what it shows."""

    kind: Slug
    id: Slug
    title: Text
    intro: Text | None = None
    tags: list[Slug] = []
    # Facts chosen by hand, in this order; used instead of ``tags`` when given.
    facts: list[Slug] = []
    # For chart and comparison sections: the measures whose figures they show.
    measures: list[Slug] = []


class Audience(Model):
    id: Slug
    name: Text
    prepared_for: Text
    purpose: Text
    marking: Text
    page_budget: int = Field(ge=1, le=100)
    template: Text = "brief.html"
    min_reliability: Reliability = "F"
    below_min_reliability: Literal["omit", "mark"] = "mark"
    conflicts: Literal["show-both", "prefer-better-graded"] = "show-both"
    # A figure true more than this many months before the brief's date is flagged as stale.
    stale_after_months: int | None = Field(default=None, ge=1)
    priorities: list[Priority] = ["high", "medium", "low"]
    key_points: list[Slug] = Field(min_length=3, max_length=5)
    sections: list[Section] = Field(min_length=1)
    labels: dict[Slug, Text] = {}


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
    audiences: list[Audience] = Field(min_length=1)
