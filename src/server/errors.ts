/**
 * The one place where errors become HTTP statuses. A `UserError` from the analytics (an unknown
 * region set, a date before the history) is the caller's mistake and keeps its one-line
 * message; anything else is ours: logged in full, answered with a generic 500.
 */
import { UserError } from '../model/errors.js';

/** An error with the status it is answered with; its message goes to the client as is. */
export class HttpError extends UserError {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);
export const notFound = (message: string): HttpError => new HttpError(404, message);

export interface ErrorReply {
  status: number;
  message: string;
  /** Set for unexpected errors: what to log (never sent). */
  internal?: unknown;
}

export function errorReply(e: unknown): ErrorReply {
  if (e instanceof HttpError) return { status: e.status, message: e.message };
  if (e instanceof UserError) return { status: 400, message: e.message };
  return { status: 500, message: 'internal error; the server log has the details', internal: e };
}
