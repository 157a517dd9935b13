import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import {
  AppStreamClient,
  CreateImageBuilderCommand,
  CreateUpdatedImageCommand,
  DescribeImageBuildersCommand,
  DescribeImagesCommand as DescribeAppStreamImagesCommand,
} from '@aws-sdk/client-appstream';
import {
  CreateImageCommand,
  CreateReplaceRootVolumeTaskCommand,
  CreateTagsCommand,
  DescribeFastLaunchImagesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  EC2Client,
  EnableFastLaunchCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  APPSTREAM_GOLDEN_IMAGE_NAME,
  APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
  createSandbox,
  LINUX_BASE_AMI_ID,
  SANDBOX_CREDENTIALS,
  SandboxAdmin,
  WINDOWS_BASE_AMI_ID,
  type RunningSandbox,
  type SandboxConfigOverrides,
} from '../index';
import { Timeline } from '../core/timeline';
import { classesIn, decodeState, encodeState } from '../persistence/state-codec';
import { rejectsWith } from './support/rejects-with';

/** The sandbox's state in a file: the codec, the store, and a sandbox closed and opened again on it. */

const MINUTE = 60_000;
/** Long enough that nothing finishes by itself during a test: only the admin API's advances move it. */
const SLOW: SandboxConfigOverrides = {
  profile: 'test',
  durations: {
    image: MINUTE,
    fastLaunch: MINUTE,
    replaceRootVolumePending: 10_000,
    replaceRootVolumeInProgress: MINUTE,
    appStreamImage: MINUTE,
    builderTransition: MINUTE,
  },
};

let dir: string;
const opened: RunningSandbox[] = [];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sandbox-persistence-'));
});
after(async () => {
  for (const running of opened) await running.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function open(stateFile: string, config: SandboxConfigOverrides = SLOW, fresh = false) {
  const running = await createSandbox({ port: 0, config, stateFile, fresh });
  opened.push(running);
  const clientConfig = { endpoint: running.url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  return { running, ec2: new EC2Client(clientConfig), appstream: new AppStreamClient(clientConfig), admin: new SandboxAdmin(running.url) };
}
type Opened = Awaited<ReturnType<typeof open>>;

async function launch(ec2: EC2Client, imageId: string, tags: Record<string, string>): Promise<string> {
  const { Instances } = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 'm5.large',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
    }),
  );
  return Instances![0]!.InstanceId!;
}

/** Everything a client can see of what the tests create, to compare before a close and after the reopen. */
async function view({ ec2, appstream }: Opened) {
  const [images, instances, tasks, fastLaunch, appStreamImages, builders] = await Promise.all([
    ec2.send(new DescribeImagesCommand({ Owners: ['self'] })),
    ec2.send(new DescribeInstancesCommand({})),
    ec2.send(new DescribeReplaceRootVolumeTasksCommand({})),
    ec2.send(new DescribeFastLaunchImagesCommand({})),
    appstream.send(new DescribeAppStreamImagesCommand({ Type: 'PRIVATE' })),
    appstream.send(new DescribeImageBuildersCommand({})),
  ]);
  return {
    images: images.Images,
    instances: instances.Reservations,
    tasks: tasks.ReplaceRootVolumeTasks,
    fastLaunch: fastLaunch.FastLaunchImages,
    appStreamImages: appStreamImages.Images,
    builders: builders.ImageBuilders,
  };
}

/** Every `seq` (creation order, the pagination cursor) of every record in the state, wherever it sits. */
function seqsIn(root: unknown): number[] {
  const seqs: number[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown) => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    if (value instanceof Map) return value.forEach((v) => walk(v));
    if (value instanceof Set || Array.isArray(value)) return [...(value as Iterable<unknown>)].forEach(walk);
    if (Object.getPrototypeOf(value) === Object.prototype && typeof (value as { seq?: unknown }).seq === 'number') {
      seqs.push((value as { seq: number }).seq);
    }
    Object.values(value).forEach(walk);
  };
  walk(root);
  return seqs;
}

