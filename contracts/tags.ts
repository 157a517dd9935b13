/**
 * Tags: the shape AWS allows, the tags the pipeline puts on everything it creates, and the rule that
 * user tags and the pipeline's own must fit on one resource together.
 */
import { z } from 'zod';

/** Marks a pipeline's images, so that retention only ever lists (and removes) that pipeline's own. */
export const PIPELINE_TAG = 'golden-image:pipeline';
/** Marks the run that created a resource, so that a retried create adopts what its own run made. */
export const RUN_TAG = 'golden-image:run-id';
/**
 * Written on a pipeline's image (value: when) once its run has finished successfully. Retention lists only
 * released images, so an image whose run is still waiting, awaiting approval or rolling out is never retired.
 */
export const RELEASED_TAG = 'golden-image:released';
/** EC2's own tag on an instance launched from a launch template: the template's ID (a rollout by template selects on it). */
export const LAUNCH_TEMPLATE_ID_TAG = 'aws:ec2launchtemplate:id';
/** On the instances a bake launches: `build` or `test`, so that clean-up finds each one by its run and role. */
export const INSTANCE_ROLE_TAG = 'golden-image:role';
/** On a baked image: the base image it was made from, and the fingerprint of its recipe (skip-if-unchanged reads both). */
export const SOURCE_IMAGE_TAG = 'golden-image:source-image';
export const RECIPE_TAG = 'golden-image:recipe';
export const OWN_TAG_COUNT = [PIPELINE_TAG, RUN_TAG, RELEASED_TAG].length;
/** A baked image carries these two more: a bake leaves that much less room for the user's tags. */
export const BAKE_TAG_COUNT = [SOURCE_IMAGE_TAG, RECIPE_TAG].length;

/** EC2's and AppStream's tag limits: 50 tags a resource, keys up to 128 characters, values up to 256, no `aws:` prefix. */
export const MAX_TAGS = 50;

export const tags = z.record(z.string(), z.string().max(256, 'tag values must be at most 256 characters')).superRefine((record, ctx) => {
  for (const key of Object.keys(record)) {
    const problem =
      key.length === 0
        ? 'tag keys must not be empty'
        : key.length > 128
          ? 'tag keys must be at most 128 characters'
          : key.toLowerCase().startsWith('aws:')
            ? 'the "aws:" prefix is reserved by AWS'
            : key.startsWith('golden-image:')
              ? 'the "golden-image:" prefix is reserved for the pipeline'
              : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
  }
});

/** AppStream's TagKey and TagValue patterns (EC2 takes any character). */
const APPSTREAM_TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const APPSTREAM_TAG_RULE = 'only hold letters, digits, spaces and _ . : / = + - @';

/** Tags a user gives the resources a pipeline creates: the pipeline adds its own to each, so users get the rest. */
export function userTags(service: 'EC2' | 'AppStream') {
  const room = MAX_TAGS - OWN_TAG_COUNT;
  const counted = tags.refine(
    (record) => Object.keys(record).length <= room,
    `at most ${room} tags (${service} allows ${MAX_TAGS}; the pipeline adds ${OWN_TAG_COUNT})`,
  );
  if (service === 'EC2') return counted;
  return counted.superRefine((record, ctx) => {
    for (const [key, value] of Object.entries(record)) {
      if (!APPSTREAM_TAG_CHARS.test(key))
        ctx.addIssue({ code: 'custom', path: [key], message: `AppStream tag keys may ${APPSTREAM_TAG_RULE}` });
      else if (!APPSTREAM_TAG_CHARS.test(value))
        ctx.addIssue({ code: 'custom', path: [key], message: `AppStream tag values may ${APPSTREAM_TAG_RULE}` });
    }
  });
}
