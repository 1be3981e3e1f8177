"""Stage 3: choose what one audience's brief says.

A pure function of the dossier and an audience profile.  It decides which
claims each section carries, applies the profile's source-grade policy and its
way of showing disagreements, and returns plain view objects for templates.
It adds no text of its own: every sentence a brief states comes from the data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from briefing.dossier.dates import (
    date_end,
    date_label,
    date_start,
    is_calendar,
    is_passed,
    is_stale,
    months_between,
    newest,
)
from briefing.dossier.hedges import MIN_SUPPORT, Weights, claim_text, support, weights_for
from briefing.dossier.money import Converted, Rate, convert, currency_of, find_rate
from briefing.dossier.schema import (
    Assessment,
    Audience,
    Citation,
    Divergence,
    Dossier,
    DossierInfo,
    Event,
    Fact,
    Figure,
    Judgement,
    LineToTake,
    Option,
    Programme,
    ProgrammeTable,
    Question,
    Recommendation,
    Section,
    Source,
    Term,
    ThreatPerception,
)
from briefing.formats.locators import locator_text
from briefing.languages.i18n import (
    abbreviation_first,
    current_language,
    figure_text,
    gettext,
    in_own_language,
)

if TYPE_CHECKING:
    from briefing.build.changes import Changes

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

# What each shipped section kind draws (attributes of ``SectionView``).  A section whose
# content is empty for an audience is left out of its brief, and ``generate check`` says why.
# A kind not listed here (a template of one's own) is always printed.
KIND_CONTENT: dict[str, tuple[str, ...]] = {
    "facts": ("facts",),
    "comparison": ("comparisons", "facts"),
    "timeline": ("events",),
    "threats": ("threats",),
    "divergences": ("divergences",),
    "recommendations": ("recommendations",),
    "questions": ("questions",),
    "programmes": ("programmes",),
    "deliveries": ("progress",),
    "watch": ("watch",),
    "options": ("options",),
    "lines": ("lines",),
}
# The unit's assessments lead the bottom line most confident first (ICD 203: confidence apart from likelihood).
CONFIDENCE_ORDER = {"high": 0, "moderate": 1, "low": 2}

# Recommendations are listed most urgent first.
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


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


@dataclass(frozen=True)
class Grade:
    """How far one claim may be trusted in one audience's brief.

    Computed once per claim (``grade_claim``), from the dossier as written and before layout:
    never from a translation, whose words cannot be compared with the sources' quotes.  Every
    place, edition and format of the brief prints this one result.
    """

    # Source reliability: for each part of the claim, the best source among the citations that
    # support it; for the claim, its weakest part's (a claim is as good as its weakest part).
    reliability: str
    # Information credibility as the dossier rates it, except that 1 ("confirmed by other
    # sources") becomes 2 where the brief does not show two sources that support the claim.
    credibility: int | None
    # Some part the brief states is supported by no citation at or above the audience's bar.
    below_bar: bool
    # The citations the brief may print with the claim (indices into its ``cites``).
    cites: tuple[int, ...] = ()
    # Parts (a divergence's positions, then its consequence) supported only below the bar.
    parts_below: frozenset[int] = frozenset()


# Of a claim in several parts, a quote states a part if it says it at least this well relative to
# the quote that says it best (the support scores of ``hedges.support``).
PART_SUPPORT_SHARE = 0.75


def claim_parts(item: Item) -> tuple[str, ...]:
    """What ``item`` asserts, part by part.  Each part must be supported by a citation the brief
    may print: a divergence's positions and its consequence may each come from another source."""
    if isinstance(item, Divergence):
        parts = [f"{position.holder}: {position.position}" for position in item.positions]
        return (*parts, *([item.consequence] if item.consequence else []))
    if isinstance(item, Assessment | Option | LineToTake):
        return (_text_of(item),)  # the unit's own words: graded by what they rest on, never by a quote
    return (claim_text(item),)


def grade_claim(item: Item, audience: Audience, reliability: Mapping[str, str], weights: Weights) -> Grade:
    """The grade of ``item`` (anything that cites sources itself) in ``audience``'s brief.

    ``reliability`` gives each source's letter.  A part's grade comes from the citations whose
    quotes support it; a citation that does not say it cannot lift the grade.  Under 'omit' the
    brief prints only citations at or above the bar, so a part only a below-bar source states is
    below the bar (and left out), never graded by another citation.  Where no quote shares
    enough words with a part ('check' warns about such citations), which citation says it cannot
    be told and the weakest is assumed.
    """
    cites = list(getattr(item, "cites", []))
    letters = [reliability[cite.source] for cite in cites]
    if not cites:
        return Grade("F", None, True)
    bar, omit = audience.min_reliability, audience.below_min_reliability == "omit"
    printable = tuple(index for index, letter in enumerate(letters) if not omit or letter <= bar)
    part_grades: list[str] = []
    backers: list[list[int]] = []
    several = len(claim_parts(item)) > 1
    for part in claim_parts(item):
        scores = [support(cite.quote, part, weights) for cite in cites]
        # A short part (a position) shares its topic's words with every quote about that topic:
        # among several parts, only the quotes that say it about as well as the best one state it.
        floor = max(MIN_SUPPORT, PART_SUPPORT_SHARE * max(scores)) if several else MIN_SUPPORT
        backing = [index for index, score in enumerate(scores) if score >= floor]
        part_grades.append(min(letters[index] for index in backing) if backing else max(letters))
        backers.append(backing)
    below = frozenset(index for index, grade in enumerate(part_grades) if grade > bar)
    kept = [index for index in range(len(part_grades)) if not (omit and index in below)]
    if isinstance(item, Divergence) and len([index for index in kept if index < len(item.positions)]) < 2:
        kept = []  # one position left is no divergence: the whole item is below the bar
    graded = kept or list(range(len(part_grades)))
    grade = max(part_grades[index] for index in graded)
    credibility = item.credibility if isinstance(item, Fact) else None
    if credibility == 1:
        # "Confirmed by other sources" holds only if the brief shows two sources that say it.
        confirming = {cites[i].source for part in graded for i in backers[part] if i in printable}
        if len(confirming) < 2:
            credibility = 2
    return Grade(grade, credibility, grade > bar, printable, below)


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


