"""Build directory/data/region_map.json: projected, simplified SVG paths of the 18 regions.

Run once when the source geometry changes (`manage.py build_region_map`); the result is committed,
so that drawing the map at request time is only string formatting (directory.maps).

Method: metropolitan regions are projected with an equirectangular projection scaled by
cos(46.5°) (close to Lambert-93 at this scale) into a 560-pixel-wide frame; each overseas region
gets its own inset frame. Coordinates are rounded to the pixel grid, then simplified
arc by arc (Douglas-Peucker between the points where borders meet), so that two neighbours share
exactly the same simplified border and no gap opens between them.
"""

import json
import math

from django.core.management.base import BaseCommand

from directory.reference import DATA_DIR

METRO_FILE = "regions-version-simplifiee.geojson"
OVERSEAS = [
    ("01", "region-guadeloupe.geojson"),
    ("02", "region-martinique.geojson"),
    ("03", "region-guyane.geojson"),
    ("04", "region-la-reunion.geojson"),
    ("06", "region-mayotte.geojson"),
]
COS_LAT = math.cos(math.radians(46.5))
METRO_WIDTH = 560
MARGIN = 6
INSET = (96, 78)  # width, height of each overseas inset frame
INSET_TOP_GAP = 14
TOLERANCE = 0.9  # pixels
MIN_RING_AREA = 2.0  # square pixels: smaller islets are dropped


