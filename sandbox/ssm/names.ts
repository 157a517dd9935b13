import { ApiError } from '../core/errors';
import type { Scope } from '../core/state';

/**
 * Parameter names as Parameter Store's naming constraints describe them: letters, digits and `_.-`, in
 * up to 15 `/`-separated levels, fully qualified (leading `/`) when in a hierarchy, not beginning with
 * `aws` or `ssm` in any case, and at most 1011 characters counting the parameter's whole ARN. Names
 * beginning with `aws` are AWS's own (its public parameters live under `/aws/service/`): writing or deleting
 * one is AccessDeniedException, as SSM answers it, where the other rules are ValidationException.
 */

const MAX_HIERARCHY_LEVELS = 15;
const MAX_ARN_LENGTH = 1011;
const SEGMENT = /^[a-zA-Z0-9_.-]+$/;
const RESERVED = /^\/?aws/i;

const INVALID_NAME =
  'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

export function parameterArn(scope: Scope, name: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/** Whose ARN a parameter has: AWS's public parameters have no account in theirs. */
export function ownerOf(caller: Scope, name: string): Scope {
  return RESERVED.test(name) ? { accountId: '', region: caller.region } : caller;
}

/** Writing or deleting a name AWS reserves for itself. */
export function reservedNameError(name: string): ApiError | undefined {
  if (!RESERVED.test(name)) return undefined;
  return new ApiError('AccessDeniedException', `No access to reserved parameter name: ${name.replace(/^\//, '')}.`);
}

/** Why AWS would refuse `name` for a new parameter, as the error it answers; undefined if it is acceptable. */
export function nameError(scope: Scope, name: string): ApiError | undefined {
  const reserved = reservedNameError(name);
  if (reserved) return reserved;
  if (name.includes('/') && !name.startsWith('/')) {
    return new ApiError('ValidationException', 'Parameter name must be a fully qualified name.');
  }
  const segments = (name.startsWith('/') ? name.slice(1) : name).split('/');
  if (segments.some((s) => !SEGMENT.test(s)) || /^ssm/i.test(segments[0]!)) return new ApiError('ValidationException', INVALID_NAME);
  if (segments.length > MAX_HIERARCHY_LEVELS) {
    return new ApiError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels. Parameter name: ${name}`,
    );
  }
  if (parameterArn(scope, name).length > MAX_ARN_LENGTH) {
    return new ApiError('ValidationException', `Parameter name: the full parameter ARN can't exceed ${MAX_ARN_LENGTH} characters.`);
  }
  return undefined;
}

/**
 * A name as the read operations take it: the name, the caller's own parameter ARN or a public parameter's
 * (`arn:aws:ssm:<region>::parameter/aws/service/…`), then an optional `:<version>` or `:<label>` selector.
 */
export function parseReference(scope: Scope, reference: string): { names: string[]; selector?: string } {
  const arnPrefix = [scope.accountId, '']
    .map((account) => `arn:aws:ssm:${scope.region}:${account}:parameter`)
    .find((p) => reference.startsWith(p));
  const viaArn = arnPrefix !== undefined;
  const rest = viaArn ? reference.slice(arnPrefix.length) : reference;
  const colon = rest.lastIndexOf(':');
  const name = colon < 0 ? rest : rest.slice(0, colon);
  const selector = colon < 0 ? undefined : rest.slice(colon + 1);
  // `…:parameter/x` is the ARN of both `/x` and the unqualified `x`.
  return { names: viaArn && !name.slice(1).includes('/') ? [name, name.slice(1)] : [name], selector };
}
