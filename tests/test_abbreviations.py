"""Abbreviations in an inflected language (issue 21 item 5): an expansion written mid-sentence would
stand in the wrong case ("z funduszy UE (Unia Europejska)"), so a Polish edition marks each first
use and lists the abbreviations it used, each with its expansion in the nominative; an English
brief spells each out where it first appears."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli

from briefing.view.terms import alphabetical_key

ROOT = Path(__file__).resolve().parent.parent

ABBR = re.compile(r'<abbr title="([^"]+)">([^<]+)</abbr>')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("abbreviations")
    result = run_cli("brief", "-a", "ministry", "--lang", "en", "--lang", "pl", "--format", "html", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_polish_running_text_never_spells_an_abbreviation_out_mid_sentence(built: Path) -> None:
    html = (built / "poland-south-korea-defence-ministry.pl.html").read_text(encoding="utf-8")
    body, listing = html.split('id="abbreviations"', 1)
    used = ABBR.findall(body)
    assert used, "the Polish brief marks the abbreviations it uses"
    for match in ABBR.finditer(body):
        after = body[match.end() : match.end() + len(match.group(1)) + 3]
        assert not after.lstrip().startswith(f"({match.group(1)}"), f"{match.group(2)} spelt out mid-sentence"
    # Every abbreviation the text used is in the list, with its expansion in the nominative.
    listed = dict((term, expansion) for expansion, term in ABBR.findall(listing.split("</section>", 1)[0]))
    assert {term for _, term in used} <= set(listed)
    assert listed["NATO"] == "Organizacja Traktatu Północnoatlantyckiego"
    assert re.search(r"<h2[^>]*>Wykaz skrótów</h2>", html)
    # As a Polish list of abbreviations is set: alphabetical, "SKRÓT – rozwinięcie".
    entries = re.findall(r'<li><abbr title="([^"]+)">([^<]+)</abbr>\u00a0– ([^<]+)</li>', listing)
    assert [term for _, term, _ in entries] == sorted(listed, key=alphabetical_key)
    assert all(title == expansion.replace("\u00a0", " ") for title, _, expansion in entries)
    assert len(entries) == len(listed) > 2


def test_the_alphabetical_key_follows_the_polish_alphabet() -> None:
    words = ["ŻW", "ZU", "ŹA", "SZ", "ŚA", "ŁA", "LZ", "ue", "AĄ", "AB", "UE"]
    assert sorted(words, key=alphabetical_key) == ["AĄ", "AB", "LZ", "ŁA", "SZ", "ŚA", "ue", "UE", "ZU", "ŹA", "ŻW"]


def test_english_spells_an_abbreviation_out_where_it_first_appears(built: Path) -> None:
    html = (built / "poland-south-korea-defence-ministry.html").read_text(encoding="utf-8")
    assert 'id="abbreviations"' not in html
    nato = "North Atlantic Treaty Organization"
    assert f'{nato} (<abbr title="{nato}">NATO</abbr>)' in html
