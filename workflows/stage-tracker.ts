/**
 * Keeps one run's stage table and mirrors every change to the three places people look:
 * the `progress` query, the run's current details in the Temporal UI, and the search attributes.
 * Every workflow type uses it, so all of them look alike in the UI.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  isCancellation,
  metricMeter,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import {
  progressQuery,
  STAGE_ICONS,
  describeCounts,
  type InstanceRow,
  type PipelineProgress,
  type RolloutSummary,
  type StageRow,
  type StageState,
  type StageTimings,
} from '../contracts/progress';
import type { GroupRow } from '../contracts/instance-refresh';
import { PIPELINE, RESOURCES, STAGE } from '../contracts/search-attributes';

// Made per use, inside the workflow's context, so the SDK tags it with this run's workflow type.
const stageDuration = () =>
  metricMeter.createHistogram('golden_image_stage_duration', 'int', 'ms', 'how long pipeline stages take, by stage and how they ended');

export class StageTracker<Stage extends string> {
  private readonly rows: StageRow<Stage>[];
  private current: Stage;
  private readonly resources: string[] = [];
  private instances: InstanceRow[] | undefined;
  private rollout: RolloutSummary | undefined;
  private groups: GroupRow[] | undefined;

  /** `stages` is the workflow's stage list from its contract, in order. */
  constructor(
    private readonly pipeline: string,
    stages: readonly [Stage, ...Stage[]],
  ) {
    this.rows = stages.map((stage) => ({ stage, state: 'pending' }));
    this.current = stages[0];
    setHandler(progressQuery, () => this.progress());
    upsertSearchAttributes([
      { key: PIPELINE, value: pipeline },
      { key: STAGE, value: this.current },
    ]);
    this.publish();
  }

  /** The stage running now, or the last one that ran: cheaper than progress() for that one field. */
  get stage(): Stage {
    return this.current;
  }

  progress(): PipelineProgress<Stage> {
    return {
      pipeline: this.pipeline,
      stage: this.current,
      stages: this.rows.map((r) => ({ ...r })),
      resources: [...this.resources],
      ...(this.instances && { instances: this.instances.map((r) => ({ ...r })) }),
      ...(this.rollout && { rollout: JSON.parse(JSON.stringify(this.rollout)) as RolloutSummary }),
      ...(this.groups && { groups: this.groups.map((g) => ({ ...g })) }),
    };
  }

  /**
   * Runs one stage, recording its start, its end and how it ended. A failed activity becomes a
   * non-retryable failure named after the stage, carrying AWS's code as its type and AWS's reason
   * as its message, so the CLI and the UI show the cause, not "activity task failed".
   */
  async run<T>(stage: Stage, body: () => Promise<T>): Promise<T> {
    this.start(stage);
    try {
      const result = await body();
      this.finish(stage, 'succeeded');
      return result;
    } catch (err) {
      if (isCancellation(err)) {
        this.finish(stage, 'cancelled', 'cancelled');
        throw err;
      }
      const failure = stageFailure(stage, err);
      this.finish(stage, 'failed', failure.message);
      throw failure;
    }
  }

  skip(stage: Stage, why: string): void {
    this.update(stage, { state: 'skipped', detail: why });
  }

  /** Adds a resource ID to the run's record and to `GoldenImageResources`, once. */
  addResource(id: string): void {
    if (this.resources.includes(id)) return;
    this.resources.push(id);
    upsertSearchAttributes([{ key: RESOURCES, value: [...this.resources] }]);
    this.publish();
  }

  /** Adds a note to a stage's detail, after any note (or failure reason) it already has. */
  note(stage: Stage, detail: string): void {
    const existing = this.rows.find((r) => r.stage === stage)?.detail;
    this.update(stage, { detail: existing ? `${existing}; ${detail}` : detail });
  }

  /** Publishes a rollout's instances worth showing, and its counts. */
  setInstances(rows: InstanceRow[], summary?: RolloutSummary): void {
    this.instances = rows;
    this.rollout = summary;
    this.publish();
  }

  /** Publishes the Auto Scaling groups' refreshes. */
  setGroups(groups: GroupRow[]): void {
    this.groups = groups;
    this.publish();
  }

  /** Milliseconds each finished stage took, for the run's result. */
  timings(): StageTimings<Stage> {
    const timings: StageTimings<Stage> = {};
    for (const row of this.rows) {
      if (row.startedAt && row.endedAt) timings[row.stage] = Date.parse(row.endedAt) - Date.parse(row.startedAt);
    }
    return timings;
  }

  private start(stage: Stage): void {
    this.current = stage;
    upsertSearchAttributes([{ key: STAGE, value: stage }]);
    this.update(stage, { state: 'running', startedAt: new Date().toISOString() });
  }

  private finish(stage: Stage, state: StageState, detail?: string): void {
    this.update(stage, { state, endedAt: new Date().toISOString(), ...(detail ? { detail: oneLine(detail) } : {}) });
    const row = this.rows.find((r) => r.stage === stage);
    if (row?.startedAt && row.endedAt) stageDuration().record(Date.parse(row.endedAt) - Date.parse(row.startedAt), { stage, state });
  }

  private update(stage: Stage, change: Partial<StageRow<Stage>>): void {
    const row = this.rows.find((r) => r.stage === stage);
    if (row) Object.assign(row, change);
    this.publish();
  }

  private publish(): void {
    setCurrentDetails(renderDetails(this.pipeline, this.rows, this.resources, this.instances, this.rollout, this.groups));
  }
}

