/**
 * Boolean operations, validity repair, clipping and buffers on GEOS 3.13 compiled to
 * WebAssembly (geos-wasm, LGPL-3.0-or-later, used unmodified as a library).
 *
 * Why GEOS: it is the engine behind PostGIS and Shapely, robust on the self-touching and
 * spiky rings this data is full of, and has MakeValid, ClipByRect and buffers; see
 * docs/decisions.md for the measurements against the Clipper2 ports.
 *
 * Geometries cross the wasm boundary as flat rings (in) and WKB (out). A `Geom` wraps a
 * GEOS pointer; callers free what they create (`using`-style helpers below keep it short).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CODE_CACHE_FILE, readCodeCache } from './geos-code-cache.js';
import type initGeosJs from 'geos-wasm';
import type { Line, MultiPolygon, Polygon, Ring } from './flat.js';

type GeosModule = Awaited<ReturnType<typeof initGeosJs>>;

let loading: Promise<Geos> | undefined;

/** The process-wide GEOS instance (wasm start-up costs ~100 ms, so it is shared). */
export function getGeos(): Promise<Geos> {
  loading ??= loadGeosWasm().then(({ init }) => startGeos(init));
  return loading;
}

/**
 * A GEOS instance from a loader's init function (a loader module holds one instance). GEOS's
 * error handler records the message and returns: GEOS then cleans up and returns its error value,
 * and the wrapper throws a GeosError. Throwing from the handler itself would unwind GEOS's C++
 * frames without their destructors, and the build's binary catches any exception inside GEOS as
 * a C++ one (scripts/geos-wasm-invokes.mjs).
 */
export async function startGeos(init: typeof initGeosJs): Promise<Geos> {
  const errors: string[] = [];
  return new Geos(await init({ errorHandler: (msg: string) => { errors.push(msg); }, noticeHandler: () => undefined } as never), errors);
}

/**
 * Where the build put geos-wasm's binary apart from its loader (scripts/vendor-geos.mjs): two
 * levels up from this file is the package root, whether it runs from src/ or dist/.
 */
const SPLIT_GEOS_DIR = fileURLToPath(new URL('../../dist/vendor/geos-wasm/', import.meta.url));
/** The globals the split loader reads its binary and a compiled module from (names from scripts/vendor-geos.mjs). */
const SPLIT_GEOS_BINARY = Symbol.for('frontline.geos-wasm.binary');
const SPLIT_GEOS_INSTANTIATE = Symbol.for('frontline.geos-wasm.instantiate');

/** Emscripten's instantiateWasm hook: instantiates `module` and hands the instance to the loader. */
type InstantiateHook = (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => unknown) => WebAssembly.Exports;

export interface GeosLoader {
  init: typeof initGeosJs;
  /** The build's split copy (else the package as shipped). */
  split: boolean;
  /** GEOS's code came from the code cache (src/geometry/geos-code-cache.ts). */
  cached: boolean;
  /** The module, when compiled here (`compile`): the build serializes it. */
  module?: WebAssembly.Module;
}

/**
 * geos-wasm's loader: the build's split copy when there is one (~110 ms faster to start, see
 * scripts/vendor-geos.mjs), with the code the build cached for it when that loads, else the
 * package as shipped. `codeCache: false` (or FRONTLINE_GEOS_CODE_CACHE=0) compiles GEOS as usual;
 * `compile` compiles it here and returns the module too (the build trains and serializes it).
 */
export async function loadGeosWasm(dir = SPLIT_GEOS_DIR, opts: { codeCache?: boolean; compile?: boolean } = {}): Promise<GeosLoader> {
  const loader = join(dir, 'geos.esm.js'), wasm = join(dir, 'geos.wasm');
  if (existsSync(loader) && existsSync(wasm)) {
    const bytes = readFileSync(wasm);
    const useCache = opts.codeCache !== false && !opts.compile && process.env.FRONTLINE_GEOS_CODE_CACHE !== '0';
    const module = opts.compile ? new WebAssembly.Module(bytes) : useCache ? readCodeCache(join(dir, CODE_CACHE_FILE), bytes) : undefined;
    const m = (await import(pathToFileURL(loader).href)) as { default: typeof initGeosJs };
    const hook: InstantiateHook | undefined = module && ((imports, receive) => {
      const instance = new WebAssembly.Instance(module, imports);
      receive(instance);
      return instance.exports;
    });
    // the loader reads both globals when its init runs (synchronously, at its start)
    const init = ((config: never) => {
      const g = globalThis as Record<symbol, unknown>;
      g[SPLIT_GEOS_BINARY] = bytes;
      g[SPLIT_GEOS_INSTANTIATE] = hook;
      return m.default(config);
    }) as typeof initGeosJs;
    return { init, split: true, cached: !opts.compile && module !== undefined, module: opts.compile ? module : undefined };
  }
  return { init: (await import('geos-wasm')).default, split: false, cached: false };
}

