import type { IncomingHttpHeaders } from 'node:http';
import { queryService } from '../core/query-service';
import { signingNameOf } from '../core/sigv4';
import { groupActions } from './groups';
import { refreshStartActions } from './refresh-start';
import { refreshActions } from './refreshes';
import type { AutoScalingState } from './state';
import { autoScalingBucketFor } from './throttle';

/**
 * EC2 Auto Scaling over the Query protocol (API version 2011-01-01), told apart from EC2, which speaks the
 * same protocol, by its signature's service (`autoscaling`), as AWS's endpoints are by host.
 */
export const autoScalingService = queryService<AutoScalingState>({
  name: 'autoscaling',
  version: '2011-01-01',
  xmlns: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
  actions: { ...groupActions, ...refreshStartActions, ...refreshActions },
  bucketFor: autoScalingBucketFor,
  matches: (headers: IncomingHttpHeaders) => signingNameOf(headers.authorization) === 'autoscaling',
});
