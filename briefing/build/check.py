"""`generate check`: what an analyst should know about a dossier before a brief goes out.

Errors (invalid data) stop every build.  Warnings (stale figures, characters no font
of the templates can draw, hedges the dossier's words drop, citations that do not support
their claim) do not, unless ``--strict``.  Notes say what the sources disagree on and which claims each
audience's brief leaves out or marks as unconfirmed because of its source grade.
Everything here is computed from the loaded dossier; only ``run_check`` reads files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from briefing.build.changes import shown_claims
from briefing.build.load import load
from briefing.build.select import select_for_audience
from briefing.dossier import hedges
from briefing.dossier.analysis import unjudged_names_note
from briefing.dossier.dates import date_label, is_calendar, is_stale, months_between, newest
from briefing.dossier.schema import Dossier, Fact
from briefing.dossier.verify import unverifiable_sources
from briefing.dossier.yamlload import DataPath, Origins
from briefing.errors import DossierError, Problem
from briefing.formats.glyphs import missing_glyphs
from briefing.formats.render_html import TemplateSet
from briefing.view.model import Brief, Claim


@dataclass(frozen=True)
class ConflictSide:
    fact: str
    statement: str
    figures: list[str]
    source: str
    grade: str
    location: str


@dataclass(frozen=True)
class Conflict:
    """Claims that disagree: about the same measured quantity, or declared in conflicts_with."""

    about: str
    sides: list[ConflictSide]


@dataclass(frozen=True)
class GradingNote:
    audience: str
    action: str  # "omitted …", "marked unconfirmed …" or "dropped (…)"
    claim: str
    grade: str
    minimum: str
    # Where the item is written: "data/facts.yaml:1384".
    location: str = ""


@dataclass
class CheckReport:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    grading: list[GradingNote] = field(default_factory=list)
    # Sources declared without a file (file: null): (source id, quotes citing it, reason).
    # Their quotes cannot be verified; the summary counts them so nobody takes them as checked.
    unverifiable: list[tuple[str, int, str]] = field(default_factory=list)
    # What a check could not judge (a claim and its quote in two languages, no translation):
    # said, so that silence is never taken for a pass.
    notes: list[str] = field(default_factory=list)

    def exit_code(self, strict: bool) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def as_json(self) -> dict[str, Any]:
        # Complete up to a limit no real dossier reaches; past it, the first ones and how many
        # there were (a hostile dossier could otherwise make hundreds of megabytes of JSON).
        report: dict[str, Any] = {
            "errors": [asdict(p) | {"text": str(p)} for p in self.errors[:JSON_SHOWN]],
            "warnings": [asdict(p) | {"text": str(p)} for p in self.warnings[:JSON_SHOWN]],
            "conflicts": [asdict(c) for c in self.conflicts[:JSON_SHOWN]],
            "grading": [asdict(g) for g in self.grading[:JSON_SHOWN]],
            "unverifiable": [{"source": s, "quotes": n, "reason": r} for s, n, r in self.unverifiable],
            "notes": list(self.notes),
        }
        counts: dict[str, list[Any]] = {
            "errors": self.errors,
            "warnings": self.warnings,
            "conflicts": self.conflicts,
            "grading": self.grading,
        }
        left_out = {name: len(items) for name, items in counts.items() if len(items) > JSON_SHOWN}
        if left_out:
            report["totals"] = left_out  # each list above holds only its first JSON_SHOWN
        return report

    def as_text(self) -> str:
        lines: list[str] = []
        lines += _first(self.errors, "error", lambda problem: [f"error: {problem}"])
        lines += _first(self.warnings, "warning", lambda problem: [f"warning: {problem}"])
        lines += _first(self.conflicts, "disagreement", _conflict_lines)
        lines += _first(self.grading, "grading note", _grading_lines)
        for source, quotes, reason in self.unverifiable:
            lines.append(f"unverifiable: {quotes} quote(s) from {source}, which has no file ({reason})")
        lines += [f"note: {note}" for note in self.notes]
        summary = (
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{len(self.conflicts)} disagreement(s) between sources, {len(self.grading)} grading note(s)"
        )
        if self.unverifiable:
            summary += f", {sum(n for _, n, _ in self.unverifiable)} unverifiable quote(s) (sources without a file)"
        return "\n".join([*lines, summary])


# The text report shows this many errors, warnings, disagreements (and sides of one), and claims
# of a grading line; the JSON report this many of each list.  Past them it says how many more.
TEXT_SHOWN = 100
JSON_SHOWN = 10_000


def _first(items: list[Any], kind: str, lines_of: Callable[[Any], list[str]]) -> list[str]:
    lines = [line for item in items[:TEXT_SHOWN] for line in lines_of(item)]
    if len(items) > TEXT_SHOWN:
        more = len(items) - TEXT_SHOWN
        lines.append(f"… and {more} more {kind}{'s' if more != 1 else ''} (all of them: generate check --format json)")
    return lines


def _grading_lines(note: GradingNote) -> list[str]:
    where = f"{note.location}: " if note.location else ""
    return [f"grading ({note.audience}, bar {note.minimum}): {where}{note.claim} ({note.grade}) {note.action}"]


def _conflict_lines(conflict: Conflict) -> list[str]:
    lines = [f"disagreement: {conflict.about}"]
    for side in conflict.sides[:TEXT_SHOWN]:
        figures = f" [{', '.join(side.figures)}]" if side.figures else ""
        lines.append(f"    {side.location}: {side.fact}{figures} — {side.source}, grade {side.grade}")
    if len(conflict.sides) > TEXT_SHOWN:
        lines.append(f"    … and {len(conflict.sides) - TEXT_SHOWN} more sources' values")
    return lines


def run_check(data_dir: Path, templates: TemplateSet) -> CheckReport:
    """Load and validate ``data_dir`` and analyse it; never raises for bad data."""
    try:
        loaded = load(data_dir, templates)
    except DossierError as error:
        return CheckReport(errors=error.problems)
    try:
        translations = loaded.translations
    except DossierError as error:  # a translation file that cannot be used
        translations, unusable = None, error.problems
    # The honesty checks read a claim against a quote in another language through its translation.
    translated = {
        language: {item.id: item for _, items in hedges.collections(edition.dossier) for item in items}
        for language, edition in (translations.editions.items() if translations else ())
        if language != loaded.dossier.dossier.language
    }
    report = analyse(loaded.dossier, loaded.raw.origins, translated)
    report.warnings += missing_glyphs(loaded.raw.data, loaded.raw.origins, loaded.templates)
    if translations is None:
        report.errors += unusable
    else:  # per language: what is printed untranslated, and undrawable characters
        from briefing.dossier.translate import untranslated_warnings

        report.warnings += untranslated_warnings(translations, loaded.raw.origins, loaded.dossier)
        # A translation whose numbers are not the original's is an error (it stops that edition's build).
        report.errors += [problem for e in translations.editions.values() for problem in e.mismatched]
        report.warnings += [problem for e in translations.editions.values() for problem in e.orphans]
        report.warnings += [problem for e in translations.editions.values() for problem in e.hedges_dropped]
        for source in translations.files.values():
            report.warnings += missing_glyphs(source.raw, source.origins, loaded.templates)
    # load() has verified every quote that has a file; the others are only counted.
    report.unverifiable = unverifiable_sources(loaded.dossier)
    return report


def analyse(
    dossier: Dossier, origins: Origins, translated: Mapping[str, Mapping[str, object]] | None = None
) -> CheckReport:
    weights = hedges.weights_for(dossier, translated)
    return CheckReport(
        warnings=stale_figures(dossier, origins)
        + unshown_parts(dossier, origins)
        + honesty(dossier, origins, weights)
        + stale_statements(dossier, origins),
        conflicts=conflicts(dossier, origins),
        grading=grading_notes(dossier, origins) + dropped_notes(dossier, origins),
        notes=hedges.unjudged(dossier, weights) + [note for note in (unjudged_names_note(dossier),) if note],
    )


def honesty(dossier: Dossier, origins: Origins, weights: hedges.Weights | None = None) -> list[Problem]:
    """Hedges the dossier's own words drop, and citations whose quotes do not support their claim,
    each text read in its own language (``weights``: ``hedges.weights_for(dossier, translated)``)."""
    weights = weights or hedges.weights_for(dossier)
    dropped = [origins.problem(found.path, found.message) for found in hedges.dropped_hedges(dossier, weights)]
    weak = hedges.weak_citations(dossier, weights)
    return dropped + [origins.problem(found.path, found.message) for found in weak]


def stale_figures(dossier: Dossier, origins: Origins) -> list[Problem]:
    """One warning per figure that is older than some audience's limit, naming those audiences."""
    date = dossier.dossier.date
    warnings = []
    for fact_index, fact in enumerate(dossier.facts):
        for figure_index, figure in enumerate(fact.figures):
            if figure.as_of is None:
                continue
            over = [a for a in dossier.audiences if is_stale(figure, date, a.stale_after_months)]
            if not over:
                continue
            limits = ", ".join(f"{a.id} {a.stale_after_months}" for a in over)
            age = months_between(figure.as_of, date)
            message = (
                f"{figure.text!r} is as of {date_label(figure.as_of)}, {age} months before the brief date "
                f"({date_label(date)}); limits in months: {limits}"
            )
            warnings.append(origins.problem(("facts", fact_index, "figures", figure_index, "as_of"), message))
    return warnings


