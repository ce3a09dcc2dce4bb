"""Charts drawn server-side as SVG strings (no JavaScript), for the PDF reports."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
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


# Temporary stand-in for directory.maps.region_map_svg while the directory's map is not in the
# repository: the 18 regions as a grid of tiles placed roughly where they are.
_TILES = {
    "32": (2, 0),
    "28": (1, 1),
    "11": (2, 1),
    "44": (3, 1),
    "53": (0, 2),
    "52": (1, 2),
    "24": (2, 2),
    "27": (3, 2),
    "75": (1, 3),
    "84": (2, 3),
    "76": (1, 4),
    "93": (2, 4),
    "94": (3, 4),
    "01": (0, 6),
    "02": (1, 6),
    "03": (2, 6),
    "04": (3, 6),
    "06": (4, 6),
}
_FILLS = ["#eef0f3", "#d6e4f3", "#a9c8e8", "#6fa3d6", "#3a78b8", "#1d4e89"]


def fallback_region_map_svg(counts: dict[str, int], *, title: str, link=None) -> SafeString:
    top = max(counts.values(), default=0)
    size, gap = 70, 6

    def fill(count: int) -> str:
        if count <= 0 or top <= 0:
            return _FILLS[0]
        return _FILLS[min(5, 1 + (count * 5 - 1) // top)]

    tiles = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="{}">{}</text>',
        (
            (
                col * (size + gap),
                row * (size + gap),
                size,
                size,
                fill(counts.get(code, 0)),
                col * (size + gap) + size // 2,
                row * (size + gap) + size // 2 + 4,
                "#ffffff" if counts.get(code, 0) * 2 > top > 0 else TEXT_COLOUR,
                code,
            )
            for code, (col, row) in _TILES.items()
        ),
    )
    width, height = 5 * (size + gap), 7 * (size + gap)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" font-family="{}"><title>{}</title>{}</svg>',
        width,
        height,
        width,
        height,
        FONT,
        title,
        tiles,
    )
