"""Charts drawn from the data, as inline SVG: the HTML and the PDF show it identically, Word as a picture.

Horizontal bar charts, written as SVG text by this module (no plotting library: importing
one took longer than laying out the whole brief).  Labels wrap, measured with the brief's
own sans-serif font, and are never cut.  Text stays text, so the PDF's words are
searchable and the brief's fonts draw them; labels are data and are printed as written
("$16.6 billion (or $12 billion)"); the same data gives byte-identical SVG.

Each chart is drawn twice: the wide drawing that the PDF, the Word file and a wide browser
window show, and a narrow one for a phone (each label on its own line above its bar, larger
text in a drawing 300 units wide), so that a phone shows every value without sideways
scrolling and with text of 11 px or more.  The HTML brief carries both and its screen style
sheet shows one of them (the other is ``display: none``, hidden from screen readers too).

Drawn charts are kept in the user's cache and inlined into the HTML brief unescaped,
so a cache entry is untrusted: it is used only if its SVG holds nothing but the
plain drawing elements this module writes (no script, no foreign content, no event
attributes, no links out of the drawing); anything else is drawn again.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

from briefing.cache import read_cached, write_cached
from briefing.dossier.dates import date_label, is_calendar
from briefing.languages import typography
from briefing.languages.i18n import format_number
from briefing.languages.i18n import gettext as _
from briefing.languages.typography import typeset
from briefing.view.model import Comparison, ProgrammeRow, source_name

# Colours chosen for WCAG AA contrast of text on white (>= 4.5:1) and to stay
# distinguishable in greyscale print.
INK = "#1b2a3a"
ACCENT = "#1f5f8b"
PALE = "#c9d8e6"
MUTED = "#5a6570"


@dataclass(frozen=True)
class Chart:
    svg: str  # the wide drawing: PDF, Word, and the HTML brief on a wide screen
    alt: str
    narrow: str = ""  # the same chart for a phone (HTML only); none from a template's own Chart

    @property
    def data_uri(self) -> str:
        """The same drawing as an image URL: the PDF embeds it as an <img> with alt text,
        which PDF/UA tags as a figure (an inline <svg> would not get its alt text)."""
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


@functools.lru_cache(maxsize=8)
def _drawing_key(font_files: tuple[tuple[str, int, int], ...]) -> bytes:
    """What every chart depends on besides its data: this code and the fonts.
    Keyed by the fonts' names, sizes and times, so files are hashed once per process."""
    digest = hashlib.sha256(Path(__file__).read_bytes() + Path(typography.__file__).read_bytes())
    for name, _size, _time in font_files:
        digest.update(name.encode() + hashlib.sha256(Path(name).read_bytes()).digest())
    return digest.digest()


def cached_chart(kind: str, inputs: str, font_dir: Path | None, draw: Callable[[], Chart | None]) -> Chart | None:
    """``draw()``, or the chart it drew before from the same inputs, fonts and code.

    The cache only saves time: an entry that is unreadable or fails the checks is drawn
    again, and a cache that cannot be written is left alone.
    """
    fonts = sorted(font_dir.glob("*.ttf")) if font_dir else []
    stamp = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in fonts)
    digest = hashlib.sha256(_drawing_key(stamp))
    digest.update(kind.encode() + b"\0" + inputs.encode("utf-8"))
    key = digest.hexdigest()
    stored = read_cached("charts", key)
    # Both drawings are inlined unescaped: both must be plain drawings.
    match stored:
        case {"svg": str(svg), "alt": str(alt), "narrow": str(narrow)}:
            if is_plain_drawing(svg) and is_plain_drawing(narrow):
                return Chart(svg, alt, narrow)
    chart = draw()
    # No chart (no data for one) is found without drawing: not worth keeping, nor trusting.
    if chart is not None:
        write_cached("charts", key, {"svg": chart.svg, "alt": chart.alt, "narrow": chart.narrow})
    return chart


