/** An `appStreamImageBuilder` run's action, the state it ends in, and the run's two stages. */
export const BUILDER_ACTIONS = ['create', 'start', 'stop', 'delete'] as const;
export type BuilderAction = (typeof BUILDER_ACTIONS)[number];

export type BuilderGoal = 'RUNNING' | 'STOPPED' | 'DELETED';

/** The state each action ends in: a new builder boots, so `create` waits for RUNNING. */
export const BUILDER_GOALS: Record<BuilderAction, BuilderGoal> = {
  create: 'RUNNING',
  start: 'RUNNING',
  stop: 'STOPPED',
  delete: 'DELETED',
};

/** The stage that waits for each state. */
const WAIT_STAGES = { RUNNING: 'wait-running', STOPPED: 'wait-stopped', DELETED: 'wait-deleted' } as const satisfies Record<
  BuilderGoal,
  string
>;
export type BuilderStage = BuilderAction | (typeof WAIT_STAGES)[BuilderGoal];

/** A run's two stages: the action, then the wait for the state it leads to. */
export function builderStages(action: BuilderAction) {
  return [action, WAIT_STAGES[BUILDER_GOALS[action]]] as const;
}
