/**
 * The settlement gazetteer, seen from the analyses that name places (changed pieces, ledgers):
 * loads the built-in GeoNames list on first use when the database is writable.
 */
import type { Store } from '../store/sqlite.js';
import { ensureGazetteer, nearestPlace, placesChanged, placesWithin, type Place } from './places.js';

export type NamedPlace = Place;

export function places(store: Store): { nearestPlace: typeof nearestPlace; placesWithin: typeof placesWithin; placesChanged: typeof placesChanged } {
  if (!store.db.readonly) ensureGazetteer(store);
  return { nearestPlace, placesWithin, placesChanged };
}
