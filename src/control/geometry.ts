/**
 * Control geometry: which ground each side controls on a date, as polygons and the front line,
 * cut into the engine's 0.5° cells.
 *
 * A cell's geometry depends only on the pieces of the snapshot's polygons inside it, so it is
 * keyed by their hashes (the same key the area figures use) and computed once for the whole
 * history. Consecutive snapshots share almost every key: a change between two dates touches only
 * the cells whose keys differ, and a map moving along the timeline needs only the new cells.
 *
 * Computed cells are stored in the database (table control_cells) with coordinates rounded to
 * 1e-7° (about 1 cm), which keeps them small; the rounding moves an area by well under 1 m² per
 * kilometre of outline.
 */
import { createHash } from 'node:crypto';
import { decodeFlatCollection, encodeFlatCollection, type FlatPart } from '../geometry/codec.js';
import type { MultiPolygon } from '../geometry/flat.js';
import type { Store, SnapshotRow } from '../store/sqlite.js';
import { RUSSIA_CELL, type CellControl, type ControlEngine, type SnapshotCells } from './engine.js';

/** What control geometry needs from the figure service: the engine, a snapshot's cells, the model fingerprint. */
export interface TerritoryProvider {
  getEngine(): Promise<ControlEngine>;
  /** The snapshot's cells and keys (features with a stored index are not cut). */
  snapshotCells(snapshot: SnapshotRow): Promise<SnapshotCells>;
  /** Stores the indexes of the features cut since the last call (inside the caller's transaction). */
  saveFreshIndexes(): void;
  model(source: string): string;
  /** The snapshot's cell keys (base64), if stored. */
  storedCellKeys(snapshot: SnapshotRow): { id: number; key: string }[] | undefined;
  /** Stores the snapshot's cell keys. */
  saveCellKeys(snapshot: SnapshotRow, cells: SnapshotCells): void;
  /** Cells (base64 keys) recorded as holding no front when their figures were computed. */
  frontFree(source: string): Set<string>;
  /** Cells' ground as their figures computed it (control/ground-store.ts), where stored, by key (hex). */
  storedGround(source: string, cells: { cell: number; key: Buffer }[]): Promise<Map<string, CellControl>>;
  /** A cell's measured control totals (km²), if stored; base64 key. */
  controlTotals(source: string, key: string): { other: number; contested: number } | undefined;
}

/** A cell that holds nothing of either side's ground beyond its owner's. */
const EMPTY_CELL: CellControl = { ru: [], ua: [], contested: [], front: [] };

export interface KeyedCell extends CellControl {
  /** Content key (base64url), stable across processes and databases with the same model. */
  key: string;
  /** Cell id, or RUSSIA_CELL for the ground inside Russia. */
  cell: number;
}

/** A snapshot's control as cell keys: the cells in Ukraine holding any RU or contested ground, then Russia's. */
export interface SnapshotControl {
  cells: { cell: number; key: string }[];
}

/** Version of what a cell holds (its front-line rule); part of the storage key with the model. */
export const CELL_GEOMETRY_VERSION = 'front-margin-2km-exact/gaps-0.2km/v3';
/** Model suffix of cells stored without their front (by `change`). */
const GROUND_ONLY = 'ground-only';

/** The model stored cells are keyed under: the control model and the cell geometry version. */
export const cellGeometryModel = (model: string): string => `${model}|${CELL_GEOMETRY_VERSION}`;

