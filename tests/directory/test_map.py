import re

from directory.maps import region_map_svg

CODES = [
    "01",
    "02",
    "03",
    "04",
    "06",
    "11",
    "24",
    "27",
    "28",
    "32",
    "44",
    "52",
    "53",
    "75",
    "76",
    "84",
    "93",
    "94",
]


def test_map_draws_the_18_regions_with_evenodd_and_legend():
    svg = str(region_map_svg({"84": 10, "11": 3}, title="Carte"))
    assert svg.startswith("<svg")
    assert len(re.findall(r"<path ", svg)) == 18
    assert svg.count('fill-rule="evenodd"') == 18
    assert "<title" in svg and "Carte" in svg
    assert "Nombre de PME" in svg  # legend
    assert "style=" not in svg  # CSP-safe and self-contained for PDFs
    assert "<script" not in svg
    assert len(svg) < 20_000


def test_map_links_are_accessible_and_point_where_asked():
    svg = str(region_map_svg({"53": 4}, title="Carte", link=lambda c: f"/annuaire/?region={c}"))
    for code in CODES:
        assert f'href="/annuaire/?region={code}"' in svg
    assert 'aria-label="Bretagne : 4 PME"' in svg
    assert 'aria-label="Mayotte : 0 PME"' in svg


def test_map_colours_follow_counts():
    svg = str(region_map_svg({"84": 100, "53": 1}, title="Carte"))
    fills = dict(re.findall(r'data-region="(\d+)"><path d="[^"]+" fill="(#[0-9a-f]{6})"', svg))
    assert fills["84"] != fills["53"] != fills["11"]
    assert fills["11"] == "#eef0f3"  # no SME


def test_map_escapes_the_title():
    svg = str(region_map_svg({}, title="<b>x</b>"))
    assert "<b>" not in svg
