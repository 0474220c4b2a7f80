/**
 * Gazetteers, places and place histories in the SQLite store (tables of migration 3).
 *
 * A gazetteer is a named list of populated places; `geonames` is built in, others are added by
 * users. A place history is stored per source as runs: the snapshot that starts each run of one
 * side, so a place's whole history is a single small row.
 */
import type { Store } from './sqlite.js';

export interface GazetteerRow {
  name: string;
  origin: string;
  sha1: string;
  credit: string;
  added_at: string;
}

export interface PlaceRow {
  id: number;
  gazetteer: string;
  name: string;
  name_key: string;
  country: string;
  population: number | null;
  lon: number;
  lat: number;
  owner: 'UKR' | 'RUS';
}

export type NewPlace = Omit<PlaceRow, 'id' | 'gazetteer'>;

/** Bumped on every change to the places, so derived data and in-memory indexes notice. */
const VERSION_KEY = 'places:version';

export function placesVersion(store: Store): string {
  return store.meta(VERSION_KEY) ?? '0';
}

/** Replaces a gazetteer and its places; call inside a transaction. */
export function putGazetteer(store: Store, g: Omit<GazetteerRow, 'added_at'>, places: NewPlace[]): void {
  store.db.prepare('DELETE FROM gazetteers WHERE name = ?').run(g.name);
  store.db.prepare('INSERT INTO gazetteers (name, origin, sha1, credit, added_at) VALUES (?, ?, ?, ?, ?)').run(g.name, g.origin, g.sha1, g.credit, new Date().toISOString());
  const ins = store.db.prepare('INSERT INTO places (gazetteer, name, name_key, country, population, lon, lat, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const p of places) ins.run(g.name, p.name, p.name_key, p.country, p.population, p.lon, p.lat, p.owner);
  store.setMeta(VERSION_KEY, String(Number(placesVersion(store)) + 1));
}

export function gazetteers(store: Store): (GazetteerRow & { places: number })[] {
  return store.db.prepare('SELECT g.name, g.origin, g.sha1, g.credit, g.added_at, (SELECT count(*) FROM places p WHERE p.gazetteer = g.name) AS places FROM gazetteers g ORDER BY g.added_at, g.name').all() as (GazetteerRow & { places: number })[];
}

/** Every place, largest first (unknown populations last), then by name. */
export function allPlaces(store: Store): PlaceRow[] {
  return store.db.prepare('SELECT id, gazetteer, name, name_key, country, population, lon, lat, owner FROM places ORDER BY population IS NULL, population DESC, name, id').all() as PlaceRow[];
}

export function placesByKey(store: Store, key: string): PlaceRow[] {
  return store.db.prepare('SELECT id, gazetteer, name, name_key, country, population, lon, lat, owner FROM places WHERE name_key = ? ORDER BY population IS NULL, population DESC, id').all(key) as PlaceRow[];
}

export function getPlaceRuns(store: Store, source: string, placeId: number): Uint32Array | undefined {
  const r = store.db.prepare('SELECT runs FROM place_histories WHERE source = ? AND place_id = ?').get(source, placeId) as { runs: Buffer } | undefined;
  return r ? toU32(r.runs) : undefined;
}

export function allPlaceRuns(store: Store, source: string): Map<number, Uint32Array> {
  const out = new Map<number, Uint32Array>();
  for (const r of store.db.prepare('SELECT place_id, runs FROM place_histories WHERE source = ?').iterate(source) as Iterable<{ place_id: number; runs: Buffer }>) {
    out.set(r.place_id, toU32(r.runs));
  }
  return out;
}

/** Replaces every stored history of a source; call inside a transaction. */
export function putPlaceRuns(store: Store, source: string, runs: Map<number, Uint32Array>): void {
  store.db.prepare('DELETE FROM place_histories WHERE source = ?').run(source);
  const ins = store.db.prepare('INSERT INTO place_histories (source, place_id, runs) VALUES (?, ?, ?)');
  for (const [id, r] of runs) ins.run(source, id, Buffer.from(r.buffer, r.byteOffset, r.byteLength));
}

function toU32(b: Buffer): Uint32Array {
  return new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
