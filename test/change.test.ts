/**
 * Change over time on the whole history: `change`, `front`, `peak`, `ledger`, `series --change`
 * and `series --front`, through the CLI as a user runs them.
 *
 * - Invariants: per side and region, gained − lost equals the difference of the areas at the
 *   two dates; the three sides' net changes cancel in every region.
 * - Cross-checks against an independent GEOS computation (bench/reference/change_front.py,
 *   Shapely + pyproj, whole snapshots, no cells): gains and losses inside Ukraine and the length
 *   of the front, within 1%.
 * - Facts checked by hand in the data: the Kharkiv counteroffensive of September 2022 and the
 *   Kherson withdrawal of November 2022; Ukraine's Kursk salient (August 2024 – April 2025).
 * - Bad input: one line on stderr, a non-zero exit code.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyDbCopy } from './support/history-db.js';
import { deepstateHistoryDir, repoRoot } from './support/data.js';
import Database from 'better-sqlite3';
import { frontline, runCommand } from './support/cli.js';
import { exportStatuses } from '../bench/reference/export-statuses.js';
import { Store } from '../src/store/sqlite.js';
import { FigureService } from '../src/analytics/figures.js';
import { snapshotAt } from '../src/analytics/area.js';
import { getGeos } from '../src/geometry/geos.js';
import { boundaryTransitions, overlayTransitions, type ChangePiece } from '../src/analytics/transitions.js';
import { decodeCell, encodeCell, type KeyedCell } from '../src/control/geometry.js';
import { RUSSIA_CELL } from '../src/control/engine.js';
import type { SnapshotRow } from '../src/store/sqlite.js';

/** A cell key as the API writes it (base64url) back to base64, as the figures store it. */
const fromUrlKey = (k: string): string => Buffer.from(k.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('base64');

interface ChangeRow { region: string; side: string; from_km2: number; to_km2: number; gained_km2: number; lost_km2: number; net_km2: number }
interface Change { from: { id: string; time: string }; to: { id: string; time: string }; rows: ChangeRow[] }
interface Front { snapshot: { id: string; time: string }; length_km: number; by_region: { region: string; length_km: number }[] }

let tmp: string;
let db: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'frontline-change-'));
  db = await historyDbCopy(tmp);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function json<T>(args: string[]): T {
  const r = frontline([...args, '--json', '--db', db]);
  assert.equal(r.code, 0, `frontline ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const row = (c: Change, region: string, side: string): ChangeRow => {
  const r = c.rows.find((x) => x.region === region && x.side === side);
  assert.ok(r, `no ${side} row for ${region}`);
  return r;
};

const PAIRS: [string, string][] = [
  ['2022-09-01', '2022-10-15'],
  ['2022-11-01', '2022-11-20'],
  ['2023-05-01', '2023-06-01'],
  ['2024-08-01', '2025-03-13'],
  ['2022-04-03', '2025-08-03'],
];

test('gained − lost equals the change of area, per side and region; the sides cancel', () => {
  for (const [from, to] of PAIRS) {
    for (const regions of [[], ['--regions', 'oblasts'], ['--regions', 'border']]) {
      const c = json<Change>(['change', '--from', from, '--to', to, ...regions]);
      const names = [...new Set(c.rows.map((r) => r.region))];
      assert.ok(names.includes('unassigned'));
      for (const r of c.rows) {
        // each figure is rounded to 0.1 km², and stored cell geometry to 1e-7°
        assert.ok(Math.abs(r.gained_km2 - r.lost_km2 - (r.to_km2 - r.from_km2)) <= 0.5, `${from}→${to} ${r.region} ${r.side}: gained ${r.gained_km2} − lost ${r.lost_km2} ≠ ${r.to_km2} − ${r.from_km2}`);
        assert.ok(r.gained_km2 >= 0 && r.lost_km2 >= 0);
      }
      for (const name of names) {
        const net = c.rows.filter((r) => r.region === name).reduce((t, r) => t + r.net_km2, 0);
        assert.ok(Math.abs(net) <= 0.5, `${from}→${to} ${name}: the sides' net changes add up to ${net}`);
      }
    }
  }
});

