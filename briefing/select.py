"""Stage 3: choose what one audience's brief says.

A pure function of the dossier and an audience profile.  It decides which
claims each section carries, applies the profile's source-grade policy and its
way of showing disagreements, and returns plain view objects for templates.
It adds no text of its own: every sentence a brief states comes from the data.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .errors import UnknownAudienceError
from .schema import (
    Audience,
    Citation,
    Divergence,
    Dossier,
    DossierInfo,
    Event,
    Fact,
    Figure,
    Programme,
    Question,
    Recommendation,
    Section,
    Source,
    ThreatPerception,
)

# The table columns of a programme, each the suffix of a figure's measure.
PROGRAMME_FIELDS = ("ordered", "delivered", "deadline", "framework-ceiling", "made-in-poland")

Item = Fact | ThreatPerception | Divergence | Recommendation | Event | Question


def date_label(date: str) -> str:
    """ "2024" -> "2024"; "2024-10" -> "October 2024"; "2024-10-31" -> "31 October 2024"."""
    parts = date.split("-")
    if len(parts) == 1:
        return parts[0]
    month = calendar.month_name[int(parts[1])]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def months_between(earlier: str, later: str) -> int:
    """Whole months from one partial date to another; a bare year counts as its December,
    a month without a day as that month, so that a figure is never called older than it is."""

    def month_index(date: str) -> int:
        parts = date.split("-")
        return int(parts[0]) * 12 + (int(parts[1]) if len(parts) > 1 else 12)

    return month_index(later) - month_index(earlier)


def is_stale(figure: Figure, brief_date: str, limit: int | None) -> bool:
    if limit is None or figure.as_of is None or not figure.changes_over_time:
        return False
    return months_between(figure.as_of, brief_date) > limit


@dataclass(frozen=True)
class Cite:
    source: Source
    locator: str
    quote: str


@dataclass(frozen=True)
class Claim:
    """One statement a brief may make, with everything needed to footnote it."""

    id: str
    kind: str
    text: str
    cites: tuple[Cite, ...]
    grade: str  # best source reliability among its citations (A best)
    credibility: int | None
    unconfirmed: bool
    item: Item
    figures: tuple[Figure, ...] = ()
    # Claims about the same quantity that say something else.
    disagrees_with: tuple[Claim, ...] = ()
    # Some figure is older than the audience's staleness limit.
    stale: bool = False

    @property
    def as_of(self) -> str | None:
        """When the claim's figures were true: the latest date, or "undated"."""
        if not self.figures:
            return None
        dates = sorted({figure.as_of for figure in self.figures if figure.as_of})
        return date_label(dates[-1]) if dates else "undated"


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    cells: dict[str, Figure | None]
    claims: tuple[Claim, ...]
    # The row's facts as one claim, so that the row carries one footnote naming them all.
    claim: Claim | None

    @property
    def delivered_share(self) -> float | None:
        ordered, delivered = self.cells.get("ordered"), self.cells.get("delivered")
        if ordered is None or delivered is None or not ordered.value:
            return None
        return delivered.value / ordered.value


@dataclass(frozen=True)
class Comparison:
    """Claims that measure the same quantity, side by side."""

    measure: str
    claims: tuple[Claim, ...]


@dataclass(frozen=True)
class SectionView:
    section: Section
    facts: tuple[Claim, ...]
    events: tuple[Claim, ...]
    comparisons: tuple[Comparison, ...]

    @property
    def id(self) -> str:
        return self.section.id

    @property
    def title(self) -> str:
        return self.section.title

    @property
    def kind(self) -> str:
        return self.section.kind


@dataclass(frozen=True)
class Brief:
    """Everything a template needs to draw one audience's brief."""

    info: DossierInfo
    audience: Audience
    date: str
    key_points: tuple[Claim, ...]
    sections: tuple[SectionView, ...]
    programmes: tuple[ProgrammeRow, ...]
    threats: tuple[Claim, ...]
    divergences: tuple[Claim, ...]
    recommendations: tuple[Claim, ...]
    questions: tuple[Claim, ...]
    sources: tuple[Source, ...]
    withheld: tuple[Claim, ...] = field(default=())
    # Whether any figure in the dossier is older than the audience's staleness limit.
    has_stale_figures: bool = False

    @property
    def programmes_as_of(self) -> str | None:
        """The latest as-of date among the programme figures, for table and chart captions."""
        dates = [f.as_of for row in self.programmes for f in row.cells.values() if f is not None and f.as_of]
        return date_label(max(dates)) if dates else None

    def label(self, key: str, default: str) -> str:
        """A wording the audience profile may override (section headings, captions)."""
        return self.audience.labels.get(key, default)


