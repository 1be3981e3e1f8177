"""Stamp a rendered brief for one recipient: one line on every page, and per-copy metadata.

Re-rendering the brief for every copy would take seconds per copy, and so would
rewriting it with pypdf's writer (about half a second: a tagged PDF has some 1,600
objects, all re-serialised).  Instead a PDF is parsed once (``prepare``) and every
copy is spliced together from it (``stamp_pdf``):

- the original objects are copied byte for byte;
- each page gets a second content stream that draws the stamp line, marked as a
  pagination artifact so the PDF/UA structure tree stays as it was;
- a subset of Noto Sans is embedded for it, with a ToUnicode map, so names such as
  "Zofia Wójcik-Łęcka" print and can be searched and copied;
- the document information gains the copy's entries (``/PreparedFor``, ``/Copy``...);
- a new cross-reference stream is written.

The result is one revision, not an appended update: the unstamped page objects are
not in it, so cutting the file short does not give back an unstamped brief.  The
same inputs always give the same bytes, so a copy's SHA-256 identifies it.

A Word copy (``stamp_docx``) is simpler: the line is added under the header of every page
and the copy's entries go into the document's properties.  Its notes may link to the brief's
sources page beside it; ``pages_linked`` names such pages, which distribution sends with the copy.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pypdf
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject, TextStringObject

from briefing.errors import BriefingError
from briefing.formats.word.inline import Fmt
from briefing.formats.word.look import INK
from briefing.formats.word.parts import fixed_zip, short
from briefing.formats.word.wml import text_run, xml_safe

# Where the line goes: centred, this far above the bottom edge, below the page's own footer.
BASELINE_FROM_BOTTOM = 9 * 72 / 25.4  # 9 mm
SIDE_MARGIN = 18 * 72 / 25.4  # the brief's own side margins (print.css)
FONT_SIZE = 7.0
GREY = 0.2
FONT_RESOURCE = "BriefingStamp"

# Groups of characters a stamp can be written in.  A copy embeds the glyphs of the groups
# its line uses (ASCII and Latin-1: 9 KB; with Latin Extended-A for Polish: 13 KB), so
# the bytes of a copy depend on its own line only, and a font is subset once per group set.
SCRIPTS: dict[str, tuple[tuple[int, int], ...]] = {
    "basic": (
        (0x20, 0x7E),
        (0xA0, 0xFF),  # Latin-1: French, German, Spanish, Portuguese, Nordic
        (0x2010, 0x2027),  # dashes, quotes, bullet, ellipsis
        (0x2030, 0x203A),
        (0x20AC, 0x20AC),
    ),
    "latin-a": ((0x100, 0x17F),),  # Polish, Czech, Hungarian, Baltic, Turkish, ...
    "latin-b": ((0x180, 0x24F), (0x1E00, 0x1EFF)),  # Romanian comma-below letters, Vietnamese, ...
    "greek": ((0x370, 0x3FF),),
    "cyrillic": ((0x400, 0x4FF),),
    # Hangul (a ko edition's stamp, in NotoSansKR): eleven thousand syllables, so a copy
    # embeds only the ones its own line uses, not the whole group.
    "hangul": ((0x1100, 0x11FF), (0x3000, 0x303F), (0x3130, 0x318F), (0xAC00, 0xD7A3)),
}
# Groups embedded character by character rather than whole.
_BY_CHARACTER = frozenset({"hangul"})


class StampError(BriefingError):
    """A brief could not be stamped (a PDF this module cannot splice, or a character the font lacks)."""


# ---------------------------------------------------------------------------
# The stamp font
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StampFont:
    """A TrueType font the stamp is drawn in, and the characters it can draw."""

    path: Path
    data: bytes
    covered: frozenset[int]

    def unprintable(self, text: str) -> str:
        """The characters of ``text`` the stamp cannot draw, each once, in order."""
        return "".join(dict.fromkeys(ch for ch in text if _script(ord(ch)) is None or ord(ch) not in self.covered))


@dataclass(frozen=True)
class StampFonts:
    """Every font the stamp may be drawn in: ``default`` (Latin, Greek, Cyrillic), and the fonts of
    languages whose script it lacks (``by_language``: "ko" -> Noto Sans KR).

    A line is drawn in the font of the recipient's edition if it has every character, else in the
    first other font that has: an organisation written in Hangul on a copy of an edition in a Latin
    script is drawn in the Hangul font, not refused."""

    default: StampFont
    by_language: Mapping[str, StampFont] = field(default_factory=dict)

    def _candidates(self, language: str | None) -> list[StampFont]:
        preferred = self.by_language.get(language or "", self.default)
        return list(dict.fromkeys([preferred, self.default, *self.by_language.values()]))

    def for_text(self, text: str, language: str | None) -> StampFont:
        """The font to draw ``text`` in (the edition's own when none has every character: drawing
        then raises ``StampError`` naming what it lacks)."""
        candidates = self._candidates(language)
        return next((font for font in candidates if not font.unprintable(text)), candidates[0])

    def unprintable(self, text: str, language: str | None) -> str:
        """The characters of ``text`` that no single stamp font can draw with the rest ("" if one can)."""
        return self.for_text(text, language).unprintable(text)


@lru_cache(maxsize=8)
def load_font(path: Path) -> StampFont:
    """Read the stamp font (e.g. ``templates/static/fonts/NotoSans-Regular.ttf``)."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        data = path.read_bytes()
        cmap = TTFont(io.BytesIO(data), lazy=True).getBestCmap()
    except (OSError, TTLibError) as error:
        raise StampError(f"cannot read the stamp font {path}: {error}") from None
    if not cmap:
        raise StampError(f"the stamp font {path} has no Unicode character map")
    return StampFont(path, data, frozenset(cmap))


