"""``generate verify FILE.pdf``: what a recipient can check about a brief, part by part.

1. **Signature**: the file is signed, unchanged since (the signature covers every byte), and
   the signing certificate leads to the trust root given (``--trust CA.pem``).
2. **Edition manifest**: the file's SHA-256 is listed in the manifest of the edition (or of the
   distribution) it says it belongs to: ``--manifest``, or a ``manifest.json`` found beside the
   file or one or two folders up.  A copy received by email has none beside it: then this part
   says it could not be checked, and does not fail.
3. **Quotes**: the dossier the PDF carries is read and every quote is looked for in the source
   file the PDF carries, with the same search ``generate check`` uses (``dossier/verify.py``);
   each embedded file must also have the SHA-256 the brief's evidence index lists.  Quotes of a
   source the PDF does not carry (its licence did not allow copying) are counted, not checked,
   unless the recipient gives their own copies (``--sources DIR``): a file of DIR with the SHA-256
   the index records for the source (``copies.py``; never a name from the PDF) is put where the
   embedded dossier says the source's file is, and its quotes are checked as a carried file's
   are.  A source no file of DIR matches stays "not checked": like a source not carried, it does
   not fail the check (the brief is not at fault), and the report says which file of the same
   name, if any, is another version.
4. **Figures**: the brief is selected again from the embedded dossier, for its audience and
   language, and the written form of every figure it states must be in the PDF's text.

Exit 0 only when no part failed.  The file is untrusted input: it is read in a separate process
with limits on time and memory, its embedded files are inflated with a size limit, and any
failure to read it is reported as such, never as a traceback.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from briefing.errors import BriefingError, DossierError
from briefing.signing.evidence import INDEX_NAME, SNAPSHOT_PREFIX
from briefing.signing.pyhanko_import import quiet

if TYPE_CHECKING:
    from briefing.signing.copies import Folder

MAX_PDF_BYTES = 200 * 1024 * 1024
MAX_EMBEDDED_FILES = 2000
MAX_EMBEDDED_BYTES = 200 * 1024 * 1024  # all embedded files together, inflated
SECONDS = 120  # a brief verifies in a few seconds; a file that takes this long is refused
MEMORY_BYTES = 2 * 1024**3

OK, FAILED, NOT_CHECKED = "ok", "failed", "not checked"


class VerifyError(BriefingError):
    """The file cannot be verified at all (not found, not a PDF); the message says why."""


@dataclass
class Part:
    title: str
    status: str = OK
    lines: list[str] = field(default_factory=list)

    def fail(self, line: str) -> None:
        self.status = FAILED
        self.lines.append(line)


@dataclass
class Report:
    file: str
    parts: list[Part] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.parts) and all(part.status != FAILED for part in self.parts)

    def text(self) -> str:
        lines = [f"{self.file}:"]
        for part in self.parts:
            lines.append(f"  {part.title}: {part.status.upper()}")
            lines += [f"    {line}" for line in part.lines]
        verdict = (
            "every part holds"
            if self.ok
            else "NOT VERIFIED: " + ", ".join(part.title.lower() for part in self.parts if part.status == FAILED)
        )
        lines.append(f"  result: {verdict}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Options:
    trust: tuple[bytes, ...] = ()  # PEM or DER certificates of the trust roots
    manifest: Path | None = None
    seconds: float = SECONDS
    sources: Path | None = None  # the recipient's own copies of the sources the PDF does not carry


def read_trust(paths: tuple[Path, ...]) -> tuple[bytes, ...]:
    """The certificates in the files ``paths`` (PEM or DER), checked to load."""
    loaded = []
    for path in paths:
        try:
            data = path.read_bytes()[: 1 << 20]
        except OSError as error:
            raise VerifyError(f"{path}: cannot read the trust root: {error.strerror or error}") from None
        if not _certificates(data):
            raise VerifyError(f"{path}: not a certificate (PEM or DER)")
        loaded.append(data)
    return tuple(loaded)


def _certificates(data: bytes) -> list[Any]:
    from cryptography import x509

    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        return []


def verify_file(path: Path, options: Options) -> Report:
    """Verify the PDF at ``path`` (see the module's docstring), in a child process with limits."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise VerifyError(f"{path}: cannot read it: {error.strerror or error}") from None
    if not path.is_file():
        raise VerifyError(f"{path}: not a file")
    if size > MAX_PDF_BYTES:
        raise VerifyError(f"{path}: {size:,} bytes; a brief is far smaller, so this file is not checked")
    if options.sources is not None and not options.sources.is_dir():
        raise VerifyError(f"{options.sources}: not a folder (--sources names the folder of your copies of the sources)")
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(path, options, sending), daemon=True)
    child.start()
    sending.close()
    try:
        if receiving.poll(options.seconds):
            report = receiving.recv()
            child.join(5)
            if isinstance(report, Report):
                return report
            raise VerifyError(f"{path}: {report}")
        raise VerifyError(f"{path}: checking it took longer than {options.seconds:.0f} s; a brief takes seconds")
    except EOFError:
        raise VerifyError(f"{path}: the check stopped (the file needs more memory than a brief does)") from None
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        receiving.close()


