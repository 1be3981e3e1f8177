"""Property: however a dossier file is mangled, ``check`` reports problems, never crashes,
and every problem points at a real place in a real file.

Each example copies the shipped dossier, applies one mutation to one YAML file (delete
or duplicate a line, replace a value or a key with a nasty one, truncate the file,
insert random bytes) and runs both ``run_check`` and ``generate check``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefing.build.check import CheckReport, run_check
from briefing.cli import main
from briefing.errors import Problem
from briefing.formats.render_html import TemplateSet

DATA = Path(__file__).resolve().parent.parent / "data"
FILES = sorted(
    [path.relative_to(DATA).as_posix() for path in DATA.glob("*.yaml")]
    + [path.relative_to(DATA).as_posix() for path in (DATA / "audiences").glob("*.yaml")]
)
NASTY = [
    "",
    "NO",
    "on",
    "1e3",
    "2024-01-02",
    "~",
    "[",
    "{",
    "&a x",
    "*a",
    "!!python/object:os.system",
    '"',
    "'",
    "- - -",
    "ąęł",
    "\t",
]
OPERATIONS = ["delete_line", "duplicate_line", "replace_value", "replace_key", "truncate", "insert_bytes"]

# "key: value" (optionally as a list item) and "- value" lines; group 2 is what gets replaced.
VALUE_LINE = re.compile(r"^(\s*(?:- )?[A-Za-z_][\w-]*:[ ]+|\s*- )(\S.*)$")
KEY_LINE = re.compile(r"^(\s*(?:- )?)([A-Za-z_][\w-]*)(:(?:[ ].*)?)$")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _candidates(lines: list[str], pattern: re.Pattern[str]) -> list[int]:
    return [number for number, line in enumerate(lines) if pattern.match(line)]


@dataclass(frozen=True)
class Mutation:
    """One change to one file.  ``at`` picks a line or byte position (modulo what there is)."""

    file: str
    operation: str
    at: int
    value: str = ""
    data: bytes = b""

    def apply(self, root: Path) -> None:
        path = root / self.file
        raw = path.read_bytes()
        if self.operation == "truncate":
            path.write_bytes(raw[: self.at % (len(raw) + 1)])
            return
        if self.operation == "insert_bytes":
            position = self.at % (len(raw) + 1)
            path.write_bytes(raw[:position] + self.data + raw[position:])
            return
        lines = _lines(raw.decode("utf-8"))
        if self.operation == "delete_line":
            del lines[self.at % len(lines)]
        elif self.operation == "duplicate_line":
            index = self.at % len(lines)
            lines.insert(index, lines[index])
        else:
            pattern = VALUE_LINE if self.operation == "replace_value" else KEY_LINE
            candidates = _candidates(lines, pattern)
            index = candidates[self.at % len(candidates)]
            match = pattern.match(lines[index])
            assert match
            if self.operation == "replace_value":
                lines[index] = match.group(1) + self.value
            else:
                lines[index] = match.group(1) + self.value + match.group(3)
        path.write_text("\n".join(lines), encoding="utf-8")


def _at_line(file: str, operation: str, line: str) -> int:
    """The ``at`` that makes ``operation`` act on the one ``line`` of a shipped file."""
    lines = _lines((DATA / file).read_text(encoding="utf-8"))
    pattern = VALUE_LINE if operation == "replace_value" else KEY_LINE
    return _candidates(lines, pattern).index(lines.index(line))


mutations = st.builds(
    Mutation,
    file=st.sampled_from(FILES),
    operation=st.sampled_from(OPERATIONS),
    at=st.integers(min_value=0, max_value=1_000_000),
    value=st.sampled_from(NASTY),
    data=st.binary(min_size=1, max_size=16),
)

# Found while writing this test (by reading yamlload.py, not by the generator, whose pool of
# values has no impossible date): a mapping KEY that YAML reads as an impossible date (or a
# "!!int abc" key) raises ValueError out of _Builder._build_mapping, which only guards values.
KEY_CRASH = Mutation(
    "programmes.yaml",
    "replace_key",
    _at_line("programmes.yaml", "replace_key", "    name: K2 battle tank"),
    "2024-13-45",
)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped dossier, copied once; every example copies this copy."""
    root = tmp_path_factory.mktemp("pristine") / "data"
    shutil.copytree(DATA, root)
    return root


def _line_count(path: Path) -> int:
    # Generous: Python's splitlines breaks on every line break YAML knows (and a few more).
    return len(path.read_bytes().decode("utf-8", errors="replace").splitlines())


def _assert_located(file: str, line: int, root: Path) -> None:
    path = Path(file) if Path(file).is_absolute() else Path.cwd() / file
    assert path.is_file(), f"reported file {file!r} does not exist"
    assert path.resolve().is_relative_to(root.resolve()), f"{file} is not in the dossier {root}"
    assert 1 <= line <= _line_count(path) + 1, f"line {line} is outside {file} ({_line_count(path)} lines)"


def _assert_problem_located(problem: Problem, root: Path) -> None:
    _assert_located(problem.file, problem.line, root)
    assert problem.column >= 1, problem


def check_mutation(pristine: Path, mutation: Mutation) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "data"
        shutil.copytree(pristine, root)
        mutation.apply(root)

        # Exceptions other than the product's own reports propagate and fail the example.
        report = run_check(root, TemplateSet())
        assert isinstance(report, CheckReport)
        for problem in [*report.errors, *report.warnings]:
            _assert_problem_located(problem, root)
        for conflict in report.conflicts:
            for side in conflict.sides:
                file, _, line = side.location.rpartition(":")
                _assert_located(file, int(line), root)

        result = CliRunner().invoke(main, ["check", "--data", str(root)])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        assert result.exit_code == (1 if report.errors else 0), result.output


@settings(max_examples=60, deadline=None)
@given(mutation=mutations)
@example(mutation=Mutation("audiences/ministry.yaml", "replace_value", 0, "*a"))
@example(mutation=Mutation("facts.yaml", "truncate", 0))
@example(mutation=Mutation("sources.yaml", "insert_bytes", 10, data=b"\xff\xfe"))
@example(mutation=Mutation("dossier.yaml", "duplicate_line", 3))
@example(mutation=KEY_CRASH)
def test_mangled_dossier_is_reported_with_real_locations(pristine: Path, mutation: Mutation) -> None:
    check_mutation(pristine, mutation)


def test_impossible_date_as_a_key_is_a_reported_problem(pristine: Path) -> None:
    """The explicit example above, as its own test so the known bug shows in the summary."""
    check_mutation(pristine, KEY_CRASH)


def test_mutations_change_the_file(pristine: Path, tmp_path: Path) -> None:
    """Every operation really changes what it is applied to (so the property tests something)."""
    for operation in OPERATIONS:
        root = tmp_path / operation
        shutil.copytree(pristine, root)
        before = (root / "programmes.yaml").read_bytes()
        Mutation("programmes.yaml", operation, 7, "~", b"\x00").apply(root)
        assert (root / "programmes.yaml").read_bytes() != before, operation
    root = tmp_path / "key"
    shutil.copytree(pristine, root)
    KEY_CRASH.apply(root)
    assert "    2024-13-45: K2 battle tank" in (root / "programmes.yaml").read_text(encoding="utf-8")
