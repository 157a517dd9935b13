import { parseArn } from './arn';
import { findBuilder, findFleet, findImage } from './lookup';
import { validationError, type JsonParams } from '../core/json-params';
import type { JsonObject } from '../core/structure-protocol';
import { ApiError } from '../core/errors';
import type { Tags } from '../core/state';
import type { AppStreamState, AppStreamContext } from './state';

/** TagResource, UntagResource and ListTagsForResource, plus the tag rules that creating calls share. */

const MAX_TAGS = 50;
// AWS's TagKey / TagValue patterns; keys in the aws: namespace are reserved.
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Reads a tag map member (Tags, newImageTags) and applies AWS's key, value and count rules. */
export function readTags(params: JsonParams, member: string): Tags {
  const tags = params.stringMap(member);
  const path = params.path(member);
  if (tags.size > MAX_TAGS)
    throw validationError(path, `${tags.size} tags`, `Map value must have length less than or equal to ${MAX_TAGS}`);
  for (const [key, value] of tags) {
    if (!TAG_KEY.test(key)) throw validationError(`${path}.key`, key, `Member must satisfy regular expression pattern: ${TAG_KEY.source}`);
    if (!TAG_VALUE.test(value))
      throw validationError(`${path}.value`, value, `Member must satisfy regular expression pattern: ${TAG_VALUE.source}`);
  }
  return tags;
}

/**
 * Only resources of this account can be tagged; a public image's ARN is
 * reported as not found, as AWS does for resources the caller cannot see.
 */
function tagsOf(state: AppStreamState, arn: string): Tags {
  const parsed = parseArn(arn);
  const find = { image: findImage, 'image-builder': findBuilder, fleet: findFleet };
  const resource = parsed ? find[parsed.type](state, parsed.name) : undefined;
  if (!resource || resource.arn !== arn || ('visibility' in resource && resource.visibility === 'PUBLIC')) {
    throw new ApiError('ResourceNotFoundException', `The resource ${arn} was not found.`);
  }
  return resource.tags;
}

function tagResource(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const arn = params.requiredString('ResourceArn');
  const added = readTags(params, 'Tags');
  const tags = tagsOf(state, arn);
  const keys = new Set([...tags.keys(), ...added.keys()]);
  if (keys.size > MAX_TAGS) throw new ApiError('LimitExceededException', `The resource ${arn} can have at most ${MAX_TAGS} tags.`);
  for (const [key, value] of added) tags.set(key, value);
  return {};
}

function untagResource(params: JsonParams, { state }: AppStreamContext): JsonObject {
  const arn = params.requiredString('ResourceArn');
  const keys = params.stringList('TagKeys');
  const tags = tagsOf(state, arn);
  for (const key of keys) tags.delete(key);
  return {};
}

function listTagsForResource(params: JsonParams, { state }: AppStreamContext): JsonObject {
  return { Tags: Object.fromEntries(tagsOf(state, params.requiredString('ResourceArn'))) };
}

export const appStreamTagActions = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
