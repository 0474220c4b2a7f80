/**
 * The settlement gazetteer, seen from the analyses that name places (change pieces, ledgers).
 * Loaded on first use, so that area figures never pay for it.
 */
import type { MultiPolygon } from '../geometry/flat.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import type { Side } from './area.js';

export interface NamedPlace { name: string; country: string; population: number; lon: number; lat: number }
export interface PlaceChange extends NamedPlace { from: Side; to: Side }

interface PlacesModule {
  placesChanged(store: Store, from: SnapshotRow, to: SnapshotRow): Promise<PlaceChange[]>;
  nearestPlace(store: Store, lon: number, lat: number): (NamedPlace & { distanceKm: number }) | undefined;
  placesWithin(store: Store, polygons: MultiPolygon): NamedPlace[];
}

let loaded: Promise<PlacesModule> | undefined;

export function places(): Promise<PlacesModule> {
  const path = './places.js';
  loaded ??= import(path) as Promise<PlacesModule>;
  return loaded;
}
