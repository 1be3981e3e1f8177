"""The Word edition: every audience's .docx read back with python-docx, and opened in LibreOffice.

Each brief is built once for this module through the command line, as HTML and .docx from the
same selection, so the Word document can be checked against the HTML brief: the same headings,
one real footnote per citation with the same words, the same tables, captions and charts.
"""

from __future__ import annotations

import html as html_module
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import BriefText, read_pdf, run_cli, squash
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from briefing.errors import RenderError
from briefing.formats.render_docx import render_docx
from briefing.formats.render_html import TemplateSet

FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    out = tmp_path_factory.mktemp("docx-briefs")
    result = run_cli(
        "brief", "-a", "all", "--format", "html", "--format", "docx", "--out", out, "--data", repo_root / "data"
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def briefs(built: Path, dossier_id: str, profiles: dict[str, dict[str, Any]]) -> dict[str, tuple[str, Path]]:
    """For each audience: the HTML brief's text and the path of its .docx."""
    return {
        audience: (
            (built / f"{dossier_id}-{audience}.html").read_text(encoding="utf-8"),
            built / f"{dossier_id}-{audience}.docx",
        )
        for audience in profiles
    }


def plain(fragment: str) -> str:
    """Visible text of an HTML fragment: footnote calls, tags and extra spaces removed."""
    fragment = re.sub(r'<sup class="fnref">.*?</sup>', "", fragment, flags=re.S)
    fragment = re.sub(r"<[^>]+>", "", fragment)
    return " ".join(html_module.unescape(fragment).split())


def html_elements(page: str, tag: str, attribute: str = "") -> list[str]:
    """Inner HTML of every ``tag`` element whose start tag contains ``attribute``."""
    found = re.findall(rf"<{tag}\b([^>]*)>(.*?)</{tag}>", page, flags=re.S)
    return [inner for attrs, inner in found if attribute in attrs]


def styled(document: Document, style: str) -> list[str]:
    """Text of every paragraph in ``style``, table cells (the key-points box) included."""
    style_id = document.styles[style].style_id
    found = []
    for paragraph in document.element.body.iter(qn("w:p")):
        named = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if named is not None and named.get(qn("w:val")) == style_id:
            found.append(node_text(paragraph))
    return found


def footnotes_xml(document: Document) -> Any:
    part = document.part.part_related_by(FOOTNOTES_REL)
    from docx.oxml import parse_xml

    return parse_xml(part.blob)


def node_text(element: Any) -> str:
    return " ".join("".join(t.text or "" for t in element.iter(qn("w:t"))).split())


def test_every_audience_gets_a_docx_and_nothing_else_was_asked_for(
    built: Path, briefs: dict[str, tuple[str, Path]]
) -> None:
    for _, path in briefs.values():
        assert zipfile.is_zipfile(path), path
    assert not list(built.glob("*.pdf")), "only html and docx were asked for"


def test_headings_use_word_heading_styles(briefs: dict[str, tuple[str, Path]]) -> None:
    for audience, (page, path) in briefs.items():
        document = docx.Document(str(path))
        assert styled(document, "Title") == [plain(h) for h in html_elements(page, "h1")], audience
        h2_tags = re.findall(r"<h2\b[^>]*>", page)
        sections = [plain(inner) for tag, inner in zip(h2_tags, html_elements(page, "h2"), strict=True)
                    if "contents-heading" not in tag and "notes-heading" not in tag]  # fmt: skip
        assert styled(document, "Heading 1") == sections, audience
        assert styled(document, "Heading 2") == [plain(h) for h in html_elements(page, "h3")], audience
        assert len(sections) >= 5
        # The contents list is a Word contents field over the headings.
        instructions = " ".join(t.text or "" for t in document.element.body.iter(qn("w:instrText")))
        assert "TOC" in instructions, audience


def test_one_real_footnote_per_citation_with_the_html_notes_words(briefs: dict[str, tuple[str, Path]]) -> None:
    for audience, (page, path) in briefs.items():
        document = docx.Document(str(path))
        html_notes = [
            plain(re.sub(r"<a [^>]*>(?:↩|<span[^>]*>↩</span><span[^>]*>[^<]*</span>)</a>", "", inner))
            for inner in html_elements(page, "li", 'id="fn-')
        ]
        assert len(html_notes) == page.count('class="fnref"') > 10, audience
        notes = footnotes_xml(document)
        real = [n for n in notes.iter(qn("w:footnote")) if n.get(qn("w:type")) is None]
        separators = {n.get(qn("w:type")) for n in notes.iter(qn("w:footnote"))} - {None}
        assert separators == {"separator", "continuationSeparator"}
        assert [node_text(n) for n in real] == html_notes, audience
        references = [r.get(qn("w:id")) for r in document.element.body.iter(qn("w:footnoteReference"))]
        assert references == [str(n) for n in range(1, len(html_notes) + 1)], audience
        assert all(re.search(r"\[[A-F][1-6]?\]$", note) for note in html_notes)


def test_tables_have_repeating_header_rows_and_captions(briefs: dict[str, tuple[str, Path]]) -> None:
    for audience, (page, path) in briefs.items():
        document = docx.Document(str(path))
        data_tables = [
            t for t in document.tables if t.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        ]
        html_tables = html_elements(page, "table")
        assert len(data_tables) == len(html_tables) >= 2, audience
        for table, html_table in zip(data_tables, html_tables, strict=True):
            header = [plain(cell) for cell in html_elements(html_elements(html_table, "thead")[0], "th")]
            assert [" ".join(c.text.split()) for c in table.rows[0].cells] == header, audience
            body_rows = html_table.count("<tr") - 1
            assert len(table.rows) - 1 == body_rows, audience
        captions = styled(document, "Caption")
        for caption in html_elements(page, "figcaption") + html_elements(page, "caption"):
            assert plain(caption) in captions, (audience, plain(caption))


def test_tables_keep_two_rows_together_at_each_end(briefs: dict[str, tuple[str, Path]]) -> None:
    """As in the PDF: the header and first two rows, and the last two rows, never part at a page
    break (Word and LibreOffice keep a row whose paragraphs are 'kept with next' with the next row)."""

    def kept(row: Any) -> bool:
        paragraphs = list(row._tr.iter(qn("w:p")))
        return bool(paragraphs) and all(p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None for p in paragraphs)

    checked = 0
    for audience, (_, path) in briefs.items():
        for table in docx.Document(str(path)).tables:
            rows = list(table.rows)
            if rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None:
                continue
            body = rows[1:]
            expected = [True] + [index in (0, len(body) - 2) for index in range(len(body))]
            assert [kept(row) for row in rows] == expected, audience
            checked += 1
    assert checked >= 6


def test_charts_are_images_with_their_alt_text(briefs: dict[str, tuple[str, Path]]) -> None:
    for audience, (page, path) in briefs.items():
        document = docx.Document(str(path))
        alts = [html_module.unescape(a) for a in re.findall(r'<svg role="img" aria-label="([^"]*)"', page)]
        described = [d.get("descr") for d in document.element.body.iter(qn("wp:docPr"))]
        assert described == alts, audience
        pictures = [p for p in document.part.package.iter_parts() if p.content_type == "image/png"]
        assert len(pictures) == len(set(alts)) >= (1 if audience != "ministry" else 0)


def test_header_and_footer_carry_the_marking_and_page_numbers(
    briefs: dict[str, tuple[str, Path]], profiles: dict[str, dict[str, Any]]
) -> None:
    for audience, (_, path) in briefs.items():
        section = docx.Document(str(path)).sections[0]
        marking = profiles[audience]["marking"]
        for header in (section.header, section.first_page_header):
            assert marking in header.paragraphs[0].text
        footer = section.footer._element
        fields = " ".join(t.text or "" for t in footer.iter(qn("w:instrText")))
        assert "PAGE" in fields and "NUMPAGES" in fields
        assert marking in node_text(footer)
        width, height, left, top = section.page_width, section.page_height, section.left_margin, section.top_margin
        assert width is not None and height is not None and left is not None and top is not None  # set, not inherited
        assert abs(width - Mm(210)) < Mm(0.5) and abs(height - Mm(297)) < Mm(0.5)
        assert abs(left - Mm(18)) < Mm(0.5) and abs(top - Mm(22)) < Mm(0.5)


def test_document_properties_and_fonts(
    briefs: dict[str, tuple[str, Path]], profiles: dict[str, dict[str, Any]]
) -> None:
    for audience, (page, path) in briefs.items():
        document = docx.Document(str(path))
        properties = document.core_properties
        title = plain(html_elements(page, "title")[0])
        assert properties.title == title and profiles[audience]["name"] in title
        purpose = " ".join(profiles[audience]["purpose"].split())
        # Word keeps at most 255 characters in a property: a longer purpose is cut at a word.
        assert properties.subject == purpose or (
            len(properties.subject) <= 255 and purpose.startswith(properties.subject.removesuffix("…"))
        )
        assert properties.author == "Policy Briefing Unit"
        assert "Poland" in properties.keywords and properties.language == "en"
        assert properties.created is not None and properties.created.date().isoformat() in page
        defaults = document.styles.element.find(qn("w:docDefaults"))
        assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == "en"
        assert document.styles["Normal"].font.name == "Noto Serif"
        assert document.styles["Heading 1"].font.name == "Noto Sans"
        with zipfile.ZipFile(path) as package:
            assert not [name for name in package.namelist() if "thumbnail" in name]


def test_flags_badges_and_stale_dates_stay_visible(briefs: dict[str, tuple[str, Path]]) -> None:
    for audience, (page, path) in briefs.items():
        document = docx.Document(str(path))
        text = squash(" ".join(node_text(p) for p in document.element.body.iter(qn("w:p"))))
        for marker in ('class="flag"', 'class="priority', 'class="as-of stale"'):
            for inner in html_elements(page, "span", marker):
                assert squash(plain(inner)) in text, (audience, plain(inner))
        assert text.count("unconfirmed") >= page.count('class="flag"')


def test_rebuild_is_up_to_date_and_forced_rebuild_is_byte_identical(tmp_path: Path, repo_root: Path) -> None:
    args = ("brief", "-a", "industry", "--format", "docx,pdf", "--out", tmp_path, "--data", repo_root / "data")
    first = run_cli(*args)
    assert first.exit_code == 0, first.output
    written = sorted(tmp_path.glob("*.docx"))
    # No HTML brief was asked for; the sources page the Word file's notes link to is written beside it.
    stem = written[0].name.removesuffix(".docx")
    assert sorted(p.name.removeprefix(stem) for p in tmp_path.iterdir()) == [".docx", ".pdf", ".sources.html"]
    data = written[0].read_bytes()
    again = run_cli(*args)
    assert f"up to date {written[0]}" in again.output
    forced = run_cli(*args, "--force")
    assert f"wrote {written[0]}" in forced.output
    assert written[0].read_bytes() == data


def test_unknown_format_is_a_usage_error(tmp_path: Path, repo_root: Path) -> None:
    result = run_cli("brief", "-a", "industry", "--format", "html,odt", "--out", tmp_path, "--data", repo_root / "data")
    assert result.exit_code == 2
    assert "'odt' is not one of html, pdf, docx" in result.output
    assert not list(tmp_path.iterdir())


def _svg_page(svg: str) -> str:
    import base64

    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return f'<html lang="en"><body><p>x</p><figure><img class="chart-image" src="{uri}" alt="a"></figure></body></html>'


@pytest.mark.parametrize(
    "page",
    [
        _svg_page('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><image href="/etc/hostname"/></svg>'),
        _svg_page(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect style="fill: url(file:///x)"/></svg>'
        ),
        '<html><body><img src="https://example.com/logo.png" alt="x"></body></html>',
        '<html><body><img src="file:///etc/hostname" alt="x"></body></html>',
        '<html><body><img src="../../../etc/hostname" alt="x"></body></html>',
    ],
)
def test_images_outside_the_template_folders_are_refused(page: str) -> None:
    with pytest.raises(RenderError, match="refused"):
        render_docx(page, TemplateSet().static_folders)


def test_any_html_becomes_a_document_without_losing_text() -> None:
    """Markup the converter has no rule for (an override template's own) keeps its words."""
    page = (
        "<html><body><article><aside>Aside <b>bold</b><div>inner <table><tr><td>cell"
        "<table><tr><td>nested</td></tr></table></td></tr></table></div></aside>"
        + "<div>" * 500
        + "deep"
        + "</div>" * 500
        + "<ul><li>one<ul><li>two</li></ul></li></ul><dl><dd>lonely</dd></dl></article></body></html>"
    )
    document = docx.Document(__import__("io").BytesIO(render_docx(page, TemplateSet().static_folders).data))
    text = " ".join(node_text(p) for p in document.element.body.iter(qn("w:p")))
    for word in ("Aside", "bold", "inner", "cell", "nested", "deep", "one", "two", "lonely"):
        assert word in text


@pytest.fixture(scope="module")
def libreoffice_pdfs(briefs: dict[str, tuple[str, Path]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; 'bash scripts/setup.sh --test' installs it")
    out = tmp_path_factory.mktemp("libreoffice")
    profile = tmp_path_factory.mktemp("libreoffice-profile")
    paths = [str(path) for _, path in briefs.values()]
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir",
         str(out), *paths],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {audience: out / (path.stem + ".pdf") for audience, (_, path) in briefs.items()}


def test_libreoffice_opens_each_docx_with_headings_and_key_figures(
    briefs: dict[str, tuple[str, Path]], libreoffice_pdfs: dict[str, Path], pdf_text: Callable[[Path], BriefText]
) -> None:
    for audience, (page, _) in briefs.items():
        pdf = libreoffice_pdfs[audience]
        assert pdf.is_file(), f"LibreOffice did not convert the {audience} brief"
        text = BriefText(read_pdf(pdf))
        for heading in html_elements(page, "h2", "-heading") + html_elements(page, "h3"):
            if plain(heading) == "Notes":  # the HTML's list of notes is Word's footnotes
                continue
            assert text.says(plain(heading)), (audience, plain(heading))
        key_points = html_elements(html_elements(page, "section", 'class="key-points"')[0], "li")
        figures = [plain(cell) for cell in html_elements(page, "td", 'class="num"')]
        for claim in key_points:
            assert text.says(plain(claim)), (audience, plain(claim))
        for figure in figures:
            assert figure in text.flat, (audience, figure)
        assert "Page 1 of" in text.flat


HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def note_links(path: Path) -> list[list[str]]:
    """For each real footnote of the Word file, the addresses its hyperlinks lead to, read from the
    relationships of the footnotes part (python-docx), where the runs live."""
    from docx.oxml import parse_xml

    part = docx.Document(str(path)).part.part_related_by(FOOTNOTES_REL)
    notes = parse_xml(part.blob)
    found = []
    for note in notes.iter(qn("w:footnote")):
        if note.get(qn("w:type")) is None:
            links = note.iter(qn("w:hyperlink"))
            found.append([part.rels[link.get(qn("r:id"))].target_ref for link in links])
    for relationship in part.rels.values():  # every relationship of the notes is a link to click
        assert relationship.reltype == HYPERLINK_REL and relationship.is_external, relationship.reltype
    return found


def html_note_links(page: str) -> list[list[str]]:
    """For each note of the HTML brief, where its citations link (``a class="passage"``)."""
    return [
        [html_module.unescape(href) for href in re.findall(r'<a class="passage" href="([^"]+)"', inner)]
        for inner in html_elements(page, "li", 'id="fn-')
    ]


def test_each_note_links_where_the_html_notes_link(built: Path, briefs: dict[str, tuple[str, Path]]) -> None:
    """Issue 25 item 4: a note to a public source links to its passage on that page (a text
    fragment), a note to a stored source to the passage on the sources page written beside the
    Word file, exactly as the HTML brief's notes do."""
    public = stored = 0
    for audience, (page, path) in briefs.items():
        links = note_links(path)
        assert links == html_note_links(page), audience
        for address in (address for note in links for address in note):
            if address.startswith("https://"):
                public += 1
                assert "#:~:text=" in address, address
            else:
                stored += 1
                name, _, anchor = address.partition("#")
                assert "/" not in name and name == path.name.removesuffix(".docx") + ".sources.html", address
                assert f'id="{anchor}"' in (built / name).read_text(encoding="utf-8"), address
    assert public and stored > 50


def test_libreoffice_follows_the_note_links(
    briefs: dict[str, tuple[str, Path]], libreoffice_pdfs: dict[str, Path]
) -> None:
    """LibreOffice reads each note's hyperlink: the PDF it makes from the Word file links to the
    same addresses (the sources page by its relative name, with the passage's anchor)."""
    import pypdf

    for audience, (_, path) in briefs.items():
        wanted = {address for note in note_links(path) for address in note}
        shown = {
            str(annotation.get_object()["/A"]["/URI"])
            for pdf_page in pypdf.PdfReader(libreoffice_pdfs[audience]).pages
            for annotation in pdf_page.get("/Annots") or []
            if "/URI" in annotation.get_object().get("/A", {})
        }
        assert wanted and wanted <= shown, (audience, sorted(wanted - shown)[:3])
