import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import {
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { DEFAULT_REGION, LINUX_BASE_AMI_ID, SANDBOX_CREDENTIALS } from '../index';
import { send, sign } from '../raw-signing';
import { awsCliSandboxForThisFile } from './support/awscli-sandbox';
import { rejectsWith } from './support/rejects-with';

/**
 * An instance's life after launch, as the EC2 API reference has it: StopInstances, StartInstances and
 * TerminateInstances with their state machines and refusals, what DescribeInstances shows on the way, and
 * RunInstances' ClientToken, through the AWS SDK; botocore's instance_stopped waiter through the AWS CLI.
 */

const MINUTE = 60_000;
let ec2: EC2Client;
// Transitions take a minute, so only the admin API's advances move them; RunInstances' own bucket is not under test.
const sandbox = awsCliSandboxForThisFile(
  { profile: 'test', durations: { instance: MINUTE, instanceStopping: MINUTE }, throttling: { enabled: false } },
  { whenStarted: () => (ec2 = new EC2Client({ endpoint: sandbox.url, region: DEFAULT_REGION, credentials: SANDBOX_CREDENTIALS })) },
);
const { json: aws } = sandbox.cli('ec2');
after(() => ec2?.destroy());

const STOPPING = { Code: 64, Name: 'stopping' };
const STOPPED = { Code: 80, Name: 'stopped' };
const RUNNING = { Code: 16, Name: 'running' };
const PENDING = { Code: 0, Name: 'pending' };
const SHUTTING_DOWN = { Code: 32, Name: 'shutting-down' };
const TERMINATED = { Code: 48, Name: 'terminated' };
const USER_SHUTDOWN = { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' };

async function launchPending(input: Partial<RunInstancesCommandInput> = {}): Promise<string> {
  const { Instances } = await ec2.send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1, ...input }));
  return Instances![0]!.InstanceId!;
}

async function launchRunning(): Promise<string> {
  const id = await launchPending();
  await sandbox.admin.advance();
  return id;
}

async function describeInstance(id: string): Promise<Instance> {
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return Reservations![0]!.Instances![0]!;
}

const stop = (...ids: string[]) => ec2.send(new StopInstancesCommand({ InstanceIds: ids }));
const start = (...ids: string[]) => ec2.send(new StartInstancesCommand({ InstanceIds: ids }));
const terminate = (...ids: string[]) => ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));

/** The instant in `User initiated (2024-01-02 03:04:05 GMT)`, in ms. */
function userInitiatedAt(reason: string | undefined): number {
  const match = /^User initiated \((\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) GMT\)$/.exec(reason ?? '');
  assert.ok(match, `StateTransitionReason ${reason}`);
  return Date.parse(`${match[1]}T${match[2]}Z`);
}

test('StopInstances: running → stopping → stopped, keeping its volumes and private address but not its public one', async () => {
  const id = await launchRunning();
  const running = await describeInstance(id);
  assert.ok(running.PublicIpAddress);
  assert.equal(running.StateTransitionReason, '');
  assert.equal(running.StateReason, undefined);
  const volumeIds = running.BlockDeviceMappings!.map((m) => m.Ebs!.VolumeId!);

  const { StoppingInstances } = await stop(id);
  assert.deepEqual(StoppingInstances, [{ InstanceId: id, CurrentState: STOPPING, PreviousState: RUNNING }]);
  const stopping = await describeInstance(id);
  assert.deepEqual(stopping.State, STOPPING);
  assert.deepEqual(stopping.StateReason, USER_SHUTDOWN);
  // The stop follows the launch within a few calls: the reason gives its time, to the second.
  const requestedAt = userInitiatedAt(stopping.StateTransitionReason);
  const launchedAt = running.LaunchTime!.getTime();
  assert.ok(requestedAt >= Math.floor(launchedAt / 1000) * 1000 && requestedAt < launchedAt + MINUTE, stopping.StateTransitionReason);

  await sandbox.admin.advance();
  const stopped = await describeInstance(id);
  assert.deepEqual(stopped.State, STOPPED);
  assert.deepEqual(stopped.StateReason, USER_SHUTDOWN);
  assert.equal(userInitiatedAt(stopped.StateTransitionReason), requestedAt);
  assert.equal(stopped.PublicIpAddress, undefined);
  assert.equal(stopped.PublicDnsName, '');
  assert.equal(stopped.PrivateIpAddress, running.PrivateIpAddress);
  assert.equal(stopped.SubnetId, running.SubnetId);
  assert.deepEqual(
    stopped.BlockDeviceMappings!.map((m) => [m.Ebs!.VolumeId, m.Ebs!.Status]),
    volumeIds.map((v) => [v, 'attached']),
  );
  const { Volumes } = await ec2.send(new DescribeVolumesCommand({ VolumeIds: volumeIds }));
  assert.deepEqual(
    Volumes!.map((v) => [v.State, v.Attachments![0]!.InstanceId]),
    volumeIds.map(() => ['in-use', id]),
  );
});

