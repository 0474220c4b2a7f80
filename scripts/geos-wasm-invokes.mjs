// Moves geos-wasm's exception trampolines from JavaScript into WebAssembly.
//
// geos-wasm is built with Emscripten's JavaScript exceptions: every C++ call that may throw
// through a try block or past a destructor leaves WebAssembly for a JavaScript "invoke_" function,
// which saves the stack pointer, calls back into WebAssembly through the function table, and on a
// C++ exception restores the stack pointer and raises a flag that the caller's landing pad reads.
// One first `change` makes about two million such round trips. This rewrites each invoke import
// as a WebAssembly function doing the same with the exception-handling instructions Node 20
// supports (try … catch_all): save the stack pointer, call_indirect, and on any exception restore
// it and set the flag through the module's own exported setThrew. C++ exceptions are still thrown
// and matched by the JavaScript the loader provides, exactly as before; only the trampolines move.
//
// One difference: a JavaScript exception thrown into GEOS (the loader's trampolines let them
// through) is now caught like a C++ one. So src/geometry/geos.ts gives GEOS an error handler that
// records the message instead of throwing, and throws once GEOS has returned.
//
// The binary is rewritten in place: calls to the invoke imports are redirected to new functions
// appended after all others (no index moves), and the types they need are appended too. Any
// instruction the decoder below does not know makes it throw, and the caller keeps the binary
// as it was.

/** Unsigned LEB128 at `at`: [value, next offset]. */
function uleb(b, at) {
  let v = 0, shift = 0, byte;
  do {
    byte = b[at++];
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [v, at];
}

/** Skips a signed LEB128. */
function skipLeb(b, at) {
  while (b[at++] & 0x80);
  return at;
}

function encodeUleb(v) {
  const out = [];
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

const section = (id, body) => Buffer.concat([Buffer.from([id, ...encodeUleb(body.length)]), body]);
const vec = (items) => Buffer.concat([Buffer.from(encodeUleb(items.length)), ...items]);

/** The module's sections: id and body. */
function sections(wasm) {
  if (wasm.readUInt32BE(0) !== 0x0061736d || wasm.readUInt32LE(4) !== 1) throw new Error('not a WebAssembly 1 module');
  const out = [];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, start] = uleb(wasm, at + 1);
    out.push({ id, body: wasm.subarray(start, start + size) });
    at = start + size;
  }
  return out;
}

/** Function types: each as the bytes after 0x60 (params, results) and decoded. */
function readTypes(body) {
  let [n, at] = uleb(body, 0);
  const types = [];
  for (let i = 0; i < n; i++) {
    if (body[at] !== 0x60) throw new Error('type section: not a function type');
    const start = at + 1;
    let np, nr;
    [np, at] = uleb(body, start);
    const params = [...body.subarray(at, at + np)];
    at += np;
    [nr, at] = uleb(body, at);
    const results = [...body.subarray(at, at + nr)];
    at += nr;
    types.push({ params, results, bytes: body.subarray(start, at) });
  }
  return types;
}

/** Function imports in index order: field name and type index (other imports are skipped). */
function readFunctionImports(body) {
  const out = [];
  let [n, at] = uleb(body, 0);
  const name = () => {
    const [len, s] = uleb(body, at);
    at = s + len;
    return body.subarray(s, s + len).toString('utf8');
  };
  for (let i = 0; i < n; i++) {
    name();
    const field = name();
    const kind = body[at++];
    if (kind === 0) {
      let t;
      [t, at] = uleb(body, at);
      out.push({ field, type: t });
    } else if (kind === 1) {
      at += 1; // reftype
      at = skipLimits(body, at);
    } else if (kind === 2) at = skipLimits(body, at);
    else if (kind === 3) at += 2; // valtype, mutability
    else if (kind === 4) {
      at += 1;
      [, at] = uleb(body, at);
    } else throw new Error(`import kind ${kind}`);
  }
  return out;
}

function skipLimits(body, at) {
  const flags = body[at++];
  [, at] = uleb(body, at);
  if (flags & 1) [, at] = uleb(body, at);
  return at;
}

/** Exported functions by name → function index. */
function readFunctionExports(body) {
  const out = new Map();
  let [n, at] = uleb(body, 0);
  for (let i = 0; i < n; i++) {
    const [len, s] = uleb(body, at);
    const name = body.subarray(s, s + len).toString('utf8');
    at = s + len;
    const kind = body[at++];
    let index;
    [index, at] = uleb(body, at);
    if (kind === 0) out.set(name, index);
  }
  return out;
}

