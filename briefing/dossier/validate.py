"""Turn merged YAML into a checked ``Dossier``, or report every problem at once.

Schema problems come from pydantic; the checks here need the whole dossier in
view: unique ids, references that resolve, declared tags, known section kinds.
"""

from __future__ import annotations

import datetime
import typing
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from briefing.dossier.loader import RawDossier
from briefing.dossier.schema import Audience, Dossier, DossierInfo, Section
from briefing.dossier.yamlload import DataPath, Origins
from briefing.errors import DossierError, Problem


def validate_dossier(raw: RawDossier, section_kinds: Iterable[str], templates: Iterable[str]) -> Dossier:
    """The validated dossier; raises ``DossierError`` listing every problem found."""
    problems = list(raw.problems)
    try:
        dossier = Dossier.model_validate(raw.data)
    except ValidationError as error:
        problems.extend(_schema_problems(error, raw))
        # Check references among the items that are valid on their own, so one run reports
        # a broken reference alongside a schema error elsewhere.
        partial, index_map, raw_ids = _partial_dossier(raw.data)
        problems.extend(check_references(partial, raw.origins, set(section_kinds), set(templates), index_map, raw_ids))
        raise DossierError(problems) from None
    problems.extend(check_references(dossier, raw.origins, set(section_kinds), set(templates)))
    if not problems:
        # Only once every reference resolves: the unit's analysis is checked against what it rests on.
        from briefing.dossier.analysis import analysis_problems

        problems.extend(analysis_problems(dossier, raw.origins))
    if problems:
        raise DossierError(problems)
    return dossier


def _partial_dossier(data: dict[str, Any]) -> tuple[Dossier, dict[str, list[int]], set[str]]:
    """A dossier of the items that validate on their own (unvalidated, for reference checks only),
    where each kept item came from in its list, and the ids every item claims, valid or not."""
    parts: dict[str, Any] = {}
    index_map: dict[str, list[int]] = {}
    raw_ids: set[str] = set()
    for name, field in Dossier.model_fields.items():
        value = data.get(name)
        if name == "dossier":
            try:
                parts[name] = DossierInfo.model_validate(value)
            except ValidationError:
                parts[name] = DossierInfo.model_construct(tags={})  # no tag vocabulary to check against
            continue
        item_type = typing.get_args(field.annotation)[0]
        kept, positions = [], []
        for position, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                raw_ids.add(item["id"])
            try:
                kept.append(item_type.model_validate(item))
                positions.append(position)
            except ValidationError:
                continue
        parts[name], index_map[name] = kept, positions
    return Dossier.model_construct(**parts), index_map, raw_ids


def _hint(value: Any, error_type: str) -> str:
    """What to write instead, for values YAML 1.1 reads differently from how they look."""
    if isinstance(value, bool):
        return " (YAML reads yes/no/on/off/true/false as a yes-or-no value: put text in quotes)"
    if isinstance(value, datetime.date):
        return f' (YAML read this as a date: write it in quotes, e.g. "{value.isoformat()}")'
    if isinstance(value, float) and error_type.startswith("string"):
        return " (YAML read this as a number: put it in quotes)"
    if isinstance(value, int) and error_type.startswith("string"):
        return " (YAML read this as a whole number: put it in quotes)"
    if isinstance(value, str) and error_type in {"int_type", "float_type", "literal_error"} and value.strip():
        return " (write a number without quotes)" if error_type != "literal_error" else ""
    return ""


