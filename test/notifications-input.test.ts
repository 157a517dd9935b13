/**
 * Bad `notify:` blocks and bad worker notification settings are refused before anything runs, each with
 * a message that says what is wrong: in the schema every kind shares, and on the CLI (exit 2).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { notifierSettingsFromEnv } from '../activities/notify/settings';
import { amiPipelineInput } from '../contracts/ami-pipeline';
import { appStreamImageBuilderInput } from '../contracts/appstream-image-builder';
import { appStreamImageUpdateInput } from '../contracts/appstream-image-update';
import { parseInput } from '../contracts/input-validation';
import { inputProblems } from './support/input-problems';

const ami = { name: 'web-golden', instanceId: 'i-0123456789abcdef0' };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:golden-image';

const problems = (input: unknown, schema: Parameters<typeof parseInput>[0] = amiPipelineInput) => inputProblems(schema, input);

describe('notify: block', () => {
  test('defaults: every event but unchanged and no-update; false sends none; every kind takes it', () => {
    assert.deepEqual(parseInput(amiPipelineInput, { ...ami, notify: { sns: { topicArn: TOPIC } } }).notify, {
      sns: { topicArn: TOPIC },
      events: ['approval-needed', 'failed', 'completed', 'incident'],
    });
    assert.deepEqual(parseInput(amiPipelineInput, { ...ami, notify: false }).notify, { events: [] });
    const webhook = { webhook: { urlFromEnv: 'SLACK_WEBHOOK_URL', format: 'slack' }, events: ['failed', 'no-update'] };
    const update = { name: 'apps', existingImageName: 'golden', newImageName: 'golden-{{run}}', notify: webhook };
    assert.deepEqual(parseInput(appStreamImageUpdateInput, update).notify, { ...webhook, webhook: { ...webhook.webhook } });
    const builder = { action: 'stop', name: 'builder-1', notify: { webhook: { url: 'https://hooks.example.com/x' } } };
    assert.equal(parseInput(appStreamImageBuilderInput, builder).notify?.webhook?.format, 'json');
  });

  const BAD: [string, unknown, string][] = [
    [
      'http off loopback',
      { webhook: { url: 'http://hooks.example.com/x' } },
      'notify.webhook.url: must be https (plain http only on loopback: 127.0.0.1, ::1, localhost), not http://hooks.example.com',
    ],
    [
      'not a URL',
      { webhook: { url: 'hooks.example.com' } },
      'notify.webhook.url: must be a URL such as https://hooks.example.com/golden-image',
    ],
    [
      'credentials in the URL',
      { webhook: { url: 'https://bot:hunter2@hooks.example.com/x' } },
      'notify.webhook.url: must not carry credentials (user:password@): keep secrets out of the config, use urlFromEnv',
    ],
    [
      'both url and urlFromEnv',
      { webhook: { url: 'https://hooks.example.com/x', urlFromEnv: 'HOOK' } },
      'notify.webhook: give exactly one of url or urlFromEnv',
    ],
    [
      'an environment variable name that is not one',
      { webhook: { urlFromEnv: 'slack-url' } },
      'notify.webhook.urlFromEnv: must be an environment variable name such as SLACK_WEBHOOK_URL',
    ],
    [
      'an unknown format',
      { webhook: { url: 'https://hooks.example.com/x', format: 'teams' } },
      'notify.webhook.format: Invalid option: expected one of "json"|"slack"',
    ],
    [
      'a topic ARN that is not one',
      { sns: { topicArn: 'arn:aws:sqs:us-east-1:123456789012:q' } },
      'notify.sns.topicArn: must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:golden-image (a FIFO topic ends in .fifo)',
    ],
    [
      'an unknown event',
      { events: ['completed', 'finished'] },
      'notify.events.1: Invalid option: expected one of "approval-needed"|"failed"|"completed"|"incident"|"unchanged"|"no-update"',
    ],
    ['an event twice', { events: ['failed', 'failed'] }, 'notify.events: lists failed more than once'],
    ['an unknown setting', { slack: 'x' }, 'notify: Unrecognized key: "slack"'],
  ];
  for (const [what, block, problem] of BAD) {
    test(`refused: ${what}`, () => assert.deepEqual(problems({ ...ami, notify: block }), [problem]));
  }

  test('loopback receivers may use plain http', () => {
    for (const url of ['http://127.0.0.1:8080/h', 'http://localhost/h', 'http://[::1]:9000/h']) {
      assert.deepEqual(problems({ ...ami, notify: { webhook: { url } } }), [], url);
    }
  });
});

describe('worker notification settings', () => {
  test('read from the environment; a bad value stops the worker, naming the variable but not its value', () => {
    const settings = notifierSettingsFromEnv({
      GOLDEN_IMAGE_NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/secret-path',
      GOLDEN_IMAGE_NOTIFY_WEBHOOK_FORMAT: 'slack',
      GOLDEN_IMAGE_NOTIFY_SNS_TOPIC_ARN: `${TOPIC}.fifo`,
      GOLDEN_IMAGE_WEBHOOK_SECRET: 's3cret',
      GOLDEN_IMAGE_UI_URL: 'https://temporal.example.com/',
    });
    assert.deepEqual(settings.defaults, {
      webhook: { url: 'https://hooks.example.com/secret-path', format: 'slack' },
      sns: { topicArn: `${TOPIC}.fifo` },
    });
    assert.equal(settings.uiUrl, 'https://temporal.example.com');
    assert.equal(notifierSettingsFromEnv({}).defaults, undefined);
    assert.equal(notifierSettingsFromEnv({}).uiUrl, 'http://127.0.0.1:8233');
    assert.throws(
      () => notifierSettingsFromEnv({ GOLDEN_IMAGE_NOTIFY_WEBHOOK_URL: 'http://hooks.example.com/secret-path' }),
      (err: Error) =>
        err.message ===
        'GOLDEN_IMAGE_NOTIFY_WEBHOOK_URL must be https (plain http only on loopback: 127.0.0.1, ::1, localhost), not http://hooks.example.com',
    );
    assert.throws(
      () => notifierSettingsFromEnv({ GOLDEN_IMAGE_NOTIFY_SNS_TOPIC_ARN: 'golden-image' }),
      /^Error: GOLDEN_IMAGE_NOTIFY_SNS_TOPIC_ARN must be an SNS topic ARN/,
    );
    assert.throws(
      () => notifierSettingsFromEnv({ GOLDEN_IMAGE_NOTIFY_WEBHOOK_FORMAT: 'xml' }),
      /GOLDEN_IMAGE_NOTIFY_WEBHOOK_FORMAT must be json or slack, not xml/,
    );
  });
});

describe('golden-image validate', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(tmpdir(), 'notify-input-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  test('a config whose webhook is plain http off loopback exits 2 with the problem', async () => {
    const file = path.join(dir, 'web.yaml');
    await writeFile(
      file,
      JSON.stringify({ kind: 'ami', ...ami, notify: { webhook: { url: 'http://hooks.example.com/x' }, events: ['done'] } }),
    );
    const bin = path.resolve(__dirname, '../client/bin.cjs');
    const outcome = await promisify(execFile)(process.execPath, [bin, 'validate', '-f', file], { env: { PATH: process.env.PATH } }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(outcome.code, 2);
    assert.match(
      outcome.stderr,
      /notify\.webhook\.url: must be https \(plain http only on loopback: 127\.0\.0\.1, ::1, localhost\), not http:\/\/hooks\.example\.com/,
    );
    assert.match(outcome.stderr, /notify\.events\.0: Invalid option: expected one of "approval-needed"/);
  });
});
