/**
 * A bake's steps checked against their SSM documents before anything is launched: SSM itself checks a
 * document only at SendCommand, once the build instance is up, and a test step's only after the image is
 * made. One DescribeDocument per distinct document (read-only) says whether it exists in the Region, runs
 * on the source image's platform, and which parameters it takes (those without a default are required).
 * Every problem is reported at once, as one non-retryable `InvalidInput` failure with a line per problem
 * naming its step; a transient AWS failure fails it retryably instead (awsCall).
 */
import { DescribeDocumentCommand, type DocumentDescription, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCall } from '../aws/call';
import { refuseInput } from '../input-validation';
import { isAwsErrorCode } from '../aws/errors';
import type { SourceImage } from '../ec2/source-image';

export interface StepDocumentUse {
  /** Where the step is in the config: `build.steps[1]`. */
  path: string;
  document: string;
  parameters: Record<string, string[]>;
}

/** The platform as documents' PlatformTypes name it. */
const PLATFORM_TYPE = { windows: 'Windows', linux: 'Linux' } as const;

/** The document's default version, or nothing when SSM has no such document (or none the caller may use). */
async function describeDocument(ssm: SSMClient, name: string): Promise<DocumentDescription | undefined> {
  try {
    return (await awsCall(`DescribeDocument (${name})`, () => ssm.send(new DescribeDocumentCommand({ Name: name })))).Document;
  } catch (err) {
    if (isAwsErrorCode(err, 'InvalidDocument')) return undefined;
    throw err;
  }
}

/** What is wrong with one step, given its document's description. */
function stepProblems(step: StepDocumentUse, found: DocumentDescription | undefined, platform: SourceImage['platform']): string[] {
  const { path, document: name } = step;
  if (!found) return [`${path}.document: ${name} does not exist in this Region`];
  const problems: string[] = [];
  const platforms = found.PlatformTypes ?? [];
  if (!platforms.includes(PLATFORM_TYPE[platform])) {
    problems.push(`${path}.document: ${name} runs on ${platforms.join(' and ')} only, but the source image is ${PLATFORM_TYPE[platform]}`);
  }
  const declared = found.Parameters ?? [];
  const names = declared.map((p) => p.Name!);
  for (const parameter of Object.keys(step.parameters).filter((p) => !names.includes(p))) {
    problems.push(`${path}.parameters.${parameter}: ${name} has no parameter ${parameter} (it takes ${names.join(', ') || 'none'})`);
  }
  const missing = declared.filter((p) => p.DefaultValue === undefined && !step.parameters[p.Name!]?.length).map((p) => p.Name!);
  if (missing.length) problems.push(`${path}.parameters: ${name} requires ${missing.join(', ')}`);
  return problems;
}

export async function checkStepDocuments(ssm: SSMClient, steps: StepDocumentUse[], platform: SourceImage['platform']): Promise<void> {
  const names = [...new Set(steps.map((s) => s.document))];
  const described = await Promise.all(names.map((name) => describeDocument(ssm, name)));
  const byName = new Map(names.map((name, i) => [name, described[i]]));
  const problems = steps.flatMap((step) => stepProblems(step, byName.get(step.document), platform));
  if (problems.length) throw refuseInput(problems);
}
