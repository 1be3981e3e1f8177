"""Render the print HTML to a tagged PDF with WeasyPrint.

WeasyPrint is imported here only, when a PDF is due.  Its default fetcher would
read any file and any URL; ours serves files from the template folders and
nothing else, and stops the render on anything it refuses.  Errors WeasyPrint
only logs (a missing image, a stylesheet it could not parse) are captured and
raised, so a brief never ships with a silent hole in it.  The fetcher also notes
every file it served: an image a stylesheet names is as much an input of the
PDF as the stylesheet (the incremental build records them).

The text layer is the text: WeasyPrint draws each piece of a line as it is laid out, so a space
that ends a line, a space between two inline elements (every pair of Hangul words, which the
build wraps one by one) and the word around a line-end hyphen would reach a screen reader and a
search only as gaps in position.  A small override (``_install_text_layer``) gives each such
piece the text it stands for as ``/ActualText``.

No note is lost: WeasyPrint lays pages out again when a page number it printed changes (the
contents list), keeps a page that did not change, and then forgets the footnotes that page had
moved on to the next one, so the next page, laid out again, drops them.
``_install_footnote_keeping`` gives a kept page's moved footnotes back, and every render counts
its footnotes, so a note lost for another reason stops the build instead of shipping.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefing.errors import RenderError

# WeasyPrint's PDF/UA-1 variant produces a tagged PDF with a structure tree.
PDF_VARIANT = "pdf/ua-1"
# A hyphen the layout adds at a line end is not part of the word: in tagged text it is a soft
# hyphen (ISO 32000-1, 14.8.2.2.3), which a screen reader does not read and a search skips.
SOFT_HYPHEN = "\u00ad"


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(record.getMessage())


@contextmanager
def _captured_log() -> Iterator[_Capture]:
    logger = logging.getLogger("weasyprint")
    handler = _Capture()
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False  # keep WeasyPrint's own stderr output away from users; we report it
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def _fetcher_class() -> type:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class FolderFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``file:`` URLs inside the allowed folders; refuses everything else."""

        def __init__(self, allowed: Sequence[Path]) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True)
            self.allowed = [folder.resolve() for folder in allowed]
            # Each file served, by its name relative to the static folders (as the search path finds it).
            self.served: set[str] = set()

        def _find(self, requested: Path) -> Path | None:
            """The file for a path inside an allowed folder, searched along the folders like
            templates are: a font the override's static/ lacks comes from the shipped one."""
            requested = Path(os.path.normpath(requested))
            for folder in self.allowed:
                if requested.is_relative_to(folder):
                    relative = requested.relative_to(folder)
                    for candidate in (base / relative for base in self.allowed):
                        resolved = candidate.resolve()
                        if resolved.is_file() and any(resolved.is_relative_to(f) for f in self.allowed):
                            self.served.add(relative.as_posix())
                            return resolved
            return None

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file":
                raise FatalURLFetchingError(
                    f"refused to fetch {url!r}: briefs may only use files from the template folders"
                )
            path = self._find(Path(unquote(parts.path)))
            if path is None:
                raise FatalURLFetchingError(f"refused to fetch {url!r}: not a file inside the template folders")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    return FolderFetcher


def _source_text(box: Any) -> str | None:
    return getattr(box, "briefing_source_text", None)


def _actual_text(box: Any) -> str | None:
    """The text a laid-out piece of text stands for, where it differs from what is drawn; else None.

    A piece that ends a line lost its trailing space to the layout ("Defence" for "Defence "); a
    piece of white space alone is not drawn at all (the space between two inline elements); a
    piece ending in an added hyphen draws one the text does not have ("dzie-" for "dzie").
    """
    source = _source_text(box)
    if source is None:
        return None
    drawn = box.text if box.text.strip() else ""  # WeasyPrint draws no text box of white space alone
    hyphen = box.style["hyphenate_character"]
    if hyphen and drawn.endswith(hyphen) and not source.endswith(hyphen):
        source += SOFT_HYPHEN
    return None if source == drawn else source


_text_layer_installed = False


