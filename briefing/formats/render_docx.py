"""Stage 5, Word edition: the brief as a .docx, built from the same HTML the PDF is rendered from.

The HTML for the PDF is our own markup with a known structure (headings, the key-points
box, lists of cited claims, tables, figures, footnotes as ``<span class="footnote">``), so
walking it gives a Word document that follows every template change and selection without
a second set of templates.  python-docx builds the document; what it has no API for (real
footnotes, fields, repeated header rows, borders, numbering restarts) is added as
WordprocessingML.  Charts arrive as SVG; Word needs a bitmap, drawn with resvg from the
brief's own fonts.  Nothing is fetched from the network, and like the PDF renderer only
files inside the template folders may be used.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import re
import struct
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from xml.etree import ElementTree

from briefing.errors import RenderError

# Page geometry and colours of print.css / brief.css, so the Word edition looks like the PDF.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_SIDE_MM, MARGIN_BOTTOM_MM = 22, 18, 22
TEXT_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_SIDE_MM
SERIF, SANS = "Noto Serif", "Noto Sans"
INK, ACCENT, MUTED, RULE, PANEL, FLAG = "1B2A3A", "1F5F8B", "4F5B66", "C9D3DD", "EEF3F8", "8A3B00"
PRIORITY_COLOURS = {"priority-high": "8A1C1C", "priority-medium": ACCENT, "priority-low": MUTED}
# Charts are drawn this many pixels wide: about 230 dpi across the text width.
CHART_PIXELS = 1600
# Indent of list text in python-docx's default list styles (twips), for an item's later paragraphs.
LIST_INDENT = 360
MAX_IMAGE_PIXELS = 4000
# Deeper HTML nesting than this is flattened, so a template cannot exhaust the stack.
MAX_DEPTH = 200

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
THUMBNAIL_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
SKIP = {"head", "script", "style", "template", "title", "noscript", "svg", "math", "button", "input", "select"}


# ---------------------------------------------------------------------------
# The HTML as a small tree
# ---------------------------------------------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def elements(self, *tags: str) -> Iterator[Node]:
        """Descendant elements with one of ``tags``, in document order."""
        for child in self.children:
            if isinstance(child, Node):
                if child.tag in tags:
                    yield child
                yield from child.elements(*tags)


class _TreeBuilder(HTMLParser):
    """Builds a ``Node`` tree, closing what HTML closes implicitly (p, li, tr, td...)."""

    # An open element of the key is closed by a new element of the value's tags ...
    CLOSED_BY: ClassVar[dict[str, set[str]]] = {
        "p": BLOCK - {"a", "span"},
        "li": {"li"},
        "dt": {"dt", "dd"},
        "dd": {"dt", "dd"},
        "tr": {"tr", "tbody", "thead", "tfoot"},
        "td": {"td", "th", "tr", "tbody", "thead", "tfoot"},
        "th": {"td", "th", "tr", "tbody", "thead", "tfoot"},
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        while len(self.stack) > 1 and tag in self.CLOSED_BY.get(self.stack[-1].tag, set()):
            self.stack.pop()
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID and len(self.stack) < MAX_DEPTH:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# ---------------------------------------------------------------------------
# Inline content: text with formatting, footnotes, breaks, images
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fmt:
    bold: bool = False
    italic: bool = False
    caps: bool = False
    sans: bool = False
    color: str | None = None
    size: float | None = None  # points
    border: str | None = None  # a badge: a thin box in this colour
    vertical: str | None = None  # superscript / subscript
    nowrap: bool = False  # badges and dates are not broken across lines (non-breaking spaces)


@dataclass(frozen=True)
class Text:
    text: str
    fmt: Fmt


@dataclass(frozen=True)
class Break:
    pass


@dataclass(frozen=True)
class Tab:
    pass


@dataclass(frozen=True)
class Note:
    content: list[Text | Break]


@dataclass(frozen=True)
class Image:
    node: Node


Segment = Text | Break | Tab | Note | Image


def _span_format(node: Node, fmt: Fmt) -> Fmt:
    """How an inline element's class or tag changes the formatting (mirrors brief.css)."""
    classes = node.classes
    if node.tag in ("strong", "b") or classes & {"system"}:
        fmt = replace(fmt, bold=True)
    if node.tag in ("em", "i", "cite", "dfn", "var"):
        fmt = replace(fmt, italic=True)
    if node.tag == "sup":
        fmt = replace(fmt, vertical="superscript")
    if node.tag == "sub":
        fmt = replace(fmt, vertical="subscript")
    if "flag" in classes:  # "Unconfirmed": a small boxed label, as on paper
        fmt = replace(fmt, bold=True, caps=True, sans=True, color=FLAG, border=FLAG, size=7.5)
    if "priority" in classes:
        colour = next((PRIORITY_COLOURS[c] for c in classes if c in PRIORITY_COLOURS), MUTED)
        fmt = replace(fmt, bold=True, caps=True, sans=True, color=colour, border=colour, size=7.5)
    if "as-of" in classes or "kind" in classes or "rivals" in classes:
        fmt = replace(fmt, color=MUTED)
    if "kind" in classes:  # a category under a bold row heading is not bold
        fmt = replace(fmt, bold=False)
    if classes & {"as-of", "priority", "flag"}:
        fmt = replace(fmt, nowrap=True)
    if "stale" in classes:
        fmt = replace(fmt, bold=True, color=FLAG)
    return fmt


