"""Characters no font of the templates can draw.

WeasyPrint draws a character that none of the brief's fonts has with whatever system font has
it, or as an empty box, and exits 0: either way not what the dossier's own fonts would print.
``generate check`` lists such text fields as warnings, and a build notes how many there are.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefing.cache import read_cached, write_cached
from briefing.dossier.yamlload import DataPath, Origins
from briefing.errors import Problem
from briefing.formats.render_html import TemplateSet

FONT_SUFFIXES = (".ttf", ".otf")
# Fields that name files and folders: never printed, so any script is fine there.
_NOT_PRINTED = frozenset({"templates", "template", "file"})
# White space and invisible characters need no glyph.
_NO_GLYPH = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
SHOWN_CHARACTERS = 8


def font_files(templates: TemplateSet) -> list[Path]:
    """The fonts a brief can be drawn with: every font file in a ``static/fonts`` folder of the search path."""
    files: list[Path] = []
    for folder in templates.static_folders:
        fonts = folder / "fonts"
        if fonts.is_dir():
            files += sorted(path for path in fonts.rglob("*") if path.suffix.lower() in FONT_SUFFIXES)
    return files


def covered_characters(fonts: list[Path], needed: frozenset[int] | None = None) -> frozenset[int]:
    """Every character some font in ``fonts`` has a glyph for.

    With ``needed``, fonts are read only until every needed character is found: the answer then
    holds those characters and is otherwise partial.  Most dossiers need nothing beyond the first
    font, and reading a large font's character map (a CJK one) is the costly part of this check.
    """
    covered: set[int] = set()
    for path in fonts:
        if needed is not None and needed <= covered:
            break
        try:
            stat = path.stat()
        except OSError:
            continue
        covered |= _cmap(str(path), stat.st_mtime_ns, stat.st_size)
    return frozenset(covered)


@lru_cache(maxsize=64)
def _cmap(path: str, mtime_ns: int, size: int) -> frozenset[int]:
    """The characters of one font file; cached per file and version (``mtime_ns`` and ``size`` are the key),
    in memory and in the user cache, since parsing a font's tables costs more than the rest of a check."""
    key = hashlib.sha256(f"{path}\n{mtime_ns}\n{size}".encode()).hexdigest()[:32]
    codes = read_cached("cmaps", key)
    # Cache content is untrusted: it only decides warnings, but must have the right shape.
    if isinstance(codes, list) and all(type(code) is int and 0 <= code <= 0x10FFFF for code in codes):
        return frozenset(codes)
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True) as font:
            covered = frozenset(font.getBestCmap() or {})
    except (OSError, TTLibError, ValueError, KeyError, AssertionError):
        return frozenset()  # a font that cannot be read draws nothing
    write_cached("cmaps", key, sorted(covered))
    return covered


def missing_glyphs(data: Any, origins: Origins, templates: TemplateSet) -> list[Problem]:
    """A warning for each text field with characters that no font of the templates has.

    WeasyPrint draws such a character with whatever system font has it, or as an empty box
    (and exits 0): either way not what the dossier's own fonts would print.
    """
    fonts = font_files(templates)
    texts = list(_texts(data, ()))
    used = set().union(*(text for _, text in texts))
    needed = frozenset(ord(ch) for ch in used if unicodedata.category(ch) not in _NO_GLYPH)
    covered = covered_characters(fonts, needed)
    if not covered or needed <= covered:
        return []
    folders = ", ".join(dict.fromkeys(_shown(path.parent) for path in fonts))
    problems = []
    for path, text in texts:
        if text.isascii() and all(ord(ch) in covered or unicodedata.category(ch) in _NO_GLYPH for ch in text):
            continue
        missing = [
            ch for ch in dict.fromkeys(text) if ord(ch) not in covered and unicodedata.category(ch) not in _NO_GLYPH
        ]
        if not missing:
            continue
        shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:SHOWN_CHARACTERS])
        more = f" and {len(missing) - SHOWN_CHARACTERS} more" if len(missing) > SHOWN_CHARACTERS else ""
        message = (
            f"no font in {folders} has {shown}{more}: the PDF prints them as empty boxes (or in a system font); "
            "add a font that has them to a static/fonts folder of the templates"
        )
        problems.append(origins.problem(path, message))
    return problems


def _texts(value: Any, path: DataPath) -> Iterator[tuple[DataPath, str]]:
    """Every text in ``value`` with its path, leaving out fields that are never printed."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_PRINTED:
                yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, index))


def _shown(folder: Path) -> str:
    try:
        return os.path.relpath(folder)
    except ValueError:
        return str(folder)
