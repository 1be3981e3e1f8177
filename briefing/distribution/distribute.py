"""`generate distribute`: a stamped copy of the brief for every recipient, a manifest, and delivery.

The steps, in order:

1. refuse if ``generate check`` reports errors in the dossier;
2. read the distribution list (``recipients.load_recipients``);
3. rebuild an audience's PDF (and its Word file, if a recipient asks for one;
   ``pipeline.build_briefs``) only if it is missing or older than a file of the dossier
   or the templates;
4. stamp each copy (``stamp.stamp_pdf``, ``stamp.stamp_docx``: pure, milliseconds per copy);
5. write the copies, ``manifest.csv``, ``manifest.json`` and, if asked, one zip per
   audience, all or nothing (``output.write_outputs``);
6. if asked, email each copy (``mail.send``), skipping what the delivery log holds.

With ``dry_run`` nothing is written and nothing sent; the result says what would be.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.build.load import LoadedDossier, load
from briefing.build.pipeline import build_briefs
from briefing.distribution.mail import (
    Delivery,
    Outgoing,
    Progress,
    SendReport,
    check_messages,
    load_settings,
    no_progress,
    preview,
    read_log,
    send,
)
from briefing.distribution.recipients import Listed, Recipient, load_recipients, slug
from briefing.distribution.stamp import StampError, StampFonts, load_font, prepare, stamp_docx, stamp_line, stamp_pdf
from briefing.dossier.dates import date_label
from briefing.dossier.schema import Audience, Dossier
from briefing.dossier.yamlload import Origins
from briefing.errors import BriefingError, DossierError, Problem
from briefing.formats.render_html import TemplateSet
from briefing.languages.i18n import use_language
from briefing.output import OutputFile, write_outputs

if TYPE_CHECKING:
    from briefing.signing.sign import Signer

DEFAULT_LIST = Path("data/distribution/recipients.yaml")
DEFAULT_OUT = Path("briefs/distribution")
DEFAULT_BRIEFS = Path("briefs")
SMTP_FILE = "smtp.yaml"  # beside the list, unless another file is named
LOG_FILE = "delivery-log.jsonl"  # in the output folder, beside the copies it records
STAMP_FONT = Path("fonts") / "NotoSans-Regular.ttf"  # in a static folder of the templates
# The stamp of a copy in one of these languages is drawn in this font instead (the script's own).
STAMP_FONTS = {"ko": Path("fonts") / "NotoSansKR-Regular.ttf"}


class DistributionError(BriefingError):
    """Distribution refused or impossible; the message says why."""


@dataclass(frozen=True)
class Options:
    data_dir: Path = Path("data")
    list_path: Path = DEFAULT_LIST
    out_dir: Path = DEFAULT_OUT
    briefs_dir: Path = DEFAULT_BRIEFS
    templates: TemplateSet = field(default_factory=TemplateSet)
    zip: bool = False
    send: bool = False
    dry_run: bool = False
    smtp_file: Path | None = None  # default: smtp.yaml beside the list, if there is one
    # The unit's certificate (PKCS#12) to sign each PDF copy with; default: sign.yaml beside the list, if any.
    sign: Path | None = None

    @property
    def log_path(self) -> Path:
        return self.out_dir / LOG_FILE


@dataclass(frozen=True)
class StampedCopy:
    listed: Listed
    copy: int
    marking: str
    path: Path
    pages: int | None  # None for a Word file: its pages depend on the program that opens it
    sha256: str
    data: bytes = field(repr=False)
    signed_by: str | None = None  # who signed the copy (``sealing.py``), if it is signed

    @property
    def copies(self) -> int:
        return self.listed.recipient.copies


@dataclass
class Result:
    out_dir: Path
    copies: list[StampedCopy]
    files: list[Path]  # manifests and zips, in writing order
    rebuilt: list[Path]  # audience PDFs that were out of date
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    sent: SendReport | None = None
    preview: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What happened, for the user, one line each."""
        doing = "wrote" if self.written else "would write"
        lines = [f"{'rebuilt' if self.written else 'would rebuild'} {path} (out of date)" for path in self.rebuilt]
        copies, people = len(self.copies), len({copy.listed.recipient.key for copy in self.copies})
        lines.append(
            f"{doing} {copies} stamped cop{'y' if copies == 1 else 'ies'} "
            f"for {people} recipient{'' if people == 1 else 's'} in {self.out_dir}"
        )
        lines += [f"{doing} {path}" for path in self.files]
        lines += self.preview
        if self.sent is not None:
            lines.append(self.sent.summary())
        return lines


