import type { VirtualClock } from '../core/clock';
import { Timeline } from '../core/timeline';
import { classesIn, decodeState, encodeState, type CodecOptions } from './state-codec';

/** What one snapshot holds: the state, and the clock's offset (the state refers to the clock, it does not own it). */
export interface SandboxSnapshot<S> {
  clockOffsetMs: number;
  state: S;
}

/**
 * Encodes and decodes one sandbox's state with the generic codec. The classes a snapshot may hold are
 * those a freshly seeded state holds (its containers, whatever shape they take) plus Timeline, which
 * every transition uses; saving and restoring derive them the same way, so whatever is saved can be read
 * back, and a state holding another class fails to save loudly rather than to restore later.
 */
export class SandboxSnapshots<S extends object> {
  private options?: CodecOptions;

  constructor(
    private readonly clock: VirtualClock,
    private readonly freshState: () => S,
  ) {}

  encode(state: S): string {
    const snapshot: SandboxSnapshot<S> = { clockOffsetMs: this.clock.offsetMs, state };
    return encodeState(snapshot, this.codecOptions());
  }

  decode(text: string): SandboxSnapshot<S> {
    return decodeState<SandboxSnapshot<S>>(text, this.codecOptions());
  }

  private codecOptions(): CodecOptions {
    this.options ??= {
      classes: classesIn(this.freshState(), [this.clock]).add(Timeline),
      externals: { clock: this.clock },
    };
    return this.options;
  }
}
