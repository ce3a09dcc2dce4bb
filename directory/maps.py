"""The map of the 18 regions, drawn server-side as inline SVG.

The geometry is precomputed by `manage.py build_region_map` into data/region_map.json (projected,
simplified, pixel coordinates), so that drawing is string formatting only. The SVG needs neither
JavaScript nor the page's CSS: colours are presentation attributes, which the Content Security
Policy allows and WeasyPrint renders in PDFs.
"""

import itertools
import json
from collections.abc import Callable
from functools import cache
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .reference import DATA_DIR

# Sequential blues (light to dark); the first is "none".
ZERO_FILL = "#eef0f3"
FILLS = ["#d6e4f3", "#a9c8e8", "#6fa3d6", "#3a78b8", "#1d4e89"]
STROKE = "#ffffff"
SELECTED_STROKE = "#f5b700"
TEXT = "#1c1f24"
LEGEND_X, LEGEND_Y = 8, 8
_title_ids = itertools.count(1)


@cache
def geometry() -> dict:
    return json.loads((DATA_DIR / "region_map.json").read_text(encoding="utf-8"))


def class_bounds(counts: dict[str, int]) -> list[int]:
    """Upper bounds of up to five classes, from the largest count (nice, increasing, distinct)."""
    top = max(counts.values(), default=0)
    if top <= 0:
        return []
    bounds = []
    for i in range(1, len(FILLS) + 1):
        bound = max(1, round(top * i / len(FILLS)))
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def fill_for(count: int, bounds: list[int]) -> str:
    if count <= 0 or not bounds:
        return ZERO_FILL
    for i, bound in enumerate(bounds):
        if count <= bound:
            # Spread classes over the palette when there are fewer than five.
            return FILLS[round(i * (len(FILLS) - 1) / max(1, len(bounds) - 1))]
    return FILLS[-1]


def _legend(bounds: list[int]) -> list[str]:
    parts = [
        f'<g class="map-legend" font-family="sans-serif" font-size="11" fill="{TEXT}">'
        f'<text x="{LEGEND_X}" y="{LEGEND_Y + 10}" font-weight="bold">'
        f"{escape(_('Nombre de PME'))}</text>"
    ]
    rows = [(ZERO_FILL, "0")]
    low = 1
    for bound in bounds:
        label = (
            number_format(bound) if bound == low else f"{number_format(low)}–{number_format(bound)}"
        )
        rows.append((fill_for(bound, bounds), label))
        low = bound + 1
    for i, (fill, label) in enumerate(rows):
        y = LEGEND_Y + 18 + i * 16
        parts.append(
            f'<rect x="{LEGEND_X}" y="{y}" width="14" height="12" fill="{fill}" stroke="#8a939f" '
            f'stroke-width="0.5"/><text x="{LEGEND_X + 20}" y="{y + 10}">{escape(label)}</text>'
        )
    parts.append("</g>")
    return parts


def region_map_svg(
    counts: dict[str, int],
    *,
    title: str,
    link: Callable[[str], str] | None = None,
    selected: frozenset[str] | set[str] = frozenset(),
) -> SafeString:
    """The 18 regions coloured by `counts` (INSEE region code -> number), with a legend.

    With `link`, each region is a link (to `link(code)`) named by its region and count, for
    click-to-filter. `selected` region codes get a highlighted outline. Built with f-strings,
    every value through `escape` (the standard library's, as Django's `escape`): the map is on
    every directory page.
    """
    data = geometry()
    bounds = class_bounds(counts)
    width, height = data["width"], data["height"]
    title_id = f"region-map-title-{next(_title_ids)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="region-map" '
        f'role="{"group" if link else "img"}" aria-labelledby="{title_id}">'
        f'<title id="{title_id}">{escape(str(title))}</title>'
    ]
    overseas_note = False
    # Selected regions last, so that their outline is drawn over their neighbours'.
    for region in sorted(data["regions"], key=lambda r: r["code"] in selected):
        code = escape(region["code"])
        count = counts.get(region["code"], 0)
        name = escape(region["name"])
        label = escape(
            ngettext("%(region)s : %(count)s PME", "%(region)s : %(count)s PME", count)
            % {"region": region["name"], "count": number_format(count)}
        )
        is_selected = region["code"] in selected
        inset = region.get("inset")
        if inset:
            x, y, w, h = (int(v) for v in inset)
            if not overseas_note:
                overseas_note = True
                parts.append(
                    f'<text x="{x}" y="{y - 3}" font-family="sans-serif" font-size="10" '
                    f'fill="#555d68">{escape(_("Outre-mer (échelles différentes)"))}</text>'
                )
            parts.append(
                f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="#d5dae1"/>'
                f'<text x="{x}" y="{y + h + 12}" font-family="sans-serif" font-size="10" '
                f'fill="{TEXT}">{name}</text>'
            )
        # region["d"] is built by build_region_map: digits, M, l and z only.
        path = (
            f'<path d="{region["d"]}" fill="{fill_for(count, bounds)}" fill-rule="evenodd" '
            f'stroke="{SELECTED_STROKE if is_selected else STROKE}" '
            f'stroke-width="{"2.5" if is_selected else "0.8"}" stroke-linejoin="round">'
            f"<title>{label}</title></path>"
        )
        if link:
            parts.append(
                f'<a href="{escape(link(region["code"]))}" aria-label="{label}" '
                f'class="map-region{" selected" if is_selected else ""}" data-region="{code}">'
                f"{path}</a>"
            )
        else:
            parts.append(f'<g data-region="{code}">{path}</g>')
    parts.extend(_legend(bounds))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)