def distribute(options: Options, environ: Mapping[str, str], progress: Progress = no_progress) -> Result:
    """Stamp, write and (if asked) send every recipient's copies; see the module's docstring."""
    templates = options.templates
    smtp_file = options.smtp_file or (options.list_path.parent / SMTP_FILE)
    settings = None
    if options.send:  # settings first: a missing password should not wait for the stamping
        has_file = options.smtp_file is not None or smtp_file.is_file()
        settings = load_settings(smtp_file if has_file else None, environ, need_password=not options.dry_run)

    try:  # the errors 'generate check' would report stop distribution
        loaded = load(options.data_dir, templates)  # with the dossier's own templates
    except DossierError as error:
        raise DistributionError(_refusal("'generate check' reports", error.problems)) from None
    dossier, resolved = loaded.dossier, loaded.templates
    font = load_font(_font_path(resolved))
    fonts = {language: load_font(_font_path(resolved, path)) for language, path in STAMP_FONTS.items()}
    fonts = {language: fonts.get(language.split("-")[0], font) for language in dossier.dossier.editions} | fonts
    stamp_fonts = StampFonts(font, fonts)

    def unprintable_in(text: str, language: str | None) -> str:  # by any stamp font, the edition's own first
        return stamp_fonts.unprintable(text, language or dossier.dossier.language)

    listed = load_recipients(options.list_path, [a.id for a in dossier.audiences], font.unprintable, unprintable_in)
    _check_languages(dossier, listed)
    signer = _signer(options, environ)  # before anything is built: a wrong passphrase stops the run here

    audiences = list(dict.fromkeys(entry.recipient.audience for entry in listed))
    # Every part of the stamp line is checked before anything is built or written: the
    # recipients' names by the list, the markings here.
    unstampable = unstampable_markings(dossier, audiences, stamp_fonts, loaded.raw.origins)
    if unstampable:
        raise DistributionError(_refusal("the stamp cannot be drawn:", unstampable))
    ignore = {options.list_path, smtp_file}
    wanted = {(edition_key(dossier, entry.recipient), fmt) for entry in listed for fmt in entry.recipient.formats}
    signed_by = signer.who if signer else None
    sources, rebuilt, warnings = _audience_documents(dossier, sorted(wanted), resolved, options, ignore, signed_by)
    markings = {
        edition_key(dossier, entry.recipient): _edition_audience(loaded, entry.recipient).marking for entry in listed
    }
    copies = stamp_copies(dossier, listed, sources, stamp_fonts, options.out_dir, markings)
    if signer is not None:
        from briefing.distribution.sealing import seal_copies

        copies = seal_copies(copies, loaded, signer)  # after stamping: the signature covers the stamp
    outputs = [OutputFile(copy.path, copy.data) for copy in copies]
    outputs += manifest_files(dossier, copies, options.out_dir)
    if options.zip:
        outputs += zip_files(dossier, copies, options.out_dir)
    result = Result(options.out_dir, copies, [output.path for output in outputs[len(copies) :]], rebuilt, warnings)

    languages = {entry.recipient.language or dossier.dossier.language for entry in listed}
    messages = outgoing(
        dossier, copies, options.out_dir, {language: loaded.dossier_in(language) for language in languages}
    )
    if settings is not None:
        check_messages(messages, settings)  # a message that cannot be written stops the run before any copy is
    if options.dry_run:
        if settings is not None:
            result.preview = preview(messages, settings, options.log_path)
        return result
    write_outputs(outputs, within=options.out_dir)
    result.written = True
    if settings is not None:
        result.sent = send(messages, settings, options.log_path, progress)
    return result


