/**
 * Data-quality flags. Real histories are uneven: in 2022 DeepStateMap snapshots often leave out
 * the areas held before 2022, so the Russian-held total halves and recovers within days. Such a
 * snapshot is flagged, never smoothed or dropped: its figures still show, with the flag beside them.
 *
 * Rule (v1): compare each snapshot's RU-held area in Ukraine with the median of the snapshots
 * within ±WINDOW_DAYS of it (itself excluded); a deviation above MAX_DEVIATION is implausible for
 * a front that moves by at most a few percent a week, and the snapshot is flagged.
 */
export const WINDOW_DAYS = 14;
export const MAX_DEVIATION = 0.1;

export interface QualityInput {
  id: number;
  time: string;
  value: number;
}

export function detectImplausible(series: QualityInput[]): Map<number, string> {
  const flags = new Map<number, string>();
  const times = series.map((s) => Date.parse(s.time));
  const window = WINDOW_DAYS * 86_400_000;
  let lo = 0, hi = 0;
  for (let i = 0; i < series.length; i++) {
    while (times[lo]! < times[i]! - window) lo++;
    while (hi < series.length && times[hi]! <= times[i]! + window) hi++;
    const neighbours: number[] = [];
    for (let j = lo; j < hi; j++) if (j !== i) neighbours.push(series[j]!.value);
    if (neighbours.length < 2) continue;
    neighbours.sort((a, b) => a - b);
    const m = neighbours.length >> 1;
    const median = neighbours.length % 2 ? neighbours[m]! : (neighbours[m - 1]! + neighbours[m]!) / 2;
    const v = series[i]!.value;
    if (median > 0 && Math.abs(v - median) / median > MAX_DEVIATION) {
      const pct = Math.round(((v - median) / median) * 100);
      flags.set(series[i]!.id, `implausible: RU-held area in Ukraine ${Math.round(v)} km² is ${pct > 0 ? '+' : ''}${pct}% against the median ${Math.round(median)} km² of snapshots within ${WINDOW_DAYS} days`);
    }
  }
  return flags;
}
