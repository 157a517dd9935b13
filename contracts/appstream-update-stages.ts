/**
 * The stages of an `appStreamImageUpdate` run, in order. The dry run comes first: with no update available, the rest are skipped. Every stage after `tag` is
 * optional; the image reaches the fleets only once it has booted, been approved, copied and shared.
 */
export const APPSTREAM_UPDATE_STAGES = [
  'check-update',
  'create',
  'wait-available',
  'tag',
  'test',
  'approval',
  'copy',
  'share',
  'fleets',
  'retention',
] as const;
export type AppStreamUpdateStage = (typeof APPSTREAM_UPDATE_STAGES)[number];
