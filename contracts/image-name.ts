/**
 * Resolves an image-name template. The name is CreateImage's idempotency key, so it must come out the
 * same on every retry, replay and reset: it is built from the run's identity and its start time, never
 * from the wall clock.
 */
/** What a name is made of; workflows/run-identity.ts fills it in for the current run. */
interface NameContext {
  pipeline: string;
  runId: string;
  /** The run's start (or, for scheduled runs, its scheduled) time. */
  time: Date;
}

/** Stand-ins of full length for {{date}} (15 characters) and {{run}} (8), so a template can be checked before the run exists. */
export const SAMPLE_RUN = { runId: '00000000-0000-0000-0000-000000000000', time: new Date(0) };

function compactUtc(time: Date): string {
  const iso = time.toISOString(); // 2026-11-22T09:51:53.123Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

export function resolveImageName(template: string, ctx: NameContext): string {
  return (
    template
      .replaceAll('{{pipeline}}', ctx.pipeline)
      .replaceAll('{{date}}', compactUtc(ctx.time))
      // The tail of the run ID: its random part (run IDs are UUIDv7, whose head is a timestamp).
      .replaceAll('{{run}}', ctx.runId.replaceAll('-', '').slice(-8))
  );
}