def stale_statements(dossier: Dossier, origins: Origins) -> list[Problem]:
    """One warning per time-bound statement (who holds an office, a status, something called
    upcoming) older than some audience's limit: dated by its ``as_of`` or its newest source."""
    date = dossier.dossier.date
    sources = {source.id: source.date for source in dossier.sources}
    warnings = []
    for key in ("facts", "threats", "divergences", "recommendations", "judgements"):
        for index, item in enumerate(getattr(dossier, key)):
            if not (item.time_bound or item.as_of):
                continue
            dated = item.as_of or newest(sources.get(cite.source) for cite in item.cites)
            if dated is None:
                continue
            age = months_between(dated, date)
            over = [a for a in dossier.audiences if a.stale_after_months is not None and age > a.stale_after_months]
            if not over:
                continue
            limits = ", ".join(f"{a.id} {a.stale_after_months}" for a in over)
            message = (
                f"{item.id!r} is a time-bound statement as of {date_label(dated)}, {age} months before the brief "
                f"date ({date_label(date)}); limits in months: {limits}: check it still holds, or date it with as_of"
            )
            field = "as_of" if item.as_of else "time_bound"
            warnings.append(origins.problem((key, index, field), message))
    return warnings


def conflicts(dossier: Dossier, origins: Origins) -> list[Conflict]:
    """Groups of facts that disagree, each side with its source, grade and location.

    Two kinds, each found in one pass: facts linked by ``conflicts_with`` (each linked group is
    one disagreement), and figures of one measure for the same time with different values (each
    measure and time is one disagreement listing every value, not a pair per two values: 2,000
    values of one measure took over ten minutes as pairs).  Figures of one measure at different
    dates are a series, not a disagreement (``same_time``): each side's figures carry their as-of
    date so that the same date is visible."""
    index = {fact.id: position for position, fact in enumerate(dossier.facts)}
    sources = {source.id: source for source in dossier.sources}

    def side(member: Fact, measure: str | None = None) -> ConflictSide:
        source = sources[member.cites[0].source]
        file, line, _ = origins.locate(("facts", index[member.id]))
        shown = [fig for fig in member.figures if measure is None or fig.measure == measure]
        return ConflictSide(
            fact=member.id,
            statement=member.statement,
            figures=[f"{fig.measure} = {fig.text} ({_as_of(fig.as_of)})" for fig in shown],
            source=source.series or source.title,
            grade=min(sources[c.source].reliability for c in member.cites),
            location=f"{file}:{line}",
        )

    result = []
    declared_groups = _declared_groups(dossier.facts)
    for group in declared_groups:
        members = [dossier.facts[index[fact_id]] for fact_id in sorted(group, key=index.__getitem__)]
        measures = sorted({fig.measure for f in members for fig in f.figures} & _shared_measures(members))
        about = (
            ", ".join(measures)
            if measures
            else "declared in conflicts_with between " + ", ".join(member.id for member in members)
        )
        result.append(Conflict(about, [side(member) for member in members]))
    for measure, when, fact_ids in _measure_disagreements(dossier.facts):
        if any(set(fact_ids) <= group for group in declared_groups):
            continue  # already shown as declared
        ordered = [dossier.facts[index[fact_id]] for fact_id in sorted(fact_ids, key=index.__getitem__)]
        result.append(Conflict(f"{measure} ({when})", [side(member, measure) for member in ordered]))
    return result


