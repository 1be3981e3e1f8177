"""Stage 3: choose what one audience's brief says.

A pure function of the dossier and an audience profile.  It decides which
claims each section carries, applies the profile's source-grade policy and its
way of showing disagreements, and returns plain view objects for templates
(``briefing/view/model.py``).  It adds no text of its own: every sentence a brief states
comes from the data.

Its parts: ``grade`` (one grade per claim), ``claims`` (each item as this audience's brief may
state it, and what the bar leaves out), ``rivals`` (figures that disagree) and ``sections``
(the section kinds, each a unit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from briefing.build.claims import AudienceClaims
from briefing.build.sections import (
    ALL_CONTENT,
    KIND_CONTENT,
    all_claims,
    audience_recommendations,
    programme_rows,
    section_view,
)
from briefing.build.sections import considered as section_considered
from briefing.dossier.dates import (
    date_label,
    is_stale,
    months_between,
    newest,
)
from briefing.dossier.money import Rate, currency_of, find_rate
from briefing.dossier.schema import (
    Assessment,
    Audience,
    Dossier,
    Judgement,
    Option,
    Recommendation,
)
from briefing.view.model import (
    Brief,
    Claim,
    Omission,
    OptionCost,
    SectionView,
)

# The unit's assessments lead the bottom line most confident first (ICD 203: confidence apart from likelihood).
CONFIDENCE_ORDER = {"high": 0, "moderate": 1, "low": 2}


def select_for_audience(dossier: Dossier, audience: Audience, original: Dossier | None = None) -> Brief:
    """The brief ``audience`` gets from ``dossier``: a pure function, no I/O.

    For an edition in another language, ``dossier`` is the translation and ``original`` the
    dossier as written: grades are computed on the original, so every edition prints the same.
    """
    claims = AudienceClaims(dossier, audience, original)
    shared = _shared(claims)
    rows, columns = programme_rows(claims)
    views = [section_view(claims, section, shared, rows) for section in audience.sections]
    shown = tuple(view for view in views if view.empty_reason is None)
    points = claims.select(claims.items[ref] for ref in audience.key_points if ref in claims.items)
    # Page 1 holds what still holds: a time-bound statement past the staleness limit stays in the body.
    key_points = tuple(point for point in points if not point.stale_statement)
    overtaken = tuple(point for point in points if point.stale_statement)
    judgements = _ranked(claims, dossier.judgements)
    assessments = _ranked(claims, dossier.assessments)
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
    page_one = [assessments, judgements, key_points, rate_claims, (c.claim for c in costs)]
    shown_claims = all_claims([*page_one, *(part for view in shown for part in _claims_drawn(view))])
    cited = {cite.source.id for claim in shown_claims for cite in claim.cites}
    limit = audience.stale_after_months
    # A rate shown to convert amounts is not information on the topic: it does not date the brief.
    topical = {cite.source.id for claim in shown_claims if claim not in rate_claims for cite in claim.cites}
    latest = newest(source.date for source in dossier.sources if source.id in topical)
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
        has_stale_figures=any(
            is_stale(figure, dossier.dossier.date, limit) for claim in shown_claims for figure in claim.figures
        ),
        empty_sections=tuple(view for view in views if view.empty_reason is not None),
        programme_columns=columns,
        dropped=tuple(claims.dropped.values()),
        judgements=judgements,
        has_stale_statements=any(claim.stale_statement for claim in shown_claims)
        or any(entry.stale for view in shown for entry in view.watch),
        newest_source=latest,
        past_cutoff=bool(limit is not None and latest and months_between(latest, dossier.dossier.date) > limit),
        terms=tuple(dossier.terms),
        omissions=_omissions(claims, shown, shown_claims),
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


def _shared(claims: AudienceClaims) -> dict[str, tuple[Claim, ...]]:
    """The lists several sections draw from, each selected once for the audience."""
    dossier, audience = claims.dossier, claims.audience
    return {
        "threats": claims.select(dossier.threats),
        "divergences": claims.select(dossier.divergences),
        "recommendations": audience_recommendations(claims),
        "questions": claims.select(q for q in dossier.questions if audience.id in q.audiences),
        "options": claims.select(o for o in dossier.options if audience.id in o.audiences),
        "lines": claims.select(line for line in dossier.lines if audience.id in line.audiences),
    }


def _ranked(claims: AudienceClaims, items: Iterable[Judgement | Assessment]) -> tuple[Claim, ...]:
    """The audience's judgements (or assessments), most confident first, any below the bar last
    (the dossier's order among equals)."""
    mine = claims.select(item for item in items if claims.audience.id in item.audiences)
    return tuple(sorted(mine, key=_judgement_rank))


def _claims_drawn(view: SectionView) -> list[Iterable[Claim]]:
    """Every claim a shown section draws, by what its kind draws (all of it for a kind of one's own)."""
    parts: list[Iterable[Claim]] = []
    for name in KIND_CONTENT.get(view.kind) or ALL_CONTENT:
        value = getattr(view, name)
        if name == "comparisons":
            parts.extend(comparison.claims for comparison in value)
        elif name in ("programmes", "progress"):
            parts.append(row.claim for row in value if row.claim)
        elif name == "watch":
            parts.append(entry.claim for entry in value)
        else:
            parts.append(value)
    return parts


def _omissions(
    claims: AudienceClaims, shown: Sequence[SectionView], shown_claims: Sequence[Claim]
) -> tuple[Omission, ...]:
    """What the bar leaves out of what this brief would show (its sections, shown or not, its key
    points and judgements), and the figures its notes would quote against the ones it shows."""
    dossier, audience = claims.dossier, claims.audience
    considered = {ref for ref in audience.key_points} | {j.id for j in dossier.judgements if audience.id in j.audiences}
    considered |= {a.id for a in dossier.assessments if audience.id in a.audiences}
    for section in audience.sections:
        considered |= {item.id for item in section_considered(claims, section)}
    quoting = [*shown_claims, *(c for view in shown for row in view.programmes for c in row.claims)]
    considered |= {rival for claim in quoting for rival in claim.rivals_withheld}
    shown_ids = {claim.id for claim in shown_claims}
    return tuple(
        omission
        for (item_id, part), omission in claims.omitted.items()
        if (item_id in considered and part is None) or (part is not None and item_id in shown_ids)
    )


def _judgement_rank(claim: Claim) -> tuple[bool, int]:
    confidence = getattr(claim.item, "confidence", "moderate")
    return (claim.unconfirmed, CONFIDENCE_ORDER.get(confidence, 1))


def _undated_grounds(claims: AudienceClaims, judgements: Iterable[Claim]) -> frozenset[str]:
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


def _costs(claims: AudienceClaims, options: Iterable[Claim]) -> tuple[OptionCost, ...]:
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
