"""What has changed since an earlier edition, as a brief prints it (``build/changes.py`` finds it)."""

from __future__ import annotations

from dataclasses import dataclass

# The words a brief prints before each change (a profile may override each with a label
# ``change-<kind>``), in the order changes are listed.
CHANGE_LABELS: dict[str, str] = {
    "figure": "Figure changed",
    "new": "New",
    "revised": "Revised",
    "withdrawn": "Withdrawn",
    "recommendation-added": "New recommendation",
    "reprioritised": "Priority changed",
    "recommendation-withdrawn": "Recommendation withdrawn",
    "regraded": "Source re-graded",
    "stale": "Now out of date",
}


@dataclass(frozen=True)
class FigureValue:
    """One figure as a change shows it: the source's words, when it was true, who states it."""

    text: str
    as_of: str  # as printed: "October 2024", or "undated"
    source: str
    fact: str  # the id of the fact that states it


@dataclass(frozen=True)
class Change:
    """One thing that changed, as a brief lists it."""

    kind: str  # a key of CHANGE_LABELS
    id: str  # the item's id; for a figure the measure, for a re-grading the source
    text: str  # what the item says, as the brief prints it (a figure: what it measures)
    # The id of the place in the current brief that shows it; None when it is no longer shown.
    anchor: str | None = None
    before: str | None = None  # a priority or grade before the change
    after: str | None = None  # ... and after it (for "stale", the figure's as-of date)
    old: tuple[FigureValue, ...] = ()  # a figure's current value(s) in the earlier edition
    new: tuple[FigureValue, ...] = ()  # ... and now
    item: str = "fact"  # what kind of item ``id`` names: fact, recommendation, source, measure, ...

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.kind]

    @property
    def direction(self) -> str | None:
        """For a priority or a grade: "raised" or "lowered" (a grade's letter falls as it rises)."""
        ranks = {"high": 0, "medium": 1, "low": 2}
        if self.before is None or self.after is None or self.kind not in ("reprioritised", "regraded"):
            return None
        before, after = (ranks.get(self.before, 9), ranks.get(self.after, 9))
        if self.kind == "regraded":
            before, after = ord(self.before[:1]), ord(self.after[:1])
        return "raised" if after < before else "lowered"


@dataclass(frozen=True)
class Changes:
    """What has changed in one audience's brief since an earlier edition."""

    edition: str  # the earlier edition, as dossier.yaml named it
    date: str  # its date, as printed
    items: tuple[Change, ...]
