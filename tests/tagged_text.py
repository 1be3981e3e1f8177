"""The tagged text of a PDF: what a screen reader reads, read back from the structure tree.

Each structure element's text is the text of its marked content (decoded through the fonts'
ToUnicode maps) in the order of the tree, with ``/ActualText`` taking the place of what is drawn,
on a structure element or on a marked-content sequence, as ISO 32000-1 (14.9.4) says.  Block
elements (paragraphs, headings, list items, cells) are returned one by one; the text of an
inline element (Span, Link, Lbl) is part of its block's.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
from pypdf import PageObject
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject

INLINE = {"/Span", "/Link", "/Lbl", "/NonStruct", "/Note", "/Quote", "/Code", "/Reference", "/BibEntry"}
LEAF_BLOCKS = {"/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/LBody", "/TD", "/TH", "/Caption"}


@dataclass(frozen=True)
class Block:
    tag: str  # the structure type, "/P", "/H1" ...
    text: str


def _to_unicode(font: Any) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {}
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for source, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(source, 16)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(target, 16)
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _marked_text(page: Any, reader: pypdf.PdfReader) -> dict[int, str]:
    """The text of each marked-content sequence (by MCID) on a page."""
    fonts: dict[str, tuple[dict[int, str], bool]] = {}
    for name, reference in page["/Resources"].get("/Font", {}).items():
        font_object = reference.get_object()
        fonts[name] = (_to_unicode(font_object), font_object.get("/Subtype") == "/Type0")
    texts: dict[int, list[str]] = defaultdict(list)
    replaced: set[int] = set()
    open_ids: list[int | None] = []
    font: tuple[dict[int, str], bool] = ({}, False)
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"BDC":
            properties = operands[1]
            mcid = properties.get("/MCID") if isinstance(properties, DictionaryObject) else None
            if mcid is not None and "/ActualText" in properties:
                texts[mcid].append(str(properties["/ActualText"]))
                replaced.add(mcid)
            open_ids.append(mcid)
        elif operator == b"BMC":
            open_ids.append(None)
        elif operator == b"EMC" and open_ids:
            open_ids.pop()
        elif operator == b"Tf":
            font = fonts.get(operands[0], ({}, False))
        elif operator in (b"Tj", b"TJ"):
            mcid = next((m for m in reversed(open_ids) if m is not None), None)
            if mcid is None or mcid in replaced:
                continue
            mapping, two_bytes = font
            for item in operands[0] if operator == b"TJ" else operands:
                if isinstance(item, bytes | str) and hasattr(item, "original_bytes"):
                    raw = item.original_bytes
                    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)] if two_bytes else raw
                    texts[mcid].append("".join(mapping.get(code, "\ufffd") for code in codes))
    return {mcid: "".join(parts) for mcid, parts in texts.items()}


def tagged_blocks(path: Path) -> list[Block]:
    """Every leaf block of the structure tree (paragraphs, headings, list bodies, cells, captions)
    with its tagged text, in reading order."""
    reader = pypdf.PdfReader(path)
    pages: dict[int, PageObject] = {}
    for page in reader.pages:
        assert page.indirect_reference is not None  # a page read from a file is an indirect object
        pages[page.indirect_reference.idnum] = page
    marked: dict[int, dict[int, str]] = {}

    def content(page_reference: Any, mcid: int) -> str:
        number = page_reference.idnum
        if number not in marked:
            marked[number] = _marked_text(pages[number], reader)
        return marked[number].get(mcid, "")

    blocks: list[Block] = []

    def walk(element: Any, page: Any) -> str:
        page = element.get("/Pg", page)
        kids = element.get("/K", [])
        parts = []
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, int):
                parts.append(content(page, kid))
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR":
                mcid = kid["/MCID"]
                assert isinstance(mcid, int), f"/MCID {mcid!r} is not an integer"
                parts.append(content(kid.get("/Pg", page), int(mcid)))
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") != "/OBJR":
                text = walk(kid, page)
                parts.append(text if kid.get("/S") in INLINE else f"\n{text}\n")
        text = str(element["/ActualText"]) if "/ActualText" in element else "".join(parts)
        if element.get("/S") in LEAF_BLOCKS:
            blocks.append(Block(str(element["/S"]), text))
        return text

    root = reader.trailer["/Root"]
    assert isinstance(root, DictionaryObject)
    walk(root["/StructTreeRoot"], None)
    return blocks
