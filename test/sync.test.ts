/** The live-API import end to end, against a local server replaying real snapshots with failures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepstateHistoryFiles } from './support/data.js';
import { startReplayServer } from './support/replay-server.js';
import { frontlineAsync } from './support/cli.js';

test('import from the API retries a failing snapshot, stores only whole snapshots, and resumes', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'frontline-sync-'));
  const files = (await deepstateHistoryFiles()).slice(-3);
  for (const f of files) copyFileSync(f, join(tmp, f.split('/').pop()!));
  const ids = files.map((f) => f.split('/').pop()!.slice(0, -8));
  const server = await startReplayServer({ dir: tmp, failFirst: [{ path: `/api/history/${ids[1]}/geojson`, count: 2, mode: 'truncate' }] });
  const db = join(tmp, 'sync.db');
  try {
    const first = await frontlineAsync(['import', 'deepstate', server.url, '--db', db]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /3 snapshots added/);
    assert.equal(server.count(`/api/history/${ids[1]}/geojson`), 3);
    // the server now fails for good on the newest snapshot: the import stops with one line, the others stay
    rmSync(db);
    server.setFailures([{ path: `/api/history/${ids[2]}/geojson`, count: 100, mode: '500' }]);
    const broken = await frontlineAsync(['import', 'deepstate', server.url, '--db', db]);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stderr, new RegExp(`DeepStateMap API: .*/api/history/${ids[2]}/geojson: HTTP 500.* after \\d+ attempts`));
    server.setFailures([]);
    const resumed = await frontlineAsync(['import', 'deepstate', server.url, '--db', db]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /1 snapshots added \(2 already stored\)/);
  } finally {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