/** A cell key as stored and hashed (base64) in the form the API and the map use (base64url). */
export const toUrl = (b64: string): string => b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
/** A cell key (base64url) as the bytes the database stores. */
export const fromUrl = (k: string): Buffer => Buffer.from(k.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

export function encodeCell(c: CellControl): Buffer {
  return encodeFlatCollection([
    { type: 'MultiPolygon', polygons: c.ru },
    { type: 'MultiPolygon', polygons: c.ua },
    { type: 'MultiPolygon', polygons: c.contested },
    { type: 'MultiLineString', lines: c.front },
  ]);
}

export function decodeCell(blob: Buffer): CellControl {
  const [ru, ua, contested, front] = decodeFlatCollection(blob);
  const mp = (p: FlatPart | undefined): MultiPolygon => (p?.type === 'MultiPolygon' ? p.polygons : []);
  return { ru: mp(ru), ua: mp(ua), contested: mp(contested), front: front?.type === 'MultiLineString' ? front.lines : [] };
}

export class ControlGeometry {
  /** Decoded cells of this process, by model and key. */
  private readonly memory = new Map<string, CellControl>();
  private readonly writable: boolean;

  constructor(private readonly store: Store, private readonly territory: TerritoryProvider) {
    this.writable = !store.db.readonly;
  }

  /**
   * The snapshot's cells with their keys, computing and storing the geometry of any cell not yet
   * known. Cells without RU or contested ground are left out (they are wholly their owner's).
   */
  async snapshotControl(snapshot: SnapshotRow): Promise<SnapshotControl> {
    const cells = await this.cellsOf(snapshot);
    return { cells: cells.map((c) => ({ cell: c.cell, key: c.key })) };
  }

  /** The snapshot's cells with their geometry. */
  cellsOf(snapshot: SnapshotRow): Promise<KeyedCell[]> {
    return this.someCellsOf(snapshot, () => true);
  }

  /**
   * The snapshot's cells that hold front, with their geometry. Cells recorded as holding none
   * when their figures were computed (most: wholly RU, or RU up to a coast or the border) are
   * neither read nor computed.
   */
  async frontCellsOf(snapshot: SnapshotRow): Promise<KeyedCell[]> {
    const free = this.territory.frontFree(snapshot.source);
    return (await this.someCellsOf(snapshot, (key) => !free.has(key))).filter((c) => c.front.length);
  }

  /** The snapshot's cells whose base64 key passes `wanted` (the ground in Russia always does). */
  private async someCellsOf(snapshot: SnapshotRow, wanted: (key: string) => boolean): Promise<KeyedCell[]> {
    const model = cellGeometryModel(this.territory.model(snapshot.source));
    // fast path: keys stored with the figures, geometry stored here: no polygon is cut again
    const stored = this.territory.storedCellKeys(snapshot)?.filter((c) => c.id === RUSSIA_CELL || wanted(c.key));
    if (stored) {
      const out: KeyedCell[] = [];
      for (const c of stored) {
        const key = toUrl(c.key);
        const control = this.lookup(model, key);
        if (!control) break;
        out.push({ key, cell: c.id, ...control });
      }
      if (out.length === stored.length) return out;
    }
    const engine = await this.territory.getEngine();
    const snapshotCells = await this.territory.snapshotCells(snapshot);
    const { russia } = snapshotCells;
    const cells = snapshotCells.cells.filter((e) => wanted(e.key));
    // cells the figures measured empty are stored empty, without cutting or computing anything;
    // the pieces of every other cell to compute are cut together (each feature once)
    const missing = cells.filter((e) => !this.lookup(model, toUrl(e.key)));
    const empty = new Set(missing.filter((e) => this.measuredEmpty(snapshot.source, e.key)).map((e) => e.key));
    engine.preparePieces(missing.filter((e) => !empty.has(e.key)));
    const fresh = missing.map((e) => ({ key: toUrl(e.key), blob: encodeCell(empty.has(e.key) ? EMPTY_CELL : engine.cellControl(e)) }));
    if (russia && !this.lookup(model, toUrl(russia.key))) {
      const control = this.measuredEmpty(snapshot.source, russia.key) ?? engine.russiaControl(russia);
      fresh.push({ key: toUrl(russia.key), blob: encodeCell(control) });
    }
    // a fresh cell is used as it will be read back (rounded), so no answer depends on whether
    // its cells were computed now or stored before
    for (const f of fresh) this.memory.set(`${model}|${f.key}`, decodeCell(f.blob));
    const out: KeyedCell[] = cells.map((e) => ({ key: toUrl(e.key), cell: e.id, ...this.lookup(model, toUrl(e.key))! }));
    if (russia) out.push({ key: toUrl(russia.key), cell: RUSSIA_CELL, ...this.lookup(model, toUrl(russia.key))! });
    this.write(() => {
      this.insertCells(model, fresh);
      this.territory.saveCellKeys(snapshot, snapshotCells);
      this.territory.saveFreshIndexes();
    });
    return out;
  }

  /**
   * The cells whose content differs between two snapshots, from each of them: all that `change`
   * needs (`wanted`: of those, the ones it has no transitions for). Cells with the same key in
   * both are not looked at. A differing cell that is not stored yet is computed without its
   * front (unused by `change`, and most of a cell's time) and stored as such under a model of
   * its own; its ground is the very ground of the full cell. The snapshots' cell keys are stored
   * too, so asking again cuts and computes nothing.
   */
  async differingCells(a: SnapshotRow, b: SnapshotRow, wanted: (cell: number, keyA: string | undefined, keyB: string | undefined) => boolean = () => true): Promise<[KeyedCell[], KeyedCell[]]> {
    const [ka, kb] = [await this.keysOf(a), await this.keysOf(b)];
    const differs = new Set<number>();
    for (const [id, key] of ka.keys) if (kb.keys.get(id) !== key) differs.add(id);
    for (const [id, key] of kb.keys) if (ka.keys.get(id) !== key) differs.add(id);
    const ids = [...differs].filter((id) => wanted(id, ka.keys.get(id), kb.keys.get(id))).sort((x, y) => x - y);
    return [await this.groundOf(a, ka, ids), await this.groundOf(b, kb, ids)];
  }

  /**
   * A snapshot's cell keys (base64url): stored ones, else from cutting its polygons (kept, to
   * compute cells from), and then stored, so that the next query of the date cuts nothing.
   */
  private async keysOf(snapshot: SnapshotRow): Promise<{ keys: Map<number, string>; cut?: SnapshotCells }> {
    const stored = this.territory.storedCellKeys(snapshot);
    if (stored) return { keys: new Map(stored.map((c) => [c.id, toUrl(c.key)])) };
    const cut = await this.cut(snapshot);
    this.write(() => {
      this.territory.saveCellKeys(snapshot, cut.cut);
      this.territory.saveFreshIndexes();
    });
    return cut;
  }

  private async cut(snapshot: SnapshotRow): Promise<{ keys: Map<number, string>; cut: SnapshotCells }> {
    const cut = await this.territory.snapshotCells(snapshot);
    const keys = new Map(cut.cells.map((e) => [e.id, toUrl(e.key)]));
    if (cut.russia) keys.set(RUSSIA_CELL, toUrl(cut.russia.key));
    return { keys, cut };
  }

  private async groundOf(snapshot: SnapshotRow, k: { keys: Map<number, string>; cut?: SnapshotCells }, ids: number[]): Promise<KeyedCell[]> {
    const model = cellGeometryModel(this.territory.model(snapshot.source));
    // cells without their front are stored apart, so that nothing taking a stored cell for a full one gets one
    const groundModel = `${model}|${GROUND_ONLY}`;
    const out: KeyedCell[] = [];
    const fresh: { key: string; blob: Buffer }[] = [];
    const known = new Map<number, CellControl>();
    // first the ground every import stores with the figures, read in a few queries (any stored
    // form of a cell holds the very same ground: this one, a full cell's, a ground-only cell's)
    const keyed = ids.filter((id) => k.keys.has(id)).map((id) => ({ cell: id, key: fromUrl(k.keys.get(id)!) }));
    if (keyed.length) {
      const stored = await this.territory.storedGround(snapshot.source, keyed);
      for (const { cell, key } of keyed) {
        const control = stored.get(key.toString('hex'));
        if (control) known.set(cell, control);
      }
    }
    for (const id of ids) {
      const key = k.keys.get(id);
      if (key === undefined || known.has(id)) continue;
      const control = this.lookup(model, key) ?? this.lookup(groundModel, key) ?? this.measuredEmpty(snapshot.source, fromUrl(key).toString('base64'));
      if (control) known.set(id, control);
    }
    const toCompute = ids.filter((id) => k.keys.has(id) && !known.has(id));
    if (toCompute.length) {
      const engine = await this.territory.getEngine();
      const cut = k.cut ?? (await this.cut(snapshot)).cut;
      const entries = new Map(cut.cells.map((e) => [e.id, e]));
      // the pieces of every cell to compute, cut together (each feature once)
      engine.preparePieces(toCompute.filter((id) => id !== RUSSIA_CELL).map((id) => entries.get(id)!));
      for (const id of toCompute) {
        const key = k.keys.get(id)!;
        const blob = encodeCell(id === RUSSIA_CELL ? engine.russiaControl(cut.russia!, { front: false }) : engine.cellControl(entries.get(id)!, { front: false }));
        const control = decodeCell(blob); // rounded, as a stored cell is
        this.memory.set(`${groundModel}|${key}`, control);
        fresh.push({ key, blob });
        known.set(id, control);
      }
    }
    for (const id of ids) {
      const control = known.get(id);
      if (control) out.push({ key: k.keys.get(id)!, cell: id, ...control });
    }
    if (fresh.length) {
      this.write(() => {
        this.insertCells(groundModel, fresh);
        this.territory.saveFreshIndexes();
      });
    }
    return out;
  }

  /**
   * An empty cell when the figures measured none of its ground (most often the ground in Russia,
   * whose slivers along the border are all removed): nothing to cut or compute for it. `key`:
   * base64, as the figures store it.
   */
  private measuredEmpty(source: string, key: string): CellControl | undefined {
    const t = this.territory.controlTotals(source, key);
    return t && t.other === 0 && t.contested === 0 ? EMPTY_CELL : undefined;
  }

  /** Writes held back by writingOnce, if one is running. */
  private pending?: (() => void)[];

  /** Stores something now, in a transaction of its own, or at the end of the running writingOnce. */
  private write(fn: () => void): void {
    if (!this.writable) return;
    if (this.pending) this.pending.push(fn);
    else this.store.transaction(fn);
  }

  /**
   * Runs `work` with every write this geometry makes meanwhile held back, then makes them, with
   * `more`, in one transaction: one commit (one sync to disk) for a whole `change` instead of
   * one per date and one for its transitions. If `work` fails nothing is written, as nothing
   * stored is needed for an answer.
   */
  async writingOnce<T>(work: () => Promise<T>, more: () => void): Promise<T> {
    const pending: (() => void)[] = [];
    this.pending = pending;
    try {
      const out = await work();
      if (this.writable) this.store.transaction(() => { for (const w of pending) w(); more(); });
      return out;
    } finally {
      this.pending = undefined;
    }
  }

  /** Stores encoded cells under a model (inside the caller's transaction). */
  private insertCells(model: string, cells: { key: string; blob: Buffer }[]): void {
    for (const c of cells) this.store.putControlCell(model, fromUrl(c.key), c.blob);
  }

  /**
   * Computes and stores the snapshot's cells unless all are stored already (checked without
   * decoding any), so that preparing the whole history a second time costs almost nothing.
   */
  async ensureStored(snapshot: SnapshotRow): Promise<void> {
    const model = cellGeometryModel(this.territory.model(snapshot.source));
    const stored = this.territory.storedCellKeys(snapshot);
    if (stored) {
      if (stored.every((c) => this.store.hasControlCell(model, Buffer.from(c.key, 'base64')))) return;
    }
    await this.cellsOf(snapshot);
  }

  /** Stored cells by key (for clients that already hold a snapshot's key list); unknown keys are absent. */
  cells(source: string, keys: string[]): Map<string, CellControl> {
    const model = cellGeometryModel(this.territory.model(source));
    const out = new Map<string, CellControl>();
    for (const k of keys) {
      const c = this.lookup(model, k);
      if (c) out.set(k, c);
    }
    return out;
  }

  private lookup(model: string, key: string): CellControl | undefined {
    const m = `${model}|${key}`;
    let c = this.memory.get(m);
    if (c) return c;
    const data = this.store.controlCell(model, fromUrl(key));
    if (!data) return undefined;
    c = decodeCell(data);
    this.memory.set(m, c);
    return c;
  }
}

/** A stable fingerprint of a list of cell keys (for ETags). */
export function keysDigest(keys: string[]): string {
  return toUrl(createHash('sha1').update(keys.join(',')).digest('base64'));
}
