/**
 * Turns the sandbox's state into JSON and back without knowing its shape: it walks whatever the state
 * holds (Maps, Sets, arrays, plain objects, class instances, Dates and primitives), so a field added to a
 * record, a resource type or a new layer (regions, accounts) is saved without a change here.
 *
 * JSON cannot say "Map", "same object as before" or "undefined", so those are written as tagged objects,
 * each with one key starting with `$`:
 *
 *   {"$map": [[k, v], ...]}   {"$set": [...]}   {"$date": epochMs}   {"$undefined": 1}   {"$number": "NaN"}
 *   {"$class": "Timeline", "$fields": {...}}   a class instance, rebuilt on its class's prototype
 *   {"$object": {...}}        a plain object with a key starting with `$` (so it is not read as a tag)
 *   {"$array": [...]}         an array that needs an `$id`
 *   {"$id": 3, ...}           an object reached more than once; later occurrences are {"$ref": 3}
 *   {"$external": "clock"}    an object the caller supplies on both sides (it is not part of the state)
 *
 * Shared references matter: a resource's timeline is the same object as the one in the shared set that
 * "advance" moves, and it must still be after a restore. Functions, symbols and other built-ins (typed
 * arrays, WeakMaps, ...) are refused: state holding them could not be restored faithfully.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a class of any constructor signature
export type PersistedClass = abstract new (...args: any[]) => object;

export interface CodecOptions {
  /** Objects written by name, not by content, and supplied again when decoding (e.g. the sandbox's clock). */
  externals?: Record<string, object>;
  /** The classes whose instances may appear; each is identified by its name, so names must be unique. */
  classes: Iterable<PersistedClass>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isTag = (key: string) => key.startsWith('$');

function classIndex(classes: Iterable<PersistedClass>): Map<string, PersistedClass> {
  const byName = new Map<string, PersistedClass>();
  for (const cls of classes) {
    const known = byName.get(cls.name);
    if (known && known !== cls) throw new Error(`state codec: two classes are named ${cls.name}`);
    byName.set(cls.name, cls);
  }
  return byName;
}

/** The kinds of object the codec can hold, or why it cannot. */
function kindOf(value: object): 'array' | 'map' | 'set' | 'date' | 'plain' | 'instance' {
  if (Array.isArray(value)) return 'array';
  if (value instanceof Map) return 'map';
  if (value instanceof Set) return 'set';
  if (value instanceof Date) return 'date';
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null || proto === Object.prototype) return 'plain';
  if (ArrayBuffer.isView(value) || value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) {
    throw new Error(`state codec: cannot persist a ${value.constructor.name}`);
  }
  return 'instance';
}

/** Encodes `root` as a JSON string. */
export function encodeState(root: unknown, options: CodecOptions): string {
  const classes = classIndex(options.classes);
  const externalNames = new Map(Object.entries(options.externals ?? {}).map(([name, obj]) => [obj, name]));

  // First pass: which objects are reached more than once (they get an $id).
  const seen = new Set<object>();
  const shared = new Set<object>();
  const count = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || value instanceof Date || externalNames.has(value)) return;
    if (seen.has(value)) {
      shared.add(value);
      return;
    }
    seen.add(value);
    if (value instanceof Map) {
      for (const [k, v] of value) {
        count(k);
        count(v);
      }
    } else if (value instanceof Set || Array.isArray(value)) {
      for (const v of value as Iterable<unknown>) count(v);
    } else {
      for (const v of Object.values(value)) count(v);
    }
  };
  count(root);

  const ids = new Map<object, number>();
  const fields = (obj: object): Record<string, Json> => {
    const out: Record<string, Json> = {};
    for (const [key, v] of Object.entries(obj)) out[key] = encode(v, key);
    return out;
  };
  const encode = (value: unknown, where: string): Json => {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return Number.isFinite(value) && !Object.is(value, -0) ? value : { $number: String(value === 0 ? '-0' : value) };
      case 'undefined':
        return { $undefined: 1 };
      case 'bigint':
        return { $bigint: value.toString() };
      case 'object':
        break;
      default:
        throw new Error(`state codec: cannot persist a ${typeof value} (at ${where})`);
    }
    if (value === null) return null;
    const external = externalNames.get(value);
    if (external !== undefined) return { $external: external };
    const id = ids.get(value);
    if (id !== undefined) return { $ref: id };
    const kind = kindOf(value);
    if (kind === 'date') return { $date: (value as Date).getTime() };
    const idTag: Record<string, Json> = {};
    if (shared.has(value)) {
      idTag.$id = ids.size + 1;
      ids.set(value, ids.size + 1);
    }
    switch (kind) {
      case 'array': {
        const items = (value as unknown[]).map((v, i) => encode(v, `${where}[${i}]`));
        return shared.has(value) ? { ...idTag, $array: items } : items;
      }
      case 'map':
        return {
          ...idTag,
          $map: [...(value as Map<unknown, unknown>)].map(([k, v]) => [encode(k, where), encode(v, `${where}.${String(k)}`)]),
        };
      case 'set':
        return { ...idTag, $set: [...(value as Set<unknown>)].map((v) => encode(v, where)) };
      case 'plain': {
        const out = fields(value);
        return shared.has(value) || Object.keys(out).some(isTag) ? { ...idTag, $object: out } : out;
      }
      default: {
        const name = value.constructor.name;
        if (classes.get(name) !== value.constructor) {
          throw new Error(`state codec: cannot persist an instance of ${name} (at ${where}): it is not among the persisted classes`);
        }
        return { ...idTag, $class: name, $fields: fields(value) };
      }
    }
  };
  return JSON.stringify(encode(root, '$'));
}

