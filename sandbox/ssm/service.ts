import { jsonService } from '../core/json-service';
import { documentActions } from './describe-document';
import { instanceInformationActions } from './instance-information';
import { parameterActions } from './parameters';
import { runCommandActions } from './run-command';
import type { SsmState } from './state';
import { ssmBucketFor } from './throttle';

/** SSM over AWS JSON 1.1 (`X-Amz-Target: AmazonSSM.<Operation>`): Parameter Store, Run Command and its documents. */
export const ssmService = jsonService<SsmState>({
  name: 'ssm',
  targetPrefix: 'AmazonSSM',
  actions: { ...parameterActions, ...runCommandActions, ...instanceInformationActions, ...documentActions },
  bucketFor: ssmBucketFor,
});
