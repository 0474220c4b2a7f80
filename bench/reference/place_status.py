#!/usr/bin/python3
"""Independent reference for frontline's place statuses: which side holds each point.

Naive on purpose: every snapshot is read from its GeoJSON file and every point is tested with
GEOS (through Shapely) against that snapshot's polygons, repaired with make_valid. Nothing is
shared with frontline's code except the classification of features (exported by
bench/reference/export-statuses.ts), so this checks the geometry and the control model:

  owner       Ukraine if the borders file's UKR polygon contains the point, Russia if RUS does
  in Ukraine  contested if a contested polygon contains it, else RU if an occupied one does,
              else UA
  in Russia   with D, C, O the unions of dismissed, contested and occupied polygons cut to
              Russia: contested if it lies in slivers(C), else UA if it lies in
              slivers(D - C - O), else RU; slivers(G) keeps what belongs to a body at least
              2 km wide: G ∩ buffer(buffer(G, -1 km), +2 km), buffered in a local
              equirectangular frame in km (the mean latitude of the outer rings' vertices)

For each point and snapshot it also reports the distance in metres (a lower bound, from the
degree distance scaled by the smaller of the two axes) to the nearest edge of any polygon that
decides a status, so that a disagreement can be told apart from a point on an edge.

Runs with the system Python (/usr/bin/python3) and Debian's python3-shapely (1.8 or 2.x).

usage:
  /usr/bin/python3 bench/reference/place_status.py --dir DIR --ids ID,ID,... --statuses S.json \\
      --borders data/borders/ukraine-russia.geojson --places P.json [--out OUT.json]
P.json: [[lon, lat], ...]. Output JSON:
  {"versions": {...}, "owners": ["UKR"|"RUS"|null, ...],
   "snapshots": {"<id>": {"sides": ["RU"|"UA"|"contested"|null, ...], "edge_m": [m, ...],
                          "raw_held": [bool, ...], "seconds": s}}
  raw_held: a point in Russia that a contested or dismissed polygon covers before sliver removal, "seconds": total}
"""
import argparse
import json
import math
import os
import sys
import time

try:
    import shapely
    from shapely.geometry import MultiPolygon, Point
    from shapely.ops import transform
    from shapely.prepared import prep
except ImportError as e:  # pragma: no cover - reported to the caller
    sys.stderr.write("place_status.py: missing Python dependency (%s); install python3-shapely\n" % e)
    sys.exit(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from control_area import emit, load_borders, polygonal, polygons_by_status, union_valid, valid  # noqa: E402

SLIVER_RADIUS_KM = 1.0
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQ = 111.32


def as_area(parts):
    parts = [p for p in parts if not p.is_empty]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def slivers(geom):
    """Keeps the parts of geom that belong to a body at least 2 km wide."""
    parts = polygonal(geom)
    if not parts:
        return None
    lats = [y for p in parts for (_, y) in p.exterior.coords]
    fx = KM_PER_DEG_LON_EQ * math.cos(math.radians(sum(lats) / len(lats)))
    fy = KM_PER_DEG_LAT
    km = transform(lambda x, y, z=None: (x * fx, y * fy), as_area(parts))
    core = km.buffer(-SLIVER_RADIUS_KM, 8)
    if core.is_empty:
        return None
    grown = transform(lambda x, y, z=None: (x / fx, y / fy), core.buffer(2 * SLIVER_RADIUS_KM, 8))
    return as_area(polygonal(as_area(parts).intersection(grown)))


def minus(a, b):
    if a is None or b is None:
        return a
    return as_area(polygonal(a.difference(b)))


def edge_m(geoms, pt):
    """Lower bound of the distance in metres from pt to the boundary of any of geoms."""
    d = math.inf
    for g in geoms:
        if g is not None:
            d = min(d, g.boundary.distance(pt))
    if d == math.inf:
        return None
    return d * KM_PER_DEG_LON_EQ * 1000 * math.cos(math.radians(min(abs(pt.y) + 0.5, 89)))


def compute_snapshot(path, statuses, ukraine, russia, points, owners):
    by, _ = polygons_by_status(path, statuses)
    occ, con, dis = (union_valid(by.get(k, [])) for k in ("occupied", "contested", "dismissed"))
    cut = lambda g: as_area(polygonal(g.intersection(russia))) if g is not None else None  # noqa: E731
    r_con, r_occ, r_dis = cut(con), cut(occ), cut(dis)
    ground_c = slivers(r_con) if r_con is not None else None
    ground_ua = slivers(minus(minus(r_dis, r_con), r_occ)) if r_dis is not None else None
    p_occ, p_con = (prep(g) if g is not None else None for g in (occ, con))
    p_gc, p_gua = (prep(g) if g is not None else None for g in (ground_c, ground_ua))
    p_rc, p_rd = (prep(g) if g is not None else None for g in (r_con, r_dis))
    sides, edges, raw = [], [], []
    for pt, owner in zip(points, owners):
        raw.append(owner == "RUS" and bool((p_rc and p_rc.contains(pt)) or (p_rd and p_rd.contains(pt))))
        if owner == "UKR":
            side = "contested" if p_con and p_con.contains(pt) else "RU" if p_occ and p_occ.contains(pt) else "UA"
            edges.append(edge_m([occ, con], pt))
        elif owner == "RUS":
            side = "contested" if p_gc and p_gc.contains(pt) else "UA" if p_gua and p_gua.contains(pt) else "RU"
            edges.append(edge_m([ground_c, ground_ua, r_con, r_dis], pt))
        else:
            side = None
            edges.append(None)
        sides.append(side)
    return sides, edges, raw


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--statuses", required=True)
    ap.add_argument("--borders", required=True)
    ap.add_argument("--places", required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    t0 = time.perf_counter()
    with open(args.statuses, encoding="utf-8") as f:
        statuses = json.load(f)["files"]
    with open(args.places, encoding="utf-8") as f:
        points = [Point(float(x), float(y)) for x, y in json.load(f)]
    ukraine, russia = load_borders(args.borders)
    pu, pr = prep(ukraine), prep(russia)
    owners = ["UKR" if pu.contains(p) else "RUS" if pr.contains(p) else None for p in points]
    snaps = {}
    for sid in [s for s in args.ids.replace(",", " ").split() if s]:
        t = time.perf_counter()
        sides, edges, raw = compute_snapshot(os.path.join(args.dir, sid + ".geojson"), statuses[sid], ukraine, russia, points, owners)
        snaps[sid] = {"sides": sides, "edge_m": edges, "raw_held": raw, "seconds": round(time.perf_counter() - t, 3)}
    out = {
        "versions": {"python": sys.version.split()[0], "shapely": shapely.__version__},
        "owners": owners,
        "snapshots": snaps,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    emit(out, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
