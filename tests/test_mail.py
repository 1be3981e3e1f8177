"""Email delivery against a real SMTP server (aiosmtpd on 127.0.0.1, started by the tests).

Every recipient gets each of their copies exactly once, with the attachment the manifest
names, byte for byte; a server that drops the connection or refuses a recipient part-way,
and a run that crashes, are followed by a rerun that sends only the rest.
"""

from __future__ import annotations

import asyncio
import csv
import email
import email.policy
import hashlib
import io
import json
import re
import socket
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from briefing.cli_distribute import distribute as distribute_command
from briefing.distribution import mail
from briefing.distribution.distribute import Options, distribute

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
AUDIENCES = ("ministry", "industry", "parliament")

RECIPIENTS: list[dict[str, Any]] = [  # as a distribution list's YAML gives them
    {
        "name": "Zofia Wójcik-Łęcka",
        "organisation": "Ministry of Foreign Affairs",
        "audience": "ministry",
        "email": "z.wojcik-lecka@example.org",
        "copies": 2,
    },
    {
        "name": "Anna Nowak",
        "organisation": "National Security Bureau",
        "audience": "ministry",
        "email": "an@example.org",
    },
    {
        "name": "Michał Żółkiewski",
        "organisation": "Example Steelworks S.A.",
        "audience": "industry",
        "email": "m.zolkiewski@example.com",
        "copies": 3,
    },
    {
        "name": "Kim Min-jun",
        "organisation": "Example Aerospace Co.",
        "audience": "industry",
        "email": "kim@example.com",
    },
    {"name": "Jan Kowalski", "organisation": "Sejm", "audience": "parliament", "email": "jan.kowalski@example.org"},
]
COPIES = sum(r.get("copies", 1) for r in RECIPIENTS)  # 8: enough for the progress bar


