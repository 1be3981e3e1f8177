"""One grade per claim, everywhere, and a brief honest about what it leaves out and how old it is.

On a small fictional dossier written here (three sources graded B, C and E, one of them undated),
built through the command line into a temporary folder:

- a divergence position or threat that only a below-bar source states is never printed under a
  better grade by a profile that omits it (and check lists each omission with ``file:line``);
- under 'mark', a flag printed in the bottom line is printed wherever the claim appears, and a
  position only a below-bar source states is flagged;
- the original and its Polish edition print the same grade codes, note by note;
- an omitting brief says, on page 1 and in each section concerned, that it left items out;
- an undated source changes the cut-off line, which is computed from what each brief shows;
- "confirmed by other sources" (credibility 1) holds only where the brief shows the confirming source;
- a "Sources differ" note does not put the dossier's own sentence in quotation marks.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from conftest import BriefText, read_html_text, read_pdf

OFFICE = """River Authority report, March 2023 (a fictional source).

The river authority will raise the northern dyke by two metres.
The council wants a new weir; the authority wants higher dykes.
Flooding of the old town is the authority's main concern.
The authority expects the works to finish by 2025.
The dyke budget was set at 40 million euros.
The old town ferry carried 900 passengers a day in 2022.
"""

WIRE = """Wire report (a fictional source), undated.

The harbour master says the southern quay will close for a year.
Farmers demand compensation for flooded fields.
The mayor has called the upstream dam dangerous.
The dyke budget was set at 40 million euros.
Ferry operators want the weir scrapped.
The old town ferry carried 1,200 passengers a day in 2022.
"""

LEAFLET = """Leaflet of the Free River Movement (a fictional source).

The Free River Movement says the dykes are a plot against fishermen.
"""

UNDATED_NOTE = "Not dated; it reports the March 2024 floods as recent"

# Words that only the C- or E-graded sources state: none may appear in a brief that omits below B.
BELOW_B = [
    "southern quay",
    "upstream dam",
    "Ferry operators",
    "scrapped",
    "plot against fishermen",
    "Free River Movement",
    "Farmers",
    "Compensation for flooded fields",
    "Plan for the quay closure",
    "Wire report",
    "1,200",
]


class _NoAliases(yaml.SafeDumper):
    """Writes a list used twice out twice: the dossier loader refuses YAML aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_NoAliases, sort_keys=False, allow_unicode=True)


def _cite(source: str, quote: str) -> dict[str, str]:
    return {"source": source, "locator": "para. 1", "quote": quote}


