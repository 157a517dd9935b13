/** The shapes of the AWS identifiers that pipeline inputs carry, checked before any call is made. */
import { z } from 'zod';

const hexId = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`), `must be ${what} such as ${prefix}-0123456789abcdef0`);

export const instanceId = hexId('i', 'an EC2 instance ID');
export const launchTemplateId = hexId('lt', 'a launch template ID');

/** EC2's rules for AMI names: 3 to 128 characters from a small set. */
export const AMI_NAME_CHARS = /^[A-Za-z0-9()[\] ./\-'@_]+$/;