# ---------------------------------------------------------------------------
# The SMTP server
# ---------------------------------------------------------------------------


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and can misbehave on request."""

    received: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)  # the envelope recipients of each, in order
    refuse: set[str] = field(default_factory=set)  # addresses answered with 550 at RCPT
    drop_after: int | None = None  # close the connection during DATA once this many are stored

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()  # the connection drops before the message is accepted
            return "421 connection lost"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        assert envelope.rcpt_tos == [message["To"].addresses[0].addr_spec]
        self.received.append(message)
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 OK: queued"

    def counts(self) -> Counter[tuple[str, str]]:
        """How many messages each (address, subject) got."""
        return Counter((m["To"].addresses[0].addr_spec, str(m["Subject"])) for m in self.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = aiosmtpd_controller.Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
        asyncio.set_event_loop(None)


# ---------------------------------------------------------------------------
# Running distribute
# ---------------------------------------------------------------------------


@dataclass
class Run:
    tmp: Path
    briefs: Path
    port: int
    data: Path = DATA

    @property
    def list_path(self) -> Path:
        return self.tmp / "list" / "recipients.yaml"

    @property
    def out(self) -> Path:
        return self.tmp / "out"

    @property
    def env(self) -> dict[str, str]:
        return {
            "BRIEFING_SMTP_HOST": "127.0.0.1",
            "BRIEFING_SMTP_PORT": str(self.port),
            "BRIEFING_SMTP_SECURITY": "none",
            "BRIEFING_SMTP_FROM": "briefs@example.org",
        }

    def write_list(self, recipients: Sequence[dict[str, Any]] = RECIPIENTS) -> None:
        self.list_path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump({"recipients": list(recipients)}, allow_unicode=True, sort_keys=False)
        self.list_path.write_text(text, encoding="utf-8")

    def cli(self, *extra: str) -> Result:
        args = ["--list", self.list_path, "--out", self.out, "--briefs", self.briefs, "--data", self.data, *extra]
        return CliRunner().invoke(distribute_command, [str(arg) for arg in args], env=self.env)

    def options(self, **changes: Any) -> Options:
        values: dict[str, Any] = {
            "data_dir": self.data,
            "list_path": self.list_path,
            "out_dir": self.out,
            "briefs_dir": self.briefs,
            "send": True,
        }
        return Options(**{**values, **changes})

    def manifest(self) -> list[dict[str, str]]:
        with open(self.out / "manifest.csv", encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def log(self) -> list[mail.Delivery]:
        return mail.read_log(self.out / "delivery-log.jsonl")


@pytest.fixture
def run(tmp_path: Path, briefs_dir: Path, server: tuple[Mailbox, int]) -> Run:
    job = Run(tmp_path, briefs_dir, server[1])
    job.write_list()
    return job


def assert_each_copy_once(mailbox: Mailbox, run: Run) -> None:
    """Every row of the manifest arrived exactly once, with its file attached, byte for byte."""
    rows = run.manifest()
    assert len(rows) == COPIES
    assert len(mailbox.received) == COPIES
    assert len({m["Message-ID"] for m in mailbox.received}) == COPIES
    for row in rows:
        subject_end = f"copy {row['copy']} of {row['copies']}"
        matching = [
            m
            for m in mailbox.received
            if m["To"].addresses[0].addr_spec == row["email"] and str(m["Subject"]).endswith(subject_end)
        ]
        assert len(matching) == 1, (row, [str(m["Subject"]) for m in matching])
        message = matching[0]
        assert message["To"].addresses[0].display_name == row["recipient"]
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == Path(row["file"]).name
        data = attachment.get_content()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert data == (run.out / row["file"]).read_bytes()
        assert row["sha256"] in _plain_text(message)
    assert sorted((d.email, d.copy) for d in run.log()) == sorted((r["email"], int(r["copy"])) for r in rows)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_every_copy_reaches_its_recipient_exactly_once(server: tuple[Mailbox, int], run: Run) -> None:
    mailbox, _ = server
    result = run.cli("--send")
    assert result.exit_code == 0, result.output
    assert f"sent {COPIES} message(s) via 127.0.0.1:{run.port} (none)" in result.output
    assert_each_copy_once(mailbox, run)
    sender = mailbox.received[0]["From"].addresses[0]
    assert sender.addr_spec == "briefs@example.org"

    again = run.cli("--send")
    assert again.exit_code == 0, again.output
    assert f"sent 0 message(s) via 127.0.0.1:{run.port} (none); {COPIES} already sent" in again.output
    assert len(mailbox.received) == COPIES


def test_a_dropped_connection_then_a_rerun_sends_each_copy_once(server: tuple[Mailbox, int], run: Run) -> None:
    mailbox, _ = server
    mailbox.drop_after = 3
    first = run.cli("--send")
    assert first.exit_code == 1
    assert "the SMTP connection was lost" in first.output
    assert f"{COPIES - 3} message(s) not tried" in first.output
    assert "Run the same command again" in first.output
    assert "Traceback" not in first.output
    assert len(mailbox.received) == 3 and len(run.log()) == 3

    mailbox.drop_after = None
    second = run.cli("--send")
    assert second.exit_code == 0, second.output
    assert f"sent {COPIES - 3} message(s)" in second.output and "3 already sent" in second.output
    assert_each_copy_once(mailbox, run)


def test_a_refused_recipient_then_a_rerun_sends_each_copy_once(server: tuple[Mailbox, int], run: Run) -> None:
    mailbox, _ = server
    mailbox.refuse = {"kim@example.com"}
    first = run.cli("--send")
    assert first.exit_code == 1
    assert "not sent to Kim Min-jun <kim@example.com> (copy 1; listed at " in first.output
    line = run.list_path.read_text("utf-8").splitlines().index("- name: Kim Min-jun") + 1
    assert f"recipients.yaml:{line}): 550 5.1.1 no such mailbox here" in first.output
    assert len(mailbox.received) == COPIES - 1  # the others went on

    mailbox.refuse = set()  # the mailbox is fixed
    second = run.cli("--send")
    assert second.exit_code == 0, second.output
    assert "sent 1 message(s)" in second.output
    assert_each_copy_once(mailbox, run)


def test_a_crash_mid_run_then_a_rerun_sends_each_copy_once(server: tuple[Mailbox, int], run: Run) -> None:
    mailbox, _ = server

    @contextmanager
    def crash_after_two(messages: Sequence[mail.Outgoing]) -> Iterator[Iterable[mail.Outgoing]]:
        def items() -> Iterator[mail.Outgoing]:
            for index, message in enumerate(messages):
                if index == 2:
                    raise KeyboardInterrupt  # as if the process were stopped here
                yield message

        yield items()

    with pytest.raises(KeyboardInterrupt):
        distribute(run.options(), run.env, crash_after_two)
    assert len(mailbox.received) == 2 and len(run.log()) == 2

    result = distribute(run.options(), run.env)
    assert result.sent is not None and result.sent.complete
    assert len(result.sent.sent) == COPIES - 2 and len(result.sent.skipped) == 2
    assert_each_copy_once(mailbox, run)


def test_dry_run_sends_nothing_and_prints_every_message(server: tuple[Mailbox, int], run: Run) -> None:
    mailbox, _ = server
    result = run.cli("--send", "--dry-run")
    assert result.exit_code == 0, result.output
    assert mailbox.received == []
    assert not run.out.exists()
    assert f"dry run: would connect to 127.0.0.1:{run.port} (none) and send {COPIES} message(s)" in result.output
    assert result.output.count("--- message ") == COPIES
    for recipient in RECIPIENTS:
        copies = recipient.get("copies", 1)
        to_line = f"To: {recipient['name']} <{recipient['email']}>"
        assert result.output.count(to_line) == copies, to_line
        for number in range(1, copies + 1):
            assert f"— copy {number} of {copies}" in result.output
    assert result.output.count("Attachment: ") == COPIES
    assert result.output.count("Message-ID: <brief.") == COPIES

    # What the dry run promised is what is sent: the same Message-IDs.
    promised = {line.split(": ", 1)[1] for line in result.output.splitlines() if line.startswith("Message-ID: ")}
    assert run.cli("--send").exit_code == 0
    assert {m["Message-ID"] for m in mailbox.received} == promised

    after = run.cli("--send", "--dry-run")
    assert "and send 0 message(s)" in after.output
    assert after.output.count("already sent: ") == COPIES


def test_a_changed_copy_of_the_same_edition_is_not_sent(server: tuple[Mailbox, int], run: Run) -> None:
    mailbox, _ = server
    assert run.cli("--send").exit_code == 0
    changed = [dict(recipient) for recipient in RECIPIENTS]
    changed[1]["copies"] = 2  # Anna Nowak's copy 1 now reads "copy 1 of 2": different bytes
    run.write_list(changed)
    result = run.cli("--send")
    assert result.exit_code == 1
    assert "refusing to send" in result.output and "Anna Nowak <an@example.org>, copy 1" in result.output
    assert "raise the edition" in result.output
    assert len(mailbox.received) == COPIES


def test_refuses_to_send_while_check_reports_errors(
    server: tuple[Mailbox, int], run: Run, make_dossier: Callable[[], Any]
) -> None:
    mailbox, _ = server
    dossier = make_dossier()
    dossier.edit("dossier.yaml", 'edition: "1"', "edition: 1")
    run.data = Path(dossier.root)
    result = run.cli("--send")
    assert result.exit_code == 1
    assert "refusing to distribute: 'generate check' reports" in result.output
    assert "dossier.yaml:" in result.output and "dossier.edition" in result.output
    assert mailbox.received == [] and not run.out.exists()


def test_a_second_run_cannot_send_while_one_is_sending(server: tuple[Mailbox, int], run: Run) -> None:
    mailbox, _ = server
    with mail._locked_log(run.out / "delivery-log.jsonl"):
        result = run.cli("--send")
    assert result.exit_code == 1
    assert "another run is sending" in result.output
    assert mailbox.received == []


def test_a_torn_log_line_stops_the_run(server: tuple[Mailbox, int], run: Run) -> None:
    mailbox, _ = server
    assert run.cli("--send").exit_code == 0
    log = run.out / "delivery-log.jsonl"
    log.write_text(log.read_text("utf-8") + '{"recipient": "jan kowalski / sejm", "co', encoding="utf-8")
    result = run.cli("--send")
    assert result.exit_code == 1
    assert f"delivery-log.jsonl:{COPIES + 1}: not a delivery record" in result.output
    assert len(mailbox.received) == COPIES


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


def test_settings_from_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "smtp.yaml"
    path.write_text("smtp:\n  host: smtp.example.org\n  user: briefs\n  sender: briefs@example.org\n", "utf-8")
    settings = mail.load_settings(path, {"BRIEFING_SMTP_PASSWORD": "secret", "BRIEFING_SMTP_PORT": "2525"})
    assert (settings.host, settings.port, settings.security, settings.user) == (
        "smtp.example.org",
        2525,
        "starttls",
        "briefs",
    )
    assert settings.password == "secret" and "secret" not in repr(settings)
    ssl = mail.load_settings(path, {"BRIEFING_SMTP_PASSWORD": "x", "BRIEFING_SMTP_SECURITY": "ssl"})
    assert ssl.port == 465
    with pytest.raises(mail.MailError, match="needs a password: set BRIEFING_SMTP_PASSWORD"):
        mail.load_settings(path, {})
    with pytest.raises(mail.MailError, match="refusing to send a password unencrypted"):
        mail.load_settings(path, {"BRIEFING_SMTP_PASSWORD": "x", "BRIEFING_SMTP_SECURITY": "none"})
    with pytest.raises(mail.MailError, match="no SMTP server: set BRIEFING_SMTP_HOST"):
        mail.load_settings(None, {"BRIEFING_SMTP_FROM": "a@example.org"})


def test_a_password_in_the_settings_file_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "smtp.yaml"
    path.write_text("smtp:\n  host: smtp.example.org\n  password: hunter2\n  prot: 25\n", "utf-8")
    with pytest.raises(mail.SmtpConfigError) as caught:
        mail.load_settings(path, {"BRIEFING_SMTP_PASSWORD": "x"})
    found = {(p.line, p.field): p.message for p in caught.value.problems}
    assert "never read from a file: set BRIEFING_SMTP_PASSWORD" in found[(3, "smtp.password")]
    assert "unknown field" in found[(4, "smtp.prot")]
    assert "hunter2" not in str(caught.value)


def test_the_shipped_settings_file_is_valid() -> None:
    settings = mail.load_settings(DATA / "distribution" / "smtp.yaml", {}, need_password=False)
    assert settings.host.endswith("example.org") and settings.security in {"starttls", "ssl"}


def test_a_recipient_who_asks_for_word_gets_a_stamped_docx_too(server: tuple[Mailbox, int], run: Run) -> None:
    """distribute stays PDF-only unless the list asks for ``docx``; then the Word copy's header carries the stamp."""
    import docx

    mailbox, _ = server
    wanting_word = {**RECIPIENTS[0], "copies": 1, "formats": ["pdf", "docx"]}
    run.write_list([wanting_word, RECIPIENTS[-1]])

    result = run.cli("--send")

    assert result.exit_code == 0, result.output
    rows = run.manifest()
    # The copies, then the sources page the Word copy's notes link to (written beside it).
    assert [Path(row["file"]).suffix for row in rows] == [".pdf", ".docx", ".pdf", ".html"]
    assert rows[3]["file"].endswith(".sources.html") and rows[3]["recipient"] == ""
    word_row = rows[1]
    assert word_row["pages"] == ""
    copy = run.out / word_row["file"]
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == word_row["sha256"]
    document = docx.Document(str(copy))
    header_text = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    line = f"Prepared for {wanting_word['name']}, {wanting_word['organisation']} — copy 1 of 1"
    assert line in header_text
    assert line in "\n".join(p.text for p in document.sections[0].first_page_header.paragraphs)
    assert wanting_word["name"] in document.core_properties.comments

    attachments = {
        part.get_filename(): part.get_content_type()
        for message in mailbox.received
        for part in message.iter_attachments()
    }
    assert attachments[Path(word_row["file"]).name] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert len(mailbox.received) == 3  # one message per copy and format


