import type { ServiceContext } from '../core/service';
import type { Ec2State } from '../ec2/state';

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

/** EC2's state too: an `aws:ec2:image` value must name an image the account can use in the Region. */
export interface SsmState extends Ec2State {
  readonly ssm: SsmResources;
}

export type SsmContext = ServiceContext<SsmState>;
