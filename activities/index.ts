/**
 * The activities, bound to their AWS clients. Workflows import only the type of this factory's result
 * and call the activities through proxyActivities.
 */
import { createAppStreamActivities } from './appstream/activities';
import { preflightAppStreamUpdate, type AppStreamPreflightRequest } from './appstream-preflight';
import { createAutoScalingActivities } from './autoscaling/activities';
import type { AwsClients } from './aws/clients';
import type { WaitMode } from './aws/state-watcher';
import { preflightDistribution, type PreflightRequest } from './distribution-preflight';
import { createEc2Activities } from './ec2/activities';
import { validatePipelineInput } from './input-validation';
import type { RateGovernorSettings } from './aws/rate-governor';
import { createSsmActivities } from './ssm/activities';
import { createWatchers } from './watchers';

/**
 * `waitMode` is `shared` (one watcher for all waits) but for benchmarks of the per-run baseline;
 * `governor` is where this worker polls lanes (activities/aws/rate-governor.ts), false for none.
 */
export function createActivities(clients: AwsClients, waitMode: WaitMode = 'shared', governor: RateGovernorSettings | false = false) {
  const watchers = createWatchers(clients, waitMode);
  return {
    ...createEc2Activities(clients, watchers),
    ...createAppStreamActivities(clients, watchers),
    ...createSsmActivities(clients, watchers),
    ...createAutoScalingActivities(clients, watchers),
    validatePipelineInput,
    preflightDistribution: (request: PreflightRequest) => preflightDistribution(clients, request, governor),
    preflightAppStreamUpdate: (request: AppStreamPreflightRequest) => preflightAppStreamUpdate(clients, request),
  };
}

export type Activities = ReturnType<typeof createActivities>;
