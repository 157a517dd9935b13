/** Command-line options of `npm run bench`. */
import { parseArgs } from 'node:util';
import { region } from '../contracts/aws-ids';
import { MAX_GROUPS } from './group-fleet';
import type { BenchMode } from './types';

const MODES: BenchMode[] = ['shared', 'per-run', 'sdk-waiter'];
/** Each worker is a Node process of a few hundred MiB on a 2-core machine. */
const MAX_WORKERS = 8;

export interface BenchOptions {
  ns: number[];
  /** The modes to run, in (a), (b), (c) order. */
  modes: BenchMode[];
  rollout: number;
  /** The rollout's root-volume poll interval. */
  rolloutInterval: string;
  longPolls: number;
  historySample: number;
  outDir: string;
  skipRollout: boolean;
  skipProbe: boolean;
  /** Regions every AMI pipeline copies its image to, beyond the build Region; none by default. */
  copyRegions: string[];
  /** Auto Scaling groups of the groups scenario (`--groups`); 0 skips it, the default. */
  groups: number;
  /** Only the history probe, written to history-probe.json. */
  probeOnly: boolean;
  /** Worker processes of the AMI scenarios: each N runs once per count. */
  workers: number[];
}

const USAGE = `npm run bench [-- --quick] [-- --n 100,500] [--workers 1,4] [--modes shared,per-run] [--copy-regions us-west-2,eu-west-1] [--groups 10] [--rollout 1000] [--rollout-interval 15s] [--no-rollout] [--no-probe] [--long-polls 1000] [--out bench/results]
  --quick       only N=100, a 20-instance rollout (5 s polls) and a 100-poll history probe: a fast check
  --n           the AMI pipeline counts (default 100,500,1000), or none
  --workers     worker processes on the task queue of the AMI scenarios, each count a row of mode (a); mode (b) runs
                on the fewest (default 1,4; --quick: 1)
  --modes       which of shared, per-run, sdk-waiter to run (default all three)
  --copy-regions  every AMI pipeline of modes (a) and (b) also copies its image to these Regions (default none)
  --groups      also refresh this many Auto Scaling groups (2-4 instances each, at most ${MAX_GROUPS}) in modes (a) and (b):
                one pipeline refreshing them all at once, and one pipeline per group (default none)
  --rollout     instances in the rollout scenario (default 1000, at most 10000)
  --rollout-interval  the rollout's root-volume poll interval (default 15s, the pipeline's default; --quick: 5s)
  --no-rollout  skip the rollout scenario
  --no-probe    skip the history probe
  --probe-only  only the history probe (1 poll vs --long-polls polls), written to history-probe.json
  --long-polls  polls of the long wait in the history probe (default 1000)
  --out         where results.json, results.md and chart.svg go (default bench/results)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      n: { type: 'string' },
      workers: { type: 'string' },
      modes: { type: 'string' },
      rollout: { type: 'string' },
      'rollout-interval': { type: 'string' },
      'no-rollout': { type: 'boolean', default: false },
      'no-probe': { type: 'boolean', default: false },
      'copy-regions': { type: 'string' },
      groups: { type: 'string' },
      'probe-only': { type: 'boolean', default: false },
      'long-polls': { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = (text: string, what: string, max = 5000) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`bench: ${what} must be a whole number from 1 to ${max}, not ${text}`);
    return n;
  };
  const quick = values.quick;
  return {
    // `--n none` skips the AMI scenarios (e.g. to rerun only the rollout and the history probe).
    ns: values.n === 'none' ? [] : (values.n ?? (quick ? '100' : '100,500,1000')).split(',').map((s) => count(s.trim(), '--n')),
    modes: modesFrom(values.modes),
    workers: (values.workers ?? (quick ? '1' : '1,4')).split(',').map((s) => count(s.trim(), '--workers', MAX_WORKERS)),
    rollout: count(values.rollout ?? (quick ? '20' : '1000'), '--rollout', 10_000),
    // The pipeline's default poll; --quick polls the rollout's tasks every 5 s, to finish sooner.
    rolloutInterval: values['rollout-interval'] ?? (quick ? '5s' : '15s'),
    skipRollout: values['no-rollout'],
    skipProbe: values['no-probe'],
    copyRegions: regionsFrom(values['copy-regions']),
    groups: values.groups === undefined ? 0 : count(values.groups, '--groups', MAX_GROUPS),
    probeOnly: values['probe-only'],
    longPolls: count(values['long-polls'] ?? (quick ? '100' : '1000'), '--long-polls'),
    historySample: 20,
    outDir: values.out,
  };
}

function modesFrom(text: string | undefined): BenchMode[] {
  if (text === undefined) return MODES;
  const asked = text.split(',').map((s) => s.trim());
  const unknown = asked.filter((m) => !MODES.includes(m as BenchMode));
  if (unknown.length || !asked.length) throw new Error(`bench: --modes takes ${MODES.join(', ')}, not ${text}`);
  return MODES.filter((m) => asked.includes(m));
}

function regionsFrom(text: string | undefined): string[] {
  if (text === undefined) return [];
  const asked = text.split(',').map((s) => s.trim());
  const bad = asked.filter((r) => !region.safeParse(r).success);
  if (bad.length) throw new Error(`bench: --copy-regions takes Region codes such as us-west-2, not ${bad.join(', ')}`);
  return asked;
}
