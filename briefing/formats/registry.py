"""The formats a brief is written in, as entries of one registry (as Pelican's writers are).

Every format has the same interface: its name (what ``--format`` says), the suffix of its
files, which HTML of the brief it is made from (the screen HTML, or the print HTML with
footnotes and charts inline), where its notes link (to the brief's sources page written
beside it, or only to public addresses), and a function from that HTML to the file's bytes.
The build renders each HTML once per brief and link kind and hands it to every format that is
made from it; nothing outside this module asks which format it is dealing with.  A new format
is one more entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from briefing.formats.breaks import mark_long_words
from briefing.formats.passages import COMPANION_SUFFIX
from briefing.formats.render_html import TemplateSet

# A label with the section it heads, its depth and where it starts, in pages from the top of page 1.
Outline = tuple[tuple[str, int, float], ...]


@dataclass(frozen=True)
class SourceHtml:
    """One rendering of a brief's HTML, as a format is given it."""

    text: str
    # Pages its notes link to, written beside the format's file: (suffix, HTML), e.g. the sources
    # page (".sources.html") with each quoted passage marked; none when its notes link only to
    # public addresses.
    pages: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Rendered:
    """One brief in one format."""

    data: bytes
    # What the render read besides templates, as names on the search path ("static/fonts/x.ttf",
    # an image in static/): with the templates, what the up-to-date check fingerprints.
    reads: frozenset[str] = frozenset()
    # Shown to the user, not fatal (CSS the PDF renderer ignored).
    warnings: tuple[str, ...] = ()
    # A paged format's page count and outline, for the profile's page budget; None: not paged.
    pages: int | None = None
    outline: Outline = ()
    # Files written beside it, named ``<stem><suffix>``: (suffix, bytes), e.g. the sources page.
    extra: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class OutputFormat:
    name: str  # as ``--format`` names it
    suffix: str  # of its files: "<id>-<audience>[.<lang>]<suffix>"
    source: Literal["screen", "print"]  # the HTML it is made from
    render: Callable[[SourceHtml, TemplateSet], Rendered]  # that HTML and the search path -> the file
    # Whether its notes link to the brief's sources page (written beside it, in ``Rendered.extra``):
    # an HTML brief and a Word file are read in a folder of files; a PDF may travel alone, so its
    # notes link only to public addresses.
    sources_page: bool = False
    # Takes seconds a brief: several are rendered in parallel processes, and ``library`` is
    # imported in the background while the briefs are selected.
    slow: bool = False
    library: str | None = None
    # Done once before the parallel processes start, so that each inherits it: (language, search path).
    warm_up: Callable[[str, TemplateSet], None] | None = None

    @property
    def beside(self) -> tuple[str, ...]:
        """Suffixes of the files it may write beside its own (``Rendered.extra``)."""
        return (COMPANION_SUFFIX,) if self.sources_page else ()


def pdf_base(templates: TemplateSet) -> Path:
    """The folder the PDF's relative URLs (fonts, images in CSS) resolve against."""
    return next((folder for folder in templates.static_folders if folder.is_dir()), templates.default / "static")


def _pages(html: SourceHtml) -> tuple[tuple[str, bytes], ...]:
    return tuple((suffix, page.encode("utf-8")) for suffix, page in html.pages)


def _html(html: SourceHtml, templates: TemplateSet) -> Rendered:
    return Rendered(mark_long_words(html.text).encode("utf-8"), extra=_pages(html))


def _pdf(html: SourceHtml, templates: TemplateSet) -> Rendered:
    """The print HTML with names and words kept whole (the PDF hyphenates), laid out by WeasyPrint."""
    from briefing.formats.render_pdf import render_pdf

    pdf = render_pdf(mark_long_words(html.text, names=True), pdf_base(templates), templates.static_folders)
    reads = frozenset(f"static/{name}" for name in pdf.fetched)
    return Rendered(pdf.data, reads, pdf.warnings, pdf.pages, pdf.outline)


def _warm_up_pdf(language: str, templates: TemplateSet) -> None:
    """Import WeasyPrint and lay out a small page in the brief's fonts and styles: the processes
    forked after it inherit the loaded fonts, font configuration and hyphenation patterns instead
    of each building them again."""
    from briefing.formats.render_pdf import warm_up

    warm_up(language, templates.static_folders)


def _docx(html: SourceHtml, templates: TemplateSet) -> Rendered:
    """Built from the print HTML (footnotes inline, charts as images); Word makes its own contents.
    Its notes link as the HTML brief's do, so the sources page is written beside it too."""
    from briefing.formats.render_docx import render_docx

    docx = render_docx(html.text, templates.static_folders)
    return Rendered(docx.data, docx.static_files, extra=_pages(html))


# In the order a build writes them.
FORMATS: dict[str, OutputFormat] = {
    entry.name: entry
    for entry in (
        OutputFormat("html", ".html", "screen", _html, sources_page=True),
        OutputFormat("pdf", ".pdf", "print", _pdf, slow=True, library="weasyprint", warm_up=_warm_up_pdf),
        OutputFormat("docx", ".docx", "print", _docx, sources_page=True),
    )
}
DEFAULT_FORMATS = ("html", "pdf")  # what a build writes unless told otherwise
