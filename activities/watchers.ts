/**
 * The watches a worker shares among all its waits (and its look-ups by ID), one per kind of resource,
 * each with the batched describe that refreshes it (see aws/state-watcher.ts). EC2's, Auto Scaling's
 * and AppStream's images are kept per account and Region, so that every wait on copies (or groups)
 * in one Region shares one describe per beat.
 */
import { roleAccount, type Place } from '../contracts/place';
import type { AwsClients, PlacedClients } from './aws/clients';
import { describeRefreshes } from './autoscaling/instance-refresh';
import { describeImageBuildersByName } from './appstream/builder-lookup';
import { describeFleetsByName } from './appstream/fleets';
import { describeAppStreamImages } from './appstream/image-lookup';
import { describeFastLaunch } from './ec2/fast-launch';
import { describeImagesById } from './ec2/image-lookup';
import { describeInstancesById } from './ec2/instance-lookup';
import { describeRootVolumeTasks, taskSettled } from './ec2/root-volume-task';
import { ResourceWatch, type WaitMode } from './aws/state-watcher';
import { describeAgents } from './ssm/agent';
import { describeInvocations } from './ssm/run-command';

/** The watches of one account and Region. */
function placeWatchers({ ec2, autoscaling, appstream }: PlacedClients, mode: WaitMode) {
  return {
    instances: new ResourceWatch((ids) => describeInstancesById(ec2, ids), mode),
    images: new ResourceWatch((ids) => describeImagesById(ec2, ids), mode),
    fastLaunch: new ResourceWatch((ids) => describeFastLaunch(ec2, ids), mode),
    rootVolumeTasks: new ResourceWatch((ids) => describeRootVolumeTasks(ec2, ids), mode, { settled: taskSettled }),
    /** Instance refreshes, keyed `<group>|<refresh ID>`. */
    refreshes: new ResourceWatch((keys) => describeRefreshes(autoscaling, keys), mode),
    /** AppStream images by name: the new image at home, its copies in their Regions. */
    appStreamImages: new ResourceWatch((names) => describeAppStreamImages(appstream, names), mode),
    fleets: new ResourceWatch((names) => describeFleetsByName(appstream, names), mode),
  };
}

export type PlaceWatchers = ReturnType<typeof placeWatchers>;

export function createWatchers(clients: AwsClients, mode: WaitMode = 'shared') {
  const home = placeWatchers(clients.at(), mode);
  const elsewhere = new Map<string, PlaceWatchers>();
  return {
    ...home,
    builders: new ResourceWatch((names) => describeImageBuildersByName(clients.appstream, names), mode),
    /** SSM agents of the instances a bake launched, and its steps' invocations (in the build Region). */
    agents: new ResourceWatch((ids) => describeAgents(clients.at().ssm, ids), mode),
    invocations: new ResourceWatch((keys) => describeInvocations(clients.at().ssm, keys), mode),
    /** The watchers of a place: one set per account and Region, whichever run asks (the session does not matter). */
    at(place: Place = {}): PlaceWatchers {
      if (!place.region && !place.roleArn) return home;
      const key = `${place.roleArn ? roleAccount(place.roleArn) : 'home'}/${place.region ?? ''}`;
      let watchers = elsewhere.get(key);
      if (!watchers) {
        watchers = placeWatchers(clients.at({ region: place.region, roleArn: place.roleArn }), mode);
        elsewhere.set(key, watchers);
      }
      return watchers;
    },
  };
}

export type Watchers = ReturnType<typeof createWatchers>;
