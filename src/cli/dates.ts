import { UserError } from '../model/errors.js';

/** Parses YYYY-MM-DD (or a full ISO time) as UTC; `end` gives the last millisecond of that day. */
export function parseDate(value: string | undefined, flag: string, end = false): Date {
  if (!value) throw new UserError(`${flag} is required (YYYY-MM-DD)`);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const t = m ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(t.getTime()) || (m && t.toISOString().slice(0, 10) !== value)) {
    throw new UserError(`${flag} ${JSON.stringify(value)} is not a date (expected YYYY-MM-DD)`);
  }
  return m && end ? new Date(t.getTime() + 86_400_000 - 1) : t;
}
