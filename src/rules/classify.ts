/**
 * Feature classification driven by versioned rule sets kept as data in `rules/<source>.json`.
 *
 * A rule set is an ordered list of rules; each rule has a status and a `when` matcher whose
 * conditions must all hold. The first matching rule wins. A feature that no rule matches is
 * reported as 'unmatched' so that the caller can report it: nothing is ever guessed here.
 *
 * Matcher vocabulary (every condition given must hold):
 *   geometry:    ["Point", ...]          the feature's geometry type is one of these
 *   key:         "geoJSON.status.x" | [] the name's machine key identifier equals one of these;
 *                                        the identifier is the `///` part starting "geoJSON.",
 *                                        up to any parameters ("geoJSON.status.dismissed_at
 *                                        {{at:19.09}}" has identifier "geoJSON.status.dismissed_at")
 *   keyPrefix:   "geoJSON.status." | []  the identifier starts with one of these
 *   nameMatches: "regex" | []            a regex matches the normalised name (flags "iu")
 *   namePattern: "name" | []             a regex of the named list in the rule set's `patterns`
 *                                        matches the normalised name
 *   property + in: "fill", [..] | "set"  the property's value is one of the listed strings (case
 *                                        is ignored) or one of the rule set's `valueSets`
 *   any:         [matcher, ...]          at least one of the sub-matchers holds
 *
 * Everything here is pure apart from `loadRuleSet`, which reads the rule file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../model/errors.js';

export type Status = 'occupied' | 'dismissed' | 'contested' | 'ignored' | 'not-territory';

export const STATUSES: readonly Status[] = ['occupied', 'dismissed', 'contested', 'ignored', 'not-territory'];

export interface Matcher {
  geometry?: string[];
  key?: string | string[];
  keyPrefix?: string | string[];
  nameMatches?: string | string[];
  namePattern?: string | string[];
  property?: string;
  /** A list of accepted values, or the name of one of the rule set's `valueSets`. */
  in?: string[] | string;
  any?: Matcher[];
}

export interface Rule {
  id: string;
  status: Status;
  when: Matcher;
  note: string;
}

export interface RuleSet {
  source: string;
  version: string;
  description?: string;
  normalise?: { form?: 'NFC'; whitespace?: 'collapse' };
  /** Named lists of regexes, referred to by `namePattern`. */
  patterns?: Record<string, string[]>;
  /** Named lists of property values, referred to by `in: "<name>"`. */
  valueSets?: Record<string, string[]>;
  rules: Rule[];
}

export interface ClassifiableFeature {
  geometryType: string;
  properties: Record<string, unknown> | null;
}

export type Classification = { status: Status; rule: string } | { status: 'unmatched'; rule: null };

/** A rule set that could not be read or is malformed: the message names the file and the rule. */
export class RuleSetError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSetError';
  }
}

const GEOMETRY_TYPES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
]);

const MATCHER_KEYS = new Set(['geometry', 'key', 'keyPrefix', 'nameMatches', 'namePattern', 'property', 'in', 'any']);
const RULE_KEYS = new Set(['id', 'status', 'when', 'note']);
const TOP_KEYS = new Set(['source', 'version', 'description', 'normalise', 'patterns', 'valueSets', 'rules']);
const REGEX_FLAGS = 'iu';

/**
 * The name as rules see it: Unicode NFC, every run of whitespace (including non-breaking and
 * other Unicode spaces, newlines, tabs and zero-width spaces) turned into one space, trimmed.
 * Anything that is not a string normalises to ''.
 */
export function normaliseName(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  return raw
    .normalize('NFC')
    .replace(/[\s\u200b\u2060]+/gu, ' ')
    .trim();
}

/**
 * The machine key identifier of a normalised name: the last `///`-separated part that starts
 * with "geoJSON.", cut before any whitespace or "{{" parameters. null when there is none.
 */
