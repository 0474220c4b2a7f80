/**
 * Computes missing figures for many snapshots on every core. The history is cut into one
 * contiguous run of snapshots per worker, so each worker's cell cache stays warm (neighbouring
 * snapshots share almost all their cells); the workers only read the database, and the results
 * are written here, in one transaction, when all of them are done.
 *
 * The runs hold equal shares of raw GeoJSON bytes, not of snapshots: later snapshots draw more
 * and longer lines, and a worker's time follows the bytes (split by count, the second half of the
 * DeepStateMap history holds 61% of its bytes and took 59% of the time).
 */
import { availableParallelism } from 'node:os';
import { startWorker } from '../util/worker.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import type { RegionFigure } from '../control/engine.js';
import { FigureService } from './figures.js';

/** Below this many snapshots, starting workers (a few seconds each) costs more than it saves. */
const MIN_PER_WORKER = 100;

export interface WorkerResult {
  id: number;
  rows: RegionFigure[];
  added: [string, Float64Array][];
}

export interface WorkerInput {
  db: string;
  regionSet: string;
  snapshots: SnapshotRow[];
}

function runWorker(input: WorkerInput, onResult: (r: WorkerResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'figures-worker', input);
    worker.on('message', onResult);
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`figures worker exited with code ${code}`))));
  });
}

export async function ensureFigures(store: Store, snapshots: SnapshotRow[], regionSet: string, onProgress: (done: number, total: number) => void = () => undefined): Promise<void> {
  const figures = new FigureService(store);
  figures.regionSetId(regionSet); // an unknown set fails here, once
  const stored = figures.storedAmong(snapshots, regionSet);
  const missing = snapshots.filter((s) => !stored.has(s.id));
  if (missing.length) await figures.placements(regionSet); // stored once here, read by the workers
  const workers = Math.min(availableParallelism(), Math.floor(missing.length / MIN_PER_WORKER));
  let done = 0;
  onProgress(0, missing.length);
  if (workers < 2 || store.path === ':memory:') {
    for (const s of missing) {
      await figures.figures(s, regionSet);
      onProgress(++done, missing.length);
    }
    return;
  }
  const results: WorkerResult[] = [];
  const chunks = splitByWeight(missing, workers, (s) => s.raw_bytes);
  await Promise.all(chunks.map((chunk) => runWorker({ db: store.path, regionSet, snapshots: chunk }, (r) => {
    results.push(r);
    onProgress(++done, missing.length);
  })));
  const byId = new Map(missing.map((s) => [s.id, s]));
  store.transaction(() => {
    for (const r of results) figures.save(byId.get(r.id)!, regionSet, r.rows, new Map(r.added));
  });
}

/** `items` cut into `parts` contiguous runs of about equal total weight (none empty if items ≥ parts). */
export function splitByWeight<T>(items: T[], parts: number, weight: (x: T) => number): T[][] {
  const total = items.reduce((t, x) => t + weight(x), 0);
  const out: T[][] = [];
  let start = 0, acc = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    let end = start;
    // keep at least one item for each run still to come
    while (end < items.length - (parts - p) && (end === start || acc + weight(items[end]!) / 2 <= target)) acc += weight(items[end++]!);
    out.push(items.slice(start, end));
    start = end;
  }
  out.push(items.slice(start));
  return out;
}

