"""Inline content: text with formatting, footnotes, breaks, images, and HTML's white-space rule."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from briefing.formats.sanitize import is_clickable
from briefing.formats.word.look import FLAG, MUTED, PRIORITY_COLOURS
from briefing.formats.word.tree import SKIP, Node


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
    lang: str | None = None  # the HTML lang of the text, where it is not the document's
    anchor: str | None = None  # an internal link's target (an id in the brief)
    # A link a reader may click to leave the file: a web page, or the sources page beside it.
    link: str | None = None


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
    if node.attrs.get("lang"):
        fmt = replace(fmt, lang=node.attrs["lang"])
    href = node.attrs.get("href", "")
    if node.tag == "a" and href.startswith("#") and len(href) > 1:
        fmt = replace(fmt, anchor=href[1:])
    elif node.tag == "a" and is_clickable(href):
        fmt = replace(fmt, link=href.strip())
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