def _data_path(loc: Sequence[str | int], data: Any) -> tuple[DataPath, str | None]:
    """The part of a pydantic location that exists in the data, and a missing field name if any."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_mapping = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            current = current[part]
        else:
            # A union branch name ("int", "float") or a field that is missing.
            return tuple(path), (part if isinstance(part, str) and isinstance(current, dict) else None)
        path.append(part)
    return tuple(path), None


def _schema_problems(error: ValidationError, raw: RawDossier) -> list[Problem]:
    problems: dict[tuple[DataPath, str | None], Problem] = {}
    for item in error.errors():
        path, missing = _data_path(item["loc"], raw.data)
        if (path, missing) in problems:
            continue  # one message per place: a union reports each branch separately
        message = item["msg"] + _hint(item.get("input"), item["type"])
        if item["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        file, line, column = raw.origins.locate(path)
        name = raw.origins.field_name(path + ((missing,) if missing else ()))
        problems[(path, missing)] = Problem(file, line, column, name, message)
    return list(problems.values())


def check_references(
    dossier: Dossier,
    origins: Origins,
    section_kinds: set[str],
    templates: set[str],
    index_map: dict[str, list[int]] | None = None,
    invalid_ids: set[str] | None = None,
) -> list[Problem]:
    """Problems that need the whole dossier: duplicates, dangling references, unknown names.

    For a partial dossier, ``index_map`` gives each kept item's position in its file's list,
    and a reference to any id in ``invalid_ids`` (items that failed the schema) is not reported.
    """
    found = _References(dossier, origins, index_map, invalid_ids or set())
    found.duplicate_ids()
    found.item_references()
    _check_vocabularies(dossier, found.report)
    _check_reader_fields(dossier, found.report, found.exists)
    _check_money(dossier, found.report, found.exists)
    for index, audience in enumerate(dossier.audiences):
        found.audience_references(index, audience, section_kinds, templates)
    return found.problems


class _References:
    """The problems found so far, and what a reference may name."""

    def __init__(
        self, dossier: Dossier, origins: Origins, index_map: dict[str, list[int]] | None, exists: set[str]
    ) -> None:
        self.dossier = dossier
        self.origins = origins
        self.index_map = index_map
        self.exists = exists  # ids of items that failed the schema: references to them are not reported
        self.problems: list[Problem] = []
        # Ids are shared across item kinds so that key points and "rests on" lists are unambiguous.
        self.item_lists: dict[str, Sequence[Any]] = {
            "facts": dossier.facts,
            "threats": dossier.threats,
            "divergences": dossier.divergences,
            "recommendations": dossier.recommendations,
            "timeline": dossier.timeline,
            "questions": dossier.questions,
            "judgements": dossier.judgements,
            "assessments": dossier.assessments,
            "options": dossier.options,
            "lines": dossier.lines,
        }
        self.item_ids: dict[str, DataPath] = {}  # where each id is first used
        self.source_ids = {source.id for source in dossier.sources}
        self.audience_ids = {audience.id for audience in dossier.audiences}
        self.fact_ids = {fact.id for fact in dossier.facts}
        self.declared_tags = set(dossier.dossier.tags)
        self.measures = {figure.measure for fact in dossier.facts for figure in fact.figures}
        self.used_tags = {
            tag for items in self.item_lists.values() for item in items for tag in getattr(item, "tags", [])
        }

    def where(self, path: DataPath) -> DataPath:
        """``path`` in the file's list, for an item of a partial dossier."""
        if self.index_map and len(path) > 1 and isinstance(path[0], str) and path[0] in self.index_map:
            return (path[0], self.index_map[path[0]][int(path[1])], *path[2:])
        return path

    def report(self, path: DataPath, message: str) -> None:
        self.problems.append(self.origins.problem(self.where(path), message))

    def known(self, ref: str, ids: Iterable[str]) -> bool:
        return ref in ids or ref in self.exists

    def tags(self, path: DataPath, tags: Iterable[str]) -> None:
        if not self.declared_tags:
            return
        for index, tag in enumerate(tags):
            if tag not in self.declared_tags:
                suggestion = _suggest(tag, self.declared_tags)
                self.report(path + (index,), f"unknown tag {tag!r}; declare it under dossier.tags{suggestion}")

    def duplicate_ids(self) -> None:
        """An id used twice: among all items (one namespace), or among sources, programmes or audiences."""
        for key, items in self.item_lists.items():
            for index, item in enumerate(items):
                id_path: DataPath = (key, index, "id")
                if item.id in self.item_ids:
                    first = self.origins.locate(self.where(self.item_ids[item.id]))
                    self.report(id_path, f"duplicate id {item.id!r} (first used at {first[0]}:{first[1]})")
                else:
                    self.item_ids[item.id] = id_path
        keyed_lists: dict[str, Sequence[Any]] = {
            "sources": self.dossier.sources,
            "programmes": self.dossier.programmes,
            "audiences": self.dossier.audiences,
        }
        for key, keyed in keyed_lists.items():
            seen: dict[str, int] = {}
            for index, item in enumerate(keyed):
                if item.id in seen:
                    self.report((key, index, "id"), f"duplicate id {item.id!r}")
                seen[item.id] = index

    def item_references(self) -> None:
        """Each item's sources, tags, grounds and audiences, and each fact's declared rivals."""
        for key, items in self.item_lists.items():
            for index, item in enumerate(items):
                for cite_index, cite in enumerate(getattr(item, "cites", [])):
                    if not self.known(cite.source, self.source_ids):
                        self.report(
                            (key, index, "cites", cite_index, "source"),
                            f"unknown source {cite.source!r}{_suggest(cite.source, self.source_ids)}",
                        )
                self.tags((key, index, "tags"), getattr(item, "tags", []))
                for ref_index, ref in enumerate(getattr(item, "rests_on", [])):
                    if not self.known(ref, self.item_ids):
                        self.report(
                            (key, index, "rests_on", ref_index),
                            f"unknown fact, threat or divergence {ref!r}{_suggest(ref, self.item_ids)}",
                        )
                for aud_index, audience in enumerate(getattr(item, "audiences", [])):
                    if not self.known(audience, self.audience_ids):
                        self.report(
                            (key, index, "audiences", aud_index),
                            f"unknown audience {audience!r}; known: {', '.join(sorted(self.audience_ids))}",
                        )
        for index, fact in enumerate(self.dossier.facts):
            for ref_index, ref in enumerate(fact.conflicts_with):
                path: DataPath = ("facts", index, "conflicts_with", ref_index)
                if not self.known(ref, self.fact_ids):
                    self.report(path, f"unknown fact {ref!r}{_suggest(ref, self.fact_ids)}")
                elif ref == fact.id:
                    self.report(path, "a fact cannot conflict with itself")

    def audience_references(self, index: int, audience: Audience, section_kinds: set[str], templates: set[str]) -> None:
        """A profile's template, key points, sections and core."""
        base: DataPath = ("audiences", index)
        if audience.template not in templates:
            self.report(base + ("template",), f"no template {audience.template!r} in the template folders")
        for key_index, ref in enumerate(audience.key_points):
            if not self.known(ref, self.item_ids):
                self.report(base + ("key_points", key_index), f"unknown item {ref!r}{_suggest(ref, self.item_ids)}")
        section_ids: set[str] = set()
        for section_index, section in enumerate(audience.sections):
            path = base + ("sections", section_index)
            if section.kind not in section_kinds:
                known = ", ".join(sorted(section_kinds))
                self.report(path + ("kind",), f"unknown section kind {section.kind!r}; known: {known}")
            if section.id in section_ids:
                self.report(path + ("id",), f"duplicate section id {section.id!r}")
            section_ids.add(section.id)
            self.section_references(path, section)
        if audience.core is not None:
            for core_index, ref in enumerate(audience.core.sections):
                if ref not in section_ids:
                    where = base + ("core", "sections", core_index)
                    self.report(where, f"unknown section {ref!r}{_suggest(ref, section_ids)}")

    def section_references(self, path: DataPath, section: Section) -> None:
        """A section's tags, measures and facts."""
        self.tags(path + ("tags",), section.tags)
        if not self.declared_tags:
            # With no declared vocabulary, a section tag must at least be one the data uses.
            for tag_index, tag in enumerate(section.tags):
                if tag not in self.used_tags:
                    self.report(
                        path + ("tags", tag_index), f"no item has the tag {tag!r}{_suggest(tag, self.used_tags)}"
                    )
        for measure_index, measure in enumerate(section.measures):
            if measure not in self.measures:
                self.report(
                    path + ("measures", measure_index),
                    f"unknown measure {measure!r}: no figure has it{_suggest(measure, self.measures)}",
                )
        for fact_index, ref in enumerate(section.facts):
            if not self.known(ref, self.fact_ids):
                self.report(path + ("facts", fact_index), f"unknown fact {ref!r}{_suggest(ref, self.fact_ids)}")


