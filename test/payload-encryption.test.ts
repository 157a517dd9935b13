/**
 * Payload encryption: the AES-GCM codec (round trip, key rotation, errors), the codec server over
 * HTTP, and an amiPipeline on a real dev server whose stored input and result are ciphertext.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { AmiPipelineResult } from '../contracts/ami-pipeline';
import { startCodecServer, type CodecServer } from '../codec-server/main';
import {
  dataConverterFromEnv,
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  workerDataConverterFromEnv,
} from '../contracts/encryption-codec';
import { startStack, type Stack } from './support/stack';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const UI_ORIGIN = 'http://127.0.0.1:8233';

const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString();

describe('EncryptionCodec', () => {
  test('round trip: the payload is ciphertext with our metadata, and decodes to the original', async () => {
    const codec = EncryptionCodec.fromText(`a:${KEY_A}`);
    const secretish = { name: 'web-golden', instanceId: 'i-0123456789abcdef0' };
    const [encrypted] = await codec.encode([toPayload(secretish)]);
    assert.equal(text(encrypted!.metadata!['encoding']), ENCRYPTED_ENCODING);
    assert.equal(text(encrypted!.metadata![KEY_ID_METADATA]), 'a');
    assert.ok(!text(encrypted!.data).includes('web-golden'));
    assert.ok(!text(encrypted!.data).includes('json/plain'), 'the inner encoding is hidden too');
    const [decoded] = await codec.decode([encrypted!]);
    assert.deepEqual(fromPayload(decoded!), secretish);
    const [again] = await codec.encode([toPayload(secretish)]);
    assert.notDeepEqual(again!.data, encrypted!.data, 'a fresh IV for every payload');
  });

  test('rotation: a payload from key A decodes with keys "B,A", and new payloads use B', async () => {
    const old = EncryptionCodec.fromText(`a:${KEY_A}`);
    const rotated = EncryptionCodec.fromText(`b:${KEY_B}, a:${KEY_A}`);
    const [fromA] = await old.encode([toPayload('written before rotation')]);
    assert.equal(fromPayload((await rotated.decode([fromA!]))[0]!), 'written before rotation');
    const [fromB] = await rotated.encode([toPayload('written after rotation')]);
    assert.equal(text(fromB!.metadata![KEY_ID_METADATA]), 'b');
    assert.equal(fromPayload((await rotated.decode([fromB!]))[0]!), 'written after rotation');
  });

  test('an unknown key id fails with a message naming the id and not the key', async () => {
    const [fromB] = await EncryptionCodec.fromText(`b:${KEY_B}`).encode([toPayload('x')]);
    const err = await EncryptionCodec.fromText(`a:${KEY_A}`)
      .decode([fromB!])
      .then(
        () => assert.fail('decode should fail'),
        (e: unknown) => e as Error,
      );
    assert.match(err.message, /key id "b"/);
    for (const key of [KEY_A, KEY_B]) assert.ok(!err.message.includes(key), 'no key material in the message');
  });

  test('tampered ciphertext, or a payload relabelled with another key id, is rejected', async () => {
    const codec = EncryptionCodec.fromText(`a:${KEY_A},b:${KEY_B}`);
    const [encrypted] = await codec.encode([toPayload({ amount: 1 })]);
    const flipped = Buffer.from(encrypted!.data!);
    flipped[20]! ^= 0x01;
    await assert.rejects(codec.decode([{ ...encrypted!, data: flipped }]), /authentication failed/);
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
    await assert.rejects(codec.decode([relabelled]), /authentication failed/);
  });

  test('payloads that are not encrypted pass through decode unchanged', async () => {
    const plain = toPayload({ startedBefore: 'encryption was on' });
    const [decoded] = await EncryptionCodec.fromText(`a:${KEY_A}`).decode([plain]);
    assert.equal(decoded, plain);
  });

  test('a worker that encrypts refuses a payload written without a key, unless plaintext is allowed for a migration', async () => {
    const plain = toPayload({ name: 'web-golden' });
    const worker = workerDataConverterFromEnv({ GOLDEN_IMAGE_ENCRYPTION_KEYS: `a:${KEY_A}` })!.payloadCodecs![0]!;
    await assert.rejects(
      worker.decode([plain]),
      /unencrypted payload.*GOLDEN_IMAGE_ENCRYPTION_KEYS.*GOLDEN_IMAGE_ALLOW_PLAINTEXT_PAYLOADS=1/s,
    );
    // Its own payloads still decode.
    assert.deepEqual(fromPayload((await worker.decode(await worker.encode([plain])))[0]!), { name: 'web-golden' });
    const migrating = workerDataConverterFromEnv({
      GOLDEN_IMAGE_ENCRYPTION_KEYS: `a:${KEY_A}`,
      GOLDEN_IMAGE_ALLOW_PLAINTEXT_PAYLOADS: '1',
    })!.payloadCodecs![0]!;
    assert.equal((await migrating.decode([plain]))[0], plain);
    assert.equal(workerDataConverterFromEnv({}), undefined, 'no keys: no encryption, nothing to refuse');
  });

  test('keys from the environment: off when unset, clear errors for bad entries, never echoing the key', () => {
    assert.equal(dataConverterFromEnv({}), undefined);
    assert.equal(dataConverterFromEnv({ GOLDEN_IMAGE_ENCRYPTION_KEYS: ' ' }), undefined);
    assert.equal(dataConverterFromEnv({ GOLDEN_IMAGE_ENCRYPTION_KEYS: `a:${KEY_A}` })?.payloadCodecs?.length, 1);
    const short = Buffer.from('too short for AES-256').toString('base64');
    assert.throws(
      () => EncryptionCodec.fromText(`a:${short}`),
      (e: Error) => /key "a": expected 32 bytes/.test(e.message) && !e.message.includes(short),
    );
    assert.throws(
      () => EncryptionCodec.fromText(KEY_A),
      (e: Error) => /entry 1: expected keyId:base64key/.test(e.message) && !e.message.includes(KEY_A),
    );
    assert.throws(() => EncryptionCodec.fromText(`a:${KEY_A},a:${KEY_B}`), /key id "a" twice/);
  });
});

describe('codec server', () => {
  let server: CodecServer;
  let guarded: CodecServer;
  before(async () => {
    server = await startCodecServer({ codec: EncryptionCodec.fromText(`a:${KEY_A}`), port: 0, uiOrigins: [UI_ORIGIN] });
    guarded = await startCodecServer({
      codec: EncryptionCodec.fromText(`a:${KEY_A}`),
      port: 0,
      uiOrigins: [UI_ORIGIN],
      hostNames: ['codec.example.com'],
      token: 'the-token-the-ui-forwards',
    });
  });
  after(async () => {
    await server?.close();
    await guarded?.close();
  });

  /** A raw request, since fetch() will not send another Host header than the URL's. */
  const raw = (url: string, headers: Record<string, string>, method = 'POST', body = '{"payloads":[]}') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url + '/decode', { method, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(method === 'POST' ? body : undefined);
    });

  test('DNS rebinding: a request for another host name is refused with 403; loopback names and configured names are served', async () => {
    const port = new URL(server.url).port;
    const rebound = await raw(server.url, { Host: `attacker.example:${port}` });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /host/i);
    assert.equal((await raw(server.url, { Host: `127.0.0.1:${port}` })).status, 200);
    assert.equal((await raw(server.url, { Host: `localhost:${port}` })).status, 200);
    assert.equal((await raw(server.url, { Host: `localhost:1${port}` })).status, 403, 'another port is another host');
    const token = { Authorization: 'Bearer the-token-the-ui-forwards' };
    assert.equal((await raw(guarded.url, { Host: 'codec.example.com', ...token })).status, 200);
    assert.equal((await raw(guarded.url, { Host: 'codec.example.com.attacker.example', ...token })).status, 403);
  });

  test('a page of another origin is refused with 403, preflight and request; no Origin (the CLI) is served', async () => {
    const foreign = await raw(server.url, { Origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.match(foreign.body, /origin/i);
    assert.equal((await raw(server.url, { Origin: 'http://evil.example' }, 'OPTIONS')).status, 403);
    assert.equal((await raw(server.url, { Origin: 'null' })).status, 403);
    assert.equal((await raw(server.url, {})).status, 200);
    assert.equal((await raw(server.url, { Origin: UI_ORIGIN })).status, 200);
  });

  test('with a required token, a request without the bearer token the UI forwards, or with another, gets 401', async () => {
    assert.equal((await raw(guarded.url, {})).status, 401);
    assert.equal((await raw(guarded.url, { Authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await raw(guarded.url, { Authorization: 'the-token-the-ui-forwards' })).status, 401);
    assert.equal((await raw(guarded.url, { Authorization: 'Bearer the-token-the-ui-forwards' })).status, 200);
    // The browser's preflight carries no Authorization header; it is answered, and the POST is checked.
    assert.equal((await raw(guarded.url, { Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST' }, 'OPTIONS')).status, 204);
  });

  const post = (path: string, payloads: unknown[], origin = UI_ORIGIN) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin, 'X-Namespace': 'default' },
      body: JSON.stringify({ payloads }),
    });
  const asJson = (p: Payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  });

  test('/encode then /decode round-trips payloads over HTTP, with CORS for the UI', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const encodeRes = await post('/encode', [asJson(toPayload({ name: 'web-golden' }))]);
    assert.equal(encodeRes.status, 200);
    assert.equal(encodeRes.headers.get('access-control-allow-origin'), UI_ORIGIN);
    const encoded = (await encodeRes.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(encoded.payloads[0]!.metadata['encoding']!, 'base64').toString(), ENCRYPTED_ENCODING);
    assert.ok(!Buffer.from(encoded.payloads[0]!.data, 'base64').toString().includes('web-golden'));

    // The UI and the CLI may put the namespace in the path.
    const decodeRes = await post('/default/decode', encoded.payloads);
    assert.equal(decodeRes.status, 200);
    const decoded = (await decodeRes.json()) as typeof encoded;
    const payload = decoded.payloads[0]!;
    const back = {
      metadata: Object.fromEntries(Object.entries(payload.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(payload.data, 'base64'),
    };
    assert.deepEqual(fromPayload(back), { name: 'web-golden' });
  });

  test('the CORS preflight allows POST and the X-Namespace header from the UI origin only', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/i);
    const foreign = await post('/decode', [], 'http://evil.example');
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  test('bad requests get clear errors: unknown path, wrong method, not JSON, unknown key id', async () => {
    assert.equal((await post('/nope', [])).status, 404);
    assert.equal((await fetch(`${server.url}/decode`)).status, 405);
    assert.equal((await fetch(`${server.url}/decode`, { method: 'POST', body: '{' })).status, 400);
    const [fromB] = await EncryptionCodec.fromText(`b:${KEY_B}`).encode([toPayload('x')]);
    const res = await post('/decode', [asJson(fromB!)]);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { message: string };
    assert.match(body.message, /key id "b"/);
    assert.ok(!body.message.includes(KEY_A) && !body.message.includes(KEY_B));
  });
});

describe('amiPipeline with encryption on', () => {
  // As the production worker does with keys set: it refuses payloads written without a key.
  const codec = workerDataConverterFromEnv({ GOLDEN_IMAGE_ENCRYPTION_KEYS: `b:${KEY_B},a:${KEY_A}` })!.payloadCodecs![0]!;
  let stack: Stack;
  before(async () => {
    stack = await startStack({ profile: 'test' }, { dataConverter: { payloadCodecs: [codec] } });
  });
  after(async () => {
    await stack?.close();
  });

  test('the run completes, the stored input and result are ciphertext, and a client with the key reads them', async () => {
    const instanceId = await stack.launchInstance('windows', { Name: 'win-build' });
    const name = 'secret-pipeline-name';
    const workflowId = `encrypted-${Date.now()}`;
    const handle = await stack.env.client.workflow.start('amiPipeline', {
      args: [{ name, instanceId, waits: { image: { interval: '200ms', timeout: '2m' } } }],
      taskQueue: stack.taskQueue,
      workflowId,
    });
    const result = (await handle.result()) as AmiPipelineResult;
    assert.match(result.imageId, /^ami-[0-9a-f]{17}$/);

    // What Temporal stores, read by a client that has no key.
    const raw = new Client({ connection: stack.env.connection });
    const history = await raw.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const input =
      events.find((e) => e.workflowExecutionStartedEventAttributes)?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const output =
      events.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes?.result?.payloads ?? [];
    assert.equal(input.length, 1);
    assert.equal(output.length, 1);
    for (const payload of [...input, ...output]) {
      assert.equal(text(payload.metadata?.['encoding']), ENCRYPTED_ENCODING);
      assert.equal(text(payload.metadata?.[KEY_ID_METADATA]), 'b', 'the first key encrypts');
      const bytes = Buffer.from(payload.data ?? new Uint8Array());
      for (const plaintext of [name, instanceId, result.imageId, result.imageName]) {
        assert.ok(!bytes.includes(plaintext), `${plaintext} is not in the stored bytes`);
      }
    }
    // Every other payload the run wrote (activity inputs and results, summaries) is ciphertext too;
    // only search attributes stay readable, since the server indexes them.
    const payloads = userPayloads(history);
    assert.ok(payloads.length > 4, `found ${payloads.length} payloads`);
    for (const payload of payloads) assert.equal(text(payload.metadata?.['encoding']), ENCRYPTED_ENCODING);

    // A client without the key cannot read the result; the one with it can.
    await assert.rejects(raw.workflow.getHandle(workflowId).result(), /binary\/encrypted|Unknown encoding/i);
    assert.deepEqual(await stack.env.client.workflow.getHandle(workflowId).result(), result);
  });

  test('an input written by a client without the key fails the workflow task with a clear error, and nothing is created', async () => {
    const instanceId = await stack.launchInstance('windows', { Name: 'win-build' });
    const workflowId = `plaintext-${Date.now()}`;
    const raw = new Client({ connection: stack.env.connection });
    const handle = await raw.workflow.start('amiPipeline', {
      args: [{ name: 'plaintext-pipeline', instanceId, waits: { image: { interval: '200ms', timeout: '2m' } } }],
      taskQueue: stack.taskQueue,
      workflowId,
    });
    try {
      let failure: string | undefined;
      for (let i = 0; i < 100 && !failure; i++) {
        const { events } = await handle.fetchHistory();
        failure =
          events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure?.message ?? undefined;
        if (!failure) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(failure ?? 'no workflow task failure', /unencrypted payload/);
      const { events } = await handle.fetchHistory();
      assert.ok(!events?.some((e) => e.activityTaskScheduledEventAttributes), 'no activity ran');
    } finally {
      await handle.terminate('test done');
    }
  });
});

/**
 * Every payload in a history's events, apart from search attributes, headers (which carry none of ours)
 * and what the SDK's core writes itself, not through the codec: the markers `patched()` records (the
 * patch's name) and a local activity marker's `data` (its sequence number, type and times; its result is ours).
 */
function userPayloads(history: temporal.api.history.v1.IHistory): Payload[] {
  const found: Payload[] = [];
  const walk = (value: unknown, key: string): void => {
    if (!value || typeof value !== 'object' || key === 'searchAttributes' || key === 'header') return;
    if (value instanceof Uint8Array) return;
    const record = value as Record<string, unknown>;
    if ('metadata' in record && 'data' in record && record['data'] instanceof Uint8Array) {
      found.push(record as Payload);
      return;
    }
    for (const [k, v] of Object.entries(record)) walk(v, k);
  };
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_patch') continue;
    if (marker?.markerName === 'core_local_activity') {
      for (const [key, payloads] of Object.entries(marker.details ?? {})) if (key !== 'data') walk(payloads, key);
      continue;
    }
    walk(event, '');
  }
  return found;
}
