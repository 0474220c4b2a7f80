/**
 * Sliver removal for ground held across an international border.
 *
 * Source drawings overrun borders by a few hundred metres in many places; taken literally,
 * every such overrun would be "Ukrainian-held ground in Russia". We keep only ground that
 * belongs to a body at least 2·r wide: erode by r, grow the core back by 2·r, and intersect
 * with the original, so real areas keep their exact edges while strips narrower than 2·r
 * (and strips hanging off a real area farther than about r from it) disappear.
 *
 * The erosion runs in a local equirectangular frame (km), which is exact enough for a
 * threshold; every area reported afterwards is geodesic.
 */
import type { Scope, Geom } from '../geometry/geos.js';
import type { MultiPolygon } from '../geometry/flat.js';

const KM_PER_DEG_LAT = 110.574;
const KM_PER_DEG_LON_EQ = 111.32;

function transform(mp: MultiPolygon, fx: number, fy: number): MultiPolygon {
  return mp.map((poly) => poly.map((ring) => {
    const out = new Float64Array(ring.length);
    for (let i = 0; i < ring.length; i += 2) {
      out[i] = ring[i]! * fx;
      out[i + 1] = ring[i + 1]! * fy;
    }
    return out;
  }));
}

export function removeSlivers(s: Scope, geom: Geom, radiusKm: number): Geom {
  const mp = s.toMultiPolygon(geom);
  if (mp.length === 0) return geom;
  let sumLat = 0, n = 0;
  for (const poly of mp) for (let i = 1; i < poly[0]!.length; i += 2) { sumLat += poly[0]![i]!; n++; }
  const fx = KM_PER_DEG_LON_EQ * Math.cos(((sumLat / n) * Math.PI) / 180);
  const fy = KM_PER_DEG_LAT;
  const core = s.buffer(s.from(transform(mp, fx, fy)), -radiusKm);
  if (s.geos.isEmpty(core)) return core;
  const grown = s.buffer(core, 2 * radiusKm);
  const back = s.from(transform(s.toMultiPolygon(grown), 1 / fx, 1 / fy));
  return s.intersection(geom, back);
}
