import { checkRange } from '../core/json-params';
import type { MemberReader } from '../core/member-reader';
import type { JsonObject } from '../core/structure-protocol';
import { validationError } from './errors';
import type { AlarmBoard } from './neighbours';
import type { RefreshPreferences } from './state';

/**
 * StartInstanceRefresh's Preferences, checked as the API reference states its rules: MinHealthyPercentage
 * 0–100 (default 90), MaxHealthyPercentage 100–200 only with MinHealthyPercentage and at most 100 above it,
 * CheckpointPercentages ascending and unique (1–100 each), CheckpointDelay (0–172800 s, default 3600) only with
 * checkpoints, BakeTime 0–172800 s, at most 10 alarms, each of which must exist. AWS does not publish the
 * wording of these refusals; the sandbox's say which rule was broken.
 */

const MAX_WAIT_SECONDS = 172800;
const MAX_ALARMS = 10;
const DEFAULT_MIN_HEALTHY = 90;
const DEFAULT_CHECKPOINT_DELAY = 3600;
const PROTECTED_BEHAVIOURS = ['Refresh', 'Ignore', 'Wait'] as const;
const STANDBY_BEHAVIOURS = ['Terminate', 'Ignore', 'Wait'] as const;

function readCheckpoints(p: MemberReader): number[] | undefined {
  const checkpoints = p.intList('CheckpointPercentages');
  if (checkpoints.length === 0) return undefined;
  checkpoints.forEach((c, i) =>
    checkRange(`${p.path('CheckpointPercentages')}.${i + 1}.member`, c, { min: 1, max: 100 }, 'ValidationError'),
  );
  if (checkpoints.some((c, i) => i > 0 && c <= checkpoints[i - 1]!)) {
    throw validationError('CheckpointPercentages must be in ascending order, and each number must be unique.');
  }
  return checkpoints;
}

function readAlarms(p: MemberReader, board: AlarmBoard): string[] | undefined {
  const alarms = p.struct('AlarmSpecification')?.stringList('Alarms');
  if (!alarms || alarms.length === 0) return undefined;
  if (alarms.length > MAX_ALARMS) throw validationError(`You can specify up to ${MAX_ALARMS} alarms; ${alarms.length} were given.`);
  const missing = alarms.filter((name) => !board.alarm(name));
  if (missing.length > 0) throw validationError(`The CloudWatch alarm(s) ${missing.join(', ')} do not exist.`);
  return alarms;
}

export function readPreferences(params: MemberReader, board: AlarmBoard): RefreshPreferences {
  const p = params.struct('Preferences');
  const min = p?.int('MinHealthyPercentage', { min: 0, max: 100 });
  const max = p?.int('MaxHealthyPercentage', { min: 100, max: 200 });
  if (max !== undefined && min === undefined)
    throw validationError('If you specify MaxHealthyPercentage, you must also specify MinHealthyPercentage.');
  if (max !== undefined && max - min! > 100) {
    throw validationError('The difference between MaxHealthyPercentage and MinHealthyPercentage cannot be greater than 100.');
  }
  const checkpoints = p && readCheckpoints(p);
  const checkpointDelay = p?.int('CheckpointDelay', { min: 0, max: MAX_WAIT_SECONDS });
  if (checkpointDelay !== undefined && !checkpoints)
    throw validationError('CheckpointDelay can only be specified together with CheckpointPercentages.');
  return {
    minHealthyPercentage: min ?? DEFAULT_MIN_HEALTHY,
    maxHealthyPercentage: max,
    instanceWarmup: p?.int('InstanceWarmup', { min: 0 }),
    checkpointPercentages: checkpoints,
    checkpointDelay: checkpoints ? (checkpointDelay ?? DEFAULT_CHECKPOINT_DELAY) : undefined,
    skipMatching: p?.bool('SkipMatching') ?? false,
    autoRollback: p?.bool('AutoRollback') ?? false,
    alarms: p && readAlarms(p, board),
    scaleInProtectedInstances: (p?.string('ScaleInProtectedInstances', { oneOf: PROTECTED_BEHAVIOURS }) ??
      'Wait') as RefreshPreferences['scaleInProtectedInstances'],
    standbyInstances: (p?.string('StandbyInstances', { oneOf: STANDBY_BEHAVIOURS }) ?? 'Wait') as RefreshPreferences['standbyInstances'],
    bakeTime: p?.int('BakeTime', { min: 0, max: MAX_WAIT_SECONDS }),
  };
}

/** Preferences as DescribeInstanceRefreshes answers them: with the defaults in force. */
export function preferencesMembers(p: RefreshPreferences): JsonObject {
  return {
    MinHealthyPercentage: p.minHealthyPercentage,
    InstanceWarmup: p.instanceWarmup,
    CheckpointPercentages: p.checkpointPercentages,
    CheckpointDelay: p.checkpointDelay,
    SkipMatching: p.skipMatching,
    AutoRollback: p.autoRollback,
    ScaleInProtectedInstances: p.scaleInProtectedInstances,
    StandbyInstances: p.standbyInstances,
    AlarmSpecification: p.alarms ? { Alarms: p.alarms } : undefined,
    MaxHealthyPercentage: p.maxHealthyPercentage,
    BakeTime: p.bakeTime,
  };
}
