"""The first stages of every command: read the dossier folder, validate it, verify it.

``load`` reads the YAML (with where each value was written), adds the template folders the
dossier names to the search path, validates the dossier against that search path (section
kinds and template names) and verifies its quotes and figures against the source files.  Any
problem stops here, every one listed.  ``generate brief``, ``serve``, ``publish``,
``distribute``, ``diff`` and ``check`` all start with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.dossier.loader import RawDossier, read_dossier
from briefing.dossier.schema import Dossier
from briefing.errors import DossierError
from briefing.formats.render_html import TemplateSet

if TYPE_CHECKING:
    from briefing.dossier.translate import Edition, Translations


@dataclass(frozen=True)
class LoadedDossier:
    raw: RawDossier  # the files read and where each value was written, for locations
    dossier: Dossier
    templates: TemplateSet  # the given overrides, the dossier's own folders, then the defaults
    # The search path as the command was given it, without the dossier's own folders: an
    # earlier edition's dossier is loaded with this one and adds its own folders.
    given: TemplateSet = field(default_factory=TemplateSet)

    @cached_property
    def translations(self) -> Translations:
        """The dossier in each of its languages (``translate.py``), read on first use: a build of
        the original does not read, or depend on, the translation files.  Raises ``DossierError``
        for a translation file that cannot be used ('generate check' reports it)."""
        from briefing.dossier.translate import load_translations

        return load_translations(self.raw, self.dossier)

    def edition(self, language: str) -> Edition:
        """The dossier in ``language`` (one of ``dossier.dossier.editions``), with what in it is
        untranslated.  Raises ``DossierError`` where its translation states other numbers."""
        if language == self.dossier.dossier.language:
            from briefing.dossier.translate import Edition

            return Edition(language, self.dossier)
        edition = self.translations.edition(self.dossier, language)
        if edition.mismatched:
            raise DossierError(list(edition.mismatched))
        return edition

    def dossier_in(self, language: str) -> Dossier:
        """``edition(language).dossier``; the original without reading the translation code."""
        return self.dossier if language == self.dossier.dossier.language else self.edition(language).dossier


def load(data_dir: Path, templates: TemplateSet) -> LoadedDossier:
    """Read the dossier folder, validate it against the template search path and verify its
    quotes and figures against the source files (any problem stops every build)."""
    from briefing.dossier.validate import validate_dossier
    from briefing.dossier.verify import verify_dossier

    raw = read_dossier(data_dir)
    resolved = dossier_templates(raw, templates)
    dossier = validate_dossier(raw, resolved.section_kinds(), resolved.names())
    verification = verify_dossier(dossier, raw.origins, raw.root)
    if verification.problems:
        raise DossierError(list(verification.problems))
    return LoadedDossier(raw, dossier, resolved, templates)


def load_dossier(data_dir: Path, templates: TemplateSet | None = None) -> Dossier:
    """Read and validate a dossier folder; raises ``DossierError`` listing every problem."""
    return load(data_dir, templates or TemplateSet()).dossier


def load_with_templates(data_dir: Path, templates: TemplateSet) -> tuple[Dossier, TemplateSet]:
    """The validated dossier and the template search path it is rendered with."""
    loaded = load(data_dir, templates)
    return loaded.dossier, loaded.templates


def dossier_templates(raw: RawDossier, templates: TemplateSet) -> TemplateSet:
    """``templates`` with the override folders the dossier names added after the given ones.

    A dossier may come from someone else and its templates are code (sandboxed, but code):
    it may only name folders inside its own folder, links resolved.
    """
    info = raw.data.get("dossier")
    folders = info.get("templates") if isinstance(info, dict) else None
    if not isinstance(folders, list) or not folders:
        return templates
    root = raw.root.resolve()
    extra, problems = [], []
    for index, folder in enumerate(folders):
        where = ("dossier", "templates", index)
        path = raw.root / str(folder)
        outside = f"{str(folder)!r} is outside the dossier folder: template folders must be inside it"
        if Path(str(folder)).is_absolute():
            problems.append(raw.origins.problem(where, outside))
        elif not path.is_dir():  # checked first: resolving a link loop would raise
            problems.append(raw.origins.problem(where, f"no such folder: {path}"))
        elif not path.resolve().is_relative_to(root):
            problems.append(raw.origins.problem(where, outside))
        else:
            extra.append(path)
    if problems:
        raise DossierError(problems)
    return replace(templates, overrides=(*templates.overrides, *extra))
