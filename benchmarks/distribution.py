"""How long stamping copies takes, next to rendering the brief once.

    .venv/bin/python benchmarks/distribution.py                 # 500 copies of the ministry brief
    .venv/bin/python benchmarks/distribution.py --copies 2000 --audience industry
    .venv/bin/python benchmarks/distribution.py --compare       # also pypdf's own overlay-and-rewrite

Each copy is for a different recipient (names with Polish diacritics), as in a real list.
A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.build.pipeline import build_briefs  # noqa: E402
from briefing.distribution.stamp import load_font, prepare, stamp_line, stamp_pdf  # noqa: E402

FIRST = ["Zofia", "Łukasz", "Małgorzata", "Grzegorz", "Agnieszka", "Paweł", "Żaneta", "Michał", "Ewa", "Jan"]
LAST = ["Wójcik-Łęcka", "Brzęczyszczykiewicz", "Nowak", "Kowalski", "Dąbrowska", "Śliwiński", "Żółkiewska", "Kim"]
ORGS = ["Ministry of Foreign Affairs", "Ministry of National Defence", "Sejm Defence Committee", "PGZ S.A."]


def recipients(count: int) -> list[tuple[str, str]]:
    return [
        (f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}", ORGS[i % len(ORGS)])
        for i in range(count)
    ]


def pypdf_overlay(pdf: bytes, overlay: bytes) -> bytes:
    """The textbook way: merge an overlay page onto every page and rewrite the file with pypdf."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    stamp = pypdf.PdfReader(io.BytesIO(overlay)).pages[0]
    for page in writer.pages:
        page.merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=500)
    parser.add_argument("--audience", default="ministry")
    parser.add_argument("--compare", action="store_true", help="also time pypdf merge_page + rewrite on 10 copies")
    args = parser.parse_args()

    renders = []
    for _ in range(2):  # the first run also imports WeasyPrint and matplotlib
        with tempfile.TemporaryDirectory() as scratch:
            start = time.perf_counter()
            result = build_briefs(ROOT / "data", Path(scratch), [args.audience], formats=("pdf",))
            renders.append(time.perf_counter() - start)
            pdf = result.briefs[0].files[0].data

    font = load_font(ROOT / "templates" / "static" / "fonts" / "NotoSans-Regular.ttf")
    start = time.perf_counter()
    prepared = prepare(pdf)
    sizes = 0
    digest = hashlib.sha256()
    for name, organisation in recipients(args.copies):
        line = stamp_line(name, organisation, 1, 1, "UNCLASSIFIED")
        data = stamp_pdf(prepared, line, {"PreparedFor": f"{name}, {organisation}", "Copy": "1 of 1"}, font)
        sizes += len(data)
        digest.update(hashlib.sha256(data).digest())  # as distribute does for the manifest
    stamping = time.perf_counter() - start

    pages = prepared.page_count
    print(f"brief: {args.audience}, {pages} pages, {len(pdf):,} bytes")
    print(
        f"render the brief's PDF once:             {renders[1]:7.2f} s   (first run, with imports: {renders[0]:.2f} s)"
    )
    print(
        f"stamp {args.copies} copies (with SHA-256):      {stamping:7.2f} s"
        f"   ({1000 * stamping / args.copies:.1f} ms a copy, {sizes / args.copies / 1024:.0f} KiB a copy)"
    )
    if args.compare:
        overlay = stamp_pdf(
            _blank_page(), stamp_line("Zofia Wójcik-Łęcka", ORGS[0], 1, 1, "UNCLASSIFIED"), {}, font
        )  # the same stamp, on an empty page, as the overlay
        start = time.perf_counter()
        for _ in range(10):
            pypdf_overlay(pdf, overlay)
        each = (time.perf_counter() - start) / 10
        print(f"pypdf merge_page + rewrite, for compare: {each * args.copies:7.2f} s   ({1000 * each:.0f} ms a copy)")


def _blank_page() -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(595.28, 841.89)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


if __name__ == "__main__":
    main()