describe('the state codec', () => {
  class Box {
    constructor(
      readonly items: Map<string, { at: Date; tags: Set<string> }>,
      public note?: string,
    ) {}
    size() {
      return this.items.size;
    }
  }
  const external = { name: 'the clock' };

  test('round-trips Maps, Sets, Dates, undefined, odd numbers, `$` keys and class instances, on their prototypes', () => {
    const value = {
      box: new Box(new Map([['a', { at: new Date(1_700_000_000_123), tags: new Set(['x', 'y']) }]]), undefined),
      numbers: [1.5, -0, NaN, Infinity, -Infinity, 10n],
      dollar: { $ref: 'not a tag', $id: 'nor this' },
      nested: [[{ deep: null }], { empty: {} }],
      clock: external,
    };
    const text = encodeState(value, { classes: [Box], externals: { clock: external } });
    const back = decodeState<typeof value>(text, { classes: [Box], externals: { clock: external } });
    assert.deepStrictEqual(back, value);
    assert.ok(back.box instanceof Box);
    assert.equal(back.box.size(), 1);
    assert.ok('note' in back.box, 'an explicit undefined stays a property');
    assert.equal(back.clock, external, 'externals are supplied, not copied');
  });

  test('keeps shared references and cycles: the same object before is the same object after', () => {
    const timeline = new Timeline<'pending' | 'done'>('pending', 0).then('done', 10);
    const record: { lifecycle: typeof timeline; self?: unknown } = { lifecycle: timeline };
    record.self = record;
    const all = new Set([timeline]);
    const state = { all, records: new Map([['r', record]]), list: [record, record] };
    const back = decodeState<typeof state>(encodeState(state, { classes: [Timeline] }), { classes: [Timeline] });
    const restored = back.records.get('r')!;
    assert.equal(restored.self, restored);
    assert.equal(back.list[0], restored);
    assert.equal([...back.all][0], restored.lifecycle, 'the timeline in the set is the record’s own');
    assert.equal(restored.lifecycle.stateAt(10), 'done');
  });

  test('refuses what it could not restore: functions, unlisted classes; and names the classes a state holds', () => {
    assert.throws(() => encodeState({ f: () => 1 }, { classes: [] }), /cannot persist a function \(at f\)/);
    assert.throws(() => encodeState({ box: new Box(new Map()) }, { classes: [] }), /instance of Box \(at box\)/);
    assert.throws(() => decodeState('{"$class":"Box","$fields":{}}', { classes: [] }), /holds a Box, which this version does not know/);
    assert.deepEqual([...classesIn({ a: [new Box(new Map())], t: new Timeline('x', 0) })], [Box, Timeline]);
  });
});

