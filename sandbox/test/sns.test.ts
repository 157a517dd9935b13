import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { CreateTopicCommand, DeleteTopicCommand, ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DEFAULT_ACCOUNT_ID, SANDBOX_CREDENTIALS } from '../index';
import { ec2SandboxForThisFile } from './support/ec2-sandbox';
import { rejectsWith } from './support/rejects-with';

/** Amazon SNS topics and Publish through the real `@aws-sdk/client-sns`, and the admin API's message log. */

const sandbox = ec2SandboxForThisFile();
// One attempt, so that an error shows rather than being retried away.
const sns = (region = 'us-east-1') => new SNSClient({ endpoint: sandbox.url, region, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });

beforeEach(() => sandbox.admin.reset());

describe('SNS topics', () => {
  test('CreateTopic is idempotent by name; ListTopics and DeleteTopic', async () => {
    const client = sns();
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'pipelines' }));
    assert.equal(TopicArn, `arn:aws:sns:us-east-1:${DEFAULT_ACCOUNT_ID}:pipelines`);
    assert.equal((await client.send(new CreateTopicCommand({ Name: 'pipelines' }))).TopicArn, TopicArn);
    const fifo = await client.send(new CreateTopicCommand({ Name: 'runs.fifo', Attributes: { FifoTopic: 'true' } }));
    assert.deepEqual((await client.send(new ListTopicsCommand({}))).Topics, [{ TopicArn }, { TopicArn: fifo.TopicArn }]);
    await rejectsWith(client.send(new CreateTopicCommand({ Name: 'runs.fifo' })), 'InvalidParameterException');
    await rejectsWith(
      client.send(new CreateTopicCommand({ Name: 'plain', Attributes: { FifoTopic: 'true' } })),
      'InvalidParameterException',
    );
    await rejectsWith(
      client.send(new CreateTopicCommand({ Name: 'runs.fifo', Attributes: { FifoTopic: 'false' } })),
      'InvalidParameterException',
    );
    await client.send(new DeleteTopicCommand({ TopicArn }));
    assert.deepEqual((await client.send(new ListTopicsCommand({}))).Topics, [{ TopicArn: fifo.TopicArn }]);
    // Another Region has topics of its own.
    assert.deepEqual((await sns('eu-west-1').send(new ListTopicsCommand({}))).Topics ?? [], []);
  });
});

describe('SNS Publish', () => {
  test('a standard topic delivers each message, attributes and all, to the admin log', async () => {
    const client = sns();
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'pipelines' }));
    const sent = await client.send(
      new PublishCommand({
        TopicArn,
        Subject: 'golden-image: completed',
        Message: '{"event":"completed"}',
        MessageAttributes: { event: { DataType: 'String', StringValue: 'completed' } },
      }),
    );
    assert.match(sent.MessageId!, /^[0-9a-f-]{36}$/);
    assert.equal(sent.SequenceNumber, undefined);
    const log = await sandbox.admin.snsMessages({ topicArn: TopicArn });
    assert.equal(log.topics.length, 1);
    const [message] = log.topics[0]!.messages;
    assert.equal(message?.messageId, sent.MessageId);
    assert.equal(message?.subject, 'golden-image: completed');
    assert.equal(message?.message, '{"event":"completed"}');
    assert.deepEqual(message?.messageAttributes, { event: { dataType: 'String', stringValue: 'completed' } });
    await rejectsWith(
      client.send(new PublishCommand({ TopicArn, Message: 'x', MessageDeduplicationId: 'k' })),
      'InvalidParameterException',
    );
  });

  test('NotFound for a topic that does not exist, here or in another Region', async () => {
    const client = sns();
    await rejectsWith(
      client.send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${DEFAULT_ACCOUNT_ID}:nope`, Message: 'x' })),
      'NotFoundException',
      404,
    );
    const { TopicArn } = await sns('eu-west-1').send(new CreateTopicCommand({ Name: 'elsewhere' }));
    await rejectsWith(client.send(new PublishCommand({ TopicArn, Message: 'x' })), 'NotFoundException', 404);
  });

  test('a FIFO topic needs a group, and delivers a deduplication ID once within five minutes', async () => {
    const client = sns();
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'runs.fifo', Attributes: { FifoTopic: 'true' } }));
    await rejectsWith(
      client.send(new PublishCommand({ TopicArn, Message: 'x', MessageDeduplicationId: 'k' })),
      'InvalidParameterException',
    );
    await rejectsWith(client.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g' })), 'InvalidParameterException');
    const publish = (message: string) =>
      client.send(new PublishCommand({ TopicArn, Message: message, MessageGroupId: 'g', MessageDeduplicationId: 'run-1/completed' }));
    const first = await publish('one');
    const again = await publish('one, retried');
    assert.equal(again.MessageId, first.MessageId);
    assert.equal(again.SequenceNumber, first.SequenceNumber);
    let log = await sandbox.admin.snsMessages({ topicArn: TopicArn });
    assert.deepEqual(
      log.topics[0]!.messages.map((m) => m.message),
      ['one'],
    );
    await sandbox.admin.advance(5 * 60_000);
    const later = await publish('after the window');
    assert.notEqual(later.MessageId, first.MessageId);
    assert.ok(BigInt(later.SequenceNumber!) > BigInt(first.SequenceNumber!));
    log = await sandbox.admin.snsMessages({ topicArn: TopicArn });
    assert.deepEqual(
      log.topics[0]!.messages.map((m) => [m.message, m.messageGroupId, m.messageDeduplicationId]),
      [
        ['one', 'g', 'run-1/completed'],
        ['after the window', 'g', 'run-1/completed'],
      ],
    );
  });
});