/** A block type: 0x40, one value type, or a type index (s33). */
function skipBlockType(b, at) {
  const t = b[at];
  if (t === 0x40 || (t >= 0x6f && t <= 0x7f)) return at + 1;
  return skipLeb(b, at);
}

/**
 * A function body with every `call` to a function in `redirect` (old index → new index) pointed
 * at its new index; the body is returned unchanged (same buffer) when it has none.
 */
function rewriteBody(b, redirect) {
  let at = 0;
  let [nLocals, p] = uleb(b, at);
  at = p;
  for (let i = 0; i < nLocals; i++) {
    [, at] = uleb(b, at);
    at += 1;
  }
  const parts = [];
  let copied = 0;
  while (at < b.length) {
    const op = b[at++];
    switch (op) {
      case 0x02: case 0x03: case 0x04: case 0x06: at = skipBlockType(b, at); break;
      case 0x07: case 0x08: case 0x09: case 0x0c: case 0x0d: case 0x18: case 0x12: case 0xd2:
      case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
        [, at] = uleb(b, at); break;
      case 0x0e: {
        let n;
        [n, at] = uleb(b, at);
        for (let i = 0; i <= n; i++) [, at] = uleb(b, at);
        break;
      }
      case 0x10: {
        const [f, next] = uleb(b, at);
        const to = redirect.get(f);
        if (to !== undefined) {
          parts.push(b.subarray(copied, at), Buffer.from(encodeUleb(to)));
          copied = next;
        }
        at = next;
        break;
      }
      case 0x11: case 0x13: [, at] = uleb(b, at); [, at] = uleb(b, at); break;
      case 0x1c: {
        let n;
        [n, at] = uleb(b, at);
        at += n;
        break;
      }
      case 0x3f: case 0x40: at += 1; break;
      case 0x41: case 0x42: at = skipLeb(b, at); break;
      case 0x43: at += 4; break;
      case 0x44: at += 8; break;
      case 0xd0: at += 1; break;
      case 0xfc: {
        let sub;
        [sub, at] = uleb(b, at);
        if (sub <= 7) break;
        if (sub === 8 || sub === 12 || sub === 14) { [, at] = uleb(b, at); [, at] = uleb(b, at); }
        else if (sub === 10) at += 2;
        else if (sub === 9 || sub === 11 || sub === 13 || sub === 15 || sub === 16 || sub === 17) [, at] = uleb(b, at);
        else throw new Error(`instruction 0xfc ${sub}`);
        break;
      }
      default:
        if (op >= 0x28 && op <= 0x3e) { [, at] = uleb(b, at); [, at] = uleb(b, at); }
        else if ((op >= 0x45 && op <= 0xc4) || [0x00, 0x01, 0x05, 0x0b, 0x0f, 0x19, 0x1a, 0x1b, 0xd1].includes(op)) { /* no immediate */ }
        else throw new Error(`instruction 0x${op.toString(16)} at ${at - 1}`);
    }
  }
  if (!parts.length) return b;
  parts.push(b.subarray(copied));
  return Buffer.concat(parts);
}

/**
 * The invoke trampolines of geos-wasm's loader: import field names, and the export names of the
 * functions they use to save and restore the stack pointer and to flag an exception.
 */
export function findInvokes(loader) {
  const invoke = /([\w$]+):function\(([^)]*)\)\{var (\w+)=(\w+)\(\)\ntry\{(?:return )?\$\(A\)\(([^)]*)\)\}catch\(A\)\{if\((\w+)\(\3\),A!==A\+0\)throw A\n(\w+)\(1,0\)\}\}/g;
  const found = [...loader.matchAll(invoke)];
  if (!found.length) throw new Error('no invoke trampolines in the loader');
  const [save, restore, threw] = [found[0][4], found[0][6], found[0][7]];
  if (found.some((m) => m[4] !== save || m[6] !== restore || m[7] !== threw)) throw new Error('invoke trampolines of more than one shape');
  const exportOf = (fn) => {
    const m = new RegExp(`[,\\s]${fn.replace(/\$/g, '\\$')}=(?:\\([^)]*\\)|\\w+)=>\\(${fn.replace(/\$/g, '\\$')}=\\w+\\.(\\w+)\\)`).exec(loader);
    if (!m) throw new Error(`export behind ${fn} not found`);
    return m[1];
  };
  return { fields: new Set(found.map((m) => m[1])), stackSave: exportOf(save), stackRestore: exportOf(restore), setThrew: exportOf(threw) };
}

