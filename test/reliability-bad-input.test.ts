/**
 * Bad input, as a table across the three ways in: the CLI (client/bin.cjs as a child process), config
 * files (`golden-image validate -f` and `ami run -f`), and workflow starts that bypass the CLI's check.
 * Each case gives its own specific message, and the sandbox records zero mutating AWS calls. The CLI
 * is pointed at this file's dev server and sandbox, so anything that slipped through would show.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CreateImageCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { APPSTREAM_GOLDEN_IMAGE_NAME } from '@golden-image/aws-sandbox';
import { sandboxWorkerEnv } from '../dev/worker-process';
import { failureOf } from './support/runs';
import { checkSandbox, mutatingCallsOf } from './support/sandbox-state';
import { setAppStreamUpdateAvailable } from './support/scenarios';
import { REGION, startStack, TEST_CREDENTIALS, type Stack } from './support/stack';

const BIN = path.resolve(__dirname, '../client/bin.cjs');
let stack: Stack;
let dir: string;
let build: string;
let linuxBuild: string;
let terminated: string;

before(async () => {
  stack = await startStack();
  dir = await mkdtemp(path.join(tmpdir(), 'golden-image-bad-input-'));
  build = await stack.launchInstance('windows', { Name: 'win-build' });
  linuxBuild = await stack.launchInstance('linux', { Name: 'linux-build' });
  await stack.launchInstances('windows', 2, { Name: 'twin' });
  terminated = await stack.launchInstance('windows');
  await stack.ec2.send(new TerminateInstancesCommand({ InstanceIds: [terminated] }));
  await setAppStreamUpdateAvailable(stack.sandboxUrl, APPSTREAM_GOLDEN_IMAGE_NAME);
  await stack.admin.resetCalls();
});
after(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const run = promisify(execFile);

/** Runs the CLI; a non-zero exit comes back as a value, not a rejection. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const env = sandboxWorkerEnv({
    temporalAddress: stack.env.address,
    sandboxUrl: stack.sandboxUrl,
    taskQueue: stack.taskQueue,
    region: REGION,
    credentials: TEST_CREDENTIALS,
  });
  return run(process.execPath, [BIN, ...args], { env, timeout: 60_000 }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
  );
}

const WIN = 'i-0123456789abcdef0';
const fortyNineTags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));

/** A command line, and, for config cases, the file it reads: `{{file}}` in the args is its path. */
interface CliCase {
  label: string;
  args: string[];
  file?: string;
  message: RegExp;
}

const yaml = (config: object) => JSON.stringify(config, null, 2);

