"""Section kinds: what each kind of section draws, what it would show, and why it is empty."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from briefing.build.claims import AudienceClaims
from briefing.build.rivals import recency
from briefing.dossier.dates import (
    date_end,
    date_start,
    is_calendar,
    is_passed,
)
from briefing.dossier.schema import (
    Audience,
    Divergence,
    Dossier,
    Event,
    Fact,
    Figure,
    LineToTake,
    Option,
    Programme,
    ProgrammeTable,
    Question,
    Recommendation,
    Section,
    ThreatPerception,
)
from briefing.view.model import (
    Claim,
    Column,
    Comparison,
    Item,
    ProgrammeRow,
    ProgressBar,
    SectionView,
    WatchItem,
)

# Recommendations are listed most urgent first.
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def has_tag(tags: Iterable[str], wanted: Sequence[str]) -> bool:
    return not wanted or any(tag in wanted for tag in tags)


def _comparisons(claims: AudienceClaims, measures: Sequence[str]) -> tuple[Comparison, ...]:
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


def programme_rows(claims: AudienceClaims) -> tuple[tuple[ProgrammeRow, ...], tuple[Column, ...]]:
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


@dataclass(frozen=True)
class SectionInput:
    """What one section of a profile starts from, before its kind draws anything."""

    claims: AudienceClaims
    section: Section
    # The facts the section names, else those with one of its tags.
    chosen: tuple[Fact, ...]
    # The timeline entries with one of its tags (all of them if it has none).
    events: tuple[Event, ...]

    @property
    def dossier(self) -> Dossier:
        return self.claims.dossier

    @property
    def audience(self) -> Audience:
        return self.claims.audience

    @property
    def tags(self) -> str:
        return ", ".join(self.section.tags)


@dataclass(frozen=True)
class SectionKind:
    """A shipped kind of section (``templates/sections/<kind>.html`` draws it).

    ``content`` names the ``SectionView`` attributes it draws: a section whose content is empty
    for an audience is left out of its brief, and ``generate check`` says why (``why_empty``).
    ``considered`` is everything it would show if the profile had no reliability bar, so the
    brief can say how many items the bar left out.
    """

    content: tuple[str, ...]
    considered: Callable[[SectionInput], list[Item]]
    why_empty: Callable[[SectionInput], str]


def _facts_considered(given: SectionInput) -> list[Item]:
    return list(given.chosen)


def _facts_empty(given: SectionInput) -> str:
    if given.chosen:
        return given.claims.why_empty(given.chosen, "fact", "facts")
    return f"no fact has its tags ({given.tags or 'none'})"


def _comparison_considered(given: SectionInput) -> list[Item]:
    measures = given.section.measures
    measured: list[Item] = [f for f in given.dossier.facts if any(fig.measure in measures for fig in f.figures)]
    return measured + [f for f in given.chosen if f not in measured]


def _comparison_empty(given: SectionInput) -> str:
    candidates = _comparison_considered(given)
    return given.claims.why_empty(candidates, "claim", "claims") if candidates else "it names no measure and no facts"


def _timeline_considered(given: SectionInput) -> list[Item]:
    return list(given.events)


def _timeline_empty(given: SectionInput) -> str:
    if given.events:
        return given.claims.why_empty(given.events, "event", "events")
    return f"no event has its tags ({given.tags})"


def _watch_considered(given: SectionInput) -> list[Item]:
    deadlines = [
        f
        for f in given.dossier.facts
        if has_tag(f.tags, given.section.tags) and any(fig.deadline and is_calendar(fig) for fig in f.figures)
    ]
    return [*given.events, *deadlines]


def _watch_empty(given: SectionInput) -> str:
    among = f" among those with its tags ({given.tags})" if given.tags else ""
    return "no event or deadline figure is dated after the sources that state it" + among


def _listed_kind(kind: str, singular: str) -> SectionKind:
    """Threat perceptions or divergences: the dossier's items with one of the section's tags."""

    def listed(given: SectionInput) -> list[ThreatPerception | Divergence]:
        items: Sequence[ThreatPerception | Divergence] = (
            given.dossier.threats if kind == "threats" else given.dossier.divergences
        )
        return [item for item in items if has_tag(item.tags, given.section.tags)]

    def considered(given: SectionInput) -> list[Item]:
        return list(listed(given))

    def why_empty(given: SectionInput) -> str:
        tagged = listed(given)
        if tagged:
            return given.claims.why_empty(tagged, singular, singular + "s")
        return f"no {singular} has its tags ({given.tags})" if given.section.tags else f"the dossier has no {singular}s"

    return SectionKind((kind,), considered, why_empty)


def recommendations_for(dossier: Dossier, audience: Audience) -> list[Recommendation]:
    """The recommendations ``audience`` is given: naming it, of its priorities and addressees."""
    return [
        r
        for r in dossier.recommendations
        if audience.id in r.audiences
        and r.priority in audience.priorities
        and (not audience.addressees or r.addressee in audience.addressees)
    ]


def _recommendations_considered(given: SectionInput) -> list[Item]:
    return list(recommendations_for(given.dossier, given.audience))


def _recommendations_empty(given: SectionInput) -> str:
    audience = given.audience
    recs = [r for r in given.dossier.recommendations if audience.id in r.audiences]
    pool = [r for r in recs if r.priority in audience.priorities]
    if pool:
        return given.claims.why_empty(pool, "recommendation", "recommendations")
    if recs:
        return f"no recommendation for {audience.id} has one of its priorities ({', '.join(audience.priorities)})"
    return f"no recommendation names {audience.id} among its audiences"


def _addressed_kind(kind: str, singular: str, plural: str) -> SectionKind:
    """Questions, options or lines to take: the dossier's items that name the audience."""

    def addressed(given: SectionInput) -> list[Question | Option | LineToTake]:
        dossier = given.dossier
        items: Sequence[Question | Option | LineToTake] = dossier.questions
        if kind == "options":
            items = dossier.options
        elif kind == "lines":
            items = dossier.lines
        return [item for item in items if given.audience.id in item.audiences]

    def considered(given: SectionInput) -> list[Item]:
        return list(addressed(given))

    def why_empty(given: SectionInput) -> str:
        mine = addressed(given)
        if mine:
            return given.claims.why_empty(mine, singular, plural)
        return f"no {singular} names {given.audience.id} among its audiences"

    return SectionKind((kind,), considered, why_empty)


