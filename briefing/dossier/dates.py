"""Dates as a dossier writes them: partial dates ("2024", "2024-10", "2024-10-31"), compared,
aged and printed.

A partial date means every day it covers: "2025" starts on 1 January and ends on 31 December,
so a figure "as of 2024" is never called older than it is, and a deadline "2025" is passed
only on 1 January 2026.  Every layer above the dossier uses these (selection, the charts, the
templates, ``generate check``).
"""

from __future__ import annotations

from collections.abc import Iterable

from briefing.dossier.schema import Figure
from briefing.languages.i18n import CALENDAR_UNITS, format_partial_date


def is_calendar(figure: Figure) -> bool:
    """Whether the figure is a year or a date, which is never drawn as a bar's length."""
    return figure.unit.strip().lower() in CALENDAR_UNITS


def date_label(date: str) -> str:
    """ "2024" -> "2024"; "2024-10" -> "October 2024"; "2024-10-31" -> "31 October 2024"; in the
    language of the edition being built ("październik 2024", ``i18n.use_language``)."""
    return format_partial_date(date)


def months_between(earlier: str, later: str) -> int:
    """Whole months from one partial date to another; a bare year counts as its December,
    a month without a day as that month, so that a figure is never called older than it is."""

    def month_index(date: str) -> int:
        parts = date.split("-")
        return int(parts[0]) * 12 + (int(parts[1]) if len(parts) > 1 else 12)

    return month_index(later) - month_index(earlier)


def date_start(date: str) -> tuple[int, int, int]:
    """The first day a partial date can mean: "2025" -> (2025, 1, 1)."""
    parts = [int(part) for part in date.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def date_end(date: str) -> tuple[int, int, int]:
    """The last day a partial date can mean: "2025" -> (2025, 12, 31) (a day 31 in every month
    is fine for ordering)."""
    parts = [int(part) for part in date.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 31)


def newest(dates: Iterable[str | None]) -> str | None:
    """The latest of some partial dates (by their last day), or None if none is given."""
    known = [date for date in dates if date]
    return max(known, key=date_end) if known else None


def is_passed(date: str, brief_date: str) -> bool:
    """Whether all of ``date`` lies before the brief's date: "2025" is passed on 1 January 2026."""
    return date_end(date) < date_start(brief_date)


def is_stale(figure: Figure, brief_date: str, limit: int | None) -> bool:
    if limit is None or figure.as_of is None or not figure.changes_over_time:
        return False
    return months_between(figure.as_of, brief_date) > limit
