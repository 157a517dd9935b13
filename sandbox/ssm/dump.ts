import type { InvocationDetail, ParameterType, SsmState } from './state';

/**
 * SSM's part of `GET /_sandbox/state`: each parameter's newest version (SecureString values left out), and
 * each Run Command command with its invocations' StatusDetails as of the last time an SSM call read them.
 */
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
  commands: {
    commandId: string;
    documentName: string;
    comment: string;
    parameters: Record<string, string[]>;
    /** Wall-clock epoch ms. */
    requestedAt: number;
    invocations: { instanceId: string; statusDetails: InvocationDetail }[];
  }[];
}

export function dumpSsm(state: SsmState): SsmDump {
  const now = state.clock.now();
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
    commands: [...state.ssm.commands.values()].map((c) => ({
      commandId: c.commandId,
      documentName: c.documentName,
      comment: c.comment,
      parameters: c.parameters,
      requestedAt: state.clock.toWall(c.requestedAt),
      invocations: [...c.invocations.values()].map((i) => ({ instanceId: i.instanceId, statusDetails: i.lifecycle.stateAt(now) })),
    })),
  };
}
