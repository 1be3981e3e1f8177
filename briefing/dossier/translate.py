"""Editions in other languages: a dossier's ``translations/<lang>.yaml`` applied to it.

A translation file mirrors the dossier keyed by ids (``facts: {<id>: {statement: …}}``) and
holds only text a reader sees.  ``load_translations`` reads and checks every file (schema,
unknown ids with "did you mean", fields that are never translated, and numbers: a
translation must state the numbers its original states) and builds each declared language's
edition: the dossier with every text in that language where a translation is given and the
original elsewhere, as a ``Foreign`` string that the templates print with its own ``lang``.
Figures keep their values; their written form is the translation's, or is made from value and
unit in the edition's locale.  Everything except reading the files is pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.dossier.hedges import Hedge, hedges_lost_in_translation
from briefing.dossier.loader import RawDossier
from briefing.dossier.schema import Dossier, DossierInfo, Line, ProgrammeTable, ProgressChart, Slug, Text
from briefing.dossier.yamlload import DataPath, Origins, load_yaml
from briefing.errors import DossierError, Problem
from briefing.languages.i18n import (
    N_,
    Foreign,
    Translated,
    UnitForms,
    check_language,
    figure_qualifier,
    figure_text,
    format_partial_date,
    number_difference,
    translations,
    unit_label,
    unit_parts,
)

TRANSLATIONS_FOLDER = "translations"
# A space between digit groups ("10 000"), made a no-break space.
_GROUPS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_CURRENCY = re.compile(r"[A-Z]{3}")


# ---------------------------------------------------------------------------
# The shape of a translation file
# ---------------------------------------------------------------------------


class _T(BaseModel):
    # defer_build: the validators are built when a translation file is first read, not on import
    # (every build imports this module; few read a translation).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class FigureT(_T):
    text: Line


class FactT(_T):
    statement: Text | None = None
    headline: Line | None = None
    note: Text | None = None
    figures: dict[Slug, FigureT] = {}


class SourceT(_T):
    title: Line | None = None
    kind: Line | None = None
    author: Line | None = None
    publisher: Line | None = None
    series: Line | None = None
    reliability_reason: Text | None = None
    date_note: Text | None = None


class ProgrammeT(_T):
    name: Line | None = None
    system: Line | None = None
    category: Line | None = None
    details: dict[Slug, Line] = {}


class ThreatT(_T):
    holder: Line | None = None
    threat: Line | None = None
    statement: Text | None = None
    headline: Line | None = None


class PositionT(_T):
    holder: Line | None = None
    position: Text | None = None


class DivergenceT(_T):
    topic: Line | None = None
    headline: Line | None = None
    consequence: Text | None = None
    positions: list[PositionT] = []


class RecommendationT(_T):
    title: Line | None = None
    headline: Line | None = None
    text: Text | None = None
    addressee: Line | None = None
    horizon: Line | None = None
    priority_basis: Text | None = None
    rationale: Text | None = None


class JudgementT(_T):
    judgement: Text | None = None
    confidence_basis: Line | None = None


class AssessmentT(_T):
    assessment: Text | None = None
    confidence_basis: Line | None = None


class OptionT(_T):
    title: Line | None = None
    involves: Text | None = None
    # In the original's order, one for one.
    advantages: list[Text] = []
    drawbacks: list[Text] = []
    lead: Line | None = None


class LineToTakeT(_T):
    line: Text | None = None


class EventT(_T):
    event: Text | None = None
    date_note: Text | None = None


class QuestionT(_T):
    question: Text | None = None


class TermT(_T):
    term: Line | None = None
    expansion: Line | None = None


class SectionT(_T):
    title: Line | None = None
    intro: Text | None = None


class AudienceT(_T):
    name: Line | None = None
    prepared_for: Line | None = None
    purpose: Text | None = None
    so_what: Text | None = None
    # Only where the marking itself is to be translated ("JAWNE"); TLP labels never are.
    marking: Line | None = None
    labels: dict[Slug, Line] = {}
    sections: dict[Slug, SectionT] = {}


class ProgressT(_T):
    axis_label: Line | None = None
    caption: Line | None = None


class ProgrammeTableT(_T):
    columns: dict[Slug, Line] = {}
    details: dict[Slug, Line] = {}
    progress: ProgressT | None = None


class InfoT(_T):
    title: Line | None = None
    short_title: Line | None = None
    subtitle: Line | None = None
    series: Line | None = None
    publisher: Line | None = None
    author: Line | None = None
    edition: Line | None = None
    keywords: list[Line] | None = None
    tags: dict[Slug, Line] = {}
    threat_levels: dict[Slug, Line] = {}
    programme_table: ProgrammeTableT | None = None


PluralCategory = Literal["zero", "one", "two", "few", "many", "other"]


class TranslationFile(_T):
    """``translations/<lang>.yaml``: every key optional, items keyed by id."""

    dossier: InfoT | None = None
    sources: dict[Slug, SourceT] = {}
    facts: dict[Slug, FactT] = {}
    programmes: dict[Slug, ProgrammeT] = {}
    threats: dict[Slug, ThreatT] = {}
    divergences: dict[Slug, DivergenceT] = {}
    recommendations: dict[Slug, RecommendationT] = {}
    judgements: dict[Slug, JudgementT] = {}
    assessments: dict[Slug, AssessmentT] = {}
    options: dict[Slug, OptionT] = {}
    lines: dict[Slug, LineToTakeT] = {}
    timeline: dict[Slug, EventT] = {}
    questions: dict[Slug, QuestionT] = {}
    # Keyed by the original term ("NATO").
    terms: dict[Line, TermT] = {}
    audiences: dict[Slug, AudienceT] = {}
    # How a figure's unit is written when the translation gives no text for the figure.
    units: dict[Line, Line | dict[PluralCategory, Line]] = {}

    @property
    def unit_forms(self) -> dict[str, UnitForms]:
        return dict(self.units)


# Fields that are never translated, and why (an error where a translation file writes one).
NEVER_TRANSLATED: dict[str, str] = {
    "quote": "quotes stay verbatim in the source's language: they are evidence",
    "cites": "citations point into the source as it is written",
    "locator": "locators point into the source as it is written",
    "id": "items are named by their id: write the translation under the original's id",
    "date": "dates are written in each language's form by the tool",
    "as_of": "dates are written in each language's form by the tool",
    "file": "file paths are the same in every language",
    "url": "addresses are the same in every language",
    "value": "a figure's value is the same in every language; give its written form as figures: {<measure>: {text: …}}",
    "measure": "measures are names, not text; key the figure's text by its measure",
    "unit": "give a unit's words under units: at the top of the file",
    "rests_on": "references are the same in every language",
    "same_as": "references are the same in every language",
    "conflicts_with": "references are the same in every language",
    "key_points": "references are the same in every language",
    "credibility": "grades are the same in every language",
    "reliability": "grades are the same in every language",
    "confidence": "the tool prints the confidence in each language",
    "likelihood": "the tool prints the likelihood in each language",
    "priority": "the tool prints the priority in each language",
    "level": "levels are named by id; translate their words under dossier.threat_levels",
    "language": "the file's name gives its language",
    "languages": "the languages are declared in dossier.yaml",
}

# Per kind of item: the fields a reader sees, counted as untranslated when a translation lacks
# them, and those translated only where a translation exists (a source's title, a model name).
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sources": (("kind", "reliability_reason", "date_note"), ("title", "series", "publisher", "author")),
    "facts": (("statement", "headline", "note"), ()),
    "programmes": (("name", "category"), ("system",)),
    "threats": (("holder", "threat", "statement", "headline"), ()),
    "divergences": (("topic", "headline", "consequence"), ()),
    "recommendations": (("title", "headline", "text", "addressee", "horizon", "priority_basis", "rationale"), ()),
    "judgements": (("judgement", "confidence_basis"), ()),
    "assessments": (("assessment", "confidence_basis"), ()),
    "options": (("title", "involves", "lead"), ()),
    "lines": (("line",), ()),
    "timeline": (("event", "date_note"), ()),
    "questions": (("question",), ()),
}
# The default axis label of the progress chart (schema.ProgressChart), in the catalogue.
_DEFAULT_AXIS_LABEL = N_("Share done (%)")


# ---------------------------------------------------------------------------
# An edition
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    """The dossier in one language, and what in it is not translated (translation-file paths
    such as ``("facts", "treaty-purpose", "statement")``)."""

    language: str
    dossier: Dossier
    untranslated: tuple[DataPath, ...] = ()
    # (path in the translation file, the original, the translation) of every translated text.
    pairs: tuple[tuple[DataPath, str, str], ...] = ()
    problems: tuple[Problem, ...] = ()
    # Translated texts whose numbers are not the original's.  They stop a build of this edition
    # (and 'check'), not of the others: an edit to the original must not block its own briefs
    # while the translator catches up.
    mismatched: tuple[Problem, ...] = ()
    # Translations of items, fields or names the original does not have (removed, or misspelt):
    # never printed, so a warning in 'check' (with "did you mean"), not a stop.
    orphans: tuple[Problem, ...] = ()
    # Translated texts that leave out a qualifier of the original ("may", "reportedly"): a
    # warning in 'check', since a hedge can be kept in words the checks do not know.
    hedges_dropped: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class TranslationSource:
    """One translation file as read."""

    language: str
    path: Path
    data: TranslationFile
    origins: Origins
    raw: Any  # the file as read, for the check of characters no font has


@dataclass(frozen=True)
class Translations:
    """Every edition of a dossier, by language; the original's is the dossier itself."""

    original: str
    editions: Mapping[str, Edition] = field(default_factory=dict)
    files: Mapping[str, TranslationSource] = field(default_factory=dict)

    def edition(self, dossier: Dossier, language: str) -> Edition:
        return self.editions.get(language) or Edition(language, dossier)