def _signer(options: Options, environ: Mapping[str, str]) -> Signer | None:
    """The unit's certificate to sign copies with: ``--sign``, else ``sign.yaml`` beside the list."""
    from briefing.distribution.sealing import SIGN_FILE, load_sign_settings
    from briefing.signing.sign import load_signer

    certificate = options.sign
    if certificate is None:
        settings = load_sign_settings(options.list_path.parent / SIGN_FILE)
        certificate = settings.certificate if settings else None
    return load_signer(certificate, environ) if certificate is not None else None


def _refusal(reason: str, problems: Sequence[Problem]) -> str:
    count = len(problems)
    listed = "\n".join(f"  {problem}" for problem in sorted(problems)[:100])
    return f"refusing to distribute: {reason} {count} error{'s' if count != 1 else ''}:\n{listed}"


def unstampable_markings(
    dossier: Dossier, audiences: Sequence[str], fonts: StampFonts, origins: Origins
) -> list[Problem]:
    """A problem for each audience whose handling marking has characters no stamp font can draw."""
    problems = []
    for index, audience in enumerate(dossier.audiences):
        missing = fonts.unprintable(audience.marking, dossier.dossier.language) if audience.id in audiences else ""
        if missing:
            shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing)
            message = f"the stamp font cannot print {shown}, and the marking is stamped on every page of every copy"
            problems.append(origins.problem(("audiences", index, "marking"), message))
    return problems


def _font_path(templates: TemplateSet, name: Path = STAMP_FONT) -> Path:
    for folder in templates.static_folders:
        if (folder / name).is_file():
            return folder / name
    raise DistributionError(f"no stamp font {name} in the template folders")


def edition_key(dossier: Dossier, recipient: Recipient) -> str:
    """Which brief a recipient gets, as its file is named after the dossier id: "industry", or
    "industry.pl" for the Polish edition."""
    language = recipient.language
    if language is None or language == dossier.dossier.language:
        return recipient.audience
    return f"{recipient.audience}.{language}"


def _edition_audience(loaded: LoadedDossier, recipient: Recipient) -> Audience:
    """The recipient's audience profile in the language of their edition (its marking, translated or not)."""
    edition = loaded.dossier_in(recipient.language or loaded.dossier.dossier.language)
    return next(audience for audience in edition.audiences if audience.id == recipient.audience)


def _check_languages(dossier: Dossier, listed: Sequence[Listed]) -> None:
    """A recipient's language must be one the dossier is published in."""
    declared = dossier.dossier.editions
    problems = [
        Problem(entry.file, entry.line, 1, "language", f"{entry.recipient.language!r} is not one of the dossier's "
                f"languages ({', '.join(declared)}; dossier.languages)")
        for entry in listed
        if entry.recipient.language is not None and entry.recipient.language not in declared
    ]  # fmt: skip
    if problems:
        raise DistributionError(_refusal("the recipient list has", problems))


# ---------------------------------------------------------------------------
# The audience PDFs
# ---------------------------------------------------------------------------


def pdf_path(dossier: Dossier, audience: str, briefs_dir: Path, output_format: str = "pdf") -> Path:
    """Where ``generate brief`` writes an audience's brief in ``output_format`` (pdf or docx)."""
    return briefs_dir / f"{dossier.dossier.id}-{audience}.{output_format}"


