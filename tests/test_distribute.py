"""Distribution: stamped copies read back page by page, manifest and zips checked against the
files, the distribution list's errors located by file and line, and the refusals.

The audience PDFs come from the session's shipped build (copied, so nothing here writes
into it); only the out-of-date test renders a brief.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml
from click.testing import CliRunner
from conftest import pdf_array, pdf_dict, pdf_string

from briefing.cli_distribute import distribute as distribute_command
from briefing.distribution.distribute import Options, copy_names, distribute
from briefing.distribution.recipients import DistributionListError, Listed, Recipient, load_recipients
from briefing.distribution.stamp import StampError, StampFont, load_font, prepare, stamp_line, stamp_pdf
from briefing.errors import BriefingError
from briefing.formats.render_html import TemplateSet

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FONT = ROOT / "templates" / "static" / "fonts" / "NotoSans-Regular.ttf"
AUDIENCES = ("ministry", "industry", "parliament")

ZOFIA = {
    "name": "Zofia Wójcik-Łęcka",
    "organisation": "Ministry of Foreign Affairs",
    "audience": "ministry",
    "email": "z.wojcik-lecka@example.org",
    "copies": 2,
}
MICHAL = {
    "name": "Michał Żółkiewski",
    "organisation": "Example Steelworks S.A.",
    "audience": "industry",
    "email": "m.zolkiewski@example.com",
}
JAN = {
    "name": "Jan Kowalski",
    "organisation": "Sejm National Defence Committee",
    "audience": "ministry",
    "email": "jan.kowalski@example.org",
}


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def font() -> StampFont:
    return load_font(FONT)


@pytest.fixture(scope="module")
def ministry_pdf(briefs_dir: Path, dossier_id: str) -> bytes:
    return (briefs_dir / f"{dossier_id}-ministry.pdf").read_bytes()


def write_list(path: Path, *recipients: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"recipients": list(recipients)}, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def run_options(tmp_path: Path, list_path: Path, briefs_dir: Path, **changes: Any) -> Options:
    values: dict[str, Any] = {
        "data_dir": DATA,
        "list_path": list_path,
        "out_dir": tmp_path / "out",
        "briefs_dir": briefs_dir,
        "templates": TemplateSet(),
    }
    values.update(changes)
    return Options(**values)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


# ---------------------------------------------------------------------------
# Stamping
# ---------------------------------------------------------------------------


def test_every_page_carries_the_line_and_the_rest_is_the_unstamped_text(ministry_pdf: bytes, font: StampFont) -> None:
    line = stamp_line("Zofia Wójcik-Łęcka", "Ministry of Foreign Affairs", 2, 3, "UNCLASSIFIED")
    assert line == "UNCLASSIFIED · Prepared for Zofia Wójcik-Łęcka, Ministry of Foreign Affairs — copy 2 of 3"
    stamped = stamp_pdf(ministry_pdf, line, {}, font)
    original_pages, stamped_pages = page_texts(ministry_pdf), page_texts(stamped)
    assert len(stamped_pages) == len(original_pages) > 1
    for number, (original, text) in enumerate(zip(original_pages, stamped_pages, strict=True), start=1):
        assert text.count(line) == 1, f"page {number}: {text[-200:]!r}"
        assert text.replace("\n" + line, "", 1) == original, f"page {number} changed beyond the stamp"


def test_another_reader_finds_the_line_and_the_embedded_font(
    ministry_pdf: bytes, font: StampFont, tmp_path: Path
) -> None:
    if not (shutil.which("pdftotext") and shutil.which("pdffonts")):
        pytest.skip("poppler-utils (pdftotext, pdffonts) not installed")
    line = stamp_line("Łukasz Pietrzyk", "Senate Committee on National Defence", 1, 1, "UNCLASSIFIED")
    path = tmp_path / "copy.pdf"
    path.write_bytes(stamp_pdf(ministry_pdf, line, {}, font))
    pages = len(pypdf.PdfReader(path).pages)
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True)
    assert text.stderr == ""  # poppler reports any damage in the file structure here
    assert text.stdout.count(line) == pages
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    stamp_font = next(row for row in fonts.splitlines() if "+NotoSans-Regular" in row)
    assert re.search(r"Identity-H\s+yes\s+yes\s+yes", stamp_font), stamp_font  # embedded, subset, ToUnicode


def test_copies_are_the_same_bytes_in_every_process(ministry_pdf: bytes, font: StampFont, tmp_path: Path) -> None:
    """A rerun after a crash must stamp identical copies, or the delivery log would not recognise them."""
    line = stamp_line("Zofia Wójcik-Łęcka", "MSZ", 1, 2, "UNCLASSIFIED")
    here = hashlib.sha256(stamp_pdf(ministry_pdf, line, {"Copy": "1 of 2"}, font)).hexdigest()
    source = tmp_path / "brief.pdf"
    source.write_bytes(ministry_pdf)
    script = (
        "import hashlib, sys; from pathlib import Path; from briefing.distribution.stamp import load_font, stamp_pdf; "
        "font = load_font(Path(sys.argv[3])); "
        "data = stamp_pdf(Path(sys.argv[1]).read_bytes(), sys.argv[2], {'Copy': '1 of 2'}, font); "
        "print(hashlib.sha256(data).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    there = subprocess.run(
        [sys.executable, "-c", script, source, line, FONT], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()
    assert here == there


def test_metadata_and_structure_per_copy(ministry_pdf: bytes, font: StampFont) -> None:
    info = {"PreparedFor": "Zofia Wójcik-Łęcka, MSZ", "Copy": "1 of 2", "Marking": "UNCLASSIFIED", "Edition": "1"}
    first = pypdf.PdfReader(io.BytesIO(stamp_pdf(ministry_pdf, "line one", info, font)))
    second = pypdf.PdfReader(io.BytesIO(stamp_pdf(ministry_pdf, "line two", {**info, "Copy": "2 of 2"}, font)))
    original = pypdf.PdfReader(io.BytesIO(ministry_pdf))
    assert first.metadata is not None and original.metadata is not None
    for key, value in info.items():
        assert pdf_string(first.metadata["/" + key]) == value
    assert second.metadata is not None and pdf_string(second.metadata["/Copy"]) == "2 of 2"
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/CreationDate"):
        assert first.metadata[key] == original.metadata[key]
    # Each copy is a document of its own: same first /ID, its own second one.
    assert pdf_array(first.trailer["/ID"])[0] == pdf_array(second.trailer["/ID"])[0]
    assert pdf_array(first.trailer["/ID"])[1] != pdf_array(second.trailer["/ID"])[1]
    # Still tagged (PDF/UA): structure tree, outline, links, language as before.
    root, original_root = pdf_dict(first.trailer["/Root"]), pdf_dict(original.trailer["/Root"])
    for key in ("/StructTreeRoot", "/MarkInfo", "/Lang", "/Outlines", "/Metadata"):
        assert key in root, key
    assert len(first.outline) == len(original.outline)
    for page, before in zip(first.pages, original.pages, strict=True):
        assert len(page.get("/Annots", [])) == len(before.get("/Annots", []))
        assert page["/StructParents"] == before["/StructParents"]
        stamp = pdf_array(page["/Contents"])[-1].get_object().get_data()
        assert b"/Artifact" in stamp and b"EMC" in stamp  # the stamp is outside the structure tree
    assert original_root["/Lang"] == root["/Lang"]


def test_a_single_revision_without_the_unstamped_pages(ministry_pdf: bytes, font: StampFont) -> None:
    """Cutting the file short must not give back an unstamped brief: there is one revision only."""
    stamped = stamp_pdf(ministry_pdf, "Prepared for A. Person", {}, font)
    assert stamped.count(b"%%EOF") == 1 and stamped.count(b"startxref") == 1
    assert b"/Prev" not in stamped


def test_a_long_line_is_set_smaller_to_fit(ministry_pdf: bytes, font: StampFont) -> None:
    line = stamp_line("Grzegorz Brzęczyszczykiewicz-Wójcik", "Ministry of National Defence, " * 4, 10, 10, "TLP:GREEN")
    page = pypdf.PdfReader(io.BytesIO(stamp_pdf(ministry_pdf, line, {}, font))).pages[0]
    stamp = pdf_array(page["/Contents"])[-1].get_object().get_data().decode()
    font_size = re.search(r"/BriefingStamp ([\d.]+) Tf", stamp)
    assert font_size, "the stamp sets no size of its font"
    size = float(font_size[1])
    assert size < 7
    assert line in page.extract_text()


def test_characters_the_font_lacks_are_refused(ministry_pdf: bytes, font: StampFont) -> None:
    assert font.unprintable("Zofia Wójcik-Łęcka, Ξένια, Юлия, Nguyễn") == ""
    assert font.unprintable("김민준 Kim") == "김민준"
    with pytest.raises(StampError, match="cannot print '김'"):
        stamp_pdf(ministry_pdf, "김민준", {}, font)


def test_a_pdf_with_a_classic_cross_reference_table_is_stamped_too(font: StampFont) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(300, 400)
    buffer = io.BytesIO()
    writer.write(buffer)
    stamped = stamp_pdf(buffer.getvalue(), "Prepared for Ewa Dąbrowska", {"Copy": "1 of 1"}, font)
    reader = pypdf.PdfReader(io.BytesIO(stamped), strict=True)
    assert reader.pages[0].extract_text() == "Prepared for Ewa Dąbrowska"


def test_a_pdf_that_cannot_be_spliced_is_a_stamp_error() -> None:
    with pytest.raises(StampError):
        prepare(b"%PDF-1.7\nnot really a pdf\n")


# ---------------------------------------------------------------------------
# Copies, manifest, zips
# ---------------------------------------------------------------------------


def test_copies_manifest_and_zips(tmp_path: Path, briefs_dir: Path, dossier_id: str) -> None:
    list_path = write_list(tmp_path / "list" / "recipients.yaml", ZOFIA, MICHAL, JAN)
    result = distribute(run_options(tmp_path, list_path, briefs_dir, zip=True), environ={})
    out = tmp_path / "out"
    assert result.written and result.rebuilt == []
    assert len(result.copies) == 4

    edition = yaml.safe_load((DATA / "dossier.yaml").read_text("utf-8"))["dossier"]["edition"]
    with open(out / "manifest.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    document = json.loads((out / "manifest.json").read_text("utf-8"))
    assert document["dossier"] == dossier_id and document["edition"] == edition
    assert [{key: str(value) for key, value in row.items()} for row in document["copies"]] == rows  # CSV and JSON agree
    assert [(row["recipient"], row["copy"], row["copies"]) for row in rows] == [
        ("Zofia Wójcik-Łęcka", "1", "2"),
        ("Zofia Wójcik-Łęcka", "2", "2"),
        ("Michał Żółkiewski", "1", "1"),
        ("Jan Kowalski", "1", "1"),
    ]
    for row in rows:
        data = (out / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert row["edition"] == edition
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert int(row["pages"]) == len(reader.pages)
        assert reader.metadata is not None
        assert pdf_string(reader.metadata["/PreparedFor"]) == f"{row['recipient']}, {row['organisation']}"
        assert pdf_string(reader.metadata["/Copy"]) == f"{row['copy']} of {row['copies']}"
        assert row["file"].startswith(f"{row['audience']}/{dossier_id}-{row['audience']}-")
        assert f"Prepared for {row['recipient']}, {row['organisation']} — copy {row['copy']} of {row['copies']}" in (
            reader.pages[-1].extract_text()
        )

    for audience in ("ministry", "industry"):
        with zipfile.ZipFile(out / f"{dossier_id}-{audience}-copies.zip") as archive:
            expected = {Path(row["file"]).name: row for row in rows if row["audience"] == audience}
            assert sorted(archive.namelist()) == sorted([*expected, "SHA256SUMS"])
            for name, row in expected.items():
                assert archive.read(name) == (out / row["file"]).read_bytes()
            sums = archive.read("SHA256SUMS").decode().splitlines()
            assert sorted(sums) == sorted(f"{row['sha256']}  {name}" for name, row in expected.items())
    assert not (out / f"{dossier_id}-parliament-copies.zip").exists()

    # The same list again: the same bytes (copies, manifest and zips).
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    distribute(run_options(tmp_path, list_path, briefs_dir, zip=True), environ={})
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before


def test_dry_run_writes_nothing(tmp_path: Path, briefs_dir: Path) -> None:
    list_path = write_list(tmp_path / "recipients.yaml", ZOFIA)
    args = ("--list", list_path, "--out", tmp_path / "out", "--briefs", briefs_dir, "--data", DATA, "--dry-run")
    result = CliRunner().invoke(distribute_command, [str(arg) for arg in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "would write 2 stamped copies for 1 recipient in" in result.output
    assert not (tmp_path / "out").exists()


def test_file_names_are_unique_for_namesakes() -> None:
    def listed(name: str, organisation: str) -> Listed:
        recipient = Recipient(name=name, organisation=organisation, audience="ministry", email="a@example.org")
        return Listed(recipient, "recipients.yaml", 1)

    names = copy_names(
        [listed("Jan Kowalski", "Sejm"), listed("Jan Kowalski", "Senat"), listed("Zofia Wójcik-Łęcka", "MSZ")]
    )
    assert names == ["jan-kowalski-sejm", "jan-kowalski-senat", "zofia-wojcik-lecka"]


def test_out_of_date_briefs_are_rebuilt_and_only_then(
    tmp_path: Path, briefs_dir: Path, make_dossier: Callable[[], Any], dossier_id: str
) -> None:
    dossier = make_dossier()  # a copy keeps the files' modification times: the briefs are up to date
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    pdf = briefs / f"{dossier_id}-industry.pdf"
    shutil.copyfile(briefs_dir / pdf.name, pdf)
    list_path = write_list(tmp_path / "recipients.yaml", MICHAL)
    options = run_options(tmp_path, list_path, briefs, data_dir=Path(dossier.root))
    assert distribute(options, environ={}).rebuilt == []

    later = time.time() + 60
    os.utime(dossier.file("facts.yaml"), (later, later))
    built = pdf.stat().st_mtime
    dry = distribute(run_options(tmp_path, list_path, briefs, data_dir=Path(dossier.root), dry_run=True), environ={})
    assert dry.rebuilt == [pdf] and "would rebuild" in dry.lines()[0]
    assert pdf.stat().st_mtime == built  # a dry run renders in a scratch folder

    result = distribute(options, environ={})
    assert result.rebuilt == [pdf]
    assert pdf.stat().st_mtime > built
    assert (briefs / f"{dossier_id}-industry.html").exists()
    # The rebuilt brief is the same brief: unchanged inputs give the same bytes.
    assert pdf.read_bytes() == (briefs_dir / pdf.name).read_bytes()


# ---------------------------------------------------------------------------
# The distribution list
# ---------------------------------------------------------------------------


def test_the_shipped_list_is_valid_and_covers_every_audience(font: StampFont) -> None:
    listed = load_recipients(DATA / "distribution" / "recipients.yaml", AUDIENCES, font.unprintable)
    recipients = [entry.recipient for entry in listed]
    assert {r.audience for r in recipients} == set(AUDIENCES)
    assert any(set(r.name) & set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ") for r in recipients)
    assert any(r.copies > 1 for r in recipients)
    assert all(r.email.endswith(("@example.org", "@example.com")) for r in recipients)


BAD_LIST = """\
recipients:
  - name: Zofia Wójcik-Łęcka
    organisation: Ministry of Foreign Affairs
    audience: ministy
    email: z.wojcik-lecka@example.org
  - name: Anna Nowak
    organisation: National Security Bureau
    audience: ministry
    email: anna.nowak(at)example.org
    copies: "2"
  - name: zofia  wójcik-łęcka
    organisation: Ministry of foreign affairs
    audience: ministry
    email: zofia@example.org
  - name: Kim Min-jun
    organisation: ሰላም Office
    audience: industry
    email: kim@example.com
  - name: Ewa Dąbrowska
    organisation: Sejm
    audience: parliament
    email: ZOFIA@example.org