def _child(path: Path, options: Options, sending: Any) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass
    try:
        result: Report | str = verify_bytes(path.read_bytes(), str(path), options)
    except BriefingError as error:
        result = str(error)
    except MemoryError:
        result = "the file needs more memory than a brief does; not checked"
    except Exception as error:  # a hostile file must give a message, never a traceback
        result = f"cannot read it as a brief: {type(error).__name__}: {_short(error)}"
    sending.send(result)
    sending.close()
    os._exit(0)


# ---------------------------------------------------------------------------
# The parts
# ---------------------------------------------------------------------------


def verify_bytes(data: bytes, name: str, options: Options) -> Report:
    """The report for the PDF ``data`` (in this process: ``verify_file`` adds the limits)."""
    with quiet():
        from pyhanko.pdf_utils.reader import PdfFileReader

    report = Report(name)
    if not data.startswith(b"%PDF-"):
        raise VerifyError("not a PDF file")
    try:
        with quiet():
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            root = reader.root
    except Exception as error:
        raise VerifyError(f"not a readable PDF: {_short(error)}") from None
    signature = _signature(reader, options)
    report.parts.append(signature)
    attachments, problem = _attachments(root)
    index: dict[str, Any] = {}
    if problem is None and INDEX_NAME in attachments:
        try:
            loaded = json.loads(attachments[INDEX_NAME])
            index = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            problem = f"its evidence index ({INDEX_NAME}) is not readable"
    report.parts.append(_manifest(data, name, index, options))
    try:
        quotes, loaded_dossier = _quotes(attachments, index, problem, options.sources)
    except (DossierError, OSError, ValueError) as error:
        quotes, loaded_dossier = Part("Quotes"), None
        quotes.fail(f"the embedded dossier cannot be checked: {_short(error)}")
    report.parts.append(quotes)
    try:
        figures = _figures(data, index, loaded_dossier)
    except Exception as error:  # a damaged page (a changed byte in a compressed stream) is reported, not raised
        figures = Part("Figures")
        figures.fail(f"the brief's text cannot be read (the file is damaged): {_short(error)}")
    report.parts.append(figures)
    return report


def _short(error: BaseException, limit: int = 160) -> str:
    """An error's message, printable and short (a hostile file's bytes may end up in it)."""
    return _printable(str(error), limit)


