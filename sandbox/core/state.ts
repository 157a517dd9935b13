import { z } from 'zod';
import { SANDBOX_ACCESS_KEYS } from './access-keys';
import type { VirtualClock } from './clock';
import { Timeline } from './timeline';

/** The Region a request is for unless signed for another, and where the sandbox's demo resources live. */
export const DEFAULT_REGION = 'us-east-1';

/** The account of the key the dev stack and tests sign with: the demo resources are its, and admin calls default to it. */
export const DEFAULT_ACCOUNT_ID = SANDBOX_ACCESS_KEYS[0]!.accountId;

/** The account that owns AWS's public resources in every Region: Amazon's AMIs, AppStream's base images. */
export const AWS_ACCOUNT_ID = '801119661308';

/** Where a resource lives, as on AWS: an account's resources in one Region are apart from every other's. */
export interface Scope {
  accountId: string;
  region: string;
}

export const DEFAULT_SCOPE: Scope = { accountId: DEFAULT_ACCOUNT_ID, region: DEFAULT_REGION };

/**
 * The optional `accountId` and `region` of admin requests (state, fail, faults, AppStream updates), as
 * members to spread into their schemas; `scopeOf` fills in the defaults.
 */
export const scopeMembers = {
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'an account ID is 12 digits')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a Region looks like us-east-1')
    .optional(),
};

export function scopeOf(input: { accountId?: string; region?: string }): Scope {
  return { accountId: input.accountId ?? DEFAULT_ACCOUNT_ID, region: input.region ?? DEFAULT_REGION };
}

/** The key of a scope in maps: `<account>/<region>`. */
export function scopeKey(scope: Scope): string {
  return `${scope.accountId}/${scope.region}`;
}

/** The Availability Zone the sandbox has in each Region (one per Region). */
export function availabilityZone(region: string): string {
  return `${region}a`;
}

export type Tags = Map<string, string>;

/** What every resource's code needs of the shared state: the clock, the creation sequence and timelines. */
export interface Chronicle {
  readonly clock: VirtualClock;
  /** The one state behind every scope's view, for what is kept per sandbox rather than per scope. */
  readonly shared: SharedState;
  nextSeq(): number;
  timeline<S extends string>(first: S, at?: number): Timeline<S>;
}

/**
 * What every service's resources share, in every account and Region: the virtual clock, one creation
 * sequence, and the timelines that "advance" moves. Each scope's resources sit beside it (SandboxState
 * in sandbox.ts); actions see one scope through a view.
 */
export class SharedState implements Chronicle {
  private readonly timelines = new Set<Timeline<string>>();
  private seq = 0;

  constructor(readonly clock: VirtualClock) {}

  get shared(): SharedState {
    return this;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** A timeline that "advance" will move along with every other one. */
  timeline<S extends string>(first: S, at = this.clock.now()): Timeline<S> {
    const timeline = new Timeline<S>(first, at);
    this.timelines.add(timeline as unknown as Timeline<string>);
    return timeline;
  }

  /** Finishes every pending transition at once. */
  completeAll(): void {
    const now = this.clock.now();
    const wallNow = Date.now();
    for (const t of this.timelines) t.completeNow(now, wallNow);
  }

  /** Moves the virtual clock forward by `ms`. */
  advance(ms: number): void {
    const from = this.clock.now();
    const wallNow = Date.now();
    for (const t of this.timelines) t.pinWallTimes(from, from + ms, this.clock, wallNow);
    this.clock.advance(ms);
  }
}
