"""Charts read on a phone, in Chromium: every value of every bar in view and at 11 px or more,
without scrolling sideways, while a desktop window shows the wide drawing the PDF prints.

The shipped industry and parliament briefs (which carry the progress and comparison charts) in
every edition, and the fictional dossier's briefs (a comparison whose values do not fit beside
their bars), at the phone widths 390 and 320 px, a 1280 px desktop window and a 680 px one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from test_serve import CHROMIUM, CHROMIUM_ARGS

from briefing.formats.charts import VALUE_FONT, _metrics

ROOT = Path(__file__).resolve().parent.parent
PHONES = (390, 320)
DESKTOPS = (1280, 680)  # a desktop window, and the narrowest that shows the wide drawing
SMALLEST_TEXT = 11.0  # px: the least screen.css promises for chart text

# For each chart: which drawings are rendered, every text of the rendered one (its px size, box,
# and the box of its drawing), the values the wide drawing prints (its text at VALUE_FONT, the
# figure after each bar: what the PDF shows), and the figure's own scrolling.
MEASURE = """valueFont => Array.from(document.querySelectorAll('figure.chart')).map(figure => {
    const shown = Array.from(figure.querySelectorAll(':scope > svg')).filter(svg => svg.checkVisibility());
    const texts = shown.flatMap(svg => Array.from(svg.querySelectorAll('text')).map(text => {
        const m = text.getScreenCTM(), box = text.getBoundingClientRect(), frame = svg.getBoundingClientRect();
        return {
            text: text.textContent, value: text.classList.contains('value'),
            px: parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b),
            left: box.left, right: box.right, frameLeft: frame.left, frameRight: frame.right,
        };
    }));
    const wide = figure.querySelector(':scope > svg:not(.chart-narrow)');
    return {
        shown: shown.map(svg => svg.classList.contains('chart-narrow') ? 'narrow' : 'wide'),
        texts,
        wideValues: Array.from(wide.querySelectorAll(`text[font-size="${valueFont}"]`)).map(t => t.textContent),
        scrolls: figure.scrollWidth > figure.clientWidth,
    };
})"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The HTML briefs with charts: shipped industry and parliament in every edition, and the
    fictional dossier's."""
    shipped, fictional = tmp_path_factory.mktemp("shipped"), tmp_path_factory.mktemp("fictional")
    built = run_cli(
        "brief", "-a", "industry", "-a", "parliament", "--lang", "all", "--format", "html",
        "--data", ROOT / "data", "--out", shipped,
    )  # fmt: skip
    assert built.exit_code == 0, built.output
    built = run_cli(
        "brief", "-a", "all", "--format", "html", "--data", ROOT / "tests/fixtures/fictional", "--out", fictional
    )
    assert built.exit_code == 0, built.output
    # The briefs, not the sources pages written beside them (no charts there).
    found = [
        path
        for path in sorted(shipped.glob("*.html")) + sorted(fictional.glob("*.html"))
        if not path.name.endswith(".sources.html")
    ]
    assert {path.name.split(".")[1] for path in found} >= {"html", "pl", "ko"}  # English, Polish, Korean
    return found


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: run 'bash scripts/setup.sh --test'"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _charts(chromium: Any, path: Path, width: int) -> tuple[list[dict[str, Any]], int, int]:
    """What each chart of ``path`` shows at ``width``, how many images a screen reader meets in
    the charts, and how much wider the page is with its charts than without them."""
    page = chromium.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(path.as_uri())
        charts = page.evaluate(MEASURE, f"{VALUE_FONT:g}")
        images = sum(figure.get_by_role("img").count() for figure in page.locator("figure.chart").all())
        widened = page.evaluate(
            """() => {
                const before = document.documentElement.scrollWidth;
                document.querySelectorAll('figure.chart').forEach(f => f.style.display = 'none');
                return before - document.documentElement.scrollWidth;
            }"""
        )
    finally:
        page.close()
    return charts, images, widened