def find_audience(dossier: Dossier, audience_id: str) -> Audience:
    for audience in dossier.audiences:
        if audience.id == audience_id:
            return audience
    known = ", ".join(audience.id for audience in dossier.audiences)
    raise UnknownAudienceError(f"unknown audience {audience_id!r}; choose one of: {known}, all")


class _Claims:
    """Builds claims for one audience, applying its grade and disagreement policies."""

    def __init__(self, dossier: Dossier, audience: Audience) -> None:
        self.dossier = dossier
        self.audience = audience
        self.sources = {source.id: source for source in dossier.sources}
        self.items: dict[str, Item] = {}
        for items in (
            dossier.facts,
            dossier.threats,
            dossier.divergences,
            dossier.recommendations,
            dossier.timeline,
            dossier.questions,
        ):
            for item in items:
                self.items[item.id] = item
        self.rivals = rival_facts(dossier.facts)
        self.withheld: dict[str, Claim] = {}

    def _cites(self, citations: Iterable[Citation]) -> tuple[Cite, ...]:
        # One entry per place in a source, however many quotes come from it.
        unique = {(c.source, c.locator): Cite(self.sources[c.source], c.locator, c.quote) for c in citations}
        return tuple(unique.values())

    def claim(self, item: Item, with_rivals: bool = True) -> Claim:
        if isinstance(item, Question):
            # A question cites the facts it rests on, except those the profile leaves out.
            resting = [self.claim(self.items[ref], with_rivals=False) for ref in item.rests_on]
            kept = [claim for claim in resting if not self.below_bar_and_omitted(claim)]
            citations = [cite for claim in kept for cite in getattr(claim.item, "cites", [])]
        else:
            citations = list(item.cites)
        cites = self._cites(citations)
        grade = min(cite.source.reliability for cite in cites) if cites else "F"
        rivals: tuple[Claim, ...] = ()
        if with_rivals and isinstance(item, Fact):
            candidates = (self.claim(self.items[r], with_rivals=False) for r in self.rivals.get(item.id, []))
            # A rival the profile would not state is not quoted in a note either.
            rivals = tuple(rival for rival in candidates if not self.below_bar_and_omitted(rival))
        return Claim(
            id=item.id,
            kind=type(item).__name__.lower(),
            text=_text_of(item),
            cites=cites,
            grade=grade,
            credibility=item.credibility if isinstance(item, Fact) else None,
            unconfirmed=grade > self.audience.min_reliability,
            item=item,
            figures=tuple(item.figures) if isinstance(item, Fact) else (),
            disagrees_with=rivals,
            stale=isinstance(item, Fact)
            and any(is_stale(f, self.dossier.dossier.date, self.audience.stale_after_months) for f in item.figures),
        )

    def below_bar_and_omitted(self, claim: Claim) -> bool:
        return claim.unconfirmed and self.audience.below_min_reliability == "omit"

    def admitted(self, claim: Claim) -> bool:
        """Whether the profile lets this claim into the brief; records the ones it keeps out."""
        if self.below_bar_and_omitted(claim):
            self.withheld[claim.id] = claim
            return False
        better_rival = any(rival.grade < claim.grade for rival in claim.disagrees_with)
        if self.audience.conflicts == "prefer-better-graded" and better_rival:
            self.withheld[claim.id] = claim
            return False
        return True

    def select(self, items: Iterable[Item]) -> tuple[Claim, ...]:
        claims = (self.claim(item) for item in items)
        return tuple(claim for claim in claims if self.admitted(claim))


def _text_of(item: Item) -> str:
    if isinstance(item, Fact | ThreatPerception):
        return item.statement
    if isinstance(item, Divergence):
        positions = "; ".join(f"{p.holder}: {p.position.rstrip('.')}" for p in item.positions)
        return f"{item.topic}. {positions}."
    if isinstance(item, Recommendation):
        return item.title
    if isinstance(item, Event):
        return item.event
    return item.question


def rival_facts(facts: Sequence[Fact]) -> dict[str, list[str]]:
    """For each fact, the facts that disagree with it: declared, or same measure with another value."""
    rivals: dict[str, list[str]] = {fact.id: [] for fact in facts}

    def link(a: str, b: str) -> None:
        if b not in rivals[a]:
            rivals[a].append(b)
        if a not in rivals[b]:
            rivals[b].append(a)

    by_measure: dict[str, list[tuple[Fact, Figure]]] = {}
    for fact in facts:
        for other in fact.conflicts_with:
            if other in rivals:
                link(fact.id, other)
        for figure in fact.figures:
            by_measure.setdefault(figure.measure, []).append((fact, figure))
    for entries in by_measure.values():
        for index, (fact, figure) in enumerate(entries):
            for other_fact, other_figure in entries[index + 1 :]:
                if other_fact.id != fact.id and other_figure.value != figure.value:
                    link(fact.id, other_fact.id)
    return rivals