test('stopping a stopping or stopped instance succeeds and changes nothing', async () => {
  const id = await launchRunning();
  await stop(id);
  await sandbox.admin.advance(MINUTE / 2);
  const again = await ec2.send(new StopInstancesCommand({ InstanceIds: [id], Force: true }));
  assert.deepEqual(again.StoppingInstances, [{ InstanceId: id, CurrentState: STOPPING, PreviousState: STOPPING }]);
  // Still a minute after the first stop: the second did not start the shutdown again.
  await sandbox.admin.advance(MINUTE / 2);
  const stopped = await describeInstance(id);
  assert.deepEqual(stopped.State, STOPPED);
  assert.deepEqual((await stop(id)).StoppingInstances, [{ InstanceId: id, CurrentState: STOPPED, PreviousState: STOPPED }]);
  assert.deepEqual(await describeInstance(id), stopped);
});

test('a terminated or shutting-down instance, or one never yet running, is IncorrectInstanceState, and nothing in the call changes', async () => {
  const running = await launchRunning();
  const shuttingDown = await launchRunning();
  await terminate(shuttingDown);
  let error = await rejectsWith(stop(shuttingDown), 'IncorrectInstanceState', 400);
  assert.equal(error.message, `This instance '${shuttingDown}' is not in a state from which it can be stopped.`);
  await sandbox.admin.advance();
  await rejectsWith(stop(running, shuttingDown), 'IncorrectInstanceState');
  assert.deepEqual((await describeInstance(running)).State, RUNNING, 'the refused call stopped no instance');

  const pending = await launchPending();
  error = await rejectsWith(stop(pending), 'IncorrectInstanceState');
  assert.equal(error.message, `Instance '${pending}' cannot be stopped as it has never reached the 'running' state.`);
  assert.deepEqual((await describeInstance(pending)).State, PENDING);
});

test('unknown instance IDs are InvalidInstanceID.NotFound, all of them named, and nothing changes', async () => {
  const id = await launchRunning();
  const unknown = ['i-0123456789abcdef0', 'i-0fedcba9876543210'];
  for (const call of [stop, start, terminate]) {
    const error = await rejectsWith(call(id, ...unknown), 'InvalidInstanceID.NotFound', 400);
    assert.equal(error.message, `The instance IDs '${unknown.join(', ')}' do not exist`);
  }
  await rejectsWith(stop('i-nope'), 'InvalidInstanceID.Malformed');
  assert.deepEqual((await describeInstance(id)).State, RUNNING);
});

test('Hibernate is refused for an instance not configured for it; DryRun changes nothing', async () => {
  const id = await launchRunning();
  assert.equal((await describeInstance(id)).HibernationOptions?.Configured, false);
  const error = await rejectsWith(
    ec2.send(new StopInstancesCommand({ InstanceIds: [id], Hibernate: true })),
    'UnsupportedHibernationConfiguration',
  );
  assert.match(error.message, new RegExp(`not configured at launch for hibernation: ${id}$`));
  await rejectsWith(ec2.send(new StopInstancesCommand({ InstanceIds: [id], DryRun: true })), 'DryRunOperation', 412);
  await rejectsWith(ec2.send(new TerminateInstancesCommand({ InstanceIds: [id], DryRun: true })), 'DryRunOperation', 412);
  assert.deepEqual((await describeInstance(id)).State, RUNNING);
});