class _Claims:
    """Builds claims for one audience, applying its grade and disagreement policies.

    ``original`` is the dossier as written when ``dossier`` is a translation of it: claims are
    graded on the original's words (``grade_claim``), so every edition prints the same grades.
    """

    def __init__(self, dossier: Dossier, audience: Audience, original: Dossier | None = None) -> None:
        self.dossier = dossier
        self.audience = audience
        self.sources = {source.id: source for source in dossier.sources}
        self.items = _items_by_id(dossier)
        graded_from = original or dossier
        self._graded_items = _items_by_id(graded_from)
        self._reliability = {source.id: source.reliability for source in graded_from.sources}
        # How much each word weighs when judging whether a quote supports its claim (as 'check' does).
        self.weights = weights_for(graded_from)
        self._grades: dict[str, Grade] = {}
        self._order = {fact.id: index for index, fact in enumerate(dossier.facts)}
        self.rivals = RivalIndex(dossier.facts, self._rival_rank, self._rival_omitted)
        self.withheld: dict[str, Claim] = {}
        # Why each withheld claim is left out: "below", "rests-on" or "better-rival".
        self.reasons: dict[str, str] = {}
        self.dropped: dict[str, Dropped] = {}
        # Claims without their rivals, made once each: every fact of a measure with N values
        # quotes the other N-1 as rivals (made anew, that was N² claims).
        self.plain_claims: dict[str, Claim] = {}
        # What the reliability bar leaves out, by (item id, part).
        self.omitted: dict[tuple[str, int | None], Omission] = {}

    def grade(self, item_id: str) -> Grade:
        """The one grade of an item for this audience, worked out on first use."""
        if item_id not in self._grades:
            item = self._graded_items[item_id]
            if isinstance(item, Grounded):
                # A question asserts nothing, and the unit's analysis is its own: each stands on the
                # claims it rests on, and on the weakest.
                grounds = [self.grade(ref) for ref in item.rests_on if ref in self._graded_items]
                letter = max((ground.reliability for ground in grounds), default="F")
                below = letter > self.audience.min_reliability
                self._grades[item_id] = Grade(letter, None, below)
            else:
                self._grades[item_id] = grade_claim(item, self.audience, self._reliability, self.weights)
        return self._grades[item_id]

    def _rival_rank(self, fact_id: str) -> tuple[str, int, int]:
        """Best-graded first (reliability, then credibility), then in the dossier's order."""
        grade = self.grade(fact_id)
        return (grade.reliability, grade.credibility or 9, self._order[fact_id])

    def _rival_omitted(self, fact_id: str) -> bool:
        return self.grade(fact_id).below_bar and self.audience.below_min_reliability == "omit"

    def _cites(self, citations: Iterable[Citation]) -> tuple[Cite, ...]:
        # One entry per place in a source, however many quotes come from it.
        unique = {(c.source, c.locator): Cite(self.sources[c.source], c.locator, c.quote) for c in citations}
        return tuple(unique.values())

    def _printed(self, item: Item) -> list[Citation]:
        """The citations the brief prints with ``item``: those its grade lets it print."""
        cites = list(getattr(item, "cites", []))
        return [cites[index] for index in self.grade(item.id).cites] or cites

    def claim(self, item: Item, with_rivals: bool = True) -> Claim:
        if not with_rivals and item.id in self.plain_claims:
            return self.plain_claims[item.id]
        made = self._claim(item, with_rivals)
        if not with_rivals:
            self.plain_claims[item.id] = made
        return made

    def _claim(self, item: Item, with_rivals: bool) -> Claim:
        grade = self.grade(item.id)
        if isinstance(item, Grounded):
            # A question asserts nothing, and the unit's analysis is its own: they cite what they rest on.
            citations = [cite for ref in item.rests_on if ref in self.items for cite in self._printed(self.items[ref])]
        else:
            citations = self._printed(item)
        cites = self._cites(citations)
        omitted_parts: tuple[int, ...] = ()
        # Only a divergence has parts of its own to flag (a single-part claim is flagged whole).
        flagged_parts = grade.parts_below if isinstance(item, Divergence) else frozenset()
        if self.audience.below_min_reliability == "omit":
            flagged_parts = frozenset()
            if isinstance(item, Divergence) and grade.parts_below and not grade.below_bar:
                # The positions (or consequence) only a below-bar source states are left out.
                omitted_parts = tuple(sorted(grade.parts_below))
                count = len(item.positions)
                item = item.model_copy(
                    update={
                        "positions": [p for index, p in enumerate(item.positions) if index not in grade.parts_below],
                        "consequence": None if count in grade.parts_below else item.consequence,
                    }
                )
        brief_date, limit = self.dossier.dossier.date, self.audience.stale_after_months
        explicit = getattr(item, "as_of", None)
        dated = explicit or newest(cite.source.date for cite in cites)
        time_bound = bool(getattr(item, "time_bound", False) or explicit)
        stale_statement = bool(time_bound and limit is not None and dated and months_between(dated, brief_date) > limit)
        rivals: tuple[Claim, ...] = ()
        withheld: tuple[str, ...] = ()
        more = 0
        if with_rivals and isinstance(item, Fact):
            # The best-graded rivals are quoted and the rest counted; a rival the profile would not
            # state is not quoted in a note either: the note says one was left out.
            found = self.rivals.of(item.id)
            rivals = tuple(self.claim(self.items[r], with_rivals=False) for r in found.quoted)
            withheld, more = found.withheld, found.more
        return Claim(
            id=item.id,
            kind=type(item).__name__.lower(),
            text=_text_of(item),
            cites=cites,
            grade=grade.reliability,
            credibility=grade.credibility,
            unconfirmed=grade.below_bar,
            item=item,
            figures=tuple(item.figures) if isinstance(item, Fact) else (),
            disagrees_with=rivals,
            rivals_more=more,
            rivals_withheld=withheld,
            stale=stale_statement
            or (isinstance(item, Fact) and any(is_stale(f, brief_date, limit) for f in item.figures)),
            time_bound=time_bound,
            dated=dated,
            stale_statement=stale_statement,
            parts_unconfirmed=flagged_parts,
            parts_omitted=omitted_parts,
        )

    def as_time_bound(self, claim: Claim) -> Claim:
        """The claim dated and flagged as a statement true at its sources' date (a milestone as
        the sources announced it)."""
        limit, dated = self.audience.stale_after_months, claim.dated
        stale = bool(limit is not None and dated and months_between(dated, self.dossier.dossier.date) > limit)
        return replace(claim, time_bound=True, stale_statement=stale, stale=claim.stale or stale)

    def may_cite(self, source: Source) -> bool:
        """Whether the brief may name ``source`` (an 'omit' profile never names one below its bar)."""
        audience = self.audience
        return audience.below_min_reliability != "omit" or source.reliability <= audience.min_reliability

    def below_bar_and_omitted(self, claim: Claim) -> bool:
        return claim.unconfirmed and self.audience.below_min_reliability == "omit"

    def omitted_grounds(self, claim: Claim) -> tuple[Claim, ...]:
        """For a question or recommendation under an 'omit' profile, the claims it rests on that are omitted."""
        item = claim.item
        if self.audience.below_min_reliability != "omit" or not isinstance(item, Grounded | Recommendation | Judgement):
            return ()
        grounds = (self.claim(self.items[ref], with_rivals=False) for ref in item.rests_on if ref in self.items)
        return tuple(ground for ground in grounds if self.below_bar_and_omitted(ground))

    def omit(self, claim: Claim, reason: str) -> None:
        """Record that the bar leaves ``claim`` out (the brief counts it; ``check`` lists it)."""
        self.omitted.setdefault((claim.id, None), Omission(claim.id, claim.kind, claim.grade, reason))

    def admitted(self, claim: Claim) -> bool:
        """Whether the profile lets this claim into the brief; records the ones it keeps out."""
        reason = None
        # A question asserts nothing: the claims it rests on decide whether it is asked.
        if self.below_bar_and_omitted(claim) and not isinstance(claim.item, Grounded):
            reason = "below"
        elif grounds := self.omitted_grounds(claim):
            # Whatever rests on a claim the brief may not state is not stated either.
            reason = "rests-on"
            self.dropped[claim.id] = Dropped(claim.id, claim.kind, grounds)
        elif self.audience.conflicts == "prefer-better-graded" and any(
            rival.grade < claim.grade for rival in claim.disagrees_with
        ):
            reason = "better-rival"
        if reason is None:
            for part in claim.parts_omitted:
                self.omitted.setdefault((claim.id, part), Omission(claim.id, claim.kind, claim.grade, "below", part))
            for rival in claim.rivals_withheld:
                self.omitted.setdefault((rival, None), Omission(rival, "fact", self.grade(rival).reliability, "rival"))
            return True
        if reason != "better-rival":
            self.omit(claim, reason)
        self.withheld[claim.id] = claim
        self.reasons[claim.id] = reason
        return False

    def select(self, items: Iterable[Item]) -> tuple[Claim, ...]:
        claims = (self.claim(item) for item in items)
        return tuple(claim for claim in claims if self.admitted(claim))

    def left_out(self, items: Iterable[Item], parts_of: Iterable[Claim] = ()) -> int:
        """How many of ``items`` the bar leaves out, with the parts it leaves out of ``parts_of``."""
        ids = {item.id for item in items}
        whole = sum(1 for (item_id, part) in self.omitted if part is None and item_id in ids)
        return whole + sum(len(claim.parts_omitted) for claim in parts_of)

    def why_empty(self, candidates: Sequence[Item], singular: str, plural: str) -> str:
        """Why none of ``candidates`` is shown, e.g. "all 2 recommendations are below parliament's bar B"."""
        audience, bar = self.audience.id, self.audience.min_reliability
        counts: dict[str, int] = {}
        for item in candidates:
            self.admitted(self.claim(item))  # records the reason
            reason = self.reasons.get(item.id, "below")
            counts[reason] = counts.get(reason, 0) + 1
        total = len(candidates)
        what = f"the only {singular} is" if total == 1 else f"all {total} {plural} are"
        wording = {
            "below": f"below {audience}'s bar {bar}",
            "rests-on": f"resting on claims below {audience}'s bar {bar}",
            "better-rival": "left out in favour of better-graded sources",
        }
        if len(counts) == 1:
            return f"{what} {wording[next(iter(counts))]}"
        parts = ", ".join(f"{count} {wording[reason]}" for reason, count in counts.items())
        return f"{what} left out ({parts})"


