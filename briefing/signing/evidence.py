"""The evidence a published PDF carries: its dossier, and the source files the dossier cites.

A brief's claims rest on the dossier's quotes, and the quotes on the source files.  A published
PDF embeds (as "associated files" whose relationship is ``Source``):

- ``dossier/…``: every file the dossier is read from (its YAML, audience profiles, translation
  files), byte for byte;
- ``dossier/<file>`` of each source whose licence lets the unit copy it (below), so that every
  quote can be checked offline, years later;
- ``evidence.json`` (relationship ``Supplement``): which edition, audience and language the brief
  is, and for every source its SHA-256, licence and address, embedded or not.

**Licences.**  Copying a source into a brief that goes to other people is redistribution, so the
default is conservative: a source's file is embedded only if its ``licence`` is an open licence
(``OPEN_LICENCES``, SPDX identifiers) or the dossier says ``embed: true`` (the unit's own notes,
a publisher's permission: ``licence`` then says which).  ``embed: false`` never embeds.  A file
not embedded is named by its SHA-256 and address, so a recipient who obtains it can check it.
Nothing else of the dossier folder is embedded: not the distribution list (names and addresses
of recipients), not the JSON schemas, not published editions.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefing.dossier.loader import RawDossier
from briefing.dossier.schema import Dossier, Source
from briefing.errors import BriefingError
from briefing.signing.sign import Attachment, Signer, seal

INDEX_NAME = "evidence.json"
SNAPSHOT_PREFIX = "dossier/"
INDEX_FORMAT = 1
# SPDX identifiers (lower case) of licences that allow anyone to copy and redistribute the file.
OPEN_LICENCES = frozenset(
    {
        "cc0-1.0",
        "cc-by-4.0",
        "cc-by-sa-4.0",
        "cc-by-3.0",
        "cc-by-sa-3.0",
        "cc-by-2.0",
        "cc-by-sa-2.0",
        "cc-pdddc",
        "pddl-1.0",
        "odc-by-1.0",
        "odbl-1.0",
        "ogl-uk-3.0",
        "public-domain",
    }
)
TRANSLATIONS = "translations"


class EvidenceError(BriefingError):
    """The evidence for a brief cannot be gathered; the message says why."""


@dataclass(frozen=True)
class Edition:
    """Which brief the evidence belongs to."""

    dossier: str
    edition: str
    date: str
    audience: str
    language: str


def may_embed(source: Source) -> tuple[bool, str]:
    """Whether ``source``'s file may be copied into a brief, and why (for the index and ``verify``)."""
    if source.embed is False:
        return False, "the dossier says embed: false"
    if source.embed:
        return True, f"the dossier says embed: true ({source.licence or 'no licence stated'})"
    if source.licence and source.licence.strip().lower() in OPEN_LICENCES:
        return True, f"open licence {source.licence}"
    if source.licence:
        return False, f"its licence ({source.licence}) is not an open licence; write embed: true if it allows copying"
    return False, "no licence is declared for it (write licence: and, if it allows copying, embed: true)"


def _relative(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def _mime(name: str) -> str:
    if name.endswith((".yaml", ".yml")):
        return "application/yaml"
    if name.endswith(".md"):
        return "text/markdown"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def evidence(raw: RawDossier, dossier: Dossier, brief: Edition) -> list[Attachment]:
    """The files to embed in ``brief``'s PDF (see the module's docstring), the index last."""
    root = raw.root
    files = list(raw.files)
    for language in dossier.dossier.editions:
        translation = root / TRANSLATIONS / f"{language}.yaml"
        if translation.is_file() and translation.resolve().is_relative_to(root.resolve()):
            files.append(translation)
    attachments: list[Attachment] = []
    listed: list[dict[str, object]] = []
    for path in files:
        name = _relative(path, root)
        data = _read(path, name)
        attachments.append(Attachment(SNAPSHOT_PREFIX + name, data, f"Dossier file {name}", _mime(name)))
        listed.append({"file": SNAPSHOT_PREFIX + name, "sha256": hashlib.sha256(data).hexdigest()})
    sources: list[dict[str, object]] = []
    for source in dossier.sources:
        entry: dict[str, object] = {"id": source.id, "title": source.title}
        if source.url:
            entry["url"] = source.url
        if source.licence:
            entry["licence"] = source.licence
        if source.file is None:
            entry |= {"embedded": False, "reason": f"no file: {source.no_file_reason or ''}".strip()}
            sources.append(entry)
            continue
        path = root / source.file
        if not path.resolve().is_relative_to(root.resolve()):
            raise EvidenceError(f"{source.file}: outside the dossier folder; it cannot be embedded")
        name = _relative(path, root)
        data = _read(path, name)
        allowed, why = may_embed(source)
        entry |= {"file": SNAPSHOT_PREFIX + name, "sha256": hashlib.sha256(data).hexdigest(), "embedded": allowed}
        entry["reason"] = why
        if allowed:
            description = f"Source {source.id}: {source.title}"
            attachments.append(Attachment(SNAPSHOT_PREFIX + name, data, description, _mime(name)))
        sources.append(entry)
    index = {
        "format": INDEX_FORMAT,
        "dossier": brief.dossier,
        "edition": brief.edition,
        "date": brief.date,
        "audience": brief.audience,
        "language": brief.language,
        "dossier_files": listed,
        "sources": sources,
    }
    data = (json.dumps(index, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    description = "What this brief rests on: its edition, its dossier files and every source's SHA-256"
    attachments.append(Attachment(INDEX_NAME, data, description, "application/json", "Supplement"))
    return _unique(attachments)


def _unique(attachments: Sequence[Attachment]) -> list[Attachment]:
    """One attachment per name (a source file that is also read as a dossier file is listed once)."""
    seen: dict[str, Attachment] = {}
    for attachment in attachments:
        seen.setdefault(attachment.name, attachment)
    return list(seen.values())


def _read(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise EvidenceError(f"{name}: cannot read it to embed in the brief: {error.strerror or error}") from None


def seal_brief(
    raw: RawDossier, dossier: Dossier, brief: Edition, pdf: bytes, signer: Signer | None, label: str = ""
) -> bytes:
    """``pdf`` carrying its evidence and, with ``signer``, signed (``sign.seal``)."""
    return seal(pdf, evidence(raw, dossier, brief), signer, label)