def inline_segments(nodes: Sequence[Node | str], fmt: Fmt, in_note: bool = False) -> list[Segment]:
    segments: list[Segment] = []
    for node in nodes:
        if isinstance(node, str):
            segments.append(Text(node, fmt))
        elif node.tag in SKIP:
            continue
        elif node.tag == "br":
            segments.append(Break())
        elif node.tag == "img":
            segments.append(Image(node) if not in_note else Text(node.attrs.get("alt", ""), fmt))
        elif "footnote" in node.classes and not in_note:
            content = [s for s in inline_segments(node.children, Fmt(), in_note=True) if isinstance(s, Text | Break)]
            segments.append(Note(content))
        else:
            if "rivals" in node.classes:  # shown as its own line under the claim
                segments.append(Break())
            segments.extend(inline_segments(node.children, _span_format(node, fmt), in_note))
    return segments


def collapse_space(segments: list[Segment]) -> list[Segment]:
    """HTML's white-space rule: runs of spaces and newlines are one space, none at line ends."""
    result: list[Segment] = []
    at_line_start = True
    for segment in segments:
        if isinstance(segment, Text):
            text = re.sub(r"[ \t\n\r\f]+", " ", segment.text)
            if at_line_start or (result and _ends_with_space(result)):
                text = text.lstrip(" ")
            if text and segment.fmt.nowrap:
                text = text[0] + text[1:-1].replace(" ", "\u00a0") + text[-1] if len(text) > 2 else text
            if text:
                result.append(Text(text, segment.fmt))
                at_line_start = False
        else:
            if isinstance(segment, Break | Tab):
                _strip_trailing(result)
                at_line_start = True
            elif isinstance(segment, Note):
                segment = Note([s for s in collapse_space(list(segment.content)) if isinstance(s, Text | Break)])
            else:
                at_line_start = False
            result.append(segment)
    _strip_trailing(result)
    return result


def _ends_with_space(segments: list[Segment]) -> bool:
    last = segments[-1]
    return isinstance(last, Text) and last.text.endswith(" ")


def _strip_trailing(segments: list[Segment]) -> None:
    while segments and isinstance(segments[-1], Text) and segments[-1].text.endswith(" "):
        last = segments.pop()
        assert isinstance(last, Text)
        if last.text.rstrip(" "):
            segments.append(Text(last.text.rstrip(" "), last.fmt))
            return


# ---------------------------------------------------------------------------
# WordprocessingML helpers
# ---------------------------------------------------------------------------


def _qn(name: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(name))


def _el(tag: str, children: Sequence[Any] = (), **attrs: str) -> Any:
    """A WordprocessingML element: ``_el("w:sz", val="20")`` -> ``<w:sz w:val="20"/>``."""
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(_qn("w:" + name), value)
    for child in children:
        element.append(child)
    return element


