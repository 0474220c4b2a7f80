#!/usr/bin/python3
"""Independent reference for frontline's change between two snapshots and its front length.

Naive on purpose, like control_area.py (whose helpers it reuses): each snapshot is read from its
GeoJSON file and computed whole with GEOS (Shapely) and geodesic measures on the WGS 84
ellipsoid (pyproj.Geod). No cells, no caching, nothing shared with frontline's geometry code but
the classification (bench/reference/export-statuses.ts). Only ground inside Ukraine is modelled.

For a snapshot X, inside Ukraine:
    C_X  = union(contested) ∩ Ukraine
    RU_X = (union(occupied) - union(contested)) ∩ Ukraine
    UA_X = Ukraine - RU_X - C_X
For a pair (A, B): gained/lost km² per side, e.g. RU gained = area(RU_B - RU_A).
Front of X: the outline of RU_X with its narrow gaps closed, farther than 2 km from Ukraine's
outline (coasts and borders are not a front, and drawings stop short of them by up to a few
hundred metres). Narrow gaps: non-RU ground narrower than GAP_KM between pieces of RU ground
(drawing artefacts) is filled by a morphological closing of RU_X by GAP_KM/2 (dilate, then
erode), done whole in the azimuthal equidistant projection below; the front is then the outline
of RU_X ∪ closing(RU_X), so a gap's two sides are not front and its mouths are bridged. Measured differently
from frontline on purpose (no buffers, no cells): the outline is cut into steps of at most 100 m,
a step counts when its midpoint lies more than 2 km from Ukraine's outline (distances in an
azimuthal equidistant projection about the middle of the front, pyproj, nearest outline segments
from an STRtree), and the counted steps' geodesic lengths (pyproj.Geod) are summed.

usage:
  /usr/bin/python3 bench/reference/change_front.py --dir DIR --statuses S.json \\
      --borders data/borders/ukraine-russia.geojson [--pairs A:B,C:D] [--fronts ID,ID] [--gap-km W] [--out OUT.json]
Prints (or writes) JSON: {"pairs": [{"from", "to", "RU": {"gained_km2","lost_km2"}, "UA": …, "contested": …}],
                          "fronts": [{"id", "length_km"}], "seconds"}
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from control_area import GEOD, area_km2, emit, load_borders, polygons_by_status, union_valid  # noqa: E402

import math  # noqa: E402
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="STRtree will be changed")

from shapely.geometry import LineString, Point, box  # noqa: E402
from shapely.ops import transform  # noqa: E402
from shapely.strtree import STRtree  # noqa: E402
import pyproj  # noqa: E402

MARGIN_KM = 2.0
STEP_KM = 0.1
GAP_KM = 0.2


def lines_of(geom):
    stack, out = [geom], []
    while stack:
        g = stack.pop()
        if g.is_empty:
            continue
        if isinstance(g, LineString):
            out.append(g)
        elif hasattr(g, "geoms"):
            stack.extend(g.geoms)
        elif hasattr(g, "exterior"):
            stack.append(g.exterior)
            stack.extend(g.interiors)
    return out


class Outline:
    """Ukraine's outline cut into short segments, projected, in an STRtree for nearest queries."""

    def __init__(self, ukraine, fwd):
        self.fwd = fwd
        segs = []
        for line in lines_of(ukraine.boundary):
            xs, ys = fwd(*zip(*line.coords))
            pts = list(zip(xs, ys))
            for i in range(0, len(pts) - 1, 8):
                segs.append(LineString(pts[i:i + 9]))
        self.segs = segs
        self.tree = STRtree(segs)

    def near(self, x, y):
        found = self.tree.query(box(x - MARGIN_KM, y - MARGIN_KM, x + MARGIN_KM, y + MARGIN_KM))
        p = Point(x, y)
        for g in found:
            seg = self.segs[int(g)] if not hasattr(g, "geom_type") else g  # Shapely 2 gives indices
            if seg.distance(p) <= MARGIN_KM:
                return True
        return False


