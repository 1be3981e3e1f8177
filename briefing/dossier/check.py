"""`generate check`: what an analyst should know about a dossier before a brief goes out.

Errors (invalid data) stop every build.  Warnings (stale figures, characters no font
of the templates can draw, hedges the dossier's words drop, citations that do not support
their claim) do not, unless ``--strict``.  Notes say what the sources disagree on and which claims each
audience's brief leaves out or marks as unconfirmed because of its source grade.
Everything here is computed from the loaded dossier; only ``run_check`` reads files.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefing.build.changes import shown_claims
from briefing.build.pipeline import load
from briefing.build.select import (
    Brief,
    Claim,
    date_label,
    is_calendar,
    is_stale,
    months_between,
    newest,
    rival_facts,
    select_for_audience,
)
from briefing.dossier import hedges
from briefing.dossier.schema import Dossier, Fact
from briefing.dossier.verify import unverifiable_sources
from briefing.dossier.yamlload import DataPath, Origins
from briefing.errors import DossierError, Problem
from briefing.formats.render_html import TemplateSet


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

    def exit_code(self, strict: bool) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "errors": [asdict(p) | {"text": str(p)} for p in self.errors],
            "warnings": [asdict(p) | {"text": str(p)} for p in self.warnings],
            "conflicts": [asdict(c) for c in self.conflicts],
            "grading": [asdict(g) for g in self.grading],
            "unverifiable": [{"source": s, "quotes": n, "reason": r} for s, n, r in self.unverifiable],
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
        for note in self.grading:
            where = f"{note.location}: " if note.location else ""
            lines.append(
                f"grading ({note.audience}, bar {note.minimum}): {where}{note.claim} ({note.grade}) {note.action}"
            )
        for source, quotes, reason in self.unverifiable:
            lines.append(f"unverifiable: {quotes} quote(s) from {source}, which has no file ({reason})")
        summary = (
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{len(self.conflicts)} disagreement(s) between sources, {len(self.grading)} grading note(s)"
        )
        if self.unverifiable:
            summary += f", {sum(n for _, n, _ in self.unverifiable)} unverifiable quote(s) (sources without a file)"
        return "\n".join([*lines, summary])


def run_check(data_dir: Path, templates: TemplateSet) -> CheckReport:
    """Load and validate ``data_dir`` and analyse it; never raises for bad data."""
    try:
        loaded = load(data_dir, templates)
    except DossierError as error:
        return CheckReport(errors=error.problems)
    report = analyse(loaded.dossier, loaded.raw.origins)
    report.warnings += missing_glyphs(loaded.raw.data, loaded.raw.origins, loaded.templates)
    try:
        translations = loaded.translations
    except DossierError as error:  # a translation file that cannot be used
        report.errors += error.problems
    else:  # per language: what is printed untranslated, and undrawable characters
        from briefing.languages.translate import untranslated_warnings

        report.warnings += untranslated_warnings(translations, loaded.raw.origins, loaded.dossier)
        # A translation whose numbers are not the original's is an error (it stops that edition's build).
        report.errors += [problem for e in translations.editions.values() for problem in e.mismatched]
        report.warnings += [problem for e in translations.editions.values() for problem in e.orphans]
        for source in translations.files.values():
            report.warnings += missing_glyphs(source.raw, source.origins, loaded.templates)
    # load() has verified every quote that has a file; the others are only counted.
    report.unverifiable = unverifiable_sources(loaded.dossier)
    return report


def analyse(dossier: Dossier, origins: Origins) -> CheckReport:
    return CheckReport(
        warnings=stale_figures(dossier, origins)
        + unshown_parts(dossier, origins)
        + honesty(dossier, origins)
        + stale_statements(dossier, origins),
        conflicts=conflicts(dossier, origins),
        grading=grading_notes(dossier, origins) + dropped_notes(dossier, origins),
    )


def honesty(dossier: Dossier, origins: Origins) -> list[Problem]:
    """Hedges the dossier's own words drop, and citations whose quotes do not support their claim."""
    dropped = [origins.problem(found.path, found.message) for found in hedges.dropped_hedges(dossier)]
    return dropped + [origins.problem(found.path, found.message) for found in hedges.weak_citations(dossier)]


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

    Figures of one measure at different dates are a series, not a disagreement (``rival_facts``):
    each side's figures carry their as-of date so that the same date is visible."""
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
                    figures=[f"{fig.measure} = {fig.text} ({_as_of(fig.as_of)})" for fig in member.figures],
                    source=source.series or source.title,
                    grade=min(sources[c.source].reliability for c in member.cites),
                    location=f"{file}:{line}",
                )
            )
        result.append(Conflict(about, sides))
    return result