test('StartInstances: stopped → pending → running, with a new launch time and public address', async () => {
  const id = await launchRunning();
  const first = await describeInstance(id);
  await stop(id);
  const error = await rejectsWith(start(id), 'IncorrectInstanceState', 400);
  assert.equal(error.message, `The instance '${id}' is not in a state from which it can be started.`);
  await sandbox.admin.advance(5 * MINUTE);

  const { StartingInstances } = await start(id);
  assert.deepEqual(StartingInstances, [{ InstanceId: id, CurrentState: PENDING, PreviousState: STOPPED }]);
  const pending = await describeInstance(id);
  assert.deepEqual(pending.State, PENDING);
  assert.equal(pending.PublicIpAddress, undefined);
  assert.ok(pending.LaunchTime!.getTime() >= first.LaunchTime!.getTime() + 5 * MINUTE, 'LaunchTime is the last launch');
  // The network interface keeps the first launch's time, which is how EC2 says to find it.
  assert.deepEqual(pending.NetworkInterfaces![0]!.Attachment!.AttachTime, first.LaunchTime);
  assert.deepEqual((await start(id)).StartingInstances, [{ InstanceId: id, CurrentState: PENDING, PreviousState: PENDING }]);

  await sandbox.admin.advance();
  const running = await describeInstance(id);
  assert.deepEqual(running.State, RUNNING);
  assert.equal(running.StateTransitionReason, '');
  assert.equal(running.StateReason, undefined);
  assert.ok(running.PublicIpAddress);
  assert.notEqual(running.PublicIpAddress, first.PublicIpAddress, 'a started instance gets a new public address');
  assert.equal(running.PrivateIpAddress, first.PrivateIpAddress);
  assert.deepEqual((await start(id)).StartingInstances, [{ InstanceId: id, CurrentState: RUNNING, PreviousState: RUNNING }]);
});

test('an instance started again can be stopped while pending, and reports that stop; a terminated one cannot start', async () => {
  const id = await launchRunning();
  await stop(id);
  const firstStop = userInitiatedAt((await describeInstance(id)).StateTransitionReason);
  await sandbox.admin.advance(5 * MINUTE);
  await start(id);
  assert.deepEqual((await stop(id)).StoppingInstances, [{ InstanceId: id, CurrentState: STOPPING, PreviousState: PENDING }]);
  await sandbox.admin.advance();
  const stopped = await describeInstance(id);
  assert.deepEqual(stopped.State, STOPPED);
  assert.ok(userInitiatedAt(stopped.StateTransitionReason) >= firstStop + 5 * MINUTE, 'the reason is the latest stop');

  await terminate(id);
  await sandbox.admin.advance();
  const error = await rejectsWith(start(id), 'IncorrectInstanceState', 400);
  assert.equal(error.message, `The instance '${id}' is not in a state from which it can be started.`);
});

test('TerminateInstances of a stopped or stopping instance: shutting-down → terminated, and again succeeds', async () => {
  const stopped = await launchRunning();
  const stopping = await launchRunning();
  await stop(stopped);
  await sandbox.admin.advance(5 * MINUTE);
  await stop(stopping);
  const { TerminatingInstances } = await terminate(stopped, stopping);
  assert.deepEqual(TerminatingInstances, [
    { InstanceId: stopped, CurrentState: SHUTTING_DOWN, PreviousState: STOPPED },
    { InstanceId: stopping, CurrentState: SHUTTING_DOWN, PreviousState: STOPPING },
  ]);
  assert.deepEqual((await terminate(stopping)).TerminatingInstances, [
    { InstanceId: stopping, CurrentState: SHUTTING_DOWN, PreviousState: SHUTTING_DOWN },
  ]);
  await sandbox.admin.advance();
  for (const id of [stopped, stopping]) {
    const terminated = await describeInstance(id);
    assert.deepEqual(terminated.State, TERMINATED);
    assert.deepEqual(terminated.StateReason, USER_SHUTDOWN);
  }
  assert.deepEqual((await terminate(stopped, stopping)).TerminatingInstances, [
    { InstanceId: stopped, CurrentState: TERMINATED, PreviousState: TERMINATED },
    { InstanceId: stopping, CurrentState: TERMINATED, PreviousState: TERMINATED },
  ]);
});

