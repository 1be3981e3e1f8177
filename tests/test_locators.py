"""Locators: read by a small grammar (an unreadable one is an error at its file:line), printed in
the edition's words, a section heading kept as the source writes it and marked with its language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from briefing.dossier.locators import LocatorError, Part, parse_locator
from briefing.formats.render_html import mark_languages
from briefing.languages.i18n import use_language
from briefing.view.locators import locator_text

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("locator", "parts"),
    [
        ("p. 4", (Part("page", "4"),)),
        ("pp. 4–5", (Part("page", "4", "5"),)),
        ("s. 4", (Part("page", "4"),)),
        ("4쪽", (Part("page", "4"),)),
        ("paras 1 and 2", (Part("paragraph", "1", "2", pair=True),)),
        ("akap. 2 i 4", (Part("paragraph", "2", "4", pair=True),)),
        ("para. 3 (footnote [2])", (Part("paragraph", "3"), Part("footnote", "2"))),
        ("lead paragraph", (Part("lead"),)),
        (
            "section 'Challenges in Strategic Perceptions', para. 2",
            (Part("section", words="Challenges in Strategic Perceptions"), Part("paragraph", "2")),
        ),
        ("introduction, para. 1", (Part("introduction"), Part("paragraph", "1"))),
        ("Art. 3(1)–(2)", (Part("article", "3", words="(1)–(2)"),)),
        ("'interview notes'", (Part("words", words="interview notes"),)),
        ("https://example.org/a,b; p. 2", (Part("address", words="https://example.org/a,b"), Part("page", "2"))),
    ],
)
def test_the_grammar_reads_each_kind_of_part(locator: str, parts: tuple[Part, ...]) -> None:
    assert parse_locator(locator).parts == parts


@pytest.mark.parametrize("locator", ["interview notes", "Key Points", "para. 2,", "section Heading without quotes"])
def test_a_locator_the_grammar_cannot_read_is_refused_saying_what_to_write(locator: str) -> None:
    with pytest.raises(LocatorError) as error:
        parse_locator(locator)
    assert "cannot read" in str(error.value) and "'interview notes'" in str(error.value)


def test_every_shipped_locator_is_read(cli: Callable[..., Result]) -> None:
    result = cli("check", "--data", REPO / "data")
    assert "locator" not in result.output, result.output


def test_an_unreadable_locator_is_an_error_at_its_line(
    cli: Callable[..., Result], make_dossier: Callable[..., object]
) -> None:
    dossier = make_dossier()
    old = "locator: \"section 'Recommendations', para. 2\"\n        quote: >-\n          In the coming years,"
    line = dossier.edit("facts.yaml", old, old.replace("section 'Recommendations', para. 2", "Recommendations para 2"))  # type: ignore[attr-defined]
    result = cli("check", "--data", dossier)
    assert result.exit_code == 1, result.output
    assert f"facts.yaml:{line}:" in result.output and "locator" in result.output
    assert "cannot read 'Recommendations para 2'" in result.output
    assert "Traceback" not in result.output


def _printed(locator: str, language: str, source_language: str | None = "en") -> str:
    with use_language(language):
        return mark_languages(str(locator_text(locator, source_language)))


def test_a_locator_is_printed_in_the_editions_words() -> None:
    locator = "section 'Challenges in Strategic Perceptions', paras 2 and 4"
    assert _printed(locator, "pl") == 'część „<span lang="en">Challenges in Strategic Perceptions</span>”, akap. 2 i 4'
    assert _printed(locator, "ko") == '‘<span lang="en">Challenges in Strategic Perceptions</span>’ 절, 2·4문단'
    assert _printed(locator, "en") == "section “Challenges in Strategic Perceptions”, paras 2 and 4"
    assert _printed("lead paragraph", "pl") == "akapit wstępny"
    assert _printed("para. 3 (footnote [2])", "pl") == "akap. 3, przypis 2"
    assert _printed("pp. 4-5", "ko") == "4–5쪽"
    assert _printed("Art. 3(1)–(2)", "ko") == "제3조(1)–(2)"


def test_words_in_quotes_stay_as_written_in_the_sources_language() -> None:
    assert _printed("'interview notes'", "pl") == '<span lang="en">interview notes</span>'
    # A source in the edition's own language needs no marking.
    assert _printed("section 'Wnioski', s. 4", "pl", "pl") == "część „Wnioski”, s. 4"
