import { ApiError } from '../core/errors';
import type { NodePlatform } from './state';

/**
 * The AWS-owned Command documents Run Command runs here, with their parameters, platforms and steps as AWS
 * publishes them. Schema 1.2 documents (the Run*Script ones) have one plugin, named after its action
 * (`aws:runShellScript`); schema 2.2 documents have named steps, and a step whose `platformType`
 * precondition does not hold is skipped, reporting Success.
 */

/** The platforms a document declares, as DescribeDocument's PlatformTypes and steps' preconditions name them. */
type PlatformType = 'Windows' | 'Linux' | 'MacOS';

interface DocumentParameter {
  type: 'String' | 'StringList' | 'StringMap';
  description: string;
  /** The document's default value; a parameter without one is required, as DescribeDocument tells. */
  default?: string;
  allowedValues?: readonly string[];
  /** The document's allowedPattern. */
  pattern?: RegExp;
}

interface DocumentStep {
  name: string;
  /** The step's `platformType` precondition; absent, it runs on every platform the document supports. */
  platform?: PlatformType;
}

export interface RunDocument {
  name: string;
  description: string;
  schemaVersion: '1.2' | '2.2';
  platforms: readonly PlatformType[];
  parameters: Readonly<Record<string, DocumentParameter>>;
  steps: readonly DocumentStep[];
  /** The documents' steps time out after an hour unless a parameter or the step says otherwise. */
  executionTimeoutSeconds(parameters: Record<string, string[]>): number;
}

/** Each AWS document's one version the sandbox has. */
export const AWS_DOCUMENT_VERSION = '1';
const DEFAULT_STEP_TIMEOUT_SECONDS = 3600;

/** AWS-RunShellScript's and AWS-RunPowerShellScript's executionTimeout: 1 to 172800 seconds. */
const EXECUTION_TIMEOUT = /^(([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800))$/;

const scriptParameters = (commands: string) =>
  ({
    commands: { type: 'StringList', description: commands },
    workingDirectory: { type: 'String', description: '(Optional) The path to the working directory on your instance.', default: '' },
    executionTimeout: {
      type: 'String',
      description:
        '(Optional) The time in seconds for a command to complete before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).',
      default: '3600',
      pattern: EXECUTION_TIMEOUT,
    },
  }) as const satisfies Record<string, DocumentParameter>;

const scriptTimeout = (parameters: Record<string, string[]>) => Number(parameters.executionTimeout?.[0] ?? DEFAULT_STEP_TIMEOUT_SECONDS);

const DOCUMENTS: readonly RunDocument[] = [
  {
    name: 'AWS-RunShellScript',
    description: 'Run a shell script or specify the commands to run.',
    schemaVersion: '1.2',
    platforms: ['Linux', 'MacOS'],
    parameters: scriptParameters('(Required) Specify a shell script or a command to run.'),
    steps: [{ name: 'aws:runShellScript' }],
    executionTimeoutSeconds: scriptTimeout,
  },
  {
    // PowerShell Core runs it on Linux and macOS too.
    name: 'AWS-RunPowerShellScript',
    description: 'Run a PowerShell script or specify the paths to scripts to run.',
    schemaVersion: '1.2',
    platforms: ['Windows', 'Linux', 'MacOS'],
    parameters: scriptParameters('(Required) Specify the commands to run or the paths to existing scripts on the instance.'),
    steps: [{ name: 'aws:runPowerShellScript' }],
    executionTimeoutSeconds: scriptTimeout,
  },
  {
    name: 'AWS-RunPatchBaseline',
    description: 'Scans for or installs patches from a patch baseline to a Linux or Windows operating system.',
    schemaVersion: '2.2',
    platforms: ['Windows', 'Linux', 'MacOS'],
    parameters: {
      Operation: {
        type: 'String',
        description:
          '(Required) The update or configuration to perform on the instance. The system checks if patches specified in the patch baseline are installed on the instance. The install operation installs patches missing from the baseline.',
        allowedValues: ['Scan', 'Install'],
      },
      SnapshotId: { type: 'String', description: '(Optional) The snapshot ID to use to retrieve a patch baseline snapshot.', default: '' },
      InstallOverrideList: {
        type: 'String',
        description:
          '(Optional) An https URL or an Amazon S3 path-style URL to a list of patches to be installed. This patch installation list overrides the patches specified by the default patch baseline.',
        default: '',
      },
      BaselineOverride: {
        type: 'String',
        description: '(Optional) Defines the patch compliance, approval and rejection rules to use instead of the default patch baseline.',
        default: '',
      },
      RebootOption: {
        type: 'String',
        description:
          '(Optional) Reboot behavior after a patch Install operation. If you choose NoReboot and patches are installed, the instance is marked as non-compliant until a subsequent reboot and scan.',
        default: 'RebootIfNeeded',
        allowedValues: ['RebootIfNeeded', 'NoReboot'],
      },
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
    description:
      'Install or uninstall a Distributor package. You can install the latest version, default version, or a version of the package you specify.',
    schemaVersion: '2.2',
    platforms: ['Windows', 'Linux', 'MacOS'],
    parameters: {
      action: {
        type: 'String',
        description: '(Required) Specify whether or not to install or uninstall the package.',
        allowedValues: ['Install', 'Uninstall'],
      },
      installationType: {
        type: 'String',
        description:
          '(Optional) Specify the type of installation. Uninstall and reinstall: The application is taken offline until the reinstallation process completes. In-place update: The application is available while new or updated files are added to the installation.',
        default: 'Uninstall and reinstall',
        allowedValues: ['Uninstall and reinstall', 'In-place update'],
      },
      name: { type: 'String', description: '(Required) The package to install/uninstall.' },
      version: {
        type: 'String',
        description:
          "(Optional) The version of the package to install or uninstall. If you don't specify a version, the system installs the latest published version by default.",
        default: '',
      },
      additionalArguments: {
        type: 'StringMap',
        description:
          '(Optional) The additional parameters to provide to your install, uninstall, or update scripts. Each parameter must be prefixed with SSM_.',
        default: '{}',
      },
    },
    steps: [{ name: 'configurePackage' }],
    executionTimeoutSeconds: () => DEFAULT_STEP_TIMEOUT_SECONDS,
  },
];

/** What a node's platform is called in documents, DescribeInstanceInformation and errors. */
export function platformType(platform: NodePlatform): 'Windows' | 'Linux' {
  return platform === 'windows' ? 'Windows' : 'Linux';
}

/** The document SendCommand or DescribeDocument names, at the version it names: InvalidDocument, InvalidDocumentVersion. */
export function requireDocument(name: string, version: string | undefined): RunDocument {
  const document = DOCUMENTS.find((d) => d.name === name);
  if (!document) throw new ApiError('InvalidDocument', `Document with name ${name} does not exist.`);
  if (version !== undefined && version !== '$DEFAULT' && version !== '$LATEST' && version !== AWS_DOCUMENT_VERSION) {
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
    if (rule.default === undefined && (parameters.get(name) ?? []).length === 0) throw invalid(`Parameter ${name} is required`);
  }
}

/** A Windows node cannot run a Linux-only document: UnsupportedPlatformType, as SSM words it. */
export function checkPlatform(document: RunDocument, instanceId: string, platform: NodePlatform): void {
  if (!document.platforms.includes(platformType(platform))) {
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
