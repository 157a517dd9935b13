import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppStreamClient, DescribeImagesCommand as DescribeAppStreamImagesCommand } from '@aws-sdk/client-appstream';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { decodeFirstSync } from 'cbor';
import { XMLParser } from 'fast-xml-parser';
import { createSandbox, SandboxAdmin, SANDBOX_ACCESS_KEYS, SANDBOX_CREDENTIALS, WINDOWS_BASE_AMI_ID, type RunningSandbox } from '../index';
import { verifySigV4 } from '../core/sigv4';
import { rejectsWith } from './support/rejects-with';
import { amzDate, send, sign, type RawRequest, type SignOptions } from '../raw-signing';

/**
 * SigV4 is checked as AWS checks it, and each failure is answered in the protocol's own terms:
 * EC2's Query errors, AppStream's JSON 1.1 and RPC v2 CBOR exceptions.
 */

let running: RunningSandbox;
let admin: SandboxAdmin;

before(async () => {
  running = await createSandbox({ port: 0, config: { profile: 'test' } });
  admin = new SandboxAdmin(running.url);
});
after(() => running.close());

const MINUTE = 60_000;
const WRONG_SECRET = { accessKeyId: SANDBOX_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' };
const UNKNOWN_KEY = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: SANDBOX_CREDENTIALS.secretAccessKey };

function ec2Request(action = 'DescribeImages'): RawRequest {
  return {
    method: 'POST',
    url: running.url,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: `Action=${action}&Version=2016-11-15`,
  };
}

function jsonRequest(): RawRequest {
  return {
    method: 'POST',
    url: running.url,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'PhotonAdminProxyService.DescribeImages' },
    body: '{}',
  };
}

