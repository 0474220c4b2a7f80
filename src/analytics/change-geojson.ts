/**
 * The changed ground between two snapshots as GeoJSON: one feature per piece (a connected
 * polygon of one transition, sewn back together across cell edges), with its sides, its
 * geodesic area and the nearest settlement of the gazetteer.
 */
import { getGeos } from '../geometry/geos.js';
import { toGeoJSONCoordinates, type MultiPolygon, type Ring } from '../geometry/flat.js';
import { areaKm2 } from '../geometry/geodesic.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import type { ChangeService } from './change.js';
import { snapshotRef, type SnapshotRef } from './area.js';
import { places } from './gazetteer-link.js';

export interface ChangeFeature {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  properties: {
    from_side: string;
    to_side: string;
    km2: number;
    nearest_place: { name: string; country: string; population: number | null; distance_km: number } | null;
  };
}

/** Area-weighted centroid of a ring in lon/lat (good enough to name the nearest place). */
function centroid(ring: Ring): [number, number] {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0; i + 3 < ring.length; i += 2) {
    const x0 = ring[i]!, y0 = ring[i + 1]!, x1 = ring[i + 2]!, y1 = ring[i + 3]!;
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (a === 0) return [ring[0]!, ring[1]!];
  return [cx / (3 * a), cy / (3 * a)];
}

export async function changeGeoJSON(store: Store, service: ChangeService, a: SnapshotRow, b: SnapshotRow): Promise<{ type: 'FeatureCollection'; from: SnapshotRef; to: SnapshotRef; features: ChangeFeature[] }> {
  const pieces = await service.pieces(a, b);
  const groups = new Map<string, MultiPolygon[]>();
  for (const p of pieces) {
    const k = `${p.from}>${p.to}`;
    groups.set(k, [...(groups.get(k) ?? []), p.mp]);
  }
  const geos = await getGeos();
  const gazetteer = places(store);
  const features: ChangeFeature[] = [];
  for (const [k, parts] of groups) {
    const [from, to] = k.split('>') as [string, string];
    const merged = geos.run((s) => s.toMultiPolygon(s.unionAll(parts)));
    for (const poly of merged) {
      const km2 = areaKm2([poly]);
      const [lon, lat] = centroid(poly[0]!);
      const near = gazetteer.nearestPlace(store, lon, lat);
      features.push({
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: toGeoJSONCoordinates([poly])[0]! },
        properties: {
          from_side: from,
          to_side: to,
          km2: Math.round(km2 * 1000) / 1000,
          nearest_place: near ? { name: near.name, country: near.country, population: near.population, distance_km: Math.round(near.distanceKm * 10) / 10 } : null,
        },
      });
    }
  }
  features.sort((x, y) => y.properties.km2 - x.properties.km2);
  return { type: 'FeatureCollection', from: snapshotRef(a), to: snapshotRef(b), features };
}
