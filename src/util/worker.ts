/**
 * Starts a worker thread from a module next to the caller, whether the project runs from its
 * TypeScript sources (tests, development: the worker must register tsx's loader itself) or from
 * the compiled dist/.
 */
import { Worker } from 'node:worker_threads';

/** `moduleName` is the worker module beside `callerUrl`, without extension: .js when built, .ts from sources. */
export function startWorker(callerUrl: string, moduleName: string, workerData?: unknown): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(`./${moduleName}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(url, { workerData });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
