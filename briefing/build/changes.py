"""What has changed since an earlier edition, as one audience's brief shows it.

Pure functions of two selections (``select.Brief``) for the same audience, the earlier
edition's and the current one, and of the two dossiers they were selected from.  Only what
the brief shows or showed is listed: a reader is never told about something they did not
see and will not see.  The kinds of change, in the order a brief lists them:

- ``figure``: the current value of a measure the brief shows changed (old -> new, each with
  its as-of date and source); figures of one measure form a series and the newest is current;
- ``new`` / ``withdrawn``: a claim the brief shows now and did not show, or the reverse;
- ``revised``: a claim shown in both whose wording changed;
- ``recommendation-added``, ``recommendation-withdrawn``, ``reprioritised``;
- ``regraded``: a source the brief cites (or cited) has a new reliability grade;
- ``stale``: a figure shown in both that is now older than the audience's staleness limit.

Each change names where the current brief shows it (a section's anchor), so a reader can
follow it; ``locate`` names where the dossier defines it, for ``generate diff``.
"""

from __future__ import annotations

from collections.abc import Iterable

from briefing.build.rivals import recency
from briefing.build.sections import ALL_CONTENT, KIND_CONTENT
from briefing.build.select import select_for_audience
from briefing.dossier.dates import date_label
from briefing.dossier.schema import Dossier, Figure, Recommendation
from briefing.dossier.yamlload import DataPath, Origins
from briefing.view.changes import CHANGE_LABELS, Change, Changes, FigureValue
from briefing.view.model import Brief, Claim, Comparison, ProgrammeRow, source_names

_ORDER = {kind: position for position, kind in enumerate(CHANGE_LABELS)}
KEY_POINTS_ANCHOR = "key-points"
SOURCES_ANCHOR = "sources"
# Each claim a brief shows, by id, with the anchor of the section that shows it (``shown_claims``).
ShownClaims = dict[str, tuple[Claim, str]]


# ---------------------------------------------------------------------------
# What a brief shows
# ---------------------------------------------------------------------------


def shown_claims(brief: Brief) -> ShownClaims:
    """Every claim the brief shows (rivals quoted in its notes included), each with the anchor
    of the first section showing it, or of the key points if only they do; in reading order."""
    found: ShownClaims = {}

    def add(claims: Iterable[Claim], anchor: str) -> None:
        for claim in claims:
            for shown in (claim, *claim.disagrees_with):
                found.setdefault(shown.id, (shown, anchor))

    for view in brief.sections:
        for name in KIND_CONTENT.get(view.kind) or ALL_CONTENT:
            for entry in getattr(view, name, ()):
                if isinstance(entry, Comparison):
                    add(entry.claims, view.id)
                elif isinstance(entry, ProgrammeRow):
                    add(entry.claims, view.id)  # the facts that fill its cells, not the merged row
                elif isinstance(entry, Claim):
                    add([entry], view.id)
    add(brief.key_points, KEY_POINTS_ANCHOR)
    return found


def current_figures(claims: Iterable[Claim]) -> dict[str, list[tuple[Figure, Claim]]]:
    """For each measure the claims give, its current figures: those of the newest as-of date
    (more than one where sources disagree at that date)."""
    by_measure: dict[str, list[tuple[Figure, Claim]]] = {}
    for claim in claims:
        for figure in claim.figures:
            by_measure.setdefault(figure.measure, []).append((figure, claim))
    current = {}
    for measure, pairs in by_measure.items():
        newest = max(recency(figure) for figure, _ in pairs)
        current[measure] = [(figure, claim) for figure, claim in pairs if recency(figure) == newest]
    return current


def figure_words(figure: Figure) -> str:
    """A figure in its source's words, with its unit where the words are a bare number ("62 tanks")."""
    text = figure.text
    return text if any(ch.isalpha() for ch in text) else f"{text} {figure.unit}"


def _values(pairs: list[tuple[Figure, Claim]]) -> tuple[FigureValue, ...]:
    return tuple(
        FigureValue(
            figure_words(figure),
            date_label(figure.as_of) if figure.as_of else "undated",
            source_names([claim]),
            claim.id,
        )
        for figure, claim in pairs
    )


