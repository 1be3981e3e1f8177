"""The Word edition: the brief as a .docx, built from the same print HTML the PDF is rendered from.

The HTML for the PDF is our own markup with a known structure (headings, the key-points
box, lists of cited claims, tables, figures, footnotes as ``<span class="footnote">``), so
walking it gives a Word document that follows every template change and selection without
a second set of templates.  python-docx builds the document; what it has no API for (real
footnotes, fields, repeated header rows, borders, numbering restarts) is added as
WordprocessingML.  Charts arrive as SVG; Word needs a bitmap, drawn with resvg from the
brief's own fonts.  Nothing is fetched from the network, and like the PDF renderer only
files inside the template folders may be used.  The parts live in ``briefing.formats.word``.

What a Word file may hold: nothing that loads or fetches by itself.  Pictures are embedded; the
only external relationships are hyperlinks a reader clicks, as the HTML brief's (a note's source to
its passage: a web page, or the sources page beside the file; ``sanitize.is_clickable``), any
other address is printed as its text; and no field but PAGE, NUMPAGES and the contents' TOC (none
that fetches: INCLUDEPICTURE, INCLUDETEXT, LINK, DDE).  Cross-references inside the brief are
internal hyperlinks to bookmarks.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from briefing.formats.word.parts import declare_fonts, document_properties, fixed_zip, footnotes_part, header_footer
from briefing.formats.word.styles import setup_styles
from briefing.formats.word.tree import parse_html
from briefing.formats.word.wml import qn, relate_links, xml_safe
from briefing.formats.word.writer import RenderedDocx, Where, Writer
from briefing.languages import i18n

__all__ = ["RenderedDocx", "render_docx"]


def render_docx(html: str, static_folders: Sequence[Path]) -> RenderedDocx:
    """The brief in ``html`` (rendered for print) as a Word document.

    Raises ``RenderError`` for an image it may not use or cannot read.
    """
    import docx

    tree = parse_html(xml_safe(html))
    document = docx.Document()
    html_element = next(tree.elements("html"), None)
    language = html_element.attrs.get("lang", "") if html_element else ""
    setup_styles(document, language)
    body = document.element.body
    for paragraph in body.findall(qn("w:p")):  # the template's empty first paragraph
        body.remove(paragraph)
    writer = Writer(document, static_folders)
    writer.language = language
    writer.blocks(tree.children, Where(document))
    relate_links(document.element, document.part)
    page_words = i18n.translations(language).gettext("Page %(page)s of %(pages)s")
    header_footer(document, writer.marking, writer.running_title, page_words)
    footnotes_part(document, writer.footnotes)
    declare_fonts(document)
    document_properties(document, writer.title, writer.meta, writer.language, writer.marking)
    out = io.BytesIO()
    document.save(out)
    return RenderedDocx(fixed_zip(out.getvalue()), frozenset(writer.static_used))
