import type { RolloutSpec } from '../contracts/ami-pipeline';

/** A rollout's targets as summaries name them: `instances tagged {...}` or `instances launched from launch template web`. */
export function rolloutTargets(spec: Pick<RolloutSpec, 'tags' | 'launchTemplate'>): string {
  const template = spec.launchTemplate;
  return template
    ? `instances launched from launch template ${template.name ?? template.id}`
    : `instances tagged ${JSON.stringify(spec.tags)}`;
}