def test_an_unknown_copy_format_is_refused_with_its_line(run: Run) -> None:
    run.write_list([{**RECIPIENTS[0], "formats": ["pdf", "odt"]}])

    result = run.cli()

    assert result.exit_code == 1
    assert "recipients.yaml:" in result.output
    assert "formats" in result.output
    assert not run.out.exists()


def test_a_recipient_gets_the_message_in_the_language_of_their_edition(server: tuple[Mailbox, int], run: Run) -> None:
    """Subject and text in the recipient's language, with that edition's title and date."""
    mailbox, _ = server
    polish = {**RECIPIENTS[-1], "language": "pl"}
    korean = {
        "name": "Kim Min-jun",
        "organisation": "국방부",
        "audience": "ministry",
        "email": "kim@example.kr",
        "language": "ko",
    }
    run.write_list([polish, korean, RECIPIENTS[0]])

    result = run.cli("--send")

    assert result.exit_code == 0, result.output
    by_address = {m["To"].addresses[0].addr_spec: m for m in mailbox.received}

    def title(language: str) -> str:
        translation = yaml.safe_load((DATA / "translations" / f"{language}.yaml").read_text(encoding="utf-8"))
        return _text(translation["dossier"]["short_title"])

    titles = {language: title(language) for language in ("pl", "ko")}
    message = by_address[polish["email"]]
    body = _text(_plain_text(message))
    assert _text(str(message["Subject"])).endswith(f"{titles['pl']}, wydanie 1 — egzemplarz 1 z 1")
    assert body.startswith("Szanowni Państwo,\n\nw załączeniu przesyłamy egzemplarz 1 z 1 notatki „")
    assert "(wydanie 1 z dnia 22 listopada 2026 r.). Adresat egzemplarza: Jan Kowalski, Sejm." in body
    assert "Dear" not in body and "attached" not in body
    message = by_address[korean["email"]]
    body = _text(_plain_text(message))
    assert _text(str(message["Subject"])).endswith(f"{titles['ko']}, 제1판 — 사본 1부 중 제1부")
    assert body.startswith("Kim Min-jun 님께\n\n2026년 11월 22일 자 브리핑 「")
    english = by_address[RECIPIENTS[0]["email"]]
    assert _plain_text(english).startswith(f"Dear {RECIPIENTS[0]['name']},")
    for message in mailbox.received:  # every text names its own attachment's checksum
        (attachment,) = list(message.iter_attachments())
        assert hashlib.sha256(attachment.get_content()).hexdigest() in _plain_text(message)


