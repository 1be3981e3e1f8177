"""The code and the tests stay linted and typed: ruff and strict mypy, as CONTRIBUTING.md runs them.

CI runs only pytest, so these two run the checkers from the test environment (the same versions
as ``.venv/bin/ruff`` and ``.venv/bin/mypy``) with the project's configuration in pyproject.toml,
and show what they found when they fail.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m ARGS`` in the repository, with this interpreter (the test environment's tools)."""
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )


def test_ruff_finds_nothing_in_the_code_or_the_tests() -> None:
    done = _run("ruff", "check", "briefing", "tests")
    assert done.returncode == 0, done.stdout + done.stderr


# About 8 s of CPU with an empty cache (a fresh clone, as in CI); well under a second once cached.
@pytest.mark.slow
def test_strict_mypy_finds_nothing_in_the_code_or_the_tests() -> None:
    # With no arguments mypy checks what [tool.mypy] lists: make sure that is still both folders.
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True
    assert {"briefing", "tests"} <= set(config["files"]), config["files"]
    done = _run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout, done.stdout
