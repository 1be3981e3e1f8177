"""Briefs fitted to their readers, read back from the shipped PDFs (and HTML): page 1 orients the
reader (judgements, information cut-off, grade legend), recommendations come most urgent first,
the committee's questions are on page 1 or 2, passed deadlines are marked in "What to watch",
the body does not repeat the key points, no drafting vocabulary reaches any output, and on a
phone charts keep legible text and wide tables scroll with their first column fixed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import normalise, read_html_text, run_cli, squash

from briefing import TemplateSet, load_dossier, select_for_audience
from briefing.dossier.dates import date_label
from briefing.dossier.schema import Dossier, Event, Recommendation
from briefing.view.model import Brief

ROOT = Path(__file__).resolve().parent.parent
AUDIENCES = ["ministry", "industry", "parliament"]
PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}


@pytest.fixture(scope="module")
def dossier() -> Dossier:
    dossier: Dossier = load_dossier(ROOT / "data", TemplateSet())  # the package's lazy names are untyped
    return dossier


def _brief(dossier: Dossier, audience: str) -> Brief:
    brief: Brief = select_for_audience(dossier, next(a for a in dossier.audiences if a.id == audience))
    return brief


def _recommendation(item: object) -> Recommendation:
    """A claim's item, which in the recommendations of a brief is a recommendation."""
    assert isinstance(item, Recommendation), item
    return item


def _event(item: object) -> Event:
    """A claim's item, which in a timeline is an event."""
    assert isinstance(item, Event), item
    return item


def _pages(path: Path) -> list[str]:
    return [normalise(page.extract_text() or "") for page in pypdf.PdfReader(path).pages]


def _variants(text: str, dossier: Dossier) -> list[str]:
    """A text as the brief may print it: as written, and with its abbreviations spelt out."""
    expanded = text
    for term in dossier.terms:
        expanded = re.sub(
            rf"(?<![\w/&-]){re.escape(term.term)}(?![\w/&-])", f"{term.expansion} ({term.term})", expanded
        )
    return list(dict.fromkeys([text, expanded]))


def _said(text: str, dossier: Dossier, haystack: str) -> int:
    """How many times ``text`` is said in ``haystack`` (squashed), in any of its printed forms."""
    plain, *spelt = [squash(variant) for variant in _variants(text, dossier)]
    # Where the plain form lies inside the spelt-out one (a term at the start), counting it counts both.
    return haystack.count(plain) + sum(haystack.count(form) for form in spelt if plain not in form)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_page_one_orients_the_reader(shipped_briefs: Any, dossier: Dossier, audience: str) -> None:
    brief = _brief(dossier, audience)
    first = _pages(shipped_briefs.path(audience, "pdf"))[0]
    # The key judgements lead the bottom line: the first is on page 1 in full, each begins there.
    assert brief.judgements, f"{audience} has no judgements"
    assert _said(brief.judgements[0].text, dossier, squash(first)) == 1
    for judgement in brief.judgements:
        assert any(squash(v)[:60] in squash(first) for v in _variants(judgement.text, dossier))
    assert brief.label("judgements", "Key judgements").lower() in first.lower()
    assert "confidence" in first
    # The information cut-off: the newest source's month, and that later events are not covered.
    # An exchange rate the brief converts amounts at is not information on the topic (issue 23).
    rate_only = {c.source.id for claim in brief.rate_claims for c in claim.cites}
    topical = [s for s in brief.sources if s.id not in rate_only]
    newest = max((s.date for s in topical if s.date), key=lambda d: tuple(int(p) for p in (d + "-12").split("-")[:2]))
    if any(not source.date for source in brief.sources):
        # An undated source may be newer than the newest dated one: page 1 says so (issue 22).
        assert f"Information current to {date_label(newest)} (newest dated source)." in first
        assert "One source is undated" in first and "may cover later events" in first
        assert "later events are not covered" not in first
    else:
        assert f"Information current to {date_label(newest)} (newest source); later events are not covered." in first
    # The grade legend, with an example code read out in words.
    assert re.search(r"\[[A-F]\d?\]: source reliability [A-F] \([a-z ]+\)", first), first
    assert "information credibility" in first


