/**
 * A clean-up that cannot be cancelled must outlast transient trouble: temporary credentials that
 * expire (and are refreshed) while it runs are retried, not a reason to leave the image behind.
 * Real dev server, sandbox over HTTP, real SDK.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startPipeline } from '../client/start-pipeline';
import { imagesOfPipeline } from './support/aws-checks';
import { failureOf } from './support/runs';
import { stackForThisFile } from './support/stack';

const stack = stackForThisFile();

describe('clean-up after a failed image', () => {
  for (const code of ['RequestExpired', 'ExpiredToken']) {
    test(`${code} from DeregisterImage is retried until the unfinished image is gone`, async () => {
      await stack.admin.reset({ profile: 'test' });
      await stack.launchInstance('windows', { Name: 'win-build' });
      await stack.admin.fail({ kind: 'image', next: true, code: 'Client.InternalError', message: 'Client error on snapshot creation' });
      await stack.admin.fault({
        service: 'ec2',
        action: 'DeregisterImage',
        count: 3,
        error: { code, status: 400, message: 'The security token included in the request is expired' },
      });
      const handle = await startPipeline(
        stack.env.client,
        'ami',
        { name: 'expiring', instanceTags: { Name: 'win-build' }, waits: { image: { interval: '100ms', timeout: '1m' } } },
        { taskQueue: stack.taskQueue },
      );
      const failure = await failureOf(handle);
      assert.match(
        failure.message,
        /wait-available: image ami-[0-9a-f]+ is failed: Client.InternalError/,
        'the run fails for its own reason',
      );
      assert.deepEqual(await imagesOfPipeline(stack, 'expiring'), [], 'the unfinished image is deregistered');
      assert.equal((await stack.admin.calls()).ec2['DeregisterImage']?.faulted, 3);
    });
  }
});
