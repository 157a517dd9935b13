/**
 * The pipeline kinds a config file can describe, each with its workflow type and its input schema.
 * A config names its kind (`kind: ami`), so that `validate`, `schedule create` and friends know which
 * workflow it starts and which schema checks it.
 */
import type { z } from 'zod';
import { amiPipelineInput } from './ami-pipeline';
import { appStreamImageBuilderInput } from './appstream-image-builder';
import { appStreamImageUpdateInput } from './appstream-image-update';

/** A kind whose validated input is `Input`; every kind's input names its pipeline, for search attributes and tags. */
interface PipelineKind<Input extends { name: string }> {
  workflowType: string;
  schema: z.ZodType<Input>;
  /** A one-line summary for the UI, from the validated input. */
  summary: (input: Input) => string;
  /** The readable start of a run's workflow ID; a random suffix makes it unique. */
  workflowIdPrefix: (input: Input) => string;
}

/** Types a kind's functions by its own schema's output. */
const definePipelineKind = <Input extends { name: string }>(kind: PipelineKind<Input>) => kind;

const tagsText = (tags: Record<string, string> | undefined) =>
  Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

const KINDS = {
  ami: definePipelineKind({
    workflowType: 'amiPipeline',
    schema: amiPipelineInput,
    summary: (input) => `AMI pipeline **${input.name}**: image from \`${input.instanceId ?? tagsText(input.instanceTags)}\``,
    workflowIdPrefix: (input) => `ami-${input.name}`,
  }),
  'appstream-update': definePipelineKind({
    workflowType: 'appStreamImageUpdate',
    schema: appStreamImageUpdateInput,
    summary: (input) => `AppStream image update **${input.name}**: \`${input.existingImageName}\` → \`${input.newImageName}\``,
    workflowIdPrefix: (input) => `appstream-update-${input.name}`,
  }),
  'appstream-builder': definePipelineKind({
    workflowType: 'appStreamImageBuilder',
    schema: appStreamImageBuilderInput,
    summary: (input) => `AppStream image builder **${input.name}**: ${input.action}`,
    workflowIdPrefix: (input) => `appstream-builder-${input.name}-${input.action}`,
  }),
};

export type PipelineKindName = keyof typeof KINDS;
/** What a config of kind K holds once validated (defaults applied). */
export type PipelineInput<K extends PipelineKindName> = z.output<(typeof KINDS)[K]['schema']>;

/**
 * The registry, typed as a mapping over the kind names: for any one kind K, even a generic one, its
 * schema's output is what its functions take (TypeScript's pattern for correlated unions), so the
 * start path needs no casts.
 */
export const PIPELINE_KINDS: { [K in PipelineKindName]: PipelineKind<PipelineInput<K>> } = KINDS;
export const PIPELINE_KIND_NAMES = Object.keys(PIPELINE_KINDS) as PipelineKindName[];
