/**
 * The client side of the control geometry. A snapshot's control map is a list of cell keys
 * (/snapshots/{id}/control); a key names the geometry of one 0.5° cell, and consecutive snapshots
 * share almost all of them, so the geometry of a key is downloaded once (/control-cells) and kept
 * here. Stepping along the timeline then costs one small key list and the few cells that changed.
 */
import { api, type CellFeature, type ControlList } from './api.js';

/** The server answers up to ~200 keys per request; 100 keeps URLs well under common limits. */
const KEYS_PER_REQUEST = 100;
const PARALLEL_REQUESTS = 4;

export class CellCache {
  private readonly lists = new Map<string, Promise<ControlList>>();
  private readonly cells = new Map<string, CellFeature[]>();
  private readonly pending = new Map<string, Promise<void>>();

  /** Geometry features of a snapshot, fetching only cells not yet known. */
  async features(snapshotId: string, signal?: AbortSignal): Promise<{ list: ControlList; features: CellFeature[] }> {
    const list = await this.list(snapshotId, signal);
    await this.load(list.cells, signal);
    const features: CellFeature[] = [];
    for (const key of list.cells) for (const f of this.cells.get(key) ?? []) features.push(f);
    return { list, features };
  }

  /** True when a snapshot can be drawn without a request. */
  has(snapshotId: string): boolean {
    return this.lists.has(snapshotId);
  }

  get size(): number {
    return this.cells.size;
  }

  private list(id: string, signal?: AbortSignal): Promise<ControlList> {
    let p = this.lists.get(id);
    if (!p) {
      // not tied to one caller's signal: the list is immutable and worth keeping
      p = api.control(id);
      this.lists.set(id, p);
      p.catch(() => this.lists.delete(id));
    }
    return signal ? raceAbort(p, signal) : p;
  }

  private async load(keys: string[], signal?: AbortSignal): Promise<void> {
    const waits: Promise<void>[] = [];
    const missing: string[] = [];
    for (const k of keys) {
      if (this.cells.has(k)) continue;
      const p = this.pending.get(k);
      if (p) waits.push(p);
      else missing.push(k);
    }
    const batches: string[][] = [];
    for (let i = 0; i < missing.length; i += KEYS_PER_REQUEST) batches.push(missing.slice(i, i + KEYS_PER_REQUEST));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        const request = this.fetchBatch(batch);
        for (const k of batch) this.pending.set(k, request);
        await request;
      }
    };
    const runners = Array.from({ length: Math.min(PARALLEL_REQUESTS, batches.length) }, worker);
    const all = Promise.all([...runners, ...waits]).then(() => undefined);
    await (signal ? raceAbort(all, signal) : all);
  }

  private async fetchBatch(keys: string[]): Promise<void> {
    try {
      const fc = await api.cells(keys);
      const byKey = new Map<string, CellFeature[]>(keys.map((k) => [k, []]));
      for (const f of fc.features) byKey.get(f.properties.cell)?.push(f);
      for (const [k, fs] of byKey) this.cells.set(k, fs);
    } finally {
      for (const k of keys) this.pending.delete(k);
    }
  }
}

/** Stops waiting when the signal aborts; the shared request itself runs on for the cache. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e as Error); },
    );
  });
}
