/** The incident a run's failure leaves (workflows/rollout-outcome.ts), which the pipelines notify beside `failed`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { emptyRolloutSummary } from '../contracts/progress';
import { failureIncident } from '../workflows/rollout-outcome';

test('an instance refresh whose rollback failed, instances left without a root volume, and failures that leave none', () => {
  const refresh = ApplicationFailure.create({
    type: 'InstanceRefreshFailed',
    message: 'rollout: the instance refresh of us-east-1/web-asg ended RollbackFailed',
    details: [
      [
        { group: 'us-east-1/web-asg', status: 'RollbackFailed', percentageComplete: 50, instancesToUpdate: 2 },
        { group: 'us-east-1/api-asg', status: 'skipped', percentageComplete: 0, instancesToUpdate: 0 },
      ],
    ],
  });
  assert.equal(failureIncident(refresh), 'INCIDENT: the rollback of us-east-1/web-asg failed; its instances may be on either image');

  const summary = emptyRolloutSummary(2);
  summary.counts = { ...summary.counts, pending: 0, succeeded: 1, 'failed-detached': 1 };
  summary.failed = [{ instanceId: 'i-0123456789abcdef0', state: 'failed-detached' }];
  const halted = ApplicationFailure.create({ type: 'RolloutHalted', message: 'rollout: rollout halted', details: [summary] });
  assert.equal(failureIncident(halted), 'INCIDENT: i-0123456789abcdef0 left without a root volume; needs a person');

  const refreshFailed = ApplicationFailure.create({
    type: 'InstanceRefreshFailed',
    message: 'rollout: the instance refresh of us-east-1/web-asg ended Failed',
    details: [[{ group: 'us-east-1/web-asg', status: 'Failed', percentageComplete: 10, instancesToUpdate: 2 }]],
  });
  assert.equal(failureIncident(refreshFailed), undefined);
  assert.equal(failureIncident(ApplicationFailure.create({ type: 'ImageFailed', message: 'wait-available: image failed' })), undefined);
  assert.equal(failureIncident(new Error('not a failure of ours')), undefined);
});
