"""The characters each font has are kept in the user cache; a damaged entry is never trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.formats import glyphs

FONT = Path(__file__).resolve().parent.parent / "templates" / "static" / "fonts" / "NotoSans-Regular.ttf"


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "briefing" / "cmaps").glob("*.json"))


def test_a_font_is_read_once_then_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    glyphs._cmap.cache_clear()
    first = glyphs.covered_characters([FONT])
    assert ord("Ł") in first
    (entry,) = _entries(tmp_path)

    # A cache entry with the right shape is used as it is (here: reduced to "A" alone) ...
    entry.write_text("[65]", encoding="utf-8")
    glyphs._cmap.cache_clear()
    assert glyphs.covered_characters([FONT]) == frozenset({65})

    # ... and one with the wrong shape is ignored: the font is read again.
    entry.write_text('{"not": "a list"}', encoding="utf-8")
    glyphs._cmap.cache_clear()
    assert glyphs.covered_characters([FONT]) == first


def test_an_unusable_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    glyphs._cmap.cache_clear()
    assert ord("Ł") in glyphs.covered_characters([FONT])
