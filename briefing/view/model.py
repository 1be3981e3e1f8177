"""The view model: what a template, a chart or a Word writer reads of one audience's brief.

Plain frozen objects made by the selection (``build/select.py``) and read by every format; they
hold no policy of their own beyond presenting what the selection chose (dates as printed, a
claim's notes grouped by source, amounts in a second currency).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from briefing.dossier.dates import date_label, is_calendar, is_passed, newest
from briefing.dossier.money import Converted, Rate, convert, currency_of
from briefing.dossier.schema import (
    Assessment,
    Audience,
    Divergence,
    DossierInfo,
    Event,
    Fact,
    Figure,
    Judgement,
    LineToTake,
    Option,
    Programme,
    Question,
    Recommendation,
    Section,
    Source,
    Term,
    ThreatPerception,
)
from briefing.languages.i18n import abbreviation_first, current_language, figure_text, gettext
from briefing.view.changes import Changes
from briefing.view.locators import locator_text
from briefing.view.terms import TermExpander

Item = (
    Fact
    | ThreatPerception
    | Divergence
    | Recommendation
    | Event
    | Question
    | Judgement
    | Assessment
    | Option
    | LineToTake
)
# Items that assert nothing a source states: a question, and the unit's own analysis.  They are
# footnoted to the items they rest on, graded by the weakest of them, and left out where those are.
Grounded = Question | Assessment | Option | LineToTake


def item_text(item: Item) -> str:
    """What an item says, in the dossier's words (a divergence: its topic and each position)."""
    if isinstance(item, Fact | ThreatPerception):
        return item.statement
    if isinstance(item, Divergence):
        positions = "; ".join(f"{p.holder}: {p.position.rstrip('.')}" for p in item.positions)
        return f"{item.topic}. {positions}."
    if isinstance(item, Recommendation):
        return item.title
    if isinstance(item, Event):
        return item.event
    if isinstance(item, Judgement):
        return item.judgement
    if isinstance(item, Assessment):
        return item.assessment
    if isinstance(item, Option):
        return item.title
    if isinstance(item, LineToTake):
        return item.line
    return item.question


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
    # How many more claims disagree than ``disagrees_with`` quotes (``RIVALS_QUOTED``): counted, not listed.
    rivals_more: int = 0
    # Ids of claims that disagree with this one but come from sources the profile omits: the
    # brief says that something was left out, never silently chooses.
    rivals_withheld: tuple[str, ...] = ()
    # Some figure, or the statement itself if time-bound, is older than the audience's staleness limit.
    stale: bool = False
    # The statement describes a state of affairs at ``dated`` (an office holder, a status,
    # something "upcoming"): it is dated in the brief like a figure and flagged when stale.
    time_bound: bool = False
    # When the statement was true: its own ``as_of``, else the date of the newest source it cites.
    dated: str | None = None
    # The statement (not only a figure) is time-bound and older than the staleness limit.
    stale_statement: bool = False
    # Parts of the claim (a divergence's positions by index, its consequence after them) that no
    # citation at or above the audience's bar supports: flagged under 'mark' ...
    parts_unconfirmed: frozenset[int] = frozenset()
    # ... and left out under 'omit' (indices in the dossier's item; ``item`` no longer has them).
    parts_omitted: tuple[int, ...] = ()
    # The introduction of the section (or list) printing the claim states its as-of date once
    # ("As of October 2024 unless marked"), so the claim carries no tag of its own.
    date_in_intro: bool = False

    def part_unconfirmed(self, index: int) -> bool:
        """Whether part ``index`` of the claim (a divergence's position; its consequence is the
        index after the last position) is below the audience's bar and printed flagged."""
        return index in self.parts_unconfirmed

    @property
    def as_of(self) -> str | None:
        """When the claim's figures (or, if time-bound, its statement) were true: the latest
        date, or "undated".  Figures that cannot go out of date (a deadline, a deal signed on a
        day) are not dated again, nor are statements that are not time-bound."""
        changing = [figure for figure in self.figures if figure.changes_over_time]
        if not changing and not self.time_bound:
            return None
        dates = {figure.as_of for figure in changing if figure.as_of}
        if self.time_bound and self.dated:
            dates.add(self.dated)
        latest = newest(dates)
        return date_label(latest) if latest else "undated"


def source_name(source: Source) -> str:
    """A source as every note, table, caption and chart of a brief names it."""
    return source.series or source.title


