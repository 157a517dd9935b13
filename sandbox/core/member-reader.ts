/** A string member's constraints from the service model. */
export interface StringRules {
  pattern?: RegExp;
  maxLength?: number;
  oneOf?: readonly string[];
}

/** An integer member's range from the service model. */
export interface IntRules {
  min?: number;
  max?: number;
}

/**
 * Typed, validating access to a request's members, whatever protocol carried them: JsonParams reads AWS JSON
 * and RPC v2 CBOR structures, QueryParams the Query protocol's form. A service spoken over more than one
 * protocol (CloudWatch) writes its actions once against this.
 */
export interface MemberReader {
  string(name: string, rules?: StringRules): string | undefined;
  /** Absent or empty fails validation, as AWS's `Member must not be null`. */
  requiredString(name: string, rules?: StringRules): string;
  bool(name: string): boolean | undefined;
  int(name: string, rules?: IntRules): number | undefined;
  /** A double member. */
  number(name: string): number | undefined;
  stringList(name: string): string[];
  intList(name: string): number[];
  structList(name: string): MemberReader[];
  struct(name: string): MemberReader | undefined;
  /** The member as AWS names it in validation messages: lower camel case, dotted when nested. */
  path(name: string): string;
}
