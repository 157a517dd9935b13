import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fidelityGroups, testBothClientsDroveProjectOperations } from './support/fidelity';

/**
 * EC2 through boto3 and awscli, with every response checked against botocore's EC2 model: every
 * operation the project calls, every paginator and every waiter botocore defines for what the sandbox serves.
 */

const results = fidelityGroups([
  'ec2-instances',
  'ec2-images',
  'ec2-tags',
  'ec2-storage',
  'ec2-launch-templates',
  'ec2-fast-launch',
  'ec2-replace-root-volume',
  'ec2-paginators',
  'ec2-distribution',
  'ec2-regions',
]);

testBothClientsDroveProjectOperations(results, 'ec2', 'EC2');

test("every paginator botocore defines for the sandbox's EC2 operations was followed", () => {
  const { applicable, paginators } = results();
  assert.ok(applicable.paginators.ec2!.includes('DescribeImages'));
  assert.deepEqual(paginators.ec2, applicable.paginators.ec2);
});

test("every boto3 waiter on the sandbox's EC2 operations ran", (t) => {
  const { applicable, waiters } = results();
  t.diagnostic(`waiters on operations the sandbox does not serve: ${applicable.otherWaiters.ec2!.join(', ')}`);
  assert.ok(applicable.waiters.ec2!.includes('ImageAvailable'));
  assert.deepEqual(waiters.ec2, applicable.waiters.ec2);
});
