import assert from 'node:assert/strict';
import path from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeKeyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createSandbox, LINUX_BASE_AMI_ID, SANDBOX_ACCESS_KEYS } from '../index';
import { awsCliSandboxForThisFile } from './support/awscli-sandbox';
import { rejectsWith } from './support/rejects-with';

/** SSM Parameter Store, KMS and STS through the real AWS SDK clients (and, in one test, the AWS CLI). */

const [KEY_A, KEY_B] = SANDBOX_ACCESS_KEYS as [(typeof SANDBOX_ACCESS_KEYS)[0], (typeof SANDBOX_ACCESS_KEYS)[0]];
const ACCOUNT_A = KEY_A.accountId;
const ACCOUNT_B = KEY_B.accountId;
const DISTRIBUTION_ROLE_B = `arn:aws:iam::${ACCOUNT_B}:role/golden-image-distribution`;
const GOLDEN_KEY_ID = '901de000-0000-4000-8000-000000901de0';
const EBS_KEY_ID = '0e5b0e5b-0000-4000-8000-0000000e5b00';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const sandbox = awsCliSandboxForThisFile();

// One attempt, so that injected faults and throttling show rather than being retried away.
const clientConfig = (credentials: Credentials, region: string) => ({ endpoint: sandbox.url, region, credentials, maxAttempts: 1 });
const ssm = (credentials: Credentials = KEY_A, region = 'us-east-1') => new SSMClient(clientConfig(credentials, region));
const kms = (credentials: Credentials = KEY_A, region = 'us-east-1') => new KMSClient(clientConfig(credentials, region));
const sts = (credentials: Credentials = KEY_A, region = 'us-east-1') => new STSClient(clientConfig(credentials, region));
const ec2 = (credentials: Credentials = KEY_A, region = 'us-east-1') => new EC2Client(clientConfig(credentials, region));

async function assumeDistributionRole(durationSeconds?: number): Promise<Credentials> {
  const { Credentials: c } = await sts().send(
    new AssumeRoleCommand({ RoleArn: DISTRIBUTION_ROLE_B, RoleSessionName: 'golden-run-42', DurationSeconds: durationSeconds }),
  );
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
}

beforeEach(() => sandbox.admin.reset());