export function machineKey(name: string): string | null {
  const parts = name.split('///');
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = (parts[i] ?? '').trim();
    if (/^geojson\./i.test(part)) {
      const id = part.split(/\s|\{\{/u)[0] ?? '';
      return id;
    }
  }
  return null;
}

/** Reads and validates `rules/<source>.json` from the package root. */
export function loadRuleSet(source: string): RuleSet {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(source)) {
    throw new RuleSetError(`rule set name "${source}" is not valid (expected lower-case letters, digits and "-")`);
  }
  const url = new URL('../../rules/' + source + '.json', import.meta.url);
  const file = fileURLToPath(url);
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new RuleSetError(`${file}: cannot read rule set: ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new RuleSetError(`${file}: not valid JSON: ${why}`);
  }
  const ruleSet = parseRuleSet(json, file);
  if (ruleSet.source !== source) {
    throw new RuleSetError(`${file}: "source" is "${ruleSet.source}", expected "${source}"`);
  }
  return ruleSet;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Validates a parsed rule set. `origin` (a file name) starts every error message. Every regex is
 * compiled here, so a rule set that parses can be applied without errors.
 */
export function parseRuleSet(json: unknown, origin: string): RuleSet {
  const fail = (what: string): never => {
    throw new RuleSetError(`${origin}: ${what}`);
  };
  if (!isRecord(json)) return fail('the rule set must be a JSON object');
  for (const k of Object.keys(json)) if (!TOP_KEYS.has(k)) fail(`unknown top-level field "${k}"`);
  const { source, version, description, normalise, patterns, valueSets, rules } = json;
  if (typeof source !== 'string' || source === '') fail('"source" must be a non-empty string');
  if (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}\.\d+$/.test(version)) {
    fail('"version" must be a string like "2026-11-25.1" (date, dot, revision)');
  }
  if (description !== undefined && typeof description !== 'string') fail('"description" must be a string');

  if (normalise !== undefined) {
    if (!isRecord(normalise)) fail('"normalise" must be an object');
    const n = normalise as Record<string, unknown>;
    for (const [k, v] of Object.entries(n)) {
      if (k === 'form' && v === 'NFC') continue;
      if (k === 'whitespace' && v === 'collapse') continue;
      fail(`"normalise.${k}": ${JSON.stringify(v)} is not supported (supported: form "NFC", whitespace "collapse")`);
    }
  }

  const patternMap: Record<string, string[]> = {};
  if (patterns !== undefined) {
    if (!isRecord(patterns)) fail('"patterns" must be an object of regex lists');
    for (const [name, value] of Object.entries(patterns as Record<string, unknown>)) {
      const list = typeof value === 'string' ? [value] : value;
      if (!isStringList(list) || list.length === 0) fail(`pattern "${name}" must be a regex or a non-empty list of regexes`);
      for (const source of list as string[]) compileRegex(source, `pattern "${name}"`, fail);
      patternMap[name] = list as string[];
    }
  }

  const valueSetMap: Record<string, string[]> = {};
  if (valueSets !== undefined) {
    if (!isRecord(valueSets)) fail('"valueSets" must be an object of string lists');
    for (const [name, value] of Object.entries(valueSets as Record<string, unknown>)) {
      if (!isStringList(value) || value.length === 0) fail(`value set "${name}" must be a non-empty list of strings`);
      valueSetMap[name] = value as string[];
    }
  }

  if (!Array.isArray(rules) || rules.length === 0) fail('"rules" must be a non-empty array');
  const seen = new Set<string>();
  const parsed: Rule[] = [];
  (rules as unknown[]).forEach((raw, index) => {
    const label = isRecord(raw) && typeof raw.id === 'string' ? `rule #${index + 1} ("${raw.id}")` : `rule #${index + 1}`;
    const bad = (what: string): never => fail(`${label}: ${what}`);
    if (!isRecord(raw)) return bad('must be an object');
    for (const k of Object.keys(raw)) if (!RULE_KEYS.has(k)) bad(`unknown field "${k}"`);
    const { id, status, when, note } = raw;
    if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(id)) bad('"id" must be a lower-case slug');
    if (seen.has(id as string)) bad('duplicate id');
    seen.add(id as string);
    if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status)) {
      bad(`"status" must be one of ${STATUSES.join(', ')}`);
    }
    if (typeof note !== 'string' || note.trim() === '') bad('"note" must say why the rule exists');
    const matcher = parseMatcher(when, 'when', bad, patternMap, valueSetMap);
    parsed.push({ id: id as string, status: status as Status, when: matcher, note: note as string });
  });

  const result: RuleSet = { source: source as string, version: version as string, rules: parsed };
  if (description !== undefined) result.description = description as string;
  if (normalise !== undefined) result.normalise = normalise as RuleSet['normalise'];
  if (patterns !== undefined) result.patterns = patternMap;
  if (valueSets !== undefined) result.valueSets = valueSetMap;
  return result;
}

