/**
 * What a link must reproduce: the date, the map view, the compare date, the selected place and
 * the region set. Kept in the query string (readable, and a server log shows what was looked at).
 * Pure functions, so they are tested without a browser.
 */

export interface ViewState {
  /** A snapshot time (ISO 8601) or a day (YYYY-MM-DD): the latest snapshot at or before it is shown. */
  date?: string;
  compare?: string;
  /** [zoom, lat, lon] */
  view?: [number, number, number];
  /** "name" or "name|CC" */
  place?: string;
  regions?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function isDateParam(s: string): boolean {
  if (DAY.test(s)) {
    // Date.parse accepts 2024-02-30 and rolls it over to March; the CLI does not
    const t = Date.parse(`${s}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
  }
  return TIME.test(s) && !Number.isNaN(Date.parse(s));
}

export function parseState(search: string): ViewState {
  const q = new URLSearchParams(search);
  const state: ViewState = {};
  const date = q.get('date');
  if (date && isDateParam(date)) state.date = date;
  const compare = q.get('compare');
  if (compare && isDateParam(compare)) state.compare = compare;
  const map = q.get('map');
  if (map) {
    const parts = map.split('/').map(Number);
    const [z, lat, lon] = parts;
    if (parts.length === 3 && z! >= 0 && z! <= 22 && Math.abs(lat!) <= 85 && Math.abs(lon!) <= 180) state.view = [z!, lat!, lon!];
  }
  const place = q.get('place');
  if (place) state.place = place;
  const regions = q.get('regions');
  if (regions && /^[\w.-]{1,64}$/.test(regions)) state.regions = regions;
  return state;
}

export function formatState(state: ViewState): string {
  const q = new URLSearchParams();
  if (state.date) q.set('date', state.date);
  if (state.compare) q.set('compare', state.compare);
  if (state.view) {
    const [z, lat, lon] = state.view;
    q.set('map', `${z.toFixed(2)}/${lat.toFixed(4)}/${lon.toFixed(4)}`);
  }
  if (state.place) q.set('place', state.place);
  if (state.regions) q.set('regions', state.regions);
  const s = q.toString().replaceAll('%2F', '/').replaceAll('%3A', ':').replaceAll('%7C', '|');
  return s ? `?${s}` : '';
}

/** The end of a UTC day for a bare date, as the CLI reads `--at`; a full time as given. */
export function dateLimit(param: string): number {
  return DAY.test(param) ? Date.parse(`${param}T23:59:59.999Z`) : Date.parse(param);
}

/**
 * Index of the latest snapshot at or before `param` in a list sorted oldest first; the first
 * snapshot when the date is before the history starts.
 */
export function snapshotIndexAt(times: readonly string[], param: string): number {
  const limit = dateLimit(param);
  let lo = 0, hi = times.length - 1, found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (Date.parse(times[mid]!) <= limit) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