describe('SSM Parameter Store', () => {
  test('put, get, overwrite and versions; ParameterAlreadyExists without Overwrite', async () => {
    const client = ssm();
    const first = await client.send(new PutParameterCommand({ Name: '/golden/web/owner', Value: 'team-a', Type: 'String' }));
    assert.equal(first.Version, 1);
    assert.equal(first.Tier, 'Standard');
    await rejectsWith(
      client.send(new PutParameterCommand({ Name: '/golden/web/owner', Value: 'team-b', Type: 'String' })),
      'ParameterAlreadyExists',
      400,
    );
    const second = await client.send(new PutParameterCommand({ Name: '/golden/web/owner', Value: 'team-b', Overwrite: true }));
    assert.equal(second.Version, 2);

    const { Parameter } = await client.send(new GetParameterCommand({ Name: '/golden/web/owner' }));
    assert.equal(Parameter!.Value, 'team-b');
    assert.equal(Parameter!.Version, 2);
    assert.equal(Parameter!.Type, 'String');
    assert.equal(Parameter!.DataType, 'text');
    assert.equal(Parameter!.ARN, `arn:aws:ssm:us-east-1:${ACCOUNT_A}:parameter/golden/web/owner`);
    const old = await client.send(new GetParameterCommand({ Name: '/golden/web/owner:1' }));
    assert.equal(old.Parameter!.Value, 'team-a');
    assert.equal(old.Parameter!.Selector, ':1');
    await rejectsWith(client.send(new GetParameterCommand({ Name: '/golden/web/owner:7' })), 'ParameterVersionNotFound');
    const byArn = await client.send(new GetParameterCommand({ Name: Parameter!.ARN }));
    assert.equal(byArn.Parameter!.Value, 'team-b');

    const history = await client.send(new GetParameterHistoryCommand({ Name: '/golden/web/owner' }));
    assert.deepEqual(
      history.Parameters!.map((p) => [p.Version, p.Value, p.LastModifiedUser]),
      [
        [1, 'team-a', `arn:aws:iam::${ACCOUNT_A}:root`],
        [2, 'team-b', `arn:aws:iam::${ACCOUNT_A}:root`],
      ],
    );
  });

  test('tags cannot go with Overwrite; a new parameter needs a Type; SecureString values are hidden without WithDecryption', async () => {
    const client = ssm();
    await client.send(new PutParameterCommand({ Name: 'tagged', Value: 'x', Type: 'String', Tags: [{ Key: 'team', Value: 'a' }] }));
    const refused = await rejectsWith(
      client.send(new PutParameterCommand({ Name: 'tagged', Value: 'y', Overwrite: true, Tags: [{ Key: 'team', Value: 'b' }] })),
      'ValidationException',
    );
    assert.match(refused.message, /tags and overwrite can't be used together/);
    assert.deepEqual((await sandbox.admin.state()).ssm.parameters.find((p) => p.name === 'tagged')?.tags, { team: 'a' });
    await rejectsWith(client.send(new PutParameterCommand({ Name: 'untyped', Value: 'x' })), 'ValidationException');

    await client.send(new PutParameterCommand({ Name: '/golden/secret', Value: 's3cret', Type: 'SecureString' }));
    const hidden = await client.send(new GetParameterCommand({ Name: '/golden/secret' }));
    assert.notEqual(hidden.Parameter!.Value, 's3cret');
    const shown = await client.send(new GetParameterCommand({ Name: '/golden/secret', WithDecryption: true }));
    assert.equal(shown.Parameter!.Value, 's3cret');
    await rejectsWith(
      client.send(new PutParameterCommand({ Name: '/golden/secret2', Value: 'x', Type: 'SecureString', KeyId: 'alias/nope' })),
      'InvalidKeyId',
    );
    await client.send(new PutParameterCommand({ Name: '/golden/secret2', Value: 'x', Type: 'SecureString', KeyId: 'alias/golden' }));
  });

  test('parameter names as AWS restricts them', async () => {
    const client = ssm();
    const put = (Name: string) => client.send(new PutParameterCommand({ Name, Value: 'x', Type: 'String' }));
    for (const name of ['/ssm/x', 'SSM-x', 'golden/web', '/golden//web', '/golden/web latest']) {
      await rejectsWith(put(name), 'ValidationException');
    }
    // Names beginning with "aws" are AWS's own.
    for (const name of ['aws-thing', '/AWS/x']) await rejectsWith(put(name), 'AccessDeniedException');
    const sixteenLevels = `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`;
    await rejectsWith(put(sixteenLevels), 'HierarchyLevelLimitExceededException');
    await put(sixteenLevels.slice(0, sixteenLevels.lastIndexOf('/')));
    await rejectsWith(put(`/${'a'.repeat(1000)}`), 'ValidationException');
  });

  test('GetParameters lists unknown names in InvalidParameters; DeleteParameter', async () => {
    const client = ssm();
    await client.send(new PutParameterCommand({ Name: '/golden/a', Value: 'one,two', Type: 'StringList' }));
    const got = await client.send(new GetParametersCommand({ Names: ['/golden/a', '/golden/missing'] }));
    assert.deepEqual(
      got.Parameters!.map((p) => [p.Name, p.Value, p.Type]),
      [['/golden/a', 'one,two', 'StringList']],
    );
    assert.deepEqual(got.InvalidParameters, ['/golden/missing']);
    await client.send(new DeleteParameterCommand({ Name: '/golden/a' }));
    await rejectsWith(client.send(new GetParameterCommand({ Name: '/golden/a' })), 'ParameterNotFound', 400);
    await rejectsWith(client.send(new DeleteParameterCommand({ Name: '/golden/a' })), 'ParameterNotFound');
  });

  test('aws:ec2:image: String only, never changed to or from; an invalid or unknown AMI is answered 200 and not stored', async () => {
    const client = ssm();
    const put = (Value: string, extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {}) =>
      client.send(new PutParameterCommand({ Name: '/golden/web/latest', Value, Type: 'String', DataType: 'aws:ec2:image', ...extra }));
    await rejectsWith(put(LINUX_BASE_AMI_ID, { Type: 'StringList' }), 'ValidationException');

    const created = await put(LINUX_BASE_AMI_ID);
    assert.equal(created.Version, 1);
    const { Parameter } = await client.send(new GetParameterCommand({ Name: '/golden/web/latest' }));
    assert.equal(Parameter!.Value, LINUX_BASE_AMI_ID);
    assert.equal(Parameter!.DataType, 'aws:ec2:image');

    // AWS validates these after answering: the call succeeds, the parameter keeps its value.
    for (const value of ['ami-xyz', 'not-an-ami', 'ami-0123456789abcdef0']) {
      const answer = await put(value, { Overwrite: true });
      assert.equal(answer.Version, 2);
    }
    const after = await client.send(new GetParameterCommand({ Name: '/golden/web/latest' }));
    assert.equal(after.Parameter!.Value, LINUX_BASE_AMI_ID);
    assert.equal(after.Parameter!.Version, 1);
    await put('ami-0123456789abcdef0', { Name: '/golden/never' });
    await rejectsWith(client.send(new GetParameterCommand({ Name: '/golden/never' })), 'ParameterNotFound');

    await rejectsWith(put('plain text', { DataType: 'text', Overwrite: true }), 'ValidationException');
  });

  test('parameters are kept per account and Region, and the state dump shows them', async () => {
    await ssm().send(new PutParameterCommand({ Name: '/golden/where', Value: 'a-east', Type: 'String' }));
    await ssm(KEY_A, 'us-west-2').send(new PutParameterCommand({ Name: '/golden/where', Value: 'a-west', Type: 'String' }));
    await rejectsWith(ssm(KEY_B).send(new GetParameterCommand({ Name: '/golden/where' })), 'ParameterNotFound');
    const west = await ssm(KEY_A, 'us-west-2').send(new GetParameterCommand({ Name: '/golden/where' }));
    assert.equal(west.Parameter!.Value, 'a-west');

    const dump = await sandbox.admin.state({ region: 'us-west-2' });
    assert.deepEqual(
      dump.ssm.parameters.map((p) => [p.name, p.value, p.version, p.dataType]),
      [['/golden/where', 'a-west', 1, 'text']],
    );
  });
});

describe('KMS', () => {
  test('DescribeKey by alias name, key ID, key ARN and alias ARN; the AWS managed aws/ebs key', async () => {
    const client = kms();
    const { KeyMetadata: golden } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/golden' }));
    assert.equal(golden!.KeyId, GOLDEN_KEY_ID);
    assert.equal(golden!.Arn, `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/${GOLDEN_KEY_ID}`);
    assert.equal(golden!.KeyManager, 'CUSTOMER');
    assert.equal(golden!.KeyState, 'Enabled');
    assert.equal(golden!.AWSAccountId, ACCOUNT_A);
    assert.ok(golden!.CreationDate instanceof Date);
    for (const keyId of [GOLDEN_KEY_ID, golden!.Arn!, `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/golden`]) {
      assert.equal((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyId, GOLDEN_KEY_ID);
    }
    const { KeyMetadata: ebs } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }));
    assert.equal(ebs!.KeyId, EBS_KEY_ID);
    assert.equal(ebs!.KeyManager, 'AWS');
    const west = await kms(KEY_B, 'eu-west-1').send(new DescribeKeyCommand({ KeyId: 'alias/golden' }));
    assert.equal(west.KeyMetadata!.Arn, `arn:aws:kms:eu-west-1:${ACCOUNT_B}:key/${GOLDEN_KEY_ID}`);

    const { Aliases } = await client.send(new ListAliasesCommand({}));
    assert.deepEqual(
      Aliases!.map((a) => [a.AliasName, a.TargetKeyId]),
      [
        ['alias/aws/ebs', EBS_KEY_ID],
        ['alias/golden', GOLDEN_KEY_ID],
      ],
    );
  });

  test('unknown keys and aliases are NotFoundException; another account’s key is AccessDenied', async () => {
    const client = kms();
    const alias = await rejectsWith(client.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })), 'NotFoundException', 400);
    assert.match(alias.message, /alias\/nope' is not found/);
    await rejectsWith(client.send(new DescribeKeyCommand({ KeyId: '11111111-2222-4333-8444-555555555555' })), 'NotFoundException');
    await rejectsWith(client.send(new DescribeKeyCommand({ KeyId: 'golden' })), 'NotFoundException');
    await rejectsWith(
      client.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:${ACCOUNT_B}:key/${GOLDEN_KEY_ID}` })),
      'AccessDeniedException',
    );
  });
});

describe('STS', () => {
  test('GetCallerIdentity for a sandbox key is its account', async () => {
    const identity = await sts().send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Account, ACCOUNT_A);
    assert.equal(identity.Arn, `arn:aws:iam::${ACCOUNT_A}:root`);
  });

  test('AssumeRole gives temporary credentials that act as the role’s account in EC2, SSM and STS', async () => {
    const { Credentials: c, AssumedRoleUser } = await sts().send(
      new AssumeRoleCommand({ RoleArn: DISTRIBUTION_ROLE_B, RoleSessionName: 'golden-run-42', ExternalId: 'golden-image' }),
    );
    assert.match(c!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(c!.SessionToken!.length > 100);
    const lifetime = c!.Expiration!.getTime() - Date.now();
    assert.ok(lifetime > 3500_000 && lifetime <= 3600_000, `default duration is one hour, got ${lifetime} ms`);
    assert.equal(AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT_B}:assumed-role/golden-image-distribution/golden-run-42`);
    const temporary = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };

    const identity = await sts(temporary).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Account, ACCOUNT_B);
    assert.equal(identity.Arn, AssumedRoleUser!.Arn);
    assert.equal(identity.UserId, AssumedRoleUser!.AssumedRoleId);

    await ssm(temporary, 'us-west-2').send(new PutParameterCommand({ Name: '/golden/copied', Value: 'by-role', Type: 'String' }));
    const seenByB = await ssm(KEY_B, 'us-west-2').send(new GetParameterCommand({ Name: '/golden/copied' }));
    assert.equal(seenByB.Parameter!.Value, 'by-role');
    await rejectsWith(ssm(KEY_A, 'us-west-2').send(new GetParameterCommand({ Name: '/golden/copied' })), 'ParameterNotFound');

    const { Instances } = await ec2(temporary).send(new RunInstancesCommand({ ImageId: LINUX_BASE_AMI_ID, MinCount: 1, MaxCount: 1 }));
    const instanceId = Instances![0]!.InstanceId!;
    const inB = await ec2(KEY_B).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    assert.equal(inB.Reservations![0]!.OwnerId, ACCOUNT_B);
    await rejectsWith(ec2(KEY_A).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })), 'InvalidInstanceID.NotFound');

    // An ASIA key is only valid with its own session token.
    const withoutToken = { accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey };
    await rejectsWith(ssm(withoutToken).send(new GetParameterCommand({ Name: '/golden/copied' })), 'UnrecognizedClientException');
    await rejectsWith(sts(withoutToken).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
  });

  test('AssumeRole refuses roles outside the seeded set, bad session names and durations', async () => {
    const client = sts();
    const assume = (RoleArn: string, RoleSessionName = 'run', DurationSeconds?: number) =>
      client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName, DurationSeconds }));
    const denied = await rejectsWith(assume(`arn:aws:iam::${ACCOUNT_B}:role/admin`), 'AccessDenied', 403);
    assert.match(denied.message, new RegExp(`User: arn:aws:iam::${ACCOUNT_A}:root is not authorized to perform: sts:AssumeRole`));
    await rejectsWith(assume('arn:aws:iam::999988887777:role/golden-image-distribution'), 'AccessDenied');
    await rejectsWith(assume(DISTRIBUTION_ROLE_B, 'bad name!'), 'ValidationError', 400);
    await rejectsWith(assume(DISTRIBUTION_ROLE_B, 'x'), 'ValidationError');
    await rejectsWith(assume(DISTRIBUTION_ROLE_B, 'run', 899), 'ValidationError');
    const tooLong = await rejectsWith(assume(DISTRIBUTION_ROLE_B, 'run', 7200), 'ValidationError');
    assert.match(tooLong.message, /MaxSessionDuration/);
    await assume(`arn:aws:iam::${ACCOUNT_A}:role/OrganizationAccountAccessRole`, 'run', 900);
  });

  test('expired temporary credentials are refused as each service answers', async () => {
    const temporary = await assumeDistributionRole(900);
    await sts(temporary).send(new GetCallerIdentityCommand({}));
    await sandbox.admin.advance(900_000);
    await rejectsWith(sts(temporary).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 400);
    await rejectsWith(ssm(temporary).send(new GetParameterCommand({ Name: '/x' })), 'ExpiredTokenException', 400);
    await rejectsWith(kms(temporary).send(new DescribeKeyCommand({ KeyId: 'alias/golden' })), 'ExpiredTokenException', 400);
    await rejectsWith(ec2(temporary).send(new DescribeInstancesCommand({})), 'RequestExpired', 400);
  });

  test('a reset clears resources but revokes no session: temporary credentials keep working until they expire', async () => {
    const temporary = await assumeDistributionRole();
    await sandbox.admin.reset();
    const { Account } = await sts(temporary).send(new GetCallerIdentityCommand({}));
    assert.equal(Account, ACCOUNT_B);
  });
});

