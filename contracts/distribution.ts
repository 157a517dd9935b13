/**
 * The `distribution` and `publish` parts of an `ami` pipeline: where copies of the image go (Regions,
 * other accounts, KMS keys), who may launch it, how long it lives, and which launch templates and SSM
 * parameters point at it once it is approved. Whatever can be known wrong from the config alone is
 * refused here; what needs AWS (a Region enabled, a key or a template existing, a role assumable) is
 * checked by the pipeline's preflight, before anything is created.
 */
import { z } from 'zod';
import {
  accountId,
  DEFAULT_EBS_KEY_ALIAS,
  kmsKeyId,
  launchTemplateId,
  launchTemplateName,
  organizationalUnitArn,
  organizationArn,
  region,
  roleArn,
  ssmParameterName,
} from './aws-ids';
import { ISO_TIME } from './deprecation-time';
import { durationMs, isDuration } from './durations';

/** `arr` lists `what` more than once: an issue naming each repeat. */
function noRepeats<T>(what: string, key: (item: T) => string = String) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const keys = items.map(key);
    const repeated = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
    if (repeated.length) ctx.addIssue({ code: 'custom', message: `lists ${what} ${repeated.join(', ')} more than once` });
  };
}

const copyRegion = z.strictObject({
  region,
  /** Encrypt this copy with this key (in the copy's Region); without it, a copy is encrypted as its source is. */
  kmsKeyId: kmsKeyId.optional(),
});

const accountCopies = z.strictObject({
  /** The role the worker assumes in that account; the copies are that account's own. */
  roleArn,
  regions: z.array(region).min(1, 'give at least one Region').superRefine(noRepeats('Region')),
  kmsKeyId: kmsKeyId.optional(),
});

const shareWith = z
  .strictObject({
    /** Account IDs; `all` makes the images public, and only with `public: true`. */
    accounts: z.array(z.union([accountId, z.literal('all')])).default([]),
    organizations: z.array(organizationArn).default([]),
    organizationalUnits: z.array(organizationalUnitArn).default([]),
    /** Say so to share with everyone: every AWS account could then launch the images. */
    public: z.boolean().default(false),
  })
  .superRefine((share, ctx) => {
    if (share.accounts.includes('all') && !share.public) {
      ctx.addIssue({
        code: 'custom',
        path: ['accounts'],
        message: 'sharing with "all" makes the images public: set shareWith.public: true if that is meant',
      });
    }
  });

/** A duration from the run ("180d", up to 100 years), or a date and time that must still be ahead. */
const deprecateAfter = z.string().superRefine((text, ctx) => {
  if (ISO_TIME.test(text)) {
    if (!(Date.parse(text) > Date.now()))
      ctx.addIssue({ code: 'custom', message: 'is in the past: give a time still ahead, or a duration such as "180d"' });
  } else if (!isDuration(text) || durationMs(text) < 60_000 || durationMs(text) > 36_500 * 86_400_000) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a duration from 1m to 36500d such as "180d", or a date and time such as "2027-06-01T00:00:00Z"',
    });
  }
});

export const distribution = z
  .strictObject({
    /** Copies in this account, beyond the build Region (CopyImage, run in each destination). */
    regions: z
      .array(copyRegion)
      .default([])
      .superRefine(noRepeats('Region', (r) => r.region)),
    /** Launch permissions on every image of the run: the original and each copy. */
    shareWith: shareWith.prefault({}),
    /** Copies owned by other accounts, made with a role the worker assumes there. */
    accounts: z
      .array(accountCopies)
      .default([])
      .superRefine(noRepeats('role', (a) => a.roleArn)),
    deprecateAfter: deprecateAfter.optional(),
    /** DeregisterImage is refused while it holds; the run lifts it from an image it must remove. */
    deregistrationProtection: z.boolean().default(false),
  })
  .superRefine((dist, ctx) => {
    const shares = dist.shareWith.accounts.length + dist.shareWith.organizations.length + dist.shareWith.organizationalUnits.length;
    const sharedOut = shares > 0 || dist.shareWith.public || dist.accounts.length > 0;
    const defaultKeyed = [
      ...dist.regions.filter((r) => r.kmsKeyId === DEFAULT_EBS_KEY_ALIAS).map((r) => ['regions', r.region]),
      ...dist.accounts.filter((a) => a.kmsKeyId === DEFAULT_EBS_KEY_ALIAS).map((a) => ['accounts', a.roleArn]),
    ];
    if (sharedOut && defaultKeyed.length) {
      ctx.addIssue({
        code: 'custom',
        path: [defaultKeyed[0]![0]!],
        message: `an image encrypted with ${DEFAULT_EBS_KEY_ALIAS} (${defaultKeyed.map((k) => k[1]).join(', ')}) cannot be shared with other accounts: use a customer managed key and grant them its use`,
      });
    }
  });

export type DistributionSpec = z.output<typeof distribution>;

const launchTemplateTarget = z
  .strictObject({
    /** Omitted: the build Region. */
    region: region.optional(),
    id: launchTemplateId.optional(),
    name: launchTemplateName.optional(),
    /** Make the new version the template's default (ModifyLaunchTemplate). */
    setDefault: z.boolean().default(false),
  })
  .refine((t) => (t.id === undefined) !== (t.name === undefined), 'give exactly one of id or name');

export const publish = z.strictObject({
  /** A new version of each, whose ImageId is that Region's image. */
  launchTemplates: z
    .array(launchTemplateTarget)
    .default([])
    .superRefine(noRepeats('launch template', (t) => `${t.region ?? ''}/${t.id ?? t.name}`)),
  /** Written in every Region of this account that holds an image of the run, with DataType aws:ec2:image. */
  ssmParameters: z
    .array(z.strictObject({ name: ssmParameterName }))
    .default([])
    .superRefine(noRepeats('SSM parameter', (p) => p.name)),
});

export type PublishSpec = z.output<typeof publish>;
export type LaunchTemplateTarget = PublishSpec['launchTemplates'][number];
