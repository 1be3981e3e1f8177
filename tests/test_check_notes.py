"""``generate check`` says what it could not judge, so that silence is never taken for a pass."""

from __future__ import annotations

from pathlib import Path

from briefing.build.check import analyse
from briefing.build.load import load
from briefing.formats.render_html import TemplateSet

DATA = Path(__file__).resolve().parent.parent / "data"


def test_names_in_the_units_analysis_unchecked_in_a_language_without_capitals_are_noted() -> None:
    loaded = load(DATA, TemplateSet())
    english = analyse(loaded.dossier, loaded.raw.origins)
    assert not any("proper names in assessments" in note for note in english.notes)
    # The same dossier, as if written in Korean: its names cannot be told by their capitals.
    info = loaded.dossier.dossier.model_copy(update={"language": "ko"})
    korean = analyse(loaded.dossier.model_copy(update={"dossier": info}), loaded.raw.origins)
    assert any(
        "proper names in assessments, options and lines to take are not checked in 'ko'" in note
        for note in korean.notes
    )