"""


def test_list_problems_are_reported_with_file_and_line(tmp_path: Path, font: StampFont) -> None:
    path = tmp_path / "recipients.yaml"
    path.write_text(BAD_LIST, encoding="utf-8")
    with pytest.raises(DistributionListError) as caught:
        load_recipients(path, AUDIENCES, font.unprintable)
    found = {(p.line, p.field): p.message for p in caught.value.problems}
    assert all(p.file == str(path) for p in caught.value.problems)
    assert "unknown audience 'ministy' (did you mean 'ministry'?)" in found[(4, "recipients[0].audience")]
    assert "not an email address" in found[(9, "recipients[1].email")]
    assert "write a number without quotes" in found[(10, "recipients[1].copies")]  # the dossier's own hint
    assert "duplicate recipient" in found[(11, "recipients[2].name")]
    assert "first listed on line 2" in found[(11, "recipients[2].name")]
    # Ethiopic: no stamp font has it (Hangul is drawn in the Korean stamp font since there is one).
    assert "cannot print 'ሰ' (U+1230)" in found[(16, "recipients[3].organisation")]
    assert "duplicate email address 'ZOFIA@example.org' (first listed on line 11)" in found[(22, "recipients[4].email")]
    assert len(found) == 6


def test_a_bad_list_on_the_command_line_is_a_message_not_a_traceback(tmp_path: Path, briefs_dir: Path) -> None:
    path = tmp_path / "recipients.yaml"
    path.write_text(BAD_LIST, encoding="utf-8")
    args = ("--list", path, "--out", tmp_path / "out", "--briefs", briefs_dir, "--data", DATA)
    result = CliRunner().invoke(distribute_command, [str(arg) for arg in args])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "6 problems in the distribution list:" in result.output
    assert f"{path}:4:15: recipients[0].audience: unknown audience 'ministy'" in result.output
    assert not (tmp_path / "out").exists()


def test_missing_and_malformed_list_files(tmp_path: Path, font: StampFont) -> None:
    with pytest.raises(DistributionListError, match="no such file"):
        load_recipients(tmp_path / "absent.yaml", AUDIENCES)
    path = tmp_path / "recipients.yaml"
    path.write_text("recipients:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(DistributionListError, match=r"recipients.yaml:\d+:\d+: YAML syntax error"):
        load_recipients(path, AUDIENCES)
    path.write_text("recipients: []\nsmtp: {}\n", encoding="utf-8")
    with pytest.raises(DistributionListError) as caught:
        load_recipients(path, AUDIENCES)
    assert {(p.line, p.field) for p in caught.value.problems} == {(1, "recipients"), (2, "smtp")}


# ---------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------


def test_refuses_to_distribute_while_check_reports_errors(
    tmp_path: Path, briefs_dir: Path, make_dossier: Callable[[], Any]
) -> None:
    dossier = make_dossier()
    line = dossier.edit("dossier.yaml", 'edition: "1"', "edition: 1")
    list_path = write_list(tmp_path / "recipients.yaml", ZOFIA)
    options = run_options(tmp_path, list_path, briefs_dir, data_dir=Path(dossier.root))
    with pytest.raises(BriefingError, match=r"refusing to distribute: 'generate check' reports 1 error") as caught:
        distribute(options, environ={})
    assert f"dossier.yaml:{line}:" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(distribute_command, ["--help"])
    assert result.exit_code == 0
    assert "generate distribute --zip" in result.output and "--send --dry-run" in result.output


def test_a_name_in_another_script_is_stamped_in_a_font_that_has_it(
    tmp_path: Path, briefs_dir: Path, make_dossier: Callable[..., Any]
) -> None:
    """A Korean organisation on a copy of the English edition, and a marking written in Hangul,
    are drawn in the Korean stamp font; only a line no single font can draw is refused, at its line."""
    korean = {"name": "Kim Min-jun", "organisation": "국방부", "audience": "ministry", "email": "kim@example.kr"}
    dossier = make_dossier()
    dossier.edit("audiences/parliament.yaml", "marking: UNCLASSIFIED", "marking: 대외비")
    list_path = write_list(tmp_path / "recipients.yaml", korean, {**JAN, "audience": "parliament"})
    result = distribute(run_options(tmp_path, list_path, tmp_path / "briefs", data_dir=Path(dossier.root)), environ={})
    stamped = {copy.listed.recipient.name: page_texts(copy.path.read_bytes()) for copy in result.copies}
    assert all(
        "UNCLASSIFIED · Prepared for Kim Min-jun, 국방부 — copy 1 of 1" in page for page in stamped["Kim Min-jun"]
    )
    jan = stamped["Jan Kowalski"]
    assert all(f"대외비 · Prepared for Jan Kowalski, {JAN['organisation']} — copy 1 of 1" in page for page in jan)

    mixed = write_list(tmp_path / "mixed.yaml", {**korean, "name": "Kim Min-jun ሰላም"})
    with pytest.raises(DistributionListError) as caught:
        distribute(run_options(tmp_path, mixed, briefs_dir), environ={})
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "recipients[0].name")]
    assert "cannot print 'ሰ' (U+1230)" in caught.value.problems[0].message


# ---------------------------------------------------------------------------
# The sources page travels with the Word copies that link to it
# ---------------------------------------------------------------------------

WORD_EN = {**MICHAL, "formats": ["pdf", "docx"], "copies": 2}
WORD_ONLY = {
    "name": "Ewa Dąbrowska",
    "organisation": "Example Shipyard S.A.",
    "audience": "industry",
    "email": "e.dabrowska@example.com",
    "formats": ["docx"],
}
WORD_PL = {
    "name": "Tomasz Wiśniewski",
    "organisation": "Przykładowa Huta S.A.",
    "audience": "industry",
    "email": "t.wisniewski@example.com",
    "formats": ["docx"],
    "language": "pl",
}


def hyperlinks(path: Path) -> list[str]:
    """Every address a Word file's hyperlinks open, read from the relationship parts of its zip."""
    from xml.etree import ElementTree

    addresses = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".rels"):
                for relationship in ElementTree.fromstring(archive.read(name)):
                    if relationship.get("TargetMode") == "External" and str(relationship.get("Type")).endswith(
                        "/hyperlink"
                    ):
                        addresses.append(str(relationship.get("Target")))
    return addresses


