/**
 * docs/iam-policy.json is least privilege: it names exactly the AWS actions the activities call, no
 * more and no less. The actions are derived from the code (the SDK commands and paginators each
 * activities/*.ts imports), so the test stays right as activities are added or removed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

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

/** Every `service:Action` the activities call, with the file that calls it. */
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
  for (const statement of granting('ec2:CreateTags')) {
    assert.ok(statement.Condition?.['StringEquals']?.['ec2:CreateAction'], 'ec2:CreateTags is limited by ec2:CreateAction');
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
