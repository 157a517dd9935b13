import { ApiError } from './errors';
import { checkRange, checkString, validationError } from './json-params';
import type { IntRules, MemberReader, StringRules } from './member-reader';
import type { FormNode, FormValue } from './query-protocol';

/**
 * Typed, validating access to a request in the Query protocol as Auto Scaling, CloudWatch and STS speak it
 * (not EC2's dialect): form members whose lists are `Name.member.N` (an empty list is sent as `Name=`) and
 * whose structures nest with dots. A value that breaks a model constraint fails with ValidationError, worded
 * as AWS words it; one that is not of its member's type cannot be read at all (MalformedInput).
 */

const VALIDATION_ERROR = 'ValidationError';

function malformed(path: string, expected: string): ApiError {
  return new ApiError('MalformedInput', `Value at '${path}' must be ${expected}.`);
}

export class QueryParams implements MemberReader {
  constructor(
    private readonly node: FormNode,
    private readonly prefix = '',
  ) {}

  string(name: string, rules: StringRules = {}): string | undefined {
    const value = this.scalar(name);
    if (value !== undefined) checkString(this.path(name), value, rules, VALIDATION_ERROR);
    return value;
  }

  requiredString(name: string, rules: StringRules = {}): string {
    const value = this.string(name, rules);
    if (value === undefined) throw validationError(this.path(name), undefined, 'Member must not be null', VALIDATION_ERROR);
    if (value === '') throw validationError(this.path(name), value, 'Member must have length greater than or equal to 1', VALIDATION_ERROR);
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw malformed(this.path(name), 'true or false');
    return value === 'true';
  }

  int(name: string, rules: IntRules = {}): number | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) throw malformed(this.path(name), 'an integer');
    const n = Number(value);
    checkRange(this.path(name), n, rules, VALIDATION_ERROR);
    return n;
  }

  number(name: string): number | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw malformed(this.path(name), 'a number');
    return n;
  }

  stringList(name: string): string[] {
    return this.members(name).map(([index, value]) => {
      if (typeof value !== 'string') throw malformed(`${this.path(name)}.member.${index}`, 'a string');
      return value;
    });
  }

  intList(name: string): number[] {
    return this.stringList(name).map((value, i) => {
      if (!/^-?\d+$/.test(value)) throw malformed(`${this.path(name)}.member.${i + 1}`, 'an integer');
      return Number(value);
    });
  }

  structList(name: string): QueryParams[] {
    return this.members(name).map(([index, value]) => {
      if (typeof value === 'string') throw malformed(`${this.path(name)}.member.${index}`, 'a structure');
      return new QueryParams(value, `${this.path(name)}.${index}.member.`);
    });
  }

  struct(name: string): QueryParams | undefined {
    const value = this.node[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string') throw malformed(this.path(name), 'a structure');
    return new QueryParams(value, `${this.path(name)}.`);
  }

  path(name: string): string {
    return this.prefix + name.charAt(0).toLowerCase() + name.slice(1);
  }

  private scalar(name: string): string | undefined {
    const value = this.node[name];
    if (value === undefined || typeof value === 'string') return value;
    throw malformed(this.path(name), 'a single value');
  }

  /** `Name.member.N` in index order; `Name=` (how SDKs send an empty list) is no members. */
  private members(name: string): [string, FormValue][] {
    const value = this.node[name];
    if (value === undefined || value === '') return [];
    const list = typeof value === 'string' ? undefined : value.member;
    if (list === undefined || typeof list === 'string' || Object.keys(value).length !== 1) {
      throw malformed(this.path(name), `a list (${name}.member.N)`);
    }
    const entries = Object.entries(list);
    if (entries.some(([index]) => !/^[1-9]\d*$/.test(index))) throw malformed(this.path(name), `a list (${name}.member.N)`);
    return entries.sort(([a], [b]) => Number(a) - Number(b));
  }
}