def _as_of(date: str | None) -> str:
    return f"as of {date_label(date)}" if date else "undated"


def _declared_groups(facts: list[Fact]) -> list[set[str]]:
    """Facts linked by ``conflicts_with`` (either way round), as groups, in the order their first fact appears."""
    linked: dict[str, set[str]] = {fact.id: set() for fact in facts}
    for fact in facts:
        for other in fact.conflicts_with:
            if other in linked and other != fact.id:
                linked[fact.id].add(other)
                linked[other].add(fact.id)
    return _connected({fact: sorted(others) for fact, others in linked.items()})


def _measure_disagreements(facts: list[Fact]) -> list[tuple[str, str, list[str]]]:
    """Per measure and time: (measure, the time in words, the facts) where the values differ.

    Dates that may name the same time (a year and its months, an undated figure and any date) are
    one time: they are joined through their prefixes, so the work is linear in the figures."""
    by_measure: dict[str, dict[str, list[tuple[str, float]]]] = {}
    for fact in facts:
        for figure in fact.figures:
            dates = by_measure.setdefault(figure.measure, {})
            dates.setdefault(figure.as_of or "", []).append((fact.id, figure.value))
    found = []
    for measure, dates in by_measure.items():
        for group in _same_times(list(dates)):
            entries = [entry for date in group for entry in dates[date]]
            if len({value for _, value in entries}) < 2 or len({fact for fact, _ in entries}) < 2:
                continue
            dated = sorted(date for date in group if date)
            when = " / ".join(date_label(date) for date in dated[:3]) + (" …" if len(dated) > 3 else "")
            when = ("as of " + when if dated else "undated") + (", and undated" if "" in group and dated else "")
            found.append((measure, when, list(dict.fromkeys(fact for fact, _ in entries))))
    return found


