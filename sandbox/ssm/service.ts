import type { BucketSpec } from '../core/throttle';
import { jsonService } from '../core/json-service';
import { parameterActions } from './parameters';
import type { SsmState } from './state';

/**
 * SSM Parameter Store over AWS JSON 1.1 (`X-Amz-Target: AmazonSSM.<Operation>`). Throttling follows
 * Parameter Store's documented default throughput per account and Region: 40 transactions per second
 * shared by the reads (GetParameter, GetParameters; the sandbox adds GetParameterHistory), and a much
 * lower one for writes (PutParameter; DeleteParameter shares it here): 3 per second, bursting to 10.
 */
const SSM_READ_BUCKET: BucketSpec = { key: 'ssm:read', capacity: 40, refillPerSecond: 40 };
const SSM_WRITE_BUCKET: BucketSpec = { key: 'ssm:write', capacity: 10, refillPerSecond: 3 };

export const ssmService = jsonService<SsmState>({
  name: 'ssm',
  targetPrefix: 'AmazonSSM',
  actions: parameterActions,
  bucketFor: (operation) => (operation.startsWith('Get') ? SSM_READ_BUCKET : SSM_WRITE_BUCKET),
});
