import type { ServiceContext } from '../core/service';
import type { Chronicle, Scope } from '../core/state';

/** Amazon SNS topics in one account and Region, with what was published to each. */

/** One message as the topic accepted it: what a subscriber would receive. */
export interface PublishedMessage {
  messageId: string;
  /** FIFO topics only: the topic's order of accepted messages. */
  sequenceNumber?: string;
  subject?: string;
  message: string;
  messageAttributes: Record<string, { dataType: string; stringValue?: string }>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  /** Wall-clock epoch ms. */
  publishedAt: number;
}

export interface TopicRecord {
  /** Creation order: ListTopics' order and pagination cursor. */
  seq: number;
  name: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  /** The newest messages, oldest first (the sandbox keeps MAX_LOGGED_MESSAGES per topic). */
  messages: PublishedMessage[];
  /** FIFO topics: deduplication ID → the message it first published, within the deduplication window. */
  deduplication: Map<string, { messageId: string; sequenceNumber: string; at: number }>;
  /** FIFO topics: the last sequence number handed out. */
  lastSequence: number;
}

export class SnsResources {
  /** By topic name: a topic's name is unique in its account and Region. */
  readonly topics = new Map<string, TopicRecord>();
}

export interface SnsState extends Chronicle {
  readonly scope: Scope;
  readonly sns: SnsResources;
}

export type SnsContext = ServiceContext<SnsState>;

export function topicArn(scope: Scope, name: string): string {
  return `arn:aws:sns:${scope.region}:${scope.accountId}:${name}`;
}
