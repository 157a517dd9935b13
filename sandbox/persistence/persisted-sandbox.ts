import { StateStore, StateStoreError } from './state-store';

/** What the store needs of a sandbox: its state as text, and a way to put it back. */
export interface Snapshottable {
  snapshot(): string;
  restore(text: string): void;
}

/** Saves follow changes by at most this much: a crash loses at most the last fraction of a second. */
export const SAVE_INTERVAL_MS = 200;

export interface PersistOptions {
  /** Discards what the file holds and keeps the sandbox's freshly seeded state instead. */
  fresh?: boolean;
  saveIntervalMs?: number;
}

/**
 * A sandbox whose state lives in a file: restored from it on open (unless fresh), saved to it at most
 * SAVE_INTERVAL_MS after a change and on close. A save writes only when the state's text differs from the
 * last one written, so a sandbox that is only polled does not rewrite the file.
 */
export class PersistedSandbox {
  private readonly store: StateStore;
  private readonly saveIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private lastSaved: string | undefined;
  private lastError: string | undefined;
  private closed = false;
  /** When the restored snapshot was saved (wall-clock epoch ms); undefined when the sandbox began from its seed. */
  readonly restoredSavedAt: number | undefined;

  constructor(
    private readonly sandbox: Snapshottable,
    readonly file: string,
    options: PersistOptions = {},
  ) {
    this.saveIntervalMs = options.saveIntervalMs ?? SAVE_INTERVAL_MS;
    this.store = new StateStore(file);
    try {
      if (options.fresh) this.store.clear();
      const stored = this.store.load();
      if (stored) {
        sandbox.restore(stored.text);
        this.restoredSavedAt = stored.savedAt;
      }
      this.saveNow();
    } catch (error) {
      this.store.close();
      if (error instanceof StateStoreError) throw error;
      throw new StateStoreError(`cannot restore the sandbox state in ${file}: ${(error as Error).message}; start fresh to discard it`);
    }
  }

  /** The state may have changed: a save follows within the save interval. */
  changed(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saveReportingErrors();
    }, this.saveIntervalMs);
    // A process that exits without close() loses at most this interval; the timer need not keep it alive.
    this.timer.unref();
  }

  /** Saves what is pending, then closes the file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      this.saveNow();
    } finally {
      this.store.close();
    }
  }

  private saveNow(): void {
    const text = this.sandbox.snapshot();
    if (text === this.lastSaved) return;
    this.store.save(text);
    this.lastSaved = text;
  }

  /** A failed save must not take the sandbox down; it is reported once per distinct error, and retried at the next change. */
  private saveReportingErrors(): void {
    try {
      this.saveNow();
      this.lastError = undefined;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastError) console.error(`sandbox: could not save the state to ${this.file}: ${message}`);
      this.lastError = message;
    }
  }
}
