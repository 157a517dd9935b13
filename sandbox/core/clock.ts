/**
 * The sandbox's notion of "now": wall-clock time plus an offset that the admin
 * API can push forward, so tests can skip a 20-minute AMI build in one call.
 */
export class VirtualClock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  get offsetMs(): number {
    return this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  reset(): void {
    this.offset = 0;
  }

  /** The wall-clock instant at which a virtual instant arrives, if no further advance happens. */
  toWall(virtualMs: number): number {
    return virtualMs - this.offset;
  }
}
