"""`generate check`: what an analyst should know about a dossier before a brief goes out.

Errors (invalid data) stop every build.  Warnings (stale figures) do not, unless
``--strict``.  Notes say what the sources disagree on and which claims each
audience's brief leaves out or marks as unconfirmed because of its source grade.
Everything here is computed from the loaded dossier; only ``run_check`` reads files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import DossierError, Problem
from .pipeline import load
from .render_html import TemplateSet
from .schema import Dossier, Fact
from .select import date_label, is_stale, months_between, rival_facts, select_for_audience
from .yamlload import Origins


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
    action: str  # "omitted" or "marked unconfirmed"
    claim: str
    grade: str
    minimum: str


@dataclass
class CheckReport:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    grading: list[GradingNote] = field(default_factory=list)

    def exit_code(self, strict: bool) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "errors": [asdict(p) | {"text": str(p)} for p in self.errors],
            "warnings": [asdict(p) | {"text": str(p)} for p in self.warnings],
            "conflicts": [asdict(c) for c in self.conflicts],
            "grading": [asdict(g) for g in self.grading],
        }

    def as_text(self) -> str:
        lines: list[str] = []
        for problem in self.errors:
            lines.append(f"error: {problem}")
        for problem in self.warnings:
            lines.append(f"warning: {problem}")
        for conflict in self.conflicts:
            lines.append(f"disagreement: {conflict.about}")
            for side in conflict.sides:
                figures = f" [{', '.join(side.figures)}]" if side.figures else ""
                lines.append(f"    {side.location}: {side.fact}{figures} — {side.source}, grade {side.grade}")
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for note in self.grading:
            grouped.setdefault((note.audience, note.action, note.minimum), []).append(f"{note.claim} ({note.grade})")
        for (audience, action, minimum), claims in grouped.items():
            listed = ", ".join(claims)
            lines.append(f"grading ({audience}): {len(claims)} claim(s) below grade {minimum} {action}: {listed}")
        summary = (
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{len(self.conflicts)} disagreement(s) between sources, {len(self.grading)} grading note(s)"
        )
        return "\n".join([*lines, summary])


def run_check(data_dir: Path, templates: TemplateSet) -> CheckReport:
    """Load and validate ``data_dir`` and analyse it; never raises for bad data."""
    try:
        loaded = load(data_dir, templates)
    except DossierError as error:
        return CheckReport(errors=error.problems)
    return analyse(loaded.dossier, loaded.raw.origins)


def analyse(dossier: Dossier, origins: Origins) -> CheckReport:
    return CheckReport(
        warnings=stale_figures(dossier, origins),
        conflicts=conflicts(dossier, origins),
        grading=grading_notes(dossier),
    )


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


def conflicts(dossier: Dossier, origins: Origins) -> list[Conflict]:
    """Groups of facts that disagree, each side with its source, grade and location."""
    index = {fact.id: position for position, fact in enumerate(dossier.facts)}
    sources = {source.id: source for source in dossier.sources}
    rivals = rival_facts(dossier.facts)
    result = []
    for group in _connected(rivals):
        members = [f for f in dossier.facts if f.id in group]
        measures = sorted({fig.measure for f in members for fig in f.figures} & _shared_measures(members))
        about = (
            ", ".join(measures)
            if measures
            else "declared in conflicts_with between " + ", ".join(member.id for member in members)
        )
        sides = []
        for member in members:
            source = sources[member.cites[0].source]
            file, line, _ = origins.locate(("facts", index[member.id]))
            sides.append(
                ConflictSide(
                    fact=member.id,
                    statement=member.statement,
                    figures=[f"{fig.measure} = {fig.text}" for fig in member.figures],
                    source=source.series or source.title,
                    grade=min(sources[c.source].reliability for c in member.cites),
                    location=f"{file}:{line}",
                )
            )
        result.append(Conflict(about, sides))
    return result


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


def grading_notes(dossier: Dossier) -> list[GradingNote]:
    """Per audience, the claims its reliability bar leaves out or marks as unconfirmed."""
    notes = []
    for audience in dossier.audiences:
        brief = select_for_audience(dossier, audience)
        withheld = {claim.id for claim in brief.withheld}
        below = [
            (fact.id, min(s.reliability for s in dossier.sources if s.id in {c.source for c in fact.cites}))
            for fact in dossier.facts
        ]
        for fact_id, grade in below:
            if grade <= audience.min_reliability:
                continue
            omitted = fact_id in withheld or audience.below_min_reliability == "omit"
            action = "omitted" if omitted else "marked unconfirmed"
            notes.append(GradingNote(audience.id, action, fact_id, grade, audience.min_reliability))
    return notes
