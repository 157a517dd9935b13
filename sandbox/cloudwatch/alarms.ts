import { z } from 'zod';
import { ApiError } from '../core/errors';
import type { MemberReader } from '../core/member-reader';
import { paginate } from '../core/pagination';
import { scopeMembers } from '../core/state';
import type { JsonObject } from '../core/structure-protocol';
import { ALARM_STATES, type AlarmRecord, type AlarmStateValue, type CloudWatchContext, type CloudWatchState } from './state';

/**
 * CloudWatch metric alarms as the API reference has them: PutMetricAlarm (creates, or updates the
 * configuration of, an alarm; a new alarm starts in INSUFFICIENT_DATA), DescribeAlarms (by names or name
 * prefix, state and action prefix, paged) and SetAlarmState, AWS's own way of moving an alarm's state to
 * test what watches it. The sandbox evaluates no metric, so an alarm's state changes only through
 * SetAlarmState (and the admin API's `cloudwatch/alarm-state`, which does the same).
 */

const NAME = { maxLength: 255 };
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];
const COMPARISON_OPERATORS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
];
const MAX_ACTIONS = 5;
/** DescribeAlarms' MaxRecords: 1 to 100; AWS documents no default, the sandbox pages by 50. */
const DEFAULT_PAGE_SIZE = 50;

function missingParameter(name: string): ApiError {
  return new ApiError('MissingParameter', `The parameter ${name} is required.`);
}

export function alarmArn(state: CloudWatchState, name: string): string {
  return `arn:aws:cloudwatch:${state.scope.region}:${state.scope.accountId}:alarm:${name}`;
}

function actions(params: MemberReader, name: string): string[] {
  const list = params.stringList(name);
  if (list.length > MAX_ACTIONS) {
    throw new ApiError('ValidationError', `The collection ${name} must not have a size greater than ${MAX_ACTIONS}.`);
  }
  return list;
}

function putMetricAlarm(params: MemberReader, { state }: CloudWatchContext): JsonObject {
  const name = params.requiredString('AlarmName', NAME);
  const metricName = params.string('MetricName', NAME);
  // Metric-math and anomaly-detection alarms (Metrics, EvaluationCriteria) are beyond the sandbox.
  if (metricName === undefined) throw missingParameter('MetricName');
  const evaluationPeriods = params.int('EvaluationPeriods', { min: 1 });
  if (evaluationPeriods === undefined) throw missingParameter('EvaluationPeriods');
  const comparisonOperator = params.string('ComparisonOperator', { oneOf: COMPARISON_OPERATORS });
  if (comparisonOperator === undefined) throw missingParameter('ComparisonOperator');
  const statistic = params.string('Statistic', { oneOf: STATISTICS });
  const extendedStatistic = params.string('ExtendedStatistic');
  if ((statistic === undefined) === (extendedStatistic === undefined)) {
    throw new ApiError('InvalidParameterCombination', 'Exactly one of Statistic or ExtendedStatistic must be specified.');
  }
  const now = state.clock.now();
  const configuration = {
    description: params.string('AlarmDescription', { maxLength: 1024 }),
    actionsEnabled: params.bool('ActionsEnabled') ?? true,
    okActions: actions(params, 'OKActions'),
    alarmActions: actions(params, 'AlarmActions'),
    insufficientDataActions: actions(params, 'InsufficientDataActions'),
    metricName,
    namespace: params.string('Namespace', NAME),
    statistic,
    extendedStatistic,
    dimensions: params
      .structList('Dimensions')
      .map((d) => ({ name: d.requiredString('Name', NAME), value: d.requiredString('Value', { maxLength: 1024 }) })),
    period: params.int('Period', { min: 1 }),
    unit: params.string('Unit'),
    evaluationPeriods,
    datapointsToAlarm: params.int('DatapointsToAlarm', { min: 1 }),
    threshold: params.number('Threshold'),
    comparisonOperator,
    treatMissingData: params.string('TreatMissingData', { maxLength: 255 }),
  };
  const tags = new Map(
    params.structList('Tags').map((t) => [t.requiredString('Key', { maxLength: 128 }), t.requiredString('Value', { maxLength: 256 })]),
  );
  const existing = state.cloudWatch.alarms.get(name);
  if (existing) {
    // Updating an alarm keeps its state; tags are only set when it is created, as AWS documents.
    Object.assign(existing, configuration, { configurationUpdatedAt: now });
    return {};
  }
  state.cloudWatch.alarms.set(name, {
    seq: state.nextSeq(),
    name,
    ...configuration,
    tags,
    configurationUpdatedAt: now,
    state: 'INSUFFICIENT_DATA',
    stateReason: 'Unchecked: Initial alarm creation',
    stateUpdatedAt: now,
    stateTransitionedAt: now,
  });
  return {};
}

