"""The documentation: the site builds strictly (no broken link or anchor, no page left out of the
navigation), the command-line reference is the commands' own --help, and the README stays short,
with links that resolve and the test command CI runs."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
# A relative Markdown link's target: [text](target) or [text](target#anchor), not a URL.
LINK = re.compile(r"\]\((?![a-z]+:)([^)#\s]+)(?:#[^)]*)?\)")


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cli_reference_is_up_to_date() -> None:
    """Run as a maintainer runs it, in a fresh process: click keeps each command's help option once
    made, so commands other tests have invoked could print theirs differently in this one."""
    printed = subprocess.run(
        [sys.executable, ROOT / "scripts" / "cli_reference.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == printed, "run: .venv/bin/python scripts/cli_reference.py > docs/cli.md"


def test_the_cli_reference_has_every_command_and_option() -> None:
    from briefing.cli import main

    reference = _script("cli_reference").reference()
    for name, command in main.commands.items():
        assert f"## `generate {name}`" in reference
        for parameter in command.params:
            for option in parameter.opts if parameter.param_type_name == "option" else ():
                assert option in reference, f"generate {name}: {option} is not in the reference"


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """mkdocs.yml sets strict: a link to a missing page or anchor, or a page in docs/ that the
    navigation leaves out, fails the build."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr + "\n(a page in docs/ must be listed in mkdocs.yml's nav)"
    assert (tmp_path / "site" / "cli" / "index.html").is_file()


def test_links_in_the_top_level_pages_resolve() -> None:
    for page in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        targets = LINK.findall(text)
        for target in targets:
            assert (ROOT / target).exists(), f"{page} links to {target}, which does not exist"
    assert "docs/index.md" in LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_is_short_and_keeps_the_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 80, "the README fits on a few screens: move detail into docs/"
    test_command = "bash scripts/setup.sh --test && .venv/bin/python -m pytest"
    assert test_command in readme
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/setup.sh && .venv/bin/generate brief --audience industry" in readme
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
