import { randomBytes } from 'node:crypto';

/** Resource ID prefixes EC2 uses; new IDs have the modern 17-hex-digit shape. */
export type IdPrefix = 'ami' | 'snap' | 'vol' | 'i' | 'r' | 'lt' | 'replacevol';

export function newId(prefix: IdPrefix): string {
  // 9 random bytes = 18 hex digits; AWS IDs carry 17.
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** The shape EC2 accepts for an ID (old 8-digit through new 17-digit forms). */
export function isWellFormedId(prefix: IdPrefix, id: string): boolean {
  return new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id);
}
