import { createHash, randomUUID } from 'node:crypto';
import type { MemberReader } from '../core/member-reader';
import type { JsonObject } from '../core/structure-protocol';
import { queryMap } from './query-map';
import { invalidParameter, topicByArn } from './topics';
import type { PublishedMessage, SnsContext, SnsState, TopicRecord } from './state';

/**
 * Publish to a topic, with AWS's FIFO rules: a FIFO topic needs MessageGroupId, and a
 * MessageDeduplicationId unless the topic deduplicates by content; a message whose deduplication ID the
 * topic accepted within the last five minutes is accepted again but not delivered a second time, and the
 * answer names the first message's ID and sequence number. A standard topic takes neither ID. Every
 * message delivered goes to the topic's log (the admin API's `GET /_sandbox/sns/messages`).
 */

/** SNS's FIFO deduplication interval. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
/** SNS takes messages of up to 256 KiB. */
const MAX_MESSAGE_BYTES = 256 * 1024;
/** How many messages each topic's log keeps, newest last. */
const MAX_LOGGED_MESSAGES = 1000;
const ID_RULE = /^[\x21-\x7e]{1,128}$/;

function publish(params: MemberReader, { state }: SnsContext): JsonObject {
  const arn = params.string('TopicArn') ?? params.string('TargetArn');
  if (arn === undefined) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  const message = params.requiredString('Message');
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  const subject = params.string('Subject');
  if (subject !== undefined && (subject.length > 100 || /[\r\n]/.test(subject))) throw invalidParameter('Subject');
  const messageAttributes = Object.fromEntries(
    queryMap(params, 'MessageAttributes', (entry) => {
      const value = entry.struct('Value');
      const dataType = value?.requiredString('DataType');
      if (!value || !dataType) throw invalidParameter(`Message attribute ${entry.requiredString('Name')} must have a value`);
      return [entry.requiredString('Name'), { dataType, stringValue: value.string('StringValue') }];
    }),
  );
  const messageGroupId = params.string('MessageGroupId', { pattern: ID_RULE });
  const messageDeduplicationId = params.string('MessageDeduplicationId', { pattern: ID_RULE });
  const topic = topicByArn(state, arn);
  const now = state.clock.now();
  const entry: PublishedMessage = {
    messageId: randomUUID(),
    subject,
    message,
    messageAttributes,
    messageGroupId,
    messageDeduplicationId,
    publishedAt: state.clock.toWall(now),
  };
  if (!topic.fifo) {
    if (messageDeduplicationId !== undefined) {
      throw invalidParameter(
        'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
      );
    }
    log(topic, entry);
    return { MessageId: entry.messageId };
  }
  if (messageGroupId === undefined) throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
  const dedupId =
    messageDeduplicationId ?? (topic.contentBasedDeduplication ? createHash('sha256').update(message).digest('hex') : undefined);
  if (dedupId === undefined) {
    throw invalidParameter('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
  }
  for (const [id, first] of topic.deduplication) if (now - first.at >= DEDUPLICATION_WINDOW_MS) topic.deduplication.delete(id);
  const first = topic.deduplication.get(dedupId);
  if (first) return { MessageId: first.messageId, SequenceNumber: first.sequenceNumber };
  const sequenceNumber = String(++topic.lastSequence).padStart(20, '0');
  topic.deduplication.set(dedupId, { messageId: entry.messageId, sequenceNumber, at: now });
  log(topic, { ...entry, sequenceNumber });
  return { MessageId: entry.messageId, SequenceNumber: sequenceNumber };
}

function log(topic: TopicRecord, entry: PublishedMessage): void {
  topic.messages.push(entry);
  if (topic.messages.length > MAX_LOGGED_MESSAGES) topic.messages.shift();
}

/** `GET /_sandbox/sns/messages`: the messages each topic of one account and Region delivered, oldest first. */
export interface SnsMessageLog {
  topics: { topicArn: string; fifo: boolean; messages: PublishedMessage[] }[];
}

export function messageLog(state: SnsState, topicArnFilter?: string): SnsMessageLog {
  return {
    topics: [...state.sns.topics.values()]
      .filter((t) => topicArnFilter === undefined || t.arn === topicArnFilter)
      .sort((a, b) => a.seq - b.seq)
      .map((t) => ({ topicArn: t.arn, fifo: t.fifo, messages: t.messages.map((m) => ({ ...m })) })),
  };
}

export const publishActions = { Publish: publish };
