"""``generate keys``: a throwaway certificate authority and a unit certificate, for trying signing out.

``DIR/ca.pem`` is the authority's certificate (what a recipient trusts, ``generate verify
--trust``); ``DIR/unit.p12`` holds the unit's key and certificate, encrypted with the passphrase in
``BRIEFING_SIGN_PASSPHRASE``.  The authority's private key is never written: once the command is
done no one can issue another certificate under it.  Real use needs the institution's own
certificate (docs/signing.md): nothing outside this folder trusts these.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from briefing.errors import BriefingError

PASSPHRASE_VARIABLE = "BRIEFING_SIGN_PASSPHRASE"
CA_FILE = "ca.pem"
UNIT_FILE = "unit.p12"
VALID_DAYS = 365
TEST_MARK = "TEST ONLY"


class KeysError(BriefingError):
    """The keys could not be made or written; the message says why."""


@dataclass(frozen=True)
class Written:
    ca: Path
    unit: Path
    subject: str
    not_after: datetime.datetime


def passphrase_from(environ: Mapping[str, str]) -> bytes | None:
    """The passphrase of a PKCS#12 file, from the environment only (never the command line,
    where other users of the machine can read it)."""
    value = environ.get(PASSPHRASE_VARIABLE)
    return value.encode("utf-8") if value else None


def make_keys(out_dir: Path, environ: Mapping[str, str], name: str = "Briefing unit") -> Written:
    """Write ``out_dir/ca.pem`` and ``out_dir/unit.p12``; refuses to replace either."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    passphrase = passphrase_from(environ)
    if passphrase is None:
        raise KeysError(f"set {PASSPHRASE_VARIABLE} to the passphrase that will protect {out_dir / UNIT_FILE}")
    if not name.strip() or len(name) > 64 or any(not ch.isprintable() for ch in name):
        raise KeysError("--name must be one printable line of at most 64 characters")
    ca_path, unit_path = out_dir / CA_FILE, out_dir / UNIT_FILE
    existing = [str(path) for path in (ca_path, unit_path) if os.path.lexists(path)]
    if existing:
        raise KeysError(f"{', '.join(existing)} already exist(s); keys are never overwritten: choose another --out")

    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=VALID_DAYS)
    organisation = x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{name} ({TEST_MARK})")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Throwaway CA for {name}"), organisation])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), organisation])
    unit = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"), key, unit, [ca], serialization.BestAvailableEncryption(passphrase)
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_new(ca_path, ca.public_bytes(serialization.Encoding.PEM), 0o644)
        _write_new(unit_path, bundle, 0o600)  # a private key: for its owner only
    except OSError as error:
        raise KeysError(f"cannot write the keys in {out_dir}: {error.strerror or error}") from None
    return Written(ca_path, unit_path, unit.subject.rfc4514_string(), end)


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,  # non-repudiation: the unit stands behind what it signs
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
