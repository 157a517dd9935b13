/**
 * The watches a worker shares among all its waits (and its look-ups by ID), one per kind of resource,
 * each with the batched describe that refreshes it (see aws/state-watcher.ts).
 */
import type { AwsClients } from './aws/clients';
import { describeImageBuildersByName } from './appstream/builder-lookup';
import { describeAppStreamImages } from './appstream/image-lookup';
import { describeFastLaunch } from './ec2/fast-launch';
import { describeImagesById } from './ec2/image-lookup';
import { describeInstancesById } from './ec2/instance-lookup';
import { describeRootVolumeTasks } from './ec2/root-volume-task';
import { ResourceWatch, type WaitMode } from './aws/state-watcher';

export function createWatchers({ ec2, appstream }: AwsClients, mode: WaitMode = 'shared') {
  return {
    instances: new ResourceWatch((ids) => describeInstancesById(ec2, ids), mode),
    images: new ResourceWatch((ids) => describeImagesById(ec2, ids), mode),
    fastLaunch: new ResourceWatch((ids) => describeFastLaunch(ec2, ids), mode),
    rootVolumeTasks: new ResourceWatch((ids) => describeRootVolumeTasks(ec2, ids), mode),
    appStreamImages: new ResourceWatch((names) => describeAppStreamImages(appstream, names), mode),
    builders: new ResourceWatch((names) => describeImageBuildersByName(appstream, names), mode),
  };
}

export type Watchers = ReturnType<typeof createWatchers>;
