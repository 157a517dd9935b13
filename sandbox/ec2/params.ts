import { ApiError, invalidParameterValue, missingParameter } from '../core/errors';
import type { FormNode, FormValue } from '../core/query-protocol';

export interface Filter {
  name: string;
  values: string[];
}

export interface TagSpecification {
  resourceType: string;
  tags: Map<string, string>;
}

/** Top-level members that are not part of what a ClientToken stands for. */
const NOT_REQUEST_PARAMETERS = new Set(['Action', 'Version', 'ClientToken', 'DryRun']);

/** EC2's limit on the values of one filter. */
const MAX_FILTER_VALUES = 200;

/** Typed, validating access to a decoded EC2 Query request (or a nested part of one). */
export class Ec2Params {
  constructor(
    private readonly node: FormNode,
    private readonly prefix = '',
  ) {}

  string(name: string): string | undefined {
    const value = this.node[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidParameterValue(`Value for parameter ${this.path(name)} must be a single value`);
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missingParameter(this.path(name));
    return value;
  }

  int(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw invalidParameterValue(`Invalid value '${raw}' for ${this.path(name)}. It must be an integer.`);
    return Number(raw);
  }

  bool(name: string): boolean | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false')
      throw invalidParameterValue(`Invalid value '${raw}' for ${this.path(name)}. It must be true or false.`);
    return raw === 'true';
  }

  /** `Name.1=a&Name.2=b` → ['a', 'b'] in index order. */
  stringList(name: string): string[] {
    return this.entries(name).map(([index, value]) => {
      if (typeof value !== 'string')
        throw invalidParameterValue(`Value for parameter ${this.path(`${name}.${index}`)} must be a single value`);
      return value;
    });
  }

  /** `Name.1.Sub=x` → one Ec2Params per index, in index order. */
  structList(name: string): Ec2Params[] {
    return this.entries(name).map(([index, value]) => {
      if (typeof value === 'string') throw invalidParameterValue(`Parameter ${this.path(`${name}.${index}`)} must be a structure`);
      return new Ec2Params(value, `${this.path(name)}.${index}.`);
    });
  }

  struct(name: string): Ec2Params | undefined {
    const value = this.node[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string') throw invalidParameterValue(`Parameter ${this.path(name)} must be a structure`);
    return new Ec2Params(value, `${this.path(name)}.`);
  }

  filters(): Filter[] {
    return this.structList('Filter').map((f) => {
      const values = f.stringList('Value');
      if (values.length > MAX_FILTER_VALUES) {
        throw new ApiError('FilterLimitExceeded', `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`);
      }
      return { name: f.requiredString('Name'), values };
    });
  }

  tagList(name = 'Tag'): Map<string, string> {
    const tags = new Map<string, string>();
    for (const tag of this.structList(name)) tags.set(tag.requiredString('Key'), tag.string('Value') ?? '');
    return tags;
  }

  tagSpecifications(allowedTypes: readonly string[]): TagSpecification[] {
    return this.structList('TagSpecification').map((spec) => {
      const resourceType = spec.requiredString('ResourceType');
      if (!allowedTypes.includes(resourceType)) {
        throw invalidParameterValue(`'${resourceType}' is not a valid taggable resource type for this operation.`);
      }
      return { resourceType, tags: spec.tagList() };
    });
  }

  /**
   * The request's parameters as one string, for ClientToken idempotency: the same parameters give the
   * same string whatever their order. ClientToken and DryRun are left out, as are the protocol's own.
   */
  fingerprint(): string {
    const canonical = (node: FormNode): unknown =>
      Object.fromEntries(
        Object.keys(node)
          .filter((key) => !NOT_REQUEST_PARAMETERS.has(key) && !key.startsWith('X-Amz-'))
          .sort()
          .map((key) => {
            const value = node[key]!;
            return [key, typeof value === 'string' ? value : canonical(value)];
          }),
      );
    return JSON.stringify(canonical(this.node));
  }

  has(name: string): boolean {
    return this.node[name] !== undefined;
  }

  private entries(name: string): [string, FormValue][] {
    const value = this.node[name];
    if (value === undefined) return [];
    if (typeof value === 'string') throw invalidParameterValue(`Parameter ${this.path(name)} must be a list (${this.path(name)}.N)`);
    const entries = Object.entries(value);
    for (const [index] of entries) {
      if (!/^[1-9]\d*$/.test(index)) throw new ApiError('InvalidParameterValue', `Invalid list index '${index}' in ${this.path(name)}`);
    }
    return entries.sort(([a], [b]) => Number(a) - Number(b));
  }

  private path(name: string): string {
    return this.prefix + name;
  }
}
