import type { Chronicle } from '../core/state';
import type { BucketSpec } from '../core/throttle';
import { jsonService, type JsonAction } from '../core/json-service';
import { aliasArn, keyArn, resolveKey, SEEDED_KEYS, SEEDED_KEYS_CREATED_AT } from './keys';

/** KMS (AWS JSON 1.1, `X-Amz-Target: TrentService.<Operation>`): DescribeKey and ListAliases over the seeded keys. */

const describeKey: JsonAction<Chronicle> = (params, ctx) => {
  const { key, scope } = resolveKey(ctx.caller, params.requiredString('KeyId', { maxLength: 2048 }), 'kms:DescribeKey');
  return {
    KeyMetadata: {
      AWSAccountId: scope.accountId,
      KeyId: key.keyId,
      Arn: keyArn(scope, key.keyId),
      CreationDate: SEEDED_KEYS_CREATED_AT,
      Enabled: true,
      Description: key.description,
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: key.keyManager,
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    },
  };
};

/** Every seeded alias fits in one page of the default Limit (50), so Marker never applies. */
const listAliases: JsonAction<Chronicle> = (params, ctx) => {
  params.int('Limit', { min: 1, max: 100 });
  const keyId = params.string('KeyId', { maxLength: 2048 });
  const own = { accountId: ctx.caller.accountId, region: ctx.caller.region };
  const only = keyId === undefined ? undefined : resolveKey(ctx.caller, keyId, 'kms:ListAliases').key;
  return {
    Aliases: SEEDED_KEYS.filter((k) => only === undefined || k === only).map((k) => ({
      AliasName: k.aliasName,
      AliasArn: aliasArn(own, k.aliasName),
      TargetKeyId: k.keyId,
      CreationDate: SEEDED_KEYS_CREATED_AT,
      LastUpdatedDate: SEEDED_KEYS_CREATED_AT,
    })),
    Truncated: false,
  };
};

/** KMS's published request quotas per account and Region: DescribeKey 2,000/s, ListAliases 500/s. */
const KMS_BUCKETS: Record<string, BucketSpec> = {
  DescribeKey: { key: 'kms:DescribeKey', capacity: 2000, refillPerSecond: 2000 },
  ListAliases: { key: 'kms:ListAliases', capacity: 500, refillPerSecond: 500 },
};

export const kmsService = jsonService<Chronicle>({
  name: 'kms',
  targetPrefix: 'TrentService',
  actions: { DescribeKey: describeKey, ListAliases: listAliases },
  bucketFor: (operation) => KMS_BUCKETS[operation]!,
});
