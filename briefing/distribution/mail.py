"""Email each recipient their stamped copy over SMTP, never the same message twice.

Settings come from the ``smtp:`` section of a YAML file (``data/distribution/smtp.yaml``)
and the environment, which wins: ``BRIEFING_SMTP_HOST``, ``_PORT``, ``_SECURITY``
(``starttls``, ``ssl`` or ``none``), ``_USER``, ``_FROM``.  The password is read from
``BRIEFING_SMTP_PASSWORD`` only, never from a file.

Every message the server accepts is appended to a delivery log (JSON lines, flushed and
fsynced before the next message goes), keyed by recipient, copy number and the copy's
SHA-256.  A run stopped by a crash, a dropped connection or a refused recipient can be
run again: it sends only what the log does not hold.  The log is locked while a run
sends, so two runs cannot both send the same copy.  Each message has a Message-ID made
from the same key, so even the one message in flight when a connection drops (accepted
by the server, but its reply lost: RFC 1047) is recognisable as a duplicate.

A Word copy whose notes link to the brief's sources page is sent with that page attached
under the name the links use, and the text says what it is and where to keep it; a PDF copy
(whose notes link only to public pages) is sent alone.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import ipaddress
import json
import os
import smtplib
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.distribution.recipients import Email, display_name, email_problem, envelope_address
from briefing.dossier.loader import RawDossier
from briefing.dossier.schema import LINE_MAX, Line, text_problem
from briefing.dossier.validate import _schema_problems
from briefing.dossier.yamlload import Origins, load_yaml
from briefing.errors import BriefingError, Problem
from briefing.languages.i18n import translations
from briefing.languages.typography import typeset

Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
ENV = "BRIEFING_SMTP_"
PASSWORD_VARIABLE = ENV + "PASSWORD"


class MailError(BriefingError):
    """Mail could not be sent at all: bad settings, no connection, an unreadable delivery log."""


class AttachmentError(MailError):
    """One copy cannot be attached: its file is gone or is not the copy the manifest records."""


class SmtpConfigError(MailError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the SMTP settings:"]
        super().__init__("\n".join([*lines, *(f"  {p}" for p in self.problems)]))


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


class _SmtpSection(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    # Each of these goes into an SMTP command or a mail header: one line, no control characters.
    host: Line | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Security | None = None
    user: Line | None = None
    sender: Email | None = None
    sender_name: Line | None = None
    timeout: int | float = Field(default=60, gt=0)


class _SmtpFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    smtp: _SmtpSection


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    sender: str
    sender_name: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 60.0

    def describe(self) -> str:
        login = f", as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.security}{login})"

    @property
    def envelope_sender(self) -> str:
        return envelope_address(self.sender)

    @property
    def from_address(self) -> Address:
        return Address(self.sender_name or "", addr_spec=self.envelope_sender)

    @property
    def domain(self) -> str:
        return self.envelope_sender.rpartition("@")[2] or "localhost"


def load_settings(path: Path | None, environ: Mapping[str, str], need_password: bool = True) -> SmtpSettings:
    """SMTP settings from ``path`` (if any) and ``environ``; raises ``SmtpConfigError`` or ``MailError``."""
    section: dict[str, Any] = {}
    shown = display_name(path) if path else "the SMTP settings"
    if path is not None:
        origins = Origins()
        data, problems = load_yaml(path, shown, origins)
        if data is not None and not isinstance(data, dict):
            problems.append(Problem(shown, 1, 1, "", "the file must be a mapping with smtp:"))
        elif isinstance(data, dict):
            smtp = data.get("smtp")
            if isinstance(smtp, dict) and "password" in smtp:
                problems.append(
                    origins.problem(
                        ("smtp", "password"), f"a password is never read from a file: set {PASSWORD_VARIABLE}"
                    )
                )
                data = {**data, "smtp": {k: v for k, v in smtp.items() if k != "password"}}
            try:
                section = dict(_SmtpFile.model_validate(data).smtp)
            except ValidationError as error:
                problems.extend(_schema_problems(error, RawDossier(root=path.parent, data=data, origins=origins)))
        if problems:
            raise SmtpConfigError(problems)

    overrides = {"host": "HOST", "port": "PORT", "security": "SECURITY", "user": "USER", "sender": "FROM"}
    for key, suffix in overrides.items():
        value = environ.get(ENV + suffix, "").strip()
        if value:
            problem = email_problem(value) if key == "sender" else text_problem(value, one_line=True, limit=LINE_MAX)
            if problem:
                raise MailError(f"the environment variable {ENV}{suffix} is not valid: {problem}")
            section[key] = value
    if isinstance(section.get("port"), str):
        if not section["port"].isdigit() or not 0 < int(section["port"]) < 65536:
            raise MailError(f"{ENV}PORT must be a port number, not {section['port']!r}")
        section["port"] = int(section["port"])
    security = section.get("security") or "starttls"
    if security not in DEFAULT_PORTS:
        raise MailError(f"{ENV}SECURITY must be starttls, ssl or none, not {security!r}")
    for key, suffix, what in (("host", "HOST", "no SMTP server"), ("sender", "FROM", "no sender address")):
        if not section.get(key):
            where = f"smtp.{key} in {shown} or " if path else ""
            raise MailError(f"{what}: set {where}{ENV}{suffix}")
    password = environ.get(PASSWORD_VARIABLE) or None
    user = section.get("user") or None
    if need_password and user and not password:
        raise MailError(f"the SMTP user {user!r} needs a password: set {PASSWORD_VARIABLE}")
    if password and not user:
        raise MailError(f"{PASSWORD_VARIABLE} is set but no SMTP user is: set smtp.user or {ENV}USER")
    host = str(section["host"])
    if user and security == "none" and not _is_loopback(host):
        raise MailError(f"refusing to send a password unencrypted to {host}: use security starttls or ssl")
    return SmtpSettings(
        host=host,
        port=int(section.get("port") or DEFAULT_PORTS[security]),
        security=security,  # type: ignore[arg-type]  # checked above
        sender=str(section["sender"]),
        sender_name=section.get("sender_name"),
        user=user,
        password=password,
        timeout=float(section.get("timeout", 60)),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Beside:
    """A file a copy's links open, attached with it (the brief's sources page beside a Word copy)."""

    filename: str  # as listed in the manifest; attached under its last part, the name the links use
    sha256: str
    size: int
    path: Path | None = None  # read when the message is built; None: ``data``
    data: bytes = field(default=b"", repr=False)

    def attachment(self) -> bytes:
        """The file, read from ``path`` and checked against its SHA-256, or ``data``; raises ``AttachmentError``."""
        return _read_attachment(self.filename, self.path, self.data, self.sha256, "the sources page")


def _read_attachment(filename: str, path: Path | None, data: bytes, sha256: str, what: str) -> bytes:
    if path is None:
        return data
    try:
        read = path.read_bytes()
    except OSError as error:
        raise AttachmentError(f"cannot read {what} {filename}: {error.strerror or error}") from None
    if hashlib.sha256(read).hexdigest() != sha256:
        raise AttachmentError(
            f"{what} {filename} has changed since it was written (its SHA-256 is not the manifest's); "
            "run the command again to write and send it afresh"
        )
    return read


@dataclass(frozen=True, slots=True)  # one per copy is kept while sending to a list: kept small
class Outgoing:
    """One stamped copy, to go to one recipient."""

    recipient: str  # the recipient's key: name and organisation, folded
    name: str
    organisation: str
    email: str
    audience: str
    copy: int
    copies: int
    filename: str  # as listed in the manifest
    sha256: str
    pages: int | None  # None for a Word file
    marking: str
    dossier: str
    title: str
    edition: str
    date: str  # as printed, e.g. "22 November 2026"
    publisher: str
    where: str  # the recipient's place in the list, "file:line", for messages about them
    data: bytes = field(default=b"", repr=False)  # the copy itself, unless it is read from ``path``
    language: str = "en"  # of the recipient's edition: the message is written in it
    # Where the copy was written: it is read only when its message is built, so sending to a
    # long list holds one copy in memory at a time.
    path: Path | None = None
    size: int | None = None  # of the copy, in bytes (a dry run has no file to look at)
    page: Beside | None = None  # the sources page the copy's notes link to, attached beside it

    @property
    def attachment_size(self) -> int:
        return self.size if self.size is not None else len(self.data)

    def attachment(self) -> bytes:
        """The copy to attach: read from ``path`` and checked against its SHA-256, or ``data``.

        Raises ``AttachmentError`` if the file cannot be read or has changed since it was written:
        the message says which SHA-256 it carries, so it must be that copy."""
        return _read_attachment(self.filename, self.path, self.data, self.sha256, "the copy")

    @property
    def log_key(self) -> tuple[str, int, str]:
        return (self.recipient, self.copy, self.sha256)

    def message_id(self, domain: str) -> str:
        """The same for every attempt to send this copy, so a duplicate can be recognised."""
        digest = hashlib.sha256(f"{self.recipient}\n{self.copy}\n{self.sha256}".encode()).hexdigest()
        return f"<brief.{digest[:40]}@{domain}>"

    @property
    def subject(self) -> str:
        words = translations(self.language).gettext(
            "[%(marking)s] %(title)s, edition %(edition)s — copy %(copy)d of %(copies)d"
        )
        return words % self._words

    @property
    def body(self) -> str:
        """The text of the message, set by the typography of its language (a Polish one-letter word
        kept with the next, as in the brief)."""
        gettext = translations(self.language).gettext
        if self.page is None:
            words = gettext(
                "Dear %(name)s,\n\n"
                "attached is copy %(copy)d of %(copies)d of the brief “%(title)s”, edition %(edition)s of %(date)s, "
                "prepared for %(name)s, %(organisation)s.\n\n"
                "Handling: %(marking)s. Every page carries your name; please do not pass the file on.\n"
                "SHA-256 of the attachment: %(sha256)s\n\n"
                "%(publisher)s\n"
            )
            return typeset(words % self._words, self.language)
        # A Word copy with the sources page its notes link to: one letter, so that a translator
        # sees the whole of it (never a sentence added to another).
        words = gettext(
            "Dear %(name)s,\n\n"
            "attached is copy %(copy)d of %(copies)d of the brief “%(title)s”, edition %(edition)s of %(date)s, "
            "prepared for %(name)s, %(organisation)s, as a Word file.\n\n"
            "Handling: %(marking)s. Every page carries your name; please do not pass the file on.\n"
            "SHA-256 of the Word file: %(sha256)s\n\n"
            "The notes of the Word file link to the passages they quote, shown on the brief's sources page, "
            "also attached: %(page)s. Save it under this name in the same folder as the Word file; only then "
            "do the links open it. The page is handled as the brief is: please do not pass it on either.\n"
            "SHA-256 of %(page)s: %(page_sha256)s\n\n"
            "%(publisher)s\n"
        )
        page = {"page": Path(self.page.filename).name, "page_sha256": self.page.sha256}
        return typeset(words % (self._words | page), self.language)

    @property
    def _words(self) -> dict[str, object]:
        names = ("name", "organisation", "copy", "copies", "title", "edition", "date", "marking", "sha256", "publisher")
        return {name: getattr(self, name) for name in names}


def _headers(message: Outgoing, settings: SmtpSettings, date: str | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.from_address
    # The domain in its IDNA form: a header must be ASCII, and the name is shown as written anyway.
    mail["To"] = Address(message.name, addr_spec=envelope_address(message.email))
    mail["Subject"] = message.subject
    mail["Date"] = date or formatdate(localtime=True)
    mail["Message-ID"] = message.message_id(settings.domain)
    return mail


def check_messages(messages: Sequence[Outgoing], settings: SmtpSettings) -> None:
    """Raise ``MailError`` if any message could not be built, before anything is written or sent.

    Validation of the dossier, the list and the settings should leave nothing to find here;
    this makes sure a value that slipped through stops the run at the start, not half-way.
    """
    for message in messages:
        try:
            _headers(message, settings, date="Thu, 01 Jan 1970 00:00:00 +0000").as_bytes()
        except (ValueError, TypeError, UnicodeError) as error:
            raise MailError(
                f"cannot write the message to {message.name} (listed at {message.where}): {error}"
            ) from None


# The MIME subtype (of "application/") of each kind of copy.
ATTACHMENT_TYPES = {".pdf": "pdf", ".docx": "vnd.openxmlformats-officedocument.wordprocessingml.document"}


def build_message(message: Outgoing, settings: SmtpSettings, date: str | None = None) -> EmailMessage:
    """The email for ``message``: text body and the copy attached (and the sources page a Word
    copy links to, under the name its links use); ``date`` (RFC 2822) defaults to now.

    Raises ``AttachmentError`` if the copy or the page cannot be read back as it was written."""
    mail = _headers(message, settings, date)
    mail.set_content(message.body)
    subtype = ATTACHMENT_TYPES[Path(message.filename).suffix]
    data = message.attachment()
    mail.add_attachment(data, maintype="application", subtype=subtype, filename=Path(message.filename).name)
    if message.page is not None:
        page = message.page.attachment()
        name = Path(message.page.filename).name
        # The bytes as written (base64), their charset declared for a program that shows the page.
        mail.add_attachment(page, maintype="text", subtype="html", filename=name, params={"charset": "utf-8"})
    return mail


# ---------------------------------------------------------------------------
# The delivery log
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """A message the server accepted, as the log records it."""

    recipient: str
    copy: int
    sha256: str
    dossier: str
    edition: str
    email: str
    message_id: str
    accepted: str
    line: int
    # Who and which audience's brief, as recorded (for listing recipients an edition has not reached).
    name: str = ""
    organisation: str = ""
    audience: str = ""
    file: str = ""  # the copy's file, as the manifest names it

    @property
    def log_key(self) -> tuple[str, int, str]:
        return (self.recipient, self.copy, self.sha256)


def read_log(path: Path) -> list[Delivery]:
    """Every accepted message in the log at ``path`` (none if there is no log yet)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise MailError(f"cannot read the delivery log {display_name(path)}: {error}") from None
    deliveries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            deliveries.append(
                Delivery(
                    recipient=str(record["recipient"]),
                    copy=int(record["copy"]),
                    sha256=str(record["sha256"]),
                    dossier=str(record["dossier"]),
                    edition=str(record["edition"]),
                    email=str(record["email"]),
                    message_id=str(record["message_id"]),
                    accepted=str(record["accepted"]),
                    line=number,
                    name=str(record.get("name", "")),
                    organisation=str(record.get("organisation", "")),
                    audience=str(record.get("audience", "")),
                    file=str(record.get("file", "")),
                )
            )
        except (ValueError, KeyError, TypeError):
            raise MailError(
                f"{display_name(path)}:{number}: not a delivery record. If a run stopped while writing it, "
                "find out whether that message was delivered, then delete or complete the line"
            ) from None
    return deliveries


