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
import { fileURLToPath } from 'node:url';
import { decodeFlatFile, encodeFlatFile, LazyFlatFile } from '../geometry/flat-file.js';
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
interface BordersHeader { magic: string; source: string; areaKm2: Borders['areaKm2']; bbox: Borders['bbox'] }

export function encodeBorders(b: Borders): Buffer {
  return encodeFlatFile({ magic: MAGIC, source: b.source, areaKm2: b.areaKm2, bbox: b.bbox }, [b.ukraine, b.russia]);
}

/** A flat file's header and its multipolygons by index: decoded whole (tests, build) or read as used (LazyFlatFile). */
interface FlatParts<H> {
  header: H;
  count: number;
  get(i: number): MultiPolygon;
}

const partsOf = <H>(file: Buffer, origin: string): FlatParts<H> => {
  const { header, mps } = decodeFlatFile<H>(file, origin);
  return { header, count: mps.length, get: (i) => mps[i]! };
};

/** The borders from a flat file; each country's outline is taken from it when first asked for. */
function bordersOf(f: FlatParts<BordersHeader>, origin: string): Borders {
  const h = f.header;
  if (h.magic !== MAGIC || f.count !== 2) throw new Error(`${origin}: not a ${MAGIC} file`);
  return {
    id: ID,
    source: h.source,
    get ukraine() { return f.get(0); },
    get russia() { return f.get(1); },
    areaKm2: h.areaKm2,
    bbox: h.bbox,
  };
}

export function decodeBorders(file: Buffer, origin = 'borders'): Borders {
  return bordersOf(partsOf<BordersHeader>(file, origin), origin);
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
  UKR: ReadonlyMap<number, MultiPolygon>;
  RUS: ReadonlyMap<number, MultiPolygon>;
}

const CELLS_MAGIC = 'frontline-border-cells/1';
interface CellsHeader { magic: string; grid: string; borders: string; ids: ['UKR' | 'RUS', number][] }

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

/** The country cells from a flat file; each cell is taken from it when first asked for. */
function countryCellsOf(f: FlatParts<CellsHeader>, origin: string): CountryCells {
  const h = f.header;
  if (h.magic !== CELLS_MAGIC || h.ids.length !== f.count) throw new Error(`${origin}: not a ${CELLS_MAGIC} file`);
  const index = { UKR: new Map<number, number>(), RUS: new Map<number, number>() };
  h.ids.forEach(([country, id], i) => index[country].set(id, i));
  return { grid: h.grid, borders: h.borders, UKR: new LazyCells(index.UKR, f), RUS: new LazyCells(index.RUS, f) };
}

export function decodeCountryCells(file: Buffer, origin = 'border cells'): CountryCells {
  return countryCellsOf(partsOf<CellsHeader>(file, origin), origin);
}

let cached: Borders | undefined;

/**
 * The shipped borders, read as they are used (geometry/flat-file.ts, LazyFlatFile): most commands
 * need only the header's areas and boxes, and the cells; each country's outline is read on first use.
 */
export function loadBorders(): Borders {
  const path = fileURLToPath(BORDERS_BINARY);
  cached ??= bordersOf(new LazyFlatFile<BordersHeader>(path, path), path);
  return cached;
}

let cachedCells: CountryCells | undefined;

/** The shipped country cells, each read on first use (a change or a front needs a few dozen of some 600). */
export function loadCountryCells(): CountryCells {
  const path = fileURLToPath(BORDER_CELLS_BINARY);
  cachedCells ??= countryCellsOf(new LazyFlatFile<CellsHeader>(path, path), path);
  return cachedCells;
}

/** One country's cells of a flat file, as a read-only map whose values are taken from it when asked for. */
class LazyCells implements ReadonlyMap<number, MultiPolygon> {
  constructor(private readonly index: Map<number, number>, private readonly file: FlatParts<CellsHeader>) {}
  get size(): number { return this.index.size; }
  has(id: number): boolean { return this.index.has(id); }
  get(id: number): MultiPolygon | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.file.get(i);
  }
  keys(): MapIterator<number> { return this.index.keys(); }
  *entries(): MapIterator<[number, MultiPolygon]> {
    for (const [id, i] of this.index) yield [id, this.file.get(i)];
  }
  *values(): MapIterator<MultiPolygon> {
    for (const i of this.index.values()) yield this.file.get(i);
  }
  [Symbol.iterator](): MapIterator<[number, MultiPolygon]> { return this.entries(); }
  forEach(fn: (value: MultiPolygon, key: number, map: ReadonlyMap<number, MultiPolygon>) => void): void {
    for (const [id, mp] of this.entries()) fn(mp, id, this);
  }
}
