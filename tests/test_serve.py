"""The live preview, driven in a real browser (Debian's Chromium through Playwright).

The test starts ``generate serve`` as a user would, opens the brief, and edits
template files on disk: the page must change by itself, show a broken template's
error with file and line, and recover on the next good save.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _override(folder: Path, lead: str) -> None:
    (folder / "brief.html").write_text(
        '{% extends "default:base.html" %}\n{% block lead %}<p class="lead">' + lead + "</p>{% endblock %}\n",
        encoding="utf-8",
    )


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    command = [sys.executable, str(ROOT / "generate.py"), "serve", "-a", "industry", "--port", "0"]
    command += ["--data", str(data), "--templates", str(overrides)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
    assert match, f"server did not start: {first}"
    yield f"http://127.0.0.1:{match.group(1)}", overrides, process
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture()
def page() -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: run 'bash scripts/setup.sh --test'"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def test_edits_show_up_without_reloading_and_errors_recover(
    server: tuple[str, Path, subprocess.Popen[str]], page: Page
) -> None:
    url, overrides, _ = server
    page.goto(f"{url}/industry.html")
    expect(page.locator("h1")).to_contain_text("Poland")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    _override(overrides, "First edit from the test")
    expect(page.locator("p.lead")).to_have_text("First edit from the test", timeout=20_000)

    (overrides / "brief.html").write_text(
        '{% extends "default:base.html" %}\n{% block lead %}{{ brief.no_such_thing }}{% endblock %}\n', encoding="utf-8"
    )
    error = page.locator("pre.build-error")
    expect(error).to_contain_text("brief.html:2", timeout=20_000)
    expect(error).to_contain_text("no_such_thing")

    _override(overrides, "Recovered after the fix")
    expect(page.locator("p.lead")).to_have_text("Recovered after the fix", timeout=20_000)
    # The page moved on by itself: the test never called reload() or goto() again.
    assert len(navigations) >= 3


def test_data_errors_show_in_the_page(server: tuple[str, Path, subprocess.Popen[str]], page: Page) -> None:
    url, overrides, _ = server
    page.goto(f"{url}/industry.html")
    data = overrides.parent / "data"
    facts = data / "facts.yaml"
    original = facts.read_text(encoding="utf-8")
    facts.write_text(original.replace("credibility: 2", "credibility: seven", 1), encoding="utf-8")
    line = original[: original.index("credibility: 2")].count("\n") + 1
    expect(page.locator("pre.build-error")).to_contain_text(f"facts.yaml:{line}:", timeout=20_000)
    facts.write_text(original, encoding="utf-8")
    expect(page.locator("h1")).to_contain_text("Poland", timeout=20_000)


def test_ctrl_c_stops_cleanly(server: tuple[str, Path, subprocess.Popen[str]]) -> None:
    _, _, process = server
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "Preview stopped." in output
    assert "Traceback" not in output
