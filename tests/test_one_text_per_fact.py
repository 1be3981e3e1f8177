"""One text per fact in a brief (issue 23 item 3): no run of 14 words is printed twice in a brief's
text, HTML or PDF, in any edition of the shipped dossier, the fictional one or the Polish one; no
stub cut short ("The framework agreements envisage the acquisition… (key point 1)"); every
cross-reference is a link to an element the brief has; a headline may add no number, date or name
its item lacks (``check`` fails it, with file and line).

The notes (each claim's citations: one source's locators recur by design), the list of sources
(a source's name recurs wherever it is quoted), a recommendation's line of labelled fields
(addressee, horizon, priority basis), the contents list and the running header and footer are not
the brief's sentences and are left out of the count."""

from __future__ import annotations

import html as htmllib
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from click.testing import Result
from conftest import DossierCopy, run_cli, unbreak

pytestmark = pytest.mark.slow  # builds every edition of three dossiers

ROOT = Path(__file__).resolve().parent.parent
RUN = 14
DOSSIERS = {
    "shipped": ROOT / "data",
    "fictional": ROOT / "tests" / "fixtures" / "fictional",
    "polish": ROOT / "tests" / "fixtures" / "polish",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every audience in every language of each dossier, HTML and PDF."""
    folders = {}
    for name, data in DOSSIERS.items():
        out = tmp_path_factory.mktemp(name)
        result = run_cli("brief", "-a", "all", "--lang", "all", "--data", data, "--out", out)
        assert result.exit_code == 0, result.output
        folders[name] = out
    return folders


def _html_sentences(path: Path) -> str:
    """The brief's own text: without notes, contents, head, markings and running title."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(style|script|head)\b.*?</\1>", " ", text, flags=re.S)
    # A chart is drawn twice, wide and narrow, one shown at a time (a phone gets the narrow one).
    text = re.sub(r'<svg class="chart-narrow".*?</svg>', " ", text, flags=re.S)
    text = re.sub(r'<section class="(notes|sources)".*?</section>', " ", text, flags=re.S)
    text = re.sub(r'<nav class="contents".*?</nav>', " ", text, flags=re.S)
    text = re.sub(r'<p class="rec-meta">.*?</p>', " ", text, flags=re.S)
    text = re.sub(r'<sup class="fnref">.*?</sup>', " ", text, flags=re.S)
    text = re.sub(r'<span class="footnote">.*?</span>', " ", text, flags=re.S)
    text = re.sub(r'<(div|p)[^>]*class="(marking|running-title)[^"]*"[^>]*>.*?</\1>', " ", text, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", text))


def _plain(markup: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def _notes(path: Path) -> list[str]:
    """The HTML's notes, as the PDF prints them at the page foot (each after its number)."""
    text = path.read_text(encoding="utf-8")
    section = re.search(r'<section class="notes".*?</section>', text, re.S)
    assert section, path
    return [_plain(note) for note in re.findall(r'<li id="fn-\d+">(.*?) <a href="#fnref', section.group(), re.S)]


def _fields(path: Path) -> list[str]:
    """The recommendations' lines of labelled fields, as the HTML prints them."""
    return [
        _plain(line) for line in re.findall(r'<p class="rec-meta">(.*?)</p>', path.read_text(encoding="utf-8"), re.S)
    ]


def _pdf_sentences(path: Path, notes: list[str], fields: list[str], marks: list[str], sources: str) -> str:
    """The PDF's text without its footnotes (the HTML's notes), the recommendations' field lines,
    the running header and footer, and the list of sources (from its heading to the end)."""
    pages = []
    for page in pypdf.PdfReader(path).pages:
        text = " ".join(unbreak(page.extract_text() or "").split())
        for mark in marks:
            text = text.replace(mark, " ")
        pages.append(text)
    text = " ".join(pages)
    text = text[: text.rindex(sources)] if sources in text else text
    for note in sorted(set(notes), key=len, reverse=True):
        text = re.sub(r"\d+\.\s*" + _loose(note), " ", text)
    for line in fields:
        text = re.sub(_loose(line), " ", text)
    return text


def _loose(words: str) -> str:
    """A pattern for ``words`` whatever the PDF's spacing between them."""
    return r"\s*".join(re.escape(word) for word in words.split())


def _repeated_runs(text: str) -> list[str]:
    words = re.findall(r"\w+", text.lower())
    runs = Counter(tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1))
    return [" ".join(run) for run, count in runs.items() if count > 1]


def _html_files(built: dict[str, Path]) -> list[Path]:
    # The briefs, not the sources pages beside them (which quote each passage a note leads to).
    return sorted(p for folder in built.values() for p in folder.glob("*.html") if not p.name.endswith(".sources.html"))


def test_no_run_of_14_words_is_printed_twice_in_html(built: dict[str, Path]) -> None:
    files = _html_files(built)
    assert len(files) >= 9 + 3 + 4, files
    found = {path.name: _repeated_runs(_html_sentences(path)) for path in files}
    assert not any(found.values()), {name: runs[:3] for name, runs in found.items() if runs}


def test_no_run_of_14_words_is_printed_twice_in_pdf(built: dict[str, Path]) -> None:
    found = {}
    for path in _html_files(built):
        html = path.read_text(encoding="utf-8")
        marks = [htmllib.unescape(m) for m in re.findall(r'class="(?:marking[^"]*|running-title)"[^>]*>([^<]+)<', html)]
        heading = re.search(r'<h2 id="sources-heading">([^<]+)</h2>', html)
        assert heading, path
        pdf = path.with_suffix(".pdf")
        text = _pdf_sentences(
            pdf, _notes(path), _fields(path), sorted(set(marks), key=len, reverse=True), htmllib.unescape(heading[1])
        )
        found[pdf.name] = _repeated_runs(text)
    assert not any(found.values()), {name: runs[:3] for name, runs in found.items() if runs}


def test_no_stub_is_cut_short_and_every_cross_reference_is_a_link(built: dict[str, Path]) -> None:
    for path in _html_files(built):
        html = path.read_text(encoding="utf-8")
        text = _html_sentences(path)
        # A word cut by an ellipsis ("acquisition…", "PLN…"); quotes skip words with " … ".
        assert not re.search(r"\w…", text), (path.name, re.findall(r".{40}\w….{20}", text)[:3])
        assert "kp-teaser" not in html
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        for kind in ("kp-ref", "to-body"):
            for anchor in re.findall(rf'<a class="{kind}" href="#([^"]+)"', html):
                assert anchor in ids, (path.name, kind, anchor)
        # "Key point 2: see Bottom line" and "in full under …" are only ever link texts.
        words = re.sub(r"<a [^>]*>.*?</a>", " ", html, flags=re.S)
        assert not re.search(r"[Kk]ey point \d+: see", words), path.name
        assert "in full under" not in words and "in full on p." not in words, path.name


def test_the_body_states_a_headlined_key_point_in_full_once(built: dict[str, Path]) -> None:
    """The industry bottom line gives its key points by their headlines; the body states each in full."""
    html = (built["shipped"] / "poland-south-korea-defence-industry.html").read_text(encoding="utf-8")
    box = html[html.index('id="key-points"') : html.index("</section>", html.index('id="key-points"'))]
    assert "Homar-K: 60 of the 72 modules ordered are to be manufactured in Poland." in box
    assert '<a class="to-body" href="#point-homar-k-executive-contract">' in box
    body = html[html.index("</section>", html.index('id="key-points"')) :]
    statement = re.search(r'<li id="point-homar-k-executive-contract">(.*?)</li>', body, re.S)
    assert statement and "stipulates that 60 of the 72 modules" in statement.group(1)
    assert body.count("stipulates that 60 of the 72 modules") == 1


def test_a_headline_that_adds_a_number_fails_check(
    make_dossier: Callable[..., DossierCopy], cli: Callable[..., Result], tmp_path: Path
) -> None:
    dossier = make_dossier()
    line = dossier.edit(
        "facts.yaml",
        '    headline: "Part of the production is envisaged in Poland from 2026."\n',
        '    headline: "Part of the production is envisaged in Poland from 2026, at Stalowa Wola by 2027."\n',
    )
    result = cli("check", "--data", dossier.root)
    assert result.exit_code == 1, result.output
    assert f"facts.yaml:{line}:" in result.output
    message = next(row for row in result.output.splitlines() if f"facts.yaml:{line}:" in row)
    assert "headline" in message and "2027" in message and "Stalowa" in message
    # The headline as shipped passes (the check can be told apart from a check that always fails).
    shutil.rmtree(dossier.root)
    clean = make_dossier()
    assert cli("check", "--data", clean.root).exit_code == 0