function alarmMembers(state: CloudWatchState, alarm: AlarmRecord): JsonObject {
  return {
    AlarmName: alarm.name,
    AlarmArn: alarmArn(state, alarm.name),
    AlarmDescription: alarm.description,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configurationUpdatedAt),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: alarm.okActions,
    AlarmActions: alarm.alarmActions,
    InsufficientDataActions: alarm.insufficientDataActions,
    StateValue: alarm.state,
    StateReason: alarm.stateReason,
    StateReasonData: alarm.stateReasonData,
    StateUpdatedTimestamp: new Date(alarm.stateUpdatedAt),
    MetricName: alarm.metricName,
    Namespace: alarm.namespace,
    Statistic: alarm.statistic,
    ExtendedStatistic: alarm.extendedStatistic,
    Dimensions: alarm.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
    Period: alarm.period,
    Unit: alarm.unit,
    EvaluationPeriods: alarm.evaluationPeriods,
    DatapointsToAlarm: alarm.datapointsToAlarm,
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparisonOperator,
    TreatMissingData: alarm.treatMissingData,
    StateTransitionedTimestamp: new Date(alarm.stateTransitionedAt),
  };
}

function describeAlarms(params: MemberReader, { state }: CloudWatchContext): JsonObject {
  const names = params.stringList('AlarmNames');
  if (names.length > 100) throw new ApiError('ValidationError', 'The collection AlarmNames must not have a size greater than 100.');
  const prefix = params.string('AlarmNamePrefix', NAME);
  if (prefix !== undefined && names.length > 0) {
    throw new ApiError('InvalidParameterCombination', 'AlarmNamePrefix and AlarmNames cannot be specified together.');
  }
  const types = params.stringList('AlarmTypes');
  for (const type of types) {
    if (type !== 'MetricAlarm' && type !== 'CompositeAlarm') {
      throw new ApiError(
        'ValidationError',
        `Value '${type}' at 'alarmTypes' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]`,
      );
    }
  }
  const stateValue = params.string('StateValue', { oneOf: ALARM_STATES });
  const actionPrefix = params.string('ActionPrefix', { maxLength: 1024 });
  const maxRecords = params.int('MaxRecords', { min: 1, max: 100 }) ?? DEFAULT_PAGE_SIZE;
  const nextToken = params.string('NextToken');
  const wanted = (alarm: AlarmRecord) =>
    (names.length === 0 || names.includes(alarm.name)) &&
    (prefix === undefined || alarm.name.startsWith(prefix)) &&
    (stateValue === undefined || alarm.state === stateValue) &&
    (actionPrefix === undefined ||
      [...alarm.okActions, ...alarm.alarmActions, ...alarm.insufficientDataActions].some((a) => a.startsWith(actionPrefix)));
  // The sandbox holds metric alarms only; composite alarms are listed (none) when asked for.
  const metricAlarmsWanted = types.length === 0 || types.includes('MetricAlarm');
  const alarms = metricAlarmsWanted ? [...state.cloudWatch.alarms.values()].filter(wanted) : [];
  let page;
  try {
    page = paginate(alarms, { maxResults: maxRecords, nextToken }, 'cloudwatch:DescribeAlarms');
  } catch (error) {
    if (error instanceof ApiError) throw new ApiError('InvalidNextToken', 'The service returned an invalid NextToken.');
    throw error;
  }
  return {
    MetricAlarms: page.items.map((a) => alarmMembers(state, a)),
    CompositeAlarms: types.includes('CompositeAlarm') ? [] : undefined,
    NextToken: page.nextToken,
  };
}

export interface AlarmStateChange {
  alarmName: string;
  state: AlarmStateValue;
  reason: string;
  reasonData?: string;
}

/** SetAlarmState's change, also the admin API's: false if there is no such alarm. */
export function changeAlarmState(state: CloudWatchState, change: AlarmStateChange): boolean {
  const alarm = state.cloudWatch.alarms.get(change.alarmName);
  if (!alarm) return false;
  const now = state.clock.now();
  if (alarm.state !== change.state) alarm.stateTransitionedAt = now;
  Object.assign(alarm, { state: change.state, stateReason: change.reason, stateReasonData: change.reasonData, stateUpdatedAt: now });
  return true;
}

function setAlarmState(params: MemberReader, { state }: CloudWatchContext): JsonObject {
  const alarmName = params.requiredString('AlarmName', NAME);
  const stateValue = params.requiredString('StateValue', { oneOf: ALARM_STATES }) as AlarmStateValue;
  const reason = params.requiredString('StateReason', { maxLength: 1023 });
  const reasonData = params.string('StateReasonData', { maxLength: 4000 });
  if (reasonData !== undefined) {
    try {
      JSON.parse(reasonData);
    } catch {
      throw new ApiError('InvalidFormat', 'StateReasonData must be valid JSON.');
    }
  }
  if (!changeAlarmState(state, { alarmName, state: stateValue, reason, reasonData })) {
    throw new ApiError('ResourceNotFound', `Alarm ${alarmName} not found`, 404);
  }
  return {};
}

export const alarmActions = {
  PutMetricAlarm: putMetricAlarm,
  DescribeAlarms: describeAlarms,
  SetAlarmState: setAlarmState,
};

/** The admin API's `POST /_sandbox/cloudwatch/alarm-state`: SetAlarmState without a signature. */
export const alarmStateSchema = z.strictObject({
  alarmName: z.string().min(1),
  state: z.enum(ALARM_STATES),
  reason: z.string().default('Set through the sandbox admin API'),
  ...scopeMembers,
});

export type AlarmStateInput = z.input<typeof alarmStateSchema>;