test('the Kharkiv counteroffensive and the Kherson withdrawal, as the data shows them', () => {
  // Checked by hand in the snapshots: between 5 and 20 September 2022 Ukraine's ground in
  // Kharkiv Oblast grows by several thousand km² (Balakliia, Kupiansk, Izium), and between 1 and
  // 20 November 2022 Russia's ground west of the Dnipro in Kherson Oblast (Kherson city) is gone.
  const kharkiv = json<Change>(['change', '--from', '2022-09-05', '--to', '2022-09-20', '--regions', 'oblasts', '--region', 'Kharkiv Oblast']);
  assert.deepEqual([...new Set(kharkiv.rows.map((r) => r.region))], ['Kharkiv Oblast']);
  const uaK = row(kharkiv, 'Kharkiv Oblast', 'UA');
  assert.ok(uaK.gained_km2 > 5000 && uaK.gained_km2 < 15000, `UA gained ${uaK.gained_km2} km² in Kharkiv Oblast`);
  assert.ok(uaK.lost_km2 < 0.05 * uaK.gained_km2, `UA lost ${uaK.lost_km2} km²`);

  const kherson = json<Change>(['change', '--from', '2022-11-01', '--to', '2022-11-20', '--regions', 'oblasts', '--region', 'Kherson Oblast']);
  const ruH = row(kherson, 'Kherson Oblast', 'RU');
  assert.ok(ruH.lost_km2 > 3000, `RU lost ${ruH.lost_km2} km² in Kherson Oblast`);
  assert.ok(ruH.gained_km2 < 100, `RU gained ${ruH.gained_km2} km²`);
});

test('change keeps what it computed: asking again gives the same answer, and computes no cell whose ground the import stored', () => {
  const args = ['change', '--from', '2023-03-10', '--to', '2023-04-15', '--regions', 'oblasts'];
  const first = json<Change>(args);
  assert.deepEqual(json<Change>(args), first);
  const store = new Database(db, { readonly: true });
  try {
    const n = (like: string): number => (store.prepare('SELECT count(*) AS n FROM control_cells WHERE model LIKE ?').get(like) as { n: number }).n;
    // the differing cells' ground is read as the import stored it (control/ground-store.ts): none is computed
    assert.equal(n('%|ground-only'), 0, 'ground computed for a change');
    const transitions = (): number => (store.prepare('SELECT count(*) AS n FROM cell_transitions').get() as { n: number }).n;
    const stored = transitions();
    assert.ok(stored > 0, 'the differing cells\' transitions are stored');
    // asked again, the answer comes from the stored transitions: nothing new is computed
    const cells = n('%');
    assert.deepEqual(json<Change>(args), first);
    assert.equal(transitions(), stored);
    assert.equal(n('%'), cells);
  } finally {
    store.close();
  }
  // a front on the same date computes full cells: the stored ground-only ones are not taken for them
  const front = json<Front>(['front', '--at', '2023-04-15']);
  assert.ok(front.length_km > 300, `front on 2023-04-15: ${front.length_km} km`);
});

test('the ground the import stored for every cell reads back as computing the cell gives', async (t) => {
  const store = new Store(db);
  try {
    const figures = new FigureService(store);
    const engine = await figures.getEngine();
    let compared = 0;
    for (const day of ['2022-04-03', '2022-11-15', '2024-08-20', '2025-08-03']) {
      const snapshot = snapshotAt(store, 'deepstate', new Date(`${day}T23:59:59Z`));
      const { cells, russia } = await figures.snapshotCells(snapshot);
      const wanted = [...cells.map((e) => ({ cell: e.id, key: Buffer.from(e.key, 'base64') })), ...(russia ? [{ cell: RUSSIA_CELL, key: Buffer.from(russia.key, 'base64') }] : [])];
      const stored = await figures.storedGround(snapshot.source, wanted);
      engine.preparePieces(cells);
      const computed = [
        ...cells.map((e) => ({ cell: e.id, key: e.key, control: engine.cellControl(e, { front: false }) })),
        ...(russia ? [{ cell: RUSSIA_CELL, key: russia.key, control: engine.russiaControl(russia, { front: false }) }] : []),
      ];
      for (const c of computed) {
        const expected = decodeCell(encodeCell(c.control)); // rounded to 1e-7°, as a stored cell is
        const got = stored.get(Buffer.from(c.key, 'base64').toString('hex'));
        // a cell its figures measured empty needs no ground stored
        if (!expected.ru.length && !expected.ua.length && !expected.contested.length && !got) continue;
        assert.deepEqual(got, expected, `${day}, cell ${c.cell}`);
        compared++;
      }
    }
    assert.ok(compared > 300, `${compared} cells compared`);
    t.diagnostic(`${compared} cells' stored ground equal to their computed ground`);
  } finally {
    store.close();
  }
});

