"""Templates are untrusted code: a dossier or template folder someone sent must not be able to run
commands, read or write files outside the template folders, or reach Python's internals.

Every render runs in Jinja's immutable sandbox; a refused operation is a template error naming
the file and line.  A dossier may only name template folders inside its own folder, template and
static files may not be links out of the template folders, and ``templates copy`` reads only
shipped templates and writes only inside ``--to``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from briefing.build.load import load_with_templates
from briefing.build.render import Charts
from briefing.build.select import select_for_audience
from briefing.errors import BriefingError, TemplateError
from briefing.formats.render_html import TemplateSet, render_html
from briefing.formats.template_tools import copy_template
from briefing.preview.serve import Preview


def _lead_override(folder: Path, body: str) -> Path:
    """An override ``brief.html`` whose lead block (line 3) is ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "brief.html"
    path.write_text(f'{{% extends "default:base.html" %}}\n{{% block lead %}}\n{body}\n{{% endblock %}}\n', "utf-8")
    return path


def _exploit(marker: Path) -> str:
    """The exploit from the issue, running a command that leaves ``marker`` behind."""
    return f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"


def _written(out: Path) -> list[Path]:
    return sorted(out.iterdir()) if out.exists() else []


def _build(cli: Callable[..., Result], data: Any, out: Path, *args: str | Path) -> Result:
    return cli("brief", "-a", "industry", "--format", "html", "--out", out, "--data", data, *args)


def test_override_template_cannot_run_a_command(cli: Callable[..., Result], repo_root: Path, tmp_path: Path) -> None:
    marker = tmp_path / "command-ran"
    overrides = tmp_path / "overrides"
    _lead_override(overrides, _exploit(marker))
    out = tmp_path / "out"
    result = _build(cli, repo_root / "data", out, "--templates", overrides)
    assert not marker.exists(), "the template ran a shell command"
    assert result.exit_code == 1, result.output
    assert "brief.html:3: template error" in result.output
    assert "__init__" in result.output and "sandbox" in result.output
    assert _written(out) == []


def test_dossier_template_folder_cannot_run_a_command(
    cli: Callable[..., Result], make_dossier: Callable[[], Any], tmp_path: Path
) -> None:
    """The received-dossier case: the dossier switches its own template folder on."""
    marker = tmp_path / "command-ran"
    dossier = make_dossier()
    _lead_override(dossier.file("tpl"), _exploit(marker))
    dossier.edit("dossier.yaml", "dossier:\n", "dossier:\n  templates: [tpl]\n")
    out = tmp_path / "out"
    result = _build(cli, dossier, out)
    assert not marker.exists(), "the dossier's template ran a shell command"
    assert result.exit_code == 1, result.output
    assert "tpl/brief.html:3: template error" in result.output
    assert _written(out) == []