def _plain_text(message: email.message.EmailMessage) -> str:
    """The text of a message's plain-text body."""
    body = message.get_body(("plain",))
    assert body is not None, "the message has no plain-text body"
    content = body.get_content()
    assert isinstance(content, str)
    return content


def _text(text: str) -> str:
    """Mail text as written: lines end in CRLF on the wire; Polish keeps a one-letter word on its line."""
    return text.replace("\r\n", "\n").replace("\u00a0", " ")


def test_each_copy_is_read_from_disk_as_it_is_sent_and_a_changed_one_is_not_sent(
    server: tuple[Mailbox, int], run: Run
) -> None:
    """The copies are not held in memory while sending: each is read back from its file, and a file
    changed after it was written (its SHA-256 no longer the manifest's) is not sent; a rerun writes
    it again and sends it."""
    mailbox, _ = server
    changed = {}

    @contextmanager
    def change_one(messages: Sequence[mail.Outgoing]) -> Iterator[Iterable[mail.Outgoing]]:
        assert all(message.data == b"" and message.path is not None for message in messages)
        path = run.out / messages[1].filename  # written, not yet sent
        path.write_bytes(path.read_bytes() + b"%edited\n")
        changed["message"] = messages[1]
        yield messages

    result = distribute(run.options(), run.env, change_one)
    assert result.sent is not None and not result.sent.complete
    ((message, reason),) = result.sent.failed
    assert message == changed["message"]
    assert f"the copy {message.filename} has changed since it was written" in reason
    assert len(mailbox.received) == COPIES - 1
    sent_files = {part.get_filename() for m in mailbox.received for part in m.iter_attachments()}
    assert Path(message.filename).name not in sent_files and len(sent_files) == COPIES - 1

    again = run.cli("--send")
    assert again.exit_code == 0, again.output
    assert "sent 1 message(s)" in again.output
    assert_each_copy_once(mailbox, run)


