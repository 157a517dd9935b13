/** The Auto Scaling activities, bound to their clients; activities/index.ts merges them in. Each takes the group's place. */
import type { RolloutSpec } from '../../contracts/ami-pipeline';
import type { Place } from '../../contracts/place';
import type { AwsClients } from '../aws/clients';
import type { Watchers } from '../watchers';
import { checkAutoScalingGroups } from './groups';
import {
  startInstanceRefresh,
  stopInstanceRefresh,
  waitForRefreshChange,
  type RefreshRequest,
  type RefreshSnapshot,
} from './instance-refresh';

export function createAutoScalingActivities(clients: AwsClients, watchers: Watchers) {
  return {
    checkAutoScalingGroups: async (groups: { name: string; region?: string }[], spec: RolloutSpec) => {
      const home = await clients.homeRegion();
      return checkAutoScalingGroups(
        groups.map(({ name, region }) => ({ name, region: region ?? home, ...clients.at(region && region !== home ? { region } : {}) })),
        spec,
      );
    },
    startInstanceRefresh: (request: RefreshRequest, place?: Place) => startInstanceRefresh(clients.at(place).autoscaling, request),
    waitForRefreshChange: (key: string, last: RefreshSnapshot | undefined, place?: Place) =>
      waitForRefreshChange(watchers.at(place).refreshes, key, last),
    stopInstanceRefresh: (group: string, rollback: boolean, place?: Place) =>
      stopInstanceRefresh(clients.at(place).autoscaling, group, rollback),
  };
}
