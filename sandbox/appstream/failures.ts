import { findBuilder, findImage } from './lookup';
import type { AppStreamFailure, AppStreamImageRecord, ImageBuilderRecord, AppStreamState } from './state';
import type { Failure, FailureReason } from '../core/failures';

/**
 * Injected AppStream failures (`POST /_sandbox/fail`, kinds appStreamImage and
 * builder, `id` = the resource's name).
 *
 * AppStream reports a failure twice: a StateChangeReason code from a short list
 * and an error-list entry (ImageErrors / ImageBuilderErrors) from a long one.
 * The injected `code` goes where it belongs; the other slot gets the generic code.
 */

const IMAGE_STATE_CHANGE_CODES = new Set([
  'INTERNAL_ERROR',
  'IMAGE_BUILDER_NOT_AVAILABLE',
  'IMAGE_COPY_FAILURE',
  'IMAGE_UPDATE_FAILURE',
  'IMAGE_IMPORT_FAILURE',
]);
const BUILDER_STATE_CHANGE_CODES = new Set(['INTERNAL_ERROR', 'IMAGE_UNAVAILABLE']);
const GENERIC_ERROR_CODE = 'INTERNAL_SERVICE_ERROR';

function splitReason(reason: FailureReason, stateChangeCodes: Set<string>, genericStateChangeCode: string): AppStreamFailure {
  return stateChangeCodes.has(reason.code)
    ? { stateChangeCode: reason.code, errorCode: GENERIC_ERROR_CODE, message: reason.message }
    : { stateChangeCode: genericStateChangeCode, errorCode: reason.code, message: reason.message };
}

/** A transition in progress ends in FAILED instead; a settled resource fails now. */
export function failAppStreamImage(state: AppStreamState, image: AppStreamImageRecord, reason: FailureReason): void {
  // Sandbox images are made by CreateUpdatedImage or CopyImage, hence the generic codes.
  image.failure = splitReason(
    reason,
    IMAGE_STATE_CHANGE_CODES,
    image.copiedFrom === undefined ? 'IMAGE_UPDATE_FAILURE' : 'IMAGE_COPY_FAILURE',
  );
  const now = state.clock.now();
  if (image.lifecycle.isSettled(now)) image.lifecycle = state.timeline('FAILED', now);
  else image.lifecycle.setFinalState('FAILED');
}

/**
 * FAILED is terminal, like an image's. UPDATING_AGENT is a detour: a builder on
 * its way to RUNNING goes through it first; any other builder takes it on its
 * next start.
 */
export function failBuilder(state: AppStreamState, builder: ImageBuilderRecord, reason: FailureReason, transitionMs: number): void {
  const now = state.clock.now();
  if (reason.builderState === 'UPDATING_AGENT') {
    if (builder.lifecycle.finalState() === 'RUNNING' && !builder.lifecycle.isSettled(now)) {
      builder.lifecycle.replan(now, [
        { state: 'UPDATING_AGENT', afterMs: transitionMs },
        { state: 'RUNNING', afterMs: transitionMs },
      ]);
    } else {
      builder.agentUpdateOnNextStart = true;
    }
    return;
  }
  builder.failure = splitReason(reason, BUILDER_STATE_CHANGE_CODES, 'INTERNAL_ERROR');
  if (builder.lifecycle.isSettled(now)) builder.lifecycle = state.timeline('FAILED', now);
  else builder.lifecycle.setFinalState('FAILED');
}

/**
 * Applies a failure to an existing AppStream resource, if `failure` names one.
 * Returns false otherwise, so the caller plans it for a resource of that name
 * created later (AppStream names are chosen by the caller, unlike EC2 IDs).
 */
export function failAppStreamResourceNow(state: AppStreamState, failure: Failure, transitionMs: number): boolean {
  if (failure.id === undefined) return false;
  const now = state.clock.now();
  if (failure.kind === 'appStreamImage') {
    const image = findImage(state, failure.id);
    const current = image?.lifecycle.stateAt(now);
    if (!image || current === 'DELETING' || current === 'FAILED') return false;
    failAppStreamImage(state, image, failure);
    return true;
  }
  if (failure.kind === 'builder') {
    const builder = findBuilder(state, failure.id);
    const current = builder?.lifecycle.stateAt(now);
    if (!builder || current === 'DELETING' || current === 'FAILED') return false;
    failBuilder(state, builder, failure, transitionMs);
    return true;
  }
  return false;
}