const CLI_CASES: CliCase[] = [
  {
    label: 'CLI: malformed instance ID',
    args: ['ami', 'run', '--name', 'web', '--instance', 'i-123'],
    message: /instanceId: must be an EC2 instance ID such as i-0123456789abcdef0/,
  },
  {
    label: 'CLI: no pipeline name',
    args: ['ami', 'run', '--instance', WIN],
    message: /name: Invalid input: expected string, received undefined/,
  },
  {
    label: 'CLI: pipeline name with a space',
    args: ['ami', 'run', '--name', 'web golden', '--instance', WIN],
    message: /name: must be 1-63 letters, digits/,
  },
  {
    label: 'CLI: volume initialization rate below 100',
    args: ['ami', 'run', '--name', 'web', '--instance', WIN, '--volume-initialization-rate', '99'],
    message: /volumeInitializationRate: must be between 100 and 300 MiB\/s/,
  },
  {
    label: 'CLI: volume initialization rate above 300',
    args: ['ami', 'run', '--name', 'web', '--instance', WIN, '--volume-initialization-rate', '301'],
    message: /volumeInitializationRate: must be between 100 and 300 MiB\/s/,
  },
  {
    label: 'CLI: reserved aws: tag',
    args: ['ami', 'run', '--name', 'web', '--instance', WIN, '--tag', 'aws:owner=me'],
    message: /tags.aws:owner: the "aws:" prefix is reserved by AWS/,
  },
  {
    label: "CLI: the pipeline's own tag",
    args: ['ami', 'run', '--name', 'web', '--instance', WIN, '--tag', 'golden-image:run-id=x'],
    message: /reserved for the pipeline/,
  },
  {
    label: 'CLI: poll interval below 100ms',
    args: ['ami', 'run', '--name', 'web', '--instance', WIN, '--poll-interval', '10ms'],
    message: /waits.image.interval: must be at least 100ms/,
  },
  {
    label: 'CLI: timeout that is not a duration',
    args: ['ami', 'run', '--name', 'web', '--instance', WIN, '--timeout', 'soon'],
    message: /waits.image.timeout: must be a duration such as/,
  },
  {
    label: 'CLI: image name without {{run}} or {{date}}',
    args: ['ami', 'run', '--name', 'web', '--instance', WIN, '--image-name', 'web-golden'],
    message: /imageName: must contain \{\{run\}\} or \{\{date\}\}/,
  },
  {
    label: 'CLI: image name with illegal characters',
    args: ['ami', 'run', '--name', 'web', '--instance', WIN, '--image-name', 'web!{{run}}'],
    message: /imageName: may only hold letters, digits/,
  },
  {
    label: 'CLI: AppStream image name with illegal characters',
    args: ['appstream', 'update', '--image', 'golden base!', '--new-name', 'x-{{run}}'],
    message: /existingImageName: must be 1-101 letters, digits, "\.", "_" or "-"/,
  },
  {
    label: 'CLI: AppStream new name too long once filled in',
    args: ['appstream', 'update', '--image', APPSTREAM_GOLDEN_IMAGE_NAME, '--new-name', `${'n'.repeat(90)}-{{date}}`],
    message: /newImageName: must be 1-101 letters.*once \{\{pipeline\}\}, \{\{date\}\}/,
  },
  {
    label: 'CLI: AppStream retention keep 0',
    args: ['appstream', 'update', '--image', APPSTREAM_GOLDEN_IMAGE_NAME, '--new-name', 'x-{{run}}', '--keep', '0'],
    message: /retention.keep: must be >= 1/,
  },
  {
    label: 'CLI: AppStream builder instance type',
    args: ['appstream', 'builder', 'create', '--name', 'b1', '--image', 'base', '--instance-type', 'm5.large'],
    message: /instanceType: must be an AppStream instance type/,
  },
  {
    label: 'CLI: a flag value of the wrong type',
    args: ['ami', 'run', '--name', 'web', '--instance', WIN, '--volume-initialization-rate', 'fast'],
    message: /argument 'fast' is invalid. expected a whole number/,
  },
  { label: 'CLI: an unknown flag', args: ['ami', 'run', '--bogus'], message: /unknown option '--bogus'/ },
  {
    label: 'file: YAML syntax error',
    args: ['validate', '-f', '{{file}}'],
    file: 'kind: ami\nname: [unclosed\n',
    message: /\.yaml: .*(flow|collection|Missing|end)/i,
  },
  {
    label: 'file: not a mapping',
    args: ['validate', '-f', '{{file}}'],
    file: '- kind: ami\n',
    message: /a pipeline config must be a mapping of settings/,
  },
  {
    label: 'file: unknown kind',
    args: ['validate', '-f', '{{file}}'],
    file: yaml({ kind: 'ami-v2', name: 'web' }),
    message: /kind: must be one of ami, appstream-update, appstream-builder \(got "ami-v2"\)/,
  },
  {
    label: 'file: missing file',
    args: ['validate', '-f', path.join(tmpdir(), 'no-such-pipeline.yaml')],
    message: /no-such-pipeline\.yaml: ENOENT/,
  },
  {
    label: 'file: MaxParallelLaunches below 6',
    args: ['validate', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, fastLaunch: { maxParallelLaunches: 5 } }),
    message: /fastLaunch.maxParallelLaunches: must be at least 6 \(EC2's minimum\)/,
  },
  {
    label: 'file: oversized tag set (49 tags)',
    args: ['validate', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, tags: fortyNineTags }),
    message: /tags: at most 47 tags \(EC2 allows 50; the pipeline adds 3\)/,
  },
  {
    label: 'file: tag value over 256 characters',
    args: ['validate', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, tags: { note: 'x'.repeat(257) } }),
    message: /tags.note: tag values must be at most 256 characters/,
  },
  {
    label: 'file: an empty approver list',
    args: ['validate', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, approval: { approvers: [] } }),
    message: /approval.approvers: the approver list is empty: name at least one approver, or leave `approvers` out/,
  },
  {
    label: 'file: more approvals required than approvers listed',
    args: ['validate', '-f', '{{file}}'],
    file: yaml({
      kind: 'appstream-update',
      name: 'desk',
      existingImageName: 'base',
      newImageName: 'desk-{{date}}',
      approval: { approvers: ['alice', 'bob'], required: 3 },
    }),
    message: /approval.required: 3 approvals required, but only 2 approvers are listed/,
  },
  {
    label: 'file: approvals required without an approver list',
    args: ['validate', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, approval: { required: 2 } }),
    message: /approval.required: `required` needs an `approvers` list to count from/,
  },
  {
    label: 'file: an unknown setting',
    args: ['validate', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, fastlaunch: {} }),
    message: /Unrecognized key: "fastlaunch"/,
  },
  {
    label: 'file: wait timeout over 7 days',
    args: ['validate', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, waits: { image: { timeout: '8d' } } }),
    message: /waits.image.timeout: must be at most 7d/,
  },
  {
    label: 'file: rollout with both instance IDs and tags',
    args: ['ami', 'run', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, rollout: { instanceIds: [WIN], tags: { fleet: 'web' } } }),
    message: /rollout: give exactly one of instanceIds, tags, launchTemplate or autoScalingGroups/,
  },
  {
    label: 'file: empty rollout instance list',
    args: ['ami', 'run', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, rollout: { instanceIds: [] } }),
    message: /rollout.instanceIds: give at least one instance/,
  },
  {
    label: 'file: the same rollout target twice',
    args: ['ami', 'run', '-f', '{{file}}'],
    file: yaml({ kind: 'ami', name: 'web', instanceId: WIN, rollout: { instanceIds: [WIN, 'i-0123456789abcdef1', WIN] } }),
    message: /rollout.instanceIds: lists i-0123456789abcdef0 more than once/,
  },
  {
    label: 'file: an AppStream config given to ami run',
    args: ['ami', 'run', '-f', '{{file}}'],
    file: yaml({ kind: 'appstream-update', existingImageName: 'a', newImageName: 'b-{{run}}' }),
    message: /is a appstream-update config, and this command runs ami pipelines/,
  },
];