_SVG = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# What the charts are drawn with (and what older cached charts hold), and nothing that can run, load or embed.
_ELEMENTS = {"svg", "g", "defs", "style", "path", "use", "clipPath", "rect", "text", "tspan", "title", "desc"}
_ATTRIBUTES = {
    "id", "class", "style", "x", "y", "dx", "dy", "width", "height", "transform", "d", "clip-path", "role",
    "aria-label", "preserveAspectRatio", "viewBox", "version", "type", "fill", "stroke", "stroke-width",
    "font-family", "font-size", "font-weight", "font-style", "text-anchor", "href", _XLINK_HREF,
}  # fmt: skip
# The one style sheet older cached charts hold (a rule for every element of the page the SVG is in).
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


# The drawing: horizontal bars with wrapped labels, written as SVG directly.
WIDTH = 480.0  # drawing units; the figure is scaled to the column width
LABEL_WIDTH = 170.0  # the widest a bar's label may be before it wraps
FONT = 9.0  # labels and ticks
VALUE_FONT = 8.5  # the figure at the end of each bar
# The fonts the charts are measured with, in the order of the SVG's font-family list.
CHART_FONTS = ("NotoSans-Regular.ttf", "NotoSansKR-Regular.ttf")
FONT_FAMILIES = "Noto Sans, Noto Sans KR, Noto Sans CJK KR, DejaVu Sans, sans-serif"
LINE = 11.0  # line height of wrapped labels
BAR = 20.0  # bar thickness
GAP = 12.0  # between rows (more where a label needs the room)


