import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFlatFile, encodeFlatFile, LazyFlatFile } from './flat-file.js';
import type { MultiPolygon } from './flat.js';

const square = (x: number, y: number, d: number): Float64Array => Float64Array.of(x, y, x + d, y, x + d, y + d, x, y + d, x, y);

test('a flat file read lazily gives the same doubles as one decoded whole, each part read once; a damaged file is refused on first read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-flat-'));
  try {
    const mps: MultiPolygon[] = [
      [[square(30, 50, 1), square(30.2, 50.2, 0.1)]],
      [],
      [[square(36.123456789, 48.5, 0.25)], [square(37, 47, 0.5 / 3)]],
    ];
    const file = encodeFlatFile({ magic: 'test', note: 'π ≠ 3' }, mps);
    const path = join(dir, 'a.bin');
    writeFileSync(path, file);
    const lazy = new LazyFlatFile<{ magic: string; note: string }>(path, 'a.bin');
    assert.equal(lazy.header.note, 'π ≠ 3');
    assert.equal(lazy.count, 3);
    const whole = decodeFlatFile(file, 'a.bin').mps;
    // the last part first: each is read from its own offset
    for (const i of [2, 0, 1]) assert.deepEqual(lazy.get(i), whole[i]);
    assert.deepEqual(lazy.get(2), mps[2]);
    assert.equal(lazy.get(0), lazy.get(0), 'read once, then kept');
    writeFileSync(path, file.subarray(0, file.length - 8));
    // the header alone still reads; the first part asked for finds the coordinates cut short
    const cut = new LazyFlatFile<{ note: string }>(path, 'a.bin');
    assert.equal(cut.header.note, 'π ≠ 3');
    assert.throws(() => cut.get(0), /a\.bin: the coordinates do not match the header/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
