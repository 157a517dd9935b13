/**
 * A worker loads the workflow code again for every run it starts or brings back into its cache, so
 * what that code imports is paid for at every workflow task of an evicted run. Schemas are the
 * heaviest part of contracts/ (most of a run's load time and memory, measured in bench/), and a
 * workflow never needs one: the input is validated by a local activity. This walks the workflow
 * code's imports from its entry points, as the bundle evaluates them when a run loads, and checks
 * that none of them reaches zod.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../worker/workflow-bundle';

/**
 * The modules a file imports (or re-exports) for their values at load time, side-effect imports included:
 * `import type` and `{ type X }` are erased, and a `require()` inside a function waits for its call.
 */
function valueImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const imports = [...source.matchAll(/^(?:import|export)\s+(?!type\b)([^;]*?)\s*from\s+'([^']+)';/gms)];
  const sideEffects = [...source.matchAll(/^import\s+'([^']+)';/gm)].map(([, from = '']) => from);
  return imports
    .filter(
      ([, names = '']) =>
        !/^\{[^}]*\}$/s.test(names) ||
        names
          .slice(1, -1)
          .split(',')
          .map((n) => n.trim())
          .some((n) => n && !/^type\s/.test(n)),
    )
    .map(([, , from = '']) => from)
    .concat(sideEffects);
}

function reachedFrom(entries: string[]): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  const visit = (file: string, chain: string[]) => {
    if (chains.has(file)) return;
    chains.set(file, chain);
    for (const from of valueImports(file)) {
      if (!from.startsWith('.')) {
        chains.set(from, [...chain, file]);
        continue;
      }
      visit(require.resolve(path.resolve(path.dirname(file), from)), [...chain, file]);
    }
  };
  for (const entry of entries) visit(entry, []);
  return chains;
}

test('workflow code imports no schema: no module it loads imports zod', () => {
  const entries = [WORKFLOWS_PATH, ...WORKFLOW_INTERCEPTOR_MODULES].map((p) => p.replace(/\.js$/, '.ts'));
  const reached = reachedFrom(entries);
  assert.ok(reached.size > 20, `only ${reached.size} modules reached: the walk is broken`);
  assert.ok(reached.has('@temporalio/workflow'));
  const zod = [...reached].filter(([name]) => name === 'zod' || name.startsWith('zod/'));
  const root = path.resolve(__dirname, '..');
  assert.deepEqual(
    zod.map(([, chain]) => chain.map((file) => path.relative(root, file)).join(' → ')),
    [],
    'a module workflow code loads imports zod; move the schema out of it (as contracts/duration-fields.ts is out of durations.ts)',
  );
});