test('transitions from the outlines that differ agree with overlays of the whole cells', async (t) => {
  const store = new Store(db);
  try {
    const figures = new FigureService(store);
    const geometry = figures.controlGeometry();
    const geos = await getGeos();
    let cells = 0, overlaid = 0, worst = 0;
    // a week, a month, a season, two years: from a few cells with small moves to most of the front
    for (const [from, to] of [['2022-04-10', '2022-04-17'], ['2022-09-01', '2022-10-01'], ['2023-05-01', '2023-08-20'], ['2023-01-10', '2025-01-10']] as const) {
      const at = (day: string): SnapshotRow => snapshotAt(store, 'deepstate', new Date(`${day}T23:59:59Z`));
      const [cellsA, cellsB] = await geometry.differingCells(at(from), at(to));
      const byId = (list: KeyedCell[]): Map<number, KeyedCell> => new Map(list.map((c) => [c.cell, c]));
      const A = byId(cellsA), B = byId(cellsB);
      for (const id of new Set([...A.keys(), ...B.keys()])) {
        cells++;
        const sums = (pieces: ChangePiece[]): Map<string, number> => {
          const m = new Map<string, number>();
          for (const p of pieces) m.set(`${p.from}>${p.to}`, (m.get(`${p.from}>${p.to}`) ?? 0) + p.km2);
          return m;
        };
        const fast = geos.run((s) => boundaryTransitions(s, id, A.get(id), B.get(id)));
        const slow = sums(geos.run((s) => overlayTransitions(s, id, A.get(id), B.get(id))));
        if (!fast) {
          overlaid++;
          continue;
        }
        const got = sums(fast);
        for (const k of new Set([...got.keys(), ...slow.keys()])) {
          const x = got.get(k) ?? 0, y = slow.get(k) ?? 0;
          // slivers where outlines nearly meet are the only difference: metres², on pieces of up to 1,000 km²
          assert.ok(Math.abs(x - y) < 0.01 + 1e-5 * y, `${from} → ${to}, cell ${id}, ${k}: ${x} km² from outlines, ${y} km² by overlays`);
          worst = Math.max(worst, Math.abs(x - y));
        }
      }
    }
    assert.ok(cells > 150, `${cells} cells compared`);
    assert.ok(overlaid <= cells / 100, `${overlaid} of ${cells} cells left to overlays`);
    t.diagnostic(`${cells} cells, ${overlaid} left to overlays, largest difference ${(worst * 1e6).toFixed(0)} m²`);
  } finally {
    store.close();
  }
});

