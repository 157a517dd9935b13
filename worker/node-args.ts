/**
 * The Node flags the production worker runs with. They are written once, in package.json's `worker`
 * script (`node <flags> <script>`), and read from there, so that the workers tests and the benchmark
 * spawn run with exactly the production flags.
 *
 * The flag there is the heap limit: V8 lets a heap grow toward its default limit, several GiB on a large
 * machine, before it collects in earnest, so a worker running 1000 pipelines held 1.5–2 GiB that was
 * mostly garbage. A 512 MiB heap keeps the worker near 1 GiB in all at that scale, for some more CPU
 * spent collecting.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

function workerScriptFlags(): string[] {
  const packageJson = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [node, ...rest] = packageJson.scripts.worker!.trim().split(/\s+/);
  if (node !== 'node' || !rest.length) throw new Error(`package.json's worker script is not \`node <flags> <script>\`: ${packageJson.scripts.worker}`);
  return rest.slice(0, -1);
}

export const WORKER_NODE_ARGS = workerScriptFlags();
