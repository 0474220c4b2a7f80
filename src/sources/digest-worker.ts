/**
 * One reader of digest-pool.ts: reads snapshot files, parses and hashes their features, and
 * encodes each feature the first time this worker meets it (the main thread stores snapshots in
 * order, so a feature this worker has sent before is stored by the time it sends a later file).
 */
import { parentPort } from 'node:worker_threads';
import { UserError } from '../model/errors.js';
import { readSnapshotBytes } from './files.js';
import { FeatureMemo, encodeFeature, type EncodedFeature } from './digest.js';
import type { DigestReply, DigestRequest } from './digest-pool.js';

const sent = new Set<string>();
const memo = new FeatureMemo();

parentPort!.on('message', (req: DigestRequest) => {
  let reply: DigestReply;
  try {
    const { features, rawBytes, rawSha1 } = memo.digest(readSnapshotBytes(req.path), req.path);
    const fresh: (EncodedFeature & { index: number })[] = [];
    features.forEach((f, i) => {
      const k = f.hash.toString('base64');
      if (sent.has(k)) return;
      // a feature recognised without parsing was parsed and sent by this reader before
      if (!f.input) throw new Error(`${req.path}: feature ${i} recognised but never sent`);
      sent.add(k);
      fresh.push({ index: i, ...encodeFeature({ hash: f.hash, properties: f.properties, input: f.input }) });
    });
    reply = { seq: req.seq, ok: true, rawBytes, rawSha1, hashes: Buffer.concat(features.map((f) => f.hash)), fresh };
  } catch (e) {
    reply = { seq: req.seq, ok: false, message: (e as Error).message, user: e instanceof UserError };
  }
  parentPort!.postMessage(reply);
});
