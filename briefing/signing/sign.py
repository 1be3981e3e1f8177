"""The unit's signature on a finished PDF (PAdES baseline, pyHanko), with the evidence it carries.

``seal`` adds, in one incremental update after everything else (stamping included), the
embedded files (``evidence.py``) and, when a certificate is given, a PAdES signature over the
whole file.  The bytes before the update are kept as they were, so the signature covers the
brief exactly as it was rendered and stamped.

PDF/UA-1 asks that every widget annotation sits in a ``Form`` structure element and has a
description (``/TU``): the invisible signature field gets both, and an embedded file's
specification carries ``/F``, ``/UF`` and ``/Desc``.  The brief's own tagging is not touched.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError
from briefing.signing.keys import PASSPHRASE_VARIABLE, passphrase_from
from briefing.signing.pyhanko_import import quiet

FIELD_NAME = "BriefingSignature"
# A PKCS#12 file holds a key and a few certificates: anything larger is not one.
MAX_PKCS12_BYTES = 1 << 20


class SignError(BriefingError):
    """The certificate cannot be used, or the PDF cannot be signed; the message says why."""


@dataclass(frozen=True)
class Attachment:
    """A file to embed in a PDF, as one of its associated files."""

    name: str  # shown in a PDF reader's attachments panel, e.g. "dossier/facts.yaml"
    data: bytes
    description: str
    mime_type: str
    relationship: str = "Source"  # PDF's /AFRelationship: Source, Data, Supplement, ...


@dataclass(frozen=True, eq=False)
class Signer:
    """The unit's key and certificate, loaded from a PKCS#12 file."""

    path: Path
    name: str  # the certificate subject's common name (or its organisation)
    subject: str  # the whole subject, RFC 4514
    not_after: datetime.datetime
    signer: Any  # pyhanko.sign.signers.SimpleSigner

    @property
    def who(self) -> str:
        """Who signs, as the colophon and the manifest say it: "Analysis Unit, Institute" style."""
        return self.name


def load_signer(path: Path, environ: Mapping[str, str], now: datetime.datetime | None = None) -> Signer:
    """The key and certificate in the PKCS#12 file ``path``, its passphrase from
    ``BRIEFING_SIGN_PASSPHRASE``; raises ``SignError`` saying what to do if it cannot be used."""
    with quiet():
        from cryptography.hazmat.primitives.serialization import pkcs12
        from cryptography.x509.oid import NameOID
        from pyhanko.sign import signers

    try:
        if path.stat().st_size > MAX_PKCS12_BYTES:
            raise SignError(f"{path}: not a PKCS#12 certificate file (larger than {MAX_PKCS12_BYTES // 1024} KiB)")
        data = path.read_bytes()
    except OSError as error:
        raise SignError(f"{path}: cannot read the certificate file: {error.strerror or error}") from None
    passphrase = passphrase_from(environ)
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        hint = (
            f"is {PASSPHRASE_VARIABLE} the passphrase it was exported with?"
            if passphrase
            else f"if it is protected by a passphrase, set {PASSPHRASE_VARIABLE}"
        )
        raise SignError(
            f"{path}: cannot open the certificate file: not PKCS#12, or a wrong passphrase ({hint})"
        ) from None
    except Exception as error:  # cryptography raises several kinds for unsupported contents
        raise SignError(f"{path}: cannot open the certificate file: {error}") from None
    if key is None or certificate is None:
        raise SignError(f"{path}: the file must hold the unit's private key and its certificate")
    now = now or datetime.datetime.now(datetime.UTC)
    not_after = certificate.not_valid_after_utc
    if not_after < now:
        raise SignError(
            f"{path}: the certificate expired on {not_after:%Y-%m-%d}; a signature made with it would not verify"
        )
    if certificate.not_valid_before_utc > now:
        raise SignError(f"{path}: the certificate is valid only from {certificate.not_valid_before_utc:%Y-%m-%d}")
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME) or (
        certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    )
    name = str(names[0].value) if names else certificate.subject.rfc4514_string()
    with quiet():
        try:
            signer = signers.SimpleSigner.load_pkcs12_data(data, [], passphrase=passphrase)
        except ValueError as error:
            raise SignError(f"{path}: cannot use the key in the certificate file: {error}") from None
    return Signer(path, name, certificate.subject.rfc4514_string(), not_after, signer)


def seal(pdf: bytes, attachments: Sequence[Attachment], signer: Signer | None, label: str = "") -> bytes:
    """``pdf`` with ``attachments`` embedded and, if ``signer`` is given, signed: one incremental
    update.  ``label`` describes the signature field to assistive technology ("Electronic
    signature of …")."""
    with quiet():
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.sign import fields, signers

    writer: Any

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        for attachment in attachments:
            _embed(writer, attachment)
        if signer is None:
            if not attachments:
                return pdf
            out = io.BytesIO()
            writer.write(out)
            return out.getvalue()
        spec = fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=0, box=None)
        fields.append_signature_field(writer, spec)
        _tag_signature_field(writer, label or f"Electronic signature of {signer.who}")
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            name=signer.who,
        )
        out = io.BytesIO()
        with quiet():
            signers.PdfSigner(metadata, signer.signer).sign_pdf(writer, output=out)
        return out.getvalue()
    except (PdfError, ValueError, KeyError, TypeError, NotImplementedError) as error:
        raise SignError(f"cannot sign this PDF: {error}") from None


def _generic() -> Any:
    """pyHanko's PDF object classes (its constructors are untyped: used as ``Any``)."""
    from pyhanko.pdf_utils import generic

    return generic