def river_dossier(root: Path, translation: bool = False) -> None:
    """Write the fictional dossier (and, with ``translation``, a Polish edition of it) to ``root``."""
    (root / "audiences").mkdir(parents=True)
    (root / "seeds").mkdir()
    for name, text in (("office", OFFICE), ("wire", WIRE), ("leaflet", LEAFLET)):
        (root / "seeds" / f"{name}.txt").write_text(text, encoding="utf-8")
    fact = {"tags": ["river"], "credibility": 2}
    data: dict[str, Any] = {
        "dossier": {
            "id": "river",
            "title": "River works (fictional)",
            "short_title": "River works",
            "publisher": "Test Unit",
            "author": "Test Unit",
            "date": "2026-06",
            "edition": "1",
            "language": "en",
            "languages": ["en", "pl"] if translation else ["en"],
            "tags": {"river": "River"},
            "threat_levels": {"concern": "Concern"},
        },
        "sources": [
            {
                "id": "office",
                "file": "seeds/office.txt",
                "title": "River Authority report",
                "kind": "official report",
                "date": "2023-03",
                "reliability": "B",
                "reliability_reason": "The authority's own report.",
            },
            {
                "id": "wire",
                "file": "seeds/wire.txt",
                "title": "Wire report",
                "kind": "news report",
                "date_note": UNDATED_NOTE,
                "reliability": "C",
                "reliability_reason": "An unsigned wire report.",
            },
            {
                "id": "leaflet",
                "file": "seeds/leaflet.txt",
                "title": "Free River Movement leaflet",
                "kind": "leaflet",
                "date": "2023-02",
                "reliability": "E",
                "reliability_reason": "Propaganda of a campaign group.",
            },
        ],
        "facts": [
            {
                **fact,
                "id": "f-dyke",
                "statement": "The river authority will raise the northern dyke by two metres.",
                "cites": [_cite("office", "The river authority will raise the northern dyke by two metres.")],
            },
            {
                **fact,
                "id": "f-budget",
                "statement": "The dyke budget was set at 40 million euros.",
                "credibility": 1,
                "cites": [
                    _cite("office", "The dyke budget was set at 40 million euros."),
                    _cite("wire", "The dyke budget was set at 40 million euros."),
                ],
            },
            {
                **fact,
                "id": "f-quay",
                "statement": "The harbour master says the southern quay will close for a year.",
                "cites": [_cite("wire", "The harbour master says the southern quay will close for a year.")],
            },
            {
                **fact,
                "id": "f-ferry-office",
                "statement": "The old town ferry carried 900 passengers a day in 2022.",
                "figures": [
                    {"measure": "ferry", "value": 900, "unit": "passengers a day", "text": "900", "as_of": "2022"}
                ],
                "cites": [_cite("office", "The old town ferry carried 900 passengers a day in 2022.")],
            },
            {
                **fact,
                "id": "f-ferry-wire",
                "statement": "By another count the old town ferry carried 1,200 passengers a day in 2022.",
                "figures": [
                    {"measure": "ferry", "value": 1200, "unit": "passengers a day", "text": "1,200", "as_of": "2022"}
                ],
                "cites": [_cite("wire", "The old town ferry carried 1,200 passengers a day in 2022.")],
            },
        ],
        "threats": [
            {
                "id": "t-flood",
                "holder": "River authority",
                "threat": "Flooding of the old town",
                "level": "concern",
                "statement": "Flooding of the old town is the authority's main concern.",
                "tags": ["river"],
                "cites": [_cite("office", "Flooding of the old town is the authority's main concern.")],
            },
            {
                # Cites a B quote that does not say it, and the C quote that does.
                "id": "t-dam",
                "holder": "The mayor",
                "threat": "Upstream dam",
                "level": "concern",
                "statement": "The mayor has called the upstream dam dangerous.",
                "tags": ["river"],
                "cites": [
                    _cite("office", "Flooding of the old town is the authority's main concern."),
                    _cite("wire", "The mayor has called the upstream dam dangerous."),
                ],
            },
        ],
        "divergences": [
            {
                "id": "d-weir",
                "topic": "A new weir",
                "positions": [
                    {"holder": "City council", "position": "Wants a new weir."},
                    {"holder": "River authority", "position": "Wants higher dykes."},
                    {"holder": "Ferry operators", "position": "Want the weir scrapped."},
                    {"holder": "Free River Movement", "position": "The dykes are a plot against fishermen."},
                ],
                "tags": ["river"],
                "cites": [
                    _cite("office", "The council wants a new weir; the authority wants higher dykes."),
                    _cite("wire", "Ferry operators want the weir scrapped."),
                    _cite("leaflet", "The Free River Movement says the dykes are a plot against fishermen."),
                ],
            },
            {
                "id": "d-fields",
                "topic": "Compensation for flooded fields",
                "positions": [
                    {"holder": "Farmers", "position": "Demand compensation for flooded fields."},
                    {"holder": "River authority", "position": "Wants higher dykes."},
                ],
                "tags": ["river"],
                "cites": [
                    _cite("office", "The council wants a new weir; the authority wants higher dykes."),
                    _cite("wire", "Farmers demand compensation for flooded fields."),
                ],
            },
        ],
        "recommendations": [
            {
                "id": "r-dyke",
                "title": "Fund the dyke works",
                "text": "Keep the northern dyke works funded.",
                "addressee": "The council",
                "horizon": "2025",
                "priority": "high",
                "priority_basis": "Flooding is the main concern.",
                "rationale": "The authority will raise the northern dyke.",
                "rests_on": ["f-dyke"],
                "audiences": ["board", "council"],
                "cites": [_cite("office", "The river authority will raise the northern dyke by two metres.")],
            },
            {
                "id": "r-quay",
                "title": "Plan for the quay closure",
                "text": "Prepare for a year without the southern quay.",
                "addressee": "The council",
                "horizon": "2026",
                "priority": "medium",
                "priority_basis": "A year is long.",
                "rationale": "The harbour master says the quay will close.",
                "rests_on": ["f-quay"],
                "audiences": ["board", "council"],
                "cites": [_cite("wire", "The harbour master says the southern quay will close for a year.")],
            },
        ],
        "timeline": [
            {
                "id": "e-works",
                "date": "2025",
                "event": "The dyke works are due to finish.",
                "tags": ["river"],
                "cites": [_cite("office", "The authority expects the works to finish by 2025.")],
            }
        ],
        "questions": [
            {
                "id": "q-quay",
                "question": "How long will the southern quay close?",
                "rests_on": ["f-quay"],
                "audiences": ["board", "council"],
            }
        ],
    }
    for key, value in data.items():
        (root / f"{key}.yaml").write_text(_dump({key: value}), encoding="utf-8")
    sections = [
        {"kind": "facts", "id": "s-facts", "title": "Facts", "tags": ["river"]},
        {"kind": "threats", "id": "s-threats", "title": "Threats"},
        {"kind": "divergences", "id": "s-divergences", "title": "Divergences"},
        {"kind": "recommendations", "id": "s-recommendations", "title": "Recommendations"},
        {"kind": "questions", "id": "s-questions", "title": "Questions"},
        {"kind": "timeline", "id": "s-timeline", "title": "Timeline", "tags": ["river"]},
    ]
    for name, policy in (("board", "omit"), ("council", "mark")):
        profile = {
            "id": name,
            "name": f"The {name}",
            "prepared_for": f"Members of the {name}",
            "purpose": "What the reader should know about the river works.",
            "marking": "TLP:GREEN",
            "page_budget": 10,
            "min_reliability": "B",
            "below_min_reliability": policy,
            "stale_after_months": 12,
            "key_points": ["f-dyke", "f-budget", "r-quay", "d-weir"],
            "sections": sections,
        }
        (root / "audiences" / f"{name}.yaml").write_text(_dump(profile), encoding="utf-8")
    if translation:
        (root / "translations").mkdir()
        polish = {
            "facts": {
                "f-dyke": {"statement": "Zarząd rzeki podniesie północną groblę o dwa metry."},
                "f-budget": {"statement": "Budżet grobli ustalono na 40 mln euro."},
                "f-quay": {"statement": "Kapitan portu twierdzi, że południowe nabrzeże zostanie zamknięte na rok."},
            },
            "threats": {
                "t-dam": {
                    "holder": "Burmistrz",
                    "threat": "Tama w górze rzeki",
                    "statement": "Burmistrz nazwał tamę w górze rzeki niebezpieczną.",
                }
            },
            "divergences": {
                "d-weir": {
                    "topic": "Nowy jaz",
                    "positions": [
                        {"holder": "Rada miasta", "position": "Chce nowego jazu."},
                        {"holder": "Zarząd rzeki", "position": "Chce wyższych grobli."},
                        {"holder": "Przewoźnicy promowi", "position": "Chcą likwidacji jazu."},
                        {"holder": "Ruch Wolnej Rzeki", "position": "Groble to spisek przeciw rybakom."},
                    ],
                }
            },
            "recommendations": {
                "r-quay": {"title": "Przygotować się na zamknięcie nabrzeża"},
            },
        }
        (root / "translations" / "pl.yaml").write_text(
            "# FICTIONAL: Polish edition of a fictional test dossier.\n" + _dump(polish),
            encoding="utf-8",
        )


