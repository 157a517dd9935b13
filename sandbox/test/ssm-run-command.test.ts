import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CancelCommandCommand,
  DeleteParameterCommand,
  DescribeDocumentCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  GetParametersCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
  type ListCommandsCommandInput,
  type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import { AWS_ACCOUNT_ID, LINUX_BASE_AMI_ID, PUBLIC_IMAGE_PARAMETERS, SANDBOX_ACCESS_KEYS, WINDOWS_BASE_AMI_ID } from '../index';
import { awsCliSandboxForThisFile } from './support/awscli-sandbox';
import { rejectsWith } from './support/rejects-with';

/**
 * SSM Run Command (SendCommand, GetCommandInvocation, ListCommandInvocations, ListCommands, CancelCommand,
 * DescribeInstanceInformation, DescribeDocument), AWS's public AMI parameters and newer base images, through the AWS SDK and,
 * in one test, the AWS CLI. Time moves with the admin API's virtual clock, never with sleeps; the durations
 * are seconds long so that the wall-clock time a test takes on a busy machine never crosses a transition.
 */

const [KEY_A, KEY_B] = SANDBOX_ACCESS_KEYS as [(typeof SANDBOX_ACCESS_KEYS)[0], (typeof SANDBOX_ACCESS_KEYS)[0]];
const WINDOWS_PARAMETER = '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base';
const LINUX_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
const DURATIONS = { instance: 2000, ssmAgent: 3000, commandDelivery: 2000, command: 4000 };
/** Long enough for any instance to run and its agent to come online, or a command to finish. */
const SETTLE_MS = 10_000;

const sandbox = awsCliSandboxForThisFile({ profile: 'test', durations: DURATIONS });

// One attempt, so that injected faults and throttling show rather than being retried away.
const clientConfig = (credentials = KEY_A, region = 'us-east-1') => ({ endpoint: sandbox.url, region, credentials, maxAttempts: 1 });
const ssm = (credentials = KEY_A, region = 'us-east-1') => new SSMClient(clientConfig(credentials, region));
const ec2 = (region = 'us-east-1') => new EC2Client(clientConfig(KEY_A, region));

async function launch(imageId: string, count = 1): Promise<string[]> {
  const { Instances } = await ec2().send(new RunInstancesCommand({ ImageId: imageId, MinCount: count, MaxCount: count }));
  return Instances!.map((i) => i.InstanceId!);
}

/** An instance whose agent is online. */
async function managed(imageId = WINDOWS_BASE_AMI_ID): Promise<string> {
  const [id] = await launch(imageId);
  await sandbox.admin.advance(SETTLE_MS);
  return id!;
}

async function send(input: Partial<SendCommandCommandInput> & { InstanceIds: string[] }): Promise<string> {
  const { Command } = await ssm().send(
    new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', Parameters: { commands: ['Get-Date'] }, ...input }),
  );
  return Command!.CommandId!;
}

const invocation = (CommandId: string, InstanceId: string, PluginName?: string) =>
  ssm().send(new GetCommandInvocationCommand({ CommandId, InstanceId, PluginName }));

async function managedInstanceIds(filter?: { Key: string; Values: string[] }): Promise<string[]> {
  const { InstanceInformationList } = await ssm().send(new DescribeInstanceInformationCommand({ Filters: filter && [filter] }));
  return InstanceInformationList!.map((i) => i.InstanceId!);
}

beforeEach(() => sandbox.admin.reset());

