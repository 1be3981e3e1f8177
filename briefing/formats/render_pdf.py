"""Stage 5: render HTML to a tagged PDF with WeasyPrint.

WeasyPrint is imported here only, when a PDF is due.  Its default fetcher would
read any file and any URL; ours serves files from the template folders and
nothing else, and stops the render on anything it refuses.  Errors WeasyPrint
only logs (a missing image, a stylesheet it could not parse) are captured and
raised, so a brief never ships with a silent hole in it.  The fetcher also notes
every file it served: an image a stylesheet names is as much an input of the
PDF as the stylesheet (the incremental build records them).
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefing.errors import RenderError

# WeasyPrint's PDF/UA-1 variant produces a tagged PDF with a structure tree.
PDF_VARIANT = "pdf/ua-1"


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

    fetcher = _fetcher_class()(allowed_folders)
    with _captured_log() as log:
        try:
            html_document = weasyprint.HTML(
                string=html, base_url=base_folder.resolve().as_uri() + "/", url_fetcher=fetcher
            )
            document = html_document.render(pdf_variant=PDF_VARIANT)
            pdf = document.write_pdf(pdf_variant=PDF_VARIANT, finisher=_mark_pagination_artifacts)
        except FatalURLFetchingError as error:
            cause = error.__cause__ or error
            raise RenderError(f"PDF render stopped: {cause}") from None
    if log.errors:
        raise RenderError("PDF renderer reported:\n" + "\n".join(f"  {m}" for m in log.errors))
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