def _items_by_id(dossier: Dossier) -> dict[str, Item]:
    """Every item a brief may state, by id."""
    items: dict[str, Item] = {}
    for collection in (
        dossier.facts,
        dossier.threats,
        dossier.divergences,
        dossier.recommendations,
        dossier.timeline,
        dossier.questions,
        dossier.judgements,
        dossier.assessments,
        dossier.options,
        dossier.lines,
    ):
        for item in collection:
            items[item.id] = item
    return items


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
    if isinstance(item, Judgement):
        return item.judgement
    if isinstance(item, Assessment):
        return item.assessment
    if isinstance(item, Option):
        return item.title
    if isinstance(item, LineToTake):
        return item.line
    return item.question


def same_time(a: str | None, b: str | None) -> bool:
    """Whether two as-of dates may name the same time: equal, one within the other ("2024" and
    "2024-10"), or either undated (an undated figure cannot be placed in a series)."""
    if a is None or b is None:
        return True
    first, second = a.split("-"), b.split("-")
    shorter = min(len(first), len(second))
    return first[:shorter] == second[:shorter]


def recency(figure: Figure) -> tuple[int, int, int]:
    """Sort key putting the newest figure of a series last: a bare year counts as its December, a
    month as its last day (as ``months_between`` does); an undated figure sorts first."""
    if figure.as_of is None:
        return (0, 0, 0)
    parts = [int(part) for part in figure.as_of.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 31)


def rival_facts(facts: Sequence[Fact]) -> dict[str, list[str]]:
    """For each fact, the facts that disagree with it: declared, or another value for the same
    measure at the same time.  Figures of one measure at different ``as_of`` dates are a series
    (the newest is current, the older ones history), not a disagreement."""
    # Each fact's rivals in the order found, as dictionary keys (a set that keeps order: a list's
    # "in" made N values of one measure cost N³).
    linked: dict[str, dict[str, None]] = {fact.id: {} for fact in facts}

    def link(a: str, b: str) -> None:
        linked[a][b] = None
        linked[b][a] = None

    by_measure: dict[str, list[tuple[Fact, Figure]]] = {}
    for fact in facts:
        for other in fact.conflicts_with:
            if other in linked:
                link(fact.id, other)
        for figure in fact.figures:
            by_measure.setdefault(figure.measure, []).append((fact, figure))
    for entries in by_measure.values():
        # Plain tuples, and the date compared as text first: N values of one measure make N² pairs.
        plain = [(fact.id, figure.value, figure.as_of) for fact, figure in entries]
        for index, (fact_id, value, as_of) in enumerate(plain):
            for other_id, other_value, other_as_of in plain[index + 1 :]:
                if (
                    other_value != value
                    and other_id != fact_id
                    and (other_as_of == as_of or same_time(as_of, other_as_of))
                ):
                    link(fact_id, other_id)
    return {fact: list(others) for fact, others in linked.items()}


