import { ApiError } from '../core/errors';
import type { FormNode, FormValue } from '../core/query-protocol';
import { EC2_QUERY_PARAMETERS } from './query-parameters';

/**
 * AWS refuses a parameter an action does not have (UnknownParameter) rather than ignoring it, so a
 * misspelt `Filters.1.Name` or `ImageIds.1` fails loudly instead of quietly describing everything.
 */

/** A parameter's children by wire name; `N` holds a list's items. An empty node is a value. */
interface ParameterNode {
  [name: string]: ParameterNode;
}

/** The common parameters every action takes: Action and Version, and those of SigV4 (and SigV2) query signing. */
const COMMON_PARAMETERS = [
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
  'X-Amz-SignedHeaders',
  'AWSAccessKeyId',
  'Expires',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'Timestamp',
];

function parameterTree(paths: string[]): ParameterNode {
  const root: ParameterNode = Object.create(null) as ParameterNode;
  for (const path of [...COMMON_PARAMETERS, ...paths]) {
    let node = root;
    for (const segment of path.split('.')) node = node[segment] ??= Object.create(null) as ParameterNode;
  }
  return root;
}

const TREES = new Map(Object.entries(EC2_QUERY_PARAMETERS).map(([action, paths]) => [action, parameterTree(paths.split(' '))]));

/** Named as sent: the first full key under the first unknown segment (`Filters.1.Name`, not `Filters`). */
function unknownParameter(name: string, value: FormValue): ApiError {
  let key = name;
  for (let node = value; typeof node === 'object';) {
    const [first, next] = Object.entries(node)[0]!;
    key += `.${first}`;
    node = next;
  }
  return new ApiError('UnknownParameter', `The parameter ${key} is not recognized`);
}

/**
 * Throws UnknownParameter for the first parameter `action` does not take. Shapes that do not fit
 * (a value where a list is expected, a list index that is not a number) are left to Ec2Params, which
 * reports them with EC2's own errors when the action reads them.
 */
export function checkKnownParameters(action: string, form: FormNode): void {
  const tree = TREES.get(action);
  if (!tree) return;
  const walk = (node: FormNode, allowed: ParameterNode, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const name = prefix + key;
      const isIndex = /^\d+$/.test(key);
      const child = allowed.N && isIndex ? allowed.N : Object.hasOwn(allowed, key) && key !== 'N' ? allowed[key] : undefined;
      if (child === undefined) {
        // A list's items are named by index only; anything else under a list is the index check's to report.
        if (allowed.N && !isIndex) continue;
        throw unknownParameter(name, value);
      }
      if (typeof value === 'object') {
        if (Object.keys(child).length === 0) throw unknownParameter(name, value);
        walk(value, child, `${name}.`);
      }
    }
  };
  walk(form, tree, '');
}