def _check_vocabularies(dossier: Dossier, report: Callable[[DataPath, str], None]) -> None:
    """Threat levels and the programme table's fields must be declared in dossier.yaml."""
    info = dossier.dossier
    if "id" not in info.model_fields_set:
        return  # dossier.yaml's header did not validate (already reported): nothing declared to check against
    levels = getattr(info, "threat_levels", None) or {}
    if levels:
        for index, threat in enumerate(dossier.threats):
            if threat.level not in levels:
                report(
                    ("threats", index, "level"),
                    f"unknown threat level {threat.level!r}; declare it under dossier.threat_levels"
                    f"{_suggest(threat.level, levels)}",
                )
    table = getattr(info, "programme_table", None)
    columns = {column.field for column in table.columns} if table else set()
    details = {detail.field for detail in table.details} if table else set()
    if table is not None and table.progress is not None:
        for name in ("done", "total", "deadline"):
            field = getattr(table.progress, name)
            if field is not None and field not in columns:
                report(
                    ("dossier", "programme_table", "progress", name),
                    f"{field!r} is not a column of programme_table{_suggest(field, columns)}",
                )
    for index, programme in enumerate(dossier.programmes):
        for key in programme.details:
            if key not in details:
                where = "; declare it under dossier.programme_table.details"
                report(("programmes", index, "details", key), f"unknown detail {key!r}{where}{_suggest(key, details)}")


