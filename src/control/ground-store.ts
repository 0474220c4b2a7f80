/**
 * Every cell's ground, stored as its figures computed it: what a `change` between any two dates
 * reads instead of cutting the snapshots' polygons into cells again.
 *
 * A cell's ground is the other side's ground in it (RU in a Ukrainian cell, UA in Russia) and the
 * contested ground, rounded to the stored 1e-7° grid, exactly as control/geometry.ts stores a
 * cell. Each version is coded against the version of the same cell that was stored before it and
 * against the land it is cut to (geometry/ring-diff.ts): the whole history's ground, 6,300 cell
 * versions, takes 2.1 MB instead of 10.5. A version names its base; reading one reads its chain of
 * bases, at most MAX_DEPTH long: every ninth version is coded against the land alone. Chains of
 * 16 saved 0.3 MB and cost 10 ms more of the widest change's reads; chains of 4 cost 0.5 MB more
 * and saved nothing.
 *
 * Layout: [format 1][base key length, 0 or 20][base key][depth][rings: other, contested].
 */
import { createHash } from 'node:crypto';
import { SCALE } from '../geometry/codec.js';
import type { MultiPolygon } from '../geometry/flat.js';
import { readRings, writeRings, type IntMultiPolygon, type IntRing } from '../geometry/ring-diff.js';
import { ByteReader, ByteWriter } from '../util/bytes.js';
import type { Store } from '../store/sqlite.js';
import { RUSSIA_CELL, type CellControl } from './engine.js';

const FORMAT = 1;
/** Versions coded against a base, at most, before one is coded against the land alone. */
export const MAX_DEPTH = 8;
/**
 * The longest chain of bases read: a guard against a cycle in damaged data, not the depth this
 * code writes (a database written with a deeper MAX_DEPTH still reads).
 */
const READ_DEPTH_LIMIT = 64;
/** Version of what a stored ground holds and how; part of its model. */
export const GROUND_VERSION = 'ground-diff/v1';

/** A cell's ground as its figures computed it (before rounding). */
export interface FreshGround { cell: number; key: string; other: MultiPolygon; contested: MultiPolygon }

interface Version { layers: IntMultiPolygon[]; depth: number }

const toInt = (mp: MultiPolygon): IntMultiPolygon => mp.map((poly) => poly.map((ring) => {
  const out = new Int32Array(ring.length);
  for (let i = 0; i < ring.length; i++) out[i] = Math.round(ring[i]! * SCALE);
  return out;
}));

const toFloat = (mp: IntMultiPolygon): MultiPolygon => mp.map((poly) => poly.map((ring) => {
  const out = new Float64Array(ring.length);
  for (let i = 0; i < ring.length; i++) out[i] = ring[i]! / SCALE;
  return out;
}));

/** The rings a version is coded against: its base's, then the land's (`land`: landRings). */
function referenceRings(base: Version | undefined, land: IntRing[]): IntRing[] {
  return base ? [...base.layers.flat(2), ...land] : land;
}

interface Header { base?: Buffer; depth: number; reader: ByteReader }
/** A stored version as read, its header parsed once (undefined: not a version this code reads). */
interface Row { data: Buffer; h: Header | undefined }

/** A stored version's header, with a reader at its rings (undefined: not a version this code reads). */
function header(data: Buffer): Header | undefined {
  const r = new ByteReader(data);
  if (r.uvarint() !== FORMAT) return undefined;
  const baseLength = r.uvarint();
  if ((baseLength !== 0 && baseLength !== 20) || r.off + baseLength > data.length) return undefined;
  const base = baseLength ? data.subarray(r.off, r.off + baseLength) : undefined;
  r.off += baseLength;
  return { base, depth: r.uvarint(), reader: r };
}

/** Ground as control/geometry.ts gives a cell without its front. */
function asControl(cell: number, layers: IntMultiPolygon[]): CellControl {
  const [other, contested] = [toFloat(layers[0] ?? []), toFloat(layers[1] ?? [])];
  return cell === RUSSIA_CELL ? { ru: [], ua: other, contested, front: [] } : { ru: other, ua: [], contested, front: [] };
}

/** The stored ground of one control model: read (with the chains it needs) and written. */
export class GroundStore {
  private readonly modelKey: Buffer;
  /** Versions this process has read, by key (hex): a base that several versions share is decoded once. */
  private readonly versions = new Map<string, Version>();
  /** The last version written per cell: the next one of the cell is coded against it. */
  private readonly heads = new Map<number, { key: Buffer; version: Version }>();

