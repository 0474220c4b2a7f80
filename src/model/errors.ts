/**
 * An error meant for the person running frontline: its message is one line that says
 * what was wrong and where. The CLI prints it without a stack trace and exits non-zero;
 * the HTTP server maps it to a 4xx status.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}
