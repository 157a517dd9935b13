import { requireInstances, requireRegisteredImage, requireSnapshots, requireVolumes } from './lookup';
import type { Ec2Params } from './params';
import { dryRunGate } from './render';
import { ApiError, missingParameter } from '../core/errors';
import type { XmlObject } from '../core/query-protocol';
import type { Tags } from '../core/state';
import type { Ec2State, Ec2Context } from './state';

/** CreateTags across every taggable resource kind the sandbox has. */

const MAX_TAGS_PER_RESOURCE = 50;

function tagsOf(state: Ec2State, id: string): Tags {
  const prefix = id.slice(0, id.indexOf('-'));
  switch (prefix) {
    case 'ami':
      return requireRegisteredImage(state, id).tags;
    case 'snap':
      return requireSnapshots(state, [id])[0]!.tags;
    case 'i':
      return requireInstances(state, [id])[0]!.tags;
    case 'vol':
      return requireVolumes(state, [id])[0]!.tags;
    default:
      throw new ApiError('InvalidID', `The ID '${id}' is not valid`);
  }
}

function createTags(params: Ec2Params, ctx: Ec2Context): XmlObject {
  const ids = params.stringList('ResourceId');
  if (ids.length === 0) throw missingParameter('ResourceId');
  const tags = params.tagList();
  // Resolve everything first so a bad ID leaves no resource half-tagged.
  const targets = ids.map((id) => ({ id, tags: tagsOf(ctx.state, id) }));
  dryRunGate(params);
  for (const target of targets) {
    const keys = new Set([...target.tags.keys(), ...tags.keys()]);
    if (keys.size > MAX_TAGS_PER_RESOURCE) {
      throw new ApiError(
        'TagLimitExceeded',
        `The maximum number of tags (${MAX_TAGS_PER_RESOURCE}) for resource ${target.id} has been exceeded.`,
      );
    }
  }
  for (const target of targets) for (const [key, value] of tags) target.tags.set(key, value);
  return { return: true };
}

export const tagActions = {
  CreateTags: createTags,
};
