"""The reports' faster font subsetting gives the same subset fonts as WeasyPrint's own."""

import io

from fontTools import subset
from fontTools.ttLib import TTFont

from reports import pdf_fonts
from reports.rendering import FONTS_DIR


class _FakeFont:
    """What `weasyprint.pdf.fonts.Font._fonttools_subset` reads of a font."""

    def __init__(self, path):
        self.file_content = path.read_bytes()
        self.index = 0
        self.missing = {}
        self.family = "Lato Report"


def _stock_subset(font, gids, hinting):
    """WeasyPrint 70's `_fonttools_subset`, as it is."""
    options = subset.Options(
        retain_gids=True,
        passthrough_tables=True,
        ignore_missing_glyphs=True,
        hinting=hinting,
        desubroutinize=True,
        notdef_outline=bool(font.missing),
    )
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=gids)
    ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index)
    subsetter.subset(ttfont)
    output = io.BytesIO()
    ttfont.save(output)
    return output.getvalue()


def _without_timestamp(data: bytes) -> bytes:
    """The font as saved with a fixed modification time (fontTools stamps `head` when saving)."""
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    font["head"].modified = 0
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()


def test_the_subset_fonts_are_weasyprints_byte_for_byte():
    gids = dict.fromkeys((3, 17, 36, 68, 69, 70, 85, 2948), "")
    for name in ("Lato-Regular.ttf", "Lato-Bold.ttf", "Lato-Italic.ttf", "Lato-Semibold.ttf"):
        for hinting in (False, True):
            expected = _stock_subset(_FakeFont(FONTS_DIR / "lato" / name), gids, hinting)
            font = _FakeFont(FONTS_DIR / "lato" / name)
            pdf_fonts._fonttools_subset(font, gids, hinting)
            assert _without_timestamp(font.file_content) == _without_timestamp(expected), (
                name,
                hinting,
            )
            assert "GPOS" not in TTFont(io.BytesIO(font.file_content))