def _table_kind(kind: str) -> SectionKind:
    """The programmes table, or the progress chart drawn from two of its columns."""

    def considered(given: SectionInput) -> list[Item]:
        dossier = given.dossier
        table = dossier.dossier.programme_table
        if table is None:
            return []
        fields = [c.field for c in table.columns]
        if kind == "deliveries":
            fields = [table.progress.done, table.progress.total] if table.progress else []
        measures = {f"{programme.id}.{name}" for programme in dossier.programmes for name in fields}
        return [f for f in dossier.facts if any(fig.measure in measures for fig in f.figures)]

    def why_empty(given: SectionInput) -> str:
        dossier, audience = given.dossier, given.audience
        table = dossier.dossier.programme_table
        if table is None:
            return "the dossier declares no programme_table (in dossier.yaml)"
        if not dossier.programmes:
            return "the dossier has no programmes"
        if kind == "programmes":
            return f"no programme figure is at or above {audience.id}'s bar {audience.min_reliability}"
        if table.progress is None:
            return "the dossier declares no progress chart (programme_table.progress in dossier.yaml)"
        spec = table.progress
        return f"no programme has both '{spec.done}' and '{spec.total}' figures that can be drawn"

    return SectionKind(("programmes",) if kind == "programmes" else ("progress",), considered, why_empty)


