/**
 * One watcher per worker, shared by every wait in it. A wait attempt asks the watcher for a
 * resource's state instead of describing it itself; the watcher collects the IDs asked for within a
 * moment and answers them all from one batched, paginated describe per resource kind. N concurrent
 * waits thus cost about ceil(N / page) describe calls per refresh, not N, and EC2's throttling buckets
 * stay full.
 *
 * The retry-as-poll contract is unchanged: each attempt still ends with an answer (or "not ready"),
 * the activity's retry policy still paces the polls, and the watcher keeps nothing a crash could lose.
 * It describes a resource only while some attempt is waiting for it, so polling stops by itself.
 */

/** Describes many resources in one go (across pages); an ID missing from the map was not found. */
export type BatchDescribe<T> = (ids: string[]) => Promise<Map<string, T>>;

export interface WatchSettings {
  /** How long to collect attempts before a refresh, so attempts arriving together share it. */
  coalesceMs: number;
  /** The least time between two refreshes of one kind: at most one describe (per page) per gap. */
  minGapMs: number;
  /** A refresh that takes longer is given up: its waits fail (and retry), and the next refresh can start. */
  refreshTimeoutMs: number;
}

/** Shared by default; `per-run` describes each resource on its own, as a plain poller would (the benchmark's baseline). */
export type WaitMode = 'shared' | 'per-run';

export const DEFAULT_WATCH: WatchSettings = { coalesceMs: 50, minGapMs: 1_000, refreshTimeoutMs: 25_000 };

interface Waiter<T> {
  resolve: (value: T | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * The watch over one kind of resource (AMIs, fast-launch states, root-volume tasks, ...). It keeps no
 * cache: every answer comes from a describe that started after the wait asked, so a wait never sees a
 * state from before the action it waits on (a builder deleted a moment ago and created again, say).
 */
export class ResourceWatch<T> {
  private waiting = new Map<string, Waiter<T>[]>();
  private timer: NodeJS.Timeout | undefined;
  private lastRefresh = 0;

  constructor(
    private readonly describe: BatchDescribe<T>,
    private readonly mode: WaitMode = 'shared',
    private readonly settings: WatchSettings = DEFAULT_WATCH,
  ) {}

  /** The resource's latest state, or undefined when it does not exist. */
  async observe(id: string): Promise<T | undefined> {
    if (this.mode === 'per-run') return (await this.describe([id])).get(id);
    return new Promise<T | undefined>((resolve, reject) => {
      this.waiting.set(id, [...(this.waiting.get(id) ?? []), { resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer) return;
    const delay = Math.max(this.settings.coalesceMs, this.lastRefresh + this.settings.minGapMs - Date.now());
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private async refresh(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    this.lastRefresh = Date.now();
    try {
      const found = await withDeadline(this.describe([...batch.keys()]), this.settings.refreshTimeoutMs);
      for (const [id, waiters] of batch) for (const waiter of waiters) waiter.resolve(found.get(id));
    } catch (err) {
      // A failed describe (throttled, say) fails this round's attempts; their retry policy tries again.
      for (const waiter of [...batch.values()].flat()) waiter.reject(err);
    } finally {
      this.timer = undefined;
      if (this.waiting.size) this.schedule();
    }
  }
}

/** A describe that never answers must not hold every later wait of its kind: give up after `ms`. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`describe gave no answer within ${ms} ms`), { name: 'TimeoutError' })), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Runs a batch describe in chunks, for APIs that cap how many IDs one request may name. */
export async function inChunks<T>(ids: string[], size: number, describe: BatchDescribe<T>): Promise<Map<string, T>> {
  const result = new Map<string, T>();
  for (let i = 0; i < ids.length; i += size) {
    for (const [id, value] of await describe(ids.slice(i, i + size))) result.set(id, value);
  }
  return result;
}