def measure_name(measure: str, briefs: Iterable[Brief], pairs: Iterable[tuple[Figure, Claim]]) -> str:
    """What a measure is, in the brief's words: "Battle tank: Delivered" for a programme's
    figure, else the statement of the claim that gives it."""
    for brief in briefs:
        columns = {column.field: column.label for column in brief.programme_columns}
        for row in brief.programmes:
            prefix = row.programme.id + "."
            if measure.startswith(prefix) and measure[len(prefix) :] in columns:
                return f"{row.programme.name}: {columns[measure[len(prefix) :]]}"
    return next((claim.text for _, claim in pairs), measure)


# ---------------------------------------------------------------------------
# Comparing two selections
# ---------------------------------------------------------------------------


def compare(before: Brief, after: Brief, earlier: Dossier, current: Dossier) -> tuple[Change, ...]:
    """What changed from the brief ``before`` (selected from ``earlier``) to ``after`` (from ``current``)."""
    old, new = shown_claims(before), shown_claims(after)
    figures = _figure_changes(old, new, (after, before))
    # A claim whose every figure is listed as changed is not listed again as new or revised.
    changed_measures = {change.id for change in figures}
    changes = [
        *figures,
        *_shown_claim_changes(old, new, changed_measures),
        *_dropped_claim_changes(old, new, current),
        *_regraded_sources(before, after, earlier, current),
    ]
    return tuple(sorted(changes, key=lambda change: _ORDER[change.kind]))  # stable: reading order within a kind


def _figure_changes(old: ShownClaims, new: ShownClaims, briefs: tuple[Brief, Brief]) -> list[Change]:
    """A ``figure`` change for each measure both briefs show whose current value differs; ``briefs``
    (the current first) name the measure."""
    old_current = current_figures(claim for claim, _ in old.values())
    new_current = current_figures(claim for claim, _ in new.values())
    changes: list[Change] = []
    for measure, pairs in new_current.items():
        earlier_pairs = old_current.get(measure)
        if not earlier_pairs:
            continue  # a measure the brief did not show: its claim is listed as new
        if {(f.value, f.text, f.as_of) for f, _ in pairs} == {(f.value, f.text, f.as_of) for f, _ in earlier_pairs}:
            continue
        changes.append(
            Change(
                "figure",
                measure,
                measure_name(measure, briefs, pairs),
                anchor=new[pairs[0][1].id][1],
                old=_values(earlier_pairs),
                new=_values(pairs),
                item="measure",
            )
        )
    return changes


def _covered(claim: Claim, changed_measures: set[str]) -> bool:
    """Whether a figure change already tells everything about the claim's figures."""
    return bool(claim.figures) and all(figure.measure in changed_measures for figure in claim.figures)


def _shown_claim_changes(old: ShownClaims, new: ShownClaims, changed_measures: set[str]) -> list[Change]:
    """Changes of the claims the current brief shows, in its reading order: new ones, and what
    changed in those the earlier brief showed too."""
    changes: list[Change] = []
    for claim_id, (claim, anchor) in new.items():
        if claim_id in old:
            changes += _kept_claim_changes(old[claim_id][0], claim, anchor, changed_measures)
        elif claim.kind == "recommendation":
            changes.append(Change("recommendation-added", claim_id, claim.text, anchor, item=claim.kind))
        elif not _covered(claim, changed_measures):
            changes.append(Change("new", claim_id, claim.text, anchor, item=claim.kind))
    return changes


def _kept_claim_changes(earlier_claim: Claim, claim: Claim, anchor: str, changed_measures: set[str]) -> list[Change]:
    """What changed in a claim both briefs show: its priority, its wording, whether it is out of date."""
    changes: list[Change] = []
    was, now = earlier_claim.item, claim.item
    if isinstance(was, Recommendation) and isinstance(now, Recommendation) and was.priority != now.priority:
        changes.append(
            Change("reprioritised", claim.id, claim.text, anchor, was.priority, now.priority, item=claim.kind)
        )
    if earlier_claim.text != claim.text and not _covered(claim, changed_measures):
        changes.append(Change("revised", claim.id, claim.text, anchor, item=claim.kind))
    if claim.stale and not earlier_claim.stale:
        changes.append(Change("stale", claim.id, claim.text, anchor, after=claim.as_of, item=claim.kind))
    return changes


