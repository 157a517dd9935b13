/**
 * The tags a user gives: the shape AWS allows, and the rule that they and the pipeline's own must fit
 * on one resource together.
 */
import { z } from 'zod';
import { MAX_TAGS, OWN_TAG_COUNT } from './tags';

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
