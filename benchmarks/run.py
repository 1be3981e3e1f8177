"""The build benchmark: ten figures, measured in one run on this machine.

    .venv/bin/python benchmarks/run.py            # about five minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # one repetition of each (rougher)
    .venv/bin/python benchmarks/run.py --sandbox  # only the sandbox's cost (figure 8)
    .venv/bin/python benchmarks/run.py --speed    # only figures 9 and 10 (against WeasyPrint; parallel)

Prints a table and the machine it ran on; copy it into benchmarks/README.md.
Commands run in fresh processes with an empty cache (cold) unless a figure says
otherwise; each timing is the median of the repetitions.  Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "data"


def _generate(args: list[str], cache: Path) -> float:
    """Seconds for one `generate` command in a fresh process."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def _median(repeats: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(repeats))


def cold(args: list[str], repeats: int, work: Path) -> float:
    """A build from nothing: new output folder, empty cache (charts included), fresh process."""

    def once() -> float:
        run = Path(tempfile.mkdtemp(dir=work))
        return _generate([*args, "--out", str(run / "out")], run / "cache")

    return _median(repeats, once)


def noop(args: list[str], repeats: int, work: Path) -> float:
    run = Path(tempfile.mkdtemp(dir=work))
    _generate([*args, "--out", str(run / "out")], run / "cache")
    return _median(repeats, lambda: _generate([*args, "--out", str(run / "out")], run / "cache"))


def stamped_copies(count: int) -> tuple[float, float]:
    """Seconds to stamp ``count`` copies of the industry PDF, and to render that PDF once."""
    from benchmarks.distribution import recipients
    from briefing.build.pipeline import build_briefs
    from briefing.distribution.stamp import load_font, prepare, stamp_line, stamp_pdf

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = build_briefs(DATA, Path(folder), ["industry"], ("pdf",), force=True, parallel=False)
        render = time.perf_counter() - started
    pdf = result.briefs[0].files[0].data
    font = load_font(ROOT / "templates" / "static" / "fonts" / "NotoSans-Regular.ttf")
    started = time.perf_counter()
    prepared = prepare(pdf)
    for index, (name, organisation) in enumerate(recipients(count), start=1):
        stamp_pdf(prepared, stamp_line(name, organisation, index, count, "TLP:GREEN"), {"/Title": name}, font)
    return time.perf_counter() - started, render


def preview_template_edit(repeats: int, work: Path) -> float:
    """Seconds from a saved template edit to a rebuilt HTML page, inside the preview server."""
    from briefing.preview.serve import Preview

    overrides = Path(tempfile.mkdtemp(dir=work))
    template = overrides / "brief.html"

    def write(text: str) -> None:
        template.write_text('{% extends "default:base.html" %}{% block lead %}<p>' + text + "</p>{% endblock %}")

    write("start")
    preview = Preview(DATA, (overrides,), ["industry"])
    preview.rebuild()
    timings = []
    for index in range(repeats + 1):
        time.sleep(1.05)  # a new modification time, as a real save has
        write(f"edit {index}")
        preview.rebuild([("modified", template.resolve())])
        assert f"edit {index}" in preview.pages["industry"]
        timings.append(preview.build_seconds)
    return statistics.median(timings[1:])


