"""Faster font subsetting for the PDF reports, with the same bytes as WeasyPrint's.

Without the HarfBuzz subsetter (`libharfbuzz-subset0`, absent from the image and from this
machine), WeasyPrint subsets each embedded font with fontTools, asking it to drop the layout
tables (GSUB, GPOS) and the legacy kerning: the glyphs are already placed in the PDF's text, so
they serve nothing there. fontTools nevertheless decompiles those tables before dropping them
(`_compact_layout_tables`); for Lato's 85 KB of kerning that took about 0.3 s of a core per face,
two thirds of a member report's rendering. `install()` makes WeasyPrint's fontTools path delete
the tables it would drop *before* subsetting: the subset fonts, hence the PDFs, are byte for byte
the same but for the modification time fontTools stamps when it saves a font
(`tests/reports/test_pdf_fonts.py`), in a fifth of the time.

With the HarfBuzz subsetter installed WeasyPrint does not take this path at all.
"""

import io

from fontTools import subset
from fontTools.ttLib import TTFont, TTLibError

_installed = False


class _Subsetter(subset.Subsetter):
    """fontTools' subsetter, deleting first the tables its pre-subset pruning would drop."""

    def subset(self, font):
        options = self.options
        dropped = [
            tag
            for tag in font.keys()  # noqa: SIM118 - a TTFont is not iterable
            if tag != "GlyphOrder"
            and (
                tag.strip() in options.drop_tables
                or (tag.strip() in options.hinting_tables and not options.hinting)
                or (tag == "kern" and not options.legacy_kern and "GPOS" in font)
            )
        ]
        for tag in dropped:
            del font[tag]
        super().subset(font)


def _fonttools_subset(self, to_unicode, hinting):
    """`weasyprint.pdf.fonts.Font._fonttools_subset` (WeasyPrint 70), with `_Subsetter`."""
    from weasyprint.logger import LOGGER

    full_font = io.BytesIO(self.file_content)
    options = subset.Options(
        retain_gids=True,
        passthrough_tables=True,
        ignore_missing_glyphs=True,
        hinting=hinting,
        desubroutinize=True,
        notdef_outline=bool(self.missing),
    )
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = _Subsetter(options)
    subsetter.populate(gids=to_unicode)
    try:
        ttfont = TTFont(full_font, fontNumber=self.index)
        subsetter.subset(ttfont)
    except TTLibError as exception:
        LOGGER.warning("Unable to subset %r with fontTools", self.family)
        LOGGER.debug("Original exception:", exc_info=exception)
    else:
        optimized_font = io.BytesIO()
        ttfont.save(optimized_font)
        self.file_content = optimized_font.getvalue()


def install() -> None:
    """Use `_fonttools_subset` in this process (idempotent). Called by `rendering.render_pdf`
    only, so that the benchmark's floor, rendered in the bench process, stays stock WeasyPrint."""
    global _installed
    if _installed:
        return
    from weasyprint.pdf import fonts

    if not hasattr(fonts.Font, "_fonttools_subset"):  # another WeasyPrint: leave it alone
        return
    fonts.Font._fonttools_subset = _fonttools_subset
    _installed = True
