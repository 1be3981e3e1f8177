"""The build, stage by stage: load -> validate -> select -> render HTML -> render PDF -> write.

Only ``read_dossier`` and ``write_outputs`` touch the file system (templates are
read by Jinja as they render).  Everything is rendered before anything is
written, so a failing audience leaves every earlier brief as it was.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.build.budget import core_overrun, over_budget
from briefing.build.output import OutputFile, folder_lock, remove_leftovers, write_outputs
from briefing.build.select import Brief, Comparison, is_stale, select_for_audience
from briefing.dossier.loader import RawDossier, read_dossier
from briefing.dossier.schema import Audience, Dossier
from briefing.errors import BudgetError, DossierError, UnknownAudienceError
from briefing.formats.charts import Chart, cached_chart, comparison_chart, delivery_chart
from briefing.formats.passages import COMPANION_SUFFIX, Passages, companion_of, companion_page
from briefing.formats.render_html import TemplateSet, map_html_text, render_html

if TYPE_CHECKING:
    import jinja2

    from briefing.build.editions import Earlier
    from briefing.build.incremental import BuildState, Inputs
    from briefing.languages.translate import Edition, Translations

FORMATS = ("html", "pdf")  # what a build writes unless told otherwise
OUTPUT_FORMATS = (*FORMATS, "docx")  # every format a brief can be written in
# Briefs whose page budget is this many pages or fewer get no table of contents in the PDF.
CONTENTS_MIN_PAGES = 2


def load_dossier(data_dir: Path, templates: TemplateSet | None = None) -> Dossier:
    """Read and validate a dossier folder; raises ``DossierError`` listing every problem."""
    return load(data_dir, templates or TemplateSet()).dossier


def load_with_templates(data_dir: Path, templates: TemplateSet) -> tuple[Dossier, TemplateSet]:
    """The validated dossier and the template search path it is rendered with."""
    loaded = load(data_dir, templates)
    return loaded.dossier, loaded.templates


@dataclass(frozen=True)
class LoadedDossier:
    raw: RawDossier  # the files read and where each value was written, for locations
    dossier: Dossier
    templates: TemplateSet  # the given overrides, the dossier's own folders, then the defaults

    @cached_property
    def translations(self) -> Translations:
        """The dossier in each of its languages (``translate.py``), read on first use: a build of
        the original does not read, or depend on, the translation files.  Raises ``DossierError``
        for a translation file that cannot be used ('generate check' reports it)."""
        from briefing.languages.translate import load_translations

        return load_translations(self.raw, self.dossier)

    def edition(self, language: str) -> Edition:
        """The dossier in ``language`` (one of ``dossier.dossier.editions``), with what in it is
        untranslated.  Raises ``DossierError`` where its translation states other numbers."""
        if language == self.dossier.dossier.language:
            from briefing.languages.translate import Edition

            return Edition(language, self.dossier)
        edition = self.translations.edition(self.dossier, language)
        if edition.mismatched:
            raise DossierError(list(edition.mismatched))
        return edition

    def dossier_in(self, language: str) -> Dossier:
        """``edition(language).dossier``; the original without reading the translation code."""
        return self.dossier if language == self.dossier.dossier.language else self.edition(language).dossier


def edition_stem(dossier: Dossier, audience: str, language: str) -> str:
    """Output files' name without suffix: the original keeps ``<id>-<audience>``, another edition
    is ``<id>-<audience>.<lang>``."""
    stem = f"{dossier.dossier.id}-{audience}"
    return stem if language == dossier.dossier.language else f"{stem}.{language}"


def load(data_dir: Path, templates: TemplateSet) -> LoadedDossier:
    """Stages 1 and 2: read the dossier folder, validate it against the template search path and
    verify its quotes and figures against the source files (any problem stops every build)."""
    from briefing.dossier.validate import validate_dossier
    from briefing.dossier.verify import verify_dossier

    raw = read_dossier(data_dir)
    templates = dossier_templates(raw, templates)
    dossier = validate_dossier(raw, templates.section_kinds(), templates.names())
    verification = verify_dossier(dossier, raw.origins, raw.root)
    if verification.problems:
        raise DossierError(list(verification.problems))
    return LoadedDossier(raw, dossier, templates)


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


def choose_audiences(dossier: Dossier, names: Sequence[str]) -> list[Audience]:
    """The audiences named (``all`` for every one), in the order the dossier defines them."""
    known = {audience.id: audience for audience in dossier.audiences}
    if "all" in names:
        return list(dossier.audiences)
    unknown = [name for name in names if name not in known]
    if unknown:
        choices = ", ".join([*known, "all"])
        raise UnknownAudienceError(f"unknown audience {unknown[0]!r}; choose one of: {choices}")
    return [known[name] for name in dict.fromkeys(names)]


class Charts:
    """Charts a template asks for, drawn once per brief and shared by its HTML and PDF.

    Drawn charts are also kept in the user's cache, keyed by everything they are drawn
    from, so a rebuild whose chart data did not change does not even import matplotlib.
    """

    def __init__(self, brief: Brief, font_dir: Path | None) -> None:
        self.brief = brief
        self.font_dir = font_dir
        self._cache: dict[str, Chart | None] = {}

    def deliveries(self) -> Chart | None:
        if "deliveries" not in self._cache:
            rows = self.brief.programmes
            # Keyed by language too: the chart's own words come from the edition's catalogue.
            kind = f"deliveries:{self.brief.info.language}"
            self._cache["deliveries"] = cached_chart(
                kind, repr(rows), self.font_dir, lambda: delivery_chart(rows, self.font_dir)
            )
        return self._cache["deliveries"]

    def comparison(self, comparison: Comparison) -> Chart | None:
        key = f"compare:{self.brief.info.language}:{comparison.measure}"
        if key not in self._cache:
            self._cache[key] = cached_chart(
                key, repr(comparison), self.font_dir, lambda: comparison_chart(comparison, self.font_dir)
            )
        return self._cache[key]


def font_folder(templates: TemplateSet) -> Path | None:
    """The fonts charts are measured with: the first ``static/fonts`` on the search path."""
    return next((folder / "fonts" for folder in templates.static_folders if (folder / "fonts").is_dir()), None)


# A run this long without a space is a URL or an identifier, never a word to keep whole.
_LONG_WORD = re.compile(r"[^\s<>]{40,}")
# Elements whose text is not HTML text (a span inside them would change their meaning).


# In text: an entity (left alone), a very long word, or an ordinary word (with hyphens and apostrophes).
# A word with Hangul in it is all of its run without spaces ("NATO와", "2024년"): Hangul text breaks
# lines only between such words (word-break: keep-all), which the PDF renderer does not support.
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
_TOKEN = re.compile(
    rf"(?P<entity>&#?\w+;)|(?P<long>[^\s<>]{{40,}})|(?P<hangul>[^\s<>]*[{_HANGUL}][^\s<>]*)|(?P<word>[\w’'-]+)"
)


def _keep_whole(word: str) -> bool:
    """A name ("Szczecin", "Airbus"), a capitalised word or one with digits ("A400M", "Mk-II4"):
    never hyphenated (hyphenation patterns are for a language's ordinary words).  Shorter words
    cannot be hyphenated anyway (``hyphenate-limit-chars``: 5 characters)."""
    return len(word) >= 5 and (
        any(c.isupper() for c in word) or (any(c.isdigit() for c in word) and any(c.isalpha() for c in word))
    )


def _mark_text(text: str, names: bool) -> str:
    """``text`` (HTML text between tags) with long words, and with ``names`` runs of words to keep
    whole, wrapped in spans."""
    out: list[str] = []
    position = 0
    run: tuple[int, int] | None = None  # the run of words to keep whole being collected

    def close_run() -> None:
        nonlocal run
        if run is not None:
            out.append(f'<span class="nohyph">{text[run[0] : run[1]]}</span>')
            run = None

    for match in _TOKEN.finditer(text):
        if match.lastgroup == "hangul" and not names:
            continue
        if match.lastgroup == "word" and not (names and _keep_whole(match.group())):
            continue
        if match.lastgroup == "word":
            if run is not None and text[run[1] : match.start()].strip(" ") == "":
                run = (run[0], match.end())  # "New Zealand": one span for both words
            else:
                close_run()
                out.append(text[position : match.start()])
                run = (match.start(), match.end())
        else:
            close_run()
            out.append(text[position : match.start()])
            wrap = {"long": "long-word", "hangul": "keep-all"}.get(match.lastgroup or "")
            out.append(f'<span class="{wrap}">{match.group()}</span>' if wrap else match.group())
        position = match.end()
    close_run()
    out.append(text[position:])
    return "".join(out)


def mark_long_words(html: str, names: bool = False) -> str:
    """Wrap every very long word of ``html``'s text in ``<span class="long-word">``, and with
    ``names`` (the PDF) every run of names and capitalised words in ``<span class="nohyph">`` and
    every word written in Hangul in ``<span class="keep-all">``.

    The stylesheet lets a long-word span break anywhere, so a 10,000-character word or a URL
    wraps instead of running off the page, even in a table cell, whose width would
    otherwise grow to fit it.  Only such spans may break anywhere: ordinary words and
    table columns are laid out as before.  A nohyph span is never hyphenated: the PDF
    hyphenates ordinary words by the language's patterns, which would split "Po-land" or
    "By-dgoszcz".  A keep-all span is never broken: lines of Hangul break between words, not
    between syllables (``word-break: keep-all`` in the browser).  One pass over the text either way.
    """
    if not names and not _LONG_WORD.search(html):
        return html
    # A span in a link would get a link annotation of its own: names in links are left alone.
    return map_html_text(html, lambda piece, in_link: _mark_text(piece, names and not in_link))


@dataclass(frozen=True)
class RenderedBrief:
    audience: str
    files: tuple[OutputFile, ...]
    warnings: tuple[str, ...] = ()
    # For each output file, the template and static names its render read.
    dependencies: tuple[frozenset[str], ...] = ()
    language: str = ""
    # Why the PDF breaks its page budget, if it does (``generate brief --strict`` then writes nothing).
    over_budget: str | None = None


def pdf_html(
    brief: Brief,
    templates: TemplateSet,
    charts: Charts,
    env: jinja2.Environment | None = None,
    signed_by: str | None = None,
    passages: Passages | None = None,
) -> str:
    """The HTML the PDF renderer is given for ``brief``: the print version, names and words to keep
    whole marked.  One render: whether the brief is long enough for a contents list is decided
    from its page budget, not by rendering it twice to count the pages."""
    show_contents = brief.audience.page_budget > CONTENTS_MIN_PAGES
    html = render_html(
        brief,
        templates,
        "pdf",
        {"draw": charts},
        show_contents=show_contents,
        env=env,
        signed_by=signed_by,
        passages=passages,
    )
    return mark_long_words(html, names=True)


def annex_label(brief: Brief) -> str:
    """The annex heading as the brief prints it (the outline names it so)."""
    from briefing.languages.i18n import gettext, use_language

    with use_language(brief.info.language):
        return brief.label("annex", gettext("Annex"))


def pdf_base(templates: TemplateSet) -> Path:
    """The folder the PDF's relative URLs (fonts, images in CSS) resolve against."""
    return next((folder for folder in templates.static_folders if folder.is_dir()), templates.default / "static")


def render_brief(
    brief: Brief,
    templates: TemplateSet,
    formats: Iterable[str],
    out_dir: Path,
    stem: str,
    signed_by: str | None = None,
    sources_root: Path | None = None,
) -> RenderedBrief:
    """One audience's brief in each format, in memory (``signed_by``: who will sign it, for the
    colophon; ``sources_root``: the dossier folder, whose source files the notes link into)."""
    charts = Charts(brief, font_folder(templates))
    # One environment for every format, so templates compile once; it records what it reads.
    read: set[str] = set()
    env = templates.environment(read)
    files: list[OutputFile] = []
    warnings: list[str] = []
    # Files only the PDF renderer read (images named in CSS ``url()``), as names on the search path.
    fetched: set[str] = set()
    budget_exceeded: str | None = None
    if "html" in formats:
        passages = Passages(f"{stem}{COMPANION_SUFFIX}", sources_root)
        html = render_html(brief, templates, "html", {"draw": charts}, env=env, signed_by=signed_by, passages=passages)
        files.append(OutputFile(out_dir / f"{stem}.html", mark_long_words(html).encode("utf-8")))
        files += companion_page(passages, brief, templates, out_dir, env)
    if "pdf" in formats:
        from briefing.formats.render_pdf import render_pdf

        # The PDF may travel alone: its notes link only to public addresses, not to the sources page.
        print_html = pdf_html(brief, templates, charts, env, signed_by, Passages(None, sources_root))
        pdf = render_pdf(print_html, pdf_base(templates), templates.static_folders)
        fetched |= pdf.fetched
        files.append(OutputFile(out_dir / f"{stem}.pdf", pdf.data))
        warnings.extend(pdf.warnings)
        over = over_budget(pdf.pages, brief.audience.page_budget, pdf.outline)
        core = brief.audience.core
        if core is not None and brief.annex_sections:
            over = "; ".join(filter(None, (over, core_overrun(pdf.outline, annex_label(brief), core.pages)))) or None
        if over:
            warnings.append(over)
            budget_exceeded = over
    if "docx" in formats:
        from briefing.formats.render_docx import render_docx

        # Built from the print HTML (footnotes inline, charts as images); Word makes its own contents.
        links = Passages(f"{stem}{COMPANION_SUFFIX}", sources_root)
        print_html = render_html(
            brief, templates, "pdf", {"draw": charts}, env=env, signed_by=signed_by, passages=links
        )
        docx = render_docx(print_html, templates.static_folders)
        files.append(OutputFile(out_dir / f"{stem}.docx", docx.data))
        read.update(docx.static_files)
    pdf_reads = frozenset(read | {f"static/{name}" for name in fetched})
    dependencies = tuple(pdf_reads if output.path.suffix == ".pdf" else frozenset(read) for output in files)
    return RenderedBrief(
        brief.audience.id, tuple(files), tuple(warnings), tuple(dependencies), brief.info.language, budget_exceeded
    )


@dataclass(frozen=True)
class _Job:
    brief: Brief
    formats: tuple[str, ...]
    stem: str
    signed_by: str | None = None
    sources_root: Path | None = None


_renderer_import: threading.Thread | None = None


def _start_importing_renderer() -> None:
    """Import WeasyPrint in a background thread while the dossier is selected and the HTML
    rendered: much of its import is loading C libraries and font configuration, during which the
    main thread runs.  Called only once a PDF is known to be due, so an up-to-date build never
    imports it."""
    global _renderer_import
    if _renderer_import is None and "weasyprint" not in sys.modules:
        _renderer_import = threading.Thread(target=importlib.import_module, args=("weasyprint",), daemon=True)
        _renderer_import.start()


def _renderer_imported() -> None:
    """Wait for the background import (before forking: a child must not inherit a half-held import lock)."""
    if _renderer_import is not None:
        _renderer_import.join()


def _render_job(job: _Job, templates: TemplateSet, out_dir: Path) -> RenderedBrief:
    return render_brief(job.brief, templates, job.formats, out_dir, job.stem, job.signed_by, job.sources_root)


def _render_all(jobs: Sequence[_Job], templates: TemplateSet, out_dir: Path, parallel: bool) -> list[RenderedBrief]:
    """Render every job, across the machine's cores when several PDFs are due; same bytes either way."""
    cores = os.cpu_count() or 1
    # One worker more than cores: with three briefs on two cores, two workers would leave one core
    # idle while the other renders the third brief alone; three share both cores to the end.
    workers = min(cores + 1, len(jobs))
    if not parallel or cores < 2 or workers < 2 or sum("pdf" in job.formats for job in jobs) < 2:
        return [_render_job(job, templates, out_dir) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from briefing.formats.render_pdf import warm_up

    _renderer_imported()
    # Import WeasyPrint and lay out a small page in the brief's fonts and styles once, before
    # forking: the workers inherit the loaded fonts, font configuration and hyphenation patterns
    # instead of each building them again.
    warm_up(jobs[0].brief.info.language, templates.static_folders)

    # Longest briefs first, so the cores finish together; results come back in job order.
    order = sorted(range(len(jobs)), key=lambda index: -jobs[index].brief.audience.page_budget)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {index: pool.submit(_render_job, jobs[index], templates, out_dir) for index in order}
        return [futures[index].result() for index in range(len(jobs))]


@dataclass
class BuildResult:
    briefs: list[RenderedBrief] = field(default_factory=list)
    # Outputs that were already current and were not rendered again.
    up_to_date: list[Path] = field(default_factory=list)
    # Figures older than the staleness limit of some audience built ('generate check' lists them).
    stale_figures: int = 0


def with_changes(brief: Brief, dossier: Dossier, earlier: Earlier | None) -> Brief:
    """``brief`` with what changed since the ``earlier`` edition (``changes.py``), if there is one."""
    if earlier is None:
        return brief
    from briefing.build.changes import audience_changes

    return replace(brief, changes=audience_changes(earlier.dossier, earlier.name, dossier, brief))


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr, flush=True)


def _language_files(root: Path, language: str, original: str) -> tuple[Path, ...]:
    """The files an edition in ``language`` depends on beyond the dossier: its translation file
    and the tool's catalogue (none for the original language)."""
    if language == original:
        return ()
    from briefing.languages.i18n import catalogue_file
    from briefing.languages.translate import file_of

    files = (file_of(root, language), catalogue_file(language))
    return tuple(path for path in files if path is not None and path.is_file())


def _companion_current(state: BuildState, path: Path, inputs: Inputs) -> bool:
    """Whether the sources page an HTML brief was written with (if any) is still as written."""
    companion = path.with_name(path.name.removesuffix(".html") + COMPANION_SUFFIX)
    return path.suffix != ".html" or companion.name not in state.entries or state.is_current(companion, inputs)


def build_briefs(
    data_dir: Path,
    out_dir: Path,
    audiences: Sequence[str],
    formats: Sequence[str] = FORMATS,
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

    Outputs whose inputs have not changed since they were written are left alone
    (``force`` renders them anyway); several PDFs render in parallel.  Another build
    into the same folder is waited for; ``note`` tells the user (one line each).

    Each brief lists what changed since an earlier published edition: the one ``since`` names
    (an edition in ``editions``, a path, or "none"), by default the latest before this one.

    ``languages`` names the editions to build (``all``: every declared language); none: the original.
    With ``strict``, a PDF over its page budget stops the build before anything is written.
    ``signed_by`` names who will sign the PDFs (``generate publish --sign``): the colophon says so.
    """
    from briefing.build.editions import earlier_edition
    from briefing.build.incremental import BuildState, Inputs
    from briefing.languages.i18n import choose_languages, use_language

    given = templates or TemplateSet()
    loaded = load(data_dir, given)
    raw, dossier, templates = loaded.raw, loaded.dossier, loaded.templates
    chosen = choose_audiences(dossier, audiences)
    earlier = earlier_edition(since, data_dir, editions, dossier.dossier, given, note)
    compared = earlier.files if earlier else ()  # a brief depends on the edition it is compared with
    shared_data = tuple(path for path in raw.files if path not in raw.audience_files)
    result = BuildResult()
    result.stale_figures = sum(
        any(is_stale(figure, dossier.dossier.date, a.stale_after_months) for a in chosen)
        for fact in dossier.facts
        for figure in fact.figures
    )
    chosen_languages = choose_languages(dossier.dossier.editions, tuple(languages))
    for language in chosen_languages:
        loaded.dossier_in(language)  # a translation stating other numbers stops its edition now, before any write
    stems = {
        (audience.id, language): edition_stem(dossier, audience.id, language)
        for language in chosen_languages
        for audience in chosen
    }
    targets = {name: [out_dir / f"{stem}.{output_format}" for output_format in formats] for name, stem in stems.items()}
    # An edition in another language also depends on its translation file and the tool's catalogue.
    original = dossier.dossier.language
    language_files = {language: _language_files(raw.root, language, original) for language in chosen_languages}
    # From deciding what is out of date to saving the record, this build is the folder's only writer.
    with folder_lock(out_dir, lambda: note(f"waiting for another build into {out_dir} to finish")):
        remove_leftovers(path for paths in targets.values() for path in paths)
        state = BuildState.load(out_dir)
        jobs: list[_Job] = []
        inputs: dict[Path, Inputs] = {}
        for language, audience in ((language, audience) for language in chosen_languages for audience in chosen):
            index = dossier.audiences.index(audience)
            own_profile = raw.audience_files[index]
            stem = stems[(audience.id, language)]
            due = []
            data = (*shared_data, own_profile, *compared, *language_files[language])
            for output_format, path in zip(formats, targets[(audience.id, language)], strict=True):
                # Who signs is printed in the colophon: a brief built for another signer is out of date.
                signing = f" signed by {signed_by}" if signed_by else ""
                inputs[path] = Inputs(data, templates, output_format + signing)
                current = state.is_current(path, inputs[path]) and _companion_current(state, path, inputs[path])
                if force or not current:
                    due.append(output_format)
                else:
                    result.up_to_date.append(path)
            if due:
                if "pdf" in due:
                    _start_importing_renderer()
                edition = loaded.dossier_in(language)
                # Dates and numbers the selection writes ("as of October 2024") are in the edition's language;
                # grades are worked out on the original's words, so that every edition prints the same.
                with use_language(language):
                    selected = select_for_audience(edition, edition.audiences[index], original=dossier)
                    selected = with_changes(selected, dossier, earlier)
                jobs.append(_Job(selected, tuple(due), stem, signed_by, raw.root))
        if jobs:  # a character no font has prints as an empty box, and the render still succeeds
            from briefing.dossier.check import missing_glyphs

            undrawn = len(missing_glyphs(raw.data, raw.origins, templates))
            translated = [language for language in chosen_languages if language != dossier.dossier.language]
            for source in (loaded.translations.files if translated else {}).values():
                if source.language in translated:
                    undrawn += len(missing_glyphs(source.raw, source.origins, templates))
            if undrawn:
                note(
                    f"{undrawn} text field(s) have characters no font of the templates has: they print as empty "
                    "boxes ('generate check' lists them)"
                )
        result.briefs = _render_all(jobs, templates, out_dir, parallel)
        over = [
            f"{brief.audience}{'.' + brief.language if brief.language != original else ''}: {brief.over_budget}"
            for brief in result.briefs
            if brief.over_budget
        ]
        if strict and over:
            raise BudgetError("page budget exceeded (--strict), nothing written:\n" + "\n".join(f"  {o}" for o in over))
        write_outputs([output for brief in result.briefs for output in brief.files])
        for brief in result.briefs:
            for output, read in zip(brief.files, brief.dependencies, strict=True):
                # The sources page is recorded with the HTML brief it belongs to.
                made_with = inputs.get(output.path) or inputs[companion_of(output.path)]
                state.record(output.path, output.data, made_with, read)
        problem = state.save()
    if problem:
        note(problem)
    return result
