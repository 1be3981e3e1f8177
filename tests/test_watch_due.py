"""What to watch (issue 23 item 5): recommendations may carry a due date; the watch section lists
what falls due within the profile's look-ahead and what has passed, and a passed horizon is
marked wherever the recommendation is printed."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

from conftest import DossierCopy, run_cli

DUE = '    due: "2027"\n'


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    end = html.find("<section", start + 1)
    text = html[start : end if end > 0 else None]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", text)))


def _ministry(dossier: DossierCopy, out: Path) -> str:
    result = run_cli("brief", "-a", "ministry", "--format", "html", "--out", out, "--data", dossier.root)
    assert result.exit_code == 0, result.output
    return (out / "poland-south-korea-defence-ministry.html").read_text(encoding="utf-8")


def test_a_due_date_within_the_look_ahead_is_in_the_watch_section(
    make_dossier: Callable[..., DossierCopy], tmp_path: Path
) -> None:
    dossier = make_dossier()
    dossier.edit("recommendations.yaml", DUE, '    due: "2026-11"\n')  # the brief's own month
    watch = _section(_ministry(dossier, tmp_path), "watch")
    row = watch[watch.index("November 2026") :][:300]
    assert "Build contacts with the South Korean opposition" in row
    assert "Due this month" in row


def test_a_due_date_past_the_look_ahead_is_not_listed(make_dossier: Callable[..., DossierCopy], tmp_path: Path) -> None:
    dossier = make_dossier()
    dossier.edit("recommendations.yaml", DUE, '    due: "2029-06"\n')
    assert "Build contacts with the South Korean opposition" not in _section(_ministry(dossier, tmp_path), "watch")


def test_a_passed_horizon_is_marked_wherever_the_recommendation_is_printed(
    make_dossier: Callable[..., DossierCopy], tmp_path: Path
) -> None:
    dossier = make_dossier()
    dossier.edit("recommendations.yaml", DUE, '    due: "2025-06"\n')
    html = _ministry(dossier, tmp_path)
    watch = _section(html, "watch")
    row = watch[watch.index("June 2025") :][:300]
    assert "Build contacts with the South Korean opposition" in row and "Passed" in row
    recommendations = _section(html, "recommendations")
    entry = recommendations[recommendations.index("Build contacts with the South Korean opposition") :][:1200]
    assert re.search(r"Horizon: before the 2027 South Korean presidential elections \(passed\)", entry)
