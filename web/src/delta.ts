/**
 * The compact form of /control-cells (`format=delta`, schema ControlCellsDelta in /openapi.json)
 * and its decoding into the GeoJSON features the map draws. Pure: no DOM, so the API tests decode
 * real answers with it too.
 *
 * Coordinates are integers in units of 1/scale degree; a ring or line is [x0, y0, dx1, dy1, …],
 * each pair after the first the difference from the point before; a ring leaves out its closing
 * point. Dividing the running sums by scale gives exactly the numbers of the GeoJSON form, which
 * rounds to the same integers.
 */

export type Side = 'RU' | 'UA' | 'contested';

export interface DeltaCell {
  cell: string;
  RU?: number[][][];
  UA?: number[][][];
  contested?: number[][][];
  front?: number[][];
}

export interface DeltaCells { format: 'delta'; scale: number; cells: DeltaCell[] }

/** A decoded feature: the same as the GeoJSON form's feature of the cell and side (or front). */
export type DecodedFeature =
  | { type: 'Feature'; properties: { cell: string; side: Side }; geometry: { type: 'MultiPolygon'; coordinates: number[][][][] } }
  | { type: 'Feature'; properties: { cell: string; kind: 'front' }; geometry: { type: 'MultiLineString'; coordinates: number[][][] } };

const SIDES: readonly Side[] = ['RU', 'UA', 'contested'];

function decodeLine(d: number[], scale: number, closed: boolean): number[][] {
  // pushed, not preallocated: packed arrays, as JSON.parse makes them, for the map's worker
  const out: number[][] = [];
  let x = 0, y = 0;
  for (let i = 0; i + 1 < d.length; i += 2) {
    x += d[i]!;
    y += d[i + 1]!;
    out.push([x / scale, y / scale]);
  }
  if (closed && out.length) out.push([out[0]![0]!, out[0]![1]!]);
  return out;
}

/** The features of one cell, in the GeoJSON form's order: RU, UA, contested, then the front. */
export function decodeCell(c: DeltaCell, scale: number): DecodedFeature[] {
  const out: DecodedFeature[] = [];
  for (const side of SIDES) {
    const mp = c[side];
    if (mp?.length) {
      out.push({
        type: 'Feature',
        properties: { cell: c.cell, side },
        geometry: { type: 'MultiPolygon', coordinates: mp.map((poly) => poly.map((ring) => decodeLine(ring, scale, true))) },
      });
    }
  }
  if (c.front?.length) {
    out.push({
      type: 'Feature',
      properties: { cell: c.cell, kind: 'front' },
      geometry: { type: 'MultiLineString', coordinates: c.front.map((l) => decodeLine(l, scale, false)) },
    });
  }
  return out;
}

/** Every requested cell's features, by key (a cell with nothing to draw has none). */
export function decodeCells(body: DeltaCells): Map<string, DecodedFeature[]> {
  if (body.format !== 'delta' || !(body.scale > 0)) throw new Error(`control cells: not the compact form (format ${JSON.stringify(body.format)}, scale ${JSON.stringify(body.scale)})`);
  return new Map(body.cells.map((c) => [c.cell, decodeCell(c, body.scale)]));
}