test('the instance-state-name and instance-state-code filters find stopping and stopped instances', async () => {
  const tag = { Key: 'lifecycle', Value: 'state-filters' };
  const tagged = { TagSpecifications: [{ ResourceType: 'instance' as const, Tags: [tag] }] };
  const [stoppingId, stoppedId, runningId] = [await launchPending(tagged), await launchPending(tagged), await launchPending(tagged)];
  await sandbox.admin.advance();
  await stop(stoppedId);
  await sandbox.admin.advance();
  await stop(stoppingId);
  const idsWhere = async (name: string, value: string) => {
    const { Reservations } = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${tag.Key}`, Values: [tag.Value] },
          { Name: name, Values: [value] },
        ],
      }),
    );
    return (Reservations ?? []).flatMap((r) => r.Instances!.map((i) => i.InstanceId!));
  };
  assert.deepEqual(await idsWhere('instance-state-name', 'stopping'), [stoppingId]);
  assert.deepEqual(await idsWhere('instance-state-name', 'stopped'), [stoppedId]);
  assert.deepEqual(await idsWhere('instance-state-name', 'running'), [runningId]);
  assert.deepEqual(await idsWhere('instance-state-code', '64'), [stoppingId]);
  assert.deepEqual(await idsWhere('instance-state-code', '80'), [stoppedId]);
});

test('RunInstances: a ClientToken with the same parameters gets the first reservation; with any other, IdempotentParameterMismatch', async () => {
  const request: RunInstancesCommandInput = {
    ImageId: LINUX_BASE_AMI_ID,
    MinCount: 2,
    MaxCount: 2,
    InstanceType: 't3.micro',
    ClientToken: 'lifecycle-token-1',
    TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'run', Value: 'one' }] }],
  };
  const first = await ec2.send(new RunInstancesCommand(request));
  await sandbox.admin.advance();
  const retry = await ec2.send(new RunInstancesCommand(request));
  assert.equal(retry.ReservationId, first.ReservationId);
  assert.deepEqual(
    retry.Instances!.map((i) => [i.InstanceId, i.State?.Name]),
    first.Instances!.map((i) => [i.InstanceId, 'running']),
  );

  const changes: Partial<RunInstancesCommandInput>[] = [
    { InstanceType: 't3.small' },
    { MaxCount: 3 },
    { TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'run', Value: 'two' }] }] },
    { MetadataOptions: { HttpTokens: 'required' } },
  ];
  for (const change of changes) {
    const error = await rejectsWith(ec2.send(new RunInstancesCommand({ ...request, ...change })), 'IdempotentParameterMismatch', 400);
    assert.equal(error.message, 'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).');
  }
  const { Reservations } = await ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'client-token', Values: [request.ClientToken!] }] }),
  );
  assert.deepEqual(
    Reservations!.map((r) => r.Instances!.length),
    [2],
    'neither the retry nor a mismatch launched anything',
  );
});

test('a ClientToken retry gets its reservation even after the AMI it launched is deregistered', async () => {
  const source = await launchRunning();
  const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: source, Name: 'lifecycle-token-image' }));
  await sandbox.admin.advance();
  const request = { ImageId, MinCount: 1, MaxCount: 1, ClientToken: 'lifecycle-token-2' };
  const first = await ec2.send(new RunInstancesCommand(request));
  await ec2.send(new DeregisterImageCommand({ ImageId }));
  const retry = await ec2.send(new RunInstancesCommand(request));
  assert.equal(retry.ReservationId, first.ReservationId);
  assert.deepEqual(
    retry.Instances!.map((i) => i.InstanceId),
    first.Instances!.map((i) => i.InstanceId),
  );
  await rejectsWith(ec2.send(new RunInstancesCommand({ ...request, ClientToken: 'lifecycle-token-3' })), 'InvalidAMIID.NotFound');
});

test('StopInstances and StartInstances exist from API version 2009-10-31, with EBS-backed instances', async () => {
  const post = async (body: string) => {
    const response = await send(
      sign(
        { method: 'POST', url: sandbox.url, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
        { service: 'ec2' },
      ),
    );
    return (new XMLParser().parse(await response.text()) as { Response: { Errors: { Error: { Code: string } } } }).Response.Errors.Error
      .Code;
  };
  for (const action of ['StopInstances', 'StartInstances']) {
    assert.equal(await post(`Action=${action}&Version=2009-08-15&InstanceId.1=i-0123456789abcdef0`), 'InvalidAction');
    assert.equal(await post(`Action=${action}&Version=2009-10-31&InstanceId.1=i-0123456789abcdef0`), 'InvalidInstanceID.NotFound');
  }
});

test("aws ec2 stop-instances, then botocore's instance_stopped waiter (aws ec2 wait instance-stopped), then start-instances", async () => {
  const id = await launchRunning();
  const stopped = await aws<{ StoppingInstances: unknown[] }>('stop-instances', '--instance-ids', id);
  assert.deepEqual(stopped.StoppingInstances, [{ InstanceId: id, CurrentState: STOPPING, PreviousState: RUNNING }]);
  // The waiter's first poll is immediate; once the stop has finished it succeeds without its 15 s delay.
  await sandbox.admin.advance();
  await aws('wait', 'instance-stopped', '--instance-ids', id);
  const states = await aws<string[]>('describe-instances', '--instance-ids', id, '--query', 'Reservations[].Instances[].State.Name');
  assert.deepEqual(states, ['stopped']);
  const started = await aws<{ StartingInstances: unknown[] }>('start-instances', '--instance-ids', id);
  assert.deepEqual(started.StartingInstances, [{ InstanceId: id, CurrentState: PENDING, PreviousState: STOPPED }]);
});