# A claim's note quotes at most this many of the figures that disagree with it, the best-graded
# first, and counts the rest: a measure with N values would otherwise make every one of its facts
# quote N-1 others (N² text in a brief, and N² work in ``check`` and every build, issue 20).
RIVALS_QUOTED = 3


@dataclass(frozen=True)
class Rivals:
    """What disagrees with one fact, as its note shows it."""

    # The rivals the note quotes: the best-graded, at most ``RIVALS_QUOTED``.
    quoted: tuple[str, ...]
    # How many more rivals the profile would state (the note counts them, never lists them).
    more: int
    # Rivals below an 'omit' bar: left out, and counted as left out.
    withheld: tuple[str, ...]


class RivalIndex:
    """Who disagrees with whom, answered for one fact at a time in time that does not grow with
    the number of values a measure has (``rival_facts`` lists every pair, for ``check``).

    Facts are grouped by measure and as-of date; a group's facts are ranked once (best grade
    first), so a fact's best rivals are the first entries of the groups at its time.
    """

    def __init__(
        self, facts: Sequence[Fact], rank: Callable[[str], tuple[str, int, int]], omitted: Callable[[str], bool]
    ) -> None:
        self._facts = {fact.id: fact for fact in facts}
        self._rank = rank
        self._omitted = omitted
        self._declared: dict[str, dict[str, None]] = {fact.id: {} for fact in facts}
        # measure -> as_of -> fact ids (in dossier order until ranked)
        self._groups: dict[str, dict[str | None, list[str]]] = {}
        for fact in facts:
            for other in fact.conflicts_with:
                if other in self._declared and other != fact.id:
                    self._declared[fact.id][other] = None
                    self._declared[other][fact.id] = None
            for figure in fact.figures:
                ids = self._groups.setdefault(figure.measure, {}).setdefault(figure.as_of, [])
                if not ids or ids[-1] != fact.id:
                    ids.append(fact.id)
        self._ranked: dict[tuple[str, str | None], _Group] = {}

    def _group(self, measure: str, as_of: str | None) -> _Group:
        key = (measure, as_of)
        if key not in self._ranked:
            ids = sorted(self._groups[measure][as_of], key=self._rank)
            values = {fact_id: _values(self._facts[fact_id], measure) for fact_id in ids}
            self._ranked[key] = _Group(ids, values, self._omitted)
        return self._ranked[key]

    def of(self, fact_id: str) -> Rivals:
        """The rivals of ``fact_id``: those its note quotes, how many more, which are withheld."""
        fact = self._facts[fact_id]
        groups: list[tuple[_Group, frozenset[float]]] = []
        for figure in fact.figures:
            for as_of in self._groups[figure.measure]:
                if as_of == figure.as_of or same_time(figure.as_of, as_of):
                    groups.append((self._group(figure.measure, as_of), frozenset({figure.value})))
        declared = self._declared[fact_id]
        if len(groups) == 1 and not declared:
            group, own = groups[0]
            return group.rivals_of(fact_id, own)
        # Several figures or declared conflicts: the rivals are enumerated (a rare case, linear in them).
        found: dict[str, None] = dict(declared)
        for group, own in groups:
            found.update((other, None) for other in group.every_rival(fact_id, own))
        ranked = sorted(found, key=self._rank)
        stated = [other for other in ranked if not self._omitted(other)]
        withheld = tuple(other for other in ranked if self._omitted(other))
        return Rivals(tuple(stated[:RIVALS_QUOTED]), max(len(stated) - RIVALS_QUOTED, 0), withheld)


def _values(fact: Fact, measure: str) -> frozenset[float]:
    return frozenset(figure.value for figure in fact.figures if figure.measure == measure)


class _Group:
    """The facts giving one measure at one as-of date, best-graded first, with counts by value."""

    def __init__(self, ids: list[str], values: dict[str, frozenset[float]], omitted: Callable[[str], bool]) -> None:
        self.ids = ids
        self.values = values
        self.stated = [fact_id for fact_id in ids if not omitted(fact_id)]
        self.withheld = [fact_id for fact_id in ids if omitted(fact_id)]
        # How many stated facts give exactly these values (a fact's rivals are the others).
        self._stated_by_values: dict[frozenset[float], int] = {}
        for fact_id in self.stated:
            self._stated_by_values[values[fact_id]] = self._stated_by_values.get(values[fact_id], 0) + 1

    def _differs(self, fact_id: str, other: str, own: frozenset[float]) -> bool:
        # As ``rival_facts``: another fact with a value other than this fact's.
        return other != fact_id and bool(self.values[other] - own)

    def rivals_of(self, fact_id: str, own: frozenset[float]) -> Rivals:
        quoted: list[str] = []
        for other in self.stated:
            if len(quoted) == RIVALS_QUOTED:
                break
            if self._differs(fact_id, other, own):
                quoted.append(other)
        # Every stated fact of the group is a rival unless it gives this value alone (itself among them).
        total = len(self.stated) - self._stated_by_values.get(own, 0)
        if fact_id in self.values and not self.values[fact_id] <= own:
            total -= 1  # itself, giving two values of the measure at one date
        withheld = tuple(other for other in self.withheld if self._differs(fact_id, other, own))
        return Rivals(tuple(quoted), max(total - len(quoted), 0), withheld)

    def every_rival(self, fact_id: str, own: frozenset[float]) -> list[str]:
        return [other for other in self.ids if self._differs(fact_id, other, own)]


def _has_tag(tags: Iterable[str], wanted: Sequence[str]) -> bool:
    return not wanted or any(tag in wanted for tag in tags)


def _comparisons(claims: _Claims, measures: Sequence[str]) -> tuple[Comparison, ...]:
    result = []
    for measure in measures:
        facts = [f for f in claims.dossier.facts if any(fig.measure == measure for fig in f.figures)]
        # Every side is shown, whatever "prefer-better-graded" says, since showing the
        # disagreement is the section's purpose; a claim the profile omits stays omitted.
        selected = []
        for claim in map(claims.claim, facts):
            if claims.below_bar_and_omitted(claim):
                claims.omit(claim, "below")
            else:
                selected.append(claim)
        if selected:  # a measure with nothing to show gets no empty table and no "Source: ." caption
            result.append(Comparison(measure, tuple(selected)))
    return tuple(result)


