"""Typography of each edition's language, set by the tool on every text a brief prints."""

from __future__ import annotations

import pytest

from briefing.formats.render_html import mark_languages
from briefing.languages.typography import typeset, typeset_html

NB = "\u00a0"


@pytest.mark.parametrize(
    ("plain", "set_"),
    [
        # One-letter words never end a line (two in a row too; upper case too).
        ("Produkcja w Polsce i w Korei", f"Produkcja w{NB}Polsce i{NB}w{NB}Korei"),
        ("W tym roku", f"W{NB}tym roku"),
        # A number stays with its unit, scale and currency; digit groups stay together.
        ("umowy o wartości 16,6 mld USD", f"umowy o{NB}wartości 16,6{NB}mld{NB}USD"),
        ("dostawa 180 czołgów", f"dostawa 180{NB}czołgów"),
        ("ponad 10 000 żołnierzy", f"ponad{NB}10{NB}000{NB}żołnierzy"),
        ("PISM Policy Paper nr 6", f"PISM Policy Paper nr{NB}6"),
        # "r." after the year of a date, never twice, one full stop at a sentence's end.
        ("dnia 22 listopada 2026 podpisano", f"dnia 22{NB}listopada 2026{NB}r. podpisano"),
        ("stan na październik 2024", f"stan na październik 2024{NB}r."),
        ("w dniu 1 listopada 1989.", f"w{NB}dniu 1{NB}listopada 1989{NB}r."),
        ("1 listopada 1989 r.", f"1{NB}listopada 1989{NB}r."),
        # En dashes in ranges and between words (never at the start of a line); dates untouched.
        ("w latach 2026-2029", f"w{NB}latach 2026–2029"),
        ("Rosja - w sprzyjających", f"Rosja{NB}– w{NB}sprzyjających"),
        ("data 2024-10-31", "data 2024-10-31"),
        # „…” quotes, «…» inside; English quotes become Polish.
        ('mówi "to jest "dobre" słowo"', "mówi „to jest «dobre» słowo”"),
        ("nazwany “AP4”", "nazwany „AP4”"),
        # An abbreviation ending in a one-letter part is not a one-letter word.
        ("m.in. w Polsce", f"m.in. w{NB}Polsce"),
    ],
)
def test_polish_typography(plain: str, set_: str) -> None:
    assert typeset(plain, "pl") == set_


@pytest.mark.parametrize(
    ("plain", "set_"),
    [
        ("북대서양조약기구 (NATO)와 협력", "북대서양조약기구(NATO)와 협력"),
        ("계약 규모는 166억 달러로 추산된다.", f"계약 규모는 166억{NB}달러로 추산된다."),
        ("최근까지 'AP4'로 불림", "최근까지 ‘AP4’로 불림"),
        ('보고서는 "this year"라고 기술한다.', "보고서는 “this year”라고 기술한다."),
        ("했다. (2024년 10월 기준)", "했다. (2024년 10월 기준)"),
    ],
)
def test_korean_typography(plain: str, set_: str) -> None:
    assert typeset(plain, "ko") == set_


def test_english_is_left_as_written() -> None:
    text = 'He said "so" on 22 November 2026 in a 2026-2029 plan.'
    assert typeset(text, "en") == text
    html = f"<p>{text}</p>"
    assert typeset_html(html, "en") == html


def test_html_text_is_set_in_the_language_of_its_element_and_nothing_else_is_touched() -> None:
    html = (
        '<html lang="pl"><head><title>a i w</title><style>p { content: "a i b"; }</style></head>'
        '<body data-title="w Polsce"><p>W <strong>Polsce</strong> i <span lang="en">a "quote" i w</span>'
        ' tekst "x <a href="#n">y</a>" z</p><svg><text>i w</text></svg></body></html>'
    )
    out = typeset_html(html, "pl")
    assert f"<p>W{NB}<strong>Polsce</strong> i{NB}<span" in out
    assert '<span lang="en">a "quote" i w</span>' in out  # English keeps its own rules
    assert 'tekst „x <a href="#n">y</a>” z' in out  # a quote closed after a link
    assert "<title>a i w</title>" in out and 'content: "a i b"' in out and "<text>i w</text>" in out
    assert 'data-title="w Polsce"' in out


def test_a_word_split_by_a_tag_is_not_a_one_letter_word() -> None:
    out = typeset_html("<p><strong>Produkcj</strong>a w Polsce</p>", "pl")
    assert f"</strong>a w{NB}Polsce" in out


def test_an_untranslated_title_in_an_attribute_carries_no_language_code() -> None:
    """The running header (data-running-title) of an edition whose short title is not translated."""
    marked = "\ufdd0en\ufdd1Poland–Japan cooperation\ufdd2"
    html = f'<body data-running-title="{marked}"><p class="running-title">{marked}</p></body>'
    out = mark_languages(html)
    assert 'data-running-title="Poland–Japan cooperation"' in out
    assert '<p class="running-title"><span lang="en">Poland–Japan cooperation</span></p>' in out
