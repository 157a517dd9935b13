import type { ParameterType, SsmState } from './state';

/** SSM's part of `GET /_sandbox/state`: each parameter's newest version. SecureString values are left out. */
export interface SsmDump {
  parameters: {
    name: string;
    type: ParameterType;
    dataType: string;
    version: number;
    value?: string;
    tags: Record<string, string>;
    /** Wall-clock epoch ms. */
    modifiedAt: number;
  }[];
}

export function dumpSsm(state: SsmState): SsmDump {
  return {
    parameters: [...state.ssm.parameters.values()].map((p) => {
      const latest = p.versions.at(-1)!;
      return {
        name: p.name,
        type: latest.type,
        dataType: latest.dataType,
        version: latest.version,
        value: latest.type === 'SecureString' ? undefined : latest.value,
        tags: Object.fromEntries(p.tags),
        modifiedAt: state.clock.toWall(latest.modifiedAt),
      };
    }),
  };
}
