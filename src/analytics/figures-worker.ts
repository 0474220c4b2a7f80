/** One worker of analytics/parallel.ts: computes figures for its run of snapshots, read-only. */
import { parentPort, workerData } from 'node:worker_threads';
import { Store } from '../store/sqlite.js';
import { FigureService } from './figures.js';
import type { WorkerInput, WorkerResult } from './parallel.js';

const input = workerData as WorkerInput;
const store = new Store(input.db, { readonly: true });
const figures = new FigureService(store);
try {
  for (const snapshot of input.snapshots) {
    const added = new Map<string, Float64Array>();
    const rows = await figures.compute(snapshot, input.regionSet, added);
    const result: WorkerResult = { id: snapshot.id, rows, added: [...added] };
    parentPort!.postMessage(result);
  }
} finally {
  store.close();
}