@pytest.mark.parametrize("audience", AUDIENCES)
def test_recommendations_are_in_priority_order(
    shipped_briefs: Any, dossier: Dossier, audience: str, pdf_text: Callable[[Path], Any]
) -> None:
    brief = _brief(dossier, audience)
    ranks = [PRIORITY_RANK[_recommendation(claim.item).priority] for claim in brief.recommendations]
    assert len(set(ranks)) > 1, "a test of order needs more than one priority"
    assert ranks == sorted(ranks)
    # And so the PDF prints them: the priority badges of the Recommendations section, in order.
    text = pdf_text(shipped_briefs.path(audience, "pdf")).flat
    view = next(v for v in brief.sections if v.kind == "recommendations")
    first = text.index(normalise(_recommendation(brief.recommendations[0].item).text)[:60])
    body = text[text.rindex(view.title, 0, first) : text.index("Sources", first)]
    badges = [PRIORITY_RANK[m.lower()] for m in re.findall(r"\b(HIGH|MEDIUM|LOW) PRIORITY\b", body, flags=re.I)]
    assert badges == ranks


def test_industry_gets_no_advice_addressed_only_to_the_government(
    shipped_briefs: Any, dossier: Dossier, pdf_text: Callable[[Path], Any]
) -> None:
    profile = next(a for a in dossier.audiences if a.id == "industry")
    assert profile.addressees
    text = pdf_text(shipped_briefs.path("industry", "pdf"))
    for rec in dossier.recommendations:
        if "industry" in rec.audiences and rec.addressee not in profile.addressees:
            assert not text.says(rec.title), f"{rec.id} ({rec.addressee}) in the industry brief"
    assert all(
        _recommendation(claim.item).addressee in profile.addressees
        for claim in _brief(dossier, "industry").recommendations
    )


def test_parliament_questions_are_on_page_one_or_two(shipped_briefs: Any, dossier: Dossier) -> None:
    brief = _brief(dossier, "parliament")
    pages = [squash(page) for page in _pages(shipped_briefs.path("parliament", "pdf"))]
    assert brief.questions
    for question in brief.questions[:2]:
        where = [n for n, page in enumerate(pages, start=1) if squash(question.text)[:80] in page]
        assert where and where[0] <= 2, f"question {question.id} first on page {where}"


@pytest.mark.parametrize("audience", ["industry", "parliament"])
def test_the_passed_k2_deadline_is_marked_in_what_to_watch(
    shipped_briefs: Any, dossier: Dossier, audience: str, pdf_text: Callable[[Path], Any]
) -> None:
    brief = _brief(dossier, audience)
    watch = next(view for view in brief.sections if view.kind == "watch")
    k2 = [entry for entry in watch.watch if entry.date == "2025" and "K2" in entry.claim.text]
    assert k2 and k2[0].passed and not k2[0].later_sources
    assert any(not entry.passed for entry in watch.watch), "upcoming milestones are listed too"
    text = pdf_text(shipped_briefs.path(audience, "pdf")).flat
    section = text[text.rindex(watch.title) :]
    row = re.escape(normalise(k2[0].claim.text)) + r"\s*\d*\s*Passed — no later information in the sources"
    assert re.search(r"2025 " + row, section), section[:600]
    # In the programmes table the deadline is marked as passed too.
    assert re.search(r"by 2025 \(passed\)", text)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_key_point_is_said_again_in_the_body(shipped_briefs: Any, dossier: Dossier, audience: str) -> None:
    brief = _brief(dossier, audience)
    for path in (shipped_briefs.path(audience, "pdf"), shipped_briefs.path(audience, "html")):
        raw = "\n".join(_pages(path)) if path.suffix == ".pdf" else read_html_text(path)
        text = squash(raw)
        for point in (*brief.judgements, *brief.key_points):
            sentences = [s for s in re.split(r"(?<=[.;])\s+", point.text) if len(s.split()) >= 6]
            assert sentences
            for sentence in sentences:
                count = _said(sentence.rstrip(".;"), dossier, text)
                assert count == 1, f"{audience} {path.suffix}: {point.id} said {count} times: {sentence!r}"


