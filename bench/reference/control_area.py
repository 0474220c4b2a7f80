#!/usr/bin/python3
"""Independent reference for frontline's RU-controlled area inside Ukraine, per region.

Naive on purpose: every snapshot is read from its GeoJSON file and computed from scratch with
GEOS (through Shapely) and geodesic areas on the WGS 84 ellipsoid (pyproj.Geod, which wraps
GeographicLib). No caching, no cells, nothing shared with frontline's geometry code.

For each snapshot and region:
    RU km² = area( ((union(occupied) - union(contested)) ∩ Ukraine) ∩ region )
with every input polygon repaired with make_valid first. "dismissed" polygons change nothing
inside Ukraine. Ground inside Russia (and its sliver removal) is not modelled here.

Classification is not redone: the statuses come from a JSON file written by
bench/reference/export-statuses.ts (frontline's rule set, per file and feature index), so this
checks geometry and areas, not naming rules.

Runs with the system Python (/usr/bin/python3) and Debian's python3-shapely, python3-pyproj;
works with Shapely 1.8 and 2.x.

usage:
  /usr/bin/python3 bench/reference/control_area.py --dir DIR --ids all|ID,ID,...|@FILE \\
      --statuses STATUSES.json --borders data/borders/ukraine-russia.geojson \\
      --regions ukraine-oblasts.geojson --name-field name:en [--out OUT.json] [--progress]
  /usr/bin/python3 bench/reference/control_area.py --versions
Prints (or writes to --out) JSON:
  {"versions": {...}, "regions": {name: {"in_ukraine_km2", "in_russia_km2"}},
   "snapshots": [{"id", "ru_ukraine_km2", "regions": {name: km2}, "features", "seconds"}],
   "seconds": total}
"""
import argparse
import json
import os
import sys
import time

try:
    import shapely
    from shapely.geometry import GeometryCollection, MultiPolygon, Polygon
    from shapely.geometry.polygon import orient
    from shapely.ops import unary_union
    from shapely.validation import make_valid
    import pyproj
except ImportError as e:  # pragma: no cover - reported to the caller
    sys.stderr.write(
        "control_area.py: missing Python dependency (%s); install the Debian packages "
        "python3-shapely and python3-pyproj (see .ci/apt-packages) and run with /usr/bin/python3\n" % e
    )
    sys.exit(3)

GEOD = pyproj.Geod(ellps="WGS84")
STATUSES_COUNTED = ("occupied", "contested")


def geos_version():
    try:
        return shapely.geos_version_string  # Shapely 2
    except AttributeError:
        from shapely import geos  # Shapely 1.8

        return geos.geos_version_string


def ring_coords(ring):
    return [(float(p[0]), float(p[1])) for p in ring]


def polygons_of(geometry):
    """The polygons of a GeoJSON geometry (Polygon, MultiPolygon, GeometryCollection), 2-D."""
    if not geometry:
        return []
    t = geometry.get("type")
    if t == "Polygon":
        rings = [geometry["coordinates"]]
    elif t == "MultiPolygon":
        rings = geometry["coordinates"]
    elif t == "GeometryCollection":
        out = []
        for g in geometry.get("geometries") or []:
            out.extend(polygons_of(g))
        return out
    else:
        return []
    out = []
    for poly in rings:
        if not poly or len(poly[0]) < 4:
            continue  # a shell of fewer than 4 positions encloses nothing
        shell = ring_coords(poly[0])
        holes = [ring_coords(h) for h in poly[1:] if len(h) >= 4]
        out.append(Polygon(shell, holes))
    return out


