/** When a distribution deprecates its images (`deprecateAfter`: a duration from the run, or a date and time); the schema is in distribution.ts. */
import { durationMs } from './durations';

/** An ISO 8601 date and time ("2027-06-01T00:00:00Z"): when the images are deprecated. */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** When images made at `now` are to be deprecated, per `deprecateAfter`. */
export function deprecationTime(deprecateAfter: string, now: number): string {
  return (ISO_TIME.test(deprecateAfter) ? new Date(deprecateAfter) : new Date(now + durationMs(deprecateAfter))).toISOString();
}
