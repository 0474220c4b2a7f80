import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReplayServer, type ReplayServer } from '../../../test/support/replay-server.js';
import { DeepStateApiSource, latestId, parseHistoryList, type DeepStateApiOptions, type RetryInfo } from './api.js';
import { deepstateHistoryDir } from '../../../test/support/data.js';


let dir: string;
let ids: string[];
let server: ReplayServer;

/** Fast settings: small backoff, short timeout, and a log of the retries. */
function client(extra: DeepStateApiOptions = {}): { source: DeepStateApiSource; retries: RetryInfo[] } {
  const retries: RetryInfo[] = [];
  const source = new DeepStateApiSource({
    baseUrl: server.url,
    timeoutMs: 2000,
    retries: 3,
    backoffMs: 10,
    onRetry: (info) => retries.push(info),
    ...extra,
  });
  return { source, retries };
}

const geojsonPath = (id: string): string => `/api/history/${id}/geojson`;
const refOf = (id: string) => ({ id, time: new Date(Number(id) * 1000) });

before(async () => {
  const history = await deepstateHistoryDir();
  const all = (await readdir(history))
    .map((n) => /^(\d+)\.geojson$/.exec(n)?.[1])
    .filter((id): id is string => id !== undefined)
    .sort((a, b) => Number(a) - Number(b));
  assert.ok(all.length >= 5, `expected DeepStateMap history in ${history}`);
  // Two early (2022) snapshots, one from the middle and the two newest: small and large files,
  // old and new naming, non-ASCII text throughout.
  const picks = [0, 1, Math.floor(all.length / 2), all.length - 2, all.length - 1].map((i) => all[i] as string);
  dir = await mkdtemp(join(tmpdir(), 'frontline-deepstate-api-'));
  for (const id of picks) await copyFile(join(history, `${id}.geojson`), join(dir, `${id}.geojson`));
  ids = picks;
  server = await startReplayServer({ dir });
});

after(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  server.setFailures();
  server.requests.length = 0;
});

