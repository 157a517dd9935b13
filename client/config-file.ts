/** Reads a pipeline config file: YAML or JSON (JSON is YAML, so one parser reads both). */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(file, 'utf8');
  const value: unknown = parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${file}: a pipeline config must be a mapping of settings`);
  }
  return value as Record<string, unknown>;
}
