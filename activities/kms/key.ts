/** KMS DescribeKey: the key that a key ID, key ARN, alias name or alias ARN names, and its state. */
import { DescribeKeyCommand, type KeyMetadata, type KMSClient } from '@aws-sdk/client-kms';
import { awsCall } from '../aws/call';
import { terminalState } from '../aws/not-ready';

export async function describeKey(kms: KMSClient, keyId: string): Promise<KeyMetadata> {
  const out = await awsCall(`DescribeKey (${keyId})`, () => kms.send(new DescribeKeyCommand({ KeyId: keyId })));
  if (!out.KeyMetadata) throw terminalState('DescribeKeyNoMetadata', `DescribeKey ${keyId} returned no key metadata`);
  return out.KeyMetadata;
}