def _plain_number(text: str) -> bool:
    return text.replace(",", "").replace(".", "", 1).strip().isdigit()


def _programme_rows(claims: _Claims) -> tuple[tuple[ProgrammeRow, ...], tuple[Column, ...]]:
    """The rows of the programmes table (those with at least one figure shown) and its columns."""
    table = claims.dossier.dossier.programme_table
    if table is None:
        return (), ()
    labels = {column.field: column.label for column in table.columns}
    rows = []
    for programme in claims.dossier.programmes:
        cells: dict[str, Figure | None] = {}
        cited: list[Claim] = []
        for column in table.columns:
            measure = f"{programme.id}.{column.field}"
            candidates = [
                (claims.claim(fact), figure)
                for fact in claims.dossier.facts
                for figure in fact.figures
                if figure.measure == measure
            ]
            admitted = [(claim, figure) for claim, figure in candidates if claims.admitted(claim)]
            # The newest figure fills the cell (older ones are history), at one date the best-graded
            # source; disagreements are listed in their own section.
            admitted.sort(key=lambda pair: (tuple(-part for part in recency(pair[1])), pair[0].grade))
            cells[column.field] = admitted[0][1] if admitted else None
            if admitted and admitted[0][0].id not in {c.id for c in cited}:
                cited.append(admitted[0][0])
        if not cited:
            continue  # nothing a source states about it may be shown
        details = tuple((d.label, programme.details[d.field]) for d in table.details if d.field in programme.details)
        rows.append(
            ProgrammeRow(
                programme,
                cells,
                tuple(cited),
                _merged(programme.name, cited),
                details,
                _progress(table, programme, cells, labels),
            )
        )
    columns = tuple(
        Column(
            column.field,
            column.label,
            numeric=any(row.cells[column.field] for row in rows)
            and all(_plain_number(cell.text) for row in rows if (cell := row.cells[column.field])),
        )
        for column in table.columns
    )
    return tuple(rows), columns


def _progress(
    table: ProgrammeTable, programme: Programme, cells: dict[str, Figure | None], labels: dict[str, str]
) -> ProgressBar | None:
    spec = table.progress
    if spec is None:
        return None
    done, total = cells.get(spec.done), cells.get(spec.total)
    if done is None or total is None or not total.value or is_calendar(done) or is_calendar(total):
        return None
    deadline = cells.get(spec.deadline) if spec.deadline else None
    return ProgressBar(programme.system, done, total, deadline, labels.get(spec.done, spec.done), spec.axis_label)


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
        # Each fact gives other cells of the row: the row is as good as its weakest.
        grade=max(c.grade for c in claims),
        credibility=worst_credibility,
        unconfirmed=any(c.unconfirmed for c in claims),
        stale=any(c.stale for c in claims),
        figures=tuple(f for c in claims for f in c.figures),
        disagrees_with=(),
        rivals_more=0,
    )


def _tagged(claims: Iterable[Claim], tags: Sequence[str]) -> tuple[Claim, ...]:
    return tuple(claim for claim in claims if _has_tag(getattr(claim.item, "tags", ()), tags))


def _section_view(
    claims: _Claims,
    section: Section,
    shared: dict[str, tuple[Claim, ...]],
    rows: tuple[ProgrammeRow, ...],
) -> SectionView:
    dossier, audience = claims.dossier, claims.audience
    if section.facts:
        chosen: list[Fact] = [f for f in (claims.items[ref] for ref in section.facts) if isinstance(f, Fact)]
    else:
        chosen = [f for f in dossier.facts if section.tags and _has_tag(f.tags, section.tags)]
    events = [e for e in dossier.timeline if _has_tag(e.tags, section.tags)]
    merged_events = _merge_events(claims.select(events))
    view = SectionView(
        section,
        facts=claims.select(chosen),
        events=merged_events,
        comparisons=_comparisons(claims, section.measures),
        threats=_tagged(shared["threats"], section.tags),
        divergences=_tagged(shared["divergences"], section.tags),
        recommendations=shared["recommendations"],
        questions=shared["questions"],
        programmes=rows,
        progress=tuple(row for row in rows if row.progress),
        watch=_watch(claims, section, merged_events) if section.kind == "watch" else (),
        options=shared["options"],
        lines=shared["lines"],
    )
    considered = _considered(claims, section, chosen, events)
    view = replace(view, omitted=claims.left_out(considered, view.divergences if section.kind == "divergences" else ()))
    content = KIND_CONTENT.get(section.kind)
    if content is None or any(getattr(view, name) for name in content):
        return view
    tags = ", ".join(section.tags)
    reason: str
    if section.kind == "facts":
        reason = claims.why_empty(chosen, "fact", "facts") if chosen else f"no fact has its tags ({tags or 'none'})"
    elif section.kind == "comparison":
        candidates = [f for f in dossier.facts if any(fig.measure in section.measures for fig in f.figures)]
        candidates += [f for f in chosen if f not in candidates]
        reason = claims.why_empty(candidates, "claim", "claims") if candidates else "it names no measure and no facts"
    elif section.kind == "timeline":
        reason = claims.why_empty(events, "event", "events") if events else f"no event has its tags ({tags})"
    elif section.kind == "watch":
        reason = "no event or deadline figure is dated after the sources that state it" + (
            f" among those with its tags ({tags})" if tags else ""
        )
    elif section.kind in ("threats", "divergences"):
        listed: Sequence[ThreatPerception | Divergence] = (
            dossier.threats if section.kind == "threats" else dossier.divergences
        )
        tagged = [item for item in listed if _has_tag(item.tags, section.tags)]
        singular = "threat perception" if section.kind == "threats" else "divergence"
        reason = claims.why_empty(tagged, singular, singular + "s") if tagged else f"the dossier has no {singular}s"
        if not tagged and section.tags:
            reason = f"no {singular} has its tags ({tags})"
    elif section.kind == "recommendations":
        recs = [r for r in dossier.recommendations if audience.id in r.audiences]
        pool = [r for r in recs if r.priority in audience.priorities]
        if pool:
            reason = claims.why_empty(pool, "recommendation", "recommendations")
        elif recs:
            reason = f"no recommendation for {audience.id} has one of its priorities ({', '.join(audience.priorities)})"
        else:
            reason = f"no recommendation names {audience.id} among its audiences"
    elif section.kind in ("options", "lines"):
        offered: Sequence[Option | LineToTake] = dossier.options if section.kind == "options" else dossier.lines
        singular = "option" if section.kind == "options" else "line to take"
        plural = "options" if section.kind == "options" else "lines to take"
        mine = [item for item in offered if audience.id in item.audiences]
        reason = (
            claims.why_empty(mine, singular, plural)
            if mine
            else f"no {singular} names {audience.id} among its audiences"
        )
    elif section.kind == "questions":
        asked = [q for q in dossier.questions if audience.id in q.audiences]
        reason = (
            claims.why_empty(asked, "question", "questions")
            if asked
            else f"no question names {audience.id} among its audiences"
        )
    elif dossier.dossier.programme_table is None:
        reason = "the dossier declares no programme_table (in dossier.yaml)"
    elif not dossier.programmes:
        reason = "the dossier has no programmes"
    elif section.kind == "programmes":
        reason = f"no programme figure is at or above {audience.id}'s bar {audience.min_reliability}"
    elif dossier.dossier.programme_table.progress is None:
        reason = "the dossier declares no progress chart (programme_table.progress in dossier.yaml)"
    else:
        spec = dossier.dossier.programme_table.progress
        reason = f"no programme has both '{spec.done}' and '{spec.total}' figures that can be drawn"
    return replace(view, empty_reason=reason)


