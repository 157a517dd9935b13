/**
 * The rate governor, workflow side: a workflow interceptor that sends each mutating EC2 activity from
 * its bucket's lane (contracts/rate-lanes.ts) instead of the run's own task queue, so the server hands
 * the calls out at the rate AWS refills. It is one place, so no workflow has to remember it.
 *
 * Every worker polls the home lanes (its own Region and account), so calls there always go through
 * them. Which other Regions and accounts have lanes only the workers know: a run that acts beyond home
 * learns it from its distribution preflight's answer, and sends a call to a place without lanes
 * straight away, as before. Rerouting costs no history event and replays as it ran: the server
 * records each activity's task queue, and replay does not compare it.
 */
import type { ActivityInput, Next, WorkflowInterceptorsFactory, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';
import { workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { roleAccount, type Place } from '../contracts/place';
import { HOME_ACCOUNT, HOME_REGION, laneQueue, type Ec2Bucket } from '../contracts/rate-lanes';

/**
 * The bucket each mutating EC2 activity draws from (the one that binds, for an activity that makes more
 * than one call), and which of its arguments is its place; without one it acts at home.
 */
const GOVERNED: { [K in keyof Activities]?: { bucket: Ec2Bucket; placeArg?: number } } = {
  launchInstance: { bucket: 'RunInstances' },
  stopInstance: { bucket: 'mutating' },
  terminateRunInstances: { bucket: 'mutating' },
  createImage: { bucket: 'mutating' },
  removeCreatedImage: { bucket: 'mutating', placeArg: 1 },
  createRootVolumeTask: { bucket: 'mutating' },
  copyImage: { bucket: 'CopyImage', placeArg: 1 },
  shareImage: { bucket: 'mutating', placeArg: 2 },
  tagImage: { bucket: 'CreateTags', placeArg: 2 },
  deprecateImage: { bucket: 'mutating', placeArg: 2 },
  protectImage: { bucket: 'mutating', placeArg: 1 },
  unprotectImage: { bucket: 'mutating', placeArg: 1 },
  disableImage: { bucket: 'mutating', placeArg: 1 },
  deregisterImage: { bucket: 'mutating', placeArg: 1 },
  enableFastLaunch: { bucket: 'EnableFastLaunch', placeArg: 2 },
  disableFastLaunch: { bucket: 'DisableFastLaunch', placeArg: 1 },
  publishLaunchTemplateVersion: { bucket: 'mutating', placeArg: 1 },
};

const PREFLIGHT: keyof Activities = 'preflightDistribution';
type PreflightResult = Awaited<ReturnType<Activities['preflightDistribution']>>;

class RateGovernor implements WorkflowOutboundCallsInterceptor {
  /** The preflight's answer, once the run has one: its home Region's name, and where else there are lanes. */
  private preflight?: PreflightResult;

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    if (input.activityType === PREFLIGHT) {
      return next(input).then((result) => {
        this.preflight = result as PreflightResult;
        return result;
      });
    }
    const rule = GOVERNED[input.activityType as keyof Activities];
    const place = rule?.placeArg === undefined ? undefined : (input.args[rule.placeArg] as Place | undefined);
    const lane = rule && !input.options.taskQueue ? this.laneOf(place) : undefined;
    if (!rule || !lane) return next(input);
    const taskQueue = laneQueue(workflowInfo().taskQueue, rule.bucket, lane.account, lane.region);
    return next({ ...input, options: { ...input.options, taskQueue } });
  }

  private laneOf(place: Place = {}): { account: string; region: string } | undefined {
    if (!place.region && !place.roleArn) return { account: HOME_ACCOUNT, region: HOME_REGION };
    // Runs from before the preflight said where the lanes are (no `governed`) send every call elsewhere at once.
    const governed = this.preflight?.governed;
    if (!governed) return undefined;
    const account = place.roleArn ? roleAccount(place.roleArn) : HOME_ACCOUNT;
    const region = !place.region || place.region === this.preflight!.homeRegion ? HOME_REGION : place.region;
    const known =
      (account === HOME_ACCOUNT || governed.accounts.includes(account)) && (region === HOME_REGION || governed.regions.includes(region));
    return known ? { account, region } : undefined;
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ outbound: [new RateGovernor()] });
