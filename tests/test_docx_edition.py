"""The Word edition in every language: the catalogue's words, fonts and language marks, links
inside the brief, and outside it only links a reader clicks, the current Word format, and a full page 1.

Every edition of the shipped dossier is built once as .docx; the English and Polish files are
also opened in LibreOffice (as test_docx.py does) to see where page 1 ends.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from conftest import run_cli
from docx.oxml.ns import qn

from briefing.distribution.stamp import stamp_docx
from briefing.formats.render_docx import render_docx
from briefing.formats.render_html import TemplateSet
from briefing.languages import i18n

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every audience's .docx in every language, by file name."""
    out = tmp_path_factory.mktemp("docx-editions")
    result = run_cli("brief", "-a", "all", "--lang", "all", "--format", "docx", "--out", out, "--data", ROOT / "data")
    assert result.exit_code == 0, result.output
    files = {path.name: path for path in sorted(out.glob("*.docx"))}
    assert len(files) == 9
    return files


def _language(name: str) -> str:
    match = re.search(r"\.(pl|ko)\.docx$", name)
    return match[1] if match else "en"


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        return {
            name: package.read(name).decode("utf-8") for name in package.namelist() if name.endswith((".xml", ".rels"))
        }


def _shown(xml: str) -> str:
    """The text a part shows: its w:t elements (field instructions are not shown)."""
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _page_html(body: str, lang: str = "pl") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head><title>t</title></head><body>{body}</body></html>'


def test_the_footer_is_in_the_editions_language(editions: dict[str, Path]) -> None:
    for name, path in editions.items():
        words = i18n.translations(_language(name)).gettext("Page %(page)s of %(pages)s")
        footers = [xml for part, xml in _parts(path).items() if re.match(r"word/footer\d+\.xml", part)]
        assert len(footers) == 2, name
        for xml in footers:
            shown = _shown(xml)
            # PAGE and NUMPAGES show 1 until Word updates them.
            assert words.replace("%(page)s", "1").replace("%(pages)s", "1") in shown, (name, shown)
            assert "PAGE" in xml and "NUMPAGES" in xml
            if _language(name) != "en":
                assert "Page " not in shown and " of " not in shown, (name, shown)


def test_every_run_names_a_hangul_font(editions: dict[str, Path]) -> None:
    """Hangul in a run is drawn with Noto Sans KR (the East Asian font of the defaults, of every
    style and of every run that names fonts), declared in the font table with Malgun Gothic as its
    alternate, so Word never falls back to a face without Hangul."""
    for name, path in editions.items():
        parts = _parts(path)
        fonts = [
            tag
            for part in ("word/document.xml", "word/styles.xml", "word/footnotes.xml")
            for tag in re.findall(r"<w:rFonts [^>]*>", parts[part])
        ]
        assert fonts, name
        assert all('w:eastAsia="Noto Sans KR"' in tag for tag in fonts), (name, [t for t in fonts if "KR" not in t][:3])
        table = re.search(r'<w:font w:name="Noto Sans KR">(.*?)</w:font>', parts["word/fontTable.xml"], re.S)
        assert table is not None, name
        assert '<w:altName w:val="Malgun Gothic"/>' in table[1] and '<w:charset w:val="81"/>' in table[1]
        for family in ("Noto Serif", "Noto Sans"):
            assert f'<w:font w:name="{family}"><w:panose1' in parts["word/fontTable.xml"], (name, family)
    korean = [path for name, path in editions.items() if _language(name) == "ko"]
    assert all(re.search("[\uac00-\ud7a3]", _shown(_parts(path)["word/document.xml"])) for path in korean)


def test_runs_are_marked_with_the_language_of_their_text() -> None:
    page = _page_html('<p>Cytat: <q lang="en">a quote in English</q> i dalej.</p><p lang="ko">한국어 문단</p>')
    document = docx.Document(io.BytesIO(render_docx(page, TemplateSet().static_folders).data))
    runs = {_text(run): run for run in document.element.body.iter(qn("w:r"))}

    def language(text: str) -> dict[str, str] | None:
        mark = runs[text].find(f"{qn('w:rPr')}/{qn('w:lang')}")
        return None if mark is None else {key.split("}")[1]: value for key, value in mark.attrib.items()}

    assert language("a quote in English") == {"val": "en", "eastAsia": "en", "bidi": "en"}
    assert language("한국어 문단") == {"val": "ko", "eastAsia": "ko", "bidi": "ko"}
    assert language("Cytat: ") is None  # the document's language, set once in the defaults
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "pl"


def test_cross_references_are_links_to_bookmarks(editions: dict[str, Path]) -> None:
    for name, path in editions.items():
        xml = _parts(path)["word/document.xml"]
        anchors = re.findall(r'<w:hyperlink [^>]*w:anchor="([^"]+)"', xml)
        bookmarks = set(re.findall(r'<w:bookmarkStart [^>]*w:name="([^"]+)"', xml))
        assert [anchor for anchor in anchors if anchor not in bookmarks] == [], name
        # The cross-references between the bottom line and the body are links: "Key point 1: see
        # Bottom line" to its key point, or a headline's "in full under …" to the full statement.
        assert any(anchor.startswith(("kp_", "point_")) for anchor in anchors), name
        assert not re.search(r"<w:hyperlink [^>]*r:id=", xml), name


def test_the_file_is_in_the_current_word_format_and_claims_no_proofing(editions: dict[str, Path]) -> None:
    for name, path in editions.items():
        settings = _parts(path)["word/settings.xml"]
        assert re.search(r'w:name="compatibilityMode" [^>]*w:val="15"', settings), name
        assert "proofState" not in settings, name