def _dropped_claim_changes(old: ShownClaims, new: ShownClaims, current: Dossier) -> list[Change]:
    """Changes of the claims the earlier brief showed and the current one does not: withdrawn, or,
    for a recommendation still in the dossier with another priority, re-prioritised out of the brief."""
    current_items = {item.id: item for item in current.recommendations}
    changes: list[Change] = []
    for claim_id, (claim, _) in old.items():
        if claim_id in new:
            continue
        if claim.kind != "recommendation":
            changes.append(Change("withdrawn", claim_id, claim.text, item=claim.kind))
            continue
        listed, now_listed = claim.item, current_items.get(claim_id)
        if isinstance(listed, Recommendation) and now_listed is not None and listed.priority != now_listed.priority:
            # Re-prioritised out of the priorities this audience is given.
            changes.append(
                Change(
                    "reprioritised", claim_id, claim.text, None, listed.priority, now_listed.priority, item=claim.kind
                )
            )
        else:
            changes.append(Change("recommendation-withdrawn", claim_id, claim.text, item=claim.kind))
    return changes


def _regraded_sources(before: Brief, after: Brief, earlier: Dossier, current: Dossier) -> list[Change]:
    """A ``regraded`` change for each source the brief cites or cited whose grade changed; one no
    longer cited has no anchor."""
    earlier_sources = {source.id: source for source in earlier.sources}
    current_sources = {source.id: source for source in current.sources}
    cited_now = {source.id for source in after.sources}
    changes: list[Change] = []
    for source_id in dict.fromkeys([*(s.id for s in before.sources), *cited_now]):
        was_source, now_source = earlier_sources.get(source_id), current_sources.get(source_id)
        if was_source and now_source and was_source.reliability != now_source.reliability:
            changes.append(
                Change(
                    "regraded",
                    source_id,
                    now_source.series or now_source.title,
                    SOURCES_ANCHOR if source_id in cited_now else None,
                    was_source.reliability,
                    now_source.reliability,
                    item="source",
                )
            )
    return changes


def audience_changes(earlier: Dossier, earlier_edition: str, current: Dossier, brief: Brief) -> Changes | None:
    """What changed in ``brief`` (the current selection for its audience) since the earlier
    dossier, or None if the earlier edition had no brief for this audience or the profile
    omits the section.  ``earlier_edition`` is the earlier edition's name."""
    if not brief.audience.show_changes:
        return None
    audience = next((a for a in earlier.audiences if a.id == brief.audience.id), None)
    if audience is None:
        return None  # nobody received this audience's brief of that edition
    before = select_for_audience(earlier, audience)
    return Changes(earlier_edition, date_label(earlier.dossier.date), compare(before, brief, earlier, current))


# ---------------------------------------------------------------------------
# Where a change is written in the dossier (for ``generate diff``)
# ---------------------------------------------------------------------------

_COLLECTIONS = {
    "fact": "facts",
    "threatperception": "threats",
    "divergence": "divergences",
    "recommendation": "recommendations",
    "event": "timeline",
    "question": "questions",
    "source": "sources",
}


def _path(dossier: Dossier, change: Change, fact_id: str | None = None) -> DataPath | None:
    """The data path of what ``change`` is about in ``dossier``, or None if it is not there."""
    if change.item == "measure":
        for index, fact in enumerate(dossier.facts):
            if fact.id != fact_id:
                continue
            for figure_index, figure in enumerate(fact.figures):
                if figure.measure == change.id:
                    return ("facts", index, "figures", figure_index)
        return None
    collection = _COLLECTIONS.get(change.item)
    items = getattr(dossier, collection, None) if collection else None
    for index, item in enumerate(items or ()):
        if getattr(item, "id", None) == change.id:
            return (collection, index) if collection else None
    return None


