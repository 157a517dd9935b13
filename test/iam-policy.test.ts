/**
 * docs/iam-policy.json with docs/iam-policy-bake.json and docs/iam-policy-asg.json is least privilege:
 * together they name exactly the AWS actions the activities call, no more and no less; only the bake part
 * lets a worker pass a role or run commands, or launch instances other than from a marked launch
 * template. The actions are derived from the code (the SDK commands and paginators each
 * activities/*.ts imports), so the test stays right as activities are added or removed. The policy
 * `golden-image iam-policy` prints for one pipeline covers every action that pipeline calls, and
 * names its resources and Regions wherever AWS lets a policy name them. docs/iam-distribution-role.json,
 * the role the worker assumes in other accounts, grants only actions the activities call, and only on
 * the pipelines' own images.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readPipelineFile } from '../client/config-file';
import { pipelinePolicy, type IamPolicy } from '../client/iam-policy';
import { validatePipeline } from '../client/start-pipeline';
import { WATCH_SESSION } from '../activities/aws/clients';
import { sessionName } from '../contracts/place';
import type { PipelineKindName } from '../contracts/pipeline-kinds';

const ROOT = path.resolve(__dirname, '..');
const ACTIVITIES = path.join(ROOT, 'activities');

/** The IAM service prefix of each AWS SDK client package the activities may use. */
const SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-appstream': 'appstream',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-auto-scaling': 'autoscaling',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-sns': 'sns',
};

/** What EBS needs of a KMS key to encrypt a copy with it, on the caller's behalf (AWS's EBS encryption requirements). */
const EBS_KEY_USE = ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/**
 * Permissions that AWS checks for an action on top of the action itself. Each one is granted only
 * while the action that implies it is called, so the comparison below stays exact.
 */
