"""Styles: the paragraph and character styles that make the Word edition look like the PDF."""

from __future__ import annotations

from typing import Any

from briefing.formats.word.look import ACCENT, HANGUL, INK, MUTED, RULE, SANS, SERIF, TEXT_WIDTH_MM
from briefing.formats.word.wml import el, qn, set_ppr


def _fonts(element: Any, font: str) -> None:
    """Set a style's or default's fonts outright (theme fonts would otherwise win)."""
    rpr = element.get_or_add_rPr()
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    rpr.insert(0, el("w:rFonts", ascii=font, hAnsi=font, cs=font, eastAsia=HANGUL))


def _style(
    document: Any,
    name: str,
    *,
    font: str = SERIF,
    size: float | None = None,
    bold: bool | None = None,
    italic: bool | None = None,
    color: str | None = INK,
    before: float | None = None,
    after: float | None = None,
    line: float | None = None,
    base: str | None = "Normal",
    kind: str = "paragraph",
    style_id: str | None = None,
) -> Any:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    try:
        style = document.styles[name]
    except KeyError:
        style_type = WD_STYLE_TYPE.PARAGRAPH if kind == "paragraph" else WD_STYLE_TYPE.CHARACTER
        style = document.styles.add_style(name, style_type)
        if style_id:
            style.element.set(qn("w:styleId"), style_id)
        if base:
            style.base_style = document.styles[base]
        style.quick_style = True
    element = style.element
    for old in element.findall(qn("w:rPr")):
        element.remove(old)
    _fonts(element, font)
    style.font.size = Pt(size) if size else None
    style.font.bold = bold
    style.font.italic = italic
    if color:
        style.font.color.rgb = RGBColor.from_string(color)
    if kind == "paragraph":
        paragraph_format = style.paragraph_format
        if before is not None:
            paragraph_format.space_before = Pt(before)
        if after is not None:
            paragraph_format.space_after = Pt(after)
        if line is not None:
            paragraph_format.line_spacing = line
    return style


def setup_styles(document: Any, language: str) -> None:
    from docx.shared import Pt

    styles = document.styles.element
    # Every style of the template, used or not (a Word user may apply "Heading 4"), draws Hangul
    # in the brief's Hangul font rather than the theme's East Asian font.
    for fonts in styles.iter(qn("w:rFonts")):
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), HANGUL)
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    for tag in ("w:rFonts", "w:lang"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    rpr.insert(0, el("w:rFonts", ascii=SERIF, hAnsi=SERIF, cs=SERIF, eastAsia=HANGUL))
    if language:
        rpr.append(el("w:lang", val=language, eastAsia=language, bidi=language))

    _style(document, "Normal", size=10, after=5, line=1.2, base=None)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        ppr = document.styles[name].element.get_or_add_pPr()
        for tag in ("w:pBdr", "w:contextualSpacing"):
            for old in ppr.findall(qn(tag)):
                ppr.remove(old)
    _style(document, "Title", font=SANS, size=20, bold=True, before=4, after=10, line=1.1)
    h1 = _style(document, "Heading 1", font=SANS, size=12.5, bold=True, color=ACCENT, before=14, after=5, line=1.1)
    set_ppr(h1.element.get_or_add_pPr(), el("w:pBdr", [el("w:bottom", val="single", sz="4", space="2", color=RULE)]))
    _style(document, "Heading 2", font=SANS, size=10.5, bold=True, before=9, after=3, line=1.1)
    _style(document, "Heading 3", font=SANS, size=10, bold=True, italic=False, before=6, after=2, line=1.1)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        document.styles[name].paragraph_format.keep_with_next = True
    _style(document, "Subtitle", font=SANS, size=12, color=MUTED, after=8)
    _style(document, "Publisher", font=SANS, size=8, bold=True, color=ACCENT, after=1)
    document.styles["Publisher"].font.all_caps = True
    _style(document, "Series", font=SANS, size=8.5, color=MUTED, after=6)
    _style(document, "Lead", size=10.5, bold=True, before=4, after=6)
    _style(document, "Intro", italic=True, color=MUTED)
    _style(document, "Brief Note", font=SANS, size=8.5, color=MUTED, after=3)
    _style(document, "Definition", font=SANS, size=9, after=1)
    definition = document.styles["Definition"].paragraph_format
    definition.left_indent = Pt(100)
    definition.first_line_indent = Pt(-100)
    definition.tab_stops.add_tab_stop(Pt(100))
    _style(document, "Caption", font=SANS, size=8, bold=False, italic=False, color=MUTED, before=3, after=10)
    _style(document, "Table Text", font=SANS, size=8.5, after=0, line=1.1)
    _style(document, "Table Gap", size=4, after=6)
    _style(document, "Figure", after=2, before=6)
    figure = document.styles["Figure"].paragraph_format
    figure.keep_with_next = True
    figure.alignment = 1  # centred
    _style(document, "Colophon", font=SANS, size=7.5, color=MUTED, before=12)
    _style(document, "TOC Heading", font=SANS, size=12.5, bold=True, color=ACCENT, before=14, after=5)
    _style(document, "toc 1", font=SANS, size=9, after=2)
    for name in ("List Bullet", "List Number", "List Bullet 2", "List Number 2", "List Continue", "List Continue 2"):
        _style(document, name, after=4)
    _style(document, "footnote text", font=SANS, size=7.5, after=1, line=1.0, style_id="FootnoteText")
    reference = _style(
        document, "footnote reference", font=SANS, color=ACCENT, kind="character", base=None,
        style_id="FootnoteReference",
    )  # fmt: skip
    reference.font.superscript = True
    # A link a reader may click (a note's source to its passage), as the HTML brief shows one:
    # the accent colour, underlined; in the font of the text around it.
    link = _style(document, "Hyperlink", color=ACCENT, kind="character", base=None, style_id="Hyperlink")
    for fonts in link.element.get_or_add_rPr().findall(qn("w:rFonts")):
        fonts.getparent().remove(fonts)
    link.font.underline = True
    for name in ("Header", "Footer"):
        style = _style(document, name, font=SANS, size=7.5, color=MUTED, after=0)
        ppr = style.element.get_or_add_pPr()
        for old in ppr.findall(qn("w:tabs")):
            ppr.remove(old)
        style.paragraph_format.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_MM / 25.4 * 72), alignment=2)  # right
