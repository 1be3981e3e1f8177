"""A normal build prints only what the user needs: what it wrote, and notes the briefs act on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_building_the_shipped_dossier_prints_no_renderer_warning(tmp_path: Path) -> None:
    # A real process, so that WeasyPrint's and fontTools' own log lines would show if any escaped.
    done = subprocess.run(
        [sys.executable, "generate.py", "brief", "-a", "all", "--out", str(tmp_path), "--serial"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    unexpected = [line for line in lines if not line.startswith(("wrote ", "note: "))]
    assert not unexpected, "\n".join(unexpected)
    # Three audiences: an HTML brief, its sources page and a PDF each.
    assert sum(line.startswith("wrote ") for line in lines) == 9