describe('a sandbox with a state file', () => {
  test('survives a close and reopen: images, instances, tags, tasks, fast launch, AppStream images and builders; transitions go on', async () => {
    const file = path.join(dir, 'survives.db');
    const first = await open(file);
    assert.equal(first.running.restoredSavedAt, undefined, 'a new file: the sandbox begins from its seed');
    const { ec2, appstream, admin } = first;
    const windows = await launch(ec2, WINDOWS_BASE_AMI_ID, { Name: 'win-build' });
    const linux = await launch(ec2, LINUX_BASE_AMI_ID, { Name: 'linux-build' });
    await admin.advance();
    const { ImageId: windowsImage } = await ec2.send(new CreateImageCommand({ InstanceId: windows, Name: 'win-golden', NoReboot: true }));
    await admin.advance();
    await ec2.send(new EnableFastLaunchCommand({ ImageId: windowsImage, ResourceType: 'snapshot' }));
    const { ImageId: pendingImage } = await ec2.send(
      new CreateImageCommand({
        InstanceId: linux,
        Name: 'linux-golden',
        NoReboot: true,
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'team', Value: 'web' }] }],
      }),
    );
    await ec2.send(new CreateTagsCommand({ Resources: [linux], Tags: [{ Key: 'stage', Value: 'baked' }] }));
    const { ReplaceRootVolumeTask } = await ec2.send(
      new CreateReplaceRootVolumeTaskCommand({ InstanceId: windows, ImageId: windowsImage }),
    );
    await admin.setAppStreamUpdate(APPSTREAM_GOLDEN_IMAGE_NAME, true);
    await appstream.send(new CreateUpdatedImageCommand({ existingImageName: APPSTREAM_GOLDEN_IMAGE_NAME, newImageName: 'golden-v2' }));
    await appstream.send(
      new CreateImageBuilderCommand({
        Name: 'builder',
        ImageName: APPSTREAM_WINDOWS_2022_BASE_IMAGE_NAME,
        InstanceType: 'stream.standard.medium',
      }),
    );
    await admin.advance(15_000); // the task is in-progress now; the rest still under way
    const before = await view(first);
    assert.equal(before.images?.find((i) => i.ImageId === pendingImage)?.State, 'pending');
    assert.equal(before.tasks?.[0]?.TaskState, 'in-progress');
    assert.equal(before.fastLaunch?.[0]?.State, 'enabling');
    assert.equal(before.appStreamImages?.find((i) => i.Name === 'golden-v2')?.State, 'PENDING');
    assert.equal(before.builders?.[0]?.State, 'PENDING');
    await first.running.close();

    const second = await open(file);
    assert.ok(second.running.restoredSavedAt! <= Date.now(), 'it says it restored, and when the state was saved');
    assert.deepStrictEqual(await view(second), before);
    // The clock's offset came back too: 50 s more is 65 s since CreateImage, past its 60 s.
    await second.admin.advance(50_000);
    const after65 = await view(second);
    assert.equal(after65.images?.find((i) => i.ImageId === pendingImage)?.State, 'available');
    assert.equal(after65.fastLaunch?.[0]?.State, 'enabled');
    assert.equal(after65.appStreamImages?.find((i) => i.Name === 'golden-v2')?.State, 'AVAILABLE');
    assert.equal(after65.builders?.[0]?.State, 'RUNNING');
    // The task's 10 s pending + 60 s in-progress end at 70 s: it finishes when it always would have.
    assert.equal(after65.tasks?.[0]?.TaskState, 'in-progress');
    await second.admin.advance(5_000);
    const { ReplaceRootVolumeTasks } = await second.ec2.send(
      new DescribeReplaceRootVolumeTasksCommand({ ReplaceRootVolumeTaskIds: [ReplaceRootVolumeTask!.ReplaceRootVolumeTaskId!] }),
    );
    assert.equal(ReplaceRootVolumeTasks?.[0]?.TaskState, 'succeeded');
    await second.running.close();
  });

  test('wall time runs on while the sandbox is stopped: a transition due meanwhile is over at the restore', async () => {
    const file = path.join(dir, 'wall-time.db');
    const quick = { profile: 'test', durations: { image: 300 } } as const;
    const first = await open(file, quick);
    const instance = await launch(first.ec2, LINUX_BASE_AMI_ID, {});
    await first.admin.advance();
    const { ImageId } = await first.ec2.send(new CreateImageCommand({ InstanceId: instance, Name: 'quick', NoReboot: true }));
    await first.running.close();
    await sleep(400);
    const second = await open(file, quick);
    const { Images } = await second.ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }));
    assert.equal(Images?.[0]?.State, 'available');
    await second.running.close();
  });

  test('IDs and the creation sequence carry on after a restore: nothing is numbered twice', async () => {
    const file = path.join(dir, 'ids.db');
    const first = await open(file);
    const old = [await launch(first.ec2, LINUX_BASE_AMI_ID, {}), await launch(first.ec2, LINUX_BASE_AMI_ID, {})];
    await first.running.close();
    const second = await open(file);
    const fresh = [await launch(second.ec2, LINUX_BASE_AMI_ID, {}), await launch(second.ec2, LINUX_BASE_AMI_ID, {})];
    assert.equal(new Set([...old, ...fresh]).size, 4);
    const seqs = seqsIn(second.running.sandbox.state);
    assert.ok(seqs.length >= 4);
    assert.equal(new Set(seqs).size, seqs.length, `every record has its own seq: ${seqs.join(',')}`);
    await second.running.close();
  });

  test('fresh discards the stored state and begins from the seed, which the file then holds', async () => {
    const file = path.join(dir, 'fresh.db');
    const first = await open(file);
    const instance = await launch(first.ec2, LINUX_BASE_AMI_ID, {});
    await first.running.close();

    const restarted = await open(file, SLOW, true);
    assert.equal(restarted.running.restoredSavedAt, undefined);
    await rejectsWith(restarted.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance] })), 'InvalidInstanceID.NotFound');
    const { Images } = await restarted.ec2.send(new DescribeImagesCommand({ ImageIds: [WINDOWS_BASE_AMI_ID, LINUX_BASE_AMI_ID] }));
    assert.equal(Images?.length, 2, 'the seeded base AMIs are there');
    await restarted.running.close();

    const again = await open(file);
    assert.notEqual(again.running.restoredSavedAt, undefined, 'the fresh state was saved');
    await rejectsWith(again.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance] })), 'InvalidInstanceID.NotFound');
    await again.running.close();
  });

  test('a second sandbox on the same file is refused while the first holds it', async () => {
    const file = path.join(dir, 'held.db');
    const first = await open(file);
    await assert.rejects(createSandbox({ port: 0, stateFile: file }), /held\.db is in use by another sandbox/);
    await first.running.close();
    const next = await open(file);
    assert.notEqual(next.running.restoredSavedAt, undefined);
    await next.running.close();
  });

  test('`npm run sandbox -- --state <file>` saves within a fraction of a second: a killed sandbox loses no finished call', async () => {
    const file = path.join(dir, 'killed.db');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'main.ts'), '--port', '0', '--state', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      // The two lines come in separate writes: wait for both.
      while (!/listening: (\S+)/.test(output) || !/state: /.test(output)) {
        assert.equal(child.exitCode, null, output);
        await sleep(50);
      }
      assert.match(output, /state: .*killed\.db \(new\)/);
      const url = /listening: (\S+)/.exec(output)![1]!;
      const ec2 = new EC2Client({ endpoint: url, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS });
      const instance = await launch(ec2, LINUX_BASE_AMI_ID, { Name: 'survivor' });
      // The save the launch set off: the write-ahead log changes when it commits. On a busy machine that can
      // take longer than the 200 ms interval, so this waits for the commit itself rather than a fixed time.
      const launched = Date.now();
      const deadline = launched + 10_000;
      while (((await stat(`${file}-wal`).catch(() => undefined))?.mtimeMs ?? 0) <= launched) {
        assert.ok(Date.now() < deadline, 'no save within 10 s of the call');
        await sleep(50);
      }
      child.kill('SIGKILL');
      await once(child, 'exit');

      const restored = await open(file);
      await restored.admin.advance(); // the demo profile's 2 s not-found window
      const { Reservations } = await restored.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance] }));
      assert.equal(Reservations?.[0]?.Instances?.[0]?.Tags?.[0]?.Value, 'survivor');
      await restored.running.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