def _install_text_layer() -> None:
    """Let each laid-out piece of text carry the text it stands for into the PDF (``/ActualText``).

    Three thin wrappers around WeasyPrint.  ``split_text_box`` (the line breaker) notes on each
    piece the slice of the original text it covers, trailing space included, and gives the spaces
    a break consumed on their own ("<span>European</span>⏎ market", a ``<br>``) to the piece after
    them; ``handle_leader`` gives the dots of a contents line no text (they are drawn, not read);
    ``Stream.marked`` (which opens the marked-content sequence of a piece) adds ``/ActualText``
    where the drawn text differs.  Upstream, the same would be a ``source_text`` kept by the line
    breaker and used in ``draw_inline_level``.  Installed once per process, before the first render.
    """
    global _text_layer_installed
    if _text_layer_installed:
        return
    import pydyf
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.layout.leader import leader_index
    from weasyprint.pdf.stream import Stream

    split_text_box = inline.split_text_box
    handle_leader = inline.handle_leader
    marked = Stream.marked

    # Spaces (or a forced line break) a break consumed at the very end of a box, for the piece that
    # the next call makes at the start of the next line.
    carried: list[str] = []

    def split_keeping_source(context: Any, box: Any, available_width: Any, skip: Any, **options: Any) -> Any:
        piece, resume, preserved_line_break = split_text_box(context, box, available_width, skip, **options)
        text, start = box.text.encode(), skip or 0
        carried_space = carried.pop() if carried else ""
        spaces_before = getattr(box, "briefing_spaces_before", {})
        if piece is not None:
            before = spaces_before.get(start) or (carried_space if options.get("is_line_start", True) else "")
            piece.briefing_source_text = before + text[start : len(text) if resume is None else resume].decode()
        elif resume is not None and not text[start:resume].strip():
            # The line broke before this box's next word (or at a <br>): the spaces up to it are
            # in no piece.  They go to the box's next piece, or to the next box's first piece.
            if resume < len(text):
                box.briefing_spaces_before = {**spaces_before, resume: " "}
            else:
                carried.append(" ")
        return piece, resume, preserved_line_break

    def leader_without_text(context: Any, line: Any, containing_block: Any) -> Any:
        handle_leader(context, line, containing_block)
        _, leader_box = leader_index(line)
        for dot in leader_box.children if leader_box is not None else ():
            dot.briefing_source_text = ""  # a contents line's dots are drawn, not read
        return None

    @contextmanager
    def marked_with_actual_text(stream: Any, box: Any, tag: str) -> Iterator[None]:
        with marked(stream, box, tag):
            actual = _actual_text(box) if isinstance(box, boxes.TextBox) else None
            if actual is not None and stream._tags is not None:
                stream.stream[-2]["ActualText"] = pydyf.String(actual)  # the BDC's property list
            yield

    inline.split_text_box = split_keeping_source
    inline.handle_leader = leader_without_text
    Stream.marked = marked_with_actual_text
    _text_layer_installed = True


_footnote_keeping_installed = False


def _install_footnote_keeping() -> None:
    """When WeasyPrint keeps a page and lays out the next again, give back the footnotes the kept
    page moved on (``make_all_pages`` leaves them cleared, so a note whose call ended a page was
    lost).  Two thin wrappers: ``remake_page`` notes what each page moved on; between pages,
    ``make_all_pages`` is handed that list back for the page it just gave, kept or made."""
    global _footnote_keeping_installed
    if _footnote_keeping_installed:
        return
    import weasyprint.layout as layout
    from weasyprint.layout import page as page_layout

    remake_page = page_layout.remake_page
    make_all_pages = page_layout.make_all_pages

    def remake_page_noting(index: int, context: Any, root_box: Any, html: Any) -> Any:
        made = remake_page(index, context, root_box, html)
        context.__dict__.setdefault("briefing_moved_on", {})[index] = list(context.reported_footnotes)
        return made

    def make_all_pages_keeping(context: Any, root_box: Any, html: Any, pages: Any) -> Iterator[Any]:
        for index, page in enumerate(make_all_pages(context, root_box, html, pages)):
            yield page
            context.reported_footnotes = list(context.briefing_moved_on.get(index, ()))

    page_layout.remake_page = remake_page_noting  # the name make_all_pages calls
    layout.make_all_pages = make_all_pages_keeping  # the name layout_document calls
    _footnote_keeping_installed = True


def _footnotes_laid_out(document: Any) -> int:
    """How many footnotes the pages of ``document`` carry."""
    from weasyprint.formatting_structure import boxes

    count = 0
    for page in document.pages:
        for child in page._page_box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                count += len(child.children)
    return count


