import type { IncomingHttpHeaders } from 'node:http';
import { structureService } from '../core/json-service';
import { awsJson10QueryCompatible } from '../core/json-protocol';
import { queryService } from '../core/query-service';
import { signingNameOf } from '../core/sigv4';
import { alarmActions } from './alarms';
import type { CloudWatchState } from './state';
import { cloudWatchBucketFor } from './throttle';

/**
 * CloudWatch (API version 2010-08-01, signing name `monitoring`): one set of actions over the two protocols
 * its clients speak. The AWS SDK for JavaScript v3 and botocore 1.43 (the AWS CLI's) send AWS JSON 1.0
 * (`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, the model marked awsQueryCompatible); older
 * SDKs and the API reference use the Query protocol. botocore's newest model lists RPC v2 CBOR first, which
 * the sandbox does not speak for CloudWatch.
 */

const TARGET_PREFIX = 'GraniteServiceVersion20100801';

export const cloudWatchJsonService = structureService<CloudWatchState>(
  { name: 'cloudwatch', actions: alarmActions, bucketFor: cloudWatchBucketFor },
  awsJson10QueryCompatible(TARGET_PREFIX, 'com.amazonaws.cloudwatch'),
);

/** Checked after the JSON module, so a request with CloudWatch's signature and no X-Amz-Target is a Query request. */
export const cloudWatchQueryService = queryService<CloudWatchState>({
  name: 'cloudwatch',
  version: '2010-08-01',
  xmlns: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
  actions: alarmActions,
  bucketFor: cloudWatchBucketFor,
  matches: (headers: IncomingHttpHeaders) => signingNameOf(headers.authorization) === 'monitoring',
});
