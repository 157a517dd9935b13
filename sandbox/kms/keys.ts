import { principalArn, type Caller } from '../core/access-keys';
import { ApiError } from '../core/errors';
import type { Scope } from '../core/state';

/**
 * The KMS keys every account has in every Region: the AWS managed key EBS encrypts with by default
 * (`alias/aws/ebs`) and one customer managed key (`alias/golden`), for encrypted image copies. Key IDs
 * are the same in every account and Region (their ARNs differ), so docs and tests can name them; the
 * keys are derived from the scope rather than stored, since nothing can change them.
 */

export interface SeededKey {
  aliasName: string;
  keyId: string;
  keyManager: 'AWS' | 'CUSTOMER';
  description: string;
}

export const SEEDED_KEYS: readonly SeededKey[] = [
  {
    aliasName: 'alias/aws/ebs',
    keyId: '0e5b0e5b-0000-4000-8000-0000000e5b00',
    keyManager: 'AWS',
    description: 'Default key that protects my EBS volumes when no other key is defined',
  },
  {
    aliasName: 'alias/golden',
    keyId: '901de000-0000-4000-8000-000000901de0',
    keyManager: 'CUSTOMER',
    description: 'golden-image sandbox key for encrypted image copies',
  },
];

/** When the seeded keys and aliases were created, as DescribeKey and ListAliases report it. */
export const SEEDED_KEYS_CREATED_AT = new Date(Date.UTC(2026, 0, 1));

export const keyArn = (scope: Scope, keyId: string) => `arn:aws:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
export const aliasArn = (scope: Scope, aliasName: string) => `arn:aws:kms:${scope.region}:${scope.accountId}:${aliasName}`;

const KMS_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):((?:key|alias)\/.+)$/;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function inScope(scope: Scope, resource: string, original: string): SeededKey {
  if (resource.startsWith('alias/')) {
    const key = SEEDED_KEYS.find((k) => k.aliasName === resource);
    if (!key) throw new ApiError('NotFoundException', `Alias '${aliasArn(scope, resource)}' is not found.`);
    return key;
  }
  const id = resource.startsWith('key/') ? resource.slice('key/'.length) : resource;
  if (!KEY_ID.test(id)) throw new ApiError('NotFoundException', `Invalid keyId '${original}'`);
  const key = SEEDED_KEYS.find((k) => k.keyId === id);
  if (!key) throw new ApiError('NotFoundException', `Key '${keyArn(scope, id)}' does not exist`);
  return key;
}

/**
 * The key that `keyId` (key ID, key ARN, alias name or alias ARN) names for `caller`. An ARN in another
 * Region is looked up there; one in another account is refused as AWS refuses it when no key policy
 * grants the caller (the seeded keys' policies trust their own account only).
 */
export function resolveKey(caller: Caller, keyId: string, action: string): { key: SeededKey; scope: Scope } {
  const own: Scope = { accountId: caller.accountId, region: caller.region };
  if (!keyId.startsWith('arn:')) return { key: inScope(own, keyId, keyId), scope: own };
  const arn = KMS_ARN.exec(keyId);
  if (!arn) throw new ApiError('NotFoundException', `Invalid arn ${keyId}`);
  const [, region, accountId, resource] = arn as unknown as [string, string, string, string];
  if (accountId !== caller.accountId) {
    throw new ApiError(
      'AccessDeniedException',
      `User: ${principalArn(caller)} is not authorized to perform: ${action} on resource: ${keyId} because no resource-based policy allows the ${action} action`,
    );
  }
  const scope = { accountId, region };
  return { key: inScope(scope, resource, keyId), scope };
}