def beside_links(path: Path) -> list[str]:
    """The addresses among a Word file's links that are not web addresses: files beside it."""
    return [address for address in hyperlinks(path) if not re.match(r"[a-z][a-z0-9+.-]*:", address)]


def test_a_word_copy_has_the_sources_page_its_notes_link_to_beside_it(
    tmp_path: Path, word_briefs_dir: Path, dossier_id: str
) -> None:
    """Issue 25: every note link of a Word copy opens for its recipient.  The sources page is
    written once per edition beside the Word copies (English and Polish in one audience folder),
    listed in both manifests and zipped with them; a folder of PDF copies has none."""
    list_path = write_list(tmp_path / "recipients.yaml", WORD_EN, ZOFIA, WORD_ONLY, WORD_PL, JAN)
    result = distribute(run_options(tmp_path, list_path, word_briefs_dir, zip=True), environ={})
    out = tmp_path / "out"
    assert result.rebuilt == []
    assert not [warning for warning in result.warnings if "does not travel" in warning]

    english, polish = f"{dossier_id}-industry.sources.html", f"{dossier_id}-industry.pl.sources.html"
    assert sorted(path.name for path in (out / "industry").glob("*.html")) == sorted([english, polish])
    for name in (english, polish):  # the page the build wrote, as it is
        assert (out / "industry" / name).read_bytes() == (word_briefs_dir / name).read_bytes()
    assert list((out / "ministry").iterdir()) and not list((out / "ministry").glob("*.html"))

    word_copies = [copy for copy in result.copies if copy.path.suffix == ".docx"]
    assert len(word_copies) == 4  # two English copies, one English Word-only, one Polish
    for copy in word_copies:
        links = beside_links(copy.path)
        assert len(links) > 10, copy.path.name
        wanted = polish if copy.listed.recipient.language == "pl" else english
        for address in links:
            name, _, anchor = address.partition("#")
            assert name == wanted, address
            page = copy.path.parent / name
            assert page.is_file(), address
            assert f'id="{anchor}"' in page.read_text(encoding="utf-8"), address

    document = json.loads((out / "manifest.json").read_text("utf-8"))
    text = (out / "manifest.json").read_text("utf-8")
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    pages = document["sources_pages"]
    assert [(page["audience"], page["language"], page["file"]) for page in pages] == [
        ("industry", "en", f"industry/{english}"),
        ("industry", "pl", f"industry/{polish}"),
    ]
    for page in pages:
        assert page["sha256"] == hashlib.sha256((out / page["file"]).read_bytes()).hexdigest()
    with open(out / "manifest.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [{key: str(value) for key, value in row.items()} for row in document["copies"]] == rows[: len(result.copies)]
    page_rows = rows[len(result.copies) :]
    assert [(row["file"], row["sha256"]) for row in page_rows] == [(page["file"], page["sha256"]) for page in pages]
    assert all(row["recipient"] == row["email"] == row["copy"] == "" for row in page_rows)
    assert out / "industry" / english in result.files and out / "industry" / polish in result.files

    with zipfile.ZipFile(out / f"{dossier_id}-industry-copies.zip") as archive:
        for name in (english, polish):
            assert archive.read(name) == (out / "industry" / name).read_bytes()
        sums = archive.read("SHA256SUMS").decode().splitlines()
        assert {f"{page['sha256']}  {Path(page['file']).name}" for page in pages} <= set(sums)
    with zipfile.ZipFile(out / f"{dossier_id}-ministry-copies.zip") as archive:
        assert not [name for name in archive.namelist() if name.endswith(".html")]


def test_copies_for_pdf_readers_only_come_without_a_sources_page(tmp_path: Path, word_briefs_dir: Path) -> None:
    """The Word briefs and their pages are at hand, but nobody asked for Word: nothing else is written."""
    list_path = write_list(tmp_path / "recipients.yaml", MICHAL, ZOFIA)
    result = distribute(run_options(tmp_path, list_path, word_briefs_dir), environ={})
    out = tmp_path / "out"
    assert all(copy.sources_page is None for copy in result.copies)
    assert not list(out.rglob("*.html"))
    assert "sources_pages" not in json.loads((out / "manifest.json").read_text("utf-8"))
    assert len((out / "manifest.csv").read_text("utf-8").splitlines()) == 1 + len(result.copies)


def test_verify_rechecks_the_sources_page_against_the_manifest(tmp_path: Path, word_briefs_dir: Path) -> None:
    # Word copies only: an unsigned PDF copy does not pass --verify (it checks signatures).
    list_path = write_list(tmp_path / "recipients.yaml", {**WORD_ONLY, "copies": 2})
    out = tmp_path / "out"
    distribute(run_options(tmp_path, list_path, word_briefs_dir), environ={})
    (page_entry,) = json.loads((out / "manifest.json").read_text("utf-8"))["sources_pages"]
    page = out / page_entry["file"]
    args = ["--verify", "--list", list_path, "--out", out, "--data", DATA]

    def verify() -> Any:
        return CliRunner().invoke(distribute_command, [str(arg) for arg in args], catch_exceptions=False)

    checked = verify()
    assert checked.exit_code == 0, checked.output
    assert f"ok     {page_entry['file']}" in checked.output
    assert f"2 of 2 copies and 1 of 1 sources page verified in {out}" in checked.output

    page.write_bytes(page.read_bytes().replace(b"</main>", b"<p>added later</p></main>"))
    checked = verify()
    assert checked.exit_code == 1, checked.output
    assert f"FAILED {page_entry['file']}" in checked.output
    assert "changed since it was written: its SHA-256 is not the manifest's" in checked.output
    assert "2 of 2 copies and 0 of 1 sources page verified" in checked.output

    page.unlink()
    checked = verify()
    assert checked.exit_code == 1 and f"FAILED {page_entry['file']}" in checked.output and "missing" in checked.output


def test_a_word_brief_whose_sources_page_is_gone_is_rebuilt_with_it(
    tmp_path: Path, word_briefs_dir: Path, dossier_id: str
) -> None:
    """The Word brief is up to date but the page its notes link to was deleted: distribution
    rebuilds them rather than send copies whose links lead nowhere."""
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    for suffix in (".docx", ".sources.html"):
        shutil.copyfile(word_briefs_dir / f"{dossier_id}-industry{suffix}", briefs / f"{dossier_id}-industry{suffix}")
    (briefs / f"{dossier_id}-industry.sources.html").unlink()
    list_path = write_list(tmp_path / "recipients.yaml", WORD_ONLY)
    result = distribute(run_options(tmp_path, list_path, briefs), environ={})
    assert result.rebuilt == [briefs / f"{dossier_id}-industry.docx"]
    page = briefs / f"{dossier_id}-industry.sources.html"
    assert page.read_bytes() == (word_briefs_dir / page.name).read_bytes()
    assert (tmp_path / "out" / "industry" / page.name).read_bytes() == page.read_bytes()
