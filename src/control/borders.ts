/**
 * Internationally recognised borders: the default owner of every point of the area of
 * interest. Ukraine includes Crimea. Russia is cut to lon 27–42°E, lat 44–54.5°N.
 * Data: data/borders/ukraine-russia.geojson, built by scripts/build-borders.ts from
 * OpenStreetMap country boundaries (© OpenStreetMap contributors, ODbL 1.0).
 *
 * Every command that computes figures needs the borders, so they are read from a binary copy
 * of the GeoJSON (data/borders/ukraine-russia.bin, written by the same script; see
 * geometry/flat-file.ts): parsing 2.6 MB of JSON and converting it to flat rings took ~170 ms of
 * each command's start-up, the binary copy takes a few. It holds the very same doubles (a test
 * compares them with the GeoJSON's).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeFlatFile, encodeFlatFile } from '../geometry/flat-file.js';
import { polygonsOf } from '../geometry/geojson.js';
import type { GeoJSONGeometry } from '../geometry/codec.js';
import { bboxOf, type BBox, type MultiPolygon } from '../geometry/flat.js';

export interface Borders {
  /** Dataset id, part of every figure's provenance. */
  id: string;
  source: string;
  ukraine: MultiPolygon;
  russia: MultiPolygon;
  /** Geodesic areas in km², as recorded in the file by scripts/build-borders.ts. */
  areaKm2: { UKR: number; RUS: number };
  /** Bounding boxes of `ukraine` and `russia`. */
  bbox: { UKR: BBox; RUS: BBox };
}

const ID = 'osm-countries-land-10m@0.6.0/extent-v2';
export const BORDERS_GEOJSON = new URL('../../data/borders/ukraine-russia.geojson', import.meta.url);
export const BORDERS_BINARY = new URL('../../data/borders/ukraine-russia.bin', import.meta.url);
export const BORDER_CELLS_BINARY = new URL('../../data/borders/ukraine-russia.cells.bin', import.meta.url);

interface BordersDoc { source: string; features: { properties: { iso3: string; area_km2: number }; geometry: GeoJSONGeometry }[] }

/** The borders as the GeoJSON file has them (the readable original). */
export function parseBordersGeoJSON(text: string): Borders {
  const doc = JSON.parse(text) as BordersDoc;
  const get = (iso3: string) => doc.features.find((f) => f.properties.iso3 === iso3)!;
  const ukraine = polygonsOf(get('UKR').geometry), russia = polygonsOf(get('RUS').geometry);
  return {
    id: ID,
    source: doc.source,
    ukraine,
    russia,
    areaKm2: { UKR: get('UKR').properties.area_km2, RUS: get('RUS').properties.area_km2 },
    bbox: { UKR: bboxOf(ukraine), RUS: bboxOf(russia) },
  };
}

const MAGIC = 'frontline-borders/2';

export function encodeBorders(b: Borders): Buffer {
  return encodeFlatFile({ magic: MAGIC, source: b.source, areaKm2: b.areaKm2, bbox: b.bbox }, [b.ukraine, b.russia]);
}

export function decodeBorders(file: Buffer, origin = 'borders'): Borders {
  const { header, mps } = decodeFlatFile<{ magic: string; source: string; areaKm2: Borders['areaKm2']; bbox: Borders['bbox'] }>(file, origin);
  if (header.magic !== MAGIC || mps.length !== 2) throw new Error(`${origin}: not a ${MAGIC} file`);
  return { id: ID, source: header.source, ukraine: mps[0]!, russia: mps[1]!, areaKm2: header.areaKm2, bbox: header.bbox };
}

/**
 * Each country cut into the control engine's grid cells, as the engine cuts them (it would
 * otherwise do so in every process, ~150 ms of a query's start-up). Written by
 * scripts/build-borders.ts; `grid` and `borders` say what they were cut from and with, and the
 * engine uses them only when both match its own.
 */
export interface CountryCells {
  grid: string;
  borders: string;
  UKR: Map<number, MultiPolygon>;
  RUS: Map<number, MultiPolygon>;
}

const CELLS_MAGIC = 'frontline-border-cells/1';

export function encodeCountryCells(c: CountryCells): Buffer {
  const ids: [string, number][] = [];
  const mps: MultiPolygon[] = [];
  for (const country of ['UKR', 'RUS'] as const) {
    for (const [id, mp] of [...c[country]].sort((a, b) => a[0] - b[0])) {
      ids.push([country, id]);
      mps.push(mp);
    }
  }
  return encodeFlatFile({ magic: CELLS_MAGIC, grid: c.grid, borders: c.borders, ids }, mps);
}

export function decodeCountryCells(file: Buffer, origin = 'border cells'): CountryCells {
  const { header, mps } = decodeFlatFile<{ magic: string; grid: string; borders: string; ids: ['UKR' | 'RUS', number][] }>(file, origin);
  if (header.magic !== CELLS_MAGIC || header.ids.length !== mps.length) throw new Error(`${origin}: not a ${CELLS_MAGIC} file`);
  const out: CountryCells = { grid: header.grid, borders: header.borders, UKR: new Map(), RUS: new Map() };
  header.ids.forEach(([country, id], i) => out[country].set(id, mps[i]!));
  return out;
}

let cached: Borders | undefined;

export function loadBorders(): Borders {
  cached ??= decodeBorders(readFileSync(BORDERS_BINARY), fileURLToPath(BORDERS_BINARY));
  return cached;
}

let cachedCells: CountryCells | undefined;

export function loadCountryCells(): CountryCells {
  cachedCells ??= decodeCountryCells(readFileSync(BORDER_CELLS_BINARY), fileURLToPath(BORDER_CELLS_BINARY));
  return cachedCells;
}
