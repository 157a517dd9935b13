import { ApiError } from '../core/errors';
import type { Ec2Params } from './params';
import type { IdempotentRequest } from './state';

/**
 * EC2's ClientToken rule (RunInstances, CopyImage, CreateLaunchTemplateVersion, CreateReplaceRootVolumeTask): a retry
 * with the same token and the same parameters gets the first answer again, however long after; the same
 * token with other parameters is IdempotentParameterMismatch.
 */
export class ClientTokens {
  constructor(private readonly tokens: Map<string, IdempotentRequest>) {}

  /** The first request's result, if `token` was used before with these parameters; undefined for a new token. */
  previousResult(token: string | undefined, params: Ec2Params): string | undefined {
    if (token === undefined) return undefined;
    const previous = this.tokens.get(token);
    if (!previous) return undefined;
    if (previous.fingerprint !== params.fingerprint()) {
      // EC2's message, as RunInstances gives it.
      throw new ApiError(
        'IdempotentParameterMismatch',
        'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).',
      );
    }
    return previous.result;
  }

  remember(token: string | undefined, params: Ec2Params, result: string): void {
    if (token !== undefined) this.tokens.set(token, { fingerprint: params.fingerprint(), result });
  }
}
