"""Bad data is refused: exit code 1, every problem located as ``file:line:column: field: message``,
nothing written, and briefs already in the output folder left byte for byte as they were.

Expected lines are found by searching the mutated file for the edited text, and
field paths are computed from the shipped YAML, so the tests follow the data
as it changes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

DATA = Path(__file__).resolve().parent.parent / "data"

# "  path:line:column: field: message", optionally prefixed "error: " (as ``check`` prints it).
PROBLEM = re.compile(r"^\s*(?:error: )?(?P<file>\S.*?):(?P<line>\d+):(?P<column>\d+): (?P<rest>.*)$")


def _load(relpath: str) -> Any:
    with open(DATA / relpath, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _index(relpath: str, key: str, item_id: str) -> int:
    """Position of the item with ``item_id`` in the list ``key`` of a shipped file."""
    return [item["id"] for item in _load(relpath)[key]].index(item_id)


def _section_index(profile: str, kind: str) -> int:
    return [section["kind"] for section in _load(f"audiences/{profile}.yaml")["sections"]].index(kind)


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    old: str
    new: str
    # The field path the problem must name ("" for problems with no field, e.g. a YAML syntax error).
    field: Callable[[], str]
    # Text the message must contain (each).
    message: tuple[str, ...]
    # Text whose line the problem must point at, searched in the mutated file; default: the edited line.
    at: str | None = None


CASES = [
    Case(
        "yaml-syntax-error",
        "timeline.yaml",
        "    event: Poland and South Korea establish diplomatic relations.\n",
        "    event: Poland and South Korea: establish diplomatic relations.\n",
        lambda: "",
        ("YAML syntax error",),
    ),
    Case(
        "duplicate-key",
        "sources.yaml",
        "    reliability: F\n",
        "    reliability: F\n    reliability: A\n",
        lambda: f"sources[{_index('sources.yaml', 'sources', 'pact-news')}].reliability",
        ("duplicate key 'reliability'",),
        at="    reliability: A\n",
    ),
    Case(
        "unknown-source",
        "facts.yaml",
        '      - source: summit-news-2024\n        locator: "para. 4"\n',
        '      - source: summit-news-2025\n        locator: "para. 4"\n',
        lambda: f"facts[{_index('facts.yaml', 'facts', 'procurement-for-modernisation')}].cites[1].source",
        ("unknown source 'summit-news-2025'",),
    ),
    Case(
        "figure-value-quoted",
        "facts.yaml",
        "        value: 180\n",
        '        value: "180"\n',
        lambda: f"facts[{_index('facts.yaml', 'facts', 'k2-order')}].figures[0].value",
        ("number",),
    ),
    Case(
        "unquoted-date",
        "facts.yaml",
        '        text: "180"\n        as_of: "2024-10"\n',
        '        text: "180"\n        as_of: 2024-10-01\n',
        lambda: f"facts[{_index('facts.yaml', 'facts', 'k2-order')}].figures[0].as_of",
        ("date", "quotes", '"2024-10-01"'),
        at="as_of: 2024-10-01",
    ),
    Case(
        "no-read-as-boolean",
        "programmes.yaml",
        "    category: battle tank\n",
        "    category: NO\n",
        lambda: f"programmes[{_index('programmes.yaml', 'programmes', 'k2')}].category",
        ("quotes",),
    ),
    Case(
        "unknown-field",
        "sources.yaml",
        "    date_note: the news item gives no date of publication\n",
        "    date_notes: the news item gives no date of publication\n",
        lambda: f"sources[{_index('sources.yaml', 'sources', 'pact-news')}].date_notes",
        ("unknown field",),
    ),
    Case(
        "recommendation-rests-on-unknown-fact",
        "recommendations.yaml",
        "      - no-cross-party-consensus\n    audiences: [parliament, ministry]\n",
        "      - no-cross-party-consensuz\n    audiences: [parliament, ministry]\n",
        lambda: "recommendations[{}].rests_on[{}]".format(
            _index("recommendations.yaml", "recommendations", "rec-partnership-beyond-contracts"),
            _load("recommendations.yaml")["recommendations"][
                _index("recommendations.yaml", "recommendations", "rec-partnership-beyond-contracts")
            ]["rests_on"].index("no-cross-party-consensus"),
        ),
        ("'no-cross-party-consensuz'", "did you mean 'no-cross-party-consensus'"),
    ),
    Case(
        "audience-unknown-section-kind",
        "audiences/parliament.yaml",
        "  - kind: questions\n",
        "  - kind: quiz\n",
        lambda: f"sections[{_section_index('parliament', 'questions')}].kind",
        ("unknown section kind 'quiz'",),
    ),
    Case(
        "missing-required-field",
        "programmes.yaml",
        "    system: K9 / K9PL\n",
        "",
        lambda: f"programmes[{_index('programmes.yaml', 'programmes', 'k9')}].system",
        ("required",),
        # A missing field is located at the item it is missing from.
        at="  - id: k9\n",
    ),
    Case(
        "duplicate-id",
        "timeline.yaml",
        "  - id: ev-poland-eu-accession\n",
        "  - id: ev-diplomatic-relations\n",
        lambda: f"timeline[{_index('timeline.yaml', 'timeline', 'ev-poland-eu-accession')}].id",
        ("duplicate id 'ev-diplomatic-relations'",),
    ),
    Case(
        "undeclared-tag",
        "facts.yaml",
        "    tags: [ukraine]\n",
        "    tags: [ukrane]\n",
        lambda: f"facts[{_index('facts.yaml', 'facts', 'ukraine-equipment-transfer')}].tags[0]",
        ("unknown tag 'ukrane'", "did you mean 'ukraine'"),
    ),
]


def _problems(output: str) -> list[dict[str, str]]:
    return [match.groupdict() for line in output.splitlines() if (match := PROBLEM.match(line))]


def _problem_at(output: str, path: Path, line: int) -> dict[str, str]:
    """The reported problem at ``path:line`` (the path may be shown relative to the working directory)."""
    found = [p for p in _problems(output) if int(p["line"]) == line and Path(p["file"]).resolve() == path.resolve()]
    assert found, f"no problem reported at {path}:{line} in:\n{output}"
    assert len(found) == 1, output
    return found[0]


def _assert_problem(output: str, path: Path, line: int, field: str, message: tuple[str, ...]) -> None:
    problem = _problem_at(output, path, line)
    if field:
        assert problem["rest"].startswith(f"{field}: "), f"field {field!r} not named in {problem['rest']!r}"
    for fragment in message:
        assert fragment.lower() in problem["rest"].lower(), f"{fragment!r} not in {problem['rest']!r}"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture
def earlier_output(tmp_path: Path, shipped_briefs: Any) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding good briefs from an earlier build, and their bytes."""
    assert shipped_briefs.result.exit_code == 0, shipped_briefs.result.output
    out = tmp_path / "out"
    shutil.copytree(shipped_briefs.out, out)
    snapshot = _snapshot(out)
    assert len(snapshot) == 9  # three audiences: an HTML brief, its sources page and a PDF each
    return out, snapshot


