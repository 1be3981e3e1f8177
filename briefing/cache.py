"""The user's cache: values that only save time (drawn charts, font character maps, verified
sources, the record of what a build wrote), kept as JSON under ``$XDG_CACHE_HOME/briefing/``.

Anything read back from it is untrusted (another program, or a previous version, may have
written it): callers check its shape before using it, and a cache that cannot be read or
written is simply not used.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError
from briefing.output import OutputFile, write_outputs


def cache_folder(name: str) -> Path | None:
    """``$XDG_CACHE_HOME/briefing/NAME``, or ``~/.cache/...`` when that is unset or relative
    (the XDG spec says to ignore a relative one); ``None`` when there is no home either."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"
    except RuntimeError:
        return None
    return root / "briefing" / name


def read_cached(name: str, key: str) -> Any:
    """The JSON value kept under ``key`` in the cache folder ``name``, or None if there is none or
    it cannot be read.  Cache content is untrusted: the caller checks its shape before using it."""
    folder = cache_folder(name)
    try:
        return json.loads((folder / f"{key}.json").read_text(encoding="utf-8")) if folder else None
    except (OSError, ValueError, RecursionError):
        return None


def write_cached(name: str, key: str, value: Any) -> None:
    """Keep ``value`` (JSON) under ``key`` in the cache folder ``name``, atomically; a cache that
    cannot be written is left alone, since it only saves time."""
    folder = cache_folder(name)
    if folder is not None:
        with suppress(OSError, BriefingError):
            write_outputs([OutputFile(folder / f"{key}.json", json.dumps(value).encode("utf-8"))])
