"""Layered templates: overrides replace one block or one file, fall back to the
defaults, and a copied default renders exactly like the original until edited."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from briefing.cli import main
from briefing.formats.render_html import TemplateSet
from briefing.formats.template_tools import template_reference

ROOT = Path(__file__).resolve().parent.parent


def _html(tmp_path: Path, name: str, *args: str) -> str:
    out = tmp_path / name
    result = CliRunner().invoke(
        main, ["brief", "-a", "industry", "--format", "html", "--data", str(ROOT / "data"), "--out", str(out), *args]
    )
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*-industry.html")
    return path.read_text(encoding="utf-8")


def _without_block(html: str, start: str, end: str) -> str:
    return re.sub(re.escape(start) + r".*?" + re.escape(end) + r"\s*", "", html, count=1, flags=re.S)


def test_overriding_one_block_changes_only_that_block(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "brief.html").write_text(
        '{% extends "default:base.html" %}\n'
        '{% block lead %}<p class="lead">Letterhead of the board</p>{% endblock %}\n',
        encoding="utf-8",
    )
    default = _html(tmp_path, "default")
    changed = _html(tmp_path, "changed", "--templates", str(overrides))
    assert "Letterhead of the board" in changed and "Letterhead of the board" not in default
    # Everything outside the lead paragraph is the same, byte for byte.
    assert _without_block(changed, '<p class="lead">', "</p>") == _without_block(default, '<p class="lead">', "</p>")


def test_override_folder_without_a_template_falls_back_to_the_default(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides" / "sections"
    overrides.mkdir(parents=True)
    (overrides / "facts.html").write_text(
        '{% import "macros.html" as m with context %}{% call m.section(view) %}'
        "<p>{{ view.facts|length }} facts here</p>{% endcall %}\n",
        encoding="utf-8",
    )
    default = _html(tmp_path, "default")
    changed = _html(tmp_path, "changed", "--templates", str(overrides.parent))
    assert re.search(r"<p>\d+ facts here</p>", changed)
    # Templates the override folder does not have (programmes, base, ...) still come from the defaults.
    table = re.search(r'<table class="programmes">.*?</table>', default, flags=re.S)
    assert table and table.group(0) in changed


def test_copy_then_build_is_identical_until_edited(tmp_path: Path) -> None:
    overrides = tmp_path / "mine"
    runner = CliRunner()
    for name in ("base.html", "sections/facts.html", "static/brief.css"):
        result = runner.invoke(main, ["templates", "copy", name, "--to", str(overrides)])
        assert result.exit_code == 0, result.output
        assert (overrides / name).read_bytes() == (ROOT / "templates" / name).read_bytes()
    default = _html(tmp_path, "default")
    copied = _html(tmp_path, "copied", "--templates", str(overrides))
    assert copied == default

    css = overrides / "static" / "brief.css"
    css.write_text(
        css.read_text(encoding="utf-8").replace("--accent: #1f5f8b;", "--accent: #6a1b4d;"), encoding="utf-8"
    )
    edited = _html(tmp_path, "edited", "--templates", str(overrides))
    assert edited != default and "--accent: #6a1b4d;" in edited


def test_copy_refuses_to_overwrite_and_unknown_names(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["templates", "copy", "base.html", "--to", str(tmp_path)]).exit_code == 0
    again = runner.invoke(main, ["templates", "copy", "base.html", "--to", str(tmp_path)])
    assert again.exit_code == 1 and "already exists" in again.output
    unknown = runner.invoke(main, ["templates", "copy", "nope.html", "--to", str(tmp_path)])
    assert unknown.exit_code == 1 and "base.html" in unknown.output


def test_templates_list_shows_origin_and_users(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides" / "sections"
    overrides.mkdir(parents=True)
    (overrides / "questions.html").write_text("{{ view.title }}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "list", "--templates", str(overrides.parent)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines() if not line.startswith("search path")}
    assert " override " in rows["sections/questions.html"] and "parliament" in rows["sections/questions.html"]
    assert " default " in rows["sections/programmes.html"] and "ministry" not in rows["sections/programmes.html"]


def test_dossier_can_name_its_own_override_folder(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "letterhead").mkdir()
    (data / "letterhead" / "brief.html").write_text(
        '{% extends "default:base.html" %}{% block lead %}<p class="lead">From the dossier setting</p>{% endblock %}',
        encoding="utf-8",
    )
    info = data / "dossier.yaml"
    info.write_text(info.read_text(encoding="utf-8").replace("dossier:\n", "dossier:\n  templates: [letterhead]\n", 1))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["brief", "-a", "industry", "--format", "html", "--data", str(data), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    (page,) = [path for path in out.glob("*.html") if not path.name.endswith(".sources.html")]
    assert "From the dossier setting" in page.read_text(encoding="utf-8")


def test_template_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "template-reference.md").read_text(encoding="utf-8")
    assert committed == template_reference(TemplateSet()), (
        "run: generate templates reference > docs/template-reference.md"
    )


def test_template_reference_names_every_brief_attribute() -> None:
    from dataclasses import fields

    from briefing.view.model import Brief

    reference = template_reference()
    for field in fields(Brief):
        assert f"`{field.name}`" in reference
