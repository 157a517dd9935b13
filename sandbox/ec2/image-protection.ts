import { isPublicImage } from './image-access';
import { requireOwnImage } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate, isoSeconds } from './render';
import { ApiError, invalidParameterValue } from '../core/errors';
import type { XmlObject } from '../core/query-protocol';
import type { Ec2Context, ImageRecord } from './state';

/**
 * What an AMI's owner sets on it to retire or keep it: Enable/DisableImageDeprecation and
 * Enable/DisableImageDeregistrationProtection.
 */

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
/** EC2 API reference, DeprecateAt: at most 10 years ahead; for a public AMI at most 2 years after its creation. */
const MAX_DEPRECATION_AHEAD_MS = 10 * 365 * DAY;
const MAX_PUBLIC_DEPRECATION_MS = 2 * 365 * DAY;
/** WithCooldown: protection still holds for 24 hours after it is disabled. */
const DEREGISTRATION_COOLDOWN_MS = DAY;

/** `YYYY-MM-DDTHH:MM:SSZ`; EC2 rounds the seconds to the nearest minute. */
function readDeprecateAt(params: Ec2Params): number {
  const raw = params.requiredString('DeprecateAt');
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(ms)) {
    throw invalidParameterValue(`Invalid value '${raw}' for DeprecateAt. It must be a date and time in UTC: YYYY-MM-DDTHH:MM:SSZ.`);
  }
  return Math.round(ms / MINUTE) * MINUTE;
}

function enableImageDeprecation(params: Ec2Params, { state }: Ec2Context): XmlObject {
  const image = requireOwnImage(state, params.requiredString('ImageId'));
  const deprecateAt = readDeprecateAt(params);
  dryRunGate(params);
  const now = state.clock.now();
  if (deprecateAt < now) throw invalidParameterValue(`DeprecateAt ${isoSeconds(deprecateAt)} is in the past.`);
  const isPublic = isPublicImage(image);
  const limit = isPublic ? image.createdAt + MAX_PUBLIC_DEPRECATION_MS : now + MAX_DEPRECATION_AHEAD_MS;
  if (deprecateAt > limit) {
    throw invalidParameterValue(
      isPublic
        ? 'The deprecation time of a public AMI can be at most 2 years after its creation date.'
        : 'The deprecation time can be at most 10 years from now.',
    );
  }
  image.deprecationTime = deprecateAt;
  return { return: true };
}

function disableImageDeprecation(params: Ec2Params, { state }: Ec2Context): XmlObject {
  const image = requireOwnImage(state, params.requiredString('ImageId'));
  dryRunGate(params);
  image.deprecationTime = undefined;
  return { return: true };
}

function enableImageDeregistrationProtection(params: Ec2Params, { state }: Ec2Context): XmlObject {
  const image = requireOwnImage(state, params.requiredString('ImageId'));
  const withCooldown = params.bool('WithCooldown') ?? false;
  dryRunGate(params);
  image.deregistrationProtection = { enabled: true, withCooldown };
  return { return: 'true' };
}

function disableImageDeregistrationProtection(params: Ec2Params, { state }: Ec2Context): XmlObject {
  const image = requireOwnImage(state, params.requiredString('ImageId'));
  dryRunGate(params);
  const current = image.deregistrationProtection;
  image.deregistrationProtection =
    current?.enabled && current.withCooldown ? { enabled: false, until: state.clock.now() + DEREGISTRATION_COOLDOWN_MS } : undefined;
  return { return: 'true' };
}

/** DescribeImages' `deregistrationProtection`: `disabled`, `enabled-with-cooldown`, `enabled-without-cooldown`, or `disabled-until-<time>` during a cooldown. */
export function deregistrationProtectionText(image: ImageRecord, now: number): string {
  const protection = image.deregistrationProtection;
  if (!protection) return 'disabled';
  if (protection.enabled) return protection.withCooldown ? 'enabled-with-cooldown' : 'enabled-without-cooldown';
  return protection.until > now ? `disabled-until-${isoSeconds(protection.until)}` : 'disabled';
}

/** DeregisterImage's check: protection on, or disabled with its cooldown still running. */
export function refuseIfProtected(image: ImageRecord, now: number): void {
  const protection = image.deregistrationProtection;
  if (protection && (protection.enabled || protection.until > now)) {
    throw new ApiError(
      'OperationNotPermitted',
      `The AMI ${image.id} can't be deregistered because deregistration protection is enabled (${deregistrationProtectionText(image, now)}). Disable deregistration protection first.`,
    );
  }
}

export const imageProtectionActions = {
  EnableImageDeprecation: enableImageDeprecation,
  DisableImageDeprecation: disableImageDeprecation,
  EnableImageDeregistrationProtection: enableImageDeregistrationProtection,
  DisableImageDeregistrationProtection: disableImageDeregistrationProtection,
};
