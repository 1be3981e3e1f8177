"""One plan and one render for every command (issue 24): what ``plan_briefs`` makes of a command's
options, and that a brief's HTML is rendered once for all the formats made from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from briefing.build import render
from briefing.build.load import load
from briefing.build.plan import plan_briefs
from briefing.errors import UnknownAudienceError
from briefing.formats.registry import FORMATS
from briefing.formats.render_html import TemplateSet

FICTIONAL = Path(__file__).resolve().parent / "fixtures" / "fictional"


def test_the_plan_is_each_audience_named_in_each_language() -> None:
    loaded = load(FICTIONAL, TemplateSet())
    plan = plan_briefs(loaded, ["water-ministry", "assembly"], formats=("html", "docx"), since="none")
    # In the order named; the original language keeps the plain name.
    assert [job.stem for job in plan.jobs] == ["orm-strait-treaty-water-ministry", "orm-strait-treaty-assembly"]
    assert [job.name for job in plan.jobs] == ["water-ministry", "assembly"]
    assert plan.targets(Path("out")) == [
        Path("out/orm-strait-treaty-water-ministry.html"),
        Path("out/orm-strait-treaty-water-ministry.docx"),
        Path("out/orm-strait-treaty-assembly.html"),
        Path("out/orm-strait-treaty-assembly.docx"),
    ]
    assert plan.earlier is None
    everyone = plan_briefs(loaded, ["all"], since="none")
    assert [job.audience.id for job in everyone.jobs] == [audience.id for audience in loaded.dossier.audiences]
    with pytest.raises(UnknownAudienceError, match="unknown audience 'nobody'"):
        plan_briefs(loaded, ["nobody"], since="none")


def test_the_earlier_edition_is_part_of_the_plan(tmp_path: Path) -> None:
    loaded = load(FICTIONAL, TemplateSet())
    plan = plan_briefs(loaded, ["assembly"], since=str(FICTIONAL))  # a dossier folder as the earlier edition
    assert plan.earlier is not None and plan.earlier.dossier.dossier.id == "orm-strait-treaty"
    brief = plan.brief(plan.jobs[0])
    assert brief.changes is not None  # the change section is selected with the brief, for every command
    assert plan.earlier.files[0] in plan.data_files(plan.jobs[0])  # and a new earlier edition rebuilds it


def test_each_html_is_rendered_once_for_every_format_made_from_it(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load(FICTIONAL, TemplateSet())
    plan = plan_briefs(loaded, ["water-ministry"], since="none")
    targets: list[str] = []
    real = render.render_html

    def counted(*args: Any, **kwargs: Any) -> str:
        targets.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "render_html", counted)
    formats = tuple(FORMATS)  # html, pdf and docx
    rendered = render.render_brief(plan.brief(plan.jobs[0]), loaded.templates, formats, Path("."), "x")
    assert [output.path.suffix for output in rendered.files] == [".html", ".pdf", ".docx"]
    assert sorted(targets) == ["html", "pdf"]  # the screen HTML once, the print HTML once for PDF and Word
    assert rendered.files[1].data.startswith(b"%PDF-") and rendered.files[2].data.startswith(b"PK")


def test_another_language_is_named_with_its_code() -> None:
    polish = load(FICTIONAL.parent / "polish", TemplateSet())
    plan = plan_briefs(polish, ["all"], ["all"], since="none")
    audiences = [audience.id for audience in polish.dossier.audiences]
    assert [job.name for job in plan.jobs] == audiences + [f"{audience}.en" for audience in audiences]
    assert [job.language for job in plan.jobs] == ["pl"] * len(audiences) + ["en"] * len(audiences)
    # An edition depends on its translation file and the tool's catalogue too.
    english = plan.jobs[len(audiences)]
    assert any(path.name == "en.yaml" for path in plan.data_files(english))
    assert not any(path.name == "en.yaml" for path in plan.data_files(plan.jobs[0]))
