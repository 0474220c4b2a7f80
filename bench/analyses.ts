/**
 * In-process timings of the change-over-time analyses, as a long-running process (the server)
 * sees them: the engine and database are open, so what is measured is the query itself.
 *
 * usage: node --import tsx bench/analyses.ts --db PATH
 * Prints JSON: {"change": {"ms": [...], "median", "max"}, "front": {...}, "pairs": [...], "dates": [...]}
 * Runs each query twice: the first may compute and store control geometry for cells not seen
 * before, the second reads it back.
 */
import { parseArgs } from 'node:util';
import { Store } from '../src/store/sqlite.js';
import { COUNTRIES, FigureService } from '../src/analytics/figures.js';
import { ChangeService } from '../src/analytics/change.js';
import { FrontService } from '../src/analytics/front.js';

const { values } = parseArgs({ options: { db: { type: 'string' } } });
if (!values.db) throw new Error('--db PATH is required');
const store = new Store(values.db, { mustExist: true });
const figures = new FigureService(store);
const snaps = store.snapshots('deepstate');
const pick = (k: number, n: number): (typeof snaps)[number] => snaps[Math.min(snaps.length - 1, Math.round((k * (snaps.length - 1)) / n))]!;
const pairs = Array.from({ length: 8 }, (_, k) => [pick(k, 9), pick(k + 1 + (k % 4), 9)] as const).filter(([a, b]) => a.time < b.time);
const dates = Array.from({ length: 8 }, (_, k) => pick(k, 7));
const change = new ChangeService(store, figures);
const front = new FrontService(store, figures);
await figures.getEngine();
await front.front(snaps[0]!, COUNTRIES); // warm-up: module code paths, region set

const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const stats = (ms: number[]): { ms: number[]; median: number; max: number } => {
  const s = [...ms].sort((a, b) => a - b);
  return { ms: ms.map((x) => Math.round(x)), median: Math.round(s[Math.floor(s.length / 2)]!), max: Math.round(s[s.length - 1]!) };
};
const changeFirst: number[] = [], changeAgain: number[] = [], frontFirst: number[] = [], frontAgain: number[] = [];
for (const [a, b] of pairs) {
  changeFirst.push(await time(() => change.change(a, b, COUNTRIES)));
  changeAgain.push(await time(() => new ChangeService(store, figures).change(a, b, COUNTRIES)));
}
for (const d of dates) {
  frontFirst.push(await time(() => front.front(d, COUNTRIES)));
  frontAgain.push(await time(() => new FrontService(store, figures).front(d, COUNTRIES)));
}
store.close();
process.stdout.write(JSON.stringify({
  pairs: pairs.map(([a, b]) => [a.time, b.time]),
  dates: dates.map((d) => d.time),
  change: { first: stats(changeFirst), again: stats(changeAgain) },
  front: { first: stats(frontFirst), again: stats(frontAgain) },
}, null, 2) + '\n');
