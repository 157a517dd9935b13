import { XMLBuilder } from 'fast-xml-parser';
import { ApiError } from './errors';

/**
 * The EC2 Query protocol: form-encoded requests whose keys nest with dots
 * (`Filter.1.Value.2`), and XML responses whose lists are `<xSet><item>`.
 */

/** A decoded form: `Filter.1.Name=x` becomes `{ Filter: { 1: { Name: 'x' } } }`. */
export interface FormNode {
  [key: string]: FormValue;
}
export type FormValue = string | FormNode;

export const EC2_XML_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function malformed(detail: string): ApiError {
  return new ApiError('MalformedQueryString', `The query string is malformed: ${detail}`);
}

export function decodeForm(body: string): FormNode {
  // URLSearchParams silently replaces bad escapes; AWS rejects them, so check first.
  try {
    decodeURIComponent(body.replace(/\+/g, ' '));
  } catch {
    throw malformed('invalid percent-encoding');
  }
  const root: FormNode = Object.create(null) as FormNode;
  for (const [key, value] of new URLSearchParams(body)) {
    if (key === '') throw malformed('empty parameter name');
    insert(root, key.split('.'), value, key);
  }
  return root;
}

function insert(node: FormNode, path: string[], value: string, key: string): void {
  const [head, ...rest] = path;
  if (!head) throw malformed(`empty segment in parameter name '${key}'`);
  const existing = node[head];
  if (rest.length === 0) {
    if (typeof existing === 'object') throw malformed(`parameter '${key}' is both a value and a list`);
    node[head] = value;
    return;
  }
  if (typeof existing === 'string') throw malformed(`parameter '${key}' is both a value and a list`);
  const child = existing ?? (Object.create(null) as FormNode);
  node[head] = child;
  insert(child, rest, value, key);
}

/**
 * What an action returns. Arrays become `<item>` lists; undefined members are
 * omitted; element order follows property order.
 */
export type XmlValue = string | number | boolean | undefined | XmlValue[] | XmlObject;
export interface XmlObject {
  [element: string]: XmlValue;
}

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false });
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

function toBuilderTree(value: XmlValue): unknown {
  if (Array.isArray(value)) return { item: value.map(toBuilderTree) };
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toBuilderTree(v);
    return out;
  }
  return value;
}

export function encodeXmlResponse(action: string, requestId: string, members: XmlObject): string {
  const body = { '@_xmlns': EC2_XML_NAMESPACE, requestId, ...(toBuilderTree(members) as object) };
  return XML_DECLARATION + (builder.build({ [`${action}Response`]: body }) as string);
}

export function encodeXmlError(code: string, message: string, requestId: string): string {
  const tree = { Response: { Errors: { Error: { Code: code, Message: message } }, RequestID: requestId } };
  return XML_DECLARATION + (builder.build(tree) as string);
}