def source_names(claims: Iterable[Claim]) -> str:
    """The sources a set of claims cites, each once, for a caption."""
    names = dict.fromkeys(source_name(cite.source) for claim in claims for cite in claim.cites)
    return "; ".join(names)


@dataclass(frozen=True)
class Column:
    """A column of the programmes table, as the dossier declares it."""

    field: str
    label: str
    # Every cell is a plain number, so the column is aligned on the right.
    numeric: bool = False


@dataclass(frozen=True)
class ProgressBar:
    """One bar of the progress chart: ``done`` out of ``total``, with the deadline if any."""

    label: str
    done: Figure
    total: Figure
    deadline: Figure | None
    done_label: str
    axis_label: str

    @property
    def share(self) -> float:
        """Percent of the total that is done."""
        return 100 * self.done.value / self.total.value


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    # The figure in each declared column (by field), or None where no source states one.
    cells: dict[str, Figure | None]
    claims: tuple[Claim, ...]
    # The row's facts as one claim, so that the row carries one footnote naming them all.
    claim: Claim | None
    # (label, words) of each declared detail the programme has, in declared order.
    details: tuple[tuple[str, str], ...] = ()
    # The row's bar in the progress chart, where the dossier declares one and both figures are shown.
    progress: ProgressBar | None = None


def table_rivals(rows: Sequence[ProgrammeRow]) -> tuple[tuple[Claim, ...], int]:
    """What the sources say against the figures a table shows: the rivals it may quote (each once,
    leaving out those the table itself shows) and how many the profile leaves out."""
    shown = {claim.id for row in rows for claim in row.claims}
    quoted: dict[str, Claim] = {}
    withheld: set[str] = set()
    for row in rows:
        for claim in row.claims:
            for rival in claim.disagrees_with:
                if rival.id not in shown:
                    quoted.setdefault(rival.id, rival)
            withheld.update(claim.rivals_withheld)
    return tuple(quoted.values()), len(withheld)


@dataclass(frozen=True)
class Comparison:
    """Claims that measure the same quantity, side by side."""

    measure: str
    claims: tuple[Claim, ...]

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(f for claim in self.claims for f in claim.figures if f.measure == self.measure)

    @property
    def chartable(self) -> bool:
        """Whether the figures can be drawn as bars: quantities, not years or dates."""
        return bool(self.figures) and not any(is_calendar(figure) for figure in self.figures)

    @property
    def source_names(self) -> str:
        return source_names(self.claims)


@dataclass(frozen=True)
class WatchItem:
    """A dated deadline or milestone the sources announce: still to come, or passed."""

    date: str
    claim: Claim
    # The brief's date is after the whole of ``date``.
    passed: bool
    # Some source the dossier holds is dated after the milestone, so it might say what happened.
    later_sources: bool
    # When the sources stated it (their newest date), and whether that is older than the
    # staleness limit: a milestone is a plan as of that date.
    stated: str | None = None
    stale: bool = False
    # The brief's date falls within ``date`` (a milestone "in 2026", read in 2026).
    current: bool = False
    # The section's introduction states when the sources stated it: the row does not repeat it.
    stated_in_intro: bool = False

    @property
    def current_unit(self) -> str:
        """What the brief's date falls within: "day", "month" or "year" (how precise ``date`` is)."""
        return ("year", "month", "day")[self.date.count("-")]

    @property
    def stated_text(self) -> str | None:
        return date_label(self.stated) if self.stated else None

    @property
    def date_text(self) -> str:
        return date_label(self.date)


@dataclass(frozen=True)
class SectionView:
    section: Section
    facts: tuple[Claim, ...]
    events: tuple[Claim, ...]
    comparisons: tuple[Comparison, ...]
    threats: tuple[Claim, ...] = ()
    divergences: tuple[Claim, ...] = ()
    recommendations: tuple[Claim, ...] = ()
    questions: tuple[Claim, ...] = ()
    programmes: tuple[ProgrammeRow, ...] = ()
    # The programme rows that have a bar in the progress chart.
    progress: tuple[ProgrammeRow, ...] = ()
    # Deadlines and milestones, in date order (section kind ``watch``).
    watch: tuple[WatchItem, ...] = ()
    # The unit's options for a decision and its lines to take (section kinds ``options``, ``lines``).
    options: tuple[Claim, ...] = ()
    lines: tuple[Claim, ...] = ()
    # Why the section has nothing to show for this audience, if so (it is then not printed).
    empty_reason: str | None = None
    # How many items (or parts of items) it would show that the reliability bar leaves out.
    omitted: int = 0
    # The as-of date most of its dated items share, said once in its introduction ("October 2024"),
    # and whether that date is older than the staleness limit (printed in bold).
    as_of: str | None = None
    as_of_stale: bool = False

    @property
    def id(self) -> str:
        return self.section.id

    @property
    def programme_rivals(self) -> tuple[tuple[Claim, ...], int]:
        """The rivals of the programme table's figures to quote, and how many are left out."""
        return table_rivals(self.programmes)

    @property
    def title(self) -> str:
        return self.section.title

    @property
    def kind(self) -> str:
        return self.section.kind


