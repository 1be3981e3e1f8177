"""A brief's page budget is a contract: past it, say what takes the room.

The PDF's outline gives where each section starts; the room a section takes is the distance to the
next heading of the same or a higher level (the last one runs to the end).  A brief over budget
names its largest sections, so an editor knows where to cut; ``generate brief --strict`` refuses it.
"""

from __future__ import annotations

from collections.abc import Sequence


def section_room(outline: Sequence[tuple[str, int, float]], pages: int) -> list[tuple[str, float]]:
    """(heading, pages it takes) for each heading at the outline's section level, largest first.

    The section level is the shallowest depth that has more than one heading (the title, alone at
    the top, is not a section)."""
    depths = sorted({depth for _, depth, _ in outline})
    level = next((d for d in depths if sum(1 for _, depth, _ in outline if depth == d) > 1), None)
    if level is None:
        return []
    starts = [(label, depth, start) for label, depth, start in outline if depth <= level]
    room: dict[str, float] = {}
    for index, (label, depth, start) in enumerate(starts):
        if depth < level:
            continue  # the title and what stands under it before the first section
        end = starts[index + 1][2] if index + 1 < len(starts) else float(pages)
        room[label] = room.get(label, 0.0) + max(end - start, 0.0)
    return sorted(room.items(), key=lambda pair: -pair[1])


def over_budget(pages: int, budget: int, outline: Sequence[tuple[str, int, float]], shown: int = 3) -> str | None:
    """The message for a PDF over its page budget, naming what takes the most room; None within it."""
    if pages <= budget:
        return None
    largest = section_room(outline, pages)[:shown]
    where = "; ".join(f"{label} ({room:.1f} pages)" for label, room in largest)
    message = f"the PDF has {pages} pages; the profile's page budget is {budget}"
    return f"{message} (most room: {where})" if where else message


def core_overrun(outline: Sequence[tuple[str, int, float]], annex_label: str, limit: int) -> str | None:
    """The message for a core (everything before the annex heading) longer than ``limit`` pages."""
    start = next((position for label, _, position in outline if label == annex_label), None)
    if start is None:
        return None
    core_pages = int(start)  # the annex starts at the top of a page: the core fills the pages before it
    if core_pages <= limit:
        return None
    before = [entry for entry in outline if entry[2] < start]
    largest = section_room([*before, (annex_label, min(d for _, d, _ in outline), start)], core_pages)
    where = "; ".join(f"{label} ({room:.1f} pages)" for label, room in largest[:3] if label != annex_label)
    message = f"the core (before '{annex_label}') has {core_pages} pages; the profile keeps it to {limit}"
    return f"{message} (most room: {where})" if where else message
