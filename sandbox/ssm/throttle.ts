import type { BucketSpec } from '../core/throttle';

/**
 * SSM's throttling, per account and Region. Parameter Store's follows its documented default throughput:
 * 40 transactions per second shared by the reads (GetParameter, GetParameters; the sandbox adds
 * GetParameterHistory), and 3 per second, bursting to 10, for writes (PutParameter; DeleteParameter shares
 * it here). AWS publishes no figures for Run Command's actions; the sandbox gives their reads (the polls, and
 * DescribeDocument, asked of the documents before they are sent) one bucket and their mutations another, both
 * resizable through the config's `throttling.buckets`.
 */
const BUCKETS = {
  parameterRead: { key: 'ssm:read', capacity: 40, refillPerSecond: 40 },
  parameterWrite: { key: 'ssm:write', capacity: 10, refillPerSecond: 3 },
  runCommandRead: { key: 'ssm:run-command-read', capacity: 40, refillPerSecond: 20 },
  runCommandWrite: { key: 'ssm:run-command-write', capacity: 20, refillPerSecond: 5 },
} satisfies Record<string, BucketSpec>;

const BUCKET_OF: Record<string, BucketSpec> = {
  GetParameter: BUCKETS.parameterRead,
  GetParameters: BUCKETS.parameterRead,
  GetParameterHistory: BUCKETS.parameterRead,
  PutParameter: BUCKETS.parameterWrite,
  DeleteParameter: BUCKETS.parameterWrite,
  GetCommandInvocation: BUCKETS.runCommandRead,
  ListCommandInvocations: BUCKETS.runCommandRead,
  ListCommands: BUCKETS.runCommandRead,
  DescribeInstanceInformation: BUCKETS.runCommandRead,
  DescribeDocument: BUCKETS.runCommandRead,
  SendCommand: BUCKETS.runCommandWrite,
  CancelCommand: BUCKETS.runCommandWrite,
};

/** The bucket of one of the operations the sandbox's SSM serves (ssm/service.ts only asks for those). */
export function ssmBucketFor(operation: string): BucketSpec {
  return BUCKET_OF[operation]!;
}
