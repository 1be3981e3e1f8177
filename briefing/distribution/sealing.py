"""Signed distribution copies: the settings, sealing each stamped copy, and ``distribute --verify``.

When a certificate is configured (``generate distribute --sign unit.p12``, or ``sign.yaml``
beside the distribution list)::

    sign:
      certificate: ../../keys/unit.p12   # relative to this file; its passphrase only from BRIEFING_SIGN_PASSPHRASE
      trust: ../../keys/ca.pem           # optional: the root 'distribute --verify' checks the copies against

each PDF copy, once stamped, gets its evidence (the dossier and the sources whose licence allows
it) and the unit's PAdES signature in one incremental update (``signing/sign.py``), so every
recipient's copy verifies on its own.  The manifest records who signed each copy.  A Word copy
cannot carry a PDF signature and is sent as before.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.dossier.loader import RawDossier
from briefing.dossier.validate import _schema_problems
from briefing.dossier.yamlload import Origins, load_yaml
from briefing.errors import BriefingError

if TYPE_CHECKING:
    from briefing.build.load import LoadedDossier
    from briefing.distribution.distribute import CopyStep, StampedCopy
    from briefing.signing.sign import Signer

SIGN_FILE = "sign.yaml"  # beside the distribution list
MANIFEST = "manifest.json"


class SignSettingsError(BriefingError):
    """The signing settings are invalid; the message names the file and line."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    certificate: str
    trust: str | None = None


class _SignFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    sign: _Section


@dataclass(frozen=True)
class SignSettings:
    certificate: Path
    trust: Path | None = None


def load_sign_settings(path: Path) -> SignSettings | None:
    """The settings in ``path`` (``sign.yaml``), or None if there is no such file."""
    if not path.is_file():
        return None
    origins = Origins()
    data, problems = load_yaml(path, str(path), origins)
    if data is not None:
        if isinstance(data, dict) and isinstance(data.get("sign"), dict) and "passphrase" in data["sign"]:
            problems.append(
                origins.problem(
                    ("sign", "passphrase"), "a passphrase is never read from a file: set BRIEFING_SIGN_PASSPHRASE"
                )
            )
        else:
            try:
                section = _SignFile.model_validate(data).sign
            except ValidationError as error:
                problems.extend(_schema_problems(error, RawDossier(root=path.parent, data=data, origins=origins)))
    if problems:
        listed = "\n".join(f"  {problem}" for problem in sorted(problems))
        raise SignSettingsError(f"{len(problems)} problem(s) in the signing settings:\n{listed}")
    folder = path.parent
    return SignSettings(folder / section.certificate, folder / section.trust if section.trust else None)


def seal_step(loaded: LoadedDossier, signer: Signer) -> CopyStep:
    """A step for ``distribute``: each PDF copy, once stamped, gets its evidence and is signed
    (one incremental update); a Word copy passes as it is.  The evidence of each edition is
    gathered once."""
    from briefing.signing.evidence import Edition, evidence
    from briefing.signing.sign import seal

    info = loaded.dossier.dossier
    gathered: dict[tuple[str, str], list[object]] = {}

    def step(copy: StampedCopy, data: bytes) -> tuple[StampedCopy, bytes]:
        if copy.path.suffix != ".pdf":
            return copy, data
        recipient = copy.listed.recipient
        language = recipient.language or info.language
        key = (recipient.audience, language)
        if key not in gathered:
            brief = Edition(info.id, info.edition, info.date, recipient.audience, language)
            gathered[key] = list(evidence(loaded.raw, loaded.dossier, brief))
        sealed = seal(data, gathered[key], signer)  # type: ignore[arg-type]
        return replace(copy.holding(sealed), signed_by=signer.who), sealed

    return step


def trust_of(signer: Signer) -> tuple[bytes, ...]:
    """The certificates the unit's own PKCS#12 file carries (its authority's chain, else its own
    certificate): what the unit trusts when it re-checks its own copies."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    from briefing.signing.keys import passphrase_from

    bundle = pkcs12.load_pkcs12(signer.path.read_bytes(), passphrase_from(os.environ))
    chain = [item.certificate for item in bundle.additional_certs]
    if not chain and bundle.cert is not None:
        chain = [bundle.cert.certificate]
    return tuple(cert.public_bytes(Encoding.PEM) for cert in chain)


@dataclass(frozen=True)
class Checked:
    file: str
    ok: bool
    lines: tuple[str, ...]
    page: bool = False  # a sources page written beside Word copies, not a copy


def verify_copies(out_dir: Path, trust: tuple[bytes, ...]) -> list[Checked]:
    """Every copy ``out_dir/manifest.json`` lists, checked: present, the SHA-256 recorded, and a
    PDF by ``generate verify`` (its signature against ``trust``); then every sources page it lists
    (written beside the Word copies that link to it): present and the SHA-256 recorded."""
    manifest = out_dir / MANIFEST
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
        rows = [row for row in document["copies"] if isinstance(row, dict)]
        pages = [row for row in document.get("sources_pages") or [] if isinstance(row, dict)]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SignSettingsError(
            f"{manifest}: no readable manifest of copies ({error}); run 'generate distribute' first"
        ) from None
    from concurrent.futures import ThreadPoolExecutor

    def check(row: dict[str, object]) -> Checked:
        return _check_copy(out_dir, manifest, row, trust)

    # Each check runs in a child process of its own (check.py): one thread per core waits on one.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        checked = list(pool.map(check, rows))
    return checked + [_check_copy(out_dir, manifest, row, trust, page=True) for row in pages]


def _check_copy(
    out_dir: Path, manifest: Path, row: dict[str, object], trust: tuple[bytes, ...], page: bool = False
) -> Checked:
    """One file the manifest lists: a copy, or (``page``) a sources page, which has no signature."""
    from briefing.signing.check import Options, VerifyError, verify_file

    checked = []
    for entry in [row]:
        name = str(entry.get("file", ""))
        path = out_dir / name
        if not name or ".." in Path(name).parts or Path(name).is_absolute():
            checked.append(Checked(name, False, ("not a file inside the distribution folder",)))
            continue
        if not path.is_file():
            checked.append(Checked(name, False, ("missing",)))
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
            checked.append(Checked(name, False, ("changed since it was written: its SHA-256 is not the manifest's",)))
            continue
        if page:
            checked.append(Checked(name, True, ("as written (the sources page the Word copies beside it link to)",)))
            continue
        if path.suffix != ".pdf":
            checked.append(Checked(name, True, ("as written (a Word copy carries no signature)",)))
            continue
        try:
            report = verify_file(path, Options(trust=trust, manifest=manifest))
        except VerifyError as error:
            checked.append(Checked(name, False, (str(error),)))
            continue
        lines = tuple(
            f"{part.title}: {part.status}" + (f": {part.lines[-1]}" if part.status != "ok" and part.lines else "")
            for part in report.parts
        )
        checked.append(Checked(name, report.ok, lines))
    return replace(checked[0], page=page)
