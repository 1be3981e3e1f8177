"""Rendering: a selected brief in each format asked for, in memory.

Each brief's HTML is rendered once for the screen and once for print (whichever the formats
need), and each format (``formats/registry.py``) makes its file from one of them: the HTML
brief from the screen HTML, the PDF and the Word file from the print HTML.  The PDF's notes
link only to public addresses, the HTML brief's and the Word file's also to the brief's sources
page (``formats/passages.py``), so the print HTML is rendered once per link kind the formats
ask for; a format whose notes link to the sources page writes it beside its file.  Charts are
drawn once per brief and shared.  Several slow formats (PDFs) are rendered across the
machine's cores; the bytes are the same either way.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.build.budget import core_overrun, over_budget
from briefing.formats.breaks import mark_long_words
from briefing.formats.charts import Chart, cached_chart, comparison_chart, delivery_chart
from briefing.formats.passages import COMPANION_SUFFIX, Passages, companion_page
from briefing.formats.registry import FORMATS, Rendered, SourceHtml
from briefing.formats.render_html import TemplateSet, render_html
from briefing.formats.sanitize import Removed
from briefing.output import OutputFile
from briefing.view.model import Brief, Comparison

if TYPE_CHECKING:
    import jinja2

# Briefs whose page budget is this many pages or fewer get no table of contents in print.
CONTENTS_MIN_PAGES = 2


class Charts:
    """Charts a template asks for, drawn once per brief and shared by its formats.

    Drawn charts are also kept in the user's cache, keyed by everything they are drawn
    from, so a rebuild whose chart data did not change draws nothing.
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


class BriefHtml:
    """The HTML renderings of one brief, each rendered on first use and then kept.

    ``signed_by`` names who will sign the published PDF (the colophon says so); ``sources_root``
    is the dossier folder, whose source files the notes link into; ``stem`` names the sources page
    (``<stem>.sources.html``).
    """

    def __init__(
        self,
        brief: Brief,
        templates: TemplateSet,
        env: jinja2.Environment | None,
        charts: Charts | None = None,
        stem: str = "",
        signed_by: str | None = None,
        sources_root: Path | None = None,
    ) -> None:
        self.brief = brief
        self.templates = templates
        self.env = env or templates.environment()
        self.charts = charts or Charts(brief, font_folder(templates))
        self.stem = stem
        self.signed_by = signed_by
        self.sources_root = sources_root
        self._rendered: dict[tuple[str, bool], SourceHtml] = {}
        # What cleaning removed from each of the brief's documents ("screen", "print", the
        # sources page), however many times it was rendered.
        self._removed: dict[str, Removed] = {}

    def source(self, which: str, sources_page: bool = False) -> SourceHtml:
        """``screen`` (the browser's) or ``print`` (footnotes and charts inline; a contents list
        unless the brief is short); with ``sources_page``, notes to a stored source link to the
        brief's sources page, which comes with it, else only to public addresses."""
        key = (which, sources_page)
        if key not in self._rendered:
            companion = f"{self.stem}{COMPANION_SUFFIX}" if sources_page else None
            passages = Passages(companion, self.sources_root)
            draw = {"draw": self.charts}
            contents = which == "screen" or self.brief.audience.page_budget > CONTENTS_MIN_PAGES
            removed, page_removed = Removed(), Removed()
            text = render_html(
                self.brief,
                self.templates,
                "html" if which == "screen" else "pdf",
                draw,
                show_contents=contents,
                env=self.env,
                signed_by=self.signed_by,
                passages=passages,
                removed=removed,
            )
            page = companion_page(passages, self.brief, self.templates, self.env, page_removed)
            self._rendered[key] = SourceHtml(text, ((COMPANION_SUFFIX, page),) if page is not None else ())
            # The same document rendered again (for other links, another format) loses the same.
            for document, lost in ((which, removed), (COMPANION_SUFFIX, page_removed)):
                self._removed[document] = self._removed.get(document, Removed()) | lost
        return self._rendered[key]

    def removed(self) -> Removed:
        """What cleaning removed from the documents rendered so far, each document counted once."""
        total = Removed()
        for lost in self._removed.values():
            total.include(lost)
        return total


def pdf_html(brief: Brief, templates: TemplateSet, charts: Charts, env: jinja2.Environment | None = None) -> str:
    """The HTML the PDF renderer is given for ``brief``: the print version, names and words to keep
    whole marked.  One render: whether the brief is long enough for a contents list is decided
    from its page budget, not by rendering it twice to count the pages."""
    return mark_long_words(BriefHtml(brief, templates, env, charts).source("print").text, names=True)


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


