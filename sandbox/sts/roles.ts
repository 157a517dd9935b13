import { createHash } from 'node:crypto';
import { principalArn, type Caller } from '../core/access-keys';
import { ApiError } from '../core/errors';

/**
 * The IAM roles the sandbox lets AssumeRole assume: in every account that has a sandbox key, these
 * names, trusting every sandbox account (so account A can act in account B, as a distribution role set
 * up for it would allow). Each keeps IAM's default maximum session duration of one hour.
 */
export const SEEDED_ROLE_NAMES: readonly string[] = ['golden-image-distribution', 'OrganizationAccountAccessRole'];
export const ROLE_MAX_SESSION_SECONDS = 3600;

export interface Role {
  accountId: string;
  name: string;
  /** `AROA` and 17 characters, stable for the role: AssumedRoleId is `<role ID>:<session name>`. */
  roleId: string;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;

/** The role `roleArn` names, if `caller` may assume it; throws ValidationError or AccessDenied as STS answers. */
export function assumableRole(caller: Caller, roleArn: string, knownAccounts: ReadonlySet<string>): Role {
  if (!roleArn.startsWith('arn:')) throw new ApiError('ValidationError', `${roleArn} is invalid`);
  const match = ROLE_ARN.exec(roleArn);
  if (!match || !knownAccounts.has(match[1]!) || !SEEDED_ROLE_NAMES.includes(match[2]!)) {
    throw new ApiError(
      'AccessDenied',
      `User: ${principalArn(caller)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  }
  const [, accountId, name] = match as unknown as [string, string, string];
  const hash = createHash('sha256').update(`${accountId}/${name}`).digest('hex').toUpperCase();
  return { accountId, name, roleId: `AROA${hash.slice(0, 17)}` };
}
