/** The front line as GeoJSON: one LineString per continuous stretch, with its geodesic length. */
import type { SnapshotRow } from '../store/sqlite.js';
import { lineLengthKm } from '../geometry/geodesic.js';
import type { FrontResult, FrontService } from './front.js';

export async function frontGeoJSON(service: FrontService, snapshot: SnapshotRow, result: FrontResult): Promise<unknown> {
  const lines = await service.lines(snapshot);
  const r7 = (x: number): number => Math.round(x * 1e7) / 1e7;
  return {
    type: 'FeatureCollection',
    snapshot: result.snapshot,
    length_km: result.length_km,
    provenance: result.provenance,
    features: lines.map((l) => {
      const coordinates: number[][] = [];
      for (let i = 0; i < l.length; i += 2) coordinates.push([r7(l[i]!), r7(l[i + 1]!)]);
      return { type: 'Feature', geometry: { type: 'LineString', coordinates }, properties: { length_km: Math.round(lineLengthKm(l) * 100) / 100 } };
    }),
  };
}