class _Metrics:
    """Advance widths of the sans-serif font the charts are drawn in, for wrapping labels."""

    def __init__(self, font_dir: Path | None) -> None:
        self.widths: dict[int, float] = {}
        # The Latin font first; the next (Hangul) one is read only when a label needs a character
        # the first lacks, as the SVG's font-family list draws them: a large font's tables cost
        # more to read than the rest of a chart.
        self._unread = [font_dir / name for name in CHART_FONTS if font_dir and (font_dir / name).is_file()]
        self._reading = threading.Lock()  # the preview may draw charts in several threads
        self._read_next()

    def _read_next(self) -> None:
        from fontTools.ttLib import TTFont

        with self._reading:
            if not self._unread:
                return
            font = self._unread.pop(0)
        with TTFont(font, lazy=True) as ttf:
            scale = 1.0 / ttf["head"].unitsPerEm
            metrics = ttf["hmtx"].metrics
            for code, glyph in ttf.getBestCmap().items():
                self.widths.setdefault(code, metrics[glyph][0] * scale)

    def width(self, text: str, size: float) -> float:
        while self._unread and any(ord(c) not in self.widths for c in text):
            self._read_next()
        return sum(self.widths.get(ord(c), 0.55) for c in text) * size

    def wrap(self, text: str, size: float, limit: float) -> list[str]:
        """``text`` in lines no wider than ``limit`` (a word wider than that gets a line of its own)."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split():
                candidate = f"{line} {word}" if line else word
                if line and self.width(candidate, size) > limit:
                    lines.append(line)
                    line = word
                else:
                    line = candidate
            lines.append(line)
        return lines

    def fit(self, text: str, size: float, limit: float) -> list[str]:
        """``text`` in lines no wider than ``limit``, broken only at ordinary spaces (a no-break
        space the edition's typography put in stays, "do 2025 r."); a word wider than ``limit``
        is cut where it must be, since a phone's narrow drawing has no room beside it."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split(" "):
                if not word:
                    continue
                candidate = f"{line} {word}" if line else word
                if line and self.width(candidate, size) > limit:
                    lines.append(line)
                    candidate = word
                while len(candidate) > 1 and self.width(candidate, size) > limit:
                    cut = len(candidate) - 1
                    while cut > 1 and self.width(candidate[:cut], size) > limit:
                        cut -= 1
                    lines.append(candidate[:cut])
                    candidate = candidate[cut:]
                line = candidate
            lines.append(line)
        return lines


@functools.lru_cache(maxsize=4)
def _metrics(font_dir: Path | None) -> _Metrics:
    return _Metrics(font_dir)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(value: float) -> str:
    """A tick value in the edition's language ("2,5" in Polish), at most two decimals."""
    places = len(f"{value:.2f}".rstrip("0").split(".")[1]) if value != int(value) else 0
    return format_number(value, decimals=places)


def _ticks(top: float) -> list[float]:
    """Round tick values from 0 to ``top``: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if top <= 0:
        return [0.0]
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(top / step + 1e-9) + 1)]


@dataclass(frozen=True)
class _Row:
    label: str  # may hold "\n" for a line break
    value: float  # bar length in axis units
    text: str  # printed after the bar
    colour: str
    track: float | None = None  # a pale bar behind, this long (the whole of a progress bar)


def _bar_chart(rows: Sequence[_Row], top: float, axis_label: str, alt: str, font_dir: Path | None) -> str:
    # The edition's typography on the chart's words too ("stan na październik 2024 r.").
    rows = [replace(row, label=typeset(row.label), text=typeset(row.text)) for row in rows]
    axis_label = typeset(axis_label)
    metrics = _metrics(font_dir)
    labels = [metrics.wrap(row.label, FONT, LABEL_WIDTH) for row in rows]
    label_width = max(metrics.width(line, FONT) for lines in labels for line in lines)
    value_width = max(metrics.width(row.text, VALUE_FONT) for row in rows)
    left = math.ceil(label_width) + 10.0
    right = WIDTH - math.ceil(value_width) - 8.0
    scale = (right - left) / top
    parts: list[str] = []
    y = 6.0
    for row, lines in zip(rows, labels, strict=True):
        height = max(BAR, len(lines) * LINE)
        middle = y + height / 2
        bar = f'x="{left:.2f}" y="{middle - BAR / 2:.2f}" height="{BAR}"'
        if row.track is not None:
            parts.append(f'<rect {bar} width="{row.track * scale:.2f}" fill="{PALE}"/>')
        parts.append(f'<rect {bar} width="{max(row.value, 0) * scale:.2f}" fill="{row.colour}"/>')
        end = left + max(row.value, row.track or 0) * scale + 4
        baseline = middle + VALUE_FONT * 0.35
        parts.append(f'<text x="{end:.2f}" y="{baseline:.2f}" font-size="{VALUE_FONT}">{_esc(row.text)}</text>')
        first = middle - (len(lines) - 1) * LINE / 2 + FONT * 0.35
        spans = "".join(
            f'<tspan x="{left - 6:.2f}" y="{first + index * LINE:.2f}">{_esc(line)}</tspan>'
            for index, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="end">{spans}</text>')
        y += height + GAP
    axis = y - GAP / 2
    parts.append(
        f'<path d="M {left:.2f} 0 V {axis:.2f} H {right:.2f}" fill="none" stroke="{MUTED}" stroke-width="0.8"/>'
    )
    for tick in _ticks(top):
        x = left + tick * scale
        parts.append(f'<path d="M {x:.2f} {axis:.2f} v 3.5" stroke="{MUTED}" stroke-width="0.8"/>')
        parts.append(f'<text x="{x:.2f}" y="{axis + 14:.2f}" text-anchor="middle">{_number(tick)}</text>')
    parts.append(
        f'<text x="{(left + right) / 2:.2f}" y="{axis + 29:.2f}" text-anchor="middle">{_esc(axis_label)}</text>'
    )
    height = axis + 34
    return (
        f'<svg role="img" aria-label="{_attr(alt)}" preserveAspectRatio="xMinYMin meet" '
        f'viewBox="0 0 {WIDTH:g} {height:.2f}" xmlns="http://www.w3.org/2000/svg" version="1.1">'
        f'<g font-family="{FONT_FAMILIES}" font-size="{FONT}" fill="{INK}">' + "".join(parts) + "</g></svg>"
    )


# The narrow drawing, for a phone: 300 units wide, shown 288 to 384 px wide (screen.css), so
# that its text of 11.5 units is drawn at 11 px or more.  Each label has its own line(s) above
# its bar, and the value follows the bar (or has its own line under it, when the values are too
# wide to leave the bars room).
NARROW_WIDTH = 300.0
NARROW_FONT = 11.5  # every text: labels, values, ticks, the axis label
NARROW_LINE = 14.5
NARROW_BAR = 14.0
NARROW_GAP = 12.0
# The values follow the bars only if the bars keep at least this share of the width.
NARROW_BARS_SHARE = 0.5
# The HTML brief does not embed its fonts: a phone without Noto Sans draws the text in another
# sans-serif (DejaVu Sans, the family list's next, is up to 11 % wider), and a narrow drawing has
# no room to spare, so its text is measured this much wider than Noto Sans draws it.
NARROW_SLACK = 1.15


def _left_lines(lines: Sequence[str], x: float, top: float, css_class: str = "") -> str:
    """Lines of text from ``x``, the first one's top at ``top`` (its baseline a little lower)."""
    spans = "".join(
        f'<tspan x="{x:.2f}" y="{top + NARROW_FONT * 0.9 + index * NARROW_LINE:.2f}">{_esc(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text class="{css_class}">{spans}</text>' if css_class else f"<text>{spans}</text>"


def _narrow_bar_chart(rows: Sequence[_Row], top: float, axis_label: str, alt: str, font_dir: Path | None) -> str:
    rows = [replace(row, label=typeset(row.label), text=typeset(row.text)) for row in rows]
    axis_label = typeset(axis_label)
    metrics = _metrics(font_dir)
    width, size = NARROW_WIDTH, NARROW_FONT
    measured = size * NARROW_SLACK  # the size text is measured at, to fit in any sans-serif
    ticks = _ticks(top)
    tick_texts = [_number(tick) for tick in ticks]
    # The first tick's number is centred under the start of the bars: room for its left half.
    left = math.ceil(metrics.width(tick_texts[0], measured) / 2) + 1.0
    last_tick = math.ceil(metrics.width(tick_texts[-1], measured) / 2) + 1.0
    value_width = max(metrics.width(row.text, measured) for row in rows)
    right = width - math.ceil(value_width) - 6.0
    values_after = right - left >= NARROW_BARS_SHARE * (width - left)
    right = min(right, width - last_tick) if values_after else width - last_tick
    scale = (right - left) / top
    parts: list[str] = []
    y = 2.0
    for row in rows:
        lines = metrics.fit(row.label, measured, width - left)
        parts.append(_left_lines(lines, left, y))
        y += len(lines) * NARROW_LINE + 2
        bar = f'x="{left:.2f}" y="{y:.2f}" height="{NARROW_BAR}"'
        if row.track is not None:
            parts.append(f'<rect {bar} width="{row.track * scale:.2f}" fill="{PALE}"/>')
        parts.append(f'<rect {bar} width="{max(row.value, 0) * scale:.2f}" fill="{row.colour}"/>')
        if values_after:
            end = left + max(row.value, row.track or 0) * scale + 4
            baseline = y + NARROW_BAR / 2 + size * 0.35
            parts.append(f'<text class="value" x="{end:.2f}" y="{baseline:.2f}">{_esc(row.text)}</text>')
            y += NARROW_BAR
        else:
            y += NARROW_BAR + 2
            value_lines = metrics.fit(row.text, measured, width - left)
            parts.append(_left_lines(value_lines, left, y, "value"))
            y += len(value_lines) * NARROW_LINE
        y += NARROW_GAP
    axis = y - NARROW_GAP / 2
    parts.append(f'<path d="M {left:.2f} {axis:.2f} H {right:.2f}" fill="none" stroke="{MUTED}" stroke-width="0.8"/>')
    # Every tick, or every second (third...) where their numbers would touch.
    step = (right - left) * (ticks[1] - ticks[0]) / top if len(ticks) > 1 else width
    widest = max(metrics.width(text, measured) for text in tick_texts)
    every = next(n for n in range(1, len(ticks) + 1) if step * n >= widest + 6 or n == len(ticks))
    for tick, text in list(zip(ticks, tick_texts, strict=True))[::every]:
        x = left + tick * scale
        parts.append(f'<path d="M {x:.2f} {axis:.2f} v 3.5" stroke="{MUTED}" stroke-width="0.8"/>')
        parts.append(f'<text x="{x:.2f}" y="{axis + 4 + size:.2f}" text-anchor="middle">{_esc(text)}</text>')
    y = axis + 4 + size + 4
    axis_lines = metrics.fit(axis_label, measured, width - left)
    parts.append(_left_lines(axis_lines, left, y))
    height = y + len(axis_lines) * NARROW_LINE + 2
    return (
        f'<svg class="chart-narrow" role="img" aria-label="{_attr(alt)}" preserveAspectRatio="xMinYMin meet" '
        f'viewBox="0 0 {width:g} {height:.2f}" xmlns="http://www.w3.org/2000/svg" version="1.1">'
        f'<g font-family="{FONT_FAMILIES}" font-size="{size}" fill="{INK}">' + "".join(parts) + "</g></svg>"
    )


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def delivery_chart(rows: Sequence[ProgrammeRow], font_dir: Path | None) -> Chart | None:
    """The progress chart: for each programme, ``done`` out of ``total`` with its deadline, as the
    dossier declares them (``programme_table.progress``); years and dates are never bar lengths."""
    shown = [(row, row.progress) for row in rows if row.progress is not None]
    if not shown:
        return None
    bars = [bar for _row, bar in shown]
    drawn, alt_parts = [], []
    for row, bar in shown:
        done = {"done": bar.done.text, "total": bar.total.text}
        text = _("%(done)s of %(total)s") % done
        if bar.deadline:
            text = _("%(done)s of %(total)s, %(deadline)s") % (done | {"deadline": bar.deadline.text})
        what = {"label": bar.label, "what": bar.done_label.lower()} | done
        described = _("%(label)s: %(done)s of %(total)s %(what)s") % what
        if bar.deadline:
            described += " " + _("(due %(deadline)s)") % {"deadline": bar.deadline.text}
        # A row whose figures are below the audience's bar is flagged here as in the table beside it.
        unconfirmed = row.claim is not None and row.claim.unconfirmed
        if unconfirmed:
            flag = _("Unconfirmed")
            text, described = f"{text} ({flag})", f"{described} ({flag})"
        drawn.append(_Row(bar.label, bar.share, text, ACCENT, track=100))
        alt_parts.append(described)
    as_of = sorted({bar.done.as_of for bar in bars if bar.done.as_of})
    alt = _("Bar chart, %(axis)s: %(bars)s") % {"axis": bars[0].axis_label, "bars": "; ".join(alt_parts)}
    if as_of:
        alt += " " + _("(as of %(date)s).") % {"date": date_label(as_of[-1])}
    axis = bars[0].axis_label
    return Chart(_bar_chart(drawn, 100, axis, alt, font_dir), alt, _narrow_bar_chart(drawn, 100, axis, alt, font_dir))


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
    drawn, alt_parts = [], []
    for claim, fig in bars:
        name = source_name(claim.cites[0].source)
        when = _("as of %(date)s") % {"date": date_label(fig.as_of)} if fig.as_of else _("undated")
        colour = ACCENT if claim.grade <= "C" else PALE
        grade = _("grade %(grade)s") % {"grade": claim.grade}
        drawn.append(_Row(f"{name}\n({grade}, {when})", fig.value, fig.text, colour))
        alt_parts.append(
            _("%(figure)s according to %(source)s (%(grade)s)") % {"figure": fig.text, "source": name, "grade": grade}
        )
    top = max(max(fig.value for _claim, fig in bars), 0) or 1
    alt = _("Bar chart comparing sources: %(bars)s.") % {"bars": "; ".join(alt_parts)}
    unit = bars[0][1].unit
    wide = _bar_chart(drawn, top * 1.1, unit, alt, font_dir)
    return Chart(wide, alt, _narrow_bar_chart(drawn, top * 1.1, unit, alt, font_dir))
