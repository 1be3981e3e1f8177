"""The build, stage by stage: ``build_briefs`` reads as the list of its stages.

load (read, validate, verify: ``load.py``) -> plan (audiences x languages x formats, and the
earlier edition: ``plan.py``) -> skip what is up to date (``incremental.py``) -> select what each
brief says (``select.py``, with its changes since the earlier edition: ``changes.py``) -> note
characters no font has (``formats/glyphs.py``) -> render the HTML, then the PDF and Word from
it (``render.py``) -> refuse a brief over its page budget (``--strict``) -> write every file at
once (``output.py``) and record what was written.

Everything is rendered before anything is written, so a failing brief leaves every earlier
brief as it was; from deciding what is out of date to saving the record, the build holds the
output folder's lock.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefing.build.incremental import BuildState, Inputs
from briefing.build.load import LoadedDossier, load
from briefing.build.plan import Job, Plan, plan_briefs
from briefing.build.render import RenderedBrief, render_all, start_importing
from briefing.dossier.dates import is_stale
from briefing.dossier.schema import Audience, Dossier
from briefing.errors import BudgetError
from briefing.formats.registry import DEFAULT_FORMATS
from briefing.formats.render_html import TemplateSet
from briefing.output import folder_lock, remove_leftovers, write_outputs


@dataclass
class BuildResult:
    briefs: list[RenderedBrief] = field(default_factory=list)
    # Outputs that were already current and were not rendered again.
    up_to_date: list[Path] = field(default_factory=list)
    # Figures older than the staleness limit of some audience built ('generate check' lists them).
    stale_figures: int = 0


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr, flush=True)


def build_briefs(
    data_dir: Path,
    out_dir: Path,
    audiences: Sequence[str],
    formats: Sequence[str] = DEFAULT_FORMATS,
    templates: TemplateSet | None = None,
    force: bool = False,
    parallel: bool = True,
    note: Callable[[str], None] = _note,
    since: str | None = None,
    editions: Path | None = None,
    languages: Sequence[str] = (),
    strict: bool = False,
    signed_by: str | None = None,
) -> BuildResult:
    """Build the named audiences' briefs from the dossier in ``data_dir`` into ``out_dir``.

    ``languages`` names the editions to build (``all``: every declared language); none: the
    original.  Each brief lists what changed since an earlier published edition: the one
    ``since`` names (an edition in ``editions``, a path, or "none"), by default the latest
    before this one.  Outputs whose inputs have not changed since they were written are left
    alone (``force`` renders them anyway); several PDFs render in parallel (unless not
    ``parallel``).  With ``strict``, a PDF over its page budget stops the build before anything
    is written.  Another build into the same folder is waited for; ``note`` tells the user
    (one line each).  ``signed_by`` names who will sign the PDFs (``generate publish --sign``):
    the colophon says so.
    """
    loaded = load(data_dir, templates or TemplateSet())
    plan = plan_briefs(loaded, audiences, languages, formats, since, editions, note)
    result = BuildResult(stale_figures=count_stale_figures(loaded.dossier, plan.audiences))
    with folder_lock(out_dir, lambda: note(f"waiting for another build into {out_dir} to finish")):
        remove_leftovers(plan.targets(out_dir))
        state = BuildState.load(out_dir)
        due, inputs = out_of_date(plan, state, out_dir, force, result.up_to_date, signed_by)
        jobs = [plan.render_job(job, formats_due, signed_by) for job, formats_due in due]
        if jobs:
            note_undrawable(loaded, plan.languages, note)
        result.briefs = render_all(jobs, loaded.templates, out_dir, parallel)
        if strict:
            refuse_over_budget(result.briefs, plan.original)
        write_outputs([output for brief in result.briefs for output in brief.files])
        for brief in result.briefs:
            for output, read in zip(brief.files, brief.dependencies, strict=True):
                state.record(output.path, output.data, inputs[output.path], read)
        problem = state.save()
    if problem:
        note(problem)
    return result


def count_stale_figures(dossier: Dossier, audiences: Sequence[Audience]) -> int:
    """How many figures are older than the staleness limit of one of ``audiences``."""
    return sum(
        any(is_stale(figure, dossier.dossier.date, audience.stale_after_months) for audience in audiences)
        for fact in dossier.facts
        for figure in fact.figures
    )


def out_of_date(
    plan: Plan,
    state: BuildState,
    out_dir: Path,
    force: bool,
    up_to_date: list[Path],
    signed_by: str | None = None,
) -> tuple[list[tuple[Job, tuple[str, ...]]], dict[Path, Inputs]]:
    """The jobs with the formats whose file is missing or out of date (every format with
    ``force``), and what each target is made from; targets still current go to ``up_to_date``.
    A file is out of date too when a file it wrote beside it (its sources page) is.  Once a
    slow format is due its library starts importing (``render.start_importing``)."""
    due: list[tuple[Job, tuple[str, ...]]] = []
    inputs: dict[Path, Inputs] = {}
    # Who signs is printed in the colophon: a brief built for another signer is out of date.
    signing = f" signed by {signed_by}" if signed_by else ""
    for job in plan.jobs:
        data = plan.data_files(job)
        formats = []
        for output_format in job.formats:
            path = job.path(out_dir, output_format)
            inputs[path] = Inputs(data, plan.loaded.templates, output_format + signing)
            beside = job.beside(out_dir, output_format)
            for page in beside:  # the same page whichever format writes it, and whoever signs
                inputs[page] = Inputs(data, plan.loaded.templates, page.name.removeprefix(job.stem))
            current = state.is_current(path, inputs[path]) and all(
                page.name not in state.entries or state.is_current(page, inputs[page]) for page in beside
            )
            if force or not current:
                formats.append(output_format)
            else:
                up_to_date.append(path)
        if formats:
            start_importing(formats)
            due.append((job, tuple(formats)))
    return due, inputs


def note_undrawable(loaded: LoadedDossier, languages: Sequence[str], note: Callable[[str], None]) -> None:
    """A note if text of the dossier (or of a translation built) has characters no font of the
    templates has: they print as empty boxes, and the render still succeeds."""
    from briefing.formats.glyphs import missing_glyphs

    undrawn = len(missing_glyphs(loaded.raw.data, loaded.raw.origins, loaded.templates))
    translated = [language for language in languages if language != loaded.dossier.dossier.language]
    for source in (loaded.translations.files if translated else {}).values():
        if source.language in translated:
            undrawn += len(missing_glyphs(source.raw, source.origins, loaded.templates))
    if undrawn:
        note(
            f"{undrawn} text field(s) have characters no font of the templates has: they print as empty "
            "boxes ('generate check' lists them)"
        )


def refuse_over_budget(briefs: Sequence[RenderedBrief], original: str) -> None:
    """Raise ``BudgetError`` (nothing is written) if a brief breaks its page budget."""
    over = [
        f"{brief.audience}{'.' + brief.language if brief.language != original else ''}: {brief.over_budget}"
        for brief in briefs
        if brief.over_budget
    ]
    if over:
        raise BudgetError("page budget exceeded (--strict), nothing written:\n" + "\n".join(f"  {o}" for o in over))