def _embed(writer: Any, attachment: Attachment) -> None:
    """One associated file: in the document's EmbeddedFiles name tree and its /AF array.

    pyHanko's own ``embed_file`` would mark the file as PDF 2.0; a brief is PDF/UA-1, which is
    PDF 1.7, where associated files are written the same way (as in PDF/A-3)."""
    from pyhanko.pdf_utils import embed

    generic = _generic()
    stream = embed.EmbeddedFileObject.from_file_data(
        writer,
        attachment.data,
        mime_type=attachment.mime_type,
        params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True),
    )
    spec = embed.FileSpec(
        file_spec_string=attachment.name,
        file_name=attachment.name,
        embedded_data=stream,
        description=attachment.description,
        af_relationship=generic.NameObject("/" + attachment.relationship),
    ).as_pdf_object()
    reference = writer.add_object(spec)
    root = writer.root
    names = root.get("/Names")
    if names is None:
        names = generic.DictionaryObject()
        root["/Names"] = names
    names = names.get_object()
    tree = names.get("/EmbeddedFiles")
    if tree is None:
        tree = generic.DictionaryObject({generic.NameObject("/Names"): generic.ArrayObject()})
        names["/EmbeddedFiles"] = writer.add_object(tree)
    tree = tree.get_object()
    if "/Kids" in tree:
        raise SignError("cannot embed files in this PDF: its list of embedded files is a tree of several levels")
    listed = tree["/Names"]
    # A name tree is sorted by name; names are unique within one evidence set.
    pairs = [(str(listed[i]), listed[i + 1]) for i in range(0, len(listed), 2)]
    pairs.append((attachment.name, reference))
    pairs.sort(key=lambda pair: pair[0])
    tree[generic.NameObject("/Names")] = generic.ArrayObject(
        item for name, value in pairs for item in (generic.TextStringObject(name), value)
    )
    associated = root.get("/AF")
    array = associated.get_object() if associated is not None else generic.ArrayObject()
    array.append(reference)
    root["/AF"] = array
    writer.update_container(tree)
    writer.update_root()
    if isinstance(root.raw_get("/Names"), generic.IndirectObject):
        writer.update_container(names)


def _tag_signature_field(writer: Any, label: str) -> None:
    """Put the (invisible) signature widget in the structure tree, in a ``Form`` element with
    ``label`` as its description, and give it a description of its own (``/TU``)."""
    generic = _generic()
    root = writer.root
    form = root["/AcroForm"].get_object()
    widget_ref = next((ref for ref in form["/Fields"] if ref.get_object().get("/T") == FIELD_NAME), None)
    if widget_ref is None:
        raise SignError("cannot sign this PDF: the signature field was not created")
    widget = widget_ref.get_object()
    widget[generic.NameObject("/TU")] = generic.TextStringObject(label)
    page_ref = widget.raw_get("/P")
    tree_root = root.get("/StructTreeRoot")
    if tree_root is None:  # an untagged PDF: nothing to keep valid
        writer.update_container(widget)
        return
    tree_root = tree_root.get_object()
    kids = tree_root.get("/K")
    kids = kids.get_object() if kids is not None else None
    parent_ref = kids[0] if isinstance(kids, generic.ArrayObject) and kids else tree_root.raw_get("/K")
    parent = parent_ref.get_object()
    if parent.get("/Type") == "/StructTreeRoot" or "/S" not in parent:
        raise SignError("cannot sign this PDF: its structure tree has no document element")
    parent_tree = tree_root["/ParentTree"].get_object()
    if "/Nums" not in parent_tree:
        raise SignError("cannot sign this PDF: its structure parent tree has several levels")
    numbers = parent_tree["/Nums"]
    used = [int(numbers[i]) for i in range(0, len(numbers), 2)]
    next_key = max([int(tree_root.get("/ParentTreeNextKey", 0)), *(n + 1 for n in used)])
    element = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/StructElem"),
            generic.NameObject("/S"): generic.NameObject("/Form"),
            generic.NameObject("/P"): parent_ref,
            generic.NameObject("/Alt"): generic.TextStringObject(label),
            generic.NameObject("/Pg"): page_ref,
            generic.NameObject("/K"): generic.DictionaryObject(
                {
                    generic.NameObject("/Type"): generic.NameObject("/OBJR"),
                    generic.NameObject("/Obj"): widget_ref,
                    generic.NameObject("/Pg"): page_ref,
                }
            ),
        }
    )
    element_ref = writer.add_object(element)
    widget[generic.NameObject("/StructParent")] = generic.NumberObject(next_key)
    children = parent.get("/K")
    if children is None:
        parent[generic.NameObject("/K")] = generic.ArrayObject([element_ref])
    else:
        resolved = children.get_object()
        if isinstance(resolved, generic.ArrayObject):
            resolved.append(element_ref)
            if isinstance(parent.raw_get("/K"), generic.IndirectObject):
                writer.update_container(resolved)
        else:
            parent[generic.NameObject("/K")] = generic.ArrayObject([children, element_ref])
    numbers.append(generic.NumberObject(next_key))
    numbers.append(element_ref)
    if isinstance(parent_tree.raw_get("/Nums"), generic.IndirectObject):
        writer.update_container(numbers)
    tree_root[generic.NameObject("/ParentTreeNextKey")] = generic.NumberObject(next_key + 1)
    page = page_ref.get_object()
    if page.get("/Tabs") != "/S":
        page[generic.NameObject("/Tabs")] = generic.NameObject("/S")
        writer.update_container(page)
    for changed in (widget, parent, parent_tree, tree_root):
        writer.update_container(changed)