test('faults and throttling apply to SSM, KMS and STS, each in its own buckets', async () => {
  await sandbox.admin.fault({ service: 'kms', action: 'DescribeKey', error: { code: 'KMSInternalException', status: 500 } });
  await sandbox.admin.fault({ service: 'sts', action: 'AssumeRole', error: { code: 'RegionDisabledException', status: 403 } });
  await sandbox.admin.fault({ service: 'ssm', action: 'GetParameter', error: { code: 'InternalServerError', status: 500 } });
  await rejectsWith(kms().send(new DescribeKeyCommand({ KeyId: 'alias/golden' })), 'KMSInternalException', 500);
  await rejectsWith(assumeDistributionRole(), 'RegionDisabledException', 403);
  await rejectsWith(ssm().send(new GetParameterCommand({ Name: '/x' })), 'InternalServerError', 500);

  await sandbox.admin.configure({
    throttling: {
      buckets: { 'ssm:write': { capacity: 1, refillPerSecond: 0.01 }, 'sts:GetCallerIdentity': { capacity: 1, refillPerSecond: 0.01 } },
    },
  });
  await ssm().send(new PutParameterCommand({ Name: '/t/1', Value: 'x', Type: 'String' }));
  await rejectsWith(ssm().send(new PutParameterCommand({ Name: '/t/2', Value: 'x', Type: 'String' })), 'ThrottlingException', 400);
  // Buckets are per account: account B still has its token; reads draw from another bucket.
  await ssm(KEY_B).send(new PutParameterCommand({ Name: '/t/2', Value: 'x', Type: 'String' }));
  await ssm().send(new GetParameterCommand({ Name: '/t/1' }));
  await sts().send(new GetCallerIdentityCommand({}));
  await rejectsWith(sts().send(new GetCallerIdentityCommand({})), 'Throttling', 400);

  const calls = await sandbox.admin.calls();
  assert.deepEqual(calls.ssm.PutParameter, { total: 3, throttled: 1, faulted: 0 });
  assert.deepEqual(calls.kms.DescribeKey, { total: 1, throttled: 0, faulted: 1 });
  assert.deepEqual(calls.sts.GetCallerIdentity, { total: 2, throttled: 1, faulted: 0 });
});

