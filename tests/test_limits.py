"""Hostile sizes and shapes: an alias bomb, a 50 MB file and very deep nesting are each
refused with a located message, quickly, without exhausting memory or the stack."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

import briefing.dossier.yamlload

MIB = 1024 * 1024
PROBLEM = re.compile(r"^\s*(?:error: )?(?P<file>\S.*?):(?P<line>\d+):(?P<column>\d+): (?P<rest>.*)$")

# "Billion laughs": nine levels of nine aliases, 9**9 (~387 million) leaves if expanded.
BOMB = (
    "\n".join(
        ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        + [f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 9)}]" for level in range(1, 9)]
    )
    + "\n"
)


def _problems(output: str, path: Path) -> list[dict[str, str]]:
    found = [m.groupdict() for line in output.splitlines() if (m := PROBLEM.match(line))]
    return [p for p in found if Path(p["file"]).resolve() == path.resolve()]


def _assert_refused(result: Result, out: Path) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_alias_bomb_is_refused(cli: Callable[..., Result], make_dossier: Callable[[], Any], tmp_path: Path) -> None:
    dossier = make_dossier()
    bomb = dossier.write("bomb.yaml", BOMB)
    out = tmp_path / "out"

    for result in (
        cli("check", "--data", dossier.root),
        cli("brief", "-a", "all", "--format", "html", "--out", out, "--data", dossier.root),
    ):
        _assert_refused(result, out)
        aliases = [p for p in _problems(result.output, bomb) if "anchors and aliases" in p["rest"]]
        assert aliases, result.output
        # An alias is the node it names, so it is reported where that node is anchored: the first
        # reuse of lol0 (the first item of lol1) points at "&lol0" on line 1.
        first = BOMB.split("\n")[0]
        assert {"line": "1", "column": str(first.index("&lol0") + 1)} in [
            {"line": p["line"], "column": p["column"]} for p in aliases
        ]
        assert any(p["rest"].startswith("lol1[0]: ") for p in aliases), result.output


def test_50_mb_file_is_refused_by_its_size(
    cli: Callable[..., Result], make_dossier: Callable[[], Any], tmp_path: Path
) -> None:
    dossier = make_dossier()
    huge = dossier.file("huge.yaml")
    with open(huge, "wb") as handle:
        handle.truncate(50 * MIB)  # sparse: 50 MB on paper, nothing written to disk
    size = huge.stat().st_size
    assert size > briefing.dossier.yamlload.MAX_FILE_BYTES
    out = tmp_path / "out"

    for result in (
        cli("check", "--data", dossier.root),
        cli("brief", "-a", "all", "--format", "html", "--out", out, "--data", dossier.root),
    ):
        _assert_refused(result, out)
        (problem,) = _problems(result.output, huge)
        assert (problem["line"], problem["column"]) == ("1", "1")
        limit = briefing.dossier.yamlload.MAX_FILE_BYTES // MIB
        # This message is produced only before the file is read.
        assert problem["rest"] == f"file is {size:,} bytes; the limit is {limit} MiB", problem


def test_deep_nesting_within_the_parser_stack_is_refused(
    cli: Callable[..., Result], make_dossier: Callable[[], Any]
) -> None:
    """5,000 levels: refused before parsing, at the bracket that passes the limit."""
    dossier = make_dossier()
    prefix = "deep: "
    deep = dossier.write("deep.yaml", prefix + "[" * 5000 + "]" * 5000 + "\n")
    result = cli("check", "--data", dossier.root)
    assert result.exit_code == 1, result.output
    (problem,) = _problems(result.output, deep)
    limit = briefing.dossier.yamlload.MAX_FLOW_DEPTH
    assert (problem["line"], problem["column"]) == ("1", str(len(prefix) + limit + 1))
    assert f"nested more than {limit} levels deep" in problem["rest"]


def test_very_deep_nesting_is_refused_not_crashed(make_dossier: Callable[[], Any]) -> None:
    """Run in a process of its own: a crash here must not take the test session down."""
    dossier = make_dossier()
    deep = dossier.write("deep.yaml", "[" * 100_000)
    script = Path(sys.executable).with_name("generate")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from briefing.cli import main; main()"]
    completed = subprocess.run(
        [*command, "check", "--data", str(dossier.root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, f"exit status {completed.returncode}: {output[-2000:]}"
    assert "Traceback" not in output
    problems = _problems(output, deep)
    assert problems, output
    # The file is one line; a parser may place the end of input on the line after it.
    assert all(1 <= int(p["line"]) <= 2 for p in problems), problems