def _rpr(fmt: Fmt, style: str | None = None) -> Any:
    """Run properties, children in the order the schema requires."""
    parts = []
    if style:
        parts.append(_el("w:rStyle", val=style))
    if fmt.sans:
        parts.append(_el("w:rFonts", ascii=SANS, hAnsi=SANS, cs=SANS, eastAsia=SANS))
    if fmt.bold:
        parts += [_el("w:b"), _el("w:bCs")]
    if fmt.italic:
        parts += [_el("w:i"), _el("w:iCs")]
    if fmt.caps:
        parts.append(_el("w:caps"))
    if fmt.color:
        parts.append(_el("w:color", val=fmt.color))
    if fmt.size:
        half_points = str(round(fmt.size * 2))
        parts += [_el("w:sz", val=half_points), _el("w:szCs", val=half_points)]
    if fmt.border:
        parts.append(_el("w:bdr", val="single", sz="4", space="1", color=fmt.border))
    if fmt.vertical:
        parts.append(_el("w:vertAlign", val=fmt.vertical))
    return _el("w:rPr", parts)


def _text_run(text: str, fmt: Fmt, style: str | None = None) -> Any:
    run = _el("w:r", [_rpr(fmt, style)])
    pieces = text.split("\t")
    for index, piece in enumerate(pieces):
        if index:
            run.append(_el("w:tab"))
        if piece:
            t = _el("w:t")
            t.text = piece
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.append(t)
    return run


def _field_runs(instruction: str, shown: str, fmt: Fmt) -> list[Any]:
    """A complex field (PAGE, NUMPAGES) with its last value shown until Word updates it."""
    instr = _el("w:instrText")
    instr.text = f" {instruction} "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return [
        _el("w:r", [_rpr(fmt), _el("w:fldChar", fldCharType="begin")]),
        _el("w:r", [_rpr(fmt), instr]),
        _el("w:r", [_rpr(fmt), _el("w:fldChar", fldCharType="separate")]),
        _text_run(shown, fmt),
        _el("w:r", [_rpr(fmt), _el("w:fldChar", fldCharType="end")]),
    ]


def _set_ppr(paragraph: Any, *children: Any) -> None:
    """Set paragraph properties (of a paragraph or a style's ``w:pPr``), each in its schema place."""
    ppr = paragraph if paragraph.tag == _qn("w:pPr") else paragraph.get_or_add_pPr()
    order = [
        "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
        "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
        "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
        "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
        "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
        "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
    ]  # fmt: skip
    rank = {_qn(tag): index for index, tag in enumerate(order)}
    for child in children:
        for old in ppr.findall(child.tag):
            ppr.remove(old)
        position = len(ppr)
        for index, existing in enumerate(ppr):
            if rank.get(existing.tag, 0) > rank[child.tag]:
                position = index
                break
        ppr.insert(position, child)


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------


def _svg_size(svg: str) -> tuple[float, float]:
    """Width and height of an SVG from its viewBox or width/height, for the bitmap's proportions."""
    root = ElementTree.fromstring(svg)
    box = root.get("viewBox", "").replace(",", " ").split()
    try:
        if len(box) == 4:
            width, height = float(box[2]), float(box[3])
        else:
            width = float(re.sub(r"[a-z%]+$", "", root.get("width", "")))
            height = float(re.sub(r"[a-z%]+$", "", root.get("height", "")))
    except ValueError:
        raise RenderError("a chart image has no usable size (viewBox or width and height)") from None
    if not (width > 0 and height > 0):
        raise RenderError("a chart image has no usable size (viewBox or width and height)")
    return width, height


_SAFE_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif);", re.I)


def _check_svg(svg: str) -> None:
    """Refuse an SVG that points at anything outside itself: resvg would read local files."""
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise RenderError(f"a chart image is not valid SVG: {error}") from None
    for element in root.iter():
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local == "href" and not (value.startswith("#") or _SAFE_DATA_IMAGE.match(value)):
                raise RenderError(f"refused {value[:80]!r} in an SVG image: briefs may only use the template folders")
            if re.search(r"url\(\s*['\"]?(?!#)", value):
                raise RenderError("refused a url() in an SVG image: briefs may only use the template folders")
        text = element.text or ""
        if re.search(r"@import|url\(\s*['\"]?(?!#)", text):
            raise RenderError("refused a url() in an SVG image: briefs may only use the template folders")