def _considered(claims: _Claims, section: Section, chosen: Sequence[Fact], events: Sequence[Event]) -> list[Item]:
    """Everything a section of this kind would show if the profile had no reliability bar."""
    dossier, audience, kind = claims.dossier, claims.audience, section.kind
    if kind == "facts":
        return list(chosen)
    if kind == "comparison":
        measured: list[Item] = [f for f in dossier.facts if any(fig.measure in section.measures for fig in f.figures)]
        return measured + [f for f in chosen if f not in measured]
    if kind == "timeline":
        return list(events)
    if kind == "watch":
        deadlines = [
            f
            for f in dossier.facts
            if _has_tag(f.tags, section.tags) and any(fig.deadline and is_calendar(fig) for fig in f.figures)
        ]
        return [*events, *deadlines]
    if kind in ("threats", "divergences"):
        listed: Sequence[Item] = dossier.threats if kind == "threats" else dossier.divergences
        return [item for item in listed if _has_tag(getattr(item, "tags", ()), section.tags)]
    if kind == "recommendations":
        return [
            r
            for r in dossier.recommendations
            if audience.id in r.audiences
            and r.priority in audience.priorities
            and (not audience.addressees or r.addressee in audience.addressees)
        ]
    if kind == "questions":
        return [q for q in dossier.questions if audience.id in q.audiences]
    if kind in ("options", "lines"):
        offered: Sequence[Option | LineToTake] = dossier.options if kind == "options" else dossier.lines
        return [item for item in offered if audience.id in item.audiences]
    table = dossier.dossier.programme_table
    if kind in ("programmes", "deliveries") and table is not None:
        fields = [c.field for c in table.columns]
        if kind == "deliveries":
            fields = [table.progress.done, table.progress.total] if table.progress else []
        measures = {f"{programme.id}.{name}" for programme in dossier.programmes for name in fields}
        return [f for f in dossier.facts if any(fig.measure in measures for fig in f.figures)]
    return []


def _all_claims(brief_parts: Iterable[Iterable[Claim]]) -> list[Claim]:
    """Every claim a brief shows, with the rival claims quoted in its notes."""
    found = []
    for claims in brief_parts:
        for claim in claims:
            found.append(claim)
            found.extend(claim.disagrees_with)
    return found


def _event_key(claim: Claim) -> str:
    """What makes two timeline entries one: their date and their words, case and spacing aside."""
    item = claim.item
    date = item.date if isinstance(item, Event) else ""
    return date + "|" + " ".join(claim.text.lower().split()).rstrip(".")


def _merge_events(events: tuple[Claim, ...]) -> tuple[Claim, ...]:
    """One entry per event: entries with the same date and words, or declared ``same_as`` one
    another, become one entry with every citation (and each distinct wording once)."""
    by_id = {claim.id: claim for claim in events}

    def root(claim: Claim) -> Claim:
        seen = {claim.id}
        while isinstance(claim.item, Event) and claim.item.same_as in by_id and claim.item.same_as not in seen:
            claim = by_id[claim.item.same_as]
            seen.add(claim.id)
        return claim

    groups: dict[str, list[Claim]] = {}
    for claim in events:
        groups.setdefault(_event_key(root(claim)), []).append(claim)
    merged = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        wordings: dict[str, list[Claim]] = {}
        for claim in group:
            wordings.setdefault(claim.text, []).append(claim)
        unique = {(cite.source.id, cite.locator): cite for claim in group for cite in claim.cites}
        # Entries in the same words confirm each other (the best source counts); each other
        # wording is a part of its own, stated only by its own sources, and the weakest part counts.
        merged.append(
            replace(
                group[0],
                id="+".join(claim.id for claim in group),
                text=" ".join(wordings),
                cites=tuple(unique.values()),
                grade=max(min(claim.grade for claim in same) for same in wordings.values()),
                unconfirmed=any(all(claim.unconfirmed for claim in same) for same in wordings.values()),
            )
        )
    return tuple(merged)


