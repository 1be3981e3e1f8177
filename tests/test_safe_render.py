"""Rendering is safe: data is shown as text, a failed build writes nothing, the same
inputs give the same bytes, and the PDF renderer reads nothing outside the template folders."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from briefing.cli import main
from briefing.formats.render_html import DEFAULT_TEMPLATES

SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold</b>"
# Closes the attribute it is written into, then opens a script: must stay text too.
ATTRIBUTE_BREAKER = '"><script>alert(2)</script>'


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _temporary_files(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir() if path.name.startswith(".") or path.name.endswith(".tmp")]


def _insert_after(path: Path, anchor: str, addition: str) -> None:
    """Insert ``addition`` right after the one occurrence of ``anchor``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(anchor) == 1, f"expected one {anchor!r} in {path}"
    path.write_text(text.replace(anchor, anchor + addition), encoding="utf-8")


def _seed(out: Path, names: list[str]) -> dict[str, bytes]:
    """Earlier 'briefs' in ``out`` with contents no build produces, so any rewrite shows."""
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        (out / name).write_bytes(f"earlier {name}\n".encode())
    return _snapshot(out)


# ---------------------------------------------------------------------------
# Markup in the data is text
# ---------------------------------------------------------------------------


def test_markup_in_the_data_is_shown_as_text(
    cli: Callable[..., Result],
    make_dossier: Callable[[], Any],
    tmp_path: Path,
    dossier_id: str,
    pdf_text: Callable[[Path], Any],
) -> None:
    dossier = make_dossier()
    # A fact the industry brief shows (a key point and in a section).
    _insert_after(
        dossier.file("facts.yaml"),
        "  - id: framework-ceilings\n    statement: >-\n",
        f"      {SCRIPT} {BOLD}\n",
    )
    # The purpose goes into the lead paragraph and into <meta name="description" content="...">.
    _insert_after(dossier.file("audiences/industry.yaml"), "purpose: >-\n", f"  {ATTRIBUTE_BREAKER}\n")
    out = tmp_path / "out"

    result = cli("brief", "-a", "industry", "--out", out, "--data", dossier.root)

    assert result.exit_code == 0, result.output
    html = (out / f"{dossier_id}-industry.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<script" not in html.lower(), "a script element reached the HTML"
    assert BOLD not in html

    text = pdf_text(out / f"{dossier_id}-industry.pdf").flat
    assert SCRIPT in text
    assert BOLD in text
    assert "<script>alert(2)</script>" in text


# ---------------------------------------------------------------------------
# A build that fails leaves the output folder as it was
# ---------------------------------------------------------------------------


@pytest.fixture
def ministry_breaks_in_pdf(make_dossier: Callable[[], Any], tmp_path: Path) -> tuple[Any, Path]:
    """A dossier whose ministry profile uses its own template, which the PDF renderer must refuse
    (a stylesheet from outside the template folders); its HTML renders."""
    dossier = make_dossier()
    _insert_after(dossier.file("audiences/ministry.yaml"), "page_budget: 8\n", "template: ministry.html\n")
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "ministry.html").write_text(
        '{% extends "default:base.html" %}\n'
        "{% block head %}\n{{ super() }}\n"
        '<link rel="stylesheet" href="file:///etc/hostname">\n'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    return dossier, overrides


def test_failure_in_the_second_audience_pdf_leaves_the_first_audience_files_alone(
    cli: Callable[..., Result],
    ministry_breaks_in_pdf: tuple[Any, Path],
    tmp_path: Path,
    dossier_id: str,
) -> None:
    dossier, overrides = ministry_breaks_in_pdf
    out = tmp_path / "out"
    names = [f"{dossier_id}-{audience}.{ext}" for audience in ("industry", "ministry") for ext in ("html", "pdf")]
    before = _seed(out, names)
    args = ("--out", out, "--data", dossier.root, "--templates", overrides)

    result = cli("brief", "-a", "industry", "-a", "ministry", *args)

    assert result.exit_code == 1, result.output
    assert "refused to fetch 'file:///etc/hostname'" in result.output
    assert "wrote " not in result.stdout
    assert _snapshot(out) == before, "a failed build changed or added files"
    assert _temporary_files(out) == []

    # The failure is the ministry PDF: its HTML renders, and industry alone builds and
    # replaces the earlier industry files (so the failed build above really held them back).
    html_only = cli("brief", "-a", "industry", "-a", "ministry", "--format", "html", *args)
    assert html_only.exit_code == 0, html_only.output
    industry = cli("brief", "-a", "industry", *args)
    assert industry.exit_code == 0, industry.output
    after = _snapshot(out)
    for name in names[:2]:
        assert after[name] != before[name]
    assert _temporary_files(out) == []


def test_failure_while_moving_files_into_place_leaves_everything_as_it_was(
    tmp_path: Path, repo_root: Path, dossier_id: str
) -> None:
    """A failure after rendering, while files are put in place (the second target is a folder):
    the first brief is not replaced, no temporary file stays, and the user gets a message."""
    out = tmp_path / "out"
    industry = f"{dossier_id}-industry.html"
    before = _seed(out, [industry])
    (out / f"{dossier_id}-ministry.html").mkdir()  # the second target cannot be replaced

    result = CliRunner().invoke(
        main,
        [
            "brief",
            "-a",
            "industry",
            "-a",
            "ministry",
            "--format",
            "html",
            "--out",
            str(out),
            "--data",
            str(repo_root / "data"),
        ],
    )

    assert _temporary_files(out) == []
    assert (out / industry).read_bytes() == before[industry], "the first brief was replaced by a failed build"
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert f"{dossier_id}-ministry.html" in result.output
    assert "wrote " not in result.stdout


# ---------------------------------------------------------------------------
# Reproducible output
# ---------------------------------------------------------------------------


def test_same_inputs_give_byte_identical_briefs(
    cli: Callable[..., Result], shipped_briefs: Any, repo_root: Path, tmp_path: Path
) -> None:
    """A second build of the shipped data (parliament: tables, charts, both formats) into another
    folder is byte for byte the session's build."""
    assert shipped_briefs.result.exit_code == 0, shipped_briefs.result.output
    out = tmp_path / "again"
    result = cli("brief", "-a", "parliament", "--out", out, "--data", repo_root / "data")
    assert result.exit_code == 0, result.output
    for extension in ("html", "pdf"):
        first = shipped_briefs.path("parliament", extension)
        second = out / first.name
        assert second.read_bytes() == first.read_bytes(), f"{first.name} differs between two builds"


def test_a_copied_dossier_builds_the_same_html(
    cli: Callable[..., Result], shipped_briefs: Any, make_dossier: Callable[[], Any], tmp_path: Path
) -> None:
    """Where the dossier folder is does not leak into the brief."""
    dossier = make_dossier()
    out = tmp_path / "copy"
    result = cli("brief", "-a", "industry", "--format", "html", "--out", out, "--data", dossier.root)
    assert result.exit_code == 0, result.output
    first = shipped_briefs.path("industry", "html")
    assert (out / first.name).read_bytes() == first.read_bytes()


# ---------------------------------------------------------------------------
# The PDF renderer reads only the template folders
# ---------------------------------------------------------------------------


def _build_pdf(cli: Callable[..., Result], repo_root: Path, tmp_path: Path, overrides: Path) -> tuple[Result, Path]:
    out = tmp_path / "out"
    result = cli(
        "brief",
        "-a",
        "industry",
        "--format",
        "pdf",
        "--out",
        out,
        "--data",
        repo_root / "data",
        "--templates",
        overrides,
    )
    return result, out


@pytest.mark.parametrize(
    "element",
    [
        pytest.param('<link rel="stylesheet" href="file:///dev/zero">', id="stylesheet"),
        pytest.param('<img src="file:///dev/zero" alt="">', id="image"),
    ],
)
def test_dev_zero_is_refused_and_the_build_ends(
    element: str, cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    """``file:///dev/zero`` never ends; reading it would hang the build.  It must be refused."""
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    block = "head" if "link" in element else "lead"
    (overrides / "brief.html").write_text(
        f'{{% extends "default:base.html" %}}\n{{% block {block} %}}\n{{{{ super() }}}}\n{element}\n{{% endblock %}}\n',
        encoding="utf-8",
    )
    result, out = _build_pdf(cli, repo_root, tmp_path, overrides)
    assert result.exit_code == 1, result.output
    assert "refused to fetch 'file:///dev/zero'" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_symlink_in_a_template_folder_pointing_outside_is_refused(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside" / "private.png"
    outside.parent.mkdir()
    outside.write_bytes(b"\x89PNG\r\n\x1a\nprivate")
    static = tmp_path / "overrides" / "static"
    static.mkdir(parents=True)
    # The shipped fonts, linked (inside the template folders once resolved), and a link leading out.
    (static / "fonts").symlink_to(DEFAULT_TEMPLATES / "static" / "fonts", target_is_directory=True)
    (static / "private.png").symlink_to(outside)
    (static.parent / "brief.html").write_text(
        '{% extends "default:base.html" %}\n{% block lead %}\n{{ super() }}\n'
        '<img src="private.png" alt="">\n{% endblock %}\n',
        encoding="utf-8",
    )
    result, out = _build_pdf(cli, repo_root, tmp_path, static.parent)
    assert result.exit_code == 1, result.output
    assert "refused to fetch" in result.output and "private.png" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_a_file_inside_the_override_static_folder_is_used(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    """The counterpart of the refusals above: the allow-list does let template files through."""
    static = tmp_path / "overrides" / "static"
    static.mkdir(parents=True)
    (static / "fonts").symlink_to(DEFAULT_TEMPLATES / "static" / "fonts", target_is_directory=True)
    shutil.copy(DEFAULT_TEMPLATES / "static" / "fonts" / "OFL.txt", static / "licence.txt")
    (static.parent / "brief.html").write_text(
        '{% extends "default:base.html" %}\n{% block head %}\n{{ super() }}\n'
        '<link rel="attachment" href="licence.txt">\n{% endblock %}\n',
        encoding="utf-8",
    )
    result, out = _build_pdf(cli, repo_root, tmp_path, static.parent)
    assert result.exit_code == 0, result.output
    (pdf,) = out.glob("*.pdf")
    assert b"/EmbeddedFile" in pdf.read_bytes()


@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_static_text_reads_only_the_static_folders(
    how: str, cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    """static_text() inserts a file unescaped; it must not reach past the static folders."""
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("TOP-SECRET-MARKER\n", encoding="utf-8")
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    # Relative: enough "../" to climb from any static folder to the root ("/.." is "/").
    name = str(secret) if how == "absolute" else "../" * 40 + str(secret).lstrip("/")
    (overrides / "brief.html").write_text(
        '{% extends "default:base.html" %}\n{% block lead %}\n'
        f"<pre>{{{{ static_text({name!r}) }}}}</pre>\n{{% endblock %}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = cli(
        "brief",
        "-a",
        "industry",
        "--format",
        "html",
        "--out",
        out,
        "--data",
        repo_root / "data",
        "--templates",
        overrides,
    )
    written = b"".join(path.read_bytes() for path in out.iterdir()) if out.exists() else b""
    assert b"TOP-SECRET-MARKER" not in written
    assert result.exit_code == 1, result.output
    assert "outside the static folders" in result.output
    assert "TOP-SECRET-MARKER" not in result.output