def _mark_pagination_artifacts(document: Any, pdf: Any) -> None:
    """Make the text of the page margins (running title, marking, "Page n of N") pagination artifacts.

    WeasyPrint tags margin-box text as ``Span`` marked content whose structure elements hang
    outside the structure tree (in PDF 1.7 there is no way to put an artifact in the tree).  A
    screen reader then meets the running head as loose content, and PDF/UA wants page furniture
    marked ``/Artifact <</Type /Pagination>>``.  Called by WeasyPrint (its ``finisher``) on the
    finished objects just before they are written: each marked-content sequence whose
    structure element cannot be reached from the root becomes an artifact, its entry in the
    parent tree is emptied, and the orphan elements are emptied.
    """
    import pydyf

    objects = pdf.objects

    def resolve(reference: bytes) -> Any:
        return objects[int(reference.split()[0])]

    if "StructTreeRoot" not in pdf.catalog:
        return
    root = resolve(pdf.catalog["StructTreeRoot"])
    reachable: set[int] = set()
    stack = [kid for kid in root["K"] if isinstance(kid, bytes)]
    while stack:
        element = resolve(stack.pop())
        if element.number in reachable or element.get("Type") != "/StructElem":
            continue
        reachable.add(element.number)
        stack.extend(kid for kid in element.get("K", ()) if isinstance(kid, bytes))
    nums = resolve(root["ParentTree"])["Nums"]
    for page_index, page_reference in enumerate(pdf.page_references):
        parents = nums[2 * page_index + 1]
        orphans = {mcid for mcid, parent in enumerate(parents) if resolve(parent).number not in reachable}
        if not orphans:
            continue
        content = resolve(resolve(page_reference)["Contents"]).stream
        for index in range(1, len(content) - 1):
            item = content[index]
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in orphans and content[index + 1] == b"BDC":
                parents[item["MCID"]] = "null"
                content[index - 1] = "/Artifact"
                content[index] = pydyf.Dictionary({"Type": "/Pagination"})
    _annotations_into_links(objects, nums, len(pdf.page_references), reachable, resolve)
    for element in objects:
        orphan = isinstance(element, pydyf.Dictionary) and element.get("Type") == "/StructElem"
        if orphan and element.number not in reachable:
            element.clear()  # referenced by nothing now; written as an empty dictionary


def _soft_hyphens_into_structure(pdf: Any) -> None:
    """Move the text of a piece that ends in an added hyphen from its marked content to its ``Span``.

    Tagged text (what a screen reader reads) then has the word with a soft hyphen, while the page
    keeps a plain hyphen-minus glyph at the line end, which copy and search in viewers (poppler's
    pdftotext, pdf.js, PDFium) join to the word on the next line; marked-content ``/ActualText``
    would take precedence there and hide it.  A piece inside a link has no ``Span`` of its own
    (WeasyPrint gives its content to the ``Link``) and keeps its text in the content.
    """
    import pydyf

    objects = pdf.objects

    def resolve(reference: bytes) -> Any:
        return objects[int(reference.split()[0])]

    if "StructTreeRoot" not in pdf.catalog:
        return
    nums = resolve(resolve(pdf.catalog["StructTreeRoot"])["ParentTree"])["Nums"]
    for page_index, page_reference in enumerate(pdf.page_references):
        parents = nums[2 * page_index + 1]
        for item in resolve(resolve(page_reference)["Contents"]).stream:
            if not isinstance(item, pydyf.Dictionary) or "MCID" not in item or "ActualText" not in item:
                continue
            actual = item["ActualText"]
            element = resolve(parents[item["MCID"]])
            single = list(element.get("K", ())) == [item["MCID"]]
            if actual.string.endswith(SOFT_HYPHEN) and element.get("S") == "/Span" and single:
                element["ActualText"] = actual
                del item["ActualText"]


def _annotations_into_links(objects: list[Any], nums: list[Any], pages: int, reachable: set[int], resolve: Any) -> None:
    """Put each link annotation under its Link element.  WeasyPrint gives an element inside a link
    (``<a><span>…</span> …</a>``) an annotation of its own and tags it on the inner ``Span``;
    PDF/UA wants every link annotation inside a ``Link`` element.  The annotation moves up to the
    enclosing Link (a link may hold several annotations, one per piece)."""
    moved: dict[bytes, bytes] = {}
    for element in objects:
        if element.number not in reachable or element.get("S") == "/Link":
            continue
        kids = element.get("K", ())
        objrs = [kid for kid in kids if isinstance(kid, bytes) and resolve(kid).get("Type") == "/OBJR"]
        if not objrs:
            continue
        link = resolve(element["P"])
        while link.get("Type") == "/StructElem" and link.get("S") != "/Link" and "P" in link:
            link = resolve(link["P"])
        if link.get("S") != "/Link":
            continue
        element["K"] = type(kids)([kid for kid in kids if kid not in objrs])
        link["K"].extend(objrs)
        moved[element.reference] = link.reference
    # The parent tree names, for each annotation, the element it belongs to (after the pages' entries).
    for index in range(2 * pages + 1, len(nums), 2):
        nums[index] = moved.get(nums[index], nums[index])


