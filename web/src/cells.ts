/**
 * The client side of the control geometry. A snapshot's control map is a list of cell keys; a key
 * names the geometry of one 0.5° cell, and consecutive snapshots share almost all of them, so the
 * geometry of a key is downloaded once (/control-cells, in its compact form: see delta.ts) and kept
 * here, decoded into the GeoJSON features the map draws.
 *
 * The key lists of the whole history come in one answer (/control-keys, each snapshot as the keys
 * it adds and removes): with it, stepping along the timeline needs no request for a list, and the
 * cells of many snapshots ahead are fetched together. Until it has arrived (and for a snapshot it
 * leaves out) a list comes from /snapshots/{id}/control.
 */
import { api, type CellFeature } from './api.js';
import { decodeCells } from './delta.js';

/** The server answers up to ~200 keys per request; 100 keeps URLs well under common limits. */
const KEYS_PER_REQUEST = 100;
const PARALLEL_REQUESTS = 4;

export class CellCache {
  private readonly lists = new Map<string, Promise<string[]>>();
  /** Lists that came one by one, once they are here. */
  private readonly known = new Map<string, string[]>();
  /** Key lists from /control-keys, by snapshot id. */
  private index: Map<string, string[]> | undefined;
  private indexRequest: Promise<void> | undefined;
  private readonly cells = new Map<string, CellFeature[]>();
  private readonly pending = new Map<string, Promise<void>>();

  /** Fetches every snapshot's key list in one request; resolves (never rejects) when it is done. */
  loadIndex(): Promise<void> {
    this.indexRequest ??= api.controlKeys().then(
      (ck) => {
        const index = new Map<string, string[]>();
        let current = new Set<string>();
        for (const s of ck.snapshots) {
          if (s.remove.length) {
            const gone = new Set(s.remove.map((i) => ck.keys[i]!));
            current = new Set([...current].filter((k) => !gone.has(k)));
          }
          for (const i of s.add) current.add(ck.keys[i]!);
          index.set(s.id, [...current]);
        }
        this.index = index;
      },
      (e: unknown) => {
        // the lists still come one at a time from /snapshots/{id}/control
        console.warn('control keys', e);
      },
    );
    return this.indexRequest;
  }

  /** Geometry features of a snapshot, fetching only cells not yet known. */
  async features(snapshotId: string, signal?: AbortSignal): Promise<CellFeature[]> {
    const keys = await this.keys(snapshotId, signal);
    await this.load(keys, signal);
    return this.collect(keys);
  }

  /** The features of a snapshot if its list and all its cells are here already, without waiting. */
  featuresNow(snapshotId: string): CellFeature[] | undefined {
    const keys = this.index?.get(snapshotId) ?? this.known.get(snapshotId);
    if (!keys || !keys.every((k) => this.cells.has(k))) return undefined;
    return this.collect(keys);
  }

  /**
   * Fetches the cells of several snapshots together and returns each snapshot's features. Their
   * lists come from /control-keys (after loadIndex), or one by one for snapshots it leaves out.
   */
  async featuresOf(snapshotIds: string[]): Promise<Map<string, CellFeature[]>> {
    const lists = new Map(await Promise.all(snapshotIds.map(async (id) => [id, await this.keys(id)] as const)));
    await this.load([...new Set([...lists.values()].flat())]);
    return new Map([...lists].map(([id, keys]) => [id, this.collect(keys)]));
  }

  private collect(keys: string[]): CellFeature[] {
    const features: CellFeature[] = [];
    for (const key of keys) for (const f of this.cells.get(key) ?? []) features.push(f);
    return features;
  }

  private keys(id: string, signal?: AbortSignal): Promise<string[]> {
    const known = this.index?.get(id);
    if (known) return Promise.resolve(known);
    let p = this.lists.get(id);
    if (!p) {
      // not tied to one caller's signal: the list is immutable and worth keeping
      p = api.control(id).then((l) => {
        this.known.set(id, l.cells);
        return l.cells;
      });
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
    // every batch is pending from the start, so that a concurrent caller waits instead of asking again
    const requests = batches.map((batch) => {
      let start!: () => void;
      const started = new Promise<void>((resolve) => (start = resolve));
      const request = started.then(() => this.fetchBatch(batch));
      for (const k of batch) this.pending.set(k, request);
      return { start, request };
    });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const r = requests[next++]!;
        r.start();
        await r.request;
      }
    };
    const runners = Array.from({ length: Math.min(PARALLEL_REQUESTS, requests.length) }, worker);
    const all = Promise.all([...runners, ...waits]).then(() => undefined);
    await (signal ? raceAbort(all, signal) : all);
  }

  private async fetchBatch(keys: string[]): Promise<void> {
    try {
      const body = await api.cells(keys);
      const start = performance.now();
      const decoded = decodeCells(body);
      // what decoding costs the page, for bench/web.ts
      performance.measure('frontline:cells-decoded', { start, detail: keys.length });
      for (const k of keys) this.cells.set(k, decoded.get(k) ?? []);
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
