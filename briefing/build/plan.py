"""What a command builds: one function from its options to the briefs to render.

``plan_briefs`` turns the options of ``generate brief``, ``serve``, ``publish`` and
``distribute`` (audiences, languages, formats, the earlier edition) into a ``Plan``: one
``Job`` per audience and language, each with its file name and formats,
and the earlier edition every brief lists its changes since.  ``Plan.brief`` selects what a
job's brief says.  Every command goes through it, so the preview shows the brief the build
writes, change section and all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.build.load import LoadedDossier
from briefing.build.render import RenderJob
from briefing.build.select import select_for_audience
from briefing.dossier.schema import Audience, Dossier
from briefing.errors import UnknownAudienceError
from briefing.formats.registry import DEFAULT_FORMATS, FORMATS
from briefing.view.model import Brief

if TYPE_CHECKING:
    from briefing.build.editions import Earlier


@dataclass(frozen=True)
class Job:
    """One brief: an audience's, in one language, written in some formats."""

    audience: Audience  # as the original defines it
    language: str
    stem: str  # its files' name without suffix: "<id>-<audience>", "<id>-<audience>.<lang>"
    formats: tuple[str, ...]
    name: str  # the stem without the dossier's id, as the preview names its pages: "industry.pl"

    def path(self, out_dir: Path, output_format: str) -> Path:
        return out_dir / f"{self.stem}{FORMATS[output_format].suffix}"

    def beside(self, out_dir: Path, output_format: str) -> list[Path]:
        """The files a format may write beside its own (the sources page its notes link to)."""
        return [out_dir / f"{self.stem}{suffix}" for suffix in FORMATS[output_format].beside]


@dataclass(frozen=True)
class Plan:
    loaded: LoadedDossier
    audiences: tuple[Audience, ...]
    languages: tuple[str, ...]
    jobs: tuple[Job, ...]  # language by language, audiences as ``choose_audiences`` orders them
    earlier: Earlier | None  # the edition the briefs list their changes since

    def targets(self, out_dir: Path) -> list[Path]:
        """Every file the plan may write into ``out_dir``."""
        paths = [
            path
            for job in self.jobs
            for output_format in job.formats
            for path in (job.path(out_dir, output_format), *job.beside(out_dir, output_format))
        ]
        return list(dict.fromkeys(paths))

    def brief(self, job: Job) -> Brief:
        """What ``job``'s brief says: selected from its edition, with what changed since the earlier one.

        Dates and numbers the selection writes ("as of October 2024") are in the edition's
        language; grades are worked out on the original's words, so that every edition prints the same.
        """
        from briefing.languages.i18n import use_language

        dossier = self.loaded.dossier
        edition = self.loaded.dossier_in(job.language)
        index = dossier.audiences.index(job.audience)
        with use_language(job.language):
            selected = select_for_audience(edition, edition.audiences[index], original=dossier)
            return with_changes(selected, dossier, self.earlier)

    def render_job(self, job: Job, formats: Sequence[str], signed_by: str | None = None) -> RenderJob:
        """What the renderer needs for ``job`` in ``formats``: its brief (``brief``), its file name,
        who will sign the PDF (for the colophon), and the dossier folder its notes link into."""
        return RenderJob(self.brief(job), tuple(formats), job.stem, signed_by, self.loaded.raw.root)

    def data_files(self, job: Job) -> tuple[Path, ...]:
        """The files ``job``'s brief is made from besides templates: the dossier's shared files, its
        own audience profile (not the others'), the earlier edition it is compared with, and for
        another language the translation file and the tool's catalogue."""
        raw = self.loaded.raw
        own_profile = raw.audience_files[self.loaded.dossier.audiences.index(job.audience)]
        shared = tuple(path for path in raw.files if path not in raw.audience_files)
        compared = self.earlier.files if self.earlier else ()
        return (*shared, own_profile, *compared, *_language_files(raw.root, job.language, self.original))

    @property
    def original(self) -> str:
        return self.loaded.dossier.dossier.language


def plan_briefs(
    loaded: LoadedDossier,
    audiences: Sequence[str],
    languages: Sequence[str] = (),
    formats: Sequence[str] = DEFAULT_FORMATS,
    since: str | None = None,
    editions: Path | None = None,
    note: Callable[[str], None] = lambda text: None,
) -> Plan:
    """The briefs to build for these options.

    ``audiences`` are ids or ``all``; ``languages`` editions or ``all`` (none: the original);
    ``since`` names the earlier edition (one in ``editions``, a path, or "none"; by default the
    latest published before this one).  Raises ``UnknownAudienceError`` for an audience or
    language the dossier does not have, and ``DossierError`` for a translation stating other
    numbers than the original: before anything is rendered or written.
    """
    from briefing.build.editions import earlier_edition
    from briefing.languages.i18n import choose_languages

    dossier = loaded.dossier
    chosen = choose_audiences(dossier, audiences)
    chosen_languages = choose_languages(dossier.dossier.editions, tuple(languages))
    for language in chosen_languages:
        loaded.dossier_in(language)  # a translation stating other numbers stops its edition now, before any write
    earlier = earlier_edition(since, loaded.raw.root, editions, dossier.dossier, loaded.given, note)
    jobs = tuple(
        Job(audience, language, stem, tuple(formats), stem.removeprefix(f"{dossier.dossier.id}-"))
        for language in chosen_languages
        for audience in chosen
        for stem in [edition_stem(dossier, audience.id, language)]
    )
    return Plan(loaded, tuple(chosen), tuple(chosen_languages), jobs, earlier)


def choose_audiences(dossier: Dossier, names: Sequence[str]) -> list[Audience]:
    """The audiences named, each once, in the order named; ``all``: every one, in the dossier's order."""
    known = {audience.id: audience for audience in dossier.audiences}
    if "all" in names:
        return list(dossier.audiences)
    unknown = [name for name in names if name not in known]
    if unknown:
        choices = ", ".join([*known, "all"])
        raise UnknownAudienceError(f"unknown audience {unknown[0]!r}; choose one of: {choices}")
    return [known[name] for name in dict.fromkeys(names)]


def edition_stem(dossier: Dossier, audience: str, language: str) -> str:
    """Output files' name without suffix: the original keeps ``<id>-<audience>``, another edition
    is ``<id>-<audience>.<lang>``."""
    stem = f"{dossier.dossier.id}-{audience}"
    return stem if language == dossier.dossier.language else f"{stem}.{language}"


def with_changes(brief: Brief, dossier: Dossier, earlier: Earlier | None) -> Brief:
    """``brief`` with what changed since the ``earlier`` edition (``changes.py``), if there is one."""
    if earlier is None:
        return brief
    from briefing.build.changes import audience_changes

    return replace(brief, changes=audience_changes(earlier.dossier, earlier.name, dossier, brief))


def _language_files(root: Path, language: str, original: str) -> tuple[Path, ...]:
    """The files an edition in ``language`` depends on beyond the dossier: its translation file
    and the tool's catalogue (none for the original language)."""
    if language == original:
        return ()
    from briefing.dossier.translate import file_of
    from briefing.languages.i18n import catalogue_file

    files = (file_of(root, language), catalogue_file(language))
    return tuple(path for path in files if path is not None and path.is_file())
