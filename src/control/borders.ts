/**
 * Internationally recognised borders: the default owner of every point of the area of
 * interest. Ukraine includes Crimea. Russia is cut to lon 27–42°E, lat 44–54.5°N.
 * Data: data/borders/ukraine-russia.geojson, built by scripts/build-borders.ts from
 * OpenStreetMap country boundaries (© OpenStreetMap contributors, ODbL 1.0).
 */
import { readFileSync } from 'node:fs';
import { polygonsOf } from '../geometry/geojson.js';
import type { GeoJSONGeometry } from '../geometry/codec.js';
import type { MultiPolygon } from '../geometry/flat.js';

export interface Borders {
  /** Dataset id, part of every figure's provenance. */
  id: string;
  source: string;
  ukraine: MultiPolygon;
  russia: MultiPolygon;
  /** Geodesic areas in km², as recorded in the file by scripts/build-borders.ts. */
  areaKm2: { UKR: number; RUS: number };
}

let cached: Borders | undefined;

export function loadBorders(): Borders {
  if (cached) return cached;
  const url = new URL('../../data/borders/ukraine-russia.geojson', import.meta.url);
  const doc = JSON.parse(readFileSync(url, 'utf8')) as { source: string; features: { properties: { iso3: string; area_km2: number }; geometry: GeoJSONGeometry }[] };
  const get = (iso3: string) => doc.features.find((f) => f.properties.iso3 === iso3)!;
  cached = {
    id: 'osm-countries-land-10m@0.6.0/extent-v2',
    source: doc.source,
    ukraine: polygonsOf(get('UKR').geometry),
    russia: polygonsOf(get('RUS').geometry),
    areaKm2: { UKR: get('UKR').properties.area_km2, RUS: get('RUS').properties.area_km2 },
  };
  return cached;
}
