/**
 * The import pipeline shared by every source: fetch, validate, deduplicate features, classify,
 * store. A folder import is one transaction (all or nothing); a live import commits snapshot by
 * snapshot so that an interrupted download resumes where it stopped. Either way a snapshot is
 * stored whole or not at all, and importing again stores nothing new.
 */
import { createHash } from 'node:crypto';
import { encodeGeometry } from '../geometry/codec.js';
import { parseFeatureCollection, polygonsOf } from '../geometry/geojson.js';
import { bboxOf } from '../geometry/flat.js';
import type { Store } from '../store/sqlite.js';
import type { Classifier } from '../rules/classifier.js';
import type { SnapshotSource } from './source.js';

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

export async function importSource(store: Store, source: SnapshotSource, classifier: Classifier, opts: ImportOptions = {}): Promise<ImportReport> {
  const report: ImportReport = { source: source.name, ruleset: classifier.id, snapshotsSeen: 0, snapshotsAdded: 0, featuresAdded: 0, unclassified: new Map(), addedSnapshotIds: [] };
  const refs = await source.list(opts.signal);
  const todo = refs.filter((r) => !store.hasSnapshot(source.name, r.id));
  report.snapshotsSeen = refs.length;
  const db = store.db;
  let open = false;
  const begin = (): void => { if (!open) { db.exec('BEGIN'); open = true; } };
  try {
    for (let i = 0; i < todo.length; i++) {
      const ref = todo[i]!;
      opts.onProgress?.(i, todo.length);
      const raw = await source.fetch(ref, opts.signal);
      opts.signal?.throwIfAborted();
      const features = parseFeatureCollection(raw.text, raw.origin);
      begin();
      if (i === 0 || opts.commitEach) store.setMeta(`ruleset:${source.name}`, classifier.id);
      const ids: number[] = [];
      for (const f of features) {
        const properties = JSON.stringify(f.properties);
        const canonical = `${properties}\n${JSON.stringify(f.geometry)}`;
        const { id, added } = store.putFeature(canonical, () => {
          const polys = polygonsOf(f.geometry);
          const b = polys.length ? bboxOf(polys) : { minX: 0, minY: 0, maxX: 0, maxY: 0 };
          return { geomType: f.geometry.type, properties, geom: encodeGeometry(f.geometry), bbox: [b.minX, b.minY, b.maxX, b.maxY] };
        });
        ids.push(id);
        if (added) {
          report.featuresAdded++;
          const c = classifier.classify({ geometryType: f.geometry.type, properties: f.properties });
          if (c.status === 'unmatched') {
            const name = String(f.properties.name ?? '(no name)');
            report.unclassified.set(name, (report.unclassified.get(name) ?? 0) + 1);
          }
          store.putClassification(id, classifier.id, c.status, c.rule);
        }
      }
      const rawSha1 = createHash('sha1').update(raw.text).digest('hex');
      report.addedSnapshotIds.push(store.putSnapshot({ source: source.name, extId: ref.id, time: ref.time, featureIds: ids, rawBytes: Buffer.byteLength(raw.text), rawSha1, origin: raw.origin }));
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
  }
}