export class GeosError extends Error {}

export type Geom = number & { readonly __geom: unique symbol };
export type Prepared = number & { readonly __prepared: unique symbol };

const GEOS_MULTILINESTRING = 5;
const GEOS_MULTIPOLYGON = 6;
const GEOS_GEOMETRYCOLLECTION = 7;

export class Geos {
  /** `errors`: where GEOS's error handler puts its messages (see startGeos). */
  constructor(private readonly g: GeosModule, private readonly errors: string[] = []) {}

  /** A GEOS call's result, or the GeosError for what GEOS reported while making it. */
  private ok<T>(result: T): T {
    if (this.errors.length) throw new GeosError(this.errors.splice(0).join('; '));
    return result;
  }

  get version(): string {
    return String(this.ok(this.g.GEOSversion()));
  }

  private ring(ring: Ring): number {
    const M = this.g.Module;
    const n = ring.length / 2;
    const ptr = M._malloc(ring.length * 8);
    M.HEAPF64.set(ring, ptr / 8);
    // the buffer is freed before an error is thrown, as after success
    const seq = this.g.GEOSCoordSeq_copyFromBuffer(ptr, n, 0 as never, 0 as never);
    M._free(ptr);
    return this.ok(this.g.GEOSGeom_createLinearRing(this.ok(seq))) as unknown as number;
  }

  private polygon(poly: Polygon): number {
    const M = this.g.Module;
    const shell = this.ring(poly[0]!);
    const holes = poly.slice(1).map((r) => this.ring(r));
    const hp = M._malloc(Math.max(1, holes.length) * 4);
    M.HEAPU32.set(holes, hp / 4);
    const p = this.g.GEOSGeom_createPolygon(shell as never, hp as never, holes.length) as unknown as number;
    M._free(hp);
    return this.ok(p);
  }

  private collection(type: number, parts: number[]): Geom {
    const M = this.g.Module;
    const ptr = M._malloc(Math.max(1, parts.length) * 4);
    M.HEAPU32.set(parts, ptr / 4);
    const c = this.g.GEOSGeom_createCollection(type, ptr as never, parts.length) as unknown as Geom;
    M._free(ptr);
    return this.ok(c);
  }

  /** A GEOS MultiPolygon from flat polygons. Rings with fewer than 4 vertices are skipped. */
  fromMultiPolygon(mp: MultiPolygon): Geom {
    const parts: number[] = [];
    for (const poly of mp) {
      const ok = poly.filter((r) => r.length >= 8);
      if (ok.length && ok[0] === poly[0]) parts.push(this.polygon(ok));
    }
    return this.collection(GEOS_MULTIPOLYGON, parts);
  }

  /** A GEOS MultiLineString from flat lines. Lines with fewer than 2 vertices are skipped. */
  fromLines(lines: Line[]): Geom {
    const M = this.g.Module;
    const parts: number[] = [];
    for (const line of lines) {
      if (line.length < 4) continue;
      const ptr = M._malloc(line.length * 8);
      M.HEAPF64.set(line, ptr / 8);
      const seq = this.g.GEOSCoordSeq_copyFromBuffer(ptr, line.length / 2, 0 as never, 0 as never);
      M._free(ptr);
      parts.push(this.ok(this.g.GEOSGeom_createLineString(this.ok(seq))) as unknown as number);
    }
    return this.collection(GEOS_MULTILINESTRING, parts);
  }

  /** Several geometries as one collection (takes ownership of the parts). */
  collect(parts: Geom[]): Geom {
    return this.collection(GEOS_GEOMETRYCOLLECTION, parts);
  }

  private wkb(geom: Geom): Uint8Array {
    const M = this.g.Module;
    const sizePtr = M._malloc(4);
    try {
      const buf = this.ok(this.g.GEOSGeomToWKB_buf(geom as never, sizePtr as never)) as unknown as number;
      const bytes = M.HEAPU8.slice(buf, buf + M.HEAPU32[sizePtr / 4]!);
      this.g.GEOSFree(buf as never);
      return bytes;
    } finally {
      M._free(sizePtr);
    }
  }

