/**
 * The pipeline kinds a config file can describe, each with its workflow type and its input schema.
 * A config names its kind (`kind: ami`), so that `validate`, `schedule create` and friends know which
 * workflow it starts and which schema checks it.
 */
import type { z } from 'zod';
import { amiPipelineInput } from './ami-pipeline';
import { appStreamImageBuilderInput } from './appstream-image-builder';
import { appStreamImageUpdateInput } from './appstream-image-update';

export interface PipelineKind {
  workflowType: string;
  schema: z.ZodType;
  /** A one-line summary for the UI, from the validated input. */
  summary: (input: never) => string;
  /** The readable start of a run's workflow ID; a random suffix makes it unique. */
  workflowIdPrefix: (input: never) => string;
}

const tagsText = (tags: Record<string, string> | undefined) => Object.entries(tags ?? {}).map(([k, v]) => `${k}=${v}`).join(',');

export const PIPELINE_KINDS = {
  ami: {
    workflowType: 'amiPipeline',
    schema: amiPipelineInput,
    summary: (input: z.output<typeof amiPipelineInput>) => `AMI pipeline **${input.name}**: image from \`${input.instanceId ?? tagsText(input.instanceTags)}\``,
    workflowIdPrefix: (input: z.output<typeof amiPipelineInput>) => `ami-${input.name}`,
  },
  'appstream-update': {
    workflowType: 'appStreamImageUpdate',
    schema: appStreamImageUpdateInput,
    summary: (input: z.output<typeof appStreamImageUpdateInput>) => `AppStream image update **${input.name}**: \`${input.existingImageName}\` → \`${input.newImageName}\``,
    workflowIdPrefix: (input: z.output<typeof appStreamImageUpdateInput>) => `appstream-update-${input.name}`,
  },
  'appstream-builder': {
    workflowType: 'appStreamImageBuilder',
    schema: appStreamImageBuilderInput,
    summary: (input: z.output<typeof appStreamImageBuilderInput>) => `AppStream image builder **${input.name}**: ${input.action}`,
    workflowIdPrefix: (input: z.output<typeof appStreamImageBuilderInput>) => `appstream-builder-${input.name}-${input.action}`,
  },
} satisfies Record<string, PipelineKind>;

export type PipelineKindName = keyof typeof PIPELINE_KINDS;
export const PIPELINE_KIND_NAMES = Object.keys(PIPELINE_KINDS) as PipelineKindName[];
