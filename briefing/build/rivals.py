"""Facts that disagree: figures of one measure, at one time, that sources give differently."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from briefing.dossier.schema import (
    Fact,
    Figure,
)


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
