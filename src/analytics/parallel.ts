/**
 * Computes missing figures for many snapshots on every core. Each worker walks consecutive
 * snapshots, so its cell cache stays warm (neighbouring snapshots share almost all their cells);
 * the workers only read the database, and the results are written here, in one transaction, when
 * all of them are done.
 *
 * Work is handed out one snapshot at a time, two workers per run of the history: one from its
 * start forwards, one from its end backwards, until they meet. What a snapshot costs varies by
 * an order of magnitude (a month of a counteroffensive against a quiet month) and no cheap
 * measure predicts it for every region set: fixed halves left one worker idle for a third of the
 * time, whichever way they were weighed. Meeting in the middle balances the two without losing
 * the warm cache. With more than two workers the history is first cut into runs of equal raw
 * bytes, one run per pair.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
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
  /** Encoded indexes of the features the worker cut for this snapshot (control/feature-index.ts). */
  indexes: [number, Uint8Array][];
  /** Keys of the cells it computed that hold no front. */
  frontFree: string[];
  /** The ground of the cells it computed, coded (control/ground-store.ts): cell id, key, data. */
  grounds: [number, Uint8Array, Uint8Array][];
}

export interface WorkerInput {
  db: string;
  regionSet: string;
}

/** A worker's next snapshot; none when its run is done. */
export interface WorkerTask {
  snapshot?: SnapshotRow;
}

/** Runs one worker: `next` gives its next snapshot each time it is free (undefined: stop). */
function runWorker(input: WorkerInput, next: () => SnapshotRow | undefined, onResult: (r: WorkerResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker: Worker = startWorker(import.meta.url, 'figures-worker', input);
    const send = (): void => {
      const task: WorkerTask = { snapshot: next() };
      worker.postMessage(task);
    };
    worker.on('message', (r: WorkerResult) => {
      onResult(r);
      send();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`figures worker exited with code ${code}`))));
    send();
  });
}

/**
 * Computes and stores the figures of these snapshots for the set where missing. `figures`: the
 * caller's service, whose engine and caches are then shared with what the caller does next.
 */
export async function ensureFigures(store: Store, snapshots: SnapshotRow[], regionSet: string, onProgress: (done: number, total: number) => void = () => undefined, figures = new FigureService(store)): Promise<void> {
  figures.regionSetId(regionSet); // an unknown set fails here, once
  const stored = figures.storedAmong(snapshots, regionSet);
  const missing = snapshots.filter((s) => !stored.has(s.id));
  if (missing.length) {
    await figures.placements(regionSet); // stored once here, read by the workers
    await figures.getEngine(); // to store the feature indexes the workers make
  }
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
  const runs = splitByWeight(missing, Math.ceil(workers / 2), (s) => s.raw_bytes).map((run) => ({ run, lo: 0, hi: run.length - 1 }));
  const nextOf = (k: number) => (): SnapshotRow | undefined => {
    const r = runs[Math.floor(k / 2)]!;
    if (r.lo > r.hi) return undefined;
    return k % 2 === 0 ? r.run[r.lo++] : r.run[r.hi--];
  };
  await Promise.all(Array.from({ length: workers }, (_, k) => runWorker({ db: store.path, regionSet }, nextOf(k), (r) => {
    results.push(r);
    onProgress(++done, missing.length);
  })));
  const byId = new Map(missing.map((s) => [s.id, s]));
  // in snapshot order, as they would come from one worker: rows appended in key order keep the table's pages full
  results.sort((a, b) => a.id - b.id);
  store.transaction(() => {
    for (const r of results) {
      figures.save(byId.get(r.id)!, regionSet, r.rows, new Map(r.added));
      figures.saveIndexes(r.indexes.map(([id, blob]) => [id, asBuffer(blob)]));
      figures.saveFrontFree(byId.get(r.id)!.source, r.frontFree);
      figures.saveGround(byId.get(r.id)!.source, r.grounds.map(([cell, key, data]) => [cell, asBuffer(key), asBuffer(data)]));
    }
  });
}

/** Bytes that came from a worker (structured clone makes Buffers plain Uint8Arrays) as a Buffer. */
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

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