def out_of_date(pdf: Path, inputs: Sequence[Path], ignore: set[Path]) -> bool:
    """Whether ``pdf`` is missing or older than any file under the ``inputs`` folders.

    The rule is simple on purpose: a rebuild of unchanged inputs gives the same bytes,
    so a rebuild that was not needed costs seconds, never a different copy.
    """
    try:
        built = pdf.stat().st_mtime
    except FileNotFoundError:
        return True
    skip = {path.resolve() for path in ignore}
    for folder in inputs:
        for path in folder.rglob("*"):
            relative = path.relative_to(folder).parts
            if any(part.startswith(".") or part == "__pycache__" for part in relative) or not path.is_file():
                continue
            if path.resolve() not in skip and path.stat().st_mtime > built:
                return True
    return False


def _audience_documents(
    dossier: Dossier,
    wanted: Sequence[tuple[str, str]],
    templates: TemplateSet,
    options: Options,
    ignore: set[Path],
    signed_by: str | None = None,
) -> tuple[dict[tuple[str, str], bytes], list[Path], list[str]]:
    """Each (audience, format) brief the list needs, rebuilt first if out of date (in a scratch
    folder on a dry run).

    A file older than its inputs goes to ``build_briefs``, which renders it unless its own
    record shows the inputs' content unchanged (a file touched, not edited).
    """
    inputs = [options.data_dir, *templates.folders]
    stale = [
        (audience, fmt)
        for audience, fmt in wanted
        # A signed copy's colophon names the signer: the build's own record decides whether the brief has it.
        if (signed_by and not options.dry_run)
        or out_of_date(pdf_path(dossier, audience, options.briefs_dir, fmt), inputs, ignore)
    ]
    warnings: list[str] = []
    sources: dict[tuple[str, str], bytes] = {}
    rebuilt: list[Path] = []
    if stale:
        with tempfile.TemporaryDirectory(prefix="briefing-") as scratch:
            target = Path(scratch) if options.dry_run else options.briefs_dir
            audiences = list(dict.fromkeys(key.split(".")[0] for key, _ in stale))
            original = dossier.dossier.language
            languages = list(dict.fromkeys(key.partition(".")[2] or original for key, _ in stale))
            # The HTML and PDF are rebuilt together, as 'generate brief' would (an up-to-date one is
            # skipped); the Word file only when a recipient wants it.
            formats = ["html", "pdf", *(["docx"] if any(fmt == "docx" for _, fmt in stale) else [])]
            built = build_briefs(
                options.data_dir,
                target,
                audiences,
                formats,
                templates=options.templates,
                languages=languages,
                signed_by=signed_by,
            )
            for brief in built.briefs:
                warnings += [f"{brief.audience}: {warning}" for warning in brief.warnings]
                for output in brief.files:
                    key = output.path.name.removeprefix(f"{dossier.dossier.id}-").rsplit(".", 1)[0]
                    if (key, output.path.suffix[1:]) in stale:
                        rebuilt.append(pdf_path(dossier, key, options.briefs_dir, output.path.suffix[1:]))
            for audience, fmt in stale:
                sources[audience, fmt] = pdf_path(dossier, audience, target, fmt).read_bytes()
    for audience, fmt in wanted:
        if (audience, fmt) not in sources:
            sources[audience, fmt] = pdf_path(dossier, audience, options.briefs_dir, fmt).read_bytes()
    return sources, rebuilt, warnings


# ---------------------------------------------------------------------------
# Copies, manifest, zips (pure)
# ---------------------------------------------------------------------------


def copy_names(listed: Sequence[Listed]) -> list[str]:
    """A file-name part for each recipient, unique within the list: the name, then the organisation."""
    names = [slug(entry.recipient.name) for entry in listed]
    counts = {name: names.count(name) for name in names}
    names = [
        f"{name}-{slug(entry.recipient.organisation, 32)}" if counts[name] > 1 else name
        for name, entry in zip(names, listed, strict=True)
    ]
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return unique