describe('SSM Agent and DescribeInstanceInformation', () => {
  test("an instance's agent registers the profile's ssmAgent after it runs; DescribeInstanceInformation reports it", async () => {
    const [windows] = await launch(WINDOWS_BASE_AMI_ID);
    const [linux] = await launch(LINUX_BASE_AMI_ID);
    assert.deepEqual(await managedInstanceIds({ Key: 'InstanceIds', Values: [windows!] }), [], 'not registered while pending');
    await sandbox.admin.advance(4000); // running at 2 s, online at 5 s
    assert.deepEqual(await managedInstanceIds(), []);
    await sandbox.admin.advance(2000);
    const { InstanceInformationList } = await ssm().send(new DescribeInstanceInformationCommand({}));
    assert.deepEqual(
      InstanceInformationList!.map((i) => [i.InstanceId, i.PingStatus, i.PlatformType, i.ResourceType, i.SourceType]),
      [
        [windows, 'Online', 'Windows', 'EC2Instance', 'AWS::EC2::Instance'],
        [linux, 'Online', 'Linux', 'EC2Instance', 'AWS::EC2::Instance'],
      ],
    );
    assert.match(InstanceInformationList![0]!.ComputerName!, /^EC2AMAZ-/);
    assert.match(InstanceInformationList![1]!.ComputerName!, /^ip-10-0-\d+-\d+\.ec2\.internal$/);
    assert.ok(InstanceInformationList![0]!.LastPingDateTime instanceof Date);

    assert.deepEqual(await managedInstanceIds({ Key: 'PlatformTypes', Values: ['Linux'] }), [linux]);
    const legacy = await ssm().send(
      new DescribeInstanceInformationCommand({ InstanceInformationFilterList: [{ key: 'PingStatus', valueSet: ['Online'] }] }),
    );
    assert.equal(legacy.InstanceInformationList!.length, 2);
    // Another account sees none of them.
    const other = await ssm(KEY_B).send(new DescribeInstanceInformationCommand({}));
    assert.deepEqual(other.InstanceInformationList, []);
  });

  test('filters, MaxResults and pagination as the API reference has them', async () => {
    await launch(LINUX_BASE_AMI_ID, 6);
    await sandbox.admin.advance(SETTLE_MS);
    const first = await ssm().send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
    assert.equal(first.InstanceInformationList!.length, 5);
    const second = await ssm().send(new DescribeInstanceInformationCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.InstanceInformationList!.length, 1);
    assert.equal(second.NextToken, undefined);
    assert.equal((await ssm().send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!.length, 6, 'default page: 10');

    await rejectsWith(ssm().send(new DescribeInstanceInformationCommand({ MaxResults: 4 })), 'ValidationException');
    await rejectsWith(ssm().send(new DescribeInstanceInformationCommand({ NextToken: 'nope' })), 'InvalidNextToken');
    await rejectsWith(
      ssm().send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ['i-0123456789abcdef0'] }] })),
      'InvalidInstanceId',
    );
    await rejectsWith(
      ssm().send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'Colour', Values: ['x'] }] })),
      'InvalidFilterKey',
    );
    await rejectsWith(
      ssm().send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'PingStatus', Values: ['Asleep'] }] })),
      'InvalidInstanceInformationFilterValue',
    );
    await rejectsWith(
      ssm().send(
        new DescribeInstanceInformationCommand({
          Filters: [{ Key: 'PingStatus', Values: ['Online'] }],
          InstanceInformationFilterList: [{ key: 'PingStatus', valueSet: ['Online'] }],
        }),
      ),
      'ValidationException',
    );
  });

  test('an agent that never comes online (next instance), or is taken offline: InvalidInstanceId, ConnectionLost, Delivery Timed Out', async () => {
    const healthy = await managed();
    await sandbox.admin.setSsmAgent({ next: true, online: false });
    const silent = await managed();
    assert.deepEqual(await managedInstanceIds(), [healthy], 'the planned agent never registers');
    const error = await rejectsWith(send({ InstanceIds: [silent] }), 'InvalidInstanceId');
    assert.match(error.message, new RegExp(`Instances \\[\\[${silent}\\]\\] not in a valid state for account ${KEY_A.accountId}`));

    // A registered agent that stops reaching SSM: ConnectionLost; a command waits for it until TimeoutSeconds.
    await sandbox.admin.setSsmAgent({ instanceId: healthy, online: false });
    const { InstanceInformationList } = await ssm().send(new DescribeInstanceInformationCommand({}));
    assert.deepEqual(
      InstanceInformationList!.map((i) => [i.InstanceId, i.PingStatus]),
      [[healthy, 'ConnectionLost']],
    );
    const waiting = await send({ InstanceIds: [healthy], TimeoutSeconds: 30 });
    await sandbox.admin.advance(29_000);
    assert.equal((await invocation(waiting, healthy)).Status, 'Pending');
    await sandbox.admin.advance(1_000);
    const timedOut = await invocation(waiting, healthy);
    assert.deepEqual([timedOut.Status, timedOut.StatusDetails, timedOut.ResponseCode], ['TimedOut', 'Delivery Timed Out', -1]);

    // Back online: a command waiting for it is delivered then.
    const delivered = await send({ InstanceIds: [healthy] });
    await sandbox.admin.setSsmAgent({ instanceId: healthy, online: true });
    await sandbox.admin.advance(SETTLE_MS);
    assert.equal((await invocation(delivered, healthy)).Status, 'Success');
    await assert.rejects(sandbox.admin.setSsmAgent({ instanceId: 'i-0123456789abcdef0', online: false }), /HTTP 404/);
  });
});

