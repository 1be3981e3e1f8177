"""Charts drawn from the data, as inline SVG that both HTML and PDF show identically.

matplotlib is imported only when a chart is drawn, so ``generate --help`` and
``generate check`` stay fast.  Text stays text in the SVG (``svg.fonttype:
none``), so the PDF's words are searchable and the brief's own fonts draw it;
the hash salt and absent date make the SVG byte-identical from run to run.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .select import Comparison, ProgrammeRow, date_label

# Colours chosen for WCAG AA contrast of text on white (>= 4.5:1) and to stay
# distinguishable in greyscale print.
INK = "#1b2a3a"
ACCENT = "#1f5f8b"
PALE = "#c9d8e6"
MUTED = "#5a6570"


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str

    @property
    def data_uri(self) -> str:
        """The same drawing as an image URL: the PDF embeds it as an <img> with alt text,
        which PDF/UA tags as a figure (an inline <svg> would not get its alt text)."""
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


@functools.lru_cache(maxsize=8)
def _drawing_key(font_files: tuple[tuple[str, int, int], ...]) -> bytes:
    """What every chart depends on besides its data: this code, matplotlib, the fonts.
    Keyed by the fonts' names, sizes and times, so files are hashed once per process."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("matplotlib").encode() + Path(__file__).read_bytes())
    for name, _, _ in font_files:
        digest.update(name.encode() + hashlib.sha256(Path(name).read_bytes()).digest())
    return digest.digest()


def cached_chart(kind: str, inputs: str, font_dir: Path | None, draw: Callable[[], Chart | None]) -> Chart | None:
    """``draw()``, or the chart it drew before from the same inputs, fonts and code."""
    import json
    import os

    fonts = sorted(font_dir.glob("*.ttf")) if font_dir else []
    stamp = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in fonts)
    digest = hashlib.sha256(_drawing_key(stamp))
    digest.update(kind.encode() + b"\0" + inputs.encode("utf-8"))
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "briefing" / "charts"
    path = cache / f"{digest.hexdigest()}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return Chart(stored["svg"], stored["alt"]) if stored else None
    except (OSError, ValueError, KeyError, TypeError):
        pass
    chart = draw()
    try:
        from .output import OutputFile, write_outputs

        body = json.dumps({"svg": chart.svg, "alt": chart.alt} if chart else None).encode("utf-8")
        write_outputs([OutputFile(path, body)])
    except OSError:
        pass  # a read-only cache only costs time
    return chart


def _setup(font_dir: Path | None) -> None:
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import font_manager

    if font_dir is not None:
        for path in sorted(font_dir.glob("NotoSans-*.ttf")):
            font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "briefing",
            "font.family": "sans-serif",
            "font.sans-serif": ["Noto Sans", "DejaVu Sans"],
            "font.size": 9,
            "axes.edgecolor": MUTED,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "text.color": INK,
        }
    )


def _prefix_ids(svg: str, prefix: str) -> str:
    """Make the SVG's ids unique in a page that inlines several charts."""
    ids = set(re.findall(r'\sid="([^"]+)"', svg))

    def rename(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}{prefix}-{name}" if name in ids else match.group(0)

    return re.sub(r'(\sid="|#)([A-Za-z_][\w.:-]*)', rename, svg)


def _to_svg(figure: object, title: str, alt: str) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(figure)  # type: ignore[arg-type]
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inlined in HTML
    # Give the drawing an accessible name; size it by the page, not in points.
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r"<svg \1", svg, count=1)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(alt)}" preserveAspectRatio="xMinYMin meet" ', 1)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return _prefix_ids(svg, re.sub(r"[^\w-]", "-", title))


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def delivery_chart(rows: Sequence[ProgrammeRow], font_dir: Path | None) -> Chart | None:
    """Delivered against ordered for each programme, with its delivery deadline."""
    rows = [row for row in rows if row.cells.get("ordered") and row.cells.get("delivered")]
    if not rows:
        return None
    _setup(font_dir)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 0.55 * len(rows) + 0.9))
    labels, alt_parts = [], []
    for position, row in enumerate(reversed(rows)):
        ordered, delivered = row.cells["ordered"], row.cells["delivered"]
        assert ordered is not None and delivered is not None
        deadline = row.cells.get("deadline")
        share = 100 * delivered.value / ordered.value
        axes.barh(position, 100, color=PALE, height=0.6)
        axes.barh(position, share, color=ACCENT, height=0.6)
        due = f", {deadline.text}" if deadline else ""
        axes.text(101.5, position, f"{delivered.text} of {ordered.text}{due}", va="center", fontsize=8.5)
        labels.append(row.programme.system)
    for row in rows:
        ordered, delivered, deadline = row.cells["ordered"], row.cells["delivered"], row.cells.get("deadline")
        assert ordered is not None and delivered is not None
        due = f" (due {deadline.text})" if deadline else ""
        alt_parts.append(f"{row.programme.system}: {delivered.text} of {ordered.text} delivered{due}")
    axes.set_yticks(range(len(rows)), labels)
    axes.set_xlim(0, 100)
    axes.set_xlabel("Share of ordered units delivered (%)")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    as_of = sorted({d.as_of for d in (row.cells["delivered"] for row in rows) if d is not None and d.as_of})
    alt = "Bar chart of deliveries against orders: " + "; ".join(alt_parts)
    if as_of:
        alt += f" (as of {date_label(as_of[-1])})."
    return Chart(_to_svg(figure, "Deliveries", alt), alt)


def comparison_chart(comparison: Comparison, font_dir: Path | None) -> Chart | None:
    """Each source's figure for one quantity, side by side, labelled with its source."""
    bars = [
        (claim, figure)
        for claim in comparison.claims
        for figure in claim.figures
        if figure.measure == comparison.measure
    ]
    if not bars:
        return None
    _setup(font_dir)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 0.55 * len(bars) + 0.9))
    labels, alt_parts = [], []
    top = max(fig.value for _, fig in bars)
    for position, (claim, fig) in enumerate(reversed(bars)):
        source = claim.cites[0].source
        name = source.series or source.publisher or source.title
        when = f"as of {date_label(fig.as_of)}" if fig.as_of else "undated"
        label = f"{_short(name)}\n(grade {claim.grade}, {when})"
        axes.barh(position, fig.value, color=ACCENT if claim.grade <= "C" else PALE, height=0.6)
        axes.text(fig.value + top * 0.015, position, fig.text, va="center", fontsize=8.5)
        labels.append(label)
    for claim, fig in bars:
        source = claim.cites[0].source
        alt_parts.append(
            f"{fig.text} according to {source.series or source.publisher or source.title} (grade {claim.grade})"
        )
    axes.set_yticks(range(len(bars)), labels)
    axes.set_xlim(0, top * 1.25)
    axes.set_xlabel(bars[0][1].unit)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    alt = "Bar chart comparing sources: " + "; ".join(alt_parts) + "."
    return Chart(_to_svg(figure, comparison.measure, alt), alt)


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
