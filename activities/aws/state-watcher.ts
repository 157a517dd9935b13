/**
 * One watcher per worker, shared by every wait in it. A wait attempt asks the watcher for a
 * resource's state instead of describing it itself, and the watcher answers all the waits of one kind
 * and poll interval from one batched, paginated describe per interval: a "beat".
 *
 * Why beats line up: a beat describes every resource some wait asked about lately, a wait's first
 * attempt waits for the next beat, and its retry policy brings it back one interval after its answer.
 * Beats are a little more than one interval apart, on ticks every worker's watchers share, so the
 * waits answered together come back just before the next beat (in whichever worker), wait for it, and
 * are answered together again. The waits thus fall into step
 * after their first poll, N waits cost about ceil(N / page) describes per interval, and a change is
 * seen about one interval (plus a second at most) after it happened, about what a wait polling on its
 * own would see. A wait coming back up to half an interval after a beat started takes that beat's
 * answer instead of waiting a whole interval for the next; one coming back a moment after the beat to
 * a worker whose beat did not describe it (its attempts ran elsewhere) gets one catch-up describe,
 * shared by all such, at the end of the slack.
 *
 * The retry-as-poll contract is unchanged: each attempt still ends with an answer (or "not ready"),
 * the retry policy still paces the polls, and the watcher keeps nothing a crash could lose. A resource
 * no wait asks about for two beats is no longer described, and with no one asking, nothing is. A watch
 * told which states end its waits (`settled`: replace-root-volume tasks, whose every wait ends when the
 * task does) drops a resource found in one at once, as no wait comes back for it (one that does is
 * described again, in a catch-up or the next beat); watches whose resources are waited on from more
 * than one state (instances, fleets) are not told.
 *
 * In a trace (contracts/tracing.ts), a beat answers the waits of many runs, so it belongs to none of
 * their traces: each beat (and catch-up) is a trace of its own, a `watch beat` span over its describe
 * calls, and each wait attempt it answers links to it from its RunActivity span. A run's trace thus
 * shows every poll of a wait, and from each the one describe that answered it and what else that
 * describe was for; a describe is never counted in every run it served.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';

/** Describes many resources in one go (across pages); an ID missing from the map was not found. */
export type BatchDescribe<T> = (ids: string[]) => Promise<Map<string, T>>;

interface WatchSettings {
  /**
   * How much longer than the poll interval beats are apart (at most a tenth of the interval). Waits
   * answered by a beat come back one interval later, spread over about a second (the server fires
   * retry timers that precisely) plus the describe's time. With this slack they come back before the
   * next beat, wait for it, and are answered together again, so they stay in step; without it they
   * would come back just after it, take its answer late, and drift a little later every poll.
   */
  slackMs: number;
  /** A describe that takes longer is given up: its beat's waits fail (and retry), and the next beat can start. */
  refreshTimeoutMs: number;
}

/** What a watch is told besides its describe: its tuning, and which states end the waits on them. */
interface WatchOptions<T> extends Partial<WatchSettings> {
  /**
   * True for a state no wait polls on from (a replace-root-volume task succeeded or failed): the
   * resource is then dropped from the beats rather than described for two more. A rollout keeps 50
   * tasks in flight and finishes several a second, so without this its beats carried the last two
   * intervals' finished tasks too, a second page of 50 in most of them.
   */
  settled?: (state: T) => boolean;
}

/** Shared by default; `per-run` describes each resource on its own, as a plain poller would (the benchmark's baseline). */
export type WaitMode = 'shared' | 'per-run';

const DEFAULT_WATCH: WatchSettings = { slackMs: 1_000, refreshTimeoutMs: 25_000 };

/** What the watcher needs to know about the attempt that asks. */
export interface PollAttempt {
  /** The wait's poll interval: its retry policy's initial interval. */
  intervalMs: number;
  /**
   * A wait's first attempt needs a describe that starts after it asked: it follows the action it waits
   * on, and an older answer could show the state from before that action.
   */
  first: boolean;
}

/** Used when the server does not tell the activity its retry policy. */
const FALLBACK_INTERVAL_MS = 1_000;

/** The poll attempt of the activity that is running now. */
function currentPollAttempt(): PollAttempt {
  const { attempt, retryPolicy } = Context.current().info;
  const interval = Number(retryPolicy?.initialInterval);
  return { intervalMs: interval > 0 ? interval : FALLBACK_INTERVAL_MS, first: attempt === 1 };
}

