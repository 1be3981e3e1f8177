"""Verifiable briefs (issue 25): signed PDFs that carry their evidence, 'generate verify', and
notes that lead to their passages.

Everything here is real: certificates made by 'generate keys', pyHanko's own validator, pypdf
reading the embedded files back, page-validation judging PDF/UA-1, and the links of built briefs
followed to the files they name.  The dossier is a copy of the FICTIONAL test dossier, with
licences and a public address added to its sources.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner, Result
from conftest import pdf_array, pdf_dict

from briefing.cli import main
from briefing.dossier.verify import normalise, quote_fragments, read_source
from briefing.formats.passages import parse_directive

ROOT = Path(__file__).resolve().parent.parent
FICTIONAL = ROOT / "tests" / "fixtures" / "fictional"
PASSPHRASE = "correct horse battery staple"
ENV = {"BRIEFING_SIGN_PASSPHRASE": PASSPHRASE}
LEDGER_URL = "https://harbour-ledger.example/2030/11/ferry-late"


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner()
    return runner.invoke(main, [str(arg) for arg in args], env=env or {}, catch_exceptions=False)


def _licensed_copy(folder: Path) -> Path:
    """The fictional dossier with licences: the treaty and the report may be copied, the newspaper
    article may not (and has a public address)."""
    data = folder / "dossier"
    shutil.copytree(FICTIONAL, data)
    sources = data / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    text = text.replace("    file: sources/orm-treaty.md\n", "    file: sources/orm-treaty.md\n    licence: CC0-1.0\n")
    text = text.replace(
        "    file: sources/vics-report.pdf\n",
        "    file: sources/vics-report.pdf\n    licence: permission of VICS, 3 March 2031\n    embed: true\n",
    )
    text = text.replace(
        "    file: sources/harbour-ledger.html\n", f"    file: sources/harbour-ledger.html\n    url: {LEDGER_URL}\n"
    )
    sources.write_text(text, encoding="utf-8")
    return data


class Published:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = _licensed_copy(root)
        self.keys = root / "keys"
        self.briefs = root / "briefs"
        self.editions = root / "editions"

    @property
    def pdfs(self) -> list[Path]:
        return sorted((self.editions / "1" / "briefs").glob("*.pdf"))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    built = Published(tmp_path_factory.mktemp("signed"))
    made = run("keys", "--out", built.keys, "--name", "Orm Strait Analysis Unit", env=ENV)
    assert made.exit_code == 0, made.output
    result = run(
        "publish",
        "--data", built.data,
        "--out", built.briefs,
        "--editions", built.editions,
        "--sign", built.keys / "unit.p12",
        env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "PDFs signed by Orm Strait Analysis Unit" in result.output
    assert built.pdfs
    return built


def verify(pdf: Path, *extra: str | Path) -> Result:
    return run("verify", pdf, *extra)


# ---------------------------------------------------------------------------
# Signing and verifying
# ---------------------------------------------------------------------------


def test_a_signed_brief_verifies_with_generate_verify_and_with_pyhankos_validator(published: Published) -> None:
    for pdf in published.pdfs:
        result = verify(pdf, "--trust", published.keys / "ca.pem")
        assert result.exit_code == 0, result.output
        for part in ("Signature: OK", "Edition manifest: OK", "Quotes: OK", "Figures: OK", "every part holds"):
            assert part in result.output, result.output
        assert re.search(r"[1-9]\d* quote\(s\) found in the source files the brief carries", result.output)

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from briefing.signing.check import _asn1_certificates

    roots = _asn1_certificates((published.keys / "ca.pem").read_bytes())
    with open(published.pdfs[0], "rb") as handle:
        signature = PdfFileReader(handle).embedded_signatures[0]
        status = validate_pdf_signature(signature, ValidationContext(trust_roots=roots, allow_fetching=False))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Orm Strait Analysis Unit"


def test_the_colophon_says_who_signed(published: Published, pdf_text: Any) -> None:
    text = " ".join(pdf_text(published.pdfs[0]).raw.split())
    assert "signed electronically by Orm Strait Analysis Unit" in text


def test_without_the_trust_root_the_signer_is_not_confirmed(published: Published, tmp_path: Path) -> None:
    result = verify(published.pdfs[0])
    assert result.exit_code == 1
    assert "who made the signature cannot be confirmed: run again with --trust" in result.output
    # A root that did not issue the unit's certificate is not trusted either.
    other = tmp_path / "other"
    assert run("keys", "--out", other, env=ENV).exit_code == 0
    result = verify(published.pdfs[0], "--trust", other / "ca.pem")
    assert result.exit_code == 1 and "does not lead to the trust root you gave" in result.output


def test_an_unconfirmed_signer_is_said_without_a_library_traceback(published: Published) -> None:
    """pyHanko logs the path it could not build with its exception's traceback; the command, run
    as a user runs it, says what failed in its own words and prints nothing else on stderr."""
    generate = Path(sys.executable).parent / "generate"
    done = subprocess.run(
        [str(generate), "verify", str(published.pdfs[0])], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "who made the signature cannot be confirmed" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Failed to build path" not in done.stderr, done.stderr


def _content_offset(data: bytes) -> int:
    """An offset inside a page's compressed content stream, well before the signature."""
    start = data.index(b"stream\n", len(data) // 8) + len(b"stream\n")
    return start + 20


def test_one_changed_byte_of_content_fails_with_a_clear_message(published: Published, tmp_path: Path) -> None:
    data = bytearray(published.pdfs[0].read_bytes())
    offset = _content_offset(bytes(data))
    data[offset] ^= 0x01
    changed = tmp_path / published.pdfs[0].name
    changed.write_bytes(bytes(data))
    result = verify(changed, "--trust", published.keys / "ca.pem")
    assert result.exit_code == 1, result.output
    assert "Signature: FAILED" in result.output
    assert "has been changed since Orm Strait Analysis Unit" in result.output
    assert "Traceback" not in result.output


def test_a_stripped_signature_fails(published: Published, tmp_path: Path) -> None:
    data = published.pdfs[0].read_bytes()
    # The signature is the last update: cutting the file at the end of the revision before it.
    previous = data.rindex(b"%%EOF", 0, len(data) - 10) + len(b"%%EOF\n")
    stripped = tmp_path / "stripped.pdf"
    stripped.write_bytes(data[:previous])
    result = verify(stripped, "--trust", published.keys / "ca.pem")
    assert result.exit_code == 1, result.output
    assert "the file is not signed" in result.output


def _resealed(published: Published, pdf: Path, edit: Any, keep_index: bool) -> bytes:
    """The brief before sealing, sealed again (signed with the unit's own key) with one embedded
    source edited by ``edit``; with ``keep_index`` its evidence index still has the old SHA-256."""
    import hashlib

    from briefing.build.load import load
    from briefing.formats.render_html import TemplateSet
    from briefing.signing.evidence import INDEX_NAME, Edition, evidence
    from briefing.signing.sign import Attachment, load_signer, seal

    loaded = load(published.data, TemplateSet())
    info = loaded.dossier.dossier
    audience = pdf.stem.removeprefix(f"{info.id}-")
    attachments = evidence(loaded.raw, loaded.dossier, Edition(info.id, info.edition, info.date, audience, "en"))
    name = "dossier/sources/orm-treaty.md"
    source = next(a for a in attachments if a.name == name)
    edited = edit(source.data)
    assert edited != source.data
    changed = []
    for attachment in attachments:
        if attachment.name == name:
            attachment = Attachment(name, edited, attachment.description, attachment.mime_type)
        elif attachment.name == INDEX_NAME and not keep_index:
            index = json.loads(attachment.data)
            for entry in index["sources"]:
                if entry.get("file") == name:
                    entry["sha256"] = hashlib.sha256(edited).hexdigest()
            data = json.dumps(index).encode()
            attachment = Attachment(INDEX_NAME, data, attachment.description, attachment.mime_type, "Supplement")
        changed.append(attachment)
    signer = load_signer(published.keys / "unit.p12", ENV)
    return seal((published.briefs / pdf.name).read_bytes(), changed, signer)


def _quoted_word(published: Published) -> tuple[bytes, bytes]:
    """A word of the treaty that a quote of the dossier contains, and a replacement."""
    return b"Verenia", b"Verania"


def test_an_edited_embedded_source_fails_even_if_signed_again(published: Published, tmp_path: Path) -> None:
    pdf = published.pdfs[0]
    word, other = _quoted_word(published)
    manifest = published.editions / "1" / "manifest.json"
    # The source edited, its index entry left: the SHA-256 no longer matches.
    sealed = tmp_path / "edited.pdf"
    sealed.write_bytes(_resealed(published, pdf, lambda data: data.replace(word, other), keep_index=True))
    result = verify(sealed, "--trust", published.keys / "ca.pem", "--manifest", manifest)
    assert result.exit_code == 1, result.output
    assert "dossier/sources/orm-treaty.md has been changed" in result.output
    # The index made to match as well: the quotes themselves are no longer in the source.
    sealed.write_bytes(_resealed(published, pdf, lambda data: data.replace(word, other), keep_index=False))
    result = verify(sealed, "--trust", published.keys / "ca.pem", "--manifest", manifest)
    assert result.exit_code == 1, result.output
    assert "Quotes: FAILED" in result.output and "not found in sources/orm-treaty.md" in result.output
    # And it is not the file the edition published.
    assert "Edition manifest: FAILED" in result.output


def test_a_hostile_or_broken_file_gets_a_message_never_a_traceback(tmp_path: Path) -> None:
    for name, data in {
        "empty.pdf": b"",
        "text.pdf": b"just text",
        "truncated.pdf": b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R",
        "bomb.pdf": b"%PDF-1.7\n" + b"[" * 100_000,
    }.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = verify(path)
        assert result.exit_code == 1, (name, result.output)
        assert "Traceback" not in result.output and result.output.strip(), name
    assert "no such" in verify(tmp_path / "missing.pdf").output.lower() or verify(tmp_path / "missing.pdf").exit_code


# ---------------------------------------------------------------------------
# The recipient's own copies of sources the brief does not carry (verify --sources DIR)
# ---------------------------------------------------------------------------

LEDGER = Path("sources") / "harbour-ledger.html"
NOT_CHECKED = re.compile(r"(\d+) quote\(s\) cite sources the brief does not carry, so they are not checked here: (.*)")


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _with_index(published: Published, pdf: Path, change: Any) -> bytes:
    """The brief before sealing, sealed again (signed with the unit's own key) with its evidence
    index changed by ``change`` (a function that edits the index's entry of the newspaper article)."""
    from briefing.build.load import load
    from briefing.formats.render_html import TemplateSet
    from briefing.signing.evidence import INDEX_NAME, Edition, evidence
    from briefing.signing.sign import Attachment, load_signer, seal

    loaded = load(published.data, TemplateSet())
    info = loaded.dossier.dossier
    audience = pdf.stem.removeprefix(f"{info.id}-")
    attachments = evidence(loaded.raw, loaded.dossier, Edition(info.id, info.edition, info.date, audience, "en"))
    changed = []
    for attachment in attachments:
        if attachment.name == INDEX_NAME:
            index = json.loads(attachment.data)
            change(next(entry for entry in index["sources"] if entry["id"] == "harbour-ledger"))
            data = json.dumps(index).encode()
            attachment = Attachment(INDEX_NAME, data, attachment.description, attachment.mime_type, "Supplement")
        changed.append(attachment)
    signer = load_signer(published.keys / "unit.p12", ENV)
    return seal((published.briefs / pdf.name).read_bytes(), changed, signer)


def test_the_recipients_copy_of_a_source_not_carried_is_found_by_its_sha256_and_its_quotes_checked(
    published: Published, tmp_path: Path
) -> None:
    pdf, trust = published.pdfs[0], published.keys / "ca.pem"
    # Without --sources the newspaper article's quotes (its licence forbids copying it) are not checked.
    without = verify(pdf, "--trust", trust)
    assert without.exit_code == 0, without.output
    skipped = NOT_CHECKED.search(without.output)
    assert skipped and "harbour-ledger: no licence" in skipped[2], without.output
    # The recipient's copy, saved under another name in a subfolder, beside an unrelated file.
    mine = tmp_path / "my copies"
    (mine / "downloads").mkdir(parents=True)
    shutil.copyfile(published.data / LEDGER, mine / "downloads" / "ferry article (saved).htm")
    (mine / "notes.txt").write_text("my own notes", encoding="utf-8")
    result = verify(pdf, "--trust", trust, "--sources", mine)
    assert result.exit_code == 0, result.output
    assert "Quotes: OK" in result.output and "every part holds" in result.output
    checked = re.search(
        r"harbour-ledger: checked against your copy downloads/ferry article \(saved\)\.htm in .*: "
        r"(\d+) of (\d+) quote\(s\) found in it",
        result.output,
    )
    assert checked and checked[1] == checked[2], result.output
    # Exactly the quotes that were not checked before are checked now; the interview has no file.
    still = NOT_CHECKED.search(result.output)
    assert still and "harbour-ledger" not in still[2] and "engineer-interview: no file" in still[2], result.output
    assert int(skipped[1]) - int(still[1]) == int(checked[1]) > 0


def test_a_copy_with_another_sha256_is_another_version_and_is_not_used(published: Published, tmp_path: Path) -> None:
    pdf, trust = published.pdfs[0], published.keys / "ca.pem"
    original = (published.data / LEDGER).read_bytes()
    edited = original.replace(b"have risen by 18%", b"have risen by 81%")  # one word of a quote
    assert edited != original
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "harbour-ledger.html").write_bytes(edited)
    result = verify(pdf, "--trust", trust, "--sources", mine)
    assert result.exit_code == 0, result.output  # not checked, as without --sources: the brief is not at fault
    assert f"harbour-ledger: no file in {mine} has its SHA-256 ({_sha256(original)[:12]}…)" in result.output
    assert (
        f"harbour-ledger.html has its file name but another SHA-256 ({_sha256(edited)[:12]}…): "
        "another version of the source, not used"
    ) in result.output
    assert "checked against your copy" not in result.output
    not_checked = NOT_CHECKED.search(result.output)
    assert not_checked and "harbour-ledger" in not_checked[2], result.output
    # Had the unit quoted that very file (its SHA-256 recorded), the copy is used, and the quote it
    # no longer holds fails: the quotes really are looked for in the recipient's copy.
    sealed = tmp_path / "brief.pdf"
    sealed.write_bytes(_with_index(published, pdf, lambda entry: entry.update(sha256=_sha256(edited))))
    result = verify(sealed, "--trust", trust, "--sources", mine)
    assert result.exit_code == 1, result.output
    assert "Quotes: FAILED" in result.output
    assert "harbour-ledger: checked against your copy harbour-ledger.html" in result.output
    assert "not found in sources/harbour-ledger.html: 'Fares on the crossing have risen by 18%" in result.output