def stamp_copies(
    dossier: Dossier,
    listed: Sequence[Listed],
    sources: Mapping[tuple[str, str], bytes],
    fonts: StampFonts,
    out_dir: Path,
    markings: Mapping[str, str] | None = None,
) -> list[StampedCopy]:
    """Every copy of every recipient, in each format they asked for, stamped, in list order.

    ``sources`` holds each audience's rendered brief by (audience, format).
    """
    # By edition ("industry", "industry.pl"): a translated edition may translate its marking.
    markings = {audience.id: audience.marking for audience in dossier.audiences} | dict(markings or {})
    prepared = {audience: prepare(data) for (audience, fmt), data in sources.items() if fmt == "pdf"}
    copies = []
    for entry, name in zip(listed, copy_names(listed), strict=True):
        recipient = entry.recipient
        audience, edition = recipient.audience, edition_key(dossier, recipient)
        marking, language = markings[edition], recipient.language or dossier.dossier.language
        for number in range(1, recipient.copies + 1):
            line = stamp_line(recipient.name, recipient.organisation, number, recipient.copies, marking, language)
            stamp_font = fonts.for_text(line, language)
            info = {
                "PreparedFor": f"{recipient.name}, {recipient.organisation}",
                "Copy": f"{number} of {recipient.copies}",
                "Marking": marking,
                "Edition": dossier.dossier.edition,
            }
            stem = f"{dossier.dossier.id}-{edition}-{name}-copy-{number}-of-{recipient.copies}"
            for fmt in recipient.formats:
                pages: int | None = None
                if fmt == "pdf":
                    try:
                        data = stamp_pdf(prepared[edition], line, info, stamp_font)
                    except StampError as error:
                        raise StampError(f"{entry.file}:{entry.line}: {error}") from None
                    pages = prepared[edition].page_count
                else:
                    data = stamp_docx(sources[edition, fmt], line, info)
                copies.append(
                    StampedCopy(
                        listed=entry,
                        copy=number,
                        marking=marking,
                        path=out_dir / audience / f"{stem}.{fmt}",
                        pages=pages,
                        sha256=hashlib.sha256(data).hexdigest(),
                        data=data,
                    )
                )
    return copies


def _relative(path: Path, out_dir: Path) -> str:
    return path.relative_to(out_dir).as_posix()


def manifest_rows(dossier: Dossier, copies: Sequence[StampedCopy], out_dir: Path) -> list[dict[str, str | int]]:
    return [
        {
            "recipient": copy.listed.recipient.name,
            "organisation": copy.listed.recipient.organisation,
            "email": copy.listed.recipient.email,
            "audience": copy.listed.recipient.audience,
            "copy": copy.copy,
            "copies": copy.copies,
            "file": _relative(copy.path, out_dir),
            "pages": copy.pages if copy.pages is not None else "",
            "sha256": copy.sha256,
            "edition": dossier.dossier.edition,
        }
        for copy in copies
    ]