def file_of(root: Path, language: str) -> Path:
    return root / TRANSLATIONS_FOLDER / f"{language}.yaml"


class _Apply:
    """Builds one edition, noting what is untranslated and every translated pair."""

    def __init__(self, source: TranslationSource | None, language: str, original: str) -> None:
        self.t = source.data if source else TranslationFile()
        self.origins = source.origins if source else Origins()
        self.language = language
        self.original = original
        self.missing: list[DataPath] = []
        self.pairs: list[tuple[DataPath, str, str]] = []
        self.problems: list[Problem] = []

    def text(self, original: str, given: str | None, where: DataPath, counted: bool = True) -> str:
        if given is not None:
            # "410 000": a thousands group is never broken from its number at the end of a line.
            given = _GROUPS.sub("\u00a0", given)
            self.pairs.append((where, original, given))
            return given
        if not any(ch.isalpha() for ch in original):
            return original  # "1", "2026–2029": the same in every language
        if counted:
            self.missing.append(where)
        return Foreign(original, self.original)

    def fields(
        self, model: BaseModel, entry: BaseModel | None, names: Iterable[str], where: DataPath, counted: bool = True
    ) -> dict[str, Any]:
        update: dict[str, Any] = {}
        for name in names:
            value = getattr(model, name)
            given = getattr(entry, name, None) if entry is not None else None
            if value is None:
                if given is not None:
                    self.problems.append(
                        self.origins.problem(where + (name,), f"the original has no {name} to translate")
                    )
                continue
            update[name] = self.text(value, given, where + (name,), counted)
        return update

    def mapping(
        self, original: Mapping[str, str], given: Mapping[str, str], where: DataPath, counted: bool = True
    ) -> dict[str, str]:
        return {key: self.text(value, given.get(key), where + (key,), counted) for key, value in original.items()}