def _finish(document: Any, pdf: Any) -> None:
    """Called by WeasyPrint on the finished objects just before they are written."""
    _soft_hyphens_into_structure(pdf)
    _mark_pagination_artifacts(document, pdf)


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    # Things WeasyPrint ignored (e.g. CSS it does not support): shown to the user, not fatal.
    warnings: tuple[str, ...]
    # The files the renderer read, by name inside the static folders (``fonts/NotoSans-Regular.ttf``).
    fetched: frozenset[str] = frozenset()
    # Where each heading of the outline starts: (label, depth, position in pages from the top of
    # page 1, e.g. 2.5 = half-way down page 3), in reading order; what takes the room (``budget.py``).
    outline: tuple[tuple[str, int, float], ...] = ()


def render_pdf(html: str, base_folder: Path, allowed_folders: Sequence[Path]) -> RenderedPdf:
    """The PDF for ``html``; relative URLs resolve against ``base_folder``.

    Raises ``RenderError`` for a refused resource or any error WeasyPrint logs.
    """
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    _install_text_layer()
    _install_footnote_keeping()
    fetcher = _fetcher_class()(allowed_folders)
    with _captured_log() as log:
        try:
            html_document = weasyprint.HTML(
                string=html, base_url=base_folder.resolve().as_uri() + "/", url_fetcher=fetcher
            )
            document = html_document.render(pdf_variant=PDF_VARIANT)
            pdf = document.write_pdf(pdf_variant=PDF_VARIANT, finisher=_finish)
        except FatalURLFetchingError as error:
            cause = error.__cause__ or error
            raise RenderError(f"PDF render stopped: {cause}") from None
    if log.errors:
        raise RenderError("PDF renderer reported:\n" + "\n".join(f"  {m}" for m in log.errors))
    calls = html.count('class="footnote"')
    if (laid_out := _footnotes_laid_out(document)) < calls:
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        named = f" of “{title.group(1).strip()[:120]}”" if title else ""
        raise RenderError(
            f"the PDF{named}: the layout lost {calls - laid_out} of its {calls} notes, so nothing was written "
            "(a fault of the PDF renderer: please report it with the dossier)"
        )
    assert isinstance(pdf, bytes)
    outline = tuple(_outline(document.make_bookmark_tree(), [page.height for page in document.pages]))
    return RenderedPdf(pdf, len(document.pages), tuple(log.warnings), frozenset(fetcher.served), outline)


def _outline(tree: list[Any], heights: list[float], depth: int = 1) -> Iterator[tuple[str, int, float]]:
    """The bookmarks of ``tree`` in reading order, each with its depth and where it starts."""
    for label, (page, _x, y), children, _state in tree:
        yield label, depth, page + min(max(y / heights[page], 0.0), 1.0)
        yield from _outline(children, heights, depth + 1)


def warm_up(language: str, allowed_folders: Sequence[Path]) -> None:
    """Render a few words in each face of the brief's style sheets, so a process forked after
    this has WeasyPrint imported and its fonts and hyphenation patterns loaded.  Only saves time:
    a problem here is left for the real render to report."""
    names = ("brief.css", "print.css")
    sheets = [next((f / name for f in allowed_folders if (f / name).is_file()), None) for name in names]
    if sheets[1] is None:
        return
    folder = sheets[1].parent
    style = "\n".join(sheet.read_text(encoding="utf-8") for sheet in sheets if sheet is not None)
    words = "Warm internationalisation <b>bold</b> <i>italic</i>"
    html = (
        f'<!DOCTYPE html><html lang="{language}"><head><title>warm</title><style>{style}</style></head>'
        f'<body data-running-title="warm" data-marking="warm"><h1>{words}</h1><p>{words}'
        f'<span class="footnote">{words}</span></p><table><tr><th>{words}</th></tr></table></body></html>'
    )
    with suppress(RenderError):
        render_pdf(html, folder, allowed_folders)
