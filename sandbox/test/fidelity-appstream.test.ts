import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fidelityGroups, testBothClientsDroveProjectOperations } from './support/fidelity';

/**
 * AppStream 2.0 through boto3 and awscli, over AWS JSON 1.1 and over Smithy RPC v2 CBOR, with every
 * response checked against botocore's AppStream model.
 */

const protocols = ['json', 'smithy-rpc-v2-cbor'];
const results = fidelityGroups(
  protocols.flatMap((protocol) => ['images', 'builders', 'tags', 'fleets', 'paginators'].map((group) => `appstream-${protocol}-${group}`)),
);

testBothClientsDroveProjectOperations(results, 'appstream', 'AppStream');

test('every paginator botocore defines for these AppStream operations was followed', () => {
  const { applicable, paginators } = results();
  assert.deepEqual(applicable.paginators.appstream, ['DescribeFleets', 'DescribeImageBuilders', 'DescribeImages']);
  assert.deepEqual(paginators.appstream, applicable.paginators.appstream);
});

test("botocore's AppStream waiters, fleet_started and fleet_stopped, each ended as they should against the sandbox", () => {
  const { applicable, waiters } = results();
  assert.deepEqual(applicable.waiters.appstream, ['FleetStarted', 'FleetStopped']);
  assert.deepEqual(applicable.otherWaiters.appstream, []);
  assert.deepEqual(waiters.appstream, applicable.waiters.appstream);
});
