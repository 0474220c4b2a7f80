/**
 * What the importer needs from classification: an id that names the rule set version (kept
 * with every figure as provenance) and a function from a feature to its status.
 */
import { classify, loadRuleSet } from './classify.js';

export type FeatureStatus = 'occupied' | 'dismissed' | 'contested' | 'ignored' | 'not-territory';

export interface Classifier {
  /** "<source>@<version>" */
  readonly id: string;
  classify(feature: { geometryType: string; properties: Record<string, unknown> }): { status: FeatureStatus; rule: string } | { status: 'unmatched'; rule: null };
}

const POLYGONAL = new Set(['Polygon', 'MultiPolygon', 'GeometryCollection']);

/** A source's rule set, kept as data in rules/<source>.json. */
export function ruleSetClassifier(source: string): Classifier {
  const rules = loadRuleSet(source);
  return {
    id: `${rules.source}@${rules.version}`,
    classify: (f) => classify(rules, { geometryType: f.geometryType, properties: f.properties }),
  };
}

/** Every polygon has one status: daily occupied-area files, or a file imported with --status. */
export function constantClassifier(source: string, status: 'occupied' | 'dismissed' | 'contested'): Classifier {
  return {
    id: `${source}@all-${status}`,
    classify: (f) => (POLYGONAL.has(f.geometryType) ? { status, rule: `all-${status}` } : { status: 'not-territory', rule: 'not-polygonal' }),
  };
}