function compileRegex(source: string, where: string, fail: (what: string) => never): RegExp {
  try {
    return new RegExp(source, REGEX_FLAGS);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return fail(`${where}: bad regex ${JSON.stringify(source)}: ${why}`);
  }
}

function parseMatcher(
  raw: unknown,
  path: string,
  bad: (what: string) => never,
  patterns: Record<string, string[]>,
  valueSets: Record<string, string[]>,
): Matcher {
  if (!isRecord(raw)) return bad(`"${path}" must be an object`);
  const keys = Object.keys(raw);
  if (keys.length === 0) bad(`"${path}" has no conditions (it would match everything)`);
  for (const k of keys) if (!MATCHER_KEYS.has(k)) bad(`"${path}" has unknown condition "${k}"`);
  const m: Matcher = {};
  const stringOrList = (k: string): string[] | undefined => {
    const v = raw[k];
    if (v === undefined) return undefined;
    const list = typeof v === 'string' ? [v] : v;
    if (!isStringList(list) || list.length === 0) bad(`"${path}.${k}" must be a string or a non-empty list of strings`);
    return list as string[];
  };

  if (raw.geometry !== undefined) {
    const list = stringOrList('geometry') ?? [];
    for (const g of list) if (!GEOMETRY_TYPES.has(g)) bad(`"${path}.geometry": unknown geometry type "${g}"`);
    m.geometry = list;
  }
  const key = stringOrList('key');
  if (key) m.key = key;
  const keyPrefix = stringOrList('keyPrefix');
  if (keyPrefix) m.keyPrefix = keyPrefix;
  const nameMatches = stringOrList('nameMatches');
  if (nameMatches) {
    for (const s of nameMatches) compileRegex(s, `"${path}.nameMatches"`, bad);
    m.nameMatches = nameMatches;
  }
  const namePattern = stringOrList('namePattern');
  if (namePattern) {
    for (const p of namePattern) if (!(p in patterns)) bad(`"${path}.namePattern": no pattern "${p}" in "patterns"`);
    m.namePattern = namePattern;
  }
  if ((raw.property === undefined) !== (raw.in === undefined)) bad(`"${path}": "property" and "in" go together`);
  if (raw.property !== undefined) {
    if (typeof raw.property !== 'string' || raw.property === '') bad(`"${path}.property" must be a property name`);
    m.property = raw.property as string;
    if (typeof raw.in === 'string') {
      if (!(raw.in in valueSets)) bad(`"${path}.in": no value set "${raw.in}" in "valueSets"`);
      m.in = raw.in;
    } else {
      if (!isStringList(raw.in) || raw.in.length === 0) bad(`"${path}.in" must be a value set name or a non-empty list of strings`);
      m.in = raw.in as string[];
    }
  }
  if (raw.any !== undefined) {
    if (!Array.isArray(raw.any) || raw.any.length === 0) bad(`"${path}.any" must be a non-empty array of matchers`);
    m.any = (raw.any as unknown[]).map((sub, i) => parseMatcher(sub, `${path}.any[${i}]`, bad, patterns, valueSets));
  }
  return m;
}

