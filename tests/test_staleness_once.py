"""Staleness said once (issue 23 item 4): where a section's items share an as-of date, its
introduction says it once ("As of October 2024 unless marked.") and those items carry no tag; an
item has at most one tag ("(as of October 2024; by 2025: passed)", never two in a row); the watch
table's status words do not contradict the date beside them ("Due this year", not "Due now (as of
October 2024)")."""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from typing import Any

import pytest

AUDIENCES = ["ministry", "industry", "parliament"]


def _sections(html: str) -> dict[str, str]:
    """Each section's HTML, by id."""
    found = re.findall(r'<section class="section section-[\w-]+" id="([\w-]+)".*?</section>', html, re.S)
    return {
        section_id: re.search(rf'<section class="section section-[\w-]+" id="{section_id}".*?</section>', html, re.S)[0]  # type: ignore[index]
        for section_id in found
    }


def _text(markup: str) -> str:
    text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
    return re.sub(r"\s+([;).,])", r"\1", text)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_date_shared_in_a_section_is_said_once(shipped_briefs: Any, audience: str) -> None:
    html = shipped_briefs.path(audience, "html").read_text(encoding="utf-8")
    sections = _sections(html)
    assert sections
    said_once = 0
    for section_id, markup in sections.items():
        tags = Counter(re.findall(r"\(as of ([^)]+)\)", _text(markup)))
        repeated = [date for date, count in tags.items() if count > 1]
        assert not repeated, f"{audience} {section_id}: 'as of {repeated[0]}' printed {tags[repeated[0]]} times"
        intro = re.search(r'<p class="intro as-of-note"><span class="(as-of[^"]*)">([^<]+)</span>', markup)
        if intro:
            said_once += 1
            date = re.search(r"(?:As of|stated them in) (.+?) unless marked", intro[2])
            assert date, intro[2]
            # The items of that date carry no tag of their own; the date is bold when it is stale.
            assert date[1] not in tags, f"{audience} {section_id}: {date[1]} said in the intro and on an item"
            assert "stale" in intro[1].split(), f"{audience} {section_id}: October 2024 is past the limit"
    assert said_once, f"{audience}: no section says its date once"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_an_item_carries_one_tag_at_most(shipped_briefs: Any, audience: str) -> None:
    text = _text(shipped_briefs.path(audience, "html").read_text(encoding="utf-8"))
    stacked = re.findall(r"\((?:as of|undated)[^)]*\)\s*\d*\s*\((?:as of|by \d{4}|undated)", text)
    assert not stacked, stacked[:3]


def test_a_passed_deadline_joins_the_date_in_one_tag(shipped_briefs: Any) -> None:
    # The K2 order on the committee's page 1: its figures' date and its passed deadline, in one tag.
    text = _text(shipped_briefs.path("parliament", "html").read_text(encoding="utf-8"))
    assert "62 K2 tanks had already been delivered to Poland. (as of October 2024; by 2025: passed)" in text


@pytest.mark.parametrize("audience", AUDIENCES)
def test_watch_status_words_do_not_contradict_their_date(shipped_briefs: Any, audience: str) -> None:
    html = shipped_briefs.path(audience, "html").read_text(encoding="utf-8")
    watch = _sections(html)["watch"]
    text = _text(watch)
    assert "Due now" not in text
    rows = re.findall(r"<tr class=\"(passed|upcoming)\".*?</tr>", watch, re.S)
    assert rows
    # 2026 is the brief's year: the milestone due in it is "due this year", without a date of its own.
    row = re.search(r'<tr class="upcoming"[^>]*>\s*<th scope="row">2026</th>.*?</tr>', watch, re.S)
    assert row and "Due this year" in _text(row[0])
    assert "(as of" not in _text(row[0])