describe('SendCommand and the invocation lifecycle', () => {
  test('Pending → InProgress → Success at the profile durations; a second SendCommand is a second command', async () => {
    const instance = await managed();
    const { Command } = await ssm().send(
      new SendCommandCommand({
        InstanceIds: [instance],
        DocumentName: 'AWS-RunPowerShellScript',
        Parameters: { commands: ['Install-WindowsFeature Web-Server'] },
        Comment: 'run-1 step-2',
      }),
    );
    assert.equal(Command!.CommandId!.length, 36);
    assert.deepEqual(
      [
        Command!.Status,
        Command!.StatusDetails,
        Command!.TargetCount,
        Command!.CompletedCount,
        Command!.DocumentVersion,
        Command!.TimeoutSeconds,
      ],
      ['Pending', 'Pending', 1, 0, '', 3600],
    );
    assert.deepEqual(Command!.Parameters, { commands: ['Install-WindowsFeature Web-Server'] });
    // The delivery timeout (3600 s) plus the document's execution timeout (3600 s).
    assert.equal(Command!.ExpiresAfter!.getTime() - Command!.RequestedDateTime!.getTime(), 7_200_000);

    const pending = await invocation(Command!.CommandId!, instance);
    assert.deepEqual(
      [pending.Status, pending.StatusDetails, pending.ResponseCode, pending.ExecutionStartDateTime, pending.PluginName],
      ['Pending', 'Pending', -1, '', 'aws:runPowerShellScript'],
    );
    await sandbox.admin.advance(2500);
    const running = await invocation(Command!.CommandId!, instance);
    assert.deepEqual([running.Status, running.StatusDetails, running.ResponseCode], ['InProgress', 'In Progress', -1]);
    assert.match(running.ExecutionStartDateTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await sandbox.admin.advance(4000);
    const done = await invocation(Command!.CommandId!, instance);
    assert.deepEqual(
      [done.Status, done.StatusDetails, done.ResponseCode, done.Comment, done.StandardOutputContent],
      ['Success', 'Success', 0, 'run-1 step-2', ''],
    );
    assert.equal(done.ExecutionElapsedTime, 'PT4S');

    const again = await send({ InstanceIds: [instance], Comment: 'run-1 step-2' });
    assert.notEqual(again, Command!.CommandId);
    const { Commands } = await ssm().send(new ListCommandsCommand({ InstanceId: instance }));
    assert.deepEqual(
      Commands!.map((c) => [c.CommandId, c.Comment]),
      [
        [again, 'run-1 step-2'],
        [Command!.CommandId, 'run-1 step-2'],
      ],
      'newest first',
    );
  });

  test('GetCommandInvocation: InvocationDoesNotExist within the eventual-consistency window; the listings see the command at once', async () => {
    const instance = await managed();
    await sandbox.admin.configure({ notFoundWindowMs: 2000 });
    const commandId = await send({ InstanceIds: [instance] });
    await rejectsWith(invocation(commandId, instance), 'InvocationDoesNotExist');
    const listed = await ssm().send(new ListCommandInvocationsCommand({ InstanceId: instance }));
    assert.deepEqual(
      listed.CommandInvocations!.map((i) => i.CommandId),
      [commandId],
    );
    await sandbox.admin.advance(SETTLE_MS);
    assert.equal((await invocation(commandId, instance)).Status, 'Success');
    await rejectsWith(invocation(commandId, 'i-0123456789abcdef0'), 'InvocationDoesNotExist');
    await rejectsWith(invocation('0'.repeat(36), instance), 'InvocationDoesNotExist');
    await rejectsWith(invocation('short', instance), 'ValidationException');
  });

  test('planned outcomes: Failed with exit code and output, Execution Timed Out, matched by document, instance and parameters', async () => {
    const [windows, linux] = [await managed(), await managed(LINUX_BASE_AMI_ID)];
    await sandbox.admin.planCommandOutcome({
      documentName: 'AWS-RunPowerShellScript',
      parametersContain: 'W3SVC',
      status: 'Failed',
      exitCode: 3,
      stdout: 'checking W3SVC\nStopped',
      stderr: 'not running',
      durationMs: 20_000,
    });
    await sandbox.admin.planCommandOutcome({
      documentName: 'AWS-RunShellScript',
      instanceId: linux,
      status: 'TimedOut',
      stdout: 'half way',
    });
    await sandbox.admin.planCommandOutcome({ documentName: 'AWS-RunShellScript', status: 'Success', stdout: 'ok\n', count: 2 });
    assert.equal((await sandbox.admin.commandOutcomes()).length, 3);

    const unmatched = await send({ InstanceIds: [windows], Parameters: { commands: ['Get-Date'] } });
    const failing = await send({
      InstanceIds: [windows],
      Parameters: { commands: ['if ((Get-Service W3SVC).Status -ne "Running") { exit 3 }'] },
    });
    const timingOut = await send({ InstanceIds: [linux], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['sleep 9999'] } });
    const succeeding = await send({ InstanceIds: [linux], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['echo ok'] } });
    await sandbox.admin.advance(SETTLE_MS);
    assert.equal((await invocation(unmatched, windows)).Status, 'Success');
    assert.equal((await invocation(failing, windows)).Status, 'InProgress', 'runs for its durationMs');
    await sandbox.admin.advance(20_000);
    const failed = await invocation(failing, windows);
    assert.deepEqual(
      [failed.Status, failed.StatusDetails, failed.ResponseCode, failed.StandardOutputContent, failed.StandardErrorContent],
      ['Failed', 'Failed', 3, 'checking W3SVC\nStopped', 'not running'],
    );
    const timedOut = await invocation(timingOut, linux);
    // The agent reports a run it stopped with its preemptive exit code: 137 on Linux, -1 on Windows.
    assert.deepEqual(
      [timedOut.Status, timedOut.StatusDetails, timedOut.ResponseCode, timedOut.StandardOutputContent],
      ['TimedOut', 'Execution Timed Out', 137, 'half way'],
    );
    assert.equal((await invocation(succeeding, linux)).StandardOutputContent, 'ok\n');
    assert.deepEqual(
      (await sandbox.admin.commandOutcomes()).map((o) => [o.documentName, o.count]),
      [['AWS-RunShellScript', 1]],
    );
    const { Commands } = await ssm().send(new ListCommandsCommand({ CommandId: failing }));
    assert.deepEqual([Commands![0]!.Status, Commands![0]!.ErrorCount, Commands![0]!.CompletedCount], ['Failed', 1, 1]);
    await sandbox.admin.clearCommandOutcomes();
    assert.deepEqual(await sandbox.admin.commandOutcomes(), []);
    await assert.rejects(
      sandbox.admin.planCommandOutcome({ documentName: 'AWS-RunShellScript', status: 'Success', exitCode: 2 }),
      /HTTP 400/,
    );
  });

  test("a run longer than the document's executionTimeout ends Execution Timed Out then", async () => {
    const windows = await managed();
    await sandbox.admin.planCommandOutcome({ documentName: 'AWS-RunPowerShellScript', status: 'Success', durationMs: 10_000 });
    const commandId = await send({ InstanceIds: [windows], Parameters: { commands: ['Start-Sleep 10'], executionTimeout: ['2'] } });
    await sandbox.admin.advance(4_100); // delivered at 2 s, stopped at 4 s
    const result = await invocation(commandId, windows);
    assert.deepEqual(
      [result.Status, result.StatusDetails, result.ResponseCode, result.ExecutionElapsedTime],
      ['TimedOut', 'Execution Timed Out', -1, 'PT2S'],
    );
  });

  test('output is cut as SSM cuts it: 24,000 characters of stdout, 8,000 of stderr, 2,500 in the plugin Output', async () => {
    const linux = await managed(LINUX_BASE_AMI_ID);
    await sandbox.admin.planCommandOutcome({
      documentName: 'AWS-RunShellScript',
      status: 'Failed',
      stdout: 'o'.repeat(30_000),
      stderr: 'e'.repeat(9_000),
    });
    const commandId = await send({ InstanceIds: [linux], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['make'] } });
    await sandbox.admin.advance(SETTLE_MS);
    const result = await invocation(commandId, linux);
    assert.equal(result.StandardOutputContent!.length, 24_000);
    assert.equal(result.StandardErrorContent!.length, 8_000);
    const { CommandInvocations } = await ssm().send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }));
    const output = CommandInvocations![0]!.CommandPlugins![0]!.Output!;
    assert.equal(output.length, 2500);
    assert.match(output, /^o+\n---Output truncated---\n----------ERROR-------\ne+\n---Error truncated----$/);
  });

  test('CancelCommand: unfinished invocations end Cancelled', async () => {
    const instance = await managed();
    const commandId = await send({ InstanceIds: [instance] });
    await sandbox.admin.advance(2500);
    assert.equal((await invocation(commandId, instance)).Status, 'InProgress');
    await ssm().send(new CancelCommandCommand({ CommandId: commandId }));
    const cancelled = await invocation(commandId, instance);
    assert.deepEqual([cancelled.Status, cancelled.StatusDetails, cancelled.ResponseCode], ['Cancelled', 'Cancelled', -1]);
    await sandbox.admin.advance(SETTLE_MS);
    assert.equal((await invocation(commandId, instance)).Status, 'Cancelled');
    await rejectsWith(ssm().send(new CancelCommandCommand({ CommandId: '0'.repeat(36) })), 'InvalidCommandId');
  });
});