# The shipped section kinds.  A kind not listed here (a template of one's own) is always printed,
# and may draw any attribute of ``SectionView``.
SECTION_KINDS: dict[str, SectionKind] = {
    "facts": SectionKind(("facts",), _facts_considered, _facts_empty),
    "comparison": SectionKind(("comparisons", "facts"), _comparison_considered, _comparison_empty),
    "timeline": SectionKind(("events",), _timeline_considered, _timeline_empty),
    "threats": _listed_kind("threats", "threat perception"),
    "divergences": _listed_kind("divergences", "divergence"),
    "recommendations": SectionKind(("recommendations",), _recommendations_considered, _recommendations_empty),
    "questions": _addressed_kind("questions", "question", "questions"),
    "programmes": _table_kind("programmes"),
    "deliveries": _table_kind("deliveries"),
    "watch": SectionKind(("watch",), _watch_considered, _watch_empty),
    "options": _addressed_kind("options", "option", "options"),
    "lines": _addressed_kind("lines", "line to take", "lines to take"),
}
# What each shipped kind draws (attributes of ``SectionView``), by kind.
KIND_CONTENT: dict[str, tuple[str, ...]] = {name: kind.content for name, kind in SECTION_KINDS.items()}
# What a kind of one's own may draw: every attribute a shipped kind draws.
ALL_CONTENT: tuple[str, ...] = tuple(sorted({name for names in KIND_CONTENT.values() for name in names}))


def _tagged(claims: Iterable[Claim], tags: Sequence[str]) -> tuple[Claim, ...]:
    return tuple(claim for claim in claims if has_tag(getattr(claim.item, "tags", ()), tags))


def section_input(claims: AudienceClaims, section: Section) -> SectionInput:
    """The facts and timeline entries one section of the profile starts from."""
    dossier = claims.dossier
    if section.facts:
        chosen = tuple(f for f in (claims.items[ref] for ref in section.facts) if isinstance(f, Fact))
    else:
        chosen = tuple(f for f in dossier.facts if section.tags and has_tag(f.tags, section.tags))
    events = tuple(e for e in dossier.timeline if has_tag(e.tags, section.tags))
    return SectionInput(claims, section, chosen, events)


def considered(claims: AudienceClaims, section: Section) -> list[Item]:
    """Everything ``section`` would show if the profile had no reliability bar (nothing for a kind
    of one's own, which counts nothing as left out)."""
    kind = SECTION_KINDS.get(section.kind)
    return kind.considered(section_input(claims, section)) if kind else []


def section_view(
    claims: AudienceClaims,
    section: Section,
    shared: dict[str, tuple[Claim, ...]],
    rows: tuple[ProgrammeRow, ...],
) -> SectionView:
    """One section of the profile as its template draws it, or with the reason it has nothing to show."""
    given = section_input(claims, section)
    chosen, events = given.chosen, given.events
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
    kind = SECTION_KINDS.get(section.kind)
    if kind is None:
        return view  # a template of one's own: always printed, nothing counted as left out
    parts_of = view.divergences if section.kind == "divergences" else ()
    view = replace(view, omitted=claims.left_out(kind.considered(given), parts_of))
    if any(getattr(view, name) for name in kind.content):
        return view
    return replace(view, empty_reason=kind.why_empty(given))


def all_claims(brief_parts: Iterable[Iterable[Claim]]) -> list[Claim]:
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


def _watch(claims: AudienceClaims, section: Section, events: tuple[Claim, ...]) -> tuple[WatchItem, ...]:
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
        if not has_tag(fact.tags, section.tags):
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
    for recommendation in audience_recommendations(claims):
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


def audience_recommendations(claims: AudienceClaims) -> tuple[Claim, ...]:
    """The audience's recommendations, of its priorities and addressees, most urgent first
    (the dossier's order within one priority)."""
    chosen = sorted(recommendations_for(claims.dossier, claims.audience), key=lambda r: PRIORITY_ORDER[r.priority])
    return claims.select(chosen)
