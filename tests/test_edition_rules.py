"""The rules a native editor applies, tested on every shipped Polish and Korean edition (all
audiences, HTML and PDF): no Polish line ends with a one-letter word, no English quotation marks
or locator words, Polish dates carry "r.", Korean keeps one register (한다체) and writes years
with 년, untranslated words carry their language."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
AUDIENCES = ("industry", "ministry", "parliament")
EDITIONS = [(audience, language) for language in ("pl", "ko") for audience in AUDIENCES]
STEM = "poland-south-korea-defence"
_PL_GENITIVE = "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import run_cli

    out = tmp_path_factory.mktemp("edition-rules")
    result = run_cli("brief", "-a", "all", "--lang", "pl", "--lang", "ko", "--data", DATA, "--out", out)
    assert result.exit_code == 0, result.output
    return out


def _pdf_lines(pdf: Path) -> list[str]:
    """The PDF's text line by line as laid out (poppler), each line as printed."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [line.replace("\u00a0", " ") for line in text.splitlines()]


def _visible_text(html: str, drop_lang: str | None = None) -> str:
    """The text of ``html``'s body, without tags (and without elements in ``drop_lang``)."""
    body = html[html.index("<body") :]
    body = re.sub(r"<(style|svg|script)\b.*?</\1>", " ", body, flags=re.S)
    if drop_lang:
        # Innermost first: spans in another language hold no spans themselves.
        body = re.sub(rf'<span lang="{drop_lang}">[^<]*</span>', " ", body)
    return re.sub(r"<[^>]+>", "", body)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_polish_line_ends_with_a_one_letter_word(editions: Path, audience: str) -> None:
    lines = _pdf_lines(editions / f"{STEM}-{audience}.pl.pdf")
    # Every column of a table row is on one layout line: split them where the layout left a gap.
    cells = [cell for line in lines for cell in re.split(r"\s{3,}", line.strip()) if cell]
    ending = [cell for cell in cells if re.search(r"(?:^|\s)[aiouwzAIOUWZ]$", cell)]
    assert not ending, ending
    assert len(cells) > 200  # the brief was read


@pytest.mark.parametrize(("audience", "language"), EDITIONS)
def test_no_english_locator_words_or_quotation_marks(editions: Path, audience: str, language: str) -> None:
    html = (editions / f"{STEM}-{audience}.{language}.html").read_text(encoding="utf-8")
    pdf_text = "\n".join(_pdf_lines(editions / f"{STEM}-{audience}.{language}.pdf"))
    for text in (_visible_text(html, drop_lang="en"), pdf_text):
        found = re.findall(r"\bparas?\.|\bsection ['‘“]|lead paragraph|\bfootnote\b|\bintroduction\b", text)
        assert not found, found
    if language == "pl":
        # Polish quotes are „…” (and «…» inside); outside English text no “ or " is left.
        polish = _visible_text(html, drop_lang="en")
        assert not re.findall(r".{0,30}[“\"].{0,30}", polish), re.findall(r".{0,30}[“\"].{0,30}", polish)
        assert "„" in polish


@pytest.mark.parametrize("audience", AUDIENCES)
def test_polish_dates_carry_r(editions: Path, audience: str) -> None:
    text = " ".join(_pdf_lines(editions / f"{STEM}-{audience}.pl.pdf"))
    dates = re.findall(rf"\b\d{{1,2}} (?:{_PL_GENITIVE}) \d{{4}}\b(?! r\.)", text)
    assert not dates, dates
    assert re.search(rf"\b22 (?:{_PL_GENITIVE}) 2026 r\.", text)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_korean_keeps_one_register(editions: Path, audience: str) -> None:
    """The body is in 한다체; the tool's own strings too: no 합니다체 ending anywhere in the brief."""
    html = (editions / f"{STEM}-{audience}.ko.html").read_text(encoding="utf-8")
    text = _visible_text(html)
    polite = re.findall(r"\S*(?:습니다|합니다|됩니다|입니다|니까|세요|십시오)\S*", text)
    assert not polite, polite
    assert re.search(r"\S+(?:한다|했다|이다|있다)\.", text)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_korean_years_carry_nyeon_and_glosses_no_space(editions: Path, audience: str) -> None:
    html = (editions / f"{STEM}-{audience}.ko.html").read_text(encoding="utf-8")
    dates = re.findall(r'<th scope="row">([^<]*)</th>', html)
    years = [date for date in dates if re.fullmatch(r"\d{4}\S*", date)]
    assert all(re.fullmatch(r"\d{4}년(?: \d{1,2}월(?: \d{1,2}일)?)?", year) for year in years), years
    text = _visible_text(html)
    assert not re.findall(r"[\uac00-\ud7a3] \([A-Z]", text), re.findall(r".{0,10}[\uac00-\ud7a3] \([A-Z].{0,10}", text)


@pytest.mark.parametrize(("audience", "language"), EDITIONS)
def test_headings_are_not_hyphenated_and_korean_has_no_italics(editions: Path, audience: str, language: str) -> None:
    html = (editions / f"{STEM}-{audience}.{language}.html").read_text(encoding="utf-8")
    assert re.search(r"h1, h2, h3, h4[^{]*\{ hyphens: manual; \}", html)
    assert ":lang(ko) em" in html and "font-style: normal" in html
