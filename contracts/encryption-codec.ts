/**
 * Payload encryption at rest: a Temporal PayloadCodec doing AES-256-GCM, with keys from
 * GOLDEN_IMAGE_ENCRYPTION_KEYS ("keyId:base64key,keyId:base64key", 32-byte keys). The first key
 * encrypts; every listed key decrypts, chosen by the key id stored in the payload, so a key can be
 * rotated by putting the new one first and keeping the old one until no open run needs it.
 *
 * The worker, the CLI and the codec server all take their codec from here, so they agree by construction.
 * A worker with keys refuses payloads that are not encrypted (a CLI without the keys wrote them), unless
 * GOLDEN_IMAGE_ALLOW_PLAINTEXT_PAYLOADS=1 lets them through while clients move over; the CLI and the
 * codec server read them as they are, so runs from before encryption stay readable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';

export const ENCRYPTION_KEYS_ENV = 'GOLDEN_IMAGE_ENCRYPTION_KEYS';
export const ALLOW_PLAINTEXT_ENV = 'GOLDEN_IMAGE_ALLOW_PLAINTEXT_PAYLOADS';
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** The original payload, carried inside the ciphertext, so metadata (its encoding, say) is hidden too. */
interface SealedPayload {
  metadata: Record<string, string>;
  data: string;
}

/** Parses the environment's key list. Errors name the entry's position and key id, never key material. */
function parseEncryptionKeys(text: string): EncryptionKey[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error(`${ENCRYPTION_KEYS_ENV} lists no keys`);
  const keys = entries.map((entry, index): EncryptionKey => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID_PATTERN.test(id)) {
      throw new Error(
        `${ENCRYPTION_KEYS_ENV} entry ${index + 1}: expected keyId:base64key, with a key id of 1-64 letters, digits, '.', '_' or '-'`,
      );
    }
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== KEY_BYTES) {
      throw new Error(
        `${ENCRYPTION_KEYS_ENV} key "${id}": expected ${KEY_BYTES} bytes of base64 (for example \`openssl rand -base64 32\`), got ${key.length}`,
      );
    }
    return { id, key };
  });
  const ids = keys.map((k) => k.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`${ENCRYPTION_KEYS_ENV} lists key id "${duplicate}" twice`);
  return keys;
}

interface CodecOptions {
  /** Fail to decode a payload that is not encrypted, instead of passing it through. */
  refusePlaintext?: boolean;
}

export class EncryptionCodec implements PayloadCodec {
  private readonly current: EncryptionKey;
  private readonly byId: Map<string, Buffer>;

  constructor(
    keys: EncryptionKey[],
    private readonly options: CodecOptions = {},
  ) {
    if (!keys[0]) throw new Error('EncryptionCodec needs at least one key');
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  static fromText(text: string, options: CodecOptions = {}): EncryptionCodec {
    return new EncryptionCodec(parseEncryptionKeys(text), options);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (isEncrypted(payload)) return this.decrypt(payload);
      if (this.options.refusePlaintext) {
        throw new Error(
          `refusing an unencrypted payload: this worker encrypts (${ENCRYPTION_KEYS_ENV} is set), and the payload was written ` +
            `without a key, by a client or CLI that lacks ${ENCRYPTION_KEYS_ENV}. Give that client the keys, or, while clients ` +
            `move over to encryption, start the worker with ${ALLOW_PLAINTEXT_ENV}=1`,
        );
      }
      return payload;
    });
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    // The key id is authenticated too: relabelling a payload with another key id fails to decrypt.
    cipher.setAAD(Buffer.from(id));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(seal(payload))), cipher.final()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const id = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? new Uint8Array()).toString();
    const key = this.byId.get(id);
    if (!key) {
      throw new Error(
        `cannot decrypt a payload encrypted with key id "${id}": it is not among the key ids in ${ENCRYPTION_KEYS_ENV} (${[...this.byId.keys()].join(', ')})`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new Error(`cannot decrypt a payload with key id "${id}": it is too short to be one of ours`);
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new Error(
        `cannot decrypt a payload with key id "${id}": authentication failed (the payload was altered, or the key for this id changed)`,
      );
    }
    return unseal(JSON.parse(plaintext.toString()) as SealedPayload);
  }
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && Buffer.from(encoding).toString() === ENCRYPTED_ENCODING;
}

function seal(payload: Payload): SealedPayload {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

function unseal(sealed: SealedPayload): Payload {
  const metadata = Object.fromEntries(Object.entries(sealed.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
  return { metadata, data: new Uint8Array(Buffer.from(sealed.data, 'base64')) };
}

/** The codec the environment asks for, or undefined when encryption is off (the variable unset or empty). */
export function encryptionCodecFromEnv(env: NodeJS.ProcessEnv = process.env, options: CodecOptions = {}): EncryptionCodec | undefined {
  const text = env[ENCRYPTION_KEYS_ENV]?.trim();
  return text ? EncryptionCodec.fromText(text, options) : undefined;
}

/** For the client's `dataConverter`: undefined keeps Temporal's default (no encryption). */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const codec = encryptionCodecFromEnv(env);
  return codec && { payloadCodecs: [codec] };
}

/**
 * For the worker's `dataConverter`: with keys, a payload written without one fails the workflow task
 * (Temporal retries it, so the run waits for a fix) instead of running on input nobody encrypted.
 */
export function workerDataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const allowPlaintext = ['1', 'true'].includes(env[ALLOW_PLAINTEXT_ENV]?.trim().toLowerCase() ?? '');
  const codec = encryptionCodecFromEnv(env, { refusePlaintext: !allowPlaintext });
  return codec && { payloadCodecs: [codec] };
}