test('SSM parameters and STS temporary credentials survive a restart with a state file', async () => {
  const stateFile = path.join(sandbox.configDir, 'state.sqlite');
  const first = await createSandbox({ port: 0, stateFile, fresh: true });
  const at = (url: string, credentials: Credentials) => new SSMClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const { Credentials: c } = await new STSClient({ endpoint: first.url, region: 'us-east-1', credentials: KEY_A, maxAttempts: 1 }).send(
    new AssumeRoleCommand({ RoleArn: DISTRIBUTION_ROLE_B, RoleSessionName: 'restart' }),
  );
  const temporary = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
  await at(first.url, temporary).send(new PutParameterCommand({ Name: '/golden/kept', Value: 'v1', Type: 'String' }));
  await first.close();

  const second = await createSandbox({ port: 0, stateFile });
  try {
    const { Parameter } = await at(second.url, temporary).send(new GetParameterCommand({ Name: '/golden/kept' }));
    assert.equal(Parameter!.Value, 'v1');
    await rejectsWith(at(second.url, KEY_A).send(new GetParameterCommand({ Name: '/golden/kept' })), 'ParameterNotFound');
  } finally {
    await second.close();
  }
});

test('aws ssm, aws kms and aws sts (botocore) against the sandbox', async () => {
  const { cli } = sandbox;
  const put = await cli('ssm').json<{ Version: number }>(
    'put-parameter',
    '--name',
    '/golden/web/latest',
    '--type',
    'String',
    '--data-type',
    'aws:ec2:image',
    '--value',
    LINUX_BASE_AMI_ID,
  );
  assert.equal(put.Version, 1);
  const got = await cli('ssm').json<{ Parameter: { Value: string; DataType: string } }>('get-parameter', '--name', '/golden/web/latest');
  assert.deepEqual([got.Parameter.Value, got.Parameter.DataType], [LINUX_BASE_AMI_ID, 'aws:ec2:image']);
  assert.match(
    await cli('ssm').fails('put-parameter', '--name', '/golden/web/latest', '--type', 'String', '--value', 'x'),
    /ParameterAlreadyExists/,
  );

  const key = await cli('kms').json<{ KeyMetadata: { KeyId: string } }>('describe-key', '--key-id', 'alias/golden');
  assert.equal(key.KeyMetadata.KeyId, GOLDEN_KEY_ID);
  assert.match(await cli('kms').fails('describe-key', '--key-id', 'alias/nope'), /NotFoundException/);

  const identity = await cli('sts').json<{ Account: string }>('get-caller-identity');
  assert.equal(identity.Account, ACCOUNT_A);
  const assumed = await cli('sts').json<{ Credentials: { AccessKeyId: string }; AssumedRoleUser: { Arn: string } }>(
    'assume-role',
    '--role-arn',
    DISTRIBUTION_ROLE_B,
    '--role-session-name',
    'cli-session',
  );
  assert.match(assumed.Credentials.AccessKeyId, /^ASIA/);
  assert.equal(assumed.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT_B}:assumed-role/golden-image-distribution/cli-session`);
  assert.match(
    await cli('sts').fails('assume-role', '--role-arn', `arn:aws:iam::${ACCOUNT_B}:role/admin`, '--role-session-name', 'sess'),
    /AccessDenied/,
  );
});