def render_brief(
    brief: Brief,
    templates: TemplateSet,
    formats: Sequence[str],
    out_dir: Path,
    stem: str,
    env: jinja2.Environment | None = None,
    signed_by: str | None = None,
    sources_root: Path | None = None,
) -> RenderedBrief:
    """One audience's brief in each of ``formats``, in memory, as ``out_dir/<stem><suffix>``, with
    the files they link to beside them (the sources page, once however many formats link to it).

    Pass ``env`` to reuse compiled templates across briefs (the preview); by default one
    environment serves every format of this brief and records what it reads.  ``signed_by``:
    who will sign the PDF, for the colophon; ``sources_root``: the dossier folder, whose source
    files the notes link into (none: notes link only to public addresses).
    """
    read: set[str] = set()
    html = BriefHtml(brief, templates, env or templates.environment(read), None, stem, signed_by, sources_root)
    rendered = {
        name: FORMATS[name].render(html.source(FORMATS[name].source, FORMATS[name].sources_page), templates)
        for name in formats
    }
    files: dict[Path, OutputFile] = {}
    dependencies: dict[Path, frozenset[str]] = {}
    for name in formats:
        made = [(FORMATS[name].suffix, rendered[name].data), *rendered[name].extra]
        for suffix, data in made:
            path = out_dir / f"{stem}{suffix}"
            # A page two formats link to (the sources page) is the same page: written once.
            files.setdefault(path, OutputFile(path, data))
            dependencies[path] = dependencies.get(path, frozenset()) | read | rendered[name].reads
    warnings = [warning for name in formats for warning in rendered[name].warnings]
    # Told once for the brief, whichever formats were made from its cleaned documents.
    if removed := html.removed():
        warnings.append(removed.message())
    over = next((overrun for name in formats if (overrun := budget_overrun(brief, rendered[name]))), None)
    if over:
        warnings.append(over)
    return RenderedBrief(
        brief.audience.id,
        tuple(files.values()),
        tuple(warnings),
        tuple(dependencies[path] for path in files),
        brief.info.language,
        over,
    )


def budget_overrun(brief: Brief, rendered: Rendered) -> str | None:
    """Why a paged rendering breaks the profile's page budget (and its core's, with an annex), or None."""
    if rendered.pages is None:
        return None
    over = over_budget(rendered.pages, brief.audience.page_budget, rendered.outline)
    core = brief.audience.core
    if core is not None and brief.annex_sections:
        over = "; ".join(filter(None, (over, core_overrun(rendered.outline, annex_label(brief), core.pages)))) or None
    return over


def annex_label(brief: Brief) -> str:
    """The annex heading as the brief prints it (the outline names it so)."""
    from briefing.languages.i18n import gettext, use_language

    with use_language(brief.info.language):
        return brief.label("annex", gettext("Annex"))


@dataclass(frozen=True)
class RenderJob:
    brief: Brief
    formats: tuple[str, ...]
    stem: str
    signed_by: str | None = None  # who will sign the PDF (``generate publish --sign``), for the colophon
    sources_root: Path | None = None  # the dossier folder, whose source files the notes link into


_library_imports: dict[str, threading.Thread] = {}


def start_importing(formats: Sequence[str]) -> None:
    """Import the slow formats' libraries (WeasyPrint) in a background thread while the briefs are
    selected and the HTML rendered: much of such an import is loading C libraries and font
    configuration, during which the main thread runs.  Called only once such a format is due,
    so an up-to-date build never imports them."""
    for name in formats:
        library = FORMATS[name].library
        if library is not None and library not in _library_imports and library not in sys.modules:
            thread = threading.Thread(target=importlib.import_module, args=(library,), daemon=True)
            _library_imports[library] = thread
            thread.start()


def _libraries_imported() -> None:
    """Wait for the background imports (before forking: a child must not inherit a half-held import lock)."""
    for thread in _library_imports.values():
        thread.join()


def render_job(
    job: RenderJob, templates: TemplateSet, out_dir: Path, env: jinja2.Environment | None = None
) -> RenderedBrief:
    """``render_brief`` for a job of the plan (``Plan.render_job``)."""
    return render_brief(
        job.brief,
        templates,
        job.formats,
        out_dir,
        job.stem,
        env,
        signed_by=job.signed_by,
        sources_root=job.sources_root,
    )


def render_all(jobs: Sequence[RenderJob], templates: TemplateSet, out_dir: Path, parallel: bool) -> list[RenderedBrief]:
    """Render every job, across the machine's cores when several slow formats are due; same bytes either way."""
    cores = os.cpu_count() or 1
    # One worker more than cores: with three briefs on two cores, two workers would leave one core
    # idle while the other renders the third brief alone; three share both cores to the end.
    workers = min(cores + 1, len(jobs))
    slow = sum(any(FORMATS[name].slow for name in job.formats) for job in jobs)
    if not parallel or cores < 2 or workers < 2 or slow < 2:
        return [render_job(job, templates, out_dir) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _libraries_imported()
    for name in dict.fromkeys(name for job in jobs for name in job.formats):
        if (warm_up := FORMATS[name].warm_up) is not None:
            warm_up(jobs[0].brief.info.language, templates)

    # Longest briefs first, so the cores finish together; results come back in job order.
    order = sorted(range(len(jobs)), key=lambda index: -jobs[index].brief.audience.page_budget)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {index: pool.submit(render_job, jobs[index], templates, out_dir) for index in order}
        return [futures[index].result() for index in range(len(jobs))]
