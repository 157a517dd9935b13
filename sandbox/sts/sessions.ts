import { randomBytes } from 'node:crypto';
import type { TemporaryKey, TemporaryKeys } from '../core/access-keys';

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `ASIA` and 16 characters from AWS's key-ID alphabet, as STS's temporary keys are. */
function temporaryKeyId(): string {
  return `ASIA${[...randomBytes(16)].map((b) => KEY_ID_ALPHABET[b % KEY_ID_ALPHABET.length]).join('')}`;
}

/**
 * The temporary credentials AssumeRole has issued, kept for the whole sandbox (not per scope): the
 * signature check finds them by access key ID whatever the Region. Plain data, saved with the state.
 */
export class StsSessions {
  readonly keys = new Map<string, TemporaryKey>();

  find(accessKeyId: string): TemporaryKey | undefined {
    return this.keys.get(accessKeyId);
  }

  /** Issues new credentials; credentials that have expired by `now` are forgotten, as nothing accepts them. */
  issue(session: Pick<TemporaryKey, 'accountId' | 'arn' | 'userId' | 'expiresAt'>, now: number): TemporaryKey {
    for (const [id, key] of this.keys) if (key.expiresAt <= now) this.keys.delete(id);
    const key: TemporaryKey = {
      ...session,
      accessKeyId: temporaryKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(240).toString('base64'),
    };
    this.keys.set(key.accessKeyId, key);
    return key;
  }

  /** What the signature check needs, at virtual time `nowMs`. */
  at(nowMs: number): TemporaryKeys {
    return { find: (id) => this.find(id), nowMs };
  }
}
