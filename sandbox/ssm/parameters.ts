import { principalArn } from '../core/access-keys';
import { ApiError } from '../core/errors';
import { validationError, type JsonParams } from '../core/json-params';
import type { JsonAction } from '../core/json-service';
import type { JsonObject } from '../core/structure-protocol';
import { nameError, ownerOf, parameterArn, parseReference, reservedNameError } from './names';
import type { ParameterRecord, ParameterTier, ParameterType, ParameterVersion, SsmContext, SsmState } from './state';

/**
 * Parameter Store: PutParameter, GetParameter(s), GetParameterHistory, DeleteParameter. The reads also find
 * AWS's public parameters (`/aws/service/…`, public-parameters.ts), which no account can write or delete.
 */

const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString'];
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
const DATA_TYPES = ['text', 'aws:ec2:image'] as const;
const EC2_IMAGE = 'aws:ec2:image';
const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** Parameter Store keeps 100 versions; a new one beyond that drops the oldest. */
const MAX_VERSIONS = 100;
const MAX_VALUE = { Standard: 4096, Advanced: 8192 } as const;
const DEFAULT_SECURE_STRING_KEY = 'alias/aws/ssm';
const NAME_RULES = { maxLength: 2048 };

type SsmAction = JsonAction<SsmState>;

function readTags(params: JsonParams): Map<string, string> {
  const tags = new Map<string, string>();
  for (const tag of params.structList('Tags'))
    tags.set(tag.requiredString('Key', { maxLength: 128 }), tag.string('Value', { maxLength: 256 }) ?? '');
  return tags;
}

/**
 * What AWS documents for `aws:ec2:image`: a String parameter only, never changed to or from another data
 * type, whose value AWS validates asynchronously (format `ami-…` and an image the account can use in the
 * Region) after answering 200. The sandbox decides at once; an invalid value is answered the same 200,
 * and the parameter is neither created nor updated, as AWS's later validation leaves it.
 */
function checkImageDataType(type: ParameterType, dataType: string, current: ParameterVersion | undefined): void {
  if (dataType === EC2_IMAGE && type !== 'String') {
    throw new ApiError('ValidationException', `The data type ${EC2_IMAGE} is supported only for parameters of type String.`);
  }
  if (current && (current.dataType === EC2_IMAGE) !== (dataType === EC2_IMAGE)) {
    throw new ApiError('ValidationException', `You can't change a parameter's data type to or from ${EC2_IMAGE}.`);
  }
}

function imageExists(state: SsmState, value: string): boolean {
  return AMI_ID.test(value) && state.usableImage(value);
}

function tierFor(requested: (typeof TIERS)[number] | undefined, current: ParameterVersion | undefined, value: string): ParameterTier {
  if (requested === 'Advanced' || current?.tier === 'Advanced') return 'Advanced'; // Advanced never goes back to Standard
  if (requested === 'Intelligent-Tiering') return value.length > MAX_VALUE.Standard ? 'Advanced' : 'Standard';
  return 'Standard';
}