def _watch(claims: _Claims, section: Section, events: tuple[Claim, ...]) -> tuple[WatchItem, ...]:
    """Deadlines and milestones: timeline entries dated after the sources that announce them or
    falling due within the profile's look-ahead, deadline figures (years) no such entry already
    gives, and recommendations whose horizon has a due date; passed or still to come at the brief's date."""
    brief_date = claims.dossier.dossier.date
    horizon_end = _months_after(brief_date, claims.audience.look_ahead_months)
    # "No later information in the sources" speaks of the sources this brief may cite.
    dated_sources = [source.date for source in claims.dossier.sources if source.date and claims.may_cite(source)]

    def in_window(date: str) -> bool:
        """Due between the start of the brief's month (or year) and the end of the look-ahead."""
        return date_end(date) >= date_start(brief_date) and date_start(date) <= horizon_end

    found: list[tuple[str, Claim]] = []
    for claim in events:
        item = claim.item
        if not isinstance(item, Event):
            continue
        announced = claim.dated is not None and date_start(item.date) > date_end(claim.dated)
        if announced or in_window(item.date):
            found.append((item.date, claim))
    for fact in claims.dossier.facts:
        if not _has_tag(fact.tags, section.tags):
            continue
        for figure in fact.figures:
            if not (figure.deadline and is_calendar(figure)):
                continue
            year = f"{int(figure.value):04d}"
            sources = {cite.source for cite in fact.cites}
            given = any(
                date[:4] == year and sources & {cite.source.id for cite in claim.cites} for date, claim in found
            )
            claim = claims.claim(fact, with_rivals=False)
            if not given and claims.admitted(claim):
                found.append((year, claim))
    for recommendation in _recommendations(claims):
        due = recommendation.item.due if isinstance(recommendation.item, Recommendation) else None
        if due is not None and (is_passed(due, brief_date) or in_window(due)):
            found.append((due, recommendation))
    found.sort(key=lambda pair: date_start(pair[0]))
    return tuple(
        WatchItem(
            date,
            claim,
            is_passed(date, brief_date),
            any(date_end(source) > date_end(date) for source in dated_sources),
            claim.dated,
            claims.as_time_bound(claim).stale_statement,
            date_start(date) <= date_start(brief_date) <= date_end(date),
        )
        for date, claim in found
    )


def _months_after(date: str, months: int) -> tuple[int, int, int]:
    """The last day of the month ``months`` after ``date``'s month, as ``date_end`` writes days."""
    year, month, _ = date_start(date)
    total = year * 12 + (month - 1) + months
    return date_end(f"{total // 12:04d}-{total % 12 + 1:02d}")


def _recommendations(claims: _Claims) -> tuple[Claim, ...]:
    """The audience's recommendations, of its priorities and addressees, most urgent first
    (the dossier's order within one priority)."""
    audience = claims.audience
    chosen = [
        r
        for r in claims.dossier.recommendations
        if audience.id in r.audiences
        and r.priority in audience.priorities
        and (not audience.addressees or r.addressee in audience.addressees)
    ]
    chosen.sort(key=lambda r: PRIORITY_ORDER[r.priority])
    return claims.select(chosen)


def select_for_audience(dossier: Dossier, audience: Audience, original: Dossier | None = None) -> Brief:
    """The brief ``audience`` gets from ``dossier``: a pure function, no I/O.

    For an edition in another language, ``dossier`` is the translation and ``original`` the
    dossier as written: grades are computed on the original, so every edition prints the same.
    """
    claims = _Claims(dossier, audience, original)
    shared = {
        "threats": claims.select(dossier.threats),
        "divergences": claims.select(dossier.divergences),
        "recommendations": _recommendations(claims),
        "questions": claims.select(q for q in dossier.questions if audience.id in q.audiences),
        "options": claims.select(o for o in dossier.options if audience.id in o.audiences),
        "lines": claims.select(line for line in dossier.lines if audience.id in line.audiences),
    }
    rows, columns = _programme_rows(claims)
    views = [_section_view(claims, section, shared, rows) for section in audience.sections]
    shown = tuple(view for view in views if view.empty_reason is None)
    points = claims.select(claims.items[ref] for ref in audience.key_points if ref in claims.items)
    # Page 1 holds what still holds: a time-bound statement past the staleness limit stays in the body.
    key_points = tuple(point for point in points if not point.stale_statement)
    overtaken = tuple(point for point in points if point.stale_statement)
    # Judgements most confident first, any below the bar last (the dossier's order among equals).
    judgements = tuple(
        sorted(claims.select(j for j in dossier.judgements if audience.id in j.audiences), key=_judgement_rank)
    )
    assessments = tuple(
        sorted(claims.select(a for a in dossier.assessments if audience.id in a.audiences), key=_judgement_rank)
    )
    # The first section printing each claim: a later one refers to it (one text per fact).
    homes = _homes(shown)
    headlined = frozenset(
        point.id for point in key_points if point.id in homes and getattr(point.item, "headline", None)
    )
    # The body refers to a key point page 1 states in full; the rest it prints, with the as-of date
    # said once per section where its items share one.
    referred = {point.id for point in key_points if point.id not in headlined}
    shown = tuple(_date_once(view, referred) for view in shown)
    rates = _rates(dossier, audience)
    rate_claims = claims.select(rate.fact for rate in rates)
    costs = _costs(claims, shared["options"])
    parts: list[Iterable[Claim]] = [assessments, judgements, key_points, rate_claims, (c.claim for c in costs)]
    for view in shown:
        for name in KIND_CONTENT.get(view.kind) or tuple(sorted({n for c in KIND_CONTENT.values() for n in c})):
            value = getattr(view, name)
            if name == "comparisons":
                parts.extend(comparison.claims for comparison in value)
            elif name in ("programmes", "progress"):
                parts.append(row.claim for row in value if row.claim)
            elif name == "watch":
                parts.append(entry.claim for entry in value)
            else:
                parts.append(value)
    shown_claims = _all_claims(parts)
    cited = {cite.source.id for claim in shown_claims for cite in claim.cites}
    limit = audience.stale_after_months
    # A rate shown to convert amounts is not information on the topic: it does not date the brief.
    topical = {cite.source.id for claim in shown_claims if claim not in rate_claims for cite in claim.cites}
    latest = newest(source.date for source in dossier.sources if source.id in topical)
    # What the bar leaves out of what this brief would show (its sections, shown or not, its key
    # points and judgements), and the figures its notes would quote against the ones it shows.
    considered = {ref for ref in audience.key_points} | {j.id for j in dossier.judgements if audience.id in j.audiences}
    considered |= {a.id for a in dossier.assessments if audience.id in a.audiences}
    for section in audience.sections:
        chosen = [f for f in dossier.facts if f.id in section.facts] if section.facts else []
        if not section.facts:
            chosen = [f for f in dossier.facts if section.tags and _has_tag(f.tags, section.tags)]
        events = [e for e in dossier.timeline if _has_tag(e.tags, section.tags)]
        considered |= {item.id for item in _considered(claims, section, chosen, events)}
    quoting = [*shown_claims, *(c for view in shown for row in view.programmes for c in row.claims)]
    considered |= {rival for claim in quoting for rival in claim.rivals_withheld}
    shown_ids = {claim.id for claim in shown_claims}
    omissions = tuple(
        omission
        for (item_id, part), omission in claims.omitted.items()
        if (item_id in considered and part is None) or (part is not None and item_id in shown_ids)
    )
    stale_figures = any(
        is_stale(figure, dossier.dossier.date, limit) for claim in shown_claims for figure in claim.figures
    )
    return Brief(
        info=dossier.dossier,
        audience=audience,
        date=date_label(dossier.dossier.date),
        key_points=key_points,
        sections=shown,
        programmes=rows,
        threats=shared["threats"],
        divergences=shared["divergences"],
        recommendations=shared["recommendations"],
        questions=shared["questions"],
        sources=tuple(source for source in dossier.sources if source.id in cited),
        withheld=tuple(claims.withheld.values()),
        has_stale_figures=stale_figures,
        empty_sections=tuple(view for view in views if view.empty_reason is not None),
        programme_columns=columns,
        dropped=tuple(claims.dropped.values()),
        judgements=judgements,
        has_stale_statements=any(claim.stale_statement for claim in shown_claims)
        or any(entry.stale for view in shown for entry in view.watch),
        newest_source=latest,
        past_cutoff=bool(limit is not None and latest and months_between(latest, dossier.dossier.date) > limit),
        terms=tuple(dossier.terms),
        omissions=omissions,
        undated_sources=tuple(source for source in dossier.sources if source.id in cited and not source.date),
        dates_matter=limit is not None,
        assessments=assessments,
        rates=rates,
        rate_claims=rate_claims,
        costs=costs,
        overtaken=overtaken,
        homes=tuple(homes.items()),
        headlined=headlined,
        undated_grounds=_undated_grounds(claims, (*judgements, *assessments)),
    )


