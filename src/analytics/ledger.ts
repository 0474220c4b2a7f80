/**
 * `ledger`: what each side holds of the other's internationally recognised territory on a date
 * (the numbers traded at a negotiating table), and, with a buffer, a demilitarised strip of K km
 * on each side of the front: its area by side of the line and the places and people in it.
 *
 * RU's holdings are its ground inside Ukraine; UA's are its ground inside Russia. Contested
 * ground is reported separately for each country and counts for neither side.
 */
import { getGeos, type Scope } from '../geometry/geos.js';
import { bboxOf, type Line, type MultiPolygon } from '../geometry/flat.js';
import { areaKm2, AzimuthalEquidistant } from '../geometry/geodesic.js';
import { RUSSIA_CELL } from '../control/engine.js';
import type { KeyedCell } from '../control/geometry.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import { areaAt, round, snapshotRef, type SnapshotRef } from './area.js';
import type { FigureService, Provenance } from './figures.js';
import { places, type NamedPlace } from './gazetteer-link.js';

const TOP_PLACES = 10;

export interface PlaceSummary { count: number; population: number; largest: NamedPlace[] }

export interface Holding {
  side: 'RU' | 'UA';
  /** The country whose territory the ground lies in. */
  in_country: 'Ukraine' | 'Russia';
  km2: number;
  contested_km2: number;
  regions: { region: string; km2: number }[];
  places: PlaceSummary;
}

export interface BufferStrip {
  km: number;
  /** Area of the strip on land in the area of interest. */
  km2: number;
  by_side: { RU: number; UA: number; contested: number };
  places: PlaceSummary;
}

export interface LedgerResult {
  snapshot: SnapshotRef;
  provenance: Provenance;
  holdings: Holding[];
  buffer?: BufferStrip;
}


function summarise(list: NamedPlace[]): PlaceSummary {
  const sorted = [...list].sort((a, b) => (b.population ?? 0) - (a.population ?? 0));
  return { count: sorted.length, population: sorted.reduce((t, p) => t + (p.population ?? 0), 0), largest: sorted.slice(0, TOP_PLACES) };
}

/** Places inside any of the multipolygons, each once. */
async function placesIn(store: Store, parts: MultiPolygon[]): Promise<NamedPlace[]> {
  const g = places(store);
  const seen = new Map<string, NamedPlace>();
  for (const mp of parts) for (const p of g.placesWithin(store, mp)) seen.set(`${p.name}|${p.lon}|${p.lat}`, p);
  return [...seen.values()];
}

export async function ledger(store: Store, figures: FigureService, snapshot: SnapshotRow, regionSet: string, bufferKm?: number): Promise<LedgerResult> {
  const area = await areaAt(figures, snapshot, regionSet);
  const set = await figures.prepare(regionSet);
  const countryOf = new Map(set.regions.map((r) => [r.name, r.country]));
  const cells = await figures.controlGeometry().cellsOf(snapshot);
  const ukr = cells.filter((c) => c.cell !== RUSSIA_CELL), rus = cells.find((c) => c.cell === RUSSIA_CELL);
  const sum = (xs: MultiPolygon[]): number => xs.reduce((t, mp) => t + areaKm2(mp), 0);

  const holding = async (side: 'RU' | 'UA', country: 'UKR' | 'RUS', ground: MultiPolygon[], contested: MultiPolygon[]): Promise<Holding> => ({
    side,
    in_country: country === 'UKR' ? 'Ukraine' : 'Russia',
    km2: round(sum(ground), 1),
    contested_km2: round(sum(contested), 1),
    regions: area.rows
      .filter((r) => r.side === side && r.km2 > 0 && r.region !== 'unassigned' && countryOf.get(r.region) === country)
      .map((r) => ({ region: r.region, km2: r.km2 }))
      .sort((a, b) => b.km2 - a.km2),
    places: summarise(await placesIn(store, ground)),
  });
  const result: LedgerResult = {
    snapshot: snapshotRef(snapshot),
    provenance: area.provenance,
    holdings: [
      await holding('RU', 'UKR', ukr.map((c) => c.ru), ukr.map((c) => c.contested)),
      await holding('UA', 'RUS', rus ? [rus.ua] : [], rus ? [rus.contested] : []),
    ],
  };
  if (bufferKm !== undefined) result.buffer = await bufferStrip(store, figures, cells, bufferKm);
  return result;
}

/** The strip within `km` of the front on either side, on land, by the side that holds it. */
async function bufferStrip(store: Store, figures: FigureService, cells: KeyedCell[], km: number): Promise<BufferStrip> {
  const engine = await figures.getEngine();
  const geos = await getGeos();
  const lines: Line[] = cells.flatMap((c) => c.front);
  if (!lines.length) return { km, km2: 0, by_side: { RU: 0, UA: 0, contested: 0 }, places: summarise([]) };
  const box = bboxOf(lines.map((l) => [l]));
  const proj = new AzimuthalEquidistant((box.minX + box.maxX) / 2, (box.minY + box.maxY) / 2);
  const strip = geos.run((s: Scope) => {
    // buffer in the projection (km), with enough segments per quarter circle for 0.1% in area
    const buffered = s.toMultiPolygon(s.buffer(s.lines(lines.map((l) => proj.forward(l))), km, 16));
    const back = buffered.map((poly) => poly.map((ring) => proj.reverse(ring)));
    const land = s.union(engine.countryGeom('UKR'), engine.countryGeom('RUS'));
    return s.toMultiPolygon(s.intersection(s.valid(back), land));
  });
  const by = { RU: 0, UA: 0, contested: 0 };
  const total = areaKm2(strip);
  geos.run((s) => {
    const g = s.from(strip);
    for (const c of cells) {
      const part = (mp: MultiPolygon): number => (mp.length ? areaKm2(s.toMultiPolygon(s.intersection(g, s.valid(mp)))) : 0);
      if (c.cell === RUSSIA_CELL) {
        by.UA += part(c.ua);
      } else by.RU += part(c.ru);
      by.contested += part(c.contested);
    }
    // in Russia, RU holds whatever Ukraine neither holds nor contests
    const inRussia = areaKm2(s.toMultiPolygon(s.intersection(g, engine.countryGeom('RUS'))));
    const rus = cells.find((c) => c.cell === RUSSIA_CELL);
    const taken = rus ? areaKm2(s.toMultiPolygon(s.intersection(g, s.valid([...rus.ua, ...rus.contested])))) : 0;
    by.RU += inRussia - taken;
  });
  by.UA += total - by.RU - by.UA - by.contested;
  const people = summarise(await placesIn(store, [strip]));
  return { km, km2: round(total, 1), by_side: { RU: round(by.RU, 1), UA: round(by.UA, 1), contested: round(by.contested, 1) }, places: people };
}
