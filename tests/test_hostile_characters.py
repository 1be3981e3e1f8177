"""Characters no output may hold: XML-forbidden controls, noncharacters (U+FFFE, U+FFFF and
the rest), and the tool's own private markers (U+FDD0-U+FDD2, which mark language spans inside a
brief's text).  Each is refused at its ``file:line`` in every field of every YAML file the tool
reads (dossier, profiles, translations, recipients, mail settings), by ``check`` and by the build,
before anything is written.  Line and paragraph separators are read as the line break they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from briefing.distribution.mail import SmtpConfigError, load_settings
from briefing.distribution.recipients import DistributionListError, load_recipients
from briefing.dossier.yamlload import Origins, load_yaml

STATEMENT = "  - id: trade-2023\n    statement: >-\n"
LOCATED = re.compile(r"(?P<file>\S+\.yaml):(?P<line>\d+):(?P<column>\d+): (?:(?P<field>[^\s:]+): )?(?P<message>.*)")


def _located(output: str, fragment: str) -> list[dict[str, str]]:
    return [m.groupdict() for line in output.splitlines() if (m := LOCATED.search(line)) and fragment in line]


def _assert_refused(result: Result, out: Path) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir()), "a refused build wrote output"


@pytest.mark.parametrize(
    ("escape", "shown"),
    [
        ("\\uFFFE", "noncharacter U+FFFE"),
        ("\\uFFFF", "noncharacter U+FFFF"),
        ("\\U0010FFFE", "noncharacter U+10FFFE"),
        ("\\uFDD0", "noncharacter U+FDD0"),
        ("\\uFDD2", "noncharacter U+FDD2"),
        ("\\uFDEF", "noncharacter U+FDEF"),
        ("\\x0c", "control character U+000C"),
    ],
)
def test_a_statement_with_a_refused_character_stops_check_and_the_word_build(
    cli: Callable[..., Result], make_dossier: Callable[..., Any], tmp_path: Path, escape: str, shown: str
) -> None:
    """The issue's crash: U+FFFE in a statement passed check, then the Word edition ended in a traceback."""
    dossier = make_dossier()
    line = dossier.edit(
        "facts.yaml", STATEMENT, f'  - id: trade-2023\n    statement: "Trade {escape} grew"\n    note: >-\n'
    )
    line += 1
    check = cli("check", "--data", dossier)
    assert check.exit_code == 1, check.output
    found = _located(check.output, shown)
    assert found, check.output
    assert found[0]["file"].endswith("facts.yaml") and found[0]["line"] == str(line), found
    assert re.fullmatch(r"facts\[\d+\]\.statement", found[0]["field"]), found
    assert "at character 7" in found[0]["message"]
    out = tmp_path / "out"
    build = cli("brief", "-a", "industry", "--format", "docx,html", "--data", dossier, "--out", out)
    _assert_refused(build, out)
    assert shown in build.output


def test_a_private_marker_written_as_itself_is_refused_at_its_own_line(
    cli: Callable[..., Result], make_dossier: Callable[..., Any]
) -> None:
    """Inside a folded block the character's own line is named, not the block's first line."""
    dossier = make_dossier()
    text = dossier.text("facts.yaml")
    start = text.index(STATEMENT) + len(STATEMENT)
    second_line = text.index("\n", start) + 1  # the statement's second line of text
    marked = text[:second_line] + "      \ufdd0forged span\ufdd2 " + text[second_line:].lstrip(" ")
    dossier.write("facts.yaml", marked)
    line = marked.count("\n", 0, second_line) + 1
    result = cli("check", "--data", dossier)
    assert result.exit_code == 1, result.output
    found = _located(result.output, "U+FDD0")
    assert [(f["line"], f["column"]) for f in found] == [(str(line), "7")], result.output
    assert "(and 1 more such character)" in found[0]["message"]


def test_u_fffe_in_a_translation_is_refused_before_any_output(
    cli: Callable[..., Result], make_dossier: Callable[..., Any], tmp_path: Path
) -> None:
    dossier = make_dossier(with_translations=True)
    line = dossier.edit(
        "translations/pl.yaml",
        "  publisher: Zespół Analiz i Briefingów\n",
        '  publisher: "Zespół Analiz\\uFFFE i Briefingów"\n',
    )
    check = cli("check", "--data", dossier)
    assert check.exit_code == 1, check.output
    found = _located(check.output, "U+FFFE")
    assert [(Path(f["file"]).name, f["line"], f["field"]) for f in found] == [
        ("pl.yaml", str(line), "dossier.publisher")
    ]
    out = tmp_path / "out"
    build = cli("brief", "-a", "ministry", "--lang", "pl", "--format", "docx,html", "--data", dossier, "--out", out)
    _assert_refused(build, out)
    assert f"pl.yaml:{line}:" in build.output


