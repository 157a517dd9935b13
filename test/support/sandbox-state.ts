/**
 * The end-of-test check every reliability test makes on the sandbox: what the pipelines left behind,
 * read from the admin API's state dump. No run may have made an AMI, a root-volume task or an AppStream
 * image twice, no image may be left half-removed (deregistered with its snapshots still there), and no
 * instance a bake launched may be left running.
 */
import assert from 'node:assert/strict';
import type { SandboxAdmin, CallCounts, StateDump } from '@golden-image/aws-sandbox';
import { INSTANCE_ROLE_TAG, PIPELINE_TAG, RUN_TAG } from '../../contracts/tags';

export interface SandboxExpectation {
  /** The AMI IDs carrying a pipeline tag that must still be registered: exactly these. */
  amis?: string[];
  /** The pipeline-tagged AppStream images that must still be live (not DELETING): exactly these names. */
  appStreamImages?: string[];
  /** How many replace-root-volume tasks each instance must have: exactly these instances. */
  tasksPerInstance?: Record<string, number>;
}

/** Values that occur more than once; undefined ones (a resource no run tagged) are left out. */
const duplicates = (values: (string | undefined)[]) => values.filter((v, i) => v !== undefined && values.indexOf(v) !== i);

/** Asserts the invariants, then the expectation; returns the dump for further checks. */
export async function checkSandbox(admin: SandboxAdmin, expected: SandboxExpectation = {}): Promise<StateDump> {
  const state = await admin.state();
  const liveAmis = state.images.filter((i) => !i.deregistered && i.tags[PIPELINE_TAG] !== undefined);
  assert.deepEqual(duplicates(liveAmis.map((i) => i.tags[RUN_TAG])), [], 'a run made more than one AMI');
  assert.deepEqual(duplicates(state.images.filter((i) => !i.deregistered).map((i) => i.name)), [], 'two live AMIs share a name');

  // A deregistered pipeline image must have taken its snapshots with it, and every pipeline snapshot belongs to a live image.
  const liveSnapshots = new Set(state.images.filter((i) => !i.deregistered).flatMap((i) => i.snapshotIds));
  const orphans = state.snapshots.filter((s) => s.tags[PIPELINE_TAG] !== undefined && !liveSnapshots.has(s.id)).map((s) => s.id);
  assert.deepEqual(orphans, [], 'orphaned snapshots of pipeline images');

  const tasks = state.replaceRootVolumeTasks;
  assert.deepEqual(
    duplicates(tasks.map((t) => `${t.instanceId} ${t.clientToken}`)),
    [],
    'a replacement ran twice for one run and instance',
  );
  assert.deepEqual(duplicates(tasks.map((t) => `${t.instanceId} ${t.imageId}`)), [], 'one image was rolled onto an instance twice');

  // Every instance a bake launched is terminated (or on its way) once its run has ended, whatever happened.
  const leftRunning = state.instances.filter(
    (i) => i.tags[INSTANCE_ROLE_TAG] !== undefined && !['shutting-down', 'terminated'].includes(i.state),
  );
  assert.deepEqual(
    leftRunning.map((i) => `${i.tags[INSTANCE_ROLE_TAG]} ${i.id} ${i.state}`),
    [],
    'instances a run launched are left running',
  );

  const liveAppStream = state.appstream.images.filter((i) => i.tags[PIPELINE_TAG] !== undefined && i.state !== 'DELETING');
  assert.deepEqual(duplicates(liveAppStream.map((i) => i.tags[RUN_TAG])), [], 'a run made more than one AppStream image');

  if (expected.amis) assert.deepEqual(liveAmis.map((i) => i.id).sort(), [...expected.amis].sort(), 'registered pipeline AMIs');
  if (expected.appStreamImages)
    assert.deepEqual(liveAppStream.map((i) => i.name).sort(), [...expected.appStreamImages].sort(), 'live AppStream images');
  if (expected.tasksPerInstance) {
    const perInstance: Record<string, number> = {};
    for (const task of tasks) perInstance[task.instanceId] = (perInstance[task.instanceId] ?? 0) + 1;
    assert.deepEqual(perInstance, expected.tasksPerInstance, 'replace-root-volume tasks per instance');
  }
  return state;
}

/**
 * Calls that change something, by service and action. The AppStream dry run is counted by the sandbox
 * as a CreateUpdatedImage too, so the caller says how many of those were dry runs.
 */
export function mutatingCallsOf(calls: CallCounts, dryRuns = 0): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const [service, actions] of Object.entries(calls)) {
    for (const [action, count] of Object.entries(actions)) {
      const total = action === 'CreateUpdatedImage' ? count.total - dryRuns : count.total;
      if (!/^(Describe|List)/.test(action) && total !== 0) counted[`${service}:${action}`] = total;
    }
  }
  return counted;
}

/** The sum of one field (total, throttled, faulted) across every action of every service. */
export function callTotal(calls: CallCounts, field: 'total' | 'throttled' | 'faulted'): number {
  return Object.values(calls)
    .flatMap((actions) => Object.values(actions))
    .reduce((sum, count) => sum + count[field], 0);
}
