import type { Scope } from '../core/state';
import type { AppStreamVisibility } from './state';

/** AppStream ARNs: they carry the Region and the owning account. Public images belong to AWS, so their ARNs carry no account ID. */

export type AppStreamResourceType = 'image' | 'image-builder' | 'fleet';

const ARN_PATTERN = /^arn:aws:appstream:([a-z0-9-]+):(\d{12})?:(image|image-builder|fleet)\/(.+)$/;

export function imageArn(name: string, visibility: AppStreamVisibility, scope: Scope): string {
  return `arn:aws:appstream:${scope.region}:${visibility === 'PUBLIC' ? '' : scope.accountId}:image/${name}`;
}

export function builderArn(name: string, scope: Scope): string {
  return `arn:aws:appstream:${scope.region}:${scope.accountId}:image-builder/${name}`;
}

export function fleetArn(name: string, scope: Scope): string {
  return `arn:aws:appstream:${scope.region}:${scope.accountId}:fleet/${name}`;
}

export interface ParsedArn {
  type: AppStreamResourceType;
  name: string;
  region: string;
  /** Undefined for AWS's public images. */
  accountId?: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const match = ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  return { type: match[3] as AppStreamResourceType, name: match[4]!, region: match[1]!, accountId: match[2] };
}
