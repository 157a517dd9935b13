import type { ServiceContext } from '../core/service';
import type { Chronicle, Scope } from '../core/state';

/** CloudWatch metric alarms in one account and Region. */

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmStateValue = (typeof ALARM_STATES)[number];

export interface MetricDimension {
  name: string;
  value: string;
}

/** What PutMetricAlarm configures; the sandbox keeps it to answer DescribeAlarms and evaluates no metric. */
export interface AlarmConfiguration {
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  metricName: string;
  namespace?: string;
  statistic?: string;
  extendedStatistic?: string;
  dimensions: MetricDimension[];
  period?: number;
  unit?: string;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold?: number;
  comparisonOperator: string;
  treatMissingData?: string;
}

export interface AlarmRecord extends AlarmConfiguration {
  /** Creation order: DescribeAlarms' pagination cursor. */
  seq: number;
  name: string;
  tags: Map<string, string>;
  configurationUpdatedAt: number;
  state: AlarmStateValue;
  stateReason: string;
  stateReasonData?: string;
  /** Virtual ms of the last SetAlarmState (or creation); an alarm's state changes only so, as no metric is evaluated. */
  stateUpdatedAt: number;
  /** Virtual ms the StateValue last changed. */
  stateTransitionedAt: number;
}

export class CloudWatchResources {
  readonly alarms = new Map<string, AlarmRecord>();
}

export interface CloudWatchState extends Chronicle {
  readonly scope: Scope;
  readonly cloudWatch: CloudWatchResources;
}

export type CloudWatchContext = ServiceContext<CloudWatchState>;