function stageFailure(stage: string, err: unknown): ApplicationFailure {
  const cause = err instanceof ActivityFailure || err instanceof ChildWorkflowFailure ? err.cause : err;
  // A child that tracks the same stage (the rollout) has already said which stage failed.
  const prefixed = (message: string) => (message.startsWith(`${stage}: `) ? message : `${stage}: ${message}`);
  if (cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      type: cause.type ?? undefined,
      message: prefixed(cause.message),
      nonRetryable: true,
      details: cause.details ?? undefined,
      cause: err as Error,
    });
  }
  const message = (cause as Error | undefined)?.message ?? String(err);
  return ApplicationFailure.create({
    type: (cause as Error | undefined)?.name,
    message: prefixed(message),
    nonRetryable: true,
    cause: err as Error,
  });
}

/** A message on one line for a table cell: a many-line one (bad input lists a problem a line) keeps its lines, joined. */
function oneLine(text: string): string {
  const line = text
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** Times as HH:MM:SS (UTC; the date is in the run's header), so the table fits the UI's panel. */
const clock = (iso?: string) => (iso ? iso.slice(11, 19) : '');

/** The stage table as Temporal markdown, shown on the run's page in the UI. */
function renderDetails(
  pipeline: string,
  rows: StageRow[],
  resources: string[],
  instances?: InstanceRow[],
  rollout?: RolloutSummary,
  groups?: GroupRow[],
): string {
  const lines = [`**${pipeline}**${resources.length ? ` · ${resources.join(', ')}` : ''}`, ''];
  lines.push('| stage | state | started | ended | detail |', '| --- | --- | --- | --- | --- |');
  // Skipped stages go on one line below: the UI's panel has a fixed height, and the table must fit.
  const [skipped, shown] = [rows.filter((r) => r.state === 'skipped'), rows.filter((r) => r.state !== 'skipped')];
  lines.push(
    ...shown.map(
      (r) =>
        `| ${r.stage} | ${STAGE_ICONS[r.state]} ${r.state} | ${clock(r.startedAt)} | ${clock(r.endedAt)} | ${(r.detail ?? '').replaceAll('|', '/')} |`,
    ),
  );
  const reasons = [...new Set(skipped.map((r) => r.detail ?? 'skipped'))];
  for (const why of reasons)
    lines.push(
      '',
      `${STAGE_ICONS.skipped} ${skipped
        .filter((r) => (r.detail ?? 'skipped') === why)
        .map((r) => r.stage)
        .join(', ')}: ${why}`,
    );
  if (rollout)
    lines.push(
      '',
      `instances: ${describeCounts(rollout)}${rollout.failed.length < rollout.counts.failed + rollout.counts['failed-detached'] ? ` (the first ${rollout.failed.length} failed shown)` : ''}`,
    );
  if (groups?.length) {
    lines.push('', '| group | refresh | status | done | to update | reason |', '| --- | --- | --- | --- | --- | --- |');
    lines.push(
      ...groups.map(
        (g) =>
          `| ${g.group} | ${g.refreshId ?? ''} | ${g.status} | ${g.percentageComplete}% | ${g.instancesToUpdate} | ${oneLine(g.statusReason ?? '').replaceAll('|', '/')} |`,
      ),
    );
  }
  if (instances?.length) {
    lines.push('', '| instance | state | task | detail |', '| --- | --- | --- | --- |');
    lines.push(
      ...instances.map((i) => `| ${i.instanceId} | ${i.state} | ${i.taskId ?? ''} | ${oneLine(i.detail ?? '').replaceAll('|', '/')} |`),
    );
  }
  return lines.join('\n');
}
