/**
 * What `golden-image report` shows of one run, gathered in one place: the run's description, its
 * stage table (the `progress` query), its result or failure, its rollout's instances, and what only
 * the history holds: the approval answers, the notifications sent, and the activities per action.
 * The renderers (report/html.ts, report/markdown.ts) only lay this out.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { GroupRow } from '../../contracts/instance-refresh';
import { placeName, type Place } from '../../contracts/place';
import type { InstanceRow, RolloutSummary, StageRow } from '../../contracts/progress';
import { rolloutWorkflowId } from '../../contracts/root-volume-rollout';
import { PIPELINE } from '../../contracts/search-attributes';
import type { ApprovalDecision } from '../../contracts/approval';
import { listRolloutInstances } from '../rollout-instances';
import { readApprovals, readRunHistory, type RunHistoryFacts } from './run-history';
import { awaitOutcome, runProgress } from '../runs';

/** The most instances a report lists by name; the rollout's counts cover the rest. */
export const REPORT_INSTANCES = 100;

/**
 * How long the report waits for the run's queries (its progress, its rollout's instances), all told. A
 * worker answers them by replaying the run, a moment for a long history; with no worker on the run's task
 * queue they would wait indefinitely, and the report reads the stages from the history instead.
 */
const QUERY_DEADLINE_MS = 10_000;

export interface ReportImage {
  /** Where it lives, as people read it: `us-west-2`, `444455556666/us-west-2`, `the build Region`. */
  place: string;
  /** An AMI ID, or an AppStream image's ARN. */
  id: string;
  name?: string;
  /** The run's own image, not a copy. */
  original: boolean;
}

export interface RunReport extends Omit<RunHistoryFacts, 'stages'> {
  workflowId: string;
  runId: string;
  /** The pipeline kind: the workflow type. */
  type: string;
  /** The config's name (`GoldenImagePipeline`). */
  pipeline?: string;
  status: string;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  stages: StageRow[];
  /** Where the stages come from: the `progress` query, or, with no worker to answer it, the history. */
  stagesFrom: 'progress' | 'history';
  images: ReportImage[];
  rollout?: RolloutSummary;
  /** The rollout's instances by name, at most REPORT_INSTANCES. */
  instances: InstanceRow[];
  groups: GroupRow[];
  /** The answer the run went on with, from its result. */
  decision?: ApprovalDecision;
  /** What the run published (launch-template versions, SSM parameters). */
  published: string[];
  retired: string[];
  error?: string;
}

/** Everything the report shows of a run (its latest, or `runId`). */
export async function gatherRunReport(client: Client, workflowId: string, runId?: string): Promise<RunReport> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const description = await handle.describe();
  const closed = description.status.name !== 'RUNNING';
  const deadline = Date.now() + QUERY_DEADLINE_MS;
  const [history, progress, outcome] = await Promise.all([
    handle.fetchHistory(),
    client.withDeadline(deadline, () => runProgress(handle)).catch(() => undefined),
    closed ? awaitOutcome<Record<string, unknown>>(handle) : undefined,
  ]);
  const result = outcome?.result;
  const rollout = (result?.rollout as RolloutSummary | undefined) ?? progress?.rollout;
  const instances = rollout
    ? await client
        .withDeadline(deadline, () => rolloutInstances(client, handle, progress?.instances))
        .catch(() => progress?.instances ?? [])
    : (progress?.instances ?? []);
  const closeTime = description.closeTime?.toISOString();
  const { stages, ...facts } = await readRunHistory(history.events ?? [], client.options.loadedDataConverter, {
    status: description.status.name,
    closeTime,
  });
  // A rollout's canary takes its answers in the rollout workflow (a Workflow Update cannot be passed on to a child).
  const rolloutHistory = facts.children.some((c) => c.type === 'rootVolumeRollout')
    ? await client.workflow
        .getHandle(rolloutWorkflowId(workflowId))
        .fetchHistory()
        .catch(() => undefined)
    : undefined;
  if (rolloutHistory) {
    facts.approvals.push(...(await readApprovals(rolloutHistory.events ?? [], client.options.loadedDataConverter)));
    facts.approvals.sort((a, b) => a.at.localeCompare(b.at));
  }
  return {
    workflowId,
    runId: description.runId,
    type: description.type,
    pipeline: description.typedSearchAttributes.get(PIPELINE) ?? progress?.pipeline,
    status: description.status.name,
    taskQueue: description.taskQueue,
    startTime: description.startTime.toISOString(),
    closeTime,
    stages: progress?.stages ?? stages,
    stagesFrom: progress ? 'progress' : 'history',
    images: result ? imagesOf(result) : [],
    rollout,
    instances,
    groups: (result?.groups as GroupRow[] | undefined) ?? progress?.groups ?? [],
    decision: result?.approval as ApprovalDecision | undefined,
    ...facts,
    published: (result?.published as string[] | undefined) ?? [],
    retired: (result?.retired as string[] | undefined) ?? [],
    error: outcome?.error,
  };
}

/**
 * The run's images from its result, whichever kind it is: an AMI (`imageId`, `copies` placed by Region
 * and account) or an AppStream image (`arn`, `copies` by Region).
 */
function imagesOf(result: Record<string, unknown>): ReportImage[] {
  const name = typeof result.imageName === 'string' ? result.imageName : undefined;
  const id = (result.imageId ?? result.arn) as string | undefined;
  if (!id || result.unchanged) return [];
  const copies = (result.copies ?? []) as ({ place: Place; imageId: string } | { region?: string; name: string; arn: string })[];
  return [
    { place: placeName({}), id, name, original: true },
    ...copies.map((copy) =>
      'place' in copy
        ? { place: placeName(copy.place), id: copy.imageId, name, original: false }
        : { place: placeName({ region: copy.region }), id: copy.arn, name: copy.name, original: false },
    ),
  ];
}

/** The first page of the rollout's instances, as `status --instances` lists them; a run's own rows when it has no rollout workflow. */
async function rolloutInstances(client: Client, handle: WorkflowHandle, own: InstanceRow[] | undefined): Promise<InstanceRow[]> {
  const page = await listRolloutInstances(client, handle.workflowId, { pageSize: REPORT_INSTANCES }).catch(() => undefined);
  // Visibility lists them newest first; a report reads better in a stable order.
  return [...(page?.instances ?? own ?? [])].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}