const putParameter: SsmAction = (params, ctx) => {
  const { state, caller } = ctx;
  const name = params.requiredString('Name', NAME_RULES);
  const value = params.requiredString('Value');
  const type = params.string('Type', { oneOf: PARAMETER_TYPES }) as ParameterType | undefined;
  const description = params.string('Description', { maxLength: 1024 });
  const requestedTier = params.string('Tier', { oneOf: TIERS }) as (typeof TIERS)[number] | undefined;
  const dataType = params.string('DataType', { maxLength: 128 });
  const allowedPattern = params.string('AllowedPattern', { maxLength: 1024 });
  const keyId = params.string('KeyId', { maxLength: 256 });
  const overwrite = params.bool('Overwrite') ?? false;
  const tags = readTags(params);

  const error = nameError(state.scope, name);
  if (error) throw error;
  if (tags.size > 0 && overwrite) {
    throw new ApiError(
      'ValidationException',
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  const existing = state.ssm.parameters.get(name);
  if (existing && !overwrite) {
    throw new ApiError(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }
  const current = existing?.versions.at(-1);
  const finalType = type ?? current?.type;
  if (!finalType) throw new ApiError('ValidationException', 'A parameter type is required when you create a parameter.');
  const finalDataType = dataType ?? current?.dataType ?? 'text';
  if (!(DATA_TYPES as readonly string[]).includes(finalDataType)) {
    throw new ApiError(
      'ValidationException',
      `The following data type is not supported: ${finalDataType} (Data type names are all lowercase.)`,
    );
  }
  checkImageDataType(finalType, finalDataType, current);
  const tier = tierFor(requestedTier, current, value);
  if (value.length > MAX_VALUE[tier]) {
    throw new ApiError(
      'ValidationException',
      tier === 'Standard'
        ? `Standard tier parameters support a maximum parameter value of ${MAX_VALUE.Standard} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`
        : `Advanced tier parameters support a maximum parameter value of ${MAX_VALUE.Advanced} characters.`,
    );
  }
  if (allowedPattern !== undefined) checkAllowedPattern(allowedPattern, value);
  const secureKey = finalType === 'SecureString' ? (keyId ?? current?.keyId ?? DEFAULT_SECURE_STRING_KEY) : undefined;
  if (secureKey !== undefined && secureKey !== DEFAULT_SECURE_STRING_KEY) checkKey(ctx, secureKey);

  const version = existing?.nextVersion ?? 1;
  if (finalDataType === EC2_IMAGE && !imageExists(state, value)) return { Version: version, Tier: tier };

  writeVersion(state.ssm.parameters, name, tags, {
    type: finalType,
    value,
    dataType: finalDataType,
    tier,
    description: description ?? current?.description,
    allowedPattern: allowedPattern ?? current?.allowedPattern,
    keyId: secureKey,
    modifiedAt: state.clock.now(),
    modifiedBy: principalArn(caller),
  });
  return { Version: version, Tier: tier };
};

/** Adds the next version of `name` (a new parameter with `tags` if there is none), dropping the oldest beyond MAX_VERSIONS. */
export function writeVersion(
  parameters: Map<string, ParameterRecord>,
  name: string,
  tags: Map<string, string>,
  fields: Omit<ParameterVersion, 'version'>,
): ParameterVersion {
  const record = parameters.get(name) ?? { name, versions: [], nextVersion: 1, tags };
  const version = { version: record.nextVersion, ...fields };
  record.versions.push(version);
  if (record.versions.length > MAX_VERSIONS) record.versions.shift();
  record.nextVersion += 1;
  parameters.set(name, record);
  return version;
}

function checkAllowedPattern(pattern: string, value: string): void {
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch {
    throw new ApiError('InvalidAllowedPatternException', `The allowed pattern ${pattern} is not a valid regular expression.`);
  }
  if (!regex.test(value)) {
    throw new ApiError(
      'ParameterPatternMismatchException',
      `Parameter value, ${value}, failed to satisfy constraint specified in allowed pattern: ${pattern}.`,
    );
  }
}

function checkKey({ state, caller }: SsmContext, keyId: string): void {
  if (!state.encryptionKeyUsable(caller, keyId)) throw new ApiError('InvalidKeyId', `Invalid KeyId ${keyId}`);
}

/** The first of `names` (as parseReference gives them) that is a parameter of the caller's, or one of AWS's public ones. */
function firstRecord(state: SsmState, names: string[]): ParameterRecord | undefined {
  return names.map((n) => state.ssm.parameters.get(n) ?? state.publicParameters().get(n)).find((r) => r !== undefined);
}

/** The version a reference names (the newest without a selector); undefined when the parameter or version is not there. */
function lookup(state: SsmState, reference: string): { record: ParameterRecord; version: ParameterVersion; selector?: string } | undefined {
  const { names, selector } = parseReference(state.scope, reference);
  const record = firstRecord(state, names);
  if (!record) return undefined;
  if (selector === undefined) return { record, version: record.versions.at(-1)! };
  // The sandbox has no labels (LabelParameterVersion is not modelled), so a selector is a version number.
  const version = /^\d+$/.test(selector) ? record.versions.find((v) => v.version === Number(selector)) : undefined;
  if (!version) {
    throw new ApiError(
      'ParameterVersionNotFound',
      `Systems Manager could not find version ${selector} of ${record.name}. Verify the version and try again.`,
    );
  }
  return { record, version, selector: `:${selector}` };
}

/** A SecureString's value without WithDecryption: an opaque stand-in for the ciphertext AWS returns. */
function shownValue(version: ParameterVersion, decrypt: boolean): string {
  if (version.type !== 'SecureString' || decrypt) return version.value;
  return Buffer.from(`sandbox-ciphertext:${version.keyId}:${version.value}`).toString('base64');
}

function parameterMembers(
  state: SsmState,
  record: ParameterRecord,
  version: ParameterVersion,
  decrypt: boolean,
  selector?: string,
): JsonObject {
  return {
    Name: record.name,
    Type: version.type,
    Value: shownValue(version, decrypt),
    Version: version.version,
    Selector: selector,
    LastModifiedDate: new Date(version.modifiedAt),
    ARN: parameterArn(ownerOf(state.scope, record.name), record.name),
    DataType: version.dataType,
  };
}

const notFound = () => new ApiError('ParameterNotFound', '');

const getParameter: SsmAction = (params, { state }) => {
  const name = params.requiredString('Name', NAME_RULES);
  const decrypt = params.bool('WithDecryption') ?? false;
  const found = lookup(state, name);
  if (!found) throw notFound();
  return { Parameter: parameterMembers(state, found.record, found.version, decrypt, found.selector) };
};

/** Names not found (or naming a version that is not there) are listed in InvalidParameters, as given. */
const getParameters: SsmAction = (params, { state }) => {
  const names = params.stringList('Names');
  if (names.length < 1 || names.length > 10) {
    throw validationError(
      'names',
      `[${names.join(', ')}]`,
      'Member must have length less than or equal to 10, Member must have length greater than or equal to 1',
    );
  }
  const decrypt = params.bool('WithDecryption') ?? false;
  const parameters: JsonObject[] = [];
  const invalid: string[] = [];
  for (const name of new Set(names)) {
    let found;
    try {
      found = lookup(state, name);
    } catch {
      found = undefined;
    }
    if (found) parameters.push(parameterMembers(state, found.record, found.version, decrypt, found.selector));
    else invalid.push(name);
  }
  return { Parameters: parameters, InvalidParameters: invalid };
};

const deleteParameter: SsmAction = (params, { state }) => {
  const name = params.requiredString('Name', NAME_RULES);
  const reserved = reservedNameError(name);
  if (reserved) throw reserved;
  if (!state.ssm.parameters.delete(name)) throw notFound();
  return {};
};

const getParameterHistory: SsmAction = (params, { state }) => {
  const name = params.requiredString('Name', NAME_RULES);
  const decrypt = params.bool('WithDecryption') ?? false;
  const maxResults = params.int('MaxResults', { min: 1, max: 50 }) ?? 50;
  const token = params.string('NextToken');
  const record = firstRecord(state, parseReference(state.scope, name).names);
  if (!record) throw notFound();
  const start = token === undefined ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0 || start >= record.versions.length) {
    throw new ApiError('InvalidNextToken', 'The specified token is not valid.');
  }
  const page = record.versions.slice(start, start + maxResults);
  const next = start + page.length;
  return {
    Parameters: page.map((v) => ({
      Name: record.name,
      Type: v.type,
      KeyId: v.keyId,
      LastModifiedDate: new Date(v.modifiedAt),
      LastModifiedUser: v.modifiedBy,
      Description: v.description,
      Value: shownValue(v, decrypt),
      AllowedPattern: v.allowedPattern,
      Version: v.version,
      Labels: [],
      Tier: v.tier,
      Policies: [],
      DataType: v.dataType,
    })),
    NextToken: next < record.versions.length ? String(next) : undefined,
  };
};

export const parameterActions: Record<string, SsmAction> = {
  PutParameter: putParameter,
  GetParameter: getParameter,
  GetParameters: getParameters,
  DeleteParameter: deleteParameter,
  GetParameterHistory: getParameterHistory,
};
