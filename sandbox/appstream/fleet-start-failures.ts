import { z } from 'zod';
import { failStart } from './fleets';
import { findFleet } from './lookup';
import type { AppStreamState } from './state';
import { scopeMembers } from '../core/state';

/**
 * A fleet whose start fails, set through the admin API: `POST /_sandbox/appstream/fleet-start-failure
 * {"fleetName", "errorCode"?, "message"?}`. The fleet's next StartFleet (or the start under way) ends
 * STOPPED instead of RUNNING, with the error in FleetErrors, as AWS reports a fleet that could not
 * provision its instances; botocore's `fleet_started` waiter then fails. The following start succeeds
 * unless the switch is set again. It belongs to one account and Region (`accountId`, `region`).
 */

/** The FleetErrorCode values a start can end with (botocore's enum lists domain-join and IAM ones too). */
export const FLEET_START_ERROR_CODES = [
  'INTERNAL_SERVICE_ERROR',
  'IMAGE_NOT_FOUND',
  'FLEET_INSTANCE_PROVISIONING_FAILURE',
  'NETWORK_INTERFACE_LIMIT_EXCEEDED',
  'SUBNET_HAS_INSUFFICIENT_IP_ADDRESSES',
  'IAM_SERVICE_ROLE_IS_MISSING',
  'SECURITY_GROUPS_NOT_FOUND',
  'SUBNET_NOT_FOUND',
  'DOMAIN_JOIN_INTERNAL_SERVICE_ERROR',
] as const;

export const fleetStartFailureSchema = z.strictObject({
  fleetName: z.string().min(1),
  errorCode: z.enum(FLEET_START_ERROR_CODES).default('INTERNAL_SERVICE_ERROR'),
  message: z.string().min(1).default('Injected failure: the fleet could not provision its streaming instances.'),
  ...scopeMembers,
});

export type FleetStartFailureInput = z.input<typeof fleetStartFailureSchema>;

/** When the fleet's start fails: `now` if a start was under way, `next` for its next StartFleet. */
export interface FleetStartFailureAnswer {
  fleetName: string;
  applied: 'now' | 'next';
}

/** Undefined when the account has no such fleet in the Region. */
export function planFleetStartFailure(
  state: AppStreamState,
  input: z.output<typeof fleetStartFailureSchema>,
): FleetStartFailureAnswer | undefined {
  const fleet = findFleet(state, input.fleetName);
  if (!fleet) return undefined;
  const error = { errorCode: input.errorCode, message: input.message };
  const now = state.clock.now();
  if (fleet.lifecycle.stateAt(now) === 'STARTING' && !fleet.lifecycle.isSettled(now)) {
    failStart(fleet, error);
    return { fleetName: fleet.name, applied: 'now' };
  }
  fleet.startFailure = error;
  return { fleetName: fleet.name, applied: 'next' };
}
