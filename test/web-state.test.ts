/** The web app's URL state and date picking (web/src/state.ts): pure functions, no browser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dateLimit, formatState, parseState, snapshotIndexAt, type ViewState } from '../web/src/state.js';

test('a view survives the round trip through the query string', () => {
  const state: ViewState = { date: '2025-03-13T13:43:18Z', compare: '2024-08-01', view: [7.25, 47.8, 37.6], place: 'Pokrovsk|UA', regions: 'oblasts' };
  const q = formatState(state);
  assert.equal(q, '?date=2025-03-13T13:43:18Z&compare=2024-08-01&map=7.25/47.8000/37.6000&place=Pokrovsk|UA&regions=oblasts');
  assert.deepEqual(parseState(q), state);
  assert.equal(formatState({}), '');
});

test('bad values in a link are ignored, not obeyed', () => {
  assert.deepEqual(parseState('?date=yesterday&compare=2024-13-45&map=99/0/0&regions=../x'), {});
  assert.deepEqual(parseState('?map=7/91/30'), {});
  assert.deepEqual(parseState('?map=7/48/30/1'), {});
  assert.deepEqual(parseState('?date=2024-02-30'), {}); // no such day
});

test('a day means its end, in UTC, as in the CLI; a time means itself', () => {
  assert.equal(new Date(dateLimit('2024-08-01')).toISOString(), '2024-08-01T23:59:59.999Z');
  assert.equal(new Date(dateLimit('2024-08-01T10:00:00Z')).toISOString(), '2024-08-01T10:00:00.000Z');
});

test('the snapshot shown for a date is the latest at or before it', () => {
  const times = ['2022-04-03T12:33:28Z', '2022-04-03T16:46:15Z', '2022-04-05T08:00:00Z', '2022-04-09T00:00:00Z'];
  assert.equal(snapshotIndexAt(times, '2022-04-03'), 1);
  assert.equal(snapshotIndexAt(times, '2022-04-03T16:46:15Z'), 1);
  assert.equal(snapshotIndexAt(times, '2022-04-03T16:46:14Z'), 0);
  assert.equal(snapshotIndexAt(times, '2022-04-04'), 1);
  assert.equal(snapshotIndexAt(times, '2022-04-08'), 2);
  assert.equal(snapshotIndexAt(times, '2030-01-01'), 3);
  assert.equal(snapshotIndexAt(times, '2020-01-01'), 0); // before the history: its first snapshot
});
