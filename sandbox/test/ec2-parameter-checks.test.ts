import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { LINUX_BASE_AMI_ID } from '../index';
import { EC2_ACTION_NAMES } from '../ec2/service';
import { EC2_QUERY_PARAMETERS } from '../ec2/query-parameters';
import { awsCliSandboxForThisFile } from './support/awscli-sandbox';
import { inputParameterPaths, loadEc2Model, maxResultsRange, type Ec2Model } from './support/botocore-ec2';
import { send, sign } from '../raw-signing';

/**
 * EC2 checks parameters before it acts: unknown names, the API version, the values of one filter,
 * and each operation's MaxResults range. Raw HTTP, so that nothing an SDK adds or drops hides a case.
 */

let model: Ec2Model;
// botocore's model is read from the venv the sandbox's hook ensures.
const sandbox = awsCliSandboxForThisFile({ profile: 'test' }, { whenStarted: () => (model = loadEc2Model()) });
const { json: aws } = sandbox.cli('ec2');

interface Answer {
  status: number;
  code?: string;
  message?: string;
}

async function post(params: string): Promise<Answer> {
  const request = {
    method: 'POST',
    url: sandbox.url,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: params,
  };
  const response = await send(sign(request, { service: 'ec2' }));
  const text = await response.text();
  if (response.ok) return { status: response.status };
  const error = (new XMLParser().parse(text) as { Response: { Errors: { Error: { Code: string; Message: string } } } }).Response.Errors
    .Error;
  return { status: response.status, code: error.Code, message: error.Message };
}

const V = 'Version=2016-11-15';

async function assertError(params: string, code: string, message?: string | RegExp): Promise<void> {
  const answer = await post(params);
  assert.equal(answer.status, 400, `${params}: ${JSON.stringify(answer)}`);
  assert.equal(answer.code, code, `${params}: ${answer.message}`);
  if (typeof message === 'string') assert.equal(answer.message, message);
  else if (message) assert.match(answer.message ?? '', message);
}

async function assertAccepted(params: string): Promise<void> {
  const answer = await post(params);
  assert.equal(answer.status, 200, `${params}: ${answer.code}: ${answer.message}`);
}

test("the table of known parameters is botocore's EC2 model for exactly the actions the sandbox serves", () => {
  assert.deepEqual(Object.keys(EC2_QUERY_PARAMETERS).sort(), [...EC2_ACTION_NAMES].sort());
  const fromModel = [...EC2_ACTION_NAMES].sort().map((action) => `  ${action}: '${inputParameterPaths(model, action).join(' ')}',`);
  const inTable = [...EC2_ACTION_NAMES].sort().map((action) => `  ${action}: '${EC2_QUERY_PARAMETERS[action]}',`);
  assert.deepEqual(
    inTable,
    fromModel,
    `ec2/query-parameters.ts is out of date with botocore; its entries should read:\n${fromModel.join('\n')}`,
  );
});

describe('unknown parameters', () => {
  test('a parameter the action does not have is UnknownParameter, with AWS message', async () => {
    await assertError(`Action=DescribeImages&${V}&Frobs=1`, 'UnknownParameter', 'The parameter Frobs is not recognized');
  });

  test('a misspelt filter list fails instead of describing everything', async () => {
    await assertError(`Action=DescribeImages&${V}&Filters.1.Name=name&Filters.1.Value.1=x`, 'UnknownParameter', /Filters\.1\.Name/);
    await assertError(`Action=DescribeImages&${V}&Filter.1.Nmae=name&Filter.1.Value.1=x`, 'UnknownParameter', /Filter\.1\.Nmae/);
    await assertError(`Action=DescribeInstances&${V}&InstanceIds.1=i-0123456789abcdef0`, 'UnknownParameter', /InstanceIds\.1/);
  });

  test("a misspelt filter name is EC2's InvalidParameterValue", async () => {
    await assertError(
      `Action=DescribeImages&${V}&Filter.1.Name=nmae&Filter.1.Value.1=x`,
      'InvalidParameterValue',
      "The filter 'nmae' is invalid",
    );
  });

  test('a value given where the model has a structure, or a list under a value, is unknown', async () => {
    await assertError(`Action=DescribeImages&${V}&MaxResults.1=5`, 'UnknownParameter', /MaxResults\.1/);
    await assertError(
      `Action=EnableFastLaunch&${V}&ImageId=${LINUX_BASE_AMI_ID}&LaunchTemplate.Id=lt-1`,
      'UnknownParameter',
      /LaunchTemplate\.Id/,
    );
  });

  test("members of botocore's model that the sandbox ignores are accepted", async () => {
    await assertAccepted(`Action=DescribeInstances&${V}&IncludeManagedResources=true`);
    await assertAccepted(`Action=DescribeVolumes&${V}&IncludeManagedResources=false`);
    const dryRun = await post(
      `Action=RunInstances&${V}&ImageId=${LINUX_BASE_AMI_ID}&MinCount=1&MaxCount=1&KernelId=aki-12345678&Monitoring.Enabled=false&DryRun=true`,
    );
    assert.equal(dryRun.code, 'DryRunOperation', dryRun.message);
  });

  test('the common query parameters of request signing are not unknown', async () => {
    const request = { method: 'GET', url: `${sandbox.url}/?Action=DescribeImages&${V}&Owner.1=self`, headers: {}, body: '' };
    const response = await send(sign(request, { service: 'ec2', presign: { expiresSeconds: 300 } }));
    assert.equal(response.status, 200, await response.text());
  });
});