describe('Documents, instances and their states', () => {
  test('unknown document, version and parameters; a Linux-only document on Windows', async () => {
    const [windows, linux] = [await managed(), await managed(LINUX_BASE_AMI_ID)];
    await rejectsWith(send({ InstanceIds: [windows], DocumentName: 'AWS-NoSuchDocument' }), 'InvalidDocument');
    await rejectsWith(send({ InstanceIds: [windows], DocumentVersion: '7' }), 'InvalidDocumentVersion');
    await send({ InstanceIds: [windows], DocumentVersion: '$LATEST' });
    await rejectsWith(send({ InstanceIds: [windows], Parameters: { commands: ['x'], colour: ['blue'] } }), 'InvalidParameters');
    await rejectsWith(send({ InstanceIds: [windows], Parameters: {} }), 'InvalidParameters');
    await rejectsWith(send({ InstanceIds: [windows], Parameters: { commands: ['x'], executionTimeout: ['0'] } }), 'InvalidParameters');
    await rejectsWith(
      send({ InstanceIds: [windows], DocumentName: 'AWS-RunPatchBaseline', Parameters: { Operation: ['Patch'] } }),
      'InvalidParameters',
    );
    await rejectsWith(
      send({ InstanceIds: [windows], DocumentName: 'AWS-ConfigureAWSPackage', Parameters: { action: ['Install'] } }),
      'InvalidParameters',
    );
    const error = await rejectsWith(
      send({ InstanceIds: [windows], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['ls'] } }),
      'UnsupportedPlatformType',
    );
    assert.match(error.message, new RegExp(`instance id ${windows} of platform type Windows`));
    // PowerShell runs on Linux too; a package installs on either.
    await send({ InstanceIds: [linux] });
    await send({
      InstanceIds: [windows, linux],
      DocumentName: 'AWS-ConfigureAWSPackage',
      Parameters: { action: ['Install'], name: ['AmazonCloudWatchAgent'] },
    });
    await rejectsWith(send({ InstanceIds: ['x-1'] }), 'ValidationException');
    await rejectsWith(send({ InstanceIds: [windows], TimeoutSeconds: 29 }), 'ValidationException');
    await rejectsWith(send({ InstanceIds: [windows], Comment: 'c'.repeat(101) }), 'ValidationException');
    await rejectsWith(send({ InstanceIds: [] }), 'ValidationException');
  });

  test('DescribeDocument: type, platforms and parameters, a required one without DefaultValue; unknown name and version', async () => {
    const describeDocument = (Name: string, more: { DocumentVersion?: string; VersionName?: string } = {}) =>
      ssm().send(new DescribeDocumentCommand({ Name, ...more }));
    const { Document: shell } = await describeDocument('AWS-RunShellScript');
    assert.deepEqual(
      {
        Name: shell!.Name,
        DocumentType: shell!.DocumentType,
        Status: shell!.Status,
        Owner: shell!.Owner,
        SchemaVersion: shell!.SchemaVersion,
        DocumentFormat: shell!.DocumentFormat,
        versions: [shell!.DocumentVersion, shell!.LatestVersion, shell!.DefaultVersion],
        PlatformTypes: shell!.PlatformTypes,
      },
      {
        Name: 'AWS-RunShellScript',
        DocumentType: 'Command',
        Status: 'Active',
        Owner: 'Amazon',
        SchemaVersion: '1.2',
        DocumentFormat: 'JSON',
        versions: ['1', '1', '1'],
        PlatformTypes: ['Linux', 'MacOS'],
      },
    );
    assert.deepEqual(
      shell!.Parameters!.map((p) => [p.Name, p.Type, p.DefaultValue]),
      [
        ['commands', 'StringList', undefined],
        ['workingDirectory', 'String', ''],
        ['executionTimeout', 'String', '3600'],
      ],
    );
    assert.match(shell!.Parameters![0]!.Description!, /^\(Required\)/);

    // What each document needs: those without a default, as SendCommand refuses a command without them.
    const required = async (name: string, version?: string) => {
      const { Document } = await describeDocument(name, { DocumentVersion: version });
      return {
        platforms: Document!.PlatformTypes,
        required: Document!.Parameters!.filter((p) => p.DefaultValue === undefined).map((p) => p.Name),
      };
    };
    assert.deepEqual(await required('AWS-RunPowerShellScript', '$LATEST'), {
      platforms: ['Windows', 'Linux', 'MacOS'],
      required: ['commands'],
    });
    assert.deepEqual(await required('AWS-RunPatchBaseline', '1'), { platforms: ['Windows', 'Linux', 'MacOS'], required: ['Operation'] });
    assert.deepEqual(await required('AWS-ConfigureAWSPackage', '$DEFAULT'), {
      platforms: ['Windows', 'Linux', 'MacOS'],
      required: ['action', 'name'],
    });

    await rejectsWith(describeDocument('AWS-RunPowershell'), 'InvalidDocument');
    await rejectsWith(describeDocument('AWS-RunShellScript', { DocumentVersion: '2' }), 'InvalidDocumentVersion');
    await rejectsWith(describeDocument('AWS-RunShellScript', { VersionName: 'v1' }), 'InvalidDocument');
    await rejectsWith(describeDocument('AWS-RunShellScript', { DocumentVersion: 'latest' }), 'ValidationException');
    await rejectsWith(describeDocument('x'), 'ValidationException');
  });

  test('AWS-RunPatchBaseline: the step of the platform runs, the others are skipped; PluginName picks one', async () => {
    const windows = await managed();
    await sandbox.admin.planCommandOutcome({ documentName: 'AWS-RunPatchBaseline', status: 'Success', stdout: 'Installed 3 updates' });
    const commandId = await send({ InstanceIds: [windows], DocumentName: 'AWS-RunPatchBaseline', Parameters: { Operation: ['Install'] } });
    await sandbox.admin.advance(SETTLE_MS);
    const overall = await invocation(commandId, windows);
    assert.deepEqual([overall.Status, overall.PluginName, overall.StandardOutputContent], ['Success', undefined, '']);
    const patched = await invocation(commandId, windows, 'PatchWindows');
    assert.deepEqual([patched.PluginName, patched.StandardOutputContent], ['PatchWindows', 'Installed 3 updates']);
    const skipped = await invocation(commandId, windows, 'PatchLinux');
    assert.deepEqual([skipped.Status, skipped.ResponseCode], ['Success', 0]);
    assert.match(skipped.StandardOutputContent!, /^Step execution skipped due to unsatisfied preconditions: .*Step name: PatchLinux$/);
    await rejectsWith(invocation(commandId, windows, 'PatchSolaris'), 'InvalidPluginName');
    const { CommandInvocations } = await ssm().send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }));
    assert.deepEqual(
      CommandInvocations![0]!.CommandPlugins!.map((p) => [p.Name, p.Status]),
      [
        ['PatchWindows', 'Success'],
        ['PatchLinux', 'Success'],
        ['PatchMacOS', 'Success'],
      ],
    );
    const plain = await ssm().send(new ListCommandInvocationsCommand({ CommandId: commandId }));
    assert.deepEqual(plain.CommandInvocations![0]!.CommandPlugins, [], 'plugins only with Details');
  });

  test('terminated instances: SendCommand is InvalidInstanceId; a run its instance terminates under ends Failed', async () => {
    const [running, doomed] = [await managed(), await managed()];
    const commandId = await send({ InstanceIds: [running] });
    await sandbox.admin.advance(2500);
    assert.equal((await invocation(commandId, running)).Status, 'InProgress');
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [running] }));
    await sandbox.admin.advance(SETTLE_MS);
    const cut = await invocation(commandId, running);
    assert.deepEqual([cut.Status, cut.StatusDetails, cut.ResponseCode, cut.StandardOutputContent], ['Failed', 'Failed', -1, '']);
    await rejectsWith(send({ InstanceIds: [running] }), 'InvalidInstanceId');
    assert.deepEqual(await managedInstanceIds(), [doomed], 'terminated instances are not listed');
    await rejectsWith(send({ InstanceIds: ['i-0123456789abcdef0'] }), 'InvalidInstanceId');
    // Another account's instance is not the caller's.
    await rejectsWith(
      ssm(KEY_B).send(
        new SendCommandCommand({ InstanceIds: [doomed], DocumentName: 'AWS-RunPowerShellScript', Parameters: { commands: ['x'] } }),
      ),
      'InvalidInstanceId',
    );
  });

  test('stopped instances: SendCommand is accepted and waits for delivery; the agent is back after the restart', async () => {
    const instance = await managed();
    await ec2().send(new StopInstancesCommand({ InstanceIds: [instance] }));
    await sandbox.admin.advance(SETTLE_MS);
    assert.deepEqual(await managedInstanceIds(), [], 'stopped instances are not listed');
    const commandId = await send({ InstanceIds: [instance] });
    await sandbox.admin.advance(SETTLE_MS);
    assert.equal((await invocation(commandId, instance)).Status, 'Pending');
    await ec2().send(new StartInstancesCommand({ InstanceIds: [instance] }));
    await sandbox.admin.advance(4000); // running again at 2 s, agent back at 5 s
    assert.equal((await invocation(commandId, instance)).Status, 'Pending');
    await sandbox.admin.advance(SETTLE_MS);
    assert.equal((await invocation(commandId, instance)).Status, 'Success');
  });
});

