"""WordprocessingML helpers: elements, runs, fields and paragraph properties in schema order."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from briefing.formats.word.inline import Fmt
from briefing.formats.word.look import HANGUL, SANS

# Characters XML 1.0 forbids (controls, U+FFFE, U+FFFF, lone surrogates): lxml refuses them with a
# traceback.  The input checks refuse them in a dossier; the writer replaces any that still arrive.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def qn(name: str) -> str:
    from docx.oxml.ns import qn as docx_qn

    return str(docx_qn(name))


def el(tag: str, children: Sequence[Any] = (), **attrs: str) -> Any:
    """A WordprocessingML element: ``el("w:sz", val="20")`` -> ``<w:sz w:val="20"/>``."""
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn("w:" + name), value)
    for child in children:
        element.append(child)
    return element


# A hyperlink's address is kept on its element (an attribute in no namespace) only until
# ``relate_links`` turns it into a relationship of the part the link lives in.
LINK_ADDRESS = "briefing-link"


def relate_links(root: Any, part: Any) -> None:
    """Give each hyperlink under ``root`` that ``Writer.external_link`` made its relationship in
    ``part``: an external hyperlink (opened on a click), never a picture, template or other part."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    for link in root.iter(qn("w:hyperlink")):
        address = link.attrib.pop(LINK_ADDRESS, None)
        if address is not None:
            link.set(qn("r:id"), part.relate_to(address, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))


def run_properties(fmt: Fmt, style: str | None = None) -> Any:
    """Run properties, children in the order the schema requires."""
    parts = []
    if style:
        parts.append(el("w:rStyle", val=style))
    if fmt.sans:
        parts.append(el("w:rFonts", ascii=SANS, hAnsi=SANS, cs=SANS, eastAsia=HANGUL))
    if fmt.bold:
        parts += [el("w:b"), el("w:bCs")]
    if fmt.italic:
        parts += [el("w:i"), el("w:iCs")]
    if fmt.caps:
        parts.append(el("w:caps"))
    if fmt.color:
        parts.append(el("w:color", val=fmt.color))
    if fmt.size:
        half_points = str(round(fmt.size * 2))
        parts += [el("w:sz", val=half_points), el("w:szCs", val=half_points)]
    if fmt.border:
        parts.append(el("w:bdr", val="single", sz="4", space="1", color=fmt.border))
    if fmt.vertical:
        parts.append(el("w:vertAlign", val=fmt.vertical))
    if fmt.lang:
        parts.append(el("w:lang", val=fmt.lang, eastAsia=fmt.lang, bidi=fmt.lang))
    return el("w:rPr", parts)


def text_run(text: str, fmt: Fmt, style: str | None = None) -> Any:
    run = el("w:r", [run_properties(fmt, style)])
    pieces = text.split("\t")
    for index, piece in enumerate(pieces):
        if index:
            run.append(el("w:tab"))
        if piece:
            t = el("w:t")
            t.text = piece
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.append(t)
    return run


def field_runs(instruction: str, shown: str, fmt: Fmt) -> list[Any]:
    """A complex field (PAGE, NUMPAGES) with its last value shown until Word updates it."""
    instr = el("w:instrText")
    instr.text = f" {instruction} "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return [
        el("w:r", [run_properties(fmt), el("w:fldChar", fldCharType="begin")]),
        el("w:r", [run_properties(fmt), instr]),
        el("w:r", [run_properties(fmt), el("w:fldChar", fldCharType="separate")]),
        text_run(shown, fmt),
        el("w:r", [run_properties(fmt), el("w:fldChar", fldCharType="end")]),
    ]


def set_ppr(paragraph: Any, *children: Any) -> None:
    """Set paragraph properties (of a paragraph or a style's ``w:pPr``), each in its schema place."""
    ppr = paragraph if paragraph.tag == qn("w:pPr") else paragraph.get_or_add_pPr()
    order = [
        "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
        "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
        "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
        "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
        "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
        "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
    ]  # fmt: skip
    rank = {qn(tag): index for index, tag in enumerate(order)}
    for child in children:
        for old in ppr.findall(child.tag):
            ppr.remove(old)
        position = len(ppr)
        for index, existing in enumerate(ppr):
            if rank.get(existing.tag, 0) > rank[child.tag]:
                position = index
                break
        ppr.insert(position, child)
