"""Page geometry, fonts and colours of print.css / brief.css, so the Word edition looks like the PDF."""

from __future__ import annotations

# Page geometry and colours of print.css / brief.css, so the Word edition looks like the PDF.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_SIDE_MM, MARGIN_BOTTOM_MM = 22, 18, 22
TEXT_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_SIDE_MM
SERIF, SANS = "Noto Serif", "Noto Sans"
# Hangul in any edition, as in print.css: the Latin faces have no Hangul, so Word names this one as
# the East Asian font of every run (w:rFonts w:eastAsia) and never shows empty boxes.
HANGUL = "Noto Sans KR"
INK, ACCENT, MUTED, RULE, PANEL, FLAG = "1B2A3A", "1F5F8B", "4F5B66", "C9D3DD", "EEF3F8", "8A3B00"
PRIORITY_COLOURS = {"priority-high": "8A1C1C", "priority-medium": ACCENT, "priority-low": MUTED}
# Charts are drawn this many pixels wide: about 230 dpi across the text width.
CHART_PIXELS = 1600
# Indent of list text in python-docx's default list styles (twips), for an item's later paragraphs.
LIST_INDENT = 360
MAX_IMAGE_PIXELS = 4000
