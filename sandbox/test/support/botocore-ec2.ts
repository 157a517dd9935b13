import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * botocore's EC2 service model (from the awscli venv the CLI tests build), and the wire names of each
 * operation's input as EC2's Query protocol serialises them, the way botocore's EC2Serializer does.
 */

interface MemberRef {
  shape: string;
  locationName?: string;
  queryName?: string;
}
interface Shape {
  type: string;
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  min?: number;
  max?: number;
}
export interface Ec2Model {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

const venvLib = path.resolve(__dirname, '..', '..', '.local', 'awscli-venv', 'lib');

export function loadEc2Model(): Ec2Model {
  const python = readdirSync(venvLib).find((name) => name.startsWith('python'));
  if (!python) throw new Error(`no python under ${venvLib}; run ensureAwsCli() first`);
  const file = path.join(venvLib, python, 'site-packages', 'botocore', 'data', 'ec2', '2016-11-15', 'service-2.json.gz');
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Ec2Model;
}

/** botocore's EC2Serializer: queryName, else the locationName capitalised, else the member name. */
function wireName(name: string, ref: MemberRef): string {
  if (ref.queryName) return ref.queryName;
  if (ref.locationName) return ref.locationName[0]!.toUpperCase() + ref.locationName.slice(1);
  return name;
}

/** Every parameter path of an operation's input, with `N` for a list index (EC2 lists are always flattened). */
export function inputParameterPaths(model: Ec2Model, operation: string): string[] {
  const input = model.operations[operation]?.input;
  if (!input) return [];
  const paths: string[] = [];
  const walk = (shapeName: string, prefix: string, seen: string[]): void => {
    const shape = model.shapes[shapeName]!;
    if (shape.type === 'structure') {
      // EC2 input shapes are not recursive; guard anyway so a model change cannot loop forever.
      if (seen.includes(shapeName)) throw new Error(`recursive shape ${shapeName} in ${operation}`);
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        walk(ref.shape, prefix === '' ? wireName(name, ref) : `${prefix}.${wireName(name, ref)}`, [...seen, shapeName]);
      }
    } else if (shape.type === 'list') {
      walk(shape.member!.shape, `${prefix}.N`, seen);
    } else if (shape.type === 'map') {
      throw new Error(`map parameter ${prefix} in ${operation}: the sandbox's table has no form for maps`);
    } else {
      paths.push(prefix);
    }
  };
  walk(input.shape, '', []);
  return paths.sort();
}

/** The documented [min, max] of an operation's MaxResults, where the model constrains it. */
export function maxResultsRange(model: Ec2Model, operation: string): [number, number] | undefined {
  const input = model.shapes[model.operations[operation]?.input?.shape ?? '']!;
  const ref = input.members?.MaxResults;
  const shape = ref && model.shapes[ref.shape];
  return shape?.min !== undefined && shape.max !== undefined ? [shape.min, shape.max] : undefined;
}
