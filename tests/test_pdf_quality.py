"""The PDFs themselves, read back: outline, contents page numbers, metadata, fonts,
footnotes, tagging and page budgets.  Nothing here compares bytes with a stored file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import pdf_dict, pdf_string

from briefing import TemplateSet, load_dossier
from briefing.build.select import select_for_audience

ROOT = Path(__file__).resolve().parent.parent
AUDIENCES = ["ministry", "industry", "parliament"]


@pytest.fixture(scope="module")
def dossier() -> Any:
    return load_dossier(ROOT / "data", TemplateSet())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from briefing import build_briefs

    out = tmp_path_factory.mktemp("briefs")
    result = build_briefs(ROOT / "data", out, ["all"])
    return {brief.audience: out for brief in result.briefs}


def _pdf(built: dict[str, Path], dossier: Any, audience: str) -> Path:
    return built[audience] / f"{dossier.dossier.id}-{audience}.pdf"


def _html(built: dict[str, Path], dossier: Any, audience: str) -> str:
    return (built[audience] / f"{dossier.dossier.id}-{audience}.html").read_text(encoding="utf-8")


def _page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]


def _flat(text: str) -> str:
    text = text.replace("\u00ad", "").replace("\u2011", "-")
    text = re.sub(r"[-\u2010]\n(?=[a-ząćęłńóśźż])", "", text)  # words hyphenated at a line end
    return re.sub(r"\s+", " ", text)


def _outline_titles(reader: pypdf.PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


@pytest.mark.parametrize("audience", AUDIENCES)
def test_outline_has_every_section(built: dict[str, Path], dossier: Any, audience: str) -> None:
    profile = next(a for a in dossier.audiences if a.id == audience)
    titles = _outline_titles(pypdf.PdfReader(_pdf(built, dossier, audience)))
    for section in profile.sections:
        assert section.title in titles
    assert profile.labels.get("key-points", "Key points") in titles
    assert "Sources" in titles


@pytest.mark.parametrize("audience", AUDIENCES)
def test_contents_page_numbers_are_where_sections_start(built: dict[str, Path], dossier: Any, audience: str) -> None:
    path = _pdf(built, dossier, audience)
    reader = pypdf.PdfReader(path)
    if len(reader.pages) <= 2:
        pytest.skip("short briefs have no contents")
    # The outline gives each section's real page; the contents list must print the same number.
    outline_pages = {}

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                number = reader.get_destination_page_number(item)
                assert number is not None, f"{item.title!r} leads to no page"
                outline_pages[item.title] = number + 1

    walk(reader.outline)
    profile = next(a for a in dossier.audiences if a.id == audience)
    pages = _page_texts(path)
    contents_page = next(i for i, text in enumerate(pages) if "Contents" in text)
    contents = _flat(pages[contents_page])
    for section in profile.sections:
        match = re.search(re.escape(section.title) + r"[ .]*?(\d+)\b", contents)
        assert match, f"{section.title!r} not in the contents"
        printed = int(match.group(1))
        assert printed == outline_pages[section.title]
        # And the heading really is on that page.
        assert section.title in _flat(pages[printed - 1])


@pytest.mark.parametrize("audience", AUDIENCES)
def test_metadata(built: dict[str, Path], dossier: Any, audience: str) -> None:
    reader = pypdf.PdfReader(_pdf(built, dossier, audience))
    profile = next(a for a in dossier.audiences if a.id == audience)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == f"{dossier.dossier.title} — {profile.name}"
    assert meta.author == dossier.dossier.author
    assert meta.subject == " ".join(profile.purpose.split())
    assert pdf_string(meta["/Keywords"]) == ", ".join(dossier.dossier.keywords)
    # The creation date is the brief's date, not the clock.
    assert pdf_string(meta["/CreationDate"]).startswith("D:" + dossier.dossier.date.replace("-", ""))
    root = pdf_dict(reader.trailer["/Root"])
    assert root["/Lang"] == dossier.dossier.language
    assert bool(pdf_dict(root["/MarkInfo"])["/Marked"])  # tagged PDF
    assert "/StructTreeRoot" in root


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_font_is_embedded_and_covers_polish(built: dict[str, Path], dossier: Any, audience: str) -> None:
    reader = pypdf.PdfReader(_pdf(built, dossier, audience))
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources = page.get("/Resources", {})
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            fonts[str(font["/BaseFont"])] = embedded
    assert fonts, "no fonts found"
    assert all(fonts.values()), f"not embedded: {[name for name, ok in fonts.items() if not ok]}"
    assert all("Noto" in name for name in fonts), fonts


def test_polish_diacritics_survive(built: dict[str, Path], dossier: Any) -> None:
    # Source names with Polish letters must come out of the PDF exactly as they went in:
    # the embedded fonts have the glyphs and the text layer maps them back.
    polish = [s.publisher for s in dossier.sources if s.publisher and re.search("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]", s.publisher)]
    assert polish, "the shipped dossier names a Polish publisher"
    text = _flat(" ".join(_page_texts(_pdf(built, dossier, "ministry"))))
    for name in polish:
        assert name in text


@pytest.mark.parametrize("audience", AUDIENCES)
def test_footnotes_match_cited_claims(built: dict[str, Path], dossier: Any, audience: str) -> None:
    """Every cited claim has one footnote in the PDF and one note in the HTML, numbered 1..N."""
    pages = _page_texts(_pdf(built, dossier, audience))
    # A footnote line starts with its number and the name of a source.
    names = "|".join(re.escape((s.series or s.title)[:12]) for s in dossier.sources)
    numbers = [int(n) for page in pages for n in re.findall(rf"(?m)^(\d+)\. (?:{names})", page)]
    html = _html(built, dossier, audience)
    html_notes = re.findall(r'<li id="fn-(\d+)">', html)
    html_calls = re.findall(r'<a href="#fn-(\d+)"', html)
    assert html_notes == [str(n) for n in range(1, len(html_notes) + 1)]
    assert len(html_calls) == len(html_notes)
    assert numbers == list(range(1, len(html_notes) + 1))


@pytest.mark.parametrize("audience", AUDIENCES)
def test_fits_page_budget(built: dict[str, Path], dossier: Any, audience: str) -> None:
    profile = next(a for a in dossier.audiences if a.id == audience)
    pages = len(pypdf.PdfReader(_pdf(built, dossier, audience)).pages)
    assert pages <= profile.page_budget


@pytest.mark.parametrize("audience", AUDIENCES)
def test_marking_and_page_numbers_on_every_page(built: dict[str, Path], dossier: Any, audience: str) -> None:
    profile = next(a for a in dossier.audiences if a.id == audience)
    pages = _page_texts(_pdf(built, dossier, audience))
    for number, text in enumerate(pages, start=1):
        assert text.count(profile.marking) >= 2, f"page {number}: marking not top and bottom"
        assert f"Page {number} of {len(pages)}" in text


@pytest.mark.parametrize("audience", AUDIENCES)
def test_charts_are_vector_with_alt_text(built: dict[str, Path], dossier: Any, audience: str) -> None:
    html = _html(built, dossier, audience)
    brief = select_for_audience(dossier, next(a for a in dossier.audiences if a.id == audience))
    kinds = {view.kind for view in brief.sections}
    charts = re.findall(r'<svg role="img" aria-label="([^"]+)"', html)
    expected = ("deliveries" in kinds) + sum(len(v.comparisons) for v in brief.sections if v.kind == "comparison")
    assert len(charts) == expected
    # Alt text states the figures the chart draws, from the data.
    if "deliveries" in kinds:
        delivered = brief.programmes[0].cells["delivered"]
        assert delivered is not None, "the first programme has no delivered figure"
        assert any(delivered.text in alt for alt in charts)
    # The PDF has no raster images: charts stay vector.
    reader = pypdf.PdfReader(_pdf(built, dossier, audience))
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for xobject in xobjects.values():
            assert xobject.get_object().get("/Subtype") != "/Image"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_html_is_self_contained_and_semantic(built: dict[str, Path], dossier: Any, audience: str) -> None:
    html = _html(built, dossier, audience)
    assert f'<html lang="{dossier.dossier.language}">' in html
    assert re.search(r"<(script|link|img|iframe)\b", html) is None
    # Nothing is loaded from elsewhere; a link a reader clicks may lead to a note's passage: on the
    # brief's own sources page, or on a public source's page (issue 25).
    assert not re.search(r'src="(?!data:)', html), "external reference in the HTML"
    stem = f"{dossier.dossier.id}-{audience}"
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("#", f"{stem}.sources.html#", "https://", "http://")), f"external reference {href}"
    for landmark in ("<main", "<header", "<nav", "<footer"):
        assert landmark in html
    assert html.count("<h1") == 1
    assert '<th scope="col">' in html


@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_table_split_across_pages_keeps_at_least_two_rows_on_each(language: str) -> None:
    """Never a header and one row at a page foot, nor one row alone at the top of the next page.
    Laid out by WeasyPrint from the HTML the build gives it, and read from its page boxes (each
    page's part of a table body knows the element it draws), for every audience."""
    from collections import Counter

    import weasyprint
    from weasyprint.formatting_structure import boxes

    from briefing.build.load import load
    from briefing.build.render import Charts, font_folder, pdf_html
    from briefing.formats.registry import pdf_base
    from briefing.languages.i18n import use_language

    loaded = load(ROOT / "data", TemplateSet())
    templates, split = loaded.templates, 0
    edition = loaded.dossier_in(language)
    # The shipped briefs as built, and again with their tables set larger, so that some table runs
    # over a page whatever the shipped layout does (the rule is the stylesheet's, not the data's).
    layouts = []
    for profile in edition.audiences:
        with use_language(language):
            brief = select_for_audience(edition, profile)
            html = pdf_html(brief, templates, Charts(brief, font_folder(templates)), templates.environment(set()))
        layouts += [
            (profile, html),
            (profile, html.replace("</head>", "<style>table { font-size: 20pt; }</style></head>", 1)),
        ]
    for profile, html in layouts:
        document = weasyprint.HTML(string=html, base_url=pdf_base(templates).as_uri() + "/").render()
        rows: dict[Any, Counter[int]] = {}
        for number, page in enumerate(document.pages, start=1):
            for box in page._page_box.descendants():
                if isinstance(box, boxes.TableRowGroupBox) and box.element is not None and box.element.tag == "tbody":
                    drawn = sum(isinstance(row, boxes.TableRowBox) for row in box.children)
                    rows.setdefault(box.element, Counter())[number] += drawn
        for counts in rows.values():
            if len(counts) > 1:
                split += 1
                assert min(counts.values()) >= 2, f"{profile.id}: rows per page {dict(counts)}"
    assert split, "no table of these briefs runs over a page: the test would show nothing"
