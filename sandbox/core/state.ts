import type { VirtualClock } from './clock';
import { Timeline } from './timeline';

/** The one account and region the sandbox plays. */
export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';

export type Tags = Map<string, string>;

/**
 * What every service's resources share: the virtual clock, one creation
 * sequence, and the timelines that "advance" moves. Each service keeps its own
 * resources beside it (ec2/state.ts, appstream/state.ts); SandboxState in
 * sandbox.ts puts them together.
 */
export class SharedState {
  private readonly timelines = new Set<Timeline<string>>();
  private seq = 0;

  constructor(readonly clock: VirtualClock) {}

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
