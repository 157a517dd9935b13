import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readConfigFile } from '../client/config-file';
import { appStreamImageBuilderInput } from '../contracts/appstream-image-builder';
import { appStreamImageUpdateInput } from '../contracts/appstream-image-update';
import { parseInput } from '../contracts/input-validation';
import { inputProblems } from './support/input-problems';

const update = { existingImageName: 'golden-appstream-base', newImageName: '{{pipeline}}-{{date}}' };

const problems = inputProblems;

describe('appStreamImageUpdate input', () => {
  test('defaults: the pipeline is named after the existing image; AppStream waits poll every 60 s for up to 6 h, and a new image may be unseen for 2 min', () => {
    const input = parseInput(appStreamImageUpdateInput, update);
    assert.equal(input.name, 'golden-appstream-base');
    assert.deepEqual(input.waits, {
      image: { interval: '60s', timeout: '6h' },
      copy: { interval: '60s', timeout: '3h' },
      builder: { interval: '30s', timeout: '2h' },
      fleet: { interval: '30s', timeout: '1h' },
      notFoundGrace: '2m',
    });
    assert.equal(input.keepUnfinishedImage, false);
    assert.equal(input.retention, undefined);
    // Nothing beyond the build Region unless asked: no test, approval, copy, share or fleet.
    assert.deepEqual([input.test, input.approval, input.copyTo, input.shareWith, input.fleets], [undefined, undefined, [], [], []]);
    assert.deepEqual(input.fleetUpdate, { restart: false });
  });

  const bad: [string, unknown, string][] = [
    ['bad new name', { ...update, newImageName: 'golden image' }, 'newImageName: must be 1-101 letters'],
    ['new name too long once filled in', { ...update, newImageName: `${'x'.repeat(80)}-{{date}}-{{run}}` }, 'newImageName: must be 1-101'],
    ['bad existing name', { ...update, existingImageName: '-golden' }, 'existingImageName: must be 1-101 letters'],
    ['keep 0', { ...update, retention: { keep: 0 } }, 'retention.keep: must be >= 1'],
    [
      'reserved tag',
      { ...update, tags: { 'golden-image:pipeline': 'x' } },
      'tags.golden-image:pipeline: the "golden-image:" prefix is reserved',
    ],
    ['poll too fast', { ...update, waits: { image: { interval: '10ms' } } }, 'waits.image.interval: must be at least 100ms'],
    [
      'a copy Region twice',
      { ...update, copyTo: [{ region: 'eu-west-1' }, { region: 'eu-west-1' }] },
      'copyTo.1.region: eu-west-1 is listed twice',
    ],
    [
      'a copy name too long once filled in',
      { ...update, copyTo: [{ region: 'eu-west-1', name: `${'x'.repeat(95)}-{{run}}` }] },
      'copyTo.0.name: must be 1-101',
    ],
    [
      'a share with a malformed account',
      { ...update, shareWith: [{ account: '1234' }] },
      'shareWith.0.account: must be a 12-digit AWS account ID',
    ],
    [
      'a share that allows nothing',
      { ...update, shareWith: [{ account: '444455556666', allowFleet: false }] },
      'shareWith.0: allows neither a fleet nor an image builder',
    ],
    ['a fleet listed twice', { ...update, fleets: [{ name: 'web' }, { name: 'web' }] }, 'fleets.1: fleet web is listed twice'],
    [
      'a test builder of an EC2 instance type',
      { ...update, test: { imageBuilder: { instanceType: 'm6i.large' } } },
      'test.imageBuilder.instanceType: must be an AppStream instance type',
    ],
    [
      'tag key with a character AppStream refuses',
      { ...update, tags: { 'team#1': 'euc' } },
      'tags.team#1: AppStream tag keys may only hold',
    ],
    [
      'tag value with a character AppStream refuses',
      { ...update, tags: { team: 'euc<1>' } },
      'tags.team: AppStream tag values may only hold',
    ],
    ['unknown field', { ...update, imageName: 'x' }, '(input): Unrecognized key: "imageName"'],
  ];
  for (const [label, input, expected] of bad) {
    test(`rejects ${label}`, () => {
      const found = problems(appStreamImageUpdateInput, input);
      assert.ok(
        found.some((p) => p.startsWith(expected)),
        `expected "${expected}" in ${JSON.stringify(found)}`,
      );
    });
  }
});

describe('appStreamImageBuilder input', () => {
  test('create defaults to stream.standard.medium; builders poll every 30 s for up to 2 h', () => {
    const input = parseInput(appStreamImageBuilderInput, { action: 'create', name: 'b1', imageName: 'golden-appstream-base' });
    assert.equal(input.instanceType, 'stream.standard.medium');
    assert.deepEqual(input.waits, { builder: { interval: '30s', timeout: '2h' } });
  });

  test("tags with AppStream's characters are accepted: letters and digits of any script, spaces, _ . : / = + - @", () => {
    const tags = { 'Kostenstelle Ä': 'büro 1_2.3:4/5=6+7-8@9', team: '' };
    assert.deepEqual(problems(appStreamImageBuilderInput, { action: 'create', name: 'b1', imageName: 'i', tags }), []);
  });

  test('known instance families are accepted', () => {
    for (const instanceType of [
      'stream.standard.small',
      'stream.compute.8xlarge',
      'stream.memory.z1d.large',
      'stream.graphics.g4dn.xlarge',
      'stream.graphics-pro.4xlarge',
      'stream.graphics-design.large',
    ]) {
      assert.deepEqual(
        problems(appStreamImageBuilderInput, { action: 'create', name: 'b1', imageName: 'i', instanceType }),
        [],
        instanceType,
      );
    }
  });

  const bad: [string, unknown, string][] = [
    ['an unknown action', { action: 'reboot', name: 'b1' }, 'action:'],
    ['a bad builder name', { action: 'stop', name: 'b 1' }, 'name: must be 1-101 letters'],
    ['create without an image', { action: 'create', name: 'b1' }, 'imageName: create needs the image'],
    [
      'an EC2 instance type',
      { action: 'create', name: 'b1', imageName: 'i', instanceType: 't3.micro' },
      'instanceType: must be an AppStream instance type',
    ],
    ['create settings on stop', { action: 'stop', name: 'b1', imageName: 'i' }, 'imageName: applies only to create'],
    [
      'a tag AppStream refuses',
      { action: 'create', name: 'b1', imageName: 'i', tags: { owner: 'a*b' } },
      'tags.owner: AppStream tag values may only hold',
    ],
  ];
  for (const [label, input, expected] of bad) {
    test(`rejects ${label}`, () => {
      const found = problems(appStreamImageBuilderInput, input);
      assert.ok(
        found.some((p) => p.startsWith(expected)),
        `expected "${expected}" in ${JSON.stringify(found)}`,
      );
    });
  }
});

describe('AppStream examples', () => {
  const examples = path.join(__dirname, '..', 'examples');
  test('examples/appstream-update.yaml is a valid appStreamImageUpdate input', async () => {
    parseInput(appStreamImageUpdateInput, await readConfigFile(path.join(examples, 'appstream-update.yaml'), 'appstream-update'));
  });
  test('examples/appstream-builder.yaml is a valid appStreamImageBuilder create input', async () => {
    parseInput(appStreamImageBuilderInput, {
      ...(await readConfigFile(path.join(examples, 'appstream-builder.yaml'), 'appstream-builder')),
      action: 'create',
    });
  });
});
