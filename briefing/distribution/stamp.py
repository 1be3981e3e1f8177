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
and the copy's entries go into the document's properties.
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
    if reader.is_encrypted:
        raise StampError("cannot stamp an encrypted PDF")
    trailer = reader.trailer
    if "/Prev" in trailer or "/XRefStm" in trailer:
        raise StampError("cannot stamp a PDF that has been updated incrementally: rebuild it")
    match = re.match(rb"%PDF-(\d)\.(\d)", pdf)
    if not match:
        raise StampError("not a PDF file")
    startxref = int(pdf[pdf.rindex(b"startxref") + 9 :].split()[0])

    # Every object: type 1 (at an offset) or type 2 (inside an object stream).
    offsets: dict[int, tuple[int, int]] = {}  # number -> (generation, offset)
    for generation, table in reader.xref.items():
        for number, offset in table.items():
            if number and offset != startxref:
                offsets[number] = (generation, offset)
    in_streams: dict[int, tuple[int, int]] = dict(reader.xref_objStm)
    if any(offset > startxref for _, offset in offsets.values()):
        raise StampError("cannot stamp a PDF with objects after its cross-reference section")

    size = _integer(trailer.get("/Size"))
    next_number = size
    root = trailer.raw_get("/Root")
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

    q_number = next_number
    next_number += 1
    first_new = next_number  # font objects, info (when new), stamp streams, xref stream follow
    if info_number is None:
        info_number = first_new + _FONT_OBJECTS
    pages: list[_Page] = []
    new_pages: dict[int, bytes] = {}
    replaced = {info_number}
    existing_fonts: set[str] = set()
    for page in reader.pages:
        resources = _resolved(page.get("/Resources"))
        fonts = _resolved(resources.get("/Font")) if resources is not None else None
        existing_fonts.update(str(name)[1:] for name in (fonts or {}))
    font_resource = FONT_RESOURCE
    while font_resource in existing_fonts:
        font_resource += "X"
    for index, page in enumerate(reader.pages):
        reference = page.indirect_reference
        if reference is None:
            raise StampError("cannot stamp a PDF whose pages are not indirect objects")
        box = page.cropbox
        pages.append(_Page(float(box.width), float(box.left), float(box.bottom)))
        resources = DictionaryObject(_resolved(page.get("/Resources")) or {})
        fonts = DictionaryObject(_resolved(resources.get("/Font")) or {})
        fonts[NameObject("/" + font_resource)] = IndirectObject(first_new, 0, reader)
        resources[NameObject("/Font")] = fonts
        contents = page.raw_get("/Contents") if "/Contents" in page else None
        if contents is None:
            original: list[object] = []
        elif isinstance(contents, IndirectObject) and not isinstance(contents.get_object(), ArrayObject):
            original = [contents]
        else:
            array = contents.get_object()
            if not isinstance(array, ArrayObject):
                raise StampError("cannot stamp this PDF: a page's /Contents is neither a stream nor an array")
            original = list(array)
        stamp_number = first_new + _FONT_OBJECTS + 1 + index
        new = DictionaryObject(page)
        new[NameObject("/Resources")] = resources
        new[NameObject("/Contents")] = ArrayObject(
            [IndirectObject(q_number, 0, reader), *original, IndirectObject(stamp_number, 0, reader)]
        )
        buffer = io.BytesIO()
        new.write_to_stream(buffer)
        new_pages[reference.idnum] = buffer.getvalue()
        replaced.add(reference.idnum)

    # The bytes of each top-level object run from its offset to the next one's.
    boundaries = sorted({offset for _, offset in offsets.values()} | {startxref})
    chunks: list[bytes] = []
    position = boundaries[0]
    header = pdf[:position] if int(match[1]) * 10 + int(match[2]) >= 15 else b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    position = len(header)
    chunks.append(header)
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}

    def add(number: int, generation: int, body: bytes) -> None:
        nonlocal position
        entries[number] = (1, position, generation)
        chunks.append(body)
        position += len(body)

    streams = sorted({stream for stream, _ in in_streams.values()})
    next_boundary = dict(itertools.pairwise(boundaries))
    for number, (generation, offset) in sorted(offsets.items(), key=lambda item: item[1][1]):
        if number in replaced or number in streams:
            continue
        body = pdf[offset : next_boundary[offset]]
        if not body.startswith(b"%d %d obj" % (number, generation)):
            raise StampError(f"cannot stamp this PDF: object {number} is not where its cross-reference says")
        add(number, generation, body)
    for stream in streams:
        members, body = _rebuild_object_stream(reader, stream, replaced)
        for index, number in enumerate(members):
            entries[number] = (2, stream, index)
        add(stream, 0, body)
    for number, body in sorted(new_pages.items()):
        add(number, 0, b"%d 0 obj\n%s\nendobj\n" % (number, body))
    add(q_number, 0, _stream_object(q_number, b"q\n"))
    for number in range(first_new):
        entries.setdefault(number, (0, 0, 0))
    return PreparedPdf(
        source_sha256=hashlib.sha256(pdf).hexdigest(),
        pages=tuple(pages),
        prefix=b"".join(chunks),
        entries=tuple(entries[number] for number in range(first_new)),
        first_new=first_new,
        info_number=info_number,
        info=info,
        root=f"{root.idnum} {root.generation} R",
        document_id=document_id,
        font_resource=font_resource,
    )


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
    missing = font.unprintable(line)
    if missing:
        raise StampError(f"the stamp font cannot print {', '.join(repr(ch) for ch in missing)} in {line!r}")
    scripts = frozenset(script for ch in line if (script := _script(ord(ch))) is not None)
    scripts |= {f"U+{ord(ch):04X}" for ch in line if _script(ord(ch)) in _BY_CHARACTER}
    subset = _subset(font, scripts)

    position = len(prepared.prefix)
    chunks: list[bytes] = [prepared.prefix]
    entries = list(prepared.entries)
    new_entries: dict[int, tuple[int, int, int]] = {}

    def add(number: int, body: bytes) -> None:
        nonlocal position
        new_entries[number] = (1, position, 0)
        chunks.append(body)
        position += len(body)

    type0, cid_font, descriptor, font_file, to_unicode = range(prepared.first_new, prepared.first_new + _FONT_OBJECTS)
    name = subset.base_font.encode("ascii")
    widths = " ".join(str(width) for width in subset.widths).encode("ascii")
    add(
        type0,
        b"%d 0 obj\n<</Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>\nendobj\n" % (type0, name, cid_font, to_unicode),
    )
    add(
        cid_font,
        b"%d 0 obj\n<</Type /Font /Subtype /CIDFontType2 /BaseFont /%s "
        b"/CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> "
        b"/FontDescriptor %d 0 R /CIDToGIDMap /Identity /DW 0 /W [0 [%s]]>>\nendobj\n"
        % (cid_font, name, descriptor, widths),
    )
    add(
        descriptor,
        b"%d 0 obj\n<</Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%d %d %d %d] /ItalicAngle 0 "
        b"/Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R>>\nendobj\n"
        % (descriptor, name, *subset.bbox, subset.ascent, subset.descent, subset.cap_height, font_file),
    )
    add(
        font_file,
        _stream_object(font_file, subset.font_file, b"/Filter /FlateDecode /Length1 %d" % subset.font_file_length),
    )
    add(to_unicode, _stream_object(to_unicode, subset.to_unicode, b"/Filter /FlateDecode"))

    document = DictionaryObject(prepared.info)
    for key, value in info.items():
        document[NameObject("/" + key)] = TextStringObject(value)
    buffer = io.BytesIO()
    document.write_to_stream(buffer)
    add(prepared.info_number, b"%d 0 obj\n%s\nendobj\n" % (prepared.info_number, buffer.getvalue()))

    glyphs = subset.encode(line)
    resource = prepared.font_resource.encode("ascii")
    for index, page in enumerate(prepared.pages):
        available = page.width - 2 * SIDE_MARGIN
        size = FONT_SIZE
        width = subset.width(line, size)
        if width > available:
            size, width = size * available / width, available
        x = page.llx + (page.width - width) / 2
        y = page.lly + BASELINE_FROM_BOTTOM
        content = (
            b"Q\nq\n/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"
            b"BT\n/%s %.2f Tf\n%.2f g\n%.2f %.2f Td\n<%s> Tj\nET\nEMC\nQ\n" % (resource, size, GREY, x, y, glyphs)
        )
        number = prepared.first_new + _FONT_OBJECTS + 1 + index
        add(number, _stream_object(number, content))

    xref_number = prepared.first_new + _FONT_OBJECTS + 1 + len(prepared.pages)
    for number, entry in new_entries.items():
        if number < len(entries):
            entries[number] = entry
    entries.extend(new_entries.get(number, (0, 0, 0)) for number in range(len(entries), xref_number))
    entries.append((1, position, 0))
    table = zlib.compress(b"".join(struct.pack(">BIH", *entry) for entry in entries), 6)
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
    chunks.append(b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (xref_number, trailer, table))
    chunks.append(b"startxref\n%d\n%%%%EOF\n" % position)
    return b"".join(chunks)


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