/** The watch over one kind of resource (AMIs, fast-launch states, root-volume tasks, ...): one cadence of beats per poll interval. */
export class ResourceWatch<T> {
  private readonly cadences = new Map<number, Cadence<T>>();

  private readonly options: WatchSettings & WatchOptions<T>;

  constructor(
    private readonly describe: BatchDescribe<T>,
    private readonly mode: WaitMode = 'shared',
    options: WatchOptions<T> = {},
  ) {
    this.options = { ...DEFAULT_WATCH, ...options };
  }

  /** The resource's latest state, or undefined when it does not exist. */
  async observe(id: string, attempt: PollAttempt = currentPollAttempt()): Promise<T | undefined> {
    if (this.mode === 'per-run') return (await this.describe([id])).get(id);
    let cadence = this.cadences.get(attempt.intervalMs);
    if (!cadence) {
      cadence = new Cadence(this.describe, attempt.intervalMs, this.options);
      this.cadences.set(attempt.intervalMs, cadence);
    }
    return cadence.observe(id, attempt.first);
  }
}

/** What a beat's describe found, and its span. */
interface Answer<T> {
  found: Map<string, T>;
  span: SpanContext;
}

/** One beat: when it started, the IDs it describes, and its describe. */
interface Beat<T> {
  startedAt: number;
  ids: Set<string>;
  described: Promise<Answer<T>>;
}

const tracer = trace.getTracer('golden-image/state-watcher');

/** The state of `id` in the beat's answer; the asking attempt's span (its RunActivity) links to the describe that gave it. */
const answerFor = <T>(beat: Beat<T>, id: string) =>
  beat.described.then(({ found, span }) => {
    trace.getActiveSpan()?.addLink({ context: span });
    return found.get(id);
  });