describe('ListCommands and ListCommandInvocations', () => {
  test('filters, pagination newest first, and their errors', async () => {
    const [windows, linux] = [await managed(), await managed(LINUX_BASE_AMI_ID)];
    const before = new Date(Date.now() - 60_000).toISOString();
    const first = await send({ InstanceIds: [windows, linux] });
    await sandbox.admin.advance(SETTLE_MS);
    const second = await send({ InstanceIds: [linux], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ['uptime'] } });
    const list = (input: ListCommandsCommandInput) =>
      ssm()
        .send(new ListCommandsCommand(input))
        .then((r) => r.Commands!.map((c) => c.CommandId));
    assert.deepEqual(await list({}), [second, first]);
    assert.deepEqual(await list({ Filters: [{ key: 'DocumentName', value: 'AWS-RunShellScript' }] }), [second]);
    assert.deepEqual(await list({ Filters: [{ key: 'Status', value: 'Success' }] }), [first]);
    assert.deepEqual(await list({ Filters: [{ key: 'ExecutionStage', value: 'Executing' }] }), [second]);
    assert.deepEqual(await list({ Filters: [{ key: 'InvokedAfter', value: before }] }), [second, first]);
    assert.deepEqual(await list({ Filters: [{ key: 'InvokedBefore', value: before }] }), []);
    assert.deepEqual(await list({ InstanceId: windows }), [first]);

    const page1 = await ssm().send(new ListCommandsCommand({ MaxResults: 1 }));
    const page2 = await ssm().send(new ListCommandsCommand({ MaxResults: 1, NextToken: page1.NextToken }));
    assert.deepEqual([page1.Commands![0]!.CommandId, page2.Commands![0]!.CommandId, page2.NextToken], [second, first, undefined]);
    const { Commands } = await ssm().send(new ListCommandsCommand({ CommandId: first }));
    assert.deepEqual([Commands![0]!.Status, Commands![0]!.TargetCount, Commands![0]!.CompletedCount], ['Success', 2, 2]);

    const invocations = await ssm().send(new ListCommandInvocationsCommand({ MaxResults: 2 }));
    assert.deepEqual(
      invocations.CommandInvocations!.map((i) => [i.CommandId, i.InstanceId, i.Status]),
      [
        [second, linux, 'Pending'],
        [first, windows, 'Success'],
      ],
    );
    const rest = await ssm().send(new ListCommandInvocationsCommand({ MaxResults: 2, NextToken: invocations.NextToken }));
    assert.deepEqual(
      rest.CommandInvocations!.map((i) => [i.CommandId, i.InstanceId]),
      [[first, linux]],
    );
    const pending = await ssm().send(new ListCommandInvocationsCommand({ Filters: [{ key: 'Status', value: 'Pending' }] }));
    assert.deepEqual(
      pending.CommandInvocations!.map((i) => i.CommandId),
      [second],
    );

    await rejectsWith(
      ssm().send(new ListCommandInvocationsCommand({ Filters: [{ key: 'ExecutionStage', value: 'Complete' }] })),
      'InvalidFilterKey',
    );
    await rejectsWith(ssm().send(new ListCommandsCommand({ MaxResults: 51 })), 'ValidationException');
    await rejectsWith(ssm().send(new ListCommandsCommand({ NextToken: 'nope' })), 'InvalidNextToken');
    await rejectsWith(ssm().send(new ListCommandsCommand({ Filters: [{ key: 'Status', value: 'Asleep' }] })), 'ValidationException');
  });
});

