/**
 * The rate governor's lanes. EC2 throttles each account and Region with one token bucket per API
 * group (../shared/reference/AWS-FACTS.md). A mutating call is sent from a lane: an activity task
 * queue of its own, `<task queue>/ec2/<bucket>/<account>/<region>`, which every worker polls with the
 * same server-side limit (`maxTaskQueueActivitiesPerSecond`), the bucket's refill rate. The Temporal
 * server hands out the lane's tasks at that rate however many workers poll it, so the calls leave at
 * the rate AWS refills and no worker can spend another's share.
 */

/** AWS's published EC2 buckets (size, refill per second) that the governed calls draw from. */
export const EC2_BUCKETS = {
  mutating: { size: 50, refillPerSecond: 5 },
  RunInstances: { size: 5, refillPerSecond: 2 },
  CopyImage: { size: 100, refillPerSecond: 1 },
  CreateTags: { size: 100, refillPerSecond: 10 },
  EnableFastLaunch: { size: 5, refillPerSecond: 2 },
  DisableFastLaunch: { size: 5, refillPerSecond: 2 },
} as const;

export type Ec2Bucket = keyof typeof EC2_BUCKETS;
export const EC2_BUCKET_NAMES = Object.keys(EC2_BUCKETS) as Ec2Bucket[];

/** A lane's account for the worker's own account, and its Region for the worker's own Region: always governed. */
export const HOME_ACCOUNT = 'self';
export const HOME_REGION = 'home';

/**
 * Where else the workers have lanes: other Regions (by name, never the home Region) and other accounts
 * (12-digit IDs), as the distribution preflight reports it to a run that acts beyond home.
 */
export interface GovernedPlaces {
  regions: string[];
  accounts: string[];
}

export function laneQueue(taskQueue: string, bucket: Ec2Bucket, account: string, region: string): string {
  return `${taskQueue}/ec2/${bucket}/${account}/${region}`;
}
