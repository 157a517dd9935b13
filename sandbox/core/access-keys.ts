import { z } from 'zod';

/** An access key the sandbox accepts, and the account it belongs to. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** 12 digits, as AWS account IDs are. */
  accountId: string;
}

/**
 * The keys the sandbox accepts unless configured otherwise: one per account, shaped like AWS's
 * (AKIA + 16 characters, a 40-character secret). They sign requests to a loopback sandbox only, so
 * they are public on purpose: the dev stack, the tests and the README use them.
 */
export const SANDBOX_ACCESS_KEYS: readonly AccessKey[] = [
  { accessKeyId: 'AKIASANDBOXACCOUNTA1', secretAccessKey: 'sandbox/AccountA/Secret+Key/000000000000', accountId: '111122223333' },
  { accessKeyId: 'AKIASANDBOXACCOUNTB1', secretAccessKey: 'sandbox/AccountB/Secret+Key/000000000000', accountId: '444455556666' },
];

/** The key the dev stack, the tests and the benchmarks sign with: the first account's. */
export const SANDBOX_CREDENTIALS = {
  accessKeyId: SANDBOX_ACCESS_KEYS[0]!.accessKeyId,
  secretAccessKey: SANDBOX_ACCESS_KEYS[0]!.secretAccessKey,
} as const;

export const accessKeySchema = z.strictObject({
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'an access key ID is 16 to 128 upper-case letters and digits'),
  secretAccessKey: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/, 'an account ID is 12 digits'),
});

/** Temporary credentials (STS AssumeRole): an ASIA key that acts as a role of `accountId` until it expires. */
export interface TemporaryKey extends AccessKey {
  sessionToken: string;
  /** Virtual time (ms): the sandbox's clock decides, so advancing it expires credentials as waiting would. */
  expiresAt: number;
  /** The assumed-role session: `arn:aws:sts::<account>:assumed-role/<role>/<session>`, and `<role ID>:<session>`. */
  arn: string;
  userId: string;
}

/** Where the signature check finds temporary keys, and the virtual time their expiry is measured against. */
export interface TemporaryKeys {
  find(accessKeyId: string): TemporaryKey | undefined;
  nowMs: number;
}

/** Whose request this is, as its signature tells: the key, that key's account, and the Region it was signed for. */
export interface Caller {
  accessKeyId: string;
  accountId: string;
  region: string;
  /** Set when the key is temporary: the assumed-role session it belongs to. */
  session?: Pick<TemporaryKey, 'arn' | 'userId'>;
}

/**
 * The caller's ARN, as GetCallerIdentity and AWS's AccessDenied messages give it: the assumed-role
 * session, or for a sandbox key its account's root user (a sandbox key stands for the whole account).
 */
export function principalArn(caller: Caller): string {
  return caller.session?.arn ?? `arn:aws:iam::${caller.accountId}:root`;
}
