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


def test_the_contract_has_no_exceptions() -> None:
    """No import is excepted from the layers: the view model the formats read lives in
    ``briefing.view``, below them, so no format reaches up into the build."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    assert not contract.get("ignore_imports"), contract["ignore_imports"]
    assert not contract.get("ignore_imports_containing"), contract


def test_the_formats_read_the_view_not_the_selection() -> None:
    """The formats (templates, charts, Word) import the view model and never the selection."""
    for module in (REPO / "briefing" / "formats").rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert "briefing.build" not in text, module