def _printable(value: object, limit: int = 160) -> str:
    """``value`` as a report may show it: printable and short (it may come from a hostile file)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text[:limit] + ("…" if len(text) > limit else "")


def _signature(reader: Any, options: Options) -> Part:
    part = Part("Signature")
    with quiet():
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

    try:
        signatures = list(reader.embedded_signatures)
    except Exception as error:
        part.fail(f"the signature cannot be read: {_short(error)}")
        return part
    if not signatures:
        part.fail("the file is not signed: there is no signature to check (it may have been removed)")
        return part
    roots = [cert for data in options.trust for cert in _asn1_certificates(data)]
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    for signature in signatures:
        try:
            with quiet():
                status = validate_pdf_signature(signature, context)
        except Exception as error:  # SignatureValidationError, PathBuildingError... or a damaged file
            part.fail(f"the signature cannot be checked: {_short(error)}")
            continue
        who = _person(status.signing_cert.subject)
        when = f" on {status.signer_reported_dt:%Y-%m-%d %H:%M} UTC" if status.signer_reported_dt else ""
        if not status.intact:
            part.fail(
                f"the file has been changed since {who} signed it{when}: its content no longer matches the signature"
            )
            continue
        if not status.valid:
            part.fail(f"the signature of {who} is damaged or forged: it does not match the signer's certificate")
            continue
        coverage = getattr(status.coverage, "name", str(status.coverage))
        if coverage != "ENTIRE_FILE":
            part.fail(
                f"{who} signed an earlier version of this file{when}; something was added after the signature "
                "(an incremental update), so what you see may not be what was signed"
            )
            continue
        part.lines.append(f"signed by {who}{when}; the file is exactly as signed (every byte is covered)")
        if not options.trust:
            part.fail(
                "who made the signature cannot be confirmed: run again with --trust CA.pem, the certificate of the "
                "authority you trust for this unit"
            )
        elif status.trusted:
            part.lines.append("the signer's certificate leads to the trust root you gave")
        else:
            issuer = _person(status.signing_cert.issuer)
            part.fail(f"the signer's certificate (issued by {issuer}) does not lead to the trust root you gave")
    return part


def _person(name: Any) -> str:
    """A certificate's subject as a reader says it: "Analysis Unit (Institute)"."""
    native = name.native if hasattr(name, "native") else {}
    common, organisation = native.get("common_name"), native.get("organization_name")
    if common and organisation and organisation != common:
        return f"{common} ({organisation})"
    return str(common or organisation or name.human_friendly)


def _asn1_certificates(data: bytes) -> list[Any]:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return [asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)) for cert in _certificates(data)]


def _attachments(root: Any) -> tuple[dict[str, bytes], str | None]:
    """The embedded files by name, inflated with a size limit, or a problem saying why not."""
    try:
        names = root.get("/Names")
        tree = names["/EmbeddedFiles"] if names is not None and "/EmbeddedFiles" in names else None
        if tree is None:
            return {}, "the file carries no embedded files (no dossier, no sources)"
        if "/Kids" in tree:
            return {}, "its list of embedded files is not one this tool writes"
        listed = tree["/Names"]
        if len(listed) > 2 * MAX_EMBEDDED_FILES:
            return {}, f"it lists more than {MAX_EMBEDDED_FILES} embedded files"
        found: dict[str, bytes] = {}
        budget = MAX_EMBEDDED_BYTES
        for index in range(0, len(listed) - 1, 2):
            name = str(listed[index])
            stream = listed[index + 1].get_object()["/EF"]["/F"].get_object()
            data = _inflate(stream, budget)
            budget -= len(data)
            found[name] = data
        return found, None
    except _TooLarge:
        return {}, f"its embedded files are larger than {MAX_EMBEDDED_BYTES // 2**20} MiB together; not read"
    except Exception as error:
        return {}, f"its embedded files cannot be read: {_short(error)}"


class _TooLarge(Exception):
    pass


def _inflate(stream: Any, budget: int) -> bytes:
    filters = stream.get("/Filter")
    names = [str(item) for item in filters] if isinstance(filters, list) else [str(filters)] if filters else []
    data = stream.encoded_data
    if not names:
        if len(data) > budget:
            raise _TooLarge
        return bytes(data)
    if names != ["/FlateDecode"]:
        raise ValueError(f"an embedded file is encoded with {', '.join(names)}, which this tool does not write")
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, budget + 1)
    if len(out) > budget or inflater.unconsumed_tail:
        raise _TooLarge
    return out


# ---------------------------------------------------------------------------


def _manifest(data: bytes, name: str, index: Mapping[str, Any], options: Options) -> Part:
    part = Part("Edition manifest")
    digest = hashlib.sha256(data).hexdigest()
    edition, dossier = index.get("edition"), index.get("dossier")
    said = f"edition {edition} of {dossier}" if edition and dossier else "no edition (it carries no evidence index)"
    part.lines.append(f"the file says it is {said}; its SHA-256 is {digest}")
    candidates = [options.manifest] if options.manifest else _manifests_near(Path(name))
    if not candidates:
        part.status = NOT_CHECKED
        part.lines.append(
            "no manifest.json beside the file or in the folders above it: give --manifest to check it against one"
        )
        return part
    for path in candidates:
        try:
            document = json.loads(path.read_bytes()[:MAX_PDF_BYTES])
        except (OSError, ValueError) as error:
            part.fail(f"{path}: not a readable manifest: {error}")
            continue
        if not isinstance(document, dict):
            part.fail(f"{path}: not a manifest")
            continue
        entries = [entry for key in ("files", "copies") for entry in document.get(key) or [] if isinstance(entry, dict)]
        listed = [entry for entry in entries if entry.get("sha256") == digest]
        names = (document.get("dossier"), document.get("edition"))
        if listed:
            which = listed[0].get("file", "?")
            part.status = OK
            part.lines.append(f"{path} lists this exact file as {which} (edition {document.get('edition')})")
            if edition and names != (dossier, edition):
                part.fail(f"but that manifest is of edition {names[1]} of {names[0]}, not the one the file names")
            return part
        if options.manifest or names == (dossier, edition):
            part.fail(
                f"{path} (edition {names[1]}) does not list a file with this SHA-256: this is not a copy it records"
            )
            return part
    if part.status != FAILED:
        part.status = NOT_CHECKED
        part.lines.append("no manifest nearby is of this edition: give --manifest to check it against one")
    return part


def _manifests_near(pdf: Path) -> list[Path]:
    folder = pdf.absolute().parent
    found = []
    for candidate in (folder, folder.parent, folder.parent.parent):
        path = candidate / "manifest.json"
        if path.is_file():
            found.append(path)
    return found


# ---------------------------------------------------------------------------


@dataclass
class _Loaded:
    raw: Any
    dossier: Any
    folder: Path


def _quotes(
    attachments: Mapping[str, bytes], index: Mapping[str, Any], problem: str | None, copies_folder: Path | None = None
) -> tuple[Part, Any]:
    part = Part("Quotes")
    if problem is not None:
        part.fail(problem)
        return part, None
    if not index:
        part.fail(f"the file carries no evidence index ({INDEX_NAME}): it was not published with its evidence")
        return part, None
    expected = {
        str(entry.get("file")): str(entry.get("sha256"))
        for key in ("dossier_files", "sources")
        for entry in index.get(key) or []
        if isinstance(entry, dict) and entry.get("file")
    }
    for entry_name, data in sorted(attachments.items()):
        if entry_name == INDEX_NAME:
            continue
        wanted = expected.get(entry_name)
        if wanted is None:
            part.fail(f"{entry_name} is embedded but not listed in the evidence index")
        elif hashlib.sha256(data).hexdigest() != wanted:
            part.fail(f"{entry_name} has been changed: its SHA-256 is not the one the evidence index records")
    if part.status == FAILED:
        return part, None
    with tempfile.TemporaryDirectory(prefix="briefing-verify-") as scratch:
        folder = Path(scratch)
        for entry_name, data in attachments.items():
            if not entry_name.startswith(SNAPSHOT_PREFIX):
                continue
            relative = Path(entry_name[len(SNAPSHOT_PREFIX) :])
            if relative.is_absolute() or ".." in relative.parts or not relative.parts:
                part.fail(f"{entry_name}: an embedded file named outside its dossier; refused")
                return part, None
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        loaded = _load_snapshot(folder, part)
        if loaded is None:
            return part, None
        from briefing.dossier.verify import verify_dossier

        not_carried = [
            entry for entry in index.get("sources") or [] if isinstance(entry, dict) and not entry.get("embedded")
        ]
        cited = Counter(cite.source for cite in _cites(loaded.dossier))
        placed: dict[str, str] = {}
        said: list[str] = []
        if copies_folder is not None:
            placed, said = _place_copies(copies_folder, not_carried, loaded.dossier, folder, cited, part)
        checked = verify_dossier(loaded.dossier, loaded.raw.origins, folder)
        missing = {str(entry.get("id")) for entry in not_carried} - set(placed)
        skipped = 0
        for problem_found in checked.problems:
            if _about_missing_source(problem_found, loaded.dossier, missing):
                continue
            part.fail(f"{_shown(problem_found, folder)}")
        for source in loaded.dossier.sources:
            if source.id in missing:
                skipped += cited[source.id]
        carried = checked.quotes_verified - sum(checked.verified_by_source.get(key, 0) for key in placed)
        head = [f"{carried} quote(s) found in the source files the brief carries"]
        for source_id, name in placed.items():
            found = checked.verified_by_source.get(source_id, 0)
            head.append(
                f"{source_id}: checked against your copy {_printable(name)} in {copies_folder} (it has the SHA-256 "
                f"the brief records): {found} of {cited[source_id]} quote(s) found in it"
            )
        part.lines[0:0] = head + said
        if skipped:
            why = [
                f"{_printable(entry.get('id'))}: {_printable(entry.get('reason'), 400)}"
                for entry in not_carried
                if str(entry.get("id")) in missing
            ]
            part.lines.append(
                f"{skipped} quote(s) cite sources the brief does not carry, so they are not checked here: "
                + "; ".join(why)
            )
        return part, loaded


def _place_copies(
    given: Path, not_carried: list[dict[str, Any]], dossier: Any, scratch: Path, cited: Counter[str], part: Part
) -> tuple[dict[str, str], list[str]]:
    """Put the recipient's copy of each source the brief does not carry where the embedded dossier
    says that source's file is, so that ``verify_dossier`` checks its quotes as it checks a file the
    brief carries.  A copy is the file of ``given`` with the SHA-256 the evidence index records
    (``copies.py``); the index's file names are never used to read anything.  Returns the copies
    placed (source id -> name in ``given``) and what to say about the others and the folder."""
    from briefing.signing.copies import find_copies, is_sha256

    by_id = {source.id: source for source in dossier.sources}
    wanted: dict[str, list[Any]] = {}
    refused = 0  # sources whose index entry cannot be used to look for a copy
    seen: set[str] = set()
    for entry in not_carried:
        source_id = entry.get("id")
        source = by_id.get(source_id) if isinstance(source_id, str) else None
        if source is None or source.id in seen:
            what = "that the embedded dossier does not have" if source is None else "twice"
            part.fail(f"{INDEX_NAME} lists a source {_printable(repr(source_id))} {what}")
            continue
        seen.add(source.id)
        if source.file is None:
            continue  # an interview, a meeting: there is no file to look for
        digest, named = entry.get("sha256"), entry.get("file")
        if not is_sha256(digest):
            refused += 1
            part.fail(
                f"{source.id}: {INDEX_NAME} records no valid SHA-256 for its file ({_printable(repr(digest))}), so "
                "no copy can be matched to it"
            )
        elif not _inside_dossier(named):
            refused += 1
            part.fail(
                f"{source.id}: {INDEX_NAME} names its file {_printable(repr(named))}, which is not inside the "
                "embedded dossier: this tool never writes such a name, and nothing is read there"
            )
        else:
            wanted.setdefault(str(digest), []).append(source)
    if not wanted:
        nothing = f"--sources: no source of this brief is to be looked for in {given}; it was not read"
        return {}, [] if refused else [nothing]
    found = find_copies(given, set(wanted))
    placed: dict[str, str] = {}
    said: list[str] = []
    for digest, sources in wanted.items():
        copy = found.copies.get(digest)
        for source in sources:
            if copy is None:
                said.append(_not_found(source, digest, found, cited[source.id]))
                continue
            try:
                target = _placement(scratch, str(source.file))
                if target is None:
                    raise OSError(f"{source.file!r} is outside the dossier or is the name of a file the brief carries")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(copy.data)
            except OSError as error:
                part.fail(f"{source.id}: your copy {_printable(copy.name)} cannot be checked: {_short(error)}")
                continue
            placed[source.id] = copy.name
    if found.refused:
        said.append(found.refused)
    said += [_printable(note) for note in found.notes]
    return placed, said


def _not_found(source: Any, digest: str, found: Folder, quotes: int) -> str:
    """What to say of a source none of the recipient's files is a copy of."""
    if found.refused:
        return f"{source.id}: not looked for (the folder was not read, below), so its {quotes} quote(s) are not checked"
    line = f"{source.id}: no file in {found.root} has its SHA-256 ({digest[:12]}…)"
    line += f", so its {quotes} quote(s) are not checked"
    for name, other in found.by_name.get(Path(str(source.file)).name, []):
        line += (
            f"; {_printable(name)} has its file name but another SHA-256 ({other[:12]}…): another version of "
            "the source, not used"
        )
    return line


def _inside_dossier(name: object) -> bool:
    """Whether ``name`` (from the evidence index) is a file of the embedded dossier, as the tool writes one."""
    if not isinstance(name, str) or not name.startswith(SNAPSHOT_PREFIX) or "\\" in name:
        return False
    relative = PurePosixPath(name[len(SNAPSHOT_PREFIX) :])
    return bool(relative.parts) and not relative.is_absolute() and ".." not in relative.parts


def _placement(scratch: Path, file: str) -> Path | None:
    """Where in the scratch copy of the dossier a source's ``file`` goes, if it stays inside and is free."""
    relative = Path(file)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return None
    target = scratch / relative
    if target.exists() or target.is_symlink() or not target.resolve().is_relative_to(scratch.resolve()):
        return None
    return target


def _cites(dossier: Any) -> Iterator[Any]:
    from briefing.dossier.verify import cited_items

    for _, _, item in cited_items(dossier):
        yield from item.cites


def _about_missing_source(problem: Any, dossier: Any, missing: set[str]) -> bool:
    """Whether ``problem`` is only that a source the brief does not carry has no file."""
    if problem.field.startswith("sources[") and problem.field.endswith("].file"):
        position = int(problem.field[len("sources[") : problem.field.index("]")])
        return position < len(dossier.sources) and dossier.sources[position].id in missing
    return False


def _shown(problem: Any, folder: Path) -> str:
    text = str(problem)
    return text.replace(str(folder) + os.sep, "dossier/").replace(str(folder), "dossier")


def _load_snapshot(folder: Path, part: Part) -> _Loaded | None:
    from briefing.dossier.loader import read_dossier
    from briefing.dossier.validate import validate_dossier

    cwd = os.getcwd()
    try:
        os.chdir(folder)  # file names in messages relative to the embedded dossier
        raw = read_dossier(Path("."))
        audiences = raw.data.get("audiences") or []
        kinds = {
            str(section.get("kind"))
            for audience in audiences
            if isinstance(audience, dict)
            for section in audience.get("sections") or []
            if isinstance(section, dict)
        }
        names = {str(audience.get("template")) for audience in audiences if isinstance(audience, dict)}
        dossier = validate_dossier(raw, kinds, names | {"brief.html"})
    except DossierError as error:
        part.fail(f"the embedded dossier cannot be read: {error}")
        return None
    finally:
        os.chdir(cwd)
    raw.root = folder
    return _Loaded(raw, dossier, folder)


# ---------------------------------------------------------------------------


def _figures(data: bytes, index: Mapping[str, Any], loaded: _Loaded | None) -> Part:
    part = Part("Figures")
    if loaded is None:
        part.fail("not checked: the embedded dossier could not be read (above)")
        return part
    audience_id, language = index.get("audience"), index.get("language")
    try:
        from briefing.build.load import LoadedDossier
        from briefing.build.select import select_for_audience
        from briefing.formats.render_html import TemplateSet
        from briefing.languages.i18n import use_language

        edition = LoadedDossier(loaded.raw, loaded.dossier, TemplateSet()).dossier_in(str(language))
        audience = next((a for a in edition.audiences if a.id == audience_id), None)
        if audience is None:
            part.fail(f"the embedded dossier has no audience {audience_id!r}, the one this brief says it is for")
            return part
        with use_language(str(language)):
            brief = select_for_audience(edition, audience)
    except (DossierError, BriefingError) as error:
        part.fail(f"the brief cannot be selected again from its embedded dossier: {error}")
        return part
    text = _pdf_text(data)
    from briefing.dossier.verify import match_key, normalise

    pdf_key = match_key(normalise(text))
    shown = checked = 0
    seen: set[tuple[str, str]] = set()
    for claim in _claims(brief):
        statement_key = match_key(normalise(claim.text))
        for figure in claim.figures:
            figure_key = match_key(normalise(figure.text))
            if figure_key not in statement_key or (claim.id, figure_key) in seen:
                continue  # stated in a table or chart (in the edition's number format), or counted already
            seen.add((claim.id, figure_key))
            shown += 1
            if figure_key in pdf_key:
                checked += 1
            else:
                part.fail(f"the brief should state {figure.text!r} ({claim.id}) as its dossier does, but does not")
    part.lines.insert(0, f"{checked} of {shown} figure(s) stated in the brief's sentences are those of its dossier")
    return part


def _claims(brief: Any) -> Iterator[Any]:
    """The claims a brief prints as sentences: its key points and judgements, and the facts of its
    ``facts`` sections (other kinds print figures in tables and charts, in the edition's number
    format), with the rival claims quoted beside them."""
    printed = [*brief.key_points, *brief.judgements]
    printed += [claim for view in brief.sections if view.kind == "facts" for claim in view.facts]
    for claim in printed:
        yield claim
        yield from claim.disagrees_with


def _pdf_text(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    return "\n".join(page.extract_text() or "" for page in reader.pages[:200])
