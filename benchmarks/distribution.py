"""How long stamping copies takes, next to rendering the brief once.

    .venv/bin/python benchmarks/distribution.py                 # 500 copies of the ministry brief
    .venv/bin/python benchmarks/distribution.py --copies 2000 --audience industry
    .venv/bin/python benchmarks/distribution.py --compare       # also pypdf's own overlay-and-rewrite
    .venv/bin/python benchmarks/distribution.py --recipients 1000 10000 [--zip] [--send]
        # the whole `generate distribute` in a fresh process: time and peak memory (issue 20)

Each copy is for a different recipient (names with Polish diacritics), as in a real list.
With ``--recipients``, the list cycles through the three audiences and the audience PDFs are
built once beforehand (so no run rebuilds them); ``--send`` delivers every copy to an SMTP
server on 127.0.0.1 that discards what it accepts; ``--checkout DIR`` runs another checkout's
``generate.py`` (for a before-and-after comparison with the same list).
A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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


def write_list(path: Path, count: int) -> None:
    """A distribution list of ``count`` recipients, one copy each, across the three audiences."""
    import yaml

    audiences = ("ministry", "industry", "parliament")
    entries = [
        {"name": name, "organisation": organisation, "audience": audiences[i % 3], "email": f"r{i}@example.org"}
        for i, (name, organisation) in enumerate(recipients(count))
    ]
    path.write_text(yaml.safe_dump({"recipients": entries}, allow_unicode=True, sort_keys=False), "utf-8")


@contextmanager
def discarding_smtp_server() -> Iterator[int]:
    """An SMTP server on 127.0.0.1 that accepts every message and keeps none; yields its port."""
    import socket

    from aiosmtpd.controller import Controller

    class Discard:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(Discard(), hostname="127.0.0.1", port=port, data_size_limit=0)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def whole_runs(counts: Sequence[int], checkout: Path, zip_copies: bool, send: bool) -> None:
    """``generate distribute`` to each number of recipients, in a fresh process: seconds and peak RSS."""
    generate = [sys.executable, str(checkout / "generate.py")]
    with tempfile.TemporaryDirectory(prefix="distribution-bench-") as scratch:
        work = Path(scratch)
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
        briefs = work / "briefs"
        subprocess.run(
            [*generate, "brief", "--audience", "all", "--data", str(ROOT / "data"), "--out", str(briefs)],
            check=True, capture_output=True, env=env, cwd=checkout,
        )  # fmt: skip
        with discarding_smtp_server() if send else _no_server() as port:
            if port:
                env |= {
                    "BRIEFING_SMTP_HOST": "127.0.0.1",
                    "BRIEFING_SMTP_PORT": str(port),
                    "BRIEFING_SMTP_SECURITY": "none",
                    "BRIEFING_SMTP_FROM": "briefs@example.org",
                }
            for count in counts:
                folder = work / str(count)
                folder.mkdir()
                write_list(folder / "recipients.yaml", count)
                args = ["distribute", "--data", str(ROOT / "data"), "--briefs", str(briefs)]
                args += ["--list", str(folder / "recipients.yaml"), "--out", str(folder / "out")]
                args += [*(["--zip"] if zip_copies else []), *(["--send"] if send else [])]
                started = time.perf_counter()
                child = subprocess.Popen(
                    [*generate, *args], env=env, cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
                _, status, usage = os.wait4(child.pid, 0)
                seconds = time.perf_counter() - started
                if status:
                    error = child.stderr.read().decode() if child.stderr else ""
                    raise SystemExit(f"distribute to {count} recipients failed:\n{error}")
                written = sum(path.stat().st_size for path in (folder / "out").rglob("*") if path.is_file())
                print(
                    f"distribute to {count:6,} recipients{' --zip' if zip_copies else ''}"
                    f"{' --send' if send else ''}: {seconds:7.1f} s, peak RSS {usage.ru_maxrss / 1024:6.0f} MB, "
                    f"{written / 2**20:,.0f} MiB written"
                )


@contextmanager
def _no_server() -> Iterator[int]:
    yield 0


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
    parser.add_argument("--recipients", type=int, nargs="+", help="time whole `generate distribute` runs instead")
    parser.add_argument("--zip", action="store_true", help="with --recipients: also write the zips")
    parser.add_argument("--send", action="store_true", help="with --recipients: also send to a local SMTP server")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="with --recipients: the checkout to run")
    args = parser.parse_args()
    if args.recipients:
        whole_runs(args.recipients, args.checkout.resolve(), args.zip, args.send)
        return

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
