"""No leak below the bar: a profile that omits a grade shows nothing built from that grade's sources.

Not in key points, sections of any kind, questions, recommendations, charts, tables, notes or
the Sources list.  Checked on the built HTML and PDF (text read back) of a copy of the shipped
dossier and of a small dossier written here, each with every section kind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from conftest import BriefText, read_html_text, read_pdf, squash

# Every section kind the templates ship.
ALL_KINDS = (
    "facts",
    "programmes",
    "deliveries",
    "comparison",
    "threats",
    "divergences",
    "recommendations",
    "timeline",
    "questions",
)

SOURCE_A = """Harbour Transport Authority, annual statement 2025 (a fictional source).

The authority ordered 40 electric buses and has received 10 of them.
The last of the buses are due by 2027.
The Northern Ferry carried 4,000 passengers a day in 2024.
Storm damage to the harbour wall is the authority's primary concern.
The city council wants more ferries; the authority prefers more buses.
The authority opened the new bus depot in March 2024.
Depot staff were trained by the bus maker.
"""

SOURCE_C = """Quayside gossip sheet (a fictional source).

The authority ordered 12 trams and has received 3 of them.
The Northern Ferry carried 5,000 passengers a day in 2024.
Smugglers using the night ferry are a concern for harbour police.
Fishermen want the ferry route moved; the authority refuses.
A tram test run took place in May 2024.
Ferry fares will double next year.
Depot staff were trained by the bus maker.
"""


def _cite(source: str, quote: str) -> dict[str, str]:
    return {"source": source, "locator": "para. 1", "quote": quote}


def _figure(measure: str, value: int, unit: str, text: str, fixed: bool = False) -> dict[str, Any]:
    figure: dict[str, Any] = {"measure": measure, "value": value, "unit": unit, "text": text, "as_of": "2024"}
    if fixed:
        figure["changes_over_time"] = False
    return figure


def _fact(id: str, statement: str, cites: list[dict[str, str]], figures: list[dict[str, Any]] | None = None) -> Any:
    return {
        "id": id,
        "statement": statement,
        "figures": figures or [],
        "tags": ["transport"],
        "credibility": 2,
        "cites": cites,
    }


def small_dossier(root: Path) -> dict[str, list[str]]:
    """A dossier of one A-graded and one C-graded source, every kind of item from each; returns
    the texts that only the C-graded source supports (none may appear under a B 'omit' bar)."""
    (root / "audiences").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "seeds" / "a.txt").write_text(SOURCE_A, encoding="utf-8")
    (root / "seeds" / "c.txt").write_text(SOURCE_C, encoding="utf-8")
    buses = (
        "The authority ordered 40 electric buses and has received 10 of them. The last of the buses are due by 2027."
    )
    data: dict[str, Any] = {
        "dossier": {
            "id": "harbour",
            "title": "Harbour transport",
            "short_title": "Harbour transport",
            "publisher": "Test Unit",
            "author": "Test Unit",
            "date": "2025-06",
            "edition": "1",
            "language": "en",
            "tags": {"transport": "Transport"},
            "threat_levels": {"primary": "Primary concern", "concern": "Concern"},
            "programme_table": {
                "columns": [
                    {"field": "ordered", "label": "Ordered"},
                    {"field": "delivered", "label": "Received"},
                    {"field": "deadline", "label": "Due"},
                ],
                "progress": {"done": "delivered", "total": "ordered", "deadline": "deadline"},
            },
        },
        "sources": [
            {
                "id": "authority-statement",
                "file": "seeds/a.txt",
                "title": "Harbour Transport Authority annual statement",
                "kind": "official statement",
                "reliability": "A",
                "reliability_reason": "The authority's own statement.",
            },
            {
                "id": "gossip-sheet",
                "file": "seeds/c.txt",
                "title": "Quayside gossip sheet",
                "kind": "newsletter",
                "publisher": "Quayside Printers",
                "reliability": "C",
                "reliability_reason": "Unsigned, but often right.",
            },
        ],
        "facts": [
            _fact(
                "buses",
                "The authority ordered 40 electric buses and has received 10; the last are due by 2027.",
                [_cite("authority-statement", buses)],
                [
                    _figure("bus.ordered", 40, "buses", "40"),
                    _figure("bus.delivered", 10, "buses", "10"),
                    _figure("bus.deadline", 2027, "year", "by 2027", fixed=True),
                ],
            ),
            _fact(
                "trams",
                "The authority ordered 12 trams and has received 3 of them.",
                [_cite("gossip-sheet", "The authority ordered 12 trams and has received 3 of them.")],
                [_figure("tram.ordered", 12, "trams", "12"), _figure("tram.delivered", 3, "trams", "3")],
            ),
            _fact(
                "ferry-a",
                "The Northern Ferry carried 4,000 passengers a day in 2024.",
                [_cite("authority-statement", "The Northern Ferry carried 4,000 passengers a day in 2024.")],
                [_figure("ferry.passengers", 4000, "passengers a day", "4,000")],
            ),
            _fact(
                "ferry-c",
                "By another count the Northern Ferry carried 5,000 passengers a day in 2024.",
                [_cite("gossip-sheet", "The Northern Ferry carried 5,000 passengers a day in 2024.")],
                [_figure("ferry.passengers", 5000, "passengers a day", "5,000")],
            ),
            _fact(
                "training",
                "Depot staff were trained by the bus maker.",
                [
                    _cite("authority-statement", "Depot staff were trained by the bus maker."),
                    _cite("gossip-sheet", "Depot staff were trained by the bus maker."),
                ],
            ),
            _fact(
                "fares",
                "Ferry fares will double next year.",
                [_cite("gossip-sheet", "Ferry fares will double next year.")],
            ),
        ],
        "programmes": [
            {"id": "bus", "name": "Electric buses", "system": "Electric bus", "category": "bus"},
            {"id": "tram", "name": "Trams", "system": "Quayside tram", "category": "tram"},
        ],
        "threats": [
            {
                "id": "storms",
                "holder": "Harbour Transport Authority",
                "threat": "Storm damage",
                "level": "primary",
                "statement": "Storm damage to the harbour wall is the authority's primary concern.",
                "tags": ["transport"],
                "cites": [
                    _cite("authority-statement", "Storm damage to the harbour wall is the authority's primary concern.")
                ],
            },
            {
                "id": "smugglers",
                "holder": "Harbour police",
                "threat": "Smuggling on the night ferry",
                "level": "concern",
                "statement": "Smugglers using the night ferry are a concern for harbour police.",
                "tags": ["transport"],
                "cites": [_cite("gossip-sheet", "Smugglers using the night ferry are a concern for harbour police.")],
            },
        ],
        "divergences": [
            {
                "id": "ferries-or-buses",
                "topic": "Ferries or buses",
                "positions": [
                    {"holder": "City council", "position": "More ferries."},
                    {"holder": "The authority", "position": "More buses."},
                ],
                "tags": ["transport"],
                "cites": [
                    _cite(
                        "authority-statement", "The city council wants more ferries; the authority prefers more buses."
                    )
                ],
            },
            {
                "id": "ferry-route",
                "topic": "Moving the ferry route",
                "positions": [
                    {"holder": "Fishermen", "position": "Move the route."},
                    {"holder": "The authority", "position": "Keep the route."},
                ],
                "tags": ["transport"],
                "cites": [_cite("gossip-sheet", "Fishermen want the ferry route moved; the authority refuses.")],
            },
        ],
        "recommendations": [
            {
                "id": "rec-buses",
                "title": "Keep bus deliveries on schedule",
                "text": "Hold the maker to the 2027 date.",
                "addressee": "The authority",
                "horizon": "2027",
                "priority": "high",
                "priority_basis": "The deadline is contractual.",
                "rationale": "Buses are the authority's preferred answer.",
                "rests_on": ["buses"],
                "audiences": ["board"],
                "cites": [_cite("authority-statement", "The last of the buses are due by 2027.")],
            },
            {
                "id": "rec-fares",
                "title": "Prepare an answer on doubled fares",
                "text": "Brief the press office on fares.",
                "addressee": "The authority",
                "horizon": "2025",
                "priority": "medium",
                "priority_basis": "Ridership is high.",
                "rationale": "Fares matter to riders.",
                "rests_on": ["fares"],
                "audiences": ["board"],
                "cites": [_cite("authority-statement", "The Northern Ferry carried 4,000 passengers a day in 2024.")],
            },
        ],
        "timeline": [
            {
                "id": "depot-opens",
                "date": "2024-03",
                "event": "The new bus depot opens.",
                "tags": ["transport"],
                "cites": [_cite("authority-statement", "The authority opened the new bus depot in March 2024.")],
            },
            {
                "id": "tram-test",
                "date": "2024-05",
                "event": "A tram test run takes place.",
                "tags": ["transport"],
                "cites": [_cite("gossip-sheet", "A tram test run took place in May 2024.")],
            },
        ],
        "questions": [
            {
                "id": "q-buses",
                "question": "Will the last buses arrive by their deadline?",
                "rests_on": ["buses"],
                "audiences": ["board"],
            },
            {
                "id": "q-ferry-count",
                "question": "Which passenger count does the authority stand by?",
                "rests_on": ["ferry-a", "ferry-c"],
                "audiences": ["board"],
            },
        ],
    }
    for key, value in data.items():
        (root / f"{key}.yaml").write_text(yaml.safe_dump({key: value}, sort_keys=False), encoding="utf-8")
    profile: dict[str, Any] = {
        "id": "board",
        "name": "Authority board",
        "prepared_for": "Board members",
        "purpose": "What the board should know.",
        "marking": "TLP:AMBER",
        "page_budget": 10,
        "min_reliability": "B",
        "below_min_reliability": "omit",
        "key_points": ["buses", "ferry-a", "training", "ferry-c"],
        "sections": [{"kind": kind, "id": f"s-{kind}", "title": f"Section {kind}"} for kind in ALL_KINDS],
    }
    for section in profile["sections"]:
        if section["kind"] in ("facts", "timeline"):
            section["tags"] = ["transport"]
        if section["kind"] == "comparison":
            section["measures"] = ["ferry.passengers"]
    (root / "audiences" / "board.yaml").write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return {
        "kept": [
            "The authority ordered 40 electric buses and has received 10",
            "The Northern Ferry carried 4,000 passengers a day in 2024.",
            "Storm damage to the harbour wall",
            "Ferries or buses",
            "Keep bus deliveries on schedule",
            "The new bus depot opens.",
            "Will the last buses arrive by their deadline?",
            "Depot staff were trained by the bus maker.",
            "Harbour Transport Authority annual statement",
            "Electric bus",
            "Primary concern",
        ],
        "leaked": [
            "Quayside gossip sheet",
            "gossip-sheet",
            "Quayside Printers",
            "Quayside tram",
            "ordered 12 trams",
            "carried 5,000",
            "Smuggling on the night ferry",
            "Smugglers using the night ferry",
            "Moving the ferry route",
            "Fishermen",
            "Prepare an answer on doubled fares",
            "Ferry fares will double",
            "A tram test run",
            "Which passenger count does the authority stand by?",
            *[line for line in SOURCE_C.splitlines()[2:] if "Depot staff" not in line],
        ],
    }


def _texts(out: Path, stem: str) -> list[tuple[str, BriefText]]:
    html = out / f"{stem}.html"
    pdf = out / f"{stem}.pdf"
    # The HTML's text and its markup (alt text of charts, attributes), and the PDF's text.
    return [
        ("html text", BriefText(read_html_text(html))),
        ("html markup", BriefText(html.read_text(encoding="utf-8"))),
        ("pdf text", BriefText(read_pdf(pdf))),
    ]


def _assert_no_leak(texts: list[tuple[str, BriefText]], leaked: list[str], kept: list[str]) -> None:
    for where, text in texts:
        for phrase in leaked:
            assert squash(phrase) not in text.squashed, f"below-bar {phrase!r} appears in the {where}"
    html_text = texts[0][1]
    for phrase in kept:
        assert html_text.says(phrase), f"{phrase!r} (above the bar) is missing from the HTML"


def test_small_dossier_shows_nothing_below_the_bar(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = tmp_path / "harbour"
    expected = small_dossier(root)
    out = tmp_path / "out"
    result = cli("brief", "--audience", "board", "--out", out, "--data", root)
    assert result.exit_code == 0, result.output
    texts = _texts(out, "harbour-board")
    _assert_no_leak(texts, expected["leaked"], expected["kept"])
    # Every section kind has something above the bar, so each is printed.
    html = (out / "harbour-board.html").read_text(encoding="utf-8")
    for kind in ALL_KINDS:
        assert f'id="s-{kind}"' in html, f"section of kind {kind} missing"
    # The Sources list names exactly the source cited: the A-graded one.
    assert html.count("<td><cite>") == 1


def test_check_lists_what_the_bar_drops(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = tmp_path / "harbour"
    small_dossier(root)
    result = cli("check", "--data", root, "--format", "json")
    report = json.loads(result.output)
    assert not report["errors"], report["errors"]
    dropped = {note["claim"]: note for note in report["grading"] if note["action"].startswith("dropped")}
    assert set(dropped) == {"q-ferry-count", "rec-fares"}
    assert "ferry-c (C)" in dropped["q-ferry-count"]["action"]
    assert "fares (C)" in dropped["rec-fares"]["action"]
    # The key point resting on the C-graded source is not printed, and check says so, with its line.
    warnings = [w for w in report["warnings"] if "key point 'ferry-c'" in w["message"]]
    assert len(warnings) == 1, report["warnings"]
    assert warnings[0]["file"].endswith("board.yaml") and "below board's bar B" in warnings[0]["message"]
    lines = (root / "audiences" / "board.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[warnings[0]["line"] - 1].strip() == "- ferry-c"


@pytest.fixture
def shipped_copy_omitting_c(make_dossier: Callable[[], Any]) -> Any:
    """The shipped dossier with parliament's bar raised to B ('omit') and a section of every kind."""
    dossier = make_dossier()
    profile_path = dossier.file("audiences/parliament.yaml")
    text = profile_path.read_text(encoding="utf-8")
    header, _, _ = text.partition("\nid: parliament")
    profile = yaml.safe_load(text)
    assert profile["below_min_reliability"] == "omit"
    profile["min_reliability"] = "B"
    kinds = {section["kind"] for section in profile["sections"]}
    profile["sections"] += [
        {"kind": "threats", "id": "threats", "title": "Threats"},
        {"kind": "divergences", "id": "divergences", "title": "Divergences"},
        {"kind": "timeline", "id": "timeline", "title": "Timeline", "tags": ["diplomacy", "contracts", "nato"]},
        {"kind": "facts", "id": "all-tagged", "title": "All tagged", "tags": ["contracts", "unconfirmed", "money"]},
        {"kind": "deliveries", "id": "deliveries", "title": "Deliveries"},
    ]
    assert kinds | {"threats", "divergences", "timeline", "deliveries"} >= set(ALL_KINDS)
    profile["page_budget"] = 20
    profile_path.write_text(
        header + "\n" + yaml.safe_dump(profile, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return dossier


def test_shipped_dossier_omitting_grade_c_shows_none_of_it(
    shipped_copy_omitting_c: Any, cli: Callable[..., Result], tmp_path: Path, dossier_id: str
) -> None:
    dossier = shipped_copy_omitting_c
    out = tmp_path / "out"
    result = cli("brief", "--audience", "parliament", "--out", out, "--data", dossier.root)
    assert result.exit_code == 0, result.output
    with open(dossier.file("sources.yaml"), encoding="utf-8") as handle:
        sources = yaml.safe_load(handle)["sources"]
    below = [source for source in sources if source["reliability"] > "B"]
    above = [source for source in sources if source["reliability"] <= "B"]
    assert below and above
    leaked = [source["title"] for source in below]
    for name in ("facts", "threats", "divergences", "timeline", "recommendations"):
        with open(dossier.file(f"{'threats' if name == 'divergences' else name}.yaml"), encoding="utf-8") as handle:
            items = yaml.safe_load(handle)[name]
        for item in items:
            grades = {next(s["reliability"] for s in sources if s["id"] == c["source"]) for c in item["cites"]}
            # The source's own words of every below-bar citation, and the claims resting only on them.
            leaked += [c["quote"] for c in item["cites"] if c["source"] in {s["id"] for s in below}]
            if min(grades) > "B":
                leaked.append(item.get("statement") or item.get("event") or item.get("title") or item["topic"])
    kept = [source.get("series") or source["title"] for source in above]
    _assert_no_leak(_texts(out, f"{dossier_id}-parliament"), leaked, kept)
