import { ApiError } from './errors';
import type { IntRules, MemberReader, StringRules } from './member-reader';
import { serializationError, type JsonObject } from './structure-protocol';

/**
 * Typed, validating access to the members of a request in a structure protocol (AWS JSON 1.1, RPC v2
 * CBOR). A value of the wrong JSON type fails deserialization (SerializationException); a value of the
 * right type that breaks a model constraint fails validation (ValidationException, worded as AWS words it).
 */

/** JSON services name it ValidationException; Query-protocol services (Auto Scaling, CloudWatch) ValidationError. */
export function validationError(member: string, value: unknown, constraint: string, code = 'ValidationException'): ApiError {
  const shown = value === undefined ? 'null' : `'${String(value)}'`;
  return new ApiError(code, `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** A string member's model constraints, checked as AWS checks them; `path` is the member as messages name it. */
export function checkString(path: string, value: string, rules: StringRules, code?: string): void {
  if (rules.maxLength !== undefined && value.length > rules.maxLength) {
    throw validationError(path, value, `Member must have length less than or equal to ${rules.maxLength}`, code);
  }
  if (rules.pattern && !rules.pattern.test(value)) {
    throw validationError(path, value, `Member must satisfy regular expression pattern: ${rules.pattern.source}`, code);
  }
  if (rules.oneOf && !rules.oneOf.includes(value)) {
    throw validationError(path, value, `Member must satisfy enum value set: [${rules.oneOf.join(', ')}]`, code);
  }
}

/** A number member's range. */
export function checkRange(path: string, value: number, rules: IntRules, code?: string): void {
  if (rules.min !== undefined && value < rules.min)
    throw validationError(path, value, `Member must have value greater than or equal to ${rules.min}`, code);
  if (rules.max !== undefined && value > rules.max)
    throw validationError(path, value, `Member must have value less than or equal to ${rules.max}`, code);
}

export class JsonParams implements MemberReader {
  constructor(
    private readonly members: JsonObject,
    private readonly prefix = '',
  ) {}

  string(name: string, rules: StringRules = {}): string | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.wrongType(name, 'a string');
    checkString(this.path(name), value, rules);
    return value;
  }

  requiredString(name: string, rules: StringRules = {}): string {
    const value = this.string(name, rules);
    if (value === undefined) throw validationError(this.path(name), undefined, 'Member must not be null');
    if (value === '') throw validationError(this.path(name), value, 'Member must have length greater than or equal to 1');
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.wrongType(name, 'a boolean');
    return value;
  }

  int(name: string, rules: IntRules = {}): number | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw this.wrongType(name, 'an integer');
    checkRange(this.path(name), value, rules);
    return value;
  }

  /** A double member, such as an alarm's Threshold. */
  number(name: string): number | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw this.wrongType(name, 'a number');
    return value;
  }

  stringList(name: string): string[] {
    const value = this.value(name);
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw this.wrongType(name, 'a list of strings');
    return value as string[];
  }

  intList(name: string): number[] {
    const value = this.value(name);
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isInteger(v)))
      throw this.wrongType(name, 'a list of integers');
    return value as number[];
  }

  /** A map member such as Tags: `{"key": "value"}`. */
  stringMap(name: string): Map<string, string> {
    const value = this.value(name);
    if (value === undefined) return new Map();
    if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) throw this.wrongType(name, 'a map of strings');
    return new Map(Object.entries(value as Record<string, string>));
  }

  /** A map of string lists, such as SendCommand's Parameters: `{"commands": ["…", "…"]}`. */
  stringListMap(name: string): Map<string, string[]> {
    const value = this.value(name);
    if (value === undefined) return new Map();
    const lists = isObject(value) ? Object.values(value) : [];
    if (!isObject(value) || lists.some((l) => !Array.isArray(l) || l.some((v) => typeof v !== 'string'))) {
      throw this.wrongType(name, 'a map of string lists');
    }
    return new Map(Object.entries(value as Record<string, string[]>));
  }

  /** A list of structures, such as SSM's Tags: `[{"Key": …, "Value": …}]`. */
  structList(name: string): JsonParams[] {
    const value = this.value(name);
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => !isObject(v))) throw this.wrongType(name, 'a list of structures');
    return value.map((v, i) => new JsonParams(v as JsonObject, `${this.path(name)}.${i + 1}.member.`));
  }

  struct(name: string): JsonParams | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (!isObject(value)) throw this.wrongType(name, 'a structure');
    return new JsonParams(value, `${this.path(name)}.`);
  }

  /** The member as AWS names it in validation messages: lower camel case, dotted when nested. */
  path(name: string): string {
    return this.prefix + name.charAt(0).toLowerCase() + name.slice(1);
  }

  /** JSON null counts as absent, as in AWS's deserializers. */
  private value(name: string): unknown {
    const value = Object.hasOwn(this.members, name) ? this.members[name] : undefined;
    return value === null ? undefined : value;
  }

  private wrongType(name: string, expected: string): ApiError {
    return serializationError(`Member '${this.path(name)}' must be ${expected}.`);
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