# ---------------------------------------------------------------------------
# A Word copy travels with the sources page its notes link to
# ---------------------------------------------------------------------------

WORD_AND_PDF = {**RECIPIENTS[2], "copies": 1, "formats": ["pdf", "docx"]}  # industry, English
PDF_ONLY = RECIPIENTS[3]  # industry too: the same audience, the same folder
POLISH_WORD = {
    "name": "Tomasz Wiśniewski",
    "organisation": "Przykładowa Huta S.A.",
    "audience": "industry",
    "email": "t.wisniewski@example.com",
    "formats": ["docx"],
    "language": "pl",
}
WORD_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _links_beside(docx: bytes) -> set[str]:
    """The file names a Word file's non-web hyperlinks open (read from its relationship parts)."""
    from xml.etree import ElementTree

    names = set()
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        for part in (name for name in archive.namelist() if name.endswith(".rels")):
            for relationship in ElementTree.fromstring(archive.read(part)):
                target = str(relationship.get("Target"))
                if relationship.get("TargetMode") == "External" and not re.match(r"[a-z][a-z0-9+.-]*:", target):
                    names.add(target.partition("#")[0])
    return names


@pytest.fixture
def word_run(tmp_path: Path, word_briefs_dir: Path, server: tuple[Mailbox, int]) -> Run:
    job = Run(tmp_path, word_briefs_dir, server[1])
    job.write_list([WORD_AND_PDF, PDF_ONLY, POLISH_WORD])
    return job


