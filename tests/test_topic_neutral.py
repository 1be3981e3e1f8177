"""Topic-neutral section kinds: nothing about one topic in the code or templates; the programme
table, its chart and the threat levels come from the dossier; years are never bar lengths; as-of
dates only where they inform; sources named alike everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result
from conftest import read_html_text

# Words of the shipped dossier's topic that once were built into the code.
TOPIC_WORDS = re.compile(r"korea|k2|pism|made-in-poland|polish.designation|production in poland", re.I)


def test_code_templates_and_reference_name_no_topic(repo_root: Path) -> None:
    files = [
        *sorted((repo_root / "briefing").rglob("*.py")),
        *sorted(p for p in (repo_root / "templates").rglob("*") if p.is_file() and p.suffix in {".html", ".css"}),
        repo_root / "docs" / "template-reference.md",
    ]
    found = [
        f"{path.relative_to(repo_root)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if TOPIC_WORDS.search(line)
    ]
    assert not found, "\n".join(found)


def _html(cli: Callable[..., Result], root: Any, audience: str, out: Path, dossier_id: str) -> str:
    result = cli("brief", "--audience", audience, "--format", "html", "--out", out, "--data", root)
    assert result.exit_code == 0, result.output
    return (out / f"{dossier_id}-{audience}.html").read_text(encoding="utf-8")


def test_programme_table_and_chart_come_from_the_dossier(
    make_dossier: Callable[[], Any], cli: Callable[..., Result], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    dossier.edit("dossier.yaml", "        label: Framework ceiling\n", "        label: Upper limit agreed\n")
    dossier.edit(
        "dossier.yaml",
        "      axis_label: Share of ordered units delivered (%)\n",
        "      axis_label: Done so far (%)\n",
    )
    dossier.edit("dossier.yaml", "        label: Polish military designation\n", "        label: Local name\n")
    html = _html(cli, dossier.root, "industry", tmp_path / "out", dossier_id)
    assert '<th scope="col">Upper limit agreed</th>' in html
    assert "Framework ceiling" not in html
    assert "Local name: Homar-K" in html
    # The chart's axis and alt text use the declared wording.
    assert "Done so far (%)" in html
    assert re.search(r'aria-label="Bar chart, Done so far \(%\): [^"]*62 of 180 delivered \(due by 2025\)', html)


def test_years_are_listed_but_never_charted(
    make_dossier: Callable[[], Any], cli: Callable[..., Result], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    line = dossier.edit("audiences/parliament.yaml", "measures: [deals-2022.value]", "measures: [k2.deadline]")
    result = cli("check", "--data", dossier.root)
    assert f"parliament.yaml:{line}:" in result.output
    assert "'k2.deadline' is a year, not a quantity: it is listed in a table but not charted" in result.output
    html = _html(cli, dossier.root, "parliament", tmp_path / "out", dossier_id)
    money = html[html.index('id="money"') : html.index("</section>", html.index('id="money"'))]
    assert "by 2025" in money  # listed in the table...
    assert "<svg" not in money  # ...but not drawn


def test_as_of_only_after_figures_that_change(
    shipped_briefs: Any, html_text: Callable[[Path], Any], pdf_text: Callable[[Path], Any]
) -> None:
    for audience in ("industry", "parliament"):
        for text in (html_text(shipped_briefs.path(audience, "html")), pdf_text(shipped_briefs.path(audience, "pdf"))):
            flat = text.flat
            # "from 2026" and a distance are fixed (changes_over_time: false): no date follows them.
            assert "industrial cooperation deal. (as of" not in flat
            assert "(as of 2023)" not in flat and "(as of 2022)" not in flat
    industry = pdf_text(shipped_briefs.path("industry", "pdf")).flat
    assert "(as of October 2024)" in industry  # figures that change keep theirs


def test_threats_table_and_sources_list_wording(
    shipped_briefs: Any, make_dossier: Callable[[], Any], cli: Callable[..., Result], tmp_path: Path, dossier_id: str
) -> None:
    # The shipped ministry brief leaves the threat perceptions table out (its rows restate the
    # divergences, and it keeps to 8 pages): a copy puts it back.
    dossier = make_dossier()
    dossier.edit(
        "audiences/ministry.yaml",
        "labels:\n",
        "  - kind: threats\n    id: threat-perceptions\n    title: Threat perceptions\nlabels:\n",
    )
    html = _html(cli, dossier.root, "ministry", tmp_path / "out", dossier_id)
    assert "As the source puts it" not in html
    assert '<th scope="col">Perception</th>' in html
    assert "<td>Primary concern</td>" in html  # the label the dossier declares for 'primary'
    text = re.sub(r"\s+", " ", read_html_text(shipped_briefs.path("ministry", "html")))
    sources = text[text.rindex("Sources") :]
    assert not re.search(r"\. (policy|news|analytical)", sources), sources
    assert "Lorenz). Policy paper" in sources


def test_chart_names_a_source_as_the_table_does(
    make_dossier: Callable[[], Any], cli: Callable[..., Result], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    # A source with a publisher but no series: the table names it by its title, so must the chart.
    dossier.edit(
        "sources.yaml",
        '    title: "News report on the Yoon–Duda meeting (untitled)"\n',
        '    title: "Summit report"\n    publisher: bbn.gov.pl\n',
    )
    dossier.edit("sources.yaml", "    kind: news report\n", "    kind: official statement\n")
    dossier.edit(
        "audiences/ministry.yaml",
        "labels:\n",
        "  - kind: comparison\n    id: poll\n    title: Troops\n    measures: [north-korea-troops-russia.planned]\n"
        "labels:\n",
    )
    html = _html(cli, dossier.root, "ministry", tmp_path / "out", dossier_id)
    text = re.sub(r"\s+", " ", read_html_text(tmp_path / "out" / f"{dossier_id}-ministry.html"))
    assert "bbn.gov.pl. Official statement" in text
    chart = html[html.index('id="poll"') : html.index("</figure>", html.index('id="poll"'))]
    table = html[html.index("</figure>", html.index('id="poll"')) : html.index("</table>", html.index('id="poll"'))]
    names = re.findall(r'<th scope="row">([^<]+)</th>', table)
    assert names
    for name in names:
        assert f"according to {name} (grade" in chart
    assert "according to bbn.gov.pl" not in chart