def peak_memory_mb(args: list[str], work: Path) -> tuple[float, float]:
    """Peak resident memory of a full build: the main process (serial) and the largest worker (parallel)."""
    run = Path(tempfile.mkdtemp(dir=work))
    code = (
        "import resource, sys; from briefing.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(own, kids)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(run / "cache")}
    serial = subprocess.run(
        [sys.executable, "-c", code, *args, "--serial", "--out", str(run / "a")],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True,
    )  # fmt: skip
    parallel = subprocess.run(
        [sys.executable, "-c", code, *args, "--out", str(run / "b")],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True,
    )  # fmt: skip
    serial_own = int(serial.stdout.split()[-2])
    own, kids = (int(value) for value in parallel.stdout.split()[-2:])
    return serial_own / 1024, max(own, kids) / 1024


def typst_peer(repeats: int) -> tuple[float, float]:
    """Seconds per brief: ours (PDF render of the industry brief, in process) and Typst on the same content."""
    import typst

    from benchmarks.typst_peer import typst_source
    from briefing.build.load import load_with_templates
    from briefing.build.render import render_brief
    from briefing.build.select import select_for_audience
    from briefing.formats.render_html import TemplateSet

    dossier, templates = load_with_templates(DATA, TemplateSet())
    audience = next(a for a in dossier.audiences if a.id == "industry")
    brief = select_for_audience(dossier, audience)
    render_brief(brief, templates, ["pdf"], Path("."), "warm-up")  # imports, fonts, chart cache

    def ours() -> float:
        started = time.perf_counter()
        render_brief(brief, templates, ["pdf"], Path("."), "bench")
        return time.perf_counter() - started

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "brief.typ"
        source.write_text(typst_source(brief, templates, Path(folder)), encoding="utf-8")
        fonts = [str(templates.default / "static" / "fonts")]
        typst.compile(str(source), format="pdf", font_paths=fonts)  # warm-up

        def theirs() -> float:
            started = time.perf_counter()
            typst.compile(str(source), format="pdf", font_paths=fonts, ignore_system_fonts=True)
            return time.perf_counter() - started

        return _median(repeats, ours), _median(repeats, theirs)


def _plain_environment(sandboxed: Any) -> Any:
    """A plain (unsandboxed) Jinja2 environment made like ``TemplateSet.environment()``:
    same loader, options, extensions, filters and globals.  For measuring only; never for rendering briefs."""
    import jinja2

    from briefing.languages import i18n

    env = jinja2.Environment(
        loader=sandboxed.loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do", "jinja2.ext.i18n"],
        finalize=sandboxed.finalize,
    )
    env.filters.update({name: f for name, f in sandboxed.filters.items() if name not in env.filters})
    i18n.install(env, i18n.SOURCE_LANGUAGE)
    for name in ("static_text", "page_numbers"):
        env.globals[name] = sandboxed.globals[name]
    return env


def sandbox_cost(rounds: int) -> tuple[float, float]:
    """Seconds for the Jinja renders of a full build (every audience, HTML and PDF targets, a fresh
    environment per audience as the build makes), sandboxed and with a plain environment."""
    from briefing.build.load import load_with_templates
    from briefing.build.render import Charts, font_folder
    from briefing.build.select import select_for_audience
    from briefing.formats.render_html import TemplateSet, render_html

    # Both compile every template: code compiled at setup (compiled.py) would spare only the sandbox.
    dossier, templates = load_with_templates(DATA, TemplateSet(compiled=None))
    briefs = [select_for_audience(dossier, audience) for audience in dossier.audiences]
    # Charts drawn once, outside the timing: both variants render the same drawings.
    charts = [{"draw": Charts(brief, font_folder(templates))} for brief in briefs]

    def renders(make: Callable[[], Any]) -> tuple[float, list[str]]:
        started = time.perf_counter()
        pages = []
        for brief, drawn in zip(briefs, charts, strict=True):
            env = make()
            pages += [render_html(brief, templates, target, drawn, env=env) for target in ("html", "pdf")]
        return time.perf_counter() - started, pages

    sandboxed_make = templates.environment
    plain_make = lambda: _plain_environment(templates.environment())  # noqa: E731
    _, sandboxed_pages = renders(sandboxed_make)  # warm-up: imports, chart cache
    _, plain_pages = renders(plain_make)
    assert sandboxed_pages == plain_pages, "the sandbox changed what the shipped templates render"
    sandboxed, plain = [], []
    for _ in range(rounds):  # alternated, so load from elsewhere on the machine hits both alike
        sandboxed.append(renders(sandboxed_make)[0])
        plain.append(renders(plain_make)[0])
    return statistics.median(sandboxed), statistics.median(plain)


def _sandbox_row(all_cold: float, rounds: int) -> tuple[str, str, str, str]:
    sandboxed, plain = sandbox_cost(rounds)
    return (
        "8 sandbox cost: Jinja renders of a full build, sandboxed ÷ plain",
        f"{sandboxed * 1000:.0f} ms ÷ {plain * 1000:.0f} ms; "
        f"extra {(sandboxed - plain) * 1000:.0f} ms = {(sandboxed - plain) / all_cold:.1%} of the cold build",
        f"{sandboxed / plain:.2f}",
        "extra ≤ 5 % of a build",
    )


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    print(f"Date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )
    print(f"Peak memory of this benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    from briefing.formats.compiled import FOLDER

    compiled = len(list(FOLDER.glob("*.jbc"))) if FOLDER.is_dir() else 0
    print(f"Shipped templates compiled at setup: {compiled} in {FOLDER}")
    print()
    print("| figure | measured | ratio | target |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _final_html(audience: str, folder: Path) -> Path:
    """The HTML the build hands WeasyPrint for ``audience``'s PDF, written beside the static files
    it names (so the same fonts and images load)."""
    from briefing.build.load import load
    from briefing.build.render import Charts, font_folder, pdf_html
    from briefing.build.select import select_for_audience
    from briefing.formats.render_html import TemplateSet

    loaded = load(DATA, TemplateSet())
    profile = next(a for a in loaded.dossier.audiences if a.id == audience)
    brief = select_for_audience(loaded.dossier, profile)
    templates = loaded.templates
    html = pdf_html(brief, templates, Charts(brief, font_folder(templates)), templates.environment(set()))
    shutil.copytree(templates.default / "static", folder, dirs_exist_ok=True)
    path = folder / f"{audience}.html"
    path.write_text(html, encoding="utf-8")
    return path


def against_weasyprint(repeats: int, work: Path) -> tuple[float, float]:
    """Seconds for `generate brief -a industry --format pdf --force --serial` (cold, whole process),
    and for the `weasyprint` command on the same final HTML (PDF/UA-1, as the build)."""
    ours = cold(
        ["brief", "-a", "industry", "--format", "pdf", "--force", "--serial", "--data", str(DATA)], repeats, work
    )
    html = _final_html("industry", work / "final")
    command = [
        str(Path(sys.executable).with_name("weasyprint")),
        "--pdf-variant",
        "pdf/ua-1",
        str(html),
        str(work / "raw.pdf"),
    ]

    def once() -> float:
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - started

    return ours, _median(repeats, once)


def _speed_rows(repeats: int, work: Path) -> list[tuple[str, str, str, str]]:
    ours, raw = against_weasyprint(max(repeats, 5), work)
    every = ["brief", "--audience", "all", "--format", "pdf", "--force", "--data", str(DATA)]
    parallel, serial = cold(every, repeats, work), cold([*every, "--serial"], repeats, work)
    return [
        (
            "9 industry PDF ÷ weasyprint command, same HTML (cold, median of 5)",
            f"{ours:.2f} s ÷ {raw:.2f} s",
            f"{ours / raw:.2f}",
            "≤ 1.2",
        ),
        (
            "10 all PDFs: serial ÷ parallel (cold)",
            f"{serial:.2f} s ÷ {parallel:.2f} s",
            f"{serial / parallel:.2f}",
            "≥ 1.4",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one repetition of each timing")
    parser.add_argument("--sandbox", action="store_true", help="only figure 8 (and the cold build it is set against)")
    parser.add_argument("--speed", action="store_true", help="only figures 9 and 10 (against WeasyPrint; parallel)")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    work = Path(tempfile.mkdtemp(prefix="briefing-bench-"))
    rows: list[tuple[str, str, str, str]] = []
    try:
        every = ["brief", "--audience", "all", "--data", str(DATA)]
        one = ["brief", "--audience", "industry", "--data", str(DATA)]
        if args.sandbox:
            rows.append(_sandbox_row(cold(every, repeats, work), 3 if args.quick else 15))
            _print_table(rows)
            return
        if args.speed:
            rows += _speed_rows(repeats, work)
            _print_table(rows)
            return
        all_cold, one_cold = cold(every, repeats, work), cold(one, repeats, work)
        rows.append(
            (
                "1 all audiences ÷ industry (cold)",
                f"{all_cold:.2f} s ÷ {one_cold:.2f} s",
                f"{all_cold / one_cold:.2f}",
                "≤ 1.6",
            )
        )
        unchanged = noop(every, repeats, work)
        rows.append(
            (
                "2 no-op rebuild ÷ cold build (all)",
                f"{unchanged:.2f} s ÷ {all_cold:.2f} s",
                f"{unchanged / all_cold:.3f}",
                "≤ 0.15",
            )
        )
        stamping, render = stamped_copies(500)
        rows.append(
            (
                "3 500 stamped copies ÷ one render",
                f"{stamping:.2f} s ÷ {render:.2f} s",
                f"{stamping / render:.2f}",
                "≤ 10",
            )
        )
        big = work / "big"
        from benchmarks.scale import scale_dossier

        scale_dossier(DATA, big, 10)
        big_cold = cold(["brief", "--audience", "all", "--data", str(big)], 1, work)
        rows.append(
            (
                "4 dossier ×10 ÷ shipped (cold, all)",
                f"{big_cold:.2f} s ÷ {all_cold:.2f} s",
                f"{big_cold / all_cold:.2f}",
                "≤ 10",
            )
        )
        edit = preview_template_edit(max(repeats, 3), work)
        rows.append(
            ("5 preview rebuild after a template edit", f"{edit * 1000:.0f} ms", f"{edit * 1000:.0f} ms", "≤ 100 ms")
        )
        serial_mb, parallel_mb = peak_memory_mb(every, work)
        rows.append(
            (
                "6 peak memory, full build",
                f"serial {serial_mb:.0f} MB; parallel, largest process {parallel_mb:.0f} MB",
                f"{max(serial_mb, parallel_mb):.0f} MB",
                "≤ 400 MB",
            )
        )
        ours, theirs = typst_peer(repeats)
        rows.append(
            (
                "7 our PDF per brief ÷ Typst, same content",
                f"{ours:.2f} s ÷ {theirs:.3f} s",
                f"{ours / theirs:.1f}",
                "reported",
            )
        )
        rows.append(_sandbox_row(all_cold, 3 if repeats == 1 else 15))
        rows += _speed_rows(repeats, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _print_table(rows)


if __name__ == "__main__":
    main()
