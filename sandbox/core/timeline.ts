import type { VirtualClock } from './clock';

/** One state of a resource and the virtual instant it is entered. */
export interface Step<S extends string> {
  state: S;
  /** Virtual time (ms) at which the state is entered. */
  at: number;
  /**
   * Wall-clock time the state was entered, pinned once an advance of the virtual
   * clock has crossed it (until then it is `at` minus the clock's offset).
   */
  wallAt?: number;
}

/**
 * A resource's planned state changes. State is computed on read from the clock,
 * so nothing needs a timer and an advanced clock is honoured immediately.
 */
export class Timeline<S extends string> {
  private readonly steps: Step<S>[];

  constructor(first: S, at: number) {
    this.steps = [{ state: first, at }];
  }

  /** Plans `state` to be entered `afterMs` after the last planned step. */
  then(state: S, afterMs: number): this {
    this.steps.push({ state, at: this.last().at + afterMs });
    return this;
  }

  stateAt(now: number): S {
    let current = this.steps[0]!.state;
    for (const step of this.steps) if (step.at <= now) current = step.state;
    return current;
  }

  /** Drops every step not yet reached and plans new ones from `now`. */
  replan(now: number, next: { state: S; afterMs: number }[]): void {
    const reached = this.steps.filter((s) => s.at <= now);
    this.steps.splice(0, this.steps.length, ...reached);
    let at = now;
    for (const { state, afterMs } of next) {
      at += afterMs;
      this.steps.push({ state, at });
    }
  }

  /** Changes what the final step turns into (e.g. available → failed) without moving it. */
  setFinalState(state: S): void {
    this.last().state = state;
  }

  finalState(): S {
    return this.last().state;
  }

  isSettled(now: number): boolean {
    return this.last().at <= now;
  }

  /** Virtual time the last planned step is (or was) entered. */
  settlesAt(): number {
    return this.last().at;
  }

  /** The states entered by `now`, oldest first, with the virtual instant each was entered. */
  history(now: number): { state: S; at: number }[] {
    return this.steps.filter((s) => s.at <= now).map(({ state, at }) => ({ state, at }));
  }

  /** Virtual time the given state is (or will be) entered, if planned. */
  plannedAt(state: S): number | undefined {
    return this.steps.find((s) => s.state === state)?.at;
  }

  /** Wall-clock time the given state was entered, or undefined if not reached yet. */
  reachedAtWall(state: S, clock: VirtualClock): number | undefined {
    const step = this.steps.find((s) => s.state === state);
    if (!step || step.at > clock.now()) return undefined;
    return step.wallAt ?? clock.toWall(step.at);
  }

  /** Wall-clock time the final state was entered, or null while a transition is under way. */
  settledAtWall(clock: VirtualClock): number | null {
    if (!this.isSettled(clock.now())) return null;
    return this.reachedAtWall(this.finalState(), clock) ?? null;
  }

  /** "Advance all": every pending step happens now. */
  completeNow(now: number, wallNow: number): void {
    for (const step of this.steps) {
      if (step.at > now) {
        step.at = now;
        step.wallAt = wallNow;
      }
    }
  }

  /**
   * Called just before the clock jumps from `from` to `to`: pins the wall-clock
   * time of steps that the jump crosses (they happen "now"), and of steps
   * already passed (their wall time would otherwise shift with the offset).
   */
  pinWallTimes(from: number, to: number, clock: VirtualClock, wallNow: number): void {
    for (const step of this.steps) {
      if (step.wallAt !== undefined || step.at > to) continue;
      step.wallAt = step.at <= from ? clock.toWall(step.at) : wallNow;
    }
  }

  private last(): Step<S> {
    return this.steps[this.steps.length - 1]!;
  }
}
