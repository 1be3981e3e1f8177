"""Claims for one audience: each item of the dossier as a brief may state it.

``AudienceClaims`` applies the audience's reliability bar and way of showing disagreements, and
remembers what it left out so the brief can say how many."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from briefing.build.grade import Grade, grade_claim
from briefing.build.rivals import RivalIndex
from briefing.dossier.dates import (
    is_stale,
    months_between,
    newest,
)
from briefing.dossier.hedges import weights_for
from briefing.dossier.schema import (
    Audience,
    Citation,
    Divergence,
    Dossier,
    Fact,
    Judgement,
    Recommendation,
    Source,
)
from briefing.view.model import (
    Cite,
    Claim,
    Dropped,
    Grounded,
    Item,
    Omission,
    item_text,
)


class AudienceClaims:
    """Builds claims for one audience, applying its grade and disagreement policies.

    ``original`` is the dossier as written when ``dossier`` is a translation of it: claims are
    graded on the original's words (``grade_claim``), so every edition prints the same grades.
    """

    def __init__(self, dossier: Dossier, audience: Audience, original: Dossier | None = None) -> None:
        self.dossier = dossier
        self.audience = audience
        self.sources = {source.id: source for source in dossier.sources}
        self.items = items_by_id(dossier)
        graded_from = original or dossier
        self._graded_items = items_by_id(graded_from)
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
            text=item_text(item),
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


def items_by_id(dossier: Dossier) -> dict[str, Item]:
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
