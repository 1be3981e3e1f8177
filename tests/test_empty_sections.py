"""Nothing silently empty: a section or key point with nothing to show is not printed, and
`generate check` says which, for whom and why (`--strict` fails); every reference a profile
makes is validated with file:line and a suggestion."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result


def _check(cli: Callable[..., Result], root: Any, *extra: str) -> tuple[int, dict[str, Any]]:
    result = cli("check", "--data", root, "--format", "json", *extra)
    return result.exit_code, json.loads(result.output)


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_section_below_the_bar_is_not_printed_and_check_says_why(
    make_dossier: Callable[[], Any], cli: Callable[..., Result], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    # Parliament's bar raised to A: nothing in the dossier is graded A.
    dossier.edit("audiences/parliament.yaml", "min_reliability: C\n", "min_reliability: A\n")
    profile = dossier.file("audiences/parliament.yaml")

    code, report = _check(cli, dossier.root)
    assert code == 0 and not report["errors"]
    messages = {w["message"]: w for w in report["warnings"]}
    wanted = "parliament: section 'recommendations' is not printed: all 4 recommendations are below parliament's bar A"
    assert wanted in messages, sorted(messages)
    warning = messages[wanted]
    assert Path(warning["file"]).resolve() == profile.resolve()
    assert warning["line"] == _line_of(profile, "id: recommendations") - 1  # the section's "- kind:" line
    assert any(m.startswith("parliament: key point 'k2-order' is not printed: its grade B") for m in messages)
    strict = cli("check", "--data", dossier.root, "--strict")
    assert strict.exit_code == 1

    out = tmp_path / "out"
    result = cli("brief", "--audience", "parliament", "--format", "html", "--out", out, "--data", dossier.root)
    assert result.exit_code == 0, result.output
    html = (out / f"{dossier_id}-parliament.html").read_text(encoding="utf-8")
    # No heading and no contents entry for any section, and no empty key-points box.
    assert 'id="recommendations"' not in html and 'href="#recommendations"' not in html
    assert 'id="money"' not in html and 'class="key-points"' not in html
    assert "<h2" in html  # the Sources heading: the brief itself still builds


def test_no_programmes_no_empty_programme_sections(
    make_dossier: Callable[[], Any], cli: Callable[..., Result], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    dossier.file("programmes.yaml").unlink()
    code, report = _check(cli, dossier.root)
    assert code == 0, report["errors"]
    messages = [w["message"] for w in report["warnings"]]
    assert "industry: section 'programmes' is not printed: the dossier has no programmes" in messages
    assert "industry: section 'delivery-progress' is not printed: the dossier has no programmes" in messages
    out = tmp_path / "out"
    result = cli("brief", "--audience", "industry", "--format", "html", "--out", out, "--data", dossier.root)
    assert result.exit_code == 0, result.output
    html = (out / f"{dossier_id}-industry.html").read_text(encoding="utf-8")
    assert 'id="programmes"' not in html and 'id="delivery-progress"' not in html
    assert '<table class="programmes"' not in html


def test_unknown_measure_is_an_error_with_a_suggestion(
    make_dossier: Callable[[], Any], cli: Callable[..., Result]
) -> None:
    dossier = make_dossier()
    line = dossier.edit("audiences/parliament.yaml", "measures: [deals-2022.value]", "measures: [deals-2022.valeu]")
    code, report = _check(cli, dossier.root)
    assert code == 1
    [error] = [e for e in report["errors"] if "deals-2022.valeu" in e["message"]]
    assert error["line"] == line and error["file"].endswith("parliament.yaml")
    assert "did you mean 'deals-2022.value'" in error["message"]
    assert re.fullmatch(r"sections\[\d+\]\.measures\[0\]", error["field"])


def test_vocabularies_and_programme_table_are_validated(
    make_dossier: Callable[[], Any], cli: Callable[..., Result]
) -> None:
    dossier = make_dossier()
    level = dossier.edit(
        "threats.yaml",
        "    level: concern\n    # The news report is the only source",
        "    level: rising\n    # The news report is the only source",
    )
    done = dossier.edit("dossier.yaml", "      done: delivered\n", "      done: delivred\n")
    detail = dossier.edit(
        "programmes.yaml", "      polish-military-designation: Homar-K\n", "      designation: Homar-K\n"
    )
    code, report = _check(cli, dossier.root)
    assert code == 1
    found = {(Path(e["file"]).name, e["line"]): e["message"] for e in report["errors"]}
    assert "unknown threat level 'rising'; declare it under dossier.threat_levels" in found[("threats.yaml", level)]
    assert "did you mean 'delivered'" in found[("dossier.yaml", done)]
    assert "unknown detail 'designation'" in found[("programmes.yaml", detail)]
    assert len(report["errors"]) == 3, report["errors"]


def test_a_declared_level_prints_its_label(
    make_dossier: Callable[[], Any], cli: Callable[..., Result], tmp_path: Path, dossier_id: str
) -> None:
    dossier = make_dossier()
    dossier.edit(
        "threats.yaml",
        "    level: concern\n    # The news report is the only source",
        "    level: rising\n    # The news report is the only source",
    )
    dossier.edit("dossier.yaml", "    concern: Concern\n", "    concern: Concern\n    rising: Rising concern\n")
    # The shipped ministry brief leaves the threat perceptions table out (its rows restate the
    # divergences, and it keeps to 8 pages): the copy puts it back.
    dossier.edit(
        "audiences/ministry.yaml",
        "labels:\n",
        "  - kind: threats\n    id: threat-perceptions\n    title: Threat perceptions\nlabels:\n",
    )
    out = tmp_path / "out"
    result = cli("brief", "--audience", "ministry", "--format", "html", "--out", out, "--data", dossier.root)
    assert result.exit_code == 0, result.output
    html = (out / f"{dossier_id}-ministry.html").read_text(encoding="utf-8")
    assert "<td>Rising concern</td>" in html