def polygonal(geom):
    """Only the polygonal parts of a geometry, as a list of Polygons."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    if isinstance(geom, GeometryCollection):
        out = []
        for g in geom.geoms:
            out.extend(polygonal(g))
        return out
    return []


def valid(geom):
    """make_valid, keeping the area only."""
    parts = polygonal(make_valid(geom))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def area_km2(geom):
    """Geodesic area on WGS 84 of the polygonal parts of geom, km²."""
    total = 0.0
    for p in polygonal(geom):
        a, _ = GEOD.geometry_area_perimeter(orient(p, 1.0))
        total += abs(a)
    return total / 1e6


def union_valid(polys):
    parts = [v for v in (valid(p) for p in polys) if v is not None]
    if not parts:
        return None
    return unary_union(parts)


def load_borders(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = {}
    for feat in doc["features"]:
        out[feat["properties"]["iso3"]] = valid(MultiPolygon(polygons_of(feat["geometry"])))
    return out["UKR"], out["RUS"]


def emit(result, out_path):
    """Writes the result as JSON to out_path, or to stdout when there is none."""
    text = json.dumps(result)
    if out_path:
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text + "\n")


def load_regions(path, field):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    regions = []
    for i, feat in enumerate(doc["features"]):
        name = (feat.get("properties") or {}).get(field)
        if not isinstance(name, str) or not name.strip():
            raise SystemExit("%s: feature %d has no %r property" % (path, i, field))
        geom = union_valid(polygons_of(feat["geometry"]))
        if geom is None:
            raise SystemExit("%s: region %r has no polygon" % (path, name))
        regions.append((name, geom))
    return regions


def snapshot_ids(folder, spec):
    if spec == "all":
        ids = [f[: -len(".geojson")] for f in os.listdir(folder) if f.endswith(".geojson") and f[:-8].isdigit()]
        return sorted(ids, key=int)
    text = spec
    if spec.startswith("@"):
        with open(spec[1:], encoding="utf-8") as f:
            text = f.read()
    return [s for s in text.replace(",", " ").split() if s]


def polygons_by_status(path, statuses):
    """A snapshot file's polygons grouped by their exported status, and its feature count."""
    with open(path, encoding="utf-8") as f:
        features = json.load(f).get("features") or []
    if len(features) != len(statuses):
        raise SystemExit("%s: %d features, but %d statuses exported" % (path, len(features), len(statuses)))
    by = {}
    for feat, status in zip(features, statuses):
        by.setdefault(status, []).extend(polygons_of(feat.get("geometry")))
    return by, len(features)


def compute_snapshot(path, statuses, ukraine, regions):
    by, nfeatures = polygons_by_status(path, statuses)
    occ = union_valid(by.get("occupied", []))
    con = union_valid(by.get("contested", []))
    result = {"ru_ukraine_km2": 0.0, "regions": {name: 0.0 for name, _ in regions}}
    if occ is None:
        return result, nfeatures
    ru = occ.difference(con) if con is not None else occ
    ru = ru.intersection(ukraine)
    result["ru_ukraine_km2"] = area_km2(ru)
    for name, geom in regions:
        result["regions"][name] = area_km2(ru.intersection(geom))
    return result, nfeatures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir")
    ap.add_argument("--ids", default="all")
    ap.add_argument("--statuses")
    ap.add_argument("--borders")
    ap.add_argument("--regions")
    ap.add_argument("--name-field", default="name:en")
    ap.add_argument("--out")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--versions", action="store_true", help="print library versions and exit")
    args = ap.parse_args()

    versions = {
        "python": sys.version.split()[0],
        "shapely": shapely.__version__,
        "geos": geos_version(),
        "pyproj": pyproj.__version__,
        "proj": pyproj.proj_version_str,
    }
    if args.versions:
        print(json.dumps(versions))
        return 0
    for opt in ("dir", "statuses", "borders", "regions"):
        if not getattr(args, opt):
            ap.error("--%s is required" % opt)

    t0 = time.perf_counter()
    with open(args.statuses, encoding="utf-8") as f:
        statuses = json.load(f)["files"]
    ukraine, russia = load_borders(args.borders)
    regions = load_regions(args.regions, args.name_field)
    region_info = {
        name: {"in_ukraine_km2": area_km2(g.intersection(ukraine)), "in_russia_km2": area_km2(g.intersection(russia))}
        for name, g in regions
    }
    ids = snapshot_ids(args.dir, args.ids)
    snaps = []
    for n, sid in enumerate(ids):
        if sid not in statuses:
            raise SystemExit("no statuses exported for snapshot %s" % sid)
        t = time.perf_counter()
        res, nfeat = compute_snapshot(os.path.join(args.dir, sid + ".geojson"), statuses[sid], ukraine, regions)
        res = {"id": sid, **res, "features": nfeat, "seconds": round(time.perf_counter() - t, 4)}
        snaps.append(res)
        if args.progress:
            sys.stderr.write("\rreference %d/%d" % (n + 1, len(ids)))
            sys.stderr.flush()
    if args.progress:
        sys.stderr.write("\n")
    out = {
        "versions": versions,
        "regions": region_info,
        "snapshots": snaps,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    emit(out, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
