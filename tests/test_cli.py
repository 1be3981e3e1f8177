"""The ``generate`` command line: what it writes, what it prints, how it fails."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result


def _written(result: Result) -> list[Path]:
    """The paths a ``brief`` run says it wrote ("wrote PATH" lines on stdout)."""
    return [Path(line.removeprefix("wrote ")) for line in result.stdout.splitlines() if line.startswith("wrote ")]


def _files(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def test_brief_one_audience_writes_html_and_pdf_and_prints_their_paths(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dossier_id: str
) -> None:
    # Run from the repository with the default --data, as a user would.
    monkeypatch.chdir(repo_root)
    out = tmp_path / "out"
    result = cli("brief", "--audience", "industry", "--out", out)

    assert result.exit_code == 0, result.output
    # The sources page is the one the HTML's notes link to (each quoted passage, marked).
    assert _files(out) == {
        f"{dossier_id}-industry.html",
        f"{dossier_id}-industry.pdf",
        f"{dossier_id}-industry.sources.html",
    }
    assert all("industry" in name for name in _files(out))
    assert sorted(_written(result)) == sorted(out.iterdir())
    html, pdf = out / f"{dossier_id}-industry.html", out / f"{dossier_id}-industry.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")


def test_format_html_writes_only_html(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path, dossier_id: str
) -> None:
    out = tmp_path / "out"
    result = cli("brief", "--audience", "parliament", "--format", "html", "--out", out, "--data", repo_root / "data")

    assert result.exit_code == 0, result.output
    # The HTML brief and the sources page its notes link to; no PDF.
    page = f"{dossier_id}-parliament.sources.html"
    assert _files(out) == {f"{dossier_id}-parliament.html", page}
    assert _written(result) == [out / f"{dossier_id}-parliament.html", out / page]


def test_audience_all_writes_six_files(shipped_briefs: Any, profiles: dict[str, Any], dossier_id: str) -> None:
    result, out = shipped_briefs.result, shipped_briefs.out

    assert result.exit_code == 0, result.output
    expected = {f"{dossier_id}-{audience}.{ext}" for audience in profiles for ext in ("html", "pdf", "sources.html")}
    assert len(expected) == 9  # each brief in HTML and PDF, and the sources page the HTML's notes link to
    # Exactly these: no temporary or stray files left behind.
    assert _files(out) == expected
    assert sorted(_written(result)) == sorted(out / name for name in expected)
    for audience in profiles:
        assert shipped_briefs.path(audience, "pdf").read_bytes().startswith(b"%PDF-")
        assert shipped_briefs.path(audience, "html").stat().st_size > 0


def test_unknown_audience_is_a_usage_error_listing_the_choices(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path, profiles: dict[str, Any]
) -> None:
    out = tmp_path / "out"
    result = cli("brief", "--audience", "cabinet", "--out", out, "--data", repo_root / "data")

    assert result.exit_code == 2, result.output
    error_lines = [line for line in result.output.splitlines() if "cabinet" in line]
    assert len(error_lines) == 1, result.output
    line = error_lines[0]
    assert line.startswith("Error:"), line
    for choice in [*profiles, "all"]:
        assert choice in line, f"{choice!r} missing from {line!r}"
    assert "Traceback" not in result.output
    assert _files(out) == set()


def test_data_option_reads_a_copied_dossier(
    cli: Callable[..., Result], make_dossier: Callable[[], Any], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    # Prove the copy is what was read: change the marking of one audience and find it in the brief.
    old_marking = 'marking: "TLP:GREEN"\n'
    dossier.edit("audiences/industry.yaml", old_marking, 'marking: "TLP:AMBER+STRICT"\n')
    out = tmp_path / "out"
    result = cli("brief", "--audience", "industry", "--format", "html", "--data", dossier.root, "--out", out)

    assert result.exit_code == 0, result.output
    html = (out / f"{dossier_id}-industry.html").read_text(encoding="utf-8")
    assert "TLP:AMBER+STRICT" in html
    assert "TLP:GREEN" not in html


def test_check_passes_on_the_shipped_data(
    cli: Callable[..., Result], repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_root)
    result = cli("check")

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    # Warnings and notes may be reported; errors may not.
    errors = [line for line in result.output.splitlines() if line.lower().startswith("error")]
    assert not errors, result.output


def test_installed_command_leaves_with_its_exit_code_and_all_its_output(
    cli: Callable[..., Result], repo_root: Path, tmp_path: Path
) -> None:
    """``generate`` skips the interpreter's teardown (``briefing.cli.run``): what it printed, even
    into a file (buffered), and its exit code must come out whole all the same."""
    script = Path(sys.executable).with_name("generate")
    assert script.exists(), "scripts/setup.sh installs the generate command into the environment"
    expected = cli("check", "--data", repo_root / "data")
    printed = tmp_path / "printed.txt"
    with printed.open("w") as stdout:
        done = subprocess.run([script, "check", "--data", repo_root / "data"], stdout=stdout, stderr=subprocess.PIPE)
    assert (done.returncode, printed.read_text()) == (expected.exit_code, expected.stdout)
    assert done.returncode == 0 and printed.read_text().count("\n") > 10
    usage = subprocess.run([script, "brief", "--audience", "nosuch"], capture_output=True, text=True, cwd=repo_root)
    assert usage.returncode == 2 and "unknown audience 'nosuch'" in usage.stderr
    failed = subprocess.run([script, "check", "--data", tmp_path / "none"], capture_output=True, text=True)
    assert failed.returncode == 1 and "no such dossier folder" in failed.stdout + failed.stderr
