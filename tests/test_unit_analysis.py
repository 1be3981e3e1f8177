"""The unit's own analysis (issue 23): assessments, options and lines to take, told apart from what
sources say, adding no number, date or name their grounds lack; amounts in a second currency at a
sourced rate."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

from click.testing import Result
from conftest import DossierCopy, run_cli

ANALYSIS = "analysis.yaml"


def _text(html_file: Path) -> str:
    html = html_file.read_text(encoding="utf-8")
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _build(dossier: DossierCopy, out: Path, *audiences: str) -> Result:
    args: list[str | Path] = ["brief", "--format", "html", "--out", out, "--data", dossier.root]
    for audience in audiences:
        args += ["-a", audience]
    return run_cli(*args)


def test_an_assessment_that_adds_a_number_fails_check(make_dossier: Callable[..., DossierCopy]) -> None:
    dossier = make_dossier()
    dossier.edit(
        ANALYSIS,
        "its least settled part: the\n      framework agreements",
        "its least settled part: 40 per cent of the\n      framework agreements",
    )
    # The field's line: its text starts on the line after "assessment: >-".
    line = dossier.line_of(ANALYSIS, "We assess that the industrial side") - 1
    result = run_cli("check", "--data", dossier.root)
    assert result.exit_code == 1, result.output
    assert re.search(
        rf"analysis\.yaml:{line}:\d+: assessments\[0\]\.assessment: states the number\(s\) 40", result.output
    )
    # The build stops too, and says the same.
    built = _build(dossier, dossier.root.parent / "out", "industry")
    assert built.exit_code == 1 and "states the number(s) 40" in built.output


def test_an_assessment_that_adds_a_name_or_a_year_fails(make_dossier: Callable[..., DossierCopy]) -> None:
    dossier = make_dossier()
    dossier.edit(
        ANALYSIS,
        "on closer cooperation with NATO.\n",
        "on closer cooperation with NATO before the Vilnius summit of 2023.\n",
    )
    result = run_cli("check", "--data", dossier.root)
    assert result.exit_code == 1
    message = next(line for line in result.output.splitlines() if "assessments[1].assessment" in line)
    assert "2023" in message and "Vilnius" in message


def test_a_number_its_grounds_state_passes(make_dossier: Callable[..., DossierCopy]) -> None:
    dossier = make_dossier()
    # 60 of the 72 modules: stated by homar-k-executive-contract, which the assessment rests on.
    dossier.edit(
        ANALYSIS,
        "is so far the clearest commitment to\n      manufacture in Poland.",
        "is so far the clearest commitment to\n      manufacture in Poland (60 of the 72 modules).",
    )
    result = run_cli("check", "--data", dossier.root)
    assert result.exit_code == 0, result.output


def test_an_option_cost_names_a_figure_of_its_fact(make_dossier: Callable[..., DossierCopy]) -> None:
    dossier = make_dossier()
    dossier.edit(
        ANALYSIS,
        "    lead: Polish government\n    rests_on:\n      - rec-strategic-framework",
        "    cost: {fact: deals-2022-value-pism, measure: deals-2022.vlue}\n"
        "    lead: Polish government\n    rests_on:\n      - rec-strategic-framework",
    )
    result = run_cli("check", "--data", dossier.root)
    assert result.exit_code == 1
    assert "options[0].cost.measure: fact 'deals-2022-value-pism' has no figure of measure 'deals-2022.vlue'" in (
        result.output
    )
    assert "did you mean 'deals-2022.value'" in result.output


def test_an_option_prints_its_sourced_cost_or_says_none_is_stated(
    make_dossier: Callable[..., DossierCopy], tmp_path: Path
) -> None:
    dossier = make_dossier()
    dossier.edit(
        ANALYSIS,
        "    lead: Polish government\n    rests_on:\n      - rec-strategic-framework",
        "    cost: {fact: deals-2022-value-pism, measure: deals-2022.value}\n"
        "    lead: Polish government\n    rests_on:\n      - rec-strategic-framework",
    )
    result = _build(dossier, tmp_path, "ministry")
    assert result.exit_code == 0, result.output
    text = _text(tmp_path / "poland-south-korea-defence-ministry.html")
    options = text[text.index("Options for the consultation") :]
    first, second = options.split("Resources or cost:")[1:3]
    # The first option's cost: the fact's own figure, converted at the sourced rate (ministry: PLN).
    assert first.strip().startswith("$16.6 billion (approx. 62.7 billion PLN)")
    assert second.strip().startswith("not stated in the sources")


def test_the_shipped_ministry_brief_has_options_and_lines_labelled_as_the_units(shipped_briefs) -> None:  # type: ignore[no-untyped-def]
    text = _text(shipped_briefs.path("ministry", "html"))
    assert "Options for the consultation with South Korea" in text
    assert "Lines to take in the consultation" in text
    assert "The unit's own analysis, not a source's" in text
    assert text.count("Advantages") >= 3 and text.count("Drawbacks") >= 3
    # The bottom line opens with the unit's assessments, before the sources' judgements.
    assert text.index("Our assessment") < text.index("Key judgements")


def test_the_parliament_brief_shows_zloty_beside_dollars_at_the_sourced_rate(shipped_briefs) -> None:  # type: ignore[no-untyped-def]
    text = _text(shipped_briefs.path("parliament", "html"))
    assert "$16.6 billion (approx. 62.7 billion PLN)" in text  # 16.6 × 3.7747 = 62.66
    note = text[text.index("Amounts in PLN marked approx. are converted") :][:400]
    assert "096/A/NBP/2025" in note and "3.7747 PLN" in note
    # The rate is public data, not information on the topic: it does not move the cut-off.
    assert "Information current to March 2025" in text


def test_a_second_currency_needs_a_sourced_rate(make_dossier: Callable[..., DossierCopy]) -> None:
    dossier = make_dossier()
    dossier.edit("facts.yaml", "measure: fx.usd.pln", "measure: fx.usd.pln-old")
    result = run_cli("check", "--data", dossier.root)
    assert result.exit_code == 1
    assert re.search(r"parliament\.yaml:\d+:\d+: currency: no sourced rate from USD to PLN", result.output)
    assert "fx.usd.pln" in result.output


def test_a_translated_option_keeps_its_list_lengths(make_dossier: Callable[..., DossierCopy]) -> None:
    dossier = make_dossier(with_translations=True)
    # opt-broaden-contacts has one drawback in the original; the translation gives two.
    line = dossier.edit(
        "translations/pl.yaml",
        "      - Krytyka zacieśniania więzi z NATO ze strony opozycji",
        "      - Jeden.\n      - Krytyka zacieśniania więzi z NATO ze strony opozycji",
    )
    result = run_cli("check", "--data", dossier.root)
    assert result.exit_code == 1
    assert "drawbacks: has 2 entries; the original has 1" in result.output
    assert re.search(rf"pl\.yaml:{line}:\d+: options\.opt-broaden-contacts\.drawbacks", result.output)
