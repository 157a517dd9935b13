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
import { createNotifyActivity } from './notify/notify';
import { DEFAULT_UI_URL, type NotifierSettings } from './notify/settings';
import { createSsmActivities } from './ssm/activities';
import { createWatchers } from './watchers';

/**
 * `waitMode` is `shared` (one watcher for all waits) but for benchmarks of the per-run baseline;
 * `governor` is where this worker polls lanes (activities/aws/rate-governor.ts), false for none;
 * `notifications` the worker's notification settings (activities/notify/settings.ts), by default no default channel.
 */
export function createActivities(
  clients: AwsClients,
  waitMode: WaitMode = 'shared',
  governor: RateGovernorSettings | false = false,
  notifications: NotifierSettings = { uiUrl: DEFAULT_UI_URL, env: process.env },
) {
  const watchers = createWatchers(clients, waitMode);
  return {
    ...createEc2Activities(clients, watchers),
    ...createAppStreamActivities(clients, watchers),
    ...createSsmActivities(clients, watchers),
    ...createAutoScalingActivities(clients, watchers),
    validatePipelineInput,
    notify: createNotifyActivity(clients, notifications),
    preflightDistribution: (request: PreflightRequest) => preflightDistribution(clients, request, governor),
    preflightAppStreamUpdate: (request: AppStreamPreflightRequest) => preflightAppStreamUpdate(clients, request),
  };
}

export type Activities = ReturnType<typeof createActivities>;
