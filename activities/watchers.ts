/**
 * The watches a worker shares among all its waits (and its look-ups by ID), one per kind of resource,
 * each with the batched describe that refreshes it (see aws/state-watcher.ts). EC2's are kept per
 * account and Region, so that every wait on copies in one Region shares one describe per beat.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { roleAccount, type Place } from '../contracts/place';
import type { AwsClients } from './aws/clients';
import { describeImageBuildersByName } from './appstream/builder-lookup';
import { describeAppStreamImages } from './appstream/image-lookup';
import { describeFastLaunch } from './ec2/fast-launch';
import { describeImagesById } from './ec2/image-lookup';
import { describeInstancesById } from './ec2/instance-lookup';
import { describeRootVolumeTasks } from './ec2/root-volume-task';
import { ResourceWatch, type WaitMode } from './aws/state-watcher';
import { describeAgents } from './ssm/agent';
import { describeInvocations } from './ssm/run-command';

function ec2Watchers(ec2: EC2Client, mode: WaitMode) {
  return {
    instances: new ResourceWatch((ids) => describeInstancesById(ec2, ids), mode),
    images: new ResourceWatch((ids) => describeImagesById(ec2, ids), mode),
    fastLaunch: new ResourceWatch((ids) => describeFastLaunch(ec2, ids), mode),
    rootVolumeTasks: new ResourceWatch((ids) => describeRootVolumeTasks(ec2, ids), mode),
  };
}

export type Ec2Watchers = ReturnType<typeof ec2Watchers>;

export function createWatchers(clients: AwsClients, mode: WaitMode = 'shared') {
  const home = ec2Watchers(clients.ec2, mode);
  const elsewhere = new Map<string, Ec2Watchers>();
  return {
    ...home,
    appStreamImages: new ResourceWatch((names) => describeAppStreamImages(clients.appstream, names), mode),
    builders: new ResourceWatch((names) => describeImageBuildersByName(clients.appstream, names), mode),
    /** SSM agents of the instances a bake launched, and its steps' invocations (in the build Region). */
    agents: new ResourceWatch((ids) => describeAgents(clients.at().ssm, ids), mode),
    invocations: new ResourceWatch((keys) => describeInvocations(clients.at().ssm, keys), mode),
    /** The EC2 watchers of a place: one set per account and Region, whichever run asks (the session does not matter). */
    at(place: Place = {}): Ec2Watchers {
      if (!place.region && !place.roleArn) return home;
      const key = `${place.roleArn ? roleAccount(place.roleArn) : 'home'}/${place.region ?? ''}`;
      let watchers = elsewhere.get(key);
      if (!watchers) {
        watchers = ec2Watchers(clients.at({ region: place.region, roleArn: place.roleArn }).ec2, mode);
        elsewhere.set(key, watchers);
      }
      return watchers;
    },
  };
}

export type Watchers = ReturnType<typeof createWatchers>;
