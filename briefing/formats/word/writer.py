"""The walk over the print HTML that writes the Word document: blocks, lists, tables, the
key-points box, contents, footnotes and pictures."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefing.errors import RenderError
from briefing.formats.word import images
from briefing.formats.word.inline import Break, Fmt, Note, Segment, Tab, Text, collapse_space, inline_segments
from briefing.formats.word.look import (
    ACCENT,
    LIST_INDENT,
    MARGIN_BOTTOM_MM,
    MARGIN_TOP_MM,
    PAGE_HEIGHT_MM,
    PANEL,
    RULE,
    TEXT_WIDTH_MM,
)
from briefing.formats.word.tree import BLOCK, SKIP, Node
from briefing.formats.word.wml import LINK_ADDRESS, el, qn, set_ppr, text_run


@dataclass(frozen=True)
class RenderedDocx:
    data: bytes
    # Files from static/ the document embeds (images), for the incremental build record.
    static_files: frozenset[str]


@dataclass(frozen=True)
class Where:
    """Where paragraphs go and how they look there."""

    container: Any  # python-docx Document, table cell, header or footer
    style: str = "Normal"
    fmt: Fmt = field(default_factory=Fmt)
    indent: int = 0  # left indent in twips, for paragraphs that continue a list item
    list_level: int = -1
    in_table: bool = False


class Writer:
    def __init__(self, document: Any, static_folders: Sequence[Path]) -> None:
        self.document = document
        self.static_folders = tuple(static_folders)
        self.static_used: set[str] = set()
        self.footnotes: list[Any] = []
        self.marking = ""
        self.running_title = ""
        self.meta: dict[str, str] = {}
        self.title = ""
        self.language = ""
        self._list_number_id: int | None = None
        self.bookmarks = 0
        # Ids of elements whose first paragraph is still to come: it gets their bookmarks.
        self.pending_ids: list[str] = []

    # -- blocks ------------------------------------------------------------

    def blocks(self, nodes: Sequence[Node | str], where: Where) -> None:
        """Block children in order; runs of inline content between them become paragraphs."""
        pending: list[Node | str] = []
        for node in nodes:
            if isinstance(node, Node) and (node.tag in BLOCK or node.tag in SKIP or "marking" in node.classes):
                self.paragraph(pending, where)
                pending = []
                self.block(node, where)
            else:
                pending.append(node)
        self.paragraph(pending, where)

    def block(self, node: Node, where: Where) -> None:
        tag, classes = node.tag, node.classes
        if node.attrs.get("id") and tag not in SKIP:
            self.pending_ids.append(node.attrs["id"])
        if node.attrs.get("lang") and tag != "html":  # the document's own language is the default
            where = replace(where, fmt=replace(where.fmt, lang=node.attrs["lang"]))
        if tag in SKIP:
            if tag == "head":
                self.head(node)
            return
        if "marking" in classes:
            self.marking = self.marking or " ".join(node.text().split())
        elif "running-title" in classes:
            self.running_title = " ".join(node.text().split())
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading(node, where)
        elif tag in ("ul", "ol"):
            self.list_block(node, where)
        elif tag == "dl":
            self.definitions(node, where)
        elif tag == "table":
            self.table(node, where)
        elif tag == "nav" and "contents" in classes:
            self.contents(node, where)
        elif tag == "section" and "key-points" in classes:
            self.panel(node, where)
        elif tag == "figure":
            self.blocks(node.children, replace(where, style="Figure"))
        elif tag == "footer":
            self.blocks(node.children, replace(where, style="Colophon"))
        elif tag in ("figcaption", "caption"):
            self.paragraph(node.children, replace(where, style="Caption"), keep_next=tag == "caption")
        elif tag == "p":
            self.paragraph(node.children, self._styled(node, where))
        elif tag in ("hr", "br"):
            return
        else:
            self.blocks(node.children, self._styled(node, where))

    def _styled(self, node: Node, where: Where) -> Where:
        """Paragraph styles for the classes of brief.css that change how a paragraph looks."""
        for css, style in (
            ("publisher", "Publisher"),
            ("series", "Series"),
            ("subtitle", "Subtitle"),
            ("lead", "Lead"),
            ("intro", "Intro"),
            ("stale-note", "Brief Note"),
            ("rec-meta", "Brief Note"),
        ):
            if css in node.classes:
                return replace(where, style=style)
        if "consequence" in node.classes:
            return replace(where, fmt=replace(where.fmt, italic=True))
        return where

    def head(self, node: Node) -> None:
        for element in node.elements("title", "meta"):
            if element.tag == "title":
                self.title = " ".join(element.text().split())
            elif element.attrs.get("name"):
                self.meta[element.attrs["name"]] = element.attrs.get("content", "")

    def new_paragraph(self, where: Where, style: str | None = None) -> Any:
        paragraph = where.container.add_paragraph(style=style or where.style)._p
        if where.indent:
            set_ppr(paragraph, el("w:ind", left=str(where.indent)))
        for element_id in self.pending_ids:
            self.bookmark(paragraph, element_id)
        self.pending_ids = []
        return paragraph

    def paragraph(
        self, nodes: Sequence[Node | str], where: Where, style: str | None = None, keep_next: bool = False
    ) -> Any | None:
        """One paragraph of inline content; nothing for white space alone."""
        segments = collapse_space(inline_segments(nodes, where.fmt))
        if not segments:
            return None
        paragraph = self.new_paragraph(where, style)
        if keep_next:
            set_ppr(paragraph, el("w:keepNext"))
        self.emit(paragraph, segments)
        return paragraph

    def emit(self, paragraph: Any, segments: Sequence[Segment]) -> None:
        for segment in segments:
            if isinstance(segment, Text) and segment.fmt.anchor:
                # A cross-reference ("Key point 1: see Bottom line") is a link to its bookmark.
                run = text_run(segment.text, segment.fmt)
                paragraph.append(el("w:hyperlink", [run], anchor=bookmark_name(segment.fmt.anchor), history="1"))
            elif isinstance(segment, Text) and segment.fmt.link:
                self.external_link(paragraph, segment)
            elif isinstance(segment, Text):
                paragraph.append(text_run(segment.text, segment.fmt))
            elif isinstance(segment, Break):
                paragraph.append(el("w:r", [el("w:br")]))
            elif isinstance(segment, Tab):
                paragraph.append(el("w:r", [el("w:tab")]))
            elif isinstance(segment, Note):
                paragraph.append(self.footnote(segment))
            else:
                paragraph.append(self.picture(segment.node))

    def heading(self, node: Node, where: Where) -> None:
        # The title is Word's Title; the brief's sections (h2) are Heading 1, so Word's navigation
        # pane and a contents field list them the way the PDF's bookmarks do.
        level = int(node.tag[1])
        style = "Title" if level == 1 else f"Heading {min(level - 1, 3)}"
        self.paragraph(node.children, replace(where, fmt=Fmt(lang=where.fmt.lang)), style=style)

    def bookmark(self, paragraph: Any, element_id: str) -> None:
        """A bookmark named after an element's id at the start of its first paragraph, for links."""
        self.bookmarks += 1
        number = str(self.bookmarks)
        start = el("w:bookmarkStart", id=number, name=bookmark_name(element_id))
        paragraph.insert(1 if paragraph.pPr is not None else 0, start)
        start.addnext(el("w:bookmarkEnd", id=number))

    def list_block(self, node: Node, where: Where) -> None:
        level = where.list_level + 1
        ordered = node.tag == "ol"
        number_id = self.restart_numbering() if ordered else None
        suffix = "" if level == 0 else f" {min(level + 1, 3)}"
        item_where = replace(where, style=("List Number" if ordered else "List Bullet") + suffix, list_level=level)
        # Later paragraphs of an item line up with its text, under the bullet or number.
        continuation = replace(item_where, style="Normal", indent=LIST_INDENT * (level + 1))
        for item in node.children:
            if isinstance(item, Node) and item.tag == "li":
                if item.attrs.get("id"):
                    self.pending_ids.append(item.attrs["id"])
                first = self.list_item(item.children, item_where, continuation)
                if first is not None and number_id is not None:
                    set_ppr(first, el("w:numPr", [el("w:ilvl", val="0"), el("w:numId", val=str(number_id))]))
            elif isinstance(item, Node):  # stray markup in a list: kept, as plain paragraphs
                self.blocks([item], where)

    def list_item(self, nodes: Sequence[Node | str], where: Where, continuation: Where) -> Any | None:
        """A list item's paragraphs; only the first carries the bullet or number."""
        first: Any | None = None
        pending: list[Node | str] = []
        for node in [*nodes, Node("#end")]:
            if isinstance(node, Node) and (node.tag in BLOCK or node.tag in SKIP or node.tag == "#end"):
                made = self.paragraph(pending, where if first is None else continuation)
                first = first if first is not None else made
                pending = []
                if node.tag == "p" and first is None:
                    first = self.paragraph(node.children, replace(self._styled(node, where), style=where.style))
                elif node.tag in ("ul", "ol"):
                    self.block(node, where)
                elif node.tag != "#end":
                    self.block(node, continuation)
            else:
                pending.append(node)
        return first

    def restart_numbering(self) -> int:
        """A new numbering instance of the List Number style's list, so each list counts from 1."""
        numbering = self.document.part.numbering_part.element
        if self._list_number_id is None:
            style = self.document.styles["List Number"]
            self._list_number_id = int(style.element.pPr.numPr.numId.val)
        abstract = numbering.num_having_numId(self._list_number_id).abstractNumId.val
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)

    def definitions(self, node: Node, where: Where) -> None:
        """A definition list as label–text lines with a hanging indent, like the brief's grid."""
        label: Node | None = None
        for child in node.children:
            if not isinstance(child, Node):
                continue
            if child.tag == "dt":
                if label is not None:
                    self.definition(label, None, where)
                label = child
            elif child.tag == "dd":
                self.definition(label, child, where)
                label = None
        if label is not None:
            self.definition(label, None, where)

    def definition(self, label: Node | None, value: Node | None, where: Where) -> None:
        segments: list[Segment] = []
        if label is not None:
            segments += inline_segments(label.children, replace(where.fmt, bold=True))
            segments.append(Tab())
        if value is not None:
            segments += inline_segments(value.children, where.fmt)
        segments = collapse_space(segments)
        if segments:
            self.emit(self.new_paragraph(where, "Definition"), segments)

    def panel(self, node: Node, where: Where) -> None:
        """The key-points box: a one-cell table, pale with the accent rule down its left side,
        which Word and LibreOffice both draw as one box (bordered paragraphs break at indents)."""
        table = where.container.add_table(rows=1, cols=1)
        width = round(TEXT_WIDTH_MM / 25.4 * 1440)
        self._table_layout(table, [width])
        # The box may split across pages, as in the PDF: a box kept whole left page 1 half blank.
        cell = table.rows[0].cells[0]
        tcpr = cell._tc.get_or_add_tcPr()
        for old in tcpr.findall(qn("w:tcW")):
            tcpr.remove(old)
        none = {"val": "nil"}
        tcpr.append(el("w:tcW", w=str(width), type="dxa"))
        tcpr.append(
            el(
                "w:tcBorders",
                [
                    el("w:top", **none),
                    el("w:left", val="single", sz="36", space="0", color=ACCENT),
                    el("w:bottom", **none),
                    el("w:right", **none),
                ],
            )
        )
        tcpr.append(el("w:shd", val="clear", color="auto", fill=PANEL))
        margins = [el(f"w:{side}", w=w, type="dxa") for side, w in (("top", "60"), ("left", "230"), ("bottom", "60"),
                                                                     ("right", "230"))]  # fmt: skip
        tcpr.append(el("w:tcMar", margins))
        self.blocks(node.children, Where(cell))
        _drop_empty_first(cell)
        # Its heading's keep-with-next would keep the whole box with what follows it (Word and
        # LibreOffice carry a table's first paragraph's keep to the table), moving it off page 1.
        set_ppr(cell._tc.findall(qn("w:p"))[0], el("w:keepNext", val="0"))
        _row_per_paragraph(table._tbl)
        where.container.add_paragraph(style="Table Gap")

    # -- tables --------------------------------------------------------------

    def table(self, node: Node, where: Where) -> None:
        rows: list[tuple[Node, bool]] = []
        caption: Node | None = None
        for child in node.children:
            if not isinstance(child, Node):
                continue
            if child.tag == "caption":
                caption = child
            elif child.tag in ("thead", "tbody", "tfoot"):
                rows += [
                    (row, child.tag == "thead") for row in child.children if isinstance(row, Node) and row.tag == "tr"
                ]
            elif child.tag == "tr":
                rows.append((child, False))
        cells = [[c for c in row.children if isinstance(c, Node) and c.tag in ("td", "th")] for row, _ in rows]
        columns = max((sum(_span(c) for c in row) for row in cells), default=0)
        if not columns:
            return
        if where.in_table:  # a table inside a table: its rows as paragraphs, nothing lost
            for row in cells:
                self.paragraph([part for cell in row for part in (*cell.children, " ")], where)
            return
        table = where.container.add_table(rows=len(rows), cols=columns)
        widths = _column_widths(cells, columns)
        self._table_layout(table, widths)
        for (row_node, header), row_cells, row in zip(rows, cells, table.rows, strict=True):
            del row_node
            properties = [el("w:cantSplit")] + ([el("w:tblHeader")] if header else [])
            row._tr.get_or_add_trPr().extend(properties)
            column = 0
            for cell_node in row_cells:
                span = min(_span(cell_node), columns - column)
                if span <= 0:
                    break
                cell = row.cells[column]
                if span > 1:
                    cell = cell.merge(row.cells[column + span - 1])
                self.cell(cell, cell_node, header, sum(widths[column : column + span]), where)
                column += span
        # As in print.css: the header and the first two rows stay together, and so do the last two
        # (a row's paragraphs kept with the next keep the row with the next row).
        body = [index for index, (_, header) in enumerate(rows) if not header]
        together = {index for index, (_, header) in enumerate(rows) if header} | set(body[:1]) | set(body[-2:-1])
        for index in sorted(together):
            for paragraph in table.rows[index]._tr.iter(qn("w:p")):
                set_ppr(paragraph, el("w:keepNext"))
        if caption is not None:
            self.paragraph(caption.children, replace(where, style="Caption"))
        else:
            where.container.add_paragraph(style="Table Gap")

    def _table_layout(self, table: Any, widths: list[int]) -> None:
        tbl = table._tbl
        tblpr = tbl.tblPr
        for tag in ("w:tblW", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblStyle"):
            for old in tblpr.findall(qn(tag)):
                tblpr.remove(old)
        tblpr.append(el("w:tblW", w=str(sum(widths)), type="dxa"))
        tblpr.append(el("w:tblLayout", type="fixed"))
        tblpr.append(el("w:tblCellMar", [el("w:left", w="85", type="dxa"), el("w:right", w="85", type="dxa")]))
        look = {"firstRow": "1", "lastRow": "0", "firstColumn": "0", "lastColumn": "0", "noHBand": "1", "noVBand": "1"}
        tblpr.append(el("w:tblLook", val="0420", **look))
        for grid_column, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            grid_column.set(qn("w:w"), str(width))

    def cell(self, cell: Any, node: Node, header: bool, width: int, where: Where) -> None:
        tcpr = cell._tc.get_or_add_tcPr()
        for old in tcpr.findall(qn("w:tcW")):
            tcpr.remove(old)
        tcpr.insert(0, el("w:tcW", w=str(width), type="dxa"))
        rule = el("w:bottom", val="single", sz="12" if header else "4", space="0", color=ACCENT if header else RULE)
        tcpr.append(el("w:tcBorders", [rule]))
        if header:
            tcpr.append(el("w:shd", val="clear", color="auto", fill=PANEL))
        bold = node.tag == "th"
        inside = Where(cell, "Table Text", Fmt(bold=bold), in_table=True)
        self.blocks(node.children, inside)
        if not _drop_empty_first(cell):
            set_ppr(cell._tc.findall(qn("w:p"))[0], el("w:pStyle", val=self.style_id("Table Text")))
        if "num" in node.classes:
            for paragraph in cell._tc.findall(qn("w:p")):
                set_ppr(paragraph, el("w:jc", val="right"))

    def style_id(self, name: str) -> str:
        return str(self.document.styles[name].style_id)

    # -- contents, footnotes, pictures ------------------------------------------

    def contents(self, node: Node, where: Where) -> None:
        """A Word contents field over Heading 1; until Word updates it (F9), it shows the
        brief's own list of sections."""
        for heading in node.elements("h1", "h2", "h3", "h4", "h5", "h6"):
            self.paragraph(heading.children, where, style="TOC Heading")
        entries = [item for item in node.elements("li")]
        if not entries:
            return
        fmt = Fmt()
        first = self.new_paragraph(where, "toc 1")
        instr = el("w:instrText")
        instr.text = ' TOC \\o "1-1" \\h \\z \\u '
        instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        first.extend(
            [
                el("w:r", [el("w:fldChar", fldCharType="begin")]),
                el("w:r", [instr]),
                el("w:r", [el("w:fldChar", fldCharType="separate")]),
            ]
        )
        paragraph = first
        for index, item in enumerate(entries):
            if index:
                paragraph = self.new_paragraph(where, "toc 1")
            self.emit(paragraph, collapse_space(inline_segments(item.children, fmt, in_note=True)))
        paragraph.append(el("w:r", [el("w:fldChar", fldCharType="end")]))

    def footnote(self, note: Note) -> Any:
        number = len(self.footnotes) + 1
        paragraph = el("w:p", [el("w:pPr", [el("w:pStyle", val="FootnoteText")])])
        paragraph.append(el("w:r", [el("w:rPr", [el("w:rStyle", val="FootnoteReference")]), el("w:footnoteRef")]))
        paragraph.append(text_run(" ", Fmt()))
        for segment in note.content:
            if isinstance(segment, Text) and segment.fmt.link:
                # The note's source, linked to its passage as in the HTML brief; its relationship
                # belongs to the footnotes part (``relate_links`` once that part is made).
                self.external_link(paragraph, replace(segment, text=segment.text.replace("\t", " ")))
            elif isinstance(segment, Text):
                paragraph.append(text_run(segment.text.replace("\t", " "), segment.fmt))
            else:
                paragraph.append(el("w:r", [el("w:br")]))
        self.footnotes.append(el("w:footnote", [paragraph], id=str(number)))
        return el(
            "w:r",
            [el("w:rPr", [el("w:rStyle", val="FootnoteReference")]), el("w:footnoteReference", id=str(number))],
        )

    def external_link(self, paragraph: Any, segment: Text) -> None:
        """``segment`` as a hyperlink a reader may click, appended to ``paragraph``; consecutive
        runs with the same address share one.  Its relationship is made by ``relate_links`` in the
        part the paragraph ends up in (the document, or the footnotes).  Nothing in the file loads
        it: Word opens it only when the reader clicks (``sanitize.is_clickable``)."""
        assert segment.fmt.link is not None
        run = text_run(segment.text, replace(segment.fmt, link=None), style="Hyperlink")
        last = paragraph[-1] if len(paragraph) else None
        if last is not None and last.tag == qn("w:hyperlink") and last.get(LINK_ADDRESS) == segment.fmt.link:
            last.append(run)
            return
        link = el("w:hyperlink", [run], history="1")
        link.set(LINK_ADDRESS, segment.fmt.link)
        paragraph.append(link)

    def picture(self, node: Node) -> Any:
        """An image run, scaled to the text width at most, with the image's alt text as its description."""
        data, static_name = images.image_data(node.attrs.get("src", ""), self.static_folders)
        if static_name:
            self.static_used.add("static/" + static_name)
        size = images.image_size(data)
        if size is None:
            raise RenderError("an image in the brief is not a PNG, JPEG, GIF or SVG image")
        from docx.shared import Mm

        width_px, height_px = size
        width = Mm(TEXT_WIDTH_MM)
        if "chart-image" not in node.classes:
            width = Mm(min(TEXT_WIDTH_MM, width_px * 25.4 / 96))
        height = Mm(min(PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM - 40, width.mm * height_px / width_px))
        width = Mm(height.mm * width_px / height_px)
        inline = self.document.part.new_pic_inline(io.BytesIO(data), width=width, height=height)
        alt = " ".join(node.attrs.get("alt", "").split())
        inline.docPr.set("descr", alt)
        inline.docPr.set("title", "")
        return el("w:r", [el("w:drawing", [inline])])


def _row_per_paragraph(tbl: Any) -> None:
    """Give each paragraph of a one-cell table its own row that does not split: the box then
    breaks across pages between paragraphs, never inside one (a key point is read whole), and
    still draws as one box.  Only the first and last rows keep the cell's top and bottom margin."""
    import copy

    row = tbl.findall(qn("w:tr"))[0]
    cell = row.findall(qn("w:tc"))[0]
    paragraphs = cell.findall(qn("w:p"))
    for paragraph in paragraphs:
        cell.remove(paragraph)
    row.get_or_add_trPr().append(el("w:cantSplit"))
    for index, paragraph in enumerate(paragraphs):
        new_row = copy.deepcopy(row)
        new_row.findall(qn("w:tc"))[0].append(paragraph)
        margins = new_row.find(f"{qn('w:tc')}/{qn('w:tcPr')}/{qn('w:tcMar')}")
        for side, keep in (("w:top", index == 0), ("w:bottom", index == len(paragraphs) - 1)):
            if margins is not None and not keep:
                margins.find(qn(side)).set(qn("w:w"), "0")
        row.addprevious(new_row)  # in order, each before the emptied original
    tbl.remove(row)


def bookmark_name(element_id: str) -> str:
    """A Word bookmark name for an HTML id: letters, digits and underscores, at most 40."""
    return re.sub(r"[^A-Za-z0-9_]", "_", element_id)[:40]


def _drop_empty_first(cell: Any) -> bool:
    """Remove the empty paragraph a new cell starts with, if content followed it."""
    paragraphs = cell._tc.findall(qn("w:p"))
    if len(paragraphs) > 1 and not paragraphs[0].findall(qn("w:r")):
        cell._tc.remove(paragraphs[0])
        return True
    return False


def _span(cell: Node) -> int:
    try:
        return max(1, min(int(cell.attrs.get("colspan", "1")), 63))
    except ValueError:
        return 1


def _column_widths(rows: list[list[Node]], columns: int) -> list[int]:
    """Column widths in twips, as a browser's automatic table layout shares them out: each
    column at least as wide as its longest word, the rest of the width by how much it holds."""
    total = round(TEXT_WIDTH_MM / 25.4 * 1440)
    char, padding = 120, 250  # a wide character of 8.5 pt Noto Sans bold; cell margins
    least = [padding + 4 * char] * columns
    most = [padding + 4 * char] * columns
    for row in rows:
        column = 0
        for cell in row:
            if column < columns and _span(cell) == 1:
                words = cell.text().split()
                least[column] = max(least[column], padding + char * max((len(w) for w in words), default=0))
                most[column] = max(most[column], padding + char * min(len(" ".join(words)), 600))
            column += _span(cell)
    if sum(least) >= total:
        widths = [int(total * w / sum(least)) for w in least]
    elif sum(most) <= total:
        widths = [int(total * w / sum(most)) for w in most]
    else:
        spare, wanted = total - sum(least), [m - n for m, n in zip(most, least, strict=True)]
        widths = [int(n + spare * w / sum(wanted)) for n, w in zip(least, wanted, strict=True)]
    widths[-1] += total - sum(widths)
    return widths