/** The beats of one poll interval. */
class Cadence<T> {
  /**
   * When each ID was last wanted: asked about, or answered to an attempt waiting for a beat. A beat
   * describes the IDs wanted in the last two beats, so a wait that came back is in it.
   */
  private readonly wantedAt = new Map<string, number>();
  /** The latest beat; cleared when its describe fails. */
  private latest: Beat<T> | undefined;
  /** When the latest beat was due: its tick (or, after an idle spell, the time it was asked for). */
  private lastDue = 0;
  /** The catch-up describe after the latest beat, for the attempts that came back to it late from other workers. */
  private late: { after: Beat<T>; sent: boolean; beat: Beat<T> } | undefined;
  /** Attempts waiting for the next beat. */
  private next: { promise: Promise<Beat<T>>; resolve: (result: Beat<T>) => void; ids: Set<string> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly slackMs: number;

  constructor(
    private readonly describe: BatchDescribe<T>,
    private readonly intervalMs: number,
    private readonly settings: WatchSettings & WatchOptions<T>,
  ) {
    this.slackMs = Math.min(settings.slackMs, intervalMs / 10);
  }

  async observe(id: string, first: boolean): Promise<T | undefined> {
    const now = Date.now();
    this.wantedAt.set(id, now);
    const latest = !first && this.latest && now - this.latest.startedAt <= this.intervalMs / 2 ? this.latest : undefined;
    // A beat that started less than half an interval ago is this attempt's poll: it came back a moment late.
    if (latest?.ids.has(id)) return this.answer(latest, id);
    // An attempt that lands here from another worker a moment after the beat started was not in it: one
    // catch-up describe at the end of the slack answers all such attempts, rather than the next beat.
    if (latest && now - latest.startedAt <= this.slackMs) return this.answer(await this.catchUp(latest, id), id);
    return this.answer(await this.nextBeat(id), id);
  }

  /**
   * The beat's answer for `id`. One that ends the wait takes the ID out of the beats here too, not only
   * when the describe finds it (describeNow): an attempt that came back late to an answered beat has
   * just marked it wanted again.
   */
  private async answer(beat: Beat<T>, id: string): Promise<T | undefined> {
    const state = await answerFor(beat, id);
    if (state !== undefined && this.settings.settled?.(state)) this.wantedAt.delete(id);
    return state;
  }

  /** The catch-up describe of `beat`: the IDs that came back late to it, described together once its slack is over. */
  private catchUp(beat: Beat<T>, id: string): Promise<Beat<T>> {
    // One that has already gone out cannot take more IDs: a straggler waits for the next beat.
    if (this.late?.after === beat && this.late.sent) return this.nextBeat(id);
    if (this.late?.after !== beat) {
      const ids = new Set<string>();
      const startedAt = beat.startedAt + this.slackMs;
      const described = delay(startedAt - Date.now()).then(() => {
        if (this.late?.after === beat) this.late.sent = true;
        return this.describeNow(ids);
      });
      // Settled by the attempts that take it; this keeps a failure with no taker from going unhandled.
      described.catch(() => {});
      this.late = { after: beat, sent: false, beat: { startedAt, ids, described } };
    }
    this.late.beat.ids.add(id);
    return Promise.resolve(this.late.beat);
  }

  private nextBeat(id: string): Promise<Beat<T>> {
    if (!this.next) {
      let resolve!: (result: Beat<T>) => void;
      const promise = new Promise<Beat<T>>((r) => (resolve = r));
      this.next = { promise, resolve, ids: new Set() };
    }
    this.next.ids.add(id);
    if (!this.timer) this.timer = setTimeout(() => void this.beat(), this.untilNextBeat());
    return this.next.promise;
  }

  /**
   * Beats fall on one clock in every worker: the multiples, since the epoch, of the interval plus the
   * slack. Attempts land on whichever worker polls, so a wait answered by one worker's beat often comes
   * back to another; with every watcher beating on the same ticks it finds its beat there too, within
   * the slack, instead of up to an interval later. A beat is never sooner than one interval after the
   * last; one that is already overdue (the cadence was idle) waits the slack, for the others coming
   * back with this attempt.
   */
  private untilNextBeat(): number {
    const now = Date.now();
    // From the tick the last beat was due at, not when it started: a beat that started late (a busy
    // event loop, a slow describe before it) must not push every later one a whole period on.
    const earliest = this.lastDue + this.intervalMs;
    if (earliest + this.slackMs <= now) return this.schedule(now + this.slackMs);
    const period = this.intervalMs + this.slackMs;
    return this.schedule(Math.ceil(Math.max(earliest, now) / period) * period);
  }

  private schedule(due: number): number {
    this.lastDue = due;
    return due - Date.now();
  }

  private async beat(): Promise<void> {
    // One beat at a time: a slow describe delays the next beat rather than piling calls onto it.
    await this.running;
    const startedAt = Date.now();
    const waiting = this.next;
    this.next = undefined;
    this.timer = undefined;
    // Those waiting for this beat are answered now: their next attempt comes one interval from now.
    for (const id of waiting?.ids ?? []) this.wantedAt.set(id, startedAt);
    // Two beats apart is at most two periods (interval + slack), the first beat after an idle start included.
    const forgetAfter = 2 * (this.intervalMs + this.slackMs);
    for (const [id, at] of this.wantedAt) if (startedAt - at > forgetAfter) this.wantedAt.delete(id);
    const ids = new Set(this.wantedAt.keys());
    // A failed describe (throttled, say) fails the attempts that take this beat; their retry policy tries again.
    const described = this.describeNow(ids);
    const result = { startedAt, ids, described };
    this.latest = result;
    this.running = described.catch(() => {
      // Attempts arriving later wait for the next beat rather than take this failure.
      if (this.latest === result) this.latest = undefined;
    });
    waiting?.resolve(result);
  }

  /**
   * One describe, given up after the refresh timeout; the IDs it finds settled leave the beats. Its
   * span is a new trace (`root`): the timer that started the beat runs in the context of whichever
   * attempt set it, whose trace the beat is no more part of than any other's.
   */
  private describeNow(ids: Set<string>): Promise<Answer<T>> {
    const attributes = { 'golden_image.watch.resources': ids.size, 'golden_image.watch.interval_ms': this.intervalMs };
    return tracer.startActiveSpan('watch beat', { root: true, attributes }, (span) => {
      const described = withDeadline(this.describe([...ids]), this.settings.refreshTimeoutMs);
      // A new wait asking about a dropped ID puts it back: its first attempt waits for the next beat, which adds it.
      const { settled } = this.settings;
      return described.then(
        (found) => {
          if (settled) for (const [id, state] of found) if (settled(state)) this.wantedAt.delete(id);
          span.end();
          return { found, span: span.spanContext() };
        },
        (err: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          span.end();
          throw err;
        },
      );
    });
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

/**
 * Runs a batch describe in chunks, for APIs that cap how many IDs one request may name. The chunks go
 * out together, so a beat takes as long as its slowest request, not the sum of them; a worker's waits
 * rarely span more than a handful of chunks, well inside EC2's describe burst.
 */
export async function inChunks<T>(ids: string[], size: number, describe: BatchDescribe<T>): Promise<Map<string, T>> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  const answers = await Promise.all(chunks.map((chunk) => describe(chunk)));
  return new Map(answers.flatMap((answer) => [...answer]));
}
