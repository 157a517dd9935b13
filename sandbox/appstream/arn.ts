import { ACCOUNT_ID, REGION } from '../core/state';
import type { AppStreamVisibility } from './state';

/** AppStream ARNs. Public images belong to AWS, so their ARNs carry no account ID. */

export type AppStreamResourceType = 'image' | 'image-builder';

const ARN_PATTERN = /^arn:aws:appstream:([a-z0-9-]+):(\d{12})?:(image|image-builder)\/(.+)$/;

export function imageArn(name: string, visibility: AppStreamVisibility): string {
  return `arn:aws:appstream:${REGION}:${visibility === 'PUBLIC' ? '' : ACCOUNT_ID}:image/${name}`;
}

export function builderArn(name: string): string {
  return `arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image-builder/${name}`;
}

export function parseArn(arn: string): { type: AppStreamResourceType; name: string } | undefined {
  const match = ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  return { type: match[3] as AppStreamResourceType, name: match[4]! };
}
