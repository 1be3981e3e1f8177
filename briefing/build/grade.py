"""One grade per claim: how far a claim may be trusted in one audience's brief.

``grade_claim`` is computed once per claim, from the dossier as written, and every place, edition
and format of the brief prints its result (issue 22)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from briefing.dossier.hedges import MIN_SUPPORT, Weights, claim_text, support
from briefing.dossier.schema import (
    Assessment,
    Audience,
    Divergence,
    Fact,
    LineToTake,
    Option,
)
from briefing.view.model import (
    Item,
    item_text,
)


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
        return (item_text(item),)  # the unit's own words: graded by what they rest on, never by a quote
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