def _check_reader_fields(dossier: Dossier, report: Callable[[DataPath, str], None], exists: set[str]) -> None:
    """Merged timeline entries, profiles' addressee filters and the terms list."""
    event_ids = {event.id for event in dossier.timeline}
    for index, event in enumerate(dossier.timeline):
        if event.same_as is None:
            continue
        if event.same_as == event.id:
            report(("timeline", index, "same_as"), "an event cannot be the same as itself")
        elif event.same_as not in event_ids and event.same_as not in exists:
            suggestion = _suggest(event.same_as, event_ids)
            report(("timeline", index, "same_as"), f"unknown event {event.same_as!r}{suggestion}")
    addressees = {rec.addressee for rec in dossier.recommendations}
    for index, audience in enumerate(dossier.audiences):
        for entry, addressee in enumerate(audience.addressees):
            if addressee not in addressees:
                known = "; ".join(sorted(addressees)) or "none"
                report(
                    ("audiences", index, "addressees", entry),
                    f"no recommendation is addressed to {addressee!r}{_suggest(addressee, addressees)}; "
                    f"addressees in the dossier: {known}",
                )
    seen: set[str] = set()
    for index, term in enumerate(dossier.terms):
        if term.term in seen:
            report(("terms", index, "term"), f"the term {term.term!r} is listed twice")
        seen.add(term.term)


def _check_money(dossier: Dossier, report: Callable[[DataPath, str], None], exists: set[str]) -> None:
    """An option's cost names a fact and one of its figures; a profile's second currency has a sourced
    rate (a figure of measure ``fx.<from>.<to>``) for every currency the dossier's amounts are in."""
    facts = {fact.id: fact for fact in dossier.facts}
    for index, option in enumerate(dossier.options):
        if option.cost is None:
            continue
        fact = facts.get(option.cost.fact)
        if fact is None:
            if option.cost.fact not in exists:
                report(
                    ("options", index, "cost", "fact"),
                    f"unknown fact {option.cost.fact!r}{_suggest(option.cost.fact, facts)}",
                )
        elif not any(figure.measure == option.cost.measure for figure in fact.figures):
            measures = [figure.measure for figure in fact.figures]
            report(
                ("options", index, "cost", "measure"),
                f"fact {fact.id!r} has no figure of measure {option.cost.measure!r}"
                + _suggest(option.cost.measure, measures),
            )
    if exists:
        return  # some items did not validate: their figures (a rate among them) are unknown here
    from briefing.dossier.money import currencies_used, rate_measure

    used = currencies_used(dossier)
    rates = {figure.measure for fact in dossier.facts for figure in fact.figures}
    for index, audience in enumerate(dossier.audiences):
        if audience.currency is None:
            continue
        for currency in sorted(used - {audience.currency}):
            measure = rate_measure(currency, audience.currency)
            if measure not in rates:
                report(
                    ("audiences", index, "currency"),
                    f"no sourced rate from {currency} to {audience.currency}: add a fact citing the rate's source "
                    f"(e.g. a central bank's table) with a figure of measure {measure!r}, its value in "
                    f"{audience.currency} per 1 {currency} and its date in as_of",
                )


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