test('changed pieces as GeoJSON: one feature per piece, areas adding up to the totals', () => {
  const out = join(tmp, 'change.geojson');
  const r = frontline(['change', '--from', '2022-09-05', '--to', '2022-09-20', '--geojson', out, '--json', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as Change;
  const fc = JSON.parse(readFileSync(out, 'utf8')) as { features: { geometry: { type: string }; properties: { from_side: string; to_side: string; km2: number } }[] };
  assert.ok(fc.features.length > 10);
  for (const side of ['RU', 'UA', 'contested']) {
    const gained = fc.features.filter((f) => f.properties.to_side === side).reduce((t, f) => t + f.properties.km2, 0);
    const want = c.rows.filter((x) => x.side === side).reduce((t, x) => t + x.gained_km2, 0);
    assert.ok(Math.abs(gained - want) <= Math.max(1, 0.001 * want), `${side}: pieces ${gained} km², table ${want} km²`);
  }
  for (const f of fc.features) {
    assert.equal(f.geometry.type, 'Polygon');
    assert.notEqual(f.properties.from_side, f.properties.to_side);
  }
});

test('gains, losses and the front agree with an independent GEOS computation within 1%', { timeout: 30 * 60_000 }, async (t) => {
  const dir = await deepstateHistoryDir();
  const snaps = JSON.parse(frontline(['snapshots', '--json', '--db', db]).stdout) as { id: string; time: string }[];
  const idAt = (d: string): string => snaps.filter((s) => s.time <= `${d}T23:59:59Z`).pop()!.id;
  const pairs = PAIRS.slice(0, 4).map(([a, b]) => [idAt(a), idAt(b)] as const);
  const fronts = ['2022-06-01', '2023-06-01', '2024-06-01', '2024-09-01', '2025-03-13'].map(idAt);
  const ids = [...new Set([...pairs.flat(), ...fronts])];
  const statuses = join(tmp, 'statuses.json');
  writeFileSync(statuses, JSON.stringify(exportStatuses(dir, ids)));
  const outFile = join(tmp, 'reference.json');
  const ref = await runCommand('/usr/bin/python3', [join(repoRoot(), 'bench', 'reference', 'change_front.py'), '--dir', dir, '--statuses', statuses, '--borders', join(repoRoot(), 'data', 'borders', 'ukraine-russia.geojson'),
    '--pairs', pairs.map(([a, b]) => `${a}:${b}`).join(','), '--fronts', fronts.join(','), '--out', outFile]);
  assert.equal(ref.code, 0, `change_front.py: ${ref.stderr}`);
  const reference = JSON.parse(readFileSync(outFile, 'utf8')) as {
    pairs: { from: string; to: string; RU: { gained_km2: number; lost_km2: number }; UA: { gained_km2: number; lost_km2: number }; contested: { gained_km2: number; lost_km2: number } }[];
    fronts: { id: string; length_km: number }[];
  };
  const close = (what: string, got: number, want: number): void => {
    const ok = want > 100 ? Math.abs(got - want) <= 0.01 * want : Math.abs(got - want) <= 1;
    t.diagnostic(`${what}: frontline ${got}, reference ${want.toFixed(1)}${want > 0 ? ` (${((100 * (got - want)) / want).toFixed(2)}%)` : ''}`);
    assert.ok(ok, `${what}: frontline ${got}, reference ${want.toFixed(1)}`);
  };
  for (const p of reference.pairs) {
    const from = snaps.find((s) => s.id === p.from)!.time, to = snaps.find((s) => s.id === p.to)!.time;
    const c = json<Change>(['change', '--from', from, '--to', to]);
    assert.equal(c.from.id, p.from);
    assert.equal(c.to.id, p.to);
    for (const side of ['RU', 'UA', 'contested'] as const) {
      close(`${from}→${to} ${side} gained`, row(c, 'Ukraine', side).gained_km2, p[side].gained_km2);
      close(`${from}→${to} ${side} lost`, row(c, 'Ukraine', side).lost_km2, p[side].lost_km2);
    }
  }
  for (const f of reference.fronts) {
    const time = snaps.find((s) => s.id === f.id)!.time;
    const got = json<Front>(['front', '--at', time]);
    assert.equal(got.snapshot.id, f.id);
    close(`front ${time} in Ukraine`, got.by_region.find((r) => r.region === 'Ukraine')!.length_km, f.length_km);
  }
});

test('front: a length per region that adds up, and a series over time', () => {
  const f = json<Front>(['front', '--at', '2025-03-13', '--regions', 'oblasts']);
  const sum = f.by_region.reduce((t, r) => t + r.length_km, 0);
  assert.ok(Math.abs(sum - f.length_km) <= 0.5, `regions add up to ${sum}, total ${f.length_km}`);
  assert.ok(f.by_region.find((r) => r.region === 'Donetsk Oblast')!.length_km > 100);
  assert.ok(f.by_region.find((r) => r.region === 'Lviv Oblast')!.length_km === 0);
  const series = json<Front[]>(['series', '--front', '--from', '2024-01-01', '--to', '2024-12-31', '--every', 'month']);
  assert.equal(series.length, 12);
  for (const s of series) assert.ok(s.length_km > 300 && s.length_km < 3000, `${s.snapshot.time}: ${s.length_km} km`);
});

test('front: the cells recorded at import as holding no front hold none, and are not computed', async () => {
  const store = new Store(db);
  try {
    const figures = new FigureService(store);
    const free = figures.frontFree('deepstate');
    assert.ok(free.size > 500, `${free.size} cells recorded as holding no front`);
    let checked = 0;
    for (const day of ['2022-06-01', '2024-09-01', '2025-03-13']) {
      const snapshot = snapshotAt(store, 'deepstate', new Date(`${day}T23:59:59Z`));
      const geometry = figures.controlGeometry();
      const fronts = await geometry.frontCellsOf(snapshot);
      // every cell of the date, computed in full: the recorded ones have no front, and the front
      // cells are those frontCellsOf gave, with the same lines
      const all = await geometry.cellsOf(snapshot);
      for (const c of all) {
        if (!free.has(fromUrlKey(c.key))) continue;
        checked++;
        assert.equal(c.front.length, 0, `${day}: cell ${c.cell} recorded as holding no front has ${c.front.length} lines`);
      }
      assert.deepEqual(fronts.map((c) => c.key), all.filter((c) => c.front.length).map((c) => c.key), day);
    }
    assert.ok(checked > 150, `${checked} recorded cells checked`);
  } finally {
    store.close();
  }
});

test('front: gaps between RU polygons are not front, the line of contact is (Popasna, 1 September 2024)', () => {
  // Checked by hand on the snapshot of 1 September 2024: east of Popasna, about 40 km behind the
  // line of contact, two occupied polygons are drawn side by side along some 20 km (38.58–38.84° E,
  // 48.71–48.73° N) with a hairline gap between them (well under a metre on average) where their
  // edges do not quite coincide; taken literally, both sides of that strip of "UA ground" are
  // front (35 km of it in the box below). Everything in the box is RU ground. The real line of
  // contact runs west of 38.35° E (Bilohorivka, Siversk, Bakhmut).
  const out = join(tmp, 'front-popasna.geojson');
  const r = frontline(['front', '--at', '2024-09-01', '--geojson', out, '--json', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const fc = JSON.parse(readFileSync(out, 'utf8')) as { features: { geometry: { coordinates: number[][] } }[] };
  // length of the front's segments with both ends inside a box, in km (equirectangular: a box is small)
  const inBox = (minX: number, minY: number, maxX: number, maxY: number): number => {
    const inside = (p: number[]): boolean => p[0]! >= minX && p[0]! <= maxX && p[1]! >= minY && p[1]! <= maxY;
    let km = 0;
    for (const f of fc.features) {
      const c = f.geometry.coordinates;
      for (let i = 1; i < c.length; i++) {
        if (!inside(c[i - 1]!) || !inside(c[i]!)) continue;
        const dx = (c[i]![0]! - c[i - 1]![0]!) * 111.32 * Math.cos((c[i]![1]! * Math.PI) / 180), dy = (c[i]![1]! - c[i - 1]![1]!) * 110.574;
        km += Math.hypot(dx, dy);
      }
    }
    return km;
  };
  const behind = inBox(38.45, 48.55, 38.95, 48.85);
  assert.equal(behind, 0, `${behind.toFixed(1)} km of front along the gap behind the line east of Popasna`);
  // …while the line of contact west of it (Bilohorivka, Siversk, Bakhmut) is still there, whole
  const contact = inBox(37.9, 48.4, 38.35, 49.0);
  assert.ok(contact > 50, `${contact.toFixed(1)} km of front west of Popasna`);
});

test('series --change: net change per period, equal to the change of area between the periods', () => {
  const net = json<{ snapshot: { time: string }; previous: { time: string } | null; rows: { region: string; side: string; net_km2: number }[] }[]>(['series', '--change', '--from', '2024-01-01', '--to', '2024-06-30', '--every', 'month']);
  assert.equal(net.length, 6);
  const areas = json<{ snapshot: { time: string }; rows: { region: string; side: string; km2: number }[] }[]>(['series', '--from', '2024-01-01', '--to', '2024-06-30', '--every', 'month']);
  for (let i = 1; i < net.length; i++) {
    assert.equal(net[i]!.previous!.time, areas[i - 1]!.snapshot.time);
    const ru = (k: number): number => areas[k]!.rows.find((r) => r.region === 'Ukraine' && r.side === 'RU')!.km2;
    const got = net[i]!.rows.find((r) => r.region === 'Ukraine' && r.side === 'RU')!.net_km2;
    assert.ok(Math.abs(got - (ru(i) - ru(i - 1))) <= 0.15);
  }
  // the first period is measured from the last snapshot of 2023
  assert.ok(net[0]!.previous && net[0]!.previous.time < '2024-01-01');
});

test('peak over Kursk Oblast, August 2024 to April 2025: held, and held or contested', () => {
  const p = json<{ region: string; side: string; held: { peak_km2: number; peak_snapshot: { time: string }; at_km2: number; at_snapshot: { time: string }; retained_pct: number }; held_or_contested: { peak_km2: number; peak_snapshot: { time: string }; at_km2: number; retained_pct: number } }>(
    ['peak', '--side', 'UA', '--regions', 'border', '--region', 'Kursk', '--from', '2024-08-01', '--to', '2025-04-30']);
  assert.match(p.region, /Kursk/);
  assert.ok(p.held.peak_km2 > 500 && p.held.peak_km2 < 1500, `peak ${p.held.peak_km2}`);
  assert.ok(p.held.peak_snapshot.time >= '2024-08-06' && p.held.peak_snapshot.time < '2024-12-01', `peak at ${p.held.peak_snapshot.time}`);
  assert.ok(p.held_or_contested.peak_km2 >= p.held.peak_km2);
  assert.ok(p.held.at_snapshot.time.startsWith('2025-04-'));
  assert.ok(p.held.retained_pct < 5, `retained ${p.held.retained_pct}%`);
  // a later --at: the same peak, a different snapshot "at"
  const mid = json<{ held: { peak_km2: number; at_snapshot: { time: string }; retained_pct: number } }>(
    ['peak', '--side', 'UA', '--regions', 'border', '--region', 'Kursk', '--from', '2024-08-01', '--to', '2024-12-31', '--at', '2024-12-31']);
  assert.ok(mid.held.retained_pct > 30 && mid.held.retained_pct <= 100, `retained at the end of 2024: ${mid.held.retained_pct}%`);
});

test('ledger: what each side holds of the other, consistent with area; a buffer strip along the front', () => {
  const l = json<{ holdings: { side: string; in_country: string; km2: number }[]; buffer: { km: number; km2: number; by_side: { RU: number; UA: number; contested: number } } }>(['ledger', '--at', '2024-09-01', '--buffer-km', '10']);
  const area = json<{ rows: { region: string; side: string; km2: number }[] }>(['area', '--at', '2024-09-01']);
  const a = (region: string, side: string): number => area.rows.find((r) => r.region === region && r.side === side)!.km2;
  const ru = l.holdings.find((h) => h.side === 'RU')!, ua = l.holdings.find((h) => h.side === 'UA')!;
  assert.equal(ru.in_country, 'Ukraine');
  assert.ok(Math.abs(ru.km2 - a('Ukraine', 'RU')) <= 1, `ledger ${ru.km2}, area ${a('Ukraine', 'RU')}`);
  assert.ok(Math.abs(ua.km2 - a('Russia', 'UA')) <= 1);
  assert.ok(ua.km2 > 500, `Ukraine holds ${ua.km2} km² of Russia on 1 September 2024`);
  const front = json<Front>(['front', '--at', '2024-09-01']);
  // a strip 10 km either side of a line of length L covers at most 2·10·L km², less where it
  // folds on itself or runs into the sea; on this front it covers well over half of that
  const b = l.buffer;
  assert.equal(b.km, 10);
  assert.ok(b.km2 < 20 * front.length_km + Math.PI * 100 * 50 && b.km2 > 0.5 * 20 * front.length_km, `strip ${b.km2} km² for a front of ${front.length_km} km`);
  assert.ok(Math.abs(b.by_side.RU + b.by_side.UA + b.by_side.contested - b.km2) <= 1);
  assert.ok(b.by_side.RU > 0.3 * b.km2 && b.by_side.UA > 0.3 * b.km2, JSON.stringify(b.by_side));
});

test('bad input: one line naming the problem, non-zero exit code', () => {
  const cases: [string[], RegExp][] = [
    [['change', '--from', '2024-05-01', '--to', '2024-01-01'], /--from 2024-05-01 is after --to 2024-01-01/],
    [['change', '--from', '2019-01-01', '--to', '2024-01-01'], /--from: no deepstate snapshot at or before/],
    [['change', '--from', '2024-01-01', '--to', '2030-01-01'], /--to 2030-01-01 is after the end of the deepstate history/],
    [['change', '--from', '2024-01-01', '--to', '2024-02-01', '--regions', 'oblasts', '--region', 'Atlantis'], /no region "Atlantis" in set oblasts/],
    [['change', '--from', '2024-01-01', '--to', '2024-02-01', '--regions', 'nope'], /unknown region set "nope"/],
    [['front', '--at', 'yesterday'], /--at "yesterday" is not a date/],
    [['peak', '--side', 'XX', '--regions', 'border', '--region', 'Kursk', '--from', '2024-08-01', '--to', '2025-04-30'], /--side "XX": expected UA or RU/],
    [['peak', '--side', 'UA', '--regions', 'border', '--region', 'Kursk', '--from', '2025-08-01', '--to', '2024-04-30'], /is after --to/],
    [['ledger', '--at', '2024-09-01', '--buffer-km=-3'], /--buffer-km "-3"/],
    [['ledger', '--at', '2024-09-01', '--buffer-km', '-3'], /--buffer-km/],
  ];
  for (const [args, message] of cases) {
    const r = frontline([...args, '--db', db]);
    assert.notEqual(r.code, 0, `${args.join(' ')} succeeded`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `more than one line: ${r.stderr}`);
  }
});
