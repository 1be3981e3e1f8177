"""`generate distribute`: a stamped copy of the brief for every recipient, a manifest, and delivery.

The steps, in order:

1. refuse if ``generate check`` reports errors in the dossier;
2. read the distribution list (``recipients.load_recipients``);
3. rebuild an audience's PDF (and its Word file, if a recipient asks for one;
   ``pipeline.build_briefs``) only if it is missing or older than a file of the dossier
   or the templates;
4. stamp each copy (``stamp.stamp_pdf``, ``stamp.stamp_docx``: pure, milliseconds per copy)
   and write it at once into a staging folder inside the output folder, with its rows of
   ``manifest.csv`` and ``manifest.json`` and, if asked, its entry in its audience's zip:
   one copy is in memory at a time, however long the list.  A Word copy whose notes link to
   the brief's sources page (``<stem>.sources.html``) has the page written beside it, once a
   folder, listed in the manifests and zipped with it: the page goes only where that edition's
   Word copies go;
5. move everything into place together (``output.move_into_place``): all or nothing;
6. if asked, email each copy (``mail.send``, which reads each from disk as it sends it),
   skipping what the delivery log holds; a Word copy's message carries its sources page too.

With ``dry_run`` nothing is written and nothing sent; the result says what would be.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.build.load import LoadedDossier, load
from briefing.build.pipeline import build_briefs
from briefing.distribution.mail import (
    Beside,
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
from briefing.distribution.stamp import (
    StampError,
    StampFonts,
    load_font,
    pages_linked,
    prepare,
    stamp_docx,
    stamp_line,
    stamp_pdf,
)
from briefing.dossier.dates import date_label
from briefing.dossier.schema import Audience, Dossier
from briefing.dossier.yamlload import Origins
from briefing.errors import BriefingError, DossierError, Problem
from briefing.formats.passages import COMPANION_SUFFIX
from briefing.formats.render_html import TemplateSet
from briefing.languages.i18n import use_language
from briefing.output import OutputError, folder_lock, move_into_place, outside

if TYPE_CHECKING:
    from briefing.distribution.sealing import Checked
    from briefing.signing.sign import Signer

DEFAULT_LIST = Path("data/distribution/recipients.yaml")
DEFAULT_OUT = Path("briefs/distribution")
DEFAULT_BRIEFS = Path("briefs")
SMTP_FILE = "smtp.yaml"  # beside the list, unless another file is named
LOG_FILE = "delivery-log.jsonl"  # in the output folder, beside the copies it records
STAMP_FONT = Path("fonts") / "NotoSans-Regular.ttf"  # in a static folder of the templates
# The stamp of a copy in one of these languages is drawn in this font instead (the script's own).
STAMP_FONTS = {"ko": Path("fonts") / "NotoSansKR-Regular.ttf"}
# The hidden folder inside the output folder that a run writes into before moving its files into place.
STAGING_PREFIX = ".distributing-"


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


@dataclass(frozen=True, slots=True)
class SourcesPage:
    """An edition's sources page (``formats/passages.py``), as it travels with the Word copies whose
    notes link to it: written once beside them, under the name the links use.  It quotes what the
    brief cites, so it goes only where that edition's Word copies go."""

    edition: str  # "industry", "industry.pl" (``edition_key``)
    audience: str
    language: str
    path: Path  # in the output folder, in the audience's folder beside the copies
    data: bytes = field(repr=False)
    sha256: str

    @staticmethod
    def holding(edition: str, audience: str, language: str, path: Path, data: bytes) -> SourcesPage:
        return SourcesPage(edition, audience, language, path, data, hashlib.sha256(data).hexdigest())

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)  # one per copy is kept (for the result and the mail): kept small
class StampedCopy:
    listed: Listed
    copy: int
    marking: str
    path: Path
    pages: int | None  # None for a Word file: its pages depend on the program that opens it
    sha256: str
    size: int  # bytes; the copy itself is on disk at ``path`` (or, on a dry run, nowhere)
    signed_by: str | None = None  # who signed the copy (``sealing.py``), if it is signed
    # The sources page the copy's notes link to, written beside it and sent with it (a Word copy).
    sources_page: SourcesPage | None = None

    @property
    def copies(self) -> int:
        return self.listed.recipient.copies

    def holding(self, data: bytes) -> StampedCopy:
        """This copy with ``data`` as its bytes (their SHA-256 and size): for a step that changes a copy."""
        return replace(self, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


# A step each copy goes through after stamping, before it is written (signing, for one): it is
# given the copy and its bytes and returns them, changed or not (``StampedCopy.holding``).
CopyStep = Callable[[StampedCopy, bytes], tuple[StampedCopy, bytes]]


@dataclass
class Result:
    out_dir: Path
    copies: list[StampedCopy]
    files: list[Path]  # sources pages, manifests and zips, in writing order
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


def distribute(
    options: Options, environ: Mapping[str, str], progress: Progress = no_progress, steps: Sequence[CopyStep] = ()
) -> Result:
    """Stamp, write and (if asked) send every recipient's copies; see the module's docstring.

    ``steps`` are applied to each copy after stamping, before it is written (``CopyStep``)."""
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
    if signer is not None:
        from briefing.distribution.sealing import seal_step

        steps = (*steps, seal_step(loaded, signer))  # after stamping: the signature covers the stamp
    if not options.dry_run:  # before any brief is rebuilt: a link out of the folder is refused at once
        refuse_unwritable(options.out_dir, {options.out_dir / entry.recipient.audience for entry in listed})

    audiences = list(dict.fromkeys(entry.recipient.audience for entry in listed))
    # Every part of the stamp line is checked before anything is built or written: the
    # recipients' names by the list, the markings here.
    unstampable = unstampable_markings(dossier, audiences, stamp_fonts, loaded.raw.origins)
    if unstampable:
        raise DistributionError(_refusal("the stamp cannot be drawn:", unstampable))
    ignore = {options.list_path, smtp_file}
    wanted = {(edition_key(dossier, entry.recipient), fmt) for entry in listed for fmt in entry.recipient.formats}
    signed_by = signer.who if signer else None
    documents = _audience_documents(dossier, sorted(wanted), resolved, options, ignore, signed_by)
    markings = {
        edition_key(dossier, entry.recipient): _edition_audience(loaded, entry.recipient).marking for entry in listed
    }
    languages = {entry.recipient.language or dossier.dossier.language for entry in listed}
    editions = {language: loaded.dossier_in(language) for language in languages}
    messages: list[Outgoing] = []

    def with_messages(stamped: Iterable[tuple[StampedCopy, bytes]]) -> Iterator[tuple[StampedCopy, bytes]]:
        for copy, data in stamped:  # a message that cannot be written stops the run before anything is moved in
            if settings is not None:
                messages.append(message_for(dossier, copy, options.out_dir, editions, on_disk=not options.dry_run))
                check_messages(messages[-1:], settings)
            yield copy, data

    stamped = with_messages(
        stamp_copies(dossier, listed, documents.briefs, stamp_fonts, options.out_dir, markings, steps, documents.pages)
    )
    zips = zip_paths(dossier, listed, options.out_dir) if options.zip else []
    if options.dry_run:
        copies = [copy for copy, _ in stamped]  # stamped to know each copy's size and SHA-256, then let go
        files = [*(page.path for page in sources_pages(copies)), *manifest_paths(options.out_dir), *zips]
    else:
        copies, files = write_copies(dossier, stamped, options.out_dir, zips, signed=signer is not None)
    result = Result(options.out_dir, copies, files, documents.rebuilt, documents.warnings, written=not options.dry_run)
    if settings is not None:
        if options.dry_run:
            result.preview = preview(messages, settings, options.log_path)
        else:
            result.sent = send(messages, settings, options.log_path, progress)
    return result


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


def _signer(options: Options, environ: Mapping[str, str]) -> Signer | None:
    """The unit's certificate to sign copies with: ``--sign``, else ``sign.yaml`` beside the list."""
    from briefing.distribution.sealing import SIGN_FILE, load_sign_settings
    from briefing.signing.sign import load_signer

    certificate = options.sign
    if certificate is None:
        settings = load_sign_settings(options.list_path.parent / SIGN_FILE)
        certificate = settings.certificate if settings else None
    return load_signer(certificate, environ) if certificate is not None else None


def sources_page_path(dossier: Dossier, edition: str, briefs_dir: Path) -> Path:
    """Where the build writes an edition's sources page, beside its brief: the name its notes link to."""
    return briefs_dir / f"{dossier.dossier.id}-{edition}{COMPANION_SUFFIX}"


@dataclass
class AudienceDocuments:
    """The rendered briefs a run stamps, and what their building said."""

    briefs: dict[tuple[str, str], bytes]  # by (edition, format)
    # Each edition's sources page (its file name and bytes), if its Word brief's notes link to it.
    pages: dict[str, tuple[str, bytes]]
    rebuilt: list[Path]
    warnings: list[str]


def _page_out_of_date(
    dossier: Dossier, edition: str, briefs_dir: Path, inputs: Sequence[Path], ignore: set[Path]
) -> bool:
    """Whether an edition's Word brief links to its sources page and the page is missing or older
    than the inputs (deleted since it was built, say): the Word brief is then rebuilt with it."""
    try:
        linked = pages_linked(pdf_path(dossier, edition, briefs_dir, "docx").read_bytes())
    except Exception:  # missing or unreadable: rebuilt anyway, as out of date
        return True
    page = sources_page_path(dossier, edition, briefs_dir)
    return page.name in linked and out_of_date(page, inputs, ignore)


def _audience_documents(
    dossier: Dossier,
    wanted: Sequence[tuple[str, str]],
    templates: TemplateSet,
    options: Options,
    ignore: set[Path],
    signed_by: str | None = None,
) -> AudienceDocuments:
    """Each (audience, format) brief the list needs, rebuilt first if out of date (in a scratch
    folder on a dry run), and the sources page of each Word brief whose notes link to it.

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
        or (fmt == "docx" and _page_out_of_date(dossier, audience, options.briefs_dir, inputs, ignore))
    ]
    warnings: list[str] = []
    sources: dict[tuple[str, str], bytes] = {}
    pages: dict[str, tuple[str, bytes]] = {}
    rebuilt: list[Path] = []

    def read(audience: str, fmt: str, folder: Path) -> None:
        sources[audience, fmt] = pdf_path(dossier, audience, folder, fmt).read_bytes()
        if fmt == "docx":  # its sources page is read from the same folder, as the same build wrote it
            page = _sources_page(dossier, audience, sources[audience, fmt], folder, warnings)
            if page is not None:
                pages[audience] = page

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
                read(audience, fmt, target)  # before the scratch folder goes
    for audience, fmt in wanted:
        if (audience, fmt) not in sources:
            read(audience, fmt, options.briefs_dir)
    return AudienceDocuments(sources, pages, rebuilt, warnings)


def _sources_page(
    dossier: Dossier, edition: str, docx: bytes, folder: Path, warnings: list[str]
) -> tuple[str, bytes] | None:
    """The sources page of an edition's Word brief (``docx``, read from ``folder``), as its file
    name and bytes, if the brief's notes link to it; None if none does.

    Only the page the build wrote for that edition travels, whatever else a link names: a link a
    template made to another file beside the brief is reported, never followed (that file could
    be another audience's brief)."""
    page = sources_page_path(dossier, edition, folder)
    linked = pages_linked(docx)
    for name in sorted(linked - {page.name}):
        warnings.append(
            f"{edition}: the Word brief links to {name}, which does not travel with its copies: "
            "that link will not open for their recipients"
        )
    if page.name not in linked:
        return None
    try:
        return page.name, page.read_bytes()
    except OSError as error:
        raise DistributionError(
            f"cannot read {page}, the sources page the notes of the Word brief "
            f"{pdf_path(dossier, edition, folder, 'docx').name} link to: {error.strerror or error}"
        ) from None


# ---------------------------------------------------------------------------
# Copies, manifest, zips
# ---------------------------------------------------------------------------


def copy_names(listed: Sequence[Listed]) -> list[str]:
    """A file-name part for each recipient, unique within the list: the name, then the organisation."""
    names = [slug(entry.recipient.name) for entry in listed]
    counts = Counter(names)
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
    steps: Sequence[CopyStep] = (),
    page_files: Mapping[str, tuple[str, bytes]] | None = None,
) -> Iterator[tuple[StampedCopy, bytes]]:
    """Every copy of every recipient, in each format they asked for, stamped, in list order, with its bytes.

    One at a time: a caller that writes each copy before asking for the next holds one copy in
    memory, however long the list.  ``sources`` holds each audience's rendered brief by (audience,
    format); ``steps`` are applied to each copy after stamping, in order.  ``page_files``: the sources
    page (file name, bytes) of each edition whose Word brief links to it, which each Word copy of
    that edition names as its ``sources_page``.
    """
    # By edition ("industry", "industry.pl"): a translated edition may translate its marking.
    markings = {audience.id: audience.marking for audience in dossier.audiences} | dict(markings or {})
    prepared = {audience: prepare(data) for (audience, fmt), data in sources.items() if fmt == "pdf"}
    beside: dict[str, SourcesPage] = {}  # by edition, made when its first Word copy is
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
                path = out_dir / audience / f"{stem}.{fmt}"
                page = None
                if fmt == "docx" and page_files and edition in page_files:
                    if edition not in beside:
                        page_name, page_data = page_files[edition]
                        page_path = path.parent / page_name  # the name the copy's links use, beside it
                        beside[edition] = SourcesPage.holding(edition, audience, language, page_path, page_data)
                    page = beside[edition]
                copy = StampedCopy(entry, number, marking, path, pages, sha256="", size=0, sources_page=page)
                copy = copy.holding(data)
                for step in steps:
                    copy, data = step(copy, data)
                yield copy, data


def _relative(path: Path, out_dir: Path) -> str:
    return path.relative_to(out_dir).as_posix()


def manifest_row(dossier: Dossier, copy: StampedCopy, out_dir: Path) -> dict[str, str | int]:
    return {
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


def page_row(dossier: Dossier, page: SourcesPage, out_dir: Path) -> dict[str, str]:
    """A sources page as ``manifest.json`` lists it (under ``sources_pages``)."""
    return {
        "audience": page.audience,
        "language": page.language,
        "file": _relative(page.path, out_dir),
        "sha256": page.sha256,
        "edition": dossier.dossier.edition,
    }


def manifest_paths(out_dir: Path) -> list[Path]:
    return [out_dir / "manifest.csv", out_dir / "manifest.json"]


def sources_pages(copies: Iterable[StampedCopy]) -> list[SourcesPage]:
    """The sources pages ``copies`` carry, each once, in the order of the first copy carrying it."""
    pages = {copy.sources_page.path: copy.sources_page for copy in copies if copy.sources_page is not None}
    return list(pages.values())


class Manifest:
    """``manifest.csv`` and ``manifest.json``: one row per copy, with its SHA-256, written a row at a
    time (into ``staging``) as each copy is written.  The JSON is laid out as ``json.dumps(document,
    indent=2)`` would lay it out, without holding the document.

    The sources pages written beside Word copies follow the copies: in the CSV as rows of their
    own (file, audience, SHA-256 and edition; no recipient, since a page serves every Word copy of
    its edition in the folder), in the JSON as ``sources_pages`` after ``copies`` (absent if none)."""

    def __init__(self, dossier: Dossier, staging: Staging, signed: bool = False) -> None:
        self._dossier, self._out_dir = dossier, staging.out_dir
        # Who signed each copy, when copies are signed (decided before the first row is written).
        self._signed = signed
        csv_path, json_path = manifest_paths(staging.out_dir)
        self._csv = io.TextIOWrapper(staging.open(csv_path), encoding="utf-8", newline="")
        columns = [*MANIFEST_FIELDS, *(["signed_by"] if signed else [])]
        self._rows = csv.DictWriter(self._csv, fieldnames=columns, lineterminator="\n")
        self._rows.writeheader()
        info = dossier.dossier
        head = {"dossier": info.id, "title": info.title, "edition": info.edition, "date": info.date, "copies": []}
        self._json = io.TextIOWrapper(staging.open(json_path), encoding="utf-8", newline="")
        self._json.write(_json(head).removesuffix("[]\n}") + "[")
        self._separator = "\n"
        self._pages: list[SourcesPage] = []  # a few (one per edition): written at the end

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self._json.write("\n  ]")
            if self._pages:
                rows = [page_row(self._dossier, page, self._out_dir) for page in self._pages]
                # A key of the document, as json.dumps indents it there.
                self._json.write(",\n" + _json({"sources_pages": rows}).removeprefix("{\n").removesuffix("\n}"))
                for row in rows:  # the columns a page has; the recipient's are left empty
                    self._rows.writerow({key: value for key, value in row.items() if key in MANIFEST_FIELDS})
            self._json.write("\n}\n")
        for text in (self._csv, self._json):
            text.flush()
            text.detach()  # the file itself is the staging folder's to close

    def add_page(self, page: SourcesPage) -> None:
        self._pages.append(page)

    def add(self, copy: StampedCopy) -> None:
        row = manifest_row(self._dossier, copy, self._out_dir)
        if self._signed:
            row["signed_by"] = copy.signed_by or ""
        self._rows.writerow(row)
        # Indented as a member of "copies"; json.dumps writes a newline in a string as \n, so "\n" splits lines only.
        self._json.write(self._separator + "\n".join("    " + line for line in _json(row).split("\n")))
        self._separator = ",\n"


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


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


def zip_paths(dossier: Dossier, listed: Sequence[Listed], out_dir: Path) -> list[Path]:
    """The zip of each audience on the list, in the order the list first names it."""
    audiences = dict.fromkeys(entry.recipient.audience for entry in listed)
    return [out_dir / f"{dossier.dossier.id}-{audience}-copies.zip" for audience in audiences]


class CopyZips:
    """One zip per audience with its copies (and the sources page of its Word copies, if they link
    to one) and a ``SHA256SUMS`` list, written a copy at a time (into ``staging``); the same copies
    give the same bytes."""

    def __init__(self, dossier: Dossier, staging: Staging, paths: Sequence[Path]) -> None:
        parts = [int(part) for part in dossier.dossier.date.split("-")] + [1, 1]
        self._date = (max(parts[0], 1980), parts[1], parts[2], 0, 0, 0)
        self._prefix = f"{dossier.dossier.id}-"
        self._staging = staging
        self._wanted = {path.name.removeprefix(self._prefix).removesuffix("-copies.zip"): path for path in paths}
        self._open: dict[str, tuple[zipfile.ZipFile, list[str]]] = {}  # audience -> zip, its SHA256SUMS lines

    def __enter__(self) -> CopyZips:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        for archive, sums in self._open.values():
            if kind is None:
                self._write(archive, "SHA256SUMS", "".join(sums).encode())
            archive.close()

    def add(self, copy: StampedCopy, data: bytes) -> None:
        self._add(copy.listed.recipient.audience, copy.path.name, data, copy.sha256)

    def add_page(self, page: SourcesPage) -> None:
        """A sources page, in its audience's zip beside the Word copies that link to it."""
        self._add(page.audience, page.path.name, page.data, page.sha256)

    def _add(self, audience: str, name: str, data: bytes, sha256: str) -> None:
        if audience not in self._wanted:
            return
        if audience not in self._open:
            self._open[audience] = (zipfile.ZipFile(self._staging.open(self._wanted[audience]), "w"), [])
        archive, sums = self._open[audience]
        self._write(archive, name, data)
        sums.append(f"{sha256}  {name}\n")

    def _write(self, archive: zipfile.ZipFile, name: str, data: bytes) -> None:
        member = zipfile.ZipInfo(name, date_time=self._date)
        member.compress_type = zipfile.ZIP_DEFLATED
        member.external_attr = 0o644 << 16
        archive.writestr(member, data)


def message_for(
    dossier: Dossier,
    copy: StampedCopy,
    out_dir: Path,
    editions: Mapping[str, Dossier] | None = None,
    on_disk: bool = True,
) -> Outgoing:
    """The message for a copy, in the language of the recipient's edition (``editions``: the
    dossier in each language; the title, publisher and date are that edition's).  With
    ``on_disk``, the attachment is read from the copy's file when the message is sent; so is the
    sources page a Word copy links to, attached beside it."""
    language = copy.listed.recipient.language or dossier.dossier.language
    info = (editions or {}).get(language, dossier).dossier
    with use_language(language):
        date = date_label(info.date)
    page = copy.sources_page
    beside = None
    if page is not None:
        beside = Beside(_relative(page.path, out_dir), page.sha256, page.size, page.path if on_disk else None)
    return Outgoing(
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
        language=language,
        path=copy.path if on_disk else None,
        size=copy.size,
        page=beside,
    )


def outgoing(
    dossier: Dossier, copies: Sequence[StampedCopy], out_dir: Path, editions: Mapping[str, Dossier] | None = None
) -> list[Outgoing]:
    """The message for each copy written to ``out_dir`` (``message_for``)."""
    return [message_for(dossier, copy, out_dir, editions) for copy in copies]


# ---------------------------------------------------------------------------
# Writing: a staging folder inside the output folder, moved into place at the end
# ---------------------------------------------------------------------------


def write_copies(
    dossier: Dossier,
    stamped: Iterable[tuple[StampedCopy, bytes]],
    out_dir: Path,
    zips: Sequence[Path],
    signed: bool = False,
) -> tuple[list[StampedCopy], list[Path]]:
    """Write each copy as it comes (and add it to its audience's zip, if in ``zips``), with the
    sources page a Word copy links to before the first copy that does, then the manifests; all or
    nothing.  Returns the copies and the other files written, in writing order.

    A copy's bytes are let go once it is on disk, so memory does not grow with the list.
    """
    copies: list[StampedCopy] = []
    pages: dict[Path, SourcesPage] = {}  # written, by where
    with _writing_into(out_dir) as staging:
        try:
            with Manifest(dossier, staging, signed) as manifest, CopyZips(dossier, staging, zips) as archive:
                for copy, data in stamped:
                    page = copy.sources_page
                    if page is not None and page.path not in pages:  # once a folder (one page per edition)
                        staging.add(page.path, page.data)
                        manifest.add_page(page)
                        archive.add_page(page)
                        pages[page.path] = page
                    staging.add(copy.path, data)
                    manifest.add(copy)
                    archive.add(copy, data)
                    copies.append(copy)
            staging.close()
        except OSError as error:  # a full disk, a file too large: the staging folder goes, nothing is kept
            raise OutputError(staging.current, error.strerror or str(error)) from None
        staging.commit()
    return copies, [*pages, *manifest_paths(out_dir), *zips]


class Staging:
    """Files of one run, written as they are made under a hidden folder inside the output folder
    (same file system, so moving them into place is a rename), then moved into place together."""

    def __init__(self, folder: Path, out_dir: Path) -> None:
        self.folder = folder
        self.out_dir = out_dir
        # Each file by its path inside the output folder (a string: one is kept per copy).
        self._staged: list[str] = []
        self._handles: list[io.BufferedWriter] = []
        self.current = out_dir  # the target of the file being written, for a message if writing fails

    def open(self, target: Path) -> io.BufferedWriter:
        """A new file to be moved to ``target`` (in the output folder) at the end, open for writing."""
        self.current = target
        relative = target.relative_to(self.out_dir).as_posix()
        staged = self.folder / relative
        staged.parent.mkdir(parents=True, exist_ok=True)
        handle = open(staged, "xb")  # noqa: SIM115  # closed, after fsync, by commit or when the run fails
        self._handles.append(handle)
        self._staged.append(relative)
        return handle

    def add(self, target: Path, data: bytes) -> None:
        """Write ``data`` now, to be moved to ``target`` at the end."""
        with self.open(target) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        self._handles.pop()

    def close(self) -> None:
        """Flush every file still open (the manifests, the zips) to disk and close it; raises ``OSError``."""
        while self._handles:
            handle = self._handles.pop()
            try:
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                handle.close()

    def discard(self) -> None:
        """Close every file still open, whatever state it is in (the staging folder is being removed)."""
        for handle in self._handles:
            with contextlib.suppress(OSError, ValueError):
                handle.close()
        self._handles.clear()

    def commit(self) -> None:
        """Move every staged file onto its target, all or none (``output.move_into_place``)."""
        self.close()
        pairs = [(self.folder / relative, self.out_dir / relative) for relative in self._staged]
        targets = [target for _, target in pairs]
        refuse_unwritable(self.out_dir, {target.parent for target in targets})  # a link made since the start
        try:
            for folder in dict.fromkeys(target.parent for target in targets):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(folder, error.strerror or str(error)) from None
        _remove_leftovers(targets)
        for staged, _ in pairs:
            os.chmod(staged, 0o644)
        move_into_place(pairs)


def refuse_unwritable(out_dir: Path, folders: Iterable[Path]) -> None:
    """Raise ``OutputError`` if a link takes one of ``folders`` out of ``out_dir``: a received
    folder cannot make the tool write elsewhere."""
    for folder in sorted(set(folders)):
        real = outside(folder / "file", out_dir)
        if real is not None:
            raise OutputError(
                folder,
                f"a link leads out of {out_dir} (to {real}); refused",
                f"cannot write into {folder}: a link leads out of {out_dir} (to {real}); nothing was written",
            )


@contextlib.contextmanager
def _writing_into(out_dir: Path) -> Iterator[Staging]:
    """A staging folder inside ``out_dir``, removed at the end; if the run fails, so is every
    folder it made.  The output folder is locked meanwhile: a second run into it is refused."""
    made = _missing_folders(out_dir)

    def busy() -> None:
        raise DistributionError(f"another run is writing copies into {out_dir}; wait for it")

    try:
        with folder_lock(out_dir, busy):
            _remove_abandoned(out_dir)
            try:
                folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
            except OSError as error:
                raise OutputError(out_dir, error.strerror or str(error)) from None
            staging = Staging(folder, out_dir)
            try:
                yield staging
            finally:
                staging.discard()
                shutil.rmtree(folder, ignore_errors=True)
    except BaseException:
        for created in reversed(made):
            with contextlib.suppress(OSError):
                created.rmdir()  # only if empty: nothing of anyone else's is removed
        raise


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, outermost first."""
    missing = []
    for path in [folder.absolute(), *folder.absolute().parents]:
        if os.path.lexists(path):
            break
        missing.append(path)
    return missing[::-1]


def _remove_abandoned(out_dir: Path) -> None:
    """Staging folders of runs that were killed (only under the output folder's lock: none is in use)."""
    with os.scandir(out_dir) as entries:
        abandoned = [entry.path for entry in entries if entry.name.startswith(STAGING_PREFIX)]
    for path in abandoned:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)


# The temporary and kept-old files ``move_into_place`` leaves beside a target if killed (``kill -9``) mid-way.
_LEFTOVER = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.(?:tmp|old)")


def _remove_leftovers(targets: Sequence[Path]) -> None:
    """Files an earlier run killed while moving its copies into place left beside ``targets``: each
    folder is listed once, however many copies it holds."""
    names: dict[Path, set[str]] = {}
    for target in targets:
        names.setdefault(target.parent, set()).add(target.name)
    for folder, wanted in names.items():
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                match = _LEFTOVER.fullmatch(entry.name)
                if match and match[1] in wanted and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


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


# ---------------------------------------------------------------------------
# Re-checking the copies written
# ---------------------------------------------------------------------------


def verify(options: Options, trust: tuple[Path, ...], environ: Mapping[str, str]) -> list[Checked]:
    """Every copy ``options.out_dir/manifest.json`` lists, re-checked (``sealing.verify_copies``):
    present, unchanged, and a PDF's signature against the trusted certificates (``_trust_roots``)."""
    from briefing.distribution.sealing import verify_copies

    return verify_copies(options.out_dir, _trust_roots(options, trust, environ))


def _trust_roots(options: Options, trust: tuple[Path, ...], environ: Mapping[str, str]) -> tuple[bytes, ...]:
    """The certificates signatures must lead to: the files ``trust``, else the trust ``sign.yaml``
    beside the list names, else the chain in the unit's own certificate (``--sign``, else
    ``sign.yaml``'s); none if there is no certificate at all."""
    from briefing.distribution.sealing import SIGN_FILE, load_sign_settings, trust_of
    from briefing.signing.check import read_trust
    from briefing.signing.sign import load_signer

    roots = read_trust(trust)
    if roots:
        return roots
    settings = load_sign_settings(options.list_path.parent / SIGN_FILE)
    if settings and settings.trust:
        return read_trust((settings.trust,))
    certificate = options.sign or (settings.certificate if settings else None)
    if certificate is not None:
        return trust_of(load_signer(certificate, environ))
    return ()
