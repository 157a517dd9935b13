import { ApiError } from '../core/errors';
import type { NodePlatform } from './state';

/**
 * The AWS-owned Command documents Run Command runs here, with their parameters, platforms and steps as AWS
 * publishes them. Schema 1.2 documents (the Run*Script ones) have one plugin, named after its action
 * (`aws:runShellScript`); schema 2.2 documents have named steps, and a step whose `platformType`
 * precondition does not hold is skipped, reporting Success.
 */

interface DocumentParameter {
  type: 'String' | 'StringList' | 'StringMap';
  /** Required: the document gives it no default. */
  required?: true;
  allowedValues?: readonly string[];
  /** The document's allowedPattern. */
  pattern?: RegExp;
}

interface DocumentStep {
  name: string;
  /** The step's `platformType` precondition; absent, it runs on every platform the document supports. */
  platform?: 'Windows' | 'Linux' | 'MacOS';
}

export interface RunDocument {
  name: string;
  platforms: readonly NodePlatform[];
  parameters: Readonly<Record<string, DocumentParameter>>;
  steps: readonly DocumentStep[];
  /** The documents' steps time out after an hour unless a parameter or the step says otherwise. */
  executionTimeoutSeconds(parameters: Record<string, string[]>): number;
}

/** Each AWS document's one version the sandbox has. */
const DOCUMENT_VERSION = '1';
const DEFAULT_STEP_TIMEOUT_SECONDS = 3600;

/** AWS-RunShellScript's and AWS-RunPowerShellScript's executionTimeout: 1 to 172800 seconds. */
const EXECUTION_TIMEOUT = /^(([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800))$/;

const scriptParameters = {
  commands: { type: 'StringList', required: true },
  workingDirectory: { type: 'String' },
  executionTimeout: { type: 'String', pattern: EXECUTION_TIMEOUT },
} as const satisfies Record<string, DocumentParameter>;

const scriptTimeout = (parameters: Record<string, string[]>) => Number(parameters.executionTimeout?.[0] ?? DEFAULT_STEP_TIMEOUT_SECONDS);

const DOCUMENTS: readonly RunDocument[] = [
  {
    name: 'AWS-RunShellScript',
    platforms: ['linux'],
    parameters: scriptParameters,
    steps: [{ name: 'aws:runShellScript' }],
    executionTimeoutSeconds: scriptTimeout,
  },
  {
    // PowerShell Core runs it on Linux too.
    name: 'AWS-RunPowerShellScript',
    platforms: ['windows', 'linux'],
    parameters: scriptParameters,
    steps: [{ name: 'aws:runPowerShellScript' }],
    executionTimeoutSeconds: scriptTimeout,
  },
  {
    name: 'AWS-RunPatchBaseline',
    platforms: ['windows', 'linux'],
    parameters: {
      Operation: { type: 'String', required: true, allowedValues: ['Scan', 'Install'] },
      SnapshotId: { type: 'String' },
      InstallOverrideList: { type: 'String' },
      BaselineOverride: { type: 'String' },
      RebootOption: { type: 'String', allowedValues: ['RebootIfNeeded', 'NoReboot'] },
    },
    steps: [
      { name: 'PatchWindows', platform: 'Windows' },
      { name: 'PatchLinux', platform: 'Linux' },
      { name: 'PatchMacOS', platform: 'MacOS' },
    ],
    // Patching steps are given two hours.
    executionTimeoutSeconds: () => 7200,
  },
  {
    name: 'AWS-ConfigureAWSPackage',
    platforms: ['windows', 'linux'],
    parameters: {
      action: { type: 'String', required: true, allowedValues: ['Install', 'Uninstall'] },
      installationType: { type: 'String', allowedValues: ['Uninstall and reinstall', 'In-place update'] },
      name: { type: 'String', required: true },
      version: { type: 'String' },
      additionalArguments: { type: 'StringMap' },
    },
    steps: [{ name: 'configurePackage' }],
    executionTimeoutSeconds: () => DEFAULT_STEP_TIMEOUT_SECONDS,
  },
];

/** What a node's platform is called in documents, DescribeInstanceInformation and errors. */
export function platformType(platform: NodePlatform): 'Windows' | 'Linux' {
  return platform === 'windows' ? 'Windows' : 'Linux';
}

/** The document SendCommand names, at the version it names: InvalidDocument, InvalidDocumentVersion. */
export function requireDocument(name: string, version: string | undefined): RunDocument {
  const document = DOCUMENTS.find((d) => d.name === name);
  if (!document) throw new ApiError('InvalidDocument', `Document with name ${name} does not exist.`);
  if (version !== undefined && version !== '$DEFAULT' && version !== '$LATEST' && version !== DOCUMENT_VERSION) {
    throw new ApiError('InvalidDocumentVersion', `Document ${name} does not have version ${version}.`);
  }
  return document;
}

/** The parameters a document takes, as SSM checks them before it accepts a command: InvalidParameters. */
export function checkParameters(document: RunDocument, parameters: Map<string, string[]>): void {
  const invalid = (why: string) => new ApiError('InvalidParameters', `${why} (document ${document.name}).`);
  for (const [name, values] of parameters) {
    const rule = document.parameters[name];
    if (!rule) throw invalid(`Parameter ${name} is not defined by the document`);
    if (rule.type !== 'StringList' && values.length > 1) throw invalid(`Parameter ${name} takes one value`);
    for (const value of values) {
      if (rule.allowedValues && !rule.allowedValues.includes(value)) {
        throw invalid(`Parameter ${name} must be one of ${rule.allowedValues.join(', ')}`);
      }
      if (rule.pattern && !rule.pattern.test(value)) throw invalid(`Parameter ${name} does not match its allowed pattern`);
    }
  }
  for (const [name, rule] of Object.entries(document.parameters)) {
    if (rule.required && (parameters.get(name) ?? []).length === 0) throw invalid(`Parameter ${name} is required`);
  }
}

/** A Windows node cannot run a Linux-only document: UnsupportedPlatformType, as SSM words it. */
export function checkPlatform(document: RunDocument, instanceId: string, platform: NodePlatform): void {
  if (!document.platforms.includes(platform)) {
    throw new ApiError(
      'UnsupportedPlatformType',
      `Cannot perform operation for instance id ${instanceId} of platform type ${platformType(platform)}`,
    );
  }
}

/** The step that runs on `platform`; the others are skipped. */
export function runningStep(document: RunDocument, platform: NodePlatform): DocumentStep {
  return document.steps.find((s) => s.platform === undefined || s.platform === platformType(platform))!;
}

/** What a skipped step reports as its output, as the agent words it. */
export function skippedStepOutput(step: DocumentStep): string {
  return `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [platformType, ${step.platform}]'. Step name: ${step.name}`;
}
