import type { AlarmStateValue, CloudWatchState } from './state';

/** CloudWatch's part of `GET /_sandbox/state`: each alarm's name and state, oldest first. */
export interface CloudWatchDump {
  alarms: {
    alarmName: string;
    state: AlarmStateValue;
    stateReason: string;
    /** Wall-clock epoch ms of the last state update. */
    stateUpdatedAt: number;
  }[];
}

export function dumpCloudWatch(state: CloudWatchState): CloudWatchDump {
  return {
    alarms: [...state.cloudWatch.alarms.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((a) => ({
        alarmName: a.name,
        state: a.state,
        stateReason: a.stateReason,
        stateUpdatedAt: state.clock.toWall(a.stateUpdatedAt),
      })),
  };
}