def _record(message: Outgoing, message_id: str) -> bytes:
    record = {
        "recipient": message.recipient,
        "name": message.name,
        "organisation": message.organisation,
        "email": message.email,
        "audience": message.audience,
        "copy": message.copy,
        "copies": message.copies,
        "file": message.filename,
        "sha256": message.sha256,
        **({"sources_page": message.page.filename, "sources_page_sha256": message.page.sha256} if message.page else {}),
        "dossier": message.dossier,
        "edition": message.edition,
        "message_id": message_id,
        "accepted": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


@contextlib.contextmanager
def _locked_log(path: Path) -> Iterator[Callable[[bytes], None]]:
    """Hold the log for this run; yields a function that appends one record durably."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MailError(f"another run is sending with the delivery log {display_name(path)}; wait for it") from None
        if os.fstat(descriptor).st_size:
            with open(path, "rb") as handle:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    os.write(descriptor, b"\n")  # never glue a record to a torn line

        def append(record: bytes) -> None:
            view = memoryview(record)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)

        yield append
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------


@dataclass
class SendReport:
    settings: SmtpSettings
    sent: list[Outgoing] = field(default_factory=list)
    skipped: list[tuple[Outgoing, Delivery]] = field(default_factory=list)  # accepted in an earlier run
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)  # refused by the server
    unsent: list[Outgoing] = field(default_factory=list)  # not tried: the connection was lost
    interrupted: str | None = None

    @property
    def complete(self) -> bool:
        return not (self.failed or self.unsent or self.interrupted)

    def summary(self) -> str:
        text = f"sent {len(self.sent)} message(s) via {self.settings.describe()}"
        if self.skipped:
            text += f"; {len(self.skipped)} already sent in an earlier run (not sent again)"
        return text

    def failure_message(self) -> str:
        lines = []
        if self.interrupted:
            lines.append(f"the SMTP connection was lost: {self.interrupted}")
        for message, reason in self.failed:
            who = f"{message.name} <{message.email}> (copy {message.copy}; listed at {message.where})"
            lines.append(f"not sent to {who}: {reason}")
        if self.unsent:
            lines.append(f"{len(self.unsent)} message(s) not tried after the connection was lost")
        lines.append("Run the same command again to send only these; messages already accepted will not be sent twice.")
        return "\n".join(lines)


Progress = Callable[[Sequence[Outgoing]], AbstractContextManager[Iterable[Outgoing]]]


def no_progress(items: Sequence[Outgoing]) -> AbstractContextManager[Iterable[Outgoing]]:
    return contextlib.nullcontext(items)


def pending_messages(
    messages: Sequence[Outgoing], deliveries: Sequence[Delivery]
) -> tuple[list[Outgoing], list[tuple[Outgoing, Delivery]]]:
    """The messages still to send, and those already accepted (with their log record).

    Raises ``MailError`` if a copy was sent for this edition whose bytes are now different:
    sending the new one would give the recipient two different briefs under one edition.
    """
    accepted = {delivery.log_key: delivery for delivery in deliveries}
    # By format too: a recipient's PDF and Word copy 1 are two messages, one may go without the other.
    by_copy = {(d.dossier, d.edition, d.recipient, d.copy, Path(d.file).suffix): d for d in deliveries}
    pending, skipped, conflicts = [], [], []
    for message in messages:
        if message.log_key in accepted:
            skipped.append((message, accepted[message.log_key]))
            continue
        key = (message.dossier, message.edition, message.recipient, message.copy, Path(message.filename).suffix)
        earlier = by_copy.get(key)
        if earlier is not None:
            conflicts.append(
                f"  {message.name} <{message.email}>, copy {message.copy}: sent {earlier.accepted} "
                f"(log line {earlier.line}), but the copy has changed since"
            )
        pending.append(message)
    if conflicts:
        raise MailError(
            "refusing to send: these recipients already have a different copy of the same edition:\n"
            + "\n".join(conflicts)
            + "\nThe brief (or the list's copy counts) changed after they were sent. "
            "To send the new text, raise the edition in dossier.yaml."
        )
    return pending, skipped


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An SMTP session, secured and logged in as the settings say; raises ``MailError``."""
    context = ssl.create_default_context()
    try:
        smtp: smtplib.SMTP
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        try:
            smtp.ehlo()
            if settings.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
        except BaseException:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.close()
            raise
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(f"the SMTP server {settings.describe()} refused the login: {_reply(error)}") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(f"the SMTP server {settings.describe()} does not offer STARTTLS") from None
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"cannot connect to the SMTP server {settings.describe()}: {error}") from None
    return smtp


