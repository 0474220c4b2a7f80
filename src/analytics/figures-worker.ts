/**
 * One worker of analytics/parallel.ts: computes figures, read-only, for the snapshots it is sent
 * one at a time, and stops when it is sent none.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Store } from '../store/sqlite.js';
import { FigureService } from './figures.js';
import type { WorkerInput, WorkerResult, WorkerTask } from './parallel.js';

const input = workerData as WorkerInput;
const store = new Store(input.db, { readonly: true });
const figures = new FigureService(store);

parentPort!.on('message', (task: WorkerTask) => {
  const snapshot = task.snapshot;
  if (!snapshot) {
    store.close();
    parentPort!.close();
    return;
  }
  const added = new Map<string, Float64Array>();
  figures.compute(snapshot, input.regionSet, added).then(
    (rows) => {
      const result: WorkerResult = { id: snapshot.id, rows, added: [...added], indexes: figures.takeFreshIndexes(), frontFree: figures.takeFreshFrontFree(), grounds: figures.takeFreshGround(snapshot.source) };
      parentPort!.postMessage(result);
    },
    (e: unknown) => {
      // an uncaught error ends the worker and reaches ensureFigures as its 'error' event
      setImmediate(() => { throw e; });
    },
  );
});
