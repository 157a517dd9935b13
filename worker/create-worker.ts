/**
 * The worker definition shared by the production entry point, the dev stack and the tests:
 * every workflow in workflows/, and the activities bound to the given AWS clients; beside it, one
 * activity worker per rate-governor lane (activities/aws/rate-governor.ts), each polling its lane at
 * the bucket's refill rate. They run and stop as one.
 */
import type { DataConverter, WorkerDeploymentVersion } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { AwsClients } from '../activities/aws/clients';
import { DEFAULT_GOVERNOR, lanesOf, type RateGovernorSettings } from '../activities/aws/rate-governor';
import type { WaitMode } from '../activities/aws/state-watcher';
import type { NotifierSettings } from '../activities/notify/settings';
import { tracedActivityInterceptors, workflowSpanSinks } from './tracing';
import { workflowInterceptorModules, WORKFLOWS_PATH } from './workflow-bundle';
import { configuredTaskQueue } from '../contracts/task-queue';
import type { Tracing } from '../contracts/tracing';

export interface GoldenImageWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  clients: AwsClients;
  taskQueue?: string;
  /**
   * A bundle made beforehand (lib/workflow-bundle.js, or a test file's); without one the worker bundles at start.
   * A traced worker needs the traced bundle (workflow-bundle.ts) for its runs' workflow spans.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload encryption (see encryption-codec.ts); undefined stores payloads as plain JSON. */
  dataConverter?: DataConverter;
  /** How waits poll: one shared watcher (the default), or each on its own (a benchmark baseline). */
  waitMode?: WaitMode;
  /** Runs kept in memory between their tasks (default DEFAULT_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number;
  /** Where mutating calls go through lanes, and at what rates (default: the home Region and account, at AWS's); false: no limits. */
  governor?: RateGovernorSettings | false;
  /** OpenTelemetry tracing (contracts/tracing.ts); undefined: no spans, and no tracing interceptor. */
  tracing?: Tracing;
  /** Default channels, the webhook secret and the UI's address (activities/notify/settings.ts); without them no default channel. */
  notifications?: NotifierSettings;
  /** This build's Worker Deployment Version (deployment-version.ts); undefined: unversioned, every worker takes every run. */
  deployment?: WorkerDeploymentVersion;
}

/** The main worker and its lane workers, run and stopped together. */
export interface GoldenImageWorker {
  run(): Promise<void>;
  shutdown(): void;
  getState(): ReturnType<Worker['getState']>;
}

/**
 * The SDK sizes its workflow cache from the heap limit, which on a large machine keeps every run in
 * memory. A pipeline spends minutes between its tasks, and an evicted run is rebuilt from its short
 * history (tens of events) in milliseconds at its next task, the more cheaply as its code builds no
 * schema (workflow-bundle.ts), so a small cache costs little CPU and keeps the worker's memory bounded:
 * 1000 pipelines on one worker took 73 ms of CPU each and 591 MiB at most (bench/results/workflow-code).
 * The workflow thread has the worker's heap (`npm run worker`: 512 MiB), which 250 cached runs of the
 * earlier, schema-building code filled at N = 500.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;

/**
 * Most activity attempts are waits, and a wait's attempt may sit in the shared watcher until its next
 * describe. With the SDK's 100 slots, 100 such attempts would hold back every other activity (and the
 * waits that come back a moment later) at fleet scale; a waiting attempt costs a pending promise.
 */
const MAX_CONCURRENT_ACTIVITIES = 2_000;

