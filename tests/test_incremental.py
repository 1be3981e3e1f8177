"""Incremental and parallel builds give exactly what a forced serial build gives,
and any changed input makes the outputs that depend on it rebuild."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture()
def dossier(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def _build(data: Path, out: Path, *args: str) -> tuple[set[str], set[str]]:
    """Run a build; the names it wrote and the names it found up to date."""
    result = CliRunner().invoke(main, ["brief", "--data", str(data), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    wrote = {line.split("/")[-1] for line in result.output.splitlines() if line.startswith("wrote ")}
    current = {line.split("/")[-1] for line in result.output.splitlines() if line.startswith("up to date ")}
    return wrote, current


def _with_pages(names: set[str]) -> set[str]:
    """``names`` and, for each HTML brief, the sources page its notes link to (written with it)."""
    briefs = {name for name in names if name.endswith(".html") and not name.endswith(".sources.html")}
    return names | {name.removesuffix(".html") + ".sources.html" for name in briefs}


def _digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_parallel_and_incremental_equal_forced_serial(dossier: Path, tmp_path: Path) -> None:
    parallel, serial = tmp_path / "parallel", tmp_path / "serial"
    wrote, _ = _build(dossier, parallel, "-a", "all")
    assert len(wrote) == 9 and wrote == _with_pages(wrote)  # three HTML, three sources pages, three PDF
    again, current = _build(dossier, parallel, "-a", "all")
    assert again == set() and len(current) == 6
    _build(dossier, serial, "-a", "all", "--serial", "--force")
    assert _digests(parallel) == _digests(serial)


def test_each_kind_of_change_rebuilds_what_depends_on_it(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    everything = _with_pages({f"{n}.html" for n in ("ministry", "industry", "parliament")})
    all_html = ("-a", "all", "--format", "html")

    def built() -> set[str]:
        wrote, _ = _build(dossier, out, *all_html)
        return {name.split("-")[-1] for name in wrote}

    assert built() == everything
    assert built() == set()

    # Shared data: every brief.
    facts = dossier / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("credibility: 2", "credibility: 3", 1), encoding="utf-8")
    assert built() == everything

    # One audience's profile: that brief only.
    profile = dossier / "audiences" / "industry.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace("page_budget: 6", "page_budget: 7"), encoding="utf-8"
    )
    assert built() == _with_pages({"industry.html"})

    # A section template only some audiences use.
    overrides = tmp_path / "overrides"
    (overrides / "sections").mkdir(parents=True)
    wrote, _ = _build(dossier, out, *all_html, "--templates", str(overrides))
    assert wrote == set(), "an empty override folder changes nothing"
    (overrides / "sections" / "questions.html").write_text("<p>{{ view.title }}</p>\n", encoding="utf-8")
    wrote, _ = _build(dossier, out, *all_html, "--templates", str(overrides))
    assert {name.split("-")[-1] for name in wrote} == _with_pages({"parliament.html"})

    # Dropping the override folder goes back to the shipped template: rebuilt again.
    wrote, _ = _build(dossier, out, *all_html)
    assert {name.split("-")[-1] for name in wrote} == _with_pages({"parliament.html"})


def test_a_changed_or_deleted_output_is_never_served_stale(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(dossier, out, "-a", "industry", "--format", "html")
    html = next(path for path in out.glob("*.html") if not path.name.endswith(".sources.html"))
    original = html.read_bytes()
    html.write_bytes(b"edited by hand")
    wrote, _ = _build(dossier, out, "-a", "industry", "--format", "html")
    assert wrote == _with_pages({html.name}) and html.read_bytes() == original
    html.unlink()
    wrote, _ = _build(dossier, out, "-a", "industry", "--format", "html")
    assert wrote == _with_pages({html.name}) and html.read_bytes() == original


def test_force_rebuilds_and_gives_the_same_bytes(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(dossier, out, "-a", "ministry", "--format", "html")
    before = _digests(out)
    wrote, _ = _build(dossier, out, "-a", "ministry", "--format", "html", "--force")
    assert len(wrote) == 2 and _digests(out) == before


def test_the_sources_page_is_one_file_whichever_format_writes_it(tmp_path: Path) -> None:
    """The HTML brief and the Word file both link to the sources page and both write it: a rebuild
    of one does not make the other out of date, and a deleted page rebuilds both."""
    out = tmp_path / "out"
    args = ("-a", "assembly", "--format", "html,docx")
    fictional = ROOT / "tests" / "fixtures" / "fictional"
    names = {"orm-strait-treaty-assembly" + suffix for suffix in (".html", ".sources.html", ".docx")}
    assert _build(fictional, out, *args) == (names, set())
    assert _build(fictional, out, *args) == (set(), names - {"orm-strait-treaty-assembly.sources.html"})
    page = out / "orm-strait-treaty-assembly.sources.html"
    before = page.read_bytes()
    wrote, _ = _build(fictional, out, "-a", "assembly", "--format", "docx", "--force")
    assert wrote == {"orm-strait-treaty-assembly.docx", page.name} and page.read_bytes() == before
    assert _build(fictional, out, *args)[0] == set()
    page.unlink()
    assert _build(fictional, out, *args)[0] == names and page.read_bytes() == before


def _imported(args: list[str], cache: Path) -> set[str]:
    code = (
        "import sys; from briefing.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print('MODULES', ' '.join(sorted(sys.modules)))"
    )
    env = {"XDG_CACHE_HOME": str(cache), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    line = next(line for line in run.stdout.splitlines() if line.startswith("MODULES"))
    return set(line.split()[1:])


def test_heavy_renderers_are_imported_only_when_rendering(dossier: Path, tmp_path: Path) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    heavy = {"weasyprint"}  # the charts are drawn without a plotting library
    assert not heavy & _imported(["--help"], cache)
    assert not heavy & _imported(["check", "--data", str(dossier)], cache)
    build = ["brief", "-a", "industry", "--data", str(dossier), "--out", str(out)]
    assert heavy <= _imported(build, cache)
    # Nothing changed: the up-to-date build imports neither renderer.
    assert not heavy & _imported(build, cache)
