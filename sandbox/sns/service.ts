import type { IncomingHttpHeaders } from 'node:http';
import { queryService } from '../core/query-service';
import { signingNameOf } from '../core/sigv4';
import { publishActions } from './publish';
import type { SnsState } from './state';
import { snsBucketFor } from './throttle';
import { topicActions } from './topics';

/**
 * Amazon SNS over the Query protocol (API version 2010-03-31), as the AWS SDKs speak it, told apart from
 * EC2's Query requests by its signature's service (`sns`). Topics and Publish only: no subscriptions,
 * the sandbox keeps what each topic delivered in a log instead.
 */
export const snsService = queryService<SnsState>({
  name: 'sns',
  version: '2010-03-31',
  xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  actions: { ...topicActions, ...publishActions },
  bucketFor: snsBucketFor,
  matches: (headers: IncomingHttpHeaders) => signingNameOf(headers.authorization) === 'sns',
});