const IMPLIED: { action: string; impliedBy: string; why: string }[] = [
  // CreateImage, CreateReplaceRootVolumeTask and RunInstances pass TagSpecifications: tag-on-create needs CreateTags.
  { action: 'ec2:CreateTags', impliedBy: 'ec2:CreateImage', why: 'TagSpecifications on the image and its snapshots' },
  { action: 'ec2:CreateTags', impliedBy: 'ec2:RunInstances', why: 'TagSpecifications on the instance and its volumes' },
  // A bake's instances get the config's instance profile: EC2 checks that the caller may pass its role.
  { action: 'iam:PassRole', impliedBy: 'ec2:RunInstances', why: "IamInstanceProfile: the profile's role" },
  { action: 'ec2:CreateTags', impliedBy: 'ec2:CreateReplaceRootVolumeTask', why: 'TagSpecifications on the task' },
  { action: 'ec2:CreateTags', impliedBy: 'ec2:CopyImage', why: 'TagSpecifications on the copy and its snapshots' },
  // A copy encrypted with a customer managed key: EBS uses the key with the caller's permissions.
  ...EBS_KEY_USE.map((action) => ({ action, impliedBy: 'ec2:CopyImage', why: 'KmsKeyId on an encrypted copy' })),
  // DeregisterImage with DeleteAssociatedSnapshots deletes the snapshots with the caller's permissions.
  { action: 'ec2:DeleteSnapshot', impliedBy: 'ec2:DeregisterImage', why: 'DeleteAssociatedSnapshots: true' },
  // EnableFastLaunch resolves the launch template version it is given, and on first use in an account
  // creates the AWSServiceRoleForEC2FastLaunch service-linked role (AWS's EC2FastLaunchFullAccess grants both).
  { action: 'ec2:DescribeLaunchTemplateVersions', impliedBy: 'ec2:EnableFastLaunch', why: 'the launch template version' },
  { action: 'iam:CreateServiceLinkedRole', impliedBy: 'ec2:EnableFastLaunch', why: 'the fast launch service-linked role' },
  // StartInstanceRefresh with a DesiredConfiguration checks, with the caller's permissions, that it may use
  // the launch template: launch from it and tag what it tags (Auto Scaling's launch template permissions).
  { action: 'ec2:RunInstances', impliedBy: 'autoscaling:StartInstanceRefresh', why: "DesiredConfiguration's launch template" },
  { action: 'ec2:CreateTags', impliedBy: 'autoscaling:StartInstanceRefresh', why: "the launch template's TagSpecifications" },
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

interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

const POLICY = 'iam-policy.json';
/** The static policy's second part, for workers that bake: a worker that does not leaves it off. */
const BAKE_POLICY = 'iam-policy-bake.json';
/** Its third part, for workers that refresh Auto Scaling groups: likewise left off by the others. */
const ASG_POLICY = 'iam-policy-asg.json';
/** Its fourth part, for workers that run AppStream pipelines: the others hold no AppStream permission at all. */
const APPSTREAM_POLICY = 'iam-policy-appstream.json';

function readPolicy(file = POLICY): PolicyDocument {
  return JSON.parse(readFileSync(path.join(ROOT, 'docs', file), 'utf8')) as PolicyDocument;
}

/** Every part of the static policy: what a worker that runs every kind of pipeline, bakes and refreshes groups too, holds. */
const staticStatements = () => [POLICY, BAKE_POLICY, ASG_POLICY, APPSTREAM_POLICY].flatMap((file) => readPolicy(file).Statement);

/** What only a bake calls: launching, stopping and terminating instances, passing their role, running and reading commands. */
const BAKE_ACTIONS = [
  'ec2:RunInstances',
  'ec2:StopInstances',
  'ec2:TerminateInstances',
  'iam:PassRole',
  'ssm:DescribeDocument',
  'ssm:SendCommand',
  'ssm:ListCommands',
  'ssm:ListCommandInvocations',
  'ssm:DescribeInstanceInformation',
];

interface RoleDocument {
  RoleName: string;
  AssumeRolePolicyDocument: { Version: string; Statement: (Statement & { Principal: { AWS: string } })[] };
  PolicyDocument: PolicyDocument;
}

function readRole(): RoleDocument {
  return JSON.parse(readFileSync(path.join(ROOT, 'docs', 'iam-distribution-role.json'), 'utf8')) as RoleDocument;
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** IAM counts a policy's characters without whitespace: 6,144 for a managed policy, 2,048 for a role's trust policy. */
const policySize = (policy: unknown) => JSON.stringify(policy).length;
const MANAGED_POLICY_LIMIT = 6144;
const TRUST_POLICY_LIMIT = 2048;

/** The actions the activities call, with the permissions those calls imply. */
function actionsCalledOrImplied(): Set<string> {
  const called = actionsCalledByActivities();
  const expected = new Set(called.keys());
  for (const { action, impliedBy } of IMPLIED) if (called.has(impliedBy)) expected.add(action);
  return expected;
}

test('the scan finds the actions the activities call (a sanity check on the scanner)', () => {
  const called = actionsCalledByActivities();
  for (const action of ['ec2:CreateImage', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DeregisterImage']) {
    assert.ok(called.has(action), `${action} was not found in activities/`);
  }
});

function assertWellFormed(policy: PolicyDocument, label: string, limit = MANAGED_POLICY_LIMIT): void {
  assert.equal(policy.Version, '2012-10-17', label);
  assert.ok(Array.isArray(policy.Statement) && policy.Statement.length > 0, label);
  const sids = policy.Statement.map((s) => s.Sid);
  assert.equal(new Set(sids).size, sids.length, `${label}: Sids are unique`);
  for (const statement of policy.Statement) {
    assert.match(statement.Sid ?? '', /^[A-Za-z0-9]+$/, `${label}: every statement has an alphanumeric Sid`);
    assert.equal(statement.Effect, 'Allow', `${label} ${statement.Sid}`);
    if (!('Principal' in statement)) assert.ok(list(statement.Resource).length > 0, `${label} ${statement.Sid}: a Resource`);
    for (const action of list(statement.Action)) {
      assert.match(action, /^[a-z0-9-]+:[A-Za-z0-9]+$/, `${label} ${statement.Sid}: ${action} is one named action, no wildcards`);
    }
  }
  assert.ok(policySize(policy) <= limit, `${label}: ${policySize(policy)} characters, over IAM's ${limit}`);
}

test('docs/iam-policy.json, its bake, Auto Scaling and AppStream parts and docs/iam-distribution-role.json are well-formed IAM policies of explicit Allow statements, within IAM size limits', () => {
  assertWellFormed(readPolicy(), POLICY);
  assertWellFormed(readPolicy(BAKE_POLICY), BAKE_POLICY);
  assertWellFormed(readPolicy(ASG_POLICY), ASG_POLICY);
  assertWellFormed(readPolicy(APPSTREAM_POLICY), APPSTREAM_POLICY);
  const sids = staticStatements().map((s) => s.Sid);
  assert.equal(new Set(sids).size, sids.length, 'Sids are unique across the parts, so that each can be read alone');
  const role = readRole();
  assertWellFormed(role.PolicyDocument, 'iam-distribution-role.json PolicyDocument');
  assertWellFormed(
    role.AssumeRolePolicyDocument as PolicyDocument,
    'iam-distribution-role.json AssumeRolePolicyDocument',
    TRUST_POLICY_LIMIT,
  );
});

test('the policy names exactly the AWS actions the activities call, plus what those imply', () => {
  const called = actionsCalledByActivities();
  const expected = actionsCalledOrImplied();

  const granted = new Set(staticStatements().flatMap((s) => list(s.Action)));
  const missing = [...expected].filter((a) => !granted.has(a)).sort();
  const extra = [...granted].filter((a) => !expected.has(a)).sort();
  assert.deepEqual(
    { missing, extra },
    { missing: [], extra: [] },
    `missing: actions the code calls (${missing.map((a) => `${a} in ${called.get(a) ?? 'implied'}`).join(', ')}); extra: granted but never called`,
  );
});

/** RunInstances only from a launch template: on templates only under `onTemplates`, on anything else only through one (`ec2:LaunchTemplate`). */
function assertLaunchesOnlyThroughTemplates(statements: Statement[], label: string, onTemplates: RegExp): void {
  const launching = statements.filter((s) => list(s.Action).includes('ec2:RunInstances'));
  assert.ok(launching.length > 0, `${label}: RunInstances is granted`);
  for (const statement of launching) {
    const needed = list(statement.Resource).every((r) => r.includes(':launch-template/')) ? onTemplates : /^ec2:LaunchTemplate$/;
    assert.ok(
      conditionKeys(statement).some((k) => needed.test(k)),
      `${label} ${statement.Sid}: RunInstances needs ${String(needed)}`,
    );
  }
}

test('only the bake part lets a worker stop or terminate instances, pass a role or run commands; the Auto Scaling part launches only from marked templates; only the AppStream part grants AppStream', () => {
  const granted = (file: string) => new Set(readPolicy(file).Statement.flatMap((s) => list(s.Action)));
  assert.deepEqual(
    BAKE_ACTIONS.filter((a) => granted(POLICY).has(a)),
    [],
  );
  assert.deepEqual(
    BAKE_ACTIONS.filter((a) => !granted(BAKE_POLICY).has(a)),
    [],
  );
  // A refresh onto a launch template version needs its caller to be allowed to launch from that template.
  assert.deepEqual(
    BAKE_ACTIONS.filter((a) => granted(ASG_POLICY).has(a)),
    ['ec2:RunInstances'],
  );
  assertLaunchesOnlyThroughTemplates(readPolicy(ASG_POLICY).Statement, ASG_POLICY, /^aws:ResourceTag\/golden-image:publish$/);
  // AppStream's part grants AppStream alone, and no other part grants any of it.
  assert.deepEqual(
    [...granted(APPSTREAM_POLICY)].filter((a) => !a.startsWith('appstream:')),
    [],
  );
  for (const file of [POLICY, BAKE_POLICY, ASG_POLICY]) {
    assert.deepEqual(
      [...granted(file)].filter((a) => a.startsWith('appstream:')),
      [],
      file,
    );
  }
});

test('tagging is granted only as part of the create calls, and retirement only on pipeline-tagged resources', () => {
  const statements = staticStatements();
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

/** SSM's reads of commands and agents, which like EC2's and AppStream's describes support no resource-level permissions. */
const SSM_READS_WITHOUT_RESOURCES = new Set(['ssm:DescribeInstanceInformation', 'ssm:ListCommands', 'ssm:ListCommandInvocations']);

/**
 * Actions that may use `*`: those that support no resource-level permissions, and DescribeAlarms, which
 * AWS answers with composite alarms only when it is allowed on `*`.
 */
const isDescribe = (action: string) =>
  /^(ec2|appstream|autoscaling):Describe\w+$/.test(action) ||
  action === 'cloudwatch:DescribeAlarms' ||
  SSM_READS_WITHOUT_RESOURCES.has(action);

const conditionKeys = (s: Statement) => Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));

/** Nothing but describes on "*", and each `[action, resource type, condition key]` granted only under that key. */
function assertTagScoped(statements: Statement[], label: string, expectations: [string, string, RegExp][]): void {
  for (const statement of statements) {
    if (list(statement.Resource).includes('*')) {
      for (const action of list(statement.Action)) assert.ok(isDescribe(action), `${label} ${statement.Sid}: ${action} is granted on "*"`);
    }
  }
  const granting = (action: string, resourceType: string) =>
    statements.filter((s) => list(s.Action).includes(action) && list(s.Resource).some((r) => r.includes(`:${resourceType}/`)));
  for (const [action, resourceType, key] of expectations) {
    const found = granting(action, resourceType);
    assert.ok(found.length > 0, `${label}: ${action} on ${resourceType} is granted somewhere`);
    for (const statement of found) {
      assert.ok(
        conditionKeys(statement).some((k) => key.test(k)),
        `${label} ${statement.Sid}: ${action} on ${resourceType} needs ${key}`,
      );
    }
  }
}

const OWN_RESOURCE = /^aws:ResourceTag\/golden-image:pipeline$/;
const TAGGED_AT_CREATION = /^aws:RequestTag\/golden-image:pipeline$/;
/** What distribution does to an image a run made: only to images that carry a pipeline's tag. */
const IMAGE_CHANGES = [
  'ec2:DescribeImageAttribute',
  'ec2:ModifyImageAttribute',
  'ec2:EnableImageDeprecation',
  'ec2:EnableImageDeregistrationProtection',
  'ec2:DisableImageDeregistrationProtection',
  'ec2:DisableImage',
  'ec2:DeregisterImage',
].map((action): [string, string, RegExp] => [action, 'image', OWN_RESOURCE]);
const COPIES_TAGGED: [string, string, RegExp][] = [
  ['ec2:CopyImage', 'image', TAGGED_AT_CREATION],
  ['ec2:CopyImage', 'snapshot', TAGGED_AT_CREATION],
];

/** Every RunInstances on an instance asks for IMDSv2 (`ec2:MetadataHttpTokens`, a key of the instance only). */
function assertImdsV2Required(statements: Statement[], label: string): void {
  const launching = statements.filter(
    (s) => list(s.Action).includes('ec2:RunInstances') && list(s.Resource).some((r) => r.includes(':instance/')),
  );
  assert.ok(launching.length > 0, `${label}: RunInstances on an instance is granted`);
  for (const statement of launching) {
    assert.equal(statement.Condition?.['StringEquals']?.['ec2:MetadataHttpTokens'], 'required', `${label} ${statement.Sid}: IMDSv2`);
    assert.deepEqual(
      list(statement.Resource).filter((r) => !r.includes(':instance/')),
      [],
      `${label} ${statement.Sid}: instances only`,
    );
  }
}

test('the static policy grants no write on "*", and scopes every write by a tag or a tag on create', () => {
  const PUBLISH_MARK = /^aws:ResourceTag\/golden-image:publish$/;
  const statements = staticStatements();
  /** A bake's launches carry the pipeline's tag; a refresh's go through a launch template (marked, below). */
  const LAUNCHED = /^(aws:RequestTag\/golden-image:pipeline|ec2:LaunchTemplate)$/;
  assertTagScoped(statements, 'iam-policy.json + iam-policy-bake.json + iam-policy-asg.json + iam-policy-appstream.json', [
    // The build instance and the fleet must be marked for the pipeline; what it makes must carry its tag.
    ['ec2:CreateImage', 'instance', /^aws:ResourceTag\//],
    ['ec2:CreateImage', 'image', /^aws:RequestTag\/golden-image:pipeline$/],
    ['ec2:CreateImage', 'snapshot', /^aws:RequestTag\/golden-image:pipeline$/],
    ['ec2:CreateReplaceRootVolumeTask', 'instance', /^aws:ResourceTag\//],
    ['ec2:CreateReplaceRootVolumeTask', 'image', /^aws:ResourceTag\/golden-image:pipeline$/],
    // A bake launches only instances and volumes tagged as a pipeline's, and stops, terminates and runs commands only on those.
    ['ec2:RunInstances', 'instance', LAUNCHED],
    ['ec2:RunInstances', 'volume', LAUNCHED],
    ['ec2:RunInstances', 'launch-template', PUBLISH_MARK],
    // Instance refreshes only of the groups marked for rollout.
    ['autoscaling:StartInstanceRefresh', 'autoScalingGroupName', /^aws:ResourceTag\/golden-image:rollout$/],
    ['autoscaling:CancelInstanceRefresh', 'autoScalingGroupName', /^aws:ResourceTag\/golden-image:rollout$/],
    ['autoscaling:RollbackInstanceRefresh', 'autoScalingGroupName', /^aws:ResourceTag\/golden-image:rollout$/],
    ['ec2:StopInstances', 'instance', OWN_RESOURCE],
    ['ec2:TerminateInstances', 'instance', OWN_RESOURCE],
    ['ssm:SendCommand', 'instance', OWN_RESOURCE],
    ['iam:PassRole', 'role', /^iam:PassedToService$/],
    ['ec2:CreateReplaceRootVolumeTask', 'replace-root-volume-task', /^aws:RequestTag\/golden-image:pipeline$/],
    ['ec2:EnableFastLaunch', 'image', /^aws:ResourceTag\/golden-image:pipeline$/],
    ['appstream:TagResource', 'image', /^aws:(RequestTag|ResourceTag)\/golden-image:pipeline$/],
    ['appstream:CreateImageBuilder', 'image-builder', /^aws:RequestTag\/golden-image:pipeline$/],
    ['appstream:CreateUpdatedImage', 'image', /^aws:RequestTag\/golden-image:pipeline$/],
    ['appstream:StartImageBuilder', 'image-builder', /^aws:ResourceTag\/golden-image:pipeline$/],
    ['appstream:StopImageBuilder', 'image-builder', /^aws:ResourceTag\/golden-image:pipeline$/],
    ['appstream:DeleteImageBuilder', 'image-builder', /^aws:ResourceTag\/golden-image:pipeline$/],
    // Copies and shares only of a pipeline's images; fleets only those marked for rollout.
    ['appstream:CopyImage', 'image', OWN_RESOURCE],
    ['appstream:DescribeImagePermissions', 'image', OWN_RESOURCE],
    ['appstream:UpdateImagePermissions', 'image', OWN_RESOURCE],
    ['appstream:UpdateFleet', 'fleet', /^aws:ResourceTag\/golden-image:rollout$/],
    ['appstream:StartFleet', 'fleet', /^aws:ResourceTag\/golden-image:rollout$/],
    ['appstream:StopFleet', 'fleet', /^aws:ResourceTag\/golden-image:rollout$/],
    ...COPIES_TAGGED,
    ...IMAGE_CHANGES,
    // Publish writes only to the launch templates and parameters marked for it.
    ['ec2:CreateLaunchTemplateVersion', 'launch-template', PUBLISH_MARK],
    ['ec2:ModifyLaunchTemplate', 'launch-template', PUBLISH_MARK],
    ['ssm:PutParameter', 'parameter', PUBLISH_MARK],
  ]);
  // Parameters are read where marked for publish, or where AWS publishes its base images.
  for (const statement of statements.filter((s) => list(s.Action).includes('ssm:GetParameter'))) {
    const publicOnly = list(statement.Resource).every((r) => r.startsWith('arn:aws:ssm:*::parameter/aws/service/'));
    assert.ok(
      publicOnly || conditionKeys(statement).some((k) => PUBLISH_MARK.test(k)),
      `${statement.Sid}: marked or AWS's public parameters`,
    );
  }
  assertImdsV2Required(readPolicy(BAKE_POLICY).Statement, BAKE_POLICY);
  // Only the role that docs/iam-distribution-role.json documents.
  const assume = statements.filter((s) => list(s.Action).includes('sts:AssumeRole'));
  assert.deepEqual(
    assume.flatMap((s) => list(s.Resource)),
    [`arn:aws:iam::*:role/${readRole().RoleName}`],
  );
});

/** The permissions EBS uses on a caller's behalf go only through EC2, and grants only for AWS resources. */
function assertKmsOnlyThroughEc2(statements: Statement[], label: string): void {
  for (const statement of statements.filter((s) => list(s.Action).some((a) => EBS_KEY_USE.includes(a)))) {
    const via = statement.Condition?.['StringEquals']?.['kms:ViaService'] ?? statement.Condition?.['StringLike']?.['kms:ViaService'];
    assert.ok(via, `${label} ${statement.Sid}: kms:ViaService`);
    for (const service of list(via)) assert.match(service, /^ec2\.[a-z0-9-*]+\.amazonaws\.com$/, `${label} ${statement.Sid}`);
    if (list(statement.Action).includes('kms:CreateGrant')) {
      const forAws = statement.Condition?.['Bool'] ?? statement.Condition?.['BoolIfExists'];
      assert.equal(forAws?.['kms:GrantIsForAWSResource'], 'true', `${label} ${statement.Sid}: grants only for AWS resources`);
    }
    for (const resource of list(statement.Resource)) assert.match(resource, /^arn:aws:kms:[^:]+:[^:]+:key\//, `${label} ${statement.Sid}`);
  }
}

/** The calls the pipeline makes through the role in another account (workflows/distribute.ts, retention, the preflight). */
const ROLE_CALLS = [
  'ec2:CopyImage',
  'ec2:CreateTags',
  'ec2:DescribeImages',
  'ec2:DescribeRegions',
  'ec2:DeleteSnapshot',
  'ec2:DeregisterImage',
  'ec2:DescribeImageAttribute',
  'ec2:ModifyImageAttribute',
  'ec2:EnableImageDeprecation',
  'ec2:EnableImageDeregistrationProtection',
  'ec2:DisableImageDeregistrationProtection',
  'kms:DescribeKey',
];

test('the distribution role trusts only the worker, for its sessions, and acts only on pipeline images in its Regions', () => {
  const role = readRole();
  const [trust, ...others] = role.AssumeRolePolicyDocument.Statement;
  assert.equal(others.length, 0);
  assert.deepEqual(list(trust!.Action), ['sts:AssumeRole']);
  assert.match(trust!.Principal.AWS, /^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/, 'one principal: the worker role, by ARN');
  // The sessions the worker opens: one per run (its name tells CloudTrail which run acted), and the shared watchers'.
  const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
  const sessions = list(trust!.Condition?.['StringLike']?.['sts:RoleSessionName'] ?? []).map(glob);
  for (const session of [sessionName('web-multi-region', '0190d7a8-7f4e-7c3b-9a21-5d6e7f809a1b'), WATCH_SESSION]) {
    assert.ok(
      sessions.some((s) => s.test(session)),
      `session ${session} may assume the role`,
    );
  }
  assert.ok(!sessions.some((s) => s.test('console-session')), 'other sessions may not');

  const statements = role.PolicyDocument.Statement;
  const granted = new Set(statements.flatMap((s) => list(s.Action)));
  const expected = actionsCalledOrImplied();
  for (const action of ROLE_CALLS) assert.ok(granted.has(action), `the role grants ${action}`);
  for (const action of granted) assert.ok(expected.has(action), `the role grants ${action}, which nothing calls`);
  assert.ok(![...granted].some((a) => /^(iam|sts|ssm):/.test(a)), 'no IAM, STS or SSM: publish and roles stay in the worker account');
  assertTagScoped(statements, 'iam-distribution-role.json', [...COPIES_TAGGED, ...IMAGE_CHANGES]);
  for (const statement of statements) {
    const regional =
      statement.Condition?.['StringEquals']?.['aws:RequestedRegion'] !== undefined ||
      list(statement.Resource).every((r) => /^arn:aws:[a-z0-9-]+:[a-z]{2}-[a-z]+-\d:/.test(r));
    assert.ok(regional, `${statement.Sid}: held to the role's Regions`);
  }
});

/** The actions a pipeline of this config calls, from the activities' scan, less those for features it does not use. */
function actionsThisPipelineCalls(kind: PipelineKindName, config: Record<string, unknown>): string[] {
  const all = actionsCalledOrImplied();
  // An AppStream update asks EC2 only which Regions are enabled, for its copies.
  // Every kind may notify an SNS topic.
  const service = kind === 'ami' ? /^(ec2|iam|ssm|kms|sts|autoscaling|cloudwatch|sns):/ : /^(appstream:|sns:|ec2:DescribeRegions$)/;
  const ami = kind === 'ami' ? validatePipeline('ami', config).input : undefined;
  const update = kind === 'appstream-update' ? validatePipeline('appstream-update', config).input : undefined;
  const copies = (update?.copyTo.length ?? 0) > 0;
  const fleets = (update?.fleets.length ?? 0) > 0;
  const testBuilder = update?.test !== undefined;
  const fastLaunch = ami?.fastLaunch !== undefined;
  const retention = config['retention'] !== undefined;
  const groups = ami?.rollout?.autoScalingGroups !== undefined;
  const standalone = ami?.rollout !== undefined && !groups;
  const builder = kind === 'appstream-builder' ? String(config['action']) : undefined;
  const distribution = ami?.distribution;
  const share = distribution?.shareWith;
  const templates = ami?.publish?.launchTemplates ?? [];
  const homeCopyKeys = distribution?.regions.some((r) => r.kmsKeyId) === true;
  const bake = ami?.source !== undefined;
  const profiles = Boolean(ami?.build?.instanceProfile ?? ami?.test?.instanceProfile);
  const shares = share && share.accounts.length + share.organizations.length + share.organizationalUnits.length;
  const sharing = Boolean(share && (share.public || shares! + distribution!.accounts.length > 0));
  const onlyWhen: Record<string, boolean> = {
    'sns:Publish': (config['notify'] as { sns?: unknown } | undefined)?.sns !== undefined,
    'ec2:EnableFastLaunch': fastLaunch,
    'ec2:DescribeLaunchTemplates': fastLaunch || templates.length > 0 || ami?.rollout?.launchTemplate !== undefined,
    'ec2:DescribeLaunchTemplateVersions': fastLaunch || (templates.length > 0 && retention),
    'iam:CreateServiceLinkedRole': fastLaunch,
    'ec2:DisableFastLaunch': fastLaunch || retention,
    'ec2:DescribeFastLaunchImages': fastLaunch || retention,
    'ec2:CreateReplaceRootVolumeTask': standalone,
    'ec2:DescribeReplaceRootVolumeTasks': standalone,
    'autoscaling:DescribeAutoScalingGroups': groups,
    'autoscaling:DescribeInstanceRefreshes': groups,
    'autoscaling:StartInstanceRefresh': groups,
    // A cancelled run rolls its refreshes back with autoRollback, else cancels them.
    'autoscaling:RollbackInstanceRefresh': groups && ami?.rollout?.autoRollback === true,
    'autoscaling:CancelInstanceRefresh': groups && ami?.rollout?.autoRollback !== true,
    'cloudwatch:DescribeAlarms': groups && ami?.rollout?.alarms !== undefined,
    'ec2:DescribeRegions': Boolean(distribution || ami?.publish || ami?.fastLaunch?.regions) || copies,
    // Copies in this account; another account's copies are its role's.
    'ec2:CopyImage': (distribution?.regions.length ?? 0) > 0,
    // Launch permissions: those the config asks for, and the original's for each account that copies it.
    'ec2:ModifyImageAttribute': sharing,
    'ec2:DescribeImageAttribute': sharing,
    'ec2:EnableImageDeprecation': Boolean(distribution?.deprecateAfter) || ami?.retention?.action === 'deprecate',
    'ec2:EnableImageDeregistrationProtection': distribution?.deregistrationProtection === true,
    'ec2:DisableImageDeregistrationProtection': distribution?.deregistrationProtection === true,
    'ec2:DisableImage': ami?.retention?.action === 'disable',
    'ec2:CreateLaunchTemplateVersion': templates.length > 0,
    'ec2:ModifyLaunchTemplate': templates.some((t) => t.setDefault),
    // Publish reads its parameters; a bake reads its source parameter.
    'ssm:GetParameter': (ami?.publish?.ssmParameters.length ?? 0) > 0 || ami?.source?.ssmParameter !== undefined,
    'ssm:PutParameter': (ami?.publish?.ssmParameters.length ?? 0) > 0,
    'ssm:GetParameters': (ami?.publish?.ssmParameters.length ?? 0) > 0 && retention,
    'kms:DescribeKey': homeCopyKeys,
    ...Object.fromEntries(EBS_KEY_USE.map((action) => [action, homeCopyKeys])),
    'sts:AssumeRole': (distribution?.accounts.length ?? 0) > 0,
    ...Object.fromEntries(BAKE_ACTIONS.map((action) => [action, bake])),
    // A bake launches its instances; a refresh's caller must be allowed to launch from the group's template.
    'ec2:RunInstances': bake || groups,
    'iam:PassRole': bake && profiles,
    'appstream:DescribeImages': kind === 'appstream-update',
    'appstream:CreateUpdatedImage': kind === 'appstream-update',
    'appstream:DeleteImage': kind === 'appstream-update',
    'appstream:TagResource': kind === 'appstream-update' || builder === 'create',
    // An update's test makes a builder from the new image, then stops and deletes it.
    'appstream:DescribeImageBuilders': builder !== undefined || testBuilder,
    'appstream:CreateImageBuilder': builder === 'create' || testBuilder,
    'appstream:StartImageBuilder': builder === 'start',
    'appstream:StopImageBuilder': builder === 'stop' || testBuilder,
    'appstream:DeleteImageBuilder': builder === 'delete' || testBuilder,
    'appstream:CopyImage': copies,
    'appstream:DescribeImagePermissions': (update?.shareWith.length ?? 0) > 0,
    'appstream:UpdateImagePermissions': (update?.shareWith.length ?? 0) > 0,
    'appstream:DescribeFleets': fleets,
    'appstream:UpdateFleet': fleets,
    'appstream:StartFleet': fleets && update!.fleetUpdate.restart,
    'appstream:StopFleet': fleets && update!.fleetUpdate.restart,
  };
  return [...all].filter((a) => service.test(a) && onlyWhen[a] !== false).sort();
}

const TARGET = { region: 'eu-west-1', account: '123456789012' };
const EXAMPLES = path.join(ROOT, 'examples');

async function generated(kind: PipelineKindName, config: Record<string, unknown>): Promise<IamPolicy> {
  return pipelinePolicy(kind, validatePipeline(kind, config).input, TARGET);
}

/** The Regions of the worker's account an ami pipeline names: the build Region, copies, fast launch, launch templates. */
function pipelineRegions(kind: PipelineKindName, config: Record<string, unknown>): string[] {
  if (kind === 'appstream-update') {
    const update = validatePipeline('appstream-update', config).input;
    return [TARGET.region, ...update.copyTo.map((c) => c.region), ...update.fleets.map((f) => f.region ?? TARGET.region)];
  }
  if (kind !== 'ami') return [TARGET.region];
  const input = validatePipeline('ami', config).input;
  const fastLaunch = Array.isArray(input.fastLaunch?.regions) ? input.fastLaunch.regions : [];
  return [
    TARGET.region,
    ...(input.distribution?.regions.map((r) => r.region) ?? []),
    ...fastLaunch.map((e) => (typeof e === 'string' ? e : e.region)),
    ...(input.publish?.launchTemplates.map((t) => t.region ?? TARGET.region) ?? []),
    ...(input.rollout?.autoScalingGroups?.map((g) => g.region ?? TARGET.region) ?? []),
  ];
}

/**
 * Every resource is in one of the pipeline's Regions and in its account (or, for a role or a key the
 * config names by ARN, that one's), and only describes use "*", held to the pipeline's Regions.
 */
function assertScoped(policy: IamPolicy, label: string, kind: PipelineKindName, config: Record<string, unknown>): void {
  const regions = pipelineRegions(kind, config);
  assert.doesNotMatch(JSON.stringify(policy), /undefined/, `${label}: every ARN and condition names something`);
  const named = [...JSON.stringify(config).matchAll(/arn:aws:(?:iam|kms):[^:"]*:(\d{12}):/g)].map((m) => m[1]!);
  for (const statement of policy.Statement) {
    for (const resource of list(statement.Resource)) {
      if (resource === '*') {
        for (const action of statement.Action) assert.ok(isDescribe(action), `${label} ${statement.Sid}: ${action} on "*"`);
        if (kind === 'ami') {
          const requested = list(statement.Condition?.['StringEquals']?.['aws:RequestedRegion'] ?? []);
          assert.ok(requested.length > 0, `${label} ${statement.Sid}: describes held to the pipeline's Regions`);
          for (const r of requested) assert.ok(regions.includes(r), `${label} ${statement.Sid}: ${r} is one of the pipeline's Regions`);
        }
        continue;
      }
      const [, , service, region, account] = resource.split(':');
      if (service !== 'iam')
        assert.ok(regions.includes(region!), `${label} ${statement.Sid}: ${resource} is in one of the pipeline's Regions`);
      assert.ok(['', '*', TARGET.account, ...named].includes(account!), `${label} ${statement.Sid}: ${resource} in the account`);
      // A launch from a launch template uses resources of any owner (AWS's image, a shared subnet), but only through that template.
      const throughTemplate = /^arn:aws:ec2:[^:]+:\*:\*$/.test(resource) && conditionKeys(statement).includes('ec2:LaunchTemplate');
      if (account === '*' && !throughTemplate)
        assert.match(resource, /:image\//, `${label} ${statement.Sid}: only AWS's public images have another owner`);
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
    assertScoped(policy, file, kind, config);
    assert.ok(
      policySize(policy) <= MANAGED_POLICY_LIMIT,
      `${file}: ${policySize(policy)} characters, over a managed policy's ${MANAGED_POLICY_LIMIT}`,
    );
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
        notify: { sns: { topicArn: 'arn:aws:sns:eu-west-1:123456789012:golden-image' } },
      },
    ],
    ['ami', { ...DISTRIBUTED, retention: { keep: 2, action: 'deprecate' } }],
    ['ami', { ...DISTRIBUTED, retention: { keep: 2, action: 'disable' } }],
    ['ami', { ...BAKE, rollout: { launchTemplate: { name: 'web' } } }],
    ['ami', ASG],
    ['ami', { ...ASG, rollout: { autoScalingGroups: [{ name: 'web-asg' }] } }],
    ['appstream-update', { name: 'full', existingImageName: 'base', newImageName: '{{pipeline}}-{{date}}', retention: { keep: 2 } }],
    ['appstream-update', APPSTREAM_LOOP],
    ...(['create', 'start', 'stop', 'delete'] as const).map((action): [PipelineKindName, Record<string, unknown>] => [
      'appstream-builder',
      { name: 'builder', action, ...(action === 'create' && { imageName: 'AppStream-WinServer2022-11-12-2026' }) },
    ]),
  ];
  const union = new Set<string>();
  for (const [kind, config] of configs) for (const action of grantedActions(await generated(kind, config))) union.add(action);
  assert.deepEqual([...union].sort(), [...actionsCalledOrImplied()].sort());
});

const ROLE_B = 'arn:aws:iam::444455556666:role/golden-image-distribution';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/** Copies in two more Regions (one key by alias, one by ID) and in another account, shared, and published. */
const DISTRIBUTED = {
  name: 'web',
  instanceId: 'i-0123456789abcdef0',
  distribution: {
    regions: [
      { region: 'us-west-2', kmsKeyId: 'alias/golden' },
      { region: 'eu-central-1', kmsKeyId: KEY_ID },
    ],
    shareWith: { organizations: ['arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5'] },
    accounts: [{ roleArn: ROLE_B, regions: ['us-east-1', 'us-west-2'], kmsKeyId: 'alias/theirs' }],
    deprecateAfter: '180d',
    deregistrationProtection: true,
  },
  publish: {
    launchTemplates: [{ region: 'us-west-2', name: 'web', setDefault: true }, { id: 'lt-0123456789abcdef0' }],
    ssmParameters: [{ name: '/golden/web/latest' }, { name: 'golden-web' }],
  },
};

/** Everything distribution and publish add to a policy: none of it belongs in a pipeline that does neither. */
const DISTRIBUTION_ACTIONS = [
  'ec2:CopyImage',
  'ec2:DescribeRegions',
  'ec2:DescribeImageAttribute',
  'ec2:ModifyImageAttribute',
  'ec2:EnableImageDeprecation',
  'ec2:EnableImageDeregistrationProtection',
  'ec2:DisableImageDeregistrationProtection',
  'ec2:DisableImage',
  'ec2:CreateLaunchTemplateVersion',
  'ec2:ModifyLaunchTemplate',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:PutParameter',
  'kms:DescribeKey',
  ...EBS_KEY_USE,
  'sts:AssumeRole',
];

test('a generated policy for distribution and publish names their Regions, keys, roles, templates and parameters', async () => {
  const policy = await generated('ami', DISTRIBUTED);
  const of = (sid: string) => policy.Statement.find((s) => s.Sid === sid)!;
  const images = ['eu-west-1', 'us-west-2', 'eu-central-1'];
  const imageArns = images.map((r) => `arn:aws:ec2:${r}::image/*`);
  const imageAndSnapshotArns = images.flatMap((r) => [`arn:aws:ec2:${r}::image/*`, `arn:aws:ec2:${r}::snapshot/*`]);
  const own = { StringEquals: { 'aws:ResourceTag/golden-image:pipeline': 'web' } };

  assert.deepEqual(of('Ec2Describe').Condition, { StringEquals: { 'aws:RequestedRegion': images } });
  assert.ok(of('Ec2Describe').Action.includes('ec2:DescribeRegions'));
  // The source image in the build Region, the copies in theirs, each copy tagged as this pipeline's on creation.
  assert.deepEqual(of('Ec2CopyImageOnlyTagged'), {
    Sid: 'Ec2CopyImageOnlyTagged',
    Effect: 'Allow',
    Action: ['ec2:CopyImage'],
    Resource: imageAndSnapshotArns,
    Condition: { StringEquals: { 'aws:RequestTag/golden-image:pipeline': 'web' } },
  });
  assert.deepEqual(of('Ec2TagOnlyWhileCreating').Resource, imageAndSnapshotArns);
  assert.deepEqual(of('Ec2TagOnlyWhileCreating').Condition?.['StringEquals']?.['ec2:CreateAction'], ['CreateImage', 'CopyImage']);
  assert.deepEqual(of('Ec2MarkThisPipelinesImagesReleased').Resource, imageArns);
  assert.deepEqual(of('Ec2RetireOnlyThisPipelinesImages').Resource, imageAndSnapshotArns);
  assert.ok(of('Ec2RetireOnlyThisPipelinesImages').Action.includes('ec2:DisableImageDeregistrationProtection'));
  assert.deepEqual(of('Ec2ChangeOnlyThisPipelinesImages'), {
    Sid: 'Ec2ChangeOnlyThisPipelinesImages',
    Effect: 'Allow',
    Action: [
      'ec2:DescribeImageAttribute',
      'ec2:EnableImageDeprecation',
      'ec2:EnableImageDeregistrationProtection',
      'ec2:ModifyImageAttribute',
    ],
    Resource: imageArns,
    Condition: own,
  });

  // A template by name is any template of that Region (its ARN holds only the ID); by ID, that one. Only
  // the template marked setDefault may have its default version changed.
  assert.deepEqual(of('Ec2PublishLaunchTemplateVersions').Resource, [
    'arn:aws:ec2:us-west-2:123456789012:launch-template/*',
    'arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-0123456789abcdef0',
  ]);
  assert.deepEqual(of('Ec2MakePublishedVersionsDefault').Resource, 'arn:aws:ec2:us-west-2:123456789012:launch-template/*');
  // Every parameter, in every Region of this account that holds an image; its ARN drops a leading "/".
  assert.deepEqual(
    list(of('SsmPublishImageParameters').Resource),
    images.flatMap((r) => [
      `arn:aws:ssm:${r}:123456789012:parameter/golden/web/latest`,
      `arn:aws:ssm:${r}:123456789012:parameter/golden-web`,
    ]),
  );

  // This account's copy keys: by ID that key, by alias any key of that Region carrying the alias; EBS's uses only through EC2 there.
  assert.deepEqual(of('KmsDescribeCopyKeys').Resource, `arn:aws:kms:eu-central-1:123456789012:key/${KEY_ID}`);
  assert.deepEqual(of('KmsEncryptCopiesThroughEc2').Condition, {
    StringEquals: { 'kms:ViaService': ['ec2.eu-central-1.amazonaws.com'] },
    BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' },
  });
  assert.deepEqual(of('KmsEncryptCopiesThroughEc2ByAlias').Resource, 'arn:aws:kms:us-west-2:123456789012:key/*');
  assert.deepEqual(of('KmsEncryptCopiesThroughEc2ByAlias').Condition?.['ForAnyValue:StringEquals'], {
    'kms:ResourceAliases': ['alias/golden'],
  });
  assert.deepEqual(of('KmsDescribeCopyKeysByAlias').Condition, { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/golden'] } });
  // The other account: only its role may be assumed; its Regions, key and images are that role's business.
  assert.deepEqual(of('StsAssumeDistributionRoles').Resource, ROLE_B);
  const resources = policy.Statement.flatMap((s) => list(s.Resource));
  assert.deepEqual(
    resources.filter((r) => r.includes('444455556666')),
    [ROLE_B],
  );
  assert.ok(!JSON.stringify(policy).includes('alias/theirs'), "another account's key is not this account's to grant");
  assertScoped(policy, 'distributed', 'ami', DISTRIBUTED);
});

test('a generated policy without distribution or publish has none of their statements, and only the build Region', async () => {
  for (const config of [
    { name: 'web', instanceId: 'i-0123456789abcdef0' },
    { name: 'web', instanceId: 'i-0123456789abcdef0', fastLaunch: {}, retention: { keep: 2 }, rollout: { tags: { fleet: 'web' } } },
  ]) {
    const policy = await generated('ami', config);
    const granted = grantedActions(policy);
    assert.deepEqual(
      DISTRIBUTION_ACTIONS.filter((a) => granted.has(a)),
      [],
    );
    assert.deepEqual(
      policy.Statement.map((s) => s.Sid).filter((sid) => /Copy|Change|Publish|Kms|Sts|Ssm/.test(sid)),
      [],
    );
    const regions = policy.Statement.flatMap((s) => list(s.Resource))
      .filter((r) => r !== '*' && !r.startsWith('arn:aws:iam:'))
      .map((r) => r.split(':')[3]);
    assert.deepEqual([...new Set(regions)], ['eu-west-1']);
    assert.deepEqual(policy.Statement[0]!.Condition, { StringEquals: { 'aws:RequestedRegion': ['eu-west-1'] } });
  }
  // Retention that deprecates or disables instead of deregistering needs just that one more action.
  const deprecating = await generated('ami', {
    name: 'web',
    instanceId: 'i-0123456789abcdef0',
    retention: { keep: 2, action: 'deprecate' },
  });
  assert.deepEqual(
    DISTRIBUTION_ACTIONS.filter((a) => grantedActions(deprecating).has(a)),
    ['ec2:EnableImageDeprecation'],
  );
});

test('KMS keys are used only through EC2, in the static policy, the distribution role and a generated policy', async () => {
  assertKmsOnlyThroughEc2(readPolicy().Statement, 'iam-policy.json');
  assertKmsOnlyThroughEc2(readRole().PolicyDocument.Statement, 'iam-distribution-role.json');
  const { kind, config } = await readPipelineFile(path.join(EXAMPLES, 'multi-region.yaml'));
  const policy = await generated(kind, config);
  assert.ok(
    policy.Statement.some((s) => s.Action.includes('kms:CreateGrant')),
    'multi-region.yaml encrypts a copy',
  );
  assertKmsOnlyThroughEc2(policy.Statement, 'multi-region.yaml');
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

const ARN = {
  instances: 'arn:aws:ec2:eu-west-1:123456789012:instance/*',
  volumes: 'arn:aws:ec2:eu-west-1:123456789012:volume/*',
  images: 'arn:aws:ec2:eu-west-1::image/*',
};

/** A bake from AWS's public parameter, into a named subnet and groups, with an AWS document and one of yours; its test overrides a group and the profile. */
const BAKE = {
  name: 'web-bake',
  source: { ssmParameter: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' },
  build: {
    instanceType: 'm6i.large',
    subnetId: 'subnet-0123456789abcdef0',
    securityGroupIds: ['sg-0123456789abcdef0'],
    instanceProfile: 'golden-image-build',
    steps: [
      { document: 'AWS-RunPatchBaseline', parameters: { Operation: ['Install'] } },
      { document: 'Golden-InstallWeb', parameters: {} },
    ],
  },
  test: {
    securityGroupIds: ['sg-0123456789abcdef1'],
    instanceProfile: 'arn:aws:iam::123456789012:instance-profile/test/golden-image-test',
    steps: [{ document: 'AWS-RunPowerShellScript', parameters: { commands: ['exit 0'] } }],
  },
};

/** Refreshes of a group in the build Region and of one in another, with an alarm and rollback; the second group's name holds a wildcard character. */
const ASG = {
  name: 'web',
  instanceId: 'i-0123456789abcdef0',
  publish: {
    launchTemplates: [{ id: 'lt-0123456789abcdef0' }, { name: 'web', region: 'us-west-2' }, { name: 'other', region: 'eu-central-1' }],
  },
  rollout: {
    autoScalingGroups: [{ name: 'web-asg' }, { name: 'web*asg', region: 'us-west-2' }],
    alarms: ['web-5xx'],
    autoRollback: true,
  },
};

/** The statements only a rollout onto Auto Scaling groups has, by Sid. */
const ASG_SIDS = new Set([
  'AutoScalingDescribe',
  'CloudWatchDescribeAlarms',
  'AutoScalingRefreshTheNamedGroups',
  'Ec2LaunchOnlyThroughTheGroupsTemplates',
  'Ec2TagWhileTheGroupsTemplatesLaunch',
]);

/** Every action only a rollout onto Auto Scaling groups calls, or that AWS checks for it. */
const ASG_ACTIONS = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeInstanceRefreshes',
  'autoscaling:StartInstanceRefresh',
  'autoscaling:CancelInstanceRefresh',
  'autoscaling:RollbackInstanceRefresh',
  'cloudwatch:DescribeAlarms',
];

/** The statements only a bake has, by Sid. */
const BAKE_SIDS = new Set([
  'Ec2LaunchFromSourceImageIntoNetwork',
  'Ec2LaunchTestFromThisPipelinesImages',
  'Ec2LaunchOnlyTaggedInstancesWithImdsV2',
  'Ec2LaunchOnlyTaggedVolumes',
  'Ec2TagOnlyWhileLaunching',
  'Ec2StopAndTerminateOnlyThisPipelinesInstances',
  'IamPassInstanceProfileRoleToEc2',
  'SsmRunStepDocuments',
  'SsmRunStepsOnlyOnThisPipelinesInstances',
  'SsmReadCommandsAndAgents',
  'SsmReadSourceImageParameter',
]);

const allow = (Sid: string, Action: string[], Resource: string | string[], Condition?: Statement['Condition']) => ({
  Sid,
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition && { Condition }),
});

test('a bake gets exactly the statements that launch, provision, test and end its instances, and its build instance is its own', async () => {
  const policy = await generated('ami', BAKE);
  const own = { StringEquals: { 'aws:ResourceTag/golden-image:pipeline': 'web-bake' } };
  const tagged = { StringEquals: { 'aws:RequestTag/golden-image:pipeline': 'web-bake' } };
  assert.deepEqual(
    policy.Statement.filter((s) => BAKE_SIDS.has(s.Sid)),
    [
      // The base image (any of the Region's: the parameter's value changes) and the new one; the named subnet and both instances' groups.
      allow(
        'Ec2LaunchFromSourceImageIntoNetwork',
        ['ec2:RunInstances'],
        [
          ARN.images,
          'arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0123456789abcdef0',
          'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0',
          'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef1',
          'arn:aws:ec2:eu-west-1:123456789012:network-interface/*',
        ],
      ),
      allow('Ec2LaunchOnlyTaggedInstancesWithImdsV2', ['ec2:RunInstances'], ARN.instances, {
        StringEquals: { 'aws:RequestTag/golden-image:pipeline': 'web-bake', 'ec2:MetadataHttpTokens': 'required' },
      }),
      allow('Ec2LaunchOnlyTaggedVolumes', ['ec2:RunInstances'], ARN.volumes, tagged),
      allow('Ec2TagOnlyWhileLaunching', ['ec2:CreateTags'], [ARN.instances, ARN.volumes], {
        StringEquals: { 'ec2:CreateAction': 'RunInstances', 'aws:RequestTag/golden-image:pipeline': 'web-bake' },
      }),
      allow('Ec2StopAndTerminateOnlyThisPipelinesInstances', ['ec2:StopInstances', 'ec2:TerminateInstances'], ARN.instances, own),
      // Each profile's role, by the profile's name (and path), passed only to EC2.
      allow(
        'IamPassInstanceProfileRoleToEc2',
        ['iam:PassRole'],
        ['arn:aws:iam::123456789012:role/golden-image-build', 'arn:aws:iam::123456789012:role/test/golden-image-test'],
        { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      ),
      // AWS's documents have no account in their ARN; yours have this one.
      allow(
        'SsmRunStepDocuments',
        ['ssm:DescribeDocument', 'ssm:SendCommand'],
        [
          'arn:aws:ssm:eu-west-1::document/AWS-RunPatchBaseline',
          'arn:aws:ssm:eu-west-1:123456789012:document/Golden-InstallWeb',
          'arn:aws:ssm:eu-west-1::document/AWS-RunPowerShellScript',
        ],
      ),
      allow('SsmRunStepsOnlyOnThisPipelinesInstances', ['ssm:SendCommand'], ARN.instances, own),
      allow('SsmReadCommandsAndAgents', ['ssm:DescribeInstanceInformation', 'ssm:ListCommandInvocations', 'ssm:ListCommands'], '*', {
        StringEquals: { 'aws:RequestedRegion': ['eu-west-1'] },
      }),
      allow(
        'SsmReadSourceImageParameter',
        ['ssm:GetParameter'],
        'arn:aws:ssm:eu-west-1::parameter/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base',
      ),
    ],
  );
  // The image comes from the instance the run launched, which carries the pipeline's tag.
  assert.deepEqual(
    policy.Statement.find((s) => s.Sid === 'Ec2CreateImageFromBuildInstance'),
    allow('Ec2CreateImageFromBuildInstance', ['ec2:CreateImage'], ARN.instances, own),
  );
  assertScoped(policy, 'bake', 'ami', BAKE);
  assertImdsV2Required(policy.Statement, 'bake');
  const missing = actionsThisPipelineCalls('ami', BAKE).filter((a) => !grantedActions(policy).has(a));
  assert.deepEqual(missing, []);

  // A named base image and EC2's default network: that image, the Region's subnets and groups; the test
  // instance's image is this pipeline's own. No profile, no role to pass; no parameter to read.
  const byImageId = await generated('ami', {
    name: 'web-bake',
    source: { imageId: 'ami-0123456789abcdef0' },
    build: { instanceType: 't3.small', steps: [{ document: 'AWS-RunShellScript', parameters: { commands: ['true'] } }] },
    test: { steps: [{ document: 'AWS-RunShellScript', parameters: { commands: ['true'] } }] },
  });
  const of = (sid: string) => byImageId.Statement.find((s) => s.Sid === sid);
  assert.deepEqual(of('Ec2LaunchFromSourceImageIntoNetwork')!.Resource, [
    'arn:aws:ec2:eu-west-1::image/ami-0123456789abcdef0',
    'arn:aws:ec2:eu-west-1:123456789012:subnet/*',
    'arn:aws:ec2:eu-west-1:123456789012:security-group/*',
    'arn:aws:ec2:eu-west-1:123456789012:network-interface/*',
  ]);
  assert.deepEqual(
    of('Ec2LaunchTestFromThisPipelinesImages'),
    allow('Ec2LaunchTestFromThisPipelinesImages', ['ec2:RunInstances'], ARN.images, own),
  );
  assert.deepEqual(of('SsmRunStepDocuments')!.Resource, 'arn:aws:ssm:eu-west-1::document/AWS-RunShellScript');
  assert.equal(of('IamPassInstanceProfileRoleToEc2'), undefined);
  assert.equal(of('SsmReadSourceImageParameter'), undefined);
  assert.ok(!grantedActions(byImageId).has('iam:PassRole'));
});

test('a pipeline that does not bake gets none of the statements that launch instances, pass roles or run commands', async () => {
  const examples = await Promise.all(
    readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => readPipelineFile(path.join(EXAMPLES, f))),
  );
  const configs: [PipelineKindName, Record<string, unknown>][] = [
    ['ami', { name: 'web', instanceId: 'i-0123456789abcdef0' }],
    ['ami', { name: 'web', instanceTags: { Name: 'build' }, rollout: { launchTemplate: { id: 'lt-0123456789abcdef0' } } }],
    ['ami', DISTRIBUTED],
    ...examples
      .filter(({ config }) => config['source'] === undefined)
      .map(({ kind, config }): [PipelineKindName, Record<string, unknown>] => [kind, config]),
  ];
  assert.ok(
    examples.some(({ config }) => config['source'] !== undefined),
    'the examples hold a bake, which this test leaves out',
  );
  for (const [kind, config] of configs) {
    // A refresh's caller may launch only through its groups' launch templates: their own test, below.
    const statements = (await generated(kind, config)).Statement.filter((s) => !ASG_SIDS.has(s.Sid));
    const granted = new Set(statements.flatMap((s) => s.Action));
    assert.deepEqual(
      BAKE_ACTIONS.filter((a) => granted.has(a)),
      [],
      `${String(config['name'])}`,
    );
    assert.deepEqual(
      statements.map((s) => s.Sid).filter((sid) => BAKE_SIDS.has(sid)),
      [],
    );
    assert.ok(!JSON.stringify(statements).includes('RunInstances'), `${String(config['name'])}: no tags while launching`);
  }
});

test('a rollout by launch template reaches the instances EC2 tagged with its ID, and by name those of any template', async () => {
  const fleetStatement = (policy: IamPolicy) =>
    policy.Statement.find((s) => s.Action.includes('ec2:CreateReplaceRootVolumeTask') && list(s.Resource)[0]!.includes(':instance/'))!;
  const config = (launchTemplate: Record<string, string>) => ({
    name: 'web',
    instanceId: 'i-0123456789abcdef0',
    rollout: { launchTemplate },
  });
  const byId = await generated('ami', config({ id: 'lt-0123456789abcdef0' }));
  assert.deepEqual(fleetStatement(byId).Resource, ARN.instances);
  assert.deepEqual(fleetStatement(byId).Condition, {
    StringEquals: { 'aws:ResourceTag/aws:ec2launchtemplate:id': 'lt-0123456789abcdef0' },
  });
  // By name the template's ID is only known at run time: any instance launched from a template of the Region.
  const byName = await generated('ami', config({ name: 'web' }));
  assert.deepEqual(fleetStatement(byName).Resource, ARN.instances);
  assert.deepEqual(fleetStatement(byName).Condition, { StringLike: { 'aws:ResourceTag/aws:ec2launchtemplate:id': 'lt-*' } });
  for (const [label, policy, template] of [
    ['by id', byId, { id: 'lt-0123456789abcdef0' }],
    ['by name', byName, { name: 'web' }],
  ] as const) {
    // The rollout looks the template up (DescribeLaunchTemplates), which names no resource.
    assert.ok(policy.Statement[0]!.Action.includes('ec2:DescribeLaunchTemplates'), label);
    assertScoped(policy, label, 'ami', config(template));
  }
});

test('a rollout onto Auto Scaling groups gets exactly the refresh of the named groups, their describes, and launches only through their templates', async () => {
  const policy = await generated('ami', ASG);
  const inTheirRegions = { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-west-2'] } };
  const templates = [
    'arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-0123456789abcdef0',
    'arn:aws:ec2:us-west-2:123456789012:launch-template/*',
  ];
  assert.deepEqual(
    policy.Statement.filter((s) => ASG_SIDS.has(s.Sid)),
    [
      allow('AutoScalingDescribe', ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeInstanceRefreshes'], '*', inTheirRegions),
      allow('CloudWatchDescribeAlarms', ['cloudwatch:DescribeAlarms'], '*', inTheirRegions),
      // Each group in its Region; "*" in a name is matched literally. With autoRollback a cancelled run rolls back, so no cancel.
      allow(
        'AutoScalingRefreshTheNamedGroups',
        ['autoscaling:RollbackInstanceRefresh', 'autoscaling:StartInstanceRefresh'],
        [
          'arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/web-asg',
          'arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:*:autoScalingGroupName/web${*}asg',
        ],
      ),
      // The templates publish writes in the groups' Regions (by ID that one, by name any of the Region's), not eu-central-1's.
      allow('Ec2LaunchOnlyThroughTheGroupsTemplates', ['ec2:RunInstances'], ['arn:aws:ec2:eu-west-1:*:*', 'arn:aws:ec2:us-west-2:*:*'], {
        ArnLike: { 'ec2:LaunchTemplate': templates },
      }),
      allow(
        'Ec2TagWhileTheGroupsTemplatesLaunch',
        ['ec2:CreateTags'],
        ['arn:aws:ec2:eu-west-1:123456789012:*/*', 'arn:aws:ec2:us-west-2:123456789012:*/*'],
        { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      ),
    ],
  );
  // No standalone rollout: no root volume is replaced.
  const granted = grantedActions(policy);
  assert.deepEqual(
    ['ec2:CreateReplaceRootVolumeTask', 'ec2:DescribeReplaceRootVolumeTasks'].filter((a) => granted.has(a)),
    [],
  );
  assert.ok(!JSON.stringify(policy).includes('replace-root-volume-task'));
  assertLaunchesOnlyThroughTemplates(policy.Statement, 'asg', /^ec2:LaunchTemplate$/);
  assertScoped(policy, 'asg', 'ami', ASG);
  assert.deepEqual(
    actionsThisPipelineCalls('ami', ASG).filter((a) => !granted.has(a)),
    [],
  );

  // Without autoRollback a cancelled run cancels the refresh; without alarms there are none to describe.
  const plain = { ...ASG, rollout: { autoScalingGroups: [{ name: 'web-asg' }] } };
  const cancelling = await generated('ami', plain);
  assert.deepEqual(cancelling.Statement.find((s) => s.Sid === 'AutoScalingRefreshTheNamedGroups')!.Action, [
    'autoscaling:CancelInstanceRefresh',
    'autoscaling:StartInstanceRefresh',
  ]);
  assert.deepEqual(
    cancelling.Statement.map((s) => s.Sid).filter((sid) => ASG_SIDS.has(sid)),
    [
      'AutoScalingDescribe',
      'AutoScalingRefreshTheNamedGroups',
      'Ec2LaunchOnlyThroughTheGroupsTemplates',
      'Ec2TagWhileTheGroupsTemplatesLaunch',
    ],
  );
  assert.ok(!grantedActions(cancelling).has('cloudwatch:DescribeAlarms'));
  assertScoped(cancelling, 'asg without alarms', 'ami', plain);
});

test('a pipeline that does not refresh Auto Scaling groups gets none of their statements', async () => {
  const configs: [string, Record<string, unknown>][] = [
    ['build instance', { name: 'web', instanceId: 'i-0123456789abcdef0' }],
    ['standalone rollout', { name: 'web', instanceId: 'i-0123456789abcdef0', rollout: { instanceIds: ['i-0123456789abcdef1'] } }],
    ['distributed and published', DISTRIBUTED],
    ['bake', BAKE],
  ];
  for (const [label, config] of configs) {
    const policy = await generated('ami', config);
    const granted = grantedActions(policy);
    assert.deepEqual(
      ASG_ACTIONS.filter((a) => granted.has(a)),
      [],
      label,
    );
    assert.deepEqual(
      policy.Statement.map((s) => s.Sid).filter((sid) => ASG_SIDS.has(sid)),
      [],
      label,
    );
    assert.ok(!JSON.stringify(policy).includes('ec2:LaunchTemplate'), `${label}: no launch through a template`);
  }
});

/** The whole AppStream loop: a test builder in a subnet, approval, copies to two Regions (one named), a share, fleets in two Regions restarted. */
const APPSTREAM_LOOP = {
  name: 'golden',
  existingImageName: 'golden-base',
  newImageName: '{{pipeline}}-{{date}}',
  test: { imageBuilder: { instanceType: 'stream.standard.medium', subnetIds: ['subnet-0123456789abcdef0'] } },
  approval: { timeout: '24h' },
  copyTo: [{ region: 'us-west-2' }, { region: 'eu-central-1', name: 'golden-eu-{{date}}' }],
  shareWith: [{ account: '111122223333', allowFleet: true }],
  fleets: [{ name: 'web-fleet' }, { name: 'web-fleet', region: 'us-west-2' }],
  fleetUpdate: { restart: true },
  retention: { keep: 3 },
};

/** What the AppStream loop adds to an update, by action and by Sid: none of it belongs in an update without test, copies, shares or fleets. */
const APPSTREAM_LOOP_ACTIONS = [
  'appstream:DescribeImageBuilders',
  'appstream:CreateImageBuilder',
  'appstream:StopImageBuilder',
  'appstream:DeleteImageBuilder',
  'appstream:CopyImage',
  'appstream:DescribeImagePermissions',
  'appstream:UpdateImagePermissions',
  'appstream:DescribeFleets',
  'appstream:UpdateFleet',
  'appstream:StartFleet',
  'appstream:StopFleet',
  'ec2:DescribeRegions',
];
const APPSTREAM_LOOP_SIDS = new Set([
  'Ec2DescribeRegions',
  'AppStreamCreateTestBuilder',
  'AppStreamRemoveTestBuilder',
  'AppStreamCopyOnlyThisPipelinesImages',
  'AppStreamRemoveUnfinishedCopies',
  'AppStreamShareOnlyThisPipelinesImages',
  'AppStreamUpdateTheNamedFleets',
  'AppStreamPutTheFleetsOnImages',
]);

test('an AppStream update with test, copies, shares and fleets gets exactly the actions it calls, on its fleets in their Regions and its own images', async () => {
  const policy = await generated('appstream-update', APPSTREAM_LOOP);
  assert.deepEqual([...grantedActions(policy)].sort(), actionsThisPipelineCalls('appstream-update', APPSTREAM_LOOP));
  const image = (region: string, name: string, owner = '123456789012') => `arn:aws:appstream:${region}:${owner}:image/${name}`;
  const own = { StringEquals: { 'aws:ResourceTag/golden-image:pipeline': 'golden' } };
  const tagged = { StringEquals: { 'aws:RequestTag/golden-image:pipeline': 'golden' } };
  const builder = 'arn:aws:appstream:eu-west-1:123456789012:image-builder/test-golden-*';
  // Each Region's images by the names made there: the new image at home, a copy by its own template or the same name.
  const pipelineImages = [image('eu-west-1', 'golden-*'), image('us-west-2', 'golden-*'), image('eu-central-1', 'golden-eu-*')];
  const anyImage = ['eu-west-1', 'us-west-2', 'eu-central-1'].map((r) => image(r, '*'));
  assert.deepEqual(policy.Statement, [
    allow('AppStreamDescribe', ['appstream:DescribeFleets', 'appstream:DescribeImageBuilders', 'appstream:DescribeImages'], '*', {
      StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-west-2', 'eu-central-1'] },
    }),
    allow('Ec2DescribeRegions', ['ec2:DescribeRegions'], '*', { StringEquals: { 'aws:RequestedRegion': ['eu-west-1'] } }),
    allow('AppStreamReadTags', ['appstream:ListTagsForResource'], [...anyImage, builder]),
    allow('AppStreamUpdateImage', ['appstream:CreateUpdatedImage'], [image('eu-west-1', 'golden-base'), image('eu-west-1', 'golden-*')]),
    allow('AppStreamTagOnlyThisPipelinesImages', ['appstream:TagResource'], [...pipelineImages, builder], tagged),
    allow('AppStreamRetireOnlyThisPipelinesImages', ['appstream:DeleteImage'], anyImage, own),
    // The test builder: only from the new image, only with the pipeline's tag, stopped and deleted only as the pipeline's.
    allow('AppStreamCreateTestBuilder', ['appstream:CreateImageBuilder'], [builder, image('eu-west-1', 'golden-*')], tagged),
    allow('AppStreamRemoveTestBuilder', ['appstream:DeleteImageBuilder', 'appstream:StopImageBuilder'], builder, own),
    // Copied from the tagged image at home; an unfinished copy (not yet tagged) is removed by its name.
    allow('AppStreamCopyOnlyThisPipelinesImages', ['appstream:CopyImage'], image('eu-west-1', 'golden-*'), own),
    allow(
      'AppStreamRemoveUnfinishedCopies',
      ['appstream:DeleteImage'],
      [image('us-west-2', 'golden-*'), image('eu-central-1', 'golden-eu-*')],
    ),
    allow(
      'AppStreamShareOnlyThisPipelinesImages',
      ['appstream:DescribeImagePermissions', 'appstream:UpdateImagePermissions'],
      pipelineImages,
      own,
    ),
    // Exactly the named fleets, each in its Region; restarted, so started and stopped too.
    allow(
      'AppStreamUpdateTheNamedFleets',
      ['appstream:StartFleet', 'appstream:StopFleet', 'appstream:UpdateFleet'],
      ['arn:aws:appstream:eu-west-1:123456789012:fleet/web-fleet', 'arn:aws:appstream:us-west-2:123456789012:fleet/web-fleet'],
    ),
    // The image side of UpdateFleet in the fleets' Regions only: a rollback's previous image may be AWS's or shared.
    allow('AppStreamPutTheFleetsOnImages', ['appstream:UpdateFleet'], [image('eu-west-1', '*', '*'), image('us-west-2', '*', '*')]),
  ]);
  assertScoped(policy, 'appstream loop', 'appstream-update', APPSTREAM_LOOP);
  assert.ok(!JSON.stringify(policy).includes('111122223333'), 'sharing names the image, not the account it is shared with');

  // Without restart a fleet is only updated: no start or stop, and a rollback restarts only what its run restarted.
  const noRestart = { ...APPSTREAM_LOOP, fleetUpdate: { restart: false } };
  const updating = await generated('appstream-update', noRestart);
  assert.deepEqual(updating.Statement.find((s) => s.Sid === 'AppStreamUpdateTheNamedFleets')!.Action, ['appstream:UpdateFleet']);
  assert.deepEqual([...grantedActions(updating)].sort(), actionsThisPipelineCalls('appstream-update', noRestart));
});

test('an AppStream update without test, copies, shares or fleets gets none of their actions or statements, and only the build Region', async () => {
  for (const config of [
    { name: 'golden', existingImageName: 'golden-base', newImageName: '{{pipeline}}-{{date}}' },
    {
      name: 'golden',
      existingImageName: 'golden-base',
      newImageName: '{{pipeline}}-{{date}}',
      approval: { timeout: '24h' },
      retention: { keep: 3 },
    },
  ]) {
    const policy = await generated('appstream-update', config);
    const granted = grantedActions(policy);
    assert.deepEqual(
      APPSTREAM_LOOP_ACTIONS.filter((a) => granted.has(a)),
      [],
    );
    assert.deepEqual(
      policy.Statement.map((s) => s.Sid).filter((sid) => APPSTREAM_LOOP_SIDS.has(sid)),
      [],
    );
    const regions = policy.Statement.flatMap((s) => list(s.Resource))
      .filter((r) => r !== '*')
      .map((r) => r.split(':')[3]);
    assert.deepEqual([...new Set(regions)], ['eu-west-1']);
    assert.ok(!JSON.stringify(policy).includes(':fleet/'));
    assert.ok(!JSON.stringify(policy).includes(':image-builder/'));
    assert.deepEqual([...granted].sort(), actionsThisPipelineCalls('appstream-update', config));
  }
});

test('`golden-image iam-policy -f` prints the policy as JSON; without a region it says so (exit 2)', async () => {
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'client', 'cli.ts'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '' },
    });
  const out = cli('iam-policy', '-f', path.join(EXAMPLES, 'windows-fleet.yaml'), '--region', 'eu-west-1', '--account', '123456789012');
  const policy = JSON.parse(out) as IamPolicy;
  assert.equal(policy.Version, '2012-10-17');
  assert.ok(grantedActions(policy).has('ec2:CreateReplaceRootVolumeTask'));
  assertScoped(policy, 'windows-fleet.yaml', 'ami', (await readPipelineFile(path.join(EXAMPLES, 'windows-fleet.yaml'))).config);
  assert.throws(
    () => cli('iam-policy', '-f', path.join(EXAMPLES, 'windows-fleet.yaml')),
    (err: { status: number; stderr: string }) => err.status === 2 && /--region/.test(err.stderr),
  );
});

test('a pipeline that notifies an SNS topic may publish to that topic alone; one that does not, or has notifications off, to none', async () => {
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:golden-image.fifo';
  const configs: [PipelineKindName, Record<string, unknown>][] = [
    ['ami', { name: 'web', instanceId: 'i-0123456789abcdef0' }],
    ['appstream-builder', { action: 'stop', name: 'builder-1' }],
  ];
  const publishing = (policy: IamPolicy) => policy.Statement.filter((s) => s.Action.includes('sns:Publish')).map((s) => s.Resource);
  for (const [kind, config] of configs) {
    assert.deepEqual(publishing(await generated(kind, { ...config, notify: { sns: { topicArn } } })), [topicArn], kind);
    assert.deepEqual(publishing(await generated(kind, config)), [], `${kind} without notify`);
    assert.deepEqual(
      publishing(await generated(kind, { ...config, notify: { sns: { topicArn }, events: [] } })),
      [],
      `${kind} with no events`,
    );
  }
});