def test_a_word_copy_is_mailed_with_its_sources_page_and_a_pdf_copy_alone(
    server: tuple[Mailbox, int], word_run: Run, dossier_id: str
) -> None:
    mailbox, _ = server
    pages = {"en": f"{dossier_id}-industry.sources.html", "pl": f"{dossier_id}-industry.pl.sources.html"}
    dry = word_run.cli("--send", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.count("Attachment: ") == 4 + 2 and mailbox.received == []  # four copies, two pages
    for name in pages.values():
        assert dry.output.count(f"Attachment: {name} (the sources page its notes link to, ") == 1

    result = word_run.cli("--send")
    assert result.exit_code == 0, result.output
    assert len(mailbox.received) == 4  # the English Word reader's PDF and Word copies, one PDF, one Polish Word
    manifest = json.loads((word_run.out / "manifest.json").read_text(encoding="utf-8"))
    listed = {Path(page["file"]).name: page["sha256"] for page in manifest["sources_pages"]}
    assert set(listed) == set(pages.values())
    word_messages = 0
    for message in mailbox.received:
        attachments = {str(part.get_filename()): part for part in message.iter_attachments()}
        text = _text(_plain_text(message))
        copies = [name for name in attachments if not name.endswith(".sources.html")]
        assert len(copies) == 1
        copy = attachments[copies[0]]
        if copy.get_content_type() != WORD_TYPE:  # a PDF copy goes alone, with the text it always had
            assert list(attachments) == copies and copy.get_content_type() == "application/pdf"
            assert ".sources.html" not in text and "Word" not in text
            continue
        word_messages += 1
        language = "pl" if message["To"].addresses[0].addr_spec == POLISH_WORD["email"] else "en"
        assert sorted(attachments) == sorted([copies[0], pages[language]])
        page = attachments[pages[language]]
        assert page.get_content_type() == "text/html" and page.get_content_charset() == "utf-8"
        data = page.get_payload(decode=True)  # the bytes a mail program saves
        assert isinstance(data, bytes)
        assert data == (word_run.out / "industry" / pages[language]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == listed[pages[language]]
        # Every link of the Word copy to a file beside it names the page attached with it.
        assert _links_beside(copy.get_content()) == {pages[language]}
        assert f"{pages[language]}: {listed[pages[language]]}" in text  # its SHA-256, named
        if language == "pl":
            assert "Przypisy w pliku Word prowadzą do cytowanych fragmentów źródeł, zebranych na stronie " in text
            assert "The notes" not in text
        else:
            assert "The notes of the Word file link to the passages they quote" in text
    assert word_messages == 2
    assert len(word_run.log()) == 4
    records = [json.loads(line) for line in (word_run.out / "delivery-log.jsonl").read_text("utf-8").splitlines()]
    assert sorted(record.get("sources_page", "") for record in records) == sorted(
        ["", "", f"industry/{pages['en']}", f"industry/{pages['pl']}"]
    )


def test_a_sources_page_changed_before_sending_is_not_sent(server: tuple[Mailbox, int], word_run: Run) -> None:
    """The page is read back from its file as its message is built and checked against the
    manifest, as the copy is: a changed page stops that message (the others go); a rerun writes
    it again and sends it."""
    mailbox, _ = server
    word_run.write_list([WORD_AND_PDF])

    @contextmanager
    def change_the_page(messages: Sequence[mail.Outgoing]) -> Iterator[Iterable[mail.Outgoing]]:
        (page,) = [message.page for message in messages if message.page is not None]
        path = word_run.out / page.filename
        path.write_bytes(path.read_bytes() + b"<!-- edited -->")
        yield messages

    result = distribute(word_run.options(), word_run.env, change_the_page)
    assert result.sent is not None
    ((message, reason),) = result.sent.failed
    page = message.page
    assert page is not None and message.filename.endswith(".docx")
    assert f"the sources page {page.filename} has changed since it was written" in reason
    assert [Path(m.filename).suffix for m in result.sent.sent] == [".pdf"]

    again = word_run.cli("--send")
    assert again.exit_code == 0, again.output
    assert "sent 1 message(s)" in again.output
    names = {part.get_filename() for m in mailbox.received for part in m.iter_attachments()}
    assert Path(page.filename).name in names
