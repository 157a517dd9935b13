import { ApiError } from '../core/errors';
import type { MemberReader } from '../core/member-reader';
import type { JsonObject } from '../core/structure-protocol';
import { queryMap } from './query-map';
import { topicArn, type SnsContext, type SnsState, type TopicRecord } from './state';

/**
 * SNS topics as the API reference has them: CreateTopic (idempotent by name: the same name and
 * attributes answer with the existing topic's ARN; a FIFO topic's name ends in `.fifo` and it is asked
 * for with the attribute FifoTopic=true), DeleteTopic (a topic that is not there is no error, as on AWS)
 * and ListTopics (100 a page, by NextToken).
 */

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_TOPIC_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;
const PAGE_SIZE = 100;
/** The attributes the sandbox understands at creation; AWS takes more (policies, delivery, KMS), which it keeps but ignores. */
const BOOLEAN_ATTRIBUTES = ['FifoTopic', 'ContentBasedDeduplication'];

export function invalidParameter(detail: string): ApiError {
  return new ApiError('InvalidParameter', `Invalid parameter: ${detail}`);
}

export function notFound(): ApiError {
  return new ApiError('NotFound', 'Topic does not exist', 404);
}

/** The topic an ARN names in the caller's account and Region; NotFound otherwise, as SNS answers. */
export function topicByArn(state: SnsState, arn: string): TopicRecord {
  const name = arn.split(':')[5];
  const topic = name === undefined ? undefined : state.sns.topics.get(name);
  if (!topic || topic.arn !== arn) throw notFound();
  return topic;
}

function createTopic(params: MemberReader, { state }: SnsContext): JsonObject {
  const name = params.requiredString('Name');
  const attributes = queryMap(params, 'Attributes', (entry) => [entry.requiredString('key'), entry.requiredString('value')]);
  for (const key of BOOLEAN_ATTRIBUTES) {
    const value = attributes.get(key);
    if (value !== undefined && value !== 'true' && value !== 'false')
      throw invalidParameter(`Attributes Reason: ${key}: Invalid value [${value}]`);
  }
  const fifo = attributes.get('FifoTopic') === 'true';
  if (fifo ? !FIFO_TOPIC_NAME.test(name) : !TOPIC_NAME.test(name)) {
    throw invalidParameter(
      fifo
        ? 'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.'
        : 'Topic Name',
    );
  }
  const contentBasedDeduplication = attributes.get('ContentBasedDeduplication') === 'true';
  if (contentBasedDeduplication && !fifo)
    throw invalidParameter('Attributes Reason: ContentBasedDeduplication is only valid for FIFO topics');
  const existing = state.sns.topics.get(name);
  if (existing) {
    if (existing.fifo !== fifo || existing.contentBasedDeduplication !== contentBasedDeduplication) {
      throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
    }
    return { TopicArn: existing.arn };
  }
  const arn = topicArn(state.scope, name);
  state.sns.topics.set(name, {
    seq: state.nextSeq(),
    name,
    arn,
    fifo,
    contentBasedDeduplication,
    messages: [],
    deduplication: new Map(),
    lastSequence: 0,
  });
  return { TopicArn: arn };
}

function deleteTopic(params: MemberReader, { state }: SnsContext): JsonObject {
  const arn = params.requiredString('TopicArn');
  const name = arn.split(':')[5];
  if (name !== undefined && state.sns.topics.get(name)?.arn === arn) state.sns.topics.delete(name);
  return {};
}

function listTopics(params: MemberReader, { state }: SnsContext): JsonObject {
  const after = Number(params.string('NextToken') ?? '0');
  if (!Number.isInteger(after) || after < 0) throw invalidParameter('NextToken');
  const topics = [...state.sns.topics.values()].sort((a, b) => a.seq - b.seq).filter((t) => t.seq > after);
  const page = topics.slice(0, PAGE_SIZE);
  return {
    Topics: page.map((t) => ({ TopicArn: t.arn })),
    NextToken: topics.length > PAGE_SIZE ? String(page.at(-1)!.seq) : undefined,
  };
}

export const topicActions = { CreateTopic: createTopic, DeleteTopic: deleteTopic, ListTopics: listTopics };
