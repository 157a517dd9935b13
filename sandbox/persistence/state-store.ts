import { DatabaseSync, type StatementSync } from 'node:sqlite';

/**
 * Where the sandbox's state is kept between runs: one SQLite database (Node's built-in node:sqlite, no
 * flag needed on Node 24), holding the latest snapshot as one row that each save replaces. Replacing
 * the row is one SQLite transaction, so the file always holds a whole snapshot, never half of one; with
 * the write-ahead log a crash of the process loses nothing that was committed.
 *
 * The connection holds the database exclusively, so a second sandbox on the same file is refused
 * instead of both overwriting each other's state.
 */

/** Bumped when the snapshot's encoding (not the state's shape, which the codec follows) changes. */
export const SNAPSHOT_FORMAT = 1;

export interface StoredSnapshot {
  /** Wall-clock epoch ms of the save. */
  savedAt: number;
  text: string;
}

export class StateStoreError extends Error {}

export class StateStore {
  private readonly db: DatabaseSync;
  private readonly upsert: StatementSync;

  constructor(readonly file: string) {
    try {
      this.db = new DatabaseSync(file);
      this.db.exec(`
        PRAGMA journal_mode = WAL;
        PRAGMA locking_mode = EXCLUSIVE;
        CREATE TABLE IF NOT EXISTS sandbox_snapshot (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          format INTEGER NOT NULL,
          saved_at INTEGER NOT NULL,
          state TEXT NOT NULL
        ) STRICT;
        BEGIN IMMEDIATE;
        COMMIT;
      `);
    } catch (error) {
      const message = (error as Error).message;
      throw new StateStoreError(
        /locked|busy/i.test(message) ? `${file} is in use by another sandbox` : `cannot open the sandbox state ${file}: ${message}`,
      );
    }
    this.upsert = this.db.prepare('INSERT OR REPLACE INTO sandbox_snapshot (id, format, saved_at, state) VALUES (1, ?, ?, ?)');
  }

  /** The last saved snapshot, if any. */
  load(): StoredSnapshot | undefined {
    const row = this.db.prepare('SELECT format, saved_at, state FROM sandbox_snapshot WHERE id = 1').get() as
      { format: number; saved_at: number; state: string } | undefined;
    if (!row) return undefined;
    if (row.format !== SNAPSHOT_FORMAT) {
      throw new StateStoreError(
        `${this.file} holds a snapshot in format ${row.format}, this sandbox reads ${SNAPSHOT_FORMAT}; start fresh`,
      );
    }
    return { savedAt: row.saved_at, text: row.state };
  }

  save(text: string, savedAt = Date.now()): void {
    this.upsert.run(SNAPSHOT_FORMAT, savedAt, text);
  }

  /** Forgets the stored snapshot (starting fresh). */
  clear(): void {
    this.db.exec('DELETE FROM sandbox_snapshot');
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