  /**
   * `land`: the land a cell is cut to (none for the ground in Russia), as the engine cuts it.
   * `maxDepth`: how many versions may be coded against a base in a row (tests write deeper chains).
   */
  constructor(private readonly store: Store, model: string, private readonly land: (cell: number) => MultiPolygon, private readonly maxDepth = MAX_DEPTH) {
    this.modelKey = createHash('sha1').update(`${model}|${GROUND_VERSION}`).digest().subarray(0, 8);
  }

  /** Per cell, the land's rings that versions are coded against (rings too small to copy from left out). */
  private readonly landRings = new Map<number, IntRing[]>();
  private landOf(cell: number): IntRing[] {
    let l = this.landRings.get(cell);
    if (!l) this.landRings.set(cell, (l = cell === RUSSIA_CELL ? [] : toInt(this.land(cell)).flat().filter((r) => r.length >= 8)));
    return l;
  }

  /**
   * Cells' stored ground (keys: 20 bytes), by key (hex); a cell that is not stored or cannot be
   * read back is left out. The versions and their chains of bases are read a level at a time,
   * each level in one query: a change needs a few hundred versions.
   */
  grounds(cells: { cell: number; key: Buffer }[]): Map<string, CellControl> {
    const rows = new Map<string, Row>();
    let wanted = cells.map((c) => c.key).filter((k) => !this.versions.has(k.toString('hex')));
    for (let level = 0; wanted.length && level <= READ_DEPTH_LIMIT; level++) {
      const bases: Buffer[] = [];
      for (const [hex, data] of this.store.cellGrounds(this.modelKey, wanted)) {
        const h = header(data);
        rows.set(hex, { data, h });
        const base = h?.base;
        if (base && !rows.has(base.toString('hex')) && !this.versions.has(base.toString('hex'))) bases.push(base);
      }
      wanted = bases;
    }
    const out = new Map<string, CellControl>();
    for (const { cell, key } of cells) {
      const v = this.version(cell, key.toString('hex'), rows);
      if (v) out.set(key.toString('hex'), asControl(cell, v.layers));
    }
    return out;
  }

  /** A version, from this process's memory or the rows read (undefined: missing or damaged). */
  private version(cell: number, hex: string, rows: Map<string, Row>, depth = 0): Version | undefined {
    let v = this.versions.get(hex);
    if (v) return v;
    const { data, h } = rows.get(hex) ?? {};
    if (!data || !h || depth > READ_DEPTH_LIMIT) return undefined;
    let base: Version | undefined;
    if (h.base) {
      base = this.version(cell, h.base.toString('hex'), rows, depth + 1);
      if (!base) return undefined; // a base lost (or damaged): the cell is computed instead
    }
    try {
      v = { layers: readRings(h.reader, referenceRings(base, this.landOf(cell)), data.length), depth: h.depth };
    } catch {
      return undefined;
    }
    this.versions.set(hex, v);
    return v;
  }

  /**
   * Codes a freshly computed ground against the cell's last version (this process's, else the
   * stored head) and returns what to store; undefined when it cannot be coded (a ring GEOS gave
   * open), in which case nothing is stored and the cell is computed when asked for.
   */
  encode(g: FreshGround): { cell: number; key: Buffer; data: Buffer } | undefined {
    const key = Buffer.from(g.key, 'base64');
    const layers = [toInt(g.other), toInt(g.contested)];
    let head = this.heads.get(g.cell);
    if (!head) {
      const stored = this.store.cellGroundHead(this.modelKey, g.cell);
      if (stored && this.grounds([{ cell: g.cell, key: stored }]).size) head = { key: stored, version: this.versions.get(stored.toString('hex'))! };
    }
    const base = head && head.version.depth < this.maxDepth ? head : undefined;
    const w = new ByteWriter(256);
    w.uvarint(FORMAT);
    w.uvarint(base ? base.key.length : 0);
    if (base) w.bytes(base.key);
    const depth = base ? base.version.depth + 1 : 0;
    w.uvarint(depth);
    try {
      writeRings(w, layers, referenceRings(base?.version, this.landOf(g.cell)));
    } catch {
      return undefined;
    }
    // only the cell's last version is kept: an import codes thousands, and reads none back
    this.heads.set(g.cell, { key, version: { layers, depth } });
    return { cell: g.cell, key, data: w.result() };
  }

  /** Stores encoded grounds (inside the caller's transaction). */
  save(rows: { cell: number; key: Buffer; data: Buffer }[]): void {
    for (const r of rows) this.store.putCellGround(this.modelKey, r.cell, r.key, r.data);
  }
}
