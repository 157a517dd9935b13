import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import {
  APPSTREAM_GOLDEN_IMAGE_NAME,
  APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME,
  APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
  FAST_LAUNCH_TEMPLATE_ID,
  FAST_LAUNCH_TEMPLATE_NAME,
  LINUX_BASE_AMI_ID,
  SANDBOX_ACCESS_KEYS,
  WINDOWS_BASE_AMI_ID,
} from '../../index';
import { EC2_ACTION_NAMES } from '../../ec2/service';
import { cliEnv, venvPython } from './awscli';
import { awsCliSandboxForThisFile } from './awscli-sandbox';

/**
 * The fidelity suite's Node side: one Python process (test/fidelity/fidelity.py, boto3 and an in-process
 * awscli checking every response against botocore's model) runs a test file's groups against a fresh
 * sandbox; each group is then one test, so a failure names its group and its checks.
 */

export interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

type PerService<T> = Record<string, T>;

export interface FidelityResults {
  groups: Record<string, Check[]>;
  applicable: { paginators: PerService<string[]>; waiters: PerService<string[]>; otherWaiters: PerService<string[]> };
  paginators: PerService<string[]>;
  waiters: PerService<string[]>;
  called: PerService<{ boto3?: string[]; awscli?: string[] }>;
}

/** What the project calls (activities/, dev/): the operations both boto3 and awscli must drive. */
export const PROJECT_OPERATIONS = {
  ec2: [
    'CreateImage',
    'CreateReplaceRootVolumeTask',
    'CreateTags',
    'DeleteSnapshot',
    'DeregisterImage',
    'DescribeFastLaunchImages',
    'DescribeImages',
    'DescribeInstances',
    'DescribeLaunchTemplates',
    'DescribeReplaceRootVolumeTasks',
    'DescribeSnapshots',
    'DescribeVolumes',
    'DisableFastLaunch',
    'EnableFastLaunch',
    'RunInstances',
    'TerminateInstances',
  ],
  appstream: [
    'CopyImage',
    'CreateImageBuilder',
    'CreateUpdatedImage',
    'DeleteImage',
    'DeleteImageBuilder',
    'DescribeFleets',
    'DescribeImageBuilders',
    'DescribeImages',
    'ListTagsForResource',
    'StartFleet',
    'StartImageBuilder',
    'StopFleet',
    'StopImageBuilder',
    'TagResource',
    'UntagResource',
    'UpdateFleet',
  ],
};

/** The operations the sandbox serves, for which botocore's paginators and waiters apply. */
const SERVED_OPERATIONS = { ec2: EC2_ACTION_NAMES, appstream: PROJECT_OPERATIONS.appstream };

const driver = path.resolve(__dirname, '..', 'fidelity', 'fidelity.py');

function runDriver(input: unknown, env: NodeJS.ProcessEnv): Promise<FidelityResults> {
  return new Promise((resolve, reject) => {
    const child = spawn(venvPython, [driver], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`fidelity.py exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as FidelityResults);
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** Starts a sandbox, runs `groups` in one Python process before the file's tests, and declares one test per group. */
export function fidelityGroups(groups: string[]): () => FidelityResults {
  let results: FidelityResults | undefined;
  // The test profile's sub-second transitions let boto3's waiters poll for real; a deregistered AMI
  // stays visible long enough for the check that reads it back. Throttling is off, as the groups call
  // in bursts no client would; the errors group checks a throttled answer through an injected fault.
  const sandbox = awsCliSandboxForThisFile(
    { profile: 'test', deregisteredImageVisibleMs: 60_000, throttling: { enabled: false } },
    {
      timeout: 600_000,
      whenStarted: async () => {
        results = await runDriver(
          {
            endpoint: sandbox.url,
            keys: SANDBOX_ACCESS_KEYS,
            seeds: {
              linuxAmi: LINUX_BASE_AMI_ID,
              windowsAmi: WINDOWS_BASE_AMI_ID,
              launchTemplateId: FAST_LAUNCH_TEMPLATE_ID,
              launchTemplateName: FAST_LAUNCH_TEMPLATE_NAME,
              appStreamGoldenImage: APPSTREAM_GOLDEN_IMAGE_NAME,
              appStreamBaseImage: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
              appStreamBase2019Image: APPSTREAM_WINDOWS_2019_BASE_IMAGE_NAME,
            },
            operations: SERVED_OPERATIONS,
            groups,
          },
          // Retries off: an error under test must reach the checks as the sandbox answered it. No __pycache__ in the source tree.
          { ...cliEnv(sandbox.configDir), AWS_RETRY_MODE: 'standard', AWS_MAX_ATTEMPTS: '1', PYTHONDONTWRITEBYTECODE: '1' },
        );
      },
    },
  );

  const current = (): FidelityResults => {
    assert.ok(results, 'the fidelity driver did not run');
    return results;
  };

  for (const group of groups) {
    test(group, (t) => {
      const checks = current().groups[group] ?? [];
      t.diagnostic(`${checks.length} checks`);
      assert.ok(checks.length > 0, `group ${group} made no checks`);
      const failed = checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`);
      assert.deepEqual(failed, []);
    });
  }
  test('checks in all', (t) => {
    const all = Object.values(current().groups).flat();
    t.diagnostic(`${all.length} checks, of which ${all.filter((c) => c.check.startsWith('model: ')).length} response validations`);
    assert.ok(all.length > 0);
  });
  return current;
}

/** The test that boto3 and awscli each drove every `service` operation the project calls; `label` names the service. */
export function testBothClientsDroveProjectOperations(
  results: () => FidelityResults,
  service: keyof typeof PROJECT_OPERATIONS,
  label: string,
) {
  test(`boto3 and awscli both drove every ${label} operation the project calls`, () => {
    const { called } = results();
    for (const client of ['boto3', 'awscli'] as const) {
      const missing = PROJECT_OPERATIONS[service].filter((op) => !called[service]?.[client]?.includes(op));
      assert.deepEqual(missing, [], `${client} did not call these`);
    }
  });
}