def translate(dossier: Dossier, source: TranslationSource | None, language: str) -> Edition:
    """``dossier`` in ``language``: a pure function of the dossier and its translation file."""
    original = dossier.dossier.language
    if language == original:
        return Edition(language, dossier)
    a = _Apply(source, language, original)
    # The order of the parts is the order in which untranslated texts are listed.
    parts: dict[str, Any] = {"dossier": _dossier_info(a, dossier.dossier)}
    for key in _FIELDS:
        parts[key] = _items(a, key, getattr(dossier, key))
    parts["terms"] = _terms(a, dossier.terms)
    parts["audiences"] = [_audience(a, audience, parts["recommendations"], dossier) for audience in dossier.audiences]
    translated = dossier.model_copy(update=parts)
    return Edition(language, translated, tuple(dict.fromkeys(a.missing)), tuple(a.pairs), tuple(a.problems))


def _dossier_info(a: _Apply, info: DossierInfo) -> DossierInfo:
    """The ``dossier:`` block in the edition's language: titles, names, tags, threat levels, the programme table."""
    ti = a.t.dossier
    update = a.fields(info, ti, ("title", "short_title", "subtitle", "series"), ("dossier",))
    update |= a.fields(info, ti, ("publisher", "author", "edition"), ("dossier",), counted=False)
    if ti is not None and ti.keywords is not None:
        update["keywords"] = list(ti.keywords)
    update["tags"] = a.mapping(info.tags, ti.tags if ti else {}, ("dossier", "tags"), counted=False)
    update["threat_levels"] = a.mapping(
        info.threat_levels, ti.threat_levels if ti else {}, ("dossier", "threat_levels")
    )
    if info.programme_table is not None:
        given = ti.programme_table if ti and ti.programme_table else ProgrammeTableT()
        update["programme_table"] = _programme_table(a, info.programme_table, given)
    update["language"] = a.language
    return info.model_copy(update=update)