  /** The polygonal part of a geometry as flat polygons (lines and points from degenerate results are dropped). */
  toMultiPolygon(geom: Geom): MultiPolygon {
    return readWkb(this.wkb(geom)).polygons;
  }

  /** The linear part of a geometry as flat lines (polygons and points are dropped). */
  toLines(geom: Geom): Line[] {
    return readWkb(this.wkb(geom)).lines;
  }

  /** The boundary: a polygon's rings as lines. */
  boundary(geom: Geom): Geom {
    return this.ok(this.g.GEOSBoundary(geom as never)) as unknown as Geom;
  }

  /** Sews lines that meet end to end into longer lines. */
  lineMerge(geom: Geom): Geom {
    return this.ok(this.g.GEOSLineMerge(geom as never)) as unknown as Geom;
  }

  /** Douglas–Peucker simplification that keeps rings valid and apart (for display only). */
  simplify(geom: Geom, tolerance: number): Geom {
    return this.ok(this.g.GEOSTopologyPreserveSimplify(geom as never, tolerance)) as unknown as Geom;
  }

  isEmpty(geom: Geom): boolean {
    return Boolean(this.ok(this.g.GEOSisEmpty(geom as never)));
  }

  isValid(geom: Geom): boolean {
    return this.ok(this.g.GEOSisValid(geom as never)) === 1;
  }

  /** Repairs an invalid geometry with GEOS's "structure" method, keeping only its area. */
  makeValid(geom: Geom): Geom {
    const params = this.ok(this.g.GEOSMakeValidParams_create());
    try {
      this.ok(this.g.GEOSMakeValidParams_setMethod(params, 1 as never)); // GEOS_MAKE_VALID_STRUCTURE
      this.ok(this.g.GEOSMakeValidParams_setKeepCollapsed(params, 0));
      return this.ok(this.g.GEOSMakeValidWithParams(geom as never, params)) as unknown as Geom;
    } finally {
      this.g.GEOSMakeValidParams_destroy(params);
    }
  }

  unaryUnion(geom: Geom): Geom {
    return this.ok(this.g.GEOSUnaryUnion(geom as never)) as unknown as Geom;
  }

  union(a: Geom, b: Geom): Geom {
    return this.ok(this.g.GEOSUnion(a as never, b as never)) as unknown as Geom;
  }

  intersection(a: Geom, b: Geom): Geom {
    return this.ok(this.g.GEOSIntersection(a as never, b as never)) as unknown as Geom;
  }

  difference(a: Geom, b: Geom): Geom {
    return this.ok(this.g.GEOSDifference(a as never, b as never)) as unknown as Geom;
  }

  /** Every face that fully noded lines enclose, as a collection of polygons (nested faces too). */
  polygonize(lines: Geom): Geom {
    const M = this.g.Module;
    const ptr = M._malloc(4);
    M.HEAPU32[ptr / 4] = lines;
    const out = this.g.GEOSPolygonize(ptr as never, 1) as unknown as Geom;
    M._free(ptr);
    return this.ok(out);
  }

  clipByRect(geom: Geom, minX: number, minY: number, maxX: number, maxY: number): Geom {
    return this.ok(this.g.GEOSClipByRect(geom as never, minX, minY, maxX, maxY)) as unknown as Geom;
  }

  /** Planar buffer in the geometry's own units; callers project first (see control/slivers.ts). */
  buffer(geom: Geom, distance: number, quadrantSegments = 8): Geom {
    return this.ok(this.g.GEOSBuffer(geom as never, distance, quadrantSegments)) as unknown as Geom;
  }

  intersects(a: Geom, b: Geom): boolean {
    return this.ok(this.g.GEOSIntersects(a as never, b as never)) === 1;
  }

  /**
   * A geometry indexed for repeated predicates (it must outlive the result): asking whether a
   * small piece touches it costs far less than an overlay that would come out empty.
   */
  prepare(g: Geom): Prepared {
    return this.ok(this.g.GEOSPrepare(g as never)) as unknown as Prepared;
  }

  preparedIntersects(p: Prepared, g: Geom): boolean {
    return this.ok(this.g.GEOSPreparedIntersects(p as never, g as never)) === 1;
  }

  clone(geom: Geom): Geom {
    return this.ok(this.g.GEOSGeom_clone(geom as never)) as unknown as Geom;
  }

  destroy(...geoms: (Geom | undefined)[]): void {
    for (const g of geoms) if (g) this.ok(this.g.GEOSGeom_destroy(g as never));
  }

  /** Runs a boolean pipeline on flat polygons and frees every intermediate. */
  run<T>(fn: (scope: Scope) => T): T {
    const scope = new Scope(this);
    try {
      return fn(scope);
    } finally {
      scope.close();
    }
  }
}