describe('bad input on the CLI and in config files: exit code 2, a specific message, no AWS call', { concurrency: 4 }, () => {
  for (const [i, c] of CLI_CASES.entries()) {
    test(c.label, async () => {
      const file = path.join(dir, `case-${i}.yaml`);
      if (c.file !== undefined) await writeFile(file, c.file);
      const { code, stderr } = await cli(c.args.map((a) => a.replace('{{file}}', file)));
      assert.match(stderr, c.message);
      assert.equal(code, 2, stderr);
      assert.deepEqual(mutatingCallsOf(await stack.admin.calls()), {});
    });
  }
});

interface WorkflowCase {
  label: string;
  workflow: 'amiPipeline' | 'appStreamImageUpdate' | 'appStreamImageBuilder';
  input: () => unknown;
  type: string;
  message: RegExp;
  /** AppStream dry runs the case makes (counted as CreateUpdatedImage by the sandbox, but changing nothing). */
  dryRuns?: number;
  /** Mutating calls AWS refuses, so they make nothing (CreateImage of a name already taken). */
  refused?: Record<string, number>;
  arrange?: () => Promise<void>;
}

const ami = (config: object) => () => ({
  name: 'web',
  instanceId: build,
  waits: { image: { interval: '100ms', timeout: '1m' } },
  ...config,
});
const update = (config: object) => () => ({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: 'bad-{{run}}', ...config });

/**
 * AMI names must be unique, and the template's {{date}} is the run's start time to the second: images of
 * every name a run starting in the next 30 s could get, made by someone else (no run tag).
 */