def locate(change: Change, current: Dossier, origins: Origins, earlier: Dossier, earlier_origins: Origins) -> str:
    """``file:line`` of what the change is about: in the current dossier, or for something
    withdrawn, in the earlier edition's snapshot."""
    fact = change.new[0].fact if change.new else None
    path = _path(current, change, fact)
    if path is not None:
        file, line, _ = origins.locate(path)
        return f"{file}:{line}"
    path = _path(earlier, change, change.old[0].fact if change.old else None)
    if path is not None:
        file, line, _ = earlier_origins.locate(path)
        return f"{file}:{line}"
    return "-"


# ---------------------------------------------------------------------------
# The analyst's view: every audience, with locations (``generate diff``)
# ---------------------------------------------------------------------------


def _describe(change: Change) -> str:
    """One change as a line of ``generate diff``, after its location."""
    label = change.label.lower()
    if change.kind == "figure":

        def listed(values: tuple[FigureValue, ...]) -> str:
            return " / ".join(f"{v.text} (as of {v.as_of}; {v.source}) [{v.fact}]" for v in values)

        return f"{label}: {change.text} ({change.id}): was {listed(change.old)}, now {listed(change.new)}"
    detail = ""
    if change.kind == "reprioritised":
        detail = f": {change.direction} from {change.before} to {change.after}"
        detail += "" if change.anchor else " (no longer in this brief)"
    elif change.kind == "regraded":
        detail = f": {change.direction} from grade {change.before} to {change.after}"
    elif change.kind == "stale" and change.after:
        detail = f": as of {change.after}"
    return f"{label}: {change.id}{detail} — {change.text}"


def diff_document(
    current: Dossier, origins: Origins, earlier: Dossier, earlier_origins: Origins, earlier_edition: str
) -> dict[str, object]:
    """Every audience's changes since the earlier edition, each with ``file:line``, as plain data.
    The audience's ``show_changes`` is ignored: the analyst sees what every brief would list."""
    audiences: dict[str, object] = {}
    for audience in current.audiences:
        before = next((a for a in earlier.audiences if a.id == audience.id), None)
        if before is None:
            audiences[audience.id] = {"new_audience": True, "changes": []}
            continue
        found = compare(select_for_audience(earlier, before), select_for_audience(current, audience), earlier, current)
        audiences[audience.id] = {
            "new_audience": False,
            "changes": [
                {
                    "kind": change.kind,
                    "label": change.label,
                    "id": change.id,
                    "item": change.item,
                    "text": change.text,
                    "location": locate(change, current, origins, earlier, earlier_origins),
                    "anchor": change.anchor,
                    "before": change.before,
                    "after": change.after,
                    "old": [vars(value) for value in change.old],
                    "new": [vars(value) for value in change.new],
                    "line": _describe(change),
                }
                for change in found
            ],
        }
    return {
        "since": {"edition": earlier_edition, "date": earlier.dossier.date},
        "current": {"edition": current.dossier.edition, "date": current.dossier.date},
        "audiences": audiences,
        "dropped_audiences": [a.id for a in earlier.audiences if a.id not in {b.id for b in current.audiences}],
    }


def diff_text(document: dict[str, object]) -> str:
    """``diff_document`` as lines for a terminal."""
    since = document["since"]
    current = document["current"]
    assert isinstance(since, dict) and isinstance(current, dict)
    audiences = document["audiences"]
    assert isinstance(audiences, dict)
    lines = [
        f"Changes since edition {since['edition']} ({date_label(since['date'])}), "
        f"in edition {current['edition']} ({date_label(current['date'])}):"
    ]
    total = 0
    for audience, entry in audiences.items():
        if entry["new_audience"]:
            lines.append(f"{audience}: a new audience (no brief in edition {since['edition']})")
            continue
        changes = entry["changes"]
        total += len(changes)
        lines.append(f"{audience}: {len(changes) or 'no'} change{'' if len(changes) == 1 else 's'}")
        lines += [f"  {change['location']}: {change['line']}" for change in changes]
    dropped = document["dropped_audiences"]
    assert isinstance(dropped, list)
    lines += [f"{audience}: no longer an audience (it was in edition {since['edition']})" for audience in dropped]
    lines.append(f"{total} change{'' if total == 1 else 's'} in all")
    return "\n".join(lines)