def svg_to_png(svg: str, font_folders: Sequence[Path]) -> bytes:
    """The SVG as a PNG, drawn with the brief's own fonts only (no system fonts: same bytes everywhere)."""
    import resvg_py

    _check_svg(svg)
    width, height = _svg_size(svg)
    pixels_wide = CHART_PIXELS
    if CHART_PIXELS * height / width > MAX_IMAGE_PIXELS:
        pixels_wide = max(1, int(MAX_IMAGE_PIXELS * width / height))
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=svg,
            width=pixels_wide,
            background="#ffffff",
            skip_system_fonts=True,
            font_dirs=[str(folder) for folder in font_folders if folder.is_dir()],
            sans_serif_family=SANS,
            serif_family=SERIF,
        )
    except ValueError as error:
        raise RenderError(f"could not draw a chart image: {error}") from None
    return bytes(png)


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Pixel size of a PNG, JPEG or GIF from its header (nothing is decoded)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            length = struct.unpack(">H", data[index + 2 : index + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return None


# ---------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedDocx:
    data: bytes
    # Files from static/ the document embeds (images), for the incremental build record.
    static_files: frozenset[str]


@dataclass(frozen=True)
class _Where:
    """Where paragraphs go and how they look there."""

    container: Any  # python-docx Document, table cell, header or footer
    style: str = "Normal"
    fmt: Fmt = Fmt()
    indent: int = 0  # left indent in twips, for paragraphs that continue a list item
    list_level: int = -1
    in_table: bool = False


class _Writer:
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

    # -- blocks ------------------------------------------------------------

    def blocks(self, nodes: Sequence[Node | str], where: _Where) -> None:
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

    def block(self, node: Node, where: _Where) -> None:
        tag, classes = node.tag, node.classes
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

    def _styled(self, node: Node, where: _Where) -> _Where:
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

    def new_paragraph(self, where: _Where, style: str | None = None) -> Any:
        paragraph = where.container.add_paragraph(style=style or where.style)._p
        if where.indent:
            _set_ppr(paragraph, _el("w:ind", left=str(where.indent)))
        return paragraph

    def paragraph(
        self, nodes: Sequence[Node | str], where: _Where, style: str | None = None, keep_next: bool = False
    ) -> Any | None:
        """One paragraph of inline content; nothing for white space alone."""
        segments = collapse_space(inline_segments(nodes, where.fmt))
        if not segments:
            return None
        paragraph = self.new_paragraph(where, style)
        if keep_next:
            _set_ppr(paragraph, _el("w:keepNext"))
        self.emit(paragraph, segments)
        return paragraph

    def emit(self, paragraph: Any, segments: Sequence[Segment]) -> None:
        for segment in segments:
            if isinstance(segment, Text):
                paragraph.append(_text_run(segment.text, segment.fmt))
            elif isinstance(segment, Break):
                paragraph.append(_el("w:r", [_el("w:br")]))
            elif isinstance(segment, Tab):
                paragraph.append(_el("w:r", [_el("w:tab")]))
            elif isinstance(segment, Note):
                paragraph.append(self.footnote(segment))
            else:
                paragraph.append(self.picture(segment.node))

    def heading(self, node: Node, where: _Where) -> None:
        # The title is Word's Title; the brief's sections (h2) are Heading 1, so Word's navigation
        # pane and a contents field list them the way the PDF's bookmarks do.
        level = int(node.tag[1])
        style = "Title" if level == 1 else f"Heading {min(level - 1, 3)}"
        paragraph = self.paragraph(node.children, replace(where, fmt=Fmt()), style=style)
        if paragraph is not None and node.attrs.get("id"):
            self.bookmark(paragraph, node.attrs["id"])

    def bookmark(self, paragraph: Any, name: str) -> None:
        self.bookmarks += 1
        number = str(self.bookmarks)
        bookmark_name = re.sub(r"[^A-Za-z0-9_]", "_", name)[:40]
        paragraph.insert(1 if paragraph.pPr is not None else 0, _el("w:bookmarkStart", id=number, name=bookmark_name))
        paragraph.append(_el("w:bookmarkEnd", id=number))

    def list_block(self, node: Node, where: _Where) -> None:
        level = where.list_level + 1
        ordered = node.tag == "ol"
        number_id = self.restart_numbering() if ordered else None
        suffix = "" if level == 0 else f" {min(level + 1, 3)}"
        item_where = replace(where, style=("List Number" if ordered else "List Bullet") + suffix, list_level=level)
        # Later paragraphs of an item line up with its text, under the bullet or number.
        continuation = replace(item_where, style="Normal", indent=LIST_INDENT * (level + 1))
        for item in node.children:
            if isinstance(item, Node) and item.tag == "li":
                first = self.list_item(item.children, item_where, continuation)
                if first is not None and number_id is not None:
                    _set_ppr(first, _el("w:numPr", [_el("w:ilvl", val="0"), _el("w:numId", val=str(number_id))]))
            elif isinstance(item, Node):  # stray markup in a list: kept, as plain paragraphs
                self.blocks([item], where)

    def list_item(self, nodes: Sequence[Node | str], where: _Where, continuation: _Where) -> Any | None:
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

    def definitions(self, node: Node, where: _Where) -> None:
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

    def definition(self, label: Node | None, value: Node | None, where: _Where) -> None:
        segments: list[Segment] = []
        if label is not None:
            segments += inline_segments(label.children, replace(where.fmt, bold=True))
            segments.append(Tab())
        if value is not None:
            segments += inline_segments(value.children, where.fmt)
        segments = collapse_space(segments)
        if segments:
            self.emit(self.new_paragraph(where, "Definition"), segments)

    def panel(self, node: Node, where: _Where) -> None:
        """The key-points box: a one-cell table, pale with the accent rule down its left side,
        which Word and LibreOffice both draw as one box (bordered paragraphs break at indents)."""
        table = where.container.add_table(rows=1, cols=1)
        width = round(TEXT_WIDTH_MM / 25.4 * 1440)
        self._table_layout(table, [width])
        table.rows[0]._tr.get_or_add_trPr().append(_el("w:cantSplit"))
        cell = table.rows[0].cells[0]
        tcpr = cell._tc.get_or_add_tcPr()
        for old in tcpr.findall(_qn("w:tcW")):
            tcpr.remove(old)
        none = {"val": "nil"}
        tcpr.append(_el("w:tcW", w=str(width), type="dxa"))
        tcpr.append(
            _el(
                "w:tcBorders",
                [
                    _el("w:top", **none),
                    _el("w:left", val="single", sz="36", space="0", color=ACCENT),
                    _el("w:bottom", **none),
                    _el("w:right", **none),
                ],
            )
        )
        tcpr.append(_el("w:shd", val="clear", color="auto", fill=PANEL))
        margins = [_el(f"w:{side}", w=w, type="dxa") for side, w in (("top", "60"), ("left", "230"), ("bottom", "60"),
                                                                     ("right", "230"))]  # fmt: skip
        tcpr.append(_el("w:tcMar", margins))
        self.blocks(node.children, _Where(cell))
        _drop_empty_first(cell)
        where.container.add_paragraph(style="Table Gap")

    # -- tables --------------------------------------------------------------

    def table(self, node: Node, where: _Where) -> None:
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
            properties = [_el("w:cantSplit")] + ([_el("w:tblHeader")] if header else [])
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
            for paragraph in table.rows[index]._tr.iter(_qn("w:p")):
                _set_ppr(paragraph, _el("w:keepNext"))
        if caption is not None:
            self.paragraph(caption.children, replace(where, style="Caption"))
        else:
            where.container.add_paragraph(style="Table Gap")

    def _table_layout(self, table: Any, widths: list[int]) -> None:
        tbl = table._tbl
        tblpr = tbl.tblPr
        for tag in ("w:tblW", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblStyle"):
            for old in tblpr.findall(_qn(tag)):
                tblpr.remove(old)
        tblpr.append(_el("w:tblW", w=str(sum(widths)), type="dxa"))
        tblpr.append(_el("w:tblLayout", type="fixed"))
        tblpr.append(_el("w:tblCellMar", [_el("w:left", w="85", type="dxa"), _el("w:right", w="85", type="dxa")]))
        look = {"firstRow": "1", "lastRow": "0", "firstColumn": "0", "lastColumn": "0", "noHBand": "1", "noVBand": "1"}
        tblpr.append(_el("w:tblLook", val="0420", **look))
        for grid_column, width in zip(tbl.tblGrid.findall(_qn("w:gridCol")), widths, strict=True):
            grid_column.set(_qn("w:w"), str(width))

    def cell(self, cell: Any, node: Node, header: bool, width: int, where: _Where) -> None:
        tcpr = cell._tc.get_or_add_tcPr()
        for old in tcpr.findall(_qn("w:tcW")):
            tcpr.remove(old)
        tcpr.insert(0, _el("w:tcW", w=str(width), type="dxa"))
        rule = _el("w:bottom", val="single", sz="12" if header else "4", space="0", color=ACCENT if header else RULE)
        tcpr.append(_el("w:tcBorders", [rule]))
        if header:
            tcpr.append(_el("w:shd", val="clear", color="auto", fill=PANEL))
        bold = node.tag == "th"
        inside = _Where(cell, "Table Text", Fmt(bold=bold), in_table=True)
        self.blocks(node.children, inside)
        if not _drop_empty_first(cell):
            _set_ppr(cell._tc.findall(_qn("w:p"))[0], _el("w:pStyle", val=self.style_id("Table Text")))
        if "num" in node.classes:
            for paragraph in cell._tc.findall(_qn("w:p")):
                _set_ppr(paragraph, _el("w:jc", val="right"))

    def style_id(self, name: str) -> str:
        return str(self.document.styles[name].style_id)

    # -- contents, footnotes, pictures ------------------------------------------

    def contents(self, node: Node, where: _Where) -> None:
        """A Word contents field over Heading 1; until Word updates it (F9), it shows the
        brief's own list of sections."""
        for heading in node.elements("h1", "h2", "h3", "h4", "h5", "h6"):
            self.paragraph(heading.children, where, style="TOC Heading")
        entries = [item for item in node.elements("li")]
        if not entries:
            return
        fmt = Fmt()
        first = self.new_paragraph(where, "toc 1")
        instr = _el("w:instrText")
        instr.text = ' TOC \\o "1-1" \\h \\z \\u '
        instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        first.extend(
            [
                _el("w:r", [_el("w:fldChar", fldCharType="begin")]),
                _el("w:r", [instr]),
                _el("w:r", [_el("w:fldChar", fldCharType="separate")]),
            ]
        )
        paragraph = first
        for index, item in enumerate(entries):
            if index:
                paragraph = self.new_paragraph(where, "toc 1")
            self.emit(paragraph, collapse_space(inline_segments(item.children, fmt, in_note=True)))
        paragraph.append(_el("w:r", [_el("w:fldChar", fldCharType="end")]))

    def footnote(self, note: Note) -> Any:
        number = len(self.footnotes) + 1
        paragraph = _el("w:p", [_el("w:pPr", [_el("w:pStyle", val="FootnoteText")])])
        paragraph.append(_el("w:r", [_el("w:rPr", [_el("w:rStyle", val="FootnoteReference")]), _el("w:footnoteRef")]))
        paragraph.append(_text_run(" ", Fmt()))
        for segment in note.content:
            if isinstance(segment, Text):
                paragraph.append(_text_run(segment.text.replace("\t", " "), segment.fmt))
            else:
                paragraph.append(_el("w:r", [_el("w:br")]))
        self.footnotes.append(_el("w:footnote", [paragraph], id=str(number)))
        return _el(
            "w:r",
            [_el("w:rPr", [_el("w:rStyle", val="FootnoteReference")]), _el("w:footnoteReference", id=str(number))],
        )

    def picture(self, node: Node) -> Any:
        """An image run, scaled to the text width at most, with the image's alt text as its description."""
        data, static_name = self.image_data(node.attrs.get("src", ""))
        if static_name:
            self.static_used.add("static/" + static_name)
        size = _image_size(data)
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
        return _el("w:r", [_el("w:drawing", [inline])])

    def image_data(self, src: str) -> tuple[bytes, str | None]:
        """An image's bytes from a data: URL or a file inside the static folders; refuses the rest."""
        parts = urlsplit(src)
        if parts.scheme == "data":
            header, _, payload = src[5:].partition(",")
            mime = header.split(";")[0].strip().lower()
            try:
                data = base64.b64decode(payload, validate=False) if ";base64" in header else unquote_to_bytes(payload)
            except (binascii.Error, ValueError):
                raise RenderError("an image in the brief has a malformed data: URL") from None
            if mime == "image/svg+xml":
                return svg_to_png(data.decode("utf-8", "replace"), self.font_folders()), None
            if mime in ("image/png", "image/jpeg", "image/gif"):
                return data, None
            raise RenderError(f"an image in the brief is of type {mime or 'unknown'}; use PNG, JPEG, GIF or SVG")
        if parts.scheme not in ("", "file") or parts.netloc:
            raise RenderError(f"refused to fetch {src[:80]!r}: briefs may only use files from the template folders")
        relative = unquote(parts.path)
        for folder in self.static_folders:
            base = folder.resolve()
            path = Path(os.path.normpath(base / relative)).resolve()
            if path.is_relative_to(base) and path.is_file():
                name = path.relative_to(base).as_posix()
                data = path.read_bytes()
                if path.suffix.lower() == ".svg":
                    return svg_to_png(data.decode("utf-8", "replace"), self.font_folders()), name
                return data, name
        raise RenderError(f"refused to fetch {src[:80]!r}: not a file inside the template folders")

    def font_folders(self) -> list[Path]:
        return [folder / "fonts" for folder in self.static_folders]


def _drop_empty_first(cell: Any) -> bool:
    """Remove the empty paragraph a new cell starts with, if content followed it."""
    paragraphs = cell._tc.findall(_qn("w:p"))
    if len(paragraphs) > 1 and not paragraphs[0].findall(_qn("w:r")):
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


# ---------------------------------------------------------------------------
# Styles, page, header and footer, properties, footnotes part
# ---------------------------------------------------------------------------


def _fonts(element: Any, font: str) -> None:
    """Set a style's or default's fonts outright (theme fonts would otherwise win)."""
    rpr = element.get_or_add_rPr()
    for old in rpr.findall(_qn("w:rFonts")):
        rpr.remove(old)
    rpr.insert(0, _el("w:rFonts", ascii=font, hAnsi=font, cs=font, eastAsia=font))


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
            style.element.set(_qn("w:styleId"), style_id)
        if base:
            style.base_style = document.styles[base]
        style.quick_style = True
    element = style.element
    for old in element.findall(_qn("w:rPr")):
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


def _setup_styles(document: Any, language: str) -> None:
    from docx.shared import Pt

    styles = document.styles.element
    defaults = styles.find(_qn("w:docDefaults"))
    rpr_default = defaults.find(_qn("w:rPrDefault"))
    rpr = rpr_default.find(_qn("w:rPr"))
    for tag in ("w:rFonts", "w:lang"):
        for old in rpr.findall(_qn(tag)):
            rpr.remove(old)
    rpr.insert(0, _el("w:rFonts", ascii=SERIF, hAnsi=SERIF, cs=SERIF, eastAsia=SERIF))
    if language:
        rpr.append(_el("w:lang", val=language, eastAsia=language, bidi=language))

    _style(document, "Normal", size=10, after=5, line=1.2, base=None)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        ppr = document.styles[name].element.get_or_add_pPr()
        for tag in ("w:pBdr", "w:contextualSpacing"):
            for old in ppr.findall(_qn(tag)):
                ppr.remove(old)
    _style(document, "Title", font=SANS, size=20, bold=True, before=4, after=10, line=1.1)
    h1 = _style(document, "Heading 1", font=SANS, size=12.5, bold=True, color=ACCENT, before=14, after=5, line=1.1)
    _set_ppr(h1.element.get_or_add_pPr(), _el("w:pBdr", [_el("w:bottom", val="single", sz="4", space="2", color=RULE)]))
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
    for name in ("Header", "Footer"):
        style = _style(document, name, font=SANS, size=7.5, color=MUTED, after=0)
        ppr = style.element.get_or_add_pPr()
        for old in ppr.findall(_qn("w:tabs")):
            ppr.remove(old)
        style.paragraph_format.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_MM / 25.4 * 72), alignment=2)  # right


def _header_footer(document: Any, marking: str, running_title: str) -> None:
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
        paragraph.append(_text_run(f"{title}\t", plain))
        paragraph.append(_text_run(marking, strong))
    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]._p
        paragraph.append(_text_run(f"{marking}\t", strong))
        paragraph.append(_text_run("Page ", plain))
        paragraph.extend(_field_runs("PAGE", "1", plain))
        paragraph.append(_text_run(" of ", plain))
        paragraph.extend(_field_runs("NUMPAGES", "1", plain))


