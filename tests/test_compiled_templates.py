"""Shipped templates compiled at setup (``briefing/formats/compiled.py``): used only for exactly the
template, file and environment they were compiled from, same output, never written by a build."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from briefing.build.load import load
from briefing.build.render import Charts, font_folder
from briefing.build.select import select_for_audience
from briefing.formats.compiled import InstalledTemplates, compile_shipped
from briefing.formats.render_html import DEFAULT_TEMPLATES, TemplateSet, render_html


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compiled")
    assert compile_shipped(folder) >= 10
    return folder


def _code_for(templates: TemplateSet, name: str, source_edit: str = "") -> object:
    environment = templates.environment(set())
    source, filename, _ = environment.loader.get_source(environment, name)  # type: ignore[union-attr]
    cache = environment.bytecode_cache
    assert isinstance(cache, InstalledTemplates)
    return cache.get_bucket(environment, name, filename, source + source_edit).code


def _brief_html(templates: TemplateSet, repo_root: Path) -> str:
    loaded = load(repo_root / "data", templates)
    profile = next(audience for audience in loaded.dossier.audiences if audience.id == "industry")
    brief = select_for_audience(loaded.dossier, profile)
    charts = {"draw": Charts(brief, font_folder(loaded.templates))}
    environment = loaded.templates.environment(set())
    return render_html(brief, loaded.templates, "pdf", charts, show_contents=True, env=environment)


def test_every_shipped_template_has_compiled_code(compiled: Path) -> None:
    templates = TemplateSet(compiled=compiled)
    for name in ("base.html", "macros.html", "default:base.html", "sections/facts.html"):
        assert _code_for(templates, name) is not None, name


def test_compiled_code_renders_the_same_brief(compiled: Path, repo_root: Path) -> None:
    assert _brief_html(TemplateSet(compiled=compiled), repo_root) == _brief_html(TemplateSet(compiled=None), repo_root)


def test_an_edited_template_is_compiled_again(compiled: Path, tmp_path: Path, repo_root: Path) -> None:
    """Same name, other text: the stored code is not used, wherever the edit is."""
    assert _code_for(TemplateSet(compiled=compiled), "base.html", source_edit="<!-- edited -->") is None
    # A copy of the shipped folder, edited: its files have other names, and the edit shows.
    copy = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, copy)
    base = copy / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>edited after setup</p></body>"))
    edited = TemplateSet(default=copy, compiled=compiled)
    assert _code_for(edited, "base.html") is None
    assert "edited after setup" in _brief_html(edited, repo_root)


def test_another_environment_gets_no_code(compiled: Path) -> None:
    """Code compiled for the sandbox calls the sandbox; no other environment may load it."""
    templates = TemplateSet(compiled=compiled)
    sandbox = templates.environment(set())
    source, filename, _ = sandbox.loader.get_source(sandbox, "base.html")  # type: ignore[union-attr]
    cache = InstalledTemplates(compiled)
    assert cache.get_bucket(sandbox, "base.html", filename, source).code is not None
    plain = jinja2.Environment(loader=sandbox.loader, autoescape=True, extensions=["jinja2.ext.i18n"])
    assert cache.get_bucket(plain, "base.html", filename, source).code is None
    sandbox.filters["extra"] = str  # a different filter set compiles differently
    assert cache.get_bucket(sandbox, "base.html", filename, source).code is None


def test_damaged_files_are_compiled_again(compiled: Path, tmp_path: Path, repo_root: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(compiled, damaged)
    for index, path in enumerate(sorted(damaged.iterdir())):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if index % 2 else data[:20] + b"\x00garbage" + data[28:])
    templates = TemplateSet(compiled=damaged)
    assert _code_for(templates, "base.html") is None
    assert _brief_html(templates, repo_root) == _brief_html(TemplateSet(compiled=None), repo_root)


def test_a_build_writes_nothing_there(tmp_path: Path, repo_root: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    _brief_html(TemplateSet(compiled=empty), repo_root)
    assert list(empty.iterdir()) == []