void describe('DeepStateApiSource against the replay server', () => {
  void test('list returns every version, sorted by time, with the time taken from the id', async () => {
    const { source } = client();
    assert.equal(source.name, 'deepstate');
    const refs = await source.list();
    assert.deepEqual(
      refs.map((r) => r.id),
      ids,
    );
    for (const r of refs) assert.equal(r.time.getTime(), Number(r.id) * 1000);
    assert.deepEqual(server.requests, ['/api/history/public']);
  });

  void test('fetch returns the text byte for byte as served, with the URL as origin', async () => {
    const { source } = client();
    for (const ref of await source.list()) {
      const snap = await source.fetch(ref);
      const onDisk = await readFile(join(dir, `${ref.id}.geojson`));
      assert.ok(Buffer.from(snap.text, 'utf8').equals(onDisk), `snapshot ${ref.id} differs from the file`);
      assert.equal(snap.id, ref.id);
      assert.equal(snap.time.getTime(), ref.time.getTime());
      assert.equal(snap.origin, `${server.url}${geojsonPath(ref.id)}`);
    }
  });

  void test('latest and latestId name the newest version', async () => {
    const { source } = client();
    const newest = ids[ids.length - 1];
    assert.equal((await source.latest()).id, newest);
    assert.equal(await latestId({ baseUrl: server.url }), newest);
  });

  void test('a trailing slash on the base URL is ignored', async () => {
    const { source } = client({ baseUrl: `${server.url}/` });
    assert.equal((await source.list()).length, ids.length);
    assert.deepEqual(server.requests, ['/api/history/public']);
  });

  void test('retries after 500 and 503, then succeeds', async () => {
    const id = ids[0] as string;
    server.setFailures([
      { path: geojsonPath(id), count: 1, mode: '500' },
      { path: geojsonPath(id), count: 1, mode: '503' },
    ]);
    const { source, retries } = client();
    const snap = await source.fetch(refOf(id));
    assert.ok(Buffer.from(snap.text).equals(await readFile(join(dir, `${id}.geojson`))));
    assert.equal(server.count(geojsonPath(id)), 3);
    assert.deepEqual(
      retries.map((r) => [r.attempt, r.error.slice(0, 8)]),
      [
        [1, 'HTTP 500'],
        [2, 'HTTP 503'],
      ],
    );
    assert.ok(retries.every((r) => r.url === `${server.url}${geojsonPath(id)}`));
  });

  void test('the list is retried too', async () => {
    server.setFailures({ path: '/api/history/public', count: 2, mode: '503' });
    const { source } = client();
    assert.equal((await source.list()).length, ids.length);
    assert.equal(server.count('/api/history/public'), 3);
  });

  void test('429 waits for Retry-After rather than the backoff', async () => {
    const id = ids[1] as string;
    server.setFailures({ path: geojsonPath(id), count: 1, mode: '429', retryAfter: 1 });
    const { source, retries } = client({ backoffMs: 1 });
    const started = Date.now();
    await source.fetch(refOf(id));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 950, `waited only ${elapsed} ms`);
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.delayMs, 1000);
    assert.match(retries[0]?.error ?? '', /^HTTP 429/);
    assert.equal(server.count(geojsonPath(id)), 2);
  });

  void test('a long Retry-After is capped', async () => {
    const id = ids[1] as string;
    server.setFailures({ path: geojsonPath(id), count: 1, mode: '503', retryAfter: 3600 });
    const { source, retries } = client({ maxDelayMs: 150 });
    const started = Date.now();
    await source.fetch(refOf(id));
    assert.ok(Date.now() - started < 1500);
    assert.equal(retries[0]?.delayMs, 150);
  });

  void test('a request that never answers times out and is retried', async () => {
    const id = ids[0] as string;
    server.setFailures({ path: geojsonPath(id), count: 1, mode: 'timeout' });
    const { source, retries } = client({ timeoutMs: 300 });
    const started = Date.now();
    const snap = await source.fetch(refOf(id));
    assert.ok(Date.now() - started >= 280);
    assert.equal(snap.id, id);
    assert.equal(server.count(geojsonPath(id)), 2);
    assert.equal(retries.length, 1);
    assert.match(retries[0]?.error ?? '', /^timed out \(limit 300 ms\)/);
  });

  void test('a truncated body is retried and the complete one returned', async () => {
    const id = ids[2] as string;
    server.setFailures({ path: geojsonPath(id), count: 2, mode: 'truncate' });
    const { source, retries } = client();
    const snap = await source.fetch(refOf(id));
    assert.ok(Buffer.from(snap.text).equals(await readFile(join(dir, `${id}.geojson`))));
    assert.equal(server.count(geojsonPath(id)), 3);
    assert.equal(retries.length, 2);
  });

  void test('a reset connection is retried', async () => {
    const id = ids[0] as string;
    server.setFailures({ path: geojsonPath(id), count: 1, mode: 'reset' });
    const { source, retries } = client();
    assert.equal((await source.fetch(refOf(id))).id, id);
    assert.equal(server.count(geojsonPath(id)), 2);
    assert.equal(retries.length, 1);
  });

  void test('persistent failure ends in a one-line error after N attempts', async () => {
    const id = ids[0] as string;
    server.setFailures({ path: geojsonPath(id), count: 100, mode: '500' });
    const { source, retries } = client({ retries: 2 });
    const url = `${server.url}${geojsonPath(id)}`;
    await assert.rejects(source.fetch(refOf(id)), (err: Error) => {
      assert.equal(err.message, `DeepStateMap API: ${url}: HTTP 500 Internal Server Error after 3 attempts`);
      assert.equal((err as Error & { status?: number }).status, 500);
      return true;
    });
    assert.equal(server.count(geojsonPath(id)), 3);
    assert.equal(retries.length, 2);
  });

  void test('persistent truncation ends in a one-line error after N attempts', async () => {
    const id = ids[3] as string;
    server.setFailures({ path: geojsonPath(id), count: 100, mode: 'truncate' });
    const { source } = client({ retries: 1 });
    await assert.rejects(source.fetch(refOf(id)), (err: Error) => {
      assert.doesNotMatch(err.message, /\n/);
      assert.match(err.message, /^DeepStateMap API: http:\/\/127\.0\.0\.1:\d+\/api\/history\/\d+\/geojson: .+ after 2 attempts$/);
      assert.match(err.message, /body|bytes|JSON/);
      return true;
    });
    assert.equal(server.count(geojsonPath(id)), 2);
  });

  void test('404 fails at once, naming the URL and status', async () => {
    const { source, retries } = client();
    const url = `${server.url}${geojsonPath('1600000000')}`;
    await assert.rejects(source.fetch(refOf('1600000000')), (err: Error) => {
      assert.equal(err.message, `DeepStateMap API: ${url}: HTTP 404 Not Found`);
      return true;
    });
    assert.equal(server.count(geojsonPath('1600000000')), 1);
    assert.equal(retries.length, 0);
  });

  void test('a malformed id is refused without a request', async () => {
    const { source } = client();
    await assert.rejects(source.fetch(refOf('../public')), /not a snapshot id/);
    assert.equal(server.requests.length, 0);
  });

  void test('an unreachable server ends in a one-line error after N attempts', async () => {
    const gone = await startReplayServer({ dir });
    const base = gone.url;
    await gone.close();
    const { source, retries } = client({ baseUrl: base, retries: 2 });
    await assert.rejects(source.list(), (err: Error) => {
      assert.doesNotMatch(err.message, /\n/);
      assert.match(err.message, new RegExp(`^DeepStateMap API: ${base}/api/history/public: .+ after 3 attempts$`));
      assert.match(err.message, /ECONNREFUSED|fetch failed/);
      return true;
    });
    assert.equal(retries.length, 2);
  });

  void test('aborting cancels a hanging request promptly', async () => {
    const id = ids[0] as string;
    server.setFailures({ path: geojsonPath(id), count: 100, mode: 'timeout' });
    const { source } = client({ timeoutMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await assert.rejects(source.fetch(refOf(id), controller.signal), { name: 'AbortError' });
    assert.ok(Date.now() - started < 1000);
    assert.equal(server.count(geojsonPath(id)), 1);
  });

  void test('aborting cancels the wait between attempts', async () => {
    const id = ids[0] as string;
    server.setFailures({ path: geojsonPath(id), count: 100, mode: '500' });
    const { source, retries } = client({ backoffMs: 10_000 });
    const controller = new AbortController();
    const started = Date.now();
    const pending = source.fetch(refOf(id), controller.signal);
    setTimeout(() => controller.abort(), 150);
    await assert.rejects(pending, { name: 'AbortError' });
    assert.ok(Date.now() - started < 1000);
    assert.equal(retries.length, 1);
    assert.equal(server.count(geojsonPath(id)), 1);
  });

  void test('an already aborted signal makes no request', async () => {
    const { source } = client();
    await assert.rejects(source.list(AbortSignal.abort()), { name: 'AbortError' });
    assert.equal(server.requests.length, 0);
  });
});