def _footnotes_part(document: Any, footnotes: list[Any]) -> None:
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
        spacing = _el("w:pPr", [_el("w:spacing", after="0", line="240", lineRule="auto")])
        root.append(_el("w:footnote", [_el("w:p", [spacing, _el("w:r", [_el(mark)])])], type=kind, id=str(number)))
    root.extend(footnotes)
    part = XmlPart(PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE, root, document.part.package)
    document.part.relate_to(part, FOOTNOTES_REL)
    # Word expects the settings to name the separator notes; before <w:compat> in schema order.
    settings = document.settings.element
    note_properties = _el("w:footnotePr", [_el("w:footnote", id="-1"), _el("w:footnote", id="0")])
    compat = settings.find(_qn("w:compat"))
    if compat is not None:
        compat.addprevious(note_properties)
    else:
        settings.append(note_properties)


def _short(text: str, limit: int = 255) -> str:
    """A property value within Word's 255-character limit, cut at a word if it must be."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _properties(document: Any, writer: _Writer) -> None:
    properties = document.core_properties
    meta = writer.meta
    properties.title = _short(writer.title)
    properties.subject = _short(meta.get("description", ""))
    properties.author = _short(meta.get("author", ""))
    properties.last_modified_by = _short(meta.get("author", ""))
    properties.keywords = _short(meta.get("keywords", ""))
    properties.language = _short(writer.language)
    properties.comments = ""
    properties.category = _short(writer.marking)
    properties.revision = 1
    try:
        created = datetime.strptime(meta.get("dcterms.created", ""), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        created = datetime(2000, 1, 1, tzinfo=UTC)
    # Dated by the brief, not the clock: an unchanged rebuild is byte-identical.
    properties.created = properties.modified = created
    properties.last_printed = created
    settings = document.settings.element
    for tag in ("w:rsids", "w:themeFontLang"):
        for old in settings.findall(_qn(tag)):
            settings.remove(old)
    for relationship in list(document.part.package.rels.values()):
        if relationship.reltype == THUMBNAIL_REL:  # python-docx's template ships a preview picture
            del document.part.package.rels[relationship.rId]


def _fixed_zip(data: bytes) -> bytes:
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


def render_docx(html: str, static_folders: Sequence[Path]) -> RenderedDocx:
    """The brief in ``html`` (rendered for print) as a Word document.

    Raises ``RenderError`` for an image it may not use or cannot read.
    """
    import docx

    tree = parse_html(html)
    document = docx.Document()
    html_element = next(tree.elements("html"), None)
    language = html_element.attrs.get("lang", "") if html_element else ""
    _setup_styles(document, language)
    body = document.element.body
    for paragraph in body.findall(_qn("w:p")):  # the template's empty first paragraph
        body.remove(paragraph)
    writer = _Writer(document, static_folders)
    writer.language = language
    writer.blocks(tree.children, _Where(document))
    _header_footer(document, writer.marking, writer.running_title)
    _footnotes_part(document, writer.footnotes)
    _properties(document, writer)
    out = io.BytesIO()
    document.save(out)
    return RenderedDocx(_fixed_zip(out.getvalue()), frozenset(writer.static_used))


def stamp_docx(data: bytes, line: str, info: Mapping[str, str]) -> bytes:
    """A distribution copy of a rendered ``.docx``: ``line`` under the header of every page, ``info`` in its properties.

    Pure: the same arguments give the same bytes.  Word users can edit a header, so this
    marks the copy rather than protecting it; the manifest's SHA-256 records what was sent.
    """
    import docx

    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    for header in (section.header, section.first_page_header):
        paragraph = header.add_paragraph()._p
        paragraph.append(_text_run(line, Fmt(bold=True, color=INK)))
    # Core properties have no free-form fields python-docx can add; "comments" is shown by Word and LibreOffice.
    document.core_properties.comments = _short("; ".join(f"{key}: {value}" for key, value in info.items()))
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue())
