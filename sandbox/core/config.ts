import { z } from 'zod';
import { PROFILES, PROFILE_NAMES, type Durations, type ProfileName } from './profiles';
import type { BucketSize } from './throttle';

export interface ThrottlingConfig {
  enabled: boolean;
  /** Multiplies every bucket's size and refill rate: 0.1 makes throttling 10x easier to hit. */
  scale: number;
  /**
   * Bucket sizes by key, replacing the built-in ones (AppStream's `appstream:describe`
   * and `appstream:mutating`, or an EC2 action). A new map replaces the previous one.
   */
  buckets?: Record<string, BucketSize>;
}

/** The effective configuration: a profile with any overrides applied. */
export interface SandboxConfig {
  profile: ProfileName;
  durations: Durations;
  notFoundWindowMs: number;
  throttling: ThrottlingConfig;
  /**
   * Optional [min, max] ms per duration: each new resource draws its own duration from the range
   * (benchmarks: "AMIs ready after 20–60 s"). Present only when set, so existing configs read as before.
   */
  durationRanges?: DurationRanges;
  /** Seeds the draws, so two runs get the same sequence of durations. */
  durationSeed?: number;
}

export type DurationRanges = Partial<Record<keyof Durations, [min: number, max: number]>>;

const durationMs = z.number().int().min(0);
const durationRange = z.tuple([durationMs, durationMs]).refine(([min, max]) => min <= max, 'min must not exceed max');

export const configOverridesSchema = z.strictObject({
  profile: z.enum(PROFILE_NAMES as [ProfileName, ...ProfileName[]]).optional(),
  durations: z
    .strictObject({
      instance: durationMs.optional(),
      image: durationMs.optional(),
      fastLaunch: durationMs.optional(),
      fastLaunchDisable: durationMs.optional(),
      replaceRootVolumePending: durationMs.optional(),
      replaceRootVolumeInProgress: durationMs.optional(),
      appStreamImage: durationMs.optional(),
      builderTransition: durationMs.optional(),
    })
    .optional(),
  notFoundWindowMs: durationMs.optional(),
  durationRanges: z
    .strictObject({
      instance: durationRange.optional(),
      image: durationRange.optional(),
      fastLaunch: durationRange.optional(),
      fastLaunchDisable: durationRange.optional(),
      replaceRootVolumePending: durationRange.optional(),
      replaceRootVolumeInProgress: durationRange.optional(),
      appStreamImage: durationRange.optional(),
      builderTransition: durationRange.optional(),
    })
    .optional(),
  durationSeed: z.number().int().optional(),
  throttling: z
    .strictObject({
      enabled: z.boolean().optional(),
      scale: z.number().positive().optional(),
      buckets: z.record(z.string().min(1), z.strictObject({ capacity: z.number().positive(), refillPerSecond: z.number().positive() })).optional(),
    })
    .optional(),
});

export type SandboxConfigOverrides = z.infer<typeof configOverridesSchema>;

/**
 * Holds the overrides rather than the resolved values, so that switching the
 * profile later still keeps durations the user pinned explicitly.
 */
export class ConfigStore {
  private overrides: SandboxConfigOverrides;

  constructor(private readonly initial: SandboxConfigOverrides = {}) {
    this.overrides = mergeOverrides({}, initial);
  }

  current(): SandboxConfig {
    const profile = this.overrides.profile ?? 'demo';
    const base = PROFILES[profile];
    return {
      profile,
      durations: { ...base.durations, ...definedOnly(this.overrides.durations ?? {}) },
      notFoundWindowMs: this.overrides.notFoundWindowMs ?? base.notFoundWindowMs,
      throttling: { enabled: true, scale: 1, ...definedOnly(this.overrides.throttling ?? {}) },
      ...(this.overrides.durationRanges && Object.keys(this.overrides.durationRanges).length ? { durationRanges: this.overrides.durationRanges } : {}),
      ...(this.overrides.durationSeed !== undefined ? { durationSeed: this.overrides.durationSeed } : {}),
    };
  }

  merge(overrides: SandboxConfigOverrides): SandboxConfig {
    this.overrides = mergeOverrides(this.overrides, overrides);
    return this.current();
  }

  /** Back to the configuration the sandbox started with, plus `overrides`. */
  reset(overrides: SandboxConfigOverrides = {}): SandboxConfig {
    this.overrides = mergeOverrides(mergeOverrides({}, this.initial), overrides);
    return this.current();
  }
}

function mergeOverrides(a: SandboxConfigOverrides, b: SandboxConfigOverrides): SandboxConfigOverrides {
  return {
    ...a,
    ...definedOnly({ profile: b.profile, notFoundWindowMs: b.notFoundWindowMs, durationSeed: b.durationSeed }),
    durations: { ...a.durations, ...definedOnly(b.durations ?? {}) },
    ...(a.durationRanges || b.durationRanges ? { durationRanges: { ...a.durationRanges, ...definedOnly(b.durationRanges ?? {}) } } : {}),
    throttling: { ...a.throttling, ...definedOnly(b.throttling ?? {}) },
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