def manifest_files(dossier: Dossier, copies: Sequence[StampedCopy], out_dir: Path) -> list[OutputFile]:
    """``manifest.csv`` and ``manifest.json``: one row per copy, with its SHA-256."""
    from briefing.distribution.sealing import signed_rows

    rows = signed_rows(manifest_rows(dossier, copies, out_dir), copies)
    text = io.StringIO()
    columns = [*MANIFEST_FIELDS, *(["signed_by"] if any(copy.signed_by for copy in copies) else [])]
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    info = dossier.dossier
    document = {
        "dossier": info.id,
        "title": info.title,
        "edition": info.edition,
        "date": info.date,
        "copies": rows,
    }
    return [
        OutputFile(out_dir / "manifest.csv", text.getvalue().encode("utf-8")),
        OutputFile(out_dir / "manifest.json", (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()),
    ]


MANIFEST_FIELDS = (
    "recipient",
    "organisation",
    "email",
    "audience",
    "copy",
    "copies",
    "file",
    "pages",
    "sha256",
    "edition",
)


def zip_files(dossier: Dossier, copies: Sequence[StampedCopy], out_dir: Path) -> list[OutputFile]:
    """One zip per audience with its copies and a ``SHA256SUMS`` list; the same copies give the same bytes."""
    parts = [int(part) for part in dossier.dossier.date.split("-")] + [1, 1]
    stamp = (max(parts[0], 1980), parts[1], parts[2], 0, 0, 0)
    by_audience: dict[str, list[StampedCopy]] = {}
    for copy in copies:
        by_audience.setdefault(copy.listed.recipient.audience, []).append(copy)
    files = []
    for audience, members in by_audience.items():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            sums = "".join(f"{copy.sha256}  {copy.path.name}\n" for copy in members)
            for name, data in [*((copy.path.name, copy.data) for copy in members), ("SHA256SUMS", sums.encode())]:
                member = zipfile.ZipInfo(name, date_time=stamp)
                member.compress_type = zipfile.ZIP_DEFLATED
                member.external_attr = 0o644 << 16
                archive.writestr(member, data)
        files.append(OutputFile(out_dir / f"{dossier.dossier.id}-{audience}-copies.zip", buffer.getvalue()))
    return files


def outgoing(
    dossier: Dossier, copies: Sequence[StampedCopy], out_dir: Path, editions: Mapping[str, Dossier] | None = None
) -> list[Outgoing]:
    """The message for each copy, in the language of the recipient's edition (``editions``: the
    dossier in each language; the title, publisher and date are that edition's)."""
    messages = []
    for copy in copies:
        language = copy.listed.recipient.language or dossier.dossier.language
        info = (editions or {}).get(language, dossier).dossier
        with use_language(language):
            date = date_label(info.date)
        messages.append(
            Outgoing(
                recipient=copy.listed.recipient.key,
                name=copy.listed.recipient.name,
                organisation=copy.listed.recipient.organisation,
                email=copy.listed.recipient.email,
                audience=copy.listed.recipient.audience,
                copy=copy.copy,
                copies=copy.copies,
                filename=_relative(copy.path, out_dir),
                sha256=copy.sha256,
                pages=copy.pages,
                marking=copy.marking,
                dossier=info.id,
                title=info.short_title,
                edition=info.edition,
                date=date,
                publisher=info.publisher,
                where=f"{copy.listed.file}:{copy.listed.line}",
                data=copy.data,
                language=language,
            )
        )
    return messages


# ---------------------------------------------------------------------------
# Who has not received the current edition
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Behind:
    """A recipient the delivery log shows with an earlier edition of the dossier, but not the current one."""

    name: str
    organisation: str
    email: str
    audience: str
    editions: tuple[str, ...]  # the editions they were sent, in the order they were sent
    last_accepted: str  # when the server accepted the last of them

    def line(self, current: str) -> str:
        received = ", ".join(self.editions)
        who = f"{self.name}, {self.organisation}" if self.organisation else self.name
        return (
            f"{who} <{self.email}> ({self.audience or 'audience not recorded'}): received edition "
            f"{received} (last {self.last_accepted}), not edition {current}"
        )


def recipients_behind(deliveries: Sequence[Delivery], dossier_id: str, edition: str) -> list[Behind]:
    """Recipients sent some edition of the dossier ``dossier_id`` but never ``edition``, in log order."""
    by_recipient: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        if delivery.dossier == dossier_id:
            by_recipient.setdefault(delivery.recipient, []).append(delivery)
    behind = []
    for key, records in by_recipient.items():
        editions = tuple(dict.fromkeys(record.edition for record in records))
        if edition in editions:
            continue
        last = records[-1]
        behind.append(Behind(last.name or key, last.organisation, last.email, last.audience, editions, last.accepted))
    return behind


def outdated(options: Options) -> tuple[str, list[Behind]]:
    """The current edition and the recipients the delivery log in ``options.out_dir`` shows
    behind it; reads the dossier (refused while 'generate check' reports errors) and the log only."""
    try:
        info = load(options.data_dir, options.templates).dossier.dossier
    except DossierError as error:
        raise DistributionError(_refusal("'generate check' reports", error.problems)) from None
    return info.edition, recipients_behind(read_log(options.log_path), info.id, info.edition)