def front_length_km(ru, outline):
    total = 0.0
    for line in lines_of(ru.boundary):
        coords = list(line.coords)
        for (ax, ay), (bx, by) in zip(coords, coords[1:]):
            _, _, d = GEOD.inv(ax, ay, bx, by)
            d /= 1000
            n = max(1, math.ceil(d / STEP_KM))
            for k in range(n):
                f = (k + 0.5) / n
                x, y = outline.fwd(ax + (bx - ax) * f, ay + (by - ay) * f)
                if not outline.near(x, y):
                    total += d / n
    return total


def close_gaps(ru, fwd, inv, gap_km):
    """RU ∪ its morphological closing by gap_km/2, computed in the projected frame (km)."""
    if gap_km <= 0:
        return ru
    r = gap_km / 2
    projected = transform(fwd, ru)
    closed = projected.buffer(r, 8).buffer(-r, 8).union(projected)
    return transform(inv, closed)


def control(path, statuses, ukraine):
    by, _ = polygons_by_status(path, statuses)
    occ, con = union_valid(by.get("occupied", [])), union_valid(by.get("contested", []))
    c = con.intersection(ukraine) if con is not None else None
    ru = None
    if occ is not None:
        ru = occ.difference(con) if con is not None else occ
        ru = ru.intersection(ukraine)
    return ru, c


def diff_area(a, b):
    if a is None or a.is_empty:
        return 0.0
    if b is None or b.is_empty:
        return area_km2(a)
    return area_km2(a.difference(b))


def union2(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a.union(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--statuses", required=True)
    ap.add_argument("--borders", required=True)
    ap.add_argument("--pairs", default="")
    ap.add_argument("--fronts", default="")
    ap.add_argument("--gap-km", type=float, default=GAP_KM, help="width of the gaps closed before the front is measured (0: none)")
    ap.add_argument("--out")
    args = ap.parse_args()
    t0 = time.perf_counter()
    with open(args.statuses, encoding="utf-8") as f:
        statuses = json.load(f)["files"]
    ukraine, _ = load_borders(args.borders)
    cache = {}

    def get(sid):
        if sid not in cache:
            cache[sid] = control(os.path.join(args.dir, sid + ".geojson"), statuses[sid], ukraine)
        return cache[sid]

    pairs = []
    for spec in [p for p in args.pairs.split(",") if p]:
        a, b = spec.split(":")
        ru_a, c_a = get(a)
        ru_b, c_b = get(b)
        taken_a, taken_b = union2(ru_a, c_a), union2(ru_b, c_b)
        pairs.append({
            "from": a,
            "to": b,
            "RU": {"gained_km2": diff_area(ru_b, ru_a), "lost_km2": diff_area(ru_a, ru_b)},
            "contested": {"gained_km2": diff_area(c_b, c_a), "lost_km2": diff_area(c_a, c_b)},
            "UA": {"gained_km2": diff_area(taken_a, taken_b), "lost_km2": diff_area(taken_b, taken_a)},
        })
    fronts = []
    aeqd = pyproj.CRS.from_proj4("+proj=aeqd +lat_0=48.5 +lon_0=36 +ellps=WGS84 +units=km")
    fwd = pyproj.Transformer.from_crs("EPSG:4326", aeqd, always_xy=True).transform
    inv = pyproj.Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True).transform
    outline = Outline(ukraine, fwd) if args.fronts else None
    for sid in [s for s in args.fronts.split(",") if s]:
        ru, _ = get(sid)
        length = 0.0 if ru is None else front_length_km(close_gaps(ru, fwd, inv, args.gap_km), outline)
        fronts.append({"id": sid, "length_km": length})
    emit({"pairs": pairs, "fronts": fronts, "seconds": round(time.perf_counter() - t0, 3)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