def test_an_audience_profile_key_and_value_are_checked_too(
    cli: Callable[..., Result], make_dossier: Callable[..., Any]
) -> None:
    dossier = make_dossier()
    marking = dossier.edit("audiences/parliament.yaml", "marking: UNCLASSIFIED\n", 'marking: "UNCLASSIFIED\\uFFFF"\n')
    result = cli("check", "--data", dossier)
    assert result.exit_code == 1
    found = _located(result.output, "U+FFFF")
    assert [(Path(f["file"]).name, f["line"], f["field"]) for f in found] == [
        ("parliament.yaml", str(marking), "marking")
    ]


@pytest.mark.parametrize("raw", ["\ufffe", "\uffff", "\x01"])
def test_a_character_yaml_refuses_outright_is_named_at_its_line(tmp_path: Path, raw: str) -> None:
    """Written as itself, YAML's own reader stops at it: the message still names its line."""
    path = tmp_path / "facts.yaml"
    path.write_text(f"facts:\n  - id: one\n    statement: ab{raw}cd\n", encoding="utf-8")
    data, problems = load_yaml(path, "facts.yaml", Origins())
    assert data is None
    assert [(p.line, p.column) for p in problems] == [(3, 18)], problems
    assert f"U+{ord(raw):04X}" in problems[0].message and "remove it" in problems[0].message


def test_every_kind_of_refused_character_is_removed_from_what_is_loaded(tmp_path: Path) -> None:
    """Reported once, and gone from the value: no later stage or format sees it (and the schema
    does not report it a second time)."""
    path = tmp_path / "x.yaml"
    path.write_text('a: "one\\uFDD1two"\n"k\\uFFFEey": three\nb: [ok, "\\U0001FFFF"]\n', encoding="utf-8")
    data, problems = load_yaml(path, "x.yaml", Origins())
    assert data == {"a": "onetwo", "key": "three", "b": ["ok", ""]}
    assert [(p.line, p.field) for p in problems] == [(1, "a"), (2, ""), (3, "b[1]")], problems


def test_line_and_paragraph_separators_are_read_as_line_breaks(tmp_path: Path) -> None:
    """U+2028 printed as an empty box; it is a line break to YAML and to a reader, and is read as one."""
    path = tmp_path / "x.yaml"
    path.write_text('a: "one\\u2028two\\u2029three"\n', encoding="utf-8")
    data, problems = load_yaml(path, "x.yaml", Origins())
    assert problems == []
    assert data == {"a": "one\ntwo\nthree"}


def test_line_separator_in_a_statement_checks_clean_and_never_reaches_the_brief(
    cli: Callable[..., Result], make_dossier: Callable[..., Any], tmp_path: Path
) -> None:
    dossier = make_dossier()
    dossier.edit(
        "facts.yaml",
        "  - id: trade-2023\n    statement: >-\n      According to Statistics Poland, the value",
        '  - id: trade-2023\n    statement: "According to Statistics\\u2028Poland, the value"\n    note: >-\n      x',
    )
    check = cli("check", "--data", dossier)
    assert "U+2028" not in check.output and "line separator" not in check.output, check.output
    out = tmp_path / "out"
    build = cli("brief", "-a", "parliament", "--format", "html", "--data", dossier, "--out", out)
    assert build.exit_code == 0, build.output
    html = next(p for p in out.glob("*.html") if not p.name.endswith(".sources.html")).read_text(encoding="utf-8")
    assert "According to Statistics" in html and "\u2028" not in html and "\u2029" not in html


def test_a_separator_written_as_itself_is_refused_at_the_line_an_editor_shows(
    cli: Callable[..., Result], make_dossier: Callable[..., Any]
) -> None:
    """YAML 1.1 reads a raw U+2028 as a line break: the rest of a folded statement silently became a
    new key and the facts after it were lost.  Written as itself it is refused where the editor shows it."""
    dossier = make_dossier()
    line = dossier.edit(
        "facts.yaml",
        "      According to Statistics Poland, the value",
        "      According to Statistics\u2028Poland, the value",
    )
    result = cli("check", "--data", dossier)
    assert result.exit_code == 1
    found = _located(result.output, "U+2028")
    assert [(Path(f["file"]).name, f["line"], f["column"]) for f in found] == [("facts.yaml", str(line), "30")]


def test_recipients_and_mail_settings_refuse_them_at_their_line(tmp_path: Path) -> None:
    recipients = tmp_path / "recipients.yaml"
    recipients.write_text(
        "recipients:\n"
        "  - name: Ania Lis\n"
        '    organisation: "Biuro\\uFDD0"\n'
        "    audience: ministry\n"
        "    email: ania@example.org\n",
        encoding="utf-8",
    )
    with pytest.raises(DistributionListError) as listed:
        load_recipients(recipients, ["ministry"])
    assert "recipients.yaml:3:19: recipients[0].organisation: contains the noncharacter U+FDD0" in str(listed.value)
    settings = tmp_path / "smtp.yaml"
    settings.write_text('smtp:\n  host: 127.0.0.1\n  sender_name: "Briefs\\uFFFE"\n', encoding="utf-8")
    with pytest.raises(SmtpConfigError) as configured:
        load_settings(settings, {}, need_password=False)
    assert "smtp.yaml:3:16: smtp.sender_name: contains the noncharacter U+FFFE" in str(configured.value)