def _assert_refused(result: Result, out: Path, before: dict[str, bytes]) -> None:
    assert result.exit_code == 1, result.output
    # A reported error (SystemExit from click), not an exception escaping the command.
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == "", "nothing may be reported as written"
    assert _snapshot(out) == before, "earlier briefs changed or files were added"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_data_is_refused_with_its_location(
    case: Case,
    cli: Callable[..., Result],
    make_dossier: Callable[[], Any],
    earlier_output: tuple[Path, dict[str, bytes]],
) -> None:
    out, before = earlier_output
    dossier = make_dossier()
    edited_line = dossier.edit(case.file, case.old, case.new)
    line = dossier.line_of(case.file, case.at) if case.at else edited_line

    result = cli("brief", "--audience", "all", "--out", out, "--data", dossier.root)

    _assert_refused(result, out, before)
    _assert_problem(result.output, dossier.file(case.file), line, case.field(), case.message)

    # ``check`` finds the same problem and builds nothing either.
    checked = cli("check", "--data", dossier.root)
    assert checked.exit_code == 1, checked.output
    _assert_problem(checked.output, dossier.file(case.file), line, case.field(), case.message)


def test_duplicate_key_names_the_first_line(cli: Callable[..., Result], make_dossier: Callable[[], Any]) -> None:
    dossier = make_dossier()
    first = dossier.edit("sources.yaml", "    reliability: F\n", "    reliability: F\n    reliability: A\n")
    result = cli("check", "--data", dossier.root)
    assert result.exit_code == 1, result.output
    problem = _problem_at(result.output, dossier.file("sources.yaml"), first + 1)
    assert f"first written on line {first}" in problem["rest"]


