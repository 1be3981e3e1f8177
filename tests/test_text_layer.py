"""The text layer is the text: what a screen reader reads (the tagged text, read back from the
structure tree) and what a reader copies or searches (poppler's pdftotext) carry the words of
the brief, with their spaces, in every edition of the shipped dossier.

WeasyPrint draws a line without the space that ends it and does not draw a space that stands
between two inline elements (every pair of Hangul words, which the build wraps one by one), so
without the text layer of ``render_pdf`` the tagged title of the Korean brief read
"폴란드와한국:안보·국방협력" and an English heading "Security and DefenceCooperation".
"""

from __future__ import annotations

import html as html_module
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import run_cli
from tagged_text import Block, tagged_blocks

ROOT = Path(__file__).resolve().parent.parent
SOFT_HYPHEN = "\u00ad"
# Word separators in a brief: spaces, no-break spaces, the thin space before a footnote call.
SEPARATORS = re.compile(r"[\s\u00a0\u202f]+")


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every audience's brief in every language of the shipped dossier, as HTML and PDF."""
    out = tmp_path_factory.mktemp("text-layer")
    result = run_cli(
        "brief", "-a", "all", "--lang", "all", "--format", "html,pdf", "--out", out, "--data", ROOT / "data"
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.pdf"))) == 9
    return out


@pytest.fixture(scope="module")
def tagged(editions: Path) -> dict[str, list[Block]]:
    return {path.name: tagged_blocks(path) for path in sorted(editions.glob("*.pdf"))}


def _copied(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: run 'bash scripts/setup.sh --test' to install it")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _html_words(path: Path) -> set[str]:
    """The words of an HTML brief's text (lower case), from text between tags; a tag that
    separates words in a browser (a block, a <br>) separates them here too."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script|title)\b.*?</\1>", " ", page, flags=re.S)
    inline = r"(?:span|a|b|i|em|strong|sub|abbr|cite|q|small|bdi|dfn|time|mark)"
    page = re.sub(rf"</?{inline}\b[^>]*>", "", page)
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", page))
    return {word for word in SEPARATORS.split(text.lower()) if word}


def _words(text: str) -> list[str]:
    return [word for word in SEPARATORS.split(text.replace(SOFT_HYPHEN, "").lower()) if word]


def _glued(word: str, words: set[str]) -> bool:
    """Whether ``word`` is two words of the brief run together ("defencecooperation", "march2025";
    not "22", which may be a footnote's number)."""
    letter = re.compile(r"[^\W\d_]")
    return any(
        word[:cut] in words
        and word[cut:] in words
        and re.search(r"\w", word[:cut])
        and re.search(r"\w", word[cut:])
        and letter.search(word)
        for cut in range(1, len(word))
    )


def test_the_korean_title_is_tagged_with_its_word_spaces(tagged: dict[str, list[Block]]) -> None:
    translation = yaml.safe_load((ROOT / "data" / "translations" / "ko.yaml").read_text(encoding="utf-8"))
    title = translation["dossier"]["title"]
    assert " " in title
    korean = {name: blocks for name, blocks in tagged.items() if name.endswith(".ko.pdf")}
    assert len(korean) == 3
    for name, blocks in korean.items():
        headings = [block.text for block in blocks if block.tag == "/H1"]
        assert headings == [title], f"{name}: the title is tagged as {headings}"


def test_no_words_are_glued_together_in_the_tagged_text(editions: Path, tagged: dict[str, list[Block]]) -> None:
    """Every word a screen reader meets is a word of the brief: none is two words run together at
    a line break, between two inline elements or at a <br> ("DefenceCooperation", "폴란드와한국")."""
    glued: list[str] = []
    for name, blocks in tagged.items():
        words = _html_words(editions / name.replace(".pdf", ".html"))
        tagged_words = [word for block in blocks for word in _words(block.text)]
        assert len(tagged_words) > 1000, f"{name}: the tagged text was not read"
        glued += [f"{name}: {word}" for word in sorted(set(tagged_words)) if word not in words and _glued(word, words)]
    assert not glued, "words run together in the tagged text:\n" + "\n".join(glued[:40])


def test_korean_word_spaces_are_in_the_tagged_text(editions: Path, tagged: dict[str, list[Block]]) -> None:
    """In each Korean brief, the spaces between Hangul words of the text are in the tagged text: as
    many Hangul words stand alone there as in the HTML (within what the PDF adds or leaves out)."""
    hangul = re.compile(r"[\uac00-\ud7a3]+")
    for name, blocks in tagged.items():
        if not name.endswith(".ko.pdf"):
            continue
        html_words = _html_words(editions / name.replace(".pdf", ".html"))
        spaced = [word for block in blocks for word in _words(block.text) if hangul.search(word)]
        missing = [word for word in spaced if word not in html_words and not any(word in w for w in html_words)]
        assert len(spaced) > 500, f"{name}: too few Hangul words in the tagged text"
        assert len(missing) < len(spaced) / 50, f"{name}: Hangul words not in the brief: {missing[:20]}"


def test_a_word_hyphenated_at_a_line_end_is_found_whole(editions: Path, tagged: dict[str, list[Block]]) -> None:
    """A line-end hyphen the layout adds is a soft hyphen in the tagged text (the word is read
    whole) and a hyphen-minus on the page, which copy and search join to the rest of the word.

    Copied text is checked outside tables: pdftotext reads a table's cells across the row, so
    the two halves of a word in a cell are not on adjacent lines there (the tagged text is)."""
    hyphenated: list[tuple[str, str, str]] = []
    for name, blocks in tagged.items():
        for block in blocks:
            hyphenated += [(name, block.tag, word) for word in re.findall(rf"\w+{SOFT_HYPHEN}\w+", block.text)]
    assert len(hyphenated) >= 20, "no hyphenated words found: the check below would be vacuous"
    assert any(name.endswith(".pl.pdf") for name, _, _ in hyphenated)
    broken = []
    for name, tag, word in hyphenated:
        whole = word.replace(SOFT_HYPHEN, "")
        page = (editions / name.replace(".pdf", ".html")).read_text(encoding="utf-8")
        if whole not in set(re.findall(r"\w+", html_module.unescape(page))):
            broken.append(f"{name}: tagged {whole!r} is not a word of the brief")
        if tag not in ("/TD", "/TH") and whole not in set(re.findall(r"\w+", _copied(editions / name))):
            broken.append(f"{name}: {whole!r} is not found in the copied text")
    assert not broken, "\n".join(broken[:30])


def test_no_hard_hyphen_is_added_at_a_line_end(editions: Path, tagged: dict[str, list[Block]]) -> None:
    """The layout's hyphen is never a hard hyphen (U+2010) in the tagged or the copied text."""
    for name, blocks in tagged.items():
        assert not any("\u2010" in block.text for block in blocks), f"{name}: a hard hyphen in the tagged text"
        assert not re.search("\u2010\n", _copied(editions / name)), f"{name}: a hard hyphen ends a copied line"


def test_search_finds_the_polish_lead_paragraph(editions: Path, tagged: dict[str, list[Block]]) -> None:
    """Searching the Polish ministry brief for its lead paragraph, or any phrase of it, finds it on
    page 1, in the copied text and in the tagged text ("dziedzinie" was split "dziedzi‐" / "nie")."""
    name = next(path.name for path in editions.glob("*-ministry.pl.pdf"))
    page = (editions / name.replace(".pdf", ".html")).read_text(encoding="utf-8")
    lead_paragraph = re.search(r'<p class="lead">(.*?)</p>', page, re.S)
    assert lead_paragraph, f"{name}: no lead paragraph in the HTML"
    lead = html_module.unescape(re.sub(r"<[^>]+>", "", lead_paragraph[1]))
    lead = " ".join(SEPARATORS.split(lead.strip()))
    assert len(lead.split()) > 15
    first_page = subprocess.run(
        ["pdftotext", "-l", "1", str(editions / name), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert lead in " ".join(SEPARATORS.split(first_page))
    paragraphs = [" ".join(SEPARATORS.split(block.text.replace(SOFT_HYPHEN, ""))) for block in tagged[name]]
    assert lead in paragraphs