def _has_tag(tags: Iterable[str], wanted: Sequence[str]) -> bool:
    return not wanted or any(tag in wanted for tag in tags)


def _comparisons(claims: _Claims, measures: Sequence[str]) -> tuple[Comparison, ...]:
    result = []
    for measure in measures:
        facts = [f for f in claims.dossier.facts if any(fig.measure == measure for fig in f.figures)]
        # Every side is shown, whatever "prefer-better-graded" says, since showing the
        # disagreement is the section's purpose; a claim the profile omits stays omitted.
        selected = [claim for claim in map(claims.claim, facts) if not claims.below_bar_and_omitted(claim)]
        result.append(Comparison(measure, tuple(selected)))
    return tuple(result)


def _programme_rows(claims: _Claims) -> tuple[ProgrammeRow, ...]:
    rows = []
    for programme in claims.dossier.programmes:
        cells: dict[str, Figure | None] = {}
        cited: list[Claim] = []
        for name in PROGRAMME_FIELDS:
            measure = f"{programme.id}.{name}"
            candidates = [
                (claims.claim(fact), figure)
                for fact in claims.dossier.facts
                for figure in fact.figures
                if figure.measure == measure
            ]
            admitted = [(claim, figure) for claim, figure in candidates if claims.admitted(claim)]
            # The best-graded source fills the cell; disagreements are listed in their own section.
            admitted.sort(key=lambda pair: pair[0].grade)
            cells[name] = admitted[0][1] if admitted else None
            if admitted and admitted[0][0].id not in {c.id for c in cited}:
                cited.append(admitted[0][0])
        rows.append(ProgrammeRow(programme, cells, tuple(cited), _merged(programme.name, cited)))
    return tuple(rows)


def _merged(text: str, claims: Sequence[Claim]) -> Claim | None:
    if not claims:
        return None
    # One footnote entry per place in a source, however many of the row's figures it gives.
    unique = {(cite.source.id, cite.locator): cite for claim in claims for cite in claim.cites}
    cites = tuple(unique.values())
    worst_credibility = max((c.credibility for c in claims if c.credibility), default=None)
    return replace(
        claims[0],
        id="+".join(c.id for c in claims),
        text=text,
        cites=cites,
        grade=min(c.grade for c in claims),
        credibility=worst_credibility,
        unconfirmed=any(c.unconfirmed for c in claims),
        stale=any(c.stale for c in claims),
        figures=tuple(f for c in claims for f in c.figures),
        disagrees_with=(),
    )


def select_for_audience(dossier: Dossier, audience: Audience) -> Brief:
    """The brief ``audience`` gets from ``dossier``: a pure function, no I/O."""
    claims = _Claims(dossier, audience)
    sections = []
    for section in audience.sections:
        if section.facts:
            chosen: Iterable[Fact] = [f for f in (claims.items[ref] for ref in section.facts) if isinstance(f, Fact)]
        else:
            chosen = [f for f in dossier.facts if section.tags and _has_tag(f.tags, section.tags)]
        facts = claims.select(chosen)
        events = claims.select(e for e in dossier.timeline if _has_tag(e.tags, section.tags))
        sections.append(SectionView(section, facts, events, _comparisons(claims, section.measures)))
    key_points = claims.select(claims.items[ref] for ref in audience.key_points)
    recommendations = claims.select(
        r for r in dossier.recommendations if audience.id in r.audiences and r.priority in audience.priorities
    )
    questions = claims.select(q for q in dossier.questions if audience.id in q.audiences)
    return Brief(
        info=dossier.dossier,
        audience=audience,
        date=date_label(dossier.dossier.date),
        key_points=key_points,
        sections=tuple(sections),
        programmes=_programme_rows(claims),
        threats=claims.select(dossier.threats),
        divergences=claims.select(dossier.divergences),
        recommendations=recommendations,
        questions=questions,
        sources=tuple(dossier.sources),
        withheld=tuple(claims.withheld.values()),
        has_stale_figures=any(
            is_stale(figure, dossier.dossier.date, audience.stale_after_months)
            for fact in dossier.facts
            for figure in fact.figures
        ),
    )