describe('API versions', () => {
  test('an unknown Version is NoSuchVersion', async () => {
    await assertError(
      'Action=DescribeImages&Version=2099-01-01',
      'NoSuchVersion',
      'The requested version (2099-01-01) of service AmazonEC2 does not exist',
    );
  });

  test('no Version at all is MissingParameter', async () => {
    await assertError('Action=DescribeImages', 'MissingParameter', 'The request must contain the parameter Version');
  });

  test('an older version serves the actions it had', async () => {
    await assertAccepted('Action=DescribeImages&Version=2009-04-04&Owner.1=self');
    await assertAccepted('Action=DescribeVolumes&Version=2008-05-05');
  });

  test('an action newer than the requested version is InvalidAction', async () => {
    await assertError(
      `Action=DescribeFastLaunchImages&Version=2016-09-15`,
      'InvalidAction',
      'The action DescribeFastLaunchImages is not valid for this web service.',
    );
    await assertError('Action=CreateTags&Version=2010-06-15&ResourceId.1=ami-12345678&Tag.1.Key=k', 'InvalidAction');
    await assertError('Action=DescribeVolumes&Version=2008-02-01', 'InvalidAction');
  });
});

describe('filter values', () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => `Filter.1.Value.${i + 1}=ami-${String(i).padStart(8, '0')}`).join('&');

  test('200 values in one filter are accepted', async () => {
    await assertAccepted(`Action=DescribeImages&${V}&Filter.1.Name=image-id&${values(200)}`);
  });

  test('201 values in one filter are FilterLimitExceeded', async () => {
    await assertError(
      `Action=DescribeImages&${V}&Filter.1.Name=image-id&${values(201)}`,
      'FilterLimitExceeded',
      'The maximum number of filter values specified on a single call is 200',
    );
  });
});

describe('MaxResults', () => {
  test("each range botocore's model states is enforced, at both ends", async () => {
    const constrained = EC2_ACTION_NAMES.flatMap((action) => {
      const range = maxResultsRange(model, action);
      return range ? [[action, range] as const] : [];
    });
    assert.deepEqual(constrained.map(([action]) => action).sort(), [
      'DescribeFastLaunchImages',
      'DescribeLaunchTemplates',
      'DescribeReplaceRootVolumeTasks',
    ]);
    for (const [action, [min, max]] of constrained) {
      await assertAccepted(`Action=${action}&${V}&MaxResults=${min}`);
      await assertAccepted(`Action=${action}&${V}&MaxResults=${max}`);
      await assertError(`Action=${action}&${V}&MaxResults=${min - 1}`, 'InvalidParameterValue', /maxResults/);
      await assertError(`Action=${action}&${V}&MaxResults=${max + 1}`, 'InvalidParameterValue', /maxResults/);
    }
  });

  test('DescribeVolumes takes 5 to 500 and DescribeSnapshots 5 to 1000; a larger value returns at most that many, as documented', async () => {
    await assertError(`Action=DescribeVolumes&${V}&MaxResults=4`, 'InvalidParameterValue');
    await assertAccepted(`Action=DescribeVolumes&${V}&MaxResults=1000`);
    await assertError(`Action=DescribeSnapshots&${V}&MaxResults=4`, 'InvalidParameterValue');
    await assertAccepted(`Action=DescribeSnapshots&${V}&MaxResults=5000`);
  });

  test('DescribeImages and DescribeInstances take 5 to 1000', async () => {
    for (const action of ['DescribeImages', 'DescribeInstances']) {
      await assertAccepted(`Action=${action}&${V}&MaxResults=1000`);
      await assertError(`Action=${action}&${V}&MaxResults=1001`, 'InvalidParameterValue');
      await assertError(`Action=${action}&${V}&MaxResults=4`, 'InvalidParameterValue');
    }
  });

  test('aws ec2 describe-volumes and describe-snapshots work with the CLI default page size (MaxResults=1000)', async () => {
    await aws('run-instances', '--image-id', LINUX_BASE_AMI_ID, '--count', '1', '--instance-type', 't3.micro');
    const volumes = await aws<{ Volumes: { VolumeId: string }[] }>('describe-volumes');
    assert.equal(volumes.Volumes.length, 1);
    const snapshots = await aws<{ Snapshots: { SnapshotId: string }[] }>('describe-snapshots', '--owner-ids', 'self');
    assert.deepEqual(snapshots.Snapshots, []);
  });
});