@dataclass(frozen=True)
class OptionCost:
    """What an option needs: the figure its ``cost`` names, in the fact's own words, and that fact."""

    option: str
    figure: Figure
    claim: Claim

    @property
    def figure_text(self) -> Markup:
        return escape(self.figure.text)


@dataclass(frozen=True)
class Dropped:
    """A question or recommendation left out because it rests on claims the profile omits."""

    id: str
    kind: str
    rests_on: tuple[Claim, ...]


@dataclass(frozen=True)
class Brief:
    """Everything a template needs to draw one audience's brief."""

    info: DossierInfo
    audience: Audience
    date: str
    key_points: tuple[Claim, ...]
    # The sections that have something to show, in the profile's order.
    sections: tuple[SectionView, ...]
    programmes: tuple[ProgrammeRow, ...]
    threats: tuple[Claim, ...]
    divergences: tuple[Claim, ...]
    recommendations: tuple[Claim, ...]
    questions: tuple[Claim, ...]
    # The sources the brief's claims cite, in the dossier's order: never one below an 'omit' bar.
    sources: tuple[Source, ...]
    withheld: tuple[Claim, ...] = field(default=())
    # Whether any figure the brief shows is older than the audience's staleness limit.
    has_stale_figures: bool = False
    # Sections of the profile with nothing to show for this audience (``empty_reason`` says why).
    empty_sections: tuple[SectionView, ...] = ()
    # The programmes table's columns, as the dossier declares them.
    programme_columns: tuple[Column, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    # What changed since an earlier published edition (set by the build, see ``changes.py``), if any.
    changes: Changes | None = None
    # The key judgements for this audience, which lead the bottom line.
    judgements: tuple[Claim, ...] = ()
    # Whether any time-bound statement the brief shows is older than the staleness limit.
    has_stale_statements: bool = False
    # The date of the newest source the brief cites, and whether the brief's date is past the
    # staleness limit from it (the brief then says what its information is current to).
    newest_source: str | None = None
    past_cutoff: bool = False
    # Abbreviations the brief spells out where each first appears.
    terms: tuple[Term, ...] = ()
    # What the reliability bar leaves out of this brief (the brief says how many, never what).
    omissions: tuple[Omission, ...] = ()
    # The sources the brief cites that give no date: the cut-off line says so.
    undated_sources: tuple[Source, ...] = ()
    # The profile has a staleness limit, so the brief says how current its information is.
    dates_matter: bool = False
    # The unit's own assessments for this audience, most confident first; they open the bottom line.
    assessments: tuple[Claim, ...] = ()
    # Rates to the profile's second currency, by the currency converted from (``money.py``).
    rates: tuple[Rate, ...] = ()
    # The claim stating each rate, footnoted where the rate is named.
    rate_claims: tuple[Claim, ...] = ()
    # What each option shown needs, as the sourced figure its ``cost`` names.
    costs: tuple[OptionCost, ...] = ()
    # Key points that are time-bound statements older than the staleness limit: page 1 leaves them
    # out and says where the body prints them, flagged (issue 23: page 1 that still holds).
    overtaken: tuple[Claim, ...] = ()
    # (claim id, section id): the first section printing each claim in the body; a later section
    # refers to it there instead of printing it again.
    homes: tuple[tuple[str, str], ...] = ()
    # Key points the bottom line gives by their headline, linked to the full statement its home
    # section prints; the others it states in full.
    headlined: frozenset[str] = frozenset()
    # Judgements and assessments resting on a source that gives no date: their note says so.
    undated_grounds: frozenset[str] = frozenset()

    @property
    def cutoff(self) -> str | None:
        """ "March 2025" when the newest source is older than the staleness limit, else None."""
        return date_label(self.newest_source) if self.past_cutoff and self.newest_source else None

    @property
    def undated_notes(self) -> str:
        """What the undated sources the brief cites say about their date, for the cut-off line."""
        return "; ".join(dict.fromkeys(source.date_note for source in self.undated_sources if source.date_note))

    @property
    def no_dated_source(self) -> bool:
        """Every source the brief cites is undated, and its profile asks how current it is."""
        return self.dates_matter and self.newest_source is None and bool(self.undated_sources)

    @property
    def has_stale(self) -> bool:
        return self.has_stale_figures or self.has_stale_statements

    def key_point_number(self, claim: Claim) -> int | None:
        """The number of ``claim`` in the bottom line's list of key points (1-based), if the bottom
        line states it in full: the body then refers to it instead of saying it again.  A key point
        given by its headline is stated in full in the body (``headline``)."""
        for number, point in enumerate(self.key_points, start=1):
            if point.id == claim.id and point.id not in self.headlined:
                return number
        return None

    def headline(self, claim: Claim) -> str | None:
        """What the bottom line prints for a key point the body states in full (its headline); None
        if the bottom line states it in full."""
        return getattr(claim.item, "headline", None) if claim.id in self.headlined else None

    def home(self, claim: Claim) -> SectionView | None:
        """The first section whose body prints ``claim``, if any."""
        section_id = dict(self.homes).get(claim.id)
        return next((view for view in self.sections if view.id == section_id), None)

    def anchored(self, claim: Claim, view: SectionView | None) -> bool:
        """Whether ``claim``, printed in ``view``, is where links to it lead (its home)."""
        return view is not None and dict(self.homes).get(claim.id) == view.id

    def stated_elsewhere(self, claim: Claim, view: SectionView | None) -> SectionView | None:
        """The earlier section that states ``claim`` in full, when ``view`` prints it again."""
        home = self.home(claim)
        return home if home is not None and view is not None and home.id != view.id else None

    def is_overtaken(self, claim: Claim) -> bool:
        return any(point.id == claim.id for point in self.overtaken)

    @property
    def overtaken_places(self) -> tuple[SectionView, ...]:
        """The sections printing the overtaken key points, each once, in the brief's order."""
        homes = dict(self.homes)
        wanted = {homes.get(claim.id) for claim in self.overtaken}
        return tuple(view for view in self.sections if view.id in wanted)

    @property
    def overtaken_unplaced(self) -> tuple[Claim, ...]:
        """Overtaken key points no section prints: the brief prints them in a block of their own."""
        placed = dict(self.homes)
        return tuple(claim for claim in self.overtaken if claim.id not in placed)

    @property
    def facts_lead(self) -> bool:
        """Whether the key facts open the bottom line: the judgement that would lead (the unit's
        first, else the sources') is of low confidence or below the reliability bar."""
        first = next(iter((*self.assessments, *self.judgements)), None)
        if first is None or not self.key_points:
            return False
        confidence = getattr(first.item, "confidence", "moderate")
        return first.unconfirmed or confidence == "low"

    def rests_on_undated(self, claim: Claim) -> bool:
        return claim.id in self.undated_grounds

    def comparison_for(self, claim: Claim) -> SectionView | None:
        """The comparison section that sets out every value of one of ``claim``'s measures, if the
        brief has one: a note that quotes only some rivals points the reader to it."""
        measures = {figure.measure for figure in claim.figures}
        return next(
            (view for view in self.sections if view.kind == "comparison" and measures & set(view.section.measures)),
            None,
        )

    def cite_groups(self, claim: Claim) -> tuple[tuple[Cite, tuple[tuple[Cite, Markup], ...]], ...]:
        """A claim's citations for its note, the places in one source together: each source's first
        citation (printed whole), with its others and their locators ("…, para. 2; para. 3"); each
        citation is kept so its note can link to its own passage."""
        groups: dict[str, tuple[Cite, list[tuple[Cite, Markup]]]] = {}
        for cite in claim.cites:
            if cite.source.id in groups:
                groups[cite.source.id][1].append((cite, locator_text(cite.locator, cite.source.language)))
            else:
                groups[cite.source.id] = (cite, [])
        return tuple((first, tuple(more)) for first, more in groups.values())

    def passed_figures(self, claim: Claim) -> tuple[Figure, ...]:
        """The deadline figures of ``claim`` the brief's date has passed."""
        return tuple(figure for figure in claim.figures if self.passed(figure))

    def passed(self, figure: Figure) -> bool:
        """Whether a deadline figure (a year) lies wholly before the brief's date."""
        return figure.deadline and is_calendar(figure) and is_passed(f"{int(figure.value):04d}", self.info.date)

    @property
    def programmes_stale(self) -> bool:
        """Whether the programme figures that change are older than the staleness limit."""
        return any(claim.stale for row in self.programmes for claim in row.claims)

    @property
    def grade_example(self) -> Claim | None:
        """A claim on page 1 whose grade explains the notation: one with a credibility digit if any."""
        first = (*self.rate_claims, *self.assessments, *self.judgements, *self.key_points)
        return next((c for c in first if c.credibility), None) or next(iter(first), None)

    def term_expander(self) -> TermExpander:
        """A fresh expander for one render: each term is spelt out at its first use only."""
        return TermExpander(self.terms, abbreviation_first(current_language()))

    @property
    def programme_rivals(self) -> tuple[tuple[Claim, ...], int]:
        """The rivals of the programme figures (table and progress chart) to quote, and how many are left out."""
        return table_rivals(self.programmes)

    @property
    def programmes_as_of(self) -> str | None:
        """The latest as-of date among the programme figures that change, for table and chart captions."""
        dates = [
            f.as_of
            for row in self.programmes
            for f in row.cells.values()
            if f is not None and f.as_of and f.changes_over_time
        ]
        return date_label(max(dates)) if dates else None

    @property
    def programme_sources(self) -> str:
        """The sources of the programmes table, for its caption and the chart's."""
        return source_names(row.claim for row in self.programmes if row.claim)

    @property
    def progress_caption(self) -> str:
        table = self.info.programme_table
        progress = table.progress if table else None
        return (progress.caption if progress else None) or gettext("Progress per programme.")

    def label(self, key: str, default: str) -> str:
        """A wording the audience profile may override (section headings, captions)."""
        return self.audience.labels.get(key, default)

    @property
    def core_sections(self) -> tuple[SectionView, ...]:
        """The sections before the annex: all of them unless the profile sets a core."""
        core = self.audience.core
        return self.sections if core is None else tuple(v for v in self.sections if v.id in core.sections)

    @property
    def annex_sections(self) -> tuple[SectionView, ...]:
        """The sections after the core, under the annex heading (none without a core)."""
        core = self.audience.core
        return () if core is None else tuple(v for v in self.sections if v.id not in core.sections)

    def horizon_passed(self, claim: Claim) -> bool:
        """Whether a recommendation's horizon (its ``due`` date) lies wholly before the brief's date."""
        due = claim.item.due if isinstance(claim.item, Recommendation) else None
        return due is not None and is_passed(due, self.info.date)

    def converted(self, figure: Figure) -> Converted | None:
        """``figure`` in the profile's second currency, if it asks for one and the amount is in another."""
        currency = currency_of(figure)
        rate = next((rate for rate in self.rates if rate.source == currency), None)
        return convert(figure, rate) if rate else None

    def converted_text(self, figure: Figure) -> str | None:
        """``figure`` in the second currency, written in the edition's language ("62,7 mld zł")."""
        converted = self.converted(figure)
        if converted is None:
            return None
        return figure_text(converted.value, converted.unit, current_language(), {})[0]

    def with_money(self, html: Markup, claim: Claim) -> Markup:
        """``html`` (a claim's text) with each amount followed by its value in the second currency,
        marked approximate; after the text where the amount is not written as the figure states it."""
        for figure in claim.figures:
            text = self.converted_text(figure)
            if text is None:
                continue
            shown = escape(figure.text)
            approx = gettext("approx. %(amount)s") % {"amount": text}
            addition = Markup(' <span class="converted">({})</span>').format(approx)
            html = html.replace(shown, shown + addition, 1) if shown in html else html + addition
        return Markup(html)

    def option_cost(self, option: Option) -> OptionCost | None:
        return next((cost for cost in self.costs if cost.option == option.id), None)

    def rate_claim(self, rate: Rate) -> Claim | None:
        return next((claim for claim in self.rate_claims if claim.id == rate.fact.id), None)


@dataclass(frozen=True)
class Omission:
    """Something the brief leaves out because of its reliability bar; the brief says how many, and
    where, but never what.  ``part`` is a divergence's position (or its consequence) left out of
    an item the brief otherwise shows."""

    id: str
    kind: str
    grade: str
    # "below" (the item itself is below the bar), "rests-on" (it rests on such an item) or
    # "rival" (a figure a shown claim's note would quote against it).
    reason: str
    part: int | None = None
