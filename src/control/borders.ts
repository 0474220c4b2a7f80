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
}

let cached: Borders | undefined;

export function loadBorders(): Borders {
  if (cached) return cached;
  const url = new URL('../../data/borders/ukraine-russia.geojson', import.meta.url);
  const doc = JSON.parse(readFileSync(url, 'utf8')) as { source: string; features: { properties: { iso3: string }; geometry: GeoJSONGeometry }[] };
  const pick = (iso3: string): MultiPolygon => polygonsOf(doc.features.find((f) => f.properties.iso3 === iso3)!.geometry);
  cached = { id: 'osm-countries-land-10m@0.6.0', source: doc.source, ukraine: pick('UKR'), russia: pick('RUS') };
  return cached;
}