def _reply(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return f"{code} {text.decode('utf-8', 'replace')}"
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        return f"{error.smtp_code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
    return str(error) or type(error).__name__


def send(
    messages: Sequence[Outgoing],
    settings: SmtpSettings,
    log_path: Path,
    progress: Progress = no_progress,
    connect: Callable[[SmtpSettings], smtplib.SMTP] = connect,
) -> SendReport:
    """Send every message the delivery log does not hold; record each one the server accepts."""
    report = SendReport(settings)
    with _locked_log(log_path) as append:
        pending, report.skipped = pending_messages(messages, read_log(log_path))
        if not pending:
            return report
        smtp = connect(settings)
        try:
            with progress(pending) as items:
                for index, message in enumerate(items):
                    message_id = message.message_id(settings.domain)
                    try:
                        mail = build_message(message, settings)  # reads this copy only
                    except AttachmentError as error:
                        report.failed.append((message, str(error)))
                        continue
                    try:
                        smtp.send_message(
                            mail, from_addr=settings.envelope_sender, to_addrs=[envelope_address(message.email)]
                        )
                    except smtplib.SMTPRecipientsRefused as error:
                        report.failed.append((message, _reply(error)))
                        continue
                    except smtplib.SMTPResponseException as error:
                        if error.smtp_code != 421:  # 421: the server is closing the session
                            report.failed.append((message, _reply(error)))
                            continue
                        report.interrupted = _reply(error)
                        report.unsent = list(pending[index:])
                        break
                    except (smtplib.SMTPException, OSError) as error:
                        report.interrupted = _reply(error)
                        report.unsent = list(pending[index:])
                        break
                    append(_record(message, message_id))
                    report.sent.append(message)
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
    return report


def preview(messages: Sequence[Outgoing], settings: SmtpSettings, log_path: Path) -> list[str]:
    """What ``send`` would do, as lines of text: every message it would send, in full but for the PDF."""
    pending, skipped = pending_messages(messages, read_log(log_path))
    lines = [f"dry run: would connect to {settings.describe()} and send {len(pending)} message(s)"]
    for message, delivery in skipped:
        lines.append(
            f"already sent: {message.name} <{message.email}>, copy {message.copy} of {message.copies} "
            f"(accepted {delivery.accepted}, {delivery.message_id})"
        )
    for number, message in enumerate(pending, start=1):
        mail = _headers(message, settings)  # the attachment is described, not read
        lines.append(f"--- message {number} of {len(pending)}")
        for header in ("From", "To", "Subject", "Message-ID"):
            lines.append(f"{header}: {mail[header]}")
        lines.append(
            f"Attachment: {Path(message.filename).name} "
            f"({f'{message.pages} pages, ' if message.pages is not None else ''}{message.attachment_size:,} bytes, "
            f"SHA-256 {message.sha256})"
        )
        if message.page is not None:
            lines.append(
                f"Attachment: {Path(message.page.filename).name} (the sources page its notes link to, "
                f"{message.page.size:,} bytes, SHA-256 {message.page.sha256})"
            )
        lines.append("")
        lines.extend(message.body.rstrip("\n").split("\n"))
    return lines
