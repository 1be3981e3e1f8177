"""Text from someone else's dossier, list or settings: one-line fields stay one line, no control
characters or bidirectional overrides, a size limit per field, honest e-mail address checks
(internationalised domains delivered in their IDNA form), and characters no font can draw
reported by ``check``.

``distribute`` validates everything before it writes a copy: a bad value means exit 1 with
the place named, and the output folder exactly as it was.  Delivery goes to a real SMTP
server (aiosmtpd on 127.0.0.1).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from briefing.cli_distribute import distribute as distribute_command
from briefing.distribution import mail
from briefing.distribution.recipients import DistributionListError, load_recipients
from briefing.distribution.stamp import load_font
from briefing.dossier.schema import LINE_MAX, QUOTE_MAX, TEXT_MAX, Citation, DossierInfo, Fact

pytest.importorskip("aiosmtpd.controller")
import test_mail
from test_mail import Mailbox

# The real SMTP server on 127.0.0.1, a fixture shared with test_mail.py.
server = test_mail.server

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FONT = ROOT / "templates" / "static" / "fonts" / "NotoSans-Regular.ttf"
AUDIENCES = ("ministry", "industry", "parliament")
ENVELOPE_FROM = "briefs@example.org"
ANIA = {
    "name": "Ania Lis",
    "organisation": "Biuro Bezpieczeństwa",
    "audience": "ministry",
    "email": "ania@bezpieczeństwo.example",
}
JAN = {"name": "Jan Kowalski", "organisation": "Sejm", "audience": "parliament", "email": "jan.kowalski@example.org"}
# A script none of the shipped fonts has (Ethiopic), so these tests do not depend on which
# CJK or Hangul fonts are vendored.
UNDRAWN = "ሰላም"


# ---------------------------------------------------------------------------
# A real SMTP server and a distribution run
# ---------------------------------------------------------------------------


@dataclass
class Run:
    tmp: Path
    briefs: Path
    port: int
    data: Path = DATA
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {
            "BRIEFING_SMTP_HOST": "127.0.0.1",
            "BRIEFING_SMTP_PORT": str(self.port),
            "BRIEFING_SMTP_SECURITY": "none",
            "BRIEFING_SMTP_FROM": ENVELOPE_FROM,
        }
        # An earlier run's output, which a refused run must leave exactly as it was.
        self.out.mkdir(parents=True)
        (self.out / "manifest.csv").write_text("earlier manifest, not to be touched\n", encoding="utf-8")

    @property
    def list_path(self) -> Path:
        return self.tmp / "list" / "recipients.yaml"

    @property
    def out(self) -> Path:
        return self.tmp / "out"

    def write_list(self, *recipients: dict[str, Any]) -> None:
        self.list_path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump({"recipients": list(recipients)}, allow_unicode=True, sort_keys=False)
        self.list_path.write_text(text, encoding="utf-8")

    def write_smtp(self, text: str) -> Path:
        path = self.list_path.parent / "smtp.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def cli(self, *extra: str) -> Result:
        args = ["--list", self.list_path, "--out", self.out, "--briefs", self.briefs, "--data", self.data, *extra]
        return CliRunner().invoke(distribute_command, [str(arg) for arg in args], env=self.env)

    def snapshot(self) -> dict[str, bytes]:
        return {str(path.relative_to(self.out)): path.read_bytes() for path in self.out.rglob("*") if path.is_file()}


@pytest.fixture
def run(tmp_path: Path, briefs_dir: Path, server: tuple[Mailbox, int]) -> Run:
    job = Run(tmp_path, briefs_dir, server[1])
    job.write_list(JAN)
    return job


def assert_refused(result: Result, run: Run, before: dict[str, bytes], *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, f"{fragment!r} not in:\n{result.output}"
    assert run.snapshot() == before, "a refused run wrote or changed files in the output folder"


# ---------------------------------------------------------------------------
# distribute: everything is validated before anything is written
# ---------------------------------------------------------------------------


def test_newline_in_smtp_sender_name_is_refused_at_its_line_and_nothing_is_written(
    run: Run, server: tuple[Mailbox, int]
) -> None:
    mailbox, _ = server
    path = run.write_smtp(f'smtp:\n  sender: {ENVELOPE_FROM}\n  sender_name: "Briefs\\nBcc: evil@example.com"\n')
    del run.env["BRIEFING_SMTP_FROM"]
    before = run.snapshot()
    result = run.cli("--send")
    assert_refused(result, run, before, f"{path.name}:3:", "smtp.sender_name", "one line", "U+000A")
    assert mailbox.received == []


@pytest.mark.parametrize("suffix", ["FROM", "HOST", "USER"])
def test_newline_in_an_smtp_environment_variable_is_refused_naming_it(
    run: Run, server: tuple[Mailbox, int], suffix: str
) -> None:
    mailbox, _ = server
    run.env[f"BRIEFING_SMTP_{suffix}"] = "briefs@example.org\nBcc: evil@example.com"
    run.env["BRIEFING_SMTP_PASSWORD"] = "x"
    run.env.setdefault("BRIEFING_SMTP_USER", "briefs")
    before = run.snapshot()
    result = run.cli("--send")
    assert_refused(result, run, before, f"BRIEFING_SMTP_{suffix}", "one line", "U+000A")
    assert "\nBcc: evil" not in result.output  # the value is shown escaped, if at all
    assert mailbox.received == []


def test_an_invalid_sender_address_in_the_settings_file_is_located(run: Run) -> None:
    path = run.write_smtp("smtp:\n  host: 127.0.0.1\n  sender: briefs(at)example.org\n")
    del run.env["BRIEFING_SMTP_FROM"]
    before = run.snapshot()
    result = run.cli("--send", "--dry-run")
    assert_refused(result, run, before, f"{path.name}:3:", "smtp.sender", "'briefs(at)example.org' is not an email")


@pytest.mark.parametrize(
    ("old", "new", "field_name"),
    [
        ('short_title: "Poland–South Korea defence cooperation"', 'short_title: "Poland\\nBcc: x"', "short_title"),
        ('edition: "1"', 'edition: "1\\nBcc: evil@example.com"', "edition"),
    ],
)
def test_newline_in_the_dossier_stops_check_and_distribute(
    run: Run, make_dossier: Callable[[], Any], cli: Callable[..., Result], old: str, new: str, field_name: str
) -> None:
    dossier = make_dossier()
    line = dossier.edit("dossier.yaml", old, new)
    checked = cli("check", "--data", dossier.root)
    assert checked.exit_code == 1, checked.output
    assert f"dossier.yaml:{line}:" in checked.output and f"dossier.{field_name}: must be one line" in checked.output

    run.data = Path(dossier.root)
    before = run.snapshot()
    result = run.cli("--send")
    assert_refused(result, run, before, "refusing to distribute", f"dossier.yaml:{line}:", f"dossier.{field_name}")


def test_a_marking_the_stamp_cannot_draw_is_refused_at_the_marking(run: Run, make_dossier: Callable[[], Any]) -> None:
    dossier = make_dossier()
    line = dossier.edit("audiences/parliament.yaml", "marking: UNCLASSIFIED", f"marking: {UNDRAWN}")
    run.data = Path(dossier.root)
    before = run.snapshot()
    result = run.cli()
    assert_refused(result, run, before, f"parliament.yaml:{line}:", "marking", "stamp font cannot print")


def test_a_message_that_cannot_be_written_stops_before_anything_is_sent() -> None:
    """The last line of defence: a header value that slipped past validation is an error, not a traceback."""
    settings = mail.SmtpSettings(host="127.0.0.1", port=25, security="none", sender=ENVELOPE_FROM)
    message = mail.Outgoing(
        recipient="jan",
        name="Jan Kowalski",
        organisation="Sejm",
        email="jan@example.org",
        audience="parliament",
        copy=1,
        copies=1,
        filename="parliament/x.pdf",
        sha256="0" * 64,
        pages=1,
        marking="UNCLASSIFIED",
        dossier="d",
        title="Title\nBcc: evil@example.com",
        edition="1",
        date="1 January 2026",
        publisher="Unit",
        where="recipients.yaml:3",
        data=b"",
    )
    with pytest.raises(mail.MailError, match=r"listed at recipients.yaml:3"):
        mail.check_messages([message], settings)


# ---------------------------------------------------------------------------
# E-mail addresses
# ---------------------------------------------------------------------------


def test_an_internationalised_domain_is_delivered_in_its_idna_form(run: Run, server: tuple[Mailbox, int]) -> None:
    mailbox, _ = server
    run.write_list(ANIA, JAN)
    result = run.cli("--send")
    assert result.exit_code == 0, result.output
    assert len(mailbox.received) == 2
    delivered = zip(mailbox.envelopes, mailbox.received, strict=True)
    (envelope, message), *_ = [item for item in delivered if item[0] != [JAN["email"]]]
    ascii_address = "ania@" + "bezpieczeństwo.example".encode("idna").decode()
    assert ascii_address.startswith("ania@xn--")
    assert envelope == [ascii_address]
    assert message["To"].addresses[0].addr_spec == ascii_address
    assert message["To"].addresses[0].display_name == "Ania Lis"
    with open(run.out / "manifest.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["email"] for row in rows] == [ANIA["email"], JAN["email"]]  # as written in the list
    assert any(record.email == ANIA["email"] for record in mail.read_log(run.out / "delivery-log.jsonl"))


def test_address_problems_are_stated_plainly(tmp_path: Path) -> None:
    path = tmp_path / "recipients.yaml"
    entries = [
        {**JAN, "email": "jan.kowalski(at)example.org"},
        {**ANIA, "email": "ánia@example.org"},
        {**ANIA, "name": "Ewa Lis", "email": "ANIA@xn--bezpieczestwo-xic.example"},
        {**JAN, "name": "Jan Nowak", "email": "jan@exa\nmple.org"},
    ]
    path.write_text(yaml.safe_dump({"recipients": [ANIA, *entries]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DistributionListError) as caught:
        load_recipients(path, AUDIENCES, load_font(FONT).unprintable)
    messages = {p.field: p.message for p in caught.value.problems}
    assert "{" not in str(caught.value)
    assert messages["recipients[1].email"].startswith("'jan.kowalski(at)example.org' is not an email address")
    assert "SMTPUTF8" in messages["recipients[2].email"]
    # One mailbox, however its domain is written.
    assert "duplicate email address" in messages["recipients[3].email"]
    assert "one line" in messages["recipients[4].email"]
    assert len(caught.value.problems) == 4


# ---------------------------------------------------------------------------
# The text types
# ---------------------------------------------------------------------------

INFO = {
    "id": "d",
    "title": "T",
    "short_title": "S",
    "publisher": "P",
    "author": "A",
    "date": "2026",
    "edition": "1",
    "language": "en",
}
FACT = {
    "id": "f",
    "statement": "S",
    "tags": ["t"],
    "credibility": 2,
    "cites": [{"source": "s", "locator": "p. 1", "quote": "Q"}],
}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("one\ntwo", "U+000A (line break)"),
        ("one\ttwo", "U+0009 (tab)"),
        ("one\rtwo", "U+000D"),
        ("one\u2028two", "U+2028"),
        ("a\x00b", "U+0000 (NUL)"),
        ("a\x1b[31mb", "U+001B (ESC)"),
        ("a\x07b", "U+0007 (BEL)"),
        ("a\x9bb", "U+009B"),
        ("abc\u202etxt.exe", "U+202E"),
        ("a\u2066b\u2069", "U+2066"),
        ("x" * (LINE_MAX + 1), f"limit for this one-line field is {LINE_MAX:,}"),
    ],
)
def test_a_one_line_field_refuses(value: str, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        DossierInfo.model_validate({**INFO, "short_title": value})
    assert fragment in str(caught.value)


def test_prose_may_break_lines_but_nothing_else() -> None:
    Fact.model_validate({**FACT, "statement": "First line.\n\tSecond line, indented."})
    Fact.model_validate({**FACT, "statement": "שלום\u200f and \u200eabc\u00ad"})  # marks and soft hyphens are text
    for bad, fragment in [("a\x00b", "NUL"), ("a\x1bb", "ESC"), ("a\u202eb", "U+202E"), ("a\x0bb", "U+000B")]:
        with pytest.raises(ValueError, match=re.escape(fragment)):
            Fact.model_validate({**FACT, "statement": bad})


def test_each_kind_of_field_has_its_limit() -> None:
    Fact.model_validate({**FACT, "statement": "x" * TEXT_MAX})
    with pytest.raises(ValueError, match=f"the limit for this field is {TEXT_MAX:,} characters"):
        Fact.model_validate({**FACT, "statement": "x" * (TEXT_MAX + 1)})
    Citation.model_validate({"source": "s", "locator": "p. 1", "quote": "x" * QUOTE_MAX})
    with pytest.raises(ValueError, match=f"the limit for this field is {QUOTE_MAX:,} characters"):
        Citation.model_validate({"source": "s", "locator": "p. 1", "quote": "x" * (QUOTE_MAX + 1)})


def test_a_megabyte_statement_is_refused_by_check_at_its_line(
    make_dossier: Callable[[], Any], cli: Callable[..., Result]
) -> None:
    dossier = make_dossier()
    old = "    statement: >-\n      South Korea is one of four Asian countries"
    line = dossier.edit("facts.yaml", old, f"    statement: {'word ' * 200_000}\n    note: >-\n      South Korea")
    result = cli("check", "--data", dossier.root)
    assert result.exit_code == 1, result.output[-2000:]
    assert f"facts.yaml:{line}:" in result.output
    assert "facts[0].statement: is 999,999 characters long; the limit for this field is 10,000" in result.output


# ---------------------------------------------------------------------------
# Characters no font can draw
# ---------------------------------------------------------------------------


def _font_with(path: Path, characters: str) -> Path:
    """A real (tiny) TrueType font whose character map has ``characters``; its glyphs are empty."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef", *(f"uni{ord(ch):04X}" for ch in characters)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(ch): f"uni{ord(ch):04X}" for ch in characters})
    builder.setupGlyf({name: TTGlyphPen(None).glyph() for name in names})
    builder.setupHorizontalMetrics({name: (500, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Test Ethiopic", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    builder.save(str(path))
    return path


def test_check_reports_characters_no_font_has(
    make_dossier: Callable[[], Any], cli: Callable[..., Result], tmp_path: Path
) -> None:
    dossier = make_dossier()
    for profile in AUDIENCES:  # no stale figures, so that --strict fails on this warning alone
        text = dossier.text(f"audiences/{profile}.yaml")
        dossier.write(f"audiences/{profile}.yaml", re.sub(r"(?m)^stale_after_months: .*\n", "", text))
    assert cli("check", "--strict", "--data", dossier.root).exit_code == 0
    line = dossier.edit(
        "dossier.yaml",
        'short_title: "Poland–South Korea defence cooperation"',
        f'short_title: "Poland–South Korea {UNDRAWN}"',
    )
    result = cli("check", "--data", dossier.root)
    assert result.exit_code == 0, result.output  # a warning
    warnings = [text for text in result.output.splitlines() if text.startswith("warning: ")]
    found = [text for text in warnings if f"dossier.yaml:{line}:" in text]
    assert len(found) == 1, result.output
    assert "dossier.short_title: no font in" in found[0]
    assert "'ሰ' (U+1230), 'ላ' (U+120B), 'ም' (U+121D)" in found[0] and "empty boxes" in found[0]
    assert cli("check", "--strict", "--data", dossier.root).exit_code == 1

    # Coverage comes from the fonts present: an override folder with a font that has them clears it.
    overrides = tmp_path / "overrides"
    _font_with(overrides / "static" / "fonts" / "TestEthiopic.ttf", UNDRAWN)
    covered = cli("check", "--data", dossier.root, "--templates", overrides)
    assert covered.exit_code == 0, covered.output
    assert f"dossier.yaml:{line}:" not in covered.output


def test_the_build_says_when_characters_print_as_empty_boxes(
    make_dossier: Callable[[], Any], cli: Callable[..., Result], tmp_path: Path
) -> None:
    dossier = make_dossier()
    dossier.edit("dossier.yaml", 'edition: "1"', f'edition: "1 {UNDRAWN}"')
    result = cli("brief", "-a", "industry", "--format", "html", "--out", tmp_path / "out", "--data", dossier.root)
    assert result.exit_code == 0, result.output
    assert "note: 1 text field(s) have characters no font of the templates has" in result.output
    assert "'generate check' lists them" in result.output
