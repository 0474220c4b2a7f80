/**
 * GEOS's machine code, kept from the build for every later process (V8's WebAssembly code cache).
 *
 * A command that computes geometry the first time spends most of it in GEOS functions that V8
 * has only compiled with its baseline compiler (Liftoff) and compiles them lazily, one at a time,
 * on their first call; the optimised code (TurboFan) only comes after many calls, by when a
 * short command is over. The build runs a workload like the real one (scripts/geos-code-cache.mjs)
 * until V8 has optimised the functions it uses, and stores that code: a process loading it runs
 * those functions optimised from their first call. On a first `change` or `front` that is about
 * 15% of the wall time.
 *
 * Node exposes no API for this, so V8's own serializer is reached through its runtime functions
 * (%SerializeWasmModule, %DeserializeWasmModule; the flag --allow-natives-syntax, set at run time,
 * makes them callable from a function compiled here). V8 itself refuses a cache made by another V8
 * build or under other V8 flags (the module then comes back undefined and GEOS is compiled as
 * usual). Its deserializer does not check the payload or that the module's bytes are the ones the
 * code was made from, so this file's header does: the V8 version, the SHA-1 of the WebAssembly
 * binary and of the code. A cache that fails any check is ignored, never loaded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/** The cache's file name, beside geos.wasm. */
export const CODE_CACHE_FILE = 'geos.code-cache';

const MAGIC = 'frontline geos code cache 1\n';

interface Header {
  v8: string;
  wasm_sha1: string;
  code_sha1: string;
  code_bytes: number;
}

const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

interface V8Natives {
  serialize: (m: WebAssembly.Module) => ArrayBuffer;
  deserialize: (code: ArrayBuffer, wire: Uint8Array) => unknown;
}

let natives: V8Natives | undefined;

/** V8's serializer for WebAssembly modules, from functions compiled with natives syntax allowed. */
function v8Natives(): V8Natives {
  if (!natives) {
    setFlagsFromString('--allow-natives-syntax');
    natives = {
      // new Function: the only way to compile code after the flag that lets it call V8's runtime functions
      serialize: new Function('m', 'return %SerializeWasmModule(m)') as V8Natives['serialize'],
      deserialize: new Function('c', 'w', 'return %DeserializeWasmModule(c, w)') as V8Natives['deserialize'],
    };
  }
  return natives;
}

/**
 * The code V8 holds for a module compiled from `wasm`, in a file with the header that
 * readCodeCache checks. Only functions V8 has optimised are in it; the others stay lazy.
 */
export function writeCodeCache(module: WebAssembly.Module, wasm: Uint8Array): Buffer {
  const code = new Uint8Array(v8Natives().serialize(module));
  const header: Header = { v8: process.versions.v8, wasm_sha1: sha1(wasm), code_sha1: sha1(code), code_bytes: code.length };
  return Buffer.concat([Buffer.from(MAGIC + JSON.stringify(header) + '\n'), code]);
}

/**
 * The module compiled from `wasm` with the code stored at `path`; undefined when there is no such
 * file, when it was made for another binary or V8, when it is damaged, or when V8 declines it.
 */
export function readCodeCache(path: string, wasm: Uint8Array): WebAssembly.Module | undefined {
  if (!existsSync(path)) return undefined;
  const file = readFileSync(path);
  if (file.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return undefined;
  const end = file.indexOf(10, MAGIC.length);
  if (end < 0) return undefined;
  let header: Header;
  try {
    header = JSON.parse(file.subarray(MAGIC.length, end).toString('utf8')) as Header;
  } catch {
    return undefined;
  }
  const code = file.subarray(end + 1);
  if (header.v8 !== process.versions.v8 || header.code_bytes !== code.length || header.code_sha1 !== sha1(code) || header.wasm_sha1 !== sha1(wasm)) return undefined;
  // the deserializer takes an ArrayBuffer of its own, and keeps it
  const copy = code.buffer.slice(code.byteOffset, code.byteOffset + code.byteLength);
  const module = v8Natives().deserialize(copy, new Uint8Array(wasm));
  return module instanceof WebAssembly.Module ? module : undefined;
}