const ZERO = { 0x7f: [0x41, 0x00], 0x7e: [0x42, 0x00], 0x7d: [0x43, 0, 0, 0, 0], 0x7c: [0x44, 0, 0, 0, 0, 0, 0, 0, 0] };

/** The binary with the loader's invoke trampolines as WebAssembly functions; throws if anything is not as expected. */
export function rewriteInvokes(wasm, loader) {
  const { fields, stackSave, stackRestore, setThrew } = findInvokes(loader);
  const secs = sections(wasm);
  const get = (id) => {
    const s = secs.filter((x) => x.id === id);
    if (s.length !== 1) throw new Error(`expected one section ${id}`);
    return s[0];
  };
  const typeSec = get(1), importSec = get(2), funcSec = get(3), exportSec = get(7), codeSec = get(10);
  const types = readTypes(typeSec.body);
  const imports = readFunctionImports(importSec.body);
  const exports = readFunctionExports(exportSec.body);
  const [nFuncs] = uleb(funcSec.body, 0);
  const fn = (name) => {
    const i = exports.get(name);
    if (i === undefined) throw new Error(`no exported function ${name}`);
    return i;
  };
  const save = fn(stackSave), restore = fn(stackRestore), threw = fn(setThrew);
  const typeIndex = (params, results) => {
    const key = `${params}|${results}`;
    let i = types.findIndex((t) => `${t.params}|${t.results}` === key);
    if (i < 0) {
      i = types.length;
      types.push({ params, results, bytes: Buffer.from([...encodeUleb(params.length), ...params, ...encodeUleb(results.length), ...results]) });
    }
    return i;
  };
  const redirect = new Map();
  const newFuncs = []; // { type, body }
  imports.forEach((imp, index) => {
    if (!fields.has(imp.field)) return;
    const t = types[imp.type];
    if (t.params[0] !== 0x7f || t.results.length > 1 || t.params.some((p) => !(p in ZERO)) || t.results.some((r) => !(r in ZERO))) throw new Error(`invoke ${imp.field}: unexpected signature`);
    const args = t.params.slice(1), result = t.results[0];
    const target = typeIndex(args, t.results);
    const sp = t.params.length; // the one local after the parameters
    const code = [
      0x10, ...encodeUleb(save), 0x21, ...encodeUleb(sp),
      0x06, result ?? 0x40,
      ...args.flatMap((_, i) => [0x20, ...encodeUleb(i + 1)]), 0x20, 0x00,
      0x11, ...encodeUleb(target), 0x00,
      0x19,
      0x20, ...encodeUleb(sp), 0x10, ...encodeUleb(restore),
      0x41, 0x01, 0x41, 0x00, 0x10, ...encodeUleb(threw),
      ...(result === undefined ? [] : ZERO[result]),
      0x0b, 0x0b,
    ];
    const body = Buffer.from([0x01, 0x01, 0x7f, ...code]); // one local group: 1 × i32
    redirect.set(index, imports.length + nFuncs + newFuncs.length);
    newFuncs.push({ type: imp.type, body });
  });
  if (redirect.size !== fields.size) throw new Error(`found ${redirect.size} of ${fields.size} invoke imports`);
  // code section: rewritten bodies, then the new ones
  let [nBodies, at] = uleb(codeSec.body, 0);
  const bodies = [];
  for (let i = 0; i < nBodies; i++) {
    const [size, start] = uleb(codeSec.body, at);
    bodies.push(rewriteBody(codeSec.body.subarray(start, start + size), redirect));
    at = start + size;
  }
  for (const f of newFuncs) bodies.push(f.body);
  const funcTypes = [];
  at = uleb(funcSec.body, 0)[1];
  for (let i = 0; i < nFuncs; i++) {
    const [t, next] = uleb(funcSec.body, at);
    funcTypes.push(t);
    at = next;
  }
  for (const f of newFuncs) funcTypes.push(f.type);
  const replaced = new Map([
    [1, vec(types.map((t) => Buffer.concat([Buffer.from([0x60]), t.bytes])))],
    [3, vec(funcTypes.map((t) => Buffer.from(encodeUleb(t))))],
    [10, vec(bodies.map((b) => Buffer.concat([Buffer.from(encodeUleb(b.length)), b])))],
  ]);
  const out = Buffer.concat([wasm.subarray(0, 8), ...secs.map((s) => section(s.id, replaced.get(s.id) ?? s.body))]);
  if (!WebAssembly.validate(out)) throw new Error('the rewritten module does not validate');
  return { wasm: out, invokes: redirect.size };
}
