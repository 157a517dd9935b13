import { z } from 'zod';
import { scopeMembers } from '../core/state';
import type { AppStreamState } from './state';

/**
 * Whether AWS has updates for an image is outside the caller's control, so the
 * admin API decides it: `POST /_sandbox/appstream/updates {"imageName", "available"}`.
 * No image has updates until told otherwise; the setting survives until reset
 * and may name an image that does not exist yet. It belongs to one account and
 * Region (`accountId`, `region`; the default ones unless given).
 */

export const updateAvailabilitySchema = z.strictObject({
  imageName: z.string().min(1),
  available: z.boolean(),
  ...scopeMembers,
});

export type UpdateAvailability = z.infer<typeof updateAvailabilitySchema>;

export function listUpdates(state: AppStreamState): { updatesAvailable: string[] } {
  return { updatesAvailable: [...state.appStream.updatesAvailable].sort() };
}

export function setUpdateAvailability(state: AppStreamState, input: UpdateAvailability): { updatesAvailable: string[] } {
  if (input.available) state.appStream.updatesAvailable.add(input.imageName);
  else state.appStream.updatesAvailable.delete(input.imageName);
  return listUpdates(state);
}
