/**
 * One SNS delivery: Publish of the JSON body to the topic, with the deduplication key as the message
 * attribute `delivery` (subscribers drop repeats by it). On a FIFO topic (its ARN ends in `.fifo`) the key
 * is also the MessageDeduplicationId, so SNS itself delivers a retried publish once within its 5-minute
 * window, and the pipeline is the message group, which keeps one pipeline's notifications in order.
 */
import { createHash } from 'node:crypto';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotificationEvent } from '../../contracts/notification-events';
import { awsCall } from '../aws/call';

export interface SnsDelivery {
  topicArn: string;
  subject: string;
  message: string;
  event: NotificationEvent;
  pipeline: string;
  delivery: string;
}

/** MessageDeduplicationId and MessageGroupId: at most 128 printable ASCII characters; a longer key goes by its hash. */
const fifoId = (text: string) => (/^[\x21-\x7e]{1,128}$/.test(text) ? text : createHash('sha256').update(text).digest('hex'));

/** The Region a topic ARN names: its publish goes there. */
export const topicRegion = (topicArn: string) => topicArn.split(':')[3]!;

export async function publishToSns(sns: SNSClient, d: SnsDelivery): Promise<void> {
  const fifo = d.topicArn.endsWith('.fifo');
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  await awsCall(`Publish ${d.topicArn}`, () =>
    sns.send(
      new PublishCommand({
        TopicArn: d.topicArn,
        Subject: d.subject,
        Message: d.message,
        MessageAttributes: { event: attribute(d.event), pipeline: attribute(d.pipeline), delivery: attribute(d.delivery) },
        ...(fifo && { MessageGroupId: fifoId(d.pipeline), MessageDeduplicationId: fifoId(d.delivery) }),
      }),
    ),
  );
}