void describe('DeepStateApiSource with a stubbed fetch', () => {
  const fc = '{"type":"FeatureCollection","features":[]}';

  function stub(responses: (() => Response)[]): { fetchImpl: typeof fetch; calls: () => number } {
    let n = 0;
    const fetchImpl: typeof fetch = () => {
      const make = responses[Math.min(n, responses.length - 1)];
      n++;
      if (!make) throw new Error('no response');
      return Promise.resolve(make());
    };
    return { fetchImpl, calls: () => n };
  }

  void test('a body that is JSON but not a FeatureCollection is retried', async () => {
    const s = stub([() => new Response('{"type":"Feature"}'), () => new Response(fc)]);
    const retries: RetryInfo[] = [];
    const source = new DeepStateApiSource({ fetchImpl: s.fetchImpl, backoffMs: 1, onRetry: (r) => retries.push(r) });
    assert.equal((await source.fetch(refOf('1700000000'))).text, fc);
    assert.equal(s.calls(), 2);
    assert.match(retries[0]?.error ?? '', /FeatureCollection/);
    assert.equal(retries[0]?.url, 'https://deepstatemap.live/api/history/1700000000/geojson');
  });

  void test('fewer bytes than Content-Length is an incomplete body', async () => {
    const short = () => new Response(fc, { headers: { 'content-length': String(fc.length + 10) } });
    const s = stub([short]);
    const source = new DeepStateApiSource({ fetchImpl: s.fetchImpl, backoffMs: 1, retries: 1 });
    await assert.rejects(
      source.fetch(refOf('1700000000')),
      new RegExp(`: incomplete body: received ${fc.length} of ${fc.length + 10} bytes after 2 attempts$`),
    );
    assert.equal(s.calls(), 2);
  });

  void test('a byte-order mark is kept in the text but does not break parsing', async () => {
    const s = stub([() => new Response(`\ufeff${fc}`)]);
    const source = new DeepStateApiSource({ fetchImpl: s.fetchImpl });
    assert.equal((await source.fetch(refOf('1700000000'))).text, `\ufeff${fc}`);
  });

  void test('a list that is not an array is retried, then reported', async () => {
    const s = stub([() => new Response('{"error":"maintenance"}')]);
    const source = new DeepStateApiSource({ fetchImpl: s.fetchImpl, backoffMs: 1, retries: 2, baseUrl: 'http://x.test' });
    await assert.rejects(source.list(), {
      name: 'DeepStateApiError',
      message:
        'DeepStateMap API: http://x.test/api/history/public: unexpected body: expected a JSON array, got an object after 3 attempts',
    });
    assert.equal(s.calls(), 3);
  });
});

void describe('parseHistoryList', () => {
  void test('accepts numeric and string ids, skips unusable entries, sorts and de-duplicates', () => {
    const refs = parseHistoryList([
      { id: 1700000300, datetime: '2023-11-14T22:18:20Z' },
      { id: '1700000100' },
      { id: 1700000300 },
      { id: 'abc' },
      { id: -5 },
      { id: 1.5 },
      null,
      'x',
      { datetime: '2023-01-01' },
      { id: ' 1700000200 ', extra: true },
    ]);
    assert.deepEqual(
      refs.map((r) => [r.id, r.time.toISOString()]),
      [
        ['1700000100', '2023-11-14T22:15:00.000Z'],
        ['1700000200', '2023-11-14T22:16:40.000Z'],
        ['1700000300', '2023-11-14T22:18:20.000Z'],
      ],
    );
  });

  void test('an empty list is fine; a list with no usable id is not', () => {
    assert.deepEqual(parseHistoryList([]), []);
    assert.throws(() => parseHistoryList([{ name: 'x' }]), /no.* numeric id|none of 1 entries/);
    assert.throws(() => parseHistoryList({}), /expected a JSON array/);
  });
});
