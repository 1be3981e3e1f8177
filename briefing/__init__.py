"""Policy-briefing generator: a dossier of sourced facts in, audience-specific briefs out.

The public API is small::

    from briefing import build_briefs
    build_briefs(Path("data"), Path("briefs"), ["industry"])

Names are imported on first use, so ``generate --help`` does not pay for the
schema, Jinja2 or the renderers.
"""

from __future__ import annotations

import importlib
from typing import Any

from briefing.errors import BriefingError, DossierError, Problem, RenderError, TemplateError, UnknownAudienceError

_LAZY = {
    "build_briefs": "build.pipeline",
    "load_dossier": "build.load",
    "TemplateSet": "formats.render_html",
    "select_for_audience": "build.select",
}

__all__ = [
    "BriefingError",
    "DossierError",
    "Problem",
    "RenderError",
    "TemplateError",
    "TemplateSet",
    "UnknownAudienceError",
    "build_briefs",
    "load_dossier",
    "select_for_audience",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
