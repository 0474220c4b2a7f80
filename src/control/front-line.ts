/**
 * The front line inside one cell (or around the ground in Russia): RU's outline, with gaps
 * narrower than FRONT_GAP_KM closed, where it meets UA or contested ground — that is, away from
 * the cell's edges and farther than FRONT_OUTLINE_MARGIN_KM from the country's outline (coasts,
 * lakes, international borders). The control engine calls it with a cell's ground.
 */
import type { Geom, Scope } from '../geometry/geos.js';
import type { BBox, Line, MultiPolygon } from '../geometry/flat.js';
import { SegmentIndex, partsFartherThan } from '../geometry/segment-distance.js';

/**
 * Outline of RU ground closer than this to a country's outline (coast, international border) is
 * not front. Drawings stop short of coasts and borders by up to a few hundred metres in many
 * places (the same overruns and gaps as the slivers across borders), and the thin strip left
 * between drawing and outline is not a line of contact. 2 km is the sliver width in Russia (twice
 * SLIVER_RADIUS_KM); a real front loses at most this much where it meets a border.
 */
export const FRONT_OUTLINE_MARGIN_KM = 2;
/**
 * Gaps in RU ground narrower than this are not front. DeepStateMap often draws the occupied area
 * as several polygons that nearly touch, leaving thin strips of "UA ground" between them (and
 * small holes): drawing artefacts, almost all under 100 m wide, most of them hairlines where two
 * polygons' edges do not quite coincide. Taken literally, both sides of every such strip are front
 * (some 60 km on 1 September 2024 and on 13 March 2025, 120 km on 1 June 2022). The front is
 * therefore measured on RU ground with its gaps closed: RU ∪ closing(RU) by FRONT_GAP_KM / 2
 * (dilate, then erode, in a local frame in km). A gap's two sides drop out and its mouths are
 * bridged; UA or contested ground at least this wide (salients, pockets, grey-zone wedges, which
 * are 300 m wide and more) keeps its front, and RU's inner corners are rounded by at most
 * FRONT_GAP_KM / 2. Areas are not affected.
 * It is done cell by cell, so a gap lying along a cell edge, with RU ground on both sides in
 * different cells, is not closed. On the dates checked the effect does not show: the cells remove
 * the same length as a closing of the whole snapshot (bench/reference/change_front.py) to within
 * 0.5 km, under 0.1% of the front.
 */
export const FRONT_GAP_KM = 0.2;
/**
 * Segments per quarter circle of the closing's buffers: their arcs are then within 0.5 m of the
 * circle of radius FRONT_GAP_KM / 2, far below what a closed gap's mouth adds to the front.
 */
const CLOSING_QUADRANT_SEGMENTS = 8;
/** Cell edges are not front either: lines within ~10 cm of them are cut away. */
const CELL_EDGE_TOLERANCE_DEG = 1e-6;
/** Outline this far beyond a box still counts for lines in it: in degrees, at least FRONT_OUTLINE_MARGIN_KM up to 65° of latitude. */
export const OUTLINE_MARGIN_DEG = 0.05;

const KM_PER_DEG_LAT = 110.574;
const KM_PER_DEG_LON_EQ = 111.32;

/** A local equirectangular frame in km about a latitude: exact enough for thresholds of a few km. */
interface Frame { fx: number; fy: number }
const frameAt = (lat: number): Frame => ({ fx: KM_PER_DEG_LON_EQ * Math.cos((lat * Math.PI) / 180), fy: KM_PER_DEG_LAT });

function scaleLines(lines: Line[], ax: number, ay: number): Line[] {
  return lines.map((l) => {
    const out = new Float64Array(l.length);
    for (let i = 0; i < l.length; i += 2) { out[i] = l[i]! * ax; out[i + 1] = l[i + 1]! * ay; }
    return out;
  });
}

const scaleMultiPolygon = (mp: MultiPolygon, ax: number, ay: number): MultiPolygon => mp.map((poly) => scaleLines(poly, ax, ay));

/**
 * The stretches of a multipolygon's rings that do not run along the box's edges (within `tol`).
 * For a country's cell, these are its coasts, lakes and borders inside the cell (the edges are
 * where the cut made them); for RU ground in a cell, the outline that may be front.
 */
export function offBoxEdges(mp: MultiPolygon, b: BBox, tol: number): Line[] {
  const out: Line[] = [];
  for (const poly of mp) {
    for (const ring of poly) {
      let from = -1; // start of the current stretch (index into the ring), if any
      for (let i = 0; i + 3 < ring.length; i += 2) {
        const edge = onBoxEdge(ring[i]!, ring[i + 1]!, ring[i + 2]!, ring[i + 3]!, b, tol);
        if (!edge && from < 0) from = i;
        if (edge && from >= 0) {
          out.push(ring.subarray(from, i + 2));
          from = -1;
        }
      }
      if (from >= 0) out.push(ring.subarray(from));
    }
  }
  return out;
}

/** A country's outline inside one of its cells: the cell polygon less the edges the cut made. */
export const outlineInCell = (cell: MultiPolygon, b: BBox): Line[] => offBoxEdges(cell, b, 1e-9);

