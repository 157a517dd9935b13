/** The shapes of the AWS identifiers that pipeline inputs carry, checked before any call is made. */
import { z } from 'zod';

const hexId = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`), `must be ${what} such as ${prefix}-0123456789abcdef0`);

export const instanceId = hexId('i', 'an EC2 instance ID');
export const launchTemplateId = hexId('lt', 'a launch template ID');

/** EC2's rules for AMI names: 3 to 128 characters from a small set. */
export const AMI_NAME_CHARS = /^[A-Za-z0-9()[\] ./\-'@_]+$/;

/** EC2's tag limits: 50 tags a resource, keys up to 128 characters, values up to 256, no `aws:` prefix. */
export const MAX_TAGS = 50;
export const tags = z
  .record(z.string(), z.string().max(256, 'tag values must be at most 256 characters'))
  .superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      const problem =
        key.length === 0 ? 'tag keys must not be empty'
        : key.length > 128 ? 'tag keys must be at most 128 characters'
        : key.toLowerCase().startsWith('aws:') ? 'the "aws:" prefix is reserved by AWS'
        : key.startsWith('golden-image:') ? 'the "golden-image:" prefix is reserved for the pipeline'
        : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });
