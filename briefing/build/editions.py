"""Published editions: ``generate publish`` records what was issued; later builds compare with it.

``EDITIONS/<edition>/`` (``EDITIONS`` is ``editions/`` beside the dossier folder unless told
otherwise) holds:

- ``dossier/``: a copy of the dossier folder as published (YAML, profiles, source files), itself
  a dossier that ``--data`` or ``--since PATH`` can read;
- ``briefs/``: every brief of the edition (all audiences, every format built);
- ``manifest.json``: every file with its SHA-256 (briefs also with audience, language and
  format), the edition, its date, when it was published, the dossier's git commit if it is in
  a git repository, and the SHA-256 of every earlier edition's manifest.

An edition is written to a hidden folder and renamed into place when complete, under a lock
on ``EDITIONS``: it appears whole or not at all, and never replaces one already there.  Its
files are made read-only.  Each ``publish`` first verifies every earlier edition against its
manifest (and each manifest against the digest later editions recorded) and reports what
changed.  A brief compares with an earlier edition by loading that edition's ``dossier/``
and selecting for the same audience (``changes.py``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.dossier.dates import date_label
from briefing.dossier.schema import Dossier, DossierInfo
from briefing.dossier.yamlload import Origins
from briefing.errors import BriefingError, DossierError
from briefing.formats.render_html import TemplateSet
from briefing.output import folder_lock

if TYPE_CHECKING:
    from briefing.build.load import LoadedDossier
    from briefing.signing.sign import Signer

EDITIONS = "editions"  # the default folder, beside the dossier folder
MANIFEST = "manifest.json"
SNAPSHOT = "dossier"
BRIEFS = "briefs"
MANIFEST_FORMAT = 1
# An edition names a folder: a plain name, so that no edition can be written outside EDITIONS.
_EDITION_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?")
_STAGING_PREFIX = ".publishing-"
# ``git rev-parse`` on a local repository answers at once; a hung file system must not hang publish.
GIT_SECONDS = 10
# ``--since none``: build without the change section.
NO_EDITION = "none"


class EditionError(BriefingError):
    """Publishing refused, or an earlier edition cannot be read; the message says why."""


def default_folder(data_dir: Path) -> Path:
    """``editions/`` beside the dossier folder."""
    return Path(os.path.normpath(data_dir.absolute().parent / EDITIONS))


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory where possible."""
    try:
        return str(path.absolute().relative_to(Path.cwd().absolute()))
    except ValueError:
        return str(path)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------
# Reading published editions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """A published edition, as its manifest describes it."""

    name: str
    folder: Path
    dossier: str  # the dossier's id
    date: str  # the edition's date, as dossier.yaml gives it
    published: str  # when it was published (UTC, ISO 8601)
    files: tuple[tuple[str, str], ...]  # (path inside the folder, SHA-256)
    earlier: tuple[tuple[str, str], ...]  # (edition, SHA-256 of its manifest) as recorded then

    @property
    def snapshot(self) -> Path:
        return self.folder / SNAPSHOT


# Everything under editions/ is read as untrusted input: a manifest lists a few hundred files
# (a few hundred kilobytes), and JSON nested deeper than this is refused before parsing (Python's
# parser recurses once per level: 100,000 levels ended in a RecursionError).
MAX_MANIFEST_BYTES = 16 * 2**20
MAX_MANIFEST_DEPTH = 100
_NOT_AN_EDITION = " is not a published edition"
_JSON_BRACKETS = re.compile(rb'[\[\]{}"\\]')


def _nesting_exceeded(data: bytes) -> bool:
    """Whether JSON ``data`` opens more than ``MAX_MANIFEST_DEPTH`` arrays or objects at once
    (brackets inside strings do not count)."""
    position, depth, in_string = 0, 0, False
    while match := _JSON_BRACKETS.search(data, position):
        char, position = match.group(), match.end()
        if in_string:
            if char == b"\\":
                position += 1  # the escaped character, whatever it is
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > MAX_MANIFEST_DEPTH:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


def read_manifest(folder: Path) -> Published:
    """The edition in ``folder``; raises ``EditionError`` if its manifest is missing or malformed."""
    path = folder / MANIFEST
    if folder.name.startswith(_STAGING_PREFIX):
        raise EditionError(f"{shown(folder)}: an unfinished publish (it was stopped), not an edition")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
        if len(data) > MAX_MANIFEST_BYTES:
            raise EditionError(f"{shown(path)}: larger than {MAX_MANIFEST_BYTES // 2**20} MiB: not a manifest")
        if _nesting_exceeded(data):
            raise EditionError(f"{shown(path)}: nested more than {MAX_MANIFEST_DEPTH} levels deep: not a manifest")
        document = json.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise EditionError(f"{shown(path)}: missing: {shown(folder)}{_NOT_AN_EDITION}") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise EditionError(f"{shown(path)}: not a readable manifest: {reason}") from None

    def text(value: Any, what: str) -> str:
        if not isinstance(value, str):
            raise EditionError(f"{shown(path)}: {what} is missing or not text")
        return value

    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        raise EditionError(f"{shown(path)}: not a manifest of an edition (no list of files)")
    files = []
    for index, entry in enumerate(document["files"]):
        if not isinstance(entry, dict):
            raise EditionError(f"{shown(path)}: files[{index}] is not an entry")
        name = text(entry.get("file"), f"files[{index}].file")
        parts = Path(name).parts
        if Path(name).is_absolute() or ".." in parts or not parts or parts[0] == MANIFEST:
            raise EditionError(f"{shown(path)}: files[{index}].file {name!r} is not a file inside the edition")
        files.append((name, text(entry.get("sha256"), f"files[{index}].sha256")))
    earlier = document.get("earlier", {})
    if not isinstance(earlier, dict):
        raise EditionError(f"{shown(path)}: earlier is not a mapping of editions to digests")
    return Published(
        name=text(document.get("edition"), "edition"),
        folder=folder,
        dossier=text(document.get("dossier"), "dossier"),
        date=text(document.get("date"), "date"),
        published=text(document.get("published"), "published"),
        files=tuple(files),
        earlier=tuple((str(name), str(digest)) for name, digest in earlier.items()),
    )


def published_editions(editions_dir: Path) -> tuple[list[Published], list[str]]:
    """Every edition in ``editions_dir`` (oldest published first), and a problem for each
    folder there that is not a readable edition."""
    editions: list[Published] = []
    problems: list[str] = []
    if not editions_dir.is_dir():
        return editions, problems
    for entry in sorted(editions_dir.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir() or entry.is_symlink():
            continue
        try:
            edition = read_manifest(entry)
        except EditionError as error:
            problems.append(str(error))
            continue
        if edition.name != entry.name:
            where = shown(entry / MANIFEST)
            problems.append(f"{where}: names edition {edition.name!r}, but the folder is {entry.name!r}")
            continue
        editions.append(edition)
    editions.sort(key=lambda edition: (edition.published, edition.name))
    return editions, problems


def _walk(folder: Path) -> Iterator[Path]:
    """Every file and link under ``folder``, links not followed, in a stable order."""
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files) + [name for name in folders if Path(root, name).is_symlink()]:
            yield Path(root, name)


def verify_edition(edition: Published) -> list[str]:
    """What differs between ``edition``'s folder and its manifest: changed, missing or added files."""
    problems = []
    listed = dict(edition.files)
    for name, digest in edition.files:
        path = edition.folder / name
        if path.is_symlink():
            problems.append(f"{shown(path)}: now a link; edition {edition.name} was published with a file here")
        elif not path.is_file():
            problems.append(f"{shown(path)}: missing since edition {edition.name} was published")
        elif sha256_file(path) != digest:
            problems.append(f"{shown(path)}: changed since edition {edition.name} was published (SHA-256 differs)")
    for path in _walk(edition.folder):
        name = path.relative_to(edition.folder).as_posix()
        if name != MANIFEST and name not in listed:
            problems.append(f"{shown(path)}: added after edition {edition.name} was published (not in its manifest)")
    return problems


def verify_editions(editions_dir: Path) -> list[str]:
    """Every difference between the published editions and their manifests, and between each
    manifest and the digest that later editions recorded of it."""
    editions, problems = published_editions(editions_dir)
    for edition in editions:
        problems += verify_edition(edition)
    by_name = {edition.name: edition for edition in editions}
    for later in editions:
        for name, digest in later.earlier:
            earlier = by_name.get(name)
            path = editions_dir / name / MANIFEST
            if earlier is None:
                problems.append(f"{shown(editions_dir / name)}: missing; edition {later.name} records it")
            elif sha256_file(path) != digest:
                problems.append(f"{shown(path)}: changed since edition {later.name} recorded it (SHA-256 differs)")
    return problems


# ---------------------------------------------------------------------------
# The edition a brief compares with
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Earlier:
    """An earlier edition's dossier, loaded, for comparing a brief with."""

    name: str
    date: str  # its dossier's date, e.g. "2026-11-22"
    dossier: Dossier
    origins: Origins
    # Files whose content decides the comparison (for the up-to-date check of a brief).
    files: tuple[Path, ...]
    # Where the edition's folder differs from its manifest (compared all the same, and said so).
    problems: tuple[str, ...] = ()

    @property
    def date_label(self) -> str:
        return date_label(self.date)


def _latest_before(editions: Sequence[Published], current: DossierInfo) -> Published | None:
    """The latest edition of this dossier published before the current one (all of them, if the
    current edition is not published yet)."""
    mine = [edition for edition in editions if edition.dossier == current.id]
    this = next((edition for edition in mine if edition.name == current.edition), None)
    before = [e for e in mine if e.name != current.edition and (this is None or e.published < this.published)]
    return before[-1] if before else None


def find_earlier(since: str | None, editions_dir: Path, current: DossierInfo) -> tuple[str, Path, Path] | None:
    """(name, dossier folder, file that identifies it) of the edition ``since`` names: an edition in
    ``editions_dir``, a path to an edition folder or to a dossier folder; by default (None) the
    latest published before the current edition; None if there is none, or ``since`` is "none"."""
    if since == NO_EDITION:
        return None
    if since is None:
        editions, problems = published_editions(editions_dir)
        # A folder with a manifest that cannot be read may be the latest edition: comparing with
        # an older one instead would silently report the wrong changes (or none).
        damaged = [problem for problem in problems if not problem.endswith(_NOT_AN_EDITION)]
        if damaged:
            more = f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else ""
            raise EditionError(f"{damaged[0]}{more}")
        latest = _latest_before(editions, current)
        return (latest.name, latest.snapshot, latest.folder / MANIFEST) if latest else None
    named = editions_dir / since
    if _EDITION_NAME.fullmatch(since) and (named / MANIFEST).is_file():
        edition = read_manifest(named)
        return edition.name, edition.snapshot, named / MANIFEST
    path = Path(since)
    if (path / MANIFEST).is_file() and (path / SNAPSHOT).is_dir():
        edition = read_manifest(path)
        return edition.name, edition.snapshot, path / MANIFEST
    if path.is_dir() and any(path.glob("*.yaml")):
        return "", path, path  # a dossier folder: its name is read from it
    editions, _ = published_editions(editions_dir)
    names = ", ".join(edition.name for edition in editions) or "none"
    raise EditionError(
        f"--since {since}: no such edition in {shown(editions_dir)} (published: {names}), "
        "and not a folder holding an edition or a dossier"
    )


def load_earlier(name: str, folder: Path, marker: Path, templates: TemplateSet) -> Earlier:
    """The earlier edition's dossier in ``folder``, validated as any dossier is."""
    from briefing.build.load import load

    try:
        loaded = load(folder, templates)
    except DossierError as error:
        raise EditionError(f"the earlier edition's dossier {shown(folder)} cannot be read: {error}") from None
    info = loaded.dossier.dossier
    if marker.name == MANIFEST and marker.is_file():
        problems = tuple(verify_edition(read_manifest(marker.parent)))
        return Earlier(name or info.edition, info.date, loaded.dossier, loaded.raw.origins, (marker,), problems)
    return Earlier(name or info.edition, info.date, loaded.dossier, loaded.raw.origins, tuple(loaded.raw.files))


def earlier_edition(
    since: str | None,
    data_dir: Path,
    editions_dir: Path | None,
    current: DossierInfo,
    templates: TemplateSet,
    note: Callable[[str], None],
) -> Earlier | None:
    """The edition a build compares with: the one ``since`` names, or by default the latest
    published before the current one.  An edition named on purpose that cannot be read is an
    error; the default one only costs the brief its change section, with a note saying why."""
    folder = editions_dir or default_folder(data_dir)
    try:
        found = find_earlier(since, folder, current)
        earlier = load_earlier(*found, templates) if found else None
    except EditionError as error:
        if since is not None:
            raise
        note(f"{error}; the briefs are built without 'What has changed'")
        return None
    for problem in earlier.problems if earlier else ():
        note(f"{problem} (the briefs compare with it as it is now)")
    return earlier


# ---------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestEntry:
    file: str  # inside the edition folder, with "/"
    sha256: str
    size: int
    kind: str  # "brief", "dossier" or "sources" (the page an HTML brief's and a Word file's notes link to)
    audience: str | None = None
    language: str | None = None
    format: str | None = None


@dataclass
class PublishResult:
    edition: str
    folder: Path
    entries: list[ManifestEntry]
    since: str | None  # the edition the briefs' change sections compare with
    commit: str | None
    rebuilt: list[Path] = field(default_factory=list)
    up_to_date: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # from the build
    earlier_problems: list[str] = field(default_factory=list)  # earlier editions that differ from their manifests


def _snapshot_files(data_dir: Path, skip: Sequence[Path]) -> list[tuple[str, Path]]:
    """(relative name, path) of every file of the dossier folder a snapshot copies: hidden files,
    caches and the ``skip`` folders (editions, briefs inside it) left out; a link must stay inside."""
    root = data_dir.resolve()
    skipped = {path.resolve() for path in skip}
    found = []
    for current, folders, files in os.walk(data_dir):
        here = Path(current)
        folders[:] = sorted(
            name
            for name in folders
            if not name.startswith(".") and name != "__pycache__" and (here / name).resolve() not in skipped
        )
        for name in [*sorted(files), *(name for name in folders if (here / name).is_symlink())]:
            path = here / name
            if name.startswith("."):
                continue
            if not path.resolve().is_relative_to(root):
                raise EditionError(f"{shown(path)} links to a file outside the dossier folder; it cannot be published")
            if path.is_file():
                found.append((path.relative_to(data_dir).as_posix(), path))
    # A linked folder inside the dossier holds files reached by their own path anyway.
    return found


def git_commit(folder: Path) -> str | None:
    """The commit checked out in the git repository holding ``folder``, if any.  Only
    ``rev-parse`` runs: it reads no hooks, filters or diff drivers a repository could configure."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", str(folder), "rev-parse", "--verify", "-q", "HEAD"],
            capture_output=True,
            text=True,
            timeout=GIT_SECONDS,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40,64}", commit) else None


def _copy(source: Path, target: Path) -> tuple[str, int]:
    """Copy one file; its SHA-256 and size, of the bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as reading, open(target, "xb") as writing:
        for block in iter(lambda: reading.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
            writing.write(block)
        writing.flush()
        os.fsync(writing.fileno())
    return digest.hexdigest(), size


def _write(target: Path, data: bytes) -> tuple[str, int]:
    """Write ``data`` as a new file; its SHA-256 and size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as writing:
        writing.write(data)
        writing.flush()
        os.fsync(writing.fileno())
    return hashlib.sha256(data).hexdigest(), len(data)


def _sealed(loaded: LoadedDossier, signer: Signer | None) -> Callable[[str, bytes], bytes]:
    """What a published PDF becomes: the brief carrying its evidence (the dossier as published,
    the sources whose licence allows it) and, with ``signer``, signed (``signing/evidence.py``)."""
    from briefing.signing.evidence import Edition, seal_brief

    info = loaded.dossier.dossier

    def seal(audience: str, pdf: bytes) -> bytes:
        brief = Edition(info.id, info.edition, info.date, audience, info.language)
        return seal_brief(loaded.raw, loaded.dossier, brief, pdf, signer)

    return seal


def _remove_leftovers(editions_dir: Path) -> None:
    """Staging folders of a publish that was killed (only under the lock: none is in use)."""
    for path in editions_dir.glob(_STAGING_PREFIX + "*"):
        if path.is_dir() and not path.is_symlink():
            _make_writable(path)
            shutil.rmtree(path, ignore_errors=True)


def _make_writable(folder: Path) -> None:
    for root, folders, _ in os.walk(folder):
        for name in folders:
            os.chmod(Path(root, name), 0o755)
    os.chmod(folder, 0o755)


def _edition_name(loaded_raw_origins: Origins, edition: str) -> None:
    if not _EDITION_NAME.fullmatch(edition) or ".." in edition:
        problem = loaded_raw_origins.problem(
            ("dossier", "edition"),
            f"{edition!r} cannot name an edition folder: use letters, digits, '.', '-' and '_' "
            "(starting and ending with a letter or digit)",
        )
        raise DossierError([problem])


def publish(
    data_dir: Path,
    briefs_dir: Path,
    editions_dir: Path | None = None,
    templates: TemplateSet | None = None,
    formats: Sequence[str] | None = None,
    since: str | None = None,
    strict: bool = False,
    note: Callable[[str], None] | None = None,
    signer: Signer | None = None,
) -> PublishResult:
    """Publish the dossier's current edition into ``editions_dir`` (see the module's docstring).

    Refuses (``DossierError``) if ``generate check`` reports errors, and (``EditionError``) if
    the edition is already published, or with ``strict`` if an earlier edition differs from its
    manifest.  Builds what is out of date in ``briefs_dir`` first, as ``generate brief`` does.
    Every published PDF carries its evidence, and with ``signer`` is signed (``_sealed``).
    """
    from briefing.build.load import load
    from briefing.formats.registry import DEFAULT_FORMATS

    templates = templates or TemplateSet()
    formats = tuple(formats or DEFAULT_FORMATS)
    loaded = load(data_dir, templates)  # the errors 'generate check' reports stop it here
    info = loaded.dossier.dossier
    _edition_name(loaded.raw.origins, info.edition)
    editions_dir = editions_dir or default_folder(data_dir)
    target = editions_dir / info.edition
    notes: list[str] = []
    tell = note or notes.append
    with folder_lock(editions_dir, lambda: tell(f"waiting for another publish into {shown(editions_dir)}")):
        if os.path.lexists(target):
            file, line, _ = loaded.raw.origins.locate(("dossier", "edition"))
            raise EditionError(
                f"edition {info.edition} is already published in {shown(target)}; a published edition is "
                f"never overwritten. To publish the changes, raise 'edition' in {file}:{line}"
            )
        problems = verify_editions(editions_dir)
        if problems and strict:
            listed = "\n".join(f"  {problem}" for problem in problems)
            raise EditionError(f"refusing to publish (--strict): earlier editions differ from their records:\n{listed}")
        editions, _ = published_editions(editions_dir)
        _remove_leftovers(editions_dir)
        staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{info.edition}-", dir=editions_dir))
        try:
            with _signals_end_the_publish():
                result = _stage(
                    loaded.dossier,
                    data_dir,
                    briefs_dir,
                    editions_dir,
                    staging,
                    templates,
                    formats,
                    since,
                    tell,
                    _sealed(loaded, signer),
                    signer.who if signer else None,
                )
                result.earlier_problems = problems
                document = _manifest(info, result, editions)
                (staging / MANIFEST).write_bytes(document)
                for path in _walk(staging):
                    os.chmod(path, 0o444)  # a record: not to be edited by accident
                os.chmod(staging, 0o755)  # mkdtemp made it private; an edition is as readable as the briefs
                os.rename(staging, target)  # atomic; the target was checked absent under the lock
        except BaseException:
            _make_writable(staging)
            shutil.rmtree(staging, ignore_errors=True)
            raise
    result.folder = target
    return result


@contextmanager
def _signals_end_the_publish() -> Iterator[None]:
    """While an edition is staged, SIGTERM and SIGHUP end the publish as Ctrl-C does: by an
    exception, so that the half-written staging folder is removed (``kill -9`` cannot be caught:
    what it leaves is a hidden ``.publishing-*`` folder, never read as an edition and removed by
    the next publish)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stage(
    dossier: Dossier,
    data_dir: Path,
    briefs_dir: Path,
    editions_dir: Path,
    staging: Path,
    templates: TemplateSet,
    formats: Sequence[str],
    since: str | None,
    note: Callable[[str], None],
    seal: Callable[[str, bytes], bytes] | None = None,
    signed_by: str | None = None,
) -> PublishResult:
    """Copy the dossier and build and copy every brief into ``staging`` (a PDF through ``seal``)."""
    from briefing.build.pipeline import build_briefs
    from briefing.formats.registry import FORMATS

    info = dossier.dossier
    entries: list[ManifestEntry] = []
    snapshot = _snapshot_files(data_dir, [editions_dir, briefs_dir])
    copied: dict[str, str] = {}
    for name, path in snapshot:
        digest, size = _copy(path, staging / SNAPSHOT / name)
        copied[name] = digest
        entries.append(ManifestEntry(f"{SNAPSHOT}/{name}", digest, size, "dossier"))
    earlier = find_earlier(since, editions_dir, info)
    built = build_briefs(
        data_dir,
        briefs_dir,
        ["all"],
        formats,
        templates,
        note=note,
        since=since,
        editions=editions_dir,
        signed_by=signed_by,
    )
    # The briefs must be those of the copied dossier: a file saved during the build would break that.
    now = {name: sha256_file(path) for name, path in _snapshot_files(data_dir, [editions_dir, briefs_dir])}
    if now != copied:
        raise EditionError("the dossier changed while it was being published; nothing was published: run again")
    for audience in dossier.audiences:
        stem = f"{info.id}-{audience.id}"
        for output_format in formats:
            name = f"{stem}{FORMATS[output_format].suffix}"
            if output_format == "pdf" and seal is not None:
                digest, size = _write(staging / BRIEFS / name, seal(audience.id, (briefs_dir / name).read_bytes()))
            else:
                digest, size = _copy(briefs_dir / name, staging / BRIEFS / name)
            entries.append(
                ManifestEntry(f"{BRIEFS}/{name}", digest, size, "brief", audience.id, info.language, output_format)
            )
        # The pages the HTML brief's and the Word file's notes link to (the sources page), once.
        for suffix in dict.fromkeys(suffix for output_format in formats for suffix in FORMATS[output_format].beside):
            page = briefs_dir / f"{stem}{suffix}"
            if page.is_file():
                digest, size = _copy(page, staging / BRIEFS / page.name)
                entries.append(ManifestEntry(f"{BRIEFS}/{page.name}", digest, size, "sources", audience.id))
    return PublishResult(
        edition=info.edition,
        folder=staging,
        entries=entries,
        since=(earlier[0] or None) if earlier else None,
        commit=git_commit(data_dir),
        rebuilt=[output.path for brief in built.briefs for output in brief.files],
        up_to_date=list(built.up_to_date),
        warnings=[f"{brief.audience}: {warning}" for brief in built.briefs for warning in brief.warnings],
    )


def _manifest(info: DossierInfo, result: PublishResult, editions: Sequence[Published]) -> bytes:
    document = {
        "format": MANIFEST_FORMAT,
        "dossier": info.id,
        "title": info.title,
        "edition": info.edition,
        "date": info.date,
        "language": info.language,
        "published": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": result.commit,
        "since": result.since,
        "earlier": {edition.name: sha256_file(edition.folder / MANIFEST) for edition in editions},
        "files": [
            {key: value for key, value in vars(entry).items() if value is not None}
            | {"edition": info.edition, "date": info.date}
            for entry in result.entries
        ],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