async function takeNextNames(): Promise<void> {
  const now = Date.now();
  for (let s = 0; s < 30; s++) {
    const iso = new Date(now + s * 1000).toISOString();
    const name = `taken-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
    await stack.ec2.send(new CreateImageCommand({ InstanceId: build, Name: name, NoReboot: true }));
  }
}

const WORKFLOW_CASES: WorkflowCase[] = [
  {
    label: 'no input at all',
    workflow: 'amiPipeline',
    input: () => null,
    type: 'InvalidInput',
    message: /\(input\): Invalid input: expected object, received null/,
  },
  {
    label: 'wrong type for a number',
    workflow: 'amiPipeline',
    input: ami({ retention: { keep: '3' } }),
    type: 'InvalidInput',
    message: /retention.keep: Invalid input: expected number, received string/,
  },
  {
    label: 'both instanceId and instanceTags',
    workflow: 'amiPipeline',
    input: ami({ instanceTags: { Name: 'win-build' } }),
    type: 'InvalidInput',
    message: /give exactly one of instanceId or instanceTags/,
  },
  {
    label: 'malformed launch template ID',
    workflow: 'amiPipeline',
    input: ami({ fastLaunch: { launchTemplate: { id: 'lt-xyz' } } }),
    type: 'InvalidInput',
    message: /fastLaunch.launchTemplate.id: must be a launch template ID/,
  },
  {
    label: 'approval timeout under a second',
    workflow: 'amiPipeline',
    input: ami({ approval: { timeout: '500ms' } }),
    type: 'InvalidInput',
    message: /approval.timeout: must be at least 1s/,
  },
  {
    label: 'an approver named twice',
    workflow: 'amiPipeline',
    input: ami({ approval: { approvers: ['alice', 'alice'], required: 2 } }),
    type: 'InvalidInput',
    message: /approval.approvers: an approver is named twice/,
  },
  {
    label: 'unknown build instance',
    workflow: 'amiPipeline',
    input: ami({ instanceId: 'i-0fedcba9876543210' }),
    type: 'InvalidInstanceID.NotFound',
    message: /i-0fedcba9876543210/,
  },
  {
    label: 'build instance tags matching two instances',
    workflow: 'amiPipeline',
    input: ami({ instanceId: undefined, instanceTags: { Name: 'twin' } }),
    type: 'AmbiguousBuildInstance',
    message: /match 2 instances .*a build needs exactly one/,
  },
  {
    label: 'build instance tags matching none',
    workflow: 'amiPipeline',
    input: ami({ instanceId: undefined, instanceTags: { Name: 'nobody' } }),
    type: 'InvalidInstanceID.NotFound',
    message: /no running or stopped instance has the tags \{"Name":"nobody"\}/,
  },
  {
    label: 'fast launch on a Linux build',
    workflow: 'amiPipeline',
    input: () => ({ ...ami({ fastLaunch: {} })(), instanceId: linuxBuild }),
    type: 'InvalidInput',
    message: /fast launch needs a Windows AMI, but build instance i-[0-9a-f]+ runs linux/,
  },
  {
    label: 'rollout target not running',
    workflow: 'amiPipeline',
    input: () => ami({ rollout: { instanceIds: [terminated] } })(),
    type: 'InvalidRolloutTarget',
    message: /i-[0-9a-f]+ is (terminated|shutting-down), not running/,
  },
  {
    label: 'unknown rollout target',
    workflow: 'amiPipeline',
    input: ami({ rollout: { instanceIds: ['i-0aaaaaaaaaaaaaaaa'] } }),
    type: 'InvalidInstanceID.NotFound',
    message: /i-0aaaaaaaaaaaaaaaa/,
  },
  {
    label: 'image name owned by someone else',
    workflow: 'amiPipeline',
    input: ami({ imageName: 'taken-{{date}}' }),
    type: 'ImageNameTaken',
    message: /an image named taken-\d{8}-\d{6} \(ami-[0-9a-f]+\) already exists and was not created by this run/,
    refused: { 'ec2:CreateImage': 1 },
    arrange: takeNextNames,
  },
  {
    label: 'AppStream: unknown image to update',
    workflow: 'appStreamImageUpdate',
    input: update({ existingImageName: 'no-such-image' }),
    type: 'ResourceNotFoundException',
    message: /no-such-image/,
    dryRuns: 1,
  },
  {
    label: 'AppStream: illegal characters in the new name',
    workflow: 'appStreamImageUpdate',
    input: update({ newImageName: 'bad name {{run}}' }),
    type: 'InvalidInput',
    message: /newImageName: must be 1-101 letters/,
  },
  {
    label: 'AppStream: oversized tag set',
    workflow: 'appStreamImageUpdate',
    input: update({ tags: fortyNineTags }),
    type: 'InvalidInput',
    message: /tags: at most 47 tags \(AppStream allows 50/,
  },
  {
    label: 'AppStream builder: name with illegal characters',
    workflow: 'appStreamImageBuilder',
    input: () => ({ action: 'stop', name: 'my builder' }),
    type: 'InvalidInput',
    message: /name: must be 1-101 letters/,
  },
];

describe('bad input straight to the workflow (past the CLI): a non-retryable failure, a specific message, no mutating call', () => {
  for (const c of WORKFLOW_CASES) {
    test(`${c.workflow}: ${c.label}`, async () => {
      await c.arrange?.();
      await stack.admin.resetCalls();
      const handle = await stack.env.client.workflow.start(c.workflow, {
        args: [c.input()],
        taskQueue: stack.taskQueue,
        workflowId: `bad-input-${c.label.replace(/[^a-z0-9]+/gi, '-')}`,
      });
      const failure = await failureOf(handle);
      assert.equal(failure.type, c.type);
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, c.message);
      assert.deepEqual(
        mutatingCallsOf(await stack.admin.calls(), c.dryRuns ?? 0),
        c.refused ?? {},
        'no mutating AWS call (but those AWS refused)',
      );
      assert.equal((await stack.admin.calls()).appstream['CreateUpdatedImage']?.total ?? 0, c.dryRuns ?? 0, 'dry runs only');
    });
  }

  test('afterwards the sandbox holds no pipeline image, task or AppStream image', async () => {
    await checkSandbox(stack.admin, { amis: [], appStreamImages: [], tasksPerInstance: {} });
  });
});
