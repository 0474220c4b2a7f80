/**
 * Request parameters, declared once per endpoint. The same declaration validates requests
 * (here) and describes them in the OpenAPI document (openapi.ts), so the two cannot drift.
 */
import { parseDate } from '../cli/dates.js';
import { badRequest } from './errors.js';

export interface ParamSpec {
  readonly in: 'query' | 'path';
  /** `date`: YYYY-MM-DD (UTC) or a full ISO 8601 time; `list`: comma-separated strings. */
  readonly type: 'string' | 'date' | 'boolean' | 'integer' | 'list';
  readonly description: string;
  readonly required?: boolean;
  readonly enum?: readonly string[];
  /** For dates: a bare YYYY-MM-DD means the last millisecond of that UTC day. */
  readonly endOfDay?: boolean;
  readonly maxItems?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly example?: string;
}

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

type ValueOf<S extends ParamSpec> = S['type'] extends 'date' ? Date
  : S['type'] extends 'boolean' ? boolean
  : S['type'] extends 'integer' ? number
  : S['type'] extends 'list' ? string[]
  : S['enum'] extends readonly (infer E)[] ? E
  : string;

/** Parsed parameters, typed from their declaration: required ones are never undefined. */
export type Parsed<P extends ParamSpecs> = {
  -readonly [K in keyof P]: P[K]['required'] extends true ? ValueOf<P[K]> : P[K]['in'] extends 'path' ? ValueOf<P[K]> : ValueOf<P[K]> | undefined;
};

/** Constraints across parameters: exactly one of each group must be given. */
export type ExactlyOne = readonly (readonly string[])[];

function parseOne(name: string, spec: ParamSpec, raw: string): unknown {
  switch (spec.type) {
    case 'date':
      return parseDate(raw, name, spec.endOfDay ?? false);
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw badRequest(`${name} ${JSON.stringify(raw)}: expected true or false`);
    case 'integer': {
      const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) throw badRequest(`${name} ${JSON.stringify(raw)}: expected an integer`);
      if ((spec.minimum !== undefined && n < spec.minimum) || (spec.maximum !== undefined && n > spec.maximum)) {
        throw badRequest(`${name} ${n}: expected ${spec.minimum ?? '…'} to ${spec.maximum ?? '…'}`);
      }
      return n;
    }
    case 'list': {
      const items = raw.split(',').filter((s) => s !== '');
      if (items.length === 0) throw badRequest(`${name} is empty`);
      if (spec.maxItems !== undefined && items.length > spec.maxItems) throw badRequest(`${name}: ${items.length} items, at most ${spec.maxItems} per request`);
      return items;
    }
    case 'string':
      if (spec.enum && !spec.enum.includes(raw)) throw badRequest(`${name} ${JSON.stringify(raw)}: expected one of ${spec.enum.join(', ')}`);
      return raw;
  }
}

/**
 * Validates a request against its declaration: unknown, repeated, empty and missing parameters
 * are refused with a message that names the parameter.
 */
export function parseParams<P extends ParamSpecs>(specs: P, query: URLSearchParams, path: Record<string, string>, exactlyOne: ExactlyOne = []): Parsed<P> {
  const out: Record<string, unknown> = {};
  for (const name of new Set(query.keys())) {
    const spec = specs[name];
    if (!spec || spec.in !== 'query') {
      const known = Object.keys(specs).filter((k) => specs[k]!.in === 'query');
      throw badRequest(`unknown parameter "${name}"; this endpoint takes ${known.length ? known.join(', ') : 'no parameters'}`);
    }
    if (query.getAll(name).length > 1) throw badRequest(`parameter "${name}" is given more than once`);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const raw = spec.in === 'path' ? path[name] : query.get(name) ?? undefined;
    if (raw === undefined || raw === '') {
      if (raw === '') throw badRequest(`parameter "${name}" is empty`);
      if (spec.required) throw badRequest(`missing required parameter "${name}"`);
      continue;
    }
    out[name] = parseOne(name, spec, raw);
  }
  for (const group of exactlyOne) {
    const given = group.filter((k) => out[k] !== undefined);
    if (given.length !== 1) throw badRequest(`give exactly one of the parameters ${group.join(', ')}${given.length ? ` (got ${given.join(' and ')})` : ''}`);
  }
  return out as Parsed<P>;
}

/** The OpenAPI 3.1 Parameter Objects of a declaration. */
export function openApiParameters(specs: ParamSpecs): object[] {
  return Object.entries(specs).map(([name, spec]) => {
    const schema: Record<string, unknown> = (() => {
      switch (spec.type) {
        case 'date': return { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}(T.*)?$' };
        case 'boolean': return { type: 'boolean', default: false };
        case 'integer': return { type: 'integer', ...(spec.minimum !== undefined && { minimum: spec.minimum }), ...(spec.maximum !== undefined && { maximum: spec.maximum }) };
        case 'list': return { type: 'array', items: { type: 'string' }, minItems: 1, ...(spec.maxItems !== undefined && { maxItems: spec.maxItems }) };
        case 'string': return { type: 'string', ...(spec.enum && { enum: [...spec.enum] }) };
      }
    })();
    return {
      name,
      in: spec.in,
      required: spec.in === 'path' || spec.required === true,
      description: spec.description,
      schema,
      ...(spec.type === 'list' && { style: 'form', explode: false }),
      ...(spec.example !== undefined && { example: spec.type === 'list' ? spec.example.split(',') : spec.type === 'boolean' ? spec.example === 'true' : spec.example }),
    };
  });
}