def _script(code: int) -> str | None:
    for name, ranges in SCRIPTS.items():
        if any(low <= code <= high for low, high in ranges):
            return name
    return None


@dataclass(frozen=True)
class _Subset:
    """A subset of the stamp font, ready to embed: its objects' bodies are formatted per copy."""

    base_font: str
    glyphs: Mapping[str, int]  # character -> glyph id (= CID, Identity mapping)
    widths: Sequence[int]  # glyph id -> advance in 1/1000 em
    font_file: bytes  # compressed
    font_file_length: int
    to_unicode: bytes  # compressed
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int

    def encode(self, text: str) -> bytes:
        return "".join(f"{self.glyphs[ch]:04X}" for ch in text).encode("ascii")

    def width(self, text: str, size: float) -> float:
        return sum(self.widths[self.glyphs[ch]] for ch in text) * size / 1000


@lru_cache(maxsize=16)
def _subset(font: StampFont, scripts: frozenset[str]) -> _Subset:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    codes = sorted(
        code
        for name in scripts
        if name not in _BY_CHARACTER
        for low, high in (((int(name[2:], 16),) * 2,) if name.startswith("U+") else SCRIPTS[name])
        for code in range(low, high + 1)
        if code in font.covered
    )
    ttf = TTFont(io.BytesIO(font.data), lazy=True, recalcTimestamp=False)  # no clock in the bytes
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.name_IDs = []
    options.glyph_names = False
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "DSIG", "kern"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(ttf)
    buffer = io.BytesIO()
    ttf.save(buffer)
    data = buffer.getvalue()

    scale = 1000 / ttf["head"].unitsPerEm
    order = ttf.getGlyphOrder()
    gid = {name: index for index, name in enumerate(order)}
    glyphs = {chr(code): gid[name] for code, name in ttf.getBestCmap().items()}
    widths = [round(ttf["hmtx"][name][0] * scale) for name in order]
    head, os2 = ttf["head"], ttf["OS/2"]
    # Subset fonts are named with a tag of six capitals, here derived from the scripts (stable).
    digest = hashlib.sha256(",".join(sorted(scripts)).encode()).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    postscript = re.sub(r"[^A-Za-z0-9-]", "", ttf["name"].getDebugName(6) or "") or font.path.stem
    unicode_of: dict[int, str] = {}
    for ch, glyph in sorted(glyphs.items()):
        unicode_of.setdefault(glyph, ch)
    return _Subset(
        base_font=f"{tag}+{postscript}",
        glyphs=glyphs,
        widths=widths,
        font_file=zlib.compress(data, 9),
        font_file_length=len(data),
        to_unicode=zlib.compress(_to_unicode_cmap(unicode_of), 9),
        bbox=(
            round(head.xMin * scale),
            round(head.yMin * scale),
            round(head.xMax * scale),
            round(head.yMax * scale),
        ),
        ascent=round(os2.sTypoAscender * scale),
        descent=round(os2.sTypoDescender * scale),
        cap_height=round(getattr(os2, "sCapHeight", os2.sTypoAscender) * scale),
    )


