/** Which classifier a stored source uses: known sources by name, the rest by what the import recorded. */
import { UserError } from '../model/errors.js';
import { constantClassifier, ruleSetClassifier, type Classifier } from '../rules/classifier.js';

export function classifierFor(source: string, recorded: string | undefined): Classifier {
  if (recorded) {
    const m = /^(.*)@all-(occupied|dismissed|contested)$/.exec(recorded);
    if (m) return constantClassifier(m[1]!, m[2] as 'occupied' | 'dismissed' | 'contested');
    const name = recorded.split('@')[0]!;
    return ruleSetClassifier(name);
  }
  if (source === 'deepstate') return ruleSetClassifier('deepstate');
  throw new UserError(`source "${source}" has no recorded rule set; import it again`);
}
