/**
 * The import pipeline shared by every source: fetch, validate, deduplicate features, classify,
 * store. A folder import is one transaction (all or nothing); a live import commits snapshot by
 * snapshot so that an interrupted download resumes where it stopped. Either way a snapshot is
 * stored whole or not at all, and importing again stores nothing new.
 */
import type { Store } from '../store/sqlite.js';
import type { Classifier } from '../rules/classifier.js';
import type { SnapshotRef, SnapshotSource } from './source.js';
import { digestSnapshot, encodeFeature, type EncodedFeature } from './digest.js';
import { DigestPool, type PooledDigest } from './digest-pool.js';

export interface ImportReport {
  source: string;
  ruleset: string;
  snapshotsSeen: number;
  snapshotsAdded: number;
  featuresAdded: number;
  /** Polygon names no rule matched, with how many distinct features carried each. */
  unclassified: Map<string, number>;
  addedSnapshotIds: number[];
}

export interface ImportOptions {
  /** Commit after every snapshot (live sources) instead of once at the end. */
  commitEach?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Folder imports of at least this many files read them on worker threads (starting them costs ~0.1 s). */
const POOL_MIN_SNAPSHOTS = 8;
/** Files digested ahead of the one being stored, per worker: enough to keep every core busy. */
const READ_AHEAD_PER_WORKER = 3;

/** One snapshot ready to store: every feature's hash, in order, and the encoding of any not stored yet. */
interface Digest {
  rawBytes: number;
  rawSha1: string;
  origin: string;
  hashes: Buffer[];
  encoded: (index: number) => EncodedFeature;
}

/** Digests snapshots in order: on worker threads for local files, else one by one as they arrive. */
function digester(source: SnapshotSource, todo: SnapshotRef[], opts: ImportOptions): { next: (i: number) => Promise<Digest>; close: () => Promise<void> } {
  const paths = source.localPath && !opts.commitEach && todo.length >= POOL_MIN_SNAPSHOTS ? todo.map((r) => source.localPath!(r)) : undefined;
  if (!paths) {
    return {
      next: async (i) => {
        const raw = await source.fetch(todo[i]!, opts.signal);
        const d = digestSnapshot(raw.text, raw.origin);
        return { rawBytes: d.rawBytes, rawSha1: d.rawSha1, origin: raw.origin, hashes: d.features.map((f) => f.hash), encoded: (k) => encodeFeature(d.features[k]!) };
      },
      close: async () => undefined,
    };
  }
  const pool = new DigestPool();
  const ahead = READ_AHEAD_PER_WORKER * pool.size;
  const pending = new Map<number, Promise<PooledDigest>>();
  let requested = 0;
  return {
    next: async (i) => {
      while (requested < paths.length && requested <= i + ahead) {
        const p = pool.digest(paths[requested]!);
        p.catch(() => undefined); // awaited in turn below; a failure ahead must not go unhandled meanwhile
        pending.set(requested++, p);
      }
      const d = await pending.get(i)!;
      pending.delete(i);
      return {
        rawBytes: d.rawBytes, rawSha1: d.rawSha1, origin: paths[i]!, hashes: d.hashes,
        encoded: (k) => {
          const f = d.fresh.get(k);
          // a worker encodes a feature the first time it meets it, and earlier snapshots are stored first
          if (!f) throw new Error(`${paths[i]}: feature ${k} neither stored nor encoded`);
          return f;
        },
      };
    },
    close: () => pool.close(),
  };
}

export async function importSource(store: Store, source: SnapshotSource, classifier: Classifier, opts: ImportOptions = {}): Promise<ImportReport> {
  const report: ImportReport = { source: source.name, ruleset: classifier.id, snapshotsSeen: 0, snapshotsAdded: 0, featuresAdded: 0, unclassified: new Map(), addedSnapshotIds: [] };
  const refs = await source.list(opts.signal);
  const todo = refs.filter((r) => !store.hasSnapshot(source.name, r.id));
  report.snapshotsSeen = refs.length;
  const db = store.db;
  let open = false;
  const begin = (): void => { if (!open) { db.exec('BEGIN'); open = true; } };
  const digests = digester(source, todo, opts);
  try {
    for (let i = 0; i < todo.length; i++) {
      const ref = todo[i]!;
      opts.onProgress?.(i, todo.length);
      const d = await digests.next(i);
      opts.signal?.throwIfAborted();
      begin();
      if (i === 0 || opts.commitEach) store.setMeta(`ruleset:${source.name}`, classifier.id);
      const ids: number[] = [];
      d.hashes.forEach((hash, k) => {
        let stored: EncodedFeature | undefined;
        const { id, added } = store.putFeature(hash, () => (stored = d.encoded(k)));
        ids.push(id);
        if (added) {
          report.featuresAdded++;
          const properties = JSON.parse(stored!.properties) as Record<string, unknown>;
          const c = classifier.classify({ geometryType: stored!.geomType, properties });
          if (c.status === 'unmatched') {
            const name = String(properties.name ?? '(no name)');
            report.unclassified.set(name, (report.unclassified.get(name) ?? 0) + 1);
          }
          store.putClassification(id, classifier.id, c.status, c.rule);
        }
      });
      report.addedSnapshotIds.push(store.putSnapshot({ source: source.name, extId: ref.id, time: ref.time, featureIds: ids, rawBytes: d.rawBytes, rawSha1: d.rawSha1, origin: d.origin }));
      report.snapshotsAdded++;
      if (opts.commitEach) { db.exec('COMMIT'); open = false; }
    }
    if (open) { db.exec('COMMIT'); open = false; }
    opts.onProgress?.(todo.length, todo.length);
    return report;
  } catch (e) {
    if (open) db.exec('ROLLBACK');
    if (!opts.commitEach) { report.addedSnapshotIds = []; report.snapshotsAdded = 0; }
    throw e;
  } finally {
    await digests.close();
  }
}