def test_the_sources_folder_is_bounded_links_are_not_followed(published: Published, tmp_path: Path) -> None:
    from briefing.dossier.verify import MAX_SOURCE_BYTES
    from briefing.signing.copies import MAX_ENTRIES, MAX_TOTAL_BYTES

    pdf, trust = published.pdfs[0], published.keys / "ca.pem"
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copyfile(published.data / LEDGER, outside / "harbour-ledger.html")  # the right file, outside DIR
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "harbour-ledger.html").symlink_to(outside / "harbour-ledger.html")
    (mine / "library").symlink_to(outside, target_is_directory=True)
    with open(mine / "huge.pdf", "wb") as handle:  # sparse: refused by its size, never read
        handle.truncate(MAX_SOURCE_BYTES + 1)
    os.mkfifo(mine / "pipe")  # opened, a pipe would wait for a writer for ever
    result = verify(pdf, "--trust", trust, "--sources", mine)
    assert result.exit_code == 0, result.output
    assert "checked against your copy" not in result.output, result.output  # the file outside is not reached
    assert f"harbour-ledger: no file in {mine} has its SHA-256" in result.output
    assert "harbour-ledger.html: a symbolic link, not followed" in result.output
    assert "library: a symbolic link, not followed" in result.output
    assert f"huge.pdf: {MAX_SOURCE_BYTES + 1:,} bytes, more than a source may be (100 MiB); not read" in result.output
    assert "pipe: not a regular file; not read" in result.output
    # A folder of more files than the limit is not read at all, though the copy is in it.
    crowded = tmp_path / "crowded"
    crowded.mkdir()
    shutil.copyfile(published.data / LEDGER, crowded / "a-copy.html")
    for number in range(MAX_ENTRIES):
        (crowded / f"note-{number:05}.txt").write_bytes(b"")
    result = verify(pdf, "--trust", trust, "--sources", crowded)
    assert result.exit_code == 0, result.output
    assert f"{crowded} holds more than {MAX_ENTRIES:,} files and folders: nothing in it was read" in result.output
    assert "harbour-ledger: not looked for" in result.output and "checked against" not in result.output
    assert "Traceback" not in result.output
    # Nor is a folder whose files are larger together than the limit (sparse files: nothing is read).
    heavy = tmp_path / "heavy"
    heavy.mkdir()
    shutil.copyfile(published.data / LEDGER, heavy / "a-copy.html")
    for number in range(MAX_TOTAL_BYTES // MAX_SOURCE_BYTES + 1):
        with open(heavy / f"scan-{number}.pdf", "wb") as handle:
            handle.truncate(MAX_SOURCE_BYTES)
    result = verify(pdf, "--trust", trust, "--sources", heavy)
    assert result.exit_code == 0, result.output
    assert "checked against" not in result.output, result.output
    assert f"the files in {heavy} are " in result.output
    assert "the limit is 1 GiB: nothing in it was read" in result.output
    missing = verify(pdf, "--trust", trust, "--sources", tmp_path / "no such folder")
    assert missing.exit_code == 1 and "no such folder: not a folder (--sources names the folder" in missing.output


def test_an_index_naming_a_path_outside_or_a_bad_hash_reads_nothing_outside_the_folder(
    published: Published, tmp_path: Path
) -> None:
    pdf, trust = published.pdfs[0], published.keys / "ca.pem"
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copyfile(published.data / LEDGER, outside / "harbour-ledger.html")  # the right file, outside DIR
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own notes", encoding="utf-8")
    # The index names the file by a path that, from DIR, leads to the right file outside it.
    sealed = tmp_path / "outside-path.pdf"
    sealed.write_bytes(_with_index(published, pdf, lambda entry: entry.update(file="../outside/harbour-ledger.html")))
    result = verify(sealed, "--trust", trust, "--sources", mine)
    assert result.exit_code == 1, result.output
    assert "Quotes: FAILED" in result.output
    assert (
        "harbour-ledger: evidence.json names its file '../outside/harbour-ledger.html', which is not inside the "
        "embedded dossier: this tool never writes such a name, and nothing is read there"
    ) in result.output
    assert "checked against your copy" not in result.output
    # A SHA-256 that is not one: no copy is matched to it, even the right file in DIR.
    shutil.copyfile(published.data / LEDGER, mine / "harbour-ledger.html")
    for bad in ("../../etc/passwd", "AB" * 32, "0" * 63, 12345):
        sealed = tmp_path / "bad-hash.pdf"
        sealed.write_bytes(_with_index(published, pdf, lambda entry, bad=bad: entry.update(sha256=bad)))
        result = verify(sealed, "--trust", trust, "--sources", mine)
        assert result.exit_code == 1, (bad, result.output)
        assert f"harbour-ledger: evidence.json records no valid SHA-256 for its file ({bad!r})" in result.output
        assert "checked against your copy" not in result.output and "Traceback" not in result.output


# ---------------------------------------------------------------------------
# The evidence inside, and PDF/UA
# ---------------------------------------------------------------------------


def test_a_published_pdf_carries_the_dossier_and_the_sources_it_may_copy(published: Published) -> None:
    reader = pypdf.PdfReader(io.BytesIO(published.pdfs[0].read_bytes()))
    attached = reader.attachments
    for name in ("evidence.json", "dossier/dossier.yaml", "dossier/facts.yaml", "dossier/sources.yaml"):
        assert name in attached, sorted(attached)
    assert any(name.startswith("dossier/audiences/") for name in attached)
    # Licensed sources are carried, byte for byte; the newspaper article is not, nor the recipients.
    for name in ("sources/orm-treaty.md", "sources/vics-report.pdf"):
        assert attached[f"dossier/{name}"][0] == (published.data / name).read_bytes()
    assert "dossier/sources/harbour-ledger.html" not in attached
    assert not any("distribution" in name or "recipients" in name for name in attached)
    index = json.loads(attached["evidence.json"][0])
    ledger = next(entry for entry in index["sources"] if entry["id"] == "harbour-ledger")
    assert ledger["embedded"] is False and ledger["url"] == LEDGER_URL and len(ledger["sha256"]) == 64
    assert "no licence" in ledger["reason"]
    # Marked as the document's source: associated files of the catalogue.
    associated = pdf_array(pdf_dict(reader.trailer["/Root"])["/AF"])
    relationships = {str(spec.get_object()["/AFRelationship"]) for spec in associated}
    assert relationships == {"/Source", "/Supplement"}
    for spec in associated:
        spec = spec.get_object()
        assert spec["/F"] and spec["/UF"] and spec["/Desc"]  # PDF/UA-1 asks for all three


def test_signed_and_stamped_copies_keep_pdf_ua_1(published: Published, tmp_path: Path) -> None:
    page = pytest.importorskip("page", reason="page-validation is not installed: run 'bash scripts/setup.sh --test'")
    copies = _distributed(published, tmp_path)
    files = [*published.pdfs, *sorted(copies.rglob("*.pdf"))]
    failures = [
        f"{path.name}: {failure.rule_id}: {failure.message}"
        for path in files
        for failure in page.validate_pdf(str(path), profile="ua1").failures
    ]
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------
# Distribution
# ---------------------------------------------------------------------------


def _distributed(published: Published, tmp_path: Path) -> Path:
    folder = tmp_path / "distribution"
    folder.mkdir()
    (folder / "recipients.yaml").write_text(
        "# FICTIONAL recipients\nrecipients:\n"
        "  - {name: Ada Vell, organisation: Water Board, audience: water-ministry, email: a@example.org, copies: 2}\n",
        encoding="utf-8",
    )
    (folder / "sign.yaml").write_text(
        f"# FICTIONAL signing settings\nsign:\n  certificate: {published.keys / 'unit.p12'}\n"
        f"  trust: {published.keys / 'ca.pem'}\n",
        encoding="utf-8",
    )
    out = tmp_path / "copies"
    result = run(
        "distribute", "--data", published.data, "--list", folder / "recipients.yaml",
        "--out", out, "--briefs", published.briefs, env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_distribution_signs_each_copy_records_it_and_verify_rechecks_them(published: Published, tmp_path: Path) -> None:
    out = _distributed(published, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [row["signed_by"] for row in manifest["copies"]] == ["Orm Strait Analysis Unit"] * 2
    assert "signed_by" in (out / "manifest.csv").read_text(encoding="utf-8").splitlines()[0]
    listed: list[str | Path] = ["--list", tmp_path / "distribution" / "recipients.yaml", "--data", published.data]
    checked = run("distribute", "--verify", "--out", out, *listed, env=ENV)
    assert checked.exit_code == 0, checked.output
    assert "2 of 2 copies verified" in checked.output
    copy = out / manifest["copies"][1]["file"]
    data = bytearray(copy.read_bytes())
    data[_content_offset(bytes(data))] ^= 0x01
    copy.write_bytes(bytes(data))
    checked = run("distribute", "--verify", "--out", out, *listed, env=ENV)
    assert checked.exit_code == 1, checked.output
    assert f"FAILED {manifest['copies'][1]['file']}" in checked.output and "1 of 2 copies verified" in checked.output


# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------


def test_keys_need_a_passphrase_never_overwrite_and_a_wrong_one_is_named(published: Published, tmp_path: Path) -> None:
    result = run("keys", "--out", tmp_path / "k")
    assert result.exit_code == 1 and "set BRIEFING_SIGN_PASSPHRASE" in result.output
    result = run("keys", "--out", published.keys, env=ENV)
    assert result.exit_code == 1 and "never overwritten" in result.output
    assert "institution's own certificate" in run("keys", "--out", tmp_path / "k2", env=ENV).output
    wrong = run(
        "publish", "--data", published.data, "--out", tmp_path / "b", "--editions", tmp_path / "e",
        "--sign", published.keys / "unit.p12", env={"BRIEFING_SIGN_PASSPHRASE": "wrong"},
    )  # fmt: skip
    assert wrong.exit_code == 1 and "wrong passphrase" in wrong.output and "Traceback" not in wrong.output
    assert not (tmp_path / "e").exists()


# ---------------------------------------------------------------------------
# Every footnote leads to its passage
# ---------------------------------------------------------------------------


class _Links(HTMLParser):
    """The passage links of a page's notes, and the text inside each element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.stack: list[tuple[str, str | None]] = []
        self.ids: dict[str, list[str]] = {}
        self.marks: dict[str, list[str]] = {}
        self._mark: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("class") == "passage":
            self.links.append(html.unescape(found.get("href") or ""))
        if found.get("id"):
            self.ids[str(found["id"])] = []
        self.stack.append((tag, found.get("id")))
        if tag == "mark":
            self._mark = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark" and self._mark is not None:
            for _, anchor in self.stack:
                if anchor:
                    self.marks.setdefault(anchor, []).append("".join(self._mark))
            self._mark = None
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._mark is not None:
            self._mark.append(data)


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _follow(brief: Path, data: Path) -> int:
    """Follow every passage link of ``brief``; each must find its passage.  How many were followed."""
    from briefing.build.load import load
    from briefing.formats.render_html import TemplateSet

    sources = {source.url: source for source in load(data, TemplateSet()).dossier.sources if source.url}
    links = _parse(brief).links
    notes = brief.read_text(encoding="utf-8").count('<li id="fn-')
    assert links and len(links) >= notes, (brief.name, len(links), notes)
    for link in links:
        if link.startswith("https://"):
            address, _, _ = link.partition("#")
            source = sources[address]
            start, end = parse_directive(link)
            # The text fragment, as a browser matches it, against the stored copy of that page.
            page = " ".join(" ".join(read_source(data / str(source.file)).extracted.pages).split())
            at = page.find(start)
            assert at >= 0, (link, start)
            assert end is None or page.find(end, at + len(start)) >= 0, (link, end)
        else:
            name, _, anchor = link.partition("#")
            target = _parse(brief.parent / name)
            assert anchor in target.ids, link
            marked = " ".join(normalise(mark) for mark in target.marks.get(anchor, []))
            assert marked, link
    return len(links)


def test_every_footnote_link_of_a_built_brief_leads_to_its_passage(published: Published, shipped_briefs: Any) -> None:
    followed = 0
    for brief in sorted(published.briefs.glob("*.html")):
        if not brief.name.endswith(".sources.html"):
            followed += _follow(brief, published.data)
    for brief in sorted(shipped_briefs.out.glob("*.html")):
        if not brief.name.endswith(".sources.html"):
            followed += _follow(brief, ROOT / "data")
    assert followed > 50


def test_a_public_sources_link_is_a_text_fragment_of_its_own_words(published: Published) -> None:
    links = [link for path in published.briefs.glob("*.html") for link in _parse(path).links]
    fragments = [link for link in links if link.startswith(LEDGER_URL + "#:~:text=")]
    assert fragments
    for link in fragments:
        directive = link.split("#:~:text=", 1)[1]
        assert not re.search(r"[^A-Za-z0-9%,._~]", directive), directive  # percent-encoded, '-' included
    # The page writes "Orm‑class" with a no-break hyphen: the fragment keeps the page's character.
    assert any("Orm\u2011class" in parse_directive(link)[0] for link in fragments), fragments


def test_the_sources_page_marks_each_quoted_passage_and_is_inert(published: Published) -> None:
    pages = sorted(published.briefs.glob("*.sources.html"))
    assert pages
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert "Content-Security-Policy" in text and "default-src 'none'" in text
        assert "<script" not in text.lower() and "http://" not in text and "https://" not in text
        parsed = _parse(path)
        passages = [anchor for anchor in parsed.ids if anchor.startswith("q-")]
        assert passages
        for anchor in passages:  # each passage anchored, with its quoted words marked
            assert parsed.marks.get(anchor) and all(mark.strip() for mark in parsed.marks[anchor]), anchor
    # Every quote of the treaty cited by a brief is marked in its words on the page.
    from briefing.build.load import load
    from briefing.formats.render_html import TemplateSet

    dossier = load(published.data, TemplateSet()).dossier
    marked = " ".join(normalise(m) for path in pages for ms in _parse(path).marks.values() for m in ms)
    treaty = [c.quote for fact in dossier.facts for c in fact.cites if c.source == "orm-treaty"]
    assert treaty and any(all(f in marked for f in quote_fragments(q)) for q in treaty)
