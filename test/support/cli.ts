/** Runs the real CLI in a child process, the way a user does. */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult { code: number; stdout: string; stderr: string }

export function frontline(args: string[], opts: { env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    maxBuffer: 512 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command to completion without blocking the event loop, collecting its output. */
export function runCommand(cmd: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** The CLI through runCommand (for tests that serve HTTP in this process). */
export function frontlineAsync(args: string[]): Promise<CliResult> {
  return runCommand(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]);
}

/** A `frontline serve` child process that has printed the URL it listens on. */
export interface ServeProcess {
  url: string;
  /** Everything the process has written so far. */
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  kill: (signal?: NodeJS.Signals) => void;
}

/** Starts `frontline serve` with `args` (and `--port 0` if no port is given) and waits until it listens. */
export async function startServe(args: string[], opts: { env?: Record<string, string> } = {}): Promise<ServeProcess> {
  const argv = args.includes('--port') ? args : [...args, '--port', '0'];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...argv], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let out = '', err = '';
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening: ${err}`)));
  });
  return { url, stdout: () => out, stderr: () => err, exited, kill: (signal) => child.kill(signal) };
}