def test_preview_of_a_received_dossier_cannot_run_a_command(make_dossier: Callable[[], Any], tmp_path: Path) -> None:
    marker = tmp_path / "command-ran"
    dossier = make_dossier()
    _lead_override(dossier.file("tpl"), _exploit(marker))
    dossier.edit("dossier.yaml", "dossier:\n", "dossier:\n  templates: [tpl]\n")
    preview = Preview(dossier.root, (), ["industry"])
    preview.rebuild()
    assert not marker.exists(), "the preview ran a shell command"
    assert preview.error is not None and "tpl/brief.html:3: template error" in preview.error


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("{{ ''.__class__.__mro__ }}", id="str-mro"),
        pytest.param("{{ lipsum.__globals__ }}", id="lipsum-globals"),
        pytest.param("{{ cite_text.__globals__ }}", id="function-globals"),
        pytest.param("{% do notes.entries.clear() %}", id="mutate-passed-list"),
        pytest.param('{% do charts.update({"draw": charts.draw}) %}', id="mutate-passed-dict"),
        pytest.param("{{ charts.draw.font_dir.parent }}", id="path-object"),
        pytest.param("{{ cycler.mro() }}", id="class-object"),
        pytest.param("{{ 'x' * 10000000 }}", id="huge-repetition"),
        pytest.param("{{ 7 ** 10000000 }}", id="huge-power"),
    ],
)
def test_a_sandbox_escape_is_a_template_error_with_file_and_line(
    body: str, cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    _lead_override(tmp_path / "overrides", body)
    out = tmp_path / "out"
    result = _build(cli, repo_root / "data", out, "--templates", tmp_path / "overrides")
    assert result.exit_code == 1, result.output
    assert "brief.html:3: template error" in result.output
    assert "Traceback" not in result.output
    assert _written(out) == []


def test_a_render_that_runs_too_long_is_stopped(repo_root: Path, tmp_path: Path) -> None:
    """The sandbox bounds what a template reaches, not how long it runs: a time limit does."""
    overrides = tmp_path / "overrides"
    _lead_override(overrides, "{% for a in range(100000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}")
    dossier, templates = load_with_templates(repo_root / "data", TemplateSet(overrides=(overrides,)))
    brief = select_for_audience(dossier, dossier.audiences[0])
    env = templates.environment()
    env.time_limit = 0.3
    with pytest.raises(TemplateError, match=r"brief\.html:3: .*longer than 0\.3 seconds"):
        render_html(brief, templates, "html", {"draw": Charts(brief, None)}, env=env)


def test_the_shipped_templates_render_in_the_sandbox(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    """The counterpart: footnotes (notes.add), source captions (namespace) and charts still work."""
    out = tmp_path / "out"
    result = _build(cli, repo_root / "data", out)
    assert result.exit_code == 0, result.output
    html, page = _written(out)  # the brief and the sources page its notes link to
    assert page.name == html.name.removesuffix(".html") + ".sources.html"
    text = html.read_text(encoding="utf-8")
    assert 'class="footnotes"' in text or "footnote" in text
    assert "<svg" in text


# --- dossier.templates stays inside the dossier -------------------------------------------


def _outside_folder(tmp_path: Path) -> Path:
    """A template folder outside the dossier, whose lead says OUTSIDE-TEMPLATE."""
    outside = tmp_path / "outside"
    _lead_override(outside, '<p class="lead">OUTSIDE-TEMPLATE</p>')
    return outside


@pytest.mark.parametrize("how", ["absolute", "dot-dot", "symlink"])
def test_dossier_template_folders_must_be_inside_the_dossier(
    how: str, cli: Callable[..., Result], make_dossier: Callable[[], Any], tmp_path: Path
) -> None:
    outside = _outside_folder(tmp_path)
    dossier = make_dossier()
    if how == "absolute":
        folder = str(outside)
    elif how == "dot-dot":
        folder = os.path.relpath(outside, dossier.root)
        assert folder.startswith("..")
    else:
        dossier.file("tpl").symlink_to(outside, target_is_directory=True)
        folder = "tpl"
    line = dossier.edit("dossier.yaml", "dossier:\n", f'dossier:\n  templates: ["{folder}"]\n') + 1
    out = tmp_path / "out"
    result = _build(cli, dossier, out)
    assert result.exit_code == 1, result.output
    assert f"dossier.yaml:{line}:" in result.output
    assert "dossier.templates[0]" in result.output and "outside the dossier folder" in result.output
    assert _written(out) == []
    check = cli("check", "--data", dossier)
    assert check.exit_code == 1 and f"dossier.yaml:{line}:" in check.output


def test_a_template_file_linking_out_of_the_folder_is_refused(
    cli: Callable[..., Result], make_dossier: Callable[[], Any], tmp_path: Path
) -> None:
    outside = _outside_folder(tmp_path)
    dossier = make_dossier()
    dossier.file("tpl").mkdir()
    dossier.file("tpl/brief.html").symlink_to(outside / "brief.html")
    dossier.edit("dossier.yaml", "dossier:\n", "dossier:\n  templates: [tpl]\n")
    out = tmp_path / "out"
    result = _build(cli, dossier, out)
    assert result.exit_code == 1, result.output
    assert "tpl/brief.html" in result.output and "outside the template folders" in result.output
    assert _written(out) == []


@pytest.mark.parametrize("how", ["css", "pdf-attachment", "fonts"])
def test_a_static_folder_linking_out_is_refused(
    how: str, cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    """static_text() puts a static file unescaped into the brief, the PDF renderer may embed any
    file of a static folder, and the build reads every font: a static folder (or its fonts/)
    that is a link out of its template folder must not feed any of them."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "secret.txt").write_text("SECRET-OUTSIDE\n", encoding="utf-8")
    overrides = tmp_path / "overrides"
    (overrides / "static").mkdir(parents=True)
    output_format = "html"
    if how == "css":
        (secret / "brief.css").write_text("/* SECRET-OUTSIDE */\n", encoding="utf-8")
        (overrides / "static").rmdir()
        (overrides / "static").symlink_to(secret, target_is_directory=True)
    elif how == "pdf-attachment":
        output_format = "pdf"
        (secret / "fonts").symlink_to(repo_root / "templates" / "static" / "fonts", target_is_directory=True)
        (overrides / "static").rmdir()
        (overrides / "static").symlink_to(secret, target_is_directory=True)
        (overrides / "brief.html").write_text(
            '{% extends "default:base.html" %}{% block head %}{{ super() }}'
            '<link rel="attachment" href="secret.txt">{% endblock %}',
            encoding="utf-8",
        )
    else:
        (overrides / "static" / "fonts").symlink_to(secret, target_is_directory=True)
    out = tmp_path / "out"
    result = cli(
        "brief", "-a", "industry", "--format", output_format, "--out", out,
        "--data", repo_root / "data", "--templates", overrides,
    )  # fmt: skip
    written = b"".join(path.read_bytes() for path in _written(out))
    assert b"SECRET-OUTSIDE" not in written and b"/EmbeddedFile" not in written
    assert result.exit_code == 1, result.output
    assert "outside the template folders" in result.output
    assert _written(out) == []


def test_the_template_listing_does_not_follow_links_out(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    """A link to / in a template folder would make the listing walk the whole disk."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_text("x", encoding="utf-8")
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "elsewhere").symlink_to(outside, target_is_directory=True)
    (overrides / "loop").symlink_to(overrides, target_is_directory=True)
    result = cli("templates", "list", "--data", repo_root / "data", "--templates", overrides)
    assert result.exit_code == 0, result.output
    assert "secret.html" not in result.output
    assert "loop/" not in result.output


# --- templates copy ----------------------------------------------------------------------


def test_copy_refuses_a_name_climbing_out_of_the_templates(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("templates", "copy", "sections/../../../../../etc/passwd", "--to", "a/b/c/d/to")
    assert result.exit_code == 1, result.output
    assert "no shipped template" in result.output
    copied = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert copied == []


@pytest.mark.parametrize("name", ["/etc/passwd", "../pyproject.toml", "sections/../base.html"])
def test_copy_refuses_names_outside_the_listing(name: str, cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("templates", "copy", name, "--to", tmp_path / "to")
    assert result.exit_code == 1, result.output
    assert "no shipped template" in result.output
    assert not (tmp_path / "to").exists() or not any((tmp_path / "to").rglob("*"))


def test_copy_never_writes_through_a_link_out_of_the_target(cli: Callable[..., Result], tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "to"
    target.mkdir()
    (target / "sections").symlink_to(outside, target_is_directory=True)
    result = cli("templates", "copy", "sections/facts.html", "--to", target)
    assert result.exit_code == 1, result.output
    assert "outside" in result.output
    assert list(outside.iterdir()) == []
    # A dangling link in place of the file itself.
    (target / "base.html").symlink_to(outside / "base.html")
    result = cli("templates", "copy", "base.html", "--to", target)
    assert result.exit_code == 1, result.output
    assert list(outside.iterdir()) == []


def test_copy_refuses_a_shipped_name_that_links_out(tmp_path: Path) -> None:
    """Even the shipped folder is only trusted inside itself: a link out of it is not a template."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "base.html").write_text("base", encoding="utf-8")
    (shipped / "leak.html").symlink_to(secret)
    target = tmp_path / "to"
    assert copy_template(TemplateSet(default=shipped), "base.html", target).read_text() == "base"
    with pytest.raises(BriefingError, match="no shipped template"):
        copy_template(TemplateSet(default=shipped), "leak.html", target)
    assert not (target / "leak.html").exists()
