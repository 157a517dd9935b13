import type { Caller } from '../core/access-keys';
import type { ServiceContext } from '../core/service';
import type { Chronicle, Scope } from '../core/state';

/** SSM Parameter Store: one account's parameters in one Region, each with its version history. */

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterTier = 'Standard' | 'Advanced';

/** One version, as GetParameterHistory lists it; GetParameter reads the newest. */
export interface ParameterVersion {
  version: number;
  type: ParameterType;
  /** As given: the sandbox does not encrypt SecureString values, it only answers as if it did. */
  value: string;
  dataType: string;
  tier: ParameterTier;
  description?: string;
  allowedPattern?: string;
  /** SecureString only: the KMS key, as given (default `alias/aws/ssm`). */
  keyId?: string;
  /** Virtual time (ms). */
  modifiedAt: number;
  modifiedBy: string;
}

export interface ParameterRecord {
  name: string;
  /** Oldest first; at most MAX_VERSIONS, the oldest dropped beyond that as AWS does. */
  versions: ParameterVersion[];
  /** The next version number: numbers are never reused, even after old versions are dropped. */
  nextVersion: number;
  tags: Map<string, string>;
}

export class SsmResources {
  readonly parameters = new Map<string, ParameterRecord>();
}

/**
 * What SSM asks of other services. The composition root (sandbox.ts) answers from EC2's and KMS's state,
 * so that ssm/ imports neither.
 */
export interface SsmNeighbours {
  /** Whether the account can use image `imageId` in its Region, as an `aws:ec2:image` value must name one. */
  usableImage(imageId: string): boolean;
  /** Whether `caller` may encrypt with the KMS key `keyId` names (key ID, key ARN, alias name or alias ARN). */
  encryptionKeyUsable(caller: Caller, keyId: string): boolean;
}

export interface SsmState extends Chronicle, SsmNeighbours {
  /** The caller's account and Region. */
  readonly scope: Scope;
  readonly ssm: SsmResources;
}

export type SsmContext = ServiceContext<SsmState>;
