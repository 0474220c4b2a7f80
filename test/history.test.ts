/**
 * The whole 2022–2025 DeepStateMap history, imported through the CLI as a user would:
 * every polygon classified, the Kursk incursion visible and then gone, no border slivers
 * elsewhere, and a total that moves smoothly, so that nothing is flagged.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { historyDb } from './support/history-db.js';
import { frontline } from './support/cli.js';

interface Area { snapshot: { time: string; flag: string | null }; rows: { region: string; side: string; km2: number }[] }

let db: string;
let importOut: string;
let border: Area[];

before(async () => {
  // the shared whole-history database (test/support/history-db.ts), built through the CLI
  ({ path: db, importOutput: importOut } = await historyDb());
  const s = frontline(['series', '--from', '2022-01-01', '--to', '2025-12-31', '--regions', 'border', '--json', '--db', db]);
  assert.equal(s.code, 0, s.stderr);
  border = JSON.parse(s.stdout) as Area[];
});

const km2 = (a: Area, region: string, side: string): number => a.rows.find((r) => r.region.includes(region) && r.side === side)!.km2;

test('the whole history imports and every polygon name is classified', () => {
  assert.match(importOut, /deepstate: 1359 snapshots added/);
  assert.match(importOut, /0 feature names not classified/);
  assert.equal(border.length, 1359);
});

test('Kursk: ground held by Ukraine appears in August 2024 and has almost vanished by mid-April 2025', () => {
  const kursk = border.map((a) => ({ t: a.snapshot.time, ua: km2(a, 'Kursk', 'UA') }));
  const before = kursk.filter((k) => k.t < '2024-08-01');
  assert.ok(Math.max(...before.map((k) => k.ua)) < 5, 'no Ukrainian-held ground in Kursk Oblast before August 2024');
  const aug = kursk.filter((k) => k.t >= '2024-08-15' && k.t < '2024-09-01');
  assert.ok(aug.length > 0 && aug.every((k) => k.ua > 300), `August 2024: ${aug.map((k) => k.ua).join(', ')}`);
  const peak = Math.max(...kursk.map((k) => k.ua));
  assert.ok(peak > 500 && peak < 1500, `peak ${peak}`);
  const april = kursk.filter((k) => k.t >= '2025-04-15' && k.t < '2025-05-01');
  assert.ok(april.length > 0 && april.every((k) => k.ua < 0.05 * peak), `mid-April 2025: ${april.map((k) => k.ua).join(', ')}`);
});

test('along the rest of the Russian border, slivers stay under 5 km² in total on every date', () => {
  // Drawings of Kharkiv and Sumy oblasts overrun the border into Belgorod and Bryansk oblasts by a
  // few hundred metres (one "liberated" polygon alone by 4.9 km²); none of it may count as held.
  for (const a of border) {
    const ua = km2(a, 'Belgorod', 'UA') + km2(a, 'Bryansk', 'UA');
    assert.ok(ua < 5, `${a.snapshot.time}: ${ua} km² held by Ukraine in Belgorod and Bryansk`);
  }
});

test('contested ground in Belgorod and Bryansk appears only while DeepStateMap drew the cross-border raids', () => {
  // Checked by hand in the data: grey "unknown status" zones at Kozinka/Grayvoron on 22 May 2023,
  // and at Kozinka and east of Belgorod from 12 March to 4 April 2024 (the March 2024 raids), each
  // over 10 km² and kilometres wide: ground the source marks as contested, not slivers.
  const raids = (t: string): boolean => t.startsWith('2023-05-22') || t.startsWith('2023-05-23') || (t >= '2024-03-12' && t < '2024-04-05');
  for (const a of border) {
    const c = km2(a, 'Belgorod', 'contested') + km2(a, 'Bryansk', 'contested');
    if (!raids(a.snapshot.time)) assert.ok(c < 5, `${a.snapshot.time}: ${c} km² contested in Belgorod and Bryansk outside the raids`);
  }
  const during = border.filter((a) => a.snapshot.time.startsWith('2024-03-20'));
  assert.ok(during.length > 0 && during.every((a) => km2(a, 'Belgorod', 'contested') > 20));
});

test('the RU-held total never halves and recovers: no snapshot of this history is implausible', () => {
  // Checked by hand: with Crimea and ORDLO present in every 2022 snapshot, the RU-held area in
  // Ukraine moves between 102,800 and 121,500 km² and never jumps; the detector must stay quiet.
  const all = JSON.parse(frontline(['series', '--from', '2022-01-01', '--to', '2025-12-31', '--json', '--db', db]).stdout) as Area[];
  const ru = all.map((a) => km2(a, 'Ukraine', 'RU'));
  assert.ok(Math.min(...ru) > 100_000 && Math.max(...ru) < 125_000, `range ${Math.min(...ru)}–${Math.max(...ru)}`);
  for (let i = 1; i < ru.length; i++) assert.ok(Math.abs(ru[i]! - ru[i - 1]!) / ru[i - 1]! < 0.05, `${all[i]!.snapshot.time}: ${ru[i - 1]} → ${ru[i]}`);
  const flagged = JSON.parse(frontline(['snapshots', '--flagged', '--json', '--db', db]).stdout) as unknown[];
  assert.equal(flagged.length, 0);
});
