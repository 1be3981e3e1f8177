"""Charts drawn from the data, as inline SVG that both HTML and PDF show identically.

matplotlib is imported only when a chart is drawn, so ``generate --help`` and
``generate check`` stay fast.  Text stays text in the SVG (``svg.fonttype:
none``), so the PDF's words are searchable and the brief's own fonts draw it;
the hash salt and absent date make the SVG byte-identical from run to run.
Labels come from the data, so matplotlib's mathematics between ``$`` signs is
off: "$16.6 billion (or $12 billion)" prints as written.

Drawn charts are kept in the user's cache and inlined into the HTML brief unescaped,
so a cache entry is untrusted: it is used only if its SVG holds nothing but the
plain drawing elements matplotlib writes (no script, no foreign content, no event
attributes, no links out of the drawing); anything else is drawn again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from .errors import BriefingError
from .output import OutputFile, cache_folder, write_outputs
from .select import Comparison, ProgrammeRow, date_label, is_calendar, source_name

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
    """``draw()``, or the chart it drew before from the same inputs, fonts and code.

    The cache only saves time: an entry that is unreadable or fails the checks is drawn
    again, and a cache that cannot be written is left alone.
    """
    import json

    fonts = sorted(font_dir.glob("*.ttf")) if font_dir else []
    stamp = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in fonts)
    digest = hashlib.sha256(_drawing_key(stamp))
    digest.update(kind.encode() + b"\0" + inputs.encode("utf-8"))
    cache = cache_folder("charts")
    path = cache / f"{digest.hexdigest()}.json" if cache else None
    if path is not None:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            svg, alt = stored["svg"], stored["alt"]
            if isinstance(svg, str) and isinstance(alt, str) and is_plain_drawing(svg):
                return Chart(svg, alt)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    chart = draw()
    # No chart (no data for one) is found without matplotlib: not worth keeping, nor trusting.
    if path is not None and chart is not None:
        body = json.dumps({"svg": chart.svg, "alt": chart.alt}).encode("utf-8")
        with contextlib.suppress(OSError, BriefingError):  # a cache that cannot be written only costs time
            write_outputs([OutputFile(path, body)])
    return chart


_SVG = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# What matplotlib's SVG backend writes for these charts, and nothing that can run, load or embed.
_ELEMENTS = {"svg", "g", "defs", "style", "path", "use", "clipPath", "rect", "text", "tspan", "title", "desc"}
_ATTRIBUTES = {
    "id", "class", "style", "x", "y", "dx", "dy", "width", "height", "transform", "d", "clip-path", "role",
    "aria-label", "preserveAspectRatio", "viewBox", "version", "type", "fill", "stroke", "stroke-width",
    "font-family", "font-size", "font-weight", "font-style", "text-anchor", "href", _XLINK_HREF,
}  # fmt: skip
# The one style sheet matplotlib writes (a rule for every element of the page the SVG is in).
_STYLE_SHEET = re.compile(r"\*\{\s*(stroke-line(join|cap):\s*[a-z]+;?\s*)*\}")


def is_plain_drawing(svg: str) -> bool:
    """Whether ``svg`` is a drawing only: the elements and attributes above, links only to its
    own ids, no URLs but ``url(#id)``.  No declarations, comments or CDATA, so the browser's HTML
    parser sees the same elements as the XML parser that checked them."""
    if "<!" in svg or "<?" in svg or not svg.startswith("<svg"):
        return False
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError:
        return False
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(_SVG):
            return False
        name = element.tag.removeprefix(_SVG)
        if name not in _ELEMENTS:
            return False
        if name == "style" and not _STYLE_SHEET.fullmatch((element.text or "").strip()):
            return False
        for attribute, value in element.attrib.items():
            if attribute not in _ATTRIBUTES:
                return False
            if attribute in ("href", _XLINK_HREF) and not re.fullmatch(r"#[\w.:-]+", value):
                return False
            if re.search(r"url\s*\((?!#)|[\\@<]|javascript|expression", value, re.I):
                return False
    return True


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
            "text.parse_math": False,  # labels are data: a "$" is a dollar sign, not mathematics
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
    """The progress chart: for each programme, ``done`` out of ``total`` with its deadline, as the
    dossier declares them (``programme_table.progress``); years and dates are never bar lengths."""
    bars = [row.progress for row in rows if row.progress is not None]
    if not bars:
        return None
    _setup(font_dir)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 0.55 * len(bars) + 0.9))
    labels, alt_parts = [], []
    for position, bar in enumerate(reversed(bars)):
        axes.barh(position, 100, color=PALE, height=0.6)
        axes.barh(position, bar.share, color=ACCENT, height=0.6)
        due = f", {bar.deadline.text}" if bar.deadline else ""
        axes.text(101.5, position, f"{bar.done.text} of {bar.total.text}{due}", va="center", fontsize=8.5)
        labels.append(bar.label)
    for bar in bars:
        due = f" (due {bar.deadline.text})" if bar.deadline else ""
        alt_parts.append(f"{bar.label}: {bar.done.text} of {bar.total.text} {bar.done_label.lower()}{due}")
    axes.set_yticks(range(len(bars)), labels)
    axes.set_xlim(0, 100)
    axes.set_xlabel(bars[0].axis_label)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    as_of = sorted({bar.done.as_of for bar in bars if bar.done.as_of})
    alt = f"Bar chart, {bars[0].axis_label}: " + "; ".join(alt_parts)
    if as_of:
        alt += f" (as of {date_label(as_of[-1])})."
    return Chart(_to_svg(figure, "Deliveries", alt), alt)


def comparison_chart(comparison: Comparison, font_dir: Path | None) -> Chart | None:
    """Each source's figure for one quantity, side by side, labelled with its source."""
    bars = [
        (claim, figure)
        for claim in comparison.claims
        for figure in claim.figures
        if figure.measure == comparison.measure and not is_calendar(figure)
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
        name = source_name(source)
        when = f"as of {date_label(fig.as_of)}" if fig.as_of else "undated"
        label = f"{_short(name)}\n(grade {claim.grade}, {when})"
        axes.barh(position, fig.value, color=ACCENT if claim.grade <= "C" else PALE, height=0.6)
        axes.text(fig.value + top * 0.015, position, fig.text, va="center", fontsize=8.5)
        labels.append(label)
    for claim, fig in bars:
        source = claim.cites[0].source
        alt_parts.append(
            f"{fig.text} according to {source_name(source)} (grade {claim.grade})"
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
