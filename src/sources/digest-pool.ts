/**
 * Reads, parses and hashes snapshot files on worker threads, so that a folder import uses every
 * core: JSON parsing and hashing are most of an import's time, and the main thread is left with
 * the database writes, which must stay in one thread and in order.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { UserError } from '../model/errors.js';
import { startWorker } from '../util/worker.js';
import type { EncodedFeature } from './digest.js';

export interface DigestRequest { seq: number; path: string }

export type DigestReply =
  | { seq: number; ok: true; rawBytes: number; rawSha1: string; hashes: Uint8Array; fresh: (EncodedFeature & { index: number })[] }
  | { seq: number; ok: false; message: string; user: boolean };

/** A digested file: the hash of every feature in order, and the encoding of those not sent before. */
export interface PooledDigest {
  rawBytes: number;
  rawSha1: string;
  hashes: Buffer[];
  fresh: Map<number, EncodedFeature>;
}

const HASH_BYTES = 20;

export class DigestPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (d: PooledDigest) => void; reject: (e: Error) => void }>();
  private seq = 0;

  get size(): number {
    return this.workers.length;
  }

  constructor(size = Math.max(1, availableParallelism())) {
    this.workers = Array.from({ length: size }, () => {
      const w = startWorker(import.meta.url, 'digest-worker');
      w.on('message', (r: DigestReply) => this.settle(r));
      w.on('error', (e) => this.failAll(e));
      return w;
    });
  }

  /** Digests one file on the next worker in turn; replies come back in any order. */
  digest(path: string): Promise<PooledDigest> {
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.workers[seq % this.workers.length]!.postMessage({ seq, path } satisfies DigestRequest);
    });
  }

  private settle(r: DigestReply): void {
    const w = this.waiting.get(r.seq);
    if (!w) return;
    this.waiting.delete(r.seq);
    if (!r.ok) {
      w.reject(r.user ? new UserError(r.message) : new Error(r.message));
      return;
    }
    const all = Buffer.from(r.hashes.buffer, r.hashes.byteOffset, r.hashes.byteLength);
    const hashes: Buffer[] = [];
    for (let i = 0; i < all.length; i += HASH_BYTES) hashes.push(all.subarray(i, i + HASH_BYTES));
    const fresh = new Map<number, EncodedFeature>();
    for (const f of r.fresh) fresh.set(f.index, { geomType: f.geomType, properties: f.properties, geom: Buffer.from(f.geom.buffer, f.geom.byteOffset, f.geom.byteLength), bbox: f.bbox });
    w.resolve({ rawBytes: r.rawBytes, rawSha1: r.rawSha1, hashes, fresh });
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.failAll(new Error('digest pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
