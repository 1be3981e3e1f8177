"""The document's other parts: page, header and footer, footnotes part, properties, and the zip."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from briefing.formats.word.inline import Fmt
from briefing.formats.word.look import (
    HANGUL,
    INK,
    MARGIN_BOTTOM_MM,
    MARGIN_SIDE_MM,
    MARGIN_TOP_MM,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    SANS,
    SERIF,
)
from briefing.formats.word.wml import el, field_runs, qn, relate_links, text_run

FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
THUMBNAIL_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"


def header_footer(document: Any, marking: str, running_title: str, page_words: str) -> None:
    """Page size and margins, and the running header and footer; ``page_words`` is the catalogue's
    "Page %(page)s of %(pages)s" in the edition's language, its numbers becoming PAGE and NUMPAGES."""
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin = section.right_margin = Mm(MARGIN_SIDE_MM)
    section.header_distance = section.footer_distance = Mm(10)
    # As in the PDF: the first page has no running title; every page has the marking and page numbers.
    section.different_first_page_header_footer = True
    strong = Fmt(bold=True, color=INK)
    plain = Fmt()
    for header, title in ((section.header, running_title), (section.first_page_header, "")):
        paragraph = header.paragraphs[0]._p
        paragraph.append(text_run(f"{title}\t", plain))
        paragraph.append(text_run(marking, strong))
    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]._p
        paragraph.append(text_run(f"{marking}\t", strong))
        for piece in re.split(r"(%\(pages?\)s)", page_words):
            if piece in ("%(page)s", "%(pages)s"):
                paragraph.extend(field_runs("PAGE" if piece == "%(page)s" else "NUMPAGES", "1", plain))
            elif piece:
                paragraph.append(text_run(piece, plain))


def footnotes_part(document: Any, footnotes: list[Any]) -> None:
    """word/footnotes.xml with Word's separator notes (-1, 0) and one note per citation."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    root = parse_xml(f"<w:footnotes {nsdecls('w', 'r')}/>")
    for number, kind, mark in (
        (-1, "separator", "w:separator"),
        (0, "continuationSeparator", "w:continuationSeparator"),
    ):
        spacing = el("w:pPr", [el("w:spacing", after="0", line="240", lineRule="auto")])
        root.append(el("w:footnote", [el("w:p", [spacing, el("w:r", [el(mark)])])], type=kind, id=str(number)))
    root.extend(footnotes)
    part = XmlPart(PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE, root, document.part.package)
    document.part.relate_to(part, FOOTNOTES_REL)
    relate_links(root, part)  # a note's link to its passage is a relationship of this part
    # Word expects the settings to name the separator notes; before <w:compat> in schema order.
    settings = document.settings.element
    note_properties = el("w:footnotePr", [el("w:footnote", id="-1"), el("w:footnote", id="0")])
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(note_properties)
    else:
        settings.append(note_properties)


# The brief's fonts as Word's font table describes them (values from each font's OS/2 table).  On a
# PC without them Word substitutes by these the closest font it has (a serif for Noto Serif, a
# sans for Noto Sans, for Noto Sans KR its alternate name, Malgun Gothic, the Hangul font of
# Windows) instead of a default face and boxes.  The fonts are declared, not embedded: the Noto
# files (SIL OFL) are in templates/static/fonts for an office to install.
FONTS = (
    # name, alternate name, panose-1, charset, family, signature (usb0..3 and csb0..1, space-separated)
    (SERIF, "", "02020502060505020204", "00", "roman", "E00002FF 4000201F 08000029 00100000 0000019F 00000000"),
    (SANS, "", "020B0502040504020204", "00", "swiss", "E00002FF 4000201F 08000029 00100000 0000019F 00000000"),
    (HANGUL, "Malgun Gothic", "020B0500000000000000", "81", "swiss", "10000003 01110000 00000010 00000000 00280000 0"),
)
FONT_TABLE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"


def declare_fonts(document: Any) -> None:
    """Name the brief's fonts in word/fontTable.xml, with what Word needs to substitute them."""
    from docx.oxml import parse_xml

    part = document.part.part_related_by(FONT_TABLE_REL)
    table = parse_xml(part.blob)
    for name, alternate, panose, charset, family, ranges in FONTS:
        for old in [font for font in table if font.get(qn("w:name")) == name]:
            table.remove(old)
        usb0, usb1, usb2, usb3, csb0, csb1 = (value.zfill(8) for value in ranges.split())
        children = [el("w:altName", val=alternate)] if alternate else []
        children += [
            el("w:panose1", val=panose),
            el("w:charset", val=charset),
            el("w:family", val=family),
            el("w:pitch", val="variable"),
            el("w:sig", usb0=usb0, usb1=usb1, usb2=usb2, usb3=usb3, csb0=csb0, csb1=csb1),
        ]
        table.append(el("w:font", children, name=name))
    from docx.opc.oxml import serialize_part_xml

    part._blob = serialize_part_xml(table)


def short(text: str, limit: int = 255) -> str:
    """A property value within Word's 255-character limit, cut at a word if it must be."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def document_properties(document: Any, title: str, meta: Mapping[str, str], language: str, marking: str) -> None:
    properties = document.core_properties
    properties.title = short(title)
    properties.subject = short(meta.get("description", ""))
    properties.author = short(meta.get("author", ""))
    properties.last_modified_by = short(meta.get("author", ""))
    properties.keywords = short(meta.get("keywords", ""))
    properties.language = short(language)
    properties.comments = ""
    properties.category = short(marking)
    properties.revision = 1
    try:
        created = datetime.strptime(meta.get("dcterms.created", ""), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        created = datetime(2000, 1, 1, tzinfo=UTC)
    # Dated by the brief, not the clock: an unchanged rebuild is byte-identical.
    properties.created = properties.modified = created
    properties.last_printed = created
    settings = document.settings.element
    # No proofState: python-docx's template claims the text was spell- and grammar-checked
    # ("clean"); without it Word checks the text itself, in each run's language.
    for tag in ("w:rsids", "w:themeFontLang", "w:proofState"):
        for old in settings.findall(qn(tag)):
            settings.remove(old)
    # Word 2013 and later (compatibility mode 15), not the template's Word 2010: no "Compatibility Mode".
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    for relationship in list(document.part.package.rels.values()):
        if relationship.reltype == THUMBNAIL_REL:  # python-docx's template ships a preview picture
            del document.part.package.rels[relationship.rId]


def fixed_zip(data: bytes) -> bytes:
    """The same package with fixed member dates, so the bytes depend only on the content."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info))
    return out.getvalue()