def test_duplicate_id_names_the_first_use(cli: Callable[..., Result], make_dossier: Callable[[], Any]) -> None:
    dossier = make_dossier()
    first = dossier.line_of("timeline.yaml", "  - id: ev-diplomatic-relations\n")
    line = dossier.edit("timeline.yaml", "  - id: ev-poland-eu-accession\n", "  - id: ev-diplomatic-relations\n")
    assert first < line
    result = cli("check", "--data", dossier.root)
    assert result.exit_code == 1, result.output
    problem = _problem_at(result.output, dossier.file("timeline.yaml"), line)
    assert re.search(rf"first used at \S*timeline\.yaml:{first}\b", problem["rest"]), problem["rest"]


def test_problems_in_several_files_are_all_reported_in_one_run(
    cli: Callable[..., Result], make_dossier: Callable[[], Any], earlier_output: tuple[Path, dict[str, bytes]]
) -> None:
    """YAML and schema problems in five files, one run."""
    out, before = earlier_output
    dossier = make_dossier()
    expected = [
        (
            "facts.yaml",
            dossier.edit("facts.yaml", "        value: 180\n", '        value: "180"\n'),
            "figures[0].value",
        ),
        (
            "sources.yaml",
            dossier.edit(
                "sources.yaml",
                "    date_note: the news item gives no date of publication\n",
                "    date_notes: the news item gives no date of publication\n",
            ),
            "date_notes",
        ),
        (
            "programmes.yaml",
            dossier.edit("programmes.yaml", "    category: battle tank\n", "    category: NO\n"),
            "category",
        ),
        (
            "audiences/ministry.yaml",
            dossier.edit("audiences/ministry.yaml", "page_budget: 8\n", 'page_budget: "8"\n'),
            "page_budget",
        ),
        (
            "timeline.yaml",
            dossier.edit(
                "timeline.yaml",
                "    event: Poland and South Korea establish diplomatic relations.\n",
                "    event: Poland and South Korea: establish diplomatic relations.\n",
            ),
            "YAML syntax error",
        ),
    ]

    result = cli("brief", "--audience", "all", "--out", out, "--data", dossier.root)

    _assert_refused(result, out, before)
    for relpath, line, fragment in expected:
        problem = _problem_at(result.output, dossier.file(relpath), line)
        assert fragment in problem["rest"], problem["rest"]
    assert re.search(rf"\b{len(expected)} problems\b", result.output), result.output


def test_reference_problems_in_several_files_are_all_reported_in_one_run(
    cli: Callable[..., Result], make_dossier: Callable[[], Any], earlier_output: tuple[Path, dict[str, bytes]]
) -> None:
    """Cross-reference problems (found once the schema is valid) in four files, one run."""
    out, before = earlier_output
    dossier = make_dossier()
    expected = [
        (
            "facts.yaml",
            dossier.edit(
                "facts.yaml",
                '      - source: summit-news-2024\n        locator: "para. 4"\n',
                '      - source: summit-news-2025\n        locator: "para. 4"\n',
            ),
            "summit-news-2025",
        ),
        (
            "recommendations.yaml",
            dossier.edit(
                "recommendations.yaml",
                "      - no-cross-party-consensus\n    audiences: [parliament, ministry]\n",
                "      - no-cross-party-consensuz\n    audiences: [parliament, ministry]\n",
            ),
            "no-cross-party-consensuz",
        ),
        (
            "audiences/parliament.yaml",
            dossier.edit("audiences/parliament.yaml", "  - kind: questions\n", "  - kind: quiz\n"),
            "quiz",
        ),
        (
            "timeline.yaml",
            dossier.edit("timeline.yaml", "  - id: ev-poland-eu-accession\n", "  - id: ev-diplomatic-relations\n"),
            "duplicate id",
        ),
    ]

    result = cli("brief", "--audience", "all", "--out", out, "--data", dossier.root)

    _assert_refused(result, out, before)
    for relpath, line, fragment in expected:
        problem = _problem_at(result.output, dossier.file(relpath), line)
        assert fragment in problem["rest"], problem["rest"]
    assert re.search(rf"\b{len(expected)} problems\b", result.output), result.output


def test_real_command_prints_no_traceback(make_dossier: Callable[[], Any], tmp_path: Path) -> None:
    """The installed ``generate`` program, in a process of its own: message and exit code, no traceback."""
    dossier = make_dossier()
    line = dossier.edit("facts.yaml", "        value: 180\n", '        value: "180"\n')
    script = Path(sys.executable).with_name("generate")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from briefing.cli import main; main()"]
    out = tmp_path / "out"
    completed = subprocess.run(
        [*command, "brief", "--audience", "all", "--format", "html", "--out", str(out), "--data", str(dossier.root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.stdout == ""
    _problem_at(completed.stderr, dossier.file("facts.yaml"), line)
    assert not out.exists() or not any(out.iterdir())
