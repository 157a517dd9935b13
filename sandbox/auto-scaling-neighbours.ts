import type { AlarmBoard, InstanceFleet } from './autoscaling/neighbours';
import type { CloudWatchState } from './cloudwatch/state';
import { ApiError } from './core/errors';
import { findUsableImage } from './ec2/image-access';
import { imageState } from './ec2/images';
import { planTermination } from './ec2/instance-state-changes';
import { launchForService } from './ec2/instances';
import { resolveVersion } from './ec2/launch-template-versions';
import { replaceRootVolumeForService } from './ec2/replace-root-volume';
import { settleReplaceRootVolumeTasks } from './ec2/root-volume-swap';
import type { Ec2State } from './ec2/state';

/**
 * Auto Scaling's questions to EC2 and CloudWatch, answered from their state in the same account and
 * Region: the services' folders stay apart, and only the sandbox's composition knows both.
 */

export function ec2InstanceFleet(state: Ec2State): InstanceFleet {
  const instance = (id: string) => state.ec2.instances.get(id);
  return {
    resolveTemplate({ templateId, templateName, version }) {
      const templates = [...state.ec2.launchTemplates.values()];
      const template = templates.find((t) => (templateId !== undefined ? t.id === templateId : t.name === templateName));
      if (!template) return undefined;
      try {
        const resolved = resolveVersion(template, version);
        return { templateId: template.id, templateName: template.name, versionNumber: resolved.number, ...resolved.data };
      } catch (error) {
        if (error instanceof ApiError) return undefined;
        throw error;
      }
    },
    image(imageId) {
      const image = findUsableImage(state, imageId);
      if (!image || imageState(image, state.clock.now()) !== 'available') return undefined;
      return { volumes: image.blockDeviceMappings.length };
    },
    launch: (request) =>
      launchForService(state, request).map((i) => ({ instanceId: i.id, imageId: i.imageId, instanceType: i.instanceType })),
    terminate(instanceId, at, shutdownMs) {
      const found = instance(instanceId);
      const current = found?.lifecycle.stateAt(at);
      if (found && current !== 'shutting-down' && current !== 'terminated') planTermination(found, at, shutdownMs);
    },
    stateOf: (instanceId, now) => instance(instanceId)?.lifecycle.stateAt(now),
    imageOf(instanceId) {
      settleReplaceRootVolumeTasks(state);
      return instance(instanceId)?.imageId;
    },
    replaceRootVolume: (instanceId, imageId, replacement) => replaceRootVolumeForService(state, instanceId, imageId, replacement).id,
    rootVolumeTask: (taskId, now) => state.ec2.replaceRootVolumeTasks.get(taskId)?.lifecycle.stateAt(now),
  };
}

export function cloudWatchAlarmBoard(state: CloudWatchState): AlarmBoard {
  return {
    alarm(name) {
      const alarm = state.cloudWatch.alarms.get(name);
      return alarm && { state: alarm.state, updatedAt: alarm.stateUpdatedAt };
    },
  };
}
