/**
 * Creating a named AppStream resource (an image, an image builder), made safe to retry. AppStream has
 * no client token, so the name is the idempotency key: a resource of that name that carries this run's
 * tag is adopted (a retry after a lost response, or a replay after a worker crash); one without it
 * belongs to someone else and is refused rather than silently taken over.
 */
import type { AppStreamClient } from '@aws-sdk/client-appstream';
import { appStreamTags } from './image-lookup';
import { isAwsErrorCode } from '../aws/errors';
import { notReady, terminalState } from '../aws/not-ready';

export interface Found<T> {
  value: T;
  /** Undefined for a resource whose tags this account cannot read (a public image): never ours. */
  arn?: string;
}

export interface CreateOrAdopt<T> {
  kind: 'image' | 'image builder';
  name: string;
  /** The failure type when the name belongs to someone else. */
  takenType: string;
  /** The tag, and this run's value of it, that marks a resource as this run's. */
  ownership: { key: string; value: string | undefined };
  find: () => Promise<Found<T> | undefined>;
  create: () => Promise<T>;
}

export async function createOrAdopt<T>(appstream: AppStreamClient, spec: CreateOrAdopt<T>): Promise<{ value: T; adopted: boolean }> {
  const adopted = await adopt(appstream, spec);
  if (adopted) return adopted;
  try {
    return { value: await spec.create(), adopted: false };
  } catch (err) {
    if (!isAwsErrorCode(err, 'ResourceAlreadyExistsException')) throw err;
    // Our earlier attempt may have succeeded; if it is not visible yet, the retry policy asks again.
    const existing = await adopt(appstream, spec);
    if (existing) return existing;
    throw notReady(`an ${spec.kind} named ${spec.name} exists but is not visible yet`);
  }
}

async function adopt<T>(appstream: AppStreamClient, spec: CreateOrAdopt<T>): Promise<{ value: T; adopted: true } | undefined> {
  const found = await spec.find();
  if (!found) return undefined;
  const tags = found.arn ? await appStreamTags(appstream, found.arn) : {};
  if (tags[spec.ownership.key] !== spec.ownership.value) {
    throw terminalState(spec.takenType, `an ${spec.kind} named ${spec.name} already exists and was not created by this run; choose another name`);
  }
  return { value: found.value, adopted: true };
}
