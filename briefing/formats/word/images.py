"""Images: charts arrive as SVG and are drawn as PNG with resvg from the brief's own fonts; other
pictures come from data: URLs or files inside the template folders, and nothing else."""

from __future__ import annotations

import base64
import binascii
import os
import re
import struct
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from xml.etree import ElementTree

from briefing.errors import RenderError
from briefing.formats.word.look import CHART_PIXELS, MAX_IMAGE_PIXELS, SANS, SERIF


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


def image_size(data: bytes) -> tuple[int, int] | None:
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


def image_data(src: str, static_folders: Sequence[Path]) -> tuple[bytes, str | None]:
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
            return svg_to_png(data.decode("utf-8", "replace"), font_folders(static_folders)), None
        if mime in ("image/png", "image/jpeg", "image/gif"):
            return data, None
        raise RenderError(f"an image in the brief is of type {mime or 'unknown'}; use PNG, JPEG, GIF or SVG")
    if parts.scheme not in ("", "file") or parts.netloc:
        raise RenderError(f"refused to fetch {src[:80]!r}: briefs may only use files from the template folders")
    relative = unquote(parts.path)
    for folder in static_folders:
        base = folder.resolve()
        path = Path(os.path.normpath(base / relative)).resolve()
        if path.is_relative_to(base) and path.is_file():
            name = path.relative_to(base).as_posix()
            data = path.read_bytes()
            if path.suffix.lower() == ".svg":
                return svg_to_png(data.decode("utf-8", "replace"), font_folders(static_folders)), name
            return data, name
    raise RenderError(f"refused to fetch {src[:80]!r}: not a file inside the template folders")


def font_folders(static_folders: Sequence[Path]) -> list[Path]:
    return [folder / "fonts" for folder in static_folders]
