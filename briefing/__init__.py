"""Policy-briefing generator: a dossier of sourced facts in, audience-specific briefs out.

The public API is small::

    from briefing import build_briefs
    build_briefs(Path("data"), Path("briefs"), ["industry"])
"""

from .errors import BriefingError, DossierError, Problem, RenderError, TemplateError, UnknownAudienceError
from .pipeline import build_briefs, load_dossier
from .render_html import TemplateSet
from .select import select_for_audience

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