def _same_times(dates: list[str]) -> list[list[str]]:
    """``dates`` (partial dates, "" for undated) in groups of those that may name the same time."""
    if "" in dates:
        return [dates]  # an undated figure may be of any time
    parent = {date: date for date in dates}

    def root(date: str) -> str:
        while parent[date] != date:
            parent[date] = parent[parent[date]]
            date = parent[date]
        return date

    for date in dates:
        parts = date.split("-")
        for end in range(1, len(parts)):
            prefix = "-".join(parts[:end])
            if prefix in parent:
                parent[root(date)] = root(prefix)
    groups: dict[str, list[str]] = {}
    for date in dates:
        groups.setdefault(root(date), []).append(date)
    return list(groups.values())


def _connected(rivals: dict[str, list[str]]) -> list[set[str]]:
    """Groups of facts linked by disagreement, in the order their first fact appears."""
    groups: list[set[str]] = []
    placed: set[str] = set()
    for start, linked in rivals.items():
        if start in placed or not linked:
            continue
        group, frontier = {start}, [start]
        while frontier:
            for other in rivals[frontier.pop()]:
                if other not in group:
                    group.add(other)
                    frontier.append(other)
        placed |= group
        groups.append(group)
    return groups


def _shared_measures(facts: list[Fact]) -> set[str]:
    counts: dict[str, int] = {}
    for fact in facts:
        for measure in {fig.measure for fig in fact.figures}:
            counts[measure] = counts.get(measure, 0) + 1
    return {measure for measure, count in counts.items() if count > 1}


def grading_notes(dossier: Dossier, origins: Origins) -> list[GradingNote]:
    """Per audience, everything its reliability bar leaves out of its brief (an 'omit' profile)
    or prints flagged as unconfirmed (a 'mark' profile), each with where it is written."""
    notes = []
    for audience in dossier.audiences:
        brief = select_for_audience(dossier, audience)
        bar = audience.min_reliability
        for omission in brief.omissions:
            if omission.reason == "rests-on":
                continue  # listed by dropped_notes, with what it rests on
            if omission.part is not None:
                part = _part_name(dossier, omission.id, omission.part)
                action = f"omitted ({part}: only sources below the bar state it)"
            elif omission.reason == "rival":
                action = "omitted (a figure the notes would quote against one the brief shows)"
            else:
                action = "omitted"
            where = _location(dossier, origins, omission.id, omission.part)
            notes.append(GradingNote(audience.id, action, omission.id, omission.grade, bar, where))
        for claim in _flagged(brief):
            for item_id in claim.id.split("+"):  # a timeline entry merged from several
                parts = sorted(claim.parts_unconfirmed)
                action = "marked unconfirmed" + (
                    f" ({', '.join(_part_name(dossier, item_id, part) for part in parts)})" if parts else ""
                )
                where = _location(dossier, origins, item_id, parts[0] if len(parts) == 1 else None)
                notes.append(GradingNote(audience.id, action, item_id, claim.grade, bar, where))
    return notes


def _flagged(brief: Brief) -> list[Claim]:
    """The claims ``brief`` prints flagged as unconfirmed, each once, in reading order."""
    rows = [row.claim for view in brief.sections for row in view.programmes if row.claim]
    watch = [entry.claim for view in brief.sections for entry in view.watch]
    found: dict[str, Claim] = {}
    for claim in (*brief.judgements, *(claim for claim, _ in shown_claims(brief).values()), *rows, *watch):
        if claim.unconfirmed:
            found.setdefault(claim.id, claim)
    return list(found.values())


