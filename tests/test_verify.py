"""Verification as a product feature: ``check`` (and every build) proves each quote and figure.

Each test breaks a copy of a dossier (the shipped one, or the fictional one in
tests/fixtures/fictional with a Markdown, an HTML and a four-page PDF source) and runs
the real command line: the error names the file and line of the citation, source or
figure at fault.  The pure functions are tested on their own below.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from conftest import DossierCopy

from briefing.dossier import verify
from briefing.dossier.verify import (
    Document,
    Extracted,
    closest_passage,
    locator_pages,
    match_key,
    normalise,
    quote_fragments,
    stated_numbers,
)

FICTIONAL = Path(__file__).resolve().parent / "fixtures" / "fictional"


@pytest.fixture
def fictional(tmp_path: Path) -> DossierCopy:
    root = tmp_path / "fictional"
    shutil.copytree(FICTIONAL, root)
    return DossierCopy(root)


@pytest.fixture
def shipped(make_dossier: Callable[[], DossierCopy]) -> DossierCopy:
    return make_dossier()


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh text cache and no memoised extractions, so each test reads its own files."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    verify._memo.clear()
    yield cache
    verify._memo.clear()


def errors_of(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


def check_fails_at(cli: Callable[..., Result], copy: DossierCopy, relpath: str, line: int, *needles: str) -> str:
    """Run ``generate check`` on the copy; exactly one error, at ``relpath:line``, saying each needle."""
    result = cli("check", "--data", copy.root)
    assert result.exit_code == 1, result.output
    errors = errors_of(result)
    assert len(errors) == 1, result.output
    assert errors[0].startswith(f"error: {copy.file(relpath)}:{line}:"), result.output
    for needle in needles:
        assert needle in errors[0], result.output
    return errors[0]


# ---------------------------------------------------------------------------
# Both dossiers verify clean as shipped
# ---------------------------------------------------------------------------


def test_fictional_dossier_checks_clean_and_counts_its_interview(cli: Callable[..., Result]) -> None:
    result = cli("check", "--strict", "--data", FICTIONAL)
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output
    assert "1 unverifiable quote(s)" in result.output
    assert "unverifiable: 1 quote(s) from engineer-interview" in result.output


def test_fictional_dossier_every_first_line_says_fictional() -> None:
    files = [p for p in FICTIONAL.rglob("*") if p.is_file() and p.suffix in {".yaml", ".md", ".html"}]
    assert len(files) >= 12
    for path in files:
        assert "FICTIONAL" in path.read_text(encoding="utf-8").splitlines()[0], path
    pdf = verify.read_source(FICTIONAL / "sources" / "vics-report.pdf")
    assert pdf.extracted.pages[0].startswith("FICTIONAL")


def test_fictional_dossier_uses_every_section_kind_and_an_omitting_audience(repo_root: Path) -> None:
    kinds = {path.stem for path in (repo_root / "templates" / "sections").glob("*.html")}
    used, omitting = set(), []
    for path in (FICTIONAL / "audiences").glob("*.yaml"):
        profile = yaml.safe_load(path.read_text(encoding="utf-8"))
        used |= {section["kind"] for section in profile["sections"]}
        if profile.get("below_min_reliability") == "omit":
            omitting.append(profile["id"])
    assert kinds <= used
    assert omitting
    suffixes = {
        Path(s["file"]).suffix for s in yaml.safe_load((FICTIONAL / "sources.yaml").read_text())["sources"] if s["file"]
    }
    assert {".md", ".html", ".pdf"} <= suffixes


def test_fictional_dossier_builds(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("brief", "-a", "all", "--data", FICTIONAL, "--out", out, "--format", "html")
    assert result.exit_code == 0, result.output
    briefs = [path for path in out.glob("orm-strait-treaty-*.html") if not path.name.endswith(".sources.html")]
    assert len(briefs) == 3


# ---------------------------------------------------------------------------
# A changed word in a quote
# ---------------------------------------------------------------------------


def test_changed_word_in_a_quote_shows_the_closest_passage(cli: Callable[..., Result], shipped: DossierCopy) -> None:
    old = "quote: >-\n          South Korea is one of four Asian countries"
    line = shipped.edit("facts.yaml", old, old.replace("four", "five"))
    error = check_fails_at(cli, shipped, "facts.yaml", line, "facts[0].cites[0].quote", "quote not found in seeds/")
    assert "closest passage: 'South Korea is one of four Asian countries" in error
    assert "the quote has 'five' where the source has 'four'" in error


def test_changed_word_in_a_pdf_quote_names_the_page(cli: Callable[..., Result], fictional: DossierCopy) -> None:
    line = fictional.edit("facts.yaml", "Kessport were operating at\n", "Kessport were running at\n")
    # The quote's value starts on the "quote: >-" line above the edited text.
    error = check_fails_at(cli, fictional, "facts.yaml", line - 1, "quote not found in sources/vics-report.pdf")
    assert 'closest passage (p. 3): "Only five of the twelve desalination modules at Kessport were operating' in error
    assert "the quote has 'running' where the source has 'operating'" in error


def test_changed_word_in_an_html_quote(cli: Callable[..., Result], fictional: DossierCopy) -> None:
    line = fictional.edit(
        "facts.yaml",
        "Farmers on the Verenian side of the strait fear",
        "Farmers on the Aldmark side of the strait fear",
    )
    check_fails_at(cli, fictional, "facts.yaml", line - 1, "sources/harbour-ledger.html", "'Verenian'")


def test_html_script_and_style_text_is_not_the_source(cli: Callable[..., Result], fictional: DossierCopy) -> None:
    # The HTML source holds this sentence only in a <script> (and its start in a CSS rule): no reader sees it.
    assert "Verenia delivered 99 million cubic metres of water last year" in fictional.text(
        "sources/harbour-ledger.html"
    )
    line = fictional.edit(
        "timeline.yaml",
        "quote: the Saltrim Star, entered service in September 2030",
        "quote: Verenia delivered 99 million cubic metres of water last year",
    )
    check_fails_at(
        cli, fictional, "timeline.yaml", line, "timeline[1].cites[0].quote", "not found in sources/harbour-ledger.html"
    )


def test_fragments_joined_by_an_ellipsis_must_keep_their_order(
    cli: Callable[..., Result], fictional: DossierCopy
) -> None:
    text = fictional.text("facts.yaml")
    assert "year from the Tessel aquifer. … Verenia shall not reduce" in text
    start = text.index("Verenia shall deliver to Aldmark up to 40")
    end = text.index("Joint Strait Commission.", start) + len("Joint Strait Commission.")
    swapped = (
        "Verenia shall not reduce deliveries below 25 million cubic metres … "
        "Verenia shall deliver to Aldmark up to 40 million cubic metres"
    )
    fictional.write("facts.yaml", text[:start] + swapped + text[end:])
    line = text.count("\n", 0, start)  # the "quote: >-" line above the edited text
    check_fails_at(cli, fictional, "facts.yaml", line, "part 2 of 2", "not after the part before it")


# ---------------------------------------------------------------------------
# Source files
# ---------------------------------------------------------------------------


def test_missing_source_file(cli: Callable[..., Result], shipped: DossierCopy) -> None:
    (shipped.root / "seeds" / "003_1a45c38104cc0671.txt").unlink()
    line = shipped.line_of("sources.yaml", "file: seeds/003_1a45c38104cc0671.txt")
    check_fails_at(cli, shipped, "sources.yaml", line, "sources[3].file", "no such file")


def test_missing_pdf_source_in_the_fictional_dossier(cli: Callable[..., Result], fictional: DossierCopy) -> None:
    (fictional.root / "sources" / "vics-report.pdf").unlink()
    line = fictional.line_of("sources.yaml", "file: sources/vics-report.pdf")
    check_fails_at(cli, fictional, "sources.yaml", line, "sources[1].file", "no such file")


@pytest.mark.parametrize("how", ["relative", "absolute", "symlink"])
def test_source_file_outside_the_dossier_is_refused(cli: Callable[..., Result], shipped: DossierCopy, how: str) -> None:
    outside = shipped.root.parent / "outside.txt"
    shutil.copy(shipped.file("seeds/003_1a45c38104cc0671.txt"), outside)
    written = {"relative": "../outside.txt", "absolute": str(outside), "symlink": "seeds/link.txt"}[how]
    if how == "symlink":
        (shipped.root / "seeds" / "link.txt").symlink_to(outside)
    line = shipped.edit("sources.yaml", "file: seeds/003_1a45c38104cc0671.txt", f"file: {written}")
    expected = "relative to the dossier folder" if how == "absolute" else "outside the dossier folder"
    check_fails_at(cli, shipped, "sources.yaml", line, "sources[3].file", expected)


def test_unreadable_pdf_is_an_error_not_a_crash(cli: Callable[..., Result], fictional: DossierCopy) -> None:
    fictional.file("sources/vics-report.pdf").write_bytes(b"%PDF-1.7\nthis is not really a PDF\n")
    line = fictional.line_of("sources.yaml", "file: sources/vics-report.pdf")
    check_fails_at(cli, fictional, "sources.yaml", line, "sources[1].file", "PDF")


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------


def test_figure_text_not_in_its_quote(cli: Callable[..., Result], shipped: DossierCopy) -> None:
    line = shipped.edit("facts.yaml", 'text: "almost 8,000 km"', 'text: "almost 9,000 km"')
    check_fails_at(cli, shipped, "facts.yaml", line, "figures[0].text", "'almost 9,000 km' is not in any quote")


def test_figure_value_not_the_number_in_its_text(cli: Callable[..., Result], shipped: DossierCopy) -> None:
    line = shipped.edit("facts.yaml", "value: 8000", "value: 800")
    check_fails_at(cli, shipped, "facts.yaml", line, "figures[0].value", "800 is not the number in 'almost 8,000 km'")


def test_figure_value_scaled_is_accepted_and_wrong_scale_refused(
    cli: Callable[..., Result], fictional: DossierCopy
) -> None:
    # "25 million cubic metres" is written with value 25000000 in the fictional dossier.
    assert cli("check", "--data", fictional.root).exit_code == 0
    line = fictional.edit("facts.yaml", "value: 25000000", "value: 2500000")
    check_fails_at(cli, fictional, "facts.yaml", line, "figures[1].value", "'25 million cubic metres'")


# ---------------------------------------------------------------------------
# Page locators of a PDF source
# ---------------------------------------------------------------------------


def test_wrong_page_locator(cli: Callable[..., Result], fictional: DossierCopy) -> None:
    text = fictional.text("facts.yaml")
    anchor = "locator: p. 2\n        quote: >-\n          By January 2031"
    assert text.count(anchor) == 1
    line = fictional.edit("facts.yaml", anchor, anchor.replace("p. 2", "p. 3"))
    check_fails_at(
        cli, fictional, "facts.yaml", line, "cites[0].locator", "the quote is on p. 2 of sources/vics-report.pdf"
    )


@pytest.mark.parametrize("locator", ["pp. 2–3", "pages 1-2", "page 2", "p.2"])
def test_page_ranges_that_hold_the_quote_are_accepted(
    cli: Callable[..., Result], fictional: DossierCopy, locator: str
) -> None:
    anchor = "locator: p. 2\n        quote: >-\n          By January 2031"
    fictional.edit("facts.yaml", anchor, anchor.replace("p. 2", f'"{locator}"'))
    result = cli("check", "--data", fictional.root)
    assert result.exit_code == 0, result.output


def test_page_beyond_the_pdf(cli: Callable[..., Result], fictional: DossierCopy) -> None:
    anchor = "locator: p. 2\n        quote: >-\n          By January 2031"
    line = fictional.edit("facts.yaml", anchor, anchor.replace("p. 2", "p. 9"))
    check_fails_at(cli, fictional, "facts.yaml", line, "cites[0].locator", "has 4 page(s)")


# ---------------------------------------------------------------------------
# Sources without a file
# ---------------------------------------------------------------------------


def _cites_of(root: Path, source: str) -> int:
    count = 0
    for path in root.glob("*.yaml"):
        for value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).values():
            for item in value if isinstance(value, list) else []:
                count += sum(cite["source"] == source for cite in item.get("cites", []) if isinstance(item, dict))
    return count


def test_source_without_file_needs_a_reason(cli: Callable[..., Result], shipped: DossierCopy) -> None:
    line = shipped.edit("sources.yaml", "file: seeds/000_61f89df0dddd43c1.txt", "file: null")
    check_fails_at(cli, shipped, "sources.yaml", line, "sources[0].file", "needs no_file_reason")


def test_source_without_file_and_with_reason_is_counted_unverifiable(
    cli: Callable[..., Result], shipped: DossierCopy
) -> None:
    shipped.edit(
        "sources.yaml",
        "file: seeds/000_61f89df0dddd43c1.txt",
        "file: null\n    no_file_reason: notes of a meeting, not recorded",
    )
    result = cli("check", "--data", shipped.root)
    assert result.exit_code == 0, result.output
    count = _cites_of(shipped.root, "commentary-2025")
    assert count > 0
    assert f", {count} unverifiable quote(s) (sources without a file)" in result.output
    report = json.loads(cli("check", "--format", "json", "--data", shipped.root).output)
    assert report["unverifiable"] == [
        {"source": "commentary-2025", "quotes": count, "reason": "notes of a meeting, not recorded"}
    ]


def test_reason_without_null_file_is_refused(cli: Callable[..., Result], shipped: DossierCopy) -> None:
    old = "file: seeds/000_61f89df0dddd43c1.txt"
    line = shipped.edit("sources.yaml", old, f"{old}\n    no_file_reason: left over") + 1
    check_fails_at(cli, shipped, "sources.yaml", line, "sources[0].no_file_reason")


def test_omitted_file_key_is_still_an_error(cli: Callable[..., Result], shipped: DossierCopy) -> None:
    line = shipped.edit("sources.yaml", "    file: seeds/000_61f89df0dddd43c1.txt\n", "")
    result = cli("check", "--data", shipped.root)
    assert result.exit_code == 1
    assert "sources[0].file" in result.output and "Field required" in result.output
    assert line > 0


# ---------------------------------------------------------------------------
# The build refuses a dossier that misquotes
# ---------------------------------------------------------------------------


def test_build_refuses_a_broken_quote_and_writes_nothing(
    cli: Callable[..., Result], shipped: DossierCopy, tmp_path: Path
) -> None:
    old = "quote: >-\n          South Korea is one of four Asian countries"
    line = shipped.edit("facts.yaml", old, old.replace("four", "five"))
    out = tmp_path / "out"
    result = cli("brief", "-a", "all", "--data", shipped.root, "--out", out)
    assert result.exit_code == 1
    assert f"{shipped.file('facts.yaml')}:{line}:" in result.output
    assert "quote not found" in result.output
    assert not out.exists() or not any(out.iterdir())


# ---------------------------------------------------------------------------
# The text cache
# ---------------------------------------------------------------------------


def _pdf_cache_file(cache: Path) -> Path:
    import hashlib

    digest = hashlib.sha256((FICTIONAL / "sources" / "vics-report.pdf").read_bytes()).hexdigest()
    return cache / "briefing" / "text" / f"{digest}.json"


def test_extracted_text_is_cached_by_file_hash(cli: Callable[..., Result], own_cache: Path) -> None:
    assert cli("check", "--data", FICTIONAL).exit_code == 0
    stored = json.loads(_pdf_cache_file(own_cache).read_text(encoding="utf-8"))
    assert stored["kind"] == "pdf" and len(stored["pages"]) == 4
    # What the cache holds is what is matched: a different text there (and no memo) changes the result.
    stored["pages"] = ["nothing to see"] * 4
    # (An entry is used only with the digest of its own content: see test_bounds.py for an edit without it.)
    stored["digest"] = verify._content_digest(_pdf_cache_file(own_cache).stem, "pdf", stored["pages"], stored["labels"])
    _pdf_cache_file(own_cache).write_text(json.dumps(stored), encoding="utf-8")
    verify._memo.clear()
    result = cli("check", "--data", FICTIONAL)
    assert result.exit_code == 1 and "sources/vics-report.pdf" in result.output


@pytest.mark.parametrize(
    "content",
    ['{"version": 1, "kind": "pdf", "pages": [1, 2], "labels": []}', "not json", "[]", '{"version": 1}', "\x00\xff"],
)
def test_a_damaged_cache_entry_is_ignored(cli: Callable[..., Result], own_cache: Path, content: str) -> None:
    path = _pdf_cache_file(own_cache)
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    result = cli("check", "--data", FICTIONAL)
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text(encoding="utf-8"))["kind"] == "pdf"  # replaced by a good entry


def test_an_unusable_cache_is_no_failure(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    result = cli("check", "--data", FICTIONAL)
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------
# The pure functions
# ---------------------------------------------------------------------------


def test_normalise_undoes_line_end_hyphenation_and_soft_hyphens() -> None:
    assert normalise("the defen-\nce of the realm") == "the defence of the realm"
    assert normalise("the defen\u2010\n  ce") == "the defence"  # WeasyPrint's hyphen, indented line
    assert normalise("South-\nKorean") == "South-Korean"  # a capital after the break: a real hyphen
    assert normalise("de\u00adfence") == "defence"
    assert normalise("1989-\n2024") == "1989- 2024"  # digits are not a broken word


def test_normalise_quotes_dashes_spaces_escapes_and_ligatures() -> None:
    assert normalise("\u201cthe best\u201d \u2018so\u2019 it\u2019s") == "\"the best\" 'so' it's"
    assert normalise("war \u2014 and\u2013peace \u2212 5") == "war - and-peace - 5"
    assert normalise("costs \\$16.6\u00a0billion,\n\n  \tthen") == "costs $16.6 billion, then"
    assert normalise("\ufb01rst o\ufb00ice") == "first office"


def test_match_key_ignores_hyphens_between_letters_and_space_around_dashes() -> None:
    assert match_key(normalise("long-\nterm")) == match_key(normalise("long-term")) == "longterm"
    assert match_key(normalise("defen-\nce")) == match_key(normalise("defence"))
    assert match_key(normalise("war — and")) == match_key(normalise("war—and"))
    assert match_key(normalise("-5%")) != match_key(normalise("5%"))


def test_match_key_ignores_white_space_that_pdf_extraction_loses_or_adds() -> None:
    assert match_key(normalise("the  Joint Strait\nCommission")) == match_key(normalise("theJoint Str ait Commission"))


def test_figure_text_is_found_as_whole_words() -> None:
    assert verify._has_phrase("of 62 tanks", "62")
    assert not verify._has_phrase("of 62 tanks", "6")
    assert not verify._has_phrase("sixty ferries", "six")
    assert verify._has_phrase("cost $16.6 billion.", "$16.6 billion")


def test_quote_fragments_split_at_ellipses() -> None:
    assert quote_fragments("a b … c d ... e") == ["a b", "c d", "e"]
    assert quote_fragments("  one  ") == ["one"]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("$16.6 billion", {16.6, 16.6e9}),
        ("over 600", {600}),
        ("up to 1,000", {1000}),
        ("almost 8,000 km", {8000}),
        ("some 45 million cubic metres", {45, 45e6}),
        ("55%", {55, 0.55}),
        ("12 per cent", {12, 0.12}),
        ("exceeded $11 billion", {11, 11e9}),
        ("€3.2bn", {3.2, 3.2e9}),
        ("two", {2}),
        ("20-year", {20}),
        ("by 2025", {2025}),
        ("-5%", {-5, -0.05}),
        ("60 of the 72 modules", {60, 72}),
    ],
)
def test_stated_numbers(text: str, values: set[float]) -> None:
    found = set(stated_numbers(text))
    assert all(any(abs(v - f) < 1e-6 * max(1, abs(v)) for f in found) for v in values), found


@pytest.mark.parametrize(
    ("locator", "pages"),
    [
        ("p. 4", (4, 4)),
        ("pp. 4–5", (4, 5)),
        ("page 4", (4, 4)),
        ("pages 7-9, para. 2", (7, 9)),
        ("section 2, p.12", (12, 12)),
        ("Art. 3(1)", None),
        ("para. 2", None),
        ("appendix", None),
    ],
)
def test_locator_pages(locator: str, pages: tuple[int, int] | None) -> None:
    assert locator_pages(locator) == pages


def test_closest_passage_finds_the_typo_fast() -> None:
    words = [f"word{i}" for i in range(60_000)]
    text = " ".join(words[:30_000]) + " the committee has met only once since 2029 " + " ".join(words[30_000:])
    passage, ratio = closest_passage(text, "the committee has met only twice since 2029")
    assert passage == "the committee has met only once since 2029"
    assert ratio > 0.8


def test_pages_of_a_document() -> None:
    document = Document.of(Extracted("pdf", ("first page text", "second page", "third"), ("i", "1", "2")))
    start = document.key.index("second")
    assert list(document.pages_of(start, start + 6)) == [1]
    assert list(document.pages_of(0, len(document.key))) == [0, 1, 2]
    # "p. 1" is the first page, or the page printed "1".
    assert document.page_numbers(1, 1) == [0, 1]


def test_fixture_pdf_has_several_pages_and_hyphenated_lines() -> None:
    document = verify.read_source(FICTIONAL / "sources" / "vics-report.pdf")
    assert len(document.pages) == 4
    # WeasyPrint hyphenated "governments" across a line; the normalised page reads it whole.
    assert re.search(r"govern\u2010\n", document.extracted.pages[0])
    assert "both governments describe" in document.pages[0]
