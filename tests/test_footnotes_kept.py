"""Every note of a brief is printed in its PDF.

WeasyPrint lays pages out again when a page number it printed changes (the contents list), keeps
a page that did not change, and forgot the footnotes such a page had moved on to the next one:
the Polish ministry brief lost its note 5 and the English industry brief its note 4 that way.
``render_pdf`` gives the moved footnotes back, and counts the notes of every render, so a note
lost for any other reason stops the build instead of shipping a claim without its source.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from conftest import run_cli

from briefing.errors import RenderError
from briefing.formats.render_pdf import render_pdf

REPO = Path(__file__).resolve().parent.parent


def _page(notes: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title><style>'
        "@page { size: A5; margin: 15mm; } .footnote { float: footnote; font-size: 8pt; }"
        f"</style></head><body><p>A claim.{notes}</p></body></html>"
    )


def test_a_note_the_layout_does_not_print_stops_the_render(tmp_path: Path) -> None:
    shown = '<span class="footnote">Its source.</span>'
    assert render_pdf(_page(shown * 2), tmp_path, [tmp_path]).pages == 1
    hidden = '<span class="footnote" style="display: none">A source the layout drops.</span>'
    with pytest.raises(RenderError, match="lost 1 of its 2 notes"):
        render_pdf(_page(shown + hidden), tmp_path, [tmp_path])


def test_the_polish_ministry_brief_prints_every_note(tmp_path: Path) -> None:
    result = run_cli(
        "brief", "-a", "ministry", "--lang", "pl", "--format", "html,pdf", "--data", REPO / "data", "--out", tmp_path
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stem = "poland-south-korea-defence-ministry.pl"
    notes = len(re.findall(r'<li id="fn-\d+">', (tmp_path / f"{stem}.html").read_text(encoding="utf-8")))
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / f"{stem}.pdf").pages)
    printed = sorted({int(n) for n in re.findall(r"(?m)^(\d+)\. \S", text) if int(n) <= notes})
    assert notes > 30 and printed == list(range(1, notes + 1)), [n for n in range(1, notes + 1) if n not in printed]
