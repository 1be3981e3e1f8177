"""Page 1 that still holds (issue 23 item 2): a key point that is a time-bound statement older than
the profile's staleness limit is not on page 1 (read back from the PDF): it stays in the body,
flagged, and page 1 says how many were left off and where they are.  Judgements print most
confident first; a low-confidence or below-bar judgement never leads the bottom line; a judgement
resting on an undated source says so.  On the fictional test dossier and the shipped one."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
from click.testing import Result
from conftest import normalise, squash

ROOT = Path(__file__).resolve().parent.parent
FICTIONAL = ROOT / "tests" / "fixtures" / "fictional"
DROUGHT = "For Aldmark, a long drought on the aquifer is the main risk to the treaty."
HELD = "Two years on, the treaty has held, but both the ferry and the water programme are behind schedule."

# Three judgements of the institute's report, in the dossier's order low, high, moderate.  Their
# quotes are the report's own words (as the fictional facts quote them).
JUDGEMENTS = """# FICTIONAL test dossier: every name, number and source here is invented.
judgements:
  - id: j-low
    judgement: The institute judges, on thin evidence, that the commission is failing.
    confidence: {low}
    rests_on: [best-in-a-generation]
    audiences: [water-ministry]
    cites:
      - source: vics-report
        locator: p. 1
        quote: >-
          the commission that is supposed to settle their disagreements has met only once.
  - id: j-high
    judgement: The institute judges that the treaty has held.
    confidence: high
    rests_on: [treaty-has-held]
    audiences: [water-ministry]
    cites:
      - source: vics-report
        locator: p. 1
        quote: The treaty has held, but both of its pillars are behind schedule.
  - id: j-moderate
    judgement: The institute judges that both pillars of the treaty are behind schedule.
    confidence: {moderate}
    rests_on: [treaty-has-held, engines-spared]
    audiences: [water-ministry]
    cites:
      - source: vics-report
        locator: p. 1
        quote: The treaty has held, but both of its pillars are behind schedule.
