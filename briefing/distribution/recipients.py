"""The distribution list: who receives a brief, for which audience, how many copies, at what address.

A list is a YAML file (``data/distribution/recipients.yaml``, beside the dossier but in
a folder the dossier loader does not read)::

    recipients:
      - name: Zofia Wójcik-Łęcka
        organisation: Ministry of Foreign Affairs
        audience: ministry
        email: z.wojcik-lecka@example.org
        copies: 2
        formats: [pdf, docx]   # optional; PDF only unless a Word copy is asked for

It is checked like the dossier: every problem at once, each as ``file:line:column``.
A recipient is identified by name and organisation (case and spacing aside); listing
one twice, or one email address for two people, is an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from briefing.dossier.loader import RawDossier
from briefing.dossier.schema import LINE_MAX, LanguageCode, Slug, describe_char, text_problem
from briefing.dossier.validate import _schema_problems, _suggest
from briefing.dossier.yamlload import DataPath, Origins, load_yaml
from briefing.errors import BriefingError, Problem

# Long enough for real names and departments; short enough that the stamp stays legible.
NAME_MAX = 80
ORGANISATION_MAX = 120
COPIES_MAX = 100

# A conventional local part (before the @): ASCII, dot-separated.  Stricter than RFC 5321 on purpose.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
# A domain as it travels (IDNA-encoded): dotted labels, a top-level name of letters (or "xn--" for an IDN).
_DOMAIN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")
EMAIL_MAX = 254  # RFC 5321: the longest path a server must accept


def _one_line(text: str, info: ValidationInfo) -> str:
    problem = text_problem(text, one_line=True, limit=LINE_MAX)
    if problem:
        raise PydanticCustomError("one_line", "{problem}", {"problem": problem})
    # The stamp draws every character it is given: invisible formatting characters have no place in it.
    hidden = next((ch for ch in text if unicodedata.category(ch).startswith("C")), None)
    if hidden is not None:
        raise PydanticCustomError(
            "one_line", "contains the invisible character {shown}: remove it", {"shown": describe_char(hidden)}
        )
    context = info.context or {}
    # The stamp font depends on the language of the recipient's edition (validated before the name).
    by_language = context.get("unprintable_in")
    unprintable = context.get("unprintable")
    if by_language is not None:
        missing = by_language(text, info.data.get("language"))
    else:
        missing = unprintable(text) if unprintable else ""
    if missing:
        shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing)
        raise PydanticCustomError(
            "unprintable", "the stamp font cannot print {shown}: write it in Latin script", {"shown": shown}
        )
    return text


def email_problem(address: str) -> str | None:
    """What is wrong with ``address`` as an e-mail address, or None.

    The domain may be internationalised (``ania@bezpieczeństwo.example``): it is sent in its
    IDNA form.  The part before the @ must be ASCII: a non-ASCII one needs the SMTPUTF8
    extension, which not every server on the way offers, so a message to it could bounce
    after the run reported it sent.
    """
    problem = text_problem(address, one_line=True, limit=EMAIL_MAX)
    if problem:
        return problem
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return f"{address!r} is not an email address (write it as name@example.org)"
    if not local.isascii():
        return (
            f"{address!r}: the part before the @ must be in ASCII letters (a non-ASCII one needs SMTPUTF8, "
            "which not every mail server supports); ask the recipient for an ASCII address"
        )
    if len(local) > 64 or not _LOCAL.match(local) or not _DOMAIN.match(_ascii_domain(domain) or "-"):
        return f"{address!r} is not an email address (write it as name@example.org)"
    return None


def _ascii_domain(domain: str) -> str | None:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def envelope_address(address: str) -> str:
    """``address`` as it goes on the wire: the domain IDNA-encoded (``ania@xn--bezpieczestwo-xic.example``).

    Only for an address ``email_problem`` accepted.
    """
    local, _, domain = address.rpartition("@")
    return f"{local}@{_ascii_domain(domain)}"


def _email(address: str) -> str:
    problem = email_problem(address)
    if problem:
        raise PydanticCustomError("email", "{problem}", {"problem": problem})
    return address


_Line = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
# An address as written in a list or settings file; ``envelope_address`` gives its wire form.
Email = Annotated[_Line, AfterValidator(_email)]


class Recipient(BaseModel):
    """One person on the list.  Validate with ``context={"unprintable": font.unprintable}`` to check the stamp font."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    # First, so that the name and organisation are checked against the stamp font of this language.
    # The edition's language (one of the dossier's ``languages``); none: the original.
    language: LanguageCode | None = None
    name: Annotated[_Line, StringConstraints(max_length=NAME_MAX), AfterValidator(_one_line)]
    organisation: Annotated[_Line, StringConstraints(max_length=ORGANISATION_MAX), AfterValidator(_one_line)]
    audience: Slug
    email: Email
    copies: int = Field(default=1, ge=1, le=COPIES_MAX)
    # What each copy is sent as: the stamped PDF, and a Word file for offices that edit and forward.
    formats: list[Literal["pdf", "docx"]] = Field(default=["pdf"], min_length=1, max_length=2)

    @field_validator("formats")
    @classmethod
    def _once_each(cls, formats: list[str]) -> list[str]:
        if len(set(formats)) != len(formats):
            raise PydanticCustomError("duplicate_format", "each format may be listed once")
        return formats

    @property
    def key(self) -> str:
        """Who this is, for duplicates and the delivery log: name and organisation, case and spacing aside."""
        return f"{_fold(self.name)} / {_fold(self.organisation)}"