def polygons(geometry) -> list[list[list[tuple[float, float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def features(name: str) -> list[dict]:
    data = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return data.get("features", [data])


def bounds(rings) -> tuple[float, float, float, float]:
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def make_projection(rings, *, x0: float, y0: float, width: float, height: float | None = None):
    """Fit lon/lat rings into the frame (x0, y0, width, height), keeping proportions.

    Without a height, the frame is as tall as the width makes it.
    """
    lon_min, lat_min, lon_max, lat_max = bounds(rings)
    cos_lat = math.cos(math.radians((lat_min + lat_max) / 2))
    span_x = (lon_max - lon_min) * cos_lat
    span_y = lat_max - lat_min
    scale = width / span_x if height is None else min(width / span_x, height / span_y)
    off_x = x0 + (width - span_x * scale) / 2
    off_y = y0 if height is None else y0 + (height - span_y * scale) / 2

    def project(point):
        lon, lat = point[0], point[1]
        return (
            round(off_x + (lon - lon_min) * cos_lat * scale),
            round(off_y + (lat_max - lat) * scale),
        )

    return project, span_y * scale


def dedupe(ring: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for p in ring:
        if not out or out[-1] != p:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def area(ring) -> float:
    return abs(
        sum(
            ring[i][0] * ring[(i + 1) % len(ring)][1] - ring[(i + 1) % len(ring)][0] * ring[i][1]
            for i in range(len(ring))
        )
        / 2
    )


def douglas_peucker(points, tolerance):
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = math.hypot(dx, dy)
    best, index = -1.0, 0
    for i in range(1, len(points) - 1):
        px, py = points[i]
        if norm == 0:
            dist = math.hypot(px - x1, py - y1)
        else:
            dist = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
        if dist > best:
            best, index = dist, i
    if best <= tolerance:
        return [points[0], points[-1]]
    left = douglas_peucker(points[: index + 1], tolerance)
    right = douglas_peucker(points[index:], tolerance)
    return left[:-1] + right


def simplify_shared(rings: list[list[tuple[int, int]]], tolerance: float):
    """Simplify rings so that borders shared by two rings are simplified the same way.

    Returns one entry per ring, None where the ring vanished.
    """
    neighbours: dict[tuple[int, int], set] = {}
    for ring in rings:
        n = len(ring)
        for i, p in enumerate(ring):
            neighbours.setdefault(p, set()).update((ring[i - 1], ring[(i + 1) % n]))
    junctions = {p for p, near in neighbours.items() if len(near) > 2}
    cache: dict[tuple, list] = {}
    result = []
    for ring in rings:
        starts = [i for i, p in enumerate(ring) if p in junctions]
        if not starts:
            # A ring of its own (island): pin its two farthest-apart-ish points.
            starts = [0, len(ring) // 2]
        simplified = []
        for k, start in enumerate(starts):
            end = starts[(k + 1) % len(starts)]
            arc = ring[start : end + 1] if end > start else ring[start:] + ring[: end + 1]
            key = tuple(arc)
            reverse_key = tuple(reversed(arc))
            if key in cache:
                part = cache[key]
            elif reverse_key in cache:
                part = list(reversed(cache[reverse_key]))
            else:
                canonical = min(key, reverse_key)
                done = douglas_peucker(list(canonical), tolerance)
                cache[canonical] = done
                part = done if canonical == key else list(reversed(done))
            simplified.extend(part[:-1])
        result.append(simplified if len(simplified) >= 3 else None)
    return result


def path_data(rings) -> str:
    """Compact SVG path: absolute move, then relative lines."""
    parts = []
    for ring in rings:
        x, y = ring[0]
        cmds = [f"M{x} {y}l"]
        coords = []
        for px, py in ring[1:]:
            coords.append(f"{px - x} {py - y}")
            x, y = px, py
        cmds.append(" ".join(coords))
        parts.append("".join(cmds) + "z")
    return "".join(parts).replace(" -", "-")


def label_point(rings) -> tuple[int, int]:
    ring = max(rings, key=area)
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return round(sum(xs) / len(xs)), round(sum(ys) / len(ys))


class Command(BaseCommand):
    help = "Project and simplify the regions' geometry into directory/data/region_map.json."

    def handle(self, *args, **options):
        metro = features(METRO_FILE)
        all_rings = [ring for f in metro for poly in polygons(f["geometry"]) for ring in poly]
        project, metro_height = make_projection(all_rings, x0=MARGIN, y0=MARGIN, width=METRO_WIDTH)
        metro_height = round(metro_height)
        # Project every ring, keeping track of which region and polygon it belongs to.
        owners, rings = [], []
        for f in metro:
            code = f["properties"]["code"]
            for poly in polygons(f["geometry"]):
                for ring in poly:
                    projected = dedupe([project(p) for p in ring])
                    if len(projected) >= 3 and area(projected) >= MIN_RING_AREA:
                        owners.append(code)
                        rings.append(projected)
        simplified = simplify_shared(rings, TOLERANCE)
        by_code: dict[str, list] = {}
        for code, ring in zip(owners, simplified, strict=True):
            if ring is not None:
                by_code.setdefault(code, []).append(ring)
        regions = []
        for f in metro:
            code = f["properties"]["code"]
            shapes = by_code[code]
            regions.append(
                {
                    "code": code,
                    "name": f["properties"]["nom"],
                    "d": path_data(shapes),
                    "label": label_point(shapes),
                }
            )
        top = MARGIN + metro_height + INSET_TOP_GAP
        for i, (code, filename) in enumerate(OVERSEAS):
            feature = features(filename)[0]
            x0 = MARGIN + i * (INSET[0] + 16)
            frame = (x0, top, INSET[0], INSET[1])
            polys = polygons(feature["geometry"])
            outer = [poly[0] for poly in polys]
            project_inset, _h = make_projection(
                outer, x0=x0 + 4, y0=top + 4, width=INSET[0] - 8, height=INSET[1] - 8
            )
            shapes = []
            for poly in polys:
                for ring in poly:
                    projected = dedupe([project_inset(p) for p in ring])
                    if len(projected) >= 3 and area(projected) >= MIN_RING_AREA:
                        shapes.append(projected)
            shapes = [douglas_peucker([*r, r[0]], TOLERANCE)[:-1] for r in shapes]
            shapes = [r for r in shapes if len(r) >= 3]
            regions.append(
                {
                    "code": code,
                    "name": feature["properties"]["nom"],
                    "d": path_data(shapes),
                    "label": label_point(shapes),
                    "inset": frame,
                }
            )
        height = top + INSET[1] + 24
        output = {
            "width": METRO_WIDTH + 2 * MARGIN,
            "height": height,
            "source": "IGN Admin Express COG 2018 (Licence Ouverte), via gregoiredavid/france-geojson v2.1.1",
            "regions": regions,
        }
        target = DATA_DIR / "region_map.json"
        target.write_text(json.dumps(output, ensure_ascii=False, separators=(",", ":")), "utf-8")
        size = sum(len(r["d"]) for r in regions)
        self.stdout.write(f"{target.name}: {len(regions)} regions, {size} bytes of path data")