describe('Public parameters and newer base images', () => {
  test("AWS's AMI parameters in every Region: any account reads them; no account writes or deletes under /aws/", async () => {
    const { Parameter } = await ssm().send(new GetParameterCommand({ Name: WINDOWS_PARAMETER }));
    assert.deepEqual(
      [Parameter!.Value, Parameter!.Type, Parameter!.DataType, Parameter!.ARN],
      [WINDOWS_BASE_AMI_ID, 'String', 'text', `arn:aws:ssm:us-east-1::parameter${WINDOWS_PARAMETER}`],
    );
    const byArn = await ssm(KEY_B).send(new GetParameterCommand({ Name: Parameter!.ARN }));
    assert.equal(byArn.Parameter!.Value, WINDOWS_BASE_AMI_ID);
    const linux = await ssm().send(new GetParametersCommand({ Names: PUBLIC_IMAGE_PARAMETERS.linux.slice() }));
    assert.deepEqual(
      linux.Parameters!.map((p) => p.Value),
      [LINUX_BASE_AMI_ID, LINUX_BASE_AMI_ID],
    );

    // Another Region has its own base images, and its parameters name them.
    const west = await ssm(KEY_A, 'eu-west-1').send(new GetParameterCommand({ Name: LINUX_PARAMETER }));
    assert.notEqual(west.Parameter!.Value, LINUX_BASE_AMI_ID);
    const { Images } = await ec2('eu-west-1').send(new DescribeImagesCommand({ ImageIds: [west.Parameter!.Value!] }));
    assert.deepEqual([Images![0]!.OwnerId, Images![0]!.Public, Images![0]!.PlatformDetails], [AWS_ACCOUNT_ID, true, 'Linux/UNIX']);

    const denied = await rejectsWith(
      ssm().send(new PutParameterCommand({ Name: WINDOWS_PARAMETER, Value: WINDOWS_BASE_AMI_ID, Type: 'String', Overwrite: true })),
      'AccessDeniedException',
      400,
    );
    assert.match(denied.message, /No access to reserved parameter name: aws\/service\//);
    await rejectsWith(ssm().send(new DeleteParameterCommand({ Name: WINDOWS_PARAMETER })), 'AccessDeniedException');
    await rejectsWith(ssm().send(new PutParameterCommand({ Name: 'AWS-mine', Value: 'x', Type: 'String' })), 'AccessDeniedException');
  });

  test('a newer base image published in a Region: public, owned by Amazon, the newest by CreationDate, and behind the parameter', async () => {
    const published = await sandbox.admin.publishBaseImage('windows');
    assert.deepEqual(published.parameters, [{ name: WINDOWS_PARAMETER, version: 2 }]);
    const { Parameter } = await ssm().send(new GetParameterCommand({ Name: WINDOWS_PARAMETER }));
    assert.deepEqual([Parameter!.Value, Parameter!.Version], [published.imageId, 2]);

    const { Images } = await ec2().send(
      new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['Windows_Server-2022-English-Full-Base-*'] }] }),
    );
    const newest = [...Images!].sort((a, b) => b.CreationDate!.localeCompare(a.CreationDate!))[0]!;
    assert.equal(Images!.length, 2);
    assert.deepEqual(
      [newest.ImageId, newest.Name, newest.Public, newest.ImageOwnerAlias, newest.Platform, newest.Architecture, newest.State],
      [published.imageId, published.name, true, 'amazon', 'windows', 'x86_64', 'available'],
    );
    assert.ok(newest.CreationDate! > Images!.find((i) => i.ImageId === WINDOWS_BASE_AMI_ID)!.CreationDate!);

    // Another publish is newer again, with a name of its own; other Regions and platforms are untouched.
    const next = await sandbox.admin.publishBaseImage('windows');
    assert.ok(next.creationDate > published.creationDate && next.name !== published.name);
    const linux = await ssm().send(new GetParameterCommand({ Name: LINUX_PARAMETER }));
    assert.deepEqual([linux.Parameter!.Value, linux.Parameter!.Version], [LINUX_BASE_AMI_ID, 1]);
    const west = await ssm(KEY_A, 'eu-west-1').send(new GetParameterCommand({ Name: WINDOWS_PARAMETER }));
    assert.equal(west.Parameter!.Version, 1);
    const inWest = await sandbox.admin.publishBaseImage('linux', 'eu-west-1');
    const westLinux = await ssm(KEY_A, 'eu-west-1').send(new GetParametersCommand({ Names: PUBLIC_IMAGE_PARAMETERS.linux.slice() }));
    assert.deepEqual(
      westLinux.Parameters!.map((p) => p.Value),
      [inWest.imageId, inWest.imageId],
    );
    // An instance launches from it, and its agent comes online.
    const instance = await managed(published.imageId);
    assert.deepEqual(await managedInstanceIds(), [instance]);
  });
});

