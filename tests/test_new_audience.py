"""A fourth audience needs only a new profile file: no code, no template changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

MARKING = "TLP:CLEAR"


@pytest.fixture
def press_dossier(make_dossier: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    """A copy of the dossier with ``audiences/press.yaml`` added, built from ids the data defines."""
    dossier = make_dossier()
    with open(dossier.file("facts.yaml"), encoding="utf-8") as handle:
        facts = yaml.safe_load(handle)["facts"]
    with open(dossier.file("sources.yaml"), encoding="utf-8") as handle:
        grades = {source["id"]: source["reliability"] for source in yaml.safe_load(handle)["sources"]}
    with open(dossier.file("timeline.yaml"), encoding="utf-8") as handle:
        events = yaml.safe_load(handle)["timeline"]
    # Well-sourced facts (best grade B or better), so that every one of them is shown.
    solid = [fact for fact in facts if min(grades[c["source"]] for c in fact["cites"]) <= "B"]
    assert len(solid) >= 5
    timeline_tag = events[0]["tags"][0]
    profile = {
        "id": "press",
        "name": "Press office",
        "prepared_for": "Press officers of the ministry",
        "purpose": "Background for answering journalists' questions on the cooperation.",
        "marking": MARKING,
        "page_budget": 6,
        "key_points": [fact["id"] for fact in solid[:3]],
        "sections": [
            {
                "kind": "facts",
                "id": "background",
                "title": "Background for journalists",
                "facts": [fact["id"] for fact in solid[3:5]],
            },
            {"kind": "timeline", "id": "dates", "title": "Dates to remember", "tags": [timeline_tag]},
        ],
    }
    dossier.write("audiences/press.yaml", yaml.safe_dump(profile, sort_keys=False, allow_unicode=True))
    return dossier, {"profile": profile, "facts": {fact["id"]: fact for fact in facts}, "events": events}


def test_new_profile_builds_a_pdf(
    press_dossier: tuple[Any, dict[str, Any]],
    cli: Callable[..., Result],
    tmp_path: Path,
    pdf_text: Callable[[Path], Any],
    dossier_id: str,
) -> None:
    dossier, expected = press_dossier
    profile = expected["profile"]
    out = tmp_path / "out"
    result = cli("brief", "--audience", "press", "--format", "pdf", "--out", out, "--data", dossier.root)

    assert result.exit_code == 0, result.output
    pdf = out / f"{dossier_id}-press.pdf"
    assert pdf.is_file()
    assert {path.name for path in out.iterdir()} == {pdf.name}

    text = pdf_text(pdf)
    for section in profile["sections"]:
        assert section["title"] in text.lines, f"heading {section['title']!r} missing"
    assert MARKING in text.flat
    # What the sections were told to show is there: the chosen facts and a dated event with the tag.
    for fact_id in profile["sections"][0]["facts"] + profile["key_points"]:
        assert text.says(expected["facts"][fact_id]["statement"]), f"{fact_id} missing"
    tag = profile["sections"][1]["tags"][0]
    tagged = [event for event in expected["events"] if tag in event["tags"]]
    assert tagged
    assert all(text.says(event["event"]) for event in tagged)


def test_audience_all_includes_the_new_profile(
    press_dossier: tuple[Any, dict[str, Any]],
    cli: Callable[..., Result],
    tmp_path: Path,
    profiles: dict[str, Any],
    dossier_id: str,
) -> None:
    dossier, _ = press_dossier
    out = tmp_path / "out"
    result = cli("brief", "--audience", "all", "--format", "html", "--out", out, "--data", dossier.root)

    assert result.exit_code == 0, result.output
    audiences = [*profiles, "press"]
    assert len(audiences) == 4
    # Each HTML brief with the sources page its notes link to.
    expected = {f"{dossier_id}-{audience}{suffix}" for audience in audiences for suffix in (".html", ".sources.html")}
    assert {path.name for path in out.iterdir()} == expected
    press = (out / f"{dossier_id}-press.html").read_text(encoding="utf-8")
    assert MARKING in press


def test_unknown_audience_message_lists_the_new_profile(
    press_dossier: tuple[Any, dict[str, Any]], cli: Callable[..., Result], tmp_path: Path
) -> None:
    dossier, _ = press_dossier
    result = cli("brief", "--audience", "radio", "--out", tmp_path / "out", "--data", dossier.root)
    assert result.exit_code == 2, result.output
    line = next(line for line in result.output.splitlines() if "radio" in line)
    assert "press" in line
