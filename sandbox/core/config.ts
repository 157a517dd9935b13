import { z } from 'zod';
import { accessKeySchema, SANDBOX_ACCESS_KEYS, type AccessKey } from './access-keys';
import { DURATION_KINDS, PROFILES, PROFILE_NAMES, type DurationKind, type Durations, type ProfileName } from './profiles';
import { optedInRegionsSchema, type OptInRegion } from './regions';
import { throttleSettingsSchema, type ThrottleSettings } from './throttle';

/** The effective configuration: a profile with any overrides applied. */
export interface SandboxConfig {
  profile: ProfileName;
  durations: Durations;
  notFoundWindowMs: number;
  deregisteredImageVisibleMs: number;
  throttling: ThrottleSettings;
  /**
   * Optional [min, max] ms per duration: each new resource draws its own duration from the range
   * (benchmarks: "AMIs ready after 20–60 s"). Present only when set, so existing configs read as before.
   */
  durationRanges?: DurationRanges;
  /** Seeds the draws, so two runs get the same sequence of durations. */
  durationSeed?: number;
  /** The keys whose SigV4 signatures the sandbox accepts; SANDBOX_ACCESS_KEYS unless configured. */
  accessKeys: readonly AccessKey[];
  /** The opt-in Regions every account has enabled (none unless configured); a call to another opt-in Region is refused. */
  optedInRegions: readonly OptInRegion[];
}

export type DurationRanges = Partial<Record<DurationKind, [min: number, max: number]>>;

const durationMs = z.number().int().min(0);
const durationRange = z.tuple([durationMs, durationMs]).refine(([min, max]) => min <= max, 'min must not exceed max');

/** An object with an optional `value` for each duration kind, and nothing else. */
function perDurationKind<T extends z.ZodType>(value: T) {
  return z.strictObject(
    Object.fromEntries(DURATION_KINDS.map((kind) => [kind, value.optional()])) as Record<DurationKind, z.ZodOptional<T>>,
  );
}

export const configOverridesSchema = z.strictObject({
  profile: z.enum(PROFILE_NAMES as [ProfileName, ...ProfileName[]]).optional(),
  durations: perDurationKind(durationMs).optional(),
  notFoundWindowMs: durationMs.optional(),
  deregisteredImageVisibleMs: durationMs.optional(),
  durationRanges: perDurationKind(durationRange).optional(),
  durationSeed: z.number().int().optional(),
  throttling: throttleSettingsSchema.partial().optional(),
  /** Replaces the whole set of keys. */
  accessKeys: z
    .array(accessKeySchema)
    .min(1)
    .refine((keys) => new Set(keys.map((k) => k.accessKeyId)).size === keys.length, 'access key IDs must be unique')
    .optional(),
  /** Replaces the whole set of opted-in Regions. */
  optedInRegions: optedInRegionsSchema.optional(),
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
      deregisteredImageVisibleMs: this.overrides.deregisteredImageVisibleMs ?? base.deregisteredImageVisibleMs,
      throttling: { enabled: true, scale: 1, ...definedOnly(this.overrides.throttling ?? {}) },
      ...(this.overrides.durationRanges && Object.keys(this.overrides.durationRanges).length
        ? { durationRanges: this.overrides.durationRanges }
        : {}),
      ...(this.overrides.durationSeed !== undefined ? { durationSeed: this.overrides.durationSeed } : {}),
      accessKeys: this.overrides.accessKeys ?? SANDBOX_ACCESS_KEYS,
      optedInRegions: this.overrides.optedInRegions ?? [],
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
    ...definedOnly({
      profile: b.profile,
      notFoundWindowMs: b.notFoundWindowMs,
      deregisteredImageVisibleMs: b.deregisteredImageVisibleMs,
      durationSeed: b.durationSeed,
      accessKeys: b.accessKeys,
      optedInRegions: b.optedInRegions,
    }),
    durations: { ...a.durations, ...definedOnly(b.durations ?? {}) },
    ...(a.durationRanges || b.durationRanges ? { durationRanges: { ...a.durationRanges, ...definedOnly(b.durationRanges ?? {}) } } : {}),
    throttling: { ...a.throttling, ...definedOnly(b.throttling ?? {}) },
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