describe('faults, throttling and call counts', () => {
  test('a lost SendCommand answer: the command exists; faults and throttling are counted per action', async () => {
    const instance = await managed();
    await sandbox.admin.resetCalls();
    await sandbox.admin.fault({ service: 'ssm', action: 'SendCommand', loseAnswer: true });
    await assert.rejects(send({ InstanceIds: [instance], Comment: 'run-7 step-1' }));
    const { Commands } = await ssm().send(new ListCommandsCommand({ InstanceId: instance }));
    assert.deepEqual(
      Commands!.map((c) => c.Comment),
      ['run-7 step-1'],
      'the change was made',
    );

    await sandbox.admin.fault({ service: 'ssm', action: 'GetCommandInvocation', error: { code: 'InternalServerError', status: 500 } });
    await rejectsWith(invocation(Commands![0]!.CommandId!, instance), 'InternalServerError', 500);

    await sandbox.admin.configure({ throttling: { buckets: { 'ssm:run-command-read': { capacity: 1, refillPerSecond: 0.01 } } } });
    await ssm().send(new DescribeInstanceInformationCommand({}));
    await rejectsWith(ssm().send(new DescribeInstanceInformationCommand({})), 'ThrottlingException', 400);

    const { ssm: counts } = await sandbox.admin.calls();
    assert.deepEqual(counts.SendCommand, { total: 1, throttled: 0, faulted: 1 });
    assert.deepEqual(counts.GetCommandInvocation, { total: 1, throttled: 0, faulted: 1 });
    assert.deepEqual(counts.DescribeInstanceInformation, { total: 2, throttled: 1, faulted: 0 });
    assert.deepEqual(counts.ListCommands, { total: 1, throttled: 0, faulted: 0 });
  });

  test('the state dump lists commands and their invocations', async () => {
    const instance = await managed();
    const commandId = await send({ InstanceIds: [instance], Comment: 'dumped' });
    const { ssm: dump } = await sandbox.admin.state();
    assert.deepEqual(
      dump.commands.map((c) => [c.commandId, c.comment, c.invocations.map((i) => [i.instanceId, i.statusDetails])]),
      [[commandId, 'dumped', [[instance, 'Pending']]]],
    );
  });
});