/** Tracks GEOS geometries created during one computation so they are all freed at the end. */
export class Scope {
  private readonly owned: Geom[] = [];
  constructor(readonly geos: Geos) {}
  keep(g: Geom): Geom {
    this.owned.push(g);
    return g;
  }
  from(mp: MultiPolygon): Geom {
    return this.keep(this.geos.fromMultiPolygon(mp));
  }
  valid(mp: MultiPolygon): Geom {
    const g = this.from(mp);
    return this.geos.isValid(g) ? g : this.keep(this.geos.makeValid(g));
  }
  union(a: Geom, b: Geom): Geom { return this.keep(this.geos.union(a, b)); }
  /**
   * Union of several multipolygons. Each part is repaired first, unless the caller vouches that
   * the parts are valid already (GEOS's own output, repaired once when it was made).
   */
  unionAll(parts: MultiPolygon[], opts: { valid?: boolean } = {}): Geom {
    if (parts.length === 1 && opts.valid) return this.from(parts[0]!);
    const geoms = parts.map((p) => (opts.valid ? this.geos.fromMultiPolygon(p) : this.geos.clone(this.valid(p))));
    return this.unaryUnion(this.keep(this.geos.collect(geoms)));
  }
  intersection(a: Geom, b: Geom): Geom { return this.keep(this.geos.intersection(a, b)); }
  difference(a: Geom, b: Geom): Geom { return this.keep(this.geos.difference(a, b)); }
  polygonize(lines: Geom): Geom { return this.keep(this.geos.polygonize(lines)); }
  unaryUnion(g: Geom): Geom { return this.keep(this.geos.unaryUnion(g)); }
  clip(g: Geom, minX: number, minY: number, maxX: number, maxY: number): Geom {
    return this.keep(this.geos.clipByRect(g, minX, minY, maxX, maxY));
  }
  buffer(g: Geom, d: number, quadrantSegments = 8): Geom { return this.keep(this.geos.buffer(g, d, quadrantSegments)); }
  boundary(g: Geom): Geom { return this.keep(this.geos.boundary(g)); }
  lines(lines: Line[]): Geom { return this.keep(this.geos.fromLines(lines)); }
  lineMerge(g: Geom): Geom { return this.keep(this.geos.lineMerge(g)); }
  simplify(g: Geom, tolerance: number): Geom { return this.keep(this.geos.simplify(g, tolerance)); }
  toMultiPolygon(g: Geom): MultiPolygon { return this.geos.toMultiPolygon(g); }
  toLines(g: Geom): Line[] { return this.geos.toLines(g); }
  close(): void {
    this.geos.destroy(...this.owned);
    this.owned.length = 0;
  }
}

/** Reads the polygons of a little- or big-endian 2-D WKB geometry (Polygon, MultiPolygon, GeometryCollection). */
export function readWkbPolygons(bytes: Uint8Array): MultiPolygon {
  return readWkb(bytes).polygons;
}

/** Reads the polygons and lines of a little- or big-endian 2-D WKB geometry; points are skipped. */
export function readWkb(bytes: Uint8Array): { polygons: MultiPolygon; lines: Line[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  const polygons: MultiPolygon = [];
  const lines: Line[] = [];
  function coords(le: boolean): Float64Array {
    const n = view.getUint32(off, le);
    off += 4;
    const out = new Float64Array(n * 2);
    for (let i = 0; i < n * 2; i++) {
      out[i] = view.getFloat64(off, le);
      off += 8;
    }
    return out;
  }
  function geometry(): void {
    const le = view.getUint8(off) === 1;
    off += 1;
    const type = view.getUint32(off, le) & 0xffff;
    off += 4;
    switch (type) {
      case 1: off += 16; return; // Point
      case 2: lines.push(coords(le)); return;
      case 3: {
        const nRings = view.getUint32(off, le);
        off += 4;
        const rings: Polygon = [];
        for (let r = 0; r < nRings; r++) rings.push(coords(le));
        polygons.push(rings);
        return;
      }
      case 4: case 5: case 6: case 7: {
        const n = view.getUint32(off, le);
        off += 4;
        for (let i = 0; i < n; i++) geometry();
        return;
      }
      default: throw new GeosError(`unsupported WKB geometry type ${type}`);
    }
  }
  geometry();
  return { polygons: polygons.filter((p) => p.length > 0 && p[0]!.length >= 8), lines: lines.filter((l) => l.length >= 4) };
}
