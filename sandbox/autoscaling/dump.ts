import { healthStatus, lifecycleState, type LifecycleState } from './members';
import { instancesToUpdate, percentageComplete } from './refresh-progress';
import type { AutoScalingState, HealthStatus, RefreshStatus, RefreshStrategy } from './state';

/** Auto Scaling's part of `GET /_sandbox/state`: groups with their instances, and instance refreshes, oldest first. */
export interface AutoScalingDump {
  autoScalingGroups: {
    name: string;
    desiredCapacity: number;
    launchTemplate: { templateId: string; templateName: string; version: string };
    mixedInstancesPolicy: boolean;
    instances: {
      instanceId: string;
      lifecycleState: LifecycleState;
      healthStatus: HealthStatus;
      templateVersion: number;
      imageId?: string;
    }[];
  }[];
  instanceRefreshes: {
    instanceRefreshId: string;
    groupName: string;
    strategy: RefreshStrategy;
    status: RefreshStatus;
    statusReason?: string;
    percentageComplete: number;
    instancesToUpdate: number;
    /** Wall-clock epoch ms. */
    startedAt: number;
    endedAt: number | null;
  }[];
}

export function dumpAutoScaling(state: AutoScalingState): AutoScalingDump {
  const now = state.clock.now();
  const wall = (at: number) => state.clock.toWall(at);
  return {
    autoScalingGroups: [...state.autoScaling.groups.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((g) => ({
        name: g.name,
        desiredCapacity: g.desiredCapacity,
        launchTemplate: { ...g.launch.template },
        mixedInstancesPolicy: g.launch.overrides !== undefined,
        instances: g.members.map((m) => ({
          instanceId: m.instanceId,
          lifecycleState: lifecycleState(state, m, now),
          healthStatus: healthStatus(state, m, now),
          templateVersion: m.template.versionNumber,
          imageId: state.instanceFleet.imageOf(m.instanceId),
        })),
      })),
    instanceRefreshes: [...state.autoScaling.refreshes.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((r) => ({
        instanceRefreshId: r.id,
        groupName: r.groupName,
        strategy: r.strategy,
        status: r.status,
        statusReason: r.statusReason,
        percentageComplete: percentageComplete(r),
        instancesToUpdate: instancesToUpdate(r),
        startedAt: wall(r.startedAt),
        endedAt: r.endedAt === undefined ? null : wall(r.endedAt),
      })),
  };
}
