/**
 * A run report's content as plain tables, once for both formats: the HTML page and the markdown lay
 * out the same header fields and sections (the page adds a timeline drawn from the stage rows).
 * Every cell is text as the run, AWS or a person wrote it: the renderers escape it.
 */
import { describeCounts, type StageRow } from '../../contracts/progress';
import { REPORT_INSTANCES, type RunReport } from './run-report';

export interface ReportTable {
  columns: string[];
  rows: string[][];
  /** Columns of figures, aligned right. */
  numeric?: number[];
  /** The column that holds a state (`succeeded`, `failed`…), which the page colours. */
  stateColumn?: number;
  /** Columns of IDs, times and figures, which the page keeps on one line (free text wraps instead). */
  nowrap?: number[];
}

export interface ReportSection {
  id: string;
  title: string;
  /** Sentences before the tables. */
  notes: string[];
  tables: ReportTable[];
  /** What the section says when it has no table. */
  empty?: string;
}

/** `2026-11-30 23:41:07 UTC`: the date too, since a report is read later and elsewhere. */
export const timeOf = (iso?: string) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : '');

/** `850 ms`, `12.4 s`, `3 min 05 s`, `2 h 04 min`. */
export function durationOf(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${String(Math.floor((ms % 60_000) / 1_000)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** How long a stage took, or ran so far: only stages with both ends have a duration. */
export const stageMs = (row: StageRow) => (row.startedAt && row.endedAt ? Date.parse(row.endedAt) - Date.parse(row.startedAt) : undefined);

export function runMs(report: RunReport): number | undefined {
  return report.closeTime ? Date.parse(report.closeTime) - Date.parse(report.startTime) : undefined;
}

/** The header: what run this is, and how it went. */
export function headerFields(report: RunReport): [string, string][] {
  const ms = runMs(report);
  return [
    ['Pipeline kind', report.type],
    ['Config', report.pipeline ?? '-'],
    ['Workflow ID', report.workflowId],
    ['Run ID', report.runId],
    ['Status', report.status],
    ['Started', timeOf(report.startTime)],
    ['Ended', report.closeTime ? timeOf(report.closeTime) : 'still running'],
    ['Duration', ms === undefined ? '-' : durationOf(ms)],
    ['Task queue', report.taskQueue],
  ];
}

function stagesSection(report: RunReport): ReportSection {
  const ran = report.stages.filter((s) => s.state !== 'skipped');
  const skipped = report.stages.filter((s) => s.state === 'skipped');
  const notes = skipped.length ? [`Skipped: ${skipped.map((s) => `${s.stage} (${s.detail ?? 'skipped'})`).join(', ')}.`] : [];
  if (report.stagesFrom === 'history')
    notes.push(
      'No worker answered the run’s progress query, so these stages come from its history: when GoldenImageStage named each; ' +
        'the stages it skipped and its notes are not there.',
    );
  return {
    id: 'stages',
    title: 'Stages',
    notes,
    tables: ran.length
      ? [
          {
            columns: ['Stage', 'State', 'Started', 'Ended', 'Took', 'Detail'],
            rows: ran.map((s) => {
              const ms = stageMs(s);
              return [s.stage, s.state, timeOf(s.startedAt), timeOf(s.endedAt), ms === undefined ? '' : durationOf(ms), s.detail ?? ''];
            }),
            numeric: [4],
            stateColumn: 1,
            nowrap: [0, 2, 3, 4],
          },
        ]
      : [],
    empty: 'No stage has started.',
  };
}

function imagesSection(report: RunReport): ReportSection {
  const notes = [];
  if (report.published.length) notes.push(`Published: ${report.published.join(', ')}.`);
  if (report.retired.length) notes.push(`Retired by retention: ${report.retired.join(', ')}.`);
  return {
    id: 'images',
    title: 'Images by Region',
    notes,
    tables: report.images.length
      ? [
          {
            columns: ['Region', 'Image', 'Name', 'Kind'],
            rows: report.images.map((i) => [i.place, i.id, i.name ?? '', i.original ? 'original' : 'copy']),
            nowrap: [0, 1],
          },
        ]
      : [],
    empty: !report.closeTime
      ? 'The run has not finished: its images are listed once it has.'
      : report.status === 'COMPLETED'
        ? 'The run made no image.'
        : 'The run ended without an image: a run that fails or is cancelled removes the images it made.',
  };
}

function rolloutSection(report: RunReport): ReportSection {
  const { rollout, instances, groups } = report;
  const notes = [];
  if (rollout) {
    const shown = Math.min(instances.length, REPORT_INSTANCES);
    const listed = shown < rollout.total ? ` (the first ${shown} listed)` : '';
    notes.push(`Instances: ${describeCounts(rollout)}${listed}.`);
  }
  const tables: ReportTable[] = [];
  if (instances.length)
    tables.push({
      columns: ['Instance', 'State', 'Replace-root-volume task', 'Image', 'Detail'],
      rows: instances.slice(0, REPORT_INSTANCES).map((i) => [i.instanceId, i.state, i.taskId ?? '', i.imageId ?? '', i.detail ?? '']),
      stateColumn: 1,
      nowrap: [0, 2, 3],
    });
  if (groups.length)
    tables.push({
      columns: ['Auto Scaling group', 'Instance refresh', 'Status', 'Done', 'To update', 'Reason'],
      rows: groups.map((g) => [
        g.group,
        g.refreshId ?? '',
        g.status,
        `${g.percentageComplete}%`,
        String(g.instancesToUpdate),
        g.statusReason ?? '',
      ]),
      numeric: [3, 4],
      stateColumn: 2,
      nowrap: [0, 1, 3, 4],
    });
  return { id: 'rollout', title: 'Rollout', notes, tables, empty: rollout || groups.length ? undefined : 'No rollout in this run.' };
}

function approvalsSection(report: RunReport): ReportSection {
  const { decision } = report;
  const notes = decision
    ? [
        `The run went on with: ${decision.approved ? 'approved' : 'rejected'}${decision.by ? ` by ${decision.by}` : ''}${decision.comment ? ` (“${decision.comment}”)` : ''}.`,
      ]
    : [];
  return {
    id: 'approvals',
    title: 'Approvals',
    notes,
    tables: report.approvals.length
      ? [
          {
            columns: ['When', 'Stage', 'Answer', 'By', 'Client identity', 'Comment or reason', 'Outcome'],
            rows: report.approvals.map((a) => [
              timeOf(a.at),
              a.stage ?? '',
              a.update,
              a.by ?? '',
              a.identity ?? '',
              a.text ?? '',
              a.outcome,
            ]),
            stateColumn: 6,
            nowrap: [0, 1, 2, 4],
          },
        ]
      : [],
    empty: 'No approval answers.',
  };
}

function notificationsSection(report: RunReport): ReportSection {
  return {
    id: 'notifications',
    title: 'Notifications',
    notes: [],
    tables: report.notifications.length
      ? [
          {
            columns: ['When', 'Event', 'Channel', 'Outcome'],
            rows: report.notifications.map((n) => [timeOf(n.at), n.event ?? '', n.channel ?? '', n.outcome]),
            stateColumn: 3,
            nowrap: [0],
          },
        ]
      : [],
    empty: 'None sent.',
  };
}

function activitiesSection(report: RunReport): ReportSection {
  const children = report.children.map((c) => `${c.count} ${c.type}`).join(', ');
  return {
    id: 'activities',
    title: 'AWS work per action',
    notes: [
      'Activity tasks and their attempts, from the run’s history. A run does not record its AWS API calls ' +
        '(the worker’s golden_image_aws_calls metric counts them across runs): an attempt of an activity that makes one call ' +
        'is one call, and a wait’s attempts are its polls, answered from the worker’s shared describes.',
      ...(children ? [`Child workflows: ${children}; their own work is in their histories.`] : []),
    ],
    tables: report.activities.length
      ? [
          {
            columns: ['Activity', 'Tasks', 'Attempts', 'Failed'],
            rows: [...report.activities]
              .sort((a, b) => b.attempts - a.attempts || a.type.localeCompare(b.type))
              .map((a) => [a.type, String(a.tasks), String(a.attempts), String(a.failed)]),
            numeric: [1, 2, 3],
            nowrap: [0, 1, 2, 3],
          },
        ]
      : [],
    empty: 'No activities ran.',
  };
}

export function reportSections(report: RunReport): ReportSection[] {
  return [
    stagesSection(report),
    imagesSection(report),
    rolloutSection(report),
    approvalsSection(report),
    notificationsSection(report),
    activitiesSection(report),
  ];
}
