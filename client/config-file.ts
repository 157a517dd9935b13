/**
 * Reads pipeline config files: YAML or JSON (JSON is YAML, so one parser reads both). A file names its
 * kind (`kind: ami`, `appstream-update` or `appstream-builder`), so that `validate` and `schedule`
 * know which workflow and which schema it is for.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { InvalidInputError } from '../contracts/input-validation';
import { PIPELINE_KIND_NAMES, type PipelineKindName } from '../contracts/pipeline-kinds';

export interface PipelineFile {
  kind: PipelineKindName;
  /** The settings, without `kind`: the workflow's input before validation. */
  config: Record<string, unknown>;
}

export async function readPipelineFile(file: string): Promise<PipelineFile> {
  let value: unknown;
  try {
    value = parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InvalidInputError([`${file}: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError([`${file}: a pipeline config must be a mapping of settings`]);
  }
  const { kind, ...config } = value as Record<string, unknown>;
  if (!PIPELINE_KIND_NAMES.includes(kind as PipelineKindName)) {
    throw new InvalidInputError([`kind: must be one of ${PIPELINE_KIND_NAMES.join(', ')} (got ${JSON.stringify(kind ?? null)})`]);
  }
  return { kind: kind as PipelineKindName, config };
}

/** A file for a command that runs one kind: the file's kind must be that one. */
export async function readConfigFile(file: string, expected: PipelineKindName): Promise<Record<string, unknown>> {
  const { kind, config } = await readPipelineFile(file);
  if (kind !== expected) throw new InvalidInputError([`kind: ${file} is a ${kind} config, and this command runs ${expected} pipelines`]);
  return config;
}
