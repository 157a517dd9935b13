/**
 * Registers golden-image's search attributes on a namespace through the operator service, so that a
 * self-hosted cluster shows and filters runs like the dev server does. Idempotent: only missing
 * attributes are added; one that exists with another type is an error, since Temporal cannot retype it.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';

const INDEXED_TYPES = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

interface SetupReport {
  added: string[];
  present: string[];
}

export async function registerSearchAttributes(client: Client, namespace: string): Promise<SetupReport> {
  const { operatorService } = client.connection;
  const existing = (await operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  const report: SetupReport = { added: [], present: [] };
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const key of ALL_SEARCH_ATTRIBUTES) {
    const wanted = INDEXED_TYPES[key.type as keyof typeof INDEXED_TYPES];
    const found = existing[key.name];
    if (found === undefined) {
      missing[key.name] = wanted;
      report.added.push(key.name);
    } else if (found !== wanted) {
      throw new Error(
        `search attribute ${key.name} exists on ${namespace} with another type (${temporal.api.enums.v1.IndexedValueType[found]}); golden-image needs ${key.type}`,
      );
    } else {
      report.present.push(key.name);
    }
  }
  if (report.added.length) await operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  return report;
}