/** The stretches of lines made of segments whose bounding box meets `b`: enough for distances within the box. */
export function segmentsNear(lines: Line[], b: BBox): Line[] {
  const out: Line[] = [];
  for (const l of lines) {
    let from = -1;
    for (let i = 0; i + 3 < l.length; i += 2) {
      const meets = Math.max(l[i]!, l[i + 2]!) >= b.minX && Math.min(l[i]!, l[i + 2]!) <= b.maxX
        && Math.max(l[i + 1]!, l[i + 3]!) >= b.minY && Math.min(l[i + 1]!, l[i + 3]!) <= b.maxY;
      if (meets && from < 0) from = i;
      if (!meets && from >= 0) {
        out.push(l.subarray(from, i + 2));
        from = -1;
      }
    }
    if (from >= 0) out.push(from === 0 ? l : l.subarray(from));
  }
  return out;
}

/** Whether a segment lies along one of the box's edges (within `tol`). */
function onBoxEdge(x0: number, y0: number, x1: number, y1: number, b: BBox, tol: number): boolean {
  const near = (a: number, v: number) => Math.abs(a - v) <= tol;
  return (near(x0, b.minX) && near(x1, b.minX)) || (near(x0, b.maxX) && near(x1, b.maxX))
    || (near(y0, b.minY) && near(y1, b.minY)) || (near(y0, b.maxY) && near(y1, b.maxY));
}

/**
 * A country's outline near a box, indexed for distances in a local equirectangular frame (km)
 * about the box's middle latitude: across a cell, the frame's scale is off by under 0.5%, some
 * 10 m on the 2 km margin (around the ground in Russia, a box of a degree or two, by a few per
 * cent, as the frame about the lines' mean latitude was before).
 */
export class OutlineNear {
  private readonly frame: Frame;
  private built?: SegmentIndex;

  constructor(private readonly outline: Line[], b: BBox) {
    this.frame = frameAt((b.minY + b.maxY) / 2);
  }

  get empty(): boolean {
    return !this.outline.length;
  }

  /** The parts of lines (in degrees) farther than `km` from the outline (with `firstOnly`, the first such part). */
  fartherThan(lines: Line[], km: number, firstOnly = false): Line[] {
    if (!this.outline.length) return lines;
    const { fx, fy } = this.frame;
    // built on first use: most cells with RU ground have no outline of it to test
    this.built ??= new SegmentIndex(this.outline, FRONT_OUTLINE_MARGIN_KM * 1.5, fx, fy);
    return scaleLines(partsFartherThan(scaleLines(lines, fx, fy), this.built, km, firstOnly), 1 / fx, 1 / fy);
  }
}

/** The parts of `lines` farther than FRONT_OUTLINE_MARGIN_KM from the outline, merged. */
export function awayFromOutline(s: Scope, lines: Geom, outline: OutlineNear): Line[] {
  const all = s.toLines(lines);
  if (!all.length) return [];
  if (outline.empty) return s.toLines(s.lineMerge(lines));
  const away = outline.fartherThan(all, FRONT_OUTLINE_MARGIN_KM);
  return away.length ? s.toLines(s.lineMerge(s.lines(away))) : [];
}

/**
 * Whether RU ground in a cell can have any front at all: some stretch of its outline, off the
 * cell's edges, lies farther than FRONT_OUTLINE_MARGIN_KM − FRONT_GAP_KM / 2 from the country's
 * outline. Closing the gaps moves RU's outline by at most FRONT_GAP_KM / 2, so when none does,
 * the front is empty and the closing (most of a cell's cost) need not be done. Most cells with
 * RU ground are like that: wholly RU, or RU up to a coast or the border.
 */
export function mayHaveFront(ru: MultiPolygon, b: BBox, outline: OutlineNear): boolean {
  const candidates = offBoxEdges(ru, b, CELL_EDGE_TOLERANCE_DEG);
  // 10 m of slack for the buffers' approximations
  return candidates.length > 0 && outline.fartherThan(candidates, FRONT_OUTLINE_MARGIN_KM - FRONT_GAP_KM / 2 - 0.01, true).length > 0;
}

/**
 * The front inside a Ukrainian cell: RU's outline (gaps closed) off the cell's edges and away
 * from the country's outline.
 */
export function frontInCell(s: Scope, ru: MultiPolygon, b: BBox, outline: OutlineNear): Line[] {
  const edges = s.boundary(s.from([[Float64Array.of(b.minX, b.minY, b.maxX, b.minY, b.maxX, b.maxY, b.minX, b.maxY, b.minX, b.minY)]]));
  const lines = s.difference(s.boundary(closeGaps(s, ru, (b.minY + b.maxY) / 2)), s.buffer(edges, CELL_EDGE_TOLERANCE_DEG, 1));
  return awayFromOutline(s, lines, outline);
}

/**
 * RU ground with its gaps narrower than FRONT_GAP_KM closed: `ru` ∪ closing(`ru`) by half that
 * width, the closing done in a local equirectangular frame (km) about latitude `lat`. The union
 * keeps RU's own outline exactly where the closing adds nothing (the buffers' arcs are polygons).
 */
function closeGaps(s: Scope, ru: MultiPolygon, lat: number): Geom {
  const { fx, fy } = frameAt(lat);
  const r = FRONT_GAP_KM / 2;
  const closed = s.buffer(s.buffer(s.from(scaleMultiPolygon(ru, fx, fy)), r, CLOSING_QUADRANT_SEGMENTS), -r, CLOSING_QUADRANT_SEGMENTS);
  const back = scaleMultiPolygon(s.toMultiPolygon(closed), 1 / fx, 1 / fy);
  // the union can come back as a collection holding a stray line where edges touch: keep the area
  return back.length ? s.from(s.toMultiPolygon(s.union(s.from(ru), s.from(back)))) : s.from(ru);
}