def _judgement_rank(claim: Claim) -> tuple[bool, int]:
    confidence = getattr(claim.item, "confidence", "moderate")
    return (claim.unconfirmed, CONFIDENCE_ORDER.get(confidence, 1))


def _undated_grounds(claims: _Claims, judgements: Iterable[Claim]) -> frozenset[str]:
    """The judgements (and assessments) citing, or resting on an item citing, an undated source."""
    found = set()
    for claim in judgements:
        sources = [cite.source for cite in claim.cites]
        for ref in getattr(claim.item, "rests_on", ()):
            item = claims.items.get(ref)
            sources.extend(claims.sources[cite.source] for cite in getattr(item, "cites", ()))
        if any(source.date is None for source in sources):
            found.add(claim.id)
    return frozenset(found)


def _printed_claims(view: SectionView) -> list[Claim]:
    """The claims a section's body prints as statements (not a programme table's merged rows; of the
    watch list, its deadlines and milestones, not the recommendations it names by their titles)."""
    if view.kind == "watch":
        return [entry.claim for entry in view.watch if not isinstance(entry.claim.item, Recommendation)]
    listed: list[Claim] = []
    for name in KIND_CONTENT.get(view.kind, ()):
        if name == "comparisons":
            listed += [claim for comparison in view.comparisons for claim in comparison.claims]
        elif name in ("facts", "threats", "divergences", "events", "recommendations"):
            listed += getattr(view, name)
    return listed


def _homes(views: Iterable[SectionView]) -> dict[str, str]:
    """For each claim the body prints, the first section that prints it."""
    homes: dict[str, str] = {}
    for view in views:
        for claim in _printed_claims(view):
            homes.setdefault(claim.id, view.id)
    return homes


def _date_once(view: SectionView, referred: set[str]) -> SectionView:
    """``view`` with the as-of date most of its printed items share said once, in its introduction:
    those items carry no tag of their own (issue 23: staleness said once).  A date shared by fewer
    than two items is left on the item.  ``referred`` are key points the body only refers to."""
    if view.kind == "watch":
        common = _most_common(Counter(entry.stated_text for entry in view.watch if entry.stated_text))
        if common is None:
            return view
        entries = tuple(
            replace(entry, stated_in_intro=True, claim=_dated_in_intro(entry.claim, common))
            if entry.stated_text == common
            else entry
            for entry in view.watch
        )
        stale = any(entry.stale for entry in entries if entry.stated_in_intro)
        return replace(view, watch=entries, as_of=common, as_of_stale=stale)
    printed = [claim for claim in _printed_claims(view) if claim.id not in referred]
    common = _most_common(Counter(claim.as_of for claim in printed if claim.as_of and claim.as_of != "undated"))
    if common is None:
        return view

    def mark(claims: tuple[Claim, ...]) -> tuple[Claim, ...]:
        return tuple(_dated_in_intro(claim, common) if claim.id not in referred else claim for claim in claims)

    stale = any(claim.stale for claim in printed if claim.as_of == common)
    return replace(
        view,
        facts=mark(view.facts),
        threats=mark(view.threats),
        divergences=mark(view.divergences),
        events=mark(view.events),
        recommendations=mark(view.recommendations) if view.kind == "recommendations" else view.recommendations,
        comparisons=tuple(replace(c, claims=mark(c.claims)) for c in view.comparisons),
        as_of=common,
        as_of_stale=stale,
    )


def _dated_in_intro(claim: Claim, date: str) -> Claim:
    return replace(claim, date_in_intro=True) if claim.as_of == date else claim


def _most_common(dates: Mapping[str, int]) -> str | None:
    """The date most items share, if at least two do (the first found among equally common ones)."""
    if not dates:
        return None
    date, count = max(dates.items(), key=lambda pair: pair[1])
    return date if count >= 2 else None


def _rates(dossier: Dossier, audience: Audience) -> tuple[Rate, ...]:
    """The rates to the profile's second currency, one per currency the dossier's amounts are in."""
    if audience.currency is None:
        return ()
    used = sorted({code for fact in dossier.facts for figure in fact.figures if (code := currency_of(figure))})
    found = (find_rate(dossier, code, audience.currency) for code in used if code != audience.currency)
    return tuple(rate for rate in found if rate is not None)


def _costs(claims: _Claims, options: Iterable[Claim]) -> tuple[OptionCost, ...]:
    """The sourced figure each option's ``cost`` names, where the profile may state its fact."""
    found = []
    for option in options:
        cost = option.item.cost if isinstance(option.item, Option) else None
        if cost is None:
            continue
        fact = claims.items[cost.fact]
        claim = claims.claim(fact, with_rivals=False)
        figure = next(f for f in claim.figures if f.measure == cost.measure)
        if claims.admitted(claim):
            found.append(OptionCost(option.id, figure, claim))
    return tuple(found)
