/**
 * Every instance of a rollout, a page at a time, for `golden-image status --instances`. A rollout
 * keeps only counts and the failed instances in its own state (so that 10,000 instances fit), and
 * each instance is a `rootVolumeReplacement` child: the instances it has started are listed from
 * Temporal's visibility store (eventually consistent, by a second or so), then the ones it has not
 * started from the rollout itself. A run that rolled out inline, before the rollout workflow, has
 * every row in its own progress.
 */
import { WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { progressQuery, type InstanceRow } from '../contracts/progress';
import { notStartedQuery, rollbackWorkflowId, rolloutWorkflowId } from '../contracts/root-volume-rollout';
import { RESOURCES } from '../contracts/search-attributes';

export interface InstancePage {
  instances: InstanceRow[];
  /** Pass it back for the next page; absent on the last one. */
  nextPageToken?: string;
}

/** Where a listing stands: in the visibility store's pages, or at an offset among the instances not started. */
type Cursor = { visibility: string } | { notStarted: number } | { inline: number };

const encode = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decode(token: string | undefined): Cursor {
  if (!token) return { visibility: '' };
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString()) as Cursor;
  } catch {
    throw new Error(`not a page token from golden-image status --instances: ${token}`);
  }
}

const { WorkflowExecutionStatus } = temporal.api.enums.v1;
/** The other ends (failed, terminated, timed out, cancelled) are read from the child's failure. */
const VISIBILITY_STATES = new Map<temporal.api.enums.v1.WorkflowExecutionStatus, InstanceRow['state']>([
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, 'running'],
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED, 'succeeded'],
]);

export async function listRolloutInstances(
  client: Client,
  workflowId: string,
  options: { pageSize: number; pageToken?: string },
): Promise<InstancePage> {
  const rollout = await findRollout(client, workflowId);
  let cursor = decode(options.pageToken);
  if ('inline' in cursor || !rollout) {
    const rows = (await client.workflow.getHandle(workflowId).query(progressQuery)).instances ?? [];
    const offset = 'inline' in cursor ? cursor.inline : 0;
    const end = offset + options.pageSize;
    return { instances: rows.slice(offset, end), ...(end < rows.length && { nextPageToken: encode({ inline: end }) }) };
  }
  if ('visibility' in cursor) {
    const page = await startedInstances(client, rollout, options.pageSize, cursor.visibility);
    if (page.next) return { instances: page.instances, nextPageToken: encode({ visibility: page.next }) };
    const notStarted = await rollout.query(notStartedQuery, { offset: 0, limit: 0 });
    if (page.instances.length) {
      return { instances: page.instances, ...(notStarted.total > 0 && { nextPageToken: encode({ notStarted: 0 }) }) };
    }
    cursor = { notStarted: 0 };
  }
  const notStarted = await rollout.query(notStartedQuery, { offset: cursor.notStarted, limit: options.pageSize });
  const end = cursor.notStarted + notStarted.instanceIds.length;
  return {
    instances: notStarted.instanceIds.map((instanceId) => ({ instanceId, state: notStarted.state })),
    ...(end < notStarted.total && { nextPageToken: encode({ notStarted: end }) }),
  };
}

/** The rollout workflow behind a pipeline run (or the run itself, when it is one); none for an inline rollout. */
async function findRollout(client: Client, workflowId: string): Promise<WorkflowHandle | undefined> {
  const run = await client.workflow.getHandle(workflowId).describe();
  if (run.type === 'rootVolumeRollout') return client.workflow.getHandle(workflowId);
  const rollout = client.workflow.getHandle(rolloutWorkflowId(workflowId));
  try {
    await rollout.describe();
    return rollout;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

async function startedInstances(client: Client, rollout: WorkflowHandle, pageSize: number, token: string) {
  const prefix = `${rollout.workflowId}/`;
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query: `WorkflowType = 'rootVolumeReplacement' AND WorkflowId STARTS_WITH '${quoted(prefix)}'`,
    pageSize,
    nextPageToken: Buffer.from(token, 'base64url'),
  });
  const replaced = await Promise.all(response.executions.map((execution) => childRow(client, execution, prefix)));
  const instances = await withRollbacks(client, rollout.workflowId, replaced);
  const next = response.nextPageToken?.length ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
  return { instances, next };
}

const quoted = (text: string) => text.replaceAll("'", "\\'");

/** One `rootVolumeReplacement` child as a row: its instance, how it ended, its task and the image it put on. */
async function childRow(client: Client, execution: temporal.api.workflow.v1.IWorkflowExecutionInfo, prefix: string): Promise<InstanceRow> {
  const id = execution.execution?.workflowId ?? '';
  const resourcesField = execution.searchAttributes?.indexedFields?.[RESOURCES.name];
  const resources = resourcesField ? defaultPayloadConverter.fromPayload<string[]>(resourcesField) : [];
  const taskId = resources.find((r) => r.startsWith('replacevol-'));
  const found = { instanceId: id.slice(prefix.length), ...(taskId && { taskId }) };
  const state = execution.status ? VISIBILITY_STATES.get(execution.status) : undefined;
  // The image it put on, once it has (replacements started before they named their image have none).
  const imageId = state === 'succeeded' ? resources.find((r) => r.startsWith('ami-')) : undefined;
  if (state) return { ...found, state, ...(imageId && { imageId }) };
  return { ...found, ...(await howItFailed(client.workflow.getHandle(id, execution.execution?.runId ?? undefined))) };
}

/**
 * Instances the rollout moved and then rolled back (`onFailure: rollback`): one visibility call per
 * page finds their rollbacks, and each row then says how the rollback went and which image it ends on.
 */
async function withRollbacks(client: Client, rolloutId: string, rows: InstanceRow[]): Promise<InstanceRow[]> {
  const moved = rows.filter((r) => r.state === 'succeeded');
  if (!moved.length) return rows;
  const prefix = rollbackWorkflowId(rolloutId, '');
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query: `WorkflowId IN (${moved.map((r) => `'${quoted(prefix + r.instanceId)}'`).join(', ')})`,
    pageSize: moved.length,
  });
  const found = await Promise.all(response.executions.map((execution) => childRow(client, execution, prefix)));
  const rollbacks = new Map(found.map((row) => [row.instanceId, row]));
  return rows.map((r) => {
    const rollback = rollbacks.get(r.instanceId);
    return rollback ? rolledBackRow(rollback, r.imageId) : r;
  });
}

/** A rollback child's row in the rollout's terms; one that failed leaves the instance on the new image (unless detached). */
function rolledBackRow(row: InstanceRow, newImageId: string | undefined): InstanceRow {
  switch (row.state) {
    case 'running':
      return { ...row, state: 'rolling-back' };
    case 'succeeded':
      return { ...row, state: 'rolled-back' };
    case 'failed-detached':
      return { ...row, detail: `rollback: ${row.detail ?? ''}` };
    default:
      return { ...row, state: 'rollback-failed', imageId: newImageId, detail: `rollback: ${row.detail ?? ''}` };
  }
}

/** A replacement that did not complete: failed (with AWS's reason), left without a root volume, or stopped from outside. */
async function howItFailed(handle: WorkflowHandle): Promise<Pick<InstanceRow, 'state' | 'detail'>> {
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  const detached = cause instanceof ApplicationFailure && cause.type === 'RootVolumeDetached';
  return { state: detached ? 'failed-detached' : 'failed', detail: cause instanceof Error ? cause.message : 'ended without a result' };
}
