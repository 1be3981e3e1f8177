"""A dossier written in Polish works end to end (issue 21 items 1, 2 and 9; issue 22 item 6).

``tests/fixtures/polish/`` is a fictional Polish-original dossier with Polish and English sources
and an English edition.  Its numbers are read with Polish rules ("Ponad 0,5 mld zł", "16,6 mld zł",
"1 234,5 mln zł"), its hedges with Polish words ("prawdopodobnie", "może", "mogą"), its Polish
claims against English quotes through the English edition, and its English edition keeps the
qualifiers of its figures ("około 700 kilometrów" -> "about 700 km").  Each rule is tested by
breaking a copy of the fixture and reading what ``check`` says, at which file and line.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import DossierCopy, read_html_text

from briefing.languages import i18n, numbers

POLISH = Path(__file__).parent / "fixtures" / "polish"
HEDGE = "drops the hedge"
SUPPORT = "does not support"


@pytest.fixture
def polish(tmp_path: Path) -> DossierCopy:
    root = tmp_path / "polish"
    shutil.copytree(POLISH, root)
    return DossierCopy(root)


def report(cli: Callable[..., Result], root: Path) -> dict[str, Any]:
    result = cli("check", "--data", root, "--format", "json")
    parsed: dict[str, Any] = json.loads(result.output)
    return parsed


def honesty(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in found["warnings"] if HEDGE in w["message"] or SUPPORT in w["message"]]


def test_every_file_says_it_is_fictional() -> None:
    for path in sorted(POLISH.rglob("*")):
        if path.is_file():
            first = path.read_text(encoding="utf-8").splitlines()[0]
            if path.suffix == ".html":
                first = path.read_text(encoding="utf-8").splitlines()[1]  # after the doctype
            assert "FICTIONAL" in first, path


def test_the_polish_dossier_checks_clean_with_its_polish_numbers(cli: Callable[..., Result]) -> None:
    result = cli("check", "--data", POLISH, "--strict")

    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


@pytest.mark.parametrize(
    ("right", "wrong", "read"),
    [
        ("        value: 0.5\n", "        value: 0\n", "'0,5 mld' = 0.5"),
        ("        value: 16.6\n", "        value: 16\n", "'16,6 mld' = 16.6"),
        ("        value: 1234.5\n", "        value: 1234\n", "'1 234,5 mln' = 1,234.5"),
        ("        value: 700\n", "        value: 70\n", "'700' = 700 qualified 'about'"),
        ("        value: 3\n        unit: razy", "        value: 2\n        unit: razy", "'trzy' = 3"),
    ],
)
def test_a_wrong_value_fails_at_its_line_and_says_how_the_text_was_read(
    polish: DossierCopy, cli: Callable[..., Result], right: str, wrong: str, read: str
) -> None:
    line = polish.edit("facts.yaml", right, wrong)

    found = report(cli, polish.root)

    (error,) = found["errors"]
    assert (Path(error["file"]).name, error["line"]) == ("facts.yaml", line)
    assert error["field"].endswith(".value")
    assert read in error["message"], error["message"]
    assert "'pl'" in error["message"]  # read with the rules of the quote's language


def test_a_figure_from_an_english_source_is_read_with_english_rules(
    polish: DossierCopy, cli: Callable[..., Result]
) -> None:
    assert report(cli, polish.root)["errors"] == []
    # Without the source's language, "1,200" is read with Polish rules (1.2): the message says what it
    # read and how, and gives the other reading only as what the other decimal sign would make of it.
    polish.edit("sources.yaml", "    language: en\n", "")

    (error,) = report(cli, polish.root)["errors"]

    assert "'1,200' = 1.2" in error["message"]
    assert "with the other decimal sign it would be 1200" in error["message"]


def test_dropping_prawdopodobnie_is_a_warning_at_its_line(polish: DossierCopy, cli: Callable[..., Result]) -> None:
    assert honesty(report(cli, polish.root)) == []
    line = polish.edit(
        "facts.yaml",
        "    statement: >-\n      Umocnienia prawdopodobnie spowolnią",
        "    statement: >-\n      Umocnienia spowolnią",
    )

    (warning,) = honesty(report(cli, polish.root))

    assert (Path(warning["file"]).name, warning["line"]) == ("facts.yaml", line)
    assert 'spowolnienie: the statement drops the hedge "prawdopodobnie"' in warning["message"]


def test_a_dropped_hedge_in_one_clause_is_a_warning_though_another_clause_keeps_it(
    polish: DossierCopy, cli: Callable[..., Result]
) -> None:
    # "może" stays in the first clause; the second clause's "mogą otrzymać" becomes "otrzymają".
    line = polish.edit(
        "facts.yaml",
        "      zamówień mogą otrzymać firmy z regionu.\n    tags:",
        "      zamówień otrzymają firmy z regionu.\n    tags:",
    )

    (warning,) = honesty(report(cli, polish.root))

    assert (Path(warning["file"]).name, warning["line"]) == ("facts.yaml", line - 2)
    assert 'przemysl: the statement drops the hedge "mogą"' in warning["message"]


def test_a_dropped_could_in_one_clause_of_the_shipped_dossier_is_a_warning(
    make_dossier: Callable[..., DossierCopy], cli: Callable[..., Result]
) -> None:
    dossier = make_dossier()
    line = dossier.edit(
        "facts.yaml",
        "      The framework agreements could extend to over the next 10-15 years, a",
        "      The framework agreements will extend to over the next 10-15 years, a",
    )

    (warning,) = honesty(report(cli, dossier.root))

    assert (Path(warning["file"]).name, warning["line"]) == ("facts.yaml", line - 1)
    assert 'framework-duration: the statement drops the hedge "could"' in warning["message"]
    assert "which could extend to over the next 10-15 years" in warning["message"]


def test_a_dropped_qualifier_of_a_number_is_a_warning(polish: DossierCopy, cli: Callable[..., Result]) -> None:
    line = polish.edit(
        "facts.yaml",
        "    statement: Program „Tarcza Orlińska” obejmie około 700 kilometrów granicy z Wardanią.",
        "    statement: Program „Tarcza Orlińska” obejmie 700 kilometrów granicy z Wardanią.",
    )

    (warning,) = honesty(report(cli, polish.root))

    assert warning["line"] == line
    assert 'zasieg: the statement drops the hedge "około"' in warning["message"]


def test_a_polish_claim_dropping_the_may_of_its_english_quote_is_a_warning(
    polish: DossierCopy, cli: Callable[..., Result]
) -> None:
    line = polish.edit(
        "facts.yaml",
        "    statement: Program może odstraszać od wtargnięć przez granicę z Wardanią.",
        "    statement: Program odstrasza od wtargnięć przez granicę z Wardanią.",
    )

    (warning,) = honesty(report(cli, polish.root))

    assert warning["line"] == line
    assert 'odstraszanie: the statement drops the hedge "may"' in warning["message"]


def test_citations_in_another_language_are_judged_through_the_translation(
    polish: DossierCopy, cli: Callable[..., Result]
) -> None:
    # Three Polish claims cite English quotes that support them: no warning (the checks above).
    # An English quote about something else, cited by a Polish claim, is a weak citation.
    line = polish.edit(
        "facts.yaml",
        "        quote: Orlinia has hired about 1,200 engineers for the works.\n",
        "        quote: Orlinia has hired about 1,200 engineers for the works.\n"
        "      - source: nsm-review\n"
        '        locator: section "Orlinia\'s border shield"\n'
        "        quote: The fortifications could delay an armoured advance by up to 48 hours.\n",
    )

    (warning,) = honesty(report(cli, polish.root))

    assert SUPPORT in warning["message"] and "inzynierowie" in warning["message"]
    assert warning["line"] == line + 3


def test_without_a_translation_the_check_says_what_it_could_not_judge(
    polish: DossierCopy, cli: Callable[..., Result]
) -> None:
    (polish.root / "translations" / "en.yaml").unlink()
    polish.edit("dossier.yaml", "  languages: [pl, en]\n", "")

    found = report(cli, polish.root)

    assert honesty(found) == []  # no false warning for a Polish claim citing an English quote
    (note,) = [note for note in found["notes"] if "have no translation into 'en'" in note]
    for claim in ("odstraszanie", "inzynierowie", "opoznienie"):
        assert claim in note
    text = cli("check", "--data", polish.root).output
    assert "note: 3 claim(s) in 'pl' cite quotes in 'en'" in text


def test_the_english_edition_keeps_the_qualifiers(tmp_path: Path, cli: Callable[..., Result]) -> None:
    out = tmp_path / "briefs"
    result = cli("brief", "-a", "ministerstwo", "--lang", "en", "--format", "html", "--data", POLISH, "--out", out)
    assert result.exit_code == 0, result.output

    text = re.sub(r"\s+", " ", read_html_text(out / "tarcza-orlinska-ministerstwo.en.html"))

    assert "about 700 km" in text and "about 800 km" in text  # the comparison table and chart
    # No bare "700 km" or "800 km" (the chart's axis ticks, "… 600 800 km", are not figures).
    assert not re.search(r"(?<!about )(?<!600 )\b[78]00 km\b", text), re.findall(r".{20}\b[78]00 km", text)


# ---------------------------------------------------------------------------
# The number reader
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "amount", "qualifier"),
    [
        ("Ponad 0,5 mld zł", "pl", 0.5e9, "over"),
        ("16,6 mld zł", "pl", 16.6e9, None),
        ("1 234,5 mln zł", "pl", 1234.5e6, None),
        ("1\u00a0234,5 mln zł", "pl", 1234.5e6, None),
        ("około 700 kilometrów", "pl", 700, "about"),
        ("ok. 800 km", "pl", 800, "about"),
        ("prawie 9,5 mld USD", "pl", 9.5e9, "almost"),
        ("niemal 300 czołgów", "pl", 300, "almost"),
        ("co najmniej 25 mln", "pl", 25e6, "at least"),
        ("12 tys. żołnierzy", "pl", 12e3, None),
        ("2 bln zł", "pl", 2e12, None),
        ("do 2026 r.", "pl", 2026, None),  # a date: "by", not "up to"
        ("do 2000 żołnierzy", "pl", 2000, "up to"),
        ("more than 600 tanks", "en", 600, "over"),
        ("not less than 25 million", "en", 25e6, "at least"),
        ("$16.6 billion", "en", 16.6e9, None),
        ("166억 달러", "ko", 1.66e10, None),
        ("2조 5천억 원", "ko", 2.5e12, None),
        ("약 700km", "ko", 700, "about"),
        ("600대 이상", "ko", 600, "at least"),
        ("2025년까지", "ko", 2025, None),  # until a date
    ],
)
def test_numbers_are_read_with_the_rules_of_their_language(
    text: str, language: str, amount: float, qualifier: str | None
) -> None:
    (number, *_) = numbers.read_numbers(text, language)

    assert number.amount == pytest.approx(amount)
    assert number.qualifier == qualifier


def test_number_words_count_where_sources_write_them() -> None:
    assert numbers.states_value("trzy razy", 3, "pl")
    assert numbers.states_value("dwa razy więcej", 2, "pl")
    assert numbers.states_value("three times", 3, "en")
    assert not numbers.states_value("trzy razy", 2, "pl")


def test_the_translation_check_compares_qualifiers() -> None:
    assert i18n.number_difference("około 700 km", "pl", "700 km", "en") is not None
    assert i18n.number_difference("około 700 km", "pl", "about 700 km", "en") is None
    assert i18n.number_difference("ponad 0,5 mld zł", "pl", "over PLN 0.5 billion", "en") is None
    assert i18n.number_difference("over $2 billion", "en", "20억 달러 이상", "ko") is None  # both lower bounds
    assert i18n.number_difference("by 2025", "en", "2025년까지", "ko") is None  # a date, not "up to"


def test_an_editions_figure_text_keeps_its_qualifier() -> None:
    assert i18n.figure_text(700, "km", "en", {}, "about")[0] == "about 700 km"
    assert i18n.figure_text(700, "km", "pl", {"km": "km"}, "about")[0] == "ok.\u00a0700 km"
    assert i18n.figure_text(700, "km", "ko", {"km": "km"}, "about")[0] == "약 700 km"
    assert i18n.figure_text(600, "tanks", "ko", {"tanks": "대"}, "over")[0] == "600 대 이상"
    assert i18n.figure_qualifier("około 700 kilometrów", "pl") == "about"
    assert i18n.figure_qualifier("about 1,200 engineers", "pl") == "about"  # an English source in a Polish dossier
