"""The layers of the package (pyproject.toml, [tool.importlinter]) hold: no part imports one above it.

``lint-imports`` (import-linter) reads the contract from pyproject.toml and follows every import,
including those inside functions.  The second test shows the contract is not vacuous: the same
check on a copy of the package with one upward import fails and names it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_layer_contract_is_kept() -> None:
    done = _lint(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 1 kept, 0 broken." in done.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(REPO / "briefing", tmp_path / "briefing", ignore=shutil.ignore_patterns("__pycache__", "locale"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    dates = tmp_path / "briefing" / "dossier" / "dates.py"
    # The dossier reaching up into the build: what the contract exists to stop.
    dates.write_text(dates.read_text(encoding="utf-8") + "\nfrom briefing.build import pipeline  # noqa\n", "utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = _lint(tmp_path, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "briefing.dossier is not allowed to import briefing.build" in done.stdout
    assert "briefing.dossier.dates -> briefing.build.pipeline" in done.stdout


def test_only_the_view_model_is_excepted() -> None:
    """The one exception the contract lists is the view model still in build/select.py, read by the formats."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    ignored = [line.split(" -> ") for line in contract.get("ignore_imports", [])]
    assert ignored, "the view model's exception is gone: remove this test's expectation too"
    for importer, imported in ignored:
        assert importer.startswith("briefing.formats."), importer
        assert imported == "briefing.build.select", imported
