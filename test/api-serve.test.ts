/**
 * `frontline serve` as users run it: a child process that prints the URL it listens on,
 * answers over loopback, and stops cleanly on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyDbCopy } from './support/history-db.js';
import { frontlineAsync, startServe } from './support/cli.js';

test('serve --port 0 prints its URL, answers, and exits 0 on SIGTERM', async (t) => {
  // a copy: the command may prepare what the read-only server cannot compute before it listens
  const dir = mkdtempSync(join(tmpdir(), 'frontline-serve-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = await historyDbCopy(dir);
  const serve = await startServe(['--port', '0', '--db', path]);
  const url = serve.url;
  assert.notEqual(new URL(url).port, '0');
  const r = await fetch(new URL('api/v1/snapshots', url));
  assert.equal(r.status, 200);
  const body = (await r.json()) as { snapshots: unknown[] };
  assert.equal(body.snapshots.length, 1359);
  const area = await fetch(new URL('api/v1/area?at=2025-03-13', url));
  assert.equal(area.status, 200);
  assert.equal(((await area.json()) as { snapshot: { id: string } }).snapshot.id, '1741873398');

  serve.kill('SIGTERM');
  assert.equal(await serve.exited, 0, serve.stderr());
  assert.equal(serve.stderr(), '');
  await assert.rejects(fetch(new URL('api/v1/snapshots', url)));
});

test('serve: bad options and a missing database are one-line errors', async () => {
  const port = await frontlineAsync(['serve', '--port', 'eighty']);
  assert.equal(port.code, 1);
  assert.equal(port.stderr.trim(), 'frontline serve: --port "eighty": expected a port number (0 picks a free one)');
  const db = await frontlineAsync(['serve', '--port', '0', '--db', '/nonexistent/frontline.db']);
  assert.equal(db.code, 1);
  assert.match(db.stderr, /^frontline serve: \/nonexistent\/frontline\.db: no such database[^\n]*\n$/);
});