def test_ministry_timeline_lists_the_october_2024_visit_once(make_dossier: Callable[..., Any], tmp_path: Path) -> None:
    # The shipped ministry brief leaves its timeline out to keep to 8 pages: a copy puts it back.
    copy = make_dossier()
    copy.edit(
        "audiences/ministry.yaml",
        "labels:\n",
        "  - kind: timeline\n    id: timeline\n    title: Timeline\n    tags: [diplomacy, strategic-context, nato]\n"
        "labels:\n",
    )
    dossier = load_dossier(copy.root, TemplateSet())
    brief = _brief(dossier, "ministry")
    timeline = next(view for view in brief.sections if view.kind == "timeline")
    october = [claim for claim in timeline.events if _event(claim.item).date == "2024-10"]
    assert len(october) == 1
    assert {cite.source.id for cite in october[0].cites} >= {"pism-2024", "summit-news-2024"}
    result = run_cli("brief", "-a", "ministry", "--format", "html", "--data", copy.root, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "poland-south-korea-defence-ministry.html").read_text(encoding="utf-8")
    table = html[html.index('class="timeline"') : html.index("</table>", html.index('class="timeline"'))]
    assert table.count('<th scope="row">October 2024</th>') == 1


def test_no_drafting_vocabulary_in_any_output(shipped_briefs: Any) -> None:
    for audience in AUDIENCES:
        html = shipped_briefs.path(audience, "html").read_text(encoding="utf-8")
        pdf = "\n".join(_pages(shipped_briefs.path(audience, "pdf")))
        for name, text in (("html", html), ("pdf", pdf)):
            found = re.findall(r".{0,40}\bseeds?\b.{0,40}", text, flags=re.I)
            assert not found, f"{audience} {name}: {found}"


def test_every_stale_marker_is_bold(shipped_briefs: Any) -> None:
    """The page-1 legend says stale dates are bold: every "as of" older than the limit, in text,
    tables and captions, carries the class that makes it bold."""
    for audience in AUDIENCES:
        html = shipped_briefs.path(audience, "html").read_text(encoding="utf-8")
        markers = re.findall(
            r'<span class="(as-of[^"]*)">\(?(?:As of|Figures as of|as of) ([A-Za-z]+ \d{4}|\d{4})', html
        )
        assert markers
        for css, when in markers:
            if when.endswith(("2024", "2023", "2022")):
                assert "stale" in css.split(), f"{audience}: 'as of {when}' is not marked stale ({css})"


# ---------------------------------------------------------------------------
# On a phone (390 px wide), in Chromium
# ---------------------------------------------------------------------------


def test_on_a_phone_chart_text_is_legible_and_wide_tables_scroll(shipped_briefs: Any) -> None:
    from playwright.sync_api import sync_playwright
    from test_serve import CHROMIUM, CHROMIUM_ARGS

    path = shipped_briefs.path("industry", "html")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(path.as_uri())
            # The text shown: each chart's other drawing (its wide one on a phone) is display: none.
            sizes = page.evaluate(
                """() => Array.from(document.querySelectorAll('figure.chart svg text'))
                    .filter(t => t.checkVisibility()).map(t => {
                    const m = t.getScreenCTM();
                    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
                })"""
            )
            assert sizes and min(sizes) >= 11, f"smallest chart text {min(sizes):.1f} px"
            table = page.evaluate(
                """() => {
                    const table = document.querySelector('table.programmes');
                    const box = table.closest('.table-wrap');
                    const first = table.querySelector('tbody th');
                    const before = first.getBoundingClientRect().left;
                    box.scrollLeft = 200;
                    return {
                        scrolls: box.scrollWidth > box.clientWidth,
                        pageWidth: document.documentElement.scrollWidth,
                        position: getComputedStyle(first).position,
                        moved: Math.abs(first.getBoundingClientRect().left - before),
                        scrolled: box.scrollLeft,
                    };
                }"""
            )
            assert table["scrolls"] and table["scrolled"] > 0
            assert table["pageWidth"] <= 390, "the table widens the page instead of scrolling in its box"
            assert table["position"] == "sticky" and table["moved"] < 1, table
        finally:
            browser.close()