/**
 * How a run moves between builds under worker versioning: every workflow type is pinned, so a run
 * finishes on the build it started on, and an upgrade needs no patch to be safe for the runs under way.
 * - amiPipeline, appStreamImageUpdate: hours to days (image waits, the approval gate, 24 h by default).
 *   Auto-upgrade would move them onto a new build at their next task, so every change to them would have
 *   to be patched, and a release that forgot would break the runs waiting for approval. Pinned, they
 *   keep the old build's workers busy until they end (README: Upgrading workers).
 * - appStreamImageBuilder, appStreamFleetRollback: minutes to hours of waits, on the build that began them.
 * - rootVolumeRollout, rootVolumeReplacement: children on their parent's task queue. Pinned, a child
 *   inherits its parent's build even when a newer one became current meanwhile, so a pipeline, its
 *   rollout and the replacements run one build, and no input or result crosses builds. A rollback's
 *   replacements (abandoned by their parent) keep it too.
 * The rate governor is no workflow: a workflow interceptor, inside each build's bundle.
 *
 * The behavior is the worker's default, not each workflow's own setWorkflowOptions(): a workflow that
 * declares a behavior fails every task on an unversioned worker ("versioning behavior cannot be
 * specified without deployment options"), and unversioned is how local development and the tests run.
 */
const VERSIONING_BEHAVIOR = 'PINNED';

/** One poll per partition of a task queue (four by default): a task the rate lets through finds a poll waiting, not the backlog. */
const LANE_POLLS = 4;

export async function createWorker(options: GoldenImageWorkerOptions): Promise<GoldenImageWorker> {
  const namespace = options.namespace ?? 'default';
  const taskQueue = options.taskQueue ?? configuredTaskQueue();
  const governor = options.governor ?? DEFAULT_GOVERNOR;
  const activities = createActivities(options.clients, options.waitMode, governor, options.notifications);
  const dataConverter = options.dataConverter ? { dataConverter: options.dataConverter } : {};
  const activityInterceptors = options.tracing ? { activity: tracedActivityInterceptors } : {};
  const main = await Worker.create({
    connection: options.connection,
    namespace,
    taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    interceptors: {
      ...activityInterceptors,
      // Only read when the worker bundles for itself: a bundle made beforehand carries its own.
      ...(!options.workflowBundle && { workflowModules: workflowInterceptorModules(Boolean(options.tracing)) }),
    },
    ...(options.tracing && { sinks: workflowSpanSinks(options.tracing) }),
    activities,
    maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    maxConcurrentActivityTaskExecutions: MAX_CONCURRENT_ACTIVITIES,
    ...(options.deployment
      ? {
          workerDeploymentOptions: {
            useWorkerVersioning: true,
            version: options.deployment,
            defaultVersioningBehavior: VERSIONING_BEHAVIOR,
          },
        }
      : {}),
    ...dataConverter,
  });
  const lanes = lanesOf(governor, taskQueue, await options.clients.homeRegion());
  // The lanes stay unversioned, whatever the main worker is. A lane is outside every version, so a
  // pinned run's governed call is an "independent activity" that the server hands to any worker polling
  // the lane: old and new builds share each lane, and with it the one rate limit AWS's bucket asks for,
  // while both run during an upgrade. Activities replay nothing; like any activity they keep their
  // arguments compatible from one build to the next.
  const laneWorkers = await Promise.all(
    lanes.map((lane) =>
      Worker.create({
        connection: options.connection,
        namespace,
        taskQueue: lane.taskQueue,
        activities,
        // Server-side: the lane's tasks are handed out at this rate across every worker that polls it.
        ...(lane.perSecond ? { maxTaskQueueActivitiesPerSecond: lane.perSecond } : {}),
        maxConcurrentActivityTaskPolls: LANE_POLLS,
        ...dataConverter,
        interceptors: activityInterceptors,
      }),
    ),
  );
  const all = [main, ...laneWorkers];
  return {
    getState: () => main.getState(),
    shutdown() {
      for (const worker of all) if (worker.getState() === 'RUNNING') worker.shutdown();
    },
    async run() {
      // One stopping (a signal, a fatal error) stops the rest, and run() settles once all have.
      const runs = all.map((worker) =>
        worker.run().finally(() => {
          for (const other of all) if (other.getState() === 'RUNNING') other.shutdown();
        }),
      );
      const outcomes = await Promise.allSettled(runs);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
