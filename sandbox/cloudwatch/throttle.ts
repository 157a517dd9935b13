import type { BucketSpec } from '../core/throttle';

/**
 * CloudWatch's API request quotas, per account and Region, as its service-quotas table lists them:
 * DescribeAlarms 9 transactions per second, PutMetricAlarm and SetAlarmState 3. Each action has its own
 * bucket, a second's worth deep; `throttling.buckets` in the config resizes them by these keys.
 */
const BUCKETS: Record<string, BucketSpec> = {
  DescribeAlarms: { key: 'cloudwatch:DescribeAlarms', capacity: 9, refillPerSecond: 9 },
  PutMetricAlarm: { key: 'cloudwatch:PutMetricAlarm', capacity: 3, refillPerSecond: 3 },
  SetAlarmState: { key: 'cloudwatch:SetAlarmState', capacity: 3, refillPerSecond: 3 },
};

/** The bucket of one of the actions the sandbox's CloudWatch serves (its service modules only ask for those). */
export function cloudWatchBucketFor(action: string): BucketSpec {
  return BUCKETS[action]!;
}
