"""A figure with a recorded rival is never a silent choice: the rival is quoted (flagged below the
bar) under a 'mark' profile, and its omission is said under an 'omit' profile, in tables too."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conftest import normalise, read_html_text


def test_industry_table_quotes_the_unconfirmed_rival_of_its_figures(shipped_briefs: Any) -> None:
    html = shipped_briefs.path("industry", "html").read_text(encoding="utf-8")
    section = html[html.index('class="section section-programmes"') :]
    section = section[: section.index("</section>")]
    notes = re.search(r'<p class="table-rivals">(.*?)</p>', section, re.S)
    assert notes, "no note under the programmes table"
    text = normalise(re.sub(r"<[^>]+>", " ", notes.group(1)))
    assert "Sources differ:" in text
    assert "Unconfirmed" in text
    assert "over 600" in text


def test_parliament_says_a_rival_was_left_out(shipped_briefs: Any) -> None:
    text = normalise(read_html_text(shipped_briefs.path("parliament", "html")))
    assert "over 600" not in text  # its source is below parliament's bar
    assert "Another figure, from a source below this brief's reliability bar, is left out." in text


def test_the_pdf_says_it_too(shipped_briefs: Any, pdf_text: Any) -> None:
    assert pdf_text(Path(shipped_briefs.path("parliament", "pdf"))).says(
        "Another figure, from a source below this brief's reliability bar, is left out."
    )
