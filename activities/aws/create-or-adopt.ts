/**
 * Creating a named resource (an AMI, an AppStream image or image builder), made safe to retry. These
 * creates take no client token, so the name is the idempotency key: the workflow derives it
 * deterministically, and AWS refuses a second resource of that name. When it does, the resource of that
 * name is adopted if this same run created it (a retry after a lost response, or after a worker crash);
 * one from anyone else is refused rather than silently taken over.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { isAwsErrorCode } from './errors';
import { notReady } from './not-ready';

interface Existing<T> {
  value: T;
  /** The value of its ownership tag; undefined when it has none or its tags cannot be read (a public image). */
  owner: string | undefined;
}

interface NamedCreate<T> {
  kind: 'image' | 'image builder';
  name: string;
  /** AWS's error code for a name that is taken. */
  takenCode: string;
  /** This run's value of the ownership tag, which `create` puts on the resource. */
  owner: string | undefined;
  create: () => Promise<T>;
  /** The resource of this name, if one is visible. */
  find: () => Promise<Existing<T> | undefined>;
  /** The non-retryable failure for a name that belongs to someone else. */
  refuse: (existing: T) => ApplicationFailure;
  /**
   * Look the name up before the create as well, not only after AWS says it is taken, so that a name
   * someone else holds is refused without a mutating call. Only for creates that are few: for one that
   * is throttled and retried many times (CreateImage at fleet scale), a look-up per attempt would spend
   * the describes the waits need.
   */
  lookUpFirst?: boolean;
}

export async function createOrAdopt<T>(spec: NamedCreate<T>): Promise<{ value: T; adopted: boolean }> {
  if (spec.lookUpFirst) {
    const existing = await adopt(spec);
    if (existing) return existing;
  }
  try {
    return { value: await spec.create(), adopted: false };
  } catch (err) {
    if (!isAwsErrorCode(err, spec.takenCode)) throw err;
    // Our earlier attempt may have succeeded; if it is not visible yet, the retry policy asks again.
    const existing = await adopt(spec);
    if (existing) return existing;
    throw notReady(`an ${spec.kind} named ${spec.name} exists but is not visible yet`);
  }
}

async function adopt<T>(spec: NamedCreate<T>): Promise<{ value: T; adopted: true } | undefined> {
  const found = await spec.find();
  if (!found) return undefined;
  if (found.owner !== spec.owner) throw spec.refuse(found.value);
  return { value: found.value, adopted: true };
}
