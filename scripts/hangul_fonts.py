"""Make the vendored Korean fonts: templates/static/fonts/NotoSansKR-{Regular,Bold}.ttf.

Source: Debian's fonts-noto-cjk (Noto Sans CJK, SIL OFL 1.1), the Korean face of the collection
(font number 1 of NotoSansCJK-{Regular,Bold}.ttc).  Subset to Hangul (syllables, jamo,
compatibility jamo), CJK punctuation, full-width forms and basic Latin, then converted from CFF
to TrueType outlines, so that every consumer reads it the same way (WeasyPrint, the stamp's own
PDF font code and resvg).  Byte-identical from run to run.

    apt-get install -y fonts-noto-cjk
    .venv/bin/python scripts/hangul_fonts.py            # writes templates/static/fonts/NotoSansKR-*.ttf
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

SOURCE = Path("/usr/share/fonts/opentype/noto")
TARGET = Path(__file__).resolve().parent.parent / "templates" / "static" / "fonts"
KOREAN_FACE = 1  # in the .ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
UNICODES = (
    "U+0020-007E,U+00A0,U+00B7,U+2010-2027,U+2030,U+203B,"  # basic Latin, punctuation
    "U+1100-11FF,U+3000-303F,U+3130-318F,U+AC00-D7A3,U+FF01-FF60"  # jamo, CJK punctuation, syllables, full width
)


def to_truetype(font: TTFont) -> None:
    """CFF outlines to quadratic TrueType (as fontTools' otf2ttf snippet does), within 1 unit."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, field, 0)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def make(weight: str) -> Path:
    source = SOURCE / f"NotoSansCJK-{weight}.ttc"
    options = subset.Options()
    options.font_number = KOREAN_FACE
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = ["*"]
    font = subset.load_font(str(source), options, lazy=False)
    font.recalcTimestamp = False  # keep the source's date: the same bytes every run
    font.recalcBBoxes = True  # the new TrueType glyphs need their bounds
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    to_truetype(font)
    target = TARGET / f"NotoSansKR-{weight}.ttf"
    font.save(target)
    return target


def main() -> None:
    if not (SOURCE / "NotoSansCJK-Regular.ttc").is_file():
        sys.exit("install Debian's fonts-noto-cjk first: apt-get install -y fonts-noto-cjk")
    for weight in ("Regular", "Bold"):
        print(f"wrote {make(weight)}")


if __name__ == "__main__":
    main()
