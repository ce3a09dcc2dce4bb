"""Charts drawn server-side as SVG strings (no JavaScript), for the PDF reports."""

from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

BAR_COLOUR = "#1d4e89"
SUPPRESSED_COLOUR = "#c9ced6"
TEXT_COLOUR = "#1c1f24"
MUTED_COLOUR = "#555d68"
FONT = "Lato Report, sans-serif"


def bar_chart_svg(
    rows: list[tuple[str, Decimal | None, str]], *, title: str, width: int = 640
) -> SafeString:
    """Horizontal bars: rows are (label, value or None when suppressed, value as text)."""
    label_width, value_width, row_height, bar_height = 230, 110, 24, 15
    bar_room = width - label_width - value_width
    top = max((value for _label, value, _text in rows if value is not None), default=Decimal(0))
    height = max(1, len(rows)) * row_height + 6
    bars = []
    for i, (label, value, text) in enumerate(rows):
        y = i * row_height + 4
        short = label if len(label) <= 34 else label[:32] + "…"
        length = int(bar_room * value / top) if value and top else 0
        bars.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                label_width - 8,
                y + bar_height - 3,
                TEXT_COLOUR,
                short,
                label_width,
                y,
                max(length, 1 if value is not None else 0),
                bar_height,
                BAR_COLOUR if value is not None else SUPPRESSED_COLOUR,
                label_width + max(length, 0) + 6,
                y + bar_height - 3,
                MUTED_COLOUR if value is None else TEXT_COLOUR,
                text,
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" font-family="{}"><title>{}</title>{}</svg>',
        width,
        height,
        width,
        height,
        FONT,
        title,
        mark_safe("".join(bars)),  # noqa: S308 - each bar is built with format_html
    )
