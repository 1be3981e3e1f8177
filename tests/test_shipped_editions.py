"""The shipped dossier's Polish edition (every audience) and Korean ministry brief, built and read back."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from test_i18n import assert_no_english_interface_words, pdf_language, pdf_text, shown_figures

from briefing.languages import i18n

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
AUDIENCES = ("industry", "ministry", "parliament")


@pytest.fixture(scope="module")
def shipped_editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from conftest import run_cli

    out = tmp_path_factory.mktemp("shipped-editions")
    polish: Result = run_cli("brief", "-a", "all", "--lang", "pl", "--data", DATA, "--out", out)
    korean: Result = run_cli("brief", "-a", "ministry", "--lang", "ko", "--data", DATA, "--out", out)
    return {"out": out, "pl": polish, "ko": korean, "id": "poland-south-korea-defence"}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_polish_edition_is_polish_throughout(shipped_editions: dict[str, Any], audience: str) -> None:
    assert shipped_editions["pl"].exit_code == 0, shipped_editions["pl"].output
    out: Path = shipped_editions["out"]
    stem = f"{shipped_editions['id']}-{audience}.pl"
    pdf = out / f"{stem}.pdf"
    assert pdf_language(pdf) == "pl"
    assert '<html lang="pl"' in (out / f"{stem}.html").read_text(encoding="utf-8")
    text = pdf_text(pdf)
    assert "22 listopada 2026" in text
    # English month names are left only where a source's own words are kept (titles, quotes).
    assert_no_english_interface_words(text, DATA)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_figure_shown_is_in_its_polish_form(shipped_editions: dict[str, Any], audience: str) -> None:
    text = pdf_text(shipped_editions["out"] / f"{shipped_editions['id']}-{audience}.pl.pdf")
    checked = 0
    for figure in shown_figures(DATA, audience, "pl"):
        written = re.search(r"\d[\d,]*(?:\.\d+)?", figure.text)
        if written is None:
            continue
        number = float(written.group().replace(",", ""))
        polish = i18n.format_number(number, "pl").replace("\u00a0", " ")
        pattern = re.escape(polish).replace("\\ ", "[ \u00a0]")
        found = re.search(rf"(?<![\d,]){pattern}(?![\d,])", text)
        assert found, f"{polish} ({figure.text}) not in the Polish {audience} brief"
        checked += 1
    assert checked


def test_the_korean_ministry_brief_embeds_hangul_that_extracts(shipped_editions: dict[str, Any]) -> None:
    assert shipped_editions["ko"].exit_code == 0, shipped_editions["ko"].output
    pdf = shipped_editions["out"] / f"{shipped_editions['id']}-ministry.ko.pdf"
    assert pdf_language(pdf) == "ko"
    text = pdf_text(pdf)
    assert "2026년 11월 22일" in text
    assert "폴란드" in text
    assert "\ufffd" not in text


def test_check_has_no_untranslated_item_for_the_shipped_editions(cli: Callable[..., Result]) -> None:
    result = cli("check", "--data", DATA, "--format", "json")
    import json

    report = json.loads(result.output)
    assert not report["errors"], report["errors"]
    untranslated = [w for w in report["warnings"] if "untranslated" in w["message"].lower()]
    assert not untranslated, [w["text"] for w in untranslated]


def test_polish_spells_an_abbreviation_out_after_it_so_the_sentence_keeps_its_grammar(
    shipped_editions: dict[str, Any],
) -> None:
    out: Path = shipped_editions["out"]
    for audience in AUDIENCES:
        html = (out / f"{shipped_editions['id']}-{audience}.pl.html").read_text(encoding="utf-8")
        # The list of abbreviations: "NATO – Organizacja …", the expansion after the abbreviation.
        assert re.search(r"<abbr [^>]*>[^<]+</abbr>\u00a0– ", html), audience
        assert not re.search(r"\(<abbr ", html), audience  # never "Organizacja … (NATO)" in Polish


@pytest.mark.parametrize(("audience", "language"), [*((a, "pl") for a in AUDIENCES), ("ministry", "ko")])
def test_a_translated_brief_keeps_to_its_page_budget(
    shipped_editions: dict[str, Any], profiles: dict[str, dict[str, Any]], audience: str, language: str
) -> None:
    """Polish runs about a fifth longer than English: the budget is the reader's, whatever the language."""
    import pypdf

    pdf = shipped_editions["out"] / f"{shipped_editions['id']}-{audience}.{language}.pdf"
    assert len(pypdf.PdfReader(pdf).pages) <= profiles[audience]["page_budget"]
    warned = [line for line in shipped_editions[language].output.splitlines() if "page budget" in line]
    assert not [line for line in warned if f"({audience}, {language})" in line], warned


def test_korean_lines_break_between_words_not_between_syllables(shipped_editions: dict[str, Any]) -> None:
    """Korean convention (word-break: keep-all): a line ends at a space, never inside a word.
    Read back from the PDF: no line's last word joined to the next line's first is a word of the brief."""
    import pypdf

    stem = f"{shipped_editions['id']}-ministry.ko"
    out: Path = shipped_editions["out"]
    hangul = re.compile(r"[\uac00-\ud7af]")
    html = re.sub(r"<[^>]+>", " ", (out / f"{stem}.html").read_text(encoding="utf-8"))
    words = {word for word in html.split() if hangul.search(word)}
    lines = [
        line.strip() for page in pypdf.PdfReader(out / f"{stem}.pdf").pages for line in page.extract_text().splitlines()
    ]
    split = [
        f"{before.split()[-1]} | {after.split()[0]}"
        for before, after in itertools.pairwise(lines)
        if before
        and after
        and hangul.match(before[-1])
        and hangul.match(after[0])
        and before.split()[-1] + after.split()[0] in words
    ]
    assert len(words) > 500
    assert not split, split


def test_an_amount_converted_to_zloty_reads_as_polish_writes_it(shipped_editions: dict[str, Any]) -> None:
    """The parliament profile adds złoty beside dollar amounts; the Polish edition writes them
    "ok. 62,7 mld zł" (16.6 × 3.7747), never "62,7 PLN mld" made from the unit's Polish words."""
    html = (shipped_editions["out"] / f"{shipped_editions['id']}-parliament.pl.html").read_text(encoding="utf-8")
    converted = [text.replace("\u00a0", " ") for text in re.findall(r'class="converted">([^<]*)<', html)]
    assert "(ok. 62,7 mld zł)" in converted, converted
    assert all(re.fullmatch(r"\(ok\. \d+,\d mld zł\)", text) for text in converted), converted


def test_an_untitled_source_is_described_not_given_an_original_title(shipped_editions: dict[str, Any]) -> None:
    """The news report has no title (``untitled: true``): its Polish description is not a title, and
    the English description is never called its "original title"."""
    out: Path = shipped_editions["out"]
    html = (out / f"{shipped_editions['id']}-ministry.pl.html").read_text(encoding="utf-8")
    listed = html[html.index('id="sources"') :]
    rows = [row for row in re.findall(r"<tr>.*?</tr>", listed, re.S) if "bez tytułu" in row]
    assert len(rows) == 2, "the ministry brief cites both untitled sources"
    for row in rows:
        assert "tytuł oryginalny" not in row and "<cite" not in row, row
