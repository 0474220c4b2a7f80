/**
 * The README's main command for a new user: `frontline serve --history …` imports the history
 * into an empty database and serves it; without `--history`, an empty database is filled from
 * the live API, and with no network either the command says how to give a local archive.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deepstateHistoryFiles } from './support/data.js';
import { runCommand, startServe } from './support/cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let tmp: string;

before(() => { tmp = mkdtempSync(join(tmpdir(), 'frontline-serve-history-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

test('serve --history imports a local history into a new database, then serves it', { timeout: 10 * 60_000 }, async () => {
  const files = (await deepstateHistoryFiles()).slice(-3);
  const dir = join(tmp, 'history');
  mkdirSync(dir);
  for (const f of files) symlinkSync(f, join(dir, basename(f)));
  const db = join(tmp, 'new.db');
  const serve = await startServe(['--history', dir, '--port', '0', '--db', db]);
  const url = serve.url;
  assert.match(serve.stdout(), /deepstate: 3 snapshots added/);
  const snaps = (await (await fetch(new URL('api/v1/snapshots', url))).json()) as { snapshots: { id: string }[] };
  assert.deepEqual(snaps.snapshots.map((s) => s.id), files.map((f) => basename(f, '.geojson')));
  // place histories were prepared before listening, so place queries answer at once
  const place = await fetch(new URL('api/v1/place?name=Kherson&country=UA', url));
  assert.equal(place.status, 200);
  const history = ((await place.json()) as { history: { side: string }[] }).history;
  assert.deepEqual(history.map((h) => h.side), ['UA']);
  serve.kill('SIGTERM');
  assert.equal(await serve.exited, 0, serve.stderr());
});

test('serve on an empty database with no network and no --history says how to give an archive', { timeout: 5 * 60_000 }, async () => {
  const db = join(tmp, 'empty.db');
  // nothing listens on port 9 of loopback: the live API is unreachable, as on a machine offline
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--db', db], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FRONTLINE_DEEPSTATE_URL: 'http://127.0.0.1:9' },
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  assert.equal(r.code, 1, r.stderr);
  const last = r.stderr.trim().split('\n').pop()!;
  assert.match(last, /holds no snapshots and the live DeepStateMap API cannot be reached .*frontline serve --history \.\.\/shared\/data\/deepstate/);
  // nothing half-imported: the database holds no snapshot
  const list = await runCommand(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'snapshots', '--json', '--db', db]);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout), []);
});