def _programme_table(a: _Apply, table: ProgrammeTable, given: ProgrammeTableT) -> ProgrammeTable:
    """The programmes table with its column and detail labels, and its chart's words, translated."""
    at: DataPath = ("dossier", "programme_table")
    columns = [
        c.model_copy(update={"label": a.text(c.label, given.columns.get(c.field), (*at, "columns", c.field))})
        for c in table.columns
    ]
    details = [
        d.model_copy(update={"label": a.text(d.label, given.details.get(d.field), (*at, "details", d.field))})
        for d in table.details
    ]
    progress = table.progress
    if progress is not None:
        progress = _progress_chart(a, progress, given.progress or ProgressT())
    return table.model_copy(update={"columns": columns, "details": details, "progress": progress})


def _progress_chart(a: _Apply, progress: ProgressChart, given: ProgressT) -> ProgressChart:
    """The progress chart's axis label and caption in the edition's language."""
    at: DataPath = ("dossier", "programme_table", "progress")
    if "axis_label" not in progress.model_fields_set:
        # The dossier did not write the label: the tool's default, in the catalogue's translation.
        axis = given.axis_label or translations(a.language).gettext(_DEFAULT_AXIS_LABEL)
    else:
        axis = a.text(progress.axis_label, given.axis_label, (*at, "axis_label"))
    update: dict[str, Any] = {"axis_label": axis}
    if progress.caption is not None:
        update["caption"] = a.text(progress.caption, given.caption, (*at, "caption"))
    return progress.model_copy(update=update)


def _items(a: _Apply, key: str, items: Sequence[Any]) -> list[Any]:
    """The items of one kind (``key``: "facts", "sources"...) in the edition's language."""
    counted, optional = _FIELDS[key]
    entries: Mapping[str, BaseModel] = getattr(a.t, key)
    translated = []
    for item in items:
        entry = entries.get(item.id)
        where: DataPath = (key, item.id)
        changes = a.fields(item, entry, counted, where) | a.fields(item, entry, optional, where, counted=False)
        changes |= _parts_of_kind(a, key, item, entry, changes)
        translated.append(item.model_copy(update=changes))
    return translated