describe('the AWS CLI', () => {
  test('aws ssm describe-instance-information, send-command and get-command-invocation', async () => {
    const instance = await managed(LINUX_BASE_AMI_ID);
    const cli = sandbox.cli('ssm');
    const info = await cli.json<{ InstanceInformationList: { InstanceId: string; PingStatus: string }[] }>(
      'describe-instance-information',
      '--filters',
      `Key=InstanceIds,Values=${instance}`,
    );
    assert.deepEqual(
      info.InstanceInformationList.map((i) => [i.InstanceId, i.PingStatus]),
      [[instance, 'Online']],
    );
    await sandbox.admin.planCommandOutcome({ documentName: 'AWS-RunShellScript', status: 'Success', stdout: 'hello\n' });
    const sent = await cli.json<{ Command: { CommandId: string; Status: string } }>(
      'send-command',
      '--instance-ids',
      instance,
      '--document-name',
      'AWS-RunShellScript',
      '--parameters',
      '{"commands":["echo hello"]}',
      '--comment',
      'from the CLI',
    );
    assert.equal(sent.Command.Status, 'Pending');
    await sandbox.admin.advance(SETTLE_MS);
    const result = await cli.json<{ Status: string; StandardOutputContent: string; ResponseCode: number; Comment: string }>(
      'get-command-invocation',
      '--command-id',
      sent.Command.CommandId,
      '--instance-id',
      instance,
    );
    assert.deepEqual(
      [result.Status, result.StandardOutputContent, result.ResponseCode, result.Comment],
      ['Success', 'hello\n', 0, 'from the CLI'],
    );
    const unsupported = await cli.fails('send-command', '--instance-ids', instance, '--document-name', 'AWS-NoSuchDocument');
    assert.match(unsupported, /InvalidDocument/);
  });
});
