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
from briefing.formats.render_html import TemplateSet, render_html

FICTIONAL = Path(__file__).resolve().parent / "fixtures" / "fictional"


def test_the_plan_is_each_audience_named_in_each_language() -> None:
    loaded = load(FICTIONAL, TemplateSet())
    plan = plan_briefs(loaded, ["water-ministry", "assembly"], formats=("html", "docx"), since="none")
    # In the order named; the original language keeps the plain name.
    assert [job.stem for job in plan.jobs] == ["orm-strait-treaty-water-ministry", "orm-strait-treaty-assembly"]
    assert [job.name for job in plan.jobs] == ["water-ministry", "assembly"]
    # The sources page the HTML and Word notes link to is a file the plan may write, once a brief.
    assert plan.targets(Path("out")) == [
        Path("out/orm-strait-treaty-water-ministry.html"),
        Path("out/orm-strait-treaty-water-ministry.sources.html"),
        Path("out/orm-strait-treaty-water-ministry.docx"),
        Path("out/orm-strait-treaty-assembly.html"),
        Path("out/orm-strait-treaty-assembly.sources.html"),
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
    renders: list[tuple[str, str | None]] = []
    real = render_html  # what render.py calls, until the monkeypatch below

    def counted(*args: Any, **kwargs: Any) -> str:
        renders.append((args[2], kwargs["passages"].companion))
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "render_html", counted)
    formats = tuple(FORMATS)  # html, pdf and docx
    job = plan.jobs[0]
    rendered = render.render_brief(
        plan.brief(job), loaded.templates, formats, Path("."), job.stem, sources_root=FICTIONAL
    )
    # Each format's file, and the sources page the HTML and the Word file link to, written once.
    page = f"{job.stem}.sources.html"
    assert [output.path.name for output in rendered.files] == [
        f"{job.stem}.html",
        page,
        f"{job.stem}.pdf",
        f"{job.stem}.docx",
    ]
    # The screen HTML once; the print HTML once per kind of note link: the PDF's to public
    # addresses only (it may travel alone), the Word file's to the sources page as well.
    assert sorted(renders, key=lambda made: (made[0], made[1] or "")) == [("html", page), ("pdf", None), ("pdf", page)]
    assert rendered.files[2].data.startswith(b"%PDF-") and rendered.files[3].data.startswith(b"PK")
    # A second format made from the same HTML would render nothing more.
    renders.clear()
    again = render.BriefHtml(plan.brief(job), loaded.templates, None, stem=job.stem, sources_root=FICTIONAL)
    assert again.source("print", True) is again.source("print", True) and len(renders) == 1


@pytest.mark.parametrize("folder", [FICTIONAL, FICTIONAL.parent / "polish", FICTIONAL.parent.parent.parent / "data"])
def test_the_sources_page_is_the_same_whichever_format_writes_it(folder: Path) -> None:
    """The HTML brief and the Word file both write the sources page (their notes link to it): from
    the screen HTML and from the print HTML it must be the same page, or one file's links would
    point at anchors the page written by the other does not have."""
    loaded = load(folder, TemplateSet())
    plan = plan_briefs(loaded, ["all"], ["all"], formats=("html", "docx"))
    for job in plan.jobs:
        html = render.BriefHtml(plan.brief(job), loaded.templates, None, stem=job.stem, sources_root=loaded.raw.root)
        screen, printed = html.source("screen", True).pages, html.source("print", True).pages
        assert screen and screen == printed, job.name
        assert html.source("print", False).pages == ()  # the PDF's notes do not link to it


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