_COLLECTIONS = ("facts", "threats", "divergences", "recommendations", "timeline", "questions", "judgements")


def _item_path(dossier: Dossier, item_id: str) -> DataPath | None:
    for key in _COLLECTIONS:
        for index, item in enumerate(getattr(dossier, key)):
            if item.id == item_id:
                return (key, index)
    return None


def _location(dossier: Dossier, origins: Origins, item_id: str, part: int | None = None) -> str:
    """``file:line`` of an item (or of one of a divergence's positions)."""
    path = _item_path(dossier, item_id)
    if path is None:
        return ""
    if part is not None and path[0] == "divergences":
        positions = len(dossier.divergences[int(path[1])].positions)
        path = (*path, "positions", part) if part < positions else (*path, "consequence")
    file, line, _ = origins.locate(path)
    return f"{file}:{line}"


def _part_name(dossier: Dossier, item_id: str, part: int) -> str:
    """ "position 2" or "consequence" of a divergence."""
    divergence = next((d for d in dossier.divergences if d.id == item_id), None)
    if divergence is not None and part >= len(divergence.positions):
        return "consequence"
    return f"position {part + 1}"


def unshown_parts(dossier: Dossier, origins: Origins) -> list[Problem]:
    """What a profile asks for that its brief cannot show: an empty section or an omitted key
    point (neither is printed), and years or dates a comparison section would chart."""
    warnings = []
    for index, audience in enumerate(dossier.audiences):
        brief = select_for_audience(dossier, audience)
        base: DataPath = ("audiences", index)
        for view in brief.empty_sections:
            at = base + ("sections", audience.sections.index(view.section))
            message = f"{audience.id}: section {view.id!r} is not printed: {view.empty_reason}"
            warnings.append(origins.problem(at, message))
        shown = {claim.id for claim in brief.key_points}
        withheld = {claim.id: claim for claim in brief.withheld}
        overtaken = {claim.id: claim for claim in brief.overtaken}
        for key_index, ref in enumerate(audience.key_points):
            if ref in overtaken:
                message = (
                    f"{audience.id}: key point {ref!r} is left off page 1: it is a time-bound statement as of "
                    f"{overtaken[ref].as_of}, older than {audience.stale_after_months} months; the body prints it, "
                    "flagged (check it still holds, or date it with as_of)"
                )
                warnings.append(origins.problem(base + ("key_points", key_index), message))
            elif ref not in shown:
                claim, bar = withheld.get(ref), f"{audience.id}'s bar {audience.min_reliability}"
                if ref in {dropped.id for dropped in brief.dropped}:
                    why = f"it rests on claims below {bar}"
                elif claim and claim.unconfirmed:
                    why = f"its grade {claim.grade} is below {bar}"
                else:
                    why = "a better-graded source disagrees and the profile prefers it" if claim else ""
                message = f"{audience.id}: key point {ref!r} is not printed: {why or 'it is left out'}"
                warnings.append(origins.problem(base + ("key_points", key_index), message))
        for section_index, section in enumerate(audience.sections):
            for measure_index, measure in enumerate(section.measures):
                units = {f.unit for fact in dossier.facts for f in fact.figures if f.measure == measure}
                if any(is_calendar(f) for fact in dossier.facts for f in fact.figures if f.measure == measure):
                    at = base + ("sections", section_index, "measures", measure_index)
                    unit = ", ".join(sorted(units))
                    message = f"{measure!r} is a {unit}, not a quantity: it is listed in a table but not charted"
                    warnings.append(origins.problem(at, message))
    return warnings


def dropped_notes(dossier: Dossier, origins: Origins) -> list[GradingNote]:
    """Questions and recommendations an 'omit' profile drops because they rest on omitted claims."""
    notes = []
    for audience in dossier.audiences:
        for dropped in select_for_audience(dossier, audience).dropped:
            grounds = ", ".join(f"{claim.id} ({claim.grade})" for claim in dropped.rests_on)
            worst = max(claim.grade for claim in dropped.rests_on)
            action = f"dropped ({dropped.kind} resting on {grounds})"
            where = _location(dossier, origins, dropped.id)
            notes.append(GradingNote(audience.id, action, dropped.id, worst, audience.min_reliability, where))
    return notes