def test_nothing_in_a_word_file_reaches_outside_it(editions: dict[str, Path]) -> None:
    """Nothing in the file loads or fetches by itself: no external relationship but a hyperlink a
    reader clicks (to a web page, or the sources page beside the file, as the HTML brief's notes
    link), no linked picture or template, and no field but PAGE, NUMPAGES and TOC, in any part.  A
    link to a local file or anything else that is not a page to click is plain text."""
    hostile = _page_html(
        '<p><a href="https://example.com/track">a link elsewhere</a> INCLUDEPICTURE "https://example.com/x.png" '
        '<a href="file:///etc/passwd">local</a> <a href="../../secret.html">up</a></p>'
    )
    samples = {name: _parts(path) for name, path in editions.items()}
    samples["hostile"] = _parts_of(render_docx(hostile, TemplateSet().static_folders).data)
    clickable = re.compile(r"(?:https?://|mailto:)[^\s\"]+|[A-Za-z0-9][A-Za-z0-9._-]*\.html(?:#[^\s\"]*)?")
    for name, parts in samples.items():
        for part, xml in parts.items():
            for relationship in re.findall(r"<Relationship [^>]*>", xml):
                if 'TargetMode="External"' in relationship:
                    assert 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"' in (
                        relationship
                    ), (name, part, relationship)
                    target = re.search(r'Target="([^"]*)"', relationship)
                    assert target and clickable.fullmatch(target[1]), (name, part, relationship)
            assert "r:link=" not in xml and "attachedTemplate" not in xml, (name, part)
            instructions = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", xml)
            assert all(i.split()[0] in ("PAGE", "NUMPAGES", "TOC") for i in instructions), (name, part, instructions)
            assert "<w:fldSimple" not in xml and "w:dde" not in xml.lower(), (name, part)
            assert "briefing-link" not in xml, (name, part)  # the writer's own mark never reaches the file
    shown = _shown(samples["hostile"]["word/document.xml"])
    assert "a link elsewhere" in shown and 'INCLUDEPICTURE "https://example.com/x.png"' in shown
    assert "local" in shown and "up" in shown
    links = re.findall(
        r"Target=\"([^\"]*)\" TargetMode=\"External\"", samples["hostile"]["word/_rels/document.xml.rels"]
    )
    assert links == ["https://example.com/track"]  # a page to click; the local file and the folder above are not links
    # The shipped editions' notes do link: to the sources page beside the file, and to public pages.
    notes = [parts.get("word/_rels/footnotes.xml.rels", "") for parts in samples.values()]
    assert any(".sources.html#q-" in rels for rels in notes) and any("https://" in rels for rels in notes)


@pytest.mark.parametrize("character", ["\ufffe", "\uffff", "\x01", "\x1b", "\ud800"])
def test_characters_xml_forbids_never_crash_the_writer(character: str) -> None:
    """Defence in depth: the input checks refuse these in a dossier; should one reach the writer
    (a template, a source title), it is replaced, never a traceback."""
    page = _page_html(
        f"<h1>Title{character}</h1><p>Text {character} here<span class='footnote'>note{character}</span></p>"
    )
    page = page.replace("<title>t</title>", f"<title>t{character}</title><meta name='author' content='a{character}'>")
    data = render_docx(page, TemplateSet().static_folders).data
    document = docx.Document(io.BytesIO(data))
    text = " ".join(_text(p) for p in document.element.body.iter(qn("w:p")))
    assert "Text \ufffd here" in text and character not in text
    stamped = stamp_docx(data, f"Copy 1 of 1 {character}", {"Copy": f"1{character}"})
    assert "Copy 1 of 1 \ufffd" in " ".join(_shown(xml) for xml in _parts_of(stamped).values())


def _parts_of(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {n: package.read(n).decode("utf-8") for n in package.namelist() if n.endswith((".xml", ".rels"))}


@pytest.fixture(scope="module")
def libreoffice_pdfs(editions: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; 'bash scripts/setup.sh --test' installs it")
    out = tmp_path_factory.mktemp("libreoffice-editions")
    profile = tmp_path_factory.mktemp("libreoffice-editions-profile")
    latin = [path for name, path in editions.items() if _language(name) in ("en", "pl")]
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir",
         str(out), *map(str, latin)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return {path.name: out / path.with_suffix(".pdf").name for path in latin}


def test_page_1_of_every_english_and_polish_word_file_is_full(
    editions: dict[str, Path], libreoffice_pdfs: dict[str, Path]
) -> None:
    """Page 1 holds the start of the bottom-line box and its text runs down to the foot of the
    page: the box splits across pages instead of leaving page 1 more than half blank."""
    assert len(libreoffice_pdfs) == 6
    for name, pdf in libreoffice_pdfs.items():
        document = docx.Document(str(editions[name]))
        box = document.tables[0]
        heading = box.rows[0].cells[0].paragraphs[0].text
        # One row per paragraph: the box breaks between them.
        assert heading and len(box.rows) >= 5 and all(len(row.cells[0].paragraphs) == 1 for row in box.rows), name
        page = pypdf.PdfReader(pdf).pages[0]
        height = float(page.mediabox.height)
        lines: list[float] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, lines: list[float] = lines) -> None:
            if text.strip():
                lines.append(tm[5] * cm[3] + cm[5])

        page.extract_text(visitor_text=visit)
        assert heading in page.extract_text(), f"{name}: the bottom-line box does not start on page 1"
        body = [y for y in lines if y > height * 0.1]  # above the footer
        assert min(body) < height * 0.25, f"{name}: page 1 ends {min(body) / height:.0%} up the page"