def _parts_of_kind(
    a: _Apply, key: str, item: Any, entry: BaseModel | None, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """What an item of kind ``key`` has to translate besides its text fields (already in ``changes``):
    a fact's figures, a programme's details, a divergence's positions, an option's lists, a source's
    language and title."""
    if key == "facts":
        return {"figures": _figures(a, item, entry if isinstance(entry, FactT) else None)}
    if key == "programmes":
        given_details = entry.details if isinstance(entry, ProgrammeT) else {}
        return {"details": a.mapping(item.details, given_details, (key, item.id, "details"))}
    if key == "divergences":
        return {"positions": _positions(a, item, entry if isinstance(entry, DivergenceT) else None)}
    if key == "options":
        return _option_lists(a, item, entry if isinstance(entry, OptionT) else None)
    if key == "sources":
        return _source_language_and_title(item, changes["title"], a.original)
    return {}


def _source_language_and_title(source: Any, title: str, original: str) -> dict[str, Any]:
    """A source's language, and its title as printed."""
    # The headings its locators name are printed in its language, marked so.
    language = source.language or original
    if not isinstance(title, Foreign):
        # A translated title is shown with the original (Sources list).
        title = Translated(title, Foreign(source.title, language))
    return {"title": title, "language": language}


def _terms(a: _Apply, terms: Sequence[Any]) -> list[Any]:
    """The list of terms: an expansion a translation lacks is counted untranslated, a term is not."""
    translated = []
    for term in terms:
        entry = a.t.terms.get(term.term)
        translated.append(
            term.model_copy(
                update=a.fields(term, entry, ("expansion",), ("terms", term.term))
                | a.fields(term, entry, ("term",), ("terms", term.term), counted=False)
            )
        )
    return translated


def _figures(a: _Apply, fact: Any, entry: FactT | None) -> list[Any]:
    figures = []
    for figure in fact.figures:
        given = entry.figures.get(figure.measure) if entry else None
        where: DataPath = ("facts", fact.id, "figures", figure.measure, "text")
        label, unit_done = unit_label(figure.unit, a.language, a.t.unit_forms)
        if given is not None:
            text = a.text(figure.text, given.text, where)
        elif figure.unit.strip().lower() == "year" and float(figure.value).is_integer():
            # A year as the language writes one ("2026년"), like every other date of the edition.
            text = format_partial_date(str(int(figure.value)), a.language)
        else:
            qualifier = figure_qualifier(figure.text, a.original)  # "około 700" is "about 700"
            text, done = figure_text(figure.value, figure.unit, a.language, a.t.unit_forms, qualifier)
            unit_done = unit_done and done
        if not unit_done:
            a.missing.append(("units", unit_parts(figure.unit)[-1] if unit_parts(figure.unit) else figure.unit))
        figures.append(figure.model_copy(update={"text": text, "unit": label}))
    return figures


def _positions(a: _Apply, divergence: Any, entry: DivergenceT | None) -> list[Any]:
    given = entry.positions if entry else []
    result = []
    for index, position in enumerate(divergence.positions):
        translation = given[index] if index < len(given) else None
        where: DataPath = ("divergences", divergence.id, "positions", index)
        result.append(position.model_copy(update=a.fields(position, translation, ("holder", "position"), where)))
    return result


def _option_lists(a: _Apply, option: Any, entry: OptionT | None) -> dict[str, list[str]]:
    """An option's advantages and drawbacks, each translated in the original's order."""
    lists: dict[str, list[str]] = {}
    for name in ("advantages", "drawbacks"):
        original: list[str] = getattr(option, name)
        given: list[str] = getattr(entry, name) if entry is not None else []
        if given and len(given) != len(original):
            a.problems.append(
                a.origins.problem(
                    ("options", option.id, name),
                    f"has {len(given)} entries; the original has {len(original)}: translate each, in its order",
                )
            )
            given = []
        lists[name] = [
            a.text(text, given[index] if index < len(given) else None, ("options", option.id, name, index))
            for index, text in enumerate(original)
        ]
    return lists


def _audience(a: _Apply, audience: Any, recommendations: Sequence[Any], dossier: Dossier) -> Any:
    entry = a.t.audiences.get(audience.id)
    where: DataPath = ("audiences", audience.id)
    update = a.fields(audience, entry, ("name", "prepared_for", "purpose", "so_what"), where)
    if entry is not None and entry.marking is not None:
        update["marking"] = entry.marking
    # The profile's own wordings apply to its original language; another edition uses the
    # translation's, and the interface's default words for any label it does not translate.
    labels = dict(entry.labels) if entry else {}
    for key, value in audience.labels.items():
        if key in labels:
            a.pairs.append(((*where, "labels", key), value, labels[key]))
        else:
            a.missing.append((*where, "labels", key))
    update["labels"] = labels
    sections = []
    for section in audience.sections:
        given = entry.sections.get(section.id) if entry else None
        sections.append(
            section.model_copy(update=a.fields(section, given, ("title", "intro"), (*where, "sections", section.id)))
        )
    update["sections"] = sections
    # Profiles pick recommendations by addressee as the original writes it.
    names = {
        original.addressee: str(translated.addressee)
        for original, translated in zip(dossier.recommendations, recommendations, strict=True)
    }
    update["addressees"] = [names.get(name, name) for name in audience.addressees]
    return audience.model_copy(update=update)


# ---------------------------------------------------------------------------
# Reading and checking the files
# ---------------------------------------------------------------------------


def load_translations(raw: RawDossier, dossier: Dossier) -> Translations:
    """Every declared language's edition; raises ``DossierError`` listing every problem in the
    declaration of languages and in the translation files."""
    original = dossier.dossier.language
    problems = _declaration_problems(raw, dossier.dossier)
    sources: dict[str, TranslationSource] = {}
    outdated: dict[str, list[Problem]] = {}
    for path in _translation_files(raw.root):
        source, found = _read_translation(path, raw, dossier.dossier)
        problems.extend(found)
        if source is not None:
            outdated[source.language] = _references(source, dossier)
            sources[source.language] = source

    # Unknown ids are left out of an edition, so its numbers are checked in the same run.
    editions: dict[str, Edition] = {}
    for language in dossier.dossier.editions:
        if check_language(language):
            continue  # said by _declaration_problems; an edition cannot be written in it
        given = sources.get(language)
        edition = translate(dossier, given, language)
        problems.extend(edition.problems)
        if given is not None:
            edition = _with_checks(edition, given, outdated.get(language, []), original)
        editions[language] = edition
    if problems:  # stopped anyway: report what no longer fits the original in the same run
        raise DossierError(problems + [problem for found in outdated.values() for problem in found])
    return Translations(original, editions, sources)


def _declaration_problems(raw: RawDossier, info: DossierInfo) -> list[Problem]:
    """What is wrong in ``dossier.languages``: an original that is not first, a language listed
    twice, a code that is no language."""
    original = info.language
    problems: list[Problem] = []
    where_languages: DataPath = ("dossier", "languages")
    if info.languages and info.languages[0] != original:
        problems.append(
            raw.origins.problem(
                (*where_languages, 0),
                f"the first language is the original and must be the dossier's language {original!r}",
            )
        )
    seen: set[str] = set()
    for index, language in enumerate(info.editions):
        at = (*where_languages, index) if info.languages else ("dossier", "language")
        if language in seen:
            problems.append(raw.origins.problem(at, f"{language!r} is listed twice"))
        seen.add(language)
        if reason := check_language(language):
            problems.append(raw.origins.problem(at, reason))
    return problems


def _translation_files(root: Path) -> list[Path]:
    """The files in the dossier's ``translations/`` folder, ``.yaml`` then ``.yml``, each by name."""
    folder = root / TRANSLATIONS_FOLDER
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []


def _read_translation(path: Path, raw: RawDossier, info: DossierInfo) -> tuple[TranslationSource | None, list[Problem]]:
    """One translation file, read and checked against the schema (``None`` if it cannot be used),
    and the problems found in it."""
    from briefing.dossier.loader import _display, _outside

    display = _display(path, raw.root)
    if outside := _outside(path, raw.root):
        return None, [outside]
    language = path.stem
    if misplaced := _undeclared_language(language, display, info):
        return None, [misplaced]
    origins = Origins()
    data, found = load_yaml(path, display, origins)
    problems = list(found)
    if data is None:
        return None, problems
    if not isinstance(data, dict):
        problems.append(Problem(display, 1, 1, "", "a translation file must be a mapping of top-level keys"))
        return None, problems
    data, refused = _refuse_untranslatable(data, origins)
    problems.extend(refused)
    try:
        parsed = TranslationFile.model_validate(data)
    except ValidationError as error:
        problems.extend(_schema_problems(error, data, origins))
        return None, problems
    return TranslationSource(language, path, parsed, origins, data), problems


def _undeclared_language(language: str, display: str, info: DossierInfo) -> Problem | None:
    """Why a file named for ``language`` is not a translation: it is the original's, or not declared."""
    if language == info.language:
        return Problem(display, 1, 1, "", f"{language!r} is the original language: it has nothing to translate")
    if language not in info.editions:
        listed = ", ".join(info.editions)
        return Problem(
            display, 1, 1, "", f"language {language!r} is not declared: add it to dossier.languages (now: {listed})"
        )
    return None


def _with_checks(edition: Edition, given: TranslationSource, orphans: Sequence[Problem], original: str) -> Edition:
    """``edition`` with its translated texts whose numbers are not the original's, and ``orphans``
    (translations of what the original does not have)."""
    mismatched = [
        given.origins.problem(at_path, why)
        for at_path, before, after in edition.pairs
        if (why := number_difference(before, original, after, edition.language))
    ]
    dropped = [
        given.origins.problem(at_path, _dropped_message(hedges, edition.language))
        for at_path, before, after in edition.pairs
        if (hedges := hedges_lost_in_translation(before, original, after, edition.language))
    ]
    return replace(edition, mismatched=tuple(mismatched), orphans=tuple(orphans), hedges_dropped=tuple(dropped))


def _dropped_message(hedges: Sequence[Hedge], language: str) -> str:
    words = ", ".join(f"'{hedge.words}'" for hedge in hedges)
    return (
        f"the original says {words}; the translation ({language}) keeps no word of that kind: "
        "a translation keeps every qualifier (docs/translations.md)"
    )


def _refuse_untranslatable(data: Any, origins: Origins, path: DataPath = ()) -> tuple[Any, list[Problem]]:
    """``data`` without the fields that are never translated, and an error for each (at any depth
    below the item level, where a field name means the dossier's field of that name)."""
    problems: list[Problem] = []
    if isinstance(data, dict):
        kept = {}
        for key, value in data.items():
            # Under units:, terms: and labels: keys are the dossier's words, not field names.
            free = bool(path) and path[-1] in (
                "units",
                "terms",
                "labels",
                "tags",
                "threat_levels",
                "columns",
                "details",
                "figures",
            )
            if (
                len(path) >= 1
                and not free
                and key in NEVER_TRANSLATED
                and not (len(path) == 1 and path[0] != "dossier")
            ):
                problems.append(origins.problem(path + (key,), f"never translated: {NEVER_TRANSLATED[key]}"))
                continue
            kept[key], found = _refuse_untranslatable(value, origins, path + (key,))
            problems.extend(found)
        return kept, problems
    if isinstance(data, list):
        items = []
        for index, value in enumerate(data):
            item, found = _refuse_untranslatable(value, origins, path + (index,))
            items.append(item)
            problems.extend(found)
        return items, problems
    return data, problems


def _schema_problems(error: ValidationError, data: Any, origins: Origins) -> list[Problem]:
    from briefing.dossier.validate import _data_path, _hint

    problems: dict[tuple[DataPath, str | None], Problem] = {}
    for item in error.errors():
        path, missing = _data_path(item["loc"], data)
        if (path, missing) in problems:
            continue
        message = item["msg"] + _hint(item.get("input"), item["type"])
        if item["type"] == "extra_forbidden":
            message = "not translatable here: only text a reader sees is (docs/translations.md), or a misspelt field"
        problems[(path, missing)] = origins.problem(path + ((missing,) if missing else ()), message)
    return list(problems.values())


def _references(source: TranslationSource, dossier: Dossier) -> list[Problem]:
    """Every id, measure, section, term, label and unit a translation names must exist in the dossier."""
    from briefing.dossier.validate import _suggest

    t, origins = source.data, source.origins
    problems: list[Problem] = []

    def unknown(path: DataPath, what: str, name: str, known: Iterable[str]) -> None:
        problems.append(origins.problem(path, f"unknown {what} {name!r}{_suggest(name, list(known))}"))

    def keys(path: DataPath, given: Iterable[str], what: str, known: Iterable[str]) -> None:
        known = list(known)
        for name in given:
            if name not in known:
                unknown((*path, name), what, name, known)

    info = dossier.dossier
    if t.dossier is not None:
        keys(("dossier", "tags"), t.dossier.tags, "tag", info.tags)
        keys(("dossier", "threat_levels"), t.dossier.threat_levels, "threat level", info.threat_levels)
        table = info.programme_table
        if t.dossier.programme_table is not None:
            columns = [c.field for c in table.columns] if table else []
            details = [d.field for d in table.details] if table else []
            keys(("dossier", "programme_table", "columns"), t.dossier.programme_table.columns, "column", columns)
            keys(("dossier", "programme_table", "details"), t.dossier.programme_table.details, "detail", details)
    for key in (*_FIELDS, "audiences"):
        known = {item.id: item for item in getattr(dossier, key)}
        what = key.rstrip("s") if key != "timeline" else "event"
        for item_id, entry in getattr(t, key).items():
            if item_id not in known:
                unknown((key, item_id), what, item_id, known)
                continue
            item = known[item_id]
            if key == "facts":
                measures = [figure.measure for figure in item.figures]
                keys((key, item_id, "figures"), entry.figures, "measure of this fact", measures)
            elif key == "programmes":
                details = [d.field for d in info.programme_table.details] if info.programme_table else []
                keys((key, item_id, "details"), entry.details, "detail", details)
            elif key == "divergences" and entry.positions and len(entry.positions) != len(item.positions):
                problems.append(
                    origins.problem(
                        (key, item_id, "positions"),
                        f"{len(entry.positions)} positions; the original has {len(item.positions)}: "
                        "give them all, in the original's order",
                    )
                )
            elif key == "audiences":
                keys((key, item_id, "sections"), entry.sections, "section", [s.id for s in item.sections])
    keys(("terms",), t.terms, "term", [term.term for term in dossier.terms])
    units = {part for fact in dossier.facts for figure in fact.figures for part in unit_parts(figure.unit)}
    # A currency code may be given its word in the language ("USD": "달러"), for chart axes.
    units |= {
        word
        for fact in dossier.facts
        for figure in fact.figures
        for word in figure.unit.split()
        if _CURRENCY.fullmatch(word)
    }
    keys(("units",), t.units, "unit", units)
    given: dict[str, tuple[str, str]] = {}
    for rec in dossier.recommendations:
        entry = t.recommendations.get(rec.id)
        if entry is None or entry.addressee is None:
            continue
        if rec.addressee in given and given[rec.addressee][1] != entry.addressee:
            other = given[rec.addressee][0]
            problems.append(
                origins.problem(
                    ("recommendations", rec.id, "addressee"),
                    f"{rec.addressee!r} is translated {given[rec.addressee][1]!r} for {other}: "
                    "translate one addressee the same way everywhere (profiles choose recommendations by it)",
                )
            )
        given.setdefault(rec.addressee, (rec.id, entry.addressee))
    return problems


def untranslated_warnings(translations_: Translations, origins: Origins, dossier: Dossier) -> list[Problem]:
    """Per language and kind of item, what is not translated (printed in the original language)."""
    info = dossier.dossier
    warnings = []
    for index, language in enumerate(info.editions):
        edition = translations_.editions.get(language)
        if edition is None or not edition.untranslated:
            continue
        grouped: dict[str, dict[str, list[str]]] = {}
        for path in edition.untranslated:
            key, name = str(path[0]), ".".join(str(part) for part in path[1:2])
            rest = ".".join(str(part) for part in path[2:])
            fields = grouped.setdefault(key, {}).setdefault(name or key, [])
            if rest:
                fields.append(rest)
        at: DataPath = ("dossier", "languages", index) if info.languages else ("dossier", "language")
        for key, items in grouped.items():
            listed = ", ".join(f"{name} ({', '.join(fields)})" if fields else name for name, fields in items.items())
            what = {"dossier": "parts of dossier.yaml", "timeline": "timeline events"}.get(key, key)
            warnings.append(
                origins.problem(
                    at,
                    f"{language}: {len(items)} {what} not translated (printed in the original language "
                    f"{info.language!r}; translate in translations/{language}.yaml): {listed}",
                )
            )
    return warnings