class DistributionList(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    recipients: list[Recipient] = Field(min_length=1)


class DistributionListError(BriefingError):
    """The distribution list is invalid; carries every problem found."""

    SHOWN = 100

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the distribution list:"]
        lines += [f"  {p}" for p in self.problems[: self.SHOWN]]
        if count > self.SHOWN:
            lines.append(f"  … and {count - self.SHOWN} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Listed:
    """A recipient and where the list names them (for messages that point back at the file)."""

    recipient: Recipient
    file: str
    line: int


def display_name(path: Path) -> str:
    """``path`` as the user would type it: relative to the working directory if possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_recipients(
    path: Path,
    audiences: Iterable[str],
    unprintable: Callable[[str], str] = lambda text: "",
    unprintable_in: Callable[[str, str | None], str] | None = None,
) -> list[Listed]:
    """The recipients listed in ``path``; raises ``DistributionListError`` naming every problem.

    ``audiences`` are the dossier's audience ids; ``unprintable`` returns the characters of a
    text that the stamp cannot draw (``stamp.StampFont.unprintable``).
    """
    name = display_name(path)
    if not path.is_file():
        raise DistributionListError([Problem(name, 1, 1, "", "no such file (write the distribution list there)")])
    origins = Origins()
    data, problems = load_yaml(path, name, origins)
    if data is None:
        raise DistributionListError(problems)
    if not isinstance(data, dict):
        raise DistributionListError([*problems, Problem(name, 1, 1, "", "the file must be a mapping with recipients:")])
    context: dict[str, Any] = {"unprintable": unprintable, "unprintable_in": unprintable_in}
    try:
        DistributionList.model_validate(data, context=context)
    except ValidationError as error:
        problems.extend(_schema_problems(error, RawDossier(root=path.parent, data=data, origins=origins)))
    # Check each recipient that is valid on its own, so one run reports every kind of problem.
    valid: list[tuple[int, Recipient]] = []
    items = data.get("recipients")
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            valid.append((index, Recipient.model_validate(item, context=context)))
        except ValidationError:
            continue
    problems.extend(check_recipients(valid, origins, set(audiences)))
    if problems:
        raise DistributionListError(problems)
    return [Listed(r, *origins.locate(("recipients", index))[:2]) for index, r in valid]


def check_recipients(recipients: list[tuple[int, Recipient]], origins: Origins, audiences: set[str]) -> list[Problem]:
    """Problems that need the whole list or the dossier: unknown audiences, people or addresses listed twice."""
    problems: list[Problem] = []

    def report(path: DataPath, message: str) -> None:
        problems.append(origins.problem(path, message))

    people: dict[str, int] = {}
    addresses: dict[str, int] = {}
    for index, recipient in recipients:
        base: DataPath = ("recipients", index)
        if recipient.audience not in audiences:
            known = ", ".join(sorted(audiences))
            report(
                base + ("audience",),
                f"unknown audience {recipient.audience!r}{_suggest(recipient.audience, audiences)}; known: {known}",
            )
        if recipient.key in people:
            first = origins.locate(("recipients", people[recipient.key]))
            report(
                base + ("name",),
                f"duplicate recipient {recipient.name!r} of {recipient.organisation!r} "
                f"(first listed on line {first[1]}); give one entry more copies instead",
            )
        else:
            people[recipient.key] = index
        address = envelope_address(recipient.email).casefold()  # one mailbox, however its domain is written
        if address in addresses:
            first = origins.locate(("recipients", addresses[address]))
            report(base + ("email",), f"duplicate email address {recipient.email!r} (first listed on line {first[1]})")
        else:
            addresses[address] = index
    return problems


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# Letters that do not decompose into a base letter and an accent.
_ASCII = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "œ": "oe"})


def slug(text: str, limit: int = 48) -> str:
    """``text`` as a file-name part: 'Zofia Wójcik-Łęcka' -> 'zofia-wojcik-lecka'."""
    plain = unicodedata.normalize("NFKD", text.translate(_ASCII))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    words = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return words[:limit].rstrip("-") or "recipient"