def _as_of(date: str | None) -> str:
    return f"as of {date_label(date)}" if date else "undated"


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
        for key_index, ref in enumerate(audience.key_points):
            if ref not in shown:
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


# ---------------------------------------------------------------------------
# Characters no font can draw
# ---------------------------------------------------------------------------

FONT_SUFFIXES = (".ttf", ".otf")
# Fields that name files and folders: never printed, so any script is fine there.
_NOT_PRINTED = frozenset({"templates", "template", "file"})
# White space and invisible characters need no glyph.
_NO_GLYPH = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
SHOWN_CHARACTERS = 8


def font_files(templates: TemplateSet) -> list[Path]:
    """The fonts a brief can be drawn with: every font file in a ``static/fonts`` folder of the search path."""
    files: list[Path] = []
    for folder in templates.static_folders:
        fonts = folder / "fonts"
        if fonts.is_dir():
            files += sorted(path for path in fonts.rglob("*") if path.suffix.lower() in FONT_SUFFIXES)
    return files


def covered_characters(fonts: list[Path], needed: frozenset[int] | None = None) -> frozenset[int]:
    """Every character some font in ``fonts`` has a glyph for.

    With ``needed``, fonts are read only until every needed character is found: the answer then
    holds those characters and is otherwise partial.  Most dossiers need nothing beyond the first
    font, and reading a large font's character map (a CJK one) is the costly part of this check.
    """
    covered: set[int] = set()
    for path in fonts:
        if needed is not None and needed <= covered:
            break
        try:
            stat = path.stat()
        except OSError:
            continue
        covered |= _cmap(str(path), stat.st_mtime_ns, stat.st_size)
    return frozenset(covered)


@lru_cache(maxsize=64)
def _cmap(path: str, mtime_ns: int, size: int) -> frozenset[int]:
    """The characters of one font file; cached per file and version (``mtime_ns`` and ``size`` are the key),
    in memory and in the user cache, since parsing a font's tables costs more than the rest of a check."""
    from briefing.build.output import read_cached, write_cached

    key = hashlib.sha256(f"{path}\n{mtime_ns}\n{size}".encode()).hexdigest()[:32]
    codes = read_cached("cmaps", key)
    # Cache content is untrusted: it only decides warnings, but must have the right shape.
    if isinstance(codes, list) and all(type(code) is int and 0 <= code <= 0x10FFFF for code in codes):
        return frozenset(codes)
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True) as font:
            covered = frozenset(font.getBestCmap() or {})
    except (OSError, TTLibError, ValueError, KeyError, AssertionError):
        return frozenset()  # a font that cannot be read draws nothing
    write_cached("cmaps", key, sorted(covered))
    return covered


def missing_glyphs(data: Any, origins: Origins, templates: TemplateSet) -> list[Problem]:
    """A warning for each text field with characters that no font of the templates has.

    WeasyPrint draws such a character with whatever system font has it, or as an empty box
    (and exits 0): either way not what the dossier's own fonts would print.
    """
    fonts = font_files(templates)
    texts = list(_texts(data, ()))
    used = set().union(*(text for _, text in texts))
    needed = frozenset(ord(ch) for ch in used if unicodedata.category(ch) not in _NO_GLYPH)
    covered = covered_characters(fonts, needed)
    if not covered or needed <= covered:
        return []
    folders = ", ".join(dict.fromkeys(_shown(path.parent) for path in fonts))
    problems = []
    for path, text in texts:
        if text.isascii() and all(ord(ch) in covered or unicodedata.category(ch) in _NO_GLYPH for ch in text):
            continue
        missing = [
            ch for ch in dict.fromkeys(text) if ord(ch) not in covered and unicodedata.category(ch) not in _NO_GLYPH
        ]
        if not missing:
            continue
        shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:SHOWN_CHARACTERS])
        more = f" and {len(missing) - SHOWN_CHARACTERS} more" if len(missing) > SHOWN_CHARACTERS else ""
        message = (
            f"no font in {folders} has {shown}{more}: the PDF prints them as empty boxes (or in a system font); "
            "add a font that has them to a static/fonts folder of the templates"
        )
        problems.append(origins.problem(path, message))
    return problems


def _texts(value: Any, path: DataPath) -> Iterator[tuple[DataPath, str]]:
    """Every text in ``value`` with its path, leaving out fields that are never printed."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_PRINTED:
                yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, index))


def _shown(folder: Path) -> str:
    try:
        return os.path.relpath(folder)
    except ValueError:
        return str(folder)
