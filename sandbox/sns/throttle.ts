import type { BucketSpec } from '../core/throttle';

/**
 * SNS's API request quotas, per account and Region, from its service-quotas table at their smallest
 * (Publish is 300 a second in the smaller Regions, CreateTopic and DeleteTopic 100, ListTopics 30), each
 * action a second's worth deep; `throttling.buckets` in the config resizes them by these keys.
 */
const BUCKETS: Record<string, BucketSpec> = {
  Publish: { key: 'sns:Publish', capacity: 300, refillPerSecond: 300 },
  CreateTopic: { key: 'sns:CreateTopic', capacity: 100, refillPerSecond: 100 },
  DeleteTopic: { key: 'sns:DeleteTopic', capacity: 100, refillPerSecond: 100 },
  ListTopics: { key: 'sns:ListTopics', capacity: 30, refillPerSecond: 30 },
};

/** The bucket of one of the actions the sandbox's SNS serves (its service module only asks for those). */
export function snsBucketFor(action: string): BucketSpec {
  return BUCKETS[action]!;
}