/** A matcher with its regexes compiled and value lists resolved. */
interface CompiledMatcher {
  geometry?: Set<string>;
  key?: Set<string>;
  keyPrefix?: string[];
  regexes?: RegExp[];
  property?: string;
  values?: Set<string>;
  any?: CompiledMatcher[];
}

interface CompiledRule {
  id: string;
  status: Status;
  when: CompiledMatcher;
}

const compiledCache = new WeakMap<RuleSet, CompiledRule[]>();

function compile(ruleSet: RuleSet): CompiledRule[] {
  const cached = compiledCache.get(ruleSet);
  if (cached) return cached;
  const fail = (what: string): never => {
    throw new RuleSetError(`rule set ${ruleSet.source} ${ruleSet.version}: ${what}`);
  };
  const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);
  const compileMatcher = (m: Matcher, ruleId: string): CompiledMatcher => {
    const c: CompiledMatcher = {};
    if (m.geometry) c.geometry = new Set(m.geometry);
    if (m.key) c.key = new Set(list(m.key).map((k) => k.toLowerCase()));
    if (m.keyPrefix) c.keyPrefix = list(m.keyPrefix).map((k) => k.toLowerCase());
    const regexSources: string[] = [...list(m.nameMatches)];
    for (const p of list(m.namePattern)) {
      const sources = ruleSet.patterns?.[p];
      if (!sources) return fail(`rule "${ruleId}": no pattern "${p}"`);
      regexSources.push(...sources);
    }
    if (regexSources.length > 0) {
      c.regexes = regexSources.map((s) => compileRegex(s, `rule "${ruleId}"`, fail));
    }
    if (m.property !== undefined) {
      c.property = m.property;
      const values = typeof m.in === 'string' ? ruleSet.valueSets?.[m.in] : m.in;
      if (!values) return fail(`rule "${ruleId}": no value set ${JSON.stringify(m.in)}`);
      c.values = new Set(values.map((v) => v.toLowerCase()));
    }
    if (m.any) c.any = m.any.map((sub) => compileMatcher(sub, ruleId));
    return c;
  };
  const compiled = ruleSet.rules.map((r) => ({ id: r.id, status: r.status, when: compileMatcher(r.when, r.id) }));
  compiledCache.set(ruleSet, compiled);
  return compiled;
}

interface Subject {
  geometryType: string;
  name: string;
  key: string | null;
  properties: Record<string, unknown>;
}

function propertyText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim().toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).toLowerCase();
  return null;
}

function matches(m: CompiledMatcher, s: Subject): boolean {
  if (m.geometry && !m.geometry.has(s.geometryType)) return false;
  if (m.key && (s.key === null || !m.key.has(s.key.toLowerCase()))) return false;
  if (m.keyPrefix) {
    const key = s.key?.toLowerCase();
    if (key === undefined || !m.keyPrefix.some((p) => key.startsWith(p))) return false;
  }
  if (m.regexes && !m.regexes.some((r) => r.test(s.name))) return false;
  if (m.property !== undefined && m.values) {
    const v = propertyText(s.properties[m.property]);
    if (v === null || !m.values.has(v)) return false;
  }
  if (m.any && !m.any.some((sub) => matches(sub, s))) return false;
  return true;
}

/**
 * The status of one feature under a rule set: the first rule whose conditions all hold, or
 * 'unmatched' when none does. The name is read from `properties.name` and normalised first.
 */
export function classify(rules: RuleSet, feature: ClassifiableFeature): Classification {
  const properties = feature.properties ?? {};
  const name = normaliseName(properties.name);
  const subject: Subject = { geometryType: feature.geometryType, name, key: machineKey(name), properties };
  for (const rule of compile(rules)) {
    if (matches(rule.when, subject)) return { status: rule.status, rule: rule.id };
  }
  return { status: 'unmatched', rule: null };
}