function cborRequest(): RawRequest {
  return {
    method: 'POST',
    url: `${running.url}/service/PhotonAdminProxyService/operation/DescribeImages`,
    headers: { 'content-type': 'application/cbor', accept: 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' },
    body: Buffer.from([0xa0]), // {}
  };
}

async function ec2Error(request: RawRequest) {
  const response = await send(request);
  const parsed = new XMLParser().parse(await response.text()) as { Response: { Errors: { Error: { Code: string; Message: string } } } };
  return { status: response.status, ...parsed.Response.Errors.Error };
}

async function jsonError(request: RawRequest) {
  const response = await send(request);
  const body = (await response.json()) as { __type: string; Message: string };
  return { status: response.status, code: body.__type, message: body.Message };
}

async function cborError(request: RawRequest) {
  const response = await send(request);
  assert.equal(response.headers.get('smithy-protocol'), 'rpc-v2-cbor');
  const body = decodeFirstSync(Buffer.from(await response.arrayBuffer())) as { __type: string; Message: string };
  return { status: response.status, code: body.__type, message: body.Message };
}

/** A signed request with its Authorization header replaced. */
function withAuthorization(request: RawRequest, authorization: string): RawRequest {
  return { ...request, headers: { ...request.headers, authorization } };
}

describe('EC2 (Query protocol)', () => {
  const signed = (options: Partial<SignOptions> = {}) => sign(ec2Request(), { service: 'ec2', ...options });

  test('a request signed with a sandbox key succeeds; within 15 minutes of skew too', async () => {
    assert.equal((await send(signed())).status, 200);
    assert.equal((await send(signed({ date: new Date(Date.now() - 14 * MINUTE) }))).status, 200);
    assert.equal((await send(signed({ date: new Date(Date.now() + 14 * MINUTE) }))).status, 200);
  });

  test('no signature at all: 403 MissingAuthenticationToken', async () => {
    const error = await ec2Error(ec2Request());
    assert.deepEqual([error.status, error.Code], [403, 'MissingAuthenticationToken']);
  });

  test('a malformed Authorization header: 400 IncompleteSignature', async () => {
    const good = signed();
    const noSignature = good.headers.authorization!.replace(/, Signature=.*$/, '');
    let error = await ec2Error(withAuthorization(good, noSignature));
    assert.deepEqual([error.status, error.Code], [400, 'IncompleteSignature']);
    assert.match(error.Message, /requires 'Signature' parameter/);
    error = await ec2Error(withAuthorization(good, good.headers.authorization!.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')));
    assert.deepEqual([error.status, error.Code], [400, 'IncompleteSignature']);
    const { 'x-amz-date': _date, ...withoutDate } = good.headers;
    error = await ec2Error({ ...good, headers: withoutDate });
    assert.deepEqual([error.status, error.Code], [400, 'IncompleteSignature']);
  });

  test('a wrong signature, a changed body, another service, an unknown key: 401 AuthFailure', async () => {
    const tampered = { ...signed(), body: 'Action=DescribeImages&Version=2016-11-15&Owner.1=self' };
    for (const request of [
      signed({ credentials: WRONG_SECRET }),
      tampered,
      signed({ service: 'appstream' }),
      signed({ credentials: UNKNOWN_KEY }),
    ]) {
      const error = await ec2Error(request);
      assert.deepEqual(
        [error.status, error.Code, error.Message],
        [401, 'AuthFailure', 'AWS was not able to validate the provided access credentials'],
      );
    }
  });

  test('a request time more than 15 minutes off, either way: 400 RequestExpired', async () => {
    for (const offset of [-16 * MINUTE, 16 * MINUTE]) {
      const error = await ec2Error(signed({ date: new Date(Date.now() + offset) }));
      assert.deepEqual([error.status, error.Code], [400, 'RequestExpired']);
    }
  });

  test('presigned query-string auth works until X-Amz-Expires runs out', async () => {
    const get = {
      method: 'GET',
      url: `${running.url}/?Action=DescribeImages&Version=2016-11-15&ImageId.1=${WINDOWS_BASE_AMI_ID}`,
      headers: {},
      body: '',
    };
    const ok = await send(sign(get, { service: 'ec2', presign: { expiresSeconds: 300 } }));
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), new RegExp(WINDOWS_BASE_AMI_ID));
    const expired = await ec2Error(sign(get, { service: 'ec2', presign: { expiresSeconds: 60 }, date: new Date(Date.now() - 2 * MINUTE) }));
    assert.deepEqual([expired.status, expired.Code], [400, 'RequestExpired']);
    const tampered = sign(get, { service: 'ec2', presign: { expiresSeconds: 300 } });
    const error = await ec2Error({ ...tampered, url: tampered.url.replace('ImageId.1=', 'ImageId.1=ami-0') });
    assert.deepEqual([error.status, error.Code], [401, 'AuthFailure']);
  });

  test('a session token is accepted with any sandbox key', async () => {
    const request = sign(
      { ...ec2Request(), headers: { ...ec2Request().headers, 'x-amz-security-token': 'any-session-token' } },
      { service: 'ec2' },
    );
    assert.equal((await send(request)).status, 200);
  });

  test('the SDK with a wrong secret gets AuthFailure (401), and refused calls are not counted', async () => {
    await admin.resetCalls();
    const ec2 = new EC2Client({ endpoint: running.url, region: 'us-east-1', credentials: WRONG_SECRET, maxAttempts: 1 });
    await rejectsWith(ec2.send(new DescribeImagesCommand({})), 'AuthFailure', 401);
    assert.deepEqual((await admin.calls()).ec2, {});
  });
});

describe('AppStream (JSON 1.1 and RPC v2 CBOR)', () => {
  const over = [
    { protocol: 'JSON 1.1', request: jsonRequest, error: jsonError, type: (code: string) => code },
    { protocol: 'RPC v2 CBOR', request: cborRequest, error: cborError, type: (code: string) => `com.amazonaws.appstream#${code}` },
  ];

  for (const { protocol, request, error: errorOf, type } of over) {
    const signed = (options: Partial<SignOptions> = {}) => sign(request(), { service: 'appstream', ...options });

    test(`${protocol}: a signed request succeeds`, async () => {
      assert.equal((await send(signed())).status, 200);
    });

    test(`${protocol}: no signature: 400 MissingAuthenticationTokenException`, async () => {
      const error = await errorOf(request());
      assert.deepEqual([error.status, error.code], [400, type('MissingAuthenticationTokenException')]);
    });

    test(`${protocol}: a malformed Authorization header or scope: 400 IncompleteSignatureException`, async () => {
      const good = signed();
      const noCredential = good.headers.authorization!.replace(/Credential=[^,]*, /, '');
      let error = await errorOf(withAuthorization(good, noCredential));
      assert.deepEqual([error.status, error.code], [400, type('IncompleteSignatureException')]);
      error = await errorOf(withAuthorization(good, good.headers.authorization!.replace('/aws4_request', '/aws4_whatever')));
      assert.deepEqual([error.status, error.code], [400, type('IncompleteSignatureException')]);
    });

    test(`${protocol}: a wrong signature or another service's scope: 400 InvalidSignatureException`, async () => {
      let error = await errorOf(signed({ credentials: WRONG_SECRET }));
      assert.deepEqual([error.status, error.code], [400, type('InvalidSignatureException')]);
      assert.match(error.message, /^The request signature we calculated does not match/);
      error = await errorOf(signed({ service: 'ec2' }));
      assert.deepEqual(
        [error.status, error.code, error.message.trim()],
        [400, type('InvalidSignatureException'), "Credential should be scoped to correct service: 'appstream'."],
      );
    });

    test(`${protocol}: an unknown key: 400 UnrecognizedClientException`, async () => {
      const error = await errorOf(signed({ credentials: UNKNOWN_KEY }));
      assert.deepEqual([error.status, error.code], [400, type('UnrecognizedClientException')]);
    });

    test(`${protocol}: a request time more than 15 minutes off: 400 InvalidSignatureException, Signature expired`, async () => {
      const date = new Date(Date.now() - 20 * MINUTE);
      let error = await errorOf(signed({ date }));
      assert.deepEqual([error.status, error.code], [400, type('InvalidSignatureException')]);
      assert.match(
        error.message,
        new RegExp(`^Signature expired: ${amzDate(date)} is now earlier than \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z - 15 min\\.\\)$`),
      );
      error = await errorOf(signed({ date: new Date(Date.now() + 20 * MINUTE) }));
      assert.match(error.message, /^Signature not yet current: /);
    });
  }

  test('the SDK with a wrong secret gets InvalidSignatureException', async () => {
    const appstream = new AppStreamClient({ endpoint: running.url, region: 'us-east-1', credentials: WRONG_SECRET, maxAttempts: 1 });
    await rejectsWith(appstream.send(new DescribeAppStreamImagesCommand({})), 'InvalidSignatureException', 400);
  });
});

describe('keys and accounts', () => {
  test('the default keys belong to two accounts; the signature tells the caller, its account and Region', () => {
    assert.equal(new Set(SANDBOX_ACCESS_KEYS.map((k) => k.accountId)).size, 2);
    const second = SANDBOX_ACCESS_KEYS[1]!;
    const request = sign(ec2Request(), { service: 'ec2', region: 'eu-west-1', credentials: second });
    const caller = verifySigV4(
      { method: 'POST', target: '/', rawHeaders: Object.entries(request.headers).flat(), body: Buffer.from(request.body) },
      'ec2',
      SANDBOX_ACCESS_KEYS,
      Date.now(),
    );
    assert.deepEqual(caller, { accessKeyId: second.accessKeyId, accountId: second.accountId, region: 'eu-west-1' });
  });

  test('the keys are configurable; the admin API stays unsigned', async () => {
    const own = { accessKeyId: 'AKIAOWNKEY0000000001', secretAccessKey: 'own-secret', accountId: '999988887777' };
    await admin.configure({ accessKeys: [own] });
    try {
      assert.equal((await send(sign(ec2Request(), { service: 'ec2', credentials: own }))).status, 200);
      assert.equal((await ec2Error(sign(ec2Request(), { service: 'ec2' }))).Code, 'AuthFailure');
    } finally {
      await admin.reset({ profile: 'test' });
    }
    assert.equal((await send(sign(ec2Request(), { service: 'ec2' }))).status, 200);
  });
});
