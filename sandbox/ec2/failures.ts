import { failFastLaunch } from './fast-launch';
import { failReplaceRootVolumeTask } from './replace-root-volume';
import type { Failure } from '../core/failures';
import type { Ec2State } from './state';

/**
 * `POST /_sandbox/fail` by `id` for fast launch (id = the image ID) and
 * replace-root-volume tasks: what is under way fails now.
 * - `applied`: it failed now;
 * - `planned`: nothing to fail yet, so the plan waits for the resource (an image's next EnableFastLaunch);
 * - `missing`: no unfinished task with that ID (task IDs are never known before creation).
 */
export function failExistingEc2Resource(state: Ec2State, failure: Failure): 'applied' | 'planned' | 'missing' {
  if (failure.id === undefined) return 'planned';
  const reason = { code: failure.code, message: failure.message, ...(failure.state && { state: failure.state }) };
  switch (failure.kind) {
    case 'fastLaunch':
      return failFastLaunch(state, failure.id, reason) ? 'applied' : 'planned';
    case 'replaceRootVolumeTask':
      return failReplaceRootVolumeTask(state, failure.id, reason) ? 'applied' : 'missing';
    default:
      return 'planned';
  }
}