def _to_unicode_cmap(unicode_of: Mapping[int, str]) -> bytes:
    entries = [f"<{glyph:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for glyph, ch in sorted(unicode_of.items())]
    chunks = []
    for start in range(0, len(entries), 100):  # at most 100 entries per block
        block = entries[start : start + 100]
        chunks.append(f"{len(block)} beginbfchar\n" + "\n".join(block) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(chunks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


# ---------------------------------------------------------------------------
# Parsing a PDF once
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    width: float
    llx: float
    lly: float


@dataclass(frozen=True)
class PreparedPdf:
    """A PDF taken apart once, so that each copy is a matter of joining bytes."""

    source_sha256: str
    pages: tuple[_Page, ...]
    prefix: bytes  # header, original objects, rebuilt object streams, new page objects
    entries: tuple[tuple[int, int, int], ...]  # xref entries for objects 0 .. first_new - 1
    first_new: int  # number of the first object a copy adds
    info_number: int
    info: Mapping[str, object]  # the original document information (pypdf objects)
    root: str  # "N G R"
    document_id: bytes
    font_resource: str

    @property
    def page_count(self) -> int:
        return len(self.pages)


@lru_cache(maxsize=8)
def prepare(pdf: bytes) -> PreparedPdf:
    """Parse ``pdf`` for stamping; raises ``StampError`` for a PDF that cannot be spliced.

    Pure, so the result is kept for the next run in the same process (tests, a server)."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(pdf), strict=False)
        return _prepare(pdf, reader)
    except (PyPdfError, ValueError, KeyError, TypeError, zlib.error) as error:
        raise StampError(f"cannot stamp this PDF: {error}") from None


def _prepare(pdf: bytes, reader: pypdf.PdfReader) -> PreparedPdf:
    version, startxref = _check_splicable(pdf, reader)
    offsets, in_streams = _object_locations(reader, startxref)
    trailer = reader.trailer
    size = _integer(trailer.get("/Size"))
    root = trailer.raw_get("/Root")
    info_number, info, document_id = _document_information(pdf, trailer)

    # New objects are numbered after the PDF's own: first the "q" that opens every page's contents
    # (added here), then what each copy adds: font objects, info (when new), stamp streams, xref stream.
    q_number = size
    first_new = q_number + 1
    if info_number is None:
        info_number = first_new + _FONT_OBJECTS
    font_resource = _free_font_resource(reader)
    pages, new_pages = _rewrite_pages(reader, font_resource, q_number, first_new)
    replaced = {info_number, *new_pages}

    splice = _Splice(_header(pdf, version, offsets, startxref))
    splice.entries[0] = (0, 0, 65535)
    streams = sorted({stream for stream, _ in in_streams.values()})
    _copy_top_level_objects(splice, pdf, offsets, startxref, skipped=replaced | set(streams))
    for stream in streams:
        _add_object_stream(splice, reader, stream, replaced)
    for number, body in sorted(new_pages.items()):
        splice.add(number, b"%d 0 obj\n%s\nendobj\n" % (number, body))
    splice.add(q_number, _stream_object(q_number, b"q\n"))
    return PreparedPdf(
        source_sha256=hashlib.sha256(pdf).hexdigest(),
        pages=tuple(pages),
        prefix=b"".join(splice.chunks),
        entries=tuple(splice.entries.get(number, (0, 0, 0)) for number in range(first_new)),
        first_new=first_new,
        info_number=info_number,
        info=info,
        root=f"{root.idnum} {root.generation} R",
        document_id=document_id,
        font_resource=font_resource,
    )


def _check_splicable(pdf: bytes, reader: pypdf.PdfReader) -> tuple[int, int]:
    """The PDF version (17 for 1.7) and the offset of the cross-reference section; raises
    ``StampError`` for a PDF whose objects cannot be copied as they are."""
    if reader.is_encrypted:
        raise StampError("cannot stamp an encrypted PDF")
    trailer = reader.trailer
    if "/Prev" in trailer or "/XRefStm" in trailer:
        raise StampError("cannot stamp a PDF that has been updated incrementally: rebuild it")
    match = re.match(rb"%PDF-(\d)\.(\d)", pdf)
    if not match:
        raise StampError("not a PDF file")
    startxref = int(pdf[pdf.rindex(b"startxref") + 9 :].split()[0])
    return int(match[1]) * 10 + int(match[2]), startxref


def _object_locations(
    reader: pypdf.PdfReader, startxref: int
) -> tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
    """Every object: type 1 (number -> generation, offset) and type 2 (number -> object stream, index)."""
    offsets: dict[int, tuple[int, int]] = {}
    for generation, table in reader.xref.items():
        for number, offset in table.items():
            # Object 0 is the head of the free list; the cross-reference stream is written anew.
            if number and offset != startxref:
                offsets[number] = (generation, offset)
    in_streams: dict[int, tuple[int, int]] = dict(reader.xref_objStm)
    # An object's bytes are taken to run up to the next object's offset or the cross-reference section.
    if any(offset > startxref for _, offset in offsets.values()):
        raise StampError("cannot stamp a PDF with objects after its cross-reference section")
    return offsets, in_streams


def _document_information(pdf: bytes, trailer: DictionaryObject) -> tuple[int | None, dict[Any, Any], bytes]:
    """The number of the document information object (None when it is not one), its entries,
    and the first part of the document's ID (a digest of the file when it has none)."""
    raw_info = trailer.raw_get("/Info") if "/Info" in trailer else None
    info_number = raw_info.idnum if isinstance(raw_info, IndirectObject) else None
    info_object = _resolved(trailer.get("/Info"))
    info = dict(info_object) if isinstance(info_object, DictionaryObject) else {}
    ids = _resolved(trailer.get("/ID"))
    first_id = ids[0] if ids else None
    document_id = (
        bytes(getattr(first_id, "original_bytes", first_id))
        if first_id is not None
        else hashlib.md5(pdf, usedforsecurity=False).digest()
    )
    return info_number, info, document_id


def _free_font_resource(reader: pypdf.PdfReader) -> str:
    """A font resource name no page uses, so the stamp's font never replaces one of the brief's."""
    existing_fonts: set[str] = set()
    for page in reader.pages:
        resources = _resolved(page.get("/Resources"))
        fonts = _resolved(resources.get("/Font")) if resources is not None else None
        existing_fonts.update(str(name)[1:] for name in (fonts or {}))
    font_resource = FONT_RESOURCE
    while font_resource in existing_fonts:
        font_resource += "X"
    return font_resource


def _rewrite_pages(
    reader: pypdf.PdfReader, font_resource: str, q_number: int, first_new: int
) -> tuple[list[_Page], dict[int, bytes]]:
    """Each page's box, and each page object rewritten to draw a copy's stamp (by object number)."""
    pages: list[_Page] = []
    new_pages: dict[int, bytes] = {}
    for index, page in enumerate(reader.pages):
        reference = page.indirect_reference
        if reference is None:
            raise StampError("cannot stamp a PDF whose pages are not indirect objects")
        box = page.cropbox
        pages.append(_Page(float(box.width), float(box.left), float(box.bottom)))
        new_pages[reference.idnum] = _rewritten_page(
            page,
            font_resource,
            font=IndirectObject(first_new, 0, reader),
            before=IndirectObject(q_number, 0, reader),
            after=IndirectObject(_stamp_stream_number(first_new, index), 0, reader),
        )
    return pages, new_pages


def _rewritten_page(
    page: pypdf.PageObject, font_resource: str, font: IndirectObject, before: IndirectObject, after: IndirectObject
) -> bytes:
    """The bytes of ``page`` with the stamp font among its resources and its contents wrapped:
    ``before`` saves the graphics state, ``after`` restores it and draws the stamp, so whatever the
    page's own contents leave set does not move or colour the line."""
    resources = DictionaryObject(_resolved(page.get("/Resources")) or {})
    fonts = DictionaryObject(_resolved(resources.get("/Font")) or {})
    fonts[NameObject("/" + font_resource)] = font
    resources[NameObject("/Font")] = fonts
    original = _page_contents(page)
    new = DictionaryObject(page)
    new[NameObject("/Resources")] = resources
    new[NameObject("/Contents")] = ArrayObject([before, *original, after])
    buffer = io.BytesIO()
    new.write_to_stream(buffer)
    return buffer.getvalue()


def _page_contents(page: pypdf.PageObject) -> list[object]:
    """The page's content streams, as references (none, one, or the members of its array)."""
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    if contents is None:
        return []
    if isinstance(contents, IndirectObject) and not isinstance(contents.get_object(), ArrayObject):
        return [contents]
    array = contents.get_object()
    if not isinstance(array, ArrayObject):
        raise StampError("cannot stamp this PDF: a page's /Contents is neither a stream nor an array")
    return list(array)


def _stamp_stream_number(first_new: int, page_index: int) -> int:
    """The object that draws the stamp on page ``page_index``: after the font's objects and the
    slot of a new document information object (the object after the last page's is the xref stream)."""
    return first_new + _FONT_OBJECTS + 1 + page_index


class _Splice:
    """A file being joined from object bodies, and the cross-reference entry of each object added."""

    def __init__(self, start: bytes) -> None:
        self.chunks: list[bytes] = [start]
        self.position = len(start)
        self.entries: dict[int, tuple[int, int, int]] = {}

    def add(self, number: int, body: bytes, generation: int = 0) -> None:
        self.entries[number] = (1, self.position, generation)
        self.chunks.append(body)
        self.position += len(body)


def _header(pdf: bytes, version: int, offsets: Mapping[int, tuple[int, int]], startxref: int) -> bytes:
    """The file's own header (up to its first object), or a PDF 1.7 one for a version older than
    1.5, which had neither object streams nor cross-reference streams (a copy has both)."""
    first_object = min({offset for _, offset in offsets.values()} | {startxref})
    return pdf[:first_object] if version >= 15 else b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def _copy_top_level_objects(
    splice: _Splice, pdf: bytes, offsets: Mapping[int, tuple[int, int]], startxref: int, skipped: set[int]
) -> None:
    """Add the objects that are not in an object stream, byte for byte, in the order of the file."""
    # The bytes of each top-level object run from its offset to the next one's.
    boundaries = sorted({offset for _, offset in offsets.values()} | {startxref})
    next_boundary = dict(itertools.pairwise(boundaries))
    for number, (generation, offset) in sorted(offsets.items(), key=lambda item: item[1][1]):
        if number in skipped:
            continue
        body = pdf[offset : next_boundary[offset]]
        if not body.startswith(b"%d %d obj" % (number, generation)):
            raise StampError(f"cannot stamp this PDF: object {number} is not where its cross-reference says")
        splice.add(number, body, generation)


def _add_object_stream(splice: _Splice, reader: pypdf.PdfReader, stream: int, replaced: set[int]) -> None:
    """Add object stream ``stream`` without the objects a copy replaces, and its members' entries."""
    members, body = _rebuild_object_stream(reader, stream, replaced)
    for index, number in enumerate(members):
        splice.entries[number] = (2, stream, index)
    splice.add(stream, body)


def _resolved(value: Any) -> Any:
    """``value`` itself, or the object it refers to (pypdf's ``get`` does not always follow references)."""
    return value.get_object() if isinstance(value, IndirectObject) else value


def _integer(value: object) -> int:
    if not isinstance(value, int):
        raise StampError(f"cannot stamp this PDF: expected a number, found {value!r}")
    return value


# Objects of the embedded font: Type0 font, CIDFont, descriptor, font file, ToUnicode map.
_FONT_OBJECTS = 5


def _rebuild_object_stream(reader: pypdf.PdfReader, number: int, removed: set[int]) -> tuple[list[int], bytes]:
    """The object stream ``number`` without the objects in ``removed``: its members and its bytes."""
    stream = reader.get_object(number)
    if not isinstance(stream, StreamObject):
        raise StampError(f"cannot stamp this PDF: object {number} is not an object stream")
    if "/Extends" in stream:
        raise StampError("cannot stamp a PDF whose object streams extend one another")
    data = stream.get_data()
    first, count = _integer(stream.get("/First")), _integer(stream.get("/N"))
    header = data[:first].split()
    pairs = [(int(header[2 * i]), first + int(header[2 * i + 1])) for i in range(count)]
    ends = [start for _, start in pairs[1:]] + [len(data)]
    members: list[int] = []
    bodies: list[bytes] = []
    for (member, start), end in zip(pairs, ends, strict=True):
        if member not in removed:
            members.append(member)
            bodies.append(data[start:end].strip() + b"\n")
    relative, at = [], 0
    for member, body in zip(members, bodies, strict=True):
        relative.append(b"%d %d" % (member, at))
        at += len(body)
    head = b" ".join(relative) + b"\n"
    packed = zlib.compress(head + b"".join(bodies), 9)
    body = (
        b"%d 0 obj\n<</Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d>>\nstream\n"
        % (number, len(members), len(head), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    return members, body


def _stream_object(number: int, data: bytes, extra: bytes = b"") -> bytes:
    return b"%d 0 obj\n<<%s/Length %d>>\nstream\n%s\nendstream\nendobj\n" % (number, extra, len(data), data)


# ---------------------------------------------------------------------------
# Stamping a copy
# ---------------------------------------------------------------------------


def stamp_line(name: str, organisation: str, copy: int, copies: int, marking: str, language: str = "en") -> str:
    """The line printed on every page of a copy, in the language of the recipient's edition."""
    from briefing.languages.i18n import translations

    words = translations(language).gettext(
        "%(marking)s · Prepared for %(name)s, %(organisation)s — copy %(copy)d of %(copies)d"
    )
    return words % {"marking": marking, "name": name, "organisation": organisation, "copy": copy, "copies": copies}


def stamp_pdf(source: PreparedPdf | bytes, line: str, info: Mapping[str, str], font: StampFont) -> bytes:
    """``source`` with ``line`` on every page and ``info`` added to its document information.

    Pure: the same arguments always give the same bytes.  Raises ``StampError`` if the
    font cannot draw a character of ``line``.
    """
    prepared = source if isinstance(source, PreparedPdf) else prepare(source)
    subset = _subset_for(line, font)
    splice = _Splice(prepared.prefix)
    _add_font(splice, prepared.first_new, subset)
    _add_document_information(splice, prepared, info)
    glyphs = subset.encode(line)
    width = subset.width(line, FONT_SIZE)
    resource = prepared.font_resource.encode("ascii")
    for index, page in enumerate(prepared.pages):
        number = _stamp_stream_number(prepared.first_new, index)
        splice.add(number, _stream_object(number, _stamp_content(page, glyphs, width, resource)))
    return _finish(splice, prepared, line, info)


def _subset_for(line: str, font: StampFont) -> _Subset:
    """The subset of ``font`` a copy stamped with ``line`` embeds; raises ``StampError`` naming
    the characters the font lacks."""
    missing = font.unprintable(line)
    if missing:
        raise StampError(f"the stamp font cannot print {', '.join(repr(ch) for ch in missing)} in {line!r}")
    # Whole groups of characters, so that copies share a subset; Hangul one syllable at a time.
    scripts = frozenset(script for ch in line if (script := _script(ord(ch))) is not None)
    scripts |= {f"U+{ord(ch):04X}" for ch in line if _script(ord(ch)) in _BY_CHARACTER}
    return _subset(font, scripts)


def _add_font(splice: _Splice, first_new: int, subset: _Subset) -> None:
    """Add the objects of the embedded font: Type0 font, CIDFont, descriptor, font file, ToUnicode map."""
    type0, cid_font, descriptor, font_file, to_unicode = range(first_new, first_new + _FONT_OBJECTS)
    name = subset.base_font.encode("ascii")
    widths = " ".join(str(width) for width in subset.widths).encode("ascii")
    splice.add(
        type0,
        b"%d 0 obj\n<</Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>\nendobj\n" % (type0, name, cid_font, to_unicode),
    )
    splice.add(
        cid_font,
        b"%d 0 obj\n<</Type /Font /Subtype /CIDFontType2 /BaseFont /%s "
        b"/CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> "
        b"/FontDescriptor %d 0 R /CIDToGIDMap /Identity /DW 0 /W [0 [%s]]>>\nendobj\n"
        % (cid_font, name, descriptor, widths),
    )
    splice.add(
        descriptor,
        b"%d 0 obj\n<</Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%d %d %d %d] /ItalicAngle 0 "
        b"/Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R>>\nendobj\n"
        % (descriptor, name, *subset.bbox, subset.ascent, subset.descent, subset.cap_height, font_file),
    )
    splice.add(
        font_file,
        _stream_object(font_file, subset.font_file, b"/Filter /FlateDecode /Length1 %d" % subset.font_file_length),
    )
    splice.add(to_unicode, _stream_object(to_unicode, subset.to_unicode, b"/Filter /FlateDecode"))


def _add_document_information(splice: _Splice, prepared: PreparedPdf, info: Mapping[str, str]) -> None:
    """Add the document information: the original's entries with the copy's (``info``) over them."""
    document = DictionaryObject(prepared.info)
    for key, value in info.items():
        document[NameObject("/" + key)] = TextStringObject(value)
    buffer = io.BytesIO()
    document.write_to_stream(buffer)
    splice.add(prepared.info_number, b"%d 0 obj\n%s\nendobj\n" % (prepared.info_number, buffer.getvalue()))


def _stamp_content(page: _Page, glyphs: bytes, width: float, resource: bytes) -> bytes:
    """The content stream that draws the line (``glyphs``, ``width`` points wide at ``FONT_SIZE``)
    centred at the foot of ``page``, made smaller where it would not fit between the side margins."""
    available = page.width - 2 * SIDE_MARGIN
    size = FONT_SIZE
    if width > available:
        size, width = size * available / width, available
    x = page.llx + (page.width - width) / 2
    y = page.lly + BASELINE_FROM_BOTTOM
    # "Q" first: it restores the state the "q" before the page's own contents saved.
    return (
        b"Q\nq\n/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"
        b"BT\n/%s %.2f Tf\n%.2f g\n%.2f %.2f Td\n<%s> Tj\nET\nEMC\nQ\n" % (resource, size, GREY, x, y, glyphs)
    )


def _finish(splice: _Splice, prepared: PreparedPdf, line: str, info: Mapping[str, str]) -> bytes:
    """The copy's bytes: what ``splice`` holds, then a cross-reference stream for every object."""
    xref_number = _stamp_stream_number(prepared.first_new, len(prepared.pages))
    entries = list(prepared.entries)
    for number, entry in splice.entries.items():
        if number < len(entries):
            entries[number] = entry
    entries.extend(splice.entries.get(number, (0, 0, 0)) for number in range(len(entries), xref_number))
    entries.append((1, splice.position, 0))
    table = zlib.compress(b"".join(struct.pack(">BIH", *entry) for entry in entries), 6)
    # The second part of the ID names this copy: a digest of the source and what was stamped on it.
    copy_id = hashlib.md5(
        prepared.source_sha256.encode() + line.encode() + repr(sorted(info.items())).encode(), usedforsecurity=False
    ).hexdigest()
    trailer = (
        b"<</Type /XRef /Size %d /W [1 4 2] /Root %s /Info %d 0 R /ID [<%s> <%s>] /Filter /FlateDecode /Length %d>>"
        % (
            xref_number + 1,
            prepared.root.encode(),
            prepared.info_number,
            prepared.document_id.hex().encode(),
            copy_id.encode(),
            len(table),
        )
    )
    splice.chunks.append(b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (xref_number, trailer, table))
    splice.chunks.append(b"startxref\n%d\n%%%%EOF\n" % splice.position)
    return b"".join(splice.chunks)


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
        paragraph.append(text_run(xml_safe(line), Fmt(bold=True, color=INK)))
    # Core properties have no free-form fields python-docx can add; "comments" is shown by Word and LibreOffice.
    document.core_properties.comments = xml_safe(short("; ".join(f"{key}: {value}" for key, value in info.items())))
    out = io.BytesIO()
    document.save(out)
    return fixed_zip(out.getvalue())


def pages_linked(data: bytes) -> frozenset[str]:
    """The files beside a Word file that its hyperlinks open, by name (a relative address without
    its ``#place``): what must travel with a copy of it for every link to work.  Web addresses
    (``https:``, ``mailto:`` …) lead elsewhere and are left out."""
    import docx

    names = set()
    for relationship in docx.Document(io.BytesIO(data)).part.package.iter_rels():
        if not relationship.is_external:
            continue
        address = urlsplit(relationship.target_ref.strip())
        if not (address.scheme or address.netloc) and address.path:
            names.add(address.path)
    return frozenset(names)
