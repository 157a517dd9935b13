import { ApiError } from '../core/errors';
import type { Ec2Params } from './params';
import type { XmlObject } from '../core/query-protocol';
import type { Tags } from '../core/state';
import type { InstanceState } from '../core/cross-service';
import type { Platform } from './state';

/** Small pieces of EC2 XML that several resources share. */

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** AMI dates (CreationDate, DeprecationTime) come in whole seconds: `2024-01-02T03:04:05.000Z`. */
export function isoSeconds(ms: number): string {
  return iso(Math.floor(ms / 1000) * 1000);
}

/** AWS omits tagSet for an untagged resource. */
export function tagSetXml(tags: Tags): XmlObject[] | undefined {
  if (tags.size === 0) return undefined;
  return [...tags].map(([key, value]) => ({ key, value }));
}

const INSTANCE_STATE_CODES: Record<InstanceState, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export function instanceStateXml(state: InstanceState): XmlObject {
  return { code: INSTANCE_STATE_CODES[state], name: state };
}

export function platformDetails(platform: Platform): { platformDetails: string; usageOperation: string } {
  return platform === 'windows'
    ? { platformDetails: 'Windows', usageOperation: 'RunInstances:0002' }
    : { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' };
}

/** DryRun answers with an error even on success, as EC2 does. */
export function dryRunGate(params: Ec2Params): void {
  if (params.bool('DryRun')) {
    throw new ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
  }
}