def test_on_a_phone_every_chart_value_is_in_view_and_legible(pages: list[Path], chromium: Any) -> None:
    problems: list[str] = []
    charted = 0
    for path in pages:
        for width in PHONES:
            charts, images, widened = _charts(chromium, path, width)
            where = f"{path.name} at {width} px"
            if not charts and path.parent.name.startswith("shipped"):
                problems.append(f"{where}: no chart (the shipped industry and parliament briefs have charts)")
            charted += len(charts)
            if images != len(charts):
                problems.append(f"{where}: {images} chart images for screen readers, {len(charts)} charts")
            if widened > 0:
                problems.append(f"{where}: the charts widen the page by {widened} px")
            for number, chart in enumerate(charts, start=1):
                at = f"{where}, chart {number}"
                if chart["shown"] != ["narrow"]:
                    problems.append(f"{at}: shows {chart['shown']}, not the narrow drawing alone")
                if chart["scrolls"]:
                    problems.append(f"{at}: scrolls sideways")
                values = [text["text"] for text in chart["texts"] if text["value"]]
                if sorted(values) != sorted(chart["wideValues"]):
                    problems.append(f"{at}: shows the values {values}, the wide drawing {chart['wideValues']}")
                for text in chart["texts"]:
                    what = f"{at}: {text['text']!r}"
                    if text["px"] < SMALLEST_TEXT:
                        problems.append(f"{what} is {text['px']:.1f} px")
                    # Within the screen and within its drawing (which would clip it).
                    if (
                        text["left"] < max(text["frameLeft"], 0) - 0.5
                        or text["right"] > min(text["frameRight"], width) + 0.5
                    ):
                        problems.append(f"{what} runs from {text['left']:.0f} to {text['right']:.0f} px")
    assert charted, "no chart in any brief"
    assert not problems, "\n".join(problems)


def test_a_wider_window_shows_the_wide_drawing(pages: list[Path], chromium: Any) -> None:
    problems: list[str] = []
    for path in pages:
        for width in DESKTOPS:
            charts, images, _widened = _charts(chromium, path, width)
            where = f"{path.name} at {width} px"
            if images != len(charts):
                problems.append(f"{where}: {images} chart images for screen readers, {len(charts)} charts")
            for number, chart in enumerate(charts, start=1):
                if chart["shown"] != ["wide"]:
                    problems.append(f"{where}, chart {number}: shows {chart['shown']}, not the wide drawing alone")
                sizes = [text["px"] for text in chart["texts"]]
                if not sizes or min(sizes) < SMALLEST_TEXT:
                    problems.append(f"{where}, chart {number}: text as small as {min(sizes, default=0):.1f} px")
    assert not problems, "\n".join(problems)


def test_a_cached_narrow_drawing_is_checked_before_it_is_inlined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dossier_id: str
) -> None:
    """The narrow drawing is inlined unescaped like the wide one: from the cache, it is used only
    if it is a plain drawing, and an entry without one is drawn again."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "out"
    # Both shipped charts: the industry brief's progress chart and the parliament brief's money chart.
    command = ("brief", "-a", "industry", "-a", "parliament", "--format", "html", "--data", ROOT / "data", "--out", out)
    args = (*command, "--force")

    def build_after(edit: Callable[[dict[str, str]], object]) -> str:  # what edit returns is not used
        entries = sorted((tmp_path / "cache" / "briefing" / "charts").glob("*.json"))
        assert entries, "no chart was cached"
        for entry in entries:
            stored = json.loads(entry.read_text(encoding="utf-8"))
            edit(stored)
            entry.write_text(json.dumps(stored), encoding="utf-8")
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
        return "".join((out / f"{dossier_id}-{a}.html").read_text(encoding="utf-8") for a in ("industry", "parliament"))

    assert run_cli(*args).exit_code == 0

    def mark(stored: dict[str, str]) -> None:
        stored["narrow"] = stored["narrow"].replace("</g></svg>", "<text>CACHED NARROW</text></g></svg>")

    assert "CACHED NARROW" in build_after(mark), "a valid cache entry was not used"

    def inject(stored: dict[str, str]) -> None:
        stored["narrow"] = stored["narrow"].replace("</svg>", "<script>alert('narrow')</script></svg>")

    page = build_after(inject)
    assert "alert('narrow')" not in page and "CACHED NARROW" not in page
    assert page.count('<svg class="chart-narrow"') == 2, "the narrow drawings were not drawn again"

    page = build_after(lambda stored: stored.pop("narrow"))
    assert page.count('<svg class="chart-narrow"') == 2, "an entry without a narrow drawing was used"


def test_narrow_lines_keep_no_break_spaces_and_cut_only_a_word_wider_than_the_drawing() -> None:
    metrics = _metrics(ROOT / "templates" / "static" / "fonts")
    word = "Z" * 60  # wider than the drawing
    lines = metrics.fit(f"dostawy do\xa02025\xa0r. {word}", 11.5, 100)
    assert all(metrics.width(line, 11.5) <= 100 for line in lines), lines
    assert any("do\xa02025\xa0r." in line for line in lines), lines  # not broken at a no-break space
    cut = [line for line in lines if "Z" in line]
    assert len(cut) > 1 and "".join(cut) == word, lines  # cut, and nothing lost