"""


def _fictional(tmp_path: Path, judgements: str | None = None) -> Path:
    root = tmp_path / "fictional"
    shutil.copytree(FICTIONAL, root)
    if judgements is not None:
        (root / "judgements.yaml").write_text(judgements, encoding="utf-8")
    return root


def _pages(path: Path) -> list[str]:
    return [normalise(page.extract_text() or "") for page in pypdf.PdfReader(path).pages]


def _build(cli: Callable[..., Result], root: Path, out: Path, audience: str, formats: str) -> Result:
    result = cli("brief", "-a", audience, "--format", formats, "--data", root, "--out", out)
    assert result.exit_code == 0, result.output
    return result


def test_an_overtaken_statement_never_reaches_page_one(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _fictional(tmp_path)
    threats = root / "threats.yaml"
    text = threats.read_text(encoding="utf-8")
    # The key point becomes a statement true in January 2027: 52 months before the brief (limit 36).
    marked = text.replace("  - id: aldmark-drought\n", '  - id: aldmark-drought\n    as_of: "2027-01"\n', 1)
    assert marked != text
    threats.write_text(marked, encoding="utf-8")
    out = tmp_path / "out"
    _build(cli, root, out, "water-ministry", "html,pdf")
    pages = _pages(out / "orm-strait-treaty-water-ministry.pdf")
    first, rest = squash(pages[0]), squash(" ".join(pages[1:]))
    assert squash(DROUGHT) not in first
    # Page 1 says one key point was left off, why, and where it is.
    assert "One key point is left off this page" in pages[0]
    assert "more than 36 months old that may no longer hold" in pages[0]
    assert squash("under Risks as each party sees them") in first
    # The body prints it once, in full, flagged and dated.
    assert rest.count(squash(DROUGHT)) == 1
    assert squash("May no longer hold " + DROUGHT) in rest
    assert squash("(as of January 2027)") in rest
    # In HTML the note links to the section that prints it.
    html = (out / "orm-strait-treaty-water-ministry.html").read_text(encoding="utf-8")
    note = re.search(r'<p class="overtaken-note">.*?</p>', html, re.S)
    assert note and '<a href="#risks">Risks as each party sees them</a>' in note.group()

    # Without the old date it is a key point on page 1 again (the test can fail).
    threats.write_text(text, encoding="utf-8")
    _build(cli, root, out, "water-ministry", "pdf")
    assert squash(DROUGHT) in squash(_pages(out / "orm-strait-treaty-water-ministry.pdf")[0])


def test_a_key_point_no_section_prints_goes_to_a_block_of_its_own(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _fictional(tmp_path)
    facts = root / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(
            "  - id: treaty-has-held\n", '  - id: treaty-has-held\n    as_of: "2027-01"\n', 1
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    _build(cli, root, out, "water-ministry", "html")
    html = (out / "orm-strait-treaty-water-ministry.html").read_text(encoding="utf-8")
    block = html[html.index('id="overtaken"') :]
    block = block[: block.index("</section>")]
    assert "Earlier key points that may no longer hold" in block
    assert squash(HELD) in squash(block)
    note = re.search(r'<p class="overtaken-note">.*?</p>', html, re.S)
    assert note and 'href="#overtaken"' in note.group()
    # The block is listed in the contents, after the sections and before the sources.
    contents = re.search(r'<nav class="contents".*?</nav>', html, re.S)
    assert contents, "the water-ministry brief has a contents list"
    links = re.findall(r'href="#([^"]+)"', contents.group())
    assert links[-2:] == ["overtaken", "sources"], links


def _judgements_box(html: str) -> str:
    box = html[html.index('id="key-points"') :]
    return box[: box.index("</section>")]


def test_judgements_print_by_confidence_and_a_low_one_never_leads(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _fictional(tmp_path, JUDGEMENTS.format(low="low", moderate="moderate"))
    out = tmp_path / "out"
    _build(cli, root, out, "water-ministry", "html")
    box = _judgements_box((out / "orm-strait-treaty-water-ministry.html").read_text(encoding="utf-8"))
    order = [box.index(words) for words in ("that the treaty has held", "both pillars", "on thin evidence")]
    assert order == sorted(order), "high, then moderate, then low"
    # A moderate judgement leads: the judgements open the bottom line, the key facts follow.
    assert box.index('class="judgements"') < box.index('class="key-facts"')

    # With every judgement of low confidence, the key facts open the bottom line instead.
    every_low = JUDGEMENTS.replace("confidence: high", "confidence: low").format(low="low", moderate="low")
    (root / "judgements.yaml").write_text(every_low, encoding="utf-8")
    analysis = root / "analysis.yaml"  # the unit's own assessment is a judgement too
    low = analysis.read_text(encoding="utf-8").replace("confidence: moderate", "confidence: low")
    analysis.write_text(low, encoding="utf-8")
    _build(cli, root, out, "water-ministry", "html")
    box = _judgements_box((out / "orm-strait-treaty-water-ministry.html").read_text(encoding="utf-8"))
    assert box.index('class="key-facts"') < box.index('class="judgements"')


def test_a_judgement_resting_on_an_undated_source_says_so(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = _fictional(tmp_path, JUDGEMENTS.format(low="low", moderate="moderate"))
    out = tmp_path / "out"
    _build(cli, root, out, "water-ministry", "html")
    box = _judgements_box((out / "orm-strait-treaty-water-ministry.html").read_text(encoding="utf-8"))
    assert "rests on an undated source" not in box
    # The interview j-moderate rests on (through engines-spared) loses its date.
    sources = root / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace('    date: "2031-02-12"\n', "", 1), encoding="utf-8")
    _build(cli, root, out, "water-ministry", "html")
    box = _judgements_box((out / "orm-strait-treaty-water-ministry.html").read_text(encoding="utf-8"))
    moderate = re.search(r"<li>[^<]*both pillars.*?</li>", box, re.S)
    assert moderate and "; rests on an undated source]" in moderate.group()
    high = re.search(r"<li>[^<]*that the treaty has held.*?</li>", box, re.S)
    assert high and "undated source" not in high.group()


def test_the_shipped_ministry_page_one_carries_nothing_overtaken(shipped_briefs: Any) -> None:
    """President Yoon, the 2027 election and the denied troops are not on page 1 of the ministry brief."""
    pages = _pages(shipped_briefs.path("ministry", "pdf"))
    first = pages[0] + " " + pages[1][: pages[1].find("Contents")]  # the bottom line may run onto page 2
    for words in ("President Yoon described the deployment", "2027 presidential elections could result"):
        assert squash(words) not in squash(first), words
    # The profile's key points are ones that still hold (the overtaken statements stay in the body,
    # flagged, where a section prints them): page 1 has none to leave off, and says nothing of it.
    assert "2027 presidential elections could result" in " ".join(pages[1:]).replace("\n", " ")
    assert "left off this page" not in first
