/**
 * The HTTP API under /api/v1/, typed as the server documents it (its /openapi.json). Every
 * request takes an AbortSignal: a dragged timeline abandons most of what it asked for.
 */

import type { DecodedFeature, DeltaCells, Side } from './delta.js';

export type { Side };

export interface SnapshotRef { source: string; id: string; time: string; flag: string | null }

export interface Provenance {
  source: string;
  snapshot: string;
  time: string;
  ruleset: string;
  borders: string;
  regions: string;
  method: string;
}

export interface AreaRow { region: string; side: Side; km2: number; share: number }

/** `frontline area --json`, and each element of `frontline series --json`. */
export interface AreaResult { snapshot: SnapshotRef; provenance: Provenance; rows: AreaRow[] }

export interface SnapshotList { source: string; snapshots: { id: string; time: string; flag: string | null }[] }

export interface RegionSets { sets: { name: string; regions: string[] }[] }

export interface ControlList { snapshot: SnapshotRef; method: string; cells: string[] }

/** /control-keys: every snapshot's keys, as indexes into `keys` added to and removed from the previous snapshot's. */
export interface ControlKeys { source: string; method: string; keys: string[]; snapshots: { id: string; add: number[]; remove: number[] }[] }

/** A feature of a control cell, as the map draws it (decoded from the compact form of /control-cells). */
export type CellFeature = DecodedFeature;

export interface PlaceHit { name: string; country: string; population: number | null; lon: number; lat: number }

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Base URL of the API, relative to the page so that the app works under any prefix. */
const BASE = new URL('api/v1/', document.baseURI);

export function apiUrl(path: string, params: Record<string, string | undefined> = {}): string {
  const url = new URL(path, BASE);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  return url.href;
}

export async function getJson<T>(path: string, params: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<T> {
  const res = await fetch(apiUrl(path, params), { signal });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: string };
      if (body.error) message = body.error;
    } catch { /* not JSON: keep the status line */ }
    throw new ApiError(res.status, message);
  }
  return (await res.json()) as T;
}

export const api = {
  snapshots: (signal?: AbortSignal) => getJson<SnapshotList>('snapshots', {}, signal),
  regions: (signal?: AbortSignal) => getJson<RegionSets>('regions', {}, signal),
  regionGeojson: (set: string, signal?: AbortSignal) =>
    getJson<GeoJSON.FeatureCollection>(`regions/${encodeURIComponent(set)}/geojson`, {}, signal),
  area: (snapshot: string, regions: string | undefined, signal?: AbortSignal) =>
    getJson<AreaResult>('area', { snapshot, regions }, signal),
  series: (from: string, to: string, every: string, signal?: AbortSignal) =>
    getJson<AreaResult[]>('series', { from, to, every }, signal),
  control: (id: string, signal?: AbortSignal) => getJson<ControlList>(`snapshots/${encodeURIComponent(id)}/control`, {}, signal),
  controlKeys: (signal?: AbortSignal) => getJson<ControlKeys>('control-keys', {}, signal),
  /** Cells in the compact form (about a third fewer bytes than GeoJSON, gzipped); decode with decodeCells. */
  cells: (keys: string[], signal?: AbortSignal) => getJson<DeltaCells>('control-cells', { keys: keys.join(','), format: 'delta' }, signal),
  search: (q: string, signal?: AbortSignal) => getJson<PlaceHit[]>('places/search', { q }, signal),
};
