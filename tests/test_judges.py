"""Outside judges on every brief: PDF/UA-1 (page-validation), the Nu HTML Checker, axe-core.

Each judge is an independent program that a ministry's accessibility officer or a reviewer
would run; the briefs of the shipped dossier and of the fictional test dossier must pass all
of them with nothing to report.  The judges come from ``scripts/setup.sh --test`` (PyPI's
page-validation, and vnu-jar and axe-core from npm into tests/judges/node_modules); a test is
skipped only when its judge is not installed, and says how to install it.

One build per dossier, one Java process for every HTML file, one Chromium for every page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from briefing.distribution.stamp import load_font, prepare, stamp_line, stamp_pdf

ROOT = Path(__file__).resolve().parent.parent
JUDGES = ROOT / "tests" / "judges" / "node_modules"
VNU = JUDGES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = JUDGES / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# WCAG 2.2 AA and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
WIDTHS = (1280, 390)  # a desktop window and a phone
INSTALL = "run 'bash scripts/setup.sh --test' to install it"


def _skip_unless(condition: bool, judge: str) -> None:
    if not condition:
        pytest.skip(f"{judge} is not installed: {INSTALL}")


@pytest.fixture(scope="module")
def briefs(shipped_briefs: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Every HTML and PDF brief: the shipped dossier's (the session's build), its Polish and
    Korean editions, and the fictional test dossier's (built here, once)."""
    out = tmp_path_factory.mktemp("fictional-briefs")
    result = run_cli("brief", "--audience", "all", "--data", ROOT / "tests" / "fixtures" / "fictional", "--out", out)
    assert result.exit_code == 0, result.output
    editions = tmp_path_factory.mktemp("shipped-editions")
    translated = run_cli(
        "brief", "-a", "all", "--lang", "pl", "--lang", "ko", "--data", ROOT / "data", "--out", editions
    )
    assert translated.exit_code == 0, translated.output
    assert shipped_briefs.result.exit_code == 0, shipped_briefs.result.output
    found: dict[str, list[Path]] = {"html": [], "pdf": []}
    for folder in (shipped_briefs.out, editions, out):
        for kind in found:
            found[kind] += sorted(folder.glob(f"*.{kind}"))
    # Each HTML brief has a sources page beside it (its notes link there): judged like the briefs.
    briefs_html = [path for path in found["html"] if not path.name.endswith(".sources.html")]
    assert len(found["pdf"]) >= 12 and len(briefs_html) == len(found["pdf"])
    assert len(found["html"]) == 2 * len(briefs_html)
    assert {path.suffixes[0] for path in found["pdf"]} >= {".pl", ".ko"}
    return found


def _pdf_ua_failures(path: Path) -> list[str]:
    import page  # page-validation

    report = page.validate_pdf(str(path), profile="ua1")
    return [f"{path.name}: {failure.rule_id}: {failure.message}" for failure in report.failures]


def test_every_pdf_passes_pdf_ua_1_rule_by_rule(briefs: dict[str, list[Path]], tmp_path: Path) -> None:
    pytest.importorskip("page", reason=f"page-validation is not installed: {INSTALL}")
    failures = [failure for path in briefs["pdf"] for failure in _pdf_ua_failures(path)]
    # A stamped distribution copy is a brief too: stamping must not break its tagging.
    font = load_font(ROOT / "templates" / "static" / "fonts" / "NotoSans-Regular.ttf")
    for path in briefs["pdf"][:3]:
        copy = tmp_path / f"stamped-{path.name}"
        line = stamp_line("Zofia Wójcik-Łęcka", "Ministry of Foreign Affairs", 1, 2, "TLP:GREEN")
        copy.write_bytes(stamp_pdf(prepare(path.read_bytes()), line, {"/Title": "Zofia"}, font))
        failures += _pdf_ua_failures(copy)
    assert not failures, "\n".join(failures)


def test_every_html_brief_passes_the_nu_html_checker(briefs: dict[str, list[Path]]) -> None:
    _skip_unless(VNU.is_file(), "the Nu HTML Checker (npm vnu-jar)")
    _skip_unless(shutil.which("java") is not None, "Java (for the Nu HTML Checker)")
    command = ["java", "-jar", str(VNU), "--format", "json", "--also-check-css", *map(str, briefs["html"])]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    messages = json.loads(finished.stderr or finished.stdout)["messages"]
    # Errors, warnings and even info messages (such as a redundant role): nothing to report.
    found = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['type']}/{m.get('subType', '')}: {m['message']}"
        for m in messages
    ]
    assert not found, "\n".join(found)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    _skip_unless(AXE.is_file(), "axe-core (npm)")
    _skip_unless(Path(CHROMIUM).exists(), "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_every_html_brief_passes_axe_core_on_desktop_and_phone(briefs: dict[str, list[Path]], chromium: Any) -> None:
    found = []
    for path in briefs["html"]:
        for width in WIDTHS:
            # The brief's policy lets no script run, axe's included: the judge is let past it.
            # axe-core is injected as a script: a page's own Content-Security-Policy (the sources
            # page forbids every script) must not keep the judge out.
            page = chromium.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
            page.goto(path.as_uri())
            page.add_script_tag(path=str(AXE))
            results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
            page.close()
            for violation in results["violations"]:
                where = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                found.append(f"{path.name} at {width} px: {violation['id']} ({violation['help']}): {where}")
    assert not found, "\n".join(found)


def test_no_html_brief_is_wider_than_a_phone(briefs: dict[str, list[Path]], chromium: Any) -> None:
    """At 390 px every brief of every edition fits: only a table or chart may scroll, inside its own box."""
    found = []
    for path in briefs["html"]:
        page = chromium.new_page(viewport={"width": 390, "height": 900})
        page.goto(path.as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        page.close()
        if width > 390:
            found.append(f"{path.name}: {width} px wide")
    assert not found, "\n".join(found)