/** Decodes what encodeState wrote, with the same classes and externals. */
export function decodeState<T>(text: string, options: CodecOptions): T {
  const classes = classIndex(options.classes);
  const externals = options.externals ?? {};
  const byId = new Map<number, unknown>();

  // Containers are registered under their $id before their contents are decoded, so a reference
  // from inside (a cycle) finds them.
  const register = <O>(node: { $id?: Json }, obj: O): O => {
    if (typeof node.$id === 'number') byId.set(node.$id, obj);
    return obj;
  };
  const assignFields = (target: Record<string, unknown>, from: Record<string, Json>) => {
    for (const [key, v] of Object.entries(from)) target[key] = decode(v);
  };
  const decode = (node: Json): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map(decode);
    if (!Object.keys(node).some(isTag)) {
      const out: Record<string, unknown> = {};
      assignFields(out, node);
      return out;
    }
    if ('$ref' in node) {
      if (!byId.has(node.$ref as number)) throw new Error(`state codec: reference to unknown object ${String(node.$ref)}`);
      return byId.get(node.$ref as number);
    }
    if ('$external' in node) {
      const external = externals[node.$external as string];
      if (!external) throw new Error(`state codec: no external object named ${String(node.$external)}`);
      return external;
    }
    if ('$undefined' in node) return undefined;
    if ('$number' in node) return node.$number === '-0' ? -0 : Number(node.$number);
    if ('$bigint' in node) return BigInt(node.$bigint as string);
    if ('$date' in node) return new Date(node.$date as number);
    if ('$array' in node) {
      const out = register(node, [] as unknown[]);
      for (const item of node.$array as Json[]) out.push(decode(item));
      return out;
    }
    if ('$map' in node) {
      const out = register(node, new Map<unknown, unknown>());
      for (const [k, v] of node.$map as [Json, Json][]) out.set(decode(k), decode(v));
      return out;
    }
    if ('$set' in node) {
      const out = register(node, new Set<unknown>());
      for (const item of node.$set as Json[]) out.add(decode(item));
      return out;
    }
    if ('$object' in node) {
      const out = register(node, {} as Record<string, unknown>);
      assignFields(out, node.$object as Record<string, Json>);
      return out;
    }
    if ('$class' in node) {
      const cls = classes.get(node.$class as string);
      if (!cls) throw new Error(`state codec: the stored state holds a ${String(node.$class)}, which this version does not know`);
      // Rebuilt without running the constructor: the fields come from the store, not from defaults.
      const out = register(node, Object.create(cls.prototype as object) as Record<string, unknown>);
      assignFields(out, node.$fields as Record<string, Json>);
      return out;
    }
    throw new Error(`state codec: unknown tag in ${JSON.stringify(node).slice(0, 80)}`);
  };
  return decode(JSON.parse(text) as Json) as T;
}

/** Every class whose instances `root` holds (outside `externals`): the classes a state of this shape needs. */
export function classesIn(root: unknown, externals: Iterable<object> = []): Set<PersistedClass> {
  const skip = new Set(externals);
  const found = new Set<PersistedClass>();
  const seen = new Set<object>();
  const walk = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value) || skip.has(value)) return;
    seen.add(value);
    if (value instanceof Map) {
      for (const [k, v] of value) {
        walk(k);
        walk(v);
      }
      return;
    }
    if (value instanceof Set || Array.isArray(value)) {
      for (const v of value as Iterable<unknown>) walk(v);
      return;
    }
    if (value instanceof Date) return;
    if (kindOf(value) === 'instance') found.add(value.constructor as PersistedClass);
    for (const v of Object.values(value)) walk(v);
  };
  walk(root);
  return found;
}