@pytest.fixture(scope="module")
def river(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("river") / "river"
    river_dossier(root, translation=True)
    return root


@pytest.fixture(scope="module")
def built(river: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both audiences, HTML and PDF, in English and Polish."""
    from conftest import run_cli

    out = tmp_path_factory.mktemp("river-out")
    result = run_cli("brief", "-a", "all", "--lang", "all", "--out", out, "--data", river, "--serial")
    assert result.exit_code == 0, result.output
    return out


def _html(out: Path, stem: str) -> str:
    return (out / f"river-{stem}.html").read_text(encoding="utf-8")


def _section(html: str, section_id: str) -> str:
    """The HTML of one section of a brief."""
    match = re.search(rf'<section [^>]*id="{section_id}".*?</section>', html, re.S)
    assert match, f"section {section_id} missing"
    return match.group()


def _notes(html: str) -> list[str]:
    """The grade code of every note, in order: "[B]", "[C2]"…"""
    notes = _section(html, "notes")
    return re.findall(r'<span class="grade"[^>]*>(\[[A-F]\d?\])</span>', notes)


def _flagged(fragment: str) -> bool:
    return 'class="flag"' in fragment


# ---------------------------------------------------------------------------
# Below-bar words never travel under a better grade
# ---------------------------------------------------------------------------


def test_omitting_brief_prints_no_words_only_below_bar_sources_state(built: Path) -> None:
    html_text = BriefText(read_html_text(built / "river-board.html"))
    pdf_text = BriefText(read_pdf(built / "river-board.pdf"))
    for where, text in (("HTML", html_text), ("PDF", pdf_text)):
        for words in BELOW_B:
            assert not text.says(words), f"{words!r}, stated only below the bar, is in the board's {where}"
    # The weir divergence (a key point) keeps the positions its B source states, under its grade.
    key_points = _section(_html(built, "board"), "key-points")
    weir = re.search(r'<li id="kp-\d">A new weir.*?</li>', key_points, re.S)
    assert weir, key_points
    for kept in ("A new weir", "City council", "Wants a new weir", "River authority", "Wants higher dykes"):
        assert kept in weir.group()
    assert "A new weir" in _section(_html(built, "board"), "s-divergences")  # referred to from the body
    # The threat footnoted to a B quote that does not say it is left out, not printed as [B].
    assert "The mayor" not in _section(_html(built, "board"), "s-threats")
    assert "Flooding of the old town" in _section(_html(built, "board"), "s-threats")


def test_check_lists_every_omission_with_its_place(river: Path, cli: Callable[..., Result]) -> None:
    result = cli("check", "--data", river, "--format", "json")
    report = json.loads(result.output)
    assert not report["errors"], report["errors"]
    board = [note for note in report["grading"] if note["audience"] == "board"]
    by_claim: dict[str, list[dict[str, Any]]] = {}
    for note in board:
        by_claim.setdefault(note["claim"], []).append(note)
    # Whole items, parts of one, a rival figure, and what rests on an omitted claim: each listed.
    assert {"f-quay", "t-dam", "d-fields", "d-weir", "f-ferry-wire", "r-quay", "q-quay"} <= set(by_claim)
    weir = sorted(note["action"] for note in by_claim["d-weir"])
    assert weir == [
        "omitted (position 3: only sources below the bar state it)",
        "omitted (position 4: only sources below the bar state it)",
    ]
    for note in [*by_claim["t-dam"], *by_claim["d-weir"]]:
        file, line = note["location"].rsplit(":", 1)
        written = Path(file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        if note["claim"] == "t-dam":
            assert file.endswith("threats.yaml") and "id: t-dam" in written
        else:  # the position left out, not the divergence
            assert file.endswith("divergences.yaml") and re.search("holder: (Ferry operators|Free River)", written)
    # The text report names the place too.
    text = cli("check", "--data", river).output
    assert re.search(r"grading \(board, bar B\): \S*threats\.yaml:\d+: t-dam \(C\) omitted", text), text


# ---------------------------------------------------------------------------
# A flag wherever the claim appears
# ---------------------------------------------------------------------------


def test_marking_brief_flags_a_claim_everywhere_it_appears(built: Path) -> None:
    html = _html(built, "council")
    key_points = _section(html, "key-points")
    quay_point = re.search(r"<li id=\"kp-3\">.*?</li>", key_points, re.S)
    assert quay_point and "Plan for the quay closure" in quay_point.group() and _flagged(quay_point.group())
    # In the recommendations, the same recommendation (under its full title) is flagged too.
    recommendations = _section(html, "s-recommendations")
    items = re.findall(r"<li[^>]*>.*?</li>", recommendations, re.S)
    quay = [item for item in items if "Plan for the quay closure" in item]
    assert quay and _flagged(quay[0]), quay
    dyke = [item for item in items if "Fund the dyke works" in item]
    assert dyke and not _flagged(dyke[0])
    # The question resting on the C-graded fact is flagged.
    assert _flagged(_section(html, "s-questions"))
    # The threat only a C source states is flagged and graded C, not B.
    threats = _section(html, "s-threats")
    dam = re.search(r"<tr[^>]*>\s*<th scope=\"row\">The mayor.*?</tr>", threats, re.S)
    assert dam and _flagged(dam.group())


def test_a_progress_bar_below_the_bar_is_flagged_as_its_table_row(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """The deliveries chart draws the programme rows' figures: a row below a 'mark' profile's bar
    is flagged in the table, and so in the chart (its drawn text and its text alternative)."""
    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "fixtures" / "fictional", data)
    profile = data / "audiences" / "ferry-board.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("min_reliability: C\n", "min_reliability: A\n", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = cli("brief", "-a", "ferry-board", "--format", "html", "--data", data, "--out", out)
    assert result.exit_code == 0, result.output
    html = next(out.glob("*ferry-board.html")).read_text(encoding="utf-8")
    table = _section(html, "programmes")
    flagged_rows = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", table, re.S) if _flagged(row)]
    assert flagged_rows, "the test needs a programme row below the bar"
    chart = _section(html, "delivery-progress")
    alt = re.search(r'<svg[^>]*aria-label="([^"]+)"', chart) or re.search(r'<img[^>]*alt="([^"]+)"', chart)
    assert alt and "(Unconfirmed)" in alt.group(1), chart[:2000]
    assert "(Unconfirmed)</text>" in chart


def test_marking_brief_flags_the_positions_only_below_bar_sources_state(built: Path) -> None:
    html = _html(built, "council")
    # The weir divergence is key point 4: flagged there, and where the body refers to it.
    assert _flagged(re.search(r"<li id=\"kp-4\">.*?</li>", html, re.S).group())  # type: ignore[union-attr]
    divergence = re.search(r'<div class="divergence"[^>]*>\s*<h3>.*?A new weir.*?</div>', html, re.S)
    assert divergence and _flagged(divergence.group().split("</h3>")[0])
    # In the divergence with its positions (d-fields, not a key point), only the farmers' is flagged.
    fields = next((d for d in html.split('<div class="divergence"') if "Compensation for flooded fields" in d), None)
    assert fields
    positions = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", fields, re.S)
    flags = {holder: _flagged(words) for holder, words in positions}
    assert flags == {"Farmers": True, "River authority": False}
    # Graded by its weakest part (the C-graded farmers' position), never by the B source alone.
    number = re.search(r'href="#fn-(\d+)"', fields.split("</h3>")[0])
    assert number
    note = re.search(rf'<li id="fn-{number.group(1)}">.*?</li>', html, re.S)
    assert note and "[C]" in note.group()


# ---------------------------------------------------------------------------
# One grade in every edition
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["board", "council"])
def test_every_edition_prints_the_same_grade_codes(built: Path, audience: str) -> None:
    original, polish = _notes(_html(built, audience)), _notes(_html(built, f"{audience}.pl"))
    assert original and original == polish
    # Flags too: the Polish edition flags the same claims.
    flags = _html(built, audience).count('class="flag"')
    assert _html(built, f"{audience}.pl").count('class="flag"') == flags


def test_grades_are_computed_on_the_original_words(river: Path) -> None:
    """Claim by claim: the Polish edition's selection carries the original's grades (its Polish
    words share none with the English quotes, which once lifted a grade to the best citation)."""
    from briefing.build.changes import shown_claims
    from briefing.build.load import load
    from briefing.build.select import select_for_audience
    from briefing.formats.render_html import TemplateSet

    loaded = load(river, TemplateSet())
    original, polish = loaded.dossier, loaded.dossier_in("pl")
    for index, audience in enumerate(original.audiences):
        english = shown_claims(select_for_audience(original, audience))
        translated = shown_claims(select_for_audience(polish, polish.audiences[index], original=original))
        assert english.keys() == translated.keys()
        for claim_id, (claim, _) in english.items():
            other = translated[claim_id][0]
            assert (other.grade, other.credibility, other.unconfirmed) == (
                claim.grade,
                claim.credibility,
                claim.unconfirmed,
            ), claim_id
    council = shown_claims(select_for_audience(polish, polish.audiences[1], original=original))
    assert council["t-dam"][0].grade == "C"


# ---------------------------------------------------------------------------
# Saying what was left out
# ---------------------------------------------------------------------------


def test_omitting_brief_says_it_left_items_out(built: Path) -> None:
    html = _html(built, "board")
    orientation = re.search(r'<div class="orientation".*?</div>', html, re.S)
    assert orientation
    # d-fields, f-quay, t-dam, r-quay (key point), q-quay, f-ferry-wire (a rival) and two positions.
    said = "8 items resting on sources below this brief's reliability bar (grade B) are left out."
    assert said in orientation.group()
    # (The questions section, whose only question rests on an omitted fact, is not printed at all.)
    assert 'id="s-questions"' not in html
    expected = {"s-facts": 2, "s-threats": 1, "s-divergences": 3, "s-recommendations": 1}
    for section_id, count in expected.items():
        section = _section(html, section_id)
        line = "One item resting" if count == 1 else f"{count} items resting"
        assert line in section and "left out of this section" in section, section_id
    assert "left out of this section" not in _section(html, "s-timeline")
    # The PDF says it on page 1.
    first_page = read_pdf(built / "river-board.pdf").split("Page 1 of")[0]
    assert BriefText(first_page).says("8 items resting on sources below this brief's reliability bar")
    # A brief that marks rather than omits leaves nothing out and says nothing of the kind.
    assert "left out" not in read_html_text(built / "river-council.html").replace("is left out.", "")


# ---------------------------------------------------------------------------
# Time, honestly
# ---------------------------------------------------------------------------


def _cutoff(html: str) -> str:
    match = re.search(r'<p class="cutoff">(.*?)</p>', html, re.S)
    assert match, "no cut-off line"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1)))


def test_an_undated_source_changes_the_cutoff_line(built: Path) -> None:
    # The council's brief cites the undated wire report: its cut-off says so, with the date note.
    council = _cutoff(_html(built, "council"))
    assert council.startswith("Information current to March 2023 (newest dated source).")
    assert f"One source is undated ({UNDATED_NOTE}) and may cover later events." in council
    # The board's brief omits that source: its cut-off is computed from what it shows.
    board = _cutoff(_html(built, "board"))
    assert board == "Information current to March 2023 (newest source); later events are not covered."


def test_undated_source_without_a_note_is_said_plainly(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = tmp_path / "river"
    river_dossier(root)
    sources = (root / "sources.yaml").read_text(encoding="utf-8")
    (root / "sources.yaml").write_text(re.sub(r"\n\s+date_note: .*", "", sources), encoding="utf-8")
    out = tmp_path / "out"
    result = cli("brief", "-a", "council", "--format", "html", "--out", out, "--data", root)
    assert result.exit_code == 0, result.output
    line = _cutoff((out / "river-council.html").read_text(encoding="utf-8"))
    assert line.endswith("(newest dated source). One source is undated and may cover later events.")


# ---------------------------------------------------------------------------
# Credibility and quotation marks
# ---------------------------------------------------------------------------


def test_confirmed_only_where_the_brief_shows_the_confirming_source(river: Path) -> None:
    from briefing.build.load import load_dossier
    from briefing.build.select import select_for_audience

    dossier = load_dossier(river)
    codes = {}
    for audience in dossier.audiences:
        budget = next(c for c in select_for_audience(dossier, audience).key_points if c.id == "f-budget")
        codes[audience.id] = (budget.grade, budget.credibility, {cite.source.id for cite in budget.cites})
    assert codes["council"] == ("B", 1, {"office", "wire"})  # the wire report is shown, flagged sources and all
    assert codes["board"] == ("B", 2, {"office"})  # the only confirming source is omitted


def test_sources_differ_note_quotes_no_dossier_sentence(built: Path) -> None:
    html = _html(built, "council")
    notes = re.findall(r'<span class="rivals">.*?</span>\s*</li>', html, re.S)
    assert notes, "no 'Sources differ' note"
    for note in notes:
        text = re.sub(r"<[^>]+>", "", note)
        assert "By another count the old town ferry carried 1,200" in text or "900 passengers" in text
        assert "“" not in text and "”" not in text and '"' not in text, text


def test_colophon_says_which_lines_are_not_cited(built: Path) -> None:
    """The colophon promises notes where statements are made: it names the lines that carry none."""
    colophon = re.search(r'<footer class="colophon">.*?</footer>', _html(built, "council"), re.S)
    assert colophon
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", colophon.group()))
    assert "2026. Every statement in this brief is taken from the sources listed above." in text
    assert "except the “Why” lines, which restate in the unit's words the claims a recommendation rests on." in text
    # Each "Why:" line is indeed printed without a note.
    for rationale in re.findall(r'<p class="rationale">.*?</p>', _html(built, "council"), re.S):
        assert "fnref" not in rationale
