/**
 * docs/iam-policy.json is least privilege: it names exactly the AWS actions the activities call, no
 * more and no less. The actions are derived from the code (the SDK commands and paginators each
 * activities/*.ts imports), so the test stays right as activities are added or removed. The policy
 * `golden-image iam-policy` prints for one pipeline covers every action that pipeline calls, and
 * names its resources wherever AWS lets a policy name them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readPipelineFile } from '../client/config-file';
import { pipelinePolicy, type IamPolicy } from '../client/iam-policy';
import { validatePipeline } from '../client/start-pipeline';
import type { PipelineKindName } from '../contracts/pipeline-kinds';

const ROOT = path.resolve(__dirname, '..');
const ACTIVITIES = path.join(ROOT, 'activities');

/** The IAM service prefix of each AWS SDK client package the activities may use. */
const SERVICE_PREFIX: Record<string, string> = { '@aws-sdk/client-ec2': 'ec2', '@aws-sdk/client-appstream': 'appstream' };

/**
 * Permissions that AWS checks for an action on top of the action itself. Each one is granted only
 * while the action that implies it is called, so the comparison below stays exact.
 */
const IMPLIED: { action: string; impliedBy: string; why: string }[] = [
  // CreateImage and CreateReplaceRootVolumeTask pass TagSpecifications: tag-on-create needs CreateTags.
  { action: 'ec2:CreateTags', impliedBy: 'ec2:CreateImage', why: 'TagSpecifications on the image and its snapshots' },
  { action: 'ec2:CreateTags', impliedBy: 'ec2:CreateReplaceRootVolumeTask', why: 'TagSpecifications on the task' },
  // DeregisterImage with DeleteAssociatedSnapshots deletes the snapshots with the caller's permissions.
  { action: 'ec2:DeleteSnapshot', impliedBy: 'ec2:DeregisterImage', why: 'DeleteAssociatedSnapshots: true' },
  // EnableFastLaunch resolves the launch template version it is given, and on first use in an account
  // creates the AWSServiceRoleForEC2FastLaunch service-linked role (AWS's EC2FastLaunchFullAccess grants both).
  { action: 'ec2:DescribeLaunchTemplateVersions', impliedBy: 'ec2:EnableFastLaunch', why: 'the launch template version' },
  { action: 'iam:CreateServiceLinkedRole', impliedBy: 'ec2:EnableFastLaunch', why: 'the fast launch service-linked role' },
];

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*['"](@aws-sdk\/client-[\w-]+)['"]/g;

/** Every `service:Action` the activities call, with the file that calls it (activities/ec2/..., activities/appstream/...). */
function actionsCalledByActivities(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of readdirSync(ACTIVITIES, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(path.join(ACTIVITIES, file), 'utf8');
    assert.doesNotMatch(
      source,
      /import\s+\*\s+as\s+\w+\s+from\s+['"]@aws-sdk\/client-/,
      `${file}: a namespace import of an SDK client would hide its commands from this test`,
    );
    assert.doesNotMatch(
      source,
      /require\(['"]@aws-sdk\/client-/,
      `${file}: require() of an SDK client would hide its commands from this test`,
    );
    for (const [, typeOnly, specifiers, pkg] of source.matchAll(IMPORT)) {
      if (typeOnly) continue;
      const prefix = SERVICE_PREFIX[pkg!];
      for (const specifier of specifiers!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        if (specifier.startsWith('type ')) continue;
        const name = specifier.split(/\s+as\s+/)[0]!;
        const action = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        assert.ok(!/^waitUntil/.test(name), `${file}: ${name} calls a describe action; map it here`);
        if (!action) continue;
        assert.ok(prefix, `${file}: ${pkg} has no IAM service prefix in this test; add it`);
        found.set(`${prefix}:${action}`, file);
      }
    }
  }
  return found;
}

function readPolicy(): { Version: string; Statement: Statement[] } {
  return JSON.parse(readFileSync(path.join(ROOT, 'docs', 'iam-policy.json'), 'utf8')) as { Version: string; Statement: Statement[] };
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

test('the scan finds the actions the activities call (a sanity check on the scanner)', () => {
  const called = actionsCalledByActivities();
  for (const action of ['ec2:CreateImage', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DeregisterImage']) {
    assert.ok(called.has(action), `${action} was not found in activities/`);
  }
});

test('docs/iam-policy.json is a well-formed IAM policy of explicit Allow statements', () => {
  const policy = readPolicy();
  assert.equal(policy.Version, '2012-10-17');
  assert.ok(Array.isArray(policy.Statement) && policy.Statement.length > 0);
  const sids = policy.Statement.map((s) => s.Sid);
  assert.equal(new Set(sids).size, sids.length, 'Sids are unique');
  for (const statement of policy.Statement) {
    assert.match(statement.Sid ?? '', /^[A-Za-z0-9]+$/, 'every statement has an alphanumeric Sid');
    assert.equal(statement.Effect, 'Allow', statement.Sid);
    assert.ok(list(statement.Resource).length > 0, `${statement.Sid}: a Resource`);
    for (const action of list(statement.Action)) {
      assert.match(action, /^[a-z0-9-]+:[A-Za-z0-9]+$/, `${statement.Sid}: ${action} is one named action, no wildcards`);
    }
  }
});

test('the policy names exactly the AWS actions the activities call, plus what those imply', () => {
  const called = actionsCalledByActivities();
  const expected = new Set(called.keys());
  for (const { action, impliedBy } of IMPLIED) if (called.has(impliedBy)) expected.add(action);

  const granted = new Set(readPolicy().Statement.flatMap((s) => list(s.Action)));
  const missing = [...expected].filter((a) => !granted.has(a)).sort();
  const extra = [...granted].filter((a) => !expected.has(a)).sort();
  assert.deepEqual(
    { missing, extra },
    { missing: [], extra: [] },
    `missing: actions the code calls (${missing.map((a) => `${a} in ${called.get(a) ?? 'implied'}`).join(', ')}); extra: granted but never called`,
  );
});

test('tagging is granted only as part of the create calls, and retirement only on pipeline-tagged resources', () => {
  const statements = readPolicy().Statement;
  const granting = (action: string) => statements.filter((s) => list(s.Action).includes(action));
  // Tags go on while creating, or, on a pipeline's own image, only its pipeline tag and the released mark.
  for (const statement of [...granting('ec2:CreateTags'), ...granting('appstream:TagResource')]) {
    if (statement.Condition?.['StringEquals']?.['ec2:CreateAction']) continue;
    if (statement.Condition?.['Null']?.['aws:RequestTag/golden-image:run-id'] === 'false') continue;
    assert.equal(statement.Condition?.['Null']?.['aws:ResourceTag/golden-image:pipeline'], 'false', `${statement.Sid}: own images only`);
    assert.deepEqual(statement.Condition?.['ForAllValues:StringEquals']?.['aws:TagKeys'], [
      'golden-image:pipeline',
      'golden-image:released',
    ]);
  }
  for (const action of ['ec2:DeregisterImage', 'ec2:DeleteSnapshot', 'appstream:DeleteImage']) {
    for (const statement of granting(action)) {
      assert.equal(
        statement.Condition?.['Null']?.['aws:ResourceTag/golden-image:pipeline'],
        'false',
        `${action} needs the golden-image:pipeline tag`,
      );
    }
  }
});

/** Actions a write may use `*` for: EC2's and AppStream's describes support no resource-level permissions. */
const isDescribe = (action: string) => /^(ec2|appstream):Describe\w+$/.test(action);

test('the static policy grants no write on "*", and scopes every write by a tag or a tag on create', () => {
  const statements = readPolicy().Statement;
  for (const statement of statements) {
    if (list(statement.Resource).includes('*')) {
      for (const action of list(statement.Action)) assert.ok(isDescribe(action), `${statement.Sid}: ${action} is granted on "*"`);
    }
  }
  const granting = (action: string, resourceType: string) =>
    statements.filter((s) => list(s.Action).includes(action) && list(s.Resource).some((r) => r.includes(`:${resourceType}/`)));
  const conditionKeys = (s: Statement) => Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));
  const expectations: [string, string, RegExp][] = [
    // The build instance and the fleet must be marked for the pipeline; what it makes must carry its tag.
    ['ec2:CreateImage', 'instance', /^aws:ResourceTag\//],
    ['ec2:CreateImage', 'image', /^aws:RequestTag\/golden-image:pipeline$/],
    ['ec2:CreateImage', 'snapshot', /^aws:RequestTag\/golden-image:pipeline$/],
    ['ec2:CreateReplaceRootVolumeTask', 'instance', /^aws:ResourceTag\//],
    ['ec2:CreateReplaceRootVolumeTask', 'image', /^aws:ResourceTag\/golden-image:pipeline$/],
    ['ec2:CreateReplaceRootVolumeTask', 'replace-root-volume-task', /^aws:RequestTag\/golden-image:pipeline$/],
    ['ec2:EnableFastLaunch', 'image', /^aws:ResourceTag\/golden-image:pipeline$/],
    ['appstream:TagResource', 'image', /^aws:(RequestTag|ResourceTag)\/golden-image:pipeline$/],
    ['appstream:CreateImageBuilder', 'image-builder', /^aws:RequestTag\/golden-image:pipeline$/],
    ['appstream:CreateUpdatedImage', 'image', /^aws:RequestTag\/golden-image:pipeline$/],
    ['appstream:StartImageBuilder', 'image-builder', /^aws:ResourceTag\/golden-image:pipeline$/],
    ['appstream:StopImageBuilder', 'image-builder', /^aws:ResourceTag\/golden-image:pipeline$/],
    ['appstream:DeleteImageBuilder', 'image-builder', /^aws:ResourceTag\/golden-image:pipeline$/],
  ];
  for (const [action, resourceType, key] of expectations) {
    const found = granting(action, resourceType);
    assert.ok(found.length > 0, `${action} on ${resourceType} is granted somewhere`);
    for (const statement of found) {
      assert.ok(
        conditionKeys(statement).some((k) => key.test(k)),
        `${statement.Sid}: ${action} on ${resourceType} needs ${key}`,
      );
    }
  }
});

/** The actions a pipeline of this config calls, from the activities' scan, less those for features it does not use. */
function actionsThisPipelineCalls(kind: PipelineKindName, config: Record<string, unknown>): string[] {
  const called = actionsCalledByActivities();
  const all = new Set(called.keys());
  for (const { action, impliedBy } of IMPLIED) if (called.has(impliedBy)) all.add(action);
  const service = kind === 'ami' ? /^(ec2|iam):/ : /^appstream:/;
  const fastLaunch = kind === 'ami' && config['fastLaunch'] !== undefined;
  const retention = config['retention'] !== undefined;
  const rollout = config['rollout'] !== undefined;
  const builder = kind === 'appstream-builder' ? String(config['action']) : undefined;
  const onlyWhen: Record<string, boolean> = {
    'ec2:EnableFastLaunch': fastLaunch,
    'ec2:DescribeLaunchTemplates': fastLaunch,
    'ec2:DescribeLaunchTemplateVersions': fastLaunch,
    'iam:CreateServiceLinkedRole': fastLaunch,
    'ec2:DisableFastLaunch': fastLaunch || retention,
    'ec2:DescribeFastLaunchImages': fastLaunch || retention,
    'ec2:CreateReplaceRootVolumeTask': rollout,
    'ec2:DescribeReplaceRootVolumeTasks': rollout,
    'appstream:DescribeImages': kind === 'appstream-update',
    'appstream:CreateUpdatedImage': kind === 'appstream-update',
    'appstream:DeleteImage': kind === 'appstream-update',
    'appstream:TagResource': kind === 'appstream-update' || builder === 'create',
    'appstream:DescribeImageBuilders': builder !== undefined,
    'appstream:CreateImageBuilder': builder === 'create',
    'appstream:StartImageBuilder': builder === 'start',
    'appstream:StopImageBuilder': builder === 'stop',
    'appstream:DeleteImageBuilder': builder === 'delete',
  };
  return [...all].filter((a) => service.test(a) && onlyWhen[a] !== false).sort();
}

const TARGET = { region: 'eu-west-1', account: '123456789012' };
const EXAMPLES = path.join(ROOT, 'examples');

async function generated(kind: PipelineKindName, config: Record<string, unknown>): Promise<IamPolicy> {
  return pipelinePolicy(kind, validatePipeline(kind, config).input, TARGET);
}

/** Every resource is in the pipeline's region and account, and only describes use "*". */
function assertScoped(policy: IamPolicy, label: string): void {
  for (const statement of policy.Statement) {
    for (const resource of list(statement.Resource)) {
      if (resource === '*') {
        for (const action of statement.Action) assert.ok(isDescribe(action), `${label} ${statement.Sid}: ${action} on "*"`);
        continue;
      }
      const [, , service, region, account] = resource.split(':');
      if (service !== 'iam') assert.equal(region, TARGET.region, `${label} ${statement.Sid}: ${resource} is in the pipeline's region`);
      assert.ok(['', '*', TARGET.account].includes(account!), `${label} ${statement.Sid}: ${resource} in the account`);
      if (account === '*') assert.match(resource, /:image\//, `${label} ${statement.Sid}: only AWS's public images have another owner`);
    }
  }
}

const grantedActions = (policy: IamPolicy) => new Set(policy.Statement.flatMap((s) => s.Action));

test('the policy generated for each example config covers every action its pipeline calls, scoped to it', async () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 5);
  for (const file of files) {
    const { kind, config } = await readPipelineFile(path.join(EXAMPLES, file));
    const policy = await generated(kind, config);
    const granted = grantedActions(policy);
    const missing = actionsThisPipelineCalls(kind, config).filter((a) => !granted.has(a));
    assert.deepEqual(missing, [], `${file}: the generated policy lacks actions the pipeline calls`);
    assertScoped(policy, file);
    const sids = policy.Statement.map((s) => s.Sid);
    assert.equal(new Set(sids).size, sids.length, `${file}: Sids are unique`);
  }
});

test('generated policies for every feature together grant exactly the actions the activities call', async () => {
  const configs: [PipelineKindName, Record<string, unknown>][] = [
    [
      'ami',
      {
        name: 'full',
        instanceId: 'i-0123456789abcdef0',
        fastLaunch: { launchTemplate: { id: 'lt-0123456789abcdef0' } },
        rollout: { instanceIds: ['i-0123456789abcdef1'] },
        retention: { keep: 2 },
      },
    ],
    ['appstream-update', { name: 'full', existingImageName: 'base', newImageName: '{{pipeline}}-{{date}}', retention: { keep: 2 } }],
    ...(['create', 'start', 'stop', 'delete'] as const).map((action): [PipelineKindName, Record<string, unknown>] => [
      'appstream-builder',
      { name: 'builder', action, ...(action === 'create' && { imageName: 'AppStream-WinServer2022-11-12-2026' }) },
    ]),
  ];
  const union = new Set<string>();
  for (const [kind, config] of configs) for (const action of grantedActions(await generated(kind, config))) union.add(action);
  const called = actionsCalledByActivities();
  const expected = new Set(called.keys());
  for (const { action, impliedBy } of IMPLIED) if (called.has(impliedBy)) expected.add(action);
  assert.deepEqual([...union].sort(), [...expected].sort());
});

test('a generated policy names the build instance, the fleet, the launch template and the builder, and matches tags literally', async () => {
  const byIds = await generated('ami', {
    name: 'web',
    instanceId: 'i-0123456789abcdef0',
    fastLaunch: { launchTemplate: { id: 'lt-0123456789abcdef0' } },
    rollout: { instanceIds: ['i-0123456789abcdef1', 'i-0123456789abcdef2'] },
  });
  const resourcesOf = (policy: IamPolicy, action: string) =>
    policy.Statement.filter((s) => s.Action.includes(action)).flatMap((s) => list(s.Resource));
  assert.ok(resourcesOf(byIds, 'ec2:CreateImage').includes('arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0'));
  assert.ok(!resourcesOf(byIds, 'ec2:CreateImage').includes('arn:aws:ec2:eu-west-1:123456789012:instance/*'));
  const fleet = resourcesOf(byIds, 'ec2:CreateReplaceRootVolumeTask').filter((r) => r.includes(':instance/'));
  assert.deepEqual(fleet.sort(), [
    'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef1',
    'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef2',
  ]);
  assert.ok(resourcesOf(byIds, 'ec2:EnableFastLaunch').includes('arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-0123456789abcdef0'));

  // Tag filters: the instance must carry every tag, compared literally ("*" is no wildcard; "$" is no variable).
  const byTags = await generated('ami', { name: 'web', instanceTags: { Name: 'build*' }, rollout: { tags: { fleet: 'web', cost: '$x' } } });
  const rollout = byTags.Statement.find(
    (s) => s.Action.includes('ec2:CreateReplaceRootVolumeTask') && list(s.Resource)[0]!.includes(':instance/'),
  )!;
  assert.deepEqual(rollout.Condition, { StringEquals: { 'aws:ResourceTag/fleet': 'web', 'aws:ResourceTag/cost': '${$}x' } });
  const build = byTags.Statement.find((s) => s.Action.includes('ec2:CreateImage') && list(s.Resource)[0]!.includes(':instance/'))!;
  assert.deepEqual(build.Condition, { StringEquals: { 'aws:ResourceTag/Name': 'build*' } });
  // Tags on an existing image: only this pipeline's own images, only its tag and the released mark.
  const retagging = byTags.Statement.filter(
    (s) => s.Action.includes('ec2:CreateTags') && !s.Condition?.['StringEquals']?.['ec2:CreateAction'],
  );
  assert.deepEqual(
    retagging.map((s) => s.Condition),
    [
      {
        StringEquals: { 'aws:ResourceTag/golden-image:pipeline': 'web', 'aws:RequestTag/golden-image:pipeline': 'web' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['golden-image:pipeline', 'golden-image:released'] },
      },
    ],
  );
  // Whatever it retires carries this pipeline's tag, not just any pipeline's.
  for (const s of byTags.Statement.filter((s) => s.Action.includes('ec2:DeregisterImage'))) {
    assert.deepEqual(s.Condition, { StringEquals: { 'aws:ResourceTag/golden-image:pipeline': 'web' } });
  }

  const builder = await generated('appstream-builder', { name: 'golden-builder', action: 'stop' });
  assert.deepEqual(
    builder.Statement.filter((s) => s.Action.includes('appstream:StopImageBuilder')).flatMap((s) => list(s.Resource)),
    ['arn:aws:appstream:eu-west-1:123456789012:image-builder/golden-builder'],
  );
  const update = await generated('appstream-update', { name: 'golden', existingImageName: 'base', newImageName: '{{pipeline}}-{{date}}' });
  const tagging = update.Statement.filter((s) => s.Action.includes('appstream:TagResource'));
  assert.deepEqual(
    tagging.flatMap((s) => list(s.Resource)),
    ['arn:aws:appstream:eu-west-1:123456789012:image/golden-*'],
  );
});

test('`golden-image iam-policy -f` prints the policy as JSON; without a region it says so (exit 2)', () => {
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'client', 'cli.ts'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '' },
    });
  const out = cli('iam-policy', '-f', path.join(EXAMPLES, 'windows-fleet.yaml'), '--region', 'eu-west-1', '--account', '123456789012');
  const policy = JSON.parse(out) as IamPolicy;
  assert.equal(policy.Version, '2012-10-17');
  assert.ok(grantedActions(policy).has('ec2:CreateReplaceRootVolumeTask'));
  assertScoped(policy, 'windows-fleet.yaml');
  assert.throws(
    () => cli('iam-policy', '-f', path.join(EXAMPLES, 'windows-fleet.yaml')),
    (err: { status: number; stderr: string }) => err.status === 2 && /--region/.test(err.stderr),
  );
});
